//! Arbitrary bytes behind a TNEF signature, as a `winmail.dat` attachment: the TNEF reader, its
//! MAPI properties, compressed RTF and the attachments it hands back to the document readers,
//! scanned with small limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    let mut tnef = vec![0x78, 0x9f, 0x3e, 0x22];
    tnef.extend_from_slice(data);
    shared::scan_and_check(&shared::message("winmail.dat", "application/ms-tnef", &tnef));
});
