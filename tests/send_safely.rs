//! The `send_safely` example, run as an application runs it, against a local SMTP sink
//! (`tests/tools/smtp_sink.py`, on Python's aiosmtpd, on 127.0.0.1): the incident message is
//! fixed and reaches all 18 victims and the officer, with no victim's address visible and its
//! body as written; a message naming another victim is refused and nothing is sent.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example binary cargo built beside this test (`target/<profile>/examples/`): `cargo
/// test` builds the examples before it runs the tests.
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples").join(format!("send_safely{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --all-features` (it builds the examples)",
        path.display()
    );
    path
}

fn aiosmtpd_available() -> bool {
    Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success())
}

struct Sink {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(root().join("tests/tools/smtp_sink.py"))
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the sink prints its port");
        Sink { child, port, dir }
    }

    /// The messages received, waiting up to five seconds for `n` of them.
    fn received(&self, n: usize) -> Vec<serde_json::Value> {
        let started = Instant::now();
        loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            if files.len() >= n || started.elapsed() > Duration::from_secs(5) {
                files.sort();
                return files
                    .iter()
                    .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
                    .collect();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn send(sink: &Sink, message: &str) -> std::process::Output {
    Command::new(example())
        .arg("--smtp")
        .arg(format!("127.0.0.1:{}", sink.port))
        .arg("--protected")
        .arg(root().join("examples/protected.csv"))
        .arg("--policy")
        .arg(root().join("examples/policy.toml"))
        .arg(root().join("examples/messages").join(message))
        .output()
        .unwrap()
}

#[test]
fn the_incident_is_fixed_and_sent_to_everyone() {
    if !aiosmtpd_available() {
        // CI installs aiosmtpd (.ci/run); elsewhere say plainly that this was not run.
        assert!(std::env::var_os("CI").is_none(), "aiosmtpd is missing in CI");
        eprintln!("NOT RUN: python3 with aiosmtpd is needed (pip install aiosmtpd)");
        return;
    }
    let sink = Sink::start();
    let o = send(&sink, "incident-cc.eml");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let got = sink.received(1);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m["mail_from"], "sam.reid@police.example");
    let rcpts: Vec<&str> = m["rcpt_tos"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(rcpts.len(), 19, "{rcpts:?}");
    assert!(rcpts.contains(&"jane.doe@example.net") && rcpts.contains(&"sam.reid@police.example"));
    let data = m["data"].as_str().unwrap().replace("\r\n", "\n");
    let original = std::fs::read_to_string(root().join("examples/messages/incident-cc.eml"))
        .unwrap()
        .replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap();
    // As written, but for the line end SMTP framing adds after the last line.
    let sent = original.split_once("\n\n").unwrap().1;
    assert_eq!(body.trim_end_matches('\n'), sent.trim_end_matches('\n'), "the body arrives as written");
    for victim in rcpts.iter().filter(|r| !r.ends_with("@police.example")) {
        assert!(!head.contains(victim), "{victim} is visible:\n{head}");
    }
    assert!(!head.contains("\nBcc:") && !head.contains("\nCc:"), "{head}");
    assert!(head.contains("\nTo: DC Sam Reid <sam.reid@police.example>\n"), "{head}");
}

#[test]
fn a_message_naming_another_victim_is_refused() {
    if !aiosmtpd_available() {
        assert!(std::env::var_os("CI").is_none(), "aiosmtpd is missing in CI");
        eprintln!("NOT RUN: python3 with aiosmtpd is needed (pip install aiosmtpd)");
        return;
    }
    let sink = Sink::start();
    let o = send(&sink, "names-another-victim.eml");
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("protected-identifier"));
    std::thread::sleep(Duration::from_millis(200));
    assert!(sink.received(0).is_empty(), "nothing is sent");
}
