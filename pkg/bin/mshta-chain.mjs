#!/usr/bin/env node
// mshta-chain CLI: scan Windows telemetry files for mshta.exe execution
// chains and print the report as JSON, NDJSON (one chain a line), text, OCSF
// Detection Findings or ECS alerts; or write a baseline config.
//
// Exit status: 0 when the scan ran (whatever it found), 2 for a usage error,
// an unreadable input or config file, or an invalid config; 1 for anything
// unexpected. Errors are one line on stderr, never a stack trace.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { addRawErrors, expandInputs, fileHead, peek, rawPieces, readRawLog, sniff } from "../src/files.js";

const PROGRAM = "mshta-chain";
const FORMATS = ["json", "ndjson", "text", "ocsf", "ecs", "ocsf-ndjson", "ecs-ndjson"];
const PROGRESS_BYTES = 32 * 1024 * 1024;
// Inputs are read into one fixed-size buffer and each piece is pushed to the
// detector as it is read, so memory stays flat whatever the input's size
// (JSON Lines may be cut anywhere: the detector carries an unfinished line to
// the next push, and any cut gives the same report). The size is for speed
// only: 1 MiB is about 600 events, enough to make the cost of a push call
// negligible, and small beside the detector's own state. A JSON array must
// reach the detector in one push, so an input that starts with "[" is
// gathered whole.
const READ_BYTES = 1024 * 1024;

