// The viewer's one door to the package's formatters (OCSF, ECS, text,
// NDJSON, triage). The core writes them all (the same text as the CLI's
// `--format`), through the browser entry's `formatReport`; only the worker
// imports this file, after `await init()` of pkg/web.js, which the
// functions need. If their module or signatures change, this file is the
// one place to adapt.

import { formatReport, triage } from "../pkg/web.js";

const as = (format) => (report) => formatReport(report, format);

/** The export formats the viewer offers: file name, MIME type, and how to make the body. */
export const EXPORTS = {
  json: { file: "mshta-chain-report.json", type: "application/json", make: as("json") },
  ndjson: { file: "mshta-chain-chains.ndjson", type: "application/x-ndjson", make: as("ndjson") },
  ocsf: { file: "mshta-chain-ocsf.json", type: "application/json", make: as("ocsf") },
  ecs: { file: "mshta-chain-ecs.json", type: "application/json", make: as("ecs") },
  text: { file: "mshta-chain-report.txt", type: "text/plain", make: as("text") },
};

/**
 * The triage checklist of a chain: the core's `chain.triage` when the
 * report carries it (a report written before the field existed: the core
 * computes it from the chain).
 */
export function triageOf(chain, report) {
  if (Array.isArray(chain?.triage)) return chain.triage.map(String);
  return triage(chain, report);
}
