//! tar archives (POSIX ustar, GNU and pax), read entry by entry as the archive streams in,
//! through the `tar` crate: what each member is, and which reader reads it, is decided by the
//! caller (`mod.rs`).
//!
//! A size field that lies costs nothing: an entry ends where the data ends, and the reader
//! the caller passes in is charged to the budget byte by byte.

use std::io::Read;

/// What [`each_entry`] read.
pub(super) struct Walked {
    /// How many entries it handed out.
    pub(super) entries: usize,
    /// Whether it stopped at the entry limit with entries left.
    pub(super) cut: bool,
    /// Whether the archive ended in damage (a header that could not be read).
    pub(super) damaged: bool,
}

/// Hands up to `max` entries of the tar archive in `input` to `f`: a file with its content, a
/// directory with `None`. Links, devices and other special entries are passed over.
pub(super) fn each_entry(
    input: &mut dyn Read,
    max: usize,
    f: &mut dyn FnMut(&str, Option<&mut dyn Read>),
) -> Walked {
    let mut archive = ::tar::Archive::new(input);
    let mut out = Walked { entries: 0, cut: false, damaged: false };
    let Ok(entries) = archive.entries() else {
        out.damaged = true;
        return out;
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(_) => {
                out.damaged = true;
                break;
            }
        };
        if out.entries == max {
            out.cut = true;
            break;
        }
        out.entries += 1;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_file() || kind.is_gnu_sparse() || kind.is_contiguous() {
            f(&name, Some(&mut entry));
        } else if kind.is_dir() {
            f(&name, None);
        }
    }
    out
}
