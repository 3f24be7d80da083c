//! A plain list's look-up tables: its addresses and its phones, each found from its canonical
//! form (see `super::canonical`) without a copy.

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::canonical::{Phone, PhoneRef};
use super::plain::ProtectedList;
use crate::model::Kind;

/// Listed addresses (canonical) and the records that list each. An address listed in canonical
/// form (the usual case) is read from the list's own text; only the others are copied.
#[derive(Default, Clone)]
pub(crate) struct AddressIndex {
    /// The canonical forms of the addresses that are not listed in that form.
    arena: String,
    /// (start, end) of an address, and its record, whose top bit ([`OWN`]) says that the
    /// address is in `arena` rather than in the list's text.
    entries: Vec<(u32, u32, u32)>,
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

/// Marks an entry's address as copied into the index's arena. Records are fewer than 2^31: a
/// list's text is at most 4 GiB, and two billion distinct ids would take more.
const OWN: u32 = 1 << 31;

impl std::fmt::Debug for AddressIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressIndex").field("entries", &self.entries.len()).finish()
    }
}

impl AddressIndex {
    /// An empty table with room for `count` addresses.
    fn with_capacity(count: usize) -> Self {
        let mut t = AddressIndex::default();
        t.table.reserve(count, |_| 0);
        t.entries.reserve_exact(count);
        t
    }

    /// Adds the listed address `value` of record `r`; `text` is the list's text, which holds
    /// `value` (known to be in canonical form when `canonical` is set).
    fn insert(&mut self, text: &str, r: u32, value: &str, canonical: bool) {
        let canonical = if canonical {
            std::borrow::Cow::Borrowed(value)
        } else {
            crate::address::canonical_cow(value)
        };
        // One hash an address, for the look-up and the insertion.
        let hash = self.hasher.hash_one(&*canonical);
        if self.owners_hashed(text, &canonical, hash).any(|o| o == r) {
            return;
        }
        let (start, end, r) = match &canonical {
            std::borrow::Cow::Borrowed(a) => {
                let start = (a.as_ptr() as usize - text.as_ptr() as usize) as u32;
                (start, start + a.len() as u32, r)
            }
            std::borrow::Cow::Owned(a) => {
                let start = self.arena.len() as u32;
                self.arena.push_str(a);
                (start, self.arena.len() as u32, r | OWN)
            }
        };
        let idx = self.entries.len() as u32;
        self.entries.push((start, end, r));
        let (arena, entries, hasher) = (&self.arena, &self.entries, &self.hasher);
        self.table
            .insert_unique(hash, idx, |&i| hasher.hash_one(address_of(arena, text, entries[i as usize])));
    }

    /// The records that list the canonical address `addr`; `text` is the list's text.
    pub(crate) fn owners<'a>(&'a self, text: &'a str, addr: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.owners_hashed(text, addr, self.hasher.hash_one(addr))
    }

    /// [`AddressIndex::owners`] of `addr` whose hash is `hash`.
    fn owners_hashed<'a>(
        &'a self,
        text: &'a str,
        addr: &'a str,
        hash: u64,
    ) -> impl Iterator<Item = u32> + 'a {
        self.table.iter_hash(hash).filter_map(move |&i| {
            let entry = self.entries[i as usize];
            (address_of(&self.arena, text, entry) == addr).then_some(entry.2 & !OWN)
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The address of an [`AddressIndex`] entry: in `arena` or in the list's `text`.
#[inline]
fn address_of<'a>(arena: &'a str, text: &'a str, (start, end, record): (u32, u32, u32)) -> &'a str {
    let from = if record & OWN != 0 { arena } else { text };
    &from[start as usize..end as usize]
}

/// Listed phones, looked up by their last digits.
#[derive(Debug, Default, Clone)]
pub(crate) struct PhoneIndex {
    by_key: HashMap<u32, Vec<(Phone, u32)>>,
}

impl PhoneIndex {
    /// Adds a listed phone with its record.
    pub(crate) fn insert(&mut self, phone: Phone, record: u32) {
        if let Some(k) = phone.key() {
            self.by_key.entry(k).or_default().push((phone, record));
        }
    }

    /// Whether no phone is listed.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Calls `found(record)` for each listed phone that `phone` is the same number as.
    #[inline]
    pub(crate) fn owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32)) {
        if let Some(listed) = phone.key().and_then(|k| self.by_key.get(&k)) {
            for (p, record) in listed {
                if p.as_ref().same_number(phone) {
                    found(*record);
                }
            }
        }
    }
}

/// Both tables of a plain list.
#[derive(Debug, Default, Clone)]
pub(crate) struct Index {
    pub(crate) addresses: AddressIndex,
    pub(crate) phones: PhoneIndex,
}

