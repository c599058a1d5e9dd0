//! The seeded corpus generator: a streaming `Iterator<Item = Event>` of realistic Windows telemetry
//! from many hosts, with planted mshta chains. This file owns the clock and the scheduling: a global
//! background clock (exponential inter-arrival), a heap of scheduled future events (process ends,
//! planted chain steps, DNS-then-connect follow-ups), and a small reorder buffer that delivers events
//! slightly out of order. Hosts (`host`), what they run (`catalog`) and planted chains (`plant`) live
//! in submodules.
//!
//! Memory is flat in the number of events: per-host state is bounded (persistent processes, at most
//! `host::MAX_LIVE` live ones), the schedule holds one end per live process plus the steps of chains
//! in flight, and the reorder buffer holds about `disorder_ms` worth of events.

mod activity;
mod catalog;
mod host;
mod names;
mod plant;
#[cfg(test)]
mod tests;

use crate::model::{Event, Kind, Process};
use crate::rng::Rng;
use catalog::Role;
use host::{Host, Proc};
use names::Ctx;
use plant::{PlantTag, Scheduled};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Background events per host per second. With 50 hosts a million events span about 2.8 hours.
const PER_HOST_RATE: f64 = 2.0;

/// Background kind weights: start, image load, file create, network, DNS. Process ends come from
/// scheduled ends at the start rate, and about half the DNS lookups schedule a connection to the
/// answer, so the overall mix is roughly: image load 35-37%, file 15-16%, network 15%, DNS 10-11%,
/// start 10%, end 9-10%.
const KIND_WEIGHTS: [u32; 5] = [10, 37, 16, 11, 11];

/// Settings of a corpus. `Default` gives a 100k-event, 50-host corpus starting 2024-05-01T08:00Z.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusConfig {
    pub seed: u64,
    pub hosts: usize,
    /// Number of events the iterator yields.
    pub events: usize,
    /// Epoch ms of the first background event.
    pub start_ms: i64,
    /// Planted mshta chains per 10,000 events.
    pub mshta_rate: f64,
    /// Share of planted chains that are attacks (the rest are legitimate HTA use).
    pub attack_share: f64,
    /// Maximum delivery delay: an event may come up to this many ms after later-stamped ones.
    pub disorder_ms: i64,
}

impl Default for CorpusConfig {
    fn default() -> Self {
        CorpusConfig {
            seed: 1,
            hosts: 50,
            events: 100_000,
            start_ms: 1_714_550_400_000,
            mshta_rate: 1.0,
            attack_share: 0.5,
            disorder_ms: 2_000,
        }
    }
}

/// A planted chain whose root mshta start has been yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedChain {
    pub host: String,
    pub pid: u32,
    pub guid: String,
    pub start_ms: i64,
    pub image: String,
    pub command_line: String,
    pub parent_image: String,
    pub attack: bool,
    /// e.g. `js_getobject_sct`, `remote_hta`, `vendor_hta`, `sccm_splash`.
    pub variant: &'static str,
}

/// Running count of planted chains, by the root mshta starts yielded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlantedStats {
    pub attacks: u64,
    pub benign: u64,
    pub chains: Vec<PlantedChain>,
}

impl PlantedStats {
    pub fn total(&self) -> u64 {
        self.attacks + self.benign
    }
}

/// A scheduled item, ordered by time then insertion (min-heap via reversed `Ord`).
struct Pending {
    time: i64,
    seq: u64,
    what: Scheduled,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
}

/// An event waiting in the reorder buffer until its delivery time.
struct Delayed {
    deliver: i64,
    seq: u64,
    event: Event,
    tag: Option<PlantTag>,
}

impl PartialEq for Delayed {
    fn eq(&self, o: &Self) -> bool {
        (self.deliver, self.seq) == (o.deliver, o.seq)
    }
}
impl Eq for Delayed {}
impl PartialOrd for Delayed {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Delayed {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.deliver, o.seq).cmp(&(self.deliver, self.seq))
    }
}

