//! The compiled scanner: a protected list and a policy, built once and shared.

use std::collections::HashSet;
use std::ops::Range;

use mail_parser::MessageParser;

use crate::error::{Error, Result};
use crate::list::{Lookup, ProtectedList, SealedList};
use crate::matcher::{Hit, Matcher};
use crate::message::Envelope;
use crate::model::{Incomplete, Kind, Limit, Location, Part, Segment};
use crate::policy::Policy;
use crate::report::{excerpt_window, render_excerpt, PlaceSummary, Report, Rule, Summary};
use crate::rules::{self, Audience};
use crate::text::Normalized;

/// A protected list and a policy, compiled for scanning.
///
/// Building it does all the work that does not depend on a message; scanning only reads it.
/// It is `Send + Sync`: build it once and share it (in an `Arc`) between threads.
#[derive(Debug)]
pub struct Scanner {
    policy: Policy,
    /// The matcher, and through it the list (record ids, the records owning an address).
    matcher: Matcher,
    /// Decodes every body as it parses (for messages that attach encoded messages, and for
    /// attached messages parsed again).
    parser: MessageParser,
    /// Leaves bodies encoded, for the walker to decode what it reads.
    lazy: MessageParser,
}

impl Scanner {
    /// Compiles `list` under `policy`: a [`ProtectedList`], a [`SealedList`] (every verdict
    /// and finding is the one the plain list gives, except that excerpts can mask only what
    /// was matched), or any other [`Lookup`].
    pub fn new<L: Lookup>(list: L, policy: Policy) -> Scanner {
        Scanner::with_list(Box::new(list), policy)
    }

    /// Opens a protected list from the bytes of its file and compiles it under `policy`; the
    /// bytes decide whether the list is plain (CSV) or sealed (see [`crate::list::open`]).
    ///
    /// A sealed list needs the `key` it was sealed with (the key file's bytes): without one it
    /// is an [`Error::Key`] that says the list is sealed, with another an `Error::Key` that
    /// says it is not the key. A plain list needs no key: one given is checked to be a key and
    /// otherwise not used, so that one configuration (list and key) serves whichever list is
    /// deployed. A plain list that is refused is an [`Error::List`] naming its line; a damaged
    /// sealed list an [`Error::Sealed`].
    ///
    /// ```
    /// use maildlp::{Policy, Scanner};
    ///
    /// let csv = b"id,kind,value\nV01,name,Jane Doe\n";
    /// let scanner = Scanner::open(csv, None, Policy::default())?;
    /// assert_eq!(scanner.scan(b"To: x@y.example\r\n\r\nJane Doe\r\n").findings().len(), 1);
    ///
    /// let key = maildlp::list::Key::generate()?;
    /// let sealed = maildlp::list::seal(&maildlp::ProtectedList::from_csv_bytes(csv)?, &key);
    /// let key_file = key.to_text();
    /// assert!(Scanner::open(&sealed, Some(key_file.as_bytes()), Policy::default()).is_ok());
    /// let err = Scanner::open(&sealed, None, Policy::default()).unwrap_err();
    /// assert!(err.to_string().contains("the list is sealed"), "{err}");
    /// # Ok::<(), maildlp::Error>(())
    /// ```
    pub fn open(list: &[u8], key: Option<&[u8]>, policy: Policy) -> Result<Scanner> {
        Ok(Scanner::with_list(crate::list::open(list, key)?, policy))
    }

    /// A scanner over a sealed list: [`Scanner::new`] takes every kind of list.
    #[deprecated(note = "Scanner::new takes a sealed list as it takes a plain one")]
    pub fn new_sealed(list: SealedList, policy: Policy) -> Scanner {
        Scanner::new(list, policy)
    }

    fn with_list(list: Box<dyn Lookup>, policy: Policy) -> Scanner {
        Scanner {
            policy,
            matcher: Matcher::new(list),
            parser: crate::message::parser(),
            lazy: crate::message::lazy_parser(),
        }
    }

    /// The list the scanner looks identifiers up in.
    fn lookup(&self) -> &dyn Lookup {
        self.matcher.list()
    }

    /// The id of record `r`.
    fn id(&self, r: u32) -> String {
        self.lookup().record_id(r).map(str::to_string).unwrap_or_default()
    }

