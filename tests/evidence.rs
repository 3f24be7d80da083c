//! Recall of the detectors at each confidence, on a generated set of messages and documents
//! (fixed seed): valid values in the layouts people write them in (forms, letters, HTML
//! tables, tab-separated text pasted from a sheet, CSV exports, workbooks, OpenDocument sheets,
//! Word tables), each with a label (an evidence term near it or heading its column) or without
//! one (in an OpenDocument sheet, the label then stands in a comment on another cell).
//!
//! At `high` every labelled value must be found and no unlabelled one; at `low` every value.
//! The counts are printed:
//!
//!     cargo test --release --test evidence -- --nocapture

#![cfg(feature = "serde")]

use std::io::Write;

use base64::Engine;
use maildlp::{Policy, ProtectedList, Scanner};

/// xorshift64*: the same items on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

const DETECTORS: [&str; 4] = ["payment-card", "iban", "uk-nino", "nhs-number"];

/// Labels as people write them, per detector (in the order of `DETECTORS`).
const LABELS: [&[&str]; 4] = [
    &["Card number", "Card No.", "Credit card", "Debit card", "Visa", "Mastercard", "Rhif cerdyn", "CARD NO"],
    &["IBAN", "Bank account (IBAN)", "Account number", "IBAN no.", "Bank details", "Rhif cyfrif"],
    &[
        "National Insurance number",
        "NI number",
        "NI No.",
        "NINO",
        "National Insurance No",
        "Rhif Yswiriant Gwladol",
    ],
    &["NHS number", "NHS No.", "NHS no:", "Patient NHS Number", "NHS", "Rhif GIG", "nhs number"],
];

/// Headers and labels that are no evidence.
const PLAIN_LABELS: &[&str] = &["Reference", "Ref", "Number", "ID", "Code", "Our ref"];

