//! MAPI property sets: what an Outlook message is, whichever container carries it (a `.msg`
//! compound file, a TNEF `winmail.dat`, and the same model serves a PST store's messages).
//!
//! A message is its own properties, a table of recipients (a property set each) and a table of
//! attachments (a property set each, with their data or an embedded message). This file holds
//! that plain data and reads what a recipient sees from it: subject, bodies (plain `PR_BODY`,
//! HTML `PR_HTML`/`PR_BODY_HTML`, compressed RTF `PR_RTF_COMPRESSED`), sender and recipients,
//! attachment names. 8-bit strings are decoded in the message's code page
//! (`PR_INTERNET_CPID`, else `PR_MESSAGE_CODEPAGE`, else what the container says), Unicode
//! strings as UTF-16LE. It knows no container format and holds no reader state.

use std::borrow::Cow;
use std::collections::HashSet;

use encoding_rs::Encoding;

/// Property types ([MS-OXCDATA] 2.11.1).
pub(super) mod kind {
    /// 16-bit integer.
    pub(crate) const SHORT: u16 = 0x0002;
    /// 32-bit integer.
    pub(crate) const LONG: u16 = 0x0003;
    /// Boolean.
    pub(crate) const BOOLEAN: u16 = 0x000b;
    /// A time: 100-nanosecond intervals since 1601-01-01 UTC, 64 bits.
    pub(crate) const TIME: u16 = 0x0040;
    /// An object (an embedded message, an OLE storage).
    pub(crate) const OBJECT: u16 = 0x000d;
    /// 8-bit string in the message's code page.
    pub(crate) const STRING8: u16 = 0x001e;
    /// UTF-16LE string.
    pub(crate) const UNICODE: u16 = 0x001f;
    /// Bytes.
    pub(crate) const BINARY: u16 = 0x0102;
    /// The flag of multi-valued types.
    pub(crate) const MULTIPLE: u16 = 0x1000;
}

/// Property identifiers ([MS-OXPROPS]).
pub(super) mod id {
    /// `PR_SUBJECT`.
    pub(crate) const SUBJECT: u16 = 0x0037;
    /// `PR_CLIENT_SUBMIT_TIME`: when the sender sent it.
    pub(crate) const CLIENT_SUBMIT_TIME: u16 = 0x0039;
    /// `PR_SENT_REPRESENTING_NAME`.
    pub(crate) const SENT_REPRESENTING_NAME: u16 = 0x0042;
    /// `PR_SENT_REPRESENTING_EMAIL_ADDRESS`.
    pub(crate) const SENT_REPRESENTING_EMAIL: u16 = 0x0065;
    /// `PR_TRANSPORT_MESSAGE_HEADERS`: the Internet headers a received message came with.
    pub(crate) const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007d;
    /// `PR_RECIPIENT_TYPE` of a recipient row: 1 To, 2 Cc, 3 Bcc.
    pub(crate) const RECIPIENT_TYPE: u16 = 0x0c15;
    /// `PR_SENDER_NAME`.
    pub(crate) const SENDER_NAME: u16 = 0x0c1a;
    /// `PR_SENDER_EMAIL_ADDRESS`.
    pub(crate) const SENDER_EMAIL: u16 = 0x0c1f;
    /// `PR_DISPLAY_CC`: the Cc names as Outlook shows them.
    pub(crate) const DISPLAY_CC: u16 = 0x0e03;
    /// `PR_DISPLAY_TO`: the To names as Outlook shows them.
    pub(crate) const DISPLAY_TO: u16 = 0x0e04;
    /// `PR_MESSAGE_DELIVERY_TIME`: when it was received.
    pub(crate) const MESSAGE_DELIVERY_TIME: u16 = 0x0e06;
    /// `PR_BODY`.
    pub(crate) const BODY: u16 = 0x1000;
    /// `PR_RTF_COMPRESSED`.
    pub(crate) const RTF_COMPRESSED: u16 = 0x1009;
    /// `PR_HTML` (binary) and `PR_BODY_HTML` (string).
    pub(crate) const HTML: u16 = 0x1013;
    /// `PR_INTERNET_MESSAGE_ID`.
    pub(crate) const INTERNET_MESSAGE_ID: u16 = 0x1035;
    /// `PR_DISPLAY_NAME` (of a recipient or an attachment).
    pub(crate) const DISPLAY_NAME: u16 = 0x3001;
    /// `PR_EMAIL_ADDRESS`.
    pub(crate) const EMAIL_ADDRESS: u16 = 0x3003;
    /// `PR_ATTACH_DATA_BIN` (binary) and `PR_ATTACH_DATA_OBJ` (object).
    pub(crate) const ATTACH_DATA: u16 = 0x3701;
    /// `PR_ATTACH_FILENAME` (8.3).
    pub(crate) const ATTACH_FILENAME: u16 = 0x3704;
    /// `PR_ATTACH_METHOD`.
    pub(crate) const ATTACH_METHOD: u16 = 0x3705;
    /// `PR_ATTACH_LONG_FILENAME`.
    pub(crate) const ATTACH_LONG_FILENAME: u16 = 0x3707;
    /// `PR_ATTACH_MIME_TAG`: the attachment's media type.
    pub(crate) const ATTACH_MIME_TAG: u16 = 0x370e;
    /// `PR_SMTP_ADDRESS`.
    pub(crate) const SMTP_ADDRESS: u16 = 0x39fe;
    /// `PR_INTERNET_CPID`.
    pub(crate) const INTERNET_CPID: u16 = 0x3fde;
    /// `PR_MESSAGE_CODEPAGE`.
    pub(crate) const MESSAGE_CODEPAGE: u16 = 0x3ffd;
    /// `PR_SENDER_SMTP_ADDRESS`.
    pub(crate) const SENDER_SMTP: u16 = 0x5d01;
    /// `PR_SENT_REPRESENTING_SMTP_ADDRESS`.
    pub(crate) const SENT_REPRESENTING_SMTP: u16 = 0x5d02;
}

