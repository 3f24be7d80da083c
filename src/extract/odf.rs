//! OpenDocument: ODS spreadsheets (every sheet, hidden ones and hidden rows and columns
//! marked, cell annotations), ODT text (body, tables, headers and footers, annotations,
//! tracked changes) and ODP presentations (slides and speaker notes); metadata of all three.
//!
//! An object embedded in a document (a spreadsheet in a text, a chart) is a sub-document in a
//! folder of the package (`Object 1/`, with its own `content.xml`), or a file of another
//! application (an OLE object, `Object 2`). The reader returns the objects the content refers
//! to (`draw:object`, `draw:object-ole`), for the caller to read in turn; the pictures that
//! stand in for them (`ObjectReplacements/`) are not read.

use std::cell::Cell;
use std::collections::HashSet;

use super::extractor::Extractor;
use super::flow::{Block, Flow, ODF};
use super::row::Row;
use super::xml::{attr, walk, Node};
use super::zip::Archive;
use crate::model::Budget;

/// An object embedded in a document.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Object {
    /// A sub-document: the folder that holds it (`Object 1/`), read by [`read`] in turn.
    Document(String),
    /// A file of another application (an OLE object): the member's name.
    File(String),
}

impl Object {
    /// The object's name as the package calls it (`Object 1`).
    pub(super) fn name(&self) -> &str {
        match self {
            Object::Document(dir) => dir.trim_end_matches('/').rsplit('/').next().unwrap_or(dir),
            Object::File(name) => name.rsplit('/').next().unwrap_or(name),
        }
    }
}

/// Reads the OpenDocument in `archive`, the package itself (`dir` empty) or the sub-document
/// in folder `dir` (`Object 1/`): its content, headers and footers, and metadata. Returns the
/// objects its content embeds, each once, in the order the content refers to them.
pub(super) fn read(x: &mut Extractor<'_>, archive: &mut Archive<'_>, dir: &str) -> Vec<Object> {
    let mimetype = media_type(x.budget, archive, dir);
    let mut hrefs = Links { list: Vec::new(), seen: HashSet::new(), max: x.limits.max_archive_entries };
    let content = format!("{dir}content.xml");
    let styles = format!("{dir}styles.xml");
    if mimetype.contains("spreadsheet") {
        spreadsheet(x, archive, &content, &mut hrefs);
        flowing(x, archive, &styles, false, &mut Links::none());
    } else {
        let presentation = mimetype.contains("presentation");
        flowing(x, archive, &content, presentation, &mut hrefs);
        flowing(x, archive, &styles, false, &mut Links::none());
    }
    metadata(x, archive, &format!("{dir}meta.xml"));
    objects(archive, dir, hrefs)
}

/// The media type of the document in folder `dir`: the package's `mimetype` member, or the
/// manifest's entry for a sub-document.
fn media_type(budget: &Budget, archive: &mut Archive<'_>, dir: &str) -> String {
    let mut mimetype = String::new();
    if dir.is_empty() {
        if let Some(mut f) = super::zip::by_name(archive, "mimetype") {
            use std::io::Read;
            let _ = (&mut f).take(256).read_to_string(&mut mimetype);
        }
        return mimetype;
    }
    part(budget, archive, "META-INF/manifest.xml", &mut |n| {
        if let Node::Open("file-entry", e) = n {
            if attr(e, "full-path").is_some_and(|p| p == dir) {
                mimetype = attr(e, "media-type").unwrap_or_default().into_owned();
                return false;
            }
        }
        true
    });
    mimetype
}

/// The links of a document's content to the objects it embeds: each once, in order, at most
/// `max` (and one more, for the caller to know there were more).
struct Links {
    list: Vec<String>,
    seen: HashSet<String>,
    max: usize,
}

impl Links {
    /// Links that are not kept (parts that embed nothing).
    fn none() -> Links {
        Links { list: Vec::new(), seen: HashSet::new(), max: 0 }
    }

    /// Keeps the link of an element that embeds an object, if it names a member of the
    /// package (not another file).
    fn node(&mut self, n: &Node<'_>) {
        let Node::Open("object" | "object-ole", e) = n else { return };
        let Some(href) = attr(e, "href") else { return };
        let href = href.strip_prefix("./").unwrap_or(&href).trim_end_matches('/');
        let local =
            !(href.is_empty() || href.starts_with("../") || href.starts_with('/') || href.contains(':'));
        if local && self.list.len() <= self.max && self.seen.insert(href.to_string()) {
            self.list.push(href.to_string());
        }
    }
}

