//! Outlook containers: TNEF (`winmail.dat`) and `.msg` files made by Outlook and Exchange
//! (`tests/outlook/`, see `SOURCES.md`), attached to messages and scanned with
//! `tests/outlook/protected.csv`, whose entries are text that really is in each fixture, each
//! in a different place (a TNEF body in RTF only, a TNEF sender, a file a TNEF carries, a
//! `.msg` recipient, a `.msg` body). The expected reports are complete: a false alarm fails as
//! surely as a miss.
//!
//! The two scenarios of a real incident are composed here from real parts, since no tool
//! on this machine writes these formats: `winmail.dat` carrying a CSV and a workbook (a TNEF
//! stream written attribute by attribute as MS-OXTNEF lays it out), and `FW contacts.msg`
//! whose attached workbook (`tests/documents/workbook.xlsx`, made by openpyxl) holds a witness
//! in a hidden row (a compound file written with the `cfb` crate, its streams named as
//! MS-OXMSG names them). A `.msg` whose body is only compressed RTF and a `.msg` embedded in
//! another are made from the streams of the real `strangeDate.msg`.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use maildlp::{Detail, Part, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/compound.rs"]
mod compound;
use compound::{attach_method, compound, prop_list, streams, utf16, Tnef};

fn fixture(folder: &str, name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(folder).join(name)).unwrap()
}

fn scanner() -> Scanner {
    let list = String::from_utf8(fixture("outlook", "protected.csv")).unwrap();
    Scanner::new(ProtectedList::from_csv(&list).unwrap(), Policy::default())
}

/// A message to an outsider with one base64 attachment `name` labelled `content_type`.
fn message(name: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: as requested\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n\
         --b1\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// A finding, as compared: rule, record, part, attachment number, name, path, hidden.
type Place = (String, String, Part, u32, Option<String>, Option<String>, bool);

fn places(report: &Report) -> BTreeSet<Place> {
    report
        .findings()
        .iter()
        .map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => (
                f.rule.as_str().to_string(),
                record.clone(),
                location.part,
                location.index,
                location.name.clone(),
                location.path.clone(),
                location.hidden,
            ),
            other => panic!("unexpected finding {other:?}"),
        })
        .collect()
}

/// The expected findings: (record, part, path, hidden), all in attachment 1 named `name`.
fn want(name: &str, list: &[(&str, Part, Option<&str>, bool)]) -> BTreeSet<Place> {
    list.iter()
        .map(|(record, part, path, hidden)| {
            (
                "protected-identifier".to_string(),
                record.to_string(),
                *part,
                1,
                Some(name.to_string()),
                path.map(str::to_string),
                *hidden,
            )
        })
        .collect()
}

fn check(name: &str, content_type: &str, file: &[u8], expected: &[(&str, Part, Option<&str>, bool)]) {
    let report = scanner().scan(&message(name, content_type, file));
    let want = want(name, expected);
    assert_eq!(places(&report), want, "{name}");
    assert_eq!(report.verdict(), if want.is_empty() { Verdict::Allow } else { Verdict::Block }, "{name}");
}

#[test]
fn tnef_from_exchange() {
    // The RTF-only body of a TNEF stream (compressed RTF), in attachment `winmail.dat`.
    check(
        "winmail.dat",
        "application/ms-tnef",
        &fixture("outlook", "rtf.tnef"),
        &[("O01", Part::Attachment, Some("body"), false)],
    );
    // The sender, as attached headers; the part is recognised by content whatever its name.
    check(
        "unicode-mapi-attr.dat",
        "application/octet-stream",
        &fixture("outlook", "unicode-mapi-attr.tnef"),
        &[("O02", Part::AttachedHeaders, None, false)],
    );
    // A file the TNEF stream carries.
    check(
        "winmail.dat",
        "application/ms-tnef",
        &fixture("outlook", "two-files.tnef"),
        &[("O03", Part::Attachment, Some("AUTHORS"), false)],
    );
    // The body (plain and HTML alike: one finding).
    check(
        "winmail.dat",
        "application/ms-tnef",
        &fixture("outlook", "body.tnef"),
        &[("O04", Part::Attachment, Some("body"), false)],
    );
}

