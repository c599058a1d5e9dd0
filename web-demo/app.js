// mshta-chain log viewer, the page side: input (files, folders, drag and
// drop, paste, the bundled sample), progress and cancel, the summary, the
// chain list with filters and keys, the chain view, exports and themes.
// All reading, parsing and correlation happen in the worker (worker.js);
// the page draws what it sends, as text (dom.js), so the main thread never
// holds the whole report nor works for long at a time.

import { chainView } from "./chain-view.js";
import { SEVERITIES, append, clean, el, fmtBytes, fmtInt, imageName, severityOf } from "./dom.js";

const PAGE = 200; // chain rows drawn at a time ("Show more" draws the next ones)
const CHUNK = 25; // rows per frame, so no frame does much layout
const CANCEL_GRACE_MS = 3000; // then the worker is stopped outright
const WINDOW_SECONDS = 600; // the viewer runs the Detector with its default window
const FOLDER_FILES = /\.(evtx|xml|json|jsonl|ndjson|log|txt)$/i;
const THEMES = ["system", "light", "dark"];

const $ = (id) => document.getElementById(id);

const state = {
  worker: null,
  ready: false,
  job: 0,
  running: 0,
  label: "",
  seq: 0,
  pending: new Map(),
  rows: [],
  summary: null,
  files: [],
  visible: [],
  shown: PAGE,
  selected: -1,
  openId: null,
  searchIds: null,
  searchSeq: 0,
  cancelTimer: 0,
};

// ---------------------------------------------------------------------------
// The worker.

function startWorker() {
  state.ready = false;
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "mshta-chain" });
  worker.onmessage = (event) => onMessage(event.data ?? {});
  worker.onerror = (event) => {
    event.preventDefault?.();
    showError(`The worker failed: ${event.message || "could not start (see the console)"}`);
    setBodyState("error");
  };
  state.worker = worker;
}

function request(type, body = {}) {
  const seq = ++state.seq;
  return new Promise((resolve, reject) => {
    state.pending.set(seq, { resolve, reject });
    state.worker.postMessage({ type, seq, ...body });
  });
}

function onMessage(m) {
  if (m.seq !== undefined && state.pending.has(m.seq)) {
    const { resolve, reject } = state.pending.get(m.seq);
    state.pending.delete(m.seq);
    return m.error ? reject(new Error(m.error)) : resolve(m);
  }
  switch (m.type) {
    case "ready":
      state.ready = true;
      $("version").textContent = `core ${m.version}`;
      setStatus("Ready: open files or a folder, drop them here, paste events or load the sample.");
      setBodyState(state.rows.length || state.summary ? "done" : "ready");
      return;
    case "fatal":
      setStatus("The detector could not start.");
      showError(m.message);
      setBodyState("error");
      return;
    case "progress":
      if (m.job === state.running) onProgress(m);
      return;
    case "done":
      if (m.job === state.running) onDone(m);
      return;
    case "cancelled":
      if (m.job === state.running) onCancelled(m);
      return;
    case "failed":
      if (m.job === state.running) {
        finishRun();
        setStatus("Failed.");
        showError(`Could not analyse ${state.label}: ${m.message}`);
        setBodyState("ready");
      }
      return;
  }
}

// ---------------------------------------------------------------------------
// Running.

function setBodyState(value) {
  document.body.dataset.state = value;
  const busy = value === "busy" || value === "loading";
  for (const id of ["files", "folder", "sample", "analyse-paste"]) $(id).disabled = busy || !state.ready;
  $("cancel").hidden = value !== "busy";
}

const setStatus = (text) => ($("status").textContent = text);

function showError(message) {
  const box = $("app-error");
  box.textContent = message ? clean(message, 2000) : "";
  box.hidden = !message;
}

function run(sources, label) {
  if (!state.ready || state.running) return;
  if (sources.length === 0) {
    showError("No readable files (.evtx, .xml, .json, .jsonl, .ndjson, .log, .txt) were given.");
    return;
  }
  showError("");
  closeView();
  state.job += 1;
  state.running = state.job;
  state.label = label;
  state.rows = [];
  state.summary = null;
  renderAll();
  const progress = $("progress");
  progress.hidden = false;
  progress.max = Math.max(1, sources.reduce((n, s) => n + (s.size || 0), 0));
  progress.value = 0;
  setStatus(`Reading ${label}…`);
  setBodyState("busy");
  state.worker.postMessage({ type: "run", job: state.job, sources });
}

