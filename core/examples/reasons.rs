//! Prints the scoring-reason reference page: `cargo run -p mshta-chain-core --example reasons > docs/reasons.md`.
fn main() {
    print!("{}", mshta_chain_core::reasons_markdown());
}
