//! Fixing recipient exposure, checked from outside:
//!
//! - differentially, on every corpus message with a visible recipient: the message fixed with
//!   no internal domain (so every visible recipient is an outsider) parses with CPython's
//!   `email` package (`tests/tools/py_reference.py`) to the same set of To+Cc+Bcc addresses
//!   as the original, with To and Cc empty, and its bytes after the header block unchanged;
//! - by property tests on generated header blocks (folded fields, groups, quoted display names
//!   with commas, RFC 2047 names, repeated To/Cc fields, CRLF and LF): the recipients read by
//!   maildlp's own parser are the same before and after, no outsider is left visible, the
//!   body is untouched, and every rewritten line fits in 78 columns.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use maildlp::recipients_of;
use maildlp::remedy::{bcc, split, Audience};
use maildlp::Field;
use proptest::prelude::*;

/// Where the body starts (after the first empty line), as the rewrite sees it.
fn body(m: &[u8]) -> &[u8] {
    let mut pos = 0;
    while pos < m.len() {
        let end = m[pos..].iter().position(|&b| b == b'\n').map_or(m.len(), |p| pos + p + 1);
        let line = &m[pos..end];
        if line == b"\n" || line == b"\r\n" {
            return &m[end..];
        }
        pos = end;
    }
    &[]
}

#[derive(Debug, Default)]
struct Reference {
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
    error: bool,
}

fn reference(jsonl: &str) -> BTreeMap<String, Reference> {
    jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let list = |k: &str| -> Vec<String> {
                v[k].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
            };
            (
                v["file"].as_str().unwrap().to_string(),
                Reference { to: list("to"), cc: list("cc"), bcc: list("bcc"), error: !v["error"].is_null() },
            )
        })
        .collect()
}

#[test]
fn corpus_fixed_messages_keep_every_recipient_per_cpython() {
    let corpus = common::corpus_dir();
    let before = reference(&std::fs::read_to_string(corpus.join("py_reference.jsonl")).unwrap());
    let out = tempfile::tempdir().unwrap();
    let none: Vec<String> = Vec::new();
    let audience = Audience { internal: &none, protected: &|_| false };
    let mut fixed_files = Vec::new();
    for path in common::corpus_files() {
        let rel = path.strip_prefix(&corpus).unwrap().to_string_lossy().replace('\\', "/");
        let Some(r) = before.get(&rel) else { continue };
        if r.error || (r.to.is_empty() && r.cc.is_empty()) {
            continue;
        }
        let original = std::fs::read(&path).unwrap();
        let fixed = bcc(&original, &audience);
        // Every message CPython sees a visible recipient in is rewritten.
        assert!(fixed.changed(), "{rel}: left unchanged: {}", fixed.unchanged.unwrap_or(""));
        assert_eq!(body(&fixed.message), body(&original), "{rel}: bytes after the header changed");
        let dest = out.path().join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, &fixed.message).unwrap();
        fixed_files.push(rel);
    }
    assert!(fixed_files.len() > 650, "only {} corpus messages have a visible recipient", fixed_files.len());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/py_reference.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg("--relative-to")
        .arg(out.path())
        .arg(out.path())
        .output()
        .expect("python3 runs the reference parser");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let after = reference(&String::from_utf8(run.stdout).unwrap());
    let mut failures = Vec::new();
    for rel in &fixed_files {
        let (b, a) = (&before[rel], &after[rel]);
        let all =
            |r: &Reference| -> BTreeSet<String> { r.to.iter().chain(&r.cc).chain(&r.bcc).cloned().collect() };
        if a.error {
            failures.push(format!("{rel}: CPython cannot read the fixed message"));
        } else if all(a) != all(b) {
            failures.push(format!("{rel}: recipients {:?} became {:?}", all(b), all(a)));
        } else if !a.to.is_empty() || !a.cc.is_empty() {
            failures.push(format!("{rel}: still visible: {:?} {:?}", a.to, a.cc));
        }
    }
    println!("{} corpus messages fixed and checked with CPython", fixed_files.len());
    assert!(failures.is_empty(), "{} of {}:\n{}", failures.len(), fixed_files.len(), failures.join("\n"));
}

/// One generated recipient: display name form and address.
fn mailbox() -> impl Strategy<Value = (String, String, bool)> {
    let local = "[a-z]{1,8}";
    let internal = any::<bool>();
    (local, internal, 0..5usize).prop_map(|(l, internal, form)| {
        let domain = if internal { "police.example" } else { "example.net" };
        let addr = format!("{l}@{domain}");
        let text = match form {
            0 => addr.clone(),
            1 => format!("<{addr}>"),
            2 => format!("\"{l}, {l}\" <{addr}>"),
            3 => format!("=?UTF-8?Q?Zo=C3=AB_{l}?= <{addr}>"),
            _ => format!("{l} (a comment, with a comma) <{addr}>"),
        };
        (text, addr, internal)
    })
}

/// A generated header field of mailboxes, perhaps with a group, perhaps folded.
fn field() -> impl Strategy<Value = (String, Vec<(String, bool)>)> {
    (
        prop::sample::select(vec!["To", "Cc", "CC", "Bcc", "Resent-To", "Resent-Cc"]),
        prop::collection::vec(mailbox(), 1..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, boxes, group, fold)| {
            let sep = if fold { ",\n\t" } else { ", " };
            let texts: Vec<String> = boxes.iter().map(|b| b.0.clone()).collect();
            let value = if group { format!("Team: {};", texts.join(sep)) } else { texts.join(sep) };
            (format!("{name}: {value}"), boxes.into_iter().map(|b| (b.1, b.2)).collect())
        })
}

