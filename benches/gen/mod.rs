//! Deterministic generators for benchmarks: protected lists of any size and realistic
//! outgoing mail (multipart/alternative QP text + HTML, base64 PDF and CSV attachments,
//! 1-30 recipients). Shared by `benches/*.rs` and `examples/generate_corpus.rs`.
#![allow(dead_code)]

use std::fmt::Write;

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "al", "an", "ar", "bel", "ben", "car", "da", "del", "el", "fa", "gar", "ha", "is", "ja", "ka", "la",
    "lo", "ma", "mi", "na", "no", "ol", "pa", "ra", "ri", "sa", "se", "ta", "to", "va", "vi", "wen", "ya",
    "zo", "ber", "cha",
];

fn word_from(mut n: usize, syllables: usize) -> String {
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    let mut c = w.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The name of record `i`: 1,296 first names (two syllables) x 46,656 surnames (three).
pub fn name(i: usize) -> String {
    let first = word_from(i % 1296, 2);
    let last = word_from(i / 1296 + 7, 3);
    format!("{first} {last}")
}

pub fn email(i: usize) -> String {
    format!("p{i}.{}@people{}.example", word_from(i, 2).to_lowercase(), i % 97)
}

pub fn phone(i: usize) -> String {
    format!("+44 7700 {:06}", i)
}

/// A protected list: `n` records with a name and an email each, and a phone for one in ten.
pub fn list_csv(n: usize) -> String {
    let mut s = String::with_capacity(n * 64);
    s.push_str("id,kind,value\n");
    for i in 0..n {
        let _ = writeln!(s, "R{i},name,{}", name(i));
        let _ = writeln!(s, "R{i},email,{}", email(i));
        if i % 10 == 0 {
            let _ = writeln!(s, "R{i},phone,{}", phone(i));
        }
    }
    s
}

/// The protected names alone, one per line (for `grep -F -f`).
pub fn names_file(n: usize) -> String {
    (0..n).map(|i| name(i) + "\n").collect()
}

const WORDS: &[&str] = &[
    "the",
    "meeting",
    "report",
    "will",
    "be",
    "held",
    "on",
    "Tuesday",
    "please",
    "find",
    "attached",
    "minutes",
    "of",
    "last",
    "week",
    "and",
    "agenda",
    "for",
    "next",
    "team",
    "project",
    "update",
    "budget",
    "review",
    "we",
    "have",
    "received",
    "your",
    "request",
    "regarding",
    "case",
    "officer",
    "contact",
    "information",
    "thank",
    "you",
    "for",
    "patience",
    "our",
    "office",
    "is",
    "open",
    "from",
    "Monday",
    "to",
    "Friday",
    "with",
    "regards",
    "best",
    "wishes",
    "schedule",
    "appointment",
    "confirmed",
    "training",
    "session",
    "room",
];

fn prose(rng: &mut Rng, words: usize, protected: usize, list_size: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if protected > 0 && i % (words / protected.max(1)).max(1) == 7 && list_size > 0 {
            s.push_str(&name(rng.below(list_size)));
        } else {
            s.push_str(WORDS[rng.below(WORDS.len())]);
        }
        s.push(if i % 14 == 13 { '.' } else { ' ' });
        if i % 14 == 13 {
            s.push(if i % 56 == 55 { '\n' } else { ' ' });
        }
    }
    s
}

fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for b in text.bytes() {
        let piece = match b {
            b'\n' => {
                out.push_str("\r\n");
                line = 0;
                continue;
            }
            b'=' | 0x80..=0xff => format!("={b:02X}"),
            _ => (b as char).to_string(),
        };
        if line + piece.len() > 75 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 4);
    for (i, chunk) in data.chunks(3).enumerate() {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out
}

