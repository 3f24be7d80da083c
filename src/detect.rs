//! Sensitive-data detectors: numbers whose shape and checksum say what they are, whoever they
//! belong to. Each is off unless the policy enables it (`detectors = [...]`, `--detect NAME`).
//!
//! - `payment-card`: 13 to 19 digits (in groups separated by single spaces or hyphens) with a
//!   known issuer prefix and a valid Luhn check digit;
//! - `iban`: a country code, two check digits and the account, of that country's length,
//!   valid under ISO 7064 mod 97-10 (written solid or in groups of four);
//! - `uk-nino`: a UK National Insurance number, with a prefix HMRC issues and a suffix A to D;
//! - `nhs-number`: ten digits (solid or 3-3-4) whose mod 11 check digit is valid.
//!
//! A value must stand on its own: a valid number inside a longer run of digits or letters is
//! not one.

use std::ops::Range;

use crate::matcher::phone::next_between;

/// A built-in detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    /// Payment card numbers.
    PaymentCard,
    /// International bank account numbers.
    Iban,
    /// UK National Insurance numbers.
    UkNino,
    /// NHS numbers (England, Wales, Isle of Man).
    NhsNumber,
}

impl Detector {
    /// Every detector.
    pub const ALL: [Detector; 4] =
        [Detector::PaymentCard, Detector::Iban, Detector::UkNino, Detector::NhsNumber];

    /// The name used in policies, on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Detector::PaymentCard => "payment-card",
            Detector::Iban => "iban",
            Detector::UkNino => "uk-nino",
            Detector::NhsNumber => "nhs-number",
        }
    }

    /// The detector called `name`.
    pub fn from_name(name: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Calls `found(span, detector)` for every valid value the `enabled` detectors find in `text`.
pub fn find(enabled: &[Detector], text: &str, found: &mut dyn FnMut(Range<usize>, Detector)) {
    let on = |d| enabled.contains(&d);
    if on(Detector::PaymentCard) || on(Detector::NhsNumber) {
        digit_runs(text, &mut |span, digits, groups| {
            if on(Detector::PaymentCard)
                && (13..=19).contains(&digits.len())
                && card_prefix(digits)
                && luhn(digits)
            {
                found(span.clone(), Detector::PaymentCard);
            }
            let nhs_groups = groups == [10] || groups == [3, 3, 4];
            if on(Detector::NhsNumber) && nhs_groups && nhs_valid(digits) {
                found(span, Detector::NhsNumber);
            }
        });
    }
    if on(Detector::Iban) {
        ibans(text, &mut |span| found(span, Detector::Iban));
    }
    if on(Detector::UkNino) {
        ninos(text, &mut |span| found(span, Detector::UkNino));
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Every maximal run of digit groups (single spaces or hyphens between groups) that stands on
/// its own: its span, digits and group lengths. Runs longer than 24 digits are passed over.
/// Called with a digit run's span, its digits and its group lengths.
type RunSink<'a> = dyn FnMut(Range<usize>, &[u8], &[usize]) + 'a;

fn digit_runs(text: &str, each: &mut RunSink<'_>) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut digits = [0u8; 24];
    let mut groups = [0usize; 24];
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i = next_between(b, i + 1, b'0', b'9');
            continue;
        }
        if i > 0 && is_word_byte(b[i - 1]) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut n, mut g, mut len) = (0usize, 0usize, 0usize);
        let mut overflow = false;
        let end;
        loop {
            while i < b.len() && b[i].is_ascii_digit() {
                if n < digits.len() {
                    digits[n] = b[i];
                } else {
                    overflow = true;
                }
                n += 1;
                len += 1;
                i += 1;
            }
            if g < groups.len() {
                groups[g] = len;
            } else {
                overflow = true;
            }
            g += 1;
            len = 0;
            if i + 1 < b.len() && matches!(b[i], b' ' | b'-') && b[i + 1].is_ascii_digit() {
                i += 1;
                continue;
            }
            end = i;
            break;
        }
        let stands_alone = end == b.len() || !is_word_byte(b[end]);
        if stands_alone && !overflow {
            each(start..end, &digits[..n], &groups[..g]);
        }
        i = end.max(start + 1);
    }
}

