//! Rich Text Format: paragraphs, table rows (cells joined by ` | `), headers and footers,
//! annotations, document information, hidden text (`\v`), in the document's code page.
//!
//! Groups are followed on an explicit stack; groups nested deeper than the stack allows are
//! read as plain text of their parent.
//!
//! Embedded objects (`{\object ... {\*\objdata HEX}}`) are not text: their data is decoded
//! from hex and handed back to the caller, which reads the object it holds.

use crate::model::Mark;

use super::extractor::Extractor;

const MAX_GROUPS: usize = 256;

/// Destinations whose text no reader sees (tables of fonts, colours, styles; pictures; binary
/// data; revision and generator bookkeeping).
const SKIP: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "listtable",
    "listoverridetable",
    "pict",
    "objdata",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "mmathPr",
    "filetbl",
    "revtbl",
    "pgdsctbl",
    "object",
    "shppict",
    "nonshppict",
    "bkmkstart",
    "bkmkend",
    "atnid",
    "atnauthor",
    "atndate",
    "wgrffmtfilter",
    "operator",
];

#[derive(Clone, Copy)]
struct State {
    skip: bool,
    /// Inside an object's data (`\objdata`): hex digits are its bytes.
    objdata: bool,
    hidden: bool,
    /// Characters to skip after `\uN` (the `\ucN` setting).
    uc: u32,
    region: Option<&'static str>,
}

struct Para {
    text: String,
    marks: Vec<Mark>,
    region: Option<&'static str>,
}

impl Para {
    fn push(&mut self, s: &str, hidden: bool, region: Option<&'static str>) {
        if self.text.is_empty() {
            self.region = region;
        }
        if self.marks.last().is_some_and(|m| m.hidden) != hidden {
            self.marks.push(Mark { start: self.text.len(), cell: None, hidden });
        }
        self.text.push_str(s);
    }
}

/// The data of the objects embedded in a document, in document order.
pub(super) struct Objects {
    /// Each object's data (`\objdata`), decoded from hex: an OLE 1.0 object.
    pub(super) data: Vec<Vec<u8>>,
    /// Whether the document holds more objects than were kept.
    pub(super) cut: bool,
}

