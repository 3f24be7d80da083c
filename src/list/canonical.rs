//! The canonical forms of identifiers: how a listed value is folded so that text can be compared
//! with it, in clear (a plain list) or by its keyed hash (a sealed list).
//!
//! - **Names and terms**: normalised as text is (see [`crate::text::normalize()`]); a name of
//!   two or more words is also listed surname first (`each_form`).
//! - **Addresses**: trimmed, angle brackets removed, lower-cased ([`address`]).
//! - **Phones**: digits, and whether the number was written in international form ([`Phone`]).
//!   A number is kept as its digits plus that mark (`+44`, `0044`). National forms drop one
//!   trunk `0`, and `(0)` after a country code is ignored. Two numbers are the same when both
//!   forms agree on every digit, or when the international one is the national one behind a
//!   country code of one to three digits. So `+44 20 7946 0018`, `0044 20 7946 0018`,
//!   `+44 (0)20 7946 0018`, `020 7946 0018` and `(020) 7946-0018` are one number, while a
//!   number that only ends with the same six digits is another.
//! - **Patterns** are not folded (they match the text as written); their canonical form is the
//!   compiled expression, under size limits ([`pattern`]).

use regex::{Regex, RegexBuilder};

use crate::model::Kind;
use crate::text::Normalized;

/// The listed forms of a name or term, normalised. A name of two or more words is also
/// listed surname first (`Doe Jane` for `Jane Doe`), which covers `Doe, Jane` and `DOE Jane`.
#[cfg(test)]
pub fn forms(kind: Kind, value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut norm, mut buf) = (Normalized::new(), Vec::new());
    each_form(kind, value, &mut norm, &mut buf, &mut |f| out.push(String::from_utf8_lossy(f).into_owned()));
    out
}

/// Calls `f` with each listed form of `value` (see the module docs), using `norm` and `buf` as
/// scratch space so that a million names cost no allocation each.
pub(crate) fn each_form(
    kind: Kind,
    value: &str,
    norm: &mut Normalized,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]),
) {
    // ASCII (most lists) is normalised here, in `buf`, and the name surname first after it.
    if value.is_ascii() {
        ascii_normalized(value.as_bytes(), buf);
        let len = buf.len();
        if len == 0 {
            return;
        }
        f(buf);
        if kind == Kind::Name {
            if let Some(space) = buf.iter().rposition(|&b| b == b' ') {
                buf.extend_from_within(space + 1..len);
                buf.push(b' ');
                buf.extend_from_within(..space);
                f(&buf[len..]);
            }
        }
        return;
    }
    norm.fill(value);
    let n = norm.as_bytes();
    if n.is_empty() {
        return;
    }
    f(n);
    if kind == Kind::Name {
        if let Some(space) = n.iter().rposition(|&b| b == b' ') {
            buf.clear();
            buf.extend_from_slice(&n[space + 1..]);
            buf.push(b' ');
            buf.extend_from_slice(&n[..space]);
            f(buf);
        }
    }
}

/// ASCII text normalised into `out` as [`Normalized::fill`] normalises it: its letters and
/// digits lower-cased, each run of other bytes a word separator, words joined by one space.
pub(crate) fn ascii_normalized(text: &[u8], out: &mut Vec<u8>) {
    // No longer than the text: a space stands for one separator byte or more.
    out.clear();
    out.resize(text.len(), 0);
    // `sep`: a separator follows a word, so the next word starts with a space.
    let (mut o, mut sep) = (0, false);
    for &b in text {
        let folded = crate::text::normalize::ASCII_FOLD[b as usize];
        if folded == 0 {
            sep = o > 0;
            continue;
        }
        if sep {
            out[o] = b' ';
            o += 1;
            sep = false;
        }
        out[o] = folded;
        o += 1;
    }
    out.truncate(o);
}

/// The canonical form of a listed address (see [`crate::address::canonical`]): the form an
/// address found in text or in a header is compared with.
pub fn address(value: &str) -> String {
    crate::address::canonical(value)
}

/// Fewest digits a listed phone may have.
pub const MIN_DIGITS: usize = 6;
/// Most digits a phone may have (E.164 allows 15; two more for trunk and `00` prefixes).
pub const MAX_DIGITS: usize = 17;
/// Digits compared for a first look-up before the full comparison.
const KEY_DIGITS: usize = 6;

