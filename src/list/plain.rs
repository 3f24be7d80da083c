//! The protected list: who must not be exposed, and by what they can be recognised.
//!
//! Loaded from CSV (`id,kind,value`, header row required, extra columns ignored, `#` comments
//! and blank lines skipped). Any bad row refuses the whole list, naming the line.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use super::canonical::{self, PhoneRef, MAX_DIGITS, MIN_DIGITS};
use super::index::Index;
use super::{variants, GivenForm, Lookup, WordFound};
use crate::address;
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::text::Normalized;

/// One identifier of a protected record, as listed (a view into the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identifier<'a> {
    kind: Kind,
    value: &'a str,
    line: u64,
}

impl<'a> Identifier<'a> {
    /// How this identifier is matched.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The value as listed (trimmed). Never printed in reports.
    pub fn value(&self) -> &'a str {
        self.value
    }

    /// The line of the list it came from (0 when added from code).
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// A protected person or case: every listed row with the same id (a view into the list).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    list: &'a ProtectedList,
    index: u32,
}

impl<'a> Record<'a> {
    /// The record's id, as listed. Reports name records by this id only.
    pub fn id(&self) -> &'a str {
        self.list.text(self.list.records[self.index as usize].id)
    }

    /// The record's position in the list (order of first appearance, from 0).
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// The record's identifiers in list order.
    pub fn identifiers(&self) -> impl ExactSizeIterator<Item = Identifier<'a>> + 'a {
        let list = self.list;
        let (start, end) = self.list.records[self.index as usize].rows;
        list.rows[start as usize..end as usize].iter().map(move |row| Identifier {
            kind: row.kind,
            value: list.text(row.value),
            line: row.line as u64,
        })
    }

    /// The record's own addresses (its `email` identifiers), canonical (lower-case).
    pub fn own_addresses(&self) -> impl Iterator<Item = String> + 'a {
        self.identifiers().filter(|i| i.kind == Kind::Email).map(|i| canonical::address(i.value))
    }
}

/// A span of the list's text.
type Span = (u32, u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    record: u32,
    value: Span,
    line: u32,
    kind: Kind,
    /// An email listed in canonical form (found when it was checked): the address index reads
    /// it as it is. False for other kinds, and for an email that may not be canonical.
    canonical: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordRow {
    id: Span,
    /// This record's rows: `rows[start..end]` once the list is built.
    rows: (u32, u32),
}

/// A validated protected list.
///
/// All text is kept in one buffer and rows are fixed-size, so a list of a million records
/// costs about a hundred bytes a record.
///
/// ```
/// let list = maildlp::ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n")?;
/// assert_eq!(list.record(0).unwrap().id(), "V01");
/// let err = maildlp::ProtectedList::from_csv("id,kind,value\nV01,colour,blue\n").unwrap_err();
/// assert_eq!(err.line(), Some(2));
/// # Ok::<(), maildlp::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ProtectedList {
    text: String,
    /// Identifier rows, grouped by record (in list order within a record).
    rows: Vec<Row>,
    records: Vec<RecordRow>,
    /// Record index by id (hashes of ids; compared against `text`).
    by_id: IdTable,
    hasher: hashbrown::DefaultHashBuilder,
    /// Whether `rows` is grouped by record (false while loading or after `push`).
    grouped: bool,
    /// Whether ids are yet to be checked for repeats: while a CSV list loads, a row whose id is
    /// not its previous row's starts a record with no look-up, and records of one id are merged
    /// once it is loaded ([`ProtectedList::merge_repeated_ids`]), or once the records started
    /// reach the list's limit.
    provisional: bool,
    /// The address and phone tables, built on first look-up (or by [`Lookup::prepare`]).
    index: OnceLock<Index>,
    /// Contacts: a canonical address, or `@` and a canonical domain, and the records whose
    /// identifiers it may receive.
    contacts: hashbrown::HashMap<String, Vec<u32>>,
    /// The most records the list may have (policy `max_list_records`), if limited.
    record_limit: Option<usize>,
    /// The word forms of the names and terms (two a name, one a term) and their bytes, as
    /// [`Lookup::word_forms_hint`] gives them.
    word_forms: (usize, usize),
    /// The number of pattern rows.
    patterns: usize,
    /// The number of email rows.
    emails: usize,
}

impl std::fmt::Debug for ProtectedList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtectedList")
            .field("records", &self.records.len())
            .field("identifiers", &self.rows.len())
            .finish()
    }
}

impl PartialEq for ProtectedList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .records()
                .zip(other.records())
                .all(|(a, b)| a.id() == b.id() && a.identifiers().eq(b.identifiers()))
    }
}

impl Eq for ProtectedList {}

impl ProtectedList {
    /// An empty list, to fill with [`ProtectedList::push`].
    pub fn new() -> Self {
        ProtectedList { grouped: true, ..Default::default() }
    }

    /// Parses the CSV text of a protected list.
    pub fn from_csv(text: &str) -> Result<Self> {
        Self::from_csv_bytes(text.as_bytes())
    }

