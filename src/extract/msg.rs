//! Outlook `.msg` files ([MS-OXMSG]): a compound file whose storages hold a message's MAPI
//! properties, read into the model of `mapi.rs`.
//!
//! In a storage (the root for the message, `__recip_version1.0_#XXXXXXXX` for each recipient,
//! `__attach_version1.0_#XXXXXXXX` for each attachment, `__substg1.0_3701000D` under an
//! attachment for an embedded message), each string or binary property is a stream
//! `__substg1.0_IIIITTTT` (identifier and type in hex), and the fixed-size ones are 16-byte
//! entries of `__properties_version1.0` after its header (32 bytes for the message, 24 for an
//! embedded one, 8 for a recipient or an attachment). Named properties are not needed.
//!
//! Streams are read through the `cfb` crate's directory, so what is read is bounded by the
//! sector chains, never by the sizes the directory or the property entries claim; only the
//! properties a reader needs are read (an attachment's rendering picture is not).
//!
//! [MS-OXMSG]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxmsg/

use std::borrow::Cow;

use super::cfb::Compound;
use super::mapi::{id, kind, Attachment, Embedded, Message, Props};

/// `PR_ATTACH_METHOD` of an OLE object (its storage is not a message).
pub(super) const ATTACH_OLE: u32 = 6;

/// The stream of fixed-size properties.
const PROPERTIES: &str = "__properties_version1.0";

/// What a storage is: the size of its `__properties_version1.0` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Storage {
    /// The message at the root of the file.
    Root,
    /// A message embedded in an attachment.
    Embedded,
    /// A recipient or an attachment.
    Row,
}

impl Storage {
    fn header(self) -> usize {
        match self {
            Storage::Root => 32,
            Storage::Embedded => 24,
            Storage::Row => 8,
        }
    }
}

/// The properties read from a `.msg`: what a reader of the message shows, and the codes pages.
const WANTED: &[u16] = &[
    id::SUBJECT,
    id::SENT_REPRESENTING_NAME,
    id::SENT_REPRESENTING_EMAIL,
    id::SENDER_NAME,
    id::SENDER_EMAIL,
    id::DISPLAY_CC,
    id::DISPLAY_TO,
    id::BODY,
    id::RTF_COMPRESSED,
    id::HTML,
    id::DISPLAY_NAME,
    id::EMAIL_ADDRESS,
    id::ATTACH_DATA,
    id::ATTACH_FILENAME,
    id::ATTACH_METHOD,
    id::ATTACH_LONG_FILENAME,
    id::SMTP_ADDRESS,
    id::INTERNET_CPID,
    id::MESSAGE_CODEPAGE,
    id::SENDER_SMTP,
    id::SENT_REPRESENTING_SMTP,
];

/// The message in storage `path` of `file` (`""` for the root message): its properties, and
/// at most `max_rows` recipients and as many attachments (the second value says whether there
/// were more). An embedded message is not read here: its attachment says where it is.
pub(super) fn read(
    file: &mut Compound<'_>,
    path: &str,
    storage: Storage,
    max_rows: usize,
) -> (Message<'static>, bool) {
    let mut message = Message { props: props(file, path, storage), ..Message::default() };
    let mut rows: Vec<(String, bool)> = file.entries(if path.is_empty() { "/" } else { path });
    rows.retain(|(_, is_storage)| *is_storage);
    rows.sort();
    let mut cut = false;
    for (name, _) in rows {
        let at = format!("{path}/{name}");
        if name.starts_with("__recip_version1.0_") {
            if message.recipients.len() >= max_rows {
                cut = true;
                continue;
            }
            message.recipients.push(props(file, &at, Storage::Row));
        } else if name.starts_with("__attach_version1.0_") {
            if message.attachments.len() >= max_rows {
                cut = true;
                continue;
            }
            let mut a = Attachment { props: props(file, &at, Storage::Row), ..Attachment::default() };
            let object = format!("{at}/__substg1.0_3701000D");
            // The storage holds a message, or an OLE object's own storage (`ATTACH_OLE`).
            let ole = a.props.long(id::ATTACH_METHOD) == Some(ATTACH_OLE);
            if file.entries(&at).iter().any(|(n, s)| *s && n.eq_ignore_ascii_case("__substg1.0_3701000D")) {
                a.embedded = Some(if ole { Embedded::Object(object) } else { Embedded::Storage(object) });
            }
            message.attachments.push(a);
        }
    }
    (message, cut)
}

