//! `maildlp report`: reads the JSON Lines of `maildlp scan --format json` (with or without
//! `--details`) or the rows of the Spark audit, one line at a time, keeps counts, and writes
//! one self-contained HTML file ([`html`](crate::report::html)).
//!
//! Only aggregates are kept while reading (counts by month, record, sender, domain and rule)
//! and the first [`ReportArgs::max_rows`] messages with findings for the table; the input can
//! be larger than memory.

pub mod html;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use maildlp::Verdict;
use serde_json::{Map, Value};

/// Messages listed in the table unless `--max-rows` says otherwise.
pub const DEFAULT_MAX_ROWS: usize = 2000;

/// Findings shown per message in the table; the others are counted.
pub const FINDINGS_PER_ROW: usize = 10;

/// The options of `maildlp report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// JSON Lines from `maildlp scan --format json` (add --details for dates, senders, subjects
    /// and domains) or from the Spark audit (`df.write.json(DIR)`: a directory of part files
    /// is read in name order); - for standard input.
    #[arg(value_name = "FINDINGS.jsonl")]
    input: PathBuf,
    /// The HTML file to write (- for standard output).
    #[arg(short = 'o', long = "output", value_name = "report.html")]
    output: PathBuf,
    /// Most messages with findings listed in the table; the others are counted, and the report
    /// says how many were left out.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ROWS)]
    max_rows: usize,
    /// The report's title.
    #[arg(long, value_name = "TEXT", default_value = "maildlp audit report")]
    title: String,
}

/// A verdict as the JSON names it.
fn parse_verdict(s: &str) -> Option<Verdict> {
    match s {
        "allow" => Some(Verdict::Allow),
        "warn" => Some(Verdict::Warn),
        "block" => Some(Verdict::Block),
        _ => None,
    }
}

/// One finding as the table shows it: nothing but what the input holds (already masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule (`protected-identifier`, ...).
    pub rule: String,
    /// `warn` or `block`.
    pub severity: String,
    /// The record's id, for the protected rules.
    pub record: Option<String>,
    /// Where: the header (`cc`) or the place in the content (`attachment 1 extract.xlsx`).
    pub place: Option<String>,
    /// The masked excerpt, when the input has one.
    pub excerpt: Option<String>,
}

/// One message, as read from one scan line or from the consecutive Spark rows of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `PATH`, `PATH#N`, ...
    pub source: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// `YYYY-MM-DD...` (`scan --details`).
    pub date: Option<String>,
    /// The sender (`scan --details`).
    pub from: Option<String>,
    /// The masked subject (`scan --details`).
    pub subject: Option<String>,
    /// External recipient domains (`scan --details`).
    pub domains: Vec<String>,
    /// The findings listed.
    pub findings: Vec<Finding>,
    /// Findings in all, listed or not (a long report's summary counts the others).
    pub total_findings: u64,
    /// Findings in all by rule.
    pub rules: BTreeMap<String, u64>,
}

/// Messages counted by verdict.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Messages.
    pub messages: u64,
    /// Blocked.
    pub blocked: u64,
    /// Warned.
    pub warned: u64,
}

impl Counts {
    fn add(&mut self, v: Verdict) {
        self.messages += 1;
        match v {
            Verdict::Block => self.blocked += 1,
            Verdict::Warn => self.warned += 1,
            Verdict::Allow => {}
        }
    }

    /// Messages allowed.
    pub fn allowed(&self) -> u64 {
        self.messages - self.blocked - self.warned
    }

    /// Messages blocked or warned.
    pub fn exposed(&self) -> u64 {
        self.blocked + self.warned
    }
}

/// A record's exposure: in how many messages, by how many findings, under which rules, and
/// the first and last month it was seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordCount {
    /// Messages naming it.
    pub messages: u64,
    /// Findings naming it (listed ones).
    pub findings: u64,
    /// Rules that named it.
    pub rules: BTreeSet<String>,
    /// The earliest and latest month of a dated message naming it.
    pub first: Option<String>,
    /// See `first`.
    pub last: Option<String>,
}

/// A rule's findings and the messages it fired on.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RuleCount {
    /// Findings (every one, listed or not).
    pub findings: u64,
    /// Messages with at least one.
    pub messages: u64,
}