    /// Parses a protected list from raw bytes. Invalid UTF-8 is an error naming its line; a
    /// leading UTF-8 byte-order mark and CRLF line ends are accepted. A sealed list is an error
    /// that says so (open it with its key: [`open`](super::open)).
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_csv_bytes_limited(bytes, usize::MAX)
    }

    /// [`ProtectedList::from_csv_bytes`], refusing a list of more than `max_records` records
    /// (policy `max_list_records`) at the line that starts one more, before it is all read.
    pub fn from_csv_bytes_limited(bytes: &[u8], max_records: usize) -> Result<Self> {
        if super::sealed::is_sealed(bytes) {
            return Err(Error::list(0, "this is a sealed list, not CSV (it opens with its key)"));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(std::io::Cursor::new(bytes));
        let mut list =
            ProtectedList { record_limit: Some(max_records), provisional: true, ..ProtectedList::new() };
        // Sized for a typical list (about 30 bytes a row, two rows a record).
        list.text.reserve(bytes.len() / 2);
        list.rows.reserve(bytes.len() / 30);
        let mut columns: Option<[usize; 3]> = None;
        let mut row = csv::ByteRecord::new();
        // csv counts only the lines it returns; comments and blank lines count for people.
        let mut line_at = Lines { bytes, counted_to: 0, line: 1 };
        // A list that is UTF-8 throughout (checked once) has its simple lines (no quote, no
        // carriage return but the last) split here, as csv would split them; a line that is not
        // simple, and every line of a list that is not UTF-8, is read by csv from where it starts.
        let text = std::str::from_utf8(bytes).ok();
        let mut fields: Vec<&str> = Vec::new();
        let mut pos = 0usize;
        // The next quote or carriage return at or after `pos` (the end if none): the lines
        // before it are simple, with no search of their own.
        let mut special = 0usize;
        while pos < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
            let content = &bytes[pos..end];
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if special < pos {
                special = memchr::memchr2(b'"', b'\r', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
            }
            let simple = special >= pos + content.len() || memchr::memchr2(b'"', b'\r', content).is_none();
            if let Some(text) = text.filter(|_| simple) {
                let line = line_at.at(pos);
                let start = pos;
                pos = end + 1;
                // The next line starts one line on: no need to count it again.
                line_at.skip_line(pos);
                if content.is_empty() || content[0] == b'#' {
                    continue;
                }
                fields.clear();
                let mut at = start;
                each_comma(content, |i| {
                    fields.push(&text[at..start + i]);
                    at = start + i + 1;
                });
                fields.push(&text[at..start + content.len()]);
                take_row(&mut list, &mut columns, &fields, line)?;
                continue;
            }
            let mut at = csv::Position::new();
            at.set_byte(pos as u64);
            if let Err(e) = reader.seek(at) {
                return Err(Error::list(line_at.at(pos), format!("unreadable CSV: {e}")));
            }
            match reader.read_byte_record(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| line_at.at(p.byte() as usize));
                    return Err(Error::list(line, format!("unreadable CSV: {e}")));
                }
            }
            pos = (reader.position().byte() as usize).max(pos + 1);
            let line = row.position().map_or(0, |p| line_at.at(row_start(bytes, p.byte() as usize)));
            // Only the fields read must be UTF-8 (every one of the header row; the id, kind and
            // value of any other).
            let used = |i: usize| columns.is_none_or(|c| c.contains(&i));
            let mut slow = Vec::with_capacity(row.len());
            for (i, raw) in row.iter().enumerate() {
                match std::str::from_utf8(raw) {
                    Ok(f) => slow.push(f),
                    Err(_) if used(i) => return Err(Error::list(line, "not valid UTF-8")),
                    Err(_) => slow.push(""),
                }
            }
            take_row(&mut list, &mut columns, &slow, line)?;
        }
        if columns.is_none() {
            return Err(Error::list(0, "empty list: the header row id,kind,value is missing"));
        }
        if list.provisional {
            list.merge_repeated_ids();
        }
        list.group();
        list.text.shrink_to_fit();
        list.rows.shrink_to_fit();
        list.records.shrink_to_fit();
        // Ids are looked up only while rows are added: the table goes (a million records'
        // is 20 MB), and is made again if a row is pushed.
        list.by_id = IdTable::default();
        list.record_limit = None;
        Ok(list)
    }

    /// Adds one identifier to the record `id` (created if new), validated as a CSV row would be.
    pub fn push(&mut self, id: &str, kind: Kind, value: &str) -> Result<()> {
        self.push_at(id, kind.as_str(), value, 0)?;
        // The tables, if built, no longer hold every identifier.
        self.index.take();
        self.group();
        Ok(())
    }

    fn push_at(&mut self, id: &str, kind: &str, value: &str, line: u64) -> Result<()> {
        let (id, value) = (trim(id), trim(value));
        if id.is_empty() {
            return Err(Error::list(line, "empty id"));
        }
        let kind = trim(kind);
        if kind.eq_ignore_ascii_case("contact") {
            return self.push_contact(id, value, line);
        }
        let Some(kind) = Kind::parse(kind) else {
            return Err(Error::list(
                line,
                format!("unknown kind {kind:?} (expected name, email, phone or term)"),
            ));
        };
        if value.is_empty() {
            return Err(Error::list(line, format!("empty {kind} value")));
        }
        let canonical = validate(kind, value).map_err(|reason| Error::list(line, reason))?;
        let record = self.record_for(id, line)?;
        let copies = match kind {
            Kind::Name => 2,
            Kind::Term => 1,
            Kind::Pattern => {
                self.patterns += 1;
                0
            }
            Kind::Email => {
                self.emails += 1;
                0
            }
            _ => 0,
        };
        self.word_forms.0 += copies;
        self.word_forms.1 += copies * value.len();
        let value = self.store(value);
        self.rows.push(Row { record, value, line: line.min(u32::MAX as u64) as u32, kind, canonical });
        self.grouped = false;
        Ok(())
    }

    /// A `contact` row: an address (`solicitor@law.example`) or a whole domain
    /// (`@cps.example`, its subdomains included) that may receive the record's identifiers.
    fn push_contact(&mut self, id: &str, value: &str, line: u64) -> Result<()> {
        let key = match value.strip_prefix('@') {
            Some(domain) => address::canonical_domain(domain).map(|d| format!("@{d}")),
            None => Some(address::canonical(value)).filter(|a| address::is_valid(a)),
        };
        let Some(key) = key else {
            return Err(Error::list(
                line,
                format!("the contact {value:?} is neither an address nor @ and a domain"),
            ));
        };
        let record = self.record_for(id, line)?;
        let records = self.contacts.entry(key).or_default();
        if !records.contains(&record) {
            records.push(record);
        }
        Ok(())
    }

    /// Calls `f(key, record)` for every contact (`key`: a canonical address, or `@` and a
    /// canonical domain).
    pub(crate) fn each_contact(&self, f: &mut dyn FnMut(&str, u32)) {
        let mut keys: Vec<&String> = self.contacts.keys().collect();
        keys.sort();
        for key in keys {
            for &record in &self.contacts[key] {
                f(key, record);
            }
        }
    }

    /// Whether any row is a contact.
    pub fn has_contacts(&self) -> bool {
        !self.contacts.is_empty()
    }

    fn store(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, self.text.len() as u32)
    }

    /// All the list's text (ids and values).
    pub(crate) fn text_all(&self) -> &str {
        &self.text
    }

    /// The number of email rows.
    pub(crate) fn email_count(&self) -> usize {
        self.emails
    }

    /// Calls `f(record, kind, value, canonical)` for every identifier, record by record in list
    /// order; `canonical`: an email known to be listed in canonical form.
    pub(crate) fn each_row(&self, f: &mut dyn FnMut(u32, Kind, &str, bool)) {
        for (r, rec) in self.records.iter().enumerate() {
            for row in &self.rows[rec.rows.0 as usize..rec.rows.1 as usize] {
                f(r as u32, row.kind, self.text(row.value), row.canonical);
            }
        }
    }

    fn text(&self, span: Span) -> &str {
        &self.text[span.0 as usize..span.1 as usize]
    }

    /// The index of the record `id`, created if new (the list's record limit allowing: the
    /// error names `line`).
    fn record_for(&mut self, id: &str, line: u64) -> Result<u32> {
        // Rows of one record usually follow each other: no look-up for those.
        if let Some(last) = self.rows.last() {
            let rec = self.records[last.record as usize];
            if self.text(rec.id) == id {
                return Ok(last.record);
            }
        }
        if self.provisional {
            if self.record_limit.is_none_or(|max| self.records.len() < max) {
                let r = self.records.len() as u32;
                let span = self.store(id);
                self.records.push(RecordRow { id: span, rows: (0, 0) });
                return Ok(r);
            }
            // A record more than the limit, unless an id was repeated: from here on, every id
            // is looked up.
            self.merge_repeated_ids();
        }
        if self.by_id.len() < self.records.len() {
            self.index_ids();
        }
        let hash = self.hasher.hash_one(id);
        let (text, records) = (&self.text, &self.records);
        let slot = match self
            .by_id
            .find(hash, |r| &text[records[r as usize].id.0 as usize..records[r as usize].id.1 as usize] == id)
        {
            Ok(r) => return Ok(r),
            Err(slot) => slot,
        };
        if let Some(max) = self.record_limit.filter(|&max| self.records.len() >= max) {
            return Err(Error::list(line, super::too_many_records(max)));
        }
        let r = self.records.len() as u32;
        let span = self.store(id);
        self.records.push(RecordRow { id: span, rows: (0, 0) });
        self.by_id.insert(slot, hash, r);
        Ok(r)
    }

    /// Merges the records started for one id while ids were not looked up (see `provisional`)
    /// into the first: its rows and contacts are that record's; records stay in order of first
    /// appearance. The repeats are found by sorting the records by the hashes of their ids, which
    /// stays in the cache where a look-up of each id in a table would miss it.
    fn merge_repeated_ids(&mut self) {
        self.provisional = false;
        let (text, records, hasher) = (&self.text, &self.records, &self.hasher);
        let id = |r: u32| &text[records[r as usize].id.0 as usize..records[r as usize].id.1 as usize];
        // The top half of an id's hash, above its record.
        let mut keys: Vec<u64> =
            (0..records.len() as u32).map(|r| hasher.hash_one(id(r)) & !0xffff_ffff | u64::from(r)).collect();
        super::index::sort_by_hash_in_place(&mut keys, |&k| k, |a, b| a.cmp(b));
        // `first[r]`: the first record of `r`'s id (made when a repeat is found). The records
        // of a hash are in order, so the first that has an id is found first.
        let mut first: Vec<u32> = Vec::new();
        let mut run = 0;
        for i in 0..keys.len() {
            if keys[i] >> 32 != keys[run] >> 32 {
                run = i;
            }
            let r = keys[i] as u32;
            if let Some(&q) = keys[run..i].iter().find(|&&q| id(q as u32) == id(r)) {
                if first.is_empty() {
                    first = (0..records.len() as u32).collect();
                }
                first[r as usize] = q as u32;
            }
        }
        drop(keys);
        if first.is_empty() {
            return;
        }
        // Numbered again in order, each repeat as its first record.
        let mut number = first;
        let mut next = 0;
        for r in 0..number.len() {
            if number[r] as usize == r {
                number[r] = next;
                next += 1;
            } else {
                number[r] = number[number[r] as usize];
            }
        }
        for row in &mut self.rows {
            row.record = number[row.record as usize];
        }
        for records in self.contacts.values_mut() {
            let mut merged: Vec<u32> = Vec::with_capacity(records.len());
            for &r in records.iter() {
                let r = number[r as usize];
                if !merged.contains(&r) {
                    merged.push(r);
                }
            }
            *records = merged;
        }
        // A record is kept where it is numbered anew: where its number is the next one.
        let mut kept = 0;
        let mut r = 0;
        self.records.retain(|_| {
            let keep = number[r] == kept;
            kept += u32::from(keep);
            r += 1;
            keep
        });
        self.grouped = false;
    }

    /// Makes the table of record ids again (it goes once a list is loaded).
    fn index_ids(&mut self) {
        let (text, records, hasher) = (&self.text, &self.records, &self.hasher);
        let id = |r: u32| &text[records[r as usize].id.0 as usize..records[r as usize].id.1 as usize];
        let mut table = IdTable::default();
        table.reserve(records.len());
        for r in 0..records.len() as u32 {
            let hash = hasher.hash_one(id(r));
            // Ids are distinct: the probe ends at an empty slot.
            if let Err(slot) = table.find(hash, |_| false) {
                table.insert(slot, hash, r);
            }
        }
        self.by_id = table;
    }

    /// Groups rows by record (a stable counting sort), so each record's rows are contiguous.
    fn group(&mut self) {
        if self.grouped {
            return;
        }
        let mut starts = vec![0u32; self.records.len() + 1];
        for row in &self.rows {
            starts[row.record as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        // A list whose rows come record by record (the usual CSV) is grouped already: no copy
        // of its rows.
        if !self.rows.windows(2).all(|w| w[0].record <= w[1].record) {
            let mut next = starts.clone();
            let mut sorted = self.rows.clone();
            for row in &self.rows {
                let slot = &mut next[row.record as usize];
                sorted[*slot as usize] = *row;
                *slot += 1;
            }
            self.rows = sorted;
        }
        for (r, rec) in self.records.iter_mut().enumerate() {
            rec.rows = (starts[r], starts[r + 1]);
        }
        self.grouped = true;
    }

    /// The records, in order of first appearance.
    pub fn records(&self) -> impl ExactSizeIterator<Item = Record<'_>> + '_ {
        (0..self.records.len() as u32).map(move |index| Record { list: self, index })
    }

    /// The record at `index` (order of first appearance, from 0).
    pub fn record(&self, index: usize) -> Option<Record<'_>> {
        (index < self.records.len()).then_some(Record { list: self, index: index as u32 })
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the list has no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The number of identifiers (rows) in the list.
    pub fn identifier_count(&self) -> usize {
        self.rows.len()
    }

    /// The address and phone tables, built on first use.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(self))
    }

    /// Calls `f(form, record, kind)` for every normalised form of every name and term (see
    /// `canonical::each_form`), in list order.
    pub(crate) fn each_word_form(&self, f: &mut dyn FnMut(&[u8], u32, Kind)) {
        let (mut norm, mut buf) = (Normalized::new(), Vec::new());
        // The rows are grouped by record, in list order within each: record by record.
        debug_assert!(self.grouped);
        for row in self.rows.iter().filter(|r| matches!(r.kind, Kind::Name | Kind::Term)) {
            canonical::each_form(row.kind, self.text(row.value), &mut norm, &mut buf, &mut |form| {
                f(form, row.record, row.kind)
            });
        }
    }
}

