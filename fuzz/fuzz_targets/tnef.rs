//! Arbitrary bytes behind a TNEF signature, as a `winmail.dat` attachment: the TNEF reader, its
//! MAPI properties, compressed RTF and the attachments it hands back to the document readers,
//! scanned with small limits.
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        // Panics that maildlp catches (a dependency's, in a document reader) must not abort
        // the run; one that escapes the scan still does (see the `documents` target).
        std::panic::set_hook(Box::new(|_| {}));
        let list = ProtectedList::from_csv(
            "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\n",
        )
        .expect("fixed list");
        let limits = Limits {
            max_message_bytes: 4 << 20,
            max_depth: 8,
            max_parts: 200,
            max_extracted_bytes: 8 << 20,
            max_archive_entries: 200,
        };
        Scanner::new(list, Policy::builder().limits(limits).build().expect("policy"))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut tnef = vec![0x78, 0x9f, 0x3e, 0x22];
    tnef.extend_from_slice(data);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&tnef);
    let mut m = b"From: a@b.example\r\nTo: x@y.example\r\nContent-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n\
        --=b\r\nContent-Type: application/ms-tnef\r\nContent-Disposition: attachment; filename=winmail.dat\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    m.extend_from_slice(b64.as_bytes());
    m.extend_from_slice(b"\r\n--=b--\r\n");
    let json = scanner().scan(&m).to_json();
    assert!(json.starts_with("{\"verdict\":"));
    assert!(!json.contains("Jane Doe") && !json.contains("jane.doe@example.org"));
});
