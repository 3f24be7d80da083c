//! Sealed protected lists: the list of victims never sits in clear on a mail server.
//!
//! A sealed list holds, for every record, its id and, for every normalised form the matcher
//! needs, a keyed one-way tag: each name and term as word sequences in both orders (and every
//! word prefix of them, which the token engine extends through), each canonical address, each
//! phone's digit forms. No identifier and no word of one is in the file; without the key, a
//! tag says nothing about what it stands for, and guessing names needs the key for every guess.
//!
//! Tags are SipHash-2-4 with a 128-bit key derived from the list's 256-bit key by BLAKE3's key
//! derivation; the key check value is BLAKE3 in keyed mode. SipHash rather than BLAKE3 for the
//! tags because scanning computes one tag per word of every message (and one more per word a
//! listed form continues with): SipHash-2-4, a pseudo-random function made for short inputs,
//! costs about 25 ns on a word where BLAKE3's keyed mode costs 130 ns (measured on this
//! project's machine), and both need the key to be computed at all.
//!
//! Tags are 64 bits. A tag found in text for a span that is not listed is a false match when
//! it equals one of the `n` tags in the file: probability `n / 2^64` per look-up, 2.2e-13 for a
//! list of a million names, a million addresses and 100,000 phones (about four million tags).
//!
//! File layout (little-endian): the magic `MAILDLP-SEALED\n`, a version (u16), the key check
//! value (32 bytes), the number of records (u32) and each record's id (u16 length, UTF-8), the
//! longest form in words (u16), the number of entries (u64) and the entries sorted by tag,
//! each a tag (u64), a record (u32), a kind (u8) and a role (u8). A list's contacts are
//! entries of their own role (the tag of the address, or of `@` and the domain); a file that
//! has any is version 2.

use std::hash::Hasher;
use std::ops::Range;

use siphasher::sip::SipHasher24;

use super::canonical::{self, Phone, PhoneRef, MIN_DIGITS};
use super::plain::ProtectedList;
use super::{variants, Lookup, WordFound};
use crate::error::{Error, Result};
use crate::model::Kind;

const MAGIC: &[u8] = b"MAILDLP-SEALED\n";
/// Version 1 has no contacts; version 2 is written only for a list that has some, so that a
/// maildlp that cannot honour contacts refuses the file rather than ignore them.
const VERSION: u16 = 1;
const VERSION_CONTACTS: u16 = 2;
const CHECK_CONTEXT: &[u8] = b"maildlp sealed list key check v1";
const TAG_CONTEXT: &str = "maildlp 2026-11 sealed list tags v1";

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
        Tagger { k0, k1 }
    }
}

/// Computes tags.
#[derive(Debug, Clone, Copy)]
struct Tagger {
    k0: u64,
    k1: u64,
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
}

/// What one tag stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Info {
    record: u32,
    kind: Kind,
    role: u8,
}

/// Tags sorted, with a bucket per value of their top bits: a look-up reads one bucket of about
/// one entry.
#[derive(Debug)]
struct Index {
    tags: Vec<u64>,
    infos: Vec<Info>,
    buckets: Vec<u32>,
    shift: u32,
}

impl Index {
    fn new(mut entries: Vec<(u64, Info)>) -> Index {
        entries.sort_unstable_by_key(|e| (e.0, e.1.record, e.1.role));
        entries.dedup();
        let bits = (entries.len().max(1).next_power_of_two().trailing_zeros()).clamp(4, 28);
        let shift = 64 - bits;
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        let (tags, infos): (Vec<u64>, Vec<Info>) = entries.into_iter().unzip();
        // buckets[b] = first entry whose top bits are >= b.
        let mut e = 0usize;
        for (b, slot) in buckets.iter_mut().enumerate() {
            while e < tags.len() && ((tags[e] >> shift) as usize) < b {
                e += 1;
            }
            *slot = e as u32;
        }
        Index { tags, infos, buckets, shift }
    }

    fn range(&self, tag: u64) -> Range<usize> {
        let b = (tag >> self.shift) as usize;
        let (lo, hi) = (self.buckets[b] as usize, self.buckets[b + 1] as usize);
        let start = lo + self.tags[lo..hi].partition_point(|&t| t < tag);
        let end = start + self.tags[start..hi].iter().take_while(|&&t| t == tag).count();
        start..end
    }

    fn get(&self, tag: u64) -> &[Info] {
        &self.infos[self.range(tag)]
    }

    fn len(&self) -> usize {
        self.tags.len()
    }
}

