//! Per-host state: identity (names, address, users), the live process table, pid allocation with
//! reuse, and Sysmon-style GUID minting. Bounded: persistent processes plus live transient ones
//! (capped), a small ring of recent starts and a small list of freed pids.

use super::catalog::{self, Acct, Role};
use super::names;
use crate::model::{ActorRef, ParentInfo};
use crate::rng::{fnv, mix, Rng};

/// Transient processes a host may hold at once; starts beyond it are skipped.
pub const MAX_LIVE: usize = 160;
const RECENT: usize = 6;
const FREED: usize = 24;

/// A running process.
#[derive(Debug, Clone)]
pub struct Proc {
    /// Unique within the host; how scheduled ends find their process.
    pub serial: u64,
    pub pid: u32,
    pub guid: String,
    pub image: String,
    pub ofn: String,
    pub cmd: String,
    pub user: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub role: Role,
    pub persistent: bool,
}

impl Proc {
    pub fn actor(&self) -> ActorRef {
        ActorRef {
            pid: self.pid,
            guid: self.guid.clone(),
            image: self.image.clone(),
            start_ms: self.start_ms,
            command_line: self.cmd.clone(),
        }
    }

    pub fn as_parent(&self) -> ParentInfo {
        ParentInfo {
            pid: self.pid,
            guid: self.guid.clone(),
            image: self.image.clone(),
            command_line: self.cmd.clone(),
            start_ms: self.start_ms,
        }
    }
}

pub struct Host {
    /// FQDN as Sysmon's `Computer` writes it.
    pub name: String,
    /// Short name (first label), for expansions.
    pub short: String,
    pub ip: String,
    pub server: bool,
    /// `CORP\asmith`; servers: an admin account.
    pub user: String,
    /// Short user name for paths.
    pub user_short: String,
    pub procs: Vec<Proc>,
    guid_machine: u32,
    guid_boot: u64,
    guid_counter: u16,
    next_serial: u64,
    recent: [u64; RECENT],
    recent_pos: usize,
    freed: Vec<u32>,
    /// The host's own generator: keeps hosts independent of each other's draws.
    pub rng: Rng,
}

impl Host {
    pub fn new(index: usize, seed: &Rng, start_ms: i64) -> Host {
        let mut rng = seed.fork(&format!("host-{index}"));
        let server = index % 8 == 7;
        let short = if server { format!("SRV-APP{:02}", index / 8 + 1) } else { format!("WS{:04}", index + 1) };
        let name = format!("{short}.corp.example.com");
        let ip = if server {
            format!("10.0.{}.{}", 2 + index / 2000, 10 + (index / 8) % 240)
        } else {
            format!("10.{}.{}.{}", 1 + index / 60_000, 8 + (index / 250) % 240, 10 + index % 250)
        };
        let user_short =
            if server { format!("adm-{}", names::user_name(&mut rng)) } else { names::user_name(&mut rng) };
        let h = mix(fnv(&name));
        let mut host = Host {
            user: format!("CORP\\{user_short}"),
            user_short,
            name,
            short,
            ip,
            server,
            procs: Vec::with_capacity(64),
            guid_machine: h as u32,
            guid_boot: 0x0000_0000_0700 + ((h >> 40) & 0xff) * 0x1_0000_0000,
            guid_counter: (h >> 32) as u16,
            next_serial: 1,
            recent: [0; RECENT],
            recent_pos: 0,
            freed: Vec::with_capacity(FREED),
            rng,
        };
        host.boot(start_ms);
        host
    }

    /// Persistent processes, started days to hours before the corpus.
    fn boot(&mut self, start_ms: i64) {
        let boot_ms = start_ms - self.rng.range(3_600_000, 5 * 86_400_000);
        for (i, p) in catalog::PERSISTENT.iter().enumerate() {
            if !(if self.server { p.server } else { p.workstation }) {
                continue;
            }
            let at =
                if p.role == Role::System { boot_ms } else { boot_ms + 2_000 * i as i64 + self.rng.range(0, 1500) };
            // Interactive apps start at logon, later than services.
            let at = if p.acct == Acct::User { at + self.rng.range(30_000, 600_000) } else { at };
            let pid = if p.role == Role::System { 4 } else { self.alloc_pid() };
            let user = p.acct.user(&self.user);
            let ctx = names::Ctx { user: &self.user_short, host: &self.short, time_ms: at };
            let image = names::expand(p.image, &ctx, &mut self.rng);
            let cmd = names::expand(p.cmd, &ctx, &mut self.rng);
            let guid = self.mint_guid(at);
            let serial = self.serial();
            self.procs.push(Proc {
                serial,
                pid,
                guid,
                image,
                ofn: p.ofn.to_string(),
                cmd,
                user,
                start_ms: at,
                end_ms: i64::MAX,
                role: p.role,
                persistent: true,
            });
        }
    }

