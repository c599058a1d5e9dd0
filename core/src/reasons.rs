//! The catalogue of scoring reasons: stable id, default points, and the
//! documentation of each (what it means, why it matters, known false
//! positives, references). Scoring reads the points from here (or from the
//! config's weights); `docs/reasons.md` is generated from here.

/// The scoring model's parts. A chain's score is the sum of its reasons'
/// points, clamped to 0..100, where:
/// - launch indicators and follow-on activity together count at most
///   [`SUSPICION_CAP`] (the `suspicion_capped` reason takes off the rest):
///   without payload evidence a chain is at most medium;
/// - payload evidence counts in full, but evidence of a single kind caps
///   the total at [`ONE_KIND_CAP`] (`evidence_one_kind_capped`): critical
///   needs two kinds;
/// - tuning (allowlists, baseline) applies after the caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// How suspicious the start of mshta is: its command line, binary and
    /// lineage.
    Launch,
    /// Follow-on activity any HTA may show (a child, a file, a lookup).
    Activity,
    /// Evidence that a payload ran, of one kind.
    Evidence(Evidence),
    /// Allowlists and the baseline: visible tuning, after the caps.
    Tuning,
    /// The model's caps (computed points).
    Cap,
}

/// The kinds of payload evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// Remote content actually retrieved (the lookup or connection the
    /// command line implies, the browser cache, a descendant downloading).
    Retrieval,
    /// Code ran beyond mshta: dropped and run, loaded, compiled, a script
    /// engine or proxy given code.
    Execution,
    /// Something will run again: Startup folder, scheduled task, Run key,
    /// service.
    Persistence,
    /// Command and control or lateral movement: non-web ports, inbound DCOM.
    Command,
}

impl Axis {
    /// The name shown in the reference page.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Launch => "launch",
            Axis::Activity => "activity",
            Axis::Evidence(Evidence::Retrieval) => "evidence: retrieval",
            Axis::Evidence(Evidence::Execution) => "evidence: execution",
            Axis::Evidence(Evidence::Persistence) => "evidence: persistence",
            Axis::Evidence(Evidence::Command) => "evidence: C2 / lateral",
            Axis::Tuning => "tuning",
            Axis::Cap => "cap",
        }
    }
}

impl Evidence {
    /// The name shown in a cap's detail.
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Retrieval => "retrieval",
            Evidence::Execution => "execution",
            Evidence::Persistence => "persistence",
            Evidence::Command => "C2 / lateral movement",
        }
    }
}

/// Launch indicators and activity count at most this much: medium (the
/// medium band is 50..69), never high.
pub const SUSPICION_CAP: i64 = 65;
/// With payload evidence of one kind only, the score is at most this: high
/// (70..89), never critical.
pub const ONE_KIND_CAP: i64 = 89;

/// One kind of reason.
#[derive(Debug, Clone, Copy)]
pub struct ReasonInfo {
    /// Stable snake_case id.
    pub id: &'static str,
    /// Points added by default (negative lowers the score). For the caps,
    /// 0: their points are computed.
    pub points: i64,
    /// Which part of the model it belongs to.
    pub axis: Axis,
    /// What was seen.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// Known legitimate causes.
    pub false_positives: &'static str,
    /// Public sources.
    pub references: &'static str,
}

macro_rules! reasons {
    ($( $id:literal, $points:literal, $axis:expr, $what:literal, $why:literal, $fp:literal, $refs:literal; )*) => {
        /// Every reason the scorer can give, in documentation order.
        pub const REASONS: &[ReasonInfo] = &[
            $( ReasonInfo { id: $id, points: $points, axis: $axis, what: $what, why: $why, false_positives: $fp, references: $refs }, )*
        ];
    };
}

use Axis::{Activity, Cap, Launch, Tuning};

