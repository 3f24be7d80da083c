//! Mutation runs: messages of the repository damaged the ways mail is damaged in transit or by
//! a hostile sender (bytes flipped, cut, repeated; MIME boundaries, ZIP and PDF headers
//! inserted), each mutant scanned and checked. Shared by the standing check
//! (`tests/mutation.rs`, a few thousand mutants on every `cargo test`) and the long run
//! (`examples/mutation_run.rs`). Included with `#[path = "common/mutation.rs"] mod mutation;`.
//!
//! Every mutant is made from the seed and its number alone (no clock, no thread order), so a
//! run is the same on every machine and a failure names the mutant that reproduces it.
//!
//! Checks, for each mutant:
//! - no panic escapes [`Scanner::scan`];
//! - no scan takes more than [`SLOW`] of processor time (a guard against hangs, generous for a
//!   debug build; processor time, where the system gives it, so that a machine loaded by other
//!   work does not fail the run), nor more than [`STUCK`] by the wall clock;
//! - no mutant is allowed when its unmutated message had a finding whose evidence the
//!   mutation did not touch. That is decided where it can be: the mutation lies inside the
//!   body of one leaf MIME part (never in a header block or between parts), every boundary
//!   line of the message is still there, as often, and the message with that part's body
//!   emptied still has a finding other than `scan-incomplete` (its evidence is elsewhere).
//!   Other mutants are counted as undecided.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use maildlp::{Policy, ProtectedList, Rule, Scanner, Verdict};

/// The longest one scan may take before the run calls it a hang.
pub const SLOW: Duration = Duration::from_secs(1);

/// The longest one scan may take by the wall clock (a scan that waits without working).
pub const STUCK: Duration = Duration::from_secs(60);

