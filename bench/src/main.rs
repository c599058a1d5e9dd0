//! `bench`: native benchmarks of mshta-chain-core on generated corpora; prints one table.
//!
//! ```text
//! bench [--events N] [--schema-events N] [--stream-events N] [--seed S] [--hosts H] [--repeat R]
//!       [--quick] [--no-stream] [--no-schemas] [--json FILE]
//!       [--node-corpus FILE [--node-events N]]
//! bench --write-corpus FILE --events N [--hosts H] [--seed S]   # mixed JSON Lines, stats on stdout
//! bench --profile-core FILE [--repeat R]                          # only the engine, for perf
//! bench --profile-typed FILE [--repeat R]                         # only the typed parse, for perf
//! ```
//! Defaults: 1,000,000 mixed events, 200,000 events per schema, a 10,000,000-event stream,
//! seed 7, 50 hosts, each timing taken once (`--repeat` keeps the best of R).
//! `--quick`: 20,000 / 5,000 / 50,000 events, for a smoke run in seconds.

use mshta_chain_bench::typed::{self, Parsed};
use mshta_chain_bench::{planted_found, proc_status_kb, Found, Generator, Lines, Mix};
use mshta_chain_core::{analyze, Config, Engine, Report};
use mshta_chain_telemetry::{CorpusConfig, Schema};
use serde::Serialize;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const BATCH: usize = 1_000;
/// Engine stats are sampled about this many times over the stream (and at its end), at most every
/// 100 batches.
const SAMPLES: u64 = 100;

/// Batches between two samples of the stream's engine stats.
fn sample_every(stream_events: usize) -> u64 {
    (stream_events as u64 / BATCH as u64 / SAMPLES).clamp(1, 100)
}

#[derive(Clone)]
struct Args {
    events: usize,
    schema_events: usize,
    stream_events: usize,
    seed: u64,
    hosts: usize,
    repeat: usize,
    stream: bool,
    schemas: bool,
    json: Option<String>,
    node_corpus: Option<String>,
    node_events: usize,
    write_corpus: Option<String>,
    profile_core: Option<String>,
    profile_typed: Option<String>,
    stream_child: bool,
    /// Events drawn for the real-host mix (thinned to about a third) and the many-hosts case.
    host_events: usize,
    /// Hosts in the many-hosts case.
    many_hosts: usize,
    /// `--write-corpus` in the real-host mix rather than the mixed one.
    real_host: bool,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            events: 1_000_000,
            schema_events: 200_000,
            stream_events: 10_000_000,
            seed: 7,
            hosts: 50,
            repeat: 1,
            stream: true,
            schemas: true,
            json: None,
            node_corpus: None,
            node_events: 100_000,
            write_corpus: None,
            profile_core: None,
            profile_typed: None,
            stream_child: false,
            host_events: 600_000,
            many_hosts: 5_000,
            real_host: false,
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    // `--quick` first, so explicit sizes still win whatever their position.
    if argv.iter().any(|x| x == "--quick") {
        a.events = 20_000;
        a.schema_events = 5_000;
        a.stream_events = 50_000;
        a.node_events = 10_000;
        a.host_events = 15_000;
        a.many_hosts = 500;
    }
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let count = |v: String| v.replace('_', "").parse::<usize>().map_err(|_| format!("{flag}: bad count {v:?}"));
        match flag.as_str() {
            "--quick" => {}
            "--events" => a.events = count(value()?)?,
            "--schema-events" => a.schema_events = count(value()?)?,
            "--stream-events" => a.stream_events = count(value()?)?,
            "--node-events" => a.node_events = count(value()?)?,
            "--hosts" => a.hosts = count(value()?)?.max(1),
            "--repeat" => a.repeat = count(value()?)?.max(1),
            "--seed" => a.seed = value()?.parse().map_err(|_| format!("{flag}: bad seed"))?,
            "--no-stream" => a.stream = false,
            "--no-schemas" => a.schemas = false,
            "--json" => a.json = Some(value()?),
            "--node-corpus" => a.node_corpus = Some(value()?),
            "--write-corpus" => a.write_corpus = Some(value()?),
            "--profile-core" => a.profile_core = Some(value()?),
            "--profile-typed" => a.profile_typed = Some(value()?),
            "--stream-child" => a.stream_child = true,
            "--host-events" => a.host_events = count(value()?)?,
            "--many-hosts" => a.many_hosts = count(value()?)?.max(1),
            "--real-host" => a.real_host = true,
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("bench: {msg}");
            }
            eprintln!("{}", USAGE.trim());
            return ExitCode::from(2);
        }
    };
    let result = if args.stream_child {
        stream_child(&args)
    } else if let Some(path) = &args.write_corpus {
        write_corpus(&args, path)
    } else if let Some(path) = &args.profile_core {
        profile(path, args.repeat, true)
    } else if let Some(path) = &args.profile_typed {
        profile(path, args.repeat, false)
    } else {
        run(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(1)
        }
    }
}

