//! OCR makes one-letter mistakes (`Rosalind` read `Rosa1ind`, `Rosalnd`, `Rosallind`). Text that
//! came from OCR, and only that, has each word within one letter (one wrong, missing or extra
//! letter) of a listed name word of six letters or more put back to that listed word before it
//! is matched; the match that follows is an ordinary one, reported `"ocr": true`.
//!
//! Candidates are found with a deletion index (each listed word under itself and every form with
//! one letter deleted): a word one edit away from a listed one shares a key with it, so a word
//! of the text costs one look-up per letter, then an exact check of the few candidates.

use std::collections::HashMap;

use crate::list::Lookup;
use crate::model::Kind;
use crate::text::normalize::with_spare;

/// Listed name words are corrected towards only when they have at least this many letters.
pub(crate) const MIN_LETTERS: usize = 6;

/// The listed name words of six letters or more, indexed for one-edit look-ups.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// The words, normalised.
    words: Vec<String>,
    /// Each word and each of its one-deletion forms, to the words it comes from.
    keys: HashMap<String, Vec<u32>>,
}

/// `word` with the letter at `i` (a char index) left out.
fn without(word: &[char], i: usize) -> String {
    word.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect()
}

/// Whether `a` and `b` are at most one edit apart (substitution, insertion or deletion).
fn within_one(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() <= 1,
        1 => {
            let first = short.iter().zip(long).position(|(x, y)| x != y).unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

impl Vocabulary {
    /// The name words `list` holds in clear (none of a sealed list's).
    pub(crate) fn new(list: &dyn Lookup) -> Vocabulary {
        let mut v = Vocabulary::default();
        let mut seen: HashMap<String, u32> = HashMap::new();
        list.each_word_form(&mut |form, _, kind| {
            if kind != Kind::Name {
                return;
            }
            let form = String::from_utf8_lossy(form);
            for word in form.split(|c: char| !c.is_alphanumeric()) {
                let letters: Vec<char> = word.chars().collect();
                if letters.len() < MIN_LETTERS || seen.contains_key(word) {
                    continue;
                }
                let id = v.words.len() as u32;
                seen.insert(word.to_string(), id);
                v.words.push(word.to_string());
                v.keys.entry(word.to_string()).or_default().push(id);
                for i in 0..letters.len() {
                    let key = v.keys.entry(without(&letters, i)).or_default();
                    if !key.contains(&id) {
                        key.push(id);
                    }
                }
            }
        });
        v
    }

    /// The listed word `word` (normalised) is one edit from, if exactly one is and `word` is not
    /// itself listed.
    fn nearest(&self, word: &str) -> Option<&str> {
        if self.keys.get(word).is_some_and(|ids| ids.iter().any(|&i| self.words[i as usize] == word)) {
            return None;
        }
        let letters: Vec<char> = word.chars().collect();
        if letters.len() + 1 < MIN_LETTERS {
            return None;
        }
        let mut found: Option<u32> = None;
        let mut consider = |ids: Option<&Vec<u32>>| -> bool {
            for &id in ids.into_iter().flatten() {
                let listed: Vec<char> = self.words[id as usize].chars().collect();
                if within_one(&letters, &listed) {
                    match found {
                        None => found = Some(id),
                        Some(f) if f == id => {}
                        // Two listed words equally near: neither is assumed.
                        Some(_) => return false,
                    }
                }
            }
            true
        };
        if !consider(self.keys.get(word)) {
            return None;
        }
        for i in 0..letters.len() {
            if !consider(self.keys.get(&without(&letters, i))) {
                return None;
            }
        }
        found.map(|id| self.words[id as usize].as_str())
    }

    /// `text` with every word one edit from a listed name word replaced by that word, or `None`
    /// when no word is.
    pub(crate) fn correct(&self, text: &str) -> Option<String> {
        if self.words.is_empty() {
            return None;
        }
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push(s..i);
                    start = None;
                }
                _ => {}
            }
        }
        for span in words {
            let word = &text[span.clone()];
            let n = word.chars().count();
            if n + 1 < MIN_LETTERS || n > 64 {
                continue;
            }
            let normal = with_spare(|norm| {
                norm.fill(word);
                norm.as_str().trim().to_string()
            });
            if let Some(listed) = self.nearest(&normal) {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
                o.push_str(&text[copied..span.start]);
                o.push_str(listed);
                copied = span.end;
            }
        }
        let mut o = out?;
        o.push_str(&text[copied..]);
        Some(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(csv: &str) -> Vocabulary {
        let list = crate::list::ProtectedList::from_csv(csv).unwrap();
        Vocabulary::new(&list)
    }

    #[test]
    fn one_edit_apart() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one(&c("rosalind"), &c("rosa1ind")));
        assert!(within_one(&c("rosalind"), &c("rosalnd")));
        assert!(within_one(&c("rosalind"), &c("rosallind")));
        assert!(!within_one(&c("rosalind"), &c("rosa1nd")));
        assert!(!within_one(&c("rosalind"), &c("rosalindaa")));
    }

    #[test]
    fn a_word_one_letter_off_a_long_listed_word_is_put_back() {
        let v = vocabulary(
            "id,kind,value\nV01,name,Rosalind Featherstone\nV02,name,Jo Bloggs\nV03,name,Ann Smith\n",
        );
        assert_eq!(
            v.correct("Mrs Rosa1ind Featherstcne, 12 May").as_deref(),
            Some("Mrs rosalind featherstone, 12 May")
        );
        assert_eq!(v.correct("Rosalnd Featherstone").as_deref(), Some("rosalind Featherstone"));
        assert_eq!(v.correct("Rosallind").as_deref(), Some("rosalind"));
        // Exact, too far, or too short to correct: unchanged.
        assert_eq!(v.correct("Rosalind Featherstone"), None);
        assert_eq!(v.correct("Rosa1nd"), None);
        assert_eq!(v.correct("Blogs").as_deref(), Some("bloggs"), "a missing letter of a six-letter word");
        assert_eq!(v.correct("Smyth"), None, "Smith has fewer than six letters");
    }

    #[test]
    fn two_listed_words_equally_near_are_left_alone() {
        let v = vocabulary("id,kind,value\nV01,name,Marlowe Smith\nV02,name,Marlows Jones\n");
        assert_eq!(v.correct("Marlowx"), None);
        assert_eq!(v.correct("Marlowee").as_deref(), Some("marlowe"));
    }

    #[test]
    fn terms_and_sealed_lists_give_no_words() {
        let v = vocabulary("id,kind,value\nV01,term,Operation Nightingale\n");
        assert!(v.words.is_empty());
    }
}
