//! The reference matcher for names and terms: for every listed form, every position of the
//! normalised text, a plain comparison and the boundary test. Slow and obviously right; the
//! fast engine must always agree with it. Name variants are spelled out: every listed name
//! with its given name replaced by each spelling of each token it is folded to, without the
//! tokens the engines fold them to.

use std::ops::Range;

use super::at_word_boundary;
use crate::list::canonical::forms;
use crate::list::variants::{given_word, table};
use crate::list::ProtectedList;
use crate::model::Kind;

/// A match: span, record, kind, and for a match through a variant the span of the given name.
pub type Found = (Range<usize>, u32, Kind, Option<Range<usize>>);

/// Every match of `list` in `norm`, through name variants too when `variants` is set.
pub fn find(list: &ProtectedList, norm: &str, variants: bool) -> Vec<Found> {
    let text = norm.as_bytes();
    let mut out = Vec::new();
    let mut search = |p: &[u8], r: u32, kind: Kind, given: Option<Range<usize>>| {
        for s in 0..text.len().saturating_sub(p.len() - 1) {
            let span = s..s + p.len();
            if &text[span.clone()] == p && at_word_boundary(text, &span) {
                out.push((span, r, kind, given.as_ref().map(|g| s + g.start..s + g.end)));
            }
        }
    };
    for record in list.records() {
        let r = record.index() as u32;
        for ident in record.identifiers() {
            if !matches!(ident.kind(), Kind::Name | Kind::Term) {
                continue;
            }
            for form in forms(ident.kind(), ident.value()) {
                search(form.as_bytes(), r, ident.kind(), None);
            }
            if variants && ident.kind() == Kind::Name {
                let n = crate::text::normalize(ident.value());
                let words: Vec<&str> = n.split(' ').collect();
                let Some(given) = given_word(ident.value(), n.as_bytes()) else { continue };
                for &t in table().listed_tokens(words[given].as_bytes()) {
                    for spelling in &table().token(t).spellings {
                        let spelling = String::from_utf8_lossy(spelling);
                        let mut as_listed = words.clone();
                        as_listed[given] = &spelling;
                        let before: usize = words[..given].iter().map(|w| w.len() + 1).sum();
                        search(
                            as_listed.join(" ").as_bytes(),
                            r,
                            Kind::Name,
                            Some(before..before + spelling.len()),
                        );
                        // Surname first: the last word, then the others in order.
                        let last = words.len() - 1;
                        let mut turned = vec![as_listed[last]];
                        turned.extend(as_listed[..last].iter().copied());
                        let at = if given == last { 0 } else { words[last].len() + 1 + before };
                        search(turned.join(" ").as_bytes(), r, Kind::Name, Some(at..at + spelling.len()));
                    }
                }
            }
        }
    }
    out.sort_by_key(|(span, r, k, g)| (span.start, span.end, *r, *k, g.as_ref().map(|g| (g.start, g.end))));
    out.dedup();
    settle(out)
}

