//! Hostile documents and archives, generated here (nothing large is committed): each scans to
//! a report in seconds, says which limit it met, still reports what came before the limit, and
//! keeps the peak heap of the scan within four times the message (plus, for the smallest
//! bombs, the fixed cost of a decompressor and its buffers: [`FIXED`]).

#![cfg(feature = "documents")]

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compress, Compression, FlushCompress};
use maildlp::{Detail, Limits, Policy, ProtectedList, Rule, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;

/// Heap a scan may use beyond four times the message for its decompressors, read buffers and
/// per-level archive directories, whatever the message's size.
const FIXED: u64 = 2 << 20;

fn scanner(limits: Limits) -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\n")
        .unwrap();
    Scanner::new(list, Policy::builder().limits(limits).build().unwrap())
}

/// A message to an outsider with `body` as the attachment `name`.
fn message(name: &str, body: &[u8]) -> Vec<u8> {
    mail::attached(name, "application/octet-stream", body)
}

struct Outcome {
    verdict: Verdict,
    limits: Vec<String>,
    found: bool,
}

fn scan(name: &str, s: &Scanner, message: &[u8]) -> Outcome {
    let started = std::time::Instant::now();
    let (report, peak) = mail::measured(s, message);
    let budget = 4 * message.len() as u64 + FIXED;
    println!(
        "{name}: {} bytes, peak heap {} bytes ({:.2}x), {:.2} s",
        message.len(),
        peak,
        peak as f64 / message.len() as f64,
        started.elapsed().as_secs_f64()
    );
    assert!(peak <= budget, "{name}: peak heap {} > 4 x {} + {FIXED}", peak, message.len());
    Outcome {
        verdict: report.verdict(),
        limits: report
            .findings()
            .iter()
            .filter_map(|f| match &f.detail {
                Detail::Incomplete { limit, .. } => Some(limit.as_str().to_string()),
                _ => None,
            })
            .collect(),
        found: report.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier),
    }
}

/// One ZIP entry as written: name, method (0 stored, 8 deflated), the bytes as stored, and the
/// sizes and CRC the headers declare.
struct Entry {
    name: Vec<u8>,
    method: u16,
    data: Vec<u8>,
    size: u64,
    crc: u32,
}

fn stored(name: &str, data: &[u8]) -> Entry {
    let mut h = flate2::Crc::new();
    h.update(data);
    Entry { name: name.into(), method: 0, data: data.to_vec(), size: data.len() as u64, crc: h.sum() }
}

fn deflated(name: &str, data: &[u8]) -> Entry {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    let mut h = flate2::Crc::new();
    h.update(data);
    Entry { name: name.into(), method: 8, data: e.finish().unwrap(), size: data.len() as u64, crc: h.sum() }
}

/// A ZIP archive of `entries`, in ZIP64 form (so sizes and counts are not capped).
fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u64;
        let mut extra = Vec::new();
        extra.extend_from_slice(&1u16.to_le_bytes());
        extra.extend_from_slice(&16u16.to_le_bytes());
        extra.extend_from_slice(&e.size.to_le_bytes());
        extra.extend_from_slice(&(e.data.len() as u64).to_le_bytes());
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&u32::MAX.to_le_bytes());
        out.extend_from_slice(&u32::MAX.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&extra);
        out.extend_from_slice(&e.data);

        let mut cextra = extra.clone();
        cextra[2..4].copy_from_slice(&24u16.to_le_bytes());
        cextra.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&45u16.to_le_bytes());
        central.extend_from_slice(&45u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&u32::MAX.to_le_bytes());
        central.extend_from_slice(&u32::MAX.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&(cextra.len() as u16).to_le_bytes());
        // Comment length, disk, internal and external attributes; the offset is in the extra.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&u32::MAX.to_le_bytes());
        central.extend_from_slice(&e.name);
        central.extend_from_slice(&cextra);
    }
    let cd_offset = out.len() as u64;
    out.extend_from_slice(&central);
    let n = entries.len() as u64;
    let eocd64 = out.len() as u64;
    out.extend_from_slice(b"PK\x06\x06");
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(central.len() as u64).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(b"PK\x06\x07");
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&eocd64.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&u16::MAX.to_le_bytes());
    out.extend_from_slice(&u16::MAX.to_le_bytes());
    out.extend_from_slice(&u32::MAX.to_le_bytes());
    out.extend_from_slice(&u32::MAX.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A raw deflate stream that inflates to `mib` MiB of spaces: one fully flushed block of
/// 1 MiB, repeated (each block stands alone after a full flush), then an empty final block.
fn deflate_spaces(mib: u64) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let input = vec![b' '; 1 << 20];
    let mut block = Vec::with_capacity(1 << 16);
    c.compress_vec(&input, &mut block, FlushCompress::Full).unwrap();
    let mut out = Vec::with_capacity(block.len() * mib as usize + 16);
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    let mut tail = Vec::with_capacity(64);
    let mut fin = Compress::new(Compression::best(), false);
    fin.compress_vec(&[], &mut tail, FlushCompress::Finish).unwrap();
    out.extend_from_slice(&tail);
    out
}

/// A raw deflate stream that inflates to `gib` GiB of spaces.
fn deflate_bomb(gib: u64) -> Vec<u8> {
    deflate_spaces(gib << 10)
}

#[test]
fn member_inflating_to_10_gib_stops_at_the_budget() {
    let data = deflate_bomb(10);
    let mut first = stored("first.txt", b"Jane Doe is named before the bomb.\n");
    first.name = b"a/first.txt".to_vec();
    let bomb = Entry { name: b"bomb.txt".to_vec(), method: 8, data, size: 10 << 30, crc: 0 };
    let m = message("bomb.zip", &zip(&[first, bomb]));
    let limits = Limits { max_extracted_bytes: 64 << 20, ..Limits::default() };
    let o = scan("member inflating to 10 GiB", &scanner(limits), &m);
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found, "what came before the limit is still scanned");
}

