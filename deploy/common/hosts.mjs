// Routing by host: which host an event belongs to, as the subject token or
// Durable Object name that carries it.
//
// The core decides what a host is (core/src/decode: the field each schema
// names it in; core/src/names.rs `host_key`: trimmed, ASCII lower case); the
// package does not export that decision, so the fields are listed here once
// for every deployment in deploy/, in the core's order. A wrong guess here
// cannot change a chain, only where it is computed: an event whose host is
// not found is routed under UNROUTED (the core rejects or ignores such an
// event, or counts it as unattributable; it never joins a chain).

/** The token used for events that name no host. */
export const UNROUTED = "_unrouted";

const text = (v) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const obj = (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined);

/**
 * The host an event names, as the core reads it: Winlogbeat/ECS
 * (`winlog.computer_name`, `host.name`, `host.hostname`), evtx_dump
 * (`Event.System.Computer`), flat Windows exports (`Computer`, `Hostname`),
 * OCSF (`device.hostname`, `device.name`), Defender XDR (`DeviceName`, or
 * `properties.DeviceName` in a streaming-API record).
 * Returns the core's host key (trimmed, ASCII lower case) or undefined.
 */
export function hostOf(event) {
  const e = obj(event);
  if (!e) return undefined;
  const found =
    text(obj(e.winlog)?.computer_name) ??
    text(obj(e.host)?.name) ??
    text(obj(e.host)?.hostname) ??
    text(obj(obj(e.Event)?.System)?.Computer) ??
    text(e.Computer) ??
    text(e.Hostname) ??
    text(obj(e.device)?.hostname) ??
    text(obj(e.device)?.name) ??
    text(e.DeviceName) ??
    text(obj(e.properties)?.DeviceName) ??
    edrHost(e);
  return found === undefined ? undefined : hostKey(found);
}

/** The first of `keys` (dotted keys as exported, or nested) with text. */
function pick(e, keys) {
  for (const key of keys) {
    const flat = text(e[key]);
    if (flat !== undefined) return flat;
    const nested = key.split(".").reduce((o, k) => obj(o)?.[k], e);
    if (text(nested) !== undefined) return nested;
  }
  return undefined;
}
const cim = (field, sets) => [...sets.map((s) => `${s}.${field}`), field];

/**
 * The host of the schemas decoded by key path, as core/src/decode reads it:
 * Vector (`computer`), CrowdStrike (`ComputerName`, else `aid`), Carbon
 * Black (`device_name`, the part after `DOMAIN\`), SentinelOne
 * (`endpoint.name`), Splunk CIM (`dest`, `dvc`, `src` by row kind and
 * direction, with or without the datamodel prefixes).
 */
function edrHost(e) {
  if (text(e.computer) && (e.event_data !== undefined || e.event_id !== undefined)) return e.computer;
  if (text(e.event_simpleName)) return text(e.ComputerName) ?? text(e.aid);
  if (text(e.type)?.startsWith("endpoint.event.") && text(e.device_name)) return e.device_name.split("\\").pop();
  const s1 = pick(e, ["endpoint.name"]);
  if (s1 !== undefined) return s1;
  const dest = pick(e, cim("dest", ["Processes", "Filesystem", "All_Traffic", "Network_Resolution", "DNS"]));
  const dvc = pick(e, cim("dvc", ["All_Traffic", "Network_Resolution", "DNS"]));
  const src = pick(e, cim("src", ["All_Traffic", "Network_Resolution", "DNS"]));
  const has = (field, sets) => pick(e, cim(field, sets)) !== undefined;
  if (has("file_path", ["Filesystem"]) || has("file_name", ["Filesystem"])) return dest ?? dvc;
  if (has("query", ["Network_Resolution", "DNS"])) return dvc ?? src ?? dest;
  if (has("dest_port", ["All_Traffic"]) || has("dest_ip", ["All_Traffic"])) {
    const inbound = pick(e, cim("direction", ["All_Traffic"]))?.toLowerCase() === "inbound";
    return inbound ? dvc ?? dest : dvc ?? src ?? dest;
  }
  return dest ?? dvc;
}

/**
 * The host tokens of one JSON line: one entry, or, for a Defender
 * streaming-API envelope (`{"records":[...]}`) whose records name several
 * hosts, one envelope per host (each record is decoded on its own by the
 * core, so splitting the envelope changes no chain, only item counts).
 */
export function routeLine(line) {
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    return [{ token: UNROUTED, line }];
  }
  const records = obj(event)?.records;
  if (Array.isArray(records) && records.length > 0) {
    const groups = new Map();
    for (const record of records) {
      const token = hostToken(hostOf(record));
      if (!groups.has(token)) groups.set(token, []);
      groups.get(token).push(record);
    }
    if (groups.size === 1) return [{ token: groups.keys().next().value, line }];
    return [...groups].map(([token, rs]) => ({ token, line: JSON.stringify({ ...event, records: rs }) }));
  }
  return [{ token: hostToken(hostOf(event)), line }];
}

/** The core's host key: trimmed, ASCII letters lowered (other characters kept). */
export function hostKey(host) {
  return host.trim().replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * A host key as one NATS subject token (and a Durable Object name): the
 * letters, digits, `-` and `_` of a host stay as they are; every other byte
 * of its UTF-8 (the dots of an FQDN, `*`, `>`, spaces) becomes `~XX` in hex,
 * so the token never splits and never collides.
 */
export function hostToken(key) {
  if (key === undefined) return UNROUTED;
  let out = "";
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9_-]/.test(c) ? c : `~${byte.toString(16).padStart(2, "0")}`;
  }
  return out === "" ? UNROUTED : out;
}

/**
 * nats-server's subject-mapping function `{{partition(n,1)}}`: FNV-1a (32
 * bit) of the token, modulo n. Used only to report and to check which
 * partition a host lands in; the server applies the mapping itself.
 */
export function partitionOf(token, n) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(token)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

/**
 * Splits JSON Lines text into lines (non-blank, in order) with their host
 * token. A line that is not JSON goes under UNROUTED, as is, so the core
 * still counts it as rejected.
 */
export function routeLines(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (line.trim() !== "") out.push(...routeLine(line));
  }
  return out;
}
