//! Where messages come from: files, directories (Maildir included), mbox files, standard input.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One message to scan, or one input that could not be read.
pub enum Item {
    /// A message and the name it is reported under (`PATH`, or `PATH#N` in an mbox);
    /// `last_of_file` is set on the last message of its file.
    Message { source: String, bytes: Vec<u8>, last_of_file: bool },
    /// An input that could not be read.
    Error { source: String, error: String },
}

/// How many regular files `paths` name (directories walked as for scanning), for a progress
/// bar; stops counting at `limit`.
pub fn count_files(paths: &[PathBuf], limit: usize) -> usize {
    fn walk(path: &Path, named: bool, n: &mut usize, limit: usize) {
        if *n >= limit {
            return;
        }
        let meta = if named { fs::metadata(path) } else { fs::symlink_metadata(path) };
        match meta {
            Ok(m) if m.is_dir() => {
                if let Ok(rd) = fs::read_dir(path) {
                    for e in rd.flatten() {
                        if !e.file_name().to_string_lossy().starts_with('.') {
                            walk(&e.path(), false, n, limit);
                        }
                    }
                }
            }
            Ok(m) if m.is_file() || m.file_type().is_symlink() => *n += 1,
            _ => {}
        }
    }
    let mut n = 0;
    for p in paths {
        if p.as_os_str() == "-" {
            n += 1;
        } else {
            walk(p, true, &mut n, limit);
        }
    }
    n
}

/// Calls `each` with every message under `paths`, in order: paths as given, directory entries
/// sorted by name, mbox messages in file order.
pub fn for_each_message(paths: &[PathBuf], each: &mut dyn FnMut(Item)) {
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => emit_file("-", bytes, each),
                Err(e) => each(Item::Error { source: "-".into(), error: e.to_string() }),
            }
            continue;
        }
        visit(path, true, each);
    }
}

fn visit(path: &Path, named: bool, each: &mut dyn FnMut(Item)) {
    let source = path.display().to_string();
    // Follow a symbolic link only when it was named on the command line or points to a file:
    // a link to a directory inside a tree could loop.
    let meta = match if named { fs::metadata(path) } else { fs::symlink_metadata(path) } {
        Ok(m) => m,
        Err(e) => return each(Item::Error { source, error: e.to_string() }),
    };
    let meta = if meta.file_type().is_symlink() {
        match fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return,
            Err(e) => return each(Item::Error { source, error: e.to_string() }),
        }
    } else {
        meta
    };
    if meta.is_dir() {
        let entries = match fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => return each(Item::Error { source, error: e.to_string() }),
        };
        let mut names: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    if !entry.file_name().to_string_lossy().starts_with('.') {
                        names.push(entry.path());
                    }
                }
                Err(e) => each(Item::Error { source: source.clone(), error: e.to_string() }),
            }
        }
        names.sort();
        for p in names {
            visit(&p, false, each);
        }
    } else if meta.is_file() {
        match fs::read(path) {
            Ok(bytes) => emit_file(&source, bytes, each),
            Err(e) => each(Item::Error { source, error: e.to_string() }),
        }
    } else if named {
        // FIFOs, sockets and devices are not read: a FIFO with no writer would hang.
        each(Item::Error { source, error: "not a regular file or directory".into() });
    }
}

fn emit_file(source: &str, bytes: Vec<u8>, each: &mut dyn FnMut(Item)) {
    if is_mbox(&bytes) {
        let messages = split_mbox(&bytes);
        let count = messages.len();
        for (n, msg) in messages.into_iter().enumerate() {
            each(Item::Message {
                source: format!("{source}#{}", n + 1),
                bytes: msg,
                last_of_file: n + 1 == count,
            });
        }
    } else {
        each(Item::Message { source: source.to_string(), bytes, last_of_file: true });
    }
}

/// An mbox starts with a `From ` separator line.
pub fn is_mbox(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    bytes.starts_with(b"From ") && is_from_line(first_line.strip_suffix(b"\r").unwrap_or(first_line))
}

/// A `From_` separator as mail readers accept one: `From `, a sender, and a date (a month
/// name, a time and a four-digit year, in the ctime order `Fri Dec  7 11:07:41 2001` or
/// another; a weekday and a time zone may stand with them). `From Russia with love` in a body,
/// or a header written `From  :<x@y>`, is not one.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let line = String::from_utf8_lossy(rest);
    let mut tokens = line.split_whitespace();
    let Some(sender) = tokens.next() else {
        return false;
    };
    if sender.starts_with(':') {
        return false;
    }
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut month, mut time, mut year) = (false, false, false);
    for t in tokens {
        let t = t.trim_end_matches(',');
        if t.as_bytes().get(..3).is_some_and(|p| MONTHS.iter().any(|m| p.eq_ignore_ascii_case(m.as_bytes())))
        {
            month = true;
        } else if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            year = true;
        } else if t.contains(':')
            && t.split(':').all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            time = true;
        }
    }
    month && time && year
}

/// Splits an mbox into messages: separator lines dropped, `>From ` lines unescaped (mboxrd).
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if is_from_line(content) {
            if let Some(m) = current.take() {
                messages.push(m);
            }
            current = Some(Vec::new());
            continue;
        }
        let msg = current.get_or_insert_with(Vec::new);
        let unescaped =
            line.iter().position(|&b| b != b'>').is_some_and(|p| p > 0 && line[p..].starts_with(b"From "));
        msg.extend_from_slice(if unescaped { &line[1..] } else { line });
    }
    if let Some(m) = current {
        messages.push(m);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_split() {
        let mbox = b"From a@b Sat Jan  3 01:05:34 1996\nSubject: one\n\nFrom Russia with love\n>From here\n\nFrom c@d Mon Jan  5 01:05:34 1998\nSubject: two\n\nbody\n";
        assert!(is_mbox(mbox));
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], b"Subject: one\n\nFrom Russia with love\nFrom here\n\n");
        assert_eq!(msgs[1], b"Subject: two\n\nbody\n");
    }

    #[test]
    fn from_lines() {
        assert!(is_from_line(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011"));
        assert!(is_from_line(b"From x@y Mon Jan 1 00:00:00 2001 +0000"));
        assert!(is_from_line(b"From - Sat Jan  3 01:05:34 1996"));
        assert!(is_from_line(b"From travelincentives@aol.com  Fri Dec  7 11:07:41 2001"));
        assert!(!is_from_line(b"From sender@example.org"));
        assert!(!is_from_line(b"From Russia with love"));
        assert!(!is_from_line(b"From: a@b"));
        assert!(!is_from_line(b"From  :<tst1@example.com>"));
        assert!(!is_from_line(b"From Maryam Jun 2024 about 2001 things"));
        assert!(!is_from_line("From é Décembre 12:00 2001".as_bytes()));
        assert!(!is_from_line("From x éé 12:00 2001".as_bytes()));
    }
}
