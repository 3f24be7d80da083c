//! The floor every stage stands on: the types they share, and nothing else of the crate.
//!
//! A [`Segment`] of text and its [`Location`] (which [`Part`] of the message, which cell,
//! whether hidden), the address [`Field`]s, the [`Kind`]s of identifier, [`Severity`], the
//! [`Limits`] of one scan with the [`Limit`] that stopped part of it, and the `Budget` of
//! extracted bytes. This module imports nothing else of the crate (`tests/layers.rs` holds every
//! module to the floors below it).

use std::cell::Cell;
use std::fmt;

/// What kind of content a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Part {
    /// A Subject header (of the message or of an attached message).
    Subject,
    /// A text or HTML body part shown inline.
    Body,
    /// The file name of an attachment.
    AttachmentName,
    /// The text of an attachment (text/*, CSV, JSON, XML, calendar, vCard, or plain text
    /// labelled as something else).
    Attachment,
    /// A display name in an address header (From, Sender, Reply-To, To, Cc, Resent-*).
    HeaderName,
    /// The From, To, Cc, Reply-To and Sender headers of an attached message.
    AttachedHeaders,
}

impl Part {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Body => "body",
            Part::AttachmentName => "attachment-name",
            Part::Attachment => "attachment",
            Part::HeaderName => "header-name",
            Part::AttachedHeaders => "attached-headers",
        }
    }

    pub(crate) const ALL: usize = 6;
}

/// Where in a message a segment is.
///
/// `part` and `index` place it among the message's segments: bodies, subjects and display
/// names are counted each on their own, from 1 in reading order; attachments (and their file
/// names, and everything read from inside them) carry the number of the attachment. Inside an
/// attachment, `name` is its file name and `path` says where inside it (`Workforce!B7`,
/// `page 2`, `footer`, `export/victims.csv`, joined by ` > ` when nested); `hidden` is set
/// when the text is hidden from a reader's view (a hidden sheet, row, column or text run).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Location {
    /// The kind of segment.
    pub part: Part,
    /// 1-based number among segments of that kind (for attachments: the attachment's number).
    pub index: u32,
    /// The file name of the attachment, when the segment comes from one that has a name.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub name: Option<String>,
    /// Where inside the attachment.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub path: Option<String>,
    /// Whether the text is hidden from view where it stands.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "std::ops::Not::not"))]
    pub hidden: bool,
    /// For a display name: the header it stands in.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub field: Option<Field>,
    /// Whether the text was read from an image by OCR (policy `ocr`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "std::ops::Not::not"))]
    pub ocr: bool,
}

impl Location {
    /// A location with no name, path, hidden flag or field.
    pub fn new(part: Part, index: u32) -> Location {
        Location { part, index, name: None, path: None, hidden: false, field: None, ocr: false }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.part.as_str(), self.index)?;
        if let Some(field) = self.field {
            write!(f, " ({})", field.header_name())?;
        }
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        let hidden = if self.hidden { " (hidden)" } else { "" };
        match self.path.as_deref() {
            // The last step of a path to a cell reads as "sheet S, B7".
            Some(path) => {
                let (outer, last) = match path.rsplit_once(" > ") {
                    Some((o, l)) => (Some(o), l),
                    None => (None, path),
                };
                f.write_str(", ")?;
                if let Some(o) = outer {
                    write!(f, "{o} > ")?;
                }
                match last.rsplit_once('!') {
                    Some((sheet, cell)) => write!(f, "sheet {sheet}{hidden}, {cell}"),
                    None => write!(f, "{last}{hidden}"),
                }
            }
            None => f.write_str(hidden),
        }
    }
}

/// A piece of text where a reader would see it, handed to the matcher.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// Where it is.
    pub location: &'a Location,
    /// The decoded text.
    pub text: &'a str,
    /// Places inside the text that refine the location (the cells of a spreadsheet row, hidden
    /// runs of a paragraph), sorted by `start`. Empty when the location holds for all of it.
    pub marks: &'a [Mark],
}

/// From byte `start` of a segment's text on (until the next mark), the text is in `cell` and
/// is `hidden` or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Byte offset in the segment's text.
    pub start: usize,
    /// 1-based row and column of a spreadsheet cell, or `None`.
    pub cell: Option<(u32, u32)>,
    /// Whether this stretch of text is hidden from view.
    pub hidden: bool,
}

impl Segment<'_> {
    /// The location of the text at byte `offset`: the segment's own, refined by the mark that
    /// covers it (a cell reference appended to the path, the hidden flag).
    pub fn location_at(&self, offset: usize) -> Location {
        let mut loc = self.location.clone();
        let i = self.marks.partition_point(|m| m.start <= offset);
        if let Some(m) = i.checked_sub(1).and_then(|i| self.marks.get(i)) {
            loc.hidden |= m.hidden;
            if let Some((row, col)) = m.cell {
                let cell = cell_name(row, col);
                loc.path = Some(match loc.path.take() {
                    Some(p) => format!("{p}!{cell}"),
                    None => cell,
                });
            }
        }
        loc
    }
}

