//! One comparable form for text and patterns, with a map back to the source.
//!
//! The form: compatibility decomposition (NFKD), combining marks dropped, full case folding,
//! a few letters that decomposition does not split (ø ł đ æ œ ı þ ð ħ) spelled out, look-alike
//! letters mapped to their skeleton from Unicode's confusables data (UTS #39), default-ignorable
//! characters (zero-width, soft hyphen, BOM) removed, and every run of anything that is not a
//! letter or digit collapsed into one space. Han and kana characters stand as words of their
//! own, since those scripts do not put spaces between words.
//!
//! Text and patterns go through the same function, so a match in the normalised text is a match
//! of what a reader sees. ASCII takes a fast path and never reaches the Unicode tables.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Normalised text plus a sparse map from its byte offsets back to the source's.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// Always valid UTF-8: ASCII bytes and whole encoded characters are the only things pushed.
    text: Vec<u8>,
    /// `(normalised offset, source offset)` at each point where the distance between the two
    /// changes; between points, offsets advance together.
    map: Vec<(u32, u32)>,
    delta: i64,
    pending_sep: Option<usize>,
    /// Whether `map` describes `text` (it is built only when a match needs it).
    mapped: bool,
    /// What recent non-ASCII characters fold to.
    folds: FoldCache,
}

/// Folded forms of non-ASCII characters, direct-mapped by code point: text in one script
/// repeats a few hundred characters, and a hit costs a table read where folding costs a
/// decomposition, a case fold, a confusables look-up and a class look-up per character.
#[derive(Debug, Default, Clone)]
struct FoldCache {
    /// `(character, count, classes two bits each, folded)`; empty (`'\0'`, never looked up)
    /// until first used.
    slots: Vec<(char, u8, u8, [char; 3])>,
}

impl FoldCache {
    const SLOTS: usize = 2048;

    /// What `c` folds to, with the [`class`] of each folded character (two bits each), or
    /// `None` for the few characters that fold to more than three.
    #[inline]
    fn fold(&mut self, c: char) -> Option<([char; 3], u8, u8)> {
        if self.slots.is_empty() {
            self.slots = vec![('\0', 0, 0, ['\0'; 3]); Self::SLOTS];
        }
        let slot = &mut self.slots[c as usize & (Self::SLOTS - 1)];
        if slot.0 != c {
            let (mut folded, mut n) = (['\0'; 3], 0);
            fold_char(c, &mut |f| {
                if let Some(at) = folded.get_mut(n) {
                    *at = f;
                }
                n += 1;
            });
            if n > 3 {
                return None;
            }
            let classes = folded[..n].iter().enumerate().fold(0u8, |acc, (k, &f)| acc | class(f) << (2 * k));
            *slot = (c, n as u8, classes, folded);
        }
        Some((slot.3, slot.1, slot.2))
    }
}

/// A separator.
const SEPARATE: u8 = 0;
/// A letter or digit: part of a word.
const JOIN: u8 = 1;
/// A word on its own (Han, kana).
const ALONE: u8 = 2;

/// How a folded character takes part in words.
fn class(f: char) -> u8 {
    if is_standalone(f) {
        ALONE
    } else if f.is_alphanumeric() {
        JOIN
    } else {
        SEPARATE
    }
}

impl Normalized {
    /// An empty buffer, to be filled by [`Normalized::fill`] and reused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the contents with the normalised form of `src`.
    ///
    /// Offsets are kept as `u32`: a source longer than 4 GiB is normalised only up to that
    /// point (message size limits keep real segments far below it).
    pub fn fill(&mut self, src: &str) {
        self.run::<false>(src);
    }

    /// Builds the offset map for `src` (which must be what this was filled from), if it is not
    /// built yet. Most segments hold no match and never need one, so [`Normalized::fill`]
    /// skips it; this normalises again, recording offsets.
    pub fn ensure_map(&mut self, src: &str) {
        if !self.mapped {
            self.run::<true>(src);
        }
    }

