//! Windows event logs — Sysmon and Security auditing — in the four JSON
//! shapes real pipelines emit: flat (nxlog, OTRF exports), `evtx_dump`
//! nested, Winlogbeat, and Vector's `windows_event_log` source
//! (`event_id`, `channel`, `computer` at the top, every `event_data`
//! value a string). The shape only says where fields live; the
//! channel and event id say what the event is.

use super::fields::{boxed, guid, is_script_or_clr_module, obj, pid, port, required, text, timestamp};
use super::raw::{Element, Raw, Winlog};
use super::Decoded;
use crate::event::{Activity, Actor, Clock, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::time::Millis;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    Flat,
    Evtx,
    Winlogbeat,
    Vector,
}

/// Where the System-level fields are.
#[derive(Clone, Copy)]
pub(crate) enum System<'r, 'a> {
    Raw(&'r Raw<'a>),
    Winlog(&'r Winlog<'a>),
    /// Vector: lower-case System fields at the top level.
    Vector(&'r Raw<'a>),
}

/// The three shapes, by where the System and EventData fields live (in
/// the flat shape both are the top level).
pub(crate) fn shape<'r, 'a>(raw: &'r Raw<'a>) -> Option<(Shape, System<'r, 'a>, &'r Raw<'a>)> {
    if let Some(ev) = obj(&raw.event_xml) {
        if let Some(sys) = obj(&ev.system) {
            return Some((Shape::Evtx, System::Raw(sys), obj(&ev.event_data).unwrap_or(&*EMPTY)));
        }
    }
    if let Some(w) = obj(&raw.winlog) {
        if w.event_id.is_some() || w.channel.is_some() {
            return Some((Shape::Winlogbeat, System::Winlog(w), obj(&w.event_data).unwrap_or(&*EMPTY)));
        }
    }
    if raw.event_id.is_some() && (raw.channel.is_some() || raw.source_name.is_some()) {
        return Some((Shape::Flat, System::Raw(raw), raw));
    }
    if raw.v_event_id.is_some() && (raw.v_channel.is_some() || raw.v_provider_name.is_some()) {
        return Some((Shape::Vector, System::Vector(raw), obj(&raw.v_event_data).map_or(&*EMPTY, |d| &**d)));
    }
    None
}

pub(crate) static EMPTY: std::sync::LazyLock<Raw<'static>> = std::sync::LazyLock::new(Raw::default);

#[derive(Clone, Copy, PartialEq)]
enum Log {
    Sysmon,
    Security,
    Other,
}

