//! Outlook `.msg` files built from arbitrary bytes: a compound file whose streams (named as
//! MS-OXMSG names them: properties, recipients, attachments, embedded messages) hold fuzzed
//! content, attached to a message and scanned with small limits. Raw bytes alone would almost
//! never get past the compound file's header, so the fuzzer chooses the streams instead.
#![no_main]

use std::io::{Cursor, Write};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[path = "shared/mod.rs"]
mod shared;

/// The storages a stream can be in.
const STORAGES: [&str; 6] = [
    "",
    "/__recip_version1.0_#00000000",
    "/__attach_version1.0_#00000000",
    "/__attach_version1.0_#00000001",
    "/__attach_version1.0_#00000000/__substg1.0_3701000D",
    "/__attach_version1.0_#00000000/__substg1.0_3701000D/__attach_version1.0_#00000000/__substg1.0_3701000D",
];

/// The property streams a reader looks at (and one it does not).
const NAMES: [&str; 14] = [
    "__properties_version1.0",
    "__substg1.0_0037001F",
    "__substg1.0_0037001E",
    "__substg1.0_1000001F",
    "__substg1.0_10090102",
    "__substg1.0_10130102",
    "__substg1.0_3001001F",
    "__substg1.0_3003001E",
    "__substg1.0_39FE001F",
    "__substg1.0_37010102",
    "__substg1.0_3707001F",
    "__substg1.0_0C1A001F",
    "__substg1.0_3FDE0003",
    "__substg1.0_0E04001E",
];

#[derive(Arbitrary, Debug)]
struct Stream {
    storage: u8,
    name: u8,
    data: Vec<u8>,
}

fuzz_target!(|streams: Vec<Stream>| {
    let mut file = match cfb::CompoundFile::create(Cursor::new(Vec::new())) {
        Ok(f) => f,
        Err(_) => return,
    };
    for s in streams.iter().take(32) {
        let dir = STORAGES[usize::from(s.storage) % STORAGES.len()];
        let path = format!("{dir}/{}", NAMES[usize::from(s.name) % NAMES.len()]);
        if !dir.is_empty() && file.create_storage_all(dir).is_err() {
            continue;
        }
        if let Ok(mut stream) = file.create_stream(&path) {
            let _ = stream.write_all(&s.data);
        }
    }
    if file.flush().is_err() {
        return;
    }
    let bytes = file.into_inner().into_inner();
    shared::scan_and_check(&shared::message("FW.msg", "application/vnd.ms-outlook", &bytes));
});
