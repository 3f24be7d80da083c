//! The compiled scanner: a protected list and a policy, built once and shared.

use std::collections::HashSet;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::list::{Lookup, ProtectedList};
use crate::matcher::{Hit, Matcher};
use crate::message::Envelope;
use crate::model::{Kind, Location, Segment};
use crate::policy::Policy;
use crate::report::{render_excerpt, Report};
use crate::rules::{self, Audience};
use crate::text::Normalized;

/// A protected list and a policy, compiled for scanning.
///
/// Building it does all the work that does not depend on a message; scanning only reads it.
/// It is `Send + Sync`: build it once and share it (in an `Arc`) between threads.
#[derive(Debug)]
pub struct Scanner {
    policy: Policy,
    /// Parses header blocks (mail-parser, configured once).
    parser: crate::message::HeaderParser,
    /// The matcher, and through it the list (record ids, the records owning an address).
    matcher: Matcher,
    /// OCR's settings and the listed name words OCR text is corrected towards, when the
    /// policy reads images.
    #[cfg(feature = "ocr")]
    ocr: Option<(crate::ocr::Settings, crate::ocr::Vocabulary)>,
}

impl Scanner {
    /// Compiles `list` under `policy`: a [`ProtectedList`], a [`SealedList`](crate::list::SealedList) (every verdict
    /// and finding is the one the plain list gives, except that excerpts can mask only what
    /// was matched), or any other [`Lookup`].
    ///
    /// The first scanner built in a process installs maildlp's panic hook (see
    /// [the crate's documentation](crate#panics-inside-readers)): a panic inside a document
    /// reader that maildlp catches prints nothing; every other panic goes to the hook that was
    /// in place before.
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
        Ok(Scanner::with_list(crate::list::open_limited(list, key, policy.max_list_records())?, policy))
    }

    fn with_list(list: Box<dyn Lookup>, policy: Policy) -> Scanner {
        crate::panics::install_hook();
        let matcher = Matcher::new(list, policy.name_variants());
        #[cfg(feature = "ocr")]
        let ocr = policy.ocr().then(|| {
            let settings = crate::ocr::Settings {
                languages: policy.ocr_languages().join("+"),
                max_pixels: policy.limits().max_ocr_pixels,
            };
            (settings, crate::ocr::Vocabulary::new(matcher.list()))
        });
        Scanner {
            policy,
            parser: crate::message::HeaderParser::default(),
            matcher,
            #[cfg(feature = "ocr")]
            ocr,
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

    /// The date, sender, subject and external recipient domains of `message`, for an audit
    /// report: the subject masked as [`Scanner::mask_text`] masks, a sender the list protects
    /// masked, domains outside the policy's internal ones. Nothing for bytes that are not a
    /// message.
    ///
    /// ```
    /// use maildlp::{Policy, Scanner};
    ///
    /// let scanner = Scanner::open(b"id,kind,value\nV01,name,Jane Doe\n", None, Policy::default())?;
    /// let details = scanner.details(b"From: desk@met.example\r\nTo: a@paper.example\r\nSubject: Jane Doe\r\n\r\nHi\r\n");
    /// assert_eq!(details.subject.as_deref(), Some("J*** D**"));
    /// assert_eq!(details.domains, ["paper.example"]);
    /// # Ok::<(), maildlp::Error>(())
    /// ```
    pub fn details(&self, message: &[u8]) -> crate::MessageDetails {
        let limits = self.policy.limits();
        let source = crate::message::Source::new(message, &limits);
        let reading = source.read(&self.parser);
        self.details_of(&reading, &reading.envelope())
    }

    /// The details of a message from the reading a scan makes of it.
    fn details_of(
        &self,
        reading: &crate::message::Reading<'_>,
        envelope: &Envelope<'_>,
    ) -> crate::MessageDetails {
        crate::details::of(
            reading.message(),
            envelope,
            self.policy.internal_domains(),
            &|text| self.mask_text(text),
            &|addr| self.is_protected_address(addr),
        )
    }

    /// `text` as a report shows it: every protected identifier a reader would recognise in
    /// it masked, and, as in excerpts, every address-shaped token and long number
    /// (`Re: Jane Doe` → `Re: J*** D**`). For subjects and other labels a report carries.
    ///
    /// ```
    /// use maildlp::{Policy, Scanner};
    ///
    /// let scanner = Scanner::open(b"id,kind,value\nV01,name,Jane Doe\n", None, Policy::default())?;
    /// assert_eq!(scanner.mask_text("Re: Jane Doe"), "Re: J*** D**");
    /// assert_eq!(scanner.mask_text("Rota for May"), "Rota for May");
    /// # Ok::<(), maildlp::Error>(())
    /// ```
    pub fn mask_text(&self, text: &str) -> String {
        crate::report::Masking::mask_label(self, text)
    }

    /// Whether a record of the list gives `addr` (in any case, with or without angle
    /// brackets) as its own address.
    ///
    /// ```
    /// use maildlp::{Policy, Scanner};
    ///
    /// let scanner = Scanner::open(b"id,kind,value\nV01,email,jane@example.org\n", None, Policy::default())?;
    /// assert!(scanner.is_protected_address("<Jane@Example.org>"));
    /// assert!(!scanner.is_protected_address("desk@met.example"));
    /// # Ok::<(), maildlp::Error>(())
    /// ```
    pub fn is_protected_address(&self, addr: &str) -> bool {
        self.lookup().is_listed_address(&crate::address::canonical(addr))
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
        self.scan_prepared(message, Vec::new(), false).0
    }

    /// Scans a message that will be delivered to `envelope` (SMTP `RCPT TO` addresses) as
    /// well as to what its headers name. An envelope recipient that is not an address is an
    /// error and nothing is scanned.
    pub fn scan_with_envelope<S: AsRef<str>>(&self, message: &[u8], envelope: &[S]) -> Result<Report> {
        Ok(self.scan_to(message, &Recipients::new(envelope)?))
    }

    /// Scans a message that will be delivered to `recipients` (checked once by
    /// [`Recipients::new`]) as well as to what its headers name.
    pub fn scan_to(&self, message: &[u8], recipients: &Recipients) -> Report {
        self.scan_prepared(message, recipients.0.clone(), false).0
    }

    /// [`Scanner::scan_to`] and [`Scanner::details`] of the message together, from one
    /// reading of it: what an audit (`maildlp scan --details`, the Spark audit) takes of each
    /// message, for little more than the scan alone costs.
    ///
    /// ```
    /// use maildlp::{Policy, Recipients, Scanner};
    ///
    /// let scanner = Scanner::open(b"id,kind,value\nV01,name,Jane Doe\n", None, Policy::default())?;
    /// let message = b"From: desk@met.example\r\nTo: a@paper.example\r\nSubject: Jane Doe\r\n\r\nHi\r\n";
    /// let (report, details) = scanner.scan_with_details(message, &Recipients::default());
    /// assert_eq!(report, scanner.scan(message));
    /// assert_eq!(details, scanner.details(message));
    /// assert_eq!(details.subject.as_deref(), Some("J*** D**"));
    /// # Ok::<(), maildlp::Error>(())
    /// ```
    pub fn scan_with_details(
        &self,
        message: &[u8],
        recipients: &Recipients,
    ) -> (Report, crate::MessageDetails) {
        let (report, details) = self.scan_prepared(message, recipients.0.clone(), true);
        (report, details.unwrap_or_default())
    }

    /// [`Scanner::open`] taking the list file's bytes by value: they are freed as soon as the
    /// list is read, before it is compiled, so a large list's file is not held beside it.
    pub fn open_owned(list: Vec<u8>, key: Option<&[u8]>, policy: Policy) -> Result<Scanner> {
        let lookup = crate::list::open_owned(list, key, policy.max_list_records())?;
        Ok(Scanner::with_list(lookup, policy))
    }

    /// The scan of `message` for `rcpts`, and its details when `details` is set, from one
    /// reading.
    fn scan_prepared(
        &self,
        message: &[u8],
        rcpts: Vec<String>,
        details: bool,
    ) -> (Report, Option<crate::MessageDetails>) {
        let limits = self.policy.limits();
        let source = crate::message::Source::new(message, &limits);
        let reading = source.read(&self.parser);
        let mut envelope = reading.envelope();
        for r in rcpts {
            envelope.add_envelope(r);
        }
        let internal = self.policy.internal_domains();
        let audience = Audience::new(&envelope, internal, self.policy.partner_domains(), self.lookup());
        let ids = |r: u32| self.id(r);

        let mut findings = Vec::new();
        let mut allowed = Vec::new();
        rules::recipient_exposed(&envelope, &audience, self.lookup(), &ids, &mut findings, &mut allowed);
        rules::visible_recipients(&audience, self.policy.max_visible_recipients(), &mut findings);

        let report = SCRATCH.with(|cell| {
            // A scan inside a scan on one thread (never in practice) gets fresh buffers.
            let mut fresh = Scratch::default();
            let mut shared = cell.try_borrow_mut();
            let scratch = match shared.as_deref_mut() {
                Ok(s) => s,
                Err(_) => &mut fresh,
            };
            let report = self.scan_segments(scratch, &reading, &envelope, &audience, (findings, allowed));
            scratch.trim();
            report
        });
        // After the scan, whose scratch buffers masking does not share.
        let details = details.then(|| self.details_of(&reading, &envelope));
        (report, details)
    }

    /// The content rules over every segment, then the report.
    fn scan_segments(
        &self,
        scratch: &mut Scratch,
        reading: &crate::message::Reading<'_>,
        envelope: &Envelope<'_>,
        audience: &Audience,
        (findings, allowed): (Vec<crate::report::Finding>, Vec<crate::report::Allowed>),
    ) -> Report {
        let limits = self.policy.limits();
        let ids = |r: u32| self.id(r);
        let Scratch { norm, hits, spans, seen, exposed, evidence } = scratch;
        let mut content = rules::Content::new(
            audience,
            &ids,
            self,
            self.policy.max_reported_findings(),
            self.policy.sensitive_data_severity(),
            findings,
            seen,
            exposed,
        );
        content.allow(allowed);
        let detectors = self.policy.detectors();
        let detect = !detectors.is_empty() && content.wants_detectors();
        let least = self.policy.detector_confidence();
        evidence.start_message();
        #[cfg(feature = "ocr")]
        let (session, vocabulary) = match &self.ocr {
            Some((settings, vocabulary)) => (Some(crate::ocr::Ocr::new(settings)), Some(vocabulary)),
            None => (None, None),
        };
        #[cfg(not(feature = "ocr"))]
        let session: Option<crate::content::Ocr<'_>> = None;
        let mut on_segment = |seg: &Segment<'_>| {
            // Text read by OCR: words one letter off a listed name word are put back first.
            #[cfg(feature = "ocr")]
            let corrected = match vocabulary {
                Some(v) if seg.location.ocr => v.correct(seg.text),
                _ => None,
            };
            #[cfg(feature = "ocr")]
            let seg = &match &corrected {
                Some(text) => Segment { text, ..*seg },
                None => *seg,
            };
            norm.fill(seg.text);
            if detect {
                evidence.find(detectors, seg, norm, &mut |span, d, confidence| {
                    if confidence >= least {
                        content.detected(seg, span, d, confidence);
                    }
                });
            }
            hits.clear();
            self.matcher.find(seg.text, &mut *norm, hits);
            if hits.is_empty() {
                return;
            }
            spans.clear();
            spans.extend(hits.iter().map(|h| h.span.clone()));
            spans.sort_unstable_by_key(|s| (s.start, s.end));
            content.hits(seg, hits, spans);
        };
        let incomplete =
            crate::content::for_each_segment(reading, envelope, &limits, session.as_ref(), &mut on_segment);
        content.report(incomplete)
    }
}

