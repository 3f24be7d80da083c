//! Flowing text of word-processing and presentation XML (DOCX, PPTX, ODT, ODP): paragraphs
//! become segments, the runs of a paragraph join without a gap (so `Ja`+`ne Do`+`e` reads as
//! `Jane Doe`), the cells of a table row join with ` | ` into one segment, and runs marked
//! hidden carry a hidden mark.

use crate::model::Mark;

use super::xml::{attr, Node};

/// The deepest XML element nesting a reader keeps track of; deeper structure is read as flat
/// text, so a document of a million nested elements costs no more than a flat one.
const MAX_XML_NESTING: usize = 256;

/// The element names (local parts) of one family of formats.
pub(super) struct Grammar {
    /// Elements that hold a paragraph.
    pub para: &'static [&'static str],
    /// Elements whose character data is text; `None`: all character data inside a paragraph.
    pub text: Option<&'static [&'static str]>,
    /// Elements that stand for white space (tabs, breaks).
    pub space: &'static [&'static str],
    /// A table row, and a cell of it.
    pub row: &'static str,
    /// A table cell.
    pub cell: &'static [&'static str],
    /// A run of text (its properties may hide it).
    pub run: &'static str,
    /// Run properties that hide the run (`vanish` in DOCX), read from `val` if present.
    pub hide: &'static [&'static str],
    /// Elements whose text is tracked-deleted (shown only with markup).
    pub deleted: &'static [&'static str],
    /// Elements whose subtree is not text (phonetic guides, field codes).
    pub skip: &'static [&'static str],
    /// Elements whose subtree is a comment (`office:annotation`).
    pub comment: &'static [&'static str],
}

/// Word-processing ML (DOCX).
pub(super) const WORDML: Grammar = Grammar {
    para: &["p"],
    text: Some(&["t", "delText"]),
    space: &["tab", "br", "cr", "ptab"],
    row: "tr",
    cell: &["tc"],
    run: "r",
    hide: &["vanish", "specVanish"],
    deleted: &["delText"],
    skip: &["instrText", "delInstrText", "rPh"],
    comment: &[],
};

/// Drawing ML (PPTX slides, notes and comments).
pub(super) const DRAWINGML: Grammar = Grammar {
    para: &["p"],
    text: Some(&["t", "text"]),
    space: &["tab", "br"],
    row: "tr",
    cell: &["tc"],
    run: "r",
    hide: &[],
    deleted: &[],
    skip: &[],
    comment: &[],
};

/// OpenDocument text (ODT, ODP, and the paragraphs of ODS cells).
pub(super) const ODF: Grammar = Grammar {
    para: &["p", "h"],
    text: None,
    space: &["s", "tab", "line-break"],
    row: "table-row",
    cell: &["table-cell", "covered-table-cell"],
    run: "span",
    hide: &[],
    deleted: &["deletion"],
    skip: &["tracked-changes-metadata", "creator", "date"],
    comment: &["annotation"],
};

#[derive(Default)]
struct Frame {
    text: String,
    marks: Vec<Mark>,
    row: bool,
    comment: bool,
}

/// A paragraph or table row that is complete: its text, hidden marks, and whether it is a
/// comment.
pub(super) struct Block<'a> {
    pub text: &'a str,
    pub marks: &'a [Mark],
    pub comment: bool,
}

/// Reads the nodes of one XML part and calls `emit` with each finished block.
pub(super) struct Flow<'g> {
    g: &'g Grammar,
    frames: Vec<Frame>,
    /// Nesting of elements opened while skipping (0: not skipping).
    skipping: usize,
    /// Inside an element whose character data is text.
    in_text: usize,
    in_deleted: usize,
    in_comment: usize,
    run_hidden: bool,
    in_run_props: bool,
    /// Elements opened beyond the nesting the reader follows.
    too_deep: usize,
    depth: usize,
    /// OpenDocument text styles that hide their text (`text:display="none"`), and the style
    /// being defined.
    hidden_styles: Vec<String>,
    style: Option<String>,
}