/// The processor time this thread has used, where the system says (Linux:
/// `/proc/thread-self/schedstat`, in nanoseconds): a scan is timed by the work it does, not by
/// the wall clock, which a machine loaded by other work stretches many times.
pub fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The seed of the standing check and, by default, of the long run.
pub const SEED: u64 = 0x6d61_696c_646c_7035;

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    /// The generator of mutant `n` of the run seeded `seed`.
    pub fn new(seed: u64, n: u64) -> Rng {
        let mut r = Rng(seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One message to mutate, with what the checks need to know of its structure.
pub struct Base {
    /// Where it comes from (a path inside the repository, or a name for a built one).
    pub name: String,
    pub bytes: Vec<u8>,
    /// The bodies of its leaf MIME parts (text, HTML, binary, attached message), by byte range.
    pub leaves: Vec<Range<usize>>,
    /// The boundary of every multipart in it (nested ones included).
    pub boundaries: Vec<Vec<u8>>,
}

impl Base {
    pub fn new(name: String, bytes: Vec<u8>) -> Base {
        let leaves = leaf_bodies(&bytes);
        let boundaries = boundaries(&bytes);
        Base { name, bytes, leaves, boundaries }
    }
}

/// The bodies of the leaf parts mail-parser finds in `bytes`.
fn leaf_bodies(bytes: &[u8]) -> Vec<Range<usize>> {
    use mail_parser::{MessageParser, PartType};
    let Some(msg) = MessageParser::default().parse(bytes) else { return Vec::new() };
    msg.parts
        .iter()
        .filter(|p| !matches!(p.body, PartType::Multipart(_)))
        .map(|p| p.offset_body as usize..p.offset_end as usize)
        .filter(|r| r.start < r.end && r.end <= bytes.len())
        .collect()
}

/// Every `boundary=` parameter value in `bytes` (quoted or not), wherever it stands.
fn boundaries(bytes: &[u8]) -> Vec<Vec<u8>> {
    let lower = bytes.to_ascii_lowercase();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"boundary=") {
        let start = from + i + b"boundary=".len();
        let rest = &bytes[start..];
        let value = match rest.first() {
            Some(b'"') => rest[1..].split(|&b| b == b'"').next().unwrap_or(&[]),
            _ => rest.split(|&b| b";\r\n \t".contains(&b)).next().unwrap_or(&[]),
        };
        if !value.is_empty() && !out.iter().any(|b| b == value) {
            out.push(value.to_vec());
        }
        from = start;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// How often `--boundary` stands in `bytes`: anywhere, not only at the start of a line, as
/// maildlp's MIME walk (and mail-parser) find boundaries.
fn delimiters(bytes: &[u8], boundary: &[u8]) -> usize {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    bytes.windows(delimiter.len()).filter(|w| *w == delimiter.as_slice()).count()
}

/// What a mutation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// One byte's bits flipped.
    Flip,
    /// A run of bytes cut out, or the message cut short.
    Cut,
    /// A run of bytes repeated.
    Repeat,
    /// A boundary line inserted: one of the message's own, or a new one.
    Boundary,
    /// A ZIP local file header (`PK\x03\x04`) inserted.
    ZipHeader,
    /// A PDF header (`%PDF-1.x`) inserted.
    PdfHeader,
}

const KINDS: [Kind; 6] =
    [Kind::Flip, Kind::Cut, Kind::Repeat, Kind::Boundary, Kind::ZipHeader, Kind::PdfHeader];

/// A mutation of a base message: `removed` bytes at `at` replaced by `inserted`.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub kind: Kind,
    pub at: usize,
    pub removed: usize,
    pub inserted: Vec<u8>,
}

impl Mutation {
    /// The mutant of `base`.
    pub fn apply(&self, base: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(base.len() + self.inserted.len());
        out.extend_from_slice(&base[..self.at]);
        out.extend_from_slice(&self.inserted);
        out.extend_from_slice(&base[self.at + self.removed..]);
        out
    }

    /// The bytes of the base it touches.
    pub fn span(&self) -> Range<usize> {
        self.at..self.at + self.removed
    }
}

/// A position in `bytes`: half the time the start of a line (where boundaries and document
/// headers take effect), else any byte.
fn position(rng: &mut Rng, bytes: &[u8]) -> usize {
    let at = rng.below(bytes.len() + 1);
    if rng.below(2) == 0 {
        if let Some(nl) = bytes[at..].iter().position(|&b| b == b'\n') {
            return at + nl + 1;
        }
    }
    at
}

/// A mutation of `base` drawn from `rng`.
pub fn mutate(rng: &mut Rng, base: &Base) -> Mutation {
    let bytes = &base.bytes;
    let len = bytes.len();
    let kind = KINDS[rng.below(KINDS.len())];
    match kind {
        Kind::Flip if len > 0 => {
            let at = rng.below(len);
            let bit = 1u8 << rng.below(8);
            Mutation { kind, at, removed: 1, inserted: vec![bytes[at] ^ bit] }
        }
        Kind::Cut if len > 0 => {
            let at = rng.below(len);
            let removed = if rng.below(8) == 0 { len - at } else { 1 + rng.below(256.min(len - at)) };
            Mutation { kind, at, removed, inserted: Vec::new() }
        }
        Kind::Repeat if len > 0 => {
            let at = rng.below(len);
            let run = 1 + rng.below(128.min(len - at));
            let times = 2 + rng.below(15);
            Mutation { kind, at, removed: run, inserted: bytes[at..at + run].repeat(times) }
        }
        Kind::Boundary => {
            let at = position(rng, bytes);
            let own = (!base.boundaries.is_empty() && rng.below(2) == 0)
                .then(|| base.boundaries[rng.below(base.boundaries.len())].clone());
            let boundary = own.unwrap_or_else(|| format!("=_mutant_{:x}", rng.next() & 0xffff).into_bytes());
            let mut line = b"--".to_vec();
            line.extend_from_slice(&boundary);
            if rng.below(3) == 0 {
                line.extend_from_slice(b"--");
            }
            line.extend_from_slice(b"\r\n");
            if rng.below(2) == 0 {
                line.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
            }
            Mutation { kind, at, removed: 0, inserted: line }
        }
        Kind::ZipHeader => {
            let at = position(rng, bytes);
            let mut header = b"PK\x03\x04".to_vec();
            let tail = rng.below(40);
            header.extend((0..tail).map(|_| rng.next() as u8));
            Mutation { kind, at, removed: 0, inserted: header }
        }
        Kind::PdfHeader => {
            let at = position(rng, bytes);
            let mut header = format!("%PDF-1.{}\n", rng.below(8)).into_bytes();
            if rng.below(2) == 0 {
                header.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
            }
            Mutation { kind, at, removed: 0, inserted: header }
        }
        // An empty message: something is inserted.
        _ => Mutation { kind: Kind::PdfHeader, at: 0, removed: 0, inserted: b"%PDF-1.4\n".to_vec() },
    }
}

/// The leaf part whose body holds the whole mutation, if its effect stays there: every
/// boundary of the message is still there, as often (none damaged, none added).
pub fn untouched_elsewhere(base: &Base, m: &Mutation, mutant: &[u8]) -> Option<usize> {
    let span = m.span();
    let leaf = base.leaves.iter().position(|r| r.start <= span.start && span.end <= r.end)?;
    let kept = base.boundaries.iter().all(|b| delimiters(&base.bytes, b) == delimiters(mutant, b));
    kept.then_some(leaf)
}

/// The messages of the repository: the golden messages (`tests/data`), the README's sample,
/// the S/MIME fixtures, the public corpus (`tests/corpus`) and the document fixtures
/// (`tests/documents`), each sent as an attachment in base64 and as raw binary. Files over
/// `max_bytes` are left out (a debug build takes seconds over a megabyte).
pub fn corpus(root: &Path, max_bytes: u64) -> Vec<Base> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["tests/data", "examples/messages", "tests/smime"] {
        files.extend(eml_below(&root.join(dir)));
    }
    files.extend(eml_below(&root.join("tests/corpus")));
    files.sort();
    let mut out: Vec<Base> = files
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= max_bytes))
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            Some(Base::new(name, bytes))
        })
        .collect();
    for doc in [
        "report.pdf",
        "document-lo.pdf",
        "document.docx",
        "workbook.xlsx",
        "legacy.xls",
        "letter.odt",
        "export.zip",
        "nested.zip",
        "memo.rtf",
    ] {
        let Ok(bytes) = std::fs::read(root.join("tests/documents").join(doc)) else { continue };
        for binary in [false, true] {
            let name = format!("tests/documents/{doc} ({})", if binary { "binary" } else { "base64" });
            out.push(Base::new(name, attached(doc, &bytes, binary)));
        }
    }
    out
}

