//! Golden tests: every `tests/data/NAME.eml` is scanned with `tests/data/protected.csv` and
//! `tests/data/policy.toml` (plus the envelope recipients in `NAME.rcpt`, one a line, if
//! present) and its report must equal `NAME.json`. A `NAME.toml` beside the message replaces
//! the shared policy for that message.
//!
//! To write the expected files after a deliberate change: `MAILDLP_BLESS=1 cargo test --test
//! golden`, then read every changed `.json` before committing it.

#![cfg(feature = "serde")]

use std::path::{Path, PathBuf};

use maildlp::{Policy, ProtectedList, Scanner};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn scanner(policy: &Path) -> Scanner {
    let dir = data_dir();
    let list = ProtectedList::from_csv(&std::fs::read_to_string(dir.join("protected.csv")).unwrap()).unwrap();
    let policy = Policy::from_toml(&std::fs::read_to_string(policy).unwrap()).unwrap();
    Scanner::new(list, policy)
}

/// Every golden message, sorted.
fn golden_messages() -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "golden messages missing");
    names
}

/// The report of golden message `eml`: scanned with its envelope recipients (`NAME.rcpt`) by
/// `shared`, or by a scanner `make` builds for its own policy (`NAME.toml`).
fn golden_report(eml: &Path, shared: &Scanner, make: &dyn Fn(&Path) -> Scanner) -> serde_json::Value {
    let bytes = std::fs::read(eml).unwrap();
    let rcpts: Vec<String> = std::fs::read_to_string(eml.with_extension("rcpt"))
        .map(|s| s.lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default();
    let own_policy = eml.with_extension("toml");
    let report = if own_policy.exists() {
        make(&own_policy).scan_with_envelope(&bytes, &rcpts).unwrap()
    } else {
        shared.scan_with_envelope(&bytes, &rcpts).unwrap()
    };
    serde_json::from_str(&report.to_json()).unwrap()
}

/// A failure line: the message, the report it should give and the one it gave.
fn mismatch(eml: &Path, want: &serde_json::Value, got: &serde_json::Value) -> String {
    format!(
        "{}:\n--- want\n{}\n--- got\n{}",
        eml.display(),
        serde_json::to_string_pretty(want).unwrap(),
        serde_json::to_string_pretty(got).unwrap()
    )
}

#[test]
fn golden_reports() {
    let shared = scanner(&data_dir().join("policy.toml"));
    let bless = std::env::var_os("MAILDLP_BLESS").is_some();
    let mut failures = Vec::new();
    for eml in &golden_messages() {
        let got = golden_report(eml, &shared, &scanner);
        let want_path = eml.with_extension("json");
        if bless {
            std::fs::write(&want_path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
            continue;
        }
        match std::fs::read_to_string(&want_path) {
            Ok(text) => {
                let want: serde_json::Value = serde_json::from_str(&text).unwrap();
                if want != got {
                    failures.push(mismatch(eml, &want, &got));
                }
            }
            Err(_) => failures.push(format!("{}: no {}", eml.display(), want_path.display())),
        }
    }
    assert!(failures.is_empty(), "{} golden mismatches:\n{}", failures.len(), failures.join("\n\n"));
}

/// The report without what a sealed list cannot reproduce: excerpts (they can mask only what
/// was matched, not every listed name inside a longer word).
fn without_excerpts(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(findings) = v.get_mut("findings").and_then(|f| f.as_array_mut()) {
        for f in findings {
            if let Some(o) = f.as_object_mut() {
                o.remove("excerpt");
            }
        }
    }
    v
}

#[test]
fn golden_reports_with_the_list_sealed() {
    let dir = data_dir();
    let list = ProtectedList::from_csv(&std::fs::read_to_string(dir.join("protected.csv")).unwrap()).unwrap();
    let key = maildlp::list::Key::generate().unwrap();
    let sealed = maildlp::list::seal(&list, &key);
    let sealed_scanner = |policy: &Path| {
        let policy = Policy::from_toml(&std::fs::read_to_string(policy).unwrap()).unwrap();
        Scanner::new(maildlp::list::SealedList::open(&sealed, &key).unwrap(), policy)
    };
    let shared = sealed_scanner(&dir.join("policy.toml"));
    let mut failures = Vec::new();
    for eml in &golden_messages() {
        let got = without_excerpts(golden_report(eml, &shared, &sealed_scanner));
        let want = without_excerpts(
            serde_json::from_str(&std::fs::read_to_string(eml.with_extension("json")).unwrap()).unwrap(),
        );
        if want != got {
            failures.push(mismatch(eml, &want, &got));
        }
    }
    assert!(failures.is_empty(), "{} sealed-list mismatches:\n{}", failures.len(), failures.join("\n\n"));
}
