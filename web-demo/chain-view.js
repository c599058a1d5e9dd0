// The chain view: what an analyst reads to decide about one chain. Header,
// the command line with the spans the core matched highlighted, the process
// tree from the farthest known ancestor through mshta to every descendant,
// the timeline, the reasons with their points, the triage checklist, and
// every evidence item with its input index, file, item and record id.
// The viewer presents; the core decides (scores, reasons, spans, triage).

import { clean, el, fmtOffset, imageName, severityOf } from "./dom.js";
import { timeline } from "./timeline.js";

const MAX_COMMAND_LINE = 20000;

const seconds = (from, to) => (Date.parse(to) - Date.parse(from)) / 1000;

/** "#12 · file.jsonl item 13 · record 4711" for one input index. */
function ref(index, where) {
  const loc = where?.[index];
  const parts = [`#${index}`];
  if (loc) {
    const file = imageName(loc.file);
    parts.push(`${file.length > 60 ? `${clean(file.slice(0, 59), 60)}…` : clean(file, 60)} item ${loc.item}`);
    if (loc.record != null) parts.push(`record ${loc.record}`);
  }
  const title = `input index ${index} (the item's position in the input, from 0)${loc ? ` · ${clean(loc.file, 500)}, item ${loc.item}${loc.record != null ? `, record ${loc.record}` : ""}` : ""}`;
  return el("span", { class: "ref", title }, parts.join(" · "));
}

function refs(indexes, where) {
  const list = [...new Set((indexes ?? []).filter((i) => Number.isInteger(i)))];
  if (list.length === 0) return el("span", { class: "muted" }, "—");
  return el("span", { class: "refs" }, list.map((i) => ref(i, where)));
}

const itemIndexes = (item) => (item?.events?.length ? item.events : item?.event != null ? [item.event] : []);
const lateTag = (item) => (item?.late ? el("span", { class: "tag late", title: "after the correlation window" }, "late") : null);
const mono = (text, cls = "mono", max) => el("code", { class: cls }, clean(text, max));

/**
 * The highlight ranges of the command line: the reasons' `spans`
 * ([start, end) in UTF-16 code units into the command line), merged.
 * Without spans in the report, nothing is highlighted.
 */
export function highlightRanges(commandLine, reasons) {
  const text = String(commandLine ?? "");
  const ranges = [];
  // The core gives [start, end) in UTF-16 code units, as JS strings index.
  const toUnit = (u) => Math.min(u, text.length);
  for (const r of reasons ?? []) {
    for (const span of Array.isArray(r?.spans) ? r.spans : []) {
      const [a, b] = Array.isArray(span) ? span : [span?.start, span?.end];
      if (!Number.isInteger(a) || !Number.isInteger(b) || b <= a || a < 0) continue;
      ranges.push({ start: toUnit(a), end: toUnit(b), ids: [String(r.id)] });
    }
  }
  ranges.sort((p, q) => p.start - q.start || p.end - q.end);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
      for (const id of r.ids) if (!last.ids.includes(id)) last.ids.push(id);
    } else merged.push({ ...r, ids: [...r.ids] });
  }
  return merged;
}

function commandLine(chain) {
  const cmd = chain.root?.command_line;
  if (cmd === null || cmd === undefined) return el("p", { class: "muted" }, "(command line not seen)");
  const text = String(cmd);
  const shown = text.length > MAX_COMMAND_LINE ? text.slice(0, MAX_COMMAND_LINE) : text;
  const ranges = highlightRanges(text, chain.reasons).filter((r) => r.start < shown.length);
  const code = el("code", { class: "cmd root-cmd", id: "command-line" });
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) code.append(clean(shown.slice(at, r.start), Infinity));
    code.append(el("mark", { title: `matched by ${r.ids.join(", ")}`, dataset: { reasons: r.ids.join(" ") } }, clean(shown.slice(r.start, Math.min(r.end, shown.length)), Infinity)));
    at = Math.min(r.end, shown.length);
  }
  if (at < shown.length) code.append(clean(shown.slice(at), Infinity));
  if (shown.length < text.length) code.append(el("span", { class: "muted" }, ` … (${(text.length - shown.length).toLocaleString("en")} more characters)`));
  return el(
    "div",
    {},
    code,
    el("p", { class: "hint" }, ranges.length ? `Highlighted: what the reasons matched (${ranges.flatMap((r) => r.ids).filter((v, i, a) => a.indexOf(v) === i).join(", ")}).` : "No matched spans in this report."),
  );
}