/// One realistic outgoing message of roughly `text_words` words of prose, with a PDF of
/// `pdf_bytes` random bytes and a CSV attachment; `protected` protected names in the text.
pub fn message(
    rng: &mut Rng,
    text_words: usize,
    pdf_bytes: usize,
    protected: usize,
    list_size: usize,
) -> Vec<u8> {
    let rcpts = 1 + rng.below(30);
    let to: Vec<String> =
        (0..rcpts).map(|i| format!("recipient{i}@partner{}.example", rng.below(5))).collect();
    let text = prose(rng, text_words, protected, list_size);
    let html = format!(
        "<html><head><style>p {{ margin: 0 }}</style></head><body><div><p>{}</p><table><tr><td>Ref</td><td>{}</td></tr></table></div></body></html>",
        text.replace('\n', "</p>\n<p>"),
        rng.next() % 100000
    );
    let pdf: Vec<u8> = {
        let mut v = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        while v.len() < pdf_bytes {
            v.extend_from_slice(&rng.next().to_le_bytes());
        }
        v
    };
    let mut csv = String::from("ref,name,phone\n");
    for i in 0..20 {
        let _ = writeln!(csv, "{i},{},0161 496 {:04}", WORDS[rng.below(WORDS.len())], rng.below(10000));
    }
    let mut m = String::new();
    let _ = write!(
        m,
        "From: Case Officer <officer@police.example>\r\nTo: {}\r\nSubject: {} {}\r\nDate: Tue, 12 Nov 2024 09:14:00 +0000\r\nMessage-ID: <{}@police.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n",
        to.join(",\r\n "),
        WORDS[rng.below(WORDS.len())],
        WORDS[rng.below(WORDS.len())],
        rng.next()
    );
    let _ = write!(m, "--mixed\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n");
    let _ = write!(m, "--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n", quoted_printable(&text));
    let _ = write!(m, "--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n", quoted_printable(&html));
    let _ = write!(m, "--alt--\r\n");
    if pdf_bytes > 0 {
        let _ = write!(m, "--mixed\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(&pdf));
    }
    let _ = write!(m, "--mixed\r\nContent-Type: text/csv; name=\"contacts.csv\"\r\nContent-Disposition: attachment; filename=\"contacts.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(csv.as_bytes()));
    let _ = write!(m, "--mixed--\r\n");
    m.into_bytes()
}

/// A mailbox of `n` realistic messages (text 200-2,000 words, PDF 0-200 KB).
pub fn mailbox(seed: u64, n: usize, list_size: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let words = 200 + rng.below(1800);
            let pdf = if rng.below(3) == 0 { 0 } else { 10_000 + rng.below(190_000) };
            let protected = rng.below(2);
            message(&mut rng, words, pdf, protected, list_size)
        })
        .collect()
}

/// A plain-text message whose body is about `bytes` long (for the linear-growth bench).
pub fn text_message(seed: u64, bytes: usize, list_size: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut body = String::with_capacity(bytes + 100);
    while body.len() < bytes {
        body.push_str(&prose(&mut rng, 200, 1, list_size));
    }
    format!("From: a@police.example\r\nTo: b@partner.example\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
        .into_bytes()
}

/// A message to an outsider with `body` attached as `name` (base64).
pub fn attachment_message(name: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: file\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--b--\r\n",
        base64(body)
    )
    .into_bytes()
}

