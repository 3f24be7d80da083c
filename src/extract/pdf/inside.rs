//! What a PDF holds besides its pages: embedded files (the `/EmbeddedFiles` name tree and
//! file-attachment annotations), the values of its form fields (AcroForm `/V`, also of fields
//! never drawn on a page) and the text of its annotations (`/Contents`: notes, pop-ups,
//! free text).
//!
//! Every tree here (name trees, field hierarchies) is walked with an explicit stack, each
//! object visited once, at most [`MAX_NODES`] nodes; a document's own references cannot make
//! the walk loop or run away.

use std::collections::HashSet;

use pdf_extract::{Dictionary, Document, Object, ObjectId};

use super::text_string;

/// The most nodes of one tree (name tree, field hierarchy) visited.
const MAX_NODES: usize = 200_000;

/// A file embedded in the document: its name and bytes.
pub(crate) struct Embedded {
    /// The file's name (`/UF`, else `/F`, else the name tree's key).
    pub(crate) name: String,
    /// Its content, as the document's streams were decoded.
    pub(crate) bytes: Vec<u8>,
}

/// The dictionary `obj` is, or refers to.
fn dict<'d>(doc: &'d Document, obj: &'d Object) -> Option<&'d Dictionary> {
    doc.dereference(obj).ok().and_then(|(_, o)| o.as_dict().ok())
}

/// The array `obj` is, or refers to.
fn array<'d>(doc: &'d Document, obj: &'d Object) -> Option<&'d Vec<Object>> {
    doc.dereference(obj).ok().and_then(|(_, o)| o.as_array().ok())
}

/// The text string at `key` of `d`, if there is one.
fn string(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<String> {
    match doc.dereference(d.get(key).ok()?).ok()?.1 {
        Object::String(bytes, _) => Some(text_string(bytes)),
        Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        _ => None,
    }
}

/// A walk over a tree of objects: each object once, at most [`MAX_NODES`].
struct Walk<'d> {
    stack: Vec<&'d Object>,
    seen: HashSet<ObjectId>,
    visited: usize,
}

