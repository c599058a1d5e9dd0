// Type-level tests of the hand-written declarations (pkg/index.d.ts and
// pkg/text.d.ts): checked with `tsc -p tests/js/tsconfig.json`, never run.
// Lines marked @ts-expect-error must fail to type-check, or tsc reports them.

import init, {
  analyze,
  Detector,
  formatReport,
  type FormatReportOptions,
  type OutputFormat,
  initSync,
  version,
  hostOf,
  init as namedInit,
  type Allow,
  type Ancestor,
  type Api,
  type BaselineEntry,
  type CoverageReport,
  type HostCoverage,
  type InventoryEntry,
  type Verdict,
  type Chain,
  type ChainStatus,
  type ChildProcess,
  type DnsEvent,
  type FileEvent,
  type FileRelation,
  type ItemError,
  type ModuleEvent,
  type NetworkEvent,
  type Options,
  type Parent,
  type PushSummary,
  type Reason,
  type Report,
  type Root,
  type Severity,
  type Source,
  type Stats,
  type Update,
  type VersionedChain,
} from "mshta-chain";
import { formatNdjson, formatText, severityRank, imageName, triage, type TextOptions } from "mshta-chain/text";
import {
  toEcs,
  toOcsf,
  ocsfSeverityId,
  OCSF_VERSION,
  type EcsAlert,
  type FormatOptions,
  type OcsfDetectionFinding,
  type OcsfEvidence,
} from "mshta-chain/formats";

// Every accepted input type.
const options: Options = { window_seconds: 300, min_score: 50, max_errors: 10 };
const bounded: Options = {
  lateness_seconds: 60,
  max_processes: 1000,
  max_activity: 1000,
  max_chains: 10,
  max_item_bytes: 65536,
};
const defaultLateness: Options = { lateness_seconds: null };
const allow: Allow = { parent_images: ["explorer.exe"], networks: ["10.0.0.0/8"], domains: ["corp.example"] };
const known: BaselineEntry = { shape: 'mshta "c:\\program files\\x\\a.hta"', parent: "explorer.exe" };
const tuned: Options = { weights: { parent_explorer: 0 }, allow, baseline: [known, { ...known, count: 3, hosts: 2 }] };
// @ts-expect-error allowlists are lists of strings
const badAllow: Options = { allow: { hosts: "build01" } };
const fromString: Report = analyze('{"EventID": 1}\n', options);
const fromBytes: Report = analyze(new Uint8Array([0x7b, 0x7d]));
const fromBuffer: Report = analyze(new ArrayBuffer(0));
const fromView: Report = analyze(new DataView(new ArrayBuffer(0)));
const fromObjects: Report = analyze([{ EventID: 1 }, { EventID: 3 }], {});
// @ts-expect-error a number is not an input
analyze(42);
// @ts-expect-error unknown option keys are rejected
analyze("", { min_scor: 3 });
// @ts-expect-error option values are numbers
analyze("", { window_seconds: "600" });

// The streaming detector.
const detector = new Detector({ min_score: 25 });
const update: Update = detector.push("");
const counts: number = update.events + update.accepted + update.rejected;
const versions: number[] = update.chains.map((c: VersionedChain) => c.version);
const changed: Chain[] = update.chains;
const retracted: string[] = update.retracted;
const legacy: PushSummary = detector.push(new Uint8Array(0));
const partial: Report = detector.report();
const snapshot: Uint8Array = detector.snapshot();
const restored: Detector = Detector.restore(snapshot, bounded);
const restoredDefault: Detector = Detector.restore(new Uint8Array(snapshot).buffer);
restoredDefault.push(legacy.chains.length > 0 ? "{}" : "");
detector.setSource("a.evtx");
detector.setSource(undefined);
detector.setSource(null);
// @ts-expect-error a file name is a string
detector.setSource(1);
const streamed: Report = detector.finish();
const where: [string | undefined, number | undefined] = [streamed.chains[0]?.root.file, streamed.chains[0]?.root.record_id];
const errorFile: string | undefined = streamed.errors[0]?.file;
detector.free();
restored.free();
new Detector(defaultLateness).free();
// @ts-expect-error restore is static
detector.restore(snapshot);
// @ts-expect-error a snapshot is bytes, not text
Detector.restore("snapshot");
// @ts-expect-error a report's chains carry no version
const noVersion: number = partial.chains[0]!.version;

