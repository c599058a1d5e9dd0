//! What background processes touch, by role: DLLs they load, files they write, where they connect,
//! and a deterministic resolver for the names they look up (public CDN/cloud prefixes for the
//! internet, fixed 10.0.0.0/16 addresses for `*.corp.example.com`, NXDOMAIN for WPAD).

use super::catalog::{profile, Role};
use crate::rng::{fnv, mix, Rng};

const SYS32: &str = r"C:\Windows\System32\";

/// System DLLs every process loads.
#[rustfmt::skip]
pub const DLL_COMMON: &[&str] = &[
    "ntdll.dll", "kernel32.dll", "KernelBase.dll", "advapi32.dll", "sechost.dll", "rpcrt4.dll", "msvcrt.dll",
    "ucrtbase.dll", "combase.dll", "user32.dll", "win32u.dll", "gdi32.dll", "gdi32full.dll", "msvcp_win.dll",
    "shell32.dll", "shlwapi.dll", "ole32.dll", "oleaut32.dll", "SHCore.dll", "windows.storage.dll", "profapi.dll",
    "bcryptPrimitives.dll", "cryptbase.dll", "imm32.dll", "uxtheme.dll", "kernel.appcore.dll", "clbcatq.dll",
    "version.dll", "wintrust.dll", "crypt32.dll", "msasn1.dll", "cfgmgr32.dll", "powrprof.dll", "umpdc.dll",
];

/// Networking DLLs.
#[rustfmt::skip]
pub const DLL_NET: &[&str] = &[
    "ws2_32.dll", "mswsock.dll", "dnsapi.dll", "IPHLPAPI.DLL", "nsi.dll", "winhttp.dll", "wininet.dll", "urlmon.dll",
    "iertutil.dll", "WINNSI.DLL", "rasadhlp.dll", "FWPUCLNT.DLL", "schannel.dll", "ncrypt.dll", "ntasn1.dll",
];

/// HTML/script engine DLLs (loaded by Office and Explorer too: `mshtml.dll` is not mshta).
pub const DLL_HTML: &[&str] =
    &["mshtml.dll", "jscript9.dll", "ieframe.dll", "vbscript.dll", "scrrun.dll", "wshom.ocx", "jscript.dll"];

pub const DLL_PS: &[&str] = &[
    r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll",
    r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clrjit.dll",
    r"C:\Windows\assembly\NativeImages_v4.0.30319_64\System.Management.A#\4b93b6bd71723bed2fa9dd778436dd5e\System.Management.Automation.ni.dll",
    r"C:\Windows\System32\amsi.dll",
    r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MpOav.dll",
];

pub const DLL_OFFICE: &[&str] = &[
    r"C:\Program Files\Common Files\Microsoft Shared\Office16\mso20win32client.dll",
    r"C:\Program Files\Microsoft Office\root\Office16\WWLIB.DLL",
    r"C:\Program Files\Microsoft Office\root\vfs\ProgramFilesCommonX64\Microsoft Shared\VBA\VBA7.1\VBE7.DLL",
    r"C:\Program Files\Microsoft Office\root\Office16\OLMAPI32.DLL",
];

pub const DLL_CHROME: &[&str] = &[
    r"C:\Program Files\Google\Chrome\Application\120.0.6099.130\chrome.dll",
    r"C:\Program Files\Google\Chrome\Application\chrome_elf.dll",
    r"C:\Program Files\Google\Chrome\Application\120.0.6099.130\libEGL.dll",
];

pub const DLL_EDGE: &[&str] = &[
    r"C:\Program Files (x86)\Microsoft\Edge\Application\120.0.2210.91\msedge.dll",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\120.0.2210.91\msedge_elf.dll",
];

/// A DLL path for an image load by a process of `role`.
pub fn dll_for(role: Role, image: &str, rng: &mut Rng) -> String {
    let roll = rng.below(10);
    let specific: Option<&[&str]> = match role {
        Role::Chrome | Role::ChromeChild => Some(DLL_CHROME),
        Role::Edge | Role::EdgeChild => Some(DLL_EDGE),
        Role::Office | Role::Outlook => Some(if roll < 5 { DLL_OFFICE } else { DLL_HTML }),
        Role::Explorer => Some(DLL_HTML),
        Role::Shell if image.to_ascii_lowercase().ends_with("powershell.exe") => Some(DLL_PS),
        _ => None,
    };
    let net = matches!(profile(role)[2], 3..);
    match (roll, specific) {
        (0..=3, Some(list)) => qualify(rng.pick(list)),
        (4..=5, _) if net => qualify(rng.pick(DLL_NET)),
        _ => qualify(rng.pick(DLL_COMMON)),
    }
}

