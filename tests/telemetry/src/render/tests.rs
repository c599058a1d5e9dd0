//! Every kind in every schema, with the key fields checked by JSON pointer against schemas.md.

use super::*;
use crate::model::Kind;
use crate::sample::{inbound_connection, remote_hta_chain, SAMPLE_START_MS};
use serde_json::{json, Value};

/// The sample chain, by kind: [winword start, mshta start, image load, dns, network, file, ps start,
/// ps file, ps end, mshta end].
fn chain() -> Vec<Event> {
    remote_hta_chain(SAMPLE_START_MS)
}

const MSHTA_GUID: &str = "{b34bc01c-3d86-5f6a-b803-000000000900}";
const WINWORD_GUID: &str = "{b34bc01c-3d7f-5f6a-b603-000000000900}";

fn r(ev: &Event, schema: Schema) -> Value {
    render(ev, schema, 42).unwrap_or_else(|| panic!("{} renders {}", schema.name(), ev.kind.name()))
}

#[track_caller]
fn at<'a>(v: &'a Value, ptr: &str) -> &'a Value {
    v.pointer(ptr).unwrap_or_else(|| panic!("missing {ptr} in {v}"))
}

#[track_caller]
fn eq(v: &Value, ptr: &str, want: Value) {
    assert_eq!(at(v, ptr), &want, "{ptr} in {v}");
}

#[test]
fn every_kind_in_every_schema_or_none() {
    let mut events = chain();
    events.push(inbound_connection(SAMPLE_START_MS));
    for schema in Schema::ALL {
        assert_eq!(Schema::from_name(schema.name()), Some(schema));
        for ev in &events {
            let out = render(ev, schema, 7);
            assert_eq!(out.is_some(), schema.supports(&ev.kind), "{} / {}", schema.name(), ev.kind.name());
            if let Some(v) = out {
                assert!(v.is_object(), "{}", schema.name());
                assert!(
                    serde_json::to_string(&v).unwrap().len() > 300,
                    "{} / {} too thin",
                    schema.name(),
                    ev.kind.name()
                );
            }
        }
    }
    assert_eq!(Schema::from_name("mixed"), None);
    let names: Vec<_> = Schema::ALL.iter().map(|s| s.name()).collect();
    assert!(names.contains(&"sysmon_flat") && names.contains(&"ecs_defend") && names.contains(&"defender_stream"));
}

#[test]
fn unsupported_kinds() {
    let c = chain();
    for schema in [Schema::SecurityFlat, Schema::SecurityEvtx, Schema::SecurityWinlogbeat] {
        assert!(render(&c[2], schema, 1).is_none(), "image load");
        assert!(render(&c[3], schema, 1).is_none(), "dns");
        assert!(render(&c[5], schema, 1).is_none(), "file");
    }
    for schema in [Schema::DefenderRow, Schema::DefenderStream] {
        assert!(render(&c[8], schema, 1).is_none(), "process end");
    }
}

