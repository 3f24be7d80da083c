//! Images read by OCR (CONTRACT.md, "Images (OCR)"): screenshots attached, pasted inline,
//! inside archives and Office documents; one-letter OCR mistakes in long name words; the
//! message's pixel allowance. The fixtures (`tests/ocr/`) are made by `tests/ocr/generate.py`.
//!
//! These tests need Tesseract (Debian `libtesseract5 tesseract-ocr-eng`, and `tesseract-ocr-deu`
//! for the test of `ocr_languages`). Without it they say so and pass, except under `CI=true`,
//! where a missing library or language fails them: CI installs them.

#![cfg(feature = "ocr")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use maildlp::{Detail, Policy, ProtectedList, Report, Rule, Scanner, Verdict};

#[path = "common/compound.rs"]
mod compound;
use compound::{attach_method, compound, prop_list, utf16, Tnef};
#[path = "common/mail.rs"]
mod mail;
use mail::{attached, limits, zip};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocr")
}

/// Whether Tesseract and its English data are here; under `CI=true` their absence fails.
fn ocr_ready() -> bool {
    match maildlp::ocr::status(&["eng".to_string()]) {
        Ok(_) => true,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and OCR is unavailable: {why}")
        }
        Err(why) => {
            eprintln!("skipped: OCR is unavailable here ({why})");
            false
        }
    }
}

fn scanner_with(policy: &str) -> Scanner {
    let list = std::fs::read_to_string(dir().join("protected.csv")).unwrap();
    Scanner::new(ProtectedList::from_csv(&list).unwrap(), Policy::from_toml(policy).unwrap())
}

fn scanner() -> Scanner {
    scanner_with("ocr = true")
}

