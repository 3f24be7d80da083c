//! Sealed protected lists: the list of victims never sits in clear on a mail server.
//!
//! A sealed list holds, for every record, its id and, for every normalised form the matcher
//! needs, a keyed one-way tag: each name and term as word sequences in both orders (and every
//! word prefix of them, which the scan extends through), each canonical address, each
//! phone's digit forms. No identifier and no word of one is in the file; without the key, a
//! tag says nothing about what it stands for, and guessing names needs the key for every guess.
//! The security argument (what the file alone, and the file with its key, tell an attacker)
//! is in docs/sealed-lists.md.
//!
//! Tags are SipHash-2-4 with a 128-bit key derived from the list's 256-bit key by BLAKE3's key
//! derivation; the key check value is BLAKE3 in keyed mode. SipHash rather than BLAKE3 for the
//! tags because a scan computes tags of words of text: SipHash-2-4, a pseudo-random function
//! made for short inputs, costs about 25 ns on a word where BLAKE3's keyed mode costs 130 ns.
//!
//! Most words of text start no listed form, and a scan should not pay a tag for them: the
//! file also holds a **word filter**, a bit set of a keyed hash of the first word of every
//! form (SipHash-1-3 under a second derived key, of a 64-bit digest of the word). A word of
//! text is looked up only when its bits are all set; most are ruled out by one SipHash-1-3 of
//! eight bytes and one load. The filter is keyed like the tags: without the key, its bits say
//! only about how many distinct first words the list has.
//!
//! Tags are 64 bits. A tag found in text for a span that is not listed is a false match when
//! it equals one of the `n` tags in the file: probability `n / 2^64` per look-up, 1.8e-12 for
//! a list of ten million records (34 million tags).
//!
//! File layout, version 3 (little-endian; every section is read where it lies in the file,
//! so that opening a list is checking it, not copying it):
//!
//! - the magic `MAILDLP-SEALED\n`, the version (u16), the key check value (32 bytes);
//! - the record ids: their number `n` (u32), the length of their text (u32), `n` end offsets
//!   (u32) into the text, and the text (UTF-8);
//! - the longest form in words (u16);
//! - the word filter: its number of 64-bit words (u32, a power of two) and the words;
//! - the entries, sorted by tag: their number `m` (u64), `m` tags (u64), `m` records (u32,
//!   `u32::MAX` for a prefix, which stands for no record), `m` bytes of role (high four bits)
//!   and kind (low four bits);
//! - the patterns, in clear: their number (u32), and each one's record (u32), length (u32)
//!   and text.
//!
//! Versions 1 and 2 (one tag, record, kind and role after another, no filter) are refused
//! with a message that says to seal the list again.

use std::hash::Hasher;
use std::ops::Range;

use siphasher::sip::SipHasher24;

use super::canonical::{self, Phone, PhoneRef, MIN_DIGITS};
use super::plain::ProtectedList;
use super::{variants, Lookup, WordFound};
use crate::error::{Error, Result};
use crate::model::Kind;

const MAGIC: &[u8] = b"MAILDLP-SEALED\n";
/// The format this maildlp writes and reads.
const VERSION: u16 = 3;
const CHECK_CONTEXT: &[u8] = b"maildlp sealed list key check v1";
const TAG_CONTEXT: &str = "maildlp 2026-11 sealed list tags v1";
const FILTER_CONTEXT: &str = "maildlp 2026-12 sealed list word filter v3";

/// Roles of an entry: what a tag stands for.
const FORM: u8 = 0;
const PREFIX: u8 = 1;
const EMAIL: u8 = 2;
const PHONE: u8 = 3;
const CONTACT: u8 = 4;

/// Domains hashed before the bytes, so a name never shares a tag with an address or a number.
const WORDS: u8 = b'w';
const ADDRESS: u8 = b'a';
const NUMBER: u8 = b'p';
const CONTACTS: u8 = b'c';
/// Phone digit forms: written internationally, nationally, or the national forms of a listed
/// international number (its digits less a country code of one to three digits).
const INTL: u8 = b'I';
const NATIONAL: u8 = b'N';
const DERIVED: u8 = b'D';

/// Most 64-bit words a word filter has (4 MiB): see [`filter_words`].
const MAX_FILTER_WORDS: usize = 1 << 19;
/// A 256-bit key for sealed lists.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Key> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k)
            .map_err(|e| Error::Key(format!("the system's random generator failed: {e}")))?;
        Ok(Key(k))
    }

    /// A key from its file: 64 hexadecimal digits (white space around them ignored), or the
    /// 32 bytes themselves.
    pub fn from_bytes(bytes: &[u8]) -> Result<Key> {
        if bytes.len() == 32
            && std::str::from_utf8(bytes).map_or(true, |s| !s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            let mut k = [0u8; 32];
            k.copy_from_slice(bytes);
            return Ok(Key(k));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::Key("a key is 64 hexadecimal digits".into()))?
            .trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Key("a key is 64 hexadecimal digits".into()));
        }
        let mut k = [0u8; 32];
        for (i, byte) in k.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .map_err(|_| Error::Key("a key is 64 hexadecimal digits".into()))?;
        }
        Ok(Key(k))
    }

    /// The key as its file holds it: 64 hexadecimal digits and a line end.
    pub fn to_text(&self) -> String {
        let mut s: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        s.push('\n');
        s
    }

    fn check_value(&self) -> [u8; 32] {
        *blake3::keyed_hash(&self.0, CHECK_CONTEXT).as_bytes()
    }

    fn tagger(&self) -> Tagger {
        let k = blake3::derive_key(TAG_CONTEXT, &self.0);
        let k0 = u64::from_le_bytes(k[..8].try_into().unwrap_or_default());
        let k1 = u64::from_le_bytes(k[8..16].try_into().unwrap_or_default());
        let f = blake3::derive_key(FILTER_CONTEXT, &self.0);
        let f0 = u64::from_le_bytes(f[..8].try_into().unwrap_or_default());
        let f1 = u64::from_le_bytes(f[8..16].try_into().unwrap_or_default());
        Tagger { k0, k1, filter: SipKey13::new(f0, f1) }
    }
}

