//! Name variants: the nicknames and transliterations of given names that policy
//! `name_variants` lets a listed name be found under (docs/matching.md, "Name variants").
//!
//! The table is shipped with maildlp (`data/names/`): English nicknames from
//! carltonnorthern/nicknames (Apache-2.0) and maildlp's own transliteration families. It is
//! read into **families**: a nickname family is a canonical name and its nicknames
//! (`william`: `bill`, `billy`, `will`, `liam`...), a transliteration family every spelling of
//! one name (`muhammad`: `mohammed`, `mohamed`, `محمد`...). Two spellings are variants of each
//! other when some family holds both, so a nickname shared by two names (`bill`: William and
//! Robert) belongs to both families.
//!
//! Matching folds rather than expands: a listed name's given name is replaced by a **family
//! token** (`\x01` and the family's id, bytes no normalised text holds) in extra listed forms,
//! and a word of text that belongs to a family is tried as that family's token as well. So a
//! listed name costs one extra form a family (not one a spelling), and a sealed list holds the
//! keyed tags of these forms: no spelling of any name, listed or variant, is in its file.
//!
//! Spellings shorter than [`MIN_LETTERS`] letters (`al`, `ed`, `jo`) and spellings of more than
//! one word (`k c`) are left out of every family: they stand for too many words of text.

use std::sync::OnceLock;

use crate::text::Normalized;

/// The first byte of a family token. Normalisation turns every control character into a
/// space, so no word of normalised text starts with it.
pub(crate) const TOKEN_MARK: u8 = 0x01;

/// Fewest letters a spelling has to have to be in a family.
pub(crate) const MIN_LETTERS: usize = 3;

/// The English nicknames (carltonnorthern/nicknames `names.csv`, Apache-2.0).
const NICKNAMES: &str = include_str!("../../data/names/nicknames.csv");
/// Nicknames maildlp adds, in the same format.
const NICKNAMES_ADDED: &str = include_str!("../../data/names/nicknames-added.csv");
/// Transliteration families (`family,spelling`).
const TRANSLITERATIONS: &str = include_str!("../../data/names/transliterations.csv");

/// One family: its token and its spellings, normalised.
#[derive(Debug)]
pub(crate) struct Family {
    /// [`TOKEN_MARK`], `n` (nicknames) or `t` (transliterations), and the family's id.
    pub(crate) token: Box<[u8]>,
    /// Every spelling, normalised, in table order without repeats.
    pub(crate) members: Vec<Box<[u8]>>,
    /// The spellings as the files write them (for tests that write them in text).
    #[cfg(test)]
    pub(crate) written: Vec<String>,
}

/// The families, and the families of each spelling.
#[derive(Debug)]
pub(crate) struct Table {
    families: Vec<Family>,
    by_spelling: hashbrown::HashMap<Box<[u8]>, Vec<u32>>,
    by_token: hashbrown::HashMap<Box<[u8]>, u32>,
}

impl Table {
    /// The families `word` (one normalised word) belongs to: none for most words.
    #[inline]
    pub(crate) fn families_of(&self, word: &[u8]) -> &[u32] {
        if word.len() < MIN_LETTERS {
            return &[];
        }
        self.by_spelling.get(word).map_or(&[], Vec::as_slice)
    }

    /// Family `i`.
    pub(crate) fn family(&self, i: u32) -> &Family {
        &self.families[i as usize]
    }

    /// The family whose token is `token`.
    pub(crate) fn by_token(&self, token: &[u8]) -> Option<&Family> {
        self.by_token.get(token).map(|&i| &self.families[i as usize])
    }

    /// The number of families.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.families.len()
    }

    fn read() -> Table {
        // (kind letter, family id, spelling) rows from the three files.
        let mut rows: Vec<(u8, &str, &str)> = Vec::new();
        for text in [NICKNAMES, NICKNAMES_ADDED] {
            for line in data_lines(text).skip(1) {
                let mut cols = line.split(',');
                if let (Some(name), Some("has_nickname"), Some(nick)) =
                    (cols.next(), cols.next(), cols.next())
                {
                    rows.push((b'n', name, name));
                    rows.push((b'n', name, nick));
                }
            }
        }
        for line in data_lines(TRANSLITERATIONS).skip(1) {
            if let Some((family, spelling)) = line.split_once(',') {
                rows.push((b't', family, spelling));
            }
        }
        let mut families: Vec<Family> = Vec::new();
        let mut by_token: hashbrown::HashMap<Box<[u8]>, u32> = hashbrown::HashMap::new();
        let mut norm = Normalized::new();
        for (letter, id, spelling) in rows {
            let mut token = vec![TOKEN_MARK, letter];
            token.extend_from_slice(id.trim().as_bytes());
            let f = *by_token.entry(token.clone().into_boxed_slice()).or_insert_with(|| {
                families.push(Family {
                    token: token.into_boxed_slice(),
                    members: Vec::new(),
                    #[cfg(test)]
                    written: Vec::new(),
                });
                families.len() as u32 - 1
            });
            // Normalisation folds some scripts' capitals to other letters than their small
            // letters (Cyrillic look-alikes): the spelling as listed in the file, capitalised
            // and in capitals, so that a name is found however its case is written.
            let spelling = spelling.trim();
            #[cfg(test)]
            if spelling.chars().count() >= MIN_LETTERS && !spelling.contains(['.', ' ']) {
                families[f as usize].written.push(spelling.to_string());
            }
            let mut capitalised: String = spelling.chars().take(1).flat_map(char::to_uppercase).collect();
            capitalised.extend(spelling.chars().skip(1));
            for written in [spelling, &capitalised, &spelling.to_uppercase()] {
                norm.fill(written);
                let word = norm.as_bytes();
                if word.contains(&b' ') || norm.as_str().chars().count() < MIN_LETTERS {
                    continue;
                }
                let members = &mut families[f as usize].members;
                if !members.iter().any(|m| **m == *word) {
                    members.push(word.into());
                }
            }
        }
        let mut by_spelling: hashbrown::HashMap<Box<[u8]>, Vec<u32>> = hashbrown::HashMap::new();
        for (i, family) in families.iter().enumerate() {
            // A family of one spelling varies nothing.
            if family.members.len() < 2 {
                continue;
            }
            for m in &family.members {
                by_spelling.entry(m.clone()).or_default().push(i as u32);
            }
        }
        Table { families, by_spelling, by_token }
    }
}

