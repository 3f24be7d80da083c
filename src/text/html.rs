//! HTML to text without gluing words together.
//!
//! mail-parser's own converter joins `<b>Jane</b> Doe` into `JaneDoe` in places, runs table
//! cells together and drops everything after a bare `<`. This one is a small, quote-aware
//! stripper: `<` opens a tag only before a letter, `/`, `!` or `?`; comments, `<script>` and
//! `<style>` are skipped; block and cell tags become line breaks or spaces; inline tags vanish
//! (so `Ja<span>ne</span>` stays `Jane`); entities are decoded leniently by `html-escape`.
//! Hidden text (`display:none`, white on white) is kept on purpose: it still leaves the building.

/// Appends the text of `html` to `out`.
pub fn html_to_text(html: &str, out: &mut String) {
    let b = html.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut run = 0; // start of the pending text run
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let next = b.get(lt + 1).copied().unwrap_or(0);
        if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
            i = lt + 1; // a literal '<'
            continue;
        }
        push_text(&html[run..lt], out);
        let end = if next == b'!' {
            skip_markup_declaration(html, lt, out)
        } else if next == b'?' {
            find_byte(b, lt, b'>')
        } else {
            let (name, is_end, tag_end) = read_tag(b, lt);
            if !is_end && (name.eq_ignore_ascii_case(b"script") || name.eq_ignore_ascii_case(b"style")) {
                skip_raw_text(b, tag_end, name)
            } else {
                if let Some(sep) = tag_separator(name) {
                    push_separator(out, sep);
                }
                tag_end
            }
        };
        i = end.min(n);
        run = i;
    }
    push_text(&html[run..], out);
}

fn push_text(text: &str, out: &mut String) {
    if !text.is_empty() {
        html_escape::decode_html_entities_to_string(text, out);
    }
}

fn push_separator(out: &mut String, sep: char) {
    if !out.ends_with(['\n', ' ']) && !out.is_empty() {
        out.push(sep);
    } else if sep == '\n' && out.ends_with(' ') {
        out.pop();
        out.push('\n');
    }
}

/// Index just past the first `c` at or after `from`, or the end of input.
fn find_byte(b: &[u8], from: usize, c: u8) -> usize {
    memchr::memchr(c, &b[from..]).map_or(b.len(), |p| from + p + 1)
}

/// `<!-- comment -->`, `<![CDATA[ text ]]>` or `<!DOCTYPE ...>`; returns the index after it.
fn skip_markup_declaration(html: &str, lt: usize, out: &mut String) -> usize {
    let rest = &html[lt..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        return comment.find("-->").map_or(html.len(), |p| lt + 4 + p + 3);
    }
    if rest.starts_with("<![CDATA[") {
        let body_start = lt + 9;
        let end = html[body_start..].find("]]>").map_or(html.len(), |p| body_start + p);
        out.push_str(&html[body_start..end]);
        return (end + 3).min(html.len());
    }
    find_byte(html.as_bytes(), lt, b'>')
}

/// Reads the tag opening at `lt`: its name, whether it is an end tag, and the index after `>`.
/// Attribute values are skipped quote-aware, so `<a title="x>y">` ends at the right `>`.
fn read_tag(b: &[u8], lt: usize) -> (&[u8], bool, usize) {
    let mut i = lt + 1;
    let is_end = b.get(i) == Some(&b'/');
    if is_end {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
        i += 1;
    }
    let name = &b[name_start..i];
    let mut quote = 0u8;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            // Only a quote that opens an attribute value counts (after `=` and spaces).
            let mut j = i - 1;
            while j > name_start && b[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
            if j > name_start && b[j - 1] == b'=' {
                quote = c;
            }
        } else if c == b'>' {
            return (name, is_end, i);
        }
    }
    (name, is_end, b.len())
}

