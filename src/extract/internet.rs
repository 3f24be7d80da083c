//! A message of the MAPI model (`mapi.rs`) written out as an Internet message (RFC 5322 and
//! MIME), for containers whose messages are scanned as mail is: a PST store's.
//!
//! Headers: the Internet headers the message was received with (`PR_TRANSPORT_MESSAGE_HEADERS`)
//! less those that describe its MIME structure, which is written anew; else headers built from
//! the properties: `From` (whom it was sent for, else the sender), `To`, `Cc` and `Bcc` from the
//! recipient table by `PR_RECIPIENT_TYPE` (the names Outlook shows when there is no table),
//! `Subject`, `Date` (`PR_CLIENT_SUBMIT_TIME`, else `PR_MESSAGE_DELIVERY_TIME`) and
//! `Message-ID`. The Bcc rows of a message with transport headers become a `Bcc` header too:
//! transport headers never carry one. A recipient with no Internet address is written as an
//! empty group named after them (`"Jane Doe":;`), so the name is still read.
//!
//! Body: the plain and HTML bodies (`multipart/alternative` when both), or the decompressed
//! RTF body when there is neither. Attachments: each file a base64 part under its attachment
//! name and media type; an embedded message a `message/rfc822` part written the same way, to
//! [`MAX_NESTING`] levels; an attachment with no content read an empty part under its name.

use base64::Engine as _;
use encoding_rs::Encoding;

use super::lzfu;
use super::mapi::{id, Attachment, Embedded, Message};
use crate::model::Budget;

/// Embedded messages written inside one another at most (deeper ones are named only).
pub(super) const MAX_NESTING: usize = 16;

/// The most a compressed RTF body may grow to when decompressed here.
const MAX_RTF: u64 = 64 << 20;

/// Seconds from 1601-01-01 (the MAPI epoch) to 1970-01-01.
const EPOCH_1601: u64 = 11_644_473_600;

/// `PR_RECIPIENT_TYPE` values, in header order.
const KINDS: [(u32, &str); 3] = [(1, "To"), (2, "Cc"), (3, "Bcc")];

/// Headers of the transport headers that describe the MIME structure, written anew.
const STRUCTURAL: [&str; 6] = [
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "content-disposition",
    "content-id",
    "content-description",
];

/// `message` as an Internet message.
pub(super) fn write(message: &Message<'_>) -> Vec<u8> {
    write_at(message, 0)
}

