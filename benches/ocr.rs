//! What OCR costs (figures in docs/performance.md):
//!
//! - the cheap test: each of the 50 text-free photos and drawings of `tests/ocr/notext` decoded
//!   and judged, in milliseconds (the budget is 10 ms an image); how many reach Tesseract;
//! - screenshots per second: the 100 screenshots of `tests/ocr/screenshots`, each attached to a
//!   message and scanned with `ocr = true` on one thread (decoding, the cheap test, Tesseract,
//!   matching against their 455-name list);
//! - against the `tesseract` command on the same images: one process per image (as a script
//!   would run it: start-up and model loading included), and one process reading the list of
//!   all of them (`tesseract LIST stdout`: the engine's own cost per image).
//!
//! Both sides run Tesseract on one OpenMP thread (`OMP_THREAD_LIMIT=1`, as the maildlp CLI sets
//! it). Needs Tesseract (`libtesseract5 tesseract-ocr-eng tesseract-ocr`):
//!
//!     OMP_THREAD_LIMIT=1 cargo bench --bench ocr

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::Engine;
use maildlp::{Policy, ProtectedList, Scanner};

/// The resolution the command is told: the screenshots' files give none, and maildlp reads such
/// an image at 96 dpi (a screen's); without it the command estimates one for each image and
/// does other work than maildlp.
const DPI: [&str; 2] = ["--dpi", "96"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocr")
}

fn files(sub: &str, ext: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir().join(sub))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| ext.iter().any(|e| x == *e)))
        .collect();
    v.sort();
    v
}

fn message(name: &str, bytes: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "From: a@police.example\r\nTo: b@example.net\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    )
    .into_bytes()
}

fn main() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        eprintln!(
            "note: OMP_THREAD_LIMIT is not set; run with OMP_THREAD_LIMIT=1 for the documented figures"
        );
    }
    if let Err(why) = maildlp::ocr::status(&["eng".to_string()]) {
        eprintln!("OCR is unavailable ({why}): nothing measured");
        return;
    }
    let list = std::fs::read_to_string(dir().join("protected.csv")).expect("list");
    let scanner = Scanner::new(
        ProtectedList::from_csv(&list).expect("list"),
        Policy::from_toml("ocr = true").expect("policy"),
    );

    // The cheap test on images without text.
    let notext = files("notext", &["jpg", "png"]);
    let mut worst = 0f64;
    let mut total = 0f64;
    let mut read = 0;
    for path in &notext {
        let bytes = std::fs::read(path).expect("fixture");
        let t = Instant::now();
        let passed = maildlp::ocr::passes_over(&bytes);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        worst = worst.max(ms);
        total += ms;
        if !passed {
            read += 1;
        }
    }
    println!(
        "cheap test: {} text-free images, mean {:.2} ms, worst {:.2} ms; {} of them passed on to Tesseract",
        notext.len(),
        total / notext.len() as f64,
        worst,
        read
    );

    // Screenshots per second, one thread.
    let shots = files("screenshots", &["png"]);
    let messages: Vec<Vec<u8>> = shots
        .iter()
        .map(|p| {
            message(&p.file_name().expect("name").to_string_lossy(), &std::fs::read(p).expect("fixture"))
        })
        .collect();
    let _ = scanner.scan(&messages[0]);
    let t = Instant::now();
    for m in &messages {
        std::hint::black_box(scanner.scan(m));
    }
    let ours = t.elapsed().as_secs_f64();
    println!(
        "maildlp: {} screenshot messages in {:.2} s: {:.1} images/s, {:.0} ms an image",
        messages.len(),
        ours,
        messages.len() as f64 / ours,
        ours * 1e3 / messages.len() as f64
    );

    // The tesseract command on the same images.
    let Ok(_) = Command::new("tesseract").arg("--version").output() else {
        println!("tesseract command: not installed (apt-get install tesseract-ocr)");
        return;
    };
    let t = Instant::now();
    for p in &shots {
        let out = Command::new("tesseract").arg(p).arg("stdout").args(DPI).output().expect("tesseract runs");
        std::hint::black_box(out.stdout);
    }
    let each = t.elapsed().as_secs_f64();
    let listing = std::env::temp_dir().join(format!("maildlp-ocr-bench-{}.txt", std::process::id()));
    let names: Vec<String> = shots.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(&listing, names.join("\n") + "\n").expect("temp file");
    let t = Instant::now();
    let out =
        Command::new("tesseract").arg(&listing).arg("stdout").args(DPI).output().expect("tesseract runs");
    std::hint::black_box(out.stdout);
    let batch = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&listing);
    println!(
        "tesseract command: one process an image {:.0} ms an image; one process for all {:.0} ms an image",
        each * 1e3 / shots.len() as f64,
        batch * 1e3 / shots.len() as f64
    );
    println!("maildlp / tesseract (one process for all): {:.2}x", ours / batch);
}
