//! The readable text report: a header with counts; per chain its root,
//! parent, ancestors, process tree, activity, reasons and triage checklist;
//! then the rejected items, the warnings, the inventory count and the
//! coverage gaps.
//!
//! Everything printed that comes from telemetry (command lines, paths, host
//! and user names) goes through [`clean`], which makes control characters
//! visible: a command line can carry newlines that would break the layout,
//! or terminal escape sequences planted by an attacker.

use super::{image_name, TextOptions};
use crate::coverage::{CoverageReport, HostCoverage, Verdict};
use crate::report::{Chain, ChildProcess, Relation, Report, Severity, Status, Update, VerdictStatus};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD_RED: &str = "\x1b[1;31m";

/// Width of the field labels (`command:`, `user:` ...).
const LABEL_WIDTH: usize = 10;

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => BOLD_RED,
        Severity::High => RED,
        Severity::Medium => YELLOW,
        Severity::Low => CYAN,
        Severity::Informational => DIM,
    }
}

/// Control characters (C0, DEL, C1, which include CSI) made visible, so one
/// value stays on one line.
fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => out.push_str(&format!("\\x{:02x}", u32::from(ch))),
            _ => out.push(ch),
        }
    }
    out
}

/// [`clean`], then cut to `max` characters with an ellipsis.
fn shorten(value: &str, max: usize) -> String {
    let text = clean(value);
    if max == 0 || text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(3).max(1)).collect();
    cut.push_str("...");
    cut
}

fn plural(n: impl Into<u64>, one: &str) -> String {
    let n = n.into();
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `JSON`'s `trimEnd`: whitespace and line terminators as JavaScript
/// defines them (which is Unicode White_Space, minus NEL, plus the BOM).
fn trim_end(line: &str) -> &str {
    line.trim_end_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// Descendants in tree order: each after its parent, siblings in start
/// order. The parent of a process at depth d is the latest process before
/// it, in start order, at depth d-1 with its `parent_pid` (pids are reused,
/// so the latest match wins). Depth-1 processes hang off the root; one whose
/// parent cannot be found keeps its place at the top level.
fn tree_order(children: &[ChildProcess]) -> Vec<&ChildProcess> {
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); children.len()];
    let mut top = Vec::new();
    for (i, child) in children.iter().enumerate() {
        let parent = (child.depth > 1)
            .then(|| {
                (0..i)
                    .rev()
                    .find(|&j| children[j].depth == child.depth - 1 && Some(children[j].pid) == child.parent_pid)
            })
            .flatten();
        match parent {
            Some(j) => kids[j].push(i),
            None => top.push(i),
        }
    }
    // Depth first, without recursion: a deep tree cannot exhaust the stack.
    let mut out = Vec::with_capacity(children.len());
    let mut stack: Vec<usize> = top.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        out.push(&children[i]);
        stack.extend(kids[i].iter().rev());
    }
    out
}

/// The lines of a report being written.
struct Lines<'o> {
    lines: Vec<String>,
    options: &'o TextOptions,
}

impl Lines<'_> {
    fn paint(&self, code: Option<&str>, text: &str) -> String {
        match code {
            Some(code) if self.options.color => format!("{code}{text}{RESET}"),
            _ => text.to_string(),
        }
    }

    fn push(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    /// Up to `max_items` items, then a count of what was left out.
    fn list<T>(&mut self, items: &[T], indent: &str, render: impl Fn(&Self, &T) -> String) {
        let shown = items.len().min(self.options.max_items);
        for item in &items[..shown] {
            let line = format!("{indent}{}", render(self, item));
            self.push(line);
        }
        if items.len() > shown {
            let more = self.paint(Some(DIM), &format!("... and {} more", items.len() - shown));
            self.push(format!("{indent}{more}"));
        }
    }

    fn field(&mut self, label: &str, value: &str) {
        self.push(format!("  {:<LABEL_WIDTH$}{value}", format!("{label}:")));
    }

    fn unknown(&self) -> String {
        self.paint(Some(DIM), "(unknown)")
    }

    fn late(&self, late: bool) -> String {
        if late {
            format!(" {}", self.paint(Some(DIM), "(late)"))
        } else {
            String::new()
        }
    }

    fn finish(self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(trim_end(line));
            out.push('\n');
        }
        out
    }
}

/// `by image pid N`: the process that did something.
fn by(image: Option<&str>, pid: Option<u32>) -> String {
    let pid_text = pid.map(|p| format!(" pid {p}")).unwrap_or_default();
    match image.filter(|i| !i.is_empty()) {
        Some(image) => format!("by {}{pid_text}", clean(image_name(Some(image)))),
        None if pid.is_some() => format!("by{pid_text}"),
        None => "by ?".to_string(),
    }
}