    fn run<const MAP: bool>(&mut self, src: &str) {
        self.mapped = MAP;
        self.text.clear();
        self.map.clear();
        self.delta = 0;
        self.pending_sep = None;
        let limit = src.len().min(u32::MAX as usize - 8);
        let bytes = &src.as_bytes()[..limit];
        self.text.reserve(limit);
        let mut i = 0;
        while i < limit {
            let b = bytes[i];
            match ASCII_CLASS[b as usize] {
                SEP => {
                    self.sep(i);
                    i += 1;
                }
                WORD => {
                    // A run of ASCII letters and digits: one boundary check, then each byte
                    // lower-cased through a table into the output.
                    self.begin_word::<MAP>(i);
                    while i < limit {
                        let folded = ASCII_FOLD[bytes[i] as usize];
                        if folded == 0 {
                            break;
                        }
                        self.text.push(folded);
                        i += 1;
                    }
                }
                _ => {
                    let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                    let at = i;
                    match self.folds.fold(c) {
                        Some((folded, n, classes)) => {
                            for (k, &f) in folded[..n as usize].iter().enumerate() {
                                self.folded::<MAP>(f, classes >> (2 * k) & 3, at);
                            }
                        }
                        None => fold_char(c, &mut |f| self.folded::<MAP>(f, class(f), at)),
                    }
                    i += c.len_utf8();
                }
            }
        }
    }

    /// Gives back memory beyond `bytes` of capacity (after a huge segment).
    pub fn shrink_to(&mut self, bytes: usize) {
        if self.text.capacity() > bytes {
            self.text = Vec::new();
            self.map = Vec::new();
        }
    }

    /// The normalised text: lower-case words separated by single spaces, no leading or
    /// trailing space.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The normalised text as bytes (what the matchers search).
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The source byte offset of normalised byte offset `n` (after [`Normalized::ensure_map`]).
    pub fn source_offset(&self, n: usize) -> usize {
        debug_assert!(self.mapped || self.text.is_empty(), "ensure_map first");
        let idx = self.map.partition_point(|&(norm, _)| norm as usize <= n);
        if idx == 0 {
            return n;
        }
        let (norm, src) = self.map[idx - 1];
        (src as i64 + (n as i64 - norm as i64)) as usize
    }

    /// The span of `src` (the text this was filled from) that normalised `range` came from,
    /// widened to whole characters. Call [`Normalized::ensure_map`] first.
    pub fn source_range(&self, range: Range<usize>, src: &str) -> Range<usize> {
        if range.is_empty() {
            let s = floor_boundary(src, self.source_offset(range.start).min(src.len()));
            return s..s;
        }
        let start = floor_boundary(src, self.source_offset(range.start).min(src.len()));
        let last = floor_boundary(src, self.source_offset(range.end - 1).min(src.len()));
        let end = src[last..].chars().next().map_or(src.len(), |c| last + c.len_utf8());
        start..end.max(start)
    }

    fn mark<const MAP: bool>(&mut self, src_off: usize) {
        if !MAP {
            return;
        }
        let delta = src_off as i64 - self.text.len() as i64;
        if self.map.is_empty() || delta != self.delta {
            self.map.push((self.text.len() as u32, src_off as u32));
            self.delta = delta;
        }
    }

    /// Starts or continues a word at source offset `src_off`: emits a pending separator and
    /// records the offset mapping.
    #[inline]
    fn begin_word<const MAP: bool>(&mut self, src_off: usize) {
        if let Some(sep_at) = self.pending_sep.take() {
            if !self.text.is_empty() {
                self.mark::<MAP>(sep_at);
                self.text.push(b' ');
            }
        }
        self.mark::<MAP>(src_off);
    }

