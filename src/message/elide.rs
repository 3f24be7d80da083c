//! Long base64 and quoted-printable bodies cut out of what mail-parser is shown.
//!
//! mail-parser finds where a part ends by looking at every byte of its body for `--` and the
//! boundary, one byte at a time, and makes text of every text part it reads. In real mail most
//! of those bytes are the base64 of photos and documents, and encoded text, which the walker
//! decodes (when it reads them at all) from the message's own bytes. So mail-parser is shown a
//! copy in which the middle lines of each long encoded body are left out (all but the first
//! and the last, and those that hold a `-`), and every encoded body the walker reads is taken
//! from the message itself, through the cuts.
//!
//! Why that reading is mail-parser's own: the lines left out hold no `-` and each ends with a
//! line feed, as does the line before them. Looking for a boundary, mail-parser acts on a line
//! feed (the part ends before it) and on `--` followed by the boundary; in lines with no `-`
//! neither a boundary nor the start of one can stand, so parsing the message goes exactly as
//! parsing the copy does, with the lines in between passed over inside the same body, and all
//! that differs is where the last line feed before the cut lies (and the byte two before a
//! boundary, which mail-parser reads when it ends an attached message: no cut is made with a
//! `-` in the two bytes after it). That shows only when the body
//! ends right where the lines were cut out; the copy's reading is therefore kept only when
//! mail-parser put every cut strictly inside the body of a part of a message left in base64 or
//! quoted-printable (where the walker reads the body from the message, never mail-parser's text
//! of it). Otherwise the
//! message itself is parsed.
//!
//! Which bodies are cut is the pre-parse pass's guess ([`super::guard::inspect_with_bodies`]);
//! the check above is what makes the result right, whatever the guess.

use std::ops::Range;

use mail_parser::{Message, MessagePart, MimeHeaders as _, PartType};

use super::transfer;

/// Fewer lines than this in a row (in bytes) are shown to mail-parser whole.
const MIN_BODY_CUT: usize = 4096;

/// A copy of a message with lines of long encoded bodies left out.
#[derive(Debug)]
pub(crate) struct Elided<'m> {
    /// The message.
    message: &'m [u8],
    /// What mail-parser is shown.
    pub(crate) bytes: Vec<u8>,
    /// Each cut: where it is in `bytes`, and how many bytes of the message were left out there
    /// and at every cut before it.
    cuts: Vec<(usize, usize)>,
}

/// The copy of `message` to show mail-parser, with the middle lines of the `bodies` (see
/// [`super::guard::inspect_with_bodies`]) left out; `None` unless those are most of it.
pub(crate) fn elide<'m>(message: &'m [u8], bodies: &[Range<usize>]) -> Option<Elided<'m>> {
    let spans = cuttable(message, bodies, MIN_BODY_CUT);
    let total: usize = spans.iter().map(Range::len).sum();
    // Only when most of the message can be left out: the copy then holds less than half of
    // it, and copying costs a fraction of mail-parser's look at what is left out.
    if spans.is_empty() || total < message.len() - total {
        return None;
    }
    Some(without(message, &spans))
}

