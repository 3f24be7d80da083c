//! Scan, fix, send: what an application that sends mail to people who must not learn of each
//! other can copy.
//!
//! The message is scanned. If it exposes anyone, it is fixed by moving the outsiders it shows
//! to Bcc (their display names go with them) and scanned again; a message that still names a
//! protected person to someone else is refused. What is sent goes to every recipient of the original (the SMTP
//! envelope), without its Bcc field (as a mail client sends it).
//!
//! ```text
//! cargo run --example send_safely -- --smtp 127.0.0.1:2525 \
//!     --protected examples/protected.csv --policy examples/policy.toml \
//!     examples/messages/incident-cc.eml
//! ```
//!
//! Exit status: 0 sent, 1 refused (findings printed), 2 on errors.

use std::process::ExitCode;

use lettre::address::{Address, Envelope};
use lettre::{SmtpTransport, Transport};
use maildlp::{Policy, ProtectedList, Scanner, Verdict};

struct Args {
    smtp: String,
    protected: String,
    policy: Option<String>,
    message: String,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut smtp, mut protected, mut policy, mut message) = (None, None, None, None);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--smtp" => smtp = it.next(),
            "--protected" => protected = it.next(),
            "--policy" => policy = it.next(),
            _ if message.is_none() => message = Some(a),
            _ => return Err(format!("unexpected argument {a:?}")),
        }
    }
    Ok(Args {
        smtp: smtp.ok_or("--smtp HOST:PORT is required")?,
        protected: protected.ok_or("--protected LIST.csv is required")?,
        policy,
        message: message.ok_or("a message file is required")?,
    })
}

fn run() -> Result<ExitCode, String> {
    let a = args()?;
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("cannot read {p}: {e}"));
    let list = ProtectedList::from_csv_bytes(&read(&a.protected)?).map_err(|e| e.to_string())?;
    let policy = match &a.policy {
        Some(p) => Policy::from_toml(&String::from_utf8_lossy(&read(p)?)).map_err(|e| e.to_string())?,
        None => Policy::default(),
    };
    let scanner = Scanner::new(list, policy);
    let original = read(&a.message)?;

    let message = if scanner.scan(&original).verdict() == Verdict::Allow {
        original.clone()
    } else {
        let fixed = scanner.fix_bcc(&original);
        let again = scanner.scan(&fixed.message);
        if again.verdict() != Verdict::Allow {
            return refuse(&again);
        }
        eprintln!("send_safely: {} recipient(s) moved to Bcc", fixed.moved.len());
        fixed.message
    };

    // The envelope: everyone the original reached, from the original's From.
    let parsed = mail_parser::MessageParser::new().parse(&original).ok_or("the message cannot be read")?;
    let from = parsed
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .ok_or("the message has no From address")?;
    let from: Address = from.parse().map_err(|e| format!("From: {e}"))?;
    let mut to: Vec<Address> = Vec::new();
    for r in maildlp::recipients_of(&original) {
        let addr: Address = r.address.parse().map_err(|e| format!("{}: {e}", r.address))?;
        if !to.contains(&addr) {
            to.push(addr);
        }
    }
    let envelope = Envelope::new(Some(from), to).map_err(|e| e.to_string())?;
    let wire = maildlp::remedy::without_bcc(&message);

    let (host, port) = a.smtp.rsplit_once(':').ok_or("--smtp is HOST:PORT")?;
    let port: u16 = port.parse().map_err(|_| "--smtp port is not a number")?;
    // Plain SMTP to a relay the application trusts (a local MTA); use `SmtpTransport::relay`
    // with TLS to reach a remote one.
    let transport = SmtpTransport::builder_dangerous(host).port(port).build();
    transport.send_raw(&envelope, &wire).map_err(|e| format!("sending failed: {e}"))?;
    eprintln!("send_safely: sent to {} recipient(s)", envelope.to().len());
    Ok(ExitCode::SUCCESS)
}

fn refuse(report: &maildlp::Report) -> Result<ExitCode, String> {
    eprintln!("send_safely: refused ({})", report.verdict());
    for f in report.findings() {
        eprintln!("  {} {}: {}", f.severity.as_str(), f.rule.as_str(), f.message);
    }
    Ok(ExitCode::from(1))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("send_safely: {e}");
            ExitCode::from(2)
        }
    }
}
