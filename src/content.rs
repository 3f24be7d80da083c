//! Everything a recipient can read in a message, as segments of decoded text: the content
//! walk over the one reading of a message (`message`), handing documents and archives to
//! `extract`.

use mail_parser::{Address, GetHeader, HeaderName, HeaderValue};

use crate::message::mime::{Entity, Kind, Part as MimePart, Walk};
use crate::message::{rfc2047, transfer, Envelope, Reading};
#[cfg(feature = "documents")]
use crate::model::Budget;
use crate::model::{Incomplete, Limit, Limits, Location, Part, Segment};
use crate::text::{decode_text, is_html_name};
use crate::text::{html_to_text_and_aside, Aside};

/// Calls `sink` with every segment of the message `reading` read: the display names of
/// `envelope` (the message's, with the caller's recipients added), then the subject, bodies,
/// attachment names and what is inside attachments, in reading order. Returns every limit met,
/// the reading's included.
pub(crate) fn for_each_segment(
    reading: &Reading<'_>,
    envelope: &Envelope<'_>,
    limits: &Limits,
    sink: &mut dyn FnMut(&Segment<'_>),
) -> Vec<Incomplete> {
    let mut incomplete = reading.incomplete().to_vec();
    match reading.message() {
        Some(m) => {
            let mut walk = reading.walk();
            let more = for_each_segment_of(m, envelope, &mut walk, limits, sink);
            incomplete.append(&mut walk.incomplete);
            incomplete.extend(more);
        }
        None => {
            // Not a message at all: its bytes as plain text.
            let text = String::from_utf8_lossy(reading.bytes());
            let location = Location::new(Part::Body, 1);
            sink(&Segment { location: &location, text: &text, marks: &[] });
        }
    }
    incomplete
}

/// Calls `sink` with every segment of `message` (read by `walk`): the display names of
/// `envelope`, then subjects, bodies, attachment names and attachments in reading order.
/// Returns the limits met on the way (the walk's own stay in it).
fn for_each_segment_of(
    message: &Entity<'_>,
    envelope: &Envelope<'_>,
    walk: &mut Walk<'_>,
    limits: &Limits,
    sink: &mut dyn FnMut(&Segment<'_>),
) -> Vec<Incomplete> {
    #[cfg(feature = "documents")]
    let budget = Budget::new(limits.max_extracted_bytes);
    let mut w = Walker {
        limits,
        walk,
        sink,
        counters: [0; Part::ALL],
        incomplete: Vec::new(),
        html: String::new(),
        aside: Aside::default(),
        #[cfg(feature = "documents")]
        budget: &budget,
    };
    envelope.for_each_display_name(&mut |name, field| {
        let loc = Location {
            field: Some(field),
            ..Location::new(Part::HeaderName, w.next_index(Part::HeaderName))
        };
        w.emit_at(&loc, name);
    });
    w.message(message, 0);
    w.incomplete
}

struct Walker<'a, 'b, 'w> {
    /// The limits documents are read under.
    #[cfg_attr(not(feature = "documents"), allow(dead_code))]
    limits: &'a Limits,
    /// Reads attached messages that come encoded, from their decoded bytes.
    walk: &'b mut Walk<'w>,
    sink: &'b mut dyn FnMut(&Segment<'_>),
    counters: [u32; Part::ALL],
    incomplete: Vec<Incomplete>,
    html: String,
    aside: Aside,
    /// Bytes inflated and extracted from documents and archives (`max_extracted_bytes`), for
    /// the message and every message found inside its attachments.
    #[cfg(feature = "documents")]
    budget: &'a Budget,
}

