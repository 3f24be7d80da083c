//! The message as maildlp sees it: who it goes to ([`Envelope`]) and everything a recipient
//! can read in it (segments of text, each with a [`Location`]).
//!
//! mail-parser does the MIME work. This module walks *every* part rather than mail-parser's
//! body lists (a missing final boundary drops the last part from those lists), reads every
//! To and Cc header rather than the last one, parses again the attached messages that
//! mail-parser leaves as bytes, and decodes text attachments that are labelled as binary.

mod content;
mod elide;
mod envelope;
pub mod guard;
mod rfc2047;
mod transfer;

pub use content::for_each_segment;
pub(crate) use content::for_each_segment_of;
#[cfg(feature = "documents")]
pub(crate) use content::{decode_text, is_html_name};
#[cfg(fuzzing)]
pub(crate) use elide::check::reading as elided_reading;
pub(crate) use elide::{elide, Elided};
pub use envelope::{recipients_of, Envelope, Recipient};
pub(crate) use transfer::{lazy_parser, release};

/// The mail-parser configuration a scan reads messages with: the MIME headers, the address
/// headers (Mail-Followup-To too) and the text headers parsed as mail-parser parses them;
/// every other header kept raw, since a scan reads nothing from it (dates, message ids and
/// Received traces cost parsing time and hold nothing a recipient is shown as content).
///
/// mail-parser applies its built-in choices only while no header is configured; once one is,
/// every header not configured is kept raw. So the table is spelled out here.
pub fn parser() -> mail_parser::MessageParser {
    use mail_parser::HeaderName as H;
    mail_parser::MessageParser::new()
        .with_mime_headers()
        .with_address_headers()
        .header_address(H::Other(envelope::MAIL_FOLLOWUP_TO.into()))
        .header_text(H::Subject)
        .header_text(H::Comments)
}

/// Parses with mail-parser, turning a panic inside it into "not a message". mail-parser 0.11
/// has assertions that malformed input can reach in debug builds; a scan must never take its
/// caller down, so the scanner falls back to reading the bytes as plain text.
///
/// Lines of only spaces and tabs before the first header are skipped: mail-parser would take
/// such a line for the end of the headers and lose the recipients below it.
pub(crate) fn parse<'x>(
    parser: &mail_parser::MessageParser,
    bytes: &'x [u8],
) -> Option<mail_parser::Message<'x>> {
    let bytes = skip_blank_lead(bytes);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes))).ok().flatten()
}

fn skip_blank_lead(mut bytes: &[u8]) -> &[u8] {
    loop {
        let end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |p| p + 1);
        let line = &bytes[..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() || !content.iter().all(|&b| b == b' ' || b == b'\t') || end == bytes.len() {
            return bytes;
        }
        bytes = &bytes[end..];
    }
}
