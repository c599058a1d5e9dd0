//! `mshta-chain`, the native CLI: scan Windows telemetry (JSON, `.evtx`,
//! Windows Event XML) for mshta.exe execution chains and print the report,
//! or write a baseline config. The same commands, flags, messages, exit
//! statuses and output bytes as the npm CLI (`pkg/bin/mshta-chain.mjs`);
//! `tests/cli/` runs one suite against both.
//!
//! The argument parser is hand-written rather than clap: the npm CLI's
//! messages ("--min-score must be an integer from 0 to 100, not ...",
//! "unknown option --x (try --help)"), its help text and its rules (a value
//! starting with `--` is a missing value, `-` is stdin) must come out byte
//! for byte, which clap's own messages and help layout would not.
//!
//! Exit status: 0 when the scan ran (whatever it found), 2 for a usage
//! error, an unreadable input or config file, or an invalid config; 1 for
//! anything unexpected. Errors are one line on stderr.

mod inputs;
mod js_json;
mod read;

use js_json::Value;
use mshta_chain_core::{format_report, Config, Engine, FormatOptions, OutputFormat, TextOptions};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

const PROGRAM: &str = "mshta-chain";
const USAGE: &str = include_str!("usage.txt");

/// The outcome of a command that did not succeed.
enum Failure {
    /// An error the user can fix: one line on stderr, exit status 2.
    Usage(String),
    /// Anything else: exit status 1.
    Other(String),
}

use Failure::Usage;

/// A message on one line, whatever it carried.
fn one_line(message: &str) -> String {
    message.split(['\r', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

#[derive(Debug)]
struct Opts {
    format: OutputFormat,
    min_score: Option<u32>,
    below: u32,
    config: Option<String>,
    files: Vec<String>,
    help: bool,
}

/// `^\d{1,3}$` then a range check, as the npm CLI does.
fn small_int(value: &str, lo: u32, hi: u32) -> Option<u32> {
    if value.is_empty() || value.len() > 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|n| (lo..=hi).contains(n))
}

/// Parses the arguments of a command; `allowed` lists its options.
fn parse_args(args: &[String], allowed: &[&str]) -> Result<Opts, Failure> {
    let mut opts =
        Opts { format: OutputFormat::Json, min_score: None, below: 50, config: None, files: vec![], help: false };
    let mut only_files = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if only_files || arg == "-" || !arg.starts_with('-') {
            opts.files.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_files = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            opts.help = true;
            continue;
        }
        let eq = arg.find('=').filter(|&e| e > 0 && arg.starts_with("--"));
        let name = eq.map_or(arg.as_str(), |e| &arg[..e]);
        if !allowed.contains(&name) {
            return Err(Usage(format!("unknown option {name} (try --help)")));
        }
        let value = match eq {
            Some(e) => arg[e + 1..].to_string(),
            None => match args.get(i) {
                Some(v) if !(v.starts_with("--") && v.len() > 2) => {
                    i += 1;
                    v.clone()
                }
                _ => return Err(Usage(format!("{name} needs a value"))),
            },
        };
        if value.is_empty() {
            return Err(Usage(format!("{name} needs a value")));
        }
        match name {
            "--format" => {
                opts.format = value.parse().map_err(|e: mshta_chain_core::UnknownFormat| Usage(e.to_string()))?
            }
            "--min-score" => {
                opts.min_score =
                    Some(small_int(&value, 0, 100).ok_or_else(|| {
                        Usage(format!("--min-score must be an integer from 0 to 100, not \"{value}\""))
                    })?)
            }
            "--below" => {
                opts.below = small_int(&value, 1, 100)
                    .ok_or_else(|| Usage(format!("--below must be an integer from 1 to 100, not \"{value}\"")))?
            }
            "--config" => opts.config = Some(value),
            _ => return Err(Usage(format!("unknown option {name} (try --help)"))),
        }
    }
    Ok(opts)
}

/// Reads a --config file: it must hold a JSON object (members in order).
fn read_config(path: &str) -> Result<Vec<(String, Value)>, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Usage(format!("cannot read config {path}: {}", inputs::fs_reason(&e))))?;
    let text = String::from_utf8_lossy(&bytes);
    // The npm CLI shows JavaScript's JSON.parse message here; serde_json's
    // words differ (the one message that is not the same: see tests/cli/).
    match js_json::parse(&text) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(Usage(format!("invalid config {path}: expected a JSON object"))),
        Err(e) => Err(Usage(format!("invalid config {path}: {}", one_line(&e.to_string())))),
    }
}

