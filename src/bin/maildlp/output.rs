//! Printing reports: readable text or the contract's JSON Lines.

use std::io::{self, Write};

use maildlp::{Detail, Report};

use crate::{Format, Tally};

/// Writes the report of one message.
pub fn write(out: &mut dyn Write, format: Format, source: &str, report: &Report) -> io::Result<()> {
    match format {
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                source: &'a str,
                #[serde(flatten)]
                report: &'a Report,
            }
            serde_json::to_writer(&mut *out, &Line { source, report })?;
            writeln!(out)
        }
        Format::Text => {
            writeln!(out, "{source}: {}", report.verdict())?;
            for f in report.findings() {
                write!(out, "  {} {}: {}", f.severity.as_str(), f.rule.as_str(), f.message)?;
                if let Detail::Identifier { excerpt, .. } = &f.detail {
                    write!(out, " [{excerpt}]")?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
    }
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
