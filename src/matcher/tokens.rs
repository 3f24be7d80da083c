//! The token engine for large lists: hashes of word n-grams of the normalised text, looked up
//! in one table.
//!
//! Every listed form is a sequence of words. The table holds the hash of each form and of each
//! of its word prefixes. Scanning walks the words of the text once; from each word it extends
//! word by word while the hash so far is a known prefix, and on a known form compares the
//! bytes (a hash collision costs a comparison, never a false match). Matches are whole words by
//! construction. A word is hashed eight bytes at a time, and most words of text are shorter:
//! one load finds the word's end and hashes it. Cost per text word is one hash and one filter
//! test (a table probe for the few that pass), whatever the list size;
//! memory is a few dozen bytes per form, where an automaton over a million names takes
//! 150 MB and ten seconds to build.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use crate::list::variants;
use crate::list::WordFound;
use crate::model::Kind;

/// FNV-1a over bytes: the hash of any substring, a byte at a time, for the filter that
/// [`TokenEngine::find_substrings`] tries every substring of an excerpt against.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    const START: Fnv = Fnv(0xcbf2_9ce4_8422_2325);

    #[inline]
    fn feed(self, bytes: &[u8]) -> Fnv {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Fnv(h)
    }

    /// The state, mixed so that its low bits (which pick a filter bit) depend on every byte.
    #[inline]
    fn key(self) -> u64 {
        Span(self.0).key()
    }
}

/// The running hash of a span of words: each word hashed on its own ([`word_hash`]), then
/// folded into the span's state. Patterns and text go through the same functions.
#[derive(Clone, Copy)]
struct Span(u64);

impl Span {
    const START: Span = Span(0x9e37_79b9_7f4a_7c15);

    /// The state after one more word whose hash is `word`.
    #[inline]
    fn then(self, word: u64) -> Span {
        Span((self.0.rotate_left(23) ^ word).wrapping_mul(0xbf58_476d_1ce4_e5b9))
    }

    /// The state of a span of words separated by single spaces (a form, or any bytes).
    fn of(text: &[u8]) -> Span {
        text.split(|&b| b == b' ').fold(Span::START, |h, w| h.then(word_hash(w)))
    }

    /// The table key: the state, mixed so that every bit depends on every byte.
    #[inline]
    fn key(self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^ (z >> 33)
    }
}

/// The hash of one word: its bytes eight at a time (the last chunk padded with zeros, which no
/// normalised word holds), then its length.
#[inline]
fn word_hash(word: &[u8]) -> u64 {
    let little_endian = |c: &[u8]| c.iter().rev().fold(0, |a, &b| a << 8 | b as u64);
    let mut chunks = word.chunks_exact(8);
    let mut h = (&mut chunks).fold(0u64, |h, c| word_step(h, little_endian(c)));
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = word_step(h, little_endian(rest));
    }
    h ^ word.len() as u64
}

/// One chunk of eight bytes (little-endian) fed into a word's hash.
#[inline]
fn word_step(h: u64, chunk: u64) -> u64 {
    let h = (h ^ chunk).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 29)
}

/// The hash of the word `text[start..end]`, as [`word_hash`] makes it; a word of one to eight
/// bytes with eight bytes of text from its start is hashed from one load.
#[inline]
fn word_at(text: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if (1..=8).contains(&len) {
        if let Some(window) = text.get(start..).and_then(<[u8]>::first_chunk::<8>) {
            let bytes = u64::from_le_bytes(*window) & (u64::MAX >> (64 - 8 * len));
            return word_step(0, bytes) ^ len as u64;
        }
    }
    word_hash(&text[start..end])
}

/// The word of `text` at `start` (up to the next space or the end): its hash and its end.
#[inline]
fn next_word(text: &[u8], start: usize) -> (u64, usize) {
    let end = memchr::memchr(b' ', &text[start..]).map_or(text.len(), |p| start + p);
    (word_at(text, start, end), end)
}

/// The high bit of each byte of `x` that is a space, and no other bit.
#[inline]
fn spaces(x: u64) -> u64 {
    crate::text::swar::between(x, b' ', b' ')
}

