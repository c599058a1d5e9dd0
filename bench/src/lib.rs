//! # mshta-chain-bench
//!
//! Benchmarks of `mshta-chain-core` on corpora generated in memory by `mshta-chain-telemetry`
//! (seeded, realistic, slightly out of order, in one schema or a seeded mix of all of `Schema::ALL`). The
//! `bench` binary prints the table; `bash scripts/bench.sh` runs it with the Node benchmark and
//! keeps the results in `bench/RESULTS.md`. Timings are printed, never asserted.
//!
//! - [`Lines`] / [`Generator`]: a corpus as contiguous JSON Lines, or streamed in batches.
//! - [`typed`]: the baseline, a typed serde_json parse of the same lines.
//! - [`planted_found`]: chains found against the chains the generator planted.

pub mod typed;

use mshta_chain_core::Report;
use mshta_chain_telemetry::rng::Rng;
use mshta_chain_telemetry::{render, Corpus, CorpusConfig, Kind, PlantedStats, Schema};

/// Which schema each event is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Each event in a schema picked (seeded) among those that can express it — the same choice
    /// as the telemetry `corpus` binary's `--schema mixed`, so the output is byte-identical.
    Mixed,
    /// Every event in this schema; events it cannot express are left out.
    One(Schema),
    /// The mix of a real full-host export (OTRF-style Sysmon + Security): about 40% file creation
    /// (Sysmon 11), 25% WFP 5156 (Security), 20% Sysmon 3, 6% DNS (Sysmon 22), 6% process starts
    /// (Sysmon 1), the rest other events (image loads, process ends), in the flat export shapes.
    /// Drawn by thinning each kind of the generator's stream (seeded); the events of planted mshta
    /// chains (actor, process or parent image mshta.exe) are always kept so the chains stay whole.
    RealHost,
}

/// Share of each kind kept for [`Mix::RealHost`]: the target share over the generator's own
/// (network 15% -> 45% is the scarcest, kept whole; the rest thinned to match).
fn real_host_keep(kind: &Kind) -> f64 {
    match kind {
        Kind::Network { .. } => 1.0,
        Kind::FileCreate { .. } => 0.86,
        Kind::Dns { .. } => 0.19,
        Kind::ProcessStart(_) => 0.20,
        Kind::ProcessEnd(_) | Kind::ImageLoad { .. } => 0.022,
    }
}

fn touches_mshta(kind: &Kind) -> bool {
    let is = |image: &str| image.len() >= 9 && image[image.len() - 9..].eq_ignore_ascii_case("mshta.exe");
    match kind {
        Kind::ProcessStart(p) => is(&p.image) || p.parent.as_ref().is_some_and(|q| is(&q.image)),
        Kind::ProcessEnd(a)
        | Kind::Network { actor: a, .. }
        | Kind::Dns { actor: a, .. }
        | Kind::FileCreate { actor: a, .. }
        | Kind::ImageLoad { actor: a, .. } => is(&a.image),
    }
}

impl Mix {
    pub fn name(self) -> &'static str {
        match self {
            Mix::Mixed => "mixed",
            Mix::One(s) => s.name(),
            Mix::RealHost => "real-host mix",
        }
    }
}

/// Renders a corpus line by line.
pub struct Generator {
    corpus: Corpus,
    mix: Mix,
    pick: Rng,
    candidates: Vec<Schema>,
    /// Events drawn from the corpus (record ids are this, from 1, as in the `corpus` binary).
    drawn: u64,
    /// Lines written.
    pub lines: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Earliest and latest event time written (epoch ms).
    pub span: Option<(i64, i64)>,
}

impl Generator {
    pub fn new(cfg: CorpusConfig, mix: Mix) -> Generator {
        let pick = Rng::new(cfg.seed).fork("schema-mix");
        Generator {
            corpus: Corpus::new(cfg),
            mix,
            pick,
            candidates: Vec::with_capacity(Schema::ALL.len()),
            drawn: 0,
            lines: 0,
            bytes: 0,
            span: None,
        }
    }

