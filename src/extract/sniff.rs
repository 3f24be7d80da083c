//! What a file is, told by its content, never by its declared type or name: the formats the
//! readers know by their first bytes; which kind of package a ZIP archive is (OOXML,
//! OpenDocument, or a plain archive) by the members it holds; which kind of compound file (an
//! Outlook `.msg` among them) by the streams its directory lists; and what an archive member is (a document to read in
//! turn, HTML, text, or data no reader reads).
//!
//! Only recognition lives here; `mod.rs` hands each kind to its reader.

use crate::message::sniff::is_message;
use crate::text::{decode_text, is_html_name};

/// A format recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A ZIP archive, or a document stored as one (OOXML, OpenDocument).
    Zip,
    /// A gzip stream.
    Gzip,
    /// A bzip2 stream.
    Bzip2,
    /// An xz stream.
    Xz,
    /// A tar archive (POSIX ustar or GNU).
    Tar,
    /// A 7z archive.
    SevenZ,
    /// A RAR archive: recognised, not read.
    Rar,
    /// A PDF document.
    Pdf,
    /// Rich Text Format.
    Rtf,
    /// A Compound File (legacy Office: XLS, DOC, PPT; Outlook MSG; encrypted OOXML).
    Cfb,
    /// A TNEF stream (`winmail.dat`, `application/ms-tnef`).
    Tnef,
}

impl Format {
    /// The reader of this format, as reports name it before it says more (`pdf: document`).
    pub(crate) fn reader(self) -> &'static str {
        match self {
            Format::Zip => "zip: archive",
            Format::Gzip => "gzip: stream",
            Format::Bzip2 => "bzip2: stream",
            Format::Xz => "xz: stream",
            Format::Tar => "tar: archive",
            Format::SevenZ => "7z: archive",
            Format::Rar => "rar: archive",
            Format::Pdf => "pdf: document",
            Format::Rtf => "rtf: document",
            Format::Cfb => "cfb: compound file",
            Format::Tnef => "tnef: stream",
        }
    }
}

/// The signature every compound file starts with.
const CFB_MAGIC: [u8; 8] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/// The signature every TNEF stream starts with (`0x223E9F78`, little-endian).
const TNEF_MAGIC: [u8; 4] = [0x78, 0x9f, 0x3e, 0x22];

/// The format of `bytes`, if it is one the extractors read.
pub(crate) fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
    {
        Some(Format::Zip)
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Format::Gzip)
    } else if bytes.starts_with(b"BZh")
        && bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        && (bytes.get(4..10) == Some(&[0x31, 0x41, 0x59, 0x26, 0x53, 0x59][..])
            || bytes.get(4..10) == Some(&[0x17, 0x72, 0x45, 0x38, 0x50, 0x90][..]))
    {
        Some(Format::Bzip2)
    } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(Format::Xz)
    } else if bytes.starts_with(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        Some(Format::SevenZ)
    } else if bytes.starts_with(b"Rar!\x1a\x07") {
        Some(Format::Rar)
    } else if bytes.get(257..262) == Some(b"ustar") {
        Some(Format::Tar)
    } else if bytes.starts_with(&CFB_MAGIC) {
        Some(Format::Cfb)
    } else if bytes.starts_with(&TNEF_MAGIC) {
        Some(Format::Tnef)
    } else if bytes.starts_with(b"{\\rtf") {
        Some(Format::Rtf)
    } else if memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        Some(Format::Pdf)
    } else {
        None
    }
}

/// What a ZIP archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Package {
    /// An Office Open XML document (XLSX, DOCX, PPTX): it has `[Content_Types].xml`.
    Ooxml,
    /// An OpenDocument (ODS, ODT, ODP): it has `content.xml` or `mimetype`.
    OpenDocument,
    /// Files, each read for what it is.
    Archive,
}

/// The kind of package an archive is, from whether it `has` members of given names.
pub(super) fn package(has: impl Fn(&str) -> bool) -> Package {
    if has("[Content_Types].xml") {
        Package::Ooxml
    } else if has("content.xml") || has("mimetype") {
        Package::OpenDocument
    } else {
        Package::Archive
    }
}

/// What a compound file holds, from the streams at the root of its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Compound {
    /// A password-protected Office document: an OOXML package encrypted in `EncryptedPackage`.
    Encrypted,
    /// A legacy Excel workbook, in the stream named here (`Workbook` for BIFF8, `Book` before).
    Workbook(&'static str),
    /// An Outlook message (`.msg`): it has the stream of fixed-size MAPI properties.
    Message,
    /// A Word document (`.doc`): it has `WordDocument`.
    Word,
    /// A PowerPoint presentation (`.ppt`): it has `PowerPoint Document`.
    Presentation,
    /// An object embedded in a document (`oleObject1.bin`): an OLE package
    /// (`\x01Ole10Native`), or another application's file in a `Package` or `CONTENTS`
    /// stream.
    Object,
    /// Anything else (older Word and PowerPoint, other applications').
    Other,
}

/// The kind of compound file whose root `has` streams of given names.
pub(super) fn compound(has: impl Fn(&str) -> bool) -> Compound {
    if has("EncryptedPackage") {
        Compound::Encrypted
    } else if let Some(stream) = ["Workbook", "Book"].into_iter().find(|s| has(s)) {
        Compound::Workbook(stream)
    } else if has("__properties_version1.0") {
        Compound::Message
    } else if has("WordDocument") {
        Compound::Word
    } else if has("PowerPoint Document") {
        Compound::Presentation
    } else if ["\u{1}Ole10Native", "Package", "CONTENTS"].into_iter().any(&has) {
        Compound::Object
    } else {
        Compound::Other
    }
}

