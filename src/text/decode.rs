//! Bytes that are text whatever their label: charset by byte-order mark or declaration, or
//! UTF-8, or windows-1252.

use std::borrow::Cow;

/// Whether a file name says HTML.
pub fn is_html_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".html") || n.ends_with(".htm")
}

/// Decodes bytes that are text whatever their label: a byte-order mark or a declared charset
/// decides; otherwise the bytes must look like text (no NUL, few control characters) and are
/// read as UTF-8, or windows-1252 when they are not UTF-8.
pub fn decode_text<'b>(bytes: &'b [u8], charset: Option<&str>) -> Option<Cow<'b, str>> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Some(text);
    }
    let declared = charset.and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()));
    if let Some(enc) = declared {
        if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            return Some(enc.decode_without_bom_handling(bytes).0);
        }
    }
    if !looks_like_text(bytes) {
        return None;
    }
    match declared {
        Some(enc) => Some(enc.decode_without_bom_handling(bytes).0),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Some(Cow::Borrowed(s)),
            Err(_) => Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
        },
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.is_empty() || sample.contains(&0) {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    control * 100 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_text_table() {
        assert_eq!(decode_text(b"Jane,Doe\n", None).as_deref(), Some("Jane,Doe\n"));
        assert_eq!(decode_text(b"\xff\xfeJ\0a\0", None).as_deref(), Some("Ja"));
        assert_eq!(decode_text(b"J\0a\0", Some("utf-16le")).as_deref(), Some("Ja"));
        assert_eq!(decode_text(b"Zo\xeb", None).as_deref(), Some("Zo\u{eb}"));
        assert_eq!(decode_text(b"\xd6\xc1\xce", Some("koi8-r")).as_deref(), Some("жан"));
        assert_eq!(decode_text(b"%PDF\x00\x01\x02", None), None);
        assert_eq!(decode_text(b"", None), None);
    }
}