#[test]
fn sysmon_flat() {
    let c = chain();
    let v = r(&c[1], Schema::SysmonFlat);
    eq(&v, "/EventID", json!(1));
    eq(&v, "/Channel", json!("Microsoft-Windows-Sysmon/Operational"));
    eq(&v, "/Hostname", json!("WS01.corp.example.com"));
    eq(&v, "/ProcessId", json!("7788"));
    eq(&v, "/ProcessGuid", json!(MSHTA_GUID));
    eq(&v, "/ParentProcessId", json!("4312"));
    eq(&v, "/ParentProcessGuid", json!(WINWORD_GUID));
    eq(&v, "/ParentImage", json!("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"));
    eq(&v, "/OriginalFileName", json!("MSHTA.EXE"));
    eq(&v, "/UtcTime", json!("2024-05-01 10:00:00.000"));
    eq(&v, "/ProviderGuid", json!("{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"));
    eq(&v, "/Keywords", json!("0x8000000000000000"));
    eq(&v, "/User", json!("CORP\\alice"));
    assert!(at(&v, "/Hashes").as_str().unwrap().starts_with("SHA1="));
    assert!(at(&v, "/LogonId").as_str().unwrap().starts_with("0x"));
    assert!(at(&v, "/Message").as_str().unwrap().starts_with("Process Create:\r\nRuleName: -\r\nUtcTime: "));
    assert!(at(&v, "/TimeCreated").as_str().unwrap().starts_with("2024-05-01T10:00:00.00"));
    assert_eq!(at(&v, "/TimeCreated"), at(&v, "/@timestamp"));
    // Flat exports write every EventData value as a string.
    for (k, val) in v.as_object().unwrap() {
        assert!(k == "EventID" || val.is_string(), "{k} = {val}");
    }

    let net = r(&c[4], Schema::SysmonFlat);
    eq(&net, "/EventID", json!(3));
    eq(&net, "/Initiated", json!("true"));
    eq(&net, "/Protocol", json!("tcp"));
    eq(&net, "/SourceIp", json!("10.0.5.21"));
    eq(&net, "/DestinationIp", json!("203.0.113.50"));
    eq(&net, "/DestinationPort", json!("443"));
    eq(&net, "/DestinationPortName", json!("https"));
    eq(&net, "/SourceIsIpv6", json!("false"));

    let dns = r(&c[3], Schema::SysmonFlat);
    eq(&dns, "/EventID", json!(22));
    eq(&dns, "/QueryName", json!("cdn-update.example.net"));
    eq(&dns, "/QueryStatus", json!("0"));
    eq(&dns, "/QueryResults", json!("type:  5 cdn-update.example.net.edge.example;::ffff:203.0.113.50;"));

    eq(&r(&c[2], Schema::SysmonFlat), "/ImageLoaded", json!("C:\\Windows\\System32\\mshtml.dll"));
    eq(&r(&c[2], Schema::SysmonFlat), "/EventID", json!(7));
    let file = r(&c[5], Schema::SysmonFlat);
    eq(&file, "/EventID", json!(11));
    assert!(at(&file, "/TargetFilename").as_str().unwrap().ends_with("invoice[1].hta"));
    let end = r(&c[9], Schema::SysmonFlat);
    eq(&end, "/EventID", json!(5));
    eq(&end, "/ProcessGuid", json!(MSHTA_GUID));
    eq(&end, "/UtcTime", json!("2024-05-01 10:00:09.500"));
}

#[test]
fn flat_local_time_trap() {
    let c = chain();
    let opts = RenderOptions { local_offset_minutes: Some(-240) };
    for schema in [Schema::SysmonFlat, Schema::SecurityFlat] {
        let v = render_with(&c[1], schema, 1, &opts).unwrap();
        // Local (UTC-4) time, still labelled Z.
        assert!(at(&v, "/TimeCreated").as_str().unwrap().starts_with("2024-05-01T06:00:00.00"), "{v}");
        assert!(at(&v, "/@timestamp").as_str().unwrap().ends_with('Z'));
    }
    let v = render_with(&c[1], Schema::SysmonFlat, 1, &opts).unwrap();
    eq(&v, "/UtcTime", json!("2024-05-01 10:00:00.000"));
    // Other shapes ignore the option.
    let e = render_with(&c[1], Schema::SysmonEvtx, 1, &opts).unwrap();
    assert!(at(&e, "/Event/System/TimeCreated/#attributes/SystemTime")
        .as_str()
        .unwrap()
        .starts_with("2024-05-01T10:00:00.00"));
}

#[test]
fn sysmon_evtx_is_typed() {
    let c = chain();
    let v = r(&c[1], Schema::SysmonEvtx);
    eq(&v, "/Event/System/EventID", json!(1));
    eq(&v, "/Event/System/Computer", json!("WS01.corp.example.com"));
    eq(&v, "/Event/System/Channel", json!("Microsoft-Windows-Sysmon/Operational"));
    eq(&v, "/Event/System/Provider/#attributes/Guid", json!("{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"));
    eq(&v, "/Event/System/EventRecordID", json!(42));
    eq(&v, "/Event/System/Security/#attributes/UserID", json!("S-1-5-18"));
    let st = at(&v, "/Event/System/TimeCreated/#attributes/SystemTime").as_str().unwrap();
    assert_eq!(st.len(), "2024-05-01T10:00:00.0000000Z".len(), "{st}");
    eq(&v, "/Event/EventData/ProcessId", json!(7788));
    eq(&v, "/Event/EventData/ParentProcessId", json!(4312));
    eq(&v, "/Event/EventData/ProcessGuid", json!(MSHTA_GUID));
    eq(&v, "/Event/EventData/TerminalSessionId", json!(1));
    assert!(at(&v, "/Event/EventData/LogonId").as_str().unwrap().starts_with("0x"));
    let net = r(&c[4], Schema::SysmonEvtx);
    eq(&net, "/Event/EventData/Initiated", json!(true));
    eq(&net, "/Event/EventData/DestinationPort", json!(443));
    eq(&net, "/Event/EventData/SourcePort", json!(50112));
    eq(&r(&c[3], Schema::SysmonEvtx), "/Event/EventData/QueryStatus", json!("0"));
}

