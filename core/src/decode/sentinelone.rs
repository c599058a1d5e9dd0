//! SentinelOne Deep Visibility, Singularity Data Lake and Cloud Funnel
//! events, with flat dotted keys as exported (`"src.process.uid"`) or as
//! nested objects (`{"src":{"process":{"uid":..}}}`): both read the same.
//!
//! The traps: in a process creation `src.process` is the *parent* and
//! `tgt.process` the new process; in file, DNS, IP and module events
//! `src.process` is the process that acted. A process's identity is its
//! `uid` (storyline ids group a whole tree and are not identities). The
//! event type is `"Process Creation"` in Deep Visibility and
//! `"ProcessCreation"` in Cloud Funnel; both spellings are read, in any
//! case. `event.time` is epoch milliseconds; `timestamp` is a time of day
//! only and is not read.

use super::fields::{is_script_or_clr_module, pid, port};
use super::paths::{first, id_text, path_row, read, source_id, time, F};
use super::raw::Raw;
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};

path_row! {
    Row {
        event_type = "event.type",
        event_time = "event.time",
        host = "endpoint.name",
        src_uid = "src.process.uid",
        src_pid = "src.process.pid",
        src_image = "src.process.image.path",
        src_cmd = "src.process.cmdline",
        src_name = "src.process.name",
        tgt_uid = "tgt.process.uid",
        tgt_pid = "tgt.process.pid",
        tgt_image = "tgt.process.image.path",
        tgt_cmd = "tgt.process.cmdline",
        tgt_name = "tgt.process.name",
        tgt_user = "tgt.process.user",
        tgt_start = "tgt.process.startTime",
        tgt_original = "tgt.process.image.originalFileName",
        tgt_file = "tgt.file.path",
        dns = "event.dns.request",
        direction = "event.network.direction",
        dst_ip = "dst.ip.address",
        dst_port = "dst.port.number",
        src_ip = "src.ip.address",
        src_port = "src.port.number",
        module = "module.path",
    }
}

/// Flat exports have `event.type` and `endpoint.name` keys; nested ones an
/// `endpoint` object and `src`/`tgt` objects, keys no other schema has.
pub(crate) fn is_sentinelone(raw: &Raw) -> bool {
    raw.s1_event_type.is_some() && raw.s1_endpoint_name.is_some()
        || raw.s1_endpoint.is_some() && (raw.s1_src.is_some() || raw.s1_tgt.is_some())
}

pub(crate) fn decode(text: &str, index: u64) -> Result<Decoded, String> {
    let schema = Schema::SentinelOne;
    let r: Row = read(text)?;
    let ty = first(&[&r.event_type]).ok_or("missing field event.type")?;
    // "Process Creation" / "ProcessCreation", "DNS Resolved" / "DNSResolved".
    let ty: String = ty.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    let host = first(&[&r.host]).ok_or("missing field endpoint.name")?;
    let event_time = time(&r.event_time, "event.time")?;
    let (kind, at) = match ty.as_str() {
        "processcreation" => {
            let process = proc_ref(&r.tgt_uid, &r.tgt_pid, "tgt.process")?;
            let image = first(&[&r.tgt_image, &r.tgt_name]).ok_or("missing field tgt.process.image.path")?;
            let parent = proc_ref(&r.src_uid, &r.src_pid, "src.process").unwrap_or_default();
            let kind = Kind::ProcessStart(Box::new(ProcessStart {
                process,
                image: image.into(),
                original_file_name: first(&[&r.tgt_original]).map(Into::into),
                command_line: first(&[&r.tgt_cmd]).map(Into::into),
                user: first(&[&r.tgt_user]).map(Into::into),
                parent: Actor { process: parent, image: first(&[&r.src_image, &r.src_name]).map(Into::into) },
                parent_command_line: first(&[&r.src_cmd]).map(Into::into),
            }));
            (kind, time(&r.tgt_start, "tgt.process.startTime")?.or(event_time))
        }
        "processtermination" | "processexit" => {
            // The process that ended is the target where one is given.
            let (uid, p, image, name) = if r.tgt_uid.is_some() || r.tgt_pid.is_some() {
                (&r.tgt_uid, &r.tgt_pid, &r.tgt_image, "tgt.process")
            } else {
                (&r.src_uid, &r.src_pid, &r.src_image, "src.process")
            };
            let process = proc_ref(uid, p, name)?;
            (Kind::ProcessEnd(Actor { process, image: first(&[image]).map(Into::into) }), event_time)
        }
        "ipconnect" => {
            let direction = match first(&[&r.direction]) {
                Some(d) if d.eq_ignore_ascii_case("outgoing") => Direction::Outbound,
                Some(d) if d.eq_ignore_ascii_case("incoming") => Direction::Inbound,
                _ => Direction::Unknown,
            };
            let net = Network {
                dst_ip: first(&[&r.dst_ip]).map(Into::into),
                dst_port: port(&r.dst_port, "dst.port.number")?,
                dst_host: None,
                src_ip: first(&[&r.src_ip]).map(Into::into),
                src_port: port(&r.src_port, "src.port.number")?,
                direction,
            };
            (Kind::Activity { actor: actor(&r)?, what: Activity::Network(Box::new(net)) }, event_time)
        }
        "dnsresolved" | "dnsunresolved" | "dns" => {
            let q = first(&[&r.dns]).ok_or("missing field event.dns.request")?;
            (Kind::Activity { actor: actor(&r)?, what: Activity::Dns { query: q.into() } }, event_time)
        }
        "filecreation" => {
            let path = first(&[&r.tgt_file]).ok_or("missing field tgt.file.path")?;
            (Kind::Activity { actor: actor(&r)?, what: Activity::FileCreate { path: path.into() } }, event_time)
        }
        "moduleload" => {
            let path = first(&[&r.module]).ok_or("missing field module.path")?;
            if !is_script_or_clr_module(path) {
                return Ok(Decoded::Ignored(schema));
            }
            (Kind::Activity { actor: actor(&r)?, what: Activity::ImageLoad { path: path.into() } }, event_time)
        }
        _ => return Ok(Decoded::Ignored(schema)),
    };
    let time = at.ok_or("missing field event.time")?;
    Ok(Decoded::Event(Event::utc(index, host, time, schema, kind)))
}

/// `uid` is the identity (as `s1:<uid>`), `pid` the OS pid.
fn proc_ref(uid: &F, p: &F, name: &str) -> Result<ProcessRef, String> {
    let r = ProcessRef { pid: pid(p, &format!("{name}.pid"))?, guid: id_text(uid).map(|u| source_id("s1", &u)) };
    if r.pid.is_none() && r.guid.is_none() {
        return Err(format!("missing field {name}.uid and {name}.pid"));
    }
    Ok(r)
}

/// The acting process of a file, DNS, IP or module event: `src.process`.
fn actor(r: &Row) -> Result<Actor, String> {
    let process = proc_ref(&r.src_uid, &r.src_pid, "src.process").map_err(|e| {
        if e.starts_with("missing field") {
            super::UNATTRIBUTABLE.to_string()
        } else {
            e
        }
    })?;
    Ok(Actor { process, image: first(&[&r.src_image, &r.src_name]).map(Into::into) })
}
