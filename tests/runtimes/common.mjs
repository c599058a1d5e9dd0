// Shared by the cross-runtime tests: where the real data is and what each
// real export holds. Plain ESM with no static imports, so Node, Deno and
// browsers can all load it. The real data is part of the repository:
// tests/data/realdata (sources and licences in tests/data/README.md).

// Node's file API, only under Node (Deno has its own; browsers fetch).
const nodeFs =
  typeof Deno === "undefined" && typeof process !== "undefined" && process.versions?.node
    ? await import("node:fs")
    : null;

/** The real attack exports (OTRF Security-Datasets), relative to tests/data/realdata. */
export const ATTACKS = {
  getobject: "otrf/cmd_mshta_javascript_getobject_sct.jsonl",
  vbscript: "otrf/cmd_mshta_vbscript_execute_psh.jsonl",
  hta: "otrf/psh_mshta_html_application_execution.jsonl",
};

/** What each export holds (see tests/data/README.md). */
export const EXPECTED = {
  getobject: { pid: 10076, children: ["calc.exe"] },
  vbscript: { pid: 10980, children: ["powershell.exe", "conhost.exe"] },
  hta: { pid: 9160, children: ["cmd.exe", "conhost.exe", "calc.exe"] },
};

/** The repository's root and the real data folder, as file URLs. */
export const REPO_URL = new URL("../../", import.meta.url);
export const REALDATA_URL = new URL("tests/data/realdata/", REPO_URL);

/** The bytes of a real export, read with Node's or Deno's file API. */
export function attackBytes(name) {
  const url = new URL(ATTACKS[name], REALDATA_URL);
  if (typeof Deno !== "undefined") return Deno.readFileSync(url);
  if (nodeFs) return new Uint8Array(nodeFs.readFileSync(url));
  throw new Error("attackBytes: no file API here (fetch the export instead)");
}

/** Concatenates byte arrays. */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A byte offset 40 bytes before the end of the line at `fraction` of `bytes`. */
export function cutInsideLine(bytes, fraction) {
  const nl = bytes.indexOf(0x0a, Math.floor(bytes.length * fraction));
  return nl - 40;
}

/** The file name of a Windows path, lower case. */
export const base = (path) => String(path).split("\\").pop().toLowerCase();

/** Base64 of bytes, and back (no Node Buffer, no atob limits on large input). */
export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
