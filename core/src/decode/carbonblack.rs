//! VMware Carbon Black Cloud event forwarder: `endpoint.event.procstart`,
//! `procend`, `netconn`, `filemod` and `moduleload`, flat JSON.
//!
//! The trap: every event's `process_*` fields describe the process that
//! *acted*, and in `procstart` the actor is the creator, so there the
//! `process_*` fields are the **parent** and the new process is
//! `childproc_guid`, `childproc_pid`, `childproc_name` (a full path) and
//! `target_cmdline`: the reverse of Sysmon's event 1. Process GUIDs are
//! Carbon Black's own (`ORGKEY-devicehex-pidhex-...`), as `cb:<guid>`.
//! There is no DNS event (a connection's `netconn_domain` names the far
//! end). Times are `2024-05-01 10:00:00.1234567 +0000 UTC`.

use super::fields::{is_script_or_clr_module, pid, port};
use super::paths::{first, id_text, path_row, read, source_id, F};
use super::raw::Raw;
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::scalar::Scalar;
use crate::time::Millis;

path_row! {
    Row {
        ty = "type",
        device = "device_name",
        device_time = "device_timestamp",
        backend_time = "backend_timestamp",
        action = "action",
        process_guid = "process_guid",
        process_pid = "process_pid",
        process_path = "process_path",
        process_cmdline = "process_cmdline",
        process_user = "process_username",
        child_guid = "childproc_guid",
        child_pid = "childproc_pid",
        child_name = "childproc_name",
        child_user = "childproc_username",
        target_cmdline = "target_cmdline",
        remote_ip = "remote_ip",
        remote_port = "remote_port",
        local_ip = "local_ip",
        local_port = "local_port",
        netconn_domain = "netconn_domain",
        netconn_inbound = "netconn_inbound",
        filemod = "filemod_name",
        modload = "modload_name",
    }
}

pub(crate) fn is_carbonblack(raw: &Raw) -> bool {
    super::fields::text(&raw.cb_type).is_some_and(|t| t.starts_with("endpoint.event."))
}

pub(crate) fn decode(text: &str, index: u64) -> Result<Decoded, String> {
    let schema = Schema::CarbonBlack;
    let r: Row = read(text)?;
    let ty = first(&[&r.ty]).ok_or("missing field type")?;
    let ty = ty.strip_prefix("endpoint.event.").unwrap_or(ty);
    if !matches!(ty, "procstart" | "procend" | "netconn" | "filemod" | "moduleload") {
        return Ok(Decoded::Ignored(schema));
    }
    // `DOMAIN\HOST` in some tenants.
    let device = first(&[&r.device]).ok_or("missing field device_name")?;
    let host = device.rsplit('\\').next().unwrap_or(device);
    let time = match cb_time(&r.device_time, "device_timestamp")? {
        Some(t) => t,
        None => cb_time(&r.backend_time, "backend_timestamp")?.ok_or("missing field device_timestamp")?,
    };
    let kind = match ty {
        "procstart" => {
            // The new process is the child; `process_*` is its creator.
            let child = proc_ref(&r.child_guid, &r.child_pid, "childproc")?;
            let image = first(&[&r.child_name]).ok_or("missing field childproc_name")?;
            Kind::ProcessStart(Box::new(ProcessStart {
                process: child,
                image: image.into(),
                original_file_name: None,
                command_line: first(&[&r.target_cmdline]).map(Into::into),
                user: first(&[&r.child_user, &r.process_user]).map(Into::into),
                parent: Actor {
                    process: proc_ref(&r.process_guid, &r.process_pid, "process").unwrap_or_default(),
                    image: first(&[&r.process_path]).map(Into::into),
                },
                parent_command_line: first(&[&r.process_cmdline]).map(Into::into),
            }))
        }
        "procend" => Kind::ProcessEnd(Actor {
            process: proc_ref(&r.process_guid, &r.process_pid, "process")?,
            image: first(&[&r.process_path]).map(Into::into),
        }),
        "netconn" => {
            let inbound = r.netconn_inbound.as_ref().and_then(Scalar::boolean);
            let remote = (first(&[&r.remote_ip]).map(Into::into), port(&r.remote_port, "remote_port")?);
            let local = (first(&[&r.local_ip]).map(Into::into), port(&r.local_port, "local_port")?);
            let ((dst_ip, dst_port), (src_ip, src_port)) =
                if inbound == Some(true) { (local, remote) } else { (remote, local) };
            let net = Network {
                dst_ip,
                dst_port,
                dst_host: if inbound == Some(true) { None } else { first(&[&r.netconn_domain]).map(Into::into) },
                src_ip,
                src_port,
                direction: match inbound {
                    Some(true) => Direction::Inbound,
                    Some(false) => Direction::Outbound,
                    None => Direction::Unknown,
                },
            };
            Kind::Activity { actor: actor(&r)?, what: Activity::Network(Box::new(net)) }
        }
        "filemod" => {
            // Creations only: writes, renames and deletions of existing
            // files are not drops.
            if !first(&[&r.action]).is_some_and(|a| a.contains("ACTION_FILE_CREATE")) {
                return Ok(Decoded::Ignored(schema));
            }
            let path = first(&[&r.filemod]).ok_or("missing field filemod_name")?;
            Kind::Activity { actor: actor(&r)?, what: Activity::FileCreate { path: path.into() } }
        }
        _ => {
            let path = first(&[&r.modload]).ok_or("missing field modload_name")?;
            if !is_script_or_clr_module(path) {
                return Ok(Decoded::Ignored(schema));
            }
            Kind::Activity { actor: actor(&r)?, what: Activity::ImageLoad { path: path.into() } }
        }
    };
    Ok(Decoded::Event(Event::utc(index, host, time, schema, kind)))
}

