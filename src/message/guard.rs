//! Limits enforced before mail-parser sees a message.
//!
//! mail-parser builds one value per part and nests a value per attached message; dropping a
//! message with tens of thousands of directly nested message/rfc822 parts overflows the stack
//! and aborts the process, which no `catch_unwind` can stop, and a million tiny parts take
//! twenty times the message size. So one cheap pass over the lines finds where the nesting
//! depth or the part count first goes past the policy, and the message is cut there: what
//! comes before is scanned, what comes after is reported as not scanned.
//!
//! The pass follows MIME structure the way a parser does: header blocks, `Content-Type`
//! (folded lines included), multipart boundaries on a stack, attached messages (and the
//! untyped parts of a digest). An attached message in base64 or quoted-printable is decoded
//! and walked too, since mail-parser decodes and parses it; the pass also reports that it saw
//! one, since that decides which parser the scan uses (see [`Shape`]).

use super::transfer::Transfer;
use crate::model::{Limit, Limits};

/// Where to cut a message, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Bytes to keep.
    pub keep: usize,
    /// The policy key of the limit.
    pub limit: Limit,
    /// What was left out.
    pub detail: String,
}

enum Frame {
    /// A multipart's boundary, and whether it is a digest.
    Multipart(Vec<u8>, bool),
    Message,
}

#[derive(Default)]
struct HeaderBlock {
    content_type: Vec<u8>,
    encoding: Vec<u8>,
    /// Which header the previous line belonged to (for folded continuation lines).
    current: Current,
}

#[derive(Default, PartialEq, Eq)]
enum Current {
    #[default]
    Other,
    ContentType,
    Encoding,
}

/// Longest header value the pass keeps (a Content-Type longer than this is read truncated).
const MAX_VALUE: usize = 4096;

/// What the pass over a message found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Where to cut the message, if it must be cut.
    pub cut: Option<Cut>,
    /// Whether the message (as far as it is kept) attaches a message in base64 or
    /// quoted-printable. mail-parser must then decode bodies as it parses: it reads an
    /// attached message whose encoding it does not know as the message itself.
    pub encoded_messages: bool,
}

/// Finds where `message` must be cut to respect `limits` (`None` when it need not be).
pub fn check(message: &[u8], limits: &Limits) -> Option<Cut> {
    inspect(message, limits).cut
}

/// Finds where `message` must be cut to respect `limits`, and whether it attaches encoded
/// messages.
///
/// An attached message in base64 or quoted-printable is decoded and passed over too, one
/// level deeper: mail-parser decodes and parses it (and what it attaches) in the same way, and
/// a chain of attached messages inside one is as deep to it as one in clear. When such a
/// message goes past a limit, the cut falls where its encoded body starts. What the pass
/// decodes in all is bounded (four times the message); past that the message is cut there.
pub fn inspect(message: &[u8], limits: &Limits) -> Shape {
    inspect_with_bodies(message, limits).0
}

/// [`inspect`], and where the pass saw base64 or quoted-printable bodies of parts that are
/// neither multipart nor attached messages (from the first byte after the part's header block to the start of the
/// boundary line that ends it, or the end of `message`). [`super::elide`](mod@super::elide) takes these as the
/// places worth cutting out of what mail-parser is shown; it checks its cuts against
/// mail-parser's own reading, so a pass that saw the structure otherwise costs time only.
pub(crate) fn inspect_with_bodies(message: &[u8], limits: &Limits) -> (Shape, Vec<std::ops::Range<usize>>) {
    let mut pass = Pass {
        limits,
        parts: 1,
        encoded_messages: false,
        decode_left: 4 * message.len(),
        encoded_bodies: Vec::new(),
    };
    let cut = pass.walk(message, 0);
    (Shape { cut, encoded_messages: pass.encoded_messages }, pass.encoded_bodies)
}

/// What one pass carries across the encoded messages it goes into.
struct Pass<'l> {
    limits: &'l Limits,
    parts: usize,
    encoded_messages: bool,
    /// Bytes the pass may still decode.
    decode_left: usize,
    /// Base64 and quoted-printable bodies of leaf parts of the message itself (not of the encoded messages the pass
    /// goes into).
    encoded_bodies: Vec<std::ops::Range<usize>>,
}

