//! ECS 8.11 alert documents (`event.kind: "alert"`), one per chain: the
//! root as `process` (with its parent), the ATT&CK technique as `threat`,
//! the analytic as `rule`, and the whole chain under `mshta_chain` so
//! nothing is lost.

use super::{
    base_name, non_empty, present, split_user, time_span, title, Attack, Versioned, ANALYTIC_ID, ANALYTIC_NAME,
    ECS_VERSION, PARENT_TECHNIQUE, PRODUCT, TACTIC, TECHNIQUE,
};
use crate::report::{
    Ancestor, Chain, ChildProcess, DnsEvent, FileEvent, ModuleEvent, NetworkEvent, Reason, Severity, Status,
};
use crate::time::format_rfc3339;
use serde::Serialize;

const RULE_DESCRIPTION: &str = "mshta.exe ran HTML Application or inline script content; the chain correlates its \
command line, parent, and the processes, files, connections and DNS lookups that followed within the window (MITRE \
ATT&CK T1218.005, analytic AN1397). The score is the sum of the reasons' points.";

pub(super) fn alerts<'a>(chains: &[Versioned<'a>], product_version: &'a str) -> Vec<Alert<'a>> {
    chains.iter().map(|v| alert(v.chain, v.version, product_version)).collect()
}

#[derive(Serialize)]
pub(super) struct Alert<'a> {
    #[serde(rename = "@timestamp", skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    ecs: EcsVersion,
    message: String,
    tags: [&'static str; 3],
    event: Event<'a>,
    rule: Rule<'a>,
    threat: Threat,
    host: Host<'a>,
    process: Process<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User<'a>>,
    related: Related<'a>,
    observer: Observer<'a>,
    mshta_chain: MshtaChain<'a>,
}

#[derive(Serialize)]
struct EcsVersion {
    version: &'static str,
}