impl crate::report::Masking for Scanner {
    fn conservative_spans(&self, text: &str) -> Vec<Range<usize>> {
        self.matcher.conservative_spans(text)
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

/// Envelope recipients (SMTP `RCPT TO`), checked and canonical: check them once, then scan any
/// number of messages to them with [`Scanner::scan_to`].
///
/// ```
/// use maildlp::Recipients;
/// assert!(Recipients::new(&["Jane.Doe@Example.org"]).is_ok());
/// assert!(matches!(Recipients::new(&["not an address"]), Err(maildlp::Error::InvalidAddress(_))));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients(Vec<String>);

impl Recipients {
    /// The recipients `envelope` names; an entry that is not an email address is an
    /// [`Error::InvalidAddress`].
    pub fn new<S: AsRef<str>>(envelope: &[S]) -> Result<Recipients> {
        let mut rcpts = Vec::with_capacity(envelope.len());
        for r in envelope {
            let canonical = crate::address::canonical(r.as_ref());
            if !crate::address::is_valid(&canonical) {
                return Err(Error::InvalidAddress(r.as_ref().to_string()));
            }
            rcpts.push(canonical);
        }
        Ok(Recipients(rcpts))
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
    /// The evidence that makes detected values `high` confidence.
    evidence: crate::detect::Evidence,
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
            self.evidence.shrink();
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
