// Plain-text and NDJSON renderings of an mshta-chain report. No imports and
// no Node APIs, so the module runs unchanged in browsers, Deno and Workers.
//
// Everything printed that comes from telemetry (command lines, paths, host
// and user names) is passed through `clean`, which turns control characters
// into visible escapes: a command line can carry newlines that would break
// the layout, or terminal escape sequences planted by an attacker.

const SEVERITIES = ["informational", "low", "medium", "high", "critical"];

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
  boldRed: "\x1b[1;31m",
};

const SEVERITY_COLOUR = {
  critical: ANSI.boldRed,
  high: ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.cyan,
  informational: ANSI.dim,
};

/**
 * The rank of a severity name, from 0 (`informational`) to 4 (`critical`);
 * -1 for anything else.
 */
export function severityRank(severity) {
  return SEVERITIES.indexOf(severity);
}

/** The file name of a Windows or POSIX path (`C:\x\mshta.exe` -> `mshta.exe`). */
export function imageName(path) {
  if (path === null || path === undefined || path === "") return "?";
  const text = String(path);
  const cut = Math.max(text.lastIndexOf("\\"), text.lastIndexOf("/"));
  return cut >= 0 && cut < text.length - 1 ? text.slice(cut + 1) : text;
}

/** Makes control characters visible so one value stays on one line. */
function clean(value) {
  if (value === null || value === undefined) return "";
  // C0 controls, DEL and C1 controls (U+0080-U+009F, which include CSI).
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    switch (ch) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
    }
  });
}

/** `clean`, then cut to `max` characters with an ellipsis. */
function shorten(value, max) {
  const text = clean(value);
  if (!(max > 0) || text.length <= max) return text;
  return text.slice(0, Math.max(1, max - 3)) + "...";
}

