//! Runs of text in bytes no reader understands, as `strings` finds them: what an unknown
//! binary attachment or member, or a compound file of no known kind, holds for a reader who
//! opens it in a text editor or a hex viewer.

/// Runs of readable text in bytes no reader understands, one a line, as `strings` finds them:
/// 8-bit runs of at least four characters (UTF-8, else windows-1252; fill bytes end a run),
/// and UTF-16 runs,
/// little- and big-endian, each text once.
/// A UTF-16 run keeps to one script (see [`script`]): text does,
/// and binary data read as UTF-16 does not, so the tables, pictures and code of a compound
/// file give few runs instead of megabytes of characters from every corner of Unicode.
pub(super) fn runs(bytes: &[u8]) -> String {
    const MIN: usize = 4;
    let mut out = String::new();
    // Fill is not text: 0xff (padding, free sectors, erased flash; never in UTF-8, and `ÿ` in
    // windows-1252 is rare), and a byte of 0x80 or more next to the same byte (0xcc, 0x80...)
    // end a run as a control byte does, so text right after fill is read alone.
    let printable = |i: usize, b: u8| {
        (0x20..0x7f).contains(&b)
            || ((0x80..0xff).contains(&b)
                && i.checked_sub(1).and_then(|p| bytes.get(p)) != Some(&b)
                && bytes.get(i + 1) != Some(&b))
    };
    // 8-bit runs, mostly ASCII as text is: UTF-8 where the run is UTF-8, else windows-1252.
    let mut run_start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(i, b), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                let run = &bytes[s..i];
                if run.len() >= MIN && run.iter().filter(|b| b.is_ascii()).count() * 4 >= run.len() * 3 {
                    match std::str::from_utf8(run) {
                        Ok(text) => out.push_str(text),
                        Err(_) => out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(run).0),
                    }
                    out.push('\n');
                }
                run_start = None;
            }
            _ => {}
        }
    }
    // UTF-16 runs, little- and big-endian, at both alignments. Little-endian text read
    // big-endian one byte along is the same text again (its zero high bytes are read as zero
    // high bytes), less its first character, and big-endian text read little-endian one byte
    // along likewise: of two such readings of the same bytes, the one that reads more like
    // text in step is kept (see [`in_step`]), the other dropped.
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len() / 2);
    let mut readings: Vec<Vec<Run>> = Vec::with_capacity(4);
    for big_endian in [false, true] {
        for align in 0..2 {
            readings.push(utf16_runs(bytes, big_endian, align, &mut units));
        }
    }
    // Little-endian at alignment `a` reads the same bytes as big-endian at `1 - a`.
    for a in 0..2 {
        let (le, be) = readings.split_at_mut(2);
        settle(&mut le[a], &mut be[1 - a]);
    }
    for run in readings.iter().flatten().filter(|r| !r.dropped) {
        out.push_str(&run.text);
        out.push('\n');
    }
    out
}

/// A run of UTF-16 text: the bytes it was read from, its text, and how much it looks like
/// text read in step (see [`in_step`]).
struct Run {
    start: usize,
    end: usize,
    text: String,
    score: usize,
    dropped: bool,
}

/// How much `units` look like text read in step: two points for each letter of the run's
/// most common 256-character block (its script) and each space or punctuation mark of ASCII,
/// less one for every other unit. Text read one byte along in the other byte order is the same
/// letters but where the block changes, where a unit is made of one character's high byte and
/// the next one's low byte: a space or comma after Cyrillic becomes a Cyrillic letter
/// ("Ольга, " reads "льгаЬ "), a stray byte before the text a letter of another block
/// ("蠁Jane Doe" for "Jane Doe" after the byte 0x88). A Latin-1 letter at either end counts
/// for nothing: the wrong reading of Latin text followed by a padding byte ends with one
/// ("Owen Priceÿ" for "Owen Price" before 0xff).
fn in_step(units: &[u16]) -> usize {
    let mut counts = [0usize; 256];
    for &u in units {
        counts[usize::from(u >> 8)] += 1;
    }
    let block = counts.iter().enumerate().max_by_key(|&(_, c)| c).map_or(0, |(b, _)| b as u16);
    let (mut good, mut others) = (0usize, 0usize);
    for (i, &u) in units.iter().enumerate() {
        let edge = i == 0 || i + 1 == units.len();
        if edge && (0x80..=0xff).contains(&u) {
            continue;
        }
        let letter = u >> 8 == block && char::from_u32(u32::from(u)).is_some_and(char::is_alphabetic);
        let punctuation = u < 0x7f && (u == 0x20 || (u as u8).is_ascii_punctuation());
        if letter || punctuation {
            good += 1;
        } else {
            others += 1;
        }
    }
    (2 * good).saturating_sub(others)
}