fn qualify(name: &str) -> String {
    if name.contains('\\') {
        name.to_string()
    } else {
        format!("{SYS32}{name}")
    }
}

/// File-create path patterns per role.
pub fn file_patterns(role: Role) -> &'static [&'static str] {
    match role {
        Role::Chrome | Role::ChromeChild => &[
            r"C:\Users\`u`\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_`h6`",
            r"C:\Users\`u`\AppData\Local\Google\Chrome\User Data\Default\Code Cache\js\`h16`_0",
            r"C:\Users\`u`\AppData\Local\Google\Chrome\User Data\Default\Network\Cookies-journal",
            r"C:\Users\`u`\Downloads\`dl`",
        ],
        Role::Edge | Role::EdgeChild => &[
            r"C:\Users\`u`\AppData\Local\Microsoft\Edge\User Data\Default\Cache\Cache_Data\f_`h6`",
            r"C:\Users\`u`\AppData\Local\Microsoft\Edge\User Data\Default\Code Cache\js\`h16`_0",
            r"C:\Users\`u`\Downloads\`dl`",
        ],
        Role::Office => &[
            r"C:\Users\`u`\AppData\Roaming\Microsoft\Office\Recent\`doc`.LNK",
            r"C:\Users\`u`\AppData\Local\Microsoft\Windows\INetCache\Content.MSO\`H8`.tmp",
            r"C:\Users\`u`\Documents\~$`doc`.docx",
            r"C:\Users\`u`\AppData\Local\Temp\{`guid`}.tmp",
        ],
        Role::Outlook => &[
            r"C:\Users\`u`\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\`A8`\`dl`",
            r"C:\Users\`u`\AppData\Local\Microsoft\Outlook\RoamCache\Stream_Autocomplete_0_`H32`.dat",
            r"C:\Users\`u`\AppData\Local\Temp\Outlook Logging\OUTLOOK_`n4`.etl",
        ],
        Role::Explorer => &[
            r"C:\Users\`u`\AppData\Roaming\Microsoft\Windows\Recent\`doc`.lnk",
            r"C:\Users\`u`\AppData\Local\Microsoft\Windows\Explorer\iconcache_`n`.db",
            r"C:\Users\`u`\Desktop\`doc`.txt",
        ],
        Role::Teams => &[
            r"C:\Users\`u`\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\EBWebView\Default\Cache\Cache_Data\f_`h6`",
            r"C:\Users\`u`\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs\MSTeams_`date`.log",
        ],
        Role::OneDrive => &[
            r"C:\Users\`u`\OneDrive - Contoso\Documents\`doc`.docx",
            r"C:\Users\`u`\AppData\Local\Microsoft\OneDrive\logs\Business1\SyncEngine-`date`.odl",
            r"C:\Users\`u`\AppData\Local\Microsoft\OneDrive\setup\logs\StandaloneUpdate_`date`.log",
        ],
        Role::SvcNet | Role::SvcGeneric | Role::SvcLocal | Role::Services | Role::SvcDcom | Role::SvcSchedule => &[
            r"C:\Windows\Prefetch\`EXE`-`H8`.pf",
            r"C:\Windows\ServiceProfiles\LocalService\AppData\Local\lastalive`n1`.dat",
            r"C:\Windows\SoftwareDistribution\Download\`h32`\`lguid`.cab",
            r"C:\ProgramData\Microsoft\Network\Downloader\qmgr.db",
            r"C:\Windows\System32\LogFiles\WMI\RtBackup\EtwRTDiagLog.etl",
        ],
        Role::Defender => &[
            r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\`n`\`H32`",
            r"C:\ProgramData\Microsoft\Windows Defender\Support\MPLog-`date`-`n6`.log",
            r"C:\ProgramData\Microsoft\Windows Defender\Scans\mpcache-`H32`.bin.`n`",
        ],
        Role::Search => &[
            r"C:\ProgramData\Microsoft\Search\Data\Applications\Windows\GatherLogs\SystemIndex\SystemIndex.`n`.Crwl",
            r"C:\ProgramData\Microsoft\Search\Data\Applications\Windows\Projects\SystemIndex\Indexer\CiFiles\`H8`.ci",
        ],
        Role::Ccm => &[
            r"C:\Windows\CCM\Logs\CcmExec.log",
            r"C:\Windows\CCM\Temp\`H8`.tmp",
            r"C:\Windows\ccmcache\`h2`\Install-`vendor`.log",
        ],
        Role::Updater => &[
            r"C:\Program Files (x86)\Google\Update\Download\{`guid`}\120.0.6099.`n`\120.0.6099.`n`_chrome_installer.exe",
            r"C:\Windows\Temp\`h8`.tmp",
            r"C:\Users\`u`\AppData\Local\Temp\`h8`.tmp",
            r"C:\Program Files (x86)\Microsoft\EdgeUpdate\Download\{`guid`}\120.0.2210.`n`\MicrosoftEdge_X64_120.0.2210.`n`.exe",
        ],
        Role::ServerApp => &[
            r"C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Log\log_`n`.trc",
            r"C:\inetpub\logs\LogFiles\W3SVC1\u_ex`date6`.log",
            r"C:\inetpub\temp\IIS Temporary Compressed Files\DefaultAppPool\`h8`.tmp",
        ],
        Role::Backup => &[
            r"D:\VeeamBackup\`host`\Backup Job `n`\`host`_`date`T`n6`.vib",
            r"C:\ProgramData\Veeam\Endpoint\Backup Job `n`\Job.Backup Job `n`.Backup.log",
        ],
        Role::System => {
            &[r"C:\Windows\System32\config\systemprofile\AppData\Local\Microsoft\Windows\INetCache\`h8`.tmp"]
        }
        _ => &[
            r"C:\Users\`u`\AppData\Local\Temp\`h8`.tmp",
            r"C:\Windows\Temp\`h8`.tmp",
            r"C:\Users\`u`\AppData\Local\Microsoft\Windows\WebCache\V01`h2`.log",
            r"C:\ProgramData\`vendor`\Logs\`date`.log",
        ],
    }
}

