//! Arbitrary bytes as CMS (S/MIME signed, compressed or enveloped data): opened as maildlp
//! opens S/MIME, whose promises are checked (`maildlp::fuzzing::cms_open`), then scanned as
//! the binary body of an S/MIME message and as a `.p7m` attachment in base64, with small
//! limits. Nothing panics; libFuzzer's memory limit catches unbounded growth.
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maildlp::{Limits, Policy, ProtectedList, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        // Caught panics (mail-parser's debug assertions, document readers) would abort under
        // libFuzzer's hook: it is replaced, as in the scan target.
        std::panic::set_hook(Box::new(|_| {}));
        let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\n")
            .expect("fixed list");
        let limits = Limits {
            max_message_bytes: 4 << 20,
            max_depth: 8,
            max_parts: 200,
            max_extracted_bytes: 8 << 20,
            ..Limits::default()
        };
        let policy = Policy::builder().internal_domain("police.example").limits(limits).build().expect("policy");
        Scanner::new(list, policy)
    })
}

fuzz_target!(|cms: &[u8]| {
    if let Err(e) = maildlp::fuzzing::cms_open(cms) {
        eprintln!("{e}");
        std::process::abort();
    }
    let s = scanner();
    let head = b"From: a@police.example\r\nTo: x@y.example\r\nMIME-Version: 1.0\r\n\
        Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n";
    let _ = s.scan(&[&head[..], cms].concat());
    let b64 = base64::engine::general_purpose::STANDARD.encode(cms);
    let attached = format!(
        "From: a@police.example\r\nTo: x@y.example\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b\r\nContent-Type: application/octet-stream; name=signed.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {b64}\r\n--b--\r\n"
    );
    let _ = s.scan(attached.as_bytes());
});