function onProgress(m) {
  const progress = $("progress");
  if (m.total > 0) {
    progress.max = m.total;
    progress.value = Math.min(m.bytes, m.total);
  } else progress.removeAttribute("value");
  const rate = m.elapsedMs > 0 ? (m.events * 1000) / m.elapsedMs : 0;
  $("status").dataset.bytes = String(m.bytes);
  $("status").dataset.events = String(m.events);
  setStatus(
    `Reading ${clean(m.file, 200)}: ${fmtBytes(m.bytes)}${m.total ? ` of ${fmtBytes(m.total)}` : ""} · ${fmtInt(m.events)} events · ${fmtInt(Math.round(rate))} events/s · ${fmtInt(m.chains)} chains so far`,
  );
}

function finishRun() {
  state.running = 0;
  clearTimeout(state.cancelTimer);
}

function onDone(m) {
  finishRun();
  $("cancel").hidden = true;
  state.rows = m.rows;
  state.summary = m.summary;
  state.files = m.files;
  const progress = $("progress");
  progress.max = Math.max(1, m.bytes);
  progress.value = progress.max;
  const seconds = m.elapsedMs / 1000;
  const events = m.summary.stats.events;
  $("status").dataset.events = String(events);
  $("status").dataset.elapsedMs = String(Math.round(m.elapsedMs));
  setStatus(
    `Done: ${clean(state.label, 200)} · ${fmtInt(events)} events · ${m.rows.length} chain${m.rows.length === 1 ? "" : "s"} · ${fmtBytes(m.bytes)} in ${seconds.toFixed(2)} s (${fmtInt(Math.round(events / Math.max(seconds, 0.001)))} events/s)`,
  );
  state.searchIds = null;
  $("search").value = "";
  renderStaged().then(() => setBodyState("done"));
}

/** A promise resolved after the next frame is drawn: work split across frames keeps each short. */
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Draws a new report a part per frame: summary, inventory and warnings, then the list. */
async function renderStaged() {
  const job = state.job;
  renderSummary();
  await nextFrame();
  if (job !== state.job) return;
  fillHosts();
  renderInventory();
  renderWarnings();
  await nextFrame();
  if (job !== state.job) return;
  await refilter();
}

function onCancelled(m) {
  finishRun();
  $("progress").hidden = true;
  setStatus(`Cancelled ${clean(state.label, 200)} after ${fmtBytes(m.bytes)} and ${fmtInt(m.events)} events; nothing kept.`);
  setBodyState("cancelled");
}

function cancel() {
  if (!state.running) return;
  const job = state.running;
  state.worker.postMessage({ type: "cancel", job });
  setStatus("Cancelling…");
  // A worker busy in one long step is stopped outright, and a new one started.
  state.cancelTimer = setTimeout(() => {
    if (state.running !== job) return;
    state.worker.terminate();
    for (const { reject } of state.pending.values()) reject(new Error("the worker was stopped"));
    state.pending.clear();
    startWorker();
    onCancelled({ bytes: Number($("status").dataset.bytes ?? 0), events: Number($("status").dataset.events ?? 0) });
  }, CANCEL_GRACE_MS);
}

// ---------------------------------------------------------------------------
// Sources: what the worker reads ({ name, path, size } and a File, a text or the sample).

const fileSource = (file, path) => ({ name: file.name, path: path || file.webkitRelativePath || file.name, size: file.size, file });