#[test]
fn sysmon_winlogbeat() {
    let c = chain();
    let v = r(&c[1], Schema::SysmonWinlogbeat);
    eq(&v, "/winlog/channel", json!("Microsoft-Windows-Sysmon/Operational"));
    eq(&v, "/winlog/event_id", json!("1"));
    eq(&v, "/winlog/computer_name", json!("WS01.corp.example.com"));
    eq(&v, "/winlog/event_data/ProcessId", json!("7788"));
    eq(&v, "/winlog/event_data/ProcessGuid", json!(MSHTA_GUID));
    eq(&v, "/winlog/user/identifier", json!("S-1-5-18"));
    eq(&v, "/event/code", json!("1"));
    eq(&v, "/event/action", json!("Process Create (rule: ProcessCreate)"));
    eq(&r(&c[4], Schema::SysmonWinlogbeat), "/winlog/event_data/Initiated", json!("true"));
}

#[test]
fn security() {
    let c = chain();
    let v = r(&c[1], Schema::SecurityFlat);
    eq(&v, "/EventID", json!(4688));
    eq(&v, "/Channel", json!("Security"));
    eq(&v, "/Hostname", json!("WS01.corp.example.com"));
    eq(&v, "/NewProcessId", json!("0x1e6c"));
    eq(&v, "/ProcessId", json!("0x10d8"));
    eq(&v, "/NewProcessName", json!("C:\\Windows\\System32\\mshta.exe"));
    eq(&v, "/ParentProcessName", json!("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"));
    eq(&v, "/CommandLine", json!("mshta.exe https://cdn-update.example.net/invoice.hta"));
    eq(&v, "/SubjectUserName", json!("alice"));
    eq(&v, "/SubjectDomainName", json!("CORP"));
    eq(&v, "/TargetUserSid", json!("S-1-0-0"));
    eq(&v, "/MandatoryLabel", json!("S-1-16-8192"));
    eq(&v, "/TimeCreated", json!("2024-05-01T10:00:00.000Z"));
    eq(&v, "/ProviderGuid", json!("{54849625-5478-4994-a5ba-3e3b0328c30d}"));
    assert!(v.get("ProcessGuid").is_none() && !v.to_string().contains(MSHTA_GUID), "no GUID in Security");
    assert!(at(&v, "/Message").as_str().unwrap().contains("New Process ID:\t\t0x1e6c"));

    let end = r(&c[9], Schema::SecurityFlat);
    eq(&end, "/EventID", json!(4689));
    eq(&end, "/ProcessId", json!("0x1e6c"));
    eq(&end, "/ProcessName", json!("C:\\Windows\\System32\\mshta.exe"));
    eq(&end, "/Status", json!("0x0"));

    let net = r(&c[4], Schema::SecurityFlat);
    eq(&net, "/EventID", json!(5156));
    eq(&net, "/ProcessID", json!("7788"));
    eq(&net, "/Application", json!("\\device\\harddiskvolume2\\windows\\system32\\mshta.exe"));
    eq(&net, "/Direction", json!("%%14593"));
    eq(&net, "/LayerName", json!("%%14611"));
    eq(&net, "/SourceAddress", json!("10.0.5.21"));
    eq(&net, "/DestAddress", json!("203.0.113.50"));
    eq(&net, "/DestPort", json!("443"));
    eq(&net, "/Protocol", json!("6"));

    let e = r(&c[1], Schema::SecurityEvtx);
    eq(&e, "/Event/System/EventID", json!(4688));
    eq(&e, "/Event/System/Version", json!(2));
    eq(&e, "/Event/EventData/NewProcessId", json!("0x1e6c"));
    eq(&e, "/Event/System/Security", Value::Null);
    let en = r(&c[4], Schema::SecurityEvtx);
    eq(&en, "/Event/EventData/ProcessID", json!(7788));
    eq(&en, "/Event/EventData/DestPort", json!("443"));
    eq(&en, "/Event/EventData/Protocol", json!(6));

    let w = r(&c[1], Schema::SecurityWinlogbeat);
    eq(&w, "/winlog/event_id", json!("4688"));
    eq(&w, "/winlog/channel", json!("Security"));
    eq(&w, "/winlog/event_data/NewProcessId", json!("0x1e6c"));
    eq(&w, "/winlog/keywords/0", json!("Audit Success"));
}

