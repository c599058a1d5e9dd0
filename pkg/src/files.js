// The CLI's inputs: which files a path names (directories recursively, in a
// stable order), what each file holds (EVTX, XML or JSON, by its first
// bytes), and reading a raw Windows log (.evtx, Windows Event XML) into a
// Detector through the optional entry `mshta-chain/evtx`, loaded only when
// a raw log is met. Node only (the CLI's helper).

import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { extname, join } from "node:path";

/** Extensions a directory walk takes without looking inside. */
export const EXTENSIONS = [".evtx", ".xml", ".json", ".jsonl", ".ndjson", ".log"];

/** Bytes read to tell a file's format (the reader's own SNIFF_BYTES). */
const HEAD_BYTES = 256;

/** Raw logs are read in EVTX chunk-sized pieces: one chunk held at a time. */
const RAW_PIECE = 64 * 1024;

const EVTX_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"

/**
 * A file's format from its first bytes: "evtx", "xml", "json" or "unknown".
 * The same rules as `mshta_chain_evtx::sniff` (tested against it), kept in
 * JS so that the CLI loads the reader's WebAssembly only for raw logs.
 */
export function sniff(head) {
  if (EVTX_MAGIC.every((b, i) => head[i] === b)) return "evtx";
  let bytes = head;
  // `evtx_dump` (not -o jsonl) puts a `Record <id>` line before each record.
  const record = [0x52, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x20]; // "Record "
  if (record.every((b, i) => head[i] === b)) {
    let i = record.length;
    while (i < head.length && head[i] >= 0x30 && head[i] <= 0x39) i++;
    if (i > record.length) return sniff(head.subarray(i));
  }
  let step = 1;
  let at = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) at = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) (at = 2), (step = 2);
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) (at = 3), (step = 2);
  else if (bytes.length > 1 && bytes[1] === 0) step = 2;
  else if (bytes[0] === 0) (at = 1), (step = 2);
  for (let i = at; i < bytes.length; i += step) {
    const b = bytes[i];
    if (b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a) continue;
    if (b === 0x3c) return "xml";
    if (b === 0x7b || b === 0x5b) return "json";
    return "unknown";
  }
  return "unknown";
}

/** The first bytes of a file (fewer if it is shorter). */
export function fileHead(path) {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The inputs the command line names, in order: "-" (stdin) as it is, a
 * file as it is, a directory as the files under it, recursively, sorted by
 * name at each level (so the order is the same on every machine): those
 * with one of EXTENSIONS, and others whose content is EVTX, XML or JSON.
 * A directory reached twice (a symlink loop) is walked once. `fail(message)`
 * is called (and must throw) for a path that cannot be read at all.
 */
export function expandInputs(paths, fail) {
  const out = [];
  const seen = new Set();
  const walk = (dir) => {
    let real;
    try {
      real = realpathSync(dir);
    } catch (error) {
      fail(`cannot read ${dir}: ${error?.code ?? error}`);
    }
    if (seen.has(real)) return;
    seen.add(real);
    let names;
    try {
      names = readdirSync(dir).sort(byName);
    } catch (error) {
      fail(`cannot read ${dir}: ${error?.code ?? error}`);
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue; // a dangling link: nothing to read
      }
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && (EXTENSIONS.includes(extname(name).toLowerCase()) || sniffable(path))) out.push(path);
    }
  };
  for (const path of paths) {
    if (path === "-") {
      out.push(path);
      continue;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      fail(`cannot read ${path}: ${error?.code === "ENOENT" ? "no such file or directory" : (error?.code ?? error)}`);
    }
    if (stat.isDirectory()) walk(path);
    else out.push(path);
  }
  return out;
}

function sniffable(path) {
  try {
    return sniff(fileHead(path)) !== "unknown";
  } catch {
    return false;
  }
}

let evtxApi = null;
/** The raw-log reader (`mshta-chain/evtx`), loaded on first use. */
async function loadEvtx() {
  evtxApi ??= await import("../evtx-node.mjs");
  return evtxApi;
}

/**
 * Reads one raw log into `detector` (anything with `push(bytes)` returning
 * an Update), piece by piece: `next()` gives the next Buffer or null. `head`
 * is bytes already read from the start of the input. Returns the reader's
 * errors, each with `file` set, in input order.
 */
export async function readRawLog(detector, file, head, next) {
  const { createEvtxReader } = await loadEvtx();
  const reader = createEvtxReader();
  const errors = [];
  const take = (batch) => {
    if (batch.count > 0) detector.push(batch.records);
    for (const e of batch.errors) errors.push({ ...e, file });
  };
  try {
    if (head.length > 0) take(reader.push(head));
    for (let piece = await next(); piece !== null; piece = await next()) take(reader.push(piece));
    take(reader.finish());
  } finally {
    reader.free();
  }
  return errors;
}

/** `next()` over a file in RAW_PIECE pieces, from `offset`; `close()` when done. */
export function rawPieces(fd, offset) {
  let position = offset;
  const buffer = Buffer.allocUnsafe(RAW_PIECE);
  return async () => {
    const n = readSync(fd, buffer, 0, RAW_PIECE, position);
    position += n;
    return n === 0 ? null : buffer.subarray(0, n);
  };
}

/**
 * Reads from `next()` until at least `n` bytes (or the end): returns those
 * bytes and a `next()` that gives them first, then the rest.
 */
export async function peek(next, n = HEAD_BYTES) {
  const parts = [];
  let size = 0;
  let ended = false;
  while (size < n) {
    const piece = await next();
    if (piece === null) {
      ended = true;
      break;
    }
    parts.push(piece);
    size += piece.length;
  }
  const head = Buffer.concat(parts, size);
  let given = false;
  return {
    head,
    next: async () => {
      if (!given) {
        given = true;
        if (head.length > 0) return head;
      }
      return ended ? null : next();
    },
  };
}

/**
 * Adds the raw logs' read errors to the report's `errors`, each where it
 * falls among the items (`index`: the item after it), with the file and
 * the position in `reason` and as fields; and one warning. `itemsBefore`
 * of an error is the number of items the detector had before its file.
 */
export function addRawErrors(report, rawErrors) {
  if (rawErrors.length === 0) return report;
  for (const e of rawErrors) {
    report.errors.push({
      index: e.itemsBefore + e.records_before,
      reason: `${e.file}: ${e.text}`,
      file: e.file,
      kind: e.kind,
      chunk: e.chunk,
      record_id: e.record_id,
      offset: e.offset,
      line: e.line,
    });
  }
  report.errors.sort((a, b) => a.index - b.index);
  report.warnings.push(`${rawErrors.length} part(s) of raw logs (.evtx, XML) could not be read: see errors`);
  return report;
}
