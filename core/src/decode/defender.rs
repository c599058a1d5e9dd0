//! Microsoft Defender XDR advanced hunting rows (DeviceProcessEvents,
//! DeviceNetworkEvents, DeviceFileEvents, DeviceEvents DNS,
//! DeviceImageLoadEvents), bare or inside the streaming API's
//! `{"records":[{"category":..,"properties":{..}}]}` wrapper.
//!
//! Defender has no process GUID: a process is DeviceId + ProcessId +
//! ProcessCreationTime, which becomes a composite id so that rows link the
//! way GUIDs do.

use super::fields::{boxed, pid, port, text, timestamp, Field};
use super::raw::Raw;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::names::EntityId;

/// A bare row: `DeviceId` + `ActionType` + `Timestamp`.
pub(crate) fn is_row(raw: &Raw) -> bool {
    raw.d_device_id.is_some() && raw.d_action_type.is_some() && raw.d_timestamp.is_some()
}

/// Decodes one row; `Ok(None)` for an action we do not use.
pub(crate) fn decode_row(raw: &Raw, schema: Schema, index: u64) -> Result<Option<Event>, String> {
    let action = text(&raw.d_action_type).ok_or("missing field ActionType")?;
    let host = text(&raw.d_device_name).ok_or("missing field DeviceName")?;
    let device = text(&raw.d_device_id).ok_or("missing field DeviceId")?;
    let time = timestamp(&raw.d_timestamp, "Timestamp")?.ok_or("missing field Timestamp")?;
    let initiating = || -> Result<Actor, String> {
        let p = pid(&raw.d_ip_id, "InitiatingProcessId")?;
        let id = composite(device, p, &raw.d_ip_creation_time)?;
        if p.is_none() && id.is_none() {
            // A valid row that names no process: unattributable, not bad.
            return Err(super::UNATTRIBUTABLE.into());
        }
        Ok(Actor {
            process: ProcessRef { pid: p, guid: id },
            image: path(&raw.d_ip_folder_path, &raw.d_ip_file_name).map(Into::into),
        })
    };
    let kind = match action {
        "ProcessCreated" => {
            let p = pid(&raw.process_id, "ProcessId")?.ok_or("missing field ProcessId")?;
            let image = path(&raw.d_folder_path, &raw.d_file_name).ok_or("missing field FolderPath")?;
            let user = match (text(&raw.d_account_domain), text(&raw.d_account_name)) {
                (Some(d), Some(n)) => Some(format!("{d}\\{n}").into()),
                (None, Some(n)) => Some(n.into()),
                _ => None,
            };
            Kind::ProcessStart(Box::new(ProcessStart {
                process: ProcessRef { pid: Some(p), guid: composite(device, Some(p), &raw.d_process_creation_time)? },
                image: image.into(),
                original_file_name: boxed(&raw.d_process_original_file_name),
                command_line: boxed(&raw.d_process_command_line),
                user,
                parent: initiating().unwrap_or_default(),
                parent_command_line: boxed(&raw.d_ip_command_line),
            }))
        }
        "ConnectionSuccess"
        | "ConnectionFailed"
        | "ConnectionRequest"
        | "ConnectionAttempt"
        | "InboundConnectionAccepted" => {
            let inbound = action == "InboundConnectionAccepted";
            let remote = (boxed(&raw.d_remote_ip), port(&raw.d_remote_port, "RemotePort")?);
            let local = (boxed(&raw.d_local_ip), port(&raw.d_local_port, "LocalPort")?);
            let ((dst_ip, dst_port), (src_ip, src_port)) = if inbound { (local, remote) } else { (remote, local) };
            Kind::Activity {
                actor: initiating()?,
                what: Activity::Network(Box::new(Network {
                    dst_ip,
                    dst_port,
                    dst_host: if inbound { None } else { boxed(&raw.d_remote_url) },
                    src_ip,
                    src_port,
                    direction: if inbound { Direction::Inbound } else { Direction::Outbound },
                })),
            }
        }
        "FileCreated" => {
            let p = path(&raw.d_folder_path, &raw.d_file_name).ok_or("missing field FolderPath")?;
            Kind::Activity { actor: initiating()?, what: Activity::FileCreate { path: p.into() } }
        }
        "DnsQueryResponse" => {
            let q = raw
                .d_additional_fields
                .as_ref()
                .and_then(|a| a.dns_query.as_deref())
                .ok_or("missing field AdditionalFields.DnsQueryString")?;
            Kind::Activity { actor: initiating()?, what: Activity::Dns { query: q.into() } }
        }
        "ImageLoaded" => {
            let p = path(&raw.d_folder_path, &raw.d_file_name).ok_or("missing field FolderPath")?;
            if !super::fields::is_script_or_clr_module(&p) {
                return Ok(None);
            }
            Kind::Activity { actor: initiating()?, what: Activity::ImageLoad { path: p.into() } }
        }
        _ => return Ok(None),
    };
    Ok(Some(Event::utc(index, host, time, schema, kind)))
}

/// `FolderPath` is documented as the folder but real rows hold the full
/// path; join `FileName` only when it is not already the last component.
fn path(folder: &Field, file: &Field) -> Option<String> {
    match (text(folder), text(file)) {
        (Some(f), Some(n)) if crate::names::basename(f).eq_ignore_ascii_case(n) => Some(f.to_string()),
        (Some(f), Some(n)) => Some(format!("{}\\{n}", f.trim_end_matches('\\'))),
        (Some(f), None) => Some(f.to_string()),
        (None, Some(n)) => Some(n.to_string()),
        (None, None) => None,
    }
}

/// DeviceId + pid + creation time (parsed, so that differing fraction
/// digits of one instant agree).
fn composite(device: &str, pid: Option<u32>, created: &Field) -> Result<Option<EntityId>, String> {
    let (Some(pid), Some(t)) = (pid, timestamp(created, "ProcessCreationTime")?) else { return Ok(None) };
    Ok(Some(EntityId::composite(&format!("dfd:{}:{pid}:{t}", device.to_ascii_lowercase()))))
}
