//! maildlp stops an outgoing email from exposing people before it leaves.
//!
//! It reads an RFC 5322 message and reports two kinds of exposure:
//!
//! 1. recipients who can see each other when they must not: a protected person's address in
//!    To or Cc beside outsiders, or simply too many external addresses visible;
//! 2. identifiers of protected people (names, email addresses, phone numbers, case terms)
//!    anywhere a reader would see them, when the message reaches anyone other than that
//!    person, however the text is encoded, marked up, split across lines or disguised.
//!
//! The library does no I/O: give it a protected list, a policy and message bytes, and it
//! returns a [`Report`].
//!
//! ```
//! use maildlp::{Policy, ProtectedList, Scanner, Verdict};
//!
//! let list = ProtectedList::from_csv(
//!     "id,kind,value\n\
//!      V01,name,Jane Doe\n\
//!      V01,email,jane.doe@example.org\n\
//!      V02,email,ravi@example.net\n",
//! )?;
//! let policy = Policy::builder().internal_domain("police.example").build()?;
//! let scanner = Scanner::new(list, policy);
//!
//! // Two victims in Cc: each sees the other's address.
//! let message = b"From: officer@police.example\r\n\
//!     To: officer@police.example\r\n\
//!     Cc: jane.doe@example.org, ravi@example.net\r\n\
//!     Subject: Update on your case\r\n\
//!     \r\n\
//!     Dear all, an update on the case of Jane Doe.\r\n";
//! let report = scanner.scan(message);
//! assert_eq!(report.verdict(), Verdict::Block);
//! let rules: Vec<_> = report.findings().iter().map(|f| f.rule.as_str()).collect();
//! assert_eq!(rules, ["protected-recipient-exposed", "protected-recipient-exposed", "protected-identifier"]);
//!
//! // The same message to Jane alone, by Bcc: nothing is exposed.
//! let alone = b"From: officer@police.example\r\nBcc: jane.doe@example.org\r\n\r\nDear Jane Doe, ...\r\n";
//! assert_eq!(scanner.scan(alone).verdict(), Verdict::Allow);
//! # Ok::<(), maildlp::Error>(())
//! ```
//!
//! A [`Scanner`] is compiled once and shared by many threads (`Send + Sync`).
//!
//! # Panics inside readers
//!
//! Some readers maildlp runs on untrusted documents (pdf-extract, lopdf, calamine, the
//! calendar parser) panic on malformed input. maildlp catches those panics: the document is
//! reported `scan-incomplete` `unreadable`, its `reader` naming the reader that gave up and
//! where it panicked, and the scan goes on. So that a caught panic prints nothing (no
//! `panicked at` and backtrace on standard error, which reads as a crash), the first
//! [`Scanner`] built in the process installs a panic hook, once. On a thread inside one of
//! maildlp's guarded readers it only records where the panic happened; anywhere else it calls
//! the hook that was in place before (Rust's default, or yours), so a panic maildlp does not
//! catch reports as it always did.
//!
//! An embedder with a panic hook of its own sets it before building the first scanner, and
//! maildlp's hook chains to it. A hook set after that replaces maildlp's: caught panics are
//! then printed by that hook, unless it calls the one it replaced (`std::panic::take_hook`).

#![warn(missing_docs)]
#![deny(unsafe_code)]

mod address;
mod content;
mod details;
mod detect;
mod error;
#[cfg(test)]
mod exhaustive;
#[cfg(feature = "documents")]
mod extract;
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
pub mod ffi;
pub mod list;
mod matcher;
mod message;
mod model;
#[cfg(feature = "ocr")]
pub mod ocr;
mod panics;
mod policy;
pub mod remedy;
mod report;
mod rules;
mod scanner;
#[cfg(feature = "sources")]
pub mod sources;
mod text;

pub use details::MessageDetails;
pub use detect::{Confidence, Detector};
pub use error::{Error, Result};
pub use list::{Identifier, ProtectedList, Record};
pub use message::{recipients_of, Recipient};
pub use model::{Field, Kind, Limit, Limits, Location, Part, Severity, MAX_DEPTH_CEILING};
pub use policy::{Policy, PolicyBuilder};
pub use report::{Allowed, Detail, Finding, PlaceSummary, Report, Rule, Summary, Verdict};
pub use scanner::{Recipients, Scanner};

/// Internals that the benches and tests of this repository measure and check (the matcher's
/// engines, normalisation, HTML to text, address forms). Not part of the library's interface:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::address::{canonical, is_valid};
    pub use crate::matcher::{EngineChoice, Hit, Matcher, WordEngine};
    pub use crate::text::{html_to_text, normalize, Normalized};
}

/// Checks of internals that the fuzz targets drive; built only by `cargo fuzz` (which sets
/// `--cfg fuzzing`), not part of the library's interface.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    /// Reads `message` with maildlp's MIME walk and with mail-parser: `Err` shows both
    /// readings when they differ for a reason the walk does not excuse (see
    /// `src/message/mime.rs`).
    pub fn mime_agreement(message: &[u8]) -> Result<(), String> {
        crate::message::mime_agreement(message)
    }

    /// Opens `cms` as S/MIME is opened (`src/message/smime.rs`), allowing a copy as large as
    /// the input: `Err` when what it returns breaks what the opening promises (content is
    /// inside the input, a copy is never larger than the input, a refused copy is one larger
    /// than the allowance).
    pub fn cms_open(cms: &[u8]) -> Result<(), String> {
        crate::message::smime::check(cms)
    }
}
