//! Bodies are decoded as they are read (base64 binaries only as far as telling what they
//! are): whatever is text or a document is still read in full, wherever the name sits.

use base64::Engine;
use maildlp::{Detail, Part, Policy, ProtectedList, Report, Scanner};

fn scanner() -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV02,name,Ravi Patel\n").unwrap();
    Scanner::new(list, Policy::default())
}

fn base64_lines(bytes: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    b64.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// (record, part) of every identifier finding.
fn found(report: &Report) -> Vec<(String, Part)> {
    let mut v: Vec<_> = report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => Some((record.clone(), location.part)),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn message(parts: &[String]) -> Vec<u8> {
    let mut m = String::from(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n",
    );
    for p in parts {
        m.push_str("--b1\r\n");
        m.push_str(p);
        m.push_str("\r\n");
    }
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

#[test]
fn text_labelled_as_an_image_is_read_past_its_first_kilobytes() {
    // 40 KB of rows, the protected name in the last one: far past what is decoded to decide.
    let mut csv = String::from("ref,name\n");
    for i in 0..2000 {
        csv.push_str(&format!("{i},Someone Else\n"));
    }
    csv.push_str("2000,Jane Doe\n");
    let part = format!(
        "Content-Type: image/png\r\nContent-Disposition: attachment; filename=\"chart.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(csv.as_bytes())
    );
    assert_eq!(found(&scanner().scan(&message(&[part]))), [("V01".to_string(), Part::Attachment)]);
}

/// That the image is decoded no further than its first kilobyte shows in its peak heap
/// (`tests/adversarial.rs`, `base64_image_20mb_costs_little`); here, that the parts around it
/// are read as before and nothing inside it is taken for text.
#[test]
fn a_text_part_after_an_image_is_read() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    // "Jane Doe" in the image's bytes is not text anyone reads.
    png.extend_from_slice(b"Jane Doe");
    let image =
        format!("Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64_lines(&png));
    let text = format!(
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(b"Dear Ravi Patel, caf\xe9")
    );
    assert_eq!(found(&scanner().scan(&message(&[image, text]))), [("V02".to_string(), Part::Body)]);
}

/// Long base64 bodies are read whole wherever a name sits in them:
/// what is read from them comes from the message, all of it; and where a boundary
/// stands in the middle of a photo's lines, the part after it is still read.
#[test]
fn long_base64_bodies_are_read_whole_wherever_the_name_sits() {
    let mut rows = String::new();
    for i in 0..3000 {
        rows.push_str(&format!("{i},{}\n", if i == 1500 { "Jane Doe" } else { "Someone Else" }));
    }
    let mut jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec();
    jpeg.extend((0..60_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let photo = format!(
        "Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(&jpeg)
    );
    let sheet = format!(
        "Content-Type: text/csv\r\nContent-Disposition: attachment; filename=\"rows.csv\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(rows.as_bytes())
    );
    let text = "Content-Type: text/plain\r\n\r\nRavi Patel".to_string();
    let expected = [("V01".to_string(), Part::Attachment), ("V02".to_string(), Part::Body)];
    let m = message(&[photo.clone(), sheet.clone(), photo.clone(), text.clone()]);
    assert_eq!(found(&scanner().scan(&m)), expected);
    // A boundary in the middle of the photo's lines ends it there for mail-parser: the text
    // after it is a part of its own, and read.
    let broken = photo.replacen("\r\n", "\r\nxx--b1\r\nContent-Type: text/plain\r\n\r\nRavi Patel\r\n", 40);
    let broken = broken.replacen("\r\nxx--b1", "\r\n", 39);
    assert_eq!(broken.matches("--b1").count(), 1);
    let found = found(&scanner().scan(&message(&[broken, sheet])));
    assert!(found.contains(&("V02".to_string(), Part::Body)), "{found:?}");
    assert!(found.contains(&("V01".to_string(), Part::Attachment)), "{found:?}");
}

#[test]
fn an_attached_message_in_base64_is_read_and_so_are_the_parts_after_it() {
    let inner = "From: a@example.org\r\nTo: b@example.org\r\nSubject: notes\r\n\r\nAbout Jane Doe.\r\n";
    let attached = format!(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        base64_lines(inner.as_bytes())
    );
    let after = "Content-Type: text/plain\r\n\r\nAnd Ravi Patel.".to_string();
    assert_eq!(
        found(&scanner().scan(&message(&[attached, after]))),
        [("V01".to_string(), Part::Body), ("V02".to_string(), Part::Body)]
    );
}

#[test]
fn an_attached_message_whose_encoding_has_a_comment_is_read_with_its_neighbours() {
    // RFC 2045 allows a comment after the encoding's name; mail-parser then does not decode.
    let inner = "From: a@example.org\r\nTo: b@example.org\r\nSubject: notes\r\n\r\nAbout Jane Doe.\r\n";
    let attached = format!(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: BASE64 (forwarded)\r\n\r\n{}",
        base64_lines(inner.as_bytes())
    );
    let other = "Content-Type: text/plain\r\n\r\nAnd Ravi Patel.".to_string();
    let both = [("V01".to_string(), Part::Body), ("V02".to_string(), Part::Body)];
    assert_eq!(found(&scanner().scan(&message(&[attached.clone(), other.clone()]))), both);
    assert_eq!(found(&scanner().scan(&message(&[other, attached]))), both);
}

#[test]
fn a_body_that_is_not_valid_base64_is_read_as_it_came() {
    let part = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                Notes: Jane Doe called back.\r\n"
        .to_string();
    assert_eq!(found(&scanner().scan(&message(&[part]))), [("V01".to_string(), Part::Body)]);
}

/// A part of a digest with no Content-Type is a message (RFC 2046 5.1.5): in base64 it is read
/// from its decoded bytes like any attached message, and a header name that is no MIME field
/// (`-Content-Type`) changes nothing.
#[test]
fn an_untyped_part_of_a_digest_in_base64_is_read_as_a_message() {
    let inner = "From: a@example.org\r\nSubject: notes\r\n\r\nAbout Jane Doe.\r\n";
    for lead in ["", "-Content-Type: image/png\r\n"] {
        let m = format!(
            "From: officer@police.example\r\nTo: someone@example.net\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/digest; boundary=QUJD\r\n\r\n--QUJD\r\n{lead}\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--QUJD--\r\n",
            base64_lines(inner.as_bytes())
        );
        assert_eq!(found(&scanner().scan(m.as_bytes())), [("V01".to_string(), Part::Body)], "{lead:?}");
    }
}