    /// The protected list, when it is in clear (not sealed).
    pub fn list(&self) -> Option<&ProtectedList> {
        let list: &dyn std::any::Any = self.lookup();
        list.downcast_ref()
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The message with its recipient exposure fixed: every external visible recipient moved
    /// to Bcc, protected addresses taken out of Reply-To and Mail-Followup-To (see
    /// [`remedy::bcc`](crate::remedy::bcc)). Internal domains come from the policy, protected
    /// addresses from the list.
    pub fn fix_bcc(&self, message: &[u8]) -> crate::remedy::Fixed {
        let protected = |a: &str| self.lookup().is_listed_address(a);
        crate::remedy::bcc(
            message,
            &crate::remedy::Audience { internal: self.policy.internal_domains(), protected: &protected },
        )
    }

    /// One message per external visible recipient (see [`remedy::split`](crate::remedy::split)).
    pub fn fix_split(&self, message: &[u8]) -> Vec<crate::remedy::Fixed> {
        let protected = |a: &str| self.lookup().is_listed_address(a);
        crate::remedy::split(
            message,
            &crate::remedy::Audience { internal: self.policy.internal_domains(), protected: &protected },
        )
    }

    /// Scans a message (RFC 5322 bytes) with no envelope recipients beyond its headers.
    pub fn scan(&self, message: &[u8]) -> Report {
        self.scan_prepared(message, Vec::new())
    }

    /// Scans a message that will be delivered to `envelope` (SMTP `RCPT TO` addresses) as
    /// well as to what its headers name. An envelope recipient that is not an address is an
    /// error and nothing is scanned.
    pub fn scan_with_envelope<S: AsRef<str>>(&self, message: &[u8], envelope: &[S]) -> Result<Report> {
        let mut rcpts = Vec::with_capacity(envelope.len());
        for r in envelope {
            let canonical = crate::address::canonical(r.as_ref());
            if !crate::address::is_valid(&canonical) {
                return Err(Error::InvalidAddress(r.as_ref().to_string()));
            }
            rcpts.push(canonical);
        }
        Ok(self.scan_prepared(message, rcpts))
    }

    fn scan_prepared(&self, message: &[u8], rcpts: Vec<String>) -> Report {
        let limits = self.policy.limits();
        let mut incomplete = Vec::new();
        let bytes = if message.len() > limits.max_message_bytes {
            incomplete.push(Incomplete {
                limit: Limit::MaxMessageBytes,
                detail: format!(
                    "only the first {} of {} bytes were scanned",
                    limits.max_message_bytes,
                    message.len()
                ),
            });
            &message[..limits.max_message_bytes]
        } else {
            message
        };
        // A huge top-level header block is slimmed so that mail-parser holds it in little memory.
        let slimmed;
        let bytes = match crate::message::guard::slim(bytes) {
            Some(copy) => {
                slimmed = copy;
                &slimmed[..]
            }
            None => bytes,
        };
        // Nesting and part count are limited before mail-parser sees the message.
        let (shape, base64_bodies) = crate::message::guard::inspect_with_bodies(bytes, &limits);
        let bytes = match shape.cut {
            Some(cut) => {
                incomplete.push(Incomplete { limit: cut.limit, detail: cut.detail });
                &bytes[..cut.keep]
            }
            None => bytes,
        };
        // Bodies are decoded as they are read, unless an attached message is encoded.
        let parser = if shape.encoded_messages { &self.parser } else { &self.lazy };
        // Text that mail-parser reads as one unknown header (no known header at all) is not a
        // message: it is scanned as plain text rather than lost.
        let parse = |bytes| {
            crate::message::parse(parser, bytes).filter(|m| {
                m.parts.first().is_some_and(|root| {
                    root.headers.iter().any(|h| !matches!(h.name, mail_parser::HeaderName::Other(_)))
                })
            })
        };
        // Long encoded bodies are left out of what mail-parser looks through, when its reading
        // of the copy is its reading of the message (see `message::elide`); the walker reads
        // them from the message. The lazy parser only: the other decodes bodies itself.
        let copy = if shape.encoded_messages { None } else { crate::message::elide(bytes, &base64_bodies) };
        let (mut parsed, elided) = match &copy {
            Some(c) => match parse(&c.bytes) {
                Some(m) if c.holds(&m) => (Some(m), Some(c)),
                _ => (parse(bytes), None),
            },
            None => (parse(bytes), None),
        };
        if let Some(m) = parsed.as_mut() {
            crate::message::release(m);
        }
        let mut envelope = parsed.as_ref().map(Envelope::from_message).unwrap_or_default();
        for r in rcpts {
            envelope.add_envelope(r);
        }
        let internal = self.policy.internal_domains();
        let audience = Audience::new(&envelope, internal, self.lookup());
        let ids = |r: u32| self.id(r);

        let mut findings = Vec::new();
        rules::recipient_exposed(&envelope, &audience, self.lookup(), &ids, &mut findings);
        rules::visible_recipients(&audience, self.policy.max_visible_recipients(), &mut findings);

        SCRATCH.with(|cell| {
            // A scan inside a scan on one thread (never in practice) gets fresh buffers.
            let mut fresh = Scratch::default();
            let mut shared = cell.try_borrow_mut();
            let scratch = match shared.as_deref_mut() {
                Ok(s) => s,
                Err(_) => &mut fresh,
            };
            let report = self.scan_segments(
                scratch,
                bytes,
                parsed.as_ref().map(|m| (m, elided)),
                &envelope,
                &audience,
                findings,
                incomplete,
            );
            scratch.trim();
            report
        })
    }

    /// The content rule over every segment, then the report.
    #[allow(clippy::too_many_arguments)]
    fn scan_segments(
        &self,
        scratch: &mut Scratch,
        bytes: &[u8],
        parsed: Option<(&mail_parser::Message<'_>, Option<&crate::message::Elided<'_>>)>,
        envelope: &Envelope<'_>,
        audience: &Audience,
        mut findings: Vec<crate::report::Finding>,
        mut incomplete: Vec<Incomplete>,
    ) -> Report {
        let limits = self.policy.limits();
        let cap = self.policy.max_reported_findings();
        let ids = |r: u32| self.id(r);
        let Scratch { norm, hits, spans, seen, exposed } = scratch;
        seen.clear();
        exposed.clear();
        let mut tally = Tally::default();
        tally.count_rules(&findings);
        let detectors = self.policy.detectors();
        let sensitive_severity = self.policy.sensitive_data_severity();
        // Detected values matter only when the message reaches an outsider (or nobody, which
        // fails closed): no record owns them.
        let detect = !detectors.is_empty() && audience.reaches_others(u32::MAX);
        let mut detected: HashSet<(crate::detect::Detector, Location)> = HashSet::new();
        let mut on_segment = |seg: &Segment<'_>| {
            let text = seg.text;
            if detect {
                crate::detect::find(detectors, text, &mut |span, d| {
                    let location = seg.location_at(span.start);
                    if !detected.insert((d, location.clone())) {
                        return;
                    }
                    tally.count(Rule::SensitiveData);
                    if findings.len() >= cap {
                        return;
                    }
                    let window = excerpt_window(text, &span);
                    let mut hidden = self.matcher.conservative_spans(&text[window.clone()]);
                    for h in &mut hidden {
                        *h = h.start + window.start..h.end + window.start;
                    }
                    hidden.push(span.clone());
                    hidden.sort_unstable_by_key(|s| (s.start, s.end));
                    let excerpt = render_excerpt(text, window, &hidden);
                    let location = self.masked_location(location);
                    findings.push(rules::sensitive_data(d, sensitive_severity, location, excerpt));
                });
            }
            hits.clear();
            norm.fill(text);
            self.matcher.find(text, &mut *norm, hits);
            if hits.is_empty() {
                return;
            }
            spans.clear();
            spans.extend(hits.iter().map(|h| h.span.clone()));
            spans.sort_unstable_by_key(|s| (s.start, s.end));
            for hit in hits.iter() {
                let reaches =
                    *exposed.entry(hit.record).or_insert_with(|| audience.reaches_others(hit.record));
                if !reaches {
                    continue;
                }
                let location = seg.location_at(hit.span.start);
                if !seen.insert((hit.record, hit.kind, location.clone())) {
                    continue;
                }
                tally.content(&location, hit.record);
                // Past the cap, findings are only counted: a sheet naming 18,000 people costs
                // no excerpts.
                if findings.len() >= cap {
                    continue;
                }
                let window = excerpt_window(text, &hit.span);
                let mut hidden = self.matcher.conservative_spans(&text[window.clone()]);
                for h in &mut hidden {
                    *h = h.start + window.start..h.end + window.start;
                }
                // The segment's hits near the window (spans are sorted and short).
                let lo = spans.partition_point(|s| s.start + 4096 < window.start);
                let hi = spans.partition_point(|s| s.start < window.end);
                hidden.extend(spans[lo..hi.max(lo)].iter().filter(|s| s.end > window.start).cloned());
                hidden.sort_unstable_by_key(|s| (s.start, s.end));
                let ex = render_excerpt(text, window, &hidden);
                let location = self.masked_location(location);
                findings.push(rules::identifier(ids(hit.record), hit.kind, location, ex));
            }
        };
        match parsed {
            Some((msg, elided)) => {
                incomplete.extend(crate::message::for_each_segment_of(
                    msg,
                    elided,
                    envelope,
                    &limits,
                    &self.parser,
                    &mut on_segment,
                ));
            }
            None => {
                // Not a message at all (no header could be read): scan it as plain text.
                let text = String::from_utf8_lossy(bytes);
                let location = Location::new(Part::Body, 1);
                on_segment(&Segment { location: &location, text: &text, marks: &[] });
            }
        }
        // One finding per limit, even when the guard and the walker both met it; encrypted and
        // unreadable attachments each keep their own.
        let mut limits_met = HashSet::new();
        incomplete.retain(|i| {
            limits_met.insert((i.limit, if i.limit.is_per_item() { i.detail.clone() } else { String::new() }))
        });
        let summary = (tally.findings > cap).then(|| {
            findings.truncate(cap);
            tally.into_summary(findings.len(), incomplete.len(), |name| self.mask_label(name))
        });
        // Incomplete scans are always listed: they say the report itself is partial. Their
        // text names attachments, so it is masked like a location.
        for i in &mut incomplete {
            i.detail = self.mask_label(&i.detail);
        }
        findings.extend(incomplete.iter().map(rules::incomplete));
        Report::with_summary(findings, summary)
    }

