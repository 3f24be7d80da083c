//! Everything a recipient can read in a message, as segments of decoded text: the content
//! walk over the one reading of a message (`message`), handing documents and archives to
//! `extract`.

use std::borrow::Cow;

use mail_parser::{Address, GetHeader, HeaderName, HeaderValue};

use crate::message::mime::{Entity, Kind, Part as MimePart, Walk};
use crate::message::{rfc2047, smime, transfer, Envelope, Reading};
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
    ocr: Option<&Ocr<'_>>,
    sink: &mut dyn FnMut(&Segment<'_>),
) -> Vec<Incomplete> {
    let mut incomplete = reading.incomplete().to_vec();
    match reading.message() {
        Some(m) => {
            let mut walk = reading.walk();
            let more = for_each_segment_of(m, reading.bytes().len(), envelope, &mut walk, limits, ocr, sink);
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

/// Calls `sink` with every segment of `message` (read by `walk`, `size` bytes): the display
/// names of `envelope`, then subjects, bodies, attachment names and attachments in reading
/// order. Returns the limits met on the way (the walk's own stay in it).
fn for_each_segment_of(
    message: &Entity<'_>,
    size: usize,
    envelope: &Envelope<'_>,
    walk: &mut Walk<'_>,
    limits: &Limits,
    ocr: Option<&Ocr<'_>>,
    sink: &mut dyn FnMut(&Segment<'_>),
) -> Vec<Incomplete> {
    #[cfg(feature = "documents")]
    let budget = Budget::new(limits.max_extracted_bytes);
    #[cfg(not(feature = "ocr"))]
    let _ = ocr;
    let mut w = Walker {
        limits,
        #[cfg(feature = "ocr")]
        ocr,
        walk,
        sink,
        counters: [0; Part::ALL],
        incomplete: Vec::new(),
        html: String::new(),
        aside: Aside::default(),
        #[cfg(feature = "documents")]
        budget: &budget,
        joined_left: size.saturating_mul(JOINED_PER_BYTE),
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
    /// Bytes S/MIME content joined from pieces may still take while it is read (copies held
    /// at once by nested levels): [`JOINED_PER_BYTE`] times the message.
    joined_left: usize,
    /// The message's OCR session, when the policy reads images.
    #[cfg(feature = "ocr")]
    ocr: Option<&'a Ocr<'a>>,
}

/// One message's OCR session (see `crate::ocr`); without the `ocr` feature, nothing.
#[cfg(feature = "ocr")]
pub(crate) type Ocr<'s> = crate::ocr::Ocr<'s>;
/// One message's OCR session (see `crate::ocr`); without the `ocr` feature, nothing.
#[cfg(not(feature = "ocr"))]
pub(crate) type Ocr<'s> = std::marker::PhantomData<&'s ()>;

/// How many bytes of S/MIME content joined from pieces a scan holds at once, per byte of the
/// message: every level of nesting holds its own copy, and this bounds them together.
const JOINED_PER_BYTE: usize = 2;

impl Walker<'_, '_, '_> {
    /// Whether images are read (OCR on): then they are decoded like any attachment.
    fn reads_images(&self) -> bool {
        #[cfg(feature = "ocr")]
        return self.ocr.is_some();
        #[cfg(not(feature = "ocr"))]
        false
    }

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
        let secure = secure(part);
        // An S/MIME wrapper is not an attachment a recipient sees: what it holds is.
        let wrapper = matches!(secure, Some(Secure::Wrapper));
        // An attachment has one number for its name and for everything read from inside it.
        let attachment = (is_attachment(part) && !wrapper).then(|| {
            let index = self.next_index(Part::Attachment);
            if let Some(n) = name {
                self.emit_at(&Location::new(Part::AttachmentName, index), n);
            }
            Location { name: name.map(str::to_string), ..Location::new(Part::Attachment, index) }
        });
        let charset = part.charset();
        // Encrypted content cannot be read: it is said, never allowed silently. Signatures
        // and certificates hold nothing a recipient reads.
        match secure {
            Some(Secure::Encrypted(what)) => {
                let place = attachment.as_ref().map_or_else(|| "the message".to_string(), |l| l.to_string());
                self.encrypted(what, &place);
                if !matches!(part.kind, Kind::Multipart) {
                    if attachment.is_none() {
                        self.next_index(Part::Attachment);
                    }
                    return;
                }
            }
            Some(Secure::Nothing) => {
                if attachment.is_none() {
                    self.next_index(Part::Attachment);
                }
                return;
            }
            Some(Secure::Wrapper | Secure::File) | None => {}
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
                let b: Cow<'_, [u8]> = match transfer {
                    None => Cow::Borrowed(part.body),
                    Some(t) => {
                        let raw = part.body;
                        // Most encoded binaries are images: decode what tells a document or
                        // text from anything else, and the rest only for those.
                        if !is_message
                            && secure.is_none()
                            && !self.reads_images()
                            && !worth_reading(raw, t, charset)
                        {
                            // Numbered as it would be if it were read.
                            if attachment.is_none() {
                                self.next_index(Part::Attachment);
                            }
                            return;
                        }
                        match transfer::decode(raw, t) {
                            Some(bytes) => Cow::Owned(bytes),
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
                if is_message || crate::message::sniff::is_message(&b) {
                    if let Some(nested) = self.walk.message(&b, depth + 1) {
                        self.message(&nested, depth + 1);
                        return;
                    }
                }
                // S/MIME (declared, a `.p7m` file, or CMS known by its first bytes): opened.
                if secure.is_some() || smime::is_cms(&b) {
                    self.cms(b, attachment.as_ref(), depth);
                    return;
                }
                let loc = attachment
                    .unwrap_or_else(|| Location::new(Part::Attachment, self.next_index(Part::Attachment)));
                let is_html = ct
                    .is_some_and(|ct| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("html")))
                    || name.is_some_and(is_html_name);
                self.file(&b, &loc, charset, is_html, depth);
            }
        }
    }

    /// An extractor for the attachment at `loc`, sharing the message's budget, limits met and
    /// OCR session.
    #[cfg(feature = "documents")]
    fn extractor(&mut self, loc: &Location) -> crate::extract::Extractor<'_> {
        let x = crate::extract::Extractor::new(
            self.limits,
            self.budget,
            &mut self.incomplete,
            &mut *self.sink,
            loc,
        );
        #[cfg(feature = "ocr")]
        let x = x.with_ocr(self.ocr);
        x
    }

    /// The bytes of a file at `loc`: a document or archive to `extract`, else text (HTML when
    /// `is_html`) when they are text.
    fn file(&mut self, b: &[u8], loc: &Location, charset: Option<&str>, is_html: bool, depth: usize) {
        #[cfg(feature = "ocr")]
        if self.ocr.is_some() && crate::ocr::is_image(b) {
            self.extractor(loc).image(None, b);
            return;
        }
        #[cfg(feature = "documents")]
        if let Some(format) = crate::extract::sniff(b) {
            let mut x = self.extractor(loc);
            x.document(format, b, depth + 1);
            for found in x.into_found() {
                self.found_message(loc, found);
            }
            return;
        }
        #[cfg(not(feature = "documents"))]
        let _ = depth;
        if let Some(text) = decode_text(b, charset) {
            if is_html {
                self.html_segment(Some(loc), &text);
            } else {
                self.text_segment(loc, &text);
            }
        } else {
            // Binary of no known format: its runs of text, as `strings` shows them.
            #[cfg(feature = "documents")]
            self.extractor(loc).binary(b);
        }
    }

    /// Opens the CMS structure `b` (S/MIME) of the part at `attachment` (`None`: a wrapper the
    /// message itself is), `depth` levels deep, and reads what it holds: its MIME entity's
    /// parts as parts of the message they sit in, or the signed file at `attachment`. The
    /// depth bound is checked before anything is unwrapped; content joined from pieces is a
    /// copy, and `b` is dropped before the copy is read.
    fn cms(&mut self, b: Cow<'_, [u8]>, attachment: Option<&Location>, depth: usize) {
        if self.walk.too_deep(depth + 1) {
            return;
        }
        let place = || attachment.map_or_else(|| "the message".to_string(), |l| l.to_string());
        let opened = smime::open(&b, self.joined_left);
        // A copy is held while what it holds is read.
        let held = match &opened {
            smime::Opened::Signed(Cow::Owned(v)) | smime::Opened::Compressed(Cow::Owned(v)) => v.len(),
            _ => 0,
        };
        self.joined_left -= held.min(self.joined_left);
        match opened {
            smime::Opened::Signed(Cow::Owned(content)) => {
                drop(b);
                self.unwrapped(&content, attachment, depth + 1);
            }
            smime::Opened::Signed(Cow::Borrowed(content)) => self.unwrapped(content, attachment, depth + 1),
            smime::Opened::Compressed(zlib) => self.compressed(&zlib, attachment, depth + 1, &place()),
            smime::Opened::Nothing => {}
            smime::Opened::Encrypted => self.encrypted("an S/MIME encrypted part", &place()),
            smime::Opened::TooLarge(n) => self.incomplete.push(Incomplete {
                limit: Limit::MaxExtractedBytes,
                detail: format!(
                    "the S/MIME content in {} ({n} bytes in pieces) was not read: with the levels around it, it would take more than {JOINED_PER_BYTE} times the message",
                    place()
                ),
                reader: None,
            }),
            smime::Opened::Unreadable(why) => self.incomplete.push(Incomplete {
                limit: Limit::Unreadable,
                detail: format!("an S/MIME part in {} could not be read: {why}", place()),
                reader: Some("cms: structure".to_string()),
            }),
        }
        self.joined_left += held;
    }

    /// Compressed data (RFC 3274): inflated under the budget of extracted bytes, then read as
    /// signed content is.
    #[cfg(feature = "documents")]
    fn compressed(&mut self, zlib: &[u8], attachment: Option<&Location>, depth: usize, place: &str) {
        match smime::inflate(zlib, self.budget) {
            Some((content, ran_out)) => {
                if ran_out {
                    self.incomplete.push(Incomplete {
                        limit: Limit::MaxExtractedBytes,
                        detail: format!("the compressed S/MIME content in {place} inflates past the limit; only its start was scanned"),
                        reader: None,
                    });
                }
                self.unwrapped(&content, attachment, depth);
            }
            None => self.incomplete.push(Incomplete {
                limit: Limit::Unreadable,
                detail: format!("the compressed S/MIME content in {place} could not be inflated"),
                reader: Some("cms: compressed data".to_string()),
            }),
        }
    }

    /// Without the `documents` feature nothing inflates: compressed data is unreadable.
    #[cfg(not(feature = "documents"))]
    fn compressed(&mut self, _: &[u8], _: Option<&Location>, _: usize, place: &str) {
        self.incomplete.push(Incomplete {
            limit: Limit::Unreadable,
            detail: format!(
                "the compressed S/MIME content in {place} could not be read (built without `documents`)"
            ),
            reader: Some("cms: compressed data".to_string()),
        });
    }

    /// What signed or compressed data held, `depth` levels deep: a MIME entity, whose parts
    /// are read as parts of the message they sit in; more CMS; or a file, read at
    /// `attachment` (text with no attachment of its own is a body).
    fn unwrapped(&mut self, content: &[u8], attachment: Option<&Location>, depth: usize) {
        if smime::is_cms(content) {
            self.cms(Cow::Borrowed(content), attachment, depth);
            return;
        }
        let entity = self.walk.message(content, depth).filter(|m| {
            m.parts
                .first()
                .is_some_and(|root| root.headers.iter().any(|h| !matches!(h.name, HeaderName::Other(_))))
        });
        if let Some(entity) = entity {
            for part in &entity.parts {
                self.part(part, depth);
            }
            return;
        }
        let loc = match attachment {
            Some(loc) => loc.clone(),
            None if decode_text(content, None).is_some() => {
                Location::new(Part::Body, self.next_index(Part::Body))
            }
            None => Location::new(Part::Attachment, self.next_index(Part::Attachment)),
        };
        self.file(content, &loc, None, false, depth);
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
            joined_left: self.joined_left,
            #[cfg(feature = "ocr")]
            ocr: self.ocr,
        };
        inner.message(&message, found.depth.max(1));
        let mut more = inner.incomplete;
        self.incomplete.append(&mut more);
    }

    /// Notes that `what` at `place` is encrypted and could not be read.
    fn encrypted(&mut self, what: &str, place: &str) {
        let detail = format!("{what} in {place} is encrypted and could not be read");
        self.incomplete.push(Incomplete { limit: Limit::Encrypted, detail, reader: None });
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
        ocr: inner.ocr,
    }
}

/// Secure mail, as its header says.
enum Secure {
    /// Encrypted: PGP/MIME (`multipart/encrypted`), S/MIME enveloped or auth-enveloped data.
    Encrypted(&'static str),
    /// An S/MIME `pkcs7-mime` part that is not encrypted (signed or compressed data, or one
    /// that does not say): a wrapper whose content the recipient reads.
    Wrapper,
    /// A `.p7m` file sent as any other type: an attachment, opened.
    File,
    /// A detached signature or certificates only: nothing a recipient reads.
    Nothing,
}

/// What secure mail `part` is, if any.
fn secure(part: &MimePart<'_>) -> Option<Secure> {
    let ends = |suffix: &str| {
        part.attachment_name().is_some_and(|n| {
            n.len() >= 4 && n.get(n.len() - 4..).is_some_and(|s| s.eq_ignore_ascii_case(suffix))
        })
    };
    let ct = part.content_type();
    let sub = ct.and_then(|ct| ct.subtype()).unwrap_or("");
    match (ct.map_or("", |ct| ct.ctype()), sub) {
        ("multipart", "encrypted") => Some(Secure::Encrypted("a PGP/MIME message")),
        ("application", "pkcs7-mime" | "x-pkcs7-mime") => {
            let kind = ct.and_then(|ct| ct.attribute("smime-type")).unwrap_or("");
            if kind.eq_ignore_ascii_case("enveloped-data") || kind.eq_ignore_ascii_case("authenveloped-data")
            {
                Some(Secure::Encrypted("an S/MIME encrypted part"))
            } else if kind.eq_ignore_ascii_case("certs-only") || ends(".p7c") {
                Some(Secure::Nothing)
            } else {
                Some(Secure::Wrapper)
            }
        }
        ("application", "pkcs7-signature" | "x-pkcs7-signature") => Some(Secure::Nothing),
        _ if ends(".p7s") => Some(Secure::Nothing),
        _ if ends(".p7m") => Some(Secure::File),
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

/// Whether an encoded binary body is worth decoding, judged from as little of it as decides
/// that: anything but an image or other media is (documents, S/MIME and binary of no known
/// format, known by their first kilobyte; without the `documents` feature, text only, known
/// by its first 8 KiB unless the first kilobyte already holds a NUL, see [`decode_text`]). A
/// body that does not decode is read (as the text it is).
fn worth_reading(raw: &[u8], t: transfer::Transfer, charset: Option<&str>) -> bool {
    let Some(head) = transfer::decode_head(raw, t, 1024) else { return true };
    if is_document(&head) || smime::is_cms(&head) {
        return true;
    }
    if head.len() < 1024 || head.contains(&0) {
        return decode_text(&head, charset).is_some();
    }
    transfer::decode_head(raw, t, transfer::HEAD).is_none_or(|head| decode_text(&head, charset).is_some())
}

/// Whether decoded bytes start as something the extractors read: a document, or binary of
/// no known format (read for runs of text); not an image or other media.
#[cfg(feature = "documents")]
fn is_document(head: &[u8]) -> bool {
    crate::extract::sniff(head).is_some() || !crate::extract::is_media(head)
}

#[cfg(not(feature = "documents"))]
fn is_document(_: &[u8]) -> bool {
    false
}
