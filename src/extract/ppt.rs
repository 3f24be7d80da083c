//! PowerPoint 97-2003 presentations (`.ppt`, [MS-PPT]): the text of each slide and of its
//! speaker notes, as PowerPoint shows them.
//!
//! The `PowerPoint Document` stream is a tree of records (an 8-byte header: version and
//! instance, type, length; containers hold records). The `Current User` stream points at the
//! last edit (`UserEditAtom`), whose chain of earlier edits gives the persist directory: where
//! each slide, notes page and the document record are. The document record lists the slides in
//! order (`SlideListWithText`), with the text of their placeholders; each slide's own record
//! holds the text of its other shapes (text boxes) and points at its notes page. Text is UTF-16
//! (`TextCharsAtom`) or 8-bit (`TextBytesAtom`); paragraphs end with a carriage return.
//!
//! OLE objects on slides (a workbook, a document, an OLE package) are kept in records of their
//! own (`ExOleObjStg`): a compound file, compressed with zlib when the record's instance says
//! so; the document's list of external objects names each through the persist directory.
//! They are returned ([`Objects`]), in the order of that list, for dispatch to read.
//!
//! Slides are `slide 3`, their notes `slide 3 notes`, hidden slides (and their notes) are
//! `hidden`; the text of masters is `master`, without the prompts ("Click to edit...") of
//! empty placeholders. Every offset and length is checked against the stream; the tree is
//! followed at most [`MAX_NESTING`] deep, and each slide, notes page and master once however
//! often the lists name it, so reading costs no more than a pass over the stream for each
//! level of nesting, whatever the lengths claim.

use std::collections::{HashMap, HashSet};

use super::cfb::{Compound, Outcome};
use super::extractor::Extractor;
use super::le::{u16_at, u32_at};

/// Record types.
const DOCUMENT: u16 = 0x03e8;
const SLIDE: u16 = 0x03ee;
const SLIDE_ATOM: u16 = 0x03ef;
const NOTES: u16 = 0x03f0;
const SLIDE_PERSIST: u16 = 0x03f3;
const MAIN_MASTER: u16 = 0x03f8;
const SLIDE_SHOW_INFO: u16 = 0x03f9;
const SLIDE_LIST: u16 = 0x0ff0;
const USER_EDIT: u16 = 0x0ff5;
const TEXT_CHARS: u16 = 0x0fa0;
const TEXT_BYTES: u16 = 0x0fa8;
const CSTRING: u16 = 0x0fba;
const COMMENT: u16 = 0x2ee0;
const PERSIST_DIRECTORY: u16 = 0x1772;
const EX_OBJ_LIST: u16 = 0x0409;
const EX_OLE_OBJ_ATOM: u16 = 0x0fc3;
const EX_OLE_OBJ_STG: u16 = 0x1011;

/// `headerToken` of a `CurrentUserAtom` for an encrypted presentation.
const ENCRYPTED_TOKEN: u32 = 0xf3d1_c4df;
/// The deepest nesting of records followed.
const MAX_NESTING: usize = 16;
/// The most edits followed back from the last one.
const MAX_EDITS: usize = 4096;

/// One record: its type, instance, and body (the bytes after its header).
#[derive(Clone, Copy)]
struct Record<'s> {
    kind: u16,
    instance: u16,
    container: bool,
    body: &'s [u8],
}

/// The record whose header starts at `at` of `bytes`, and where the next one starts. A body
/// longer than what is left is cut where the bytes end.
fn record(bytes: &[u8], at: usize) -> Option<(Record<'_>, usize)> {
    let head = u16_at(bytes, at)?;
    let kind = u16_at(bytes, at + 2)?;
    let len = u32_at(bytes, at + 4)? as usize;
    let start = at + 8;
    let end = start.saturating_add(len).min(bytes.len());
    let body = bytes.get(start..end)?;
    Some((Record { kind, instance: head >> 4, container: head & 0xf == 0xf, body }, end))
}

/// The records of `bytes`, one after the other.
fn records(bytes: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (r, next) = record(bytes, at)?;
        at = next;
        Some(r)
    })
}

/// An OLE object kept in a presentation: the compound file that is its storage.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Object<'s> {
    /// As it is.
    Stored(&'s [u8]),
    /// Compressed with zlib (its decompressed size, which the record gives first, left out).
    Compressed(&'s [u8]),
}

/// The OLE objects a presentation embeds, where its stream holds them.
#[derive(Default)]
pub(super) struct Objects {
    stream: Vec<u8>,
    /// The body of each `ExOleObjStg` record, and whether it is compressed.
    found: Vec<(std::ops::Range<usize>, bool)>,
}

impl Objects {
    /// The objects, in the order the document lists them.
    pub(super) fn iter(&self) -> impl Iterator<Item = Object<'_>> {
        self.found.iter().map(|(range, compressed)| {
            let body = self.stream.get(range.clone()).unwrap_or_default();
            if *compressed {
                Object::Compressed(body.get(4..).unwrap_or_default())
            } else {
                Object::Stored(body)
            }
        })
    }
}

