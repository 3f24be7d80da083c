//! What calamine does not say of a legacy Excel workbook (BIFF8 `.xls` of Excel 97 and later,
//! [MS-XLS]; BIFF5, Excel 5 and 95, the `Book` stream), read from its records: which rows
//! (`ROW` with `fDyZero`) and columns (`COLINFO` with `fHidden`) of each sheet are hidden, and
//! the sheet's cell notes (in BIFF8 a `NOTE` names the cell and an object, whose `TXO` record
//! and the `CONTINUE` records after it hold the text; in BIFF5 the `NOTE` holds its text,
//! continued by `NOTE`s of row 0xFFFF).
//!
//! Records are a type, a length and a body; each is read once, in order, and every offset is
//! checked against the stream, so a damaged workbook gives less, never more work.

use std::collections::HashMap;

use super::le::{cp1252, slice_at, u16_at, u32_at};

/// Record types.
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000a;
const FILEPASS: u16 = 0x002f;
const BOUNDSHEET: u16 = 0x0085;
const ROW: u16 = 0x0208;
const COLINFO: u16 = 0x007d;
const OBJ: u16 = 0x005d;
const TXO: u16 = 0x01b6;
const CONTINUE: u16 = 0x003c;
const NOTE: u16 = 0x001c;
/// `vers` of a BIFF8 and of a BIFF5 `BOF`.
const BIFF8: u16 = 0x0600;
const BIFF5: u16 = 0x0500;

/// What is hidden in one sheet, and its notes.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Sheet {
    /// Hidden rows, 0-based, in order.
    pub(super) hidden_rows: Vec<u32>,
    /// Ranges of hidden columns, 0-based, inclusive.
    pub(super) hidden_cols: Vec<(u32, u32)>,
    /// Cell notes: 0-based row and column, and text.
    pub(super) notes: Vec<(u32, u32, String)>,
}

impl Sheet {
    /// Whether row `row` (0-based) is hidden.
    pub(super) fn row_hidden(&self, row: u32) -> bool {
        self.hidden_rows.binary_search(&row).is_ok()
    }

    /// Whether column `col` (0-based) is hidden.
    pub(super) fn col_hidden(&self, col: u32) -> bool {
        self.hidden_cols.iter().any(|&(a, b)| (a..=b).contains(&col))
    }
}

/// One record: its type and body, and where the next starts.
fn record(stream: &[u8], at: usize) -> Option<(u16, &[u8], usize)> {
    let kind = u16_at(stream, at)?;
    let len = usize::from(u16_at(stream, at + 2)?);
    let body = slice_at(stream, at + 4, len)?;
    Some((kind, body, at + 4 + len))
}

/// The sheets of the BIFF8 or BIFF5 workbook `stream`, by name; empty for an encrypted
/// workbook or one of an older version.
pub(super) fn sheets(stream: &[u8]) -> HashMap<String, Sheet> {
    let mut out = HashMap::new();
    let biff8 = match record(stream, 0) {
        Some((BOF, body, _)) if u16_at(body, 0) == Some(BIFF8) => true,
        Some((BOF, body, _)) if u16_at(body, 0) == Some(BIFF5) => false,
        _ => return out,
    };
    let mut places = Vec::new();
    let mut at = 0;
    while let Some((kind, body, next)) = record(stream, at) {
        match kind {
            FILEPASS => return HashMap::new(),
            BOUNDSHEET => {
                let name = if biff8 { short_string(body, 6) } else { byte_string(body, 6) };
                if let (Some(pos), Some(name)) = (u32_at(body, 0), name) {
                    places.push((name, pos as usize));
                }
            }
            EOF => break,
            _ => {}
        }
        at = next;
    }
    // No more bytes of records are read for all sheets than the stream has, however many
    // sheets say they start where.
    let mut left = stream.len();
    for (name, pos) in places {
        if let Some(sheet) = sheet(stream, pos, &mut left, biff8) {
            out.insert(name, sheet);
        }
    }
    out
}

