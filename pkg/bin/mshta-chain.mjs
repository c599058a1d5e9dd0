#!/usr/bin/env node
// mshta-chain CLI: scan Windows telemetry files for mshta.exe execution
// chains and print the report as JSON, NDJSON (one chain a line) or text.
//
// Exit status: 0 when the scan ran (whatever it found), 2 for a usage error,
// an unreadable input or config file, or an invalid config; 1 for anything
// unexpected. Errors are one line on stderr, never a stack trace.

import { readFileSync, statSync } from "node:fs";
import { formatNdjson, formatText } from "../src/text.js";

const PROGRAM = "mshta-chain";
const FORMATS = ["json", "ndjson", "text"];
const PROGRESS_BYTES = 32 * 1024 * 1024;

const USAGE = `Usage:
  ${PROGRAM} scan [--format json|ndjson|text] [--min-score N] [--config FILE] [FILE ... | -]
  ${PROGRAM} --help | -h
  ${PROGRAM} --version

Finds mshta.exe execution chains (ATT&CK T1218.005, analytic AN1397) in
Windows telemetry: Sysmon events (flat exports, evtx_dump, Winlogbeat) as
JSON Lines, a JSON array, or JSON objects one after another. Events of
other Windows channels are accepted and counted as ignored.

Commands:
  scan              Analyse the FILEs, in the order given, as one input
                    (each file is one batch). "-" or no FILE reads stdin.

Options:
  --format FORMAT   json (default): the report as one JSON document;
                    ndjson: one JSON line per chain;
                    text: a readable summary.
  --min-score N     Leave out chains scoring below N (0-100); overrides
                    min_score from --config.
  --config FILE     JSON object of options: window_seconds (default 600),
                    min_score (default 0), max_errors (default 100).
  -h, --help        Show this help.
  --version         Show the version.

Exit status: 0 when the scan ran, whatever it found; 2 for a usage error,
an unreadable file or an invalid config; 1 for an unexpected error.
`;

/** An error the user can fix: one line on stderr, exit status 2. */
class UsageError extends Error {}

/** A message on one line, whatever the error carried. */
function oneLine(message) {
  return String(message).replace(/\s*[\r\n]+\s*/g, " ").trim();
}

function packageVersion() {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return pkg.version;
}

/** Describes a file-system error without the errno noise. */
function fsReason(error) {
  switch (error?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return oneLine(error?.message ?? error);
  }
}

/** Parses the arguments of `scan`. */
function parseScanArgs(args) {
  const opts = { format: "json", minScore: undefined, config: undefined, files: [], help: false };
  let onlyFiles = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyFiles || arg === "-" || !arg.startsWith("-")) {
      opts.files.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyFiles = true;
      continue;
    }
    if (arg === "-h" || arg === "--help") {
      opts.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    let value;
    if (name === "--format" || name === "--min-score" || name === "--config") {
      if (eq > 0 && name !== arg) {
        value = arg.slice(eq + 1);
      } else {
        value = args[i + 1];
        if (value === undefined || (value.startsWith("--") && value.length > 2)) {
          throw new UsageError(`${name} needs a value`);
        }
        i++;
      }
      if (value === "") throw new UsageError(`${name} needs a value`);
    }
    switch (name) {
      case "--format":
        if (!FORMATS.includes(value)) {
          throw new UsageError(`unknown format "${value}" (expected ${FORMATS.join(", ")})`);
        }
        opts.format = value;
        break;
      case "--min-score": {
        const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 0 && n <= 100)) {
          throw new UsageError(`--min-score must be an integer from 0 to 100, not "${value}"`);
        }
        opts.minScore = n;
        break;
      }
      case "--config":
        opts.config = value;
        break;
      default:
        throw new UsageError(`unknown option ${name} (try --help)`);
    }
  }
  return opts;
}

/** Reads a --config file: it must hold a JSON object. */
function readConfig(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${fsReason(error)}`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid config ${path}: ${oneLine(error.message)}`);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new UsageError(`invalid config ${path}: expected a JSON object`);
  }
  // Keys and values are checked by the core (Detector's constructor), which
  // rejects an unknown key by name.
  return config;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function progress(message) {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
}

async function scan(args) {
  const opts = parseScanArgs(args);
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }

  const options = opts.config === undefined ? {} : readConfig(opts.config);
  if (opts.minScore !== undefined) options.min_score = opts.minScore;

  // Loaded here rather than at the top so that a missing or broken build
  // is reported as one line like any other error.
  const { Detector } = await import("../node.mjs");
  let detector;
  try {
    detector = new Detector(options);
  } catch (error) {
    // The core validates keys and values and names the bad one.
    const reason = oneLine(error?.message ?? error).replace(/^invalid (?:config|options): (?:Error: )?/, "");
    const where = opts.config === undefined ? "options" : `config ${opts.config}`;
    throw new UsageError(`invalid ${where}: ${reason}`);
  }

  try {
    const files = opts.files.length === 0 ? ["-"] : opts.files;
    const showProgress = process.stderr.isTTY === true;
    for (const file of files) {
      let bytes;
      if (file === "-") {
        try {
          bytes = await readStdin();
        } catch (error) {
          throw new UsageError(`cannot read stdin: ${fsReason(error)}`);
        }
        if (showProgress && bytes.length > PROGRESS_BYTES) progress("analysing...");
      } else {
        try {
          if (showProgress) {
            const size = statSync(file).size;
            if (size > PROGRESS_BYTES) progress(`reading ${file} (${Math.round(size / (1024 * 1024))} MiB)`);
          }
          bytes = readFileSync(file);
        } catch (error) {
          throw new UsageError(`cannot read ${file}: ${fsReason(error)}`);
        }
        if (showProgress && bytes.length > PROGRESS_BYTES) progress("analysing...");
      }
      detector.push(bytes);
    }
    const report = detector.finish();

    let out;
    if (opts.format === "ndjson") {
      out = formatNdjson(report);
    } else if (opts.format === "text") {
      const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      out = formatText(report, { color });
    } else {
      out = JSON.stringify(report, null, 2) + "\n";
    }
    process.stdout.write(out);
  } finally {
    detector.free();
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (command === "--version" || command === "-V") {
    process.stdout.write(packageVersion() + "\n");
    return;
  }
  if (command === undefined) throw new UsageError("missing command (try --help)");
  if (command === "scan") return scan(rest);
  if (command.startsWith("-")) throw new UsageError(`unknown option ${command} (try --help)`);
  throw new UsageError(`unknown command "${command}" (try --help)`);
}

// A reader that quits early (`| head`) is not an error.
process.stdout.on("error", (error) => {
  if (error?.code === "EPIPE") {
    process.exitCode ??= 0;
    return;
  }
  process.stderr.write(`${PROGRAM}: cannot write output: ${oneLine(error?.message ?? error)}\n`);
  process.exitCode = 1;
});

main(process.argv.slice(2)).then(
  () => {
    process.exitCode ??= 0;
  },
  (error) => {
    const usage = error instanceof UsageError;
    process.stderr.write(`${PROGRAM}: ${oneLine(error?.message ?? error)}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
