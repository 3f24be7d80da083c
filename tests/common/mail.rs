//! Messages built by tests (one attachment to an outsider, ZIP archives), the limits a report
//! met, and the peak heap of a scan. Included with `#[path = "common/mail.rs"] mod mail;` (not every test uses every
//! helper).
#![allow(dead_code)]

use std::io::Write;

use base64::Engine;
use maildlp::{Detail, Report};

/// A message from an officer to an outsider with a short body and one attachment `name` of
/// `content_type`, base64-encoded.
pub fn attached(name: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// A ZIP archive of `members` (name, bytes), deflated.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The `reader` of every scan-incomplete finding that names one, in order.
pub fn readers(report: &Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Incomplete { reader: Some(r), .. } => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// The `limit` of every scan-incomplete finding of `report`, in order.
pub fn limits(report: &Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Incomplete { limit, .. } => Some(limit.as_str().to_string()),
            _ => None,
        })
        .collect()
}

/// (record, part, path) of every protected-identifier finding of `report`.
pub fn places(report: &Report) -> std::collections::BTreeSet<(String, maildlp::Part, String)> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.part, location.path.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect()
}

/// The set of (record, part, path) `items`, to compare with [`places`].
pub fn set(
    items: &[(&str, maildlp::Part, &str)],
) -> std::collections::BTreeSet<(String, maildlp::Part, String)> {
    items.iter().map(|(a, p, b)| (a.to_string(), *p, b.to_string())).collect()
}

/// Scans `message` with `scanner` after a warm-up scan (the per-thread buffers are then this
/// message's cost alone), and returns the report and the peak heap the scan reached.
pub fn measured(scanner: &maildlp::Scanner, message: &[u8]) -> (Report, u64) {
    let _ = scanner.scan(b"Subject: warm\r\n\r\nJane Doe\r\n");
    let mut report = None;
    let info = allocation_counter::measure(|| report = Some(scanner.scan(message)));
    (report.expect("the scan ran"), info.bytes_max)
}
