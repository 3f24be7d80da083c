//! CCITT fax images (a PDF's `CCITTFaxDecode`, what scanners and fax software write for 1-bit
//! pages) decoded to the 1-bit rows the PDF filter gives, by the `fax` crate: Group 4 (`/K`
//! below 0) by its decoder, and one-dimensional Group 3 (`/K 0`) row by row with its code
//! tables, with or without EOL codes (`/EndOfLine`) and byte-aligned rows
//! (`/EncodedByteAlign`). Two-dimensional Group 3 (`/K` above
//! 0) and byte-aligned Group 4 rows are not read (the `fax` crate has no decoder for them).

use std::convert::Infallible;

use fax::decoder::{DecodeStatus, Group4Decoder};
use fax::{BitReader, Color};

/// A `CCITTFaxDecode` filter's parameters (`/DecodeParms`), with the PDF's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Params {
    /// `/K`: below 0 Group 4; 0 one-dimensional Group 3; above 0 mixed Group 3.
    pub(crate) k: i64,
    /// `/Columns`: pixels a row (default 1728).
    pub(crate) columns: u32,
    /// `/Rows`: rows in the image (0: as many as the data holds).
    pub(crate) rows: u32,
    /// `/BlackIs1`: whether black pixels come out as 1 bits (default: 0 bits are black).
    pub(crate) black_is_1: bool,
    /// `/EncodedByteAlign`: whether each encoded row starts on a byte.
    pub(crate) byte_align: bool,
    /// `/EndOfLine`: whether an EOL code stands before each row.
    pub(crate) end_of_line: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params { k: 0, columns: 1728, rows: 0, black_is_1: false, byte_align: false, end_of_line: false }
    }
}

/// Decodes the fax data `data` into `height` rows of packed bits (`columns` a row, first pixel
/// in the high bit), as the PDF filter gives them: a black pixel is a 1 bit when `/BlackIs1`,
/// else a 0 bit. Rows the data does not hold (a damaged tail, an encoder that leaves trailing
/// white rows out) are white.
pub(crate) fn decode(data: &[u8], params: &Params, height: u32) -> Result<Vec<u8>, String> {
    let Ok(columns) = u16::try_from(params.columns) else {
        return Err(format!("its fax rows are {} pixels wide, wider than fax allows", params.columns));
    };
    if columns == 0 {
        return Err("its fax rows are 0 pixels wide".to_string());
    }
    let rows = if params.rows > 0 { params.rows.min(height) } else { height };
    let row_bytes = usize::from(columns).div_ceil(8);
    let white_bit = !params.black_is_1;
    let mut out = vec![if white_bit { 0xff } else { 0 }; row_bytes * height as usize];
    let mut done = 0usize;
    let mut put = |transitions: &[u16]| {
        if let Some(row) = out.get_mut(done * row_bytes..(done + 1) * row_bytes) {
            for (x, colour) in fax::decoder::pels(transitions, columns).enumerate() {
                if colour == Color::Black {
                    let bit = 0x80 >> (x % 8);
                    if white_bit {
                        row[x / 8] &= !bit;
                    } else {
                        row[x / 8] |= bit;
                    }
                }
            }
        }
        done += 1;
    };
    let decoded = match params.k {
        k if k < 0 && params.byte_align => {
            return Err("its fax image is Group 4 with byte-aligned rows, which OCR does not read".to_string())
        }
        k if k < 0 => group4(data, columns, rows, &mut put),
        0 => group3(data, columns, rows, params.byte_align, params.end_of_line, &mut put),
        _ => {
            return Err(
                "its fax image is two-dimensional Group 3 (K > 0), which OCR does not read".to_string()
            )
        }
    };
    match decoded {
        0 => Err("its fax data is damaged: no row decodes".to_string()),
        _ => Ok(out),
    }
}

/// Decodes up to `rows` Group 4 rows of `columns` pixels, handing each row's colour changes to
/// `put`; the number decoded.
fn group4(data: &[u8], columns: u16, rows: u32, put: &mut dyn FnMut(&[u16])) -> u32 {
    let Ok(mut decoder) = Group4Decoder::new(data.iter().map(|&b| Ok::<u8, Infallible>(b)), columns);
    let mut done = 0;
    while done < rows {
        match decoder.advance() {
            Ok(DecodeStatus::Incomplete) => put(decoder.transition()),
            Ok(DecodeStatus::End) | Err(_) => break,
        }
        done += 1;
    }
    done
}

