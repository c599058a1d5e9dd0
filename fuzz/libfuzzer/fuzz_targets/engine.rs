//! libFuzzer target `engine`: see `mshta_chain_fuzz::run` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mshta_chain_fuzz::run("engine", data));
