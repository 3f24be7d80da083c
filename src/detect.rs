//! Sensitive-data detectors: numbers whose shape and checksum say what they are, whoever they
//! belong to. Each is off unless the policy enables it (`detectors = [...]`, `--detect NAME`).
//!
//! - `payment-card`: 13 to 19 digits (in groups separated by single spaces or hyphens) with a
//!   known issuer prefix and a valid Luhn check digit;
//! - `iban`: a country code, two check digits and the account, of that country's length,
//!   valid under ISO 7064 mod 97-10 (written solid or in groups of four);
//! - `uk-nino`: a UK National Insurance number, with a prefix HMRC issues and a suffix A to D;
//! - `nhs-number`: ten digits (solid or 3-3-4) whose mod 11 check digit is valid.
//!
//! A value must stand on its own: a valid number inside a longer run of digits or letters is
//! not one.
//!
//! A checksum alone says little: one ten-digit number in eleven passes the NHS check, and
//! order numbers pass Luhn's. So every value found gets a [`Confidence`]: `high` when one of its
//! detector's evidence terms ([`Detector::evidence_terms`], compared in normalised form: case,
//! accents and line breaks do not matter) stands within [`EVIDENCE_WINDOW`] characters of it in
//! the same segment, or heads its column (a cell above it in the same column of a spreadsheet,
//! or of a table whose rows are lines of cells separated by tabs or ` | `, or a CSV attachment's
//! fields); `low` otherwise. [`Evidence`] judges the values of one message's segments in order.

use std::ops::Range;

use aho_corasick::AhoCorasick;

use crate::matcher::phone::next_between;
use crate::model::{Location, Part, Segment};
use crate::text::Normalized;

/// A built-in detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    /// Payment card numbers.
    PaymentCard,
    /// International bank account numbers.
    Iban,
    /// UK National Insurance numbers.
    UkNino,
    /// NHS numbers (England, Wales, Isle of Man).
    NhsNumber,
}

impl Detector {
    /// Every detector.
    pub const ALL: [Detector; 4] =
        [Detector::PaymentCard, Detector::Iban, Detector::UkNino, Detector::NhsNumber];

    /// The name used in policies, on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Detector::PaymentCard => "payment-card",
            Detector::Iban => "iban",
            Detector::UkNino => "uk-nino",
            Detector::NhsNumber => "nhs-number",
        }
    }

    /// The detector called `name`.
    pub fn from_name(name: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The words that make a value of this detector `high` confidence when they stand near it
    /// or head its column: English first, then the common abbreviations and the Welsh. They
    /// are compared with the text as the rest of maildlp compares (normalised: case, accents,
    /// punctuation and line breaks do not matter), whole words only.
    pub fn evidence_terms(self) -> &'static [&'static str] {
        match self {
            Detector::PaymentCard => &[
                "card",
                "cards",
                "card number",
                "card no",
                "cardnumber",
                "card holder",
                "cardholder",
                "credit",
                "debit",
                "credit card",
                "debit card",
                "payment card",
                "visa",
                "mastercard",
                "master card",
                "maestro",
                "amex",
                "american express",
                "diners club",
                "discover card",
                "jcb",
                "unionpay",
                "expiry",
                "expiry date",
                "expires",
                "exp",
                "exp date",
                "expiration",
                "valid thru",
                "valid to",
                "cvv",
                "cvv2",
                "cvc",
                "cvc2",
                "cv2",
                "security code",
                "pan",
                "cerdyn",
                "cerdyn credyd",
                "cerdyn debyd",
                "dyddiad dod i ben",
            ],
            Detector::Iban => &[
                "iban",
                "iban no",
                "bank",
                "bank account",
                "bank details",
                "bank transfer",
                "account",
                "account number",
                "account no",
                "acct",
                "bic",
                "swift",
                "sort code",
                "payee",
                "beneficiary",
                "banc",
                "cyfrif",
                "rhif cyfrif",
                "cod didoli",
            ],
            Detector::UkNino => &[
                "national insurance",
                "national insurance number",
                "nationalinsurance",
                "national ins",
                "nat ins",
                "insurance number",
                "ni",
                "ni no",
                "ni number",
                "nino",
                "nin",
                "social security",
                "yswiriant gwladol",
                "rhif yswiriant gwladol",
            ],
            Detector::NhsNumber => &[
                "nhs",
                "nhs no",
                "nhs number",
                "nhsnumber",
                "nhs id",
                "national health service",
                "health service number",
                "patient",
                "patient number",
                "patient id",
                "rhif gig",
                "gig cymru",
                "gwasanaeth iechyd gwladol",
                "claf",
            ],
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// How sure a detector is that a valid value is what its shape says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Confidence {
    /// A valid value with no evidence near it.
    Low,
    /// A valid value with an evidence term near it or heading its column.
    #[default]
    High,
}

impl Confidence {
    /// The name used in policies, on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::High => "high",
        }
    }

    /// The confidence called `name` (`high` or `low`).
    pub fn from_name(name: &str) -> Option<Confidence> {
        match name {
            "high" => Some(Confidence::High),
            "low" => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// Characters either side of a value within which an evidence term makes it `high` (as
/// Microsoft Purview's sensitive information types count).
pub const EVIDENCE_WINDOW: usize = 300;

/// Tables whose column headers a scan remembers at once; past it the oldest is forgotten.
const MAX_TABLES: usize = 64;

/// The longest line read as a table row, either side of a value (bytes).
const MAX_LINE: usize = 4096;

/// Columns a table's headers are remembered for (XLSX has 16,384).
const MAX_COLUMNS: usize = 16_384;

/// The evidence terms of every detector, normalised, in one automaton.
struct Terms {
    automaton: Option<AhoCorasick>,
    /// Per pattern: the detectors it is evidence for (one bit each).
    masks: Vec<u8>,
}

fn terms() -> &'static Terms {
    static TERMS: std::sync::OnceLock<Terms> = std::sync::OnceLock::new();
    TERMS.get_or_init(|| {
        let mut patterns: Vec<String> = Vec::new();
        let mut masks: Vec<u8> = Vec::new();
        for d in Detector::ALL {
            for t in d.evidence_terms() {
                let n = crate::text::normalize(t);
                match patterns.iter().position(|p| *p == n) {
                    Some(i) => masks[i] |= d.bit(),
                    None => {
                        patterns.push(n);
                        masks.push(d.bit());
                    }
                }
            }
        }
        Terms { automaton: AhoCorasick::new(&patterns).ok(), masks }
    })
}

/// Calls `found(span, detectors)` for every evidence term at word boundaries of normalised
/// text `norm`.
fn evidence_in(norm: &[u8], found: &mut dyn FnMut(Range<usize>, u8)) {
    let t = terms();
    let Some(ac) = &t.automaton else { return };
    for m in ac.find_overlapping_iter(norm) {
        let r = m.range();
        let before = r.start == 0 || norm.get(r.start - 1) == Some(&b' ');
        let after = r.end == norm.len() || norm.get(r.end) == Some(&b' ');
        if before && after {
            found(r, t.masks.get(m.pattern().as_usize()).copied().unwrap_or(0));
        }
    }
}

/// Whether `a` and `b` (spans of `text`) are at most [`EVIDENCE_WINDOW`] characters apart.
fn near(text: &str, a: &Range<usize>, b: &Range<usize>) -> bool {
    let gap = if a.end <= b.start {
        a.end..b.start
    } else if b.end <= a.start {
        b.end..a.start
    } else {
        return true;
    };
    if gap.len() <= EVIDENCE_WINDOW {
        return true;
    }
    if gap.len() > 4 * EVIDENCE_WINDOW {
        return false;
    }
    text.get(gap).is_some_and(|g| g.chars().count() <= EVIDENCE_WINDOW)
}

/// How a segment lays out columns, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Not a table.
    Flow,
    /// A spreadsheet row: each cell a mark with its column.
    Cells,
    /// Lines of cells separated by tabs or ` | ` (and by `delim` outside quotes, in a CSV
    /// attachment).
    Lines { delim: Option<u8> },
}

