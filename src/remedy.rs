//! Fixing recipient exposure: the message rewritten so that no outsider sees another
//! recipient, instead of only being blocked.
//!
//! [`bcc`] moves every external visible recipient to Bcc; [`split`] makes one message per
//! external visible recipient. Both rewrite only the header fields they change, on the raw
//! bytes: display names stay as written (RFC 2047 encoded words included), rewritten fields
//! are folded at 78 columns, and every other byte, the body included, is kept, so a DKIM
//! signer after maildlp signs what the recipients get. Nobody who received the original is
//! dropped. No I/O: bytes in, bytes out.
//!
//! An invitation's attendee list is not a header field but part of the calendar the message
//! carries, and every invitee's calendar program shows it: neither rewrite changes it, and
//! [`Fixed::attendees`] says how many outsiders it still shows.
//!
//! ```
//! use maildlp::remedy::{bcc, Audience};
//!
//! let message = b"From: officer@police.example\r\nTo: jane@example.org, ravi@example.net\r\n\
//!     Cc: desk@police.example\r\nSubject: Update\r\n\r\nAn update on your case.\r\n";
//! let internal = vec!["police.example".to_string()];
//! let fixed = bcc(message, &Audience { internal: &internal, protected: &|_| false });
//! let text = String::from_utf8(fixed.message).unwrap();
//! assert!(text.starts_with("From: officer@police.example\r\nTo: undisclosed-recipients:;\r\n\
//!     Cc: desk@police.example\r\nBcc: jane@example.org, ravi@example.net\r\n"));
//! assert!(text.ends_with("\r\n\r\nAn update on your case.\r\n"));
//! ```

use std::hash::{BuildHasher, Hasher};

use crate::address;
use crate::model::Field;

/// What the rewrite needs to know about addresses.
pub struct Audience<'a> {
    /// Internal domains (canonical); their subdomains are internal too.
    pub internal: &'a [String],
    /// Whether a canonical address is an own address of a protected record (removed from
    /// Reply-To and Mail-Followup-To).
    pub protected: &'a dyn Fn(&str) -> bool,
}

/// A rewritten message and what was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// The message bytes.
    pub message: Vec<u8>,
    /// Recipients moved (by `bcc`) to Bcc or Resent-Bcc, or left out of this copy (by
    /// `split`): the field they were in and their address.
    pub moved: Vec<(Field, String)>,
    /// Protected addresses removed from Reply-To or Mail-Followup-To.
    pub removed: Vec<(Field, String)>,
    /// The recipient this copy is for (`split` only).
    pub recipient: Option<String>,
    /// Why the message was left as it was, when it was.
    pub unchanged: Option<&'static str>,
    /// Distinct external addresses an invitation in the message shows to every invitee (its
    /// attendees and organiser, `METHOD:REQUEST` or `PUBLISH`): a rewrite of the header fields
    /// leaves them as they are, so a message with any still shows them.
    pub attendees: usize,
}

impl Fixed {
    fn unchanged(message: &[u8], why: &'static str) -> Fixed {
        Fixed {
            message: message.to_vec(),
            moved: Vec::new(),
            removed: Vec::new(),
            recipient: None,
            unchanged: Some(why),
            attendees: 0,
        }
    }

    /// Whether the message was rewritten.
    pub fn changed(&self) -> bool {
        self.unchanged.is_none()
    }
}

/// One header field as it stands in the raw message.
///
/// Values are read byte for byte, each byte one `char` (ISO 8859-1), and written back the same
/// way: a header in UTF-8, in a legacy charset or in no charset at all comes out with exactly
/// the bytes it had, and line lengths count bytes.
struct RawField<'m> {
    /// Byte range of the whole field, its line ends and continuation lines included.
    span: std::ops::Range<usize>,
    /// The name as written (`CC`, `Resent-To`).
    name: &'m str,
    /// The value, folding included, one char per byte.
    value: String,
}