/// The generator. Deterministic for a given `CorpusConfig`.
pub struct Corpus {
    cfg: CorpusConfig,
    rng: Rng,
    hosts: Vec<Host>,
    /// Background clock, fractional ms.
    clock: f64,
    mean_gap_ms: f64,
    pending: BinaryHeap<Pending>,
    reorder: BinaryHeap<Delayed>,
    /// Latest true event time produced (the reorder buffer releases what is due by then).
    frontier: i64,
    produced: usize,
    seq: u64,
    planted: PlantedStats,
    scratch: Vec<(i64, Scheduled)>,
}

impl Corpus {
    pub fn new(cfg: CorpusConfig) -> Corpus {
        let root = Rng::new(cfg.seed);
        let hosts_n = cfg.hosts.max(1);
        let mut hosts: Vec<Host> = (0..hosts_n).map(|i| Host::new(i, &root, cfg.start_ms)).collect();
        let mut c = Corpus {
            mean_gap_ms: 1000.0 / (hosts_n as f64 * PER_HOST_RATE),
            rng: root.fork("corpus"),
            clock: cfg.start_ms as f64,
            pending: BinaryHeap::new(),
            reorder: BinaryHeap::new(),
            frontier: cfg.start_ms,
            produced: 0,
            seq: 0,
            planted: PlantedStats::default(),
            scratch: Vec::new(),
            hosts: Vec::new(),
            cfg,
        };
        // Hosts start in a steady state: transient processes already running (their starts are
        // before the corpus, so their ends arrive without starts, as in any real export window).
        let start_rate = PER_HOST_RATE * KIND_WEIGHTS[0] as f64 / KIND_WEIGHTS.iter().sum::<u32>() as f64;
        for (i, h) in hosts.iter_mut().enumerate() {
            for (serial, end) in warm_up(h, c.cfg.start_ms, start_rate) {
                c.schedule(end, Scheduled::End { host: i, serial });
            }
        }
        c.hosts = hosts;
        c
    }

    /// Planted chains yielded so far (root mshta starts), with their identities.
    pub fn planted(&self) -> &PlantedStats {
        &self.planted
    }

    pub fn config(&self) -> &CorpusConfig {
        &self.cfg
    }

    fn schedule(&mut self, time: i64, what: Scheduled) {
        self.seq += 1;
        self.pending.push(Pending { time, seq: self.seq, what });
    }

    /// The next event in true-time order.
    fn produce(&mut self) -> (Event, Option<PlantTag>) {
        loop {
            let bg_time = self.clock as i64;
            if self.pending.peek().is_some_and(|p| p.time <= bg_time) {
                let p = self.pending.pop().expect("peeked");
                match p.what {
                    Scheduled::Emit(ev, tag) => return (*ev, tag),
                    Scheduled::End { host, serial } => {
                        if let Some(proc_) = self.hosts[host].remove(serial) {
                            let ev = Event {
                                time_ms: p.time,
                                host: self.hosts[host].name.clone(),
                                kind: Kind::ProcessEnd(proc_.actor()),
                            };
                            return (ev, None);
                        }
                        continue;
                    }
                }
            }
            self.clock += self.rng.exp(self.mean_gap_ms);
            let now = bg_time;
            // About 90% of events are background steps: scale so the rate is per 10,000 events.
            if self.rng.chance(self.cfg.mshta_rate / 10_000.0 / 0.9) {
                self.plant(now);
                continue;
            }
            if let Some(ev) = self.background(now) {
                return (ev, None);
            }
        }
    }

    fn plant(&mut self, now: i64) {
        let n = self.hosts.len();
        // Chains go to workstations (servers only when there are none).
        let mut idx = self.rng.below(n as u64) as usize;
        for _ in 0..8 {
            if !self.hosts[idx].server {
                break;
            }
            idx = self.rng.below(n as u64) as usize;
        }
        let attack = self.rng.chance(self.cfg.attack_share);
        let mut out = std::mem::take(&mut self.scratch);
        plant::plant(&mut self.hosts[idx], idx, now, attack, &mut out);
        for (t, what) in out.drain(..) {
            self.schedule(t.max(now), what);
        }
        self.scratch = out;
    }

