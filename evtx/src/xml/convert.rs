//! One `<Event>` element's XML to the JSON `evtx_dump -o jsonl` writes for
//! the same record, following the `evtx` crate's JSON rules, so the core's
//! one decoder per schema reads both:
//!
//! - an element with neither attributes nor child elements is its text, or
//!   `null` when empty; otherwise an object with `#attributes` (non-empty
//!   values only), `#text` and one member per child, a repeated name
//!   suffixed `_1`, `_2`, ...;
//! - in `EventData` and `UserData`, `<Data Name="X">v</Data>` is `"X": "v"`
//!   (an empty one `""`; consecutive repeats of a name become an array),
//!   and unnamed `Data` elements are `"Data": {"#text": v or [v, ...]}`;
//! - element names lose their namespace prefix; text keeps its bytes
//!   (character and the five predefined entity references resolved).
//!
//! XML has no types, so values stay strings, except the `System` fields
//! the `evtx` crate always writes as numbers (EventID, Version, Level,
//! Task, Opcode, EventRecordID, Execution's ProcessID and ThreadID), which
//! are numbers here too when they are plain decimal integers. The core
//! reads a number given as a string the same.
//!
//! quick-xml never expands entities: it reports each reference, and only
//! the predefined and character references are resolved here; any other is
//! an error. So an entity bomb is one cheap error. Depth and element count
//! are bounded.

use quick_xml::events::{BytesStart, Event as X};
use quick_xml::Reader;
use std::fmt::Write as _;

/// Element nesting allowed in one event (a real one nests 4 deep).
pub const MAX_DEPTH: usize = 64;
/// Elements allowed in one event (a real one has a few dozen).
pub const MAX_ELEMENTS: usize = 10_000;

struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<usize>,
}

/// Why an event could not be converted, and the byte offset in it.
pub(crate) struct Failure {
    pub at: usize,
    pub message: String,
}

/// Converts one event's bytes to its JSON record, appended to `out`
/// (nothing is appended on failure). The JSON needs no later check: every
/// string goes through `write_str`, which escapes all control characters,
/// and the only numbers are integers of at most 15 digits.
pub(crate) fn event_to_json(xml: &[u8], out: &mut Vec<u8>) -> Result<(), Failure> {
    let nodes = parse(xml)?;
    let mut json = String::with_capacity(xml.len());
    json.push_str("{\"Event\":");
    write_value(&nodes, 0, false, &mut json);
    json.push('}');
    out.extend_from_slice(json.as_bytes());
    Ok(())
}

fn parse(xml: &[u8]) -> Result<Vec<Node>, Failure> {
    let mut reader = Reader::from_reader(xml);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let fail = |reader: &Reader<&[u8]>, message: String| Failure { at: reader.buffer_position() as usize, message };
    loop {
        let event = reader.read_event().map_err(|e| Failure {
            at: reader.error_position() as usize,
            message: format!("not well-formed XML: {e}"),
        })?;
        match event {
            X::Start(e) | X::Empty(e) if stack.len() >= MAX_DEPTH => {
                let _ = e;
                return Err(fail(&reader, format!("elements nested deeper than {MAX_DEPTH}")));
            }
            X::Start(e) => {
                let id = add_node(&mut nodes, &mut stack, &e).map_err(|m| fail(&reader, m))?;
                stack.push(id);
            }
            X::Empty(e) => {
                add_node(&mut nodes, &mut stack, &e).map_err(|m| fail(&reader, m))?;
            }
            X::End(_) => {
                stack.pop();
            }
            X::Text(t) => {
                let text = t.decode().map_err(|e| fail(&reader, format!("invalid UTF-8 in text: {e}")))?;
                push_text(&mut nodes, &stack, &text);
            }
            X::CData(t) => {
                let text = t.decode().map_err(|e| fail(&reader, format!("invalid UTF-8 in CDATA: {e}")))?;
                push_text(&mut nodes, &stack, &text);
            }
            X::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| fail(&reader, format!("invalid UTF-8: {e}")))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(fail(
                                    &reader,
                                    format!(
                                        "undefined entity `&{name};` (entities declared in a DTD are never expanded)"
                                    ),
                                ))
                            }
                        }
                    }
                    Err(e) => return Err(fail(&reader, format!("bad character reference: {e}"))),
                };
                push_text(&mut nodes, &stack, &text);
            }
            X::DocType(_) => {
                return Err(fail(&reader, "DOCTYPE inside an event (not expanded)".into()));
            }
            X::Comment(_) | X::PI(_) | X::Decl(_) => {}
            X::Eof => break,
        }
    }
    if nodes.is_empty() {
        return Err(Failure { at: 0, message: "no element".into() });
    }
    if !stack.is_empty() {
        return Err(Failure { at: xml.len(), message: "unclosed element at the end of the event".into() });
    }
    Ok(nodes)
}