/// The UTF-16 runs of `bytes` read from byte `align` on, little- or big-endian; `units` is a
/// buffer for the code units.
fn utf16_runs(bytes: &[u8], big_endian: bool, align: usize, units: &mut Vec<u16>) -> Vec<Run> {
    const MIN: usize = 4;
    let mut runs = Vec::new();
    let mut flush = |units: &[u16], first: usize, script: u16| {
        if units.len() >= MIN && !out_of_step(units, script) {
            let text = String::from_utf16_lossy(units);
            let start = align + 2 * first;
            runs.push(Run {
                start,
                end: start + 2 * units.len(),
                score: in_step(units),
                text,
                dropped: false,
            });
        }
    };
    units.clear();
    let unit = |c: &[u8]| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    };
    units.extend(bytes.get(align..).unwrap_or_default().chunks_exact(2).map(unit));
    // The run: where it starts and the script it keeps to (`LATIN` until another is seen).
    let mut run: Option<(usize, u16)> = None;
    for (i, &u) in units.iter().enumerate() {
        run = match (script(u), run) {
            (None, None) => None,
            (None, Some((s, h))) => {
                flush(&units[s..i], s, h);
                None
            }
            (Some(g), None) => Some((i, g)),
            (Some(LATIN), Some(r)) => Some(r),
            (Some(g), Some((s, LATIN))) => Some((s, g)),
            (Some(g), Some((s, h))) if g == h => Some((s, h)),
            (Some(g), Some((s, h))) => {
                flush(&units[s..i], s, h);
                Some((i, g))
            }
        };
    }
    if let Some((s, h)) = run {
        flush(&units[s..], s, h);
    }
    runs
}

/// Of the runs of two readings of the same bytes one byte apart (little-endian at one
/// alignment, big-endian at the other), keeps where they overlap the one that reads more in
/// step (little-endian on a tie): a run of one reading against the runs of the other it
/// overlaps.
fn settle(le: &mut [Run], be: &mut [Run]) {
    let mut first = 0;
    for b in be.iter_mut() {
        while le.get(first).is_some_and(|l| l.end <= b.start) {
            first += 1;
        }
        let overlapping = le[first..].iter().take_while(|l| l.start < b.end).count();
        let against = &mut le[first..first + overlapping];
        if against.is_empty() {
            continue;
        }
        let score: usize = against.iter().filter(|l| !l.dropped).map(|l| l.score).sum();
        if b.score > score {
            against.iter_mut().for_each(|l| l.dropped = true);
        } else {
            b.dropped = true;
        }
    }
}

/// Whether a run of `script` is text read one byte out of step: then each unit's low byte is
/// the high byte of a character of the real text, the same for most ("a\0" reads as U+6100,
/// Cyrillic as Hangul), where text in a script of its own has low bytes all over.
fn out_of_step(units: &[u16], script: u16) -> bool {
    if script == LATIN {
        return false;
    }
    let mut counts = [0usize; 256];
    for &u in units {
        counts[usize::from(u & 0xff)] += 1;
    }
    counts.iter().max().is_some_and(|&most| most * 2 >= units.len())
}

/// Latin letters with their diacritics, punctuation, currency and letter-like symbols: these
/// go with text in any script.
const LATIN: u16 = 0;

