//! Tuning compiled from the config: weights, allowlists (regexes compiled,
//! networks parsed) and the baseline, in the form scoring reads. Patterns
//! run over attacker-controlled command lines, so they use regex-lite
//! (no backtracking: linear time in the input) with bounded sizes.

use crate::config::{Config, ConfigError};
use crate::names::{basename, lower};
use crate::reasons;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

const MAX_PATTERNS: usize = 1_000;
const MAX_PATTERN_LEN: usize = 2_000;

#[derive(Debug, Clone, Default)]
pub(crate) struct Tuning {
    weights: BTreeMap<String, i64>,
    parents: Vec<String>,
    command_lines: Vec<regex_lite::Regex>,
    hta_paths: Vec<String>,
    hosts: Vec<String>,
    networks: Vec<(IpAddr, u8)>,
    domains: Vec<String>,
    baseline: BTreeSet<(String, String)>,
}

impl Tuning {
    pub(crate) fn compile(c: &Config) -> Result<Tuning, ConfigError> {
        let err = |m: String| ConfigError(m);
        for (id, p) in &c.weights {
            match reasons::axis(id) {
                None => return Err(err(format!("weights: unknown reason id {id:?} (see docs/reasons.md)"))),
                Some(reasons::Axis::Cap) => {
                    return Err(err(format!("weights.{id}: a cap of the scoring model; its points are computed")))
                }
                Some(_) => {}
            }
            if !(-100..=100).contains(p) {
                return Err(err(format!("weights.{id}: points must be between -100 and 100")));
            }
        }
        let a = &c.allow;
        let lists = [
            ("allow.parent_images", &a.parent_images),
            ("allow.command_lines", &a.command_lines),
            ("allow.hta_paths", &a.hta_paths),
            ("allow.hosts", &a.hosts),
            ("allow.networks", &a.networks),
            ("allow.domains", &a.domains),
        ];
        for (name, list) in lists {
            if list.len() > MAX_PATTERNS {
                return Err(err(format!("{name}: at most {MAX_PATTERNS} entries")));
            }
            if let Some(p) = list.iter().find(|p| p.len() > MAX_PATTERN_LEN || p.trim().is_empty()) {
                return Err(err(format!("{name}: entry {p:?} is empty or longer than {MAX_PATTERN_LEN} characters")));
            }
        }
        if c.baseline.len() > 100_000 {
            return Err(err("baseline: at most 100000 entries".into()));
        }
        let mut command_lines = Vec::new();
        for p in &a.command_lines {
            let re = regex_lite::RegexBuilder::new(p)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| err(format!("allow.command_lines: pattern {p:?}: {e}")))?;
            command_lines.push(re);
        }
        let mut networks = Vec::new();
        for n in &a.networks {
            networks.push(parse_cidr(n).ok_or_else(|| err(format!("allow.networks: {n:?} is not a CIDR network")))?);
        }
        Ok(Tuning {
            weights: c.weights.clone(),
            parents: a.parent_images.iter().map(|p| p.trim().to_ascii_lowercase()).collect(),
            command_lines,
            hta_paths: a.hta_paths.iter().map(|p| folder_prefix(p)).collect(),
            hosts: a.hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect(),
            networks,
            domains: a
                .domains
                .iter()
                .map(|d| d.trim().trim_start_matches("*.").trim_start_matches('.').to_ascii_lowercase())
                .collect(),
            baseline: c.baseline.iter().map(|b| (b.shape.clone(), b.parent.to_ascii_lowercase())).collect(),
        })
    }

    /// The points of a reason: the config's weight, else the default.
    pub(crate) fn points(&self, id: &str) -> i64 {
        self.weights.get(id).copied().or_else(|| reasons::default_points(id)).unwrap_or(0)
    }

    pub(crate) fn parent_allowed(&self, image: &str) -> bool {
        let full = lower(image);
        let name = lower(basename(image));
        self.parents.iter().any(|p| *p == full || *p == name)
    }

    /// The first allowlisted pattern the command line matches, and where
    /// (byte offsets).
    pub(crate) fn command_line_allowed(&self, cmd: &str) -> Option<(&str, (usize, usize))> {
        self.command_lines.iter().find_map(|re| re.find(cmd).map(|m| (re.as_str(), (m.start(), m.end()))))
    }

    /// The allowlisted folder the HTA mshta runs is under: the path
    /// resolved as the file system would (`/` as `\`, `.` and `..`
    /// segments, repeated separators, trailing dots), compared whole
    /// segments at a time (`C:\Apps` does not cover `C:\AppsEvil`).
    pub(crate) fn hta_path_allowed(&self, path: &str) -> Option<&str> {
        let p = crate::knowledge::resolve_path(path);
        self.hta_paths.iter().find(|prefix| format!("{p}\\").starts_with(prefix.as_str())).map(String::as_str)
    }

    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let h = lower(host);
        self.hosts.iter().any(|a| match a.strip_prefix('*') {
            Some(suffix) => h.ends_with(suffix),
            None => *a == h,
        })
    }

    pub(crate) fn network_allowed(&self, ip: &str) -> bool {
        let Some(addr) = parse_ip(ip) else { return false };
        self.networks.iter().any(|&(net, bits)| in_network(addr, net, bits))
    }

    pub(crate) fn domain_allowed(&self, host: &str) -> bool {
        let h = lower(host.trim_end_matches('.'));
        self.domains.iter().any(|d| h == *d || h.ends_with(&format!(".{d}")))
    }

    pub(crate) fn in_baseline(&self, shape: &str, parent: &str) -> bool {
        !self.baseline.is_empty() && self.baseline.contains(&(shape.to_string(), parent.to_ascii_lowercase()))
    }
}

/// An allowlisted folder as `hta_path_allowed` compares it: resolved, with
/// one trailing separator.
fn folder_prefix(p: &str) -> String {
    let mut r = crate::knowledge::resolve_path(p);
    r.push('\\');
    r
}

/// Parses an address as the telemetry writes it (IPv4-mapped IPv6 too).
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    let t = s.trim();
    let t = t.strip_prefix("::ffff:").filter(|v4| v4.contains('.')).unwrap_or(t);
    t.parse().ok()
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match s.trim().split_once('/') {
        Some((a, b)) => (a, b.parse::<u8>().ok()?),
        None => (s.trim(), if s.contains(':') { 128 } else { 32 }),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_network(addr: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Allow;

    #[test]
    fn networks_hosts_and_domains() {
        let c = Config {
            allow: Allow {
                networks: vec!["10.0.0.0/8".into(), "203.0.113.0/24".into(), "2001:db8::/32".into()],
                hosts: vec!["build01".into(), "*.lab.example".into()],
                domains: vec!["corp.example".into()],
                ..Allow::default()
            },
            ..Config::default()
        };
        let t = Tuning::compile(&c).unwrap();
        assert!(t.network_allowed("203.0.113.77"));
        assert!(t.network_allowed("::ffff:10.1.2.3"));
        assert!(t.network_allowed("2001:db8:0:0:0:0:0:1"));
        assert!(!t.network_allowed("198.51.100.1"));
        assert!(!t.network_allowed("not an ip"));
        assert!(t.host_allowed("BUILD01"));
        assert!(t.host_allowed("ws1.lab.example"));
        assert!(!t.host_allowed("build02"));
        assert!(t.domain_allowed("hta.corp.example"));
        assert!(t.domain_allowed("corp.example."));
        assert!(!t.domain_allowed("evilcorp.example"));
    }
}
