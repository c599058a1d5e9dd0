//! Derived detail that real records carry but the model does not: PE version info, hashes, SIDs,
//! logon ids, integrity, Windows argv splitting, address spellings. Everything is a pure function
//! of names already in the event (FNV-hashed), so the same process gets the same values in every
//! event and every schema, and records reach real sizes without the model having to carry padding.

use crate::model::basename;
use crate::rng::{fnv, fnv_ci, mix};
use std::fmt::Write;

/// PE version resource of an image or DLL.
pub struct PeInfo {
    pub file_version: &'static str,
    pub description: &'static str,
    pub product: &'static str,
    pub company: &'static str,
}

const WIN: &str = "Microsoft\u{ae} Windows\u{ae} Operating System";
const MS: &str = "Microsoft Corporation";
const WV: &str = "10.0.19041.3636 (WinBuild.160101.0800)";

/// Lower-case file name -> version info. Unknown files get `"?"` everywhere, as Sysmon writes them.
const CATALOG: &[(&str, PeInfo)] = &[
    (
        "mshta.exe",
        pe("11.00.19041.3636 (WinBuild.160101.0800)", "Microsoft (R) HTML Application host", "Internet Explorer", MS),
    ),
    ("cmd.exe", pe(WV, "Windows Command Processor", WIN, MS)),
    ("powershell.exe", pe(WV, "Windows PowerShell", WIN, MS)),
    ("conhost.exe", pe(WV, "Console Window Host", WIN, MS)),
    ("svchost.exe", pe(WV, "Host Process for Windows Services", WIN, MS)),
    ("explorer.exe", pe(WV, "Windows Explorer", WIN, MS)),
    ("rundll32.exe", pe(WV, "Windows host process (Rundll32)", WIN, MS)),
    ("taskhostw.exe", pe(WV, "Host Process for Windows Tasks", WIN, MS)),
    ("wmiprvse.exe", pe(WV, "WMI Provider Host", WIN, MS)),
    ("runtimebroker.exe", pe(WV, "Runtime Broker", WIN, MS)),
    ("backgroundtaskhost.exe", pe(WV, "Background Task Host", WIN, MS)),
    ("dllhost.exe", pe(WV, "COM Surrogate", WIN, MS)),
    ("smartscreen.exe", pe(WV, "Windows Defender SmartScreen", WIN, MS)),
    ("whoami.exe", pe(WV, "whoami - displays logged on user information", WIN, MS)),
    ("ipconfig.exe", pe(WV, "IP Configuration Utility", WIN, MS)),
    ("ping.exe", pe(WV, "TCP/IP Ping Command", WIN, MS)),
    ("reg.exe", pe(WV, "Registry Console Tool", WIN, MS)),
    ("findstr.exe", pe(WV, "Find String (QGREP) Utility", WIN, MS)),
    ("tasklist.exe", pe(WV, "Lists the current running tasks", WIN, MS)),
    ("net.exe", pe(WV, "Net Command", WIN, MS)),
    ("hostname.exe", pe(WV, "Hostname APP", WIN, MS)),
    ("mso20win32client.dll", pe("16.0.17126.20132", "Microsoft Office 2016 component", "Microsoft Office", MS)),
    ("wwlib.dll", pe("16.0.17126.20132", "Microsoft Word", "Microsoft Office", MS)),
    ("vbe7.dll", pe("7.01.1079", "Visual Basic for Applications Runtime", "Visual Basic for Applications", MS)),
    ("olmapi32.dll", pe("16.0.17126.20132", "Microsoft Outlook Messaging API", "Microsoft Outlook", MS)),
    ("chrome.dll", pe("120.0.6099.130", "Google Chrome", "Google Chrome", "Google LLC")),
    ("chrome_elf.dll", pe("120.0.6099.130", "Google Chrome", "Google Chrome", "Google LLC")),
    (
        "libegl.dll",
        pe(
            "2.1.22187 git hash: 4f8c8f2b2a5a",
            "ANGLE libEGL Dynamic Link Library",
            "ANGLE libEGL Dynamic Link Library",
            "Google LLC",
        ),
    ),
    ("msedge.dll", pe("120.0.2210.91", "Microsoft Edge Web Platform", "Microsoft Edge", MS)),
    ("msedge_elf.dll", pe("120.0.2210.91", "Microsoft Edge", "Microsoft Edge", MS)),
    (
        "system.management.automation.ni.dll",
        pe("10.0.19041.1", "System.Management.Automation", "Microsoft (R) Windows (R) Operating System", MS),
    ),
    ("mpoav.dll", pe("4.18.23110.3 (WinBuild.160101.0800)", "IOfficeAntiVirus Module", WIN, MS)),
    ("curl.exe", pe("8.4.0", "The curl executable", "The curl executable", "curl, https://curl.se/")),
    ("calc.exe", pe(WV, "Windows Calculator", WIN, MS)),
    ("notepad.exe", pe(WV, "Notepad", WIN, MS)),
    ("compattelrunner.exe", pe(WV, "Microsoft Compatibility Telemetry", WIN, MS)),
    ("searchprotocolhost.exe", pe(WV, "Microsoft Windows Search Protocol Host", WIN, MS)),
    ("searchindexer.exe", pe(WV, "Microsoft Windows Search Indexer", WIN, MS)),
    ("lsass.exe", pe(WV, "Local Security Authority Process", WIN, MS)),
    ("services.exe", pe(WV, "Services and Controller app", WIN, MS)),
    ("tiworker.exe", pe(WV, "Windows Modules Installer Worker", WIN, MS)),
    ("sppsvc.exe", pe(WV, "Microsoft Software Protection Platform Service", WIN, MS)),
    ("msmpeng.exe", pe("4.18.23110.3 (WinBuild.160101.0800)", "Antimalware Service Executable", WIN, MS)),
    (
        "mpcmdrun.exe",
        pe("4.18.23110.3 (WinBuild.160101.0800)", "Microsoft Malware Protection Command Line Utility", WIN, MS),
    ),
    ("chrome.exe", pe("120.0.6099.130", "Google Chrome", "Google Chrome", "Google LLC")),
    ("msedge.exe", pe("120.0.2210.91", "Microsoft Edge", "Microsoft Edge", MS)),
    ("winword.exe", pe("16.0.17126.20132", "Microsoft Word", "Microsoft Office", MS)),
    ("excel.exe", pe("16.0.17126.20132", "Microsoft Excel", "Microsoft Office", MS)),
    ("outlook.exe", pe("16.0.17126.20132", "Microsoft Outlook", "Microsoft Office", MS)),
    ("officec2rclient.exe", pe("16.0.17126.20132", "Microsoft Office Click-to-Run Client", "Microsoft Office", MS)),
    ("ms-teams.exe", pe("23320.3021.2567.4799", "Microsoft Teams", "Microsoft Teams", MS)),
    ("onedrive.exe", pe("23.246.1127.0002", "Microsoft OneDrive", "Microsoft OneDrive", MS)),
    ("onedrivestandaloneupdater.exe", pe("23.246.1127.0002", "Standalone Updater", "Microsoft OneDrive", MS)),
    ("googleupdate.exe", pe("1.3.36.352", "Google Installer", "Google Update", "Google LLC")),
    ("microsoftedgeupdate.exe", pe("1.3.183.29", "Microsoft Edge Update", "Microsoft Edge Update", MS)),
    (
        "adobearm.exe",
        pe(
            "1.824.460.1042",
            "Adobe Reader and Acrobat Manager",
            "Adobe Reader and Acrobat Manager",
            "Adobe Systems Incorporated",
        ),
    ),
    ("ccmexec.exe", pe("5.00.9106.1000", "CCM Executive", "System Center Configuration Manager", MS)),
    ("hpsf.exe", pe("12.12.41.7", "HP Support Framework", "HP Support Assistant", "HP Inc.")),
    (
        "sqlservr.exe",
        pe("2019.0150.4345.05 ((SQLServer).231108-0520)", "SQL Server Windows NT - 64 Bit", "Microsoft SQL Server", MS),
    ),
    ("w3wp.exe", pe("10.0.17763.1 (WinBuild.160101.0800)", "IIS Worker Process", "Internet Information Services", MS)),
    (
        "veeamagent.exe",
        pe("12.1.0.2131", "Veeam Agent", "Veeam Agent for Microsoft Windows", "Veeam Software Group GmbH"),
    ),
    ("mshtml.dll", pe("11.00.19041.3636 (WinBuild.160101.0800)", "Microsoft (R) HTML Viewer", "Internet Explorer", MS)),
    ("jscript9.dll", pe("11.00.19041.3636 (WinBuild.160101.0800)", "Microsoft (R) JScript", "Internet Explorer", MS)),
    ("vbscript.dll", pe("5.812.10240.16384", "Microsoft \u{ae} VBScript", "Microsoft \u{ae} VBScript", MS)),
    (
        "urlmon.dll",
        pe("11.00.19041.3636 (WinBuild.160101.0800)", "OLE32 Extensions for Win32", "Internet Explorer", MS),
    ),
    (
        "wininet.dll",
        pe("11.00.19041.3636 (WinBuild.160101.0800)", "Internet Extensions for Win32", "Internet Explorer", MS),
    ),
    ("amsi.dll", pe(WV, "Anti-Malware Scan Interface", WIN, MS)),
    (
        "clr.dll",
        pe(
            "4.8.4645.0 built by: NET48REL1LAST_B",
            "Microsoft .NET Runtime Common Language Runtime - WorkStation",
            "Microsoft\u{ae} .NET Framework",
            MS,
        ),
    ),
    ("sechost.dll", pe(WV, "Host for SCM/SDDL/LSA Lookup APIs", WIN, MS)),
    ("ntdll.dll", pe(WV, "NT Layer DLL", WIN, MS)),
    ("kernel32.dll", pe(WV, "Windows NT BASE API Client DLL", WIN, MS)),
    ("kernelbase.dll", pe(WV, "Windows NT BASE API Client DLL", WIN, MS)),
    ("advapi32.dll", pe(WV, "Advanced Windows 32 Base API", WIN, MS)),
    ("ws2_32.dll", pe(WV, "Windows Socket 2.0 32-Bit DLL", WIN, MS)),
    ("dnsapi.dll", pe(WV, "DNS Client API DLL", WIN, MS)),
    ("crypt32.dll", pe(WV, "Crypto API32", WIN, MS)),
    ("winhttp.dll", pe(WV, "Windows HTTP Services", WIN, MS)),
    ("combase.dll", pe(WV, "Microsoft COM for Windows", WIN, MS)),
    ("shell32.dll", pe(WV, "Windows Shell Common Dll", WIN, MS)),
    ("rpcrt4.dll", pe(WV, "Remote Procedure Call Runtime", WIN, MS)),
    ("msvcrt.dll", pe(WV, "Windows NT CRT DLL", WIN, MS)),
    ("ucrtbase.dll", pe(WV, "Microsoft\u{ae} C Runtime Library", WIN, MS)),
    ("user32.dll", pe(WV, "Multi-User Windows USER API Client DLL", WIN, MS)),
    ("win32u.dll", pe(WV, "Win32u", WIN, MS)),
    ("gdi32.dll", pe(WV, "GDI Client DLL", WIN, MS)),
    ("gdi32full.dll", pe(WV, "GDI Client DLL", WIN, MS)),
    ("msvcp_win.dll", pe(WV, "Microsoft\u{ae} C Runtime Library", WIN, MS)),
    ("shlwapi.dll", pe(WV, "Shell Light-weight Utility Library", WIN, MS)),
    ("ole32.dll", pe(WV, "Microsoft OLE for Windows", WIN, MS)),
    ("oleaut32.dll", pe(WV, "OLEAUT32.DLL", WIN, MS)),
    ("shcore.dll", pe(WV, "SHCORE", WIN, MS)),
    ("windows.storage.dll", pe(WV, "Microsoft WinRT Storage API", WIN, MS)),
    ("profapi.dll", pe(WV, "User Profile Basic API", WIN, MS)),
    ("bcryptprimitives.dll", pe(WV, "Windows Cryptographic Primitives Library", WIN, MS)),
    ("cryptbase.dll", pe(WV, "Base cryptographic API DLL", WIN, MS)),
    ("imm32.dll", pe(WV, "Multi-User Windows IMM32 API Client DLL", WIN, MS)),
    ("uxtheme.dll", pe(WV, "Microsoft UxTheme Library", WIN, MS)),
    ("kernel.appcore.dll", pe(WV, "AppModel API Host", WIN, MS)),
    ("clbcatq.dll", pe(WV, "COM+ Configuration Catalog", WIN, MS)),
    ("version.dll", pe(WV, "Version Checking and File Installation Libraries", WIN, MS)),
    ("wintrust.dll", pe(WV, "Microsoft Trust Verification APIs", WIN, MS)),
    ("msasn1.dll", pe(WV, "ASN.1 Runtime APIs", WIN, MS)),
    ("cfgmgr32.dll", pe(WV, "Configuration Manager DLL", WIN, MS)),
    ("powrprof.dll", pe(WV, "Power Profile Helper DLL", WIN, MS)),
    ("umpdc.dll", pe(WV, "User Mode Power Dependency Coordinator", WIN, MS)),
    ("mswsock.dll", pe(WV, "Microsoft Windows Sockets 2.0 Service Provider", WIN, MS)),
    ("iphlpapi.dll", pe(WV, "IP Helper API", WIN, MS)),
    ("nsi.dll", pe(WV, "NSI User-mode interface DLL", WIN, MS)),
    ("iertutil.dll", pe(WV, "Run time utility for Internet Explorer", WIN, MS)),
    ("winnsi.dll", pe(WV, "Network Store Information RPC interface", WIN, MS)),
    ("rasadhlp.dll", pe(WV, "Remote Access AutoDial Helper", WIN, MS)),
    ("fwpuclnt.dll", pe(WV, "FWP/IPsec User-Mode API", WIN, MS)),
    ("schannel.dll", pe(WV, "TLS / SSL Security Provider", WIN, MS)),
    ("ncrypt.dll", pe(WV, "Windows NCrypt Router", WIN, MS)),
    ("ntasn1.dll", pe(WV, "Microsoft ASN.1 API", WIN, MS)),
    ("ieframe.dll", pe(WV, "Internet Browser", WIN, MS)),
    ("scrrun.dll", pe(WV, "Microsoft \u{ae} Script Runtime", WIN, MS)),
    ("wshom.ocx", pe(WV, "Windows Script Host Runtime Library", WIN, MS)),
    ("jscript.dll", pe(WV, "Microsoft \u{ae} JScript", WIN, MS)),
    ("netapi32.dll", pe(WV, "Net Win32 API DLL", WIN, MS)),
    ("clrjit.dll", pe(WV, "Microsoft .NET Runtime Just-In-Time Compiler", WIN, MS)),
    ("inetcpl.cpl", pe(WV, "Internet Control Panel", WIN, MS)),
    ("desk.cpl", pe(WV, "Desktop Settings Control Panel", WIN, MS)),
];

