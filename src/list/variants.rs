//! Name variants: the nicknames and transliterations of given names that policy
//! `name_variants` lets a listed name be found under (docs/matching.md, "Name variants").
//!
//! The table is shipped with maildlp (`data/names/`): English nicknames from
//! carltonnorthern/nicknames (Apache-2.0) and maildlp's own transliteration families.
//!
//! - **Nicknames** are pairs: a name and a nickname of it (`william`: `bill`). Two spellings
//!   are variants when the table pairs them, in either direction: William finds Bill and Bill
//!   finds William, but two nicknames of one name are not variants of each other for that
//!   (Nathan and John are both nicknames of Jonathan, and other names).
//! - **Transliterations** are families: every spelling of one name (`muhammad`: `mohammed`,
//!   `mohamed`, `محمد`...), each a variant of every other.
//!
//! The table gives **tokens** (`\x01`, a letter, and an id: bytes no normalised text holds):
//! for a name of the nickname table, one its name and its nicknames stand for (`n`) and one
//! only the name itself stands for (`k`); for a transliteration family, one every spelling
//! stands for (`t`). A listed given name folds to the tokens it matches through
//! ([`Table::listed_tokens`]: a name's `n`, the `k` of each name it is a nickname of, its
//! family's `t`), a word of text stands for its tokens ([`Table::text_tokens`]), and the two
//! are variants when they share a token. Two ways use it:
//!
//! - A **plain list** keeps its forms as listed: a word of text is tried as each listed given
//!   name it is a variant of ([`Table::alternatives`]), where a form has its given name (the
//!   token engine); so a list with variants is no larger than without.
//! - A **sealed list** folds at seal time, when its names are in clear: a listed name gets one
//!   extra form a token (not one a spelling) with the given name replaced by the token
//!   ([`each_variant_form`]), held as keyed tags, and a word of text is tried as each token it
//!   stands for: no spelling of any name, listed or variant, is in its file. The automaton
//!   engine and the reference matcher spell the same forms out.
//!
//! Spellings shorter than [`MIN_LETTERS`] letters (`al`, `ed`, `jo`) and spellings of more than
//! one word (`k c`) are left out: they stand for too many words of text.

use std::sync::OnceLock;

use crate::text::Normalized;

/// The first byte of a token. Normalisation turns every control character into a space, so no
/// word of normalised text starts with it.
pub(crate) const TOKEN_MARK: u8 = 0x01;

/// Fewest letters a spelling has to have to be in the table.
pub(crate) const MIN_LETTERS: usize = 3;

/// The English nicknames (carltonnorthern/nicknames `names.csv`, Apache-2.0).
const NICKNAMES: &str = include_str!("../../data/names/nicknames.csv");
/// Nicknames maildlp adds, in the same format.
const NICKNAMES_ADDED: &str = include_str!("../../data/names/nicknames-added.csv");
/// Rows of the nicknames that maildlp leaves out, in the same format.
const NICKNAMES_REMOVED: &str = include_str!("../../data/names/nicknames-removed.csv");
/// Transliteration families (`family,spelling`).
const TRANSLITERATIONS: &str = include_str!("../../data/names/transliterations.csv");

/// One token and the spellings that stand for it, normalised.
#[derive(Debug)]
pub(crate) struct Token {
    /// [`TOKEN_MARK`], `n`, `k` or `t` (see the module docs), and the id.
    pub(crate) bytes: Box<[u8]>,
    /// The words of text that stand for it, in table order without repeats.
    pub(crate) spellings: Vec<Box<[u8]>>,
}

/// A word of text and the listed given names it is a variant of (see [`Table::alternatives`]).
pub(crate) type Alternatives = (Box<[u8]>, Vec<Box<[u8]>>);