/// Computes tags and word filter keys.
#[derive(Debug, Clone, Copy)]
struct Tagger {
    k0: u64,
    k1: u64,
    filter: SipKey13,
}

impl Tagger {
    /// A hasher already fed with `domain`, to feed the bytes of a form.
    fn start(&self, domain: u8) -> SipHasher24 {
        let mut h = SipHasher24::new_with_keys(self.k0, self.k1);
        h.write(&[domain]);
        h
    }

    fn tag(&self, domain: u8, bytes: &[u8]) -> u64 {
        let mut h = self.start(domain);
        h.write(bytes);
        h.finish()
    }

    /// The tag of a canonical address.
    fn address(&self, addr: &str) -> u64 {
        self.tag(ADDRESS, addr.as_bytes())
    }

    fn number(&self, form: u8, digits: &str) -> u64 {
        let mut h = self.start(NUMBER);
        h.write(&[form]);
        h.write(digits.as_bytes());
        h.finish()
    }

    /// The word filter's key of a word: SipHash-1-3 of its [`digest`].
    #[inline]
    fn filter_key(&self, word: &[u8]) -> u64 {
        self.filter.hash_u64(digest(word))
    }
}

/// SipHash-1-3 of one 64-bit word under a fixed key, its key schedule done once: the word
/// filter's keyed hash. It is the function of `siphasher`'s `SipHasher13` fed the word's eight
/// little-endian bytes (a test checks it), written out so that a scan pays five rounds and
/// nothing else.
#[derive(Debug, Clone, Copy)]
struct SipKey13 {
    v: [u64; 4],
}

impl SipKey13 {
    fn new(k0: u64, k1: u64) -> SipKey13 {
        SipKey13 {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
        }
    }

