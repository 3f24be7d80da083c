//! The protected list: who must not be exposed, and by what they can be recognised.
//!
//! A list is plain ([`ProtectedList`], loaded from CSV) or sealed ([`SealedList`]: keyed
//! one-way hashes of its identifiers, opened with its [`Key`]). Both hold identifiers in the
//! canonical forms that text is compared with (how a name, phone or address is folded), and
//! both answer the scanner through one interface, [`Lookup`]. [`open`] takes a list's bytes
//! and decides which it is.
//!
//! This floor stands on the crate's model, its [`Error`], address forms and text
//! normalisation only: the matcher and everything above it use lists, never the other way
//! round.

pub(crate) mod canonical;
pub(crate) mod index;
mod plain;
mod sealed;
pub(crate) mod variants;

pub use plain::{Identifier, ProtectedList, Record};
pub use sealed::{seal, seal_to, Key, SealedList};

use std::ops::Range;

use crate::error::{Error, Result};
use crate::model::Kind;
use canonical::PhoneRef;

/// Opens a protected list from the bytes of its file, plain or sealed as the bytes say: a
/// sealed list (`maildlp seal`, see [`SealedList`]) with `key`, the bytes of its key file (64
/// hexadecimal digits, or the 32 bytes); a plain CSV list ([`ProtectedList::from_csv_bytes`])
/// otherwise.
///
/// - A sealed list without a key is an [`Error::Key`] saying that the list is sealed and needs
///   its key; with another key, an `Error::Key` saying so; damaged, an [`Error::Sealed`].
/// - A plain list needs no key. A key given with one is still read (a malformed key is an
///   `Error::Key`), then not used: one configuration, a list and its key, serves whichever of
///   the two files is deployed, and a key file that would fail once the list is sealed fails
///   now.
/// - A plain list that is refused is an [`Error::List`] naming its line.
pub fn open(bytes: &[u8], key: Option<&[u8]>) -> Result<Box<dyn Lookup>> {
    open_limited(bytes, key, usize::MAX)
}

/// [`open`], refusing a list of more than `max_records` records (policy `max_list_records`)
/// with an error that says so, before it takes the memory it would need.
pub fn open_limited(bytes: &[u8], key: Option<&[u8]>, max_records: usize) -> Result<Box<dyn Lookup>> {
    if sealed::is_sealed(bytes) {
        return open_owned(bytes.to_vec(), key, max_records);
    }
    // A plain list needs no key, but a malformed one fails now rather than once it is sealed.
    key.map(Key::from_bytes).transpose()?;
    Ok(Box::new(ProtectedList::from_csv_bytes_limited(bytes, max_records)?))
}

/// [`open_limited`] taking the file's bytes by value: a sealed list keeps them and reads them
/// in place; a plain list is read from them, then they are freed.
pub fn open_owned(bytes: Vec<u8>, key: Option<&[u8]>, max_records: usize) -> Result<Box<dyn Lookup>> {
    if !sealed::is_sealed(&bytes) {
        return open_limited(&bytes, key, max_records);
    }
    let key = key.map(Key::from_bytes).transpose()?;
    let Some(key) = key else {
        return Err(Error::Key("the list is sealed: it opens only with the key it was sealed with".into()));
    };
    Ok(Box::new(SealedList::open_owned(bytes, &key, max_records)?))
}

/// The message of a list refused for its size.
pub(crate) fn too_many_records(max: usize) -> String {
    format!(
        "the list has more than {max} records, the policy's max_list_records: raise it if the machine has the memory for the list"
    )
}

/// What a word engine or a list calls for each name or term found in normalised text: its span,
/// record and kind, and, for a match through a name variant, the span of the word that stood
/// for the listed given name.
pub type WordFound<'a> = dyn FnMut(Range<usize>, u32, Kind, Option<Range<usize>>) + 'a;

/// What [`Lookup::each_word_form_given`] calls for each form: the form, its record and kind,
/// and the place of its given name among its words.
pub type GivenForm<'a> = dyn FnMut(&[u8], u32, Kind, Option<usize>) + 'a;

/// What the matcher and the rules ask of a protected list, plain or sealed: the one interface
/// between a list and everything above it, which know no list format.
///
/// Records are numbered from 0 in list order; every look-up answers with record numbers, and
/// [`Lookup::record_id`] turns a number into the id a report names. Look-ups are on the hot
/// path of a scan (one per address or phone found in text, one walk per segment for names held
/// as keyed hashes): they allocate nothing. What can be done once is done when a matcher is
/// built ([`Lookup::prepare`], [`Lookup::each_word_form`]).
pub trait Lookup: std::any::Any + Send + Sync + std::fmt::Debug {
    /// The number of records.
    fn record_count(&self) -> usize;

    /// The id of record `record`, as listed.
    fn record_id(&self, record: u32) -> Option<&str>;

