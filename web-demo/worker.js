// The viewer's worker: reads every input (File.stream(), the bundled sample,
// pasted text), runs the Detector over it, and keeps the report. The page
// only draws: it gets a summary, one small row per chain, and a chain's
// detail when it opens one, so a big report never crosses to the main thread
// whole. Served with the page's Content-Security-Policy (scripts/serve.mjs
// sends it for worker scripts; web-demo/_headers for static hosts).
//
// Messages in:  run {job, sources}, cancel {job}, search {seq, query},
//               chain {seq, id}, export {seq, format}, markdown {seq, id}
// Messages out: ready {version} | fatal {message}, progress, done, cancelled,
//               failed, and one answer per request, with its seq.

import init, { Detector, version } from "../pkg/web.js";
import { EXPORTS, triageOf } from "./formats.js";
import { JsonArraySplitter } from "./json-array.js";
import { chainMarkdown } from "./markdown.js";

// Bytes gathered before each push: about 10 ms of work, so a cancel or a
// request waits no longer than that. Any cut gives the same report.
const BATCH_BYTES = 1 << 20;
const PROGRESS_MS = 100;
const SAMPLE_URL = new URL("../tests/data/sample.jsonl", import.meta.url);
const EVTX_MODULE = new URL("../pkg/evtx.js", import.meta.url);
const EVTX_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const SEVERITIES = ["critical", "high", "medium", "low", "informational"];
const MAX_ROW_TEXT = 400;
const MAX_LISTED = 300; // hosts in the host filter, inventory groups (search reaches the rest)
const MAX_GAP_HOSTS = 50;

let job = 0; // the job running, 0 when idle
let cancelled = false;
let report = null;
let files = []; // per input: { name, path, kind, bytes, start, end, error? }
let searchText = null; // chain id -> lower-case text, built on the first search

const post = (message, transfer) => self.postMessage(message, transfer ?? []);

// ---------------------------------------------------------------------------
// Reading.

class Cancelled extends Error {}

function startsWith(bytes, magic) {
  if (bytes.length < magic.length) return false;
  return magic.every((b, i) => bytes[i] === b);
}

/** "evtx", "xml", "array" or "json" from a file's first bytes; null while they are all blank. */
function sniff(bytes) {
  if (startsWith(bytes, EVTX_MAGIC)) return "evtx";
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (i >= bytes.length) return null;
  if (bytes[i] === 0x3c) return "xml";
  if (bytes[i] === 0x5b) return "array";
  return "json";
}

function concat(parts, length) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The adapter to the package's optional EVTX entry (pkg/evtx.js, its own
 * .wasm): loaded only when an .evtx or Event XML file is opened. Resolves to
 * `{ push(bytes) -> { records, errors }, finish() -> { records, errors } }`
 * where `records` are JSON lines for Detector.push; rejects with a clear
 * per-file message when this build has no EVTX entry.
 */
let evtxModule = null;
async function loadRawReader(kind) {
  try {
    evtxModule ??= import(EVTX_MODULE.href).then(async (mod) => {
      if (typeof mod.default === "function") await mod.default(); // an init() like pkg/web.js's
      return mod;
    });
    const mod = await evtxModule;
    const make = kind === "xml" ? (mod.createXmlReader ?? mod.createEvtxReader) : mod.createEvtxReader;
    if (typeof make !== "function") throw new Error("pkg/evtx.js has no createEvtxReader()");
    return await make(kind === "xml" ? { format: "xml" } : undefined);
  } catch (error) {
    evtxModule = null;
    throw new Error(`EVTX support not available in this build (${error?.message ?? error})`);
  }
}

const ENCODER = new TextEncoder();

