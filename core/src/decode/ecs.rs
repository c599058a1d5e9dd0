//! Elastic Common Schema, as written by Elastic Defend (`endpoint.events.*`)
//! and by the Elastic Sysmon integration (`windows.sysmon_operational`,
//! with the original `winlog` fields beside the ECS ones).

use super::fields::{boxed, guid, is_script_or_clr_module, obj, pid, port, required, text, timestamp};
use super::raw::{EcsEvent, ProcObj, Raw};
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};

/// Elastic Defend: `event.module: endpoint`, an `endpoint.events.*`
/// dataset or `agent.type: endpoint`.
pub(crate) fn is_defend(raw: &Raw) -> bool {
    let ev = obj(&raw.event);
    ev.and_then(|e| text(&e.module)).is_some_and(|m| m.eq_ignore_ascii_case("endpoint"))
        || obj(&raw.data_stream).and_then(|d| text(&d.dataset)).is_some_and(|d| d.starts_with("endpoint.events."))
        || obj(&raw.agent).and_then(|a| text(&a.kind)).is_some_and(|t| t.eq_ignore_ascii_case("endpoint"))
}

/// The Elastic Sysmon integration: Winlogbeat fields processed into ECS.
pub(crate) fn is_sysmon_integration(raw: &Raw) -> bool {
    let dataset =
        obj(&raw.data_stream).and_then(|d| text(&d.dataset)).or_else(|| obj(&raw.event).and_then(|e| text(&e.dataset)));
    dataset.is_some_and(|d| d.eq_ignore_ascii_case("windows.sysmon_operational"))
        || (obj(&raw.winlog).is_some()
            && (obj(&raw.process).and_then(|p| text(&p.entity_id)).is_some()
                || obj(&raw.event).is_some_and(|e| !e.category.0.is_empty())))
}

pub(crate) fn decode(raw: &Raw, schema: Schema, index: u64) -> Result<Decoded, String> {
    let empty = EcsEvent {
        category: Default::default(),
        kind: Default::default(),
        action: None,
        module: None,
        code: None,
        dataset: None,
    };
    let ev = obj(&raw.event).unwrap_or(&empty);
    let what = classify(ev, raw);
    let Some(what) = what else { return Ok(Decoded::Ignored(schema)) };
    let host = obj(&raw.winlog)
        .and_then(|w| text(&w.computer_name))
        .or_else(|| obj(&raw.host).and_then(|h| text(&h.name).or_else(|| text(&h.hostname))))
        .ok_or("missing field host.name")?;
    let time = timestamp(&raw.timestamp, "@timestamp")?.ok_or("missing field @timestamp")?;
    let process = obj(&raw.process).map(|b| &**b);
    let kind = match what {
        What::Start => {
            let p = process.ok_or("missing field process")?;
            let parent = obj(&p.parent).map(|b| &**b);
            Kind::ProcessStart(Box::new(ProcessStart {
                process: proc_ref(p, "process")?,
                image: required(&p.executable, "process.executable")?.into(),
                original_file_name: obj(&p.pe).and_then(|pe| boxed(&pe.original_file_name)),
                command_line: boxed(&p.command_line),
                user: user(raw),
                parent: match parent {
                    Some(q) => Actor {
                        process: ProcessRef { pid: pid(&q.pid, "process.parent.pid")?, guid: guid(&q.entity_id) },
                        image: boxed(&q.executable).or_else(|| boxed(&q.name)),
                    },
                    None => Actor::default(),
                },
                parent_command_line: parent.and_then(|q| boxed(&q.command_line)),
            }))
        }
        What::End => Kind::ProcessEnd(actor(process)?),
        What::Network => {
            let dst = obj(&raw.destination);
            let src = obj(&raw.source);
            let direction =
                match obj(&raw.network).and_then(|n| text(&n.direction)).map(str::to_ascii_lowercase).as_deref() {
                    Some("egress" | "outgoing" | "outbound") => Direction::Outbound,
                    Some("ingress" | "incoming" | "inbound") => Direction::Inbound,
                    _ => Direction::Unknown,
                };
            Kind::Activity {
                actor: actor(process)?,
                what: Activity::Network(Box::new(Network {
                    dst_ip: dst.and_then(|e| boxed(&e.ip)),
                    dst_port: dst.map(|e| port(&e.port, "destination.port")).transpose()?.flatten(),
                    dst_host: dst.and_then(|e| boxed(&e.domain)),
                    src_ip: src.and_then(|e| boxed(&e.ip)),
                    src_port: src.map(|e| port(&e.port, "source.port")).transpose()?.flatten(),
                    direction,
                })),
            }
        }
        What::Dns => {
            let q = obj(&raw.dns)
                .and_then(|d| obj(&d.question))
                .and_then(|q| text(&q.name))
                .ok_or("missing field dns.question.name")?;
            Kind::Activity { actor: actor(process)?, what: Activity::Dns { query: q.into() } }
        }
        What::File => {
            let path = obj(&raw.file).and_then(|f| text(&f.path)).ok_or("missing field file.path")?;
            Kind::Activity { actor: actor(process)?, what: Activity::FileCreate { path: path.into() } }
        }
        What::Library => {
            let path = obj(&raw.dll)
                .and_then(|f| text(&f.path))
                .or_else(|| obj(&raw.file).and_then(|f| text(&f.path)))
                .ok_or("missing field dll.path")?;
            if !is_script_or_clr_module(path) {
                return Ok(Decoded::Ignored(schema));
            }
            Kind::Activity { actor: actor(process)?, what: Activity::ImageLoad { path: path.into() } }
        }
    };
    // The Sysmon integration keeps the record number Winlogbeat read.
    let record = obj(&raw.winlog).and_then(|w| super::fields::record_id(&w.record_id));
    Ok(Decoded::Event(Event { record, ..Event::utc(index, host, time, schema, kind) }))
}

