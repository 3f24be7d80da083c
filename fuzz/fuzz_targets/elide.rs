//! Arbitrary message bytes parsed by mail-parser both whole and with the middle lines of their
//! base64 and quoted-printable bodies left out (`src/message/elide.rs`): whenever the scan would
//! keep the second reading, it must be the first.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|message: &[u8]| {
    // maildlp catches panics inside mail-parser (the message is then read as text); libFuzzer's
    // hook would abort on a caught one, so it is replaced, as in the scan target.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if let Err(e) = maildlp::fuzzing::elided_reading(message) {
        eprintln!("the copy's reading is not the message's: {e}");
        std::process::abort();
    }
});