/// Keys are already well mixed hashes: the table uses them as they are.
type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<crate::list::index::PassThrough>>;

/// What a key stands for: forms with that hash (`first..first + count` in `forms`), possibly
/// none when the key is only a prefix of longer forms.
#[derive(Debug, Clone, Copy)]
struct Slot {
    first: u32,
    count: u32,
}

/// A distinct form: where its entry is in the arena (see [`entry`]), and the end of its owners
/// in `owners` (they start where the previous form's end). Eight bytes.
#[derive(Debug, Clone, Copy)]
struct Form {
    entry: u32,
    owners_end: u32,
}

/// The keys of the forms and of their word prefixes, sorted, each with the first of its forms
/// (the forms are in key order, so a key's forms run to the next key's first): about a dozen
/// bytes a key, where a hash map takes over thirty. A key is found from its top bits, through
/// `buckets`, among one or two others.
#[derive(Default)]
struct KeyTable {
    keys: Vec<u64>,
    /// `firsts[i]`: the first form of `keys[i]`; one more at the end, the number of forms.
    firsts: Vec<u32>,
    /// `buckets[b]..buckets[b + 1]`: the keys whose top `64 - shift` bits are `b`.
    buckets: Vec<u32>,
    shift: u32,
}

impl KeyTable {
    /// The table of `keys` (sorted, distinct) and `firsts` (one more than `keys`).
    fn new(keys: Vec<u64>, firsts: Vec<u32>) -> KeyTable {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]) && firsts.len() == keys.len() + 1);
        // One or two keys a bucket.
        let bits = (usize::BITS - keys.len().leading_zeros()).saturating_sub(1).clamp(1, 32);
        let shift = 64 - bits;
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        for &k in &keys {
            buckets[(k >> shift) as usize + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        KeyTable { keys, firsts, buckets, shift }
    }

    /// The forms of `key`, if it is a key (none when it is only a prefix of longer forms).
    #[inline]
    fn get(&self, key: u64) -> Option<Slot> {
        let b = (key >> self.shift) as usize;
        let (lo, hi) = (*self.buckets.get(b)? as usize, *self.buckets.get(b + 1)? as usize);
        let at = lo + self.keys.get(lo..hi)?.iter().position(|&k| k == key)?;
        let first = self.firsts[at];
        Some(Slot { first, count: self.firsts[at + 1] - first })
    }
}

/// The token engine. Build with [`TokenEngineBuilder::build`], search with [`TokenEngine::find`].
pub struct TokenEngine {
    table: KeyTable,
    forms: Vec<Form>,
    arena: Vec<u8>,
    /// Each form's owners: record, kind, and the place of the owner's given name among the
    /// form's words ([`NO_GIVEN`] when none: a term, a name of one word).
    owners: Vec<(u32, Kind, u8)>,
    max_words: usize,
    /// The longest form, in bytes.
    max_len: usize,
    /// A filter ([`bit_set`]) of the forms' byte-at-a-time hashes ([`Fnv`]): most substrings
    /// of an excerpt are ruled out here before their span key is made and the table probed.
    filter: Vec<u64>,
    filter_mask: u64,
    /// One bit per pair of bytes some form starts with (a one-byte form: every pair its byte
    /// starts), for [`TokenEngine::find_substrings`]: most places in an excerpt start no form.
    starts: Vec<u64>,
    /// A filter ([`bit_set`]) of the table's keys, forms and prefixes alike: most words of a
    /// text start no listed form, and are ruled out here before the table is probed.
    keys: Vec<u64>,
    keys_mask: u64,
    /// Name variants: the words of text that stand for a token some variant form holds.
    swaps: Swaps,
}