impl Pass<'_> {
    /// Walks `message`, an attached message at `depth` (0 for the message itself).
    fn walk(&mut self, message: &[u8], depth: usize) -> Option<Cut> {
        let limits = self.limits;
        let mut stack: Vec<Frame> = Vec::new();
        let mut in_headers = true;
        let mut block = HeaderBlock::default();
        // The body of an encoded attached message being passed over: where it starts, and
        // how it is encoded.
        let mut encoded: Option<(usize, Transfer)> = None;
        // Where the encoded body of a leaf part being passed over starts.
        let mut encoded_body: Option<usize> = None;
        let mut pos = 0;
        while pos < message.len() {
            let end = memchr::memchr(b'\n', &message[pos..]).map_or(message.len(), |p| pos + p + 1);
            let line = &message[pos..end];
            let content = trim_eol(line);
            if in_headers {
                if content.is_empty() {
                    // End of a header block: what does the body hold?
                    let ct = std::mem::take(&mut block.content_type);
                    let enc = std::mem::take(&mut block.encoding);
                    block.current = Current::Other;
                    in_headers = false;
                    // In a digest, a part with no Content-Type is a message (RFC 2046 5.1.5).
                    let in_digest = matches!(stack.last(), Some(Frame::Multipart(_, true)));
                    let is_message = is_attached_message(&ct) || (in_digest && ct.is_empty());
                    if let Some((boundary, digest)) = multipart_boundary(&ct) {
                        stack.push(Frame::Multipart(boundary, digest));
                    } else if is_message {
                        match Transfer::named(&enc) {
                            Some(t) => {
                                self.encoded_messages = true;
                                if depth + stack.len() + 1 > limits.max_depth {
                                    return Some(too_deep(end, limits));
                                }
                                encoded = Some((end, t));
                            }
                            None => {
                                stack.push(Frame::Message);
                                in_headers = true;
                            }
                        }
                    } else if depth == 0 && Transfer::named(&enc).is_some() {
                        encoded_body = Some(end);
                    }
                    if depth + stack.len() > limits.max_depth {
                        return Some(too_deep(end, limits));
                    }
                } else if content[0] == b' ' || content[0] == b'\t' {
                    match block.current {
                        Current::ContentType => append(&mut block.content_type, content),
                        Current::Encoding => append(&mut block.encoding, content),
                        Current::Other => {}
                    }
                } else if let Some(value) = header_value(content, b"content-type") {
                    block.content_type.clear();
                    append(&mut block.content_type, value);
                    block.current = Current::ContentType;
                } else if let Some(value) = header_value(content, b"content-transfer-encoding") {
                    block.encoding.clear();
                    append(&mut block.encoding, value);
                    block.current = Current::Encoding;
                } else {
                    block.current = Current::Other;
                }
            } else if content.starts_with(b"--") {
                // A boundary of any open multipart closes everything nested inside it.
                let found = stack.iter().rposition(|f| match f {
                    Frame::Multipart(b, _) => {
                        content[2..].starts_with(b) && is_boundary_tail(&content[2 + b.len()..])
                    }
                    Frame::Message => false,
                });
                if let Some(k) = found {
                    if let Some(start) = encoded_body.take() {
                        self.encoded_bodies.push(start..pos);
                    }
                    if let Some((start, t)) = encoded.take() {
                        if let Some(cut) = self.enter(message, start..pos, t, depth + stack.len() + 1) {
                            return Some(cut);
                        }
                    }
                    let b_len = match &stack[k] {
                        Frame::Multipart(b, _) => b.len(),
                        Frame::Message => 0,
                    };
                    let closing = content[2 + b_len..].starts_with(b"--");
                    stack.truncate(if closing { k } else { k + 1 });
                    if !closing {
                        self.parts += 1;
                        if self.parts > limits.max_parts {
                            return Some(Cut {
                                keep: pos,
                                limit: Limit::MaxParts,
                                detail: format!(
                                    "parts after the first {} were not scanned",
                                    limits.max_parts
                                ),
                            });
                        }
                        in_headers = true;
                        block = HeaderBlock::default();
                    }
                }
            }
            pos = if in_headers {
                end
            } else {
                // In a body only a line starting with `--` can matter: jump to the next one.
                let from = end.saturating_sub(1);
                match memchr::memmem::find(&message[from..], b"\n--") {
                    Some(p) => from + p + 1,
                    None => message.len(),
                }
            };
        }
        if let Some(start) = encoded_body {
            self.encoded_bodies.push(start..message.len());
        }
        if let Some((start, t)) = encoded {
            return self.enter(message, start..message.len(), t, depth + stack.len() + 1);
        }
        None
    }

    /// Decodes the body of an encoded attached message at `depth` (`body` in `message`) and
    /// walks it; past a limit inside, `message` is cut where the body starts.
    fn enter(
        &mut self,
        message: &[u8],
        body: std::ops::Range<usize>,
        t: Transfer,
        depth: usize,
    ) -> Option<Cut> {
        let keep = body.start;
        let body = &message[body];
        if body.len() > self.decode_left {
            return Some(Cut {
                keep,
                limit: Limit::MaxDepth,
                detail:
                    "attached messages encoded inside each other past what can be checked were not scanned"
                        .to_string(),
            });
        }
        self.decode_left -= body.len();
        // Not valid in its encoding: mail-parser reads it as text, with nothing inside.
        let decoded = super::transfer::decode(body, t)?;
        self.walk(&decoded, depth).map(|inner| Cut { keep, ..inner })
    }
}

