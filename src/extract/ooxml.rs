//! Office Open XML: XLSX/XLSM workbooks, DOCX/DOCM documents, PPTX presentations.
//!
//! Workbooks are read from their XML rather than through a cell-reading library because what
//! leaks is exactly what such libraries leave out: which sheets, rows and columns are hidden,
//! cell comments, headers and footers. Every part is streamed; nothing but the shared-string
//! table is held.

use std::collections::HashMap;

use super::extractor::Extractor;
use super::flow::{Block, Flow, Grammar, DRAWINGML, WORDML};
use super::row::{push_number, Row};
use super::xml::{attr, attrs, is_on, walk, Node};
use super::zip::Archive;
#[cfg(test)]
use crate::model::cell_name;
use crate::model::Budget;

/// Reads the package's text (workbook, document or presentation, and its properties), and
/// returns the names of the members embedded in it, which are documents of their own for the
/// caller to read: what its `embeddings` folders hold (workbooks, documents, presentations,
/// OLE objects `oleObject1.bin`), and the workbooks its charts' data come from, in the order
/// of the package.
pub(super) fn read(x: &mut Extractor<'_>, archive: &mut Archive<'_>) -> Vec<String> {
    let names = super::zip::names(archive);
    let has = |n: &str| names.iter().any(|m| m == n);
    if has("xl/workbook.xml") {
        workbook(x, archive, &names);
    } else if has("word/document.xml") {
        document(x, archive, &names);
    } else if has("ppt/presentation.xml") {
        presentation(x, archive, &names);
    }
    properties(x, archive);
    embedded(x.budget, archive, names)
}

/// The members of a package (`names`) that are objects embedded in it: those of its
/// `embeddings` folders, and those a chart's relationships name as its data (an embedded
/// package or OLE object), each once.
fn embedded(budget: &Budget, archive: &mut Archive<'_>, names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in &names {
        // `word/charts/_rels/chart1.xml.rels` is the relationships of `word/charts/chart1.xml`.
        let Some(chart) = name
            .strip_suffix(".rels")
            .filter(|n| n.contains("/charts/_rels/"))
            .map(|n| n.replacen("/_rels/", "/", 1))
        else {
            continue;
        };
        for (kind, target) in relationships(budget, archive, &chart).into_values() {
            if (kind.ends_with("/package") || kind.ends_with("/oleObject"))
                && super::zip::has(archive, &target)
            {
                out.push(target);
            }
        }
    }
    out.retain(|n| !n.contains("/embeddings/"));
    out.sort_unstable();
    out.dedup();
    let mut listed: Vec<String> =
        names.into_iter().filter(|n| n.contains("/embeddings/") && !n.ends_with('/')).collect();
    listed.extend(out);
    listed
}

/// Streams the XML part `name` through `f`; `false` when it is missing or damaged.
fn part(budget: &Budget, archive: &mut Archive<'_>, name: &str, f: &mut dyn FnMut(Node<'_>) -> bool) -> bool {
    super::zip::part(archive, name, budget).is_some_and(|input| walk(input, f))
}

/// The relationships of part `of` (`xl/workbook.xml` -> `xl/_rels/workbook.xml.rels`): id to
/// (type, resolved target).
fn relationships(budget: &Budget, archive: &mut Archive<'_>, of: &str) -> HashMap<String, (String, String)> {
    let (dir, file) = of.rsplit_once('/').unwrap_or(("", of));
    let rels = if dir.is_empty() { format!("_rels/{file}.rels") } else { format!("{dir}/_rels/{file}.rels") };
    let mut out = HashMap::new();
    part(budget, archive, &rels, &mut |n| {
        if let Node::Open("Relationship", e) = n {
            if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
                let kind = attr(e, "Type").unwrap_or_default().into_owned();
                out.insert(id.into_owned(), (kind, resolve(dir, &target)));
            }
        }
        true
    });
    out
}

/// A relationship target relative to `dir`, as a member name.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for step in target.split('/') {
        match step {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `B7` -> (7, 2).
fn parse_cell(r: &str) -> Option<(u32, u32)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let mut col: u32 = 0;
    for b in r[..letters].bytes() {
        col = col.checked_mul(26)?.checked_add((b.to_ascii_uppercase() - b'A' + 1) as u32)?;
    }
    let row = r[letters..].parse().ok()?;
    (col > 0).then_some((row, col))
}