    /// Builds the look-up tables the list answers from, if it builds them on first use (a plain
    /// list's address and phone tables). A matcher calls it once while it is built, beside the
    /// build of its word engine; a look-up before it builds them all the same.
    fn prepare(&self) {}

    /// How many forms [`Lookup::each_word_form`] gives, and about how many bytes they hold, to
    /// size the word engine built from them.
    fn word_forms_hint(&self) -> (usize, usize);

    /// Calls `each(form, record, kind)` for every normalised form of a name or term that the
    /// list holds in clear (see `canonical::each_form`): every one of a plain list, none of a
    /// sealed one. The matcher compiles them into its word engine.
    fn each_word_form(&self, each: &mut dyn FnMut(&[u8], u32, Kind));

    /// Calls `each(form, record, kind, given)` for the forms [`Lookup::each_word_form`] gives,
    /// with, for a name of two words or more, the place of its given name among the form's
    /// words (from 0): the word policy `name_variants` lets a variant stand for (see
    /// `variants::given_word`). `None` for a term and a name of one word.
    fn each_word_form_given(&self, each: &mut GivenForm<'_>) {
        self.each_word_form(&mut |form, record, kind| each(form, record, kind, None))
    }

    /// Calls `each(form, record, kind)` for every variant form of a name the list holds in clear
    /// (see `variants::each_variant_form`): the forms a list is sealed with, and that the
    /// automaton engine spells out with policy `name_variants` (the token engine tries words of
    /// text as given names instead: [`Lookup::each_word_form_given`]). None of a sealed list,
    /// whose file holds them as keyed hashes.
    fn each_variant_form(&self, _each: &mut dyn FnMut(&[u8], u32, Kind)) {}

    /// Whether the list holds names or terms only as keyed hashes, which only it can look up
    /// (a sealed list): then [`Lookup::find_keyed_words`] is asked about every segment.
    fn has_keyed_words(&self) -> bool;

    /// Calls `found(span, record, kind, given)` for every name or term held as a keyed hash
    /// that stands as whole words in the normalised text `norm`: `given` is `None` for a listed
    /// form, and for a match through a name variant (only when `variants` is set) the span of
    /// the word that stood for the listed given name.
    fn find_keyed_words(&self, norm: &[u8], variants: bool, found: &mut WordFound<'_>);

    /// Whether any address is listed.
    fn has_addresses(&self) -> bool;

    /// Calls `found(record)` for every record that lists the canonical address `addr`.
    fn address_owners(&self, addr: &str, found: &mut dyn FnMut(u32));

    /// Calls `found(record)` for every record of which the canonical address `addr` is a
    /// contact (a `contact` row naming it or a domain it is in): it may receive that record's
    /// identifiers. None by default.
    fn address_contacts(&self, _addr: &str, _found: &mut dyn FnMut(u32)) {}

    /// Whether any record lists the canonical address `addr`.
    fn is_listed_address(&self, addr: &str) -> bool {
        let mut listed = false;
        self.address_owners(addr, &mut |_| listed = true);
        listed
    }

    /// Whether any phone is listed.
    fn has_phones(&self) -> bool;

    /// Calls `found(record)` for every record that lists the number `phone` (found in text).
    fn phone_owners(&self, phone: PhoneRef<'_>, found: &mut dyn FnMut(u32));

    /// Calls `each(record, pattern)` for every pattern identifier, in clear in every list (a
    /// pattern is a shape, not an identity). Each compiles (see `canonical::pattern`): the
    /// list refused any that did not when it was loaded.
    fn each_pattern(&self, each: &mut dyn FnMut(u32, &str));
}

#[cfg(test)]
mod tests {
    /// The list floor stands on the floors below it only: the crate's modules it names are
    /// model, error (and the `Error` and `Result` it exports at the root), address and text,
    /// and in its tests `exhaustive` (test inputs, which use nothing of the crate).
    #[test]
    fn the_list_floor_uses_only_the_floors_below_it() {
        const BELOW: [&str; 8] =
            ["model", "error", "Error", "Result", "address", "text", "list", "exhaustive"];
        let files = [
            ("mod.rs", include_str!("mod.rs")),
            ("canonical.rs", include_str!("canonical.rs")),
            ("index.rs", include_str!("index.rs")),
            ("plain.rs", include_str!("plain.rs")),
            ("sealed.rs", include_str!("sealed.rs")),
        ];
        let needle = concat!("crate", "::");
        for (file, text) in files {
            for (at, _) in text.match_indices(needle) {
                let rest = &text[at + needle.len()..];
                let module: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                assert!(!module.is_empty(), "{file}: name each module used, not {needle}{{...}}");
                assert!(BELOW.contains(&module.as_str()), "{file} uses {needle}{module}");
            }
        }
    }
}