/// The lines of each body that can be left out: all but the first and the last and those
/// holding a `-`, in runs of at least `min` bytes.
fn cuttable(message: &[u8], bodies: &[Range<usize>], min: usize) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    for body in bodies {
        let end = body.end.min(message.len());
        if end <= body.start || end - body.start < min.saturating_add(2) {
            continue;
        }
        // The body's first line stays, and its last one (the line holding its last byte).
        let Some(first) = memchr::memchr(b'\n', &message[body.start..end]) else { continue };
        let from = body.start + first + 1;
        if from >= end {
            continue;
        }
        // Blank lines at the end stay too: mail-parser's body ends before the line feed that
        // ends its last line, which must come after the cut.
        let (mut to, mut kept_text) = (end, false);
        while let Some(last) = memchr::memrchr(b'\n', &message[from..to - 1]) {
            to = from + last + 1;
            kept_text = message[to..end].iter().any(|&b| b != b'\r' && b != b'\n');
            if kept_text {
                break;
            }
        }
        if !kept_text {
            continue;
        }
        if spans.last().is_some_and(|s| s.end > from) {
            continue;
        }
        // Lines holding a `-` stay (a boundary could start there); the runs between them go
        // when they come to `min` bytes. Base64 has no `-`: its body is one run.
        let mut run = from;
        for dash in memchr::memchr_iter(b'-', &message[from..to]).map(|d| from + d) {
            if dash < run {
                continue;
            }
            let line = memchr::memrchr(b'\n', &message[run..dash]).map_or(run, |p| run + p + 1);
            push_cut(message, run..line, min, &mut spans);
            run = memchr::memchr(b'\n', &message[dash..to]).map_or(to, |p| dash + p + 1);
        }
        push_cut(message, run..to, min, &mut spans);
    }
    spans
}

/// Adds `run` (whole lines with no `-`) to the cuts when it comes to `min` bytes and no `-`
/// stands in the two bytes after it. Where mail-parser ends an attached message read in place,
/// it looks at the second byte before the boundary; a boundary starting two bytes or more after
/// a cut has that byte after the cut too.
fn push_cut(message: &[u8], run: Range<usize>, min: usize, spans: &mut Vec<Range<usize>>) {
    let after = &message[run.end..message.len().min(run.end + 2)];
    if run.len() >= min.max(1) && !after.contains(&b'-') {
        spans.push(run);
    }
}

/// `message` without `spans` (in order, apart).
fn without<'m>(message: &'m [u8], spans: &[Range<usize>]) -> Elided<'m> {
    let total: usize = spans.iter().map(Range::len).sum();
    let mut bytes = Vec::with_capacity(message.len() - total);
    let mut cuts = Vec::with_capacity(spans.len());
    let (mut at, mut removed) = (0, 0);
    for s in spans {
        bytes.extend_from_slice(&message[at..s.start]);
        removed += s.len();
        cuts.push((bytes.len(), removed));
        at = s.end;
    }
    bytes.extend_from_slice(&message[at..]);
    Elided { message, bytes, cuts }
}

impl Elided<'_> {
    /// Where position `q` of the copy lies in the message (`q` is not a cut: checked by
    /// [`Elided::holds`] for every position this maps).
    fn original(&self, q: usize) -> usize {
        match self.cuts.partition_point(|&(at, _)| at < q) {
            0 => q,
            n => q + self.cuts[n - 1].1,
        }
    }

    /// Where `raw`, the bytes a message was parsed from, starts in the copy: `None` unless it
    /// is the copy, or the copy without its first bytes (`super::parse` skips blank lines
    /// before the headers). Messages parsed from other bytes (an attached message decoded and
    /// parsed again) have nothing to do with the cuts.
    fn start_of(&self, raw: &[u8]) -> Option<usize> {
        // Addresses compared, never followed: a live buffer other than the copy cannot lie
        // inside it.
        let at = (raw.as_ptr() as usize).checked_sub(self.bytes.as_ptr() as usize)?;
        (at <= self.bytes.len() && self.bytes.len() - at == raw.len()).then_some(at)
    }

    /// Whether mail-parser's reading of the copy is its reading of the message: every cut
    /// strictly inside the body of a part left encoded (see the module documentation).
    pub(crate) fn holds(&self, parsed: &Message<'_>) -> bool {
        let Some(base) = self.start_of(parsed.raw_message.as_ref()) else { return false };
        let mut bodies = Vec::new();
        encoded_bodies(parsed, &mut bodies);
        bodies.sort_unstable_by_key(|b| b.start);
        self.cuts.iter().all(|&(at, _)| {
            let Some(at) = at.checked_sub(base) else { return false };
            let n = bodies.partition_point(|b| b.start < at);
            n > 0 && at < bodies[n - 1].end
        })
    }

    /// The raw body of `part` of `msg` (a message parsed from this copy, or one nested in it),
    /// taken from the message the copy was made of. A message parsed from other bytes (an
    /// attached message decoded and parsed again) has its body from those.
    pub(crate) fn raw_body<'r>(&'r self, msg: &'r Message<'_>, part: &MessagePart<'_>) -> Option<&'r [u8]> {
        let Some(base) = self.start_of(msg.raw_message.as_ref()) else {
            return transfer::raw_body(msg, part);
        };
        let (start, end) = (part.offset_body as usize, part.offset_end as usize);
        if start > end || end > msg.raw_message.len() {
            return None;
        }
        self.message.get(self.original(base + start)..self.original(base + end))
    }
}