/// Every `.eml` file below `dir`.
fn eml_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(eml_below(&p));
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
    out
}

/// A message from an officer to the press carrying `doc`.
fn attached(name: &str, doc: &[u8], binary: bool) -> Vec<u8> {
    let mut m = format!(
        "From: Sam Reid <sam.reid@police.example>\r\nTo: press@newspaper.example\r\nSubject: Papers\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_doc\"\r\n\r\n\
         --=_doc\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe papers are attached.\r\n\
         --=_doc\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: {}\r\n\r\n",
        if binary { "binary" } else { "base64" }
    )
    .into_bytes();
    if binary {
        m.extend_from_slice(doc);
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(doc);
        for line in b64.as_bytes().chunks(76) {
            m.extend_from_slice(line);
            m.extend_from_slice(b"\r\n");
        }
    }
    m.extend_from_slice(b"\r\n--=_doc--\r\n");
    m
}

/// The golden tests' list and policy, with the people of the document fixtures added.
pub fn scanner(root: &Path) -> Scanner {
    let mut csv = std::fs::read_to_string(root.join("tests/data/protected.csv")).expect("the golden list");
    let documents =
        std::fs::read_to_string(root.join("tests/documents/protected.csv")).expect("the documents' list");
    for line in documents.lines().filter(|l| !l.starts_with('#') && !l.starts_with("id,")) {
        csv.push('\n');
        csv.push_str(line);
    }
    csv.push('\n');
    let list = ProtectedList::from_csv(&csv).expect("the lists");
    let policy = std::fs::read_to_string(root.join("tests/data/policy.toml")).expect("the golden policy");
    Scanner::new(list, Policy::from_toml(&policy).expect("the policy"))
}

