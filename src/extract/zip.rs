//! ZIP archives, opened and handed out member by member: what each member is, and which reader
//! reads it, is decided by the caller (`mod.rs`, through `sniff.rs`).
//!
//! The entry count is read from the end record before the `zip` crate reads the central
//! directory, so an archive of a million empty entries costs only the entries the policy
//! allows (`max_archive_entries`); those are then read from their local headers in order.
//! A damaged archive whose central directory cannot be read is read the same way.

use std::io::{BufReader, Cursor, Read};

use ::zip::read::{read_zipfile_from_stream, ZipFile};
use ::zip::ZipArchive;

use super::meter::Metered;
use crate::model::Budget;

/// A ZIP archive held in memory.
pub(super) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// A member of an [`Archive`] read through a buffer, its bytes charged to a [`Budget`].
pub(super) type Member<'a, 'd, 'b> = BufReader<Metered<'b, ZipFile<'a, Cursor<&'d [u8]>>>>;

/// How an archive can be read.
pub(super) enum Opened<'d> {
    /// Through its central directory.
    Directory(Archive<'d>),
    /// Only from its local headers, in order ([`each_streamed`]): it declares more entries
    /// than the policy allows (`damaged` false), or its central directory cannot be read
    /// (`damaged` true).
    Streamed {
        /// Whether the central directory could not be read.
        damaged: bool,
    },
}

/// Opens the archive in `bytes`, whose entries beyond `max_entries` are not to be read.
pub(super) fn open(bytes: &[u8], max_entries: usize) -> Opened<'_> {
    if declared_entries(bytes).is_some_and(|n| n > max_entries as u64) {
        return Opened::Streamed { damaged: false };
    }
    match ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => Opened::Directory(archive),
        Err(_) => Opened::Streamed { damaged: true },
    }
}

/// Whether `archive` has a member called `name`.
pub(super) fn has(archive: &Archive<'_>, name: &str) -> bool {
    archive.index_for_name(name).is_some()
}

/// The names of the members of `archive`, in central-directory order.
pub(super) fn names(archive: &Archive<'_>) -> Vec<String> {
    archive.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect()
}

/// Member `name` of `archive` as it inflates, uncharged (the caller meters it), or `None` when
/// there is no such member or it cannot be opened.
pub(super) fn by_name<'a, 'd>(
    archive: &'a mut Archive<'d>,
    name: &str,
) -> Option<ZipFile<'a, Cursor<&'d [u8]>>> {
    archive.by_name(name).ok()
}

/// Member `name` of `archive` as a buffered reader charged to `budget`, or `None` when there is
/// no such member. The buffer fits the size the member declares (at most 64 KiB): a document
/// has dozens of small XML parts, and a buffer is zeroed in full before its first read.
pub(super) fn part<'a, 'd, 'b>(
    archive: &'a mut Archive<'d>,
    name: &str,
    budget: &'b Budget,
) -> Option<Member<'a, 'd, 'b>> {
    let file = archive.by_name(name).ok()?;
    let capacity = file.size().saturating_add(1).clamp(512, 64 << 10) as usize;
    Some(BufReader::with_capacity(capacity, Metered { inner: file, budget }))
}

