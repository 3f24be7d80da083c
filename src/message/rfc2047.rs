//! RFC 2047 encoded words that split a character between them.
//!
//! mail-parser decodes each encoded word on its own, so a UTF-8 character whose bytes are cut
//! between two words (`=?UTF-8?Q?Zo=C3?= =?UTF-8?Q?=AB?=`) comes out as two replacement
//! characters and the name is lost. RFC 2047 forbids the split, mail clients produce it anyway,
//! and every reader joins the bytes. Here adjacent encoded words in one charset are joined
//! before their bytes are decoded. The byte decoders are mail-parser's own.

use mail_parser::decoders::{
    base64::base64_decode, charsets::map::charset_decoder, quoted_printable::quoted_printable_decode_char,
};

/// Decodes `raw` (a header value as written) when it holds two or more encoded words;
/// `None` otherwise (mail-parser's own decoding is then right).
pub fn decode_joined(raw: &str) -> Option<String> {
    if raw.matches("=?").count() < 2 {
        return None;
    }
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_charset = String::new();
    let mut rest = raw;
    let mut words = 0;
    while let Some(start) = rest.find("=?") {
        let Some((charset, bytes, len)) = encoded_word(&rest[start..]) else {
            flush(&mut out, &mut pending, &pending_charset);
            out.push_str(&unfold(&rest[..start + 2]));
            rest = &rest[start + 2..];
            continue;
        };
        let between = &rest[..start];
        let adjacent = words > 0 && between.chars().all(char::is_whitespace);
        if !adjacent || !charset.eq_ignore_ascii_case(&pending_charset) {
            flush(&mut out, &mut pending, &pending_charset);
            if !adjacent {
                out.push_str(&unfold(between));
            }
            pending_charset = charset;
        }
        pending.extend_from_slice(&bytes);
        words += 1;
        rest = &rest[start + len..];
    }
    flush(&mut out, &mut pending, &pending_charset);
    out.push_str(&unfold(rest));
    (words >= 2).then_some(out)
}

fn unfold(s: &str) -> String {
    s.replace("\r\n", "").replace('\n', "")
}

/// Parses `=?charset?enc?text?=` at the start of `s`: charset, decoded bytes, length.
fn encoded_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let body = s.strip_prefix("=?")?;
    let q1 = body.find('?')?;
    let charset = body[..q1].split('*').next().unwrap_or("").to_string();
    let enc = body.as_bytes().get(q1 + 1)?.to_ascii_uppercase();
    if body.as_bytes().get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let text_len = body[text_start..].find("?=")?;
    let text = &body[text_start..text_start + text_len];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match enc {
        b'B' => base64_decode(text.as_bytes())?,
        b'Q' => q_decode(text.as_bytes()),
        _ => return None,
    };
    Some((charset, bytes, 2 + text_start + text_len + 2))
}

fn q_decode(t: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        match t[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < t.len() => match quoted_printable_decode_char(t[i + 1], t[i + 2]) {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'='),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn flush(out: &mut String, pending: &mut Vec<u8>, charset: &str) {
    if pending.is_empty() {
        return;
    }
    let text = match charset_decoder(charset.as_bytes()) {
        Some(decode) => decode(pending),
        None => match encoding_rs::Encoding::for_label(charset.as_bytes()) {
            Some(enc) => enc.decode_without_bom_handling(pending).0.into_owned(),
            None => String::from_utf8_lossy(pending).into_owned(),
        },
    };
    out.push_str(&text);
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        struct T {
            input: &'static str,
            want: Option<&'static str>,
        }
        let tests = [
            T { input: "=?UTF-8?Q?Zo=C3?= =?UTF-8?Q?=AB_Martin?=", want: Some("Zoë Martin") },
            T {
                input: "Interview: =?UTF-8?Q?Zo=C3?=\r\n =?UTF-8?B?qw==?= =?UTF-8?B?IE1hcnRpbg==?= today",
                want: Some("Interview: Zoë Martin today"),
            },
            T { input: "=?UTF-8?B?UmF2aSBQYXQ=?= =?ISO-8859-1?Q?el?=", want: Some("Ravi Patel") },
            T {
                input: "=?iso-8859-1?q?Ren=E9e?= and =?utf-8*en?q?Dubois?=", want: Some("Renée and Dubois")
            },
            T { input: "=?UTF-8?Q?only_one?=", want: None },
            T { input: "=?broken =?UTF-8?Q?a?= =?UTF-8?Q?b?=", want: Some("=?broken ab") },
            T { input: "=?UTF-8?Q?a=?= =?UTF-8?Q?b=4?=", want: Some("a=b=4") },
        ];
        for t in tests {
            assert_eq!(decode_joined(t.input).as_deref(), t.want, "{}", t.input);
        }
    }
}
