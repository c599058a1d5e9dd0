//! The catalogue of scoring reasons: stable id, default points, and the
//! documentation of each (what it means, why it matters, known false
//! positives, references). Scoring reads the points from here (or from the
//! config's weights); `docs/reasons.md` is generated from here.

/// One kind of reason.
#[derive(Debug, Clone, Copy)]
pub struct ReasonInfo {
    /// Stable snake_case id.
    pub id: &'static str,
    /// Points added by default (negative lowers the score).
    pub points: i64,
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
    ($( $id:literal, $points:literal, $what:literal, $why:literal, $fp:literal, $refs:literal; )*) => {
        /// Every reason the scorer can give, in documentation order.
        pub const REASONS: &[ReasonInfo] = &[
            $( ReasonInfo { id: $id, points: $points, what: $what, why: $why, false_positives: $fp, references: $refs }, )*
        ];
    };
}

reasons! {
    "mshta_execution", 5,
    "mshta.exe (or a renamed copy) started.",
    "The base of every chain: mshta runs HTML Applications outside the browser's security model (T1218.005).",
    "Any legitimate HTA use: installers, vendor support tools, SCCM splash screens.",
    "MITRE ATT&CK T1218.005; LOLBAS Mshta.yml";

    "cmdline_inline_script", 30,
    "The command line carries inline script: `javascript:`, `vbscript:` or `about:` content.",
    "Inline protocol handlers let mshta run script with no file on disk; legitimate software almost never does this.",
    "Rare: some old installers and admin scripts.",
    "Sigma 67f113fa, cc7abbd0; Splunk a0873b32; TRR0016; Atomic Red Team T1218.005 tests 1, 2, 8, 10";

    "cmdline_remote_target", 30,
    "The command line loads remote content: http(s), ftp, a UNC path or WebDAV.",
    "Remote HTAs and scriptlets are a common delivery path; mshta downloads and runs them in one step.",
    "Intranet HTA servers; allowlist their domains (`allow.domains`) or paths.",
    "Sigma b98d0db6; Elastic 181f6b23, ee7726cc; Splunk 9b3af1e6; Atomic tests 1, 4, 6, 9";

    "cmdline_raw_ip_url", 10,
    "The URL in the command line uses a raw IP address rather than a name.",
    "Staging servers are often addressed by IP; legitimate software uses names.",
    "Lab setups and appliances addressed by IP.",
    "Elastic 181f6b23 (URL patterns); common red-team tradecraft";

    "cmdline_script_object", 15,
    "The command line names script objects or methods: GetObject, a `script:` moniker, ActiveXObject, WScript.Shell, CreateObject, .Run, .Exec, eval, Execute, RegRead/RegWrite.",
    "These are how inline HTA script reaches the system: shells, downloads, registry.",
    "Rare outside attacks and test harnesses.",
    "Elastic 181f6b23; Sigma 2c28c248; LOLBAS Mshta.yml";

    "cmdline_obfuscation", 10,
    "The command line is obfuscated: percent-encoding, Chr(), StrReverse, fromCharCode, caret escapes.",
    "Obfuscation hides intent from simple rules; benign HTA launches have no reason for it.",
    "URL-encoded spaces in legitimate remote HTA paths.",
    "Sigma ac20ae82; Elastic 37148ae6; Invoke-Obfuscation";

    "cmdline_user_writable_path", 10,
    "The command line references a user-writable folder: Startup, Downloads, Temp, Public, ProgramData, AppData.",
    "HTAs dropped by a download or a previous stage land in user-writable folders; vendor HTAs live under Program Files.",
    "Per-user installers and some support tools run HTAs from AppData.",
    "Sigma e32f92d1, cea72823, 1228c958; Elastic 181f6b23";

    "cmdline_archive_temp_path", 15,
    "The HTA runs from an archive tool's temporary folder (7z*, Rar$*, Temp?_*, a .zip path).",
    "Opening an HTA straight out of a mailed or downloaded archive is a classic lure.",
    "Users opening legitimate HTAs from archives (rare).",
    "Sigma d4ca7c59; Elastic 181f6b23";

    "cmdline_non_hta_target", 15,
    "mshta was pointed at a file whose extension is not .hta/.htm/.html (a polyglot).",
    "mshta runs HTA content in any file not registered as text or image: attackers hide HTAs in .png, .txt, .dll or a copy of an executable.",
    "Very rare.",
    "Sigma cc7abbd0; TRR0016; AtomicTestHarnesses -TemplatePE";

    "cmdline_alternate_data_stream", 20,
    "The command line runs an HTA from an NTFS alternate data stream (`file.txt:payload.hta`).",
    "Alternate data streams hide content from directory listings.",
    "None known.",
    "LOLBAS Mshta.yml (ADS usage)";

    "cmdline_embedding", 10,
    "mshta was started with `-Embedding` (as a COM/DCOM server).",
    "LethalHTA-style lateral movement starts mshta over DCOM; with an inbound connection it is lateral movement.",
    "Legitimate COM activation of mshta (rare).",
    "Elastic 622ecb68; Sigma ed5d72a6; Splunk 4d33a488";

    "renamed_binary", 30,
    "A copy of mshta under another name (OriginalFileName MSHTA.EXE).",
    "Renaming defeats rules that match on the image name.",
    "None known.",
    "Sigma 0ba1da6d; Splunk 8f45fcf0; Elastic protections b0207677";

    "unusual_image_path", 20,
    "mshta runs from outside System32/SysWOW64.",
    "A copied mshta elsewhere suggests evasion.",
    "Some application-virtualisation layers.",
    "Sigma e32f92d1; LOLBAS Full_Path";

    "parent_office", 25,
    "Started by an Office application (Word, Excel, PowerPoint, Outlook, OneNote, Equation Editor, Publisher, Visio, Access).",
    "Office spawning mshta is a macro or exploit delivering a payload.",
    "MS Access solutions that launch HTAs (verify the HTA).",
    "Sigma 438025f9; Elastic a624863f, 32f4675e; Splunk 6078fa20";

    "parent_wmi", 20,
    "Started by WMI (WmiPrvSE.exe, scrcons.exe).",
    "WMI process creation is remote execution and persistence tradecraft.",
    "Management tools that launch HTAs through WMI.",
    "Sigma 8a582fe2; Splunk 4d33a488, 95a455f0; AtomicTestHarnesses";

    "parent_dcom", 20,
    "Started through DCOM (svchost DcomLaunch, or `-Embedding`).",
    "DCOM activation of mshta is LethalHTA lateral movement.",
    "Legitimate COM activation (rare).",
    "Elastic 622ecb68; Sigma ed5d72a6";

    "parent_script_host", 15,
    "Started by a shell or script host (cmd, PowerShell, wscript, cscript, regsvr32, rundll32, hh).",
    "A script or shell launching mshta is usually a stage of a chain.",
    "Admin and installer scripts.",
    "Sigma e32f92d1, 3a6586ad; Splunk 1f35e1da";

    "parent_browser", 15,
    "Started by a web browser.",
    "A browser launching mshta means a downloaded HTA was opened (FileFix, drive-by).",
    "Users opening intranet HTAs from a browser.",
    "Elastic 7dc45430; Palo Alto Cortex 'Mshta.exe spawns from a browser process'";

    "parent_rundll32_handler", 20,
    "The parent command line uses rundll32 with mshtml RunHTMLApplication or url.dll FileProtocolHandler.",
    "Proxying HTA execution through rundll32 evades mshta-name rules.",
    "None known.",
    "TRR0016; AtomicTestHarnesses";

    "ancestor_suspicious", 20,
    "An ancestor above the parent is an Office application, WMI or DCOM.",
    "The launcher was itself launched by a delivery mechanism (WMI starting Explorer on a dropped HTA, Office starting a shell that starts mshta).",
    "Management tools that run scripts through WMI.",
    "eqllib d49fc9fe (descendant of); AtomicTestHarnesses";

    "parent_explorer", 3,
    "Started by Explorer (a double-click).",
    "Weak: the normal way users open HTAs, but also how a user runs a malicious attachment.",
    "Every legitimate double-click.",
    "TRR0016 (double-click marker GUID)";

    "file_written_then_run", 20,
    "Another process wrote the file mshta ran, shortly before (within the window).",
    "Download-then-run: the HTA was dropped by a previous stage.",
    "Installers that unpack then launch an HTA.",
    "Atomic T1218.005 test 3; Elastic 79543b00; protections d8e8168f";

    "child_shell_or_lolbin", 25,
    "A descendant is a shell, script host, living-off-the-land binary or discovery command (cmd, PowerShell, rundll32, regsvr32, certutil, bitsadmin, curl, msiexec, schtasks, reg, whoami, net, ...; see the tables below).",
    "HTA payloads hand over to shells and LOLBins to download, persist or run the next stage.",
    "Vendor HTAs that run cmd for housekeeping.",
    "Sigma 03cc0c25; Elastic 48e60a73; Splunk 60023bb6";

    "child_process", 10,
    "A descendant process started (other than shells and LOLBins).",
    "Any process spawned by an HTA is follow-on activity.",
    "Vendor HTAs that launch their own executables.",
    "ATT&CK AN1397";

    "child_in_user_folder", 15,
    "A descendant runs from a user-writable tree (\\Users\\, \\Windows\\Temp\\, \\ProgramData\\, \\PerfLogs\\).",
    "Payloads dropped by the HTA run from user-writable locations.",
    "Per-user installed applications.",
    "Elastic 48e60a73; protections 83da4fac";

    "written_file_executed", 25,
    "A file written by the chain was then run as a process.",
    "Drop-and-execute is the payload stage.",
    "Installers.",
    "Elastic protections ccbc4a79";

    "file_dropped_executable", 15,
    "The chain wrote executables, scripts, archives or disk images (see the tables below).",
    "Dropping code is staging.",
    "Tools that write scripts legitimately; PowerShell's policy-test files.",
    "Sigma f0540f7e, 7d604714, 654fcc6d";

    "file_in_startup", 20,
    "The chain wrote into a Startup folder.",
    "Startup-folder files run at logon: persistence.",
    "Installers adding shortcuts.",
    "Elastic 440e2db4; protections a85000c8";

    "file_created", 5,
    "The chain created other files.",
    "Weak follow-on evidence (caches, temp files).",
    "INetCache and temp files of legitimate HTAs.",
    "ATT&CK AN1397 (DC0039 File Creation)";

    "network_public", 15,
    "The chain connected to public addresses.",
    "Retrieval of the next stage or command and control.",
    "HTAs that load web content legitimately; CRL/OCSP lookups.",
    "Elastic c2d90150; ATT&CK AN1397 (DC0082)";

    "network_internal", 3,
    "The chain connected to private, loopback or allowlisted addresses.",
    "Weak: internal staging or lateral movement, usually benign.",
    "Intranet HTAs.",
    "Sigma 992a6cae analogs";

    "network_unusual_port", 10,
    "A public connection used a port other than 80/443.",
    "Non-web ports from an HTA chain suggest C2 or tunnelling.",
    "Proxies on 8080.",
    "ATT&CK AN0922";

    "dns_query", 5,
    "The chain looked up names.",
    "Retrieval or C2 needs a name lookup first.",
    "Legitimate web content.",
    "ATT&CK AN1397 (Sysmon 22)";

    "dns_matches_cmdline_host", 10,
    "The chain looked up the host named in mshta's command-line URL.",
    "Confirms the remote content was actually fetched.",
    "Intranet HTA servers.",
    "Elastic 1fe3b299";

    "dcom_inbound", 25,
    "An `-Embedding` mshta received an inbound connection between high ports.",
    "The DCOM activation of LethalHTA lateral movement.",
    "None known.",
    "Elastic 622ecb68";

    "clr_loaded", 15,
    "The .NET runtime (clr.dll, mscoree.dll) loaded into a chain process.",
    "DotNetToJScript-style payloads run .NET inside mshta.",
    "HTAs that host .NET controls.",
    "Sigma 4508a70e, e0b06658; LOLBAS Mshta.yml";

    "late_activity", 5,
    "Follow-on activity after the correlation window.",
    "Still attached, scored low: it may or may not belong to the HTA's actions.",
    "Long-running legitimate HTAs.",
    "ATT&CK AN1397 TimeWindow";

    "an1397_pattern", 15,
    "Script content on the command line (inline, remote, script objects, or an HTA in a user-writable folder) followed by activity inside the window.",
    "The full AN1397 pattern, counted separately so it can be measured.",
    "Rare.",
    "ATT&CK DET0506 / AN1397";

    "allowlisted_parent", -30,
    "The parent image is on the config's allowlist.",
    "Visible tuning: known-good launchers lower the score, never hide the chain.",
    "An attacker who injects into an allowlisted parent.",
    "ATT&CK AN1397 SuspiciousParentProcesses";

    "allowlisted_command_line", -40,
    "The command line matches an allowlisted pattern.",
    "Visible tuning for known-good HTA invocations.",
    "A pattern that is too broad.",
    "ATT&CK AN1397 CommandLinePattern";

    "allowlisted_hta_path", -40,
    "The HTA path is under an allowlisted folder.",
    "Visible tuning for vendor HTAs (AllowedHTASources).",
    "An attacker who can write into the allowlisted folder.",
    "ATT&CK AN1397 AllowedHTASources";

    "allowlisted_domain", -20,
    "The command line's URL host is under an allowlisted domain.",
    "Visible tuning for intranet HTA servers (AllowedHTASources).",
    "A compromised intranet server.",
    "ATT&CK AN1397 AllowedHTASources";

    "allowlisted_host", -50,
    "The host is allowlisted (a build or test machine).",
    "Visible tuning: the chain still shows, scored lower.",
    "A compromised allowlisted host.",
    "Operational practice";

    "allowlisted_network", 0,
    "Connections went to allowlisted internal networks or domains; they count as internal.",
    "Visible tuning for proxies and internal services.",
    "None.",
    "Operational practice";

    "baseline_known", -40,
    "This command-line shape and parent are in the baseline of known-good mshta use.",
    "Learned from the estate's own inventory: `mshta-chain baseline`.",
    "An attack that reuses a baselined invocation exactly.",
    "ATT&CK T1218.005 mitigation: compare with prior history of known good arguments";
}

