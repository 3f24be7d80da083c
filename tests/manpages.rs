//! `maildlp manpages -o DIR`: the manual pages the Debian package ships, generated from the
//! command's own definitions (so a new option is documented without editing a page by hand).
#![cfg(feature = "cli")]

use std::process::Command;

fn maildlp(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_maildlp")).args(args).output().expect("run maildlp")
}

#[test]
fn a_page_for_the_command_and_each_subcommand_with_their_options() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("man1");
    let o = maildlp(&["manpages", "-o", out.to_str().expect("UTF-8 path")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the directory is made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "maildlp-fix.1",
            "maildlp-keygen.1",
            "maildlp-report.1",
            "maildlp-scan.1",
            "maildlp-seal.1",
            "maildlp.1"
        ]
    );

    let page = |name: &str| std::fs::read_to_string(out.join(name)).expect("a page");
    let main = page("maildlp.1");
    assert!(main.contains(".TH maildlp 1"), "{main}");
    assert!(main.contains(env!("CARGO_PKG_VERSION")), "the version is on the page");
    for sub in ["scan", "fix", "keygen", "seal", "report"] {
        assert!(main.contains(&format!("maildlp\\-{sub}(1)")), "maildlp.1 points to maildlp-{sub}(1)");
    }
    assert!(!main.contains("manpages"), "the packagers' subcommand stays out of the pages");
    let scan = page("maildlp-scan.1");
    for option in ["\\-\\-protected", "\\-\\-policy", "\\-\\-key", "\\-\\-rcpt", "\\-\\-format"] {
        assert!(scan.contains(option), "maildlp-scan.1 documents {option}");
    }
    assert!(page("maildlp-seal.1").contains("\\-\\-key"));
    let report = page("maildlp-report.1");
    for option in ["\\-\\-output", "\\-\\-max\\-rows", "FINDINGS.jsonl"] {
        assert!(report.contains(option), "maildlp-report.1 documents {option}");
    }
}

#[test]
fn the_subcommand_is_hidden_from_help() {
    let o = maildlp(&["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("scan") && !help.contains("manpages"), "{help}");
}

#[test]
fn an_unwritable_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").expect("write");
    let o = maildlp(&["manpages", "-o", file.join("man1").to_str().expect("UTF-8 path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the manual pages"));
}