const USAGE = `Usage:
  ${PROGRAM} scan [--format json|ndjson|text|ocsf|ecs] [--min-score N] [--config FILE] [FILE ... | -]
  ${PROGRAM} baseline [--below N] [--config FILE] [FILE ... | -]
  ${PROGRAM} --help | -h
  ${PROGRAM} --version

Finds mshta.exe execution chains (ATT&CK T1218.005, analytic AN1397) in
Windows telemetry as JSON Lines, a JSON array, or JSON objects one after
another: Sysmon (flat exports, evtx_dump, Winlogbeat), Windows Security
4688/4689/5156, Elastic ECS, OCSF and Microsoft Defender XDR. A process
reported by several sensors is one process. Other Windows events are
accepted and counted as ignored.

Commands:
  scan              Analyse the FILEs, in the order given, as one stream
                    of events (a file's last line ends with the file).
                    "-" or no FILE reads stdin. A directory is read
                    recursively (files sorted by name; .evtx .xml .json
                    .jsonl .ndjson .log, and others by content). .evtx files
                    and Windows Event XML are read as they are, 64 KB at a
                    time; what cannot be read is listed in the report's
                    errors with the file and position.
  baseline          Scan the FILEs the same way and print a config (the
                    --config one, if given) whose "baseline" lists the
                    mshta invocations (inventory groups: command-line shape
                    and parent) whose chains all scored below N. Scanning
                    with it marks those invocations as known good
                    (reason baseline_known, -40 points) while new ones
                    score as before. Groups whose score is unknown (none
                    of their chains is in the report, as for an mshta
                    nested in another chain) are left out, with a note on
                    stderr. A group keeps the highest final score of its
                    chains even after they are evicted (max_chains).

Options:
  --format FORMAT   json (default): the report as one JSON document;
                    ndjson: one JSON line per chain;
                    text: a readable report: each chain's tree, activity,
                    reasons and triage checklist, then the inventory and
                    the telemetry coverage;
                    ocsf: a JSON array of OCSF 1.8.0 Detection Findings
                    (class 2004), one per chain;
                    ecs: a JSON array of ECS alert documents, one per chain;
                    ocsf-ndjson, ecs-ndjson: the same, one JSON line each.
  --min-score N     Leave out chains scoring below N (0-100); overrides
                    min_score from --config.
  --below N         baseline: take groups whose chains all scored below N
                    (1-100, default 50).
  --config FILE     JSON object of options: window_seconds (default 600),
                    lateness_seconds (default: the window), min_score
                    (default 0), max_errors (default 100), max_processes,
                    max_activity, max_chains, max_item_bytes, weights,
                    allow, baseline (see the README).
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

/** Parses the arguments of a command; `allowed` lists its options. */
function parseArgs(args, allowed) {
  const opts = { format: "json", minScore: undefined, below: 50, config: undefined, files: [], help: false };
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
    if (!allowed.includes(name)) throw new UsageError(`unknown option ${name} (try --help)`);
    if (name === "--format" || name === "--min-score" || name === "--config" || name === "--below") {
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
      case "--below": {
        const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= 100)) {
          throw new UsageError(`--below must be an integer from 1 to 100, not "${value}"`);
        }
        opts.below = n;
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

function progress(message) {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
}

/** Whether the input starting with `bytes` is a JSON array (after a BOM and whitespace). */
function startsArray(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x5b;
}

/**
 * Feeds one input to the detector as it is read; JSON arrays in one push.
 * `next()` returns the next chunk (a Buffer, which may be reused by the
 * following call) or null at the end. Ends the input with a line break so
 * that its last line never runs into the next input's first. Returns the
 * number of bytes read.
 */
async function feed(detector, next) {
  // Copies, held only until the input is known not to be a JSON array (its
  // first non-blank byte), or to the end for an array.
  let pending = [];
  let pendingBytes = 0;
  let array = null; // unknown until the first non-blank byte
  let total = 0;
  let last = 0x0a;
  const flush = () => {
    if (pendingBytes === 0) return;
    detector.push(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  for (let chunk = await next(); chunk !== null; chunk = await next()) {
    if (chunk.length === 0) continue;
    total += chunk.length;
    last = chunk[chunk.length - 1];
    if (array === false) {
      detector.push(chunk);
      continue;
    }
    pending.push(Buffer.from(chunk));
    pendingBytes += chunk.length;
    if (array === null) {
      const head = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      if (head.some((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf)) {
        array = startsArray(head);
        if (!array) flush();
      }
    }
  }
  flush();
  if (last !== 0x0a) detector.push("\n");
  return total;
}

/** Chunks of a file read synchronously into one reused READ_BYTES buffer. */
function fileChunks(file) {
  let fd;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${fsReason(error)}`);
  }
  let done = false;
  let size = 0;
  try {
    size = fstatSync(fd).size;
  } catch {
    // the size only sizes the buffer and the progress message
  }
  // A small file needs no full-size buffer (+1 to see the end in one read).
  const buffer = Buffer.allocUnsafe(size > 0 ? Math.min(READ_BYTES, size + 1) : READ_BYTES);
  const next = async () => {
    if (done) return null;
    let n;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      close();
      throw new UsageError(`cannot read ${file}: ${fsReason(error)}`);
    }
    if (n === 0) {
      close();
      return null;
    }
    return buffer.subarray(0, n);
  };
  const close = () => {
    if (!done) {
      done = true;
      closeSync(fd);
    }
  };
  return { next, close, size };
}

/** Chunks of stdin, as they come. */
function stdinChunks() {
  const iterator = process.stdin[Symbol.asyncIterator]();
  return async () => {
    try {
      const { value, done } = await iterator.next();
      return done ? null : value;
    } catch (error) {
      throw new UsageError(`cannot read stdin: ${fsReason(error)}`);
    }
  };
}

/**
 * Reads the inputs named by `opts.files` (stdin for "-" or none) as one
 * stream; returns `done(detector)` (by default the final report).
 */