const fn pe(
    file_version: &'static str,
    description: &'static str,
    product: &'static str,
    company: &'static str,
) -> PeInfo {
    PeInfo { file_version, description, product, company }
}

const UNKNOWN_PE: PeInfo = pe("?", "?", "?", "?");

/// Version info for a path (by file name, any case; `?` for files not in the catalog).
pub fn pe_info(path: &str) -> &'static PeInfo {
    let name = basename(path);
    CATALOG.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, p)| p).unwrap_or(&UNKNOWN_PE)
}

/// File hashes as hex, upper-case like Sysmon's `Hashes`.
pub struct Hashes {
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub imphash: String,
}

/// Hashes keyed by `key` (the OriginalFileName for known binaries so a renamed copy hashes like the
/// original, else the path).
pub fn hashes(key: &str) -> Hashes {
    let seed = fnv_ci(key);
    Hashes { md5: hex(seed ^ 1, 32), sha1: hex(seed ^ 2, 40), sha256: hex(seed ^ 3, 64), imphash: hex(seed ^ 4, 32) }
}

impl Hashes {
    /// Sysmon's `Hashes` value: `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`.
    pub fn sysmon(&self) -> String {
        format!("SHA1={},MD5={},SHA256={},IMPHASH={}", self.sha1, self.md5, self.sha256, self.imphash)
    }
}

