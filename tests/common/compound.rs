//! Outlook and Office files built by tests: UTF-16LE strings, compound files of named
//! streams, and PowerPoint records and presentations. Included with `#[path = "common/compound.rs"] mod compound;`.
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