/// The objects that `links` (of the content of the document in `dir`) name inside the
/// package.
fn objects(archive: &Archive<'_>, dir: &str, links: Links) -> Vec<Object> {
    let mut out = Vec::new();
    for href in links.list {
        // A link is an IRI: `Object%201` names `Object 1`.
        for name in [format!("{dir}{href}"), format!("{dir}{}", percent_decoded(&href))] {
            if super::zip::has(archive, &format!("{name}/content.xml")) {
                out.push(Object::Document(format!("{name}/")));
                break;
            } else if super::zip::has(archive, &name) {
                out.push(Object::File(name));
                break;
            }
        }
    }
    out
}

/// `s` with its `%XX` escapes decoded (an escape that is not one, or bytes that are not UTF-8,
/// kept as they are).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn part(budget: &Budget, archive: &mut Archive<'_>, name: &str, f: &mut dyn FnMut(Node<'_>) -> bool) -> bool {
    super::zip::part(archive, name, budget).is_some_and(|input| walk(input, f))
}

/// Text documents and presentations, and the headers and footers in `styles.xml`; the links
/// to embedded objects are kept in `hrefs`.
fn flowing(
    x: &mut Extractor<'_>,
    archive: &mut Archive<'_>,
    name: &str,
    presentation: bool,
    hrefs: &mut Links,
) {
    let budget = x.budget;
    let region: Cell<Option<&'static str>> = Cell::new(None);
    let slide = Cell::new(0u32);
    let notes = Cell::new(false);
    let in_styles = name.ends_with("styles.xml");
    let mut flow = Flow::new(&ODF);
    let mut emit = |b: Block<'_>| {
        let sub = if b.comment {
            Some("comment".to_string())
        } else if presentation {
            Some(format!("{} {}", if notes.get() { "notes" } else { "slide" }, slide.get()))
        } else {
            region.get().map(str::to_string)
        };
        // In styles.xml only headers and footers are text a reader sees.
        if in_styles && region.get().is_none() {
            return;
        }
        x.emit_block(sub.as_deref(), b.text, b.marks);
    };
    part(budget, archive, name, &mut |n| {
        match &n {
            Node::Open("header" | "header-left" | "header-first", _) => region.set(Some("header")),
            Node::Open("footer" | "footer-left" | "footer-first", _) => region.set(Some("footer")),
            Node::Close(
                "header" | "header-left" | "header-first" | "footer" | "footer-left" | "footer-first",
            ) => region.set(None),
            Node::Open("page", _) if presentation => {
                slide.set(slide.get() + 1);
                notes.set(false);
            }
            Node::Open("notes", _) => notes.set(true),
            Node::Close("notes") => notes.set(false),
            _ => hrefs.node(&n),
        }
        flow.node(n, &mut emit);
        true
    });
    flow.finish(&mut emit);
}