/// Name variants (see `variants`): the words of text that may stand for a listed given name,
/// each with the given names it is tried as ([`variants::Table::alternatives`], only those the
/// engine's names hold): keyed like one-word spans ([`Span::key`]), each with the word's
/// spelling (compared, so that a hash collision is never a swap) and the given name's text and
/// word hash. The listed forms stay as they are: a list with variants is no larger.
#[derive(Default)]
struct Swaps {
    table: KeyMap<Range<u32>>,
    rows: Vec<Swap>,
    arena: Vec<u8>,
    /// A [`bit_set`] of the table's keys: most words of text are ruled out by it.
    filter: Vec<u64>,
    filter_mask: u64,
}

struct Swap {
    spelling: Range<u32>,
    given: Range<u32>,
    given_hash: u64,
}

impl Swaps {
    /// The swaps whose given names' word hashes are in `given` (the given names of the
    /// engine's forms).
    fn new(given: &KeySet) -> Swaps {
        // Without names that have a given name, the table is not even read.
        if given.is_empty() {
            return Swaps::default();
        }
        let mut rows: Vec<(u64, Swap)> = Vec::new();
        let mut arena = Vec::new();
        let push = |arena: &mut Vec<u8>, bytes: &[u8]| {
            let start = arena.len() as u32;
            arena.extend_from_slice(bytes);
            start..arena.len() as u32
        };
        for (word, alternatives) in variants::table().alternatives() {
            let mut spelling = None;
            for alt in alternatives {
                let given_hash = word_hash(alt);
                if !given.contains(&given_hash) {
                    continue;
                }
                let spelling = spelling.get_or_insert_with(|| push(&mut arena, word)).clone();
                let swap = Swap { spelling, given: push(&mut arena, alt), given_hash };
                rows.push((Span::START.then(word_hash(word)).key(), swap));
            }
        }
        if rows.is_empty() {
            return Swaps::default();
        }
        rows.sort_unstable_by_key(|r| r.0);
        let mut map: KeyMap<Range<u32>> = KeyMap::default();
        let mut i = 0;
        while i < rows.len() {
            let j = i + rows[i..].iter().take_while(|r| r.0 == rows[i].0).count();
            map.insert(rows[i].0, i as u32..j as u32);
            i = j;
        }
        let (filter, filter_mask) = bit_set(map.keys().copied(), 16);
        Swaps { table: map, rows: rows.into_iter().map(|r| r.1).collect(), arena, filter, filter_mask }
    }

    /// Calls `each(given, given_hash)` for every given name the word `word` (its one-word key
    /// `key`) may stand for.
    #[inline]
    fn each(&self, word: &[u8], key: u64, each: &mut dyn FnMut(&[u8], u64)) {
        if self.rows.is_empty() || !may_hold(&self.filter, self.filter_mask, key) {
            return;
        }
        if let Some(r) = self.table.get(&key) {
            for swap in &self.rows[r.start as usize..r.end as usize] {
                if &self.arena[swap.spelling.start as usize..swap.spelling.end as usize] == word {
                    each(&self.arena[swap.given.start as usize..swap.given.end as usize], swap.given_hash);
                }
            }
        }
    }
}

/// A word of text tried as a listed given name: its span, the given name, and the word's place
/// in the span being matched.
type Given<'a> = Option<(Range<usize>, &'a [u8], u8)>;

/// Whether `form` is the text `norm[span]` with the word `given` (if any) replaced by its given
/// name.
#[inline]
fn same_text(form: &[u8], norm: &[u8], span: &Range<usize>, given: &Given<'_>) -> bool {
    match given {
        None => form == &norm[span.clone()],
        Some((word, token, _)) => {
            let (before, after) = (&norm[span.start..word.start], &norm[word.end..span.end]);
            form.len() == before.len() + token.len() + after.len()
                && form.starts_with(before)
                && form[before.len()..].starts_with(token)
                && form.ends_with(after)
        }
    }
}

/// A filter of `keys`, about `bits_per_key` bits a key (at least 4,096 bits in all): each key
/// sets three bits of one 64-bit word, the word picked by the key's low bits (`mask`) and the
/// bits by three six-bit fields of its high ones. One load tells a key that is surely absent
/// from one that may be present; at 16 bits a key, about one absent key in a hundred passes.
fn bit_set(keys: impl ExactSizeIterator<Item = u64>, bits_per_key: usize) -> (Vec<u64>, u64) {
    let count = keys.len();
    bit_set_sized(keys, count, bits_per_key)
}