/// One entry of an archive, as handed to the caller with its name.
pub(super) enum Entry<'r> {
    /// A directory: only its name.
    Dir,
    /// An encrypted member, not read.
    Encrypted,
    /// A member that cannot be read, and why.
    Damaged(&'static str),
    /// A member's content as it inflates (uncharged: the caller meters it).
    File(&'r mut dyn Read),
    /// A member stored without compression: its bytes where they lie in the archive (not yet
    /// charged), so that an archive stored in an archive is not copied at every level.
    Stored(&'r [u8]),
}

/// Hands every entry of `archive` (whose bytes are `bytes`) to `f` in central-directory order,
/// until the budget runs out. Entries whose headers cannot be read are passed over.
pub(super) fn each_entry(
    archive: &mut Archive<'_>,
    bytes: &[u8],
    budget: &Budget,
    f: &mut dyn FnMut(&str, Entry<'_>),
) {
    for i in 0..archive.len() {
        if budget.exhausted() {
            return;
        }
        let (name, encrypted, is_dir, stored) = match archive.by_index_raw(i) {
            Ok(e) => {
                let stored = stored_bytes(&e, bytes);
                (e.name().map(|n| n.into_owned()).unwrap_or_default(), e.encrypted(), e.is_dir(), stored)
            }
            Err(_) => continue,
        };
        if is_dir {
            f(&name, Entry::Dir);
            continue;
        }
        if encrypted {
            f(&name, Entry::Encrypted);
            continue;
        }
        if let Some(data) = stored {
            f(&name, Entry::Stored(data));
            continue;
        }
        match archive.by_index(i) {
            Ok(mut file) => f(&name, Entry::File(&mut file)),
            Err(::zip::result::ZipError::UnsupportedArchive(why)) => f(&name, Entry::Damaged(why)),
            Err(_) => f(&name, Entry::Damaged("its entry is damaged")),
        }
    }
}

/// The bytes of the member `e` of an archive whose bytes are `bytes`, where they lie: when it
/// is stored without compression (nor encryption) and its header and sizes agree with the
/// archive.
fn stored_bytes<'d>(e: &ZipFile<'_, Cursor<&[u8]>>, bytes: &'d [u8]) -> Option<&'d [u8]> {
    if e.compression() != ::zip::CompressionMethod::Stored || e.size() != e.compressed_size() || e.encrypted()
    {
        return None;
    }
    let start = usize::try_from(e.data_start()?).ok()?;
    bytes.get(start..start.checked_add(usize::try_from(e.size()).ok()?)?)
}

/// The bytes of member `name` of `archive` (whose bytes are `bytes`) where they lie, when it
/// is stored without compression (see [`stored_bytes`]): a document stored in a document is
/// then not copied.
pub(super) fn stored<'d>(archive: &mut Archive<'_>, bytes: &'d [u8], name: &str) -> Option<&'d [u8]> {
    let i = archive.index_for_name(name)?;
    let e = archive.by_index_raw(i).ok()?;
    stored_bytes(&e, bytes)
}

/// What [`each_streamed`] read.
pub(super) struct Streamed {
    /// How many entries it handed out.
    pub(super) entries: usize,
    /// Whether it stopped at the entry limit with entries left.
    pub(super) cut: bool,
}

/// Hands up to `max` entries of the archive in `bytes` to `f`, read from their local headers
/// in order, until the budget runs out or an entry cannot be read.
pub(super) fn each_streamed(
    bytes: &[u8],
    budget: &Budget,
    max: usize,
    f: &mut dyn FnMut(&str, Entry<'_>),
) -> Streamed {
    let mut input = Cursor::new(bytes);
    let mut entries = 0;
    while !budget.exhausted() {
        let mut file = match read_zipfile_from_stream(&mut input) {
            Ok(Some(file)) => file,
            Ok(None) | Err(_) => break,
        };
        if entries == max {
            return Streamed { entries, cut: true };
        }
        entries += 1;
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        if file.is_dir() {
            f(&name, Entry::Dir);
        } else if file.encrypted() {
            f(&name, Entry::Encrypted);
        } else {
            f(&name, Entry::File(&mut file));
        }
    }
    Streamed { entries, cut: false }
}

/// The entry count the end-of-central-directory record declares, if one can be found.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    // The record is 22 bytes plus a comment of at most 65,535 bytes, at the end.
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[tail_start..];
    let at = memchr::memmem::rfind(tail, b"PK\x05\x06")?;
    let rec = tail.get(at..at + 22)?;
    let n = u16::from_le_bytes([rec[10], rec[11]]) as u64;
    if n != 0xffff {
        return Some(n);
    }
    // ZIP64: the locator just before the record points to the ZIP64 end record.
    let loc = tail_start + at;
    let locator = bytes.get(loc.checked_sub(20)?..loc)?;
    if !locator.starts_with(b"PK\x06\x07") {
        return Some(n);
    }
    let off = u64::from_le_bytes(locator[8..16].try_into().ok()?) as usize;
    let rec64 = bytes.get(off..off.checked_add(56)?)?;
    if !rec64.starts_with(b"PK\x06\x06") {
        return Some(n);
    }
    Some(u64::from_le_bytes(rec64[32..40].try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_entries_from_end_record() {
        let mut eocd = b"PK\x05\x06\0\0\0\0\x03\0\x03\0".to_vec();
        eocd.extend_from_slice(&[0; 10]);
        assert_eq!(declared_entries(&eocd), Some(3));
        assert_eq!(declared_entries(b"PK\x03\x04 no end record"), None);
    }
}
