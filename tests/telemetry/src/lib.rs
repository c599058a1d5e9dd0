//! # mshta-chain-telemetry
//!
//! Test-data tooling for mshta-chain, independent of the core it tests:
//!
//! - [`model`]: schema-neutral Windows telemetry — process start/end, network, DNS, file create,
//!   image load — with the identities every schema needs (GUID, pid, start time).
//! - [`render`](mod@render): one model event as one JSON record in any of eleven schemas ([`Schema::ALL`]):
//!   Sysmon and Security auditing in flat / `evtx_dump` / Winlogbeat shapes, Elastic Defend, the Elastic
//!   Sysmon integration, OCSF 1.8.0, Defender XDR rows and streaming records. Field names, types and
//!   spellings follow `docs/schemas.md`, including its traps (hex vs decimal pids, device
//!   paths, local time labelled UTC via [`RenderOptions`], epoch-ms OCSF time, Defender's GUID-less
//!   process identity). [`to_jsonl`] renders a whole scenario and maps lines back to events.
//! - [`corpus`]: a seeded, streaming generator of realistic multi-host telemetry at any size, with
//!   planted mshta chains (attacks and legitimate HTA use) counted in [`Corpus::planted`].
//! - [`sample`]: small fixed scenarios for exact-expectation tests.
//!
//! The `corpus` binary writes a corpus as JSON Lines in one schema or a seeded mix, and reports the
//! size and speed on stderr (`--schema none` measures the generator alone):
//! `cargo run --release -p mshta-chain-telemetry --bin corpus -- --events 1000000 --seed 7 --schema mixed --out corpus.jsonl`.
//!
//! ```
//! use mshta_chain_telemetry::{render, sample, Schema};
//! let chain = sample::remote_hta_chain(sample::SAMPLE_START_MS);
//! for schema in Schema::ALL {
//!     for (i, ev) in chain.iter().enumerate() {
//!         if let Some(json) = render(ev, schema, i as u64 + 1) {
//!             assert!(json.is_object());
//!         }
//!     }
//! }
//! ```
#![forbid(unsafe_code)]

pub mod corpus;
pub mod model;
pub mod render;
pub mod rng;
pub mod sample;
pub mod timefmt;

pub use corpus::{Corpus, CorpusConfig, PlantedChain, PlantedStats};
pub use model::{ActorRef, Event, Kind, ParentInfo, Process, ZERO_GUID};
pub use render::{render, render_with, to_jsonl, RenderOptions, Schema};