/// Where a role connects: (domain, port, protocol). Internal names resolve to 10.0.0.0/16.
pub fn net_targets(role: Role) -> &'static [(&'static str, u16, &'static str)] {
    match role {
        Role::Chrome | Role::ChromeChild | Role::Edge | Role::EdgeChild => &[
            ("www.google.com", 443, "tcp"),
            ("fonts.gstatic.com", 443, "tcp"),
            ("www.bing.com", 443, "tcp"),
            ("github.com", 443, "tcp"),
            ("stackoverflow.com", 443, "tcp"),
            ("www.wikipedia.org", 443, "tcp"),
            ("login.microsoftonline.com", 443, "tcp"),
            ("contoso.sharepoint.com", 443, "tcp"),
            ("www.linkedin.com", 443, "tcp"),
            ("cdn.jsdelivr.net", 443, "tcp"),
            ("www.youtube.com", 443, "udp"),
            ("news.ycombinator.com", 443, "tcp"),
            ("intranet.corp.example.com", 443, "tcp"),
            ("clients2.google.com", 443, "tcp"),
            ("edge.microsoft.com", 443, "tcp"),
        ],
        Role::Office | Role::Outlook | Role::Teams | Role::OneDrive => &[
            ("outlook.office365.com", 443, "tcp"),
            ("teams.microsoft.com", 443, "tcp"),
            ("graph.microsoft.com", 443, "tcp"),
            ("login.microsoftonline.com", 443, "tcp"),
            ("officeclient.microsoft.com", 443, "tcp"),
            ("contoso-my.sharepoint.com", 443, "tcp"),
            ("nexus.officeapps.live.com", 443, "tcp"),
            ("ecs.office.com", 443, "tcp"),
            ("self.events.data.microsoft.com", 443, "tcp"),
        ],
        Role::SvcNet | Role::SvcGeneric | Role::SvcLocal => &[
            ("settings-win.data.microsoft.com", 443, "tcp"),
            ("ctldl.windowsupdate.com", 80, "tcp"),
            ("fe3cr.delivery.mp.microsoft.com", 443, "tcp"),
            ("login.live.com", 443, "tcp"),
            ("v10.events.data.microsoft.com", 443, "tcp"),
            ("time.windows.com", 123, "udp"),
            ("dc01.corp.example.com", 389, "tcp"),
            ("dc01.corp.example.com", 135, "tcp"),
            ("fs01.corp.example.com", 445, "tcp"),
            ("wpad.corp.example.com", 80, "tcp"),
        ],
        Role::Lsass => &[
            ("dc01.corp.example.com", 88, "tcp"),
            ("dc01.corp.example.com", 389, "tcp"),
            ("dc02.corp.example.com", 389, "udp"),
            ("dc02.corp.example.com", 88, "tcp"),
        ],
        Role::Defender => &[
            ("wdcp.microsoft.com", 443, "tcp"),
            ("wdcpalt.microsoft.com", 443, "tcp"),
            ("go.microsoft.com", 443, "tcp"),
            ("definitionupdates.microsoft.com", 443, "tcp"),
        ],
        Role::Updater => &[
            ("update.googleapis.com", 443, "tcp"),
            ("dl.google.com", 443, "tcp"),
            ("msedge.api.cdp.microsoft.com", 443, "tcp"),
            ("officecdn.microsoft.com", 443, "tcp"),
            ("oneclient.sfx.ms", 443, "tcp"),
            ("armmf.adobe.com", 443, "tcp"),
        ],
        Role::Ccm => &[
            ("sccm01.corp.example.com", 443, "tcp"),
            ("sccm01.corp.example.com", 80, "tcp"),
            ("sccm01.corp.example.com", 10123, "tcp"),
        ],
        Role::Backup => &[("backup01.corp.example.com", 10005, "tcp"), ("backup01.corp.example.com", 2500, "tcp")],
        Role::ServerApp => &[("dc01.corp.example.com", 389, "tcp"), ("sql-replica.corp.example.com", 1433, "tcp")],
        Role::System => &[("fs01.corp.example.com", 445, "tcp"), ("dc01.corp.example.com", 445, "tcp")],
        _ => &[
            ("dc01.corp.example.com", 445, "tcp"),
            ("login.microsoftonline.com", 443, "tcp"),
            ("settings-win.data.microsoft.com", 443, "tcp"),
            ("fs01.corp.example.com", 445, "tcp"),
        ],
    }
}