/// Strings of a workbook's shared-string table, in one arena.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
}

/// A number format that lays digits into a template (`00000 000000`, `"+44 "0000 000000`):
/// how spreadsheets show phone numbers stored as numbers.
#[derive(Clone, Debug, PartialEq)]
struct DigitTemplate {
    /// Literal text and digit slots (`None`) in order.
    parts: Vec<Option<char>>,
}

impl DigitTemplate {
    /// The template of a format code, if it is only digit placeholders and literals.
    fn parse(code: &str) -> Option<DigitTemplate> {
        let code = code.split(';').next()?;
        let mut parts = Vec::new();
        let mut chars = code.chars();
        let mut zeros = 0;
        while let Some(c) = chars.next() {
            match c {
                '0' => {
                    zeros += 1;
                    parts.push(None);
                }
                '"' => {
                    for q in chars.by_ref() {
                        if q == '"' {
                            break;
                        }
                        parts.push(Some(q));
                    }
                }
                '\\' => parts.push(Some(chars.next()?)),
                ' ' | '-' | '(' | ')' | '+' | '/' => parts.push(Some(c)),
                _ => return None,
            }
        }
        (zeros >= 2).then_some(DigitTemplate { parts })
    }

    /// `digits` laid into the template, right-aligned; extra leading digits go first.
    fn apply(&self, digits: &str, out: &mut String) {
        let slots = self.parts.iter().filter(|p| p.is_none()).count();
        let digits: Vec<char> = digits.chars().collect();
        let pad = slots.saturating_sub(digits.len());
        let extra = digits.len().saturating_sub(slots);
        let mut next = 0;
        let mut slot = 0;
        for p in &self.parts {
            match p {
                Some(c) => out.push(*c),
                None => {
                    if slot == 0 {
                        out.extend(&digits[..extra]);
                        next = extra;
                    }
                    if slot < pad {
                        out.push('0');
                    } else if let Some(d) = digits.get(next) {
                        out.push(*d);
                        next += 1;
                    }
                    slot += 1;
                }
            }
        }
    }
}

/// Per cell style (`s` attribute): the digit template of its number format, if it has one.
fn styles(budget: &Budget, archive: &mut Archive<'_>, path: &str) -> Vec<Option<DigitTemplate>> {
    let mut formats: HashMap<u32, DigitTemplate> = HashMap::new();
    let mut xfs = Vec::new();
    let mut in_xfs = false;
    part(budget, archive, path, &mut |n| {
        match n {
            Node::Open("numFmt", e) => {
                if let (Some(id), Some(code)) = (attr(e, "numFmtId"), attr(e, "formatCode")) {
                    if let (Ok(id), Some(t)) = (id.parse(), DigitTemplate::parse(&code)) {
                        formats.insert(id, t);
                    }
                }
            }
            Node::Open("cellXfs", _) => in_xfs = true,
            Node::Close("cellXfs") => in_xfs = false,
            Node::Open("xf", e) if in_xfs => {
                let id: Option<u32> = attr(e, "numFmtId").and_then(|v| v.parse().ok());
                xfs.push(id.and_then(|id| formats.get(&id).cloned()));
            }
            _ => {}
        }
        xfs.len() < 1 << 20
    });
    xfs
}

struct Sheet {
    name: String,
    rid: String,
    hidden: bool,
}

