//! Scoring: additive, explained reasons for one chain.
//!
//! Each reason has a stable id, points (the config's weight, else the
//! catalogue's default in `reasons`), a one-line detail and the input
//! indexes of its evidence. One function per reason family below, in the
//! order the reasons are listed; each reads its tables (binaries, folders,
//! tokens, ports) from `knowledge`. The weights are ours.

use crate::chains::referenced_paths;
use crate::event::{Activity, Direction, Network};
use crate::inventory::command_shape;
use crate::knowledge as k;
use crate::names::{basename, lower};
use crate::report::Reason;
use crate::tuning::{parse_ip, Tuning};
use crate::view::View;

/// The score's range: the sum of the reasons is clamped into it (a chain
/// with many reasons is not "more than certain"; allowlists never make a
/// score negative).
const MIN_SCORE: i64 = 0;
/// See [`MIN_SCORE`].
const MAX_SCORE: i64 = 100;

/// How many distinct names a reason's detail shows before "and N more": the
/// detail stays one readable line; the evidence indexes list them all.
const NAMES_SHOWN: usize = 5;

/// Milliseconds per second, to show the window in seconds.
const MS_PER_SECOND: i64 = 1000;

/// Scores a chain: the clamped sum and the reasons. Follow-on activity
/// after the window scores as late. Points come from the tuning (config
/// weights, else the catalogue's defaults). The calls below fix the order
/// reasons appear in (part of the output).
pub(crate) fn score(v: &View, t: &Tuning) -> (i64, Vec<Reason>) {
    let lowered = lower(v.root.command_line.unwrap_or(""));
    let cmd = CommandLine::new(v, &lowered);
    let mut s = Scorer { t, root: v.root.events.clone(), reasons: Vec::new() };

    s.execution(v);
    let mut script_content = s.inline_script(&cmd);
    script_content |= s.remote_content(&cmd);
    script_content |= s.script_objects(&cmd);
    s.obfuscation(&cmd);
    script_content |= s.folders(&cmd);
    script_content |= s.targets(&cmd);
    s.embedding(&cmd);
    s.command_line_allowlists(&cmd);
    s.binary_identity(v);
    s.parent(v, &cmd);
    s.ancestors(v);
    s.known_good(v, &cmd);
    s.file_written_then_run(v);
    s.children(v);
    s.files(v);
    let allowed_connections = s.network(v, &cmd);
    let lookups = Lookups::of(v, t, cmd.url_host);
    s.allowlisted_network(allowed_connections, &lookups.allowed);
    s.dns(lookups);
    s.modules(v);
    s.late_activity(v);
    s.an1397_pattern(v, script_content);

    let total: i64 = s.reasons.iter().map(|r| r.points).sum();
    (total.clamp(MIN_SCORE, MAX_SCORE), s.reasons)
}

/// What scoring reads off the root's command line, worked out once.
struct CommandLine<'a> {
    /// As the telemetry gave it (allowlist patterns match this).
    raw: &'a str,
    /// Lower-cased: what the indicators match.
    lower: &'a str,
    /// The host of its first URL.
    url_host: Option<&'a str>,
    /// Started as a COM server.
    embedding: bool,
    /// Files it runs, outside inline script.
    local_paths: Vec<&'a str>,
}

impl<'a> CommandLine<'a> {
    fn new(v: &View<'a>, lowered: &'a str) -> CommandLine<'a> {
        let raw = v.root.command_line.unwrap_or("");
        let own_name = k::image_key(v.root.image);
        // Only outside inline script (whose text names objects like
        // `WScript.Shell`, not files), and only tokens that look like paths.
        let local_paths = if k::inline_handler(lowered).is_some() { Vec::new() } else { referenced_paths(raw) }
            .into_iter()
            .filter(|p| !p.contains("://") && k::image_key(p) != own_name && !lower(p).ends_with(k::MSHTA))
            .filter(|p| !(p.starts_with('{') && p.ends_with('}')))
            .filter(|p| p.contains('\\') || p.contains('/'))
            .collect();
        CommandLine {
            raw,
            lower: lowered,
            url_host: k::url_host(lowered),
            embedding: k::has_embedding_flag(lowered),
            local_paths,
        }
    }
}

struct Scorer<'t> {
    t: &'t Tuning,
    /// The root's start events: the evidence of command-line and lineage
    /// reasons.
    root: Vec<u64>,
    reasons: Vec<Reason>,
}

/// Names with the input index that shows each.
type Named = Vec<(String, u64)>;

