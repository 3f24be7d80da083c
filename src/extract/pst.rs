//! Outlook data files ([MS-PST]: `.pst`, and `.ost` offline stores of the same format), read
//! through Microsoft's `outlook-pst` crate: every message of every folder under the top of the
//! store (the folders a user sees), in the MAPI model of `mapi.rs`, written out as an Internet
//! message by `internet.rs` so that it is scanned as any message is.
//!
//! ANSI (Outlook 97–2002) and Unicode (Outlook 2003 and later) files, unencoded or with
//! compressible or high encryption, are read. A message's own properties, its recipient table
//! (each row's properties, `PR_RECIPIENT_TYPE` among them), its attachments (each one's
//! properties and data) and its embedded messages (read the same way, attachments included)
//! become the model. The crate is the copy of `vendor/outlook-pst`, patched to open embedded
//! messages at all (`vendor/outlook-pst/PATCHES.md`).
//!
//! Folders are walked depth first with a stack of their own (no recursion), their messages in
//! the order of the folder's contents table; search folders are left out (their messages are
//! other folders'). A folder, message or attachment that cannot be read is reported as such
//! and the walk goes on. The crate is run under [`guarded`]: a panic
//! on a malformed file makes that part unreadable.
//!
//! [MS-PST]: https://learn.microsoft.com/en-us/openspecs/office_file_formats/ms-pst/

use std::borrow::Cow;
use std::io;
use std::rc::Rc;

use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{
    AnsiAttachment, Attachment as PstAttachment, AttachmentData, UnicodeAttachment,
};
use outlook_pst::messaging::folder::Folder;
use outlook_pst::messaging::message::{AnsiMessage, Message as PstMessage, UnicodeMessage};
use outlook_pst::messaging::store::{AnsiStore, EntryId, Store, UnicodeStore};
use outlook_pst::ndb::node_id::{NodeId, NodeIdType};
use outlook_pst::{AnsiPstFile, PstReader, UnicodePstFile};

use super::internet;
use super::mapi::{kind, Attachment, Embedded, Message, Props};
use crate::panics::guarded;

/// Folders nested deeper than this are not walked (Outlook itself stops far sooner).
const MAX_FOLDER_DEPTH: usize = 300;

/// What reading a store finds, one at a time.
pub(crate) enum Found {
    /// A message: the path of its folder under the top of the store (`Inbox/Projects`, empty
    /// for the top itself), its number in the folder (from 1), and the Internet message.
    Message { folder: String, number: usize, bytes: Vec<u8> },
    /// A folder (`number` `None`) or a message that could not be read, and why.
    Unreadable { folder: String, number: Option<usize>, error: String },
}

/// Whether `head` (the first bytes of a file) starts an Outlook data file: `!BDN`, then the
/// client magic, `SM` for a personal store (PST), `SO` for an offline store (OST).
pub(crate) fn is_pst(head: &[u8]) -> bool {
    head.starts_with(b"!BDN") && matches!(head.get(8..10), Some(b"SM" | b"SO"))
}

/// Reads the store in `reader`, whose first bytes are `head`, handing each message (or part
/// that cannot be read) to `each` until it returns `false`. `Err` when the file cannot be
/// opened as a store at all.
pub(crate) fn read(
    reader: Box<dyn PstReader>,
    head: &[u8],
    each: &mut dyn FnMut(Found) -> bool,
) -> Result<(), String> {
    match version(head) {
        14 | 15 => walk::<Ansi>(&open::<Ansi>(reader)?, each),
        // 36: the offline stores of Outlook 2013 and later (4 KiB pages, blocks perhaps
        // compressed), read by the same types.
        23 | 36 => walk::<Unicode>(&open::<Unicode>(reader)?, each),
        v => return Err(format!("an Outlook data file of unknown version {v}")),
    }
    Ok(())
}

/// The file format version (`wVer`) of the header whose first bytes are `head`.
fn version(head: &[u8]) -> u16 {
    head.get(10..12).map(|v| u16::from_le_bytes([v[0], v[1]])).unwrap_or(0)
}

/// The store in `reader`, or why it cannot be opened.
fn open<F: Flavour>(reader: Box<dyn PstReader>) -> Result<Rc<F::Store>, String> {
    crate::panics::install_hook();
    guarded(|| F::open(reader))
        .map_err(|_| "the Outlook data file is malformed".to_string())?
        .map_err(|e| format!("not a readable Outlook data file: {e}"))
}

