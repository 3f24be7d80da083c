//! Text from inside documents and archives: spreadsheets, word-processing documents,
//! presentations, PDF, RTF, compound files, archives (ZIP, tar, 7z) and compressed files (gzip,
//! bzip2, xz), recognised by their content, never by
//! label or name.
//!
//! Every reader turns what it finds into the same [`Segment`](crate::model::Segment)s the rest
//! of the scanner consumes: a spreadsheet row is one segment (its cells joined by ` | `, each
//! cell a [`Mark`](crate::model::Mark)), a paragraph or table row of a document is one, a PDF
//! page is one. Nothing downstream of the segment callback knows a document format exists.
//!
//! All readers of one message share one budget of inflated and extracted bytes
//! (`max_extracted_bytes`), counted as bytes come out of a decompressor, never from the sizes
//! an archive declares. Untrusted nesting (archives in archives, XML elements) is followed with
//! explicit depth counters and heap stacks, never unbounded recursion.
//!
//! The files depend one way, top to bottom:
//!
//! - this file: dispatch. What a document, archive member or compound file is
//!   ([`sniff`](mod@sniff)), and which reader reads it; nested documents come back here.
//!   `outlook.rs` is dispatch too: the messages of TNEF streams and `.msg` files, whose
//!   attachments come back here. `image.rs` is dispatch too: images (attachments, archive
//!   members, the media of OOXML and OpenDocument packages) handed to OCR (`crate::ocr`).
//! - readers, one a family: `ooxml`, `odf`, `pdf`, `rtf`, `cfb`, and for Outlook `tnef`,
//!   `msg` (through `cfb`'s directory) and `lzfu` (compressed RTF). None reads another's
//!   format, and none calls back into dispatch: a reader that finds documents inside its own
//!   (objects embedded in an OOXML package or a PDF, attachments of a message) returns them.
//! - helpers: `zip`, `tar` and `sevenz` (archives opened and handed out member by member),
//!   `stream` (gzip, bzip2 and xz: the one file inside), `xml`,
//!   `flow` (flowing text of XML documents), `row` (spreadsheet rows), `meter` (readers
//!   charged to the budget), `extractor` (the state one attachment's reading shares, and how
//!   text is handed to the scanner), `sniff` (recognition only), `mapi` (the MAPI property
//!   model of an Outlook message, whatever its container).

mod cfb;
mod extractor;
mod flow;
#[cfg(feature = "ocr")]
mod image;
mod lzfu;
mod mapi;
mod meter;
mod msg;
mod odf;
mod ooxml;
mod outlook;
mod pdf;
mod row;
mod rtf;
mod sevenz;
mod sniff;
mod stream;
mod strings;
mod tar;
mod tnef;
mod xml;
mod zip;

use std::io::Read;

pub(crate) use extractor::{Extractor, Found};
use meter::Metered;
pub(crate) use sniff::{is_media, sniff, Format};
use sniff::{Compound, Member, Package};

use crate::model::Limit;

/// Size of the pieces a long text member is scanned in.
const TEXT_CHUNK: usize = 1 << 20;

/// How many bytes one piece of binary content shares with the next, for runs of text that
/// cross the cut (a run longer than this may be read in two parts).
const RUN_OVERLAP: usize = 4096;

/// How many bytes of a member are read to tell what it is.
const HEAD: u64 = 8192;