/// `found` (sorted) without the matches through a variant where the same record's form is
/// found as listed at the same span (its given name written as listed: the matcher reports
/// those once, as listed; an engine need not report them through a variant).
pub fn settle(mut found: Vec<Found>) -> Vec<Found> {
    let listed: Vec<(Range<usize>, u32, Kind)> =
        found.iter().filter(|f| f.3.is_none()).map(|f| (f.0.clone(), f.1, f.2)).collect();
    found.retain(|f| f.3.is_none() || !listed.contains(&(f.0.clone(), f.1, f.2)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Normalized;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "ann",
        "lee",
        "annlee",
        "eve",
        "moss",
        "steven",
        "jane",
        "doe",
        "op",
        "7",
        "nightingale",
        "o",
        "brien",
        // Arabic script in equivalent forms (harakat, tatweel, Persian kaf and yeh), and
        // scripts whose characters stand alone.
        "محمد",
        "مُحَمَّـد",
        "كريمي",
        "کریمی",
        "김민수",
        "씨가",
        "สมชาย",
        "山田",
        "ｶﾞ",
        "٤٢",
        "42",
    ];

    use super::super::{EngineChoice, WordEngine};

    fn run(list: &ProtectedList, src: &str, choice: EngineChoice, variants: bool) -> Vec<Found> {
        let engine = WordEngine::new(list, choice, variants);
        let mut norm = Normalized::new();
        norm.fill(src);
        let mut out = Vec::new();
        engine.find(norm.as_bytes(), &mut |span, r, k, g| out.push((span, r, k, g)));
        out.sort_by_key(|(span, r, k, g)| {
            (span.start, span.end, *r, *k, g.as_ref().map(|g| (g.start, g.end)))
        });
        out.dedup();
        settle(out)
    }

    /// The automaton; every caller also checks that the token engine agrees with it.
    fn fast(list: &ProtectedList, src: &str) -> Vec<Found> {
        fast_with(list, src, false)
    }

    fn fast_with(list: &ProtectedList, src: &str, variants: bool) -> Vec<Found> {
        let automaton = run(list, src, EngineChoice::Automaton, variants);
        let tokens = run(list, src, EngineChoice::Tokens, variants);
        assert_eq!(automaton, tokens, "the two engines disagree on {src:?}");
        automaton
    }

    fn phrase() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 1..4).prop_map(|w| w.join(" "))
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(&[" ", "  ", ", ", "\n", "-", "", "'", ".\r\n", "\u{200b}"][..])
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn fast_agrees_with_naive(
            names in proptest::collection::vec((0u8..4, any::<bool>(), phrase()), 1..8),
            text in proptest::collection::vec((proptest::sample::select(WORDS), separator(), any::<bool>()), 0..40),
        ) {
            let mut list = ProtectedList::new();
            for (id, is_term, value) in &names {
                let kind = if *is_term { Kind::Term } else { Kind::Name };
                list.push(&format!("R{id}"), kind, value).unwrap();
            }
            let src: String = text.iter().map(|(w, sep, upper)| {
                let w = if *upper { w.to_uppercase() } else { w.to_string() };
                format!("{w}{sep}")
            }).collect();
            let mut norm = Normalized::new();
            norm.fill(&src);
            prop_assert_eq!(fast(&list, &src), find(&list, norm.as_str(), false));
        }
    }

    /// Every listed form anywhere in the normalised text, inside longer words too, with the
    /// automaton's overlapping search and the token engine's (what excerpts are masked by).
    fn substrings(list: &ProtectedList, norm: &[u8], choice: EngineChoice) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        WordEngine::new(list, choice, false).find_substrings(norm, &mut |span| out.push(span));
        out.sort_by_key(|s| (s.start, s.end));
        out.dedup();
        out
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn substrings_agree_with_naive(
            names in proptest::collection::vec((0u8..4, any::<bool>(), phrase()), 1..8),
            text in proptest::collection::vec((proptest::sample::select(WORDS), separator()), 0..30),
        ) {
            let mut list = ProtectedList::new();
            for (id, is_term, value) in &names {
                let kind = if *is_term { Kind::Term } else { Kind::Name };
                list.push(&format!("R{id}"), kind, value).unwrap();
            }
            let src: String = text.iter().map(|(w, sep)| format!("{w}{sep}")).collect();
            let mut norm = Normalized::new();
            norm.fill(&src);
            let text = norm.as_bytes();
            // Naive: every form at every position.
            let mut want = Vec::new();
            for record in list.records() {
                for ident in record.identifiers() {
                    for form in forms(ident.kind(), ident.value()) {
                        let p = form.as_bytes();
                        for at in 0..text.len().saturating_sub(p.len() - 1) {
                            if &text[at..at + p.len()] == p {
                                want.push(at..at + p.len());
                            }
                        }
                    }
                }
            }
            want.sort_by_key(|s| (s.start, s.end));
            want.dedup();
            prop_assert_eq!(&substrings(&list, text, EngineChoice::Tokens), &want);
            prop_assert_eq!(&substrings(&list, text, EngineChoice::Automaton), &want);
        }
    }

    /// One listed phrase written with disguises a normaliser must see through.
    fn disguised(phrase: &str, marks: &[u8]) -> String {
        let mut out = String::new();
        for (i, c) in phrase.chars().enumerate() {
            let m = marks[i % marks.len()];
            match c {
                ' ' => out.push_str(["  ", "\n", " - ", "\u{a0}", "\u{3000}"][m as usize % 5]),
                c => {
                    out.push(if m & 1 == 1 { c.to_ascii_uppercase() } else { c });
                    out.push_str(
                        ["", "\u{200b}", "\u{301}", "\u{ad}", "\u{feff}", "\u{308}"][m as usize % 6],
                    );
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn fast_agrees_with_naive_on_disguised_text(
            names in proptest::collection::vec((0u8..4, phrase()), 1..6),
            pick in 0usize..6,
            marks in proptest::collection::vec(0u8..30, 1..12),
            filler in proptest::collection::vec(proptest::sample::select(WORDS), 0..12),
        ) {
            let mut list = ProtectedList::new();
            for (id, value) in &names {
                list.push(&format!("R{id}"), Kind::Name, value).unwrap();
            }
            let (target_id, target) = &names[pick % names.len()];
            let half = filler.len() / 2;
            let src = format!("{} {} {}", filler[..half].join(" "), disguised(target, &marks), filler[half..].join(" "));
            let mut norm = Normalized::new();
            norm.fill(&src);
            let fast_hits = fast(&list, &src);
            prop_assert_eq!(&fast_hits, &find(&list, norm.as_str(), false));
            let target_record = list.records().position(|r| r.id() == format!("R{target_id}")).unwrap() as u32;
            prop_assert!(fast_hits.iter().any(|(_, r, _, _)| *r == target_record), "{:?} not found in {:?}", target, src);
        }
    }

    /// Given names and surnames of the variant table (nicknames shared by two names, a
    /// transliteration family, a name in no family, a two-letter nickname), and words that are
    /// none.
    const NAMES: &[&str] = &[
        "william",
        "bill",
        "billy",
        "will",
        "robert",
        "bob",
        "liam",
        "mohammed",
        "muhammad",
        "mohamed",
        "aleksandr",
        "alexander",
        "alex",
        "smith",
        "khan",
        "doe",
        "al",
        "alfred",
        "the",
    ];

    proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// With name variants, both engines find what the spelled-out reference finds, with
        /// the same given-name spans; without, the variant words find nothing more.
        #[test]
        fn variants_agree_with_naive(
            names in proptest::collection::vec((0u8..4, proptest::collection::vec(proptest::sample::select(NAMES), 1..4), any::<bool>()), 1..6),
            text in proptest::collection::vec((proptest::sample::select(NAMES), separator()), 0..30),
        ) {
            let mut list = ProtectedList::new();
            for (id, words, comma) in &names {
                let value = if *comma && words.len() > 1 {
                    format!("{}, {}", words[words.len() - 1], words[..words.len() - 1].join(" "))
                } else {
                    words.join(" ")
                };
                list.push(&format!("R{id}"), Kind::Name, &value).unwrap();
            }
            let src: String = text.iter().map(|(w, sep)| format!("{w}{sep}")).collect();
            let mut norm = Normalized::new();
            norm.fill(&src);
            prop_assert_eq!(fast_with(&list, &src, true), find(&list, norm.as_str(), true));
            prop_assert_eq!(fast_with(&list, &src, false), find(&list, norm.as_str(), false));
        }

        /// A listed name is found through every spelling of its given name's families, in both
        /// orders and whatever the case, and a spelling one letter off is not found.
        #[test]
        fn every_spelling_is_found_and_one_letter_off_is_not(
            family in 0usize..2000,
            member in 0usize..40,
            turned in any::<bool>(),
            upper in any::<bool>(),
            typo in 0usize..8,
        ) {
            let table = table();
            let f = &table.written[family % table.written.len()];
            let listed = f[0].clone();
            let written = f[member % f.len()].clone();
            let mut list = ProtectedList::new();
            list.push("R", Kind::Name, &format!("{listed} Quinlan")).unwrap();
            let name = if turned { format!("QUINLAN, {written}") } else { format!("{written} Quinlan") };
            // (Capitals of the table's own spellings in ASCII only: normalisation does not fold
            // every Cyrillic capital to its small letter; the table holds the capitalised and
            // upper-case spellings it lists, which the table tests try.)
            let name = if upper && name.is_ascii() { name.to_uppercase() } else { name };
            let hits = fast_with(&list, &format!("to {name} today"), true);
            prop_assert!(!hits.is_empty(), "{listed} not found as {name}");
            // One letter changed (to a letter no spelling of the family has there).
            let mut chars: Vec<char> = written.chars().collect();
            let at = typo % chars.len();
            chars[at] = if chars[at] == 'q' { 'x' } else { 'q' };
            let changed: String = chars.into_iter().collect();
            let spellings: Vec<String> = table
                .listed_tokens(crate::text::normalize(&listed).as_bytes())
                .iter()
                .flat_map(|&t| table.token(t).spellings.iter().map(|m| String::from_utf8_lossy(m).into_owned()))
                .collect();
            if !spellings.contains(&crate::text::normalize(&changed)) {
                let hits = fast_with(&list, &format!("to {changed} Quinlan today"), true);
                prop_assert!(hits.is_empty(), "{listed} found as {changed}: {hits:?}");
                let norm = crate::text::normalize(&format!("to {changed} Quinlan today"));
                prop_assert!(find(&list, &norm, true).is_empty());
            }
        }
    }

    #[test]
    fn boundaries_table() {
        struct T {
            name: &'static str,
            listed: &'static str,
            text: &'static str,
            found: bool,
        }
        let tests = [
            T { name: "plain", listed: "Eve Moss", text: "I met Eve Moss today", found: true },
            T { name: "inside longer words", listed: "Eve Moss", text: "Steven Mossop", found: false },
            T { name: "glued", listed: "Ann Lee", text: "Annlee", found: false },
            T { name: "longer surname", listed: "Ann Lee", text: "Ann Leeds", found: false },
            T { name: "surname first with comma", listed: "Jane Doe", text: "DOE, Jane", found: true },
            T { name: "surname first upper", listed: "Jane Doe", text: "DOE Jane", found: true },
            T { name: "single word at edges", listed: "Eve", text: "Eve", found: true },
            T { name: "single word inside", listed: "Eve", text: "Steven", found: false },
            T { name: "punctuation between words", listed: "Jane Doe", text: "Jane -- Doe", found: true },
        ];
        for t in tests {
            let mut list = ProtectedList::new();
            list.push("R", Kind::Name, t.listed).unwrap();
            let mut norm = Normalized::new();
            norm.fill(t.text);
            assert_eq!(!find(&list, norm.as_str(), false).is_empty(), t.found, "{} (naive)", t.name);
            assert_eq!(!fast(&list, t.text).is_empty(), t.found, "{} (fast)", t.name);
        }
    }
}
