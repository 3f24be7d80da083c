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
    html_to_text_and_aside(html, out, None);
}

/// Text a reader sees beside the flow of a page, each piece on its own: the `alt` text of
/// images (shown whenever images are blocked), `title` tooltips, `aria-label`s, and link
/// targets (`mailto:` and `tel:` targets, http(s) URLs decoded, see [`crate::text::url`]).
#[derive(Debug, Default, Clone)]
pub struct Aside {
    text: String,
    ends: Vec<usize>,
}

impl Aside {
    /// Empties it, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The pieces, in document order.
    pub fn pieces(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let piece = &self.text[start..end];
            start = end;
            piece
        })
    }

    fn end_piece(&mut self, start: usize) {
        if self.text[start..].trim().is_empty() {
            self.text.truncate(start);
        } else {
            self.ends.push(self.text.len());
        }
    }
}

/// Appends the text of `html` to `out` and, when `aside` is given, what its attributes show
/// (alt, title, aria-label text and link targets) to `aside`, each attribute a piece of its
/// own so it never joins the words around it.
pub fn html_to_text_and_aside(html: &str, out: &mut String, mut aside: Option<&mut Aside>) {
    let b = html.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut run = 0; // start of the pending text run
    let mut cells = 0u32; // cells opened in the current table row
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let next = b.get(lt + 1).copied().unwrap_or(0);
        if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
            i = lt + 1; // a literal '<'
            continue;
        }
        push_text(&html[run..lt], out);
        let end = if next == b'!' {
            skip_markup_declaration(html, lt)
        } else if next == b'?' {
            find_byte(b, lt, b'>')
        } else {
            let (name, is_end, tag_end) = read_tag(b, lt);
            let is = |t: &[u8]| name.eq_ignore_ascii_case(t);
            if !is_end
                && (is(b"script") || is(b"style") || is(b"iframe") || is(b"noembed") || is(b"noframes"))
            {
                // Raw text a mail reader does not render.
                skip_raw_text(b, tag_end, name).1
            } else if !is_end && (is(b"title") || is(b"textarea") || is(b"xmp")) {
                // Text up to the end tag, where `<` opens no tag (entities decoded except in xmp).
                push_separator(out, '\n');
                let (text_end, after) = skip_raw_text(b, tag_end, name);
                if is(b"xmp") {
                    out.push_str(&html[tag_end.min(text_end)..text_end]);
                } else {
                    push_text(&html[tag_end.min(text_end)..text_end], out);
                }
                push_separator(out, '\n');
                after
            } else if !is_end && is(b"plaintext") {
                out.push_str(&html[tag_end.min(n)..]);
                n
            } else {
                if !is_end && (is(b"td") || is(b"th")) {
                    // Cells of a row join with ` | `, as document tables' do, so a column's
                    // header can be told (an empty cell still counts).
                    if cells > 0 {
                        push_cell_separator(out);
                    } else {
                        push_separator(out, ' ');
                    }
                    cells += 1;
                } else if let Some(sep) = tag_separator(name) {
                    if is(b"tr") || is(b"table") {
                        cells = 0;
                    }
                    push_separator(out, sep);
                }
                if let Some(aside) = aside.as_deref_mut() {
                    if !is_end {
                        let attrs_start = (lt + 1 + name.len()).min(tag_end);
                        read_attributes(&html[attrs_start..tag_end], aside);
                    }
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
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_entity(rest, out) {
            Some(len) => rest = &rest[len..],
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Decodes the character reference at the start of `s` (which starts with `&`) the way the
/// HTML standard does in text: numeric references with or without `;`, `&#128;`..`&#159;`
/// through windows-1252, invalid code points as U+FFFD; named references with `;` through
/// html-escape's table, and the legacy names a browser also accepts without `;`. Returns the
/// length consumed, or `None` when `&` is a plain ampersand.
fn decode_entity(s: &str, out: &mut String) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let start = if hex { 3 } else { 2 };
        let digits = b[start..]
            .iter()
            .take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
            .count();
        if digits == 0 {
            return None;
        }
        let text = &s[start..start + digits];
        let value = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        out.push(numeric_reference(value));
        let end = start + digits;
        return Some(if b.get(end) == Some(&b';') { end + 1 } else { end });
    }
    let name_len = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 {
        return None;
    }
    if b.get(1 + name_len) == Some(&b';') {
        let entity = &s[..name_len + 2];
        let decoded = html_escape::decode_html_entities(entity);
        if decoded != entity {
            out.push_str(&decoded);
            return Some(entity.len());
        }
    }
    // Legacy names without `;`: the longest one that starts the name.
    let name = &s[1..1 + name_len];
    for len in (2..=name_len.min(6)).rev() {
        if LEGACY.contains(&&name[..len]) {
            let decoded = html_escape::decode_html_entities(&format!("&{};", &name[..len])).into_owned();
            out.push_str(&decoded);
            return Some(1 + len);
        }
    }
    None
}

fn numeric_reference(v: u32) -> char {
    const C1: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
        '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}',
        '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}',
        '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}', '\u{178}',
    ];
    match v {
        0 => '\u{fffd}',
        0x80..=0x9f => C1[(v - 0x80) as usize],
        _ => char::from_u32(v).unwrap_or('\u{fffd}'),
    }
}

/// The character references the HTML standard accepts without a semicolon.
const LEGACY: &[&str] = &[
    "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH",
    "Eacute", "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute",
    "Ocirc", "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave",
    "Uuml", "Yacute", "aacute", "acirc", "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml",
    "brvbar", "ccedil", "cedil", "cent", "copy", "curren", "deg", "divide", "eacute", "ecirc", "egrave",
    "eth", "euml", "frac12", "frac14", "frac34", "gt", "iacute", "icirc", "iexcl", "igrave", "iquest",
    "iuml", "laquo", "lt", "macr", "micro", "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve",
    "ordf", "ordm", "oslash", "otilde", "ouml", "para", "plusmn", "pound", "quot", "raquo", "reg", "sect",
    "shy", "sup1", "sup2", "sup3", "szlig", "thorn", "times", "uacute", "ucirc", "ugrave", "uml", "uuml",
    "yacute", "yen", "yuml",
];

fn push_separator(out: &mut String, sep: char) {
    if !out.ends_with(['\n', ' ']) && !out.is_empty() {
        out.push(sep);
    } else if sep == '\n' && out.ends_with(' ') {
        out.pop();
        out.push('\n');
    }
}

/// Ends a table cell's text with ` | ` (after any space already there).
fn push_cell_separator(out: &mut String) {
    if out.ends_with(' ') {
        out.pop();
    }
    out.push_str(" | ");
}

/// Index just past the first `c` at or after `from`, or the end of input.
fn find_byte(b: &[u8], from: usize, c: u8) -> usize {
    memchr::memchr(c, &b[from..]).map_or(b.len(), |p| from + p + 1)
}

/// `<!-- comment -->`, `<![CDATA[ text ]]>` or `<!DOCTYPE ...>`; returns the index after it.
fn skip_markup_declaration(html: &str, lt: usize) -> usize {
    let rest = &html[lt..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        if comment.starts_with('>') {
            return lt + 5;
        }
        if comment.starts_with("->") {
            return lt + 6;
        }
        return comment.find("-->").map_or(html.len(), |p| lt + 4 + p + 3);
    }
    // `<![CDATA[...]]>` outside SVG and MathML, `<!DOCTYPE>` and the like: a bogus comment
    // that ends at the first `>`, as browsers read it.
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

/// Reads the attributes of a start tag (the text between its name and `>`), keeping those a
/// reader sees.
fn read_attributes(attrs: &str, aside: &mut Aside) {
    let b = attrs.as_bytes();
    let mut i = 0;
    let mut href = String::new();
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &attrs[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            if name.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let end = memchr::memchr(q, &b[i + 1..]).map_or(b.len(), |p| i + 1 + p);
                let v = &attrs[i + 1..end];
                i = end + 1;
                v
            }
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &attrs[start..i]
            }
        };
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("alt") || is("title") || is("aria-label") {
            let start = aside.text.len();
            push_text(value, &mut aside.text);
            aside.end_piece(start);
        } else if is("href") {
            href.clear();
            push_text(value, &mut href);
            let start = aside.text.len();
            if crate::text::url::link_text(&href, &mut aside.text) {
                aside.end_piece(start);
            }
        }
    }
}

