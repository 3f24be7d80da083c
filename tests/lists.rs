//! Protected lists at the edges: byte-order mark, CRLF, quoted fields, a million rows, an
//! identifier shared by two records, invalid UTF-8.

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner};

fn records_found(scanner: &Scanner, msg: &[u8]) -> Vec<(String, String)> {
    scanner
        .scan(msg)
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, kind, .. } => Some((record.clone(), kind.to_string())),
            Detail::Recipient { record, .. } => Some((record.clone(), "recipient".into())),
            _ => None,
        })
        .collect()
}

#[test]
fn bom_crlf_and_quoted_fields() {
    let csv = "\u{feff}id,kind,value\r\n\"V01\",name,\"Doe, Jane\"\r\nV01,term,\"Operation \"\"Owl\"\"\"\r\n";
    let list = ProtectedList::from_csv(csv).unwrap();
    let ids: Vec<_> = list.record(0).unwrap().identifiers().map(|i| i.value().to_string()).collect();
    assert_eq!(ids, ["Doe, Jane", "Operation \"Owl\""]);
    let s = Scanner::new(list, Policy::default());
    let found = records_found(&s, b"To: x@y.example\r\nSubject: s\r\n\r\nJane Doe and operation owl\r\n");
    assert_eq!(found, [("V01".to_string(), "name".to_string()), ("V01".to_string(), "term".to_string())]);
}

/// One identifier listed in two records is allowed: two people can share a name, a family
/// can share an address. Both records are protected by it: a match reports both, and the
/// shared address is "own" for both.
#[test]
fn an_identifier_in_two_records_protects_both() {
    let csv = "id,kind,value\nA,name,John Smith\nB,name,John Smith\nA,email,family@x.example\nB,email,family@x.example\n";
    let list = ProtectedList::from_csv(csv).unwrap();
    assert_eq!(list.len(), 2);
    let s = Scanner::new(list, Policy::default());
    let to_outsider = b"To: press@paper.example\r\nSubject: s\r\n\r\nJohn Smith called.\r\n";
    let mut found = records_found(&s, to_outsider);
    found.sort();
    assert_eq!(found, [("A".into(), "name".into()), ("B".into(), "name".into())]);
    // To the shared address alone: it is each record's own, so nothing is exposed.
    let to_family = b"To: family@x.example\r\nSubject: s\r\n\r\nJohn Smith, your case.\r\n";
    assert!(records_found(&s, to_family).is_empty());
    // The shared address beside an outsider exposes both records.
    let both = b"To: family@x.example, press@paper.example\r\nSubject: s\r\n\r\nhello\r\n";
    let report = s.scan(both);
    let exposed = report.findings().iter().filter(|f| f.rule == Rule::ProtectedRecipientExposed).count();
    assert_eq!(exposed, 2);
}

