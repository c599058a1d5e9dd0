// Type declarations for the mshta-chain package (every runtime entry point:
// Node ESM/CommonJS, browsers, Deno, Cloudflare Workers). Hand-written; the
// report types mirror core/src/report.rs field for field.

/**
 * The severity band of a chain's score: `informational` (<25), `low` (<50),
 * `medium` (<70), `high` (<90) or `critical` (90 and above).
 */
export type Severity = "informational" | "low" | "medium" | "high" | "critical";

/** The direction of a network connection. */
export type Direction = "outbound" | "inbound" | "unknown";

/**
 * What the detector can read: UTF-8 JSON bytes or text (JSON Lines, one JSON
 * array, or JSON objects one after another), or an array of event objects
 * (each element's index in the array is its index in the report).
 */
export type Input = string | Uint8Array | ArrayBuffer | ArrayBufferView | unknown[];

/**
 * Engine settings; every key is optional and has a default. Values are
 * validated (a bad value throws an `Error` naming it).
 */
export interface Options {
  /**
   * Follow-on activity counts within this many seconds of the root's start;
   * later activity is kept but marked `late`. 1 to 604800; default 600.
   */
  window_seconds?: number;
  /**
   * Chains scoring below this are counted in `stats.chains_below_min_score`
   * but left out of `chains`. 0 to 100; default 0.
   */
  min_score?: number;
  /**
   * At most this many rejected items are listed in `errors` (`stats.rejected`
   * has the full count). 0 to 100000; default 100.
   */
  max_errors?: number;
}

/** Everything one analysis found, plus counts and the rejected items. */
export interface Report {
  /** mshta execution chains, highest score first. */
  chains: Chain[];
  /** Counts over the whole input. */
  stats: Stats;
  /** Rejected items, capped at `max_errors`; `stats.rejected` has the full count. */
  errors: ItemError[];
  /** Notes about the input as a whole (an empty input, for one). */
  warnings: string[];
}

/** One mshta process (the root) with its lineage and what followed it. */
export interface Chain {
  /** Stable for the same root process: a hash of host and root identity (`mc-` + 16 hex digits). */
  id: string;
  /** The host the chain ran on, as the root's event names it. */
  host: string;
  /** 0 to 100: the clamped sum of the reasons' points. */
  score: number;
  /** The severity band of `score`. */
  severity: Severity;
  /** Always `T1218.005` (MITRE ATT&CK: System Binary Proxy Execution: Mshta). */
  technique: "T1218.005";
  /** Always `AN1397` (the MITRE ATT&CK analytic for mshta). */
  analytic: "AN1397";
  /** The mshta process. */
  root: Root;
  /** All descendants of the root, in start order. */
  children: ChildProcess[];
  /** Files created by the root or a descendant. */
  files: FileEvent[];
  /** Network connections by the root or a descendant. */
  network: NetworkEvent[];
  /** DNS queries by the root or a descendant. */
  dns: DnsEvent[];
  /** Why the chain scored what it did. */
  reasons: Reason[];
}

/** The mshta process a chain is about. */
export interface Root {
  /** Process id (0 when the telemetry gave only a GUID). */
  pid: number;
  /** Sysmon ProcessGuid, braced and lower case. */
  process_guid: string | null;
  /** Full image path. */
  image: string;
  /** Command line, when the telemetry carries it. */
  command_line: string | null;
  /** `DOMAIN\user` the process ran as. */
  user: string | null;
  /** Start time (RFC 3339, UTC); for an inferred root, the first time it was seen. */
  time: string;
  /**
   * True when the root's own start event was not seen and the root was
   * inferred from its children's parent fields or from its activity.
   */
  inferred: boolean;
  /** The process that started mshta, when known. */
  parent: Parent | null;
  /** Input index of the root's start event. */
  event: number | null;
}

/** The parent of the root. */
export interface Parent {
  /** Process id. */
  pid: number | null;
  /** Process GUID. */
  process_guid: string | null;
  /** Full image path. */
  image: string | null;
  /** Command line. */
  command_line: string | null;
}

/** A descendant process of the root. */
export interface ChildProcess {
  /** Process id. */
  pid: number;
  /** Process GUID. */
  process_guid: string | null;
  /** Full image path. */
  image: string;
  /** Command line. */
  command_line: string | null;
  /** Start time (RFC 3339, UTC). */
  time: string;
  /** 1 for a child of the root, 2 for a grandchild, and so on. */
  depth: number;
  /** Process id of its parent. */
  parent_pid: number | null;
  /** Started after the correlation window closed. */
  late: boolean;
  /** Input index of its start event. */
  event: number;
}

/** A file created by a chain member. */
export interface FileEvent {
  /** Full path of the file. */
  path: string;
  /** Event time (RFC 3339, UTC). */
  time: string;
  /** Process id of the creator. */
  pid: number | null;
  /** Image of the creator. */
  image: string | null;
  /** After the correlation window closed. */
  late: boolean;
  /** Input index. */
  event: number;
}

