//! OCSF 1.x: Process Activity (1007), Network Activity (4001), DNS
//! Activity (4003), File System Activity (1001, Create) and Module
//! Activity (1005, Load). Time is epoch milliseconds.

use super::fields::{boxed, guid, is_script_or_clr_module, obj, pid, port, text, timestamp, uint};
use super::raw::{Endpoint, ProcObj, Raw};
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::names::EntityId;

pub(crate) fn is_ocsf(raw: &Raw) -> bool {
    raw.class_uid.is_some() && obj(&raw.metadata).is_some_and(|m| m.version.is_some())
}

pub(crate) fn decode(raw: &Raw, index: u64) -> Result<Decoded, String> {
    let schema = Schema::Ocsf;
    let class = uint(&raw.class_uid, "class_uid")?.ok_or("missing field class_uid")?;
    let activity = uint(&raw.activity_id, "activity_id")?.unwrap_or(0);
    let used = matches!((class, activity), (1007, 1 | 2) | (4001, 1) | (4003, 1 | 2 | 6) | (1001, 1) | (1005, 1));
    if !used {
        return Ok(Decoded::Ignored(schema));
    }
    let host = obj(&raw.device)
        .and_then(|d| text(&d.hostname).or_else(|| text(&d.name)))
        .ok_or("missing field device.hostname")?;
    let time = timestamp(&raw.time, "time")?.ok_or("missing field time")?;
    let actor_proc = obj(&raw.actor).and_then(|a| obj(&a.process)).map(|b| &**b);
    let process = obj(&raw.process).map(|b| &**b);
    let kind = match class {
        1007 => {
            let p = process.ok_or("missing field process")?;
            if activity == 2 {
                Kind::ProcessEnd(actor(Some(p), "process")?)
            } else {
                // The launcher: `process.parent_process`, else `actor.process`.
                let parent = obj(&p.parent_process).map(|b| &**b).or(actor_proc);
                Kind::ProcessStart(Box::new(ProcessStart {
                    process: proc_ref(p, "process")?,
                    image: image(p).ok_or("missing field process.file.path")?.into(),
                    original_file_name: None,
                    command_line: boxed(&p.cmd_line),
                    user: obj(&p.user).and_then(|u| match (text(&u.domain), text(&u.name)) {
                        (Some(d), Some(n)) => Some(format!("{d}\\{n}").into()),
                        (None, Some(n)) => Some(n.into()),
                        _ => None,
                    }),
                    parent: match parent {
                        Some(q) => Actor {
                            process: proc_ref(q, "actor.process").unwrap_or_default(),
                            image: image(q).map(Into::into),
                        },
                        None => Actor::default(),
                    },
                    parent_command_line: parent.and_then(|q| boxed(&q.cmd_line)),
                }))
            }
        }
        4001 => {
            let dst = obj(&raw.dst_endpoint);
            let src = obj(&raw.src_endpoint);
            let direction = match obj(&raw.connection_info)
                .map(|c| uint(&c.direction_id, "connection_info.direction_id"))
                .transpose()?
                .flatten()
            {
                Some(1) => Direction::Inbound,
                Some(2) => Direction::Outbound,
                _ => Direction::Unknown,
            };
            Kind::Activity {
                actor: actor(actor_proc, "actor.process")?,
                what: Activity::Network(Box::new(Network {
                    dst_ip: dst.and_then(|e| boxed(&e.ip)),
                    dst_port: endpoint_port(dst, "dst_endpoint.port")?,
                    dst_host: dst.and_then(|e| boxed(&e.hostname)),
                    src_ip: src.and_then(|e| boxed(&e.ip)),
                    src_port: endpoint_port(src, "src_endpoint.port")?,
                    direction,
                })),
            }
        }
        4003 => {
            let q = obj(&raw.query).and_then(|q| text(&q.hostname)).ok_or("missing field query.hostname")?;
            Kind::Activity { actor: actor(actor_proc, "actor.process")?, what: Activity::Dns { query: q.into() } }
        }
        1001 => {
            let path = obj(&raw.file).and_then(|f| text(&f.path)).ok_or("missing field file.path")?;
            Kind::Activity {
                actor: actor(actor_proc, "actor.process")?,
                what: Activity::FileCreate { path: path.into() },
            }
        }
        _ => {
            let path = obj(&raw.module)
                .and_then(|m| obj(&m.file))
                .and_then(|f| text(&f.path))
                .ok_or("missing field module.file.path")?;
            if !is_script_or_clr_module(path) {
                return Ok(Decoded::Ignored(schema));
            }
            Kind::Activity {
                actor: actor(actor_proc, "actor.process")?,
                what: Activity::ImageLoad { path: path.into() },
            }
        }
    };
    Ok(Decoded::Event(Event::utc(index, host, time, schema, kind)))
}

fn endpoint_port(e: Option<&Endpoint>, name: &str) -> Result<Option<u16>, String> {
    e.map(|e| port(&e.port, name)).transpose().map(Option::flatten)
}

fn image<'r>(p: &'r ProcObj) -> Option<&'r str> {
    obj(&p.file).and_then(|f| text(&f.path).or_else(|| text(&f.name))).or_else(|| text(&p.name))
}

/// `uid` is the producer's unique id (a Sysmon GUID when the producer is
/// Sysmon); without one, pid and creation time identify the process.
fn proc_ref(p: &ProcObj, name: &str) -> Result<ProcessRef, String> {
    let pid = pid(&p.pid, &format!("{name}.pid"))?;
    let id = guid(&p.uid).or_else(|| {
        let created = timestamp(&p.created_time, "created_time").ok().flatten()?;
        Some(EntityId::composite(&format!("ocsf:{}:{created}", pid?)))
    });
    if pid.is_none() && id.is_none() {
        return Err(format!("missing field {name}.pid and {name}.uid"));
    }
    Ok(ProcessRef { pid, guid: id })
}

/// The process that did something; an event naming none (no actor
/// process, or one with neither pid nor uid) is unattributable, not invalid.
fn actor(p: Option<&ProcObj>, name: &str) -> Result<Actor, String> {
    let p = p.ok_or(super::UNATTRIBUTABLE)?;
    let process = proc_ref(p, name).map_err(|e| {
        if e.starts_with("missing field") {
            super::UNATTRIBUTABLE.to_string()
        } else {
            e
        }
    })?;
    Ok(Actor { process, image: image(p).map(Into::into) })
}