/// [`bit_set`] sized for `count` keys, whatever the number of `keys` (some may repeat).
fn bit_set_sized(keys: impl Iterator<Item = u64>, count: usize, bits_per_key: usize) -> (Vec<u64>, u64) {
    let words = (count.saturating_mul(bits_per_key) / 64).next_power_of_two().clamp(64, MAX_FILTER_WORDS);
    let mask = words as u64 - 1;
    let mut set = vec![0u64; words];
    for k in keys {
        set[(k & mask) as usize] |= bits_of(k);
    }
    (set, mask)
}

/// Sets the bit of [`TokenEngine::starts`] for the pair of bytes `form` starts with (every pair
/// its byte starts, for a one-byte form).
#[inline]
fn set_starts(starts: &mut [u64], form: &[u8]) {
    let seconds = match form {
        [_, second, ..] => *second as usize..*second as usize + 1,
        [_] => 0..256,
        [] => return,
    };
    for second in seconds {
        let pair = (form[0] as usize) << 8 | second;
        starts[pair / 64] |= 1 << (pair % 64);
    }
}

/// The most words a [`bit_set`] takes: 4 MiB. A million names' filter at sixteen bits a key
/// would take twice that, and the scan would wait on memory for every word of text; at this
/// size the filter stays in the cache about as well as a small one, and still lets only a few
/// absent words in a hundred through.
const MAX_FILTER_WORDS: usize = 1 << 19;

/// The three bits `key` sets in its word of a [`bit_set`].
#[inline]
fn bits_of(key: u64) -> u64 {
    1 << (key >> 46 & 63) | 1 << (key >> 52 & 63) | 1 << (key >> 58)
}

/// Whether the [`bit_set`] `set` (with its `mask`) may hold `key`: `false` means surely not.
#[inline]
fn may_hold(set: &[u64], mask: u64, key: u64) -> bool {
    let bits = bits_of(key);
    set[(key & mask) as usize] & bits == bits
}

impl std::fmt::Debug for TokenEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEngine")
            .field("forms", &self.forms.len())
            .field("max_words", &self.max_words)
            .finish()
    }
}

// `cbindgen:ignore`: cbindgen reads every item of the crate and cannot instantiate a
// hashbrown set with its hasher; the alias is Rust's alone.
/// Keys already well mixed: a set of them hashes nothing.
///
/// cbindgen:ignore
type KeySet = hashbrown::HashSet<u64, BuildHasherDefault<crate::list::index::PassThrough>>;

/// One form while building: its key, where it is in the builder's arena (see [`entry`]), and
/// its owner's record. Sixteen bytes.
type Row = (u64, u32, u32);

/// A form's length in the builder's arena when it is this or more: the length follows in four
/// bytes.
const LONG: u8 = u8::MAX;

/// The text and the kind of the builder's entry at `at`: a [`meta`] byte, the text's length
/// (one byte, or [`LONG`] and four), then the text.
#[inline]
fn entry(arena: &[u8], at: u32) -> (&[u8], Kind) {
    let at = at as usize;
    let kind = kind_of_meta(arena[at]);
    let (start, len) = match arena[at + 1] {
        LONG => {
            let len = arena.get(at + 2..at + 6).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes);
            (at + 6, len as usize)
        }
        len => (at + 2, len as usize),
    };
    (&arena[start..start + len], kind)
}

/// The kinds, by [`kind_byte`].
const KINDS: [Kind; 5] = [Kind::Name, Kind::Email, Kind::Phone, Kind::Term, Kind::Pattern];

/// A form's given name's place when it has none (a term, a name of one word, or a given name
/// past the thirtieth word).
pub(crate) const NO_GIVEN: u8 = 31;