#[test]
fn msg_from_outlook() {
    // A recipient's address.
    check(
        "sample.msg",
        "application/vnd.ms-outlook",
        &fixture("outlook", "sample.msg"),
        &[("O05", Part::AttachedHeaders, None, false)],
    );
    // The body (plain text and compressed RTF: one finding).
    check(
        "strangeDate.msg",
        "application/octet-stream",
        &fixture("outlook", "strangeDate.msg"),
        &[("O06", Part::Attachment, Some("body"), false)],
    );
}

#[test]
fn msg_whose_body_is_only_compressed_rtf() {
    let streams: Vec<_> = streams(&fixture("outlook", "strangeDate.msg"))
        .into_iter()
        .filter(|(path, _)| path != "/__substg1.0_1000001F")
        .collect();
    assert!(streams.iter().any(|(p, _)| p == "/__substg1.0_10090102"));
    check(
        "rtf-only.msg",
        "application/vnd.ms-outlook",
        &compound(&streams),
        &[("O06", Part::Attachment, Some("body"), false)],
    );
}

#[test]
fn msg_inside_msg() {
    // strangeDate.msg embedded in a forwarded message, as Outlook embeds one: its streams in
    // the attachment's `__substg1.0_3701000D` storage, its properties header 24 bytes long.
    let mut files = vec![
        ("/__properties_version1.0".to_string(), vec![0u8; 32]),
        ("/__substg1.0_0037001F".to_string(), utf16("FW: MSG Test File")),
        ("/__substg1.0_1000001F".to_string(), utf16("See the message below.")),
        ("/__attach_version1.0_#00000000/__properties_version1.0".to_string(), attach_method(5)),
        ("/__attach_version1.0_#00000000/__substg1.0_3001001F".to_string(), utf16("inner.msg")),
    ];
    for (path, data) in streams(&fixture("outlook", "strangeDate.msg")) {
        let data = if path == "/__properties_version1.0" { data[8..].to_vec() } else { data };
        files.push((format!("/__attach_version1.0_#00000000/__substg1.0_3701000D{path}"), data));
    }
    check(
        "FW statement.msg",
        "application/vnd.ms-outlook",
        &compound(&files),
        &[("O06", Part::Attachment, Some("inner.msg > body"), false)],
    );
}

/// The first scenario: Exchange sends `winmail.dat` carrying a CSV that names a protected
/// person, and a workbook with another in a hidden row.
#[test]
fn winmail_dat_carrying_a_csv_and_a_workbook() {
    let mut w = Tnef::new();
    w.attribute(1, 0x9006, 8, &0x0001_0000u32.to_le_bytes()); // attTnefVersion
    w.attribute(1, 0x9007, 6, &[0xe4, 0x04, 0, 0, 0, 0, 0, 0]); // attOemCodepage 1252
    w.attribute(1, 0x8004, 1, b"Case list\0"); // attSubject
    w.attribute(1, 0x9003, 6, &prop_list(&[(0x001f, 0x1000, &utf16("The list is attached."))]));
    w.attribute(2, 0x9002, 6, &[1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0, 0, 0, 0, 0]);
    w.attribute(2, 0x8010, 1, b"VICTIM~1.CSV\0");
    w.attribute(2, 0x800f, 6, b"name,phone\r\nKofi Mensah,0161 496 0000\r\n");
    w.attribute(2, 0x9005, 6, &prop_list(&[(0x001f, 0x3707, &utf16("victims.csv"))]));
    let book = fixture("documents", "workbook.xlsx");
    w.attribute(2, 0x9002, 6, &[1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0, 0, 0, 0, 0]);
    w.attribute(2, 0x800f, 6, &book);
    w.attribute(2, 0x9005, 6, &prop_list(&[(0x001f, 0x3707, &utf16("report.xlsx"))]));
    check(
        "winmail.dat",
        "application/ms-tnef",
        &w.out,
        &[
            ("O07", Part::Attachment, Some("victims.csv"), false),
            ("O08", Part::Attachment, Some("report.xlsx > Summary!A6"), true),
        ],
    );
}