/** A raw reader's output as bytes for Detector.push. */
function rawRecords(out, file) {
  let records = out?.records ?? [];
  for (const e of out?.errors ?? []) {
    if (file.rawErrors.length < 20) file.rawErrors.push(typeof e === "string" ? e : e?.message ?? e?.reason ?? JSON.stringify(e));
    file.rawErrorCount++;
  }
  if (typeof records === "string" || records instanceof Uint8Array) {
    const text = typeof records === "string" ? records : new TextDecoder().decode(records);
    records = text.split("\n").filter((l) => l.trim() !== "");
  }
  if (!Array.isArray(records) || records.length === 0) return null;
  const lines = records.map((r) => (typeof r === "string" ? r : JSON.stringify(r)));
  return ENCODER.encode(lines.join("\n") + "\n");
}

/** Reads one source into the detector; `tick` reports progress. */
async function readSource(source, detector, counters, tick) {
  const file = { name: source.name, path: source.path || source.name, kind: "json", bytes: source.size ?? 0, start: counters.events };
  files.push(file);
  // The core gives each evidence item its file and record number.
  detector.setSource(file.path);
  let stream;
  if (source.file) stream = source.file.stream();
  else if (source.text !== undefined) stream = new Blob([source.text]).stream();
  else if (source.sample) {
    const response = await fetch(SAMPLE_URL);
    if (!response.ok) throw new Error(`the sample: HTTP ${response.status}`);
    file.bytes = Number(response.headers.get("content-length")) || 0;
    counters.total += file.bytes;
    stream = response.body;
  }
  const reader = stream.getReader();
  const push = (bytes) => {
    const update = detector.push(bytes);
    counters.events += update.events;
    counters.rejected += update.rejected;
    for (const chain of update.chains) counters.chains.add(chain.id);
    for (const id of update.retracted ?? []) counters.chains.delete(id);
  };
  let parts = [];
  let pending = 0;
  let kind = null;
  let last = 0x0a;
  let head = [];
  let headLength = 0;
  let splitter = null;
  let raw = null;
  const flush = async () => {
    if (pending === 0) return;
    const bytes = concat(parts, pending);
    parts = [];
    pending = 0;
    if (raw) {
      const out = rawRecords(await raw.push(bytes), file); // sync or async readers alike
      if (out) push(out);
    } else if (splitter) {
      const out = splitter.push(bytes);
      if (out.length) push(out);
    } else push(bytes);
  };
  try {
    for (;;) {
      if (cancelled) throw new Cancelled();
      const { value, done } = await reader.read();
      if (done) break;
      if (!value || value.length === 0) continue;
      counters.bytes += value.length;
      if (kind === null) {
        head.push(value);
        headLength += value.length;
        kind = sniff(concat(head, headLength));
        if (kind === null && headLength < 4096) continue;
        kind ??= "json";
        file.kind = kind;
        if (kind === "evtx" || kind === "xml") {
          file.rawErrors = [];
          file.rawErrorCount = 0;
          raw = await loadRawReader(kind);
        } else if (kind === "array") splitter = new JsonArraySplitter();
        parts = head;
        pending = headLength;
        head = null;
      } else {
        parts.push(value);
        pending += value.length;
      }
      last = value[value.length - 1];
      if (pending >= BATCH_BYTES) await flush();
      tick();
    }
    if (kind === null && headLength > 0) {
      parts = head; // only blanks
      pending = headLength;
    }
    await flush();
    if (raw) {
      const out = rawRecords(await raw.finish?.(), file);
      if (out) push(out);
    } else if (splitter) {
      const out = splitter.finish();
      if (out.length) push(out);
      if (splitter.trailing) file.warning = "text after the JSON array's closing bracket was ignored";
    } else if (last !== 0x0a) push(ENCODER.encode("\n")); // a file's last line ends with the file
  } catch (error) {
    reader.cancel().catch(() => {});
    if (error instanceof Cancelled) throw error;
    // A file that cannot be read (or an EVTX file without EVTX support) is
    // that file's error; the others still count.
    file.error = error?.message ?? String(error);
  } finally {
    // The raw reader's WebAssembly memory (its chunk buffer) goes now, not at garbage collection.
    raw?.free?.();
    file.end = counters.events;
    tick(true);
  }
}

