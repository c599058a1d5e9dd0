"use strict";
// `mshta-chain/evtx` for Node.js (CommonJS): the wasm-bindgen `nodejs` glue
// loads the raw-log reader's .wasm synchronously at require time, so the
// API is ready at once; `init` and `initSync` exist so code written for
// browsers runs unchanged.
const glue = require("./dist/evtx/node/mshta_chain_evtx.js");
const { createEvtxApi } = require("./dist/evtx-api.cjs");

const api = createEvtxApi(glue);

module.exports = {
  ...api,
  init: async () => api,
  initSync: () => api,
};