/** Descendants in tree order: each after its parent, siblings in start order. */
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

function processRow(kind, depth, proc, where, extra = []) {
  const row = el(
    "li",
    { class: `proc ${kind}`, dataset: { kind, depth: String(depth) } },
    el("span", { class: "kind" }, kind),
    el("span", { class: "image", title: clean(proc?.image ?? "", 500) }, clean(imageName(proc?.image), 200)),
    proc?.pid != null ? el("span", { class: "pid" }, `pid ${clean(proc.pid, 40)}`) : null,
    extra,
    proc?.command_line ? mono(proc.command_line, "cmd", 600) : el("span", { class: "muted" }, "(no command line)"),
    itemIndexes(proc).length ? refs(itemIndexes(proc), where) : null,
  );
  // Indentation through a CSS variable (CSSOM, which the CSP allows).
  row.style.setProperty("--depth", String(Math.max(0, depth)));
  return row;
}

function processTree(chain, where) {
  const list = el("ul", { class: "tree", id: "tree" });
  const lineage = [...(chain.lineage ?? [])].reverse(); // farthest first
  let depth = 0;
  for (const ancestor of lineage) list.append(processRow("ancestor", depth++, ancestor, where));
  if (chain.root?.parent) list.append(processRow("parent", depth++, chain.root.parent, where));
  const rootDepth = depth;
  list.append(
    processRow("mshta", rootDepth, chain.root, where, [
      chain.root.inferred ? el("span", { class: "tag", title: "start not seen; inferred from its children or activity" }, "inferred") : null,
      (chain.root.sources ?? []).map((s) => el("span", { class: "tag source" }, clean(s, 40))),
    ]),
  );
  for (const child of treeOrder(chain.children ?? [])) {
    list.append(
      processRow("child", rootDepth + (child.depth ?? 1), child, where, [
        el("span", { class: "offset" }, fmtOffset(seconds(chain.root.time, child.time))),
        lateTag(child),
        child.executed_file ? el("span", { class: "tag", title: "runs a file the chain wrote" }, "ran dropped file") : null,
      ]),
    );
  }
  return list;
}

function table(headers, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
  );
}

function section(title, count, content, id) {
  const details = el("details", { class: "section", id }, el("summary", {}, count === null ? title : `${title} (${count})`), content);
  details.open = true;
  return details;
}

const by = (item) => `${clean(imageName(item.image), 200)}${item.pid != null ? ` pid ${clean(item.pid, 40)}` : ""}`;

