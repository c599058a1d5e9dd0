// Node.js entry (ESM): the same module as the CommonJS entry. The default
// export is `init`, as in every other runtime (here it resolves at once).
import api from "./node.cjs";

export const {
  analyze,
  Detector,
  version,
  hostOf,
  init,
  initSync,
  formatReport,
  toOcsf,
  toEcs,
  ocsfSeverityId,
  formatText,
  formatNdjson,
  triage,
  severityRank,
  imageName,
  OCSF_VERSION,
  ECS_VERSION,
  PRODUCT_VERSION,
} = api;
export default init;