/// The raw body spans (in the parsed bytes) of the parts of `msg`, and of the messages inline
/// in it, that mail-parser read as one body and left encoded for the walker.
///
/// A part with no Content-Type, or one naming an attached message, is left out: in a digest or
/// as a message, mail-parser parses what follows its headers as a message of its own, and
/// when that finds nothing, it keeps the span as the part's text.
fn encoded_bodies(msg: &Message<'_>, out: &mut Vec<Range<usize>>) {
    for part in &msg.parts {
        match &part.body {
            PartType::Message(m) => encoded_bodies(m, out),
            PartType::Multipart(_) => {}
            _ => {
                let leaf = part.content_type().is_some_and(|ct| {
                    !(ct.ctype().eq_ignore_ascii_case("message")
                        && ct.subtype().is_some_and(|s| {
                            s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
                        }))
                });
                if leaf && transfer::pending(part).is_some() {
                    out.push(part.offset_body as usize..part.offset_end as usize);
                }
            }
        }
    }
}

/// The check the tests and the fuzzer (`fuzz/fuzz_targets/elide.rs`) hold the copy's reading
/// to, with every body cut however short.
#[cfg(any(test, fuzzing))]
pub(crate) mod check {
    use super::*;
    use crate::message::{guard, lazy_parser, parse};
    use crate::model::Limits;

    /// Whether `a` (the message's parts) and `b` (the copy's) are the same reading: the same
    /// parts with the same headers, spans that map onto each other, the same bodies (encoded
    /// ones compared as the walker reads them, from the message).
    fn same_reading(copy: &Elided, a: &Message<'_>, b: &Message<'_>) -> Result<(), String> {
        if (&a.text_body, &a.html_body, &a.attachments) != (&b.text_body, &b.html_body, &b.attachments) {
            return Err("body lists differ".into());
        }
        if a.parts.len() != b.parts.len() {
            return Err(format!("{} parts, {} in the copy", a.parts.len(), b.parts.len()));
        }
        for (n, (pa, pb)) in a.parts.iter().zip(&b.parts).enumerate() {
            let names = |p: &MessagePart<'_>| -> Vec<String> {
                p.headers.iter().map(|h| format!("{}={:?}", h.name.as_str(), h.value)).collect()
            };
            if names(pa) != names(pb) {
                return Err(format!("part {n}: headers differ"));
            }
            let spans = |p: &MessagePart<'_>| {
                (p.offset_header as usize, p.offset_body as usize, p.offset_end as usize)
            };
            // Offsets count from where mail-parser started, past the same blank lead in both.
            let lead = copy.start_of(b.raw_message.as_ref()).ok_or("parsed from other bytes")?;
            let mapped = |q: usize| copy.original(lead + q) - lead;
            let (h, s, e) = spans(pb);
            if spans(pa) != (mapped(h), mapped(s), mapped(e)) {
                return Err(format!("part {n}: spans {:?}, the copy's map to others", spans(pa)));
            }
            if (pa.encoding, pa.is_encoding_problem) != (pb.encoding, pb.is_encoding_problem) {
                return Err(format!("part {n}: encoding differs"));
            }
            if transfer::pending(pa).is_some() {
                if transfer::raw_body(a, pa) != copy.raw_body(b, pb) {
                    return Err(format!("part {n}: raw body differs"));
                }
                continue;
            }
            match (&pa.body, &pb.body) {
                (PartType::Message(ma), PartType::Message(mb)) => same_reading(copy, ma, mb)?,
                (x, y) if x == y => {}
                _ => return Err(format!("part {n}: body differs")),
            }
        }
        Ok(())
    }

    /// Cuts every body the pass found to its first and last lines, parses both, and when the
    /// copy's reading is kept, holds it to the message's. `Some(kept)` when anything was cut.
    pub(crate) fn reading(raw: &[u8]) -> Result<Option<bool>, String> {
        let (shape, bodies) = guard::inspect_with_bodies(raw, &Limits::default());
        if shape.encoded_messages || shape.cut.is_some() {
            return Ok(None);
        }
        let spans = cuttable(raw, &bodies, 1);
        if spans.is_empty() {
            return Ok(None);
        }
        let copy = without(raw, &spans);
        let lazy = lazy_parser();
        let Some(b) = parse(&lazy, &copy.bytes) else { return Ok(Some(false)) };
        if !copy.holds(&b) {
            return Ok(Some(false));
        }
        let a = parse(&lazy, raw).ok_or("the copy parses, the message does not")?;
        same_reading(&copy, &a, &b)?;
        Ok(Some(true))
    }
}

