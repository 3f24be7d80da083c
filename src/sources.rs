//! Where messages come from: files, directories (Maildir included), mbox files, Outlook data
//! files (PST, OST), standard input.
//!
//! The one part of the library that reads files (cargo feature `sources`, on with `cli`): the
//! command line, the Python package and any program that scans stored mail read messages the
//! same way, in the same order, under the same names (`PATH`, `PATH#N` for an mbox's Nth,
//! `PATH#FOLDER/N` for the Nth message of a folder of an Outlook data file).
//!
//! An Outlook data file is read message by message as it is scanned (a store may hold many
//! gigabytes): by a thread of its own, which hands messages over a channel of
//! [`STREAM_AHEAD`] places and stops when they are no longer taken.

use std::collections::VecDeque;
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};

use crate::extract::pst::{self, Found};

/// Messages of an Outlook data file read ahead of the one being scanned, at most.
pub const STREAM_AHEAD: usize = 32;

/// One message to scan, or one input that could not be read.
pub enum Item {
    /// A message.
    Message {
        /// The name it is reported under: `PATH`, `PATH#N` for an mbox's Nth message, or
        /// `PATH#FOLDER/N` for the Nth message of a folder of an Outlook data file (`PATH#N`
        /// in the top folder; `FOLDER` the folder's path under the top, `Inbox/Projects`).
        source: String,
        /// The message as stored.
        bytes: Vec<u8>,
        /// Whether it is the last message of its file.
        last_of_file: bool,
    },
    /// An input that could not be read.
    Error {
        /// The path, as for a message.
        source: String,
        /// Why it could not be read.
        error: String,
    },
}

/// What [`Messages::next_input`] hands out: a message or error, or a regular file to read
/// (with [`read`] or [`open`]).
pub enum Input {
    /// A message or an error, ready.
    Item(Item),
    /// A regular file, to read with [`read`].
    File {
        /// The name its messages are reported under.
        source: String,
        /// Where it is.
        path: PathBuf,
    },
}

/// How many regular files `paths` name (directories walked as for scanning), at most `limit`.
pub fn count_files(paths: &[PathBuf], limit: usize) -> usize {
    let mut n = 0usize;
    walk_files(paths, &mut |_| n += 1);
    n.min(limit)
}

/// About how many messages `paths` hold, for a progress bar: one a file, an Outlook data
/// file's messages as its folders count them, an mbox's `From ` lines. Files are opened only
/// to look at their first bytes, and an mbox read through once.
pub fn estimate_messages(paths: &[PathBuf]) -> usize {
    let mut total = 0usize;
    walk_files(paths, &mut |path| {
        total += if path.as_os_str() == "-" { 1 } else { estimate_file(path) };
    });
    total
}

/// About how many messages the file at `path` holds (at least one).
fn estimate_file(path: &Path) -> usize {
    let Ok(mut file) = fs::File::open(path) else { return 1 };
    let mut head = Vec::new();
    if (&mut file).take(12).read_to_end(&mut head).is_err() {
        return 1;
    }
    if pst::is_pst(&head) {
        return match file.rewind() {
            Ok(()) => pst::count(Box::new(std::io::BufReader::new(file)), &head).max(1),
            Err(_) => 1,
        };
    }
    if !head.starts_with(b"From ") {
        return 1;
    }
    // An mbox: its separator lines (a body line starting `From ` is escaped, `>From `).
    let mut reader = std::io::BufReader::new(file);
    let mut count = 1;
    let mut line = Vec::new();
    let mut first = true;
    while matches!(std::io::BufRead::read_until(&mut reader, b'\n', &mut line), Ok(n) if n > 0) {
        if !first && line.starts_with(b"From ") {
            count += 1;
        }
        first = false;
        line.clear();
    }
    count
}

/// Calls `each` with every regular file `paths` name, in the order [`Messages`] reads them
/// (directories walked in name order, hidden entries skipped; `-` as it is). A directory's
/// entries are taken with the types its listing gives (no `stat`); a link among them is passed
/// on whatever it points to.
pub fn walk_files(paths: &[PathBuf], each: &mut dyn FnMut(&Path)) {
    for p in paths {
        if p.as_os_str() == "-" {
            each(p);
        } else {
            walk_tree(std::slice::from_ref(p), &mut |found| match found {
                InTree::Entry(entry, _) => each(&entry.path()),
                InTree::Named(path, _) => each(&path),
            });
        }
    }
}