fn write_at(message: &Message<'_>, nesting: usize) -> Vec<u8> {
    let enc = message.encoding();
    let mut out = headers(message, enc);
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let (plain, html) = (message.body(), message.html());
    let texts: Vec<Vec<u8>> = [(plain, "text/plain"), (html, "text/html")]
        .into_iter()
        .filter_map(|(text, kind)| Some(part(&format!("{kind}; charset=utf-8"), None, text?.as_bytes())))
        .collect();
    match texts.len() {
        0 => {
            let budget = Budget::new(MAX_RTF);
            if let Some(rtf) = message.rtf_compressed().and_then(|r| lzfu::decompress(r, &budget)) {
                parts.push(part("text/rtf", None, &rtf.bytes));
            }
        }
        1 => parts.extend(texts),
        _ => parts.push(multipart("alternative", nesting, &texts)),
    }
    for (i, a) in message.attachments.iter().enumerate() {
        let name = a.name(enc).unwrap_or_else(|| format!("attachment {}", i + 1));
        parts.push(attachment(a, &name, nesting));
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    match parts.len() {
        0 => out.extend_from_slice(b"Content-Type: text/plain; charset=utf-8\r\n\r\n"),
        // One part: its own headers are the message's.
        1 => out.extend_from_slice(&parts[0]),
        _ => out.extend_from_slice(&multipart("mixed", nesting, &parts)),
    }
    out
}

/// An attachment as a MIME part named `name`.
fn attachment(a: &Attachment<'_>, name: &str, nesting: usize) -> Vec<u8> {
    if let Some(Embedded::Message(inner)) = &a.embedded {
        if nesting + 1 < MAX_NESTING {
            let mut p = format!(
                "Content-Type: message/rfc822\r\nContent-Disposition: attachment{}\r\n\r\n",
                file_name(name)
            )
            .into_bytes();
            p.extend_from_slice(&write_at(inner, nesting + 1));
            return p;
        }
    }
    let kind = a
        .props
        .string(id::ATTACH_MIME_TAG, encoding_rs::UTF_8)
        .map(|k| k.trim().to_ascii_lowercase())
        .filter(|k| is_media_type(k))
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let bytes = match &a.embedded {
        Some(Embedded::Message(_)) => None,
        _ => a.bytes(),
    };
    part(&kind, Some(name), bytes.unwrap_or_default())
}

/// Whether `kind` is a plain `type/subtype` a header may carry as it is.
fn is_media_type(kind: &str) -> bool {
    let token =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    matches!(kind.split_once('/'), Some((t, s)) if token(t) && token(s))
        && !kind.starts_with("multipart/")
        && !kind.starts_with("message/")
}

/// A base64 part of media type `kind`, an attachment named `name` if given.
fn part(kind: &str, name: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut p = format!("Content-Type: {kind}\r\nContent-Transfer-Encoding: base64\r\n");
    if let Some(name) = name {
        p.push_str(&format!("Content-Disposition: attachment{}\r\n", file_name(name)));
    }
    p.push_str("\r\n");
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut p = p.into_bytes();
    for line in encoded.as_bytes().chunks(76) {
        p.extend_from_slice(line);
        p.extend_from_slice(b"\r\n");
    }
    p
}

/// `; filename*=utf-8''...` (RFC 2231): any name, written in ASCII.
fn file_name(name: &str) -> String {
    let mut out = String::from("; filename*=utf-8''");
    for b in clean(name).bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `multipart/SUBTYPE` part holding `parts`, under a boundary none of them holds.
fn multipart(subtype: &str, nesting: usize, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut n = 0usize;
    let boundary = loop {
        let b = format!("=_maildlp_{subtype}_{nesting}_{n}");
        if !parts.iter().any(|p| memchr::memmem::find(p, b.as_bytes()).is_some()) {
            break b;
        }
        n += 1;
    };
    let mut out = format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(p);
        if !p.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// The message's headers, each line ending in CRLF, the MIME ones left out.
fn headers(message: &Message<'_>, enc: &'static Encoding) -> Vec<u8> {
    let mut out = String::new();
    let rows = |kind: u32| -> Vec<String> {
        message
            .recipients
            .iter()
            .filter(|r| r.long(id::RECIPIENT_TYPE).unwrap_or(1) & 0xff == kind)
            .filter_map(|r| {
                mailbox(r.string(id::DISPLAY_NAME, enc), r.address(id::SMTP_ADDRESS, id::EMAIL_ADDRESS, enc))
            })
            .collect()
    };
    if let Some(transport) = message.props.string(id::TRANSPORT_MESSAGE_HEADERS, enc) {
        let kept = received_headers(&transport);
        let has_bcc = kept.iter().any(|h| h.to_ascii_lowercase().starts_with("bcc:"));
        for h in kept {
            out.push_str(&h);
        }
        let bcc = rows(3);
        if !has_bcc && !bcc.is_empty() {
            out.push_str(&address_header("Bcc", &bcc));
        }
        return out.into_bytes();
    }
    let p = &message.props;
    let from = mailbox(
        p.string(id::SENT_REPRESENTING_NAME, enc),
        p.address(id::SENT_REPRESENTING_SMTP, id::SENT_REPRESENTING_EMAIL, enc),
    )
    .or_else(|| mailbox(p.string(id::SENDER_NAME, enc), p.address(id::SENDER_SMTP, id::SENDER_EMAIL, enc)));
    if let Some(from) = from {
        out.push_str(&address_header("From", &[from]));
    }
    for (kind, name) in KINDS {
        let list = rows(kind);
        if !list.is_empty() {
            out.push_str(&address_header(name, &list));
        }
    }
    if message.recipients.is_empty() {
        // No recipient table: the names Outlook shows.
        for (shown, name) in [(id::DISPLAY_TO, "To"), (id::DISPLAY_CC, "Cc")] {
            let list: Vec<String> = p
                .string(shown, enc)
                .iter()
                .flat_map(|s| s.split(';'))
                .filter_map(|n| mailbox(Some(n.trim().to_string()), None))
                .collect();
            if !list.is_empty() {
                out.push_str(&address_header(name, &list));
            }
        }
    }
    if let Some(subject) = message.subject() {
        out.push_str(&format!("Subject: {}\r\n", unstructured(&subject)));
    }
    if let Some(date) =
        p.time(id::CLIENT_SUBMIT_TIME).or_else(|| p.time(id::MESSAGE_DELIVERY_TIME)).and_then(date)
    {
        out.push_str(&format!("Date: {date}\r\n"));
    }
    if let Some(mid) = p.string(id::INTERNET_MESSAGE_ID, enc) {
        let mid = clean(&mid);
        if mid.is_ascii() {
            out.push_str(&format!("Message-ID: {}\r\n", mid.trim()));
        }
    }
    out.into_bytes()
}

/// The headers of `transport` (each with its continuation lines, ending in CRLF) up to the
/// first blank line, less the structural ones and lines that are no header.
fn received_headers(transport: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut keep = false;
    for line in transport.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if out.is_empty() && !keep {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if keep {
                if let Some(last) = out.last_mut() {
                    last.push_str(line);
                    last.push_str("\r\n");
                }
            }
            continue;
        }
        let name = line
            .split_once(':')
            .map(|(n, _)| n)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
        keep = name.is_some_and(|n| !STRUCTURAL.contains(&n.to_ascii_lowercase().as_str()));
        if keep {
            out.push(format!("{line}\r\n"));
        }
    }
    out
}

/// `Name: a, b, c` folded one address a line.
fn address_header(name: &str, list: &[String]) -> String {
    format!("{name}: {}\r\n", list.join(",\r\n "))
}

/// A mailbox: `"Name" <address>`, `address`, or for a name with no address an empty group
/// `"Name":;`; `None` when there is neither.
fn mailbox(name: Option<String>, address: Option<String>) -> Option<String> {
    let name = name.map(|n| clean(&n).trim().to_string()).filter(|n| !n.is_empty());
    let address = address
        .map(|a| clean(&a).trim().to_string())
        .filter(|a| !a.is_empty() && a.is_ascii() && !a.contains(['<', '>', ',', ' ', '"', ';']));
    match (name, address) {
        (Some(n), Some(a)) => Some(format!("{} <{a}>", phrase(&n))),
        (None, Some(a)) => Some(a),
        (Some(n), None) => Some(format!("{}:;", phrase(&n))),
        (None, None) => None,
    }
}

/// A display name as a header phrase: a quoted string, or encoded words when not ASCII.
fn phrase(name: &str) -> String {
    if name.is_ascii() {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encoded_words(name)
    }
}

/// Unstructured header text (a subject): as it is when ASCII, else encoded words.
fn unstructured(text: &str) -> String {
    let text = clean(text);
    if text.is_ascii() {
        text
    } else {
        encoded_words(&text)
    }
}

/// `=?utf-8?B?...?=` words (RFC 2047) of at most 45 bytes of text each, one a line.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if i + c.len_utf8() - start > 45 {
            words.push(&text[start..end]);
            start = end;
        }
        end = i + c.len_utf8();
    }
    words.push(&text[start..end]);
    words
        .iter()
        .map(|w| format!("=?utf-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// `text` with control characters (line breaks among them) made spaces: a property value
/// never ends a header line.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A MAPI time (100-nanosecond intervals since 1601) as an RFC 5322 date in UTC; `None`
/// before 1970 or after 9999.
fn date(filetime: u64) -> Option<String> {
    let secs = (filetime / 10_000_000).checked_sub(EPOCH_1601)?;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    if year > 9999 {
        return None;
    }
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    Some(format!(
        "{}, {day} {} {year} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use mail_parser::MimeHeaders;

    use super::super::mapi::{kind, utf16, Props};
    use super::*;

    fn row(name: &str, address: &str, kind_: u32) -> Props<'static> {
        let mut r = Props::default();
        r.push(id::DISPLAY_NAME, kind::UNICODE, utf16(name));
        r.push(id::SMTP_ADDRESS, kind::UNICODE, utf16(address));
        r.push(id::RECIPIENT_TYPE, kind::LONG, Cow::Owned(kind_.to_le_bytes().to_vec()));
        r
    }

    fn parsed(bytes: &[u8]) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(bytes).expect("a message")
    }

    #[test]
    fn headers_built_from_properties() {
        let mut m = Message::default();
        m.props.push(id::SUBJECT, kind::UNICODE, utf16("Référé for Zoë\r\nBcc: x@y"));
        m.props.push(id::SENDER_NAME, kind::UNICODE, utf16("Officer \"Ed\" Brown"));
        m.props.push(id::SENDER_SMTP, kind::UNICODE, utf16("brown@police.example"));
        // 2014-02-26 07:50:04 UTC.
        m.props.push(
            id::CLIENT_SUBMIT_TIME,
            kind::TIME,
            Cow::Owned(130_378_746_040_000_000u64.to_le_bytes().to_vec()),
        );
        m.recipients.push(row("Jane Doe", "jane@example.org", 1));
        m.recipients.push(row("Ravi Patel", "ravi@example.org", 2));
        m.recipients.push(row("Zoë Martin", "zoe@example.org", 3));
        let mut exchange = row("Hong-Thai Nguyen", "", 1);
        exchange.push(id::EMAIL_ADDRESS, kind::UNICODE, utf16("/o=ExchangeLabs/cn=Recipients/cn=hong"));
        m.recipients.push(exchange);
        m.props.push(id::BODY, kind::UNICODE, utf16("Hello Jane"));
        let bytes = write(&m);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Date: Wed, 26 Feb 2014 07:50:04 +0000\r\n"), "{text}");
        assert!(!text.contains("\nBcc: x@y"), "{text}");
        let msg = parsed(&bytes);
        assert_eq!(msg.subject(), Some("Référé for Zoë  Bcc: x@y"));
        let from = msg.from().and_then(|f| f.first()).expect("from");
        assert_eq!(
            (from.name(), from.address()),
            (Some("Officer \"Ed\" Brown"), Some("brown@police.example"))
        );
        let addresses = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
            a.map(|a| a.iter().filter_map(|x| x.address().map(str::to_string)).collect()).unwrap_or_default()
        };
        assert_eq!(addresses(msg.to()), ["jane@example.org"]);
        assert_eq!(addresses(msg.cc()), ["ravi@example.org"]);
        assert_eq!(addresses(msg.bcc()), ["zoe@example.org"]);
        assert!(text.contains("\"Hong-Thai Nguyen\":;"), "{text}");
        assert_eq!(msg.body_text(0).as_deref(), Some("Hello Jane"));
    }

    #[test]
    fn transport_headers_kept_and_bcc_added() {
        let mut m = Message::default();
        let transport = "Received: from a\r\n\tby b\r\nFrom: Jane <jane@example.org>\r\nTo: ravi@example.org\r\nSubject: hi\r\nContent-Type: multipart/related;\r\n boundary=\"x\"\r\nMIME-Version: 1.0\r\n\r\n";
        m.props.push(id::TRANSPORT_MESSAGE_HEADERS, kind::STRING8, Cow::Owned(transport.as_bytes().to_vec()));
        m.recipients.push(row("Ravi", "ravi@example.org", 1));
        m.recipients.push(row("Secret", "secret@example.org", 3));
        m.props.push(id::HTML, kind::BINARY, Cow::Borrowed(b"<p>Hi <b>Ravi</b></p>"));
        m.props.push(id::BODY, kind::UNICODE, utf16("Hi Ravi"));
        let bytes = write(&m);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("Received: from a\r\n\tby b\r\nFrom: Jane"), "{text}");
        assert!(!text.contains("boundary=\"x\""), "{text}");
        assert_eq!(text.matches("MIME-Version").count(), 1, "{text}");
        let msg = parsed(&bytes);
        assert_eq!(msg.subject(), Some("hi"));
        let bcc = msg.bcc().and_then(|b| b.first()).and_then(|a| a.address());
        assert_eq!(bcc, Some("secret@example.org"));
        assert_eq!(msg.body_text(0).as_deref(), Some("Hi Ravi"));
        assert!(msg.body_html(0).is_some_and(|h| h.contains("<b>Ravi</b>")));
    }

    #[test]
    fn attachments_and_embedded_messages() {
        let mut inner = Message::default();
        inner.props.push(id::SUBJECT, kind::UNICODE, utf16("inner"));
        inner.props.push(id::BODY, kind::UNICODE, utf16("inner body about Zoë"));
        let mut file = Attachment::default();
        file.props.push(id::ATTACH_LONG_FILENAME, kind::UNICODE, utf16("エラー report.txt"));
        file.props.push(id::ATTACH_DATA, kind::BINARY, Cow::Borrowed(b"case notes for Jane Doe"));
        file.props.push(id::ATTACH_MIME_TAG, kind::UNICODE, utf16("text/plain"));
        inner.attachments.push(file.clone());
        let mut m = Message::default();
        m.props.push(id::BODY, kind::UNICODE, utf16("outer"));
        m.attachments.push(file);
        m.attachments.push(Attachment {
            embedded: Some(Embedded::Message(Box::new(inner))),
            title: Some("inner.msg".into()),
            ..Attachment::default()
        });
        let bytes = write(&m);
        let msg = parsed(&bytes);
        assert_eq!(msg.attachment_count(), 2);
        let a = msg.attachment(0).expect("file");
        assert_eq!(a.attachment_name(), Some("エラー report.txt"));
        assert_eq!(a.contents(), b"case notes for Jane Doe");
        let nested = msg.attachment(1).and_then(|a| a.message()).expect("embedded");
        assert_eq!(nested.subject(), Some("inner"));
        assert_eq!(nested.body_text(0).as_deref(), Some("inner body about Zoë"));
        assert_eq!(nested.attachment(0).map(|a| a.contents()), Some(&b"case notes for Jane Doe"[..]));
    }

    #[test]
    fn media_types_and_dates() {
        assert!(is_media_type("image/png"));
        assert!(!is_media_type("image/png\r\nBcc: x"));
        assert!(!is_media_type("multipart/mixed"));
        assert!(!is_media_type("png"));
        assert_eq!(date(116_444_736_000_000_000).as_deref(), Some("Thu, 1 Jan 1970 00:00:00 +0000"));
        assert_eq!(date(0), None);
        assert_eq!(date(u64::MAX), None);
        assert_eq!(encoded_words("é").as_str(), "=?utf-8?B?w6k=?=");
        assert_eq!(encoded_words(&"é".repeat(40)).matches("=?utf-8?B?").count(), 2);
    }
}
