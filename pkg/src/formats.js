// SOC output formats for an mshta-chain report: OCSF 1.8.0 Detection
// Findings (class 2004) and ECS alert documents, one per chain. No imports
// and no Node APIs, so the module runs unchanged in browsers, Deno and
// Workers.
//
// Both take a report (or anything with a `chains` array, such as a
// Detector's Update) and return plain objects ready for JSON.stringify.
// Values come from the report as they are: nothing is read from a clock,
// and every time is event time. Fields without a value are left out rather
// than written as null.

/** The OCSF schema version of the findings. */
export const OCSF_VERSION = "1.8.0";

/** The ECS version the alert documents follow. */
export const ECS_VERSION = "8.11.0";

/** The package version written as the product version unless `options.productVersion` is given. */
export const PRODUCT_VERSION = "0.1.0";

const PRODUCT = "mshta-chain";

const TECHNIQUE = { id: "T1218.005", name: "Mshta", reference: "https://attack.mitre.org/techniques/T1218/005/" };
const PARENT_TECHNIQUE = {
  id: "T1218",
  name: "System Binary Proxy Execution",
  reference: "https://attack.mitre.org/techniques/T1218/",
};
const TACTIC = { id: "TA0005", name: "Defense Evasion", reference: "https://attack.mitre.org/tactics/TA0005/" };
const ANALYTIC = { uid: "AN1397", name: "mshta.exe execution chain (T1218.005)" };
const RULE_DESCRIPTION =
  "mshta.exe ran HTML Application or inline script content; the chain correlates its command line, " +
  "parent, and the processes, files, connections and DNS lookups that followed within the window " +
  "(MITRE ATT&CK T1218.005, analytic AN1397). The score is the sum of the reasons' points.";

const SEVERITIES = ["informational", "low", "medium", "high", "critical"];
const OCSF_SEVERITY = ["Informational", "Low", "Medium", "High", "Critical"];
const OCSF_RISK_LEVEL = ["Info", "Low", "Medium", "High", "Critical"];

// OCSF type_uids of the events a chain cites (class_uid * 100 + activity_id).
const TYPE_PROCESS_LAUNCH = 100701;
const TYPE_FILE_CREATE = 100101;
const TYPE_MODULE_LOAD = 100501;
const TYPE_NETWORK_OPEN = 400101;
const TYPE_DNS_QUERY = 400301;

/**
 * The OCSF `severity_id` of a chain's severity: 1 (informational) to 5
 * (critical); 0 (Unknown) for anything else.
 */
export function ocsfSeverityId(severity) {
  return SEVERITIES.indexOf(severity) + 1;
}

/** Epoch milliseconds of an RFC 3339 time; null when missing or unreadable. */
function ms(time) {
  if (typeof time !== "string" || time === "") return null;
  const t = Date.parse(time);
  return Number.isFinite(t) ? t : null;
}

/** The file name of a Windows or POSIX path. */
function baseName(path) {
  if (typeof path !== "string" || path === "") return null;
  const cut = Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/"));
  return cut >= 0 && cut < path.length - 1 ? path.slice(cut + 1) : path;
}

/** A copy of `object` without the keys whose value is null, undefined or an empty string. */
function compact(object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === null || value === undefined || value === "") continue;
    out[key] = value;
  }
  return out;
}

/** `DOMAIN\user` split into { domain, name }; a name without a domain stays whole. */
function splitUser(user) {
  if (typeof user !== "string" || user === "") return null;
  const cut = user.indexOf("\\");
  return cut > 0 ? { domain: user.slice(0, cut), name: user.slice(cut + 1) } : { name: user };
}

const list = (value) => (Array.isArray(value) ? value : []);

/** The chains of a report (or of anything with a `chains` array). */
function chainsOf(report) {
  return list(report?.chains).filter((c) => c !== null && typeof c === "object");
}

/** Every time (epoch ms) the chain's evidence carries. */
function chainTimes(chain) {
  const times = [chain.root?.time, chain.root?.end_time];
  for (const key of ["children", "files", "network", "dns", "modules"]) {
    for (const item of list(chain[key])) times.push(item?.time);
  }
  return times.map(ms).filter((t) => t !== null);
}

