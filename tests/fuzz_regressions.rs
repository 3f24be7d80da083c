//! Inputs kept from fuzzing (`fuzz/regressions/TARGET/*`), replayed with the checks of the
//! fuzz target that produced them: any crash cargo-fuzz finds is added there and stays tested.
//! The folders also hold inputs the fuzzer found to reach new code, so the replay covers the
//! parser's odd corners on every `cargo test`.

use std::path::Path;

use maildlp::{Policy, ProtectedList, Scanner};

/// The fuzz targets' own scanner, messages and promise (`fuzz/fuzz_targets/shared`).
#[cfg(feature = "documents")]
#[path = "../fuzz/fuzz_targets/shared/mod.rs"]
mod shared;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no inputs in {}", dir.display());
    v
}

#[test]
#[cfg(feature = "serde")]
fn scan_inputs() {
    let list = ProtectedList::from_csv(
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\n\
         V02,name,Zoë Martin\nV03,name,山田太郎\nOP7,term,Operation Nightingale\n",
    )
    .unwrap();
    let limits = maildlp::Limits {
        max_message_bytes: 1 << 20,
        max_depth: 8,
        max_parts: 200,
        ..maildlp::Limits::default()
    };
    let s = Scanner::new(
        list,
        Policy::builder().internal_domain("police.example").limits(limits).build().unwrap(),
    );
    for (name, bytes) in inputs("scan") {
        let json = s.scan(&bytes).to_json();
        assert!(json.starts_with("{\"verdict\":"), "{name}");
        assert!(
            !json.contains("Jane Doe") && !json.contains("jane.doe@example.org"),
            "{name}: value in clear"
        );
    }
}

#[test]
fn list_inputs() {
    for (name, bytes) in inputs("list") {
        match ProtectedList::from_csv_bytes(&bytes) {
            Ok(list) => {
                let s = Scanner::new(list, Policy::default());
                let _ = s.scan(b"To: c@d.example\r\nSubject: x\r\n\r\nJane Doe +44 20 7946 0018\r\n");
            }
            Err(e) => assert!(e.line().is_some(), "{name}"),
        }
    }
}

#[test]
fn policy_inputs() {
    for (name, bytes) in inputs("policy") {
        if let Ok(Ok(p)) = std::str::from_utf8(&bytes).map(Policy::from_toml) {
            let l = p.limits();
            assert!(l.max_depth >= 1 && l.max_depth <= maildlp::MAX_DEPTH_CEILING, "{name}");
        }
    }
}

/// The `documents` target: the input as an attachment, and as the only member of a ZIP.
#[cfg(feature = "documents")]
#[test]
fn documents_inputs() {
    use std::io::Write;

    let message = |body: &[u8]| shared::message("f", "application/octet-stream", body);
    for (name, bytes) in inputs("documents") {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("member", options).unwrap();
        zip.write_all(&bytes).unwrap();
        for input in [message(&bytes), message(&zip.finish().unwrap().into_inner())] {
            let json = shared::scanner().scan(&input).to_json();
            assert_eq!(shared::broken_promise(&json), None, "{name}");
        }
    }
}

/// The `embedded` target: the input as an OLE package's stream in a DOCX and as an RTF
/// object's data.
#[cfg(feature = "documents")]
#[test]
fn embedded_inputs() {
    for (name, bytes) in inputs("embedded") {
        for (file, body) in ["f.docx", "f.rtf"].into_iter().zip(shared::embedding(&bytes)) {
            let json =
                shared::scanner().scan(&shared::message(file, "application/octet-stream", &body)).to_json();
            assert_eq!(shared::broken_promise(&json), None, "{name} as {file}");
        }
    }
}

/// The `cms` target's inputs: each as the binary body of an S/MIME message and as a `.p7m`
/// attachment in base64; a scan reports, and names no listed value in clear.
#[test]
#[cfg(feature = "serde")]
fn cms_inputs() {
    use base64::Engine;
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\n")
        .unwrap();
    let limits = maildlp::Limits { max_depth: 8, max_parts: 200, ..maildlp::Limits::default() };
    let s = Scanner::new(
        list,
        Policy::builder().internal_domain("police.example").limits(limits).build().unwrap(),
    );
    for (name, cms) in inputs("cms") {
        let head = b"From: a@police.example\r\nTo: x@y.example\r\nMIME-Version: 1.0\r\n\
            Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n";
        let b64 = base64::engine::general_purpose::STANDARD.encode(&cms);
        let attached = format!(
            "From: a@police.example\r\nTo: x@y.example\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
             --b\r\nContent-Type: application/octet-stream; name=signed.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             {b64}\r\n--b--\r\n"
        );
        for m in [[&head[..], &cms].concat(), attached.into_bytes()] {
            let json = s.scan(&m).to_json();
            assert!(json.starts_with("{\"verdict\":"), "{name}");
            assert!(
                !json.contains("Jane Doe") && !json.contains("jane.doe@example.org"),
                "{name}: value in clear"
            );
        }
    }
}

