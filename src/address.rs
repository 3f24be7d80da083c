//! Email addresses: canonical form, validation and the internal-domain test.

/// The canonical form of an address: trimmed, angle brackets removed, lower-cased.
///
/// Addresses are compared case-insensitively everywhere in maildlp (the contract says so, and
/// in practice no mail system delivers `Jane@x` and `jane@x` to different people).
///
/// Obsolete RFC 5322 forms are read as mail systems read them: a source route
/// (`@relay.example:mary@example.net`) is dropped, and white space folded into an address
/// outside quotes (`jdoe@test . example`) is removed.
pub fn canonical(addr: &str) -> String {
    let t = addr.trim();
    let t = t.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(t).trim();
    let t = match t.strip_prefix('@').and_then(|r| r.split_once(':')) {
        Some((_route, rest)) => rest.trim(),
        None => t,
    };
    let t = t.strip_suffix('.').unwrap_or(t);
    if t.contains(char::is_whitespace) && !t.contains('"') {
        return t.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    }
    if t.is_ascii() {
        return t.to_ascii_lowercase();
    }
    t.to_lowercase()
}

/// [`canonical`] without a copy when `addr` is already canonical (the usual case).
pub fn canonical_cow(addr: &str) -> std::borrow::Cow<'_, str> {
    let plain = !addr.is_empty()
        && addr.bytes().all(|b| CANONICAL_BYTE[b as usize])
        && !addr.starts_with(['<', '@'])
        && !addr.ends_with(['>', '.']);
    if plain {
        std::borrow::Cow::Borrowed(addr)
    } else {
        std::borrow::Cow::Owned(canonical(addr))
    }
}

/// The bytes an address already in canonical form is made of: printable ASCII but upper-case
/// letters and `"`.
const CANONICAL_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_graphic() && !c.is_ascii_uppercase() && c != b'"';
        b += 1;
    }
    t
};

/// The ASCII bytes forbidden in an unquoted local part: control characters (every ASCII white
/// space character but the space is one), the space and `<>()[]\,;:@"`.
const FORBIDDEN_LOCAL: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_control()
            || matches!(
                c,
                b' ' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'\\' | b',' | b';' | b':' | b'@' | b'"'
            );
        b += 1;
    }
    t
};

/// Whether the ASCII domain `dom` is dot-separated labels of letters, digits and hyphens, none
/// empty and none starting or ending with a hyphen: the test of [`is_valid`] on bytes, one
/// table step a byte.
fn ascii_labels(dom: &[u8]) -> bool {
    // The state is the class of the byte before ([`LABEL_DOT`] at the start of a label), or
    // [`LABEL_BAD`] once the domain is refused.
    let mut state = LABEL_DOT;
    for &c in dom {
        state = LABEL_STEP[(state as usize) << 2 | LABEL_CLASS[c as usize] as usize];
    }
    state == LABEL_ALNUM
}

/// The classes of [`ascii_labels`]: a byte no label holds, a letter or digit, `.` and `-`.
const LABEL_BAD: u8 = 0;
const LABEL_ALNUM: u8 = 1;
const LABEL_DOT: u8 = 2;
const LABEL_HYPHEN: u8 = 3;

/// Each byte's label class.
const LABEL_CLASS: [u8; 256] = {
    let mut t = [LABEL_BAD; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = match c {
            b'.' => LABEL_DOT,
            b'-' => LABEL_HYPHEN,
            c if c.is_ascii_alphanumeric() => LABEL_ALNUM,
            _ => LABEL_BAD,
        };
        b += 1;
    }
    t
};

/// The next state of [`ascii_labels`] by `state << 2 | class`: a refused domain stays
/// refused; a `.` only ends a label that ends with a letter or digit, and a `-` never starts
/// one.
const LABEL_STEP: [u8; 16] = {
    let mut t = [LABEL_BAD; 16];
    let mut state = 1;
    while state < 4 {
        let mut class = 1;
        while class < 4 {
            let ok = match class as u8 {
                LABEL_DOT => state as u8 == LABEL_ALNUM,
                LABEL_HYPHEN => state as u8 != LABEL_DOT,
                _ => true,
            };
            t[state << 2 | class] = if ok { class as u8 } else { LABEL_BAD };
            class += 1;
        }
        state += 1;
    }
    t
};