/// Bytes as chars, one each.
fn bytes_to_chars(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

/// Chars made by [`bytes_to_chars`] (and ASCII text) back to their bytes.
fn chars_to_bytes(s: &str) -> Vec<u8> {
    s.chars().map(|c| c as u32 as u8).collect()
}

/// The header block of a message: its fields, where the block ends, and the line end it uses.
struct Header<'m> {
    fields: Vec<RawField<'m>>,
    eol: &'static str,
}

/// Most bytes of a header block the rewrite reads (beyond them it leaves the message alone).
const MAX_HEADER_BYTES: usize = 1 << 20;

fn header(message: &[u8]) -> Result<Header<'_>, &'static str> {
    let eol = match memchr::memchr(b'\n', message) {
        Some(p) if p > 0 && message[p - 1] == b'\r' => "\r\n",
        Some(_) => "\n",
        None => return Err("the message has no header block"),
    };
    let mut fields: Vec<RawField<'_>> = Vec::new();
    let mut pos = 0;
    while pos < message.len() {
        let end = memchr::memchr(b'\n', &message[pos..]).map_or(message.len(), |p| pos + p + 1);
        let line = &message[pos..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            if fields.iter().all(|f| f.name.is_empty()) {
                return Err("the message has no header block");
            }
            return Ok(Header { fields: finish(fields, message), eol });
        }
        if pos > MAX_HEADER_BYTES {
            return Err("the header block is larger than the rewrite reads (1 MiB)");
        }
        // A line that is no field (an mbox `From ` line, stray text, a continuation with
        // nothing before it) is kept as it is, untouched, like any field maildlp does not
        // rewrite.
        let name = memchr::memchr(b':', content)
            .and_then(|colon| std::str::from_utf8(&content[..colon]).ok())
            .map(str::trim)
            .filter(|n| !n.is_empty() && !n.contains(char::is_whitespace));
        match (matches!(content[0], b' ' | b'\t'), fields.last_mut()) {
            (true, Some(f)) => f.span.end = end,
            _ => fields.push(RawField { span: pos..end, name: name.unwrap_or(""), value: String::new() }),
        }
        pos = end;
    }
    // A message that is all header (no body) is still one.
    if fields.iter().all(|f| f.name.is_empty()) {
        return Err("the message has no header block");
    }
    Ok(Header { fields: finish(fields, message), eol })
}

fn finish<'m>(mut fields: Vec<RawField<'m>>, message: &'m [u8]) -> Vec<RawField<'m>> {
    for f in &mut fields {
        let raw = &message[f.span.clone()];
        let colon = memchr::memchr(b':', raw).map_or(raw.len(), |c| c + 1);
        f.value = bytes_to_chars(&raw[colon..]);
    }
    fields
}

fn field_of(name: &str) -> Option<Field> {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    Some(if is("to") {
        Field::To
    } else if is("cc") {
        Field::Cc
    } else if is("bcc") {
        Field::Bcc
    } else if is("resent-to") {
        Field::ResentTo
    } else if is("resent-cc") {
        Field::ResentCc
    } else if is("resent-bcc") {
        Field::ResentBcc
    } else if is("reply-to") {
        Field::ReplyTo
    } else if is("mail-followup-to") {
        Field::MailFollowupTo
    } else if is("message-id") {
        // Not an address field, but one `split` rewrites.
        Field::Envelope
    } else {
        return None;
    })
}

/// One entry of an address list: a mailbox as written, or a group with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Mailbox(String),
    Group { name: String, members: Vec<String> },
}

