//! The HTML report in a real browser: the sample messages (`examples/messages/`, and
//! `tests/report/`: one a month from January to March 2025, a subject holding `<script>`, a
//! message with no Date header) are scanned to JSON Lines, `maildlp report` turns them into a
//! page, and headless Chromium loads it: the DOM after its script has run shows the totals the
//! JSON gives, the table sorts by a column (the page clicks the header named by the URL's
//! `#sort=` fragment, as a user would), the subject's `<script>` is text, and the page as
//! written (what a browser without script shows) has the table in input order. A screenshot is kept as `target/report-screenshot.png`.
//!
//! Chromium is Debian's `chromium` (or the program `MAILDLP_CHROMIUM` names). Without it the
//! test says it skipped and passes, except under `CI=true`, where it fails: CI installs it.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Chromium, or `None` (skip) when it is not installed; under `CI=true` its absence fails.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("MAILDLP_CHROMIUM").map(PathBuf::from);
    let found = named.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and Chromium is not installed (Debian package chromium)")
        }
        None => {
            eprintln!("skipped: Chromium is not installed (Debian package chromium)");
            None
        }
    }
}

/// Runs Chromium headless with `args` (a profile of its own in `work`), at most 120 s; its
/// standard output.
fn headless(chromium: &Path, work: &Path, args: &[&str]) -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile = work.join(format!("profile-{n}"));
    let out_path = work.join(format!("stdout-{n}.html"));
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium {args:?}: {status}");
    std::fs::read_to_string(&out_path).unwrap()
}

/// The number in `<strong id="total-NAME" data-n="N">TEXT</strong>`: (data-n, text).
fn total(dom: &str, name: &str) -> (u64, String) {
    let at = dom.find(&format!("id=\"total-{name}\"")).unwrap_or_else(|| panic!("no total-{name}"));
    let rest = &dom[at..];
    let n = rest.split("data-n=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().parse().unwrap();
    let text = rest.split('>').nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
    (n, text)
}

/// The message table's rows in DOM order: (source, date, findings).
fn rows(dom: &str) -> Vec<(String, String, u64)> {
    let table = &dom[dom.find("<table id=\"messages\"").expect("the message table")..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("<tr data-i=\"")
        .skip(1)
        .map(|r| {
            let cell =
                |from: &str| r[r.find(from).unwrap() + from.len()..].split('"').next().unwrap().to_string();
            let source = r.split("<td>").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
            (source, cell("<td data-v=\""), cell("<td class=\"n\" data-v=\"").parse().unwrap())
        })
        .collect()
}

/// The `aria-sort` of the header `data-key=KEY`, if any.
fn aria_sort(dom: &str, key: &str) -> Option<String> {
    let at = dom.find(&format!("data-key=\"{key}\""))?;
    let th = &dom[dom[..at].rfind("<th").unwrap()..];
    let th = &th[..th.find('>').unwrap()];
    th.split("aria-sort=\"").nth(1).and_then(|s| s.split('"').next()).map(str::to_string)
}

#[test]
fn the_report_renders_in_chromium_with_the_totals_and_sorts() {
    let Some(chromium) = chromium() else { return };
    let work = root().join("target").join("report-chromium");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    let scan = Command::new(env!("CARGO_BIN_EXE_maildlp"))
        .current_dir(root())
        .args(["scan", "--format", "json", "--details", "--protected", "examples/protected.csv"])
        .args(["--policy", "examples/policy.toml", "examples/messages", "tests/report"])
        .output()
        .unwrap();
    assert_eq!(scan.status.code(), Some(1), "{}", String::from_utf8_lossy(&scan.stderr));
    let jsonl = work.join("findings.jsonl");
    std::fs::write(&jsonl, &scan.stdout).unwrap();
    // What the page must show, counted from the JSON here.
    let lines: Vec<serde_json::Value> =
        String::from_utf8(scan.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let count = |v: &str| lines.iter().filter(|l| l["verdict"] == v).count() as u64;
    let findings: u64 = lines.iter().map(|l| l["findings"].as_array().unwrap().len() as u64).sum();
    let expected = [
        ("messages", lines.len() as u64),
        ("blocked", count("block")),
        ("warned", count("warn")),
        ("allowed", count("allow")),
        ("findings", findings),
    ];
    assert_eq!(expected.map(|e| e.1)[..4], [9, 5, 1, 3], "the samples' verdicts changed");

    let html = work.join("report.html");
    let report = Command::new(env!("CARGO_BIN_EXE_maildlp"))
        .args(["report", jsonl.to_str().unwrap(), "-o", html.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", String::from_utf8_lossy(&report.stderr));
    let url = format!("file://{}", html.display());

    // Sorted by findings, most first: the header clicked twice by the page's script.
    let dom = headless(&chromium, &work, &["--dump-dom", &format!("{url}#sort=-findings")]);
    for (name, n) in expected {
        assert_eq!(total(&dom, name), (n, n.to_string()), "total {name}");
    }
    let sorted = rows(&dom);
    assert_eq!(sorted.len() as u64, count("block") + count("warn"));
    let counts: Vec<u64> = sorted.iter().map(|r| r.2).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "not sorted by findings: {counts:?}");
    assert_eq!(aria_sort(&dom, "findings").as_deref(), Some("descending"));
    // The subject's script is text: the title is the report's, the tag shows escaped.
    assert!(dom.contains("<title>maildlp audit report</title>"), "the subject's script ran");
    assert!(dom.contains("&lt;script&gt;document.title='injected'&lt;/script&gt;"));

    // Without script (the page as written; Chromium's --dump-dom needs script to dump): the
    // same table, in input order, unsorted.
    let plain = std::fs::read_to_string(&html).unwrap();
    let input_order = rows(&plain);
    assert_eq!(aria_sort(&plain, "findings"), None);
    let sources: Vec<String> = lines
        .iter()
        .filter(|l| l["verdict"] != "allow")
        .map(|l| l["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(input_order.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), sources);
    assert_ne!(input_order, sorted, "the input order was already sorted: the test would prove nothing");
    let mut by_findings = input_order.clone();
    by_findings.sort_by_key(|r| std::cmp::Reverse(r.2));
    assert_eq!(sorted, by_findings, "a stable sort of the input order");

    // Sorted by date, earliest first: one click; the undated message comes first.
    let dom = headless(&chromium, &work, &["--dump-dom", &format!("{url}#sort=date")]);
    let dates: Vec<String> = rows(&dom).into_iter().map(|r| r.1).collect();
    let mut expected_dates = dates.clone();
    expected_dates.sort();
    assert_eq!(dates, expected_dates);
    assert_eq!(dates[0], "", "the message with no date first");
    assert_eq!(aria_sort(&dom, "date").as_deref(), Some("ascending"));

    // The screenshot CI keeps.
    let shot = root().join("target").join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &chromium,
        &work,
        &[&format!("--screenshot={}", shot.display()), "--window-size=1280,2000", &url],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000, "{} bytes", png.len());
}
