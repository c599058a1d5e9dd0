"use strict";
// Node.js entry (CommonJS). The wasm-bindgen `nodejs` glue loads the .wasm
// synchronously at require time, so the API is ready at once; `init` and
// `initSync` exist so code written for browsers runs unchanged.
const gluePath = require.resolve("./dist/node/mshta_chain.js");
const glue = require(gluePath);
const { createApi, formatConstants } = require("./dist/api.cjs");

// After a WebAssembly trap: a fresh glue module is a fresh instance.
function recreate() {
  delete require.cache[gluePath];
  return require(gluePath);
}

const api = createApi(glue, undefined, recreate);

module.exports = {
  ...api,
  ...formatConstants(glue),
  init: async () => api,
  initSync: () => api,
};
