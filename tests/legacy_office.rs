//! Legacy Office files as their readers show them: Word 97 `.doc` through its piece table
//! (body, headers, footers, footnotes, endnotes, comments, hidden text, tracked deletions,
//! properties), PowerPoint 97 `.ppt` text atoms per slide and notes page, and `.xls` hidden
//! rows, columns and sheets and cell notes. The fixtures in `tests/documents/legacy/` are made
//! by LibreOffice (see `make_legacy.py`); each place holds a different protected person, and
//! every expected report is complete: a miss or a false alarm fails alike. The `clean-*`
//! controls name nobody and stay `allow`.

#![cfg(feature = "documents")]

use std::collections::BTreeSet;
use std::path::Path;

use maildlp::{Detail, Finding, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/compound.rs"]
mod compound;
#[path = "common/mail.rs"]
mod mail;
use compound::{compound, edited, persist, presentation, rec, utf16};
use mail::{attached as message, limits, measured};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/legacy").join(name)).unwrap()
}

fn scanner() -> Scanner {
    let list = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents/legacy/protected.csv"),
    );
    Scanner::new(ProtectedList::from_csv(&list.unwrap()).unwrap(), Policy::default())
}

/// (rule, record, field, path, hidden) of every identifier finding.
type Place = (String, String, String, Option<String>, bool);

fn places(report: &Report) -> BTreeSet<Place> {
    report
        .findings()
        .iter()
        .filter_map(|f: &Finding| match &f.detail {
            Detail::Identifier { record, location, .. } => Some((
                f.rule.as_str().to_string(),
                record.clone(),
                location.part.as_str().to_string(),
                location.path.clone(),
                location.hidden,
            )),
            _ => None,
        })
        .collect()
}

/// Expected places: record, path, hidden.
type Want = &'static [(&'static str, Option<&'static str>, bool)];

fn want(places: &[(&str, Option<&str>, bool)]) -> BTreeSet<Place> {
    places
        .iter()
        .map(|(r, p, h)| {
            ("protected-identifier".into(), r.to_string(), "attachment".into(), p.map(str::to_string), *h)
        })
        .collect()
}

fn scan(name: &str) -> Report {
    scanner().scan(&message(name, "application/octet-stream", &fixture(name)))
}

/// The Word document: a different person in each region and kind of text.
const REPORT_DOC: Want = &[
    ("L01", None, false),
    // Split across runs of different formatting.
    ("L02", None, false),
    // A table row, "Moreno | Diego" (surname first); the next row, "Holly | Berries", is no one.
    ("L03", None, false),
    ("L04", Some("header"), false),
    ("L05", Some("footer"), false),
    ("L06", Some("footnote"), false),
    ("L07", Some("endnote"), false),
    ("L08", Some("comment"), false),
    // Hidden text and a tracked deletion.
    ("L09", None, true),
    ("L10", None, true),
    ("L11", Some("properties"), false),
    // In a UTF-16 piece (a character outside windows-1252).
    ("L12", None, false),
    ("L25", Some("text box"), false),
];

/// Text hidden through styles (`styles.doc`): none of it is hidden by its own properties.
const STYLES_DOC: Want = &[
    ("L27", None, false),
    // A character style that hides, and one based on it.
    ("L28", None, true),
    ("L29", None, true),
    // A paragraph style that hides; a span in such a paragraph shown by its own properties.
    ("L30", None, true),
    ("L31", None, false),
];

const SLIDES_PPT: Want = &[
    ("L14", Some("slide 1"), false),
    ("L15", Some("slide 1 notes"), false),
    ("L16", Some("slide 2"), false),
    ("L17", Some("slide 2 notes"), false),
    // Slide 3 is hidden.
    ("L18", Some("slide 3"), true),
];