function byPath(a, b) {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The files under dropped items, folders walked (files in a folder filtered by extension). */
async function droppedSources(dataTransfer) {
  const entries = [...(dataTransfer.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...(dataTransfer.files ?? [])].map((f) => fileSource(f));
  const out = [];
  const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));
  const readAll = async (dir) => {
    const reader = dir.createReader();
    const all = [];
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  };
  const walk = async (entry, inFolder) => {
    if (entry.isFile) {
      if (!inFolder || FOLDER_FILES.test(entry.name)) out.push(fileSource(await fileOf(entry), entry.fullPath.replace(/^\//, "")));
    } else if (entry.isDirectory) {
      for (const child of await readAll(entry)) await walk(child, true);
    }
  };
  for (const entry of entries) await walk(entry, false);
  return out.sort(byPath);
}

// ---------------------------------------------------------------------------
// Summary.

function stat(label, value, cls = "") {
  return el("div", { class: `stat ${cls}` }, el("span", { class: "value" }, fmtInt(value)), el("span", { class: "label" }, label));
}

function renderSummary() {
  const s = state.summary;
  $("summary").hidden = !s;
  for (const id of ["counts", "severities", "schemas", "coverage", "file-notes", "rejected"]) $(id).replaceChildren();
  if (!s) return;
  const st = s.stats;
  append($("counts"), [
    stat("events", st.events),
    stat("accepted", st.accepted),
    stat("rejected", st.rejected, st.rejected > 0 ? "bad" : ""),
    stat("ignored", st.ignored),
    stat("processes", st.processes),
    stat("chains", state.rows.length),
  ]);
  append($("severities"), [
    el("span", { class: "label" }, "chains by severity:"),
    SEVERITIES.map((sev) =>
      el(
        "button",
        { type: "button", class: `sev-chip sev-${sev}`, dataset: { severity: sev }, title: `show ${sev} and above`, onclick: () => setSeverity(sev) },
        `${sev} `,
        el("b", {}, fmtInt(s.bySeverity[sev] ?? 0)),
      ),
    ),
  ]);
  const schemas = Object.entries(st.by_schema ?? {}).sort((a, b) => b[1] - a[1]);
  append($("schemas"), [
    el("span", { class: "label" }, "schemas:"),
    schemas.length === 0 ? el("span", { class: "chip muted" }, "none recognised") : schemas.map(([name, n]) => el("span", { class: "chip" }, `${clean(name, 60)} `, el("b", {}, fmtInt(n)))),
  ]);
  const coverage = $("coverage");
  const verdicts = s.coverage?.overall?.verdicts ?? [];
  if (st.events > 0 && verdicts.length) {
    append(coverage, [
      el("span", { class: "label" }, "telemetry coverage:"),
      verdicts.map((v) => el("span", { class: `verdict ${["ok", "partial", "missing"].includes(v.status) ? v.status : "partial"}`, title: clean(v.detail, 500) }, clean(v.need, 60).replace(/_/g, " "), " ", el("b", {}, clean(v.status, 20)))),
    ]);
    const gaps = s.coverage?.gaps ?? [];
    const gapsTotal = s.coverage?.gapsTotal ?? gaps.length;
    if (gaps.length) {
      const list = el("ul", { class: "host-gaps" });
      for (const h of gaps) {
        list.append(
          el(
            "li",
            {},
            el("b", {}, clean(h.host, 200)),
            ": ",
            (h.verdicts ?? []).map((v, i) => [i ? "; " : "", el("span", { class: `verdict ${v.status === "missing" ? "missing" : "partial"}` }, `${clean(v.need, 60).replace(/_/g, " ")} ${clean(v.status, 20)}`), " ", clean(v.detail, 300)]),
          ),
        );
      }
      if (gapsTotal > gaps.length) list.append(el("li", { class: "muted" }, `… and ${fmtInt(gapsTotal - gaps.length)} more hosts with gaps (the JSON export has them all)`));
      const details = el("details", { class: "gaps" }, el("summary", {}, `${fmtInt(gapsTotal)} of ${fmtInt(s.coverage.hostsTotal)} host${s.coverage.hostsTotal === 1 ? "" : "s"} with gaps in telemetry`), list);
      details.open = gapsTotal <= 5;
      coverage.append(details);
    }
  }
  // Per-file notes: files that could not be read (an EVTX file without the EVTX entry), warnings.
  const notes = $("file-notes");
  for (const f of state.files) {
    if (f.error) notes.append(el("p", { class: "file-error" }, el("b", {}, clean(f.path, 300)), `: ${clean(f.error, 500)}`));
    if (f.warning) notes.append(el("p", { class: "file-warning" }, el("b", {}, clean(f.path, 300)), `: ${clean(f.warning, 500)}`));
    if (f.rawErrorCount) notes.append(el("p", { class: "file-warning" }, el("b", {}, clean(f.path, 300)), `: ${fmtInt(f.rawErrorCount)} records could not be read, first: ${f.rawErrors.map((e) => clean(e, 200)).join("; ")}`));
  }
  if (state.files.length > 1) {
    notes.append(
      el("details", { class: "file-list" }, el("summary", {}, `${state.files.length} inputs`), table(["input", "kind", "size", "events"], state.files.map((f) => [clean(f.path, 300), f.kind, fmtBytes(f.bytes), fmtInt(f.events)]))),
    );
  }
  // The first rejected items, with where they came from.
  if (st.rejected > 0) {
    const errors = s.errors ?? [];
    const rows = errors.map((e) => [String(e.index), e.at ? `${clean(e.at.file, 300)} item ${e.at.item}${e.at.record != null ? ` · record ${e.at.record}` : ""}` : "?", clean(e.reason, 500)]);
    const details = el(
      "details",
      { class: "rejected-list", id: "rejected-list" },
      el("summary", {}, `rejected: ${fmtInt(st.rejected)} item${st.rejected === 1 ? "" : "s"}${st.rejected > errors.length ? ` (first ${errors.length} listed)` : ""}`),
      table(["input index", "file and item", "reason"], rows),
    );
    details.open = errors.length <= 10;
    $("rejected").append(details);
  }
}

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
  );
}

function renderInventory() {
  const box = $("inventory");
  box.replaceChildren();
  const inventory = state.summary?.inventory ?? [];
  box.hidden = inventory.length === 0;
  if (!inventory.length) return;
  const total = state.summary.inventoryTotal ?? inventory.length;
  const sorted = [...inventory].sort((a, b) => (b.max_score ?? -1) - (a.max_score ?? -1) || b.count - a.count);
  const details = el(
    "details",
    { class: "section" },
    el("summary", {}, `inventory: every mshta invocation by command-line shape and parent (${fmtInt(total)}${total > inventory.length ? `, first ${inventory.length} shown; the JSON export has them all` : ""})`),
    table(
      ["max score", "count", "hosts", "parent", "shape", "first seen", "last seen"],
      sorted.map((g) => [g.max_score == null ? "?" : String(g.max_score), fmtInt(g.count), `${g.hosts} (${(g.host_names ?? []).slice(0, 5).map((h) => clean(h, 100)).join(", ")})`, clean(g.parent || "?", 200), el("code", { class: "mono" }, clean(g.shape, 500)), clean(g.first_seen), clean(g.last_seen)]),
    ),
  );
  box.append(details);
}

function renderWarnings() {
  const box = $("warnings");
  box.replaceChildren();
  const warnings = state.summary?.warnings ?? [];
  box.hidden = warnings.length === 0;
  for (const w of warnings.slice(0, 50)) box.append(el("p", {}, "⚠ ", clean(w, 500)));
}

// ---------------------------------------------------------------------------
// The chain list.

function fillHosts() {
  const { list = [], total = 0 } = state.summary?.hosts ?? {};
  const label = total > list.length ? `all hosts (${fmtInt(total)}; the ${list.length} with most chains listed, search for others)` : `all hosts (${total})`;
  $("host").replaceChildren(el("option", { value: "" }, label), ...list.map(([h, n]) => el("option", { value: h }, `${clean(h, 100)} (${n})`)));
}

function setSeverity(sev) {
  $("severity").value = sev;
  refilter();
}

/** Code-unit order (localeCompare is far slower, and times and ids need no collation). */
const cmp = (a, b) => {
  const x = String(a ?? "");
  const y = String(b ?? "");
  return x < y ? -1 : x > y ? 1 : 0;
};

function refilter() {
  const min = SEVERITIES.indexOf($("severity").value);
  const host = $("host").value;
  const ids = state.searchIds;
  state.visible = state.rows
    .filter((r) => SEVERITIES.indexOf(severityOf(r.severity)) <= (min < 0 ? 4 : min))
    .filter((r) => host === "" || String(r.host) === host)
    .filter((r) => !ids || ids.has(r.id))
    .sort((a, b) => b.score - a.score || cmp(a.time, b.time) || cmp(a.id, b.id));
  state.shown = PAGE;
  state.selected = state.visible.length ? 0 : -1;
  return renderList();
}

function rowElement(r, i) {
  const sev = severityOf(r.severity);
  const c = r.counts ?? {};
  const counts = [c.children && `${c.children} proc`, c.files && `${c.files} files`, c.network && `${c.network} net`, c.dns && `${c.dns} dns`].filter(Boolean).join(" · ");
  return el(
    "li",
    {
      class: `chain-row sev-${sev}${i === state.selected ? " selected" : ""}${r.id === state.openId ? " open" : ""}`,
      dataset: { chainId: r.id, score: String(r.score), severity: sev, host: String(r.host ?? ""), index: String(i) },
      "aria-selected": i === state.selected ? "true" : "false",
      onclick: () => {
        select(i);
        openChain(r.id);
      },
    },
    el(
      "div",
      { class: "row-head" },
      el("span", { class: "badge" }, `${sev.toUpperCase()} ${r.score}`),
      el("span", { class: "host" }, clean(r.host, 100)),
      el("span", { class: "image" }, `${clean(imageName(r.image), 100)} pid ${clean(r.pid, 20)}`),
      el("span", { class: "time" }, clean(r.time, 40)),
    ),
    el("div", { class: "row-cmd" }, r.cmd == null ? el("span", { class: "muted" }, "(command line not seen)") : clean(r.cmd, 240)),
    counts ? el("div", { class: "row-counts" }, counts, r.parent ? ` · parent ${clean(imageName(r.parent), 100)}` : "") : r.parent ? el("div", { class: "row-counts" }, `parent ${clean(imageName(r.parent), 100)}`) : null,
  );
}

let listing = 0; // the latest list drawing; an older one stops

/** Draws the visible rows up to state.shown, CHUNK rows per frame; body[data-listing] while drawing. */
async function renderList() {
  const generation = ++listing;
  document.body.dataset.listing = "1";
  const list = $("chains");
  list.replaceChildren();
  $("more").hidden = true;
  $("list-count").textContent = state.rows.length ? `${fmtInt(state.visible.length)} of ${fmtInt(state.rows.length)} chains, by score` : "";
  const empty = $("no-chains");
  empty.hidden = !state.summary || state.visible.length > 0;
  empty.textContent = state.rows.length === 0 ? "No mshta chains in this input." : `No chain matches the filter (${fmtInt(state.rows.length)} hidden).`;
  $("workspace").hidden = !state.summary;
  const rows = state.visible.slice(0, state.shown);
  for (let at = 0; at < rows.length; at += CHUNK) {
    if (at > 0) await nextFrame();
    if (generation !== listing) return;
    list.append(...rows.slice(at, at + CHUNK).map((r, i) => rowElement(r, at + i)));
  }
  $("more").hidden = state.visible.length <= state.shown;
  $("more").textContent = `Show ${Math.min(PAGE, state.visible.length - state.shown)} more`;
  delete document.body.dataset.listing;
}

function select(i) {
  if (i < 0 || i >= state.visible.length) return;
  if (i >= $("chains").children.length) return; // not drawn yet
  const list = $("chains");
  list.querySelector(".chain-row.selected")?.classList.remove("selected");
  list.querySelector(".chain-row[aria-selected=true]")?.setAttribute("aria-selected", "false");
  state.selected = i;
  const row = list.children[i];
  if (row) {
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }
}

let searchTimer = 0;
function onSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const query = $("search").value;
    const seq = ++state.searchSeq;
    if (query.trim() === "") state.searchIds = null;
    else {
      const { ids } = await request("search", { query });
      if (seq !== state.searchSeq) return; // a newer search is on its way
      state.searchIds = new Set(ids);
    }
    await refilter();
    document.body.dataset.searched = query;
  }, 120);
}