/// Everything the report shows, kept while reading.
#[derive(Debug, Default)]
pub struct Audit {
    /// Every message.
    pub totals: Counts,
    /// Findings in all.
    pub findings: u64,
    /// Findings past a long report's listed ones: counted, not attributed to records.
    pub unlisted_findings: u64,
    /// Messages by month (`YYYY-MM`).
    pub months: BTreeMap<String, Counts>,
    /// Messages with no date.
    pub undated: Counts,
    /// Records by id.
    pub records: HashMap<String, RecordCount>,
    /// Senders (`from`): every message they sent, by verdict.
    pub senders: HashMap<String, Counts>,
    /// External recipient domains: every message sent to them, by verdict.
    pub domains: HashMap<String, Counts>,
    /// Rules by name.
    pub rules: BTreeMap<String, RuleCount>,
    /// The first messages with findings, in input order.
    pub rows: Vec<Message>,
    /// Messages with findings past `max_rows`.
    pub rows_left_out: u64,
    /// Most rows kept.
    pub max_rows: usize,
    /// Lines read (blank ones included), and the forms seen.
    pub lines: u64,
    /// Whether any line came from the Spark audit (no dates, senders or subjects).
    pub spark_rows: bool,
    /// Whether any line carried `scan --details` fields.
    pub details: bool,
}

impl Audit {
    /// An empty audit keeping at most `max_rows` messages for the table.
    pub fn new(max_rows: usize) -> Audit {
        Audit { max_rows, ..Audit::default() }
    }

    /// Counts one message.
    pub fn add(&mut self, m: Message) {
        self.totals.add(m.verdict);
        self.findings += m.total_findings;
        let listed = m.findings.len() as u64;
        self.unlisted_findings += m.total_findings.saturating_sub(listed);
        let month = m.date.as_ref().map(|d| d[..7].to_string());
        match &month {
            Some(month) => self.months.entry(month.clone()).or_default().add(m.verdict),
            None => self.undated.add(m.verdict),
        }
        let mut seen = BTreeSet::new();
        for f in &m.findings {
            if let Some(id) = &f.record {
                let r = self.records.entry(id.clone()).or_default();
                r.findings += 1;
                r.rules.insert(f.rule.clone());
                if seen.insert(id.as_str()) {
                    r.messages += 1;
                    if let Some(month) = &month {
                        if r.first.as_ref().is_none_or(|f| month < f) {
                            r.first = Some(month.clone());
                        }
                        if r.last.as_ref().is_none_or(|l| month > l) {
                            r.last = Some(month.clone());
                        }
                    }
                }
            }
        }
        for (rule, n) in &m.rules {
            let r = self.rules.entry(rule.clone()).or_default();
            r.findings += n;
            r.messages += 1;
        }
        if let Some(from) = &m.from {
            self.senders.entry(from.clone()).or_default().add(m.verdict);
        }
        for d in &m.domains {
            self.domains.entry(d.clone()).or_default().add(m.verdict);
        }
        if m.verdict != Verdict::Allow {
            if self.rows.len() < self.max_rows {
                self.rows.push(m);
            } else {
                self.rows_left_out += 1;
            }
        }
    }
}

/// A line that is not what the report reads: its number (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// The line's number, from 1.
    pub line: u64,
    /// What is wrong with it.
    pub why: String,
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("\"{key}\" is not a string")),
    }
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    field(obj, key)?.ok_or_else(|| format!("no \"{key}\""))
}

/// A date as `--details` writes it (`2024-11-12T09:14:00Z`): its month must be `YYYY-MM`.
fn date(obj: &Map<String, Value>) -> Result<Option<String>, String> {
    let Some(d) = field(obj, "date")? else { return Ok(None) };
    let b = d.as_bytes();
    let month_ok = b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&((b[5] - b'0') * 10 + (b[6] - b'0')));
    if !month_ok {
        return Err(format!("\"date\" {d:?} is not a date (YYYY-MM-DD...)"));
    }
    Ok(Some(d.to_string()))
}

/// `{"part":"attachment","index":1,"name":"x.xlsx","path":"a > b"}` → `attachment 1 x.xlsx > a > b`.
fn place(location: &Value) -> Option<String> {
    let obj = location.as_object()?;
    let mut s = obj.get("part").and_then(Value::as_str).unwrap_or("?").to_string();
    if let Some(i) = obj.get("index").and_then(Value::as_u64) {
        s.push_str(&format!(" {i}"));
    }
    if let Some(n) = obj.get("name").and_then(Value::as_str) {
        s.push(' ');
        s.push_str(n);
    }
    if let Some(p) = obj.get("path").and_then(Value::as_str) {
        s.push_str(" > ");
        s.push_str(p);
    }
    Some(s)
}