#[cfg(test)]
mod tests {
    use super::check::reading as check;
    use super::*;
    use crate::message::{guard, lazy_parser, parse};
    use crate::model::Limits;

    fn line(n: usize) -> String {
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkr"[..n]
            .to_string()
    }

    #[test]
    fn a_photo_is_left_out_and_read_from_the_message() {
        let photo: String = (0..200).map(|_| line(76) + "\r\n").collect();
        let raw = format!(
            "From: a@example.org\r\nTo: b@example.org\r\nContent-Type: multipart/mixed; boundary=\"----=_b\"\r\n\r\n\
             ------=_b\r\nContent-Type: text/plain\r\n\r\nJane Doe\r\n\
             ------=_b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n{photo}\
             ------=_b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{photo}\
             ------=_b--\r\n"
        );
        let (_, bodies) = guard::inspect_with_bodies(raw.as_bytes(), &Limits::default());
        assert_eq!(bodies.len(), 2);
        let copy = elide(raw.as_bytes(), &bodies).expect("worth cutting");
        assert!(copy.bytes.len() < raw.len() / 10, "{} of {}", copy.bytes.len(), raw.len());
        assert_eq!(check(raw.as_bytes()), Ok(Some(true)));
        // A copy is made only when most of the message is left out of it.
        let text = "Someone Else wrote this line.\r\n".repeat(1000);
        let mostly_text = raw.replacen("Jane Doe\r\n", &text, 1);
        let (_, bodies) = guard::inspect_with_bodies(mostly_text.as_bytes(), &Limits::default());
        assert_eq!(cuttable(mostly_text.as_bytes(), &bodies, MIN_BODY_CUT).len(), 2);
        assert!(elide(mostly_text.as_bytes(), &bodies).is_none());
    }