/// A sealed protected list, opened with its key: record ids and the tags of their identifiers.
#[derive(Debug)]
pub struct SealedList {
    ids: Vec<String>,
    /// Pattern identifiers, in clear (shapes, not identities).
    patterns: Vec<(u32, String)>,
    index: Index,
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
/// each contact address, or `@` and a domain, keyed like everything else.
pub fn seal(list: &ProtectedList, key: &Key) -> Vec<u8> {
    let tagger = key.tagger();
    let mut entries: Vec<(u64, Info)> = Vec::with_capacity(list.identifier_count() * 3);
    let mut max_words = 1usize;
    // Every listed form and every variant form (the given name folded to its family's token:
    // see `variants`), so that one sealed file serves a policy with or without `name_variants`.
    let mut add_form = |form: &[u8], record: u32, kind: Kind| {
        // The form, and each of its word prefixes (which the scan extends through).
        let mut h = tagger.start(WORDS);
        let mut start = 0;
        let mut words = 1;
        for (i, &b) in form.iter().enumerate() {
            if b == b' ' {
                h.write(&form[start..i]);
                entries.push((h.finish(), Info { record: u32::MAX, kind, role: PREFIX }));
                h.write(b" ");
                start = i + 1;
                words += 1;
            }
        }
        h.write(&form[start..]);
        entries.push((h.finish(), Info { record, kind, role: FORM }));
        max_words = max_words.max(words);
    };
    list.each_word_form(&mut add_form);
    list.each_variant_form(&mut add_form);
    for record in list.records() {
        let r = record.index() as u32;
        for ident in record.identifiers() {
            match ident.kind() {
                Kind::Email => {
                    entries.push((
                        tagger.address(&canonical::address(ident.value())),
                        Info { record: r, kind: Kind::Email, role: EMAIL },
                    ));
                }
                Kind::Phone => {
                    let phone = Phone::parse(ident.value());
                    let (intl, digits) = phone.parts();
                    let info = Info { record: r, kind: Kind::Phone, role: PHONE };
                    if intl {
                        entries.push((tagger.number(INTL, digits), info));
                        for cc in 1..=3 {
                            if let Some(national) = digits.get(cc..).filter(|n| n.len() >= MIN_DIGITS) {
                                entries.push((tagger.number(DERIVED, national), info));
                            }
                        }
                    } else {
                        entries.push((tagger.number(NATIONAL, digits), info));
                    }
                }
                _ => {}
            }
        }
    }
    let mut contacts = false;
    list.each_contact(&mut |key, record| {
        contacts = true;
        entries
            .push((tagger.tag(CONTACTS, key.as_bytes()), Info { record, kind: Kind::Email, role: CONTACT }));
    });
    // Prefix entries carry no record: the same prefix of two records is one entry.
    let index = Index::new(entries);
    let mut out = Vec::with_capacity(64 + list.len() * 8 + index.len() * 14);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(if contacts { VERSION_CONTACTS } else { VERSION }).to_le_bytes());
    out.extend_from_slice(&key.check_value());
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    for record in list.records() {
        let id = record.id().as_bytes();
        let id = &id[..id.len().min(u16::MAX as usize)];
        out.extend_from_slice(&(id.len() as u16).to_le_bytes());
        out.extend_from_slice(id);
    }
    out.extend_from_slice(&(max_words.min(u16::MAX as usize) as u16).to_le_bytes());
    out.extend_from_slice(&(index.len() as u64).to_le_bytes());
    for (tag, info) in index.tags.iter().zip(&index.infos) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&info.record.to_le_bytes());
        out.push(kind_byte(info.kind));
        out.push(info.role);
    }
    // Pattern identifiers follow in clear: (record, length, the pattern).
    let patterns: Vec<(u32, &str)> = list
        .records()
        .flat_map(|r| {
            let index = r.index() as u32;
            r.identifiers().filter(|i| i.kind() == Kind::Pattern).map(move |i| (index, i.value()))
        })
        .collect();
    out.extend_from_slice(&(patterns.len() as u32).to_le_bytes());
    for (record, p) in patterns {
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(p.as_bytes());
    }
    out
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
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes([self.take(1)?[0], self.take(1)?[0]]))
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

/// Where the word of `norm` starting at `start` ends.
fn next_space(norm: &[u8], start: usize) -> usize {
    memchr::memchr(b' ', &norm[start..]).map_or(norm.len(), |p| start + p)
}