fn severity(obj: &Map<String, Value>) -> Result<String, String> {
    match required(obj, "severity")? {
        s @ ("warn" | "block") => Ok(s.to_string()),
        s => Err(format!("\"severity\" {s:?} is neither warn nor block")),
    }
}

/// A finding of a scan line.
fn scan_finding(v: &Value, n: usize) -> Result<Finding, String> {
    let obj = v.as_object().ok_or_else(|| format!("finding {n} is not an object"))?;
    let at = |e: String| format!("finding {n}: {e}");
    let rule = required(obj, "rule").map_err(at)?.to_string();
    let severity = severity(obj).map_err(at)?;
    let record = field(obj, "record").map_err(at)?.map(str::to_string);
    let place = match obj.get("location") {
        Some(l) => place(l),
        None => field(obj, "field").map_err(at)?.map(str::to_string),
    };
    let excerpt = field(obj, "excerpt").map_err(at)?.map(str::to_string);
    Ok(Finding { rule, severity, record, place, excerpt })
}

/// One line of `maildlp scan --format json`.
fn scan_line(obj: &Map<String, Value>, findings: &[Value]) -> Result<Message, String> {
    let source = required(obj, "source")?.to_string();
    let verdict = verdict(obj)?;
    let findings =
        findings.iter().enumerate().map(|(i, f)| scan_finding(f, i + 1)).collect::<Result<Vec<_>, _>>()?;
    let mut rules = BTreeMap::new();
    let mut total = findings.len() as u64;
    match obj.get("summary") {
        None | Some(Value::Null) => {
            for f in &findings {
                *rules.entry(f.rule.clone()).or_insert(0) += 1;
            }
        }
        Some(Value::Object(s)) => {
            total =
                s.get("findings").and_then(Value::as_u64).ok_or("\"summary\" has no \"findings\" count")?;
            let by_rule = s.get("rules").and_then(Value::as_object).ok_or("\"summary\" has no \"rules\"")?;
            for (rule, n) in by_rule {
                let n = n.as_u64().ok_or_else(|| format!("\"summary\" count of {rule} is not a number"))?;
                rules.insert(rule.clone(), n);
            }
        }
        Some(_) => return Err("\"summary\" is not an object".into()),
    }
    let domains = domains(obj)?;
    Ok(Message {
        source,
        verdict,
        date: date(obj)?,
        from: field(obj, "from")?.map(str::to_string),
        subject: field(obj, "subject")?.map(str::to_string),
        domains,
        findings,
        total_findings: total,
        rules,
    })
}

/// The external recipient domains of a line (`scan --details`, the Spark audit's `domains`).
fn domains(obj: &Map<String, Value>) -> Result<Vec<String>, String> {
    Ok(match obj.get("domains") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|d| d.as_str().map(str::to_string).ok_or("\"domains\" holds a non-string"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("\"domains\" is not an array".into()),
    })
}

fn verdict(obj: &Map<String, Value>) -> Result<Verdict, String> {
    let v = required(obj, "verdict")?;
    parse_verdict(v).ok_or_else(|| format!("\"verdict\" {v:?} is not allow, warn or block"))
}

/// One row of the Spark audit (`SCHEMA` of `maildlp.spark`): the message it belongs to and
/// its finding, if any.
fn spark_row(obj: &Map<String, Value>) -> Result<(String, Verdict, Option<Finding>), String> {
    let source = required(obj, "source")?.to_string();
    let verdict = verdict(obj)?;
    let Some(rule) = field(obj, "rule")? else { return Ok((source, verdict, None)) };
    let location = match obj.get("location") {
        // The audit writes the location as a JSON string; an object is taken as it is.
        Some(Value::String(s)) => {
            let v: Value = serde_json::from_str(s).map_err(|e| format!("\"location\" is not JSON: {e}"))?;
            place(&v)
        }
        Some(v @ Value::Object(_)) => place(v),
        None | Some(Value::Null) => None,
        Some(_) => return Err("\"location\" is neither JSON text nor an object".into()),
    };
    let finding = Finding {
        rule: rule.to_string(),
        severity: severity(obj)?,
        record: field(obj, "record")?.map(str::to_string),
        place: location.or(field(obj, "field")?.map(str::to_string)),
        excerpt: None,
    };
    Ok((source, verdict, Some(finding)))
}