    fn word<const MAP: bool>(&mut self, c: char, src_off: usize) {
        self.begin_word::<MAP>(src_off);
        let mut buf = [0u8; 4];
        self.text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    /// One character a non-ASCII source character at `src_off` folded to, of `class`.
    #[inline]
    fn folded<const MAP: bool>(&mut self, f: char, class: u8, src_off: usize) {
        match class {
            ALONE => {
                self.sep(src_off);
                self.word::<MAP>(f, src_off);
                self.sep(src_off);
            }
            JOIN => self.word::<MAP>(f, src_off),
            _ => self.sep(src_off),
        }
    }

    fn sep(&mut self, src_off: usize) {
        if self.pending_sep.is_none() {
            self.pending_sep = Some(src_off);
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Calls `f` with this thread's spare [`Normalized`] (for short texts such as excerpts and
/// labels: its buffers and fold cache are kept between calls rather than made each time); a
/// fresh one when the spare is in use further up the stack.
pub(crate) fn with_spare<R>(f: impl FnOnce(&mut Normalized) -> R) -> R {
    thread_local! {
        static SPARE: std::cell::RefCell<Normalized> = std::cell::RefCell::new(Normalized::new());
    }
    SPARE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut spare) => {
            let r = f(&mut spare);
            spare.shrink_to(64 << 10);
            r
        }
        Err(_) => f(&mut Normalized::new()),
    })
}

/// The normalised form of `s` as a new string (for patterns and tests).
pub fn normalize(s: &str) -> String {
    let mut n = Normalized::new();
    n.fill(s);
    n.as_str().to_string()
}

const SEP: u8 = 0;
const WORD: u8 = 1;
const NON_ASCII: u8 = 2;

/// ASCII letters and digits folded to lower case; 0 for every other byte.
static ASCII_FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            t[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// ASCII letters and digits are word bytes; other ASCII bytes separate words; bytes of
/// non-ASCII characters take the Unicode path.
static ASCII_CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = if (b as u8).is_ascii_alphanumeric() { WORD } else { SEP };
        b += 1;
    }
    t
};

/// Characters that form a word on their own: Han ideographs and kana.
fn is_standalone(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F)
}

/// Letters that neither decomposition nor case folding turns into ASCII, but that a reader
/// (and a sender typing on an English keyboard) takes for plain Latin letters.
fn spelled_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'ł' => "l",
        'đ' => "d",
        'ð' => "d",
        'æ' => "ae",
        'œ' => "oe",
        'ı' => "i",
        'ß' => "ss",
        'þ' => "th",
        'ħ' => "h",
        'ŧ' => "t",
        'ƚ' => "l",
        'ɨ' => "i",
        _ => return None,
    })
}

