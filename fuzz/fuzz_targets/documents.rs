//! Arbitrary bytes as an attachment (the document readers decide the format by content), and
//! the same bytes as the only member of a ZIP archive, scanned with small limits.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

/// A message to an outsider with `body` as an attachment named `f`.
fn message(body: &[u8]) -> Vec<u8> {
    shared::message("f", "application/octet-stream", body)
}

fuzz_target!(|data: &[u8]| {
    shared::scan_and_check(&message(data));
    // The same bytes inside a ZIP, so the archive and member paths see them too.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if zip.start_file("member", options).is_ok() && zip.write_all(data).is_ok() {
        if let Ok(cursor) = zip.finish() {
            let _ = shared::scanner().scan(&message(&cursor.into_inner()));
        }
    }
});
