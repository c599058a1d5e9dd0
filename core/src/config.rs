//! Configuration: the tunables a detection engineer sets, validated so that
//! a misspelt key is an error rather than a silently ignored setting.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Engine settings. Every field has a default; JSON keys are snake_case and
/// unknown keys are rejected.
///
/// ```
/// let config = mshta_chain_core::Config::from_json(r#"{"window_seconds": 300}"#).unwrap();
/// assert_eq!(config.window_seconds, 300);
/// assert!(mshta_chain_core::Config::from_json(r#"{"windw_seconds": 1}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Follow-on activity counts within this many seconds of the root's
    /// start (AN1397's `TimeWindow`); later activity is kept but marked
    /// late. Default 600, the widest window in public rules.
    pub window_seconds: u64,
    /// How late (in event time, behind the newest event of its host) an
    /// event may arrive and still be correlated as if it had come in order.
    /// Default: the window.
    pub lateness_seconds: Option<u64>,
    /// Chains scoring below this are counted but left out of the report.
    pub min_score: i64,
    /// At most this many rejected items are listed in `errors`.
    pub max_errors: usize,
    /// At most this many processes are tracked; the oldest go first.
    pub max_processes: usize,
    /// At most this many follow-on events wait for attribution; the oldest
    /// go first.
    pub max_activity: usize,
    /// At most this many closed chains are kept for the report; the lowest
    /// scoring, then oldest, go first.
    pub max_chains: usize,
    /// A JSON line (or a partial line carried to the next push) longer than
    /// this is rejected.
    pub max_item_bytes: usize,
    /// At most this many members are kept per chain (the first seen, one
    /// of each distinct image, those that ran a file the chain wrote); the
    /// rest are counted in `children_total`.
    pub max_chain_children: usize,
    /// At most this many files, connections, DNS queries and module loads
    /// (each) are kept per chain; the rest are counted in `*_total`.
    pub max_chain_activity: usize,
    /// At most this many inventory groups; later new shapes are counted in
    /// `stats.inventory_overflow`.
    pub max_inventory: usize,
    /// An event more than this far ahead of its host's newest event is a
    /// clock outlier: quarantined (it does not move the host's clock) until
    /// a second event near its time confirms the jump.
    pub max_clock_jump_seconds: u64,
    /// Points per reason id, replacing the defaults (see `docs/reasons.md`).
    pub weights: BTreeMap<String, i64>,
    /// Known-good sources; a match is a visible negative reason.
    pub allow: Allow,
    /// Known-good mshta invocations learned from an inventory
    /// (`mshta-chain baseline`).
    pub baseline: Vec<BaselineEntry>,
}

/// Allowlists (ATT&CK AN1397's tunables). Every match shows as a reason
/// with negative (or zero) points; nothing is dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Allow {
    /// Parent images (full path or file name, any case).
    pub parent_images: Vec<String>,
    /// Regular expressions (regex-lite syntax, matched case-insensitively)
    /// over mshta's command line.
    pub command_lines: Vec<String>,
    /// Folders (path prefixes, any case) from which HTAs are known good.
    pub hta_paths: Vec<String>,
    /// Hosts (exact names, or `*.suffix`).
    pub hosts: Vec<String>,
    /// Internal networks in CIDR notation; connections there count as
    /// internal.
    pub networks: Vec<String>,
    /// Domains (and their subdomains) of known-good HTA servers and
    /// services.
    pub domains: Vec<String>,
}

/// One known-good invocation: a normalised command-line shape and the
/// parent's image file name, as the inventory reports them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Normalised command line (`inventory[].shape`).
    pub shape: String,
    /// Parent image file name, lower case (`inventory[].parent`).
    pub parent: String,
    /// How often it was seen when the baseline was made (informational).
    #[serde(default)]
    pub count: u64,
    /// On how many hosts (informational).
    #[serde(default)]
    pub hosts: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            window_seconds: 600,
            lateness_seconds: None,
            min_score: 0,
            max_errors: 100,
            max_processes: 200_000,
            max_activity: 500_000,
            max_chains: 10_000,
            max_item_bytes: 1 << 20,
            max_chain_children: 200,
            max_chain_activity: 200,
            max_inventory: 10_000,
            max_clock_jump_seconds: 86_400,
            weights: BTreeMap::new(),
            allow: Allow::default(),
            baseline: Vec::new(),
        }
    }
}

/// The longest window or lateness accepted: 7 days.
const MAX_SECONDS: u64 = 7 * 86_400;
/// The most rejected items a report may list.
const MAX_ERRORS_LIMIT: usize = 100_000;
/// The largest value of any `max_*` cap: far above any real estate's need,
/// low enough that a typo cannot ask for unbounded memory.
const MAX_CAP: usize = 100_000_000;