    /// Appends the next line (with its `\n`) to `out`; `false` when the corpus is exhausted.
    pub fn next_line(&mut self, out: &mut Vec<u8>) -> bool {
        for ev in self.corpus.by_ref() {
            self.drawn += 1;
            let schema = match self.mix {
                Mix::One(s) => s,
                Mix::Mixed => {
                    self.candidates.clear();
                    self.candidates.extend(Schema::ALL.into_iter().filter(|s| s.supports(&ev.kind)));
                    self.pick.pick(&self.candidates)
                }
                Mix::RealHost => {
                    // Two draws per event whatever the outcome, so the choice is stable.
                    let keep = self.pick.chance(real_host_keep(&ev.kind));
                    let security = self.pick.chance(25.0 / 45.0);
                    if !keep && !touches_mshta(&ev.kind) {
                        continue;
                    }
                    match ev.kind {
                        Kind::Network { .. } if security => Schema::SecurityFlat,
                        _ => Schema::SysmonFlat,
                    }
                }
            };
            let Some(json) = render(&ev, schema, self.drawn) else { continue };
            let before = out.len();
            serde_json::to_writer(&mut *out, &json).expect("rendering into memory");
            out.push(b'\n');
            self.lines += 1;
            self.bytes += (out.len() - before) as u64;
            self.span = Some(match self.span {
                None => (ev.time_ms, ev.time_ms),
                Some((a, b)) => (a.min(ev.time_ms), b.max(ev.time_ms)),
            });
            return true;
        }
        false
    }

    /// Appends up to `n` lines to `out`; returns how many.
    pub fn fill(&mut self, n: usize, out: &mut Vec<u8>) -> usize {
        (0..n).take_while(|_| self.next_line(out)).count()
    }

    pub fn planted(&self) -> &PlantedStats {
        self.corpus.planted()
    }
}

/// A whole corpus in memory as contiguous JSON Lines.
pub struct Lines {
    pub data: Vec<u8>,
    /// Offset just past each line's `\n`.
    pub ends: Vec<usize>,
    pub planted: PlantedStats,
    pub span: Option<(i64, i64)>,
}

impl Lines {
    pub fn generate(cfg: CorpusConfig, mix: Mix) -> Lines {
        let mut g = Generator::new(cfg.clone(), mix);
        let mut data = Vec::with_capacity(cfg.events * 1_700);
        let mut ends = Vec::with_capacity(cfg.events);
        while g.next_line(&mut data) {
            ends.push(data.len());
        }
        data.shrink_to_fit();
        Lines { data, ends, planted: g.planted().clone(), span: g.span }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Consecutive batches of `n` lines, as slices of `data` (no copy).
    pub fn batches(&self, n: usize) -> Vec<&[u8]> {
        let n = n.max(1);
        let mut out = Vec::with_capacity(self.len().div_ceil(n));
        let mut start = 0;
        for chunk in self.ends.chunks(n) {
            let end = *chunk.last().expect("chunks are non-empty");
            out.push(&self.data[start..end]);
            start = end;
        }
        out
    }
}

/// Chains found against chains planted. A planted chain is found when a reported chain's root is
/// on the same host (first DNS label, any case), has the same pid, and starts within 2 s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    pub planted: u64,
    pub planted_attacks: u64,
    /// Chains in the report (after `min_score`, which defaults to 0).
    pub reported: u64,
    /// Planted chains matched by a reported chain.
    pub matched: u64,
    /// Planted attacks matched with a score >= 50 (medium or above).
    pub attacks_medium_plus: u64,
    /// Planted legitimate chains matched with a score < 50.
    pub benign_below_medium: u64,
}

pub fn planted_found(planted: &PlantedStats, report: &Report) -> Found {
    let mut roots: Vec<(String, u32, i64, i64)> = report
        .chains
        .iter()
        .filter_map(|c| Some((short_host(&c.host), c.root.pid, parse_rfc3339_ms(&c.root.time)?, c.score)))
        .collect();
    roots.sort();
    let mut f = Found {
        planted: planted.total(),
        planted_attacks: planted.attacks,
        reported: report.chains.len() as u64,
        ..Found::default()
    };
    for p in &planted.chains {
        let host = short_host(&p.host);
        let lo = roots.partition_point(|r| (r.0.as_str(), r.1) < (host.as_str(), p.pid));
        let hit =
            roots[lo..].iter().take_while(|r| r.0 == host && r.1 == p.pid).find(|r| (r.2 - p.start_ms).abs() <= 2_000);
        if let Some(r) = hit {
            f.matched += 1;
            if p.attack && r.3 >= 50 {
                f.attacks_medium_plus += 1;
            }
            if !p.attack && r.3 < 50 {
                f.benign_below_medium += 1;
            }
        }
    }
    f
}