fn too_deep(keep: usize, limits: &Limits) -> Cut {
    Cut {
        keep,
        limit: Limit::MaxDepth,
        detail: format!("parts nested deeper than {} were not scanned", limits.max_depth),
    }
}

/// A top-level header block with more lines than this is rewritten before parsing.
const MANY_HEADER_LINES: usize = 1_000;
/// An address header longer than this is split into several headers of the same field.
const LONG_ADDRESS_HEADER: usize = 64 * 1024;
/// Addresses per header when a long one is split.
const ADDRESSES_PER_HEADER: usize = 1_000;
/// The header fields maildlp reads; with a huge header block, only these are kept.
const READ_FIELDS: &[&[u8]] = &[
    b"to",
    b"cc",
    b"bcc",
    b"from",
    b"sender",
    b"reply-to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
    b"content-disposition",
    b"content-id",
    b"content-description",
    b"content-location",
];

/// A copy of `message` whose top-level header block mail-parser can hold in little memory,
/// or `None` when the block is ordinary (it nearly always is).
///
/// mail-parser keeps a value of about 130 bytes for every header line and a 48-byte value
/// for every address, in vectors that double as they grow: 100,000 header lines take ten
/// times their size. So a header block of more than a thousand lines keeps only the fields
/// maildlp reads (nothing else is scanned in headers), and a To, Cc or Bcc header of more than
/// 64 KiB is split into several headers of the same field, a thousand addresses each, which
/// name the same recipients (groups are closed and reopened around a split).
pub fn slim(message: &[u8]) -> Option<Vec<u8>> {
    let header_end = header_block_end(message);
    let block = &message[..header_end];
    let lines = memchr::memchr_iter(b'\n', block).count();
    if lines <= MANY_HEADER_LINES && block.len() <= LONG_ADDRESS_HEADER {
        return None;
    }
    let fields = fields(block);
    let long = fields.iter().any(|f| f.len() > LONG_ADDRESS_HEADER && is_address_field(f));
    if lines <= MANY_HEADER_LINES && !long {
        return None;
    }
    // Splitting repeats a field name (and a group name) per thousand addresses: leave room so
    // the copy never doubles.
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 4096);
    for field in fields {
        let Some(colon) = memchr::memchr(b':', field) else { continue };
        let name = field[..colon].trim_ascii().to_ascii_lowercase();
        if !READ_FIELDS.contains(&name.as_slice()) {
            continue;
        }
        if field.len() > LONG_ADDRESS_HEADER && is_address_field(field) {
            split_address_field(&field[..colon], &field[colon + 1..], &mut out);
        } else {
            out.extend_from_slice(field);
        }
    }
    out.extend_from_slice(&message[header_end..]);
    Some(out)
}

