//! Pattern identifiers: regular expressions for identifiers that have a shape rather than a
//! fixed value (`CRIS-\d{7}`), all of a list in one `RegexSet` pass over the decoded text as
//! written (not folded, so the hyphen stays), whole words only.

use std::ops::Range;

use regex::{Regex, RegexSet, RegexSetBuilder};

use crate::list::canonical;

/// Most compiled size of the set of a list's patterns (the `regex` crate's size limit; each
/// pattern on its own is held to [`canonical::pattern`]'s).
const SET_SIZE_LIMIT: usize = 64 << 20;

/// The patterns of a list, and their records.
#[derive(Debug)]
pub struct Patterns {
    set: RegexSet,
    each: Vec<Regex>,
    owners: Vec<u32>,
}

impl Patterns {
    /// The patterns `(record, pattern)`; `None` when there are none.
    pub(crate) fn new(patterns: &[(u32, String)]) -> Result<Option<Patterns>, String> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let each = patterns.iter().map(|(_, p)| canonical::pattern(p)).collect::<Result<Vec<_>, _>>()?;
        let set = RegexSetBuilder::new(patterns.iter().map(|(_, p)| p))
            .size_limit(SET_SIZE_LIMIT)
            .dfa_size_limit(SET_SIZE_LIMIT)
            .build()
            .map_err(|e| format!("the patterns together are too large ({e})"))?;
        Ok(Some(Patterns { set, each, owners: patterns.iter().map(|(r, _)| *r).collect() }))
    }

    /// Calls `found(span, record)` for every listed pattern standing as a whole word in `text`
    /// (not preceded or followed by a letter or digit).
    pub fn find(&self, text: &str, found: &mut dyn FnMut(Range<usize>, u32)) {
        let matched = self.set.matches(text);
        if !matched.matched_any() {
            return;
        }
        for i in matched.iter() {
            for m in self.each[i].find_iter(text) {
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                if m.is_empty()
                    || before.is_some_and(char::is_alphanumeric)
                    || after.is_some_and(char::is_alphanumeric)
                {
                    continue;
                }
                found(m.range(), self.owners[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_as_written() {
        let p = Patterns::new(&[(3, r"CRIS-\d{7}".to_string())]).unwrap().unwrap();
        let mut got = Vec::new();
        p.find("ref CRIS-4471123, not XCRIS-4471123 nor CRIS-44711234 nor CRIS 4471123.", &mut |s, r| {
            got.push((s, r))
        });
        assert_eq!(got, [(4..16, 3)]);
        assert!(Patterns::new(&[]).unwrap().is_none());
    }
}
