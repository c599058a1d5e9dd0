// One suite for both CLIs: every case of cases.json runs through the npm
// CLI (node pkg/bin/mshta-chain.mjs) and the native one
// (target/release/mshta-chain) from the repository root, with the same
// arguments and stdin, and must give the same stdout, stderr and exit
// status byte for byte, and the status the case expects. Needs both built
// (bash scripts/build.sh builds both); run: node --test tests/cli/
//
// One number may differ and is masked in both outputs before comparing:
// `stats.state_bytes`, the detector's estimate of its own memory, counts
// record sizes (`size_of`) that are smaller in wasm32 than in a 64-bit
// native build. Everything else must be the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("../..", import.meta.url));
const native = process.env.MSHTA_CHAIN_NATIVE ?? join(root, "target/release/mshta-chain");
const npm = [join(root, "pkg/bin/mshta-chain.mjs")];
const { cases } = JSON.parse(readFileSync(new URL("cases.json", import.meta.url), "utf8"));

function run(command, args, stdin) {
  const r = spawnSync(command, args, {
    cwd: root,
    input: stdin === undefined ? "" : readFileSync(join(root, stdin)),
    maxBuffer: 256 * 1024 * 1024,
    // No terminal: no progress, no colour; the same environment for both.
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
}

test("the native CLI is built", () => {
  assert.ok(existsSync(native), `${native} is missing: run bash scripts/build.sh`);
});

for (const c of cases) {
  test(`both CLIs: ${c.name}`, () => {
    const js = run(process.execPath, [...npm, ...c.args], c.stdin);
    const rs = run(native, c.args, c.stdin);
    assert.equal(js.status, c.status, `npm CLI status (stderr: ${js.stderr})`);
    assert.equal(rs.status, c.status, `native CLI status (stderr: ${rs.stderr})`);
    assert.equal(rs.stderr, js.stderr, "stderr");
    assert.equal(rs.stdout, js.stdout, "stdout");
    if (c.status === 0 && c.args[0] !== "--help" && c.args[1] !== "-h" && c.args[0] !== "--version") {
      assert.ok(js.stdout.length > 0 || c.args.some((a) => a.includes("ndjson")), "output expected");
    } else if (c.status === 2) {
      assert.match(js.stderr, /^mshta-chain: [^\n]+\n$/, "one line on stderr");
      assert.equal(js.stdout, "");
    }
  });
}
