//! The rules of the contract: each decides, from the audience and what was found, which
//! findings a message gets. The scanner finds (recipients, hits, detected values, limits met);
//! the rules judge.

use std::collections::HashSet;
use std::hash::BuildHasher;

use crate::address;
use crate::detect::{Confidence, Detector};
use crate::list::Lookup;
use crate::matcher::Hit;
use crate::message::Envelope;
use crate::model::Segment;
use crate::model::{Field, Incomplete, Kind, Location, Severity};
use crate::report::{masked_excerpt, Allowed, Detail, Finding, Masking, Report, Rule, Tally};
use std::ops::Range;

/// Who a message reaches, as the rules need it: how many distinct external addresses, and of
/// those, how many each protected record owns (eight bytes of hash per address, however many
/// recipients there are).
pub struct Audience {
    /// Distinct external addresses in the audience.
    external: usize,
    /// Distinct external addresses in To, Cc, Resent-To and Resent-Cc and among an
    /// invitation's attendees.
    visible_external: usize,
    /// Whether an invitation's attendee list shows an external address.
    attendees_shown: bool,
    /// Distinct external addresses in partner domains: they may receive every record's
    /// identifiers.
    partners: usize,
    /// Per record: how many of the distinct external addresses (outside partner domains) are
    /// its own or its contacts.
    allowed: hashbrown::HashMap<u32, usize>,
    /// Per record: how many of the distinct external addresses are its own (partners or not),
    /// how many of those are in partner domains, and how many addresses outside partner
    /// domains are its contacts and not its own: what explains an allowance.
    owned: hashbrown::HashMap<u32, (usize, usize, usize)>,
    /// Whether the message names no recipient at all.
    nobody: bool,
}

impl Audience {
    /// The audience of `env` under `internal` and `partner` domains; `list` says which records
    /// own an address and whose contact it is.
    pub fn new(env: &Envelope<'_>, internal: &[String], partner: &[String], list: &dyn Lookup) -> Audience {
        let hasher = hashbrown::DefaultHashBuilder::default();
        // Each distinct external address, by its hash with the low bit set when the address
        // is a visible recipient (one set of eight-byte keys: a message may have a hundred
        // thousand recipients).
        let mut seen: hashbrown::HashSet<u64> = hashbrown::HashSet::new();
        seen.reserve(env.recipient_entries());
        let mut a = Audience {
            external: 0,
            visible_external: 0,
            attendees_shown: false,
            partners: 0,
            allowed: hashbrown::HashMap::new(),
            owned: hashbrown::HashMap::new(),
            nobody: true,
        };
        let mut records: Vec<u32> = Vec::new();
        env.for_each_recipient(&mut |addr, field| {
            a.nobody = false;
            if address::is_internal(addr, internal) {
                return;
            }
            a.attendees_shown |= field == Field::Attendee;
            let hash = hasher.hash_one(addr);
            let (hidden, visible) = (hash & !1, hash | 1);
            if seen.contains(&visible) || (!field.is_visible() && seen.contains(&hidden)) {
                return;
            }
            // First seen, or first seen visible (then it was counted when first seen hidden).
            let known = field.is_visible() && seen.remove(&hidden);
            seen.insert(if field.is_visible() { visible } else { hidden });
            if known {
                return;
            }
            records.clear();
            list.address_owners(addr, &mut |record| records.push(record));
            let partner_address = address::is_internal(addr, partner);
            for &record in &records {
                let o = a.owned.entry(record).or_default();
                o.0 += 1;
                o.1 += usize::from(partner_address);
            }
            if partner_address {
                a.partners += 1;
                return;
            }
            // The records this address may receive: its owners and those it is a contact of,
            // each once.
            let owners = records.len();
            list.address_contacts(addr, &mut |record| records.push(record));
            for i in owners..records.len() {
                let record = records[i];
                if !records[..owners].contains(&record) && !records[owners..i].contains(&record) {
                    a.owned.entry(record).or_default().2 += 1;
                }
            }
            records.sort_unstable();
            records.dedup();
            for &record in &records {
                *a.allowed.entry(record).or_insert(0) += 1;
            }
        });
        a.visible_external = seen.iter().filter(|&&k| k & 1 == 1).count();
        a.external = seen.len();
        a
    }