/// Splits an address-list value into entries at top-level commas, keeping each entry's text
/// as written (folding collapsed to one space). Quotes, comments, angle brackets and domain
/// literals are respected; `name: a, b;` is a group.
fn entries(value: &str) -> Vec<Entry> {
    let value = unfold(value);
    let mut out = Vec::new();
    let mut group: Option<(String, Vec<String>)> = None;
    let mut current = String::new();
    let (mut quoted, mut escaped, mut comment, mut angle, mut literal) = (false, false, 0usize, false, false);
    let flush = |current: &mut String, group: &mut Option<(String, Vec<String>)>, out: &mut Vec<Entry>| {
        let t = current.trim();
        if !t.is_empty() {
            match group {
                Some((_, members)) => members.push(t.to_string()),
                None => out.push(Entry::Mailbox(t.to_string())),
            }
        }
        current.clear();
    };
    for c in value.chars() {
        if escaped {
            escaped = false;
            current.push(c);
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle = true,
            '>' if !quoted && comment == 0 => angle = false,
            '[' if !quoted && comment == 0 => literal = true,
            ']' if !quoted && comment == 0 => literal = false,
            _ => {}
        }
        let top = !quoted && comment == 0 && !angle && !literal && !escaped;
        if top && c == ',' {
            flush(&mut current, &mut group, &mut out);
            continue;
        }
        if top && c == ':' && group.is_none() {
            group = Some((current.trim().to_string(), Vec::new()));
            current.clear();
            continue;
        }
        if top && c == ';' && group.is_some() {
            flush(&mut current, &mut group, &mut out);
            if let Some((name, members)) = group.take() {
                out.push(Entry::Group { name, members });
            }
            continue;
        }
        current.push(c);
    }
    flush(&mut current, &mut group, &mut out);
    if let Some((name, members)) = group.take() {
        out.push(Entry::Group { name, members });
    }
    out
}

/// Folded whitespace collapsed: a line end and the white space after it become one space.
fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' || c == '\n' {
            while chars.peek().is_some_and(|c| matches!(c, '\r' | '\n' | ' ' | '\t')) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// The canonical address of a mailbox as written (`"Doe, Jane" <Jane@X.org>` -> `jane@x.org`).
fn address_of(mailbox: &str) -> String {
    // The last angle-bracketed part outside quotes and comments is the address.
    let (mut quoted, mut comment, mut open) = (false, 0usize, None);
    let mut range = None;
    let mut prev = '\0';
    let mut bare = String::new();
    for (i, c) in mailbox.char_indices() {
        match c {
            '"' if comment == 0 && prev != '\\' => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => open = Some(i + 1),
            '>' if !quoted && comment == 0 => {
                if let Some(o) = open.take() {
                    range = Some(o..i);
                }
            }
            _ if !quoted && comment == 0 && c != ')' => bare.push(c),
            _ => {}
        }
        prev = c;
    }
    let text = match range {
        Some(r) => &mailbox[r],
        None => &bare,
    };
    address::canonical(&String::from_utf8_lossy(&chars_to_bytes(text)))
}

/// Whether an entry's address is internal. An entry that is no valid address is treated as
/// external (it is moved, never dropped).
fn is_internal(mailbox: &str, internal: &[String]) -> bool {
    let a = address_of(mailbox);
    address::is_valid(&a) && address::is_internal(&a, internal)
}

/// A field written out: `Name: a, b, c` folded before an entry that would pass 78 columns.
fn write_field(name: &str, items: &[String], eol: &str, out: &mut String) {
    out.push_str(name);
    out.push(':');
    let mut line = name.len() + 1;
    for (i, item) in items.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        // One column is kept for the comma that may follow the item.
        if i > 0 && line + sep.len() + 1 + item.len() + 1 > 78 {
            out.push_str(sep);
            out.push_str(eol);
            out.push(' ');
            line = 1;
        } else {
            out.push_str(sep);
            out.push(' ');
            line += sep.len() + 1;
        }
        out.push_str(item);
        line += item.len();
    }
    out.push_str(eol);
}

/// A group written back with the members it keeps, as list items (`Victims: a`, `b;`), so a
/// long group folds between members; `Victims:;` when none.
fn group_items(name: &str, members: &[String]) -> Vec<String> {
    match members {
        [] => vec![format!("{name}:;")],
        [only] => vec![format!("{name}: {only};")],
        [first, rest @ ..] => {
            let mut v = vec![format!("{name}: {first}")];
            v.extend(rest.iter().cloned());
            if let Some(last) = v.last_mut() {
                last.push(';');
            }
            v
        }
    }
}

