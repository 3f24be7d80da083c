//! Secure mail that cannot be read is said, never allowed silently (CONTRACT.md, "S/MIME"):
//! encrypted content is `scan-incomplete` with `limit: "encrypted"`, S/MIME content that is
//! not unwrapped is `unreadable`, and a detached signature reads its first part as usual.

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner, Verdict};

fn scanner() -> Scanner {
    Scanner::new(ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n").unwrap(), Policy::default())
}

/// The limits of the report's scan-incomplete findings, and whether a name was found.
fn scan(body: &str) -> (Verdict, Vec<String>, bool) {
    let m = format!(
        "From: a@police.example\r\nTo: press@paper.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n{body}"
    );
    let r = scanner().scan(m.as_bytes());
    let limits = r
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Incomplete { limit } => Some(limit.as_str().to_string()),
            _ => None,
        })
        .collect();
    let found = r.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier);
    (r.verdict(), limits, found)
}

#[test]
fn pgp_mime_is_encrypted() {
    let body =
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n\
        --b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\
        --b\r\nContent-Type: application/octet-stream; name=encrypted.asc\r\n\r\n\
        -----BEGIN PGP MESSAGE-----\r\nhQEMA0xyz\r\n-----END PGP MESSAGE-----\r\n--b--\r\n";
    let (verdict, limits, _) = scan(body);
    assert_eq!(verdict, Verdict::Warn);
    assert!(limits.iter().all(|l| l == "encrypted") && !limits.is_empty(), "{limits:?}");
}

#[test]
fn smime_enveloped_data_is_encrypted() {
    for t in ["application/pkcs7-mime", "application/x-pkcs7-mime"] {
        for kind in ["enveloped-data", "authEnveloped-data"] {
            let body = format!(
                "Content-Type: {t}; smime-type={kind}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=smime.p7m\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n"
            );
            let (verdict, limits, _) = scan(&body);
            assert_eq!((verdict, limits), (Verdict::Warn, vec!["encrypted".to_string()]), "{t} {kind}");
        }
    }
}

#[test]
fn an_inline_pgp_message_is_encrypted_and_the_text_around_it_is_read() {
    let body = "Content-Type: text/plain\r\n\r\nJane Doe asked us to send this:\r\n\
        -----BEGIN PGP MESSAGE-----\r\nhQEMA0xyz\r\n-----END PGP MESSAGE-----\r\n";
    let (verdict, limits, found) = scan(body);
    assert_eq!((verdict, limits, found), (Verdict::Block, vec!["encrypted".to_string()], true));
}

#[test]
fn smime_content_not_unwrapped_is_unreadable_and_certificates_are_nothing() {
    let body = "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n";
    assert_eq!(scan(body).1, ["unreadable"]);
    let body = "Content-Type: application/pkcs7-mime; smime-type=certs-only; name=certs.p7c\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n";
    assert_eq!(scan(body).0, Verdict::Allow);
}

#[test]
fn a_detached_signature_reads_its_first_part_and_never_warns_by_itself() {
    let body = "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\r\n\r\n\
        --s\r\nContent-Type: text/plain\r\n\r\nThe statement of Jane Doe.\r\n\
        --s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        MIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s--\r\n";
    let (verdict, limits, found) = scan(body);
    assert_eq!((verdict, limits, found), (Verdict::Block, Vec::<String>::new(), true));
    let allowed = body.replace("Jane Doe", "the witness");
    assert_eq!(scan(&allowed).0, Verdict::Allow);
}