fn chain_block(out: &mut Lines<'_>, chain: &Chain, version: Option<u32>, triage: &[String]) {
    let o = out.options;
    let root = &chain.root;
    let tag = out.paint(
        Some(severity_colour(chain.severity)),
        &format!("[{} {}]", chain.severity.as_str().to_uppercase(), chain.score),
    );
    let inferred = if root.inferred { format!("  {}", out.paint(Some(DIM), "(inferred root)")) } else { String::new() };
    out.push("");
    let host = out.paint(Some(BOLD), &clean(&chain.host));
    out.push(format!(
        "{tag} {host}  {} pid {}  {}  {}{inferred}",
        clean(image_name(Some(&root.image))),
        root.pid,
        clean(&root.time),
        clean(&chain.id)
    ));

    let command = root.command_line.as_deref().map_or_else(|| out.unknown(), |c| shorten(c, o.max_root_command_line));
    out.field("command", &command);
    let user = root.user.as_deref().map_or_else(|| out.unknown(), clean);
    out.field("user", &user);
    let parent = match &root.parent {
        Some(p) => {
            let mut text = clean(image_name(p.image.as_deref()));
            if let Some(pid) = p.pid {
                text.push_str(&format!(" pid {pid}"));
            }
            if let Some(cmd) = &p.command_line {
                text.push_str(&format!("  {}", shorten(cmd, o.max_command_line)));
            }
            text
        }
        None => out.unknown(),
    };
    out.field("parent", &parent);
    // Ancestors above the parent, nearest first in the report: drawn from
    // the farthest down to the nearest.
    if !chain.lineage.is_empty() {
        let ancestors: Vec<String> = chain
            .lineage
            .iter()
            .rev()
            .map(|a| {
                let pid = a.pid.map(|p| format!(" pid {p}")).unwrap_or_default();
                format!("{}{pid}", clean(image_name(a.image.as_deref())))
            })
            .collect();
        out.field("lineage", &ancestors.join(" > "));
    }
    if let Some(at) = record_ref(root.file.as_deref(), root.record_id) {
        out.field("record", &at);
    }
    match chain.status {
        Status::Open => out.field("status", "open (activity may still join)"),
        Status::Closed => out.field("status", "closed"),
    }
    if let Some(version) = version {
        out.field("version", &version.to_string());
    }

    if !chain.children.is_empty() {
        out.push(format!("  processes ({}):", chain.children.len()));
        out.list(&tree_order(&chain.children), "    ", |out, c| {
            let indent = "  ".repeat(c.depth.saturating_sub(1) as usize);
            let cmd = c.command_line.as_deref().map(|l| format!("  {}", shorten(l, o.max_command_line)));
            let name = clean(image_name(Some(&c.image)));
            format!("{indent}{name} pid {}{}{}", c.pid, cmd.unwrap_or_default(), out.late(c.late))
        });
    }
    if !chain.network.is_empty() {
        out.push(format!("  network ({}):", chain.network.len()));
        out.list(&chain.network, "    ", |out, n| {
            let ip = n.dst_ip.as_deref().map_or_else(|| "?".to_string(), clean);
            let ip = if ip.contains(':') { format!("[{ip}]") } else { ip };
            let port = n.dst_port.map_or_else(|| "?".to_string(), |p| p.to_string());
            let host = n.dst_host.as_deref().filter(|h| !h.is_empty()).map(|h| format!(" {}", clean(h)));
            let by = by(n.image.as_deref(), n.pid);
            format!("{ip}:{port}{}  {}  {by}{}", host.unwrap_or_default(), n.direction, out.late(n.late))
        });
    }
    if !chain.dns.is_empty() {
        out.push(format!("  dns ({}):", chain.dns.len()));
        out.list(&chain.dns, "    ", |out, d| {
            format!("{}  {}{}", clean(&d.query), by(d.image.as_deref(), d.pid), out.late(d.late))
        });
    }
    if !chain.files.is_empty() {
        out.push(format!("  files ({}):", chain.files.len()));
        out.list(&chain.files, "    ", |out, f| {
            let relation = if f.relation == Relation::RunByRoot {
                format!(" {}", out.paint(Some(DIM), "(run by mshta)"))
            } else {
                String::new()
            };
            format!("{}  {}{relation}{}", clean(&f.path), by(f.image.as_deref(), f.pid), out.late(f.late))
        });
    }
    if !chain.modules.is_empty() {
        out.push(format!("  modules ({}):", chain.modules.len()));
        out.list(&chain.modules, "    ", |_, m| {
            format!("{}  {}", clean(image_name(Some(&m.path))), by(m.image.as_deref(), m.pid))
        });
    }
    if !chain.reasons.is_empty() {
        out.push("  reasons:");
        let signed = |points: i64| if points >= 0 { format!("+{points}") } else { points.to_string() };
        let points_width = chain.reasons.iter().map(|r| signed(r.points).len()).max().unwrap_or(0);
        let id_width = chain.reasons.iter().map(|r| clean(&r.id).chars().count()).max().unwrap_or(0);
        out.list(&chain.reasons, "    ", |_, r| {
            format!("{:>points_width$}  {:<id_width$}  {}", signed(r.points), clean(&r.id), clean(&r.detail))
        });
    }
    if !triage.is_empty() {
        out.push("  triage:");
        out.list(triage, "    ", |_, item| format!("- {}", shorten(item, o.max_root_command_line)));
    }
}

