// The browser side of tests/runtimes/chromium.test.mjs: the package's
// browser entry (pkg/web.js), initialised with `await init()` (which
// fetches dist/web/mshta_chain_bg.wasm from the server), plus helpers.
import init, { analyze, Detector, version } from "../../../pkg/web.js";
import { ATTACKS, REALDATA_URL, concat, fromBase64, toBase64 } from "../common.mjs";

async function fetchBytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The real exports, fetched from the test server (it serves the repository at "/"). */
async function fetchAttack(name) {
  return fetchBytes(new URL(ATTACKS[name], REALDATA_URL));
}

async function fetchAllAttacks() {
  return concat(await Promise.all(Object.keys(ATTACKS).map(fetchAttack)));
}

window.mshtaTest = {
  ready: init().then(() => {
    document.getElementById("state").textContent = "ready";
    return version();
  }),
  analyze,
  Detector,
  version,
  fetchAttack,
  fetchAllAttacks,
  fromBase64,
  toBase64,
  names: Object.keys(ATTACKS),
};