    #[test]
    fn a_cut_where_the_body_ends_is_not_kept() {
        // mail-parser ends the body at the line feed before `--b` on the line after the kept
        // first line: in the copy that line feed comes before the cut.
        let raw = format!(
            "To: b@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n{l}\r\n{l}\r\n{l}\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nJane Doe\r\n--b--\r\n",
            l = line(8)
        );
        let (_, bodies) = guard::inspect_with_bodies(raw.as_bytes(), &Limits::default());
        let spans = cuttable(raw.as_bytes(), &bodies, 1);
        assert_eq!(spans.len(), 1);
        let copy = without(raw.as_bytes(), &spans);
        let b = parse(&lazy_parser(), &copy.bytes).expect("a message");
        assert!(copy.holds(&b));
        // Moved by hand to where the body ends (its last line feed, or the boundary line
        // after it), the cut is refused.
        let image = b.parts.iter().find(|p| p.is_content_type("image", "png")).expect("image part");
        let end = image.offset_end as usize;
        assert_eq!(&copy.bytes[end..end + 5], b"\r\n--b");
        for at in [end, end + 2] {
            let moved = Elided {
                message: raw.as_bytes(),
                bytes: copy.bytes.clone(),
                cuts: vec![(at, copy.cuts[0].1)],
            };
            let b = parse(&lazy_parser(), &moved.bytes).expect("a message");
            assert!(!moved.holds(&b), "cut at {at}, body ends at {end}");
        }
    }

    #[test]
    fn quoted_printable_is_cut_around_lines_with_a_dash() {
        let prose: String =
            (0..120).map(|i| format!("Line {i} of the letter to Jane Doe, caf=E9.=\r\n")).collect();
        let raw = format!(
            "To: b@example.org\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{prose}a well-known line\r\n{prose}-- \r\n{prose}Regards\r\n"
        );
        let (_, bodies) = guard::inspect_with_bodies(raw.as_bytes(), &Limits::default());
        let spans = cuttable(raw.as_bytes(), &bodies, 1);
        // Before the first dash's line and after the second's; not right before the signature
        // line, which starts with `-`.
        assert_eq!(spans.len(), 2, "{spans:?}");
        for s in &spans {
            assert!(!raw.as_bytes()[s.start..s.end + 2].contains(&b'-'));
        }
        assert_eq!(check(raw.as_bytes()), Ok(Some(true)));
        assert!(elide(raw.as_bytes(), &bodies).is_some());
    }

    #[test]
    fn no_cut_right_before_a_boundary_in_the_middle_of_a_line() {
        // Found by the property test: mail-parser ends the attached message it reads in place
        // (a `message/rfc822 (c)` the pass took for base64) by looking two bytes before the
        // boundary in `x---b`, which a cut of the blank line before it moved.
        let raw = "From: a@example.org\r\nTo: b@example.org\r\nContent-Type: multipart/mixed; boundary=\"-b\"\r\n\r\n\
                   ---b\r\nContent-Type: message/rfc822 (c)\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                   ---b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n--QUJD\n\
                   Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\nx---b\r\n";
        let (_, bodies) = guard::inspect_with_bodies(raw.as_bytes(), &Limits::default());
        assert!(cuttable(raw.as_bytes(), &bodies, 1).is_empty());
        let line = |n: usize| format!("{}\r\n", line(n));
        let photo = format!("{}{}{}x---b\r\n", line(8), line(8), line(8));
        let raw = raw.replace(
            "--QUJD\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\nx---b\r\n",
            &photo,
        );
        assert_eq!(check(raw.as_bytes()), Ok(None));
    }

    #[test]
    fn blank_lines_before_the_headers_are_counted() {
        // mail-parser is given the message from its first header on (see `super::parse`): its
        // offsets count from there.
        let raw = format!(
            "{}\r\nTo: b@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n{l}\r\n{l}\r\n{l}\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nJane Doe\r\n--b--\r\n",
            " ".repeat(300),
            l = line(8)
        );
        assert_eq!(check(raw.as_bytes()), Ok(Some(true)));
    }

    #[test]
    fn positions_map_past_the_cuts_before_them() {
        let copy = Elided { message: &[], bytes: vec![0; 100], cuts: vec![(10, 5), (20, 12)] };
        let mapped: Vec<usize> = [0, 9, 10, 11, 20, 21, 100].iter().map(|&q| copy.original(q)).collect();
        // A position at a cut is where the lines left out begin (the end of what precedes).
        assert_eq!(mapped, [0, 9, 10, 16, 25, 33, 112]);
    }