/// Public /16 prefixes the benign internet resolves into (clouds and CDNs); never documentation ranges.
const PUBLIC_PREFIXES: &[(u8, u8)] = &[
    (13, 107),
    (20, 190),
    (40, 126),
    (52, 109),
    (52, 113),
    (104, 208),
    (142, 250),
    (172, 217),
    (151, 101),
    (104, 18),
    (23, 62),
    (184, 28),
    (204, 79),
    (150, 171),
    (140, 82),
    (34, 120),
    (35, 186),
    (93, 184),
];

/// Deterministic resolution of a benign name: IPs (1-2) and maybe a CNAME in front, or nothing for
/// names that do not exist.
pub fn resolve(name: &str) -> Vec<String> {
    let h = mix(fnv(name));
    if name.starts_with("wpad.") {
        return Vec::new();
    }
    if let Some(ip) = internal_ip(name) {
        return vec![ip];
    }
    let (a, b) = PUBLIC_PREFIXES[(h % PUBLIC_PREFIXES.len() as u64) as usize];
    let mut out = Vec::new();
    if h >> 60 < 6 {
        let cdn = ["edgekey.net", "azureedge.net", "trafficmanager.net", "akamaized.net", "fastly.net"]
            [(h >> 8) as usize % 5];
        let label = name.split('.').next().unwrap_or(name);
        out.push(format!("{label}.{cdn}"));
    }
    out.push(format!("{a}.{b}.{}.{}", (h >> 16) as u8, 1 + (h >> 24) as u8 % 254));
    if (h >> 32) & 3 == 0 {
        out.push(format!("{a}.{b}.{}.{}", (h >> 40) as u8, 1 + (h >> 48) as u8 % 254));
    }
    out
}

/// Fixed addresses of the internal services (`*.corp.example.com`).
pub fn internal_ip(name: &str) -> Option<String> {
    let label = name.strip_suffix(".corp.example.com")?;
    let ip = match label {
        "dc01" => "10.0.0.10",
        "dc02" => "10.0.0.11",
        "fs01" => "10.0.0.30",
        "sccm01" => "10.0.0.20",
        "intranet" => "10.0.1.40",
        "backup01" => "10.0.0.50",
        "sql-replica" => "10.0.2.21",
        _ => return Some(format!("10.0.{}.{}", 4 + fnv(label) % 4, 10 + fnv(label) % 200)),
    };
    Some(ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_stable_and_public() {
        let a = resolve("www.google.com");
        assert_eq!(a, resolve("www.google.com"));
        assert!(a.iter().any(|x| crate::render::enrich::ip_type(x) == "Public"));
        assert_eq!(resolve("dc01.corp.example.com"), ["10.0.0.10"]);
        assert!(resolve("wpad.corp.example.com").is_empty());
    }
}