    pub fn serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    /// Sysmon-style GUID: machine part, process start in Unix seconds split over groups 2-3 (as
    /// observed in real data), a per-host counter, a per-boot constant.
    pub fn mint_guid(&mut self, start_ms: i64) -> String {
        let secs = start_ms.div_euclid(1000) as u64;
        self.guid_counter = self.guid_counter.wrapping_add(1);
        format!(
            "{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}",
            self.guid_machine,
            secs & 0xffff,
            (secs >> 16) & 0xffff,
            self.guid_counter.swap_bytes(),
            self.guid_boot
        )
    }

    /// A free pid (multiple of 4). Windows hands out recently freed ids again soon, so a quarter of
    /// allocations reuse the most recently freed pid: pid reuse inside one corpus is the norm.
    pub fn alloc_pid(&mut self) -> u32 {
        if self.rng.chance(0.25) {
            while let Some(pid) = self.freed.pop() {
                if !self.in_use(pid) {
                    return pid;
                }
            }
        }
        loop {
            let pid = 4 * self.rng.range(100, 4000) as u32;
            if !self.in_use(pid) {
                return pid;
            }
        }
    }

    fn in_use(&self, pid: u32) -> bool {
        self.procs.iter().any(|p| p.pid == pid)
    }

    pub fn transient_count(&self) -> usize {
        self.procs.iter().filter(|p| !p.persistent).count()
    }

    pub fn add(&mut self, p: Proc) {
        if p.role != Role::Planted {
            self.recent[self.recent_pos % RECENT] = p.serial;
            self.recent_pos += 1;
        }
        self.procs.push(p);
    }

    /// Remove a process that ended; remembers its pid for reuse.
    pub fn remove(&mut self, serial: u64) -> Option<Proc> {
        let i = self.procs.iter().position(|p| p.serial == serial)?;
        let p = self.procs.swap_remove(i);
        if self.freed.len() == FREED {
            self.freed.remove(0);
        }
        self.freed.push(p.pid);
        Some(p)
    }

    /// A random live process of a role that the background may use (not planted, already started).
    pub fn find_role(&mut self, role: Role, now: i64) -> Option<usize> {
        let n = self.procs.iter().filter(|p| p.role == role && p.start_ms <= now).count();
        if n == 0 {
            return None;
        }
        let k = self.rng.below(n as u64) as usize;
        self.procs.iter().enumerate().filter(|(_, p)| p.role == role && p.start_ms <= now).nth(k).map(|(i, _)| i)
    }

    /// One of the most recently started background processes still running, if any.
    pub fn recent_proc(&mut self, now: i64) -> Option<usize> {
        let serial = self.recent[self.rng.below(RECENT as u64) as usize];
        if serial == 0 {
            return None;
        }
        self.procs.iter().position(|p| p.serial == serial && p.start_ms <= now && p.end_ms > now)
    }

    /// A live background process chosen with probability proportional to its role's weight for
    /// activity `kind` (index into `catalog::profile`).
    pub fn weighted_proc(&mut self, kind: usize, now: i64) -> Option<usize> {
        let weight = |p: &Proc| if p.start_ms <= now && p.end_ms > now { catalog::profile(p.role)[kind] } else { 0 };
        let total: u64 = self.procs.iter().map(|p| weight(p) as u64).sum();
        if total == 0 {
            return None;
        }
        let mut x = self.rng.below(total);
        for (i, p) in self.procs.iter().enumerate() {
            let w = weight(p) as u64;
            if x < w {
                return Some(i);
            }
            x -= w;
        }
        None
    }
}