// Walking a report touches every type and field.
function describe(report: Report): string[] {
  const out: string[] = [];
  const stats: Stats = report.stats;
  const schemas: Record<string, number> = stats.by_schema;
  const totals: number[] = [
    stats.events, stats.accepted, stats.rejected, stats.ignored, stats.processes,
    stats.merged_starts, stats.mshta_processes, stats.chains, stats.chains_below_min_score,
    stats.chains_closed, stats.chains_evicted, stats.late_events, stats.processes_tracked,
    stats.activity_tracked, stats.processes_expired, stats.processes_evicted,
    stats.activity_expired, stats.activity_evicted, stats.state_bytes,
    ...Object.values(schemas),
  ];
  out.push(String(totals.reduce((a, b) => a + b, 0)));
  for (const chain of report.chains) {
    const c: Chain = chain;
    const severity: Severity = c.severity;
    const technique: "T1218.005" = c.technique;
    const analytic: "AN1397" = c.analytic;
    const status: ChainStatus = c.status;
    const open: boolean = status === "open";
    out.push(`${c.id} ${c.host} ${c.score} ${severity} ${technique} ${analytic} ${status} ${open}`);
    const root: Root = c.root;
    const pid: number = root.pid;
    const cmd: string = root.command_line ?? "";
    const user: string | null = root.user;
    const guid: string | null = root.process_guid;
    const rootEvent: number | null = root.event;
    const inferred: boolean = root.inferred;
    const ended: string | null = root.end_time;
    const starts: number[] = root.events;
    const sensors: Source[] = root.sources;
    const known: Source = "sysmon";
    const future: Source = "some_new_sensor";
    out.push(`${pid} ${root.image} ${cmd} ${user} ${guid} ${root.time} ${rootEvent} ${inferred} ${ended} ${starts.join(",")} ${sensors.join("+")} ${known} ${future}`);
    for (const a of c.lineage) {
      const ancestor: Ancestor = a;
      const ancestorPid: number | null = ancestor.pid;
      out.push(`${ancestorPid} ${ancestor.image} ${ancestor.command_line} ${ancestor.process_guid}`);
    }
    const parent: Parent | null = root.parent;
    if (parent !== null) {
      const parentPid: number | null = parent.pid;
      out.push(`${parentPid} ${parent.image} ${parent.command_line} ${parent.process_guid}`);
    }
    for (const child of c.children) {
      const p: ChildProcess = child;
      const depth: number = p.depth;
      const late: boolean = p.late;
      const ranDrop: boolean = p.executed_file;
      const childEvents: number[] = p.events;
      out.push(`${p.pid} ${p.parent_pid} ${p.image} ${p.command_line} ${p.time} ${depth} ${late} ${p.event} ${p.process_guid} ${ranDrop} ${childEvents.length}`);
    }
    for (const f of c.files) {
      const file: FileEvent = f;
      const relation: FileRelation = file.relation;
      out.push(`${file.path} ${file.time} ${file.pid} ${file.image} ${file.late} ${file.event} ${relation}`);
    }
    for (const n of c.network) {
      const net: NetworkEvent = n;
      const direction: "outbound" | "inbound" | "unknown" = net.direction;
      const port: number | null = net.dst_port;
      const reports: number[] = net.events;
      const netSources: Source[] = net.sources;
      out.push(`${net.dst_ip}:${port} ${net.dst_host} ${net.src_ip}:${net.src_port} ${direction} ${net.time} ${net.pid} ${net.image} ${net.late} ${net.event} ${reports.length} ${netSources.length}`);
    }
    for (const d of c.dns) {
      const dns: DnsEvent = d;
      out.push(`${dns.query} ${dns.time} ${dns.pid} ${dns.image} ${dns.late} ${dns.event}`);
    }
    for (const m of c.modules) {
      const module: ModuleEvent = m;
      out.push(`${module.path} ${module.time} ${module.pid} ${module.image} ${module.event}`);
    }
    for (const r of c.reasons) {
      const reason: Reason = r;
      const events: number[] = reason.events;
      out.push(`${reason.points} ${reason.id} ${reason.detail} ${events.join(",")}`);
    }
    // @ts-expect-error severities are a closed set
    const wrong: Severity = "severe";
    out.push(wrong);
    // @ts-expect-error statuses are a closed set
    const pending: ChainStatus = "pending";
    out.push(pending);
    // @ts-expect-error file relations are a closed set
    const moved: FileRelation = "moved";
    out.push(moved);
    // @ts-expect-error nullable fields must be narrowed before use
    out.push(root.command_line.trim());
  }
  const coverage: CoverageReport = report.coverage;
  for (const host of [coverage.overall, ...coverage.hosts]) {
    const h: HostCoverage = host;
    const shares: number = h.empty_command_line_share + h.parent_share + h.guid_share;
    out.push(`${h.host} ${h.process_starts} ${shares} ${h.process_ends} ${h.file_creates} ${h.network} ${h.dns} ${h.module_loads} ${Object.keys(h.sources)}`);
    for (const v of h.verdicts) {
      const verdict: Verdict = v;
      const status: "ok" | "partial" | "missing" = verdict.status;
      out.push(`${verdict.need} ${status} ${verdict.detail}`);
    }
  }
  out.push(String(coverage.hosts_not_listed));
  for (const entry of report.inventory) {
    const i: InventoryEntry = entry;
    const asBaseline: BaselineEntry = { shape: i.shape, parent: i.parent, count: i.count, hosts: i.hosts };
    const maxScore: number | null = i.max_score;
    // @ts-expect-error max_score may be null (none of the group's chains is in the report)
    const alwaysKnown: number = i.max_score;
    out.push(`${asBaseline.shape} ${i.host_names.join(",")} ${i.first_seen} ${i.last_seen} ${i.example} ${maxScore} ${alwaysKnown}`);
  }
  for (const e of report.errors) {
    const error: ItemError = e;
    out.push(`${error.index}: ${error.reason}`);
  }
  out.push(...report.warnings);
  return out;
}