#[test]
fn ecs_defend() {
    let c = chain();
    let word = r(&c[0], Schema::EcsDefend);
    let v = r(&c[1], Schema::EcsDefend);
    eq(&v, "/event/module", json!("endpoint"));
    eq(&v, "/event/category/0", json!("process"));
    eq(&v, "/event/type/0", json!("start"));
    eq(&v, "/event/action", json!("start"));
    eq(&v, "/data_stream/dataset", json!("endpoint.events.process"));
    eq(&v, "/agent/type", json!("endpoint"));
    eq(&v, "/host/name", json!("ws01.corp.example.com"));
    eq(&v, "/process/pid", json!(7788));
    eq(&v, "/process/name", json!("mshta.exe"));
    eq(&v, "/process/pe/original_file_name", json!("MSHTA.EXE"));
    eq(&v, "/process/parent/pid", json!(4312));
    eq(&v, "/process/parent/name", json!("WINWORD.EXE"));
    eq(&v, "/process/args/1", json!("https://cdn-update.example.net/invoice.hta"));
    eq(&v, "/user/name", json!("alice"));
    let entity = at(&v, "/process/entity_id").as_str().unwrap();
    assert!(!entity.starts_with('{') && entity.len() > 40, "opaque: {entity}");
    assert_eq!(at(&v, "/process/parent/entity_id"), at(&word, "/process/entity_id"));
    assert_eq!(at(&v, "/process/Ext/ancestry/0"), at(&word, "/process/entity_id"));

    let net = r(&c[4], Schema::EcsDefend);
    eq(&net, "/data_stream/dataset", json!("endpoint.events.network"));
    eq(&net, "/event/category/0", json!("network"));
    eq(&net, "/event/action", json!("connection_attempted"));
    eq(&net, "/network/direction", json!("egress"));
    eq(&net, "/network/transport", json!("tcp"));
    eq(&net, "/destination/ip", json!("203.0.113.50"));
    eq(&net, "/destination/port", json!(443));
    eq(&net, "/process/entity_id", json!(entity));
    assert!(net.pointer("/process/parent").is_none(), "no parent on activity events");

    let dns = r(&c[3], Schema::EcsDefend);
    eq(&dns, "/event/action", json!("lookup_requested"));
    eq(&dns, "/event/category/0", json!("network"));
    eq(&dns, "/dns/question/name", json!("cdn-update.example.net"));
    let file = r(&c[5], Schema::EcsDefend);
    eq(&file, "/event/category/0", json!("file"));
    eq(&file, "/event/type/0", json!("creation"));
    eq(&file, "/file/extension", json!("hta"));
    let lib = r(&c[2], Schema::EcsDefend);
    eq(&lib, "/event/category/0", json!("library"));
    eq(&lib, "/event/action", json!("load"));
    eq(&lib, "/dll/path", json!("C:\\Windows\\System32\\mshtml.dll"));
    let end = r(&c[9], Schema::EcsDefend);
    eq(&end, "/event/type/0", json!("end"));
    eq(&end, "/process/entity_id", json!(entity));
}

