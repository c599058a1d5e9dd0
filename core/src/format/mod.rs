//! Output formats of a report, one implementation for every host (the npm
//! package and its CLI through the bindings, a native CLI, a server): the
//! report as JSON, one chain a line (NDJSON), the readable text report, and
//! per chain an OCSF 1.8.0 Detection Finding or an ECS alert document.
//!
//! Pure functions of the report: no clock (every time is event time), no
//! IO. The output is the exact text the JS CLI printed before the formats
//! moved here (tests/golden/formats/ holds it). Documents leave out fields
//! without a value rather than writing `null`.

mod ecs;
mod json;
mod ocsf;
mod text;

use crate::coverage::CoverageReport;
use crate::report::{Chain, Report, Severity, Update, VersionedChain};
use std::fmt;
use std::str::FromStr;

/// The OCSF schema version of the findings.
pub const OCSF_VERSION: &str = "1.8.0";

/// The ECS version the alert documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// This crate's version: the product version written into the documents
/// unless the `product_version` of [`FormatOptions`] says otherwise.
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Product, vendor, ruleset and observer name in the documents.
const PRODUCT: &str = "mshta-chain";

/// An ATT&CK object a document names.
struct Attack {
    id: &'static str,
    name: &'static str,
    reference: &'static str,
}

const TECHNIQUE: Attack =
    Attack { id: "T1218.005", name: "Mshta", reference: "https://attack.mitre.org/techniques/T1218/005/" };
const PARENT_TECHNIQUE: Attack = Attack {
    id: "T1218",
    name: "System Binary Proxy Execution",
    reference: "https://attack.mitre.org/techniques/T1218/",
};
const TACTIC: Attack =
    Attack { id: "TA0005", name: "Defense Evasion", reference: "https://attack.mitre.org/tactics/TA0005/" };

/// The detection analytic (MITRE AN1397) every chain is a finding of.
const ANALYTIC_ID: &str = "AN1397";
const ANALYTIC_NAME: &str = "mshta.exe execution chain (T1218.005)";

/// The rank of a severity, from 0 (`informational`) to 4 (`critical`).
pub fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Informational => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The OCSF `severity_id` (also ECS `event.severity`) of a severity: 1
/// (informational) to 5 (critical). OCSF's 0 (Unknown) is for a severity
/// that is none of these, which a chain cannot have.
pub fn ocsf_severity_id(severity: Severity) -> u8 {
    severity_rank(severity) + 1
}

/// One of the formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// The whole report as one pretty-printed JSON document.
    Json,
    /// One JSON line per chain.
    Ndjson,
    /// The readable text report.
    Text,
    /// A pretty-printed JSON array of OCSF Detection Findings, one per chain.
    Ocsf,
    /// A pretty-printed JSON array of ECS alert documents, one per chain.
    Ecs,
    /// One OCSF Detection Finding a line.
    OcsfNdjson,
    /// One ECS alert document a line.
    EcsNdjson,
}