/// The text report of a report.
pub(super) fn report(report: &Report, options: &TextOptions) -> String {
    let mut out = Lines { lines: Vec::new(), options };
    let stats = &report.stats;
    let mut header = format!(
        "mshta-chain: {} | {}, {} accepted, {} rejected, {} ignored",
        plural(count(report.chains.len()), "chain"),
        plural(stats.events, "event"),
        stats.accepted,
        stats.rejected,
        stats.ignored
    );
    if stats.chains_below_min_score > 0 {
        header.push_str(&format!(" | {} below min score", stats.chains_below_min_score));
    }
    let header = out.paint(Some(BOLD), &header);
    out.push(header);
    if report.chains.is_empty() {
        out.push("");
        out.push("no mshta chains found");
    }
    for chain in &report.chains {
        chain_block(&mut out, chain, None, &triage(chain, report));
    }

    // Rejected items: `errors` is capped by max_errors, `stats.rejected` is
    // the full count, so "... and N more" counts from the larger of the two.
    let rejected = count(report.errors.len()).max(stats.rejected);
    if rejected > 0 {
        out.push("");
        out.push(format!("errors ({rejected}):"));
        let shown = report.errors.len().min(options.max_items);
        for e in &report.errors[..shown] {
            match e.file.as_deref() {
                // The CLI's raw-log errors already name their file.
                Some(file) if !e.reason.starts_with(file) => {
                    out.push(format!("  {} in {}: {}", e.index, clean(file), clean(&e.reason)))
                }
                _ => out.push(format!("  {}: {}", e.index, clean(&e.reason))),
            }
        }
        if rejected > count(shown) {
            let more = out.paint(Some(DIM), &format!("... and {} more", rejected - count(shown)));
            out.push(format!("  {more}"));
        }
    }
    warnings(&mut out, &report.warnings);

    // Inventory: every mshta execution, grouped for baselining.
    let inventory = &report.inventory;
    if !inventory.is_empty() {
        let executions: u64 = inventory.iter().map(|g| g.count).sum();
        let mut hosts: Vec<&str> = inventory.iter().flat_map(|g| g.host_names.iter().map(String::as_str)).collect();
        hosts.sort_unstable();
        hosts.dedup();
        out.push("");
        out.push(format!(
            "inventory: {} ({} on {}); see the report's inventory, or `mshta-chain baseline` to mark the known-good ones",
            plural(count(inventory.len()), "mshta invocation shape"),
            plural(executions, "execution"),
            plural(count(hosts.len()), "host")
        ));
    }
    coverage(&mut out, report);
    out.finish()
}

fn warnings(out: &mut Lines<'_>, warnings: &[String]) {
    if !warnings.is_empty() {
        out.push("");
        for w in warnings {
            let line = out.paint(Some(YELLOW), &format!("warning: {}", clean(w)));
            out.push(line);
        }
    }
}

/// Coverage: what the telemetry can show, overall and per host (gaps only).
fn coverage(out: &mut Lines<'_>, report: &Report) {
    let coverage = &report.coverage;
    let verdicts = &coverage.overall.verdicts;
    if report.stats.events == 0 || verdicts.is_empty() {
        return;
    }
    let status = |out: &Lines<'_>, v: &Verdict| {
        let text = format!("{} {}", clean(&v.need), v.status);
        match v.status {
            VerdictStatus::Ok => text,
            VerdictStatus::Missing => out.paint(Some(RED), &text),
            VerdictStatus::Partial => out.paint(Some(YELLOW), &text),
        }
    };
    let hosts = count(coverage.hosts.len()) + coverage.hosts_not_listed;
    let title = out.paint(Some(BOLD), &format!("coverage ({}):", plural(hosts, "host")));
    out.push("");
    out.push(title);
    let overall: Vec<String> = verdicts.iter().map(|v| status(out, v)).collect();
    out.push(format!("  overall: {}", overall.join(", ")));
    for v in verdicts.iter().filter(|v| v.status != VerdictStatus::Ok) {
        let line = format!("    {}: {}", status(out, v), clean(&v.detail));
        out.push(line);
    }
    let gaps: Vec<&HostCoverage> =
        coverage.hosts.iter().filter(|h| h.verdicts.iter().any(|v| v.status != VerdictStatus::Ok)).collect();
    out.list(&gaps, "  ", |out, h| {
        let bad: Vec<String> = h
            .verdicts
            .iter()
            .filter(|v| v.status != VerdictStatus::Ok)
            .map(|v| format!("{}: {}", status(out, v), clean(&v.detail)))
            .collect();
        format!("{}: {}", clean(&h.host), bad.join("; "))
    });
    if coverage.hosts_not_listed > 0 {
        let line =
            out.paint(Some(DIM), &format!("  ({} more hosts counted in overall only)", coverage.hosts_not_listed));
        out.push(line);
    }
}