/// The detector for `options` (checked by the core, which names a bad key).
fn engine(options: &[(String, Value)], config_path: Option<&str>) -> Result<Engine, Failure> {
    let json = js_json::compact(&Value::Object(options.to_vec()));
    let made = Config::from_json(&json).and_then(Engine::new);
    made.map_err(|e| {
        let message = one_line(&e.to_string());
        let reason = ["invalid config: ", "invalid options: "]
            .iter()
            .find_map(|p| message.strip_prefix(p))
            .map(|r| r.strip_prefix("Error: ").unwrap_or(r))
            .unwrap_or(&message)
            .to_string();
        let place = config_path.map_or("options".to_string(), |p| format!("config {p}"));
        Usage(format!("invalid {place}: {reason}"))
    })
}

fn note(message: &str) {
    eprintln!("{PROGRAM}: {message}");
}

fn scan(args: &[String]) -> Result<String, Failure> {
    let opts = parse_args(args, &["--format", "--min-score", "--config"])?;
    if opts.help {
        return Ok(USAGE.to_string());
    }
    let mut options = match &opts.config {
        Some(path) => read_config(path)?,
        None => Vec::new(),
    };
    if let Some(n) = opts.min_score {
        Value::set(&mut options, "min_score", Value::Number(f64::from(n)));
    }
    let mut engine = engine(&options, opts.config.as_deref())?;
    let scanned = read::scan_inputs(&mut engine, &opts.files)?;
    let report = engine.finish();
    if opts.format == OutputFormat::Json {
        // The report object with the raw-log errors added as the npm CLI
        // adds them (with their file, chunk, ... fields), JSON.stringify'd.
        let mut value = js_json::from_serialize(&report);
        scanned.add_to_json(&mut value);
        return Ok(js_json::pretty(&value) + "\n");
    }
    let mut report = report;
    scanned.add_to_report(&mut report);
    let color =
        opts.format == OutputFormat::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let options = FormatOptions { product_version: None, text: TextOptions { color, ..TextOptions::default() } };
    Ok(format_report(&report, opts.format, &options))
}

fn baseline(args: &[String]) -> Result<String, Failure> {
    let opts = parse_args(args, &["--below", "--config"])?;
    if opts.help {
        return Ok(USAGE.to_string());
    }
    let config = match &opts.config {
        Some(path) => read_config(path)?,
        None => Vec::new(),
    };
    // min_score 0 so that no chain is left unscored.
    let mut options = config.clone();
    Value::set(&mut options, "min_score", Value::Number(0.0));
    let mut engine = engine(&options, opts.config.as_deref())?;
    let scanned = read::scan_inputs(&mut engine, &opts.files)?;
    engine.finish();
    if scanned.raw_error_count() > 0 {
        note(&format!("note: {} read error(s) in raw logs (run scan to see them)", scanned.raw_error_count()));
    }
    let result = engine.baseline(i64::from(opts.below));
    if result.unknown > 0 {
        note(&format!(
            "note: {} inventory group(s) left out: none of their chains is in the report, so their score is unknown",
            result.unknown
        ));
    }
    let mut out: Vec<(String, Value)> = config.into_iter().filter(|(k, _)| k != "baseline").collect();
    out.push(("baseline".to_string(), js_json::from_serialize(&result.entries)));
    Ok(js_json::pretty(&Value::Object(out)) + "\n")
}

fn run(argv: &[String]) -> Result<String, Failure> {
    let Some(command) = argv.first() else {
        return Err(Usage("missing command (try --help)".into()));
    };
    let rest = &argv[1..];
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(USAGE.to_string()),
        "--version" | "-V" => Ok(format!("{}\n", env!("CARGO_PKG_VERSION"))),
        "scan" => scan(rest),
        "baseline" => baseline(rest),
        c if c.starts_with('-') => Err(Usage(format!("unknown option {c} (try --help)"))),
        c => Err(Usage(format!("unknown command \"{c}\" (try --help)"))),
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match run(&argv) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                // A reader that quits early (`| head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    note(&format!("cannot write output: {}", one_line(&e.to_string())));
                    ExitCode::from(1)
                }
            }
        }
        Err(Usage(message)) => {
            note(&one_line(&message));
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            note(&one_line(&message));
            ExitCode::from(1)
        }
    }
}
