//! Whether bytes are an RFC 5322 message, told by their content: an `.eml` file inside an
//! archive, or a message attached as `application/octet-stream`, is read as a message only
//! when its first lines are a message's header block.
//!
//! The test is strict on purpose: a text file that merely starts with `Subject:` stays text.
//! A header block is a run of `Name: value` lines (folded lines allowed), and it must hold at
//! least two of the fields that messages carry and that text files do not start with together
//! (`From`, `To`, `Date`, `Subject`, `Message-ID`, `Received`, ...), one of them an origin
//! field (`From`, `Received`, `Return-Path`, `Message-ID` or `Date`). The block ends at a blank
//! line, or at the end of `head` when the block is longer than `head`.

/// Fields a message header block carries.
const MESSAGE_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "sender",
    "reply-to",
    "delivered-to",
    "in-reply-to",
    "references",
    "content-type",
];

/// Fields only a message starts with: where it came from and when.
const ORIGIN_FIELDS: &[&str] = &["from", "received", "return-path", "message-id", "date"];

/// Whether `head` (the first bytes of a file) is the start of an RFC 5322 message.
pub(crate) fn is_message(head: &[u8]) -> bool {
    let mut rest = skip_leading(head);
    // An mbox separator (`From sender date`) may stand before the header block.
    if rest.starts_with(b"From ") {
        rest = match memchr::memchr(b'\n', rest) {
            Some(p) => &rest[p + 1..],
            None => return false,
        };
    }
    let (mut known, mut origin, mut lines) = (0usize, false, 0usize);
    let mut seen: [bool; MESSAGE_FIELDS.len()] = [false; MESSAGE_FIELDS.len()];
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest);
        let line = &rest[..end.unwrap_or(rest.len())];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let complete = end.is_some();
        rest = end.map_or(&[][..], |p| &rest[p + 1..]);
        if line[0] == b' ' || line[0] == b'\t' {
            // A folded continuation of the previous field.
            if lines == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            // The last line of `head` may be cut before its colon.
            return !complete && enough(known, origin);
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic() && b != b':') {
            return false;
        }
        lines += 1;
        if let Some(i) = MESSAGE_FIELDS.iter().position(|f| name.eq_ignore_ascii_case(f.as_bytes())) {
            if !seen[i] {
                seen[i] = true;
                known += 1;
            }
            origin |= ORIGIN_FIELDS.iter().any(|f| name.eq_ignore_ascii_case(f.as_bytes()));
        }
    }
    enough(known, origin)
}

/// Whether the fields seen make a message's header block.
fn enough(known: usize, origin: bool) -> bool {
    known >= 2 && origin
}

/// `bytes` after a UTF-8 byte order mark and blank lines.
fn skip_leading(bytes: &[u8]) -> &[u8] {
    let mut b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    while let Some(rest) = b.strip_prefix(b"\r\n").or_else(|| b.strip_prefix(b"\n")) {
        b = rest;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::is_message;

    #[test]
    fn messages_are_known_by_their_header_block() {
        assert!(is_message(b"From: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\n\r\nbody"));
        assert!(is_message(
            b"Received: from x\r\n\tby y; Mon, 1 Jan 2024\r\nDate: Mon, 1 Jan 2024\r\nSubject: s\r\n\r\n"
        ));
        assert!(is_message(b"\xef\xbb\xbf\nFrom: a@b.example\nMessage-ID: <1@b>\n\nbody"));
        assert!(is_message(b"From sender@b.example Mon Jan  1 00:00:00 2024\nFrom: a@b\nDate: x\n\n"));
        assert!(is_message(b"X-Mailer: Outlook\r\nFrom: a@b.example\r\nTo: c@d.example\r\n\r\n"));
    }

    #[test]
    fn text_is_not_a_message() {
        // One field only, or no field that says where a message came from.
        assert!(!is_message(b"Subject: minutes\r\n\r\nJane Doe attended."));
        assert!(!is_message(b"To: the board\nSubject: notes\n\nJane Doe attended."));
        // A line that is no header field.
        assert!(!is_message(b"From: a@b.example\nhello there\nTo: c@d.example\n\n"));
        assert!(!is_message(b"Jane,Doe,07700 900123\n"));
        assert!(!is_message(b" folded: first\nFrom: a\nTo: b\n\n"));
        assert!(!is_message(b""));
        assert!(!is_message(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn a_header_block_longer_than_the_head_is_a_message() {
        let mut head = b"From: a@b.example\r\nTo: c@d.example\r\n".to_vec();
        for i in 0..200 {
            head.extend_from_slice(format!("Received: from relay{i}.example\r\n").as_bytes());
        }
        head.extend_from_slice(b"X-Cut-Here-With");
        assert!(is_message(&head));
    }
}