/// The lines of a data file that hold data: not blank, not a `#` comment, without `\r`.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// The table, read from the files compiled in on first use.
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(Table::read)
}

/// The word of a listed name's normalised form `n` that is its given name: the first word,
/// or, when the name is written surname first with a comma (`Doe, Jane`), the first word after
/// the comma. `None` for a name of one word: it has no surname to hold it in place, and its
/// variants alone would stand for too many words of text.
pub(crate) fn given_word(value: &str, n: &[u8]) -> Option<usize> {
    let words = n.split(|&b| b == b' ').count();
    if words < 2 {
        return None;
    }
    let before = match value.split_once(',') {
        Some((before, _)) => crate::text::normalize(before),
        None => return Some(0),
    };
    let at = if before.is_empty() { 0 } else { before.split(' ').count() };
    Some(if at < words { at } else { 0 })
}

/// Calls `f` with every variant form of the listed name `value`: its listed forms (see
/// `canonical::each_form`) with the given name replaced by the token of each family it
/// belongs to. None when the given name is in no family.
pub(crate) fn each_variant_form(
    value: &str,
    norm: &mut Normalized,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]),
) {
    norm.fill(value);
    let n = norm.as_bytes();
    let Some(given) = given_word(value, n) else { return };
    let table = table();
    let words: Vec<&[u8]> = n.split(|&b| b == b' ').collect();
    let families = table.families_of(words[given]);
    let last = words.len() - 1;
    for &family in families {
        let token = &table.family(family).token;
        let word = |i: usize| if i == given { &token[..] } else { words[i] };
        // As listed, then surname first (the last word, then the others).
        for order in [0, 1] {
            buf.clear();
            let sequence: Box<dyn Iterator<Item = usize>> =
                if order == 0 { Box::new(0..=last) } else { Box::new(std::iter::once(last).chain(0..last)) };
            for (k, i) in sequence.enumerate() {
                if k > 0 {
                    buf.push(b' ');
                }
                buf.extend_from_slice(word(i));
            }
            f(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spellings(word: &str) -> Vec<String> {
        let t = table();
        let mut out: Vec<String> = t
            .families_of(word.as_bytes())
            .iter()
            .flat_map(|&f| t.family(f).members.iter().map(|m| String::from_utf8_lossy(m).into_owned()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The table holds both sources, both directions, and leaves out short spellings.
    #[test]
    fn the_table_reads_both_sources() {
        let t = table();
        assert!(t.len() > 1000, "{} families", t.len());
        for (a, b) in [
            ("william", "bill"),
            ("bill", "william"),
            ("william", "liam"),
            ("robert", "bob"),
            ("mohammed", "muhammad"),
            ("mohamed", "محمد"),
            ("aleksandr", "alexander"),
            ("yousef", "yusuf"),
        ] {
            let normal = crate::text::normalize(b);
            assert!(spellings(a).contains(&normal), "{a} -> {b}: {:?}", spellings(a));
        }
        assert!(spellings("al").is_empty(), "two letters are too few");
        assert!(!spellings("alfred").contains(&"al".to_string()));
        assert!(spellings("jane doe").is_empty());
        assert!(!spellings("yusuf").contains(&"joseph".to_string()), "cognates are other names");
    }

    #[test]
    fn the_given_name_is_first_or_after_the_comma() {
        let g = |v: &str| given_word(v, crate::text::normalize(v).as_bytes());
        assert_eq!(g("William Smith"), Some(0));
        assert_eq!(g("Smith, William"), Some(1));
        assert_eq!(g("Smith , William Henry"), Some(1));
        assert_eq!(g("William"), None);
        assert_eq!(g(", William Smith"), Some(0));
    }

    #[test]
    fn variant_forms_fold_the_given_name_in_both_orders() {
        let forms = |v: &str| {
            let (mut norm, mut buf, mut out) = (Normalized::new(), Vec::new(), Vec::new());
            each_variant_form(v, &mut norm, &mut buf, &mut |f| {
                out.push(String::from_utf8_lossy(f).into_owned())
            });
            out
        };
        let william = forms("William Henry Smith");
        assert!(william.len() >= 2 && william.len() % 2 == 0, "{william:?}");
        for pair in william.chunks(2) {
            let token = pair[0].strip_suffix(" henry smith").unwrap();
            assert!(token.starts_with('\u{1}'), "{pair:?}");
            assert_eq!(pair[1], format!("smith {token} henry"));
        }
        assert!(william.contains(&"\u{1}nwilliam henry smith".to_string()));
        // Listed surname first with a comma: the word after the comma is the given name; a
        // nickname of two names (William, Robert) is folded to each.
        let bill = forms("Smith, Bill");
        for family in ["\u{1}nwilliam", "\u{1}nrobert"] {
            let pair = [format!("smith {family}"), format!("{family} smith")];
            assert!(bill.windows(2).any(|w| w == pair), "{family}: {bill:?}");
        }
        assert!(forms("Qxzw Smith").is_empty());
        assert!(forms("William").is_empty());
    }
}
