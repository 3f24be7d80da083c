//! Text from inside documents and archives: spreadsheets, word-processing documents,
//! presentations, PDF, RTF, ZIP and gzip, recognised by their content, never by label or name.
//!
//! Every reader turns what it finds into the same [`Segment`]s the rest of the scanner
//! consumes: a spreadsheet row is one segment (its cells joined by ` | `, each cell a
//! [`Mark`]), a paragraph or table row of a document is one, a PDF page is one. Nothing
//! downstream of the segment callback knows a document format exists.
//!
//! All readers of one message share one budget of inflated and extracted bytes
//! (`max_extracted_bytes`), counted as bytes come out of a decompressor, never from the sizes
//! an archive declares. Untrusted nesting (archives in archives, XML elements) is followed with
//! explicit depth counters and heap stacks, never unbounded recursion.

mod cfb;
mod flow;
mod odf;
mod ooxml;
mod pdf;
mod rtf;
mod xml;
mod zip;

use std::io::Read;

use crate::model::{Budget, Incomplete, Limit, Limits, Location, Mark, Part, Segment};
use crate::text::{decode_text, is_html_name};

/// A format recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// A ZIP archive, or a document stored as one (OOXML, OpenDocument).
    Zip,
    /// A gzip stream.
    Gzip,
    /// A PDF document.
    Pdf,
    /// Rich Text Format.
    Rtf,
    /// A Compound File (legacy Office: XLS, DOC; encrypted OOXML).
    Cfb,
}

/// The format of `bytes`, if it is one the extractors read.
pub(crate) fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
    {
        Some(Format::Zip)
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Format::Gzip)
    } else if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        Some(Format::Cfb)
    } else if bytes.starts_with(b"{\\rtf") {
        Some(Format::Rtf)
    } else if memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        Some(Format::Pdf)
    } else {
        None
    }
}

/// A reader whose bytes are charged to the budget as they are produced; it ends early (as if
/// the data ended) when the budget runs out.
struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.exhausted() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        Ok(self.budget.take(n as u64) as usize)
    }
}

/// The deepest XML element nesting a reader keeps track of; deeper structure is read as flat
/// text, so a document of a million nested elements costs no more than a flat one.
const MAX_XML_NESTING: usize = 256;

/// Size of the pieces a long text member is scanned in.
const TEXT_CHUNK: usize = 1 << 20;

/// Reads the documents inside one attachment and hands their text to the sink.
pub(crate) struct Extractor<'w> {
    limits: &'w Limits,
    budget: &'w Budget,
    incomplete: &'w mut Vec<Incomplete>,
    sink: &'w mut dyn FnMut(&Segment<'_>),
    /// The attachment's location; `path` is rewritten for each segment.
    loc: Location,
    /// Where inside the attachment the current document is (`export.zip > data.xlsx`).
    prefix: String,
}