    /// One background event at `now`, or `None` when the drawn kind had no candidate.
    fn background(&mut self, now: i64) -> Option<Event> {
        let hi = self.rng.below(self.hosts.len() as u64) as usize;
        let kind = self.rng.weighted(&KIND_WEIGHTS);
        let host = &mut self.hosts[hi];
        if kind == 0 {
            if host.transient_count() >= host::MAX_LIVE {
                return None;
            }
            let (p, ev) = spawn_background(host, now)?;
            self.schedule(p.end_ms, Scheduled::End { host: hi, serial: p.serial });
            return Some(ev);
        }
        let act = kind - 1; // 0 image load, 1 file, 2 network, 3 dns
        let pi = if act == 0 && host.rng.chance(0.6) { host.recent_proc(now) } else { None };
        let pi = pi.or_else(|| host.weighted_proc(act, now))?;
        let p = host.procs[pi].clone();
        let ctx = Ctx { user: &host.user_short, host: &host.short, time_ms: now };
        let kind = match act {
            0 => Kind::ImageLoad { actor: p.actor(), path: activity::dll_for(p.role, &p.image, &mut host.rng) },
            1 => {
                let pat = host.rng.pick(activity::file_patterns(p.role));
                let mut ctx = ctx;
                if p.user.starts_with("NT AUTHORITY") && pat.contains("`u`") && host.server {
                    ctx.user = "Administrator";
                }
                Kind::FileCreate { actor: p.actor(), path: names::expand(pat, &ctx, &mut host.rng) }
            }
            2 => network(host, &p),
            _ => {
                let (name, port, proto) = host.rng.pick(activity::net_targets(p.role));
                let answers = activity::resolve(name);
                // Most lookups are followed by a connection to the first address.
                if let Some(ip) = answers.iter().find(|a| crate::render::enrich::is_ip(a)) {
                    let at = now + host.rng.range(2, 250);
                    if host.rng.chance(0.5) && p.end_ms > at {
                        let src_port = host.rng.range(49_700, 65_000) as u16;
                        let ev = Event {
                            time_ms: at,
                            host: host.name.clone(),
                            kind: Kind::Network {
                                actor: p.actor(),
                                src_ip: host.ip.clone(),
                                src_port,
                                dst_ip: ip.clone(),
                                dst_port: port,
                                dst_hostname: Some(name.to_string()),
                                outbound: true,
                                protocol: proto.to_string(),
                            },
                        };
                        self.schedule(at, Scheduled::Emit(Box::new(ev), None));
                    }
                }
                let host = &self.hosts[hi];
                return Some(Event {
                    time_ms: now,
                    host: host.name.clone(),
                    kind: Kind::Dns { actor: p.actor(), query: name.to_string(), answers },
                });
            }
        };
        Some(Event { time_ms: now, host: self.hosts[hi].name.clone(), kind })
    }
}