/// The messages of `corpus` made to hold findings (the golden messages, the README's sample,
/// the documents), which half the mutants are made of.
pub fn with_findings(corpus: &[Base]) -> Vec<usize> {
    let ours = ["tests/data/", "examples/", "tests/documents/"];
    (0..corpus.len()).filter(|&i| ours.iter().any(|p| corpus[i].name.starts_with(p))).collect()
}

/// Mutant `n` of the run seeded `seed`: the message it is made of, and the mutation.
pub fn nth(corpus: &[Base], with_findings: &[usize], seed: u64, n: usize) -> (usize, Mutation) {
    let mut rng = Rng::new(seed, n as u64);
    let b = if n.is_multiple_of(2) && !with_findings.is_empty() {
        with_findings[rng.below(with_findings.len())]
    } else {
        rng.below(corpus.len())
    };
    let m = mutate(&mut rng, &corpus[b]);
    (b, m)
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub mutants: usize,
    /// Mutants the evidence check applied to, and how many of them had evidence elsewhere.
    pub decided: usize,
    pub decided_with_evidence: usize,
    /// Mutants of a message with findings where it could not be decided.
    pub undecided: usize,
    /// Mutants by verdict: allow, warn, block.
    pub verdicts: [usize; 3],
    /// Mutants by kind.
    pub kinds: HashMap<Kind, usize>,
    /// Mutants on which a reader panicked (caught: a `reader` naming a source place).
    pub reader_panics: usize,
    pub slowest: Duration,
    pub slowest_mutant: String,
    /// What failed: `mutant N of NAME (KIND at A, B bytes out, C in): what`.
    pub failures: Vec<String>,
}