/// Whether `c` may appear in a listed phone number (digits of any script among them).
pub fn is_phone_char(c: char) -> bool {
    crate::text::digits::value(c).is_some()
        || " +-.()/\u{a0}".contains(c)
        || ('\u{2010}'..='\u{2015}').contains(&c)
}

/// A phone number in comparable form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    intl: bool,
    digits: String,
}

impl Phone {
    /// The comparable form of a listed phone value.
    pub fn parse(value: &str) -> Phone {
        let intl_marker = value.trim_start().starts_with('+');
        // An international number drops a `(0)` (left to right, as `str::replace` would).
        let drop_zero = intl_marker || value.trim_start().starts_with("00");
        let mut digits = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(c) = rest.chars().next() {
            if drop_zero && rest.starts_with("(0)") {
                rest = &rest[3..];
                continue;
            }
            if let Some(v) = crate::text::digits::value(c) {
                digits.push((b'0' + v) as char);
            }
            rest = &rest[c.len_utf8()..];
        }
        let p = PhoneRef::from_digits(intl_marker, &digits, true);
        let (intl, dropped) = (p.intl, digits.len() - p.digits.len());
        // The comparable digits are the last of them.
        digits.drain(..dropped);
        Phone { intl, digits }
    }

    /// Whether `self` and `other` are the same number (see the module docs).
    #[cfg(test)]
    pub fn same_number(&self, other: &Phone) -> bool {
        self.as_ref().same_number(other.as_ref())
    }

    /// The key its look-up starts from (its last digits).
    pub(crate) fn key(&self) -> Option<u32> {
        key_of(&self.digits)
    }

    /// Whether it was written in international form, and its digits (see the module docs).
    pub(crate) fn parts(&self) -> (bool, &str) {
        (self.intl, &self.digits)
    }

    /// The number borrowed, as numbers found in text are.
    pub(crate) fn as_ref(&self) -> PhoneRef<'_> {
        PhoneRef { intl: self.intl, digits: &self.digits }
    }
}

/// A phone number found in text, borrowing its digits from a scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRef<'a> {
    intl: bool,
    digits: &'a str,
}

impl<'a> PhoneRef<'a> {
    /// Whether it was written in international form, and its digits.
    pub(crate) fn parts(self) -> (bool, &'a str) {
        (self.intl, self.digits)
    }

    /// The comparable form of `digits` (every digit of a number, as written); `intl_marker`
    /// says whether a `+` stood before them, `leading` whether the digits start where the
    /// writer started the number (only then can `00` be an international prefix).
    pub(crate) fn from_digits(intl_marker: bool, digits: &'a str, leading: bool) -> PhoneRef<'a> {
        if intl_marker {
            PhoneRef { intl: true, digits }
        } else if let Some(rest) = digits.strip_prefix("00").filter(|_| leading) {
            PhoneRef { intl: true, digits: rest }
        } else if let Some(rest) = digits.strip_prefix('0') {
            PhoneRef { intl: false, digits: rest }
        } else {
            PhoneRef { intl: false, digits }
        }
    }

    /// The key its look-up starts from (its last digits).
    pub(crate) fn key(self) -> Option<u32> {
        key_of(self.digits)
    }

    /// Whether `self` and `other` are the same number (see the module docs).
    pub fn same_number(self, other: PhoneRef<'_>) -> bool {
        if self.intl == other.intl {
            return self.digits == other.digits;
        }
        let (i, n) = if self.intl { (self, other) } else { (other, self) };
        n.digits.len() >= MIN_DIGITS
            && i.digits.len() > n.digits.len()
            && i.digits.len() - n.digits.len() <= 3
            && i.digits.ends_with(n.digits)
    }
}

fn key_of(digits: &str) -> Option<u32> {
    let tail = digits.get(digits.len().checked_sub(KEY_DIGITS)?..)?;
    tail.parse().ok()
}

/// Most compiled size of one pattern (the `regex` crate's size limits): a pattern over it
/// refuses the list.
pub(crate) const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Compiles one listed pattern; the error says why it was refused.
pub fn pattern(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let first =
                e.to_string().lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
            format!("the pattern is not a usable regular expression ({first})")
        })
}