/// Reads JSON Lines into an [`Audit`], one line at a time. Rows of the Spark audit are put
/// together by source: the rows of one message must be consecutive, as `audit` returns them.
pub struct Reader {
    audit: Audit,
    /// The Spark message being put together.
    pending: Option<Message>,
    /// Hashes of the sources of Spark messages put together, to refuse rows of one message
    /// that do not follow each other (8 bytes a message, not the sources).
    spark_sources: HashSet<u64>,
    line: u64,
}

/// A fixed hash of `source` (the same in every run).
fn source_hash(source: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(source, &mut h);
    std::hash::Hasher::finish(&h)
}

impl Reader {
    /// A reader keeping at most `max_rows` messages for the table.
    pub fn new(max_rows: usize) -> Reader {
        Reader { audit: Audit::new(max_rows), pending: None, spark_sources: HashSet::new(), line: 0 }
    }

    fn flush(&mut self) {
        if let Some(m) = self.pending.take() {
            self.audit.add(m);
        }
    }

    /// Reads one line (without its line break).
    pub fn line(&mut self, bytes: &[u8]) -> Result<(), BadLine> {
        self.line += 1;
        let line = self.line;
        self.read(bytes).map_err(|why| BadLine { line, why })
    }

    fn read(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.audit.lines += 1;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(obj) = value else { return Err("not a JSON object".into()) };
        match obj.get("findings") {
            Some(Value::Array(findings)) => {
                self.flush();
                let m = scan_line(&obj, findings)?;
                self.audit.details |= m.date.is_some() || m.from.is_some() || m.subject.is_some();
                self.audit.add(m);
            }
            Some(_) => return Err("\"findings\" is not an array".into()),
            None => {
                let (source, verdict, finding) = spark_row(&obj)?;
                self.audit.spark_rows = true;
                if self.pending.as_ref().is_none_or(|m| m.source != source) {
                    if !self.spark_sources.insert(source_hash(&source)) {
                        return Err(format!(
                            "a row of {source:?} after rows of other messages: the rows of one message must \
                             follow each other, as the audit writes them (df.orderBy(\"source\") before writing)"
                        ));
                    }
                    self.flush();
                    // The message's details, on each of its rows (the audit's date, sender,
                    // subject and domains columns).
                    let (date, from, subject) = (
                        date(&obj)?,
                        field(&obj, "sender")?.map(str::to_string),
                        field(&obj, "subject")?.map(str::to_string),
                    );
                    self.audit.details |= date.is_some() || from.is_some() || subject.is_some();
                    self.pending = Some(Message {
                        source,
                        verdict,
                        date,
                        from,
                        subject,
                        domains: domains(&obj)?,
                        findings: Vec::new(),
                        total_findings: 0,
                        rules: BTreeMap::new(),
                    });
                }
                if let (Some(m), Some(f)) = (self.pending.as_mut(), finding) {
                    m.verdict = m.verdict.max(verdict);
                    m.total_findings += 1;
                    *m.rules.entry(f.rule.clone()).or_insert(0) += 1;
                    m.findings.push(f);
                }
            }
        }
        Ok(())
    }

    /// The audit of every line read.
    pub fn finish(mut self) -> Audit {
        self.flush();
        self.audit
    }
}

/// Reads every line of `input` into `reader`; `name` for errors.
fn read_stream(reader: &mut Reader, input: &mut dyn BufRead, name: &str) -> Result<(), String> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf).map_err(|e| format!("cannot read {name}: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        reader.line(&buf).map_err(|b| format!("{name}: line {}: {}", b.line, b.why))?;
    }
}

/// The files of a Spark output directory, in name order: every file but Spark's own
/// (`_SUCCESS`, `.part-0000.crc`).
fn part_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for e in entries {
        let e = e.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('_') || name.starts_with('.') || !e.path().is_file() {
            continue;
        }
        files.push(e.path());
    }
    files.sort();
    Ok(files)
}

/// Reads the input (`-`, a file, or a directory of part files) into an audit.
pub fn read_input(path: &Path, max_rows: usize) -> Result<Audit, String> {
    let mut reader = Reader::new(max_rows);
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        read_stream(&mut reader, &mut stdin.lock(), "standard input")?;
    } else if path.is_dir() {
        for file in part_files(path)? {
            // Line numbers count from 1 in each file.
            reader.line = 0;
            let f = std::fs::File::open(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            read_stream(&mut reader, &mut std::io::BufReader::new(f), &file.display().to_string())?;
        }
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        read_stream(&mut reader, &mut std::io::BufReader::new(f), &path.display().to_string())?;
    }
    Ok(reader.finish())
}

