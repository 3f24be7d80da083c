//! Links as a reader sees them: `mailto:` and `tel:` targets, and http(s) URLs with their
//! percent- and plus-encoding decoded, so `?victim=Jane%20Doe` and `/cases/Ravi+Patel` read as
//! the names they carry.

/// Appends what a reader sees in the link `url` to `out` (the address and the decoded subject
/// and body of a `mailto:`, the number of a `tel:`, the decoded host, path and query of an
/// http(s) URL, with `/ ? & = #` as spaces). Returns `false`, appending nothing, for any other
/// kind of link.
pub fn link_text(url: &str, out: &mut String) -> bool {
    let url = url.trim();
    // Compared as bytes: the prefix is ASCII, so a match ends on a character boundary.
    let lower = |prefix: &str| {
        url.as_bytes().get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    // `+` is a space only in http(s) URLs; in an address (`jane+news@x`) or a number it is
    // itself.
    let (rest, plus_is_space) = if lower("mailto:") {
        (&url[7..], false)
    } else if lower("tel:") {
        (&url[4..], false)
    } else if lower("http://") {
        (&url[7..], true)
    } else if lower("https://") {
        (&url[8..], true)
    } else {
        return false;
    };
    decode(rest, plus_is_space, out);
    true
}

/// Percent-decodes `s` onto `out` (and `+` when `plus_is_space`), URL punctuation read as
/// spaces. Bytes that do not decode to UTF-8 are replaced; a `%` not followed by two hex digits
/// stays as it is.
fn decode(s: &str, plus_is_space: bool, out: &mut String) {
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => match b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(v) => {
                    bytes.push(v);
                    i += 3;
                    continue;
                }
                None => bytes.push(b'%'),
            },
            b'+' if plus_is_space => bytes.push(b' '),
            b'/' | b'?' | b'&' | b'=' | b'#' => bytes.push(b' '),
            c => bytes.push(c),
        }
        i += 1;
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// Calls `f` with the decoded text of every link in plain `text` that carries encoding (a
/// `%` or `+`): what the link says once decoded may be a name the raw text hides.
pub fn for_each_encoded_link(text: &str, f: &mut dyn FnMut(&str)) {
    // Tokens are found from their `%` or `+` outwards, so text without any costs one memchr
    // pass, and each character is looked at no more than twice.
    let is_delimiter =
        |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']');
    let mut decoded = String::new();
    // Where the last token ended: no token starts before it.
    let mut floor = 0;
    while let Some(p) = memchr::memchr2(b'%', b'+', &text.as_bytes()[floor..]) {
        // `%` and `+` are ASCII: `at` is a character boundary.
        let at = floor + p;
        let start = text[floor..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| is_delimiter(c))
            .map_or(floor, |(i, c)| floor + i + c.len_utf8());
        let end =
            text[at..].char_indices().find(|&(_, c)| is_delimiter(c)).map_or(text.len(), |(i, _)| at + i);
        decoded.clear();
        if link_text(&text[start..end], &mut decoded) {
            f(&decoded);
        }
        floor = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(url: &str) -> Option<String> {
        let mut s = String::new();
        link_text(url, &mut s).then_some(s)
    }

    #[test]
    fn links_decoded() {
        struct T {
            url: &'static str,
            want: Option<&'static str>,
        }
        let tests = [
            T { url: "mailto:jane.doe@example.org", want: Some("jane.doe@example.org") },
            T {
                url: "MAILTO:a@b.example?subject=About%20Jane%20Doe&body=Ravi%20Patel",
                want: Some("a@b.example subject About Jane Doe body Ravi Patel"),
            },
            T { url: "mailto:jane+news@example.org", want: Some("jane+news@example.org") },
            T { url: "tel:+44%2020%207946%200018", want: Some("+44 20 7946 0018") },
            T {
                url: "https://crm.example/case?victim=Jane%20Doe",
                want: Some("crm.example case victim Jane Doe"),
            },
            T { url: "http://x.example/cases/Ravi+Patel/", want: Some("x.example cases Ravi Patel ") },
            T { url: "https://x.example/%ZZ%e2%82%ac", want: Some("x.example %ZZ€") },
            T { url: "ftp://x.example/Jane%20Doe", want: None },
            T { url: "javascript:alert(1)", want: None },
            T { url: "âŽªâŽ¢+b", want: None },
        ];
        for t in tests {
            assert_eq!(text(t.url).as_deref(), t.want, "{}", t.url);
        }
    }

    #[test]
    fn encoded_links_in_plain_text() {
        let mut got = Vec::new();
        for_each_encoded_link(
            "See <https://x.example/?q=Jane%20Doe> or https://plain.example/a and tel:+44%2020 (call +44 20).",
            &mut |s| got.push(s.to_string()),
        );
        assert_eq!(got, ["x.example  q Jane Doe", "+44 20"]);
    }

    /// The first form of the link finder: split the whole text into tokens, decode those with
    /// encoding. The memchr-driven finder must give the same links in the same order.
    fn reference(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for token in text
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']'))
        {
            let mut decoded = String::new();
            if token.contains(['%', '+']) && link_text(token, &mut decoded) {
                out.push(decoded);
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn same_links_as_splitting_every_token(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "mailto:", "tel:", "https://", "http://", "HTTP://", "x.example/", "Jane", "%20",
                    "%e2%82%ac", "+", "%", "%Z", " ", "\u{a0}", "\u{3000}", "\n", "<", ">", "\"", "'",
                    "(", ")", "[", "]", "é", "a", "?q=", "&", "=",
                ]),
                0..40,
            )
        ) {
            let text: String = pieces.concat();
            let mut got = Vec::new();
            for_each_encoded_link(&text, &mut |s| got.push(s.to_string()));
            proptest::prop_assert_eq!(got, reference(&text));
        }
    }
}
