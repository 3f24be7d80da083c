//! 7z archives, through the `sevenz-rust2` crate, entry by entry: what each member is, and
//! which reader reads it, is decided by the caller (`mod.rs`).
//!
//! The decoders get no more memory than they are given (a dictionary far larger than the
//! budget is refused before it is allocated), decoding runs on the calling thread, and every
//! byte decoded is charged to the budget, the bytes of members the caller passes over
//! included (a solid archive decodes them to reach the next member).

use std::io::{Cursor, Read};

use sevenz_rust2::{ArchiveReader, EntryDecision, Error, Password};

use super::meter::Metered;
use crate::model::Budget;

/// What [`each_entry`] read.
pub(super) enum Read7z {
    /// Entries were read.
    Read {
        /// Whether it stopped at the entry limit with entries left.
        cut: bool,
    },
    /// The archive is encrypted (AES): not read.
    Encrypted,
    /// The archive cannot be read, and why.
    Damaged(String),
}

/// Hands up to `max` entries of the 7z archive `bytes` to `f` (a file with its content
/// charged to `budget`, a directory or empty file with `None`), its decoders allowed `memory`
/// bytes.
pub(super) fn each_entry(
    bytes: &[u8],
    budget: &Budget,
    max: usize,
    memory: u64,
    f: &mut dyn FnMut(&str, Option<&mut dyn Read>),
) -> Read7z {
    let memory_kb = usize::try_from(memory / 1024).unwrap_or(usize::MAX);
    let mut reader =
        match ArchiveReader::new_with_memory_limit(Cursor::new(bytes), Password::empty(), memory_kb) {
            Ok(r) => r,
            Err(e) => return refused(e),
        };
    reader.set_thread_count(1);
    let (mut entries, mut cut) = (0usize, false);
    let read = reader.for_each_entries_with_decision(|entry, data| {
        if entries == max {
            cut = true;
            return Ok(EntryDecision::Stop);
        }
        entries += 1;
        if entry.is_directory || !entry.has_stream {
            f(&entry.name, None);
            return Ok(EntryDecision::Continue);
        }
        let mut metered = Metered { inner: &mut *data, budget };
        let mut counted = Counted { inner: &mut metered, n: 0 };
        f(&entry.name, Some(&mut counted));
        // What the caller left unread is decoded all the same to reach the next entry.
        let unread = entry.size.saturating_sub(counted.n);
        if budget.exhausted() || budget.take(unread) < unread {
            return Ok(EntryDecision::Stop);
        }
        Ok(EntryDecision::Continue)
    });
    match read {
        Err(e) if entries == 0 => refused(e),
        _ => Read7z::Read { cut },
    }
}

/// Why an archive could not be read.
fn refused(e: Error) -> Read7z {
    let why = e.to_string();
    match e {
        Error::PasswordRequired => Read7z::Encrypted,
        _ if why.contains("AES") => Read7z::Encrypted,
        Error::MaxMemLimited { .. } => {
            Read7z::Damaged("its decoder needs more memory than the scan allows".to_string())
        }
        _ => Read7z::Damaged(format!("not a readable 7z archive ({why})")),
    }
}

/// A reader that counts the bytes read through it.
struct Counted<'r> {
    inner: &'r mut dyn Read,
    n: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}
