//! Finding protected identifiers in one segment of text.
//!
//! The matcher finds candidates in text and asks the list (through [`Lookup`], whatever the
//! list's format) whose they are. Names and terms are matched on normalised text (see
//! [`crate::text::normalize()`]): by a word engine compiled from the forms a list holds in
//! clear ([`WordEngine`]), and by the list itself for forms it holds only as keyed hashes.
//! Emails and phones are matched on the decoded text, where their punctuation still exists:
//! every address- or phone-shaped candidate is put in canonical form and looked up.

pub mod email;
pub mod patterns;
pub mod phone;
pub mod tokens;

#[cfg(test)]
mod naive;

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::list::variants::{self, TOKEN_MARK};
use crate::list::{Lookup, WordFound};
use crate::model::Kind;
use crate::text::Normalized;

/// One identifier found in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the record in the protected list.
    pub record: u32,
    /// The kind of identifier found.
    pub kind: Kind,
    /// Byte span in the segment's decoded text.
    pub span: Range<usize>,
    /// Whether it was found through a name variant (policy `name_variants`) and not as listed.
    pub variant: bool,
    /// For a match through a variant, the span of the word that stood for the listed given
    /// name (in the decoded text, like `span`).
    pub given: Option<Range<usize>>,
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

/// Lists with at least this many name and term forms are compiled on two threads.
const PARALLEL_BUILD: usize = 100_000;

/// Who owns an automaton pattern: record, kind, and for a variant form, the bytes of the pattern
/// that stand for the listed given name.
type Owner = (u32, Kind, Option<Range<usize>>);

/// Names and terms: one interface, two engines that find exactly the same matches.
#[derive(Debug)]
pub enum WordEngine {
    /// One Aho-Corasick automaton over every form (overlapping matches, boundaries checked);
    /// variant forms are spelled out, one pattern for each spelling a token stands for.
    Automaton {
        /// The automaton; `None` when nothing is listed.
        automaton: Option<AhoCorasick>,
        /// Owners of each pattern.
        owners: Vec<Vec<Owner>>,
    },
    /// Word n-gram hashes looked up in one table (see the `tokens` module); variant forms hold
    /// tokens, which the words of text are tried as.
    Tokens(Box<tokens::TokenEngine>),
}

/// Which engine to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineChoice {
    /// By the number of name and term forms (`TOKEN_ENGINE_THRESHOLD`).
    Auto,
    /// Always the automaton.
    Automaton,
    /// Always the token engine.
    Tokens,
}

/// Calls `each(spelled, given)` for every spelling of the variant form `form` (one word of
/// which is a token): the form with that word replaced by each spelling that stands for it,
/// and the bytes of the spelled form that the spelling takes.
fn spell_out(form: &[u8], each: &mut dyn FnMut(&[u8], Range<usize>)) {
    let Some(at) = form
        .split(|&b| b == b' ')
        .scan(0, |pos, w| {
            let start = *pos;
            *pos += w.len() + 1;
            Some((start, w))
        })
        .find(|(_, w)| w.first() == Some(&TOKEN_MARK))
    else {
        return;
    };
    let (start, token) = at;
    let Some(found) = variants::table().by_bytes(token) else { return };
    let mut spelled = Vec::with_capacity(form.len() + 16);
    for m in &found.spellings {
        spelled.clear();
        spelled.extend_from_slice(&form[..start]);
        spelled.extend_from_slice(m);
        spelled.extend_from_slice(&form[start + token.len()..]);
        each(&spelled, start..start + m.len());
    }
}

