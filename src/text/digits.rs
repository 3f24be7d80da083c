//! Decimal digits of every script (Unicode general category `Nd`: Arabic-Indic ٠١٢, Extended
//! Arabic-Indic (Persian, Urdu) ۰۱۲, Devanagari ०१२, Bengali ০১২, Thai ๐๑๒, full-width ０１２
//! and the rest) read as the ASCII digits they stand for.
//!
//! The category comes from Unicode's data (the `unicode-properties` crate); the value from
//! Unicode's stability policy that `Nd` characters come in contiguous runs of ten, in order from
//! zero, so a digit's value is its distance from the start of its run, modulo ten (a few runs,
//! such as the mathematical digits, hold several sets of ten back to back).
//!
//! The phone matcher and the detectors scan bytes for ASCII digits; [`with_ascii_digits`] gives
//! them text where every other digit is written as its ASCII digit, and maps their spans back.
//! Text with no such digit (all ASCII text, and text in scripts below U+0660: Latin, Greek,
//! Cyrillic, Hebrew) is passed through after one pass over its bytes.

use std::ops::Range;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The value of `c` when it is a decimal digit of any script (`Nd`), `None` otherwise.
#[inline]
pub fn value(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
    if c.general_category() != GeneralCategory::DecimalNumber {
        return None;
    }
    // Runs are at most a few sets of ten long (the mathematical digits: fifty).
    let mut at = c as u32;
    let mut steps = 0u32;
    while let Some(prev) = at.checked_sub(1).and_then(char::from_u32) {
        if prev.general_category() != GeneralCategory::DecimalNumber {
            break;
        }
        at -= 1;
        steps += 1;
    }
    Some((steps % 10) as u8)
}

/// The ASCII digit `c` stands for, when it is a decimal digit of a script other than ASCII.
#[inline]
pub fn ascii_of_other(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    value(c).map(|v| (b'0' + v) as char)
}

/// Whether `text` may hold a decimal digit outside ASCII: every such digit is at U+0660 or
/// later, and only the first byte of a character from U+0640 on is `0xD9` or more in UTF-8.
/// One pass over the bytes, without a branch per byte.
#[inline]
fn may_hold_other_digits(text: &str) -> bool {
    text.as_bytes().chunks(64).any(|chunk| chunk.iter().fold(0u8, |m, &b| m.max(b)) >= 0xD9)
}

/// Calls `f` with `text`, or, when `text` holds decimal digits of other scripts, with a copy
/// where each is written as its ASCII digit, and a function that maps an offset of what `f` was
/// given back to `text` (a character boundary to a character boundary).
pub fn with_ascii_digits<R>(text: &str, f: impl FnOnce(&str, &dyn Fn(usize) -> usize) -> R) -> R {
    if !may_hold_other_digits(text) {
        return f(text, &|o| o);
    }
    // `(offset in the copy, offset in text)` at the start and after each digit rewritten:
    // between two entries, offsets advance together.
    let mut map: Vec<(usize, usize)> = Vec::new();
    let mut copy = String::new();
    let mut copied = 0;
    for (at, c) in text.char_indices() {
        if let Some(d) = ascii_of_other(c) {
            if map.is_empty() {
                copy.reserve(text.len());
                map.push((0, 0));
            }
            copy.push_str(&text[copied..at]);
            copy.push(d);
            copied = at + c.len_utf8();
            map.push((copy.len(), copied));
        }
    }
    if map.is_empty() {
        return f(text, &|o| o);
    }
    copy.push_str(&text[copied..]);
    let back = |o: usize| {
        let idx = map.partition_point(|&(c, _)| c <= o);
        let (c, t) = map[idx.saturating_sub(1)];
        t + (o - c)
    };
    f(&copy, &back)
}

/// `span` of the text [`with_ascii_digits`] gave, mapped back by `back`.
#[inline]
pub fn span_back(back: &dyn Fn(usize) -> usize, span: Range<usize>) -> Range<usize> {
    back(span.start)..back(span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    use unicode_normalization::char::decompose_compatible;

    /// Every `Nd` character: its value agrees with the ASCII digit compatibility decomposition
    /// gives where there is one (full-width, mathematical), the runs are whole sets of ten,
    /// and a few scripts' digits by name.
    #[test]
    fn every_decimal_digit_has_its_value() {
        let mut run_len = 0u32;
        let mut count = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let nd = c.general_category() == GeneralCategory::DecimalNumber;
            if nd {
                run_len += 1;
                count += 1;
                let v = value(c).unwrap();
                assert!(v < 10);
                let mut nfkd = Vec::new();
                decompose_compatible(c, |d| nfkd.push(d));
                if let [d] = nfkd[..] {
                    if d.is_ascii_digit() {
                        assert_eq!(v, d as u8 - b'0', "U+{:04X}", c as u32);
                    }
                }
            } else if run_len > 0 {
                assert_eq!(run_len % 10, 0, "a run of digits ending before U+{:04X}", c as u32);
                run_len = 0;
            }
            if !nd {
                assert_eq!(value(c), None, "U+{:04X}", c as u32);
            }
        }
        assert!(count > 600, "{count} digits");
        for (s, want) in [
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("०१२३४५६७८९", "0123456789"),
            ("০১২৩৪৫৬৭৮৯", "0123456789"),
            ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
            ("０１２３４５６７８９", "0123456789"),
            ("𝟎𝟗𝟘𝟡𝟢𝟫𝟬𝟵𝟶𝟿", "0909090909"),
        ] {
            let got: String = s.chars().map(|c| ascii_of_other(c).unwrap()).collect();
            assert_eq!(got, want, "{s}");
        }
        for c in ['a', '½', '²', 'Ⅻ', '〇', '一', 'ـ'] {
            assert_eq!(ascii_of_other(c), None, "{c}");
        }
    }

    #[test]
    fn spans_map_back_to_the_text() {
        let text = "tel ٠٢٠ ٧٩٤٦ 0018, x ۱۲ é";
        with_ascii_digits(text, |copy, back| {
            assert_eq!(copy, "tel 020 7946 0018, x 12 é");
            let at = copy.find("020").unwrap();
            let span = span_back(back, at..at + "020 7946 0018".len());
            assert_eq!(&text[span], "٠٢٠ ٧٩٤٦ 0018");
            let at = copy.find("12").unwrap();
            assert_eq!(&text[span_back(back, at..at + 2)], "۱۲");
            assert_eq!(&text[span_back(back, copy.len() - 2..copy.len())], "é");
            assert_eq!(back(0), 0);
        });
        for plain in ["tel 020 7946 0018", "Grüße, Жанна 12", "عمر"] {
            with_ascii_digits(plain, |copy, back| {
                assert!(std::ptr::eq(copy, plain));
                assert_eq!(back(3), 3);
            });
        }
    }
}