/// The sheet whose substream starts at `at`, reading no more than `left` bytes of records;
/// `biff8` for a BIFF8 workbook, else BIFF5.
fn sheet(stream: &[u8], mut at: usize, left: &mut usize, biff8: bool) -> Option<Sheet> {
    if record(stream, at)?.0 != BOF {
        return None;
    }
    let mut sheet = Sheet::default();
    let mut texts: HashMap<u16, String> = HashMap::new();
    let mut object = None;
    // A BIFF5 note being read: its cell and the bytes of its text so far.
    let mut note: Option<(u16, u16, Vec<u8>)> = None;
    while let Some((kind, body, next)) = record(stream, at) {
        *left = match left.checked_sub(next - at) {
            Some(l) => l,
            None => break,
        };
        match kind {
            EOF => break,
            // fDyZero: the row has no height.
            ROW if body.get(12).is_some_and(|f| f & 0x20 != 0) => {
                sheet.hidden_rows.extend(u16_at(body, 0).map(u32::from));
            }
            COLINFO => {
                if let (Some(a), Some(b), Some(f)) = (u16_at(body, 0), u16_at(body, 2), u16_at(body, 8)) {
                    if f & 1 != 0 {
                        sheet.hidden_cols.push((u32::from(a), u32::from(b)));
                    }
                }
            }
            // The common part of an object (`ftCmo`): its id.
            OBJ => object = (u16_at(body, 0) == Some(0x15)).then(|| u16_at(body, 6)).flatten(),
            TXO => {
                if let (Some(id), Some(chars)) = (object.take(), u16_at(body, 10)) {
                    texts.insert(id, continued(stream, next, usize::from(chars)));
                }
            }
            NOTE if !biff8 => {
                if let (Some(row), Some(col), Some(len)) = (u16_at(body, 0), u16_at(body, 2), u16_at(body, 4))
                {
                    let text = body.get(6..).unwrap_or_default();
                    let text = &text[..usize::from(len).min(text.len())];
                    match (row, &mut note) {
                        // The rest of the note before.
                        (0xffff, Some((_, _, held))) => held.extend_from_slice(text),
                        (0xffff, None) => {}
                        _ => {
                            let done = note.replace((row, col, text.to_vec()));
                            sheet
                                .notes
                                .extend(done.map(|(r, c, t)| (u32::from(r), u32::from(c), note_text(&t))));
                        }
                    }
                }
            }
            NOTE => {
                if let (Some(row), Some(col), Some(id)) = (u16_at(body, 0), u16_at(body, 2), u16_at(body, 6))
                {
                    if let Some(text) = texts.remove(&id) {
                        sheet.notes.push((u32::from(row), u32::from(col), text));
                    }
                }
            }
            _ => {}
        }
        at = next;
    }
    sheet.notes.extend(note.map(|(r, c, t)| (u32::from(r), u32::from(c), note_text(&t))));
    sheet.hidden_rows.sort_unstable();
    Some(sheet)
}

/// The text of a BIFF5 note: 8-bit characters, as the format has them; UTF-16 when every
/// second byte is zero, as Gnumeric writes them (its Excel 95 files keep notes in UTF-16).
fn note_text(bytes: &[u8]) -> String {
    let wide =
        bytes.len() >= 2 && bytes.len().is_multiple_of(2) && bytes.iter().skip(1).step_by(2).all(|&b| b == 0);
    if wide {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| cp1252(b)).collect()
    }
}

/// The `chars` characters of a text object, held by the `CONTINUE` records from `at` on: each
/// starts with a byte that says whether its characters are 8-bit or UTF-16.
fn continued(stream: &[u8], mut at: usize, chars: usize) -> String {
    let mut units: Vec<u16> = Vec::new();
    while units.len() < chars {
        let Some((CONTINUE, body, next)) = record(stream, at) else {
            break;
        };
        let wide = body.first().is_some_and(|f| f & 1 != 0);
        let rest = body.get(1..).unwrap_or_default();
        let want = chars - units.len();
        if wide {
            units.extend(rest.chunks_exact(2).take(want).map(|c| u16::from_le_bytes([c[0], c[1]])));
        } else {
            units.extend(rest.iter().take(want).map(|&b| cp1252(b) as u16));
        }
        at = next;
    }
    String::from_utf16_lossy(&units)
}

/// A BIFF5 string at `at`: a count of characters, then the 8-bit characters.
fn byte_string(body: &[u8], at: usize) -> Option<String> {
    let count = usize::from(*body.get(at)?);
    Some(body.get(at + 1..)?.iter().take(count).map(|&b| cp1252(b)).collect())
}

