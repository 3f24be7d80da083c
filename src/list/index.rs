//! A plain list's look-up tables: its addresses and its phones, each found from its canonical
//! form (see `super::canonical`) without a copy.

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::canonical::{Phone, PhoneRef};
use super::plain::ProtectedList;
use crate::model::Kind;

/// Listed addresses (canonical) and the records that list each.
#[derive(Default, Clone)]
pub(crate) struct AddressIndex {
    arena: String,
    /// (start, end) of an address in `arena`, and its record.
    entries: Vec<(u32, u32, u32)>,
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl std::fmt::Debug for AddressIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressIndex").field("entries", &self.entries.len()).finish()
    }
}

impl AddressIndex {
    pub(crate) fn new(list: &ProtectedList) -> Self {
        let mut t = AddressIndex::default();
        let count = list.records().flat_map(|r| r.identifiers()).filter(|i| i.kind() == Kind::Email).count();
        t.table.reserve(count, |_| 0);
        t.entries.reserve(count);
        for record in list.records() {
            for ident in record.identifiers().filter(|i| i.kind() == Kind::Email) {
                let canonical = crate::address::canonical_cow(ident.value());
                let r = record.index() as u32;
                if t.owners(&canonical).any(|o| o == r) {
                    continue;
                }
                let start = t.arena.len() as u32;
                t.arena.push_str(&canonical);
                let idx = t.entries.len() as u32;
                t.entries.push((start, t.arena.len() as u32, r));
                let hash = t.hasher.hash_one(&*canonical);
                let (arena, entries, hasher) = (&t.arena, &t.entries, &t.hasher);
                t.table.insert_unique(hash, idx, |&i| {
                    let (s, e, _) = entries[i as usize];
                    hasher.hash_one(&arena[s as usize..e as usize])
                });
            }
        }
        t.arena.shrink_to_fit();
        t
    }

    /// The records that list the canonical address `addr`.
    pub(crate) fn owners<'a>(&'a self, addr: &'a str) -> impl Iterator<Item = u32> + 'a {
        let hash = self.hasher.hash_one(addr);
        self.table.iter_hash(hash).filter_map(move |&i| {
            let (s, e, r) = self.entries[i as usize];
            (&self.arena[s as usize..e as usize] == addr).then_some(r)
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Listed phones, looked up by their last digits.
#[derive(Debug, Default, Clone)]
pub(crate) struct PhoneIndex {
    by_key: HashMap<u32, Vec<(Phone, u32)>>,
}

impl PhoneIndex {
    pub(crate) fn new(list: &ProtectedList) -> Self {
        let mut phones = PhoneIndex::default();
        for record in list.records() {
            for ident in record.identifiers().filter(|i| i.kind() == Kind::Phone) {
                phones.insert(Phone::parse(ident.value()), record.index() as u32);
            }
        }
        phones
    }

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
    pub(crate) fn new(list: &ProtectedList) -> Self {
        Index { addresses: AddressIndex::new(list), phones: PhoneIndex::new(list) }
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

/// Sorts `items` by `cmp`, which orders first by `hash` (a uniformly distributed 64-bit value):
/// first into buckets by the top bits of their hashes, then each bucket on its own, which stays
/// in the cache where one sort of millions of items would not.
pub(crate) fn sort_by_hash<T: Copy>(
    mut items: Vec<T>,
    hash: impl Fn(&T) -> u64,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    sort_by_hash_in_place(&mut items, hash, cmp);
    items
}

/// [`sort_by_hash`] in place: the buckets are made by swapping items into them (no second copy
/// of the items, which for millions of them is tens of megabytes).
pub(crate) fn sort_by_hash_in_place<T>(
    items: &mut [T],
    hash: impl Fn(&T) -> u64,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let bits = (usize::BITS - items.len().leading_zeros()).saturating_sub(8).min(20);
    if bits < 4 {
        items.sort_unstable_by(cmp);
        return;
    }
    let shift = 64 - bits;
    let buckets = 1usize << bits;
    let mut starts = vec![0usize; buckets + 1];
    for item in items.iter() {
        starts[(hash(item) >> shift) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    // `next[b]`: the first place of bucket `b` not yet holding one of its items.
    let mut next = starts[..buckets].to_vec();
    for b in 0..buckets {
        while next[b] < starts[b + 1] {
            let i = next[b];
            let home = (hash(&items[i]) >> shift) as usize;
            if home != b {
                items.swap(i, next[home]);
            }
            next[home] += 1;
        }
    }
    for b in starts.windows(2) {
        items[b[0]..b[1]].sort_unstable_by(&cmp);
    }
}

#[cfg(test)]
mod tests {
    /// Bucketed or not (below and above 4,096 items), the order is the comparison's.
    #[test]
    fn sort_by_hash_sorts() {
        for n in [0usize, 1, 100, 5000, 70_000] {
            let items: Vec<(u64, u32)> = (0..n as u64)
                .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) & !0xff | (i % 3), (n as u64 - i) as u32))
                .collect();
            let mut expected = items.clone();
            expected.sort();
            assert_eq!(super::sort_by_hash(items, |i| i.0, |a, b| a.cmp(b)), expected, "{n}");
        }
    }
}