impl OutputFormat {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Json,
        OutputFormat::Ndjson,
        OutputFormat::Text,
        OutputFormat::Ocsf,
        OutputFormat::Ecs,
        OutputFormat::OcsfNdjson,
        OutputFormat::EcsNdjson,
    ];

    /// The CLI's name of the format (`json`, `ocsf-ndjson`, ...).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Text => "text",
            OutputFormat::Ocsf => "ocsf",
            OutputFormat::Ecs => "ecs",
            OutputFormat::OcsfNdjson => "ocsf-ndjson",
            OutputFormat::EcsNdjson => "ecs-ndjson",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of [`OutputFormat::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = OutputFormat::ALL.iter().map(|x| x.name()).collect();
        write!(f, "unknown format \"{}\" (expected {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for OutputFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutputFormat::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Options of the text report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours (severity tags, headings, gaps).
    pub color: bool,
    /// Items shown per list (processes, network, DNS, files, modules,
    /// reasons, triage, errors, hosts) before "... and N more".
    pub max_items: usize,
    /// Characters of a parent's or descendant's command line before it is cut.
    pub max_command_line: usize,
    /// Characters of the root's command line (and of a triage line) before
    /// it is cut.
    pub max_root_command_line: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { color: false, max_items: 20, max_command_line: 160, max_root_command_line: 2000 }
    }
}

/// Options of [`format_report`] and [`format_update`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// The product version written into OCSF (`metadata.product.version`)
    /// and ECS (`rule.version`, `observer.version`) documents; `None` for
    /// [`PRODUCT_VERSION`].
    pub product_version: Option<String>,
    /// Options of the text report.
    pub text: TextOptions,
}

impl FormatOptions {
    fn product_version(&self) -> &str {
        self.product_version.as_deref().unwrap_or(PRODUCT_VERSION)
    }
}

/// A report written in one format, with its trailing newline: JSON and the
/// JSON arrays end in one, NDJSON has one after every line (and is empty
/// without chains), and so has every line of the text report.
pub fn format_report(report: &Report, format: OutputFormat, options: &FormatOptions) -> String {
    match format {
        OutputFormat::Json => json::pretty(report) + "\n",
        OutputFormat::Text => text::report(report, &options.text),
        _ => chains(report.chains.iter().map(|chain| Versioned { chain, version: None }), format, options),
    }
}

/// What one [`crate::Engine::push`] changed, written in one format: JSON is
/// the update; text shows the batch's counts and the chains it changed;
/// the other formats are those of [`format_chains`] over its chains with
/// their versions.
pub fn format_update(update: &Update, format: OutputFormat, options: &FormatOptions) -> String {
    match format {
        OutputFormat::Json => json::pretty(update) + "\n",
        OutputFormat::Text => text::update(update, &options.text),
        _ => chains(
            update.chains.iter().map(|v| Versioned { chain: &v.chain, version: Some(v.version) }),
            format,
            options,
        ),
    }
}

/// Chains, each with its version when it comes from an update, written in
/// one format: OCSF findings or ECS alerts (a JSON array, or one a line);
/// NDJSON, one chain a line (its version first when it has one); JSON, an
/// array of those; text, the chain blocks of the text report. A finding of
/// a chain whose version is above 1 is an update (OCSF `activity_id` 2),
/// and every document carries the version it is given.
pub fn format_chains(chains: &[(&Chain, Option<u32>)], format: OutputFormat, options: &FormatOptions) -> String {
    self::chains(chains.iter().map(|&(chain, version)| Versioned { chain, version }), format, options)
}

/// Any serialisable value as JSON text the way JavaScript's
/// `JSON.stringify(value)` writes it, or `JSON.stringify(value, null, 2)`
/// when `pretty`: members in serialisation order, numbers as JavaScript
/// writes them (`1`, not `1.0`). Every JSON output of this crate is
/// written by it, so a host program that adds to a report (a CLI's
/// read errors) prints the same bytes as the npm package.
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    if pretty {
        json::pretty(value)
    } else {
        json::compact(value)
    }
}

/// A report, a Detector update or any JSON object with `chains` (a saved
/// report, hand-made chains), read from JSON bytes and written in one
/// format: a report as [`format_report`], an update as [`format_update`],
/// anything else as [`format_chains`] of its chains (each with its
/// `version` if it has one); `null` has no chains.
pub fn format_json(input: &[u8], format: OutputFormat, options: &FormatOptions) -> Result<String, InvalidInput> {
    use serde::de::IgnoredAny;
    /// What the input is: its chains' versions, and the fields that tell a
    /// report (`stats`) from an update (`events`...). Everything else is
    /// skipped, so a chain is only ever read as a [`Chain`].
    #[derive(serde::Deserialize)]
    struct Shape {
        stats: Option<IgnoredAny>,
        events: Option<u64>,
        accepted: Option<u64>,
        rejected: Option<u64>,
        retracted: Option<Vec<String>>,
        #[serde(default)]
        chains: Vec<ChainVersion>,
    }
    #[derive(serde::Deserialize)]
    struct ChainVersion {
        version: Option<u32>,
    }
    #[derive(serde::Deserialize)]
    struct Chains {
        #[serde(default)]
        chains: Vec<Chain>,
    }
    let invalid = |e: serde_json::Error| InvalidInput(e.to_string());
    // Read as text, as the snapshot reads chains: one compiled reader per type.
    let input = std::str::from_utf8(input).map_err(|e| InvalidInput(e.to_string()))?;
    let Some(shape) = serde_json::from_str::<Option<Shape>>(input).map_err(invalid)? else {
        return Ok(format_chains(&[], format, options));
    };
    if shape.stats.is_some() {
        let report: Report = serde_json::from_str(input).map_err(invalid)?;
        return Ok(format_report(&report, format, options));
    }
    let chains = serde_json::from_str::<Chains>(input).map_err(invalid)?.chains;
    let versions = shape.chains.iter().map(|c| c.version);
    match (shape.events, shape.accepted, shape.rejected) {
        (Some(events), Some(accepted), Some(rejected)) => {
            let chains = chains
                .into_iter()
                .zip(versions)
                .map(|(chain, version)| VersionedChain { version: version.unwrap_or(1), chain })
                .collect();
            let retracted = shape.retracted.unwrap_or_default();
            let update = Update { events, accepted, rejected, chains, retracted };
            Ok(format_update(&update, format, options))
        }
        _ => {
            let chains: Vec<(&Chain, Option<u32>)> = chains.iter().zip(versions).collect();
            Ok(format_chains(&chains, format, options))
        }
    }
}

/// Why [`format_json`] could not read its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput(pub String);

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid report: {}", self.0)
    }
}

impl std::error::Error for InvalidInput {}

/// A chain and, when it comes from an update, its version. Serialised as
/// the chain with `version` first, as an update's chains are.
#[derive(Clone, Copy, serde::Serialize)]
struct Versioned<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(flatten)]
    chain: &'a Chain,
}

fn chains<'a>(chains: impl Iterator<Item = Versioned<'a>>, format: OutputFormat, options: &FormatOptions) -> String {
    let chains: Vec<Versioned<'a>> = chains.collect();
    let product_version = options.product_version();
    match format {
        OutputFormat::Json => json::pretty(&chains) + "\n",
        OutputFormat::Ndjson => json::lines(&chains),
        OutputFormat::Text => text::chains(&chains, &options.text),
        OutputFormat::Ocsf => json::pretty(&ocsf::findings(&chains, product_version)) + "\n",
        OutputFormat::OcsfNdjson => json::lines(&ocsf::findings(&chains, product_version)),
        OutputFormat::Ecs => json::pretty(&ecs::alerts(&chains, product_version)) + "\n",
        OutputFormat::EcsNdjson => json::lines(&ecs::alerts(&chains, product_version)),
    }
}

// ---------------------------------------------------------------------------
// What the OCSF and ECS documents share.

/// The file name of a Windows or POSIX path; `None` for an empty path. A
/// path ending in a separator is kept whole.
fn base_name(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    match path.rfind(['\\', '/']) {
        Some(cut) if cut + 1 < path.len() => Some(&path[cut + 1..]),
        _ => Some(path),
    }
}

/// The file name of a Windows or POSIX path, as the text report names
/// images (`C:\Windows\System32\mshta.exe` gives `mshta.exe`); `?` for
/// none or an empty one.
pub fn image_name(path: Option<&str>) -> &str {
    path.and_then(base_name).unwrap_or("?")
}

/// The triage checklist the text report prints for a chain: what to
/// examine next, computed from the chain's own evidence (as the engine
/// fills [`Chain::triage`], so an edited or older chain gets its own), then
/// what the telemetry of its host cannot show, when the report's coverage
/// is given ("no DNS telemetry from this host: ask for Sysmon 22"). Raw
/// values, not escaped.
pub fn triage(chain: &Chain, coverage: Option<&CoverageReport>) -> Vec<String> {
    let mut items = crate::triage::checklist(chain);
    for gap in coverage.map(|c| text::gaps(chain, c)).unwrap_or_default() {
        if !items.contains(&gap) {
            items.push(gap);
        }
    }
    items
}

/// [`triage`] of a chain read from JSON bytes: `{"chain": <chain>,
/// "coverage": <a report's coverage> | null}` (what the bindings pass in).
/// Read here rather than in the bindings so that the chain's JSON reader is
/// compiled once, shared with [`format_json`].
pub fn triage_json(input: &[u8]) -> Result<Vec<String>, InvalidInput> {
    #[derive(serde::Deserialize)]
    struct Input {
        chain: Chain,
        coverage: Option<CoverageReport>,
    }
    let input = std::str::from_utf8(input).map_err(|e| InvalidInput(e.to_string()))?;
    let input: Input = serde_json::from_str(input).map_err(|e| InvalidInput(e.to_string()))?;
    Ok(triage(&input.chain, input.coverage.as_ref()))
}

/// `None` for an empty text: documents leave such fields out.
fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.is_empty())
}