const USAGE: &str = "
usage: bench [--events N] [--schema-events N] [--stream-events N] [--seed S] [--hosts H] [--repeat R]
             [--quick] [--no-stream] [--no-schemas] [--json FILE] [--node-corpus FILE [--node-events N]]
             [--host-events N] [--many-hosts H]
       bench --write-corpus FILE --events N [--hosts H] [--seed S] [--real-host]
       bench --profile-core FILE [--repeat R] | --profile-typed FILE [--repeat R]
";

fn corpus_config(args: &Args, events: usize) -> CorpusConfig {
    CorpusConfig { seed: args.seed, hosts: args.hosts, events, ..CorpusConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// One timed pass over a corpus.
#[derive(Debug, Clone, Copy, Serialize)]
struct Rate {
    events: u64,
    bytes: u64,
    secs: f64,
    events_per_sec: f64,
    mb_per_sec: f64,
}

impl Rate {
    fn new(events: u64, bytes: u64, elapsed: Duration) -> Rate {
        let secs = elapsed.as_secs_f64().max(1e-9);
        Rate { events, bytes, secs, events_per_sec: events as f64 / secs, mb_per_sec: bytes as f64 / 1e6 / secs }
    }
}

/// The best (fastest) of `repeat` runs of `f`, with the last run's output.
fn best_of<T>(repeat: usize, mut f: impl FnMut() -> (Duration, T)) -> (Duration, T) {
    let mut best = None::<Duration>;
    let mut out = None;
    for _ in 0..repeat.max(1) {
        let (d, t) = f();
        best = Some(best.map_or(d, |b| b.min(d)));
        out = Some(t);
    }
    (best.expect("at least one run"), out.expect("at least one run"))
}

fn time_typed(lines: &Lines, repeat: usize) -> (Rate, Parsed) {
    let (d, parsed) = best_of(repeat, || {
        let t = Instant::now();
        let p = std::hint::black_box(typed::parse_lines(std::hint::black_box(&lines.data)));
        (t.elapsed(), p)
    });
    (Rate::new(lines.len() as u64, lines.data.len() as u64, d), parsed)
}

/// The engine over 1,000-line batches, then `finish`.
fn time_batches(lines: &Lines, repeat: usize) -> (Rate, Report) {
    let batches = lines.batches(BATCH);
    let (d, report) = best_of(repeat, || {
        let t = Instant::now();
        let mut engine = Engine::new(Config::default()).unwrap();
        for b in &batches {
            std::hint::black_box(engine.push(b));
        }
        let report = engine.finish();
        (t.elapsed(), report)
    });
    (Rate::new(lines.len() as u64, lines.data.len() as u64, d), report)
}

/// `analyze` over the whole corpus as one batch.
fn time_one_batch(lines: &Lines, repeat: usize) -> (Rate, Report) {
    let (d, report) = best_of(repeat, || {
        let t = Instant::now();
        let report = analyze(&lines.data, &Config::default()).unwrap();
        (t.elapsed(), report)
    });
    (Rate::new(lines.len() as u64, lines.data.len() as u64, d), report)
}

fn generate(cfg: CorpusConfig, mix: Mix) -> (Lines, Rate) {
    let t = Instant::now();
    let lines = Lines::generate(cfg, mix);
    let rate = Rate::new(lines.len() as u64, lines.data.len() as u64, t.elapsed());
    (lines, rate)
}

#[derive(Debug, Clone, Serialize)]
struct CoreRun {
    rate: Rate,
    chains: u64,
    rejected: u64,
    processes_tracked: u64,
    activity_tracked: u64,
    state_bytes: u64,
    found: Found,
}

fn core_run(rate: Rate, report: &Report, lines: &Lines) -> CoreRun {
    let s = &report.stats;
    CoreRun {
        rate,
        chains: s.chains,
        rejected: s.rejected,
        processes_tracked: s.processes_tracked,
        activity_tracked: s.activity_tracked,
        state_bytes: s.state_bytes,
        found: planted_found(&lines.planted, report),
    }
}

#[derive(Debug, Clone, Serialize)]
struct CorpusRun {
    corpus: String,
    events: u64,
    bytes: u64,
    /// Event-time span of the corpus, seconds.
    span_secs: f64,
    generate: Rate,
    typed: Rate,
    typed_parsed_ok: u64,
    batches: CoreRun,
    one_batch: Option<CoreRun>,
}

fn measure_corpus(lines: &Lines, gen: Rate, name: &str, repeat: usize, one_batch: bool) -> CorpusRun {
    eprintln!("bench: {name}: {} events, {:.1} MB: typed parse", lines.len(), lines.data.len() as f64 / 1e6);
    let (typed, parsed) = time_typed(lines, repeat);
    eprintln!("bench: {name}: core, {BATCH}-event batches");
    let (rate, report) = time_batches(lines, repeat);
    let batches = core_run(rate, &report, lines);
    drop(report);
    let one_batch = one_batch.then(|| {
        eprintln!("bench: {name}: core, one batch");
        let (rate, report) = time_one_batch(lines, repeat);
        core_run(rate, &report, lines)
    });
    CorpusRun {
        corpus: name.to_string(),
        events: lines.len() as u64,
        bytes: lines.data.len() as u64,
        span_secs: lines.span.map_or(0.0, |(a, b)| (b - a) as f64 / 1000.0),
        generate: gen,
        typed,
        typed_parsed_ok: parsed.ok,
        batches,
        one_batch,
    }
}

// ---------------------------------------------------------------------------------------------
// The endless stream (run in a child process so that its peak RSS is its own)

/// The stream's state at one point (every `sample_every` batches and at the end).
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, Default)]
struct Sample {
    events: u64,
    /// Time spent in `push` so far.
    push_secs: f64,
    vm_hwm_kb: u64,
    /// Resident set before the sample's own `report()` (which clones the state).
    vm_rss_kb: u64,
    state_bytes: u64,
    processes_tracked: u64,
    activity_tracked: u64,
    chains_closed: u64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default)]
