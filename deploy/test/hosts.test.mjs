// Routing by host (deploy/common/hosts.mjs over the package's hostOf, which
// is the core's host_of): for every schema, each event goes where its chain
// is. Run by scripts/test-deploy.sh as `node --test`.
//
// Inputs: every scenario of tests/scenarios, the real data of tests/data,
// and a generated corpus of every schema the corpus generator writes.
// For each input: route the lines, analyze each host's lines on their own,
// and check that (1) the chains are exactly those of one analyze, and (2)
// every event a chain of that one analyze names was routed to the chain's
// host.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { analyze, hostOf } from "mshta-chain";
import { UNROUTED, hostToken, router } from "../common/hosts.mjs";
import { comparable, corpus, deployDir } from "./helpers.mjs";

const { routeLines } = router(hostOf);
const repo = resolve(deployDir, "..");

/** Input indexes a chain names (`event`, `events` anywhere in it). */
function indexesOf(chain) {
  const out = new Set();
  JSON.stringify(chain, (k, v) => {
    if (k === "event" && Number.isInteger(v)) out.add(v);
    if (k === "events" && Array.isArray(v)) for (const i of v) if (Number.isInteger(i)) out.add(i);
    return v;
  });
  return out;
}

/** Checks one input; returns the schemas it held and which of them routed to a host. */
function check(name, text) {
  const routed = routeLines(text);
  const whole = analyze(routed.map((r) => r.line).join("\n") + "\n");
  const byHost = new Map();
  routed.forEach((r, i) => {
    if (!byHost.has(r.token)) byHost.set(r.token, []);
    byHost.get(r.token).push(i);
  });
  const found = new Map(); // chain id -> [token, chain]
  for (const [token, indexes] of byHost) {
    for (const chain of analyze(indexes.map((i) => routed[i].line).join("\n") + "\n").chains) {
      assert.ok(!found.has(chain.id), `${name}: chain ${chain.id} found under two hosts`);
      found.set(chain.id, [token, chain]);
    }
  }
  assert.deepEqual([...found.keys()].sort(), whole.chains.map((c) => c.id).sort(), `${name}: the chains of the hosts apart are those of one analyze`);
  for (const chain of whole.chains) {
    const [token, alone] = found.get(chain.id);
    assert.notEqual(token, UNROUTED, `${name}: chain ${chain.id} was computed from unrouted events`);
    assert.equal(comparable(alone), comparable(chain), `${name}: chain ${chain.id} differs when its host is analysed alone`);
    for (const i of indexesOf(chain)) {
      assert.equal(routed[i].token, token, `${name}: event ${i} of chain ${chain.id} (host ${chain.host}) was routed to ${routed[i].token}`);
      assert.equal(routed[i].token, hostToken(hostOf(routed[i].line)), `${name}: event ${i} routed under another token than its hostOf`);
    }
  }
  return { schemas: Object.keys(whole.stats.by_schema), chains: whole.chains.length };
}

test("hostOf is the host the core correlates an event under", () => {
  const line = readFileSync(join(repo, "tests/data/realdata/otrf/cmd_mshta_vbscript_execute_psh.jsonl"), "utf8")
    .split("\n")
    .find((l) => l.includes('"EventID":1,') || l.includes('"EventID":"1"'));
  assert.ok(line, "a Sysmon process start in the real data");
  const report = analyze(line + "\n");
  const key = hostOf(line);
  assert.equal(typeof key, "string");
  assert.equal(key, key.trim().toLowerCase());
  // A string, bytes and the parsed object give the same key.
  assert.equal(hostOf(new TextEncoder().encode(line)), key);
  assert.equal(hostOf(JSON.parse(line)), key);
  for (const chain of report.chains) assert.equal(chain.host.toLowerCase(), key);
  for (const none of ["", "not json", "[]", "{}", '{"EventID":1}']) assert.equal(hostOf(none), undefined, none);
});

test("every scenario and the real data: each event goes where its chain is", () => {
  let chains = 0;
  for (const file of readdirSync(join(repo, "tests/scenarios")).filter((f) => f.endsWith(".json")).sort()) {
    const scenario = JSON.parse(readFileSync(join(repo, "tests/scenarios", file), "utf8"));
    const events = scenario.events.map((e) => (typeof e === "string" ? e : JSON.stringify(e)));
    chains += check(file, events.join("\n") + "\n").chains;
  }
  for (const file of ["sample.jsonl", ...readdirSync(join(repo, "tests/data/realdata/otrf")).map((f) => `realdata/otrf/${f}`)]) {
    if (file.endsWith(".jsonl")) chains += check(file, readFileSync(join(repo, "tests/data", file), "utf8")).chains;
  }
  assert.ok(chains > 40, `the scenarios and the real data should hold chains (have ${chains})`);
});

test("a generated corpus of every schema: each event goes where its chain is", () => {
  const tmp = mkdtempSync(join(tmpdir(), "mshta-hosts-"));
  try {
    const text = corpus({ out: join(tmp, "corpus.jsonl"), events: 30_000, hosts: 40, seed: 21 }).toString("utf8");
    const { schemas, chains } = check("corpus", text);
    assert.ok(chains > 5, `the corpus should hold chains (has ${chains})`);
    // Every schema the core read in it names hosts that route (none lands wholly under UNROUTED).
    const routedSchemas = new Set();
    for (const { token, line } of routeLines(text)) {
      if (routedSchemas.size === schemas.length) break;
      if (token === UNROUTED) continue;
      for (const schema of Object.keys(analyze(line + "\n").stats.by_schema)) routedSchemas.add(schema);
    }
    assert.ok(schemas.length >= 10, `the corpus should mix schemas (has ${schemas.join(", ")})`);
    assert.deepEqual(schemas.filter((s) => !routedSchemas.has(s)), [], "schemas none of whose events routed to a host");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