#[test]
fn ecs_sysmon_integration() {
    let c = chain();
    let v = r(&c[1], Schema::EcsSysmon);
    eq(&v, "/data_stream/dataset", json!("windows.sysmon_operational"));
    eq(&v, "/event/code", json!("1"));
    eq(&v, "/event/category/0", json!("process"));
    eq(&v, "/event/type/0", json!("start"));
    eq(&v, "/process/entity_id", json!(MSHTA_GUID));
    eq(&v, "/process/pid", json!(7788));
    eq(&v, "/process/parent/entity_id", json!(WINWORD_GUID));
    eq(&v, "/process/pe/original_file_name", json!("MSHTA.EXE"));
    eq(&v, "/winlog/computer_name", json!("WS01.corp.example.com"));
    eq(&v, "/user/id", json!("S-1-5-18"));
    eq(&v, "/user/name", json!("alice"));
    eq(&v, "/@timestamp", json!("2024-05-01T10:00:00.000Z"));
    let dns = r(&c[3], Schema::EcsSysmon);
    eq(&dns, "/event/action", json!("DNSEvent (DNS query)"));
    eq(&dns, "/event/category/0", json!("network"));
    eq(&dns, "/dns/question/name", json!("cdn-update.example.net"));
    eq(&dns, "/dns/answers/0/type", json!("CNAME"));
    eq(&dns, "/dns/resolved_ip/0", json!("203.0.113.50"));
    let net = r(&c[4], Schema::EcsSysmon);
    eq(&net, "/network/direction", json!("egress"));
    eq(&net, "/destination/ip", json!("203.0.113.50"));
    eq(&net, "/process/entity_id", json!(MSHTA_GUID));
    let lib = r(&c[2], Schema::EcsSysmon);
    eq(&lib, "/event/category/0", json!("process"));
    eq(&lib, "/event/type/0", json!("change"));
    eq(&lib, "/file/path", json!("C:\\Windows\\System32\\mshtml.dll"));
    eq(&r(&c[5], Schema::EcsSysmon), "/event/action", json!("FileCreate"));
    eq(&r(&c[9], Schema::EcsSysmon), "/event/type/0", json!("end"));
}

#[test]
fn ocsf() {
    let c = chain();
    let v = r(&c[1], Schema::Ocsf);
    eq(&v, "/class_uid", json!(1007));
    eq(&v, "/activity_id", json!(1));
    eq(&v, "/type_uid", json!(100701));
    eq(&v, "/time", json!(SAMPLE_START_MS));
    assert!(at(&v, "/time").is_i64());
    eq(&v, "/metadata/version", json!("1.8.0"));
    eq(&v, "/device/hostname", json!("WS01.corp.example.com"));
    eq(&v, "/process/uid", json!(MSHTA_GUID));
    eq(&v, "/process/pid", json!(7788));
    eq(&v, "/process/created_time", json!(SAMPLE_START_MS));
    eq(&v, "/process/file/path", json!("C:\\Windows\\System32\\mshta.exe"));
    eq(&v, "/process/parent_process/uid", json!(WINWORD_GUID));
    eq(&v, "/actor/process/uid", json!(WINWORD_GUID));
    eq(&v, "/actor/process/pid", json!(4312));
    eq(&v, "/unmapped/OriginalFileName", json!("MSHTA.EXE"));
    let end = r(&c[9], Schema::Ocsf);
    eq(&end, "/type_uid", json!(100702));
    eq(&end, "/process/uid", json!(MSHTA_GUID));
    let net = r(&c[4], Schema::Ocsf);
    eq(&net, "/class_uid", json!(4001));
    eq(&net, "/type_uid", json!(400101));
    eq(&net, "/connection_info/direction_id", json!(2));
    eq(&net, "/dst_endpoint/ip", json!("203.0.113.50"));
    eq(&net, "/dst_endpoint/port", json!(443));
    eq(&net, "/actor/process/uid", json!(MSHTA_GUID));
    let dns = r(&c[3], Schema::Ocsf);
    eq(&dns, "/class_uid", json!(4003));
    eq(&dns, "/activity_id", json!(2));
    eq(&dns, "/query/hostname", json!("cdn-update.example.net"));
    eq(&dns, "/answers/1/rdata", json!("203.0.113.50"));
    let file = r(&c[5], Schema::Ocsf);
    eq(&file, "/class_uid", json!(1001));
    eq(&file, "/type_uid", json!(100101));
    assert!(at(&file, "/file/path").as_str().unwrap().ends_with(".hta"));
    let module = r(&c[2], Schema::Ocsf);
    eq(&module, "/class_uid", json!(1005));
    eq(&module, "/type_uid", json!(100501));
    eq(&module, "/module/file/path", json!("C:\\Windows\\System32\\mshtml.dll"));
}

