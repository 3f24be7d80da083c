//! Reading documents, against the libraries that only read them.
//!
//! - `xlsx_100k_rows`: a 100,000-row x 6-column workbook (shared strings, numbers) read cell
//!   by cell by calamine, and scanned by maildlp inside a message (base64 decoding, every
//!   sheet, hidden-row and comment bookkeeping, matching against a 10k-record list).
//! - `pdf_500_pages`: a 500-page text PDF, its text extracted by pdf-extract, and the message
//!   holding it scanned by maildlp.
//! - `fixtures`: each document the varied whole-process corpus attaches (`tests/documents`), in
//!   a message of its own, scanned; `fixtures/none` is the same message with a five-byte text
//!   file, so the difference is what reading the document costs.
//! - `outlook_10mb_workbook`: a workbook of about 10 MB attached directly, carried in
//!   `winmail.dat` (TNEF) and carried in a `.msg`, each scanned: the difference is what reading
//!   the Outlook container costs.
//!
//!     cargo bench --bench documents

use std::io::{Cursor, Write};

use calamine::{Reader, Xlsx};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use maildlp::{Policy, ProtectedList, Scanner};
use pdf_extract::{dictionary, Document, Object, Stream};

#[path = "gen/mod.rs"]
mod gen;

fn scanner() -> Scanner {
    let list = ProtectedList::from_csv(&gen::list_csv(10_000)).expect("generated list is valid");
    Scanner::new(list, Policy::builder().internal_domain("police.example").build().expect("valid policy"))
}

/// A workbook of `rows` rows: forename, surname (shared strings), case number, phone, amount,
/// status (shared strings).
fn xlsx(rows: usize) -> Vec<u8> {
    let mut strings: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut intern = |s: String| -> usize {
        let n = index.len();
        *index.entry(s.clone()).or_insert_with(|| {
            strings.push(s);
            n
        })
    };
    let mut sheet = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    let statuses = ["open", "closed", "pending", "referred"];
    for r in 1..=rows {
        let name = gen::name(r * 7 + 100_000);
        let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
        let a = intern(first.to_string());
        let b = intern(last.to_string());
        let f = intern(statuses[r % 4].to_string());
        sheet.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>{a}</v></c><c r=\"B{r}\" t=\"s\"><v>{b}</v></c><c r=\"C{r}\"><v>{}</v></c><c r=\"D{r}\"><v>{}</v></c><c r=\"E{r}\"><v>{}.{:02}</v></c><c r=\"F{r}\" t=\"s\"><v>{f}</v></c></row>",
            4_400_000 + r,
            7_700_000_000u64 + r as u64 * 37,
            r % 1000,
            r % 100
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    let mut sst = format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{}\" uniqueCount=\"{}\">", strings.len(), strings.len());
    for s in &strings {
        sst.push_str(&format!("<si><t>{s}</t></si>"));
    }
    sst.push_str("</sst>");
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>".into()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".into()),
        ("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Cases\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into()),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>".into()),
        ("xl/sharedStrings.xml", sst),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A PDF of `pages` pages of 40 lines of prose each, in Helvetica (WinAnsi), compressed.
fn pdf(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    let mut rng = gen::Rng::new(11);
    for _ in 0..pages {
        let mut content = String::from("BT /F1 11 Tf 14 TL 60 780 Td\n");
        for _ in 0..40 {
            let words: Vec<String> =
                (0..10).map(|_| gen::name(rng.below(1_000_000)).to_lowercase()).collect();
            content.push_str(&format!("({}) Tj T*\n", words.join(" ")));
        }
        content.push_str("ET\n");
        let mut stream = Stream::new(dictionary! {}, content.into_bytes());
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => resources, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf");
    out
}

fn xlsx_100k_rows(c: &mut Criterion) {
    let book = xlsx(100_000);
    let message = gen::attachment_message("cases.xlsx", &book);
    let s = scanner();
    let mut g = c.benchmark_group("xlsx_100k_rows");
    g.throughput(Throughput::Bytes(book.len() as u64));
    g.sample_size(10);
    g.bench_function("calamine_every_cell", |b| {
        b.iter(|| {
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&book[..])).expect("xlsx");
            let mut cells = 0usize;
            for name in wb.sheet_names() {
                let range = wb.worksheet_range(&name).expect("sheet");
                cells += range.used_cells().count();
            }
            cells
        })
    });
    g.bench_function("maildlp_scan", |b| b.iter(|| s.scan(&message).findings().len()));
    g.finish();
}