/// Skips the raw text of `<script>` or `<style>` up to and including its end tag.
fn skip_raw_text(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(off) = memchr::memmem::find(&b[i..], b"</") {
        let at = i + off + 2;
        let end = at + name.len();
        if end <= b.len() && b[at..end].eq_ignore_ascii_case(name) {
            return find_byte(b, end, b'>');
        }
        i = at;
    }
    b.len()
}

/// The separator a tag stands for: a line break for blocks, a space for cells and images,
/// nothing for inline tags.
fn tag_separator(name: &[u8]) -> Option<char> {
    const BLOCK: &[&[u8]] = &[
        b"address",
        b"article",
        b"aside",
        b"blockquote",
        b"body",
        b"br",
        b"caption",
        b"center",
        b"dd",
        b"details",
        b"dialog",
        b"dir",
        b"div",
        b"dl",
        b"dt",
        b"fieldset",
        b"figcaption",
        b"figure",
        b"footer",
        b"form",
        b"frame",
        b"h1",
        b"h2",
        b"h3",
        b"h4",
        b"h5",
        b"h6",
        b"head",
        b"header",
        b"hr",
        b"html",
        b"legend",
        b"li",
        b"main",
        b"menu",
        b"nav",
        b"ol",
        b"option",
        b"p",
        b"pre",
        b"section",
        b"summary",
        b"table",
        b"tbody",
        b"tfoot",
        b"thead",
        b"title",
        b"tr",
        b"ul",
    ];
    const CELL: &[&[u8]] = &[
        b"td",
        b"th",
        b"img",
        b"input",
        b"button",
        b"select",
        b"textarea",
        b"iframe",
        b"object",
        b"embed",
        b"video",
        b"audio",
        b"canvas",
        b"svg",
        b"math",
        b"wbr",
    ];
    if BLOCK.iter().any(|t| t.eq_ignore_ascii_case(name)) {
        Some('\n')
    } else if CELL.iter().any(|t| t.eq_ignore_ascii_case(name)) {
        Some(' ')
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        let mut s = String::new();
        html_to_text(html, &mut s);
        s
    }

    #[test]
    fn table() {
        struct T {
            name: &'static str,
            input: &'static str,
            want: &'static str,
        }
        let tests = [
            T { name: "inline tags vanish", input: "<b>Jane</b> Doe", want: "Jane Doe" },
            T { name: "tags inside a word", input: "Ja<span>ne</span> Doe", want: "Jane Doe" },
            T { name: "entities", input: "&#74;ane&nbsp;Doe &amp; co", want: "Jane\u{a0}Doe & co" },
            T {
                name: "cells do not glue",
                input: "<table><tr><td>Jane</td><td>Doe</td></tr></table>",
                want: "Jane Doe\n",
            },
            T { name: "blocks break", input: "<p>one</p><p>two</p>", want: "one\ntwo\n" },
            T { name: "bare lt is text", input: "a < b and c<3 d", want: "a < b and c<3 d" },
            T { name: "comments skipped", input: "x<!-- Jane Doe -->y", want: "xy" },
            T { name: "script skipped", input: "a<script>var s='</b>';</script>b", want: "ab" },
            T { name: "style skipped", input: "a<STYLE>p{}</style>b", want: "ab" },
            T { name: "quoted gt in attribute", input: "<a title=\"x>y\">Jane</a>", want: "Jane" },
            T {
                name: "hidden text kept",
                input: "<div style=\"display:none\">Jane Doe</div>",
                want: "Jane Doe\n",
            },
            T { name: "cdata", input: "<![CDATA[Jane]]> Doe", want: "Jane Doe" },
            T { name: "unterminated tag", input: "Jane <b", want: "Jane " },
            T {
                name: "apostrophe in text is not a quote",
                input: "<p>O'Brien</p><p>x</p>",
                want: "O'Brien\nx\n",
            },
        ];
        for t in tests {
            assert_eq!(text(t.input), t.want, "{}", t.name);
        }
    }
}