reasons! {
    "mshta_execution", 10, Launch,
    "mshta.exe (or a renamed copy) started.",
    "The base of every chain: mshta runs HTML Applications outside the browser's security model (T1218.005).",
    "Any legitimate HTA use: installers, vendor support tools, SCCM splash screens.",
    "MITRE ATT&CK T1218.005; LOLBAS Mshta.yml";

    "cmdline_inline_script", 30, Launch,
    "The command line carries inline script: `javascript:`, `vbscript:` or `about:` content.",
    "Inline protocol handlers let mshta run script with no file on disk; legitimate software almost never does this.",
    "Rare: some old installers and admin scripts.",
    "Sigma 67f113fa, cc7abbd0; Splunk a0873b32; TRR0016; Atomic Red Team T1218.005 tests 1, 2, 8, 10";

    "cmdline_remote_target", 40, Launch,
    "The command line loads remote content: http(s), ftp, a UNC path or WebDAV.",
    "Remote HTAs and scriptlets are a common delivery path; mshta downloads and runs them in one step.",
    "Intranet HTA servers; allowlist their domains (`allow.domains`) or paths.",
    "Sigma b98d0db6; Elastic 181f6b23, ee7726cc; Splunk 9b3af1e6; Atomic tests 1, 4, 6, 9";

    "cmdline_raw_ip_url", 15, Launch,
    "The URL in the command line uses a raw IP address rather than a name.",
    "Staging servers are often addressed by IP; legitimate software uses names.",
    "Lab setups and appliances addressed by IP.",
    "Elastic 181f6b23 (URL patterns); common red-team tradecraft";

    "cmdline_script_object", 15, Launch,
    "The command line names script objects or methods: GetObject, a `script:` moniker, ActiveXObject, WScript.Shell, CreateObject, .Run, .Exec, eval, Execute, RegRead/RegWrite.",
    "These are how inline HTA script reaches the system: shells, downloads, registry.",
    "Rare outside attacks and test harnesses.",
    "Elastic 181f6b23; Sigma 2c28c248; LOLBAS Mshta.yml";

    "cmdline_obfuscation", 10, Launch,
    "The command line is obfuscated: percent-encoding, Chr(), StrReverse, fromCharCode, caret escapes.",
    "Obfuscation hides intent from simple rules; benign HTA launches have no reason for it.",
    "URL-encoded spaces in legitimate remote HTA paths.",
    "Sigma ac20ae82; Elastic 37148ae6; Invoke-Obfuscation";

    "cmdline_user_writable_path", 10, Launch,
    "The command line references a user-writable folder: Startup, Downloads, Temp, Public, ProgramData, AppData.",
    "HTAs dropped by a download or a previous stage land in user-writable folders; vendor HTAs live under Program Files.",
    "Per-user installers and some support tools run HTAs from AppData.",
    "Sigma e32f92d1, cea72823, 1228c958; Elastic 181f6b23";

    "cmdline_archive_temp_path", 15, Launch,
    "The HTA runs from an archive tool's temporary folder (7z*, Rar$*, Temp?_*, a .zip path).",
    "Opening an HTA straight out of a mailed or downloaded archive is a classic lure.",
    "Users opening legitimate HTAs from archives (rare).",
    "Sigma d4ca7c59; Elastic 181f6b23";

    "cmdline_non_hta_target", 15, Launch,
    "mshta was pointed at a file whose extension is not .hta/.htm/.html (a polyglot).",
    "mshta runs HTA content in any file not registered as text or image: attackers hide HTAs in .png, .txt, .dll or a copy of an executable.",
    "Very rare.",
    "Sigma cc7abbd0; TRR0016; AtomicTestHarnesses -TemplatePE";

    "cmdline_alternate_data_stream", 20, Launch,
    "The command line runs an HTA from an NTFS alternate data stream (`file.txt:payload.hta`).",
    "Alternate data streams hide content from directory listings.",
    "None known.",
    "LOLBAS Mshta.yml (ADS usage)";

    "cmdline_embedding", 10, Launch,
    "mshta was started with `-Embedding` (as a COM/DCOM server).",
    "LethalHTA-style lateral movement starts mshta over DCOM; with an inbound connection it is lateral movement.",
    "Legitimate COM activation of mshta (rare).",
    "Elastic 622ecb68; Sigma ed5d72a6; Splunk 4d33a488";

    "cmdline_elevation", 5, Launch,
    "The inline script elevates through the shell: `ShellExecute(file, args, dir, \"runas\", ...)`; the detail shows the elevated target.",
    "Administrators' batch files elevate themselves this way, and so do payloads; the target says which (a local batch file, or something fetched or dropped).",
    "Installer and admin scripts that re-run themselves elevated (read the target).",
    "Sigma 8f05b8ce (ShellExecute runas); LOLBAS Mshta.yml";

    "cmdline_file_picker", -25, Launch,
    "The command line is only the batch \"file picker\": an `about:` page with a file input whose script clicks it and writes the chosen name to standard output, and does nothing else (no run, fetch, write or eval).",
    "A well-known administrators' idiom (`for /f ... in ('mshta \"about:<input type=file ...>\"')`): it reads a file name and nothing more, so the inline-script and script-object points overstate it.",
    "None: any call that runs, fetches, writes or evaluates disables this reason.",
    "SS64 and Stack Overflow batch idioms (mshta file dialog)";

    "renamed_binary", 30, Launch,
    "A copy of mshta under another name (OriginalFileName MSHTA.EXE).",
    "Renaming defeats rules that match on the image name.",
    "None known.",
    "Sigma 0ba1da6d; Splunk 8f45fcf0; Elastic protections b0207677";

    "unusual_image_path", 20, Launch,
    "mshta runs from outside System32/SysWOW64.",
    "A copied mshta elsewhere suggests evasion.",
    "Some application-virtualisation layers.",
    "Sigma e32f92d1; LOLBAS Full_Path";

    "parent_office", 25, Launch,
    "Started by an Office application (Word, Excel, PowerPoint, Outlook, OneNote, Equation Editor, Publisher, Visio, Access).",
    "Office spawning mshta is a macro or exploit delivering a payload.",
    "MS Access solutions that launch HTAs (verify the HTA).",
    "Sigma 438025f9; Elastic a624863f, 32f4675e; Splunk 6078fa20";

    "parent_wmi", 20, Launch,
    "Started by WMI (WmiPrvSE.exe, scrcons.exe).",
    "WMI process creation is remote execution and persistence tradecraft.",
    "Management tools that launch HTAs through WMI.",
    "Sigma 8a582fe2; Splunk 4d33a488, 95a455f0; AtomicTestHarnesses";

    "parent_dcom", 20, Launch,
    "Started through DCOM (svchost DcomLaunch, or `-Embedding`).",
    "DCOM activation of mshta is LethalHTA lateral movement.",
    "Legitimate COM activation (rare).",
    "Elastic 622ecb68; Sigma ed5d72a6";

    "parent_script_host", 15, Launch,
    "Started by a shell or script host (cmd, PowerShell, wscript, cscript, regsvr32, rundll32, hh).",
    "A script or shell launching mshta is usually a stage of a chain.",
    "Admin and installer scripts.",
    "Sigma e32f92d1, 3a6586ad; Splunk 1f35e1da";

    "parent_browser", 15, Launch,
    "Started by a web browser.",
    "A browser launching mshta means a downloaded HTA was opened (FileFix, drive-by).",
    "Users opening intranet HTAs from a browser.",
    "Elastic 7dc45430; Palo Alto Cortex 'Mshta.exe spawns from a browser process'";

    "hta_from_browser_cache", 20, Launch,
    "A browser started mshta on an HTA in its own cache (Temporary Internet Files, INetCache).",
    "The browser fetched the HTA and ran it in place: a drive-by or a lure opened straight from the web.",
    "Intranet HTAs opened from Internet Explorer.",
    "Elastic 7dc45430; Metasploit hta_server delivery";

    "parent_rundll32_handler", 20, Launch,
    "The parent command line uses rundll32 with mshtml RunHTMLApplication or url.dll FileProtocolHandler.",
    "Proxying HTA execution through rundll32 evades mshta-name rules.",
    "None known.",
    "TRR0016; AtomicTestHarnesses";

    "parent_explorer_com", 20, Launch,
    "The parent is Explorer started as a COM server (`/factory,{CLSID} -Embedding`).",
    "Scripts that launch through the shell's COM objects (ShellWindows, ShellBrowserWindow) make Explorer the parent, hiding the real launcher (parent spoofing).",
    "Rare: shell extensions that open windows through COM.",
    "MDSec and SpecterOps on COM-based parent spoofing; Elastic 2c6bd0ff";

    "ancestor_suspicious", 20, Launch,
    "An ancestor above the parent is an Office application, WMI or DCOM.",
    "The launcher was itself launched by a delivery mechanism (WMI starting Explorer on a dropped HTA, Office starting a shell that starts mshta).",
    "Management tools that run scripts through WMI.",
    "eqllib d49fc9fe (descendant of); AtomicTestHarnesses";

    "parent_explorer", 3, Launch,
    "Started by Explorer (a double-click).",
    "Weak: the normal way users open HTAs, but also how a user runs a malicious attachment.",
    "Every legitimate double-click.",
    "TRR0016 (double-click marker GUID)";

    "file_written_then_run", 25, Axis::Evidence(Evidence::Execution),
    "Another process wrote the file mshta ran, shortly before (within the window).",
    "Download-then-run: the HTA was dropped by a previous stage.",
    "Installers that unpack then launch an HTA.",
    "Atomic T1218.005 test 3; Elastic 79543b00; protections d8e8168f";

    "child_shell_or_lolbin", 20, Activity,
    "A descendant is a shell, script host, living-off-the-land binary or discovery command (cmd, PowerShell, rundll32, regsvr32, certutil, bitsadmin, curl, msiexec, schtasks, reg, whoami, net, ...; see the tables below).",
    "HTA payloads hand over to shells and LOLBins to download, persist or run the next stage.",
    "Vendor HTAs that run cmd for housekeeping.",
    "Sigma 03cc0c25; Elastic 48e60a73; Splunk 60023bb6";

    "child_process", 10, Activity,
    "A descendant process started (other than shells and LOLBins).",
    "Any process spawned by an HTA is follow-on activity.",
    "Vendor HTAs that launch their own executables.",
    "ATT&CK AN1397";

    "child_in_user_folder", 20, Axis::Evidence(Evidence::Execution),
    "A descendant runs from a user-writable tree (\\Users\\, \\Windows\\Temp\\, \\ProgramData\\, \\PerfLogs\\).",
    "Payloads dropped by the HTA run from user-writable locations.",
    "Per-user installed applications.",
    "Elastic 48e60a73; protections 83da4fac";

    "written_file_executed", 30, Axis::Evidence(Evidence::Execution),
    "A file written by the chain was then run as a process.",
    "Drop-and-execute is the payload stage.",
    "Installers.",
    "Elastic protections ccbc4a79";

    "child_downloads", 25, Axis::Evidence(Evidence::Retrieval),
    "A descendant's command line downloads: PowerShell web cmdlets or WebClient, certutil -urlcache, bitsadmin /transfer, curl or wget with a URL, regsvr32 /i:http, msiexec from a URL (encoded PowerShell commands are decoded first).",
    "The payload fetches its next stage.",
    "Vendor HTAs that update themselves through a script (rare).",
    "Sigma 3b6ab547, e011a729, 90f138c1; LOLBAS";

    "child_runs_code", 25, Axis::Evidence(Evidence::Execution),
    "A descendant runs code: PowerShell or a script host given a command, encoded or in-memory code or a script from a user-writable or remote place; a shell running something from there; an execution proxy (msbuild, installutil, regasm, cmstp, ...); rundll32/regsvr32 loading from there.",
    "The HTA handed over to the next stage. A local script outside user-writable folders (`cmd /c C:\\Tools\\setup.bat`) does not count: that is how administrators' scripts look.",
    "Vendor HTAs that run PowerShell housekeeping.",
    "Sigma 03cc0c25; Elastic 48e60a73; Splunk 60023bb6";

    "child_loads_non_library", 30, Axis::Evidence(Evidence::Execution),
    "rundll32 or regsvr32 in the chain loads a file whose extension is not a library's (`.jpg`, `.png`, `.dat`, `.txt`), by command line or module load.",
    "A DLL disguised as an image or data file is a payload.",
    "None known.",
    "Sigma 6e0fc1e4; Elastic 5afc8c2b";

    "child_persists", 30, Axis::Evidence(Evidence::Persistence),
    "A descendant creates persistence: `schtasks /create`, `reg add ...\\CurrentVersion\\Run`, `sc create`, a WMI subscription, their PowerShell forms.",
    "The payload makes itself run again.",
    "Installers registering tasks or services.",
    "Sigma 92626ddd, 9c8a2539, 85ff530b; ATT&CK T1053.005, T1547.001, T1543.003";

    "persistence_relaunches_mshta", 15, Axis::Evidence(Evidence::Persistence),
    "The persistence a descendant creates runs mshta again (a task or Run key whose command is `mshta ...`).",
    "HTA persistence: the chain will recur at every trigger.",
    "None known.",
    "Sigma 92626ddd; ATT&CK T1218.005 with T1053.005 / T1547.001";

    "file_dropped_executable", 20, Axis::Evidence(Evidence::Execution),
    "The chain wrote executables, scripts, archives or disk images (see the tables below).",
    "Dropping code is staging.",
    "Tools that write scripts legitimately; PowerShell's policy-test files.",
    "Sigma f0540f7e, 7d604714, 654fcc6d";

    "file_in_startup", 30, Axis::Evidence(Evidence::Persistence),
    "The chain wrote into a Startup folder.",
    "Startup-folder files run at logon: persistence.",
    "Installers adding shortcuts.",
    "Elastic 440e2db4; protections a85000c8";

    "file_created", 5, Activity,
    "The chain created other files.",
    "Weak follow-on evidence (caches, temp files).",
    "INetCache and temp files of legitimate HTAs.",
    "ATT&CK AN1397 (DC0039 File Creation)";

    "network_public", 15, Activity,
    "The chain connected to public addresses.",
    "Retrieval of the next stage or command and control.",
    "HTAs that load web content legitimately; CRL/OCSP lookups.",
    "Elastic c2d90150; ATT&CK AN1397 (DC0082)";

    "network_internal", 3, Activity,
    "The chain connected to private or loopback addresses on web ports, or to allowlisted ones.",
    "Weak on its own; internal non-web ports score `network_internal_unusual_port` instead.",
    "Intranet HTAs.",
    "Sigma 992a6cae analogs";

    "network_unusual_port", 25, Axis::Evidence(Evidence::Command),
    "A public connection used a port other than 80/443.",
    "Non-web ports from an HTA chain suggest C2 or tunnelling.",
    "Proxies on 8080.",
    "ATT&CK AN0922";

    "network_internal_unusual_port", 30, Axis::Evidence(Evidence::Command),
    "The chain connected to an internal (private-range, not loopback) address on a port other than 80/443 and the directory services' (53, 88, 389, 636, 3268, 3269), outside the allowlisted networks.",
    "Internal destinations are not automatically weak: an internal host on a non-web port is lateral movement or C2 (a listener on 4443 in a lab or a compromised server in an estate). Mark the estate's own services with `allow.networks`.",
    "Internal proxies and services on other ports (allowlist them).",
    "ATT&CK AN0922, TA0008";

    "dns_query", 5, Activity,
    "The chain looked up names.",
    "Retrieval or C2 needs a name lookup first.",
    "Legitimate web content.",
    "ATT&CK AN1397 (Sysmon 22)";

    "dns_matches_cmdline_host", 20, Axis::Evidence(Evidence::Retrieval),
    "The chain looked up the host named in mshta's command-line URL.",
    "Confirms the remote content was actually fetched.",
    "Intranet HTA servers.",
    "Elastic 1fe3b299";

    "network_matches_cmdline_host", 20, Axis::Evidence(Evidence::Retrieval),
    "The chain connected to the host (IP or name) of mshta's remote target.",
    "The remote content was actually fetched, not only named.",
    "Intranet HTA servers (allowlist their domains or networks).",
    "Elastic 181f6b23; ATT&CK AN1397 (DC0082)";

    "remote_content_cached", 20, Axis::Evidence(Evidence::Retrieval),
    "mshta wrote the remote content it loads into the browser cache (INetCache, Temporary Internet Files).",
    "The download of the remote HTA or scriptlet completed.",
    "Intranet HTA servers.",
    "OTRF Security-Datasets (mshta[1].sct in INetCache); ATT&CK AN1397 (DC0039)";

    "dcom_inbound", 35, Axis::Evidence(Evidence::Command),
    "An `-Embedding` mshta accepted an inbound connection from another host (any ports; loopback aside).",
    "The DCOM activation of LethalHTA lateral movement.",
    "None known.",
    "Elastic 622ecb68";

    "clr_loaded", 15, Activity,
    "The .NET runtime (clr.dll, mscoree.dll) loaded into a chain process.",
    "DotNetToJScript-style payloads run .NET inside mshta.",
    "HTAs that host .NET controls.",
    "Sigma 4508a70e, e0b06658; LOLBAS Mshta.yml";

    "late_activity", 5, Activity,
    "Follow-on activity after the correlation window.",
    "Still attached, scored low: it may or may not belong to the HTA's actions.",
    "Long-running legitimate HTAs.",
    "ATT&CK AN1397 TimeWindow";

    "an1397_pattern", 15, Activity,
    "Script content on the command line (inline, remote, script objects, or an HTA in a user-writable folder) followed by activity inside the window.",
    "The full AN1397 pattern, counted separately so it can be measured.",
    "Rare.",
    "ATT&CK DET0506 / AN1397";

    "allowlisted_parent", -30, Tuning,
    "The parent image is on the config's allowlist.",
    "Visible tuning: known-good launchers lower the score, never hide the chain.",
    "An attacker who injects into an allowlisted parent.",
    "ATT&CK AN1397 SuspiciousParentProcesses";

    "allowlisted_command_line", -40, Tuning,
    "The command line matches an allowlisted pattern.",
    "Visible tuning for known-good HTA invocations.",
    "A pattern that is too broad.",
    "ATT&CK AN1397 CommandLinePattern";

    "allowlisted_hta_path", -40, Tuning,
    "The HTA path is under an allowlisted folder.",
    "Visible tuning for vendor HTAs (AllowedHTASources).",
    "An attacker who can write into the allowlisted folder.",
    "ATT&CK AN1397 AllowedHTASources";

    "allowlisted_domain", -20, Tuning,
    "The command line's URL host is under an allowlisted domain.",
    "Visible tuning for intranet HTA servers (AllowedHTASources).",
    "A compromised intranet server.",
    "ATT&CK AN1397 AllowedHTASources";

    "allowlisted_host", -50, Tuning,
    "The host is allowlisted (a build or test machine).",
    "Visible tuning: the chain still shows, scored lower.",
    "A compromised allowlisted host.",
    "Operational practice";

    "allowlisted_network", 0, Tuning,
    "Connections went to allowlisted internal networks or domains; they count as internal.",
    "Visible tuning for proxies and internal services.",
    "None.",
    "Operational practice";

    "baseline_known", -40, Tuning,
    "This command-line shape and parent are in the baseline of known-good mshta use.",
    "Learned from the estate's own inventory: `mshta-chain baseline`.",
    "An attack that reuses a baselined invocation exactly.",
    "ATT&CK T1218.005 mitigation: compare with prior history of known good arguments";

    "suspicion_capped", 0, Cap,
    "Launch indicators and follow-on activity summed to more than 65; the rest is taken off (computed points).",
    "How suspicious a launch looks, however many indicators it shows, is not evidence that a payload ran: without payload evidence a chain stays at most medium.",
    "None: the cap is the model.",
    "This project's scoring model (README, Scoring)";

    "evidence_one_kind_capped", 0, Cap,
    "All the payload evidence is of one kind; the total above 89 is taken off (computed points).",
    "Critical needs two independent kinds of evidence (retrieved and executed, executed and persisted, ...); one kind is high.",
    "None: the cap is the model.",
    "This project's scoring model (README, Scoring)";
}