    /// `location` with every protected identifier in its file name and path masked.
    fn masked_location(&self, mut location: Location) -> Location {
        location.name = location.name.map(|n| self.mask_label(&n));
        location.path = location.path.map(|p| self.mask_label(&p));
        location
    }

    /// `text` with what a reader would recognise as a protected identifier masked.
    fn mask_label(&self, text: &str) -> String {
        let mut hidden = self.matcher.conservative_spans(text);
        let mut hits = Vec::new();
        crate::text::normalize::with_spare(|norm| {
            norm.fill(text);
            self.matcher.find(text, norm, &mut hits);
        });
        hidden.extend(hits.into_iter().map(|h| h.span));
        if hidden.is_empty() {
            return text.to_string();
        }
        hidden.sort_unstable_by_key(|s| (s.start, s.end));
        render_excerpt(text, 0..text.len(), &hidden)
    }
}

/// Counts of every finding of a scan, listed or not, for the summary of a long report.
#[derive(Default)]
struct Tally {
    findings: usize,
    rules: std::collections::BTreeMap<Rule, usize>,
    /// Per attachment or other place: its file name, and the records named there (hidden or
    /// not).
    places: std::collections::BTreeMap<(Part, u32), PlaceTally>,
}

#[derive(Default)]
struct PlaceTally {
    name: Option<String>,
    findings: usize,
    records: HashSet<u32>,
    hidden: HashSet<u32>,
}

