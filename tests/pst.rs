//! Outlook data files (PST, OST) read as `maildlp scan` and the Python package read them:
//! every message of every folder, under `PATH#FOLDER/N`, each one an Internet message built
//! from its MAPI properties. The files in `tests/pst/` were made by Outlook (see the README's
//! licence section for where they come from); what each holds was listed with an independent
//! reader (libpst's `lspst` and `readpst`, Debian package `pst-utils`), and the lists below are
//! what it shows.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

use mail_parser::{Message, MessageParser, MimeHeaders};
use maildlp::sources::{messages_of_file, Item, Messages};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pst").join(name)
}

/// The items of a file as the library hands them out: `(source after the path, message)`, or
/// `(source, error)`.
fn items(name: &str) -> Vec<(String, Result<Vec<u8>, String>)> {
    let path = fixture(name);
    let prefix = path.display().to_string();
    Messages::new(&[path])
        .map(|item| match item {
            Item::Message { source, bytes, .. } => (source.replacen(&prefix, "", 1), Ok(bytes)),
            Item::Error { source, error } => (source.replacen(&prefix, "", 1), Err(error)),
        })
        .collect()
}

/// The addresses of an address header.
fn addresses<'a>(a: Option<&'a mail_parser::Address<'a>>) -> Vec<&'a str> {
    a.map(|a| a.iter().filter_map(|x| x.address()).collect()).unwrap_or_default()
}

fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default().parse(bytes).expect("an Internet message")
}

/// The messages of a file: `(where, subject)`.
fn subjects(name: &str) -> Vec<(String, String)> {
    items(name)
        .into_iter()
        .filter_map(|(at, m)| Some((at, parse(&m.ok()?).subject().unwrap_or_default().to_string())))
        .collect()
}