/// The script of a UTF-16 code unit, for run finding: [`LATIN`], or a group a run keeps to
/// (Greek, Cyrillic, Han with kana and full-width forms, Hangul, else the unit's 256-character
/// block); `None` for what is not text (controls, surrogates, private use, specials).
fn script(u: u16) -> Option<u16> {
    Some(match u {
        0x20..=0x7e | 0xa0..=0x036f | 0x1e00..=0x1eff | 0x2000..=0x206f | 0x20a0..=0x214f => LATIN,
        0..=0x9f | 0xd800..=0xf8ff | 0xfff0..=0xffff => return None,
        0x0370..=0x03ff | 0x1f00..=0x1fff => 0x03,
        0x0400..=0x052f => 0x04,
        0x3000..=0x30ff | 0x3400..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef => 0x4e,
        0x1100..=0x11ff | 0x3130..=0x318f | 0xac00..=0xd7af => 0xac,
        _ => u >> 8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// Names in the scripts the tests read.
    const NAMES: [&str; 6] =
        ["Jane Doe", "Đặng Thị Hoa", "Ольга Петрова", "Γιώργος Παπαδόπουλος", "王秀英 様", "김민준 님"];

    #[test]
    fn text_runs_in_any_script() {
        for name in NAMES {
            let mut file = vec![0u8, 0, 0x13, 0x88, 0x01, 0];
            file.extend(utf16le(name));
            file.extend([0, 0, 0xff, 0xfe]);
            let text = runs(&file);
            assert!(text.lines().any(|l| l == name), "{name}: {text:?}");
        }
        // 8-bit (windows-1252) text.
        assert!(runs(b"\x01\x02Zo\xeb Smith\x00").lines().any(|l| l == "Zoë Smith"));
        // A change of script ends a run; Latin punctuation joins either.
        assert_eq!(runs(&utf16le("Ольга, Γιώργος")).lines().collect::<Vec<_>>(), ["Ольга, ", "Γιώργος"]);
    }

    fn utf16be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn both_byte_orders_at_both_alignments_each_text_once() {
        for name in NAMES {
            for (order, encode) in [("LE", utf16le as fn(&str) -> Vec<u8>), ("BE", utf16be)] {
                for pad in [0usize, 1] {
                    // Binary bytes around the text, the text at an even or odd offset.
                    let mut file = vec![0x13, 0x88, 0x01, 0];
                    file.extend(vec![0; pad]);
                    file.extend(encode(name));
                    file.extend([0, 0, 0xff, 0xfe, 0x07]);
                    // One line, holding the name (a stray byte next to it may read as a
                    // character of its own).
                    let text = runs(&file);
                    let lines: Vec<&str> = text.lines().collect();
                    assert!(
                        lines.len() == 1 && lines[0].contains(name),
                        "{order} at offset {}: {text:?}",
                        4 + pad
                    );
                }
            }
        }
        // Latin text before padding bytes, in either byte order: read whole, once.
        for encode in [utf16le as fn(&str) -> Vec<u8>, utf16be] {
            let mut file = vec![0u8; 4];
            file.extend(encode("Owen Price"));
            file.extend([0xff; 8]);
            let text = runs(&file);
            assert_eq!(text.lines().collect::<Vec<_>>(), ["Owen Price"], "{text:?}");
        }
        // Little- and big-endian text in one file: each once.
        let mut file = utf16le("Jane Doe");
        file.extend([0, 0, 0x80, 0x81]);
        file.extend(utf16be("Ravi Patel"));
        file.extend([0, 0]);
        assert_eq!(runs(&file).lines().collect::<Vec<_>>(), ["Jane Doe", "Ravi Patel"]);
    }

    #[test]
    fn text_right_after_padding_bytes() {
        // Free sectors of a compound file, erased flash, padded records: 0xff bytes, then the
        // text, in every encoding and at every length of padding (odd ones put UTF-16 text at
        // the other alignment).
        for (order, encode) in [
            ("UTF-8", (|s: &str| s.as_bytes().to_vec()) as fn(&str) -> Vec<u8>),
            ("windows-1252", |s: &str| encoding_rs::WINDOWS_1252.encode(s).0.into_owned()),
            ("LE", utf16le),
            ("BE", utf16be),
        ] {
            for name in ["Owen Price", "Zoë Smith"] {
                for pad in [1, 2, 3, 4, 7, 64, 511, 4096] {
                    for after in [&[0u8, 0][..], &[0xff, 0xff]] {
                        let mut file = vec![0xff; pad];
                        file.extend(encode(name));
                        file.extend(after);
                        let text = runs(&file);
                        assert!(
                            text.lines().any(|l| l.contains(name)),
                            "{order} {name:?} after {pad} bytes 0xff, then {after:?}: {text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn binary_data_gives_little_text() {
        // Random bytes, as pictures, tables and compressed streams look: read as 16-bit units
        // almost any value is a character, but runs of one script are rare. What is left is
        // mostly Han (two fifths of all 16-bit values): about 184,000 characters from 1 MiB,
        // where reading every printable unit gave about 1.5 million.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..1 << 20)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let chars = runs(&bytes).chars().count();
        eprintln!("{chars} characters from {} random bytes", bytes.len());
        assert!(chars < bytes.len() / 4, "{chars} characters from {} random bytes", bytes.len());
    }

    #[test]
    fn utf8_runs() {
        assert!(runs(b"\x01\x02Ole Bj\xc3\xb8rn \xc5\x81ukasz\x00").lines().any(|l| l == "Ole Bjørn Łukasz"));
    }
}
