//! The crate's one error type.

/// Everything that can go wrong while building a [`Scanner`](crate::Scanner) or preparing a scan.
///
/// Scanning itself never fails: a malformed message is scanned as far as it can be and the
/// report says what could not be read (`scan-incomplete`). Errors come only from the inputs a
/// caller controls: the protected list, the policy and the envelope recipients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The protected list was refused. Nothing of it was loaded.
    #[error("{}", list_message(*line, reason))]
    List {
        /// 1-based line of the offending row (0 when the problem is not tied to a line).
        line: u64,
        /// What is wrong with that line.
        reason: String,
    },
    /// The policy was refused: an unknown key, a value of the wrong type, a bad domain.
    #[error("policy: {0}")]
    Policy(String),
    /// An envelope recipient given by the caller is not an email address.
    #[error("envelope recipient {0:?} is not an email address")]
    InvalidAddress(String),
    /// A sealed list's key is malformed, or not the key the list was sealed with.
    #[error("key: {0}")]
    Key(String),
    /// A sealed list could not be read (damaged, cut short, or of another version).
    #[error("sealed list: {0}")]
    Sealed(String),
}

fn list_message(line: u64, reason: &str) -> String {
    if line == 0 {
        format!("protected list: {reason}")
    } else {
        format!("protected list, line {line}: {reason}")
    }
}

impl Error {
    pub(crate) fn list(line: u64, reason: impl Into<String>) -> Self {
        Error::List { line, reason: reason.into() }
    }

    /// The line of the protected list that was refused, if this is a list error.
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::List { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