pub(crate) fn decode(raw: &Raw, shape: Shape, system: System, data: &Raw, index: u64) -> Result<Decoded, String> {
    let (id_field, name) = match system {
        System::Raw(r) => (&r.event_id, "EventID"),
        System::Winlog(w) => (&w.event_id, "winlog.event_id"),
        System::Vector(r) => (&r.v_event_id, "event_id"),
    };
    let event_id = super::fields::uint(id_field, name)?.ok_or_else(|| format!("missing field {name}"))?;
    let log = log_of(system);
    let schema = match (log, shape) {
        (Log::Sysmon, Shape::Flat) => Schema::SysmonFlat,
        (Log::Sysmon, Shape::Evtx) => Schema::SysmonEvtx,
        (Log::Sysmon, Shape::Winlogbeat) => Schema::SysmonWinlogbeat,
        (Log::Security, Shape::Flat) => Schema::SecurityFlat,
        (Log::Security, Shape::Evtx) => Schema::SecurityEvtx,
        (Log::Security, Shape::Winlogbeat) => Schema::SecurityWinlogbeat,
        (Log::Other, Shape::Flat) => Schema::WindowsFlat,
        (Log::Other, Shape::Evtx) => Schema::WindowsEvtx,
        (Log::Other, Shape::Winlogbeat) => Schema::WindowsWinlogbeat,
        (Log::Sysmon, Shape::Vector) => Schema::SysmonVector,
        (Log::Security, Shape::Vector) => Schema::SecurityVector,
        (Log::Other, Shape::Vector) => Schema::WindowsVector,
    };
    let used = match log {
        Log::Sysmon => matches!(event_id, 1 | 3 | 5 | 7 | 11 | 15 | 22),
        Log::Security => matches!(event_id, 4688 | 4689 | 5156),
        Log::Other => false,
    };
    if !used {
        return Ok(Decoded::Ignored(schema));
    }
    let host = host(shape, raw, system).ok_or("missing field Computer/Hostname (the host)")?;
    let (time, clock) = event_time(shape, raw, system, data, log == Log::Sysmon)?;
    // Sysmon's UtcTime is preferred; the record's own time is kept beside it.
    let alt_time = if log == Log::Sysmon && clock == Clock::Utc && timestamp(&data.utc_time, "UtcTime")?.is_some() {
        record_time(shape, raw, system).and_then(|(t, c)| crate::time::parse_timestamp(t).map(|t| (t, c)))
    } else {
        None
    };
    let kind = match log {
        Log::Sysmon => sysmon(event_id, data),
        _ => security(event_id, data),
    };
    let kind = match kind {
        Err(e) if e == super::UNATTRIBUTABLE => return Ok(Decoded::Unattributable(schema)),
        other => other?,
    };
    let Some(kind) = kind else { return Ok(Decoded::Ignored(schema)) };
    let record = super::fields::record_id(match system {
        System::Raw(r) => &r.record_id,
        System::Winlog(w) => &w.record_id,
        System::Vector(r) => &r.v_record_id,
    });
    Ok(Decoded::Event(Event { index, record, host: host.to_string(), time, clock, alt_time, schema, kind }))
}

fn log_of(system: System) -> Log {
    let (channel, provider) = match system {
        System::Raw(r) => {
            (text(&r.channel), text(&r.source_name).or_else(|| r.provider.as_ref().and_then(Element::name)))
        }
        System::Winlog(w) => (text(&w.channel), text(&w.provider_name)),
        System::Vector(r) => (text(&r.v_channel), text(&r.v_provider_name)),
    };
    let is = |v: Option<&str>, s: &str| v.is_some_and(|c| c.eq_ignore_ascii_case(s));
    if is(channel, "Microsoft-Windows-Sysmon/Operational") || is(provider, "Microsoft-Windows-Sysmon") {
        Log::Sysmon
    } else if is(channel, "Security") || is(provider, "Microsoft-Windows-Security-Auditing") {
        Log::Security
    } else {
        Log::Other
    }
}

fn host<'r>(shape: Shape, raw: &'r Raw, system: System<'r, '_>) -> Option<&'r str> {
    match (shape, system) {
        (_, System::Winlog(w)) => text(&w.computer_name).or_else(|| obj(&raw.host).and_then(|h| text(&h.name))),
        (_, System::Raw(r)) => text(&r.computer).or_else(|| text(&r.hostname)),
        (_, System::Vector(r)) => text(&r.v_computer),
    }
}

/// Sysmon's `UtcTime` is the event's true UTC time. Without it, the
/// record's own time: UTC in `evtx_dump` and Winlogbeat, but in flat
/// exports an exporter's field that is sometimes local time labelled UTC.
fn event_time(shape: Shape, raw: &Raw, system: System, data: &Raw, sysmon: bool) -> Result<(Millis, Clock), String> {
    if sysmon {
        if let Some(t) = timestamp(&data.utc_time, "UtcTime")? {
            return Ok((t, Clock::Utc));
        }
    }
    match record_time(shape, raw, system) {
        Some((t, clock)) => {
            crate::time::parse_timestamp(t).map(|t| (t, clock)).ok_or_else(|| "event time: not a timestamp".into())
        }
        None if sysmon => Err("missing field UtcTime (the event time)".into()),
        None => Err("missing field TimeCreated (the event time)".into()),
    }
}

