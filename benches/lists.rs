//! Protected lists at scale.
//!
//! - `list_compile`: loading and compiling lists of 1k, 100k and 1M records (each record a
//!   name and an email, one in ten a phone: 1M names, 1M emails, 100k phones at the top).
//! - `list_size`: scanning the same mailbox with those lists (throughput should barely move).
//! - `sealed_open`: opening a sealed list of 1k, 100k and 1M records with its key.
//!
//!     cargo bench --bench lists

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use maildlp::{Policy, ProtectedList, Scanner};

#[path = "gen/mod.rs"]
mod gen;

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

fn list_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("list_compile");
    g.sample_size(10);
    for n in [1_000, 100_000, 1_000_000] {
        let csv = gen::list_csv(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &csv, |b, csv| {
            b.iter(|| Scanner::new(ProtectedList::from_csv(csv).expect("valid"), Policy::default()))
        });
    }
    g.finish();
}

fn list_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("list_size");
    g.sample_size(10);
    for n in SIZES {
        let scanner =
            Scanner::new(ProtectedList::from_csv(&gen::list_csv(n)).expect("valid"), Policy::default());
        let mailbox = gen::mailbox(11, 100, n);
        let bytes: usize = mailbox.iter().map(Vec::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &mailbox, |b, mailbox| {
            b.iter(|| mailbox.iter().map(|m| scanner.scan(m).findings().len()).sum::<usize>())
        });
    }
    g.finish();
}

fn sealed_open(c: &mut Criterion) {
    let mut g = c.benchmark_group("sealed_open");
    g.sample_size(10);
    let key = maildlp::list::Key::from_bytes(&[9u8; 32]).expect("32 bytes");
    for n in [1_000, 100_000, 1_000_000] {
        let list = ProtectedList::from_csv(&gen::list_csv(n)).expect("valid");
        let sealed = maildlp::list::seal(&list, &key);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &sealed, |b, sealed| {
            b.iter(|| {
                let list = maildlp::list::SealedList::open(sealed, &key).expect("sealed with this key");
                Scanner::new(list, Policy::default())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, list_compile, list_size, sealed_open);
criterion_main!(benches);
