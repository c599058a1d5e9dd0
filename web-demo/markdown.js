// A chain as Markdown, for a ticket. Every value from the logs goes into a
// code span or a fenced block (with a fence longer than any backtick run in
// it), so a command line cannot turn into a link, an image that fetches a
// URL, or markup in whatever renders the ticket. Control and bidirectional
// characters are escaped, so the text reads as it is.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const MAX = 4000;

function plain(value) {
  const text = value === null || value === undefined ? "" : String(value);
  const cut = text.length > MAX ? `${text.slice(0, MAX)}… (${text.length - MAX} more characters)` : text;
  return cut.replace(/\r?\n|\r/g, "\\n").replace(/\t/g, "\\t").replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A code span holding `value` as it is. */
function code(value) {
  const text = plain(value);
  if (text === "") return "`?`";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || text.startsWith(" ") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A code span safe inside a table cell (GFM splits cells on "|" even in code). */
const cell = (value) => code(value).replace(/\|/g, "\\|");

function fenced(value) {
  const text = plain(value);
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

const name = (path) => {
  const text = String(path ?? "?");
  const cut = Math.max(text.lastIndexOf("\\"), text.lastIndexOf("/"));
  return cut >= 0 && cut < text.length - 1 ? text.slice(cut + 1) : text;
};

function where(index, at) {
  const loc = at?.[index];
  if (!loc) return `#${index}`;
  return `#${index} (${loc.file} item ${loc.item}${loc.record != null ? `, record ${loc.record}` : ""})`;
}

/** The Markdown of one chain, its triage checklist and where its evidence came from. */
export function chainMarkdown(chain, triage, at) {
  const root = chain.root ?? {};
  const out = [];
  out.push(`### mshta chain ${code(chain.id)}: ${String(chain.severity).toUpperCase()} ${chain.score}`);
  out.push("");
  out.push(`- **Host:** ${code(chain.host)}`);
  out.push(`- **Process:** ${code(name(root.image))} pid ${code(root.pid)} at ${code(root.time)}${root.user ? `, user ${code(root.user)}` : ""}`);
  if (root.parent) out.push(`- **Parent:** ${code(name(root.parent.image))} pid ${code(root.parent.pid)}`);
  out.push(`- **Technique:** ${chain.technique} (analytic ${chain.analytic}), status ${chain.status}`);
  out.push("");
  out.push("**Command line**");
  out.push("");
  out.push(fenced(root.command_line ?? "(unknown)"));
  out.push("");
  const children = chain.children ?? [];
  if (children.length) {
    out.push("**Processes it started**");
    out.push("");
    for (const c of children) out.push(`${"  ".repeat(Math.max(0, (c.depth ?? 1) - 1))}- ${code(name(c.image))} pid ${code(c.pid)}${c.late ? " (late)" : ""}: ${code(c.command_line ?? "")}`);
    out.push("");
  }
  const activity = [
    ...(chain.network ?? []).map((n) => ["network", `${n.dst_ip ?? "?"}:${n.dst_port ?? "?"}${n.dst_host ? ` (${n.dst_host})` : ""} ${n.direction ?? ""}`, n]),
    ...(chain.dns ?? []).map((d) => ["dns", d.query, d]),
    ...(chain.files ?? []).map((f) => ["file", f.path, f]),
  ];
  if (activity.length) {
    out.push("| kind | what | by | time | evidence |");
    out.push("|---|---|---|---|---|");
    for (const [kind, what, item] of activity) {
      out.push(`| ${kind}${item.late ? " (late)" : ""} | ${cell(what)} | ${cell(`${name(item.image)} pid ${item.pid ?? "?"}`)} | ${cell(item.time)} | ${cell((item.events ?? [item.event]).map((i) => where(i, at)).join(", "))} |`);
    }
    out.push("");
  }
  out.push("| points | reason | detail |");
  out.push("|---|---|---|");
  for (const r of chain.reasons ?? []) out.push(`| ${r.points >= 0 ? "+" : ""}${r.points} | ${cell(r.id)} | ${cell(r.detail)} |`);
  out.push("");
  if (triage?.length) {
    out.push("**Triage**");
    out.push("");
    for (const t of triage) out.push(`- [ ] ${code(t)}`);
    out.push("");
  }
  out.push(`Evidence: input indexes ${cell(chainEvidence(chain).map((i) => where(i, at)).join(", "))}.`);
  return out.join("\n") + "\n";
}

function chainEvidence(chain) {
  const set = new Set();
  for (const list of [[chain.root], chain.children, chain.files, chain.network, chain.dns, chain.modules]) {
    for (const item of list ?? []) {
      if (Number.isInteger(item?.event)) set.add(item.event);
      for (const i of item?.events ?? []) set.add(i);
    }
  }
  return [...set].sort((a, b) => a - b);
}
