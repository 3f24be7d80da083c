//! Messages inside attachments (CONTRACT.md, "What a recipient sees"): an `.eml` file inside an
//! archive is read as a message, its segments reported in the attachment at the path of the
//! message (`export.zip > note.eml > body`); a message sent as `application/octet-stream` is
//! read as an attached message. A text file is not taken for a message.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;

use base64::Engine;
use maildlp::{Detail, Part, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;
use mail::{attached as message, limits, zip};

fn scanner() -> Scanner {
    let list = "id,kind,value\nP01,name,Jane Doe\nP02,name,Ravi Patel\nP03,email,amara.okafor@mail.example\n\
                P04,name,Tomasz Nowak\nP05,name,Leila Haddad\n";
    Scanner::new(ProtectedList::from_csv(list).unwrap(), Policy::default())
}

fn base64_lines(body: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n")
}

/// A forwarded message: a protected address in its From, a name in its subject, its body and
/// the CSV it carries.
fn note() -> Vec<u8> {
    format!(
        "From: Witness <amara.okafor@mail.example>\r\nTo: officer@police.example\r\nDate: Mon, 2 Dec 2024 10:00:00 +0000\r\n\
         Subject: About Jane Doe\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"n1\"\r\n\r\n\
         --n1\r\nContent-Type: text/plain\r\n\r\nI saw Ravi Patel there.\r\n\
         --n1\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"names.csv\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--n1--\r\n",
        base64_lines(b"name\r\nTomasz Nowak\r\n")
    )
    .into_bytes()
}

/// (record, part, name, path) of every protected-identifier finding.
fn places(report: &Report) -> BTreeSet<(String, Part, Option<String>, Option<String>)> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.part, location.name.clone(), location.path.clone()))
            }
            _ => None,
        })
        .collect()
}

fn place(record: &str, part: Part, name: &str, path: &str) -> (String, Part, Option<String>, Option<String>) {
    (record.to_string(), part, Some(name.to_string()), Some(path.to_string()))
}

#[test]
fn an_eml_in_an_archive_is_read_as_a_message() {
    let archive = zip(&[("export/note.eml", &note()), ("export/readme.txt", b"Leila Haddad\r\n")]);
    let r = scanner().scan(&message("export.zip", "application/zip", &archive));
    let want: BTreeSet<_> = [
        place("P01", Part::Attachment, "export.zip", "export/note.eml > subject"),
        place("P02", Part::Attachment, "export.zip", "export/note.eml > body"),
        place("P03", Part::AttachedHeaders, "export.zip", "export/note.eml"),
        place("P04", Part::Attachment, "export.zip", "export/note.eml > names.csv"),
        place("P05", Part::Attachment, "export.zip", "export/readme.txt"),
    ]
    .into_iter()
    .collect();
    assert_eq!(places(&r), want);
    assert!(limits(&r).is_empty(), "{:?}", limits(&r));
    assert_eq!(r.verdict(), Verdict::Block);
    // Every finding inside the archive carries the attachment's number.
    for f in r.findings() {
        if let Detail::Identifier { location, .. } = &f.detail {
            assert_eq!(location.index, 1);
        }
    }
}

#[test]
fn an_eml_in_an_archive_in_a_message_in_an_archive() {
    let inner = zip(&[("note.eml", &note())]);
    let outer_note = format!(
        "From: a@police.example\r\nTo: b@police.example\r\nDate: Mon, 2 Dec 2024 10:00:00 +0000\r\nSubject: fwd\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o1\"\r\n\r\n--o1\r\nContent-Type: text/plain\r\n\r\nsee\r\n\
         --o1\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"inner.zip\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--o1--\r\n",
        base64_lines(&inner)
    );
    let archive = zip(&[("outer.eml", outer_note.as_bytes())]);
    let r = scanner().scan(&message("case.zip", "application/zip", &archive));
    let paths: BTreeSet<_> = places(&r).into_iter().map(|(rec, _, _, path)| (rec, path.unwrap())).collect();
    let want: BTreeSet<_> = [
        ("P01", "outer.eml > inner.zip > note.eml > subject"),
        ("P02", "outer.eml > inner.zip > note.eml > body"),
        ("P03", "outer.eml > inner.zip > note.eml"),
        ("P04", "outer.eml > inner.zip > note.eml > names.csv"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(paths, want);
}

#[test]
fn a_message_sent_as_octet_stream_is_an_attached_message() {
    let r = scanner().scan(&message("forwarded.eml", "application/octet-stream", &note()));
    let got: BTreeSet<_> = places(&r).into_iter().map(|(rec, part, _, _)| (rec, part)).collect();
    let want: BTreeSet<_> = [
        ("P01", Part::Subject),
        ("P02", Part::Body),
        ("P03", Part::AttachedHeaders),
        ("P04", Part::Attachment),
    ]
    .into_iter()
    .map(|(a, p)| (a.to_string(), p))
    .collect();
    assert_eq!(got, want);
    // The same message under a name that says nothing is read the same way.
    let r2 = scanner().scan(&message("data.bin", "application/octet-stream", &note()));
    let got2: BTreeSet<_> = places(&r2).into_iter().map(|(rec, part, _, _)| (rec, part)).collect();
    assert_eq!(got2, want);
}

#[test]
fn text_that_starts_like_a_header_stays_text() {
    let text = b"Subject: minutes of the meeting\r\n\r\nJane Doe attended.\r\n";
    let archive = zip(&[("minutes.txt", text)]);
    let r = scanner().scan(&message("minutes.zip", "application/zip", &archive));
    let want: BTreeSet<_> =
        [place("P01", Part::Attachment, "minutes.zip", "minutes.txt")].into_iter().collect();
    assert_eq!(places(&r), want);
}

#[test]
fn messages_nested_in_archives_stop_at_the_depth_limit() {
    // note.eml in a zip in a message in a zip ... 40 times: read down to `max_depth`, then
    // said, never followed without end.
    let mut bytes = note();
    for level in 0..40 {
        let archive = zip(&[(&format!("level{level}.eml"), &bytes)]);
        bytes = format!(
            "From: a@police.example\r\nDate: Mon, 2 Dec 2024 10:00:00 +0000\r\nSubject: level {level}\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"l{level}\"\r\n\r\n--l{level}\r\nContent-Type: application/zip\r\n\
             Content-Disposition: attachment; filename=\"l{level}.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--l{level}--\r\n",
            base64_lines(&archive)
        )
        .into_bytes();
    }
    let r = scanner().scan(&message("deep.zip", "application/zip", &zip(&[("top.eml", &bytes)])));
    assert!(limits(&r).contains(&"max_depth".to_string()), "{:?}", limits(&r));
    assert!(places(&r).is_empty());
}
