//! Finding protected identifiers in one segment of text.
//!
//! Names and terms are matched on normalised text (see [`crate::text::normalize()`]) by one
//! Aho-Corasick automaton holding every listed form, reporting overlapping matches so that a
//! match rejected at a word boundary cannot hide a shorter one that stands on its own. Emails
//! and phones are matched on the decoded text, where their punctuation still exists: every
//! address- or phone-shaped candidate is put in canonical form and looked up.

pub mod email;
pub mod patterns;
pub mod phone;
pub mod tokens;

#[cfg(test)]
mod naive;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use std::sync::Arc;

use crate::list::canonical::Phone;
use crate::list::{ProtectedList, SealedList};
use crate::model::Kind;
use crate::text::Normalized;
use phone::PhoneIndex;

/// One identifier found in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the record in the protected list.
    pub record: u32,
    /// The kind of identifier found.
    pub kind: Kind,
    /// Byte span in the segment's decoded text.
    pub span: Range<usize>,
}

/// Whether `c` is invisible in running text (zero-width and other format characters).
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{180e}')
}

/// The word-boundary test on normalised text: the match is neither preceded nor followed by
/// a letter or digit.
pub fn at_word_boundary(text: &[u8], span: &Range<usize>) -> bool {
    (span.start == 0 || text[span.start - 1] == b' ') && (span.end == text.len() || text[span.end] == b' ')
}

/// Lists with more identifiers than this use the token engine; smaller ones the automaton.
///
/// Measured with `cargo bench --bench engines` (README, performance section): on prose the
/// token engine is faster at every list size tried, from one record (544 against 357 MiB/s)
/// to 100,000 (411 against 192 MiB/s), because every word of natural text is made of common
/// letters and the automaton's rare-byte prefilter seldom skips. So the automaton is chosen
/// only for an empty list; it stays as [`EngineChoice::Automaton`] and as the second opinion
/// the property tests compare the token engine with.
pub const TOKEN_ENGINE_THRESHOLD: usize = 0;

/// Lists with at least this many identifiers are compiled on two threads.
const PARALLEL_BUILD: usize = 100_000;

/// Names and terms: one interface, two engines that find exactly the same matches.
#[derive(Debug)]
pub enum WordEngine {
    /// One Aho-Corasick automaton over every form (overlapping matches, boundaries checked).
    Automaton {
        /// The automaton; `None` when nothing is listed.
        automaton: Option<AhoCorasick>,
        /// Owners of each pattern: (record, kind).
        owners: Vec<Vec<(u32, Kind)>>,
    },
    /// Word n-gram hashes looked up in one table (see [`tokens`]).
    Tokens(tokens::TokenEngine),
}

/// Which engine to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineChoice {
    /// By the number of listed identifiers (`TOKEN_ENGINE_THRESHOLD`).
    Auto,
    /// Always the automaton.
    Automaton,
    /// Always the token engine.
    Tokens,
}