/// The longest config error message: a message quoting an attacker's (or a
/// typo's) megabyte-long pattern is cut, not echoed whole.
const MAX_MESSAGE: usize = 300;

/// A type error names the key it is about (`allow.hosts: invalid type:
/// ...`), without a line and column that point into text the caller did
/// not write (the JS options are re-serialised before they get here).
fn explain(json: &str, e: serde_json::Error) -> String {
    let text = e.to_string();
    let message = text.rfind(" at line ").map_or(text.as_str(), |i| &text[..i]).to_string();
    if message.starts_with("unknown field") || e.line() == 0 {
        return message;
    }
    // The byte offset of the error: serde_json counts lines from 1 and
    // columns (bytes) from 1.
    let line_start = json.split_inclusive('\n').take(e.line() - 1).map(str::len).sum::<usize>();
    let at = (line_start + e.column()).min(json.len());
    let path = Lexer::new(json).path_at(at);
    if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

/// A small JSON lexer over a config's text: which keys enclose a position,
/// and where an array stands in for an object (serde would read an array
/// positionally, as the fields in order).
struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    /// Per open container: the key of the current member (objects) or
    /// `None` (arrays).
    stack: Vec<Option<String>>,
    last: Option<String>,
}

impl<'a> Lexer<'a> {
    fn new(json: &'a str) -> Lexer<'a> {
        Lexer { b: json.as_bytes(), i: 0, stack: Vec::new(), last: None }
    }

    fn path(&self) -> String {
        self.stack.iter().flatten().cloned().collect::<Vec<_>>().join(".")
    }

    /// Steps one token; `Some(b'[' | ...)` for structural bytes.
    fn step(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        match c {
            b'"' => {
                let start = self.i;
                while self.i < self.b.len() && self.b[self.i] != b'"' {
                    self.i += if self.b[self.i] == b'\\' { 2 } else { 1 };
                }
                let end = self.i.min(self.b.len());
                self.last = Some(String::from_utf8_lossy(&self.b[start..end]).into_owned());
                self.i += 1;
            }
            b':' => {
                if let Some(top) = self.stack.last_mut() {
                    *top = self.last.take();
                }
            }
            b'{' | b'[' => self.stack.push(None),
            b'}' | b']' => {
                self.stack.pop();
            }
            b',' => {
                if let Some(top) = self.stack.last_mut() {
                    *top = None;
                }
            }
            _ => {}
        }
        Some(c)
    }

    fn path_at(mut self, at: usize) -> String {
        while self.i < at && self.step().is_some() {}
        self.path()
    }

    /// The first place an array stands where an object is read: the value
    /// of `allow`, or an element of `baseline`.
    fn array_for_object(mut self) -> Option<String> {
        loop {
            let before = self.path();
            let depth = self.stack.len();
            match self.step()? {
                b'[' if depth == 1 && before == "allow" => return Some("allow".into()),
                b'[' if depth == 2 && before == "baseline" => return Some("baseline[]".into()),
                _ => {}
            }
        }
    }
}

fn truncate_message(mut m: String) -> String {
    if m.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !m.is_char_boundary(cut) {
            cut -= 1;
        }
        let total = m.len();
        m.truncate(cut);
        m.push_str(&format!("… ({total} bytes in all)"));
    }
    m
}

