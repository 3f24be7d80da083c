//! ZIP archives, and the documents stored as ZIP (OOXML, OpenDocument).
//!
//! The entry count is read from the end record before the `zip` crate reads the central
//! directory, so an archive of a million empty entries costs only the entries the policy
//! allows (`max_archive_entries`); those are then read from their local headers in order.
//! A damaged archive whose central directory cannot be read is read the same way.

use std::io::{BufReader, Cursor, Read};

use ::zip::read::{read_zipfile_from_stream, ZipFile};
use ::zip::ZipArchive;

use super::{Extractor, Metered};
use crate::model::Budget;

/// A ZIP archive held in memory.
pub(super) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// A member of an [`Archive`] read through a buffer, its bytes charged to a [`Budget`].
pub(super) type Member<'a, 'd, 'b> = BufReader<Metered<'b, ZipFile<'a, Cursor<&'d [u8]>>>>;

/// Member `name` of `archive` as a buffered reader charged to `budget`, or `None` when there is
/// no such member. The buffer fits the size the member declares (at most 64 KiB): a document
/// has dozens of small XML parts, and a buffer is zeroed in full before its first read.
pub(super) fn open<'a, 'd, 'b>(
    archive: &'a mut Archive<'d>,
    name: &str,
    budget: &'b Budget,
) -> Option<Member<'a, 'd, 'b>> {
    let file = archive.by_name(name).ok()?;
    let capacity = file.size().saturating_add(1).clamp(512, 64 << 10) as usize;
    Some(BufReader::with_capacity(capacity, Metered { inner: file, budget }))
}

pub(super) fn read(x: &mut Extractor<'_>, bytes: &[u8], depth: usize) {
    let max = x.limits.max_archive_entries;
    if declared_entries(bytes).is_some_and(|n| n > max as u64) {
        stream(x, bytes, depth, max);
        return;
    }
    match ZipArchive::new(Cursor::new(bytes)) {
        Ok(mut archive) => {
            if archive.index_for_name("[Content_Types].xml").is_some() {
                super::ooxml::read(x, &mut archive, depth);
            } else if archive.index_for_name("content.xml").is_some()
                || archive.index_for_name("mimetype").is_some()
            {
                super::odf::read(x, &mut archive);
            } else {
                members(x, &mut archive, depth);
            }
        }
        Err(_) => {
            if stream(x, bytes, depth, max) == 0 {
                x.unreadable("not a readable ZIP archive");
            }
        }
    }
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

/// Every member of an archive in central-directory order: its name, then its content.
pub(super) fn members(x: &mut Extractor<'_>, archive: &mut Archive<'_>, depth: usize) {
    for i in 0..archive.len() {
        if x.budget.exhausted() {
            return;
        }
        let (name, encrypted, is_dir) = match archive.by_index_raw(i) {
            Ok(f) => (f.name().map(|n| n.into_owned()).unwrap_or_default(), f.encrypted(), f.is_dir()),
            Err(_) => continue,
        };
        x.emit_member_name(&name);
        if is_dir {
            continue;
        }
        if encrypted {
            x.inside(&name, |x| x.encrypted("the archive member"));
            continue;
        }
        match archive.by_index(i) {
            Ok(mut f) => x.member(&name, &mut f, depth),
            Err(::zip::result::ZipError::UnsupportedArchive(why)) => x.inside(&name, |x| x.unreadable(why)),
            Err(_) => x.inside(&name, |x| x.unreadable("its entry is damaged")),
        }
    }
}

/// Reads up to `max` members from their local headers, in order; returns how many it read.
fn stream(x: &mut Extractor<'_>, bytes: &[u8], depth: usize, max: usize) -> usize {
    let mut input = Cursor::new(bytes);
    let mut n = 0;
    while !x.budget.exhausted() {
        let mut file = match read_zipfile_from_stream(&mut input) {
            Ok(Some(f)) => f,
            Ok(None) | Err(_) => break,
        };
        if n == max {
            let detail = format!("{} holds more than {max} entries; the others were not scanned", x.where_());
            x.incomplete(crate::model::Limit::MaxArchiveEntries, detail);
            break;
        }
        n += 1;
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        x.emit_member_name(&name);
        if file.is_dir() {
            continue;
        }
        if file.encrypted() {
            x.inside(&name, |x| x.encrypted("the archive member"));
            continue;
        }
        x.member(&name, &mut file as &mut dyn Read, depth);
    }
    n
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
