//! Writes tests/data/xml/: real EVTX records (tests/data/realdata/evtx,
//! MIT) rendered as XML by the `evtx` crate, then laid out in each shape
//! Windows tools write. Run from the repository root:
//! `cargo run -p mshta-chain-evtx --example xml_shapes`. The outputs are
//! committed; the tests read them and compare with the EVTX.
//!
//! `<RenderingInfo>` is what Event Viewer and WEF "RenderedText" add from
//! the provider's message tables, which an `.evtx` does not carry: its
//! structure here is Windows', its message text a plain listing of the
//! event's data (the reader ignores it either way).

use evtx::{EvtxChunkData, ParserSettings};
use quick_xml::events::Event as X;
use std::fmt::Write as _;
use std::sync::Arc;

struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
}

#[derive(Clone, Copy)]
struct Style {
    quote: char,
    /// Spaces per level; `None`: the whole event on one line.
    indent: Option<usize>,
    newline: &'static str,
    rendering_info: bool,
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("tests/data/xml");
    std::fs::create_dir_all(&out).unwrap();
    let sysmon = records(&root.join("tests/data/realdata/evtx/sysmon.evtx"), usize::MAX);
    let security = records(&root.join("tests/data/realdata/evtx/security.evtx"), 160);

    // `evtx_dump -o xml`: a `Record N` line, the declaration, the event indented by 2.
    let mut s = String::new();
    for (id, xml) in &sysmon {
        let _ = writeln!(s, "Record {id}");
        s.push_str(xml);
        s.push('\n');
    }
    write(&out, "sysmon.evtx_dump.xml", s.as_bytes());

    // `wevtutil qe /f:xml`, or `ToXml()` per event: one event per line, single quotes.
    let line = Style { quote: '\'', indent: None, newline: "\n", rendering_info: false };
    let s: String = sysmon.iter().take(120).map(|(_, x)| render(&parse(x), line) + "\n").collect();
    write(&out, "sysmon.one_per_line.xml", s.as_bytes());

    // Event Viewer "Save as XML": one document, `<Events>`, single quotes, RenderingInfo.
    let viewer = Style { rendering_info: true, ..line };
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<Events>");
    for (_, x) in sysmon.iter().take(120) {
        s.push_str(&render(&parse(x), viewer));
    }
    s.push_str("</Events>");
    write(&out, "sysmon.event_viewer.xml", s.as_bytes());

    // PowerShell 5: `"<Events>"; Get-WinEvent ... | % { $_.ToXml() }; "</Events>"` through
    // `Out-File`: UTF-16LE with a BOM, CRLF.
    let mut s = String::from("<Events>\r\n");
    for (_, x) in sysmon.iter().take(120) {
        s.push_str(&render(&parse(x), line));
        s.push_str("\r\n");
    }
    s.push_str("</Events>\r\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(&out, "sysmon.powershell_utf16.xml", &utf16);

    // Forwarded events with RenderedText, pretty-printed by 4, double quotes, CRLF:
    // Security events, some with `<UserData>` instead of `<EventData>`.
    let pretty = Style { quote: '"', indent: Some(4), newline: "\r\n", rendering_info: true };
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Events>\r\n");
    for (_, x) in &security {
        s.push_str(&render(&parse(x), pretty));
    }
    s.push_str("</Events>\r\n");
    write(&out, "security.pretty_rendered.xml", s.as_bytes());
}

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
    eprintln!("{name}: {} bytes", bytes.len());
}

/// The first `max` records of an EVTX file as the `evtx` crate's XML, in file order.
fn records(path: &std::path::Path, max: usize) -> Vec<(u64, String)> {
    let file = std::fs::read(path).unwrap();
    let settings = Arc::new(ParserSettings::new().indent(true));
    let mut out = Vec::new();
    for chunk in file[4096..].chunks_exact(65536) {
        let Ok(mut data) = EvtxChunkData::new(chunk.to_vec(), false) else { continue };
        let Ok(mut parsed) = data.parse(settings.clone()) else { continue };
        for r in parsed.iter().flatten() {
            if let Ok(r) = r.into_xml() {
                out.push((r.event_record_id, r.data));
            }
        }
    }
    out.truncate(max);
    out
}