/// The hash key for a process: the original file name when it is a real one.
pub fn hash_key<'a>(image: &'a str, original_file_name: &'a str) -> &'a str {
    if original_file_name.is_empty() || original_file_name == "?" {
        image
    } else {
        original_file_name
    }
}

/// `len` upper-case hex digits derived from `seed`.
pub fn hex(seed: u64, len: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(len);
    let mut state = seed;
    while s.len() < len {
        state = mix(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
        let mut v = state;
        for _ in 0..16 {
            if s.len() == len {
                break;
            }
            s.push(DIGITS[(v & 15) as usize] as char);
            v >>= 4;
        }
    }
    s
}

/// `DOMAIN\name` -> (`DOMAIN`, `name`); no backslash -> ("", whole).
pub fn split_user(user: &str) -> (&str, &str) {
    match user.split_once('\\') {
        Some((d, n)) => (d, n),
        None => ("", user),
    }
}

/// Well-known service accounts by name.
fn well_known(user: &str) -> Option<(&'static str, u64)> {
    let (_, name) = split_user(user);
    if name.eq_ignore_ascii_case("SYSTEM") {
        Some(("S-1-5-18", 0x3e7))
    } else if name.eq_ignore_ascii_case("LOCAL SERVICE") {
        Some(("S-1-5-19", 0x3e5))
    } else if name.eq_ignore_ascii_case("NETWORK SERVICE") {
        Some(("S-1-5-20", 0x3e4))
    } else {
        None
    }
}

pub fn is_service_account(user: &str) -> bool {
    well_known(user).is_some()
}

/// The account of the process that created a process run by `user`: system hosts (services,
/// svchost, WMI, SCCM …) create user processes from their SYSTEM token (DCOM, scheduled tasks);
/// otherwise the creator runs as the same user. The model has no parent user, so this is inferred.
pub fn creator_account(parent_image: Option<&str>, user: &str) -> String {
    const SYSTEM_HOSTS: &[&str] =
        &["services.exe", "svchost.exe", "wmiprvse.exe", "ccmexec.exe", "lsass.exe", "wininit.exe", "system"];
    let system_parent = parent_image.is_some_and(|p| SYSTEM_HOSTS.iter().any(|h| basename(p).eq_ignore_ascii_case(h)));
    if system_parent || is_service_account(user) {
        "NT AUTHORITY\\SYSTEM".to_string()
    } else {
        user.to_string()
    }
}

/// The account SID: well-known for service accounts, else a stable domain SID + RID.
pub fn user_sid(user: &str) -> String {
    if let Some((sid, _)) = well_known(user) {
        return sid.to_string();
    }
    let (domain, name) = split_user(user);
    let d = fnv_ci(domain);
    format!(
        "S-1-5-21-{}-{}-{}-{}",
        1_000_000_000 + (d % 3_000_000_000),
        100_000_000 + (mix(d) % 3_000_000_000),
        1_000_000_000 + (mix(d ^ 7) % 3_000_000_000),
        1100 + fnv_ci(name) % 8000
    )
}

/// The logon session id (`0x3e7` for SYSTEM …).
pub fn logon_id(host: &str, user: &str) -> u64 {
    match well_known(user) {
        Some((_, id)) => id,
        None => 0x10_0000 + (mix(fnv_ci(host) ^ fnv_ci(user)) % 0x3FF_FFFF),
    }
}

/// Sysmon `LogonGuid`: the host's GUID prefix with the logon id in the last group.
pub fn logon_guid(host: &str, user: &str) -> String {
    let h = mix(fnv_ci(host));
    let id = logon_id(host, user);
    format!(
        "{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}",
        h as u32,
        (h >> 32) as u16,
        (h >> 48) as u16,
        id as u16,
        id >> 16
    )
}

/// Integrity level of a process run by `user`: services run at System; interactive users at Medium,
/// admin accounts (`adm*`, `*admin*`) at High.
pub fn integrity(user: &str) -> &'static str {
    if is_service_account(user) {
        return "System";
    }
    let name = split_user(user).1.to_ascii_lowercase();
    if name.starts_with("adm") || name.contains("admin") {
        "High"
    } else {
        "Medium"
    }
}