impl SealedList {
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
            let infos = self.index.get(h.finish());
            if infos.is_empty() {
                return;
            }
            for i in infos.iter().filter(|i| i.role == FORM) {
                found(start..end, i.record, i.kind, given.clone());
            }
            if end >= norm.len() || words >= self.max_words || !infos.iter().any(|i| i.role == PREFIX) {
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
    /// that silently matches nothing.
    pub fn open(bytes: &[u8], key: &Key) -> Result<SealedList> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(damaged("no sealed-list header"));
        }
        let version = r.u16()?;
        if version != VERSION && version != VERSION_CONTACTS {
            return Err(damaged(&format!("version {version} (this maildlp reads version {VERSION})")));
        }
        if r.take(32)? != key.check_value() {
            return Err(Error::Key("the key is not the one this list was sealed with".into()));
        }
        let n = r.u32()? as usize;
        let mut ids = Vec::with_capacity(n.min(bytes.len() / 2));
        for _ in 0..n {
            let len = r.u16()? as usize;
            let id = std::str::from_utf8(r.take(len)?).map_err(|_| damaged("a record id is not UTF-8"))?;
            ids.push(id.to_string());
        }
        let max_words = r.u16()?.max(1) as usize;
        let count = r.u64()? as usize;
        if count.checked_mul(14).is_none_or(|need| need > bytes.len() - r.at) {
            return Err(damaged("its entries do not fit in the file"));
        }
        let mut tags = Vec::with_capacity(count);
        let mut infos = Vec::with_capacity(count);
        let mut last = 0u64;
        for i in 0..count {
            let e = r.take(14)?;
            let tag = u64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]);
            let record = u32::from_le_bytes([e[8], e[9], e[10], e[11]]);
            let kind = kind_of(e[12]).ok_or_else(|| damaged("an entry has an unknown kind"))?;
            if (i > 0 && tag < last)
                || (record != u32::MAX && record as usize >= ids.len())
                || e[13] > CONTACT
            {
                return Err(damaged("an entry is out of order or out of range"));
            }
            last = tag;
            tags.push(tag);
            infos.push(Info { record, kind, role: e[13] });
        }
        let mut patterns = Vec::new();
        if r.at < bytes.len() {
            let n = r.u32()?;
            for _ in 0..n {
                let record = r.u32()?;
                let len = r.u32()? as usize;
                let p = std::str::from_utf8(r.take(len)?).map_err(|_| damaged("a pattern is not UTF-8"))?;
                if record as usize >= ids.len() {
                    return Err(damaged("a pattern's record is out of range"));
                }
                canonical::pattern(p).map_err(|e| damaged(&e))?;
                patterns.push((record, p.to_string()));
            }
            if r.at != bytes.len() {
                return Err(damaged("bytes follow its last section"));
            }
        }
        // Sorted already: the buckets are one pass.
        let bits = (count.max(1).next_power_of_two().trailing_zeros()).clamp(4, 28);
        let shift = 64 - bits;
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        let mut e = 0usize;
        for (b, slot) in buckets.iter_mut().enumerate() {
            while e < tags.len() && ((tags[e] >> shift) as usize) < b {
                e += 1;
            }
            *slot = e as u32;
        }
        let words = infos.iter().any(|i| i.role == FORM);
        let phones = infos.iter().any(|i| i.role == PHONE);
        let addresses = infos.iter().any(|i| i.role == EMAIL);
        let contacts = infos.iter().any(|i| i.role == CONTACT);
        Ok(SealedList {
            ids,
            patterns,
            index: Index { tags, infos, buckets, shift },
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
        self.ids.len()
    }

    /// Whether it has no record.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of record `r`.
    pub fn id(&self, r: usize) -> Option<&str> {
        self.ids.get(r).map(String::as_str)
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
            let mut h = self.tagger.start(WORDS);
            h.write(&norm[start..first_end]);
            self.walk(norm, start, first_end, h, None, table, found);
            if let Some(table) = table {
                for &t in table.text_tokens(&norm[start..first_end]) {
                    let mut h = self.tagger.start(WORDS);
                    h.write(&table.token(t).bytes);
                    self.walk(norm, start, first_end, h, Some(start..first_end), None, found);
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
            for i in
                self.index.get(self.tagger.tag(CONTACTS, key.as_bytes())).iter().filter(|i| i.role == CONTACT)
            {
                found(i.record);
            }
        });
    }

    fn address_owners(&self, addr: &str, found: &mut dyn FnMut(u32)) {
        for i in self.index.get(self.tagger.address(addr)).iter().filter(|i| i.role == EMAIL) {
            found(i.record);
        }
    }

    fn has_phones(&self) -> bool {
        self.phones
    }

    fn phone_owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32)) {
        let (intl, digits) = phone.parts();
        let mut look = |form: u8, d: &str| {
            for i in self.index.get(self.tagger.number(form, d)).iter().filter(|i| i.role == PHONE) {
                found(i.record);
            }
        };
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

    #[test]
    fn index_finds_every_tag() {
        let entries: Vec<(u64, Info)> = (0..1000u64)
            .map(|i| {
                (
                    i.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                    Info { record: i as u32, kind: Kind::Name, role: FORM },
                )
            })
            .collect();
        let index = Index::new(entries.clone());
        for (t, info) in entries {
            assert_eq!(index.get(t), [info]);
        }
        assert!(index.get(12345).is_empty());
    }
}