    #[test]
    fn base64_read_by_mail_parser_as_a_message_is_never_cut() {
        // The pass takes `message/rfc822 (c)` for a part in base64; mail-parser reads past its
        // headers as an attached message's, not as one body.
        let raw = format!(
            "To: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: message/rfc822 (c)\r\nContent-Transfer-Encoding: base64\r\n\r\n{l}\r\n{l}\r\n{l}\r\n{l}\r\n--b--\r\n",
            l = line(8)
        );
        let (shape, bodies) = guard::inspect_with_bodies(raw.as_bytes(), &Limits::default());
        assert!(!shape.encoded_messages);
        let copy = without(raw.as_bytes(), &cuttable(raw.as_bytes(), &bodies, 1));
        assert_eq!(copy.cuts.len(), 1);
        let b = parse(&lazy_parser(), &copy.bytes).expect("a message");
        assert!(!copy.holds(&b));
    }

    #[test]
    fn public_corpus_reads_alike() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files = vec![dir];
        let (mut kept, mut refused) = (0, 0);
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).expect("corpus").map(|e| e.expect("entry").path()));
                continue;
            }
            let raw = std::fs::read(&p).expect("file");
            match check(&raw) {
                Ok(Some(true)) => kept += 1,
                Ok(Some(false)) => refused += 1,
                Ok(None) => {}
                Err(e) => panic!("{}: {e}", p.display()),
            }
        }
        // Most messages with encoded bodies keep the copy's reading.
        assert!(kept > 100 && refused * 10 < kept, "kept {kept}, refused {refused}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 20000, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Messages built of pieces that meet mail-parser's boundary search where it is
        /// fragile: boundaries that start with `-` or are made of base64 letters, `--` and the
        /// boundary in the middle of a line, `-` alone, bare line feeds, a last line with no
        /// line feed, nested messages, a digest, missing closing boundaries. Whenever the copy's
        /// reading is kept, it is the message's.
        #[test]
        fn kept_readings_are_the_messages(
            top in proptest::sample::select(vec![
                "Content-Type: multipart/mixed; boundary=\"-b\"\r\n\r\n",
                "Content-Type: multipart/mixed; boundary=QUJD\n\n",
                "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                "Content-Type: multipart/digest; boundary=d\r\n\r\n",
            ]),
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "---b\r\n", "---b--\r\n", "--QUJD\n", "--QUJD--\n", "--d\r\n", "--d--\r\n",
                    "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                    "Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n",
                    "Jane=20Doe, caf=E9 au lait=\r\n", "Dear Ravi,\r\n", "well-known\r\n", "<p>x</p>=\n",
                    // Attached messages the pass and mail-parser may see otherwise.
                    "Content-Type: message/rfc822 (c)\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Type: message/rfc822\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Type: image/png\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64 x\r\n\r\n",
                    "Content-Type: message/rfc822\r\n\r\nTo: x@example.org\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n",
                    "--c\r\n", "--c--\r\n",
                    "Content-Type: multipart/alternative; boundary=\"=_a\"\r\n\r\n", "--=_a\r\n", "--=_a--\r\n",
                    "SmFuZSBEb2UsIDEyIEhpZ2ggU3RyZWV0\r\n", "SmFuZSBEb2UsIDEyIEhpZ2ggU3RyZWV0\r\n",
                    "QUJDRA==\r\n", "QUJD\n", "QUJDREVG\r\n", "QUJDREVG\r\n", "QUJDREVG\r\n", "AAAA\r\n",
                    "x---b\r\n", "x--QUJD\n", "A-B\r\n", "-\r\n", "\r\n", "\n", "Zm9v", "--", "-", "\r",
                    "Jane Doe\r\n",
                ]),
                0..40,
            )
        ) {
            let raw = format!("From: a@example.org\r\nTo: b@example.org\r\n{top}{}", pieces.concat());
            if let Err(e) = check(raw.as_bytes()) {
                proptest::prop_assert!(false, "{e}\n{raw:?}");
            }
        }
    }
}