/// Terminal session: 0 for services, 1 for interactive users.
pub fn session_id(user: &str) -> u64 {
    if is_service_account(user) {
        0
    } else {
        1
    }
}

/// A plausible working directory for a new process.
pub fn current_directory(image: &str, user: &str) -> String {
    if is_service_account(user) {
        return "C:\\Windows\\system32\\".to_string();
    }
    let lower = image.to_ascii_lowercase();
    if lower.starts_with("c:\\windows\\") {
        format!("C:\\Users\\{}\\", split_user(user).1)
    } else {
        let dir = &image[..image.len() - basename(image).len()];
        dir.to_string()
    }
}

/// Windows `CommandLineToArgvW` rules, as Elastic re-implements them for `process.args`.
pub fn argv(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = cmd.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let mut n = 0;
                while i < chars.len() && chars[i] == '\\' {
                    n += 1;
                    i += 1;
                }
                if i < chars.len() && chars[i] == '"' {
                    for _ in 0..n / 2 {
                        arg.push('\\');
                    }
                    if n % 2 == 1 {
                        arg.push('"');
                        i += 1;
                    }
                } else {
                    for _ in 0..n {
                        arg.push('\\');
                    }
                }
                continue;
            }
            if c == '"' {
                if quoted && i + 1 < chars.len() && chars[i + 1] == '"' {
                    arg.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
                continue;
            }
            if !quoted && (c == ' ' || c == '\t') {
                break;
            }
            arg.push(c);
            i += 1;
        }
        out.push(arg);
    }
    out
}

