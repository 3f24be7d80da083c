//! What every reader of one attachment shares: the limits, the message's budget, the list of
//! what could not be scanned, and the sink that takes segments, with the path inside the
//! attachment (`export.zip > data.xlsx`) that each segment is found at.
//!
//! Readers hand their text over here; which reader reads what is decided in `mod.rs`.

use crate::model::{Budget, Incomplete, Limit, Limits, Location, Mark, Part, Segment};

/// A message found inside a document or archive (an `.eml` member): read as a message by the
/// caller, which owns the reading of messages, after the attachment it sits in.
pub(crate) struct Found {
    /// Where it is inside the attachment (`export.zip > note.eml`).
    pub(crate) path: String,
    /// Its bytes (charged to the budget as they were read).
    pub(crate) bytes: Vec<u8>,
    /// Its nesting depth.
    pub(crate) depth: usize,
}

/// Reads the documents inside one attachment and hands their text to the sink.
pub(crate) struct Extractor<'w> {
    /// The limits of the scan (depth, archive entries, extracted bytes).
    pub(super) limits: &'w Limits,
    /// The message's budget of inflated and extracted bytes.
    pub(super) budget: &'w Budget,
    incomplete: &'w mut Vec<Incomplete>,
    sink: &'w mut dyn FnMut(&Segment<'_>),
    /// Messages found inside, for the caller to read.
    found: Vec<Found>,
    /// The attachment's location; `path` is rewritten for each segment.
    loc: Location,
    /// Where inside the attachment the current document is (`export.zip > data.xlsx`).
    prefix: String,
    /// The reader at work and what it reads (`pdf: text of page 3`), named in what it notes
    /// unreadable: reader names and numbers only, never a name from the document.
    reader: String,
    /// The message's OCR session, when the policy reads images.
    #[cfg(feature = "ocr")]
    pub(super) ocr: Option<&'w crate::ocr::Ocr<'w>>,
}