/// The record's own time field and the clock it is on: UTC in `evtx_dump`
/// and Winlogbeat, but in flat exports an exporter's field that is
/// sometimes local time labelled UTC.
fn record_time<'r>(shape: Shape, raw: &'r Raw, system: System<'r, '_>) -> Option<(&'r str, Clock)> {
    match (shape, system) {
        (Shape::Evtx, System::Raw(sys)) => sys
            .time_created
            .as_ref()
            .and_then(Element::time)
            .or_else(|| obj(&sys.time_created_attributes).and_then(|a| text(&a.system_time)))
            .map(|t| (t, Clock::Utc)),
        (Shape::Winlogbeat, _) => text(&raw.timestamp).map(|t| (t, Clock::Utc)),
        // Vector's `timestamp` is the record's TimeCreated, in UTC.
        (Shape::Vector, _) => text(&raw.v_timestamp).map(|t| (t, Clock::Utc)),
        _ => raw
            .time_created
            .as_ref()
            .and_then(Element::time)
            .or_else(|| text(&raw.timestamp))
            .or_else(|| text(&raw.event_time))
            .map(|t| (t, Clock::Exporter)),
    }
}

fn sysmon(event_id: u64, d: &Raw) -> Result<Option<Kind>, String> {
    let activity =
        |what: Activity| -> Result<Option<Kind>, String> { Ok(Some(Kind::Activity { actor: actor(d)?, what })) };
    match event_id {
        1 => {
            let process = process_ref(&d.process_id, "ProcessId", &d.process_guid, "ProcessGuid")?;
            let image = required(&d.image, "Image")?;
            Ok(Some(Kind::ProcessStart(Box::new(ProcessStart {
                process,
                image: image.into(),
                original_file_name: boxed(&d.original_file_name).filter(|o| &**o != "?"),
                command_line: boxed(&d.command_line),
                user: boxed(&d.user),
                parent: Actor {
                    process: ProcessRef {
                        pid: pid(&d.parent_process_id, "ParentProcessId")?,
                        guid: guid(&d.parent_process_guid),
                    },
                    image: boxed(&d.parent_image),
                },
                parent_command_line: boxed(&d.parent_command_line),
            }))))
        }
        5 => Ok(Some(Kind::ProcessEnd(actor(d)?))),
        3 => {
            let direction = match d.initiated.as_ref().and_then(crate::scalar::Scalar::boolean) {
                Some(true) => Direction::Outbound,
                Some(false) => Direction::Inbound,
                None => Direction::Unknown,
            };
            activity(Activity::Network(Box::new(Network {
                dst_ip: boxed(&d.destination_ip),
                dst_port: port(&d.destination_port, "DestinationPort")?,
                dst_host: boxed(&d.destination_hostname),
                src_ip: boxed(&d.source_ip),
                src_port: port(&d.source_port, "SourcePort")?,
                direction,
            })))
        }
        22 => activity(Activity::Dns { query: required(&d.query_name, "QueryName")?.into() }),
        11 => activity(Activity::FileCreate { path: required(&d.target_filename, "TargetFilename")?.into() }),
        // A named stream was written (`file:stream`): a downloaded file's
        // Zone.Identifier, or content hidden in an alternate data stream.
        15 => {
            let path = required(&d.target_filename, "TargetFilename")?;
            let stream = path.rsplit('\\').next().is_some_and(|name| name.contains(':'));
            let path = if stream { path.to_string() } else { format!("{path}:(stream)") };
            activity(Activity::FileCreate { path: path.into() })
        }
        7 => {
            let path = required(&d.image_loaded, "ImageLoaded")?;
            if !is_script_or_clr_module(path) {
                return Ok(None);
            }
            activity(Activity::ImageLoad { path: path.into() })
        }
        _ => Ok(None),
    }
}

