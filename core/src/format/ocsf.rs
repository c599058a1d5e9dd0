//! OCSF 1.8.0 Detection Findings (class 2004), one per chain: the chain's
//! root, children, connections, DNS queries, files and modules as
//! evidences, every input index it cites as related events, and what OCSF
//! has no attribute for (the reasons, the chain's own fields) in `unmapped`.

use super::{
    base_name, millis, non_empty, present, split_user, time_span, title, Versioned, ANALYTIC_ID, ANALYTIC_NAME,
    OCSF_VERSION, PRODUCT, TACTIC, TECHNIQUE,
};
use crate::report::{Ancestor, Chain, Direction, Reason, Relation, Severity, Status};
use serde::Serialize;
use std::collections::BTreeMap;

const CLASS_UID: u32 = 2004;
const OCSF_SEVERITY: [&str; 5] = ["Informational", "Low", "Medium", "High", "Critical"];
const OCSF_RISK_LEVEL: [&str; 5] = ["Info", "Low", "Medium", "High", "Critical"];
/// From medium up a finding is an alert.
const ALERT_SEVERITY_ID: u8 = 3;

// OCSF type_uids of the events a chain cites (class_uid * 100 + activity_id).
const TYPE_PROCESS_LAUNCH: u32 = 100701;
const TYPE_FILE_CREATE: u32 = 100101;
const TYPE_MODULE_LOAD: u32 = 100501;
const TYPE_NETWORK_OPEN: u32 = 400101;
const TYPE_DNS_QUERY: u32 = 400301;

pub(super) fn findings<'a>(chains: &[Versioned<'a>], product_version: &'a str) -> Vec<Finding<'a>> {
    chains.iter().map(|v| finding(v.chain, v.version, product_version)).collect()
}

#[derive(Serialize)]
pub(super) struct Finding<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u32,
    type_name: String,
    severity_id: u8,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<i64>,
    status_id: u8,
    status: &'static str,
    is_alert: bool,
    risk_score: i64,
    risk_level_id: u8,
    risk_level: &'static str,
    message: String,
    metadata: Metadata<'a>,
    finding_info: FindingInfo<'a>,
    device: Device<'a>,
    evidences: Vec<Evidence<'a>>,
    unmapped: Unmapped<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: Product<'a>,
    uid: &'a str,
}

#[derive(Serialize)]
struct Product<'a> {
    name: &'static str,
    vendor_name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    title: String,
    desc: String,
    analytic: Analytic,
    attacks: [AttackPair; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_seen_time: Option<i64>,
    related_events: Vec<RelatedEvent>,
}

#[derive(Serialize)]
struct Analytic {
    uid: &'static str,
    name: &'static str,
    type_id: u8,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct AttackPair {
    technique: Named,
    tactic: Named,
}

#[derive(Serialize)]
struct Named {
    uid: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct RelatedEvent {
    uid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    type_uid: Option<u32>,
}

#[derive(Serialize)]
struct Device<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<&'a str>,
    type_id: u8,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Unmapped<'a> {
    reasons: &'a [Reason],
    score: i64,
    severity: Severity,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analytic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    lineage: &'a [Ancestor],
}

/// An OCSF process object.
#[derive(Serialize, Default)]
struct Process<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cmd_line: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<File<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_process: Option<Box<Process<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terminated_time: Option<i64>,
}

impl<'a> Process<'a> {
    fn new(pid: Option<u32>, uid: Option<&'a str>, image: Option<&'a str>, cmd_line: Option<&'a str>) -> Self {
        let image = present(image);
        Process {
            pid,
            uid: present(uid),
            name: image.and_then(base_name),
            cmd_line: present(cmd_line),
            file: image.map(File::new),
            ..Process::default()
        }
    }

    /// A process the report knows something about (its parent, the actor
    /// of an activity), or `None` when every field is absent.
    fn known(
        pid: Option<u32>,
        uid: Option<&'a str>,
        image: Option<&'a str>,
        cmd_line: Option<&'a str>,
    ) -> Option<Self> {
        super::process_known(pid, [uid, image, cmd_line]).then(|| Process::new(pid, uid, image, cmd_line))
    }
}

#[derive(Serialize)]
struct File<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// 1: Regular File.
    type_id: u8,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl<'a> File<'a> {
    fn new(path: &'a str) -> Self {
        File { path: non_empty(path), name: base_name(path), type_id: 1, kind: "Regular File" }
    }
}

#[derive(Serialize)]
struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct Actor<'a> {
    process: Process<'a>,
}

/// The process that made a connection, query, file or module load.
fn actor<'a>(pid: Option<u32>, image: Option<&'a str>) -> Option<Actor<'a>> {
    Process::known(pid, None, image, None).map(|process| Actor { process })
}

