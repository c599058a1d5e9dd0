//! Damaged and hostile input: each case gives a clear error with its
//! position, everything readable is still read, and nothing hangs or grows
//! without bound. Large cases are generated here, never committed.

mod common;
use common::*;
use mshta_chain_evtx::{
    Batch, ErrorKind, EvtxStream, RawReader, XmlStream, CHUNK_SIZE, FILE_HEADER_SIZE, MAX_EVENT_BYTES,
};

fn sysmon() -> Vec<u8> {
    data("realdata/evtx/sysmon.evtx")
}

fn chunk_records(bytes: &[u8], n: usize) -> u64 {
    let at = FILE_HEADER_SIZE + n * CHUNK_SIZE;
    let mut s = EvtxStream::new();
    let mut out = Batch::new();
    s.read_chunk(n as u64, &bytes[at..at + CHUNK_SIZE], &mut out);
    out.records
}

#[test]
fn truncated_evtx_reads_what_is_there_and_says_where_it_ends() {
    let file = sysmon();
    // Inside the file header.
    let b = read_whole(&file[..1000]);
    assert_eq!(b.records, 0);
    assert_eq!(b.errors[0].kind, ErrorKind::FileHeader);
    assert!(b.errors[0].message.contains("truncated EVTX file header: 1000 of 4096"), "{}", b.errors[0]);
    // Inside chunk 3, halfway: chunks 0-2 whole, then the complete records of chunk 3's first half.
    let cut = FILE_HEADER_SIZE + 3 * CHUNK_SIZE + CHUNK_SIZE / 2;
    let b = read_whole(&file[..cut]);
    let whole_chunks: u64 = (0..3).map(|n| chunk_records(&file, n)).sum();
    let t: Vec<_> = b.errors.iter().filter(|e| e.kind == ErrorKind::Truncated).collect();
    assert_eq!(t.len(), 1, "{:#?}", b.errors);
    assert_eq!(t[0].chunk, Some(3));
    assert!(t[0].message.contains("32768 of 65536 bytes"), "{}", t[0]);
    assert!(b.records > whole_chunks && b.records < whole_chunks + chunk_records(&file, 3), "{}", b.records);
    // The records read are the file's first ones, exactly.
    let full = read_whole(&file);
    assert!(full.lines.starts_with(&b.lines));
    // Inside a chunk header: nothing of that chunk is read.
    let b = read_whole(&file[..FILE_HEADER_SIZE + CHUNK_SIZE + 100]);
    assert_eq!(b.records, chunk_records(&file, 0));
    assert!(b
        .errors
        .iter()
        .any(|e| e.kind == ErrorKind::Truncated && e.message.contains("too short for a chunk header")));
}

#[test]
fn garbage_after_a_valid_header_is_one_error_for_the_run() {
    let file = sysmon();
    let mut bytes = file[..FILE_HEADER_SIZE].to_vec();
    let mut rng = Rng(42);
    for _ in 0..5 * CHUNK_SIZE {
        bytes.push(rng.next() as u8);
    }
    // Then a good chunk: it is still read.
    bytes.extend_from_slice(&file[FILE_HEADER_SIZE..FILE_HEADER_SIZE + CHUNK_SIZE]);
    let b = read_whole(&bytes);
    assert_eq!(b.records, chunk_records(&file, 0));
    let bad: Vec<_> = b.errors.iter().filter(|e| e.kind == ErrorKind::Chunk).collect();
    assert_eq!(bad.len(), 1, "{:#?}", b.errors);
    assert_eq!((bad[0].chunk, bad[0].chunks, bad[0].offset), (Some(0), 5, Some(FILE_HEADER_SIZE as u64)));
    assert!(bad[0].to_string().starts_with("chunks 0 to 4, offset 0x1000: 5 chunks: not a chunk"), "{}", bad[0]);
}

#[test]
fn a_chunk_with_a_valid_header_and_garbage_records_is_reported_per_record() {
    let file = sysmon();
    let mut chunk = file[FILE_HEADER_SIZE..FILE_HEADER_SIZE + CHUNK_SIZE].to_vec();
    let mut rng = Rng(9);
    for b in &mut chunk[512..] {
        *b = rng.next() as u8;
    }
    // Its string table was in the records: the chunk is skipped, saying why.
    let mut bytes = file[..FILE_HEADER_SIZE].to_vec();
    bytes.extend_from_slice(&chunk);
    let b = read_whole(&bytes);
    assert_eq!(b.errors.len(), 1, "{:#?}", b.errors);
    assert!(b.errors[0].message.contains("unreadable string table, chunk skipped"), "{}", b.errors[0]);
    // With its string and template tables empty, each record fails on its own.
    chunk[128..512].fill(0);
    let mut bytes = file[..FILE_HEADER_SIZE].to_vec();
    bytes.extend_from_slice(&chunk);
    bytes.extend_from_slice(&file[FILE_HEADER_SIZE + CHUNK_SIZE..FILE_HEADER_SIZE + 2 * CHUNK_SIZE]);
    let b = read_whole(&bytes);
    assert_eq!(b.records, chunk_records(&file, 1), "{:#?}", b.errors);
    assert!(b.errors.iter().any(|e| e.kind == ErrorKind::Checksum && e.chunk == Some(0)), "{:#?}", b.errors);
    let rec: Vec<_> = b.errors.iter().filter(|e| e.kind == ErrorKind::Record).collect();
    assert!(!rec.is_empty(), "{:#?}", b.errors);
    assert!(rec.iter().all(|e| e.chunk == Some(0) && e.offset == Some(FILE_HEADER_SIZE as u64 + 512)), "{rec:#?}");
}

