//! Hostile Outlook containers, generated here: LZFu and TNEF length fields that lie, `.msg`
//! files whose directory points outside the file or claims streams larger than they are, and
//! messages embedded in messages past `max_depth`. Each scans to a report without a panic,
//! says which limit it met, still reports what came before it, and keeps the peak heap of
//! the scan within four times the message (plus [`FIXED`], as in
//! `tests/adversarial_documents.rs`).

#![cfg(feature = "documents")]

use maildlp::{Detail, Limits, Policy, ProtectedList, Rule, Scanner};

#[path = "common/compound.rs"]
mod compound;
use compound::{compound, utf16};

#[path = "common/mail.rs"]
mod mail;

/// Heap a scan may use beyond four times the message for its buffers, whatever its size.
const FIXED: u64 = 2 << 20;

fn scanner(limits: Limits) -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV02,name,Ravi Patel\n").unwrap();
    Scanner::new(list, Policy::builder().limits(limits).build().unwrap())
}

/// A message to an outsider with `body` as the attachment `name`.
fn message(name: &str, body: &[u8]) -> Vec<u8> {
    mail::attached(name, "application/octet-stream", body)
}

/// What a scan gave: the limits it met and the records it found.
struct Outcome {
    limits: Vec<String>,
    found: Vec<String>,
}

/// Scans `message`, checking its peak heap against four times its size plus [`FIXED`].
fn scan(name: &str, s: &Scanner, message: &[u8]) -> Outcome {
    let started = std::time::Instant::now();
    let (report, peak) = mail::measured(s, message);
    println!(
        "{name}: {} bytes, peak heap {} bytes ({:.2}x), {:.2} s",
        message.len(),
        peak,
        peak as f64 / message.len() as f64,
        started.elapsed().as_secs_f64()
    );
    assert!(
        peak <= 4 * message.len() as u64 + FIXED,
        "{name}: peak heap {} > 4 x {} + {FIXED}",
        peak,
        message.len()
    );
    let mut found: Vec<String> = report
        .findings()
        .iter()
        .filter(|f| f.rule == Rule::ProtectedIdentifier)
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, .. } => Some(record.clone()),
            _ => None,
        })
        .collect();
    found.sort();
    found.dedup();
    Outcome {
        limits: report
            .findings()
            .iter()
            .filter_map(|f| match &f.detail {
                Detail::Incomplete { limit, .. } => Some(limit.as_str().to_string()),
                _ => None,
            })
            .collect(),
        found,
    }
}

/// An LZFu stream that starts with `text` as literals and then grows by references only,
/// `tokens` of them, each giving 17 bytes; its `COMPSIZE` and `RAWSIZE` say 4 GiB.
fn lzfu_bomb(text: &[u8], tokens: usize) -> Vec<u8> {
    let mut out = vec![0xff; 8];
    out.extend(b"LZFu\0\0\0\0");
    let mut write = 207;
    for chunk in text.chunks(8) {
        out.push(0);
        out.extend(chunk);
        write = (write + chunk.len()) % 4096;
    }
    for group in 0..tokens.div_ceil(8) {
        let n = 8.min(tokens - group * 8);
        out.push(((1u16 << n) - 1) as u8);
        for _ in 0..n {
            let token = (((write + 1) % 4096) << 4 | 15) as u16;
            out.extend(token.to_be_bytes());
            write = (write + 17) % 4096;
        }
    }
    out
}