/// One evidence artifact; each kind fills its own fields, in this order.
#[derive(Serialize)]
struct Evidence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    process: Option<Process<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_endpoint: Option<Endpoint<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_info: Option<ConnectionInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<Query<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<File<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<Actor<'a>>,
    data: Data<'a>,
}

impl<'a> Evidence<'a> {
    fn of(data: Data<'a>) -> Self {
        Evidence {
            process: None,
            dst_endpoint: None,
            src_endpoint: None,
            connection_info: None,
            query: None,
            file: None,
            actor: None,
            data,
        }
    }
}

#[derive(Serialize)]
struct Endpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<&'a str>,
}

#[derive(Serialize)]
struct ConnectionInfo {
    direction_id: u8,
    direction: &'static str,
}

#[derive(Serialize)]
struct Query<'a> {
    hostname: &'a str,
}

/// What an evidence stands for, with the report's details that OCSF has no
/// attribute for: its `kind`, then the fields that kind has (the others are
/// left out), in one order that serves every kind, and where its event can
/// be found (`file`, `record_id`, when known).
#[derive(Serialize, Default)]
struct Data<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    inferred: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<Relation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    late: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executed_file: Option<bool>,
    events: &'a [u64],
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_id: Option<u64>,
}

impl<'a> Data<'a> {
    fn of(kind: &'static str, events: &'a [u64], file: &'a Option<String>, record_id: Option<u64>) -> Self {
        Data { kind, events, file: file.as_deref(), record_id, ..Data::default() }
    }
}

fn evidences(chain: &Chain) -> Vec<Evidence<'_>> {
    let root = &chain.root;
    let mut out = Vec::new();
    let mut process =
        Process::new(Some(root.pid), root.process_guid.as_deref(), Some(&root.image), root.command_line.as_deref());
    process.created_time = millis(&root.time);
    process.user = split_user(root.user.as_deref()).map(|u| User { domain: u.domain, name: non_empty(u.name) });
    if let Some(p) = &root.parent {
        process.parent_process =
            Process::known(p.pid, p.process_guid.as_deref(), p.image.as_deref(), p.command_line.as_deref())
                .map(Box::new);
    }
    process.terminated_time = root.end_time.as_deref().and_then(millis);
    let data = Data {
        inferred: Some(root.inferred),
        sources: Some(&root.sources),
        ..Data::of("root", &root.events, &root.file, root.record_id)
    };
    out.push(Evidence { process: Some(process), ..Evidence::of(data) });
    for c in &chain.children {
        let mut process =
            Process::new(Some(c.pid), c.process_guid.as_deref(), Some(&c.image), c.command_line.as_deref());
        process.created_time = millis(&c.time);
        if let Some(pid) = c.parent_pid {
            process.parent_process = Some(Box::new(Process { pid: Some(pid), ..Process::default() }));
        }
        let data = Data {
            depth: Some(c.depth),
            late: Some(c.late),
            executed_file: Some(c.executed_file),
            ..Data::of("child", &c.events, &c.file, c.record_id)
        };
        out.push(Evidence { process: Some(process), ..Evidence::of(data) });
    }
    for n in &chain.network {
        let (direction_id, direction) = match n.direction {
            Direction::Inbound => (1, "Inbound"),
            Direction::Outbound => (2, "Outbound"),
            Direction::Unknown => (0, "Unknown"),
        };
        out.push(Evidence {
            dst_endpoint: Some(Endpoint {
                ip: present(n.dst_ip.as_deref()),
                port: n.dst_port,
                hostname: present(n.dst_host.as_deref()),
            }),
            src_endpoint: Some(Endpoint { ip: present(n.src_ip.as_deref()), port: n.src_port, hostname: None }),
            connection_info: Some(ConnectionInfo { direction_id, direction }),
            actor: actor(n.pid, n.image.as_deref()),
            ..Evidence::of(Data {
                time: Some(&n.time),
                late: Some(n.late),
                sources: Some(&n.sources),
                ..Data::of("network", &n.events, &n.file, n.record_id)
            })
        });
    }
    for d in &chain.dns {
        out.push(Evidence {
            query: Some(Query { hostname: &d.query }),
            actor: actor(d.pid, d.image.as_deref()),
            ..Evidence::of(Data {
                time: Some(&d.time),
                late: Some(d.late),
                ..Data::of("dns", std::slice::from_ref(&d.event), &d.file, d.record_id)
            })
        });
    }
    for f in &chain.files {
        out.push(Evidence {
            file: Some(File::new(&f.path)),
            actor: actor(f.pid, f.image.as_deref()),
            ..Evidence::of(Data {
                relation: Some(f.relation),
                time: Some(&f.time),
                late: Some(f.late),
                ..Data::of("file", std::slice::from_ref(&f.event), &f.file, f.record_id)
            })
        });
    }
    for m in &chain.modules {
        out.push(Evidence {
            file: Some(File::new(&m.path)),
            actor: actor(m.pid, m.image.as_deref()),
            ..Evidence::of(Data {
                time: Some(&m.time),
                ..Data::of("module", std::slice::from_ref(&m.event), &m.file, m.record_id)
            })
        });
    }
    out
}

