//! The real EVTX samples (tests/data/realdata/evtx, MIT): read by chunk,
//! damage reported, and the records equal to the JSON Lines the core
//! already reads.

mod common;
use common::*;
use mshta_chain_evtx::{Batch, ErrorKind, EvtxStream, CHUNK_SIZE, FILE_HEADER_SIZE};

#[test]
fn sysmon_evtx_gives_the_same_report_as_its_json_lines_export() {
    let batch = read_whole(&data("realdata/evtx/sysmon.evtx"));
    assert_eq!(batch.records, 358);
    // The file's 8 garbage chunks after the last good one: one error.
    let chunk_errors: Vec<_> = batch.errors.iter().filter(|e| e.kind == ErrorKind::Chunk).collect();
    assert_eq!(chunk_errors.len(), 1, "{:#?}", batch.errors);
    assert_eq!((chunk_errors[0].chunk, chunk_errors[0].chunks), (Some(9), 8));
    assert!(batch.errors.iter().all(|e| e.kind != ErrorKind::Record), "{:#?}", batch.errors);

    let from_evtx = report(&batch.lines);
    let from_jsonl = report(&data("realdata/benign/sysmon_desktop_2017.jsonl"));
    assert_eq!(from_evtx.stats.events, 358);
    assert_eq!(from_evtx.stats.rejected, 0, "{:?}", from_evtx.errors);
    assert_eq!(from_evtx.stats.by_schema.get("sysmon_evtx"), Some(&358));
    assert_eq!(essentials(&from_evtx), essentials(&from_jsonl));
}

#[test]
fn records_are_evtx_dump_json_with_the_fields_the_core_reads() {
    let batch = read_whole(&data("realdata/evtx/sysmon.evtx"));
    let first = &records(&batch)[0];
    let system = &first["Event"]["System"];
    assert_eq!(system["EventID"], 1);
    assert_eq!(system["Computer"], "DESKTOP-2KGM189");
    assert_eq!(system["Channel"], "Microsoft-Windows-Sysmon/Operational");
    assert_eq!(system["EventRecordID"], 1742);
    assert!(system["TimeCreated"]["#attributes"]["SystemTime"].as_str().unwrap().starts_with("2017-12-26T13:10:29"));
    assert_eq!(first["Event"]["EventData"]["ProcessId"], 9112);
    // Same values as the flat export of the same record.
    let flat: serde_json::Value = serde_json::from_slice(
        data("realdata/benign/sysmon_desktop_2017.jsonl").split(|&b| b == b'\n').next().unwrap(),
    )
    .unwrap();
    for (k, v) in first["Event"]["EventData"].as_object().unwrap() {
        assert_eq!(&flat[k], v, "{k}");
    }
}

#[test]
fn any_cut_gives_the_same_records() {
    for name in ["sysmon.evtx", "security.evtx", "sample_with_a_bad_chunk_magic.evtx"] {
        let bytes = data(&format!("realdata/evtx/{name}"));
        let whole = read_whole(&bytes);
        for seed in [1u64, 7, 1234] {
            let mut rng = Rng(seed);
            let cut = read_cut(&bytes, || match rng.below(4) {
                0 => 1 + rng.below(16) as usize,
                1 => 1 + rng.below(5000) as usize,
                2 => CHUNK_SIZE,
                _ => 1 + rng.below(200_000) as usize,
            });
            assert_eq!(cut.records, whole.records, "{name} seed {seed}");
            assert!(cut.lines == whole.lines, "{name} seed {seed}: records differ");
            assert_eq!(cut.errors, whole.errors, "{name} seed {seed}");
        }
    }
}

#[test]
fn bad_chunk_magic_sample_reads_the_good_chunks_and_names_the_bad() {
    let batch = read_whole(&data("realdata/evtx/sample_with_a_bad_chunk_magic.evtx"));
    // The evtx crate's own test of this file expects 301 records.
    assert_eq!(batch.records, 301);
    let bad: Vec<_> = batch.errors.iter().filter(|e| e.kind == ErrorKind::Chunk).collect();
    assert_eq!(bad.iter().map(|e| e.chunk.unwrap()).collect::<Vec<_>>(), vec![6, 10], "{bad:#?}");
    assert!(bad.iter().all(|e| e.message.contains("ElfChnk")), "{bad:#?}");
    assert_eq!(bad[0].offset, Some((FILE_HEADER_SIZE + 6 * CHUNK_SIZE) as u64));
    let records: Vec<_> = batch.errors.iter().filter(|e| e.kind == ErrorKind::Record).collect();
    assert_eq!(records.len(), 1, "{:#?}", batch.errors);
    assert_eq!(records[0].chunk, Some(7));
    assert_eq!(records[0].offset, Some((FILE_HEADER_SIZE + 7 * CHUNK_SIZE + 0x2060) as u64));
    let crc: Vec<_> = batch.errors.iter().filter(|e| e.kind == ErrorKind::Checksum).map(|e| e.chunk).collect();
    assert_eq!(crc, vec![Some(0), Some(7), Some(9)]);
    // Every record read is one the core accepts.
    let r = report(&batch.lines);
    assert_eq!((r.stats.events, r.stats.rejected), (301, 0), "{:?}", r.errors);
}

#[test]
fn bad_string_cache_sample_reads_like_the_clean_file() {
    let clean = read_whole(&data("realdata/evtx/security.evtx"));
    let trap = read_whole(&data("realdata/evtx/security_bad_string_cache.evtx"));
    assert_eq!(clean.records, 2261);
    assert_eq!(trap.records, 2261);
    assert_eq!(essentials(&report(&trap.lines)), essentials(&report(&clean.lines)));
    assert_eq!(report(&clean.lines).stats.by_schema.get("security_evtx"), Some(&2261));
}

#[test]
fn read_chunk_reads_a_chunk_given_out_of_order() {
    let bytes = data("realdata/evtx/sysmon.evtx");
    let whole = read_whole(&bytes);
    let mut s = EvtxStream::new();
    let mut out = Batch::new();
    for n in (0..9).rev() {
        let at = FILE_HEADER_SIZE + n * CHUNK_SIZE;
        s.read_chunk(n as u64, &bytes[at..at + CHUNK_SIZE], &mut out);
    }
    assert_eq!(out.records, whole.records);
    let mut a: Vec<_> = out.records().collect();
    let mut b: Vec<_> = whole.records().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn a_stream_reads_one_file_after_another_as_fresh_streams_do() {
    let files = [data("realdata/evtx/sample_with_a_bad_chunk_magic.evtx"), data("realdata/evtx/sysmon.evtx")];
    let mut reused = EvtxStream::new();
    for file in &files {
        let mut a = Batch::new();
        reused.push(file, &mut a);
        reused.finish(&mut a);
        let mut fresh = EvtxStream::new();
        let mut b = Batch::new();
        fresh.push(file, &mut b);
        fresh.finish(&mut b);
        assert!(a.lines == b.lines);
        assert_eq!(a.errors, b.errors);
    }
}
