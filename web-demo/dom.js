// Safe DOM building for the viewer: every string becomes a text node or an
// attribute value set through the DOM, never parsed as HTML. Values from the
// logs pass through `clean`: control characters and bidirectional overrides
// (which could make "exe.txt" read as "txt.exe") are shown as escapes, and
// very long values are cut with a note.

const SVG_NS = "http://www.w3.org/2000/svg";
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The limit of characters shown for one value unless a caller asks for more. */
export const MAX_TEXT = 2000;

/** Escapes control and bidi characters; cuts values longer than `max` characters. */
export function clean(value, max = MAX_TEXT) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  let note = "";
  if (text.length > max) {
    note = ` … (${(text.length - max).toLocaleString("en")} more characters)`;
    text = text.slice(0, max);
  }
  return text.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t").replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`) + note;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
}

/** Appends children: nodes as they are, anything else as a text node. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An HTML element; string children become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  return append(node, children);
}

/** An SVG element; string children become text nodes. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return append(node, children);
}

/** The file name of a Windows or POSIX path. */
export function imageName(path) {
  if (path === null || path === undefined || path === "") return "?";
  const text = String(path);
  const cut = Math.max(text.lastIndexOf("\\"), text.lastIndexOf("/"));
  return cut >= 0 && cut < text.length - 1 ? text.slice(cut + 1) : text;
}

export const fmtInt = (n) => Number(n ?? 0).toLocaleString("en");
export const fmtBytes = (n) =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`;

/** Seconds as "+0.4 s", "+12 s", "+3 min 5 s", "+2 h 1 min" (negative: "-"). */
export function fmtOffset(seconds) {
  if (!Number.isFinite(seconds)) return "?";
  const sign = seconds < 0 ? "-" : "+";
  const s = Math.abs(seconds);
  if (s < 10) return `${sign}${s.toFixed(s < 1 ? 2 : 1)} s`;
  if (s < 60) return `${sign}${Math.round(s)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${sign}${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const SEVERITIES = ["critical", "high", "medium", "low", "informational"];
export const severityOf = (value) => (SEVERITIES.includes(value) ? value : "informational");
