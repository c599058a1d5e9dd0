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
 * `open` while activity may still join the chain; `closed` once its window
 * and the allowed lateness have passed with nothing new (a closed chain is
 * final and no longer changes).
 */
export type ChainStatus = "open" | "closed";

/**
 * A sensor that reported an event: `sysmon`, `security` (Windows Security
 * log), `elastic_defend`, `ocsf`, `defender` (Microsoft Defender XDR),
 * `crowdstrike`, `sentinelone`, `carbon_black` or `splunk_cim`.
 * Open-ended: new sources may be added.
 */
export type Source =
  | "sysmon"
  | "security"
  | "elastic_defend"
  | "ocsf"
  | "defender"
  | "crowdstrike"
  | "sentinelone"
  | "carbon_black"
  | "splunk_cim"
  | (string & {});

/**
 * How a file belongs to a chain: `created` by the root or a member, or
 * `run_by_root`: written by another process shortly before the root's
 * command line ran it.
 */
export type FileRelation = "created" | "run_by_root";

/**
 * What the detector can read: UTF-8 JSON bytes or text (JSON Lines, one JSON
 * array, or JSON objects one after another), or an array of event objects
 * (each element's index in the array is its index in the report).
 *
 * Recognised telemetry: Sysmon (flat exports, `evtx_dump`, Winlogbeat),
 * Windows Security 4688/4689/5156, Elastic ECS, OCSF and Microsoft Defender
 * XDR. A process reported by several sensors is merged into one.
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
  /**
   * How late (in event time, behind the newest event of its host) an event
   * may arrive and still be correlated as if it had come in order. 0 to
   * 604800; default (omitted or `null`): `window_seconds`.
   */
  lateness_seconds?: number | null;
  /** At most this many processes are tracked; the oldest go first. 100 to 100000000; default 200000. */
  max_processes?: number;
  /** At most this many follow-on events wait for attribution; the oldest go first. 100 to 100000000; default 500000. */
  max_activity?: number;
  /**
   * At most this many closed chains are kept for the report; the lowest
   * scoring, then oldest, go first. 1 to 100000000; default 10000.
   */
  max_chains?: number;
  /**
   * A JSON item (or an unfinished line carried to the next push) longer than
   * this many bytes is rejected. 1024 to 100000000; default 1048576.
   */
  max_item_bytes?: number;
  /**
   * Members listed per chain (those that ran a file the chain wrote, one of
   * each distinct image, then the first seen); the rest are counted in
   * `children_total`. 1 to 100000000; default 200.
   */
  max_chain_children?: number;
  /**
   * Files, connections, DNS queries and module loads listed per chain, each
   * (distinct targets first); the rest are counted in `*_total`. 1 to
   * 100000000; default 200.
   */
  max_chain_activity?: number;
  /** Inventory groups kept; new shapes beyond are counted in `stats.inventory_overflow`. 1 to 100000000; default 10000. */
  max_inventory?: number;
  /**
   * An event further than this ahead of its host's newest event is a clock
   * outlier: quarantined (it does not move the host's clock) until a second
   * event near its time confirms the jump. 60 to 3153600000; default 86400.
   */
  max_clock_jump_seconds?: number;
  /**
   * Points per reason id, replacing the defaults (-100 to 100; the ids are
   * listed in the project's docs/reasons.md). An unknown id is an error.
   */
  weights?: Record<string, number>;
  /** Known-good sources; every match shows as a reason with negative (or zero) points. */
  allow?: Allow;
  /** Known-good mshta invocations, as a report's `inventory` lists them. */
  baseline?: BaselineEntry[];
}

/**
 * Allowlists (ATT&CK AN1397's tunables). A match is a visible reason
 * (`allowlisted_parent`, `allowlisted_command_line`, ...), never a silently
 * dropped chain.
 */
export interface Allow {
  /** Parent images (full path or file name, any case). */
  parent_images?: string[];
  /** Regular expressions (regex-lite syntax, case-insensitive) over mshta's command line. */
  command_lines?: string[];
  /** Folders (path prefixes, any case) from which HTAs are known good. */
  hta_paths?: string[];
  /** Hosts: exact names, or `*.suffix`. */
  hosts?: string[];
  /** Internal networks in CIDR notation; connections there count as internal. */
  networks?: string[];
  /** Domains (and their subdomains) of known-good HTA servers and services. */
  domains?: string[];
}