#[test]
fn defender() {
    let c = chain();
    let v = r(&c[1], Schema::DefenderRow);
    eq(&v, "/ActionType", json!("ProcessCreated"));
    eq(&v, "/DeviceName", json!("ws01.corp.example.com"));
    eq(&v, "/ProcessId", json!(7788));
    eq(&v, "/FileName", json!("mshta.exe"));
    eq(&v, "/FolderPath", json!("C:\\Windows\\System32\\mshta.exe"));
    eq(&v, "/ProcessCommandLine", json!("mshta.exe https://cdn-update.example.net/invoice.hta"));
    eq(&v, "/ProcessVersionInfoOriginalFileName", json!("MSHTA.EXE"));
    eq(&v, "/InitiatingProcessId", json!(4312));
    eq(&v, "/InitiatingProcessFileName", json!("WINWORD.EXE"));
    eq(&v, "/InitiatingProcessFolderPath", json!("c:\\program files\\microsoft office\\root\\office16\\winword.exe"));
    eq(&v, "/AccountName", json!("alice"));
    assert_eq!(at(&v, "/DeviceId").as_str().unwrap().len(), 40);
    assert!(at(&v, "/Timestamp").as_str().unwrap().starts_with("2024-05-01T10:00:00.000"));
    assert!(at(&v, "/ProcessCreationTime").as_str().unwrap().starts_with("2024-05-01T10:00:00"));
    assert!(!v.to_string().contains("5f6a-"), "Defender has no process GUID: {v}");

    let net = r(&c[4], Schema::DefenderRow);
    eq(&net, "/ActionType", json!("ConnectionSuccess"));
    eq(&net, "/RemoteIP", json!("203.0.113.50"));
    eq(&net, "/RemotePort", json!(443));
    eq(&net, "/RemoteUrl", json!("cdn-update.example.net"));
    eq(&net, "/LocalIP", json!("10.0.5.21"));
    eq(&net, "/Protocol", json!("Tcp"));
    eq(&net, "/RemoteIPType", json!("Public"));
    eq(&net, "/InitiatingProcessId", json!(7788));
    // The actor key (DeviceId + pid + creation time) matches the process's own row.
    assert_eq!(at(&net, "/InitiatingProcessCreationTime"), at(&v, "/ProcessCreationTime"));
    assert_eq!(at(&net, "/DeviceId"), at(&v, "/DeviceId"));
    let ps = r(&c[6], Schema::DefenderRow);
    assert_eq!(at(&ps, "/InitiatingProcessCreationTime"), at(&v, "/ProcessCreationTime"));

    let dns = r(&c[3], Schema::DefenderRow);
    eq(&dns, "/ActionType", json!("DnsQueryResponse"));
    let extra: Value = serde_json::from_str(at(&dns, "/AdditionalFields").as_str().unwrap()).unwrap();
    eq(&extra, "/DnsQueryString", json!("cdn-update.example.net"));
    eq(&r(&c[5], Schema::DefenderRow), "/ActionType", json!("FileCreated"));
    eq(&r(&c[2], Schema::DefenderRow), "/ActionType", json!("ImageLoaded"));

    let s = r(&c[1], Schema::DefenderStream);
    eq(&s, "/records/0/category", json!("AdvancedHunting-DeviceProcessEvents"));
    eq(&s, "/records/0/operationName", json!("Publish"));
    eq(&s, "/records/0/properties/ProcessId", json!(7788));
    eq(&s, "/records/0/properties/MachineGroup", Value::Null);
    assert!(at(&s, "/records/0/tenantId").is_string());
    assert!(at(&s, "/records/0/time").as_str().unwrap() > at(&s, "/records/0/properties/Timestamp").as_str().unwrap());
    assert_eq!(at(&s, "/records").as_array().unwrap().len(), 1);
    eq(&r(&c[4], Schema::DefenderStream), "/records/0/category", json!("AdvancedHunting-DeviceNetworkEvents"));
    eq(&r(&c[3], Schema::DefenderStream), "/records/0/category", json!("AdvancedHunting-DeviceEvents"));
    eq(&r(&c[5], Schema::DefenderStream), "/records/0/category", json!("AdvancedHunting-DeviceFileEvents"));
    eq(&r(&c[2], Schema::DefenderStream), "/records/0/category", json!("AdvancedHunting-DeviceImageLoadEvents"));
}

