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
//!
//!     cargo bench --bench scan

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use maildlp::{Policy, ProtectedList, Scanner};

#[path = "gen/mod.rs"]
mod gen;

fn scanner(records: usize) -> Scanner {
    let list = ProtectedList::from_csv(&gen::list_csv(records)).expect("generated list is valid");
    Scanner::new(list, Policy::builder().internal_domain("police.example").build().expect("valid policy"))
}

fn floor_vs_scan(c: &mut Criterion) {
    let mailbox = gen::mailbox(7, 200, 10_000);
    let bytes: usize = mailbox.iter().map(Vec::len).sum();
    let s = scanner(10_000);
    let parser = mail_parser::MessageParser::new();
    let mut g = c.benchmark_group("floor_vs_scan");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("mail_parser_parse", |b| {
        b.iter(|| {
            let mut parts = 0;
            for m in &mailbox {
                parts += parser.parse(m).map_or(0, |p| p.parts.len());
            }
            parts
        })
    });
    g.bench_function("maildlp_scan_10k", |b| {
        b.iter(|| mailbox.iter().map(|m| s.scan(m).findings().len()).sum::<usize>())
    });
    let key = maildlp::sealed::Key::from_bytes(&[9u8; 32]).expect("32 bytes");
    let list = ProtectedList::from_csv(&gen::list_csv(10_000)).expect("generated list is valid");
    let sealed =
        maildlp::sealed::SealedList::open(&maildlp::sealed::seal(&list, &key), &key).expect("same key");
    let sealed = Scanner::new_sealed(
        sealed,
        Policy::builder().internal_domain("police.example").build().expect("valid policy"),
    );
    let detecting = Scanner::new(
        ProtectedList::from_csv(&gen::list_csv(10_000)).expect("generated list is valid"),
        Policy::from_toml("internal_domains = [\"police.example\"]\ndetectors = [\"payment-card\", \"iban\", \"uk-nino\", \"nhs-number\"]")
            .expect("valid policy"),
    );
    g.bench_function("maildlp_scan_10k_detectors", |b| {
        b.iter(|| mailbox.iter().map(|m| detecting.scan(m).findings().len()).sum::<usize>())
    });
    g.bench_function("maildlp_scan_10k_sealed", |b| {
        b.iter(|| mailbox.iter().map(|m| sealed.scan(m).findings().len()).sum::<usize>())
    });
    g.finish();
}

/// The varied mix, in memory.
fn varied_mailbox() -> Vec<Vec<u8>> {
    fn eml(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                eml(&p, out);
            } else if p.extension().is_some_and(|e| e == "eml") {
                out.extend(std::fs::read(&p).ok());
            }
        }
    }
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut mailbox = Vec::new();
    eml(&tests.join("corpus"), &mut mailbox);
    let documents: Vec<gen::Document> = [
        ("workbook.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("document.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("document-lo.pdf", "application/pdf"),
        ("report.pdf", "application/pdf"),
        ("letter.odt", "application/vnd.oasis.opendocument.text"),
        ("workbook-lo.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("legacy.xls", "application/vnd.ms-excel"),
    ]
    .iter()
    .filter_map(|(name, content_type)| {
        let bytes = std::fs::read(tests.join("documents").join(name)).ok()?;
        Some(gen::Document { name: name.to_string(), content_type, bytes })
    })
    .collect();
    let mut rng = gen::Rng::new(42);
    for _ in 0..3000 {
        let kind = rng.below(4);
        mailbox.push(gen::varied_message(&mut rng, kind, 10_000, &documents));
    }
    mailbox
}

fn floor_vs_scan_varied(c: &mut Criterion) {
    let mailbox = varied_mailbox();
    let bytes: usize = mailbox.iter().map(Vec::len).sum();
    let s = scanner(10_000);
    let parser = mail_parser::MessageParser::new();
    let mut g = c.benchmark_group("floor_vs_scan_varied");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("mail_parser_parse", |b| {
        b.iter(|| mailbox.iter().map(|m| parser.parse(m).map_or(0, |p| p.parts.len())).sum::<usize>())
    });
    g.bench_function("maildlp_scan_10k", |b| {
        b.iter(|| mailbox.iter().map(|m| s.scan(m).findings().len()).sum::<usize>())
    });
    g.finish();
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

criterion_group!(benches, floor_vs_scan, floor_vs_scan_varied, message_size);
criterion_main!(benches);