/// A TNEF attribute.
fn attribute(out: &mut Vec<u8>, level: u8, id: u16, ty: u16, data: &[u8]) {
    out.push(level);
    out.extend((u32::from(ty) << 16 | u32::from(id)).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out.extend([0, 0]); // a checksum that is wrong
}

fn tnef() -> Vec<u8> {
    vec![0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00]
}

#[test]
fn lzfu_whose_sizes_lie() {
    // 2 MiB of references that would grow to 35 MiB, in a .msg whose only body it is: the RTF
    // is cut at twice its size, said to be cut, and what came first is found.
    let rtf = lzfu_bomb(b"{\\rtf1 Jane Doe\\par ", 1 << 20);
    let msg = compound(&[
        ("/__properties_version1.0".into(), vec![0; 32]),
        ("/__substg1.0_10090102".into(), rtf.clone()),
    ]);
    let s = scanner(Limits::default());
    let out = scan("lzfu bomb in .msg", &s, &message("bomb.msg", &msg));
    assert_eq!(out.found, ["V01"]);
    assert_eq!(out.limits, ["unreadable"]);
    // The same in TNEF, under a budget smaller than the RTF: cut by the budget.
    let mut t = tnef();
    let mut props = 1u32.to_le_bytes().to_vec();
    props.extend(0x0102u16.to_le_bytes());
    props.extend(0x1009u16.to_le_bytes());
    props.extend(1u32.to_le_bytes());
    props.extend((rtf.len() as u32).to_le_bytes());
    props.extend(&rtf);
    attribute(&mut t, 1, 0x9003, 6, &props);
    let s = scanner(Limits { max_extracted_bytes: 1 << 20, ..Limits::default() });
    let out = scan("lzfu bomb in TNEF, small budget", &s, &message("winmail.dat", &t));
    assert_eq!(out.found, ["V01"]);
    assert_eq!(out.limits, ["max_extracted_bytes"]);
}

#[test]
fn tnef_whose_lengths_lie() {
    let mut t = tnef();
    attribute(&mut t, 1, 0x800c, 2, b"Jane Doe will testify");
    // Property and recipient counts of four billion over a few bytes.
    let mut list = u32::MAX.to_le_bytes().to_vec();
    list.extend(0x0102u16.to_le_bytes());
    list.extend(0x1000u16.to_le_bytes());
    list.extend(u32::MAX.to_le_bytes());
    list.extend(u32::MAX.to_le_bytes());
    attribute(&mut t, 1, 0x9003, 6, &list);
    attribute(&mut t, 1, 0x9004, 6, &[0xff; 64]);
    // An attachment whose data says 4 GiB: cut to what is there, and read.
    t.push(2);
    t.extend(0x0006_800fu32.to_le_bytes());
    t.extend(u32::MAX.to_le_bytes());
    t.extend(b"name\nRavi Patel\n");
    let s = scanner(Limits::default());
    let out = scan("TNEF lengths that lie", &s, &message("winmail.dat", &t));
    assert_eq!(out.found, ["V01", "V02"]);
    assert!(out.limits.is_empty(), "{:?}", out.limits);
    // A million empty attachments: read up to max_archive_entries, and said.
    let mut t = tnef();
    attribute(&mut t, 1, 0x800c, 2, b"Jane Doe");
    for _ in 0..1_000_000 {
        attribute(&mut t, 2, 0x9002, 6, &[]);
    }
    let out = scan("TNEF of a million attachments", &s, &message("winmail.dat", &t));
    assert_eq!(out.found, ["V01"]);
    assert_eq!(out.limits, ["max_archive_entries"]);
    // A million recipients, each a display name: read up to max_archive_entries, and said.
    let mut t = tnef();
    attribute(&mut t, 1, 0x800c, 2, b"Jane Doe");
    let mut table = 1_000_000u32.to_le_bytes().to_vec();
    for i in 0..1_000_000u32 {
        table.extend(1u32.to_le_bytes());
        table.extend(0x001eu16.to_le_bytes());
        table.extend(0x3001u16.to_le_bytes());
        table.extend(1u32.to_le_bytes());
        table.extend(8u32.to_le_bytes());
        table.extend(format!("r{i:06}\0").as_bytes());
    }
    attribute(&mut t, 1, 0x9004, 6, &table);
    let out = scan("TNEF of a million recipients", &s, &message("winmail.dat", &t));
    assert_eq!(out.found, ["V01"]);
    assert_eq!(out.limits, ["max_archive_entries"]);
}

/// The offset of the directory entry named `name` in compound file `bytes`.
fn entry(bytes: &[u8], name: &str) -> usize {
    let utf = utf16(name);
    bytes.windows(utf.len()).position(|w| w == utf.as_slice()).unwrap()
}

#[test]
fn msg_whose_streams_point_outside_the_file() {
    let body = "Jane Doe will testify. ".repeat(400);
    let base = compound(&[
        ("/__properties_version1.0".into(), vec![0; 32]),
        ("/__substg1.0_0037001F".into(), utf16("Ravi Patel")),
        ("/__substg1.0_1000001F".into(), utf16(&body)),
        ("/__attach_version1.0_#00000000/__properties_version1.0".into(), vec![0; 8]),
        ("/__attach_version1.0_#00000000/__substg1.0_37010102".into(), vec![b'x'; 9000]),
    ]);
    let s = scanner(Limits::default());
    // The body's directory entry claims 2 GiB; then its first sector is past the file's end;
    // then the attachment's data starts in the directory's own sector.
    let cases: [(&str, &str, usize, u32); 3] = [
        ("size past the file", "__substg1.0_1000001F", 120, 0x7fff_ffff),
        ("sector past the file", "__substg1.0_1000001F", 116, 0x00ff_fff0),
        ("sector of the directory", "__substg1.0_37010102", 116, 1),
    ];
    for (what, name, field, value) in cases {
        let mut bytes = base.clone();
        let at = entry(&bytes, name) + field;
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        let out = scan(what, &s, &message("damaged.msg", &bytes));
        // The subject is read whether the file opens or is read for its text runs.
        assert!(out.found.contains(&"V02".to_string()), "{what}: {:?}", out.found);
    }
    // Property entries that claim sizes the streams do not have are not believed.
    let mut props = vec![0u8; 32];
    for pid in [0x1000u16, 0x0037, 0x1009] {
        props.extend(0x0102u16.to_le_bytes());
        props.extend(pid.to_le_bytes());
        props.extend(6u32.to_le_bytes());
        props.extend(u32::MAX.to_le_bytes());
        props.extend(u32::MAX.to_le_bytes());
    }
    let msg = compound(&[
        ("/__properties_version1.0".into(), props),
        ("/__substg1.0_1000001F".into(), utf16("Jane Doe")),
    ]);
    let out = scan("property sizes that lie", &s, &message("sizes.msg", &msg));
    assert_eq!(out.found, ["V01"]);
}

#[test]
fn embedded_messages_past_max_depth() {
    // .msg in .msg, 40 deep: read to max_depth (8 here), the rest said.
    let limits = Limits { max_depth: 8, ..Limits::default() };
    let s = scanner(limits);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut at = String::new();
    for level in 0..40 {
        let header = if level == 0 { 32 } else { 24 };
        files.push((format!("{at}/__properties_version1.0"), vec![0; header]));
        let text = if level == 1 {
            "Jane Doe"
        } else if level == 39 {
            "Ravi Patel"
        } else {
            "nothing"
        };
        files.push((format!("{at}/__substg1.0_1000001F"), utf16(text)));
        files.push((format!("{at}/__attach_version1.0_#00000000/__properties_version1.0"), vec![0; 8]));
        at = format!("{at}/__attach_version1.0_#00000000/__substg1.0_3701000D");
    }
    let msg = compound(&files);
    let out = scan(".msg 40 deep", &s, &message("deep.msg", &msg));
    assert_eq!(out.found, ["V01"]);
    assert!(out.limits.iter().all(|l| l == "max_depth") && !out.limits.is_empty(), "{:?}", out.limits);
    // TNEF in TNEF, 10,000 deep: no stack is spent past max_depth.
    let mut inner = tnef();
    attribute(&mut inner, 1, 0x800c, 2, b"Ravi Patel");
    for level in 0..10_000 {
        let mut obj = vec![0u8; 16];
        obj.extend(&inner);
        let mut props = 1u32.to_le_bytes().to_vec();
        props.extend(0x000du16.to_le_bytes());
        props.extend(0x3701u16.to_le_bytes());
        props.extend(1u32.to_le_bytes());
        props.extend((obj.len() as u32).to_le_bytes());
        props.extend(&obj);
        props.resize(props.len().next_multiple_of(4), 0);
        let mut t = tnef();
        if level == 9_998 {
            attribute(&mut t, 1, 0x800c, 2, b"Jane Doe");
        }
        attribute(&mut t, 2, 0x9002, 6, &[]);
        attribute(&mut t, 2, 0x9005, 6, &props);
        inner = t;
        if inner.len() > 4 << 20 {
            break;
        }
    }
    let out = scan("TNEF nested deep", &s, &message("winmail.dat", &inner));
    assert_eq!(out.found, ["V01"]);
    assert!(out.limits.iter().all(|l| l == "max_depth") && !out.limits.is_empty(), "{:?}", out.limits);
}