fn workbook(x: &mut Extractor<'_>, archive: &mut Archive<'_>, names: &[String]) {
    let mut sheets = Vec::new();
    part(x.budget, archive, "xl/workbook.xml", &mut |n| {
        if let Node::Open("sheet", e) = n {
            let state = attr(e, "state");
            sheets.push(Sheet {
                name: attr(e, "name").unwrap_or_default().into_owned(),
                rid: attr(e, "id").unwrap_or_default().into_owned(),
                hidden: matches!(state.as_deref(), Some("hidden" | "veryHidden")),
            });
        }
        true
    });
    let rels = relationships(x.budget, archive, "xl/workbook.xml");
    let target_of = |suffix: &str, default: &str| {
        rels.values()
            .find(|(kind, _)| kind.ends_with(suffix))
            .map_or_else(|| default.to_string(), |(_, t)| t.clone())
    };
    let mut strings = SharedStrings::default();
    let sst = target_of("/sharedStrings", "xl/sharedStrings.xml");
    let (mut in_si, mut in_t, mut skip) = (false, false, 0usize);
    part(x.budget, archive, &sst, &mut |n| {
        match n {
            Node::Open("si", _) => in_si = true,
            Node::Close("si") => {
                in_si = false;
                strings.ends.push(strings.text.len() as u32);
            }
            Node::Open("rPh", _) => skip += 1,
            Node::Close("rPh") => skip = skip.saturating_sub(1),
            Node::Open("t", _) => in_t = true,
            Node::Close("t") => in_t = false,
            Node::Text(t) if in_si && in_t && skip == 0 => strings.text.push_str(t),
            _ => {}
        }
        strings.text.len() < u32::MAX as usize
    });
    let styles = styles(x.budget, archive, &target_of("/styles", "xl/styles.xml"));
    for (i, sheet) in sheets.iter().enumerate() {
        if x.budget.exhausted() {
            return;
        }
        let path = rels.get(&sheet.rid).map(|(_, t)| t.clone()).unwrap_or_else(|| {
            // No relationship: producers name sheets in order.
            format!("xl/worksheets/sheet{}.xml", i + 1)
        });
        if !names.contains(&path) {
            continue;
        }
        worksheet(x, archive, &path, sheet, &strings, &styles);
        comments(x, archive, &path, sheet);
    }
    // Text boxes and shapes drawn over sheets, and charts.
    for (n, name) in numbered(names, "xl/drawings/drawing") {
        flow_part(x, archive, name, &DRAWINGML, Some(&format!("drawing {n}")));
    }
    charts(x, archive, names, "xl/charts/chart");
    // A pivot table keeps its own copy of the data it summarises, even after the source sheet
    // is deleted.
    for name in names.iter().filter(|n| n.starts_with("xl/pivotCache/") && n.ends_with(".xml")) {
        pivot_cache(x, archive, name);
    }
}

/// The values a pivot cache holds: each record (`<r>`) as a line of cells, each shared item on
/// its own.
fn pivot_cache(x: &mut Extractor<'_>, archive: &mut Archive<'_>, name: &str) {
    let mut row = Row::default();
    let mut in_record = false;
    let budget = x.budget;
    part(budget, archive, name, &mut |n| {
        match n {
            Node::Open("r", _) => {
                in_record = true;
                row.clear();
            }
            Node::Close("r") => {
                in_record = false;
                x.emit(Some("pivot cache"), false, &row.text, &[]);
            }
            Node::Open("s" | "n" | "d", e) => {
                if let Some(v) = attr(e, "v") {
                    if in_record {
                        if !row.text.is_empty() {
                            row.text.push_str(" | ");
                        }
                        row.text.push_str(&v);
                    } else {
                        x.emit(Some("pivot cache"), false, &v, &[]);
                    }
                }
            }
            _ => {}
        }
        true
    });
}

/// The type of a cell's value (`t` attribute).
#[derive(Default, Clone, Copy, PartialEq)]
enum CellType {
    /// A number (no `t`, or `n`).
    #[default]
    Number,
    /// An index into the shared strings (`s`).
    Shared,
    /// Text in the cell itself (`inlineStr`).
    Inline,
    /// A boolean (`b`).
    Bool,
    /// Text kept as it is: a formula's string result, an error, an ISO date (`str`, `e`, `d`).
    Text,
}

impl CellType {
    fn of(t: Option<&str>) -> CellType {
        match t {
            Some("s") => CellType::Shared,
            Some("inlineStr") => CellType::Inline,
            Some("b") => CellType::Bool,
            Some("str" | "e" | "d") => CellType::Text,
            _ => CellType::Number,
        }
    }
}