#[test]
fn nested_zip_bomb() {
    // 42.zip in small: archives of 10 copies of the next, nested until the archive is 8 MiB,
    // leaves of 10 MiB of text (binary leaves would be passed over after their first bytes).
    let spaces = vec![b' '; 10 << 20];
    let mut level = zip(&[deflated("leaf.txt", &spaces)]);
    for depth in 0..8 {
        let copies: Vec<Entry> = (0..10).map(|i| stored(&format!("l{depth}-{i}.zip"), &level)).collect();
        level = zip(&copies);
        if level.len() > 8 << 20 {
            break;
        }
    }
    let m = message("42.zip", &zip(&[stored("readme.txt", b"Jane Doe\n"), stored("bomb.zip", &level)]));
    let limits = Limits { max_extracted_bytes: 32 << 20, ..Limits::default() };
    let o = scan("nested zip bomb", &scanner(limits), &m);
    assert!(o.found);
    assert!(
        o.limits.iter().any(|l| l == "max_depth" || l == "max_extracted_bytes"),
        "the bomb meets a limit: {:?}",
        o.limits
    );
}

#[test]
fn archives_nested_2000_deep_stop_at_the_depth_limit() {
    // Each archive holds the next, stored: tiny, and every level costs a reader and its stack
    // frames, so only the depth bound stops it, never the budget.
    let mut level = zip(&[stored("names.txt", b"Jane Doe\n")]);
    for depth in 0..2000 {
        level = zip(&[stored(&format!("l{depth}.zip"), &level)]);
    }
    let o = scan("archives nested 2,000 deep", &scanner(Limits::default()), &message("deep.zip", &level));
    assert_eq!(o.limits, ["max_depth"]);
    assert!(!o.found, "the name is below the depth limit");
    // Within the limit, the innermost member is read.
    let mut level = zip(&[stored("names.txt", b"Jane Doe\n")]);
    for depth in 0..5 {
        level = zip(&[stored(&format!("l{depth}.zip"), &level)]);
    }
    let o = scan("archives nested 5 deep", &scanner(Limits::default()), &message("deep.zip", &level));
    assert!(o.limits.is_empty(), "{:?}", o.limits);
    assert!(o.found);
}

#[test]
fn a_million_empty_entries() {
    let mut entries = vec![stored("names.txt", b"Jane Doe\n")];
    entries.extend((0..1_000_000).map(|i| Entry {
        name: format!("{i}").into_bytes(),
        method: 0,
        data: Vec::new(),
        size: 0,
        crc: 0,
    }));
    let z = zip(&entries);
    let m = message("million.zip", &z);
    let limits = Limits { max_message_bytes: 512 << 20, ..Limits::default() };
    let o = scan("1,000,000 empty entries", &scanner(limits), &m);
    assert_eq!(o.limits, ["max_archive_entries"]);
    assert!(o.found);
}

#[test]
fn a_million_shared_strings() {
    let mut sst = String::from("<sst>");
    for i in 0..1_000_000 {
        sst.push_str(&format!("<si><t>s{i}</t></si>"));
    }
    sst.push_str("<si><t>Jane Doe</t></si></sst>");
    let sheet = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>1000000</v></c><c r=\"B1\" t=\"s\"><v>5</v></c></row></sheetData></worksheet>";
    let z = zip(&[
        stored("[Content_Types].xml", b"<Types/>"),
        stored("xl/workbook.xml", b"<workbook><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        stored(
            "xl/_rels/workbook.xml.rels",
            b"<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
        ),
        deflated("xl/sharedStrings.xml", sst.as_bytes()),
        stored("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let m = message("strings.xlsx", &z);
    let o = scan("XLSX with 1,000,000 shared strings", &scanner(Limits::default()), &m);
    assert!(o.found);
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}

#[test]
fn entity_expansion_is_not_expanded() {
    let mut doc = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&lol{};", i - 1).replace("&lol0;", "&lol;").repeat(10)
        ));
    }
    doc.push_str(
        "]><w:document><w:body><w:p><w:r><w:t>&lol9; Jane Doe</w:t></w:r></w:p></w:body></w:document>",
    );
    let z = zip(&[stored("[Content_Types].xml", b"<Types/>"), stored("word/document.xml", doc.as_bytes())]);
    let m = message("lol.docx", &z);
    let o = scan("XML entity expansion", &scanner(Limits::default()), &m);
    assert!(o.found);
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}

fn pdf(objects: &[String]) -> Vec<u8> {
    pdf_file(&objects.iter().map(|o| (o.clone(), Vec::new())).collect::<Vec<_>>())
}

/// A PDF file of `objects` (dictionary text, and stream bytes when not empty: their `/Length`
/// is added here), numbered from 1, the first the catalog, with a cross-reference table.
fn pdf_file(objects: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, (d, s)) in objects.iter().enumerate() {
        offsets.push(out.len());
        let d = match d.trim_end().strip_suffix(">>") {
            Some(open) if !s.is_empty() => format!("{open} /Length {} >>", s.len()),
            _ => d.clone(),
        };
        out.extend_from_slice(format!("{} 0 obj\n{d}\n", i + 1).as_bytes());
        if !s.is_empty() {
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(s);
            out.extend_from_slice(b"\nendstream\n");
        }
        out.extend_from_slice(b"endobj\n");
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

fn page_objects(content: &str, parent_cycle: bool) -> Vec<String> {
    let parent = if parent_cycle { "3 0 R" } else { "2 0 R" };
    vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        format!("<< /Type /Page /Parent {parent} /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>"),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 8 >>\nstream\n/X1 Do \nendstream".into(),
    ]
}

#[test]
fn pdf_with_100000_nested_arrays() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let content = format!("BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET {deep}");
    let mut objects = page_objects(&content, false);
    objects[0] = format!("<< /Type /Catalog /Pages 2 0 R /Deep {deep} >>");
    let m = message("deep.pdf", &pdf(&objects));
    let o = scan("PDF with 100,000 nested arrays", &scanner(Limits::default()), &m);
    // The process is still here; the page may or may not be readable.
    assert_ne!(o.verdict, Verdict::Allow);
}