impl Walker<'_, '_, '_> {
    fn next_index(&mut self, part: Part) -> u32 {
        let c = &mut self.counters[part as usize];
        *c += 1;
        *c
    }

    fn emit(&mut self, part: Part, text: &str) {
        let loc = Location::new(part, self.next_index(part));
        (self.sink)(&Segment { location: &loc, text, marks: &[] });
    }

    fn emit_at(&mut self, loc: &Location, text: &str) {
        (self.sink)(&Segment { location: loc, text, marks: &[] });
    }

    fn message(&mut self, msg: &Entity<'_>, depth: usize) {
        let Some(root) = msg.parts.first() else { return };
        let joined = root
            .headers
            .header(HeaderName::Subject)
            .and_then(|h| msg.header_block.get(h.offset_start as usize..h.offset_end as usize))
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .and_then(rfc2047::decode_joined);
        let subject = root.headers.header_value(&HeaderName::Subject).and_then(|v| v.as_text());
        if let Some(subject) = joined.as_deref().or(subject) {
            self.emit(Part::Subject, subject);
        }
        if depth > 0 {
            let headers = attached_headers(root);
            if !headers.is_empty() {
                self.emit(Part::AttachedHeaders, &headers);
            }
        }
        for part in &msg.parts {
            self.part(part, depth);
        }
    }

    fn part(&mut self, part: &MimePart<'_>, depth: usize) {
        let name = part.attachment_name();
        let transfer = part.transfer();
        // An attachment has one number for its name and for everything read from inside it.
        let attachment = is_attachment(part).then(|| {
            let index = self.next_index(Part::Attachment);
            if let Some(n) = name {
                self.emit_at(&Location::new(Part::AttachmentName, index), n);
            }
            Location { name: name.map(str::to_string), ..Location::new(Part::Attachment, index) }
        });
        let charset = part.charset();
        // Encrypted content cannot be read: it is said, never allowed silently.
        if let Some(sealed) = sealed(part) {
            let place = attachment.as_ref().map_or_else(|| "the message".to_string(), |l| l.to_string());
            match sealed {
                Sealed::Encrypted(what) => self.encrypted(what, &place),
                Sealed::Unread(what) => self.incomplete.push(Incomplete {
                    limit: Limit::Unreadable,
                    detail: format!("{what} in {place} could not be read: its content (signed, compressed or encrypted) is not unwrapped"),
                }),
            }
            if !matches!(part.kind, Kind::Multipart) {
                if attachment.is_none() {
                    self.next_index(Part::Attachment);
                }
                return;
            }
        }
        // A calendar is read as one: its names and text, unfolded and unescaped.
        if let Some(text) = crate::message::calendar::text_of(part) {
            let loc = attachment.unwrap_or_else(|| match part.kind {
                Kind::Text => Location::new(Part::Body, self.next_index(Part::Body)),
                _ => Location::new(Part::Attachment, self.next_index(Part::Attachment)),
            });
            self.calendar(&loc, &text, depth == 0);
            return;
        }
        // Text is decoded as it is read; an encoding that does not decode leaves the text as
        // it came.
        let text_of = |raw: &[u8]| {
            let bytes = match transfer {
                Some(t) => transfer::decode(raw, t).unwrap_or_else(|| raw.to_vec()),
                None => raw.to_vec(),
            };
            transfer::to_text(bytes, charset)
        };
        match &part.kind {
            Kind::Multipart | Kind::Cut => {}
            Kind::Text => {
                let loc =
                    attachment.unwrap_or_else(|| Location::new(Part::Body, self.next_index(Part::Body)));
                self.text_segment(&loc, &text_of(part.body));
            }
            Kind::Html => self.html_segment(attachment.as_ref(), &text_of(part.body)),
            Kind::Raw(text) => {
                let loc =
                    attachment.unwrap_or_else(|| Location::new(Part::Body, self.next_index(Part::Body)));
                self.text_segment(&loc, text);
            }
            Kind::Message(nested) => self.message(nested, depth + 1),
            Kind::Binary => {
                let ct = part.content_type();
                let is_message = part.message;
                let decoded;
                let b: &[u8] = match transfer {
                    None => part.body,
                    Some(t) => {
                        let raw = part.body;
                        // Most encoded binaries are images: decode what tells a document or
                        // text from anything else, and the rest only for those.
                        if !is_message && !worth_reading(raw, t, charset) {
                            // Numbered as it would be if it were read.
                            if attachment.is_none() {
                                self.next_index(Part::Attachment);
                            }
                            return;
                        }
                        match transfer::decode(raw, t) {
                            Some(bytes) => {
                                decoded = bytes;
                                &decoded
                            }
                            // Not valid in its encoding: read as the text it is (a body unless
                            // it is an attachment).
                            None => {
                                let loc = attachment.unwrap_or_else(|| {
                                    Location::new(Part::Body, self.next_index(Part::Body))
                                });
                                self.text_segment(&loc, &transfer::to_text(raw.to_vec(), charset));
                                return;
                            }
                        }
                    }
                };
                // An attached message that came encoded, or a message sent as an opaque file
                // (`application/octet-stream`, an `.eml`): read from its decoded bytes.
                if is_message || crate::message::sniff::is_message(b) {
                    if let Some(nested) = self.walk.message(b, depth + 1) {
                        self.message(&nested, depth + 1);
                        return;
                    }
                }
                let loc = attachment
                    .unwrap_or_else(|| Location::new(Part::Attachment, self.next_index(Part::Attachment)));
                #[cfg(feature = "documents")]
                if let Some(format) = crate::extract::sniff(b) {
                    let mut x = crate::extract::Extractor::new(
                        self.limits,
                        self.budget,
                        &mut self.incomplete,
                        &mut *self.sink,
                        &loc,
                    );
                    x.document(format, b, depth + 1);
                    for found in x.into_found() {
                        self.found_message(&loc, found);
                    }
                    return;
                }
                if let Some(text) = decode_text(b, charset) {
                    let is_html = ct
                        .is_some_and(|ct| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("html")))
                        || name.is_some_and(is_html_name);
                    if is_html {
                        self.html_segment(Some(&loc), &text);
                    } else {
                        self.text_segment(&loc, &text);
                    }
                }
            }
        }
    }

    /// Reads a message found inside the attachment at `at` (an `.eml` in an archive): every
    /// segment of it is a segment of that attachment, at the path of the message inside it
    /// (`note.eml > body`, `note.eml > report.xlsx > Sheet1!B2`), and its address headers are
    /// the attachment's `attached-headers`.
    #[cfg(feature = "documents")]
    fn found_message(&mut self, at: &Location, found: crate::extract::Found) {
        let Some(message) = self.walk.message(&found.bytes, found.depth) else { return };
        let outer = &mut *self.sink;
        let mut relocate = |s: &Segment<'_>| {
            let location = relocated(at, &found.path, s.location);
            outer(&Segment { location: &location, text: s.text, marks: s.marks });
        };
        let mut inner = Walker {
            limits: self.limits,
            walk: &mut *self.walk,
            sink: &mut relocate,
            counters: [0; Part::ALL],
            incomplete: Vec::new(),
            html: String::new(),
            aside: Aside::default(),
            budget: self.budget,
        };
        inner.message(&message, found.depth.max(1));
        let mut more = inner.incomplete;
        self.incomplete.append(&mut more);
    }

    /// Notes that `what` at `place` is encrypted and could not be read.
    fn encrypted(&mut self, what: &str, place: &str) {
        let detail = format!("{what} in {place} is encrypted and could not be read");
        self.incomplete.push(Incomplete { limit: Limit::Encrypted, detail });
    }

    /// A calendar at `loc`: every name and text it shows, each a segment with the property as
    /// its `path`; and the addresses of its attendees and organiser, unless it is an
    /// invitation of the message being `sent` (then they are visible addresses, judged by the
    /// recipient rules).
    fn calendar(&mut self, loc: &Location, text: &str, sent: bool) {
        use crate::message::calendar::{read, Item};
        let shown = sent && crate::message::calendar::invites(text);
        let mut at = loc.clone();
        read(text, &mut |item| {
            let (path, text) = match item {
                Item::Address { .. } if shown => return,
                Item::Address { path, address } => (path, address),
                Item::Text { path, text } => (path, text),
            };
            if at.path.as_deref() != Some(path) {
                at.path = Some(path.to_string());
            }
            self.text_segment(&at, text);
        });
    }

    /// Plain text, and the decoded form of every encoded link in it.
    fn text_segment(&mut self, loc: &Location, text: &str) {
        if text.contains("-----BEGIN PGP MESSAGE-----") {
            self.encrypted("an inline PGP message", &loc.to_string());
        }
        self.emit_at(loc, text);
        crate::text::url::for_each_encoded_link(text, &mut |link| {
            (self.sink)(&Segment { location: loc, text: link, marks: &[] })
        });
    }

    /// The text of an HTML part, then what its attributes show (alt, title, aria-label,
    /// link targets), each a segment of its own at the same location.
    fn html_segment(&mut self, attachment: Option<&Location>, html: &str) {
        let mut text = std::mem::take(&mut self.html);
        let mut aside = std::mem::take(&mut self.aside);
        text.clear();
        aside.clear();
        html_to_text_and_aside(html, &mut text, Some(&mut aside));
        let loc = match attachment {
            Some(loc) => loc.clone(),
            None => Location::new(Part::Body, self.next_index(Part::Body)),
        };
        self.text_segment(&loc, &text);
        for piece in aside.pieces() {
            self.emit_at(&loc, piece);
        }
        self.html = text;
        self.aside = aside;
    }
}