#[test]
fn invalid_utf8_is_refused_with_its_line() {
    let err = ProtectedList::from_csv_bytes(
        b"id,kind,value\r\nV01,name,Jane\r\n\r\n# note\r\nV02,name,Ren\xe9e\r\n",
    )
    .unwrap_err();
    assert_eq!(err.line(), Some(5));
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn a_million_rows() {
    let mut csv = String::with_capacity(40 << 20);
    csv.push_str("id,kind,value\n");
    for i in 0..1_000_000u32 {
        csv.push_str(&format!("R{i},name,Given{} Family{}\n", i % 1000, i / 1000));
    }
    let list = ProtectedList::from_csv(&csv).unwrap();
    assert_eq!(list.len(), 1_000_000);
    assert_eq!(list.identifier_count(), 1_000_000);
    assert_eq!(list.record(999_999).unwrap().id(), "R999999");
    let s = Scanner::new(list, Policy::default());
    let found =
        records_found(&s, b"To: x@y.example\r\nSubject: s\r\n\r\nWe met given999 FAMILY999 today.\r\n");
    assert_eq!(found, [("R999999".to_string(), "name".to_string())]);
    // A bad row at the end still refuses the whole list, with its line.
    csv.push_str("R1,phone,12\n");
    assert_eq!(ProtectedList::from_csv(&csv).unwrap_err().line(), Some(1_000_002));
}

#[test]
fn patterns_are_compiled_and_a_bad_one_refuses_the_list() {
    let ok = maildlp::ProtectedList::from_csv("id,kind,value\nOP9,pattern,CRIS-\\d{7}\n").unwrap();
    assert_eq!(ok.identifier_count(), 1);
    let err = maildlp::ProtectedList::from_csv("id,kind,value\nV1,name,Jane Doe\nOP9,pattern,CRIS-(\n")
        .unwrap_err();
    assert_eq!(err.line(), Some(3));
    assert!(err.to_string().contains("regular expression"), "{err}");
    let huge = maildlp::ProtectedList::from_csv("id,kind,value\nOP9,pattern,\\w{1000}{1000}\n").unwrap_err();
    assert_eq!(huge.line(), Some(2));
}

/// `Scanner::open`: the bytes decide plain or sealed; a sealed list needs its key.
#[test]
fn open_decides_plain_or_sealed_from_the_bytes() {
    use maildlp::list::{seal, Key};
    use maildlp::Error;

    let csv = "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\nOP7,term,Operation Nightingale\n";
    let msg = b"To: press@paper.example, jane.doe@example.org\r\nSubject: s\r\n\r\nJane Doe of operation nightingale, 020 7946 0018.\r\n";
    let key = Key::generate().unwrap();
    let key_file = key.to_text();
    let sealed = seal(&ProtectedList::from_csv(csv).unwrap(), &key);

    // Plain bytes: as ProtectedList + Scanner::new would do.
    let by_hand = records_found(&Scanner::new(ProtectedList::from_csv(csv).unwrap(), Policy::default()), msg);
    let plain = Scanner::open(csv.as_bytes(), None, Policy::default()).unwrap();
    assert!(plain.list().is_some());
    assert_eq!(records_found(&plain, msg), by_hand);
    assert_eq!(by_hand.len(), 4, "{by_hand:?}");

    // Sealed bytes and the right key (the key file as written, or its 32 bytes): the same
    // findings.
    let sealed_scanner = Scanner::open(&sealed, Some(key_file.as_bytes()), Policy::default()).unwrap();
    assert!(sealed_scanner.list().is_none());
    assert_eq!(records_found(&sealed_scanner, msg), by_hand);

    // Sealed without a key, with another key, with a malformed one, damaged.
    let err = Scanner::open(&sealed, None, Policy::default()).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err:?}");
    assert!(err.to_string().contains("the list is sealed"), "{err}");
    let other = Key::generate().unwrap().to_text();
    let err = Scanner::open(&sealed, Some(other.as_bytes()), Policy::default()).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err:?}");
    assert!(err.to_string().contains("not the one this list was sealed with"), "{err}");
    let err = Scanner::open(&sealed, Some(b"not a key"), Policy::default()).unwrap_err();
    assert!(err.to_string().contains("64 hexadecimal digits"), "{err}");
    let err = Scanner::open(&sealed[..sealed.len() / 2], Some(key_file.as_bytes()), Policy::default());
    assert!(matches!(err, Err(Error::Sealed(_))), "{err:?}");

    // A bad CSV names its line; a key given with a plain list is read but not needed.
    let err = Scanner::open(b"id,kind,value\nV01,name,Jane Doe\nV01,phone,12\n", None, Policy::default())
        .unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.to_string().contains("line 3"), "{err}");
    let with_key = Scanner::open(csv.as_bytes(), Some(key_file.as_bytes()), Policy::default()).unwrap();
    assert_eq!(records_found(&with_key, msg), by_hand);
    let err = Scanner::open(csv.as_bytes(), Some(b"not a key"), Policy::default()).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err:?}");

    // A sealed list where CSV is expected says what it is.
    let err = ProtectedList::from_csv_bytes(&sealed).unwrap_err();
    assert!(err.to_string().contains("sealed list"), "{err}");
}

