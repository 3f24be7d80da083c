//! What the targets that feed attachments share: one scanner with small limits, a message
//! carrying the fuzzed bytes as an attachment, and the promise every report keeps. Included
//! with `#[path = "shared/mod.rs"] mod shared;`, and by `tests/fuzz_regressions.rs`, which
//! replays the kept inputs through the same scanner, message and promise.

use std::sync::OnceLock;

use base64::Engine;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

/// A scanner with a one-record list and small limits, built once.
pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| build(false))
}

/// The same scanner reading images by OCR (policy `ocr = true`); without Tesseract it still
/// decodes every image before it says OCR is unavailable.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn ocr_scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| build(true))
}

fn build(ocr: bool) -> Scanner {
    // Dependencies panic on some malformed documents; maildlp catches those panics and
    // reports the document unreadable. libFuzzer's hook would abort on a caught panic, so
    // it is replaced: a panic that escapes the scan still aborts the run (libfuzzer-sys
    // aborts when the target unwinds). Replayed by `cargo test`, panics keep their message.
    #[cfg(fuzzing)]
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
        max_ocr_pixels: 4_000_000,
    };
    Scanner::new(list, Policy::builder().limits(limits).ocr(ocr).build().expect("policy"))
}

/// A message to an outsider with `body` as a base64 attachment `name` of `content_type`.
pub fn message(name: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut m = format!(
        "From: a@b.example\r\nTo: x@y.example\r\nContent-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n\
         --=b\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    m.extend_from_slice(b64.as_bytes());
    m.extend_from_slice(b"\r\n--=b--\r\n");
    m
}

/// What a report `json` breaks of what every report promises, if anything: it is a report,
/// and it names no listed value in clear.
pub fn broken_promise(json: &str) -> Option<&'static str> {
    if !json.starts_with("{\"verdict\":") {
        Some("not a report")
    } else if json.contains("Jane Doe") || json.contains("jane.doe@example.org") {
        Some("a listed value in clear")
    } else {
        None
    }
}

/// Scans `message` and panics when its report breaks a promise (the targets; the replay
/// names the input that broke it instead).
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn scan_and_check(message: &[u8]) {
    if let Some(why) = broken_promise(&scanner().scan(message).to_json()) {
        panic!("{why}");
    }
}