/// Every input index the chain cites, ascending, each with the OCSF
/// type_uid of its event when known (the first kind that cites it).
fn related_events(chain: &Chain) -> Vec<RelatedEvent> {
    let mut types: BTreeMap<u64, Option<u32>> = BTreeMap::new();
    let mut add = |index: u64, kind: Option<u32>| {
        let slot = types.entry(index).or_insert(kind);
        if slot.is_none() {
            *slot = kind;
        }
    };
    let root = &chain.root;
    root.events.iter().copied().chain(root.event).for_each(|i| add(i, Some(TYPE_PROCESS_LAUNCH)));
    for c in &chain.children {
        c.events.iter().copied().chain([c.event]).for_each(|i| add(i, Some(TYPE_PROCESS_LAUNCH)));
    }
    chain.files.iter().for_each(|f| add(f.event, Some(TYPE_FILE_CREATE)));
    for n in &chain.network {
        n.events.iter().copied().chain([n.event]).for_each(|i| add(i, Some(TYPE_NETWORK_OPEN)));
    }
    chain.dns.iter().for_each(|d| add(d.event, Some(TYPE_DNS_QUERY)));
    chain.modules.iter().for_each(|m| add(m.event, Some(TYPE_MODULE_LOAD)));
    chain.reasons.iter().flat_map(|r| &r.events).for_each(|&i| add(i, None));
    types.into_iter().map(|(index, type_uid)| RelatedEvent { uid: index.to_string(), type_uid }).collect()
}

/// The root's command line, then one line per reason with its points.
fn description(chain: &Chain) -> String {
    let mut out = super::command_line(chain).to_string();
    out.push('\n');
    let reasons: Vec<String> = chain
        .reasons
        .iter()
        .map(|r| format!("{}{} {}: {}", if r.points >= 0 { "+" } else { "" }, r.points, r.id, r.detail))
        .collect();
    out.push_str(&reasons.join("\n"));
    out
}

fn finding<'a>(chain: &'a Chain, version: Option<u32>, product_version: &'a str) -> Finding<'a> {
    let severity_id = super::ocsf_severity_id(chain.severity);
    let band = usize::from(super::severity_rank(chain.severity));
    let update = version.is_some_and(|v| v > 1);
    let (activity_id, activity_name) = if update { (2, "Update") } else { (1, "Create") };
    let span = time_span(chain);
    Finding {
        class_uid: CLASS_UID,
        class_name: "Detection Finding",
        category_uid: 2,
        category_name: "Findings",
        activity_id,
        activity_name,
        type_uid: CLASS_UID * 100 + activity_id,
        type_name: format!("Detection Finding: {activity_name}"),
        severity_id,
        severity: OCSF_SEVERITY[band],
        time: millis(&chain.root.time),
        status_id: 1,
        status: "New",
        is_alert: severity_id >= ALERT_SEVERITY_ID,
        risk_score: chain.score,
        risk_level_id: super::severity_rank(chain.severity),
        risk_level: OCSF_RISK_LEVEL[band],
        message: title(chain),
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product { name: PRODUCT, vendor_name: PRODUCT, version: product_version },
            uid: &chain.id,
        },
        finding_info: FindingInfo {
            uid: non_empty(&chain.id),
            title: title(chain),
            desc: description(chain),
            analytic: Analytic { uid: ANALYTIC_ID, name: ANALYTIC_NAME, type_id: 1, kind: "Rule" },
            attacks: [AttackPair {
                technique: Named { uid: TECHNIQUE.id, name: TECHNIQUE.name },
                tactic: Named { uid: TACTIC.id, name: TACTIC.name },
            }],
            first_seen_time: span.map(|s| s.0),
            last_seen_time: span.map(|s| s.1),
            related_events: related_events(chain),
        },
        device: Device { hostname: non_empty(&chain.host), type_id: 0, kind: "Unknown" },
        evidences: evidences(chain),
        unmapped: Unmapped {
            reasons: &chain.reasons,
            score: chain.score,
            severity: chain.severity,
            status: chain.status,
            technique: non_empty(&chain.technique),
            analytic: non_empty(&chain.analytic),
            version,
            lineage: &chain.lineage,
        },
    }
}