impl Index {
    /// The tables of `list`'s addresses and phones, in one pass over its rows.
    pub(crate) fn new(list: &ProtectedList) -> Self {
        let text = list.text_all();
        let mut addresses = AddressIndex::with_capacity(list.email_count());
        let mut phones = PhoneIndex::default();
        list.each_row(&mut |r, kind, value, canonical| match kind {
            Kind::Email => addresses.insert(text, r, value, canonical),
            Kind::Phone => phones.insert(Phone::parse(value), r),
            _ => {}
        });
        addresses.arena.shrink_to_fit();
        Index { addresses, phones }
    }
}

/// A hasher for keys that are already well mixed hashes (tags, filter keys, span keys): a
/// table uses them as they are.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Sorts `items` by `cmp`, which orders first by `hash` (a uniformly distributed 64-bit value),
/// in a way that stays in the cache where one sort of millions of items would not: items are
/// swapped into buckets of the top bits of their hashes (no second copy of the items, which for millions of them is tens of megabytes), in two
/// passes of up to eleven bits (each pass's counts stay in the cache), until a bucket holds
/// about one item; then each bucket is sorted by `cmp` on its own.
pub(crate) fn sort_by_hash_in_place<T>(
    items: &mut [T],
    hash: impl Fn(&T) -> u64,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let bits = (usize::BITS - items.len().leading_zeros()).min(22);
    if bits < 6 || u32::try_from(items.len()).is_err() {
        items.sort_unstable_by(cmp);
        return;
    }
    let first = bits.min(11);
    let second = bits - first;
    let mut counts = vec![0u32; (1 << first.max(second)) + 1];
    let top = |item: &T| (hash(item) >> (64 - first)) as usize;
    buckets_in_place(items, &top, 1 << first, &mut counts);
    let firsts: Vec<u32> = counts[..=1 << first].to_vec();
    for b in firsts.windows(2) {
        let bucket = &mut items[b[0] as usize..b[1] as usize];
        if second == 0 || bucket.len() <= SMALL_BUCKET {
            sort_small(bucket, &cmp);
            continue;
        }
        let next = |item: &T| (hash(item) << first >> (64 - second)) as usize;
        buckets_in_place(bucket, &next, 1 << second, &mut counts);
        for c in counts[..=1 << second].windows(2) {
            sort_small(&mut bucket[c[0] as usize..c[1] as usize], &cmp);
        }
    }
}

/// Buckets at most this large are sorted by insertion.
const SMALL_BUCKET: usize = 16;

/// Sorts `items` by `cmp`: by insertion when they are few, else with the standard sort.
#[inline]
fn sort_small<T>(items: &mut [T], cmp: &impl Fn(&T, &T) -> std::cmp::Ordering) {
    if items.len() > SMALL_BUCKET {
        items.sort_unstable_by(cmp);
        return;
    }
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == std::cmp::Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Puts `items` in order of `bucket(item)` (below `buckets`) by swapping; afterwards
/// `starts[b]..starts[b + 1]` are the items of bucket `b`.
fn buckets_in_place<T>(items: &mut [T], bucket: &impl Fn(&T) -> usize, buckets: usize, starts: &mut [u32]) {
    let starts = &mut starts[..=buckets];
    starts.fill(0);
    for item in items.iter() {
        starts[bucket(item) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    // `next[b]`: the first place of bucket `b` not yet holding one of its items.
    let mut next: Vec<u32> = starts[..buckets].to_vec();
    for b in 0..buckets {
        while next[b] < starts[b + 1] {
            let i = next[b] as usize;
            let home = bucket(&items[i]);
            if home != b {
                items.swap(i, next[home] as usize);
            }
            next[home] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    /// Bucketed or not (below and above 4,096 items), the order is the comparison's.
    #[test]
    fn sort_by_hash_in_place_sorts() {
        for n in [0usize, 1, 31, 32, 100, 2047, 2048, 5000, 70_000, 300_000] {
            let items: Vec<(u64, u32)> = (0..n as u64)
                .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) & !0xff | (i % 3), (n as u64 - i) as u32))
                .collect();
            let mut expected = items.clone();
            expected.sort();
            let mut sorted = items;
            super::sort_by_hash_in_place(&mut sorted, |i| i.0, |a, b| a.cmp(b));
            assert_eq!(sorted, expected, "{n}");
        }
        // Many equal hashes (one name listed by many records): sorted by the rest.
        let items: Vec<(u64, u32)> =
            (0..50_000u32).map(|i| (u64::from(i % 7) << 61, i.wrapping_mul(2_654_435_761))).collect();
        let mut expected = items.clone();
        expected.sort();
        let mut sorted = items;
        super::sort_by_hash_in_place(&mut sorted, |i| i.0, |a, b| a.cmp(b));
        assert_eq!(sorted, expected, "equal hashes");
    }
}
