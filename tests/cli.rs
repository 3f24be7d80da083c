//! The `maildlp` command, run as a user runs it: every PATH form, both output formats, every
//! exit code and every error.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_maildlp"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    root().join("examples")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const LIST: &str = "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\n";
const BLOCKED: &str = "From: a@police.example\nTo: press@paper.example\nSubject: x\n\nJane Doe was there.\n";
const ALLOWED: &str = "From: a@police.example\nTo: press@paper.example\nSubject: x\n\nNobody was there.\n";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let f = Fixture { dir: tempfile::tempdir().unwrap() };
        f.write("list.csv", LIST);
        f
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
    fn scan(&self, extra: &[&str]) -> Output {
        let list = self.path("list.csv");
        let mut args = vec!["scan", "--protected", p(&list), "--format", "json"];
        args.extend_from_slice(extra);
        run(&args)
    }
}

#[test]
fn sample_incident_is_blocked_and_bcc_twin_allowed() {
    let ex = examples();
    let o = run(&[
        "scan",
        "--protected",
        p(&ex.join("protected.csv")),
        "--policy",
        p(&ex.join("policy.toml")),
        "--format",
        "json",
        p(&ex.join("messages")),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json_lines(&o);
    let verdict = |name: &str| {
        lines.iter().find(|l| l["source"].as_str().unwrap().ends_with(name)).unwrap()["verdict"].clone()
    };
    assert_eq!(verdict("incident-cc.eml"), "block");
    assert_eq!(verdict("incident-bcc.eml"), "allow");
    assert_eq!(verdict("names-another-victim.eml"), "block");
    let cc = lines.iter().find(|l| l["source"].as_str().unwrap().ends_with("incident-cc.eml")).unwrap();
    let exposed = cc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "protected-recipient-exposed")
        .count();
    assert_eq!(exposed, 18);
    let visible =
        cc["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "visible-recipients").unwrap();
    assert_eq!((visible["count"].as_u64(), visible["max"].as_u64()), (Some(18), Some(10)));
    // No protected value in clear anywhere in the output.
    let out = stdout(&o);
    for value in ["Jane Doe", "jane.doe@example", "Ravi Patel", "7946 0001"] {
        assert!(!out.contains(value), "{value} printed in clear");
    }
}

#[test]
fn single_file_json_and_exit_codes() {
    let f = Fixture::new();
    let blocked = f.write("blocked.eml", BLOCKED);
    let allowed = f.write("allowed.eml", ALLOWED);
    let o = f.scan(&[p(&allowed)]);
    assert_eq!(o.status.code(), Some(0));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["source"], p(&allowed));
    assert_eq!(lines[0]["verdict"], "allow");
    assert_eq!(lines[0]["findings"], serde_json::json!([]));

    let o = f.scan(&[p(&blocked)]);
    assert_eq!(o.status.code(), Some(1));
    let line = &json_lines(&o)[0];
    assert_eq!(line["verdict"], "block");
    let finding = &line["findings"][0];
    assert_eq!(finding["rule"], "protected-identifier");
    assert_eq!(finding["severity"], "block");
    assert_eq!(finding["record"], "V01");
    assert_eq!(finding["kind"], "name");
    assert_eq!(finding["location"], serde_json::json!({"part": "body", "index": 1}));
    assert!(finding["excerpt"].as_str().unwrap().contains("J*** D**"));
    assert!(!finding["message"].as_str().unwrap().contains("Jane"));
}

#[test]
fn warn_exits_one() {
    let f = Fixture::new();
    let to: Vec<String> = (0..3).map(|i| format!("p{i}@example.net")).collect();
    let m = f.write("many.eml", &format!("From: a@b.example\nTo: {}\nSubject: x\n\nhello\n", to.join(", ")));
    let o = f.scan(&["--max-visible-recipients", "2", p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o)[0]["verdict"], "warn");
}

#[test]
fn text_format_one_line_per_message_and_indented_findings() {
    let f = Fixture::new();
    let blocked = f.write("blocked.eml", BLOCKED);
    let allowed = f.write("allowed.eml", ALLOWED);
    let list = f.path("list.csv");
    let o = run(&["scan", "--protected", p(&list), p(&allowed), p(&blocked)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("{}: allow", p(&allowed)));
    assert_eq!(lines[1], format!("{}: block", p(&blocked)));
    assert!(lines[2].starts_with("  block protected-identifier: "), "{}", lines[2]);
    assert!(lines[2].contains("J*** D**") && !lines[2].contains("Jane"));
    // The summary closes text output.
    let last = lines.last().unwrap();
    assert!(last.starts_with("2 messages: 1 blocked, 0 warned, 1 allowed in "), "{last}");
    assert!(last.ends_with(" s"), "{last}");
    // JSON Lines carry no summary.
    let o = run(&["scan", "--protected", p(&list), "--format", "json", p(&allowed), p(&blocked)]);
    assert_eq!(json_lines(&o).len(), 2);
}

#[test]
fn summary_counts_unreadable_inputs() {
    let f = Fixture::new();
    let allowed = f.write("allowed.eml", ALLOWED);
    let list = f.path("list.csv");
    let o = run(&["scan", "--protected", p(&list), p(&f.path("missing.eml")), p(&allowed)]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("1 message: 0 blocked, 0 warned, 1 allowed, 1 unreadable in "),
        "{out}"
    );
}

#[test]
fn output_order_does_not_depend_on_threads() {
    let f = Fixture::new();
    for i in 0..60 {
        // Sizes vary so that workers finish out of order.
        let body = "filler words ".repeat(if i % 7 == 0 { 20_000 } else { 10 });
        let text = if i % 3 == 0 {
            BLOCKED.replace("Jane Doe was there.", &format!("{body} Jane Doe"))
        } else {
            format!("{ALLOWED}{body}")
        };
        f.write(&format!("box/{i:03}.eml"), &text);
    }
    // An mbox in the middle: its messages are handed to different threads one by one.
    let mut mbox = String::new();
    for i in 0..12 {
        let body = "filler words ".repeat(if i % 5 == 0 { 20_000 } else { 10 });
        mbox.push_str("From sender@example.org Sat Jan  3 01:05:34 1996\n");
        mbox.push_str(&if i % 2 == 0 {
            format!("{ALLOWED}{body}\n")
        } else {
            BLOCKED.replace("Jane Doe was there.", &format!("{body} Jane Doe"))
        });
    }
    f.write("box/030.mbox", &mbox);
    // An input that cannot be read, reported in its place.
    #[cfg(unix)]
    std::os::unix::fs::symlink(f.path("nowhere"), f.path("box/030x.eml")).unwrap();
    let one = f.scan(&["--threads", "1", p(&f.path("box"))]);
    let four = f.scan(&["--threads", "4", p(&f.path("box"))]);
    assert_eq!(stdout(&one), stdout(&four));
    #[cfg(unix)]
    assert!(String::from_utf8_lossy(&four.stderr).contains("030x.eml"));
    assert_eq!(one.stderr, four.stderr);
    // One mbox alone: the other threads wait while it is read, then share its messages.
    let alone_one = f.scan(&["--threads", "1", p(&f.path("box/030.mbox"))]);
    let alone_four = f.scan(&["--threads", "4", p(&f.path("box/030.mbox"))]);
    assert_eq!(stdout(&alone_one), stdout(&alone_four));
    assert_eq!(json_lines(&alone_four).len(), 12);
    let sources: Vec<String> =
        json_lines(&four).iter().map(|l| l["source"].as_str().unwrap().to_string()).collect();
    let mut sorted = sources.clone();
    sorted.sort_by_key(|s| {
        let (file, n) = s.split_once('#').unwrap_or((s, "0"));
        (file.to_string(), n.parse::<u32>().unwrap())
    });
    assert_eq!(sources, sorted);
    assert_eq!(sources.len(), 72);
    assert!(sources.iter().any(|s| s.ends_with("030.mbox#12")), "{sources:?}");
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let f = Fixture::new();
    for i in 0..250 {
        f.write(&format!("box/{i:03}.eml"), ALLOWED);
    }
    let o = f.scan(&[p(&f.path("box"))]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

#[test]
fn directory_recursive_maildir_hidden_skipped() {
    let f = Fixture::new();
    f.write("box/cur/1.eml", BLOCKED);
    f.write("box/new/2.eml", ALLOWED);
    f.write("box/tmp/3", ALLOWED);
    f.write("box/.hidden.eml", BLOCKED);
    f.write("box/.Trash/cur/4.eml", BLOCKED);
    let o = f.scan(&[p(&f.path("box"))]);
    let sources: Vec<String> =
        json_lines(&o).iter().map(|l| l["source"].as_str().unwrap().to_string()).collect();
    let rel: Vec<&str> = sources.iter().map(|s| s.strip_prefix(p(&f.path("box"))).unwrap()).collect();
    assert_eq!(rel, ["/cur/1.eml", "/new/2.eml", "/tmp/3"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn mbox_messages_are_numbered() {
    let f = Fixture::new();
    let mbox = f.write(
        "archive.mbox",
        &format!(
            "From a@b Sat Jan  3 01:05:34 1996\n{ALLOWED}\nFrom c@d Sat Jan  3 01:06:34 1996\n{BLOCKED}\n"
        ),
    );
    let o = f.scan(&[p(&mbox)]);
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], format!("{}#1", p(&mbox)));
    assert_eq!(lines[0]["verdict"], "allow");
    assert_eq!(lines[1]["source"], format!("{}#2", p(&mbox)));
    assert_eq!(lines[1]["verdict"], "block");
}

#[test]
fn standard_input() {
    let f = Fixture::new();
    let list = f.path("list.csv");
    let mut child = bin()
        .args(["scan", "--protected", p(&list), "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(BLOCKED.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o)[0]["source"], "-");
}

#[test]
fn envelope_recipients_count() {
    let f = Fixture::new();
    let m =
        f.write("own.eml", "From: a@police.example\nTo: jane.doe@example.org\nSubject: x\n\nDear Jane Doe\n");
    assert_eq!(f.scan(&[p(&m)]).status.code(), Some(0));
    let o = f.scan(&["--rcpt", "journalist@paper.example", p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    let rules: Vec<String> = json_lines(&o)[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["protected-recipient-exposed", "protected-identifier"]);
}

#[test]
fn internal_domain_flag_and_policy_file() {
    let f = Fixture::new();
    let m = f.write(
        "m.eml",
        "From: a@police.example\nTo: jane.doe@example.org, duty@police.example\nSubject: x\n\nhi\n",
    );
    assert_eq!(f.scan(&[p(&m)]).status.code(), Some(1));
    assert_eq!(f.scan(&["--internal-domain", "police.example", p(&m)]).status.code(), Some(0));
    let policy = f.write("policy.toml", "internal_domains = [\"police.example\"]\n");
    assert_eq!(f.scan(&["--policy", p(&policy), p(&m)]).status.code(), Some(0));
    // Flags add to the policy's domains and override its numbers.
    let policy = f.write("p2.toml", "internal_domains = [\"other.example\"]\nmax_visible_recipients = 0\n");
    let o = f.scan(&[
        "--policy",
        p(&policy),
        "--internal-domain",
        "police.example",
        "--max-visible-recipients",
        "5",
        p(&m),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn unreadable_file_is_reported_and_the_rest_scanned() {
    let f = Fixture::new();
    let allowed = f.write("allowed.eml", ALLOWED);
    let missing = f.path("missing.eml");
    let o = f.scan(&[p(&missing), p(&allowed)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.eml"), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), 1);
}

#[test]
fn bad_list_stops_before_scanning_and_names_the_line() {
    let f = Fixture::new();
    let allowed = f.write("allowed.eml", ALLOWED);
    let list = f.write("bad.csv", "id,kind,value\nV01,name,Jane Doe\nV01,phone,123\n");
    let o = run(&["scan", "--protected", p(&list), p(&allowed)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn bad_policy_names_the_key() {
    let f = Fixture::new();
    let allowed = f.write("allowed.eml", ALLOWED);
    let policy = f.write("bad.toml", "max_visible_recipient = 3\n");
    let o = f.scan(&["--policy", p(&policy), p(&allowed)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("max_visible_recipient"), "{}", stderr(&o));
    let policy = f.write("bad2.toml", "max_visible_recipients = \"ten\"\n");
    let o = f.scan(&["--policy", p(&policy), p(&allowed)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("max_visible_recipients"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_two() {
    let f = Fixture::new();
    let allowed = f.write("allowed.eml", ALLOWED);
    for args in [
        vec!["scan"],
        vec!["scan", "--format", "xml", p(&allowed)],
        vec!["scan", "--max-visible-recipients", "many", p(&allowed)],
        vec!["scan", "--rcpt", "not an address", p(&allowed)],
        vec!["scan", "--threads", "0", p(&allowed)],
        vec!["scan", "--protected", "/nonexistent/list.csv", p(&allowed)],
        vec!["frobnicate"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
}

#[cfg(unix)]
#[test]
fn fifos_and_symlink_loops_do_not_hang() {
    let f = Fixture::new();
    f.write("tree/a.eml", ALLOWED);
    std::os::unix::fs::symlink(f.path("tree"), f.path("tree/loop")).unwrap();
    let fifo = f.path("tree/fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let o = f.scan(&[p(&f.path("tree"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), 1);
    // Named on the command line, a FIFO is refused rather than waited on.
    let o = f.scan(&[p(&fifo)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn text_output_groups_a_place_with_many_findings() {
    let f = Fixture::new();
    let list: String = (0..1000).map(|i| format!("R{i:04},name,Person{i:04} Surname\n")).collect();
    f.write("many.csv", &format!("id,kind,value\n{list}"));
    let names: String = (0..1000).map(|i| format!("Person{i:04} Surname\n")).collect();
    f.write(
        "extract.eml",
        &format!(
            "From: a@police.example\nTo: press@paper.example\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n\
             --b\nContent-Type: text/plain\n\nSee the extract; it names Person0001 Surname.\n\
             --b\nContent-Type: text/csv\nContent-Disposition: attachment; filename=extract.csv\n\n{names}--b--\n"
        ),
    );
    let o = run(&["scan", "--protected", p(&f.path("many.csv")), p(&f.path("extract.eml"))]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    // One line for the body's single finding, one line for the attachment's thousand.
    assert!(text.contains("record R0001 is in body 1"), "{text}");
    assert!(
        text.contains(
            "block protected-identifier: 1,000 protected records named in attachment 1 extract.csv\n"
        ),
        "{text}"
    );
    assert!(text.contains("(1,001 findings in all; the first 100 are listed in the JSON output)"), "{text}");
    assert!(text.lines().count() < 8, "{text}");
    let json = json_lines(&run(&[
        "scan",
        "--format",
        "json",
        "--protected",
        p(&f.path("many.csv")),
        p(&f.path("extract.eml")),
    ]));
    assert_eq!(json[0]["findings"].as_array().unwrap().len(), 100);
    assert_eq!(json[0]["summary"]["findings"], 1001);
    assert_eq!(json[0]["summary"]["rules"]["protected-identifier"], 1001);
    assert_eq!(json[0]["summary"]["places"][1]["records"], 1000);
}

#[test]
fn mbox_separator_needs_a_sender_and_a_date() {
    // A public corpus message in mbox form with a header written `From  :<tst1@example.com>`:
    // one message, not two.
    let msg = root().join("tests/corpus/spamassassin/spam__008.eml");
    let o = run(&["scan", "--format", "json", p(&msg)]);
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "{}", stdout(&o));
    assert_eq!(lines[0]["source"], format!("{}#1", p(&msg)));
}

fn examples_fix(extra: &[&str]) -> Output {
    let list = examples().join("protected.csv");
    let policy = examples().join("policy.toml");
    let mut args = vec!["fix", "--protected", p(&list), "--policy", p(&policy)];
    args.extend_from_slice(extra);
    run(&args)
}

/// The bytes after the header block.
fn body_of(m: &[u8]) -> &[u8] {
    let at = m.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let at = at.or_else(|| m.windows(2).position(|w| w == b"\n\n").map(|p| p + 2));
    &m[at.unwrap_or(m.len())..]
}

#[test]
fn fix_bcc_writes_the_fixed_message_to_stdout_and_exits_zero() {
    let cc = examples().join("messages/incident-cc.eml");
    let o = examples_fix(&["--bcc", p(&cc)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let original = std::fs::read(&cc).unwrap();
    assert_eq!(body_of(&o.stdout), body_of(&original));
    let text = stdout(&o);
    assert!(text.contains("\r\nBcc: Jane Doe <jane.doe@example.net>,"), "{text}");
    assert!(!text.contains("\r\nCc:"), "{text}");
    assert!(stderr(&o).contains("18 recipients moved to Bcc"), "{}", stderr(&o));
    // The fixed message scans clean.
    let f = Fixture::new();
    let fixed = f.path("fixed.eml");
    std::fs::write(&fixed, &o.stdout).unwrap();
    let list = examples().join("protected.csv");
    let policy = examples().join("policy.toml");
    let s = run(&["scan", "--protected", p(&list), "--policy", p(&policy), p(&fixed)]);
    assert_eq!(s.status.code(), Some(0), "{}", stdout(&s));
}

#[test]
fn fix_bcc_to_a_file_and_remaining_findings_exit_one() {
    let f = Fixture::new();
    let out = f.path("out.eml");
    // To one victim, naming another in the body: the recipient moves to Bcc, but no rewrite
    // can take the other victim's name out of the body.
    let names = examples().join("messages/names-another-victim.eml");
    let o = examples_fix(&["--bcc", p(&names), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("protected-identifier"), "{}", stdout(&o));
    assert!(stderr(&o).contains("1 recipient moved to Bcc"), "{}", stderr(&o));
    assert_eq!(body_of(&std::fs::read(&out).unwrap()), body_of(&std::fs::read(&names).unwrap()));
    // A message that needs no fix is written as it was.
    let bcc = examples().join("messages/incident-bcc.eml");
    let o = examples_fix(&["--bcc", p(&bcc), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("left unchanged"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&bcc).unwrap());
}

#[test]
fn fix_split_writes_one_message_per_outsider() {
    let f = Fixture::new();
    let dir = f.path("copies");
    let cc = examples().join("messages/incident-cc.eml");
    let o = examples_fix(&["--split", p(&cc), "-o", p(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 18);
    assert!(files[0].ends_with("0001.eml") && files[17].ends_with("0018.eml"));
    let mut ids = std::collections::BTreeSet::new();
    let original = std::fs::read(&cc).unwrap();
    for file in &files {
        let m = std::fs::read(file).unwrap();
        assert_eq!(body_of(&m), body_of(&original));
        let text = String::from_utf8_lossy(&m);
        let outsiders = text
            .lines()
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("To:") || l.starts_with("Cc:"))
            .map(|l| l.matches("@example.").count())
            .sum::<usize>();
        assert_eq!(outsiders, 1, "{}", file.display());
        ids.insert(text.lines().find(|l| l.starts_with("Message-ID:")).unwrap().to_string());
    }
    assert_eq!(ids.len(), 18);
}

#[test]
fn fix_usage_errors_exit_two() {
    let cc = examples().join("messages/incident-cc.eml");
    // --split needs a directory; one of --bcc and --split is needed; not both.
    assert_eq!(examples_fix(&["--split", p(&cc)]).status.code(), Some(2));
    assert_eq!(examples_fix(&[p(&cc)]).status.code(), Some(2));
    assert_eq!(examples_fix(&["--bcc", "--split", p(&cc), "-o", "/tmp/x"]).status.code(), Some(2));
    let o = examples_fix(&["--bcc", "/nonexistent/message.eml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let o = run(&["fix", "--bcc", "--rcpt", "not an address", p(&cc)]);
    assert_eq!(o.status.code(), Some(2));
}

/// An envelope recipient the scanner refuses is reported once, as the usage error it is, and
/// nothing is scanned or written: on one thread or several, for scan and for fix.
#[test]
fn a_refused_rcpt_is_one_error_and_nothing_is_written() {
    let f = Fixture::new();
    let msgs = examples().join("messages");
    let want = "maildlp: --rcpt \"not an address\" is not an email address\n";
    for threads in ["1", "2"] {
        let o =
            f.scan(&["--threads", threads, "--rcpt", "ok@x.example", "--rcpt", "not an address", p(&msgs)]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(stderr(&o), want);
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
    // With nothing to scan at all, the recipient is refused all the same.
    let empty = f.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = f.scan(&["--rcpt", "not an address", p(&empty)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), want);
    let out = f.path("fixed.eml");
    let cc = msgs.join("incident-cc.eml");
    let o = run(&["fix", "--bcc", "--rcpt", "not an address", p(&cc), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), want);
    assert!(!out.exists());
}

#[test]
fn fix_a_message_with_no_header_is_written_unchanged() {
    let f = Fixture::new();
    let m = f.write("plain.txt", "just some text\nwith no header\n");
    let o = run(&["fix", "--bcc", p(&m)]);
    assert_eq!(stdout(&o), "just some text\nwith no header\n");
    assert!(stderr(&o).contains("left unchanged: the message has no header block"), "{}", stderr(&o));
    // No recipient: fail closed, but nothing names a protected person: allowed.
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn keygen_seal_and_scan_with_a_sealed_list() {
    let f = Fixture::new();
    let key = f.path("list.key");
    let sealed = f.path("list.sealed");
    let list = examples().join("protected.csv");
    let policy = examples().join("policy.toml");
    let msgs = examples().join("messages");
    let o = run(&["keygen", "-o", p(&key)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A key is never overwritten.
    let before = std::fs::read(&key).unwrap();
    let o = run(&["keygen", "-o", p(&key)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("never overwritten"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&key).unwrap(), before);

    let o = run(&["seal", "--key", p(&key), p(&list), "-o", p(&sealed)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // No identifier, and no word of one, is in the sealed file.
    let bytes = std::fs::read(&sealed).unwrap();
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    for line in std::fs::read_to_string(&list)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let value = line.splitn(3, ',').nth(2).unwrap().trim_matches('"').to_lowercase();
        for word in value.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3) {
            assert!(!text.contains(word), "{word:?} of {value:?} is readable in the sealed list");
        }
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 6 {
            assert!(!text.contains(&digits[digits.len() - 6..]), "digits of {value:?} are readable");
        }
    }

    // The same reports as with the plain list, but for excerpts.
    let plain = json_lines(&run(&[
        "scan",
        "--format",
        "json",
        "--protected",
        p(&list),
        "--policy",
        p(&policy),
        p(&msgs),
    ]));
    let o = run(&[
        "scan",
        "--format",
        "json",
        "--protected",
        p(&sealed),
        "--key",
        p(&key),
        "--policy",
        p(&policy),
        p(&msgs),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let strip = |mut v: serde_json::Value| {
        for f in v["findings"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("excerpt");
        }
        v
    };
    let sealed_reports: Vec<serde_json::Value> = json_lines(&o).into_iter().map(strip).collect();
    let plain_reports: Vec<serde_json::Value> = plain.into_iter().map(strip).collect();
    assert_eq!(sealed_reports, plain_reports);

    // The key may come from MAILDLP_KEY_FILE; without a key, or with another, it is an error.
    let o = bin()
        .args(["scan", "--protected", p(&sealed), p(&msgs)])
        .env("MAILDLP_KEY_FILE", &key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = bin()
        .args(["scan", "--protected", p(&sealed), p(&msgs)])
        .env_remove("MAILDLP_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the list is sealed"), "{}", stderr(&o));
    let other = f.path("other.key");
    run(&["keygen", "-o", p(&other)]);
    let o = run(&["scan", "--protected", p(&sealed), "--key", p(&other), p(&msgs)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not the one this list was sealed with"), "{}", stderr(&o));
}

#[test]
fn seal_refuses_a_bad_list_as_scan_does() {
    let f = Fixture::new();
    let key = f.path("k.key");
    run(&["keygen", "-o", p(&key)]);
    let bad = f.write("bad.csv", "id,kind,value\nV01,name,Jane Doe\nV02,phone,123\n");
    let out = f.path("bad.sealed");
    let o = run(&["seal", "--key", p(&key), p(&bad), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(!out.exists());
    let s = run(&["scan", "--protected", p(&bad), p(&bad)]);
    assert_eq!(stderr(&o), stderr(&s));
    let bad_key = f.write("bad.key", "not a key\n");
    let o = run(&["seal", "--key", p(&bad_key), p(&bad), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("64 hexadecimal digits"), "{}", stderr(&o));
}

/// The list file decides plain or sealed: a plain list takes a key it does not need (one
/// configuration serves either file) but not a malformed one; sealing a sealed list is refused.
#[test]
fn a_plain_list_needs_no_key_and_a_sealed_one_is_not_sealed_again() {
    let f = Fixture::new();
    let key = f.path("k.key");
    run(&["keygen", "-o", p(&key)]);
    let m = f.write("blocked.eml", BLOCKED);
    let o = f.scan(&["--key", p(&key), p(&m)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["verdict"], "block");
    let bad_key = f.write("bad.key", "not a key\n");
    let o = f.scan(&["--key", p(&bad_key), p(&m)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.key: key: a key is 64 hexadecimal digits"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());

    let sealed = f.path("list.sealed");
    let o = run(&["seal", "--key", p(&key), p(&f.path("list.csv")), "-o", p(&sealed)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = f.path("again.sealed");
    let o = run(&["seal", "--key", p(&key), p(&sealed), "-o", p(&again)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("this is a sealed list, not CSV"), "{}", stderr(&o));
    assert!(!again.exists());
    let o = bin()
        .args(["fix", "--bcc", "--protected", p(&sealed), p(&m)])
        .env_remove("MAILDLP_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the list is sealed"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--key KEYFILE"), "{}", stderr(&o));
}

#[test]
fn detect_enables_a_detector_and_refuses_an_unknown_one() {
    let f = Fixture::new();
    let m = f.write(
        "card.eml",
        "From: a@police.example\nTo: press@paper.example\nSubject: x\n\nCard 4111 1111 1111 1111.\n",
    );
    let o = f.scan(&[p(&m)]);
    assert_eq!(o.status.code(), Some(0), "off unless enabled");
    let o = f.scan(&["--detect", "payment-card", p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    let v = &json_lines(&o)[0];
    assert_eq!(v["findings"][0]["rule"], "sensitive-data");
    assert_eq!(v["findings"][0]["detector"], "payment-card");
    assert_eq!(v["findings"][0]["severity"], "warn");
    assert!(!stdout(&o).contains("4111 1111"), "{}", stdout(&o));
    let o = f.scan(&["--detect", "passport", p(&m)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown detector \"passport\""), "{}", stderr(&o));
}

/// `--detect-confidence`: a Luhn-valid order number with no card wording is no finding at the
/// default (`high`) and a `low` one on request; the text output says the confidence; a level
/// that is neither is a usage error.
#[test]
fn detect_confidence_is_high_unless_asked_for_low() {
    let f = Fixture::new();
    let m = f.write(
        "order.eml",
        "From: a@police.example\nTo: press@paper.example\nSubject: x\n\nYour order 4111 1111 1111 1111 has shipped.\n",
    );
    let o = f.scan(&["--detect", "payment-card", p(&m)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = f.scan(&["--detect", "payment-card", "--detect-confidence", "low", p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    let v = &json_lines(&o)[0];
    assert_eq!(v["findings"][0]["detector"], "payment-card");
    assert_eq!(v["findings"][0]["confidence"], "low");
    let policy = f.write("policy.toml", "detectors = [\"payment-card\"]\ndetector_confidence = \"low\"\n");
    let list = f.path("list.csv");
    let o = run(&["scan", "--protected", p(&list), "--policy", p(&policy), p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("a valid payment card number (low confidence) is in body 1"),
        "{}",
        stdout(&o)
    );
    let o =
        run(&["scan", "--protected", p(&list), "--policy", p(&policy), "--detect-confidence", "high", p(&m)]);
    assert_eq!(o.status.code(), Some(0), "the flag overrides the policy: {}", stdout(&o));
    let o = f.scan(&["--detect", "payment-card", "--detect-confidence", "medium", p(&m)]);
    assert_eq!(o.status.code(), Some(2));
}

/// `--partner-domain` (and the policy's `partner_domains`): a partner may receive a protected
/// name; a domain that only ends like it may not.
#[test]
fn a_partner_domain_may_receive_protected_names() {
    let f = Fixture::new();
    let m =
        f.write("m.eml", "From: a@police.example\nTo: clerk@north.court.example\nSubject: x\n\nJane Doe\n");
    assert_eq!(f.scan(&[p(&m)]).status.code(), Some(1));
    assert_eq!(f.scan(&["--partner-domain", "court.example", p(&m)]).status.code(), Some(0));
    let policy = f.write("policy.toml", "partner_domains = [\"court.example\"]\n");
    assert_eq!(f.scan(&["--policy", p(&policy), p(&m)]).status.code(), Some(0));
    let o = f.scan(&["--partner-domain", "rt.example", p(&m)]);
    assert_eq!(o.status.code(), Some(1));
    let o = f.scan(&["--partner-domain", "not a domain", p(&m)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("partner_domains"), "{}", stderr(&o));
}

/// A sealed list keeps contacts as keyed tags: the contact domain is not in the file, and the
/// sealed list allows what the plain one allows.
#[test]
fn a_sealed_list_keeps_contacts() {
    let f = Fixture::new();
    let key = f.path("list.key");
    assert_eq!(run(&["keygen", "-o", p(&key)]).status.code(), Some(0));
    let list = f.write("contacts.csv", "id,kind,value\nV01,name,Jane Doe\nV01,contact,@cps.example\n");
    let sealed = f.path("list.sealed");
    assert_eq!(run(&["seal", "--key", p(&key), p(&list), "-o", p(&sealed)]).status.code(), Some(0));
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"cps.example"), "the contact is in clear");
    let m =
        f.write("m.eml", "From: a@police.example\nTo: lawyer@north.cps.example\nSubject: x\n\nJane Doe\n");
    let o = run(&["scan", "--protected", p(&sealed), "--key", p(&key), p(&m)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let other = f.write(
        "o.eml",
        "From: a@police.example\nTo: lawyer@cps.example.evil.example\nSubject: x\n\nJane Doe\n",
    );
    assert_eq!(run(&["scan", "--protected", p(&sealed), "--key", p(&key), p(&other)]).status.code(), Some(1));
}

/// `--explain` names the record and what allowed it where a contact or a partner domain kept
/// a protected rule from firing, and never an identifier; without the flag, JSON has no such
/// field.
#[test]
fn explain_says_what_allowed_a_record() {
    let f = Fixture::new();
    let list = f.write("contacts.csv", "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,contact,solicitor@law.example\n");
    let m = f.write(
        "m.eml",
        "From: a@police.example\nTo: jane.doe@example.org, solicitor@law.example, clerk@court.example\nSubject: x\n\nJane Doe\n",
    );
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--protected", p(&list), "--partner-domain", "court.example"];
        args.extend_from_slice(extra);
        args.push(p(&m));
        run(&args)
    };
    let o = scan(&["--format", "json", "--explain"]);
    assert_eq!(o.status.code(), Some(0));
    let line = &json_lines(&o)[0];
    assert_eq!(
        line["allowed"],
        serde_json::json!([
            {"rule": "protected-recipient-exposed", "record": "V01", "by": "contact and partner"},
            {"rule": "protected-identifier", "record": "V01", "by": "contact and partner"}
        ])
    );
    assert!(
        !stdout(&o).contains("Jane") && !stdout(&o).contains("jane.doe") && !stdout(&o).contains("solicitor")
    );
    let o = scan(&["--format", "json"]);
    assert!(json_lines(&o)[0].get("allowed").is_none(), "{}", stdout(&o));
    let o = scan(&["--explain"]);
    assert!(
        stdout(&o).contains("allowed protected-identifier for record V01: contact and partner"),
        "{}",
        stdout(&o)
    );
}

/// `fix` with a contact: the rewrite moves every outsider to Bcc (the contact too), the fixed
/// message scans allow, and `--split` gives every outside recipient, the contact included, a
/// copy of their own.
#[test]
fn fix_with_a_contact() {
    let f = Fixture::new();
    let list = f.write(
        "contacts.csv",
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,contact,solicitor@law.example\n",
    );
    let m = f.write(
        "m.eml",
        "From: a@police.example\nTo: jane.doe@example.org, solicitor@law.example\nCc: press@paper.example\nSubject: x\n\nAn update.\n",
    );
    let before = run(&["scan", "--protected", p(&list), p(&m)]);
    assert_eq!(before.status.code(), Some(1), "the press sees the victim's address");
    let out = f.path("fixed.eml");
    let o = run(&["fix", "--bcc", "--protected", p(&list), p(&m), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(run(&["scan", "--protected", p(&list), p(&out)]).status.code(), Some(0));
    let dir = f.path("split");
    let o = run(&["fix", "--split", "--protected", p(&list), p(&m), "-o", p(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
}
