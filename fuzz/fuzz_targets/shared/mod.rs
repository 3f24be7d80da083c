//! What the targets that feed attachments share: one scanner with small limits, a message
//! carrying the fuzzed bytes as an attachment, and the promise every report keeps. Included
//! with `#[path = "shared/mod.rs"] mod shared;`, and by `tests/fuzz_regressions.rs`, which
//! replays the kept inputs through the same scanner, message and promise.

use std::sync::OnceLock;

use base64::Engine;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

/// A scanner with a one-record list and small limits, built once.
pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| build(false))
}

/// The same scanner reading images by OCR (policy `ocr = true`); without Tesseract it still
/// decodes every image before it says OCR is unavailable.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn ocr_scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| build(true))
}

fn build(ocr: bool) -> Scanner {
    // Dependencies panic on some malformed documents; maildlp catches those panics and
    // reports the document unreadable. libFuzzer's hook would abort on a caught panic, so
    // it is replaced: a panic that escapes the scan still aborts the run (libfuzzer-sys
    // aborts when the target unwinds). Replayed by `cargo test`, panics keep their message.
    #[cfg(fuzzing)]
    std::panic::set_hook(Box::new(|_| {}));
    let list = ProtectedList::from_csv(
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\n",
    )
    .expect("fixed list");
    let limits = Limits {
        max_message_bytes: 4 << 20,
        max_depth: 8,
        max_parts: 200,
        max_extracted_bytes: 8 << 20,
        max_archive_entries: 200,
        max_ocr_pixels: 4_000_000,
    };
    Scanner::new(list, Policy::builder().limits(limits).ocr(ocr).build().expect("policy"))
}

/// A message to an outsider with `body` as a base64 attachment `name` of `content_type`.
pub fn message(name: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut m = format!(
        "From: a@b.example\r\nTo: x@y.example\r\nContent-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n\
         --=b\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    m.extend_from_slice(b64.as_bytes());
    m.extend_from_slice(b"\r\n--=b--\r\n");
    m
}

/// What a report `json` breaks of what every report promises, if anything: it is a report,
/// and it names no listed value in clear.
pub fn broken_promise(json: &str) -> Option<&'static str> {
    if !json.starts_with("{\"verdict\":") {
        Some("not a report")
    } else if json.contains("Jane Doe") || json.contains("jane.doe@example.org") {
        Some("a listed value in clear")
    } else {
        None
    }
}

/// Scans `message` and panics when its report breaks a promise (the targets; the replay
/// names the input that broke it instead).
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn scan_and_check(message: &[u8]) {
    if let Some(why) = broken_promise(&scanner().scan(message).to_json()) {
        panic!("{why}");
    }
}

/// The names an `archives` input's first byte picks for the rest of it (tar, gzip, bzip2, xz,
/// 7z and ZIP, which the readers also tell by their content).
pub const ARCHIVE_NAMES: [&str; 6] =
    ["export.tar", "export.tar.gz", "export.bz2", "export.xz", "export.7z", "export.zip"];

/// The message the `archives` target scans for `data`: its first byte names the attachment
/// (see [`ARCHIVE_NAMES`]), the rest is its content.
pub fn archive_message(data: &[u8]) -> Vec<u8> {
    let Some((&pick, body)) = data.split_first() else {
        return message("export.tar", "application/octet-stream", data);
    };
    message(ARCHIVE_NAMES[usize::from(pick) % ARCHIVE_NAMES.len()], "application/octet-stream", body)
}

/// The streams of the legacy Office files the `legacy` target builds: Word (its document and
/// table streams), PowerPoint (its document and `Current User`), Excel (its workbook and the
/// summary properties).
const LEGACY: [(&str, &str, &str); 3] = [
    ("f.doc", "/WordDocument", "/1Table"),
    ("f.ppt", "/PowerPoint Document", "/Current User"),
    ("f.xls", "/Workbook", "/\u{5}SummaryInformation"),
];

/// A legacy Office file built from `data`, and its name: the first byte chooses Word,
/// PowerPoint or Excel, the next two (little-endian) say where the rest splits into the file's
/// two streams. Raw bytes would almost never get past a compound file's header, so the fuzzer
/// chooses the streams instead. `None` for fewer than three bytes.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn legacy_file(data: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    use std::io::{Cursor, Write};

    let (&kind, rest) = data.split_first()?;
    let (split, rest) = rest.split_at_checked(2)?;
    let at = usize::from(u16::from_le_bytes([split[0], split[1]])).min(rest.len());
    let (name, first, second) = LEGACY[usize::from(kind) % LEGACY.len()];
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).ok()?;
    for (path, bytes) in [(first, &rest[..at]), (second, &rest[at..])] {
        file.create_stream(path).ok()?.write_all(bytes).ok()?;
    }
    file.flush().ok()?;
    Some((name, file.into_inner().into_inner()))
}

/// The documents the `embedded` target builds around `data`: a DOCX whose OLE object
/// (`word/embeddings/oleObject1.bin`) has `data` as its `\x01Ole10Native` stream, and an RTF
/// whose one object has `data` as its `\objdata`, in hex.
#[cfg_attr(not(fuzzing), allow(dead_code))]
pub fn embedding(data: &[u8]) -> [Vec<u8>; 2] {
    use std::io::{Cursor, Write};

    let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("in memory");
    ole.create_stream("/\u{1}Ole10Native").and_then(|mut s| s.write_all(data)).expect("in memory");
    ole.flush().expect("in memory");
    let ole = ole.into_inner().into_inner();
    let mut docx = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("[Content_Types].xml", &b"<Types/>"[..]),
        ("word/document.xml", b"<document><body><p><t>See below.</t></p></body></document>"),
        ("word/embeddings/oleObject1.bin", &ole),
    ] {
        docx.start_file(name, options).and_then(|()| Ok(docx.write_all(bytes)?)).expect("in memory");
    }
    let docx = docx.finish().expect("in memory").into_inner();
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    let rtf = format!("{{\\rtf1 {{\\object\\objemb{{\\*\\objdata {hex}}}}}}}").into_bytes();
    [docx, rtf]
}