/// A network event for a background actor: mostly outbound to its role's targets; servers and
/// `System` also accept inbound connections; a few IPv6 link-local DHCPv6 and loopback flows.
fn network(host: &mut Host, p: &Proc) -> Kind {
    let rng = &mut host.rng;
    let inbound = match p.role {
        Role::ServerApp => rng.chance(0.7),
        Role::System => rng.chance(0.5),
        _ => false,
    };
    if inbound {
        let port = if p.image.ends_with("sqlservr.exe") {
            1433
        } else if p.role == Role::System {
            445
        } else {
            443
        };
        let remote = format!("10.{}.{}.{}", 1 + rng.below(2), 8 + rng.below(40), 10 + rng.below(240));
        return Kind::Network {
            actor: p.actor(),
            src_ip: host.ip.clone(),
            src_port: port,
            dst_ip: remote,
            dst_port: rng.range(49_700, 65_000) as u16,
            dst_hostname: None,
            outbound: false,
            protocol: "tcp".into(),
        };
    }
    if matches!(p.role, Role::SvcLocal | Role::SvcNet | Role::Lsass) && rng.chance(0.08) {
        let (src, sport, dst, dport, proto) = if p.role == Role::Lsass {
            ("::1".to_string(), rng.range(49_700, 65_000) as u16, "::1".to_string(), 389, "tcp")
        } else {
            (
                format!(
                    "fe80::{:x}:{:x}:{:x}:{:x}",
                    rng.below(65536),
                    rng.below(65536),
                    rng.below(65536),
                    rng.below(65536)
                ),
                546,
                "ff02::1:2".to_string(),
                547,
                "udp",
            )
        };
        return Kind::Network {
            actor: p.actor(),
            src_ip: src,
            src_port: sport,
            dst_ip: dst,
            dst_port: dport,
            dst_hostname: None,
            outbound: true,
            protocol: proto.into(),
        };
    }
    let (name, port, proto) = rng.pick(activity::net_targets(p.role));
    let answers = activity::resolve(name);
    let ips: Vec<&String> = answers.iter().filter(|a| crate::render::enrich::is_ip(a)).collect();
    let dst = match ips.first() {
        Some(ip) => (*ip).clone(),
        None => "10.0.0.10".to_string(),
    };
    // Sysmon's DestinationHostname is a reverse lookup: internal names resolve, CDN addresses often not.
    let named = dst.starts_with("10.") || rng.chance(0.5);
    Kind::Network {
        actor: p.actor(),
        src_ip: host.ip.clone(),
        src_port: rng.range(49_700, 65_000) as u16,
        dst_ip: dst,
        dst_port: port,
        dst_hostname: named.then(|| name.to_string()),
        outbound: true,
        protocol: proto.into(),
    }
}

fn template_weight(host: &Host, t: &catalog::Template) -> u32 {
    if host.server {
        t.srv
    } else {
        t.ws
    }
}

/// Populate `host` with the transient processes a steady state would have running at `start_ms`.
/// Lifetimes are exponential, so a process alive at a given instant has an age and a remaining life
/// each distributed like a fresh lifetime, and the template mix is length-biased (weight × mean life).
/// Returns (serial, end) of each, for scheduling.
fn warm_up(host: &mut Host, start_ms: i64, starts_per_sec: f64) -> Vec<(u64, i64)> {
    let weights: Vec<u32> = catalog::TEMPLATES
        .iter()
        .map(|t| (template_weight(host, t) as f64 * t.life.mean_ms() / 1000.0).round() as u32)
        .collect();
    // Single-instance apps contribute one process each, not rate × lifetime.
    let total_w: f64 = catalog::TEMPLATES.iter().map(|t| template_weight(host, t) as f64).sum::<f64>().max(1.0);
    let multi: f64 = catalog::TEMPLATES
        .iter()
        .filter(|t| !t.single)
        .map(|t| template_weight(host, t) as f64 * t.life.mean_ms() / 1000.0)
        .sum();
    let singles = catalog::TEMPLATES.iter().filter(|t| t.single && template_weight(host, t) > 0).count();
    let target = ((multi / total_w * starts_per_sec) as usize + singles).min(host::MAX_LIVE / 2);
    let mut out = Vec::with_capacity(target);
    for _ in 0..target * 3 {
        if out.len() >= target {
            break;
        }
        let tpl = &catalog::TEMPLATES[host.rng.weighted(&weights)];
        let mean = tpl.life.mean_ms();
        let age = (host.rng.exp(mean) as i64).clamp(50, 6 * 3_600_000);
        let residual = (host.rng.exp(mean) as i64).max(500);
        if let Some((p, _)) = spawn_template(host, tpl, start_ms - age, Some(age + residual)) {
            out.push((p.serial, p.end_ms));
        }
    }
    out
}