/// [`non_empty`] of an optional text.
fn present(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

/// Whether the report knows anything of a process (a parent, the actor of
/// an activity): the ECS and OCSF writers leave it out otherwise.
fn process_known(pid: Option<u32>, texts: [Option<&str>; 3]) -> bool {
    pid.is_some() || texts.into_iter().any(|v| present(v).is_some())
}

/// Epoch milliseconds of a report time.
fn millis(time: &str) -> Option<i64> {
    crate::time::parse_timestamp(time)
}

/// `DOMAIN\user` split at the first backslash; a name without a domain (or
/// starting with a backslash) stays whole.
struct User<'a> {
    domain: Option<&'a str>,
    name: &'a str,
}

fn split_user(user: Option<&str>) -> Option<User<'_>> {
    let user = present(user)?;
    Some(match user.find('\\') {
        Some(cut) if cut > 0 => User { domain: Some(&user[..cut]), name: &user[cut + 1..] },
        _ => User { domain: None, name: user },
    })
}

/// The earliest and latest time the chain's evidence carries.
fn time_span(chain: &Chain) -> Option<(i64, i64)> {
    let root = [Some(chain.root.time.as_str()), chain.root.end_time.as_deref()];
    let times = root
        .into_iter()
        .flatten()
        .chain(chain.children.iter().map(|c| c.time.as_str()))
        .chain(chain.files.iter().map(|f| f.time.as_str()))
        .chain(chain.network.iter().map(|n| n.time.as_str()))
        .chain(chain.dns.iter().map(|d| d.time.as_str()))
        .chain(chain.modules.iter().map(|m| m.time.as_str()))
        .filter_map(millis);
    times.fold(None, |span, t| Some(span.map_or((t, t), |(lo, hi): (i64, i64)| (lo.min(t), hi.max(t)))))
}

