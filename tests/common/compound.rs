//! Outlook and Office files built by tests: UTF-16LE strings, compound files of named
//! streams, PowerPoint records and presentations, `.msg` attachment properties and TNEF
//! streams. Included with `#[path = "common/compound.rs"] mod compound;`.
#![allow(dead_code)]

use std::io::{Cursor, Write};

/// UTF-16LE bytes of `s`.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Every stream of the compound file `bytes`: (path from its root, content), in the order of
/// its directory.
pub fn streams(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let paths: Vec<String> =
        file.walk().filter(|e| e.is_stream()).map(|e| e.path().to_string_lossy().into_owned()).collect();
    paths
        .into_iter()
        .map(|p| {
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut file.open_stream(&p).unwrap(), &mut data).unwrap();
            (p, data)
        })
        .collect()
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

/// A PowerPoint record.
pub fn rec(kind: u16, instance: u16, container: bool, body: &[u8]) -> Vec<u8> {
    let mut out = ((instance << 4) | if container { 0xf } else { 0 }).to_le_bytes().to_vec();
    out.extend(kind.to_le_bytes());
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A presentation stream and its `Current User`: the document record (persist id 1) holding
/// `lists`, then `records` (persist ids 2, 3...), the persist directory and one edit.
pub fn presentation(lists: &[u8], records: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = rec(0x03e8, 0, true, lists);
    let mut offsets = vec![0u32];
    for r in records {
        offsets.push(stream.len() as u32);
        stream.extend(r);
    }
    let dir_at = stream.len() as u32;
    let mut dir = (1u32 | (offsets.len() as u32) << 20).to_le_bytes().to_vec();
    dir.extend(offsets.iter().flat_map(|o| o.to_le_bytes()));
    stream.extend(rec(0x1772, 0, false, &dir));
    edited(stream, dir_at, false)
}

/// The presentation file whose `PowerPoint Document` stream is `stream` (its persist directory
/// at `dir_at`) then one edit, whose previous edit is itself when `loops`, and its `Current
/// User` pointing at that edit.
pub fn edited(mut stream: Vec<u8>, dir_at: u32, loops: bool) -> Vec<u8> {
    let edit_at = stream.len() as u32;
    let mut edit = vec![0u8; 28];
    if loops {
        edit[8..12].copy_from_slice(&edit_at.to_le_bytes());
    }
    edit[12..16].copy_from_slice(&dir_at.to_le_bytes());
    edit[16..20].copy_from_slice(&1u32.to_le_bytes());
    stream.extend(rec(0x0ff5, 0, false, &edit));
    let mut user = vec![0u8; 20];
    user[4..8].copy_from_slice(&0xe391_c05fu32.to_le_bytes());
    user[8..12].copy_from_slice(&edit_at.to_le_bytes());
    compound(&[
        ("/PowerPoint Document".into(), stream),
        ("/Current User".into(), rec(0x0ff6, 0, false, &user)),
    ])
}

/// A `SlidePersistAtom` naming persist id `persist` (and notes id `id`).
pub fn persist(persist: u32, id: u32) -> Vec<u8> {
    let mut body = vec![0u8; 20];
    body[0..4].copy_from_slice(&persist.to_le_bytes());
    body[12..16].copy_from_slice(&id.to_le_bytes());
    rec(0x03f3, 0, false, &body)
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
