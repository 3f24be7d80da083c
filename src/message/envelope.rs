//! Who a message goes to and what address headers its recipients see: To, Cc, Bcc, their
//! Resent- forms, Reply-To, Mail-Followup-To (groups included, every header of each), From and
//! Sender for their display names, the attendees and organiser of an invitation the message
//! carries (see `calendar`), and the envelope recipients the caller passes.
//!
//! The envelope is a view over the parsed message, not a copy: a message with a hundred
//! thousand Cc addresses costs mail-parser's own list and nothing more until the rules look.

use std::borrow::Cow;

use mail_parser::{Address, HeaderName, HeaderValue};

use super::mime::Entity;

use crate::address;
use crate::model::Field;

/// The field a header name stands for.
fn field_of(name: &HeaderName<'_>) -> Option<Field> {
    Some(match name {
        HeaderName::To => Field::To,
        HeaderName::Cc => Field::Cc,
        HeaderName::Bcc => Field::Bcc,
        HeaderName::ResentTo => Field::ResentTo,
        HeaderName::ResentCc => Field::ResentCc,
        HeaderName::ResentBcc => Field::ResentBcc,
        HeaderName::ReplyTo => Field::ReplyTo,
        HeaderName::From => Field::From,
        HeaderName::Sender => Field::Sender,
        HeaderName::ResentFrom => Field::ResentFrom,
        HeaderName::ResentSender => Field::ResentSender,
        HeaderName::Other(n) if n.eq_ignore_ascii_case(MAIL_FOLLOWUP_TO) => Field::MailFollowupTo,
        _ => return None,
    })
}

/// The one address header mail-parser does not know by name.
pub(crate) const MAIL_FOLLOWUP_TO: &str = "Mail-Followup-To";

/// One recipient, owned (see [`recipients_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Canonical (lower-case) address.
    pub address: String,
    /// Where it was named.
    pub field: Field,
}

struct HeaderRef<'m> {
    field: Field,
    value: &'m HeaderValue<'m>,
    /// The display names of this header decoded with split encoded words joined, when
    /// mail-parser's decoding lost characters (see `rfc2047`).
    joined_names: Option<String>,
}

/// Everyone a message goes to, every address its recipients see, and the display names
/// shown beside them.
#[derive(Default)]
pub struct Envelope<'m> {
    headers: Vec<HeaderRef<'m>>,
    /// The attendees and organisers of the invitations the message carries (not those of an
    /// attached message), canonical, each followed by a line feed: one buffer however many.
    attendees: String,
    extra: Vec<String>,
}

impl std::fmt::Debug for Envelope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.recipients()).finish()
    }
}

impl<'m> Envelope<'m> {
    /// The address headers of `message` (every one of them, not only the last).
    pub(crate) fn from_entity(message: &'m Entity<'m>) -> Envelope<'m> {
        let mut env = Envelope::default();
        let Some(root) = message.parts.first() else {
            return env;
        };
        for header in &root.headers {
            let Some(field) = field_of(&header.name) else {
                continue;
            };
            // Only where mail-parser's decoding lost characters (a character split between
            // encoded words) is the header decoded again, and only its names kept.
            let joined_names = if lost_characters(&header.value) {
                message
                    .header_block
                    .get(header.offset_start as usize..header.offset_end as usize)
                    .and_then(|r| std::str::from_utf8(r).ok())
                    .and_then(super::rfc2047::decode_joined)
                    .map(|j| names_only(&j))
            } else {
                None
            };
            env.headers.push(HeaderRef { field, value: &header.value, joined_names });
        }
        // The message's own parts: an attached message's parts are inside its entity.
        for part in &message.parts {
            // Only an invitation shows its attendees to every invitee.
            let Some(text) = super::calendar::text_of(part).filter(|t| super::calendar::invites(t)) else {
                continue;
            };
            super::calendar::read(&text, &mut |item| {
                if let super::calendar::Item::Address { address, .. } = item {
                    env.attendees.push_str(address);
                    env.attendees.push('\n');
                }
            });
        }
        env
    }

    /// The attendees and organisers of the invitations the message carries.
    fn attendees(&self) -> impl Iterator<Item = &str> {
        self.attendees.lines()
    }

    /// Adds an envelope recipient (already validated and canonical).
    pub fn add_envelope(&mut self, address: String) {
        self.extra.push(address);
    }

    /// Calls `f(address, field)` with every recipient in header order, then the envelope
    /// recipients; addresses canonical, duplicates kept.
    pub fn for_each_recipient(&self, f: &mut dyn FnMut(&str, Field)) {
        for h in self.headers.iter().filter(|h| h.field.is_recipient()) {
            visit_addresses(h.value, &mut |addr, _| each_address(addr, h.field, f));
        }
        for a in self.attendees() {
            f(a, Field::Attendee);
        }
        for a in &self.extra {
            f(a, Field::Envelope);
        }
    }

    /// How many entries the recipient headers and the envelope list: about the number of
    /// recipients, without reading them (an entry holding several addresses counts once).
    pub fn recipient_entries(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .filter(|h| h.field.is_recipient())
            .map(|h| match h.value {
                HeaderValue::Address(Address::List(list)) => list.len(),
                HeaderValue::Address(Address::Group(groups)) => {
                    groups.iter().map(|g| g.addresses.len()).sum()
                }
                HeaderValue::TextList(list) => list.len(),
                _ => 1,
            })
            .sum();
        headers + self.attendees().count() + self.extra.len()
    }

    /// Calls `f(address, field)` with every address every recipient sees: To, Cc, their
    /// Resent- forms, Reply-To and Mail-Followup-To, canonical, in header order; then the
    /// attendees and organisers of the invitations the message carries.
    pub fn for_each_shown(&self, f: &mut dyn FnMut(&str, Field)) {
        for h in self.headers.iter().filter(|h| h.field.is_shown()) {
            visit_addresses(h.value, &mut |addr, _| each_address(addr, h.field, f));
        }
        for a in self.attendees() {
            f(a, Field::Attendee);
        }
    }

    /// Calls `f(name, field)` with every display name recipients see (From, Sender, Reply-To,
    /// To, Cc, Mail-Followup-To and the Resent- headers; not Bcc).
    pub fn for_each_display_name(&self, f: &mut dyn FnMut(&str, Field)) {
        for h in self.headers.iter().filter(|h| h.field.shows_names()) {
            match &h.joined_names {
                Some(joined) => f(joined, h.field),
                None => visit_addresses(h.value, &mut |_, name| {
                    if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
                        f(n, h.field);
                    }
                }),
            }
        }
    }

    /// Every recipient, owned.
    pub fn recipients(&self) -> Vec<Recipient> {
        let mut v = Vec::new();
        self.for_each_recipient(&mut |a, field| v.push(Recipient { address: a.to_string(), field }));
        v
    }
}