#[derive(Serialize)]
struct Event<'a> {
    kind: &'static str,
    category: [&'static str; 1],
    #[serde(rename = "type")]
    kind_of: [&'static str; 1],
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    module: &'static str,
    dataset: &'static str,
    provider: &'static str,
    severity: u8,
    risk_score: i64,
    risk_score_norm: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct Rule<'a> {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    reference: &'static str,
    category: &'static str,
    ruleset: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Threat {
    framework: &'static str,
    tactic: ThreatEntry,
    technique: Technique,
}

#[derive(Serialize)]
struct Technique {
    #[serde(flatten)]
    entry: ThreatEntry,
    subtechnique: ThreatEntry,
}

/// ECS keyword-array fields of one ATT&CK object.
#[derive(Serialize)]
struct ThreatEntry {
    id: [&'static str; 1],
    name: [&'static str; 1],
    reference: [&'static str; 1],
}

impl From<&Attack> for ThreatEntry {
    fn from(a: &Attack) -> Self {
        ThreatEntry { id: [a.id], name: [a.name], reference: [a.reference] }
    }
}

#[derive(Serialize)]
struct Host<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<&'a str>,
}

/// An ECS process (or parent) object.
#[derive(Serialize)]
struct Process<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executable: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command_line: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Box<Process<'a>>>,
}

impl<'a> Process<'a> {
    fn new(
        pid: Option<u32>,
        entity_id: Option<&'a str>,
        image: Option<&'a str>,
        command_line: Option<&'a str>,
    ) -> Self {
        let image = present(image);
        Process {
            pid,
            entity_id: present(entity_id),
            executable: image,
            name: image.and_then(base_name),
            command_line: present(command_line),
            start: None,
            end: None,
            parent: None,
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
struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hosts: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<[&'a str; 1]>,
}

#[derive(Serialize)]
struct Observer<'a> {
    vendor: &'static str,
    product: &'static str,
    version: &'a str,
}

/// The whole chain.
#[derive(Serialize)]
struct MshtaChain<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    score: i64,
    severity: Severity,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analytic: Option<&'a str>,
    root: Root<'a>,
    lineage: &'a [Ancestor],
    children: &'a [ChildProcess],
    network: &'a [NetworkEvent],
    dns: &'a [DnsEvent],
    files: &'a [FileEvent],
    modules: &'a [ModuleEvent],
    reasons: &'a [Reason],
}

/// What `process` has no field for.
#[derive(Serialize)]
struct Root<'a> {
    inferred: bool,
    event: Option<u64>,
    events: &'a [u64],
    sources: &'a [String],
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_id: Option<u64>,
}

fn alert<'a>(chain: &'a Chain, version: Option<u32>, product_version: &'a str) -> Alert<'a> {
    let root = &chain.root;
    let span = time_span(chain);
    let mut process =
        Process::new(Some(root.pid), root.process_guid.as_deref(), Some(&root.image), root.command_line.as_deref());
    process.start = non_empty(&root.time);
    process.end = present(root.end_time.as_deref());
    if let Some(p) = &root.parent {
        process.parent =
            Process::known(p.pid, p.process_guid.as_deref(), p.image.as_deref(), p.command_line.as_deref())
                .map(Box::new);
    }
    let user = split_user(root.user.as_deref());
    let mut ips: Vec<&str> = Vec::new();
    for ip in chain.network.iter().flat_map(|n| [present(n.dst_ip.as_deref()), present(n.src_ip.as_deref())]).flatten()
    {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    let reasons: Vec<&str> = chain.reasons.iter().map(|r| r.id.as_str()).collect();
    Alert {
        timestamp: non_empty(&root.time),
        ecs: EcsVersion { version: ECS_VERSION },
        message: format!("{}: {}", title(chain), super::command_line(chain)),
        tags: [PRODUCT, TECHNIQUE.id, ANALYTIC_ID],
        event: Event {
            kind: "alert",
            category: ["process"],
            kind_of: ["start"],
            action: "mshta-execution-chain",
            id: non_empty(&chain.id),
            module: PRODUCT,
            dataset: "mshta_chain.alert",
            provider: PRODUCT,
            severity: super::ocsf_severity_id(chain.severity),
            risk_score: chain.score,
            risk_score_norm: chain.score,
            start: span.map(|s| format_rfc3339(s.0)),
            end: span.map(|s| format_rfc3339(s.1)),
            reason: Some(reasons.join(", ")).filter(|r| !r.is_empty()),
        },
        rule: Rule {
            id: ANALYTIC_ID,
            name: ANALYTIC_NAME,
            description: RULE_DESCRIPTION,
            reference: TECHNIQUE.reference,
            category: TACTIC.name,
            ruleset: PRODUCT,
            version: product_version,
        },
        threat: Threat {
            framework: "MITRE ATT&CK",
            tactic: (&TACTIC).into(),
            technique: Technique { entry: (&PARENT_TECHNIQUE).into(), subtechnique: (&TECHNIQUE).into() },
        },
        host: Host { name: non_empty(&chain.host).map(str::to_lowercase), hostname: non_empty(&chain.host) },
        process,
        user: user.as_ref().map(|u| User { domain: u.domain, name: non_empty(u.name) }),
        related: Related {
            hosts: non_empty(&chain.host).map(|h| [h]),
            ip: Some(ips).filter(|ips| !ips.is_empty()),
            user: user.as_ref().map(|u| [u.name]),
        },
        observer: Observer { vendor: PRODUCT, product: PRODUCT, version: product_version },
        mshta_chain: MshtaChain {
            id: non_empty(&chain.id),
            score: chain.score,
            severity: chain.severity,
            status: chain.status,
            version,
            technique: non_empty(&chain.technique),
            analytic: non_empty(&chain.analytic),
            root: Root {
                inferred: root.inferred,
                event: root.event,
                events: &root.events,
                sources: &root.sources,
                user: root.user.as_deref(),
                file: root.file.as_deref(),
                record_id: root.record_id,
            },
            lineage: &chain.lineage,
            children: &chain.children,
            network: &chain.network,
            dns: &chain.dns,
            files: &chain.files,
            modules: &chain.modules,
            reasons: &chain.reasons,
        },
    }
}
