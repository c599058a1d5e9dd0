// mshta-chain web demo: a static, dependency-free log viewer over the
// package's browser entry. Files are streamed (File.stream()) through a
// Detector in batches; the report is drawn as cards. Everything that comes
// from the logs is inserted as text (text nodes / textContent), never as
// HTML.

import init, { Detector, formatReport, version } from "../pkg/web.js";

// Bytes gathered from the stream before each push (for speed: any cut
// gives the same report). JSON Lines may be cut anywhere (the detector
// carries an unfinished line to the next push); a JSON array must be pushed
// whole, so an input starting with "[" is gathered to its end.
const BATCH_BYTES = 4 * 1024 * 1024;
const SAMPLE_URL = "../tests/data/sample.jsonl";
const SEVERITIES = ["critical", "high", "medium", "low", "informational"];

const $ = (id) => document.getElementById(id);

/** Builds an element; string children become text nodes (never HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "title") node.title = String(value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Control characters made visible, so a value stays on one line. */
function clean(value) {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The file name of a Windows or POSIX path. */
function imageName(path) {
  if (!path) return "?";
  const text = String(path);
  const cut = Math.max(text.lastIndexOf("\\"), text.lastIndexOf("/"));
  return cut >= 0 && cut < text.length - 1 ? text.slice(cut + 1) : text;
}

const fmtBytes = (n) =>
  n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`;
const fmtInt = (n) => Number(n ?? 0).toLocaleString("en");

// ---------------------------------------------------------------------------
// State and status.

let report = null;
let busy = false;

function setStatus(text) {
  $("status").textContent = text;
}

function showAppError(message) {
  const box = $("app-error");
  box.textContent = message;
  box.hidden = !message;
}

function setBusy(value) {
  busy = value;
  for (const id of ["files", "sample", "analyse-paste"]) $(id).disabled = value;
  document.body.dataset.state = value ? "busy" : report ? "done" : "ready";
}

// ---------------------------------------------------------------------------
// Reading input: sources are { name, size, stream() } read in order.

function isBlank(b) {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** "array" when the first non-blank byte (after a BOM) is "[", "other" for anything else, null for nothing yet. */
function inputKind(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && isBlank(bytes[i])) i++;
  if (i >= bytes.length) return null;
  return bytes[i] === 0x5b ? "array" : "other";
}

function concatBytes(parts, length) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Streams the sources through a new Detector; returns the report. */
async function analyseSources(sources) {
  const detector = new Detector();
  const total = sources.reduce((n, s) => n + (s.size || 0), 0);
  const progress = $("progress");
  progress.hidden = false;
  progress.max = Math.max(1, total);
  progress.value = 0;
  let read = 0;
  let events = 0;
  let rejected = 0;
  const changed = new Set(); // ids of the chains announced so far (less the retracted ones)
  try {
    for (const source of sources) {
      const reader = source.stream().getReader();
      let parts = [];
      let pending = 0;
      let kind = null;
      let last = 0x0a;
      const push = () => {
        if (pending === 0) return;
        const update = detector.push(concatBytes(parts, pending));
        parts = [];
        pending = 0;
        events += update.events;
        rejected += update.rejected;
        for (const chain of update.chains) changed.add(chain.id);
        // Chains merged into another (a second sensor's report of the root).
        for (const id of update.retracted ?? []) changed.delete(id);
      };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (!value || value.length === 0) continue;
        parts.push(value);
        pending += value.length;
        read += value.length;
        last = value[value.length - 1];
        if (kind === null) kind = inputKind(concatBytes(parts, pending));
        if (kind === "other" && pending >= BATCH_BYTES) push();
        progress.value = read;
        setStatus(
          `Reading ${source.name}: ${fmtBytes(read)}${total ? ` of ${fmtBytes(total)}` : ""} · ${fmtInt(events)} events · ${changed.size} chains so far`,
        );
      }
      push();
      // A file's last line ends with the file.
      if (last !== 0x0a) detector.push("\n");
    }
    progress.value = progress.max;
    return detector.finish();
  } finally {
    detector.free();
  }
}

async function run(sources, label) {
  if (busy) return;
  showAppError("");
  setBusy(true);
  const started = performance.now();
  try {
    setStatus(`Reading ${label}…`);
    report = await analyseSources(sources);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(
      `Done: ${label} · ${fmtInt(report.stats.events)} events · ${report.chains.length} chain${report.chains.length === 1 ? "" : "s"} · ${seconds} s`,
    );
    render();
  } catch (error) {
    report = null;
    render();
    setStatus("Failed.");
    showAppError(`Could not analyse ${label}: ${error?.message ?? error}`);
  } finally {
    setBusy(false);
  }
}

function fileSources(files) {
  return [...files].map((file) => ({ name: file.name, size: file.size, stream: () => file.stream() }));
}

async function loadSample() {
  const response = await fetch(SAMPLE_URL);
  if (!response.ok) throw new Error(`${SAMPLE_URL}: HTTP ${response.status}`);
  const size = Number(response.headers.get("content-length")) || 0;
  return [{ name: "sample.jsonl", size, stream: () => response.body }];
}

// ---------------------------------------------------------------------------
// Rendering.

function render() {
  const has = report !== null;
  $("summary").hidden = !has;
  renderSummary();
  renderWarnings();
  renderChains();
  renderInventory();
  renderErrors();
}

function renderSummary() {
  const counts = $("counts");
  const schemas = $("schemas");
  counts.replaceChildren();
  schemas.replaceChildren();
  if (!report) return;
  const s = report.stats;
  const stat = (label, value, cls) => el("div", { class: `stat ${cls ?? ""}` }, el("span", { class: "value" }, fmtInt(value)), el("span", { class: "label" }, label));
  append(counts, [
    stat("events", s.events),
    stat("accepted", s.accepted),
    stat("rejected", s.rejected, s.rejected > 0 ? "bad" : ""),
    stat("ignored", s.ignored),
    stat("processes", s.processes),
    stat("merged starts", s.merged_starts ?? 0),
    stat("chains", s.chains),
  ]);
  // Telemetry coverage: can this data show a chain at all?
  const coverage = $("coverage");
  coverage.replaceChildren();
  const verdicts = report.coverage?.overall?.verdicts ?? [];
  if (s.events > 0 && verdicts.length > 0) {
    append(coverage, [
      el("span", { class: "label" }, "telemetry:"),
      verdicts.map((v) =>
        el("span", { class: `verdict ${["ok", "partial", "missing"].includes(v.status) ? v.status : "partial"}`, title: clean(v.detail) }, clean(v.need).replace(/_/g, " "), " ", el("b", {}, clean(v.status))),
      ),
    ]);
    for (const v of verdicts.filter((x) => x.status !== "ok")) coverage.append(el("p", { class: "verdict-detail" }, clean(v.detail)));
  }
  const entries = Object.entries(s.by_schema ?? {}).sort((a, b) => b[1] - a[1]);
  append(schemas, [
    el("span", { class: "label" }, "by schema:"),
    entries.length === 0 ? el("span", { class: "chip muted" }, "none") : entries.map(([name, n]) => el("span", { class: "chip" }, `${name} `, el("b", {}, fmtInt(n)))),
  ]);
}

function renderWarnings() {
  const box = $("warnings");
  box.replaceChildren();
  const warnings = report?.warnings ?? [];
  box.hidden = warnings.length === 0;
  for (const w of warnings) box.append(el("p", {}, "⚠ ", clean(w)));
}

// Search text per chain, computed once per report.
const searchText = new WeakMap();
function chainText(chain) {
  let text = searchText.get(chain);
  if (text === undefined) {
    const parts = [];
    const walk = (value) => {
      if (value === null || value === undefined) return;
      if (typeof value === "object") for (const v of Object.values(value)) walk(v);
      else parts.push(String(value));
    };
    walk(chain);
    text = parts.join("\n").toLowerCase();
    searchText.set(chain, text);
  }
  return text;
}

function visibleChains() {
  if (!report) return [];
  const min = Number($("min-score").value) || 0;
  const query = $("search").value.trim().toLowerCase();
  return report.chains
    .filter((c) => c.score >= min)
    .filter((c) => query === "" || chainText(c).includes(query))
    .sort((a, b) => b.score - a.score || String(a.root.time).localeCompare(String(b.root.time)));
}

function renderChains() {
  const box = $("chains");
  box.replaceChildren();
  const empty = $("no-chains");
  if (!report) {
    empty.hidden = true;
    return;
  }
  const chains = visibleChains();
  for (const chain of chains) box.append(chainCard(chain));
  empty.hidden = chains.length > 0;
  empty.textContent =
    report.chains.length === 0
      ? "No mshta chains in this input."
      : `No chain matches the filter (${report.chains.length} hidden).`;
}

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
  );
}

function section(title, count, content, open = true) {
  const details = el("details", { class: "section" }, el("summary", {}, `${title} (${count})`), content);
  details.open = open;
  return details;
}

const by = (item) => (item.image || item.pid != null ? `${imageName(item.image)}${item.pid != null ? ` (${item.pid})` : ""}` : "?");
const lateTag = (item) => (item.late ? el("span", { class: "tag late", title: "after the correlation window" }, "late") : null);
const mono = (text, cls = "mono") => el("code", { class: cls }, clean(text));

/** Descendants as a tree: each after its parent, siblings in start order. */
function treeOrder(children) {
  const nodes = children.map((child) => ({ child, kids: [] }));
  const top = [];
  nodes.forEach((node, i) => {
    let parent = null;
    if (node.child.depth > 1) {
      for (let j = i - 1; j >= 0; j--) {
        const c = nodes[j].child;
        if (c.depth === node.child.depth - 1 && c.pid === node.child.parent_pid) {
          parent = nodes[j];
          break;
        }
      }
    }
    (parent ? parent.kids : top).push(node);
  });
  const out = [];
  const walk = (list) => list.forEach((n) => (out.push(n.child), walk(n.kids)));
  walk(top);
  return out;
}

function processRow(kind, depth, proc, extra = []) {
  const cmd = proc?.command_line;
  const row = el(
    "li",
    { class: `proc ${kind}`, dataset: { depth: String(depth) } },
    el("span", { class: "kind" }, kind.replace(/ d\d+$/, "")),
    el("span", { class: "image", title: clean(proc?.image ?? "") }, imageName(proc?.image)),
    proc?.pid != null ? el("span", { class: "pid" }, `pid ${proc.pid}`) : null,
    extra,
    cmd ? mono(cmd, "cmd") : el("span", { class: "muted" }, "(no command line)"),
  );
  // Indentation through a CSS variable (CSSOM, allowed by the page's CSP).
  row.style.setProperty("--depth", String(Math.max(0, depth)));
  return row;
}

function processTree(chain) {
  const list = el("ul", { class: "tree" });
  const lineage = [...(chain.lineage ?? [])].reverse(); // farthest first
  let depth = 0;
  for (const ancestor of lineage) list.append(processRow("ancestor", depth++, ancestor));
  if (chain.root.parent) list.append(processRow("parent", depth++, chain.root.parent));
  const rootDepth = depth;
  list.append(
    processRow("mshta", rootDepth, chain.root, [
      chain.root.inferred ? el("span", { class: "tag", title: "start not seen; inferred from its children or activity" }, "inferred") : null,
      (chain.root.sources ?? []).map((s) => el("span", { class: "tag source" }, s)),
    ]),
  );
  for (const child of treeOrder(chain.children ?? [])) {
    list.append(
      processRow(`child d${child.depth}`, rootDepth + child.depth, child, [
        lateTag(child),
        child.executed_file ? el("span", { class: "tag", title: "runs a file the chain wrote" }, "ran dropped file") : null,
      ]),
    );
  }
  return list;
}

function chainCard(chain) {
  const sev = SEVERITIES.includes(chain.severity) ? chain.severity : "informational";
  const root = chain.root;
  const card = el("article", { class: `chain-card sev-${sev}`, dataset: { chainId: chain.id, score: String(chain.score), severity: sev } });
  append(card, [
    el(
      "header",
      { class: "card-head" },
      el("span", { class: `badge sev-${sev}` }, `${sev.toUpperCase()} ${chain.score}`),
      el("span", { class: "host" }, clean(chain.host)),
      el("span", { class: "image" }, imageName(root.image)),
      el("span", { class: "pid" }, `pid ${root.pid}`),
      el("span", { class: "time" }, clean(root.time)),
      el("span", { class: `tag status-${chain.status === "closed" ? "closed" : "open"}`, title: "open: activity may still join; closed: final" }, chain.status ?? "open"),
      el("span", { class: "id" }, clean(chain.id)),
    ),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "command line"),
      el("dd", {}, root.command_line == null ? el("span", { class: "muted" }, "(unknown)") : mono(root.command_line, "cmd root-cmd")),
      el("dt", {}, "user"),
      el("dd", {}, root.user == null ? el("span", { class: "muted" }, "(unknown)") : clean(root.user)),
      el("dt", {}, "ran"),
      el("dd", {}, clean(root.time), root.end_time ? ` → ${clean(root.end_time)}` : ""),
      el("dt", {}, "technique"),
      el("dd", {}, `${chain.technique} · ${chain.analytic}`),
    ),
    section("process tree", 1 + (chain.lineage?.length ?? 0) + (root.parent ? 1 : 0) + (chain.children?.length ?? 0), processTree(chain)),
    section(
      "reasons",
      chain.reasons.length,
      table(
        ["points", "reason", "detail", "evidence (input indexes)"],
        chain.reasons.map((r) => [
          el("span", { class: r.points < 0 ? "neg" : "pos" }, r.points >= 0 ? `+${r.points}` : String(r.points)),
          mono(r.id, "mono rid"),
          clean(r.detail),
          (r.events ?? []).join(", "),
        ]),
      ),
    ),
  ]);
  const network = chain.network ?? [];
  if (network.length) {
    card.append(
      section(
        "network",
        network.length,
        table(
          ["destination", "host", "direction", "by", "time", "sources", "events"],
          network.map((n) => [
            mono(`${n.dst_ip ?? "?"}:${n.dst_port ?? "?"}`),
            clean(n.dst_host ?? ""),
            clean(n.direction),
            [by(n), lateTag(n)],
            clean(n.time),
            (n.sources ?? []).join(", "),
            (n.events ?? [n.event]).join(", "),
          ]),
        ),
      ),
    );
  }
  const dns = chain.dns ?? [];
  if (dns.length) {
    card.append(section("DNS", dns.length, table(["query", "by", "time", "event"], dns.map((d) => [mono(d.query), [by(d), lateTag(d)], clean(d.time), String(d.event)]))));
  }
  const files = chain.files ?? [];
  if (files.length) {
    card.append(
      section(
        "files",
        files.length,
        table(["path", "relation", "by", "time", "event"], files.map((f) => [mono(f.path), clean(f.relation ?? "created"), [by(f), lateTag(f)], clean(f.time), String(f.event)])),
      ),
    );
  }
  const modules = chain.modules ?? [];
  if (modules.length) {
    card.append(
      section("modules", modules.length, table(["module", "by", "time", "event"], modules.map((m) => [mono(m.path), by(m), clean(m.time), String(m.event)])), false),
    );
  }
  return card;
}

function renderInventory() {
  const box = $("inventory");
  box.replaceChildren();
  const inventory = report?.inventory ?? [];
  box.hidden = inventory.length === 0;
  if (inventory.length === 0) return;
  box.append(
    section(
      "inventory: every mshta invocation, by command-line shape and parent",
      inventory.length,
      table(
        ["max score", "count", "hosts", "parent", "shape", "first seen", "last seen"],
        [...inventory]
          .sort((a, b) => (b.max_score ?? -1) - (a.max_score ?? -1) || b.count - a.count)
          .map((g) => [g.max_score === null || g.max_score === undefined ? "?" : String(g.max_score), fmtInt(g.count), `${g.hosts} (${(g.host_names ?? []).map(clean).join(", ")})`, clean(g.parent || "?"), mono(g.shape), clean(g.first_seen), clean(g.last_seen)]),
      ),
      false,
    ),
  );
}

function renderErrors() {
  const box = $("errors");
  box.replaceChildren();
  const errors = report?.errors ?? [];
  const rejected = Math.max(errors.length, report?.stats?.rejected ?? 0);
  box.hidden = rejected === 0;
  if (rejected === 0) return;
  const note = rejected > errors.length ? ` (first ${errors.length} listed)` : "";
  box.append(
    section(`rejected items${note}`, rejected, table(["input index", "reason"], errors.map((e) => [String(e.index), clean(e.reason)])), errors.length <= 20),
  );
}

function exportJson() {
  if (!report) return;
  // The core writes the file, as the CLI's `--format json` does.
  const blob = new Blob([formatReport(report, "json")], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: "mshta-chain-report.json" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------
// Wiring.

function wire() {
  $("files").addEventListener("change", (event) => {
    const files = event.target.files;
    if (files && files.length) run(fileSources(files), files.length === 1 ? files[0].name : `${files.length} files`);
    event.target.value = "";
  });
  $("sample").addEventListener("click", async () => {
    try {
      await run(await loadSample(), "the bundled sample");
    } catch (error) {
      showAppError(`Could not load the sample: ${error?.message ?? error}`);
    }
  });
  $("analyse-paste").addEventListener("click", () => {
    const text = $("paste").value;
    const bytes = new TextEncoder().encode(text);
    run([{ name: "pasted text", size: bytes.length, stream: () => new Blob([bytes]).stream() }], "pasted text");
  });
  const drop = $("drop");
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = event.dataTransfer?.files;
    if (files && files.length) run(fileSources(files), files.length === 1 ? files[0].name : `${files.length} files`);
  });
  // Dropping a file outside the zone must not navigate away from the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  $("min-score").addEventListener("input", () => {
    $("min-score-value").textContent = $("min-score").value;
    renderChains();
  });
  $("search").addEventListener("input", renderChains);
  $("export").addEventListener("click", exportJson);
}

async function main() {
  wire();
  setBusy(true);
  try {
    await init();
    $("version").textContent = `core ${version()}`;
    setStatus("Ready: drop files, choose files, paste events or load the sample.");
  } catch (error) {
    setStatus("The detector could not start.");
    showAppError(`Could not load the WebAssembly module: ${error?.message ?? error}`);
    document.body.dataset.state = "error";
    return;
  }
  setBusy(false);
}

main();