fn message() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (prop::collection::vec(field(), 1..5), any::<bool>(), "[ -~]{0,40}").prop_map(|(fields, crlf, body)| {
        let mut m = String::from("From: sender@police.example\nSubject: s\n");
        for (f, _) in &fields {
            m.push_str(f);
            m.push('\n');
        }
        m.push('\n');
        m.push_str(&body);
        m.push_str("\nend\n");
        let m = if crlf { m.replace('\n', "\r\n") } else { m };
        (m.into_bytes(), crlf)
    })
}

fn multiset(m: &[u8]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in recipients_of(m) {
        *out.entry(r.address).or_insert(0) += 1;
    }
    out
}

fn set(m: &[u8]) -> BTreeSet<String> {
    recipients_of(m).into_iter().map(|r| r.address).collect()
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 400, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]

    #[test]
    fn bcc_keeps_every_recipient_and_hides_every_outsider((m, crlf) in message()) {
        let internal = vec!["police.example".to_string()];
        let fixed = bcc(&m, &Audience { internal: &internal, protected: &|_| false });
        let f = &fixed.message;
        prop_assert_eq!(body(f), body(&m));
        prop_assert_eq!(set(f), set(&m));
        for r in recipients_of(f) {
            if r.field.is_visible() {
                prop_assert!(r.address.ends_with("@police.example"), "{} still visible", r.address);
            }
        }
        let text = String::from_utf8_lossy(f);
        let header = &text[..text.len() - body(f).len()];
        for line in header.lines() {
            prop_assert!(line.trim_end_matches('\r').len() <= 78 || !fixed.changed() || m.windows(line.len()).any(|w| w == line.as_bytes()), "{line}");
        }
        if crlf {
            prop_assert!(!header.replace("\r\n", "").contains('\n'), "a bare LF in a CRLF message");
        }
        // Recipients are neither lost nor doubled (a recipient named twice stays named twice
        // at most; moved ones are named once each).
        let before = multiset(&m);
        let after = multiset(f);
        for (a, n) in &after {
            prop_assert!(before.get(a).is_some_and(|b| b >= n), "{a} doubled");
        }
    }

    #[test]
    fn split_gives_each_outsider_a_copy_showing_no_other((m, _crlf) in message()) {
        let internal = vec!["police.example".to_string()];
        let copies = split(&m, &Audience { internal: &internal, protected: &|_| false });
        let outsiders: BTreeSet<String> = recipients_of(&m)
            .into_iter()
            .filter(|r| r.field.is_visible() && !r.address.ends_with("@police.example"))
            .map(|r| r.address)
            .collect();
        if outsiders.is_empty() {
            prop_assert_eq!(copies.len(), 1);
            prop_assert!(!copies[0].changed());
            return Ok(());
        }
        let mut reached = BTreeSet::new();
        for c in &copies {
            prop_assert_eq!(body(&c.message), body(&m));
            let visible: BTreeSet<String> = recipients_of(&c.message)
                .into_iter()
                .filter(|r| r.field.is_visible() && !r.address.ends_with("@police.example"))
                .map(|r| r.address)
                .collect();
            prop_assert!(visible.len() <= 1, "{:?}", visible);
            reached.extend(recipients_of(&c.message).into_iter().map(|r| r.address));
        }
        // Everyone who received the original receives a copy.
        prop_assert_eq!(reached, set(&m));
        let ids: BTreeSet<String> = copies
            .iter()
            .map(|c| String::from_utf8_lossy(&c.message).lines().find(|l| l.starts_with("Message-ID:")).unwrap_or("").to_string())
            .collect();
        prop_assert_eq!(ids.len(), copies.len());
    }
}

#[test]
fn reply_to_and_followup_lose_protected_addresses_only() {
    let m = b"From: a@police.example\r\nTo: desk@police.example\r\nReply-To: Jane <jane@x.example>, help@police.example\r\nMail-Followup-To: jane@x.example\r\n\r\nbody\r\n";
    let internal = vec!["police.example".to_string()];
    let fixed = bcc(m, &Audience { internal: &internal, protected: &|a| a == "jane@x.example" });
    assert_eq!(
        String::from_utf8(fixed.message).unwrap(),
        "From: a@police.example\r\nTo: desk@police.example\r\nReply-To: help@police.example\r\n\r\nbody\r\n"
    );
    assert_eq!(
        fixed.removed,
        [
            (Field::ReplyTo, "jane@x.example".to_string()),
            (Field::MailFollowupTo, "jane@x.example".to_string())
        ]
    );
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
    #[test]
    fn any_bytes_are_fixed_or_left_alone_without_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let internal = vec!["police.example".to_string()];
        let a = Audience { internal: &internal, protected: &|_| true };
        let fixed = bcc(&bytes, &a);
        if !fixed.changed() {
            prop_assert_eq!(&fixed.message, &bytes);
        }
        for c in split(&bytes, &a) {
            if !c.changed() {
                prop_assert_eq!(&c.message, &bytes);
            }
        }
        let _ = maildlp::remedy::without_bcc(&bytes);
    }

    #[test]
    fn header_shaped_noise_never_panics(lines in prop::collection::vec("(To|Cc|Bcc|Reply-To|Resent-Cc|X)?:?[ -~]{0,30}", 0..8), crlf in any::<bool>()) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let m = format!("{}{eol}{eol}body", lines.join(eol));
        let internal = vec!["police.example".to_string()];
        let a = Audience { internal: &internal, protected: &|_| false };
        let fixed = bcc(m.as_bytes(), &a);
        prop_assert!(fixed.message.ends_with(b"body"));
        for c in split(m.as_bytes(), &a) {
            prop_assert!(c.message.ends_with(b"body"));
        }
    }
}