/// The records named by protected-identifier findings, and whether each was read by OCR.
fn named(report: &Report) -> BTreeSet<(String, bool, Option<String>)> {
    report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, location, .. } => {
                Some((record.clone(), location.ocr, location.path.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Record ids of the names in the manifest's `names` column.
fn ids_of(names: &str) -> Vec<String> {
    let csv = std::fs::read_to_string(dir().join("protected.csv")).unwrap();
    names
        .split('|')
        .map(|n| {
            csv.lines()
                .find_map(|l| l.strip_suffix(&format!(",name,{n}")).map(str::to_string))
                .unwrap_or_else(|| panic!("{n} is not in protected.csv"))
        })
        .collect()
}

/// The names of records `ids` (from `protected.csv`).
fn names_of(ids: &[String]) -> Vec<&'static str> {
    static CSV: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let csv = CSV.get_or_init(|| std::fs::read_to_string(dir().join("protected.csv")).unwrap());
    ids.iter()
        .map(|id| csv.lines().find_map(|l| l.strip_prefix(&format!("{id},name,"))).expect("a listed id"))
        .collect()
}

#[test]
fn screenshots_name_their_people_with_recall_of_at_least_95_percent() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let manifest = std::fs::read_to_string(dir().join("screenshots/manifest.csv")).unwrap();
    let rows: Vec<Vec<String>> =
        manifest.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 100);
    let (mut listed, mut found, mut extra) = (0, 0, 0);
    let mut missed = Vec::new();
    let results: Vec<(String, Vec<String>, BTreeSet<String>)> = std::thread::scope(|s| {
        let chunks: Vec<_> = rows.chunks(50).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let scanner = &scanner;
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|row| {
                            let png = std::fs::read(dir().join("screenshots").join(&row[0])).unwrap();
                            let report = scanner.scan(&attached(&row[0], "image/png", &png));
                            let ids = ids_of(&row[4]);
                            let got = named(&report)
                                .into_iter()
                                .inspect(|(_, ocr, path)| {
                                    assert!(ocr, "{}: a finding not marked OCR", row[0]);
                                    assert_eq!(path.as_deref(), Some("image"));
                                })
                                .map(|(r, _, _)| r)
                                .collect();
                            (row[0].clone(), ids, got)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for (file, ids, got) in results {
        for id in &ids {
            listed += 1;
            if got.contains(id) {
                found += 1;
            } else {
                missed.push(format!("{file}:{id}"));
            }
        }
        // Nobody is named whose words are not in the screenshot (a table read column by column
        // puts one row's family name before the next row's given name: `Jones` then `Gareth` is
        // `Gareth Jones`, in either order, as in any text).
        let shown: BTreeSet<&str> = names_of(&ids).into_iter().flat_map(|n| n.split(' ')).collect();
        for g in got.iter().filter(|g| !ids.contains(g)) {
            let name = names_of(std::slice::from_ref(g)).remove(0);
            assert!(name.split(' ').all(|w| shown.contains(w)), "{file}: {g} ({name}) found but not shown");
            extra += 1;
        }
    }
    let recall = found as f64 / listed as f64;
    eprintln!(
        "recall of listed names in 100 screenshots: {found}/{listed} = {:.1} % ({extra} names made of words of two shown)",
        recall * 100.0
    );
    assert!(recall >= 0.95, "recall {found}/{listed}; missed {missed:?}");
}

#[test]
fn photos_and_drawings_without_text_give_no_finding() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let mut files: Vec<_> =
        std::fs::read_dir(dir().join("notext")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 50);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ct = if name.ends_with(".jpg") { "image/jpeg" } else { "image/png" };
        let report = scanner.scan(&attached(&name, ct, &std::fs::read(&path).unwrap()));
        assert!(report.findings().is_empty(), "{name}: {:?}", report.findings());
        assert_eq!(report.verdict(), Verdict::Allow);
    }
}

#[test]
fn a_name_misread_by_one_letter_a_word_is_found_in_ocr_text_only() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let png = std::fs::read(dir().join("misread.png")).unwrap();
    let report = scanner.scan(&attached("letter.png", "image/png", &png));
    assert_eq!(named(&report), BTreeSet::from([("P002".to_string(), true, Some("image".to_string()))]));
    let json = report.to_json();
    assert!(json.contains("\"ocr\":true"), "{json}");
    // The same words typed in the body are no match: the tolerance is for OCR text only.
    let typed = b"From: a@police.example\r\nTo: b@example.net\r\n\r\nLetter for Beatrlce Featherstcne about the visit.\r\n";
    assert!(scanner.scan(typed).findings().is_empty());
    // With OCR off, the image is passed over as before.
    let off = scanner_with("ocr = false").scan(&attached("letter.png", "image/png", &png));
    assert!(off.findings().is_empty());
}