#[test]
fn random_damage_to_a_chunk_never_panics() {
    let file = sysmon();
    let chunk = &file[FILE_HEADER_SIZE..FILE_HEADER_SIZE + CHUNK_SIZE];
    let mut rng = Rng(2024);
    for round in 0..150 {
        let mut c = chunk.to_vec();
        for _ in 0..1 + rng.below(40) {
            let at = rng.below(CHUNK_SIZE as u64) as usize;
            c[at] = rng.next() as u8;
        }
        let mut s = EvtxStream::new();
        let mut out = Batch::new();
        s.read_chunk(0, &c, &mut out);
        // Every record read is still one JSON document.
        for r in out.records() {
            serde_json::from_slice::<serde_json::Value>(r).unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
    }
}

#[test]
fn invalid_utf16_in_an_evtx_string_is_located() {
    let mut file = sysmon();
    // "PING.EXE" in UTF-16LE: make its `P` an unpaired surrogate.
    let needle: Vec<u8> = "PING.EXE".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = file.windows(needle.len()).position(|w| w == needle.as_slice()).unwrap();
    file[at..at + 2].copy_from_slice(&0xD800u16.to_le_bytes());
    let b = read_whole(&file);
    let clean = read_whole(&sysmon());
    let bad: Vec<_> = b.errors.iter().filter(|e| e.kind == ErrorKind::Record).collect();
    // Either the record is reported (with its id), or read with the bad unit replaced.
    assert_eq!(b.records + bad.len() as u64, clean.records, "{bad:#?}");
    assert!(bad.iter().all(|e| e.record_id.is_some() && e.offset.is_some()), "{bad:#?}");
}

#[test]
fn a_sparse_gigabyte_is_read_in_bounded_memory() {
    let file = sysmon();
    let mut s = EvtxStream::new();
    let mut out = Batch::new();
    s.push(&file[..FILE_HEADER_SIZE], &mut out);
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        s.push(&zeros, &mut out);
        assert!(s.buffered() <= CHUNK_SIZE);
    }
    s.push(&file[FILE_HEADER_SIZE..FILE_HEADER_SIZE + CHUNK_SIZE], &mut out);
    s.finish(&mut out);
    assert_eq!(out.records, chunk_records(&file, 0));
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
}

#[test]
fn not_evtx_at_all() {
    let b = read_whole(b"ElfFile\0 but then nothing more");
    assert_eq!(b.errors.len(), 1);
    assert!(b.errors[0].message.contains("truncated EVTX file header"), "{}", b.errors[0]);
    let b = read_whole(b"hello, this is plain text and not a log");
    assert_eq!(b.errors[0].kind, ErrorKind::FileHeader);
    assert!(b.errors[0].message.contains("neither EVTX"), "{}", b.errors[0]);
}

const EVENT: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2024-05-01T10:00:00Z'/>\
<EventRecordID>1</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>PC1</Computer>\
</System><EventData><Data Name='UtcTime'>2024-05-01 10:00:00.000</Data><Data Name='ProcessId'>4</Data>\
<Data Name='Image'>C:\\x.exe</Data></EventData></Event>";