    /// How many distinct external recipients may not receive `record`'s identifiers: not its
    /// own addresses, not its contacts, not in a partner domain.
    pub fn others(&self, record: u32) -> usize {
        self.external - self.partners - self.allowed.get(&record).copied().unwrap_or(0)
    }

    /// Whether the message reaches an external address that may not receive `record`'s
    /// identifiers. A message with no recipient is judged as if it did (fail closed).
    pub fn reaches_others(&self, record: u32) -> bool {
        self.nobody || self.others(record) > 0
    }

    /// What kept `record`'s others at none when, without contacts and partner domains, the
    /// message would have reached someone other than the record: `contact`, `partner`, or
    /// both. `None` when nothing was allowed (or nothing needed to be).
    pub fn allowance(&self, record: u32) -> Option<&'static str> {
        if self.nobody || self.others(record) > 0 {
            return None;
        }
        let (own, own_partners, contacts) = self.owned.get(&record).copied().unwrap_or_default();
        if self.external <= own {
            return None;
        }
        match (contacts > 0, self.partners > own_partners) {
            (true, true) => Some("contact and partner"),
            (true, false) => Some("contact"),
            (false, true) => Some("partner"),
            (false, false) => None,
        }
    }

    /// Whether the message reaches any external address (partners included), or no one at
    /// all (fail closed): what sensitive data needs to matter.
    pub fn reaches_outside(&self) -> bool {
        self.nobody || self.external > 0
    }
}

/// `protected-recipient-exposed`: one finding per record whose own address is a visible
/// address (To, Cc, Resent-To, Resent-Cc, Reply-To, Mail-Followup-To) while the audience holds
/// an outsider.
pub fn recipient_exposed(
    env: &Envelope<'_>,
    audience: &Audience,
    list: &dyn Lookup,
    ids: &dyn Fn(u32) -> String,
    out: &mut Vec<Finding>,
    allowed: &mut Vec<Allowed>,
) {
    let mut seen = HashSet::new();
    env.for_each_shown(&mut |addr, field| {
        list.address_owners(addr, &mut |record| {
            if !seen.insert(record) {
                return;
            }
            let others = audience.others(record);
            if others == 0 && !audience.nobody {
                if let Some(by) = audience.allowance(record) {
                    allowed.push(Allowed { rule: Rule::ProtectedRecipientExposed, record: ids(record), by });
                }
                return;
            }
            let id = ids(record);
            let s = if others == 1 { "" } else { "s" };
            let message = if field == Field::Attendee {
                format!(
                    "the address of protected record {id} is among an invitation's attendees, which {others} other external recipient{s} see; send each invitee an invitation of their own"
                )
            } else {
                format!(
                    "the address of protected record {id} is visible in {} to {others} other external recipient{s}; send it by Bcc or on its own",
                    field.header_name(),
                )
            };
            out.push(Finding {
                rule: Rule::ProtectedRecipientExposed,
                severity: Severity::Block,
                detail: Detail::Recipient { record: id, field },
                message,
            });
        });
    });
}

/// `visible-recipients`: more distinct external visible recipients (To, Cc, Resent-To,
/// Resent-Cc and an invitation's attendees together) than the policy allows.
pub fn visible_recipients(audience: &Audience, max: usize, out: &mut Vec<Finding>) {
    let count = audience.visible_external;
    if count > max {
        let message = if audience.attendees_shown {
            format!(
                "{count} external recipients in To, Cc and an invitation's attendees can see each other's addresses (the policy allows {max}); Bcc does not hide attendees: send each invitee an invitation of their own"
            )
        } else {
            format!(
                "{count} external recipients in To and Cc can see each other's addresses (the policy allows {max}); use Bcc"
            )
        };
        out.push(Finding {
            rule: Rule::VisibleRecipients,
            severity: Severity::Warn,
            detail: Detail::VisibleRecipients { count, max },
            message,
        });
    }
}

/// `protected-identifier`: an identifier of record `id` at `location` (found through a name
/// variant when `variant` is set).
pub fn identifier(id: String, kind: Kind, location: Location, excerpt: String, variant: bool) -> Finding {
    let through = if variant { ", written as a variant of its given name," } else { "" };
    let message = format!(
        "a protected {kind} of record {id}{through} is in {location} and the message reaches recipients other than that record"
    );
    Finding {
        rule: Rule::ProtectedIdentifier,
        severity: Severity::Block,
        detail: Detail::Identifier { record: id, kind, location, excerpt, variant },
        message,
    }
}