/// How many messages the folders under the top of the store in `reader` say they hold
/// (`PR_CONTENT_COUNT`, search folders left out), without reading a message; 0 when the file
/// cannot be read as a store.
pub(crate) fn count(reader: Box<dyn PstReader>, head: &[u8]) -> usize {
    let store: Result<Rc<dyn Store>, String> = match version(head) {
        14 | 15 => open::<Ansi>(reader).map(|s| s as Rc<dyn Store>),
        23 | 36 => open::<Unicode>(reader).map(|s| s as Rc<dyn Store>),
        _ => return 0,
    };
    store.ok().and_then(|s| guarded(|| count_in(&s)).ok()).unwrap_or(0)
}

/// The messages the folders of `store` say they hold.
fn count_in(store: &Rc<dyn Store>) -> usize {
    let Ok(top) = store.properties().ipm_sub_tree_entry_id().and_then(|e| store.open_folder(&e)) else {
        return 0;
    };
    let mut total = 0usize;
    let mut stack = vec![(top, 0usize)];
    while let Some((folder, depth)) = stack.pop() {
        total += usize::try_from(folder.properties().content_count().unwrap_or(0)).unwrap_or(0);
        if depth >= MAX_FOLDER_DEPTH {
            continue;
        }
        let Some(table) = folder.hierarchy_table() else { continue };
        for row in table.rows_matrix() {
            let node = NodeId::from(u32::from(row.id()));
            if matches!(node.id_type(), Ok(NodeIdType::NormalFolder)) {
                if let Ok(f) = store.properties().make_entry_id(node).and_then(|e| store.open_folder(&e)) {
                    stack.push((f, depth + 1));
                }
            }
        }
    }
    total
}

/// The two kinds of file, whose stores, messages and attachments the crate opens by distinct
/// types.
trait Flavour {
    type Store: Store + 'static;
    type Message: PstMessage + 'static;
    /// The store of the file `reader`.
    fn open(reader: Box<dyn PstReader>) -> io::Result<Rc<Self::Store>>;
    /// The message `entry`.
    fn open_message(store: &Rc<Self::Store>, entry: &EntryId) -> io::Result<Rc<Self::Message>>;
    /// The attachment of node `node`, and the embedded message it holds, if it holds one.
    fn open_attachment(message: &Rc<Self::Message>, node: NodeId) -> io::Result<Opened<Self::Message>>;
}

/// An attachment opened, and the embedded message it holds.
type Opened<M> = (Rc<dyn PstAttachment>, Option<Rc<M>>);

