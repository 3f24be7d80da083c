//! What a scan found: the verdict, the findings, and masked excerpts.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use crate::detect::Confidence;
use crate::model::{Field, Kind, Limit, Location, Part, Severity};

/// Whether `b` is false (a field left out of JSON when it is).
#[cfg(feature = "serde")]
fn is_false(b: &bool) -> bool {
    !*b
}

/// The overall judgement of a message: the highest severity found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Verdict {
    /// No finding.
    Allow,
    /// At least one `warn` finding and no `block`.
    Warn,
    /// At least one `block` finding.
    Block,
}

impl Verdict {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Rule {
    /// A protected record's own address is a visible recipient beside outsiders.
    ProtectedRecipientExposed,
    /// A protected identifier is in the content and reaches outsiders.
    ProtectedIdentifier,
    /// Too many external recipients can see each other.
    VisibleRecipients,
    /// A limit stopped part of the message from being scanned.
    ScanIncomplete,
    /// A sensitive-data detector found a valid value and the message reaches outsiders.
    SensitiveData,
}

impl Rule {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ProtectedRecipientExposed => "protected-recipient-exposed",
            Rule::ProtectedIdentifier => "protected-identifier",
            Rule::VisibleRecipients => "visible-recipients",
            Rule::ScanIncomplete => "scan-incomplete",
            Rule::SensitiveData => "sensitive-data",
        }
    }
}

/// What a finding is about, by rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum Detail {
    /// `protected-recipient-exposed`: the record and the header that shows its address.
    Recipient {
        /// The record's id.
        record: String,
        /// To or Cc.
        field: Field,
    },
    /// `protected-identifier`: the record, the kind of identifier, where, and a masked excerpt.
    Identifier {
        /// The record's id.
        record: String,
        /// The kind of identifier found.
        kind: Kind,
        /// Where it was found.
        location: Location,
        /// The text around it, with every protected identifier masked.
        excerpt: String,
        /// Whether the name was found through a variant of its given name (policy
        /// `name_variants`), not as listed; left out of JSON when not.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_false"))]
        variant: bool,
    },
    /// `visible-recipients`: how many external visible recipients, and the policy's maximum.
    VisibleRecipients {
        /// Distinct external addresses in To and Cc.
        count: usize,
        /// The policy's maximum.
        max: usize,
    },
    /// `sensitive-data`: the detector, where, and a masked excerpt.
    SensitiveData {
        /// The detector's name (`payment-card`, `iban`, `uk-nino`, `nhs-number`).
        detector: &'static str,
        /// How sure the detector is: `high` with evidence near the value or heading its
        /// column, `low` without.
        confidence: Confidence,
        /// Where it was found.
        location: Location,
        /// The text around it, the value masked.
        excerpt: String,
    },
    /// `scan-incomplete`: the limit that was reached.
    Incomplete {
        /// The limit (its policy key in reports), or `encrypted` / `unreadable`.
        limit: Limit,
        /// For `unreadable`: which reader gave up, on what (`pdf: text of page 3`, `xls:
        /// sheet 2`, `zip: member 4`), and, when it panicked, where in its source (`pdf:
        /// text of page 3 at pdf-extract-0.12.1/src/lib.rs:286`), for a user to report. Built
        /// of reader names, numbers and source places only: never text of the message.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        reader: Option<String>,
    },
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// What it is about.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub detail: Detail,
    /// A sentence for people. Never contains a protected identifier in clear.
    pub message: String,
}

/// The counts behind a report that lists only its first findings (more than the policy's
/// `max_reported_findings`): every finding by rule, and per place the distinct protected
/// records named there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Summary {
    /// Findings in all, listed or not.
    pub findings: usize,
    /// Findings the report lists.
    pub listed: usize,
    /// Findings by rule name.
    pub rules: std::collections::BTreeMap<&'static str, usize>,
    /// Places (body parts, attachments) where protected identifiers were found.
    pub places: Vec<PlaceSummary>,
}

/// Protected identifiers found in one place (a body part, an attachment with all it holds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PlaceSummary {
    /// The kind of place.
    pub part: Part,
    /// Its number (the attachment's number for attachments).
    pub index: u32,
    /// The attachment's file name, masked.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub name: Option<String>,
    /// `protected-identifier` findings there.
    pub findings: usize,
    /// Distinct protected records named there.
    pub records: usize,
    /// Of those, the records named in hidden sheets, rows, columns or text.
    pub hidden_records: usize,
}

impl PlaceSummary {
    /// The place as the text output names it (`attachment 1 extract.xlsx`).
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {} {n}", self.part.as_str(), self.index),
            None => format!("{} {}", self.part.as_str(), self.index),
        }
    }
}

/// The result of scanning one message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    verdict: Verdict,
    findings: Vec<Finding>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    summary: Option<Summary>,
    /// Why a protected rule did not fire where it would have without contacts and partners:
    /// not in the contract's JSON (`maildlp scan --explain` adds it).
    #[cfg_attr(feature = "serde", serde(skip))]
    allowed: Vec<Allowed>,
}

