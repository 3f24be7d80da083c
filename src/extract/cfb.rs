//! Compound files (OLE2, CFB), read through their directory with the `cfb` crate: legacy
//! Excel (BIFF `.xls`, its cells through calamine, its hidden rows and columns and cell notes
//! from its records by `biff.rs`), password-protected Office documents (an OOXML package
//! encrypted in an `EncryptedPackage` stream), Word `.doc` and PowerPoint `.ppt` (read by
//! `doc.rs` and `ppt.rs` through the streams opened here), and others (other applications'),
//! whose text runs are read as a reader of the raw file would find them. An OLE object a
//! document keeps as a storage of its own (Word's `ObjectPool`, Excel's `MBD...` storages) is
//! read where it lies, the file seen from that storage ([`Compound::enter`]). Outlook `.msg` files are opened here and read by `msg.rs`. Which kind a file is, is told by `sniff.rs` from
//! the streams at the root of its directory.
//!
//! The `cfb` crate refuses a file whose header, directory or sector chains are damaged (a chain
//! that loops, a sector pointed to twice, a sector outside the file); such a file is read for
//! its text runs too. Before the crate reads anything, the header is checked for a FAT no
//! larger than the file (see [`fat_fits`]).

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use ::cfb::{CompoundFile, OpenOptions, Version};
use calamine::{Data, Reader, SheetVisible, Xls, XlsError};

use super::biff;
use super::extractor::Extractor;
use super::row::{push_number, Row};
use super::strings::runs;
use crate::model::cell_name;

/// The most a stream read through the directory buffers at a time.
const STREAM_BUFFER: usize = 64 << 10;

/// How a reader of one kind of compound file (Word, PowerPoint) went.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Its text was read.
    Read,
    /// It is encrypted (and noted as such).
    Encrypted,
    /// It is not a file the reader understands (an older version, damaged tables): the
    /// caller reads its text runs.
    Unread,
}

/// A compound file opened through its directory, seen from one of its storages: the root, or
/// (for an OLE object a document keeps as a storage of its own) the storage [`Self::enter`]
/// went into, whose entries are then read as the entries of a file's root are. Paths given to
/// its methods are from that storage (`/WordDocument`).
pub(super) struct Compound<'d> {
    file: CompoundFile<Cursor<&'d [u8]>>,
    /// The path of the storage seen as the root (`/ObjectPool/_1234`), empty for the root.
    base: String,
}

/// The compound file in `bytes` with its directory read, or `None` when the `cfb` crate refuses
/// it (its structure is damaged) or its header lists a FAT larger than the file.
pub(super) fn open(bytes: &[u8]) -> Option<Compound<'_>> {
    if !fat_fits(bytes) {
        return None;
    }
    let file = OpenOptions::new().max_buffer_size(STREAM_BUFFER).open_with(Cursor::new(bytes)).ok()?;
    Some(Compound { file, base: String::new() })
}

