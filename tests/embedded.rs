//! Objects embedded in documents (CONTRACT.md, "Embedded objects"): OOXML embeddings and OLE
//! packages, chart data, ODF sub-documents and OLE objects, RTF `\object` data, each read as
//! an attachment of the document, `path` showing the chain. The fixtures are made by
//! LibreOffice, and by hand where it cannot make the form
//! (`tests/documents/embedded/make_embedded.py`); each place holds a different person and the
//! expected sets are complete.

#![cfg(feature = "documents")]

use std::path::Path;

use maildlp::{Detail, Part, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/compound.rs"]
mod compound;
#[path = "common/mail.rs"]
mod mail;
use compound::{compound, streams, utf16};
use mail::{attached, limits, places, set};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/embedded").join(name)).unwrap()
}

fn scanner(limits: maildlp::Limits) -> Scanner {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/protected.csv"));
    let policy = Policy::builder().limits(limits).build().unwrap();
    Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), policy)
}

fn scan_as(name: &str, body: &[u8]) -> Report {
    scanner(maildlp::Limits::default()).scan(&attached(name, "application/octet-stream", body))
}

fn scan(name: &str) -> Report {
    scan_as(name, &fixture(name))
}

/// Expected findings: (record, part, path).
type Want = &'static [(&'static str, Part, &'static str)];

/// Scans `body` attached as `name` under `limits`, holding the peak heap to 4x the message
/// plus 2 MiB.
fn scan_bounded(name: &str, body: &[u8], limits: maildlp::Limits) -> Report {
    let message = attached(name, "application/octet-stream", body);
    let (report, peak) = mail::measured(&scanner(limits), &message);
    let budget = 4 * message.len() as u64 + (2 << 20);
    println!("{name}: {} bytes, peak heap {peak} bytes", message.len());
    assert!(peak <= budget, "{name}: peak heap {peak} > {budget}");
    report
}

#[test]
fn every_embedding_and_where_it_is() {
    use Part::Attachment as A;
    let cases: [(&str, Want); 16] = [
        // A spreadsheet object in a text document, as LibreOffice saves it in DOCX and ODT.
        (
            "report-lo.docx",
            &[
                ("P01", A, "embedded 1 oleObject1.xlsx > Sheet1!B2"),
                ("P10", A, "embedded 1 oleObject1.xlsx > Sheet2!A7"),
            ],
        ),
        (
            "report-lo.odt",
            &[("P01", A, "embedded 1 Object 1 > Sheet1!B2"), ("P10", A, "embedded 1 Object 1 > Sheet2!A7")],
        ),
        // A text document on a slide.
        ("slides-lo.pptx", &[("P11", A, "embedded 1 oleObject1.docx")]),
        ("slides-lo.odp", &[("P11", A, "embedded 1 Object 1")]),
        // A chart: its categories as the chart keeps them, in DOCX; the chart object's data
        // table in ODT; and the workbook Word keeps beside a chart, sheets the chart does not
        // show included.
        ("chart-lo.docx", &[("P13", A, "chart 1")]),
        ("chart-lo.odt", &[("P13", A, "embedded 1 Object 1")]),
        (
            "chart.docx",
            &[
                ("P13", A, "chart 1"),
                ("P13", A, "embedded 1 Microsoft_Excel_Worksheet.xlsx > Sheet1!A2"),
                ("P14", A, "embedded 1 Microsoft_Excel_Worksheet.xlsx > Sheet2!A7"),
            ],
        ),
        // An OLE package (a CSV file with its name) in a DOCX, and as LibreOffice keeps that
        // OLE object in an ODT.
        ("package.docx", &[("P04", A, "embedded 1 oleObject1.bin > contacts.csv")]),
        ("package-lo.odt", &[("P04", A, "embedded 1 Obj100 > contacts.csv")]),
        // The same, saved by LibreOffice as Word 97: the object in the `ObjectPool` storage.
        ("package-lo.doc", &[("P04", A, "embedded 1 > contacts.csv")]),
        // A spreadsheet object in a Word 97 document: the workbook's own streams in its
        // `ObjectPool` storage, read where they lie.
        ("report-lo.doc", &[("P17", A, "embedded 1 > Sheet1!B2"), ("P18", A, "embedded 1 > Sheet2!A7")]),
        // A text document and a spreadsheet on a sheet, saved by LibreOffice as Excel 97: each
        // in a storage `MBD...` of the workbook, a Word 97 document and an Excel 97 workbook.
        ("objects-lo.xls", &[("P15", A, "embedded 1"), ("P16", A, "embedded 2 > Sheet1!B2")]),
        // The same on a slide, as PowerPoint 97: each a compressed `ExOleObjStg` record.
        ("objects-lo.ppt", &[("P17", A, "embedded 1 > Sheet1!B2"), ("P18", A, "embedded 2")]),
        ("clean-lo.xls", &[]),
        // RTF objects: an OLE 1.0 package, and an Excel object holding its workbook.
        (
            "objects.rtf",
            &[
                ("P06", A, "embedded 1 Package > witness.txt"),
                ("P07", A, "embedded 2 Excel.Sheet.12 > Sheet1!A1"),
            ],
        ),
        // The same spreadsheet object, clean: nothing to find.
        ("clean-lo.docx", &[]),
    ];
    for (file, want) in cases {
        let r = scan(file);
        assert_eq!(places(&r), set(want), "{file}");
        assert!(limits(&r).is_empty(), "{file}: {:?}", limits(&r));
        let verdict = if want.is_empty() { Verdict::Allow } else { Verdict::Block };
        assert_eq!(r.verdict(), verdict, "{file}");
    }
}

