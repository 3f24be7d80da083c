//! Legacy Office files (Word 97 `.doc`, PowerPoint 97 `.ppt`, Excel 97 `.xls`) whose streams
//! are fuzzed bytes (see `shared::legacy_file`), attached to a message and scanned with small
//! limits: the piece table, records and edits of the readers in `src/extract/doc.rs`,
//! `ppt.rs`, `biff.rs` and `summary.rs` met with whatever the bytes say.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    if let Some((name, file)) = shared::legacy_file(data) {
        shared::scan_and_check(&shared::message(name, "application/octet-stream", &file));
    }
});