/// A file a walk of a tree found.
enum InTree {
    /// An entry of a directory's listing: a file, or a link (`true`) not yet followed.
    Entry(fs::DirEntry, bool),
    /// A file named in the paths walked, and its size.
    Named(PathBuf, u64),
}

impl InTree {
    /// Its size: `None` for a link that does not lead to a file, or a file gone.
    fn size(&self) -> Option<u64> {
        match self {
            InTree::Entry(entry, false) => entry.metadata().ok().map(|m| m.len()),
            InTree::Entry(entry, true) => {
                fs::metadata(entry.path()).ok().filter(|m| m.is_file()).map(|m| m.len())
            }
            InTree::Named(_, size) => Some(*size),
        }
    }
}

/// Calls `each` with what `paths` name, in the order [`Messages`] reads them: a file named
/// (a link to one followed), or every file and link below a directory named, its entries in
/// name order, hidden ones skipped, links to directories not walked. `-` and paths that do not
/// exist are left out.
fn walk_tree(paths: &[PathBuf], each: &mut dyn FnMut(InTree)) {
    fn walk(dir: &Path, each: &mut dyn FnMut(InTree)) {
        let Ok(listing) = fs::read_dir(dir) else { return };
        let mut entries: Vec<fs::DirEntry> =
            listing.flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.')).collect();
        // The names of one directory: ordered as their paths are (see `Messages::visit`).
        entries.sort_by_cached_key(fs::DirEntry::file_name);
        for entry in entries {
            match entry.file_type() {
                Ok(t) if t.is_dir() => walk(&entry.path(), each),
                Ok(t) if t.is_file() => each(InTree::Entry(entry, false)),
                Ok(t) if t.is_symlink() => each(InTree::Entry(entry, true)),
                _ => {}
            }
        }
    }
    for p in paths.iter().filter(|p| p.as_os_str() != "-") {
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, each),
            Ok(m) if m.is_file() => each(InTree::Named(p.clone(), m.len())),
            _ => {}
        }
    }
}

/// Calls `each` with every regular file `paths` name and its size in bytes, in the order
/// [`Messages`] reads them (directories walked in name order, hidden entries skipped, links
/// to files followed and links to directories not). A directory entry's type comes with the
/// listing and its size from a `stat` relative to its directory, so a tree of many small files
/// costs one short `stat` a file; a tree of more than [`STAT_ALONE`] files is `stat`ed on
/// every core (the listing is what a job over many small files waits for before it starts).
/// `-` and paths that do not exist are left out.
pub fn walk_files_sized(paths: &[PathBuf], each: &mut dyn FnMut(&Path, u64)) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    walk_sized(paths, if threads < 2 { usize::MAX } else { STAT_ALONE }, threads, each);
}

/// [`walk_files_sized`], `stat`ing more than `alone` files on `threads` threads.
fn walk_sized(paths: &[PathBuf], alone: usize, threads: usize, each: &mut dyn FnMut(&Path, u64)) {
    let mut found = Vec::new();
    walk_tree(paths, &mut |f| found.push(f));
    let sizes: Vec<Option<u64>> = if found.len() <= alone {
        found.iter().map(InTree::size).collect()
    } else {
        let chunk = found.len().div_ceil(threads.max(1));
        std::thread::scope(|scope| {
            let parts: Vec<_> = found
                .chunks(chunk)
                .map(|part| {
                    (part.len(), scope.spawn(move || part.iter().map(InTree::size).collect::<Vec<_>>()))
                })
                .collect();
            // A thread that could not finish (it cannot panic: `size` only reads) leaves its
            // files unsized, and so out, and the others in their places.
            parts.into_iter().flat_map(|(len, p)| p.join().unwrap_or_else(|_| vec![None; len])).collect()
        })
    };
    for (found, size) in found.iter().zip(sizes) {
        let Some(size) = size else { continue };
        match found {
            InTree::Entry(entry, _) => each(&entry.path(), size),
            InTree::Named(path, _) => each(path, size),
        }
    }
}

/// Files [`walk_files_sized`] `stat`s on one thread, at most; more are `stat`ed on every core.
pub const STAT_ALONE: usize = 4096;