#[test]
fn clean_embeddings_stay_allowed() {
    for file in ["clean-lo.docx", "clean-lo.odt", "clean-lo.xls"] {
        let r = scan(file);
        assert_eq!(r.verdict(), Verdict::Allow, "{file}: {:?}", r.findings());
        assert!(r.findings().is_empty(), "{file}: {:?}", r.findings());
    }
}

#[test]
fn the_path_shows_the_chain_from_the_attachment() {
    // The contract's example: a document inside an archive, its chart workbook, a sheet the
    // chart does not show.
    let archive = mail::zip(&[("report.docx", &fixture("chart.docx"))]);
    let r = scan_as("reports.zip", &archive);
    assert!(places(&r).contains(&(
        "P14".to_string(),
        Part::Attachment,
        "report.docx > embedded 1 Microsoft_Excel_Worksheet.xlsx > Sheet2!A7".to_string()
    )));
    let finding = r
        .findings()
        .iter()
        .find_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } if record == "P14" => Some(location.to_string()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        finding,
        "attachment 1 reports.zip, report.docx > embedded 1 Microsoft_Excel_Worksheet.xlsx > sheet Sheet2, A7"
    );
}

/// The members of the ZIP archive `bytes`: (name, content), in order.
fn members_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut data).unwrap();
            (file.name().unwrap().to_string(), data)
        })
        .collect()
}

/// The Packager's native data for a file `name` holding `data`, its data size `size`.
fn packager(name: &str, data: &[u8], size: u32) -> Vec<u8> {
    let mut out = 2u16.to_le_bytes().to_vec();
    out.extend_from_slice(format!("{name}\0C:\\Users\\me\\{name}\0").as_bytes());
    out.extend_from_slice(&0x0003_0000u32.to_le_bytes());
    let temp = format!("C:\\Temp\\{name}\0");
    out.extend_from_slice(&(temp.len() as u32).to_le_bytes());
    out.extend_from_slice(temp.as_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// `oleObject1.bin` holding the file `name`: an `\x01Ole10Native` stream, its size and the
/// file's declared as `size` (`None`: as they are).
fn ole_package(name: &str, data: &[u8], size: Option<u32>) -> Vec<u8> {
    let native = packager(name, data, size.unwrap_or(data.len() as u32));
    let mut stream = size.unwrap_or(native.len() as u32).to_le_bytes().to_vec();
    stream.extend(native);
    compound(&[("\u{1}Ole10Native".to_string(), stream)])
}

/// An Office object as an OLE 2 compound file of 512-byte sectors, as Office writes them:
/// `package` in its `Package` stream.
fn ole_office(package: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new())).unwrap();
    out.create_stream("/Package").unwrap().write_all(package).unwrap();
    out.flush().unwrap();
    out.into_inner().into_inner()
}