impl ProtectedList {
    /// [`ProtectedList::each_word_form`], with each name form's given name (see
    /// [`Lookup::each_word_form_given`]): in the form as listed, the word `variants::given_word`
    /// names; surname first, the same word one place on, or first when it was last.
    pub(crate) fn each_word_form_given(&self, f: &mut GivenForm<'_>) {
        let (mut norm, mut buf) = (Normalized::new(), Vec::new());
        debug_assert!(self.grouped);
        for row in self.rows.iter().filter(|r| matches!(r.kind, Kind::Name | Kind::Term)) {
            let value = self.text(row.value);
            // Most names have no comma: the given name is first as listed, second turned.
            // (Short strings: a byte loop, which `memchr`'s setup would cost more than.)
            let comma = row.kind == Kind::Name && value.bytes().any(|b| b == b',');
            // The given name's place in the form as listed, and the number of its words.
            let mut listed: Option<(Option<usize>, usize)> = None;
            canonical::each_form(row.kind, value, &mut norm, &mut buf, &mut |form| {
                let given = match (row.kind, listed) {
                    (Kind::Name, None) if !comma => {
                        let words = if form.contains(&b' ') { 2 } else { 1 };
                        let g = (words > 1).then_some(0);
                        listed = Some((g, words));
                        g
                    }
                    (Kind::Name, None) => {
                        let g = variants::given_word(value, form);
                        listed = Some((g, form.iter().filter(|&&b| b == b' ').count() + 1));
                        g
                    }
                    (Kind::Name, Some((g, words))) => g.map(|g| if g + 1 == words { 0 } else { g + 1 }),
                    _ => None,
                };
                f(form, row.record, row.kind, given)
            });
        }
    }