#[test]
fn inbound_direction_everywhere() {
    let ev = inbound_connection(SAMPLE_START_MS);
    let Kind::Network { .. } = &ev.kind else { unreachable!() };
    // Sysmon: Source = initiator (the remote client), Initiated=false.
    let s = r(&ev, Schema::SysmonFlat);
    eq(&s, "/Initiated", json!("false"));
    eq(&s, "/SourceIp", json!("10.0.5.21"));
    eq(&s, "/DestinationIp", json!("10.0.8.15"));
    eq(&s, "/DestinationPort", json!("445"));
    let sec = r(&ev, Schema::SecurityFlat);
    eq(&sec, "/Direction", json!("%%14592"));
    eq(&sec, "/LayerName", json!("%%14610"));
    eq(&sec, "/SourceAddress", json!("10.0.5.21"));
    eq(&sec, "/Application", json!("System"));
    eq(&sec, "/ProcessID", json!("4"));
    eq(&r(&ev, Schema::EcsDefend), "/network/direction", json!("ingress"));
    eq(&r(&ev, Schema::EcsDefend), "/event/action", json!("connection_accepted"));
    eq(&r(&ev, Schema::EcsSysmon), "/network/direction", json!("ingress"));
    eq(&r(&ev, Schema::Ocsf), "/connection_info/direction_id", json!(1));
    eq(&r(&ev, Schema::Ocsf), "/src_endpoint/ip", json!("10.0.5.21"));
    let d = r(&ev, Schema::DefenderRow);
    eq(&d, "/ActionType", json!("InboundConnectionAccepted"));
    eq(&d, "/LocalIP", json!("10.0.8.15"));
    eq(&d, "/LocalPort", json!(445));
    eq(&d, "/RemoteIP", json!("10.0.5.21"));
    eq(&d, "/RemoteIPType", json!("Private"));
}

#[test]
fn record_id_and_render_are_deterministic() {
    let c = chain();
    for schema in Schema::ALL {
        for ev in &c {
            assert_eq!(render(ev, schema, 9), render(ev, schema, 9), "{}", schema.name());
        }
    }
}

#[test]
fn jsonl_maps_lines_to_events() {
    let c = chain();
    let (text, origin) = to_jsonl(&c, Schema::SecurityFlat, &RenderOptions::default());
    let lines: Vec<&str> = text.lines().collect();
    // Starts, ends and the connection: 3 starts + 2 ends + 1 network.
    assert_eq!(origin, [0, 1, 4, 6, 8, 9]);
    assert_eq!(lines.len(), origin.len());
    let net: Value = serde_json::from_str(lines[2]).unwrap();
    eq(&net, "/EventID", json!(5156));
    let (all, o) = to_jsonl(&c, Schema::Ocsf, &RenderOptions::default());
    assert_eq!(all.lines().count(), c.len());
    assert_eq!(o, (0..c.len()).collect::<Vec<_>>());
}

#[test]
fn creator_account_for_dcom_launched_user_process() {
    let mut ev = chain()[1].clone();
    let Kind::ProcessStart(p) = &mut ev.kind else { unreachable!() };
    let parent = p.parent.as_mut().unwrap();
    parent.image = "C:\\Windows\\System32\\svchost.exe".into();
    parent.command_line = "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p".into();
    let v = r(&ev, Schema::SecurityFlat);
    eq(&v, "/SubjectUserSid", json!("S-1-5-18"));
    eq(&v, "/SubjectUserName", json!("WS01$"));
    eq(&v, "/TargetUserName", json!("alice"));
    eq(&v, "/TargetDomainName", json!("CORP"));
    let d = r(&ev, Schema::DefenderRow);
    eq(&d, "/InitiatingProcessAccountName", json!("system"));
    eq(&d, "/AccountName", json!("alice"));
}

