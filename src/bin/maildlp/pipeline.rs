//! Scanning on several threads with results in input order.
//!
//! With one thread, the caller's thread reads each input and scans it in turn. With more, one
//! thread reads inputs (files, directories, mbox messages) and hands them out through a
//! bounded queue, so memory holds only a few messages per worker; workers scan; the caller's
//! thread receives the reports and passes them on in the order the inputs were read, whatever
//! order the workers finish in.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

use maildlp::{Report, Scanner};

use crate::sources::{self, Item};

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

/// Scans every message under `paths` on `threads` threads (on the caller's thread alone when
/// `threads` is 1); calls `each` in input order.
pub fn run(
    scanner: &Scanner,
    paths: &[PathBuf],
    rcpts: &[String],
    threads: usize,
    each: &mut dyn FnMut(Outcome),
) {
    let threads = threads.max(1);
    if threads == 1 {
        // One thread reads and scans in turn: no hand-off between threads, which on one core
        // costs a context switch per message.
        sources::for_each_message(paths, &mut |item| each(scan(scanner, rcpts, item)));
        return;
    }
    let (work_tx, work_rx) = sync_channel::<(usize, Item)>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut seq = 0;
            sources::for_each_message(paths, &mut |item| {
                // A closed queue means the workers are gone; nothing more to do.
                let _ = work_tx.send((seq, item));
                seq += 1;
            });
        });
        for _ in 0..threads {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || loop {
                let next = work_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((seq, item))) = next else { break };
                if done_tx.send((seq, scan(scanner, rcpts, item))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        // Reorder: hold results that finish early until those before them arrive.
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut next = 0;
        for (seq, outcome) in done_rx {
            pending.insert(seq, outcome);
            while let Some(o) = pending.remove(&next) {
                each(o);
                next += 1;
            }
        }
    });
}
