// Type-level tests of the hand-written declarations (pkg/index.d.ts and
// pkg/text.d.ts): checked with `tsc -p tests/js/tsconfig.json`, never run.
// Lines marked @ts-expect-error must fail to type-check, or tsc reports them.

import init, {
  analyze,
  Detector,
  initSync,
  version,
  init as namedInit,
  type Api,
  type Chain,
  type ChildProcess,
  type DnsEvent,
  type FileEvent,
  type ItemError,
  type NetworkEvent,
  type Options,
  type Parent,
  type PushSummary,
  type Reason,
  type Report,
  type Root,
  type Severity,
  type Stats,
} from "mshta-chain";
import { formatNdjson, formatText, severityRank, imageName, type TextOptions } from "mshta-chain/text";

// Every accepted input type.
const options: Options = { window_seconds: 300, min_score: 50, max_errors: 10 };
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
const summary: PushSummary = detector.push("");
const counts: number = summary.events + summary.accepted + summary.rejected;
const streamed: Report = detector.finish();
detector.free();
new Detector().free();

// Walking a report touches every type and field.
function describe(report: Report): string[] {
  const out: string[] = [];
  const stats: Stats = report.stats;
  const schemas: Record<string, number> = stats.by_schema;
  const totals: number[] = [
    stats.events, stats.accepted, stats.rejected, stats.ignored, stats.processes,
    stats.mshta_processes, stats.chains, stats.chains_below_min_score,
    ...Object.values(schemas),
  ];
  out.push(String(totals.reduce((a, b) => a + b, 0)));
  for (const chain of report.chains) {
    const c: Chain = chain;
    const severity: Severity = c.severity;
    const technique: "T1218.005" = c.technique;
    const analytic: "AN1397" = c.analytic;
    out.push(`${c.id} ${c.host} ${c.score} ${severity} ${technique} ${analytic}`);
    const root: Root = c.root;
    const pid: number = root.pid;
    const cmd: string = root.command_line ?? "";
    const user: string | null = root.user;
    const guid: string | null = root.process_guid;
    const rootEvent: number | null = root.event;
    const inferred: boolean = root.inferred;
    out.push(`${pid} ${root.image} ${cmd} ${user} ${guid} ${root.time} ${rootEvent} ${inferred}`);
    const parent: Parent | null = root.parent;
    if (parent !== null) {
      const parentPid: number | null = parent.pid;
      out.push(`${parentPid} ${parent.image} ${parent.command_line} ${parent.process_guid}`);
    }
    for (const child of c.children) {
      const p: ChildProcess = child;
      const depth: number = p.depth;
      const late: boolean = p.late;
      out.push(`${p.pid} ${p.parent_pid} ${p.image} ${p.command_line} ${p.time} ${depth} ${late} ${p.event} ${p.process_guid}`);
    }
    for (const f of c.files) {
      const file: FileEvent = f;
      out.push(`${file.path} ${file.time} ${file.pid} ${file.image} ${file.late} ${file.event}`);
    }
    for (const n of c.network) {
      const net: NetworkEvent = n;
      const direction: "outbound" | "inbound" | "unknown" = net.direction;
      const port: number | null = net.dst_port;
      out.push(`${net.dst_ip}:${port} ${net.dst_host} ${net.src_ip}:${net.src_port} ${direction} ${net.time} ${net.pid} ${net.image} ${net.late} ${net.event}`);
    }
    for (const d of c.dns) {
      const dns: DnsEvent = d;
      out.push(`${dns.query} ${dns.time} ${dns.pid} ${dns.image} ${dns.late} ${dns.event}`);
    }
    for (const r of c.reasons) {
      const reason: Reason = r;
      const events: number[] = reason.events;
      out.push(`${reason.points} ${reason.id} ${reason.detail} ${events.join(",")}`);
    }
    // @ts-expect-error severities are a closed set
    const wrong: Severity = "severe";
    out.push(wrong);
    // @ts-expect-error nullable fields must be narrowed before use
    out.push(root.command_line.trim());
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

export { describe, start, counts, text, ndjson, rank, name };
