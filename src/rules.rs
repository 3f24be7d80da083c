//! The rules of the contract, each a small function over the envelope and the hits.

use std::collections::HashSet;
use std::hash::BuildHasher;

use crate::address;
use crate::matcher::EmailTable;
use crate::message::{Envelope, Incomplete, Location};
use crate::protected::Kind;
use crate::report::{Detail, Finding, Rule, Severity};

/// Who a message reaches, as the rules need it: hashes of the distinct external addresses
/// (eight bytes each, however many recipients there are).
pub struct Audience {
    hasher: hashbrown::DefaultHashBuilder,
    external: hashbrown::HashSet<u64>,
    /// Distinct external addresses in To and Cc.
    visible_external: usize,
    /// Whether the message names no recipient at all.
    nobody: bool,
}

impl Audience {
    /// The audience of `env` under `internal` domains.
    pub fn new(env: &Envelope<'_>, internal: &[String]) -> Audience {
        let mut a = Audience {
            hasher: hashbrown::DefaultHashBuilder::default(),
            external: hashbrown::HashSet::new(),
            visible_external: 0,
            nobody: true,
        };
        let mut count = 0;
        env.for_each_recipient(&mut |_, _| count += 1);
        a.external.reserve(count);
        // Visible recipients first, so their distinct count is known before the others join.
        for visible in [true, false] {
            env.for_each_recipient(&mut |addr, field| {
                a.nobody = false;
                if field.is_visible() == visible && !address::is_internal(addr, internal) {
                    a.external.insert(a.hasher.hash_one(addr));
                }
            });
            if visible {
                a.visible_external = a.external.len();
            }
        }
        a
    }

    /// How many distinct external recipients are not among `own` (a record's own canonical
    /// addresses).
    pub fn others(&self, own: &[String]) -> usize {
        let mut own_hashes: Vec<u64> = own.iter().map(|o| self.hasher.hash_one(o.as_str())).collect();
        own_hashes.sort_unstable();
        own_hashes.dedup();
        self.external.len() - own_hashes.iter().filter(|h| self.external.contains(*h)).count()
    }

    /// Whether the message reaches an external address that is not one of `own`. A message
    /// with no recipient is judged as if it did (fail closed).
    pub fn reaches_others(&self, own: &[String]) -> bool {
        self.nobody || self.others(own) > 0
    }
}

/// `protected-recipient-exposed`: one finding per record whose own address is a visible
/// address (To, Cc, Resent-To, Resent-Cc, Reply-To, Mail-Followup-To) while the audience holds
/// an outsider.
pub fn recipient_exposed(
    env: &Envelope<'_>,
    audience: &Audience,
    emails: &EmailTable,
    own: &dyn Fn(u32) -> Vec<String>,
    ids: &dyn Fn(u32) -> String,
    out: &mut Vec<Finding>,
) {
    let mut seen = HashSet::new();
    env.for_each_shown(&mut |addr, field| {
        for record in emails.owners(addr) {
            if !seen.insert(record) {
                continue;
            }
            let others = audience.others(&own(record));
            if others == 0 && !audience.nobody {
                continue;
            }
            let id = ids(record);
            let message = format!(
                "the address of protected record {id} is visible in {} to {others} other external recipient{}; send it by Bcc or on its own",
                field.header_name(),
                if others == 1 { "" } else { "s" },
            );
            out.push(Finding {
                rule: Rule::ProtectedRecipientExposed,
                severity: Severity::Block,
                detail: Detail::Recipient { record: id, field },
                message,
            });
        }
    });
}

/// `visible-recipients`: more distinct external visible recipients than the policy allows.
pub fn visible_recipients(audience: &Audience, max: usize, out: &mut Vec<Finding>) {
    let count = audience.visible_external;
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
        message: match i.limit {
            "encrypted" | "unreadable" => i.detail.clone(),
            limit => format!("{} ({limit} reached)", i.detail),
        },
    }
}