/// The byte an owner's kind and given name are kept as in the builder's arena: the kind's
/// [`kind_byte`] in the low three bits, the given name's place (or [`NO_GIVEN`]) above.
#[inline]
fn meta(kind: Kind, given: Option<usize>) -> u8 {
    let given = given.filter(|&g| g < NO_GIVEN as usize).map_or(NO_GIVEN, |g| g as u8);
    kind_byte(kind) | given << 3
}

/// The kind of a [`meta`] byte.
#[inline]
fn kind_of_meta(meta: u8) -> Kind {
    KINDS[((meta & 7) as usize).min(KINDS.len() - 1)]
}

/// The byte a kind is kept as in the builder's arena (its place in [`KINDS`]).
fn kind_byte(kind: Kind) -> u8 {
    match kind {
        Kind::Name => 0,
        Kind::Email => 1,
        Kind::Phone => 2,
        Kind::Term => 3,
        Kind::Pattern => 4,
    }
}

/// Collects forms without an allocation each, then builds the table.
///
/// What the engine needs of each form's text beyond its key (the substring filter, the pairs
/// of bytes forms start with, the longest form) is taken as the form is added, while its text
/// is at hand: once the rows are sorted by key, their texts are all over the arena, and a
/// million names' worth of look-ups there would each wait on memory.
pub struct TokenEngineBuilder {
    arena: Vec<u8>,
    rows: Vec<Row>,
    /// The keys of the forms' word prefixes (a set: a million names share far fewer given
    /// names and surnames).
    prefixes: KeySet,
    max_words: usize,
    /// The forms' [`Fnv`] keys, in the order added, for the substring filter: set in one pass
    /// at the end, whose writes do not wait on each other as they would between additions.
    fnv: Vec<u64>,
    /// [`TokenEngine::starts`], as forms are added.
    starts: Vec<u64>,
    /// The longest form, in bytes.
    max_len: usize,
    /// Whether names are found through their variants (policy `name_variants`).
    variants: bool,
    /// With variants, the word hashes of the forms' given names.
    given_words: KeySet,
}

impl Default for TokenEngineBuilder {
    fn default() -> Self {
        TokenEngineBuilder::with_capacity(0, 0)
    }
}

impl TokenEngineBuilder {
    /// A builder with room for `forms` forms of `bytes` bytes in all: a million names grown
    /// by doubling would hold up to twice that, and both copies while moving.
    pub fn with_capacity(forms: usize, bytes: usize) -> TokenEngineBuilder {
        TokenEngineBuilder {
            arena: Vec::with_capacity(bytes + 2 * forms),
            rows: Vec::with_capacity(forms),
            prefixes: KeySet::default(),
            max_words: 1,
            fnv: Vec::with_capacity(forms),
            starts: vec![0u64; 1 << 10],
            max_len: 0,
            variants: false,
            given_words: KeySet::default(),
        }
    }

    /// Finds names through their variants too (policy `name_variants`): a word of text that is
    /// a variant of a listed given name ([`variants::Table::alternatives`]) is tried as that
    /// name where the form has its given name ([`TokenEngineBuilder::add_name`]).
    pub fn name_variants(&mut self) {
        self.variants = true;
    }

    /// Adds one normalised form owned by `record`.
    pub fn add(&mut self, form: &[u8], record: u32, kind: Kind) {
        self.add_name(form, record, kind, None);
    }

    /// Adds one normalised form owned by `record`, whose word `given` (from 0), if any, is the
    /// given name a name variant may stand for.
    pub fn add_name(&mut self, form: &[u8], record: u32, kind: Kind, given: Option<usize>) {
        if form.is_empty() {
            return;
        }
        let start = self.arena.len() as u32;
        self.arena.push(meta(kind, given));
        match u8::try_from(form.len()) {
            Ok(len) if len < LONG => self.arena.push(len),
            _ => {
                self.arena.push(LONG);
                self.arena.extend_from_slice(&(form.len() as u32).to_le_bytes());
            }
        }
        self.arena.extend_from_slice(form);
        self.fnv.push(Fnv::START.feed(form).key());
        set_starts(&mut self.starts, form);
        self.max_len = self.max_len.max(form.len());
        // The form's key, and the key of each of its word prefixes (which the scan extends
        // through).
        let mut h = Span::START;
        let mut words = 0;
        let given = given.filter(|_| self.variants);
        for word in form.split(|&b| b == b' ') {
            if words > 0 {
                self.prefixes.insert(h.key());
            }
            let hash = word_hash(word);
            if given == Some(words) {
                self.given_words.insert(hash);
            }
            h = h.then(hash);
            words += 1;
        }
        self.max_words = self.max_words.max(words);
        self.rows.push((h.key(), start, record));
    }