impl Layout {
    /// The layout of `seg`. A segment with no `values` matters only as a row whose headers
    /// later segments of its table may stand under (a spreadsheet row, a CSV attachment read
    /// in pieces, a document table's row, whose cells are joined by ` | `); tab-separated
    /// text is one segment, headers and values together, so it is looked for only with values.
    fn of(seg: &Segment<'_>, values: bool) -> Layout {
        if seg.marks.iter().any(|m| m.cell.is_some()) {
            return Layout::Cells;
        }
        let b = seg.text.as_bytes();
        let csv = seg.location.name.as_deref().and_then(|n| n.rsplit_once('.')).map(|(_, ext)| ext);
        if csv.is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            let first = &b[..memchr::memchr(b'\n', b).unwrap_or(b.len())];
            let count = |c: u8| first.iter().filter(|&&x| x == c).count();
            return Layout::Lines { delim: Some(if count(b';') > count(b',') { b';' } else { b',' }) };
        }
        let bar = |i: usize| i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' ');
        let row = if values {
            // One pass for a tab or a ` | ` (found by its `|`, a rare byte).
            memchr::memchr2_iter(b'\t', b'|', b).any(|i| b[i] == b'\t' || bar(i))
        } else {
            seg.location.part == Part::Attachment && memchr::memchr_iter(b'|', b).any(bar)
        };
        if row {
            Layout::Lines { delim: None }
        } else {
            Layout::Flow
        }
    }

    /// The 1-based column of the text at `offset`, when it stands in a table's cell.
    fn column(self, seg: &Segment<'_>, offset: usize) -> Option<usize> {
        match self {
            Layout::Flow => None,
            Layout::Cells => {
                let i = seg.marks.partition_point(|m| m.start <= offset);
                let (_, col) = i.checked_sub(1).and_then(|i| seg.marks.get(i))?.cell?;
                Some(col as usize)
            }
            Layout::Lines { delim } => {
                let b = seg.text.as_bytes();
                let offset = offset.min(b.len());
                // A line longer than a table row is written is no row (and costs no more).
                let lo = offset.saturating_sub(MAX_LINE);
                let start = match memchr::memrchr(b'\n', &b[lo..offset]) {
                    Some(i) => lo + i + 1,
                    None if lo == 0 => 0,
                    None => return None,
                };
                let hi = (offset + MAX_LINE).min(b.len());
                let end = match memchr::memchr(b'\n', &b[offset..hi]) {
                    Some(i) => offset + i,
                    None if hi == b.len() => hi,
                    None => return None,
                };
                let line = &b[start..end];
                let (mut col, mut cells, mut quoted) = (1usize, 1usize, false);
                let mut i = 0;
                while i < line.len() {
                    let c = line[i];
                    let sep = if c == b'"' && delim.is_some() {
                        quoted = !quoted;
                        0
                    } else if quoted {
                        0
                    } else if c == b'\t' || Some(c) == delim {
                        1
                    } else if line[i..].starts_with(b" | ") {
                        3
                    } else {
                        0
                    };
                    if sep > 0 {
                        cells += 1;
                        if start + i < offset {
                            col += 1;
                        }
                        i += sep;
                    } else {
                        i += 1;
                    }
                }
                (cells > 1).then_some(col)
            }
        }
    }
}

/// The confidence of detected values, segment after segment of one message: evidence near a
/// value in its segment, and the evidence heading each column of the tables seen so far.
#[derive(Debug, Default)]
pub struct Evidence {
    /// Per table (a segment's location: a sheet, an attachment): the detectors whose evidence
    /// stands in each column (index: column - 1), most recent table last.
    tables: Vec<(Location, Vec<u8>)>,
    values: Vec<(Range<usize>, Detector)>,
    terms: Vec<(Range<usize>, u8)>,
}

impl Evidence {
    /// Forgets the tables of the last message.
    pub fn start_message(&mut self) {
        self.tables.clear();
    }

    /// Gives back memory after a huge message.
    pub fn shrink(&mut self) {
        self.values = Vec::new();
        self.terms = Vec::new();
        self.tables = Vec::new();
    }

