// Type declarations for `mshta-chain/text`: plain-text and NDJSON renderings
// of a report and the triage checklist of a chain, written by the core. In
// Node (src/text.js) and in Deno and Workers the module is ready at import;
// in browsers the entry is the package's web.js: call its `init()` first.
// The main entry exports the same names.

import type { Chain, Report, Severity } from "./index.js";

/** Options of {@link formatText}. */
export interface TextOptions {
  /** ANSI colours (severity tags, headings); only when exactly `true`. Default false. */
  color?: boolean;
  /** Items shown per list (processes, network, dns, files, modules, reasons, errors) before "... and N more". Default 20. */
  maxItems?: number;
  /** Characters of a parent's or descendant's command line before it is cut. Default 160. */
  maxCommandLine?: number;
  /** Characters of the root's command line before it is cut. Default 2000. */
  maxRootCommandLine?: number;
}

/**
 * Renders a report as readable plain text: a header with counts, one block
 * per chain (severity, score, host, root, command line, user, parent, the
 * ancestors above it, open/closed status, the process tree, network, DNS,
 * files, script-engine modules, the reasons with their points, and a triage
 * checklist: see {@link triage}), then the rejected items, the warnings, the
 * inventory count and the coverage section (the overall verdicts, each one
 * not `ok` with its detail, and the hosts with gaps). Control characters
 * from the telemetry are shown escaped. Ends with a newline.
 */
export function formatText(report: Report, options?: TextOptions): string;

/**
 * The triage checklist of one chain, as short imperative lines: the content
 * mshta ran (URLs and UNC paths to retrieve, inline script to decode, the
 * local file to collect), the parent to check, the shells and LOLBins it
 * started to review, the connections to block or inspect, the DNS names to
 * hunt for, the files to collect (Startup folder persistence first), and,
 * from `report.coverage`, the telemetry its host lacks ("no network
 * telemetry from this host: ask for Sysmon 3 ..."). Raw values: not escaped.
 */
export function triage(chain: Chain, report?: Pick<Report, "coverage"> | null): string[];

/** One JSON line per chain, each ending in "\n"; the empty string when there are no chains. */
export function formatNdjson(report: Report): string;

/** The rank of a severity, from 0 (`informational`) to 4 (`critical`); -1 for anything else. */
export function severityRank(severity: Severity | string): number;

/** The file name of a Windows or POSIX path (`C:\Windows\System32\mshta.exe` -> `mshta.exe`); "?" when empty. */
export function imageName(path: string | null | undefined): string;