#[test]
fn every_message_of_a_store_in_its_top_folder() {
    // Outlook 2013, Unicode, compressible encryption; French folder names. lspst lists seven
    // messages in the top folder ("Début du fichier de données Outlook").
    let got = subjects("testPST.pst");
    let want = [
        "Re: Feature Generators",
        "Re: init tokenizer fails: \"Bad type in putfield/putstatic\"",
        "Feature Generators",
        "[jira] [Resolved] (TIKA-1249) Vcard files detection",
        "[jira] [Commented] (TIKA-1250) Process loops infintely processing a CHM file",
        "[WEBINAR] - \"Introducing Couchbase Server 2.5\"",
        "FW: First email",
    ];
    let want: Vec<(String, String)> =
        want.iter().enumerate().map(|(i, s)| (format!("#{}", i + 1), s.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn folders_under_the_top_by_path() {
    // Outlook 2010: a folder "tmp" inside "Inbox" holding four messages.
    let got = subjects("testPST_variousBodyTypes.pst");
    let want = ["original email", "FW: original email", "FW: original email", "FW: original email"];
    let want: Vec<(String, String)> =
        want.iter().enumerate().map(|(i, s)| (format!("#Inbox/tmp/{}", i + 1), s.to_string())).collect();
    assert_eq!(got, want);
    // The bodies: plain and HTML, or RTF alone.
    let all = items("testPST_variousBodyTypes.pst");
    let first = all[0].1.as_ref().expect("a message");
    assert!(
        parse(first).body_text(0).is_some_and(|b| b.contains("original email")),
        "{}",
        String::from_utf8_lossy(first)
    );
}

#[test]
fn ansi_store_in_its_code_page() {
    // Outlook 2002 format (ANSI), compressible encryption, strings in Shift_JIS.
    let all = items("nonUnicodeCP932.pst");
    assert_eq!(all.len(), 1);
    let (at, m) = &all[0];
    assert_eq!(at, "#1");
    let bytes = m.as_ref().expect("a message");
    let m = parse(bytes);
    assert_eq!(m.subject(), Some("日本語 Non Unicode タイトル"));
    assert_eq!(m.body_text(0).map(|b| b.trim().to_string()).as_deref(), Some("日本語 Non Unicode 本文"));
    let to = addresses(m.to());
    assert_eq!(to, ["xmailuser2@xmailserver.test"]);
}

#[test]
fn recipients_of_the_table_with_their_kind() {
    // A sent message (no transport headers): 200 recipients, all To in its recipient table.
    let all = items("200-recipients.pst");
    assert_eq!(all.len(), 1);
    let bytes = all[0].1.as_ref().expect("a message");
    let m = parse(bytes);
    let to = addresses(m.to());
    let want: Vec<String> = (1..=200).map(|i| format!("xmailuser{i}@xmailserver.test")).collect();
    assert_eq!(to, want);
    assert!(m.cc().is_none() && m.bcc().is_none());
    // Received messages keep the headers they came with.
    let all = items("testPST.pst");
    let first = parse(all[0].1.as_ref().expect("a message"));
    let from = first.from().and_then(|f| f.first()).expect("from");
    assert_eq!((from.name(), from.address()), (Some("Jörn Kottmann"), Some("kottmann@gmail.com")));
    assert!(first.header("Received").is_some());
}

#[test]
fn attachments_with_their_names_and_bytes() {
    let all = items("unicodeAttachmentFilename.pst");
    assert_eq!(all.len(), 1);
    let bytes = all[0].1.as_ref().expect("a message");
    let m = parse(bytes);
    let names: Vec<&str> = m.attachments().filter_map(|a| a.attachment_name()).collect();
    assert_eq!(
        names,
        [
            "エラー Error を 意味する記号.png",
            "疑問 Help を 意味する記号.png",
            "情報 Information を 意味する記号.png"
        ]
    );
    assert!(m
        .attachments()
        .all(|a| a.contents().starts_with(b"\x89PNG\r\n\x1a\n") && a.contents().len() > 1000));
}

#[test]
fn embedded_messages_with_their_own_attachments() {
    // A message holding a message holding a message, the outer two with a picture each.
    let all = items("msgInMsgInMsg.pst");
    assert_eq!(all.len(), 1, "{all:?}");
    let bytes = all[0].1.as_ref().expect("the message");
    let outer = parse(bytes);
    assert_eq!(outer.subject(), Some("I have sub attachments!"));
    fn walk(m: &Message<'_>, subjects: &mut Vec<String>, pictures: &mut Vec<String>) {
        for a in m.attachments() {
            match a.message() {
                Some(inner) => {
                    subjects.push(inner.subject().unwrap_or_default().to_string());
                    walk(inner, subjects, pictures);
                }
                None => pictures.push(a.attachment_name().unwrap_or_default().to_string()),
            }
        }
    }
    let (mut subjects, mut pictures) = (Vec::new(), Vec::new());
    walk(&outer, &mut subjects, &mut pictures);
    // As readpst shows them.
    assert_eq!(subjects, ["I have attachments!", "Microsoft Outlook テスト メッセージ"]);
    pictures.sort();
    assert_eq!(pictures, ["blue.png", "green.png"]);
    // A calendar item, a contact and a distribution list (java-libpst's test store).
    let all = items("dist-list.pst");
    let at: Vec<(&str, bool)> = all.iter().map(|(at, m)| (at.as_str(), m.is_ok())).collect();
    assert_eq!(at, [("#Calendar/1", true), ("#Contacts/1", true), ("#Contacts/2", true)]);
}

#[test]
fn bytes_in_memory_read_as_the_file() {
    // The Python package's split_messages and the Spark job read a file's bytes.
    let path = fixture("testPST_variousBodyTypes.pst");
    let bytes = std::fs::read(&path).expect("fixture");
    let mut from_bytes = Vec::new();
    messages_of_file("x.pst", bytes, &mut |item| {
        if let Item::Message { source, bytes, last_of_file } = item {
            from_bytes.push((source, bytes, last_of_file));
        }
    });
    let from_file: Vec<Vec<u8>> =
        items("testPST_variousBodyTypes.pst").into_iter().filter_map(|(_, m)| m.ok()).collect();
    assert_eq!(from_bytes.len(), 4);
    assert_eq!(from_bytes.iter().map(|m| m.1.clone()).collect::<Vec<_>>(), from_file);
    assert_eq!(from_bytes[0].0, "x.pst#Inbox/tmp/1");
    assert_eq!(from_bytes.iter().map(|m| m.2).collect::<Vec<_>>(), [false, false, false, true]);
}

fn maildlp(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_maildlp")).args(args).output().expect("maildlp runs")
}

#[test]
fn a_protected_name_found_with_its_location() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "id,kind,value\nP1,name,Timothy Allison\nP2,name,Jörn Kottmann\nP3,term,docx attachment\n",
    )
    .expect("list");
    for threads in ["1", "3"] {
        let pst = fixture("testPST_variousBodyTypes.pst");
        let top = fixture("testPST.pst");
        let o = maildlp(&[
            "scan",
            "--protected",
            list.to_str().unwrap_or_default(),
            "--format",
            "json",
            "--threads",
            threads,
            pst.to_str().unwrap_or_default(),
            top.to_str().unwrap_or_default(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
        let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let sources: Vec<String> = lines
            .iter()
            .map(|l| {
                l["source"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_string()
            })
            .collect();
        // In input order whatever the threads: four in Inbox/tmp, then seven at the top.
        assert_eq!(
            sources,
            [
                "1",
                "2",
                "3",
                "4",
                "testPST.pst#1",
                "testPST.pst#2",
                "testPST.pst#3",
                "testPST.pst#4",
                "testPST.pst#5",
                "testPST.pst#6",
                "testPST.pst#7"
            ]
        );
        let first = &lines[0];
        assert!(first["source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("testPST_variousBodyTypes.pst#Inbox/tmp/1"));
        assert_eq!(first["verdict"], "block");
        let found = first["findings"].as_array().expect("findings");
        assert!(found.iter().any(|f| f["record"] == "P1" && f["kind"] == "name"), "{first}");
        let kottmann = &lines[4];
        assert!(
            kottmann["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["record"] == "P2")),
            "{kottmann}"
        );
        // The document attached to the message forwarded as an attachment of testPST.pst#7.
        let forwarded = &lines[10];
        let docx = forwarded["findings"].as_array().and_then(|f| f.iter().find(|f| f["record"] == "P3"));
        assert_eq!(
            docx.map(|f| f["location"]["name"].clone()),
            Some(serde_json::json!("attachment.docx")),
            "{forwarded}"
        );
        assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    }
}

#[test]
fn a_truncated_or_corrupt_store_is_unreadable_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::fs::read(fixture("testPST_variousBodyTypes.pst")).expect("fixture");
    // Cut inside its header, and inside its B-trees.
    for (name, cut) in [("header.pst", 300usize), ("trees.pst", 20_000)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes[..cut]).expect("write");
        let o = maildlp(&["scan", "--format", "json", path.to_str().unwrap_or_default()]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("{name}: ")) && !err.contains("panicked"), "{err}");
        assert!(o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    }
    // Bytes changed all over (a fixed sequence): every outcome a message or an error.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..40 {
        let mut corrupt = bytes.clone();
        for _ in 0..64 {
            let at = 12 + (next() as usize) % (corrupt.len() - 12);
            corrupt[at] = next() as u8;
        }
        let mut n = 0;
        messages_of_file("c.pst", corrupt, &mut |item| {
            n += 1;
            if let Item::Message { bytes, .. } = item {
                assert!(!bytes.is_empty());
            }
        });
        assert!(n >= 1);
    }
}

#[test]
fn messages_estimated_for_the_progress_bar() {
    use maildlp::sources::estimate_messages;
    // The folders' own counts, without reading a message.
    assert_eq!(estimate_messages(&[fixture("testPST.pst")]), 7);
    assert_eq!(estimate_messages(&[fixture("testPST_variousBodyTypes.pst")]), 4);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.mbox"),
        "From a@b Sat Jan  3 01:05:34 1996\nSubject: 1\n\n>From x\nFrom a@b Sat Jan  3 01:05:34 1996\nSubject: 2\n\nx\n",
    )
    .expect("mbox");
    std::fs::write(dir.path().join("b.eml"), "Subject: x\n\nbody\n").expect("eml");
    std::fs::copy(fixture("nonUnicodeCP932.pst"), dir.path().join("c.pst")).expect("pst");
    assert_eq!(estimate_messages(&[dir.path().to_path_buf()]), 2 + 1 + 1);
}

#[test]
fn no_progress_on_stderr_when_it_is_not_a_terminal() {
    // 60 stores of 4 messages: a batch the bar is drawn for on a terminal.
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..60 {
        std::fs::copy(fixture("testPST_variousBodyTypes.pst"), dir.path().join(format!("{i:02}.pst")))
            .expect("copy");
    }
    assert!(maildlp::sources::estimate_messages(&[dir.path().to_path_buf()]) >= 200);
    let o = maildlp(&["scan", "--format", "json", dir.path().to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 240);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}
