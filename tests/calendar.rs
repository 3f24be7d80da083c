//! Meeting invitations: the attendees and organiser of an invitation (METHOD REQUEST or
//! PUBLISH) in the message being sent are visible recipients; its names and text are content,
//! unfolded and unescaped. Built on calendars exported by Outlook (Exchange), Google Calendar
//! and Thunderbird (`tests/calendar/SOURCES.md`), made into invitations as each program writes
//! them. Every expected report is complete: a false alarm fails as a miss does.

use std::process::Command;

use maildlp::{Detail, Policy, ProtectedList, Report, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;

const LIST: &str = "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV02,name,Ravi Patel\nV02,email,ravi@example.net\n";

fn scanner() -> Scanner {
    let policy = Policy::builder().internal_domain("police.example").build().unwrap();
    Scanner::new(ProtectedList::from_csv(LIST).unwrap(), policy)
}

#[derive(Clone, Copy, Debug)]
enum Producer {
    Outlook,
    Google,
    Thunderbird,
}

const PRODUCERS: [Producer; 3] = [Producer::Outlook, Producer::Google, Producer::Thunderbird];

/// A content line folded at 75 octets, as RFC 5545 says (and these programs do).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// The producer's exported calendar made an invitation: `method`, the organiser, one
/// `ATTENDEE` per `(name, address)` with that producer's parameters, and `extra` content lines
/// (summary, description) in its event.
fn invitation(p: Producer, method: &str, attendees: &[(&str, String)], extra: &[&str]) -> String {
    let file = match p {
        Producer::Outlook => "outlook.ics",
        Producer::Google => "google.ics",
        Producer::Thunderbird => "thunderbird.ics",
    };
    let base =
        std::fs::read_to_string(format!("{}/tests/calendar/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut lines = String::new();
    lines.push_str(&fold("ORGANIZER;CN=Case Officer:mailto:officer@police.example"));
    for (name, address) in attendees {
        let line = match p {
            Producer::Outlook => {
                format!("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN={name}:mailto:{address}")
            }
            Producer::Google => format!(
                "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN={name};X-NUM-GUESTS=0:mailto:{address}"
            ),
            Producer::Thunderbird => format!(
                "ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CN=\"{name}\":mailto:{address}"
            ),
        };
        lines.push_str(&fold(&line));
    }
    for e in extra {
        lines.push_str(&fold(e));
    }
    // The method: Outlook and Google say PUBLISH when exporting; Thunderbird says none.
    let mut ics = base.replacen("METHOD:PUBLISH\r\n", "", 1);
    ics = ics.replacen("VERSION:2.0\r\n", &format!("VERSION:2.0\r\nMETHOD:{method}\r\n"), 1);
    // Into the event (the first END:VEVENT), after its own lines.
    ics.replacen("END:VEVENT\r\n", &format!("{lines}END:VEVENT\r\n"), 1)
}

fn b64(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    encoded.as_bytes().chunks(76).map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap())).collect()
}

/// A message carrying `ics` as that producer sends an invitation: Outlook inline in
/// multipart/alternative; Google inline and again as `invite.ics`, both base64; Thunderbird
/// inline and as `invite.ics`. `headers` are the address headers.
fn message(p: Producer, headers: &str, ics: &str) -> Vec<u8> {
    let head = format!("From: Case Officer <officer@police.example>\r\n{headers}Subject: Invitation: case meeting\r\nMIME-Version: 1.0\r\n");
    let body = match p {
        Producer::Outlook => format!(
            "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhen: Friday 10:00\r\n\r\n--alt\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{ics}--alt--\r\n"
        ),
        Producer::Google => format!(
            "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\nYou have been invited.\r\n--alt\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n{0}--alt--\r\n--mix\r\nContent-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{0}--mix--\r\n",
            b64(ics)
        ),
        Producer::Thunderbird => format!(
            "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nYou have been invited to a meeting.\r\n--alt\r\nContent-Type: text/calendar; method=REQUEST; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{ics}--alt--\r\n--mix\r\nContent-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--mix--\r\n",
            b64(ics)
        ),
    };
    format!("{head}{body}").into_bytes()
}

/// Every finding, one line each: rule, record, field or location (part, name, path).
fn findings(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .findings()
        .iter()
        .map(|f| match &f.detail {
            Detail::Recipient { record, field } => format!("{} {record} {}", f.rule.as_str(), field.as_str()),
            Detail::VisibleRecipients { count, .. } => format!("{} {count}", f.rule.as_str()),
            Detail::Identifier { record, kind, location, .. } => format!(
                "{} {record} {kind} {} {}{}",
                f.rule.as_str(),
                location.part.as_str(),
                location.name.as_deref().map(|n| format!("{n} ")).unwrap_or_default(),
                location.path.as_deref().unwrap_or("-")
            ),
            other => format!("{} {other:?}", f.rule.as_str()),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn outsiders(n: usize) -> Vec<(&'static str, String)> {
    (1..=n).map(|i| ("Invitee", format!("person{i}@outside.example"))).collect()
}

/// The incident's shape as an invitation: To the organiser alone, 14 outside attendees (and
/// three internal ones, which do not count): every invitee sees every attendee.
#[test]
fn fourteen_outside_attendees_are_too_many_visible_recipients() {
    let s = scanner();
    for p in PRODUCERS {
        let mut attendees = outsiders(14);
        for i in 1..=3 {
            attendees.push(("Colleague", format!("colleague{i}@police.example")));
        }
        let ics = invitation(p, "REQUEST", &attendees, &["SUMMARY:Case meeting"]);
        let report = s.scan(&message(p, "To: officer@police.example\r\n", &ics));
        assert_eq!(findings(&report), ["visible-recipients 14"], "{p:?}");
        let warning = &report.findings()[0].message;
        assert!(
            warning.contains("an invitation's attendees") && warning.contains("Bcc does not hide"),
            "{warning}"
        );
        // Ten outsiders are within the policy: nothing at all.
        let ics = invitation(p, "PUBLISH", &outsiders(10), &[]);
        assert_eq!(
            findings(&s.scan(&message(p, "To: officer@police.example\r\n", &ics))),
            Vec::<String>::new()
        );
    }
}

/// Attendees count with To and Cc as one set of distinct addresses.
#[test]
fn attendees_and_cc_are_counted_together_once_each() {
    let s = scanner();
    let ics = invitation(Producer::Outlook, "REQUEST", &outsiders(8), &[]);
    let cc = "To: officer@police.example\r\nCc: person1@outside.example, person2@outside.example, a@else.example, b@else.example, c@else.example\r\n";
    let report = s.scan(&message(Producer::Outlook, cc, &ics));
    assert_eq!(findings(&report), ["visible-recipients 11"]);
}

/// A protected person's own address among the attendees is exposed to the others, `field:
/// "attendee"`, in the report and its JSON.
#[test]
fn protected_attendee_is_exposed_as_attendee() {
    let s = scanner();
    for p in PRODUCERS {
        let mut attendees = outsiders(2);
        attendees.push(("Guest", "Jane.Doe@Example.org".to_string()));
        let ics = invitation(p, "REQUEST", &attendees, &[]);
        let report = s.scan(&message(p, "To: officer@police.example\r\n", &ics));
        assert_eq!(findings(&report), ["protected-recipient-exposed V01 attendee"], "{p:?}");
        assert_eq!(report.verdict(), Verdict::Block);
        let json = report.to_json();
        assert!(json.contains(r#""field":"attendee""#), "{json}");
        assert!(
            report.findings()[0].message.contains("2 other external recipients"),
            "{}",
            report.findings()[0].message
        );
        // Alone with the organiser, her own invitation exposes nobody.
        let ics = invitation(p, "REQUEST", &[("Guest", "jane.doe@example.org".to_string())], &[]);
        assert_eq!(
            findings(&s.scan(&message(p, "To: jane.doe@example.org\r\n", &ics))),
            Vec::<String>::new()
        );
    }
}

/// Names in `CN=`, the summary and the description are found where a fold or an escape splits
/// them; each finding names the property.
#[test]
fn names_in_an_invitation_are_found_unfolded_and_unescaped() {
    let s = scanner();
    // 8 + 52 + 1 + "Statement of J" = 75 octets: the fold lands inside "Jane".
    let pad = "x".repeat(52);
    let cases: [(&[&str], &str, &str); 3] = [
        (&[], "Ravi Patel", "attendee"),
        (&["SUMMARY:{pad} Statement of Jane Doe"], "Case Officer", "summary"),
        (&["DESCRIPTION:Witnesses\\: {pad}\\, Doe\\, Jane\\nand others"], "Case Officer", "description"),
    ];
    for p in PRODUCERS {
        for (extra, cn, path) in cases {
            let extra: Vec<String> = extra.iter().map(|e| e.replace("{pad}", &pad)).collect();
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let attendees = [(cn, "someone@outside.example".to_string())];
            let ics = invitation(p, "REQUEST", &attendees, &extra);
            assert!(
                path != "summary" || ics.contains("Statement of J\r\n ane"),
                "the fold must split the name"
            );
            let report = s.scan(&message(p, "To: someone@outside.example\r\n", &ics));
            let record = if path == "attendee" { "V02" } else { "V01" };
            // Outlook's calendar is a body; Google and Thunderbird send it again as invite.ics.
            let mut want = vec![format!("protected-identifier {record} name body {path}")];
            if !matches!(p, Producer::Outlook) {
                want.push(format!("protected-identifier {record} name attachment invite.ics {path}"));
            }
            want.sort();
            assert_eq!(findings(&report), want, "{p:?} {path}");
        }
    }
}

/// A reply or a cancellation does not show its attendees as an invitation does (RFC 5546: a
/// CANCEL lists the attendees it removes, sent to those who were already shown them by the
/// REQUEST): its addresses are content, as any address written in a message is.
#[test]
fn replies_and_cancellations_are_not_visible_recipients() {
    let s = scanner();
    for method in ["CANCEL", "REPLY"] {
        let ics = invitation(Producer::Thunderbird, method, &outsiders(14), &[]);
        let report = s.scan(&message(Producer::Thunderbird, "To: officer@police.example\r\n", &ics));
        assert_eq!(findings(&report), Vec::<String>::new(), "{method}");
        // A protected address in it is an identifier in the content when an outsider gets it.
        let mut attendees = outsiders(2);
        attendees.push(("Guest", "jane.doe@example.org".to_string()));
        let ics = invitation(Producer::Outlook, method, &attendees, &[]);
        let report = s.scan(&message(Producer::Outlook, "To: person1@outside.example\r\n", &ics));
        // The address is a name too: `jane.doe` reads as "Jane Doe", as in any text.
        let want =
            ["protected-identifier V01 email body attendee", "protected-identifier V01 name body attendee"];
        assert_eq!(findings(&report), want, "{method}");
    }
}

/// An invitation inside an attached message was sent to someone else: its attendees are what
/// that message says, content, not recipients of this one.
#[test]
fn an_attached_messages_invitation_is_content() {
    let s = scanner();
    let ics = invitation(Producer::Outlook, "REQUEST", &outsiders(14), &["SUMMARY:About Jane Doe"]);
    let inner =
        String::from_utf8(message(Producer::Outlook, "To: officer@police.example\r\n", &ics)).unwrap();
    let outer = format!(
        "From: officer@police.example\r\nTo: someone@outside.example\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--out\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--out--\r\n"
    );
    let report = s.scan(outer.as_bytes());
    assert_eq!(findings(&report), ["protected-identifier V01 name body summary"]);
}

/// A calendar is known by its content too: `application/octet-stream` named `meeting.dat`.
#[test]
fn a_calendar_is_known_by_its_first_line() {
    let s = scanner();
    let ics = invitation(Producer::Google, "REQUEST", &outsiders(12), &[]);
    let m = format!(
        "From: officer@police.example\r\nTo: officer@police.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nhi\r\n--m\r\nContent-Type: application/octet-stream; name=\"meeting.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--m--\r\n",
        b64(&ics)
    );
    assert_eq!(findings(&s.scan(m.as_bytes())), ["visible-recipients 12"]);
    // Quoted-printable, behind a byte-order mark: the raw head tells.
    let text = ics;
    let qp: String = text.lines().map(|l| l.replace('=', "=3D")).collect::<Vec<_>>().join("\r\n");
    let m = format!(
        "From: officer@police.example\r\nTo: officer@police.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nhi\r\n--m\r\nContent-Type: application/octet-stream; name=\"meeting.dat\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=EF=BB=BF{qp}\r\n--m--\r\n"
    );
    assert_eq!(findings(&s.scan(m.as_bytes())), ["visible-recipients 12"]);
}

/// `fix --bcc` moves what it can and says plainly that it cannot fix an attendee list: exit
/// status 1, never a claim of success, with Cc exposure beside it or not.
#[test]
fn fix_bcc_refuses_to_claim_it_fixed_an_attendee_list() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("protected.csv");
    std::fs::write(&list, LIST).unwrap();
    let mut attendees = outsiders(2);
    attendees.push(("Guest", "jane.doe@example.org".to_string()));
    let ics = invitation(Producer::Outlook, "REQUEST", &attendees, &[]);
    for (headers, moved) in [
        ("To: officer@police.example\r\n", false),
        ("To: officer@police.example\r\nCc: ravi@example.net, other@outside.example\r\n", true),
    ] {
        let path = dir.path().join("invite.eml");
        std::fs::write(&path, message(Producer::Outlook, headers, &ics)).unwrap();
        let out = dir.path().join("fixed.eml");
        let run = Command::new(env!("CARGO_BIN_EXE_maildlp"))
            .args(["fix", "--bcc", "--internal-domain", "police.example", "--protected"])
            .arg(&list)
            .arg(&path)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "{stderr}{stdout}");
        assert!(stderr.contains("cannot fix the invitation's attendee list"), "{stderr}");
        assert!(stderr.contains("its 3 external addresses"), "{stderr}");
        assert!(stdout.contains("protected-recipient-exposed"), "{stdout}");
        let fixed = std::fs::read_to_string(&out).unwrap();
        assert_eq!(fixed.contains("Bcc: ravi@example.net, other@outside.example"), moved, "{fixed}");
        assert!(fixed.contains(&ics), "the attendee list is left as it was");
    }
    // The library says the same: the attendees a rewrite leaves.
    let fixed = scanner().fix_bcc(&message(Producer::Outlook, "To: officer@police.example\r\n", &ics));
    assert_eq!(fixed.attendees, 3);
    assert!(!fixed.changed());
}

/// A 100,000-attendee invitation is read whole, within four times the message's bytes of heap.
#[test]
fn a_hundred_thousand_attendees_are_read_in_bounded_memory() {
    let s = scanner();
    let mut ics = String::from("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n");
    for i in 0..100_000 {
        ics.push_str(&format!("ATTENDEE:mailto:a{i}@x.example\r\n"));
    }
    ics.push_str("ATTENDEE;CN=Someone:mailto:jane.doe@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let m = format!("From: o@police.example\r\nTo: o@police.example\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n{ics}");
    let (report, peak) = mail::measured(&s, m.as_bytes());
    println!("{} bytes, peak heap {} bytes ({:.2}x)", m.len(), peak, peak as f64 / m.len() as f64);
    assert_eq!(findings(&report), ["protected-recipient-exposed V01 attendee", "visible-recipients 100001"]);
    assert!(peak < 4 * m.len() as u64, "peak {} for {} bytes", peak, m.len());
}