/// Reads the presentation in `file`: how it went, and the OLE objects it embeds.
pub(super) fn read(x: &mut Extractor<'_>, file: &mut Compound<'_>) -> (Outcome, Objects) {
    let none = Objects::default;
    let Some(stream) = file.stream_at("/PowerPoint Document") else {
        return (Outcome::Unread, none());
    };
    let found = match slides(x, file, &stream) {
        Ok((edits, document)) => objects(&stream, &edits, document),
        Err(outcome) => return (outcome, none()),
    };
    (Outcome::Read, Objects { stream, found })
}

/// The `ExOleObjStg` records the external objects of the document record (whose body is
/// `document`, found through `edits`) name, each once, as ranges of `stream`.
fn objects(stream: &[u8], edits: &Edits, document: &[u8]) -> Vec<(std::ops::Range<usize>, bool)> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for list in records(document).filter(|r| r.kind == EX_OBJ_LIST) {
        // Each embedded, linked or control object is a container holding an `ExOleObjAtom`,
        // whose persistIdRef names the storage.
        for object in records(list.body).filter(|r| r.container) {
            for atom in records(object.body).filter(|r| r.kind == EX_OLE_OBJ_ATOM) {
                let Some(persist) = u32_at(atom.body, 16).filter(|&p| seen.insert(p)) else {
                    continue;
                };
                let Some(&at) = edits.offsets.get(&persist) else {
                    continue;
                };
                if let Some((r, end)) = record(stream, at).filter(|(r, _)| r.kind == EX_OLE_OBJ_STG) {
                    found.push((end - r.body.len()..end, r.instance == 1));
                }
            }
        }
    }
    found
}

/// Reads the text of the presentation whose `PowerPoint Document` stream is `stream`: the
/// persist directory and the document record's body when it is read, else how it went.
fn slides<'s>(
    x: &mut Extractor<'_>,
    file: &mut Compound<'_>,
    stream: &'s [u8],
) -> Result<(Edits, &'s [u8]), Outcome> {
    let user = file.stream_at("/Current User").unwrap_or_default();
    let last_edit = match current_edit(&user) {
        Some(Err(())) => {
            x.encrypted("the presentation");
            return Err(Outcome::Encrypted);
        }
        Some(Ok(at)) => Some(at),
        None => None,
    };
    // Without a readable `Current User`, the last edit written is the last one.
    let last_edit = last_edit
        .filter(|&at| record(stream, at).is_some_and(|(r, _)| r.kind == USER_EDIT))
        .or_else(|| last_user_edit(stream));
    let Some(last_edit) = last_edit else {
        return Err(Outcome::Unread);
    };
    let Some(edits) = Edits::read(stream, last_edit) else {
        x.encrypted("the presentation");
        return Err(Outcome::Encrypted);
    };
    let Some(document) = edits.record(stream, edits.document).filter(|r| r.kind == DOCUMENT) else {
        return Err(Outcome::Unread);
    };
    let lists = SlideLists::read(document.body);
    // Each record is read once, however often the lists name it.
    let mut read = HashSet::new();
    let mut once = |id: u32| read.insert(id).then_some(id);
    for (n, slide) in lists.slides.iter().enumerate() {
        if x.budget.exhausted() {
            break;
        }
        let path = format!("slide {}", n + 1);
        let record = once(slide.persist).and_then(|p| edits.record(stream, p)).filter(|r| r.kind == SLIDE);
        let (hidden, notes) = record.map_or((false, None), |r| slide_facts(r.body));
        for text in &slide.texts {
            emit(x, &path, hidden, text);
        }
        if let Some(r) = record {
            texts(r.body, 0, false, &mut |text, comment| {
                if comment {
                    emit(x, &format!("{path} comment"), hidden, text)
                } else {
                    emit(x, &path, hidden, text)
                }
            });
        }
        let notes = notes
            .and_then(|id| lists.notes.get(&id))
            .and_then(|&p| once(p))
            .and_then(|p| edits.record(stream, p));
        if let Some(r) = notes.filter(|r| r.kind == NOTES) {
            let path = format!("{path} notes");
            texts(r.body, 0, false, &mut |text, _| emit(x, &path, hidden, text));
        }
    }
    for &persist in &lists.masters {
        if let Some(r) = once(persist).and_then(|p| edits.record(stream, p)).filter(|r| r.kind == MAIN_MASTER)
        {
            texts(r.body, 0, false, &mut |text, _| {
                if !text.trim_start().starts_with("Click to edit") {
                    emit(x, "master", false, text);
                }
            });
        }
    }
    Ok((edits, document.body))
}