impl Extractor<'_> {
    /// Reads a document or archive of `format` found at nesting `depth`.
    pub(crate) fn document(&mut self, format: Format, bytes: &[u8], depth: usize) {
        if depth > self.limits.max_depth {
            self.incomplete(
                Limit::MaxDepth,
                format!(
                    "documents and archives nested deeper than {} were not scanned",
                    self.limits.max_depth
                ),
            );
            return;
        }
        if self.budget.exhausted() {
            return;
        }
        // A reader that panics (a dependency's bug on a malformed file) costs that document,
        // never the scan.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
            Format::Zip => self.zip(bytes, depth),
            Format::Gzip => self.stream(stream::Codec::Gzip, bytes, depth),
            Format::Bzip2 => self.stream(stream::Codec::Bzip2, bytes, depth),
            Format::Xz => self.stream(stream::Codec::Xz, bytes, depth),
            Format::Tar => self.tar(&mut &bytes[..], depth),
            Format::SevenZ => self.sevenz(bytes, depth),
            Format::Rar => self.unreadable("RAR archives are not read"),
            Format::Pdf => {
                for file in pdf::read(self, bytes) {
                    if self.budget.exhausted() {
                        break;
                    }
                    let step = format!("embedded file {}", file.name);
                    self.emit_member_name(&file.name);
                    self.stored(&step, &file.bytes, depth);
                }
            }
            Format::Rtf => rtf::read(self, bytes),
            Format::Cfb => self.compound(bytes, depth),
            Format::Tnef => self.tnef(bytes, depth),
        }));
        if read.is_err() {
            self.unreadable("its reader failed");
        }
        if self.budget.exhausted() && !self.has_incomplete(Limit::MaxExtractedBytes) {
            self.incomplete(
                Limit::MaxExtractedBytes,
                format!(
                    "what documents and archives hold past the first {} inflated and extracted was not scanned",
                    size(self.limits.max_extracted_bytes)
                ),
            );
        }
    }

    /// A ZIP archive: a document stored as one (OOXML, OpenDocument), or files.
    fn zip(&mut self, bytes: &[u8], depth: usize) {
        match zip::open(bytes, self.limits.max_archive_entries) {
            zip::Opened::Directory(mut archive) => match sniff::package(|n| zip::has(&archive, n)) {
                Package::Ooxml => {
                    for name in ooxml::read(self, &mut archive) {
                        if self.budget.exhausted() {
                            return;
                        }
                        // Objects embedded in the document (a workbook inside a DOCX) are
                        // documents too.
                        if let Some(mut input) = zip::by_name(&mut archive, &name) {
                            self.member(&name, &mut input, depth + 1);
                        }
                    }
                    #[cfg(feature = "ocr")]
                    self.package_images(&mut archive, &["word/media/", "xl/media/", "ppt/media/"], depth);
                }
                Package::OpenDocument => {
                    odf::read(self, &mut archive);
                    #[cfg(feature = "ocr")]
                    self.package_images(&mut archive, &["Pictures/"], depth);
                }
                Package::Archive => {
                    let budget = self.budget;
                    zip::each_entry(&mut archive, bytes, budget, &mut |name, entry| {
                        self.entry(name, entry, depth)
                    });
                }
            },
            zip::Opened::Streamed { damaged } => {
                let (budget, max) = (self.budget, self.limits.max_archive_entries);
                let read =
                    zip::each_streamed(bytes, budget, max, &mut |name, entry| self.entry(name, entry, depth));
                if read.cut {
                    self.too_many_entries();
                }
                if damaged && read.entries == 0 {
                    self.unreadable("not a readable ZIP archive");
                }
            }
        }
    }

    /// One entry of an archive: its name, then its content.
    fn entry(&mut self, name: &str, entry: zip::Entry<'_>, depth: usize) {
        self.emit_member_name(name);
        match entry {
            zip::Entry::Dir => {}
            zip::Entry::Encrypted => self.inside(name, |x| x.encrypted("the archive member")),
            zip::Entry::Damaged(why) => self.inside(name, |x| x.unreadable(why)),
            zip::Entry::File(input) => self.member(name, input, depth),
            zip::Entry::Stored(data) => self.stored(name, data, depth),
        }
    }

    /// A member whose bytes are in memory as they are (stored in an archive, embedded in a
    /// PDF): a document is read where it lies (charged to the budget, cut where the budget
    /// ends), anything else as any member is.
    fn stored(&mut self, name: &str, data: &[u8], depth: usize) {
        let head = &data[..data.len().min(HEAD as usize)];
        match sniff::member(name, head) {
            Member::Document(format) => {
                let granted = self.budget.take(data.len() as u64) as usize;
                let data = &data[..granted.min(data.len())];
                self.inside(name, |x| x.document(format, data, depth + 1));
            }
            _ => self.member(name, &mut &data[..], depth),
        }
    }

    /// A compressed stream (gzip, bzip2, xz): the file inside, read as an archive member.
    fn stream(&mut self, codec: stream::Codec, bytes: &[u8], depth: usize) {
        let outer = self.current_name().map(str::to_string);
        let (name, mut input) = stream::open(codec, bytes, outer.as_deref(), self.budget.left());
        self.member(&name, &mut input, depth);
    }

    /// A tar archive, its entries read as they stream from `input`.
    fn tar(&mut self, input: &mut dyn Read, depth: usize) {
        let mut input = Metered { inner: input, budget: self.budget };
        let max = self.limits.max_archive_entries;
        let read = tar::each_entry(&mut input, max, &mut |name, entry| {
            self.emit_member_name(name);
            if let Some(content) = entry {
                self.member(name, content, depth);
            }
        });
        if read.cut {
            self.too_many_entries();
        }
        if read.damaged && read.entries == 0 {
            self.unreadable("not a readable tar archive");
        }
    }

    /// A 7z archive, its entries read in order.
    fn sevenz(&mut self, bytes: &[u8], depth: usize) {
        let (budget, max) = (self.budget, self.limits.max_archive_entries);
        let memory = budget.left().min(stream::MAX_DECODER_MEMORY);
        let read = sevenz::each_entry(bytes, budget, max, memory, &mut |name, entry| {
            self.emit_member_name(name);
            if let Some(content) = entry {
                self.member(name, content, depth);
            }
        });
        match read {
            sevenz::Read7z::Read { cut: true, .. } => self.too_many_entries(),
            sevenz::Read7z::Read { .. } => {}
            sevenz::Read7z::Encrypted => self.encrypted("the archive"),
            sevenz::Read7z::Damaged(why) => self.unreadable(&why),
        }
    }

    /// Notes that the current archive has more entries than the policy allows.
    fn too_many_entries(&mut self) {
        let detail = format!(
            "{} holds more than {} entries; the others were not scanned",
            self.where_(),
            self.limits.max_archive_entries
        );
        self.incomplete(Limit::MaxArchiveEntries, detail);
    }

    /// A compound file: an encrypted Office document, a legacy workbook, an Outlook message,
    /// or other (Word, PowerPoint...), whose text runs are read. One whose structure is
    /// damaged is read for its text runs too.
    fn compound(&mut self, bytes: &[u8], depth: usize) {
        let Some(mut file) = cfb::open(bytes) else {
            return cfb::text_runs(self, bytes);
        };
        match sniff::compound(|name| file.has_stream(name)) {
            Compound::Encrypted => self.encrypted("the document"),
            Compound::Workbook(stream) => {
                if !cfb::workbook(self, &mut file, stream) {
                    cfb::text_runs(self, bytes);
                }
            }
            Compound::Message => self.msg(&mut file, depth),
            Compound::Other => cfb::text_runs(self, bytes),
        }
    }

    /// Reads one member of an archive (or the content of a gzip stream) called `name`: a
    /// document or archive is read in turn, text is scanned, a message is kept for the caller
    /// to read as one ([`Found`]), anything else (images, binaries) is passed over without
    /// inflating more than its first bytes.
    fn member(&mut self, name: &str, input: &mut dyn Read, depth: usize) {
        let mut input = Metered { inner: input, budget: self.budget };
        let mut head = Vec::with_capacity(HEAD as usize);
        if (&mut input).take(HEAD).read_to_end(&mut head).is_err() {
            self.inside(name, |x| x.unreadable("its compressed data is damaged"));
            return;
        }
        match sniff::member(name, &head) {
            Member::Document(format) => {
                // Documents and archives need all their bytes (bounded by the budget).
                if input.read_to_end(&mut head).is_err() {
                    self.inside(name, |x| x.unreadable("its compressed data is damaged"));
                    return;
                }
                // One level deeper: an archive inside an archive counts towards `max_depth`.
                self.inside(name, |x| x.document(format, &head, depth + 1));
            }
            Member::Message => {
                if input.read_to_end(&mut head).is_err() {
                    self.inside(name, |x| x.unreadable("its compressed data is damaged"));
                    return;
                }
                self.found_message(name, head, depth + 1);
            }
            #[cfg(feature = "ocr")]
            Member::Media => self.media(name, &mut input, head),
            #[cfg(not(feature = "ocr"))]
            Member::Media => {}
            Member::Binary => self.binary_member(name, &mut input, head),
            Member::Html => {
                if input.read_to_end(&mut head).is_ok() {
                    if let Some(html) = crate::text::decode_text(&head, None) {
                        let mut text = String::new();
                        crate::text::html_to_text(&html, &mut text);
                        self.emit_charged(Some(name), false, &text, &[]);
                    }
                }
            }
            Member::Text => self.text_member(name, &mut input, head),
        }
    }

    /// Reads binary bytes of no known format for runs of text (an attachment that is not a
    /// document, text or media), as far as the budget allows; past it, the limit is noted.
    /// Images and other media are passed over.
    pub(crate) fn binary(&mut self, bytes: &[u8]) {
        if sniff::is_media(bytes) {
            return;
        }
        let granted = self.budget.take(bytes.len() as u64) as usize;
        let read = &bytes[..granted.min(bytes.len())];
        let mut at = 0;
        while at < read.len() {
            let end = (at + TEXT_CHUNK).min(read.len());
            // Pieces overlap, so that a run across the cut is read whole in one of them.
            let text = strings::runs(&read[at.saturating_sub(RUN_OVERLAP)..end]);
            self.emit_charged(None, false, &text, &[]);
            at = end;
        }
        if granted < bytes.len() && !self.has_incomplete(Limit::MaxExtractedBytes) {
            let detail = format!(
                "binary content of {} past the first {} was not scanned",
                self.where_(),
                size(self.limits.max_extracted_bytes)
            );
            self.incomplete(Limit::MaxExtractedBytes, detail);
        }
    }

    /// A member of no known format whose first bytes are `head`: read for runs of text, in
    /// pieces, to its end or the end of the budget.
    fn binary_member(&mut self, name: &str, input: &mut dyn Read, head: Vec<u8>) {
        let mut buf = head;
        loop {
            let before = buf.len();
            let more = input.take(TEXT_CHUNK as u64).read_to_end(&mut buf).unwrap_or(0);
            let text = strings::runs(&buf);
            self.emit_charged(Some(name), false, &text, &[]);
            if more == 0 || buf.len() == before {
                return;
            }
            // The last bytes start the next piece, so that a run across the cut is read whole.
            let keep = buf.len().saturating_sub(RUN_OVERLAP);
            buf.drain(..keep);
        }
    }

    /// Scans a text member whose first bytes are `head` and the rest in `input`, in pieces
    /// that end at a line break.
    fn text_member(&mut self, name: &str, input: &mut dyn Read, head: Vec<u8>) {
        let mut buf = head;
        loop {
            let before = buf.len();
            let more = input.take(TEXT_CHUNK as u64).read_to_end(&mut buf).unwrap_or(0);
            let at_end = more == 0 || buf.len() == before;
            let cut =
                if at_end { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(buf.len(), |p| p + 1) };
            if let Some(text) = crate::text::decode_text(&buf[..cut], None) {
                self.emit_charged(Some(name), false, &text, &[]);
            }
            buf.drain(..cut);
            if at_end && buf.is_empty() {
                return;
            }
        }
    }
}