/** One known-good invocation: an inventory group's shape and parent. */
export interface BaselineEntry {
  /** Normalised command line (`inventory[].shape`). */
  shape: string;
  /** Parent image file name, lower case (`inventory[].parent`). */
  parent: string;
  /** How often it was seen when the baseline was made (informational). */
  count?: number;
  /** On how many hosts (informational). */
  hosts?: number;
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
  /** Can this telemetry show a chain at all? Per host and overall. */
  coverage: CoverageReport;
  /** Every mshta execution seen, grouped by command-line shape and parent, for baselining. */
  inventory: InventoryEntry[];
}

/** The report's `coverage`. */
export interface CoverageReport {
  /** All hosts together (`host` is `*`). */
  overall: HostCoverage;
  /** Per host, by name. */
  hosts: HostCoverage[];
  /** Hosts beyond the per-host cap, counted in `overall` only. */
  hosts_not_listed: number;
}

/** Which event kinds arrived from one host (or all), and what they can show. */
export interface HostCoverage {
  /** Host name (lower case), or `*` for all hosts. */
  host: string;
  /** Process start events. */
  process_starts: number;
  /** Share (0 to 1) of process starts with an empty or missing command line. */
  empty_command_line_share: number;
  /** Share of process starts that name their parent. */
  parent_share: number;
  /** Share of process starts with a unique process id (GUID). */
  guid_share: number;
  /** Process end events. */
  process_ends: number;
  /** File creation events. */
  file_creates: number;
  /** Network connection events. */
  network: number;
  /** DNS query events. */
  dns: number;
  /** Script-engine and CLR module loads. */
  module_loads: number;
  /** Events per sensor schema. */
  sources: Record<string, number>;
  /** One verdict per telemetry need. */
  verdicts: Verdict[];
}

/** Whether the data can show one part of a chain. */
export interface Verdict {
  /** What a chain needs. */
  need: "process_command_lines" | "parent_lineage" | "file_creation" | "network" | "dns" | (string & {});
  /** `ok`, `partial` or `missing`. */
  status: "ok" | "partial" | "missing";
  /** One line saying what the data can and cannot show. */
  detail: string;
}

/** One group of mshta executions in the report's `inventory`. */
export interface InventoryEntry {
  /**
   * Normalised command line: lower case, the executable as `mshta`, user
   * names as `*`, GUIDs as `{guid}`, digit runs as `#`.
   */
  shape: string;
  /** Parent image file name, lower case (empty when unknown). */
  parent: string;
  /** Executions seen. */
  count: number;
  /** Distinct hosts (exact up to 50 names, then at least). */
  hosts: number;
  /** Up to 50 host names. */
  host_names: string[];
  /** First execution (RFC 3339, UTC). */
  first_seen: string;
  /** Last execution (RFC 3339, UTC). */
  last_seen: string;
  /** One real command line of the group. */
  example: string;
  /**
   * Highest score of a chain of this group (chains below `min_score`
   * included); `null` when none of its chains is in the report: evicted by
   * `max_chains`, or an mshta nested in another chain. A baseline must not
   * take `null` for a low score; after evictions (`stats.chains_evicted`)
   * it covers the chains kept only, and may be understated.
   */
  max_score: number | null;
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
  /** Whether activity may still join the chain. */
  status: ChainStatus;
  /** The mshta process. */
  root: Root;
  /** Ancestors above the root's parent, nearest first (up to 7). */
  lineage: Ancestor[];
  /**
   * All descendants of the root, in start order, and processes that ran a
   * file the chain wrote (`executed_file`).
   */
  children: ChildProcess[];
  /**
   * Files created by the root or a descendant, and the file the root's
   * command line ran if another process wrote it shortly before.
   */
  files: FileEvent[];
  /** Network connections by the root or a descendant. */
  network: NetworkEvent[];
  /** DNS queries by the root or a descendant. */
  dns: DnsEvent[];
  /** Script-engine and CLR modules loaded by the root or a descendant. */
  modules: ModuleEvent[];
  /** Why the chain scored what it did. */
  reasons: Reason[];
  /**
   * What to examine next, computed by the core from the chain's own evidence:
   * short imperative lines naming the content mshta ran, who started it, what
   * it started, where it connected and what it looked up, the files to
   * collect, and a reminder when a baseline or allowlist applied. `[]` in
   * JSON written before the field existed.
   */
  triage: string[];
  /** Members in all, those the per-chain cap left out of `children` included. */
  children_total: number;
  /** Files in all. */
  files_total: number;
  /** Connections in all. */
  network_total: number;
  /** DNS queries in all. */
  dns_total: number;
  /** Module loads in all. */
  modules_total: number;
  /** Whether a cap left items out: a list is then shorter than its total. */
  truncated: boolean;
}