    /// Runs the `enabled` detectors over `seg` (whose text `norm` holds normalised) and calls
    /// `found(span, detector, confidence)` for each valid value, in the order of the text.
    pub fn find(
        &mut self,
        enabled: &[Detector],
        seg: &Segment<'_>,
        norm: &mut Normalized,
        found: &mut dyn FnMut(Range<usize>, Detector, Confidence),
    ) {
        self.values.clear();
        let values = &mut self.values;
        find(enabled, seg.text, &mut |span, d| values.push((span, d)));
        if self.values.is_empty() && seg.marks.is_empty() && seg.location.part != Part::Attachment {
            // Neither a value nor a row of a table that later segments continue.
            return;
        }
        let layout = Layout::of(seg, !self.values.is_empty());
        if self.values.is_empty() && layout == Layout::Flow {
            return;
        }
        self.values.sort_by_key(|(span, _)| span.start);
        self.terms.clear();
        let terms = &mut self.terms;
        evidence_in(norm.as_bytes(), &mut |r, mask| terms.push((r, mask)));
        for (r, _) in &mut self.terms {
            *r = norm.source_range(r.clone(), seg.text);
        }
        let mut table = match layout {
            Layout::Flow => None,
            _ => Some(self.table(seg.location)),
        };
        // Terms in the order they start; a value never overlaps one (terms are words, values
        // digits and capitals standing alone).
        self.terms.sort_unstable_by_key(|(r, _)| (r.start, r.end));
        let mut applied = 0;
        // Per detector: the end of the last term before the value (the closest one).
        let mut last_end = [None::<usize>; Detector::ALL.len()];
        for (span, d) in &self.values {
            // Terms before the value stand above it or beside it in its row: they head their
            // columns from here on.
            while let Some((r, mask)) = self.terms.get(applied).filter(|(r, _)| r.start < span.start) {
                if let (Some(t), Some(col)) = (table.as_mut(), layout.column(seg, r.start)) {
                    mark_column(&mut self.tables, *t, col, *mask);
                }
                for (i, end) in last_end.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        *end = Some(end.map_or(r.end, |e| e.max(r.end)));
                    }
                }
                applied += 1;
            }
            let before = last_end[*d as usize].is_some_and(|end| near(seg.text, &(end..end), span));
            let after = || {
                self.terms[applied..]
                    .iter()
                    .take_while(|(r, _)| r.start <= span.end + 4 * EVIDENCE_WINDOW)
                    .any(|(r, mask)| mask & d.bit() != 0 && near(seg.text, r, span))
            };
            let close = before || after();
            let headed = table.is_some_and(|t| {
                layout.column(seg, span.start).is_some_and(|col| {
                    self.tables
                        .get(t)
                        .and_then(|(_, cols)| cols.get(col - 1))
                        .is_some_and(|m| m & d.bit() != 0)
                })
            });
            let confidence = if close || headed { Confidence::High } else { Confidence::Low };
            found(span.clone(), *d, confidence);
        }
        if let Some(t) = table.take() {
            for (r, mask) in &self.terms[applied..] {
                if let Some(col) = layout.column(seg, r.start) {
                    mark_column(&mut self.tables, t, col, *mask);
                }
            }
        }
    }

    /// The index of the table at `location`, made if new (forgetting the oldest past
    /// [`MAX_TABLES`]).
    fn table(&mut self, location: &Location) -> usize {
        if let Some(i) = self.tables.iter().rposition(|(l, _)| l == location) {
            return i;
        }
        if self.tables.len() >= MAX_TABLES {
            self.tables.remove(0);
        }
        self.tables.push((location.clone(), Vec::new()));
        self.tables.len() - 1
    }
}

/// Records that evidence for the detectors in `mask` heads column `col` of table `t`.
fn mark_column(tables: &mut [(Location, Vec<u8>)], t: usize, col: usize, mask: u8) {
    if col == 0 || col > MAX_COLUMNS {
        return;
    }
    if let Some((_, cols)) = tables.get_mut(t) {
        if cols.len() < col {
            cols.resize(col, 0);
        }
        if let Some(m) = cols.get_mut(col - 1) {
            *m |= mask;
        }
    }
}

/// Calls `found(span, detector)` for every valid value the `enabled` detectors find in `text`.
/// Digits of every script are digits (`٩٤٣ ٤٧٦ ٥٩١٩`, see [`crate::text::digits`]); the scans
/// themselves look at ASCII bytes.
pub fn find(enabled: &[Detector], text: &str, found: &mut dyn FnMut(Range<usize>, Detector)) {
    crate::text::digits::with_ascii_digits(text, |text, back| {
        find_ascii(enabled, text, &mut |span, d| found(crate::text::digits::span_back(back, span), d))
    })
}

/// [`find`] for ASCII digits.
fn find_ascii(enabled: &[Detector], text: &str, found: &mut dyn FnMut(Range<usize>, Detector)) {
    let on = |d| enabled.contains(&d);
    let want = Want {
        runs: on(Detector::PaymentCard) || on(Detector::NhsNumber),
        iban: on(Detector::Iban),
        nino: on(Detector::UkNino),
    };
    if !(want.runs || want.iban || want.nino) {
        return;
    }
    scan_digits(text, want, &mut |hit| match hit {
        Hit::Run(span, digits, groups) => {
            if on(Detector::PaymentCard)
                && (13..=19).contains(&digits.len())
                && card_prefix(digits)
                && luhn(digits)
            {
                found(span.clone(), Detector::PaymentCard);
            }
            let nhs_groups = groups == [10] || groups == [3, 3, 4];
            if on(Detector::NhsNumber) && nhs_groups && nhs_valid(digits) {
                found(span, Detector::NhsNumber);
            }
        }
        Hit::Iban(span) => found(span, Detector::Iban),
        Hit::Nino(span) => found(span, Detector::UkNino),
    });
}

/// What one pass over a text's digits looks for.
#[derive(Debug, Clone, Copy)]
struct Want {
    /// Runs of digit groups (cards, NHS numbers).
    runs: bool,
    /// IBANs: two capitals, then the check digits.
    iban: bool,
    /// National Insurance numbers: two capitals, maybe a space, then digits.
    nino: bool,
}

/// What [`scan_digits`] found: a run of digit groups standing alone (its span, digits and group
/// lengths), or the span of a valid-looking IBAN or National Insurance number.
enum Hit<'a> {
    Run(Range<usize>, &'a [u8], &'a [usize]),
    Iban(Range<usize>),
    Nino(Range<usize>),
}

