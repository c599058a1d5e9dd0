//! Decoding on other threads (`Engine::split`, `Items::decode`,
//! `Engine::push_decoded`) gives what `Engine::push` gives, whatever the
//! batch cuts, the threads and the order in which batches are decoded.

use mshta_chain_core::{Config, Engine, OutOfOrder, Report};

fn corpus() -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let mut out = Vec::new();
    for rel in [
        "sample.jsonl",
        "realdata/otrf/cmd_mshta_javascript_getobject_sct.jsonl",
        "realdata/otrf/psh_mshta_html_application_execution.jsonl",
    ] {
        out.extend(std::fs::read(root.join(rel)).expect(rel));
        out.push(b'\n');
    }
    // Bad items, objects one after another on a line, CR-only endings.
    out.extend_from_slice(b"not json\r{\"a\":1}{\"b\":2}\n[1]\n{\"unfinished\":");
    out
}

fn by_push(input: &[u8], batch: usize, config: &Config) -> Report {
    let mut engine = Engine::new(config.clone()).unwrap();
    for piece in input.chunks(batch) {
        engine.push(piece);
    }
    engine.finish()
}

/// Splits every batch first, decodes them all on threads (finishing in
/// any order), then pushes them in order.
fn by_threads(input: &[u8], batch: usize, config: &Config) -> Report {
    let mut engine = Engine::new(config.clone()).unwrap();
    let items: Vec<_> = input.chunks(batch).map(|piece| engine.split(piece)).collect();
    let handles: Vec<_> = items.into_iter().map(|i| std::thread::spawn(move || i.decode())).collect();
    for handle in handles {
        engine.push_decoded(handle.join().unwrap()).unwrap();
    }
    engine.finish()
}

#[test]
fn threads_give_what_push_gives_for_any_cut() {
    let input = corpus();
    let config = Config { min_score: 0, ..Config::default() };
    for batch in [input.len(), 1 << 20, 65_536, 4_099, 777] {
        let expected = by_push(&input, batch, &config);
        assert!(!expected.chains.is_empty() && !expected.errors.is_empty());
        assert_eq!(by_threads(&input, batch, &config), expected, "batches of {batch} bytes");
    }
}

#[test]
fn split_and_push_can_be_mixed() {
    let input = corpus();
    let config = Config::default();
    let expected = by_push(&input, 10_000, &config);
    let mut engine = Engine::new(config).unwrap();
    for (i, piece) in input.chunks(10_000).enumerate() {
        if i % 2 == 0 {
            engine.push(piece);
        } else {
            let items = engine.split(piece).decode();
            engine.push_decoded(items).unwrap();
        }
    }
    assert_eq!(engine.finish(), expected);
}

#[test]
fn out_of_order_batches_are_refused_and_change_nothing() {
    let input = corpus();
    let mut engine = Engine::new(Config::default()).unwrap();
    let first = engine.split(&input[..input.len() / 2]).decode();
    let second = engine.split(&input[input.len() / 2..]).decode();
    let before = engine.report();
    let err = engine.push_decoded(second).unwrap_err();
    assert_eq!(err, OutOfOrder { expected: 0, found: 1 });
    assert!(err.to_string().contains("out of order"));
    assert_eq!(engine.report(), before, "a refused batch leaves the engine as it was");
    engine.push_decoded(first).unwrap();
}