impl Scorer<'_> {
    fn add(&mut self, id: &'static str, detail: String, events: Vec<u64>) {
        self.reasons.push(Reason { id: id.to_string(), points: self.t.points(id), detail, events });
    }

    fn add_root(&mut self, id: &'static str, detail: String) {
        let events = self.root.clone();
        self.add(id, detail, events);
    }

    /// Adds a reason over named evidence, when there is any.
    fn add_named(&mut self, id: &'static str, detail: impl FnOnce(String) -> String, named: &[(String, u64)]) {
        if !named.is_empty() {
            self.add(
                id,
                detail(unique(named.iter().map(|(n, _)| n.as_str()))),
                named.iter().map(|(_, i)| *i).collect(),
            );
        }
    }

    fn execution(&mut self, v: &View) {
        let inferred = if v.root.inferred { " (start not seen; inferred)" } else { "" };
        self.add_root("mshta_execution", format!("{} ran{inferred}", basename(v.root.image)));
    }

    /// `javascript:`, `vbscript:`, `about:`. Returns whether it is script
    /// content.
    fn inline_script(&mut self, cmd: &CommandLine) -> bool {
        let Some(handler) = k::inline_handler(cmd.lower) else { return false };
        self.add_root("cmdline_inline_script", format!("command line runs inline script ({handler})"));
        true
    }

    /// A remote target, its URL host by IP, an allowlisted URL host.
    fn remote_content(&mut self, cmd: &CommandLine) -> bool {
        let target = k::remote_target(cmd.lower);
        if let Some(target) = target {
            let shown = cmd.url_host.map(|h| format!(" {h}")).unwrap_or_default();
            self.add_root("cmdline_remote_target", format!("command line loads remote content ({target}{shown})"));
        }
        if let Some(h) = cmd.url_host {
            if parse_ip(h).is_some() {
                self.add_root("cmdline_raw_ip_url", format!("the URL addresses {h} by IP"));
            }
            if self.t.domain_allowed(h) {
                self.add_root("allowlisted_domain", format!("{h} is under an allowlisted domain"));
            }
        }
        target.is_some()
    }

    fn script_objects(&mut self, cmd: &CommandLine) -> bool {
        let tokens = k::script_objects(cmd.lower);
        if tokens.is_empty() {
            return false;
        }
        self.add_root("cmdline_script_object", format!("command line uses script objects ({})", tokens.join(", ")));
        true
    }

    fn obfuscation(&mut self, cmd: &CommandLine) {
        let found = k::obfuscation(cmd.lower);
        if !found.is_empty() {
            self.add_root("cmdline_obfuscation", format!("command line is obfuscated ({})", found.join(", ")));
        }
    }

    /// User-writable and archive-temporary folders. An HTA in either is
    /// script content.
    fn folders(&mut self, cmd: &CommandLine) -> bool {
        let mut script_content = false;
        if let Some(dir) = k::user_writable_dir(cmd.lower) {
            script_content = k::mentions_hta(cmd.lower);
            self.add_root(
                "cmdline_user_writable_path",
                format!("command line references a user-writable folder ({dir})"),
            );
        }
        if let Some(what) = k::archive_temp_dir(cmd.lower) {
            script_content = true;
            self.add_root(
                "cmdline_archive_temp_path",
                format!("the HTA runs from an archive's temporary folder ({what})"),
            );
        }
        script_content
    }

    /// The file mshta runs: from an alternate data stream, or not an HTA.
    fn targets(&mut self, cmd: &CommandLine) -> bool {
        // `C:\x\file.txt:payload.hta`: a colon after the drive's.
        if let Some(p) = cmd.local_paths.iter().find(|p| p.get(2..).is_some_and(|rest| rest.contains(':'))) {
            self.add_root("cmdline_alternate_data_stream", format!("runs content from an alternate data stream ({p})"));
            true
        } else if let Some(p) = cmd.local_paths.iter().find(|p| !k::is_hta_like(p)) {
            self.add_root("cmdline_non_hta_target", format!("runs a file that is not an .hta ({})", basename(p)));
            true
        } else {
            false
        }
    }

    fn embedding(&mut self, cmd: &CommandLine) {
        if cmd.embedding {
            self.add_root("cmdline_embedding", "started as a COM server (-Embedding)".into());
        }
    }

    fn command_line_allowlists(&mut self, cmd: &CommandLine) {
        if let Some(pattern) = self.t.command_line_allowed(cmd.raw) {
            let detail = format!("command line matches the allowlisted pattern {pattern:?}");
            self.add_root("allowlisted_command_line", detail);
        }
        if let Some(prefix) = cmd.local_paths.iter().find_map(|p| self.t.hta_path_allowed(p)) {
            let detail = format!("the HTA is under the allowlisted folder {prefix}");
            self.add_root("allowlisted_hta_path", detail);
        }
    }

    /// A renamed or relocated mshta.
    fn binary_identity(&mut self, v: &View) {
        let image = v.root.image;
        let name = basename(image);
        if !name.eq_ignore_ascii_case(k::MSHTA) && v.root.original_file_name.is_some() {
            self.add_root("renamed_binary", format!("mshta renamed to {name} (OriginalFileName MSHTA.EXE)"));
        }
        if k::outside_system_dirs(image) {
            self.add_root("unusual_image_path", format!("mshta runs from outside System32/SysWOW64 ({image})"));
        }
    }

    fn parent(&mut self, v: &View, cmd: &CommandLine) {
        let Some(parent) = v.parent.as_ref() else { return };
        let Some(image) = parent.image else { return };
        if let Some((id, what)) = parent_family(image, parent.command_line.unwrap_or(""), cmd.embedding) {
            self.add_root(id, format!("started by {what} ({})", basename(image)));
        }
        if self.t.parent_allowed(image) {
            self.add_root("allowlisted_parent", format!("{} is an allowlisted parent", basename(image)));
        }
    }

    /// An Office application or WMI above the parent.
    fn ancestors(&mut self, v: &View) {
        let first = v.lineage.iter().filter_map(|a| a.image).find(|img| k::is_office(img) || k::is_wmi_host(img));
        if let Some(a) = first {
            self.add_root("ancestor_suspicious", format!("{} is an ancestor of the launcher", basename(a)));
        }
    }

    /// The baseline of known-good use and allowlisted hosts.
    fn known_good(&mut self, v: &View, cmd: &CommandLine) {
        let parent_name =
            v.parent.as_ref().and_then(|p| p.image).map(|p| k::image_key(p).into_owned()).unwrap_or_default();
        if v.root.command_line.is_some() && self.t.in_baseline(&command_shape(cmd.raw), &parent_name) {
            self.add_root(
                "baseline_known",
                "this command-line shape and parent are in the baseline of known-good use".into(),
            );
        }
        if self.t.host_allowed(v.host) {
            self.add_root("allowlisted_host", format!("{} is an allowlisted host", v.host));
        }
    }

    /// A file written shortly before, then run by mshta.
    fn file_written_then_run(&mut self, v: &View) {
        if let Some(f) = &v.dropped_file {
            let by = f.writer_image.as_deref().map(basename).unwrap_or("another process");
            let detail = format!("{} was written by {by} shortly before mshta ran it", basename(&f.path));
            self.add("file_written_then_run", detail, vec![f.event]);
        }
    }

    /// Descendants inside the window.
    fn children(&mut self, v: &View) {
        let (mut lolbins, mut others, mut executed, mut user_folder) =
            (Named::new(), Named::new(), Named::new(), Named::new());
        for m in v.members.iter().filter(|m| !m.late) {
            let first = m.events.first().copied().unwrap_or(0);
            let name = k::image_key(m.image).into_owned();
            if m.executed_file {
                executed.push((name.clone(), first));
            }
            if k::in_user_writable_tree(m.image) {
                user_folder.push((name.clone(), first));
            }
            if k::is_shell_or_lolbin(&name) {
                lolbins.push((name, first));
            } else {
                others.push((name, first));
            }
        }
        self.add_named("child_shell_or_lolbin", |n| format!("spawned {n}"), &lolbins);
        self.add_named("child_process", |n| format!("spawned {n}"), &others);
        self.add_named("child_in_user_folder", |n| format!("ran {n} from a user-writable folder"), &user_folder);
        self.add_named("written_file_executed", |n| format!("ran a file the chain wrote ({n})"), &executed);
    }

    /// Files written inside the window: into Startup, executable or script
    /// content, anything else.
    fn files(&mut self, v: &View) {
        let (mut startup, mut dropped, mut other) = (Named::new(), Named::new(), Vec::new());
        for a in v.acts.iter().filter(|a| !a.late) {
            let Activity::FileCreate { path } = a.what else { continue };
            let first = a.events[0];
            if k::is_startup_path(path) {
                startup.push((basename(path).to_string(), first));
            } else if k::is_risky_file(path) {
                dropped.push((basename(path).to_string(), first));
            } else {
                other.push(first);
            }
        }
        self.add_named("file_in_startup", |n| format!("wrote into a Startup folder ({n})"), &startup);
        self.add_named(
            "file_dropped_executable",
            |n| format!("wrote executables, scripts or archives ({n})"),
            &dropped,
        );
        if !other.is_empty() {
            self.add("file_created", format!("created {} other file(s)", other.len()), other);
        }
    }

    /// Connections inside the window: public (and on which ports), DCOM
    /// activation, internal. Returns the allowlisted ones, which
    /// `allowlisted_network` reports with the allowlisted lookups.
    fn network(&mut self, v: &View, cmd: &CommandLine) -> Named {
        let (mut public, mut odd_ports, mut dcom, mut internal, mut allowed) =
            (Named::new(), Named::new(), Named::new(), Vec::new(), Named::new());
        for a in v.acts.iter().filter(|a| !a.late) {
            let Activity::Network(n) = a.what else { continue };
            let first = a.events[0];
            let remote = n.remote_ip().unwrap_or("");
            if cmd.embedding && is_dcom_activation(n) {
                dcom.push((remote.to_string(), first));
            }
            if self.t.network_allowed(remote) || n.dst_host.as_deref().is_some_and(|h| self.t.domain_allowed(h)) {
                allowed.push((remote.to_string(), first));
            } else if remote.is_empty() || k::is_internal_ip(remote) {
                internal.push(first);
            } else {
                let port = match n.direction {
                    Direction::Inbound => n.src_port,
                    _ => n.dst_port,
                };
                if let Some(port) = port.filter(|&p| !k::is_web_port(p)) {
                    odd_ports.push((format!("{remote}:{port}"), first));
                }
                public.push((remote.to_string(), first));
            }
        }
        self.add_named("network_public", |n| format!("connected to public address(es) {n}"), &public);
        self.add_named("network_unusual_port", |n| format!("used non-web ports ({n})"), &odd_ports);
        self.add_named(
            "dcom_inbound",
            |n| format!("received inbound high-port connections as a COM server (from {n})"),
            &dcom,
        );
        if !internal.is_empty() {
            self.add(
                "network_internal",
                format!("made {} internal or loopback connection(s)", internal.len()),
                internal,
            );
        }
        allowed
    }

    fn allowlisted_network(&mut self, mut connections: Named, lookups: &[(String, u64)]) {
        connections.extend(lookups.iter().cloned());
        let count = connections.len();
        self.add_named(
            "allowlisted_network",
            |n| format!("{count} connection(s) or lookup(s) to allowlisted networks or domains ({n})"),
            &connections,
        );
    }

    fn dns(&mut self, lookups: Lookups) {
        self.add_named("dns_query", |n| format!("looked up {n}"), &lookups.queries);
        self.add_named(
            "dns_matches_cmdline_host",
            |n| format!("looked up the command line's URL host {n}"),
            &lookups.url_host,
        );
    }

    /// The .NET runtime loaded inside the window.
    fn modules(&mut self, v: &View) {
        let clr: Named = v
            .acts
            .iter()
            .filter(|a| !a.late)
            .filter_map(|a| match a.what {
                Activity::ImageLoad { path } if k::is_clr_module(path) => {
                    Some((k::image_key(path).into_owned(), a.events[0]))
                }
                _ => None,
            })
            .collect();
        self.add_named("clr_loaded", |n| format!("loaded the .NET runtime ({n})"), &clr);
    }

    /// Processes and activity after the window (module loads aside).
    fn late_activity(&mut self, v: &View) {
        let mut late: Vec<u64> =
            v.members.iter().filter(|m| m.late).map(|m| m.events.first().copied().unwrap_or(0)).collect();
        late.extend(
            v.acts.iter().filter(|a| a.late && !matches!(a.what, Activity::ImageLoad { .. })).map(|a| a.events[0]),
        );
        if !late.is_empty() {
            late.sort_unstable();
            let detail =
                format!("{} follow-on event(s) after the {}-second window", late.len(), v.window_ms / MS_PER_SECOND);
            self.add("late_activity", detail, late);
        }
    }

    /// The whole analytic: script content on the command line, then
    /// follow-on activity inside the window.
    fn an1397_pattern(&mut self, v: &View, script_content: bool) {
        if script_content && has_follow_on(v) {
            self.add_root(
                "an1397_pattern",
                "script content (inline, remote, script objects, or an HTA in a user-writable folder) followed by activity inside the window (AN1397)".into(),
            );
        }
    }
}