/// One pass over the digits of `text` for every value `want` names. Every value holds a digit
/// run, and IBANs and National Insurance numbers start two capitals (and, for the latter, maybe
/// a space) before the first digit of one, so only the starts of digit runs are looked at.
fn scan_digits(text: &str, want: Want, each: &mut dyn FnMut(Hit<'_>)) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut digits = [0u8; 24];
    let mut groups = [0usize; 24];
    // The first place an IBAN or a National Insurance number may start (past the last found).
    let (mut iban_next, mut nino_next) = (0usize, 0usize);
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i = next_between(b, i + 1, b'0', b'9');
            continue;
        }
        // `b[i]` starts a run of digits.
        if want.iban && i >= 2 && i - 2 >= iban_next && b[i - 1].is_ascii_uppercase() {
            if let Some(end) = iban_at(b, i - 2) {
                each(Hit::Iban(i - 2..end));
                iban_next = end;
            }
        }
        if want.nino {
            let start = match b.get(i.wrapping_sub(1)) {
                Some(c) if c.is_ascii_uppercase() && i >= 2 => Some(i - 2),
                Some(b' ') if i >= 3 => Some(i - 3),
                _ => None,
            };
            if let Some((start, end)) =
                start.filter(|&s| s >= nino_next).and_then(|s| Some(s).zip(nino_at(b, s)))
            {
                each(Hit::Nino(start..end));
                nino_next = end;
            }
        }
        if !want.runs || (i > 0 && is_word_byte(b[i - 1])) {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        let start = i;
        let (mut n, mut g, mut len) = (0usize, 0usize, 0usize);
        let mut overflow = false;
        let end;
        loop {
            while i < b.len() && b[i].is_ascii_digit() {
                if n < digits.len() {
                    digits[n] = b[i];
                } else {
                    overflow = true;
                }
                n += 1;
                len += 1;
                i += 1;
            }
            if g < groups.len() {
                groups[g] = len;
            } else {
                overflow = true;
            }
            g += 1;
            len = 0;
            if i + 1 < b.len() && matches!(b[i], b' ' | b'-') && b[i + 1].is_ascii_digit() {
                i += 1;
                continue;
            }
            end = i;
            break;
        }
        let stands_alone = end == b.len() || !is_word_byte(b[end]);
        if stands_alone && !overflow {
            each(Hit::Run(start..end, &digits[..n], &groups[..g]));
        }
        i = end.max(start + 1);
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Called with a digit run's span, its digits and its group lengths.
#[cfg(test)]
type RunSink<'a> = dyn FnMut(Range<usize>, &[u8], &[usize]) + 'a;

/// Every maximal run of digit groups (single spaces or hyphens between groups) that stands on
/// its own: its span, digits and group lengths. Runs longer than 24 digits are passed over.
#[cfg(test)]
fn digit_runs(text: &str, each: &mut RunSink<'_>) {
    let want = Want { runs: true, iban: false, nino: false };
    scan_digits(text, want, &mut |hit| {
        if let Hit::Run(span, digits, groups) = hit {
            each(span, digits, groups);
        }
    });
}

/// The Luhn check (ISO/IEC 7812).
fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = (d - b'0') as u32;
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Issuer prefixes of the major card schemes (Visa, Mastercard, American Express, Discover,
/// JCB, Diners Club, Maestro, UnionPay) for the number's length.
fn card_prefix(d: &[u8]) -> bool {
    let n = d.len();
    let p = |k: usize| -> u32 { std::str::from_utf8(&d[..k]).ok().and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    (p1 == 4 && matches!(n, 13 | 16 | 19))
        || ((51..=55).contains(&p2) || (222_100..=272_099).contains(&p6)) && n == 16
        || (p2 == 34 || p2 == 37) && n == 15
        || (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&n)
        || (3528..=3589).contains(&p4) && (16..=19).contains(&n)
        || ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&n)
        || (p2 == 50 || (56..=69).contains(&p2)) && (13..=19).contains(&n)
        || p2 == 62 && (16..=19).contains(&n)
}

/// NHS number check: weights 10 down to 2 on the first nine digits, 11 minus the sum mod 11
/// (11 reads as 0, 10 is never valid) must be the tenth.
fn nhs_valid(d: &[u8]) -> bool {
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().enumerate().map(|(i, &c)| (c - b'0') as u32 * (10 - i as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == (d[9] - b'0') as u32
}

/// IBAN lengths by country (the SWIFT registry).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NL", 18),
    (b"NO", 15),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"SA", 24),
    (b"SC", 31),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
];

/// One step of ISO 7064 mod 97-10: the remainder after appending character `c` (a digit, or
/// a letter as its two-digit value from A = 10).
fn mod97_step(rem: u32, c: u8) -> u32 {
    let v = match c {
        b'0'..=b'9' => (c - b'0') as u32,
        _ => (c.saturating_sub(b'A')) as u32 + 10,
    };
    if v >= 10 {
        (rem * 100 + v) % 97
    } else {
        (rem * 10 + v) % 97
    }
}

/// ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end.
#[cfg(test)]
fn iban_valid(s: &[u8]) -> bool {
    if s.len() < 4 || !s.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return false;
    }
    s[4..].iter().chain(&s[..4]).fold(0, |r, &c| mod97_step(r, c)) == 1
}

#[cfg(test)]
fn ibans(text: &str, found: &mut dyn FnMut(Range<usize>)) {
    scan_digits(text, Want { runs: false, iban: true, nino: false }, &mut |hit| {
        if let Hit::Iban(span) = hit {
            found(span);
        }
    });
}

/// The end of the IBAN that starts at `b[i]`, if one does.
fn iban_at(b: &[u8], i: usize) -> Option<usize> {
    if i + 4 > b.len() {
        return None;
    }
    let starts = b[i].is_ascii_uppercase()
        && b[i + 1].is_ascii_uppercase()
        && b[i + 2].is_ascii_digit()
        && b[i + 3].is_ascii_digit()
        && (i == 0 || !is_word_byte(b[i - 1]));
    let &(_, len) = starts.then(|| IBAN_LENGTHS.iter().find(|(cc, _)| **cc == [b[i], b[i + 1]])).flatten()?;
    // Up to `len` characters, single spaces allowed between them; the check runs as they are
    // read (ISO 7064 takes the first four last: they are kept until then).
    let (mut n, mut j, mut end) = (0usize, i, i);
    let mut head = [0u8; 4];
    let mut rem = 0u32;
    while j < b.len() && n < len {
        if b[j].is_ascii_uppercase() || b[j].is_ascii_digit() {
            match head.get_mut(n) {
                Some(h) => *h = b[j],
                None => rem = mod97_step(rem, b[j]),
            }
            n += 1;
            j += 1;
            end = j;
        } else if b[j] == b' '
            && j + 1 < b.len()
            && (b[j + 1].is_ascii_uppercase() || b[j + 1].is_ascii_digit())
            && n > 0
        {
            j += 1;
        } else {
            break;
        }
    }
    if n == len {
        let alone = end == b.len() || !is_word_byte(b[end]);
        if alone && head.iter().fold(rem, |r, &c| mod97_step(r, c)) == 1 {
            return Some(end);
        }
    }
    None
}

/// Whether `p` (two upper-case letters) is a National Insurance prefix HMRC issues.
fn nino_prefix(p: [u8; 2]) -> bool {
    !b"DFIQUV".contains(&p[0])
        && !b"DFIOQUV".contains(&p[1])
        && ![b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"].iter().any(|x| **x == p)
}

#[cfg(test)]
fn ninos(text: &str, found: &mut dyn FnMut(Range<usize>)) {
    scan_digits(text, Want { runs: false, iban: false, nino: true }, &mut |hit| {
        if let Hit::Nino(span) = hit {
            found(span);
        }
    });
}

/// The end of the National Insurance number that starts at `b[i]`, if one does: two letters,
/// six digits, a letter, with single spaces allowed between pairs, standing alone.
fn nino_at(b: &[u8], i: usize) -> Option<usize> {
    if !b.get(i).is_some_and(u8::is_ascii_uppercase) || (i > 0 && is_word_byte(b[i - 1])) {
        return None;
    }
    let mut got = [0u8; 9];
    let (mut n, mut j) = (0usize, i);
    while j < b.len() && n < 9 {
        let want_digit = (2..8).contains(&n);
        let c = b[j];
        if (want_digit && c.is_ascii_digit()) || (!want_digit && c.is_ascii_uppercase()) {
            got[n] = c;
            n += 1;
            j += 1;
        } else if c == b' ' && n % 2 == 0 && n > 0 && n < 9 {
            j += 1;
        } else {
            break;
        }
    }
    let alone = j == b.len() || !is_word_byte(b[j]);
    (n == 9 && alone && nino_prefix([got[0], got[1]]) && (b'A'..=b'D').contains(&got[8])).then_some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(d: Detector, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        find(&[d], text, &mut |span, _| out.push(text[span].to_string()));
        out
    }

    #[test]
    fn payment_cards() {
        struct T {
            text: &'static str,
            want: &'static [&'static str],
        }
        let tests = [
            T { text: "card 4111 1111 1111 1111 exp", want: &["4111 1111 1111 1111"] },
            T { text: "4111-1111-1111-1111", want: &["4111-1111-1111-1111"] },
            T { text: "amex 378282246310005.", want: &["378282246310005"] },
            T { text: "mc 5555555555554444", want: &["5555555555554444"] },
            T { text: "bad check 4111 1111 1111 1112", want: &[] },
            T { text: "inside 94111111111111111 a longer run", want: &[] },
            T { text: "x4111111111111111", want: &[] },
            T { text: "no issuer 9111111111111111", want: &[] },
            T { text: "too short 411111111111", want: &[] },
        ];
        for t in tests {
            assert_eq!(found(Detector::PaymentCard, t.text), t.want, "{}", t.text);
        }
    }

    #[test]
    fn ibans_by_country_and_checksum() {
        assert_eq!(
            found(Detector::Iban, "pay GB82 WEST 1234 5698 7654 32 today"),
            ["GB82 WEST 1234 5698 7654 32"]
        );
        assert_eq!(found(Detector::Iban, "DE89370400440532013000"), ["DE89370400440532013000"]);
        assert!(found(Detector::Iban, "GB82 WEST 1234 5698 7654 33").is_empty(), "checksum");
        assert!(found(Detector::Iban, "GB82WEST123456987654").is_empty(), "length");
        assert!(found(Detector::Iban, "XGB82WEST12345698765432").is_empty(), "inside a word");
        assert!(found(Detector::Iban, "ZZ82WEST12345698765432").is_empty(), "no such country");
    }

    #[test]
    fn national_insurance_numbers() {
        assert_eq!(found(Detector::UkNino, "NI: AB 12 34 56 C."), ["AB 12 34 56 C"]);
        assert_eq!(found(Detector::UkNino, "JG103759A"), ["JG103759A"]);
        assert!(found(Detector::UkNino, "QQ123456C").is_empty(), "Q is not a first letter");
        assert!(found(Detector::UkNino, "GB123456A").is_empty(), "GB is not issued");
        assert!(found(Detector::UkNino, "AB123456E").is_empty(), "suffix A to D");
        assert!(found(Detector::UkNino, "XAB123456C").is_empty(), "inside a word");
    }

    #[test]
    fn nhs_numbers() {
        assert_eq!(found(Detector::NhsNumber, "NHS no 943 476 5919 on file"), ["943 476 5919"]);
        assert_eq!(found(Detector::NhsNumber, "9434765919"), ["9434765919"]);
        assert!(found(Detector::NhsNumber, "943 476 5918").is_empty(), "check digit");
        assert!(found(Detector::NhsNumber, "19434765919").is_empty(), "a longer run");
        assert!(found(Detector::NhsNumber, "94 34 76 59 19").is_empty(), "not grouped as NHS numbers are");
    }

    /// Values written in digits of other scripts are found, spans in the text as written; a
    /// wrong check digit in another script is still wrong.
    #[test]
    fn digits_of_every_script() {
        let nhs = "رقم ٩٤٣ ٤٧٦ ٥٩١٩ في الملف";
        assert_eq!(found(Detector::NhsNumber, nhs), ["٩٤٣ ٤٧٦ ٥٩١٩"]);
        assert!(found(Detector::NhsNumber, "رقم ٩٤٣ ٤٧٦ ٥٩١٨").is_empty(), "check digit");
        assert!(found(Detector::NhsNumber, "رقم٩٤٣٤٧٦٥٩١٩").is_empty(), "joined to a word");
        assert_eq!(found(Detector::NhsNumber, "NHS ۹۴۳۴۷۶۵۹۱۹"), ["۹۴۳۴۷۶۵۹۱۹"]);
        assert_eq!(found(Detector::PaymentCard, "card ४१११ ११११ ११११ ११११"), ["४१११ ११११ ११११ ११११"]);
        assert_eq!(
            found(Detector::PaymentCard, "card ４１１１-１１１１-１１１１-１１１１"),
            ["４１１１-１１１１-１１１１-１１１１"]
        );
        assert_eq!(
            found(Detector::Iban, "IBAN GB۸۲ WEST ۱۲۳۴ ۵۶۹۸ ۷۶۵۴ ۳۲"),
            ["GB۸۲ WEST ۱۲۳۴ ۵۶۹۸ ۷۶۵۴ ۳۲"]
        );
        assert_eq!(found(Detector::UkNino, "NI: AB ১২ ৩৪ ৫৬ C."), ["AB ১২ ৩৪ ৫৬ C"]);
        // Mixed with ASCII digits and with a value in ASCII digits beside.
        assert_eq!(
            found(Detector::NhsNumber, "٩٤٣ 476 ٥٩١٩ and 943 476 5919"),
            ["٩٤٣ 476 ٥٩١٩", "943 476 5919"]
        );
    }

    fn luhn_complete(body: &str) -> String {
        (0..10).map(|c| format!("{body}{c}")).find(|n| luhn(n.as_bytes())).unwrap()
    }

    fn iban_for(country: &str, bban: &str) -> String {
        let probe = format!("{country}00{bban}");
        let moved: String = probe[4..].chars().chain(probe[..4].chars()).collect();
        let mut rem = 0u64;
        for c in moved.chars() {
            let v = c.to_digit(36).unwrap() as u64;
            rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
        }
        format!("{country}{:02}{bban}", 98 - rem)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        #[test]
        fn valid_values_are_found_and_altered_ones_are_not(
            card in "4[0-9]{14}", nhs in "[0-9]{9}", bban in "[A-Z]{4}[0-9]{14}",
            nino in "[ABCEGHJ-PRSTW-Z][ABCEGHJ-NPRSTW-Z][0-9]{6}[A-D]", at in 0usize..9, bump in 1u8..10,
        ) {
            let bump_digit = |s: &str, i: usize| -> String {
                let mut b = s.as_bytes().to_vec();
                let d = b[i] - b'0';
                b[i] = b'0' + (d + bump) % 10;
                String::from_utf8(b).unwrap()
            };
            let card = luhn_complete(&card);
            proptest::prop_assert_eq!(found(Detector::PaymentCard, &format!("pay {card} now")), [card.clone()]);
            let altered = bump_digit(&card, 1 + at);
            proptest::prop_assert!(found(Detector::PaymentCard, &altered).is_empty(), "{altered}");
            let longer = format!("9{card}");
            proptest::prop_assert!(found(Detector::PaymentCard, &longer).is_empty(), "{}", longer);

            if let Some(n) = (0..10).map(|c| format!("{nhs}{c}")).find(|n| nhs_valid(n.as_bytes())) {
                proptest::prop_assert_eq!(found(Detector::NhsNumber, &n), [n.clone()]);
                let altered = bump_digit(&n, at);
                proptest::prop_assert!(found(Detector::NhsNumber, &altered).is_empty(), "{altered}");
            }

            let iban = iban_for("GB", &bban);
            proptest::prop_assert_eq!(found(Detector::Iban, &format!("to {iban}.")), [iban.clone()]);
            let altered = bump_digit(&iban, 10 + at);
            proptest::prop_assert!(found(Detector::Iban, &altered).is_empty(), "{altered}");

            let valid_prefix = nino_prefix([nino.as_bytes()[0], nino.as_bytes()[1]]);
            proptest::prop_assert_eq!(found(Detector::UkNino, &nino).len(), usize::from(valid_prefix));
            let bad_suffix = format!("{}E", &nino[..8]);
            proptest::prop_assert!(found(Detector::UkNino, &bad_suffix).is_empty(), "{}", bad_suffix);
        }
    }

    /// The scans as they were before they skipped to the bytes a value can start at, one
    /// byte at a time: what the skipping scans must agree with.
    mod bytewise {
        use super::super::*;

        pub fn digit_runs_bytewise(text: &str, each: &mut RunSink<'_>) {
            let b = text.as_bytes();
            let mut i = 0;
            let mut digits = [0u8; 24];
            let mut groups = [0usize; 24];
            while i < b.len() {
                if !b[i].is_ascii_digit() || (i > 0 && is_word_byte(b[i - 1])) {
                    i += 1;
                    continue;
                }
                let start = i;
                let (mut n, mut g, mut len) = (0usize, 0usize, 0usize);
                let mut overflow = false;
                let end;
                loop {
                    while i < b.len() && b[i].is_ascii_digit() {
                        if n < digits.len() {
                            digits[n] = b[i];
                        } else {
                            overflow = true;
                        }
                        n += 1;
                        len += 1;
                        i += 1;
                    }
                    if g < groups.len() {
                        groups[g] = len;
                    } else {
                        overflow = true;
                    }
                    g += 1;
                    len = 0;
                    if i + 1 < b.len() && matches!(b[i], b' ' | b'-') && b[i + 1].is_ascii_digit() {
                        i += 1;
                        continue;
                    }
                    end = i;
                    break;
                }
                let stands_alone = end == b.len() || !is_word_byte(b[end]);
                if stands_alone && !overflow {
                    each(start..end, &digits[..n], &groups[..g]);
                }
                i = end.max(start + 1);
            }
        }

        pub fn ibans_bytewise(text: &str, found: &mut dyn FnMut(Range<usize>)) {
            let b = text.as_bytes();
            let mut i = 0;
            let mut chars = [0u8; 34];
            let mut ends = [0usize; 34];
            while i + 4 <= b.len() {
                let starts = b[i].is_ascii_uppercase()
                    && b[i + 1].is_ascii_uppercase()
                    && b[i + 2].is_ascii_digit()
                    && b[i + 3].is_ascii_digit()
                    && (i == 0 || !is_word_byte(b[i - 1]));
                let Some(&(_, len)) =
                    starts.then(|| IBAN_LENGTHS.iter().find(|(cc, _)| **cc == [b[i], b[i + 1]])).flatten()
                else {
                    i += 1;
                    continue;
                };
                // Up to `len` characters, single spaces allowed between them.
                let (mut n, mut j) = (0usize, i);
                while j < b.len() && n < len {
                    if b[j].is_ascii_uppercase() || b[j].is_ascii_digit() {
                        chars[n] = b[j];
                        ends[n] = j + 1;
                        n += 1;
                        j += 1;
                    } else if b[j] == b' '
                        && j + 1 < b.len()
                        && (b[j + 1].is_ascii_uppercase() || b[j + 1].is_ascii_digit())
                        && n > 0
                    {
                        j += 1;
                    } else {
                        break;
                    }
                }
                if n == len {
                    let end = ends[n - 1];
                    let alone = end == b.len() || !is_word_byte(b[end]);
                    if alone && iban_valid(&chars[..n]) {
                        found(i..end);
                        i = end;
                        continue;
                    }
                }
                i += 1;
            }
        }

        /// Tries every position, where [`scan_digits`] tries only those before a digit run.
        pub fn ninos_bytewise(text: &str, found: &mut dyn FnMut(Range<usize>)) {
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match nino_at(b, i) {
                    Some(j) => {
                        found(i..j);
                        i = j;
                    }
                    None => i += 1,
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Skipping to digits and capitals finds exactly what a byte at a time finds, in the
        /// same order: runs next to letters, values touching each other, spaces and hyphens,
        /// text in other scripts.
        #[test]
        fn skipping_scans_agree_with_bytewise_ones(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "4111111111111111",
                "4111 1111 1111 1111", "943 476 5919", "9434765919", "QQ 12 34 56 C", "AB123456C",
                "QQ123456D", "GB", "DE", "12", "7", "A", "Z", " ", "  ", "-", "x", "é", "\n",
                "Jane", "NHS", "ref:",
            ]), 0..30),
        ) {
            let text = pieces.concat();
            let mut fast = Vec::new();
            digit_runs(&text, &mut |span, digits, groups| fast.push((span, digits.to_vec(), groups.to_vec())));
            let mut slow = Vec::new();
            bytewise::digit_runs_bytewise(&text, &mut |span, digits, groups| {
                slow.push((span, digits.to_vec(), groups.to_vec()))
            });
            proptest::prop_assert_eq!(fast, slow);
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            ibans(&text, &mut |span| fast.push(span));
            bytewise::ibans_bytewise(&text, &mut |span| slow.push(span));
            proptest::prop_assert_eq!(fast, slow);
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            ninos(&text, &mut |span| fast.push(span));
            bytewise::ninos_bytewise(&text, &mut |span| slow.push(span));
            proptest::prop_assert_eq!(fast, slow);
            // One pass for all three finds what the three bytewise passes find.
            let mut slow = Vec::new();
            bytewise::digit_runs_bytewise(&text, &mut |span, _, _| slow.push((0, span)));
            bytewise::ibans_bytewise(&text, &mut |span| slow.push((1, span)));
            bytewise::ninos_bytewise(&text, &mut |span| slow.push((2, span)));
            let mut fast = Vec::new();
            scan_digits(&text, Want { runs: true, iban: true, nino: true }, &mut |hit| {
                fast.push(match hit {
                    Hit::Run(span, _, _) => (0, span),
                    Hit::Iban(span) => (1, span),
                    Hit::Nino(span) => (2, span),
                })
            });
            fast.sort_by_key(|(k, s)| (*k, s.start));
            slow.sort_by_key(|(k, s)| (*k, s.start));
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    /// A segment to judge: where it is, its text, and its cells (row, first column) when it is
    /// a spreadsheet row whose cells are separated by ` | `.
    struct Seg {
        location: Location,
        text: String,
        row: Option<u32>,
    }

    fn sheet(path: &str) -> Location {
        Location {
            part: crate::model::Part::Attachment,
            index: 1,
            name: Some("people.xlsx".into()),
            path: Some(path.into()),
            hidden: false,
            field: None,
            ocr: false,
        }
    }

    fn body() -> Location {
        Location::new(crate::model::Part::Body, 1)
    }

    fn attachment(name: &str) -> Location {
        Location { name: Some(name.into()), ..Location::new(crate::model::Part::Attachment, 1) }
    }

    fn text(location: Location, text: &str) -> Seg {
        Seg { location, text: text.into(), row: None }
    }

    fn row(n: u32, cells: &[&str]) -> Seg {
        Seg { location: sheet("Sheet1"), text: cells.join(" | "), row: Some(n) }
    }

    /// The values `d` finds in `segs`, one segment after another, with their confidence.
    fn judged(d: Detector, segs: &[Seg]) -> Vec<(String, Confidence)> {
        let mut evidence = Evidence::default();
        let mut norm = Normalized::new();
        let mut out = Vec::new();
        for s in segs {
            let mut marks = Vec::new();
            if let Some(r) = s.row {
                let mut start = 0;
                for (c, cell) in s.text.split(" | ").enumerate() {
                    marks.push(crate::model::Mark { start, cell: Some((r, c as u32 + 1)), hidden: false });
                    start += cell.len() + 3;
                }
            }
            let seg = Segment { location: &s.location, text: &s.text, marks: &marks };
            norm.fill(seg.text);
            evidence.find(&[d], &seg, &mut norm, &mut |span, _, c| out.push((s.text[span].to_string(), c)));
        }
        out
    }

    /// Filler of `n` characters that holds no evidence term.
    fn filler(n: usize) -> String {
        "lorem ipsum dolor sit amet ".chars().cycle().take(n).collect()
    }

    /// Per detector: a valid value, an evidence term, and a Welsh or abbreviated one.
    const CASES: [(Detector, &str, &str, &str); 4] = [
        (Detector::PaymentCard, "4111 1111 1111 1111", "card number", "Cerdyn credyd"),
        (Detector::Iban, "GB82 WEST 1234 5698 7654 32", "IBAN", "Rhif cyfrif"),
        (Detector::UkNino, "AB 12 34 56 C", "National Insurance number", "NINO"),
        (Detector::NhsNumber, "943 476 5919", "NHS number", "Rhif GIG"),
    ];

    #[test]
    fn evidence_near_the_value_or_heading_its_column() {
        use Confidence::{High, Low};
        for (d, value, term, other) in CASES {
            let far = filler(EVIDENCE_WINDOW + 1);
            let close = filler(EVIDENCE_WINDOW - 2);
            let mut between_rows: Vec<Seg> = vec![row(1, &["Name", term, "Notes"]), row(2, &["", "", ""])];
            between_rows.push(row(3, &["Jane Doe", value, "x"]));
            let csv_rows: String = (0..20).map(|i| format!("{i},\"Doe, Jane\",{}\n", filler(20))).collect();
            let tsv_rows: String = (0..20).map(|i| format!("{i}\tJane Doe\t{}\n", filler(20))).collect();
            let html = |header: &str| {
                let rows: String =
                    (0..20).map(|_| format!("<tr><td>Jane Doe</td><td>{}</td></tr>\n", filler(20))).collect();
                let mut out = String::new();
                crate::text::html::html_to_text(
                    &format!("<table><tr><th>Name</th><th>{header}</th></tr>\n{rows}<tr><td>Jane Doe</td><td>{value}</td></tr></table>"),
                    &mut out,
                );
                out
            };
            struct T {
                name: &'static str,
                segs: Vec<Seg>,
                want: Confidence,
            }
            let tests = [
                T { name: "alone", segs: vec![text(body(), &format!("Ref {value} today"))], want: Low },
                T { name: "before", segs: vec![text(body(), &format!("Your {term}: {value}."))], want: High },
                T { name: "after", segs: vec![text(body(), &format!("{value} is your {term}"))], want: High },
                T {
                    name: "welsh or abbreviated",
                    segs: vec![text(body(), &format!("{other} {value}"))],
                    want: High,
                },
                T {
                    name: "folded: case, accents",
                    segs: vec![text(body(), &format!("{}: {value}", term.to_uppercase()))],
                    want: High,
                },
                T {
                    name: "folded: accents",
                    segs: vec![text(
                        body(),
                        &format!(
                            "{}: {value}",
                            term.replace('a', "\u{e1}").replace('e', "e\u{301}").replace('N', "\u{d1}")
                        ),
                    )],
                    want: High,
                },
                T {
                    name: "across a line break",
                    segs: vec![text(body(), &format!("{}\r\n\r\n{value}", term.replace(' ', "\r\n")))],
                    want: High,
                },
                T {
                    name: "within the window",
                    segs: vec![text(body(), &format!("{term} {close} {value}"))],
                    want: High,
                },
                T {
                    name: "too far before",
                    segs: vec![text(body(), &format!("{term} {far} {value}"))],
                    want: Low,
                },
                T {
                    name: "too far after",
                    segs: vec![text(body(), &format!("{value} {far} {term}"))],
                    want: Low,
                },
                T {
                    name: "in another segment",
                    segs: vec![text(body(), term), text(Location::new(crate::model::Part::Body, 2), value)],
                    want: Low,
                },
                T { name: "column header two rows above", segs: between_rows, want: High },
                T {
                    name: "header of another column",
                    segs: vec![row(1, &["Name", term, "Notes"]), row(3, &["Jane Doe", "", value])],
                    want: Low,
                },
                T {
                    name: "header of the same column in another sheet",
                    segs: vec![
                        Seg { location: sheet("Sheet2"), ..row(1, &["Name", term]) },
                        row(3, &["Jane Doe", value]),
                    ],
                    want: Low,
                },
                T {
                    name: "in another cell's comment",
                    segs: vec![
                        text(sheet("Sheet1!B1 comment"), term),
                        row(1, &["Name", "Number"]),
                        row(3, &["Jane Doe", value]),
                    ],
                    want: Low,
                },
                T {
                    name: "csv attachment header",
                    segs: vec![text(
                        attachment("export.csv"),
                        &format!("id,name,{term}\n{csv_rows}21,\"Doe, Jane\",{value}\n"),
                    )],
                    want: High,
                },
                T {
                    name: "csv attachment, another column",
                    segs: vec![text(
                        attachment("export.csv"),
                        &format!("id,{term},name\n{csv_rows}21,\"Doe, Jane\",{value}\n"),
                    )],
                    want: Low,
                },
                T {
                    name: "tab-separated lines in a body",
                    segs: vec![text(body(), &format!("id\tname\t{term}\n{tsv_rows}21\tJane Doe\t{value}\n"))],
                    want: High,
                },
                T { name: "html table header", segs: vec![text(body(), &html(term))], want: High },
                T {
                    name: "html table, header of another column",
                    segs: vec![text(body(), &html(&format!("Notes</th><th>{term}")))],
                    want: Low,
                },
                T {
                    name: "table rows as segments",
                    segs: vec![
                        text(attachment("letter.docx"), &format!("Name | {term}")),
                        text(attachment("letter.docx"), &filler(400)),
                        text(attachment("letter.docx"), &format!("Jane Doe | {value}")),
                    ],
                    want: High,
                },
            ];
            for t in tests {
                let got = judged(d, &t.segs);
                assert_eq!(got, [(value.to_string(), t.want)], "{}: {}", d.name(), t.name);
            }
        }
    }

    /// Luhn-valid numbers that are not cards (order and tracking numbers, invoice references)
    /// are `low` with no card wording; card wording (a brand, "card", an expiry date, a CVV)
    /// makes them `high`.
    #[test]
    fn card_numbers_need_card_wording() {
        use Confidence::{High, Low};
        let tests = [
            ("Order number 4111111111111111 has shipped.", Low),
            ("Tracking: 4111 1111 1111 1111 (Royal Mail)", Low),
            ("Invoice ref 5555-5555-5555-4444, due 30 days", Low),
            ("Visa ending 4111 1111 1111 1111", High),
            ("Pay with 5555 5555 5555 4444, exp 12/27", High),
            ("4111 1111 1111 1111 CVV 123", High),
            ("Mastercard: 5555555555554444", High),
            ("charge it to my credit card 4111111111111111", High),
        ];
        for (input, want) in tests {
            let got = judged(Detector::PaymentCard, &[text(body(), input)]);
            assert_eq!(got.iter().map(|(_, c)| *c).collect::<Vec<_>>(), [want], "{input}");
        }
    }

    #[test]
    fn every_term_is_found_in_its_own_normalised_form() {
        for d in Detector::ALL {
            for term in d.evidence_terms() {
                let mut found = 0u8;
                evidence_in(crate::text::normalize(term).as_bytes(), &mut |_, mask| found |= mask);
                assert!(found & d.bit() != 0, "{}: {term}", d.name());
            }
        }
    }

    /// Pieces of text: values of every detector, words that are no evidence, separators.
    fn plain_piece() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "4111 1111 1111 1111",
            "GB82 WEST 1234 5698 7654 32",
            "AB 12 34 56 C",
            "943 476 5919",
            "2125550105",
            "lorem",
            "ipsum",
            "office",
            "Jane Doe",
            "order",
            "ref",
            "\n",
            "\t",
            " | ",
            "",
        ])
    }

    fn term_piece() -> impl proptest::strategy::Strategy<Value = &'static str> {
        let all: Vec<&'static str> =
            Detector::ALL.iter().flat_map(|d| d.evidence_terms().iter().copied()).collect();
        proptest::sample::select(all)
    }

    /// What `judged` gives for text made of `pieces` joined by ` ; ` (so no value spans two
    /// pieces), as one body and as the rows of a sheet (a piece a cell, `\n` a new row).
    fn judge_pieces(pieces: &[&str]) -> Vec<(Detector, String, Confidence)> {
        let body_text = pieces.join(" ; ");
        let mut rows = Vec::new();
        let mut cells: Vec<&str> = Vec::new();
        for p in pieces {
            if *p == "\n" {
                rows.push(row(rows.len() as u32 + 1, &cells));
                cells.clear();
            } else {
                cells.push(p);
            }
        }
        rows.push(row(rows.len() as u32 + 1, &cells));
        let mut out = Vec::new();
        for d in Detector::ALL {
            for (v, c) in judged(d, &[text(body(), &body_text)]) {
                out.push((d, v, c));
            }
            for (v, c) in judged(d, &rows) {
                out.push((d, v, c));
            }
        }
        out.sort();
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]
        /// Adding an evidence term anywhere between pieces keeps every value found, and every
        /// `high` one stays `high`.
        #[test]
        fn adding_evidence_never_removes_a_finding(
            pieces in proptest::collection::vec(plain_piece(), 0..40),
            terms in proptest::collection::vec((term_piece(), 0usize..40), 1..4),
        ) {
            let before = judge_pieces(&pieces);
            let mut more = pieces.clone();
            for (t, at) in terms {
                more.insert(at.min(more.len()), t);
            }
            let after = judge_pieces(&more);
            let values = |v: &[(Detector, String, Confidence)]| v.iter().map(|(d, s, _)| (*d, s.clone())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(values(&before), values(&after));
            let high = |v: &[(Detector, String, Confidence)]| v.iter().filter(|x| x.2 == Confidence::High).count();
            proptest::prop_assert!(high(&after) >= high(&before), "{:?} -> {:?}", before, after);
        }

        /// With every evidence term taken out, every value found is `low`.
        #[test]
        fn without_evidence_every_finding_is_low(
            pieces in proptest::collection::vec(proptest::prop_oneof![plain_piece(), term_piece()], 0..40),
        ) {
            let terms: Vec<&str> = Detector::ALL.iter().flat_map(|d| d.evidence_terms().iter().copied()).collect();
            let plain: Vec<&str> = pieces.iter().copied().filter(|p| !terms.contains(p)).collect();
            let judged = judge_pieces(&plain);
            proptest::prop_assert!(judged.iter().all(|x| x.2 == Confidence::Low), "{:?}", judged);
            let values = |v: &[(Detector, String, Confidence)]| v.iter().map(|(d, s, _)| (*d, s.clone())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(values(&judge_pieces(&pieces)), values(&judged));
        }
    }

    #[test]
    fn names_round_trip() {
        for d in Detector::ALL {
            assert_eq!(Detector::from_name(d.name()), Some(d));
        }
        assert_eq!(Detector::from_name("ssn"), None);
    }
}
