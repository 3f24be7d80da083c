//! OpenDocument: ODS spreadsheets (every sheet, hidden ones and hidden rows and columns
//! marked, cell annotations), ODT text (body, tables, headers and footers, annotations,
//! tracked changes) and ODP presentations (slides and speaker notes); metadata of all three.

use std::cell::Cell;
use std::collections::HashSet;

use super::extractor::Extractor;
use super::flow::{Block, Flow, ODF};
use super::row::Row;
use super::xml::{attr, walk, Node};
use super::zip::Archive;
use crate::model::Budget;

/// Reads the OpenDocument package in `archive`: its content, headers and footers, and
/// metadata.
pub(super) fn read(x: &mut Extractor<'_>, archive: &mut Archive<'_>) {
    let mut mimetype = String::new();
    if let Some(mut f) = super::zip::by_name(archive, "mimetype") {
        use std::io::Read;
        let _ = (&mut f).take(256).read_to_string(&mut mimetype);
    }
    if mimetype.contains("spreadsheet") {
        spreadsheet(x, archive);
        flowing(x, archive, "styles.xml", false);
    } else {
        let presentation = mimetype.contains("presentation");
        flowing(x, archive, "content.xml", presentation);
        flowing(x, archive, "styles.xml", false);
    }
    metadata(x, archive);
}

fn part(budget: &Budget, archive: &mut Archive<'_>, name: &str, f: &mut dyn FnMut(Node<'_>) -> bool) -> bool {
    super::zip::part(archive, name, budget).is_some_and(|input| walk(input, f))
}

/// Text documents and presentations, and the headers and footers in `styles.xml`.
fn flowing(x: &mut Extractor<'_>, archive: &mut Archive<'_>, name: &str, presentation: bool) {
    let budget = x.budget;
    let region: Cell<Option<&'static str>> = Cell::new(None);
    let slide = Cell::new(0u32);
    let notes = Cell::new(false);
    let in_styles = name == "styles.xml";
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
            _ => {}
        }
        flow.node(n, &mut emit);
        true
    });
    flow.finish(&mut emit);
}

/// Spreadsheets: a row is a line of cells, each cell marked with its reference.
fn spreadsheet(x: &mut Extractor<'_>, archive: &mut Archive<'_>) {
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
    part(budget, archive, "content.xml", &mut |n| {
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

/// Title, subject, keywords, author and user-defined properties.
fn metadata(x: &mut Extractor<'_>, archive: &mut Archive<'_>) {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    part(x.budget, archive, "meta.xml", &mut |n| {
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