/// The `tnef` target: the input after a TNEF signature, as a `winmail.dat` attachment.
#[cfg(feature = "documents")]
#[test]
fn tnef_inputs() {
    for (name, bytes) in inputs("tnef") {
        let mut tnef = vec![0x78, 0x9f, 0x3e, 0x22];
        tnef.extend_from_slice(&bytes);
        let json =
            shared::scanner().scan(&shared::message("winmail.dat", "application/ms-tnef", &tnef)).to_json();
        assert_eq!(shared::broken_promise(&json), None, "{name}");
    }
}

/// The `pst` target: the input read as an Outlook data file, each message found scanned.
#[cfg(all(feature = "documents", feature = "sources"))]
#[test]
fn pst_inputs() {
    for (name, bytes) in inputs("pst") {
        let mut items = 0;
        maildlp::sources::messages_of_file("fuzz.pst", bytes, &mut |item| {
            items += 1;
            if let maildlp::sources::Item::Message { bytes, .. } = item {
                let json = shared::scanner().scan(&bytes).to_json();
                assert_eq!(shared::broken_promise(&json), None, "{name}");
            }
        });
        assert!(items >= 1, "{name}");
    }
}

/// The `archives` target: the first byte names the archive, the rest is its content.
#[cfg(feature = "documents")]
#[test]
fn archives_inputs() {
    for (name, bytes) in inputs("archives") {
        let json = shared::scanner().scan(&shared::archive_message(&bytes)).to_json();
        assert_eq!(shared::broken_promise(&json), None, "{name}");
    }
}

/// The `legacy` target: a Word, PowerPoint or Excel file whose two streams are the input's
/// bytes, as an attachment.
#[cfg(feature = "documents")]
#[test]
fn legacy_inputs() {
    for (name, bytes) in inputs("legacy") {
        let Some((file, compound)) = shared::legacy_file(&bytes) else {
            continue;
        };
        let json =
            shared::scanner().scan(&shared::message(file, "application/octet-stream", &compound)).to_json();
        assert_eq!(shared::broken_promise(&json), None, "{name}");
    }
}

/// The `images` target: the input as an image attachment read by OCR, and inside a ZIP.
#[cfg(feature = "ocr")]
#[test]
fn images_inputs() {
    use std::io::Write;

    for (name, bytes) in inputs("images") {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("scan.png", options).unwrap();
        zip.write_all(&bytes).unwrap();
        let archive = zip.finish().unwrap().into_inner();
        for input in [
            shared::message("f.png", "image/png", &bytes),
            shared::message("f.zip", "application/zip", &archive),
        ] {
            let json = shared::ocr_scanner().scan(&input).to_json();
            assert_eq!(shared::broken_promise(&json), None, "{name}");
        }
    }
}

/// The fuzz crate's manifest parses and names every target in `fuzz/fuzz_targets` once (the
/// fuzz crate is built by cargo-fuzz on nightly, outside `cargo test`, so a broken manifest
/// would otherwise go unseen until someone fuzzes).
#[test]
fn fuzz_manifest_names_every_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&manifest).unwrap_or_else(|e| panic!("fuzz/Cargo.toml: {e}"));
    let mut named: Vec<String> = manifest["bin"]
        .as_array()
        .expect("[[bin]] entries")
        .iter()
        .map(|bin| {
            let (name, path) = (bin["name"].as_str().unwrap(), bin["path"].as_str().unwrap());
            assert_eq!(path, format!("fuzz_targets/{name}.rs"), "target {name}");
            name.to_string()
        })
        .collect();
    named.sort();
    let mut files: Vec<String> = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".rs").map(String::from))
        .collect();
    files.sort();
    assert_eq!(named, files);
}