    /// One compression round per block (the message, then the last block of an eight-byte
    /// message: its length in the top byte), three finalisation rounds.
    #[inline]
    fn hash_u64(&self, m: u64) -> u64 {
        let mut v = self.v;
        for block in [m, 8u64 << 56] {
            v[3] ^= block;
            sip_round(&mut v);
            v[0] ^= block;
        }
        v[2] ^= 0xff;
        sip_round(&mut v);
        sip_round(&mut v);
        sip_round(&mut v);
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// A 64-bit digest of a word, not keyed (it never leaves the process: only its keyed hash
/// sets the filter): a word of up to eight bytes is its bytes, a longer one its bytes mixed
/// eight at a time and its length. Two words with one digest only let one more word through
/// the filter, to be looked up by its tag.
#[inline]
fn digest(word: &[u8]) -> u64 {
    let le = |c: &[u8]| c.iter().rev().fold(0u64, |a, &b| a << 8 | b as u64);
    if word.len() <= 8 {
        return le(word);
    }
    let mut chunks = word.chunks_exact(8);
    let mut h = (&mut chunks).fold(word.len() as u64, |h, c| {
        let h = (h ^ le(c)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 29)
    });
    h = (h ^ le(chunks.remainder())).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 31)
}

/// The number of 64-bit words of a word filter of `keys` distinct keys: about sixteen bits a
/// key (one absent word in a hundred passes), a power of two, at least 64 and at most
/// [`MAX_FILTER_WORDS`] (4 MiB, which a scan reads about as fast as a small one).
fn filter_words(keys: usize) -> usize {
    (keys.saturating_mul(16) / 64).next_power_of_two().clamp(64, MAX_FILTER_WORDS)
}

/// The three bits `key` sets in its word of a filter (the word is picked by its low bits).
#[inline]
fn filter_bits(key: u64) -> u64 {
    1 << (key >> 46 & 63) | 1 << (key >> 52 & 63) | 1 << (key >> 58)
}

/// An entry's role and kind, as its byte in the file holds them.
fn entry_byte(role: u8, kind: Kind) -> u8 {
    role << 4 | kind_byte(kind)
}

/// A sealed protected list, opened with its key: the file itself, checked, with a bucket table
/// over its sorted tags.
#[derive(Debug)]
pub struct SealedList {
    file: Vec<u8>,
    /// The number of records, where their end offsets and their ids' text start.
    records: usize,
    id_ends: usize,
    id_text: usize,
    /// The number of entries, and where their tags, records and role bytes start.
    entries: usize,
    tags: usize,
    owners: usize,
    roles: usize,
    /// `buckets[b]`: the first entry whose tag's top bits are `b` or more.
    buckets: Vec<u32>,
    shift: u32,
    /// The word filter (see the module docs).
    filter: Vec<u64>,
    filter_mask: u64,
    /// Pattern identifiers, in clear (shapes, not identities).
    patterns: Vec<(u32, String)>,
    max_words: usize,
    tagger: Tagger,
    words: bool,
    phones: bool,
    addresses: bool,
    contacts: bool,
}

/// Whether `bytes` are a sealed list (by its magic header).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Seals `list` under `key`: the bytes of a sealed list file.
///
/// `contact` rows are sealed as tags too (who a victim's solicitor is is itself sensitive):
/// each contact address, or `@` and a domain, keyed like everything else. The bytes depend on
/// the list and the key alone: the same list sealed twice with one key gives the same file.
pub fn seal(list: &ProtectedList, key: &Key) -> Vec<u8> {
    let entries = Entries::of(list, key);
    let mut out = Vec::with_capacity(entries.file_len(list));
    // Writing into memory cannot fail.
    let _ = entries.write(list, key, &mut out);
    out
}

/// [`seal`] into `out` (a file, say), written as it is made: the sealed list is never whole in
/// memory beside the entries it is written from. The bytes written are [`seal`]'s.
pub fn seal_to<W: std::io::Write>(list: &ProtectedList, key: &Key, out: W) -> std::io::Result<()> {
    Entries::of(list, key).write(list, key, out)
}

/// An entry as it is sorted: tag, record, role and kind (sixteen bytes).
type Entry3 = (u64, u32, u8);

/// A list's entries as a sealed file holds them, sorted and without duplicates; the word filter;
/// the longest form in words.
struct Entries {
    /// The entries by the top bits of their tags: each bucket's tags are below the next one's.
    buckets: Buckets,
    filter: Vec<u64>,
    max_words: usize,
}

/// Entries put straight into the bucket of the top bits of their tags (which are uniformly
/// distributed) as they are made: each bucket is then sorted on its own, in the cache, and the
/// entries are never moved across all of memory to sort them (the top pass of a sort of tens of
/// millions of entries, which waits on memory for every one).
struct Buckets {
    buckets: Vec<Vec<Entry3>>,
    bits: u32,
}

impl Buckets {
    /// Buckets for about `entries` entries, at most `most` (some thousands of entries a
    /// bucket, at most 1,024 buckets), each with room for its share of `most`: untouched room
    /// costs no memory, where a bucket grown and copied costs its copy.
    fn new(entries: usize, most: usize) -> Buckets {
        let bits = (usize::BITS - entries.leading_zeros()).saturating_sub(14).min(RADIX_BITS);
        let room = most.div_ceil(1 << bits);
        Buckets { buckets: (0..1 << bits).map(|_| Vec::with_capacity(room)).collect(), bits }
    }

    #[inline]
    fn push(&mut self, e: Entry3) {
        // The top `bits` bits of the tag (none of them when there is one bucket).
        let b = ((e.0 as u128 * self.buckets.len() as u128) >> 64) as usize;
        self.buckets[b].push(e);
    }

    /// Sorts every bucket and drops its duplicates.
    fn sort(&mut self) {
        for bucket in &mut self.buckets {
            radix_sort(bucket, 64 - RADIX_BITS - self.bits);
            bucket.dedup();
        }
    }

    fn len(&self) -> usize {
        self.buckets.iter().map(Vec::len).sum()
    }

    fn iter(&self) -> impl Iterator<Item = &Entry3> + '_ {
        self.buckets.iter().flatten()
    }
}

// `cbindgen:ignore`: cbindgen reads every item of the crate and cannot instantiate a
// hashbrown set with its hasher; the alias is Rust's alone.
/// A set of tags (uniformly distributed already: hashed as they are).
///
/// cbindgen:ignore
type TagSet = hashbrown::HashSet<u64, std::hash::BuildHasherDefault<super::index::PassThrough>>;