/// Default points of a reason id, if it exists.
pub fn default_points(id: &str) -> Option<i64> {
    REASONS.iter().find(|r| r.id == id).map(|r| r.points)
}

/// The reference page, Markdown.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Scoring reasons\n\nGenerated from `core/src/reasons.rs` (`cargo run -p mshta-chain-core --example reasons > docs/reasons.md`).\n\
         A chain's score is the sum of its reasons' points, clamped to 0..100. Change points with the config's `weights`.\n\n\
         | id | default points |\n|---|---|\n",
    );
    for r in REASONS {
        s.push_str(&format!("| [`{}`](#{}) | {} |\n", r.id, r.id, r.points));
    }
    for r in REASONS {
        s.push_str(&format!(
            "\n## {}\n\nDefault points: {}\n\n- **What:** {}\n- **Why:** {}\n- **False positives:** {}\n- **References:** {}\n",
            r.id, r.points, r.what, r.why, r.false_positives, r.references
        ));
    }
    let web: Vec<String> = crate::knowledge::WEB_PORTS.iter().map(u16::to_string).collect();
    s.push_str(&format!(
        "\n# Detection tables\n\nThe names, extensions, folders and tokens the reasons above (and each chain's \
         `triage` checklist) match, from `core/src/knowledge.rs`, where each table cites its sources. Names and \
         paths match in any case. Web ports: {}; DCOM's dynamic ports: from {}.\n\n",
        web.join(", "),
        crate::knowledge::DYNAMIC_PORT_MIN
    ));
    for (title, used_by, entries) in crate::knowledge::tables() {
        let shown: Vec<String> = entries.iter().map(|e| format!("`{}`", e.replace('`', "'"))).collect();
        s.push_str(&format!("- **{title}**: {}. Read by {used_by}.\n", shown.join(", ")));
    }
    s
}
