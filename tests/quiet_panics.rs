//! A panic maildlp catches inside a document reader prints nothing on standard error, in the
//! library and in the command-line tool, on one thread or several; a panic it does not catch
//! reports as Rust always does, through the hook that was there before (an embedder's own
//! included).
//!
//! The panic hook is process-wide and a test harness captures what panics print, so this test
//! has no harness: each check runs this program again as a child process
//! (`QUIET_PANICS_CHILD`) and reads the child's standard error. The message that panics is
//! `tests/data/pdf-reader-panics.eml`: a PDF whose Type 3 font has no `/FirstChar`, on which
//! pdf-extract panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use maildlp::{Policy, ProtectedList, Scanner};

#[path = "common/mail.rs"]
mod mail;

const CHILD: &str = "QUIET_PANICS_CHILD";

/// What the uncaught panic says.
const UNCAUGHT: &str = "an uncaught panic after the scans";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn panicking_message() -> Vec<u8> {
    std::fs::read(data().join("pdf-reader-panics.eml")).expect("the fixture")
}

fn scanner() -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n").expect("list");
    Scanner::new(list, Policy::default())
}

/// Scans the panicking message on this thread and on two others; each report says the PDF
/// page was read in part, naming pdf-extract's panic.
fn scan_everywhere(s: &Scanner) {
    let m = panicking_message();
    let check = || {
        let readers = mail::readers(&s.scan(&m));
        assert!(
            readers.len() == 1
                && readers[0].starts_with("pdf: text of page 1 at pdf-extract-")
                && readers[0].contains("/src/lib.rs:"),
            "{readers:?}"
        );
    };
    check();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(check);
        }
    });
}

fn child(mode: &str) {
    match mode {
        "caught" => scan_everywhere(&scanner()),
        "uncaught" => {
            scan_everywhere(&scanner());
            panic!("{UNCAUGHT}");
        }
        "uncaught-thread" => {
            // A thread's uncaught panic is reported while other threads go on scanning.
            let s = scanner();
            std::thread::scope(|scope| {
                scope.spawn(|| scan_everywhere(&s));
                let loud = scope.spawn(|| panic!("{UNCAUGHT}"));
                assert!(loud.join().is_err());
                scope.spawn(|| scan_everywhere(&s));
            });
        }
        "own-hook" => {
            // An embedder's hook, set before the first scanner: maildlp chains to it.
            std::panic::set_hook(Box::new(|info| {
                let message = info.payload_as_str().unwrap_or("?");
                eprintln!("embedder's hook: {message}");
            }));
            scan_everywhere(&scanner());
            panic!("{UNCAUGHT}");
        }
        other => panic!("unknown child {other}"),
    }
}

/// Runs `program` with `args` and the child mode `mode`, a backtrace asked for.
fn run(program: &Path, args: &[&str], mode: Option<&str>) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args).env("RUST_BACKTRACE", "1");
    match mode {
        Some(m) => cmd.env(CHILD, m),
        None => cmd.env_remove(CHILD),
    };
    cmd.output().expect("the child runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        return child(&mode);
    }
    let me = std::env::current_exe().expect("this test's path");
    let mut checks = 0;

    // The library: three scans that panic inside pdf-extract, nothing on standard error.
    let out = run(&me, &[], Some("caught"));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stderr(&out), "", "a caught panic printed");
    checks += 1;

    // An uncaught panic after them reports as Rust does: message and backtrace, once.
    let out = run(&me, &[], Some("uncaught"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(101), "{err}");
    assert!(
        err.contains("panicked at") && err.contains(UNCAUGHT) && err.contains("stack backtrace"),
        "{err}"
    );
    assert_eq!(err.matches("panicked at").count(), 1, "{err}");
    assert!(!err.contains("pdf-extract"), "{err}");
    checks += 1;

    // On another thread, while scans go on around it.
    let out = run(&me, &[], Some("uncaught-thread"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("panicked at").count(), 1, "{err}");
    assert!(err.contains(UNCAUGHT) && !err.contains("pdf-extract"), "{err}");
    checks += 1;

    // An embedder's hook sees the uncaught panic only.
    let out = run(&me, &[], Some("own-hook"));
    assert_eq!(stderr(&out), format!("embedder's hook: {UNCAUGHT}\n"));
    checks += 1;

    // The command-line tool, on one thread and on two: the report names the reader, and
    // standard error is empty.
    let cli = Path::new(env!("CARGO_BIN_EXE_maildlp"));
    let eml = data().join("pdf-reader-panics.eml");
    let list = data().join("protected.csv");
    let dir = tempfile::tempdir().expect("a directory");
    for i in 0..4 {
        std::fs::copy(&eml, dir.path().join(format!("{i}.eml"))).expect("a copy");
    }
    for threads in ["1", "2"] {
        let args = [
            "scan",
            "--threads",
            threads,
            "--format",
            "json",
            "--protected",
            list.to_str().expect("a UTF-8 path"),
            dir.path().to_str().expect("a UTF-8 path"),
        ];
        let out = run(cli, &args, None);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(stderr(&out), "", "the CLI printed a caught panic");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.matches("\"reader\":\"pdf: text of page 1 at pdf-extract-").count(), 4, "{stdout}");
        checks += 1;
    }
    println!("quiet_panics: {checks} checks passed");
}