/// A [`Flavour`] of the crate's types for one kind of file.
macro_rules! flavour {
    ($(#[$doc:meta])* $name:ident: $file:ty, $store:ty, $message:ty, $attachment:ty) => {
        $(#[$doc])*
        struct $name;

        impl Flavour for $name {
            type Store = $store;
            type Message = $message;
            fn open(reader: Box<dyn PstReader>) -> io::Result<Rc<$store>> {
                <$store>::read(Rc::new(<$file>::read_from(reader)?))
            }
            fn open_message(store: &Rc<$store>, entry: &EntryId) -> io::Result<Rc<$message>> {
                <$message>::read(store.clone(), entry, None)
            }
            fn open_attachment(message: &Rc<$message>, node: NodeId) -> io::Result<Opened<$message>> {
                let a = <$attachment>::read(message.clone(), node, None)?;
                let embedded = a.embedded_message();
                Ok((a, embedded))
            }
        }
    };
}

flavour!(
    /// Unicode files (Outlook 2003 and later).
    Unicode: UnicodePstFile, UnicodeStore, UnicodeMessage, UnicodeAttachment
);
flavour!(
    /// ANSI files (Outlook 97 to 2002).
    Ansi: AnsiPstFile, AnsiStore, AnsiMessage, AnsiAttachment
);

/// Every folder under the top of the store, depth first, and each folder's messages.
fn walk<F: Flavour>(store: &Rc<F::Store>, each: &mut dyn FnMut(Found) -> bool) {
    let unreadable = |folder: &str, number: Option<usize>, error: String| Found::Unreadable {
        folder: folder.to_string(),
        number,
        error,
    };
    let top = guarded(|| store.properties().ipm_sub_tree_entry_id().and_then(|e| store.open_folder(&e)));
    let top = match top {
        Ok(Ok(top)) => top,
        Ok(Err(e)) => {
            each(unreadable("", None, format!("the top of the store cannot be read: {e}")));
            return;
        }
        Err(_) => {
            each(unreadable("", None, "the top of the store is malformed".into()));
            return;
        }
    };
    // Folders still to walk, the next one last: the folder and its path.
    let mut stack: Vec<(Rc<dyn Folder>, String, usize)> = vec![(top, String::new(), 0)];
    while let Some((folder, path, depth)) = stack.pop() {
        // Its messages.
        let rows: Vec<NodeId> = folder
            .contents_table()
            .map(|t| t.rows_matrix().map(|r| NodeId::from(u32::from(r.id()))).collect())
            .unwrap_or_default();
        for (i, node) in rows.into_iter().enumerate() {
            let number = i + 1;
            let found = match guarded(|| message::<F>(store, node)) {
                Ok(Ok((m, errors))) => {
                    // What could not be read of it is said first, and the rest scanned.
                    for error in errors {
                        if !each(unreadable(&path, Some(number), format!("an attachment: {error}"))) {
                            return;
                        }
                    }
                    Found::Message { folder: path.clone(), number, bytes: internet::write(&m) }
                }
                Ok(Err(e)) => unreadable(&path, Some(number), format!("the message cannot be read: {e}")),
                Err(_) => unreadable(&path, Some(number), "the message is malformed".into()),
            };
            if !each(found) {
                return;
            }
        }
        // Its folders, pushed so that the first is walked next.
        let Some(table) = folder.hierarchy_table() else { continue };
        let nodes: Vec<NodeId> = table.rows_matrix().map(|r| NodeId::from(u32::from(r.id()))).collect();
        let mut children = Vec::new();
        for node in nodes {
            if !matches!(node.id_type(), Ok(NodeIdType::NormalFolder)) {
                continue;
            }
            let opened =
                guarded(|| store.properties().make_entry_id(node).and_then(|e| store.open_folder(&e)));
            let child = match opened {
                Ok(Ok(f)) => f,
                Ok(Err(e)) => {
                    if !each(unreadable(&path, None, format!("a folder cannot be read: {e}"))) {
                        return;
                    }
                    continue;
                }
                Err(_) => {
                    if !each(unreadable(&path, None, "a folder is malformed".into())) {
                        return;
                    }
                    continue;
                }
            };
            let name =
                child.properties().display_name().unwrap_or_else(|_| format!("folder {}", node.index()));
            let child_path = if path.is_empty() { name } else { format!("{path}/{name}") };
            if depth + 1 > MAX_FOLDER_DEPTH {
                if !each(unreadable(
                    &child_path,
                    None,
                    format!("folders nested deeper than {MAX_FOLDER_DEPTH} are not read"),
                )) {
                    return;
                }
                continue;
            }
            children.push((child, child_path, depth + 1));
        }
        stack.extend(children.into_iter().rev());
    }
}

/// The message of node `node` in the MAPI model, and why any of its attachments (or theirs)
/// could not be read.
fn message<F: Flavour>(store: &Rc<F::Store>, node: NodeId) -> io::Result<(Message<'static>, Vec<String>)> {
    let entry = store.properties().make_entry_id(node)?;
    let pst = F::open_message(store, &entry)?;
    let mut errors = Vec::new();
    let message = with_attachments::<F>(&pst, 0, &mut errors);
    Ok((message, errors))
}

/// `pst` in the MAPI model with its attachments, embedded messages read the same way to
/// [`internet::MAX_NESTING`] levels (`nesting` the level of `pst`); what cannot be read is
/// said in `errors`.
fn with_attachments<F: Flavour>(
    pst: &Rc<F::Message>,
    nesting: usize,
    errors: &mut Vec<String>,
) -> Message<'static> {
    let mut message = model(&**pst);
    let Some(table) = pst.attachment_table() else { return message };
    let rows = rows(&**table);
    let nodes: Vec<NodeId> = table.rows_matrix().map(|r| NodeId::from(u32::from(r.id()))).collect();
    for (i, (node, row)) in nodes.into_iter().zip(rows).enumerate() {
        match F::open_attachment(pst, node) {
            Ok((a, embedded)) => {
                let mut a = attachment(&*a);
                if let Some(inner) = embedded.filter(|_| nesting + 1 < internet::MAX_NESTING) {
                    a.embedded =
                        Some(Embedded::Message(Box::new(with_attachments::<F>(&inner, nesting + 1, errors))));
                }
                message.attachments.push(a);
            }
            // Still one: with what its row of the table says (its name, when the table has
            // that column).
            Err(e) => {
                let a = Attachment { props: row, ..Attachment::default() };
                let name = a.name(message.encoding()).unwrap_or_else(|| format!("attachment {}", i + 1));
                errors.push(format!("{name} cannot be read: {e}"));
                message.attachments.push(a);
            }
        }
    }
    message
}

/// A message's properties and recipients (its attachments are the caller's).
fn model(pst: &dyn PstMessage) -> Message<'static> {
    let mut message = Message::default();
    for (id, value) in pst.properties().iter() {
        push(&mut message.props, *id, value);
    }
    if let Some(table) = pst.recipient_table() {
        message.recipients = rows(&**table);
    }
    message
}