/// Where the top-level header block ends (the start of the blank line, or the end).
fn header_block_end(m: &[u8]) -> usize {
    let mut pos = 0;
    while pos < m.len() {
        let end = memchr::memchr(b'\n', &m[pos..]).map_or(m.len(), |p| pos + p + 1);
        if trim_eol(&m[pos..end]).is_empty() {
            return pos;
        }
        pos = end;
    }
    m.len()
}

/// The header fields of a block, each with its continuation lines and line end.
fn fields(block: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < block.len() {
        let end = memchr::memchr(b'\n', &block[pos..]).map_or(block.len(), |p| pos + p + 1);
        let continues = pos > 0 && matches!(block[pos], b' ' | b'\t');
        if !continues && pos > start {
            out.push(&block[start..pos]);
            start = pos;
        }
        pos = end;
    }
    if start < block.len() {
        out.push(&block[start..]);
    }
    out
}

fn is_address_field(field: &[u8]) -> bool {
    let name = memchr::memchr(b':', field).map_or(field, |c| &field[..c]);
    let name = name.trim_ascii();
    [&b"to"[..], b"cc", b"bcc"].iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Writes `name: value` as several headers of at most `ADDRESSES_PER_HEADER` entries each,
/// splitting only at commas outside quotes, comments and angle brackets.
fn split_address_field(name: &[u8], value: &[u8], out: &mut Vec<u8>) {
    let (mut quoted, mut escaped, mut comment, mut angle) = (false, false, 0usize, false);
    let mut group: Option<&[u8]> = None;
    let mut piece_start = 0;
    let mut count = 0;
    let mut chunk: Vec<u8> = Vec::new();
    let flush = |chunk: &mut Vec<u8>, out: &mut Vec<u8>, group: Option<&[u8]>, closing: bool| {
        let body = chunk.trim_ascii();
        if !body.is_empty() {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(body);
            if closing && group.is_some() {
                out.push(b';');
            }
            out.extend_from_slice(b"\r\n");
        }
        chunk.clear();
    };
    for (i, &b) in value.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' if quoted || comment > 0 => escaped = true,
            b'"' if comment == 0 => quoted = !quoted,
            b'(' if !quoted => comment += 1,
            b')' if !quoted && comment > 0 => comment -= 1,
            b'<' if !quoted && comment == 0 => angle = true,
            b'>' if !quoted && comment == 0 => angle = false,
            b':' if !quoted && comment == 0 && !angle && group.is_none() => {
                group = Some(value[piece_start..i].trim_ascii());
                chunk.extend_from_slice(&value[piece_start..=i]);
                piece_start = i + 1;
            }
            b';' if !quoted && comment == 0 && !angle && group.is_some() => {
                chunk.extend_from_slice(&value[piece_start..=i]);
                piece_start = i + 1;
                group = None;
            }
            b',' if !quoted && comment == 0 && !angle => {
                count += 1;
                if count % ADDRESSES_PER_HEADER == 0 {
                    chunk.extend_from_slice(&value[piece_start..i]);
                    piece_start = i + 1;
                    flush(&mut chunk, out, group, true);
                    if let Some(g) = group {
                        chunk.extend_from_slice(g);
                        chunk.push(b':');
                    }
                } else {
                    chunk.extend_from_slice(&value[piece_start..=i]);
                    piece_start = i + 1;
                }
            }
            _ => {}
        }
    }
    chunk.extend_from_slice(&value[piece_start..]);
    flush(&mut chunk, out, None, false);
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn append(dst: &mut Vec<u8>, value: &[u8]) {
    let room = MAX_VALUE.saturating_sub(dst.len());
    dst.push(b' ');
    dst.extend_from_slice(&value[..value.len().min(room)]);
}

/// The value of header `name` (lower-case) if `line` is that header.
fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let head = line.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    let rest = &line[name.len()..];
    let rest = rest.trim_ascii_start();
    rest.strip_prefix(b":")
}