struct StreamRun {
    events: u64,
    bytes: u64,
    /// Time inside `push` only (generation runs on another thread).
    push_secs: f64,
    events_per_sec: f64,
    wall_secs: f64,
    /// Peak RSS once every batch was pushed (before `snapshot` and `finish`).
    vm_hwm_pushed_kb: u64,
    /// Peak RSS at the very end (after `snapshot` and `finish`).
    vm_hwm_kb: u64,
    samples: Vec<Sample>,
    /// JSON size of the closed chains the engine keeps for the report (not in `state_bytes`).
    closed_chains_json_bytes: u64,
    max_state_bytes: u64,
    max_processes_tracked: u64,
    max_activity_tracked: u64,
    /// state_bytes / processes_tracked at the sample with the most state.
    bytes_per_process_at_peak: f64,
    snapshot_bytes: u64,
    chains: u64,
    chains_closed: u64,
    chains_evicted: u64,
    processes_evicted: u64,
    activity_evicted: u64,
    late_events: u64,
    found: Found,
    span_secs: f64,
}

fn stream_child(args: &Args) -> Result<(), String> {
    use std::sync::mpsc::sync_channel;
    let cfg = corpus_config(args, args.stream_events);
    let wall = Instant::now();
    // Generation (slower than the engine) runs on a second thread; four batches in flight at most.
    let (tx, rx) = sync_channel::<Vec<u8>>(4);
    let producer = std::thread::spawn(move || {
        let mut g = Generator::new(cfg, Mix::Mixed);
        loop {
            let mut buf = Vec::with_capacity(BATCH * 1_800);
            if g.fill(BATCH, &mut buf) == 0 || tx.send(buf).is_err() {
                break;
            }
        }
        (g.planted().clone(), g.bytes, g.span)
    });
    let mut engine = Engine::new(Config::default()).unwrap();
    let mut run = StreamRun::default();
    let mut push_time = Duration::ZERO;
    let mut batches = 0u64;
    let every = sample_every(args.stream_events);
    let sample = |engine: &Engine, events: u64, push_secs: f64, run: &mut StreamRun| {
        let vm_rss_kb = proc_status_kb("VmRSS").unwrap_or(0);
        let s = engine.report().stats;
        run.samples.push(Sample {
            events,
            push_secs,
            vm_hwm_kb: proc_status_kb("VmHWM").unwrap_or(0),
            vm_rss_kb,
            state_bytes: s.state_bytes,
            processes_tracked: s.processes_tracked,
            activity_tracked: s.activity_tracked,
            chains_closed: s.chains_closed,
        });
        if s.state_bytes > run.max_state_bytes {
            run.max_state_bytes = s.state_bytes;
            run.bytes_per_process_at_peak = s.state_bytes as f64 / s.processes_tracked.max(1) as f64;
        }
        run.max_processes_tracked = run.max_processes_tracked.max(s.processes_tracked);
        run.max_activity_tracked = run.max_activity_tracked.max(s.activity_tracked);
    };
    for buf in rx {
        let t = Instant::now();
        let u = std::hint::black_box(engine.push(&buf));
        push_time += t.elapsed();
        run.events += u.events;
        batches += 1;
        if batches.is_multiple_of(every) {
            sample(&engine, run.events, push_time.as_secs_f64(), &mut run);
        }
    }
    let (planted, bytes, span) = producer.join().map_err(|_| "generator thread panicked".to_string())?;
    run.bytes = bytes;
    run.span_secs = span.map_or(0.0, |(a, b)| (b - a) as f64 / 1000.0);
    if run.samples.last().is_none_or(|x| x.events != run.events) {
        sample(&engine, run.events, push_time.as_secs_f64(), &mut run);
    }
    run.vm_hwm_pushed_kb = proc_status_kb("VmHWM").unwrap_or(0);
    run.snapshot_bytes = engine.snapshot().len() as u64;
    let report = engine.finish();
    run.closed_chains_json_bytes = report
        .chains
        .iter()
        .filter(|c| c.status == "closed")
        .map(|c| serde_json::to_vec(c).map_or(0, |v| v.len() as u64))
        .sum();
    let s = &report.stats;
    run.chains = s.chains;
    run.chains_closed = s.chains_closed;
    run.chains_evicted = s.chains_evicted;
    run.processes_evicted = s.processes_evicted;
    run.activity_evicted = s.activity_evicted;
    run.late_events = s.late_events;
    run.found = planted_found(&planted, &report);
    drop(report);
    run.push_secs = push_time.as_secs_f64();
    run.events_per_sec = run.events as f64 / run.push_secs.max(1e-9);
    run.wall_secs = wall.elapsed().as_secs_f64();
    run.vm_hwm_kb = proc_status_kb("VmHWM").unwrap_or(0);
    println!("{}", serde_json::to_string(&run).map_err(|e| e.to_string())?);
    Ok(())
}

