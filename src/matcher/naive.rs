//! The reference matcher for names and terms: for every listed form, every position of the
//! normalised text, a plain comparison and the boundary test. Slow and obviously right; the
//! fast engine must always agree with it.

use std::ops::Range;

use super::at_word_boundary;
use crate::list::canonical::forms;
use crate::list::ProtectedList;
use crate::model::Kind;

pub fn find(list: &ProtectedList, norm: &str) -> Vec<(Range<usize>, u32, Kind)> {
    let text = norm.as_bytes();
    let mut out = Vec::new();
    for record in list.records() {
        let r = record.index();
        for ident in record.identifiers() {
            if !matches!(ident.kind(), Kind::Name | Kind::Term) {
                continue;
            }
            for form in forms(ident.kind(), ident.value()) {
                let p = form.as_bytes();
                for s in 0..text.len().saturating_sub(p.len() - 1) {
                    let span = s..s + p.len();
                    if &text[span.clone()] == p && at_word_boundary(text, &span) {
                        out.push((span, r as u32, ident.kind()));
                    }
                }
            }
        }
    }
    out.sort_by_key(|(span, r, k)| (span.start, span.end, *r, *k));
    out.dedup();
    out
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

    fn run(list: &ProtectedList, src: &str, choice: EngineChoice) -> Vec<(Range<usize>, u32, Kind)> {
        let engine = WordEngine::new(list, choice);
        let mut norm = Normalized::new();
        norm.fill(src);
        let mut out = Vec::new();
        engine.find(norm.as_bytes(), &mut |span, r, k| out.push((span, r, k)));
        out.sort_by_key(|(span, r, k)| (span.start, span.end, *r, *k));
        out.dedup();
        out
    }

    /// The automaton; every caller also checks that the token engine agrees with it.
    fn fast(list: &ProtectedList, src: &str) -> Vec<(Range<usize>, u32, Kind)> {
        let automaton = run(list, src, EngineChoice::Automaton);
        let tokens = run(list, src, EngineChoice::Tokens);
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
            prop_assert_eq!(fast(&list, &src), find(&list, norm.as_str()));
        }
    }

    /// Every listed form anywhere in the normalised text, inside longer words too, with the
    /// automaton's overlapping search and the token engine's (what excerpts are masked by).
    fn substrings(list: &ProtectedList, norm: &[u8], choice: EngineChoice) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        WordEngine::new(list, choice).find_substrings(norm, &mut |span| out.push(span));
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
            prop_assert_eq!(&fast_hits, &find(&list, norm.as_str()));
            let target_record = list.records().position(|r| r.id() == format!("R{target_id}")).unwrap() as u32;
            prop_assert!(fast_hits.iter().any(|(_, r, _)| *r == target_record), "{:?} not found in {:?}", target, src);
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
            assert_eq!(!find(&list, norm.as_str()).is_empty(), t.found, "{} (naive)", t.name);
            assert_eq!(!fast(&list, t.text).is_empty(), t.found, "{} (fast)", t.name);
        }
    }
}