/// A DOCX reading "See below." with `embedded` members under `word/embeddings/`, its members
/// stored (not compressed) when `stored`.
fn docx_of(embedded: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
    let doc = br#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>See below.</w:t></w:r></w:p></w:body></w:document>"#;
    let names: Vec<String> = embedded.iter().map(|(n, _)| format!("word/embeddings/{n}")).collect();
    let mut members: Vec<(&str, &[u8])> = vec![("[Content_Types].xml", types), ("word/document.xml", doc)];
    members.extend(names.iter().zip(embedded).map(|(n, (_, b))| (n.as_str(), *b)));
    if !stored {
        return mail::zip(&members);
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        out.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut out, bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A DOCX reading "See below." with `embedded` members under `word/embeddings/`.
fn docx(embedded: &[(&str, &[u8])]) -> Vec<u8> {
    docx_of(embedded, false)
}

#[test]
fn names_of_packaged_files_are_read() {
    let doc = docx(&[("oleObject1.bin", &ole_package("Amara Okafor statement.txt", b"nothing here", None))]);
    let r = scan_as("note.docx", &doc);
    assert_eq!(places(&r), set(&[("P03", Part::AttachmentName, "embedded 1 oleObject1.bin")]));
}

#[test]
fn chart_workbooks_are_found_through_the_chart() {
    // The chart's workbook outside any `embeddings` folder, named only by the chart's
    // relationships.
    let mut members = members_of(&fixture("chart.docx"));
    for (name, data) in &mut members {
        match name.as_str() {
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx" => {
                *name = "word/charts/data/book.xlsx".to_string()
            }
            "word/charts/_rels/chart1.xml.rels" => {
                *data = String::from_utf8(data.clone())
                    .unwrap()
                    .replace("../embeddings/Microsoft_Excel_Worksheet.xlsx", "data/book.xlsx")
                    .into_bytes();
            }
            _ => {}
        }
    }
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let r = scan_as("chart.docx", &mail::zip(&members));
    use Part::Attachment as A;
    assert_eq!(
        places(&r),
        set(&[
            ("P13", A, "chart 1"),
            ("P13", A, "embedded 1 book.xlsx > Sheet1!A2"),
            ("P14", A, "embedded 1 book.xlsx > Sheet2!A7"),
        ])
    );
}

#[test]
fn embeddings_embedding_themselves_stop_at_the_depth_limit() {
    // A document whose embedded object holds a document whose embedded object holds...:
    // DOCX in an OLE object (its `Package` stream) in a DOCX, and so on.
    let wrap = |inner: &[u8], level: usize| {
        if level.is_multiple_of(2) {
            docx_of(&[("oleObject1.bin", &ole_office(inner))], true)
        } else {
            docx_of(&[("inner.docx", inner)], true)
        }
    };
    let mut doc = fixture("package.docx");
    for level in 0..60 {
        doc = wrap(&doc, level);
    }
    let r = scan_bounded("deep.docx", &doc, maildlp::Limits::default());
    assert_eq!(limits(&r), ["max_depth"]);
    assert!(places(&r).is_empty());
    // A few levels down, the package is read, and the path says how it was reached.
    let mut doc = fixture("package.docx");
    for level in 0..3 {
        doc = wrap(&doc, level);
    }
    let r = scan_bounded("deep.docx", &doc, maildlp::Limits::default());
    // The outer OLE object's `Package` stream is the document itself: no step of its own.
    let path = "embedded 1 oleObject1.bin > embedded 1 inner.docx > embedded 1 oleObject1.bin > \
                embedded 1 oleObject1.bin > contacts.csv";
    assert_eq!(places(&r), set(&[("P04", Part::Attachment, path)]));
    assert!(limits(&r).is_empty());
}

#[test]
fn a_native_size_of_four_gib_allocates_nothing() {
    let statement = format!("{}Statement of Ravi Patel.\n", "filler line\n".repeat(100));
    let doc = docx(&[("oleObject1.bin", &ole_package("notes.txt", statement.as_bytes(), Some(u32::MAX)))]);
    let r = scan_bounded("notes.docx", &doc, maildlp::Limits::default());
    assert_eq!(places(&r), set(&[("P02", Part::Attachment, "embedded 1 oleObject1.bin > notes.txt")]));
    // An RTF object that declares 4 GiB of native data and holds a few bytes.
    let mut object = [0x0501u32.to_le_bytes(), 2u32.to_le_bytes(), 8u32.to_le_bytes()].concat();
    object.extend_from_slice(b"Package\0");
    object.extend_from_slice(&[0; 8]);
    object.extend_from_slice(&u32::MAX.to_le_bytes());
    object.extend(packager("notes.txt", statement.as_bytes(), u32::MAX));
    let rtf = format!("{{\\rtf1 {{\\object\\objemb{{\\*\\objdata {}}}}}}}", hex(&object));
    let r = scan_bounded("notes.rtf", rtf.as_bytes(), maildlp::Limits::default());
    assert_eq!(places(&r), set(&[("P02", Part::Attachment, "embedded 1 Package > notes.txt")]));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn truncated_object_data() {
    let rtf = fixture("objects.rtf");
    let second = rtf.windows(8).rposition(|w| w == b"\\objdata").unwrap();
    // Cut anywhere in the second object's data (an odd number of digits included): the first
    // object is still read, and nothing panics.
    for end in (second..rtf.len()).step_by(97) {
        let r = scan_as("objects.rtf", &rtf[..end]);
        assert!(places(&r).contains(&(
            "P06".to_string(),
            Part::Attachment,
            "embedded 1 Package > witness.txt".to_string()
        )));
    }
    // Cut inside the first: whatever it holds, read without a panic.
    let first = rtf.windows(8).position(|w| w == b"\\objdata").unwrap();
    for end in (first..second).step_by(13) {
        let _ = scan_as("objects.rtf", &rtf[..end]);
    }
    // A package whose data ends inside its text: read as far as it goes.
    let object = ole1_package("witness.txt", "Statement taken from Priya Sharma on Monday.");
    let digits = hex(&object);
    let end = digits.find(&hex(b" on Monday")).unwrap() + 1;
    let rtf = format!("{{\\rtf1 {{\\object\\objemb{{\\*\\objdata {}", &digits[..end]);
    let r = scan_as("cut.rtf", rtf.as_bytes());
    assert_eq!(places(&r), set(&[("P06", Part::Attachment, "embedded 1 Package > witness.txt")]));
}

/// An OLE 1.0 object of class `Package` holding `text` as the file `name`.
fn ole1_package(name: &str, text: &str) -> Vec<u8> {
    let native = packager(name, text.as_bytes(), text.len() as u32);
    let mut o = [0x0501u32.to_le_bytes(), 2u32.to_le_bytes(), 8u32.to_le_bytes()].concat();
    o.extend_from_slice(b"Package\0");
    o.extend_from_slice(&[0; 8]);
    o.extend_from_slice(&(native.len() as u32).to_le_bytes());
    o.extend(native);
    o
}

#[test]
fn ten_thousand_embeddings_meet_the_entry_limit() {
    // A DOCX: its members are more than an archive may hold.
    let names: Vec<String> = (0..10_000).map(|i| format!("e{i}.txt")).collect();
    let embedded: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"figures"[..])).collect();
    let r = scan_bounded("many.docx", &docx(&embedded), maildlp::Limits::default());
    assert_eq!(limits(&r), ["max_archive_entries"]);
    // Under a limit that allows them, all 10,000 are read, the last one too.
    let mut embedded = embedded;
    embedded[9_999].1 = b"Holly Berry";
    let allowed = maildlp::Limits { max_archive_entries: 20_000, ..maildlp::Limits::default() };
    let r = scan_bounded("many.docx", &docx(&embedded), allowed);
    assert!(limits(&r).is_empty());
    assert_eq!(places(&r), set(&[("P09", Part::Attachment, "embedded 10000 e9999.txt")]));
    // An RTF of 10,001 objects: the first 10,000 are read.
    let object = |text: &str| {
        format!("{{\\object\\objemb{{\\*\\objdata {}}}}}\\par\n", hex(&ole1_package("a.txt", text)))
    };
    let mut rtf = String::from("{\\rtf1 ");
    let plain = object("figures");
    for _ in 0..9_999 {
        rtf.push_str(&plain);
    }
    rtf.push_str(&object("Holly Berry"));
    rtf.push_str(&object("Jane Doe"));
    rtf.push('}');
    let r = scan_bounded("many.rtf", rtf.as_bytes(), maildlp::Limits::default());
    assert_eq!(limits(&r), ["max_archive_entries"]);
    assert_eq!(places(&r), set(&[("P09", Part::Attachment, "embedded 10000 Package > a.txt")]));
}

