//! Arbitrary bytes as an embedded object: the `\x01Ole10Native` stream of an OLE object in a
//! DOCX (an OLE package: the Packager's header, names and sizes), and the `\objdata` of an
//! RTF object (an OLE 1.0 object: its header, class and native data), scanned with small
//! limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

fuzz_target!(|data: &[u8]| {
    for (name, body) in ["f.docx", "f.rtf"].into_iter().zip(shared::embedding(data)) {
        shared::scan_and_check(&shared::message(name, "application/octet-stream", &body));
    }
});