/// The DNS lookups inside the window, sorted for the reasons.
struct Lookups {
    /// Under an allowlisted domain.
    allowed: Named,
    /// The others.
    queries: Named,
    /// The others that name the command line's URL host.
    url_host: Named,
}

impl Lookups {
    fn of(v: &View, t: &Tuning, url_host: Option<&str>) -> Lookups {
        let mut l = Lookups { allowed: Named::new(), queries: Named::new(), url_host: Named::new() };
        for a in v.acts.iter().filter(|a| !a.late) {
            let Activity::Dns { query } = a.what else { continue };
            let (q, first) = (lower(query).into_owned(), a.events[0]);
            if t.domain_allowed(&q) {
                l.allowed.push((q, first));
                continue;
            }
            if url_host.is_some_and(|h| h == q.trim_end_matches('.')) {
                l.url_host.push((q.clone(), first));
            }
            l.queries.push((q, first));
        }
        l
    }
}

/// Any follow-on inside the window: a dropped file mshta ran, a
/// descendant, a file, a connection or a lookup (a module load alone is
/// not activity).
fn has_follow_on(v: &View) -> bool {
    v.dropped_file.is_some()
        || v.members.iter().any(|m| !m.late)
        || v.acts.iter().any(|a| !a.late && !matches!(a.what, Activity::ImageLoad { .. }))
}

