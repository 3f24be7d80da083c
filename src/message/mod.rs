//! The message as maildlp sees it: who it goes to ([`Envelope`]) and everything a recipient
//! can read in it (segments of text, each with a [`Location`](crate::model::Location)).
//!
//! `Source::read` is the one reading of a message: maildlp's own walk of its MIME structure
//! (`mime`), under the limits, with mail-parser's public API parsing each header block. The
//! content walk (`crate::content`) then reads every part of that structure.

pub(crate) mod calendar;
mod envelope;
pub(crate) mod mime;
pub(crate) mod rfc2047;
mod slim;
pub(crate) mod smime;
pub(crate) mod sniff;
pub(crate) mod transfer;

pub(crate) use envelope::invitation_addresses;
pub use envelope::{recipients_of, Envelope, Recipient};
#[cfg(fuzzing)]
pub(crate) use mime::agreement::check as mime_agreement;

use crate::model::{Incomplete, Limit, Limits};

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
                reader: None,
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
    pub(crate) fn read<'p>(&'p self, parser: &'p HeaderParser) -> Reading<'p> {
        let mut walk = mime::Walk::new(&parser.0, self.limits);
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

/// The header parser readings use (mail-parser configured for the header fields a scan
/// reads); built once per scanner.
#[derive(Debug)]
pub(crate) struct HeaderParser(mail_parser::MessageParser);

impl Default for HeaderParser {
    fn default() -> Self {
        HeaderParser(mime::header_parser())
    }
}

impl<'m> Reading<'m> {
    /// Who the message goes to, as its headers say.
    pub(crate) fn envelope(&self) -> Envelope<'_> {
        self.message.as_ref().map(Envelope::from_entity).unwrap_or_default()
    }

    /// The message, or `None` when no header could be read: then it is not a message.
    pub(crate) fn message(&self) -> Option<&mime::Entity<'m>> {
        self.message.as_ref()
    }

    /// The bytes read.
    pub(crate) fn bytes(&self) -> &'m [u8] {
        self.bytes
    }

    /// The walk, to read attached messages that come encoded; and the limits met so far.
    pub(crate) fn walk(&self) -> std::cell::RefMut<'_, mime::Walk<'m>> {
        self.walk.borrow_mut()
    }

    /// The limits met before the structure was walked (`max_message_bytes`).
    pub(crate) fn incomplete(&self) -> &[Incomplete] {
        &self.incomplete
    }
}