/// Sysmon spells IPv6 without `::` compression (`0:0:0:0:0:0:0:1`, `fe80:0:0:0:90e:…`).
pub fn sysmon_ip(ip: &str) -> String {
    match ip.parse::<std::net::Ipv6Addr>() {
        Ok(v6) => {
            let mut s = String::with_capacity(39);
            for (i, seg) in v6.segments().iter().enumerate() {
                if i > 0 {
                    s.push(':');
                }
                let _ = write!(s, "{seg:x}");
            }
            s
        }
        Err(_) => ip.to_string(),
    }
}

pub fn is_ipv6(ip: &str) -> bool {
    ip.contains(':')
}

pub fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// Private/loopback/link-local test, for Defender's `RemoteIPType` and OCSF/ECS niceties.
pub fn ip_type(ip: &str) -> &'static str {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            if v4.is_loopback() {
                "Loopback"
            } else if v4.is_private() || v4.is_link_local() {
                "Private"
            } else if v4.is_multicast() {
                "Multicast"
            } else {
                "Public"
            }
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            if v6.is_loopback() {
                "Loopback"
            } else if (v6.segments()[0] & 0xffc0) == 0xfe80 {
                "LinkLocal"
            } else if (v6.segments()[0] & 0xfe00) == 0xfc00 {
                "Private"
            } else {
                "Public"
            }
        }
        Err(_) => "Reserved",
    }
}