/// An inbound connection between two dynamic ports: how a DCOM caller
/// reaches the server it activated.
fn is_dcom_activation(n: &Network) -> bool {
    n.direction == Direction::Inbound
        && n.src_port.is_some_and(k::is_dynamic_port)
        && n.dst_port.is_some_and(k::is_dynamic_port)
}

/// The lineage reason for a parent, or `None` when ordinary. Most telling
/// first: an Office parent that is also a script host is Office.
fn parent_family(image: &str, command_line: &str, embedding: bool) -> Option<(&'static str, &'static str)> {
    if k::is_office(image) {
        Some(("parent_office", "an Office application"))
    } else if k::is_wmi_host(image) {
        Some(("parent_wmi", "WMI"))
    } else if k::is_dcom_launcher(image, command_line, embedding) {
        Some(("parent_dcom", "DCOM (svchost DcomLaunch)"))
    } else if k::is_rundll32_html_handler(image, command_line) {
        Some(("parent_rundll32_handler", "rundll32 proxying HTML execution"))
    } else if k::is_launcher_script_host(image) {
        Some(("parent_script_host", "a shell or script host"))
    } else if k::is_browser(image) {
        Some(("parent_browser", "a web browser"))
    } else if k::is_explorer(image) {
        Some(("parent_explorer", "Explorer (a double-click)"))
    } else {
        None
    }
}

