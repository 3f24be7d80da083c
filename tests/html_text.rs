//! The HTML-to-text step against a real HTML parser (html5ever, through `scraper`): on every
//! HTML part of the corpus in `tests/corpus`, both give the same words in the same order.

use mail_parser::{MessageParser, PartType};
use maildlp::__private::{html_to_text, normalize};
use scraper::{Html, Node};

mod common;

/// Elements whose content a browser does not render as text.
/// (Mail readers run no scripts, so `noscript` content is shown and kept.)
const HIDDEN: &[&str] = &["script", "style", "template", "iframe", "noembed", "noframes"];
/// Elements that break words apart (block and cell boxes, line breaks, replaced elements).
const BREAKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "title",
    "tr",
    "ul",
    "td",
    "th",
    "img",
    "input",
    "button",
    "select",
    "textarea",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "svg",
    "math",
    "wbr",
];

fn reference_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    out
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    match node.value() {
        Node::Text(t) => out.push_str(t),
        Node::Element(e) => {
            let name = e.name();
            if HIDDEN.contains(&name) {
                return;
            }
            let breaks = BREAKS.contains(&name);
            if breaks {
                out.push(' ');
            }
            for child in node.children() {
                walk(child, out);
            }
            if breaks {
                out.push(' ');
            }
        }
        _ => {
            for child in node.children() {
                walk(child, out);
            }
        }
    }
}

fn html_parts(msg: &mail_parser::Message<'_>, out: &mut Vec<String>) {
    for part in &msg.parts {
        match &part.body {
            PartType::Html(h) => out.push(h.to_string()),
            PartType::Message(m) => html_parts(m, out),
            _ => {}
        }
    }
}

#[test]
fn same_words_as_html5ever_on_the_corpus() {
    let files = common::corpus_files();
    let parser = MessageParser::new();
    let (mut checked, mut differ) = (0, Vec::new());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let Some(msg) = parser.parse(&bytes) else { continue };
        let mut parts = Vec::new();
        html_parts(&msg, &mut parts);
        for (i, html) in parts.iter().enumerate() {
            checked += 1;
            let mut mine = String::new();
            html_to_text(html, &mut mine);
            let (mine, theirs) = (normalize(&mine), normalize(&reference_text(html)));
            if mine != theirs {
                let at = mine.bytes().zip(theirs.bytes()).take_while(|(a, b)| a == b).count();
                let ctx =
                    |s: &str| s.get(at.saturating_sub(40)..(at + 60).min(s.len())).unwrap_or("").to_string();
                differ.push(format!(
                    "{} part {i}:\n  mine:     {}\n  html5ever: {}",
                    file.display(),
                    ctx(&mine),
                    ctx(&theirs)
                ));
            }
        }
    }
    assert!(checked >= 100, "only {checked} HTML parts found");
    assert!(differ.is_empty(), "{} of {checked} HTML parts differ:\n{}", differ.len(), differ.join("\n"));
}