fn parse(xml: &str) -> El {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<El> = vec![El { name: String::new(), attrs: vec![], text: String::new(), children: vec![] }];
    loop {
        match reader.read_event().unwrap() {
            X::Start(e) => stack.push(element(&e)),
            X::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            X::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            X::Text(t) => stack.last_mut().unwrap().text.push_str(&t.decode().unwrap()),
            X::GeneralRef(r) => {
                let t = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap()).unwrap().to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&t);
            }
            X::CData(t) => stack.last_mut().unwrap().text.push_str(&t.decode().unwrap()),
            X::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.pop().unwrap()
}

fn element(e: &quick_xml::events::BytesStart) -> El {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), a.unescape_value().unwrap().into_owned())
        })
        .collect();
    El { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), attrs, text: String::new(), children: vec![] }
}

fn render(event: &El, style: Style) -> String {
    let mut out = String::new();
    if style.rendering_info {
        let mut with =
            El { name: event.name.clone(), attrs: event.attrs.clone(), text: String::new(), children: vec![] };
        for c in &event.children {
            with.children.push(clone(c));
        }
        with.children.push(rendering_info(event));
        write_el(&with, style, 0, &mut out);
    } else {
        write_el(event, style, 0, &mut out);
    }
    out
}

fn clone(e: &El) -> El {
    El {
        name: e.name.clone(),
        attrs: e.attrs.clone(),
        text: e.text.clone(),
        children: e.children.iter().map(clone).collect(),
    }
}

fn leaf(name: &str, text: &str) -> El {
    El { name: name.into(), attrs: vec![], text: text.into(), children: vec![] }
}

fn rendering_info(event: &El) -> El {
    let find = |parent: &El, name: &str| -> Option<String> {
        parent.children.iter().find(|c| c.name == name).map(|c| c.text.trim().to_string())
    };
    let system = event.children.iter().find(|c| c.name == "System").unwrap();
    let provider = system
        .children
        .iter()
        .find(|c| c.name == "Provider")
        .and_then(|p| p.attrs.iter().find(|(k, _)| k == "Name").map(|(_, v)| v.clone()))
        .unwrap_or_default();
    let mut message = format!("Event {}:", find(system, "EventID").unwrap_or_default());
    for data in event.children.iter().filter(|c| c.name == "EventData" || c.name == "UserData") {
        for d in &data.children {
            let name = d.attrs.iter().find(|(k, _)| k == "Name").map(|(_, v)| v.as_str()).unwrap_or(&d.name);
            let _ = write!(message, "\r\n{name}: {}", d.text.trim());
        }
    }
    let security = provider.contains("Security-Auditing");
    El {
        name: "RenderingInfo".into(),
        attrs: vec![("Culture".into(), "en-US".into())],
        text: String::new(),
        children: vec![
            leaf("Message", &message),
            leaf("Level", "Information"),
            leaf("Task", ""),
            leaf("Opcode", "Info"),
            leaf("Channel", &find(system, "Channel").unwrap_or_default()),
            leaf("Provider", &provider),
            El {
                name: "Keywords".into(),
                attrs: vec![],
                text: String::new(),
                children: if security { vec![leaf("Keyword", "Audit Success")] } else { vec![] },
            },
        ],
    }
}

fn escape(s: &str, quote: Option<char>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if quote.is_none() => out.push_str("&gt;"),
            '"' if quote == Some('"') => out.push_str("&quot;"),
            '\'' if quote == Some('\'') => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn write_el(e: &El, style: Style, depth: usize, out: &mut String) {
    let pad = style.indent.map(|n| " ".repeat(n * depth)).unwrap_or_default();
    out.push_str(&pad);
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        let _ = write!(out, " {k}={q}{}{q}", escape(v, Some(style.quote)), q = style.quote);
    }
    let nl = if style.indent.is_some() { style.newline } else { "" };
    if e.children.is_empty() {
        if e.text.is_empty() {
            out.push_str("/>");
        } else {
            let _ = write!(out, ">{}</{}>", escape(&e.text, None), e.name);
        }
        out.push_str(nl);
        return;
    }
    out.push('>');
    out.push_str(nl);
    for c in &e.children {
        write_el(c, style, depth + 1, out);
    }
    let _ = write!(out, "{pad}</{}>{nl}", e.name);
}
