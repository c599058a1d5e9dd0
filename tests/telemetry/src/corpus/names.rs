//! Names and the pattern expander: user, document, vendor and script names, and `expand`, which
//! replaces backtick tokens in catalog patterns (`` `u` `` user, `` `h8` `` 8 hex digits, `` `n4` ``
//! 4 digits, `` `guid` ``, `` `doc` ``, `` `date` `` …). Backticks because `%`, `$` and `{}` all
//! occur literally in real command lines.

use crate::rng::Rng;

const FIRST: &[&str] = &["a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w"];
const LAST: &[&str] = &[
    "smith", "johnson", "garcia", "miller", "davis", "martinez", "lopez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "thompson", "white", "harris", "clark", "lewis", "walker", "young", "king",
    "wright", "scott", "green", "baker", "adams", "nelson", "hill", "campbell", "mitchell", "roberts", "carter",
];
#[rustfmt::skip]
const DOCS: &[&str] = &[
    "Q3 report", "Budget 2024", "Meeting notes", "Project plan", "Contract draft", "Onboarding checklist",
    "Sales forecast", "Team roster", "Roadmap", "Vendor list", "Expense claim", "Minutes 2024-04", "Proposal v2",
];
#[rustfmt::skip]
const DOWNLOADS: &[&str] = &[
    "report.pdf", "statement_2024.pdf", "photos.zip", "slides.pptx", "agenda.docx", "data-export.csv",
    "screenshot.png", "TeamViewer_Setup_x64.exe", "notes.txt", "invoice-copy.pdf", "Zoom_Setup.msi",
];
pub const VENDORS: &[&str] = &["Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware", "AdventureWorks"];
const PS1: &[&str] =
    &["inventory.ps1", "Collect-Logs.ps1", "compliance-check.ps1", "Sync-Printers.ps1", "Get-Health.ps1"];
const BAT: &[&str] = &["cleanup.bat", "map-drives.cmd", "logon.bat", "rotate-logs.cmd"];
const SITES: &[&str] = &["www.bing.com", "contoso.sharepoint.com", "intranet.corp.example.com", "www.office.com"];
const EXES: &[&str] =
    &["CHROME.EXE", "SVCHOST.EXE", "MSEDGE.EXE", "OUTLOOK.EXE", "TEAMS.EXE", "CONHOST.EXE", "DLLHOST.EXE"];

/// A domain account name like `asmith`.
pub fn user_name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(FIRST), rng.pick(LAST))
}

/// Expansion context: the interactive user (short name), the host's short name, the event time.
pub struct Ctx<'a> {
    pub user: &'a str,
    pub host: &'a str,
    pub time_ms: i64,
}

/// Replace backtick tokens in `pattern`.
pub fn expand(pattern: &str, ctx: &Ctx, rng: &mut Rng) -> String {
    if !pattern.contains('`') {
        return pattern.to_string();
    }
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut parts = pattern.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut is_token = true;
    for part in parts {
        if is_token {
            token(part, ctx, rng, &mut out);
        } else {
            out.push_str(part);
        }
        is_token = !is_token;
    }
    out
}

fn token(tok: &str, ctx: &Ctx, rng: &mut Rng, out: &mut String) {
    use std::fmt::Write;
    let hex = |rng: &mut Rng, n: usize, upper: bool| {
        let s = crate::render::enrich::hex(rng.next_u64(), n);
        if upper {
            s
        } else {
            s.to_ascii_lowercase()
        }
    };
    let digits = |rng: &mut Rng, n: u32| {
        let mut s = String::with_capacity(n as usize);
        let _ = write!(s, "{}", 1 + rng.below(9));
        for _ in 1..n {
            let _ = write!(s, "{}", rng.below(10));
        }
        s
    };
    match tok {
        "u" => out.push_str(ctx.user),
        "host" => out.push_str(ctx.host),
        "h2" => out.push_str(&hex(rng, 2, false)),
        "h5" => out.push_str(&hex(rng, 5, false)),
        "h6" => out.push_str(&hex(rng, 6, false)),
        "h8" => out.push_str(&hex(rng, 8, false)),
        "h16" => out.push_str(&hex(rng, 16, false)),
        "h32" => out.push_str(&hex(rng, 32, false)),
        "H8" => out.push_str(&hex(rng, 8, true)),
        "H32" => out.push_str(&hex(rng, 32, true)),
        "A8" => {
            const AL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            for _ in 0..8 {
                out.push(AL[rng.below(AL.len() as u64) as usize] as char);
            }
        }
        "n1" => out.push_str(&rng.below(2).to_string()),
        "n" => out.push_str(&(1 + rng.below(999)).to_string()),
        "n4" => out.push_str(&digits(rng, 4)),
        "n6" => out.push_str(&digits(rng, 6)),
        "n10" => out.push_str(&digits(rng, 10)),
        "n16" => out.push_str(&digits(rng, 16)),
        "n19" => out.push_str(&digits(rng, 19)),
        "guid" | "lguid" => {
            let h = hex(rng, 32, tok == "guid");
            let _ = write!(out, "{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]);
        }
        "doc" => out.push_str(rng.pick(DOCS)),
        "dl" => out.push_str(rng.pick(DOWNLOADS)),
        "vendor" => out.push_str(rng.pick(VENDORS)),
        "ps1" => out.push_str(rng.pick(PS1)),
        "bat" => out.push_str(rng.pick(BAT)),
        "site" => out.push_str(rng.pick(SITES)),
        "EXE" => out.push_str(rng.pick(EXES)),
        "date" | "date6" => {
            let d = crate::timefmt::iso_ms(ctx.time_ms);
            let compact: String = d[..10].chars().filter(|c| *c != '-').collect();
            out.push_str(if tok == "date6" { &compact[2..] } else { &compact });
        }
        other => out.push_str(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_tokens() {
        let mut rng = Rng::new(1);
        let ctx = Ctx { user: "asmith", host: "WS0001", time_ms: 1_714_557_600_000 };
        let s = expand(r"C:\Users\`u`\x_`h8`_`date`.log", &ctx, &mut rng);
        assert!(s.starts_with(r"C:\Users\asmith\x_"), "{s}");
        assert!(s.ends_with("_20240501.log"), "{s}");
        assert_eq!(s.len(), r"C:\Users\asmith\x_".len() + 8 + "_20240501.log".len());
        assert_eq!(expand("no tokens", &ctx, &mut rng), "no tokens");
    }
}
