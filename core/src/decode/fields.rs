//! Field readers shared by the schema decoders: each names the field in its
//! error, so a rejected event says what was wrong.

use crate::names::EntityId;
use crate::scalar::{Obj, Scalar};
use crate::time::{self, Millis};

pub(crate) type Field<'a> = Option<Scalar<'a>>;

pub(crate) fn text<'r>(field: &'r Field) -> Option<&'r str> {
    field.as_ref().and_then(Scalar::text)
}

pub(crate) fn boxed(field: &Field) -> Option<Box<str>> {
    text(field).map(Box::from)
}

pub(crate) fn obj<T>(field: &Option<Obj<T>>) -> Option<&T> {
    field.as_ref().and_then(|o| o.0.as_ref())
}

pub(crate) fn required<'r>(field: &'r Field, name: &str) -> Result<&'r str, String> {
    text(field).ok_or_else(|| format!("missing field {name}"))
}

pub(crate) fn uint(field: &Field, name: &str) -> Result<Option<u64>, String> {
    match field.as_ref().map(Scalar::uint) {
        None | Some(Ok(None)) => Ok(None),
        Some(Ok(Some(n))) => Ok(Some(n)),
        Some(Err(e)) => Err(format!("field {name}: {e}")),
    }
}

pub(crate) fn pid(field: &Field, name: &str) -> Result<Option<u32>, String> {
    uint(field, name)?.map(|n| u32::try_from(n).map_err(|_| format!("field {name}: out of range"))).transpose()
}

pub(crate) fn port(field: &Field, name: &str) -> Result<Option<u16>, String> {
    uint(field, name)?.map(|n| u16::try_from(n).map_err(|_| format!("field {name}: out of range"))).transpose()
}

pub(crate) fn guid(field: &Field) -> Option<EntityId> {
    text(field).and_then(EntityId::parse)
}

/// A timestamp: RFC 3339 / Sysmon text, or epoch seconds or milliseconds.
pub(crate) fn timestamp(field: &Field, name: &str) -> Result<Option<Millis>, String> {
    let bad = || format!("field {name}: not a timestamp");
    match field {
        None | Some(Scalar::Null) => Ok(None),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(Scalar::Str(s)) => time::parse_timestamp(s).map(Some).ok_or_else(bad),
        Some(Scalar::Int(n)) => time::from_epoch_number(*n as f64).map(Some).ok_or_else(bad),
        Some(Scalar::Float(f)) => time::from_epoch_number(*f).map(Some).ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// Script engines and the CLR: the only module loads kept as evidence.
pub(crate) fn is_script_or_clr_module(path: &str) -> bool {
    const MODULES: &[&str] = &[
        "jscript.dll",
        "jscript9.dll",
        "jscript9legacy.dll",
        "chakra.dll",
        "vbscript.dll",
        "scrobj.dll",
        "wshom.ocx",
        "scrrun.dll",
        "clr.dll",
        "clrjit.dll",
        "mscoree.dll",
        "mscoreei.dll",
        "mscorlib.ni.dll",
        "system.management.automation.ni.dll",
        "system.management.automation.dll",
        "amsi.dll",
    ];
    let name = crate::names::basename(path);
    MODULES.iter().any(|m| m.eq_ignore_ascii_case(name))
}