/// A message Exchange carries in `winmail.dat` as an `.eml` attachment is read as a message,
/// at its path inside the TNEF stream.
#[test]
fn eml_carried_in_winmail_dat_is_read_as_a_message() {
    let mut w = Tnef::new();
    w.attribute(1, 0x9006, 8, &0x0001_0000u32.to_le_bytes()); // attTnefVersion
    w.attribute(1, 0x8004, 1, b"Fwd\0"); // attSubject
    let eml = b"From: Desk <desk@paper.example>\r\nTo: officer@police.example\r\nDate: Mon, 2 Dec 2024 10:00:00 +0000\r\n\
        Subject: Statement\r\n\r\nBronwen Ellis called again.\r\n";
    w.attribute(2, 0x9002, 6, &[1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0, 0, 0, 0, 0]);
    w.attribute(2, 0x800f, 6, eml);
    w.attribute(2, 0x9005, 6, &prop_list(&[(0x001f, 0x3707, &utf16("statement.eml"))]));
    check(
        "winmail.dat",
        "application/ms-tnef",
        &w.out,
        &[("O10", Part::Attachment, Some("statement.eml > body"), false)],
    );
}

/// The second scenario: a message forwarded as an attachment from Outlook (`FW
/// contacts.msg`), whose attached workbook holds a witness in a hidden row; a recipient of
/// the forwarded message is protected too.
#[test]
fn fw_contacts_msg_with_a_witness_in_a_hidden_row() {
    let files = vec![
        ("/__properties_version1.0".to_string(), vec![0u8; 32]),
        ("/__substg1.0_0037001F".to_string(), utf16("FW: contacts")),
        ("/__substg1.0_1000001F".to_string(), utf16("Forwarding the contacts, as asked.")),
        ("/__recip_version1.0_#00000000/__properties_version1.0".to_string(), vec![0u8; 8]),
        ("/__recip_version1.0_#00000000/__substg1.0_3001001F".to_string(), utf16("Amara")),
        ("/__recip_version1.0_#00000000/__substg1.0_39FE001F".to_string(), utf16("amara.okafor@example.org")),
        ("/__attach_version1.0_#00000000/__properties_version1.0".to_string(), attach_method(1)),
        ("/__attach_version1.0_#00000000/__substg1.0_3707001F".to_string(), utf16("witness.xlsx")),
        (
            "/__attach_version1.0_#00000000/__substg1.0_37010102".to_string(),
            fixture("documents", "workbook.xlsx"),
        ),
    ];
    check(
        "FW contacts.msg",
        "application/vnd.ms-outlook",
        &compound(&files),
        &[
            ("O09", Part::AttachedHeaders, None, false),
            ("O08", Part::Attachment, Some("witness.xlsx > Summary!A6"), true),
        ],
    );
}

/// The attachment names inside a container are read as attachment names.
#[test]
fn names_inside_are_attachment_names() {
    let list = "id,kind,value\nN1,term,allproducts\n";
    let s = Scanner::new(ProtectedList::from_csv(list).unwrap(), Policy::default());
    let mut w = Tnef::new();
    w.attribute(2, 0x9002, 6, &[0; 14]);
    w.attribute(2, 0x8010, 1, b"allproducts.dat\0");
    w.attribute(2, 0x800f, 6, b"nothing here\n");
    let report = s.scan(&message("winmail.dat", "application/ms-tnef", &w.out));
    let got: Vec<_> = report
        .findings()
        .iter()
        .map(|f| match &f.detail {
            Detail::Identifier { location, .. } => {
                (location.part, location.name.clone(), location.path.clone())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, [(Part::AttachmentName, Some("winmail.dat".to_string()), None)]);
}

/// An OLE object kept as a storage of a `.msg` is read, never passed over.
#[test]
fn ole_object_in_msg_is_read() {
    let method = attach_method(6);
    let files = vec![
        ("/__properties_version1.0".to_string(), vec![0u8; 32]),
        ("/__substg1.0_1000001F".to_string(), utf16("See the object.")),
        ("/__attach_version1.0_#00000000/__properties_version1.0".to_string(), method),
        ("/__attach_version1.0_#00000000/__substg1.0_3001001F".to_string(), utf16("Picture")),
        (
            "/__attach_version1.0_#00000000/__substg1.0_3701000D/WordDocument".to_string(),
            utf16("Kofi Mensah"),
        ),
    ];
    let report = scanner().scan(&message("object.msg", "application/vnd.ms-outlook", &compound(&files)));
    let got: Vec<_> = report
        .findings()
        .iter()
        .map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => (record.clone(), location.path.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    // The storage is read as a compound file of its own: a `WordDocument` stream the Word
    // reader does not understand is read for its text runs.
    assert_eq!(got, [("O07".to_string(), Some("Picture".to_string()))]);
}
