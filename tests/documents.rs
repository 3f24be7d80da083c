//! Documents and archives: every fixture in `tests/documents/` (made by real producers, see
//! `make_fixtures.py`) is attached to a message and scanned. Each hidden place holds a
//! different protected person, so the findings say exactly which places were read; the
//! expected set is complete, so a false alarm fails as surely as a miss.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;
use std::path::Path;

use maildlp::{Detail, Part, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/compound.rs"]
mod compound;
#[path = "common/mail.rs"]
mod mail;
use mail::{attached as message, limits};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents").join(name)).unwrap()
}

fn scanner(policy: &str) -> Scanner {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    let list = ProtectedList::from_csv(&list.unwrap()).unwrap();
    Scanner::new(list, Policy::from_toml(policy).unwrap())
}

/// (record, part, path, hidden) of every protected-identifier finding.
fn places(report: &Report) -> BTreeSet<(String, Part, Option<String>, bool)> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.part, location.path.clone(), location.hidden))
            }
            _ => None,
        })
        .collect()
}

type Want = &'static [(&'static str, Option<&'static str>, bool)];

/// The workbook fixture's people and where they are.
const WORKBOOK: Want = &[
    ("P01", Some("Summary!A2"), false),
    ("P05", Some("Summary!D2"), true),
    ("P10", Some("Summary!A3"), false),
    ("P08", Some("Summary!B5"), false),
    ("P04", Some("Summary!A6"), true),
    ("P07", Some("Summary footer"), false),
    ("P06", Some("Summary!B2 comment"), false),
    ("P02", Some("Workforce!B2"), true),
    ("P03", Some("Archive!A1"), true),
];

const DOCUMENT: Want = &[
    ("P11", None, false),
    ("P17", None, false),
    ("P12", None, false),
    ("P15", None, true),
    ("P19", None, true),
    ("P13", Some("header"), false),
    ("P14", Some("footer"), false),
    ("P18", Some("comment"), false),
    ("P16", Some("properties"), false),
];

struct Case {
    file: &'static str,
    want: Want,
}

fn attachment_places(want: Want, prefix: &str) -> BTreeSet<(String, Part, Option<String>, bool)> {
    want.iter()
        .map(|(r, p, h)| {
            let path = match (prefix.is_empty(), p) {
                (true, p) => p.map(str::to_string),
                (false, None) => Some(prefix.to_string()),
                (false, Some(p)) => Some(format!("{prefix} > {p}")),
            };
            (r.to_string(), Part::Attachment, path, *h)
        })
        .collect()
}

