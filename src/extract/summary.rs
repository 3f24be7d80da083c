//! Document properties of legacy Office files: the `\u{5}SummaryInformation` and
//! `\u{5}DocumentSummaryInformation` property set streams ([MS-OLEPS]) of a compound file,
//! whose text properties (title, subject, author, keywords, comments, company, manager,
//! category, custom properties) are read as the `properties` of the document, as the
//! properties of an OOXML package are.

use super::cfb::Compound;
use super::extractor::Extractor;
use super::le::{slice_at, u16_at, u32_at};
use super::mapi::codepage;

/// The property set streams read.
const STREAMS: [&str; 2] = ["/\u{5}SummaryInformation", "/\u{5}DocumentSummaryInformation"];

/// Property types: an 8-bit string in the set's code page, a UTF-16 string, a 16-bit integer.
const VT_LPSTR: u16 = 0x1e;
const VT_LPWSTR: u16 = 0x1f;
const VT_I2: u16 = 2;
/// The code page property, and the dictionary (names of custom properties).
const PID_CODEPAGE: u32 = 1;

/// Emits the text properties of `file` under `properties`.
pub(super) fn read(x: &mut Extractor<'_>, file: &mut Compound<'_>) {
    for name in STREAMS {
        if let Some(stream) = file.stream_at(name) {
            for text in strings(&stream) {
                x.emit(Some("properties"), false, &text, &[]);
            }
        }
    }
}

/// The text properties of a property set stream, set by set.
fn strings(stream: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let sets = u32_at(stream, 24).unwrap_or(0).min(2) as usize;
    for i in 0..sets {
        let Some(offset) = u32_at(stream, 28 + 20 * i + 16) else {
            break;
        };
        let Some(set) = stream.get(offset as usize..) else {
            continue;
        };
        let size = u32_at(set, 0).unwrap_or(0) as usize;
        let set = &set[..size.min(set.len())];
        read_set(set, &mut out);
    }
    out
}

/// The text properties of one property set.
fn read_set(set: &[u8], out: &mut Vec<String>) {
    let count = u32_at(set, 4).unwrap_or(0) as usize;
    let count = count.min(set.len() / 8);
    let entry = |i: usize| Some((u32_at(set, 8 + 8 * i)?, u32_at(set, 12 + 8 * i)? as usize));
    // The code page first, wherever it is listed.
    let mut encoding = encoding_rs::WINDOWS_1252;
    for (id, at) in (0..count).filter_map(entry) {
        if id == PID_CODEPAGE && u16_at(set, at) == Some(VT_I2) {
            if let Some(e) = u16_at(set, at + 4).and_then(|cp| codepage(u32::from(cp))) {
                encoding = e;
            }
        }
    }
    for (id, at) in (0..count).filter_map(entry) {
        if id <= PID_CODEPAGE {
            continue;
        }
        let text = match u16_at(set, at) {
            Some(VT_LPSTR) => u32_at(set, at + 4)
                .and_then(|len| slice_at(set, at + 8, len as usize))
                .map(|b| encoding.decode_without_bom_handling(b).0.into_owned()),
            Some(VT_LPWSTR) => {
                u32_at(set, at + 4).and_then(|len| slice_at(set, at + 8, 2 * len as usize)).map(|b| {
                    let units: Vec<u16> =
                        b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                    String::from_utf16_lossy(&units)
                })
            }
            _ => None,
        };
        if let Some(text) = text {
            let text = text.trim_end_matches('\0').trim();
            if !text.is_empty() {
                out.push(text.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A property set stream of one set holding `props` (id, type, value bytes).
    fn stream(props: &[(u32, u16, Vec<u8>)]) -> Vec<u8> {
        let mut set = Vec::new();
        let mut values = Vec::new();
        let head = 8 + 8 * props.len();
        for (id, kind, value) in props {
            set.extend(id.to_le_bytes());
            set.extend(((head + values.len()) as u32).to_le_bytes());
            values.extend(kind.to_le_bytes());
            values.extend([0, 0]);
            values.extend(value);
        }
        let mut body = ((head + values.len()) as u32).to_le_bytes().to_vec();
        body.extend((props.len() as u32).to_le_bytes());
        body.extend(set);
        body.extend(values);
        let mut out = vec![0xfe, 0xff, 0, 0, 0, 0, 0, 0];
        out.extend([0; 16]);
        out.extend(1u32.to_le_bytes());
        out.extend([0; 16]);
        out.extend(48u32.to_le_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn strings_in_their_code_page() {
        let lpstr = |b: &[u8]| {
            let mut v = (b.len() as u32).to_le_bytes().to_vec();
            v.extend(b);
            v
        };
        let wide: Vec<u8> = "Łukasz\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut lpwstr = 7u32.to_le_bytes().to_vec();
        lpwstr.extend(wide);
        let s = stream(&[
            (2, VT_LPSTR, lpstr(b"Notes on \xc9ric\0")),
            (1, VT_I2, vec![0xe4, 0x04, 0, 0]),
            (4, VT_LPWSTR, lpwstr),
            (5, 3, vec![1, 0, 0, 0]),
            // Past the end of the set.
            (6, VT_LPSTR, vec![0xff, 0xff, 0, 0]),
        ]);
        assert_eq!(strings(&s), ["Notes on Éric", "Łukasz"]);
        assert!(strings(&s[..40]).is_empty());
    }
}
