//! Arbitrary bytes as a protected list: refused with a line, or loaded and compiled.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maildlp::{Policy, ProtectedList, Scanner};

fuzz_target!(|data: &[u8]| {
    match ProtectedList::from_csv_bytes(data) {
        Ok(list) => {
            let n = list.identifier_count();
            let s = Scanner::new(list, Policy::default());
            assert_eq!(s.list().map(ProtectedList::identifier_count), Some(n));
            let _ = s.scan(
                b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nJane Doe +44 20 7946 0018\r\n",
            );
        }
        Err(e) => {
            assert!(e.line().is_some());
        }
    }
});
