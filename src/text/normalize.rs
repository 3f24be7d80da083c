//! One comparable form for text and patterns, with a map back to the source.
//!
//! The form: compatibility decomposition (NFKD), combining marks dropped, full case folding,
//! a few letters that decomposition does not split (ø ł đ æ œ ı þ ð ħ) spelled out, look-alike
//! letters mapped to their skeleton from Unicode's confusables data (UTS #39), default-ignorable
//! characters (zero-width, soft hyphen, BOM) removed, and every run of anything that is not a
//! letter or digit collapsed into one space. Decimal digits of every script are ASCII digits.
//! Han, kana, Thai, Lao and Hangul syllables stand as words of their own, since those scripts do
//! not put spaces between words (or join particles to a Korean name). Arabic-script letters
//! that are one letter to a reader fold to one form, and tatweel and harakat are dropped
//! (`arabic`); those scripts keep their own letters rather than taking the skeleton.
//!
//! Text and patterns go through the same function, so a match in the normalised text is a match
//! of what a reader sees. ASCII takes a fast path and never reaches the Unicode tables.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Normalised text, and where its normalisation can start again, to map its offsets back to
/// the source.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// Always valid UTF-8: ASCII bytes and whole encoded characters are the only things pushed.
    text: Vec<u8>,
    /// Where normalisation stood every [`CHECKPOINT`] source bytes or so (the first at the
    /// start): an offset is mapped back by normalising again from the checkpoint before it,
    /// with offsets recorded, rather than the whole text.
    checkpoints: Vec<Checkpoint>,
    /// The stretch normalised again for the last offsets mapped.
    window: Window,
    /// What recent non-ASCII characters fold to.
    folds: FoldCache,
}

/// Source bytes between checkpoints: mapping an offset back normalises about half this again.
const CHECKPOINT: usize = 512;

/// Where normalisation stood at a character boundary of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checkpoint {
    /// The source offset.
    src: u32,
    /// The length of the normalised text so far.
    norm: u32,
    /// The source offset of the separators waiting to become a space, or [`NO_SEP`].
    sep: u32,
}

/// No separator waits to become a space (sources are normalised no further than 4 GiB less 8
/// bytes, so no offset is this).
const NO_SEP: u32 = u32::MAX;

impl Checkpoint {
    const START: Checkpoint = Checkpoint { src: 0, norm: 0, sep: NO_SEP };
}