/// [`is_valid`] and whether [`canonical_cow`] would borrow it, in one pass over the bytes, for
/// an address of printable ASCII but `"` that neither starts with `<` or `@` nor ends with `>` or
/// `.` and whose domain is not a literal (the form of almost every listed address): `Some((valid,
/// canonical))`, `canonical` meaningful only when `valid`. `None` for any other address, which
/// the two functions judge.
pub fn check_plain(addr: &str) -> Option<(bool, bool)> {
    let b = addr.as_bytes();
    let (&first, &last) = (b.first()?, b.last()?);
    if matches!(first, b'<' | b'@') || matches!(last, b'>' | b'.') {
        return None;
    }
    // The domain is read backwards, up to the last `@`. Its rules (labels of letters, digits
    // and hyphens, not empty, neither starting nor ending with a hyphen) read the same either
    // way: this is [`ascii_labels`]' state machine run from the end.
    let (mut at, mut prev, mut refused, mut flags) = (b.len(), LABEL_DOT, 0u16, 0u8);
    loop {
        if at == 0 {
            return Some((false, false));
        }
        at -= 1;
        let c = b[at];
        if c == b'@' {
            break;
        }
        let byte = DOMAIN_BYTE[c as usize];
        let class = byte & 3;
        refused |= REFUSED_STEPS >> (prev << 2 | class);
        prev = class;
        flags |= byte;
    }
    let (local, dom) = (&b[..at], &b[at + 1..]);
    if local.is_empty() || dom.is_empty() || local.len() > 256 || dom.len() > 255 {
        return Some((false, false));
    }
    if dom[0] == b'[' {
        return None;
    }
    for &c in local {
        flags |= LOCAL_BYTE[c as usize];
    }
    if flags & FLAG_NOT_PLAIN != 0 {
        return None;
    }
    let valid = flags & FLAG_FORBIDDEN == 0 && refused & 1 == 0 && prev == LABEL_ALNUM;
    Some((valid, flags & FLAG_UPPER == 0))
}

/// Bit `state << 2 | class` is set where [`LABEL_STEP`] refuses the step.
const REFUSED_STEPS: u16 = {
    let mut bits = 0u16;
    let mut i = 0;
    while i < 16 {
        if LABEL_STEP[i] == LABEL_BAD {
            bits |= 1 << i;
        }
        i += 1;
    }
    bits
};

/// [`check_plain`]'s flags of a byte, above its label class (the low two bits of
/// [`DOMAIN_BYTE`]): not printable ASCII, or `"`; an upper-case letter; a byte an unquoted
/// local part may not hold ([`FORBIDDEN_LOCAL`], in [`LOCAL_BYTE`] only).
const FLAG_NOT_PLAIN: u8 = 4;
const FLAG_UPPER: u8 = 8;
const FLAG_FORBIDDEN: u8 = 16;

/// [`check_plain`]'s flags of a local part's bytes.
const LOCAL_BYTE: [u8; 256] = byte_flags(true);

/// [`check_plain`]'s label classes and flags of a domain's bytes.
const DOMAIN_BYTE: [u8; 256] = byte_flags(false);

const fn byte_flags(local: bool) -> [u8; 256] {
    let mut t = [FLAG_NOT_PLAIN; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut f = if local { 0 } else { LABEL_CLASS[b] };
        if !c.is_ascii_graphic() || c == b'"' {
            f |= FLAG_NOT_PLAIN;
        }
        if c.is_ascii_uppercase() {
            f |= FLAG_UPPER;
        }
        if local && b < 128 && FORBIDDEN_LOCAL[b] {
            f |= FLAG_FORBIDDEN;
        }
        t[b] = f;
        b += 1;
    }
    t
}

/// The domain of a canonical address (the text after the last `@`), if it has one.
pub fn domain(addr: &str) -> Option<&str> {
    let at = addr.rfind('@')?;
    let d = &addr[at + 1..];
    (!d.is_empty()).then_some(d)
}