/** Every input index the chain cites, ascending, each with the OCSF type_uid of its event when known. */
function relatedEvents(chain) {
  const types = new Map();
  const add = (index, type) => {
    if (!Number.isInteger(index)) return;
    if (!types.has(index) || types.get(index) === null) types.set(index, type);
  };
  const root = chain.root ?? {};
  for (const i of list(root.events)) add(i, TYPE_PROCESS_LAUNCH);
  add(root.event, TYPE_PROCESS_LAUNCH);
  for (const c of list(chain.children)) {
    for (const i of list(c.events)) add(i, TYPE_PROCESS_LAUNCH);
    add(c.event, TYPE_PROCESS_LAUNCH);
  }
  for (const f of list(chain.files)) add(f.event, TYPE_FILE_CREATE);
  for (const n of list(chain.network)) {
    for (const i of list(n.events)) add(i, TYPE_NETWORK_OPEN);
    add(n.event, TYPE_NETWORK_OPEN);
  }
  for (const d of list(chain.dns)) add(d.event, TYPE_DNS_QUERY);
  for (const m of list(chain.modules)) add(m.event, TYPE_MODULE_LOAD);
  for (const r of list(chain.reasons)) for (const i of list(r.events)) add(i, null);
  return [...types.entries()].sort((a, b) => a[0] - b[0]);
}

/** A one-line summary of a chain: parent > mshta > children, and the score. */
function summary(chain) {
  const root = chain.root ?? {};
  const parent = root.parent?.image ? `${baseName(root.parent.image)} > ` : "";
  const kids = [...new Set(list(chain.children).filter((c) => c.depth === 1).map((c) => baseName(c.image)))];
  const after = kids.length > 0 ? ` > ${kids.join(", ")}` : "";
  return `${parent}${baseName(root.image) ?? "mshta.exe"}${after}`;
}

function title(chain) {
  return `mshta.exe execution chain on ${chain.host}: ${summary(chain)} (${chain.severity} ${chain.score})`;
}

function description(chain) {
  const root = chain.root ?? {};
  const reasons = list(chain.reasons).map((r) => `${r.points >= 0 ? "+" : ""}${r.points} ${r.id}: ${r.detail}`);
  const cmd = root.command_line == null ? "(command line unknown)" : root.command_line;
  return `${cmd}\n${reasons.join("\n")}`;
}

// ---------------------------------------------------------------------------
// OCSF

function ocsfFile(path) {
  return compact({ path, name: baseName(path), type_id: 1, type: "Regular File" });
}

/** An OCSF process object from the report's fields. */
function ocsfProcess({ pid, guid, image, commandLine, time, user }) {
  const u = splitUser(user);
  return compact({
    pid: Number.isInteger(pid) ? pid : null,
    uid: guid,
    name: baseName(image),
    cmd_line: commandLine,
    created_time: ms(time),
    file: image ? ocsfFile(image) : null,
    user: u ? compact(u) : null,
  });
}

/** The process that did something (a file, connection, DNS query or module load), as an OCSF actor. */
function ocsfActor(item) {
  const proc = ocsfProcess({ pid: item.pid, image: item.image });
  return Object.keys(proc).length > 0 ? { process: proc } : null;
}

const DIRECTION = {
  inbound: [1, "Inbound"],
  outbound: [2, "Outbound"],
};