impl Entries {
    fn of(list: &ProtectedList, key: &Key) -> Entries {
        let tagger = key.tagger();
        // A name is usually two forms and a prefix of each; an address one tag; a phone up to
        // four. Most prefixes (a given name, a family name) are shared by many records: each
        // is pushed once (a set of those seen, one for names and one for terms), not once a
        // form, which for a list of ten million names keeps twenty million entries out of
        // memory and out of the sort.
        let mut entries = Buckets::new(list.identifier_count() * 2, list.identifier_count() * 3);
        let mut prefixes: [TagSet; 2] = Default::default();
        // The keys of distinct first words, for the word filter (a set: a million names have
        // far fewer distinct first words).
        let mut firsts = TagSet::default();
        let mut max_words = 1usize;
        // Every listed form and every variant form (the given name folded to its family's
        // token: see `variants`), so that one sealed file serves a policy with or without
        // `name_variants`.
        let mut add_form = |form: &[u8], record: u32, kind: Kind| {
            let first = memchr::memchr(b' ', form).unwrap_or(form.len());
            firsts.insert(tagger.filter_key(&form[..first]));
            // The form, and each of its word prefixes (which the scan extends through).
            let mut h = tagger.start(WORDS);
            let mut start = 0;
            let mut words = 1;
            for (i, &b) in form.iter().enumerate() {
                if b == b' ' {
                    h.write(&form[start..i]);
                    let tag = h.finish();
                    if prefixes[usize::from(kind == Kind::Term)].insert(tag) {
                        entries.push((tag, u32::MAX, entry_byte(PREFIX, kind)));
                    }
                    h.write(b" ");
                    start = i + 1;
                    words += 1;
                }
            }
            h.write(&form[start..]);
            entries.push((h.finish(), record, entry_byte(FORM, kind)));
            max_words = max_words.max(words);
        };
        list.each_word_form(&mut add_form);
        list.each_variant_form(&mut add_form);
        drop(prefixes);
        for record in list.records() {
            let r = record.index() as u32;
            for ident in record.identifiers() {
                match ident.kind() {
                    Kind::Email => {
                        let tag = tagger.address(&crate::address::canonical_cow(ident.value()));
                        entries.push((tag, r, entry_byte(EMAIL, Kind::Email)));
                    }
                    Kind::Phone => {
                        let phone = Phone::parse(ident.value());
                        let (intl, digits) = phone.parts();
                        let role = entry_byte(PHONE, Kind::Phone);
                        if intl {
                            entries.push((tagger.number(INTL, digits), r, role));
                            for cc in 1..=3 {
                                if let Some(national) = digits.get(cc..).filter(|n| n.len() >= MIN_DIGITS) {
                                    entries.push((tagger.number(DERIVED, national), r, role));
                                }
                            }
                        } else {
                            entries.push((tagger.number(NATIONAL, digits), r, role));
                        }
                    }
                    _ => {}
                }
            }
        }
        list.each_contact(&mut |key, record| {
            entries.push((tagger.tag(CONTACTS, key.as_bytes()), record, entry_byte(CONTACT, Kind::Email)));
        });
        // The same form of one record twice (listed twice, or a variant form that is a listed
        // one) is one entry.
        entries.sort();
        let mut filter = if firsts.is_empty() { Vec::new() } else { vec![0u64; filter_words(firsts.len())] };
        let mask = filter.len().saturating_sub(1) as u64;
        for k in firsts {
            filter[(k & mask) as usize] |= filter_bits(k);
        }
        Entries { buckets: entries, filter, max_words }
    }

    /// The length of the file.
    fn file_len(&self, list: &ProtectedList) -> usize {
        let id_bytes: usize = list.records().map(|r| r.id().len()).sum();
        let patterns: usize = list
            .records()
            .flat_map(|r| r.identifiers().filter(|i| i.kind() == Kind::Pattern).map(|i| 8 + i.value().len()))
            .sum();
        MAGIC.len()
            + 2
            + 32
            + 8
            + list.len() * 4
            + id_bytes
            + 2
            + 4
            + self.filter.len() * 8
            + 8
            + self.buckets.len() * 13
            + 4
            + patterns
    }

    /// Writes the file (the layout is in the module docs) through a buffer of its own.
    fn write<W: std::io::Write>(&self, list: &ProtectedList, key: &Key, out: W) -> std::io::Result<()> {
        let mut out = Chunks { buf: Vec::with_capacity(CHUNK), out };
        out.put(MAGIC)?;
        out.put(&VERSION.to_le_bytes())?;
        out.put(&key.check_value())?;
        let id_bytes: usize = list.records().map(|r| r.id().len()).sum();
        out.put(&(list.len() as u32).to_le_bytes())?;
        out.put(&(id_bytes as u32).to_le_bytes())?;
        let mut end = 0u32;
        for record in list.records() {
            end = end.wrapping_add(record.id().len() as u32);
            out.put(&end.to_le_bytes())?;
        }
        for record in list.records() {
            out.put(record.id().as_bytes())?;
        }
        out.put(&(self.max_words.min(u16::MAX as usize) as u16).to_le_bytes())?;
        out.put(&(self.filter.len() as u32).to_le_bytes())?;
        for w in &self.filter {
            out.put(&w.to_le_bytes())?;
        }
        out.put(&(self.buckets.len() as u64).to_le_bytes())?;
        for e in self.buckets.iter() {
            out.put(&e.0.to_le_bytes())?;
        }
        for e in self.buckets.iter() {
            out.put(&e.1.to_le_bytes())?;
        }
        for e in self.buckets.iter() {
            out.put(&[e.2])?;
        }
        // Pattern identifiers follow in clear: (record, length, the pattern).
        let patterns = || {
            list.records().flat_map(|r| {
                let index = r.index() as u32;
                r.identifiers().filter(|i| i.kind() == Kind::Pattern).map(move |i| (index, i.value()))
            })
        };
        out.put(&(patterns().count() as u32).to_le_bytes())?;
        for (record, p) in patterns() {
            out.put(&record.to_le_bytes())?;
            out.put(&(p.len() as u32).to_le_bytes())?;
            out.put(p.as_bytes())?;
        }
        out.flush()
    }
}

/// The size of the buffer a sealed file is written through.
const CHUNK: usize = 1 << 20;

/// A writer's buffer, filled by small writes and handed to the writer a chunk at a time.
struct Chunks<W> {
    buf: Vec<u8>,
    out: W,
}

