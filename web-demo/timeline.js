// The chain's timeline, an SVG drawn by the page: one lane per kind of
// follow-on activity (processes, files, network, DNS, modules) against time
// from mshta's start. The axis is logarithmic both ways from the root
// (most activity falls in the first seconds, late items minutes or hours
// later); the viewer's correlation window is a dashed line and items the
// core marked `late` are drawn as hollow diamonds. Labels are SVG text
// nodes: nothing from the logs is parsed.

import { clean, fmtOffset, imageName, svg } from "./dom.js";

const WIDTH = 860;
const LEFT = 92;
const RIGHT = 24;
const LANE = 30;
const TOP = 14;
const UNIT = 0.1; // seconds where the log scale starts to bend

const g = (t) => Math.sign(t) * Math.log10(1 + Math.abs(t) / UNIT);
const TICKS = [-3600, -600, -60, -10, -1, 0, 1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400];
const tickLabel = (t) => (t === 0 ? "0" : fmtOffset(t).replace(/ 0 s$/, "").replace(/ 0 min$/, "").replace(/^([+-])1\.0 s$/, "$11 s"));

/** Seconds between two RFC 3339 times; NaN when one is missing. */
const seconds = (from, to) => (Date.parse(to) - Date.parse(from)) / 1000;

/** The items of a chain for the timeline, each with its lane and offset. */
export function timelineItems(chain) {
  const t0 = chain.root?.time;
  const items = [];
  const add = (lane, item, label) => {
    const t = seconds(t0, item.time);
    if (Number.isFinite(t)) items.push({ lane, t, late: item.late === true, label, event: item.event });
  };
  for (const c of chain.children ?? []) add("processes", c, `${imageName(c.image)} pid ${c.pid ?? "?"}`);
  for (const f of chain.files ?? []) add("files", f, f.path);
  for (const n of chain.network ?? []) add("network", n, `${n.dst_ip ?? "?"}:${n.dst_port ?? "?"}${n.dst_host ? ` ${n.dst_host}` : ""}`);
  for (const d of chain.dns ?? []) add("DNS", d, d.query);
  for (const m of chain.modules ?? []) add("modules", m, m.path);
  return items;
}

/** The SVG timeline of a chain; `windowSeconds` is the viewer's correlation window. */
export function timeline(chain, windowSeconds) {
  const items = timelineItems(chain);
  const lanes = ["processes", "files", "network", "DNS"];
  if (items.some((i) => i.lane === "modules")) lanes.push("modules");
  const end = chain.root?.end_time ? seconds(chain.root.time, chain.root.end_time) : NaN;
  const tMin = Math.min(0, ...items.map((i) => i.t));
  const tMax = Math.max(windowSeconds * 1.2, ...items.map((i) => i.t));
  const lo = g(tMin) - (tMin < 0 ? 0.3 : 0.15);
  const hi = g(tMax) + 0.1;
  const x = (t) => LEFT + ((g(t) - lo) / (hi - lo)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + lanes.length * LANE + 34;
  const axisY = TOP + lanes.length * LANE + 6;

  const root = svg("svg", {
    class: "timeline",
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: "img",
    "aria-label": `timeline: ${items.length} items from mshta's start`,
    dataset: { items: String(items.length), late: String(items.filter((i) => i.late).length) },
  });
  root.append(svg("title", {}, `Activity of the chain against time from mshta's start (${items.length} items)`));
  // Lanes.
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE + LANE / 2;
    root.append(
      svg("line", { class: "lane-line", x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y }),
      svg("text", { class: "lane-label", x: LEFT - 8, y: y + 4, "text-anchor": "end" }, lane),
    );
  });
  // Axis and ticks.
  root.append(svg("line", { class: "axis", x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY }));
  let lastX = -Infinity;
  for (const t of TICKS) {
    if (t < tMin - 1e-9 && t !== 0) continue;
    if (t > tMax) continue;
    const tx = x(t);
    if (tx - lastX < 34) continue;
    lastX = tx;
    root.append(
      svg("line", { class: t === 0 ? "tick zero" : "tick", x1: tx, x2: tx, y1: TOP, y2: axisY + 4 }),
      svg("text", { class: "tick-label", x: tx, y: axisY + 18, "text-anchor": "middle" }, tickLabel(t)),
    );
  }
  // mshta's own lifetime, and the correlation window.
  if (Number.isFinite(end) && end > 0) {
    root.append(svg("rect", { class: "lifetime", x: x(0), y: TOP - 6, width: Math.max(1, x(end) - x(0)), height: 4 }, svg("title", {}, `mshta ran ${fmtOffset(end).slice(1)}`)));
  }
  const wx = x(windowSeconds);
  const nearEnd = wx > WIDTH - RIGHT - 110;
  root.append(
    svg("line", { class: "window", x1: wx, x2: wx, y1: TOP - 8, y2: axisY }),
    svg("text", { class: "window-label", x: nearEnd ? wx - 4 : wx + 4, y: TOP - 2, "text-anchor": nearEnd ? "end" : "start" }, `window ${tickLabel(windowSeconds).slice(1)}`),
  );
  // Items.
  for (const item of items) {
    const lane = lanes.indexOf(item.lane);
    const cx = x(item.t);
    const cy = TOP + lane * LANE + LANE / 2;
    const title = svg("title", {}, `${item.lane}: ${clean(item.label, 300)} at ${fmtOffset(item.t)}${item.late ? " (late: after the window)" : ""} · input #${item.event}`);
    const attrs = { class: `mark lane-${lane}${item.late ? " late" : ""}`, dataset: { lane: item.lane, late: String(item.late), event: String(item.event) } };
    root.append(
      item.late
        ? svg("path", { ...attrs, d: `M ${cx} ${cy - 7} L ${cx + 7} ${cy} L ${cx} ${cy + 7} L ${cx - 7} ${cy} Z` }, title)
        : svg("circle", { ...attrs, cx, cy, r: 5.5 }, title),
    );
  }
  return root;
}
