//! Finding protected identifiers in one segment of text.
//!
//! Names and terms are matched on normalised text (see [`crate::text::normalize`]) by one
//! Aho-Corasick automaton holding every listed form, reporting overlapping matches so that a
//! match rejected at a word boundary cannot hide a shorter one that stands on its own. Emails
//! and phones are matched on the decoded text, where their punctuation still exists: every
//! address- or phone-shaped candidate is put in canonical form and looked up.

pub mod email;
pub mod phone;
pub mod tokens;

#[cfg(test)]
mod naive;

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::protected::{Kind, ProtectedList};
use crate::text::{normalize, Normalized};
use phone::{Phone, PhoneIndex};

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

/// The listed forms of a name or term, normalised. A name of two or more words is also
/// listed surname first (`Doe Jane` for `Jane Doe`), which covers `Doe, Jane` and `DOE Jane`.
pub fn forms(kind: Kind, value: &str) -> Vec<String> {
    let n = normalize(value);
    let mut out = vec![n.clone()];
    if kind == Kind::Name {
        if let Some((rest, last)) = n.rsplit_once(' ') {
            out.push(format!("{last} {rest}"));
        }
    }
    out
}

/// The word-boundary test on normalised text: the match is neither preceded nor followed by
/// a letter or digit.
pub fn at_word_boundary(text: &[u8], span: &Range<usize>) -> bool {
    (span.start == 0 || text[span.start - 1] == b' ') && (span.end == text.len() || text[span.end] == b' ')
}

/// Lists with more listed forms than this use the token engine; smaller ones the automaton.
/// Measured with `cargo bench --bench lists` (see the README's performance section).
pub const TOKEN_ENGINE_THRESHOLD: usize = 1_000;

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
    /// By the number of listed forms (`TOKEN_ENGINE_THRESHOLD`).
    Auto,
    /// Always the automaton.
    Automaton,
    /// Always the token engine.
    Tokens,
}

/// Every normalised name and term form of `list` with its owner.
fn word_patterns(list: &ProtectedList) -> Vec<(Vec<u8>, u32, Kind)> {
    let mut out = Vec::new();
    for (r, record) in list.records().iter().enumerate() {
        for ident in record.identifiers() {
            if matches!(ident.kind(), Kind::Name | Kind::Term) {
                for form in forms(ident.kind(), ident.value()) {
                    out.push((form.into_bytes(), r as u32, ident.kind()));
                }
            }
        }
    }
    out
}

impl WordEngine {
    /// Builds the engine `choice` asks for over the names and terms of `list`.
    pub fn new(list: &ProtectedList, choice: EngineChoice) -> Self {
        let patterns = word_patterns(list);
        let tokens = match choice {
            EngineChoice::Auto => patterns.len() > TOKEN_ENGINE_THRESHOLD,
            EngineChoice::Automaton => false,
            EngineChoice::Tokens => true,
        };
        if tokens {
            return WordEngine::Tokens(tokens::TokenEngine::new(patterns));
        }
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<(u32, Kind)>> = Vec::new();
        for (form, record, kind) in patterns {
            let id = *ids.entry(form.clone()).or_insert_with(|| {
                texts.push(form);
                owners.push(Vec::new());
                texts.len() - 1
            });
            if !owners[id].contains(&(record, kind)) {
                owners[id].push((record, kind));
            }
        }
        let automaton = (!texts.is_empty()).then(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::Standard)
                .build(&texts)
                .expect("normalised patterns are short and few enough for the automaton")
        });
        WordEngine::Automaton { automaton, owners }
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

/// Everything needed to find a protected list's identifiers in text; built once per scanner.
#[derive(Debug)]
pub struct Matcher {
    words: WordEngine,
    emails: HashMap<String, Vec<u32>>,
    phones: PhoneIndex<u32>,
}

impl Matcher {
    /// Compiles the list.
    pub fn new(list: &ProtectedList) -> Self {
        let mut emails: HashMap<String, Vec<u32>> = HashMap::new();
        let mut phones = PhoneIndex::default();
        for (r, record) in list.records().iter().enumerate() {
            for ident in record.identifiers() {
                match ident.kind() {
                    Kind::Email => {
                        let owners = emails.entry(crate::address::canonical(ident.value())).or_default();
                        if !owners.contains(&(r as u32)) {
                            owners.push(r as u32);
                        }
                    }
                    Kind::Phone => phones.insert(Phone::parse(ident.value()), r as u32),
                    Kind::Name | Kind::Term => {}
                }
            }
        }
        Matcher { words: WordEngine::new(list, EngineChoice::Auto), emails, phones }
    }

    /// Appends to `out` every identifier found in `src`; `norm` must hold `src` normalised.
    pub fn find(&self, src: &str, norm: &Normalized, out: &mut Vec<Hit>) {
        self.words.find(norm.as_bytes(), &mut |span, record, kind| {
            out.push(Hit { record, kind, span: norm.source_range(span, src) });
        });
        if !self.emails.is_empty() {
            email::for_each_candidate(src, &mut |span, candidate| {
                if let Some(owners) = self.emails.get(candidate) {
                    for &record in owners {
                        out.push(Hit { record, kind: Kind::Email, span: span.clone() });
                    }
                }
            });
        }
        self.phones.find(src, &mut |span, record| {
            out.push(Hit { record, kind: Kind::Phone, span });
        });
    }
}
