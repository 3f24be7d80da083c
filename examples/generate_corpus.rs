//! Writes a deterministic benchmark corpus: `OUT/msgs/*.eml`, `OUT/protected.csv` and
//! `OUT/names.txt` (the names alone, for grep).
//!
//!     cargo run --release --example generate_corpus -- OUT [MESSAGES] [RECORDS]
//!     cargo run --release --example generate_corpus -- --varied OUT [MESSAGES] [RECORDS]
//!
//! The first form writes the realistic shape of `benches/gen` (QP text + HTML, PDF and CSV
//! attachments). `--varied` mixes the public corpus in `tests/corpus` (two fifths of the
//! messages, at most two copies of each; 1,970 of the default 5,000) with generated messages
//! of four shapes: that realistic one, base64 HTML with inline
//! images, Latin-1 base64 text with a photo, and text with real documents attached (the
//! XLSX, DOCX, PPTX, PDF, ODF, RTF, XLS and ZIP fixtures of `tests/documents`).

use std::path::Path;

#[path = "../benches/gen/mod.rs"]
mod gen;

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let varied = args.first().is_some_and(|a| a == "--varied");
    if varied {
        args.remove(0);
    }
    let Some(out) = args.first().filter(|a| !a.starts_with('-')) else {
        eprintln!("usage: generate_corpus [--varied] OUT [MESSAGES] [RECORDS=10000]");
        std::process::exit(2);
    };
    let messages: usize =
        args.get(1).and_then(|s| s.parse().ok()).unwrap_or(if varied { 5000 } else { 2000 });
    let records: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = Path::new(out);
    let msgs = out.join("msgs");
    std::fs::create_dir_all(&msgs)?;
    std::fs::write(out.join("protected.csv"), gen::list_csv(records))?;
    std::fs::write(out.join("names.txt"), gen::names_file(records))?;
    if !varied {
        for (i, m) in gen::mailbox(42, messages, records).iter().enumerate() {
            std::fs::write(msgs.join(format!("{i:06}.eml")), m)?;
        }
        return Ok(());
    }
    let corpus = gen::eml_files(&gen::tests_dir().join("corpus"))?;
    // Two fifths public corpus (at most two copies of it), the rest generated.
    let from_corpus = (messages * 2 / 5).min(corpus.len() * 2);
    let mut written = 0;
    for copy in 0..2 {
        for (i, p) in corpus.iter().enumerate() {
            if written == from_corpus {
                break;
            }
            // Named so that the copies and the generated messages interleave in name order
            // (000007-c0.eml, 000007-c1.eml, 000007-g.eml), as a scan visits them.
            std::fs::copy(p, msgs.join(format!("{i:06}-c{copy}.eml")))?;
            written += 1;
        }
    }
    let documents = gen::documents()?;
    let mut rng = gen::Rng::new(42);
    for i in 0..messages - written {
        let kind = rng.below(4);
        std::fs::write(
            msgs.join(format!("{i:06}-g.eml")),
            gen::varied_message(&mut rng, kind, records, &documents),
        )?;
    }
    Ok(())
}