/// Scans `count` mutants of `corpus` (mutant `n` of message `n % len`... drawn from the seed)
/// on `threads` threads.
pub fn run(corpus: &[Base], scanner: &Scanner, seed: u64, count: usize, threads: usize) -> Outcome {
    // Whether the base message with leaf part `leaf`'s body emptied still has a finding.
    let elsewhere: Mutex<HashMap<(usize, usize), bool>> = Mutex::new(HashMap::new());
    let base_findings: Mutex<HashMap<usize, bool>> = Mutex::new(HashMap::new());
    let evidence_elsewhere = |b: usize, leaf: usize| -> bool {
        if let Some(&known) = elsewhere.lock().unwrap().get(&(b, leaf)) {
            return known;
        }
        let base = &corpus[b];
        let r = base.leaves[leaf].clone();
        let mut emptied = base.bytes[..r.start].to_vec();
        emptied.extend_from_slice(&base.bytes[r.end..]);
        let report = scanner.scan(&emptied);
        let known = report.findings().iter().any(|f| f.rule != Rule::ScanIncomplete);
        elsewhere.lock().unwrap().insert((b, leaf), known);
        known
    };
    let has_findings = |b: usize| -> bool {
        if let Some(&known) = base_findings.lock().unwrap().get(&b) {
            return known;
        }
        let known = scanner.scan(&corpus[b].bytes).findings().iter().any(|f| f.rule != Rule::ScanIncomplete);
        base_findings.lock().unwrap().insert(b, known);
        known
    };
    let with_findings = with_findings(corpus);
    let outcome = Mutex::new(Outcome::default());
    std::thread::scope(|scope| {
        for t in 0..threads.max(1) {
            let (outcome, evidence_elsewhere, has_findings, with_findings) =
                (&outcome, &evidence_elsewhere, &has_findings, &with_findings);
            scope.spawn(move || {
                let mut mine = Outcome::default();
                for n in (t..count).step_by(threads.max(1)) {
                    let (b, m) = nth(corpus, with_findings, seed, n);
                    let base = &corpus[b];
                    let mutant = m.apply(&base.bytes);
                    let what = format!(
                        "mutant {n} of {} ({:?} at {}, {} bytes out, {} in)",
                        base.name,
                        m.kind,
                        m.at,
                        m.removed,
                        m.inserted.len()
                    );
                    let (wall, cpu) = (Instant::now(), thread_cpu());
                    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scanner.scan(&mutant)));
                    let took = match (cpu, thread_cpu()) {
                        (Some(before), Some(after)) => after.saturating_sub(before),
                        _ => wall.elapsed(),
                    };
                    if wall.elapsed() > STUCK {
                        mine.failures.push(format!("{what}: the scan took {:?} (wall clock)", wall.elapsed()));
                    }
                    mine.mutants += 1;
                    *mine.kinds.entry(m.kind).or_default() += 1;
                    if took > mine.slowest {
                        mine.slowest = took;
                        mine.slowest_mutant = what.clone();
                    }
                    if took > SLOW {
                        mine.failures.push(format!("{what}: the scan took {took:?}"));
                    }
                    let Ok(report) = scanned else {
                        mine.failures.push(format!("{what}: a panic escaped the scan"));
                        continue;
                    };
                    let panicked = report.findings().iter().any(|f| {
                        matches!(&f.detail, maildlp::Detail::Incomplete { reader: Some(r), .. } if r.contains(" at "))
                    });
                    mine.reader_panics += usize::from(panicked);
                    let v = report.verdict();
                    mine.verdicts[match v {
                        Verdict::Allow => 0,
                        Verdict::Warn => 1,
                        Verdict::Block => 2,
                    }] += 1;
                    if !has_findings(b) {
                        continue;
                    }
                    match untouched_elsewhere(base, &m, &mutant) {
                        None => mine.undecided += 1,
                        Some(leaf) => {
                            mine.decided += 1;
                            if evidence_elsewhere(b, leaf) {
                                mine.decided_with_evidence += 1;
                                if v == Verdict::Allow {
                                    mine.failures.push(format!(
                                        "{what}: allowed, though the evidence outside the part it changed is untouched"
                                    ));
                                }
                            }
                        }
                    }
                }
                let mut all = outcome.lock().unwrap();
                all.mutants += mine.mutants;
                all.decided += mine.decided;
                all.decided_with_evidence += mine.decided_with_evidence;
                all.undecided += mine.undecided;
                all.reader_panics += mine.reader_panics;
                for (a, b) in all.verdicts.iter_mut().zip(mine.verdicts) {
                    *a += b;
                }
                for (k, c) in mine.kinds {
                    *all.kinds.entry(k).or_default() += c;
                }
                if mine.slowest > all.slowest {
                    all.slowest = mine.slowest;
                    all.slowest_mutant = mine.slowest_mutant;
                }
                all.failures.extend(mine.failures);
            });
        }
    });
    let mut outcome = outcome.into_inner().unwrap();
    outcome.failures.sort();
    outcome
}

impl Outcome {
    /// The run in a few lines, for a test's output and for docs.
    pub fn summary(&self) -> String {
        let mut kinds: Vec<_> = self.kinds.iter().collect();
        kinds.sort();
        format!(
            "{} mutants ({}); verdicts: {} allow, {} warn, {} block; {} with a reader's panic caught; evidence check: {} decided ({} with evidence outside the part changed), {} undecided; slowest scan {:.1} ms ({}); {} failures",
            self.mutants,
            kinds.iter().map(|(k, c)| format!("{c} {k:?}")).collect::<Vec<_>>().join(", "),
            self.verdicts[0],
            self.verdicts[1],
            self.verdicts[2],
            self.reader_panics,
            self.decided,
            self.decided_with_evidence,
            self.undecided,
            self.slowest.as_secs_f64() * 1e3,
            self.slowest_mutant,
            self.failures.len()
        )
    }
}