/// Every message under some paths, in order: paths as given, directory entries sorted by name,
/// mbox messages in file order. Files are read one at a time, as they are reached, so any
/// number of threads can pull from one `Messages` (behind a lock) and memory holds only the
/// messages being scanned (and the rest of an mbox being handed out).
pub struct Messages {
    /// Paths still to visit, the next one last: `true` for a path named on the command line,
    /// and the entry's type when its directory listing gave it.
    stack: Vec<(PathBuf, bool, Option<fs::FileType>)>,
    /// What the last file read holds that is not handed out yet (an mbox's messages).
    queued: VecDeque<Item>,
    /// The regular file reached last, not read yet.
    unread_file: Option<(String, PathBuf)>,
    /// The Outlook data file being read, message by message.
    stream: Option<Stream>,
}

impl Messages {
    /// The messages under `paths` (`-` is standard input).
    pub fn new(paths: &[PathBuf]) -> Messages {
        Messages {
            stack: paths.iter().rev().map(|p| (p.clone(), true, None)).collect(),
            queued: VecDeque::new(),
            unread_file: None,
            stream: None,
        }
    }

    /// The next input in the order [`Iterator::next`] gives messages, a regular file handed
    /// out unread (threads taking inputs from behind one lock read it outside; standard input
    /// is read here).
    pub fn next_input(&mut self) -> Option<Input> {
        loop {
            if let Some(item) = self.queued.pop_front() {
                return Some(Input::Item(item));
            }
            if let Some(item) = self.stream.as_mut().and_then(Stream::next) {
                return Some(Input::Item(item));
            }
            self.stream = None;
            if let Some((source, path)) = self.unread_file.take() {
                return Some(Input::File { source, path });
            }
            let (path, named, kind) = self.stack.pop()?;
            self.visit(path, named, kind);
        }
    }

    fn visit(&mut self, path: PathBuf, named: bool, known: Option<fs::FileType>) {
        let source = path.display().to_string();
        if named && path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => self.file("-", bytes),
                Err(e) => self.queued.push_back(Item::Error { source, error: e.to_string() }),
            }
            return;
        }
        // Follow a symbolic link only when it was named on the command line or points to a
        // file: a link to a directory inside a tree could loop. A directory entry's type comes
        // with the listing; anything else costs one `stat`.
        let kind = match known {
            Some(k) => k,
            None => match if named { fs::metadata(&path) } else { fs::symlink_metadata(&path) } {
                Ok(m) => m.file_type(),
                Err(e) => return self.queued.push_back(Item::Error { source, error: e.to_string() }),
            },
        };
        let kind = if kind.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => m.file_type(),
                Ok(_) => return,
                Err(e) => return self.queued.push_back(Item::Error { source, error: e.to_string() }),
            }
        } else {
            kind
        };
        if kind.is_dir() {
            let entries = match fs::read_dir(&path) {
                Ok(rd) => rd,
                Err(e) => return self.queued.push_back(Item::Error { source, error: e.to_string() }),
            };
            let mut names: Vec<(PathBuf, Option<fs::FileType>)> = Vec::new();
            for entry in entries {
                match entry {
                    Ok(entry) => {
                        if !entry.file_name().to_string_lossy().starts_with('.') {
                            names.push((entry.path(), entry.file_type().ok()));
                        }
                    }
                    Err(e) => {
                        self.queued.push_back(Item::Error { source: source.clone(), error: e.to_string() })
                    }
                }
            }
            names.sort_by(|a, b| a.0.cmp(&b.0));
            // Visited in name order: the first name goes on the stack last.
            self.stack.reserve(names.len());
            self.stack.extend(names.into_iter().rev().map(|(p, kind)| (p, false, kind)));
        } else if kind.is_file() {
            self.unread_file = Some((source, path));
        } else if named {
            // FIFOs, sockets and devices are not read: a FIFO with no writer would hang.
            self.queued.push_back(Item::Error { source, error: "not a regular file or directory".into() });
        }
    }

    fn file(&mut self, source: &str, bytes: Vec<u8>) {
        messages_of_file(source, bytes, &mut |item| self.queued.push_back(item));
    }
}

impl Iterator for Messages {
    type Item = Item;

    /// The next message, its file read here.
    fn next(&mut self) -> Option<Item> {
        loop {
            match self.next_input()? {
                Input::Item(item) => return Some(item),
                Input::File { source, path } => match open(source, &path) {
                    Opened::Items(items) => self.queued.extend(items),
                    Opened::Stream(stream) => self.stream = Some(stream),
                },
            }
        }
    }
}