impl<'g> Flow<'g> {
    pub(super) fn new(g: &'g Grammar) -> Flow<'g> {
        Flow {
            g,
            frames: Vec::new(),
            skipping: 0,
            in_text: 0,
            in_deleted: 0,
            in_comment: 0,
            run_hidden: false,
            in_run_props: false,
            too_deep: 0,
            depth: 0,
            hidden_styles: Vec::new(),
            style: None,
        }
    }

    fn is(list: &[&str], name: &str) -> bool {
        list.contains(&name)
    }

    fn hidden_now(&self) -> bool {
        self.run_hidden || self.in_deleted > 0
    }

    fn push_text(&mut self, t: &str) {
        let hidden = self.hidden_now();
        let Some(f) = self.frames.last_mut() else {
            return;
        };
        let last_hidden = f.marks.last().is_some_and(|m| m.hidden);
        if hidden != last_hidden {
            f.marks.push(Mark { start: f.text.len(), cell: None, hidden });
        }
        f.text.push_str(t);
    }

    /// Feeds one node; `emit` receives every finished block.
    pub(super) fn node(&mut self, node: Node<'_>, emit: &mut dyn FnMut(Block<'_>)) {
        match node {
            Node::Open(name, e) => {
                self.depth += 1;
                if self.skipping > 0 {
                    self.skipping += 1;
                    return;
                }
                if Self::is(self.g.skip, name) {
                    self.skipping = 1;
                    return;
                }
                if self.depth > MAX_XML_NESTING {
                    self.too_deep += 1;
                    return;
                }
                if Self::is(self.g.comment, name) {
                    self.in_comment += 1;
                }
                if Self::is(self.g.para, name) || name == self.g.row {
                    let comment = self.in_comment > 0;
                    self.frames.push(Frame { row: name == self.g.row, comment, ..Frame::default() });
                } else if Self::is(self.g.space, name) {
                    let n = if name == "s" {
                        attr(e, "c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1).min(64)
                    } else {
                        1
                    };
                    for _ in 0..n {
                        self.push_text(if name == "tab" { "\t" } else { " " });
                    }
                } else if name == self.g.run {
                    self.run_hidden =
                        attr(e, "style-name").is_some_and(|s| self.hidden_styles.iter().any(|h| *h == s));
                } else if name == "style" {
                    self.style = attr(e, "name").map(|s| s.into_owned());
                } else if name == "text-properties" && attr(e, "display").as_deref() == Some("none") {
                    if let Some(s) = self.style.take() {
                        self.hidden_styles.push(s);
                    }
                } else if name == "rPr" {
                    self.in_run_props = true;
                } else if self.in_run_props && Self::is(self.g.hide, name) {
                    self.run_hidden = !matches!(attr(e, "val").as_deref(), Some("0" | "false" | "off"));
                }
                if self.g.text.is_some_and(|t| Self::is(t, name)) {
                    self.in_text += 1;
                }
                if Self::is(self.g.deleted, name) {
                    self.in_deleted += 1;
                }
            }
            Node::Close(name) => {
                self.depth = self.depth.saturating_sub(1);
                if self.skipping > 0 {
                    self.skipping -= 1;
                    return;
                }
                if self.too_deep > 0 {
                    self.too_deep -= 1;
                    return;
                }
                if self.g.text.is_some_and(|t| Self::is(t, name)) {
                    self.in_text = self.in_text.saturating_sub(1);
                }
                if Self::is(self.g.deleted, name) {
                    self.in_deleted = self.in_deleted.saturating_sub(1);
                }
                if name == "rPr" {
                    self.in_run_props = false;
                } else if name == self.g.run {
                    self.run_hidden = false;
                } else if Self::is(self.g.comment, name) {
                    self.in_comment = self.in_comment.saturating_sub(1);
                } else if Self::is(self.g.cell, name) {
                    if let Some(f) = self.frames.last_mut().filter(|f| f.row) {
                        f.text.push_str(" | ");
                    }
                } else if Self::is(self.g.para, name) || name == self.g.row {
                    self.close_block(emit);
                }
            }
            Node::Text(t) => {
                if self.skipping > 0 {
                    return;
                }
                let wanted = match self.g.text {
                    Some(_) => self.in_text > 0,
                    None => !self.frames.is_empty(),
                };
                if wanted {
                    // Line breaks inside the XML source are layout, not text.
                    if t.contains(['\n', '\r']) && self.g.text.is_none() {
                        self.push_text(&t.replace(['\n', '\r'], " "));
                    } else {
                        self.push_text(t);
                    }
                }
            }
        }
    }

    fn close_block(&mut self, emit: &mut dyn FnMut(Block<'_>)) {
        let Some(mut f) = self.frames.pop() else {
            return;
        };
        if f.row {
            let trimmed = f.text.trim_end_matches([' ', '|']).len();
            f.text.truncate(trimmed);
        }
        match self.frames.last_mut() {
            // A paragraph inside a table row (or a text box inside a paragraph) joins its parent
            // with a space, unless it is a comment, which stands on its own.
            Some(parent) if parent.row && !f.comment => {
                if !parent.text.is_empty() && !parent.text.ends_with(' ') {
                    parent.text.push(' ');
                }
                let base = parent.text.len();
                parent.marks.extend(f.marks.iter().map(|m| Mark { start: m.start + base, ..*m }));
                if f.marks.last().is_some_and(|m| m.hidden) {
                    parent.marks.push(Mark { start: base + f.text.len(), cell: None, hidden: false });
                }
                parent.text.push_str(&f.text);
            }
            _ => emit(Block { text: &f.text, marks: &f.marks, comment: f.comment }),
        }
    }

    /// Emits whatever is still open (a part cut short by a limit or damage).
    pub(super) fn finish(&mut self, emit: &mut dyn FnMut(Block<'_>)) {
        while !self.frames.is_empty() {
            self.close_block(emit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml::walk;
    use super::*;

    fn blocks(g: &Grammar, xml: &str) -> Vec<(String, Vec<Mark>, bool)> {
        let mut out = Vec::new();
        let mut flow = Flow::new(g);
        let mut emit = |b: Block<'_>| out.push((b.text.to_string(), b.marks.to_vec(), b.comment));
        walk(xml.as_bytes(), &mut |n| {
            flow.node(n, &mut emit);
            true
        });
        flow.finish(&mut emit);
        out
    }

    #[test]
    fn runs_join_and_rows_read_as_lines() {
        let xml = r#"<w:body><w:p><w:r><w:t>Ja</w:t></w:r><w:r><w:t>ne Do</w:t></w:r><w:r><w:t>e</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Doe</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Jane</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body>"#;
        let got: Vec<String> = blocks(&WORDML, xml).into_iter().map(|b| b.0).collect();
        assert_eq!(got, ["Jane Doe", "Doe | Jane"]);
    }

    #[test]
    fn hidden_runs_and_deletions_are_marked() {
        let xml = r#"<w:p><w:r><w:t xml:space="preserve">Seen </w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>Jane Doe</w:t></w:r><w:del><w:r><w:delText> gone</w:delText></w:r></w:del><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t> shown</w:t></w:r></w:p>"#;
        let b = &blocks(&WORDML, xml)[0];
        assert_eq!(b.0, "Seen Jane Doe gone shown");
        assert_eq!(
            b.1,
            [Mark { start: 5, cell: None, hidden: true }, Mark { start: 18, cell: None, hidden: false }]
        );
    }

    #[test]
    fn odf_hidden_styles_and_deletions() {
        let xml = r#"<office:document-content><office:automatic-styles><style:style style:name="T3" style:family="text"><style:text-properties text:display="none"/></style:style></office:automatic-styles>
            <office:text><text:tracked-changes><text:changed-region><text:deletion><office:change-info><dc:creator>A</dc:creator></office:change-info><text:p>Pablo Ortega</text:p></text:deletion></text:changed-region></text:tracked-changes>
            <text:p>Seen <text:span text:style-name="T3">Fatima Zahra</text:span></text:p></office:text></office:document-content>"#;
        let got = blocks(&ODF, xml);
        assert_eq!(got[0].0, "Pablo Ortega");
        assert_eq!(got[0].1, [Mark { start: 0, cell: None, hidden: true }]);
        assert_eq!(got[1].0, "Seen Fatima Zahra");
        assert_eq!(got[1].1, [Mark { start: 5, cell: None, hidden: true }]);
    }

    #[test]
    fn odf_spaces_and_annotations() {
        let xml = r#"<office:text><text:p>Jane<text:s/>Doe<office:annotation><dc:creator>A</dc:creator><text:p>Ravi Patel</text:p></office:annotation></text:p></office:text>"#;
        let got = blocks(&ODF, xml);
        assert_eq!(got[0].0, "Ravi Patel");
        assert!(got[0].2);
        assert_eq!(got[1].0, "Jane Doe");
    }
}