/// The visible fields of one kind (To/Cc or Resent-To/Resent-Cc) and their hidden twin.
struct Family {
    to: Field,
    cc: Field,
    bcc: Field,
    bcc_name: &'static str,
}

const FAMILIES: [Family; 2] = [
    Family { to: Field::To, cc: Field::Cc, bcc: Field::Bcc, bcc_name: "Bcc" },
    Family { to: Field::ResentTo, cc: Field::ResentCc, bcc: Field::ResentBcc, bcc_name: "Resent-Bcc" },
];

/// Edits of the raw message: byte ranges and what replaces them (insertions are empty ranges).
struct Edits {
    edits: Vec<(std::ops::Range<usize>, String)>,
}

impl Edits {
    fn apply(mut self, message: &[u8]) -> Vec<u8> {
        self.edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = Vec::with_capacity(message.len() + 256);
        let mut pos = 0;
        for (r, text) in self.edits {
            out.extend_from_slice(&message[pos..r.start]);
            out.extend_from_slice(&chars_to_bytes(&text));
            pos = r.end;
        }
        out.extend_from_slice(&message[pos..]);
        out
    }
}

/// Which visible entries a rewrite keeps where they are.
enum Keep<'k> {
    /// Internal entries only (`bcc`).
    Internal,
    /// Internal entries and those of one address (`split`).
    InternalAnd(&'k str),
}

/// Rewrites the visible recipient fields of `h`: kept entries stay, the others are returned
/// (field and text) in order. Reply-To and Mail-Followup-To lose protected addresses.
fn rewrite(
    h: &Header<'_>,
    a: &Audience<'_>,
    keep: &Keep<'_>,
    edits: &mut Edits,
    fixed: &mut Fixed,
) -> Vec<(Field, String)> {
    let mut taken = Vec::new();
    let keeps = |mailbox: &str| match keep {
        Keep::Internal => is_internal(mailbox, a.internal),
        Keep::InternalAnd(r) => is_internal(mailbox, a.internal) || address_of(mailbox) == *r,
    };
    for fam in &FAMILIES {
        // Each visible field of this family: what it keeps, and whether it changed.
        let mut rewritten: Vec<(usize, Field, Vec<String>, bool)> = Vec::new();
        for (i, f) in h.fields.iter().enumerate() {
            let field = match field_of(f.name) {
                Some(x) if x == fam.to || x == fam.cc => x,
                _ => continue,
            };
            let mut items = Vec::new();
            let mut changed = false;
            for e in entries(&f.value) {
                match e {
                    Entry::Mailbox(m) if keeps(&m) => items.push(m),
                    Entry::Mailbox(m) => {
                        changed = true;
                        taken.push((field, m));
                    }
                    Entry::Group { name, members } => {
                        let (stay, go): (Vec<String>, Vec<String>) =
                            members.into_iter().partition(|m| keeps(m));
                        changed |= !go.is_empty();
                        taken.extend(go.into_iter().map(|m| (field, m)));
                        items.extend(group_items(&name, &stay));
                    }
                }
            }
            rewritten.push((i, field, items, changed));
        }
        // An emptied Cc goes. An emptied To goes too, unless no To keeps anything: then the
        // first emptied To says `undisclosed-recipients:;`.
        let to_left = rewritten.iter().any(|(_, f, items, _)| *f == fam.to && !items.is_empty());
        let mut undisclosed_written = false;
        for (i, field, items, changed) in rewritten {
            if !changed {
                continue;
            }
            let f = &h.fields[i];
            let mut text = String::new();
            if !items.is_empty() {
                write_field(f.name, &items, h.eol, &mut text);
            } else if field == fam.to && !to_left && !undisclosed_written {
                write_field(f.name, &["undisclosed-recipients:;".to_string()], h.eol, &mut text);
                undisclosed_written = true;
            }
            edits.edits.push((f.span.clone(), text));
        }
    }
    for f in &h.fields {
        let field = match field_of(f.name) {
            Some(x @ (Field::ReplyTo | Field::MailFollowupTo)) => x,
            _ => continue,
        };
        let mut items = Vec::new();
        let mut changed = false;
        for e in entries(&f.value) {
            match e {
                Entry::Mailbox(m) if (a.protected)(&address_of(&m)) => {
                    changed = true;
                    fixed.removed.push((field, address_of(&m)));
                }
                Entry::Mailbox(m) => items.push(m),
                Entry::Group { name, members } => {
                    let (go, stay): (Vec<String>, Vec<String>) =
                        members.into_iter().partition(|m| (a.protected)(&address_of(m)));
                    changed |= !go.is_empty();
                    fixed.removed.extend(go.iter().map(|m| (field, address_of(m))));
                    items.extend(group_items(&name, &stay));
                }
            }
        }
        if changed {
            let mut text = String::new();
            if !items.is_empty() {
                write_field(f.name, &items, h.eol, &mut text);
            }
            edits.edits.push((f.span.clone(), text));
        }
    }
    taken
}