#[test]
fn an_object_referred_to_ten_thousand_times_is_read_once() {
    let mut members = members_of(&fixture("report-lo.odt"));
    for (name, data) in &mut members {
        if name == "content.xml" {
            let text = String::from_utf8(data.clone()).unwrap();
            let at = text.find("<draw:object ").unwrap();
            let end = at + text[at..].find("/>").unwrap() + 2;
            let copies = text[at..end].repeat(10_000);
            *data = format!("{}{copies}{}", &text[..at], &text[end..]).into_bytes();
        }
    }
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let r = scan_bounded("report.odt", &mail::zip(&members), maildlp::Limits::default());
    use Part::Attachment as A;
    assert_eq!(
        places(&r),
        set(&[("P01", A, "embedded 1 Object 1 > Sheet1!B2"), ("P10", A, "embedded 1 Object 1 > Sheet2!A7")])
    );
    assert!(limits(&r).is_empty());
}

#[test]
fn other_kinds_of_ole_object() {
    // An embedded legacy workbook (an `Excel.Sheet.8` object is the `.xls` itself), and
    // another application's document in a `CONTENTS` stream (a PDF, as Acrobat embeds one).
    let documents = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents");
    let xls = std::fs::read(documents.join("legacy.xls")).unwrap();
    let pdf = std::fs::read(documents.join("report.pdf")).unwrap();
    let contents = compound(&[("CONTENTS".to_string(), pdf)]);
    let doc = docx(&[("oleObject1.bin", &xls), ("oleObject2.bin", &contents)]);
    let r = scan_as("objects.docx", &doc);
    use Part::Attachment as A;
    let found = places(&r);
    let want = set(&[
        ("P24", A, "embedded 1 oleObject1.bin > Visible!A1"),
        ("P25", A, "embedded 1 oleObject1.bin > Hidden!B4"),
        ("P26", A, "embedded 2 oleObject2.bin > properties"),
        ("P27", A, "embedded 2 oleObject2.bin > page 2"),
    ]);
    assert!(found.is_superset(&want), "{found:?}");
    // Whatever else the legacy reader finds in the workbook (tests/documents.rs says what),
    // it is found inside it.
    for (record, _, path) in found.difference(&want) {
        assert!(path.starts_with("embedded 1 oleObject1.bin > "), "{record} at {path}");
    }
}

