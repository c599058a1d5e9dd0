// Plain-text and NDJSON renderings of an mshta-chain report, and the triage
// checklist of a chain. No imports and no Node APIs, so the module runs
// unchanged in browsers, Deno and Workers.
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

// ---------------------------------------------------------------------------
// Triage: what to examine next, derived from the chain.

const SHELLS_AND_LOLBINS = new Set([
  "powershell.exe", "pwsh.exe", "powershell_ise.exe", "cmd.exe", "wscript.exe", "cscript.exe", "mshta.exe",
  "rundll32.exe", "regsvr32.exe", "certutil.exe", "bitsadmin.exe", "curl.exe", "wget.exe", "msiexec.exe",
  "schtasks.exe", "at.exe", "reg.exe", "regedit.exe", "wmic.exe", "msbuild.exe", "installutil.exe",
  "regasm.exe", "regsvcs.exe", "cmstp.exe", "forfiles.exe", "certreq.exe", "esentutl.exe", "expand.exe",
  "extrac32.exe", "hh.exe", "odbcconf.exe", "pcalua.exe", "sc.exe", "net.exe", "net1.exe", "whoami.exe",
  "nltest.exe", "bash.exe", "wsl.exe", "finger.exe", "ftp.exe", "tar.exe", "msxsl.exe",
]);
const POWERSHELL = new Set(["powershell.exe", "pwsh.exe", "powershell_ise.exe"]);
const OFFICE = new Set([
  "winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe", "onenote.exe", "onenotem.exe", "mspub.exe",
  "msaccess.exe", "visio.exe", "eqnedt32.exe",
]);
const BROWSERS = new Set(["chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe", "opera.exe", "brave.exe"]);
const SCRIPT_HOSTS = new Set(["cmd.exe", "wscript.exe", "cscript.exe", "powershell.exe", "pwsh.exe"]);
const RISKY_FILE = /\.(exe|dll|scr|com|pif|cpl|ocx|sys|ps1|psm1|psd1|vbs|vbe|js|jse|wsf|wsh|hta|sct|bat|cmd|lnk|msi|msp|jar|zip|7z|rar|cab|iso|img|vhd|vhdx)$/i;
const STARTUP = /\\start menu\\programs\\startup\\|\\programdata\\microsoft\\windows\\start menu\\programs\\startup\\/i;
// Needs (coverage verdicts) and the telemetry that provides them.
const TELEMETRY = {
  process_command_lines: ["process command lines", "Sysmon 1, or Security 4688 with command-line auditing"],
  parent_lineage: ["parent processes", "Sysmon 1 (ParentImage, ParentProcessGuid)"],
  file_creation: ["file-creation telemetry", "Sysmon 11"],
  network: ["network telemetry", "Sysmon 3 (or Security 5156)"],
  dns: ["DNS telemetry", "Sysmon 22"],
};