fn add_node(nodes: &mut Vec<Node>, stack: &mut [usize], e: &BytesStart) -> Result<usize, String> {
    if nodes.len() >= MAX_ELEMENTS {
        return Err(format!("more than {MAX_ELEMENTS} elements in one event"));
    }
    let name = std::str::from_utf8(e.local_name().into_inner())
        .map_err(|_| "invalid UTF-8 in an element name".to_string())?
        .to_string();
    let mut attrs = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| format!("bad attribute: {err}"))?;
        let key = std::str::from_utf8(a.key.as_ref()).map_err(|_| "invalid UTF-8 in an attribute name".to_string())?;
        let value =
            a.unescape_value().map_err(|err| format!("attribute `{key}`: {err} (entities are never expanded)"))?;
        attrs.push((key.to_string(), value.into_owned()));
    }
    let id = nodes.len();
    if nodes.is_empty() && stack.is_empty() {
        // The root.
    } else if let Some(&parent) = stack.last() {
        nodes[parent].children.push(id);
    } else {
        return Err("a second top-level element in one event".into());
    }
    nodes.push(Node { name, attrs, text: String::new(), children: Vec::new() });
    Ok(id)
}

fn push_text(nodes: &mut [Node], stack: &[usize], text: &str) {
    if let Some(&top) = stack.last() {
        nodes[top].text.push_str(text);
    }
}

/// The element's own text as a value: all of it for a leaf, and only text
/// that is not layout whitespace for one with child elements.
fn own_text(n: &Node) -> Option<&str> {
    if n.children.is_empty() {
        (!n.text.is_empty()).then_some(n.text.as_str())
    } else {
        (!n.text.trim().is_empty()).then_some(n.text.as_str())
    }
}

fn is_container(name: &str) -> bool {
    name == "EventData" || name == "UserData"
}

/// `System` fields the `evtx` crate writes as numbers.
fn numeric_field(parent: &str, name: &str) -> bool {
    parent == "System" && matches!(name, "EventID" | "Version" | "Level" | "Task" | "Opcode" | "EventRecordID")
}
fn numeric_attr(element: &str, attr: &str) -> bool {
    matches!((element, attr), ("Execution", "ProcessID" | "ThreadID") | ("EventID", "Qualifiers"))
}

fn write_value(nodes: &[Node], id: usize, numeric: bool, out: &mut String) {
    let n = &nodes[id];
    if n.children.is_empty() && !n.attrs.iter().any(|(_, v)| !v.is_empty()) {
        match own_text(n) {
            None => out.push_str("null"),
            Some(t) => write_scalar(t, numeric, out),
        }
        return;
    }
    write_object(nodes, id, true, numeric, out);
}

fn write_object(nodes: &[Node], id: usize, with_attrs: bool, numeric: bool, out: &mut String) {
    let n = &nodes[id];
    let text = own_text(n);
    let has_attrs = with_attrs && n.attrs.iter().any(|(_, v)| !v.is_empty());
    out.push('{');
    let mut first = true;
    let mut comma = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
    };
    if has_attrs {
        comma(out);
        out.push_str("\"#attributes\":{");
        let mut first_attr = true;
        for (k, v) in n.attrs.iter().filter(|(_, v)| !v.is_empty()) {
            if !std::mem::take(&mut first_attr) {
                out.push(',');
            }
            write_str(k, out);
            out.push(':');
            write_scalar(v, numeric_attr(&n.name, k), out);
        }
        out.push('}');
    }
    if let Some(t) = text {
        comma(out);
        out.push_str("\"#text\":");
        write_scalar(t, numeric, out);
    }
    let container = is_container(&n.name);
    let data = |c: &usize| nodes[*c].name == "Data";
    let name_of =
        |c: usize| nodes[c].attrs.iter().find(|(k, _)| k == "Name").map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let named = container && n.children.iter().any(|&c| data(&c) && name_of(c).is_some());
    // Names seen so far among the members, with how many times: a repeat
    // is written `name_1`, `name_2`, ... as the `evtx` crate does.
    let mut keys: Vec<(&str, usize)> = Vec::new();
    let mut positional_done = false;
    let mut i = 0;
    while i < n.children.len() {
        let c = n.children[i];
        i += 1;
        if container && data(&c) {
            if named {
                let Some(name) = name_of(c) else { continue };
                // Consecutive `Data` with the same name: one array.
                let mut run = vec![c];
                while i < n.children.len() && data(&n.children[i]) && name_of(n.children[i]) == Some(name) {
                    run.push(n.children[i]);
                    i += 1;
                }
                comma(out);
                write_key(&mut keys, name, out);
                if run.len() == 1 {
                    write_data(nodes, c, out);
                } else {
                    out.push('[');
                    for (j, &d) in run.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        write_data(nodes, d, out);
                    }
                    out.push(']');
                }
            } else if !positional_done {
                positional_done = true;
                let all: Vec<usize> = n.children.iter().copied().filter(data).collect();
                comma(out);
                out.push_str("\"Data\":{\"#text\":");
                if all.len() == 1 {
                    write_data(nodes, all[0], out);
                } else {
                    out.push('[');
                    for (j, &d) in all.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        write_data(nodes, d, out);
                    }
                    out.push(']');
                }
                out.push('}');
            }
            continue;
        }
        comma(out);
        let child = &nodes[c];
        write_key(&mut keys, &child.name, out);
        write_value(nodes, c, numeric_field(&n.name, &child.name), out);
    }
    out.push('}');
}