enum What {
    Start,
    End,
    Network,
    Dns,
    File,
    Library,
}

fn classify(ev: &EcsEvent, raw: &Raw) -> Option<What> {
    // The Sysmon integration keeps the event id in `event.code`.
    if let Some(code) = text(&ev.code) {
        match code {
            "1" => return Some(What::Start),
            "5" => return Some(What::End),
            "3" => return Some(What::Network),
            "22" => return Some(What::Dns),
            "11" => return Some(What::File),
            "7" => return Some(What::Library),
            _ => {}
        }
    }
    let action = text(&ev.action).unwrap_or("");
    if ev.category.has("process") {
        if ev.kind.has("start") {
            return Some(What::Start);
        }
        if ev.kind.has("end") {
            return Some(What::End);
        }
        return None;
    }
    if ev.category.has("network") {
        if obj(&raw.dns).and_then(|d| obj(&d.question)).and_then(|q| text(&q.name)).is_some() {
            // Defend writes a request and a result per lookup; the request
            // is the event (the result would repeat it).
            return (action != "lookup_result").then_some(What::Dns);
        }
        if obj(&raw.destination).is_some() && !ev.kind.has("end") && action != "disconnect_received" {
            return Some(What::Network);
        }
        return None;
    }
    if ev.category.has("file") && (ev.kind.has("creation") || action.eq_ignore_ascii_case("creation")) {
        return Some(What::File);
    }
    if ev.category.has("library") {
        return Some(What::Library);
    }
    None
}

fn proc_ref(p: &ProcObj, name: &str) -> Result<ProcessRef, String> {
    let r = ProcessRef { pid: pid(&p.pid, &format!("{name}.pid"))?, guid: guid(&p.entity_id) };
    if r.pid.is_none() && r.guid.is_none() {
        return Err(format!("missing field {name}.pid and {name}.entity_id"));
    }
    Ok(r)
}

/// The process that did something; an event naming none (no `process`,
/// or one with neither pid nor entity id) is unattributable, not invalid.
fn actor(p: Option<&ProcObj>) -> Result<Actor, String> {
    let p = p.ok_or(super::UNATTRIBUTABLE)?;
    let process = proc_ref(p, "process").map_err(|e| {
        if e.starts_with("missing field") {
            super::UNATTRIBUTABLE.to_string()
        } else {
            e
        }
    })?;
    Ok(Actor { process, image: boxed(&p.executable).or_else(|| boxed(&p.name)) })
}

fn user(raw: &Raw) -> Option<Box<str>> {
    let u = obj(&raw.ecs_user)?;
    match (text(&u.domain), text(&u.name)) {
        (Some(d), Some(n)) => Some(format!("{d}\\{n}").into()),
        (None, Some(n)) => Some(n.into()),
        _ => None,
    }
}