/// The Luhn check (ISO/IEC 7812).
fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = (d - b'0') as u32;
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Issuer prefixes of the major card schemes (Visa, Mastercard, American Express, Discover,
/// JCB, Diners Club, Maestro, UnionPay) for the number's length.
fn card_prefix(d: &[u8]) -> bool {
    let n = d.len();
    let p = |k: usize| -> u32 { std::str::from_utf8(&d[..k]).ok().and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    (p1 == 4 && matches!(n, 13 | 16 | 19))
        || ((51..=55).contains(&p2) || (222_100..=272_099).contains(&p6)) && n == 16
        || (p2 == 34 || p2 == 37) && n == 15
        || (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&n)
        || (3528..=3589).contains(&p4) && (16..=19).contains(&n)
        || ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&n)
        || (p2 == 50 || (56..=69).contains(&p2)) && (13..=19).contains(&n)
        || p2 == 62 && (16..=19).contains(&n)
}

/// NHS number check: weights 10 down to 2 on the first nine digits, 11 minus the sum mod 11
/// (11 reads as 0, 10 is never valid) must be the tenth.
fn nhs_valid(d: &[u8]) -> bool {
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().enumerate().map(|(i, &c)| (c - b'0') as u32 * (10 - i as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == (d[9] - b'0') as u32
}

/// IBAN lengths by country (the SWIFT registry).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NL", 18),
    (b"NO", 15),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"SA", 24),
    (b"SC", 31),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
];

/// ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end.
fn iban_valid(s: &[u8]) -> bool {
    let mut rem = 0u32;
    for &c in s[4..].iter().chain(&s[..4]) {
        let v = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

fn ibans(text: &str, found: &mut dyn FnMut(Range<usize>)) {
    let b = text.as_bytes();
    // Every IBAN has digits two places after its start: only those places are tried, in order
    // (`next`: the first place not tried yet, or the end of the last IBAN found).
    let mut next = 0;
    let mut digit = next_between(b, 2, b'0', b'9');
    while digit < b.len() {
        let i = digit - 2;
        if i >= next {
            next = match iban_at(b, i) {
                Some(end) => {
                    found(i..end);
                    end
                }
                None => i + 1,
            };
        }
        digit = next_between(b, (digit + 1).max(next + 2), b'0', b'9');
    }
}

/// The end of the IBAN that starts at `b[i]`, if one does.
fn iban_at(b: &[u8], i: usize) -> Option<usize> {
    let mut chars = [0u8; 34];
    let mut ends = [0usize; 34];
    if i + 4 > b.len() {
        return None;
    }
    let starts = b[i].is_ascii_uppercase()
        && b[i + 1].is_ascii_uppercase()
        && b[i + 2].is_ascii_digit()
        && b[i + 3].is_ascii_digit()
        && (i == 0 || !is_word_byte(b[i - 1]));
    let &(_, len) = starts.then(|| IBAN_LENGTHS.iter().find(|(cc, _)| **cc == [b[i], b[i + 1]])).flatten()?;
    // Up to `len` characters, single spaces allowed between them.
    let (mut n, mut j) = (0usize, i);
    while j < b.len() && n < len {
        if b[j].is_ascii_uppercase() || b[j].is_ascii_digit() {
            chars[n] = b[j];
            ends[n] = j + 1;
            n += 1;
            j += 1;
        } else if b[j] == b' '
            && j + 1 < b.len()
            && (b[j + 1].is_ascii_uppercase() || b[j + 1].is_ascii_digit())
            && n > 0
        {
            j += 1;
        } else {
            break;
        }
    }
    if n == len {
        let end = ends[n - 1];
        let alone = end == b.len() || !is_word_byte(b[end]);
        if alone && iban_valid(&chars[..n]) {
            return Some(end);
        }
    }
    None
}

/// Whether `p` (two upper-case letters) is a National Insurance prefix HMRC issues.
fn nino_prefix(p: [u8; 2]) -> bool {
    !b"DFIQUV".contains(&p[0])
        && !b"DFIOQUV".contains(&p[1])
        && ![b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"].iter().any(|x| **x == p)
}

fn ninos(text: &str, found: &mut dyn FnMut(Range<usize>)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 9 <= b.len() {
        if !b[i].is_ascii_uppercase() {
            i = next_between(b, i + 1, b'A', b'Z');
            continue;
        }
        if i > 0 && is_word_byte(b[i - 1]) {
            i += 1;
            continue;
        }
        // Nine characters: two letters, six digits, a letter; single spaces between pairs.
        let mut got = [0u8; 9];
        let (mut n, mut j) = (0usize, i);
        while j < b.len() && n < 9 {
            let want_digit = (2..8).contains(&n);
            let c = b[j];
            if (want_digit && c.is_ascii_digit()) || (!want_digit && c.is_ascii_uppercase()) {
                got[n] = c;
                n += 1;
                j += 1;
            } else if c == b' ' && n % 2 == 0 && n > 0 && n < 9 {
                j += 1;
            } else {
                break;
            }
        }
        let alone = j == b.len() || !is_word_byte(b[j]);
        if n == 9 && alone && nino_prefix([got[0], got[1]]) && (b'A'..=b'D').contains(&got[8]) {
            found(i..j);
            i = j;
            continue;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(d: Detector, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        find(&[d], text, &mut |span, _| out.push(text[span].to_string()));
        out
    }

    #[test]
    fn payment_cards() {
        struct T {
            text: &'static str,
            want: &'static [&'static str],
        }
        let tests = [
            T { text: "card 4111 1111 1111 1111 exp", want: &["4111 1111 1111 1111"] },
            T { text: "4111-1111-1111-1111", want: &["4111-1111-1111-1111"] },
            T { text: "amex 378282246310005.", want: &["378282246310005"] },
            T { text: "mc 5555555555554444", want: &["5555555555554444"] },
            T { text: "bad check 4111 1111 1111 1112", want: &[] },
            T { text: "inside 94111111111111111 a longer run", want: &[] },
            T { text: "x4111111111111111", want: &[] },
            T { text: "no issuer 9111111111111111", want: &[] },
            T { text: "too short 411111111111", want: &[] },
        ];
        for t in tests {
            assert_eq!(found(Detector::PaymentCard, t.text), t.want, "{}", t.text);
        }
    }

    #[test]
    fn ibans_by_country_and_checksum() {
        assert_eq!(
            found(Detector::Iban, "pay GB82 WEST 1234 5698 7654 32 today"),
            ["GB82 WEST 1234 5698 7654 32"]
        );
        assert_eq!(found(Detector::Iban, "DE89370400440532013000"), ["DE89370400440532013000"]);
        assert!(found(Detector::Iban, "GB82 WEST 1234 5698 7654 33").is_empty(), "checksum");
        assert!(found(Detector::Iban, "GB82WEST123456987654").is_empty(), "length");
        assert!(found(Detector::Iban, "XGB82WEST12345698765432").is_empty(), "inside a word");
        assert!(found(Detector::Iban, "ZZ82WEST12345698765432").is_empty(), "no such country");
    }

    #[test]
    fn national_insurance_numbers() {
        assert_eq!(found(Detector::UkNino, "NI: AB 12 34 56 C."), ["AB 12 34 56 C"]);
        assert_eq!(found(Detector::UkNino, "JG103759A"), ["JG103759A"]);
        assert!(found(Detector::UkNino, "QQ123456C").is_empty(), "Q is not a first letter");
        assert!(found(Detector::UkNino, "GB123456A").is_empty(), "GB is not issued");
        assert!(found(Detector::UkNino, "AB123456E").is_empty(), "suffix A to D");
        assert!(found(Detector::UkNino, "XAB123456C").is_empty(), "inside a word");
    }

    #[test]
    fn nhs_numbers() {
        assert_eq!(found(Detector::NhsNumber, "NHS no 943 476 5919 on file"), ["943 476 5919"]);
        assert_eq!(found(Detector::NhsNumber, "9434765919"), ["9434765919"]);
        assert!(found(Detector::NhsNumber, "943 476 5918").is_empty(), "check digit");
        assert!(found(Detector::NhsNumber, "19434765919").is_empty(), "a longer run");
        assert!(found(Detector::NhsNumber, "94 34 76 59 19").is_empty(), "not grouped as NHS numbers are");
    }

    fn luhn_complete(body: &str) -> String {
        (0..10).map(|c| format!("{body}{c}")).find(|n| luhn(n.as_bytes())).unwrap()
    }

    fn iban_for(country: &str, bban: &str) -> String {
        let probe = format!("{country}00{bban}");
        let moved: String = probe[4..].chars().chain(probe[..4].chars()).collect();
        let mut rem = 0u64;
        for c in moved.chars() {
            let v = c.to_digit(36).unwrap() as u64;
            rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
        }
        format!("{country}{:02}{bban}", 98 - rem)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn valid_values_are_found_and_altered_ones_are_not(
            card in "4[0-9]{14}", nhs in "[0-9]{9}", bban in "[A-Z]{4}[0-9]{14}",
            nino in "[ABCEGHJ-PRSTW-Z][ABCEGHJ-NPRSTW-Z][0-9]{6}[A-D]", at in 0usize..9, bump in 1u8..10,
        ) {
            let bump_digit = |s: &str, i: usize| -> String {
                let mut b = s.as_bytes().to_vec();
                let d = b[i] - b'0';
                b[i] = b'0' + (d + bump) % 10;
                String::from_utf8(b).unwrap()
            };
            let card = luhn_complete(&card);
            proptest::prop_assert_eq!(found(Detector::PaymentCard, &format!("pay {card} now")), [card.clone()]);
            let altered = bump_digit(&card, 1 + at);
            proptest::prop_assert!(found(Detector::PaymentCard, &altered).is_empty(), "{altered}");
            let longer = format!("9{card}");
            proptest::prop_assert!(found(Detector::PaymentCard, &longer).is_empty(), "{}", longer);

            if let Some(n) = (0..10).map(|c| format!("{nhs}{c}")).find(|n| nhs_valid(n.as_bytes())) {
                proptest::prop_assert_eq!(found(Detector::NhsNumber, &n), [n.clone()]);
                let altered = bump_digit(&n, at);
                proptest::prop_assert!(found(Detector::NhsNumber, &altered).is_empty(), "{altered}");
            }

            let iban = iban_for("GB", &bban);
            proptest::prop_assert_eq!(found(Detector::Iban, &format!("to {iban}.")), [iban.clone()]);
            let altered = bump_digit(&iban, 10 + at);
            proptest::prop_assert!(found(Detector::Iban, &altered).is_empty(), "{altered}");

            let valid_prefix = nino_prefix([nino.as_bytes()[0], nino.as_bytes()[1]]);
            proptest::prop_assert_eq!(found(Detector::UkNino, &nino).len(), usize::from(valid_prefix));
            let bad_suffix = format!("{}E", &nino[..8]);
            proptest::prop_assert!(found(Detector::UkNino, &bad_suffix).is_empty(), "{}", bad_suffix);
        }
    }

    /// The scans as they were before they skipped to the bytes a value can start at, one
    /// byte at a time: what the skipping scans must agree with.
    mod bytewise {
        use super::super::*;

        pub fn digit_runs_bytewise(text: &str, each: &mut RunSink<'_>) {
            let b = text.as_bytes();
            let mut i = 0;
            let mut digits = [0u8; 24];
            let mut groups = [0usize; 24];
            while i < b.len() {
                if !b[i].is_ascii_digit() || (i > 0 && is_word_byte(b[i - 1])) {
                    i += 1;
                    continue;
                }
                let start = i;
                let (mut n, mut g, mut len) = (0usize, 0usize, 0usize);
                let mut overflow = false;
                let end;
                loop {
                    while i < b.len() && b[i].is_ascii_digit() {
                        if n < digits.len() {
                            digits[n] = b[i];
                        } else {
                            overflow = true;
                        }
                        n += 1;
                        len += 1;
                        i += 1;
                    }
                    if g < groups.len() {
                        groups[g] = len;
                    } else {
                        overflow = true;
                    }
                    g += 1;
                    len = 0;
                    if i + 1 < b.len() && matches!(b[i], b' ' | b'-') && b[i + 1].is_ascii_digit() {
                        i += 1;
                        continue;
                    }
                    end = i;
                    break;
                }
                let stands_alone = end == b.len() || !is_word_byte(b[end]);
                if stands_alone && !overflow {
                    each(start..end, &digits[..n], &groups[..g]);
                }
                i = end.max(start + 1);
            }
        }

        pub fn ibans_bytewise(text: &str, found: &mut dyn FnMut(Range<usize>)) {
            let b = text.as_bytes();
            let mut i = 0;
            let mut chars = [0u8; 34];
            let mut ends = [0usize; 34];
            while i + 4 <= b.len() {
                let starts = b[i].is_ascii_uppercase()
                    && b[i + 1].is_ascii_uppercase()
                    && b[i + 2].is_ascii_digit()
                    && b[i + 3].is_ascii_digit()
                    && (i == 0 || !is_word_byte(b[i - 1]));
                let Some(&(_, len)) =
                    starts.then(|| IBAN_LENGTHS.iter().find(|(cc, _)| **cc == [b[i], b[i + 1]])).flatten()
                else {
                    i += 1;
                    continue;
                };
                // Up to `len` characters, single spaces allowed between them.
                let (mut n, mut j) = (0usize, i);
                while j < b.len() && n < len {
                    if b[j].is_ascii_uppercase() || b[j].is_ascii_digit() {
                        chars[n] = b[j];
                        ends[n] = j + 1;
                        n += 1;
                        j += 1;
                    } else if b[j] == b' '
                        && j + 1 < b.len()
                        && (b[j + 1].is_ascii_uppercase() || b[j + 1].is_ascii_digit())
                        && n > 0
                    {
                        j += 1;
                    } else {
                        break;
                    }
                }
                if n == len {
                    let end = ends[n - 1];
                    let alone = end == b.len() || !is_word_byte(b[end]);
                    if alone && iban_valid(&chars[..n]) {
                        found(i..end);
                        i = end;
                        continue;
                    }
                }
                i += 1;
            }
        }

        pub fn ninos_bytewise(text: &str, found: &mut dyn FnMut(Range<usize>)) {
            let b = text.as_bytes();
            let mut i = 0;
            while i + 9 <= b.len() {
                if !(b[i].is_ascii_uppercase() && (i == 0 || !is_word_byte(b[i - 1]))) {
                    i += 1;
                    continue;
                }
                // Nine characters: two letters, six digits, a letter; single spaces between pairs.
                let mut got = [0u8; 9];
                let (mut n, mut j) = (0usize, i);
                while j < b.len() && n < 9 {
                    let want_digit = (2..8).contains(&n);
                    let c = b[j];
                    if (want_digit && c.is_ascii_digit()) || (!want_digit && c.is_ascii_uppercase()) {
                        got[n] = c;
                        n += 1;
                        j += 1;
                    } else if c == b' ' && n % 2 == 0 && n > 0 && n < 9 {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let alone = j == b.len() || !is_word_byte(b[j]);
                if n == 9 && alone && nino_prefix([got[0], got[1]]) && (b'A'..=b'D').contains(&got[8]) {
                    found(i..j);
                    i = j;
                    continue;
                }
                i += 1;
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Skipping to digits and capitals finds exactly what a byte at a time finds, in the
        /// same order: runs next to letters, values touching each other, spaces and hyphens,
        /// text in other scripts.
        #[test]
        fn skipping_scans_agree_with_bytewise_ones(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "4111111111111111",
                "4111 1111 1111 1111", "943 476 5919", "9434765919", "QQ 12 34 56 C", "AB123456C",
                "QQ123456D", "GB", "DE", "12", "7", "A", "Z", " ", "  ", "-", "x", "é", "\n",
                "Jane", "NHS", "ref:",
            ]), 0..30),
        ) {
            let text = pieces.concat();
            let mut fast = Vec::new();
            digit_runs(&text, &mut |span, digits, groups| fast.push((span, digits.to_vec(), groups.to_vec())));
            let mut slow = Vec::new();
            bytewise::digit_runs_bytewise(&text, &mut |span, digits, groups| {
                slow.push((span, digits.to_vec(), groups.to_vec()))
            });
            proptest::prop_assert_eq!(fast, slow);
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            ibans(&text, &mut |span| fast.push(span));
            bytewise::ibans_bytewise(&text, &mut |span| slow.push(span));
            proptest::prop_assert_eq!(fast, slow);
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            ninos(&text, &mut |span| fast.push(span));
            bytewise::ninos_bytewise(&text, &mut |span| slow.push(span));
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn names_round_trip() {
        for d in Detector::ALL {
            assert_eq!(Detector::from_name(d.name()), Some(d));
        }
        assert_eq!(Detector::from_name("ssn"), None);
    }
}