function ocsfEvidences(chain) {
  const root = chain.root ?? {};
  const evidences = [];
  const parent = root.parent
    ? ocsfProcess({
        pid: root.parent.pid,
        guid: root.parent.process_guid,
        image: root.parent.image,
        commandLine: root.parent.command_line,
      })
    : null;
  const rootProcess = ocsfProcess({
    pid: root.pid,
    guid: root.process_guid,
    image: root.image,
    commandLine: root.command_line,
    time: root.time,
    user: root.user,
  });
  if (parent && Object.keys(parent).length > 0) rootProcess.parent_process = parent;
  if (ms(root.end_time) !== null) rootProcess.terminated_time = ms(root.end_time);
  evidences.push({
    process: rootProcess,
    data: compact({
      kind: "root",
      inferred: root.inferred === true,
      events: list(root.events),
      sources: list(root.sources),
    }),
  });
  for (const c of list(chain.children)) {
    const proc = ocsfProcess({
      pid: c.pid,
      guid: c.process_guid,
      image: c.image,
      commandLine: c.command_line,
      time: c.time,
    });
    if (Number.isInteger(c.parent_pid)) proc.parent_process = { pid: c.parent_pid };
    evidences.push({
      process: proc,
      data: { kind: "child", depth: c.depth, late: c.late === true, executed_file: c.executed_file === true, events: list(c.events) },
    });
  }
  for (const n of list(chain.network)) {
    const [directionId, direction] = DIRECTION[n.direction] ?? [0, "Unknown"];
    evidences.push(
      compact({
        dst_endpoint: compact({ ip: n.dst_ip, port: n.dst_port, hostname: n.dst_host }),
        src_endpoint: compact({ ip: n.src_ip, port: n.src_port }),
        connection_info: { direction_id: directionId, direction },
        actor: ocsfActor(n),
        data: { kind: "network", time: n.time, late: n.late === true, events: list(n.events), sources: list(n.sources) },
      }),
    );
  }
  for (const d of list(chain.dns)) {
    evidences.push(
      compact({
        query: { hostname: d.query },
        actor: ocsfActor(d),
        data: { kind: "dns", time: d.time, late: d.late === true, events: [d.event] },
      }),
    );
  }
  for (const f of list(chain.files)) {
    evidences.push(
      compact({
        file: ocsfFile(f.path),
        actor: ocsfActor(f),
        data: { kind: "file", relation: f.relation, time: f.time, late: f.late === true, events: [f.event] },
      }),
    );
  }
  for (const m of list(chain.modules)) {
    evidences.push(
      compact({
        file: ocsfFile(m.path),
        actor: ocsfActor(m),
        data: { kind: "module", time: m.time, events: [m.event] },
      }),
    );
  }
  return evidences;
}

/** One OCSF 1.8.0 Detection Finding for one chain. */
function ocsfFinding(chain, productVersion) {
  const root = chain.root ?? {};
  const severityId = ocsfSeverityId(chain.severity);
  const times = chainTimes(chain);
  const update = Number.isInteger(chain.version) && chain.version > 1;
  const activityId = update ? 2 : 1;
  return compact({
    class_uid: 2004,
    class_name: "Detection Finding",
    category_uid: 2,
    category_name: "Findings",
    activity_id: activityId,
    activity_name: update ? "Update" : "Create",
    type_uid: 2004 * 100 + activityId,
    type_name: `Detection Finding: ${update ? "Update" : "Create"}`,
    severity_id: severityId,
    severity: severityId > 0 ? OCSF_SEVERITY[severityId - 1] : "Unknown",
    time: ms(root.time),
    status_id: 1,
    status: "New",
    is_alert: severityId >= 3,
    risk_score: chain.score,
    risk_level_id: severityId > 0 ? severityId - 1 : null,
    risk_level: severityId > 0 ? OCSF_RISK_LEVEL[severityId - 1] : null,
    message: title(chain),
    metadata: {
      version: OCSF_VERSION,
      product: { name: PRODUCT, vendor_name: PRODUCT, version: productVersion },
      uid: chain.id,
    },
    finding_info: compact({
      uid: chain.id,
      title: title(chain),
      desc: description(chain),
      analytic: { uid: ANALYTIC.uid, name: ANALYTIC.name, type_id: 1, type: "Rule" },
      attacks: [
        {
          technique: { uid: TECHNIQUE.id, name: TECHNIQUE.name },
          tactic: { uid: TACTIC.id, name: TACTIC.name },
        },
      ],
      first_seen_time: times.length > 0 ? Math.min(...times) : null,
      last_seen_time: times.length > 0 ? Math.max(...times) : null,
      related_events: relatedEvents(chain).map(([index, type]) => compact({ uid: String(index), type_uid: type })),
    }),
    device: compact({ hostname: chain.host, type_id: 0, type: "Unknown" }),
    evidences: ocsfEvidences(chain),
    unmapped: compact({
      reasons: list(chain.reasons),
      score: chain.score,
      severity: chain.severity,
      status: chain.status,
      technique: chain.technique,
      analytic: chain.analytic,
      version: chain.version,
      lineage: list(chain.lineage),
    }),
  });
}

/**
 * One OCSF 1.8.0 Detection Finding (class_uid 2004) per chain of the report,
 * in the report's order. Options: `productVersion` (the `metadata.product`
 * version; default {@link PRODUCT_VERSION}).
 */
export function toOcsf(report, options = {}) {
  const productVersion = typeof options?.productVersion === "string" ? options.productVersion : PRODUCT_VERSION;
  return chainsOf(report).map((chain) => ocsfFinding(chain, productVersion));
}

// ---------------------------------------------------------------------------
// ECS