/// A message whose body is HTML with the screenshot `png` pasted inline (`cid:`).
fn inline(png: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(png);
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!(
        "From: officer@police.example\r\nTo: someone@example.net\r\nSubject: see below\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/related; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n\
         <p>The list:</p><img src=\"cid:shot\">\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <shot>\r\n\
         Content-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--r--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// A DOCX whose only text is a caption, and whose picture `word/media/image2.png` is `png`.
fn docx(png: &[u8]) -> Vec<u8> {
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let doc = br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Figure 1</w:t></w:r></w:p></w:body></w:document>"#;
    zip(&[("[Content_Types].xml", types), ("word/document.xml", doc), ("word/media/image2.png", png)])
}

#[test]
fn images_are_read_inline_in_archives_and_in_office_documents() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let png = std::fs::read(dir().join("screenshots/001.png")).unwrap();
    let want = |path: &str| {
        ["P001", "P002", "P003"].map(|r| (r.to_string(), true, Some(path.to_string()))).into_iter().collect()
    };
    assert_eq!(named(&scanner.scan(&inline(&png))), want("image"));
    let archive = zip(&[("scans/list.png", &png)]);
    assert_eq!(
        named(&scanner.scan(&attached("scans.zip", "application/zip", &archive))),
        want("scans/list.png")
    );
    let doc = docx(&png);
    let report = scanner.scan(&attached("report.docx", "application/octet-stream", &doc));
    assert_eq!(named(&report), want("word/media/image2.png"));
    let nested = zip(&[("report.docx", &doc)]);
    let report = scanner.scan(&attached("docs.zip", "application/zip", &nested));
    assert_eq!(named(&report), want("report.docx > word/media/image2.png"));
}

#[test]
fn pixels_past_the_message_allowance_are_not_read() {
    if !ocr_ready() {
        return;
    }
    let png = std::fs::read(dir().join("screenshots/001.png")).unwrap();
    // 001.png is 565 x 128 pixels: two of them do not fit in 100,000.
    let archive = zip(&[("a.png", &png), ("b.png", &png)]);
    let message = attached("two.zip", "application/zip", &archive);
    let report = scanner_with("ocr = true\nmax_ocr_pixels = 100000").scan(&message);
    assert_eq!(limits(&report), ["max_ocr_pixels"]);
    let paths: BTreeSet<_> = named(&report).into_iter().map(|(_, _, p)| p.unwrap()).collect();
    assert_eq!(paths, BTreeSet::from(["a.png".to_string()]), "the first image is read, the second not");
    let report = scanner().scan(&message);
    assert!(limits(&report).is_empty());
    assert!(report.findings().iter().all(|f| f.rule == Rule::ProtectedIdentifier));
}

#[test]
fn without_the_library_the_cli_says_so_once_and_images_are_scan_incomplete() {
    // Runs everywhere: the library named is not there.
    let dir = tempfile::tempdir().unwrap();
    let png = std::fs::read(self::dir().join("screenshots/001.png")).unwrap();
    std::fs::create_dir(dir.path().join("msgs")).unwrap();
    for name in ["a.eml", "b.eml"] {
        std::fs::write(dir.path().join("msgs").join(name), attached("list.png", "image/png", &png)).unwrap();
    }
    std::fs::write(
        dir.path().join("c.eml"),
        b"From: a@police.example\r\nTo: b@example.net\r\n\r\nNo image here.\r\n",
    )
    .unwrap();
    std::fs::rename(dir.path().join("c.eml"), dir.path().join("msgs/c.eml")).unwrap();
    std::fs::write(dir.path().join("policy.toml"), "ocr = true\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildlp"))
        .env("MAILDLP_TESSERACT", "/nonexistent/libtesseract.so.5")
        .args(["scan", "--format", "json", "--protected"])
        .arg(self::dir().join("protected.csv"))
        .arg("--policy")
        .arg(dir.path().join("policy.toml"))
        .arg(dir.path().join("msgs"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("OCR is unavailable").count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/libtesseract.so.5"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let limits: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "scan-incomplete")
            .map(|f| f["limit"].as_str().unwrap())
            .collect();
        let has_image = !v["source"].as_str().unwrap().ends_with("c.eml");
        assert_eq!(limits, if has_image { vec!["ocr-unavailable"] } else { vec![] }, "{line}");
    }
}

#[test]
fn bombs_huge_dimensions_and_a_thousand_page_tiff_stop_at_a_limit() {
    // Runs with or without Tesseract: none of these reaches it.
    let scanner = scanner();
    // 16,000 x 16,000 grey pixels in 250 KB: past the 50,000,000-pixel allowance, never decoded.
    let bomb = std::fs::read(dir().join("bomb.png")).unwrap();
    let (report, peak) = mail::measured(&scanner, &attached("bomb.png", "image/png", &bomb));
    assert_eq!(limits(&report), ["max_ocr_pixels"]);
    assert!(peak < 16 << 20, "peak heap {peak} bytes");
    // A header that claims 65,535 x 65,535 pixels and holds none.
    let huge = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/images/huge-dimensions.png"),
    )
    .unwrap();
    assert_eq!(limits(&scanner.scan(&attached("huge.png", "image/png", &huge))), ["max_ocr_pixels"]);
    // With an allowance that fits it, the header's promise is not kept: unreadable, no panic.
    let big = scanner_with("ocr = true\nmax_ocr_pixels = 5000000000");
    assert_eq!(limits(&big.scan(&attached("huge.png", "image/png", &huge))), ["unreadable"]);
    // A thousand pages of 64 x 64: every page is decoded (a flat grey: no text) within the
    // allowance (4,096,000 pixels), in bounded time; with an allowance of 100,000 pixels the
    // 25th page does not fit and the rest are not read.
    let tiff = std::fs::read(dir().join("pages.tif")).unwrap();
    let started = std::time::Instant::now();
    let report = scanner.scan(&attached("pages.tif", "image/tiff", &tiff));
    assert!(report.findings().is_empty(), "{:?}", report.findings());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let started = std::time::Instant::now();
    let small = scanner_with("ocr = true\nmax_ocr_pixels = 100000");
    assert_eq!(limits(&small.scan(&attached("pages.tif", "image/tiff", &tiff))), ["max_ocr_pixels"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // Damaged: a PNG cut in half is unreadable, said once.
    let png = std::fs::read(dir().join("screenshots/001.png")).unwrap();
    let cut = &png[..png.len() / 2];
    assert_eq!(limits(&scanner.scan(&attached("cut.png", "image/png", cut))), ["unreadable"]);
}

#[test]
fn scanned_pdf_pages_are_read_jpeg_raw_pixels_fax_and_jbig2() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let want: BTreeSet<_> =
        ["P001", "P002", "P003"].map(|r| (r.to_string(), true, Some("page 1 image".to_string()))).into();
    // Pillow's PDF writer: JPEG, and 1-bit as CCITT Group 4 with /BlackIs1 true (in a
    // /DecodeParms array); raw grey pixels deflated.
    for name in ["scan-dct.pdf", "scan-flate.pdf", "scan-ccitt.pdf"] {
        let pdf = std::fs::read(dir().join(name)).unwrap();
        let report = scanner.scan(&attached(name, "application/pdf", &pdf));
        assert_eq!(named(&report), want, "{name}");
        assert!(limits(&report).is_empty(), "{name}");
        // Without OCR the page has no text at all.
        assert!(scanner_with("").scan(&attached(name, "application/pdf", &pdf)).findings().is_empty());
    }
    // tiff2pdf's three Group 4 pages (the name on page 3), and page 3 alone as one-dimensional
    // Group 3 with EOLs and byte-aligned rows.
    // Page 3 alone as JBIG2 (/JBIG2Decode): a page information segment and a generic region,
    // MMR-coded, and arithmetic-coded (template 0), the latter also with a deflated
    // /JBIG2Globals stream that holds no dictionary.
    for (name, page) in [
        ("letter-g4.pdf", "page 3 image"),
        ("letter-g3.pdf", "page 1 image"),
        ("letter-jbig2.pdf", "page 1 image"),
        ("letter-jbig2-mq.pdf", "page 1 image"),
        ("letter-jbig2-globals.pdf", "page 1 image"),
    ] {
        let pdf = std::fs::read(dir().join(name)).unwrap();
        let report = scanner.scan(&attached(name, "application/pdf", &pdf));
        assert_eq!(named(&report), [("P004".to_string(), true, Some(page.to_string()))].into(), "{name}");
        assert!(limits(&report).is_empty(), "{name}: {:?}", limits(&report));
    }
}

/// A multi-page TIFF (three Group 4 fax pages joined by libtiff's tiffcp) has every page read,
/// each at its own path; an animated GIF (Pillow) every frame. The name stands only on the
/// last page or frame.
#[test]
fn every_page_of_a_tiff_and_every_frame_of_a_gif_is_read() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let found = |path: &str| BTreeSet::from([("P004".to_string(), true, Some(path.to_string()))]);
    let tiff = std::fs::read(dir().join("letter.tif")).unwrap();
    let report = scanner.scan(&attached("letter.tif", "image/tiff", &tiff));
    assert_eq!(named(&report), found("page 3"));
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));
    let archive = zip(&[("faxes/letter.tif", &tiff)]);
    let report = scanner.scan(&attached("faxes.zip", "application/zip", &archive));
    assert_eq!(named(&report), found("faxes/letter.tif > page 3"));
    // Two pages fit an allowance of 2,000,000 pixels (793,600 each), the third does not.
    let report = scanner_with("ocr = true\nmax_ocr_pixels = 2000000").scan(&attached(
        "letter.tif",
        "image/tiff",
        &tiff,
    ));
    assert!(named(&report).is_empty());
    assert_eq!(limits(&report), ["max_ocr_pixels"]);
    let gif = std::fs::read(dir().join("slides.gif")).unwrap();
    let report = scanner.scan(&attached("slides.gif", "image/gif", &gif));
    assert_eq!(named(&report), found("frame 3"));
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));
}