/// A document to attach in the varied mailbox: file name, content type, bytes.
pub struct Document {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The documents the varied mix attaches (fixtures of `tests/documents`), with their types.
const DOCUMENTS: &[(&str, &str)] = &[
    ("workbook.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("workbook-lo.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("clean.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("document.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("document-lo.pdf", "application/pdf"),
    ("report.pdf", "application/pdf"),
    ("letter.odt", "application/vnd.oasis.opendocument.text"),
    ("workbook-lo.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("memo.rtf", "application/rtf"),
    ("legacy.xls", "application/vnd.ms-excel"),
    ("nested.zip", "application/zip"),
];

/// This repository's `tests` folder.
pub fn tests_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The documents the varied mix attaches, read from `tests/documents`.
pub fn documents() -> std::io::Result<Vec<Document>> {
    DOCUMENTS
        .iter()
        .map(|(name, content_type)| {
            std::fs::read(tests_dir().join("documents").join(name)).map(|bytes| Document {
                name: name.to_string(),
                content_type,
                bytes,
            })
        })
        .collect()
}

/// Every `.eml` file under `dir`, in name order (subfolders where they sort).
pub fn eml_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut entries: Vec<std::path::PathBuf> =
        std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        if p.is_dir() {
            out.extend(eml_files(&p)?);
        } else if p.extension().is_some_and(|e| e == "eml") {
            out.push(p);
        }
    }
    Ok(out)
}

fn recipients(rng: &mut Rng) -> String {
    let n = 1 + rng.below(30);
    (0..n)
        .map(|i| match rng.below(4) {
            0 => format!("\"Partner {i}\" <recipient{i}@partner{}.example>", rng.below(5)),
            _ => format!("recipient{i}@partner{}.example", rng.below(5)),
        })
        .collect::<Vec<_>>()
        .join(",\r\n ")
}

fn headers(rng: &mut Rng, m: &mut String, content_type: &str) {
    let _ = write!(
        m,
        "From: Case Officer <officer@police.example>\r\nTo: {}\r\nSubject: {} {}\r\nDate: Tue, 12 Nov 2024 09:14:00 +0000\r\nMessage-ID: <{}@police.example>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n",
        recipients(rng),
        WORDS[rng.below(WORDS.len())],
        WORDS[rng.below(WORDS.len())],
        rng.next()
    );
}

fn random_bytes(rng: &mut Rng, magic: &[u8], len: usize) -> Vec<u8> {
    let mut v = magic.to_vec();
    while v.len() < len {
        v.extend_from_slice(&rng.next().to_le_bytes());
    }
    v
}

/// One message of the varied mix, of kind `kind % 4`:
/// 0. the realistic shape of [`message`] (QP text + HTML, random-byte PDF, CSV);
/// 1. HTML only, base64, in multipart/related with one or two inline PNG images;
/// 2. Latin-1 plain text in base64 with a JPEG attachment;
/// 3. text with one or two of `documents` attached (real XLSX, DOCX, PDF, ODT...).
pub fn varied_message(rng: &mut Rng, kind: usize, list_size: usize, documents: &[Document]) -> Vec<u8> {
    let words = 100 + rng.below(1500);
    let protected = rng.below(2);
    let mut m = String::new();
    match kind % 4 {
        0 => {
            let pdf = if rng.below(3) == 0 { 0 } else { 10_000 + rng.below(60_000) };
            return message(rng, words, pdf, protected, list_size);
        }
        1 => {
            headers(rng, &mut m, "multipart/related; boundary=\"rel\"");
            let text = prose(rng, words, protected, list_size);
            let html = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>td {{ padding: 2px }}</style></head><body><p>Dear colleague,</p><p>{}</p><img src=\"cid:logo\" alt=\"logo\"><table><tr><td>Ref</td><td>{}</td></tr></table><p><a href=\"https://portal.police.example/case/{}\">open the case</a></p></body></html>",
                html_escape(&text).replace('\n', "</p>\n<p>"),
                rng.next() % 100_000,
                rng.next() % 100_000
            );
            let _ = write!(m, "--rel\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(html.as_bytes()));
            for i in 0..1 + rng.below(2) {
                let len = 2_000 + rng.below(40_000);
                let png = random_bytes(rng, b"\x89PNG\r\n\x1a\n", len);
                let _ = write!(m, "--rel\r\nContent-Type: image/png\r\nContent-ID: <logo{i}>\r\nContent-Disposition: inline; filename=\"logo{i}.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(&png));
            }
            let _ = write!(m, "--rel--\r\n");
        }
        2 => {
            headers(rng, &mut m, "multipart/mixed; boundary=\"mix\"");
            let text = prose(rng, words, protected, list_size).replace("regards", "r\u{e9}gards");
            let latin1: Vec<u8> =
                text.chars().map(|c| if (c as u32) < 256 { c as u32 as u8 } else { b'?' }).collect();
            let _ = write!(m, "--mix\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(&latin1));
            let len = 20_000 + rng.below(120_000);
            let jpeg = random_bytes(rng, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", len);
            let _ = write!(m, "--mix\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\nContent-Disposition: attachment; filename=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", base64(&jpeg));
            let _ = write!(m, "--mix--\r\n");
        }
        _ => {
            headers(rng, &mut m, "multipart/mixed; boundary=\"mix\"");
            let text = prose(rng, words, protected, list_size);
            let _ = write!(m, "--mix\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n", quoted_printable(&text));
            if !documents.is_empty() {
                for _ in 0..1 + rng.below(2) {
                    let d = &documents[rng.below(documents.len())];
                    let _ = write!(m, "--mix\r\nContent-Type: {}; name=\"{}\"\r\nContent-Disposition: attachment; filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}", d.content_type, d.name, d.name, base64(&d.bytes));
                }
            }
            let _ = write!(m, "--mix--\r\n");
        }
    }
    m.into_bytes()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