/// Spreadsheets (the content part `name`): a row is a line of cells, each cell marked with its
/// reference; the links to embedded objects are kept in `hrefs`.
fn spreadsheet(x: &mut Extractor<'_>, archive: &mut Archive<'_>, name: &str, hrefs: &mut Links) {
    let budget = x.budget;
    let mut hidden_styles: HashSet<String> = HashSet::new();
    let mut style_name: Option<String> = None;
    let mut sheet = String::new();
    let mut sheet_hidden = false;
    let mut hidden_cols: Vec<(u32, u32)> = Vec::new();
    let mut col_count = 0u32;
    let (mut row_no, mut col_no, mut row_hidden, mut row_repeat) = (0u32, 0u32, false, 1u32);
    let mut row = Row::default();
    let mut cell_repeat = 1u32;
    let mut in_cell = false;
    let mut paragraphs_in_cell = 0u32;
    let mut in_p = 0u32;
    let mut annotation: Option<String> = None;
    let mut in_annotation_p = 0u32;
    part(budget, archive, name, &mut |n| {
        hrefs.node(&n);
        match n {
            Node::Open("style", e) => style_name = attr(e, "name").map(|s| s.into_owned()),
            Node::Open("table-properties", e) if attr(e, "display").as_deref() == Some("false") => {
                if let Some(s) = &style_name {
                    hidden_styles.insert(s.clone());
                }
            }
            Node::Open("table", e) => {
                sheet = attr(e, "name").unwrap_or_default().into_owned();
                sheet_hidden = attr(e, "style-name").is_some_and(|s| hidden_styles.contains(s.as_ref()));
                hidden_cols.clear();
                col_count = 0;
                row_no = 0;
            }
            Node::Open("table-column", e) => {
                let n: u32 = attr(e, "number-columns-repeated").and_then(|v| v.parse().ok()).unwrap_or(1);
                let first = col_count + 1;
                col_count = col_count.saturating_add(n);
                if attr(e, "visibility").is_some_and(|v| v != "visible") {
                    hidden_cols.push((first, col_count));
                }
            }
            Node::Open("table-row", e) => {
                row_no = row_no.saturating_add(1);
                row_repeat = attr(e, "number-rows-repeated").and_then(|v| v.parse().ok()).unwrap_or(1);
                row_hidden = attr(e, "visibility").is_some_and(|v| v != "visible");
                col_no = 0;
                row.clear();
            }
            Node::Close("table-row") => {
                row.drop_empty_cell();
                if !row.text.is_empty() {
                    x.emit(Some(&sheet), sheet_hidden || row_hidden, &row.text, &row.marks);
                }
                row_no = row_no.saturating_add(row_repeat.saturating_sub(1));
            }
            Node::Open("table-cell" | "covered-table-cell", e) => {
                in_cell = true;
                paragraphs_in_cell = 0;
                col_no = col_no.saturating_add(1);
                cell_repeat = attr(e, "number-columns-repeated").and_then(|v| v.parse().ok()).unwrap_or(1);
                let hidden = hidden_cols.iter().any(|&(a, b)| (a..=b).contains(&col_no));
                row.drop_empty_cell();
                row.cell(row_no, col_no, hidden);
            }
            Node::Close("table-cell" | "covered-table-cell") => {
                in_cell = false;
                col_no = col_no.saturating_add(cell_repeat.saturating_sub(1));
            }
            Node::Open("annotation", _) if in_cell => annotation = Some(String::new()),
            Node::Close("annotation") => {
                if let Some(text) = annotation.take() {
                    let cell = crate::model::cell_name(row_no, col_no);
                    x.emit(Some(&format!("{sheet}!{cell} comment")), sheet_hidden, &text, &[]);
                }
            }
            Node::Open("p" | "h", _) if in_cell => {
                if annotation.is_some() {
                    in_annotation_p += 1;
                } else {
                    in_p += 1;
                    if paragraphs_in_cell > 0 {
                        row.text.push(' ');
                    }
                    paragraphs_in_cell += 1;
                }
            }
            Node::Close("p" | "h") => {
                if in_annotation_p > 0 {
                    in_annotation_p -= 1;
                    if let Some(a) = annotation.as_mut() {
                        a.push(' ');
                    }
                } else {
                    in_p = in_p.saturating_sub(1);
                }
            }
            Node::Open("s" | "tab" | "line-break", _) if in_p > 0 => row.text.push(' '),
            Node::Text(t) => {
                if in_annotation_p > 0 {
                    if let Some(a) = annotation.as_mut() {
                        a.push_str(t);
                    }
                } else if in_p > 0 {
                    row.text.push_str(t);
                }
            }
            _ => {}
        }
        true
    });
}

/// Title, subject, keywords, author and user-defined properties (the part `name`).
fn metadata(x: &mut Extractor<'_>, archive: &mut Archive<'_>, name: &str) {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    part(x.budget, archive, name, &mut |n| {
        match n {
            Node::Open(..) => current.clear(),
            Node::Close(_) => {
                if !current.trim().is_empty() {
                    lines.push(current.trim().to_string());
                }
                current.clear();
            }
            Node::Text(t) => current.push_str(t),
        }
        lines.len() < 10_000
    });
    if !lines.is_empty() {
        x.emit(Some("properties"), false, &lines.join("\n\n"), &[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_iris() {
        assert_eq!(percent_decoded("Object%201"), "Object 1");
        assert_eq!(percent_decoded("Object 1"), "Object 1");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("a%zz%C3%A9"), "a%zzé");
        assert_eq!(percent_decoded("%FF"), "%FF");
    }
}
