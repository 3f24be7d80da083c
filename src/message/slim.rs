//! Huge header blocks made small before they are parsed.
//!
//! mail-parser keeps a value of about 130 bytes for every header line and a 48-byte value for
//! every address, in vectors that double as they grow: 100,000 header lines take ten times
//! their size. So the top-level header block of a message is parsed from a slimmed copy when
//! it is huge (see [`slim`]).

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