/// The recipients of raw message bytes, read as a scan reads them.
pub fn recipients_of(message: &[u8]) -> Vec<Recipient> {
    let limits = crate::model::Limits::default();
    let source = super::Source::new(message, &limits);
    let parser = super::HeaderParser::default();
    let reading = source.read(&parser);
    let recipients = reading.envelope().recipients();
    recipients
}

/// The attendees and organisers of the invitations in raw message bytes (read as a scan
/// reads them), canonical, in order, duplicates kept.
pub(crate) fn invitation_addresses(message: &[u8]) -> Vec<String> {
    let limits = crate::model::Limits::default();
    let source = super::Source::new(message, &limits);
    let parser = super::HeaderParser::default();
    let reading = source.read(&parser);
    let envelope = reading.envelope();
    let addresses = envelope.attendees().map(str::to_string).collect();
    addresses
}

/// Whether a display name of the address header `value` holds a replacement character.
fn lost_characters(value: &HeaderValue<'_>) -> bool {
    let mut lost = false;
    visit_addresses(value, &mut |_, name| lost |= name.is_some_and(|n| n.contains('\u{fffd}')));
    lost
}

/// The display names of a decoded address header's text: addresses in angle brackets and
/// bare addresses left out, the names joined by `, `.
fn names_only(decoded: &str) -> String {
    let mut text = String::with_capacity(decoded.len());
    let mut depth = 0usize;
    for c in decoded.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let names: Vec<&str> = text
        .split(',')
        .map(|n| n.trim().trim_matches('"').trim())
        .filter(|n| !n.is_empty() && (!n.contains('@') || n.contains(char::is_whitespace)))
        .collect();
    names.join(", ")
}

/// Calls `f(address, display name)` for each entry of an address header.
fn visit_addresses<'v>(value: &'v HeaderValue<'_>, f: &mut dyn FnMut(&'v str, Option<&'v str>)) {
    match value {
        HeaderValue::Address(Address::List(list)) => {
            for a in list {
                f(a.address.as_deref().unwrap_or(""), a.name.as_deref());
            }
        }
        HeaderValue::Address(Address::Group(groups)) => {
            for a in groups.iter().flat_map(|g| g.addresses.iter()) {
                f(a.address.as_deref().unwrap_or(""), a.name.as_deref());
            }
        }
        // Not parsed as addresses: keep whatever looks like one (fail closed).
        HeaderValue::Text(t) => t.split([',', ';']).for_each(|p| f(p, None)),
        HeaderValue::TextList(list) => list.iter().for_each(|t| f(t, None)),
        _ => {}
    }
}

fn each_address(addr: &str, field: Field, f: &mut dyn FnMut(&str, Field)) {
    let addr = addr.trim();
    if addr.is_empty() {
        return;
    }
    // Two addresses with only white space between them (`a@x.example b@x.example`): a mail
    // system delivers to both.
    if addr.contains(char::is_whitespace) && addr.matches('@').count() > 1 && !addr.contains(['"', '<', ':'])
    {
        for piece in addr.split_whitespace() {
            each_address(piece, field, f);
        }
        return;
    }
    let a: Cow<'_, str> = address::canonical_cow(addr);
    // The remnant of a mangled group (`undisclosed-recipients:@host;`) is no address: `:` and
    // `;` cannot stand unquoted in one, and no mail system delivers to it.
    let group_remnant = !a.contains('"') && (a.contains(':') || a.ends_with(';'));
    if !a.is_empty() && !group_remnant {
        f(&a, field);
    }
}