/// An image attached to a `.msg` (Outlook) and to a TNEF `winmail.dat` (Exchange) is read by
/// OCR at its path inside them.
#[test]
fn images_inside_msg_and_winmail_dat_are_read() {
    if !ocr_ready() {
        return;
    }
    let scanner = scanner();
    let png = std::fs::read(dir().join("screenshots/001.png")).unwrap();
    let want = |path: &str| -> BTreeSet<_> {
        ["P001", "P002", "P003"].map(|r| (r.to_string(), true, Some(path.to_string()))).into()
    };
    let files = vec![
        ("/__properties_version1.0".to_string(), vec![0u8; 32]),
        ("/__substg1.0_1000001F".to_string(), utf16("The list is attached.")),
        ("/__attach_version1.0_#00000000/__properties_version1.0".to_string(), attach_method(1)),
        ("/__attach_version1.0_#00000000/__substg1.0_3707001F".to_string(), utf16("list.png")),
        ("/__attach_version1.0_#00000000/__substg1.0_37010102".to_string(), png.clone()),
    ];
    let msg = compound(&files);
    let report = scanner.scan(&attached("list.msg", "application/vnd.ms-outlook", &msg));
    assert_eq!(named(&report), want("list.png"));
    // Without OCR the picture is not read.
    assert!(
        named(&scanner_with("").scan(&attached("list.msg", "application/vnd.ms-outlook", &msg))).is_empty()
    );
    let mut w = Tnef::new();
    w.attribute(1, 0x9006, 8, &0x0001_0000u32.to_le_bytes()); // attTnefVersion
    w.attribute(1, 0x8004, 1, b"Case list\0"); // attSubject
    w.attribute(2, 0x9002, 6, &[1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0, 0, 0, 0, 0]); // attAttachRendData
    w.attribute(2, 0x800f, 6, &png); // attAttachData
    w.attribute(2, 0x9005, 6, &prop_list(&[(0x001f, 0x3707, &utf16("list.png"))]));
    let report = scanner.scan(&attached("winmail.dat", "application/ms-tnef", &w.out));
    assert_eq!(named(&report), want("list.png"));
}

