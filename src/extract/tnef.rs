//! TNEF (Transport Neutral Encapsulation Format, `winmail.dat`, `application/ms-tnef`), as
//! Exchange and Outlook send a message's rich content: read into the MAPI model of `mapi.rs`
//! ([MS-OXTNEF]).
//!
//! A TNEF stream is a signature (`0x223E9F78`), a key, and attributes: a level (message or
//! attachment), an identifier, a length, the data and a checksum. What is read: `attSubject`,
//! `attBody`, `attOemCodepage`, the message's MAPI properties (`attMAPIProps`), the recipient
//! table (`attRecipTable`), and for each attachment (each starts with `attAttachRendData`) its
//! title (`attAttachTitle`), data (`attAttachData`) and MAPI properties (`attAttachment`: long
//! file name, `PR_ATTACH_DATA_OBJ` holding an embedded message, itself a TNEF stream).
//!
//! Nothing is trusted: a bad checksum is ignored, a length past the end is cut to what is
//! there, and counts of properties or values are never used to reserve memory: each value
//! read takes bytes of the input, so a lying count ends the list where the input ends. Values
//! are borrowed from the input, never copied.
//!
//! [MS-OXTNEF]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxtnef/

use std::borrow::Cow;

use super::mapi::{kind, Attachment, Embedded, Message, Props};

/// The signature a TNEF stream starts with (little-endian `0x223E9F78`).
pub(super) const SIGNATURE: [u8; 4] = [0x78, 0x9f, 0x3e, 0x22];

/// Level of an attribute of an attachment (the message's are level 1).
const LEVEL_ATTACHMENT: u8 = 2;

/// Attribute identifiers (the low half of the attribute tag; the high half is its type).
mod att {
    pub(super) const SUBJECT: u16 = 0x8004;
    pub(super) const BODY: u16 = 0x800c;
    pub(super) const ATTACH_DATA: u16 = 0x800f;
    pub(super) const ATTACH_TITLE: u16 = 0x8010;
    pub(super) const ATTACH_REND_DATA: u16 = 0x9002;
    pub(super) const MAPI_PROPS: u16 = 0x9003;
    pub(super) const RECIP_TABLE: u16 = 0x9004;
    pub(super) const ATTACHMENT: u16 = 0x9005;
    pub(super) const OEM_CODEPAGE: u16 = 0x9007;
}

/// A reader of little-endian values over borrowed bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The message in the TNEF stream `bytes` with at most `max_rows` attachments and as many
/// recipients (the second value says whether it had more), or `None` when it does not start with the TNEF
/// signature. A stream damaged further on gives what came before the damage.
pub(super) fn read(bytes: &[u8], max_rows: usize) -> Option<(Message<'_>, bool)> {
    let mut c = Cursor { bytes: bytes.strip_prefix(&SIGNATURE)? };
    c.u16()?; // the legacy key
    let mut message = Message::default();
    let mut cut = false;
    while let Some(level) = c.u8() {
        let (Some(tag), Some(len)) = (c.u32(), c.u32()) else { break };
        // A length past the end is cut to what is there.
        let data = c.take(len as usize).unwrap_or_else(|| c.take(c.bytes.len()).unwrap_or_default());
        c.u16(); // the checksum, not checked
        let id = (tag & 0xffff) as u16;
        if level == LEVEL_ATTACHMENT {
            if cut {
                continue;
            }
            if id == att::ATTACH_REND_DATA || message.attachments.is_empty() {
                if message.attachments.len() >= max_rows {
                    cut = true;
                    continue;
                }
                message.attachments.push(Attachment::default());
            }
            let Some(a) = message.attachments.last_mut() else { continue };
            match id {
                att::ATTACH_TITLE => {
                    let title = String::from_utf8_lossy(data);
                    a.title = Some(title.trim_end_matches('\0').to_string());
                }
                att::ATTACH_DATA => a.data = Some(Cow::Borrowed(data)),
                att::ATTACHMENT => {
                    props(&mut Cursor { bytes: data }, u32::MAX, &mut a.props);
                    a.embedded = embedded(&a.props);
                }
                _ => {}
            }
            continue;
        }
        match id {
            att::SUBJECT => message.subject = Some(Cow::Borrowed(data)),
            att::BODY => message.body = Some(Cow::Borrowed(data)),
            att::OEM_CODEPAGE => message.codepage = Cursor { bytes: data }.u32(),
            att::MAPI_PROPS => props(&mut Cursor { bytes: data }, u32::MAX, &mut message.props),
            att::RECIP_TABLE => {
                let mut t = Cursor { bytes: data };
                let rows = t.u32().unwrap_or(0);
                for _ in 0..rows {
                    if message.recipients.len() >= max_rows {
                        cut = true;
                        break;
                    }
                    let Some(count) = t.u32() else { break };
                    let mut row = Props::default();
                    props(&mut t, count, &mut row);
                    if row.is_empty() {
                        break;
                    }
                    message.recipients.push(row);
                }
            }
            _ => {}
        }
    }
    Some((message, cut))
}