#[test]
fn a_contents_stream_of_no_document_leaves_the_file_to_its_text_runs() {
    // A compound file with a `CONTENTS` stream of its application's own data (a Publisher
    // file has one) is read as any other compound file: the text runs of the whole file.
    let file = compound(&[
        ("CONTENTS".to_string(), vec![0, 1, 2, 3, 0, 0, 0, 0]),
        ("Quill".to_string(), b"\0\0\0\0Statement of Owen Price\0\0\0\0".to_vec()),
    ]);
    let r = scan_as("objects.docx", &docx(&[("oleObject1.bin", &file)]));
    assert_eq!(places(&r), set(&[("P07", Part::Attachment, "embedded 1 oleObject1.bin")]));
}

#[test]
fn ole_packages_attached_to_outlook_messages() {
    // A `.msg` attachment kept as an OLE object (`PR_ATTACH_METHOD` 6): its storage holds the
    // OLE package, read as the attachment's file.
    let mut method = vec![0u8; 8];
    for v in [
        0x0003u16.to_le_bytes().as_slice(),
        &0x3705u16.to_le_bytes(),
        &6u32.to_le_bytes(),
        &6u32.to_le_bytes(),
        &0u32.to_le_bytes(),
    ] {
        method.extend_from_slice(v);
    }
    let native = packager("visits.csv", b"name\nKofi Mensah\n", 18);
    let mut stream = (native.len() as u32).to_le_bytes().to_vec();
    stream.extend(native);
    let attachment = "/__attach_version1.0_#00000000";
    let files = vec![
        ("/__properties_version1.0".to_string(), vec![0u8; 32]),
        ("/__substg1.0_1000001F".to_string(), utf16("See the object.")),
        (format!("{attachment}/__properties_version1.0"), method),
        (format!("{attachment}/__substg1.0_3001001F"), utf16("Package")),
        (format!("{attachment}/__substg1.0_3701000D/\u{1}Ole10Native"), stream),
    ];
    let r = scan_as("object.msg", &compound(&files));
    assert_eq!(places(&r), set(&[("P21", Part::Attachment, "Package > visits.csv")]));
    assert!(limits(&r).is_empty());
}