/// A one-page PDF naming Jane Doe, then drawing the first of `forms` forms, each of which
/// draws the next twice; the last one draws `leaf`.
fn forms_drawing_each_other(forms: usize, leaf: &str) -> Vec<u8> {
    let names: String = (0..forms).map(|i| format!("/X{i} {} 0 R ", 7 + i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 5 0 R >>".into(),
        stream_object("", "BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET /X0 Do"),
        format!("<< /Font << /F1 6 0 R >> /XObject << {names}>> >>"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ];
    for i in 0..forms {
        let content = if i + 1 < forms { format!("/X{0} Do /X{0} Do", i + 1) } else { leaf.to_string() };
        objects.push(stream_object(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources 5 0 R",
            &content,
        ));
    }
    pdf(&objects)
}

#[test]
fn pdf_forms_drawing_each_other_a_billion_times() {
    // Thirty forms, each drawing the next twice: no cycle, no deep chain, 2^30 drawings of a
    // 5 KB file (this hung the scan before drawings were counted).
    let m = message("fan.pdf", &forms_drawing_each_other(30, "BT /F1 12 Tf 72 600 Td (x) Tj ET"));
    // On a thread of its own, so that a scan that never ends fails the test instead of
    // stopping the suite.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(scanner(Limits::default()).scan(&m)));
    let report = finished.recv_timeout(std::time::Duration::from_secs(30)).expect("the scan ends");
    assert!(report.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier));
    assert!(report
        .findings()
        .iter()
        .any(|f| f.rule == Rule::ScanIncomplete && f.message.contains("one level deep")));
}

#[test]
fn pdf_form_drawn_a_thousand_times_reads_no_more_than_the_budget() {
    // Ten forms, each drawing the next twice, the last 8 KB of drawing: 1,024 drawings read
    // 8 MiB of content, past a 1 MiB budget.
    let pdf = forms_drawing_each_other(10, &"0 0 m 1 1 l S\n".repeat(600));
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("PDF form drawn 1,024 times", &scanner(limits), &message("drawn.pdf", &pdf));
    assert!(o.found);
    assert_eq!(o.limits, ["unreadable"], "drawn one level deep");
}

#[test]
fn pdf_text_many_times_longer_than_its_page_stops_at_the_budget() {
    // One code maps to 200 letters; 20,000 of them on a page make 4 MB of text from 40 KB.
    let long = "0041".repeat(200);
    let cmap = format!("1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfchar <01> <{long}> <02> <004A0061006E006500200044006F0065> endbfchar");
    let page = format!("BT /F1 12 Tf 72 700 Td <02> Tj 0 -14 Td <{}> Tj ET", "01".repeat(20_000));
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
        stream_object("", &page),
        "<< /Type /Font /Subtype /TrueType /BaseFont /X /FirstChar 0 /LastChar 2 /Widths [0 500 500] /ToUnicode 6 0 R >>".into(),
        stream_object("", &cmap),
    ];
    let limits = Limits { max_extracted_bytes: 256 << 10, ..Limits::default() };
    let o = scan(
        "PDF text 100 times longer than its page",
        &scanner(limits),
        &message("long.pdf", &pdf(&objects)),
    );
    assert!(o.found, "the name before the long run");
    assert_eq!(o.limits, ["max_extracted_bytes"]);
}

#[test]
fn pdf_character_map_over_four_billion_codes() {
    // One line of a ToUnicode map: lopdf's reader and pdf-extract's both visit every code of
    // a range, and this one asked for four billion entries (the process was killed).
    let cmap = "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange";
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
        stream_object("", "BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET"),
        "<< /Type /Font /Subtype /TrueType /BaseFont /Helvetica /FirstChar 32 /LastChar 32 /Widths [250] /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>".into(),
        stream_object("", cmap),
    ];
    let o = scan(
        "PDF character map over four billion codes",
        &scanner(Limits::default()),
        &message("cmap.pdf", &pdf(&objects)),
    );
    assert!(o.found, "the page read through the font's encoding");
    assert_eq!(o.limits, ["unreadable"]);
}

#[test]
fn pdf_page_neither_reader_reads_whole_is_read_in_part() {
    // A Type 3 font maildlp's reader leaves to pdf-extract, which stops at the font (no
    // /FirstChar): the name in the page's other font is still found.
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /T3 5 0 R /F1 6 0 R >> >> >>".into(),
        stream_object("", "BT /T3 12 Tf 72 720 Td (AB) Tj /F1 12 Tf 0 -20 Td (Jane Doe) Tj ET"),
        "<< /Type /Font /Subtype /Type3 /CharProcs << >> >>".into(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ];
    // pdf-extract panics here: quietly, and the report names the page and where it panicked.
    let report = scanner(Limits::default()).scan(&message("part.pdf", &pdf(&objects)));
    assert!(report.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier));
    let incomplete: Vec<&str> = report
        .findings()
        .iter()
        .filter(|f| f.rule == Rule::ScanIncomplete)
        .map(|f| f.message.as_str())
        .collect();
    assert!(incomplete.len() == 1 && incomplete[0].contains("read in part"), "{incomplete:?}");
    let reader = mail::readers(&report);
    assert!(
        reader.len() == 1
            && reader[0].starts_with("pdf: text of page 1 at pdf-extract-")
            && reader[0].contains("/src/lib.rs:"),
        "{reader:?}"
    );
}

#[test]
fn xls_whose_dimensions_ask_for_43_gb() {
    // The mutation check's mutant 162546: one bit of the first sheet's Dimensions record of
    // tests/documents/legacy.xls flipped (its last row 1 becomes 2^30 + 1). calamine reserved
    // 40 bytes a cell before reading any, and the allocation's failure aborted the process.
    let mut xls = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents/legacy.xls")).unwrap();
    let dims = xls.windows(4).position(|w| w == [0x00, 0x02, 0x0e, 0x00]).unwrap() + 4;
    assert_eq!(xls[dims + 4..dims + 8], [1, 0, 0, 0], "the last row, past it");
    xls[dims + 7] = 0x40;
    let list = ProtectedList::from_csv("id,kind,value\nP24,name,Omar Farouk\n").unwrap();
    let o = scan(
        "XLS Dimensions of 2^30 rows",
        &Scanner::new(list, Policy::default()),
        &message("legacy.xls", &xls),
    );
    assert!(o.found, "the sheet read as before");
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}

