import { readFileSync } from "node:fs";
import { analyze, Detector } from "mshta-chain";
import { routeLines, partitionOf } from "./common/hosts.mjs";
const P = 6, FLUSH = Number(process.argv[3] ?? 5000);
const text = readFileSync(process.argv[2], "utf8");
const report = analyze(text);
const strip = (c) => JSON.stringify(c, (k, v) => (k === "event" || k === "events" || k === "version" || k==="status") ? undefined : v);
function compare(name, chains) {
  const want = new Map(report.chains.map(c => [c.id, c]));
  let same = 0, diff = 0, missing = 0, extra = 0, scoreDiff = 0;
  for (const [id, c] of want) { const g = chains.get(id); if (!g) { missing++; continue; } if (g.score !== c.score) scoreDiff++; if (strip(g) === strip(c)) same++; else diff++; }
  for (const id of chains.keys()) if (!want.has(id)) extra++;
  console.log(name, { want: want.size, same, diff, missing, extra, scoreDiff });
}
const enc = new TextEncoder();
function collect(latest, u) { for (const c of u.chains) { const o = latest.get(c.id); if (!o || o.version < c.version) latest.set(c.id, c); } for (const id of u.retracted) latest.delete(id); }
{ // single detector, file order, 1000-line batches
  const d = new Detector(); const latest = new Map(); const lines = text.split("\n").filter(l => l.trim());
  for (let i = 0; i < lines.length; i += 1000) collect(latest, d.push(enc.encode(lines.slice(i, i+1000).join("\n") + "\n")));
  compare("single-updates", latest);
  const fin = d.finish(); compare("single-finish", new Map(fin.chains.map(c => [c.id, c])));
}
{ const dets = Array.from({length:P}, () => new Detector()); const latest = new Map(); const pending = new Map(); let n = 0; let msgs = 0;
  const flushAll = () => { for (const [tok, b] of pending) { msgs++; collect(latest, dets[partitionOf(tok, P)].push(enc.encode(b.join("\n")+"\n"))); } pending.clear(); };
  for (const {token, line} of routeLines(text)) { let b = pending.get(token); if (!b) pending.set(token, b = []); b.push(line); if (++n % FLUSH === 0) flushAll(); }
  flushAll();
  console.log("messages", msgs);
  compare("part-updates", latest);
  const all = new Map(); for (const d of dets) for (const c of d.finish().chains) all.set(c.id, c);
  compare("part-finish", all);
}