/// Whether `addr` looks like an email address: one local part, an `@`, a dotted domain whose
/// labels are letters, digits and hyphens. Quoted local parts are accepted.
pub fn is_valid(addr: &str) -> bool {
    let Some(at) = memchr::memrchr(b'@', addr.as_bytes()) else {
        return false;
    };
    let (local, dom) = (&addr[..at], &addr[at + 1..]);
    if local.is_empty() || dom.is_empty() || local.len() > 256 || dom.len() > 255 {
        return false;
    }
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:@\"".contains(c);
    let bad = if local.is_ascii() {
        // The same test on bytes: every ASCII white-space character is a control character
        // or the space.
        local.bytes().any(|b| FORBIDDEN_LOCAL[b as usize])
    } else {
        local.chars().any(forbidden)
    };
    if !quoted && bad {
        return false;
    }
    let dom = dom.strip_suffix('.').unwrap_or(dom);
    if let Some(lit) = dom.strip_prefix('[') {
        return lit.ends_with(']');
    }
    if dom.is_ascii() {
        return ascii_labels(dom.as_bytes());
    }
    dom.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && (label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                || label.chars().all(|c| c.is_alphanumeric() || c == '-'))
    })
}

/// Whether the canonical address `addr` belongs to one of `internal` (canonical domains): its
/// domain is one of them or a subdomain of one. `met.example.evil.example` is not internal to
/// `met.example`; `mail.met.example` is.
pub fn is_internal(addr: &str, internal: &[String]) -> bool {
    let Some(d) = domain(addr) else {
        return false;
    };
    internal.iter().any(|i| {
        d == i
            || (d.len() > i.len() && d.ends_with(i.as_str()) && d.as_bytes()[d.len() - i.len() - 1] == b'.')
    })
}

