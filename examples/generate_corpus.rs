//! Writes a deterministic benchmark corpus: `OUT/msgs/*.eml`, `OUT/protected.csv` and
//! `OUT/names.txt` (the names alone, for grep).
//!
//!     cargo run --release --example generate_corpus -- OUT [MESSAGES] [RECORDS]

#[path = "../benches/gen/mod.rs"]
mod gen;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("usage: generate_corpus OUT [MESSAGES=2000] [RECORDS=10000]");
        std::process::exit(2);
    };
    let messages: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let records: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = std::path::Path::new(out);
    std::fs::create_dir_all(out.join("msgs"))?;
    std::fs::write(out.join("protected.csv"), gen::list_csv(records))?;
    std::fs::write(out.join("names.txt"), gen::names_file(records))?;
    for (i, m) in gen::mailbox(42, messages, records).iter().enumerate() {
        std::fs::write(out.join("msgs").join(format!("{i:06}.eml")), m)?;
    }
    Ok(())
}