/// The messages of the regular file at `path` (one, an mbox's, or an Outlook data file's), or
/// the error reading it, all read before this returns (see [`open`] to take an Outlook data
/// file's messages as they are read).
pub fn read(source: String, path: &Path, each: &mut dyn FnMut(Item)) {
    match open(source, path) {
        Opened::Items(items) => items.into_iter().for_each(each),
        Opened::Stream(stream) => stream.for_each(each),
    }
}

/// A regular file opened: its messages read (one, or an mbox's, or the error reading it), or an
/// Outlook data file being read by a thread of its own.
pub enum Opened {
    /// The messages, read.
    Items(Vec<Item>),
    /// The messages of an Outlook data file, as they are read.
    Stream(Stream),
}

/// The messages of an Outlook data file, read by a thread of its own at most [`STREAM_AHEAD`]
/// ahead of the one taken; dropping it stops the reading.
pub struct Stream {
    receiver: Receiver<Item>,
}

impl Iterator for Stream {
    type Item = Item;

    /// The next message, waiting for it to be read.
    fn next(&mut self) -> Option<Item> {
        self.receiver.recv().ok()
    }
}

/// Opens the regular file at `path`: an Outlook data file (recognised by its first bytes) is
/// handed out as a [`Stream`], any other file read whole into its messages.
pub fn open(source: String, path: &Path) -> Opened {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return Opened::Items(vec![Item::Error { source, error: e.to_string() }]),
    };
    let mut bytes = Vec::new();
    let read = (&mut file).take(12).read_to_end(&mut bytes);
    if read.is_ok() && pst::is_pst(&bytes) {
        return match file.rewind() {
            Ok(()) => Opened::Stream(stream(source, Box::new(std::io::BufReader::new(file)), bytes)),
            Err(e) => Opened::Items(vec![Item::Error { source, error: e.to_string() }]),
        };
    }
    match read.and_then(|_| file.read_to_end(&mut bytes)) {
        Ok(_) => {
            let mut items = Vec::new();
            messages_of_file(&source, bytes, &mut |i| items.push(i));
            Opened::Items(items)
        }
        Err(e) => Opened::Items(vec![Item::Error { source, error: e.to_string() }]),
    }
}

/// Starts a thread reading the Outlook data file `reader` (first bytes `head`).
fn stream(source: String, reader: Box<dyn outlook_pst::PstReader + Send>, head: Vec<u8>) -> Stream {
    let (sender, receiver) = sync_channel(STREAM_AHEAD);
    let spawned = std::thread::Builder::new().name("maildlp-pst".into()).spawn({
        let source = source.clone();
        move || pst_messages(&source, reader, &head, &mut |item| sender.send(item).is_ok())
    });
    if let Err(e) = spawned {
        let (sender, receiver) = sync_channel(1);
        let _ = sender.send(Item::Error { source, error: format!("cannot start a thread to read it: {e}") });
        return Stream { receiver };
    }
    Stream { receiver }
}

/// The messages of the Outlook data file `reader` (first bytes `head`), reported under
/// `source`, handed to `each` until it returns `false`: `source#FOLDER/N` (`source#N` in the
/// top folder), the last one `last_of_file`. A store that cannot be read, or holds no message,
/// is one error.
fn pst_messages(
    source: &str,
    reader: Box<dyn outlook_pst::PstReader>,
    head: &[u8],
    each: &mut dyn FnMut(Item) -> bool,
) {
    let name = |folder: &str, number: Option<usize>| match (folder.is_empty(), number) {
        (true, None) => source.to_string(),
        (true, Some(n)) => format!("{source}#{n}"),
        (false, None) => format!("{source}#{folder}"),
        (false, Some(n)) => format!("{source}#{folder}/{n}"),
    };
    // One item behind, to know which is the last.
    let mut held: Option<Item> = None;
    let mut going = true;
    let result = pst::read(reader, head, &mut |found| {
        let item = match found {
            Found::Message { folder, number, bytes } => {
                Item::Message { source: name(&folder, Some(number)), bytes, last_of_file: false }
            }
            Found::Unreadable { folder, number, error } => {
                Item::Error { source: name(&folder, number), error }
            }
        };
        if let Some(previous) = held.replace(item) {
            going = each(previous);
        }
        going
    });
    if !going {
        return;
    }
    match (result, held) {
        (Err(error), None) => {
            each(Item::Error { source: source.to_string(), error });
        }
        (Ok(()), None) => {
            each(Item::Error {
                source: source.to_string(),
                error: "an Outlook data file with no message".into(),
            });
        }
        (_, Some(mut last)) => {
            if let Item::Message { last_of_file, .. } = &mut last {
                *last_of_file = true;
            }
            each(last);
        }
    }
}