impl Tally {
    fn count_rules(&mut self, findings: &[crate::report::Finding]) {
        for f in findings {
            self.findings += 1;
            *self.rules.entry(f.rule).or_default() += 1;
        }
    }

    fn count(&mut self, rule: Rule) {
        self.findings += 1;
        *self.rules.entry(rule).or_default() += 1;
    }

    fn content(&mut self, location: &Location, record: u32) {
        self.findings += 1;
        *self.rules.entry(Rule::ProtectedIdentifier).or_default() += 1;
        let place = self.places.entry((location.part, location.index)).or_default();
        if place.name.is_none() {
            place.name.clone_from(&location.name);
        }
        place.findings += 1;
        place.records.insert(record);
        if location.hidden {
            place.hidden.insert(record);
        }
    }

    fn into_summary(mut self, listed: usize, incomplete: usize, mask: impl Fn(&str) -> String) -> Summary {
        if incomplete > 0 {
            *self.rules.entry(Rule::ScanIncomplete).or_default() += incomplete;
        }
        Summary {
            findings: self.findings + incomplete,
            listed: listed + incomplete,
            rules: self.rules.into_iter().map(|(r, n)| (r.as_str(), n)).collect(),
            places: self
                .places
                .into_iter()
                .map(|((part, index), p)| PlaceSummary {
                    part,
                    index,
                    name: p.name.as_deref().map(&mask),
                    findings: p.findings,
                    records: p.records.len(),
                    hidden_records: p.hidden.len(),
                })
                .collect(),
        }
    }
}

/// Buffers a scan works in, kept per thread so that scanning allocates nothing of its own per
/// segment, nor per message once the buffers have grown to the messages seen.
#[derive(Default)]
struct Scratch {
    norm: Normalized,
    hits: Vec<Hit>,
    spans: Vec<Range<usize>>,
    seen: HashSet<(u32, Kind, Location)>,
    /// Per record: does this message reach anyone outside it?
    exposed: std::collections::HashMap<u32, bool>,
}

impl Scratch {
    /// Capacity kept between scans; a huge message's buffers are given back.
    const KEEP_BYTES: usize = 4 << 20;

    fn trim(&mut self) {
        self.norm.shrink_to(Self::KEEP_BYTES);
        if self.hits.capacity() > Self::KEEP_BYTES / 32 {
            self.hits = Vec::new();
            self.spans = Vec::new();
            self.seen = HashSet::new();
            self.exposed = std::collections::HashMap::new();
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn scanner_is_send_and_sync() {
        assert_send_sync::<Scanner>();
    }
}
