//! Decoding one input item: checking it is UTF-8 JSON, recognising its
//! schema (first match wins, in the order of `docs/schemas.md`), and mapping its fields into normalised [`Event`]s.

mod carbonblack;
mod crowdstrike;
mod defender;
mod ecs;
mod fields;
mod ocsf;
pub(crate) mod paths;
mod raw;
mod sentinelone;
mod splunk_cim;
mod windows;

use crate::event::{Event, Schema};
use raw::Raw;

/// What became of one item.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// An event correlation uses.
    Event(Event),
    /// A streaming-API item holding several records: the events decoded,
    /// the reasons records were rejected, and how many records were
    /// unattributable.
    Many(Vec<Event>, Schema, Vec<String>, u64),
    /// A well-formed event of a known schema that carries nothing we use.
    Ignored(Schema),
    /// A valid activity event that names no process (no pid, no GUID: a
    /// Sysmon network or DNS event of `<unknown process>`, as real exports
    /// have): nothing to attribute it to, but not bad input either.
    Unattributable(Schema),
}

/// The decoders' reason for an activity event whose actor has neither pid
/// nor unique id; [`Decoded::Unattributable`] rather than a rejection.
pub(super) const UNATTRIBUTABLE: &str = "the event names no process (no pid, no process id)";

/// Turns the decoders' [`UNATTRIBUTABLE`] reason into its outcome.
fn attributable(result: Result<Decoded, String>, schema: Schema) -> Result<Decoded, String> {
    match result {
        Err(e) if e == UNATTRIBUTABLE => Ok(Decoded::Unattributable(schema)),
        other => other,
    }
}

/// Decodes one item; `Err` carries the reason it was rejected. With the
/// outcome come notes on what was repaired to read it (a lone surrogate, an
/// out-of-range number, a bad numeric field read as null): the item is
/// used, and flagged.
pub(crate) fn decode(bytes: &[u8], index: u64) -> Result<(Decoded, Vec<String>), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => "not a JSON object".into(),
            Err(e) => format!("invalid JSON: {e}"),
        });
    }
    let first = serde_json::from_str::<Raw>(text);
    let (repaired, mut notes) = match &first {
        Ok(_) => (None, Vec::new()),
        Err(e) => match fields::repair(text) {
            Some((fixed, found)) => (Some(fixed), found),
            None => return Err(format!("invalid JSON: {e}")),
        },
    };
    // The schemas read twice (by key path) read the repaired text too.
    let source = repaired.as_deref().unwrap_or(text);
    let raw: Raw = match first {
        Ok(raw) => raw,
        Err(_) => serde_json::from_str(source).map_err(|e| format!("invalid JSON: {e}"))?,
    };
    fields::take_notes();
    let decoded = match decode_raw(&raw, index) {
        Err(e) if e == UNRECOGNISED => decode_edr(&raw, source, index),
        other => other,
    };
    notes.extend(fields::take_notes());
    match decoded {
        Ok(d) => Ok((d, notes)),
        Err(e) if notes.is_empty() => Err(e),
        Err(e) => Err(format!("{e} ({})", notes.join("; "))),
    }
}

const UNRECOGNISED: &str = "unrecognised schema";

/// 8.-11. The schemas read by key path (`paths`), after every other: each
/// is recognised by keys no earlier schema has, and then read again.
fn decode_edr(raw: &Raw, text: &str, index: u64) -> Result<Decoded, String> {
    let (schema, decoded) = if crowdstrike::is_crowdstrike(raw) {
        (Schema::CrowdStrike, crowdstrike::decode(text, index))
    } else if carbonblack::is_carbonblack(raw) {
        (Schema::CarbonBlack, carbonblack::decode(text, index))
    } else if sentinelone::is_sentinelone(raw) {
        (Schema::SentinelOne, sentinelone::decode(text, index))
    } else if splunk_cim::is_cim(raw) {
        (Schema::SplunkCim, splunk_cim::decode(text, index))
    } else {
        return Err(UNRECOGNISED.into());
    };
    attributable(decoded, schema)
}

fn decode_raw(raw: &Raw, index: u64) -> Result<Decoded, String> {
    // 1. Defender streaming API: many records, or one.
    if let Some(records) = &raw.records {
        let mut events = Vec::new();
        let mut errors = Vec::new();
        let mut unattributable = 0;
        for (i, r) in records.0.iter().enumerate() {
            let is_ah = r.category.as_ref().and_then(|c| c.text()).is_some_and(|c| c.starts_with("AdvancedHunting-"));
            let Some(props) = fields::obj(&r.properties) else { continue };
            if !is_ah {
                continue;
            }
            match defender::decode_row(props, Schema::DefenderStream, index) {
                Ok(Some(ev)) => events.push(ev),
                Ok(None) => {}
                Err(e) if e == UNATTRIBUTABLE => unattributable += 1,
                Err(e) => errors.push(format!("record {i}: {e}")),
            }
        }
        if records.0.is_empty() {
            return Err("unrecognised schema".into());
        }
        if events.is_empty() && !errors.is_empty() && errors.len() == records.0.len() {
            return Err(errors.join("; "));
        }
        return Ok(Decoded::Many(events, Schema::DefenderStream, errors, unattributable));
    }
    if let (Some(cat), Some(props)) = (fields::text(&raw.category), fields::obj(&raw.properties)) {
        if cat.starts_with("AdvancedHunting-") {
            let decoded = defender::decode_row(props, Schema::DefenderStream, index).map(|ev| match ev {
                Some(ev) => Decoded::Event(ev),
                None => Decoded::Ignored(Schema::DefenderStream),
            });
            return attributable(decoded, Schema::DefenderStream);
        }
    }
    // 2. A bare Defender row.
    if defender::is_row(raw) {
        let decoded = defender::decode_row(raw, Schema::Defender, index).map(|ev| match ev {
            Some(ev) => Decoded::Event(ev),
            None => Decoded::Ignored(Schema::Defender),
        });
        return attributable(decoded, Schema::Defender);
    }
    // 3. OCSF.
    if ocsf::is_ocsf(raw) {
        return attributable(ocsf::decode(raw, index), Schema::Ocsf);
    }
    // 5./6. ECS before the Windows shapes: the Sysmon integration keeps a
    // `winlog` object beside its ECS fields.
    if ecs::is_defend(raw) {
        return attributable(ecs::decode(raw, Schema::EcsDefend, index), Schema::EcsDefend);
    }
    if ecs::is_sysmon_integration(raw) {
        return attributable(ecs::decode(raw, Schema::EcsSysmon, index), Schema::EcsSysmon);
    }
    // 4./6./7. Windows events: evtx_dump, Winlogbeat, flat, Vector.
    if let Some((shape, system, data)) = windows::shape(raw) {
        return windows::decode(raw, shape, system, data, index);
    }
    Err("unrecognised schema".into())
}