/// Where a segment at `inner` of a message found at `path` inside the attachment at `at`
/// stands: in that attachment, at `path > subject`, `path > body`, `path > NAME > ...` for
/// what the message's own attachments hold; its address headers and attachment names keep
/// their part.
#[cfg(feature = "documents")]
fn relocated(at: &Location, path: &str, inner: &Location) -> Location {
    let step = |s: &str| format!("{path} > {s}");
    // Inside the message: the attachment the segment stands in, if any, and the path in it.
    let within: Vec<&str> = [inner.name.as_deref(), inner.path.as_deref()].into_iter().flatten().collect();
    let (part, path) = match inner.part {
        Part::Subject => (Part::Attachment, step("subject")),
        Part::Body => (Part::Attachment, step("body")),
        // Headers of the message, or of one found deeper inside it; attachment names of the
        // message, or member names inside one of its attachments.
        Part::HeaderName | Part::AttachedHeaders | Part::AttachmentName => {
            let part =
                if inner.part == Part::AttachmentName { Part::AttachmentName } else { Part::AttachedHeaders };
            match within.is_empty() {
                true => (part, path.to_string()),
                false => (part, step(&within.join(" > "))),
            }
        }
        Part::Attachment => {
            let name = inner.name.clone().unwrap_or_else(|| format!("attachment {}", inner.index));
            match &inner.path {
                Some(p) => (Part::Attachment, step(&format!("{name} > {p}"))),
                None => (Part::Attachment, step(&name)),
            }
        }
    };
    Location {
        part,
        index: at.index,
        name: at.name.clone(),
        path: Some(path),
        hidden: inner.hidden,
        field: inner.field,
    }
}