/// `parent > mshta > children`: the root between its parent and the
/// distinct images of its direct children.
fn summary(chain: &Chain) -> String {
    let root = &chain.root;
    let mut out = String::new();
    if let Some(parent) = root.parent.as_ref().and_then(|p| present(p.image.as_deref())) {
        out.push_str(base_name(parent).unwrap_or_default());
        out.push_str(" > ");
    }
    out.push_str(base_name(&root.image).unwrap_or("mshta.exe"));
    let mut kids: Vec<&str> = Vec::new();
    for child in chain.children.iter().filter(|c| c.depth == 1) {
        let name = base_name(&child.image).unwrap_or_default();
        if !kids.contains(&name) {
            kids.push(name);
        }
    }
    if !kids.is_empty() {
        out.push_str(" > ");
        out.push_str(&kids.join(", "));
    }
    out
}

/// The one-line title of a chain's finding.
fn title(chain: &Chain) -> String {
    format!("mshta.exe execution chain on {}: {} ({} {})", chain.host, summary(chain), chain.severity, chain.score)
}

/// The root's command line as the documents show it.
fn command_line(chain: &Chain) -> &str {
    chain.root.command_line.as_deref().unwrap_or("(command line unknown)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_unknown_names_list_the_known() {
        for f in OutputFormat::ALL {
            assert_eq!(f.name().parse::<OutputFormat>(), Ok(f));
            assert_eq!(f.to_string(), f.name());
        }
        let err = "xml".parse::<OutputFormat>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format \"xml\" (expected json, ndjson, text, ocsf, ecs, ocsf-ndjson, ecs-ndjson)"
        );
    }

    #[test]
    fn severity_ids_follow_the_score_bands() {
        // Every band the scorer gives is ranked, in score order.
        let ids: Vec<u8> = [0, 30, 60, 80, 95].iter().map(|&s| ocsf_severity_id(Severity::of_score(s))).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        assert_eq!(severity_rank(Severity::Critical), 4);
    }

    #[test]
    fn base_names_and_users() {
        assert_eq!(base_name("C:\\Windows\\System32\\mshta.exe"), Some("mshta.exe"));
        assert_eq!(base_name("/usr/bin/node"), Some("node"));
        assert_eq!(base_name("C:\\dir\\"), Some("C:\\dir\\"));
        assert_eq!(base_name(""), None);
        let u = split_user(Some("CORP\\alice")).unwrap();
        assert_eq!((u.domain, u.name), (Some("CORP"), "alice"));
        let u = split_user(Some("\\alice")).unwrap();
        assert_eq!((u.domain, u.name), (None, "\\alice"));
        assert!(split_user(Some("")).is_none());
    }

    #[test]
    fn default_options_are_the_js_defaults() {
        let o = FormatOptions::default();
        assert_eq!(o.product_version(), PRODUCT_VERSION);
        assert_eq!((o.text.max_items, o.text.max_command_line, o.text.max_root_command_line), (20, 160, 2000));
        assert!(!o.text.color);
    }
}