impl Compound<'_> {
    /// The path in the file of `path` (from the storage seen as the root).
    fn at(&self, path: &str) -> String {
        match path {
            "/" | "" if !self.base.is_empty() => self.base.clone(),
            _ => format!("{}{path}", self.base),
        }
    }

    /// Whether the root storage holds a stream called `name` (names compare without regard to
    /// case, as the format does).
    pub(super) fn has_stream(&self, name: &str) -> bool {
        self.file.is_stream(self.at(&format!("/{name}")))
    }

    /// The content of the stream `name` at the root, its chain followed through the FAT (or
    /// the mini FAT), or `None` when the chain is damaged. What is read is bounded by the
    /// chain, so by the file, whatever length the directory claims.
    fn stream(&mut self, name: &str) -> Option<Vec<u8>> {
        self.stream_at(&format!("/{name}"))
    }

    /// The paths of the storages directly inside the storage at `path` (`/ObjectPool`) whose
    /// names start with `prefix` (compared as written), in directory order; none when it is
    /// not there.
    pub(super) fn storages_in(&self, path: &str, prefix: &str) -> Vec<String> {
        match self.file.read_storage(self.at(path)) {
            Ok(entries) => entries
                .filter(|e| e.is_storage() && e.name().starts_with(prefix))
                .map(|e| format!("{}/{}", path.trim_end_matches('/'), e.name()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The content of the stream at `path` (from the root, `/a/b`), read as [`Self::stream`]
    /// reads.
    pub(super) fn stream_at(&mut self, path: &str) -> Option<Vec<u8>> {
        let mut stream = self.file.open_stream(self.at(path)).ok()?;
        let mut data = Vec::new();
        stream.read_to_end(&mut data).ok()?;
        Some(data)
    }

    /// The entries of the storage at `path` (`/` for the root): each name, and whether it is
    /// a storage. The directory is a tree (the crate refuses one with loops), so every entry
    /// of the file is listed at most once whatever storages are listed.
    pub(super) fn entries(&self, path: &str) -> Vec<(String, bool)> {
        match self.file.read_storage(self.at(path)) {
            Ok(entries) => entries.map(|e| (e.name().to_string(), e.is_storage())).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Sees the storage at `dir` (from the root seen now) as the root, until [`Self::leave`]
    /// is given what this returns.
    pub(super) fn enter(&mut self, dir: &str) -> String {
        let inner = self.at(dir);
        std::mem::replace(&mut self.base, inner)
    }

    /// Sees again the root [`Self::enter`] left (`outer`, what it returned).
    pub(super) fn leave(&mut self, outer: String) {
        self.base = outer;
    }

    /// The paths (from the root seen now) of the streams under it, at any depth, in the
    /// directory's order.
    fn streams(&self) -> Vec<String> {
        let Ok(walk) = self.file.walk_storage(self.at("/")) else {
            return Vec::new();
        };
        let skip = self.base.len();
        walk.filter(|e| e.is_stream())
            .filter_map(|e| e.path().to_str().and_then(|p| p.get(skip..)).map(str::to_string))
            .collect()
    }
}

/// Whether the FAT that the header and the DIFAT chain of the compound file in `bytes` list
/// fits in the file: at most one FAT sector for each sector the file has.
///
/// The `cfb` crate reads every sector the DIFAT lists into its FAT before it compares the FAT
/// with the file: a header of a few KiB listing one sector thousands of times would have it
/// allocate gigabytes. A file whose DIFAT lists more sectors than the file holds lists some
/// twice, which the crate refuses anyway (after the allocation): it is refused here first, and
/// the crate's FAT stays smaller than the file. The DIFAT is read the way the crate reads it;
/// a header the crate refuses for other reasons passes here and is refused there.
fn fat_fits(bytes: &[u8]) -> bool {
    const FREE: u32 = 0xffff_ffff;
    const END: u32 = 0xffff_fffe;
    const MAX_REGULAR: u32 = 0xffff_fffa;
    let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let sector_len = match bytes.get(0x1a..0x1c).map(|b| u16::from_le_bytes([b[0], b[1]])) {
        Some(3) => 512,
        Some(4) => 4096,
        _ => return true,
    };
    if bytes.len() < sector_len {
        return true;
    }
    // Sector `i` starts at `(i + 1) * sector_len`: the header fills the place of sector -1.
    let sectors = bytes.len().div_ceil(sector_len) - 1;
    // The header lists the first 109 FAT sectors, up to the first free entry.
    let mut listed = (0..109).map_while(|i| u32_at(0x4c + 4 * i)).take_while(|&s| s != FREE).count();
    // The DIFAT chain lists the others, all but the last entry of each of its sectors, which
    // links to the next. The crate refuses a chain that leaves the file or comes back.
    let mut next = u32_at(0x44).unwrap_or(END);
    let mut walked = 0usize;
    while next != END && next != FREE && next <= MAX_REGULAR && (next as usize) < sectors && walked < sectors
    {
        walked += 1;
        let at = (next as usize + 1) * sector_len;
        let Some(sector) = bytes.get(at..at + sector_len) else {
            break;
        };
        let (entries, link) = sector.split_at(sector_len - 4);
        listed += entries.chunks_exact(4).filter(|e| *e != FREE.to_le_bytes()).count();
        if listed > sectors {
            return false;
        }
        next = u32::from_le_bytes([link[0], link[1], link[2], link[3]]);
    }
    listed <= sectors
}

/// Reads the legacy Excel workbook in stream `name` of `file`; `false` when it cannot be read
/// as one (its stream's chain is damaged, or calamine finds no workbook there), and the caller
/// reads the file's text runs instead.
///
/// calamine reads a compound file with a reader of its own, which follows sector chains
/// without looking for loops: a chain that comes back on itself grows its buffer until memory
/// runs out. So calamine never sees the file as sent: it reads a copy that holds only the
/// workbook stream (read through the directory by the `cfb` crate, which refuses loops),
/// written afresh by the same crate.
///
/// The copy's `Dimensions` records are emptied first ([`empty_dimensions`]).
pub(super) fn workbook(x: &mut Extractor<'_>, file: &mut Compound<'_>, name: &str) -> bool {
    let Some(mut data) = file.stream(name) else {
        return false;
    };
    let facts = biff::sheets(&data);
    empty_dimensions(&mut data);
    let Some(copy) = alone(name, &data) else {
        return false;
    };
    drop(data);
    match Xls::new(Cursor::new(copy.as_slice())) {
        Ok(mut book) => sheets(x, &mut book, &facts),
        Err(XlsError::Password) => x.encrypted("the workbook"),
        Err(_) => return false,
    }
    true
}

/// BIFF record types (MS-XLS 2.3): `Dimensions` (the range of a sheet's cells, 2.4.90),
/// `BoundSheet8` (where a sheet's records start, 2.4.28), `BOF` and `EOF`.
const DIMENSIONS: u16 = 0x0200;
const BOUND_SHEET: u16 = 0x0085;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;

/// Makes every `Dimensions` record calamine reads in the BIFF stream `biff` declare a sheet of
/// one cell.
///
/// calamine reserves room for every cell a sheet's `Dimensions` record declares before it reads
/// the cells (40 bytes each), and the process aborts when the allocation fails: one bit flipped
/// in a row count asked for 43 GB (and a first row past the last wraps around). The record is
/// only that hint: the cells are read from their own records whatever it says, so the sheet
/// reads the same. The records are found as calamine finds them: each sheet from the position
/// its `BoundSheet8` record gives (wherever that is), to its `EOF`, nested substreams passed
/// over; so this costs what calamine's own reading does.
fn empty_dimensions(biff: &mut [u8]) {
    /// The records from `from` on: type, and where their data is.
    fn records(biff: &[u8], from: usize) -> impl Iterator<Item = (u16, std::ops::Range<usize>)> + '_ {
        let mut at = from;
        std::iter::from_fn(move || {
            let header = biff.get(at..at.checked_add(4)?)?;
            let kind = u16::from_le_bytes([header[0], header[1]]);
            let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
            let data = at + 4..(at + 4 + len).min(biff.len());
            at += 4 + len;
            Some((kind, data))
        })
    }
    let mut sheets = Vec::new();
    for (kind, data) in records(biff, 0) {
        match kind {
            BOUND_SHEET if data.len() >= 4 => {
                let pos = &biff[data.start..data.start + 4];
                sheets.push(u32::from_le_bytes([pos[0], pos[1], pos[2], pos[3]]) as usize);
            }
            EOF => break,
            _ => {}
        }
    }
    for start in sheets {
        let mut found = Vec::new();
        let (mut seen_bof, mut nested) = (false, 0usize);
        for (kind, data) in records(biff, start) {
            match kind {
                BOF if nested > 0 || seen_bof => nested += 1,
                EOF if nested > 0 => nested -= 1,
                _ if nested > 0 => {}
                BOF => seen_bof = true,
                DIMENSIONS => found.push(data),
                EOF => break,
                _ => {}
            }
        }
        for data in found {
            // Rows and columns, first and last (past it): all zero in both layouts (BIFF8's
            // 32-bit rows, BIFF5's 16-bit ones).
            biff[data].fill(0);
        }
    }
}

/// A new compound file holding `data` as its one stream, called `name`.
fn alone(name: &str, data: &[u8]) -> Option<Vec<u8>> {
    let mut out = CompoundFile::create_with_version(Version::V3, Cursor::new(Vec::new())).ok()?;
    let mut stream = out.create_stream(format!("/{name}")).ok()?;
    stream.write_all(data).ok()?;
    stream.flush().ok()?;
    drop(stream);
    out.flush().ok()?;
    Some(out.into_inner().into_inner())
}

/// Every sheet of `book`, hidden ones, hidden rows and columns marked (from `facts`, read
/// from the records): a row a segment, a cell a mark; then the sheet's cell notes.
fn sheets(x: &mut Extractor<'_>, book: &mut Xls<Cursor<&[u8]>>, facts: &HashMap<String, biff::Sheet>) {
    let sheets: Vec<(String, bool)> =
        book.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible != SheetVisible::Visible)).collect();
    let mut row = Row::default();
    for (n, (name, hidden)) in sheets.into_iter().enumerate() {
        if x.budget.exhausted() {
            return;
        }
        // Sheets by number: a sheet's name may be a name the list protects.
        let reader = format!("xls: sheet {}", n + 1);
        let range = match x.as_reader(reader.as_str(), |_| book.worksheet_range(&name)) {
            Ok(r) => r,
            Err(XlsError::Password) => return x.encrypted("the workbook"),
            Err(_) => {
                x.as_reader(reader, |x| x.inside(&name, |x| x.unreadable("the sheet is damaged")));
                continue;
            }
        };
        let none = biff::Sheet::default();
        let facts = facts.get(&name).unwrap_or(&none);
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (i, cells) in range.rows().enumerate() {
            row.clear();
            let r = r0 + i as u32;
            for (j, cell) in cells.iter().enumerate() {
                if matches!(cell, Data::Empty) {
                    continue;
                }
                let c = c0 + j as u32;
                row.cell(r + 1, c + 1, facts.col_hidden(c));
                match cell {
                    Data::Float(f) => push_number(&mut row.text, &f.to_string()),
                    other => row.text.push_str(&other.to_string()),
                }
            }
            x.emit(Some(&name), hidden || facts.row_hidden(r), &row.text, &row.marks);
        }
        for (r, c, text) in &facts.notes {
            x.emit(Some(&format!("{name}!{} comment", cell_name(r + 1, c + 1))), hidden, text, &[]);
        }
    }
}

/// Runs of readable text in a compound file no reader here understands (see
/// [`strings::runs`](super::strings::runs)), one a line.
pub(super) fn text_runs(x: &mut Extractor<'_>, bytes: &[u8]) {
    x.emit(None, false, &runs(bytes), &[]);
}

/// Runs of readable text in each stream of the storage `file` sees as its root (an OLE
/// object no reader here understands), stream by stream, as far as the budget allows.
pub(super) fn stream_runs(x: &mut Extractor<'_>, file: &mut Compound<'_>) {
    for path in file.streams() {
        if x.budget.exhausted() {
            return;
        }
        if let Some(data) = file.stream_at(&path) {
            let granted = x.budget.take(data.len() as u64) as usize;
            x.emit(None, false, &runs(&data[..granted.min(data.len())]), &[]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compound file of `version` holding `streams` (paths from the root).
    fn compound(version: Version, streams: &[(&str, &[u8])]) -> Vec<u8> {
        let mut file = CompoundFile::create_with_version(version, Cursor::new(Vec::new())).unwrap();
        for (path, data) in streams {
            if let Some((dir, _)) = path.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
                file.create_storage_all(dir).unwrap();
            }
            file.create_stream(path).unwrap().write_all(data).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// A version 4 compound file of `sectors` sectors whose header and DIFAT chain list
    /// sector 1 as a FAT sector again and again: 1,023 times a DIFAT sector.
    fn fat_listed_over_and_over(sectors: u32) -> Vec<u8> {
        let mut bytes = vec![0u8; (sectors as usize + 1) * 4096];
        bytes[..8].copy_from_slice(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
        let mut put = |at: usize, v: &[u8]| bytes[at..at + v.len()].copy_from_slice(v);
        put(0x18, &0x3eu16.to_le_bytes());
        put(0x1a, &4u16.to_le_bytes());
        put(0x1c, &0xfffeu16.to_le_bytes());
        put(0x1e, &12u16.to_le_bytes());
        put(0x20, &6u16.to_le_bytes());
        put(0x38, &4096u32.to_le_bytes());
        put(0x44, &1u32.to_le_bytes()); // the DIFAT chain starts at sector 1
                                        // The header lists sector 1 109 times; DIFAT sectors 1.. list it 1,023 times each
                                        // and link to the next.
        for i in 0..109 {
            put(0x4c + 4 * i, &1u32.to_le_bytes());
        }
        for s in 1..sectors {
            let at = (s as usize + 1) * 4096;
            for i in 0..1023 {
                put(at + 4 * i, &1u32.to_le_bytes());
            }
            let next = if s + 1 < sectors { s + 1 } else { 0xffff_fffe };
            put(at + 4092, &next.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn fat_no_larger_than_the_file() {
        let plain = compound(Version::V3, &[("/Notes", b"Jane Doe")]);
        let large = compound(Version::V4, &[("/Notes", &vec![b'x'; 3 << 20])]);
        assert!(fat_fits(&plain));
        assert!(fat_fits(&large));
        assert!(open(&plain).is_some_and(|f| f.has_stream("notes")));
        // 64 sectors (256 KiB) listing one sector 63 x 1,023 times: the crate would read a
        // FAT of about 250 MiB before finding it too large.
        let bomb = fat_listed_over_and_over(64);
        assert!(!fat_fits(&bomb));
        assert!(open(&bomb).is_none());
        // Headers the crate refuses on their own pass here.
        assert!(fat_fits(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 short"));
    }

    #[test]
    fn dimensions_records_are_emptied_and_others_kept() {
        let record = |kind: u16, data: &[u8]| {
            let mut r = kind.to_le_bytes().to_vec();
            r.extend_from_slice(&(data.len() as u16).to_le_bytes());
            r.extend_from_slice(data);
            r
        };
        let bof = record(BOF, &[0, 6, 0x10, 0]);
        let eof = record(EOF, &[]);
        // BIFF8: rows 0 to 2^30, 3 columns. BIFF5: rows 5 to 1, columns 0 to 9.
        let huge = [0, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 3, 0, 0, 0];
        let backwards = [5, 0, 1, 0, 0, 0, 9, 0, 0, 0];
        let number = record(0x0203, &[1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
        // Globals: one sheet, at `sheet`; a Dimensions record there is no sheet's.
        let globals_len = bof.len() + 12 + huge.len() + 4 + eof.len();
        let sheet = globals_len as u32;
        let mut bound = sheet.to_le_bytes().to_vec();
        bound.extend_from_slice(&[0, 0, 1, b'S']);
        let stream = |dims: &[&[u8]]| {
            let mut out = bof.clone();
            out.extend(record(BOUND_SHEET, &bound));
            out.extend(record(DIMENSIONS, &huge));
            out.extend(&eof);
            assert_eq!(out.len(), globals_len);
            // The sheet: its own Dimensions, a chart substream with one, a cell, the second.
            out.extend(&bof);
            out.extend(record(DIMENSIONS, dims[0]));
            out.extend(&bof);
            out.extend(record(DIMENSIONS, &huge));
            out.extend(&eof);
            out.extend(&number);
            out.extend(record(DIMENSIONS, dims[1]));
            out.extend(&eof);
            // After the sheet's EOF: read by nobody.
            out.extend(record(DIMENSIONS, &huge));
            out
        };
        let mut biff = stream(&[&huge, &backwards]);
        empty_dimensions(&mut biff);
        assert_eq!(biff, stream(&[&[0; 14], &[0; 10]]));
        // A stream cut inside a sheet's Dimensions record: what is there is emptied.
        let mut cut = stream(&[&huge, &backwards]);
        cut.truncate(globals_len + bof.len() + 4 + 6);
        empty_dimensions(&mut cut);
        assert!(cut[globals_len + bof.len() + 4..].iter().all(|&b| b == 0));
    }

    #[test]
    fn workbook_stream_alone_in_a_copy() {
        let copy = alone("Workbook", &[7; 5000]).unwrap();
        let mut file = open(&copy).unwrap();
        assert!(file.has_stream("Workbook"));
        assert_eq!(file.stream("Workbook"), Some(vec![7; 5000]));
    }
}
