//! Compound files: legacy Excel (BIFF8 `.xls`, through calamine), password-protected Office
//! documents (an OOXML package encrypted inside a compound file), and other legacy files
//! (Word 97 `.doc`, Outlook `.msg`), whose text runs are read as a reader of the raw file would
//! find them.

use std::io::Cursor;

use calamine::{Data, Reader, SheetVisible, Xls, XlsError};

use super::extractor::Extractor;
use super::row::{push_number, Row};

/// `name` as the UTF-16LE bytes a compound file's directory stores it in.
fn utf16(name: &str) -> Vec<u8> {
    name.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Whether the compound file in `bytes` has a stream called `name`.
pub(super) fn has_stream(bytes: &[u8], name: &str) -> bool {
    memchr::memmem::find(bytes, &utf16(name)).is_some()
}

/// Reads the legacy Excel workbook in `bytes`; `false` when it cannot be read as one (the
/// caller then reads its text runs).
pub(super) fn workbook(x: &mut Extractor<'_>, bytes: &[u8]) -> bool {
    // calamine follows sector chains until they end: a chain that loops grows its buffer
    // until memory runs out. Loops are looked for first.
    if !chains_end(bytes) {
        x.unreadable("its sector chains loop");
        return true;
    }
    match Xls::new(Cursor::new(bytes)) {
        Ok(mut book) => sheets(x, &mut book),
        Err(XlsError::Password) => x.encrypted("the workbook"),
        Err(_) => return false,
    }
    true
}

fn sheets(x: &mut Extractor<'_>, book: &mut Xls<Cursor<&[u8]>>) {
    let sheets: Vec<(String, bool)> =
        book.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible != SheetVisible::Visible)).collect();
    let mut row = Row::default();
    for (name, hidden) in sheets {
        if x.budget.exhausted() {
            return;
        }
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(XlsError::Password) => return x.encrypted("the workbook"),
            Err(_) => {
                x.inside(&name, |x| x.unreadable("the sheet is damaged"));
                continue;
            }
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (i, cells) in range.rows().enumerate() {
            row.clear();
            for (j, cell) in cells.iter().enumerate() {
                if matches!(cell, Data::Empty) {
                    continue;
                }
                row.cell(r0 + i as u32 + 1, c0 + j as u32 + 1, false);
                match cell {
                    Data::Float(f) => push_number(&mut row.text, &f.to_string()),
                    other => row.text.push_str(&other.to_string()),
                }
            }
            x.emit(Some(&name), hidden, &row.text, &row.marks);
        }
    }
}

/// Whether every sector chain of the compound file (its FAT, and the mini FAT stored in it)
/// ends rather than loops. A file too damaged to tell is reported as looping.
fn chains_end(bytes: &[u8]) -> bool {
    const END: u32 = 0xffff_fffe;
    const MAX_REGULAR: u32 = 0xffff_fffa;
    let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let Some(shift) = bytes.get(0x1e..0x20).map(|b| u16::from_le_bytes([b[0], b[1]])) else {
        return false;
    };
    if !(7..=16).contains(&shift) {
        return false;
    }
    let sector = 1usize << shift;
    let sectors = bytes.len().saturating_sub(512) / sector + 1;
    let read_sector = |id: u32| -> Option<&[u8]> {
        let start = 512usize.checked_add((id as usize).checked_mul(sector)?)?;
        bytes.get(start..start + sector)
    };
    // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| u32_at(0x4c + 4 * i)).collect();
    let mut difat = u32_at(0x44).unwrap_or(END);
    let mut seen = 0usize;
    while difat <= MAX_REGULAR {
        seen += 1;
        let Some(s) = read_sector(difat).filter(|_| seen <= sectors) else {
            return false;
        };
        let entries: Vec<u32> =
            s.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let Some((&next, rest)) = entries.split_last() else {
            return false;
        };
        fat_sectors.extend_from_slice(rest);
        difat = next;
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|&id| id <= MAX_REGULAR) {
        match read_sector(id) {
            Some(s) => fat.extend(s.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))),
            None => return false,
        }
        if fat.len() > 4 * sectors + 1024 {
            return false;
        }
    }
    if !acyclic(&fat) {
        return false;
    }
    // The mini FAT lives in a chain of the FAT (which no longer loops).
    let mut mini = Vec::new();
    let mut id = u32_at(0x3c).unwrap_or(END);
    while id <= MAX_REGULAR {
        match read_sector(id) {
            Some(s) => mini.extend(s.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))),
            None => break,
        }
        id = fat.get(id as usize).copied().unwrap_or(END);
    }
    acyclic(&mini)
}

/// Whether following `next[i]` from any `i` always reaches a value that is not an index
/// (an end of chain) rather than coming back round.
fn acyclic(next: &[u32]) -> bool {
    // 0: not visited, 1: on the current walk, 2: known to end.
    let mut state = vec![0u8; next.len()];
    let mut walk = Vec::new();
    for start in 0..next.len() {
        let mut at = start;
        while let Some(&s) = state.get(at) {
            match s {
                2 => break,
                1 => return false,
                _ => {
                    state[at] = 1;
                    walk.push(at);
                    at = next[at] as usize;
                }
            }
        }
        for &w in &walk {
            state[w] = 2;
        }
        walk.clear();
    }
    true
}

/// Runs of readable text in a file no reader here understands: UTF-16LE runs and 8-bit runs
/// of at least four letters, digits or punctuation, one a line.
pub(super) fn text_runs(x: &mut Extractor<'_>, bytes: &[u8]) {
    x.emit(None, false, &runs(bytes), &[]);
}