async function analyseInputs(opts, options, done = (detector, rawErrors) => addRawErrors(detector.finish(), rawErrors)) {
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
    // Directories expand to the files under them; .evtx and Windows Event
    // XML (by content) go through the raw-log reader (src/files.js).
    const files = expandInputs(opts.files.length === 0 ? ["-"] : opts.files, (message) => {
      throw new UsageError(message);
    });
    const showProgress = process.stderr.isTTY === true;
    let items = 0;
    const counted = {
      push: (input) => {
        const update = detector.push(input);
        items += update.events;
        return update;
      },
    };
    const rawErrors = [];
    const raw = async (file, head, next) => {
      const itemsBefore = items;
      for (const e of await readRawLog(counted, file, head, next)) rawErrors.push({ ...e, itemsBefore });
    };
    for (const file of files) {
      // Evidence and errors name the file their items came from.
      detector.setSource(file);
      if (file === "-") {
        const input = await peek(stdinChunks());
        const format = sniff(input.head);
        if (format === "evtx" || format === "xml") await raw("-", new Uint8Array(0), input.next);
        else await feed(counted, input.next);
        continue;
      }
      let head;
      try {
        head = fileHead(file);
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${fsReason(error)}`);
      }
      const format = sniff(head);
      if (format === "evtx" || format === "xml") {
        const fd = openSync(file, "r");
        if (showProgress && fstatSync(fd).size > PROGRESS_BYTES) {
          progress(`reading ${file} (${Math.round(fstatSync(fd).size / (1024 * 1024))} MiB, ${format})`);
        }
        try {
          await raw(file, new Uint8Array(0), rawPieces(fd, 0));
        } finally {
          closeSync(fd);
        }
        continue;
      }
      const input = fileChunks(file);
      try {
        if (showProgress && input.size > PROGRESS_BYTES) {
          progress(`reading ${file} (${Math.round(input.size / (1024 * 1024))} MiB)`);
        }
        await feed(counted, input.next);
      } finally {
        input.close();
      }
    }
    return done(detector, rawErrors);
  } finally {
    // Never let freeing hide the error that got us here.
    try {
      detector.free();
    } catch {
      // nothing left to free
    }
  }
}

async function scan(args) {
  const opts = parseArgs(args, ["--format", "--min-score", "--config"]);
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const options = opts.config === undefined ? {} : readConfig(opts.config);
  if (opts.minScore !== undefined) options.min_score = opts.minScore;
  const report = await analyseInputs(opts, options);

  // The core writes every format, its own version as the product version.
  // JSON is the report object itself: the CLI adds raw-log fields to its
  // errors (file, chunk, ...) that the core's report type does not carry,
  // and JSON.stringify writes the same bytes as the core's `json` otherwise.
  const { formatReport } = await import("../node.mjs");
  const color = opts.format === "text" && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const out = opts.format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatReport(report, opts.format, { color });
  process.stdout.write(out);
}

/**
 * `baseline`: scans like `scan` (every chain kept: min_score 0) and prints
 * the config with `baseline` holding the inventory groups whose chains all
 * scored below --below, merged with the config's own entries.
 */
async function baseline(args) {
  const opts = parseArgs(args, ["--below", "--config"]);
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const config = opts.config === undefined ? {} : readConfig(opts.config);
  // The core decides (Engine::baseline, with the config's own weights,
  // allowlists and baseline); min_score 0 so that no chain is left unscored.
  const { entries, unknown } = await analyseInputs(opts, { ...config, min_score: 0 }, (detector, rawErrors) => {
    detector.finish();
    if (rawErrors.length > 0) progress(`note: ${rawErrors.length} read error(s) in raw logs (run scan to see them)`);
    return detector.baseline(opts.below);
  });
  if (unknown > 0) {
    progress(`note: ${unknown} inventory group(s) left out: none of their chains is in the report, so their score is unknown`);
  }
  const { baseline: _old, ...rest } = config;
  process.stdout.write(JSON.stringify({ ...rest, baseline: entries }, null, 2) + "\n");
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
  if (command === "baseline") return baseline(rest);
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
    // The core's errors carry a stable code (MSHTA_TRAP, MSHTA_INPUT_TOO_LARGE, ...).
    const code = typeof error?.code === "string" && error.code.startsWith("MSHTA_") ? ` [${error.code}]` : "";
    const message = oneLine(error?.message ?? error).replace(/^mshta-chain: /, "");
    process.stderr.write(`${PROGRAM}: ${message}${code}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