/** URLs and UNC paths named in a command line (trailing quote/bracket/punctuation removed). */
function commandLineTargets(commandLine) {
  if (typeof commandLine !== "string" || commandLine === "") return [];
  const out = [];
  const add = (t) => {
    const v = t.replace(/["'()<>;,\]]+$/g, "").replace(/[.]+$/, "");
    if (v.length > 0 && !out.includes(v)) out.push(v);
  };
  for (const m of commandLine.matchAll(/\b(?:https?|ftp):\/\/[^\s"'()<>]+/gi)) add(m[0]);
  for (const m of commandLine.matchAll(/\\\\[A-Za-z0-9._$@-]+(?:@SSL)?(?:@\d+)?\\[^\s"'()<>]+/g)) add(m[0]);
  return out;
}

/** Local .hta (or other) files the root's command line runs, from its quoted or bare arguments. */
function localTargets(commandLine) {
  if (typeof commandLine !== "string") return [];
  const out = [];
  for (const m of commandLine.matchAll(/"([A-Za-z]:\\[^"]+)"|(?:^|\s)([A-Za-z]:\\\S+)/g)) {
    const path = (m[1] ?? m[2]).replace(/["'();,]+$/, "");
    const name = imageName(path).toLowerCase();
    if (name === "mshta.exe" || name === "mshta") continue;
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

const lowerName = (path) => imageName(path).toLowerCase();

/**
 * The triage checklist of one chain: short imperative lines naming what to
 * examine next (the content mshta ran, its parent, the processes it started,
 * where it connected, what it wrote), and the telemetry its host lacks.
 * `report` (optional) supplies the host's coverage.
 */
export function triage(chain, report) {
  const items = [];
  const add = (text) => {
    if (!items.includes(text)) items.push(text);
  };
  const root = chain?.root ?? {};
  const cmd = typeof root.command_line === "string" ? root.command_line : "";
  const reasons = Array.isArray(chain?.reasons) ? chain.reasons : [];
  const has = (id) => reasons.some((r) => r.id === id);
  const files = Array.isArray(chain?.files) ? chain.files : [];

  // 1. What mshta ran.
  if (root.inferred || root.command_line == null) {
    add(`find mshta's own start (pid ${root.pid}) in the host's logs: its command line${root.parent ? "" : " and parent"} were not seen`);
  }
  for (const url of commandLineTargets(cmd)) {
    add(`retrieve and inspect the content at ${url} (in a sandbox: it is what mshta ran)`);
  }
  const inline = /\b(?:javascript|vbscript|about):/i.test(cmd);
  if (inline) {
    add("decode and review the inline script in mshta's command line (what it creates, runs or downloads)");
  }
  const ranByRoot = new Map(files.filter((f) => f.relation === "run_by_root").map((f) => [f.path.toLowerCase(), f]));
  // (A path inside inline script is the script's business, covered above.)
  for (const path of inline ? [] : localTargets(cmd)) {
    const dropped = ranByRoot.get(path.toLowerCase());
    const note = dropped ? ` (written by ${imageName(dropped.image)}${dropped.pid != null ? ` pid ${dropped.pid}` : ""} just before mshta ran it)` : "";
    add(`collect and inspect the file mshta ran: ${path}${note}`);
  }
  for (const f of ranByRoot.values()) {
    add(`collect and inspect the file mshta ran: ${f.path} (written by ${imageName(f.image)}${f.pid != null ? ` pid ${f.pid}` : ""} just before mshta ran it)`);
  }

  // 2. Who started it.
  const parent = root.parent;
  if (parent && parent.image) {
    const name = lowerName(parent.image);
    const who = `${imageName(parent.image)}${parent.pid != null ? ` pid ${parent.pid}` : ""}`;
    if (OFFICE.has(name)) add(`check the parent ${who} for the document or macro that launched mshta (and where it came from: mail, download)`);
    else if (name === "explorer.exe") add(`ask the user what they opened or ran (parent ${who}: a double-click, a shortcut or Run dialog)`);
    else if (name === "svchost.exe" || name === "wmiprvse.exe" || has("parent_dcom") || has("parent_wmi"))
      add(`find the remote caller: mshta was started through ${who} (DCOM/WMI); check inbound connections and logons on the host`);
    else if (BROWSERS.has(name)) add(`check the browser history of ${who} for the page or download that launched mshta`);
    else if (SCRIPT_HOSTS.has(name)) add(`check the parent ${who} (its command line and its own parent) for the script or document that launched mshta`);
    else add(`check the parent ${who} for what launched mshta`);
  }

  // 3. What it started.
  const children = Array.isArray(chain?.children) ? chain.children : [];
  const others = [];
  for (const c of children) {
    const name = lowerName(c.image);
    if (name === "conhost.exe") continue;
    if (POWERSHELL.has(name)) add(`review the PowerShell command line of pid ${c.pid} (and its script block log, event 4104)`);
    else if (SHELLS_AND_LOLBINS.has(name)) add(`review the command line of ${imageName(c.image)} pid ${c.pid}`);
    else if (c.executed_file) add(`collect and inspect ${c.image} (pid ${c.pid}): it runs a file the chain wrote`);
    else others.push(`${imageName(c.image)} pid ${c.pid}`);
  }
  if (others.length > 0) add(`check what the other processes it started did: ${others.slice(0, 3).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more` : ""}`);

  // 4. Where it connected, what it looked up.
  const network = Array.isArray(chain?.network) ? chain.network : [];
  const endpoints = [];
  for (const n of network) {
    if (n.direction === "inbound") {
      add(`find the host that connected in from ${n.src_ip ?? "?"} (port ${n.dst_port ?? "?"}): the likely DCOM caller`);
      continue;
    }
    const ip = n.dst_ip == null ? "?" : n.dst_ip.includes(":") ? `[${n.dst_ip}]` : n.dst_ip;
    const text = `${ip}:${n.dst_port ?? "?"}${n.dst_host ? ` (${n.dst_host})` : ""}`;
    if (!endpoints.includes(text)) endpoints.push(text);
  }
  if (endpoints.length > 0) {
    add(`block or inspect connections to ${endpoints.slice(0, 3).join(", ")}${endpoints.length > 3 ? ` and ${endpoints.length - 3} more` : ""}; look for other hosts talking to them`);
  }
  const queries = [...new Set((Array.isArray(chain?.dns) ? chain.dns : []).map((d) => d.query))];
  if (queries.length > 0) {
    add(`search DNS and proxy logs for other hosts resolving ${queries.slice(0, 3).join(", ")}${queries.length > 3 ? ` and ${queries.length - 3} more` : ""}`);
  }

  // 5. What it wrote.
  const written = files.filter((f) => f.relation !== "run_by_root");
  for (const f of files.filter((f) => STARTUP.test(f.path))) {
    add(`look for persistence in the Startup folder file ${f.path} (it runs at every logon)`);
  }
  // PowerShell writes and deletes __PSScriptPolicyTest_* at every start: not worth collecting.
  const risky = written
    .filter((f) => !STARTUP.test(f.path) && RISKY_FILE.test(f.path) && !/\\__PSScriptPolicyTest_[^\\]*$/i.test(f.path))
    .map((f) => f.path);
  if (risky.length > 0) add(`collect and hash the files it wrote: ${risky.slice(0, 3).join(", ")}${risky.length > 3 ? ` and ${risky.length - 3} more` : ""}`);

  // 6. Known good?
  if (reasons.some((r) => r.id === "baseline_known" || String(r.id).startsWith("allowlisted_"))) {
    add("confirm this is still the known-good use the baseline or allowlist describes");
  }

  // 7. What the telemetry of this host cannot show.
  const host = typeof chain?.host === "string" ? chain.host.toLowerCase() : "";
  const coverage = (Array.isArray(report?.coverage?.hosts) ? report.coverage.hosts : []).find((h) => h.host === host);
  for (const v of Array.isArray(coverage?.verdicts) ? coverage.verdicts : []) {
    const [what, source] = TELEMETRY[v.need] ?? [v.need, null];
    if (v.status === "missing") add(`no ${what} from this host: ask for ${source ?? "it"}`);
    else if (v.status === "partial") add(`${what} partial on this host (${v.detail}): ask for ${source ?? "more"}`);
  }
  return items;
}

/**
 * Renders a report as readable plain text: a header with counts; per chain
 * its root, parent, process tree, activity, reasons with their points and a
 * triage checklist (see `triage`); then the rejected items, the warnings,
 * the inventory count and the coverage section (overall verdicts, each gap
 * with its detail, and the hosts with gaps).
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

    const checklist = triage(chain, report);
    if (checklist.length > 0) {
      lines.push("  triage:");
      list(checklist, "    ", (item) => `- ${shorten(item, maxRootCmd)}`);
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

  // Inventory: every mshta execution, grouped for baselining.
  const inventory = Array.isArray(report?.inventory) ? report.inventory : [];
  if (inventory.length > 0) {
    const executions = inventory.reduce((n, g) => n + (Number(g?.count) || 0), 0);
    const hostNames = new Set(inventory.flatMap((g) => (Array.isArray(g?.host_names) ? g.host_names : [])));
    lines.push(
      "",
      `inventory: ${plural(inventory.length, "mshta invocation shape")} (${plural(executions, "execution")} on ${plural(hostNames.size, "host")}); ` +
        "see the report's inventory, or `mshta-chain baseline` to mark the known-good ones",
    );
  }

  // Coverage: what the telemetry can show, overall and per host (gaps only).
  const coverage = report?.coverage;
  const verdicts = Array.isArray(coverage?.overall?.verdicts) ? coverage.overall.verdicts : [];
  if ((stats.events ?? 0) > 0 && verdicts.length > 0) {
    const hosts = Array.isArray(coverage.hosts) ? coverage.hosts : [];
    const hostCount = hosts.length + (Number(coverage.hosts_not_listed) || 0);
    const status = (v) => {
      const text = `${clean(v.need)} ${clean(v.status)}`;
      return v.status === "ok" ? text : paint(v.status === "missing" ? ANSI.red : ANSI.yellow, text);
    };
    lines.push("", paint(ANSI.bold, `coverage (${plural(hostCount, "host")}):`));
    lines.push(`  overall: ${verdicts.map(status).join(", ")}`);
    for (const v of verdicts) if (v.status !== "ok") lines.push(`    ${status(v)}: ${clean(v.detail)}`);
    const gaps = hosts.filter((h) => (Array.isArray(h?.verdicts) ? h.verdicts : []).some((v) => v.status !== "ok"));
    list(gaps, "  ", (h) => {
      const bad = h.verdicts.filter((v) => v.status !== "ok");
      return `${clean(h.host)}: ${bad.map((v) => `${status(v)}: ${clean(v.detail)}`).join("; ")}`;
    });
    if (Number(coverage.hosts_not_listed) > 0) lines.push(paint(ANSI.dim, `  (${coverage.hosts_not_listed} more hosts counted in overall only)`));
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