/// `B7` for row 7, column 2.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// What stopped part of a message from being scanned: a limit of the policy, or content that
/// cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Limit {
    /// `max_message_bytes`: the message is longer than a scan reads.
    MaxMessageBytes,
    /// `max_depth`: multiparts and attached messages nested too deep.
    MaxDepth,
    /// `max_parts`: too many MIME parts.
    MaxParts,
    /// `max_extracted_bytes`: documents and archives yielded more than a scan reads.
    MaxExtractedBytes,
    /// `max_archive_entries`: an archive with too many entries.
    MaxArchiveEntries,
    /// An encrypted attachment or document.
    Encrypted,
    /// An attachment or document that could not be read.
    Unreadable,
    /// `max_ocr_pixels`: images held more pixels than OCR reads in one message.
    MaxOcrPixels,
    /// Images that were not read because OCR is on but cannot run (no Tesseract library or
    /// no language data).
    #[cfg_attr(feature = "serde", serde(rename = "ocr-unavailable"))]
    OcrUnavailable,
}

impl Limit {
    /// The name used in reports: the policy key of a limit, or `encrypted` and `unreadable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::MaxMessageBytes => "max_message_bytes",
            Limit::MaxDepth => "max_depth",
            Limit::MaxParts => "max_parts",
            Limit::MaxExtractedBytes => "max_extracted_bytes",
            Limit::MaxArchiveEntries => "max_archive_entries",
            Limit::Encrypted => "encrypted",
            Limit::Unreadable => "unreadable",
            Limit::MaxOcrPixels => "max_ocr_pixels",
            Limit::OcrUnavailable => "ocr-unavailable",
        }
    }

    /// Whether each item stopped counts on its own (an encrypted or unreadable attachment),
    /// rather than once per message (a limit of the policy). OCR that cannot run is said in
    /// its own words (once a message: its detail is the same for every image).
    pub fn is_per_item(self) -> bool {
        matches!(self, Limit::Encrypted | Limit::Unreadable | Limit::OcrUnavailable)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Part of a message that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// What stopped it.
    pub limit: Limit,
    /// What was left out.
    pub detail: String,
    /// For `unreadable`: the reader that gave up and what it was reading (`pdf: text of page
    /// 3`), and where it panicked if it did; never text of the message.
    pub reader: Option<String>,
}

/// The header (or the envelope) that names an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Field {
    /// To: a recipient every recipient sees.
    To,
    /// Cc: a recipient every recipient sees.
    Cc,
    /// Bcc: a recipient hidden from the others.
    Bcc,
    /// Resent-To of a resent message: seen by every recipient.
    ResentTo,
    /// Resent-Cc of a resent message: seen by every recipient.
    ResentCc,
    /// Resent-Bcc of a resent message: hidden.
    ResentBcc,
    /// Reply-To: not a recipient, but shown to every recipient.
    ReplyTo,
    /// Mail-Followup-To: not a recipient, but shown to every recipient.
    MailFollowupTo,
    /// An attendee or the organiser of an invitation the message carries (a calendar with
    /// `METHOD:REQUEST` or `PUBLISH`): every invitee sees them, as they see To and Cc.
    Attendee,
    /// From: the author (its display name is content).
    From,
    /// Sender: the sending agent (its display name is content).
    Sender,
    /// Resent-From of a resent message.
    ResentFrom,
    /// Resent-Sender of a resent message.
    ResentSender,
    /// An envelope recipient given by the caller (SMTP `RCPT TO`, `--rcpt`).
    Envelope,
}

impl Field {
    /// The name used in reports (`to`, `resent-cc`, `mail-followup-to`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::To => "to",
            Field::Cc => "cc",
            Field::Bcc => "bcc",
            Field::ResentTo => "resent-to",
            Field::ResentCc => "resent-cc",
            Field::ResentBcc => "resent-bcc",
            Field::ReplyTo => "reply-to",
            Field::MailFollowupTo => "mail-followup-to",
            Field::Attendee => "attendee",
            Field::From => "from",
            Field::Sender => "sender",
            Field::ResentFrom => "resent-from",
            Field::ResentSender => "resent-sender",
            Field::Envelope => "envelope",
        }
    }

    /// The header's name as written in a message (`Resent-Cc`); for attendees, what shows
    /// them.
    pub fn header_name(self) -> &'static str {
        match self {
            Field::To => "To",
            Field::Cc => "Cc",
            Field::Bcc => "Bcc",
            Field::ResentTo => "Resent-To",
            Field::ResentCc => "Resent-Cc",
            Field::ResentBcc => "Resent-Bcc",
            Field::ReplyTo => "Reply-To",
            Field::MailFollowupTo => "Mail-Followup-To",
            Field::Attendee => "an invitation's attendees",
            Field::From => "From",
            Field::Sender => "Sender",
            Field::ResentFrom => "Resent-From",
            Field::ResentSender => "Resent-Sender",
            Field::Envelope => "the envelope",
        }
    }

    /// Whether the addresses here receive the message.
    pub fn is_recipient(self) -> bool {
        matches!(
            self,
            Field::To
                | Field::Cc
                | Field::Bcc
                | Field::ResentTo
                | Field::ResentCc
                | Field::ResentBcc
                | Field::Envelope
                | Field::Attendee
        )
    }

    /// Whether recipients here are shown to the others (the visible recipients: To, Cc, their
    /// Resent- forms, and an invitation's attendees).
    pub fn is_visible(self) -> bool {
        matches!(self, Field::To | Field::Cc | Field::ResentTo | Field::ResentCc | Field::Attendee)
    }

    /// Whether every recipient sees the addresses here (the visible recipients, Reply-To and
    /// Mail-Followup-To).
    pub fn is_shown(self) -> bool {
        self.is_visible() || matches!(self, Field::ReplyTo | Field::MailFollowupTo)
    }

    /// Whether the display names here are shown to recipients as a header shows them (an
    /// invitation's names are read with the rest of the calendar, as content).
    pub(crate) fn shows_names(self) -> bool {
        !matches!(self, Field::Bcc | Field::ResentBcc | Field::Envelope | Field::Attendee)
    }
}