/// One property: its identifier, its type and its value as stored (fixed-size values in their
/// little-endian bytes, strings without their terminating NUL or not).
#[derive(Debug, Clone)]
pub(super) struct Prop<'a> {
    /// The identifier (the upper half of the tag).
    pub(super) id: u16,
    /// The type (the lower half of the tag).
    pub(super) kind: u16,
    /// The value's bytes.
    pub(super) value: Cow<'a, [u8]>,
}

/// A property set: the properties of a message, a recipient or an attachment.
#[derive(Debug, Clone, Default)]
pub(super) struct Props<'a> {
    list: Vec<Prop<'a>>,
}

impl<'a> Props<'a> {
    /// Adds a property (a later one of the same identifier and type is not looked at).
    pub(super) fn push(&mut self, id: u16, kind: u16, value: Cow<'a, [u8]>) {
        self.list.push(Prop { id, kind, value });
    }

    /// Whether the set holds no property.
    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The first property `id` of type `kind`.
    fn get(&self, id: u16, kind: u16) -> Option<&[u8]> {
        self.list.iter().find(|p| p.id == id && p.kind == kind).map(|p| &*p.value)
    }

    /// The bytes of binary property `id`.
    pub(super) fn binary(&self, id: u16) -> Option<&[u8]> {
        self.get(id, kind::BINARY)
    }

