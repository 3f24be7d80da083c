//! Arbitrary message bytes and envelope, scanned with a fixed list and small limits.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

#[derive(arbitrary::Arbitrary, Debug)]
struct Input<'a> {
    envelope: Vec<&'a str>,
    message: &'a [u8],
}

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        // Dependencies panic on some malformed documents (a PDF attached to the message);
        // maildlp catches those panics and reports the document unreadable. libFuzzer's hook
        // would abort on a caught panic, so it is replaced: a panic that escapes the scan
        // still aborts the run (libfuzzer-sys aborts when the target unwinds).
        std::panic::set_hook(Box::new(|_| {}));
        let list = ProtectedList::from_csv(
            "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\n\
             V02,name,Zoë Martin\nV03,name,山田太郎\nOP7,term,Operation Nightingale\n",
        )
        .expect("fixed list");
        let limits = Limits { max_message_bytes: 1 << 20, max_depth: 8, max_parts: 200, ..Limits::default() };
        let policy = Policy::builder().internal_domain("police.example").limits(limits).build().expect("policy");
        Scanner::new(list, policy)
    })
}

fuzz_target!(|input: Input<'_>| {
    let s = scanner();
    let report = s.scan(input.message);
    let json = report.to_json();
    assert!(json.starts_with("{\"verdict\":"));
    // Reports never print a listed value in clear.
    assert!(!json.contains("Jane Doe") && !json.contains("jane.doe@example.org"));
    let _ = s.scan_with_envelope(input.message, &input.envelope);
});
