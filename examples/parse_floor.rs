//! The floor for a whole-process scan: read every file under the given paths (directories
//! walked in name order, as `maildlp scan` does) and parse each with mail-parser on one thread,
//! decoding every part (attached messages included). Anything that reads MIME mail pays at
//! least this; `benches/whole_process.sh` compares `maildlp scan` against it.
//!
//!     cargo run --release --example parse_floor -- PATH...

use std::path::PathBuf;

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

fn main() {
    let parser = MessageParser::default();
    let mut totals = (0, 0, 0);
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    maildlp::sources::walk_files(&paths, &mut |path| {
        if let Ok(bytes) = std::fs::read(path) {
            totals.0 += 1;
            if let Some(m) = parser.parse(&bytes) {
                totals.1 += m.parts.len();
                totals.2 += decoded_bytes(&m);
            }
        }
    });
    println!("{} messages, {} parts, {} decoded bytes", totals.0, totals.1, totals.2);
}