fn security(event_id: u64, d: &Raw) -> Result<Option<Kind>, String> {
    match event_id {
        4688 => {
            let new_pid = pid(&d.new_process_id, "NewProcessId")?.ok_or("missing field NewProcessId")?;
            let image = required(&d.new_process_name, "NewProcessName")?;
            let user = match (text(&d.target_user_name), text(&d.target_domain_name)) {
                (Some(u), Some(dom)) => Some(format!("{dom}\\{u}")),
                (Some(u), None) => Some(u.to_string()),
                _ => match (text(&d.subject_user_name), text(&d.subject_domain_name)) {
                    (Some(u), Some(dom)) => Some(format!("{dom}\\{u}")),
                    (Some(u), None) => Some(u.to_string()),
                    _ => None,
                },
            };
            Ok(Some(Kind::ProcessStart(Box::new(ProcessStart {
                process: ProcessRef { pid: Some(new_pid), guid: None },
                image: image.into(),
                original_file_name: None,
                command_line: boxed(&d.command_line),
                user: user.map(Into::into),
                parent: Actor {
                    process: ProcessRef { pid: pid(&d.process_id, "ProcessId")?, guid: None },
                    image: boxed(&d.parent_process_name),
                },
                parent_command_line: None,
            }))))
        }
        4689 => {
            let p = pid(&d.process_id, "ProcessId")?.ok_or("missing field ProcessId")?;
            Ok(Some(Kind::ProcessEnd(Actor {
                process: ProcessRef { pid: Some(p), guid: None },
                image: boxed(&d.process_name),
            })))
        }
        5156 => {
            // The pid is decimal here (unlike 4688); the key is `ProcessID`,
            // `ProcessId` in some exports.
            let field = if d.process_id_upper.is_some() { &d.process_id_upper } else { &d.process_id };
            let p = pid(field, "ProcessID")?.ok_or("missing field ProcessID")?;
            let direction = match text(&d.direction) {
                Some("%%14593") => Direction::Outbound,
                Some("%%14592") => Direction::Inbound,
                Some(s) if s.eq_ignore_ascii_case("outbound") => Direction::Outbound,
                Some(s) if s.eq_ignore_ascii_case("inbound") => Direction::Inbound,
                _ => Direction::Unknown,
            };
            Ok(Some(Kind::Activity {
                actor: Actor { process: ProcessRef { pid: Some(p), guid: None }, image: boxed(&d.application) },
                what: Activity::Network(Box::new(Network {
                    dst_ip: boxed(&d.dest_address),
                    dst_port: port(&d.dest_port, "DestPort")?,
                    dst_host: None,
                    src_ip: boxed(&d.source_address),
                    src_port: port(&d.source_port, "SourcePort")?,
                    direction,
                })),
            }))
        }
        _ => Ok(None),
    }
}

/// The process that did something. `<unknown process>` (Sysmon could not
/// resolve the image) is an absent image, not a name.
fn actor(d: &Raw) -> Result<Actor, String> {
    let process = process_ref(&d.process_id, "ProcessId", &d.process_guid, "ProcessGuid").map_err(|e| {
        if e.starts_with("missing field") {
            super::UNATTRIBUTABLE.to_string()
        } else {
            e
        }
    })?;
    Ok(Actor { process, image: boxed(&d.image).filter(|i| !i.eq_ignore_ascii_case("<unknown process>")) })
}

fn process_ref(
    pid_field: &super::fields::Field,
    pid_name: &str,
    guid_field: &super::fields::Field,
    guid_name: &str,
) -> Result<ProcessRef, String> {
    let r = ProcessRef { pid: pid(pid_field, pid_name)?, guid: guid(guid_field) };
    if r.pid.is_none() && r.guid.is_none() {
        return Err(format!("missing field {pid_name} and {guid_name}"));
    }
    Ok(r)
}