    /// Builds the engine.
    pub fn build(self) -> TokenEngine {
        let TokenEngineBuilder {
            arena: src,
            mut rows,
            prefixes,
            max_words,
            fnv,
            starts,
            max_len,
            variants: _,
            given_words,
        } = self;
        let text = |r: &Row| entry(&src, r.1).0;
        let meta = |r: &Row| src[r.1 as usize];
        // Sort by (hash, owner) so equal forms and equal hashes are neighbours, comparing no
        // bytes; a run of one hash that holds more than one text (two forms whose hashes
        // collide) is sorted by text below (a stable sort, keeping the owners in order).
        crate::list::index::sort_by_hash_in_place(
            &mut rows,
            |r| r.0,
            |a, b| (a.0, a.2).cmp(&(b.0, b.2)).then_with(|| meta(a).cmp(&meta(b))),
        );
        rows.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2 && meta(a) == meta(b) && text(a) == text(b));
        // Sixteen bits a key: about one probe in a hundred that finds nothing reaches the
        // table (a probe is a cache miss in a large list's table). Sized for the rows left,
        // about one a form.
        let (filter, filter_mask) = bit_set_sized(fnv.into_iter(), rows.len(), 16);
        // The first byte of each row's entry, read in one pass whose loads do not wait on each
        // other: the rows are in key order, their entries anywhere in the arena.
        let mut metas: Vec<u8> = rows.iter().map(|r| src[r.1 as usize]).collect();
        let owner = |rows: &[Row], metas: &[u8], i: usize| (rows[i].2, kind_of_meta(metas[i]), metas[i] >> 3);

        // The forms in key order (their texts stay where they are in the arena), each distinct
        // key with its first form.
        let mut forms: Vec<Form> = Vec::with_capacity(rows.len());
        let mut owners = Vec::with_capacity(rows.len());
        let mut keys: Vec<u64> = Vec::with_capacity(rows.len());
        let mut firsts: Vec<u32> = Vec::with_capacity(rows.len() + 1);
        let mut i = 0;
        while i < rows.len() {
            let key = rows[i].0;
            keys.push(key);
            firsts.push(forms.len() as u32);
            // A key of one row (most keys) is one form with one owner: no text read.
            if rows.get(i + 1).is_none_or(|r| r.0 != key) {
                owners.push(owner(&rows, &metas, i));
                forms.push(Form { entry: rows[i].1, owners_end: owners.len() as u32 });
                i += 1;
                continue;
            }
            // A form many records list: each text read once, to see that it is one form.
            let run = i + rows[i..].iter().take_while(|r| r.0 == key).count();
            let first = text(&rows[i]);
            if rows[i + 1..run].iter().all(|r| text(r) == first) {
                owners.extend((i..run).map(|j| owner(&rows, &metas, j)));
                forms.push(Form { entry: rows[i].1, owners_end: owners.len() as u32 });
                i = run;
                continue;
            }
            // Two texts of one hash: one form a text, in order of text.
            rows[i..run].sort_by(|a, b| text(a).cmp(text(b)));
            for j in i..run {
                metas[j] = src[rows[j].1 as usize];
            }
            while i < run {
                let t = text(&rows[i]);
                let at = rows[i].1;
                while i < run && text(&rows[i]) == t {
                    owners.push(owner(&rows, &metas, i));
                    i += 1;
                }
                forms.push(Form { entry: at, owners_end: owners.len() as u32 });
            }
        }
        firsts.push(forms.len() as u32);
        drop(rows);
        let mut arena = src;
        arena.shrink_to_fit();
        // Every word prefix of every form is a key too (no forms unless it is also a form's).
        let mut prefixes: Vec<u64> =
            prefixes.into_iter().filter(|k| keys.binary_search(k).is_err()).collect();
        let table = if prefixes.is_empty() {
            KeyTable::new(keys, firsts)
        } else {
            prefixes.sort_unstable();
            let mut all_keys = Vec::with_capacity(keys.len() + prefixes.len());
            let mut all_firsts = Vec::with_capacity(keys.len() + prefixes.len() + 1);
            let mut p = prefixes.iter().peekable();
            for (n, &k) in keys.iter().enumerate() {
                while let Some(&&q) = p.peek().filter(|&&&q| q < k) {
                    all_keys.push(q);
                    all_firsts.push(firsts[n]);
                    p.next();
                }
                all_keys.push(k);
                all_firsts.push(firsts[n]);
            }
            for &q in p {
                all_keys.push(q);
                all_firsts.push(forms.len() as u32);
            }
            all_firsts.push(forms.len() as u32);
            KeyTable::new(all_keys, all_firsts)
        };
        let (keys, keys_mask) = bit_set(table.keys.iter().copied(), 16);
        let swaps = Swaps::new(&given_words);
        TokenEngine {
            table,
            forms,
            arena,
            owners,
            max_words,
            max_len,
            filter,
            filter_mask,
            starts,
            keys,
            keys_mask,
            swaps,
        }
    }
}