async function run(message) {
  job = message.job;
  cancelled = false;
  report = null;
  files = [];
  searchText = null;
  const started = performance.now();
  const counters = {
    bytes: 0,
    total: message.sources.reduce((n, s) => n + (s.size || 0), 0),
    events: 0,
    rejected: 0,
    chains: new Set(),
  };
  let lastTick = 0;
  let current = "";
  const tick = (force) => {
    const now = performance.now();
    if (!force && now - lastTick < PROGRESS_MS) return;
    lastTick = now;
    post({
      type: "progress",
      job,
      file: current,
      bytes: counters.bytes,
      total: counters.total,
      events: counters.events,
      rejected: counters.rejected,
      chains: counters.chains.size,
      elapsedMs: now - started,
    });
  };
  const detector = new Detector();
  try {
    for (const source of message.sources) {
      current = source.path || source.name;
      await readSource(source, detector, counters, tick);
    }
    if (cancelled) throw new Cancelled();
    report = detector.finish();
    const elapsedMs = performance.now() - started;
    post({ type: "done", job, elapsedMs, bytes: counters.bytes, summary: summarize(report), rows: rows(report), files: fileList() });
  } catch (error) {
    report = null;
    if (error instanceof Cancelled) post({ type: "cancelled", job, bytes: counters.bytes, events: counters.events, elapsedMs: performance.now() - started });
    else post({ type: "failed", job, message: error?.message ?? String(error) });
  } finally {
    detector.free();
    job = 0;
  }
}

// ---------------------------------------------------------------------------
// What the page draws.

/** The file and item number in it of an input index (record ids come from the core, on each evidence item). */
function locate(index) {
  let lo = 0;
  let hi = files.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = files[mid];
    if (index < f.start) hi = mid - 1;
    else if (index >= f.end) lo = mid + 1;
    else {
      return { file: f.path, item: index - f.start + 1, record: null };
    }
  }
  return null;
}

function fileList() {
  return files.map((f) => ({
    name: f.name,
    path: f.path,
    kind: f.kind,
    bytes: f.bytes,
    events: f.end - f.start,
    error: f.error ?? null,
    warning: f.warning ?? null,
    rawErrors: f.rawErrors ?? [],
    rawErrorCount: f.rawErrorCount ?? 0,
  }));
}

function summarize(r) {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const c of r.chains) bySeverity[SEVERITIES.includes(c.severity) ? c.severity : "informational"]++;
  return {
    version: version(),
    stats: r.stats,
    bySeverity,
    errors: (r.errors ?? []).map((e) => ({ ...e, at: locate(e.index) })),
    warnings: r.warnings ?? [],
    coverage: coverageSummary(r.coverage),
    inventory: (r.inventory ?? []).slice(0, MAX_LISTED).map((g) => ({ ...g, host_names: (g.host_names ?? []).slice(0, 5) })),
    inventoryTotal: r.inventory?.length ?? 0,
    hosts: topHosts(r.chains),
  };
}

/** The overall verdicts and the first hosts with gaps (a report may cover thousands of hosts). */
function coverageSummary(coverage) {
  if (!coverage) return null;
  const gaps = (coverage.hosts ?? []).filter((h) => (h.verdicts ?? []).some((v) => v.status !== "ok"));
  return {
    overall: coverage.overall,
    hostsTotal: coverage.hosts?.length ?? 0,
    gapsTotal: gaps.length,
    gaps: gaps.slice(0, MAX_GAP_HOSTS).map((h) => ({ host: h.host, verdicts: h.verdicts.filter((v) => v.status !== "ok") })),
  };
}