/** An ECS process (or parent) object from the report's fields. */
function ecsProcess({ pid, guid, image, commandLine, time, endTime }) {
  return compact({
    pid: Number.isInteger(pid) ? pid : null,
    entity_id: guid,
    executable: image,
    name: baseName(image),
    command_line: commandLine,
    start: time,
    end: endTime,
  });
}

function ecsAlert(chain, productVersion) {
  const root = chain.root ?? {};
  const times = chainTimes(chain);
  const severityId = ocsfSeverityId(chain.severity);
  const proc = ecsProcess({
    pid: root.pid,
    guid: root.process_guid,
    image: root.image,
    commandLine: root.command_line,
    time: root.time,
    endTime: root.end_time,
  });
  if (root.parent) {
    const parent = ecsProcess({
      pid: root.parent.pid,
      guid: root.parent.process_guid,
      image: root.parent.image,
      commandLine: root.parent.command_line,
    });
    if (Object.keys(parent).length > 0) proc.parent = parent;
  }
  const user = splitUser(root.user);
  const ips = new Set();
  for (const n of list(chain.network)) {
    if (n.dst_ip) ips.add(n.dst_ip);
    if (n.src_ip) ips.add(n.src_ip);
  }
  const iso = (t) => (t === null ? null : new Date(t).toISOString());
  return compact({
    "@timestamp": root.time,
    ecs: { version: ECS_VERSION },
    message: `${title(chain)}: ${root.command_line ?? "(command line unknown)"}`,
    tags: [PRODUCT, TECHNIQUE.id, ANALYTIC.uid],
    event: compact({
      kind: "alert",
      category: ["process"],
      type: ["start"],
      action: "mshta-execution-chain",
      id: chain.id,
      module: PRODUCT,
      dataset: `${PRODUCT.replace("-", "_")}.alert`,
      provider: PRODUCT,
      severity: severityId,
      risk_score: chain.score,
      risk_score_norm: chain.score,
      start: iso(times.length > 0 ? Math.min(...times) : null),
      end: iso(times.length > 0 ? Math.max(...times) : null),
      reason: list(chain.reasons).map((r) => r.id).join(", "),
    }),
    rule: {
      id: ANALYTIC.uid,
      name: ANALYTIC.name,
      description: RULE_DESCRIPTION,
      reference: TECHNIQUE.reference,
      category: TACTIC.name,
      ruleset: PRODUCT,
      version: productVersion,
    },
    threat: {
      framework: "MITRE ATT&CK",
      tactic: { id: [TACTIC.id], name: [TACTIC.name], reference: [TACTIC.reference] },
      technique: {
        id: [PARENT_TECHNIQUE.id],
        name: [PARENT_TECHNIQUE.name],
        reference: [PARENT_TECHNIQUE.reference],
        subtechnique: { id: [TECHNIQUE.id], name: [TECHNIQUE.name], reference: [TECHNIQUE.reference] },
      },
    },
    host: compact({ name: typeof chain.host === "string" ? chain.host.toLowerCase() : null, hostname: chain.host }),
    process: proc,
    user: user ? compact(user) : null,
    related: compact({
      hosts: chain.host ? [chain.host] : null,
      ip: ips.size > 0 ? [...ips] : null,
      user: user ? [user.name] : null,
    }),
    observer: { vendor: PRODUCT, product: PRODUCT, version: productVersion },
    mshta_chain: compact({
      id: chain.id,
      score: chain.score,
      severity: chain.severity,
      status: chain.status,
      version: chain.version,
      technique: chain.technique,
      analytic: chain.analytic,
      root: {
        inferred: root.inferred === true,
        event: root.event ?? null,
        events: list(root.events),
        sources: list(root.sources),
        user: root.user ?? null,
      },
      lineage: list(chain.lineage),
      children: list(chain.children),
      network: list(chain.network),
      dns: list(chain.dns),
      files: list(chain.files),
      modules: list(chain.modules),
      reasons: list(chain.reasons),
    }),
  });
}

/**
 * One ECS alert document (`event.kind: "alert"`) per chain of the report, in
 * the report's order. `mshta_chain` carries the whole chain (children,
 * network, DNS, files, modules, reasons). Options: `productVersion` (the
 * `rule.version` and `observer.version`; default {@link PRODUCT_VERSION}).
 */
export function toEcs(report, options = {}) {
  const productVersion = typeof options?.productVersion === "string" ? options.productVersion : PRODUCT_VERSION;
  return chainsOf(report).map((chain) => ecsAlert(chain, productVersion));
}