fn run_stream(args: &Args) -> Result<StreamRun, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    let out = std::process::Command::new(exe)
        .args(["--stream-child", "--stream-events", &args.stream_events.to_string()])
        .args(["--seed", &args.seed.to_string(), "--hosts", &args.hosts.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the stream child: {e}"))?;
    if !out.status.success() {
        return Err(format!("stream child failed: {}", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("stream child output: {e}"))
}

/// Flat memory: after the first 20% of the stream (warm-up: the state fills one window plus
/// the lateness), peak RSS (until the last push) grows by at most 10% and retained state by at
/// most 25%. Not judged on a stream shorter than 100 minutes of event time.
#[derive(Debug, Clone, Serialize)]
struct Flatness {
    flat: bool,
    hwm_after_warmup_kb: u64,
    hwm_end_kb: u64,
    rss_after_warmup_kb: u64,
    rss_max_second_half_kb: u64,
    state_max_first_half: u64,
    state_max_second_half: u64,
    enough_samples: bool,
}

fn flatness(s: &StreamRun) -> Flatness {
    let n = s.events.max(1);
    let after_warmup = |x: &&Sample| x.events * 5 >= n;
    let warm = s.samples.iter().find(after_warmup).copied().unwrap_or_default();
    let half = |second: bool| {
        s.samples.iter().filter(after_warmup).filter(|x| (x.events * 2 > n) == second).map(|x| x.state_bytes).max()
    };
    let (first, second) = (half(false).unwrap_or(0), half(true).unwrap_or(0));
    let rss_second_half = s.samples.iter().filter(|x| x.events * 2 > n).map(|x| x.vm_rss_kb).max().unwrap_or(0);
    let hwm_end = s.vm_hwm_pushed_kb;
    // Steady state needs the window plus the lateness (20 minutes of event time by default)
    // several times over: ask for 100 minutes, and ten samples.
    let enough = s.samples.len() >= 10 && s.span_secs >= 6_000.0;
    Flatness {
        flat: enough && hwm_end as f64 <= warm.vm_hwm_kb as f64 * 1.10 && second as f64 <= first as f64 * 1.25,
        hwm_after_warmup_kb: warm.vm_hwm_kb,
        hwm_end_kb: hwm_end,
        rss_after_warmup_kb: warm.vm_rss_kb,
        rss_max_second_half_kb: rss_second_half,
        state_max_first_half: first,
        state_max_second_half: second,
        enough_samples: enough,
    }
}

/// Push throughput over the first and the last tenth of the stream (events/s), from the samples.
fn throughput_drift(s: &StreamRun) -> Option<(f64, f64)> {
    let n = s.events;
    let tenth = n / 10;
    let at = |events: u64| s.samples.iter().find(|x| x.events >= events).copied();
    let first = at(tenth)?;
    let last_start = s.samples.iter().rev().find(|x| x.events <= n - tenth)?;
    let last = s.samples.last()?;
    let rate = |a: &Sample, b: &Sample| (b.events - a.events) as f64 / (b.push_secs - a.push_secs).max(1e-9);
    Some((first.events as f64 / first.push_secs.max(1e-9), rate(last_start, last)))
}

// ---------------------------------------------------------------------------------------------
// Other modes

fn write_corpus(args: &Args, path: &str) -> Result<(), String> {
    let mix = if args.real_host { Mix::RealHost } else { Mix::Mixed };
    let (lines, gen) = generate(corpus_config(args, args.events), mix);
    std::fs::write(path, &lines.data).map_err(|e| format!("{path}: {e}"))?;
    let info = serde_json::json!({
        "path": path,
        "events": lines.len(),
        "bytes": lines.data.len(),
        "hosts": args.hosts,
        "seed": args.seed,
        "span_secs": lines.span.map_or(0.0, |(a, b)| (b - a) as f64 / 1000.0),
        "planted": lines.planted.total(),
        "generate_events_per_sec": gen.events_per_sec,
    });
    println!("{info}");
    Ok(())
}

fn read_lines(path: &str) -> Result<Lines, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let mut ends: Vec<usize> = data.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
    if data.last().is_some_and(|&b| b != b'\n') {
        ends.push(data.len());
    }
    Ok(Lines { data, ends, planted: Default::default(), span: None })
}

fn profile(path: &str, repeat: usize, core: bool) -> Result<(), String> {
    let lines = read_lines(path)?;
    for _ in 0..repeat.max(1) {
        let rate = if core { time_batches(&lines, 1).0 } else { time_typed(&lines, 1).0 };
        eprintln!(
            "bench: {} {} events: {:.0} events/s, {:.1} MB/s",
            if core { "core (1,000-event batches)" } else { "typed parse" },
            rate.events,
            rate.events_per_sec,
            rate.mb_per_sec
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The main run and its table

#[derive(Debug, Clone, Serialize)]
struct Results {
    config: serde_json::Value,
    mixed: CorpusRun,
    node_corpus: Option<CorpusRun>,
    /// The real-host mix and the many-hosts case.
    hosts: Vec<CorpusRun>,
    schemas: Vec<CorpusRun>,
    stream: Option<StreamRun>,
    flatness: Option<Flatness>,
    targets: Vec<Target>,
    rows: Vec<Row>,
}

/// One row of the table: measurement, input, result, ratio or note.
type Row = [String; 4];

#[derive(Debug, Clone, Serialize)]
struct Target {
    target: String,
    met: Option<bool>,
    figures: String,
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    // 1. The stream first, in its own process, before this one holds a large corpus.
    let stream = if args.stream {
        eprintln!("bench: streaming {} events through one engine (child process)", args.stream_events);
        Some(run_stream(args)?)
    } else {
        None
    };
    // 2. The mixed corpus.
    eprintln!("bench: generating {} mixed events", args.events);
    let (lines, gen) = generate(corpus_config(args, args.events), Mix::Mixed);
    let mixed = measure_corpus(&lines, gen, "mixed", args.repeat, true);
    drop(lines);
    // 3. The corpus the Node benchmark reads: written, and measured natively for a same-input ratio.
    let node_corpus = match &args.node_corpus {
        Some(path) => {
            let (lines, gen) = generate(corpus_config(args, args.node_events), Mix::Mixed);
            std::fs::write(path, &lines.data).map_err(|e| format!("{path}: {e}"))?;
            Some(measure_corpus(&lines, gen, "mixed (Node corpus)", args.repeat, false))
        }
        None => None,
    };
    // 4. The real-host mix (issue 13) and many hosts: the same seed, measured like a schema.
    let mut hosts = Vec::new();
    if args.schemas {
        let (lines, gen) = generate(corpus_config(args, args.host_events), Mix::RealHost);
        hosts.push(measure_corpus(&lines, gen, "real-host mix", args.repeat, false));
        drop(lines);
        let cfg = CorpusConfig { hosts: args.many_hosts, ..corpus_config(args, args.host_events / 3) };
        let (lines, gen) = generate(cfg, Mix::Mixed);
        hosts.push(measure_corpus(&lines, gen, &format!("mixed, {} hosts", args.many_hosts), args.repeat, false));
    }
    // 5. Each schema.
    let mut schemas = Vec::new();
    if args.schemas {
        for schema in Schema::ALL {
            let (lines, gen) = generate(corpus_config(args, args.schema_events), Mix::One(schema));
            schemas.push(measure_corpus(&lines, gen, schema.name(), args.repeat, false));
        }
    }
    let flat = stream.as_ref().map(flatness);
    let targets = targets(&mixed, stream.as_ref(), flat.as_ref());
    let rows = rows(args, &mixed, node_corpus.as_ref(), &hosts, &schemas, stream.as_ref(), flat.as_ref());
    let results = Results {
        config: serde_json::json!({
            "events": args.events, "schema_events": args.schema_events, "stream_events": args.stream_events,
            "node_events": args.node_events, "seed": args.seed, "hosts": args.hosts, "repeat": args.repeat,
            "batch": BATCH, "sample_every_events": sample_every(args.stream_events) * BATCH as u64,
            "elapsed_secs": started.elapsed().as_secs_f64(),
        }),
        mixed,
        node_corpus,
        hosts,
        schemas,
        stream,
        flatness: flat,
        targets,
        rows,
    };
    print_table(&results.rows);
    println!();
    for t in &results.targets {
        let verdict = match t.met {
            Some(true) => "met",
            Some(false) => "NOT met",
            None => "n/a",
        };
        println!("- {}: **{verdict}** ({})", t.target, t.figures);
    }
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn targets(mixed: &CorpusRun, stream: Option<&StreamRun>, flat: Option<&Flatness>) -> Vec<Target> {
    let b = &mixed.batches.rate;
    let ratio = b.events_per_sec / mixed.typed.events_per_sec;
    let mut out = vec![
        Target {
            target: "native end to end >= 0.9x typed serde_json parse".into(),
            met: Some(ratio >= 0.9),
            figures: format!(
                "{:.3}x: core {} events/s vs typed parse {} events/s, {} mixed events in 1,000-event batches",
                ratio,
                thousands(b.events_per_sec),
                thousands(mixed.typed.events_per_sec),
                thousands(mixed.events as f64)
            ),
        },
        Target {
            target: ">= 400k events/s native on one core".into(),
            met: Some(b.events_per_sec >= 400_000.0),
            figures: format!(
                "{} events/s in 1,000-event batches, {} events/s as one batch",
                thousands(b.events_per_sec),
                mixed.one_batch.as_ref().map_or("-".into(), |o| thousands(o.rate.events_per_sec))
            ),
        },
    ];
    if let (Some(s), Some(f)) = (stream, flat) {
        out.push(Target {
            target: "flat memory on an endless stream".into(),
            met: f.enough_samples.then_some(f.flat),
            figures: format!(
                "{} events: VmHWM {:.1} MB after 20% of the stream, {:.1} MB after the last push; VmRSS {:.1} MB \
                 after 20%, up to {:.1} MB in the second half; max state_bytes {:.1} MB in the first half, {:.1} MB \
                 in the second; {} closed chains kept for the report ({:.1} MB as JSON) at the end",
                thousands(s.events as f64),
                f.hwm_after_warmup_kb as f64 / 1024.0,
                f.hwm_end_kb as f64 / 1024.0,
                f.rss_after_warmup_kb as f64 / 1024.0,
                f.rss_max_second_half_kb as f64 / 1024.0,
                f.state_max_first_half as f64 / 1e6,
                f.state_max_second_half as f64 / 1e6,
                s.chains_closed,
                s.closed_chains_json_bytes as f64 / 1e6
            ),
        });
    }
    out
}

fn rows(
    args: &Args,
    mixed: &CorpusRun,
    node: Option<&CorpusRun>,
    hosts: &[CorpusRun],
    schemas: &[CorpusRun],
    stream: Option<&StreamRun>,
    flat: Option<&Flatness>,
) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let input =
        |c: &CorpusRun| format!("{}, {} events, {:.0} MB", c.corpus, thousands(c.events as f64), c.bytes as f64 / 1e6);
    let rate = |r: &Rate| format!("{} events/s, {:.0} MB/s", thousands(r.events_per_sec), r.mb_per_sec);
    let vs = |r: &Rate, c: &CorpusRun| format!("{:.2}x typed parse", r.events_per_sec / c.typed.events_per_sec);
    let m = mixed;
    rows.push([
        "native: typed serde_json parse (baseline)".into(),
        input(m),
        rate(&m.typed),
        format!("{} of {} lines parsed", thousands(m.typed_parsed_ok as f64), thousands(m.events as f64)),
    ]);
    rows.push(["native: core, 1,000-event batches".into(), input(m), rate(&m.batches.rate), vs(&m.batches.rate, m)]);
    if let Some(o) = &m.one_batch {
        rows.push(["native: core, one batch (`analyze`)".into(), input(m), rate(&o.rate), vs(&o.rate, m)]);
    }
    let f = &m.batches.found;
    rows.push([
        "native: chains found vs planted".into(),
        input(m),
        format!("{} of {} planted found; {} chains reported", f.matched, f.planted, f.reported),
        format!(
            "attacks scored >= 50: {} of {}; legitimate < 50: {} of {}",
            f.attacks_medium_plus,
            f.planted_attacks,
            f.benign_below_medium,
            f.planted - f.planted_attacks
        ),
    ]);
    rows.push([
        "generator + rendering (not the core)".into(),
        input(m),
        rate(&m.generate),
        format!(
            "{:.0} bytes/event avg; event-time span {:.1} h",
            m.bytes as f64 / m.events.max(1) as f64,
            m.span_secs / 3600.0
        ),
    ]);
    if let Some(n) = node {
        rows.push(["native: typed serde_json parse (baseline)".into(), input(n), rate(&n.typed), String::new()]);
        rows.push([
            "native: core, 1,000-event batches".into(),
            input(n),
            rate(&n.batches.rate),
            vs(&n.batches.rate, n),
        ]);
    }
    for h in hosts {
        rows.push([
            format!("native: core, 1,000-event batches ({})", h.corpus),
            input(h),
            rate(&h.batches.rate),
            format!(
                "{}; typed parse {}; {} of {} planted found",
                vs(&h.batches.rate, h),
                rate(&h.typed),
                h.batches.found.matched,
                h.batches.found.planted
            ),
        ]);
    }
    for s in schemas {
        rows.push([
            format!("native per schema: core, 1,000-event batches ({})", s.corpus),
            format!("{} ({} events drawn)", input(s), thousands(args.schema_events as f64)),
            rate(&s.batches.rate),
            format!("{}; typed parse {}", vs(&s.batches.rate, s), rate(&s.typed)),
        ]);
    }
    if let Some(s) = stream {
        let input = format!(
            "mixed stream, {} events, {:.0} MB, {:.1} h of event time, {} hosts",
            thousands(s.events as f64),
            s.bytes as f64 / 1e6,
            s.span_secs / 3600.0,
            args.hosts
        );
        rows.push([
            "native stream: peak RSS of the process (VmHWM)".into(),
            input.clone(),
            format!("{:.1} MB", s.vm_hwm_kb as f64 / 1024.0),
            flat.map_or(String::new(), |f| {
                format!(
                    "{:.1} MB after 20% of the stream, {:.1} MB after the last push (then snapshot and finish); \
                     flat: {}",
                    f.hwm_after_warmup_kb as f64 / 1024.0,
                    f.hwm_end_kb as f64 / 1024.0,
                    match (f.enough_samples, f.flat) {
                        (false, _) => "not judged (stream too short)",
                        (true, true) => "yes",
                        (true, false) => "no",
                    }
                )
            }),
        ]);
        rows.push([
            "native stream: max retained state (`stats.state_bytes`)".into(),
            input.clone(),
            format!("{:.1} MB", s.max_state_bytes as f64 / 1e6),
            format!(
                "max processes tracked {}, max activity records {} (sampled every {} events)",
                thousands(s.max_processes_tracked as f64),
                thousands(s.max_activity_tracked as f64),
                thousands((sample_every(args.stream_events) * BATCH as u64) as f64)
            ),
        ]);
        rows.push([
            "native stream: state bytes per tracked process".into(),
            input.clone(),
            format!("{:.0} bytes", s.bytes_per_process_at_peak),
            "state_bytes / processes_tracked at the peak sample (includes activity records)".into(),
        ]);
        rows.push([
            "native stream: snapshot size at the end".into(),
            input.clone(),
            format!("{:.2} MB", s.snapshot_bytes as f64 / 1e6),
            format!("{} chains closed, {} evicted over max_chains", s.chains_closed, s.chains_evicted),
        ]);
        rows.push([
            "native stream: core throughput (push time only)".into(),
            input.clone(),
            format!(
                "{} events/s, {:.0} MB/s",
                thousands(s.events_per_sec),
                s.bytes as f64 / 1e6 / s.push_secs.max(1e-9)
            ),
            format!("wall {:.0} s with generation on a second thread", s.wall_secs),
        ]);
        if let Some((first, last)) = throughput_drift(s) {
            rows.push([
                "native stream: push throughput, first vs last tenth".into(),
                input.clone(),
                format!("{} -> {} events/s", thousands(first), thousands(last)),
                format!("{:.2}x (sensitive to machine load: the generator runs on the second core)", last / first),
            ]);
        }
        let f = &s.found;
        rows.push([
            "native stream: chains found vs planted".into(),
            input,
            format!("{} of {} planted found; {} chains reported", f.matched, f.planted, f.reported),
            format!(
                "late events {}, processes evicted {}, activity evicted {}",
                s.late_events, s.processes_evicted, s.activity_evicted
            ),
        ]);
    }
    rows
}

fn print_table(rows: &[Row]) {
    println!("| measurement | input | result | ratio / note |");
    println!("|---|---|---|---|");
    for r in rows {
        println!("| {} | {} | {} | {} |", r[0], r[1], r[2], r[3]);
    }
}

/// 1234567.8 -> "1,234,568".
fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}