#[test]
fn unreadable_findings_name_the_reader_never_the_document() {
    let s = scanner(Limits::default());
    // A member's compressed data damaged: the archive's reader, and the member by number.
    let z = mail::zip(&[
        ("a.txt", b"nothing here\n".as_slice()),
        ("b.txt", &b"Jane Doe and more text\n".repeat(50)),
    ]);
    let second = z.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x03\x04").nth(1).unwrap().0;
    let mut damaged = z.clone();
    let data = second + 30 + "b.txt".len();
    damaged[data..data + 8].fill(0xff);
    assert_eq!(mail::readers(&s.scan(&message("export.zip", &damaged))), ["zip: member 2"]);
    // A PDF that does not load, as a member named after a protected person: the reader, never
    // the name (which the message masks).
    let z = mail::zip(&[("Jane Doe.pdf", b"%PDF-1.7\nnot a PDF at all".as_slice())]);
    let report = s.scan(&message("export.zip", &z));
    assert_eq!(mail::readers(&report), ["pdf: document"]);
    let text = report.to_json();
    assert!(!text.contains("Jane") && text.contains("export.zip > J*** D**.pdf could not be read"), "{text}");
    // An archive maildlp does not read.
    let rar = b"Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5\x0a\x01\x05\x06\x00";
    assert_eq!(mail::readers(&s.scan(&message("export.rar", rar))), ["rar: archive"]);
    // A limit met is not a reader giving up: no reader is named.
    let limits = Limits { max_depth: 1, ..Limits::default() };
    let nested = mail::zip(&[("inner.zip", &mail::zip(&[("a.txt", b"Jane Doe".as_slice())]))]);
    let report = scanner(limits).scan(&message("nested.zip", &nested));
    assert_eq!(mail::limits(&report), ["max_depth"]);
    assert!(
        mail::readers(&report).is_empty() && !report.to_json().contains("\"reader\""),
        "{}",
        report.to_json()
    );
}

/// An indirect stream object's text: dictionary entries `dict` and `content`.
fn stream_object(dict: &str, content: &str) -> String {
    format!("<< {dict} /Length {} >>\nstream\n{content}\nendstream", content.len())
}

#[test]
fn pdf_with_reference_cycles() {
    // The page is its own parent, and the drawing it draws draws itself.
    let content = "BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET /X1 Do";
    let m = message("cycle.pdf", &pdf(&page_objects(content, true)));
    let o = scan("PDF with reference cycles", &scanner(Limits::default()), &m);
    assert!(o.found);
}

#[test]
fn docx_whose_body_inflates_past_the_limit() {
    let mut doc = String::from("<w:document><w:body><w:p><w:r><w:t>Jane Doe</w:t></w:r></w:p>");
    while doc.len() < 8 << 20 {
        doc.push_str("<w:p><w:r><w:t>filler text of an enormous document</w:t></w:r></w:p>");
    }
    doc.push_str("</w:body></w:document>");
    let z = zip(&[stored("[Content_Types].xml", b"<Types/>"), deflated("word/document.xml", doc.as_bytes())]);
    let m = message("huge.docx", &z);
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("DOCX body past the limit", &scanner(limits), &m);
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found);
}

#[test]
fn truncated_zip_is_read_as_far_as_it_goes() {
    let z = zip(&[stored("a.txt", b"Jane Doe\n"), stored("b.txt", b"more\n")]);
    let cut = &z[..z.len() / 2];
    let m = message("cut.zip", cut);
    let o = scan("truncated ZIP", &scanner(Limits::default()), &m);
    assert!(o.found);
}

/// A zlib stream (what a PDF's FlateDecode holds) that inflates to `mib` MiB of spaces: the
/// deflate stream above in a zlib frame (its checksum left zero: readers stop at it, after
/// inflating everything).
fn zlib_bomb(mib: u64) -> Vec<u8> {
    let mut out = vec![0x78, 0xda];
    out.extend_from_slice(&deflate_spaces(mib));
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

/// A PDF of two pages: the first names Jane Doe in plain text, the second draws `stream` (its
/// dictionary entries `dict`), and `extra` objects follow.
fn two_page_pdf(dict: &str, stream: &[u8], extra: &[(String, Vec<u8>)]) -> Vec<u8> {
    let first = b"BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET";
    pdf_of_pages(("", first), (dict, stream), extra)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A PDF of two pages whose contents are `first` and `second` (dictionary entries and
/// stream bytes each), `extra` objects after them.
fn pdf_of_pages(first: (&str, &[u8]), second: (&str, &[u8]), extra: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut objects: Vec<(String, Vec<u8>)> = vec![
        ("<< /Type /Catalog /Pages 2 0 R >>".into(), Vec::new()),
        ("<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".into(), Vec::new()),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 7 0 R >> >> >>".into(), Vec::new()),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> >>".into(), Vec::new()),
    ];
    for (dict, stream) in [first, second] {
        objects.push((format!("<< {dict} >>"), stream.to_vec()));
    }
    objects.push((
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        Vec::new(),
    ));
    objects.extend(extra.iter().cloned());
    pdf_file(&objects)
}

#[test]
fn pdf_page_with_a_predictor_inflating_past_the_limit() {
    // Streams with DecodeParms (PNG predictors) are the ones a PDF reader would inflate itself.
    let pdf = two_page_pdf(
        "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 99 >>",
        &zlib_bomb(256),
        &[],
    );
    let m = message("predictor.pdf", &pdf);
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("PDF page with a predictor, inflating to 256 MiB", &scanner(limits), &m);
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found, "the page before the bomb is read");
}

#[test]
fn pdf_object_stream_inflating_past_the_limit() {
    // Object streams are unpacked while the document loads, before any page is drawn.
    let objstm = ("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>".to_string(), zlib_bomb(256));
    let pdf = two_page_pdf("", b"BT /F1 12 Tf 72 650 Td (more) Tj ET", &[objstm]);
    let m = message("objstm.pdf", &pdf);
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("PDF object stream inflating to 256 MiB", &scanner(limits), &m);
    assert_eq!(o.limits, ["max_extracted_bytes"]);
}

#[test]
fn pdf_page_named_as_a_font_program_is_still_read() {
    // Embedded TrueType programs are dropped unread; a descriptor naming the page's own
    // contents as its program must not make the page vanish with it.
    let descriptor = ("<< /Type /FontDescriptor /FontName /X /FontFile2 6 0 R >>".to_string(), Vec::new());
    let pdf = pdf_of_pages(
        ("", b"BT /F1 12 Tf 72 700 Td (nothing here) Tj ET"),
        ("/Length1 39", b"BT /F1 12 Tf 72 650 Td (Jane Doe) Tj ET"),
        &[descriptor],
    );
    let o = scan("PDF page named as a font program", &scanner(Limits::default()), &message("font.pdf", &pdf));
    assert!(o.found, "the page is read");
}

#[test]
fn pdf_name_shown_with_quote_operators_is_found() {
    // `'` and `"` move to the next line and show a string: text like any other.
    for content in [
        &b"BT /F1 12 Tf 14 TL 72 700 Td (Dear) Tj (Jane Doe) ' ET"[..],
        b"BT /F1 12 Tf 72 700 Td 1 0 (Jane Doe) \" ET",
    ] {
        let pdf = pdf_of_pages(("", b"BT /F1 12 Tf 72 700 Td (nothing here) Tj ET"), ("", content), &[]);
        let o = scan(
            "PDF name shown with a quote operator",
            &scanner(Limits::default()),
            &message("quote.pdf", &pdf),
        );
        assert!(o.found, "{}", String::from_utf8_lossy(content));
    }
}

#[test]
fn pdf_page_in_a_type3_font_is_read() {
    // maildlp's own reader leaves Type 3 fonts to pdf-extract; the page is still read.
    let objects: Vec<(String, Vec<u8>)> = vec![
        ("<< /Type /Catalog /Pages 2 0 R >>".into(), Vec::new()),
        ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(), Vec::new()),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /T3 5 0 R >> >> >>".into(), Vec::new()),
        ("<< >>".into(), b"BT /T3 12 Tf 72 700 Td (Jane Doe) Tj ET".to_vec()),
        ("<< /Type /Font /Subtype /Type3 /FontMatrix [0.001 0 0 0.001 0 0] /FontBBox [0 0 1000 1000] /CharProcs << >> \
           /FirstChar 32 /LastChar 111 /Widths [250 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 500 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0] \
           /Encoding << /Type /Encoding /Differences [32 /space 68 /D 74 /J 97 /a 101 /e 110 /n 111 /o] >> >>".into(), Vec::new()),
    ];
    let o = scan(
        "PDF page in a Type 3 font",
        &scanner(Limits::default()),
        &message("type3.pdf", &pdf_file(&objects)),
    );
    assert!(o.found);
}