/// Reads the RTF document in `bytes`: a paragraph or table row a segment. Returns the data of
/// its first `max_objects` embedded objects (together no larger than the document).
pub(super) fn read(x: &mut Extractor<'_>, bytes: &[u8], max_objects: usize) -> Objects {
    let mut objects = Objects { data: Vec::new(), cut: false };
    // The object being decoded: its bytes, and a high nibble waiting for its low one.
    let mut object: Option<Vec<u8>> = None;
    let mut nibble: Option<u8> = None;
    let mut encoding = encoding_rs::WINDOWS_1252;
    let mut stack: Vec<State> = Vec::new();
    let mut st = State { skip: false, objdata: false, hidden: false, uc: 1, region: None };
    let mut para = Para { text: String::new(), marks: Vec::new(), region: None };
    let mut pending: Vec<u8> = Vec::new();
    let mut skip_chars = 0u32;
    let mut too_deep = 0usize;
    let mut i = 0;

    let flush_bytes =
        |pending: &mut Vec<u8>, para: &mut Para, st: &State, enc: &'static encoding_rs::Encoding| {
            if !pending.is_empty() {
                if !st.skip {
                    let text = enc.decode_without_bom_handling(pending).0;
                    para.push(&text, st.hidden, st.region);
                }
                pending.clear();
            }
        };
    let end_para = |para: &mut Para, x: &mut Extractor<'_>| {
        if !para.text.trim().is_empty() {
            x.emit_block(para.region, &para.text, &para.marks);
        }
        para.text.clear();
        para.marks.clear();
    };

    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'{' => {
                flush_bytes(&mut pending, &mut para, &st, encoding);
                i += 1;
                if stack.len() >= MAX_GROUPS {
                    too_deep += 1;
                    continue;
                }
                stack.push(st);
                // `{\*\dest ...}`: an optional destination, skipped unless known.
                if bytes[i..].starts_with(b"\\*") {
                    let word_at = i + 2;
                    let word = control_word(&bytes[word_at..]).map(|(w, _, _)| w).unwrap_or("");
                    if word != "annotation" {
                        st.skip = true;
                    }
                }
            }
            b'}' => {
                flush_bytes(&mut pending, &mut para, &st, encoding);
                i += 1;
                if too_deep > 0 {
                    too_deep -= 1;
                } else if let Some(prev) = stack.pop() {
                    // Leaving a header, footer, note or the document information ends its text.
                    if prev.region != st.region {
                        end_para(&mut para, x);
                    }
                    if st.objdata && !prev.objdata {
                        if let Some(data) = object.take() {
                            objects.data.push(data);
                        }
                    }
                    st = prev;
                }
            }
            b'\\' => {
                let rest = &bytes[i + 1..];
                match rest.first() {
                    Some(b'\'') => {
                        if let Some(v) = rest
                            .get(1..3)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                        {
                            if skip_chars > 0 {
                                skip_chars -= 1;
                            } else {
                                pending.push(v);
                            }
                        }
                        i += 4;
                        continue;
                    }
                    Some(&c) if !c.is_ascii_alphabetic() => {
                        flush_bytes(&mut pending, &mut para, &st, encoding);
                        let s = match c {
                            b'~' => " ",
                            b'_' => "-",
                            b'\\' => "\\",
                            b'{' => "{",
                            b'}' => "}",
                            b'\n' | b'\r' => {
                                end_para(&mut para, x);
                                ""
                            }
                            _ => "",
                        };
                        if !st.skip && !s.is_empty() {
                            para.push(s, st.hidden, st.region);
                        }
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
                flush_bytes(&mut pending, &mut para, &st, encoding);
                let Some((word, param, len)) = control_word(rest) else {
                    i += 1;
                    continue;
                };
                i += 1 + len;
                if SKIP.contains(&word) {
                    st.skip = true;
                }
                match word {
                    "objdata" if !st.objdata => {
                        st.objdata = true;
                        nibble = None;
                        if objects.data.len() < max_objects {
                            object = Some(Vec::new());
                        } else {
                            objects.cut = true;
                        }
                    }
                    "bin" if st.objdata => {
                        // Raw bytes in place of hex.
                        let n = param.unwrap_or(0).max(0) as usize;
                        let raw = &bytes[i.min(bytes.len())..i.saturating_add(n).min(bytes.len())];
                        if let Some(data) = object.as_mut() {
                            data.extend_from_slice(raw);
                        }
                        i += n;
                    }
                    "ansicpg" => {
                        if let Some(enc) = param.and_then(codepage) {
                            encoding = enc;
                        }
                    }
                    "bin" => i += param.unwrap_or(0).max(0) as usize,
                    "uc" => st.uc = param.unwrap_or(1).clamp(0, 16) as u32,
                    "u" => {
                        let n = param.unwrap_or(0);
                        let n = if n < 0 { n + 65536 } else { n } as u32;
                        if let Some(c) = char::from_u32(n) {
                            if !st.skip {
                                para.push(c.encode_utf8(&mut [0; 4]), st.hidden, st.region);
                            }
                        }
                        skip_chars = st.uc;
                    }
                    "v" | "deleted" => st.hidden = param != Some(0),
                    "par" | "line" | "sect" | "page" | "row" => end_para(&mut para, x),
                    "cell" | "nestcell" if !st.skip => para.push(" | ", st.hidden, st.region),
                    "tab" if !st.skip => para.push("\t", st.hidden, st.region),
                    "header" | "headerl" | "headerr" | "headerf" => st.region = Some("header"),
                    "footer" | "footerl" | "footerr" | "footerf" => st.region = Some("footer"),
                    "footnote" => st.region = Some("footnote"),
                    "annotation" => st.region = Some("comment"),
                    "info" => st.region = Some("properties"),
                    "title" | "subject" | "author" | "keywords" | "doccomm" | "company" | "manager" => {
                        end_para(&mut para, x)
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ if st.objdata => {
                // A run of hex digits (and white space), decoded in one go.
                let end = memchr::memchr3(b'{', b'}', b'\\', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                if let Some(data) = object.as_mut() {
                    hex(&bytes[i..end], &mut nibble, data);
                }
                i = end;
            }
            _ => {
                if skip_chars > 0 {
                    skip_chars -= 1;
                } else {
                    pending.push(b);
                }
                i += 1;
            }
        }
    }
    flush_bytes(&mut pending, &mut para, &st, encoding);
    end_para(&mut para, x);
    // An object cut off by the end of the document: what was decoded.
    if let Some(data) = object {
        objects.data.push(data);
    }
    objects
}

/// Decodes the hex digits of `text` onto `out` (white space and other bytes passed over), a
/// digit left over waiting in `nibble`.
fn hex(text: &[u8], nibble: &mut Option<u8>, out: &mut Vec<u8>) {
    for &b in text {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => continue,
        };
        match nibble.take() {
            Some(high) => out.push(high << 4 | v),
            None => *nibble = Some(v),
        }
    }
}

/// A control word at the start of `s` (after the backslash): its name, numeric parameter, and
/// length including the delimiting space.
fn control_word(s: &[u8]) -> Option<(&str, Option<i32>, usize)> {
    let letters = s.iter().take_while(|b| b.is_ascii_alphabetic()).count().min(32);
    if letters == 0 {
        return None;
    }
    let word = std::str::from_utf8(&s[..letters]).ok()?;
    let mut len = letters;
    let neg = s.get(len) == Some(&b'-');
    if neg {
        len += 1;
    }
    let digits = s[len..].iter().take_while(|b| b.is_ascii_digit()).count().min(10);
    let param = if digits > 0 {
        let v: i64 = std::str::from_utf8(&s[len..len + digits]).ok()?.parse().ok()?;
        len += digits;
        Some((if neg { -v } else { v }).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
    } else {
        if neg {
            len -= 1;
        }
        None
    };
    if s.get(len) == Some(&b' ') {
        len += 1;
    }
    Some((word, param, len))
}

/// The encoding of a Windows code page number.
fn codepage(cp: i32) -> Option<&'static encoding_rs::Encoding> {
    let label = match cp {
        65001 => "utf-8".to_string(),
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        874 => "windows-874".to_string(),
        1250..=1258 => format!("windows-{cp}"),
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_words() {
        assert_eq!(control_word(b"par Hello"), Some(("par", None, 4)));
        assert_eq!(control_word(b"u-3912?"), Some(("u", Some(-3912), 6)));
        assert_eq!(control_word(b"ansicpg1251\\"), Some(("ansicpg", Some(1251), 11)));
        assert_eq!(control_word(b"'e9"), None);
    }
}