/// A `ShortXLUnicodeString` at `at`: a count of characters, a flag byte, the characters.
fn short_string(body: &[u8], at: usize) -> Option<String> {
    let count = usize::from(*body.get(at)?);
    let wide = body.get(at + 1)? & 1 != 0;
    let chars = body.get(at + 2..)?;
    Some(if wide {
        let units: Vec<u16> =
            chars.chunks_exact(2).take(count).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(count).map(|&b| cp1252(b)).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend((body.len() as u16).to_le_bytes());
        out.extend(body);
        out
    }

    /// A workbook of one sheet called `Sheet` whose substream holds `records`.
    fn workbook(records: &[Vec<u8>]) -> Vec<u8> {
        let bof = rec(BOF, &[0, 6, 0x10, 0, 0, 0, 0, 0]);
        let mut sheet_at = bof.len() + 4 + 6 + 7 + 4;
        let mut globals = bof.clone();
        let mut bound = (sheet_at as u32).to_le_bytes().to_vec();
        bound.extend([0, 0, 5, 0]);
        bound.extend(b"Sheet");
        globals.extend(rec(BOUNDSHEET, &bound));
        globals.extend(rec(EOF, &[]));
        sheet_at = globals.len();
        globals[bof.len() + 4..bof.len() + 8].copy_from_slice(&(sheet_at as u32).to_le_bytes());
        globals.extend(bof);
        for r in records {
            globals.extend(r);
        }
        globals.extend(rec(EOF, &[]));
        globals
    }

    #[test]
    fn hidden_rows_columns_and_notes() {
        let mut row = vec![0u8; 16];
        row[0] = 5;
        row[12] = 0x20;
        let mut shown = vec![0u8; 16];
        shown[0] = 6;
        let obj = [0x15, 0, 0x12, 0, 0x19, 0, 7, 0];
        let mut txo = vec![0u8; 18];
        txo[10] = 8;
        let note = [1, 0, 2, 0, 0, 0, 7, 0];
        let wb = workbook(&[
            rec(ROW, &row),
            rec(ROW, &shown),
            rec(COLINFO, &[3, 0, 4, 0, 0, 0, 0, 0, 1, 0]),
            rec(OBJ, &obj),
            rec(0x00ec, &[0; 10]),
            rec(TXO, &txo),
            rec(CONTINUE, b"\0Jane "),
            rec(CONTINUE, &[1, b'D', 0, b'o', 0, b'e', 0, b'!', 0]),
            rec(NOTE, &note),
        ]);
        let sheets = sheets(&wb);
        let s = &sheets["Sheet"];
        assert_eq!(s.hidden_rows, [5]);
        assert!(s.row_hidden(5) && !s.row_hidden(6));
        assert!(s.col_hidden(3) && s.col_hidden(4) && !s.col_hidden(2));
        assert_eq!(s.notes, [(1, 2, "Jane Doe".to_string())]);
    }

    #[test]
    fn biff5_rows_columns_and_notes() {
        // Globals: a BIFF5 BOF, a sheet whose name is 8-bit; the sheet's substream after it.
        let bof = rec(BOF, &[0, 5, 0x10, 0, 0, 0, 0, 0]);
        let mut bound = 0u32.to_le_bytes().to_vec();
        bound.extend([0, 0, 4]);
        bound.extend(b"Caf\xe9");
        let globals_len = bof.len() + 4 + bound.len() + 4;
        bound[..4].copy_from_slice(&(globals_len as u32).to_le_bytes());
        let mut wb = bof.clone();
        wb.extend(rec(BOUNDSHEET, &bound));
        wb.extend(rec(EOF, &[]));
        wb.extend(bof);
        let mut row = vec![0u8; 16];
        row[0] = 2;
        row[12] = 0x20;
        wb.extend(rec(ROW, &row));
        wb.extend(rec(COLINFO, &[1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]));
        // A continuation with no note before it is nothing; a note of 8-bit text continued by
        // a NOTE of row 0xffff; one in UTF-16.
        wb.extend(rec(NOTE, &[[0xff, 0xff, 0, 0, 3, 0].as_slice(), b"XYZ"].concat()));
        wb.extend(rec(NOTE, &[[1, 0, 2, 0, 5, 0].as_slice(), b"Jane "].concat()));
        wb.extend(rec(NOTE, &[[0xff, 0xff, 0, 0, 3, 0].as_slice(), b"Doe"].concat()));
        wb.extend(rec(NOTE, &[[3, 0, 0, 0, 6, 0].as_slice(), b"R\0a\0v\0"].concat()));
        // A length past the record: what the record holds (nothing).
        wb.extend(rec(NOTE, &[0xff, 0xff, 0, 0, 0xff, 0x7f]));
        wb.extend(rec(EOF, &[]));
        let sheets = sheets(&wb);
        let s = &sheets["Café"];
        assert_eq!(s.hidden_rows, [2]);
        assert!(s.col_hidden(1) && !s.col_hidden(0));
        assert_eq!(s.notes, [(1, 2, "Jane Doe".to_string()), (3, 0, "Rav".to_string())]);
        for end in 0..wb.len() {
            let _ = super::sheets(&wb[..end]);
        }
    }

    #[test]
    fn encrypted_or_cut_workbooks_give_nothing_more() {
        let mut wb = workbook(&[]);
        let bof_len = 12;
        wb.splice(bof_len..bof_len, rec(FILEPASS, &[0; 6]));
        assert!(sheets(&wb).is_empty());
        let wb = workbook(&[rec(TXO, &[0xff; 18])]);
        // A text object with no CONTINUE after it, and a note naming no object.
        assert_eq!(sheets(&wb)["Sheet"], Sheet::default());
        assert!(sheets(&wb[..30]).is_empty());
        assert!(sheets(b"").is_empty());
    }
}
