//! `maildlp`: scan messages, folders and mbox archives for exposed people.
//!
//! A thin shell over the library: it reads files, hands bytes to a [`maildlp::Scanner`] and
//! prints reports. Exit status: 0 when every message is `allow`, 1 when any is `warn` or
//! `block`, 2 on a usage error or a file that could not be read (the others are still scanned).

mod fix;
mod output;
mod pipeline;
mod progress;
mod report;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use maildlp::list::Key;
use maildlp::{Error, PolicyBuilder, ProtectedList, Scanner, Verdict};

#[derive(Parser, Debug)]
#[command(name = "maildlp", version, about = "Stops an email from exposing people before it leaves")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan messages: files, directories (Maildir included), mbox files, Outlook data files
    /// (PST, OST), or - for standard input.
    Scan(ScanArgs),
    /// Fix recipient exposure in one message: move outsiders to Bcc, or send one copy each.
    Fix(FixArgs),
    /// Write a new random 256-bit key for sealed lists (file mode 0600; never overwrites).
    Keygen(KeygenArgs),
    /// Seal a protected list: keyed one-way tags of its identifiers, no identifier in clear.
    Seal(SealArgs),
    /// Write one self-contained HTML report (totals, exposures by month, records, senders,
    /// domains, rules, messages) from the JSON Lines of `scan --format json` or of the Spark
    /// audit.
    Report(report::ReportArgs),
    /// Write the manual pages (maildlp.1, maildlp-scan.1, ...) into a directory: for packagers,
    /// so the pages follow the options defined here.
    #[command(hide = true)]
    Manpages(ManpagesArgs),
}

#[derive(clap::Args, Debug)]
struct ManpagesArgs {
    /// The directory to write the pages into (created if missing).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
}

#[derive(clap::Args, Debug)]
struct KeygenArgs {
    /// The key file to create.
    #[arg(short = 'o', long = "output", value_name = "KEYFILE")]
    output: PathBuf,
}

#[derive(clap::Args, Debug)]
struct SealArgs {
    /// The key file (`maildlp keygen`).
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,
    /// The protected list (CSV).
    #[arg(value_name = "LIST.csv")]
    list: PathBuf,
    /// The sealed list to write.
    #[arg(short = 'o', long = "output", value_name = "LIST.sealed")]
    output: PathBuf,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Message files, directories, mbox files, Outlook data files (PST, OST), or - for
    /// standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    list: ListArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Messages scanned at once (default: one per core). Output order does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Say where a contact or a partner domain kept a protected rule from firing (the record
    /// and what allowed it; in JSON, an "allowed" field).
    #[arg(long)]
    explain: bool,
    /// With --format json: add each message's date ("date", UTC), sender ("from"; masked when
    /// the list protects it), subject ("subject", masked as excerpts are) and external
    /// recipient domains ("domains"), for `maildlp report`.
    #[arg(long)]
    details: bool,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["bcc", "split"])))]