#[test]
fn pdf_page_with_a_png_predictor_is_read() {
    // Rows of 8 bytes, each after its filter byte: Sub (1) on even rows, Up (2) on odd ones.
    let text = b"BT /F1 12 Tf 72 650 Td (Jane Doe) Tj ET ";
    let rows: Vec<&[u8]> = text.chunks(8).collect();
    let mut encoded = Vec::new();
    let mut previous = [0u8; 8];
    for (i, row) in rows.iter().enumerate() {
        let mut current = [b' '; 8];
        current[..row.len()].copy_from_slice(row);
        encoded.push(if i % 2 == 0 { 1 } else { 2 });
        for k in 0..8 {
            let before = if i % 2 == 0 {
                if k == 0 {
                    0
                } else {
                    current[k - 1]
                }
            } else {
                previous[k]
            };
            encoded.push(current[k].wrapping_sub(before));
        }
        previous = current;
    }
    let pdf = pdf_of_pages(
        ("", b"BT /F1 12 Tf 72 700 Td (nothing here) Tj ET"),
        ("/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 8 >>", &zlib(&encoded)),
        &[],
    );
    let o = scan("PDF page with a PNG predictor", &scanner(Limits::default()), &message("png.pdf", &pdf));
    assert!(o.found, "the name behind the predictor is read");
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}

#[test]
fn pdf_bomb_before_a_page_leaves_the_page_readable() {
    // The first page's contents inflate past the budget; the second page, after it in the
    // file, is still read.
    let pdf = pdf_of_pages(
        ("/Filter /FlateDecode", &zlib_bomb(64)),
        ("/Filter /FlateDecode", &zlib(b"BT /F1 12 Tf 72 650 Td (Jane Doe) Tj ET")),
        &[],
    );
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("PDF bomb before a readable page", &scanner(limits), &message("first.pdf", &pdf));
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found, "the page after the bomb is read");
}

#[test]
fn pdf_bomb_holding_the_word_endstream() {
    // A stored block that says `endstream` first: a reader that stops at that word sees a
    // few bytes; lopdf goes by /Length and inflates the rest.
    let bomb = zlib_bomb(256);
    let mut stream = bomb[..2].to_vec();
    stream.extend_from_slice(&[0x00, 9, 0, !9u8, 0xff]);
    stream.extend_from_slice(b"endstream");
    stream.extend_from_slice(&bomb[2..]);
    let pdf = two_page_pdf("/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 99 >>", &stream, &[]);
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan("PDF bomb holding the word endstream", &scanner(limits), &message("word.pdf", &pdf));
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found);
}

/// `data` in ASCII85, as a PDF's ASCII85Decode filter holds it (with its `~>` end).
fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(4) {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        let mut n = u32::from_be_bytes(word);
        if chunk.len() == 4 && n == 0 {
            out.push(b'z');
            continue;
        }
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = b'!' + (n % 85) as u8;
            n /= 85;
        }
        out.extend_from_slice(&digits[..chunk.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// `data` in LZW as a PDF's LZWDecode filter holds it (early change, the default).
fn lzw(data: &[u8]) -> Vec<u8> {
    weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8).encode(data).unwrap()
}

#[test]
fn pdf_pages_behind_ascii85_and_lzw_are_read() {
    let page = b"BT /F1 12 Tf 72 650 Td (Jane Doe) Tj ET";
    for (filters, stream) in [
        ("/Filter [/ASCII85Decode /FlateDecode]", ascii85(&zlib(page))),
        ("/Filter /LZWDecode", lzw(page)),
        ("/Filter [/FlateDecode /LZWDecode]", zlib(&lzw(page))),
        ("/Filter [/ASCII85Decode /LZWDecode]", ascii85(&lzw(page))),
    ] {
        let pdf = pdf_of_pages(("", b"BT /F1 12 Tf 72 700 Td (nothing here) Tj ET"), (filters, &stream), &[]);
        let o = scan(filters, &scanner(Limits::default()), &message("chain.pdf", &pdf));
        assert!(o.found, "{filters}: the name behind the filters is read");
        assert!(o.limits.is_empty(), "{filters}: {:?}", o.limits);
    }
}

#[test]
fn pdf_bombs_behind_ascii85_and_lzw() {
    // 64 MiB of spaces in LZW is 76 KB; behind Flate it shrinks again.
    let spaces = vec![b' '; 64 << 20];
    let lzw_bomb = lzw(&spaces);
    let cases: [(&str, Vec<u8>, bool); 5] = [
        ("/Filter [/ASCII85Decode /FlateDecode]", ascii85(&zlib_bomb(256)), false),
        ("/Filter /LZWDecode", lzw_bomb.clone(), false),
        ("/Filter [/FlateDecode /LZWDecode]", zlib(&lzw_bomb), false),
        // An object stream is unpacked while the document loads.
        ("/Type /ObjStm /N 1 /First 4 /Filter [/ASCII85Decode /FlateDecode]", ascii85(&zlib_bomb(256)), true),
        // A name spelled with an escape (`#38` is `8`) is the same name.
        (
            "/Type /ObjStm /N 1 /First 4 /Filter [/ASCII#385Decode /FlateDecode]",
            ascii85(&zlib_bomb(256)),
            true,
        ),
    ];
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    for (dict, stream, extra) in cases {
        let pdf = if extra {
            two_page_pdf("", b"BT /F1 12 Tf 72 650 Td (more) Tj ET", &[(format!("<< {dict} >>"), stream)])
        } else {
            two_page_pdf(dict, &stream, &[])
        };
        let o = scan(dict, &scanner(limits), &message("bomb.pdf", &pdf));
        assert_eq!(o.limits, ["max_extracted_bytes"], "{dict}");
        assert!(o.found, "{dict}: the page before the bomb is read");
    }
}

/// A stream object: dictionary entries and bytes.
type ExtraStream<'a> = (Vec<(&'a str, pdf_extract::Object)>, Vec<u8>);

