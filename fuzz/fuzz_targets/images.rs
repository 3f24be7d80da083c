//! Arbitrary bytes as an image attachment read by OCR (policy `ocr = true`), then inside a ZIP:
//! the image decoders under the message's pixel allowance and their limits. Seeds: the PNG,
//! JPEG, GIF, TIFF, BMP and WebP files of `fuzz/regressions/images`, and PDFs whose page is a
//! JBIG2 scan, MMR- and arithmetic-coded (sniffed as PDF whatever their name).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    let scanner = shared::ocr_scanner();
    let json = scanner.scan(&shared::message("f.png", "image/png", data)).to_json();
    if let Some(why) = shared::broken_promise(&json) {
        panic!("{why}");
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    if zip.start_file("scan.png", options).is_ok() && zip.write_all(data).is_ok() {
        if let Ok(cursor) = zip.finish() {
            let _ = scanner.scan(&shared::message("f.zip", "application/zip", &cursor.into_inner()));
        }
    }
});