#[test]
fn an_entity_bomb_is_one_cheap_error() {
    let mut doc = String::from("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        doc.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    doc.push_str("]>\n<Events>\n");
    doc.push_str(&EVENT.replace("C:\\x.exe", "&lol9;"));
    doc.push('\n');
    doc.push_str(EVENT);
    doc.push_str("\n</Events>\n");
    let b = read_whole(doc.as_bytes());
    assert_eq!(b.records, 1, "the good event is read");
    assert!(b.lines.len() < 2000, "nothing expanded");
    assert_eq!(b.errors.len(), 2, "{:#?}", b.errors);
    assert!(b.errors[0].message.contains("DOCTYPE declaration ignored"));
    assert_eq!(b.errors[1].line, Some(15));
    assert!(b.errors[1].message.contains("undefined entity `&lol9;`"), "{}", b.errors[1]);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // 100,000 deep inside an event.
    let deep = format!("<Event>{}{}</Event>\n{EVENT}\n", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let b = read_whole(deep.as_bytes());
    assert_eq!(b.records, 1);
    assert_eq!(b.errors.len(), 1, "{:#?}", b.errors);
    assert!(b.errors[0].message.contains("nested deeper than 64"), "{}", b.errors[0]);
    // 100,000 deep around events: wrappers cost nothing, the event inside is read.
    let around = format!("{}{EVENT}{}", "<w>".repeat(100_000), "</w>".repeat(100_000));
    let b = read_whole(around.as_bytes());
    assert_eq!((b.records, b.errors.len()), (1, 0), "{:#?}", b.errors);
}

#[test]
fn an_endless_event_is_skipped_in_bounded_memory() {
    let mut s = XmlStream::new();
    let mut out = Batch::new();
    s.push(b"<Event>", &mut out);
    let piece = "<a>".repeat(100_000);
    // 30 MB of one event: over the limit, dropped as it streams.
    for _ in 0..100 {
        s.push(piece.as_bytes(), &mut out);
    }
    s.push("</a>".repeat(10_000_000).as_bytes(), &mut out);
    s.push(b"</Event>\n", &mut out);
    s.push(EVENT.as_bytes(), &mut out);
    s.finish(&mut out);
    assert_eq!(out.records, 1);
    assert_eq!(out.errors.len(), 1, "{:#?}", out.errors);
    assert!(out.errors[0].message.contains(&format!("larger than {} MiB", MAX_EVENT_BYTES >> 20)), "{}", out.errors[0]);
}

#[test]
fn invalid_utf16_in_xml_is_located_and_the_rest_read() {
    let text = format!("<Events>\r\n{}\r\n{EVENT}\r\n</Events>\r\n", EVENT.replace("C:\\x.exe", "C:\\\u{1}.exe"));
    let mut units: Vec<u16> = text.encode_utf16().collect();
    let at = units.iter().position(|&u| u == 1).unwrap();
    units[at] = 0xDC00; // an unpaired low surrogate
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    bytes.push(b'x'); // and an odd byte at the end
    let b = read_whole(&bytes);
    assert_eq!(b.records, 2);
    let enc: Vec<_> = b.errors.iter().filter(|e| e.kind == ErrorKind::Encoding).collect();
    assert_eq!(enc.len(), 2, "{:#?}", b.errors);
    assert_eq!(enc[0].offset, Some(2 + 2 * at as u64));
    assert_eq!(enc[0].line, Some(2));
    let r = records(&b);
    assert_eq!(r[0]["Event"]["EventData"]["Image"], "C:\\\u{FFFD}.exe");
    // Cut anywhere, even inside a code unit: the same.
    let mut rng = Rng(5);
    let cut = read_cut(&bytes, || 1 + rng.below(7) as usize);
    assert!(cut.lines == b.lines);
    assert_eq!(cut.errors, b.errors);
}

#[test]
fn truncated_and_malformed_xml() {
    let text = format!("{EVENT}\n{EVENT}\n<Event><System><EventID>1</EventID></Oops></Event>\n<Event><System>");
    let b = read_whole(text.as_bytes());
    assert_eq!(b.records, 2);
    assert_eq!(b.errors.len(), 2, "{:#?}", b.errors);
    assert_eq!(b.errors[0].line, Some(3));
    assert!(b.errors[0].message.contains("not well-formed"), "{}", b.errors[0]);
    assert_eq!(b.errors[1].line, Some(4));
    assert!(b.errors[1].message.contains("ends inside an <Event>"), "{}", b.errors[1]);
    // Invalid UTF-8 in a UTF-8 document: that event only.
    let mut bytes = EVENT.replace("x.exe", "\u{1}.exe").into_bytes();
    let at = bytes.iter().position(|&c| c == 1).unwrap();
    bytes[at] = 0xFF;
    bytes.extend_from_slice(format!("\n{EVENT}").as_bytes());
    let b = read_whole(&bytes);
    assert_eq!((b.records, b.errors.len()), (1, 1), "{:#?}", b.errors);
    assert!(b.errors[0].message.contains("UTF-8"), "{}", b.errors[0]);
    // No event at all.
    let b = read_whole(b"<html><body>not a log</body></html>");
    assert!(b.errors[0].message.contains("no <Event> element"), "{}", b.errors[0]);
}

#[test]
fn garbage_errors_are_capped() {
    let mut r = RawReader::new();
    let mut out = Batch::new();
    let bad = "<Event><a></b></Event>\n".repeat(3000);
    r.push(bad.as_bytes(), &mut out);
    r.finish(&mut out);
    assert_eq!(out.errors.len(), 1001);
    assert!(out.errors[1000].message.contains("2000 more errors not listed"), "{}", out.errors[1000]);
}
