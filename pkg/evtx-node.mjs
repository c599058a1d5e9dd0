// `mshta-chain/evtx` for Node.js (ESM): the same module as the CommonJS entry.
import api from "./evtx-node.cjs";

export const { EvtxReader, createEvtxReader, readRawLog, sniff, version, init, initSync } = api;
export default init;