/// Well-known service names for `*PortName` (Sysmon writes `-` for the rest).
pub fn port_name(port: u16) -> &'static str {
    match port {
        53 => "domain",
        80 => "http",
        88 => "kerberos",
        135 => "epmap",
        389 => "ldap",
        443 => "https",
        445 => "microsoft-ds",
        3389 => "ms-wbt-server",
        5985 => "wsman",
        _ => "-",
    }
}

/// The 5156 `Application` spelling: `\device\harddiskvolume2\windows\system32\svchost.exe`, lower-case.
/// C: is volume 2 as on a default install (volume 1 = the recovery partition); other drives follow.
pub fn device_path(path: &str) -> String {
    let b = path.as_bytes();
    if b.len() >= 3 && b[1] == b':' && b[2] == b'\\' {
        let vol = 2 + (b[0].to_ascii_uppercase().saturating_sub(b'C')) as u32;
        format!("\\device\\harddiskvolume{vol}{}", path[2..].to_ascii_lowercase())
    } else {
        path.to_ascii_lowercase()
    }
}

/// Host-level identifiers derived from the host name.
pub fn host_hash(host: &str) -> u64 {
    mix(fnv_ci(host))
}

/// Defender `DeviceId`: 40 lower-case hex characters.
pub fn device_id(host: &str) -> String {
    hex(host_hash(host) ^ 0xDE71_CE1D, 40).to_ascii_lowercase()
}