/// How many distinct external addresses the invitations in `message` show to every invitee.
fn external_attendees(message: &[u8], internal: &[String]) -> usize {
    let mut seen = std::collections::HashSet::new();
    for a in crate::message::invitation_addresses(message) {
        if !address::is_internal(&a, internal) {
            seen.insert(a);
        }
    }
    seen.len()
}

/// Whether the message shows any recipient in To, Cc, Resent-To or Resent-Cc.
fn has_visible(h: &Header<'_>) -> bool {
    h.fields.iter().any(|f| {
        field_of(f.name).is_some_and(|x| x.is_visible())
            && entries(&f.value).iter().any(|e| match e {
                Entry::Mailbox(_) => true,
                Entry::Group { members, .. } => !members.is_empty(),
            })
    })
}

/// Moves every external visible recipient (To, Cc, Resent-To, Resent-Cc) to Bcc (or
/// Resent-Bcc); internal ones stay; a To left empty becomes `undisclosed-recipients:;`, a Cc
/// left empty goes; protected addresses leave Reply-To and Mail-Followup-To. A message that
/// needs none of this comes back unchanged, with the reason.
pub fn bcc(message: &[u8], audience: &Audience<'_>) -> Fixed {
    let attendees = external_attendees(message, audience.internal);
    let h = match header(message) {
        Ok(h) => h,
        Err(why) => return Fixed { attendees, ..Fixed::unchanged(message, why) },
    };
    let mut fixed = Fixed {
        message: Vec::new(),
        moved: Vec::new(),
        removed: Vec::new(),
        recipient: None,
        unchanged: None,
        attendees,
    };
    let mut edits = Edits { edits: Vec::new() };
    let taken = rewrite(&h, audience, &Keep::Internal, &mut edits, &mut fixed);
    for fam in &FAMILIES {
        let moved: Vec<String> =
            taken.iter().filter(|(f, _)| *f == fam.to || *f == fam.cc).map(|(_, m)| m.clone()).collect();
        if moved.is_empty() {
            continue;
        }
        fixed.moved.extend(
            taken.iter().filter(|(f, _)| *f == fam.to || *f == fam.cc).map(|(f, m)| (*f, address_of(m))),
        );
        // Onto the first existing Bcc, or a new one after the last visible field.
        match h.fields.iter().find(|f| field_of(f.name) == Some(fam.bcc)) {
            Some(b) => {
                let mut items: Vec<String> = entries(&b.value)
                    .into_iter()
                    .flat_map(|e| match e {
                        Entry::Mailbox(m) => vec![m],
                        Entry::Group { name, members } => group_items(&name, &members),
                    })
                    .collect();
                items.extend(moved);
                let mut text = String::new();
                write_field(b.name, &items, h.eol, &mut text);
                edits.edits.push((b.span.clone(), text));
            }
            None => {
                let after = h
                    .fields
                    .iter()
                    .filter(|f| field_of(f.name).is_some_and(|x| x == fam.to || x == fam.cc))
                    .map(|f| f.span.end)
                    .max()
                    .unwrap_or(0);
                let mut text = String::new();
                write_field(fam.bcc_name, &moved, h.eol, &mut text);
                edits.edits.push((after..after, text));
            }
        }
    }
    if edits.edits.is_empty() {
        let why = if attendees > 0 {
            "no external recipient is in To or Cc and no protected address is shown there; the invitation's attendees are not header fields and stay as they are"
        } else if has_visible(&h) {
            "no external recipient is visible and no protected address is shown"
        } else {
            "the message has no visible recipient"
        };
        return Fixed { attendees, ..Fixed::unchanged(message, why) };
    }
    fixed.message = edits.apply(message);
    fixed
}