/// The tokens, and the tokens of each spelling.
#[derive(Debug)]
pub(crate) struct Table {
    tokens: Vec<Token>,
    by_bytes: hashbrown::HashMap<Box<[u8]>, u32>,
    text: hashbrown::HashMap<Box<[u8]>, Vec<u32>>,
    listed: hashbrown::HashMap<Box<[u8]>, Vec<u32>>,
    /// Each word of text that stands for a token, with the listed given names folded to one
    /// of its tokens (itself left out), sorted: what a plain list's word engine tries the word
    /// as ([`Table::alternatives`]).
    alternatives: Vec<Alternatives>,
    /// Each name of the nickname table and each transliteration family as the files write
    /// them: the name (or the family's first spelling) first, then its variants.
    #[cfg(test)]
    pub(crate) written: Vec<Vec<String>>,
}

impl Table {
    /// The tokens the word `word` of normalised text stands for: none for most words.
    #[inline]
    pub(crate) fn text_tokens(&self, word: &[u8]) -> &[u32] {
        if word.len() < MIN_LETTERS {
            return &[];
        }
        self.text.get(word).map_or(&[], Vec::as_slice)
    }

    /// The tokens a listed given name `word` (normalised) is folded to.
    pub(crate) fn listed_tokens(&self, word: &[u8]) -> &[u32] {
        self.listed.get(word).map_or(&[], Vec::as_slice)
    }

    /// Each word of text that stands for a token, and the listed given names that are variants
    /// of it: the spellings `listed` whose tokens ([`Table::listed_tokens`]) share one with the
    /// word's ([`Table::text_tokens`]), the word itself left out. A listed name is found through
    /// a variant exactly when the text writes one of these words where the name writes its
    /// given name, so that a word engine can keep the listed forms as they are and try the
    /// words of text as the given names they may stand for.
    pub(crate) fn alternatives(&self) -> &[Alternatives] {
        &self.alternatives
    }

    /// Token `i`.
    pub(crate) fn token(&self, i: u32) -> &Token {
        &self.tokens[i as usize]
    }

    /// The token whose bytes are `bytes`.
    pub(crate) fn by_bytes(&self, bytes: &[u8]) -> Option<&Token> {
        self.by_bytes.get(bytes).map(|&i| &self.tokens[i as usize])
    }

    fn read() -> Table {
        let mut t = Table {
            tokens: Vec::new(),
            by_bytes: hashbrown::HashMap::new(),
            text: hashbrown::HashMap::new(),
            listed: hashbrown::HashMap::new(),
            alternatives: Vec::new(),
            #[cfg(test)]
            written: Vec::new(),
        };
        let mut norm = Normalized::new();
        #[cfg(test)]
        let mut written: Vec<(String, Vec<String>)> = Vec::new();
        #[cfg(test)]
        let mut note = |group: String, spelling: &str| {
            let spelling = spelling.trim();
            if spelling.chars().count() < MIN_LETTERS || spelling.contains(['.', ' ']) {
                return;
            }
            match written.iter_mut().find(|w| w.0 == group) {
                Some(w) if !w.1.iter().any(|s| s == spelling) => w.1.push(spelling.to_string()),
                Some(_) => {}
                None => written.push((group, vec![spelling.to_string()])),
            }
        };
        let removed: Vec<&str> = data_lines(NICKNAMES_REMOVED).skip(1).collect();
        for text in [NICKNAMES, NICKNAMES_ADDED] {
            for line in data_lines(text).skip(1).filter(|l| !removed.contains(l)) {
                let mut cols = line.split(',');
                let (Some(name), Some("has_nickname"), Some(nick)) = (cols.next(), cols.next(), cols.next())
                else {
                    continue;
                };
                let (n, k) = (t.make_token(b'n', name), t.make_token(b'k', name));
                for spelling in spellings(&mut norm, name) {
                    t.stands_for(n, &spelling);
                    t.stands_for(k, &spelling);
                    t.folds_to(&spelling, n);
                }
                for spelling in spellings(&mut norm, nick) {
                    t.stands_for(n, &spelling);
                    t.folds_to(&spelling, k);
                }
                #[cfg(test)]
                {
                    note(format!("n{name}"), name);
                    note(format!("n{name}"), nick);
                }
            }
        }
        for line in data_lines(TRANSLITERATIONS).skip(1) {
            let Some((family, spelling)) = line.split_once(',') else { continue };
            let f = t.make_token(b't', family);
            for spelling in spellings(&mut norm, spelling) {
                t.stands_for(f, &spelling);
                t.folds_to(&spelling, f);
            }
            #[cfg(test)]
            note(format!("t{family}"), spelling);
        }
        // A token that only the listed name itself stands for adds nothing.
        let all = &t.tokens;
        for (spelling, tokens) in t.listed.iter_mut() {
            tokens.retain(|&i| all[i as usize].spellings.iter().any(|s| s != spelling));
        }
        t.listed.retain(|_, tokens| !tokens.is_empty());
        // The listed given names folded to each token, then each word's alternatives.
        let mut folded: Vec<Vec<&[u8]>> = vec![Vec::new(); t.tokens.len()];
        for (spelling, tokens) in &t.listed {
            for &i in tokens {
                folded[i as usize].push(spelling);
            }
        }
        let mut alternatives: Vec<Alternatives> = t
            .text
            .iter()
            .filter_map(|(word, tokens)| {
                let mut alts: Vec<&[u8]> = tokens
                    .iter()
                    .flat_map(|&i| folded[i as usize].iter().copied())
                    .filter(|a| *a != &**word)
                    .collect();
                alts.sort_unstable();
                alts.dedup();
                (!alts.is_empty()).then(|| (word.clone(), alts.into_iter().map(Box::from).collect()))
            })
            .collect();
        alternatives.sort_unstable();
        t.alternatives = alternatives;
        #[cfg(test)]
        {
            t.written = written.into_iter().map(|w| w.1).filter(|w| w.len() > 1).collect();
        }
        t
    }

