//! Arbitrary text as a policy: refused with a reason, or accepted within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maildlp::Policy;

fuzz_target!(|text: &str| {
    if let Ok(p) = Policy::from_toml(text) {
        let l = p.limits();
        assert!(l.max_depth >= 1 && l.max_depth <= maildlp::MAX_DEPTH_CEILING);
        assert!(l.max_parts >= 1 && l.max_message_bytes >= 1);
    }
});