impl<'d> Walk<'d> {
    fn from(root: &'d Object) -> Walk<'d> {
        Walk { stack: vec![root], seen: HashSet::new(), visited: 0 }
    }

    /// The next node's dictionary, skipping what was seen or is not a dictionary.
    fn next(&mut self, doc: &'d Document) -> Option<&'d Dictionary> {
        while let Some(obj) = self.stack.pop() {
            if self.visited >= MAX_NODES {
                return None;
            }
            if let Object::Reference(id) = obj {
                if !self.seen.insert(*id) {
                    continue;
                }
            }
            self.visited += 1;
            if let Some(d) = dict(doc, obj) {
                return Some(d);
            }
        }
        None
    }

    /// Queues the kids of `d` (`/Kids`), first kid first.
    fn kids(&mut self, doc: &'d Document, d: &'d Dictionary) {
        if let Some(kids) = d.get(b"Kids").ok().and_then(|k| array(doc, k)) {
            self.stack.extend(kids.iter().rev());
        }
    }
}

/// The files embedded in `doc`: the `/EmbeddedFiles` name tree, then file-attachment
/// annotations, in document order.
pub(crate) fn embedded_files(doc: &Document) -> Vec<Embedded> {
    let mut out = Vec::new();
    let Some(root) = doc.trailer.get(b"Root").ok().and_then(|r| dict(doc, r)) else { return out };
    if let Some(tree) =
        root.get(b"Names").ok().and_then(|n| dict(doc, n)).and_then(|names| names.get(b"EmbeddedFiles").ok())
    {
        let mut walk = Walk::from(tree);
        while let Some(node) = walk.next(doc) {
            walk.kids(doc, node);
            let Some(pairs) = node.get(b"Names").ok().and_then(|n| array(doc, n)) else { continue };
            for pair in pairs.chunks(2) {
                let [key, spec] = pair else { continue };
                let key = match doc.dereference(key).ok().map(|(_, o)| o) {
                    Some(Object::String(bytes, _)) => text_string(bytes),
                    _ => String::new(),
                };
                if let Some(file) = dict(doc, spec).and_then(|spec| file_of(doc, spec, &key)) {
                    out.push(file);
                }
            }
        }
    }
    for (_, page) in doc.get_pages() {
        for annot in annotations_of(doc, page) {
            let is_file =
                annot.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(&b"FileAttachment"[..]);
            if let Some(file) = is_file
                .then(|| annot.get(b"FS").ok().and_then(|fs| dict(doc, fs)))
                .flatten()
                .and_then(|spec| file_of(doc, spec, "attachment"))
            {
                out.push(file);
            }
        }
    }
    out
}

/// The file a file specification embeds (`/EF /F` or `/EF /UF`), named by the specification.
fn file_of(doc: &Document, spec: &Dictionary, fallback: &str) -> Option<Embedded> {
    let ef = spec.get(b"EF").ok().and_then(|ef| dict(doc, ef))?;
    let stream = [&b"UF"[..], b"F"]
        .iter()
        .filter_map(|k| ef.get(k).ok())
        .find_map(|s| doc.dereference(s).ok().and_then(|(_, o)| o.as_stream().ok()))?;
    let name = string(doc, spec, b"UF")
        .or_else(|| string(doc, spec, b"F"))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| fallback.to_string());
    // Streams were decoded under the budget when the document was read; one that is still
    // filtered was left out or uses a filter no reader here undoes.
    let bytes = match stream.dict.get(b"Filter") {
        Ok(_) => stream.decompressed_content().ok()?,
        Err(_) => stream.content.clone(),
    };
    Some(Embedded { name, bytes })
}

/// The annotation dictionaries of the page `page`.
fn annotations_of(doc: &Document, page: ObjectId) -> Vec<&Dictionary> {
    let Ok(page) = doc.get_dictionary(page) else { return Vec::new() };
    let Some(annots) = page.get(b"Annots").ok().and_then(|a| array(doc, a)) else { return Vec::new() };
    annots.iter().take(MAX_NODES).filter_map(|a| dict(doc, a)).collect()
}

/// The text of the annotations of every page: (page number, text), in page order. A pop-up
/// shows its parent's text, which is read once, with the parent.
pub(crate) fn annotations(doc: &Document) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (n, page) in doc.get_pages() {
        for annot in annotations_of(doc, page) {
            if annot.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(&b"Popup"[..]) {
                continue;
            }
            let text: Vec<String> = [&b"T"[..], b"Subj", b"Contents"]
                .iter()
                .filter_map(|k| string(doc, annot, k))
                .filter(|t| !t.trim().is_empty())
                .collect();
            if !text.is_empty() {
                out.push((n, text.join("\n")));
            }
        }
    }
    out
}

/// The form fields that hold a value: (full field name, value), in the order of the form.
pub(crate) fn form_fields(doc: &Document) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(form) = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| dict(doc, r))
        .and_then(|root| root.get(b"AcroForm").ok())
        .and_then(|f| dict(doc, f))
    else {
        return out;
    };
    let Some(fields) = form.get(b"Fields").ok().and_then(|f| array(doc, f)) else { return out };
    // (node, the full name of its parent)
    let mut stack: Vec<(&Object, String)> = fields.iter().rev().map(|f| (f, String::new())).collect();
    let (mut seen, mut visited) = (HashSet::new(), 0usize);
    while let Some((obj, parent)) = stack.pop() {
        if visited >= MAX_NODES {
            break;
        }
        if let Object::Reference(id) = obj {
            if !seen.insert(*id) {
                continue;
            }
        }
        visited += 1;
        let Some(field) = dict(doc, obj) else { continue };
        let name = match string(doc, field, b"T") {
            Some(t) if parent.is_empty() => t,
            Some(t) => format!("{parent}.{t}"),
            None => parent.clone(),
        };
        if let Some(value) = value_of(doc, field).filter(|v| !v.trim().is_empty()) {
            out.push((name.clone(), value));
        }
        if let Some(kids) = field.get(b"Kids").ok().and_then(|k| array(doc, k)) {
            stack.extend(kids.iter().rev().map(|k| (k, name.clone())));
        }
    }
    out
}

/// A field's value (`/V`): a text string, a choice (a name), or several choices.
fn value_of(doc: &Document, field: &Dictionary) -> Option<String> {
    let v = doc.dereference(field.get(b"V").ok()?).ok()?.1;
    match v {
        Object::String(bytes, _) => Some(text_string(bytes)),
        Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        Object::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|i| match doc.dereference(i).ok()?.1 {
                    Object::String(bytes, _) => Some(text_string(bytes)),
                    _ => None,
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}
