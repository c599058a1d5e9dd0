// Routing by host: which host an event belongs to, as the subject token or
// Durable Object name that carries it.
//
// The core decides what a host is: which field each schema names it in
// (core/src/decode) and its key (trimmed, ASCII lower case); the package
// exports that decision as `hostOf` (core/src/route.rs), and every
// deployment in deploy/ routes with it. Nothing here knows a field name.
// An event the core files under no host (not an event, rejected, ignored)
// is routed under UNROUTED: the core rejects, ignores or counts it there as
// anywhere, and it never joins a chain.
//
// This module imports nothing from the package, so that it runs unchanged
// in Node and in workerd: the caller passes the package's `hostOf`
// (`router(hostOf)`), from "mshta-chain" in Node or pkg/workerd.js in a
// Worker.

/** The token used for events that name no host. */
export const UNROUTED = "_unrouted";

/**
 * The routing functions over the package's `hostOf` (the host key the
 * core files one event under, or undefined).
 */
export function router(hostOf) {
  /**
   * The host tokens of one JSON line: one entry, or, for a Defender
   * streaming-API envelope (`{"records":[...]}`) whose records name several
   * hosts, one envelope per host (each record is decoded on its own by the
   * core, so splitting the envelope changes no chain, only item counts).
   */
  function routeLine(line) {
    const key = hostOf(line);
    if (key !== undefined) return [{ token: hostToken(key), line }];
    // The core gives no host for an envelope whose records disagree.
    const records = line.includes('"records"') ? envelopeRecords(line) : undefined;
    if (records === undefined) return [{ token: UNROUTED, line }];
    const groups = new Map();
    for (const record of records.list) {
      const token = hostToken(hostOf(record));
      if (!groups.has(token)) groups.set(token, []);
      groups.get(token).push(record);
    }
    if (groups.size === 1) return [{ token: groups.keys().next().value, line }];
    return [...groups].map(([token, rs]) => ({ token, line: JSON.stringify({ ...records.envelope, records: rs }) }));
  }

  /**
   * Splits JSON Lines text into lines (non-blank, in order) with their host
   * token. A line that is not an event goes under UNROUTED, as is, so the
   * core still counts it as rejected or ignored.
   */
  function routeLines(text) {
    const out = [];
    for (const line of text.split("\n")) {
      if (line.trim() !== "") out.push(...routeLine(line));
    }
    return out;
  }

  return { routeLine, routeLines };
}

/** A JSON line's streaming-API envelope and its records, if it is one with several. */
function envelopeRecords(line) {
  let envelope;
  try {
    envelope = JSON.parse(line);
  } catch {
    return undefined;
  }
  const list = envelope !== null && typeof envelope === "object" && !Array.isArray(envelope) ? envelope.records : undefined;
  return Array.isArray(list) && list.length > 1 ? { envelope, list } : undefined;
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