impl<W: std::io::Write> Chunks<W> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + bytes.len() > CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        if bytes.len() > CHUNK {
            return self.out.write_all(bytes);
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

/// The bits a pass of [`radix_sort`] sorts by.
const RADIX_BITS: u32 = 10;

/// Sorts entries in place whose tags are equal above bit `shift + RADIX_BITS`: a radix sort, ten
/// bits at a time from there down, each pass moving every entry once to its bucket; buckets of a
/// few entries are sorted as they are (and entries of equal tags by their records and roles).
/// A pass writes to at most 1,024 places at a time, each moving forward, which stay in the
/// cache.
fn radix_sort(entries: &mut [Entry3], shift: u32) {
    const BUCKETS: usize = 1 << RADIX_BITS;
    if entries.len() <= 64 {
        entries.sort_unstable();
        return;
    }
    let digit = |e: &Entry3| (e.0 >> shift) as usize & (BUCKETS - 1);
    let mut ends = [0usize; BUCKETS];
    for e in entries.iter() {
        ends[digit(e)] += 1;
    }
    let mut sum = 0;
    for end in ends.iter_mut() {
        sum += *end;
        *end = sum;
    }
    // `next[b]`: the first place of bucket b not yet holding one of its entries.
    let mut next = [0usize; BUCKETS];
    next[1..].copy_from_slice(&ends[..BUCKETS - 1]);
    for b in 0..BUCKETS {
        while next[b] < ends[b] {
            // Carry the entry here to its bucket, and the one found there to its own, until
            // one that belongs here comes back.
            let mut e = entries[next[b]];
            let mut d = digit(&e);
            while d != b {
                std::mem::swap(&mut e, &mut entries[next[d]]);
                next[d] += 1;
                d = digit(&e);
            }
            entries[next[b]] = e;
            next[b] += 1;
        }
    }
    let mut start = 0;
    for &end in &ends {
        let bucket = &mut entries[start..end];
        match shift.checked_sub(RADIX_BITS) {
            Some(lower) => radix_sort(bucket, lower),
            // The lowest bits (those of them sorted already are equal in a bucket), then equal tags.
            None if shift > 0 => radix_sort(bucket, 0),
            None => bucket.sort_unstable(),
        }
        start = end;
    }
}

fn kind_byte(k: Kind) -> u8 {
    match k {
        Kind::Name => 0,
        Kind::Email => 1,
        Kind::Phone => 2,
        Kind::Term => 3,
        Kind::Pattern => 4,
    }
}

fn kind_of(b: u8) -> Option<Kind> {
    Some(match b {
        0 => Kind::Name,
        1 => Kind::Email,
        2 => Kind::Phone,
        3 => Kind::Term,
        4 => Kind::Pattern,
        _ => return None,
    })
}

/// Reads the file's fields in order, refusing a file cut short.
struct Reader<'b> {
    b: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| damaged("it is cut short"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    /// Skips `count` items of `size` bytes, returning where they start.
    fn skip(&mut self, count: usize, size: usize) -> Result<usize> {
        let at = self.at;
        self.take(count.checked_mul(size).ok_or_else(|| damaged("it is cut short"))?)?;
        Ok(at)
    }
    fn u16(&mut self) -> Result<u16> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }
}

fn damaged(why: &str) -> Error {
    Error::Sealed(format!("not a readable sealed list: {why}"))
}

/// The little-endian `u64` at `at` of `b` (0 past its end, which a checked file never asks).
#[inline]
fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// The little-endian `u32` at `at` of `b` (0 past its end, which a checked file never asks).
#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}

/// Where the word of `norm` starting at `start` ends.
fn next_space(norm: &[u8], start: usize) -> usize {
    memchr::memchr(b' ', &norm[start..]).map_or(norm.len(), |p| start + p)
}

/// One entry of the index: its record and kind, and its role.
#[derive(Debug, Clone, Copy)]
struct Entry {
    record: u32,
    kind: Kind,
    role: u8,
}

impl SealedList {
    /// The tag of entry `i`.
    #[inline]
    fn tag_of(&self, i: usize) -> u64 {
        u64_at(&self.file, self.tags + 8 * i)
    }

    /// Entry `i`.
    #[inline]
    fn entry(&self, i: usize) -> Entry {
        let byte = self.file.get(self.roles + i).copied().unwrap_or(0);
        Entry {
            record: u32_at(&self.file, self.owners + 4 * i),
            kind: kind_of(byte & 15).unwrap_or(Kind::Name),
            role: byte >> 4,
        }
    }