/// One message per external visible recipient, showing only that recipient and the internal
/// ones, each with a new Message-ID; when the original has Bcc or Resent-Bcc recipients, one
/// more message for them, showing only the internal recipients. Protected addresses leave
/// Reply-To and Mail-Followup-To in every copy. A message with no external visible recipient
/// comes back alone and unchanged, with the reason.
pub fn split(message: &[u8], audience: &Audience<'_>) -> Vec<Fixed> {
    let attendees = external_attendees(message, audience.internal);
    let h = match header(message) {
        Ok(h) => h,
        Err(why) => return vec![Fixed { attendees, ..Fixed::unchanged(message, why) }],
    };
    // External visible recipients, distinct, in order.
    let mut recipients: Vec<String> = Vec::new();
    for f in &h.fields {
        if !field_of(f.name).is_some_and(|x| x.is_visible()) {
            continue;
        }
        for e in entries(&f.value) {
            let members = match e {
                Entry::Mailbox(m) => vec![m],
                Entry::Group { members, .. } => members,
            };
            for m in members {
                let a = address_of(&m);
                if !is_internal(&m, audience.internal) && !recipients.contains(&a) {
                    recipients.push(a);
                }
            }
        }
    }
    if recipients.is_empty() {
        let why = if has_visible(&h) {
            "no external recipient is visible"
        } else {
            "the message has no visible recipient"
        };
        return vec![Fixed { attendees, ..Fixed::unchanged(message, why) }];
    }
    let has_bcc = h.fields.iter().any(|f| {
        matches!(field_of(f.name), Some(Field::Bcc | Field::ResentBcc))
            && entries(&f.value).iter().any(|e| {
                matches!(e, Entry::Mailbox(_))
                    || matches!(e, Entry::Group { members, .. } if !members.is_empty())
            })
    });
    let mut copies: Vec<Option<&str>> = recipients.iter().map(|r| Some(r.as_str())).collect();
    if has_bcc {
        copies.push(None);
    }
    let ids = MessageIds::new(&h);
    copies
        .into_iter()
        .enumerate()
        .map(|(n, recipient)| {
            let mut fixed = Fixed {
                message: Vec::new(),
                moved: Vec::new(),
                removed: Vec::new(),
                recipient: recipient.map(str::to_string),
                unchanged: None,
                attendees,
            };
            let mut edits = Edits { edits: Vec::new() };
            let keep = match recipient {
                Some(r) => Keep::InternalAnd(r),
                None => Keep::Internal,
            };
            let taken = rewrite(&h, audience, &keep, &mut edits, &mut fixed);
            fixed.moved = taken.iter().map(|(f, m)| (*f, address_of(m))).collect();
            // Bcc recipients get their own copy; the others carry no Bcc.
            if recipient.is_some() {
                for f in h
                    .fields
                    .iter()
                    .filter(|f| matches!(field_of(f.name), Some(Field::Bcc | Field::ResentBcc)))
                {
                    edits.edits.push((f.span.clone(), String::new()));
                }
            }
            ids.edit(&h, n, &mut edits);
            fixed.message = edits.apply(message);
            fixed
        })
        .collect()
}