// ---------------------------------------------------------------------------
// The chain view.

async function openChain(id) {
  const { detail } = await request("chain", { id });
  if (!detail) return;
  state.openId = id;
  const view = $("view");
  view.replaceChildren(chainView(detail, WINDOW_SECONDS));
  view.hidden = false;
  document.body.dataset.view = "open";
  $("workspace").classList.add("with-view");
  for (const row of $("chains").children) row.classList.toggle("open", row.dataset.chainId === id);
  $("copy-md").addEventListener("click", () => copyMarkdown(id));
  $("close-view").addEventListener("click", closeView);
  view.scrollIntoView({ block: "nearest" });
}

function closeView() {
  state.openId = null;
  $("view").hidden = true;
  $("view").replaceChildren();
  $("workspace").classList.remove("with-view");
  delete document.body.dataset.view;
  for (const row of $("chains").children) row.classList.remove("open");
}

async function copyMarkdown(id) {
  const { text } = await request("markdown", { id });
  try {
    await navigator.clipboard.writeText(text);
    setStatus(`Copied the chain as Markdown (${fmtInt(text.length)} characters).`);
  } catch {
    // No clipboard access: show it, selected, to copy by hand.
    const area = el("textarea", { class: "markdown-out", id: "markdown-out", rows: "12", readonly: "readonly" });
    area.value = text;
    const dialog = el("dialog", { class: "markdown-dialog" }, el("p", {}, "Copy this Markdown (Ctrl+C):"), area, el("button", { type: "button", class: "button small", onclick: () => dialog.close() }, "Close"));
    document.body.append(dialog);
    dialog.addEventListener("close", () => dialog.remove());
    dialog.showModal();
    area.select();
  }
  document.body.dataset.copied = id;
}

