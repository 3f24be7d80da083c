//! Phone numbers in text: every run of digit groups that could be a number, in its comparable
//! form (see [`crate::list::canonical`] for how numbers are compared).

use std::ops::Range;

use crate::list::canonical::{PhoneRef, MAX_DIGITS, MIN_DIGITS};

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\t') || ('\u{2010}'..='\u{2015}').contains(&c)
}

/// The index of the first ASCII digit at or after `from` (or `b.len()`), eight bytes at a
/// time: most text has no digit for long stretches.
fn next_digit(b: &[u8], from: usize) -> usize {
    next_between(b, from, b'0', b'9')
}

/// The position of the first byte in `lo..=hi` at or after `from`, or `b.len()`: eight bytes
/// at a time. `lo` and `hi` are printable ASCII (`!` to `~`).
pub(crate) fn next_between(b: &[u8], mut from: usize, lo: u8, hi: u8) -> usize {
    while let Some(chunk) = b.get(from..).and_then(<[u8]>::first_chunk::<8>) {
        let found = crate::text::swar::between(u64::from_le_bytes(*chunk), lo, hi);
        if found != 0 {
            return from + (found.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    while from < b.len() && !(lo..=hi).contains(&b[from]) {
        from += 1;
    }
    from
}

/// Most digit groups one candidate run holds; longer runs are cut (no phone has more).
const MAX_GROUPS: usize = 24;

/// Finds every run of digit groups in `text` that could be a phone number and calls `each`
/// with its span and comparable form. A run whose groups hold several numbers side by side
/// (`020 7946 0018 020 7946 0019`) is also tried group by group. Digits of every script count
/// (`٠٢٠ ٧٩٤٦ ٠٠١٨`, see [`crate::text::digits`]). Allocates nothing for text without digits
/// of other scripts.
pub fn for_each_candidate(text: &str, each: &mut dyn FnMut(Range<usize>, PhoneRef<'_>)) {
    crate::text::digits::with_ascii_digits(text, |text, back| {
        ascii_candidates(text, &mut |span, phone| each(crate::text::digits::span_back(back, span), phone))
    })
}

/// [`for_each_candidate`] for ASCII digits.
fn ascii_candidates(text: &str, each: &mut dyn FnMut(Range<usize>, PhoneRef<'_>)) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut groups = [(0usize, 0usize); MAX_GROUPS];
    let mut gaps = [(0usize, 0usize); MAX_GROUPS];
    let mut digits = [0u8; MAX_DIGITS + 8];
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i = next_digit(b, i + 1);
            continue;
        }
        // A run starts here (the previous byte is not a digit).
        let intl = i > 0 && b[i - 1] == b'+';
        let mut n_groups = 0;
        loop {
            let g = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            groups[n_groups] = (g, i);
            n_groups += 1;
            // A gap of at most three separator characters followed by a digit continues the run.
            let gap_start = i;
            let mut n = 0;
            let mut j = i;
            for (off, c) in text[i..].char_indices() {
                if n < 3 && is_separator(c) {
                    n += 1;
                    j = i + off + c.len_utf8();
                } else {
                    break;
                }
            }
            if n > 0 && j < b.len() && b[j].is_ascii_digit() && n_groups < MAX_GROUPS {
                gaps[n_groups - 1] = (gap_start, j);
                i = j;
            } else {
                break;
            }
        }
        let groups = &groups[..n_groups];
        let start_of = |k: usize| if k == 0 && intl { groups[0].0 - 1 } else { groups[k].0 };
        // Which groups a number may start at: the first, or (in a national run) any group
        // after a gap with white space or a slash, where a second number may begin.
        for first in 0..groups.len() {
            if first > 0 {
                if intl {
                    break;
                }
                let gap = &text[gaps[first - 1].0..gaps[first - 1].1];
                if !gap.contains([' ', '/', '\t', '\u{a0}']) {
                    continue;
                }
            }
            let mut len = 0;
            for last in first..groups.len() {
                let g = &b[groups[last].0..groups[last].1];
                let trunk_in_parens = intl
                    && first == 0
                    && last > 0
                    && g == b"0"
                    && text[gaps[last - 1].0..gaps[last - 1].1].ends_with('(')
                    && b.get(groups[last].1) == Some(&b')');
                if !trunk_in_parens {
                    if len + g.len() > MAX_DIGITS {
                        break;
                    }
                    digits[len..len + g.len()].copy_from_slice(g);
                    len += g.len();
                }
                if len >= MIN_DIGITS {
                    // Only ASCII digits were copied.
                    let d = std::str::from_utf8(&digits[..len]).unwrap_or_default();
                    each(
                        start_of(first)..groups[last].1,
                        PhoneRef::from_digits(intl && first == 0, d, first == 0),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::list::canonical::Phone;
    use crate::list::index::PhoneIndex;

    /// What a listed phone finds in text: the candidates the list's phone table owns.
    fn found(listed: &str, text: &str) -> Vec<String> {
        let mut idx = PhoneIndex::default();
        idx.insert(Phone::parse(listed), 0);
        let mut out = Vec::new();
        for_each_candidate(text, &mut |span, phone| {
            idx.owners(phone, &mut |_| out.push(text[span.clone()].to_string()))
        });
        out
    }

    #[test]
    fn one_number_in_every_form() {
        let forms = [
            "+44 20 7946 0018",
            "020 7946 0018",
            "0044 20 7946 0018",
            "+44 (0)20 7946 0018",
            "(020) 7946-0018",
            "+442079460018",
            "020.7946.0018",
        ];
        for listed in forms {
            for written in forms {
                let text = format!("call {written} today");
                assert!(!found(listed, &text).is_empty(), "listed {listed:?} not found in {text:?}");
            }
        }
    }

    #[test]
    fn other_numbers_are_not_found() {
        struct T {
            name: &'static str,
            text: &'static str,
        }
        let tests = [
            T { name: "same last six digits", text: "call 020 7111 0018 today" },
            T { name: "same last six digits national", text: "call 01632 960018" },
            T { name: "other country code", text: "call +33 20 7946 0018" },
            T { name: "missing area code", text: "call 7946 0018" },
            T { name: "inside a longer number", text: "account 9912079460018" },
            T { name: "too short", text: "call 460018" },
        ];
        for t in tests {
            assert_eq!(found("+44 20 7946 0018", t.text), Vec::<String>::new(), "{}", t.name);
        }
    }

    #[test]
    fn numbers_side_by_side() {
        let hits = found("020 7946 0019", "020 7946 0018 020 7946 0019");
        assert_eq!(hits, ["020 7946 0019"]);
    }

    #[test]
    fn digits_of_every_script() {
        let hits = found(
            "+44 20 7946 0018",
            "رقم ٠٢٠ ٧٩٤٦ ٠٠١٨ و ۰۲۰ ۷۹۴۶ ۰۰۱۸ और ०२० ७९४६ ००१८, ０２０ ７９４６ ００１８",
        );
        assert_eq!(hits, ["٠٢٠ ٧٩٤٦ ٠٠١٨", "۰۲۰ ۷۹۴۶ ۰۰۱۸", "०२० ७९४६ ००१८", "０２０ ７９４６ ００１８"]);
        assert_eq!(found("۰۲۰ ۷۹۴۶ ۰۰۱۸", "ring +44 20 7946 0018"), ["+44 20 7946 0018"]);
        assert!(found("+44 20 7946 0018", "رقم ٠٢٠ ٧٩٤٦ ٠٠١٩").is_empty());
    }

    #[test]
    fn national_listing_matches_international_text() {
        assert_eq!(found("(212) 555-0100", "ring +1 212 555 0100"), ["+1 212 555 0100"]);
        assert_eq!(found("06 1234 5678", "ring +39 06 1234 5678"), ["+39 06 1234 5678"]);
    }

    #[test]
    fn next_between_finds_the_first_byte_in_range() {
        let text: Vec<u8> = (0u8..=255).chain(0u8..=255).collect();
        for (lo, hi) in [(b'A', b'Z'), (b'a', b'z'), (b'0', b'0'), (b'!', b'~')] {
            for from in 0..text.len() {
                let want = (from..text.len()).find(|&i| (lo..=hi).contains(&text[i])).unwrap_or(text.len());
                assert_eq!(next_between(&text, from, lo, hi), want, "{lo}..={hi} from {from}");
            }
        }
    }

    #[test]
    fn next_digit_finds_the_first_digit() {
        let text: Vec<u8> = (0u8..=255).collect();
        for from in 0..text.len() {
            let want = (from..text.len()).find(|&i| text[i].is_ascii_digit()).unwrap_or(text.len());
            assert_eq!(next_digit(&text, from), want, "from {from}");
        }
        for s in ["", "abc", "abcdefghij9", "x0", "é9", "\u{ff19}1"] {
            let want = s.bytes().position(|c| c.is_ascii_digit()).unwrap_or(s.len());
            assert_eq!(next_digit(s.as_bytes(), 0), want, "{s:?}");
        }
    }
}