impl<'w> Extractor<'w> {
    pub(crate) fn new(
        limits: &'w Limits,
        budget: &'w Budget,
        incomplete: &'w mut Vec<Incomplete>,
        sink: &'w mut dyn FnMut(&Segment<'_>),
        attachment: &Location,
    ) -> Extractor<'w> {
        Extractor { limits, budget, incomplete, sink, loc: attachment.clone(), prefix: String::new() }
    }

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
            Format::Zip => zip::read(self, bytes, depth),
            Format::Gzip => self.gzip(bytes, depth),
            Format::Pdf => pdf::read(self, bytes),
            Format::Rtf => rtf::read(self, bytes),
            Format::Cfb => cfb::read(self, bytes),
        }));
        if read.is_err() {
            self.unreadable("its reader failed");
        }
        if self.budget.exhausted() && !self.incomplete.iter().any(|i| i.limit == Limit::MaxExtractedBytes) {
            self.incomplete(
                Limit::MaxExtractedBytes,
                format!(
                    "what documents and archives hold past the first {} inflated and extracted was not scanned",
                    size(self.limits.max_extracted_bytes)
                ),
            );
        }
    }

    /// The path of `sub` inside the attachment (`None` for the attachment itself).
    fn path_of(&self, sub: Option<&str>) -> Option<String> {
        match (self.prefix.is_empty(), sub) {
            (true, None) => None,
            (true, Some(s)) => Some(s.to_string()),
            (false, None) => Some(self.prefix.clone()),
            (false, Some(s)) => Some(format!("{} > {s}", self.prefix)),
        }
    }

    /// Hands `text` found at `sub` inside the current document to the scanner, charged to
    /// the budget (and cut where the budget ends).
    fn emit(&mut self, sub: Option<&str>, hidden: bool, text: &str, marks: &[Mark]) {
        if text.trim().is_empty() {
            return;
        }
        let granted = self.budget.take(text.len() as u64) as usize;
        let mut end = granted.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.emit_charged(sub, hidden, &text[..end], marks);
    }

    /// Hands over text whose bytes the budget has already counted (text inflated as it is).
    fn emit_charged(&mut self, sub: Option<&str>, hidden: bool, text: &str, marks: &[Mark]) {
        if text.trim().is_empty() {
            return;
        }
        // The path buffer is reused from segment to segment (a sheet has a segment a row).
        let mut path = self.loc.path.take().unwrap_or_default();
        path.clear();
        path.push_str(&self.prefix);
        if let Some(s) = sub {
            if !path.is_empty() {
                path.push_str(" > ");
            }
            path.push_str(s);
        }
        self.loc.path = (!path.is_empty()).then_some(path);
        self.loc.hidden = hidden;
        (self.sink)(&Segment { location: &self.loc, text, marks });
    }

    /// Hands the name of an archive member to the scanner as an attachment name.
    fn emit_member_name(&mut self, name: &str) {
        let loc =
            Location { path: self.path_of(None), ..Location::new(Part::AttachmentName, self.loc.index) };
        let loc = Location { name: self.loc.name.clone(), ..loc };
        (self.sink)(&Segment { location: &loc, text: name, marks: &[] });
    }

    fn incomplete(&mut self, limit: Limit, detail: String) {
        self.incomplete.push(Incomplete { limit, detail });
    }

    fn where_(&self) -> String {
        let name = self.loc.name.as_deref().unwrap_or("");
        match (name.is_empty(), self.prefix.is_empty()) {
            (_, false) => format!("attachment {} {name} > {}", self.loc.index, self.prefix),
            (false, true) => format!("attachment {} {name}", self.loc.index),
            (true, true) => format!("attachment {}", self.loc.index),
        }
    }

    fn encrypted(&mut self, what: &str) {
        let detail = format!("{what} in {} is encrypted and could not be read", self.where_());
        self.incomplete(Limit::Encrypted, detail);
    }

    fn unreadable(&mut self, why: &str) {
        let detail = format!("{} could not be read: {why}", self.where_());
        self.incomplete(Limit::Unreadable, detail);
    }

    /// Runs `f` with `step` appended to the path prefix.
    fn inside<T>(&mut self, step: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.prefix.len();
        if !self.prefix.is_empty() {
            self.prefix.push_str(" > ");
        }
        self.prefix.push_str(step);
        let out = f(self);
        self.prefix.truncate(saved);
        out
    }

    /// Reads one member of an archive (or the content of a gzip stream) called `name`: a
    /// document or archive is read in turn, text is scanned, anything else (images, binaries)
    /// is passed over without inflating more than its first bytes.
    fn member(&mut self, name: &str, input: &mut dyn Read, depth: usize) {
        let mut input = Metered { inner: input, budget: self.budget };
        let mut head = Vec::with_capacity(8192);
        if (&mut input).take(8192).read_to_end(&mut head).is_err() {
            self.inside(name, |x| x.unreadable("its compressed data is damaged"));
            return;
        }
        if let Some(format) = sniff(&head) {
            // Documents and archives need all their bytes (bounded by the budget).
            if input.read_to_end(&mut head).is_err() {
                self.inside(name, |x| x.unreadable("its compressed data is damaged"));
                return;
            }
            self.inside(name, |x| x.document(format, &head, depth));
            return;
        }
        if decode_text(&head, None).is_none() {
            return;
        }
        if is_html_name(name) {
            if input.read_to_end(&mut head).is_ok() {
                if let Some(html) = decode_text(&head, None) {
                    let mut text = String::new();
                    crate::text::html_to_text(&html, &mut text);
                    self.emit_charged(Some(name), false, &text, &[]);
                }
            }
            return;
        }
        // Long text is scanned in pieces that end at a line break.
        let mut buf = head;
        loop {
            let before = buf.len();
            let more = (&mut input).take(TEXT_CHUNK as u64).read_to_end(&mut buf).unwrap_or(0);
            let at_end = more == 0 || buf.len() == before;
            let cut =
                if at_end { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(buf.len(), |p| p + 1) };
            if let Some(text) = decode_text(&buf[..cut], None) {
                self.emit_charged(Some(name), false, &text, &[]);
            }
            buf.drain(..cut);
            if at_end && buf.is_empty() {
                return;
            }
        }
    }

    fn gzip(&mut self, bytes: &[u8], depth: usize) {
        let mut decoder = flate2::read::GzDecoder::new(bytes);
        let name = decoder
            .header()
            .and_then(|h| h.filename())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .or_else(|| self.loc.name.as_deref().and_then(|n| n.strip_suffix(".gz")).map(str::to_string))
            .unwrap_or_else(|| "gzip".to_string());
        self.member(&name, &mut decoder, depth);
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

/// Appends `v` (a spreadsheet number as stored) as a reader sees it in a General cell:
/// integers keep every digit (a phone stored as a number), others their shortest form.
fn push_number(out: &mut String, v: &str) {
    match v.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            use std::fmt::Write;
            let _ = write!(out, "{}", f as i64);
        }
        _ => out.push_str(v.trim()),
    }
}

