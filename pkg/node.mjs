// Node.js entry (ESM): the same module as the CommonJS entry.
import api from "./node.cjs";

export const { analyze, Detector, version, init, initSync } = api;
export default api;
