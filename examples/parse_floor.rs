//! The floor for a whole-process scan: read every file under the given paths (directories
//! walked in name order, as `maildlp scan` does) and parse each with mail-parser on one thread,
//! decoding every part (attached messages included). Anything that reads MIME mail pays at
//! least this; `benches/whole_process.sh` compares `maildlp scan` against it.
//!
//!     cargo run --release --example parse_floor -- PATH...

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, PartType};

/// Decoded bytes of every part of `message`, nested messages included.
fn decoded_bytes(message: &mail_parser::Message) -> usize {
    message
        .parts
        .iter()
        .map(|part| match &part.body {
            PartType::Text(t) | PartType::Html(t) => t.len(),
            PartType::Binary(b) | PartType::InlineBinary(b) => b.len(),
            PartType::Message(m) => decoded_bytes(m),
            PartType::Multipart(_) => 0,
        })
        .sum()
}

fn visit(path: &Path, parser: &MessageParser, totals: &mut (usize, usize, usize)) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else { return };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names {
            visit(&p, parser, totals);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        totals.0 += 1;
        if let Some(m) = parser.parse(&bytes) {
            totals.1 += m.parts.len();
            totals.2 += decoded_bytes(&m);
        }
    }
}

fn main() {
    let parser = MessageParser::default();
    let mut totals = (0, 0, 0);
    for p in std::env::args().skip(1) {
        visit(Path::new(&p), &parser, &mut totals);
    }
    println!("{} messages, {} parts, {} decoded bytes", totals.0, totals.1, totals.2);
}