/// A list of more records than the policy's `max_list_records` is refused, plain (at the line
/// that starts one record too many) or sealed, with a message that names the key; one of
/// exactly that many records opens.
#[test]
fn a_list_over_max_list_records_is_refused() {
    use maildlp::list::{seal, Key};

    let csv = "id,kind,value\nA,name,Ann Lee\nA,email,ann@x.example\nB,name,Bo Li\n# c\nC,email,c@x.example\nB,phone,020 7946 0018\n";
    let key = Key::generate().unwrap();
    let key_file = key.to_text();
    let sealed = seal(&ProtectedList::from_csv(csv).unwrap(), &key);
    let limit = |n: usize| Policy::from_toml(&format!("max_list_records = {n}")).unwrap();

    let err = Scanner::open(csv.as_bytes(), None, limit(2)).unwrap_err();
    assert_eq!(err.line(), Some(6), "{err}");
    assert!(
        err.to_string().contains("more than 2 records") && err.to_string().contains("max_list_records"),
        "{err}"
    );
    let err = Scanner::open_owned(csv.as_bytes().to_vec(), None, limit(2)).unwrap_err();
    assert_eq!(err.line(), Some(6), "{err}");
    let err = Scanner::open(&sealed, Some(key_file.as_bytes()), limit(2)).unwrap_err();
    assert!(err.to_string().contains("max_list_records"), "{err}");
    let err = Scanner::open_owned(sealed.clone(), Some(key_file.as_bytes()), limit(2)).unwrap_err();
    assert!(err.to_string().contains("max_list_records"), "{err}");

    assert!(Scanner::open(csv.as_bytes(), None, limit(3)).is_ok());
    assert!(Scanner::open(&sealed, Some(key_file.as_bytes()), limit(3)).is_ok());

    // A sealed file that claims four billion records is refused by the default limit before
    // anything is allocated for them.
    let mut forged = sealed[..15 + 2 + 32].to_vec();
    forged.extend_from_slice(&u32::MAX.to_le_bytes());
    forged.extend_from_slice(&sealed[15 + 2 + 32 + 4..]);
    let err = Scanner::open(&forged, Some(key_file.as_bytes()), Policy::default()).unwrap_err();
    assert!(err.to_string().contains("more than 100000000 records"), "{err}");
}

/// Sealing is deterministic, and a change to how a list is sealed does not change what is
/// sealed: the committed sealed files (`examples/protected.csv` and `tests/sealed/rich.csv`,
/// every kind of row, sealed with the committed test key `tests/c/test.key`) are what `seal`
/// writes today, byte for byte, whether into memory or into a writer; the same list sealed twice
/// gives the same bytes; and the sealed file finds what the plain list finds.
#[test]
fn sealing_writes_the_committed_sealed_files_byte_for_byte() {
    use maildlp::list::{seal, seal_to, Key};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read(root.join(p)).unwrap();
    let key_file = read("tests/c/test.key");
    let key = Key::from_bytes(&key_file).unwrap();
    let msg =
        b"To: press@paper.example\r\nSubject: s\r\n\r\nBill Smith (w.smith@example.org, 020 7946 0018), \
Jose Maria Garcia-Lopez, Jane Doe and Janet Doe of Operation Nightingale, CRIS-1234567, +1 212 555 0142.\r\n";
    for (csv, sealed) in [
        ("examples/protected.csv", "tests/c/protected.sealed"),
        ("tests/sealed/rich.csv", "tests/sealed/rich.sealed"),
    ] {
        let list = ProtectedList::from_csv_bytes(&read(csv)).unwrap();
        let bytes = seal(&list, &key);
        assert!(bytes == read(sealed), "{csv} sealed is not {sealed}");
        let again = seal(&ProtectedList::from_csv_bytes(&read(csv)).unwrap(), &key);
        assert!(bytes == again, "{csv} sealed twice differs");
        let mut written = Vec::new();
        seal_to(&list, &key, &mut written).unwrap();
        assert!(bytes == written, "{csv} sealed into a writer differs");

        let plain = records_found(&Scanner::new(list, Policy::default()), msg);
        let sealed = Scanner::open(&bytes, Some(&key_file), Policy::default()).unwrap();
        assert_eq!(records_found(&sealed, msg), plain, "{csv}");
        if csv.ends_with("rich.csv") {
            for record in ["V01", "V02", "V03", "OP7", "V04"] {
                assert!(plain.iter().any(|(r, _)| r == record), "{record} not found: {plain:?}");
            }
        }
    }
}
