//! Scanning on several threads with results in input order.
//!
//! Every thread, the caller's included, takes the next input from one shared
//! [`Messages`](maildlp::sources::Messages) under a lock, reads it outside the lock (a file read
//! while the lock is held would keep the other threads waiting), scans it and keeps or sends
//! back the outcome under its place in the input order. The messages of an mbox after the
//! first go back behind the lock for any thread to take. The caller's thread passes outcomes on
//! in input order, whatever order they finish in, between scans of its own and, once the
//! inputs run out, as the other threads finish. No thread waits on another while there is
//! work: on a busy machine a hand-off per message would cost a context switch each. Memory
//! holds the message each thread is scanning, the rest of an mbox being handed out, and
//! reports that finished early. An Outlook data file is read by a thread of its own
//! ([`Stream`]) a few messages ahead: its messages are taken from it before any other input.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::sync::{Condvar, Mutex};

use maildlp::{Recipients, Report, Scanner};

use maildlp::MessageDetails as Details;

use maildlp::sources::{Input, Item, Messages, Opened, Stream};

/// The result for one input, in input order.
pub enum Outcome {
    /// A scanned message.
    Report { source: String, report: Report, last_of_file: bool, details: Option<Details> },
    /// An input that could not be read.
    Error { source: String, error: String },
}

/// The outcome of one input; with `details`, the message's date, sender, subject and
/// recipient domains too.
fn scan(scanner: &Scanner, rcpts: &Recipients, details: bool, item: Item) -> Outcome {
    match item {
        Item::Message { source, bytes, last_of_file } => {
            let (report, details) = if details {
                let (report, details) = scanner.scan_with_details(&bytes, rcpts);
                (report, Some(details))
            } else {
                (scanner.scan_to(&bytes, rcpts), None)
            };
            Outcome::Report { source, report, last_of_file, details }
        }
        Item::Error { source, error } => Outcome::Error { source, error },
    }
}

/// Where an input stands in the input order: the number of the input taken from
/// [`Messages`] (a file, or an input of its own), and the message's number in that file.
type Place = (usize, usize);

/// A message (or error) to scan, its place, and whether it is the last of its input.
type Work = (Place, bool, Item);

/// Outcomes that finished before those ahead of them, and the place of the next to pass on.
struct InOrder<'a> {
    pending: BTreeMap<Place, (bool, Outcome)>,
    next: Place,
    each: &'a mut dyn FnMut(Outcome),
}

impl InOrder<'_> {
    /// Passes on `outcome` (at `place`; `last` when it is the last of its input) once every
    /// outcome ahead of it has been.
    fn put(&mut self, place: Place, last: bool, outcome: Outcome) {
        self.pending.insert(place, (last, outcome));
        while let Some((last, o)) = self.pending.remove(&self.next) {
            (self.each)(o);
            self.next = if last { (self.next.0 + 1, 0) } else { (self.next.0, self.next.1 + 1) };
        }
    }
}

/// What the threads share: the inputs, the number of the next one, the messages of mbox files
/// read but not yet taken, and how many files are being read (their messages may still come).
struct Shared {
    messages: Messages,
    /// The Outlook data files being read, in input order: each one's input number, the number
    /// of its next message, the stream, and the message read after that one (to know which
    /// is the last).
    streams: VecDeque<(usize, usize, Stream, Option<Item>)>,
    taken: usize,
    queued: VecDeque<Work>,
    reading: usize,
    exhausted: bool,
}

/// The inputs the threads take from.
struct Source {
    shared: Mutex<Shared>,
    /// Signalled when a file has been read.
    read: Condvar,
}