/// A PDF encrypted (RC4, 128-bit) for anyone to open (empty user password): a page naming
/// Jane Doe, a second page, and `extra` streams (dictionary entries and bytes) as objects.
fn encrypted_pdf(extra: &[ExtraStream<'_>]) -> Vec<u8> {
    encrypted_pdf_of(&["Jane Doe", "more"], extra, None)
}

/// [`encrypted_pdf`] with pages of `texts`, and the trailer's `Info` naming object `info` (left
/// for the caller to store) when given.
fn encrypted_pdf_of(texts: &[&str], extra: &[ExtraStream<'_>], info: Option<u32>) -> Vec<u8> {
    use pdf_extract::encryption::{EncryptionState, EncryptionVersion, Permissions};
    use pdf_extract::{Dictionary, Document, Object, Stream};
    let dict = |entries: Vec<(&str, Object)>| Dictionary::from_iter(entries);
    let name = |n: &str| Object::Name(n.as_bytes().to_vec());
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type1")),
        ("BaseFont", name("Helvetica")),
        ("Encoding", name("WinAnsiEncoding")),
    ]));
    let mut kids = Vec::new();
    for text in texts {
        let content = format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET");
        let content = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let resources = dict(vec![("Font", Object::Dictionary(dict(vec![("F1", Object::Reference(font))])))]);
        kids.push(Object::Reference(doc.add_object(dict(vec![
            ("Type", name("Page")),
            ("Parent", Object::Reference(pages_id)),
            ("MediaBox", Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()])),
            ("Contents", Object::Reference(content)),
            ("Resources", Object::Dictionary(resources)),
        ]))));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dict(vec![
            ("Type", name("Pages")),
            ("Kids", Object::Array(kids)),
            ("Count", count.into()),
        ])),
    );
    for (entries, bytes) in extra {
        doc.add_object(Stream::new(dict(entries.clone()), bytes.clone()));
    }
    let catalog =
        doc.add_object(dict(vec![("Type", name("Catalog")), ("Pages", Object::Reference(pages_id))]));
    doc.trailer.set("Root", Object::Reference(catalog));
    if let Some(info) = info {
        doc.trailer.set("Info", Object::Reference((info, 0)));
    }
    let id = Object::String(b"0123456789abcdef".to_vec(), pdf_extract::StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "",
        key_length: 128,
        permissions: Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    // A cross-reference table (lopdf writes a stream for version 1.5): with_packed_objects reads it.
    doc.reference_table.cross_reference_type = pdf_extract::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    // lopdf's writer leaves object streams out (it would rebuild them): they are written
    // under a name of the same length, put right here (names are not encrypted).
    let mut at = 0;
    while let Some(p) = out[at..].windows(7).position(|w| w == b"/ObjStX") {
        out[at + p..at + p + 7].copy_from_slice(b"/ObjStm");
        at += p + 7;
    }
    out
}

