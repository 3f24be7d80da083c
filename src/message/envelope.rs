//! Recipients of a message: To, Cc (groups included), Bcc, and the envelope.

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

/// One recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Canonical (lower-case) address.
    pub address: String,
    /// Where it was named.
    pub field: Field,
}

/// Everyone a message goes to, plus the display names shown beside visible recipients.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// Every recipient in header order, then the envelope recipients; duplicates kept.
    pub recipients: Vec<Recipient>,
    /// Display names in To and Cc, in header order.
    pub display_names: Vec<String>,
}

impl Envelope {
    /// Reads every To, Cc and Bcc header of `message` (not only the last of each).
    pub fn from_message(message: &Message<'_>) -> Envelope {
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
            // Display names whose encoded words split a character: the whole header, joined.
            let raw = message.raw_message.get(header.offset_start as usize..header.offset_end as usize);
            let joined =
                raw.and_then(|r| std::str::from_utf8(r).ok()).and_then(super::rfc2047::decode_joined);
            let names_before = env.display_names.len();
            match &header.value {
                HeaderValue::Address(Address::List(list)) => {
                    for a in list {
                        env.add(field, a.address.as_deref(), a.name.as_deref());
                    }
                }
                HeaderValue::Address(Address::Group(groups)) => {
                    for g in groups {
                        for a in &g.addresses {
                            env.add(field, a.address.as_deref(), a.name.as_deref());
                        }
                    }
                }
                HeaderValue::Text(t) => {
                    // Not parsed as addresses: keep whatever looks like one (fail closed).
                    for piece in t.split([',', ';']) {
                        env.add(field, Some(piece), None);
                    }
                }
                HeaderValue::TextList(list) => {
                    for t in list {
                        env.add(field, Some(t), None);
                    }
                }
                _ => {}
            }
            if let Some(joined) = joined.filter(|_| field.is_visible()) {
                env.display_names.truncate(names_before);
                env.display_names.push(joined.trim().to_string());
            }
        }
        env
    }

    fn add(&mut self, field: Field, addr: Option<&str>, name: Option<&str>) {
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            if field.is_visible() {
                self.display_names.push(name.to_string());
            }
        }
        let Some(addr) = addr else { return };
        // Two addresses with only white space between them (`a@x.example b@x.example`):
        // a mail system delivers to both.
        if addr.contains(char::is_whitespace)
            && addr.matches('@').count() > 1
            && !addr.contains(['"', '<', ':'])
        {
            for piece in addr.split_whitespace() {
                self.add(field, Some(piece), None);
            }
            return;
        }
        let a = address::canonical(addr);
        // The remnant of a mangled group (`undisclosed-recipients:@host;`) is no address: `:`
        // and `;` cannot stand unquoted in one, and no mail system delivers to it.
        let group_remnant = !a.contains('"') && (a.contains(':') || a.ends_with(';'));
        if !a.is_empty() && !group_remnant {
            self.recipients.push(Recipient { address: a, field });
        }
    }

    /// The recipients of raw message bytes, read as a scan reads them.
    pub fn from_bytes(message: &[u8]) -> Envelope {
        super::parse(&mail_parser::MessageParser::new(), message)
            .map(|m| Envelope::from_message(&m))
            .unwrap_or_default()
    }

    /// Adds an envelope recipient (already validated and canonical).
    pub fn add_envelope(&mut self, address: String) {
        self.recipients.push(Recipient { address, field: Field::Envelope });
    }
}
