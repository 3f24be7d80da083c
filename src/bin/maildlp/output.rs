//! Printing reports: readable text or the contract's JSON Lines.

use std::io::{self, Write};

use maildlp::{Detail, Report};

use crate::Format;

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
