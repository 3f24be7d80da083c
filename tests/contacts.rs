//! Who may receive what: `contact` rows of a record and the policy's partner domains
//! (CONTRACT.md, "Who may receive what").

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner};
use proptest::prelude::*;

const LIST: &str = "id,kind,value\n\
    V01,name,Jane Doe\n\
    V01,email,jane.doe@example.org\n\
    V01,contact,solicitor@law.example\n\
    V01,contact,@cps.example\n\
    V02,name,Ravi Patel\n\
    V02,email,ravi@example.net\n";

fn scanner(list: &str, partners: &[&str]) -> Scanner {
    let mut policy = Policy::builder().internal_domain("police.example");
    for p in partners {
        policy = policy.partner_domain(p);
    }
    Scanner::new(ProtectedList::from_csv(list).unwrap(), policy.build().unwrap())
}

/// (rule, record or detector) of every finding.
fn findings(s: &Scanner, message: &str) -> Vec<(Rule, String)> {
    s.scan(message.as_bytes())
        .findings()
        .iter()
        .map(|f| {
            let who = match &f.detail {
                Detail::Recipient { record, .. } | Detail::Identifier { record, .. } => record.clone(),
                Detail::VisibleRecipients { count, .. } => count.to_string(),
                _ => String::new(),
            };
            (f.rule, who)
        })
        .collect()
}

fn message(to: &str, cc: &str, body: &str) -> String {
    format!("From: officer@police.example\r\nTo: {to}\r\nCc: {cc}\r\nSubject: update\r\n\r\n{body}\r\n")
}

struct Case {
    name: &'static str,
    to: &'static str,
    cc: &'static str,
    body: &'static str,
    partners: &'static [&'static str],
    want: &'static [(Rule, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        name: "a contact in To with the victim: the victim's address and name may reach it",
        to: "jane.doe@example.org, solicitor@law.example",
        cc: "",
        body: "About Jane Doe's statement.",
        partners: &[],
        want: &[],
    },
    Case {
        name: "a contact with a second victim's name: still blocked for that record",
        to: "solicitor@law.example",
        cc: "",
        body: "Jane Doe and Ravi Patel were both there.",
        partners: &[],
        want: &[(Rule::ProtectedIdentifier, "V02")],
    },
    Case {
        name: "a contact of one record seeing another record's address",
        to: "solicitor@law.example",
        cc: "ravi@example.net",
        body: "",
        partners: &[],
        want: &[(Rule::ProtectedRecipientExposed, "V02")],
    },
    Case {
        name: "a contact domain covers its subdomains",
        to: "lawyer@north.cps.example",
        cc: "",
        body: "Jane Doe",
        partners: &[],
        want: &[],
    },
    Case {
        name: "a look-alike domain is no contact",
        to: "lawyer@cps.example.evil.example",
        cc: "",
        body: "Jane Doe",
        partners: &[],
        want: &[(Rule::ProtectedIdentifier, "V01")],
    },
    Case {
        name: "a contact beside an outsider: the outsider still counts",
        to: "solicitor@law.example",
        cc: "press@paper.example",
        body: "Jane Doe",
        partners: &[],
        want: &[(Rule::ProtectedIdentifier, "V01")],
    },
    Case {
        name: "a contact's address in the body is no finding",
        to: "press@paper.example",
        cc: "",
        body: "Write to solicitor@law.example about the case.",
        partners: &[],
        want: &[],
    },
    Case {
        name: "a partner domain may receive every record's identifiers and see their addresses",
        to: "clerk@court.example",
        cc: "jane.doe@example.org",
        body: "Jane Doe.",
        partners: &["court.example"],
        want: &[],
    },
    Case {
        name: "a partner beside a victim: the victim is still an outsider for another record",
        to: "clerk@court.example",
        cc: "jane.doe@example.org",
        body: "Jane Doe and Ravi Patel.",
        partners: &["court.example"],
        want: &[(Rule::ProtectedIdentifier, "V02")],
    },
    Case {
        name: "a partner domain's subdomain is a partner too",
        to: "clerk@crown.court.example",
        cc: "",
        body: "Ravi Patel",
        partners: &["court.example"],
        want: &[],
    },
    Case {
        name: "a partner with twelve other outsiders in Cc: still warns, and names still block",
        to: "clerk@court.example",
        cc: "a1@x.example, a2@x.example, a3@x.example, a4@x.example, a5@x.example, a6@x.example, \
             a7@x.example, a8@x.example, a9@x.example, a10@x.example, a11@x.example, a12@x.example",
        body: "Ravi Patel",
        partners: &["court.example"],
        want: &[(Rule::VisibleRecipients, "13"), (Rule::ProtectedIdentifier, "V02")],
    },
];

