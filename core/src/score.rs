//! Scoring: additive, explained reasons for one chain.
//!
//! Each reason has a stable id, points (the config's weight, else the
//! catalogue's default in `reasons`), a one-line detail, the input indexes
//! of its evidence and, when it matched the root's command line, the spans
//! it matched. One function per reason family below, in the order the
//! reasons are listed; each reads its tables (binaries, folders, tokens,
//! ports) from `knowledge`. The weights are ours.
//!
//! The model (documented in the README and `docs/reasons.md`): every reason
//! belongs to an axis (`reasons::Axis`). Launch indicators and follow-on
//! activity together count at most `SUSPICION_CAP` (medium); payload
//! evidence counts in full, but evidence of one kind only caps the total at
//! `ONE_KIND_CAP` (high); tuning applies last. Each cap is a reason of its
//! own with the points it takes off, so the total is still the sum of the
//! reasons shown.

use crate::chains::referenced_paths;
use crate::event::{Activity, Direction};
use crate::inventory::command_shape;
use crate::knowledge as k;
use crate::names::{basename, lower};
use crate::reasons::{self, Axis, Evidence, ONE_KIND_CAP, SUSPICION_CAP};
use crate::report::Reason;
use crate::tuning::{parse_ip, Tuning};
use crate::view::View;
use std::net::IpAddr;

/// The score's range: the sum of the reasons is clamped into it (a chain
/// with many reasons is not "more than certain"; allowlists never make a
/// score negative).
const MIN_SCORE: i64 = 0;
/// See [`MIN_SCORE`].
const MAX_SCORE: i64 = 100;

/// How many distinct names a reason's detail shows before "and N more": the
/// detail stays one readable line; the evidence indexes list them all.
const NAMES_SHOWN: usize = 5;

/// Spans one reason carries at most (a token repeated a thousand times in
/// an attacker's command line is highlighted the first times).
const MAX_SPANS: usize = 16;

/// Milliseconds per second, to show the window in seconds.
const MS_PER_SECOND: i64 = 1000;

/// Byte offsets into the root's command line.
type Span = (usize, usize);

/// Scores a chain: the clamped sum and the reasons. Follow-on activity
/// after the window scores as late. Points come from the tuning (config
/// weights, else the catalogue's defaults). The calls below fix the order
/// reasons appear in (part of the output).
pub(crate) fn score(v: &View, t: &Tuning) -> (i64, Vec<Reason>) {
    let lowered = lower(v.root.command_line.unwrap_or(""));
    let cmd = CommandLine::new(v, &lowered);
    let mut s = Scorer { t, raw: cmd.raw, root: v.root.events.clone(), reasons: Vec::new() };

    s.execution(v);
    let mut script_content = s.inline_script(&cmd);
    script_content |= s.remote_content(&cmd);
    script_content |= s.script_objects(&cmd);
    s.obfuscation(&cmd);
    script_content |= s.folders(&cmd);
    script_content |= s.targets(&cmd);
    s.embedding(&cmd);
    s.elevation(&cmd);
    s.file_picker(&cmd);
    s.command_line_allowlists(&cmd);
    s.binary_identity(v);
    s.parent(v, &cmd);
    s.browser_cache(v, &cmd);
    s.ancestors(v);
    s.known_good(v, &cmd);
    s.file_written_then_run(v);
    s.children(v);
    s.child_commands(v);
    s.files(v);
    s.cached_content(v, &cmd);
    let allowed_connections = s.network(v, &cmd);
    let lookups = Lookups::of(v, t, cmd.url_host.as_deref());
    s.allowlisted_network(allowed_connections, &lookups.allowed);
    s.dns(lookups);
    s.modules(v);
    s.late_activity(v);
    s.an1397_pattern(v, script_content);
    s.caps();

    let total: i64 = s.reasons.iter().map(|r| r.points).sum();
    (total.clamp(MIN_SCORE, MAX_SCORE), s.reasons)
}