/// Folds one non-ASCII character, calling `emit` with each resulting character.
///
/// The skeleton is taken of the character as written, before case folding: capital Greek Ν
/// looks like N while small ν looks like v. UTS #39 maps capital I-like letters to `l`; folded
/// text compares them with `i`, so they become `i` here.
fn fold_char(c: char, emit: &mut dyn FnMut(char)) {
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        if d.is_ascii() {
            emit(d.to_ascii_lowercase());
            return;
        }
        let lower = d.to_lowercase().next().unwrap_or(d);
        if let Some(s) = spelled_out(lower) {
            s.chars().for_each(&mut *emit);
            return;
        }
        let mut buf = [0u8; 4];
        for g in unicode_security::skeleton(d.encode_utf8(&mut buf)) {
            if is_combining_mark(g) {
                continue;
            }
            if g.is_ascii() {
                emit(if g == 'l' && d.is_uppercase() { 'i' } else { g.to_ascii_lowercase() });
            } else if let Some(s) = spelled_out(g.to_lowercase().next().unwrap_or(g)) {
                s.chars().for_each(&mut *emit);
            } else {
                for f in caseless::Caseless::default_case_fold(std::iter::once(g)) {
                    emit(f);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reused buffer (its fold cache warm, slots taken by other characters) gives what a
    /// fresh one gives: characters that share a slot (Ж U+0416, ఖ U+0C16), one that folds to
    /// more than three characters (ﷺ U+FDFA), and a slot's character seen again after a clash.
    #[test]
    fn fold_cache_changes_nothing() {
        let texts = [
            "Жанна ఖ Жанна",
            "ఖఖ Ж ﷺ Ж",
            "Grüße aus Köln, Søren Ærø Łódź ǅ ﬃ ½ ㎒",
            "東京都 山田 ΝΙΚΟΣ νίκος İstanbul",
            "ﷺﷺ Жఖ",
        ];
        let mut reused = Normalized::new();
        for round in 0..2 {
            for t in texts {
                reused.fill(t);
                reused.ensure_map(t);
                let mut fresh = Normalized::new();
                fresh.fill(t);
                fresh.ensure_map(t);
                assert_eq!(reused.as_str(), fresh.as_str(), "round {round}: {t}");
                assert_eq!(reused.map, fresh.map, "round {round}: {t}");
            }
        }
    }

    #[test]
    fn table() {
        struct T {
            name: &'static str,
            input: &'static str,
            want: &'static str,
        }
        let tests = [
            T { name: "ascii", input: "Jane Doe", want: "jane doe" },
            T { name: "runs collapse", input: "  Jane,\r\n  -- DOE!! ", want: "jane doe" },
            T { name: "accents dropped", input: "Zoë Renée", want: "zoe renee" },
            T { name: "nfd accents", input: "Zoe\u{308} Rene\u{301}e", want: "zoe renee" },
            T {
                name: "letters nfkd keeps",
                input: "Søren Łukasz Đorđe Æsa Œuvre Straße Iıl",
                want: "soren lukasz dorde aesa oeuvre strasse iil",
            },
            T { name: "typographic apostrophe", input: "O’Brien", want: "o brien" },
            T { name: "ascii apostrophe", input: "O'Brien", want: "o brien" },
            T { name: "full width", input: "Ｊａｎｅ　Ｄｏｅ", want: "jane doe" },
            T {
                name: "zero width inside",
                input: "Ja\u{200b}ne D\u{200c}o\u{200d}e\u{2060}\u{feff} X\u{ad}Y",
                want: "jane doe xy",
            },
            T { name: "cyrillic look-alikes", input: "Jаnе Dое", want: "jane doe" },
            T { name: "greek look-alikes", input: "ΑΝΝ Εve ΡΟΒ", want: "ann eve pob" },
            T { name: "cyrillic capital i", input: "Іvan", want: "ivan" },
            T { name: "han stands alone", input: "山田太郎さん", want: "山 田 太 郎 さ ん" },
            T { name: "nbsp is space", input: "Jane\u{a0}Doe", want: "jane doe" },
            T { name: "digits kept", input: "Case 12/34", want: "case 12 34" },
            T { name: "empty", input: " ,;- ", want: "" },
        ];
        for t in tests {
            assert_eq!(normalize(t.input), t.want, "{}", t.name);
        }
    }

    #[test]
    fn mixed_script_spellings_of_one_name_agree() {
        // A Cyrillic name typed with some Latin look-alike letters is still the same name.
        assert_eq!(normalize("Жанна"), normalize("Жaннa"));
        assert_eq!(normalize("Јаnе Dое"), normalize("Jane Doe"));
    }

    #[test]
    fn offsets_map_back_to_source() {
        let src = "Dear  Zoë,\n<b>JANE</b>\u{200b} DOE!";
        let mut n = Normalized::new();
        n.fill(src);
        let unmapped = n.as_str().to_string();
        n.ensure_map(src);
        assert_eq!(n.as_str(), unmapped, "mapping does not change the text");
        let text = n.as_str();
        for word in ["dear", "zoe", "jane", "doe", "b"] {
            let at = text.find(word).unwrap();
            let r = n.source_range(at..at + word.len(), src);
            assert_eq!(normalize(&src[r.clone()]), word, "{word} -> {:?}", &src[r]);
        }
        let at = text.find("jane b doe").unwrap();
        let r = n.source_range(at..at + "jane b doe".len(), src);
        assert_eq!(&src[r], "JANE</b>\u{200b} DOE");
    }
}