/// Emits each paragraph of `text` (a text atom's content) under `path`.
fn emit(x: &mut Extractor<'_>, path: &str, hidden: bool, text: &str) {
    for para in text.split(['\r', '\n']) {
        x.emit(Some(path), hidden, &para.replace('\u{b}', " "), &[]);
    }
}

/// Where the last edit is, from the `Current User` stream: `Some(Err(()))` for an encrypted
/// presentation, `None` when the stream is missing or damaged.
fn current_edit(user: &[u8]) -> Option<Result<usize, ()>> {
    let (atom, _) = record(user, 0)?;
    let token = u32_at(atom.body, 4)?;
    if token == ENCRYPTED_TOKEN {
        return Some(Err(()));
    }
    Some(Ok(u32_at(atom.body, 8)? as usize))
}

/// The last `UserEditAtom` at the top level of the stream.
fn last_user_edit(stream: &[u8]) -> Option<usize> {
    let mut at = 0;
    let mut last = None;
    while let Some((r, next)) = record(stream, at) {
        if r.kind == USER_EDIT {
            last = Some(at);
        }
        at = next;
    }
    last
}

/// The persist directory as the edits from the last back to the first leave it, and the
/// document record's persist id.
struct Edits {
    offsets: HashMap<u32, usize>,
    document: u32,
}

impl Edits {
    /// Follows the edits back from the one at `last`; `None` when an edit says the
    /// presentation is encrypted.
    fn read(stream: &[u8], last: usize) -> Option<Edits> {
        let mut edits = Edits { offsets: HashMap::new(), document: 0 };
        let mut at = last;
        let mut seen = Vec::new();
        for i in 0..MAX_EDITS {
            let Some((edit, _)) = record(stream, at).filter(|(r, _)| r.kind == USER_EDIT) else {
                break;
            };
            if seen.contains(&at) {
                break;
            }
            seen.push(at);
            if i == 0 {
                edits.document = u32_at(edit.body, 16).unwrap_or(0);
            }
            // An encryption session named in the edit.
            if edit.body.len() >= 32 && u32_at(edit.body, 28).is_some_and(|id| id != 0) {
                return None;
            }
            if let Some(dir) = u32_at(edit.body, 12).and_then(|d| record(stream, d as usize)) {
                edits.directory(dir.0);
            }
            match u32_at(edit.body, 8) {
                Some(0) | None => break,
                Some(prev) => at = prev as usize,
            }
        }
        Some(edits)
    }

    /// Adds the entries of a persist directory atom that later edits did not set.
    fn directory(&mut self, dir: Record<'_>) {
        if dir.kind != PERSIST_DIRECTORY {
            return;
        }
        let body = dir.body;
        let mut at = 0;
        while let Some(head) = u32_at(body, at) {
            let (first, count) = (head & 0xf_ffff, (head >> 20) as usize);
            for i in 0..count {
                let Some(offset) = u32_at(body, at + 4 + 4 * i) else {
                    return;
                };
                self.offsets.entry(first.saturating_add(i as u32)).or_insert(offset as usize);
            }
            at += 4 + 4 * count;
        }
    }

    /// The record that persist id `id` stands for.
    fn record<'s>(&self, stream: &'s [u8], id: u32) -> Option<Record<'s>> {
        record(stream, *self.offsets.get(&id)?).map(|(r, _)| r)
    }
}

/// A slide as the document lists it: its persist id and the text of its placeholders.
struct Listed {
    persist: u32,
    texts: Vec<String>,
}

/// The slide lists of the document record: slides in order, masters, and notes by id.
#[derive(Default)]
struct SlideLists {
    slides: Vec<Listed>,
    masters: Vec<u32>,
    /// Notes pages: the notes id a slide names, to its persist id.
    notes: HashMap<u32, u32>,
}

