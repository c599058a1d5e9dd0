//! Reading the inputs into the detector, in the order given, as one stream
//! of events, never a whole file at once:
//!
//! - JSON (Lines, objects one after another) is read in fixed-size batches;
//!   the detector cuts each into items on the main thread (`Engine::split`,
//!   cheap), the items are decoded on the rayon pool (`Items::decode`, most
//!   of the work), and pushed back in order (`Engine::push_decoded`), which
//!   stores them exactly as `Engine::push` would. A JSON array, which must
//!   reach the detector in one push, is read whole, as the npm CLI does.
//! - Raw logs (.evtx, Windows Event XML) are decoded into JSON records on
//!   the rayon pool, up to one file per core ahead of the one being
//!   correlated, each through a bounded channel (a few batches), while the
//!   main thread pushes the records into the detector strictly in input
//!   order. The report therefore never depends on scheduling.
//!
//! Raw-log read errors are kept with their file and the number of items the
//! detector had before the file, and added to the report exactly as the npm
//! CLI's `addRawErrors` adds them (`pkg/src/files.js`).

use crate::inputs::{self, HEAD_BYTES};
use crate::js_json::Value;
use crate::Failure::{self, Usage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mshta_chain_core::{DecodedItems, Engine, ItemError, Report};
use mshta_chain_evtx::{sniff, Batch, Format, RawReader, ReadError};
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::sync::mpsc::{sync_channel, Receiver};

/// JSON is pushed in batches of about this size. For speed and memory only:
/// any cut gives the same report (the detector carries an unfinished line).
const BATCH_BYTES: usize = 1 << 20;
/// Raw logs are read in EVTX chunk-sized pieces: one chunk held at a time.
const RAW_PIECE: usize = 64 * 1024;
/// Decoded records are handed over once a batch holds this many bytes.
const RAW_HANDOVER: usize = 256 * 1024;
/// Batches a decoder may hold before it waits for the detector.
const RAW_QUEUE: usize = 4;
/// JSON batches decoding on the pool beyond the one being pushed.
const DECODE_AHEAD: usize = 2;

/// A raw-log read error with where it falls.
struct RawError {
    file: String,
    items_before: u64,
    error: ReadError,
}

/// What reading the inputs left for the report.
pub struct Scanned {
    raw: Vec<RawError>,
}

/// A count as JavaScript gets it from the reader's bindings: a number, or
/// its decimal string beyond 2^53 - 1.
fn js_count(n: u64) -> Value {
    if n < (1 << 53) {
        Value::Number(n as f64)
    } else {
        Value::String(n.to_string())
    }
}

impl Scanned {
    /// How many raw-log read errors there were.
    pub fn raw_error_count(&self) -> usize {
        self.raw.len()
    }

    fn warning(&self) -> String {
        format!("{} part(s) of raw logs (.evtx, XML) could not be read: see errors", self.raw.len())
    }

    /// Adds the errors to a typed report (for the formats other than JSON,
    /// which show `index` and `reason`).
    pub fn add_to_report(&self, report: &mut Report) {
        if self.raw.is_empty() {
            return;
        }
        for e in &self.raw {
            report.errors.push(ItemError {
                index: e.items_before + e.error.records_before,
                reason: format!("{}: {}", e.file, e.error),
                file: Some(e.file.clone()),
            });
        }
        report.errors.sort_by_key(|e| e.index);
        report.warnings.push(self.warning());
    }

    /// Adds the errors to the report as a JSON value, with the fields the
    /// npm CLI gives them, in its order.
    pub fn add_to_json(&self, report: &mut Value) {
        if self.raw.is_empty() {
            return;
        }
        let Value::Object(members) = report else { return };
        let opt = |v: Option<u64>| v.map_or(Value::Null, js_count);
        for (key, value) in members.iter_mut() {
            match (key.as_str(), value) {
                ("errors", Value::Array(errors)) => {
                    for e in &self.raw {
                        errors.push(Value::Object(vec![
                            ("index".into(), Value::Number((e.items_before + e.error.records_before) as f64)),
                            ("reason".into(), Value::String(format!("{}: {}", e.file, e.error))),
                            ("file".into(), Value::String(e.file.clone())),
                            ("kind".into(), Value::String(e.error.kind.as_str().into())),
                            ("chunk".into(), opt(e.error.chunk)),
                            ("record_id".into(), opt(e.error.record_id)),
                            ("offset".into(), opt(e.error.offset)),
                            ("line".into(), opt(e.error.line)),
                        ]));
                    }
                    let index = |v: &Value| match v {
                        Value::Object(m) => m
                            .iter()
                            .find(|(k, _)| k == "index")
                            .and_then(|(_, v)| if let Value::Number(n) = v { Some(*n) } else { None })
                            .unwrap_or(0.0),
                        _ => 0.0,
                    };
                    errors.sort_by(|a, b| index(a).total_cmp(&index(b)));
                }
                ("warnings", Value::Array(warnings)) => warnings.push(Value::String(self.warning())),
                _ => {}
            }
        }
    }
}

/// What one input holds.
enum Job {
    Stdin,
    Json(String),
    Raw(String),
}

/// The detector, counting items as the npm CLI counts them, and progress.
struct Feed<'a> {
    engine: &'a mut Engine,
    items: u64,
    bar: ProgressBar,
    /// JSON batches being decoded on the pool, oldest first: pushed into
    /// the detector in this order, so the report never depends on which
    /// decode finishes first.
    decoding: VecDeque<Receiver<DecodedItems>>,
    /// A batch that never reached the detector (its decode was lost): the
    /// scan fails with this rather than report without its items.
    lost: Option<String>,
}

