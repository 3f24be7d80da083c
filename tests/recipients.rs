//! maildlp's recipients against an independent parser (CPython's `email` package, output in
//! `tests/corpus/py_reference.jsonl`, made by `shared/tools/py_reference.py`), and every corpus
//! message scanned without a panic.
//!
//! Recipients must agree on at least 99 % of the messages the reference parsed; every message
//! where they differ must be listed, with the reason, in `tests/corpus/recipient-differences.md`.

use std::collections::BTreeSet;

use maildlp::recipients_of;
use maildlp::Field;
use maildlp::{Policy, ProtectedList, Scanner};

mod common;

/// The comparison form of an address: lower-case, quotes around a plain local part removed,
/// and every byte of a non-ASCII character shown as `?` (the reference decodes UTF-8 header
/// bytes as U+FFFD, one per byte, so only the bytes' count can be compared).
fn norm(addr: &str) -> String {
    let a: String = addr
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| {
            let n = if c == '\u{fffd}' {
                1
            } else if c.is_ascii() {
                0
            } else {
                c.len_utf8()
            };
            let keep = (n == 0).then_some(c);
            keep.into_iter().chain(std::iter::repeat_n('?', n))
        })
        .collect();
    if let Some((local, domain)) = a.rsplit_once('@') {
        if let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
            if !inner.is_empty()
                && inner.chars().all(|c| c.is_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
            {
                return format!("{inner}@{domain}");
            }
        }
    }
    a
}

type Sets = [BTreeSet<String>; 3];

fn ours(bytes: &[u8]) -> Sets {
    let mut sets: Sets = Default::default();
    for r in &recipients_of(bytes) {
        let i = match r.field {
            Field::To => 0,
            Field::Cc => 1,
            Field::Bcc => 2,
            // CPython's reference reads To, Cc and Bcc only.
            _ => continue,
        };
        sets[i].insert(norm(&r.address));
    }
    sets
}

fn theirs(line: &serde_json::Value) -> Sets {
    let set = |k: &str| line[k].as_array().unwrap().iter().map(|v| norm(v.as_str().unwrap())).collect();
    [set("to"), set("cc"), set("bcc")]
}

#[test]
fn recipients_agree_with_cpython() {
    let root = common::corpus_dir();
    let reference = std::fs::read_to_string(root.join("py_reference.jsonl")).unwrap();
    let listed = std::fs::read_to_string(root.join("recipient-differences.md")).unwrap();
    let (mut compared, mut agree) = (0, 0);
    let mut unexplained = Vec::new();
    let mut differing = Vec::new();
    for line in reference.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap();
        if !v["error"].is_null() {
            continue;
        }
        let bytes = std::fs::read(root.join(file)).unwrap();
        compared += 1;
        let (a, b) = (ours(&bytes), theirs(&v));
        // Domain-less entries CPython drops (its `invalid` count) are kept by maildlp on purpose.
        let extra_allowed = v["invalid"].as_u64().unwrap_or(0) as usize;
        let same = (0..3).all(|i| {
            let missing = b[i].difference(&a[i]).count();
            let extra: Vec<&String> = a[i].difference(&b[i]).collect();
            missing == 0
                && (extra.is_empty()
                    || (extra.len() <= extra_allowed && extra.iter().all(|e| !e.contains('@'))))
        });
        if same {
            agree += 1;
            continue;
        }
        differing.push(file.to_string());
        if !listed.contains(&format!("`{file}`")) {
            unexplained.push(format!("{file}\n  maildlp: {a:?}\n  cpython: {b:?}"));
        }
    }
    assert!(compared > 900, "only {compared} messages compared");
    let rate = agree as f64 / compared as f64;
    println!("recipients agree on {agree} of {compared} messages ({:.2} %)", rate * 100.0);
    assert!(
        unexplained.is_empty(),
        "differences not explained in recipient-differences.md:\n{}",
        unexplained.join("\n")
    );
    for entry in listed.lines().filter_map(|l| l.strip_prefix("- `")).filter_map(|l| l.split('`').next()) {
        assert!(
            differing.iter().any(|d| d == entry),
            "{entry} is listed as differing but agrees now: update the file"
        );
    }
    assert!(rate >= 0.99, "agreement {:.2} % is below 99 %", rate * 100.0);
}

#[test]
fn every_corpus_message_scans_without_panic() {
    let list = ProtectedList::from_csv(
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV02,phone,+44 20 7946 0018\nOP7,term,Nightingale\n",
    )
    .unwrap();
    let scanner = Scanner::new(list, Policy::default());
    let all = common::corpus_files();
    assert!(all.len() > 950, "corpus missing: {} files", all.len());
    for f in &all {
        let bytes = std::fs::read(f).unwrap();
        let report = scanner.scan(&bytes);
        // The report also renders as JSON.
        #[cfg(feature = "serde")]
        {
            let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
            assert!(json["verdict"].is_string(), "{}", f.display());
        }
        #[cfg(not(feature = "serde"))]
        let _ = report.verdict();
    }
}
