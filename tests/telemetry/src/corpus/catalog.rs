//! What runs on a Windows fleet: process roles, the templates the background starts (image, command
//! lines, account, parent role, lifetime, frequency on workstations and servers), the long-running
//! processes every host already has, and each role's activity profile. Data only: `corpus.rs`
//! decides when things happen; `activity.rs` holds what processes touch, `names.rs` the expansions.
//!
//! Command-line and path patterns use backtick tokens expanded by `names::expand`.

use crate::rng::Rng;

/// What a process is, for choosing parents and activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    Services,
    Lsass,
    SvcDcom,
    SvcSchedule,
    SvcNet,
    SvcLocal,
    SvcGeneric,
    Defender,
    Search,
    Ccm,
    Explorer,
    Chrome,
    ChromeChild,
    Edge,
    EdgeChild,
    Office,
    Outlook,
    Teams,
    OneDrive,
    Shell,
    Conhost,
    Util,
    Updater,
    DcomChild,
    TaskHost,
    ServerApp,
    Backup,
    /// Processes of planted chains; never chosen by the background.
    Planted,
}

/// Account a template runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acct {
    System,
    LocalService,
    NetworkService,
    User,
    /// A named service identity (`IIS APPPOOL\DefaultAppPool`).
    Named(&'static str),
}

impl Acct {
    pub fn user(self, interactive: &str) -> String {
        match self {
            Acct::System => "NT AUTHORITY\\SYSTEM".into(),
            Acct::LocalService => "NT AUTHORITY\\LOCAL SERVICE".into(),
            Acct::NetworkService => "NT AUTHORITY\\NETWORK SERVICE".into(),
            Acct::User => interactive.into(),
            Acct::Named(n) => n.into(),
        }
    }
}

/// Mean lifetime class, in ms.
#[derive(Debug, Clone, Copy)]
pub enum Life {
    /// Utilities: a few seconds.
    Short,
    /// Brokers, shells, workers: minutes.
    Medium,
    /// Applications: an hour or more.
    Long,
}

impl Life {
    pub fn mean_ms(self) -> f64 {
        match self {
            Life::Short => 2_500.0,
            Life::Medium => 150_000.0,
            Life::Long => 3_600_000.0,
        }
    }

    pub fn sample(self, rng: &mut Rng) -> i64 {
        (rng.exp(self.mean_ms()) as i64).max(40)
    }
}

/// A kind of process the background starts.
pub struct Template {
    pub image: &'static str,
    pub ofn: &'static str,
    pub role: Role,
    pub parent: Role,
    pub acct: Acct,
    pub life: Life,
    /// Relative frequency on workstations / servers (0 = never).
    pub ws: u32,
    pub srv: u32,
    /// At most one live instance per host (the parent role is then looked up for children).
    pub single: bool,
    pub cmds: &'static [&'static str],
}

#[allow(clippy::too_many_arguments)]
const fn t(
    image: &'static str,
    ofn: &'static str,
    role: Role,
    parent: Role,
    acct: Acct,
    life: Life,
    ws: u32,
    srv: u32,
    cmds: &'static [&'static str],
) -> Template {
    Template { image, ofn, role, parent, acct, life, ws, srv, single: false, cmds }
}

const fn single(mut tpl: Template) -> Template {
    tpl.single = true;
    tpl
}

pub const SVCHOST: &str = r"C:\Windows\System32\svchost.exe";
pub const CHROME: &str = r"C:\Program Files\Google\Chrome\Application\chrome.exe";
pub const EDGE: &str = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe";
pub const CMD: &str = r"C:\Windows\System32\cmd.exe";
pub const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
pub const RUNDLL32: &str = r"C:\Windows\System32\rundll32.exe";
pub const WINWORD: &str = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
pub const OUTLOOK: &str = r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE";
pub const WMIPRVSE: &str = r"C:\Windows\System32\wbem\WmiPrvSE.exe";
pub const MSHTA: &str = r"C:\Windows\System32\mshta.exe";
pub const MSHTA_WOW64: &str = r"C:\Windows\SysWOW64\mshta.exe";

