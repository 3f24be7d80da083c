//! Compound files: legacy Excel (BIFF8 `.xls`, through calamine), password-protected Office
//! documents (an OOXML package encrypted inside a compound file), and other legacy files
//! (Word 97 `.doc`, Outlook `.msg`), whose text runs are read as a reader of the raw file would
//! find them.

use std::io::Cursor;

use calamine::{Data, Reader, SheetVisible, Xls, XlsError};

use super::{push_number, Extractor, Row};

/// `name` as the UTF-16LE bytes a compound file's directory stores it in.
fn utf16(name: &str) -> Vec<u8> {
    name.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn has_stream(bytes: &[u8], name: &str) -> bool {
    memchr::memmem::find(bytes, &utf16(name)).is_some()
}

pub(super) fn read(x: &mut Extractor<'_>, bytes: &[u8]) {
    if has_stream(bytes, "EncryptedPackage") {
        x.encrypted("the document");
        return;
    }
    if has_stream(bytes, "Workbook") || has_stream(bytes, "Book") {
        match Xls::new(Cursor::new(bytes)) {
            Ok(mut book) => return workbook(x, &mut book),
            Err(XlsError::Password) => return x.encrypted("the workbook"),
            Err(_) => {}
        }
    }
    text_runs(x, bytes);
}

fn workbook(x: &mut Extractor<'_>, book: &mut Xls<Cursor<&[u8]>>) {
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

/// Runs of readable text in a file no reader here understands: UTF-16LE runs and 8-bit runs
/// of at least four letters, digits or punctuation, one a line.
fn text_runs(x: &mut Extractor<'_>, bytes: &[u8]) {
    const MIN: usize = 4;
    let mut out = String::new();
    let printable = |b: u8| (0x20..0x7f).contains(&b) || b >= 0xa0;
    // 8-bit runs (windows-1252).
    let mut run_start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(b), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                if i - s >= MIN {
                    out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[s..i]).0);
                    out.push('\n');
                }
                run_start = None;
            }
            _ => {}
        }
    }
    // UTF-16LE runs, at both alignments.
    for align in 0..2 {
        let units: Vec<u16> =
            bytes[align..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let mut start = None;
        for (i, &u) in units.iter().chain(std::iter::once(&0)).enumerate() {
            let ok = u >= 0x20 && u != 0x7f && !(0xd800..0xe000).contains(&u) && u < 0xfff0 && u > 0xff;
            let ok = ok || (0x20..0x7f).contains(&u) || (0xa0..=0xff).contains(&u);
            match (ok, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= MIN {
                        out.push_str(&String::from_utf16_lossy(&units[s..i]));
                        out.push('\n');
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    x.emit(None, false, &out, &[]);
}