impl WordEngine {
    /// Builds the engine `choice` asks for over the names and terms of `list`.
    pub fn new(list: &ProtectedList, choice: EngineChoice) -> Self {
        let tokens = match choice {
            EngineChoice::Auto => list.identifier_count() > TOKEN_ENGINE_THRESHOLD,
            EngineChoice::Automaton => false,
            EngineChoice::Tokens => true,
        };
        if tokens {
            // Names are listed in two word orders (see `canonical::forms`); normalised forms are about as
            // long as the values.
            let (mut forms, mut bytes) = (0, 0);
            for ident in list.records().flat_map(|r| r.identifiers()) {
                let copies = match ident.kind() {
                    Kind::Name => 2,
                    Kind::Term => 1,
                    _ => 0,
                };
                forms += copies;
                bytes += copies * ident.value().len();
            }
            let mut builder = tokens::TokenEngineBuilder::with_capacity(forms, bytes);
            list.each_word_form(&mut |form, record, kind| builder.add(form, record, kind));
            return WordEngine::Tokens(builder.build());
        }
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<(u32, Kind)>> = Vec::new();
        list.each_word_form(&mut |form, record, kind| {
            let id = *ids.entry(form.to_vec()).or_insert_with(|| {
                texts.push(form.to_vec());
                owners.push(Vec::new());
                texts.len() - 1
            });
            if !owners[id].contains(&(record, kind)) {
                owners[id].push((record, kind));
            }
        });
        let automaton = (!texts.is_empty()).then(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::Standard)
                .build(&texts)
                .expect("normalised patterns are short and few enough for the automaton")
        });
        WordEngine::Automaton { automaton, owners }
    }

    /// Calls `found(span)` for every listed form anywhere in `norm`, inside longer words too.
    pub fn find_substrings(&self, norm: &[u8], found: &mut dyn FnMut(Range<usize>)) {
        match self {
            WordEngine::Automaton { automaton: None, .. } => {}
            WordEngine::Automaton { automaton: Some(ac), .. } => {
                ac.find_overlapping_iter(norm).for_each(|m| found(m.range()));
            }
            WordEngine::Tokens(t) => t.find_substrings(norm, found),
        }
    }

    /// Calls `found(span, record, kind)` for every listed form at word boundaries in `norm`.
    pub fn find(&self, norm: &[u8], found: &mut dyn FnMut(Range<usize>, u32, Kind)) {
        match self {
            WordEngine::Automaton { automaton: None, .. } => {}
            WordEngine::Automaton { automaton: Some(ac), owners } => {
                for m in ac.find_overlapping_iter(norm) {
                    let span = m.range();
                    if at_word_boundary(norm, &span) {
                        for &(record, kind) in &owners[m.pattern().as_usize()] {
                            found(span.clone(), record, kind);
                        }
                    }
                }
            }
            WordEngine::Tokens(t) => t.find(norm, found),
        }
    }
}

/// Listed email addresses (canonical) and the records that list each, for both the content
/// rule and the recipient rules: in clear from a plain list, as tags from a sealed one.
#[derive(Default)]
pub struct EmailTable {
    arena: String,
    entries: Vec<(u32, u32, u32)>,
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    sealed: Option<Arc<SealedList>>,
}

impl std::fmt::Debug for EmailTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailTable").field("entries", &self.entries.len()).finish()
    }
}

