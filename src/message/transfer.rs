//! Transfer encodings (base64, quoted-printable), decoded when a part is read.
//!
//! The structure walk (`mime`) leaves every body as it stands in the message. Most of the
//! bytes of real mail are images and other binaries that a scan reads no further than their
//! first few kilobytes (enough to tell a document or text from anything else), so the content
//! walk decodes a text part in full but a binary one only as far as its first kilobyte (or
//! [`HEAD`] bytes when that might be text), and in full only when those say it is a document or
//! text. Base64 is decoded with the `base64` crate (lines joined first), and whatever that
//! refuses by mail-parser's own decoder; quoted-printable by a decoder that copies plain runs
//! whole and otherwise follows mail-parser's byte for byte (property tests hold them equal).
//! Either way a body decodes to the bytes mail-parser's decoders produce.

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Bytes of a binary part decoded at most to decide whether to read it (`sniff` reads the
/// first kilobyte, the text test the first 8 KiB).
pub(crate) const HEAD: usize = 8192;

/// A transfer encoding that still has to be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    Base64,
    QuotedPrintable,
}

impl Transfer {
    /// The encoding a Content-Transfer-Encoding value names, if it is one that hides what it
    /// holds: its first word, in any case (a comment after it, as RFC 2045 allows, does not
    /// count). The pre-parse pass and the walker both read the header through this, so that
    /// whatever the walker decodes and parses again, the pass has looked inside first.
    pub(crate) fn named(value: &[u8]) -> Option<Transfer> {
        let v = value.trim_ascii_start();
        let end =
            v.iter().position(|&b| b.is_ascii_whitespace() || b == b'(' || b == b';').unwrap_or(v.len());
        let v = &v[..end];
        if v.eq_ignore_ascii_case(b"base64") {
            Some(Transfer::Base64)
        } else if v.eq_ignore_ascii_case(b"quoted-printable") {
            Some(Transfer::QuotedPrintable)
        } else {
            None
        }
    }
}

/// `raw` decoded, or `None` when it is not valid in its encoding (mail-parser's judgement:
/// the part is then read as the text it is).
pub(crate) fn decode(raw: &[u8], transfer: Transfer) -> Option<Vec<u8>> {
    match transfer {
        Transfer::Base64 => {
            // Base64 has no `-`: a line that starts with `--` is a boundary, where the body
            // ends (mail-parser's span of an attached message it misread can run past it).
            let raw = match memchr::memmem::find(raw, b"\n--") {
                _ if raw.starts_with(b"--") => &raw[..0],
                Some(p) => &raw[..p + 1],
                None => raw,
            };
            // Lines joined and decoded a slice at a time, so that no joined copy of the whole
            // body is held.
            let mut out = Vec::with_capacity(raw.len() / 4 * 3 + 3);
            let mut joined = Vec::with_capacity(SLICE + 128);
            let mut at = 0;
            loop {
                let done = join_lines(raw, &mut at, SLICE, &mut joined);
                // Whole groups of four; at the end, a padded last group too (mail-parser drops
                // a last group left short with no padding: so does this).
                let take =
                    if done && joined.last() == Some(&b'=') { joined.len() } else { joined.len() / 4 * 4 };
                // A group left short is dropped, but a byte outside the alphabet in it makes
                // the body invalid for mail-parser too.
                let short_ok = !done
                    || joined[take..].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
                if !short_ok || !decode_groups(&joined[..take], &mut out) {
                    return mime_decode(raw, transfer);
                }
                if done {
                    return Some(out);
                }
                joined.drain(..take);
            }
        }
        Transfer::QuotedPrintable => quoted_printable(raw),
    }
}

