//! Names: image file names, process identifiers and hosts, normalised so
//! that the same thing written two ways compares equal.

/// The file name of a Windows or POSIX path (`C:\Windows\System32\mshta.exe`
/// gives `mshta.exe`).
pub(crate) fn basename(path: &str) -> &str {
    let path = path.trim().trim_matches('"');
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// Whether an image is mshta: by file name in any case and folder, or by the
/// PE's original file name (a renamed copy keeps `MSHTA.EXE` there).
pub(crate) fn is_mshta(image: Option<&str>, original_file_name: Option<&str>) -> bool {
    image.is_some_and(|i| basename(i).eq_ignore_ascii_case("mshta.exe"))
        || original_file_name.is_some_and(|o| o.trim().eq_ignore_ascii_case("mshta.exe"))
}

/// A process identity from the telemetry (a Sysmon ProcessGuid, an ECS
/// entity id). GUIDs are normalised to lower case without braces so that
/// `{39E4A257-…}` and `39e4a257-…` are the same process; the all-zero GUID
/// means "unknown" and yields `None`. Other ids are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct EntityId(Box<str>);

impl EntityId {
    pub(crate) fn parse(raw: &str) -> Option<EntityId> {
        let t = raw.trim();
        if t.is_empty() || t == "-" {
            return None;
        }
        let inner = t.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(t);
        if is_guid(inner) {
            if inner.bytes().all(|b| b == b'0' || b == b'-') {
                return None;
            }
            return Some(EntityId(inner.to_ascii_lowercase().into_boxed_str()));
        }
        Some(EntityId(t.into()))
    }

    /// As reported: GUIDs in the braced form Sysmon uses.
    pub(crate) fn display(&self) -> String {
        if is_guid(&self.0) {
            format!("{{{}}}", self.0)
        } else {
            self.0.to_string()
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// An id made from parts, for sources without a process GUID
    /// (Defender: device + pid + creation time).
    pub(crate) fn composite(parts: &str) -> EntityId {
        EntityId(parts.into())
    }

    /// Which id space the id comes from: Sysmon-style GUIDs, composite ids
    /// (`source:...`; CrowdStrike `cs:`, SentinelOne `s1:` and Carbon
    /// Black `cb:` each their own), or another sensor's opaque ids. Ids of different
    /// spaces say nothing about each other.
    pub(crate) fn namespace(&self) -> u8 {
        if is_guid(&self.0) {
            0
        } else if self.0.starts_with("dfd:") || self.0.starts_with("ocsf:") {
            1
        } else if self.0.starts_with("cs:") {
            3
        } else if self.0.starts_with("s1:") {
            4
        } else if self.0.starts_with("cb:") {
            5
        } else {
            2
        }
    }
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Hosts compare case-insensitively; the key is the lower-cased name.
pub(crate) fn host_key(host: &str) -> Box<str> {
    host.trim().to_ascii_lowercase().into_boxed_str()
}

/// Lower-cases ASCII without allocating when it is already lower case.
pub(crate) fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames() {
        assert_eq!(basename("C:\\Windows\\System32\\MSHTA.EXE"), "MSHTA.EXE");
        assert_eq!(basename("\"C:\\x y\\a.exe\""), "a.exe");
        assert_eq!(basename("/usr/bin/sh"), "sh");
        assert_eq!(basename("mshta.exe"), "mshta.exe");
        assert_eq!(basename(""), "");
    }

    #[test]
    fn mshta_by_name_or_original_file_name() {
        assert!(is_mshta(Some("C:\\Windows\\SysWOW64\\MsHtA.exe"), None));
        assert!(is_mshta(Some("C:\\Users\\a\\AppData\\Local\\Temp\\update.exe"), Some("MSHTA.EXE")));
        assert!(!is_mshta(Some("C:\\Windows\\System32\\mshta.exe.bak"), Some("?")));
        assert!(!is_mshta(Some("C:\\tools\\notmshta.exe"), None));
        assert!(!is_mshta(None, None));
    }

    #[test]
    fn guids_compare_in_any_case_with_or_without_braces() {
        let a = EntityId::parse("{39E4A257-FC4B-5F90-9411-000000000700}").unwrap();
        let b = EntityId::parse("39e4a257-fc4b-5f90-9411-000000000700").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.display(), "{39e4a257-fc4b-5f90-9411-000000000700}");
        assert_eq!(EntityId::parse("{00000000-0000-0000-0000-000000000000}"), None);
        assert_eq!(EntityId::parse(" "), None);
        let opaque = EntityId::parse("NGM5YzljYjMtZjgw").unwrap();
        assert_eq!(opaque.display(), "NGM5YzljYjMtZjgw");
    }
}