#[test]
fn object_links_are_iris() {
    // `./Object%201` names the folder `Object 1/`.
    let mut members = members_of(&fixture("report-lo.odt"));
    for (name, data) in &mut members {
        if name == "content.xml" {
            *data =
                String::from_utf8(data.clone()).unwrap().replace("./Object 1", "./Object%201").into_bytes();
        }
    }
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let r = scan_as("report.odt", &mail::zip(&members));
    use Part::Attachment as A;
    assert_eq!(
        places(&r),
        set(&[("P01", A, "embedded 1 Object 1 > Sheet1!B2"), ("P10", A, "embedded 1 Object 1 > Sheet2!A7")])
    );
}

/// `levels` workbooks, each holding the next in a storage `MBD00000001`, the innermost the
/// spreadsheet object of `objects-lo.xls` (Yusuf Demir in Sheet1!B2).
fn workbooks_in_workbooks(levels: usize) -> Vec<u8> {
    let outer = streams(&fixture("clean-lo.xls")).into_iter().find(|(p, _)| p == "/Workbook").unwrap();
    let objects = streams(&fixture("objects-lo.xls"));
    let storage = objects.iter().find(|(p, _)| p.ends_with("/Workbook") && p != "/Workbook").unwrap();
    let dir = storage.0.trim_end_matches("/Workbook").to_string();
    let mut streams: Vec<(String, Vec<u8>)> =
        objects.into_iter().filter_map(|(p, d)| Some((p.strip_prefix(&dir)?.to_string(), d))).collect();
    for _ in 0..levels {
        let mut next = vec![outer.clone()];
        next.extend(streams.into_iter().map(|(p, d)| (format!("/MBD00000001{p}"), d)));
        streams = next;
    }
    compound(&streams)
}

#[test]
fn workbooks_embedding_workbooks_stop_at_the_depth_limit() {
    // Three levels down, the spreadsheet is read, and the path says how it was reached.
    let r = scan_bounded("deep.xls", &workbooks_in_workbooks(3), maildlp::Limits::default());
    let path = "embedded 1 > embedded 1 > embedded 1 > Sheet1!B2";
    assert_eq!(places(&r), set(&[("P16", Part::Attachment, path)]));
    assert!(limits(&r).is_empty(), "{:?}", limits(&r));
    // Sixty levels: each read where it lies in the file (nothing copied), to the depth limit.
    let r = scan_bounded("deep.xls", &workbooks_in_workbooks(60), maildlp::Limits::default());
    assert_eq!(limits(&r), ["max_depth"]);
    assert!(places(&r).is_empty());
}

