//! The long mutation run: the standing check of `tests/mutation.rs` (same corpus, mutations
//! and checks: `tests/common/mutation.rs`) over as many mutants as asked, the corpus's largest
//! messages included.
//!
//! ```text
//! cargo run --release --example mutation_run -- [MUTANTS [SEED [THREADS]]]
//! ```
//!
//! MUTANTS defaults to 100,000, SEED to the standing check's, THREADS to the machine's
//! cores. Prints one summary line, then every failure (mutant number, message, mutation),
//! each reproducible from the seed and its number; exits 1 when anything failed.

use std::path::Path;
use std::time::Instant;

#[path = "../tests/common/mutation.rs"]
mod mutation;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let write = args.first().is_some_and(|a| a == "write");
    if write {
        args.remove(0);
    }
    let number = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |a| {
            let a = a.replace(['_', ','], "");
            match a.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).unwrap_or(default),
                None => a.parse().unwrap_or(default),
            }
        })
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = mutation::corpus(root, u64::MAX);
    if write {
        let (Some(n), Some(file)) = (args.first().and_then(|a| a.parse().ok()), args.get(1)) else {
            eprintln!("usage: mutation_run write N FILE [SEED]");
            std::process::exit(2);
        };
        let seed = number(2, mutation::SEED);
        let (b, m) = mutation::nth(&corpus, &mutation::with_findings(&corpus), seed, n);
        println!(
            "mutant {n} of {}: {:?} at {}, {} bytes out, {} in",
            corpus[b].name,
            m.kind,
            m.at,
            m.removed,
            m.inserted.len()
        );
        if let Err(e) = std::fs::write(file, m.apply(&corpus[b].bytes)) {
            eprintln!("{file}: {e}");
            std::process::exit(2);
        }
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let (count, seed, threads) =
        (number(0, 100_000) as usize, number(1, mutation::SEED), number(2, cores) as usize);
    let scanner = mutation::scanner(root);
    let start = Instant::now();
    let outcome = mutation::run(&corpus, &scanner, seed, count, threads);
    println!(
        "seed {seed:#x}, {} messages, {threads} threads, {:.1} s: {}",
        corpus.len(),
        start.elapsed().as_secs_f64(),
        outcome.summary()
    );
    for f in &outcome.failures {
        println!("{f}");
    }
    if !outcome.failures.is_empty() {
        std::process::exit(1);
    }
}
