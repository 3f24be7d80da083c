//! What every reader of one attachment shares: the limits, the message's budget, the list of
//! what could not be scanned, and the sink that takes segments, with the path inside the
//! attachment (`export.zip > data.xlsx`) that each segment is found at.
//!
//! Readers hand their text over here; which reader reads what is decided in `mod.rs`.

use crate::model::{Budget, Incomplete, Limit, Limits, Location, Mark, Part, Segment};

/// Reads the documents inside one attachment and hands their text to the sink.
pub(crate) struct Extractor<'w> {
    /// The limits of the scan (depth, archive entries, extracted bytes).
    pub(super) limits: &'w Limits,
    /// The message's budget of inflated and extracted bytes.
    pub(super) budget: &'w Budget,
    incomplete: &'w mut Vec<Incomplete>,
    sink: &'w mut dyn FnMut(&Segment<'_>),
    /// The attachment's location; `path` is rewritten for each segment.
    loc: Location,
    /// Where inside the attachment the current document is (`export.zip > data.xlsx`).
    prefix: String,
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
        Extractor { limits, budget, incomplete, sink, loc: attachment.clone(), prefix: String::new() }
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

    /// The name the attachment was sent under, if it has one.
    pub(super) fn attachment_name(&self) -> Option<&str> {
        self.loc.name.as_deref()
    }

    /// Notes that part of the attachment was not scanned, and why.
    pub(super) fn incomplete(&mut self, limit: Limit, detail: String) {
        self.incomplete.push(Incomplete { limit, detail });
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

    /// Notes that the current document could not be read, and `why`.
    pub(super) fn unreadable(&mut self, why: &str) {
        let detail = format!("{} could not be read: {why}", self.where_());
        self.incomplete(Limit::Unreadable, detail);
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