impl Feed<'_> {
    /// Pushes `bytes` on this thread (after every batch still decoding).
    fn push(&mut self, bytes: &[u8]) {
        self.drain();
        let update = self.engine.push(bytes);
        self.count(update.events);
    }

    /// Pushes JSON `bytes`, decoded on the pool: the detector cuts them
    /// into items here (cheap, in order), they are decoded on the pool, and
    /// pushed in order once decoded. The same as `push`, on every core.
    fn push_decoding(&mut self, bytes: &[u8]) {
        let items = self.engine.split(bytes);
        let (tx, rx) = sync_channel(1);
        rayon::spawn(move || {
            let _ = tx.send(items.decode());
        });
        self.decoding.push_back(rx);
        // Enough batches in flight to keep every core busy, and no more
        // (memory stays a few batches).
        while self.decoding.len() > DECODE_AHEAD {
            self.push_oldest();
        }
    }

    /// Pushes the oldest batch still decoding, waiting for it.
    fn push_oldest(&mut self) {
        let Some(rx) = self.decoding.pop_front() else { return };
        // A decode does not panic (the core never does on input), so it
        // always sends; were it lost, the scan fails instead of reporting
        // without its items.
        match rx.recv().map(|decoded| self.engine.push_decoded(decoded)) {
            Ok(Ok(update)) => self.count(update.events),
            Ok(Err(e)) => self.lost = Some(format!("internal: {e}")),
            Err(_) => self.lost = Some("internal: a batch of JSON was lost while decoding".into()),
        }
    }

    /// Pushes every batch still decoding.
    fn drain(&mut self) {
        while !self.decoding.is_empty() {
            self.push_oldest();
        }
    }

    /// Names the file the next items come from (after every batch still
    /// decoding, which came from the one before).
    fn set_source(&mut self, file: &str) {
        self.drain();
        self.engine.set_source(Some(file));
    }

    fn count(&mut self, events: u64) {
        self.items += events;
        self.bar.set_message(format!("{} events", self.items));
    }
}