/// The axis of a reason id, if it exists.
pub fn axis(id: &str) -> Option<Axis> {
    REASONS.iter().find(|r| r.id == id).map(|r| r.axis)
}

/// Default points of a reason id, if it exists.
pub fn default_points(id: &str) -> Option<i64> {
    REASONS.iter().find(|r| r.id == id).map(|r| r.points)
}

/// How the score is made and what each severity band needs (Markdown, for
/// the reference page).
fn bands() -> String {
    format!(
        "## How the score is made\n\n\
         A chain's score is the sum of its reasons' points, clamped to 0..100 (change points with the config's \
         `weights`). Every reason belongs to one axis:\n\n\
         - **launch**: how suspicious the start of mshta is (its command line, binary, parent and ancestors);\n\
         - **activity**: follow-on any HTA may show (a child process, a file, a lookup, a web connection);\n\
         - **evidence**: that a payload ran, of four kinds: *retrieval* (the remote content was fetched: the \
         lookup or connection the command line implies, the browser cache, a descendant downloading), \
         *execution* (dropped and run, a disguised library, a script engine or proxy given code), *persistence* \
         (Startup folder, scheduled task, Run key, service; re-launching mshta), *C2 / lateral* (non-web \
         ports, public or internal; inbound connections to an `-Embedding` mshta);\n\
         - **tuning**: allowlists and the baseline, applied after the caps.\n\n\
         Two caps, each shown as a reason with the points it takes off (so the total is still the sum of the \
         reasons listed):\n\n\
         1. `suspicion_capped`: launch and activity together count at most {SUSPICION_CAP}.\n\
         2. `evidence_one_kind_capped`: with evidence of a single kind, the total is at most {ONE_KIND_CAP}.\n\n\
         ## Severity bands\n\n\
         | severity | score | what must be present |\n|---|---|---|\n\
         | informational | 0..24 | anything (a vendor HTA double-clicked under Program Files) |\n\
         | low | 25..49 | some launch indicators or activity |\n\
         | medium | 50..69 | suspicious launch indicators and activity; the most launch indicators alone can reach ({SUSPICION_CAP}) |\n\
         | high | 70..89 | payload evidence (at least one evidence reason) |\n\
         | critical | 90..100 | payload evidence of at least two kinds (retrieved and executed, executed and persisted, C2 and execution, ...) |\n\n\
         Tuning can lower any band. The bands are those of `Severity::of_score`; the caps make \"high\" and \
         \"critical\" mean evidence, whatever the weights.\n"
    )
}