fn pdf_500_pages(c: &mut Criterion) {
    let doc = pdf(500);
    let message = gen::attachment_message("report.pdf", &doc);
    let s = scanner();
    let mut g = c.benchmark_group("pdf_500_pages");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.sample_size(10);
    g.bench_function("pdf_extract_text", |b| {
        b.iter(|| pdf_extract::extract_text_from_mem(&doc).expect("pdf").len())
    });
    g.bench_function("maildlp_scan", |b| b.iter(|| s.scan(&message).findings().len()));
    g.finish();
}

fn fixtures(c: &mut Criterion) {
    let s = scanner();
    let mut g = c.benchmark_group("fixtures");
    let none = gen::attachment_message("note.txt", b"hello");
    g.bench_function("none", |b| b.iter(|| s.scan(&none).findings().len()));
    for d in gen::documents().expect("tests/documents") {
        let message = gen::attachment_message(&d.name, &d.bytes);
        g.bench_function(d.name.as_str(), |b| b.iter(|| s.scan(&message).findings().len()));
    }
    g.finish();
}

/// A TNEF stream carrying `data` as attachment `name`.
fn tnef(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00];
    let mut attribute = |level: u8, tag: u32, value: &[u8]| {
        out.push(level);
        out.extend(tag.to_le_bytes());
        out.extend((value.len() as u32).to_le_bytes());
        out.extend(value);
        out.extend(value.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b))).to_le_bytes());
    };
    attribute(1, 0x0001_8004, b"Cases\0");
    attribute(1, 0x0002_800c, b"The cases are attached.");
    attribute(2, 0x0006_9002, &[1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0, 0, 0, 0, 0]);
    attribute(2, 0x0006_800f, data);
    let mut props = 1u32.to_le_bytes().to_vec();
    props.extend(0x001eu16.to_le_bytes());
    props.extend(0x3707u16.to_le_bytes());
    props.extend(1u32.to_le_bytes());
    props.extend((name.len() as u32 + 1).to_le_bytes());
    props.extend(name.as_bytes());
    props.push(0);
    props.resize(props.len().next_multiple_of(4), 0);
    attribute(2, 0x0006_9005, &props);
    out
}

/// An Outlook `.msg` carrying `data` as attachment `name`.
fn msg(name: &str, data: &[u8]) -> Vec<u8> {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let files: [(&str, Vec<u8>); 6] = [
        ("/__properties_version1.0", vec![0; 32]),
        ("/__substg1.0_0037001F", utf16("FW: cases")),
        ("/__substg1.0_1000001F", utf16("The cases are attached.")),
        ("/__attach_version1.0_#00000000/__properties_version1.0", vec![0; 8]),
        ("/__attach_version1.0_#00000000/__substg1.0_3707001F", utf16(name)),
        ("/__attach_version1.0_#00000000/__substg1.0_37010102", data.to_vec()),
    ];
    let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("compound file");
    for (path, bytes) in files {
        if let Some((dir, _)) = path.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
            out.create_storage_all(dir).expect("storage");
        }
        out.create_stream(path).expect("stream").write_all(&bytes).expect("write");
    }
    out.flush().expect("flush");
    out.into_inner().into_inner()
}

fn outlook_10mb_workbook(c: &mut Criterion) {
    let book = xlsx(400_000);
    let s = scanner();
    let mut g = c.benchmark_group("outlook_10mb_workbook");
    g.throughput(Throughput::Bytes(book.len() as u64));
    g.sample_size(10);
    let direct = gen::attachment_message("cases.xlsx", &book);
    let winmail = gen::attachment_message("winmail.dat", &tnef("cases.xlsx", &book));
    let outlook = gen::attachment_message("FW cases.msg", &msg("cases.xlsx", &book));
    for (name, message) in [("direct", &direct), ("winmail_dat", &winmail), ("msg", &outlook)] {
        g.bench_function(name, |b| b.iter(|| s.scan(message).findings().len()));
    }
    g.finish();
}

criterion_group!(benches, xlsx_100k_rows, pdf_500_pages, fixtures, outlook_10mb_workbook);
criterion_main!(benches);