/// What an identifier is, which decides how it is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Kind {
    /// A person's name: matched as words, in either order (`Jane Doe`, `Doe, Jane`).
    Name,
    /// An email address: matched as a whole address, case-insensitively. Also the record's
    /// own address for the recipient rules.
    Email,
    /// A phone number: matched by its digits, national and international forms alike.
    Phone,
    /// A case term (an operation name, a case number): matched as words.
    Term,
    /// A regular expression for identifiers with a shape (`CRIS-\d{7}`): matched on the decoded
    /// text as written (not folded), whole words only.
    Pattern,
}

impl Kind {
    /// The name used in the CSV and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Term => "term",
            Kind::Pattern => "pattern",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        // Most kinds are written as they are named, lower-case: no search for those.
        match s {
            "name" => return Some(Kind::Name),
            "email" => return Some(Kind::Email),
            "phone" => return Some(Kind::Phone),
            _ => {}
        }
        // Others: no trimming for those written without white space around them.
        let s = if s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.ends_with(|c: char| c.is_ascii_alphabetic())
        {
            s
        } else {
            s.trim()
        };
        [Kind::Name, Kind::Email, Kind::Phone, Kind::Term, Kind::Pattern]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    /// Worth a look; the message may go.
    Warn,
    /// The message must not leave as it is.
    Block,
}

impl Severity {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Block => "block",
        }
    }
}

/// Bounds on the work done for one message. Whatever a limit stops from being scanned is
/// reported as a `scan-incomplete` finding; what came before it is still scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the message that are scanned (default 64 MiB).
    pub max_message_bytes: usize,
    /// Nesting depth of multiparts and attached messages (default 32).
    pub max_depth: usize,
    /// MIME parts scanned per message (default 10,000).
    pub max_parts: usize,
    /// Bytes inflated from archives and compressed streams and extracted as text from
    /// documents, in all of one message (default 256 MiB). Counted as the bytes come out of a
    /// decompressor, never from sizes an archive declares.
    pub max_extracted_bytes: u64,
    /// Entries read from one archive (default 10,000).
    pub max_archive_entries: usize,
    /// Pixels of images read by OCR in all of one message (default 50,000,000), when the
    /// policy turns OCR on.
    pub max_ocr_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 64 << 20,
            max_depth: 32,
            max_parts: 10_000,
            max_extracted_bytes: 256 << 20,
            max_archive_entries: 10_000,
            max_ocr_pixels: 50_000_000,
        }
    }
}

/// The deepest nesting a policy may allow: walking an attached message is recursive, and
/// mail-parser's values nest with it, so this bounds the stack a scan uses.
pub const MAX_DEPTH_CEILING: usize = 256;

/// The bytes one message may inflate and extract, shared by every reader.
#[cfg_attr(not(feature = "documents"), allow(dead_code))]
pub(crate) struct Budget {
    used: Cell<u64>,
    max: u64,
    exceeded: Cell<bool>,
}

#[cfg_attr(not(feature = "documents"), allow(dead_code))]
impl Budget {
    pub(crate) fn new(max: u64) -> Budget {
        Budget { used: Cell::new(0), max, exceeded: Cell::new(false) }
    }

    /// Takes up to `n` bytes from the budget and returns how many it granted.
    pub(crate) fn take(&self, n: u64) -> u64 {
        let left = self.max - self.used.get();
        let granted = n.min(left);
        self.used.set(self.used.get() + granted);
        if granted < n {
            self.exceeded.set(true);
        }
        granted
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.exceeded.get()
    }

    /// Bytes still to be had.
    pub(crate) fn left(&self) -> u64 {
        self.max - self.used.get()
    }

    /// Records that something was left out for want of budget (and nothing more is read).
    pub(crate) fn run_out(&self) {
        self.used.set(self.max);
        self.exceeded.set(true);
    }
}