/// `maildlp report`: exit 0 once the report is written, 2 (through the caller) on input that
/// cannot be read or is not what `scan` or the Spark audit writes, naming the line.
pub fn run(args: &ReportArgs) -> Result<ExitCode, String> {
    let audit = read_input(&args.input, args.max_rows)?;
    let page = html::render(&audit, &args.title, &args.input.display().to_string());
    let written = if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(page.as_bytes()).and_then(|()| out.flush())
    } else {
        std::fs::write(&args.output, page.as_bytes())
    };
    written.map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(lines: &[&str], max_rows: usize) -> Result<Audit, BadLine> {
        let mut r = Reader::new(max_rows);
        for l in lines {
            r.line(l.as_bytes())?;
        }
        Ok(r.finish())
    }

    const BLOCK: &str = r#"{"source":"a.eml","verdict":"block","date":"2024-11-12T09:14:00Z","from":"desk@met.example","subject":"Update","domains":["partner.example"],"findings":[{"rule":"protected-recipient-exposed","severity":"block","record":"V01","field":"cc","message":"m"},{"rule":"protected-identifier","severity":"block","record":"V02","kind":"name","location":{"part":"attachment","index":1,"name":"x.xlsx"},"excerpt":"... R*** P**** ...","message":"m"},{"rule":"protected-identifier","severity":"block","record":"V01","kind":"name","location":{"part":"body","index":1},"excerpt":"J*** D**","message":"m"}]}"#;
    const WARN: &str = r#"{"source":"b.eml","verdict":"warn","date":"2024-12-01T00:00:00Z","from":"desk@met.example","domains":["a.example","partner.example"],"findings":[{"rule":"visible-recipients","severity":"warn","count":18,"max":10,"message":"m"}]}"#;
    const ALLOW: &str = r#"{"source":"c.eml","verdict":"allow","findings":[]}"#;

    #[test]
    fn totals_months_records_senders_domains_rules() {
        let a = audit(&[BLOCK, WARN, ALLOW, ""], 10).expect("reads");
        assert_eq!(a.totals, Counts { messages: 3, blocked: 1, warned: 1 });
        assert_eq!(a.totals.allowed(), 1);
        assert_eq!(a.findings, 4);
        assert_eq!(a.lines, 4);
        assert_eq!(a.months.keys().collect::<Vec<_>>(), ["2024-11", "2024-12"]);
        assert_eq!(a.months["2024-11"], Counts { messages: 1, blocked: 1, warned: 0 });
        assert_eq!(a.undated, Counts { messages: 1, blocked: 0, warned: 0 });
        let v01 = &a.records["V01"];
        assert_eq!((v01.messages, v01.findings), (1, 2));
        assert_eq!(
            v01.rules.iter().collect::<Vec<_>>(),
            ["protected-identifier", "protected-recipient-exposed"]
        );
        assert_eq!(v01.first.as_deref(), Some("2024-11"));
        assert_eq!(a.senders["desk@met.example"], Counts { messages: 2, blocked: 1, warned: 1 });
        assert_eq!(a.domains["partner.example"].messages, 2);
        assert_eq!(a.domains["a.example"], Counts { messages: 1, blocked: 0, warned: 1 });
        assert_eq!(a.rules["protected-identifier"], RuleCount { findings: 2, messages: 1 });
        assert_eq!(a.rules["visible-recipients"], RuleCount { findings: 1, messages: 1 });
        assert_eq!(a.rows.iter().map(|m| m.source.as_str()).collect::<Vec<_>>(), ["a.eml", "b.eml"]);
        assert_eq!(a.rows[0].findings[1].place.as_deref(), Some("attachment 1 x.xlsx"));
        assert_eq!(a.rows[0].findings[0].place.as_deref(), Some("cc"));
        assert!(a.details && !a.spark_rows);
    }

    #[test]
    fn a_long_reports_summary_counts_every_finding() {
        let line = r#"{"source":"x.eml","verdict":"block","findings":[{"rule":"protected-identifier","severity":"block","record":"V01","kind":"name","location":{"part":"body","index":1},"excerpt":"J*** D**","message":"m"}],"summary":{"findings":18714,"listed":1,"rules":{"protected-identifier":18714},"places":[]}}"#;
        let a = audit(&[line], 10).expect("reads");
        assert_eq!(a.findings, 18714);
        assert_eq!(a.unlisted_findings, 18713);
        assert_eq!(a.rules["protected-identifier"].findings, 18714);
        assert_eq!(a.rows[0].total_findings, 18714);
    }

    #[test]
    fn spark_rows_are_put_together_by_source() {
        let rows = [
            r#"{"source":"m.mbox#1","verdict":"block","rule":"protected-recipient-exposed","severity":"block","record":"V01","field":"cc"}"#,
            r#"{"source":"m.mbox#1","verdict":"block","rule":"protected-identifier","severity":"block","record":"V02","location":"{\"index\": 1, \"part\": \"body\"}"}"#,
            r#"{"source":"m.mbox#2","verdict":"allow"}"#,
            r#"{"source":"m.mbox#3","verdict":"warn","rule":"visible-recipients","severity":"warn","record":null,"field":null,"location":null}"#,
        ];
        let a = audit(&rows, 10).expect("reads");
        assert_eq!(a.totals, Counts { messages: 3, blocked: 1, warned: 1 });
        assert_eq!(a.findings, 3);
        assert_eq!(a.rows.len(), 2);
        assert_eq!(a.rows[0].findings.len(), 2);
        assert_eq!(a.rows[0].findings[1].place.as_deref(), Some("body 1"));
        assert_eq!(a.records["V02"].messages, 1);
        assert_eq!(a.undated.messages, 3);
        assert!(a.spark_rows && !a.details);
        let mut shuffled = rows.to_vec();
        shuffled.swap(1, 2);
        let err = audit(&shuffled, 10).expect_err("m.mbox#1 comes back");
        assert_eq!(err.line, 3);
        assert!(err.why.contains("\"m.mbox#1\" after rows of other messages"), "{}", err.why);
    }

    #[test]
    fn rows_past_the_cap_are_counted() {
        let lines: Vec<String> = (0..5).map(|i| WARN.replace("b.eml", &format!("m{i}.eml"))).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).chain([ALLOW]).collect();
        let a = audit(&refs, 3).expect("reads");
        assert_eq!(a.rows.len(), 3);
        assert_eq!(a.rows_left_out, 2);
        assert_eq!(a.totals.messages, 6);
    }

    #[test]
    fn bad_lines_name_their_number_and_fault() {
        let cases: &[(&str, &str)] = &[
            ("not json", "not JSON"),
            ("[1,2]", "not a JSON object"),
            (r#"{"verdict":"block","findings":[]}"#, "no \"source\""),
            (r#"{"source":"a","verdict":"maybe","findings":[]}"#, "\"verdict\" \"maybe\""),
            (r#"{"source":"a","verdict":"warn","findings":{}}"#, "\"findings\" is not an array"),
            (r#"{"source":"a","verdict":"warn","findings":[{"severity":"warn"}]}"#, "finding 1: no \"rule\""),
            (
                r#"{"source":"a","verdict":"warn","findings":[{"rule":"r","severity":"low"}]}"#,
                "neither warn nor block",
            ),
            (r#"{"source":"a","verdict":"warn","date":"yesterday","findings":[]}"#, "not a date"),
            (r#"{"source":7,"verdict":"warn","findings":[]}"#, "\"source\" is not a string"),
            (r#"{"source":"a","verdict":"warn","rule":"r","severity":"warn","location":"{"}"#, "not JSON"),
        ];
        for (line, why) in cases {
            let err = audit(&[ALLOW, "", line], 10).expect_err(line);
            assert_eq!(err.line, 3, "{line}");
            assert!(err.why.contains(why), "{line}: {}", err.why);
        }
        let err = audit(&[ALLOW], 10).and_then(|_| {
            let mut r = Reader::new(1);
            r.line(b"\xff\xfe")
        });
        assert_eq!(err.expect_err("not UTF-8").why, "not UTF-8");
    }

    #[test]
    fn empty_input_is_an_empty_audit() {
        let a = audit(&[], 10).expect("reads");
        assert_eq!(a.totals, Counts::default());
        assert!(a.rows.is_empty() && a.months.is_empty() && a.records.is_empty());
    }

    #[test]
    fn a_stream_names_the_input_and_line_and_takes_crlf() {
        let mut r = Reader::new(10);
        let mut input: &[u8] = b"{\"source\":\"a\",\"verdict\":\"allow\",\"findings\":[]}\r\n{oops}\n";
        let err = read_stream(&mut r, &mut input, "f.jsonl").expect_err("line 2 is bad");
        assert!(err.starts_with("f.jsonl: line 2: not JSON"), "{err}");
        assert_eq!(r.finish().totals.messages, 1);
    }
}