fn sealed_scanner(list: &str, partners: &[&str]) -> Scanner {
    let key = maildlp::list::Key::from_bytes(&[7u8; 32]).unwrap();
    let sealed = maildlp::list::seal(&ProtectedList::from_csv(list).unwrap(), &key);
    let mut policy = Policy::builder().internal_domain("police.example");
    for p in partners {
        policy = policy.partner_domain(p);
    }
    Scanner::new(maildlp::list::SealedList::open(&sealed, &key).unwrap(), policy.build().unwrap())
}

#[test]
fn contacts_and_partners_table() {
    for c in CASES {
        let want: Vec<(Rule, String)> = c.want.iter().map(|(r, w)| (*r, w.to_string())).collect();
        let m = message(c.to, c.cc, c.body);
        assert_eq!(findings(&scanner(LIST, c.partners), &m), want, "{}", c.name);
        assert_eq!(findings(&sealed_scanner(LIST, c.partners), &m), want, "sealed: {}", c.name);
    }
}

#[test]
fn bad_contact_rows_name_their_line() {
    for (value, line) in [("not an address", 3), ("@", 3), ("@not a domain", 3)] {
        let list = format!("id,kind,value\nV01,name,Jane Doe\nV01,contact,{value}\n");
        let e = ProtectedList::from_csv(&list).unwrap_err();
        assert_eq!(e.line(), Some(line), "{value}: {e}");
        assert!(e.to_string().contains("contact"), "{e}");
    }
}

/// A contact is not one of the record's own addresses: in Cc with outsiders it exposes no one.
#[test]
fn a_contact_is_not_an_own_address() {
    let s = scanner(LIST, &[]);
    let got = findings(&s, &message("press@paper.example", "solicitor@law.example", ""));
    assert_eq!(got, []);
}

const POOL: &[&str] = &[
    "jane.doe@example.org",
    "ravi@example.net",
    "solicitor@law.example",
    "lawyer@cps.example",
    "clerk@court.example",
    "press@paper.example",
    "officer@police.example",
];

const BODIES: &[&str] = &["", "Jane Doe", "Ravi Patel", "Jane Doe and Ravi Patel"];

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 400, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]

    /// Contacts and partners only ever allow: adding them never adds a finding, and a list
    /// and policy without them give the report they gave before either existed.
    #[test]
    fn contacts_and_partners_never_add_a_finding(
        to in proptest::sample::subsequence(POOL.to_vec(), 0..4),
        cc in proptest::sample::subsequence(POOL.to_vec(), 0..4),
        body in proptest::sample::select(BODIES.to_vec()),
    ) {
        let m = message(&to.join(", "), &cc.join(", "), body);
        let without: String = LIST.lines().filter(|l| !l.contains(",contact,")).map(|l| format!("{l}\n")).collect();
        let plain = findings(&scanner(&without, &[]), &m);
        let with = findings(&scanner(LIST, &["court.example"]), &m);
        for f in &with {
            prop_assert!(plain.contains(f), "{f:?} appears only with contacts and partners: {m}");
        }
    }
}
