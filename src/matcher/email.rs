//! Email addresses in text, matched as whole addresses.
//!
//! Every `@` in the text is widened to the longest run of address characters on each side;
//! only that whole candidate is compared (lower-cased) with the listed addresses, so
//! `jane@x.org` is not found inside `xjane@x.org.evil.example`.

use std::ops::Range;

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == b'-' || b == b'.'
}

/// Calls `each(span, candidate)` for every address-shaped candidate in `text`; the candidate
/// is lower-cased with invisible format characters removed.
pub fn for_each_candidate(text: &str, each: &mut dyn FnMut(Range<usize>, &str)) {
    let b = text.as_bytes();
    let mut buf = String::new();
    let plain = |s: &str| s.bytes().all(|c| !c.is_ascii_uppercase() && c < 0x80);
    for at in memchr::memchr_iter(b'@', b) {
        let mut s = at;
        while s > 0 && is_local_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && is_domain_byte(b[e]) {
            e += 1;
        }
        // Trim punctuation a sentence puts around an address; keep whole characters.
        while s < at && b[s] == b'.' {
            s += 1;
        }
        while e > at + 1 && b[e - 1] == b'.' {
            e -= 1;
        }
        while s < at && !text.is_char_boundary(s) {
            s += 1;
        }
        while e > at + 1 && !text.is_char_boundary(e) {
            e -= 1;
        }
        if s == at || e == at + 1 {
            continue;
        }
        let candidate = &text[s..e];
        if plain(candidate) {
            // Already canonical: no copy.
            each(s..e, candidate);
            continue;
        }
        buf.clear();
        for c in candidate.chars() {
            if !crate::matcher::is_invisible(c) {
                buf.extend(c.to_lowercase());
            }
        }
        each(s..e, &buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_candidate(text, &mut |r, c| {
            assert_eq!(text[r].to_lowercase().replace('\u{200b}', ""), c);
            v.push(c.to_string());
        });
        v
    }

    #[test]
    fn table() {
        struct T {
            input: &'static str,
            want: &'static [&'static str],
        }
        let tests = [
            T { input: "write to Jane.Doe@Example.org.", want: &["jane.doe@example.org"] },
            T { input: "<jane@x.org>, (bob@y.net)", want: &["jane@x.org", "bob@y.net"] },
            T { input: "xjane.doe@example.org.evil.example", want: &["xjane.doe@example.org.evil.example"] },
            T { input: "ja\u{200b}ne@x.org", want: &["jane@x.org"] },
            T { input: "a @ b", want: &[] },
            T { input: "@@", want: &[] },
            T { input: "é@ü.de", want: &["é@ü.de"] },
        ];
        for t in tests {
            assert_eq!(candidates(t.input), t.want, "{}", t.input);
        }
    }
}