use Acct::{LocalService as LS, NetworkService as NS, System as SY, User as US};
use Life::{Long, Medium, Short};

/// Background process templates. Weights are per 100 background process starts, roughly.
#[rustfmt::skip]
pub const TEMPLATES: &[Template] = &[
    t(SVCHOST, "svchost.exe", Role::SvcGeneric, Role::Services, SY, Medium, 4, 6, &[
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s BITS",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv",
        r"C:\Windows\system32\svchost.exe -k wsappx -p -s AppXSvc",
        r"C:\Windows\system32\svchost.exe -k LocalSystemNetworkRestricted -p -s SysMain",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s UsoSvc",
        r"C:\Windows\System32\svchost.exe -k UnistackSvcGroup -s CDPUserSvc_`h5`",
    ]),
    t(SVCHOST, "svchost.exe", Role::SvcGeneric, Role::Services, LS, Medium, 2, 2, &[
        r"C:\Windows\system32\svchost.exe -k LocalService -p -s CDPSvc",
        r"C:\Windows\system32\svchost.exe -k LocalServiceNoNetwork -p -s DPS",
        r"C:\Windows\System32\svchost.exe -k LocalServiceNetworkRestricted -p -s WinHttpAutoProxySvc",
    ]),
    t(SVCHOST, "svchost.exe", Role::SvcGeneric, Role::Services, NS, Medium, 1, 2, &[
        r"C:\Windows\System32\svchost.exe -k NetworkService -p -s CryptSvc",
        r"C:\Windows\system32\svchost.exe -k NetworkService -p -s LanmanWorkstation",
    ]),
    t(r"C:\Windows\System32\taskhostw.exe", "taskhostw.exe", Role::TaskHost, Role::SvcSchedule, US, Medium, 4, 0, &[
        "taskhostw.exe",
        "taskhostw.exe Install $(Arg0)",
        "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly",
        "taskhostw.exe KEYROAMING",
    ]),
    t(r"C:\Windows\System32\taskhostw.exe", "taskhostw.exe", Role::TaskHost, Role::SvcSchedule, SY, Short, 2, 4, &[
        "taskhostw.exe SYSTEM",
        "taskhostw.exe NGCKeyPregen",
    ]),
    t(r"C:\Windows\System32\RuntimeBroker.exe", "RuntimeBroker.exe", Role::DcomChild, Role::SvcDcom, US, Medium, 5, 0, &[
        r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
    ]),
    t(r"C:\Windows\System32\backgroundTaskHost.exe", "backgroundTaskHost.exe", Role::DcomChild, Role::SvcDcom, US, Short, 4, 0, &[
        r#""C:\Windows\system32\backgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kmhmjz1zxf1sq7h2k.mca"#,
        r#""C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider"#,
        r#""C:\Windows\system32\backgroundTaskHost.exe" -ServerName:CortanaUI.AppX8z9r6jm96hw4bsbneegw0kyxx296wr9t.mca"#,
    ]),
    t(r"C:\Windows\System32\dllhost.exe", "dllhost.exe", Role::DcomChild, Role::SvcDcom, US, Short, 4, 1, &[
        r"C:\Windows\system32\DllHost.exe /Processid:{3EB3C877-1F16-487C-9050-104DBCD66683}",
        r"C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
        r"C:\Windows\system32\DllHost.exe /Processid:{973D20D7-562D-44B9-B70B-5A0F49CCDF3F}",
    ]),
    t(r"C:\Windows\System32\dllhost.exe", "dllhost.exe", Role::DcomChild, Role::SvcDcom, SY, Short, 1, 2, &[
        r"C:\Windows\system32\DllHost.exe /Processid:{02D4B3F1-FD88-11D1-960D-00805FC79235}",
    ]),
    t(WMIPRVSE, "Wmiprvse.exe", Role::DcomChild, Role::SvcDcom, NS, Medium, 2, 4, &[
        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
    ]),
    t(WMIPRVSE, "Wmiprvse.exe", Role::DcomChild, Role::SvcDcom, SY, Medium, 1, 3, &[
        r"C:\Windows\system32\wbem\wmiprvse.exe -Embedding",
    ]),
    t(r"C:\Windows\System32\smartscreen.exe", "smartscreen.exe", Role::DcomChild, Role::SvcDcom, US, Short, 2, 0, &[
        r"C:\Windows\System32\smartscreen.exe -Embedding",
    ]),
    single(t(CHROME, "chrome.exe", Role::Chrome, Role::Explorer, US, Long, 2, 0, &[
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" "#,
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --profile-directory=Default"#,
    ])),
    t(CHROME, "chrome.exe", Role::ChromeChild, Role::Chrome, US, Medium, 9, 0, &[
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=`n` --time-ticks-at-unix-epoch=-`n16` --launch-time-ticks=`n10` --mojo-platform-channel-handle=`n4` --field-trial-handle=1896,i,`n19`,`n19`,262144 /prefetch:1"#,
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=`n4` --field-trial-handle=1896,i,`n19`,`n19`,262144 /prefetch:8"#,
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=gpu-process --gpu-preferences=WAAAAAAAAADgAAAMAAAAAAAAAAAAAAAAAABgAAAAAAA4AAAAAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAoAAAAAAAAAAAAAAAAAAA --mojo-platform-channel-handle=`n4` --field-trial-handle=1896,i,`n19`,`n19`,262144 /prefetch:2"#,
    ]),
    single(t(EDGE, "msedge.exe", Role::Edge, Role::Explorer, US, Long, 2, 0, &[
        r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument https://`site`/"#,
        r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" "#,
    ])),
    t(EDGE, "msedge.exe", Role::EdgeChild, Role::Edge, US, Medium, 7, 0, &[
        r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --instant-process --lang=en-US --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=`n` --time-ticks-at-unix-epoch=-`n16` --launch-time-ticks=`n10` --mojo-platform-channel-handle=`n4` --field-trial-handle=2080,i,`n19`,`n19`,262144 /prefetch:1"#,
        r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=`n4` --field-trial-handle=2080,i,`n19`,`n19`,262144 /prefetch:3"#,
    ]),
    single(t(WINWORD, "WinWord.exe", Role::Office, Role::Explorer, US, Long, 2, 0, &[
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\`u`\Documents\`doc`.docx" /o """#,
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\`u`\OneDrive - Contoso\`doc`.docx""#,
    ])),
    single(t(r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE", "Excel.exe", Role::Office, Role::Explorer, US, Long, 2, 0, &[
        r#""C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "C:\Users\`u`\Documents\`doc`.xlsx""#,
    ])),
    single(t(OUTLOOK, "Outlook.exe", Role::Outlook, Role::Explorer, US, Long, 1, 0, &[
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#,
    ])),
    t(r"C:\Windows\System32\notepad.exe", "NOTEPAD.EXE", Role::Util, Role::Explorer, US, Medium, 1, 0, &[
        r#""C:\Windows\system32\NOTEPAD.EXE" C:\Users\`u`\Desktop\`doc`.txt"#,
    ]),
    t(CMD, "Cmd.Exe", Role::Shell, Role::Explorer, US, Medium, 1, 0, &[r#""C:\Windows\system32\cmd.exe" "#]),
    t(POWERSHELL, "PowerShell.EXE", Role::Shell, Role::Explorer, US, Medium, 1, 0, &[
        r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" "#,
    ]),
    t(POWERSHELL, "PowerShell.EXE", Role::Shell, Role::SvcSchedule, SY, Short, 2, 3, &[
        r"powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\ProgramData\`vendor`\Scripts\`ps1`",
        r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NonInteractive -WindowStyle Hidden -Command "& {Get-ScheduledTask | Where-Object State -eq 'Ready' | Out-Null}""#,
    ]),
    t(CMD, "Cmd.Exe", Role::Shell, Role::SvcSchedule, SY, Short, 1, 2, &[
        r#"C:\Windows\system32\cmd.exe /c "C:\ProgramData\`vendor`\Scripts\`bat`""#,
        r"C:\Windows\system32\cmd.exe /d /c C:\Windows\system32\silcollector.cmd publish",
    ]),
    t(r"C:\Windows\System32\conhost.exe", "CONHOST.EXE", Role::Conhost, Role::Shell, US, Medium, 3, 3, &[
        r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
        r"\??\C:\Windows\system32\conhost.exe 0x4",
    ]),
    t(r"C:\Windows\System32\whoami.exe", "whoami.exe", Role::Util, Role::Shell, US, Short, 1, 1, &["whoami", "whoami /all", "whoami  /groups"]),
    t(r"C:\Windows\System32\ipconfig.exe", "ipconfig.exe", Role::Util, Role::Shell, US, Short, 1, 1, &["ipconfig /all", "ipconfig  /flushdns"]),
    t(r"C:\Windows\System32\PING.EXE", "ping.exe", Role::Util, Role::Shell, US, Short, 1, 1, &["ping -n 1 dc01.corp.example.com", "ping  fs01"]),
    t(r"C:\Windows\System32\reg.exe", "reg.exe", Role::Util, Role::Shell, US, Short, 1, 1, &[
        r#"reg  query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" /v ProductName"#,
        r"reg query HKCU\Software\Microsoft\Office\16.0\Common\Licensing",
    ]),
    t(r"C:\Windows\System32\findstr.exe", "FINDSTR.EXE", Role::Util, Role::Shell, US, Short, 1, 1, &[
        r#"findstr  /i "error" C:\Windows\Logs\CBS\CBS.log"#,
        // Hard negative: mentions mshta without running it.
        r"findstr /i /c:mshta.exe C:\ProgramData\`vendor`\Logs\proxy-`n4`.log",
    ]),
    t(r"C:\Windows\System32\tasklist.exe", "tasklist.exe", Role::Util, Role::Shell, US, Short, 1, 1, &["tasklist  /v", "tasklist /fi \"imagename eq OUTLOOK.EXE\""]),
    t(r"C:\Windows\System32\net.exe", "net.exe", Role::Util, Role::Shell, US, Short, 1, 1, &["net  use", r"net use Z: \\fs01\shared /persistent:no", r"net time \\dc01"]),
    t(r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe", "GoogleUpdate.exe", Role::Updater, Role::SvcSchedule, SY, Short, 2, 0, &[
        r#""C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /ua /installsource scheduler"#,
        r#""C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /c"#,
    ]),
    // Its real OriginalFileName is msedgeupdate.dll: a benign name/OFN mismatch.
    t(r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe", "msedgeupdate.dll", Role::Updater, Role::SvcSchedule, SY, Short, 2, 1, &[
        r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /c"#,
        r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler"#,
    ]),
    t(r"C:\Program Files\Common Files\microsoft shared\ClickToRun\OfficeC2RClient.exe", "OfficeC2RClient.exe", Role::Updater, Role::SvcSchedule, SY, Medium, 1, 0, &[
        r#""C:\Program Files\Common Files\microsoft shared\ClickToRun\OfficeC2RClient.exe" /frequentupdate SCHEDULEDTASK displaylevel=False"#,
    ]),
    t(r"C:\Users\`u`\AppData\Local\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe", "OneDriveStandaloneUpdater.exe", Role::Updater, Role::SvcSchedule, US, Short, 1, 0, &[
        r#""C:\Users\`u`\AppData\Local\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe" /reporting"#,
    ]),
    t(r"C:\Program Files (x86)\Common Files\Adobe\ARM\1.0\AdobeARM.exe", "AdobeARM.exe", Role::Updater, Role::SvcSchedule, US, Medium, 1, 0, &[
        r#""C:\Program Files (x86)\Common Files\Adobe\ARM\1.0\AdobeARM.exe" "#,
    ]),
    t(r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MpCmdRun.exe", "MpCmdRun.exe", Role::Util, Role::SvcSchedule, SY, Short, 1, 1, &[
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MpCmdRun.exe" -IdleTask -TaskName WdCacheMaintenance"#,
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MpCmdRun.exe" SignatureUpdate -ScheduleJob -RestrictPrivileges"#,
    ]),
    t(r"C:\Windows\System32\SearchProtocolHost.exe", "SearchProtocolHost.exe", Role::Util, Role::Search, SY, Short, 3, 0, &[
        r#""C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe`n` Global\UsGthrCtrlFltPipeMssGthrPipe`n` 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" "#,
    ]),
    t(r"C:\Windows\System32\CompatTelRunner.exe", "CompatTelRunner.exe", Role::Util, Role::SvcSchedule, SY, Medium, 1, 1, &[
        r"C:\Windows\system32\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun",
        r"C:\Windows\system32\compattelrunner.exe -maintenance",
    ]),
    t(r"C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.3745_none_7e3e2d3f1e4e1a04\TiWorker.exe", "TiWorker.exe", Role::SvcGeneric, Role::SvcDcom, SY, Medium, 1, 1, &[
        r"C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.3745_none_7e3e2d3f1e4e1a04\TiWorker.exe -Embedding",
    ]),
    t(RUNDLL32, "RUNDLL32.EXE", Role::DcomChild, Role::SvcDcom, US, Short, 1, 0, &[
        r"C:\Windows\system32\rundll32.exe C:\Windows\System32\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding",
    ]),
    t(RUNDLL32, "RUNDLL32.EXE", Role::Util, Role::Explorer, US, Short, 1, 0, &[
        r#""C:\Windows\system32\rundll32.exe" C:\Windows\system32\inetcpl.cpl,ClearMyTracksByProcess Flags:`n` WinX:0 WinY:0 IEFrame:0000000000000000"#,
        r#""C:\Windows\System32\rundll32.exe" C:\Windows\System32\shell32.dll,Control_RunDLL C:\Windows\System32\desk.cpl,,0"#,
    ]),
    t(r"C:\Program Files\Veeam\Endpoint Backup\VeeamAgent.exe", "VeeamAgent.exe", Role::Backup, Role::Services, SY, Medium, 0, 2, &[
        r#""C:\Program Files\Veeam\Endpoint Backup\VeeamAgent.exe" -l "C:\ProgramData\Veeam\Endpoint\Backup Job `n`\Job.Backup Job `n`.Backup.log" -id `lguid`"#,
    ]),
];