/** The hosts with the most chains, for the host filter: `{ hosts: [[host, chains]...], total }`. */
function topHosts(chains) {
  const counts = new Map();
  for (const c of chains) counts.set(String(c.host ?? ""), (counts.get(String(c.host ?? "")) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { list: sorted.slice(0, MAX_LISTED), total: sorted.length };
}

function rows(r) {
  return r.chains.map((c) => ({
    id: c.id,
    score: c.score,
    severity: c.severity,
    host: c.host,
    status: c.status,
    image: c.root?.image ?? null,
    pid: c.root?.pid ?? null,
    time: c.root?.time ?? null,
    cmd: typeof c.root?.command_line === "string" ? c.root.command_line.slice(0, MAX_ROW_TEXT) : null,
    parent: c.root?.parent?.image ?? null,
    counts: {
      children: c.children?.length ?? 0,
      files: c.files?.length ?? 0,
      network: c.network?.length ?? 0,
      dns: c.dns?.length ?? 0,
    },
  }));
}

function chainById(id) {
  return report?.chains.find((c) => c.id === id) ?? null;
}

/** Every input index a chain cites. */
function chainIndexes(chain) {
  const out = new Set();
  const add = (item) => {
    if (Number.isInteger(item?.event)) out.add(item.event);
    for (const i of item?.events ?? []) if (Number.isInteger(i)) out.add(i);
  };
  add(chain.root);
  for (const list of [chain.children, chain.files, chain.network, chain.dns, chain.modules, chain.reasons]) for (const item of list ?? []) add(item);
  return [...out];
}

function chainDetail(id) {
  const chain = chainById(id);
  if (!chain) return null;
  // Each evidence item's log record number, as the core read it.
  const records = new Map();
  for (const item of [chain.root, ...(chain.children ?? []), ...(chain.files ?? []), ...(chain.network ?? []), ...(chain.dns ?? []), ...(chain.modules ?? [])]) {
    if (Number.isInteger(item?.event) && Number.isInteger(item?.record_id)) records.set(item.event, item.record_id);
  }
  const where = {};
  for (const i of chainIndexes(chain)) {
    const at = locate(i);
    where[i] = at && { ...at, record: records.get(i) ?? null };
  }
  return { chain, triage: triageOf(chain, report), where, multiFile: files.length > 1 };
}

function search(query) {
  const q = String(query ?? "").trim().toLowerCase();
  if (!report) return [];
  if (q === "") return report.chains.map((c) => c.id);
  if (!searchText) {
    searchText = new Map();
    for (const chain of report.chains) {
      const parts = [];
      const walk = (value) => {
        if (value === null || value === undefined) return;
        if (typeof value === "object") for (const v of Object.values(value)) walk(v);
        else parts.push(String(value));
      };
      walk(chain);
      searchText.set(chain.id, parts.join("\n").toLowerCase());
    }
  }
  return report.chains.filter((c) => searchText.get(c.id).includes(q)).map((c) => c.id);
}

// ---------------------------------------------------------------------------
// Messages.

function answer(message, body) {
  post({ type: message.type, seq: message.seq, ...body });
}

self.onmessage = (event) => {
  const message = event.data ?? {};
  try {
    switch (message.type) {
      case "run":
        if (job !== 0) return answer(message, { error: "busy" });
        run(message);
        return;
      case "cancel":
        if (job !== 0 && message.job === job) cancelled = true;
        return;
      case "search":
        return answer(message, { ids: search(message.query) });
      case "chain":
        return answer(message, { detail: chainDetail(message.id) });
      case "export": {
        const format = EXPORTS[message.format];
        if (!report || !format) return answer(message, { error: `nothing to export as ${message.format}` });
        const blob = new Blob([format.make(report)], { type: format.type });
        return answer(message, { blob, file: format.file, format: message.format });
      }
      case "markdown": {
        const detail = chainDetail(message.id);
        return answer(message, detail ? { text: chainMarkdown(detail.chain, detail.triage, detail.where) } : { error: "no such chain" });
      }
      default:
        return answer(message, { error: `unknown message ${message.type}` });
    }
  } catch (error) {
    answer(message, { error: error?.message ?? String(error) });
  }
};

init().then(
  () => post({ type: "ready", version: version() }),
  (error) => post({ type: "fatal", message: `could not load the WebAssembly module: ${error?.message ?? error}` }),
);