/// Reads every input into `engine`, in order.
pub fn scan_inputs(engine: &mut Engine, files: &[String]) -> Result<Scanned, Failure> {
    let default = ["-".to_string()];
    let paths = inputs::expand(if files.is_empty() { &default } else { files }).map_err(Usage)?;
    // Tell each file's format now (the npm CLI does it as it reaches the
    // file: for a file that cannot be read the outcome is the same, one
    // message and status 2, nothing on stdout).
    let mut jobs = Vec::with_capacity(paths.len());
    let mut total = 0u64;
    for path in paths {
        if path == "-" {
            jobs.push(Job::Stdin);
            continue;
        }
        let head =
            inputs::file_head(&path).map_err(|e| Usage(format!("cannot read {path}: {}", inputs::fs_reason(&e))))?;
        total += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        jobs.push(match sniff(&head) {
            Format::Evtx | Format::Xml => Job::Raw(path),
            _ => Job::Json(path),
        });
    }
    let bar = if io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut feed = Feed { engine, items: 0, bar, decoding: VecDeque::new(), lost: None };
    let mut raw = Vec::new();
    let ahead = rayon::current_num_threads().max(1);
    let mut decoders: HashMap<usize, Receiver<Piece>> = HashMap::new();
    let mut next_spawn = 0;
    let count = jobs.len();
    for i in 0..count {
        // Keep up to `ahead` raw logs decoding, this one included.
        while next_spawn < count && (next_spawn <= i || decoders.len() < ahead) {
            if let Job::Raw(path) = &jobs[next_spawn] {
                decoders.insert(next_spawn, spawn_decoder(path.clone()));
            }
            next_spawn += 1;
        }
        feed.bar.set_prefix(format!("file {}/{count}", i + 1));
        // Evidence and errors name the file their items came from.
        feed.set_source(match &jobs[i] {
            Job::Stdin => "-",
            Job::Json(path) | Job::Raw(path) => path,
        });
        match &jobs[i] {
            Job::Stdin => read_stdin(&mut feed, &mut raw)?,
            Job::Json(path) => {
                let file =
                    File::open(path).map_err(|e| Usage(format!("cannot read {path}: {}", inputs::fs_reason(&e))))?;
                feed_json(&mut feed, file, &format!("cannot read {path}"))?;
            }
            Job::Raw(path) => {
                feed.drain();
                let items_before = feed.items;
                let rx = decoders.remove(&i).ok_or_else(|| Failure::Other("internal: no decoder".into()))?;
                for piece in rx {
                    match piece {
                        Piece::Batch(batch) => {
                            feed.bar.inc(batch.bytes);
                            if batch.records > 0 {
                                feed.push(&batch.lines);
                            }
                            raw.extend(batch.errors.into_iter().map(|error| RawError {
                                file: path.clone(),
                                items_before,
                                error,
                            }));
                        }
                        Piece::Failed(message) => return Err(Failure::Other(message)),
                    }
                }
            }
        }
    }
    feed.drain();
    feed.bar.finish_and_clear();
    if let Some(message) = feed.lost {
        return Err(Failure::Other(message));
    }
    Ok(Scanned { raw })
}

/// Decoded records of a raw log, and the bytes of the file they took.
struct Decoded {
    lines: Vec<u8>,
    records: u64,
    errors: Vec<ReadError>,
    bytes: u64,
}

enum Piece {
    Batch(Decoded),
    Failed(String),
}