/// Quoted-printable decoded exactly as mail-parser decodes a MIME body, every quirk kept
/// (white space before a line break dropped, a broken escape kept as it came, line breaks
/// written as CRLF once a CR has been seen, `None` for an `=` inside an escape), but a run of
/// plain text at a time rather than a byte at a time.
fn quoted_printable(raw: &[u8]) -> Option<Vec<u8>> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Eq,
        Hex1(u8),
    }
    let is_space = |b: u8| b.is_ascii_whitespace();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut state = State::Plain;
    // The byte before this one, and how many white-space bytes end `out` since the last
    // line break or escape.
    let mut last = 0u8;
    let mut spaces = 0usize;
    let mut crlf: &[u8] = b"\n";
    let mut i = 0;
    while i < raw.len() {
        if state == State::Plain {
            let end = memchr::memchr3(b'=', b'\n', b'\r', &raw[i..]).map_or(raw.len(), |p| i + p);
            if end > i {
                let run = &raw[i..end];
                out.extend_from_slice(run);
                let trailing = run.iter().rev().take_while(|&&b| is_space(b)).count();
                spaces = if trailing == run.len() { spaces + trailing } else { trailing };
                last = run[run.len() - 1];
                i = end;
                if i == raw.len() {
                    break;
                }
            }
        }
        let ch = raw[i];
        match ch {
            b'=' => {
                if state != State::Plain {
                    return None;
                }
                state = State::Eq;
            }
            b'\n' => {
                if state == State::Eq {
                    state = State::Plain;
                } else {
                    out.truncate(out.len() - spaces);
                    out.extend_from_slice(crlf);
                }
                spaces = 0;
            }
            b'\r' => crlf = b"\r\n",
            _ => match state {
                State::Plain => {
                    spaces = if is_space(ch) { spaces + 1 } else { 0 };
                    out.push(ch);
                }
                State::Eq => match hex(ch) {
                    Some(h) => state = State::Hex1(h),
                    None if is_space(ch) => {}
                    None => {
                        state = State::Plain;
                        out.extend_from_slice(&[b'=', ch]);
                        spaces = 0;
                    }
                },
                State::Hex1(h) => {
                    state = State::Plain;
                    match hex(ch) {
                        Some(l) => out.push(h << 4 | l),
                        None => out.extend_from_slice(&[b'=', last, ch]),
                    }
                    spaces = 0;
                }
            },
        }
        last = ch;
        i += 1;
    }
    Some(out)
}

/// At most the first `n` bytes `raw` decodes to (fewer when it is shorter), or `None` when
/// it is not valid in its encoding.
pub(crate) fn decode_head(raw: &[u8], transfer: Transfer, n: usize) -> Option<Vec<u8>> {
    if transfer == Transfer::Base64 {
        let want = n.div_ceil(3) * 4;
        let mut joined = Vec::with_capacity(want + 80);
        if !join_lines(raw, &mut 0, want, &mut joined) {
            // Cut short: keep whole groups of four. Padding among them is padding inside the
            // body, which mail-parser reads past: the whole body is decoded then.
            joined.truncate(joined.len().min(want) / 4 * 4);
            let mut out = Vec::with_capacity(want / 4 * 3);
            if memchr::memchr(b'=', &joined).is_none() && decode_groups(&joined, &mut out) {
                out.truncate(n);
                return Some(out);
            }
        }
    }
    let mut all = decode(raw, transfer)?;
    all.truncate(n);
    Some(all)
}