    /// The index of the token of `kind` and `id`, made if new.
    fn make_token(&mut self, kind: u8, id: &str) -> u32 {
        let mut bytes = vec![TOKEN_MARK, kind];
        bytes.extend_from_slice(id.trim().as_bytes());
        let bytes = bytes.into_boxed_slice();
        if let Some(&i) = self.by_bytes.get(&bytes) {
            return i;
        }
        let i = self.tokens.len() as u32;
        self.tokens.push(Token { bytes: bytes.clone(), spellings: Vec::new() });
        self.by_bytes.insert(bytes, i);
        i
    }

    /// Records that the word of text `spelling` stands for token `i`.
    fn stands_for(&mut self, i: u32, spelling: &[u8]) {
        let token = &mut self.tokens[i as usize];
        if !token.spellings.iter().any(|s| **s == *spelling) {
            token.spellings.push(spelling.into());
            let tokens = self.text.entry(spelling.into()).or_default();
            if !tokens.contains(&i) {
                tokens.push(i);
            }
        }
    }

    /// Records that a listed given name `spelling` is folded to token `i`.
    fn folds_to(&mut self, spelling: &[u8], i: u32) {
        let tokens = self.listed.entry(spelling.into()).or_default();
        if !tokens.contains(&i) {
            tokens.push(i);
        }
    }
}