/// `sensitive-data`: detector `d` found a valid value at `location`, with `confidence`.
pub fn sensitive_data(
    d: Detector,
    confidence: Confidence,
    severity: Severity,
    location: Location,
    excerpt: String,
) -> Finding {
    let message = format!(
        "a valid {} ({} confidence) is in {location} and the message reaches external recipients",
        match d {
            Detector::PaymentCard => "payment card number",
            Detector::Iban => "IBAN",
            Detector::UkNino => "UK National Insurance number",
            Detector::NhsNumber => "NHS number",
        },
        confidence.as_str()
    );
    Finding {
        rule: Rule::SensitiveData,
        severity,
        detail: Detail::SensitiveData { detector: d.name(), confidence, location, excerpt },
        message,
    }
}

/// `scan-incomplete`: a limit stopped part of the scan.
pub fn incomplete(i: &Incomplete) -> Finding {
    Finding {
        rule: Rule::ScanIncomplete,
        severity: Severity::Warn,
        detail: Detail::Incomplete { limit: i.limit, reader: i.reader.clone() },
        message: if i.limit.is_per_item() {
            i.detail.clone()
        } else {
            format!("{} ({} reached)", i.detail, i.limit)
        },
    }
}

/// The content rules (`protected-identifier`, `sensitive-data`) over the segments of one
/// message, then the report with the recipient rules' findings and every limit met.
pub(crate) struct Content<'a> {
    audience: &'a Audience,
    ids: &'a dyn Fn(u32) -> String,
    masking: &'a dyn Masking,
    /// Findings listed at most; past it they are counted for the summary.
    cap: usize,
    sensitive_severity: Severity,
    findings: Vec<Finding>,
    tally: Tally,
    /// (record, kind, location) already reported.
    seen: &'a mut HashSet<(u32, Kind, Location)>,
    /// Per record: does this message reach anyone outside it?
    exposed: &'a mut std::collections::HashMap<u32, bool>,
    detected: HashSet<(Detector, Location)>,
    /// Where contacts or partner domains kept a protected rule from firing.
    allowed: Vec<Allowed>,
}