/// A protected rule that did not fire for a record because everyone outside who received the
/// message may receive that record's identifiers: its contacts, partner domains, or both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Allowed {
    /// The rule that would have fired.
    pub rule: Rule,
    /// The record's id.
    pub record: String,
    /// What allowed it: `contact`, `partner`, or `contact and partner`.
    pub by: &'static str,
}

impl Report {
    #[cfg(test)]
    pub(crate) fn new(findings: Vec<Finding>) -> Report {
        Report::with_summary(findings, None)
    }

    pub(crate) fn with_summary(findings: Vec<Finding>, summary: Option<Summary>) -> Report {
        let verdict = match findings.iter().map(|f| f.severity).max() {
            None => Verdict::Allow,
            Some(Severity::Warn) => Verdict::Warn,
            Some(Severity::Block) => Verdict::Block,
        };
        Report { verdict, findings, summary, allowed: Vec::new() }
    }

    pub(crate) fn with_allowed(mut self, mut allowed: Vec<Allowed>) -> Report {
        allowed.sort();
        allowed.dedup();
        self.allowed = allowed;
        self
    }

    /// Where a contact or a partner domain made the difference (see [`Allowed`]): each rule
    /// and record once, never an identifier.
    pub fn allowed(&self) -> &[Allowed] {
        &self.allowed
    }

    /// The counts of every finding, when there were more than the report lists.
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }

    /// The verdict: `allow`, `warn` or `block`.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The findings, recipient rules first, then content, then incomplete scans. A report
    /// over the policy's `max_reported_findings` lists the first ones (and every incomplete
    /// scan) and has a [`summary`](Report::summary).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The report as the contract's JSON object (`{"verdict":..,"findings":[..]}`).
    #[cfg(feature = "serde")]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| String::from("{\"verdict\":\"block\",\"findings\":[]}"))
    }
}

/// Hides an identifier: the first letter or digit of each word stays, the others become `*`,
/// punctuation stays (`Jane Doe` → `J*** D**`, `+44 20` → `+4* 2*`). Within a word, combining
/// marks (accents, Arabic harakat, Thai vowel and tone marks), invisible joiners and tatweel go
/// with the word: dropped, so that neither they nor the letter after them show
/// (`مُحَمَّد` → `م***`).
pub fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        let joins = unicode_normalization::char::is_combining_mark(c)
            || crate::matcher::is_invisible(c)
            || c == '\u{640}';
        if in_word && joins {
            continue;
        }
        if c.is_alphanumeric() {
            out.push(if in_word { '*' } else { c });
            in_word = true;
        } else {
            out.push(c);
            in_word = false;
        }
    }
    out
}

/// Characters of context on each side of an excerpt.
const CONTEXT: usize = 32;

/// The part of `text` an excerpt around `span` shows.
pub fn excerpt_window(text: &str, span: &Range<usize>) -> Range<usize> {
    back_chars(text, span.start, CONTEXT)..forward_chars(text, span.end, CONTEXT)
}