impl<'w> Extractor<'w> {
    /// An extractor for the attachment at `attachment`, drawing on `budget` and noting what it
    /// cannot scan in `incomplete`.
    pub(crate) fn new(
        limits: &'w Limits,
        budget: &'w Budget,
        incomplete: &'w mut Vec<Incomplete>,
        sink: &'w mut dyn FnMut(&Segment<'_>),
        attachment: &Location,
    ) -> Extractor<'w> {
        Extractor {
            limits,
            budget,
            incomplete,
            sink,
            found: Vec::new(),
            loc: attachment.clone(),
            prefix: String::new(),
            reader: String::new(),
            #[cfg(feature = "ocr")]
            ocr: None,
        }
    }

    /// Reads images by OCR in `ocr`'s session (`None`: images are passed over).
    #[cfg(feature = "ocr")]
    pub(crate) fn with_ocr(mut self, ocr: Option<&'w crate::ocr::Ocr<'w>>) -> Self {
        self.ocr = ocr;
        self
    }

    /// The messages found inside the attachment, in the order they were found.
    pub(crate) fn into_found(self) -> Vec<Found> {
        self.found
    }

    /// Keeps the message `bytes` found as `name` inside the current document, at `depth`.
    pub(super) fn found_message(&mut self, name: &str, bytes: Vec<u8>, depth: usize) {
        let path = self.path_of(Some(name)).unwrap_or_default();
        self.found.push(Found { path, bytes, depth });
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
    pub(super) fn emit(&mut self, sub: Option<&str>, hidden: bool, text: &str, marks: &[Mark]) {
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
    pub(super) fn emit_charged(&mut self, sub: Option<&str>, hidden: bool, text: &str, marks: &[Mark]) {
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

    /// Hands over `text` read by OCR from an image at `sub`, charged to the budget.
    #[cfg(feature = "ocr")]
    pub(super) fn emit_ocr(&mut self, sub: Option<&str>, text: &str) {
        self.loc.ocr = true;
        self.emit(sub, false, text, &[]);
        self.loc.ocr = false;
    }

    /// Emits a block of flowing text whose marks only say hidden or not: a block that is
    /// hidden throughout is a hidden segment; one with hidden stretches keeps its marks.
    pub(super) fn emit_block(&mut self, sub: Option<&str>, text: &str, marks: &[Mark]) {
        let all_hidden = marks.len() == 1 && marks[0].start == 0 && marks[0].hidden;
        if all_hidden {
            self.emit(sub, true, text, &[]);
        } else {
            self.emit(sub, false, text, marks);
        }
    }

    /// Hands the name of an archive member to the scanner as an attachment name.
    pub(super) fn emit_member_name(&mut self, name: &str) {
        let loc =
            Location { path: self.path_of(None), ..Location::new(Part::AttachmentName, self.loc.index) };
        let loc = Location { name: self.loc.name.clone(), ..loc };
        (self.sink)(&Segment { location: &loc, text: name, marks: &[] });
    }

    /// The name of the current document: the last step of the path inside the attachment,
    /// else the attachment's own name.
    pub(super) fn current_name(&self) -> Option<&str> {
        match self.prefix.rsplit_once(" > ") {
            Some((_, last)) => Some(last),
            None if !self.prefix.is_empty() => Some(&self.prefix),
            None => self.loc.name.as_deref(),
        }
    }

    /// Hands the sender and recipients of a message inside the attachment (an Outlook
    /// message), one `Name <address>` a line, as the headers of an attached message.
    pub(super) fn emit_headers(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let loc = Location {
            name: self.loc.name.clone(),
            path: self.path_of(None),
            ..Location::new(Part::AttachedHeaders, self.loc.index)
        };
        (self.sink)(&Segment { location: &loc, text, marks: &[] });
    }

    /// Notes that part of the attachment was not scanned, and why.
    pub(super) fn incomplete(&mut self, limit: Limit, detail: String) {
        self.incomplete.push(Incomplete { limit, detail, reader: None });
    }

    /// Whether a limit of this kind has been noted already.
    pub(super) fn has_incomplete(&self, limit: Limit) -> bool {
        self.incomplete.iter().any(|i| i.limit == limit)
    }

    /// Where the current document is, for people (`attachment 2 export.zip > data.xlsx`).
    pub(super) fn where_(&self) -> String {
        let name = self.loc.name.as_deref().unwrap_or("");
        match (name.is_empty(), self.prefix.is_empty()) {
            (_, false) => format!("attachment {} {name} > {}", self.loc.index, self.prefix),
            (false, true) => format!("attachment {} {name}", self.loc.index),
            (true, true) => format!("attachment {}", self.loc.index),
        }
    }

    /// Notes that `what` in the current document is encrypted and was not read.
    pub(super) fn encrypted(&mut self, what: &str) {
        let detail = format!("{what} in {} is encrypted and could not be read", self.where_());
        self.incomplete(Limit::Encrypted, detail);
    }

    /// Notes that the current document could not be read, and `why`, naming the reader at
    /// work ([`Extractor::as_reader`]).
    pub(super) fn unreadable(&mut self, why: &str) {
        let detail = format!("{} could not be read: {why}", self.where_());
        let reader = (!self.reader.is_empty()).then(|| self.reader.clone());
        self.incomplete.push(Incomplete { limit: Limit::Unreadable, detail, reader });
    }

    /// Runs `f` as `reader` (`xls: sheet 2`): what it notes unreadable names that reader.
    /// The reader before is back when `f` returns; when `f` panics, the reader at work at the
    /// panic stays for [`Extractor::document`] to name.
    pub(super) fn as_reader<T>(&mut self, reader: impl Into<String>, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.reader, reader.into());
        let out = f(self);
        self.reader = saved;
        out
    }

    /// How long the path prefix is now, for [`Extractor::truncate_prefix`].
    pub(super) fn prefix_len(&self) -> usize {
        self.prefix.len()
    }

    /// Puts the path prefix back as it was at `len` (after a panic left a deeper one there).
    pub(super) fn truncate_prefix(&mut self, len: usize) {
        self.prefix.truncate(len);
    }

    /// The reader at work (empty outside every reader).
    pub(super) fn reader(&self) -> &str {
        &self.reader
    }

    /// Puts `reader` back as the reader at work (after a panic left another one there).
    pub(super) fn restore_reader(&mut self, reader: String) {
        self.reader = reader;
    }

    /// Runs `f` with `step` appended to the path prefix.
    pub(super) fn inside<T>(&mut self, step: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.prefix.len();
        if !self.prefix.is_empty() {
            self.prefix.push_str(" > ");
        }
        self.prefix.push_str(step);
        let out = f(self);
        self.prefix.truncate(saved);
        out
    }
}