/// The message an attachment's `PR_ATTACH_DATA_OBJ` holds: a TNEF stream after the 16-byte
/// interface identifier.
fn embedded<'a>(props: &Props<'a>) -> Option<Embedded<'a>> {
    let value = props.borrowed_object(super::mapi::id::ATTACH_DATA)?;
    let stream = value.get(16..)?;
    stream.starts_with(&SIGNATURE).then_some(Embedded::Tnef(stream))
}

/// Reads a list of MAPI properties (`attMAPIProps` encoding, [MS-OXTNEF] 2.1.3.4) into `into`:
/// `count` of them, or as many as the input holds when the list says its own count first
/// (`count` is `u32::MAX`). Named properties are read past (their names are not needed).
/// Stops at the first property it cannot read.
fn props<'a>(c: &mut Cursor<'a>, count: u32, into: &mut Props<'a>) {
    let count = if count == u32::MAX { c.u32().unwrap_or(0) } else { count };
    for _ in 0..count {
        match prop(c) {
            Some(Some((id, kind, value))) => into.push(id, kind, Cow::Borrowed(value)),
            Some(None) => {}
            None => return,
        }
    }
}

/// One property: `Some(Some((id, type, first value)))`, `Some(None)` for a property with no
/// value kept (fixed-size values other than integers, empty lists), `None` when it cannot be
/// read.
#[allow(clippy::type_complexity)]
fn prop<'a>(c: &mut Cursor<'a>) -> Option<Option<(u16, u16, &'a [u8])>> {
    let ty = c.u16()?;
    let id = c.u16()?;
    if id >= 0x8000 {
        // A named property: its GUID, then a number or a name.
        c.take(16)?;
        if c.u32()? == 0 {
            c.u32()?;
        } else {
            let n = c.u32()? as usize;
            c.take(padded(n)?)?;
        }
    }
    let multiple = ty & kind::MULTIPLE != 0;
    let base = ty & !kind::MULTIPLE;
    match base {
        kind::STRING8 | kind::UNICODE | kind::BINARY | kind::OBJECT => {
            // Variable-size values always come with a count.
            let values = c.u32()?;
            let mut first = None;
            for _ in 0..values {
                let n = c.u32()? as usize;
                // The padding after the last value may be missing.
                let v = c.take(padded(n)?).or_else(|| c.take(n))?;
                if first.is_none() {
                    first = v.get(..n);
                }
            }
            Some(first.filter(|_| !multiple).map(|v| (id, base, v)))
        }
        _ => {
            let size = fixed_size(base)?;
            if multiple {
                let values = c.u32()?;
                for _ in 0..values {
                    c.take(size)?;
                }
                Some(None)
            } else {
                let v = c.take(size)?;
                Some(Some((id, base, v)))
            }
        }
    }
}

/// `n` rounded up to a multiple of 4 (values are padded so).
fn padded(n: usize) -> Option<usize> {
    n.checked_add(3).map(|m| m & !3)
}

