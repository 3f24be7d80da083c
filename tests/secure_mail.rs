//! Secure mail (CONTRACT.md, "S/MIME"): S/MIME signed data is opened and what it holds read as
//! parts of the message; encrypted content is `scan-incomplete` with `limit: "encrypted"`,
//! never allowed silently; damaged S/MIME is `unreadable`; a detached signature reads its first
//! part as usual. The fixtures in `tests/smime/` were made by OpenSSL and GnuPG
//! (`tests/smime/README.md`).

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
            Detail::Incomplete { limit, .. } => Some(limit.as_str().to_string()),
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
fn damaged_smime_content_is_unreadable_and_certificates_are_nothing() {
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

/// The list the fixtures are scanned against: each fixture holds one of these in its own place.
fn fixture_scanner() -> Scanner {
    let list = ProtectedList::from_csv(
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,07700 900123\n\
         V02,email,ravi@example.net\nV03,term,Operation Nightjar\n",
    )
    .unwrap();
    let policy = Policy::builder().internal_domain("police.example").build().unwrap();
    Scanner::new(list, policy)
}

/// Every finding of the report of `message`, one line each: the rule, then the record, the
/// kind and the location (part, index, field, name, path) or the limit.
fn report_of(message: &[u8]) -> Vec<String> {
    fixture_scanner()
        .scan(message)
        .findings()
        .iter()
        .map(|f| match &f.detail {
            Detail::Identifier { record, kind, location, .. } => {
                format!("{} {record} {} {location}", f.rule.as_str(), kind.as_str())
            }
            Detail::Incomplete { limit, .. } => format!("{} {}", f.rule.as_str(), limit.as_str()),
            other => format!("{} {other:?}", f.rule.as_str()),
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/smime/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The scenario: an opaque-signed message (DER, as `openssl cms -sign` writes it
/// without streaming) whose signed text names a protected person.
#[test]
fn an_opaque_signed_message_naming_a_protected_person_is_blocked() {
    assert_eq!(report_of(&fixture("opaque-der.eml")), ["protected-identifier V01 name body 1"]);
}

#[test]
fn opaque_signed_data_is_read_whatever_its_type_says() {
    let m = String::from_utf8(fixture("opaque-der.eml")).unwrap();
    let want = ["protected-identifier V01 name body 1"];
    for (from, to) in [
        ("application/pkcs7-mime", "application/x-pkcs7-mime"),
        ("smime-type=signed-data; ", ""),
        ("application/pkcs7-mime; smime-type=signed-data", "application/octet-stream"),
    ] {
        assert!(m.contains(from));
        assert_eq!(report_of(m.replace(from, to).as_bytes()), want, "{to}");
    }
    // An octet stream with no .p7m name: known by its first bytes (an attachment, then).
    let unnamed = m
        .replace(
            "application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"",
            "application/octet-stream",
        )
        .replace("Content-Disposition: attachment; filename=\"smime.p7m\"\n", "");
    assert_eq!(report_of(unnamed.as_bytes()), want);
}

/// Streamed BER (indefinite lengths, the content in a constructed OCTET STRING): the signed
/// multipart's attachment is an attachment of the message.
#[test]
fn opaque_signed_ber_reads_the_attachment_inside() {
    assert_eq!(
        report_of(&fixture("opaque-ber.eml")),
        [
            "protected-identifier V01 name attachment 1 witnesses.txt",
            "protected-identifier V01 email attachment 1 witnesses.txt",
        ]
    );
}

#[test]
fn signed_inside_signed_reads_the_innermost_body() {
    assert_eq!(report_of(&fixture("nested.eml")), ["protected-identifier V01 phone body 1"]);
}

/// A signed file attached as `application/octet-stream`: the file inside is read at the
/// attachment's place.
#[test]
fn a_p7m_attachment_is_opened() {
    assert_eq!(
        report_of(&fixture("p7m-attachment.eml")),
        ["protected-identifier V03 term attachment 1 statement.txt.p7m"]
    );
}

#[test]
fn a_detached_signature_made_by_openssl_reads_the_signed_attachment_and_nothing_else() {
    assert_eq!(
        report_of(&fixture("detached.eml")),
        ["protected-identifier V02 email attachment 1 contacts.csv"]
    );
}

#[test]
fn enveloped_data_made_by_openssl_is_encrypted_and_its_subject_read() {
    assert_eq!(
        report_of(&fixture("enveloped.eml")),
        ["protected-identifier V01 name subject 1", "scan-incomplete encrypted"]
    );
}

#[test]
fn pgp_mime_made_by_gnupg_is_encrypted_and_its_headers_read() {
    assert_eq!(
        report_of(&fixture("pgp-mime.eml")),
        [
            "protected-identifier V01 name header-name 1 (Cc)",
            "scan-incomplete encrypted",
            "scan-incomplete encrypted",
        ]
    );
}

/// With no identifier of theirs on the list, the signed fixtures are allowed: nothing in the
/// certificates, signatures or structure around the content is a false alarm, and nothing is
/// left unread.
#[test]
fn signed_fixtures_are_allowed_when_nobody_of_theirs_is_protected() {
    let list =
        ProtectedList::from_csv("id,kind,value\nV09,name,Officer Test\nV09,email,officer@police.example\n")
            .unwrap();
    let s = Scanner::new(list, Policy::builder().internal_domain("police.example").build().unwrap());
    for name in ["opaque-der.eml", "opaque-ber.eml", "nested.eml", "p7m-attachment.eml", "detached.eml"] {
        let r = s.scan(&fixture(name));
        assert_eq!((r.verdict(), r.findings().len()), (Verdict::Allow, 0), "{name}: {:?}", r.findings());
    }
}

/// Opaque signed mail from the S/MIME interoperability tests of 1996, kept in MimeKit's test
/// data (`tests/corpus/mimekit`, see `tests/corpus/SOURCES.md`): BER with indefinite lengths,
/// `x-pkcs7-mime` with no `smime-type`, one named `deming.p7m`, one holding a multipart with a
/// quoted-printable text. The signed text is read.
#[test]
fn opaque_signed_mail_from_the_corpus_is_read() {
    for (n, term, domain) in [
        ("014", "interoperability test guidelines", "connectsoft.com"),
        ("022", "next phase of testing", "deming.com"),
    ] {
        let list = ProtectedList::from_csv(&format!("id,kind,value\nV01,term,{term}\n")).unwrap();
        let s = Scanner::new(list, Policy::builder().internal_domain(domain).build().unwrap());
        let path = format!(
            "{}/tests/corpus/mimekit/mbox__content-length.mbox.txt__msg{n}.eml",
            env!("CARGO_MANIFEST_DIR")
        );
        let r = s.scan(&std::fs::read(path).unwrap());
        let found: Vec<String> = r
            .findings()
            .iter()
            .map(|f| match &f.detail {
                Detail::Identifier { record, location, .. } => {
                    format!("{} {record} {location}", f.rule.as_str())
                }
                other => format!("{} {other:?}", f.rule.as_str()),
            })
            .collect();
        assert_eq!(found, ["protected-identifier V01 body 1"], "msg{n}");
    }
}

/// Opaque signed data as the first part of a detached signature: opened there too, and its
/// text is the message's body.
#[test]
fn opaque_signed_data_inside_multipart_signed_is_read() {
    let m = String::from_utf8(fixture("opaque-der.eml")).unwrap();
    let entity = &m[m.find("Content-Disposition").unwrap()..];
    let signed = format!(
        "From: officer@police.example\r\nTo: press@paper.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\r\n\r\n\
         --s\r\n{entity}\r\n--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s--\r\n"
    );
    assert_eq!(report_of(signed.as_bytes()), ["protected-identifier V01 name body 1"]);
}
