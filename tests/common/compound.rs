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

/// The `__properties_version1.0` of an attachment: its 8-byte header and `PR_ATTACH_METHOD`.
pub fn attach_method(method: u32) -> Vec<u8> {
    let mut v = vec![0u8; 8];
    v.extend(0x0003u16.to_le_bytes());
    v.extend(0x3705u16.to_le_bytes());
    v.extend(6u32.to_le_bytes());
    v.extend(method.to_le_bytes());
    v.extend(0u32.to_le_bytes());
    v
}

/// A TNEF stream written attribute by attribute ([MS-OXTNEF] 2.1.3).
pub struct Tnef {
    /// The stream so far.
    pub out: Vec<u8>,
}

impl Tnef {
    /// A stream with its signature and key.
    pub fn new() -> Tnef {
        let mut out = vec![0x78, 0x9f, 0x3e, 0x22];
        out.extend(0x0001u16.to_le_bytes());
        Tnef { out }
    }

    /// Appends an attribute of `level` (1 message, 2 attachment), `id` and `ty`, and its checksum.
    pub fn attribute(&mut self, level: u8, id: u16, ty: u16, data: &[u8]) {
        self.out.push(level);
        self.out.extend((u32::from(ty) << 16 | u32::from(id)).to_le_bytes());
        self.out.extend((data.len() as u32).to_le_bytes());
        self.out.extend(data);
        let sum = data.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
        self.out.extend(sum.to_le_bytes());
    }
}

/// A TNEF MAPI property list of (type, id, value), string and binary values with a count.
pub fn prop_list(list: &[(u16, u16, &[u8])]) -> Vec<u8> {
    let mut out = (list.len() as u32).to_le_bytes().to_vec();
    for (ty, id, value) in list {
        out.extend(ty.to_le_bytes());
        out.extend(id.to_le_bytes());
        out.extend(1u32.to_le_bytes());
        out.extend((value.len() as u32).to_le_bytes());
        out.extend(*value);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    out
}