/// Calls `f` with every key a contact of canonical address `addr` may be listed under: the
/// address itself, then `@` and its domain and every parent domain of it
/// (`@north.cps.example`, `@cps.example`, `@example`).
pub(crate) fn contact_keys(addr: &str, f: &mut dyn FnMut(&str)) {
    f(addr);
    let Some((_, mut domain)) = addr.rsplit_once('@') else { return };
    let mut key = String::with_capacity(domain.len() + 1);
    loop {
        key.clear();
        key.push('@');
        key.push_str(domain);
        f(&key);
        match domain.split_once('.') {
            Some((_, parent)) if !parent.is_empty() => domain = parent,
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_number_table() {
        let p = Phone::parse;
        assert!(p("+44 20 7946 0018").same_number(&p("020 7946 0018")));
        assert!(!p("+44 20 7946 0018").same_number(&p("+33 20 7946 0018")));
        assert!(!p("020 7946 0018").same_number(&p("7946 0018")));
        assert!(p("+44 (0)20 7946 0018").same_number(&p("0044 20 7946 0018")));
        assert!(p("۰۲۰ ۷۹۴۶ ۰۰۱۸").same_number(&p("+44 20 7946 0018")));
        assert!(p("+٤٤ ٢٠ ٧٩٤٦ ٠٠١٨").same_number(&p("020 7946 0018")));
        assert!(is_phone_char('٧') && is_phone_char('۷') && !is_phone_char('½'));
    }

    /// `Phone::parse` gives what replacing `(0)` in an international number and then keeping
    /// the digits gives, on every string of up to six characters over `+`, `0`, `4`, `(`, `)`,
    /// a space and an Arabic-Indic digit.
    #[test]
    fn phone_parse_drops_a_bracketed_zero_as_replace_does() {
        let reference = |value: &str| {
            let intl_marker = value.trim_start().starts_with('+');
            let value = if intl_marker || value.trim_start().starts_with("00") {
                value.replace("(0)", "")
            } else {
                value.to_string()
            };
            let digits: String = value
                .chars()
                .filter_map(|c| crate::text::digits::value(c).map(|v| (b'0' + v) as char))
                .collect();
            let p = PhoneRef::from_digits(intl_marker, &digits, true);
            (p.intl, p.digits.to_string())
        };
        let alphabet = ['+', '0', '4', '(', ')', ' ', '٤'];
        crate::exhaustive::each_string(&alphabet, 6, |letters| {
            let value: String = letters.iter().collect();
            let phone = Phone::parse(&value);
            let (intl, digits) = phone.parts();
            assert_eq!((intl, digits.to_string()), reference(&value), "{value:?}");
        });
    }

    #[test]
    fn names_are_listed_in_both_orders_terms_as_written() {
        assert_eq!(forms(Kind::Name, "Jane  DOE"), ["jane doe", "doe jane"]);
        assert_eq!(forms(Kind::Name, "Zoë"), ["zoe"]);
        assert_eq!(forms(Kind::Term, "Operation Nightingale"), ["operation nightingale"]);
    }

    /// The ASCII path normalises as the text normaliser does: every byte of ASCII in many
    /// arrangements (separators at either end, in runs, between letters and digits).
    #[test]
    fn ascii_names_normalise_as_text_does() {
        let mut values: Vec<String> = Vec::new();
        for b in 0u8..128 {
            let c = b as char;
            values.extend([
                format!("{c}"),
                format!("Jane{c}Doe"),
                format!("{c}{c}J{c} 9{c}"),
                format!("A{c}{c}b"),
            ]);
        }
        values.extend(
            ["", " ", "  Jane   DOE  ", "O'Brien-Smith", "jane.doe@x", "Mc Donald\t3rd", "a,b;;c"]
                .map(String::from),
        );
        // A deterministic mix of short strings over a small alphabet of each class.
        let alphabet = b"aZ9 .-'_\t,";
        let mut x = 12345u64;
        for _ in 0..5000 {
            let mut v = String::new();
            for _ in 0..(x % 12) {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                v.push(alphabet[(x >> 33) as usize % alphabet.len()] as char);
            }
            values.push(v);
        }
        let (mut norm, mut buf) = (Normalized::new(), Vec::new());
        for v in &values {
            norm.fill(v);
            ascii_normalized(v.as_bytes(), &mut buf);
            assert_eq!(buf, norm.as_bytes(), "{v:?}");
        }
        assert_eq!(forms(Kind::Name, " jane  O'Brien "), ["jane o brien", "brien jane o"]);
        assert_eq!(forms(Kind::Name, "..."), Vec::<String>::new());
    }

    #[test]
    fn patterns_compile_under_limits() {
        assert!(pattern(r"CRIS-\d{7}").is_ok());
        assert!(pattern("CRIS-(").is_err());
        assert!(pattern(r"\w{1000}{1000}").unwrap_err().contains("usable"));
    }
}