#[test]
fn vector_windows_event_log() {
    let c = chain();
    let v = r(&c[1], Schema::SysmonVector);
    eq(&v, "/event_id", json!(1));
    eq(&v, "/channel", json!("Microsoft-Windows-Sysmon/Operational"));
    eq(&v, "/event_data/ProcessGuid", json!(MSHTA_GUID));
    // Every event_data value is a string.
    assert!(at(&v, "/event_data").as_object().unwrap().values().all(Value::is_string), "{v}");
    let s = r(&c[1], Schema::SecurityVector);
    eq(&s, "/event_id", json!(4688));
    eq(&s, "/channel", json!("Security"));
}

#[test]
fn crowdstrike_ids_are_upids_and_every_value_a_string() {
    let c = chain();
    let word = r(&c[0], Schema::CrowdStrike);
    let mshta = r(&c[1], Schema::CrowdStrike);
    eq(&mshta, "/event_simpleName", json!("ProcessRollup2"));
    // The parent is named by its UPID (its TargetProcessId), not its pid.
    eq(&mshta, "/ParentProcessId", at(&word, "/TargetProcessId").clone());
    eq(&mshta, "/RawProcessId", json!("7788"));
    eq(&mshta, "/ParentBaseFileName", json!("WINWORD.EXE"));
    assert!(at(&mshta, "/ImageFileName").as_str().unwrap().starts_with("\\Device\\HarddiskVolume2\\Windows\\"));
    assert!(mshta.get("ParentCommandLine").is_none());
    let dns = r(&c[3], Schema::CrowdStrike);
    eq(&dns, "/ContextProcessId", at(&mshta, "/TargetProcessId").clone());
    for v in [&word, &mshta, &dns] {
        assert!(v.as_object().unwrap().values().all(Value::is_string), "{v}");
    }
    assert_eq!(crowdstrike::upid(MSHTA_GUID), crowdstrike::upid(&MSHTA_GUID.to_ascii_uppercase()));
}

#[test]
fn sentinelone_src_is_the_parent_in_a_creation_and_the_actor_elsewhere() {
    let c = chain();
    let v = r(&c[1], Schema::SentinelOne);
    eq(&v, "/event.type", json!("Process Creation"));
    eq(&v, "/tgt.process.pid", json!(7788));
    eq(&v, "/src.process.uid", json!(sentinelone::uid(WINWORD_GUID)));
    eq(&v, "/tgt.process.uid", json!(sentinelone::uid(MSHTA_GUID)));
    let dns = r(&c[3], Schema::SentinelOne);
    eq(&dns, "/src.process.uid", json!(sentinelone::uid(MSHTA_GUID)));
    // The nested shape is the same event.
    let n = r(&c[1], Schema::SentinelOneNested);
    eq(&n, "/tgt/process/uid", json!(sentinelone::uid(MSHTA_GUID)));
    eq(&n, "/endpoint/name", at(&v, "/endpoint.name").clone());
}

#[test]
fn carbonblack_procstart_is_the_creators_event() {
    let c = chain();
    let v = r(&c[1], Schema::CarbonBlack);
    eq(&v, "/type", json!("endpoint.event.procstart"));
    eq(&v, "/childproc_pid", json!(7788));
    eq(&v, "/childproc_name", json!("c:\\windows\\system32\\mshta.exe"));
    assert!(at(&v, "/process_path").as_str().unwrap().ends_with("winword.exe"));
    assert!(at(&v, "/device_timestamp").as_str().unwrap().ends_with(" +0000 UTC"));
    assert!(render(&c[3], Schema::CarbonBlack, 1).is_none(), "no DNS event");
}

#[test]
fn splunk_cim_with_and_without_prefixes() {
    let c = chain();
    let v = r(&c[1], Schema::SplunkCim);
    eq(&v, "/Processes.process_id", json!("7788"));
    eq(&v, "/Processes.process", json!("mshta.exe https://cdn-update.example.net/invoice.hta"));
    let u = r(&c[1], Schema::SplunkCimUnprefixed);
    eq(&u, "/process_id", json!("7788"));
    assert!(u.as_object().unwrap().keys().all(|k| !k.contains('.')), "{u}");
    let net = r(&c[4], Schema::SplunkCim);
    assert!(net.get("All_Traffic.process_guid").is_none(), "network rows have no GUID");
    assert!(render(&c[8], Schema::SplunkCim, 1).is_none(), "no process end");
}
