//! Scanning on several threads with results in input order.
//!
//! Every thread, the caller's included, takes the next input from one shared
//! [`Messages`](crate::sources::Messages) (reading it while it holds the lock), scans it and
//! keeps or sends back the outcome under its sequence number. The caller's thread passes
//! outcomes on in input order, whatever order they finish in, between scans of its own and,
//! once the inputs run out, as the other threads finish. No thread waits on another while
//! there is work: on a busy machine a hand-off per message would cost a context switch each.
//! Memory holds the message each thread is scanning, and reports that finished early.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::sync::Mutex;

use maildlp::{Report, Scanner};

use crate::sources::{Item, Messages};

/// The result for one input, in input order.
pub enum Outcome {
    /// A scanned message.
    Report { source: String, report: Report, last_of_file: bool },
    /// An input that could not be read or scanned.
    Error { source: String, error: String },
}

/// The outcome of one input.
fn scan(scanner: &Scanner, rcpts: &[String], item: Item) -> Outcome {
    match item {
        Item::Message { source, bytes, last_of_file } => match scanner.scan_with_envelope(&bytes, rcpts) {
            Ok(report) => Outcome::Report { source, report, last_of_file },
            Err(e) => Outcome::Error { source, error: e.to_string() },
        },
        Item::Error { source, error } => Outcome::Error { source, error },
    }
}

/// Outcomes that finished before those ahead of them, and the number of the next to pass on.
struct InOrder<'a> {
    pending: BTreeMap<usize, Outcome>,
    next: usize,
    each: &'a mut dyn FnMut(Outcome),
}

impl InOrder<'_> {
    fn put(&mut self, seq: usize, outcome: Outcome) {
        if seq == self.next {
            (self.each)(outcome);
            self.next += 1;
        } else {
            self.pending.insert(seq, outcome);
        }
        while let Some(o) = self.pending.remove(&self.next) {
            (self.each)(o);
            self.next += 1;
        }
    }
}

/// Scans every message under `paths` on `threads` threads (on the caller's thread alone when
/// `threads` is 1); calls `each` in input order, on the caller's thread.
pub fn run(
    scanner: &Scanner,
    paths: &[PathBuf],
    rcpts: &[String],
    threads: usize,
    each: &mut dyn FnMut(Outcome),
) {
    let threads = threads.max(1);
    if threads == 1 {
        for item in Messages::new(paths) {
            each(scan(scanner, rcpts, item));
        }
        return;
    }
    // The inputs and the sequence number of the next one.
    let source = Mutex::new((Messages::new(paths), 0usize));
    let take = || -> Option<(usize, Item)> {
        // A poisoned lock means another thread panicked while reading: stop taking inputs.
        let mut guard = source.lock().ok()?;
        let (messages, seq) = &mut *guard;
        let item = messages.next()?;
        *seq += 1;
        Some((*seq - 1, item))
    };
    let (done_tx, done_rx) = channel::<(usize, Outcome)>();
    let mut order = InOrder { pending: BTreeMap::new(), next: 0, each };
    // One input (a single message) is scanned here, with no thread started.
    let Some(first) = take() else { return };
    let Some(second) = take() else {
        order.put(first.0, scan(scanner, rcpts, first.1));
        return;
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let done_tx = done_tx.clone();
            let take = &take;
            scope.spawn(move || {
                while let Some((seq, item)) = take() {
                    if done_tx.send((seq, scan(scanner, rcpts, item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        for (seq, item) in [first, second].into_iter().chain(std::iter::from_fn(take)) {
            let outcome = scan(scanner, rcpts, item);
            order.put(seq, outcome);
            while let Ok((seq, outcome)) = done_rx.try_recv() {
                order.put(seq, outcome);
            }
        }
        for (seq, outcome) in done_rx {
            order.put(seq, outcome);
        }
    });
}
