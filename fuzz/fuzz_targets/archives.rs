//! Arbitrary bytes as an archive attachment (tar, gzip, bzip2, xz, 7z or ZIP, named by the
//! input's first byte): the archive readers, their decompressors and the members they hand
//! back, nested under the same limits, scanned with small limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    shared::scan_and_check(&shared::archive_message(data));
});
