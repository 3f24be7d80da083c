//! `maildlp fix`: the message with its recipient exposure fixed, then scanned again.
//!
//! Exit status: 0 when the fixed message (every copy, for `--split`) scans `allow`; 1 when
//! findings remain that no rewrite can fix (a protected name in the body, an invitation's
//! attendee list), printed as `scan` prints them; 2 on errors.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use maildlp::remedy::Fixed;
use maildlp::Verdict;

use crate::{build_scanner, output, refusal, FixArgs, Format};

pub fn run(args: &FixArgs) -> Result<ExitCode, String> {
    let rcpts = maildlp::Recipients::new(&args.list.rcpts).map_err(refusal)?;
    let scanner = build_scanner(&args.list)?;
    let source = args.message.display().to_string();
    let message = if args.message.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(&args.message).map_err(|e| format!("cannot read {source}: {e}"))?
    };
    let copies = if args.split { scanner.fix_split(&message) } else { vec![scanner.fix_bcc(&message)] };
    // Every copy is scanned again to the same recipients.
    let reports: Vec<_> = copies.iter().map(|c| scanner.scan_to(&c.message, &rcpts)).collect();
    if args.split && copies.len() > 1 {
        let bcc_copy = copies.iter().any(|c| c.recipient.is_none());
        eprintln!(
            "maildlp: {source}: {} copies, one per external visible recipient{}",
            copies.len(),
            if bcc_copy { ", and one for the Bcc recipients showing only internal ones" } else { "" }
        );
    } else {
        for c in &copies {
            describe(&source, c, args.split);
        }
    }
    // An invitation's attendees stay whatever the header says: said plainly, never fixed.
    if let Some((c, _)) = copies.iter().zip(&reports).find(|(c, r)| c.attendees > 0 && attendees_exposed(r)) {
        let n = c.attendees;
        eprintln!(
            "maildlp: {source}: cannot fix the invitation's attendee list: every invitee sees its {n} external address{}, and moving recipients to Bcc does not change it; send each invitee an invitation of their own",
            if n == 1 { "" } else { "es" }
        );
    }
    let written: Vec<(String, &maildlp::Report)> = match (&args.output, args.split) {
        (Some(dir), true) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let mut v = Vec::new();
            for (i, (c, report)) in copies.iter().zip(&reports).enumerate() {
                let path = dir.join(format!("{:04}.eml", i + 1));
                write_file(&path, &c.message)?;
                v.push((path.display().to_string(), report));
            }
            v
        }
        (Some(file), false) => {
            write_file(file, &copies[0].message)?;
            vec![(file.display().to_string(), &reports[0])]
        }
        (None, false) => {
            let mut out = std::io::stdout().lock();
            out.write_all(&copies[0].message)
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write the message: {e}"))?;
            vec![("-".to_string(), &reports[0])]
        }
        (None, true) => return Err("--split writes into a directory: give -o DIR".to_string()),
    };
    // The report on what remains goes where the message does not.
    let mut remains = false;
    let mut report_out: Box<dyn Write> = if args.output.is_some() {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::stderr().lock())
    };
    for (path, report) in written {
        if report.verdict() != Verdict::Allow {
            remains = true;
            output::write(
                &mut *report_out,
                args.format,
                &output::Line { source: &path, report, details: None },
                false,
            )
            .map_err(|e| format!("cannot write the report: {e}"))?;
        }
    }
    if args.format == Format::Text && remains {
        let _ = writeln!(report_out, "maildlp: findings remain that moving recipients cannot fix");
    }
    Ok(if remains { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Whether a report has findings an invitation's attendee list causes once the header has
/// been rewritten: a protected address among the attendees, or too many visible recipients
/// (no external one is left in To or Cc).
fn attendees_exposed(report: &maildlp::Report) -> bool {
    use maildlp::{Detail, Rule};
    report.findings().iter().any(|f| {
        f.rule == Rule::VisibleRecipients
            || matches!(&f.detail, Detail::Recipient { field: maildlp::Field::Attendee, .. })
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One line on standard error per copy: what changed, or why nothing did. Addresses are not
/// printed (they may be protected); counts are.
fn describe(source: &str, c: &Fixed, split: bool) {
    if let Some(why) = c.unchanged {
        eprintln!("maildlp: {source}: left unchanged: {why}");
        return;
    }
    let moved = c.moved.len();
    let removed = c.removed.len();
    match &c.recipient {
        None if split => {
            eprintln!("maildlp: {source}: a copy for the Bcc recipients, showing only internal ones")
        }
        Some(_) => eprintln!(
            "maildlp: {source}: a copy for one recipient ({moved} other visible recipient{} left out{})",
            if moved == 1 { "" } else { "s" },
            if removed > 0 {
                format!(", {removed} protected address(es) out of Reply-To/Mail-Followup-To")
            } else {
                String::new()
            }
        ),
        None => eprintln!(
            "maildlp: {source}: {moved} recipient{} moved to Bcc{}",
            if moved == 1 { "" } else { "s" },
            if removed > 0 {
                format!(", {removed} protected address(es) taken out of Reply-To/Mail-Followup-To")
            } else {
                String::new()
            }
        ),
    }
}
