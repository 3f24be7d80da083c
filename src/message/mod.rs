//! The message as maildlp sees it: who it goes to ([`Envelope`]) and everything a recipient
//! can read in it (segments of text, each with a [`Location`](crate::model::Location)).
//!
//! [`read`] is the one reading of a message: maildlp's own walk of its MIME structure
//! (`mime`), under the limits, with mail-parser's public API parsing each header block. The
//! content walk (`content`) then reads every part of that structure: it decodes bodies as it
//! reads them, reads attached messages (those that come encoded from their decoded bytes), and
//! hands documents and archives to `extract`.

mod content;
mod envelope;
mod mime;
mod rfc2047;
mod slim;
mod transfer;

#[cfg(feature = "documents")]
pub(crate) use content::{decode_text, is_html_name};
pub use envelope::{recipients_of, Envelope, Recipient};
#[cfg(fuzzing)]
pub(crate) use mime::agreement::check as mime_agreement;

use crate::model::{Incomplete, Limit, Limits, Segment};

/// The bytes a scan reads of a message: as much of it as `max_message_bytes` allows, and a
/// copy with its top-level header block slimmed when that block is huge (see `slim`).
pub(crate) struct Source<'m> {
    bytes: std::borrow::Cow<'m, [u8]>,
    limits: &'m Limits,
    incomplete: Vec<Incomplete>,
}

impl<'m> Source<'m> {
    /// What a scan under `limits` reads of `message`.
    pub(crate) fn new(message: &'m [u8], limits: &'m Limits) -> Source<'m> {
        let mut incomplete = Vec::new();
        let bytes = if message.len() > limits.max_message_bytes {
            incomplete.push(Incomplete {
                limit: Limit::MaxMessageBytes,
                detail: format!(
                    "only the first {} of {} bytes were scanned",
                    limits.max_message_bytes,
                    message.len()
                ),
            });
            &message[..limits.max_message_bytes]
        } else {
            message
        };
        let bytes = match slim::slim(bytes) {
            Some(copy) => std::borrow::Cow::Owned(copy),
            None => std::borrow::Cow::Borrowed(bytes),
        };
        Source { bytes, limits, incomplete }
    }

    /// The one reading of the message: its MIME structure walked once, stopping where the
    /// depth or the part count goes past the limits.
    pub(crate) fn read(&self) -> Reading<'_> {
        let mut walk = mime::Walk::new(header_parser(), self.limits);
        // Text of which no known header can be read is not a message: it is scanned as plain
        // text rather than lost.
        let message = walk.message(&self.bytes, 0).filter(|m| {
            m.parts.first().is_some_and(|root| {
                root.headers.iter().any(|h| !matches!(h.name, mail_parser::HeaderName::Other(_)))
            })
        });
        Reading {
            message,
            bytes: &self.bytes,
            walk: std::cell::RefCell::new(walk),
            incomplete: self.incomplete.clone(),
        }
    }
}

/// A message read once: its structure, and the limits met while reading it.
pub(crate) struct Reading<'m> {
    /// The message, or `None` when no header could be read: then it is not a message, and
    /// its bytes are read as plain text.
    message: Option<mime::Entity<'m>>,
    /// The bytes read.
    bytes: &'m [u8],
    /// The walk, kept to read attached messages that come encoded.
    walk: std::cell::RefCell<mime::Walk<'m>>,
    incomplete: Vec<Incomplete>,
}

/// The header parser every reading uses (see `mime::header_parser`).
fn header_parser() -> &'static mail_parser::MessageParser {
    static PARSER: std::sync::OnceLock<mail_parser::MessageParser> = std::sync::OnceLock::new();
    PARSER.get_or_init(mime::header_parser)
}

impl<'m> Reading<'m> {
    /// Who the message goes to, as its headers say.
    pub(crate) fn envelope(&self) -> Envelope<'_> {
        self.message.as_ref().map(Envelope::from_entity).unwrap_or_default()
    }

    /// Calls `sink` with every segment: the display names of `envelope` (the message's, with
    /// the caller's recipients added), then the subject, bodies, attachment names and what is
    /// inside attachments, in reading order. Returns every limit met, reading included.
    pub(crate) fn for_each_segment(
        &self,
        envelope: &Envelope<'_>,
        limits: &Limits,
        sink: &mut dyn FnMut(&Segment<'_>),
    ) -> Vec<Incomplete> {
        let mut incomplete = self.incomplete.clone();
        match &self.message {
            Some(m) => {
                let mut walk = self.walk.borrow_mut();
                let more = content::for_each_segment_of(m, envelope, &mut walk, limits, sink);
                incomplete.append(&mut walk.incomplete);
                incomplete.extend(more);
            }
            None => {
                // Not a message at all: its bytes as plain text.
                let text = String::from_utf8_lossy(self.bytes);
                let location = crate::model::Location::new(crate::model::Part::Body, 1);
                sink(&Segment { location: &location, text: &text, marks: &[] });
            }
        }
        incomplete
    }
}
