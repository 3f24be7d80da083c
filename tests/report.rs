//! `maildlp report` and `maildlp scan --details`, run as a user runs them: the JSON Lines of a
//! scan and the rows of the Spark audit in, one HTML file out; bad lines named by number with
//! exit status 2.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_maildlp"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = root().join("target").join("report-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The sample messages of `tests/report/` scanned with `--details`.
fn scan_details() -> Vec<serde_json::Value> {
    let o = bin()
        .current_dir(root())
        .args(["scan", "--format", "json", "--details", "--protected", "examples/protected.csv"])
        .args(["--policy", "examples/policy.toml", "tests/report"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn scan_details_adds_date_sender_masked_subject_and_domains() {
    let lines = scan_details();
    assert_eq!(lines.len(), 6);
    let jan = &lines[0];
    assert_eq!(jan["date"], "2025-01-15T09:00:00Z");
    assert_eq!(jan["from"], "sam.reid@police.example");
    assert_eq!(jan["subject"], "Witness meeting");
    // The protected recipients' domains, outside police.example.
    assert_eq!(jan["domains"], serde_json::json!(["example.com", "example.net"]));
    let mar = &lines[3];
    let subject = mar["subject"].as_str().unwrap();
    assert!(subject.starts_with("<script>") && subject.contains("O******** N**********"), "{subject}");
    assert!(!subject.contains("Nightingale"));
    assert!(lines[5].get("date").is_none(), "no Date header, no date");
    // Without --details the line is the contract's, and --details does nothing to text output.
    let o = bin()
        .current_dir(root())
        .args([
            "scan",
            "--format",
            "json",
            "--protected",
            "examples/protected.csv",
            "tests/report/01-jan-cc.eml",
        ])
        .output()
        .unwrap();
    let line: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["findings", "source", "verdict"]);
    let text = |details: bool| {
        let mut c = bin();
        c.current_dir(root()).args([
            "scan",
            "--protected",
            "examples/protected.csv",
            "tests/report/01-jan-cc.eml",
        ]);
        if details {
            c.arg("--details");
        }
        let out = String::from_utf8(c.output().unwrap().stdout).unwrap();
        out.lines().filter(|l| !l.contains(" in ")).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(text(true), text(false));
}

#[test]
fn report_writes_one_html_file_with_the_totals() {
    let dir = tmp("totals");
    let jsonl = dir.join("findings.jsonl");
    let lines: Vec<String> = scan_details().iter().map(|v| v.to_string()).collect();
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    let html = dir.join("report.html");
    let o = bin().args(["report", p(&jsonl), "-o", p(&html)]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    for (id, n) in [("messages", 6), ("blocked", 3), ("warned", 1), ("allowed", 2)] {
        assert!(page.contains(&format!("id=\"total-{id}\" data-n=\"{n}\"")), "{id}");
    }
    let months: Vec<&str> = page.split("data-month=\"").skip(1).map(|s| &s[..7]).collect();
    assert_eq!(months, ["2025-01", "2025-02", "2025-03"]);
    assert!(page.contains("&lt;script&gt;document.title=&#39;injected&#39;&lt;/script&gt;"));
    assert_eq!(page.matches("<script").count(), 1);
    // Standard input in, standard output out: the same page, but for the input's name.
    let o =
        bin().args(["report", "-", "-o", "-"]).stdin(std::fs::File::open(&jsonl).unwrap()).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let piped = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        piped.replace("<code>-</code>", "X"),
        page.replace(&format!("<code>{}</code>", p(&jsonl)), "X")
    );
}

#[test]
fn a_spark_output_directory_is_read_part_by_part() {
    let dir = tmp("spark");
    let out = dir.join("audit.json");
    std::fs::create_dir_all(&out).unwrap();
    // As `df.write.json` writes the audit's rows: nulls left out, the location as JSON text.
    std::fs::write(
        out.join("part-00000-x.json"),
        concat!(
            r#"{"source":"/a/m.mbox#1","verdict":"block","rule":"protected-recipient-exposed","severity":"block","record":"V01","field":"cc"}"#,
            "\n",
            r#"{"source":"/a/m.mbox#1","verdict":"block","rule":"protected-identifier","severity":"block","record":"V02","location":"{\"index\": 1, \"part\": \"body\"}"}"#,
            "\n",
        ),
    )
    .unwrap();
    std::fs::write(out.join("part-00001-x.json"), "{\"source\":\"/a/m.mbox#2\",\"verdict\":\"allow\"}\n")
        .unwrap();
    std::fs::write(out.join("_SUCCESS"), "").unwrap();
    std::fs::write(out.join(".part-00000-x.json.crc"), "\x00crc").unwrap();
    let html = dir.join("report.html");
    let o = bin().args(["report", p(&out), "-o", p(&html)]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    for (id, n) in [("messages", 2), ("blocked", 1), ("allowed", 1), ("findings", 2), ("records", 2)] {
        assert!(page.contains(&format!("id=\"total-{id}\" data-n=\"{n}\"")), "{id}");
    }
    assert!(page.contains("rows of the Spark audit carry no date"));
}

/// The audit's rows carry their message's date, sender, subject and domains: the report draws
/// its months, senders and domains from them as from `scan --details`.
#[test]
fn spark_rows_with_details_give_months_senders_and_domains() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.json");
    let details = r#""date":"2024-11-12T09:14:00Z","sender":"desk@met.example","subject":"About J*** D**","domains":["paper.example"]"#;
    std::fs::write(
        &rows,
        format!(
            "{{\"source\":\"/a/1.eml\",\"verdict\":\"block\",\"rule\":\"protected-identifier\",\"severity\":\"block\",\"record\":\"V01\",{details}}}\n\
             {{\"source\":\"/a/2.eml\",\"verdict\":\"allow\",\"date\":\"2025-01-02T00:00:00Z\",\"sender\":\"desk@met.example\",\"domains\":[]}}\n"
        ),
    )
    .unwrap();
    let html = dir.path().join("report.html");
    let o = bin().args(["report", p(&rows), "-o", p(&html)]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("carry no date"));
    for want in ["2024-11", "desk@met.example", "paper.example", "About J*** D**"] {
        assert!(page.contains(want), "{want} not in the page");
    }
}

#[test]
fn a_bad_line_is_named_and_nothing_is_written() {
    let dir = tmp("bad");
    let jsonl = dir.join("findings.jsonl");
    let html = dir.join("report.html");
    for (content, why) in [
        ("{\"source\":\"a\",\"verdict\":\"allow\",\"findings\":[]}\nnot json\n", "line 2: not JSON"),
        (
            "{\"source\":\"a\",\"verdict\":\"allow\",\"findings\":[]}\n\n{\"source\":\"b\"}\n",
            "line 3: no \"verdict\"",
        ),
    ] {
        std::fs::write(&jsonl, content).unwrap();
        let o = bin().args(["report", p(&jsonl), "-o", p(&html)]).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains(&format!("{}: {why}", p(&jsonl))), "{err}");
        assert!(!html.exists());
    }
    let o = bin().args(["report", p(&dir.join("missing.jsonl")), "-o", p(&html)]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let o = bin().args(["report", p(&jsonl)]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "-o is required");
}

#[test]
fn an_empty_input_is_a_report_of_zeros() {
    let dir = tmp("empty");
    let jsonl = dir.join("findings.jsonl");
    std::fs::write(&jsonl, "").unwrap();
    let html = dir.join("report.html");
    let o = bin().args(["report", p(&jsonl), "-o", p(&html)]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"total-messages\" data-n=\"0\""));
    assert!(page.contains("No message was blocked or warned."));
}

#[test]
fn a_large_input_keeps_the_first_rows_and_says_how_many_were_left_out() {
    let dir = tmp("large");
    let jsonl = dir.join("findings.jsonl");
    let mut text = String::new();
    for i in 0..5000 {
        let (verdict, month) = if i % 2 == 0 { ("block", 1 + i % 12) } else { ("allow", 1) };
        let findings = if verdict == "block" {
            format!(
                r#"[{{"rule":"protected-identifier","severity":"block","record":"V{:02}","kind":"name","location":{{"part":"body","index":1}},"excerpt":"J*** D**","message":"m"}}]"#,
                (i / 2) % 40
            )
        } else {
            "[]".to_string()
        };
        text.push_str(&format!(
            r#"{{"source":"m{i}.eml","verdict":"{verdict}","findings":{findings},"date":"2024-{month:02}-01T00:00:00Z","from":"s{}@met.example"}}"#,
            i % 7
        ));
        text.push('\n');
    }
    std::fs::write(&jsonl, text).unwrap();
    let html = dir.join("report.html");
    let o = bin().args(["report", p(&jsonl), "-o", p(&html), "--max-rows", "100"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"total-messages\" data-n=\"5000\""));
    assert!(page.contains("id=\"total-blocked\" data-n=\"2500\""));
    assert!(page.contains("id=\"total-records\" data-n=\"40\""));
    assert_eq!(page.matches("<tr data-i=").count(), 100);
    assert!(page.contains("lists the first 100 messages with findings; 2,400 more"));
    assert!(page.len() < 200_000, "{} bytes", page.len());
}

/// The `data-n` of every total and the rules table of a page.
fn totals_and_rules(page: &str) -> (Vec<(String, u64)>, String) {
    let totals = page
        .split("<strong id=\"total-")
        .skip(1)
        .map(|s| {
            let name = s.split('"').next().unwrap().to_string();
            let n = s.split("data-n=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().parse().unwrap();
            (name, n)
        })
        .collect();
    let at = page.find("<table id=\"rules-table\"").expect("a rules table");
    let rules = page[at..at + page[at..].find("</table>").unwrap()].to_string();
    (totals, rules)
}

#[test]
fn the_spark_audits_rows_report_what_the_scans_lines_do() {
    // tests/report-spark/ is what `df.write.json` wrote for `maildlp.spark.audit` on these
    // messages (tests/tools/report_spark_fixture.py, pyspark 4.3.0 on local[2]).
    let dir = tmp("spark-vs-scan");
    let o = bin()
        .current_dir(root())
        .args(["scan", "--format", "json", "--protected", "examples/protected.csv"])
        .args(["--policy", "examples/policy.toml", "examples/messages", "tests/report"])
        .output()
        .unwrap();
    let jsonl = dir.join("scan.jsonl");
    std::fs::write(&jsonl, &o.stdout).unwrap();
    let page = |input: &Path, name: &str| {
        let html = dir.join(name);
        let o = bin().args(["report", p(input), "-o", p(&html)]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read_to_string(html).unwrap()
    };
    let scan = totals_and_rules(&page(&jsonl, "scan.html"));
    let spark = totals_and_rules(&page(&root().join("tests/report-spark"), "spark.html"));
    assert_eq!(spark, scan);
    assert_eq!(scan.0.len(), 6);
    assert_eq!(scan.0[0], ("messages".to_string(), 9));
}