fn proc_ref(guid: &F, p: &F, name: &str) -> Result<ProcessRef, String> {
    let r = ProcessRef { pid: pid(p, &format!("{name}_pid"))?, guid: id_text(guid).map(|g| source_id("cb", &g)) };
    if r.pid.is_none() && r.guid.is_none() {
        return Err(format!("missing field {name}_guid and {name}_pid"));
    }
    Ok(r)
}

fn actor(r: &Row) -> Result<Actor, String> {
    let process = proc_ref(&r.process_guid, &r.process_pid, "process").map_err(|e| {
        if e.starts_with("missing field") {
            super::UNATTRIBUTABLE.to_string()
        } else {
            e
        }
    })?;
    Ok(Actor { process, image: first(&[&r.process_path]).map(Into::into) })
}

/// `2024-05-01 10:00:00.1234567 +0000 UTC` (Go's time format), RFC 3339,
/// or epoch seconds or milliseconds.
fn cb_time(field: &F, name: &str) -> Result<Option<Millis>, String> {
    let Some(Scalar::Str(s)) = field else { return super::paths::time(field, name) };
    let t = s.trim();
    let t = t.strip_suffix(" UTC").unwrap_or(t);
    match t.rsplit_once(' ') {
        // "<date> <time> +0000": the zone joined to the time.
        Some((dt, zone)) if zone.starts_with(['+', '-']) => crate::time::parse_timestamp(&format!("{dt}{zone}"))
            .map(Some)
            .ok_or_else(|| format!("field {name}: not a timestamp")),
        _ => super::paths::time(field, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_times() {
        let t = |s: &str| cb_time(&Some(Scalar::Str(s.into())), "t");
        assert_eq!(t("2024-05-01 10:00:00.1234567 +0000 UTC"), Ok(Some(1_714_557_600_123)));
        assert!(t("2024-05-01 12:00:00 +0200 CEST").is_err());
        assert_eq!(t("2024-05-01 12:00:00 +0200"), Ok(Some(1_714_557_600_000)));
        assert_eq!(t("2024-05-01T10:00:00Z"), Ok(Some(1_714_557_600_000)));
        assert!(t("yesterday").is_err());
    }
}