function plural(n, one, many = one + "s") {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Orders descendants as a tree: each one after its parent, siblings in start
 * order. The parent of a process at depth d is the latest process before it,
 * in start order, at depth d-1 with its `parent_pid` (pids are reused, so the
 * latest match wins). Depth-1 processes hang off the root; a process whose
 * parent cannot be found keeps its place at the top level.
 */
function treeOrder(children) {
  const nodes = children.map((child) => ({ child, kids: [] }));
  const top = [];
  nodes.forEach((node, i) => {
    const { depth, parent_pid: parentPid } = node.child;
    let parent = null;
    if (depth > 1) {
      for (let j = i - 1; j >= 0; j--) {
        const c = nodes[j].child;
        if (c.depth === depth - 1 && c.pid === parentPid) {
          parent = nodes[j];
          break;
        }
      }
    }
    (parent ? parent.kids : top).push(node);
  });
  const out = [];
  const walk = (list) => {
    for (const node of list) {
      out.push(node.child);
      walk(node.kids);
    }
  };
  walk(top);
  return out;
}

/**
 * Renders a report as readable plain text.
 *
 * Options: `color` (true for ANSI colours; default false), `maxItems` (items
 * shown per list before "... and N more"; default 20), `maxCommandLine`
 * (characters of a descendant's command line; default 160) and
 * `maxRootCommandLine` (characters of the root's command line; default 2000).
 */
export function formatText(report, options = {}) {
  const opts = options ?? {};
  const color = opts.color === true;
  const maxItems = Number.isInteger(opts.maxItems) && opts.maxItems > 0 ? opts.maxItems : 20;
  const maxCmd = Number.isInteger(opts.maxCommandLine) && opts.maxCommandLine > 0 ? opts.maxCommandLine : 160;
  const maxRootCmd =
    Number.isInteger(opts.maxRootCommandLine) && opts.maxRootCommandLine > 0 ? opts.maxRootCommandLine : 2000;

  const paint = (code, text) => (color && code ? code + text + ANSI.reset : text);
  const lines = [];

  // Lists longer than maxItems are cut, with a count of what was left out.
  const list = (items, indent, render) => {
    const shown = items.slice(0, maxItems);
    for (const item of shown) lines.push(indent + render(item));
    if (items.length > shown.length) lines.push(indent + paint(ANSI.dim, `... and ${items.length - shown.length} more`));
  };
  const late = (item) => (item.late ? " " + paint(ANSI.dim, "(late)") : "");
  const by = (item) => {
    if (item.image) return `by ${clean(imageName(item.image))}${item.pid != null ? ` pid ${item.pid}` : ""}`;
    return item.pid != null ? `by pid ${item.pid}` : "by ?";
  };

  const chains = Array.isArray(report?.chains) ? report.chains : [];
  const stats = report?.stats ?? {};
  const errors = Array.isArray(report?.errors) ? report.errors : [];
  const warnings = Array.isArray(report?.warnings) ? report.warnings : [];

  // Header.
  const counts = [
    plural(stats.events ?? 0, "event"),
    `${stats.accepted ?? 0} accepted`,
    `${stats.rejected ?? 0} rejected`,
    `${stats.ignored ?? 0} ignored`,
  ];
  let header = `mshta-chain: ${plural(chains.length, "chain")} | ${counts.join(", ")}`;
  if (stats.chains_below_min_score > 0) header += ` | ${stats.chains_below_min_score} below min score`;
  lines.push(paint(ANSI.bold, header));

  if (chains.length === 0) {
    lines.push("", "no mshta chains found");
  }

  for (const chain of chains) {
    const root = chain.root ?? {};
    const severity = String(chain.severity ?? "");
    const tag = paint(SEVERITY_COLOUR[severity], `[${severity.toUpperCase()} ${chain.score}]`);
    lines.push("");
    lines.push(
      `${tag} ${paint(ANSI.bold, clean(chain.host))}  ${clean(imageName(root.image))} pid ${root.pid}  ${clean(root.time)}  ${clean(chain.id)}` +
        (root.inferred ? "  " + paint(ANSI.dim, "(inferred root)") : ""),
    );

    const field = (label, value) => lines.push(`  ${(label + ":").padEnd(10)}${value}`);
    field("command", root.command_line == null ? paint(ANSI.dim, "(unknown)") : shorten(root.command_line, maxRootCmd));
    field("user", root.user == null ? paint(ANSI.dim, "(unknown)") : clean(root.user));
    const parent = root.parent;
    if (parent) {
      let text = clean(imageName(parent.image));
      if (parent.pid != null) text += ` pid ${parent.pid}`;
      if (parent.command_line != null) text += `  ${shorten(parent.command_line, maxCmd)}`;
      field("parent", text);
    } else {
      field("parent", paint(ANSI.dim, "(unknown)"));
    }
    // Ancestors above the parent, nearest first in the report: shown from
    // the farthest down to the nearest.
    const lineage = Array.isArray(chain.lineage) ? chain.lineage : [];
    if (lineage.length > 0) {
      const ancestors = [...lineage]
        .reverse()
        .map((a) => `${clean(imageName(a.image))}${a.pid != null ? ` pid ${a.pid}` : ""}`);
      field("lineage", ancestors.join(" > "));
    }
    if (chain.status === "open" || chain.status === "closed") {
      field("status", chain.status === "open" ? "open (activity may still join)" : "closed");
    }

    const children = Array.isArray(chain.children) ? chain.children : [];
    if (children.length > 0) {
      lines.push(`  processes (${children.length}):`);
      list(treeOrder(children), "    ", (child) => {
        const indent = "  ".repeat(Math.max(0, (child.depth ?? 1) - 1));
        const cmd = child.command_line == null ? "" : `  ${shorten(child.command_line, maxCmd)}`;
        return `${indent}${clean(imageName(child.image))} pid ${child.pid}${cmd}${late(child)}`;
      });
    }

    const network = Array.isArray(chain.network) ? chain.network : [];
    if (network.length > 0) {
      lines.push(`  network (${network.length}):`);
      list(network, "    ", (n) => {
        const ip = n.dst_ip == null ? "?" : clean(n.dst_ip);
        const addr = `${ip.includes(":") ? `[${ip}]` : ip}:${n.dst_port ?? "?"}`;
        const host = n.dst_host ? ` ${clean(n.dst_host)}` : "";
        return `${addr}${host}  ${clean(n.direction)}  ${by(n)}${late(n)}`;
      });
    }

    const dns = Array.isArray(chain.dns) ? chain.dns : [];
    if (dns.length > 0) {
      lines.push(`  dns (${dns.length}):`);
      list(dns, "    ", (d) => `${clean(d.query)}  ${by(d)}${late(d)}`);
    }

    const files = Array.isArray(chain.files) ? chain.files : [];
    if (files.length > 0) {
      lines.push(`  files (${files.length}):`);
      const relation = (f) => (f.relation === "run_by_root" ? " " + paint(ANSI.dim, "(run by mshta)") : "");
      list(files, "    ", (f) => `${clean(f.path)}  ${by(f)}${relation(f)}${late(f)}`);
    }

    const modules = Array.isArray(chain.modules) ? chain.modules : [];
    if (modules.length > 0) {
      lines.push(`  modules (${modules.length}):`);
      list(modules, "    ", (m) => `${clean(imageName(m.path))}  ${by(m)}`);
    }

    const reasons = Array.isArray(chain.reasons) ? chain.reasons : [];
    if (reasons.length > 0) {
      lines.push("  reasons:");
      const signed = (r) => (r.points >= 0 ? `+${r.points}` : String(r.points));
      const pointsWidth = Math.max(...reasons.map((r) => signed(r).length));
      const idWidth = Math.max(...reasons.map((r) => clean(r.id).length));
      list(reasons, "    ", (r) => `${signed(r).padStart(pointsWidth)}  ${clean(r.id).padEnd(idWidth)}  ${clean(r.detail)}`);
    }
  }

  // Rejected items: `errors` is capped by max_errors, `stats.rejected` is the
  // full count, so "... and N more" counts from the larger of the two.
  const rejected = Math.max(errors.length, Number(stats.rejected) || 0);
  if (rejected > 0) {
    lines.push("", `errors (${rejected}):`);
    const shown = errors.slice(0, maxItems);
    for (const e of shown) lines.push(`  ${e.index}: ${clean(e.reason)}`);
    if (rejected > shown.length) lines.push("  " + paint(ANSI.dim, `... and ${rejected - shown.length} more`));
  }

  if (warnings.length > 0) {
    lines.push("");
    for (const w of warnings) lines.push(paint(ANSI.yellow, `warning: ${clean(w)}`));
  }

  // Telemetry gaps: what this data cannot show (overall verdicts not "ok").
  const verdicts = Array.isArray(report?.coverage?.overall?.verdicts) ? report.coverage.overall.verdicts : [];
  const gaps = (stats.events ?? 0) > 0 ? verdicts.filter((v) => v && v.status !== "ok") : [];
  if (gaps.length > 0) {
    lines.push("");
    for (const v of gaps) lines.push(paint(ANSI.dim, `coverage: ${clean(v.need)} ${clean(v.status)}: ${clean(v.detail)}`));
  }

  return lines.map((line) => line.trimEnd()).join("\n") + "\n";
}

/** One JSON line per chain, each ending in "\n"; "" when there are none. */
export function formatNdjson(report) {
  const chains = Array.isArray(report?.chains) ? report.chains : [];
  let out = "";
  for (const chain of chains) out += JSON.stringify(chain) + "\n";
  return out;
}
