//! A plain list's look-up tables: its addresses and its phones, each found from its canonical
//! form (see `super::canonical`) without a copy.

use std::hash::BuildHasher;

use super::canonical::{Phone, PhoneRef};
use super::plain::ProtectedList;
use crate::model::Kind;

/// Listed addresses (canonical) and the records that list each. An address listed in canonical
/// form (the usual case) is read from the list's own text; only the others are copied.
///
/// The entries are sorted by the hashes of their addresses and found through `buckets`, from the
/// hash's top bits, among one or two others: built by one cache-friendly sort rather than a
/// million random inserts into a hash table, and sixteen bytes an address.
#[derive(Default, Clone)]
pub(crate) struct AddressIndex {
    /// The canonical forms of the addresses that are not listed in that form.
    arena: String,
    /// Sorted by hash, then record; one for each address of a record.
    entries: Vec<Entry>,
    /// `buckets[b]..buckets[b + 1]`: the entries whose hashes' top bits are `b`.
    buckets: Vec<u32>,
    /// `hash >> shift` is an entry's bucket.
    shift: u32,
    hasher: hashbrown::DefaultHashBuilder,
}

/// One listed address: the top half of its hash, its place (start, end), and its record, whose
/// top bit ([`OWN`]) says that the address is in `arena` rather than in the list's text.
#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u32,
    start: u32,
    end: u32,
    record: u32,
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
        t.entries.reserve_exact(count);
        t
    }

    /// Adds the listed address `value` of record `r`; `text` is the list's text, which holds
    /// `value` (known to be in canonical form when `canonical` is set). Found once
    /// [`AddressIndex::finish`] has run.
    fn insert(&mut self, text: &str, r: u32, value: &str, canonical: bool) {
        let canonical =
            if canonical { std::borrow::Cow::Borrowed(value) } else { crate::address::canonical_cow(value) };
        let hash = (self.hasher.hash_one(&*canonical) >> 32) as u32;
        let (start, end, record) = match &canonical {
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
        self.entries.push(Entry { hash, start, end, record });
    }

    /// Sorts the entries, drops an address listed twice by one record, and indexes the buckets.
    fn finish(&mut self, text: &str) {
        sort_by_hash_in_place(
            &mut self.entries,
            |e| u64::from(e.hash) << 32,
            |a, b| (a.hash, a.record & !OWN).cmp(&(b.hash, b.record & !OWN)),
        );
        // An address repeated by a record is among the entries of its hash and record, which
        // are next to each other (a handful at most).
        let (arena, entries) = (&self.arena, &mut self.entries);
        let (mut kept, mut run) = (0, 0);
        for i in 0..entries.len() {
            let e = entries[i];
            if kept == 0 || entries[kept - 1].hash != e.hash {
                run = kept;
            }
            // The address is read only then (reading each would miss the cache).
            let repeated = entries[run..kept]
                .iter()
                .rev()
                .take_while(|k| k.record & !OWN == e.record & !OWN)
                .any(|&k| address_of(arena, text, k) == address_of(arena, text, e));
            if !repeated {
                entries[kept] = e;
                kept += 1;
            }
        }
        entries.truncate(kept);
        entries.shrink_to_fit();
        // One or two entries a bucket.
        let bits = (usize::BITS - entries.len().leading_zeros()).saturating_sub(1).clamp(1, 24);
        self.shift = 32 - bits;
        let mut buckets = vec![0u32; (1usize << bits) + 1];
        for e in entries.iter() {
            buckets[(e.hash >> self.shift) as usize + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        self.buckets = buckets;
        self.arena.shrink_to_fit();
    }

    /// The records that list the canonical address `addr`; `text` is the list's text.
    pub(crate) fn owners<'a>(&'a self, text: &'a str, addr: &'a str) -> impl Iterator<Item = u32> + 'a {
        let hash = (self.hasher.hash_one(addr) >> 32) as u32;
        let b = (hash >> self.shift) as usize;
        let range = match (self.buckets.get(b), self.buckets.get(b + 1)) {
            (Some(&lo), Some(&hi)) => lo as usize..hi as usize,
            _ => 0..0,
        };
        self.entries[range].iter().filter_map(move |&e| {
            (e.hash == hash && address_of(&self.arena, text, e) == addr).then_some(e.record & !OWN)
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The address of an [`AddressIndex`] entry: in `arena` or in the list's `text`.
#[inline]
fn address_of<'a>(arena: &'a str, text: &'a str, e: Entry) -> &'a str {
    let from = if e.record & OWN != 0 { arena } else { text };
    &from[e.start as usize..e.end as usize]
}

/// Listed phones, looked up by their last digits: the phones of a key in a chain through one
/// vector, in the order they were added (no vector of its own for each key).
#[derive(Debug, Default, Clone)]
pub(crate) struct PhoneIndex {
    /// The first and the last phone of each key.
    by_key: hashbrown::HashMap<u32, (u32, u32)>,
    /// Each phone with its record and the next phone of its key ([`NO_PHONE`] after the last).
    phones: Vec<(Phone, u32, u32)>,
}

/// The end of a key's chain of phones.
const NO_PHONE: u32 = u32::MAX;

impl PhoneIndex {
    /// Adds a listed phone with its record.
    pub(crate) fn insert(&mut self, phone: Phone, record: u32) {
        let Some(k) = phone.key() else {
            return;
        };
        let i = self.phones.len() as u32;
        self.phones.push((phone, record, NO_PHONE));
        match self.by_key.entry(k) {
            hashbrown::hash_map::Entry::Occupied(mut chain) => {
                let last = std::mem::replace(&mut chain.get_mut().1, i);
                self.phones[last as usize].2 = i;
            }
            hashbrown::hash_map::Entry::Vacant(chain) => {
                chain.insert((i, i));
            }
        }
    }

    /// Whether no phone is listed.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Calls `found(record)` for each listed phone that `phone` is the same number as.
    #[inline]
    pub(crate) fn owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32)) {
        let Some(&(first, _)) = phone.key().and_then(|k| self.by_key.get(&k)) else {
            return;
        };
        let mut i = first;
        while let Some((p, record, next)) = self.phones.get(i as usize) {
            if p.as_ref().same_number(phone) {
                found(*record);
            }
            i = *next;
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
        addresses.finish(text);
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
    use super::super::{Lookup, ProtectedList};

    fn owners(list: &ProtectedList, addr: &str) -> Vec<u32> {
        let mut found = Vec::new();
        list.address_owners(addr, &mut |r| found.push(r));
        found
    }

    /// Each record that lists an address is found once, in record order, however the address
    /// was written and however often the record lists it.
    #[test]
    fn address_owners_once_each_in_record_order() {
        let list = ProtectedList::from_csv(
            "id,kind,value\nA,email,ann@x.example\nB,email,<Ann@X.example>\nA,email,ANN@x.example\nC,name,Cy\nB,email,ann@x.example\nC,email,cy@x.example.\nA,email,ann@x.example\n",
        )
        .unwrap();
        assert_eq!(owners(&list, "ann@x.example"), [0, 1]);
        assert_eq!(owners(&list, "cy@x.example"), [2]);
        assert!(owners(&list, "Ann@x.example").is_empty());
        assert!(owners(&list, "bo@x.example").is_empty());
        assert!(list.has_addresses());
        let none = ProtectedList::from_csv("id,kind,value\nA,name,Ann\n").unwrap();
        assert!(!none.has_addresses());
        assert!(owners(&none, "ann@x.example").is_empty());
    }

    /// Phones that share their last digits are each found, in the order they were added, and
    /// only where the number is the same.
    #[test]
    fn phones_of_one_key_are_each_found_in_order() {
        use super::super::canonical::Phone;
        let mut idx = super::PhoneIndex::default();
        assert!(idx.is_empty());
        let listed =
            ["+44 20 7946 0018", "+33 20 7946 0018", "020 7946 0018", "0161 496 0000", "+44 20 7946 0018"];
        for (r, phone) in listed.iter().enumerate() {
            idx.insert(Phone::parse(phone), r as u32 * 10);
        }
        assert!(!idx.is_empty());
        let owners = |text: &str| {
            let phone = Phone::parse(text);
            let mut found = Vec::new();
            idx.owners(phone.as_ref(), &mut |r| found.push(r));
            found
        };
        // A national number is the same as an international one of any country that ends with it.
        assert_eq!(owners("020 7946 0018"), [0, 10, 20, 40]);
        assert_eq!(owners("+33 20 7946 0018"), [10, 20]);
        assert_eq!(owners("0161 496 0000"), [30]);
        assert!(owners("020 7946 0019").is_empty());
    }

    /// A hundred thousand addresses, some shared by two records and some listed in upper
    /// case: each is found with its records, and no other.
    #[test]
    fn address_owners_at_scale() {
        let mut csv = String::from("id,kind,value\n");
        for i in 0..100_000u32 {
            csv.push_str(&format!("R{i},email,p{i}@x{}.example\n", i % 97));
            if i % 10 == 0 {
                csv.push_str(&format!("R{i},email,P{}@X{}.EXAMPLE\n", i / 2, (i / 2) % 97));
            }
        }
        let list = ProtectedList::from_csv(&csv).unwrap();
        for i in (0..100_000u32).step_by(7) {
            let mut want = vec![i];
            if i % 5 == 0 && i > 0 && 2 * i < 100_000 {
                want.push(2 * i);
            }
            want.sort();
            assert_eq!(owners(&list, &format!("p{i}@x{}.example", i % 97)), want, "{i}");
            assert!(owners(&list, &format!("p{i}@x{}.example", (i + 1) % 97)).is_empty(), "{i}");
        }
    }

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