/// Decodes one raw log on the rayon pool; the records come through the
/// returned channel in file order.
fn spawn_decoder(path: String) -> Receiver<Piece> {
    let (tx, rx) = sync_channel(RAW_QUEUE);
    rayon::spawn(move || {
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                let _ = tx.send(Piece::Failed(format!("cannot read {path}: {}", inputs::fs_reason(&e))));
                return;
            }
        };
        let mut reader = RawReader::new();
        let mut batch = Batch::new();
        let mut buffer = vec![0u8; RAW_PIECE];
        let mut bytes = 0u64;
        let hand_over = |batch: &mut Batch, bytes: &mut u64| {
            let piece = Decoded {
                lines: std::mem::take(&mut batch.lines),
                records: batch.records,
                errors: std::mem::take(&mut batch.errors),
                bytes: std::mem::take(bytes),
            };
            batch.clear();
            tx.send(Piece::Batch(piece)).is_ok()
        };
        loop {
            let n = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = tx.send(Piece::Failed(format!("cannot read {path}: {}", inputs::fs_reason(&e))));
                    return;
                }
            };
            bytes += n as u64;
            reader.push(&buffer[..n], &mut batch);
            if batch.lines.len() >= RAW_HANDOVER && !hand_over(&mut batch, &mut bytes) {
                return; // the scan stopped
            }
        }
        reader.finish(&mut batch);
        hand_over(&mut batch, &mut bytes);
    });
    rx
}

/// Whether the input starting with `bytes` is a JSON array (after a BOM and
/// white space).
fn starts_array(bytes: &[u8]) -> bool {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    rest.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) == Some(&b'[')
}

/// Feeds one JSON input to the detector in batches (a JSON array in one
/// push), ending it with a line break so that its last line never runs into
/// the next input's first. `head` is bytes already read from it.
fn feed_json_from(feed: &mut Feed, head: Vec<u8>, mut input: impl Read, what: &str) -> Result<(), Failure> {
    let mut pending = head;
    let mut array: Option<bool> = None;
    let mut last = b'\n';
    let mut buffer = vec![0u8; BATCH_BYTES];
    let mut first = true;
    loop {
        let n = if first && !pending.is_empty() {
            first = false;
            0
        } else {
            first = false;
            match input.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    pending.extend_from_slice(&buffer[..n]);
                    n
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Usage(format!("{what}: {}", inputs::fs_reason(&e)))),
            }
        };
        feed.bar.inc(n as u64);
        if let Some(&b) = pending.last() {
            last = b;
        }
        if array.is_none() && pending.iter().any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0xEF | 0xBB | 0xBF)) {
            array = Some(starts_array(&pending));
        }
        if array == Some(false) && pending.len() >= BATCH_BYTES {
            feed.push_decoding(&pending);
            pending.clear();
        }
    }
    if !pending.is_empty() {
        // A JSON array reaches the detector in one push.
        if array == Some(true) {
            feed.push(&pending);
        } else {
            feed.push_decoding(&pending);
        }
    }
    if last != b'\n' {
        feed.push(b"\n");
    }
    Ok(())
}

fn feed_json(feed: &mut Feed, file: File, what: &str) -> Result<(), Failure> {
    feed_json_from(feed, Vec::new(), file, what)
}

/// Standard input: a raw log or JSON, by its first bytes.
fn read_stdin(feed: &mut Feed, raw: &mut Vec<RawError>) -> Result<(), Failure> {
    let mut stdin = io::stdin().lock();
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut buffer = vec![0u8; RAW_PIECE];
    let fail = |e: io::Error| Usage(format!("cannot read stdin: {}", inputs::fs_reason(&e)));
    while head.len() < HEAD_BYTES {
        match stdin.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(e)),
        }
    }
    if !matches!(sniff(&head), Format::Evtx | Format::Xml) {
        return feed_json_from(feed, head, stdin, "cannot read stdin");
    }
    feed.drain();
    let items_before = feed.items;
    let mut reader = RawReader::new();
    let mut batch = Batch::new();
    let mut take = |feed: &mut Feed, batch: &mut Batch| {
        if batch.records > 0 {
            feed.push(&batch.lines);
        }
        raw.extend(batch.errors.drain(..).map(|error| RawError { file: "-".into(), items_before, error }));
        batch.clear();
    };
    reader.push(&head, &mut batch);
    take(feed, &mut batch);
    loop {
        match stdin.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                reader.push(&buffer[..n], &mut batch);
                take(feed, &mut batch);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(e)),
        }
    }
    reader.finish(&mut batch);
    take(feed, &mut batch);
    Ok(())
}