    /// The entries whose tag is `tag`: a bucket of about eight tags, read in order.
    #[inline]
    fn find(&self, tag: u64) -> Range<usize> {
        let b = (tag >> self.shift) as usize;
        let (lo, hi) = match (self.buckets.get(b), self.buckets.get(b + 1)) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            _ => return 0..0,
        };
        let mut i = lo;
        while i < hi && self.tag_of(i) < tag {
            i += 1;
        }
        let start = i;
        while i < hi && self.tag_of(i) == tag {
            i += 1;
        }
        start..i
    }

    /// Calls `found(record)` for every entry of `role` with the tag `tag`.
    fn each_owner(&self, tag: u64, role: u8, found: &mut dyn FnMut(u32)) {
        for i in self.find(tag) {
            let e = self.entry(i);
            if e.role == role {
                found(e.record);
            }
        }
    }

    /// Whether the word filter lets `word` through as the first word of a form.
    #[inline]
    fn may_start(&self, word: &[u8]) -> bool {
        let key = self.tagger.filter_key(word);
        let bits = filter_bits(key);
        self.filter.get((key & self.filter_mask) as usize).is_some_and(|w| w & bits == bits)
    }

    /// Calls `found` for every form that starts with the span `norm[start..end]` (whose tag
    /// so far is in `h`), extended word by word while the span is a listed prefix. `given` is
    /// the word a family token stands for, if one does; with a `table` and no token yet, each
    /// further word that is in a family is also tried as that family's token.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        norm: &[u8],
        start: usize,
        mut end: usize,
        mut h: SipHasher24,
        given: Option<Range<usize>>,
        table: Option<&variants::Table>,
        found: &mut WordFound<'_>,
    ) {
        let mut words = 1 + norm[start..end].iter().filter(|&&b| b == b' ').count();
        loop {
            let entries = self.find(h.finish());
            if entries.is_empty() {
                return;
            }
            let mut prefix = false;
            for i in entries {
                let e = self.entry(i);
                match e.role {
                    FORM => found(start..end, e.record, e.kind, given.clone()),
                    PREFIX => prefix = true,
                    _ => {}
                }
            }
            if end >= norm.len() || words >= self.max_words || !prefix {
                return;
            }
            let next_end = next_space(norm, end + 1);
            if let Some(table) = table {
                for &t in table.text_tokens(&norm[end + 1..next_end]) {
                    let mut v = h;
                    v.write(b" ");
                    v.write(&table.token(t).bytes);
                    self.walk(norm, start, next_end, v, Some(end + 1..next_end), None, found);
                }
            }
            h.write(b" ");
            h.write(&norm[end + 1..next_end]);
            end = next_end;
            words += 1;
        }
    }

    /// Opens a sealed list with its key. A wrong key is an error that says so, never a list
    /// that silently matches nothing. The bytes are copied: [`SealedList::open_owned`] keeps
    /// the caller's.
    pub fn open(bytes: &[u8], key: &Key) -> Result<SealedList> {
        SealedList::open_owned(bytes.to_vec(), key, usize::MAX)
    }

    /// Opens a sealed list from its file's bytes, which it keeps and reads in place, refusing
    /// one of more than `max_records` records (policy `max_list_records`).
    pub fn open_owned(file: Vec<u8>, key: &Key, max_records: usize) -> Result<SealedList> {
        let mut r = Reader { b: &file, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(damaged("no sealed-list header"));
        }
        let version = r.u16()?;
        if version == 1 || version == 2 {
            return Err(Error::Sealed(format!(
                "the list was sealed by an earlier maildlp (format version {version}, this maildlp reads version {VERSION}): seal it again from its CSV with `maildlp seal`"
            )));
        }
        if version != VERSION {
            return Err(damaged(&format!("version {version} (this maildlp reads version {VERSION})")));
        }
        if r.take(32)? != key.check_value() {
            return Err(Error::Key("the key is not the one this list was sealed with".into()));
        }
        let records = r.u32()? as usize;
        if records > max_records {
            return Err(Error::Sealed(super::too_many_records(max_records)));
        }
        let text_len = r.u32()? as usize;
        let id_ends = r.skip(records, 4)?;
        let id_text = r.skip(text_len, 1)?;
        let text = std::str::from_utf8(&file[id_text..id_text + text_len])
            .map_err(|_| damaged("a record id is not UTF-8"))?;
        let mut last = 0usize;
        for i in 0..records {
            let end = u32_at(&file, id_ends + 4 * i) as usize;
            if end < last || end > text_len || !text.is_char_boundary(end) {
                return Err(damaged("a record id is out of range"));
            }
            last = end;
        }
        if last != text_len {
            return Err(damaged("the record ids do not fill their text"));
        }
        let max_words = r.u16()?.max(1) as usize;
        let filter_len = r.u32()? as usize;
        if filter_len != 0 && (!filter_len.is_power_of_two() || filter_len > MAX_FILTER_WORDS) {
            return Err(damaged("its word filter is not a power of two words"));
        }
        let filter: Vec<u64> = r.take(filter_len * 8)?.chunks_exact(8).map(|c| u64_at(c, 0)).collect();
        let entries = usize::try_from(r.u64()?).map_err(|_| damaged("its entries do not fit in memory"))?;
        if entries > u32::MAX as usize {
            return Err(damaged("it has more entries than a list can"));
        }
        let tags = r.skip(entries, 8)?;
        let owners = r.skip(entries, 4)?;
        let roles = r.skip(entries, 1)?;
        let mut patterns = Vec::new();
        let n = r.u32()?;
        for _ in 0..n {
            let record = r.u32()?;
            let len = r.u32()? as usize;
            let p = std::str::from_utf8(r.take(len)?).map_err(|_| damaged("a pattern is not UTF-8"))?;
            if record as usize >= records {
                return Err(damaged("a pattern's record is out of range"));
            }
            canonical::pattern(p).map_err(|e| damaged(&e))?;
            patterns.push((record, p.to_string()));
        }
        if r.at != file.len() {
            return Err(damaged("bytes follow its last section"));
        }
        // The entries are checked once here, so that a look-up can trust them.
        let (mut words, mut phones, mut addresses, mut contacts) = (false, false, false, false);
        for &byte in &file[roles..roles + entries] {
            if byte >> 4 > CONTACT || kind_of(byte & 15).is_none() {
                return Err(damaged("an entry has an unknown role or kind"));
            }
            match byte >> 4 {
                FORM => words = true,
                PHONE => phones = true,
                EMAIL => addresses = true,
                CONTACT => contacts = true,
                _ => {}
            }
        }
        let out_of_range = file[owners..owners + 4 * entries]
            .chunks_exact(4)
            .any(|c| u32_at(c, 0) != u32::MAX && u32_at(c, 0) as usize >= records);
        if out_of_range {
            return Err(damaged("an entry's record is out of range"));
        }
        // About eight entries a bucket; the tags must be in order for the buckets to hold.
        let bits = (usize::BITS - 1 - entries.max(1).leading_zeros()).saturating_sub(3).clamp(1, 28);
        let shift = 64 - bits;
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        let mut previous = 0u64;
        for (i, c) in file[tags..tags + 8 * entries].chunks_exact(8).enumerate() {
            let tag = u64_at(c, 0);
            if tag < previous {
                return Err(damaged("its entries are out of order"));
            }
            previous = tag;
            // Every bucket after the last one that started before this tag starts here.
            let b = (tag >> shift) as usize;
            buckets[b + 1] = i as u32 + 1;
        }
        // buckets[b + 1] holds one past the last entry of bucket b, or 0 where the bucket is
        // empty: carrying the greatest end forward makes every slot the start of its bucket.
        let mut start = 0u32;
        for slot in buckets.iter_mut() {
            start = start.max(*slot);
            *slot = start;
        }
        let filter_mask = filter.len().saturating_sub(1) as u64;
        Ok(SealedList {
            file,
            records,
            id_ends,
            id_text,
            entries,
            tags,
            owners,
            roles,
            buckets,
            shift,
            filter,
            filter_mask,
            patterns,
            max_words,
            tagger: key.tagger(),
            words,
            phones,
            addresses,
            contacts,
        })
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records
    }

    /// Whether it has no record.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// The id of record `r`.
    pub fn id(&self, r: usize) -> Option<&str> {
        if r >= self.records {
            return None;
        }
        let start = if r == 0 { 0 } else { u32_at(&self.file, self.id_ends + 4 * (r - 1)) as usize };
        let end = u32_at(&self.file, self.id_ends + 4 * r) as usize;
        // Checked when opened: UTF-8, and every end on a character boundary.
        self.file.get(self.id_text + start..self.id_text + end).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The number of tags the file holds (forms, prefixes, addresses, phone forms, contacts).
    pub fn tag_count(&self) -> usize {
        self.entries
    }
}