/** The chain view of one chain's detail: { chain, triage, where }. */
export function chainView(detail, windowSeconds) {
  const { chain, triage, where } = detail;
  const sev = severityOf(chain.severity);
  const root = chain.root ?? {};
  const t = (item) => fmtOffset(seconds(root.time, item.time));
  const view = el("article", { class: `chain-view sev-${sev}`, dataset: { chainId: chain.id } });
  view.append(
    el(
      "header",
      { class: "view-head" },
      el("span", { class: "badge" }, `${sev.toUpperCase()} ${chain.score}`),
      el("h2", {}, `${clean(imageName(root.image), 200)} pid ${clean(root.pid, 40)} on ${clean(chain.host, 200)}`),
      el(
        "div",
        { class: "view-actions" },
        el("button", { type: "button", class: "button small", id: "copy-md", title: "Copy this chain as Markdown, for a ticket" }, "Copy as Markdown"),
        el("button", { type: "button", class: "button small ghost", id: "close-view", title: "Close (Esc)" }, "Close"),
      ),
    ),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "chain"),
      el("dd", {}, mono(chain.id), " ", el("span", { class: `tag status-${chain.status === "closed" ? "closed" : "open"}` }, chain.status === "closed" ? "closed" : "open")),
      el("dt", {}, "ran"),
      el("dd", {}, clean(root.time), root.end_time ? ` → ${clean(root.end_time)}` : ""),
      el("dt", {}, "user"),
      el("dd", {}, root.user == null ? el("span", { class: "muted" }, "(unknown)") : clean(root.user, 300)),
      el("dt", {}, "technique"),
      el("dd", {}, `${clean(chain.technique, 40)} · ${clean(chain.analytic, 40)}`),
    ),
    section("command line", null, commandLine(chain), "cmd-section"),
    section("process tree", 1 + (chain.lineage?.length ?? 0) + (root.parent ? 1 : 0) + (chain.children?.length ?? 0), processTree(chain, where), "tree-section"),
    section("timeline", null, timeline(chain, windowSeconds), "timeline-section"),
    section(
      "reasons",
      chain.reasons?.length ?? 0,
      table(
        ["points", "reason", "detail", "evidence"],
        (chain.reasons ?? []).map((r) => [
          el("span", { class: r.points < 0 ? "neg" : "pos" }, r.points >= 0 ? `+${r.points}` : String(r.points)),
          mono(r.id, "mono rid", 100),
          clean(r.detail, 1000),
          refs(r.events, where),
        ]),
        { id: "reasons" },
      ),
      "reasons-section",
    ),
    section("triage", triage.length, triage.length ? el("ol", { class: "triage", id: "triage" }, triage.map((item) => el("li", {}, clean(item, 1000)))) : el("p", { class: "muted" }, "No checklist in this report."), "triage-section"),
  );
  const evidence = el("div", { class: "evidence", id: "evidence" });
  const children = chain.children ?? [];
  if (children.length) {
    evidence.append(
      el("h3", {}, `processes (${children.length})`),
      table(["process", "time", "depth", "command line", "evidence"], children.map((c) => [[by(c), lateTag(c)], t(c), String(c.depth ?? ""), mono(c.command_line ?? "", "cmd", 400), refs(itemIndexes(c), where)])),
    );
  }
  const network = chain.network ?? [];
  if (network.length) {
    evidence.append(
      el("h3", {}, `network (${network.length})`),
      table(
        ["destination", "host", "direction", "by", "time", "evidence"],
        network.map((n) => [mono(`${n.dst_ip ?? "?"}:${n.dst_port ?? "?"}`), clean(n.dst_host ?? "", 300), clean(n.direction, 40), [by(n), lateTag(n)], t(n), refs(itemIndexes(n), where)]),
      ),
    );
  }
  const dns = chain.dns ?? [];
  if (dns.length) evidence.append(el("h3", {}, `DNS (${dns.length})`), table(["query", "by", "time", "evidence"], dns.map((d) => [mono(d.query, "mono", 400), [by(d), lateTag(d)], t(d), refs(itemIndexes(d), where)])));
  const files = chain.files ?? [];
  if (files.length) {
    evidence.append(
      el("h3", {}, `files (${files.length})`),
      table(["path", "relation", "by", "time", "evidence"], files.map((f) => [mono(f.path, "mono", 600), clean(f.relation ?? "created", 40), [by(f), lateTag(f)], t(f), refs(itemIndexes(f), where)])),
    );
  }
  const modules = chain.modules ?? [];
  if (modules.length) evidence.append(el("h3", {}, `modules (${modules.length})`), table(["module", "by", "time", "evidence"], modules.map((m) => [mono(m.path, "mono", 600), by(m), t(m), refs(itemIndexes(m), where)])));
  if (!evidence.childNodes.length) evidence.append(el("p", { class: "muted" }, "No follow-on activity was attributed to this chain."));
  view.append(section("evidence", null, evidence, "evidence-section"));
  return view;
}