impl<'a> Content<'a> {
    /// The content rules for a message that reaches `audience`, after the recipient rules
    /// gave `findings`. `seen` and `exposed` are scratch sets (cleared here).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        audience: &'a Audience,
        ids: &'a dyn Fn(u32) -> String,
        masking: &'a dyn Masking,
        cap: usize,
        sensitive_severity: Severity,
        findings: Vec<Finding>,
        seen: &'a mut HashSet<(u32, Kind, Location)>,
        exposed: &'a mut std::collections::HashMap<u32, bool>,
    ) -> Content<'a> {
        seen.clear();
        exposed.clear();
        let mut tally = Tally::default();
        tally.count_rules(&findings);
        Content {
            audience,
            ids,
            masking,
            cap,
            sensitive_severity,
            findings,
            tally,
            seen,
            exposed,
            detected: HashSet::new(),
            allowed: Vec::new(),
        }
    }

    /// Adds what the recipient rules allowed (see [`Audience::allowance`]).
    pub(crate) fn allow(&mut self, allowed: Vec<Allowed>) {
        self.allowed.extend(allowed);
    }

    /// Whether detected values matter: only when the message reaches an outsider (or
    /// nobody, which fails closed), since no record owns them.
    pub(crate) fn wants_detectors(&self) -> bool {
        self.audience.reaches_outside()
    }

    /// `sensitive-data`: detector `d` found a valid value at `span` of `seg`, with
    /// `confidence`.
    pub(crate) fn detected(
        &mut self,
        seg: &Segment<'_>,
        span: Range<usize>,
        d: Detector,
        confidence: Confidence,
    ) {
        let location = seg.location_at(span.start);
        if !self.detected.insert((d, location.clone())) {
            return;
        }
        self.tally.count(Rule::SensitiveData);
        if self.findings.len() >= self.cap {
            return;
        }
        let excerpt = masked_excerpt(seg.text, &span, std::slice::from_ref(&span), self.masking);
        let location = self.masking.mask_location(location);
        self.findings.push(sensitive_data(d, confidence, self.sensitive_severity, location, excerpt));
    }

    /// `protected-identifier`: the identifiers `hits` of `seg` (`spans`: their spans,
    /// sorted), each reported once per record, kind and location when the message reaches
    /// someone other than the record.
    pub(crate) fn hits(&mut self, seg: &Segment<'_>, hits: &[Hit], spans: &[Range<usize>]) {
        for hit in hits {
            let audience = self.audience;
            let reaches =
                *self.exposed.entry(hit.record).or_insert_with(|| audience.reaches_others(hit.record));
            if !reaches {
                if let Some(by) = audience.allowance(hit.record) {
                    let record = (self.ids)(hit.record);
                    if !self.allowed.iter().any(|a| a.rule == Rule::ProtectedIdentifier && a.record == record)
                    {
                        self.allowed.push(Allowed { rule: Rule::ProtectedIdentifier, record, by });
                    }
                }
                continue;
            }
            let location = seg.location_at(hit.span.start);
            if !self.seen.insert((hit.record, hit.kind, location.clone())) {
                continue;
            }
            self.tally.content(&location, hit.record);
            // Past the cap, findings are only counted: a sheet naming 18,000 people costs no
            // excerpts.
            if self.findings.len() >= self.cap {
                continue;
            }
            let excerpt = masked_excerpt(seg.text, &hit.span, spans, self.masking);
            let location = self.masking.mask_location(location);
            self.findings.push(identifier((self.ids)(hit.record), hit.kind, location, excerpt, hit.variant));
        }
    }

    /// The report: the findings in order (at most the cap, with a summary past it), then
    /// `scan-incomplete` for every limit met: once per limit, once per encrypted or unreadable
    /// item.
    pub(crate) fn report(self, mut incomplete: Vec<Incomplete>) -> Report {
        let Content { mut findings, tally, cap, masking, allowed, .. } = self;
        let mut limits_met = HashSet::new();
        incomplete.retain(|i| {
            let item =
                if i.limit.is_per_item() { (i.detail.clone(), i.reader.clone()) } else { Default::default() };
            limits_met.insert((i.limit, item))
        });
        let summary = (tally.findings > cap).then(|| {
            findings.truncate(cap);
            tally.into_summary(findings.len(), incomplete.len(), |name| masking.mask_label(name))
        });
        // Incomplete scans are always listed: they say the report itself is partial. Their text
        // names attachments, so it is masked like a location.
        for i in &mut incomplete {
            i.detail = masking.mask_label(&i.detail);
        }
        findings.extend(incomplete.iter().map(self::incomplete));
        Report::with_summary(findings, summary).with_allowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::ProtectedList;

    fn audience(headers: &str, list: &str) -> Audience {
        let raw = format!("{headers}Subject: x\r\n\r\nbody\r\n");
        let limits = crate::model::Limits::default();
        let source = crate::message::Source::new(raw.as_bytes(), &limits);
        let parser = crate::message::HeaderParser::default();
        let reading = source.read(&parser);
        let env = reading.envelope();
        let list = ProtectedList::from_csv(list).expect("a list");
        Audience::new(&env, &["ours.example".to_string()], &[], &list)
    }

    /// Distinct external addresses, and the visible ones among them, however often and in
    /// whichever order each is named: hidden first then visible counts as visible, once;
    /// internal addresses are no part of it; a record's own addresses are counted once.
    #[test]
    fn distinct_external_and_visible_recipients() {
        let list = "id,kind,value\nR1,email,a@x.example\nR1,email,c@x.example\n";
        let a = audience(
            "Bcc: A@x.example, c@x.example\r\nTo: b@y.example, a@x.example\r\nCc: me@ours.example, b@y.example\r\nBcc: c@X.example\r\n",
            list,
        );
        assert_eq!((a.external, a.visible_external), (3, 2));
        assert_eq!(a.others(0), 1, "a and c are R1's own");
        assert!(a.reaches_others(0));
        let alone = audience("To: a@x.example\r\nBcc: c@x.example, a@x.example\r\n", list);
        assert_eq!((alone.external, alone.visible_external), (2, 1));
        assert!(!alone.reaches_others(0), "only R1's own addresses");
        let nobody = audience("From: me@ours.example\r\n", list);
        assert!(nobody.reaches_others(0), "no recipient fails closed");
        let internal = audience("To: me@ours.example\r\n", list);
        assert_eq!((internal.external, internal.reaches_others(0)), (0, false));
    }
}