/// Names, terms, addresses and phones are known only by their tags: every look-up computes the
/// tag of what was found in text and finds it in the index. Patterns are in clear.
impl Lookup for SealedList {
    fn record_count(&self) -> usize {
        self.len()
    }

    fn record_id(&self, record: u32) -> Option<&str> {
        self.id(record as usize)
    }

    fn word_forms_hint(&self) -> (usize, usize) {
        (0, 0)
    }

    fn each_word_form(&self, _each: &mut dyn FnMut(&[u8], u32, Kind)) {}

    fn has_keyed_words(&self) -> bool {
        self.words
    }

    fn find_keyed_words(&self, norm: &[u8], variants: bool, found: &mut WordFound<'_>) {
        let table = variants.then(variants::table);
        let mut start = 0;
        while start < norm.len() {
            let first_end = next_space(norm, start);
            let word = &norm[start..first_end];
            if self.may_start(word) {
                let mut h = self.tagger.start(WORDS);
                h.write(word);
                self.walk(norm, start, first_end, h, None, table, found);
            }
            if let Some(table) = table {
                for &t in table.text_tokens(word) {
                    let token = &table.token(t).bytes;
                    if self.may_start(token) {
                        let mut h = self.tagger.start(WORDS);
                        h.write(token);
                        self.walk(norm, start, first_end, h, Some(start..first_end), None, found);
                    }
                }
            }
            start = first_end + 1;
        }
    }

    fn has_addresses(&self) -> bool {
        self.addresses
    }

    fn address_contacts(&self, addr: &str, found: &mut dyn FnMut(u32)) {
        if !self.contacts {
            return;
        }
        canonical::contact_keys(addr, &mut |key| {
            self.each_owner(self.tagger.tag(CONTACTS, key.as_bytes()), CONTACT, found)
        });
    }

    fn address_owners(&self, addr: &str, found: &mut dyn FnMut(u32)) {
        self.each_owner(self.tagger.address(addr), EMAIL, found)
    }

    fn has_phones(&self) -> bool {
        self.phones
    }

