// `init()` and `initSync()` of the browser entries (web.js, evtx.js): load
// a wasm-bindgen "web" module once (a failed load may be retried), run the
// entry's own set-up, and resolve to its API. One place for what both
// entries did alike.

/**
 * @param {(input?: object) => Promise<unknown>} initWasm the glue's default export
 * @param {(input: object) => unknown} initWasmSync the glue's `initSync`
 * @param {() => void} onReady the entry's set-up once the module is loaded
 * @param {object} api what `init` resolves to and `initSync` returns
 */
export function loader(initWasm, initWasmSync, onReady, api) {
  let ready = false;
  let loading = null;
  const done = () => {
    if (!ready) {
      onReady();
      ready = true;
    }
    return api;
  };
  /** Loads the WebAssembly module once (from a URL, Response, bytes or Module; by default next to the entry); resolves to the API. */
  function init(source) {
    loading ??= initWasm(source === undefined ? undefined : { module_or_path: source }).then(done, (error) => {
      loading = null; // let a later call retry
      throw error;
    });
    return loading;
  }
  /** Loads the WebAssembly module synchronously from bytes or a compiled module. */
  function initSync(module) {
    if (!ready) {
      initWasmSync({ module });
      done();
    }
    return api;
  }
  return { init, initSync, isReady: () => ready };
}