    /// Calls `f(form, record, Kind::Name)` for every variant form of every name (see
    /// `variants::each_variant_form`), in list order.
    pub(crate) fn each_variant_form(&self, f: &mut dyn FnMut(&[u8], u32, Kind)) {
        let (mut norm, mut buf) = (Normalized::new(), Vec::new());
        for row in self.rows.iter().filter(|r| r.kind == Kind::Name) {
            variants::each_variant_form(self.text(row.value), &mut norm, &mut buf, &mut |form| {
                f(form, row.record, Kind::Name)
            });
        }
    }
}

/// Every identifier is in clear: names and terms are compiled into the matcher's word engine
/// ([`Lookup::each_word_form`]); addresses and phones are found in tables built on first use.
impl Lookup for ProtectedList {
    fn record_count(&self) -> usize {
        self.len()
    }

    fn record_id(&self, record: u32) -> Option<&str> {
        self.record(record as usize).map(|r| r.id())
    }

    fn prepare(&self) {
        self.index();
    }

    fn word_forms_hint(&self) -> (usize, usize) {
        // Names are listed in two word orders (see `canonical::forms`); normalised forms are
        // about as long as the values. Counted as rows are added.
        self.word_forms
    }

    fn each_word_form(&self, each: &mut dyn FnMut(&[u8], u32, Kind)) {
        ProtectedList::each_word_form(self, each)
    }