/// The reference page, Markdown.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Scoring reasons\n\nGenerated from `core/src/reasons.rs` (`cargo run -p mshta-chain-core --example reasons > docs/reasons.md`).\n\n",
    );
    s.push_str(&bands());
    s.push_str("\n| id | default points | axis |\n|---|---|---|\n");
    for r in REASONS {
        let points = if r.axis == Axis::Cap { "computed".to_string() } else { r.points.to_string() };
        s.push_str(&format!("| [`{}`](#{}) | {} | {} |\n", r.id, r.id, points, r.axis.name()));
    }
    for r in REASONS {
        s.push_str(&format!(
            "\n## {}\n\nDefault points: {} ({})\n\n- **What:** {}\n- **Why:** {}\n- **False positives:** {}\n- **References:** {}\n",
            r.id, r.points, r.axis.name(), r.what, r.why, r.false_positives, r.references
        ));
    }
    let web: Vec<String> = crate::knowledge::WEB_PORTS.iter().map(u16::to_string).collect();
    let dir: Vec<String> = crate::knowledge::DIRECTORY_PORTS.iter().map(u16::to_string).collect();
    s.push_str(&format!(
        "\n# Detection tables\n\nThe names, extensions, folders and tokens the reasons above (and each chain's \
         `triage` checklist) match, from `core/src/knowledge.rs`, where each table cites its sources. Names and \
         paths match in any case. Web ports: {}; directory-service ports: {}.\n\n",
        web.join(", "),
        dir.join(", ")
    ));
    for (title, used_by, entries) in crate::knowledge::tables() {
        let shown: Vec<String> = entries.iter().map(|e| format!("`{}`", e.replace('`', "'"))).collect();
        s.push_str(&format!("- **{title}**: {}. Read by {used_by}.\n", shown.join(", ")));
    }
    s
}