/// What a cell holds while it is read.
#[derive(Default)]
struct Cell {
    kind: CellType,
    style: usize,
    value: String,
    inline: String,
    in_v: bool,
    in_is: bool,
    in_t: bool,
    skip: usize,
}

fn worksheet(
    x: &mut Extractor<'_>,
    archive: &mut Archive<'_>,
    path: &str,
    sheet: &Sheet,
    strings: &SharedStrings,
    styles: &[Option<DigitTemplate>],
) {
    let mut hidden_cols: Vec<(u32, u32)> = Vec::new();
    let mut row = Row::default();
    let (mut row_no, mut col_no, mut row_hidden) = (0u32, 0u32, false);
    let mut cell = Cell::default();
    let mut in_cell = false;
    let mut header_footer: Option<&'static str> = None;
    let mut hf_text = String::new();
    let mut hf: Vec<(&'static str, String)> = Vec::new();
    let budget = x.budget;
    let Some(input) = super::zip::part(archive, path, budget) else {
        return;
    };
    walk(input, &mut |n| {
        match n {
            Node::Open("col", e) if is_on(attr(e, "hidden")) => {
                let min = attr(e, "min").and_then(|v| v.parse().ok()).unwrap_or(0);
                let max = attr(e, "max").and_then(|v| v.parse().ok()).unwrap_or(min);
                hidden_cols.push((min, max));
            }
            Node::Open("row", e) => {
                let [r_attr, hidden_attr] = attrs(e, ["r", "hidden"]);
                row_no = r_attr.and_then(|v| v.parse().ok()).unwrap_or(row_no + 1);
                row_hidden = is_on(hidden_attr);
                col_no = 0;
                row.clear();
            }
            Node::Close("row") => {
                row.drop_empty_cell();
                if !row.text.is_empty() {
                    x.emit(Some(&sheet.name), sheet.hidden || row_hidden, &row.text, &row.marks);
                }
            }
            Node::Open("c", e) => {
                in_cell = true;
                let [r_attr, t_attr, s_attr] = attrs(e, ["r", "t", "s"]);
                let (r, c) = r_attr.and_then(|r| parse_cell(&r)).unwrap_or((row_no, col_no + 1));
                col_no = c;
                row_no = r.max(row_no);
                cell.kind = CellType::of(t_attr.as_deref());
                cell.style = s_attr.and_then(|s| s.parse().ok()).unwrap_or(0);
                cell.value.clear();
                cell.inline.clear();
                (cell.in_v, cell.in_is, cell.in_t, cell.skip) = (false, false, false, 0);
                let col_hidden = hidden_cols.iter().any(|&(a, b)| (a..=b).contains(&c));
                row.drop_empty_cell();
                row.cell(row_no, c, col_hidden);
            }
            Node::Close("c") => {
                in_cell = false;
                match cell.kind {
                    CellType::Shared => {
                        if let Some(s) = cell.value.trim().parse().ok().and_then(|i| strings.get(i)) {
                            row.text.push_str(s);
                        }
                    }
                    CellType::Inline => row.text.push_str(&cell.inline),
                    CellType::Bool => {
                        row.text.push_str(if cell.value.trim() == "1" { "TRUE" } else { "FALSE" })
                    }
                    CellType::Text => row.text.push_str(&cell.value),
                    CellType::Number if cell.value.trim().is_empty() => {}
                    _ => match styles.get(cell.style).and_then(Option::as_ref) {
                        Some(t) if cell.value.trim().bytes().all(|b| b.is_ascii_digit()) => {
                            t.apply(cell.value.trim(), &mut row.text)
                        }
                        _ => push_number(&mut row.text, &cell.value),
                    },
                }
            }
            Node::Open("v", _) if in_cell => cell.in_v = true,
            Node::Close("v") => cell.in_v = false,
            Node::Open("is", _) if in_cell => cell.in_is = true,
            Node::Close("is") => cell.in_is = false,
            Node::Open("rPh", _) => cell.skip += 1,
            Node::Close("rPh") => cell.skip = cell.skip.saturating_sub(1),
            Node::Open("t", _) => cell.in_t = true,
            Node::Close("t") => cell.in_t = false,
            Node::Open("oddHeader" | "evenHeader" | "firstHeader", _) => {
                header_footer = Some("header");
                hf_text.clear();
            }
            Node::Open("oddFooter" | "evenFooter" | "firstFooter", _) => {
                header_footer = Some("footer");
                hf_text.clear();
            }
            Node::Close(
                "oddHeader" | "evenHeader" | "firstHeader" | "oddFooter" | "evenFooter" | "firstFooter",
            ) => {
                if let Some(kind) = header_footer.take() {
                    hf.push((kind, strip_header_codes(&hf_text)));
                }
            }
            Node::Text(t) => {
                if header_footer.is_some() {
                    hf_text.push_str(t);
                } else if cell.in_v {
                    cell.value.push_str(t);
                } else if cell.in_is && cell.in_t && cell.skip == 0 {
                    cell.inline.push_str(t);
                }
            }
            _ => {}
        }
        true
    });
    for (kind, text) in hf {
        x.emit(Some(&format!("{} {kind}", sheet.name)), sheet.hidden, &text, &[]);
    }
}

/// Header and footer text without its formatting codes (`&L`, `&"Arial,Bold"`, `&12`, `&P`).
fn strip_header_codes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '&' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('&') => out.push('&'),
            Some('"') => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            Some(d) if d.is_ascii_digit() => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            Some(_) => out.push(' '),
            None => {}
        }
    }
    out
}