    fn each_word_form_given(&self, each: &mut GivenForm<'_>) {
        ProtectedList::each_word_form_given(self, each)
    }

    fn each_variant_form(&self, each: &mut dyn FnMut(&[u8], u32, Kind)) {
        ProtectedList::each_variant_form(self, each)
    }

    fn has_keyed_words(&self) -> bool {
        false
    }

    fn find_keyed_words(&self, _norm: &[u8], _variants: bool, _found: &mut WordFound<'_>) {}

    fn has_addresses(&self) -> bool {
        !self.index().addresses.is_empty()
    }

    fn address_contacts(&self, addr: &str, found: &mut dyn FnMut(u32)) {
        if self.contacts.is_empty() {
            return;
        }
        canonical::contact_keys(addr, &mut |key| {
            if let Some(records) = self.contacts.get(key) {
                records.iter().for_each(|&r| found(r));
            }
        });
    }

    fn address_owners(&self, addr: &str, found: &mut dyn FnMut(u32)) {
        self.index().addresses.owners(&self.text, addr).for_each(found)
    }

    fn has_phones(&self) -> bool {
        !self.index().phones.is_empty()
    }

    fn phone_owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32)) {
        self.index().phones.owners(phone, found)
    }

    fn each_pattern(&self, each: &mut dyn FnMut(u32, &str)) {
        if self.patterns == 0 {
            return;
        }
        for record in self.records() {
            for ident in record.identifiers().filter(|i| i.kind() == Kind::Pattern) {
                each(record.index() as u32, ident.value());
            }
        }
    }
}

/// Line numbers of byte offsets, counted on from the last one asked (offsets are asked in
/// order).
struct Lines<'b> {
    bytes: &'b [u8],
    counted_to: usize,
    line: u64,
}

impl Lines<'_> {
    /// Counts the line that ends just before `next` (the start of the next line, the line last
    /// asked about ending at `next - 1` with a line feed).
    #[inline]
    fn skip_line(&mut self, next: usize) {
        if next <= self.bytes.len() && next > self.counted_to {
            self.line += 1;
            self.counted_to = next;
        }
    }

    /// The line of the byte at `byte`.
    #[inline]
    fn at(&mut self, byte: usize) -> u64 {
        let byte = byte.min(self.bytes.len());
        if byte > self.counted_to {
            let gap = &self.bytes[self.counted_to..byte];
            // The usual step is one line: from one line's start to the next's.
            self.line += match memchr::memchr(b'\n', gap) {
                None => 0,
                Some(p) if p + 1 == gap.len() => 1,
                Some(_) => memchr::memchr_iter(b'\n', gap).count() as u64,
            };
            self.counted_to = byte;
        }
        self.line
    }
}

/// Takes one row of a list's CSV (its fields, untrimmed), found at `line`: the header row while
/// `columns` is not yet known, else an identifier. A row of white space only is skipped.
fn take_row(
    list: &mut ProtectedList,
    columns: &mut Option<[usize; 3]>,
    fields: &[&str],
    line: u64,
) -> Result<()> {
    if fields.iter().all(|f| f.bytes().all(|b| b.is_ascii_whitespace())) {
        return Ok(());
    }
    let field = |i: usize| trim(fields.get(i).copied().unwrap_or(""));
    let Some([id_col, kind_col, value_col]) = *columns else {
        let mut found = [None; 3];
        for i in 0..fields.len() {
            let slot = match field(i).to_ascii_lowercase().as_str() {
                "id" => 0,
                "kind" => 1,
                "value" => 2,
                _ => continue,
            };
            found[slot].get_or_insert(i);
        }
        match found {
            [Some(a), Some(b), Some(c)] => *columns = Some([a, b, c]),
            _ => return Err(Error::list(line, "the header row must name the columns id, kind and value")),
        }
        return Ok(());
    };
    list.push_at(field(id_col), field(kind_col), field(value_col), line)
}

/// `s` without white space around it: [`str::trim`], with no character search when `s` starts
/// and ends with a printable ASCII character (a million rows have three fields each).
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Calls `each(i)` for the place `i` of every comma in `line`, in order. A line is short: eight
/// bytes are tested at a time, in a word (less setup than `memchr`, fewer steps than a byte loop).
#[inline]
fn each_comma(line: &[u8], mut each: impl FnMut(usize)) {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut chunks = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ COMMAS;
        // The top bit of each byte that is zero (a comma), exactly: no carry crosses a byte.
        let mut found = !(((x & LOW) + LOW) | x | LOW);
        while found != 0 {
            each(base + (found.trailing_zeros() / 8) as usize);
            found &= found - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b',' {
            each(base + i);
        }
    }
}

/// csv reports a record as starting where the previous one ended, before any blank or comment
/// lines it skipped; this finds where the row itself starts.
fn row_start(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\r' | b'\n' => at += 1,
            b'#' => at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p + 1),
            _ => break,
        }
    }
    at
}

