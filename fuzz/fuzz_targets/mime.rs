//! Arbitrary message bytes read by maildlp's MIME walk and by mail-parser: the two readings of
//! the structure (parts, kinds, body spans) are the same, but where the walk excuses them
//! (`src/message/mime.rs`, `agreement::excused`); and neither panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|message: &[u8]| {
    // mail-parser's own debug assertions are caught (as a scan catches them); libFuzzer's hook
    // would abort on a caught one, so it is replaced, as in the scan target.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if let Err(e) = maildlp::fuzzing::mime_agreement(message) {
        eprintln!("the walk's reading is not mail-parser's: {e}");
        std::process::abort();
    }
});
