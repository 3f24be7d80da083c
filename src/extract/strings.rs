//! Runs of text in bytes no reader understands, as `strings` finds them: what an unknown
//! binary attachment or member, or a compound file of no known kind, holds for a reader who
//! opens it in a text editor or a hex viewer.

/// Runs of readable text in bytes no reader understands, one a line, as `strings` finds them:
/// 8-bit runs of at least four characters (UTF-8, else windows-1252), and UTF-16LE runs.
/// A UTF-16 run keeps to one script (see [`script`]): text does,
/// and binary data read as UTF-16 does not, so the tables, pictures and code of a compound
/// file give few runs instead of megabytes of characters from every corner of Unicode.
pub(super) fn runs(bytes: &[u8]) -> String {
    const MIN: usize = 4;
    let mut out = String::new();
    let printable = |b: u8| (0x20..0x7f).contains(&b) || b >= 0x80;
    // 8-bit runs, mostly ASCII as text is: UTF-8 where the run is UTF-8, else windows-1252.
    let mut run_start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&0)).enumerate() {
        match (printable(b), run_start) {
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
    // UTF-16LE runs, at both alignments. (Big-endian runs are not read: UTF-16LE text read
    // big-endian one byte along is the same text again, so every run would come twice.)
    let flush = |out: &mut String, units: &[u16], script: u16| {
        if units.len() >= MIN && !out_of_step(units, script) {
            out.push_str(&String::from_utf16_lossy(units));
            out.push('\n');
        }
    };
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len() / 2);
    for align in 0..2 {
        units.clear();
        units.extend(
            bytes.get(align..).unwrap_or_default().chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])),
        );
        // The run: where it starts and the script it keeps to (`LATIN` until another is seen).
        let mut run: Option<(usize, u16)> = None;
        for (i, &u) in units.iter().enumerate() {
            run = match (script(u), run) {
                (None, None) => None,
                (None, Some((s, h))) => {
                    flush(&mut out, &units[s..i], h);
                    None
                }
                (Some(g), None) => Some((i, g)),
                (Some(LATIN), Some(r)) => Some(r),
                (Some(g), Some((s, LATIN))) => Some((s, g)),
                (Some(g), Some((s, h))) if g == h => Some((s, h)),
                (Some(g), Some((s, h))) => {
                    flush(&mut out, &units[s..i], h);
                    Some((i, g))
                }
            };
        }
        if let Some((s, h)) = run {
            flush(&mut out, &units[s..], h);
        }
    }
    out
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

    #[test]
    fn text_runs_in_any_script() {
        for name in
            ["Jane Doe", "Đặng Thị Hoa", "Ольга Петрова", "Γιώργος Παπαδόπουλος", "王秀英 様", "김민준 님"]
        {
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

    #[test]
    fn binary_data_gives_little_text() {
        // Random bytes, as pictures, tables and compressed streams look: read as 16-bit units
        // almost any value is a character, but runs of one script are rare. What is left is
        // mostly Han (two fifths of all 16-bit values): about 230,000 characters from 1 MiB,
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
        assert!(chars < bytes.len() / 4, "{chars} characters from {} random bytes", bytes.len());
    }

    #[test]
    fn utf8_runs() {
        assert!(runs(b"\x01\x02Ole Bj\xc3\xb8rn \xc5\x81ukasz\x00").lines().any(|l| l == "Ole Bjørn Łukasz"));
    }
}
