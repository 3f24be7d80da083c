//! Scanning speed.
//!
//! - `floor_vs_scan`: the same realistic mailbox parsed by mail-parser alone (the floor for any
//!   decoding scanner) and fully scanned by maildlp with a 10k-record list: plain, with the
//!   four sensitive-data detectors on, and sealed, side by side.
//! - `floor_vs_scan_varied`: the varied mix of `benches/whole_process.sh` in memory (the public
//!   corpus once, and 3,000 generated messages: QP text + HTML with a random-byte PDF, base64
//!   HTML with inline images, Latin-1 text with a photo, text with real documents attached),
//!   parsed by mail-parser and scanned by maildlp: the same comparison without the process
//!   around it (file reading, output).
//! - `message_size`: one text message from 1 KB to 10 MB (time should grow linearly).
//! - `dense_names`: a CSV attachment naming a protected person on every row (30,000 rows): a
//!   match every few dozen bytes, each mapped back to its place in the text.
//!
//!     cargo bench --bench scan

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use maildlp::{Policy, ProtectedList, Scanner};

#[path = "gen/mod.rs"]
mod gen;

fn scanner(records: usize) -> Scanner {
    let list = ProtectedList::from_csv(&gen::list_csv(records)).expect("generated list is valid");
    Scanner::new(list, Policy::builder().internal_domain("police.example").build().expect("valid policy"))
}

/// A group over `mailbox` holding the floor (mail-parser's parse of every message) and the
/// full scan with a 10k-record list; the caller may add more before it finishes the group.
fn floor_and_scan<'c>(
    c: &'c mut Criterion,
    name: &str,
    mailbox: &[Vec<u8>],
    samples: usize,
) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(mailbox.iter().map(|m| m.len() as u64).sum()));
    g.sample_size(samples);
    let parser = mail_parser::MessageParser::new();
    g.bench_function("mail_parser_parse", |b| {
        b.iter(|| mailbox.iter().map(|m| parser.parse(m).map_or(0, |p| p.parts.len())).sum::<usize>())
    });
    scan_bench(&mut g, "maildlp_scan_10k", &scanner(10_000), mailbox);
    g
}

/// Scans every message of `mailbox` with `s`.
fn scan_bench(g: &mut BenchmarkGroup<'_, WallTime>, id: &str, s: &Scanner, mailbox: &[Vec<u8>]) {
    g.bench_function(id, |b| b.iter(|| mailbox.iter().map(|m| s.scan(m).findings().len()).sum::<usize>()));
}

fn floor_vs_scan(c: &mut Criterion) {
    let mailbox = gen::mailbox(7, 200, 10_000);
    let mut g = floor_and_scan(c, "floor_vs_scan", &mailbox, 20);
    let key = maildlp::list::Key::from_bytes(&[9u8; 32]).expect("32 bytes");
    let list = ProtectedList::from_csv(&gen::list_csv(10_000)).expect("generated list is valid");
    let sealed = maildlp::list::SealedList::open(&maildlp::list::seal(&list, &key), &key).expect("same key");
    let sealed = Scanner::new(
        sealed,
        Policy::builder().internal_domain("police.example").build().expect("valid policy"),
    );
    let detecting = Scanner::new(
        ProtectedList::from_csv(&gen::list_csv(10_000)).expect("generated list is valid"),
        Policy::from_toml("internal_domains = [\"police.example\"]\ndetectors = [\"payment-card\", \"iban\", \"uk-nino\", \"nhs-number\"]")
            .expect("valid policy"),
    );
    scan_bench(&mut g, "maildlp_scan_10k_detectors", &detecting, &mailbox);
    scan_bench(&mut g, "maildlp_scan_10k_sealed", &sealed, &mailbox);
    g.finish();
}

/// The varied mix, in memory: the public corpus once, then 3,000 generated messages.
fn varied_mailbox() -> Vec<Vec<u8>> {
    let corpus = gen::eml_files(&gen::tests_dir().join("corpus")).expect("tests/corpus is readable");
    let mut mailbox: Vec<Vec<u8>> = corpus.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    let documents = gen::documents().expect("tests/documents is readable");
    let mut rng = gen::Rng::new(42);
    for _ in 0..3000 {
        let kind = rng.below(4);
        mailbox.push(gen::varied_message(&mut rng, kind, 10_000, &documents));
    }
    mailbox
}

fn floor_vs_scan_varied(c: &mut Criterion) {
    let mailbox = varied_mailbox();
    floor_and_scan(c, "floor_vs_scan_varied", &mailbox, 10).finish();
}

fn message_size(c: &mut Criterion) {
    let s = scanner(10_000);
    let mut g = c.benchmark_group("message_size");
    g.sample_size(10);
    for size in [1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
        let m = gen::text_message(size as u64, size, 10_000);
        g.throughput(Throughput::Bytes(m.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(size), &m, |b, m| {
            b.iter(|| s.scan(m).findings().len())
        });
    }
    g.finish();
}

fn dense_names(c: &mut Criterion) {
    let s = scanner(10_000);
    let mut csv = String::from("ref,name,note\n");
    for i in 0..30_000 {
        csv.push_str(&format!("{i},{},seen\n", gen::name(i % 10_000)));
    }
    let m = gen::attachment_message("victims.csv", csv.as_bytes());
    let mut g = c.benchmark_group("dense_names");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("csv_30000_rows", |b| b.iter(|| s.scan(&m).findings().len()));
    g.finish();
}

criterion_group!(benches, floor_vs_scan, floor_vs_scan_varied, message_size, dense_names);
criterion_main!(benches);
