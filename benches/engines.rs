//! The two name engines head to head on the same normalised text, by list size: where the
//! token engine overtakes the automaton decides `TOKEN_ENGINE_THRESHOLD`.
//!
//! `normalize`: the normalisation every segment goes through first.
//!
//!     cargo bench --bench engines

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use maildlp::__private::Normalized;
use maildlp::__private::{EngineChoice, WordEngine};
use maildlp::ProtectedList;

#[path = "gen/mod.rs"]
mod gen;

fn engines(c: &mut Criterion) {
    let mut g = c.benchmark_group("engines");
    g.sample_size(10);
    for n in [1, 10, 100, 1_000, 10_000, 100_000] {
        let list = ProtectedList::from_csv(&gen::list_csv(n)).expect("valid");
        let text = String::from_utf8(gen::text_message(3, 1_000_000, n)).expect("ascii");
        let mut norm = Normalized::new();
        norm.fill(&text);
        g.throughput(Throughput::Bytes(norm.as_bytes().len() as u64));
        for (label, choice) in [("automaton", EngineChoice::Automaton), ("tokens", EngineChoice::Tokens)] {
            let engine = WordEngine::new(&list, choice, false);
            g.bench_with_input(BenchmarkId::new(label, n), &norm, |b, norm| {
                b.iter(|| {
                    let mut hits = 0usize;
                    engine.find(norm.as_bytes(), &mut |_, _, _, _| hits += 1);
                    hits
                })
            });
        }
    }
    g.finish();
}

/// Normalisation alone (what every segment pays before either engine runs), on the same
/// 1 MB of prose.
fn normalize(c: &mut Criterion) {
    let text = String::from_utf8(gen::text_message(3, 1_000_000, 10_000)).expect("ascii");
    let mut g = c.benchmark_group("normalize");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(text.len() as u64));
    let mut norm = Normalized::new();
    g.bench_function("fill", |b| {
        b.iter(|| {
            norm.fill(&text);
            norm.as_bytes().len()
        })
    });
    // A segment with a match in it: the match's offsets mapped back to the source too.
    g.bench_function("fill_and_map", |b| {
        b.iter(|| {
            norm.fill(&text);
            let middle = norm.as_bytes().len() / 2;
            norm.source_range(middle..middle + 8, &text)
        })
    });
    // Mail in other scripts: every character takes the Unicode path.
    let words = [
        "Grüße",
        "aus",
        "Köln",
        "für",
        "Frau",
        "Müller",
        "Ærøskøbing",
        "Łódź",
        "Ζωή",
        "Αθήνα",
        "Москва",
        "Иван",
        "Петров",
        "письмо",
        "東京都",
        "山田",
        "太郎",
        "さん",
        "お知らせ",
        "café",
        "naïve",
        "Søren",
    ];
    let mut other = String::new();
    let mut i = 0usize;
    while other.len() < 1_000_000 {
        other.push_str(words[(i * 7 + i / 5) % words.len()]);
        other.push(if i % 11 == 10 { '\n' } else { ' ' });
        i += 1;
    }
    g.throughput(Throughput::Bytes(other.len() as u64));
    g.bench_function("fill_other_scripts", |b| {
        b.iter(|| {
            norm.fill(&other);
            norm.as_bytes().len()
        })
    });
    g.finish();
}

criterion_group!(benches, engines, normalize);
criterion_main!(benches);
