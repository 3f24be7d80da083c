//! Everything a recipient can read in a message, as segments of decoded text.

use std::borrow::Cow;
use std::fmt;

use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::Envelope;
use crate::policy::Limits;
use crate::text::html_to_text;

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
    /// A display name in To or Cc.
    RecipientName,
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
            Part::RecipientName => "recipient-name",
            Part::AttachedHeaders => "attached-headers",
        }
    }

    const ALL: usize = 6;
}

/// Where in a message a segment is: its kind and its number among segments of that kind,
/// counted from 1 in reading order (attached messages included, after the parts before them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Location {
    /// The kind of segment.
    pub part: Part,
    /// 1-based number among segments of that kind.
    pub index: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.part.as_str(), self.index)
    }
}

/// A limit that stopped part of a message from being scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// The policy key of the limit (`max_message_bytes`, `max_depth`, `max_parts`).
    pub limit: &'static str,
    /// What was left out.
    pub detail: String,
}

/// Calls `sink` with every segment of `message` and returns the limits that cut the walk short.
pub fn for_each_segment(
    message: &Message<'_>,
    envelope: &Envelope<'_>,
    limits: &Limits,
    parser: &MessageParser,
    sink: &mut dyn FnMut(Location, &str),
) -> Vec<Incomplete> {
    let mut w = Walker {
        limits,
        parser,
        sink,
        counters: [0; Part::ALL],
        parts: 0,
        incomplete: Vec::new(),
        stopped: false,
        html: String::new(),
    };
    envelope.for_each_display_name(&mut |name| w.emit(Part::RecipientName, name));
    w.message(message, 0);
    w.incomplete
}

struct Walker<'a, 'b> {
    limits: &'a Limits,
    parser: &'a MessageParser,
    sink: &'b mut dyn FnMut(Location, &str),
    counters: [u32; Part::ALL],
    parts: usize,
    incomplete: Vec<Incomplete>,
    stopped: bool,
    html: String,
}

impl Walker<'_, '_> {
    fn emit(&mut self, part: Part, text: &str) {
        let c = &mut self.counters[part as usize];
        *c += 1;
        let loc = Location { part, index: *c };
        (self.sink)(loc, text);
    }

    fn message(&mut self, msg: &Message<'_>, depth: usize) {
        if depth > self.limits.max_depth {
            self.incomplete.push(Incomplete {
                limit: "max_depth",
                detail: format!(
                    "attached messages nested deeper than {} were not scanned",
                    self.limits.max_depth
                ),
            });
            return;
        }
        let joined = msg.header_raw(HeaderName::Subject).and_then(super::rfc2047::decode_joined);
        if let Some(subject) = joined.as_deref().or(msg.subject()) {
            self.emit(Part::Subject, subject);
        }
        if depth > 0 {
            let headers = attached_headers(msg);
            if !headers.is_empty() {
                self.emit(Part::AttachedHeaders, &headers);
            }
        }
        for part in &msg.parts {
            if self.stopped {
                return;
            }
            self.parts += 1;
            if self.parts > self.limits.max_parts {
                self.stopped = true;
                self.incomplete.push(Incomplete {
                    limit: "max_parts",
                    detail: format!("parts after the first {} were not scanned", self.limits.max_parts),
                });
                return;
            }
            self.part(part, depth);
        }
    }

    fn part(&mut self, part: &MessagePart<'_>, depth: usize) {
        if let Some(name) = part.attachment_name() {
            self.emit(Part::AttachmentName, name);
        }
        let attached = is_attachment(part);
        let kind = if attached { Part::Attachment } else { Part::Body };
        match &part.body {
            PartType::Text(t) => self.emit(kind, t),
            PartType::Html(h) => self.html_segment(kind, h),
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                let ct = part.content_type();
                let is_message = ct.is_some_and(|ct| {
                    ct.ctype().eq_ignore_ascii_case("message")
                        && ct.subtype().is_some_and(|s| {
                            s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
                        })
                });
                if is_message {
                    // mail-parser leaves deeply encoded attached messages as bytes: parse again.
                    if let Some(nested) = super::parse(self.parser, b.as_ref()) {
                        self.message(&nested, depth + 1);
                        return;
                    }
                }
                let charset = ct.and_then(|ct| ct.attribute("charset"));
                if let Some(text) = decode_text(b, charset) {
                    let is_html = ct
                        .is_some_and(|ct| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("html")))
                        || part.attachment_name().is_some_and(|n| {
                            let n = n.to_ascii_lowercase();
                            n.ends_with(".html") || n.ends_with(".htm")
                        });
                    if is_html {
                        self.html_segment(Part::Attachment, &text);
                    } else {
                        self.emit(Part::Attachment, &text);
                    }
                }
            }
            PartType::Message(m) => self.message(m, depth + 1),
            PartType::Multipart(_) => {}
        }
    }

    fn html_segment(&mut self, kind: Part, html: &str) {
        let mut text = std::mem::take(&mut self.html);
        text.clear();
        html_to_text(html, &mut text);
        self.emit(kind, &text);
        self.html = text;
    }
}

/// A part is an attachment when its disposition says so or it carries a file name.
fn is_attachment(part: &MessagePart<'_>) -> bool {
    part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
        || part.attachment_name().is_some()
}

/// The address headers of an attached message as text, one `Name <address>` a line.
fn attached_headers(msg: &Message<'_>) -> String {
    let mut out = String::new();
    let Some(root) = msg.parts.first() else {
        return out;
    };
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

/// Decodes bytes that are text whatever their label: a byte-order mark or a declared charset
/// decides; otherwise the bytes must look like text (no NUL, few control characters) and are
/// read as UTF-8, or windows-1252 when they are not UTF-8.
fn decode_text<'b>(bytes: &'b [u8], charset: Option<&str>) -> Option<Cow<'b, str>> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Some(text);
    }
    let declared = charset.and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()));
    if let Some(enc) = declared {
        if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            return Some(enc.decode_without_bom_handling(bytes).0);
        }
    }
    if !looks_like_text(bytes) {
        return None;
    }
    match declared {
        Some(enc) => Some(enc.decode_without_bom_handling(bytes).0),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Some(Cow::Borrowed(s)),
            Err(_) => Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
        },
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.is_empty() || sample.contains(&0) {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    control * 100 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_text_table() {
        assert_eq!(decode_text(b"Jane,Doe\n", None).as_deref(), Some("Jane,Doe\n"));
        assert_eq!(decode_text(b"\xff\xfeJ\0a\0", None).as_deref(), Some("Ja"));
        assert_eq!(decode_text(b"J\0a\0", Some("utf-16le")).as_deref(), Some("Ja"));
        assert_eq!(decode_text(b"Zo\xeb", None).as_deref(), Some("Zo\u{eb}"));
        assert_eq!(decode_text(b"\xd6\xc1\xce", Some("koi8-r")).as_deref(), Some("жан"));
        assert_eq!(decode_text(b"%PDF\x00\x01\x02", None), None);
        assert_eq!(decode_text(b"", None), None);
    }
}