/// `n` bytes for people (`256 MiB`, `1.5 KiB`, `300 bytes`).
fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules a file of this folder refers to through `super::` (outside its tests).
    fn uses(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]\nmod tests").next().unwrap_or(source);
        let mut out = Vec::new();
        for (at, _) in code.match_indices("super::") {
            let rest = &code[at + "super::".len()..];
            // `super::{a, b::c}` names two modules; `super::a::b` one.
            let group = match rest.strip_prefix('{') {
                Some(g) => &g[..g.find('}').unwrap_or(g.len())],
                None => {
                    &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len())]
                }
            };
            for path in group.split(',') {
                let name: String =
                    path.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn files_depend_one_way() {
        // Each file, and the only modules of this folder it may use. Dispatch (this file) is
        // used by none; readers use only helpers; helpers use only lower helpers.
        let files: [(&str, &str, &[&str]); 20] = [
            ("meter.rs", include_str!("meter.rs"), &[]),
            ("row.rs", include_str!("row.rs"), &[]),
            ("xml.rs", include_str!("xml.rs"), &[]),
            ("sniff.rs", include_str!("sniff.rs"), &[]),
            ("extractor.rs", include_str!("extractor.rs"), &[]),
            ("stream.rs", include_str!("stream.rs"), &[]),
            ("strings.rs", include_str!("strings.rs"), &[]),
            ("tar.rs", include_str!("tar.rs"), &[]),
            ("sevenz.rs", include_str!("sevenz.rs"), &["meter"]),
            ("flow.rs", include_str!("flow.rs"), &["xml"]),
            ("zip.rs", include_str!("zip.rs"), &["meter"]),
            ("ooxml.rs", include_str!("ooxml.rs"), &["extractor", "flow", "row", "xml", "zip"]),
            ("odf.rs", include_str!("odf.rs"), &["extractor", "flow", "row", "xml", "zip"]),
            ("rtf.rs", include_str!("rtf.rs"), &["extractor"]),
            ("cfb.rs", include_str!("cfb.rs"), &["extractor", "row", "strings"]),
            ("pdf/mod.rs", include_str!("pdf/mod.rs"), &["extractor"]),
            ("mapi.rs", include_str!("mapi.rs"), &[]),
            ("lzfu.rs", include_str!("lzfu.rs"), &[]),
            ("tnef.rs", include_str!("tnef.rs"), &["mapi"]),
            ("msg.rs", include_str!("msg.rs"), &["cfb", "mapi"]),
        ];
        for (file, source, allowed) in files {
            for used in uses(source) {
                assert!(allowed.contains(&used.as_str()), "{file} uses super::{used}");
            }
            assert!(!source.contains("crate::extract"), "{file} names crate::extract");
        }
        assert_eq!(uses("use super::{a, b::c};\nuse super::d::E;\nsuper::f(x);"), ["a", "b", "d", "f"]);
        // The PDF reader's own parts refer only to each other.
        let text = include_str!("pdf/text.rs");
        assert!(!uses(text).iter().any(|u| u == "super"), "pdf/text.rs reaches past the PDF reader");
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(size(300), "300 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(256 << 20), "256.0 MiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
    }
}