/// The messages of a file's content as [`Messages`] hands them out: the whole file as one
/// message reported as `source`, an mbox's messages as `source#1`, `source#2`..., or an
/// Outlook data file's as `source#FOLDER/N`.
pub fn messages_of_file(source: &str, bytes: Vec<u8>, each: &mut dyn FnMut(Item)) {
    if pst::is_pst(&bytes) {
        let head = bytes.get(..12).unwrap_or_default().to_vec();
        pst_messages(source, Box::new(std::io::Cursor::new(bytes)), &head, &mut |item| {
            each(item);
            true
        });
    } else if is_mbox(&bytes) {
        let messages = split_mbox(&bytes);
        let count = messages.len();
        for (n, msg) in messages.into_iter().enumerate() {
            each(Item::Message {
                source: format!("{source}#{}", n + 1),
                bytes: msg,
                last_of_file: n + 1 == count,
            });
        }
    } else {
        each(Item::Message { source: source.to_string(), bytes, last_of_file: true });
    }
}

/// An mbox starts with a `From ` separator line.
pub fn is_mbox(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    bytes.starts_with(b"From ") && is_from_line(first_line.strip_suffix(b"\r").unwrap_or(first_line))
}

/// A `From_` separator as mail readers accept one: `From `, a sender, and a date (a month
/// name, a time and a four-digit year, in the ctime order `Fri Dec  7 11:07:41 2001` or
/// another; a weekday and a time zone may stand with them). `From Russia with love` in a body,
/// or a header written `From  :<x@y>`, is not one.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let line = String::from_utf8_lossy(rest);
    let mut tokens = line.split_whitespace();
    let Some(sender) = tokens.next() else {
        return false;
    };
    if sender.starts_with(':') {
        return false;
    }
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut month, mut time, mut year) = (false, false, false);
    for t in tokens {
        let t = t.trim_end_matches(',');
        if t.as_bytes().get(..3).is_some_and(|p| MONTHS.iter().any(|m| p.eq_ignore_ascii_case(m.as_bytes())))
        {
            month = true;
        } else if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            year = true;
        } else if t.contains(':')
            && t.split(':').all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            time = true;
        }
    }
    month && time && year
}