/// What scoring reads off the root's command line, worked out once.
struct CommandLine<'a> {
    /// As the telemetry gave it (allowlist patterns match this).
    raw: &'a str,
    /// Lower-cased (ASCII only, so byte offsets are the raw text's): what
    /// the indicators match.
    lower: &'a str,
    /// The remote content it loads, in any spelling.
    remote: Option<k::Remote>,
    /// The host of that content, when it names one.
    url_host: Option<String>,
    /// Started as a COM server.
    embedding: bool,
    /// Files it runs, outside inline script.
    local_paths: Vec<&'a str>,
    /// The argument mshta runs (its first) and its offset, when it is a
    /// local file: not inline script, not remote content.
    local_target: Option<(&'a str, usize)>,
}

impl<'a> CommandLine<'a> {
    fn new(v: &View<'a>, lowered: &'a str) -> CommandLine<'a> {
        let raw = v.root.command_line.unwrap_or("");
        let own_name = k::image_key(v.root.image);
        let inline = k::inline_handler(lowered).is_some();
        // Only outside inline script (whose text names objects like
        // `WScript.Shell`, not files), and only tokens that look like paths
        // (a URL spelt with backslashes, `http:\\host\a.hta`, is not one).
        let local_paths = if inline { Vec::new() } else { referenced_paths(raw) }
            .into_iter()
            .filter(|p| !p.contains("://") && !k::is_url_like(p))
            .filter(|p| k::image_key(p) != own_name && !lower(p).ends_with(k::MSHTA))
            .filter(|p| !(p.starts_with('{') && p.ends_with('}')))
            .filter(|p| p.contains('\\') || p.contains('/'))
            .collect();
        let remote = k::remote(lowered);
        let local_target = if inline {
            None
        } else {
            k::first_argument(raw)
                .filter(|(a, _)| !k::is_url_like(a) && k::remote(&lower(a)).is_none())
                .filter(|(a, _)| !k::EMBEDDING_FLAGS.contains(&lower(a).as_ref()))
        };
        CommandLine {
            raw,
            lower: lowered,
            url_host: remote.as_ref().map(|r| r.host.clone()).filter(|h| !h.is_empty()),
            remote,
            embedding: k::has_embedding_flag(lowered),
            local_paths,
            local_target,
        }
    }

    /// The IP address the remote target names, in any notation.
    fn host_ip(&self) -> Option<IpAddr> {
        self.url_host.as_deref().and_then(k::host_ip)
    }

    /// The byte offset of a slice of the raw command line.
    fn offset_of(&self, part: &str) -> Option<Span> {
        let start = (part.as_ptr() as usize).checked_sub(self.raw.as_ptr() as usize)?;
        (start + part.len() <= self.raw.len()).then_some((start, start + part.len()))
    }
}

/// Every place `needle` occurs in `hay`, at most [`MAX_SPANS`].
fn occurrences(hay: &str, needle: &str) -> Vec<Span> {
    hay.match_indices(needle).take(MAX_SPANS).map(|(i, m)| (i, i + m.len())).collect()
}

/// The first place `needle` occurs.
fn first(hay: &str, needle: &str) -> Vec<Span> {
    hay.find(needle).map(|i| vec![(i, i + needle.len())]).unwrap_or_default()
}

/// Byte spans as UTF-16 code-unit offsets (what JavaScript's `slice`
/// takes), sorted, merged when they overlap.
fn utf16_spans(raw: &str, mut spans: Vec<Span>) -> Vec<[u32; 2]> {
    spans.sort_unstable();
    spans.dedup();
    let mut out: Vec<[u32; 2]> = Vec::new();
    let at = |byte: usize| {
        let mut b = byte.min(raw.len());
        while !raw.is_char_boundary(b) {
            b -= 1;
        }
        u32::try_from(raw[..b].encode_utf16().count()).unwrap_or(u32::MAX)
    };
    for (s, e) in spans.into_iter().take(MAX_SPANS) {
        let (s, e) = (at(s), at(e));
        if e <= s {
            continue;
        }
        match out.last_mut() {
            Some(last) if s <= last[1] => last[1] = last[1].max(e),
            _ => out.push([s, e]),
        }
    }
    out
}

