//! Binary content of no known format (CONTRACT.md, "Inside documents and archives") is read for
//! runs of text, as `strings` would: text behind a binary prefix is found, a huge binary member
//! meets the limit, and only images and other media are passed over.

#![cfg(feature = "documents")]

use maildlp::{Detail, Limits, Part, Policy, ProtectedList, Report, Scanner};

#[path = "common/mail.rs"]
mod mail;
use mail::{attached as message, zip};

fn scanner(limits: Limits) -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n").unwrap();
    Scanner::new(list, Policy::builder().limits(limits).build().unwrap())
}

/// Where a finding is: part, attachment name, path.
type Place = (Part, Option<String>, Option<String>);

/// Where every protected-identifier finding is, and the limits met.
fn outcome(r: &Report) -> (Vec<Place>, Vec<String>) {
    let mut found = Vec::new();
    let mut limits = Vec::new();
    for f in r.findings() {
        match &f.detail {
            Detail::Identifier { location, .. } => {
                found.push((location.part, location.name.clone(), location.path.clone()))
            }
            Detail::Incomplete { limit, .. } => limits.push(limit.as_str().to_string()),
            _ => {}
        }
    }
    found.sort();
    found.dedup();
    (found, limits)
}

/// Bytes that are neither text nor a known format: a counter's bytes, no NUL-free run long.
fn binary(n: usize) -> Vec<u8> {
    (0..n).map(|i| if i % 3 == 0 { 0 } else { (i % 251) as u8 }).collect()
}

#[test]
fn text_behind_nul_padding_in_an_archive_member_is_found() {
    let mut notes = vec![0u8; 4096];
    notes.extend_from_slice(b"Jane Doe\n");
    let r = scanner(Limits::default()).scan(&message(
        "export.zip",
        "application/zip",
        &zip(&[("notes.txt", &notes)]),
    ));
    let (found, limits) = outcome(&r);
    assert_eq!(found, [(Part::Attachment, Some("export.zip".to_string()), Some("notes.txt".to_string()))]);
    assert!(limits.is_empty(), "{limits:?}");
}

#[test]
fn text_after_200_kb_of_binary_in_an_opaque_attachment_is_found() {
    let mut export = binary(200_000);
    export.extend_from_slice(b"\0\0witness: Jane Doe\0\0");
    let r = scanner(Limits::default()).scan(&message("export.bin", "application/octet-stream", &export));
    let (found, limits) = outcome(&r);
    assert_eq!(found, [(Part::Attachment, Some("export.bin".to_string()), None)]);
    assert!(limits.is_empty(), "{limits:?}");
}

#[test]
fn utf16_text_in_binary_is_found() {
    let mut data = binary(10_000);
    data.extend_from_slice(&[0, 0]);
    data.extend("Jane Doe".encode_utf16().flat_map(u16::to_le_bytes));
    data.extend_from_slice(&[0, 0, 0xff]);
    let r = scanner(Limits::default()).scan(&message("data.bin", "application/octet-stream", &data));
    assert_eq!(outcome(&r).0.len(), 1);
}

#[test]
fn utf16_big_endian_text_in_binary_is_found() {
    // A Cyrillic name: read one byte along in the other byte order, its space would become a
    // letter, so it is found only where big-endian runs are read.
    let list = ProtectedList::from_csv("id,kind,value\nV02,name,Ольга Петрова\n").unwrap();
    let s = Scanner::new(list, Policy::default());
    for big_endian in [false, true] {
        for pad in [0usize, 1] {
            let mut data = binary(10_000 + pad);
            data.extend_from_slice(&[0, 0]);
            data.extend("Ольга Петрова".encode_utf16().flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            }));
            data.extend_from_slice(&[0, 0, 0xff]);
            let r = s.scan(&message("data.bin", "application/octet-stream", &data));
            assert_eq!(outcome(&r).0.len(), 1, "big-endian {big_endian}, pad {pad}");
        }
    }
}

#[test]
fn text_right_after_0xff_padding_is_found() {
    // A block of 0xff (free sectors, erased flash, padded records) right before the name, in
    // ASCII, UTF-16LE and UTF-16BE, at both parities; padding after it too.
    let encodings: [fn(&str) -> Vec<u8>; 3] = [
        |s| s.as_bytes().to_vec(),
        |s| s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        |s| s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    ];
    for (n, encode) in encodings.iter().enumerate() {
        for pad in [4096, 4097] {
            let mut data = binary(1_000);
            data.extend(vec![0xff; pad]);
            data.extend(encode("Jane Doe"));
            data.extend([0xff; 64]);
            let r = scanner(Limits::default()).scan(&message("disk.img", "application/octet-stream", &data));
            let (found, limits) = outcome(&r);
            assert_eq!(
                found,
                [(Part::Attachment, Some("disk.img".to_string()), None)],
                "encoding {n}, {pad}"
            );
            assert!(limits.is_empty(), "{limits:?}");
        }
    }
}

#[test]
fn a_huge_binary_member_meets_the_limit() {
    let mut big = binary(2 << 20);
    big.extend_from_slice(b"\0Jane Doe\0");
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let r = scanner(limits).scan(&message("dump.zip", "application/zip", &zip(&[("core.dump", &big)])));
    let (found, limits) = outcome(&r);
    assert!(found.is_empty());
    assert_eq!(limits, ["max_extracted_bytes"]);
    // The same as an attachment of its own.
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let r = scanner(limits).scan(&message("core.dump", "application/octet-stream", &big));
    assert_eq!(outcome(&r).1, ["max_extracted_bytes"]);
}

#[test]
fn images_are_passed_over() {
    // A PNG whose text chunk names someone: images are not read (no OCR here).
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(binary(5000));
    png.extend_from_slice(b"tEXtComment\0Jane Doe");
    let r = scanner(Limits::default()).scan(&message("photo.png", "image/png", &png));
    assert_eq!(outcome(&r), (vec![], vec![]));
    let r = scanner(Limits::default()).scan(&message(
        "photos.zip",
        "application/zip",
        &zip(&[("photo.png", &png)]),
    ));
    assert_eq!(outcome(&r), (vec![], vec![]));
}
