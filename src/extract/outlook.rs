//! Dispatch of Outlook messages (a TNEF stream, a `.msg` file, and the messages embedded in
//! them): what a recipient sees of a message in the MAPI model becomes segments, and every
//! attachment it carries is read as any archive member is.
//!
//! Paths inside the attachment: `subject`, `body` (plain, HTML and compressed RTF bodies: the
//! same words found in two of them are one finding, since findings are kept once per place),
//! an attachment's own path (`report.xlsx > Sheet1!B2`), and an embedded message's
//! (`inner.msg > body`). Sender and recipients are `attached-headers` at the message's path.
//! Embedded messages are followed to `max_depth`, one level of nesting each.

use super::cfb::Compound;
use super::mapi::{id, Embedded, Message};
use super::msg::Storage;
use super::{lzfu, msg, tnef};
use crate::model::Limit;

/// Where the embedded messages of a message are read from.
enum Source<'s, 'd> {
    /// A TNEF stream (embedded messages are TNEF streams of their own).
    Tnef,
    /// A `.msg` file (embedded messages are storages of it).
    Msg(&'s mut Compound<'d>),
}

impl super::Extractor<'_> {
    /// A TNEF stream found at nesting `depth`.
    pub(super) fn tnef(&mut self, bytes: &[u8], depth: usize) {
        match tnef::read(bytes, self.limits.max_archive_entries) {
            Some((message, cut)) => {
                self.attachments_cut(cut);
                self.outlook(&message, &mut Source::Tnef, depth)
            }
            None => self.unreadable("not a TNEF stream"),
        }
    }

    /// The Outlook message at the root of the compound file `file`, found at nesting `depth`.
    pub(super) fn msg(&mut self, file: &mut Compound<'_>, depth: usize) {
        let (message, cut) = msg::read(file, "", Storage::Root, self.limits.max_archive_entries);
        self.attachments_cut(cut);
        self.outlook(&message, &mut Source::Msg(file), depth);
    }

    /// Notes that a message held more attachments or recipients than are read.
    fn attachments_cut(&mut self, cut: bool) {
        if cut {
            let detail = format!(
                "{} holds more than {} attachments or recipients; the others were not scanned",
                self.where_(),
                self.limits.max_archive_entries
            );
            self.incomplete(Limit::MaxArchiveEntries, detail);
        }
    }

    /// What a recipient sees of `message` (at nesting `depth`): subject, sender and
    /// recipients, bodies, attachment names and attachments.
    fn outlook(&mut self, message: &Message<'_>, source: &mut Source<'_, '_>, depth: usize) {
        if depth > self.limits.max_depth {
            let detail = format!("messages nested deeper than {} were not scanned", self.limits.max_depth);
            self.incomplete(Limit::MaxDepth, detail);
            return;
        }
        if let Some(subject) = message.subject() {
            self.emit(Some("subject"), false, &subject, &[]);
        }
        self.emit_headers(&message.people());
        let body = message.body();
        if let Some(body) = &body {
            self.emit(Some("body"), false, body, &[]);
        }
        let html = message.html();
        if let Some(html) = &html {
            let (mut text, mut aside) = (String::new(), crate::text::Aside::default());
            crate::text::html_to_text_and_aside(html, &mut text, Some(&mut aside));
            self.emit(Some("body"), false, &text, &[]);
            for piece in aside.pieces() {
                self.emit(Some("body"), false, piece, &[]);
            }
        }
        if let Some(rtf) = message.rtf_compressed().and_then(|r| lzfu::decompress(r, self.budget)) {
            self.inside("body", |x| x.rtf(&rtf.bytes, depth));
            if rtf.out_of_budget {
                self.budget.run_out();
            }
            // Cut RTF matters where it is the only body.
            if rtf.cut && body.is_none() && html.is_none() {
                self.as_reader("outlook: compressed RTF body", |x| {
                    x.inside("body", |x| {
                        x.unreadable(
                            "its compressed RTF grows to more than twice its size; the rest was not read",
                        )
                    })
                });
            }
        }
        let encoding = message.encoding();
        let max = self.limits.max_archive_entries;
        for (i, attachment) in message.attachments.iter().enumerate() {
            if self.budget.exhausted() {
                return;
            }
            let name = attachment.name(encoding).unwrap_or_else(|| format!("attachment {}", i + 1));
            self.emit_member_name(&name);
            match (&attachment.embedded, &mut *source) {
                (Some(Embedded::Tnef(stream)), _) => {
                    if let Some((inner, cut)) = tnef::read(stream, max) {
                        self.inside(&name, |x| {
                            x.attachments_cut(cut);
                            x.outlook(&inner, &mut Source::Tnef, depth + 1)
                        });
                    }
                }
                (Some(Embedded::Storage(path)), Source::Msg(file)) => {
                    if depth + 1 > self.limits.max_depth {
                        // Said once, without reading the storage.
                        let inner = Message::default();
                        self.inside(&name, |x| x.outlook(&inner, &mut Source::Tnef, depth + 1));
                        continue;
                    }
                    let (inner, cut) = msg::read(file, path, Storage::Embedded, max);
                    self.inside(&name, |x| {
                        x.attachments_cut(cut);
                        x.outlook(&inner, &mut Source::Msg(file), depth + 1)
                    });
                }
                (Some(Embedded::Object(path)), Source::Msg(file)) => self.inside(&name, |x| {
                    if !x.ole_object(file, path, depth + 1) {
                        x.unreadable("an OLE object kept as a storage of the message is not read")
                    }
                }),
                _ => {
                    if let Some(mut bytes) = attachment.bytes() {
                        self.member(&name, &mut bytes, depth + 1);
                    } else if attachment.props.long(id::ATTACH_METHOD) == Some(msg::ATTACH_OLE) {
                        self.as_reader("outlook: OLE object attachment", |x| {
                            x.inside(&name, |x| {
                                x.unreadable("an OLE object kept as a storage of the message is not read")
                            })
                        });
                    }
                }
            }
        }
    }
}