impl EmailTable {
    fn new(list: &ProtectedList) -> Self {
        let mut t = EmailTable::default();
        let count = list.records().flat_map(|r| r.identifiers()).filter(|i| i.kind() == Kind::Email).count();
        t.table.reserve(count, |_| 0);
        t.entries.reserve(count);
        for record in list.records() {
            for ident in record.identifiers().filter(|i| i.kind() == Kind::Email) {
                let canonical = crate::address::canonical(ident.value());
                let r = record.index() as u32;
                if t.owners(&canonical).any(|o| o == r) {
                    continue;
                }
                let start = t.arena.len() as u32;
                t.arena.push_str(&canonical);
                let idx = t.entries.len() as u32;
                t.entries.push((start, t.arena.len() as u32, r));
                let hash = t.hasher.hash_one(canonical.as_str());
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
    pub fn owners<'a>(&'a self, addr: &'a str) -> impl Iterator<Item = u32> + 'a {
        let hash = self.hasher.hash_one(addr);
        let plain = self.table.iter_hash(hash).filter_map(move |&i| {
            let (s, e, r) = self.entries[i as usize];
            (&self.arena[s as usize..e as usize] == addr).then_some(r)
        });
        let sealed = self.sealed.as_deref().filter(|s| s.has_addresses()).map(|s| s.address_owners(addr));
        plain.chain(sealed.into_iter().flatten())
    }

    /// Whether `addr` is one of `record`'s own addresses.
    pub fn is_own(&self, addr: &str, record: u32) -> bool {
        self.owners(addr).any(|r| r == record)
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty() && !self.sealed.as_deref().is_some_and(SealedList::has_addresses)
    }
}

/// Everything needed to find a protected list's identifiers in text; built once per scanner.
#[derive(Debug)]
pub struct Matcher {
    words: WordEngine,
    emails: EmailTable,
    phones: PhoneIndex<u32>,
    /// A sealed list: names, addresses and phones looked up by their tags.
    sealed: Option<Arc<SealedList>>,
    /// Pattern identifiers (kept in clear even in a sealed list: they are shapes).
    patterns: Option<patterns::Patterns>,
}

impl Matcher {
    /// Compiles the list.
    pub fn new(list: &ProtectedList) -> Self {
        let others = || {
            let mut phones = PhoneIndex::default();
            for record in list.records() {
                for ident in record.identifiers().filter(|i| i.kind() == Kind::Phone) {
                    phones.insert(Phone::parse(ident.value()), record.index() as u32);
                }
            }
            (EmailTable::new(list), phones)
        };
        // A large list builds its name engine on a second thread while this one builds the
        // address and phone tables.
        let (words, (emails, phones)) = if list.identifier_count() >= PARALLEL_BUILD {
            std::thread::scope(|s| {
                let words = s.spawn(|| WordEngine::new(list, EngineChoice::Auto));
                let rest = others();
                match words.join() {
                    Ok(w) => (w, rest),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        } else {
            (WordEngine::new(list, EngineChoice::Auto), others())
        };
        let listed: Vec<(u32, String)> = list
            .records()
            .flat_map(|r| {
                let index = r.index() as u32;
                r.identifiers()
                    .filter(|i| i.kind() == Kind::Pattern)
                    .map(move |i| (index, i.value().to_string()))
            })
            .collect();
        // Every pattern compiled when the list was loaded: this cannot fail.
        let patterns = patterns::Patterns::new(&listed).unwrap_or(None);
        Matcher { words, emails, phones, sealed: None, patterns }
    }

    /// A matcher over a sealed list: every look-up goes through the list's tags.
    pub fn sealed(list: Arc<SealedList>) -> Self {
        // Compiled when the sealed list was opened: this cannot fail.
        let patterns = patterns::Patterns::new(list.patterns()).unwrap_or(None);
        Matcher {
            words: WordEngine::Automaton { automaton: None, owners: Vec::new() },
            emails: EmailTable { sealed: Some(list.clone()), ..EmailTable::default() },
            phones: PhoneIndex::default(),
            sealed: Some(list),
            patterns,
        }
    }

    /// The listed addresses and their records.
    pub fn emails(&self) -> &EmailTable {
        &self.emails
    }

    /// Spans of `src` (an excerpt's text) that must not be shown in clear, found more widely
    /// than matches are: every listed name or term even inside longer words, every
    /// address-shaped token, every run of six digits or more. A reader who sees
    /// `jane.doe@example.orgjane.doe@example.org` recognises an address that is no whole-address
    /// match; the excerpt must not show it.
    pub fn conservative_spans(&self, src: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        crate::text::normalize::with_spare(|norm| {
            norm.fill(src);
            let first = out.len();
            self.words.find_substrings(norm.as_bytes(), &mut |span| out.push(span));
            for span in &mut out[first..] {
                *span = norm.source_range(span.clone(), src);
            }
        });
        email::for_each_candidate(src, &mut |span, _| out.push(span));
        phone::for_each_candidate(src, &mut |span, _| out.push(span));
        out
    }

    /// Appends to `out` every identifier found in `src`; `norm` must hold `src` normalised
    /// (offsets are mapped back to `src` only where a name or term is found).
    pub fn find(&self, src: &str, norm: &mut Normalized, out: &mut Vec<Hit>) {
        let first = out.len();
        self.words.find(norm.as_bytes(), &mut |span, record, kind| out.push(Hit { record, kind, span }));
        if let Some(sealed) = &self.sealed {
            sealed
                .find_words(norm.as_bytes(), &mut |span, record, kind| out.push(Hit { record, kind, span }));
        }
        if out.len() > first {
            // Spans so far are in normalised text: map them back to the source.
            for hit in &mut out[first..] {
                hit.span = norm.source_range(hit.span.clone(), src);
            }
        }
        if !self.emails.is_empty() {
            email::for_each_candidate(src, &mut |span, candidate| {
                for record in self.emails.owners(candidate) {
                    out.push(Hit { record, kind: Kind::Email, span: span.clone() });
                }
            });
        }
        self.phones.find(src, &mut |span, record| {
            out.push(Hit { record, kind: Kind::Phone, span });
        });
        if let Some(sealed) = self.sealed.as_deref().filter(|s| s.has_phones()) {
            phone::for_each_candidate(src, &mut |span, phone| {
                sealed.phone_owners(phone, &mut |record| {
                    out.push(Hit { record, kind: Kind::Phone, span: span.clone() })
                });
            });
        }
        if let Some(p) = &self.patterns {
            p.find(src, &mut |span, record| out.push(Hit { record, kind: Kind::Pattern, span }));
        }
    }
}
