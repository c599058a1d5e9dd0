"use strict";
// Node.js entry (CommonJS). The wasm-bindgen `nodejs` glue loads the .wasm
// synchronously at require time, so the API is ready at once; `init` and
// `initSync` exist so code written for browsers runs unchanged.
const glue = require("./dist/node/mshta_chain.js");
const { createApi, formatConstants } = require("./dist/api.cjs");

const api = createApi(glue);

module.exports = {
  ...api,
  ...formatConstants(glue),
  init: async () => api,
  initSync: () => api,
};