fn luhn_ok(d: &str) -> bool {
    let sum: u32 = d
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let v = u32::from(c - b'0');
            if i % 2 == 1 {
                if v * 2 > 9 {
                    v * 2 - 9
                } else {
                    v * 2
                }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn group(s: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes {
        out.push(&s[at..(at + n).min(s.len())]);
        at += n;
    }
    out.join(sep)
}

/// A valid value of detector `d`, written one of the ways people write it.
fn value(rng: &mut Rng, d: usize) -> String {
    match d {
        0 => {
            let (prefix, len) = [("4", 16), ("51", 16), ("55", 16), ("37", 15), ("4", 13)][rng.below(5)];
            let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
            let n = (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_ok(n)).unwrap_or_default();
            match (rng.below(3), len) {
                (0, _) | (_, 13) => n,
                (1, 15) => group(&n, &[4, 6, 5], " "),
                (_, 15) => group(&n, &[4, 6, 5], "-"),
                (1, _) => group(&n, &[4, 4, 4, 4], " "),
                _ => group(&n, &[4, 4, 4, 4], "-"),
            }
        }
        1 => {
            let bank: String = (0..4).map(|_| char::from(b'A' + rng.below(26) as u8)).collect();
            let bban = format!("{bank}{}", rng.digits(14));
            let moved = format!("{bban}GB00");
            let mut rem = 0u64;
            for c in moved.chars() {
                let v = u64::from(c.to_digit(36).unwrap_or(0));
                rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
            }
            let iban = format!("GB{:02}{bban}", 98 - rem);
            if rng.below(2) == 0 {
                iban
            } else {
                group(&iban, &[4, 4, 4, 4, 4, 2], " ")
            }
        }
        2 => {
            let first = "ABCEGHJKLMNPRSTWXYZ";
            let second = "ABCEGHJKLMNPRSTWXYZ";
            let mut prefix;
            loop {
                prefix = format!(
                    "{}{}",
                    char::from(first.as_bytes()[rng.below(first.len())]),
                    char::from(second.as_bytes()[rng.below(second.len())])
                );
                if !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&prefix.as_str()) {
                    break;
                }
            }
            let digits = rng.digits(6);
            let suffix = char::from(b'A' + rng.below(4) as u8);
            if rng.below(2) == 0 {
                format!("{prefix}{digits}{suffix}")
            } else {
                format!("{prefix} {} {} {} {suffix}", &digits[..2], &digits[2..4], &digits[4..])
            }
        }
        _ => loop {
            let nine = rng.digits(9);
            let sum: u32 = nine.bytes().enumerate().map(|(i, c)| u32::from(c - b'0') * (10 - i as u32)).sum();
            let check = match 11 - sum % 11 {
                11 => 0,
                10 => continue,
                c => c,
            };
            let n = format!("{nine}{check}");
            break match rng.below(3) {
                0 => n,
                1 => group(&n, &[3, 3, 4], " "),
                _ => group(&n, &[3, 3, 4], "-"),
            };
        },
    }
}

const NAMES: &[&str] = &[
    "Jane Doe",
    "Ravi Patel",
    "Zoe Martin",
    "Owen Price",
    "Siân Evans",
    "Amir Khan",
    "Ewa Nowak",
    "Tom Hughes",
];

const FILLER: &str =
    "Thank you for your letter of last week. We have looked into the matter with the team and \
    will write again in full once we have heard from everyone involved. ";

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn zip(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A workbook of one sheet: `rows[r][c]` at row r + 1, column c + 1 (empty cells left out).
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut sheet = String::from("<worksheet><sheetData>");
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            let col = char::from(b'A' + c as u8);
            sheet.push_str(&format!(
                "<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                r + 1,
                xml_escape(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    zip(&[
        ("[Content_Types].xml", "<Types/>".into()),
        ("xl/workbook.xml", "<workbook><sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into()),
        (
            "xl/_rels/workbook.xml.rels",
            "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
                .into(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// An OpenDocument spreadsheet of one sheet: `rows[r][c]` at row r + 1, column c + 1, and a
/// comment (annotation) on cell A1 when `comment` is given.
fn ods(rows: &[Vec<String>], comment: Option<&str>) -> Vec<u8> {
    let mut content = String::from(
        "<office:document-content><office:body><office:spreadsheet><table:table table:name=\"Export\">",
    );
    for (r, row) in rows.iter().enumerate() {
        content.push_str("<table:table-row>");
        for (c, cell) in row.iter().enumerate() {
            content.push_str("<table:table-cell office:value-type=\"string\">");
            if let (0, 0, Some(note)) = (r, c, comment) {
                content.push_str(&format!(
                    "<office:annotation><text:p>{}</text:p></office:annotation>",
                    xml_escape(note)
                ));
            }
            content.push_str(&format!("<text:p>{}</text:p></table:table-cell>", xml_escape(cell)));
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    zip(&[("mimetype", "application/vnd.oasis.opendocument.spreadsheet".into()), ("content.xml", content)])
}

/// A Word document: a paragraph, then a table of `rows`.
fn docx(intro: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let p = |t: &str| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", xml_escape(t));
    let mut doc = format!("<w:document><w:body>{}<w:tbl>", p(intro));
    for row in rows {
        doc.push_str("<w:tr>");
        for cell in row {
            doc.push_str(&format!("<w:tc>{}</w:tc>", p(cell)));
        }
        doc.push_str("</w:tr>");
    }
    doc.push_str("</w:tbl></w:body></w:document>");
    zip(&[("[Content_Types].xml", "<Types/>".into()), ("word/document.xml", doc)])
}

fn message(subject: &str, body: &str, html: bool, attachment: Option<(&str, &str, Vec<u8>)>) -> Vec<u8> {
    let kind = if html { "text/html" } else { "text/plain" };
    let head =
        format!("From: clerk@council.example\r\nTo: someone@elsewhere.example\r\nSubject: {subject}\r\n");
    let Some((name, ctype, bytes)) = attachment else {
        return format!(
            "{head}Content-Type: {kind}; charset=utf-8\r\n\r\n{}\r\n",
            body.replace('\n', "\r\n")
        )
        .into_bytes();
    };
    let mut b64 = String::new();
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    for line in encoded.as_bytes().chunks(76) {
        b64.push_str(std::str::from_utf8(line).unwrap_or_default());
        b64.push_str("\r\n");
    }
    format!(
        "{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: {kind}; charset=utf-8\r\n\r\n{}\r\n\
         --b\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}--b--\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// One generated item: the message, the detector of the one value it holds, whether that
/// value is labelled, and its layout.
struct Item {
    message: Vec<u8>,
    detector: usize,
    labelled: bool,
    layout: &'static str,
}

const LAYOUTS: [&str; 9] = [
    "form",
    "letter",
    "html table",
    "tab-separated text",
    "csv export",
    "xlsx column",
    "docx table",
    "xlsx form",
    "ods column",
];

fn item(rng: &mut Rng, i: usize) -> Item {
    let detector = rng.below(4);
    let labelled = (i / LAYOUTS.len()).is_multiple_of(2);
    let layout = LAYOUTS[i % LAYOUTS.len()];
    let v = value(rng, detector);
    let label = if labelled { rng.pick(LABELS[detector]) } else { rng.pick(PLAIN_LABELS) };
    let name = rng.pick(NAMES);
    let rows = 10 + rng.below(40);
    let at = 1 + rng.below(rows);
    let message = match layout {
        "form" => message(
            "Referral",
            &format!("Referral form\n\nName: {name}\nDate of birth: 01/02/1980\n{label}: {v}\nAddress: 1 High Street\n"),
            false,
            None,
        ),
        "letter" => {
            let sentence = if rng.below(2) == 0 {
                format!("I am writing about your {label}, which we hold as {v}.")
            } else {
                format!("Please quote {v} ({label}) when you reply.")
            };
            message("Your letter", &format!("Dear {name},\n\n{FILLER}\n\n{sentence}\n\n{FILLER}\n\nYours sincerely\n"), false, None)
        }
        "html table" => {
            // Rows enough that the header stands far more than 300 characters above the value.
            let n = rows;
            let mut html = format!("<p>{FILLER}</p><table><tr><th>Name</th><th>{label}</th></tr>");
            for r in 0..n {
                let cell = if r == n - 1 { v.clone() } else { "pending".into() };
                html.push_str(&format!("<tr><td>{}</td><td>{cell}</td></tr>", rng.pick(NAMES)));
            }
            html.push_str("</table>");
            message("List", &html, true, None)
        }
        "tab-separated text" => {
            let mut text = format!("{FILLER}\n\nName\t{label}\tDate\n");
            for r in 1..=rows {
                let cell = if r == at { v.clone() } else { "pending".into() };
                text.push_str(&format!("{}\t{cell}\t0{}/03/2024\n", rng.pick(NAMES), 1 + rng.below(9)));
            }
            message("List", &text, false, None)
        }
        "csv export" => {
            let mut csv = format!("id,name,{label},date\n");
            for r in 1..=rows {
                let cell = if r == at { v.clone() } else { String::new() };
                csv.push_str(&format!("{r},\"{}\",{cell},2024-03-0{}\n", rng.pick(NAMES), 1 + rng.below(9)));
            }
            message("Export", FILLER, false, Some(("export.csv", "text/csv", csv.into_bytes())))
        }
        "xlsx column" => {
            let mut sheet = vec![vec!["Name".to_string(), "Date".to_string(), label.to_string()]];
            if rng.below(2) == 0 {
                sheet.push(Vec::new());
            }
            for r in 1..=rows {
                let cell = if r == at { v.clone() } else { String::new() };
                sheet.push(vec![rng.pick(NAMES).to_string(), "2024-03-01".into(), cell]);
            }
            let ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            message("Export", FILLER, false, Some(("export.xlsx", ctype, xlsx(&sheet))))
        }
        "docx table" => {
            let mut table = vec![vec!["Name".to_string(), label.to_string(), "Notes".to_string()]];
            for r in 1..=rows {
                let cell = if r == at { v.clone() } else { "pending".into() };
                table.push(vec![rng.pick(NAMES).to_string(), cell, "seen".into()]);
            }
            let ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
            message("Report", FILLER, false, Some(("report.docx", ctype, docx(FILLER, &table))))
        }
        "ods column" => {
            // Unlabelled: the label stands only in a comment on another cell, which is no
            // evidence for the column.
            let mut sheet = vec![vec!["Name".to_string(), if labelled { label } else { "Reference" }.to_string()]];
            for r in 1..=rows {
                let cell = if r == at { v.clone() } else { "pending".into() };
                sheet.push(vec![rng.pick(NAMES).to_string(), cell]);
            }
            let note = if labelled { None } else { Some(rng.pick(LABELS[detector])) };
            let ctype = "application/vnd.oasis.opendocument.spreadsheet";
            message("Export", FILLER, false, Some(("export.ods", ctype, ods(&sheet, note))))
        }
        _ => {
            let sheet = vec![
                vec!["Name".to_string(), name.to_string()],
                vec!["Date of birth".to_string(), "01/02/1980".into()],
                vec![label.to_string(), v.clone()],
            ];
            let ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            message("Form", FILLER, false, Some(("form.xlsx", ctype, xlsx(&sheet))))
        }
    };
    Item { message, detector, labelled, layout }
}

fn scanner(confidence: &str) -> Scanner {
    let mut b = Policy::builder().detector_confidence(confidence);
    for d in DETECTORS {
        b = b.detector(d);
    }
    Scanner::new(ProtectedList::new(), b.build().unwrap())
}

/// The detectors of the `sensitive-data` findings of `message`.
fn detected(s: &Scanner, message: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&s.scan(message).to_json()).unwrap();
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "sensitive-data")
        .filter_map(|f| f["detector"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn recall_at_each_confidence_on_generated_messages_and_documents() {
    let mut rng = Rng(0x6d61_696c_646c_7033);
    let items: Vec<Item> = (0..1350).map(|i| item(&mut rng, i)).collect();
    let (high, low) = (scanner("high"), scanner("low"));
    let mut misses = Vec::new();
    // Per layout: labelled values, found at high; unlabelled ones, found at high; every value,
    // found at low.
    let mut table: Vec<(&str, [usize; 6])> = LAYOUTS.iter().map(|l| (*l, [0; 6])).collect();
    for (n, it) in items.iter().enumerate() {
        let want = DETECTORS[it.detector];
        let at_high = detected(&high, &it.message).iter().any(|d| d == want);
        let at_low = detected(&low, &it.message).iter().any(|d| d == want);
        let row = &mut table.iter_mut().find(|(l, _)| *l == it.layout).unwrap().1;
        if it.labelled {
            row[0] += 1;
            row[1] += usize::from(at_high);
            if !at_high {
                misses.push(format!("item {n} ({}, {want}, labelled): not found at high", it.layout));
            }
        } else {
            row[2] += 1;
            row[3] += usize::from(at_high);
            if at_high {
                misses.push(format!("item {n} ({}, {want}, unlabelled): found at high", it.layout));
            }
        }
        row[4] += 1;
        row[5] += usize::from(at_low);
        if !at_low {
            misses.push(format!("item {n} ({}, {want}): not found at low", it.layout));
        }
    }
    println!("| layout | labelled: found at high | unlabelled: found at high | all: found at low |");
    println!("|---|---|---|---|");
    let mut total = [0usize; 6];
    for (layout, c) in &table {
        println!("| {layout} | {} / {} | {} / {} | {} / {} |", c[1], c[0], c[3], c[2], c[5], c[4]);
        for (t, x) in total.iter_mut().zip(c) {
            *t += x;
        }
    }
    let c = total;
    println!("| all | {} / {} | {} / {} | {} / {} |", c[1], c[0], c[3], c[2], c[5], c[4]);
    assert!(total[4] >= 1000);
    assert!(misses.is_empty(), "{} misses:\n{}", misses.len(), misses.join("\n"));
}

/// A legacy Excel workbook written by LibreOffice (`tests/documents/evidence/make_xls.sh`): the
/// NHS number in row 30 is `high` under a column headed "NHS number" (the header stands far
/// more than 300 characters above it) and `low` under one headed "Reference".
#[test]
fn xls_column_header_is_evidence() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/evidence");
    let (high, low) = (scanner("high"), scanner("low"));
    for (file, at_high) in [("nhs-column.xls", true), ("reference-column.xls", false)] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let m = message("Export", FILLER, false, Some((file, "application/vnd.ms-excel", bytes)));
        let want: &[&str] = if at_high { &["nhs-number"] } else { &[] };
        assert_eq!(detected(&high, &m), want, "{file} at high");
        assert_eq!(detected(&low, &m), ["nhs-number"], "{file} at low");
    }
}