/// Decodes up to `rows` one-dimensional Group 3 rows of `columns` pixels (each row white and
/// black runs in turn, starting white), handing each row's colour changes to `put`; the number
/// decoded. EOL codes (eleven 0 bits and a 1, after any fill of 0 bits) may stand before any
/// row; with `byte_align` each row starts on a byte (after its EOL when `eols`, the encoder's
/// promise that EOLs are there). Two EOLs in a row (the end of the page) end it.
fn group3(
    data: &[u8],
    columns: u16,
    rows: u32,
    byte_align: bool,
    eols: bool,
    put: &mut dyn FnMut(&[u16]),
) -> u32 {
    let mut reader = fax::slice_reader(data);
    let align = |reader: &mut fax::ByteReader<_>| {
        let _ = reader.consume(reader.bits_to_byte_boundary());
    };
    let mut changes = Vec::new();
    let mut done = 0;
    while done < rows {
        if byte_align && !eols {
            align(&mut reader);
        }
        // No code has more than seven 0 bits: twelve are fill before an EOL (or the end).
        let mut seen = 0;
        loop {
            match reader.peek(12) {
                Some(1) => {
                    let _ = reader.consume(12);
                    seen += 1;
                }
                Some(0) => {
                    let _ = reader.consume(1);
                }
                _ => break,
            }
        }
        if byte_align {
            align(&mut reader);
        }
        if seen >= 2 || reader.peek(1).is_none() {
            return done;
        }
        changes.clear();
        let (mut at, mut colour) = (0u16, Color::White);
        while at < columns {
            let Some(run) = run(&mut reader, colour) else { return done };
            at = at.saturating_add(run);
            changes.push(at.min(columns));
            colour = !colour;
        }
        // `pels` wants changes before the row's end only.
        if changes.last() == Some(&columns) {
            changes.pop();
        }
        put(&changes);
        done += 1;
    }
    done
}