/// The text of [`text_runs`]. A UTF-16LE run keeps to one script (see [`script`]): text does,
/// and binary data read as UTF-16 does not, so the tables, pictures and code of a compound
/// file give few runs instead of megabytes of characters from every corner of Unicode.
fn runs(bytes: &[u8]) -> String {
    const MIN: usize = 4;
    let mut out = String::new();
    let printable = |b: u8| (0x20..0x7f).contains(&b) || b >= 0xa0;
    // 8-bit runs (windows-1252), mostly ASCII as text in that code page is.
    let mut run_start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(b), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                let run = &bytes[s..i];
                if run.len() >= MIN && run.iter().filter(|b| b.is_ascii()).count() * 4 >= run.len() * 3 {
                    out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(run).0);
                    out.push('\n');
                }
                run_start = None;
            }
            _ => {}
        }
    }
    // UTF-16LE runs, at both alignments.
    let flush = |out: &mut String, units: &[u16], script: u16| {
        if units.len() >= MIN && !out_of_step(units, script) {
            out.push_str(&String::from_utf16_lossy(units));
            out.push('\n');
        }
    };
    for align in 0..2 {
        let units: Vec<u16> =
            bytes[align..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        // The run: where it starts and the script it keeps to (`LATIN` until another is seen).
        let mut run: Option<(usize, u16)> = None;
        for (i, &u) in units.iter().enumerate() {
            run = match (script(u), run) {
                (None, None) => None,
                (None, Some((s, h))) => {
                    flush(&mut out, &units[s..i], h);
                    None
                }
                (Some(g), None) => Some((i, g)),
                (Some(LATIN), Some(r)) => Some(r),
                (Some(g), Some((s, LATIN))) => Some((s, g)),
                (Some(g), Some((s, h))) if g == h => Some((s, h)),
                (Some(g), Some((s, h))) => {
                    flush(&mut out, &units[s..i], h);
                    Some((i, g))
                }
            };
        }
        if let Some((s, h)) = run {
            flush(&mut out, &units[s..], h);
        }
    }
    out
}

/// Whether a run of `script` is text read one byte out of step: then each unit's low byte is
/// the high byte of a character of the real text, the same for most ("a\0" reads as U+6100,
/// Cyrillic as Hangul), where text in a script of its own has low bytes all over.
fn out_of_step(units: &[u16], script: u16) -> bool {
    if script == LATIN {
        return false;
    }
    let mut counts = [0usize; 256];
    for &u in units {
        counts[usize::from(u & 0xff)] += 1;
    }
    counts.iter().max().is_some_and(|&most| most * 2 >= units.len())
}

/// Latin letters with their diacritics, punctuation, currency and letter-like symbols: these
/// go with text in any script.
const LATIN: u16 = 0;

/// The script of a UTF-16 code unit, for run finding: [`LATIN`], or a group a run keeps to
/// (Greek, Cyrillic, Han with kana and full-width forms, Hangul, else the unit's 256-character
/// block); `None` for what is not text (controls, surrogates, private use, specials).
fn script(u: u16) -> Option<u16> {
    Some(match u {
        0x20..=0x7e | 0xa0..=0x036f | 0x1e00..=0x1eff | 0x2000..=0x206f | 0x20a0..=0x214f => LATIN,
        0..=0x9f | 0xd800..=0xf8ff | 0xfff0..=0xffff => return None,
        0x0370..=0x03ff | 0x1f00..=0x1fff => 0x03,
        0x0400..=0x052f => 0x04,
        0x3000..=0x30ff | 0x3400..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef => 0x4e,
        0x1100..=0x11ff | 0x3130..=0x318f | 0xac00..=0xd7af => 0xac,
        _ => u >> 8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn text_runs_in_any_script() {
        for name in
            ["Jane Doe", "Đặng Thị Hoa", "Ольга Петрова", "Γιώργος Παπαδόπουλος", "王秀英 様", "김민준 님"]
        {
            let mut file = vec![0u8, 0, 0x13, 0x88, 0x01, 0];
            file.extend(utf16le(name));
            file.extend([0, 0, 0xff, 0xfe]);
            let text = runs(&file);
            assert!(text.lines().any(|l| l == name), "{name}: {text:?}");
        }
        // 8-bit (windows-1252) text.
        assert!(runs(b"\x01\x02Zo\xeb Smith\x00").lines().any(|l| l == "Zoë Smith"));
        // A change of script ends a run; Latin punctuation joins either.
        assert_eq!(runs(&utf16le("Ольга, Γιώργος")).lines().collect::<Vec<_>>(), ["Ольга, ", "Γιώργος"]);
    }

    #[test]
    fn binary_data_gives_little_text() {
        // Random bytes, as pictures, tables and compressed streams look: read as 16-bit units
        // almost any value is a character, but runs of one script are rare. What is left is
        // mostly Han (two fifths of all 16-bit values): about 230,000 characters from 1 MiB,
        // where reading every printable unit gave about 1.5 million.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..1 << 20)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let chars = runs(&bytes).chars().count();
        assert!(chars < bytes.len() / 4, "{chars} characters from {} random bytes", bytes.len());
    }

    #[test]
    fn chain_loops_are_found() {
        assert!(acyclic(&[1, 2, 0xffff_fffe]));
        assert!(!acyclic(&[1, 2, 0]));
        assert!(!acyclic(&[0xffff_fffe, 1]));
        assert!(acyclic(&[]));
    }
}