/// A spreadsheet row being assembled: cells joined by ` | `, each a mark.
#[derive(Default)]
struct Row {
    text: String,
    marks: Vec<Mark>,
}

impl Row {
    fn clear(&mut self) {
        self.text.clear();
        self.marks.clear();
    }

    /// Starts the cell at `row`, `col` (1-based).
    fn cell(&mut self, row: u32, col: u32, hidden: bool) {
        if !self.marks.is_empty() {
            self.text.push_str(" | ");
        }
        self.marks.push(Mark { start: self.text.len(), cell: Some((row, col)), hidden });
    }

    /// Drops a last cell that got no text.
    fn drop_empty_cell(&mut self) {
        if let Some(m) = self.marks.last() {
            if m.start == self.text.len() {
                let m = self.marks.pop().map_or(0, |m| m.start);
                self.text.truncate(m.saturating_sub(if self.marks.is_empty() { 0 } else { 3 }));
            }
        }
    }
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
        assert_eq!(sniff(b"Jane,Doe\n"), None);
        assert_eq!(sniff(b"\x89PNG\r\n"), None);
    }

    #[test]
    fn numbers_as_shown() {
        let cases = [
            ("447946000018", "447946000018"),
            ("4.4794600001800000E+11", "447946000018"),
            ("3.5", "3.5"),
            ("-2", "-2"),
            ("x", "x"),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            push_number(&mut s, v);
            assert_eq!(s, want, "{v}");
        }
    }

    #[test]
    fn budget_cuts_readers() {
        let budget = Budget::new(10);
        let mut r = Metered { inner: &b"0123456789abcdef"[..], budget: &budget };
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"0123456789");
        assert!(budget.exhausted());
    }

    #[test]
    fn row_marks_cells() {
        let mut row = Row::default();
        row.cell(7, 2, false);
        row.text.push_str("Doe");
        row.cell(7, 3, true);
        row.text.push_str("Jane");
        row.cell(7, 4, false);
        row.drop_empty_cell();
        assert_eq!(row.text, "Doe | Jane");
        assert_eq!(row.marks.len(), 2);
        assert_eq!(row.marks[1], Mark { start: 6, cell: Some((7, 3)), hidden: true });
    }
}