/// The canonical form of a configured domain: trimmed, lower-cased, without a leading `@` or
/// `.` or a trailing `.`. `None` when what is left is not a domain.
pub fn canonical_domain(d: &str) -> Option<String> {
    let d = d.trim().trim_start_matches('@').trim_start_matches('.');
    let d = d.strip_suffix('.').unwrap_or(d).to_lowercase();
    let ok = !d.is_empty()
        && d.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    ok.then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        struct T {
            input: &'static str,
            want: &'static str,
        }
        let tests = [
            T { input: "Jane.Doe@Example.ORG", want: "jane.doe@example.org" },
            T { input: "  <jane@x.org> ", want: "jane@x.org" },
            T { input: "jane@x.org.", want: "jane@x.org" },
            T { input: "@machine.tld:Mary@Example.net", want: "mary@example.net" },
            T { input: "jdoe@test   . example", want: "jdoe@test.example" },
            T { input: "\"john  doe\"@x.org", want: "\"john  doe\"@x.org" },
        ];
        for t in tests {
            assert_eq!(canonical(t.input), t.want, "{}", t.input);
            assert_eq!(canonical_cow(t.input), t.want, "{} (cow)", t.input);
        }
        assert!(matches!(canonical_cow("jane@x.org"), std::borrow::Cow::Borrowed(_)));
    }

    /// The table of [`ascii_labels`] decides as the rules say, on every string of up to four
    /// bytes over letters, digits, `.`, `-`, `_` and a non-ASCII byte.
    #[test]
    fn ascii_labels_follow_the_rules() {
        let rules = |dom: &[u8]| {
            !dom.is_empty()
                && dom.split(|&b| b == b'.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with(b"-")
                        && !l.ends_with(b"-")
                        && l.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                })
        };
        crate::exhaustive::each_string(b"aZ9.-_\xc3", 4, |dom| {
            assert_eq!(ascii_labels(dom), rules(dom), "{:?}", String::from_utf8_lossy(dom));
        });
    }

    /// [`check_plain`] judges as [`is_valid`] and [`canonical_cow`] do, on every string of up to
    /// five characters over letters of both cases, a digit, `.`, `-`, `@`, `<`, `>`, `"`, `[`, a
    /// space and a non-ASCII letter, and on some longer ones.
    #[test]
    fn check_plain_agrees_with_is_valid_and_canonical_cow() {
        let alphabet = ['a', 'Z', '9', '.', '-', '@', '<', '>', '"', '[', ' ', 'é'];
        let mut judged = 0;
        let mut check = |addr: &str| {
            if let Some((valid, canonical)) = check_plain(addr) {
                judged += 1;
                assert_eq!(valid, is_valid(addr), "{addr:?}");
                if valid {
                    let borrowed = matches!(canonical_cow(addr), std::borrow::Cow::Borrowed(_));
                    assert_eq!(canonical, borrowed, "{addr:?}");
                }
            }
        };
        crate::exhaustive::each_string(&alphabet, 5, |letters| check(&letters.iter().collect::<String>()));
        for long in [
            "jane.doe@example.org",
            "Jane.Doe@Example.org",
            "p0.alal@people0.example",
            "a-b@c-d.e-f.g",
            "a@b-.c",
            "a@-b.c",
            "a@b..c",
            "a.b@c@d.e",
            "x(y)@z.example",
            "a@b.example.",
        ] {
            check(long);
        }
        check(&format!("{}@x.example", "a".repeat(257)));
        check(&format!("a@{}.example", "b".repeat(250)));
        assert!(judged > 10_000, "{judged}");
    }

    #[test]
    fn validity() {
        for good in [
            "a@b.c",
            "jane.doe@example.org",
            "\"john doe\"@x.org",
            "r@localhost",
            "a@[1.2.3.4]",
            "é@bücher.example",
        ] {
            assert!(is_valid(good), "{good}");
        }
        for bad in ["", "jane", "@x.org", "jane@", "ja ne@x.org", "a@b..c", "a@-b.c", "a@b c.d", "a<b@c.d"] {
            assert!(!is_valid(bad), "{bad}");
        }
        // Every ASCII character in a local part is judged as it is beside a non-ASCII one (the
        // byte path and the character path agree).
        for b in 0u8..128 {
            let c = b as char;
            let (ascii, wide) = (format!("a{c}b@x.org"), format!("a{c}bé@x.org"));
            assert_eq!(is_valid(&ascii), is_valid(&wide), "{b:#x}");
            let forbidden = c.is_whitespace() || c.is_control() || "<>()[]\\,;:@\"".contains(c);
            assert_eq!(is_valid(&ascii), !forbidden, "{b:#x}");
        }
    }

    /// ASCII domains are judged on bytes as the character test judges them: every domain of
    /// one to five characters from `a`, `1`, `-`, `.` and `_`.
    #[test]
    fn ascii_domains_judged_as_characters_are() {
        let by_chars = |dom: &str| {
            let dom = dom.strip_suffix('.').unwrap_or(dom);
            dom.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        };
        let alphabet = ['a', '1', '-', '.', '_'];
        let mut doms = vec![String::new()];
        let mut checked = 0;
        for _ in 0..5 {
            doms = doms.iter().flat_map(|d| alphabet.iter().map(move |c| format!("{d}{c}"))).collect();
            for d in &doms {
                assert_eq!(is_valid(&format!("x@{d}")), by_chars(d), "{d}");
                checked += 1;
            }
        }
        assert_eq!(checked, 5 + 25 + 125 + 625 + 3125);
    }

    #[test]
    fn internal_is_domain_or_subdomain() {
        let internal = vec!["met.example".to_string()];
        assert!(is_internal("a@met.example", &internal));
        assert!(is_internal("a@mail.met.example", &internal));
        assert!(!is_internal("a@met.example.evil.example", &internal));
        assert!(!is_internal("a@evilmet.example", &internal));
        assert!(!is_internal("nodomain", &internal));
    }

    #[test]
    fn domains_are_canonicalised() {
        assert_eq!(canonical_domain(" @Met.Example. ").as_deref(), Some("met.example"));
        assert_eq!(canonical_domain("bad domain"), None);
        assert_eq!(canonical_domain(""), None);
    }
}