    /// The bytes of object property `id`, when they are borrowed from the container.
    pub(super) fn borrowed_object(&self, id: u16) -> Option<&'a [u8]> {
        match &self.list.iter().find(|p| p.id == id && p.kind == kind::OBJECT)?.value {
            Cow::Borrowed(b) => Some(b),
            Cow::Owned(_) => None,
        }
    }

    /// Time property `id`, in 100-nanosecond intervals since 1601-01-01 UTC.
    pub(super) fn time(&self, id: u16) -> Option<u64> {
        let v: [u8; 8] = self.get(id, kind::TIME)?.get(..8)?.try_into().ok()?;
        Some(u64::from_le_bytes(v))
    }

    /// The Internet address of the person these properties name: the SMTP address property
    /// `smtp`, else the address property `email` when it is an Internet address rather than
    /// an Exchange one.
    pub(super) fn address(&self, smtp: u16, email: u16, encoding: &'static Encoding) -> Option<String> {
        self.string(smtp, encoding).or_else(|| self.string(email, encoding).filter(|a| a.contains('@')))
    }

    /// Integer property `id` (32-bit, or 16-bit widened).
    pub(super) fn long(&self, id: u16) -> Option<u32> {
        let v = self.get(id, kind::LONG).or_else(|| self.get(id, kind::SHORT))?;
        match v {
            [a, b, c, d, ..] => Some(u32::from_le_bytes([*a, *b, *c, *d])),
            [a, b] => Some(u32::from(u16::from_le_bytes([*a, *b]))),
            _ => None,
        }
    }

    /// String property `id`: Unicode if there is one, else 8-bit decoded with `encoding`;
    /// `None` when absent or blank.
    pub(super) fn string(&self, id: u16, encoding: &'static Encoding) -> Option<String> {
        let text = if let Some(v) = self.get(id, kind::UNICODE) {
            let units: Vec<u16> = v.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        } else {
            let v = self.get(id, kind::STRING8)?;
            encoding.decode_without_bom_handling(v).0.into_owned()
        };
        let text = text.trim_end_matches('\0');
        (!text.trim().is_empty()).then(|| text.to_string())
    }
}

/// Where the message of an attachment that is one is kept, for the container's reader to read
/// it (at one more level of nesting).
#[derive(Debug, Clone)]
pub(super) enum Embedded<'a> {
    /// A TNEF stream (TNEF's `PR_ATTACH_DATA_OBJ`, after its interface identifier).
    Tnef(&'a [u8]),
    /// A storage of the same compound file (a `.msg`'s `__substg1.0_3701000D`), by its path.
    Storage(String),
    /// An OLE object's own storage in the same compound file (a `.msg` attachment of
    /// `PR_ATTACH_METHOD` 6), by its path.
    Object(String),
    /// The message itself, read already (a PST store's embedded message object).
    Message(Box<Message<'a>>),
}

/// One attachment: its properties, and its content (bytes or a message).
#[derive(Debug, Clone, Default)]
pub(super) struct Attachment<'a> {
    /// `PR_ATTACH_*` and the others.
    pub(super) props: Props<'a>,
    /// The file's bytes, where the container keeps them outside the properties (TNEF's
    /// `attAttachData`); else `PR_ATTACH_DATA_BIN`.
    pub(super) data: Option<Cow<'a, [u8]>>,
    /// The message it is, if it is one.
    pub(super) embedded: Option<Embedded<'a>>,
    /// The name the container gives it outside the properties (TNEF's `attAttachTitle`).
    pub(super) title: Option<String>,
}

impl Attachment<'_> {
    /// The attachment's name: its long file name, else its file name, else its display name,
    /// else the container's title.
    pub(super) fn name(&self, encoding: &'static Encoding) -> Option<String> {
        [id::ATTACH_LONG_FILENAME, id::ATTACH_FILENAME, id::DISPLAY_NAME]
            .into_iter()
            .find_map(|i| self.props.string(i, encoding))
            .or_else(|| self.title.clone().filter(|t| !t.trim().is_empty()))
    }

    /// The file's bytes, if it holds a file.
    pub(super) fn bytes(&self) -> Option<&[u8]> {
        self.data.as_deref().or_else(|| self.props.binary(id::ATTACH_DATA))
    }
}

/// A message: its properties, recipients and attachments.
#[derive(Debug, Clone, Default)]
pub(super) struct Message<'a> {
    /// The message's own properties.
    pub(super) props: Props<'a>,
    /// The recipient table, a property set a row.
    pub(super) recipients: Vec<Props<'a>>,
    /// The attachment table.
    pub(super) attachments: Vec<Attachment<'a>>,
    /// The code page of 8-bit strings that the container names, for messages whose properties
    /// name none (TNEF's `attOemCodepage`).
    pub(super) codepage: Option<u32>,
    /// The subject the container keeps outside the properties (TNEF's `attSubject`), 8-bit.
    pub(super) subject: Option<Cow<'a, [u8]>>,
    /// The plain body the container keeps outside the properties (TNEF's `attBody`), 8-bit.
    pub(super) body: Option<Cow<'a, [u8]>>,
}