// Initialisation, named and default.
async function start(bytes: Uint8Array): Promise<string> {
  const api: Api = await init();
  const again: Api = await namedInit(new URL("https://example.test/mshta_chain_bg.wasm"));
  const fromBytes: Api = await init(bytes);
  const sync: Api = initSync(bytes);
  const compiled: Api = initSync(new WebAssembly.Module(new Uint8Array(bytes)));
  const report: Report = api.analyze("", { min_score: 0 });
  const d = new again.Detector();
  d.push([]);
  return `${version()} ${sync.version()} ${compiled.version()} ${fromBytes.version()} ${report.chains.length} ${d.finish().stats.events}`;
}

// The text module.
const textOptions: TextOptions = { color: false, maxItems: 5, maxCommandLine: 80, maxRootCommandLine: 500 };
const text: string = formatText(fromString, textOptions) + formatText(fromBytes);
const ndjson: string = formatNdjson(fromObjects);
const rank: number = severityRank("critical") + severityRank(fromBuffer.chains[0]?.severity ?? "low");
const name: string = imageName(fromView.chains[0]?.root.parent?.image);
// @ts-expect-error color is a boolean
formatText(streamed, { color: "yes" });
const checklist: string[] = streamed.chains[0] ? triage(streamed.chains[0], streamed) : [];

// The SOC formats.
const formatOptions: FormatOptions = { productVersion: "1.2.3" };
const findings: OcsfDetectionFinding[] = toOcsf(streamed, formatOptions);
const fromUpdate: OcsfDetectionFinding[] = toOcsf(update);
for (const f of findings) {
  const classUid: 2004 = f.class_uid;
  const severityId: number = f.severity_id;
  const time: number | undefined = f.time;
  const uid: string = f.finding_info.uid;
  const technique: "T1218.005" = f.finding_info.attacks[0]!.technique.uid;
  const evidences: OcsfEvidence[] = f.evidences;
  const kinds: string[] = evidences.map((e) => e.data.kind);
  const version: "1.8.0" = OCSF_VERSION;
  out(`${classUid} ${severityId} ${time} ${uid} ${technique} ${kinds} ${version} ${f.risk_score} ${f.device.hostname}`);
  // @ts-expect-error class_uid is always 2004
  const other: 1007 = f.class_uid;
  out(String(other));
}
const alerts: EcsAlert[] = toEcs({ chains: streamed.chains });
for (const a of alerts) {
  const kind: "alert" = a.event.kind;
  const sub: string[] = a.threat.technique.subtechnique.id;
  out(`${a["@timestamp"]} ${kind} ${sub} ${a.process.pid} ${a.process.parent?.executable} ${a.mshta_chain.children.length} ${a.rule.id}`);
}
const sevId: number = ocsfSeverityId("critical");

// Every format through the main entry: the CLI's names, the text's and the documents' options.
const reportOptions: FormatReportOptions = { productVersion: "1.2.3", color: true, maxItems: 5 };
const formats: OutputFormat[] = ["json", "ndjson", "text", "ocsf", "ecs", "ocsf-ndjson", "ecs-ndjson"];
const written: string = formats.map((f) => formatReport(streamed, f, reportOptions)).join("") + formatReport(update, "ocsf-ndjson");
const fromText: string = formatReport('{"chains": []}', "ecs") + formatReport(null, "ndjson");
// @ts-expect-error not a format
formatReport(streamed, "xml");
// @ts-expect-error color is a boolean
formatReport(streamed, "text", { color: "yes" });
// @ts-expect-error the converters take an object with chains
toEcs("report");
function out(_: string): void {}

export { describe, start, counts, versions, changed, retracted, streamed, where, errorFile, text, ndjson, rank, name, noVersion, tuned, badAllow, checklist, fromUpdate, sevId, written, fromText };

// hostOf: a host key or undefined, from a line, bytes or a parsed event.
const hostKey: string | undefined = hostOf('{"EventID":1}');
hostOf(new Uint8Array(0));
hostOf({ EventID: 1 });
// @ts-expect-error a host key may be undefined
const mustBeString: string = hostOf("{}");
void hostKey;
void mustBeString;
