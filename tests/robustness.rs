//! Any input is scanned without a panic, and limits report what they cut.

use maildlp::{Limits, Policy, ProtectedList, Rule, Scanner, Verdict};
use proptest::prelude::*;

fn scanner(limits: Limits) -> Scanner {
    let list = ProtectedList::from_csv(
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\nOP7,term,Kestrel\n",
    )
    .unwrap();
    Scanner::new(list, Policy::builder().internal_domain("police.example").limits(limits).build().unwrap())
}

/// Pieces that mail is made of, for generating message-shaped noise.
const PIECES: &[&str] = &[
    "From: a@b.example\r\n",
    "To: jane.doe@example.org, x@y.example\r\n",
    "Cc: G: a@b.c;\r\n",
    "Subject: =?utf-8?B?SmFuZSBEb2U=?=\r\n",
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    "Content-Type: message/rfc822\r\n",
    "Content-Type: text/html; charset=koi8-r\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Disposition: attachment; filename*0*=utf-8''J%C3; filename*1=ane\r\n",
    "\r\n",
    "--b\r\n",
    "--b--\r\n",
    "Jane =\r\nDoe\r\n",
    "<b>Ja</b>ne &amp; Doe<",
    "SmFuZSBEb2U=\r\n",
    "+44 (0)20 7946-0018 ",
    "@",
    "\u{0}",
    "\u{ff}",
    "=?",
    "?=",
    "<!--",
    "<script>",
    "\r\n ",
    "begin 644 x\r\n",
];

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]

    #[test]
    fn any_bytes_scan_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let s = scanner(Limits::default());
        let report = s.scan(&bytes);
        // Findings and verdict agree whatever the input.
        let worst = report.findings().iter().map(|f| f.severity).max();
        prop_assert_eq!(report.verdict() == Verdict::Allow, worst.is_none());
    }

    #[test]
    fn message_shaped_noise_scans_without_panic(pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..80)) {
        let s = scanner(Limits { max_message_bytes: 1 << 20, max_depth: 4, max_parts: 20, ..Limits::default() });
        let msg: String = pieces.concat();
        let _ = s.scan(msg.as_bytes());
        let _ = s.scan_with_envelope(msg.as_bytes(), &["x@y.example"]).unwrap();
    }
}

fn incomplete_limits(report: &maildlp::Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter(|f| f.rule == Rule::ScanIncomplete)
        .map(|f| match &f.detail {
            maildlp::Detail::Incomplete { limit, .. } => limit.as_str().to_string(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn size_limit_scans_the_start_and_says_so() {
    let s = scanner(Limits { max_message_bytes: 200, ..Limits::default() });
    let mut msg =
        String::from("From: a@b.example\nTo: x@y.example\nSubject: s\n\nJane Doe is named early.\n");
    msg.push_str(&"filler ".repeat(100));
    msg.push_str("Kestrel is named late.\n");
    let report = s.scan(msg.as_bytes());
    assert_eq!(incomplete_limits(&report), ["max_message_bytes"]);
    let records: Vec<_> = report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            maildlp::Detail::Identifier { record, .. } => Some(record.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(records, ["V01"]);
    assert_eq!(report.verdict(), Verdict::Block);
}

#[test]
fn part_limit_scans_the_first_parts_and_says_so() {
    let s = scanner(Limits { max_parts: 3, ..Limits::default() });
    let mut msg = String::from(
        "From: a@b.example\nTo: x@y.example\nSubject: s\nContent-Type: multipart/mixed; boundary=\"b\"\n\n",
    );
    for i in 0..6 {
        msg.push_str(&format!(
            "--b\nContent-Type: text/plain\n\npart {i} {}\n",
            if i == 1 { "Jane Doe" } else { "" }
        ));
    }
    msg.push_str("--b--\n");
    let report = s.scan(msg.as_bytes());
    assert_eq!(incomplete_limits(&report), ["max_parts"]);
    assert!(report.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier));
}

#[test]
#[cfg(feature = "serde")]
fn depth_limit_scans_the_outer_messages_and_says_so() {
    let s = scanner(Limits { max_depth: 2, ..Limits::default() });
    let mut msg = String::from("Subject: innermost Kestrel\n\nbody\n");
    for level in 0..4 {
        msg = format!(
            "Subject: level {level}{}\nContent-Type: message/rfc822\n\n{msg}",
            if level == 3 { " Jane Doe" } else { "" }
        );
    }
    let msg = format!("From: a@b.example\nTo: x@y.example\n{msg}");
    let report = s.scan(msg.as_bytes());
    assert_eq!(incomplete_limits(&report), ["max_depth"]);
    let json = report.to_json();
    assert!(json.contains("\"record\":\"V01\""), "{json}");
    assert!(!json.contains("\"record\":\"OP7\""), "{json}");
}

#[test]
fn not_a_message_is_still_scanned() {
    let s = scanner(Limits::default());
    let report = s.scan(b"\xff\xfe no headers here, but Jane Doe is named");
    assert_eq!(report.verdict(), Verdict::Block);
}

#[test]
fn envelope_recipient_must_be_an_address() {
    let s = scanner(Limits::default());
    let err = s.scan_with_envelope(b"Subject: x\n\nhi\n", &["not an address"]).unwrap_err();
    assert!(matches!(err, maildlp::Error::InvalidAddress(_)));
}

/// Found by the `scan` fuzz target: two addresses glued together are no whole-address match,
/// but a reader recognises them, so the excerpt around another finding must not show them.
/// The same holds for a name glued to other letters and for a long number.
#[test]
#[cfg(feature = "serde")]
fn excerpts_mask_what_a_reader_recognises_even_without_a_match() {
    let s = scanner(Limits::default());
    let msg = b"From: a@b.example\r\nTo: press@paper.example\r\nSubject: s\r\n\r\n\
        Jane Doe wrote from jane.doe@example.orgjane.doe@example.org as xJane Doex, tel 020 7946 00189.\r\n";
    let json = s.scan(msg).to_json();
    assert!(json.contains("\"excerpt\""), "{json}");
    for clear in ["Jane Doe", "jane.doe@example.org", "7946"] {
        assert!(!json.contains(clear), "{clear} in clear: {json}");
    }
    let fuzz = include_bytes!("../fuzz/regressions/scan/crash-8e4b9a212cef2987125f374e575abc24bd52f7b7");
    let json = s.scan(fuzz).to_json();
    assert!(!json.contains("jane.doe@example.org"), "{json}");
}
