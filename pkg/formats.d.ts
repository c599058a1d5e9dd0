// Type declarations for `mshta-chain/formats`: OCSF 1.8.0 Detection
// Findings and ECS alert documents, one per chain, written by the core. In
// Node (src/formats.js) and in Deno and Workers the module is ready at
// import; in browsers the entry is the package's web.js: call its `init()`
// first (the constants are set then). The main entry exports the same names.

import type { Ancestor, Chain, ChildProcess, DnsEvent, FileEvent, ModuleEvent, NetworkEvent, Reason, Severity, VersionedChain } from "./index.js";

/** Options of {@link toOcsf} and {@link toEcs}. */
export interface FormatOptions {
  /** The product version written into the documents (OCSF `metadata.product.version`, ECS `rule.version`). Default {@link PRODUCT_VERSION}. */
  productVersion?: string;
}

/** What the converters read: a Report, a Detector's Update, or any object with `chains`. */
export interface ChainSource {
  readonly chains: ReadonlyArray<Chain | VersionedChain>;
}

/** The OCSF schema version of the findings: `"1.8.0"` (read from the core). */
export const OCSF_VERSION: "1.8.0";
/** The ECS version the alert documents follow. */
export const ECS_VERSION: string;
/** The core's version (the package's), written as the product version by default. */
export const PRODUCT_VERSION: string;

/** OCSF `severity_id` of a severity: 1 (informational) to 5 (critical); 0 (Unknown) for anything else. */
export function ocsfSeverityId(severity: Severity | string): 0 | 1 | 2 | 3 | 4 | 5;

/**
 * One OCSF 1.8.0 Detection Finding (class_uid 2004) per chain, in the
 * report's order. Fields without a value are left out.
 */
export function toOcsf(report: ChainSource | null | undefined, options?: FormatOptions): OcsfDetectionFinding[];

/**
 * One ECS alert document (`event.kind: "alert"`) per chain, in the report's
 * order; `mshta_chain` carries the whole chain.
 */
export function toEcs(report: ChainSource | null | undefined, options?: FormatOptions): EcsAlert[];

// ---------------------------------------------------------------------------
// OCSF

/** An OCSF file object. */
export interface OcsfFile {
  path: string;
  name?: string;
  /** 1: Regular File. */
  type_id: 1;
  type: "Regular File";
}

/** An OCSF user object (`DOMAIN\user` split). */
export interface OcsfUser {
  name?: string;
  domain?: string;
}

/** An OCSF process object. */
export interface OcsfProcess {
  pid?: number;
  /** The process GUID (Sysmon) or the source's unique process id. */
  uid?: string;
  name?: string;
  cmd_line?: string;
  /** Start, epoch milliseconds. */
  created_time?: number;
  /** End, epoch milliseconds (the root, when its end was seen). */
  terminated_time?: number;
  file?: OcsfFile;
  user?: OcsfUser;
  parent_process?: OcsfProcess;
}

/** What an evidence stands for, with the report's details that OCSF has no attribute for. */
export type OcsfEvidenceData =
  | { kind: "root"; inferred: boolean; events: number[]; sources: string[] }
  | { kind: "child"; depth: number; late: boolean; executed_file: boolean; events: number[] }
  | { kind: "network"; time: string; late: boolean; events: number[]; sources: string[] }
  | { kind: "dns"; time: string; late: boolean; events: number[] }
  | { kind: "file"; relation: string; time: string; late: boolean; events: number[] }
  | { kind: "module"; time: string; events: number[] };

/** One OCSF evidence artifact: the root, a child, a connection, a DNS query, a file or a module. */
export interface OcsfEvidence {
  /** The root (with `parent_process`) or a child process. */
  process?: OcsfProcess;
  /** The process that made the connection, query, file or module load. */
  actor?: { process: OcsfProcess };
  dst_endpoint?: { ip?: string; port?: number; hostname?: string };
  src_endpoint?: { ip?: string; port?: number };
  /** direction_id: 0 Unknown, 1 Inbound, 2 Outbound. */
  connection_info?: { direction_id: 0 | 1 | 2; direction: "Unknown" | "Inbound" | "Outbound" };
  query?: { hostname: string };
  file?: OcsfFile;
  data: OcsfEvidenceData;
}

