//! The rules of the contract, each a small function over the envelope and the hits.

use std::collections::HashSet;

use crate::address;
use crate::matcher::EmailTable;
use crate::message::{Envelope, Field, Incomplete, Location};
use crate::protected::Kind;
use crate::report::{Detail, Finding, Rule, Severity};

/// Who a message reaches, as the rules need it.
#[derive(Debug)]
pub struct Audience {
    /// Distinct external addresses among all recipients.
    external: HashSet<String>,
    /// Whether the message names no recipient at all.
    nobody: bool,
}

impl Audience {
    /// The audience of `env` under `internal` domains.
    pub fn new(env: &Envelope, internal: &[String]) -> Audience {
        let external = env
            .recipients
            .iter()
            .filter(|r| !address::is_internal(&r.address, internal))
            .map(|r| r.address.clone())
            .collect();
        Audience { external, nobody: env.recipients.is_empty() }
    }

    /// Whether the message reaches an external address that is not one of `record`'s own
    /// addresses. A message with no recipient is judged as if it did (fail closed).
    pub fn reaches_others(&self, emails: &EmailTable, record: u32) -> bool {
        self.nobody || self.external.iter().any(|a| !emails.is_own(a, record))
    }
}

/// `protected-recipient-exposed`: one finding per record whose own address is in To or Cc
/// while the audience holds an outsider.
pub fn recipient_exposed(
    env: &Envelope,
    audience: &Audience,
    emails: &EmailTable,
    ids: &dyn Fn(u32) -> String,
    out: &mut Vec<Finding>,
) {
    let mut seen = HashSet::new();
    for r in env.recipients.iter().filter(|r| r.field.is_visible()) {
        for record in emails.owners(&r.address) {
            if !audience.reaches_others(emails, record) || !seen.insert(record) {
                continue;
            }
            let id = ids(record);
            let field = r.field;
            let others = audience.external.iter().filter(|a| !emails.is_own(a, record)).count();
            let message = format!(
                "the address of protected record {id} is visible in {} to {others} other external recipient{}; send it by Bcc or on its own",
                if field == Field::To { "To" } else { "Cc" },
                if others == 1 { "" } else { "s" },
            );
            out.push(Finding {
                rule: Rule::ProtectedRecipientExposed,
                severity: Severity::Block,
                detail: Detail::Recipient { record: id, field },
                message,
            });
        }
    }
}

/// `visible-recipients`: more distinct external visible recipients than the policy allows.
pub fn visible_recipients(env: &Envelope, internal: &[String], max: usize, out: &mut Vec<Finding>) {
    let visible: HashSet<&str> = env
        .recipients
        .iter()
        .filter(|r| r.field.is_visible() && !address::is_internal(&r.address, internal))
        .map(|r| r.address.as_str())
        .collect();
    let count = visible.len();
    if count > max {
        out.push(Finding {
            rule: Rule::VisibleRecipients,
            severity: Severity::Warn,
            detail: Detail::VisibleRecipients { count, max },
            message: format!(
                "{count} external recipients in To and Cc can see each other's addresses (the policy allows {max}); use Bcc"
            ),
        });
    }
}

/// `protected-identifier`: an identifier of record `id` at `location`.
pub fn identifier(id: String, kind: Kind, location: Location, excerpt: String) -> Finding {
    let message = format!(
        "a protected {kind} of record {id} is in {location} and the message reaches recipients other than that record"
    );
    Finding {
        rule: Rule::ProtectedIdentifier,
        severity: Severity::Block,
        detail: Detail::Identifier { record: id, kind, location, excerpt },
        message,
    }
}

/// `scan-incomplete`: a limit stopped part of the scan.
pub fn incomplete(i: &Incomplete) -> Finding {
    Finding {
        rule: Rule::ScanIncomplete,
        severity: Severity::Warn,
        detail: Detail::Incomplete { limit: i.limit.to_string() },
        message: format!("{} ({} reached)", i.detail, i.limit),
    }
}