/// Cell comments (notes) of a worksheet, found through its relationships.
fn comments(x: &mut Extractor<'_>, archive: &mut Archive<'_>, sheet_path: &str, sheet: &Sheet) {
    let rels = relationships(x.budget, archive, sheet_path);
    for (kind, target) in rels.values() {
        if !kind.ends_with("/comments") {
            continue;
        }
        let (mut cell, mut text, mut in_t) = (String::new(), String::new(), false);
        let name = &sheet.name;
        part(x.budget, archive, target, &mut |n| {
            match n {
                Node::Open("comment", e) => {
                    cell = attr(e, "ref").unwrap_or_default().into_owned();
                    text.clear();
                }
                Node::Close("comment") => {
                    x.emit(Some(&format!("{name}!{cell} comment")), sheet.hidden, &text, &[])
                }
                Node::Open("t", _) => in_t = true,
                Node::Close("t") => in_t = false,
                Node::Text(t) if in_t => text.push_str(t),
                _ => {}
            }
            true
        });
    }
}

/// Streams a flowing-text part and emits its blocks under `sub`.
fn flow_part(x: &mut Extractor<'_>, archive: &mut Archive<'_>, name: &str, g: &Grammar, sub: Option<&str>) {
    let mut flow = Flow::new(g);
    let budget = x.budget;
    let mut emit = |b: Block<'_>| {
        let sub = if b.comment { Some("comment") } else { sub };
        x.emit_block(sub, b.text, b.marks);
    };
    part(budget, archive, name, &mut |n| {
        flow.node(n, &mut emit);
        true
    });
    flow.finish(&mut emit);
}

/// The charts `prefix` + number + `.xml` (`word/charts/chart1.xml`): their titles and labels,
/// and the text their data caches hold (categories and series names as the chart shows
/// them, also when the data they came from is not in the package), each `chart N`.
fn charts(x: &mut Extractor<'_>, archive: &mut Archive<'_>, names: &[String], prefix: &str) {
    for (n, name) in numbered(names, prefix) {
        let sub = format!("chart {n}");
        flow_part(x, archive, name, &DRAWINGML, Some(&sub));
        // Each cache once (series share their categories), its points one a line.
        let mut caches: Vec<String> = Vec::new();
        let (mut current, mut in_cache, mut in_v) = (String::new(), false, false);
        part(x.budget, archive, name, &mut |n| {
            match n {
                Node::Open("strCache", _) => {
                    in_cache = true;
                    current.clear();
                }
                Node::Close("strCache") => {
                    in_cache = false;
                    if !caches.contains(&current) {
                        caches.push(std::mem::take(&mut current));
                    }
                }
                Node::Open("v", _) if in_cache => in_v = true,
                Node::Close("v") if in_v => {
                    in_v = false;
                    current.push('\n');
                }
                Node::Text(t) if in_v => current.push_str(t),
                _ => {}
            }
            caches.len() < 1 << 16
        });
        for cache in caches {
            x.emit(Some(&sub), false, &cache, &[]);
        }
    }
}

