//! Archives and compressed files (CONTRACT.md, "Inside documents and archives"): tar (plain,
//! inside gzip, bzip2 or xz), 7z, and gzip, bzip2 and xz of anything, made by the real tools
//! (`tests/documents/archives/make_archives.sh`). Each fixture holds a different protected
//! person, so the findings say exactly what was read; the expected sets are complete.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use maildlp::{Detail, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;
use mail::limits;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/archives").join(name)).unwrap()
}

fn scanner() -> Scanner {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), Policy::default())
}

/// A message to an outsider with one attachment `name`, labelled as opaque bytes.
fn message(name: &str, body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// (record, path) of every protected-identifier finding in an attachment's content.
fn places(report: &Report) -> BTreeSet<(String, String)> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.path.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect()
}

fn scan(name: &str) -> Report {
    scanner().scan(&message(name, &fixture(name)))
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn every_archive_and_compressed_file_is_read() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("export.tar", &[("P02", "export/victims.csv")]),
        ("export.tar.gz", &[("P01", "export.tar > export/victims.csv")]),
        ("export.tar.bz2", &[("P03", "export.tar > export/victims.csv")]),
        ("export.tar.xz", &[("P04", "export.tar > export/victims.csv")]),
        ("export.7z", &[("P05", "victims.csv"), ("P06", "inner.tar > notes.txt")]),
        ("victims.csv.bz2", &[("P07", "victims.csv")]),
        ("victims.csv.xz", &[("P08", "victims.csv")]),
    ];
    for (name, want) in cases {
        let r = scan(name);
        assert_eq!(places(&r), set(want), "{name}");
        assert!(limits(&r).is_empty(), "{name}: {:?}", limits(&r));
    }
}

#[test]
fn member_names_are_attachment_names() {
    // `named.tgz` holds `export/Owen Price statement.txt`, whose content names nobody.
    let r = scan("named.tgz");
    let names: BTreeSet<_> = r
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.part, location.path.clone(), location.name.clone()))
            }
            _ => None,
        })
        .collect();
    let want = (
        "P07".to_string(),
        maildlp::Part::AttachmentName,
        Some("named.tar".to_string()),
        Some("named.tgz".to_string()),
    );
    assert_eq!(names, [want].into_iter().collect());
}

#[test]
fn encrypted_and_unreadable_containers_are_said() {
    let r = scan("encrypted.7z");
    assert_eq!(limits(&r), ["encrypted"]);
    assert_eq!(r.verdict(), Verdict::Warn);
    let rar =
        scanner().scan(&message("export.rar", b"Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5\x0a\x01\x05\x06\x00"));
    assert_eq!(limits(&rar), ["unreadable"]);
    let damaged = {
        let mut t = fixture("export.7z");
        let n = t.len();
        t.truncate(n / 2);
        t
    };
    let r = scanner().scan(&message("export.7z", &damaged));
    assert_eq!(limits(&r), ["unreadable"]);
}

#[test]
fn clean_archives_are_allowed() {
    let r = scan("clean.7z");
    assert_eq!(r.verdict(), Verdict::Allow, "{:?}", r.findings());
}

/// Scans `message` with `limits`, holding the peak heap to 4x the message plus a fixed 8 MiB:
/// the list and the scanner's buffers (2 MiB, as in `adversarial_documents.rs`), the 1 MiB
/// pieces a long text member is scanned in, and a decoder's own state (bzip2 -9 needs 3.6 MiB
/// whatever it inflates; xz -1 a 1 MiB dictionary). Returns the report.
fn bounded(name: &str, limits: maildlp::Limits, message: &[u8]) -> Report {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    let policy = Policy::builder().limits(limits).build().unwrap();
    let s = Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), policy);
    let (report, peak) = mail::measured(&s, message);
    let budget = 4 * message.len() as u64 + (8 << 20);
    println!("{name}: {} bytes, peak heap {} bytes", message.len(), peak);
    assert!(peak <= budget, "{name}: peak heap {peak} > {budget}");
    report
}

#[test]
fn compression_bombs_stop_at_the_budget() {
    for name in ["spaces.bz2", "spaces.xz"] {
        let limits = maildlp::Limits { max_extracted_bytes: 16 << 20, ..maildlp::Limits::default() };
        let r = bounded(name, limits, &message(name, &fixture(name)));
        assert_eq!(limits_of(&r), ["max_extracted_bytes"], "{name}");
    }
}

#[test]
fn a_dictionary_larger_than_the_budget_is_refused_not_allocated() {
    let r = bounded(
        "dictionary.7z",
        maildlp::Limits::default(),
        &message("dictionary.7z", &fixture("dictionary.7z")),
    );
    assert_eq!(limits_of(&r), ["unreadable"]);
}

#[test]
fn a_tar_entry_claiming_10_gib_ends_where_its_data_ends() {
    let mut tar = fixture("export.tar");
    // The first header's size field (octal, 12 bytes at 124), then its checksum.
    tar[124..136].copy_from_slice(b"120000000000");
    tar[148..156].copy_from_slice(b"        ");
    let sum: u32 = tar[..512].iter().map(|&b| b as u32).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let r = bounded("tar entry of 10 GiB", maildlp::Limits::default(), &message("export.tar", &tar));
    // The first entry (a directory) swallows the rest of the archive as its data: nothing
    // after it is an entry, and nothing is allocated for the size it claims.
    assert!(places(&r).is_empty(), "{:?}", places(&r));
}

#[test]
fn archives_of_many_entries_stop_at_the_entry_limit() {
    // A tar of 3,000 empty files, made here (headers only).
    let mut tar = Vec::new();
    for i in 0..3000 {
        let mut h = [0u8; 512];
        let name = format!("f{i}.txt");
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        tar.extend_from_slice(&h);
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let limits = maildlp::Limits { max_archive_entries: 1000, ..maildlp::Limits::default() };
    let r = bounded("tar of 3,000 entries", limits, &message("many.tar", &tar));
    assert_eq!(limits_of(&r), ["max_archive_entries"]);
}

fn limits_of(report: &Report) -> Vec<String> {
    limits(report)
}