/** An OCSF 1.8.0 Detection Finding for one chain. */
export interface OcsfDetectionFinding {
  class_uid: 2004;
  class_name: "Detection Finding";
  category_uid: 2;
  category_name: "Findings";
  /** 1 Create; 2 Update for a chain of an Update with `version` above 1. */
  activity_id: 1 | 2;
  activity_name: "Create" | "Update";
  /** class_uid * 100 + activity_id. */
  type_uid: 200401 | 200402;
  type_name: string;
  /** 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical (0 Unknown). */
  severity_id: 0 | 1 | 2 | 3 | 4 | 5;
  severity: "Unknown" | "Informational" | "Low" | "Medium" | "High" | "Critical";
  /** The root's start, epoch milliseconds. */
  time?: number;
  status_id: 1;
  status: "New";
  /** True from medium severity up. */
  is_alert: boolean;
  /** The chain's score, 0 to 100. */
  risk_score: number;
  /** 0 Info .. 4 Critical. */
  risk_level_id?: 0 | 1 | 2 | 3 | 4;
  risk_level?: "Info" | "Low" | "Medium" | "High" | "Critical";
  message: string;
  metadata: {
    version: "1.8.0";
    product: { name: "mshta-chain"; vendor_name: "mshta-chain"; version: string };
    /** The chain id. */
    uid: string;
  };
  finding_info: {
    /** The chain id. */
    uid: string;
    title: string;
    /** The root's command line, then one line per reason. */
    desc: string;
    analytic: { uid: "AN1397"; name: string; type_id: 1; type: "Rule" };
    attacks: Array<{
      technique: { uid: "T1218.005"; name: "Mshta" };
      tactic: { uid: "TA0005"; name: "Defense Evasion" };
    }>;
    /** Earliest and latest event time of the chain, epoch milliseconds. */
    first_seen_time?: number;
    last_seen_time?: number;
    /** Every input index the chain cites (`uid` is the index as a string), ascending. */
    related_events: Array<{ uid: string; type_uid?: number }>;
  };
  device: { hostname: string; type_id: 0; type: "Unknown" };
  /** The root first, then each child, connection, DNS query, file and module. */
  evidences: OcsfEvidence[];
  /** What OCSF has no attribute for: the reasons and the chain's own fields. */
  unmapped: {
    reasons: Reason[];
    score: number;
    severity: Severity;
    status?: string;
    technique?: string;
    analytic?: string;
    /** The chain's version, when converted from an Update. */
    version?: number;
    lineage: Ancestor[];
  };
}

// ---------------------------------------------------------------------------
// ECS

/** An ECS process (or parent) object. */
export interface EcsProcess {
  pid?: number;
  entity_id?: string;
  executable?: string;
  name?: string;
  command_line?: string;
  start?: string;
  end?: string;
  parent?: EcsProcess;
}

/** An ECS keyword array field of `threat`. */
interface EcsThreatEntry {
  id: string[];
  name: string[];
  reference: string[];
}

/** One ECS alert document for one chain. */
export interface EcsAlert {
  /** The root's start (RFC 3339). */
  "@timestamp"?: string;
  ecs: { version: string };
  message: string;
  tags: string[];
  event: {
    kind: "alert";
    category: ["process"];
    type: ["start"];
    action: string;
    /** The chain id. */
    id: string;
    module: string;
    dataset: string;
    provider: string;
    /** 1 (informational) to 5 (critical). */
    severity: number;
    /** The chain's score, 0 to 100. */
    risk_score: number;
    risk_score_norm: number;
    /** Earliest and latest event time of the chain. */
    start?: string;
    end?: string;
    /** The reason ids, comma separated. */
    reason?: string;
  };
  rule: { id: "AN1397"; name: string; description: string; reference: string; category: string; ruleset: string; version: string };
  threat: {
    framework: "MITRE ATT&CK";
    tactic: EcsThreatEntry;
    /** T1218, with T1218.005 (Mshta) as its subtechnique. */
    technique: EcsThreatEntry & { subtechnique: EcsThreatEntry };
  };
  host: { name?: string; hostname?: string };
  /** The root mshta process, with its parent. */
  process: EcsProcess;
  user?: { name?: string; domain?: string };
  related: { hosts?: string[]; ip?: string[]; user?: string[] };
  observer: { vendor: string; product: string; version: string };
  /** The whole chain, so nothing is lost. */
  mshta_chain: {
    id: string;
    score: number;
    severity: Severity;
    status?: string;
    version?: number;
    technique?: string;
    analytic?: string;
    root: { inferred: boolean; event: number | null; events: number[]; sources: string[]; user: string | null };
    lineage: Ancestor[];
    children: ChildProcess[];
    network: NetworkEvent[];
    dns: DnsEvent[];
    files: FileEvent[];
    modules: ModuleEvent[];
    reasons: Reason[];
  };
}