/// The excerpt of `text[window]`, on one line, with every span in `hidden` (sorted by start)
/// masked.
pub fn render_excerpt(text: &str, window: Range<usize>, hidden: &[Range<usize>]) -> String {
    let (start, end) = (window.start, window.end);
    let mut out = String::new();
    if start > 0 {
        out.push_str("... ");
    }
    let mut pos = start;
    let mut last_space = true;
    let mut push = |s: &str, out: &mut String| {
        for c in s.chars() {
            if crate::matcher::is_invisible(c) {
                continue;
            }
            if c.is_whitespace() || c.is_control() {
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            } else {
                out.push(c);
                last_space = false;
            }
        }
    };
    // Identifiers are short: any that reaches into the window starts at most this far before it.
    const LONGEST: usize = 4096;
    let first = hidden.partition_point(|h| h.start + LONGEST < start);
    let last = hidden.partition_point(|h| h.start < end);
    for h in hidden[first..last.max(first)].iter().filter(|h| h.end > start) {
        let (hs, he) = (h.start.max(pos), h.end.min(end));
        if hs >= he {
            continue;
        }
        push(&text[pos..hs], &mut out);
        push(&mask(&text[hs..he]), &mut out);
        pos = he;
    }
    push(&text[pos..end], &mut out);
    let mut out = out.trim_end().to_string();
    if end < text.len() {
        out.push_str(" ...");
    }
    out
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..].char_indices().nth(n).map_or(text.len(), |(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask("Jane Doe"), "J*** D**");
        assert_eq!(mask("Ravi Patel"), "R*** P****");
        assert_eq!(mask("jane.doe@example.org"), "j***.d**@e******.o**");
        assert_eq!(mask("+44 20 7946 0018"), "+4* 2* 7*** 0***");
        assert_eq!(mask("مُحَمَّـد كريمي"), "م*** ك****");
        assert_eq!(mask("Rene\u{301}e Ja\u{200b}ne"), "R**** J***");
        assert_eq!(mask("สมศักดิ์"), "ส****");
        assert_eq!(mask("٠٢٠ ٧٩٤٦"), "٠** ٧***");
    }

    fn excerpt(text: &str, span: &Range<usize>, hidden: &[Range<usize>]) -> String {
        render_excerpt(text, excerpt_window(text, span), hidden)
    }

    #[test]
    fn excerpts_hide_every_identifier() {
        let text = "Dear team,\nplease call Jane Doe\r\n about Ravi Patel's statement.";
        let jane = text.find("Jane Doe").unwrap();
        let ravi = text.find("Ravi Patel").unwrap();
        let ex = excerpt(text, &(jane..jane + 8), &[jane..jane + 8, ravi..ravi + 10]);
        let far = "x ".repeat(100) + text;
        let shifted =
            excerpt(&far, &(jane + 200..jane + 208), &[0..1, jane + 200..jane + 208, ravi + 200..ravi + 210]);
        assert!(shifted.contains("call J*** D** about R*** P****'s"), "{shifted}");
        assert!(
            !ex.contains("Jane") && !ex.contains("Doe") && !ex.contains("Ravi") && !ex.contains("Patel"),
            "{ex}"
        );
        assert!(ex.contains("call J*** D** about R*** P****'s"), "{ex}");
        assert!(!ex.contains('\n'));
    }

    #[test]
    fn verdict_is_highest_severity() {
        let f = |severity| Finding {
            rule: Rule::ScanIncomplete,
            severity,
            detail: Detail::Incomplete { limit: Limit::MaxParts, reader: None },
            message: String::new(),
        };
        assert_eq!(Report::new(vec![]).verdict(), Verdict::Allow);
        assert_eq!(Report::new(vec![f(Severity::Warn)]).verdict(), Verdict::Warn);
        assert_eq!(Report::new(vec![f(Severity::Warn), f(Severity::Block)]).verdict(), Verdict::Block);
    }
}

/// What can tell a protected identifier in a piece of text: the scanner, from its compiled
/// list. Excerpts, file names and paths are masked through it.
pub(crate) trait Masking {
    /// Spans of `text` that a reader would recognise as a protected identifier, found
    /// generously (every word of a name, every token of a term).
    fn conservative_spans(&self, text: &str) -> Vec<Range<usize>>;

    /// `text` with what a reader would recognise as a protected identifier masked.
    fn mask_label(&self, text: &str) -> String;

    /// `location` with every protected identifier in its file name and path masked.
    fn mask_location(&self, mut location: Location) -> Location {
        location.name = location.name.map(|n| self.mask_label(&n));
        location.path = location.path.map(|p| self.mask_label(&p));
        location
    }
}

/// The one way an excerpt is made: the text around `span`, with every protected identifier
/// `masking` recognises in the window and the `near` spans (sorted; `span` among them) that
/// touch the window masked.
pub(crate) fn masked_excerpt(
    text: &str,
    span: &Range<usize>,
    near: &[Range<usize>],
    masking: &dyn Masking,
) -> String {
    let window = excerpt_window(text, span);
    let mut hidden = masking.conservative_spans(&text[window.clone()]);
    for h in &mut hidden {
        *h = h.start + window.start..h.end + window.start;
    }
    // The spans near the window (`near` is sorted and its spans are short).
    let lo = near.partition_point(|s| s.start + 4096 < window.start);
    let hi = near.partition_point(|s| s.start < window.end);
    hidden.extend(near[lo..hi.max(lo)].iter().filter(|s| s.end > window.start).cloned());
    hidden.sort_unstable_by_key(|s| (s.start, s.end));
    render_excerpt(text, window, &hidden)
}

/// Counts of every finding of a scan, listed or not, for the summary of a long report.
#[derive(Default)]
pub(crate) struct Tally {
    /// Findings counted, listed or not.
    pub(crate) findings: usize,
    rules: std::collections::BTreeMap<Rule, usize>,
    /// Per attachment or other place: its file name, and the records named there (hidden or
    /// not).
    places: std::collections::BTreeMap<(Part, u32), PlaceTally>,
}

#[derive(Default)]
pub(crate) struct PlaceTally {
    name: Option<String>,
    findings: usize,
    records: HashSet<u32>,
    hidden: HashSet<u32>,
}

impl Tally {
    pub(crate) fn count_rules(&mut self, findings: &[Finding]) {
        for f in findings {
            self.findings += 1;
            *self.rules.entry(f.rule).or_default() += 1;
        }
    }

    pub(crate) fn count(&mut self, rule: Rule) {
        self.findings += 1;
        *self.rules.entry(rule).or_default() += 1;
    }

    pub(crate) fn content(&mut self, location: &Location, record: u32) {
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

    pub(crate) fn into_summary(
        mut self,
        listed: usize,
        incomplete: usize,
        mask: impl Fn(&str) -> String,
    ) -> Summary {
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
