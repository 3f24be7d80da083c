//! Printing reports: readable text or the contract's JSON Lines.

use std::io::{self, Write};

use std::collections::{BTreeMap, HashSet};

use maildlp::{Detail, Finding, Part, PlaceSummary, Report};

use crate::details::Details;
use crate::{Format, Tally};

/// One message's report and where it came from.
pub struct Line<'a> {
    /// The message's name (`PATH`, `PATH#N`).
    pub source: &'a str,
    /// Its report.
    pub report: &'a Report,
    /// Its date, sender, subject and domains (`scan --details`), added to the JSON.
    pub details: Option<&'a Details>,
}

/// Writes the report of one message; with `explain`, where contacts or partner domains kept a
/// protected rule from firing.
pub fn write(out: &mut dyn Write, format: Format, line: &Line<'_>, explain: bool) -> io::Result<()> {
    let Line { source, report, details } = *line;
    match format {
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Json<'a> {
                source: &'a str,
                #[serde(flatten)]
                report: &'a Report,
                #[serde(skip_serializing_if = "Option::is_none")]
                allowed: Option<&'a [maildlp::Allowed]>,
                #[serde(flatten, skip_serializing_if = "Option::is_none")]
                details: Option<&'a Details>,
            }
            let allowed = explain.then(|| report.allowed());
            serde_json::to_writer(&mut *out, &Json { source, report, allowed, details })?;
            writeln!(out)
        }
        Format::Text => {
            text(out, source, report)?;
            if explain {
                for a in report.allowed() {
                    writeln!(out, "  allowed {} for record {}: {}", a.rule.as_str(), a.record, a.by)?;
                }
            }
            Ok(())
        }
    }
}

/// The records named in a place, and those of them named in hidden text.
type RecordSets<'a> = (HashSet<&'a str>, HashSet<&'a str>);

/// A place with more findings than this is one line of text output.
const GROUP_OVER: usize = 3;

/// Readable text: a line per finding, except that the findings of one place (a body part, an
/// attachment with everything inside it) become one line when there are many.
fn text(out: &mut dyn Write, source: &str, report: &Report) -> io::Result<()> {
    writeln!(out, "{source}: {}", report.verdict())?;
    let place_of = |f: &Finding| match &f.detail {
        Detail::Identifier { location, .. } => Some((location.part, location.index)),
        _ => None,
    };
    // Per place: its summary line, computed from every finding (the summary) or the listed ones.
    let mut groups: BTreeMap<(Part, u32), PlaceSummary> = BTreeMap::new();
    match report.summary() {
        Some(summary) => {
            let mut listed: BTreeMap<(Part, u32), usize> = BTreeMap::new();
            for key in report.findings().iter().filter_map(place_of) {
                *listed.entry(key).or_default() += 1;
            }
            // A place is one line when it has many findings or some are not listed.
            for p in &summary.places {
                let key = (p.part, p.index);
                if p.findings > GROUP_OVER || listed.get(&key).copied().unwrap_or(0) < p.findings {
                    groups.insert(key, p.clone());
                }
            }
        }
        None => {
            let mut records: BTreeMap<(Part, u32), RecordSets<'_>> = BTreeMap::new();
            for f in report.findings() {
                if let Detail::Identifier { record, location, .. } = &f.detail {
                    let key = (location.part, location.index);
                    let g = groups.entry(key).or_insert_with(|| PlaceSummary {
                        part: location.part,
                        index: location.index,
                        name: location.name.clone(),
                        findings: 0,
                        records: 0,
                        hidden_records: 0,
                    });
                    g.findings += 1;
                    let r = records.entry(key).or_default();
                    r.0.insert(record);
                    if location.hidden {
                        r.1.insert(record);
                    }
                }
            }
            for (key, (all, hidden)) in records {
                if let Some(g) = groups.get_mut(&key) {
                    g.records = all.len();
                    g.hidden_records = hidden.len();
                }
            }
            groups.retain(|_, g| g.findings > GROUP_OVER);
        }
    }
    let mut printed = HashSet::new();
    for f in report.findings() {
        match place_of(f).and_then(|k| groups.get(&k).map(|g| (k, g))) {
            Some((key, g)) => {
                if printed.insert(key) {
                    group_line(out, g)?;
                }
            }
            None => {
                write!(out, "  {} {}: {}", f.severity.as_str(), f.rule.as_str(), f.message)?;
                if let Detail::Identifier { excerpt, .. } | Detail::SensitiveData { excerpt, .. } = &f.detail
                {
                    write!(out, " [{excerpt}]")?;
                }
                if let Detail::Incomplete { reader: Some(reader), .. } = &f.detail {
                    write!(out, " (reader: {reader})")?;
                }
                writeln!(out)?;
            }
        }
    }
    // Places whose findings were all past the listed ones.
    for (key, g) in &groups {
        if printed.insert(*key) {
            group_line(out, g)?;
        }
    }
    if let Some(s) = report.summary() {
        writeln!(
            out,
            "  ({} findings in all; the first {} are listed in the JSON output)",
            thousands(s.findings),
            thousands(s.listed)
        )?;
    }
    Ok(())
}

fn group_line(out: &mut dyn Write, g: &PlaceSummary) -> io::Result<()> {
    let records = if g.records == 1 { "record" } else { "records" };
    write!(
        out,
        "  block protected-identifier: {} protected {records} named in {}",
        thousands(g.records),
        g.label()
    )?;
    if g.hidden_records > 0 {
        write!(out, ", {} of them in hidden sheets, rows, columns or text", thousands(g.hidden_records))?;
    }
    writeln!(out)
}

/// `18714` -> `18,714`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The last line of text output: how many messages, blocked, warned, and how long it took.
pub fn summary(out: &mut dyn Write, tally: &Tally, elapsed: std::time::Duration) -> io::Result<()> {
    let allowed = tally.messages - tally.blocked - tally.warned;
    write!(
        out,
        "{} message{}: {} blocked, {} warned, {} allowed",
        tally.messages,
        if tally.messages == 1 { "" } else { "s" },
        tally.blocked,
        tally.warned,
        allowed
    )?;
    if tally.errors > 0 {
        write!(out, ", {} unreadable", tally.errors)?;
    }
    writeln!(out, " in {:.2} s", elapsed.as_secs_f64())
}
