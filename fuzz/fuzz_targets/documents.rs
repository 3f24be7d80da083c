//! Arbitrary bytes as an attachment (the document readers decide the format by content), and
//! the same bytes as the only member of a ZIP archive, scanned with small limits.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        // Dependencies panic on some malformed documents; maildlp catches those panics and
        // reports the document unreadable. libFuzzer's hook would abort on a caught panic, so
        // it is replaced: a panic that escapes the scan still aborts the run (libfuzzer-sys
        // aborts when the target unwinds).
        std::panic::set_hook(Box::new(|_| {}));
        let list = ProtectedList::from_csv(
            "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\n",
        )
        .expect("fixed list");
        let limits = Limits {
            max_message_bytes: 4 << 20,
            max_depth: 8,
            max_parts: 200,
            max_extracted_bytes: 8 << 20,
            max_archive_entries: 200,
        };
        Scanner::new(list, Policy::builder().limits(limits).build().expect("policy"))
    })
}

/// A message to an outsider with `body` as a base64 attachment.
fn message(body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut m = b"From: a@b.example\r\nTo: x@y.example\r\nContent-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n\
        --=b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    m.extend_from_slice(b64.as_bytes());
    m.extend_from_slice(b"\r\n--=b--\r\n");
    m
}

fuzz_target!(|data: &[u8]| {
    let s = scanner();
    let json = s.scan(&message(data)).to_json();
    assert!(json.starts_with("{\"verdict\":"));
    assert!(!json.contains("Jane Doe") && !json.contains("jane.doe@example.org"));
    // The same bytes inside a ZIP, so the archive and member paths see them too.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if zip.start_file("member", options).is_ok() && zip.write_all(data).is_ok() {
        if let Ok(cursor) = zip.finish() {
            let _ = s.scan(&message(&cursor.into_inner()));
        }
    }
});