/** A chain as one {@link Update} reports it: the chain and its version. */
export interface VersionedChain extends Chain {
  /** 1 when the chain first appears, then one more at each change. */
  version: number;
}

/**
 * Where an evidence item's event can be found: the input file it came from
 * (named with `Detector.setSource`, as the CLI does for each file) and its
 * log record number (`EventRecordID`, `winlog.record_id`). Each is left
 * out when unknown; the input index (`event`) is always there.
 */
export interface Located {
  /** The input file of the event, as `Detector.setSource` named it. */
  file?: string;
  /** The event's log record number (`EventRecordID`). */
  record_id?: number;
}

/** The mshta process a chain is about. */
export interface Root extends Located {
  /** Process id (0 when the telemetry gave only a GUID). */
  pid: number;
  /** Process GUID (Sysmon's, braced and lower case) or the source's unique process id. */
  process_guid: string | null;
  /** Full image path. */
  image: string;
  /** Command line, when the telemetry carries it. */
  command_line: string | null;
  /** `DOMAIN\user` the process ran as. */
  user: string | null;
  /** Start time (RFC 3339, UTC); for an inferred root, the first time it was seen. */
  time: string;
  /** End time (RFC 3339, UTC), when its end was seen. */
  end_time: string | null;
  /**
   * True when the root's own start event was not seen and the root was
   * inferred from its children's parent fields or from its activity.
   */
  inferred: boolean;
  /** The process that started mshta, when known. */
  parent: Parent | null;
  /** Input index of the root's (first) start event. */
  event: number | null;
  /** Input indexes of every start report merged into this process (one per sensor). */
  events: number[];
  /** Sensors that reported the start. */
  sources: Source[];
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

/** An ancestor of the root above its parent. */
export interface Ancestor {
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
export interface ChildProcess extends Located {
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
  /** Joined the chain because it runs a file a chain member wrote. */
  executed_file: boolean;
  /** Input index of its (first) start event. */
  event: number;
  /** Input indexes of every start report merged into this process. */
  events: number[];
}

/** A file created by a chain member (or dropped for the root to run). */
export interface FileEvent extends Located {
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
  /** How the file belongs to the chain. */
  relation: FileRelation;
  /** Input index. */
  event: number;
  /** The event's two clocks disagreed; `time` is the one consistent with the process's lifetime. Present only when true. */
  clock_skew?: boolean;
}

/** A network connection by a chain member. */
export interface NetworkEvent extends Located {
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
  /** Input index (of the preferred sensor's report when several reported it). */
  event: number;
  /** The event's two clocks disagreed; `time` is the one consistent with the process's lifetime. Present only when true. */
  clock_skew?: boolean;
  /** Input indexes of every report of this connection. */
  events: number[];
  /** Sensors that reported it. */
  sources: Source[];
}

/** A DNS query by a chain member. */
export interface DnsEvent extends Located {
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
  /** The event's two clocks disagreed; `time` is the one consistent with the process's lifetime. Present only when true. */
  clock_skew?: boolean;
}

/** A script-engine or CLR module loaded by a chain member. */
export interface ModuleEvent extends Located {
  /** Full path of the module. */
  path: string;
  /** Event time (RFC 3339, UTC). */
  time: string;
  /** Process id of the member. */
  pid: number | null;
  /** Image of the member. */
  image: string | null;
  /** Input index. */
  event: number;
  /** The event's two clocks disagreed; `time` is the one consistent with the process's lifetime. Present only when true. */
  clock_skew?: boolean;
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
  /**
   * Where the reason matched the root's command line, for highlighting:
   * `[start, end]` pairs of UTF-16 code-unit offsets into
   * `root.command_line` (`command_line.slice(start, end)` is the matched
   * text), sorted, not overlapping, at most 16. Absent when the reason did
   * not match the command line (and in JSON written before the field
   * existed).
   */
  spans?: [number, number][];
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
  /** Accepted activity events that name no process (no pid, no process id): valid, nothing to attribute them to. */
  unattributable: number;
  /** Accepted items per schema and shape (for example `sysmon_flat`). */
  by_schema: Record<string, number>;
  /** Process start reports seen. */
  processes: number;
  /** Start reports merged into a process another sensor reported. */
  merged_starts: number;
  /** mshta processes seen (roots and nested) among the retained processes. */
  mshta_processes: number;
  /** Chains found, before `min_score` filtering. */
  chains: number;
  /** Chains left out of `chains` for scoring below `min_score`. */
  chains_below_min_score: number;
  /** Chains closed (final) so far. */
  chains_closed: number;
  /** Closed chains dropped to respect `max_chains` (lowest score first). */
  chains_evicted: number;
  /**
   * Events older than the allowed lateness when they arrived: results that
   * depend on them may depend on arrival order.
   */
  late_events: number;
  /** Processes tracked now. */
  processes_tracked: number;
  /** Activity records held now. */
  activity_tracked: number;
  /** Processes dropped after their end passed the horizon. */
  processes_expired: number;
  /** Processes dropped to respect `max_processes` (oldest first). */
  processes_evicted: number;
  /** Activity records dropped after the horizon (not part of a chain). */
  activity_expired: number;
  /** Activity records dropped to respect `max_activity` (oldest first). */
  activity_evicted: number;
  /** Approximate bytes of retained state. */
  state_bytes: number;
  /** Chain members and activity left out of chains by the per-chain caps, or evicted from open chains by `max_processes`. */
  chain_items_dropped: number;
  /** mshta executions of new shapes not grouped because the inventory reached `max_inventory`. */
  inventory_overflow: number;
  /** Events quarantined as clock outliers (see `max_clock_jump_seconds`). */
  clock_outliers: number;
  /** Items read after a repair (lone surrogate, out-of-range number, bad numeric field), each listed in `warnings`. */
  repaired_items: number;
}

/** A rejected input item. */
export interface ItemError {
  /** Index of the item (array element or non-blank JSON line), from 0. */
  index: number;
  /** Why it was rejected. */
  reason: string;
  /** The input file of the item, as `Detector.setSource` named it (left out when none was). */
  file?: string;
}

/** What one `Detector.push` changed: counts for the batch and the chains it created or changed. */
export interface Update {
  /** Items in the batch (an unfinished last line counts in the push that completes it). */
  events: number;
  /** Items that decoded. */
  accepted: number;
  /** Items rejected (listed in the report's `errors`). */
  rejected: number;
  /**
   * The chains this batch created or changed, each with its new version;
   * in chain id order. Chains scoring below `min_score` are left out (a
   * chain announced earlier that falls below `min_score` is not announced
   * again: `report()` has its current state).
   */
  chains: VersionedChain[];
  /**
   * Ids of chains announced by an earlier Update that no longer exist: a
   * second sensor's report of the root (say Sysmon 1 after Security 4688)
   * merged them into another chain, announced in `chains`. Drop them.
   */
  retracted: string[];
}

/** @deprecated The old name of {@link Update} (its first three fields). */
export type PushSummary = Update;

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
 * A streaming detector: push batches in order (item indexes continue from
 * one batch to the next), then `finish` for the report. State is bounded
 * (see the `max_*` options) and can be saved with `snapshot` and continued
 * elsewhere, in any runtime, with `Detector.restore`.
 *
 * JSON Lines and objects one after another may be cut anywhere, even inside
 * a line or a UTF-8 character, when pushed as bytes: the unfinished end waits
 * for the next push. (A string must be cut between characters.) A JSON array
 * must come whole, in one push.
 */
/** The result of `Detector.baseline`. */
export interface Baseline {
  /** The config's own entries and the new known-good groups. */
  entries: BaselineEntry[];
  /** Inventory groups left out because none of their chains was scored (score unknown). */
  unknown: number;
}

export class Detector {
  /**
   * A new detector with the given options.
   * @throws Error when the options are invalid.
   */
  constructor(options?: Options);
  /**
   * Adds a batch; returns its counts and the chains it created or changed.
   * @throws TypeError for an input of another type; Error once freed.
   */
  push(input: Input): Update;
  /**
   * Ends the stream (reads an unfinished last line) and returns the report
   * over everything pushed, open and closed chains alike. May be called
   * more than once.
   */
  finish(): Report;
  /**
   * Names the input file the items pushed from now on come from
   * (`undefined` or `null`: none): evidence items and errors then carry
   * `file` beside their input index and log `record_id`.
   * @throws TypeError for a name that is not a string.
   */
  setSource(file?: string | null): void;
  /** The report as of now, without ending the stream (an unfinished line waits, with a warning). */
  report(): Report;
  /**
   * The baseline for a config, computed by the core with this detector's
   * own tuning: its config's entries plus the inventory groups whose chains
   * all scored below `below` (default 50), sorted by parent then shape.
   */
  baseline(below?: number): Baseline;
  /**
   * The detector's state, with the options it runs with (versioned,
   * checksummed bytes): restore it with `Detector.restore` in any runtime.
   */
  snapshot(): Uint8Array;
  /**
   * A detector continuing from a snapshot: without `options`, with the
   * options the snapshot was taken with; with `options`, with those instead.
   * @throws Error naming the problem for a truncated, corrupted or foreign
   *   snapshot, or for invalid options.
   */
  static restore(snapshot: Uint8Array | ArrayBuffer | ArrayBufferView, options?: Options): Detector;
  /**
   * Frees the WebAssembly memory now rather than at garbage collection; any
   * later call but `free` throws an Error ("this Detector was freed").
   */
  free(): void;
}

/** The version of the core the WebAssembly module was built from. */
export function version(): string;

/**
 * The host key (trimmed, ASCII letters lower case) under which the core
 * correlates one event: a JSON line (string or UTF-8 bytes) or the parsed
 * object, in any schema the core reads, decoded by the core itself. For
 * partitioning a stream by host (a chain never spans hosts). `undefined`
 * when the core files it under no host: not an event, rejected, ignored, or
 * a Defender streaming-API envelope whose records name several hosts (route
 * each record on its own then).
 *
 * @example
 * hostOf('{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS01.corp", ...}') // "ws01.corp"
 */
export function hostOf(event: string | Uint8Array | ArrayBuffer | ArrayBufferView | object): string | undefined;

// ---------------------------------------------------------------------------
// Output formats, written by the core (the same text as the CLI prints).

/** A format of {@link formatReport}: the CLI's `--format` names. */
export type OutputFormat = "json" | "ndjson" | "text" | "ocsf" | "ecs" | "ocsf-ndjson" | "ecs-ndjson";

/**
 * Options of {@link formatReport}: the product version written into OCSF and
 * ECS documents, and the text report's options (see `mshta-chain/text`).
 */
export interface FormatReportOptions {
  /** OCSF `metadata.product.version`, ECS `rule.version` and `observer.version`. Default: the core's version. */
  productVersion?: string;
  /** ANSI colours in the text report; only when exactly `true`. Default false. */
  color?: boolean;
  /** Items shown per list of the text report before "... and N more". Default 20. */
  maxItems?: number;
  /** Characters of a parent's or descendant's command line in the text report. Default 160. */
  maxCommandLine?: number;
  /** Characters of the root's command line in the text report. Default 2000. */
  maxRootCommandLine?: number;
}

/**
 * A report (or a Detector's Update, or any object with `chains`; or its JSON
 * text or bytes) written in one format, exactly as the CLI prints it:
 * `json` the whole report; `ndjson` one chain a line; `text` the readable
 * report (see `mshta-chain/text`); `ocsf` / `ecs` a JSON array of OCSF
 * Detection Findings / ECS alerts, `ocsf-ndjson` / `ecs-ndjson` one a line
 * (see `mshta-chain/formats`). Ends with a newline, but for NDJSON without
 * chains (""). Throws for an unknown format or a report it cannot read. The
 * runtime entries also export the functions of `mshta-chain/formats` and
 * `mshta-chain/text` (typed there).
 */
export function formatReport(
  report: Report | Update | { readonly chains: ReadonlyArray<Chain | VersionedChain> } | string | Uint8Array | null | undefined,
  format: OutputFormat,
  options?: FormatReportOptions,
): string;

/** The API that `init` resolves to and `initSync` returns. */
export interface Api {
  /** See {@link analyze}. */
  analyze: typeof analyze;
  /** See {@link Detector}. */
  Detector: typeof Detector;
  /** See {@link version}. */
  version: typeof version;
  /** See {@link hostOf}. */
  hostOf: typeof hostOf;
  /** See {@link formatReport}. */
  formatReport: typeof formatReport;
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

/**
 * The stable `code` of an `Error` the package throws: `MSHTA_CONFIG` (bad
 * options), `MSHTA_SNAPSHOT` (a snapshot that cannot be restored),
 * `MSHTA_FREED` (a Detector used after `free()`), `MSHTA_INPUT_TOO_LARGE`
 * (more than 1 GiB in one call, refused before anything is allocated) or
 * `MSHTA_TRAP` (the WebAssembly instance trapped: it was dropped and, in
 * Node, the module recreated; Detectors of the old instance are lost).
 */
export type ErrorCode = "MSHTA_CONFIG" | "MSHTA_SNAPSHOT" | "MSHTA_FREED" | "MSHTA_INPUT_TOO_LARGE" | "MSHTA_TRAP";

/** An error thrown by the package, with its {@link ErrorCode}. */
export interface MshtaError extends Error {
  code: ErrorCode;
}