/// After `--boundary`: nothing, `--`, or white space (RFC 2046 allows trailing blanks).
fn is_boundary_tail(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"--").unwrap_or(rest);
    rest.iter().all(|b| b.is_ascii_whitespace())
}

/// Whether the media type of Content-Type value `ct` (before any `;`) is `want` (lower-case).
fn media_type_is(ct: &[u8], want: &[u8]) -> bool {
    ct.split(|&b| b == b';').next().unwrap_or(b"").trim_ascii().eq_ignore_ascii_case(want)
}

/// The boundary of a multipart Content-Type value, and whether it is a digest.
fn multipart_boundary(ct: &[u8]) -> Option<(Vec<u8>, bool)> {
    let media = ct.split(|&b| b == b';').next().unwrap_or(b"").trim_ascii();
    if !media.get(..10).is_some_and(|m| m.eq_ignore_ascii_case(b"multipart/")) {
        return None;
    }
    let digest = media[10..].eq_ignore_ascii_case(b"digest");
    // boundary="..." or boundary=...; parameter names are case-insensitive.
    let lower: Vec<u8> = ct.iter().map(u8::to_ascii_lowercase).collect();
    let at = memchr::memmem::find(&lower, b"boundary")?;
    let rest = &ct[at + 8..];
    let rest = rest.trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let value: Vec<u8> = if let Some(q) = rest.strip_prefix(b"\"") {
        q.iter().take_while(|&&b| b != b'"').copied().collect()
    } else {
        rest.iter().take_while(|&&b| b != b';' && !b.is_ascii_whitespace()).copied().collect()
    };
    (!value.is_empty()).then_some((value, digest))
}