/// Checks a trimmed value of `kind`: for an email, whether it is known to be listed in canonical
/// form ([`address::canonical_cow`] would borrow it).
fn validate(kind: Kind, value: &str) -> std::result::Result<bool, String> {
    match kind {
        Kind::Email => {
            // The usual address is judged in one pass, its canonical form with it.
            if let Some((valid, canonical)) = address::check_plain(value) {
                return if valid { Ok(canonical) } else { Err("the email is not an address".into()) };
            }
            // `value` is trimmed: only what is inside angle brackets needs trimming.
            let bare = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')).map_or(value, str::trim);
            if !address::is_valid(bare.strip_suffix('.').unwrap_or(bare)) {
                return Err("the email is not an address".into());
            }
        }
        Kind::Phone => {
            if let Some(c) = value.chars().find(|c| !canonical::is_phone_char(*c)) {
                return Err(format!("the phone contains {c:?}"));
            }
            let digits = value.chars().filter(|c| crate::text::digits::value(*c).is_some()).count();
            if digits < MIN_DIGITS {
                return Err(format!("the phone has {digits} digits (at least {MIN_DIGITS} needed)"));
            }
            if digits > MAX_DIGITS {
                return Err(format!("the phone has {digits} digits (at most {MAX_DIGITS})"));
            }
        }
        Kind::Name | Kind::Term => {
            if !value.chars().any(char::is_alphanumeric) {
                return Err(format!("the {kind} has no letter or digit"));
            }
        }
        Kind::Pattern => {
            canonical::pattern(value)?;
        }
    }
    Ok(false)
}

/// Record indexes by a hash of their ids: open addressing with linear probing, a slot one `u64`
/// (the hash's top 32 bits, which also place it, above the record index plus one; 0 is empty).
/// A look-up of an id not yet listed, as most are while a list loads, reads one cache line of
/// the table (a table of separate control bytes and values, as hashbrown's, reads two, and in a
/// list of ten million records each is a miss), and growing the table needs no id hashed again.
#[derive(Clone, Default)]
struct IdTable {
    slots: Vec<u64>,
    len: usize,
}

impl IdTable {
    /// The records in the table.
    fn len(&self) -> usize {
        self.len
    }

    /// Room for `n` records without growing (the table at most four fifths full).
    fn reserve(&mut self, n: usize) {
        let want = (self.len + n).saturating_mul(5) / 4 + 1;
        if want > self.slots.len() {
            self.resize(want.next_power_of_two());
        }
    }

    /// The slot where a hash starts its probe: its top bits.
    #[inline]
    fn home(&self, top: u32) -> usize {
        // `slots.len()` is a power of two, at most 2^32 (records are numbered in u32).
        ((u64::from(top) * self.slots.len() as u64) >> 32) as usize
    }