/// Finds the end tag of a raw-text element (`</script>`...) from `from`: the index where its
/// text ends and the index after the end tag (both the end of input when it is missing).
fn skip_raw_text(b: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut i = from.min(b.len());
    while let Some(off) = memchr::memmem::find(&b[i..], b"</") {
        let at = i + off + 2;
        let end = at + name.len();
        if end <= b.len()
            && b[at..end].eq_ignore_ascii_case(name)
            && b.get(end).is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
        {
            return (at - 2, find_byte(b, end, b'>'));
        }
        i = at;
    }
    (b.len(), b.len())
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

    #[test]
    fn attributes_a_reader_sees() {
        let html = r#"<p>Hello <img src=x.png alt="Jane Doe"><a href="mailto:jane.doe@example.org?subject=Ravi%20Patel" title='Call Zo&euml; Martin'>write</a>
            <a href=https://x.example/c?v=Ann+Lee>x</a><span aria-label="Eve Moss" style="color:red">s</span><a href="ftp://x/y">f</a><img alt=" "></p>"#;
        let mut out = String::new();
        let mut aside = Aside::default();
        html_to_text_and_aside(html, &mut out, Some(&mut aside));
        let pieces: Vec<&str> = aside.pieces().collect();
        assert_eq!(
            pieces,
            [
                "Jane Doe",
                "jane.doe@example.org subject Ravi Patel",
                "Call Zoë Martin",
                "x.example c v Ann Lee",
                "Eve Moss"
            ]
        );
        // Attribute text stays out of the flow.
        assert!(!out.contains("Jane"), "{out}");
    }

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
                want: "Jane | Doe\n",
            },
            T {
                name: "rows are lines, empty cells count",
                input: "<table><tr><th>NHS no</th><th>Name</th></tr>\n<tr><td></td><td>Jo</td></tr></table>",
                want: "NHS no | Name\n\n | Jo\n",
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
            T { name: "cdata is a bogus comment", input: "<![CDATA[x]]> Doe", want: " Doe" },
            T {
                name: "entities without semicolon",
                input: "&#74ane&nbspDoe &copy2024 &amp co &ampx &notit",
                want: "Jane\u{a0}Doe \u{a9}2024 & co &x \u{ac}it",
            },
            T {
                name: "c1 references are windows-1252",
                input: "News&#153; &#x80;5 &#0; &#xD800;",
                want: "News\u{2122} \u{20ac}5 \u{fffd} \u{fffd}",
            },
            T { name: "unknown entity kept", input: "&bogus; & &#;", want: "&bogus; & &#;" },
            T { name: "title is text", input: "<title>A <b> B</title>C", want: "A <b> B\nC" },
            T { name: "unclosed title swallows the rest", input: "<title>A</td>", want: "A</td>\n" },
            T {
                name: "textarea decodes entities",
                input: "x<textarea>&#74;ane</textarea>",
                want: "x\nJane\n",
            },
            T { name: "iframe fallback skipped", input: "a<iframe>no</iframe>b", want: "ab" },
            T { name: "plaintext", input: "a<plaintext><b>x", want: "a<b>x" },
            T { name: "abrupt comment", input: "a<!-->b<!--->c", want: "abc" },
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