/// The size a fixed-size value of type `ty` takes in TNEF (16-bit ones padded to 4).
fn fixed_size(ty: u16) -> Option<usize> {
    Some(match ty {
        0x0001 | 0x0002 | 0x0003 | 0x0004 | 0x000a | 0x000b => 4,
        0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => 8,
        0x0048 => 16,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::mapi::id;
    use super::*;

    /// Builds TNEF streams for tests.
    #[derive(Default)]
    struct Writer {
        out: Vec<u8>,
    }

    impl Writer {
        fn new() -> Writer {
            let mut out = SIGNATURE.to_vec();
            out.extend(0x1234u16.to_le_bytes());
            Writer { out }
        }

        fn attribute(&mut self, level: u8, id: u16, ty: u16, data: &[u8]) -> &mut Self {
            self.out.push(level);
            self.out.extend((u32::from(ty) << 16 | u32::from(id)).to_le_bytes());
            self.out.extend((data.len() as u32).to_le_bytes());
            self.out.extend(data);
            let sum = data.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
            self.out.extend(sum.to_le_bytes());
            self
        }
    }

    /// A MAPI property list: (type, id, value) each, variable-size values with a count of 1.
    fn prop_list(list: &[(u16, u16, &[u8])]) -> Vec<u8> {
        let mut out = (list.len() as u32).to_le_bytes().to_vec();
        for (ty, id, value) in list {
            out.extend(ty.to_le_bytes());
            out.extend(id.to_le_bytes());
            if matches!(*ty, kind::STRING8 | kind::UNICODE | kind::BINARY | kind::OBJECT) {
                out.extend(1u32.to_le_bytes());
                out.extend((value.len() as u32).to_le_bytes());
                out.extend(*value);
                out.resize(out.len().next_multiple_of(4), 0);
            } else {
                out.extend(*value);
                out.resize(out.len().next_multiple_of(4), 0);
            }
        }
        out
    }

    #[test]
    fn message_recipients_and_attachments() {
        let mut w = Writer::new();
        w.attribute(1, att::OEM_CODEPAGE, 6, &[0xe2, 0x04, 0, 0, 0, 0, 0, 0]);
        w.attribute(1, att::SUBJECT, 1, b"Fw: \xa3 list\0");
        w.attribute(1, att::BODY, 2, b"Call Jane Doe");
        let named = {
            let mut v = prop_list(&[(kind::STRING8, id::SUBJECT, b"subject\0")]);
            // A named property before it, by number.
            let mut named = vec![0u8; 0];
            named.extend(kind::LONG.to_le_bytes());
            named.extend(0x8001u16.to_le_bytes());
            named.extend([0u8; 16]);
            named.extend(0u32.to_le_bytes());
            named.extend(7u32.to_le_bytes());
            named.extend(1u32.to_le_bytes());
            v.splice(4..4, named);
            v[..4].copy_from_slice(&2u32.to_le_bytes());
            v
        };
        w.attribute(1, att::MAPI_PROPS, 6, &named);
        let row = prop_list(&[
            (kind::STRING8, id::DISPLAY_NAME, b"Ravi Patel\0"),
            (kind::STRING8, id::SMTP_ADDRESS, b"ravi@example.net\0"),
        ]);
        let mut table = 1u32.to_le_bytes().to_vec();
        table.extend(&row);
        w.attribute(1, att::RECIP_TABLE, 6, &table);
        w.attribute(2, att::ATTACH_REND_DATA, 6, &[0; 14]);
        w.attribute(2, att::ATTACH_TITLE, 1, b"VICTIM~1.CSV\0");
        w.attribute(2, att::ATTACH_DATA, 6, b"name\nJane Doe\n");
        let mut inner = Writer::new();
        inner.attribute(1, att::BODY, 2, b"inner");
        let mut obj = vec![0u8; 16];
        obj.extend(&inner.out);
        w.attribute(2, att::ATTACH_REND_DATA, 6, &[0; 14]);
        w.attribute(
            2,
            att::ATTACHMENT,
            6,
            &prop_list(&[
                (
                    kind::UNICODE,
                    id::DISPLAY_NAME,
                    &"inner".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<_>>(),
                ),
                (kind::LONG, id::ATTACH_METHOD, &5u32.to_le_bytes()),
                (kind::OBJECT, id::ATTACH_DATA, &obj),
            ]),
        );
        let (one, cut) = read(&w.out, 1).unwrap();
        assert!(cut && one.attachments.len() == 1 && one.recipients.len() == 1);
        let (none, cut) = read(&w.out, 0).unwrap();
        assert!(cut && none.attachments.is_empty() && none.recipients.is_empty());
        let m = read(&w.out, 10).unwrap().0;
        assert_eq!(m.encoding(), encoding_rs::WINDOWS_1250);
        assert_eq!(m.subject().as_deref(), Some("subject"));
        assert_eq!(m.body().as_deref(), Some("Call Jane Doe"));
        assert_eq!(m.people(), "Ravi Patel <ravi@example.net>\n");
        assert_eq!(m.attachments.len(), 2);
        let a = &m.attachments[0];
        assert_eq!(a.name(m.encoding()).as_deref(), Some("VICTIM~1.CSV"));
        assert_eq!(a.bytes(), Some(&b"name\nJane Doe\n"[..]));
        let b = &m.attachments[1];
        assert_eq!(b.name(m.encoding()).as_deref(), Some("inner"));
        let Some(Embedded::Tnef(stream)) = b.embedded else { panic!("no embedded message") };
        assert_eq!(read(stream, 10).unwrap().0.body().as_deref(), Some("inner"));
        // The subject outside the properties when they have none.
        let mut w = Writer::new();
        w.attribute(1, att::SUBJECT, 1, b"Fw: \xa3 list\0");
        assert_eq!(read(&w.out, 10).unwrap().0.subject().as_deref(), Some("Fw: £ list"));
    }

    #[test]
    fn lying_lengths_and_counts() {
        assert!(read(b"not tnef", 10).is_none());
        // A length past the end: cut to what is there.
        let mut w = Writer::new();
        w.attribute(1, att::BODY, 2, b"Jane Doe");
        let at = w.out.len() - 2 - 8 - 4;
        w.out[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        w.out.truncate(w.out.len() - 2);
        assert_eq!(read(&w.out, 10).unwrap().0.body().as_deref(), Some("Jane Doe"));
        // Counts of billions over a few bytes end where the bytes do.
        let mut w = Writer::new();
        let mut list = u32::MAX.to_le_bytes().to_vec();
        list.extend(kind::BINARY.to_le_bytes());
        list.extend(id::BODY.to_le_bytes());
        list.extend(u32::MAX.to_le_bytes());
        list.extend(u32::MAX.to_le_bytes());
        w.attribute(1, att::MAPI_PROPS, 6, &list);
        let mut table = u32::MAX.to_le_bytes().to_vec();
        table.extend(u32::MAX.to_le_bytes());
        w.attribute(1, att::RECIP_TABLE, 6, &table);
        let m = read(&w.out, 10).unwrap().0;
        assert!(m.props.is_empty() && m.recipients.is_empty());
    }
}
