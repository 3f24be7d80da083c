//! Recipients of a message: To, Cc (groups included), Bcc, and the envelope.
//!
//! The envelope is a view over the parsed message, not a copy: a message with a hundred
//! thousand Cc addresses costs mail-parser's own list and nothing more until the rules look.

use std::borrow::Cow;

use mail_parser::{Address, HeaderName, HeaderValue, Message};

use crate::address;

/// Where a recipient was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Field {
    /// The To header: visible to every recipient.
    To,
    /// The Cc header: visible to every recipient.
    Cc,
    /// The Bcc header: hidden from the other recipients.
    Bcc,
    /// An envelope recipient given by the caller (SMTP `RCPT TO`, `--rcpt`).
    Envelope,
}

impl Field {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::To => "to",
            Field::Cc => "cc",
            Field::Bcc => "bcc",
            Field::Envelope => "envelope",
        }
    }

    /// Whether recipients in this field are shown to the others.
    pub fn is_visible(self) -> bool {
        matches!(self, Field::To | Field::Cc)
    }
}

/// One recipient, owned (see [`Envelope::recipients`]).
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

/// Everyone a message goes to, and the display names shown beside visible recipients.
#[derive(Default)]
pub struct Envelope<'m> {
    headers: Vec<HeaderRef<'m>>,
    extra: Vec<String>,
}

impl std::fmt::Debug for Envelope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.recipients()).finish()
    }
}

impl<'m> Envelope<'m> {
    /// The To, Cc and Bcc headers of `message` (every one of them, not only the last).
    pub fn from_message(message: &'m Message<'m>) -> Envelope<'m> {
        let mut env = Envelope::default();
        let Some(root) = message.parts.first() else {
            return env;
        };
        for header in &root.headers {
            let field = match header.name {
                HeaderName::To => Field::To,
                HeaderName::Cc => Field::Cc,
                HeaderName::Bcc => Field::Bcc,
                _ => continue,
            };
            let raw = message.raw_message.get(header.offset_start as usize..header.offset_end as usize);
            let joined_names = raw
                .and_then(|r| std::str::from_utf8(r).ok())
                .and_then(super::rfc2047::decode_joined)
                .map(|j| j.trim().to_string());
            env.headers.push(HeaderRef { field, value: &header.value, joined_names });
        }
        env
    }

    /// Adds an envelope recipient (already validated and canonical).
    pub fn add_envelope(&mut self, address: String) {
        self.extra.push(address);
    }

    /// Calls `f(address, field)` with every recipient in header order, then the envelope
    /// recipients; addresses canonical, duplicates kept.
    pub fn for_each_recipient(&self, f: &mut dyn FnMut(&str, Field)) {
        for h in &self.headers {
            visit_addresses(h.value, &mut |addr, _| each_address(addr, h.field, f));
        }
        for a in &self.extra {
            f(a, Field::Envelope);
        }
    }

    /// Calls `f` with every display name shown in To and Cc.
    pub fn for_each_display_name(&self, f: &mut dyn FnMut(&str)) {
        for h in self.headers.iter().filter(|h| h.field.is_visible()) {
            match &h.joined_names {
                Some(joined) => f(joined),
                None => visit_addresses(h.value, &mut |_, name| {
                    if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
                        f(n);
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
    match super::parse(&mail_parser::MessageParser::new(), message) {
        Some(m) => Envelope::from_message(&m).recipients(),
        None => Vec::new(),
    }
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