    /// The record whose id has `hash` and for which `is` holds, or the empty slot where it
    /// would go.
    #[inline]
    fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> std::result::Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(usize::MAX);
        }
        let top = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = self.home(top);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return Err(i);
            }
            if (slot >> 32) as u32 == top && is((slot as u32).wrapping_sub(1)) {
                return Ok((slot as u32).wrapping_sub(1));
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts `record` in the empty slot `find` gave for `hash` (the table grown first if full).
    #[inline]
    fn insert(&mut self, slot: usize, hash: u64, record: u32) {
        let top = (hash >> 32) as u32;
        // Records are fewer than u32::MAX (the list's limit is far below it).
        let value = u64::from(top) << 32 | u64::from(record.wrapping_add(1));
        if slot == usize::MAX || (self.len + 1) * 5 > self.slots.len() * 4 {
            self.resize((self.slots.len() * 2).max(16));
            let mask = self.slots.len() - 1;
            let mut i = self.home(top);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = value;
        } else {
            self.slots[slot] = value;
        }
        self.len += 1;
    }

    fn resize(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = size - 1;
        for value in old.into_iter().filter(|&v| v != 0) {
            let mut i = self.home((value >> 32) as u32);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\nV02,name,Ravi Patel\nV02,email,ravi@example.net\nOP7,term,Operation Nightingale\n";

    #[test]
    fn loads_the_contract_example() {
        let list = ProtectedList::from_csv(GOOD).unwrap();
        let ids: Vec<_> = list.records().map(|r| r.id()).collect();
        assert_eq!(ids, ["V01", "V02", "OP7"]);
        let v01 = list.record(0).unwrap();
        assert_eq!(v01.identifiers().len(), 3);
        assert_eq!(v01.identifiers().nth(2).unwrap().line(), 4);
        assert_eq!(v01.own_addresses().collect::<Vec<_>>(), ["jane.doe@example.org"]);
        assert_eq!(list.identifier_count(), 6);
    }

    #[test]
    fn bad_rows_name_their_line() {
        struct T {
            name: &'static str,
            input: &'static str,
            line: u64,
        }
        let tests = [
            T { name: "unknown kind", input: "id,kind,value\nV01,colour,blue\n", line: 2 },
            T { name: "empty id", input: "id,kind,value\n,name,Jane\n", line: 2 },
            T { name: "empty value", input: "id,kind,value\nV01,name,\n", line: 2 },
            T { name: "missing value column", input: "id,kind,value\nV01,name\n", line: 2 },
            T {
                name: "bad email",
                input: "id,kind,value\nV01,name,Jane\nV01,email,jane.example.org\n",
                line: 3,
            },
            T { name: "short phone", input: "id,kind,value\n\n# comment\nV01,phone,12345\n", line: 4 },
            T { name: "phone with letters", input: "id,kind,value\nV01,phone,call 0207946001\n", line: 2 },
            T { name: "name without letters", input: "id,kind,value\nV01,name,--\n", line: 2 },
            T { name: "no header", input: "V01,name,Jane Doe\n", line: 1 },
            T { name: "empty file", input: "", line: 0 },
            T { name: "a sealed list", input: "MAILDLP-SEALED\n\x01\x00", line: 0 },
        ];
        for t in tests {
            let err = ProtectedList::from_csv(t.input).unwrap_err();
            assert_eq!(err.line(), Some(t.line), "{}: {err}", t.name);
        }
    }

    #[test]
    fn comments_blank_lines_extra_columns_bom_crlf_quotes() {
        let text = "\u{feff}# victims of case 7\r\nid,kind,value,notes\r\n\r\nV01,name,\"Doe, Jane\",first\r\n#V09,name,ignored\r\nV01,email,Jane.Doe@Example.org,x\r\n";
        let list = ProtectedList::from_csv(text).unwrap();
        assert_eq!(list.len(), 1);
        let ids: Vec<_> = list.record(0).unwrap().identifiers().collect();
        assert_eq!(ids[0].value(), "Doe, Jane");
        assert_eq!(ids[0].line(), 4);
        assert_eq!(ids[1].line(), 6);
    }

    /// Lines split without csv read as csv reads them: each list below is read as it is (most
    /// lines split here) and with a comment line of invalid UTF-8 after it (every line read by
    /// csv), and both give the same records, identifiers and lines, or the same error line.
    #[test]
    fn simple_lines_read_as_csv_reads_them() {
        let lists = [
            "id,kind,value\nV01,name,Jane Doe\nV01,email,jane@x.example\n",
            "\u{feff}id,kind,value\r\n\r\nV01,name,Jane Doe\r\n#c\r\n  \r\nV02,phone,020 7946 0018",
            "kind,extra,value,id\nname,,Ann Lee,A\n\n\nemail,x,ann@x.example,A,more,fields\n",
            "id,kind,value\nA,name,\"Lee, Ann\"\nB,name,\"Bo\nLi\"\nB,term,x\"y\nC,name,Cy\rD,name,Di\n",
            "id,kind,value\n  #A,name,Ann\n#B,name,\"Bo\nC,name,Cy\n",
            "id,kind,value\nA,name,Ann\nA,phone,12\n",
            "id,kind,value\nA,name\n",
            "id,value\nA,Ann\n",
            "\n\n# only comments\n",
            "id,kind,value\nA,name,  Ann  ,\n , name,x\n",
        ];
        let summary = |r: Result<ProtectedList>| match r {
            Ok(list) => Ok(list
                .records()
                .map(|r| {
                    (
                        r.id().to_string(),
                        r.identifiers()
                            .map(|i| (i.kind(), i.value().to_string(), i.line()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()),
            Err(e) => Err(e.line()),
        };
        for list in lists {
            let mut slow = list.as_bytes().to_vec();
            if !slow.ends_with(b"\n") {
                slow.push(b'\n');
            }
            slow.extend_from_slice(b"#\xff\n");
            assert_eq!(
                summary(ProtectedList::from_csv(list)),
                summary(ProtectedList::from_csv_bytes(&slow)),
                "{list:?}"
            );
        }
        let bo = ProtectedList::from_csv(lists[3]).unwrap();
        assert_eq!(bo.record(1).unwrap().identifiers().next().unwrap().value(), "Bo\nLi");
        assert_eq!(bo.record(3).unwrap().identifiers().next().unwrap().line(), 6);
    }

    /// `each_comma` finds every comma and nothing else, at every place in lines of up to forty
    /// bytes, among bytes a word test could mistake for one (a comma with its top bit set, its
    /// neighbours, zero, `\xff`).
    #[test]
    fn each_comma_finds_the_commas() {
        let alphabet = [b',', 0xac, b'-', b'+', 0, 0xff, b'a'];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..=40usize {
            for _ in 0..200 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        alphabet[(seed % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let mut found = Vec::new();
                each_comma(&line, |i| found.push(i));
                let want: Vec<usize> = (0..len).filter(|&i| line[i] == b',').collect();
                assert_eq!(found, want, "{line:?}");
            }
        }
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err =
            ProtectedList::from_csv_bytes(b"id,kind,value\nV01,name,Jane\nV02,name,J\xffn\n").unwrap_err();
        assert_eq!(err.line(), Some(3));
    }

    #[test]
    fn nothing_is_half_loaded() {
        let mut list = ProtectedList::new();
        list.push("A", Kind::Name, "Ann Lee").unwrap();
        assert!(list.push("A", Kind::Phone, "12").is_err());
        assert_eq!(list.record(0).unwrap().identifiers().len(), 1);
    }

    #[test]
    fn rows_of_one_record_are_grouped_in_list_order() {
        let list = ProtectedList::from_csv("id,kind,value\nA,name,Ann Lee\nB,name,Bo Li\nA,email,ann@x.example\nB,term,Kestrel\nA,term,Owl\n").unwrap();
        let a: Vec<_> = list.record(0).unwrap().identifiers().map(|i| (i.value(), i.line())).collect();
        assert_eq!(a, [("Ann Lee", 2), ("ann@x.example", 4), ("Owl", 6)]);
        let b: Vec<_> = list.record(1).unwrap().identifiers().map(|i| i.value()).collect();
        assert_eq!(b, ["Bo Li", "Kestrel"]);
        assert!(list.record(2).is_none());
    }

    /// A record's id and identifiers (kind, value, line).
    type Summary = (String, Vec<(Kind, String, u64)>);

    /// The records and identifiers of a list, with their lines.
    fn summary(list: &ProtectedList) -> Vec<Summary> {
        list.records()
            .map(|r| {
                (
                    r.id().to_string(),
                    r.identifiers().map(|i| (i.kind(), i.value().to_string(), i.line())).collect(),
                )
            })
            .collect()
    }

    /// A CSV list whose ids come back again and again (rounds over the records in another
    /// order each time, with runs of one id's rows among them) loads as the rows pushed one by
    /// one, each id looked up, load: records in order of first appearance, each with its rows
    /// in list order.
    #[test]
    fn repeated_ids_are_one_record_as_pushed_rows_are() {
        let n = 20_000u32;
        let mut csv = String::from("id,kind,value\n");
        let mut pushed = ProtectedList::new();
        let mut line = 1;
        for round in 0..3u32 {
            for i in 0..n {
                let id = format!("R{}", (i * 7919 + round * 31) % n);
                let rows = if i % 5 == 0 { 2 } else { 1 };
                for k in 0..rows {
                    let value = format!("term {round} {i} {k}");
                    csv.push_str(&format!("{id},term,{value}\n"));
                    line += 1;
                    pushed.push_at(&id, "term", &value, line).unwrap();
                }
            }
        }
        pushed.group();
        let list = ProtectedList::from_csv(&csv).unwrap();
        assert_eq!(list.len(), n as usize);
        assert_eq!(list.identifier_count(), pushed.identifier_count());
        assert_eq!(summary(&list), summary(&pushed));
        for record in list.records() {
            assert!(record.identifiers().map(|i| i.line()).is_sorted(), "{}", record.id());
        }
    }

    /// Ids repeated with contacts between them: each record is one, its contacts named once,
    /// and an address contact of two records answers both, in order.
    #[test]
    fn repeated_ids_merge_their_contacts() {
        let list = ProtectedList::from_csv(
            "id,kind,value\nA,name,Ann Lee\nB,name,Bo Li\nA,contact,sol@law.example\nC,contact,@cps.example\nB,contact,sol@law.example\nA,contact,sol@law.example\nC,name,Cy Ng\nA,term,Owl\n",
        )
        .unwrap();
        assert_eq!(list.records().map(|r| r.id()).collect::<Vec<_>>(), ["A", "B", "C"]);
        let a: Vec<_> = list.record(0).unwrap().identifiers().map(|i| i.value()).collect();
        assert_eq!(a, ["Ann Lee", "Owl"]);
        let mut contacts = Vec::new();
        list.each_contact(&mut |key, r| contacts.push((key.to_string(), r)));
        assert_eq!(
            contacts,
            [
                ("@cps.example".to_string(), 2),
                ("sol@law.example".to_string(), 0),
                ("sol@law.example".to_string(), 1)
            ]
        );
    }

    /// The record limit counts ids, not the records started while ids are not looked up: a
    /// list of ids repeated many times over opens at its number of ids, and is refused at the
    /// line that starts one more.
    #[test]
    fn the_record_limit_counts_ids_when_ids_repeat() {
        let n = 10_000u32;
        let mut csv = String::from("id,kind,value\n");
        for round in 0..3u32 {
            for i in 0..n {
                csv.push_str(&format!("R{},term,t{round}\n", (i * 7919) % n));
            }
        }
        let list = ProtectedList::from_csv_bytes_limited(csv.as_bytes(), n as usize).unwrap();
        assert_eq!(list.len(), n as usize);
        assert_eq!(list.identifier_count(), 3 * n as usize);
        // The last id to appear first does so on line n + 1.
        let err = ProtectedList::from_csv_bytes_limited(csv.as_bytes(), n as usize - 1).unwrap_err();
        assert_eq!(err.line(), Some(u64::from(n) + 1), "{err}");
        assert!(err.to_string().contains(&format!("more than {} records", n - 1)), "{err}");
        // A record more, after the repeats.
        csv.push_str("NEW,term,t\n");
        let err = ProtectedList::from_csv_bytes_limited(csv.as_bytes(), n as usize).unwrap_err();
        assert_eq!(err.line(), Some(3 * u64::from(n) + 2), "{err}");
        assert_eq!(
            ProtectedList::from_csv_bytes_limited(csv.as_bytes(), n as usize + 1).unwrap().len(),
            n as usize + 1
        );
        let small = "id,kind,value\nA,term,a\nB,term,b\nA,term,c\nB,term,d\nA,term,e\nC,term,f\n";
        assert_eq!(ProtectedList::from_csv_bytes_limited(small.as_bytes(), 3).unwrap().len(), 3);
        assert_eq!(ProtectedList::from_csv_bytes_limited(small.as_bytes(), 2).unwrap_err().line(), Some(7));
        assert_eq!(ProtectedList::from_csv_bytes_limited(small.as_bytes(), 0).unwrap_err().line(), Some(2));
    }

    /// Records by id, across the id table's growth from empty (ids of many records
    /// interleaved, each looked up again), and a reserved table alike.
    #[test]
    fn records_by_id_through_the_tables_growth() {
        for reserve in [0, 5_000] {
            let mut list = ProtectedList::new();
            list.by_id.reserve(reserve);
            for round in 0..3 {
                for i in 0..5_000u32 {
                    let id = format!("R{}", (i * 7919) % 5_000);
                    list.push(&id, Kind::Term, &format!("term {round} {i}")).unwrap();
                }
            }
            assert_eq!(list.len(), 5_000);
            for (n, record) in list.records().enumerate() {
                assert_eq!(record.id(), format!("R{}", (n as u32 * 7919) % 5_000));
                assert_eq!(record.identifiers().count(), 3);
            }
        }
    }
}