struct Scorer<'t> {
    t: &'t Tuning,
    /// The root's command line, which spans point into.
    raw: &'t str,
    /// The root's start events: the evidence of command-line and lineage
    /// reasons.
    root: Vec<u64>,
    reasons: Vec<Reason>,
}

/// Names with the input index that shows each.
type Named = Vec<(String, u64)>;

impl Scorer<'_> {
    fn add(&mut self, id: &'static str, detail: String, events: Vec<u64>) {
        self.reasons.push(Reason { id: id.to_string(), points: self.t.points(id), detail, events, spans: Vec::new() });
    }

    fn add_root(&mut self, id: &'static str, detail: String) {
        self.add_spans(id, detail, Vec::new());
    }

    /// A command-line reason with the spans of the root's command line it
    /// matched (byte offsets, stored as UTF-16 offsets).
    fn add_spans(&mut self, id: &'static str, detail: String, spans: Vec<Span>) {
        let events = self.root.clone();
        let spans = utf16_spans(self.raw, spans);
        self.reasons.push(Reason { id: id.to_string(), points: self.t.points(id), detail, events, spans });
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
        let detail = format!("command line runs inline script ({handler})");
        self.add_spans("cmdline_inline_script", detail, first(cmd.lower, handler));
        true
    }

    /// A remote target (in any spelling), its host by IP (in any notation),
    /// an allowlisted host.
    fn remote_content(&mut self, cmd: &CommandLine) -> bool {
        let Some(remote) = &cmd.remote else { return false };
        let shown = cmd.url_host.as_deref().map(|h| format!(" {h}")).unwrap_or_default();
        let detail = format!("command line loads remote content ({}{shown})", remote.family);
        self.add_spans("cmdline_remote_target", detail, vec![remote.span]);
        if let Some(h) = cmd.url_host.as_deref() {
            let (s, e) = remote.span;
            let host_span: Vec<Span> =
                cmd.lower.get(s..e).and_then(|t| t.find(h)).map(|i| vec![(s + i, s + i + h.len())]).unwrap_or_default();
            if let Some(ip) = cmd.host_ip() {
                let spelled = if ip.to_string() == h { String::new() } else { format!(" ({ip})") };
                self.add_spans(
                    "cmdline_raw_ip_url",
                    format!("the remote target addresses {h}{spelled} by IP"),
                    host_span.clone(),
                );
            }
            if self.t.domain_allowed(h) {
                self.add_spans("allowlisted_domain", format!("{h} is under an allowlisted domain"), host_span);
            }
        }
        true
    }

    fn script_objects(&mut self, cmd: &CommandLine) -> bool {
        let tokens = k::script_objects(cmd.lower);
        if tokens.is_empty() {
            return false;
        }
        let mut spans: Vec<Span> =
            k::SCRIPT_OBJECT_TOKENS.iter().flat_map(|(tok, _)| occurrences(cmd.lower, tok)).collect();
        spans.extend(k::script_moniker_spans(cmd.lower));
        let detail = format!("command line uses script objects ({})", tokens.join(", "));
        self.add_spans("cmdline_script_object", detail, spans);
        true
    }

    fn obfuscation(&mut self, cmd: &CommandLine) {
        let found = k::obfuscation(cmd.lower);
        if !found.is_empty() {
            let spans = k::OBFUSCATION_TOKENS.iter().flat_map(|(tok, _)| occurrences(cmd.lower, tok)).collect();
            self.add_spans("cmdline_obfuscation", format!("command line is obfuscated ({})", found.join(", ")), spans);
        }
    }

    /// User-writable and archive-temporary folders. An HTA in either is
    /// script content.
    fn folders(&mut self, cmd: &CommandLine) -> bool {
        let mut script_content = false;
        if let Some((needle, dir)) = k::user_writable_dir_entry(cmd.lower) {
            script_content = k::mentions_hta(cmd.lower);
            let detail = format!("command line references a user-writable folder ({dir})");
            self.add_spans("cmdline_user_writable_path", detail, first(cmd.lower, needle));
        }
        if let Some((needle, what)) = k::archive_temp_dir_entry(cmd.lower) {
            script_content = true;
            let detail = format!("the HTA runs from an archive's temporary folder ({what})");
            self.add_spans("cmdline_archive_temp_path", detail, first(cmd.lower, needle));
        }
        script_content
    }

    /// The file mshta runs: from an alternate data stream, or not an HTA.
    fn targets(&mut self, cmd: &CommandLine) -> bool {
        // `C:\x\file.txt:payload.hta`: a colon after the drive's.
        if let Some(p) = cmd.local_paths.iter().find(|p| p.get(2..).is_some_and(|rest| rest.contains(':'))) {
            let detail = format!("runs content from an alternate data stream ({p})");
            self.add_spans("cmdline_alternate_data_stream", detail, cmd.offset_of(p).into_iter().collect());
            true
        } else if let Some(p) = cmd.local_paths.iter().find(|p| !k::is_hta_like(p)) {
            let detail = format!("runs a file that is not an .hta ({})", basename(p));
            self.add_spans("cmdline_non_hta_target", detail, cmd.offset_of(p).into_iter().collect());
            true
        } else {
            false
        }
    }

    fn embedding(&mut self, cmd: &CommandLine) {
        if cmd.embedding {
            let spans = k::EMBEDDING_FLAGS.iter().flat_map(|f| first(cmd.lower, f)).collect();
            self.add_spans("cmdline_embedding", "started as a COM server (-Embedding)".into(), spans);
        }
    }

    /// `ShellExecute(..., "runas")`: shows what is elevated.
    fn elevation(&mut self, cmd: &CommandLine) {
        if k::inline_handler(cmd.lower).is_none() {
            return;
        }
        if let Some((target, span)) = k::shell_execute_runas(cmd.raw) {
            let detail = format!("elevates through ShellExecute \"runas\" (UAC prompt): {target}");
            self.add_spans("cmdline_elevation", detail, vec![span]);
        }
    }

    /// The batch file picker, and nothing else.
    fn file_picker(&mut self, cmd: &CommandLine) {
        if let Some(spans) = k::file_picker(cmd.lower) {
            let detail =
                "the inline script only shows a file dialog and writes the chosen name to standard output".into();
            self.add_spans("cmdline_file_picker", detail, spans);
        }
    }

    fn command_line_allowlists(&mut self, cmd: &CommandLine) {
        if let Some((pattern, span)) = self.t.command_line_allowed(cmd.raw) {
            let detail = format!("command line matches the allowlisted pattern {pattern:?}");
            self.add_spans("allowlisted_command_line", detail, vec![span]);
        }
        // The file mshta actually runs, resolved as the file system would:
        // not any argument, and not `C:\Apps\..\Users\Public\evil.hta`.
        if let Some((target, at)) = cmd.local_target {
            if let Some(prefix) = self.t.hta_path_allowed(target) {
                let detail = format!("the HTA is under the allowlisted folder {prefix}");
                self.add_spans("allowlisted_hta_path", detail, vec![(at, at + target.len())]);
            }
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

    /// A browser running an HTA from its own cache.
    fn browser_cache(&mut self, v: &View, cmd: &CommandLine) {
        let by_browser = v.parent.as_ref().and_then(|p| p.image).is_some_and(k::is_browser);
        let Some((target, at)) = cmd.local_target.filter(|(t, _)| by_browser && k::in_browser_cache(t)) else {
            return;
        };
        let detail = format!("the browser ran an HTA from its cache ({})", basename(target));
        self.add_spans("hta_from_browser_cache", detail, vec![(at, at + target.len())]);
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

    /// What descendants' command lines (and library loaders' module loads)
    /// show they do: download, run code, load a disguised library, persist.
    fn child_commands(&mut self, v: &View) {
        let (mut downloads, mut code, mut non_library, mut persists, mut relaunch) =
            (Named::new(), Named::new(), Named::new(), Named::new(), Named::new());
        for m in v.members.iter().filter(|m| !m.late) {
            let first = m.events.first().copied().unwrap_or(0);
            let name = k::image_key(m.image).into_owned();
            let does = k::child_does(m.image, m.command_line.unwrap_or(""));
            if does.downloads {
                downloads.push((name.clone(), first));
            }
            if does.runs_code {
                code.push((name.clone(), first));
            }
            if let Some(lib) = does.non_library {
                non_library.push((format!("{name} {}", basename(&lib)), first));
            }
            if let Some(kind) = does.persists {
                persists.push((format!("{kind} ({name})"), first));
                if does.relaunches_mshta {
                    relaunch.push((format!("{kind} ({name})"), first));
                }
            }
        }
        for a in v.acts.iter().filter(|a| !a.late) {
            let Activity::ImageLoad { path } = a.what else { continue };
            let loader = a.image.is_some_and(|i| k::LIBRARY_LOADERS.contains(&k::image_key(i).as_ref()));
            let odd = k::extension(path).is_some_and(|e| !k::LIBRARY_EXTENSIONS.contains(&e.as_str()));
            if loader && odd {
                let name = a.image.map(|i| k::image_key(i).into_owned()).unwrap_or_default();
                non_library.push((format!("{name} {}", basename(path)), a.events[0]));
            }
        }
        self.add_named("child_downloads", |n| format!("a descendant downloads ({n})"), &downloads);
        self.add_named("child_runs_code", |n| format!("a descendant runs code ({n})"), &code);
        self.add_named(
            "child_loads_non_library",
            |n| format!("a library loader loads a file that is not a library ({n})"),
            &non_library,
        );
        self.add_named("child_persists", |n| format!("a descendant creates persistence: {n}"), &persists);
        self.add_named("persistence_relaunches_mshta", |n| format!("the persistence runs mshta again: {n}"), &relaunch);
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

    /// mshta itself wrote into the browser cache while loading remote
    /// content: the download completed.
    fn cached_content(&mut self, v: &View, cmd: &CommandLine) {
        if cmd.remote.is_none() {
            return;
        }
        let cached: Named = v
            .acts
            .iter()
            .filter(|a| !a.late && a.pid.is_some() && a.pid == v.root.pid)
            .filter_map(|a| match a.what {
                Activity::FileCreate { path } if k::in_browser_cache(path) => {
                    Some((basename(path).to_string(), a.events[0]))
                }
                _ => None,
            })
            .collect();
        self.add_named("remote_content_cached", |n| format!("mshta cached the remote content ({n})"), &cached);
    }

    /// Connections inside the window: public (and on which ports), DCOM
    /// activation, internal (and on which ports), to the command line's
    /// host. Returns the allowlisted ones, which `allowlisted_network`
    /// reports with the allowlisted lookups.
    fn network(&mut self, v: &View, cmd: &CommandLine) -> Named {
        let (mut public, mut odd_ports, mut dcom, mut internal, mut internal_odd, mut matches, mut allowed) =
            (Named::new(), Named::new(), Named::new(), Vec::new(), Named::new(), Named::new(), Named::new());
        let cmd_ip = cmd.host_ip();
        for a in v.acts.iter().filter(|a| !a.late) {
            let Activity::Network(n) = a.what else { continue };
            let first = a.events[0];
            let remote = n.remote_ip().unwrap_or("");
            let inbound = n.direction == Direction::Inbound;
            // Any caller from another host: DCOM's ports vary by caller
            // (Windows and Impacket use different ranges).
            let from_elsewhere =
                !remote.is_empty() && !k::is_loopback_ip(remote) && n.dst_ip.as_deref() != Some(remote);
            if cmd.embedding && inbound && from_elsewhere {
                let port = n.dst_port.map(|p| format!(" to port {p}")).unwrap_or_default();
                dcom.push((format!("{remote}{port}"), first));
            }
            if self.t.network_allowed(remote) || n.dst_host.as_deref().is_some_and(|h| self.t.domain_allowed(h)) {
                allowed.push((remote.to_string(), first));
                continue;
            }
            let by_ip = cmd_ip.is_some() && parse_ip(remote) == cmd_ip;
            let by_name = cmd.url_host.as_deref().is_some_and(|h| {
                n.dst_host.as_deref().is_some_and(|d| d.trim_end_matches('.').eq_ignore_ascii_case(h))
            });
            if !inbound && (by_ip || by_name) {
                matches.push((remote.to_string(), first));
            }
            let port = if inbound { n.src_port } else { n.dst_port };
            if remote.is_empty() || k::is_internal_ip(remote) {
                internal.push(first);
                let odd = port.filter(|&p| !k::is_web_port(p) && !k::is_directory_port(p));
                if let (Some(p), false, false) = (odd, inbound, remote.is_empty() || k::is_loopback_ip(remote)) {
                    internal_odd.push((format!("{remote}:{p}"), first));
                }
            } else {
                if let Some(port) = port.filter(|&p| !k::is_web_port(p)) {
                    odd_ports.push((format!("{remote}:{port}"), first));
                }
                public.push((remote.to_string(), first));
            }
        }
        self.add_named("network_public", |n| format!("connected to public address(es) {n}"), &public);
        self.add_named("network_unusual_port", |n| format!("used non-web ports ({n})"), &odd_ports);
        self.add_named(
            "network_internal_unusual_port",
            |n| format!("connected to internal address(es) on non-web ports ({n})"),
            &internal_odd,
        );
        self.add_named("dcom_inbound", |n| format!("accepted inbound connections as a COM server (from {n})"), &dcom);
        self.add_named(
            "network_matches_cmdline_host",
            |n| format!("connected to the command line's remote host ({n})"),
            &matches,
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
            |n| format!("looked up the command line's remote host {n}"),
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

    /// The model's caps, each a reason with the points it takes off (so the
    /// total stays the sum of the reasons): suspicion (launch and activity)
    /// counts at most [`SUSPICION_CAP`]; evidence of one kind only caps the
    /// total at [`ONE_KIND_CAP`].
    fn caps(&mut self) {
        let (mut suspicion, mut evidence) = (0i64, 0i64);
        let mut kinds: Vec<Evidence> = Vec::new();
        for r in &self.reasons {
            match reasons::axis(&r.id) {
                Some(Axis::Launch | Axis::Activity) => suspicion += r.points,
                Some(Axis::Evidence(kind)) => {
                    evidence += r.points;
                    if r.points > 0 && !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                _ => {}
            }
        }
        if suspicion > SUSPICION_CAP {
            let detail = format!(
                "launch indicators and activity sum to {suspicion}; they count at most {SUSPICION_CAP} (medium): only payload evidence raises a chain to high or critical"
            );
            self.push_cap("suspicion_capped", SUSPICION_CAP - suspicion, detail);
            suspicion = SUSPICION_CAP;
        }
        if let [kind] = kinds[..] {
            let sum = suspicion + evidence;
            if sum > ONE_KIND_CAP {
                let detail = format!(
                    "payload evidence of one kind only ({}): at most {ONE_KIND_CAP} (high); critical needs two kinds",
                    kind.name()
                );
                self.push_cap("evidence_one_kind_capped", ONE_KIND_CAP - sum, detail);
            }
        }
    }

    fn push_cap(&mut self, id: &'static str, points: i64, detail: String) {
        self.reasons.push(Reason { id: id.to_string(), points, detail, events: Vec::new(), spans: Vec::new() });
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
    } else if k::is_explorer_com_server(image, command_line) {
        Some(("parent_explorer_com", "Explorer as a COM server (parent spoofing)"))
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
        let factory = "C:\\Windows\\explorer.exe /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b} -Embedding";
        assert_eq!(family("C:\\Windows\\explorer.exe", factory, false), Some("parent_explorer_com"));
        let handler = "rundll32.exe javascript:\"\\..\\mshtml,runhtmlapplication\"";
        assert_eq!(family("rundll32.exe", handler, false), Some("parent_rundll32_handler"));
        assert_eq!(family("rundll32.exe", "rundll32 a.dll,Start", false), Some("parent_script_host"));
        assert_eq!(family("WmiPrvSE.exe", "", false), Some("parent_wmi"));
        assert_eq!(family("firefox.exe", "", false), Some("parent_browser"));
        assert_eq!(family("services.exe", "", false), None);
    }

    #[test]
    fn unique_names_are_sorted_and_cut() {
        let names = ["b", "a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(unique(names.into_iter()), "a, b, c, d, e and 2 more");
        assert_eq!(unique(["x"].into_iter()), "x");
    }
}