/// Start a background process on `host` at `now` from the catalog; registers it and returns it with
/// its start event. `None` when no template found a parent (or a single-instance app is running).
fn spawn_background(host: &mut Host, now: i64) -> Option<(Proc, Event)> {
    for _ in 0..6 {
        let total: u32 = catalog::TEMPLATES.iter().map(|t| template_weight(host, t)).sum();
        let mut x = host.rng.below(total as u64) as u32;
        let mut chosen = &catalog::TEMPLATES[0];
        for t in catalog::TEMPLATES {
            let w = template_weight(host, t);
            if x < w {
                chosen = t;
                break;
            }
            x -= w;
        }
        if let Some(r) = spawn_template(host, chosen, now, None) {
            return Some(r);
        }
    }
    None
}

/// Start one process from `tpl` at `now` with the given (or a sampled) lifetime.
fn spawn_template(host: &mut Host, tpl: &catalog::Template, now: i64, life: Option<i64>) -> Option<(Proc, Event)> {
    if tpl.single && host.procs.iter().any(|p| p.role == tpl.role && p.ofn == tpl.ofn) {
        return None;
    }
    let pi = host.find_role(tpl.parent, now)?;
    let parent = host.procs[pi].as_parent();
    let user = if tpl.acct == catalog::Acct::User && host.server {
        // Servers have no desktop user: user-context tasks run as the admin account.
        host.user.clone()
    } else {
        tpl.acct.user(&host.user)
    };
    let ctx = Ctx { user: &host.user_short, host: &host.short, time_ms: now };
    let pattern = host.rng.pick(tpl.cmds);
    let cmd = names::expand(pattern, &ctx, &mut host.rng);
    let image = names::expand(tpl.image, &ctx, &mut host.rng);
    let life = life.unwrap_or_else(|| tpl.life.sample(&mut host.rng));
    let pid = host.alloc_pid();
    let guid = host.mint_guid(now);
    let serial = host.serial();
    let p = Proc {
        serial,
        pid,
        guid,
        image,
        ofn: tpl.ofn.to_string(),
        cmd,
        user,
        start_ms: now,
        end_ms: now + life,
        role: tpl.role,
        persistent: false,
    };
    let ev = Event {
        time_ms: now,
        host: host.name.clone(),
        kind: Kind::ProcessStart(Process {
            host: host.name.clone(),
            pid: p.pid,
            guid: p.guid.clone(),
            image: p.image.clone(),
            command_line: p.cmd.clone(),
            user: p.user.clone(),
            original_file_name: p.ofn.clone(),
            start_ms: now,
            parent: Some(parent),
        }),
    };
    host.add(p.clone());
    Some((p, ev))
}

impl Iterator for Corpus {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            let done = self.produced >= self.cfg.events;
            if self.reorder.peek().is_some_and(|d| done || d.deliver <= self.frontier) {
                let d = self.reorder.pop().expect("peeked");
                if let (Some(tag), Kind::ProcessStart(p)) = (&d.tag, &d.event.kind) {
                    if tag.attack {
                        self.planted.attacks += 1;
                    } else {
                        self.planted.benign += 1;
                    }
                    self.planted.chains.push(PlantedChain {
                        host: p.host.clone(),
                        pid: p.pid,
                        guid: p.guid.clone(),
                        start_ms: p.start_ms,
                        image: p.image.clone(),
                        command_line: p.command_line.clone(),
                        parent_image: p.parent.as_ref().map(|x| x.image.clone()).unwrap_or_default(),
                        attack: tag.attack,
                        variant: tag.variant,
                    });
                }
                return Some(d.event);
            }
            if done {
                return None;
            }
            let (event, tag) = self.produce();
            self.produced += 1;
            self.frontier = self.frontier.max(event.time_ms);
            // Skewed towards small delays: most events arrive nearly in order, a few up to disorder_ms late.
            let u = self.rng.f64();
            let delay = (self.cfg.disorder_ms.max(0) as f64 * u * u * u) as i64;
            self.seq += 1;
            self.reorder.push(Delayed { deliver: event.time_ms + delay, seq: self.seq, event, tag });
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.cfg.events - self.produced + self.reorder.len();
        (left, Some(left))
    }
}
