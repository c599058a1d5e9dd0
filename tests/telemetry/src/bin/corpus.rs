//! `corpus`: write a generated corpus as JSON Lines, in one schema or a seeded mix.
//!
//! ```text
//! corpus --events N [--seed S] [--hosts H] [--schema NAME|mixed|none] [--out FILE|-]
//!        [--mshta-rate R] [--attack-share F] [--disorder-ms MS] [--local-offset MIN]
//! ```
//! Statistics (events, bytes, average bytes per event, planted chains, speed) go to stderr.
//! `--schema none` generates without rendering or writing: the generator's own cost.

use mshta_chain_telemetry::rng::Rng;
use mshta_chain_telemetry::{render_with, Corpus, CorpusConfig, RenderOptions, Schema};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: corpus --events N [--seed S] [--hosts H] [--schema NAME|mixed|none] [--out FILE|-] \
[--mshta-rate R] [--attack-share F] [--disorder-ms MS] [--local-offset MIN]\nschemas: ";

/// What to write.
#[derive(Clone, Copy)]
enum Output {
    One(Schema),
    Mixed,
    Nothing,
}

struct Args {
    cfg: CorpusConfig,
    output: Output,
    out: String,
    opts: RenderOptions,
}

fn parse() -> Result<Args, String> {
    let mut cfg = CorpusConfig::default();
    let mut events = None;
    let mut output = Output::One(Schema::SysmonFlat);
    let mut out = "-".to_string();
    let mut opts = RenderOptions::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |what: &str| format!("{flag}: bad {what} {value:?}");
        match flag.as_str() {
            "--events" => events = Some(value.parse().map_err(|_| bad("count"))?),
            "--seed" => cfg.seed = value.parse().map_err(|_| bad("seed"))?,
            "--hosts" => cfg.hosts = value.parse().map_err(|_| bad("count"))?,
            "--mshta-rate" => cfg.mshta_rate = value.parse().map_err(|_| bad("rate"))?,
            "--attack-share" => cfg.attack_share = value.parse().map_err(|_| bad("share"))?,
            "--disorder-ms" => cfg.disorder_ms = value.parse().map_err(|_| bad("ms"))?,
            "--local-offset" => opts.local_offset_minutes = Some(value.parse().map_err(|_| bad("minutes"))?),
            "--out" => out = value,
            "--schema" => {
                output = match value.as_str() {
                    "mixed" => Output::Mixed,
                    "none" => Output::Nothing,
                    name => Output::One(Schema::from_name(name).ok_or_else(|| bad("schema"))?),
                }
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    cfg.events = events.ok_or("--events is required")?;
    if cfg.hosts == 0 {
        return Err("--hosts must be at least 1".into());
    }
    Ok(Args { cfg, output, out, opts })
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(msg) => {
            let names: Vec<&str> = Schema::ALL.iter().map(|s| s.name()).collect();
            if !msg.is_empty() {
                eprintln!("corpus: {msg}");
            }
            eprintln!("{USAGE}{}, mixed, none", names.join(", "));
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corpus: {e}");
            ExitCode::from(1)
        }
    }
}

/// Counts bytes on their way to the real writer.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn run(args: Args) -> io::Result<()> {
    let sink: Box<dyn Write> =
        if args.out == "-" { Box::new(io::stdout().lock()) } else { Box::new(std::fs::File::create(&args.out)?) };
    let mut w = Counting { inner: BufWriter::with_capacity(1 << 20, sink), bytes: 0 };
    // Schema choice for `mixed` has its own stream, so the events match a single-schema run.
    let mut pick = Rng::new(args.cfg.seed).fork("schema-mix");
    let started = Instant::now();
    let mut corpus = Corpus::new(args.cfg.clone());
    let mut written = 0u64;
    let mut per_schema = [(0u64, 0u64); Schema::ALL.len()];
    let mut skipped = 0u64;
    let mut candidates = Vec::with_capacity(Schema::ALL.len());
    for (i, ev) in (&mut corpus).enumerate() {
        let schema = match args.output {
            Output::One(s) => s,
            Output::Mixed => {
                candidates.clear();
                candidates.extend(Schema::ALL.into_iter().filter(|s| s.supports(&ev.kind)));
                pick.pick(&candidates)
            }
            Output::Nothing => {
                written += 1;
                continue;
            }
        };
        let Some(json) = render_with(&ev, schema, i as u64 + 1, &args.opts) else {
            skipped += 1;
            continue;
        };
        let before = w.bytes;
        serde_json::to_writer(&mut w, &json).map_err(io::Error::other)?;
        w.write_all(b"\n")?;
        written += 1;
        let slot = Schema::ALL.iter().position(|s| *s == schema).unwrap_or(0);
        per_schema[slot].0 += 1;
        per_schema[slot].1 += w.bytes - before;
    }
    w.flush()?;
    let secs = started.elapsed().as_secs_f64();
    let planted = corpus.planted();
    let what = if matches!(args.output, Output::Nothing) { "generated, not rendered" } else { "written" };
    eprintln!(
        "corpus: {written} events {what} ({skipped} not expressible in the schema), {} bytes, {:.0} bytes/event avg, \
         {:.2} s, {:.0} events/s; planted chains: {} attack, {} benign",
        w.bytes,
        w.bytes as f64 / written.max(1) as f64,
        secs,
        written as f64 / secs.max(1e-9),
        planted.attacks,
        planted.benign
    );
    if matches!(args.output, Output::Mixed) {
        for (s, (n, b)) in Schema::ALL.iter().zip(per_schema) {
            if n > 0 {
                eprintln!("  {:<20} {n:>9} events {:>6.0} bytes/event", s.name(), b as f64 / n as f64);
            }
        }
    }
    Ok(())
}
