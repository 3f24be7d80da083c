//! Outlook and Office files built by tests: UTF-16LE strings and compound files of named
//! streams. Included with `#[path = "common/compound.rs"] mod compound;`.
#![allow(dead_code)]

use std::io::{Cursor, Write};

/// UTF-16LE bytes of `s`.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A compound file holding `files` (paths from the root, storages made as needed).
pub fn compound(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for (path, data) in files {
        if let Some((dir, _)) = path.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
            out.create_storage_all(dir).unwrap();
        }
        out.create_stream(path).unwrap().write_all(data).unwrap();
    }
    out.flush().unwrap();
    out.into_inner().into_inner()
}