/// Distinct names, sorted, the first [`NAMES_SHOWN`] and a count of the rest.
fn unique<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = names.collect();
    v.sort_unstable();
    v.dedup();
    let shown = v.len().min(NAMES_SHOWN);
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
    fn parents_are_graded() {
        let family = |image: &str, cmd: &str, embedding: bool| parent_family(image, cmd, embedding).map(|g| g.0);
        assert_eq!(family("C:\\Program Files\\Office\\WINWORD.EXE", "", false), Some("parent_office"));
        let dcom = "c:\\windows\\system32\\svchost.exe -k DcomLaunch -p";
        assert_eq!(family("svchost.exe", dcom, false), Some("parent_dcom"));
        assert_eq!(family("svchost.exe", "svchost.exe -k netsvcs", false), None);
        assert_eq!(family("svchost.exe", "", true), Some("parent_dcom"));
        assert_eq!(family("explorer.exe", "", false), Some("parent_explorer"));
        let handler = "rundll32.exe javascript:\"\\..\\mshtml,runhtmlapplication\"";
        assert_eq!(family("rundll32.exe", handler, false), Some("parent_rundll32_handler"));
        assert_eq!(family("rundll32.exe", "rundll32 a.dll,Start", false), Some("parent_script_host"));
        assert_eq!(family("WmiPrvSE.exe", "", false), Some("parent_wmi"));
        assert_eq!(family("firefox.exe", "", false), Some("parent_browser"));
        assert_eq!(family("services.exe", "", false), None);
    }

    #[test]
    fn dcom_activation_needs_two_dynamic_ports_inbound() {
        let n = |direction, src_port, dst_port| Network {
            src_ip: Some("10.0.0.9".into()),
            src_port: Some(src_port),
            dst_ip: Some("10.0.0.5".into()),
            dst_port: Some(dst_port),
            dst_host: None,
            direction,
        };
        assert!(is_dcom_activation(&n(Direction::Inbound, 50123, 49702)));
        assert!(!is_dcom_activation(&n(Direction::Inbound, 50123, 135)));
        assert!(!is_dcom_activation(&n(Direction::Outbound, 50123, 49702)));
    }

    #[test]
    fn unique_names_are_sorted_and_cut() {
        let names = ["b", "a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(unique(names.into_iter()), "a, b, c, d, e and 2 more");
        assert_eq!(unique(["x"].into_iter()), "x");
    }
}