/// The message as it goes on the wire: its Bcc and Resent-Bcc fields removed, every other
/// byte kept. A mail client or submission agent does this after taking the envelope
/// recipients from them; a program handing a fixed message to SMTP itself must do it too, or
/// every recipient sees the Bcc list. A message whose header cannot be read comes back as it
/// was.
pub fn without_bcc(message: &[u8]) -> Vec<u8> {
    let Ok(h) = header(message) else {
        return message.to_vec();
    };
    let mut edits = Edits { edits: Vec::new() };
    for f in h.fields.iter().filter(|f| matches!(field_of(f.name), Some(Field::Bcc | Field::ResentBcc))) {
        edits.edits.push((f.span.clone(), String::new()));
    }
    edits.apply(message)
}

/// New Message-IDs for the copies of a split message: random, on the original's domain.
struct MessageIds {
    domain: String,
    seed: u64,
}

impl MessageIds {
    fn new(h: &Header<'_>) -> MessageIds {
        let original =
            h.fields.iter().find(|f| field_of(f.name) == Some(Field::Envelope)).map(|f| f.value.trim());
        let domain = original
            .and_then(|v| {
                v.trim_matches(['<', '>'])
                    .rsplit_once('@')
                    .map(|(_, d)| d.trim_matches(['<', '>', ' ']).to_string())
            })
            .filter(|d| {
                !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            })
            .unwrap_or_else(|| "maildlp.invalid".to_string());
        // A per-process random seed (the standard library's hash keys come from the OS).
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write(original.unwrap_or("").as_bytes());
        MessageIds { domain, seed: hasher.finish() }
    }