/// Secure mail that maildlp cannot read (yet).
enum Sealed {
    /// Encrypted: PGP/MIME (`multipart/encrypted`), S/MIME enveloped or auth-enveloped data.
    Encrypted(&'static str),
    /// S/MIME content that is not unwrapped yet: signed or compressed data inside a
    /// `pkcs7-mime` part, or one that does not say what it holds.
    Unread(&'static str),
}

/// Whether `part` is secure mail whose content cannot be read.
fn sealed(part: &MimePart<'_>) -> Option<Sealed> {
    let ct = part.content_type()?;
    let sub = ct.subtype()?;
    match (ct.ctype(), sub) {
        ("multipart", "encrypted") => Some(Sealed::Encrypted("a PGP/MIME message")),
        ("application", "pkcs7-mime" | "x-pkcs7-mime") => {
            let kind = ct.attribute("smime-type").unwrap_or("");
            if kind.eq_ignore_ascii_case("enveloped-data") || kind.eq_ignore_ascii_case("authenveloped-data")
            {
                Some(Sealed::Encrypted("an S/MIME encrypted part"))
            } else if kind.eq_ignore_ascii_case("certs-only")
                || part.attachment_name().is_some_and(|n| n.to_ascii_lowercase().ends_with(".p7c"))
            {
                // Certificates only: nothing a recipient reads.
                None
            } else {
                Some(Sealed::Unread("an S/MIME part"))
            }
        }
        _ => None,
    }
}

/// A part is an attachment when its disposition says so or it carries a file name.
fn is_attachment(part: &MimePart<'_>) -> bool {
    part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
        || part.attachment_name().is_some()
}

/// The address headers of an attached message as text, one `Name <address>` a line.
fn attached_headers(root: &MimePart<'_>) -> String {
    let mut out = String::new();
    for h in &root.headers {
        if !matches!(
            h.name,
            HeaderName::From | HeaderName::To | HeaderName::Cc | HeaderName::ReplyTo | HeaderName::Sender
        ) {
            continue;
        }
        let mut push = |name: Option<&str>, addr: Option<&str>| {
            if let Some(n) = name {
                out.push_str(n);
                out.push(' ');
            }
            if let Some(a) = addr {
                out.push('<');
                out.push_str(a);
                out.push('>');
            }
            out.push('\n');
        };
        match &h.value {
            HeaderValue::Address(Address::List(list)) => {
                list.iter().for_each(|a| push(a.name.as_deref(), a.address.as_deref()))
            }
            HeaderValue::Address(Address::Group(groups)) => groups
                .iter()
                .flat_map(|g| g.addresses.iter())
                .for_each(|a| push(a.name.as_deref(), a.address.as_deref())),
            HeaderValue::Text(t) => push(Some(t), None),
            _ => {}
        }
    }
    out
}

/// Whether an encoded binary body is a document or text, judged from as little of it as
/// decides that: documents are known by their first kilobyte, and text by its first 8 KiB
/// unless the first kilobyte already holds a NUL (see [`decode_text`]). A body that does not
/// decode is read (as the text it is).
fn worth_reading(raw: &[u8], t: transfer::Transfer, charset: Option<&str>) -> bool {
    let Some(head) = transfer::decode_head(raw, t, 1024) else { return true };
    if is_document(&head) {
        return true;
    }
    if head.len() < 1024 || head.contains(&0) {
        return decode_text(&head, charset).is_some();
    }
    transfer::decode_head(raw, t, transfer::HEAD).is_none_or(|head| decode_text(&head, charset).is_some())
}

/// Whether decoded bytes start as a document the extractors read.
#[cfg(feature = "documents")]
fn is_document(head: &[u8]) -> bool {
    crate::extract::sniff(head).is_some()
}

#[cfg(not(feature = "documents"))]
fn is_document(_: &[u8]) -> bool {
    false
}