/// A UUID-shaped id (Elastic `agent.id`, `host.id`).
pub fn uuid(seed: u64) -> String {
    let h = hex(seed, 32).to_ascii_lowercase();
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

/// The host's NetBIOS domain: the first label after the host name in upper case, else WORKGROUP.
pub fn netbios_domain(host: &str) -> String {
    match host.split('.').nth(1) {
        Some(d) if !d.is_empty() => d.to_ascii_uppercase(),
        _ => "WORKGROUP".to_string(),
    }
}

/// Short host name (first label), upper-case: the machine account is `<SHORT>$`.
pub fn short_host(host: &str) -> String {
    host.split('.').next().unwrap_or(host).to_ascii_uppercase()
}

/// A 32-bit value derived from a name, for ids that only need to look plausible (record writer pid,
/// filter ids, report ids).
pub fn small(seed: &str, modulo: u64) -> u64 {
    mix(fnv(seed)) % modulo.max(1)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_follows_windows_rules() {
        assert_eq!(
            argv("reg  query \"HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Internet Explorer\" /v svcVersion"),
            ["reg", "query", "HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Internet Explorer", "/v", "svcVersion"]
        );
        assert_eq!(argv("\"C:\\windows\\system32\\cmd.exe\" "), ["C:\\windows\\system32\\cmd.exe"]);
        assert_eq!(argv("a\\\\\"b c\" d"), ["a\\b c", "d"]);
        assert_eq!(argv("a \\\"b"), ["a", "\"b"]);
    }

    #[test]
    fn spellings() {
        assert_eq!(sysmon_ip("::1"), "0:0:0:0:0:0:0:1");
        assert_eq!(sysmon_ip("10.0.0.1"), "10.0.0.1");
        assert_eq!(
            device_path("C:\\Windows\\System32\\svchost.exe"),
            "\\device\\harddiskvolume2\\windows\\system32\\svchost.exe"
        );
        assert_eq!(user_sid("NT AUTHORITY\\SYSTEM"), "S-1-5-18");
        assert!(user_sid("CORP\\alice").starts_with("S-1-5-21-"));
        assert_eq!(pe_info("C:\\X\\MSHTA.EXE").description, "Microsoft (R) HTML Application host");
        assert_eq!(pe_info("C:\\X\\unknown.exe").description, "?");
        assert_eq!(hashes("a").sha256.len(), 64);
        assert_eq!(device_id("WS01").len(), 40);
        assert_eq!(netbios_domain("WS01.corp.example.com"), "CORP");
        assert_eq!(ip_type("203.0.113.5"), "Public");
        assert_eq!(ip_type("10.1.2.3"), "Private");
    }
}
