// The viewer's one door to the package's formatters (OCSF, ECS, text,
// NDJSON, triage). Only the worker imports it, after `await init()` of
// pkg/web.js, because these functions may come to need the WebAssembly
// module initialised (they are moving into the core). If their module or
// signatures change, this file is the one place to adapt.
//
// Namespace imports: a formatter missing from a build (e.g. `triage` once
// the core puts the checklist into `chain.triage`) makes that one export
// unavailable instead of breaking the whole worker at link time.

import * as formats from "../pkg/src/formats.js";
import * as text from "../pkg/src/text.js";

/** The export formats the viewer offers: file name, MIME type, and how to make the body. */
export const EXPORTS = {
  json: { file: "mshta-chain-report.json", type: "application/json", make: (report) => JSON.stringify(report, null, 2) + "\n" },
  ndjson: { file: "mshta-chain-chains.ndjson", type: "application/x-ndjson", make: (report) => text.formatNdjson(report) },
  ocsf: { file: "mshta-chain-ocsf.json", type: "application/json", make: (report) => JSON.stringify(formats.toOcsf(report), null, 2) + "\n" },
  ecs: { file: "mshta-chain-ecs.json", type: "application/json", make: (report) => JSON.stringify(formats.toEcs(report), null, 2) + "\n" },
  text: { file: "mshta-chain-report.txt", type: "text/plain", make: (report) => text.formatText(report) },
};

/**
 * The triage checklist of a chain: the core's `chain.triage` when the
 * report carries it, else the package's JS checklist, else none.
 */
export function triageOf(chain, report) {
  if (Array.isArray(chain?.triage)) return chain.triage.map(String);
  if (typeof text.triage === "function") return text.triage(chain, report);
  return [];
}