const BOOK_XLS: Want = &[
    ("L19", Some("Summary!A2"), false),
    // A hidden row, a hidden column, a cell note, a hidden sheet.
    ("L20", Some("Summary!A3"), true),
    ("L21", Some("Summary!D2"), true),
    ("L22", Some("Summary!B2 comment"), false),
    ("L23", Some("Staff!B2"), true),
    ("L24", Some("properties"), false),
];

#[test]
fn every_place_of_every_legacy_format() {
    let cases: [(&str, Want); 8] = [
        ("report.doc", REPORT_DOC),
        ("styles.doc", STYLES_DOC),
        ("slides.ppt", SLIDES_PPT),
        ("book.xls", BOOK_XLS),
        // The same workbook as Excel 95 (BIFF5, a `Book` stream), saved by Gnumeric.
        ("book95.xls", BOOK_XLS),
        ("clean.doc", &[]),
        ("clean.ppt", &[]),
        ("clean.xls", &[]),
    ];
    let mut failures = Vec::new();
    for (file, expected) in cases {
        let report = scan(file);
        let (got, expected) = (places(&report), want(expected));
        if got != expected {
            failures.push(format!("{file}:\n  want {expected:?}\n  got  {got:?}"));
        }
        if !limits(&report).is_empty() {
            failures.push(format!("{file}: scan-incomplete {:?}", limits(&report)));
        }
        let verdict = if expected.is_empty() { Verdict::Allow } else { Verdict::Block };
        if report.verdict() != verdict {
            failures.push(format!("{file}: verdict {}", report.verdict()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inside_an_archive_the_path_shows_the_chain() {
    let zip =
        mail::zip(&[("old/report.doc", &fixture("report.doc")), ("old/slides.ppt", &fixture("slides.ppt"))]);
    let report = scanner().scan(&message("old.zip", "application/zip", &zip));
    let got: BTreeSet<(String, Option<String>)> = places(&report).into_iter().map(|p| (p.1, p.3)).collect();
    assert!(got.contains(&("L06".into(), Some("old/report.doc > footnote".into()))), "{got:?}");
    assert!(got.contains(&("L01".into(), Some("old/report.doc".into()))), "{got:?}");
    assert!(got.contains(&("L15".into(), Some("old/slides.ppt > slide 1 notes".into()))), "{got:?}");
}

/// The offset in `file` (a compound file) of the stream whose first bytes are `head`, at a
/// sector boundary (of the mini stream's 64-byte sectors, for a stream under 4 KiB).
fn stream_at(file: &[u8], head: &[u8]) -> usize {
    (512..file.len()).step_by(64).find(|&at| file[at..].starts_with(head)).expect("the stream is in the file")
}

#[test]
fn an_encrypted_document_is_incomplete_not_silent() {
    // fEncrypted set in the FIB of the Word document.
    let mut doc = fixture("report.doc");
    let fib = stream_at(&doc, &[0xec, 0xa5]);
    doc[fib + 0x0b] |= 0x01;
    let report = scanner().scan(&message("report.doc", "application/msword", &doc));
    assert_eq!(limits(&report), ["encrypted"]);
    assert!(places(&report).is_empty(), "{:?}", places(&report));
    assert_eq!(report.verdict(), Verdict::Warn);
    // The encrypted token in the presentation's Current User.
    let mut ppt = fixture("slides.ppt");
    let token = ppt.windows(4).position(|w| w == 0xe391_c05fu32.to_le_bytes()).unwrap();
    ppt[token..token + 4].copy_from_slice(&0xf3d1_c4dfu32.to_le_bytes());
    let report = scanner().scan(&message("slides.ppt", "application/vnd.ms-powerpoint", &ppt));
    assert_eq!(limits(&report), ["encrypted"]);
    assert_eq!(report.verdict(), Verdict::Warn);
}

#[test]
fn a_document_the_reader_does_not_know_is_read_for_text_runs() {
    // The FIB of a Word 6 document (nFib 0x65): its text is still found, as text runs.
    let mut doc = fixture("report.doc");
    let fib = stream_at(&doc, &[0xec, 0xa5]);
    doc[fib + 2..fib + 4].copy_from_slice(&0x65u16.to_le_bytes());
    let report = scanner().scan(&message("report.doc", "application/msword", &doc));
    let got: BTreeSet<String> = places(&report).into_iter().map(|p| p.1).collect();
    assert!(got.contains("L01") && got.contains("L06"), "{got:?}");
    assert!(limits(&report).is_empty());
}

/// A FIB (Word 97) whose counts are `ccp` and whose CLX is at `clx` (offset, length) of the
/// table stream `1Table`.
fn fib(ccp: [u32; 8], clx: (u32, u32)) -> Vec<u8> {
    let mut w = vec![0u8; 32];
    w[0..2].copy_from_slice(&0xa5ecu16.to_le_bytes());
    w[2..4].copy_from_slice(&0xc1u16.to_le_bytes());
    w[0x0a..0x0c].copy_from_slice(&0x0200u16.to_le_bytes());
    w.extend(14u16.to_le_bytes());
    w.extend([0; 28]);
    w.extend(22u16.to_le_bytes());
    let mut lw = [0u32; 22];
    lw[3..11].copy_from_slice(&ccp);
    w.extend(lw.iter().flat_map(|v| v.to_le_bytes()));
    w.extend(93u16.to_le_bytes());
    let mut pairs = [0u32; 186];
    pairs[66] = clx.0;
    pairs[67] = clx.1;
    w.extend(pairs.iter().flat_map(|v| v.to_le_bytes()));
    w
}

/// A CLX of `pieces` (first CP, end CP, fc as stored).
fn clx(pieces: &[(u32, u32, u32)]) -> Vec<u8> {
    let mut plc: Vec<u8> = Vec::new();
    for (cp, _, _) in pieces {
        plc.extend(cp.to_le_bytes());
    }
    plc.extend(pieces.last().map_or(0, |p| p.1).to_le_bytes());
    for (_, _, fc) in pieces {
        plc.extend([0, 0]);
        plc.extend(fc.to_le_bytes());
        plc.extend([0, 0]);
    }
    let mut out = vec![2];
    out.extend((plc.len() as u32).to_le_bytes());
    out.extend(plc);
    out
}

fn word_file(word: Vec<u8>, table: Vec<u8>) -> Vec<u8> {
    compound(&[("/WordDocument".into(), word), ("/1Table".into(), table)])
}

#[test]
fn a_hand_made_word_document_of_both_kinds_of_piece() {
    // 8-bit text at byte 1024 of the stream, UTF-16 at byte 2048; the main text, then a
    // comment: "Aisha Bello\r" (12 CPs) and "Farah Khan\r" (11 CPs).
    let mut word = fib([12, 0, 0, 0, 11, 0, 0, 0], (0, 0));
    word.resize(3072, 0);
    word[1024..1036].copy_from_slice(b"Aisha Bello\r");
    let wide = utf16("Farah Khan\r");
    word[2048..2048 + wide.len()].copy_from_slice(&wide);
    let table = clx(&[(0, 12, 0x4000_0000 | 2048), (12, 23, 2048)]);
    let word = {
        let mut w = fib([12, 0, 0, 0, 11, 0, 0, 0], (0, table.len() as u32));
        w.resize(3072, 0);
        w[1024..].copy_from_slice(&word[1024..]);
        w
    };
    let report = scanner().scan(&message("memo.doc", "application/msword", &word_file(word, table)));
    assert_eq!(places(&report), want(&[("L01", None, false), ("L08", Some("comment"), false)]));
}

#[test]
fn piece_tables_that_lie_cost_no_more_than_the_file() {
    let s = scanner();
    let mut word = fib([u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, 0, 0, 0], (0, 0));
    word.resize(64 << 10, b'x');
    word[40_000..40_013].copy_from_slice(b"\rAisha Bello\r");
    // Pieces past the stream's end, and 80,000 pieces each claiming the whole stream (and
    // billions of characters) over and over.
    let mut pieces = vec![(0, 1000, 0x7fff_fff0u32), (1000, 2000, 0x4000_0000 | 0x3fff_fff0)];
    for i in 0..80_000u32 {
        pieces.push((2000 + i * 50_000, 2000 + (i + 1) * 50_000, 0x4000_0000));
    }
    let table = clx(&pieces);
    let word = {
        let mut w = fib([u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, 0, 0, 0], (0, table.len() as u32));
        w.resize(64 << 10, b'x');
        w[40_000..40_013].copy_from_slice(b"\rAisha Bello\r");
        w
    };
    let file = word_file(word, table);
    let m = message("lies.doc", "application/msword", &file);
    let started = std::time::Instant::now();
    let (report, peak) = measured(&s, &m);
    // The name is read once (the decoding stops after as many characters as the stream has
    // bytes), in bounded time and memory.
    assert!(places(&report).iter().any(|p| p.1 == "L01"), "{:?}", places(&report));
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert!(peak < 4 * m.len() as u64 + (8 << 20), "peak {peak} for a message of {}", m.len());
    // A CLX whose lengths run past the table stream, and one with no pieces: text runs.
    for table in
        [vec![2, 0xff, 0xff, 0xff, 0x7f, 0, 0], vec![1, 0xff, 0x7f, 2], vec![2, 4, 0, 0, 0, 0, 0, 0, 0]]
    {
        let mut w = fib([12, 0, 0, 0, 0, 0, 0, 0], (0, table.len() as u32));
        w.extend(b"\0\0Aisha Bello\0\0");
        let report = s.scan(&message("bad.doc", "application/msword", &word_file(w, table)));
        assert_eq!(places(&report), want(&[("L01", None, false)]));
    }
}

#[test]
fn a_hand_made_presentation_in_list_order_with_its_master_and_comments() {
    // Slides listed 3 then 2 (the list's order is the presentation's); slide 3's placeholder
    // text in the list, 8-bit; a comment on slide 2; a master with a prompt and a text box.
    let mut slides = persist(3, 0);
    slides.extend(rec(0x0fa8, 0, false, b"Title: Sven Dahl"));
    slides.extend(persist(2, 0));
    let mut lists = rec(0x0ff0, 0, true, &slides);
    lists.extend(rec(0x0ff0, 1, true, &persist(4, 0)));
    let mut comment = rec(0x0fba, 0, false, &utf16("Farah Khan"));
    comment.extend(rec(0x0fba, 1, false, &utf16("Ask Maya Singh")));
    let slide2 = rec(0x03ee, 0, true, &rec(0x2ee0, 0, true, &comment));
    let slide3 =
        rec(0x03ee, 0, true, &rec(0xf00d, 0, true, &rec(0x0fa0, 0, false, &utf16("Box: Kasia Nowak"))));
    let mut master = rec(0x0fa0, 0, false, &utf16("Click to edit the title of Diego Moreno"));
    master.extend(rec(0x0fa0, 0, false, &utf16("Prepared by Vera Lang")));
    let master = rec(0x03f8, 0, true, &master);
    let file = presentation(&lists, &[slide2, slide3, master]);
    let report = scanner().scan(&message("deck.ppt", "application/vnd.ms-powerpoint", &file));
    assert_eq!(
        places(&report),
        want(&[
            ("L22", Some("slide 1"), false),
            ("L14", Some("slide 1"), false),
            // The comment's text, not its author.
            ("L16", Some("slide 2 comment"), false),
            ("L26", Some("master"), false),
        ])
    );
}

#[test]
fn a_slide_listed_30000_times_is_read_once() {
    // One slide of 2,000 text atoms (64 KB), listed 30,000 times: read once, as slide 1.
    let lists = rec(0x0ff0, 0, true, &persist(2, 0).repeat(30_000));
    let slide = rec(0x03ee, 0, true, &rec(0x0fa0, 0, false, &utf16("Kasia Nowak.....")).repeat(2_000));
    let file = presentation(&lists, &[slide]);
    let m = message("deck.ppt", "application/vnd.ms-powerpoint", &file);
    let started = std::time::Instant::now();
    let (report, peak) = measured(&scanner(), &m);
    assert_eq!(places(&report), want(&[("L14", Some("slide 1"), false)]));
    // Read 30,000 times, its text would pass the budget of extracted bytes.
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert!(peak < 4 * m.len() as u64 + (8 << 20), "peak {peak}");
}

#[test]
fn presentations_whose_records_and_edits_lie() {
    let s = scanner();
    // A slide whose text atom claims 4 GiB, nested 10,000 containers deep, then a text atom
    // of its own; an edit that names itself as the one before it; a directory claiming 4,095
    // entries it does not have.
    let mut deep = rec(0x0fa0, 0, false, &utf16("Kasia Nowak"));
    deep[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    for _ in 0..10_000 {
        deep = rec(0xf004, 0, true, &deep);
    }
    deep.extend(rec(0x0fa0, 0, false, &utf16("Maya Singh")));
    let slide = rec(0x03ee, 0, true, &deep);
    let mut persist = vec![0u8; 20];
    persist[0] = 2;
    let document = rec(0x03e8, 0, true, &rec(0x0ff0, 0, true, &rec(0x03f3, 0, false, &persist)));
    let mut stream = document.clone();
    let slide_at = stream.len() as u32;
    stream.extend(&slide);
    let dir_at = stream.len() as u32;
    let mut dir = (1u32 | 2 << 20).to_le_bytes().to_vec();
    dir.extend(0u32.to_le_bytes());
    dir.extend(slide_at.to_le_bytes());
    dir.extend((3u32 | 4095 << 20).to_le_bytes());
    stream.extend(rec(0x1772, 0, false, &dir));
    // The edit's previous edit is itself.
    let file = edited(stream, dir_at, true);
    let m = message("lies.ppt", "application/vnd.ms-powerpoint", &file);
    let (report, peak) = measured(&s, &m);
    // Followed 16 deep, the deep atom is not reached; the slide's other text is.
    assert_eq!(places(&report), want(&[("L16", Some("slide 1"), false)]));
    assert!(peak < 4 * m.len() as u64 + (8 << 20), "peak {peak}");
}

#[test]
fn legacy_files_cut_or_flipped_anywhere_give_a_report() {
    let s = scanner();
    // Each file, and the first bytes of the stream its reader reads.
    let files: [(&str, &[u8]); 5] = [
        ("report.doc", &[0xec, 0xa5]),
        // Its table stream, which starts with the style sheet.
        ("styles.doc", &[0x12, 0, 0x17, 0, 0x0a, 0]),
        ("slides.ppt", &[0x0f, 0x00, 0xe8, 0x03]),
        ("book.xls", &[9, 8, 16, 0]),
        // Its `Book` stream: a BOF of BIFF5.
        ("book95.xls", &[9, 8, 8, 0, 0, 5]),
    ];
    for (name, head) in files {
        let file = fixture(name);
        let stream = stream_at(&file, head);
        for len in (0..file.len()).step_by(file.len() / 40).chain((stream..stream + 8192).step_by(509)) {
            let _ = s.scan(&message(name, "application/octet-stream", &file[..len.min(file.len())]));
        }
        // Bytes of the stream set to 0xff, 16 at a time: lengths, offsets and counts all
        // become huge.
        for at in (stream..(stream + (12 << 10)).min(file.len())).step_by(211) {
            let mut bad = file.clone();
            let end = (at + 16).min(bad.len());
            bad[at..end].fill(0xff);
            let _ = s.scan(&message(name, "application/octet-stream", &bad));
        }
    }
}