/// What an archive member (or the content of a gzip stream) is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Member {
    /// A document or archive, read in turn.
    Document(Format),
    /// An RFC 5322 message (an `.eml` file), read as a message.
    Message,
    /// HTML (text, by a name that says HTML), read as the text it shows.
    Html,
    /// Text, scanned as it is.
    Text,
    /// An image or other media (PNG, JPEG, GIF, TIFF, BMP, WebP, audio, video): passed over.
    Media,
    /// Binary data of no known format: read for runs of text.
    Binary,
}

/// What the member `name` is, from `head`, its first bytes.
pub(super) fn member(name: &str, head: &[u8]) -> Member {
    if let Some(format) = sniff(head) {
        Member::Document(format)
    } else if is_message(head) {
        Member::Message
    } else if is_media(head) {
        Member::Media
    } else if decode_text(head, None).is_none() {
        Member::Binary
    } else if is_html_name(name) {
        Member::Html
    } else {
        Member::Text
    }
}

/// Whether `head` starts an image, audio or video file: the only content passed over unread
/// (until images are read by OCR).
pub(crate) fn is_media(head: &[u8]) -> bool {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(&[0xff, 0xd8, 0xff])
        || head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
        || (head.starts_with(b"BM") && head.len() >= 14 && at(6, &[0, 0, 0, 0]))
        || (head.starts_with(b"RIFF") && (at(8, b"WEBP") || at(8, b"WAVE") || at(8, b"AVI ")))
        || head.starts_with(b"ID3")
        || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0)
        || head.starts_with(b"OggS")
        || head.starts_with(b"fLaC")
        || at(4, b"ftyp")
        || head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3])
        || head.starts_with(&[0, 0, 1, 0])
        || head.starts_with(b"8BPS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(sniff(b"\x1f\x8b\x08"), Some(Format::Gzip));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"\r\n%PDF-1.4"), Some(Format::Pdf));
        assert_eq!(sniff(b"{\\rtf1\\ansi"), Some(Format::Rtf));
        assert_eq!(sniff(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), Some(Format::Cfb));
        assert_eq!(sniff(b"BZh91AY&SYrest"), Some(Format::Bzip2));
        assert_eq!(sniff(b"BZh9rest"), None);
        assert_eq!(sniff(b"\xfd7zXZ\0\0"), Some(Format::Xz));
        assert_eq!(sniff(b"7z\xbc\xaf\x27\x1c\0\x04"), Some(Format::SevenZ));
        assert_eq!(sniff(b"Rar!\x1a\x07\x01\0"), Some(Format::Rar));
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&tar), Some(Format::Tar));
        assert_eq!(sniff(b"\x78\x9f\x3e\x22\x01\x00"), Some(Format::Tnef));
        assert_eq!(sniff(b"Jane,Doe\n"), None);
        assert_eq!(sniff(b"\x89PNG\r\n"), None);
    }

    #[test]
    fn packages_by_their_members() {
        let has = |names: &'static [&'static str]| move |n: &str| names.contains(&n);
        assert_eq!(package(has(&["[Content_Types].xml", "word/document.xml"])), Package::Ooxml);
        assert_eq!(package(has(&["mimetype", "content.xml"])), Package::OpenDocument);
        assert_eq!(package(has(&["content.xml"])), Package::OpenDocument);
        assert_eq!(package(has(&["export/victims.csv"])), Package::Archive);
    }

    #[test]
    fn compound_files_by_their_streams() {
        let has = |names: &'static [&'static str]| move |n: &str| names.contains(&n);
        assert_eq!(compound(has(&["EncryptionInfo", "EncryptedPackage"])), Compound::Encrypted);
        assert_eq!(compound(has(&["Workbook", "\u{5}SummaryInformation"])), Compound::Workbook("Workbook"));
        assert_eq!(compound(has(&["Book"])), Compound::Workbook("Book"));
        assert_eq!(compound(has(&["WordDocument", "1Table"])), Compound::Word);
        assert_eq!(compound(has(&["PowerPoint Document", "Current User"])), Compound::Presentation);
        assert_eq!(compound(has(&["Contents"])), Compound::Other);
        assert_eq!(compound(has(&["__properties_version1.0", "__substg1.0_0037001F"])), Compound::Message);
        assert_eq!(compound(has(&["\u{1}Ole10Native", "\u{1}CompObj"])), Compound::Object);
        assert_eq!(compound(has(&["Package", "\u{1}Ole"])), Compound::Object);
    }

    #[test]
    fn members_by_content() {
        assert_eq!(member("a.bin", b"PK\x03\x04rest"), Member::Document(Format::Zip));
        assert_eq!(member("page.html", b"<p>Jane Doe</p>"), Member::Html);
        assert_eq!(member("victims.csv", b"Jane,Doe\n"), Member::Text);
        assert_eq!(member("note.txt", b"From: a@b.example\nDate: today\n\nJane"), Member::Message);
        assert_eq!(member("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Member::Media);
        assert_eq!(member("clip.mp4", b"\0\0\0\x18ftypmp42\0\0\0\0"), Member::Media);
        assert_eq!(member("notes.dat", b"\0\0\0\0\0\0\0\0Jane Doe"), Member::Binary);
    }
}