#[test]
fn every_format_and_hidden_place() {
    let cases = [
        Case { file: "workbook.xlsx", want: WORKBOOK },
        Case { file: "workbook-lo.xlsx", want: WORKBOOK },
        Case {
            file: "workbook-lo.ods",
            want: &[
                ("P01", Some("Summary!A2"), false),
                ("P05", Some("Summary!D2"), true),
                ("P10", Some("Summary!A3"), false),
                ("P08", Some("Summary!B5"), false),
                ("P04", Some("Summary!A6"), true),
                ("P07", Some("footer"), false),
                ("P06", Some("Summary!B2 comment"), false),
                ("P02", Some("Workforce!B2"), true),
                ("P03", Some("Archive!A1"), true),
            ],
        },
        Case { file: "clean.xlsx", want: &[] },
        Case {
            file: "legacy.xls",
            want: &[("P24", Some("Visible!A1"), false), ("P25", Some("Hidden!B4"), true)],
        },
        Case { file: "contacts.ods", want: &[("P23", Some("Contacts!A1"), false)] },
        Case { file: "document.docx", want: DOCUMENT },
        Case { file: "document-lo.odt", want: DOCUMENT },
        Case {
            // LibreOffice's RTF export leaves comments out.
            file: "document-lo.rtf",
            want: &[
                ("P11", None, false),
                ("P17", None, false),
                ("P12", None, false),
                ("P15", None, true),
                ("P19", None, true),
                ("P13", Some("header"), false),
                ("P14", Some("footer"), false),
                ("P16", Some("properties"), false),
            ],
        },
        Case {
            // The PDF shows what prints: no hidden text, no comment.
            file: "document-lo.pdf",
            want: &[
                ("P11", Some("page 1"), false),
                ("P17", Some("page 1"), false),
                ("P12", Some("page 1"), false),
                ("P19", Some("page 1"), false),
                ("P13", Some("page 1"), false),
                ("P14", Some("page 1"), false),
                ("P16", Some("properties"), false),
            ],
        },
        Case {
            file: "slides.pptx",
            want: &[("P20", Some("slide 1"), false), ("P21", Some("notes 1"), false)],
        },
        Case {
            file: "slides-lo.odp",
            want: &[("P20", Some("slide 1"), false), ("P21", Some("notes 1"), false)],
        },
        Case { file: "letter.odt", want: &[("P22", None, false)] },
        Case {
            file: "report.pdf",
            want: &[("P26", Some("properties"), false), ("P27", Some("page 2"), false)],
        },
        Case {
            file: "memo.rtf",
            want: &[("P31", Some("properties"), false), ("P32", None, false), ("P33", None, true)],
        },
        Case { file: "victims.csv.gz", want: &[("P30", Some("victims.csv"), false)] },
    ];
    let s = scanner("");
    let mut failures = Vec::new();
    for case in cases {
        // Labelled as opaque bytes: the content decides the format.
        let report = s.scan(&message(case.file, "application/octet-stream", &fixture(case.file)));
        let got = places(&report);
        let want = attachment_places(case.want, "");
        if got != want {
            failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", case.file));
        }
        if !limits(&report).is_empty() {
            failures.push(format!("{}: unexpected scan-incomplete {:?}", case.file, limits(&report)));
        }
        let verdict = if want.is_empty() { Verdict::Allow } else { Verdict::Block };
        if report.verdict() != verdict {
            failures.push(format!("{}: verdict {}", case.file, report.verdict()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn archives_nested_and_member_names() {
    let s = scanner("");
    let report = s.scan(&message("export.zip", "application/zip", &fixture("export.zip")));
    let mut want = attachment_places(&[("P28", Some("export/victims.csv"), false)], "");
    want.insert(("P29".into(), Part::AttachmentName, None, false));
    assert_eq!(places(&report), want);

    let report = s.scan(&message("nested.zip", "application/zip", &fixture("nested.zip")));
    let mut want = attachment_places(&[("P28", Some("export/victims.csv"), false)], "outer/inner.zip");
    want.insert(("P29".into(), Part::AttachmentName, Some("outer/inner.zip".into()), false));
    want.extend(attachment_places(WORKBOOK, "outer/data.xlsx"));
    assert_eq!(places(&report), want);
}

#[test]
fn label_and_name_do_not_decide() {
    // A workbook called photo.png and labelled as an image is still a workbook.
    let s = scanner("");
    let report = s.scan(&message("photo.png", "image/png", &fixture("workbook.xlsx")));
    assert_eq!(places(&report), attachment_places(WORKBOOK, ""));
}

#[test]
fn spreadsheet_inside_a_forwarded_message() {
    let inner = message(
        "figures.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &fixture("workbook.xlsx"),
    );
    let outer = format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: Fwd: files\r\n\
         Content-Type: multipart/mixed; boundary=\"o1\"\r\n\r\n--o1\r\nContent-Type: text/plain\r\n\r\nForwarding.\r\n\
         --o1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{}\r\n--o1--\r\n",
        String::from_utf8(inner).unwrap()
    );
    let report = scanner("").scan(outer.as_bytes());
    let got: BTreeSet<String> = places(&report).into_iter().map(|p| p.0).collect();
    let want: BTreeSet<String> = WORKBOOK.iter().map(|w| w.0.to_string()).collect();
    assert_eq!(got, want);
}

#[test]
fn encrypted_documents_are_incomplete_not_silent() {
    let s = scanner("");
    for file in ["encrypted.zip", "encrypted.xlsx", "encrypted.pdf"] {
        let report = s.scan(&message(file, "application/octet-stream", &fixture(file)));
        assert_eq!(limits(&report), ["encrypted"], "{file}");
        assert_eq!(report.verdict(), Verdict::Warn, "{file}");
    }
}

#[test]
fn locations_read_plainly_and_mask_names() {
    let s = scanner("");
    let report =
        s.scan(&message("Ravi Patel workbook.xlsx", "application/octet-stream", &fixture("workbook.xlsx")));
    let f = report
        .findings()
        .iter()
        .find(|f| {
            matches!(&f.detail, Detail::Identifier { record, location, .. }
                if record == "P02" && location.part == Part::Attachment)
        })
        .unwrap();
    let Detail::Identifier { location, .. } = &f.detail else { unreachable!() };
    // The file name names a protected person: the report masks it.
    assert_eq!(location.name.as_deref(), Some("R*** P**** workbook.xlsx"));
    assert_eq!(location.to_string(), "attachment 1 R*** P**** workbook.xlsx, sheet Workforce (hidden), B2");
    assert!(!report.to_json().contains("Ravi"), "{}", report.to_json());
}

#[test]
fn long_reports_keep_the_first_findings_and_a_summary() {
    let mut csv = String::from("name\n");
    let list: String = (0..150).map(|i| format!("R{i:03},name,Person{i:03} Surname\n")).collect();
    for i in 0..150 {
        csv.push_str(&format!("Person{i:03} Surname\n"));
    }
    let s = Scanner::new(
        ProtectedList::from_csv(&format!("id,kind,value\n{list}")).unwrap(),
        Policy::from_toml("max_reported_findings = 100").unwrap(),
    );
    let report = s.scan(&message("extract.csv", "text/csv", csv.as_bytes()));
    assert_eq!(report.findings().len(), 100);
    let summary = report.summary().unwrap();
    assert_eq!(summary.findings, 150);
    assert_eq!(summary.listed, 100);
    assert_eq!(summary.rules.get("protected-identifier"), Some(&150));
    assert_eq!(summary.places.len(), 1);
    assert_eq!(summary.places[0].records, 150);
    assert_eq!(summary.places[0].label(), "attachment 1 extract.csv");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["places"][0]["records"], 150);

    // Under the cap: no summary.
    let small = Scanner::new(
        ProtectedList::from_csv(&format!("id,kind,value\n{list}")).unwrap(),
        Policy::from_toml("max_reported_findings = 500").unwrap(),
    );
    let report = small.scan(&message("extract.csv", "text/csv", csv.as_bytes()));
    assert_eq!(report.findings().len(), 150);
    assert!(report.summary().is_none());
}

#[test]
fn pivot_caches_and_drawings_over_sheets() {
    // The clean workbook, with what a pivot table and a text box over a sheet add to it.
    use std::io::{Read, Write};
    let clean = fixture("clean.xlsx");
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(&clean[..])).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(f.name().unwrap().into_owned(), options).unwrap();
        out.write_all(&data).unwrap();
    }
    let extra = [
        (
            "xl/pivotCache/pivotCacheDefinition1.xml",
            r#"<pivotCacheDefinition><cacheFields><cacheField name="n"><sharedItems><s v="Sofia Rossi"/><s v="Other"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>"#,
        ),
        (
            "xl/pivotCache/pivotCacheRecords1.xml",
            r#"<pivotCacheRecords><r><s v="Chen"/><s v="Wei"/><n v="3"/></r></pivotCacheRecords>"#,
        ),
        (
            "xl/drawings/drawing1.xml",
            r#"<xdr:wsDr><xdr:sp><xdr:txBody><a:p><a:r><a:t>Note: Mei Lin</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:wsDr>"#,
        ),
    ];
    for (name, body) in extra {
        out.start_file(name, options).unwrap();
        out.write_all(body.as_bytes()).unwrap();
    }
    let book = out.finish().unwrap().into_inner();
    let report = scanner("").scan(&message("pivot.xlsx", "application/octet-stream", &book));
    let want = attachment_places(
        &[
            ("P11", Some("pivot cache"), false),
            ("P12", Some("pivot cache"), false),
            ("P22", Some("drawing 1"), false),
        ],
        "",
    );
    assert_eq!(places(&report), want);
}

/// A compound file holding `streams` (paths from the root; storages made as needed).
fn compound_file(streams: &[(&str, &[u8])]) -> Vec<u8> {
    compound::compound(&streams.iter().map(|(p, d)| (p.to_string(), d.to_vec())).collect::<Vec<_>>())
}

#[test]
fn word_97_document_from_a_real_producer() {
    // A Word 2010 `.doc` (French, about wild parsley) attached to a message of the
    // php-mime-mail-parser corpus; its text is read from the file's text runs.
    let message = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/php-mime-mail-parser/m0024.eml"),
    )
    .unwrap();
    let s = Scanner::new(
        ProtectedList::from_csv(
            "id,kind,value\nB01,term,Petroselinum crispum\nB02,term,Helminthoteca echioides\n",
        )
        .unwrap(),
        Policy::default(),
    );
    let report = s.scan(&message);
    let got: BTreeSet<(String, Part, Option<String>, bool)> = places(&report);
    let want: BTreeSet<_> =
        ["B01", "B02"].into_iter().map(|r| (r.to_string(), Part::Attachment, None, false)).collect();
    assert_eq!(got, want);
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));
    let names: Vec<&str> = report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { location, .. } => location.name.as_deref(),
            _ => None,
        })
        .collect();
    assert!(names.iter().all(|n| n.ends_with("semaine.doc")), "{names:?}");
}