/// `pdf` (written by lopdf, with one cross-reference table) with that table replaced by a
/// cross-reference stream that also lists `packed` objects as stored, in order, in the object
/// stream of the file (the object whose type is `/ObjStm`): what lopdf's writer cannot write.
fn with_packed_objects(pdf: &[u8], packed: &[u32]) -> Vec<u8> {
    let find = |what: &[u8]| pdf.windows(what.len()).rposition(|w| w == what).unwrap();
    let (xref_at, trailer_at, startxref_at) = (find(b"\nxref\n") + 1, find(b"trailer"), find(b"startxref"));
    // The object stream's number: the `N 0 obj` before its type.
    let objstm = pdf.windows(7).position(|w| w == b"/ObjStm").unwrap();
    let obj_at = pdf[..objstm].windows(6).rposition(|w| w == b" 0 obj").unwrap();
    let digits = pdf[..obj_at].iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let container: u32 = std::str::from_utf8(&pdf[obj_at - digits..obj_at]).unwrap().parse().unwrap();
    // Rows of the table: offset, generation, in use.
    let table = String::from_utf8_lossy(&pdf[xref_at..trailer_at]).into_owned();
    let mut rows: Vec<[u8; 7]> = Vec::new();
    for line in table.lines().skip(2) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (offset, generation): (u32, u16) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let kind = if f[2] == "n" { 1 } else { 0 };
        let mut row = [kind, 0, 0, 0, 0, 0, 0];
        row[1..5].copy_from_slice(&offset.to_be_bytes());
        row[5..7].copy_from_slice(&generation.to_be_bytes());
        rows.push(row);
    }
    for (index, &id) in packed.iter().enumerate() {
        let id = id as usize;
        if rows.len() <= id {
            rows.resize(id + 1, [0; 7]);
        }
        let mut row = [2, 0, 0, 0, 0, 0, 0];
        row[1..5].copy_from_slice(&container.to_be_bytes());
        row[5..7].copy_from_slice(&(index as u16).to_be_bytes());
        rows[id] = row;
    }
    // The cross-reference stream itself.
    let own = rows.len();
    let mut row = [1, 0, 0, 0, 0, 0, 0];
    row[1..5].copy_from_slice(&(xref_at as u32).to_be_bytes());
    rows.push(row);
    let trailer = String::from_utf8_lossy(&pdf[trailer_at + 7..startxref_at]).into_owned();
    let trailer = trailer.trim().trim_start_matches("<<").trim_end_matches(">>");
    // The table's `/Size` goes: the stream's own replaces it.
    let (before, after) = trailer.split_once("/Size").unwrap();
    let trailer = format!("{before}{}", after.trim_start().trim_start_matches(|c: char| c.is_ascii_digit()));
    let data: Vec<u8> = rows.concat();
    let mut out = pdf[..xref_at].to_vec();
    out.extend_from_slice(
        format!(
            "{own} 0 obj\n<<{trailer} /Type /XRef /Size {} /W [1 4 2] /Length {} >>\nstream\n",
            own + 1,
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// An object stream of one object (`first`: where the object starts in `bytes`), named
/// `ObjStX` for [`encrypted_pdf`] to write; FlateDecode when `compressed`.
fn packed_objects_stream(first: usize, bytes: Vec<u8>, compressed: bool) -> ExtraStream<'static> {
    let mut entries = vec![
        ("Type", pdf_extract::Object::Name(b"ObjStX".to_vec())),
        ("N", 1.into()),
        ("First", (first as i64).into()),
    ];
    if compressed {
        entries.push(("Filter", pdf_extract::Object::Name(b"FlateDecode".to_vec())));
    }
    (entries, bytes)
}

#[test]
fn encrypted_pdf_object_stream_the_cross_reference_points_into_inflating_past_the_limit() {
    // lopdf unpacks these while it decrypts the file as it loads it, with no limit: the file is
    // loaded undecrypted, and its object streams are inflated under the budget.
    // The trailer's key is also written with an escape (`#79` is `y`), as lopdf reads it too.
    let pdf = encrypted_pdf(&[packed_objects_stream(4, zlib_bomb(256), true)]);
    let pdf = with_packed_objects(&pdf, &[40]);
    let at = pdf.windows(8).rposition(|w| w == b"/Encrypt").unwrap();
    let escaped = [&pdf[..at], b"/Encr#79pt", &pdf[at + 8..]].concat();
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    for (name, pdf) in [("plain key", pdf), ("escaped key", escaped)] {
        let name = format!("encrypted PDF, packed objects in a stream inflating to 256 MiB, {name}");
        let o = scan(&name, &scanner(limits), &message("enc.pdf", &pdf));
        assert_eq!(o.limits, ["max_extracted_bytes"], "{name}");
        // The stream past the budget is left out, the rest read.
        assert!(o.found, "{name}: the first page is read");
    }
}

#[test]
fn encrypted_pdf_objects_packed_in_an_object_stream_are_read() {
    // The document information lives in the (encrypted) object stream; no page names anyone.
    let header = "40 0 ";
    let body = format!("{header}<< /Title (Jane Doe) >>");
    let plain = encrypted_pdf_of(
        &["nothing here"],
        &[packed_objects_stream(header.len(), body.clone().into_bytes(), false)],
        Some(40),
    );
    let compressed = encrypted_pdf_of(
        &["nothing here"],
        &[packed_objects_stream(header.len(), zlib(body.as_bytes()), true)],
        Some(40),
    );
    for (name, pdf) in [("plain", plain), ("compressed", compressed)] {
        let pdf = with_packed_objects(&pdf, &[40]);
        let o = scan(name, &scanner(Limits::default()), &message("enc.pdf", &pdf));
        assert!(o.found, "{name}: the title in the object stream is read");
        assert!(o.limits.is_empty(), "{name}: {:?}", o.limits);
    }
}

#[test]
fn pdf_naming_encrypt_outside_its_trailer_keeps_its_packed_objects() {
    // Not encrypted, its document information packed in an object stream, and `/Encrypt` in a
    // comment of its page: the name is hidden from lopdf all the same (it could be the
    // trailer's), so the object streams are unpacked by maildlp, and must be.
    use pdf_extract::{Dictionary, Document, Object, Stream};
    let name = |n: &str| Object::Name(n.as_bytes().to_vec());
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = b"% /Encrypt\nBT /F1 12 Tf 72 700 Td (nothing here) Tj ET".to_vec();
    let content = doc.add_object(Stream::new(Dictionary::new(), content));
    let font = doc.add_object(Dictionary::from_iter(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type1")),
        ("BaseFont", name("Helvetica")),
    ]));
    let resources = Dictionary::from_iter(vec![(
        "Font",
        Object::Dictionary(Dictionary::from_iter(vec![("F1", Object::Reference(font))])),
    )]);
    let page = doc.add_object(Dictionary::from_iter(vec![
        ("Type", name("Page")),
        ("Parent", Object::Reference(pages_id)),
        ("MediaBox", Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()])),
        ("Contents", Object::Reference(content)),
        ("Resources", Object::Dictionary(resources)),
    ]));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("Pages")),
            ("Kids", Object::Array(vec![Object::Reference(page)])),
            ("Count", 1.into()),
        ])),
    );
    let info = doc.add_object(Dictionary::from_iter(vec![(
        "Title",
        Object::String(b"Jane Doe".to_vec(), pdf_extract::StringFormat::Literal),
    )]));
    let catalog = doc.add_object(Dictionary::from_iter(vec![
        ("Type", name("Catalog")),
        ("Pages", Object::Reference(pages_id)),
    ]));
    doc.trailer.set("Root", Object::Reference(catalog));
    doc.trailer.set("Info", Object::Reference(info));
    let mut pdf = Vec::new();
    doc.save_modern(&mut pdf).unwrap();
    assert!(pdf.windows(7).any(|w| w == b"/ObjStm"), "the information is packed");
    assert!(!pdf.windows(8).any(|w| w == b"Jane Doe"), "and compressed");
    let o = scan("PDF naming /Encrypt in a page", &scanner(Limits::default()), &message("p.pdf", &pdf));
    assert!(o.found, "the packed title is read");
}