/// An attachment's properties and file content (an embedded message is the caller's).
fn attachment(a: &dyn PstAttachment) -> Attachment<'static> {
    let mut out = Attachment::default();
    for (id, value) in a.properties().iter() {
        // The data is taken from `data()`, as the crate resolved it.
        if *id != super::mapi::id::ATTACH_DATA {
            push(&mut out.props, *id, value);
        }
    }
    if let Some(AttachmentData::Binary(b)) = a.data() {
        out.data = Some(Cow::Owned(b.buffer().to_vec()));
    }
    out
}

/// The rows of a table (a recipient table, an attachment table), a property set each.
fn rows(table: &dyn TableContext) -> Vec<Props<'static>> {
    let context = table.context();
    let mut out = Vec::new();
    for row in table.rows_matrix() {
        let mut props = Props::default();
        if let Ok(values) = row.columns(context) {
            for (column, value) in context.columns().iter().zip(values) {
                if let Some(v) = value.and_then(|v| table.read_column(&v, column.prop_type()).ok()) {
                    push(&mut props, column.prop_id(), &v);
                }
            }
        }
        out.push(props);
    }
    out
}

/// Adds a property of the crate's reading to a property set, in the bytes the model keeps
/// (the types the model reads; others are left out).
fn push(props: &mut Props<'static>, id: u16, value: &PropertyValue) {
    let (ty, bytes): (u16, Vec<u8>) = match value {
        PropertyValue::Integer16(v) => (kind::SHORT, v.to_le_bytes().to_vec()),
        PropertyValue::Integer32(v) => (kind::LONG, v.to_le_bytes().to_vec()),
        PropertyValue::Boolean(v) => (kind::BOOLEAN, u32::from(*v).to_le_bytes().to_vec()),
        PropertyValue::Time(v) => (kind::TIME, v.to_le_bytes().to_vec()),
        PropertyValue::String8(v) => (kind::STRING8, v.buffer().to_vec()),
        PropertyValue::Unicode(v) => {
            (kind::UNICODE, v.buffer().iter().flat_map(|u| u.to_le_bytes()).collect())
        }
        PropertyValue::Binary(v) => (kind::BINARY, v.buffer().to_vec()),
        _ => return,
    };
    props.push(id, ty, Cow::Owned(bytes));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic() {
        assert!(is_pst(b"!BDN\x00\x00\x00\x00SM\x17\x00"));
        // An offline store (OST), of either format.
        assert!(is_pst(b"!BDN\x00\x00\x00\x00SO\x17\x00"));
        assert!(is_pst(b"!BDN\x00\x00\x00\x00SO\x24\x00"));
        assert!(!is_pst(b"!BDN\x00\x00\x00\x00XY\x17\x00"));
        assert!(!is_pst(b"!BDN"));
        assert!(!is_pst(b"From a@b Sat Jan  3 01:05:34 1996\n"));
    }

    #[test]
    fn not_a_store() {
        let mut bytes = b"!BDN\0\0\0\0SM\x17\0".to_vec();
        bytes.resize(1024, 0);
        let head = bytes.clone();
        let mut found = 0;
        let r = read(Box::new(io::Cursor::new(bytes)), &head, &mut |_| {
            found += 1;
            true
        });
        assert!(r.is_err());
        assert_eq!(found, 0);
        let mut v36 = head.clone();
        v36[10] = 36;
        let e = read(Box::new(io::Cursor::new(v36.clone())), &v36, &mut |_| true).err().unwrap_or_default();
        assert!(e.contains("not a readable Outlook data file"), "{e}");
        assert_eq!(count(Box::new(io::Cursor::new(v36)), &head), 0);
    }
}