impl Source {
    /// The next message to scan, the file holding it read outside the lock; `None` when there
    /// are no more (or a thread panicked while holding the lock).
    fn take(&self) -> Option<Work> {
        let mut guard = self.shared.lock().ok()?;
        loop {
            let s = &mut *guard;
            if let Some(work) = s.queued.pop_front() {
                return Some(work);
            }
            if let Some((input, n, stream, held)) = s.streams.front_mut() {
                // Waits for the reading thread under the lock: the others would wait for the
                // same message.
                if let Some(item) = held.take().or_else(|| stream.next()) {
                    *held = stream.next();
                    let work = ((*input, *n), held.is_none(), item);
                    *n += 1;
                    return Some(work);
                }
                s.streams.pop_front();
                continue;
            }
            if !s.exhausted {
                match s.messages.next_input() {
                    Some(Input::File { source, path }) => {
                        let input = s.taken;
                        s.taken += 1;
                        s.reading += 1;
                        drop(guard);
                        return Some(self.read_file(input, source, path));
                    }
                    Some(Input::Item(item)) => {
                        s.taken += 1;
                        return Some(((s.taken - 1, 0), true, item));
                    }
                    None => s.exhausted = true,
                }
            }
            if s.reading == 0 {
                return None;
            }
            // An mbox being read may still hand out messages.
            guard = self.read.wait(guard).ok()?;
        }
    }

    /// Reads input number `input`, a regular file: its first message (or the error reading
    /// it) to scan now, the others queued for any thread (an Outlook data file's left to its
    /// stream).
    fn read_file(&self, input: usize, source: String, path: PathBuf) -> Work {
        let items = match maildlp::sources::open(source.clone(), &path) {
            Opened::Items(items) => items,
            Opened::Stream(mut stream) => {
                let first = stream.next();
                let held = stream.next();
                let last = held.is_none();
                if let Ok(mut s) = self.shared.lock() {
                    s.reading -= 1;
                    if !last {
                        let at = s.streams.partition_point(|(i, ..)| *i < input);
                        s.streams.insert(at, (input, 1, stream, held));
                    }
                }
                self.read.notify_all();
                return (
                    (input, 0),
                    last,
                    first.unwrap_or(Item::Error { source, error: "no message in the file".into() }),
                );
            }
        };
        let count = items.len();
        let mut items = items.into_iter().enumerate().map(|(n, item)| ((input, n), n + 1 == count, item));
        let first = items.next();
        if let Ok(mut s) = self.shared.lock() {
            s.reading -= 1;
            s.queued.extend(items);
        }
        self.read.notify_all();
        // A file always holds at least one message or is an error.
        first.unwrap_or(((input, 0), true, Item::Error { source, error: "no message in the file".into() }))
    }
}

/// Scans every message under `paths` on `threads` threads (on the caller's thread alone when
/// `threads` is 1), reading each one's [`Details`] too when `details` is set; calls `each` in
/// input order, on the caller's thread.
pub fn run(
    scanner: &Scanner,
    paths: &[PathBuf],
    rcpts: &Recipients,
    details: bool,
    threads: usize,
    each: &mut dyn FnMut(Outcome),
) {
    let threads = threads.max(1);
    if threads == 1 {
        for item in Messages::new(paths) {
            each(scan(scanner, rcpts, details, item));
        }
        return;
    }
    let source = Source {
        shared: Mutex::new(Shared {
            messages: Messages::new(paths),
            streams: VecDeque::new(),
            taken: 0,
            queued: VecDeque::new(),
            reading: 0,
            exhausted: false,
        }),
        read: Condvar::new(),
    };
    let take = || source.take();
    let scan = |item| scan(scanner, rcpts, details, item);
    let (done_tx, done_rx) = channel::<(Place, bool, Outcome)>();
    let mut order = InOrder { pending: BTreeMap::new(), next: (0, 0), each };
    // One input (a single message) is scanned here, with no thread started.
    let Some(first) = take() else { return };
    let Some(second) = take() else {
        let (place, last, item) = first;
        order.put(place, last, scan(item));
        return;
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let done_tx = done_tx.clone();
            let (take, scan) = (&take, &scan);
            scope.spawn(move || {
                while let Some((place, last, item)) = take() {
                    if done_tx.send((place, last, scan(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        for (place, last, item) in [first, second].into_iter().chain(std::iter::from_fn(take)) {
            order.put(place, last, scan(item));
            while let Ok((place, last, outcome)) = done_rx.try_recv() {
                order.put(place, last, outcome);
            }
        }
        for (place, last, outcome) in done_rx {
            order.put(place, last, outcome);
        }
    });
}