fn is_attached_message(ct: &[u8]) -> bool {
    media_type_is(ct, b"message/rfc822") || media_type_is(ct, b"message/global")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn ordinary_headers_are_left_alone() {
        assert_eq!(slim(b"To: a@b.example\r\nSubject: x\r\n\r\nbody\r\n"), None);
    }

    #[test]
    fn many_header_lines_keep_the_fields_maildlp_reads() {
        let mut m: Vec<u8> = (0..2000).flat_map(|i| format!("X-H{i}: v\r\n").into_bytes()).collect();
        m.extend_from_slice(b"To: a@b.example,\r\n c@d.example\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nbody X-H1: not a header\r\n");
        let slim = slim(&m).unwrap();
        assert_eq!(
            slim,
            b"To: a@b.example,\r\n c@d.example\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nbody X-H1: not a header\r\n"
        );
    }

    #[test]
    fn long_address_headers_are_split_into_headers_of_the_same_field() {
        let list: Vec<String> = (0..2500).map(|i| format!("\"Last, First {i}\" <p{i}@x.example>")).collect();
        let m = format!("Cc: {}\r\nTo: G: {};\r\n\r\nbody\r\n", list.join(",\r\n "), list.join(", "));
        let slim = String::from_utf8(slim(m.as_bytes()).unwrap()).unwrap();
        let cc: Vec<&str> = slim.lines().filter(|l| l.starts_with("Cc: ")).collect();
        assert_eq!(cc.len(), 3);
        let to: Vec<&str> = slim.lines().filter(|l| l.starts_with("To: ")).collect();
        assert_eq!(to.len(), 3);
        assert!(to.iter().all(|l| l.starts_with("To: G:") && l.ends_with(';')), "{to:?}");
        // Every address survives, once per field.
        for i in [0, 999, 1000, 2499] {
            assert_eq!(slim.matches(&format!("<p{i}@x.example>")).count(), 2, "p{i}");
        }
        assert!(slim.ends_with("\r\n\r\nbody\r\n"));
    }

    fn limits(depth: usize, parts: usize) -> Limits {
        Limits { max_depth: depth, max_parts: parts, ..Limits::default() }
    }

    #[test]
    fn ordinary_mail_is_not_cut() {
        let m = b"To: a@b\r\nContent-Type: multipart/mixed;\r\n boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\na\r\n--y--\r\n--x--\r\n";
        assert_eq!(check(m, &limits(3, 10)), None);
    }

    #[test]
    fn nesting_is_cut_at_the_limit() {
        let mut m = b"To: a@b\r\n".to_vec();
        for _ in 0..50 {
            m.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
        m.extend_from_slice(b"Subject: deep\r\n\r\nbody\r\n");
        let cut = check(&m, &limits(4, 100)).unwrap();
        assert_eq!(cut.limit, Limit::MaxDepth);
        let kept = &m[..cut.keep];
        assert_eq!(kept.windows(12).filter(|w| w == b"message/rfc8").count(), 5);
    }

    #[test]
    fn boundaries_close_nested_levels() {
        // Many siblings, each an attached message: depth stays 2 however many there are.
        let mut m = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        for _ in 0..20 {
            m.extend_from_slice(b"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\nx\r\n");
        }
        m.extend_from_slice(b"--b--\r\n");
        assert_eq!(check(&m, &limits(2, 100)), None);
        let cut = check(&m, &limits(2, 5)).unwrap();
        assert_eq!(cut.limit, Limit::MaxParts);
    }

    #[test]
    fn encoded_attached_messages_are_walked_inside() {
        let m = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nQ29udGVudC1UeXBlOg==\r\n";
        assert_eq!(check(m, &limits(1, 10)), None);
        assert_eq!(check(m, &limits(0, 10)).map(|c| c.limit), Some(Limit::MaxDepth));
        // Three attached messages in clear inside one in base64: four levels.
        let inner = b"Content-Type: message/rfc822\r\n\r\n".repeat(3);
        let wrapped = format!(
            "To: a@b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64::engine::general_purpose::STANDARD
                .encode([&inner[..], b"Subject: x\r\n\r\nbody\r\n"].concat())
        );
        assert_eq!(check(wrapped.as_bytes(), &limits(4, 10)), None);
        let cut = check(wrapped.as_bytes(), &limits(3, 10));
        assert_eq!(cut.as_ref().map(|c| c.limit), Some(Limit::MaxDepth));
        // Cut where the encoded body starts.
        assert_eq!(cut.map(|c| c.keep), wrapped.find("\r\n\r\n").map(|p| p + 4));
        // ... and they decide the parser.
        assert!(inspect(m, &limits(1, 10)).encoded_messages);
        let quoted = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/global\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\nTo: x@y\r\n--b--\r\n";
        assert!(inspect(quoted, &limits(5, 10)).encoded_messages);
        let plain = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nTo: x@y\r\n\r\nhi\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
        assert!(!inspect(plain, &limits(5, 10)).encoded_messages);
    }

    #[test]
    fn untyped_parts_of_a_digest_are_messages() {
        // mail-parser reads a digest's untyped part as a message, nested: so does the pass.
        // Five digests, each in the untyped part of the one before: ten levels.
        let mut m = b"To: a@b\r\n".to_vec();
        for i in 0..5 {
            m.extend_from_slice(
                format!("Content-Type: multipart/digest; boundary=d{i}\r\n\r\n--d{i}\r\n\r\n").as_bytes(),
            );
        }
        m.extend_from_slice(b"Subject: deep\r\n\r\nbody\r\n");
        assert_eq!(check(&m, &limits(8, 100)).map(|c| c.limit), Some(Limit::MaxDepth));
        assert_eq!(check(&m, &limits(10, 100)), None);
        // Outside a digest, a part with no Content-Type is text: one level.
        let mixed = String::from_utf8_lossy(&m).replace("digest", "mixed");
        assert_eq!(check(mixed.as_bytes(), &limits(1, 100)), None);
        let encoded = b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\nContent-Transfer-Encoding: base64\r\n\r\nVG86IHhAeQ==\r\n--d--\r\n";
        assert!(inspect(encoded, &limits(5, 10)).encoded_messages);
    }

    #[test]
    fn boundary_lookalikes_do_not_count() {
        let m = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bb\r\n--b x\r\n--b--\r\n";
        // Root and one part: "--bb" and "--b x" are not delimiters.
        assert_eq!(check(m, &limits(5, 2)), None);
        assert_eq!(check(m, &limits(5, 1)).map(|c| c.limit), Some(Limit::MaxParts));
    }
}
