//! A message's details for an audit report (`scan --format json --details`, the Spark audit's
//! columns): when it was sent, by whom, its subject, and the domains of its external
//! recipients. Never an identifier in clear: the subject is masked as excerpts are, a sender
//! that the list protects is masked.

/// A message's date, sender, subject and external recipient domains, from its headers
/// ([`Scanner::details`](crate::Scanner::details)).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MessageDetails {
    /// The `Date` header in UTC, RFC 3339 (`2024-11-12T09:14:00Z`); absent when missing or
    /// not a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The sender's address (`From`), lower case; masked when a record lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The subject, every protected identifier, address and long number in it masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The distinct domains of the recipients outside the internal domains, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

/// Whether `domain` (lower case) is one of `internal` or below one.
fn is_internal(domain: &str, internal: &[String]) -> bool {
    internal.iter().any(|d| {
        let d = d.trim_start_matches('.');
        domain == d || domain.strip_suffix(d).is_some_and(|rest| rest.ends_with('.'))
    })
}

/// The details of a message from the scan's own reading of it: its top-level header fields
/// (`message`, none when it is not a message) and its recipients (`envelope`, whose envelope
/// recipients are left out: the details are the message's own): the subject through `mask`, a
/// sender for which `protected` holds through `mask`, the domains outside `internal`.
pub(crate) fn of(
    message: Option<&crate::message::mime::Entity<'_>>,
    envelope: &crate::message::Envelope<'_>,
    internal: &[String],
    mask: &dyn Fn(&str) -> String,
    protected: &dyn Fn(&str) -> bool,
) -> MessageDetails {
    use mail_parser::{GetHeader, HeaderName};

    let mut details = MessageDetails::default();
    if let Some((entity, root)) = message.and_then(|m| Some((m, m.parts.first()?))) {
        let headers = &root.headers;
        // The scan keeps Date raw (it reads nothing in it): the last one is parsed here from
        // its bytes, as mail-parser parses a Date field.
        details.date = headers
            .header(HeaderName::Date)
            .and_then(|h| entity.header_block.get(h.offset_start as usize..h.offset_end as usize))
            .and_then(|raw| mail_parser::parsers::MessageStream::new(raw).parse_date().into_datetime())
            .filter(|d| d.is_valid())
            .map(|d| mail_parser::DateTime::from_timestamp(d.to_timestamp()).to_rfc3339());
        details.from = headers
            .header_value(&HeaderName::From)
            .and_then(|v| v.as_address())
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty())
            .map(|a| if protected(&a) { mask(&a) } else { a });
        details.subject = headers.header_value(&HeaderName::Subject).and_then(|v| v.as_text()).map(mask);
    }
    let mut domains: Vec<String> = Vec::new();
    envelope.for_each_recipient(&mut |address, field| {
        if field == crate::model::Field::Envelope {
            return;
        }
        if let Some((_, d)) = address.rsplit_once('@') {
            if !d.is_empty() && !is_internal(d, internal) {
                domains.push(d.to_string());
            }
        }
    });
    domains.sort();
    domains.dedup();
    details.domains = domains;
    details
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicyBuilder, ProtectedList, Scanner};

    fn scanner() -> Scanner {
        let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV01,email,jane@example.org\n")
            .expect("list");
        let policy = PolicyBuilder::default().internal_domain("met.example").build().expect("policy");
        Scanner::new(list, policy)
    }

    #[test]
    fn date_in_utc_sender_subject_masked_external_domains() {
        let msg = b"Date: Tue, 12 Nov 2024 23:30:00 -0200\r\nFrom: Desk <Desk@Met.Example>\r\n\
            To: a@partner.example, b@met.example, c@sub.met.example\r\nCc: d@Partner.example\r\n\
            Bcc: e@other.example\r\nReply-To: f@reply.example\r\nSubject: Update on Jane Doe <script>\r\n\r\nbody\r\n";
        let d = scanner().details(msg);
        assert_eq!(d.date.as_deref(), Some("2024-11-13T01:30:00Z"));
        assert_eq!(d.from.as_deref(), Some("desk@met.example"));
        assert_eq!(d.subject.as_deref(), Some("Update on J*** D** <script>"));
        assert_eq!(d.domains, ["other.example", "partner.example"]);
    }

    #[test]
    fn a_protected_sender_is_masked_and_a_bad_date_left_out() {
        let msg = b"Date: someday\r\nFrom: jane@example.org\r\nTo: x@met.example\r\n\r\nbody\r\n";
        let d = scanner().details(msg);
        assert_eq!(d.date, None);
        let from = d.from.expect("from");
        assert!(!from.contains("jane") && from.starts_with('j'), "{from}");
        assert_eq!(d.subject, None);
        assert!(d.domains.is_empty());
    }

    #[test]
    fn read_from_the_header_block_the_scan_reads() {
        // A blank line before the header fields: the scan reads past it, and so do the details.
        let msg = b"  \r\nDate: Tue, 12 Nov 2024 09:14:00 +0000\r\nFrom: desk@met.example\r\n\
            To: a@partner.example\r\nSubject: Rota\r\n\r\nJane Doe\r\n";
        let d = scanner().details(msg);
        assert_eq!(d.date.as_deref(), Some("2024-11-12T09:14:00Z"));
        assert_eq!(d.from.as_deref(), Some("desk@met.example"));
        assert_eq!(d.subject.as_deref(), Some("Rota"));
        assert_eq!(d.domains, ["partner.example"]);
    }

    #[test]
    fn scan_with_details_is_the_scan_and_the_details_and_leaves_the_envelope_out() {
        let msg = b"Date: Tue, 12 Nov 2024 09:14:00 +0000\r\nFrom: desk@met.example\r\n\
            To: a@partner.example\r\nSubject: Jane Doe\r\n\r\nJane Doe\r\n";
        let s = scanner();
        let rcpts = crate::Recipients::new(&["x@far.example"]).expect("recipients");
        let (report, details) = s.scan_with_details(msg, &rcpts);
        assert_eq!(report, s.scan_to(msg, &rcpts));
        assert_eq!(details, s.details(msg));
        assert_eq!(details.domains, ["partner.example"]);
        assert_eq!(details.subject.as_deref(), Some("J*** D**"));
    }

    #[test]
    fn not_a_message_gives_nothing() {
        assert_eq!(scanner().details(b"\x00\x01\x02"), MessageDetails::default());
    }
}
