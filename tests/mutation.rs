//! The standing mutation check: a few thousand mutants of the repository's messages (the
//! golden messages, the README's sample, the S/MIME fixtures, the public corpus in
//! `tests/corpus` and the document fixtures as attachments), made from a fixed seed, each
//! scanned: no panic escapes, no scan takes more than a second, and no mutant is allowed
//! where its unmutated message had a finding whose evidence the mutation did not touch
//! (`tests/common/mutation.rs` says how that is decided). Longer runs:
//! `examples/mutation_run.rs` ([docs/testing.md](../docs/testing.md)).

#![cfg(feature = "documents")]

use std::path::Path;

#[path = "common/mutation.rs"]
mod mutation;

/// Mutants per run: a few thousand, well under a minute in a debug build on two cores.
const MUTANTS: usize = 5000;

/// The largest message mutated here: the 17 files of the corpus over it take seconds each in
/// a debug build (the long run, in release, takes them all).
const MAX_BYTES: u64 = 128 << 10;

#[test]
fn mutants_scan_without_panic_hang_or_lost_evidence() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = mutation::corpus(root, MAX_BYTES);
    assert!(corpus.len() > 1000, "{} messages", corpus.len());
    let scanner = mutation::scanner(root);
    let outcome = mutation::run(&corpus, &scanner, mutation::SEED, MUTANTS, 2);
    println!("{}", outcome.summary());
    assert_eq!(outcome.mutants, MUTANTS);
    // The check is a check: most mutants of messages with findings are decided, and many of
    // those have evidence elsewhere.
    assert!(outcome.decided > MUTANTS / 10 && outcome.decided_with_evidence >= 50, "{}", outcome.summary());
    assert!(outcome.failures.is_empty(), "{}\n{}", outcome.summary(), outcome.failures.join("\n"));
}

/// The same seed makes the same mutants, whatever the thread that makes them.
#[test]
fn mutants_are_made_from_the_seed_alone() {
    let base = mutation::Base::new(
        "built".into(),
        b"From: a@b.example\r\nTo: c@d.example\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n\r\nJane Doe\r\n--x--\r\n"
            .to_vec(),
    );
    assert_eq!(base.boundaries, [b"x".to_vec()]);
    assert_eq!(base.leaves.len(), 1);
    let draw = |n| {
        let m = mutation::mutate(&mut mutation::Rng::new(mutation::SEED, n), &base);
        (m.kind, m.at, m.removed, m.inserted)
    };
    let first: Vec<_> = (0..200).map(draw).collect();
    let again: Vec<_> =
        std::thread::scope(|s| s.spawn(|| (0..200).map(draw).collect::<Vec<_>>()).join().unwrap());
    assert_eq!(first, again);
    let kinds: std::collections::HashSet<_> = first.iter().map(|m| m.0).collect();
    assert_eq!(kinds.len(), 6, "every kind of mutation is drawn");
    // A mutation inside the body is decided; one that adds a line of the message's own
    // boundary, or touches the header, is not.
    let body = base.leaves[0].clone();
    let inside = mutation::Mutation {
        kind: mutation::Kind::Flip,
        at: body.start + 1,
        removed: 1,
        inserted: b"q".to_vec(),
    };
    assert_eq!(mutation::untouched_elsewhere(&base, &inside, &inside.apply(&base.bytes)), Some(0));
    let split = mutation::Mutation {
        kind: mutation::Kind::Boundary,
        at: body.start,
        removed: 0,
        inserted: b"--x\r\n".to_vec(),
    };
    assert_eq!(mutation::untouched_elsewhere(&base, &split, &split.apply(&base.bytes)), None);
    let header = mutation::Mutation { kind: mutation::Kind::Cut, at: 3, removed: 2, inserted: Vec::new() };
    assert_eq!(mutation::untouched_elsewhere(&base, &header, &header.apply(&base.bytes)), None);
}