/// A configuration that could not be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid config: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses and validates a JSON configuration.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        // serde would read a JSON array positionally, as the fields in order.
        if !json.trim_start().starts_with('{') {
            return Err(ConfigError("expected a JSON object".into()));
        }
        if let Some(at) = Lexer::new(json).array_for_object() {
            return Err(ConfigError(format!("{at}: expected an object, not an array")));
        }
        let config: Config = match serde_json::from_str(json) {
            Ok(c) => c,
            Err(e) => return Err(ConfigError(truncate_message(explain(json, e)))),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense (the same checks
    /// [`Engine::new`](crate::Engine::new) makes).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.compile().map(|_| ())
    }

    /// Validates the config and compiles its tuning (weights, allowlist
    /// patterns and networks, baseline) into the form scoring reads: the one
    /// place a config becomes usable, so an invalid value is always an
    /// error and never a silent fallback to defaults.
    pub(crate) fn compile(&self) -> Result<crate::tuning::Tuning, ConfigError> {
        if self.window_seconds == 0 || self.window_seconds > MAX_SECONDS {
            return Err(ConfigError(format!("window_seconds must be between 1 and {MAX_SECONDS} (7 days)")));
        }
        if !(0..=100).contains(&self.min_score) {
            return Err(ConfigError("min_score must be between 0 and 100".into()));
        }
        if self.max_errors > MAX_ERRORS_LIMIT {
            return Err(ConfigError(format!("max_errors must be at most {MAX_ERRORS_LIMIT}")));
        }
        if self.lateness_seconds.is_some_and(|l| l > MAX_SECONDS) {
            return Err(ConfigError(format!("lateness_seconds must be at most {MAX_SECONDS} (7 days)")));
        }
        for (name, v, min) in [
            ("max_processes", self.max_processes, 100),
            ("max_activity", self.max_activity, 100),
            ("max_chains", self.max_chains, 1),
            ("max_item_bytes", self.max_item_bytes, 1024),
            ("max_chain_children", self.max_chain_children, 1),
            ("max_chain_activity", self.max_chain_activity, 1),
            ("max_inventory", self.max_inventory, 1),
        ] {
            if v < min || v > MAX_CAP {
                return Err(ConfigError(format!("{name} must be between {min} and {MAX_CAP}")));
            }
        }
        if self.max_clock_jump_seconds < 60 || self.max_clock_jump_seconds > 100 * 365 * 86_400 {
            return Err(ConfigError("max_clock_jump_seconds must be between 60 and 3153600000 (100 years)".into()));
        }
        crate::tuning::Tuning::compile(self).map_err(|e| ConfigError(truncate_message(e.0)))
    }

    pub(crate) fn clock_jump_ms(&self) -> i64 {
        (self.max_clock_jump_seconds as i64).saturating_mul(1_000)
    }

    pub(crate) fn window_ms(&self) -> i64 {
        (self.window_seconds as i64).saturating_mul(1_000)
    }

    pub(crate) fn lateness_ms(&self) -> i64 {
        (self.lateness_seconds.unwrap_or(self.window_seconds) as i64).saturating_mul(1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors_name_the_key() {
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
        let e = Config::from_json(r#"{"min_scor": 3}"#).unwrap_err();
        assert!(e.0.contains("min_scor"), "{e}");
        let e = Config::from_json(r#"{"min_score": "high"}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
        assert!(e.0.starts_with("min_score: "), "{e}");
        assert!(!e.0.contains("line 1"), "{e}");
        let e = Config::from_json(r#"{"allow": {"hosts": "pc1"}}"#).unwrap_err();
        assert!(e.0.starts_with("allow.hosts: "), "{e}");
        let e = Config::from_json(r#"{"allow": [["x"]]}"#).unwrap_err();
        assert!(e.0.starts_with("allow: expected an object"), "{e}");
        let e = Config::from_json(r#"{"baseline": [["mshta", "explorer.exe"]]}"#).unwrap_err();
        assert!(e.0.starts_with("baseline[]: expected an object"), "{e}");
        let e = Config::from_json(r#"{"weights": {"parent_explorer": "x"}}"#).unwrap_err();
        assert!(e.0.starts_with("weights.parent_explorer: "), "{e}");
        let e = Config::from_json("[600]").unwrap_err();
        assert!(e.0.contains("expected a JSON object"), "{e}");
        let long = format!(r#"{{"allow": {{"command_lines": ["({}"]}}}}"#, "a".repeat(100_000));
        let e = Config::from_json(&long).unwrap_err();
        assert!(e.0.len() < 400, "{}", e.0.len());
        assert!(Config::from_json(r#"{"min_score": 101}"#).is_err());
        assert!(Config::from_json(r#"{"window_seconds": 0}"#).is_err());
    }

    #[test]
    fn tuning_errors_name_what_is_wrong() {
        let e = Config::from_json(r#"{"weights": {"no_such_reason": 5}}"#).unwrap_err();
        assert!(e.0.contains("no_such_reason"), "{e}");
        let e = Config::from_json(r#"{"allow": {"command_lines": ["(unclosed"]}}"#).unwrap_err();
        assert!(e.0.contains("(unclosed"), "{e}");
        let e = Config::from_json(r#"{"allow": {"networks": ["10.0.0.0/33"]}}"#).unwrap_err();
        assert!(e.0.contains("10.0.0.0/33"), "{e}");
        let e = Config::from_json(r#"{"allow": {"netwrks": []}}"#).unwrap_err();
        assert!(e.0.contains("netwrks"), "{e}");
        let ok = Config::from_json(
            r#"{"weights": {"parent_explorer": 0}, "allow": {"networks": ["10.0.0.0/8", "fd00::/8"], "domains": ["corp.example"]},
                "baseline": [{"shape": "mshta \"c:\\program files\\x\\a.hta\"", "parent": "explorer.exe"}]}"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
    }
}