/** A network connection by a chain member. */
export interface NetworkEvent {
  /** Destination address. */
  dst_ip: string | null;
  /** Destination port. */
  dst_port: number | null;
  /** Destination host name, as the telemetry resolved it. */
  dst_host: string | null;
  /** Source address. */
  src_ip: string | null;
  /** Source port. */
  src_port: number | null;
  /** `outbound`, `inbound` or `unknown`. */
  direction: Direction;
  /** Event time (RFC 3339, UTC). */
  time: string;
  /** Process id of the member. */
  pid: number | null;
  /** Image of the member. */
  image: string | null;
  /** After the correlation window closed. */
  late: boolean;
  /** Input index. */
  event: number;
}

/** A DNS query by a chain member. */
export interface DnsEvent {
  /** The name queried. */
  query: string;
  /** Event time (RFC 3339, UTC). */
  time: string;
  /** Process id of the member. */
  pid: number | null;
  /** Image of the member. */
  image: string | null;
  /** After the correlation window closed. */
  late: boolean;
  /** Input index. */
  event: number;
}

/** One additive contribution to a chain's score. */
export interface Reason {
  /** Stable snake_case identifier, such as `cmdline_inline_script`. */
  id: string;
  /** Points added (negative lowers the score). */
  points: number;
  /** One line saying what was seen. */
  detail: string;
  /** Input indexes of the evidence. */
  events: number[];
}

/** Counts over the whole input. */
export interface Stats {
  /** Items in the input. */
  events: number;
  /** Items that decoded (used or ignored). */
  accepted: number;
  /** Items rejected (see `errors`). */
  rejected: number;
  /** Accepted items of a known schema that carry nothing the detector uses. */
  ignored: number;
  /** Accepted items per schema and shape (for example `sysmon_flat`). */
  by_schema: Record<string, number>;
  /** Process start events seen. */
  processes: number;
  /** mshta processes seen (roots and nested). */
  mshta_processes: number;
  /** Chains found, before `min_score` filtering. */
  chains: number;
  /** Chains left out of `chains` for scoring below `min_score`. */
  chains_below_min_score: number;
}

/** A rejected input item. */
export interface ItemError {
  /** Index of the item (array element or non-blank JSON line), from 0. */
  index: number;
  /** Why it was rejected. */
  reason: string;
}

/** Counts for one batch given to `Detector.push`. */
export interface PushSummary {
  /** Items in the batch. */
  events: number;
  /** Items that decoded. */
  accepted: number;
  /** Items rejected. */
  rejected: number;
}

/**
 * Analyses one input and returns the report.
 *
 * @param input JSON Lines, a JSON array or concatenated JSON objects, as text
 *   or UTF-8 bytes; or an array of event objects.
 * @param options Engine settings; omitted keys take their defaults.
 * @throws Error when the options are invalid; TypeError for an input of
 *   another type; Error before `init` on the browser entry.
 */
export function analyze(input: Input, options?: Options): Report;

/**
 * A streaming detector: push batches (in order; item indexes continue from
 * one batch to the next), then `finish` for the report. The result is the
 * same as `analyze` over the batches concatenated, when each batch ends at an
 * item boundary.
 */
export class Detector {
  /**
   * A new detector with the given options.
   * @throws Error when the options are invalid.
   */
  constructor(options?: Options);
  /** Adds a batch; returns the counts for that batch. */
  push(input: Input): PushSummary;
  /** The report over everything pushed so far (may be called more than once). */
  finish(): Report;
  /** Frees the WebAssembly memory now rather than at garbage collection; the detector is unusable after. */
  free(): void;
}

/** The version of the core the WebAssembly module was built from. */
export function version(): string;

/** The API that `init` resolves to and `initSync` returns. */
export interface Api {
  /** See {@link analyze}. */
  analyze: typeof analyze;
  /** See {@link Detector}. */
  Detector: typeof Detector;
  /** See {@link version}. */
  version: typeof version;
}

/**
 * Where `init` can load the WebAssembly module from: a URL (fetched), a
 * `Response`, the module's bytes, a compiled `WebAssembly.Module`, or a
 * promise of one of these.
 */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module
  | Promise<string | URL | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module>;

/**
 * Loads the WebAssembly module once (later calls return the same promise)
 * and resolves to the API. Without `source`, the browser entry fetches
 * `dist/web/mshta_chain_bg.wasm` next to it. On Node, Deno and Workers the
 * module is already loaded and `source` is ignored.
 */
export function init(source?: InitInput): Promise<Api>;

/**
 * Loads the WebAssembly module synchronously from its bytes or a compiled
 * `WebAssembly.Module` and returns the API; a no-op once loaded.
 */
export function initSync(module: ArrayBuffer | ArrayBufferView | WebAssembly.Module): Api;

/** {@link init}, as the default export. */
export default init;