/// Writes `"name":`, or `"name_N":` for the Nth repeat of a name among an
/// object's members, as the `evtx` crate does.
fn write_key<'n>(keys: &mut Vec<(&'n str, usize)>, name: &'n str, out: &mut String) {
    match keys.iter_mut().find(|(k, _)| *k == name) {
        Some((_, count)) => {
            *count += 1;
            write_str(&format!("{name}_{count}"), out);
        }
        None => {
            keys.push((name, 0));
            write_str(name, out);
        }
    }
    out.push(':');
}

/// A `Data` element's value: its text (`""` when empty), or its content
/// without its attributes when it has child elements.
fn write_data(nodes: &[Node], id: usize, out: &mut String) {
    if nodes[id].children.is_empty() {
        write_str(&nodes[id].text, out);
    } else {
        write_object(nodes, id, false, false, out);
    }
}

fn write_scalar(text: &str, numeric: bool, out: &mut String) {
    if numeric && is_plain_integer(text) {
        out.push_str(text);
    } else {
        write_str(text, out);
    }
}

/// A decimal integer a JavaScript number holds exactly, written canonically.
fn is_plain_integer(t: &str) -> bool {
    !t.is_empty() && t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit()) && (t == "0" || !t.starts_with('0'))
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(xml: &str) -> serde_json::Value {
        let mut out = Vec::new();
        event_to_json(xml.as_bytes(), &mut out).unwrap_or_else(|f| panic!("{}", f.message));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn system_and_named_data_take_the_evtx_dump_shape() {
        let v = json(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P' Guid=''/>\
             <EventID Qualifiers='16384'>7036</EventID><Level>4</Level><TimeCreated SystemTime='2020-01-01T00:00:00Z'/>\
             <Correlation/><Execution ProcessID='4' ThreadID='8'/><Computer>PC</Computer></System>\
             <EventData><Data Name='A'>x &amp; &#x41;</Data><Data Name='B'></Data><Data Name='C'>1</Data><Data Name='C'>2</Data></EventData></Event>",
        );
        let e = &v["Event"];
        assert_eq!(e["#attributes"]["xmlns"], "http://schemas.microsoft.com/win/2004/08/events/event");
        assert_eq!(e["System"]["Provider"], serde_json::json!({"#attributes":{"Name":"P"}}));
        assert_eq!(e["System"]["EventID"], serde_json::json!({"#attributes":{"Qualifiers":16384},"#text":7036}));
        assert_eq!(e["System"]["Level"], 4);
        assert_eq!(e["System"]["Correlation"], serde_json::Value::Null);
        assert_eq!(e["System"]["Execution"]["#attributes"]["ThreadID"], 8);
        assert_eq!(e["EventData"], serde_json::json!({"A":"x & A","B":"","C":["1","2"]}));
    }

    #[test]
    fn unnamed_data_user_data_and_repeated_elements() {
        let v = json("<Event><EventData><Data>a</Data><Data>b</Data></EventData><UserData><X xmlns='u'><p>1</p><p>2</p></X></UserData></Event>");
        assert_eq!(v["Event"]["EventData"], serde_json::json!({"Data":{"#text":["a","b"]}}));
        assert_eq!(v["Event"]["UserData"], serde_json::json!({"X":{"#attributes":{"xmlns":"u"},"p":"1","p_1":"2"}}));
    }

    #[test]
    fn limits_and_entities_are_errors() {
        let deep = format!("<Event>{}{}</Event>", "<a>".repeat(100), "</a>".repeat(100));
        let mut out = Vec::new();
        let err = event_to_json(deep.as_bytes(), &mut out).err().unwrap();
        assert!(err.message.contains("deeper"), "{}", err.message);
        let err = event_to_json(b"<Event><Data>&lol9;</Data></Event>", &mut out).err().unwrap();
        assert!(err.message.contains("undefined entity `&lol9;`"), "{}", err.message);
        let err = event_to_json(b"<Event><a></b></Event>", &mut out).err().unwrap();
        assert!(err.message.contains("not well-formed"), "{}", err.message);
    }
}