// ---------------------------------------------------------------------------
// Exports: the worker makes the file; the page saves it.

async function exportAs(format) {
  try {
    const { blob, file } = await request("export", { format });
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: file });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  } catch (error) {
    showError(`Export failed: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------
// Themes: system (default), light, dark.

function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  $("theme").textContent = `Theme: ${theme}`;
  try {
    if (theme === "system") localStorage.removeItem("mshta-chain-theme");
    else localStorage.setItem("mshta-chain-theme", theme);
  } catch {
    /* storage blocked: the switch still works for this page */
  }
}

function currentTheme() {
  return document.documentElement.dataset.theme ?? "system";
}

// ---------------------------------------------------------------------------
// Keys: "/" search, j/k move, Enter open, Esc close (or leave the search box).

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  if (event.key === "Escape") {
    if (target === $("search")) {
      if ($("search").value) {
        $("search").value = "";
        onSearch();
      }
      $("search").blur();
    } else if (state.openId) closeView();
    else return;
    event.preventDefault();
    return;
  }
  if (target === $("search") && event.key === "Enter") {
    $("search").blur();
    if (state.visible.length) select(0);
    event.preventDefault();
    return;
  }
  if (typing || !state.summary) return;
  if (event.key === "/") {
    $("search").focus();
    $("search").select();
  } else if (event.key === "j") select(Math.min(state.visible.length - 1, state.selected + 1));
  else if (event.key === "k") select(Math.max(0, state.selected - 1));
  else if (event.key === "Enter" && state.selected >= 0 && target?.tagName !== "BUTTON") openChain(state.visible[state.selected].id);
  else return;
  event.preventDefault();
}

// ---------------------------------------------------------------------------
// Wiring.

function renderAll() {
  renderSummary();
  renderInventory();
  renderWarnings();
  return refilter();
}

function wire() {
  $("files").addEventListener("change", (event) => {
    const files = [...(event.target.files ?? [])];
    if (files.length) run(files.map((f) => fileSource(f, f.name)), files.length === 1 ? files[0].name : `${files.length} files`);
    event.target.value = "";
  });
  $("folder").addEventListener("change", (event) => {
    const all = [...(event.target.files ?? [])];
    const files = all.filter((f) => FOLDER_FILES.test(f.name)).map((f) => fileSource(f)).sort(byPath);
    const folder = (all[0]?.webkitRelativePath ?? "").split("/")[0] || "the folder";
    if (all.length) run(files, `${folder} (${files.length} file${files.length === 1 ? "" : "s"})`);
    event.target.value = "";
  });
  $("sample").addEventListener("click", () => run([{ name: "sample.jsonl", path: "sample.jsonl", size: 0, sample: true }], "the bundled sample"));
  $("analyse-paste").addEventListener("click", () => {
    const text = $("paste").value;
    run([{ name: "pasted text", path: "pasted text", size: new Blob([text]).size, text }], "pasted text");
  });
  $("cancel").addEventListener("click", cancel);
  const drop = $("drop");
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (event) => {
    event.preventDefault();
    if (!event.dataTransfer) return;
    try {
      const sources = await droppedSources(event.dataTransfer);
      run(sources, sources.length === 1 ? sources[0].name : `${sources.length} files`);
    } catch (error) {
      showError(`Could not read what was dropped: ${error?.message ?? error}`);
    }
  });
  // Dropping outside the zone must not navigate away from the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  $("search").addEventListener("input", onSearch);
  $("severity").addEventListener("change", refilter);
  $("host").addEventListener("change", refilter);
  $("more").addEventListener("click", () => {
    state.shown += PAGE;
    const keep = state.selected;
    renderList().then(() => select(keep));
  });
  for (const button of document.querySelectorAll("[data-export]")) button.addEventListener("click", () => exportAs(button.dataset.export));
  $("theme").addEventListener("click", () => applyTheme(THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length]));
  $("theme").textContent = `Theme: ${currentTheme()}`;
  document.addEventListener("keydown", onKey);
}

wire();
setBodyState("loading");
startWorker();