impl Message<'_> {
    /// The encoding of 8-bit strings: `PR_INTERNET_CPID`, else `PR_MESSAGE_CODEPAGE`, else the
    /// container's, else windows-1252. A 7-bit Internet code page (ISO-2022) stands for the
    /// Windows code page of its script: 8-bit properties are written in a Windows code page,
    /// and Japanese Outlook names ISO-2022-JP (50220) for mail whose strings are Shift_JIS.
    pub(super) fn encoding(&self) -> &'static Encoding {
        [self.props.long(id::INTERNET_CPID), self.props.long(id::MESSAGE_CODEPAGE), self.codepage]
            .into_iter()
            .flatten()
            .map(|cp| match cp {
                50220..=50222 => 932,
                50225 => 949,
                50227 | 52936 => 936,
                cp => cp,
            })
            .find_map(codepage)
            .unwrap_or(encoding_rs::WINDOWS_1252)
    }

    /// The subject, without the mark a PST store may start it with (U+0001 and a character
    /// giving the length of its prefix, `RE: `).
    pub(super) fn subject(&self) -> Option<String> {
        let subject = self
            .props
            .string(id::SUBJECT, self.encoding())
            .or_else(|| self.string8(self.subject.as_deref()))?;
        match subject.strip_prefix('\u{1}') {
            Some(rest) => {
                let rest: String = rest.chars().skip(1).collect();
                (!rest.trim().is_empty()).then_some(rest)
            }
            None => Some(subject),
        }
    }

    /// The plain-text body.
    pub(super) fn body(&self) -> Option<String> {
        self.props.string(id::BODY, self.encoding()).or_else(|| self.string8(self.body.as_deref()))
    }

    /// An 8-bit string in the message's code page, without its NULs; `None` when blank.
    fn string8(&self, bytes: Option<&[u8]>) -> Option<String> {
        let text = self.encoding().decode_without_bom_handling(bytes?).0;
        let text = text.trim_end_matches('\0');
        (!text.trim().is_empty()).then(|| text.to_string())
    }

    /// The HTML body, decoded: `PR_BODY_HTML` as a string, or `PR_HTML`'s bytes in the
    /// message's code page (UTF-8 or UTF-16 when a byte-order mark says so).
    pub(super) fn html(&self) -> Option<String> {
        if let Some(s) = self.props.string(id::HTML, self.encoding()) {
            return Some(s);
        }
        let bytes = self.props.binary(id::HTML)?;
        let (encoding, bom) = Encoding::for_bom(bytes).unwrap_or((self.encoding(), 0));
        let text = encoding.decode_without_bom_handling(&bytes[bom..]).0;
        let text = text.trim_end_matches('\0');
        (!text.trim().is_empty()).then(|| text.to_string())
    }

    /// The compressed RTF body (`PR_RTF_COMPRESSED`), as stored.
    pub(super) fn rtf_compressed(&self) -> Option<&[u8]> {
        self.props.binary(id::RTF_COMPRESSED)
    }

    /// The sender and the recipients, one `Name <address>` a line (as the headers of an
    /// attached message read): the sender, whom the message was sent for when another, and
    /// each row of the recipient table (`PR_SMTP_ADDRESS`, else `PR_EMAIL_ADDRESS` when it is
    /// an Internet address rather than an Exchange one). With no recipient table, the To and
    /// Cc names Outlook shows.
    pub(super) fn people(&self) -> String {
        let enc = self.encoding();
        let mut out = String::new();
        // Lines and names given so far: a line is given once, and a name alone that an
        // earlier line already gave says nothing more.
        let (mut lines, mut names) = (HashSet::new(), HashSet::new());
        let mut line = |name: Option<String>, address: Option<String>| {
            if name.is_none() && address.is_none() {
                return;
            }
            if let (Some(n), None) = (&name, &address) {
                if names.contains(n) {
                    return;
                }
            }
            if let Some(n) = &name {
                names.insert(n.clone());
            }
            let mut l = String::new();
            if let Some(n) = &name {
                l.push_str(n);
            }
            if let Some(a) = &address {
                if !l.is_empty() {
                    l.push(' ');
                }
                l.push('<');
                l.push_str(a);
                l.push('>');
            }
            l.push('\n');
            if !lines.contains(&l) {
                out.push_str(&l);
                lines.insert(l);
            }
        };
        let address = |p: &Props<'_>, smtp: u16, email: u16| p.address(smtp, email, enc);
        let props = &self.props;
        line(props.string(id::SENDER_NAME, enc), address(props, id::SENDER_SMTP, id::SENDER_EMAIL));
        line(
            props.string(id::SENT_REPRESENTING_NAME, enc),
            address(props, id::SENT_REPRESENTING_SMTP, id::SENT_REPRESENTING_EMAIL),
        );
        for r in &self.recipients {
            line(r.string(id::DISPLAY_NAME, enc), address(r, id::SMTP_ADDRESS, id::EMAIL_ADDRESS));
        }
        if self.recipients.is_empty() {
            for shown in [id::DISPLAY_TO, id::DISPLAY_CC] {
                for name in props.string(shown, enc).iter().flat_map(|s| s.split(';')) {
                    let name = name.trim();
                    if !name.is_empty() {
                        line(Some(name.to_string()), None);
                    }
                }
            }
        }
        out
    }
}