    fn phone_owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32)) {
        let (intl, digits) = phone.parts();
        let mut look = |form: u8, d: &str| self.each_owner(self.tagger.number(form, d), PHONE, found);
        if intl {
            // The same international number, or a national one behind this country code.
            look(INTL, digits);
            for cc in 1..=3 {
                if let Some(national) = digits.get(cc..).filter(|n| n.len() >= MIN_DIGITS) {
                    look(NATIONAL, national);
                }
            }
        } else {
            look(NATIONAL, digits);
            look(DERIVED, digits);
        }
    }

    fn each_pattern(&self, each: &mut dyn FnMut(u32, &str)) {
        for (record, p) in &self.patterns {
            each(*record, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_refuse_bad_text() {
        let k = Key::generate().unwrap();
        assert_eq!(Key::from_bytes(k.to_text().as_bytes()).unwrap(), k);
        assert_eq!(Key::from_bytes(&k.0).unwrap(), k);
        assert!(Key::from_bytes(b"abc").is_err());
        assert!(Key::from_bytes(&[b'g'; 64]).is_err());
        assert_ne!(Key::generate().unwrap(), k);
    }

    #[test]
    fn wrong_key_and_damage_are_errors() {
        let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n").unwrap();
        let k = Key::generate().unwrap();
        let sealed = seal(&list, &k);
        assert!(SealedList::open(&sealed, &k).is_ok());
        assert!(matches!(SealedList::open(&sealed, &Key::generate().unwrap()), Err(Error::Key(_))));
        assert!(matches!(SealedList::open(&sealed[..sealed.len() - 3], &k), Err(Error::Sealed(_))));
        assert!(matches!(SealedList::open(b"id,kind,value\n", &k), Err(Error::Sealed(_))));
    }

    /// Every entry is found by its tag through the buckets, at every list size the bucket
    /// count steps through, and a tag not in the file finds nothing.
    #[test]
    fn buckets_find_every_tag() {
        let k = Key::from_bytes(&[7u8; 32]).unwrap();
        for n in [1usize, 2, 9, 100, 3000] {
            let mut list = ProtectedList::new();
            for i in 0..n {
                list.push(&format!("R{i}"), Kind::Email, &format!("p{i}@x.example")).unwrap();
            }
            let sealed = SealedList::open(&seal(&list, &k), &k).unwrap();
            assert_eq!(sealed.tag_count(), n);
            for i in 0..n {
                let mut owners = Vec::new();
                sealed.address_owners(&format!("p{i}@x.example"), &mut |r| owners.push(r));
                assert_eq!(owners, [i as u32], "{n} records, address {i}");
                assert_eq!(sealed.id(i), Some(format!("R{i}").as_str()));
            }
            assert!(!sealed.is_listed_address("nobody@x.example"));
            assert_eq!(sealed.id(n), None);
        }
    }

    /// The filter's hash is SipHash-1-3 as the `siphasher` crate computes it.
    #[test]
    fn the_filter_hash_is_siphash_1_3() {
        use siphasher::sip::SipHasher13;
        let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        let mine = SipKey13::new(k0, k1);
        for m in [0u64, 1, 0x006f_6c6c_6568, u64::MAX, 0x9e37_79b9_7f4a_7c15] {
            let mut h = SipHasher13::new_with_keys(k0, k1);
            h.write(&m.to_le_bytes());
            assert_eq!(mine.hash_u64(m), h.finish(), "{m:#x}");
        }
    }

    /// The filter lets every listed first word through (both orders of a name, a term's first
    /// word) and keeps out most other words.
    #[test]
    fn the_filter_passes_first_words_and_few_others() {
        let k = Key::from_bytes(&[3u8; 32]).unwrap();
        let mut list = ProtectedList::new();
        for i in 0..500 {
            list.push(&format!("R{i}"), Kind::Name, &format!("given{i} family{i}")).unwrap();
        }
        list.push("T", Kind::Term, "operation nightingale").unwrap();
        let sealed = SealedList::open(&seal(&list, &k), &k).unwrap();
        for i in 0..500 {
            assert!(sealed.may_start(format!("given{i}").as_bytes()));
            assert!(sealed.may_start(format!("family{i}").as_bytes()));
        }
        assert!(sealed.may_start(b"operation"));
        let passed = (0..10_000).filter(|i| sealed.may_start(format!("other{i}").as_bytes())).count();
        assert!(passed < 500, "{passed} of 10,000 other words passed");
    }

    /// A file of versions 1 and 2 (before the word filter) is refused with a message that says
    /// to seal the list again.
    #[test]
    fn an_earlier_format_says_to_seal_again() {
        let k = Key::generate().unwrap();
        for version in [1u16, 2] {
            let mut old = MAGIC.to_vec();
            old.extend_from_slice(&version.to_le_bytes());
            old.extend_from_slice(&k.check_value());
            old.extend_from_slice(&0u32.to_le_bytes());
            let err = SealedList::open(&old, &k).unwrap_err();
            assert!(matches!(err, Error::Sealed(_)), "{err}");
            assert!(err.to_string().contains("seal it again"), "{err}");
        }
    }

    /// A list of more records than allowed is refused before any of it is read.
    #[test]
    fn more_records_than_allowed_are_refused() {
        let k = Key::generate().unwrap();
        let list = ProtectedList::from_csv("id,kind,value\nA,name,Ann Lee\nB,name,Bo Li\n").unwrap();
        let sealed = seal(&list, &k);
        assert!(SealedList::open_owned(sealed.clone(), &k, 2).is_ok());
        let err = SealedList::open_owned(sealed, &k, 1).unwrap_err();
        assert!(err.to_string().contains("max_list_records"), "{err}");
    }
}