/// A scanner for the German fixture's one listed person, with `policy`.
fn german_scanner(policy: &str) -> Scanner {
    let list = "id,kind,value\nD001,name,Jürgen Weißmüller\n";
    Scanner::new(ProtectedList::from_csv(list).unwrap(), Policy::from_toml(policy).unwrap())
}

#[test]
fn other_languages_are_read_when_the_policy_names_them() {
    if !ocr_ready() {
        return;
    }
    // Debian `tesseract-ocr-deu`; CI installs it, and under CI=true its absence fails.
    if let Err(why) = maildlp::ocr::status(&["eng".to_string(), "deu".to_string()]) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true and Tesseract has no German data: {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    // "Bescheid für Jürgen Weißmüller über die Anhörung am 3. März." in DejaVu Serif, 14 pt.
    let png = std::fs::read(dir().join("german.png")).unwrap();
    let message = attached("bescheid.png", "image/png", &png);
    let report = german_scanner("ocr = true\nocr_languages = [\"eng\", \"deu\"]").scan(&message);
    assert_eq!(named(&report), BTreeSet::from([("D001".to_string(), true, Some("image".to_string()))]));
    assert!(limits(&report).is_empty(), "{:?}", limits(&report));
    // English data alone reads the umlauts and the sharp s as other letters ("Jiirgen
    // Weifmiiller"): the name is not found, which is why the language is named.
    let english = german_scanner("ocr = true").scan(&message);
    assert!(named(&english).is_empty(), "{:?}", named(&english));
}

#[test]
fn a_language_without_its_data_makes_images_ocr_unavailable_once_naming_it() {
    if !ocr_ready() {
        return;
    }
    let png = std::fs::read(dir().join("screenshots/001.png")).unwrap();
    let archive = zip(&[("a.png", &png), ("b.png", &png)]);
    let message = attached("two.zip", "application/zip", &archive);
    let report = scanner_with("ocr = true\nocr_languages = [\"eng\", \"zzz\"]").scan(&message);
    assert_eq!(limits(&report), ["ocr-unavailable"], "said once for the two images");
    assert!(named(&report).is_empty());
    let said = &report.findings().iter().find(|f| f.rule == Rule::ScanIncomplete).unwrap().message;
    assert!(said.contains("OCR is unavailable") && said.contains("no language data for \"zzz\""), "{said}");
    // The status the CLI checks at start says the same.
    let why = maildlp::ocr::status(&["eng".to_string(), "zzz".to_string()]).unwrap_err();
    assert!(why.contains("zzz"), "{why}");
}

#[test]
fn a_jbig2_scan_is_charged_before_it_is_decoded_and_damage_is_unreadable() {
    if !ocr_ready() {
        return;
    }
    let pdf = std::fs::read(dir().join("letter-jbig2.pdf")).unwrap();
    // 1240 x 640 pixels: past an allowance of 500,000, so not decoded.
    let report =
        scanner_with("ocr = true\nmax_ocr_pixels = 500000").scan(&attached("a.pdf", "application/pdf", &pdf));
    assert_eq!(limits(&report), ["max_ocr_pixels"]);
    assert!(named(&report).is_empty());
    // The stream's page information segment saying a page of 65535 x 65535 pixels, not the
    // image's 1240 x 640: refused before decoding, the page unreadable.
    let jb2 = std::fs::read(dir().join("letter.jb2")).unwrap();
    let at = pdf.windows(jb2.len()).position(|w| w == jb2.as_slice()).expect("the stream in the PDF");
    let mut huge = pdf.clone();
    huge[at + 11..at + 19].copy_from_slice(&[0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff]);
    let report = scanner().scan(&attached("a.pdf", "application/pdf", &huge));
    assert_eq!(limits(&report), ["unreadable"]);
    let said = &report.findings().iter().find(|f| f.rule == Rule::ScanIncomplete).unwrap().message;
    assert!(said.contains("its JBIG2 page is 65535 x 65535 pixels, its image 1240 x 640"), "{said}");
    assert!(named(&report).is_empty());
    // A /JBIG2Globals stream whose symbol dictionary is damaged: unreadable, said so.
    let pdf = std::fs::read(dir().join("letter-jbig2-bad-globals.pdf")).unwrap();
    let report = scanner().scan(&attached("a.pdf", "application/pdf", &pdf));
    assert_eq!(limits(&report), ["unreadable"]);
    let said = &report.findings().iter().find(|f| f.rule == Rule::ScanIncomplete).unwrap().message;
    assert!(said.contains("its JBIG2 globals are damaged"), "{said}");
}