impl TokenEngine {
    /// Calls `found(span)` for every listed form anywhere in `norm`, word boundaries or not
    /// (`xjane doex` holds `jane doe`). Quadratic in `norm`: for the few dozen bytes of an
    /// excerpt, which must mask what a reader would recognise even where it is no match.
    pub fn find_substrings(&self, norm: &[u8], found: &mut dyn FnMut(Range<usize>)) {
        for start in 0..norm.len() {
            let pair = (norm[start] as usize) << 8 | norm.get(start + 1).map_or(0, |&b| b as usize);
            if self.starts[pair / 64] & (1 << (pair % 64)) == 0 {
                continue;
            }
            let mut h = Fnv::START;
            for end in start + 1..=norm.len().min(start + self.max_len) {
                h = h.feed(&norm[end - 1..end]);
                let key = h.key();
                if !may_hold(&self.filter, self.filter_mask, key) {
                    continue;
                }
                if let Some(slot) = self.table.get(Span::of(&norm[start..end]).key()) {
                    let forms = &self.forms[slot.first as usize..(slot.first + slot.count) as usize];
                    if forms.iter().any(|f| entry(&self.arena, f.entry).0 == &norm[start..end]) {
                        found(start..end);
                    }
                }
            }
        }
    }

    /// Calls `found(span, record, kind, given)` for every listed form standing as whole words in
    /// the normalised text `norm`, and every variant form (`given`: the word that stood for the
    /// token) when the engine holds some.
    pub fn find(&self, norm: &[u8], found: &mut WordFound<'_>) {
        // The spaces are found eight bytes at a time, and the words between them visited in
        // turn: where one word ends does not wait on the hashing of the one before.
        let mut start = 0;
        let chunks = norm.chunks_exact(8);
        let tail = chunks.remainder().len();
        for (k, chunk) in chunks.enumerate() {
            let mut flags = spaces(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
            while flags != 0 {
                let space = 8 * k + (flags.trailing_zeros() / 8) as usize;
                flags &= flags - 1;
                self.starting_with(norm, start, space, found);
                start = space + 1;
            }
        }
        for space in memchr::memchr_iter(b' ', &norm[norm.len() - tail..]).map(|p| norm.len() - tail + p) {
            self.starting_with(norm, start, space, found);
            start = space + 1;
        }
        self.starting_with(norm, start, norm.len(), found);
    }

    /// The listed forms that start with the word `norm[start..end]`. Most words start none,
    /// and are ruled out here by one bit (two with name variants).
    #[inline]
    fn starting_with(&self, norm: &[u8], start: usize, end: usize, found: &mut WordFound<'_>) {
        if start >= end {
            return;
        }
        let h = Span::START.then(word_at(norm, start, end));
        let key = h.key();
        if may_hold(&self.keys, self.keys_mask, key) {
            self.extend(norm, start, end, h, None, found);
        }
        if !self.swaps.rows.is_empty() && may_hold(&self.swaps.filter, self.swaps.filter_mask, key) {
            self.swap_first(norm, start, end, key, found);
        }
    }

    /// The listed forms whose given name is their first word and that start with a given name
    /// the word `norm[start..end]` may stand for.
    #[cold]
    #[inline(never)]
    fn swap_first(&self, norm: &[u8], start: usize, end: usize, key: u64, found: &mut WordFound<'_>) {
        self.swaps.each(&norm[start..end], key, &mut |name, name_hash| {
            let h = Span::START.then(name_hash);
            self.extend(norm, start, end, h, Some((start..end, name, 0)), found);
        });
    }

    /// The listed forms that start with the span `norm[start..end]` (hashed to `h`, with the
    /// word `given` tried as a given name if one is), extended word by word while the span so
    /// far is a known prefix. With no word tried as a given name yet, each further word that
    /// may stand for one is tried as it too. A form found through such a word is reported for
    /// the owners whose given name is at that word's place.
    #[cold]
    #[inline(never)]
    fn extend(
        &self,
        norm: &[u8],
        start: usize,
        mut end: usize,
        mut h: Span,
        given: Given<'_>,
        found: &mut WordFound<'_>,
    ) {
        let mut words = 1 + norm[start..end].iter().filter(|&&b| b == b' ').count();
        loop {
            let key = h.key();
            if !may_hold(&self.keys, self.keys_mask, key) {
                return;
            }
            let Some(slot) = self.table.get(key) else { return };
            for i in slot.first as usize..(slot.first + slot.count) as usize {
                let form = self.forms[i];
                let text = entry(&self.arena, form.entry).0;
                if same_text(text, norm, &(start..end), &given) {
                    let first = i.checked_sub(1).map_or(0, |p| self.forms[p].owners_end) as usize;
                    let owners = &self.owners[first..form.owners_end as usize];
                    match &given {
                        // As listed: each record and kind once (one record may list the form
                        // with its given name at two places).
                        None => {
                            for (n, &(record, kind, _)) in owners.iter().enumerate() {
                                if n == 0 || owners[n - 1].0 != record || owners[n - 1].1 != kind {
                                    found(start..end, record, kind, None);
                                }
                            }
                        }
                        Some((word, _, place)) => {
                            for &(record, kind, _) in owners.iter().filter(|o| o.2 == *place) {
                                found(start..end, record, kind, Some(word.clone()));
                            }
                        }
                    }
                }
            }
            if end >= norm.len() || words >= self.max_words {
                return;
            }
            let (word, next_end) = next_word(norm, end + 1);
            if given.is_none() && !self.swaps.rows.is_empty() && words < NO_GIVEN as usize {
                let next = &norm[end + 1..next_end];
                let place = words as u8;
                self.swaps.each(next, Span::START.then(word).key(), &mut |name, name_hash| {
                    let given = Some((end + 1..next_end, name, place));
                    self.extend(norm, start, next_end, h.then(name_hash), given, found);
                });
            }
            (h, end) = (h.then(word), next_end);
            words += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word hashed from one load (a word of one to eight bytes, text after it) is hashed as
    /// the general path hashes it: patterns and text meet only if the two agree.
    #[test]
    fn one_load_and_general_word_hashes_agree() {
        let text = b"a jane doe nightingale 12345678 x123456789 z";
        let mut start = 0;
        for word in text.split(|&b| b == b' ') {
            let end = start + word.len();
            assert_eq!(word_at(text, start, end), word_hash(word), "{}", String::from_utf8_lossy(word));
            start = end + 1;
        }
    }
}