/// Long-running processes present on every host before the corpus starts (never started in it).
pub struct Persistent {
    pub image: &'static str,
    pub ofn: &'static str,
    pub cmd: &'static str,
    pub role: Role,
    pub acct: Acct,
    pub workstation: bool,
    pub server: bool,
}

const fn p(
    image: &'static str,
    ofn: &'static str,
    cmd: &'static str,
    role: Role,
    acct: Acct,
    ws: bool,
    srv: bool,
) -> Persistent {
    Persistent { image, ofn, cmd, role, acct, workstation: ws, server: srv }
}

/// Their starts are never emitted, so their parents are not modelled.
#[rustfmt::skip]
pub const PERSISTENT: &[Persistent] = &[
    p("System", "", "", Role::System, SY, true, true),
    p(r"C:\Windows\System32\services.exe", "services.exe", r"C:\Windows\system32\services.exe", Role::Services, SY, true, true),
    p(r"C:\Windows\System32\lsass.exe", "lsass.exe", r"C:\Windows\system32\lsass.exe", Role::Lsass, SY, true, true),
    p(SVCHOST, "svchost.exe", r"C:\Windows\system32\svchost.exe -k DcomLaunch -p", Role::SvcDcom, SY, true, true),
    p(SVCHOST, "svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", Role::SvcSchedule, SY, true, true),
    p(SVCHOST, "svchost.exe", r"C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache", Role::SvcNet, NS, true, true),
    p(SVCHOST, "svchost.exe", r"C:\Windows\system32\svchost.exe -k netsvcs -p", Role::SvcNet, SY, true, true),
    p(SVCHOST, "svchost.exe", r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p", Role::SvcLocal, LS, true, true),
    p(r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MsMpEng.exe", "MsMpEng.exe",
      r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MsMpEng.exe""#, Role::Defender, SY, true, true),
    p(r"C:\Windows\System32\SearchIndexer.exe", "SearchIndexer.exe", r"C:\Windows\system32\SearchIndexer.exe /Embedding", Role::Search, SY, true, false),
    p(r"C:\Windows\CCM\CcmExec.exe", "CcmExec.exe", r"C:\Windows\CCM\CcmExec.exe", Role::Ccm, SY, true, true),
    p(r"C:\Windows\explorer.exe", "EXPLORER.EXE", r"C:\Windows\Explorer.EXE", Role::Explorer, US, true, false),
    p(r"C:\Users\`u`\AppData\Local\Microsoft\OneDrive\OneDrive.exe", "OneDrive.exe",
      r#""C:\Users\`u`\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background"#, Role::OneDrive, US, true, false),
    p(r"C:\Program Files\WindowsApps\MSTeams_23320.3021.2567.4799_x64__8wekyb3d8bbwe\ms-teams.exe", "ms-teams.exe",
      r#""C:\Program Files\WindowsApps\MSTeams_23320.3021.2567.4799_x64__8wekyb3d8bbwe\ms-teams.exe" msteams:system-initiated"#, Role::Teams, US, true, false),
    p(r"C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe", "sqlservr.exe",
      r#""C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER"#, Role::ServerApp, NS, false, true),
    p(r"C:\Windows\System32\inetsrv\w3wp.exe", "w3wp.exe",
      r#"c:\windows\system32\inetsrv\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm`lguid` -h "C:\inetpub\temp\apppools\DefaultAppPool\DefaultAppPool.config" -w "" -m 0"#,
      Role::ServerApp, Acct::Named("IIS APPPOOL\\DefaultAppPool"), false, true),
];

/// Activity weights `[image load, file create, network, dns]` of a role, for choosing actors.
pub fn profile(role: Role) -> [u32; 4] {
    match role {
        Role::System => [0, 2, 4, 0],
        Role::Services => [1, 1, 0, 0],
        Role::Lsass => [1, 1, 6, 1],
        Role::SvcDcom | Role::SvcSchedule => [2, 1, 0, 0],
        Role::SvcNet => [2, 3, 10, 8],
        Role::SvcLocal => [1, 2, 3, 1],
        Role::SvcGeneric => [3, 3, 3, 2],
        Role::Defender => [4, 8, 3, 2],
        Role::Search => [2, 6, 0, 0],
        Role::Ccm => [2, 4, 3, 2],
        Role::Explorer => [6, 5, 1, 2],
        Role::Chrome | Role::Edge => [4, 6, 6, 8],
        Role::ChromeChild | Role::EdgeChild => [6, 4, 6, 4],
        Role::Office => [8, 5, 3, 3],
        Role::Outlook => [6, 5, 6, 5],
        Role::Teams => [4, 5, 8, 6],
        Role::OneDrive => [3, 8, 6, 4],
        Role::Shell => [4, 1, 0, 0],
        Role::Conhost => [2, 0, 0, 0],
        Role::Util => [4, 1, 1, 1],
        Role::Updater => [4, 5, 6, 5],
        Role::DcomChild => [5, 2, 1, 1],
        Role::TaskHost => [4, 2, 1, 1],
        Role::ServerApp => [2, 5, 8, 2],
        Role::Backup => [2, 8, 6, 1],
        Role::Planted => [0, 0, 0, 0],
    }
}