/// The properties of the storage at `path`: the wanted string and binary streams, and the
/// integers of `__properties_version1.0`.
fn props(file: &mut Compound<'_>, path: &str, storage: Storage) -> Props<'static> {
    let mut props = Props::default();
    for (name, is_storage) in file.entries(if path.is_empty() { "/" } else { path }) {
        if is_storage {
            continue;
        }
        if name == PROPERTIES {
            if let Some(data) = file.stream_at(&format!("{path}/{name}")) {
                fixed(&data, storage, &mut props);
            }
            continue;
        }
        let Some((pid, ty)) = substg(&name) else { continue };
        if !WANTED.contains(&pid) || !matches!(ty, kind::STRING8 | kind::UNICODE | kind::BINARY) {
            continue;
        }
        if let Some(data) = file.stream_at(&format!("{path}/{name}")) {
            props.push(pid, ty, Cow::Owned(data));
        }
    }
    props
}

/// The identifier and type of a property stream named `__substg1.0_IIIITTTT`.
fn substg(name: &str) -> Option<(u16, u16)> {
    let hex = name.strip_prefix("__substg1.0_")?;
    if hex.len() != 8 || !hex.is_ascii() {
        return None;
    }
    let pid = u16::from_str_radix(&hex[..4], 16).ok()?;
    let ty = u16::from_str_radix(&hex[4..], 16).ok()?;
    Some((pid, ty))
}

/// The wanted integer properties among the 16-byte entries of a `__properties_version1.0`
/// stream (type, identifier, flags, 8 bytes of value).
fn fixed(data: &[u8], storage: Storage, into: &mut Props<'static>) {
    let Some(entries) = data.get(storage.header()..) else { return };
    for e in entries.chunks_exact(16) {
        let ty = u16::from_le_bytes([e[0], e[1]]);
        let pid = u16::from_le_bytes([e[2], e[3]]);
        if WANTED.contains(&pid) && matches!(ty, kind::LONG | kind::SHORT | kind::BOOLEAN) {
            into.push(pid, ty, Cow::Owned(e[8..12].to_vec()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_stream_names() {
        assert_eq!(substg("__substg1.0_0037001F"), Some((0x0037, 0x001f)));
        assert_eq!(substg("__substg1.0_3701000D"), Some((0x3701, 0x000d)));
        assert_eq!(substg("__substg1.0_0037"), None);
        assert_eq!(substg("__properties_version1.0"), None);
        assert_eq!(substg("__substg1.0_é37001F"), None);
    }

    #[test]
    fn fixed_size_entries_after_the_header() {
        let mut data = vec![0u8; 32];
        for (ty, pid, v) in
            [(kind::LONG, id::INTERNET_CPID, 1251u32), (kind::LONG, 0x0e07, 1), (0x0040, id::SUBJECT, 9)]
        {
            data.extend(ty.to_le_bytes());
            data.extend(pid.to_le_bytes());
            data.extend(6u32.to_le_bytes());
            data.extend(v.to_le_bytes());
            data.extend(0u32.to_le_bytes());
        }
        data.extend([1, 2, 3]); // a short entry at the end is no entry
        let mut props = Props::default();
        fixed(&data, Storage::Root, &mut props);
        assert_eq!(props.long(id::INTERNET_CPID), Some(1251));
        assert_eq!(props.long(0x0e07), None);
        assert!(props.string(id::SUBJECT, encoding_rs::UTF_8).is_none());
        let mut none = Props::default();
        fixed(&data[..20], Storage::Root, &mut none);
        assert!(none.is_empty());
    }
}