    fn edit(&self, h: &Header<'_>, n: usize, edits: &mut Edits) {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(self.seed);
        hasher.write_usize(n);
        let id = format!("<maildlp.{:016x}.{:016x}.{}@{}>", self.seed, hasher.finish(), n + 1, self.domain);
        let mut text = String::new();
        match h.fields.iter().find(|f| field_of(f.name) == Some(Field::Envelope)) {
            Some(f) => {
                write_field(f.name, &[id], h.eol, &mut text);
                edits.edits.push((f.span.clone(), text));
            }
            None => {
                write_field("Message-ID", &[id], h.eol, &mut text);
                let end = h.fields.last().map_or(0, |f| f.span.end);
                edits.edits.push((end..end, text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal() -> Vec<String> {
        vec!["police.example".to_string()]
    }

    fn fix(m: &str) -> String {
        let i = internal();
        let f = bcc(m.as_bytes(), &Audience { internal: &i, protected: &|a| a == "jane@x.example" });
        String::from_utf8(f.message).unwrap()
    }

    #[test]
    fn entries_respect_quotes_comments_groups() {
        let e = entries(" \"Doe, Jane\" <jane@x.example>, (a, comment) ravi@y.example,\r\n Victims: a@z.example, b@z.example;, undisclosed-recipients:;");
        assert_eq!(
            e,
            [
                Entry::Mailbox("\"Doe, Jane\" <jane@x.example>".into()),
                Entry::Mailbox("(a, comment) ravi@y.example".into()),
                Entry::Group {
                    name: "Victims".into(),
                    members: vec!["a@z.example".into(), "b@z.example".into()]
                },
                Entry::Group { name: "undisclosed-recipients".into(), members: vec![] },
            ]
        );
        assert_eq!(address_of("\"Doe, Jane\" <Jane@X.example>"), "jane@x.example");
        assert_eq!(address_of("(a, comment) ravi@y.example"), "ravi@y.example");
        assert_eq!(address_of("=?UTF-8?Q?Zo=C3=AB?= <zoe@z.example>"), "zoe@z.example");
    }

    #[test]
    fn bcc_moves_externals_and_keeps_the_rest() {
        let m = "From: a@police.example\nTo: jane@x.example, b@police.example\nCc: ravi@y.example\nReply-To: jane@x.example, desk@police.example\nSubject: s\n\nbody\n";
        assert_eq!(
            fix(m),
            "From: a@police.example\nTo: b@police.example\nBcc: jane@x.example, ravi@y.example\nReply-To: desk@police.example\nSubject: s\n\nbody\n"
        );
    }

    #[test]
    fn bcc_joins_an_existing_bcc_and_folds() {
        let many: Vec<String> = (0..8).map(|i| format!("victim{i}@example.net")).collect();
        let m = format!("To: {}\r\nBcc: z@police.example\r\n\r\nbody", many.join(", "));
        let out = fix(&m);
        assert!(
            out.starts_with("To: undisclosed-recipients:;\r\nBcc: z@police.example, victim0@example.net,"),
            "{out}"
        );
        assert!(out.lines().all(|l| l.len() <= 78), "{out}");
        assert!(out.ends_with("\r\n\r\nbody"));
    }

    #[test]
    fn bcc_leaves_on_the_wire() {
        let m = b"To: a@x.example\r\nBcc: b@y.example,\r\n c@z.example\r\nResent-Bcc: d@w.example\r\nSubject: s\r\n\r\nBcc: in the body\r\n";
        assert_eq!(without_bcc(m), b"To: a@x.example\r\nSubject: s\r\n\r\nBcc: in the body\r\n");
        assert_eq!(without_bcc(b"no header"), b"no header");
    }

    #[test]
    fn several_to_fields() {
        let m = "To: jane@x.example\nTo: ravi@y.example\nCc: c@z.example\n\nb";
        assert_eq!(
            fix(m),
            "To: undisclosed-recipients:;\nBcc: jane@x.example, ravi@y.example, c@z.example\n\nb"
        );
        let m = "To: jane@x.example\nTo: b@police.example, ravi@y.example\n\nb";
        assert_eq!(fix(m), "To: b@police.example\nBcc: jane@x.example, ravi@y.example\n\nb");
    }

    #[test]
    fn groups_keep_their_name() {
        let m = "To: Victims: jane@x.example, ravi@y.example;\nSubject: s\n\nb";
        assert_eq!(fix(m), "To: Victims:;\nBcc: jane@x.example, ravi@y.example\nSubject: s\n\nb");
    }

    #[test]
    fn nothing_to_fix_or_nothing_to_read() {
        let i = internal();
        let a = Audience { internal: &i, protected: &|_| false };
        let f = bcc(b"To: b@police.example\n\nbody", &a);
        assert!(!f.changed());
        assert_eq!(f.message, b"To: b@police.example\n\nbody");
        assert_eq!(bcc(b"no header at all", &a).unchanged, Some("the message has no header block"));
        assert_eq!(bcc(b"\r\nbody", &a).unchanged, Some("the message has no header block"));
        assert_eq!(bcc(b"Subject: s\n\nbody", &a).unchanged, Some("the message has no visible recipient"));
    }

    #[test]
    fn split_makes_a_copy_per_outsider_and_one_for_bcc() {
        let i = internal();
        let a = Audience { internal: &i, protected: &|_| false };
        let m = b"Message-ID: <1@police.example>\nTo: jane@x.example, desk@police.example\nCc: ravi@y.example\nBcc: boss@z.example\n\nbody";
        let copies = split(m, &a);
        assert_eq!(copies.len(), 3);
        let texts: Vec<String> =
            copies.iter().map(|c| String::from_utf8(c.message.clone()).unwrap()).collect();
        assert!(
            texts[0].contains("To: jane@x.example, desk@police.example\n")
                && !texts[0].contains("ravi")
                && !texts[0].contains("Bcc")
        );
        assert!(
            texts[1].contains("To: desk@police.example\nCc: ravi@y.example\n") && !texts[1].contains("jane")
        );
        assert!(texts[2].contains("To: desk@police.example\n") && texts[2].contains("Bcc: boss@z.example"));
        let ids: std::collections::HashSet<&str> = texts.iter().map(|t| t.lines().next().unwrap()).collect();
        assert_eq!(ids.len(), 3);
        assert!(texts.iter().all(|t| t.starts_with("Message-ID: <maildlp.") && t.ends_with("\n\nbody")));
    }
}