/// The chain blocks alone, each with its version when it has one.
pub(super) fn chains(chains: &[super::Versioned<'_>], options: &TextOptions) -> String {
    let mut out = Lines { lines: Vec::new(), options };
    for v in chains {
        chain_block(&mut out, v.chain, v.version, &[]);
    }
    out.finish()
}

/// The text of an update: its counts and the chains it changed.
pub(super) fn update(update: &Update, options: &TextOptions) -> String {
    let mut out = Lines { lines: Vec::new(), options };
    let header = format!(
        "mshta-chain update: {} | {}, {} accepted, {} rejected",
        plural(count(update.chains.len()), "chain"),
        plural(update.events, "event"),
        update.accepted,
        update.rejected
    );
    let header = out.paint(Some(BOLD), &header);
    out.push(header);
    for v in &update.chains {
        chain_block(&mut out, &v.chain, Some(v.version), &[]);
    }
    if !update.retracted.is_empty() {
        out.push("");
        let ids: Vec<String> = update.retracted.iter().map(|id| clean(id)).collect();
        out.push(format!("retracted (merged into another chain): {}", ids.join(", ")));
    }
    out.finish()
}

/// What the telemetry of a chain's host cannot show, as triage lines (one
/// per need its coverage finds missing or partial), from the core's table
/// of needs and the sensors that provide them.
pub(super) fn gaps(chain: &Chain, coverage: &CoverageReport) -> Vec<String> {
    let host = crate::names::lower(chain.host.trim());
    let Some(host) = coverage.hosts.iter().find(|h| h.host == host) else {
        return Vec::new();
    };
    host.verdicts
        .iter()
        .filter_map(|v| {
            let need = crate::coverage::need(&v.need);
            let what = need.map_or(v.need.as_str(), |n| n.what);
            match v.status {
                VerdictStatus::Ok => None,
                VerdictStatus::Missing => {
                    Some(format!("no {what} from this host: ask for {}", need.map_or("it", |n| n.ask_for)))
                }
                VerdictStatus::Partial => Some(format!(
                    "{what} partial on this host ({}): ask for {}",
                    v.detail,
                    need.map_or("more", |n| n.ask_for)
                )),
            }
        })
        .collect()
}

/// A chain's triage checklist, then its host's telemetry gaps, each line once.
fn triage(chain: &Chain, report: &Report) -> Vec<String> {
    let mut items = chain.triage.clone();
    for gap in gaps(chain, &report.coverage) {
        if !items.contains(&gap) {
            items.push(gap);
        }
    }
    items
}

/// Where the root's start event can be found: "file.evtx, record 1742".
fn record_ref(file: Option<&str>, record_id: Option<u64>) -> Option<String> {
    match (file, record_id) {
        (Some(f), Some(r)) => Some(format!("{}, record {r}", clean(f))),
        (Some(f), None) => Some(clean(f)),
        (None, Some(r)) => Some(format!("record {r}")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_values_cut() {
        assert_eq!(clean("a\r\n\tb\u{1b}[31m\u{9b}\u{7f}"), "a\\r\\n\\tb\\x1b[31m\\x9b\\x7f");
        assert_eq!(shorten("abcdefghij", 8), "abcde...");
        assert_eq!(shorten("abcdefgh", 8), "abcdefgh");
        assert_eq!(shorten("abcdef", 2), "a...");
        // Characters, not bytes: a cut never splits one.
        assert_eq!(shorten("ééééé", 4), "é...");
    }

    #[test]
    fn trailing_whitespace_is_trimmed_as_javascript_trims_it() {
        assert_eq!(trim_end("a \t\u{a0}\u{3000}\u{feff}"), "a");
        assert_eq!(trim_end("a\u{85}"), "a\u{85}");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1u64, "chain"), "1 chain");
        assert_eq!(plural(0u64, "event"), "0 events");
    }
}