impl SlideLists {
    fn read(document: &[u8]) -> SlideLists {
        let mut lists = SlideLists::default();
        for list in records(document).filter(|r| r.kind == SLIDE_LIST) {
            for r in records(list.body) {
                match (list.instance, r.kind) {
                    (_, SLIDE_PERSIST) => {
                        let persist = u32_at(r.body, 0).unwrap_or(0);
                        match list.instance {
                            0 => lists.slides.push(Listed { persist, texts: Vec::new() }),
                            1 => lists.masters.push(persist),
                            _ => {
                                lists.notes.insert(u32_at(r.body, 12).unwrap_or(0), persist);
                            }
                        }
                    }
                    (0, TEXT_CHARS | TEXT_BYTES) => {
                        if let Some(slide) = lists.slides.last_mut() {
                            slide.texts.push(text(r));
                        }
                    }
                    _ => {}
                }
            }
        }
        lists
    }
}

/// Whether a slide is hidden, and the id of its notes page, from its record's body.
fn slide_facts(slide: &[u8]) -> (bool, Option<u32>) {
    let (mut hidden, mut notes) = (false, None);
    for r in records(slide) {
        match r.kind {
            // SlideAtom: geometry, placeholder types, master id, then the notes id.
            SLIDE_ATOM => notes = u32_at(r.body, 16).filter(|&id| id != 0),
            // SlideShowSlideInfoAtom: fHidden in its transition flags.
            SLIDE_SHOW_INFO => hidden = u16_at(r.body, 10).is_some_and(|f| f & 0x0004 != 0),
            _ => {}
        }
    }
    (hidden, notes)
}

/// Calls `f` with the text of every text atom under `body` in order, and whether it is the
/// text of a comment.
fn texts(body: &[u8], depth: usize, in_comment: bool, f: &mut dyn FnMut(&str, bool)) {
    for r in records(body) {
        match r.kind {
            TEXT_CHARS | TEXT_BYTES => f(&text(r), in_comment),
            // A comment's text is its second string (the first is its author).
            CSTRING if in_comment && r.instance == 1 => f(&text(r), true),
            _ if r.container && depth < MAX_NESTING => texts(r.body, depth + 1, r.kind == COMMENT, f),
            _ => {}
        }
    }
}

/// The text of a text atom: UTF-16 (`TextCharsAtom`, `CString`), or 8-bit (`TextBytesAtom`,
/// each byte the low byte of a UTF-16 unit).
fn text(r: Record<'_>) -> String {
    if r.kind == TEXT_BYTES {
        r.body.iter().map(|&b| char::from(b)).collect()
    } else {
        let units: Vec<u16> = r.body.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: u16, instance: u16, container: bool, body: &[u8]) -> Vec<u8> {
        let mut out = ((instance << 4) | if container { 0xf } else { 0 }).to_le_bytes().to_vec();
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn text_atoms_in_order_and_comments() {
        let mut comment = rec(CSTRING, 0, false, &utf16("Author"));
        comment.extend(rec(CSTRING, 1, false, &utf16("Ask Jane")));
        let mut body = rec(TEXT_CHARS, 0, false, &utf16("Title"));
        body.extend(rec(0xf000, 0, true, &rec(TEXT_BYTES, 0, false, b"Caf\xe9")));
        body.extend(rec(COMMENT, 0, true, &comment));
        let mut got = Vec::new();
        texts(&body, 0, false, &mut |t, c| got.push((t.to_string(), c)));
        assert_eq!(got, [("Title".into(), false), ("Café".into(), false), ("Ask Jane".into(), true)]);
    }

    #[test]
    fn lengths_past_the_end_are_cut() {
        let mut bytes = rec(TEXT_CHARS, 0, false, &utf16("Jane"));
        bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        let all: Vec<_> = records(&bytes).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(text(all[0]), "Jane");
        assert_eq!(records(&bytes[..7]).count(), 0);
    }

    #[test]
    fn edits_loop_back_once() {
        // An edit whose previous edit is itself, with a directory mapping id 1 to offset 0.
        let dir = rec(
            PERSIST_DIRECTORY,
            0,
            false,
            &[&(1u32 | 1 << 20).to_le_bytes()[..], &0u32.to_le_bytes()].concat(),
        );
        let mut edit = vec![0u8; 28];
        edit[8..12].copy_from_slice(&(dir.len() as u32).to_le_bytes());
        edit[12..16].copy_from_slice(&0u32.to_le_bytes());
        edit[16..20].copy_from_slice(&1u32.to_le_bytes());
        let mut stream = dir.clone();
        stream.extend(rec(USER_EDIT, 0, false, &edit));
        let edits = Edits::read(&stream, dir.len()).unwrap();
        assert_eq!(edits.document, 1);
        assert_eq!(edits.offsets.get(&1), Some(&0));
        assert_eq!(last_user_edit(&stream), Some(dir.len()));
    }
}