/// One run of `colour`: make-up codes (64 pixels and more) and the terminating code after them.
fn run(reader: &mut impl BitReader, colour: Color) -> Option<u16> {
    let mut total = 0u16;
    loop {
        let n = match colour {
            Color::White => fax::maps::white::decode(reader)?,
            Color::Black => fax::maps::black::decode(reader)?,
        };
        total = total.checked_add(n)?;
        if n < 64 {
            return Some(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fax::{BitWriter, VecWriter};

    /// Rows of colours: `#` black, `.` white.
    fn rows(picture: &[&str]) -> Vec<Vec<Color>> {
        picture
            .iter()
            .map(|r| r.chars().map(|c| if c == '#' { Color::Black } else { Color::White }).collect())
            .collect()
    }

    /// The runs of a row, starting white.
    fn runs(row: &[Color]) -> Vec<u16> {
        let mut out = Vec::new();
        let (mut colour, mut n) = (Color::White, 0u16);
        for &c in row {
            if c == colour {
                n += 1;
            } else {
                out.push(n);
                (colour, n) = (c, 1);
            }
        }
        out.push(n);
        out
    }

    /// One-dimensional Group 3, as a fax encoder writes it: an EOL before each row (with fill
    /// bits so the row starts on a byte when `align`), six EOLs at the end.
    fn g3(picture: &[Vec<Color>], align: bool, eol: bool) -> Vec<u8> {
        let mut w = VecWriter::new();
        let eol_bits = fax::Bits { data: 1, len: 12 };
        for row in picture {
            if align {
                if eol {
                    // Fill so that the EOL ends on a byte: pad, then 4 zeros and the EOL's
                    // 12 bits make two bytes.
                    w.pad();
                    w.write(fax::Bits { data: 0, len: 4 }).unwrap();
                } else {
                    w.pad();
                }
            }
            if eol {
                w.write(eol_bits).unwrap();
            }
            for (i, n) in runs(row).into_iter().enumerate() {
                let colour = if i % 2 == 0 { Color::White } else { Color::Black };
                let mut left = n;
                loop {
                    let code = if left >= 64 { left.min(2560) / 64 * 64 } else { left };
                    let bits = match colour {
                        Color::White => fax::maps::white::encode(code),
                        Color::Black => fax::maps::black::encode(code),
                    };
                    w.write(bits.unwrap()).unwrap();
                    left -= code;
                    if code < 64 {
                        break;
                    }
                }
            }
        }
        for _ in 0..6 {
            w.write(eol_bits).unwrap();
        }
        w.finish()
    }

    fn g4(picture: &[Vec<Color>]) -> Vec<u8> {
        let mut e = fax::encoder::Encoder::new(VecWriter::new());
        for row in picture {
            e.encode_line(row.iter().copied(), row.len() as u16).unwrap();
        }
        e.finish().unwrap().finish()
    }

    /// Decoded bits back to colours.
    fn colours(bits: &[u8], width: usize, black_is_1: bool) -> Vec<Vec<Color>> {
        bits.chunks(width.div_ceil(8))
            .map(|row| {
                (0..width)
                    .map(|x| {
                        if (row[x / 8] >> (7 - x % 8) & 1 == 1) == black_is_1 {
                            Color::Black
                        } else {
                            Color::White
                        }
                    })
                    .collect()
            })
            .collect()
    }

    const PICTURE: [&str; 4] = [
        "......................................................................##",
        "#.....##########################################################........",
        "........................................................................",
        "###...###...###..................................................#######",
    ];

    #[test]
    fn group3_rows_with_and_without_eols_and_alignment() {
        let picture = rows(&PICTURE);
        let width = picture[0].len() as u32;
        for (align, eol) in [(false, true), (true, true), (false, false), (true, false)] {
            let data = g3(&picture, align, eol);
            let params = Params {
                k: 0,
                columns: width,
                rows: 4,
                byte_align: align,
                end_of_line: eol,
                ..Params::default()
            };
            let bits = decode(&data, &params, 4).unwrap();
            assert_eq!(colours(&bits, width as usize, false), picture, "align {align} eol {eol}");
        }
    }

    #[test]
    fn group4_and_black_is_1() {
        let picture = rows(&PICTURE);
        let width = picture[0].len() as u32;
        let data = g4(&picture);
        for black_is_1 in [false, true] {
            let params = Params { k: -1, columns: width, rows: 4, black_is_1, ..Params::default() };
            let bits = decode(&data, &params, 4).unwrap();
            assert_eq!(colours(&bits, width as usize, black_is_1), picture);
            // The first pixel is white: a 1 bit unless black is 1.
            assert_eq!(bits[0] >> 7 == 1, !black_is_1);
        }
    }

    #[test]
    fn rows_the_data_leaves_out_are_white_and_unread_kinds_say_why() {
        let picture = rows(&PICTURE);
        let width = picture[0].len() as u32;
        let data = g4(&picture[..2]);
        let params = Params { k: -1, columns: width, rows: 0, ..Params::default() };
        let bits = decode(&data, &params, 4).unwrap();
        let white = vec![Color::White; width as usize];
        assert_eq!(
            colours(&bits, width as usize, false),
            [picture[0].clone(), picture[1].clone(), white.clone(), white]
        );
        let two_d = decode(&data, &Params { k: 4, ..params }, 4).unwrap_err();
        assert!(two_d.contains("two-dimensional"), "{two_d}");
        let aligned = decode(&data, &Params { byte_align: true, ..params }, 4).unwrap_err();
        assert!(aligned.contains("byte-aligned"), "{aligned}");
        for k in [-1, 0] {
            assert!(decode(&[0; 16], &Params { k, ..params }, 4).is_err(), "no row decodes");
        }
        assert!(decode(&data, &Params { columns: 70_000, ..params }, 4).is_err());
        // Garbage never panics.
        for seed in 0u32..200 {
            let junk: Vec<u8> = (0..64u32)
                .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed * 97) >> 13) as u8)
                .collect();
            for k in [-1, 0] {
                let _ = decode(&junk, &Params { k, columns: 100, rows: 0, ..Params::default() }, 50);
            }
        }
    }
}
