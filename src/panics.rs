//! Panics of the readers maildlp runs on untrusted bytes, caught without a word on standard
//! error.
//!
//! Some readers maildlp uses (pdf-extract, lopdf, calamine, the calendar parser) panic on
//! malformed input. maildlp catches those panics ([`guarded`]) and reports the document
//! `unreadable`; but Rust's panic hook runs before the panic is caught, and would print
//! `thread 'main' panicked at ...` and a backtrace, which reads as a crash (and fills a mail
//! server's log with one for every malformed PDF a spammer sends).
//!
//! So maildlp installs one process-wide hook, once ([`install_hook`], called when a
//! [`Scanner`](crate::Scanner) is built and before every guarded call): on a thread that is
//! inside a guarded call it records where the panic happened and prints nothing; everywhere
//! else it hands the panic to the hook that was there before (Rust's own, or the embedder's),
//! so a panic maildlp does not catch reports as it always did. The depth of guarded calls is
//! counted per thread: a panic on another thread is never silenced by a scan on this one.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many guarded calls this thread is inside.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Where the last panic inside a guarded call on this thread happened.
    static CAUGHT: RefCell<Option<Caught>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// A panic caught inside a guarded call: where in the source it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caught {
    /// `crate-version/src/file.rs:line` (for maildlp's own code, `src/file.rs:line`); empty
    /// when the panic carried no location. Never the panic's message: a message may quote
    /// the document (`called unwrap() on ...`), and reports never show its text.
    pub(crate) place: String,
}

/// Installs maildlp's panic hook, once per process; the hook in place before it (Rust's
/// default, or one the embedder set) keeps handling every panic maildlp does not catch.
pub(crate) fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // `try_with`: a panic while this thread's locals are being destroyed is not ours.
            if DEPTH.try_with(|d| d.get() > 0).unwrap_or(false) {
                let place = info.location().map(|l| place(l.file(), l.line())).unwrap_or_default();
                let _ = CAUGHT.try_with(|c| {
                    if let Ok(mut c) = c.try_borrow_mut() {
                        *c = Some(Caught { place });
                    }
                });
                return;
            }
            previous(info);
        }));
    });
}

/// Runs `f`, catching a panic inside it quietly: `Err` says where it happened. What `f`
/// changed before it panicked is left as it was (every caller reads that state as partial).
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Caught> {
    install_hook();
    /// Leaves the guarded call however it ends.
    struct Inside;
    impl Drop for Inside {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        }
    }
    DEPTH.with(|d| d.set(d.get() + 1));
    let inside = Inside;
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(inside);
    result.map_err(|_| CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or(Caught { place: String::new() }))
}

/// Where a panic happened, as a user can report it: the source file from the crate's own
/// directory on (`pdf-extract-0.12.1/src/lib.rs:286`), never the directories above it (the
/// builder's home); maildlp's own files are relative already (`src/extract/pdf/mod.rs:120`).
fn place(file: &str, line: u32) -> String {
    let steps: Vec<&str> = file.split(['/', '\\']).collect();
    // The crate's directory is the step before its `src`: a registry's `name-1.2.3` first (the
    // registry's own `src` is above it), else the last step before a `src`.
    let before_src = |w: &[&str]| w[1] == "src" && !w[0].is_empty();
    let versioned = |step: &str| step.split('-').skip(1).any(|p| p.starts_with(|c: char| c.is_ascii_digit()));
    let from = steps
        .windows(2)
        .position(|w| before_src(w) && versioned(w[0]))
        .or_else(|| steps.windows(2).rposition(before_src))
        .unwrap_or_else(|| {
            if file.starts_with(['/', '\\']) || file.contains(':') {
                steps.len().saturating_sub(3)
            } else {
                0
            }
        });
    format!("{}:{line}", steps[from..].join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_from_the_crate_directory_on() {
        let registry = "/home/someone/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pdf-extract-0.12.1/src/lib.rs";
        assert_eq!(place(registry, 286), "pdf-extract-0.12.1/src/lib.rs:286");
        assert_eq!(place("src/extract/pdf/mod.rs", 9), "src/extract/pdf/mod.rs:9");
        assert_eq!(place("/rustc/abc/library/core/src/str/mod.rs", 1), "core/src/str/mod.rs:1");
        assert_eq!(place("/build/x/y/z.rs", 3), "x/y/z.rs:3");
        let git = "/home/someone/.cargo/git/checkouts/lopdf-5e1/abc/src/reader.rs";
        assert_eq!(place(git, 4), "abc/src/reader.rs:4");
        assert_eq!(
            place(r"C:\Users\me\.cargo\calamine-0.38.0\src\xls.rs", 5),
            "calamine-0.38.0/src/xls.rs:5"
        );
    }

    #[test]
    fn a_caught_panic_says_where_and_the_depth_returns_to_zero() {
        let caught = guarded(|| -> u8 { panic!("deref") }).unwrap_err();
        assert!(caught.place.starts_with("src/panics.rs:"), "{caught:?}");
        assert_eq!(DEPTH.with(Cell::get), 0);
        // Nested: the inner call's panic is the inner call's, and the outer one goes on.
        let outer = guarded(|| {
            let inner = guarded(|| -> u8 { panic!("inner") });
            assert_eq!(DEPTH.with(Cell::get), 1);
            inner.is_err()
        });
        assert_eq!(outer, Ok(true));
        assert_eq!(DEPTH.with(Cell::get), 0);
        assert_eq!(guarded(|| 7), Ok(7));
    }
}
