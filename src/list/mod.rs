//! The protected list: who must not be exposed, and by what they can be recognised.
//!
//! A list is plain ([`ProtectedList`], loaded from CSV) or sealed ([`SealedList`]: keyed
//! one-way hashes of its identifiers, opened with its [`Key`]). Both hold identifiers in the
//! [`canonical`] forms that text is compared with.
//!
//! This floor stands on [`model`](crate::model), [`error`](crate::Error),
//! [`address`](crate::address) and [`text`](crate::text) only: the matcher and everything
//! above it use lists, never the other way round.

pub mod canonical;
pub mod plain;
pub mod sealed;

pub use plain::{Identifier, ProtectedList, Record};
pub use sealed::{seal, Key, SealedList};