/// The normalised forms of one spelling of the files, as listed there, capitalised and in
/// capitals (normalisation folds some scripts' capitals to other letters than their small
/// letters: Cyrillic look-alikes), so that a name is found however its case is written; none
/// when it is shorter than [`MIN_LETTERS`] or more than one word.
fn spellings(norm: &mut Normalized, spelling: &str) -> Vec<Vec<u8>> {
    let spelling = spelling.trim();
    let mut capitalised: String = spelling.chars().take(1).flat_map(char::to_uppercase).collect();
    capitalised.extend(spelling.chars().skip(1));
    let mut out: Vec<Vec<u8>> = Vec::new();
    for written in [spelling, &capitalised, &spelling.to_uppercase()] {
        norm.fill(written);
        let word = norm.as_bytes();
        if word.contains(&b' ')
            || norm.as_str().chars().count() < MIN_LETTERS
            || out.iter().any(|o| o == word)
        {
            continue;
        }
        out.push(word.to_vec());
    }
    out
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
/// `canonical::each_form`) with the given name replaced by each token it is folded to
/// ([`Table::listed_tokens`]). None when the given name is in no table.
pub(crate) fn each_variant_form(
    value: &str,
    norm: &mut Normalized,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]),
) {
    // The name normalised at the start of `buf` (ASCII on bytes, as `canonical::each_form`
    // does), each variant form after it.
    if value.is_ascii() {
        super::canonical::ascii_normalized(value.as_bytes(), buf);
    } else {
        norm.fill(value);
        buf.clear();
        buf.extend_from_slice(norm.as_bytes());
    }
    let len = buf.len();
    let n = &buf[..len];
    let Some(given) = given_word(value, n) else { return };
    // The given name's bytes, and where the last word starts.
    let mut start = 0;
    for _ in 0..given {
        start += memchr::memchr(b' ', &n[start..]).map_or(n.len(), |p| p + 1);
    }
    let end = memchr::memchr(b' ', &n[start..]).map_or(n.len(), |p| start + p);
    let last = memchr::memrchr(b' ', n).map_or(0, |p| p + 1);
    let table = table();
    for &t in table.listed_tokens(&buf[start..end]) {
        let token = &table.token(t).bytes;
        // As listed.
        buf.truncate(len);
        buf.extend_from_within(..start);
        buf.extend_from_slice(token);
        buf.extend_from_within(end..len);
        f(&buf[len..]);
        // Surname first: the last word, then the others.
        buf.truncate(len);
        if start == last {
            buf.extend_from_slice(token);
            buf.push(b' ');
            buf.extend_from_within(..last - 1);
        } else {
            buf.extend_from_within(last..len);
            buf.push(b' ');
            buf.extend_from_within(..start);
            buf.extend_from_slice(token);
            buf.extend_from_within(end..last - 1);
        }
        f(&buf[len..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a listed given name `word` is found as: the spellings of its tokens.
    fn spellings(word: &str) -> Vec<String> {
        let t = table();
        let mut out: Vec<String> = t
            .listed_tokens(crate::text::normalize(word).as_bytes())
            .iter()
            .flat_map(|&i| t.token(i).spellings.iter().map(|m| String::from_utf8_lossy(m).into_owned()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The table holds both sources, both directions, and leaves out short spellings.
    #[test]
    fn the_table_reads_both_sources() {
        assert!(table().tokens.len() > 2000, "{} tokens", table().tokens.len());
        for (a, b) in [
            ("william", "bill"),
            ("bill", "william"),
            ("william", "liam"),
            ("robert", "bob"),
            ("mohammed", "muhammad"),
            ("mohamed", "محمد"),
            ("aleksandr", "alexander"),
            ("yousef", "yusuf"),
            ("jonathan", "john"),
            ("john", "jonathan"),
            ("Юрий", "Yuri"),
            ("ЮРИЙ", "Yuri"),
        ] {
            let normal = crate::text::normalize(b);
            assert!(spellings(a).contains(&normal), "{a} -> {b}: {:?}", spellings(a));
        }
        assert!(spellings("al").is_empty(), "two letters are too few");
        assert!(!spellings("alfred").contains(&"al".to_string()));
        assert!(spellings("jane doe").is_empty());
        assert!(!spellings("yusuf").contains(&"joseph".to_string()), "cognates are other names");
        // Two nicknames of one name are no variants of each other for that.
        assert!(!spellings("nathan").contains(&"john".to_string()), "{:?}", spellings("nathan"));
        assert!(!spellings("john").contains(&"nathan".to_string()));
        assert!(spellings("qxzw").is_empty());
        // Rows maildlp leaves out.
        assert!(!spellings("patrick").contains(&"peter".to_string()));
        assert!(!spellings("william").contains(&"wilma".to_string()));
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
        assert!(william.contains(&"\u{1}kbill henry smith".to_string()), "William is a nickname of Bill");
        // Listed surname first with a comma: the word after the comma is the given name; a
        // nickname of two names (William, Robert) is folded to each name itself, and, as a name
        // with nicknames of its own, to those.
        let bill = forms("Smith, Bill");
        for family in ["\u{1}kwilliam", "\u{1}krobert", "\u{1}nbill"] {
            let pair = [format!("smith {family}"), format!("{family} smith")];
            assert!(bill.windows(2).any(|w| w == pair), "{family}: {bill:?}");
        }
        assert!(forms("Qxzw Smith").is_empty());
        assert!(forms("William").is_empty());
    }
}