#[test]
fn encrypted_pdf_anyone_may_open_is_read() {
    let o = scan(
        "encrypted PDF, empty user password",
        &scanner(Limits::default()),
        &message("open.pdf", &encrypted_pdf(&[])),
    );
    assert!(o.found, "the page is read");
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}

#[test]
fn encrypted_pdf_object_stream_inflating_past_the_limit() {
    // An object stream no cross-reference entry points into (for one that entries point into,
    // see the test above): decrypted, then inflated under the budget and left out.
    let pdf = encrypted_pdf(&[packed_objects_stream(4, zlib_bomb(256), true)]);
    let limits = Limits { max_extracted_bytes: 1 << 20, ..Limits::default() };
    let o = scan(
        "encrypted PDF, object stream inflating to 256 MiB",
        &scanner(limits),
        &message("enc.pdf", &pdf),
    );
    assert_eq!(o.limits, ["max_extracted_bytes"]);
    assert!(o.found, "the first page is read");
}

/// A compound file (4,096-byte sectors) whose one stream, `name`, starts with "Jane Doe" in
/// UTF-16 and runs over five sectors.
fn compound_file(name: &str) -> Vec<u8> {
    let mut data: Vec<u8> = "Jane Doe, statement of".encode_utf16().flat_map(u16::to_le_bytes).collect();
    data.resize(20_000, 0);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream(name).unwrap().write_all(&data).unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// Points the last sector of stream `name`'s chain back to its sector number `back_to` in the
/// chain (0: the chain becomes a cycle; more: a sector is pointed to twice).
fn loop_chain(file: &mut [u8], name: &str, back_to: usize) {
    let u32_at = |f: &[u8], at: usize| u32::from_le_bytes(f[at..at + 4].try_into().unwrap());
    let sector = 1usize << u16::from_le_bytes([file[0x1e], file[0x1f]]);
    let offset = |id: u32| (id as usize + 1) * sector;
    let fat = offset(u32_at(file, 0x4c));
    let dir = offset(u32_at(file, 0x30));
    let wanted: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let entry = (0..sector / 128)
        .map(|i| dir + 128 * i)
        .find(|&e| file[e..e + 64].starts_with(&wanted))
        .expect("the stream's directory entry");
    let mut chain = vec![u32_at(file, entry + 0x74)];
    loop {
        let next = u32_at(file, fat + 4 * *chain.last().unwrap() as usize);
        if next == 0xffff_fffe {
            break;
        }
        chain.push(next);
    }
    assert!(chain.len() > back_to + 1, "a chain of {} sectors", chain.len());
    let last = fat + 4 * *chain.last().unwrap() as usize;
    file[last..last + 4].copy_from_slice(&chain[back_to].to_le_bytes());
}

#[test]
fn compound_file_whose_chains_loop() {
    // A workbook stream whose chain comes back to its start: the file opens, the stream does
    // not, and its text runs are read. One whose chain comes back to its middle (a sector
    // pointed to twice): the file is refused, and its text runs are read.
    for (back_to, what) in [(0, "back to its start"), (2, "back into its middle")] {
        let mut file = compound_file("Workbook");
        loop_chain(&mut file, "Workbook", back_to);
        let name = format!("compound file, workbook chain looping {what}");
        let o = scan(&name, &scanner(Limits::default()), &message("loop.xls", &file));
        assert!(o.found, "{name}: the text runs are read");
        assert!(o.limits.is_empty(), "{name}: {:?}", o.limits);
    }
    // The same for a stream of no known kind.
    let mut file = compound_file("Contents");
    loop_chain(&mut file, "Contents", 1);
    let o = scan("compound file, chain looping", &scanner(Limits::default()), &message("loop.bin", &file));
    assert!(o.found);
}

#[test]
fn truncated_compound_files() {
    let file = compound_file("Workbook");
    let text: Vec<u8> = "Jane Doe".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = file.windows(text.len()).position(|w| w == text).unwrap();
    for len in [at + text.len(), file.len() / 2, file.len() - 100] {
        let name = format!("compound file cut to {len} of {} bytes", file.len());
        let o = scan(&name, &scanner(Limits::default()), &message("cut.xls", &file[..len]));
        assert!(o.found == (len >= at + text.len()), "{name}");
    }
    // The legacy workbook fixture, cut anywhere: a report, never a panic.
    let xls =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/legacy.xls"))
            .unwrap();
    for len in (0..xls.len()).step_by(509) {
        let _ = scanner(Limits::default()).scan(&message("cut.xls", &xls[..len]));
    }
}

#[test]
fn compound_file_listing_one_fat_sector_over_and_over() {
    // 1 MiB whose header and DIFAT chain list one sector as a FAT sector 260,000 times: the
    // `cfb` crate would read a FAT of 1 GiB before finding it larger than the file. The file
    // is refused before, and read for its text runs (a name in its last sector).
    let sectors = 255u32;
    let mut file = vec![0u8; (sectors as usize + 2) * 4096];
    let mut put = |at: usize, v: &[u8]| file[at..at + v.len()].copy_from_slice(v);
    put(0, &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    put(0x18, &0x3eu16.to_le_bytes());
    put(0x1a, &4u16.to_le_bytes());
    put(0x1c, &0xfffeu16.to_le_bytes());
    put(0x1e, &12u16.to_le_bytes());
    put(0x20, &6u16.to_le_bytes());
    put(0x38, &4096u32.to_le_bytes());
    put(0x44, &1u32.to_le_bytes());
    for i in 0..109 {
        put(0x4c + 4 * i, &1u32.to_le_bytes());
    }
    for s in 1..sectors {
        let at = (s as usize + 1) * 4096;
        for i in 0..1023 {
            put(at + 4 * i, &1u32.to_le_bytes());
        }
        let next = if s + 1 < sectors { s + 1 } else { 0xffff_fffe };
        put(at + 4092, &next.to_le_bytes());
    }
    let text: Vec<u8> = "Jane Doe".encode_utf16().flat_map(u16::to_le_bytes).collect();
    put((sectors as usize + 1) * 4096, &text);
    let o = scan(
        "compound file listing its FAT 260,000 times",
        &scanner(Limits::default()),
        &message("fat.doc", &file),
    );
    assert!(o.found);
    assert!(o.limits.is_empty(), "{:?}", o.limits);
}