/// Decoded text bytes as mail-parser turns them into a string: through the decoder of the
/// declared charset, else as UTF-8 with bad sequences replaced.
pub(crate) fn to_text(bytes: Vec<u8>, charset: Option<&str>) -> String {
    match charset.and_then(|c| charset_decoder(c.as_bytes())) {
        Some(decoder) if keeps_ascii(decoder) => {
            // One byte a character, ASCII as it is: ASCII runs are copied, and only the bytes
            // between them go through the decoder (one character a byte, so it reads them
            // as it would have read them in place).
            let bytes = match String::from_utf8(bytes) {
                Ok(text) if text.is_ascii() => return text,
                Ok(text) => text.into_bytes(),
                Err(e) => e.into_bytes(),
            };
            let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let ascii = rest.iter().position(|&b| !b.is_ascii()).unwrap_or(rest.len());
                out.push_str(std::str::from_utf8(&rest[..ascii]).unwrap_or_default());
                rest = &rest[ascii..];
                let other = rest.iter().position(u8::is_ascii).unwrap_or(rest.len());
                if other > 0 {
                    out.push_str(&decoder(&rest[..other]));
                }
                rest = &rest[other..];
            }
            out
        }
        Some(decoder) => decoder(&bytes),
        None => {
            String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

/// Whether `decoder` is mail-parser's decoder of a charset of one byte a character that
/// leaves ASCII as it is (ISO 8859, Windows code pages, KOI8, DOS and Mac code pages), checked
/// once on every ASCII byte. Stateful and multi-byte charsets (UTF-7, UTF-16, ISO 2022, the
/// East Asian ones) are not: their bytes are read together.
fn keeps_ascii(decoder: mail_parser::decoders::charsets::DecoderFnc) -> bool {
    static SINGLE_BYTE: std::sync::OnceLock<Vec<mail_parser::decoders::charsets::DecoderFnc>> =
        std::sync::OnceLock::new();
    const LABELS: &[&str] = &[
        "windows-1250",
        "windows-1251",
        "windows-1252",
        "windows-1253",
        "windows-1254",
        "windows-1255",
        "windows-1256",
        "windows-1257",
        "windows-1258",
        "windows-874",
        "iso-8859-2",
        "iso-8859-3",
        "iso-8859-4",
        "iso-8859-5",
        "iso-8859-6",
        "iso-8859-7",
        "iso-8859-8",
        "iso-8859-9",
        "iso-8859-10",
        "iso-8859-13",
        "iso-8859-14",
        "iso-8859-15",
        "iso-8859-16",
        "koi8-r",
        "koi8-u",
        "ibm866",
        "850",
        "macintosh",
        "x-mac-cyrillic",
    ];
    let single = SINGLE_BYTE.get_or_init(|| {
        let ascii: Vec<u8> = (0..128).collect();
        LABELS
            .iter()
            .filter_map(|label| charset_decoder(label.as_bytes()))
            .filter(|d| d(&ascii).as_bytes() == ascii)
            .collect()
    });
    // Two decoders that compare equal are one function, or two whose code is the same.
    single.iter().any(|&d| std::ptr::fn_addr_eq(d, decoder))
}

/// Standard alphabet, padding optional, stray bits after the last byte ignored: what mail
/// readers accept.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Appends what the joined base64 `groups` decode to; `false` when [`ENGINE`] would refuse
/// them. Groups of four without padding (all of them but a padded last one) are decoded with
/// SIMD instructions where the processor has them: in the standard alphabet, a run of whole
/// groups decodes to the same bytes under either decoder, and either refuses any other byte.
/// The rest (a last group, padded or cut short) goes through [`ENGINE`], which says what a
/// mail reader accepts there.
fn decode_groups(groups: &[u8], out: &mut Vec<u8>) -> bool {
    let whole = groups.len() / 4 * 4;
    let bulk =
        if whole == groups.len() && groups.last() != Some(&b'=') { whole } else { whole.saturating_sub(4) };
    base64_simd::STANDARD_NO_PAD.decode_append(&groups[..bulk], out).is_ok()
        && ENGINE.decode_vec(&groups[bulk..], out).is_ok()
}

/// Bytes of joined base64 decoded at a time.
const SLICE: usize = 64 * 1024;

/// Appends the lines of `raw` from `*at` on to `out`, with the white space around each taken
/// off, until `out` holds at least `max` bytes; `*at` is left where the next line starts.
/// Returns whether all of `raw` was taken.
fn join_lines(raw: &[u8], at: &mut usize, max: usize, out: &mut Vec<u8>) -> bool {
    while *at < raw.len() {
        if out.len() >= max {
            return false;
        }
        let end = memchr::memchr(b'\n', &raw[*at..]).map_or(raw.len(), |p| *at + p);
        out.extend_from_slice(raw[*at..end].trim_ascii());
        *at = end + 1;
    }
    true
}

/// mail-parser's own decoder for a MIME body.
fn mime_decode(raw: &[u8], transfer: Transfer) -> Option<Vec<u8>> {
    let mut stream = MessageStream::new(raw);
    let (end, bytes) = match transfer {
        Transfer::Base64 => stream.decode_base64_mime(b""),
        Transfer::QuotedPrintable => stream.decode_quoted_printable_mime(b""),
    };
    (end != usize::MAX).then(|| bytes.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eager(raw: &[u8]) -> Option<Vec<u8>> {
        mime_decode(raw, Transfer::Base64)
    }

    #[test]
    fn base64_as_mail_parser_decodes_it() {
        let cases: &[&[u8]] = &[
            b"SmFuZSBEb2UsIDEyIEhpZ2ggU3RyZWV0\r\nLCBMb25kb24=\r\n",
            b"SmFuZQ==",
            b"  SmFu\r\n\tZQ==  \r\n\r\n",
            // Padding inside (two encoded pieces run together): the fallback decodes both.
            b"SmFuZQ==\r\nRG9l\r\n",
            b"",
        ];
        for raw in cases {
            let fast = decode(raw, Transfer::Base64);
            assert_eq!(fast, eager(raw), "{}", String::from_utf8_lossy(raw));
            assert!(fast.is_some());
        }
        assert_eq!(decode(b"SmFuZQ==\r\nRG9l\r\n", Transfer::Base64).as_deref(), Some(&b"JaneDoe"[..]));
        // Padding left off: mail-parser drops the last, partial group, and so does this.
        for raw in [&b"SmFuZQ"[..], b"SmFuZ", b"SmFuZQ\r\n", b"S"] {
            assert_eq!(decode(raw, Transfer::Base64), eager(raw));
        }
        assert_eq!(decode(b"SmFuZQ", Transfer::Base64).as_deref(), Some(&b"Jan"[..]));
        // Not base64: the part is read as it came.
        assert_eq!(decode(b"Jane: Doe\r\n", Transfer::Base64), None);
        assert_eq!(eager(b"Jane: Doe\r\n"), None);
    }

    #[test]
    fn a_head_is_the_start_of_the_whole() {
        let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let mut wrapped = Vec::new();
        for line in encoded.as_bytes().chunks(76) {
            wrapped.extend_from_slice(line);
            wrapped.extend_from_slice(b"\r\n");
        }
        assert_eq!(decode(&wrapped, Transfer::Base64).as_deref(), Some(&bytes[..]));
        for n in [0, 1, 2, 3, 100, HEAD, 19_999, 20_000, 30_000] {
            let head = decode_head(&wrapped, Transfer::Base64, n).unwrap_or_default();
            assert_eq!(head, bytes[..n.min(bytes.len())], "{n}");
        }
        assert_eq!(decode_head(b"Jane: Doe\r\n", Transfer::Base64, 10), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn quoted_printable_decodes_as_mail_parser_does(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "=", "\r", "\n", " ", "\t", "\x0c", "A", "f", "3", "g", "Z", "-", "\u{e9}", "\u{ff}",
                    "Jane Doe", "=4", "=\r\n",
                ]),
                0..40,
            )
        ) {
            let raw = pieces.concat().into_bytes();
            let theirs = mime_decode(&raw, Transfer::QuotedPrintable);
            proptest::prop_assert_eq!(quoted_printable(&raw), theirs);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Base64 decodes as mail-parser decodes it: long runs of whole groups (the SIMD path),
        /// line breaks and white space anywhere, padding at the end or inside, a last group
        /// cut short, bytes outside the alphabet. (Not `--`, which ends a body at a line's
        /// start: see `decode`.)
        #[test]
        fn base64_decodes_as_mail_parser_does(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "SmFuZSBEb2UsIDEyIEhpZ2ggU3RyZWV0LCBMb25kb24gU1cxQSAxQUE=", "QUJD", "+/+/",
                    "abcd", "0123", "Zg", "Zg==", "Zm8=", "=", "\r\n", "\n", " ", "\t", ".", "_", "*",
                    "\u{e9}",
                ]),
                0..60,
            )
        ) {
            let raw = pieces.concat().into_bytes();
            let theirs = mime_decode(&raw, Transfer::Base64);
            proptest::prop_assert_eq!(decode(&raw, Transfer::Base64), theirs.clone());
            // The head of a body that decodes whole is the head of what it decodes to (a head
            // is judged alone: what follows it may still be broken).
            if let Some(all) = theirs {
                for n in [1, 5, 100] {
                    let head = decode_head(&raw, Transfer::Base64, n);
                    proptest::prop_assert_eq!(head.as_deref(), Some(&all[..all.len().min(n)]));
                }
            }
        }
    }

    #[test]
    fn quoted_printable_is_mail_parsers() {
        assert_eq!(
            decode(b"Jane=20Doe, 12 High=\r\n Street=E9\r\n", Transfer::QuotedPrintable).as_deref(),
            Some(&b"Jane Doe, 12 High Street\xe9\r\n"[..])
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Text in a charset of one byte a character reads as mail-parser's decoder reads it,
        /// ASCII runs copied or not; so does text in a charset read a whole at a time.
        #[test]
        fn text_decodes_as_mail_parser_does(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'Z', b' ', b'\n', b'+', b'~', b'{', 0x1b, 0x0e, 0x80, 0xe9, 0xff, 0xc3, 0xa9]),
                0..40,
            ),
            charset in proptest::sample::select(vec![
                "iso-8859-1", "ISO-8859-2", "windows-1251", "koi8-r", "latin1", "us-ascii",
                "utf-8", "utf-7", "utf-16", "iso-2022-jp", "shift_jis", "hz-gb-2312", "x-unknown",
            ]),
        ) {
            let theirs = match charset_decoder(charset.as_bytes()) {
                Some(decoder) => decoder(&bytes),
                None => String::from_utf8_lossy(&bytes).into_owned(),
            };
            proptest::prop_assert_eq!(to_text(bytes, Some(charset)), theirs);
        }
    }

    #[test]
    fn charsets_that_keep_ascii() {
        let decoder = |c: &str| charset_decoder(c.as_bytes()).expect("a known charset");
        for c in ["iso-8859-1", "windows-1252", "ISO-8859-15", "koi8-u", "cp1251"] {
            assert!(keeps_ascii(decoder(c)), "{c}");
        }
        for c in ["utf-7", "utf-16", "iso-2022-jp", "shift_jis", "big5", "gb18030"] {
            assert!(!keeps_ascii(decoder(c)), "{c}");
        }
    }

    #[test]
    fn text_through_the_declared_charset() {
        assert_eq!(to_text(b"Zo\xeb".to_vec(), Some("iso-8859-1")), "Zo\u{eb}");
        assert_eq!(to_text(b"Zo\xc3\xab".to_vec(), None), "Zo\u{eb}");
        assert_eq!(to_text(b"Zo\xeb".to_vec(), None), "Zo\u{fffd}");
    }
}