struct FixArgs {
    /// Move every external visible recipient (To, Cc, Resent-To, Resent-Cc) to Bcc, and
    /// protected addresses out of Reply-To and Mail-Followup-To.
    #[arg(long)]
    bcc: bool,
    /// Write one message per external visible recipient (DIR/0001.eml, ...), each showing only
    /// that recipient and the internal ones.
    #[arg(long, requires = "output")]
    split: bool,
    /// The message file, or - for standard input.
    #[arg(value_name = "MESSAGE")]
    message: PathBuf,
    /// Where to write: a file for --bcc (default: standard output), a directory for --split.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    #[command(flatten)]
    list: ListArgs,
    /// Output format of the report on what remains.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The list and policy options `scan` and `fix` share.
#[derive(clap::Args, Debug)]
struct ListArgs {
    /// The protected list (CSV: id,kind,value), or a sealed list (`maildlp seal`).
    #[arg(long, value_name = "FILE")]
    protected: Option<PathBuf>,
    /// Enable a sensitive-data detector: payment-card, iban, uk-nino, nhs-number. Repeatable;
    /// adds to the policy's.
    #[arg(long = "detect", value_name = "NAME")]
    detect: Vec<String>,
    /// The least confidence of a sensitive-data finding: high (the default: evidence such as
    /// "NHS number" or "card" near the value or heading its column) or low (every valid
    /// value). Overrides the policy.
    #[arg(long = "detect-confidence", value_name = "LEVEL", value_parser = ["high", "low"])]
    detect_confidence: Option<String>,
    /// The key of a sealed list (default: the file named by MAILDLP_KEY_FILE).
    #[arg(long, value_name = "KEYFILE")]
    key: Option<PathBuf>,
    /// An internal domain (its subdomains are internal too). Repeatable; adds to the policy's.
    #[arg(long = "internal-domain", value_name = "DOMAIN")]
    internal_domains: Vec<String>,
    /// A partner domain (repeatable): its addresses may receive protected identifiers and see
    /// protected addresses, but count as external recipients.
    #[arg(long = "partner-domain", value_name = "DOMAIN")]
    partner_domains: Vec<String>,
    /// Most distinct external visible recipients before a warning (overrides the policy).
    #[arg(long, value_name = "N")]
    max_visible_recipients: Option<usize>,
    /// An envelope recipient (SMTP RCPT TO). Repeatable.
    #[arg(long = "rcpt", value_name = "ADDRESS")]
    rcpts: Vec<String>,
    /// The policy in TOML.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// How reports are printed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per message, an indented line per finding.
    Text,
    /// JSON Lines: one object per message.
    Json,
}

fn main() -> ExitCode {
    // Tesseract built with OpenMP (Debian's) runs a team of spinning threads per image, and
    // maildlp already reads messages in parallel: one OpenMP thread an engine. Set while the
    // process has one thread, before the library (and OpenMP) is loaded; a value given wins.
    #[cfg(feature = "ocr")]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        std::env::set_var("OMP_THREAD_LIMIT", "1");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Keygen(args) => keygen(&args),
        Command::Seal(args) => seal(&args),
        Command::Report(args) => report::run(&args),
        Command::Manpages(args) => manpages(&args),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("maildlp: {msg}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &PathBuf, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

/// The key file of a sealed list: `--key`, or the file `MAILDLP_KEY_FILE` names; its path and
/// bytes.
fn read_key(path: Option<&PathBuf>) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let path = match path {
        Some(p) => p.clone(),
        None => match std::env::var_os("MAILDLP_KEY_FILE") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => return Ok(None),
        },
    };
    let bytes = read(&path, "key")?;
    Ok(Some((path, bytes)))
}

/// The scanner: the list (plain or sealed, as its bytes say) under the policy the options
/// and the policy file make. No list is an empty one.
fn build_scanner(args: &ListArgs) -> Result<Scanner, String> {
    let list = match &args.protected {
        Some(path) => Some((path, read(path, "protected list")?)),
        None => None,
    };
    let mut builder = match &args.policy {
        Some(path) => {
            let bytes = read(path, "policy")?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{}: policy: not valid UTF-8", path.display()))?;
            PolicyBuilder::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => PolicyBuilder::default(),
    };
    for d in &args.internal_domains {
        builder = builder.internal_domain(d);
    }
    for d in &args.partner_domains {
        builder = builder.partner_domain(d);
    }
    if let Some(n) = args.max_visible_recipients {
        builder = builder.max_visible_recipients(n);
    }
    for d in &args.detect {
        builder = builder.detector(d);
    }
    if let Some(c) = &args.detect_confidence {
        builder = builder.detector_confidence(c);
    }
    let policy = builder.build().map_err(|e| e.to_string())?;
    #[cfg(feature = "ocr")]
    if policy.ocr() {
        // Said once here; each message with images says it in its report.
        if let Err(why) = maildlp::ocr::status(policy.ocr_languages()) {
            eprintln!("maildlp: OCR is unavailable, images will not be read: {why}");
        }
    }
    let Some((path, bytes)) = list else {
        return Ok(Scanner::new(ProtectedList::new(), policy));
    };
    let key = read_key(args.key.as_ref())?;
    Scanner::open_owned(bytes, key.as_ref().map(|(_, k)| &k[..]), policy).map_err(|e| match (&e, &key) {
        // A key error is about the key file given, or says that the list needs one.
        (Error::Key(_), Some((key_path, _))) => format!("{}: {e}", key_path.display()),
        (Error::Key(_), None) => {
            format!("{}: {e}: give its key with --key KEYFILE (or MAILDLP_KEY_FILE)", path.display())
        }
        _ => format!("{}: {e}", path.display()),
    })
}

/// One page for `maildlp` and one per visible subcommand, generated from the definitions above.
fn manpages(args: &ManpagesArgs) -> Result<ExitCode, String> {
    std::fs::create_dir_all(&args.output)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), &args.output))
        .map_err(|e| format!("cannot write the manual pages to {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn keygen(args: &KeygenArgs) -> Result<ExitCode, String> {
    let key = Key::generate().map_err(|e| e.to_string())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&args.output).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!(
                "{} exists: a key is never overwritten (a list sealed with it would be lost)",
                args.output.display()
            )
        }
        _ => format!("cannot create {}: {e}", args.output.display()),
    })?;
    file.write_all(key.to_text().as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn seal(args: &SealArgs) -> Result<ExitCode, String> {
    let key_bytes = read(&args.key, "key")?;
    let key = Key::from_bytes(&key_bytes).map_err(|e| format!("{}: {e}", args.key.display()))?;
    let bytes = read(&args.list, "protected list")?;
    let list = ProtectedList::from_csv_bytes(&bytes).map_err(|e| format!("{}: {e}", args.list.display()))?;
    // The CSV is not needed once it is read: a list of ten million records is 750 MB of it.
    drop(bytes);
    // Written as it is made: the sealed file (570 MB for ten million records) is never whole in
    // memory.
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", args.output.display());
    let file = std::fs::File::create(&args.output).map_err(cannot)?;
    maildlp::list::seal_to(&list, &key, file).map_err(cannot)?;
    Ok(ExitCode::SUCCESS)
}

/// What the user is told when the scanner refuses what they gave it for every message (the
/// envelope recipients): the scanner's error, in the terms of the options.
fn refusal(e: Error) -> String {
    match e {
        Error::InvalidAddress(rcpt) => format!("--rcpt {rcpt:?} is not an email address"),
        e => e.to_string(),
    }
}

fn scan(args: &ScanArgs) -> Result<ExitCode, String> {
    // Refused before any input is read, whether or not there is any.
    let rcpts = maildlp::Recipients::new(&args.list.rcpts).map_err(refusal)?;
    let scanner = build_scanner(&args.list)?;
    let threads = args
        .threads
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = std::time::Instant::now();
    let progress = progress::Progress::new(&args.paths);

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let mut write_failed = None;
    let details = args.details && args.format == Format::Json;
    pipeline::run(&scanner, &args.paths, &rcpts, details, threads, &mut |outcome| match outcome {
        pipeline::Outcome::Report { source, report, last_of_file, details } => {
            tally.add(report.verdict());
            if write_failed.is_none() {
                let line = output::Line { source: &source, report: &report, details: details.as_ref() };
                if let Err(e) = output::write(&mut out, args.format, &line, args.explain) {
                    write_failed = Some(e);
                }
            }
            progress.message_done(last_of_file, &tally);
        }
        pipeline::Outcome::Error { source, error } => {
            tally.errors += 1;
            let _ = out.flush();
            progress.suspend(|| eprintln!("maildlp: {source}: {error}"));
            progress.message_done(true, &tally);
        }
    });
    progress.finish();
    if args.format == Format::Text && write_failed.is_none() {
        if let Err(e) = output::summary(&mut out, &tally, started.elapsed()) {
            write_failed = Some(e);
        }
    }
    if let Some(e) = write_failed.or_else(|| out.flush().err()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(format!("cannot write the report: {e}"));
        }
    }
    Ok(if tally.errors > 0 {
        ExitCode::from(2)
    } else if tally.blocked + tally.warned == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Counts of messages by verdict, and of inputs that could not be read.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Messages scanned.
    pub messages: usize,
    /// Messages blocked.
    pub blocked: usize,
    /// Messages with warnings only.
    pub warned: usize,
    /// Inputs that could not be read or scanned.
    pub errors: usize,
}

impl Tally {
    fn add(&mut self, verdict: Verdict) {
        self.messages += 1;
        match verdict {
            Verdict::Block => self.blocked += 1,
            Verdict::Warn => self.warned += 1,
            Verdict::Allow => {}
        }
    }
}
