//! Outlook data files (PST, OST) from arbitrary bytes, read as `maildlp scan` reads a file
//! (`maildlp::sources`), every message found scanned. Seed the corpus with the stores of
//! `tests/pst/`: raw bytes rarely get past the header's checksums.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maildlp::sources::{messages_of_file, Item};

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    let mut items = 0;
    messages_of_file("fuzz.pst", data.to_vec(), &mut |item| {
        items += 1;
        if let Item::Message { bytes, .. } = item {
            shared::scan_and_check(&bytes);
        }
    });
    // Every file is at least one message or one error.
    assert!(items >= 1);
});