/// Splits an mbox into messages: separator lines dropped, `>From ` lines unescaped (mboxrd).
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if is_from_line(content) {
            if let Some(m) = current.take() {
                messages.push(m);
            }
            current = Some(Vec::new());
            continue;
        }
        let msg = current.get_or_insert_with(Vec::new);
        let unescaped =
            line.iter().position(|&b| b != b'>').is_some_and(|p| p > 0 && line[p..].starts_with(b"From "));
        msg.extend_from_slice(if unescaped { &line[1..] } else { line });
    }
    if let Some(m) = current {
        messages.push(m);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_split() {
        let mbox = b"From a@b Sat Jan  3 01:05:34 1996\nSubject: one\n\nFrom Russia with love\n>From here\n\nFrom c@d Mon Jan  5 01:05:34 1998\nSubject: two\n\nbody\n";
        assert!(is_mbox(mbox));
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], b"Subject: one\n\nFrom Russia with love\nFrom here\n\n");
        assert_eq!(msgs[1], b"Subject: two\n\nbody\n");
    }

    #[test]
    fn files_are_read_only_when_reached() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.eml", "b.eml", "c.mbox"] {
            std::fs::write(dir.path().join(name), b"Subject: x\n\nbody\n").unwrap();
        }
        std::fs::write(
            dir.path().join("c.mbox"),
            b"From a@b Sat Jan  3 01:05:34 1996\nSubject: 1\n\nx\nFrom a@b Sat Jan  3 01:05:34 1996\nSubject: 2\n\ny\n",
        )
        .unwrap();
        let source = |item: &Item| match item {
            Item::Message { source, last_of_file, .. } => format!("{source} {last_of_file}"),
            Item::Error { source, .. } => format!("{source} error"),
        };
        let mut messages = Messages::new(&[dir.path().to_path_buf()]);
        let first = messages.next().unwrap();
        assert!(source(&first).ends_with("a.eml true"));
        // b.eml is listed but not read yet: taken away now, it is an error when reached.
        std::fs::remove_file(dir.path().join("b.eml")).unwrap();
        let rest: Vec<String> = messages.map(|i| source(&i)).collect();
        assert_eq!(rest.len(), 3, "{rest:?}");
        assert!(rest[0].ends_with("b.eml error"), "{rest:?}");
        assert!(rest[1].ends_with("c.mbox#1 false"), "{rest:?}");
        assert!(rest[2].ends_with("c.mbox#2 true"), "{rest:?}");
    }

    #[test]
    fn inputs_come_unread_in_the_order_messages_do() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.eml"), b"Subject: x\n\nbody\n").unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/c.eml"), b"Subject: y\n\nbody\n").unwrap();
        let paths = [dir.path().to_path_buf(), dir.path().join("missing.eml")];
        let mut inputs = Messages::new(&paths);
        let mut unread = Vec::new();
        while let Some(input) = inputs.next_input() {
            unread.push(match input {
                Input::File { source, .. } => format!("{source} unread"),
                Input::Item(Item::Error { source, .. }) => format!("{source} error"),
                Input::Item(Item::Message { source, .. }) => format!("{source} read"),
            });
        }
        let read: Vec<String> = Messages::new(&paths)
            .map(|i| match i {
                Item::Message { source, .. } => format!("{source} unread"),
                Item::Error { source, .. } => format!("{source} error"),
            })
            .collect();
        assert_eq!(unread.len(), 3, "{unread:?}");
        assert_eq!(unread, read);
    }

    #[test]
    fn sized_files_come_in_the_order_messages_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("b")).unwrap();
        std::fs::write(root.join("b/z.eml"), b"Subject: y\n\nbody\n").unwrap();
        std::fs::write(root.join("b/.hidden"), b"x").unwrap();
        std::fs::write(root.join("a.eml"), b"Subject: x\n\nbody\n\n").unwrap();
        std::fs::create_dir(root.join("c")).unwrap();
        std::os::unix::fs::symlink(root.join("a.eml"), root.join("c/to-file")).unwrap();
        std::os::unix::fs::symlink(root.join("b"), root.join("c/to-dir")).unwrap();
        std::os::unix::fs::symlink(root.join("nothing"), root.join("c/dangling")).unwrap();
        let paths = [root.to_path_buf(), root.join("b/z.eml"), root.join("missing"), PathBuf::from("-")];
        let mut sized = Vec::new();
        walk_files_sized(&paths, &mut |p, size| sized.push((p.to_path_buf(), size)));
        // The same files when every one is `stat`ed on threads (three: chunks of two, one and
        // one), whatever the machine's cores.
        let mut threaded = Vec::new();
        walk_sized(&paths, 0, 3, &mut |p, size| threaded.push((p.to_path_buf(), size)));
        assert_eq!(threaded, sized);
        // `walk_files` finds the same files, the links among them as they are named.
        let mut walked = Vec::new();
        walk_files(&paths[..1], &mut |p| walked.push(p.to_path_buf()));
        let links = ["c/dangling", "c/to-dir", "c/to-file"].map(|l| root.join(l));
        assert_eq!(
            walked,
            [root.join("a.eml"), root.join("b/z.eml"), links[0].clone(), links[1].clone(), links[2].clone()]
        );
        let read: Vec<(PathBuf, u64)> = Messages::new(&paths[..2])
            .filter_map(|i| match i {
                Item::Message { source, bytes, .. } => Some((PathBuf::from(source), bytes.len() as u64)),
                Item::Error { .. } => None,
            })
            .collect();
        assert_eq!(sized, read);
        assert_eq!(sized.iter().map(|(_, size)| *size).collect::<Vec<u64>>(), [18, 17, 18, 17]);
    }

    #[test]
    fn from_lines() {
        assert!(is_from_line(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011"));
        assert!(is_from_line(b"From x@y Mon Jan 1 00:00:00 2001 +0000"));
        assert!(is_from_line(b"From - Sat Jan  3 01:05:34 1996"));
        assert!(is_from_line(b"From travelincentives@aol.com  Fri Dec  7 11:07:41 2001"));
        assert!(!is_from_line(b"From sender@example.org"));
        assert!(!is_from_line(b"From Russia with love"));
        assert!(!is_from_line(b"From: a@b"));
        assert!(!is_from_line(b"From  :<tst1@example.com>"));
        assert!(!is_from_line(b"From Maryam Jun 2024 about 2001 things"));
        assert!(!is_from_line("From é Décembre 12:00 2001".as_bytes()));
        assert!(!is_from_line("From x éé 12:00 2001".as_bytes()));
    }
}