#[test]
fn compound_files_read_through_their_directory() {
    let s = scanner("");
    // A compound file of no kind maildlp knows (not Word, Excel, PowerPoint or Outlook): the
    // text in its streams is still found, in storages too.
    let mut notes = compound::utf16("Interview notes: Jane Doe, second statement.");
    notes.extend(vec![0u8; 6000]);
    let unknown = compound_file(&[("/Header", b"\x01\x02\x03\x04"), ("/Case files/Notes", &notes)]);
    let report = s.scan(&message("case.bin", "application/octet-stream", &unknown));
    assert_eq!(places(&report), attachment_places(&[("P01", None, false)], ""));
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));

    // The encrypted fixture is known by its `EncryptedPackage` stream at the root; the same
    // name deeper down, or written in a stream's text, is no encryption.
    let mut text = compound::utf16("EncryptedPackage was not used for Ravi Patel.");
    text.extend(vec![0u8; 100]);
    let plain = compound_file(&[("/Storage/EncryptedPackage", b"\x00\x01"), ("/Contents", &text)]);
    let report = s.scan(&message("plain.bin", "application/octet-stream", &plain));
    assert_eq!(places(&report), attachment_places(&[("P02", None, false)], ""));
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));

    // A workbook stream that is not a workbook: read for its text runs.
    let mut not_biff = compound::utf16("Owen Price");
    not_biff.extend(vec![0xffu8; 5000]);
    let fake = compound_file(&[("/Workbook", &not_biff)]);
    let report = s.scan(&message("fake.xls", "application/octet-stream", &fake));
    assert_eq!(places(&report), attachment_places(&[("P07", None, false)], ""));

    // The legacy workbook fixture inside a ZIP: its cells, through the directory.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("old/legacy.xls", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, &fixture("legacy.xls")).unwrap();
    let zipped = zip.finish().unwrap().into_inner();
    let report = s.scan(&message("old.zip", "application/zip", &zipped));
    assert_eq!(
        places(&report),
        attachment_places(
            &[("P24", Some("Visible!A1"), false), ("P25", Some("Hidden!B4"), true)],
            "old/legacy.xls"
        )
    );
}
