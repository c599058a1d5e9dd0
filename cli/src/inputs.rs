//! Which files the command line names, in the npm CLI's order
//! (`pkg/src/files.js`): stdin as it is, a file as it is, a directory as
//! the files under it, recursively, sorted by name at each level, those
//! with a known extension and others whose first bytes are EVTX, XML or
//! JSON. Paths under a directory are spelt as Node's `path.join` spells
//! them, since they appear in the report's errors.

use mshta_chain_evtx::{sniff, Format};
use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::PathBuf;

/// Extensions a directory walk takes without looking inside.
const EXTENSIONS: [&str; 6] = [".evtx", ".xml", ".json", ".jsonl", ".ndjson", ".log"];

/// Bytes read to tell a file's format (the reader's own SNIFF_BYTES).
pub const HEAD_BYTES: usize = 256;

/// Node's error code for an IO error, as files.js prints it.
pub fn error_code(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(2) => "ENOENT".into(),
        Some(13) => "EACCES".into(),
        Some(1) => "EPERM".into(),
        Some(21) => "EISDIR".into(),
        Some(20) => "ENOTDIR".into(),
        Some(40) => "ELOOP".into(),
        Some(36) => "ENAMETOOLONG".into(),
        Some(5) => "EIO".into(),
        _ => e.to_string(),
    }
}

/// `fsReason` of the npm CLI: an IO error without the errno noise.
pub fn fs_reason(e: &io::Error) -> String {
    match error_code(e).as_str() {
        "ENOENT" => "no such file".into(),
        "EACCES" | "EPERM" => "permission denied".into(),
        "EISDIR" => "is a directory".into(),
        _ => e.to_string(),
    }
}

/// Node's `path.extname` of a file name.
fn extname(name: &str) -> &str {
    // A leading dot names a hidden file, not an extension.
    let start = usize::from(name.starts_with('.'));
    match name[start..].rfind('.') {
        Some(i) => &name[start + i..],
        None => "",
    }
}

/// Node's `path.join(dir, name)` on POSIX: joined, then normalised.
pub fn join(dir: &str, name: &str) -> String {
    let joined = format!("{dir}/{name}");
    let absolute = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (absolute, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// The first bytes of a file (fewer if it is shorter).
pub fn file_head(path: &str) -> io::Result<Vec<u8>> {
    let mut file = fs::File::open(path)?;
    let mut head = vec![0u8; HEAD_BYTES];
    let mut n = 0;
    while n < HEAD_BYTES {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(n);
    Ok(head)
}

fn sniffable(path: &str) -> bool {
    file_head(path).is_ok_and(|h| sniff(&h) != Format::Unknown)
}

/// The inputs `paths` name, in order; `Err(message)` for a path that cannot
/// be read at all.
pub fn expand(paths: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        if path == "-" {
            out.push(path.clone());
            continue;
        }
        let meta = fs::metadata(path).map_err(|e| {
            let code = error_code(&e);
            let reason = if code == "ENOENT" { "no such file or directory".to_string() } else { code };
            format!("cannot read {path}: {reason}")
        })?;
        if meta.is_dir() {
            walk(path, &mut seen, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &str, seen: &mut HashSet<PathBuf>, out: &mut Vec<String>) -> Result<(), String> {
    let fail = |e: io::Error| format!("cannot read {dir}: {}", error_code(&e));
    let real = fs::canonicalize(dir).map_err(fail)?;
    if !seen.insert(real) {
        return Ok(());
    }
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(fail)?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    // Node compares UTF-16 code units; for names in the Basic Multilingual
    // Plane that is the order of the UTF-8 bytes.
    names.sort();
    for name in names {
        let path = join(dir, &name);
        let Ok(meta) = fs::metadata(&path) else {
            continue; // a dangling link: nothing to read
        };
        if meta.is_dir() {
            walk(&path, seen, out)?;
        } else if meta.is_file() && (EXTENSIONS.contains(&extname(&name).to_lowercase().as_str()) || sniffable(&path)) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_as_node_does() {
        assert_eq!(join("./logs/", "a.evtx"), "logs/a.evtx");
        assert_eq!(join("logs", "a"), "logs/a");
        assert_eq!(join("/tmp//x/", "y"), "/tmp/x/y");
        assert_eq!(join("a/../..", "b"), "../b");
        assert_eq!(join(".", "b"), "b");
    }

    #[test]
    fn extensions_as_node_finds_them() {
        assert_eq!(extname("a.evtx"), ".evtx");
        assert_eq!(extname(".evtx"), "");
        assert_eq!(extname("a.b.JSONL"), ".JSONL");
        assert_eq!(extname("noext"), "");
        assert_eq!(extname("a."), ".");
        assert_eq!(extname("..foo"), ".foo");
        assert_eq!(extname("..."), ".");
    }
}