fn short_host(h: &str) -> String {
    h.split('.').next().unwrap_or(h).to_ascii_lowercase()
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]` to epoch ms (the report writes UTC with `Z`).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut ms = 0;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 100;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            ms += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    let offset_min = match b.get(i) {
        Some(b'+') | Some(b'-') => {
            let sign = if b[i] == b'-' { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?)
        }
        _ => 0,
    };
    // Days from civil (Howard Hinnant).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + se * 1000 + ms)
}

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`); `None` off Linux.
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mshta_chain_core::{Config, Engine};

    fn small(events: usize) -> CorpusConfig {
        CorpusConfig { events, seed: 3, hosts: 8, mshta_rate: 20.0, ..CorpusConfig::default() }
    }

    /// The baseline and the engine see the same lines, in every schema and in the mix, and the
    /// baseline parses all of them.
    #[test]
    fn baseline_and_engine_see_the_same_lines() {
        let mut mixes = vec![Mix::Mixed];
        mixes.extend(Schema::ALL.map(Mix::One));
        for mix in mixes {
            let lines = Lines::generate(small(1_500), mix);
            assert!(!lines.is_empty(), "{}", mix.name());
            let parsed = typed::parse_lines(&lines.data);
            assert_eq!(parsed.lines, lines.len() as u64, "{}", mix.name());
            assert_eq!(parsed.ok, parsed.lines, "{}: the baseline failed on some lines", mix.name());
            let mut engine = Engine::new(Config::default()).unwrap();
            for batch in lines.batches(1_000) {
                engine.push(batch);
            }
            let report = engine.finish();
            assert_eq!(report.stats.events, parsed.lines, "{}", mix.name());
            assert_eq!(report.stats.rejected, 0, "{}: {:?}", mix.name(), report.errors.first());
        }
    }

    /// The baseline reads the image fields of every schema (it finds the planted mshta roots).
    #[test]
    fn baseline_reads_images_in_every_schema() {
        for schema in Schema::ALL {
            let lines = Lines::generate(small(3_000), Mix::One(schema));
            if lines.planted.total() == 0 {
                continue;
            }
            assert!(typed::parse_lines(&lines.data).mshta > 0, "{}", schema.name());
        }
    }

    #[test]
    fn batches_cover_every_line_once() {
        let lines = Lines::generate(small(2_345), Mix::Mixed);
        let batches = lines.batches(1_000);
        assert_eq!(batches.len(), lines.len().div_ceil(1_000));
        assert_eq!(batches.iter().map(|b| b.len()).sum::<usize>(), lines.data.len());
        assert!(batches.iter().all(|b| b.ends_with(b"\n")));
    }

    /// Same bytes as the telemetry `corpus` binary's `--schema mixed` (same record ids, same picks).
    #[test]
    fn generator_matches_streamed_and_whole() {
        let whole = Lines::generate(small(1_200), Mix::Mixed);
        let mut g = Generator::new(small(1_200), Mix::Mixed);
        let mut streamed = Vec::new();
        while g.fill(100, &mut streamed) > 0 {}
        assert_eq!(streamed, whole.data);
    }

    #[test]
    fn found_matches_planted_roots() {
        let lines = Lines::generate(small(5_000), Mix::One(Schema::SysmonFlat));
        assert!(lines.planted.total() > 0);
        let report = mshta_chain_core::analyze(&lines.data, &Config::default()).unwrap();
        let f = planted_found(&lines.planted, &report);
        assert_eq!(f.planted, lines.planted.total());
        assert!(f.matched > 0, "{f:?}");
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2024-05-01T08:00:00.250Z"), Some(1_714_550_400_250));
        assert_eq!(parse_rfc3339_ms("2024-05-01T10:00:00+02:00"), Some(1_714_550_400_000));
        assert_eq!(parse_rfc3339_ms("nope"), None);
    }
}