/// A stretch of normalised text made again from a checkpoint, with its offset map.
#[derive(Debug, Default, Clone)]
struct Window {
    /// The normalised bytes from the checkpoint on (the offsets are what matters).
    text: Vec<u8>,
    /// `(normalised offset, source offset)` at the start and at each point where the distance
    /// between the two changes; between points, offsets advance together.
    map: Vec<(u32, u32)>,
    /// The normalised offset of `text[0]`.
    base: usize,
    /// Where the run stopped, to go on from there: the next source offset, the separators
    /// waiting to become a space, and the last distance recorded.
    next: usize,
    sep: Option<usize>,
    delta: i64,
    /// Whether the window belongs to the text filled last.
    live: bool,
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
/// A mark of a script whose characters stand alone (see [`own_script`]): part of the word
/// before it (`ガ` is one word, and `カ` another; `ดิ์` one, and `ด` another).
const MARK: u8 = 3;

/// How a folded character takes part in words. The only marks that reach here are those of
/// scripts whose characters stand alone; other scripts' are dropped.
fn class(f: char) -> u8 {
    let standalone = is_standalone(f);
    if standalone && is_combining_mark(f) {
        MARK
    } else if !f.is_alphanumeric() {
        SEPARATE
    } else if standalone {
        ALONE
    } else {
        JOIN
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
        self.text.clear();
        self.checkpoints.clear();
        self.window.live = false;
        let mut no_map = Vec::new();
        let mut run = Run::<false>::new(&mut self.text, &mut no_map, 0, None);
        drive(&mut run, &mut self.folds, src, 0, usize::MAX, Some(&mut self.checkpoints));
    }

    /// Gives back memory beyond `bytes` of capacity (after a huge segment).
    pub fn shrink_to(&mut self, bytes: usize) {
        if self.text.capacity() > bytes {
            self.text = Vec::new();
            self.checkpoints = Vec::new();
        }
        if self.window.text.capacity() > bytes {
            self.window = Window::default();
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

    /// The span of `src` (the text this was filled from) that normalised `range` came from,
    /// widened to whole characters. An empty range at or past the end of the normalised text
    /// maps to the end of `src`.
    ///
    /// The stretch of `src` from the checkpoint before `range` is normalised again, recording
    /// offsets (or the last such stretch goes on, when `range` is in it or just past it): most
    /// segments hold no match and never need a map, so [`Normalized::fill`] records none.
    pub fn source_range(&mut self, range: Range<usize>, src: &str) -> Range<usize> {
        if range.start >= self.text.len() && range.is_empty() {
            return src.len()..src.len();
        }
        let last = if range.is_empty() { range.start } else { range.end - 1 };
        self.normalise_window(src, range.start, last);
        let start = floor_boundary(src, self.window_offset(range.start).min(src.len()));
        if range.is_empty() {
            return start..start;
        }
        let last = floor_boundary(src, self.window_offset(last).min(src.len()));
        let end = src[last..].chars().next().map_or(src.len(), |c| last + c.len_utf8());
        start..end.max(start)
    }

    /// Makes the window hold normalised offsets `from` to `until`, recording offsets: the last
    /// window goes on when `from` is in it or not far past it (matches close together, as in
    /// a sheet of names, are mapped in one pass); otherwise `src` is normalised again from the
    /// checkpoint at or before `from`.
    fn normalise_window(&mut self, src: &str, from: usize, until: usize) {
        let w = &mut self.window;
        let end = w.base + w.text.len();
        let goes_on = w.live && w.base <= from && from <= end + CHECKPOINT;
        if goes_on && (end > until || w.next >= src.len()) {
            return;
        }
        if !goes_on {
            let at = self.checkpoints.partition_point(|c| c.norm as usize <= from);
            let start = at.checked_sub(1).map_or(Checkpoint::START, |k| self.checkpoints[k]);
            w.text.clear();
            w.map.clear();
            w.base = start.norm as usize;
            w.next = start.src as usize;
            w.sep = (start.sep != NO_SEP).then_some(start.sep as usize);
            w.delta = 0;
            w.live = true;
        }
        let mut run =
            Run::<true> { text: &mut w.text, map: &mut w.map, base: w.base, delta: w.delta, sep: w.sep };
        let next = drive(&mut run, &mut self.folds, src, w.next, until, None);
        (w.sep, w.delta, w.next) = (run.sep, run.delta, next);
    }

    /// The source offset of normalised offset `n`, from the window's map.
    fn window_offset(&self, n: usize) -> usize {
        let map = &self.window.map;
        let idx = map.partition_point(|&(norm, _)| norm as usize <= n);
        if idx == 0 {
            return n;
        }
        let (norm, src) = map[idx - 1];
        (src as i64 + (n as i64 - norm as i64)) as usize
    }
}

/// One pass of normalisation, writing into `text` (which the first `base` bytes of the
/// normalised text precede) and, when `MAP`, recording in `map` where the distance between
/// normalised and source offsets changes.
struct Run<'a, const MAP: bool> {
    text: &'a mut Vec<u8>,
    map: &'a mut Vec<(u32, u32)>,
    base: usize,
    delta: i64,
    /// The source offset of the separators waiting to become a space.
    sep: Option<usize>,
}

impl<'a, const MAP: bool> Run<'a, MAP> {
    fn new(text: &'a mut Vec<u8>, map: &'a mut Vec<(u32, u32)>, base: usize, sep: Option<usize>) -> Self {
        Run { text, map, base, delta: 0, sep }
    }

    /// The length of the normalised text so far.
    #[inline]
    fn len(&self) -> usize {
        self.base + self.text.len()
    }

    #[inline]
    fn mark(&mut self, src_off: usize) {
        if !MAP {
            return;
        }
        let at = self.len();
        let delta = src_off as i64 - at as i64;
        if self.map.is_empty() || delta != self.delta {
            self.map.push((at as u32, src_off as u32));
            self.delta = delta;
        }
    }

    /// Starts or continues a word at source offset `src_off`: emits a pending separator and
    /// records the offset mapping.
    #[inline]
    fn begin_word(&mut self, src_off: usize) {
        if let Some(sep_at) = self.sep.take() {
            if self.len() > 0 {
                self.mark(sep_at);
                self.text.push(b' ');
            }
        }
        self.mark(src_off);
    }

    #[inline]
    fn word(&mut self, c: char, src_off: usize) {
        self.begin_word(src_off);
        let mut buf = [0u8; 4];
        self.text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    /// One character a non-ASCII source character at `src_off` folded to, of `class`.
    #[inline]
    fn folded(&mut self, f: char, class: u8, src_off: usize) {
        match class {
            ALONE => {
                self.sep(src_off);
                self.word(f, src_off);
                self.sep(src_off);
            }
            JOIN => self.word(f, src_off),
            MARK => {
                // The separator a standalone character left behind it is taken back (as are
                // any spaces between it and its mark).
                self.sep = None;
                self.word(f, src_off);
                self.sep(src_off);
            }
            _ => self.sep(src_off),
        }
    }

    #[inline]
    fn sep(&mut self, src_off: usize) {
        if self.sep.is_none() {
            self.sep = Some(src_off);
        }
    }

    /// The ASCII letters and digits from `bytes[i]` on, lower-cased, one at a time with their
    /// offsets recorded; returns where the run ends.
    #[inline]
    fn ascii_word(&mut self, bytes: &[u8], mut i: usize) -> usize {
        self.begin_word(i);
        while let Some(&b) = bytes.get(i) {
            let folded = ASCII_FOLD[b as usize];
            if folded == 0 {
                break;
            }
            self.text.push(folded);
            i += 1;
        }
        i
    }

    /// ASCII bytes from `bytes[from]` up to `end` or the first non-ASCII byte, without
    /// offsets, and without a branch that depends on the text: every byte writes a space and
    /// its folded form at the end of the output, and advances the end past what it keeps.
    /// Returns where it stopped.
    #[inline(never)]
    fn ascii_block(&mut self, bytes: &[u8], from: usize, end: usize) -> usize {
        let kept = self.text.len();
        // A byte keeps at most one space and itself, and a space only after a separator that
        // kept nothing: the output grows by at most one more byte than it reads.
        self.text.resize(kept + (end - from) + 1, 0);
        let out = &mut self.text[..];
        let (mut o, mut i) = (kept, from);
        // Whether the text holds a word (a space goes only between two), whether separators
        // wait to become a space, and where the first of them is.
        let mut started = self.base + kept > 0;
        let mut pending = self.sep.is_some();
        let mut sep_at = self.sep.unwrap_or(0);
        // Eight bytes at a time where they are words joined by single spaces (most of prose),
        // a byte at a time for the rest of each eight.
        let mut bytewise_until = from;
        while i < end {
            if i >= bytewise_until {
                if let Some(chunk) = bytes.get(i..end).and_then(<[u8]>::first_chunk::<8>) {
                    let x = u64::from_le_bytes(*chunk);
                    if let Some(lower) = plain_words(x, pending, started) {
                        let space = (pending & started) as usize;
                        out[o] = b' ';
                        out[o + space..o + space + 8].copy_from_slice(&lower.to_le_bytes());
                        o += space + 8;
                        (started, pending) = (true, false);
                        i += 8;
                        continue;
                    }
                    bytewise_until = i + 8;
                }
            }
            let b = bytes[i];
            if b >= 0x80 {
                break;
            }
            let folded = ASCII_FOLD[b as usize];
            let word = folded != 0;
            let space = word & pending & started;
            out[o] = b' ';
            out[o + space as usize] = folded;
            o += space as usize + word as usize;
            if !word && !pending {
                sep_at = i;
            }
            started |= word;
            pending = !word;
            i += 1;
        }
        self.text.truncate(o);
        self.sep = pending.then_some(sep_at);
        i
    }
}

/// Eight ASCII bytes (little-endian in `x`) lower-cased, when each is a letter, a digit or a
/// space, no two spaces are neighbours, the last is no space, and the first is a space only
/// after a word (`started`, no separator `pending`): so they normalise to themselves, lower-
/// cased (after a space when separators were pending). `None` for any other eight.
#[inline]
fn plain_words(x: u64, pending: bool, started: bool) -> Option<u64> {
    use super::swar::{between_ascii as within, HIGH};
    if x & HIGH != 0 {
        return None;
    }
    let upper = within(x, b'A', b'Z');
    let word = within(x, b'0', b'9') | upper | within(x, b'a', b'z');
    let space = within(x, b' ', b' ');
    let first_space = space & 0x80 != 0;
    let plain = word | space == HIGH
        && space & (space << 8) == 0
        && word >> 63 == 1
        && !(first_space && (pending || !started));
    plain.then_some(x | upper >> 2)
}

/// Normalises `src` from `from` (a character boundary, where `run` stands) to its end, or
/// until the normalised text is longer than `until` (checked between characters and words).
/// With `checkpoints`, records one at the start and every [`CHECKPOINT`] bytes or so. Returns
/// the source offset where it stopped (a character boundary, where it can go on from).
fn drive<const MAP: bool>(
    run: &mut Run<'_, MAP>,
    folds: &mut FoldCache,
    src: &str,
    from: usize,
    until: usize,
    mut checkpoints: Option<&mut Vec<Checkpoint>>,
) -> usize {
    let limit = src.len().min(u32::MAX as usize - 8);
    let bytes = &src.as_bytes()[..limit];
    if !MAP {
        run.text.reserve(limit.saturating_sub(from) + 1);
    }
    if let Some(c) = checkpoints.as_deref_mut() {
        c.reserve_exact(limit.saturating_sub(from) / CHECKPOINT + 1);
    }
    let mut i = from;
    let mut next_checkpoint = if checkpoints.is_some() { from } else { usize::MAX };
    while i < limit && run.len() <= until {
        if i >= next_checkpoint {
            if let Some(c) = checkpoints.as_deref_mut() {
                c.push(Checkpoint {
                    src: i as u32,
                    norm: run.len() as u32,
                    sep: run.sep.map_or(NO_SEP, |s| s as u32),
                });
            }
            next_checkpoint = i + CHECKPOINT;
        }
        let b = bytes[i];
        match ASCII_CLASS[b as usize] {
            SEP => {
                run.sep(i);
                i += 1;
            }
            // Without offsets to record, ASCII text goes a block at a time from its first
            // word on. Words between letters of other scripts (a space between Cyrillic
            // words, `Gr` in `Grüße`) go a word at a time: a block costs more to set up.
            WORD if !MAP && bytes.get(i..i + 16).is_some_and(<[u8]>::is_ascii) => {
                i = run.ascii_block(bytes, i, limit.min(next_checkpoint))
            }
            WORD => i = run.ascii_word(bytes, i),
            _ => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                match folds.fold(c) {
                    Some((folded, n, classes)) => {
                        for (k, &f) in folded[..n as usize].iter().enumerate() {
                            let class = classes >> (2 * k) & 3;
                            if class != MARK || k > 0 || follows_standalone(src, i, folds) {
                                run.folded(f, class, i);
                            }
                        }
                    }
                    None => {
                        let mut k = 0;
                        fold_char(c, &mut |f| {
                            let class = class(f);
                            if class != MARK || k > 0 || follows_standalone(src, i, folds) {
                                run.folded(f, class, i);
                            }
                            k += 1;
                        })
                    }
                }
                i += c.len_utf8();
            }
        }
    }
    i
}

/// Whether what stands right before `src[i]`, past marks and characters that fold to nothing
/// (zero-width, soft hyphen; at most [`MAX_MARKS`] of them), is a character that stands alone
/// (or folds to one, as half-width katakana do): a mark of those scripts at `src[i]` belongs to
/// it. Elsewhere such a mark is dropped, as other scripts' marks are: glued to a Latin name
/// (`Doeิ`, `Doeิิ`), it must not make the name another word.
fn follows_standalone(src: &str, i: usize, folds: &mut FoldCache) -> bool {
    for p in src[..i].chars().rev().take(MAX_MARKS + 1) {
        if p.is_ascii() {
            return false;
        }
        let Some((_, n, classes)) = folds.fold(p) else { return false };
        if let Some(last) = (0..n).rev().map(|k| classes >> (2 * k) & 3).find(|&c| c != MARK) {
            return last == ALONE;
        }
    }
    false
}

/// Most marks (and invisible characters) between a character and a mark that still belongs to
/// it (Thai stacks up to three marks).
const MAX_MARKS: usize = 6;

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

/// ASCII letters and digits folded to lower case; 0 for every other byte (a separator). The
/// list's compiler folds listed names with it too (`list::canonical`), as the text is folded.
pub(crate) static ASCII_FOLD: [u8; 256] = {
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

/// Characters that form a word on their own, in scripts written without spaces between words
/// (or, for Korean, with particles joined to the name): Thai and Lao, Hiragana and Katakana
/// (their voicing marks too), Han ideographs, and Hangul syllables.
fn is_standalone(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// How a character of a script that keeps its own letters folds (after compatibility
/// decomposition): `None` for other scripts, which take the UTS #39 skeleton; `Some(None)` when
/// it is dropped.
///
/// The skeleton is for letters that pass for Latin ones. In these scripts it merges letters a
/// reader tells apart (it takes the dots off Arabic letters: ث and پ become ى, ش becomes س;
/// Thai ม becomes ฆ; Arabic-Indic zero becomes a full stop), which would make different names
/// one. They fold by their own rules instead: Arabic script by [`arabic`]; hiragana to katakana;
/// Thai, Lao and kana stay as written otherwise, their vowel, tone and voicing marks kept (they tell names apart there, as
/// letters do: か and が, ถิ and ถี).
fn own_script(d: char) -> Option<Option<char>> {
    match d as u32 {
        0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF => Some(arabic(d)),
        // Hiragana letters and iteration marks: their katakana, which spell the same sounds
        // (a name is written in either: さとう and サトウ are one name).
        0x3041..=0x3096 | 0x309D..=0x309E => Some(char::from_u32(d as u32 + 0x60)),
        0x0E00..=0x0EFF | 0x3040..=0x30FF | 0xAC00..=0xD7A3 => Some(Some(d)),
        _ => None,
    }
}

/// One form for the Arabic-script letters that are one letter to a reader (after compatibility
/// decomposition, which has already made presentation forms plain letters and split hamza and
/// madda off alef, waw, yeh and heh; the split marks and the harakat are combining marks, and
/// dropped): `None` for tatweel and the Quranic small letters, which are dropped too.
/// docs/matching.md ("Arabic script") gives each mapping's reason.
fn arabic(d: char) -> Option<char> {
    Some(match d {
        // Tatweel (kashida); high hamza; Quranic small waw and small yeh.
        '\u{0640}' | '\u{0674}' | '\u{06E5}' | '\u{06E6}' => return None,
        // Alef wasla and the alefs with wavy hamza: alef.
        '\u{0671}' | '\u{0672}' | '\u{0673}' => '\u{0627}',
        // Keheh (Persian, Urdu kaf) and swash kaf: kaf.
        '\u{06A9}' | '\u{06AA}' => '\u{0643}',
        // Alef maksura, Farsi yeh, yeh barree: yeh.
        '\u{0649}' | '\u{06CC}' | '\u{06D2}' => '\u{064A}',
        // Teh marbuta and teh marbuta goal (only ever at a word's end), heh goal, heh
        // doachashmee and ae (the heh of ۀ): heh.
        '\u{0629}' | '\u{06C3}' | '\u{06C1}' | '\u{06BE}' | '\u{06D5}' => '\u{0647}',
        _ => d,
    })
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

/// The letter whose skeleton stands for a cased letter in both its cases, so that a name in
/// Cyrillic, Greek or Armenian folds the same in capitals, in small letters and as a title.
///
/// UTS #39 gives the two cases of a letter unrelated skeletons: capital Cyrillic Н looks like H,
/// small н like nothing Latin; capital Greek Ν like N, small ν like v; Ю like `IO`, ю not at all.
/// Taking the skeleton of the letter as written would make ПЕТРОВ, Петров and петров three
/// different words. Both cases take the capital's skeleton where that is all Latin (Н and н
/// fold to h, so an H disguised as Н is still found), else the small letter's (п looks like n,
/// so П and п fold to n). The cost: a small letter that looks like a Latin letter other than its
/// capital does (ν like v, η like n) passes for its capital's look-alike instead.
fn case_basis(d: char) -> char {
    let mut folded = caseless::Caseless::default_case_fold(std::iter::once(d));
    let lower = match (folded.next(), folded.next()) {
        (Some(l), None) => l,
        _ => return d,
    };
    let mut upper = lower.to_uppercase();
    let upper = match (upper.next(), upper.next()) {
        (Some(u), None) if u != lower => u,
        _ => return d,
    };
    let mut buf = [0u8; 4];
    let latin = unicode_security::skeleton(upper.encode_utf8(&mut buf))
        .filter(|&g| !is_combining_mark(g))
        .all(|g| g.is_ascii_alphabetic());
    if latin {
        upper
    } else {
        lower
    }
}

/// Folds one non-ASCII character, calling `emit` with each resulting character.
///
/// A cased letter takes the skeleton of the case [`case_basis`] chooses, so that both cases
/// fold alike. UTS #39 maps capital I-like letters to `l`; folded text compares them with `i`,
/// so they become `i` here. What the skeleton gives is folded again (Ϛ's skeleton σ folds to
/// `o`, Gujarati ર's is the Devanagari digit २, which is `2`), so that folding folded text
/// changes nothing.
fn fold_char(c: char, emit: &mut dyn FnMut(char)) {
    fold_at(c, 0, emit);
}

/// [`fold_char`] at `depth` folds of a skeleton's characters (two at most: a skeleton is its
/// own skeleton, so a third would give what the second gave).
fn fold_at(c: char, depth: u8, emit: &mut dyn FnMut(char)) {
    if let Some(digit) = super::digits::ascii_of_other(c) {
        emit(digit);
        return;
    }
    if (0xAC00..=0xD7A3).contains(&(c as u32)) {
        // A Hangul syllable stays whole (decomposition would make it letters of its parts).
        emit(c);
        return;
    }
    decompose_compatible(c, |d| {
        if is_combining_mark(d) && !is_standalone(d) {
            return;
        }
        if d.is_ascii() {
            emit(d.to_ascii_lowercase());
            return;
        }
        if let Some(own) = own_script(d) {
            own.into_iter().for_each(&mut *emit);
            return;
        }
        let lower = d.to_lowercase().next().unwrap_or(d);
        if let Some(s) = spelled_out(lower) {
            s.chars().for_each(&mut *emit);
            return;
        }
        let basis = case_basis(d);
        let mut buf = [0u8; 4];
        for g in unicode_security::skeleton(basis.encode_utf8(&mut buf)) {
            if is_combining_mark(g) {
                continue;
            }
            if g.is_ascii() {
                emit(if g == 'l' && basis.is_uppercase() { 'i' } else { g.to_ascii_lowercase() });
            } else if let Some(s) = spelled_out(g.to_lowercase().next().unwrap_or(g)) {
                s.chars().for_each(&mut *emit);
            } else {
                for f in caseless::Caseless::default_case_fold(std::iter::once(g)) {
                    if f != d && depth < 2 {
                        fold_at(f, depth + 1, emit);
                    } else {
                        emit(f);
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folding folded text changes nothing, for every character of the Basic Multilingual
    /// Plane between two letters: what a skeleton gives is folded in turn. The kana voicing
    /// marks written on their own (゛ ゜, which decompose to a space and a combining mark)
    /// are the exception: the mark stays with the letter before the space.
    #[test]
    fn folding_is_idempotent() {
        let mut failures = Vec::new();
        for c in (0x80u32..0x10000).filter_map(char::from_u32) {
            if matches!(c, '\u{309B}' | '\u{309C}') {
                continue;
            }
            let once = normalize(&format!("a{c}b"));
            let twice = normalize(&once);
            if once != twice {
                failures.push(format!("U+{:04X} {c}: {once:?} then {twice:?}", c as u32));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

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
                let mut fresh = Normalized::new();
                fresh.fill(t);
                assert_eq!(reused.as_str(), fresh.as_str(), "round {round}: {t}");
                assert_eq!(reused.checkpoints, fresh.checkpoints, "round {round}: {t}");
                for n in 0..fresh.as_bytes().len() {
                    assert_eq!(reused.source_range(n..n + 1, t), fresh.source_range(n..n + 1, t), "{t}");
                }
            }
        }
    }

    /// The whole text normalised the slow way, one character at a time with every offset
    /// recorded: what `fill` and `source_range` must agree with.
    fn reference(src: &str) -> (Vec<u8>, Vec<(u32, u32)>) {
        let (mut text, mut map, mut folds) = (Vec::new(), Vec::new(), FoldCache::default());
        let mut run = Run::<true>::new(&mut text, &mut map, 0, None);
        drive(&mut run, &mut folds, src, 0, usize::MAX, None);
        (text, map)
    }

    fn reference_range(src: &str, map: &[(u32, u32)], range: Range<usize>) -> Range<usize> {
        let offset = |n: usize| {
            let idx = map.partition_point(|&(norm, _)| norm as usize <= n);
            let (norm, s) = map[idx - 1];
            floor_boundary(src, (s as usize + n - norm as usize).min(src.len()))
        };
        let (start, last) = (offset(range.start), offset(range.end - 1));
        start..src[last..].chars().next().map_or(src.len(), |c| last + c.len_utf8()).max(start)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// The fast path (ASCII a block at a time, no offsets kept) gives the text the slow
        /// one gives, and every span maps back through a checkpoint's window as it does
        /// through the whole map: across checkpoints, separators runs that straddle them,
        /// scripts that fold to several characters or stand alone.
        #[test]
        fn fast_fill_and_windows_agree_with_the_slow_way(
            pieces in proptest::collection::vec(proptest::sample::select(&[
                "Jane", "DOE", "o", "42", " ", "  ", ", ", "\r\n", "<b>", "=", "-- ", "Zoë", "Ærø",
                "Ｊａｎｅ", "山田", "ﷺ", "e\u{301}", "\u{200b}", "Жанна", "ǅ", "½", "\u{a0}",
                "Łódź", "x", "Q", "9", "مُحَمَّـد", "ـ", "ک", "٤٢", "ة", "ﻻ", "김민수", "สมศักดิ์", "ｶﾞ",
            ][..]), 0..240),
            spans in proptest::collection::vec((0usize..4000, 1usize..24), 1..12),
        ) {
            let src: String = pieces.concat();
            let (want_text, map) = reference(&src);
            let mut n = Normalized::new();
            n.fill(&src);
            proptest::prop_assert_eq!(n.as_bytes(), &want_text[..]);
            // Every byte, spaces included (a space stands for the first of its separators,
            // wherever a checkpoint fell among them): forwards (one window going on), then
            // backwards, filled again (a window from each checkpoint), then longer spans.
            for backwards in [false, true] {
                n.fill(&src);
                let bytes: Vec<usize> = if backwards {
                    (0..want_text.len()).rev().collect()
                } else {
                    (0..want_text.len()).collect()
                };
                for at in bytes {
                    proptest::prop_assert_eq!(
                        n.source_range(at..at + 1, &src),
                        reference_range(&src, &map, at..at + 1),
                        "byte {} of {:?}", at, src
                    );
                }
            }
            for (start, len) in spans {
                if want_text.is_empty() {
                    break;
                }
                let start = start % want_text.len();
                let range = start..(start + len).min(want_text.len());
                proptest::prop_assert_eq!(
                    n.source_range(range.clone(), &src),
                    reference_range(&src, &map, range.clone()),
                    "{:?} of {:?}", range, src
                );
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
            T { name: "han stands alone", input: "山田太郎さん", want: "山 田 太 郎 サ ン" },
            T { name: "nbsp is space", input: "Jane\u{a0}Doe", want: "jane doe" },
            T { name: "digits kept", input: "Case 12/34", want: "case 12 34" },
            T { name: "empty", input: " ,;- ", want: "" },
            T {
                name: "digits of every script", input: "٠١٢ ۳۴۵ ६७८ ৯ ０", want: "012 345 678 9 0"
            },
            T { name: "persian kaf and yeh", input: "کریمی", want: "كريمي" },
            T { name: "tatweel and harakat", input: "مُحَمَّـــد", want: "محمد" },
            T {
                name: "alef forms", input: "أحمد إبراهيم آمنة ٱلله", want: "احمد ابراهيم امنه الله"
            },
            T { name: "alef maksura", input: "مصطفى", want: "مصطفي" },
            T {
                name: "teh marbuta and urdu heh", input: "فاطمة فاطمہ ۃ بھ", want: "فاطمه فاطمه ه به"
            },
            T { name: "hamza on waw and yeh", input: "مؤمن هانئ", want: "مومن هاني" },
            T { name: "presentation forms", input: "ﻣﺤﻤﺪ ﻻ", want: "محمد لا" },
            T { name: "arabic keeps its dots", input: "ث ش پ ب", want: "ث ش پ ب" },
            T {
                name: "thai stands alone with its marks",
                input: "สมศักดิ์",
                want: "ส ม ศ\u{e31} ก ด\u{e34}\u{e4c}",
            },
            T { name: "hangul syllables stand alone", input: "김민수씨가", want: "김 민 수 씨 가" },
            T {
                name: "a stray mark of those scripts is dropped",
                input: "Doe\u{e34} Jane\u{e34}\u{e34} \u{3099}ガ",
                want: "doe jane カ\u{3099}",
            },
            T { name: "kana voicing kept", input: "ガ ｶﾞ カ", want: "カ\u{3099} カ\u{3099} カ" },
            T {
                name: "hiragana is katakana", input: "さとう がゞ", want: "サ ト ウ カ\u{3099} ヽ\u{3099}"
            },
            T {
                name: "katakana middle dot separates",
                input: "ジョン・スミス",
                want: "シ\u{3099} ョ ン ス ミ ス",
            },
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
        let text = n.as_str().to_string();
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