/// The encoding of Windows code page `cp`, where encoding_rs has it.
pub(super) fn codepage(cp: u32) -> Option<&'static Encoding> {
    let label = match cp {
        65001 => "utf-8".to_string(),
        1200 => "utf-16le".to_string(),
        1201 => "utf-16be".to_string(),
        20127 => "us-ascii".to_string(),
        866 => "ibm866".to_string(),
        874 => "windows-874".to_string(),
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        1250..=1258 => format!("windows-{cp}"),
        10000 => "macintosh".to_string(),
        20866 => "koi8-r".to_string(),
        21866 => "koi8-u".to_string(),
        28591..=28606 => format!("iso-8859-{}", cp - 28590),
        50220..=50222 => "iso-2022-jp".to_string(),
        51932 => "euc-jp".to_string(),
        54936 => "gb18030".to_string(),
        _ => return None,
    };
    Encoding::for_label(label.as_bytes())
}

/// `s` in UTF-16LE, as Unicode properties are stored (for tests).
#[cfg(test)]
pub(super) fn utf16(s: &str) -> Cow<'static, [u8]> {
    Cow::Owned(s.encode_utf16().flat_map(u16::to_le_bytes).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in_their_code_page() {
        let mut m = Message::default();
        m.props.push(id::SUBJECT, kind::STRING8, Cow::Borrowed(b"\xc8\xe2\xe0\xed\0"));
        m.props.push(id::INTERNET_CPID, kind::LONG, Cow::Borrowed(&[0xe3, 0x04, 0, 0]));
        m.props.push(id::BODY, kind::UNICODE, utf16("Zo\u{eb} Martin\0"));
        assert_eq!(m.encoding(), encoding_rs::WINDOWS_1251);
        assert_eq!(m.subject().as_deref(), Some("Иван"));
        assert_eq!(m.body().as_deref(), Some("Zoë Martin"));
        // No code page in the properties: the container's, else windows-1252.
        let mut tnef = Message { codepage: Some(1250), ..Message::default() };
        assert_eq!(tnef.encoding(), encoding_rs::WINDOWS_1250);
        tnef.codepage = Some(437);
        assert_eq!(tnef.encoding(), encoding_rs::WINDOWS_1252);
        // ISO-2022-JP named, Shift_JIS written.
        let mut jp = Message::default();
        jp.props.push(id::INTERNET_CPID, kind::LONG, Cow::Owned(50220u32.to_le_bytes().to_vec()));
        jp.props.push(id::SUBJECT, kind::STRING8, Cow::Borrowed(b"\x93\xfa\x96\x7b\x8c\xea"));
        assert_eq!(jp.subject().as_deref(), Some("日本語"));
        let mut marked = Message::default();
        marked.props.push(id::SUBJECT, kind::UNICODE, utf16("\u{1}\u{4}RE: Zoë"));
        assert_eq!(marked.subject().as_deref(), Some("RE: Zoë"));
        assert_eq!(codepage(28592), Some(encoding_rs::ISO_8859_2));
    }

    #[test]
    fn html_by_byte_order_mark_or_code_page() {
        let mut m = Message::default();
        m.props.push(id::HTML, kind::BINARY, Cow::Borrowed(b"\xef\xbb\xbf<p>Zo\xc3\xab</p>"));
        assert_eq!(m.html().as_deref(), Some("<p>Zoë</p>"));
        let mut m = Message::default();
        m.props.push(id::HTML, kind::BINARY, Cow::Borrowed(b"<p>Zo\xeb</p>"));
        assert_eq!(m.html().as_deref(), Some("<p>Zoë</p>"));
    }

    #[test]
    fn people_one_a_line() {
        let mut m = Message::default();
        m.props.push(id::SENDER_NAME, kind::UNICODE, utf16("Officer Brown"));
        m.props.push(id::SENDER_EMAIL, kind::UNICODE, utf16("/O=EXCHANGE/OU=FIRST/CN=RECIPIENTS/CN=BROWN"));
        m.props.push(id::SENDER_SMTP, kind::UNICODE, utf16("brown@police.example"));
        m.props.push(id::SENT_REPRESENTING_NAME, kind::UNICODE, utf16("Officer Brown"));
        let mut r = Props::default();
        r.push(id::DISPLAY_NAME, kind::STRING8, Cow::Borrowed(b"Jane Doe\0"));
        r.push(id::EMAIL_ADDRESS, kind::STRING8, Cow::Borrowed(b"jane.doe@example.org\0"));
        m.recipients.push(r);
        let mut r = Props::default();
        r.push(id::DISPLAY_NAME, kind::STRING8, Cow::Borrowed(b"Ravi"));
        r.push(id::EMAIL_ADDRESS, kind::STRING8, Cow::Borrowed(b"/O=EXCHANGE/CN=RAVI"));
        m.recipients.push(r);
        assert_eq!(
            m.people(),
            "Officer Brown <brown@police.example>\nJane Doe <jane.doe@example.org>\nRavi\n"
        );
        // No recipient table: the names Outlook shows in To and Cc.
        let mut m = Message::default();
        m.props.push(id::DISPLAY_TO, kind::STRING8, Cow::Borrowed(b"Jane Doe; Ravi Patel\0"));
        assert_eq!(m.people(), "Jane Doe\nRavi Patel\n");
    }

    #[test]
    fn attachment_names_in_order() {
        let mut a = Attachment { title: Some("REPORT~1.XLS".into()), ..Attachment::default() };
        assert_eq!(a.name(encoding_rs::WINDOWS_1252).as_deref(), Some("REPORT~1.XLS"));
        a.props.push(id::DISPLAY_NAME, kind::STRING8, Cow::Borrowed(b"Report"));
        assert_eq!(a.name(encoding_rs::WINDOWS_1252).as_deref(), Some("Report"));
        a.props.push(id::ATTACH_FILENAME, kind::STRING8, Cow::Borrowed(b"REPORT~1.XLS"));
        a.props.push(id::ATTACH_LONG_FILENAME, kind::UNICODE, utf16("report for Jane.xlsx"));
        assert_eq!(a.name(encoding_rs::WINDOWS_1252).as_deref(), Some("report for Jane.xlsx"));
        a.props.push(id::ATTACH_DATA, kind::BINARY, Cow::Borrowed(b"PK"));
        assert_eq!(a.bytes(), Some(&b"PK"[..]));
    }
}
