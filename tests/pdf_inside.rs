//! What a PDF holds besides its pages (CONTRACT.md, "Embedded objects"): embedded files read as
//! attachments, form field values (drawn or not), and the text of annotations. The fixtures
//! are made by reportlab and pypdf (`tests/documents/pdf/make_pdfs.py`); each place holds a
//! different person and the expected sets are complete.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use maildlp::{Part, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;
use mail::{limits, places, set};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/pdf").join(name)).unwrap()
}

fn scan(name: &str) -> Report {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    let scanner = Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), Policy::default());
    let b64 = base64::engine::general_purpose::STANDARD.encode(fixture(name));
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let message = format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        lines.join("\r\n")
    );
    scanner.scan(message.as_bytes())
}

#[test]
fn embedded_files_and_annotations_are_read() {
    let r = scan("attachments-and-notes.pdf");
    let want = set(&[
        ("P02", Part::Attachment, "embedded file export.csv"),
        ("P04", Part::Attachment, "page 1 annotation"),
        ("P05", Part::Attachment, "page 1 annotation"),
        ("P06", Part::Attachment, "embedded file notes.txt"),
    ]);
    assert_eq!(places(&r), want);
    assert_eq!(r.verdict(), Verdict::Block);
}

#[test]
fn form_field_values_are_read_drawn_or_not() {
    let r = scan("form.pdf");
    let want = set(&[
        ("P03", Part::Attachment, "form field Witness"),
        ("P07", Part::Attachment, "form field Contact"),
    ]);
    assert_eq!(places(&r), want);
}

#[test]
fn an_empty_form_is_allowed() {
    let r = scan("empty-form.pdf");
    assert_eq!(r.verdict(), Verdict::Allow, "{:?}", r.findings());
}

/// A PDF of `objects` (object n is `objects[n - 1]`, object 1 the catalog), with its
/// cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

/// A one-page PDF that embeds `inner` as `inner.pdf`.
fn embedding(inner: &[u8]) -> Vec<u8> {
    let mut stream = format!("<< /Type /EmbeddedFile /Length {} >>\nstream\n", inner.len()).into_bytes();
    stream.extend_from_slice(inner);
    stream.extend_from_slice(b"\nendstream");
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(inner.pdf) 4 0 R] >> >> >>"
            .to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
        b"<< /Type /Filespec /F (inner.pdf) /EF << /F 5 0 R >> >>".to_vec(),
        stream,
    ])
}

/// Scans a message carrying `body` as a PDF; with `bounded`, holds the peak heap to 4x the
/// message plus 2 MiB.
fn scan_bytes(body: &[u8], limits: maildlp::Limits, bounded: bool) -> (Report, u64) {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    let policy = Policy::builder().limits(limits).build().unwrap();
    let scanner = Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), policy);
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let message = format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/pdf; name=\"x.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        lines.join("\r\n")
    );
    let (report, peak) = mail::measured(&scanner, message.as_bytes());
    let budget = 4 * message.len() as u64 + (2 << 20);
    assert!(!bounded || peak <= budget, "peak heap {} > {budget}", peak);
    (report, peak)
}

#[test]
fn pdfs_embedding_pdfs_stop_at_the_depth_limit() {
    let mut doc = fixture("form.pdf");
    for _ in 0..60 {
        doc = embedding(&doc);
    }
    let (r, _) = scan_bytes(&doc, maildlp::Limits::default(), true);
    assert_eq!(limits(&r), ["max_depth"]);
    assert!(places(&r).is_empty());
    // A few levels down, the form is read.
    let mut doc = fixture("form.pdf");
    for _ in 0..3 {
        doc = embedding(&doc);
    }
    let (r, _) = scan_bytes(&doc, maildlp::Limits::default(), true);
    let paths: BTreeSet<String> = places(&r).into_iter().map(|(_, _, p)| p).collect();
    let inner = "embedded file inner.pdf > embedded file inner.pdf > embedded file inner.pdf";
    assert_eq!(
        paths,
        [format!("{inner} > form field Witness"), format!("{inner} > form field Contact")]
            .into_iter()
            .collect()
    );
}

#[test]
fn a_hundred_thousand_form_fields() {
    let n = 100_000;
    let refs: String = (0..n).map(|i| format!("{} 0 R ", i + 4)).collect();
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{refs}] >> >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
    ];
    for i in 0..n {
        let value = if i == n - 1 { "Amara Okafor".to_string() } else { format!("value {i}") };
        objects.push(format!("<< /FT /Tx /T (f{i}) /V ({value}) >>").into_bytes());
    }
    // The PDF's object model (lopdf's) costs about 1 KiB an object: a PDF of more objects than
    // twice its size pays for is read for runs of text only (the field's value is found in
    // them), reported unreadable, and the scan holds to 4x the message.
    let message = pdf(&objects);
    let (r, peak) = scan_bytes(&message, maildlp::Limits::default(), true);
    println!("100,000 form fields: {} bytes, peak heap {peak} bytes", message.len());
    assert_eq!(places(&r), set(&[("P03", Part::Attachment, "")]));
    assert_eq!(limits(&r), ["unreadable"]);
}