impl WordEngine {
    /// Builds the engine `choice` asks for over the names and terms `list` holds in clear
    /// ([`Lookup::each_word_form`]), and their variant forms ([`Lookup::each_variant_form`])
    /// when `variants` is set.
    pub fn new(list: &dyn Lookup, choice: EngineChoice, variants: bool) -> Self {
        let (forms, bytes) = list.word_forms_hint();
        let tokens = match choice {
            EngineChoice::Auto => forms > TOKEN_ENGINE_THRESHOLD,
            EngineChoice::Automaton => false,
            EngineChoice::Tokens => true,
        };
        if tokens {
            let mut builder = tokens::TokenEngineBuilder::with_capacity(forms, bytes);
            if variants {
                // The forms as listed, each with its given name, which the words of text are
                // tried as (see `tokens::TokenEngineBuilder::add_name`).
                builder.name_variants();
                list.each_word_form_given(&mut |form, record, kind, given| {
                    builder.add_name(form, record, kind, given)
                });
            } else {
                list.each_word_form(&mut |form, record, kind| builder.add(form, record, kind));
            }
            return WordEngine::Tokens(Box::new(builder.build()));
        }
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        let mut add = |form: &[u8], owner: Owner| {
            let id = *ids.entry(form.to_vec()).or_insert_with(|| {
                texts.push(form.to_vec());
                owners.push(Vec::new());
                texts.len() - 1
            });
            if !owners[id].contains(&owner) {
                owners[id].push(owner);
            }
        };
        list.each_word_form(&mut |form, record, kind| add(form, (record, kind, None)));
        if variants {
            list.each_variant_form(&mut |form, record, kind| {
                spell_out(form, &mut |spelled, given| add(spelled, (record, kind, Some(given))))
            });
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

    /// Calls `found(span)` for every listed form anywhere in `norm`, inside longer words too
    /// (variant forms aside: see [`Matcher::conservative_spans`]).
    pub fn find_substrings(&self, norm: &[u8], found: &mut dyn FnMut(Range<usize>)) {
        match self {
            WordEngine::Automaton { automaton: None, .. } => {}
            WordEngine::Automaton { automaton: Some(ac), owners } => {
                ac.find_overlapping_iter(norm)
                    .filter(|m| owners[m.pattern().as_usize()].iter().any(|o| o.2.is_none()))
                    .for_each(|m| found(m.range()));
            }
            WordEngine::Tokens(t) => t.find_substrings(norm, found),
        }
    }

    /// Calls `found(span, record, kind, given)` for every listed form at word boundaries in
    /// `norm`, and every variant form (`given`: the span of the word standing for the listed
    /// given name).
    pub fn find(&self, norm: &[u8], found: &mut WordFound<'_>) {
        match self {
            WordEngine::Automaton { automaton: None, .. } => {}
            WordEngine::Automaton { automaton: Some(ac), owners } => {
                for m in ac.find_overlapping_iter(norm) {
                    let span = m.range();
                    if at_word_boundary(norm, &span) {
                        for (record, kind, given) in &owners[m.pattern().as_usize()] {
                            let given = given.as_ref().map(|g| span.start + g.start..span.start + g.end);
                            found(span.clone(), *record, *kind, given);
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
    /// The list every candidate is looked up in.
    list: Box<dyn Lookup>,
    /// The names and terms the list holds in clear.
    words: WordEngine,
    /// Whether the list holds names or terms only as keyed hashes (it finds those itself).
    keyed_words: bool,
    /// Whether any address is listed.
    addresses: bool,
    /// Whether any phone is listed.
    phones: bool,
    /// Pattern identifiers (in clear in every list: they are shapes).
    patterns: Option<patterns::Patterns>,
    /// Whether names are also found through their variants (policy `name_variants`).
    variants: bool,
}

impl Matcher {
    /// Compiles what finds `list`'s identifiers in text: the word engine over the forms it
    /// holds in clear (with their variant forms when `variants` is set: policy
    /// `name_variants`) and its pattern identifiers; the list builds its own look-up tables
    /// ([`Lookup::prepare`]), beside the word engine on a second thread for a large list.
    pub fn new(list: Box<dyn Lookup>, variants: bool) -> Self {
        let (forms, _) = list.word_forms_hint();
        let words = if forms >= PARALLEL_BUILD {
            let list = &*list;
            std::thread::scope(|s| {
                let words = s.spawn(|| WordEngine::new(list, EngineChoice::Auto, variants));
                list.prepare();
                match words.join() {
                    Ok(w) => w,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        } else {
            list.prepare();
            WordEngine::new(&*list, EngineChoice::Auto, variants)
        };
        let mut listed: Vec<(u32, String)> = Vec::new();
        list.each_pattern(&mut |record, p| listed.push((record, p.to_string())));
        // Every pattern compiled when the list was loaded: this cannot fail.
        let patterns = patterns::Patterns::new(&listed).unwrap_or(None);
        Matcher {
            keyed_words: list.has_keyed_words(),
            addresses: list.has_addresses(),
            phones: list.has_phones(),
            list,
            words,
            patterns,
            variants,
        }
    }

    /// The list the matcher asks: record ids, and the records that own an address.
    pub fn list(&self) -> &dyn Lookup {
        &*self.list
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
            if self.variants {
                // Variants as whole words, however they are written: a reader knows `bill smith`.
                self.words.find(norm.as_bytes(), &mut |span, _, _, given| {
                    if given.is_some() {
                        out.push(span)
                    }
                });
            }
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
    ///
    /// With name variants, a match through a variant is kept only where its given name is
    /// written as a name (not starting with a lower-case letter: `will smith` in running text
    /// is no William Smith) and the same record's name is not found as listed at the same
    /// span; the ones kept follow every other hit of the segment, so that a place where a
    /// name is found both as listed and through a variant is reported as listed.
    pub fn find(&self, src: &str, norm: &mut Normalized, out: &mut Vec<Hit>) {
        let first = out.len();
        let mut found = |span: Range<usize>, record: u32, kind: Kind, given: Option<Range<usize>>| {
            out.push(Hit { record, kind, span, variant: given.is_some(), given })
        };
        self.words.find(norm.as_bytes(), &mut found);
        if self.keyed_words {
            self.list.find_keyed_words(norm.as_bytes(), self.variants, &mut found);
        }
        if out.len() > first {
            // Spans so far are in normalised text: map them back to the source.
            let mut variants = false;
            for hit in &mut out[first..] {
                hit.span = norm.source_range(hit.span.clone(), src);
                if let Some(given) = &mut hit.given {
                    *given = norm.source_range(given.clone(), src);
                    variants = true;
                }
            }
            if variants {
                settle_variants(src, &mut out[first..]);
                let kept = out[first..].iter().filter(|h| h.record != u32::MAX).count();
                out.truncate(first + kept);
            }
        }
        if self.addresses {
            email::for_each_candidate(src, &mut |span, candidate| {
                self.list.address_owners(candidate, &mut |record| {
                    out.push(Hit {
                        record,
                        kind: Kind::Email,
                        span: span.clone(),
                        variant: false,
                        given: None,
                    })
                });
            });
        }
        if self.phones {
            phone::for_each_candidate(src, &mut |span, phone| {
                self.list.phone_owners(phone, &mut |record| {
                    out.push(Hit {
                        record,
                        kind: Kind::Phone,
                        span: span.clone(),
                        variant: false,
                        given: None,
                    })
                });
            });
        }
        if let Some(p) = &self.patterns {
            p.find(src, &mut |span, record| {
                out.push(Hit { record, kind: Kind::Pattern, span, variant: false, given: None })
            });
        }
    }
}

/// Settles the name and term hits `hits` of one segment, some through variants, without an
/// allocation: listed hits first, then the variant hits kept (each once), then the ones
/// dropped, their record set to `u32::MAX` for the caller to cut off. A variant hit is dropped
/// where its given name is not written as a name (its first letter is lower-case: `will smith`
/// in running text is no William Smith) or where a listed form of the same record is found at
/// the same span.
fn settle_variants(src: &str, hits: &mut [Hit]) {
    let named = |h: &Hit| {
        h.given.as_ref().is_none_or(|g| !src[g.clone()].chars().next().is_some_and(char::is_lowercase))
    };
    for h in hits.iter_mut() {
        if !named(h) {
            h.record = u32::MAX;
        }
    }
    // Listed first (in order of span), then variants, then the dropped ones.
    hits.sort_unstable_by_key(|h| {
        (h.record == u32::MAX, h.variant, h.span.start, h.span.end, h.record, h.kind)
    });
    let listed = hits.iter().take_while(|h| !h.variant).count();
    // Kept variant hits are moved up to `kept`, in order; each is compared with the listed
    // ones and with the last kept (equal hits are neighbours after the sort).
    let mut kept = listed;
    for i in listed..hits.len() {
        if hits[i].record == u32::MAX {
            break;
        }
        let h = &hits[i];
        let same = |o: &Hit| o.record == h.record && o.kind == h.kind && o.span == h.span;
        let duplicate = hits[..listed].iter().any(same) || (kept > listed && same(&hits[kept - 1]));
        if duplicate {
            hits[i].record = u32::MAX;
        } else {
            hits.swap(kept, i);
            kept += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::{seal, Key, ProtectedList, SealedList};

    const LIST: &str = "id,kind,value\n\
        V01,name,Jane Doe\nV01,email,Jane.Doe@example.org\nV01,phone,+44 20 7946 0018\n\
        V02,name,Ravi Patel\nV02,email,family@x.example\nV02,phone,(212) 555-0100\n\
        V03,name,Ravi\nV03,email,family@x.example\n\
        OP7,term,Operation Nightingale\nOP7,pattern,CRIS-\\d{7}\n";

    fn hits(m: &Matcher, src: &str) -> Vec<(u32, Kind, Range<usize>)> {
        let (mut norm, mut out) = (Normalized::new(), Vec::new());
        norm.fill(src);
        m.find(src, &mut norm, &mut out);
        let mut v: Vec<_> = out.into_iter().map(|h| (h.record, h.kind, h.span)).collect();
        v.sort_by_key(|(r, k, s)| (s.start, s.end, *r, *k));
        v
    }

    /// One constructor for every list: the plain list and the same list sealed, each behind
    /// the one interface, give the matcher the same hits in every kind.
    #[test]
    fn plain_and_sealed_lists_find_the_same_hits() {
        let list = ProtectedList::from_csv(LIST).unwrap();
        let key = Key::from_bytes(&[3u8; 32]).unwrap();
        let sealed = SealedList::open(&seal(&list, &key), &key).unwrap();
        let plain = Matcher::new(Box::new(list), false);
        let sealed = Matcher::new(Box::new(sealed), false);
        for src in [
            "Dear Jane Doe, DOE, Jane and ravi PATEL: see CRIS-1234567 (operation nightingale).",
            "Write to jane.doe@EXAMPLE.org or family@x.example; call 020 7946 0018 or +1 212 555 0100.",
            "Ravi alone; Steven Doenitz; xjane.doe@example.org.evil.example; 7946 0018; CRIS-123.",
            "",
        ] {
            let want = hits(&plain, src);
            assert_eq!(hits(&sealed, src), want, "{src:?}");
        }
        let all = hits(&plain, "Jane Doe jane.doe@example.org +44 20 7946 0018 CRIS-1234567 Ravi Patel");
        let kinds: Vec<Kind> = all.iter().map(|h| h.1).collect();
        for k in [Kind::Name, Kind::Email, Kind::Phone, Kind::Pattern] {
            assert!(kinds.contains(&k), "{k} not found: {all:?}");
        }
        for (m, format) in [(&plain, "plain"), (&sealed, "sealed")] {
            let ids: Vec<_> = (0..4).map(|r| m.list().record_id(r)).collect();
            assert_eq!(ids, [Some("V01"), Some("V02"), Some("V03"), Some("OP7")], "{format}");
            assert_eq!(m.list().record_id(4), None, "{format}");
            let mut owners = Vec::new();
            m.list().address_owners("family@x.example", &mut |r| owners.push(r));
            owners.sort_unstable();
            assert_eq!(owners, [1, 2], "{format}");
            assert!(m.list().is_listed_address("jane.doe@example.org"), "{format}");
            assert!(!m.list().is_listed_address("jane@example.org"), "{format}");
        }
    }

    /// Name variants, table by table: how a name is listed, how the text writes it, and whether
    /// and how it is found (`Some(false)` as listed, `Some(true)` through a variant), with the
    /// plain list and the same list sealed, and never with the policy off.
    #[test]
    fn name_variants_table() {
        struct T {
            listed: &'static str,
            text: &'static str,
            found: Option<bool>,
        }
        let t = |listed, text, found| T { listed, text, found };
        let tests = [
            t("William Smith", "Dear Bill Smith,", Some(true)),
            t("Bill Smith", "Dear William Smith,", Some(true)),
            t("William Smith", "SMITH, Billy", Some(true)),
            t("William Smith", "Liam Smith", Some(true)),
            t("Smith, William", "Will Smith", Some(true)),
            t("William Henry Smith", "Bill Henry Smith", Some(true)),
            t("William Henry Smith", "Smith Bill Henry", Some(true)),
            t("William Smith", "William Smith", Some(false)),
            t("William Smith", "william smith", Some(false)),
            t("Mohammed Khan", "Muhammad Khan", Some(true)),
            t("Mohammed Khan", "MOHAMED KHAN", Some(true)),
            t("Muhammad Khan", "محمد Khan", Some(true)),
            t("Aleksandr Petrov", "Alexander Petrov", Some(true)),
            t("Aleksandr Petrov", "Александр Petrov", Some(true)),
            t("Yusuf Ali", "Yousef Ali", Some(true)),
            t("Robert Brown", "Bob Brown", Some(true)),
            // Not found: the surname as written, the given name in no family with it, a
            // variant written in lower case, a name of one word, a two-letter nickname,
            // cognates, a variant inside a longer word.
            t("William Smith", "Bill Smyth", None),
            t("William Smith", "Bob Smith", None),
            t("William Smith", "they will smith the iron", None),
            t("William Smith", "Billy Smithson", None),
            t("William", "Bill", None),
            t("Alfred Jones", "Al Jones", None),
            t("Yusuf Ali", "Joseph Ali", None),
            t("Mohammed Khan", "Mohammedi Khan", None),
            t("Jane Doe", "Joan Doe", None),
        ];
        let key = Key::from_bytes(&[9u8; 32]).unwrap();
        for t in tests {
            let list = ProtectedList::from_csv(&format!("id,kind,value\nR,name,\"{}\"\n", t.listed)).unwrap();
            let sealed = SealedList::open(&seal(&list, &key), &key).unwrap();
            let plain_on = Matcher::new(Box::new(list.clone()), true);
            let plain_off = Matcher::new(Box::new(list), false);
            let sealed_on = Matcher::new(Box::new(sealed), true);
            for (m, label) in [(&plain_on, "plain"), (&sealed_on, "sealed")] {
                let (mut norm, mut out) = (Normalized::new(), Vec::new());
                norm.fill(t.text);
                m.find(t.text, &mut norm, &mut out);
                let got = match out.as_slice() {
                    [] => None,
                    [hit] => Some(hit.variant),
                    more => panic!("{} in {:?} ({label}): {more:?}", t.listed, t.text),
                };
                assert_eq!(got, t.found, "{} in {:?} ({label})", t.listed, t.text);
            }
            let off = !hits(&plain_off, t.text).is_empty();
            assert_eq!(off, t.found == Some(false), "{} in {:?} with variants off", t.listed, t.text);
        }
    }

    /// A place where a name is found as listed and through a variant is reported once, as
    /// listed; variant hits follow the listed ones; excerpts mask variants however written.
    #[test]
    fn listed_matches_come_before_variants_and_excerpts_mask_variants() {
        let list =
            ProtectedList::from_csv("id,kind,value\nR,name,William Smith\nS,name,Bill Smith\n").unwrap();
        let m = Matcher::new(Box::new(list), true);
        let (mut norm, mut out) = (Normalized::new(), Vec::new());
        let text = "Billy Smith met Bill Smith";
        norm.fill(text);
        m.find(text, &mut norm, &mut out);
        let got: Vec<(u32, bool, Range<usize>)> =
            out.iter().map(|h| (h.record, h.variant, h.span.clone())).collect();
        // Bill Smith: S as listed, R through a variant; Billy Smith: both through variants.
        assert_eq!(got, [(1, false, 16..26), (0, true, 0..11), (1, true, 0..11), (0, true, 16..26)]);
        let spans = m.conservative_spans("x bill smith, Smith Billy y");
        assert!(spans.contains(&(2..12)) && spans.contains(&(14..25)), "{spans:?}");
        let off = Matcher::new(
            Box::new(ProtectedList::from_csv("id,kind,value\nR,name,William Smith\n").unwrap()),
            false,
        );
        assert!(off.conservative_spans("x bill smith y").is_empty());
    }

    /// A list built up one identifier at a time answers for what it holds now, whether or not
    /// it was asked before.
    #[test]
    fn a_list_answers_for_what_was_added_after_a_look_up() {
        let mut list = ProtectedList::new();
        list.push("A", Kind::Email, "a@x.example").unwrap();
        assert!(list.is_listed_address("a@x.example"));
        assert!(!list.is_listed_address("b@x.example"));
        list.push("B", Kind::Email, "b@x.example").unwrap();
        assert!(list.is_listed_address("b@x.example"));
        let m = Matcher::new(Box::new(list), false);
        assert_eq!(hits(&m, "to b@x.example").len(), 1);
    }

    /// The matcher asks lists through `Lookup` and names no list format outside its tests.
    #[test]
    fn the_matcher_knows_no_list_format() {
        let files = [
            ("mod.rs", include_str!("mod.rs")),
            ("email.rs", include_str!("email.rs")),
            ("patterns.rs", include_str!("patterns.rs")),
            ("phone.rs", include_str!("phone.rs")),
            ("tokens.rs", include_str!("tokens.rs")),
        ];
        for (file, text) in files {
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
            for format in ["ProtectedList", "SealedList", "list::plain", "list::sealed"] {
                assert!(!code.contains(format), "matcher/{file} names {format}");
            }
        }
    }
}