#[test]
fn legacy_objects_count_towards_the_entry_limit() {
    let one = maildlp::Limits { max_archive_entries: 1, ..maildlp::Limits::default() };
    for (file, first) in
        [("objects-lo.xls", ("P15", "embedded 1")), ("objects-lo.ppt", ("P17", "embedded 1 > Sheet1!B2"))]
    {
        let r = scanner(one).scan(&attached(file, "application/octet-stream", &fixture(file)));
        assert_eq!(places(&r), set(&[(first.0, Part::Attachment, first.1)]), "{file}");
        assert_eq!(limits(&r), ["max_archive_entries"], "{file}");
    }
}

/// An `ExOleObjStg` record holding the compound file `object`, compressed with zlib when
/// `compressed` (its size first, as PowerPoint writes it).
fn ole_storage_record(object: &[u8], compressed: bool) -> Vec<u8> {
    use std::io::Write;
    if !compressed {
        return compound::rec(0x1011, 0, false, object);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(object).unwrap();
    let mut body = (object.len() as u32).to_le_bytes().to_vec();
    body.extend(z.finish().unwrap());
    compound::rec(0x1011, 1, false, &body)
}

/// A presentation listing embedded objects whose `ExOleObjAtom`s name `persists` (records
/// `objects` have persist ids 2, 3...).
fn presentation_of(persists: &[u32], objects: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for &p in persists {
        let mut atom = vec![0u8; 24];
        atom[16..20].copy_from_slice(&p.to_le_bytes());
        list.extend(compound::rec(0x0fcc, 0, true, &compound::rec(0x0fc3, 1, false, &atom)));
    }
    compound::presentation(&compound::rec(0x0409, 0, true, &list), objects)
}

#[test]
fn presentation_objects_stored_compressed_and_named_twice() {
    let stored = ole_package("witness.txt", b"Statement of Priya Sharma.\n", None);
    let packed = ole_package("notes.txt", b"Ravi Patel called twice.\n", None);
    // Object 2 named twice: read once; a persist id with no record, and one of another kind
    // (the document record itself): passed over.
    let file = presentation_of(
        &[2, 3, 2, 9, 1],
        &[ole_storage_record(&stored, false), ole_storage_record(&packed, true)],
    );
    let r = scan_as("deck.ppt", &file);
    assert_eq!(
        places(&r),
        set(&[
            ("P06", Part::Attachment, "embedded 1 > witness.txt"),
            ("P02", Part::Attachment, "embedded 2 > notes.txt"),
        ])
    );
    assert!(limits(&r).is_empty(), "{:?}", limits(&r));
}

#[test]
fn a_compressed_presentation_object_inflates_within_the_budget() {
    // 32 MiB of zeros then a name, compressed to about 32 KiB: read to the budget (1 MiB),
    // which is reported. Content of no known format is read in pieces of 1 MiB: the heap is
    // held to 4x the message and the fixed 8 MiB tests/archives.rs allows its bombs.
    let mut bomb = vec![0u8; 32 << 20];
    bomb.extend_from_slice(b"Owen Price");
    let file = presentation_of(&[2], &[ole_storage_record(&bomb, true)]);
    drop(bomb);
    let small = maildlp::Limits { max_extracted_bytes: 1 << 20, ..maildlp::Limits::default() };
    let message = attached("bomb.ppt", "application/octet-stream", &file);
    let (r, peak) = mail::measured(&scanner(small), &message);
    println!("bomb.ppt: {} bytes, peak heap {peak} bytes", message.len());
    assert!(peak <= 4 * message.len() as u64 + (8 << 20), "peak heap {peak}");
    assert_eq!(limits(&r), ["max_extracted_bytes"]);
    assert!(places(&r).is_empty());
    // A damaged zlib stream: unreadable, said so.
    let mut cut = ole_storage_record(&ole_package("notes.txt", b"Ravi Patel\n", None), true);
    let n = cut.len();
    cut[n - 40..].fill(0xff);
    let r = scan_as("cut.ppt", &presentation_of(&[2], &[cut]));
    assert_eq!(limits(&r), ["unreadable"], "{:?}", r.findings());
}