/// Member names matching `prefix` + number + `.xml`, in numeric order.
fn numbered<'n>(names: &'n [String], prefix: &str) -> Vec<(u32, &'n str)> {
    let mut out: Vec<(u32, &str)> = names
        .iter()
        .filter_map(|n| {
            let num = n.strip_prefix(prefix)?.strip_suffix(".xml")?;
            Some((num.parse().ok()?, n.as_str()))
        })
        .collect();
    out.sort_unstable();
    out
}

fn document(x: &mut Extractor<'_>, archive: &mut Archive<'_>, names: &[String]) {
    flow_part(x, archive, "word/document.xml", &WORDML, None);
    let parts: [(&str, &str); 6] = [
        ("word/header", "header"),
        ("word/footer", "footer"),
        ("word/footnotes", "footnote"),
        ("word/endnotes", "endnote"),
        ("word/comments", "comment"),
        ("word/commentsExtended", "comment"),
    ];
    for name in names {
        if x.budget.exhausted() {
            return;
        }
        let sub = parts.iter().find(|(p, _)| {
            name.strip_prefix(p).is_some_and(|rest| {
                rest.strip_suffix(".xml").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
        });
        if let Some((_, sub)) = sub {
            flow_part(x, archive, name, &WORDML, Some(sub));
        }
    }
    charts(x, archive, names, "word/charts/chart");
}

fn presentation(x: &mut Extractor<'_>, archive: &mut Archive<'_>, names: &[String]) {
    for (n, name) in numbered(names, "ppt/slides/slide") {
        flow_part(x, archive, name, &DRAWINGML, Some(&format!("slide {n}")));
    }
    for (n, name) in numbered(names, "ppt/notesSlides/notesSlide") {
        flow_part(x, archive, name, &DRAWINGML, Some(&format!("notes {n}")));
    }
    for name in names.iter().filter(|n| n.starts_with("ppt/comments/") && n.ends_with(".xml")) {
        flow_part(x, archive, name, &DRAWINGML, Some("comment"));
    }
    charts(x, archive, names, "ppt/charts/chart");
}

/// Document properties (title, subject, author, keywords, company, custom properties).
fn properties(x: &mut Extractor<'_>, archive: &mut Archive<'_>) {
    for name in ["docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"] {
        let mut lines: Vec<String> = Vec::new();
        let mut depth = 0usize;
        let mut current = String::new();
        part(x.budget, archive, name, &mut |n| {
            match n {
                Node::Open(_, _) => {
                    depth += 1;
                    current.clear();
                }
                Node::Close(_) => {
                    depth = depth.saturating_sub(1);
                    let v = current.trim();
                    if !v.is_empty() {
                        lines.push(v.to_string());
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_targets() {
        assert_eq!(parse_cell("B7"), Some((7, 2)));
        assert_eq!(parse_cell("AA10"), Some((10, 27)));
        assert_eq!(parse_cell("7"), None);
        assert_eq!(cell_name(10, 27), "AA10");
        assert_eq!(resolve("xl", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl/worksheets", "../comments1.xml"), "xl/comments1.xml");
        assert_eq!(resolve("xl", "/xl/worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml");
    }

    #[test]
    fn digit_templates() {
        let t = DigitTemplate::parse("00000 000000").unwrap();
        let mut s = String::new();
        t.apply("2079460018", &mut s);
        assert_eq!(s, "02079 460018");
        let t = DigitTemplate::parse("\"+44 \"0000 000000").unwrap();
        s.clear();
        t.apply("2079460018", &mut s);
        assert_eq!(s, "+44 2079 460018");
        assert!(DigitTemplate::parse("dd/mm/yyyy").is_none());
        assert!(DigitTemplate::parse("0.00").is_none());
    }

    #[test]
    fn header_codes_stripped() {
        assert_eq!(strip_header_codes("&L&\"Arial,Bold\"&12Jane Doe&RPage &P"), " Jane Doe Page  ");
    }
}
