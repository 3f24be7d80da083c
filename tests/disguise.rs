//! Property: a listed name is found however it is disguised: random case, accents added,
//! invisible characters and inline tags inside words, entities for letters, odd separators
//! between words, and quoted-printable soft line breaks anywhere, in plain text or HTML.

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner};
use proptest::prelude::*;

const NAMES: &[(&str, &str)] = &[
    ("V01", "Jane Doe"),
    ("V02", "Ravi Patel"),
    ("V03", "Zoë Martin"),
    ("V04", "Grace O'Brien"),
    ("V05", "Renee Dubois"),
    ("OP7", "Operation Nightingale"),
];

fn list() -> ProtectedList {
    let mut csv = String::from("id,kind,value\n");
    for (id, name) in NAMES {
        let kind = if id.starts_with("OP") { "term" } else { "name" };
        csv.push_str(&format!("{id},{kind},\"{name}\"\n"));
    }
    ProtectedList::from_csv(&csv).unwrap()
}

fn scanner() -> Scanner {
    Scanner::new(list(), Policy::default())
}

/// The same list, sealed: every disguise must be seen through all the same.
fn sealed_scanner() -> &'static Scanner {
    static S: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let key = maildlp::list::Key::generate().unwrap();
        let sealed = maildlp::list::seal(&list(), &key);
        Scanner::new(maildlp::list::SealedList::open(&sealed, &key).unwrap(), Policy::default())
    })
}

#[derive(Debug, Clone)]
struct Disguise {
    upper: Vec<bool>,
    accent: Vec<bool>,
    inside: Vec<u8>,
    between: u8,
    html: bool,
    entity: Vec<bool>,
    soft_breaks: Vec<usize>,
}

fn disguise() -> impl Strategy<Value = Disguise> {
    (
        proptest::collection::vec(any::<bool>(), 32),
        proptest::collection::vec(any::<bool>(), 32),
        proptest::collection::vec(0u8..8, 32),
        0u8..6,
        any::<bool>(),
        proptest::collection::vec(any::<bool>(), 32),
        proptest::collection::vec(0usize..200, 0..4),
    )
        .prop_map(|(upper, accent, inside, between, html, entity, soft_breaks)| Disguise {
            upper,
            accent,
            inside,
            between,
            html,
            entity,
            soft_breaks,
        })
}

/// Writes `name` disguised as `d` says.
fn render(name: &str, d: &Disguise) -> String {
    let mut out = String::new();
    for (k, c) in name.chars().enumerate() {
        let i = k % 32;
        if c == ' ' {
            out.push_str(match (d.between, d.html) {
                (0, _) => " ",
                (1, _) => "\n  ",
                (2, _) => " -- ",
                (3, true) => "&nbsp;",
                (3, false) => "\u{a0}",
                (4, true) => "</b> <b>",
                (4, false) => ",  ",
                _ => "\t",
            });
            continue;
        }
        let c = if d.upper[i] { c.to_uppercase().next().unwrap() } else { c.to_lowercase().next().unwrap() };
        if d.html && d.entity[i] && c.is_ascii_alphabetic() {
            out.push_str(&format!("&#{};", c as u32));
        } else {
            out.push(c);
        }
        if d.accent[i] && c.is_alphabetic() {
            out.push('\u{301}');
        }
        // Something invisible or a tag between this letter and the next.
        out.push_str(match (d.inside[i], d.html) {
            (1, _) => "\u{200b}",
            (2, _) => "\u{ad}",
            (3, _) => "\u{2060}",
            (4, _) => "\u{feff}",
            (5, true) => "<span>",
            (6, true) => "</span>",
            (7, true) => "<!-- x -->",
            _ => "",
        });
    }
    out
}

/// Quoted-printable with soft line breaks after the given byte positions.
fn quoted_printable(text: &str, breaks: &[usize]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, b) in text.bytes().enumerate() {
        if breaks.contains(&i) || line > 70 {
            out.push_str("=\r\n");
            line = 0;
        }
        let piece = if b == b'=' || b >= 0x80 || b == b'\n' || b == b'\r' || b == b'\t' {
            format!("={b:02X}")
        } else {
            (b as char).to_string()
        };
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 400, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]

    #[test]
    fn disguised_names_are_found(which in 0..NAMES.len(), d in disguise(), before in "[a-z ]{0,30}", after in "[a-z ]{0,30}") {
        let (id, name) = NAMES[which];
        let body = format!("{before} {} {after}", render(name, &d));
        let ctype = if d.html { "text/html" } else { "text/plain" };
        let message = format!(
            "From: a@police.example\r\nTo: press@paper.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
             Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n",
            quoted_printable(&body, &d.soft_breaks)
        );
        for (what, report) in [("plain", scanner().scan(message.as_bytes())), ("sealed", sealed_scanner().scan(message.as_bytes()))] {
            let found: Vec<&str> = report.findings().iter().filter(|f| f.rule == Rule::ProtectedIdentifier).filter_map(|f| match &f.detail {
                Detail::Identifier { record, .. } => Some(record.as_str()),
                _ => None,
            }).collect();
            prop_assert!(found.contains(&id), "{name} not found in {body:?} with the {what} list");
        }
    }
}
