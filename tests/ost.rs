//! Offline stores of Outlook 2013 and later (OST, `wVer` 36: 64-bit Unicode with 4 KiB pages).
//! No such file made by Outlook is at hand, so the stores here are converted from the
//! Outlook-made Unicode PST files of `tests/pst/` by `to_ost4k`: the same nodes and blocks, the
//! external blocks zlib-compressed where that makes them smaller, under new B-trees of 4 KiB pages
//! and a new header. The layout follows [MS-PST] for what the two formats share and libpff's
//! "Personal Folder File (PFF) format" for the 4 KiB pages and blocks.
//!
//! `converted_stores_read_back_as_written` checks the converter against a small reader of its
//! own (every page, block, signature and CRC), `offline_stores_give_the_messages_of_their_pst`
//! checks that maildlp reads the converted stores as it reads their PST (each converted twice: with
//! full pages, and with three entries a page for B-trees of several levels).
//!
//! What the conversion settles that the documents leave open: page ids continue the header's
//! `bidNextP` one by one (as the fixtures' own pages do); a compressed block holds the zlib stream
//! of the block's bytes as stored, that is after the store's encoding (`bCryptMethod`), so a
//! reader inflates first and decodes after (libpff's order); the 8 bytes after a page's back
//! pointer are left 0 (libpff's example page has 1 there); the allocation maps of the PST are not
//! carried over (the root keeps the PST's `ibAMapLast`, `fAMapValid`).
#![cfg(feature = "cli")]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use maildlp::sources::{Item, Messages};

// ---------------------------------------------------------------------------------------------
// What both formats share: little-endian fields, the weak CRC and the signature of [MS-PST].

/// The CRC-32 table of the reflected polynomial 0xEDB88320 ([MS-PST] 5.3).
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// [MS-PST] `ComputeCRC` from 0: no initial or final inversion.
fn crc(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |crc, &b| CRC_TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8))
}

/// [MS-PST] `ComputeSig` of the page or block with this id at this offset.
fn sig(ib: u64, bid: u64) -> u16 {
    let v = (ib as u32) ^ (bid as u32);
    ((v >> 16) as u16) ^ (v as u16)
}

fn bytes_at<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    b.get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .unwrap_or_else(|| panic!("{N} bytes at {at:#x}, past the end ({:#x})", b.len()))
}
fn u8_at(b: &[u8], at: usize) -> u8 {
    bytes_at::<1>(b, at)[0]
}
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes_at(b, at))
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes_at(b, at))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes_at(b, at))
}
fn offset(v: u64) -> usize {
    usize::try_from(v).expect("an offset of the file")
}
fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}
fn align(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

const HEADER_LEN: usize = 564;
const WVER_UNICODE: u16 = 23;
const WVER_4K: u16 = 36;
const PTYPE_BBT: u8 = 0x80;
const PTYPE_NBT: u8 = 0x81;
/// Where the converted store's blocks start: header and zeros before.
const FIRST_BLOCK: usize = 0x10000;
/// The header fields the converter writes.
const AT_BID_NEXT_P: usize = 32;
const AT_FILE_EOF: usize = 184;
const AT_NBT_ROOT: usize = 216;
const AT_BBT_ROOT: usize = 232;
const AT_CRYPT: usize = 513;

/// A block id with this bit set names an internal block (XBLOCK, XXBLOCK, SLBLOCK, SIBLOCK).
const BID_INTERNAL: u64 = 0x2;

/// The B-tree page of one format.
struct PageFormat {
    size: usize,
    /// Where the counts (`cEnt`, `cEntMax`, `cbEnt`, `cLevel`) start, after the entries.
    counts: usize,
    /// Whether `cEnt` and `cEntMax` are 16-bit (4 KiB pages) rather than 8-bit.
    wide_counts: bool,
    /// Where the page trailer starts (`ptype`, `ptypeRepeat`, `wSig`, `dwCRC`, `bid`).
    trailer: usize,
}

/// The 512-byte page of a Unicode PST ([MS-PST] 2.2.2.7.7).
const PAGE_512: PageFormat = PageFormat { size: 512, counts: 488, wide_counts: false, trailer: 496 };
/// The 4 KiB page of `wVer` 36 (libpff, "The 64-bit 4k page index B-tree node").
const PAGE_4K: PageFormat = PageFormat { size: 4096, counts: 4056, wide_counts: true, trailer: 4072 };

/// Size of the entries of a B-tree page: branch entries, and leaves of either tree.
const BTENTRY: usize = 24;
const NBTENTRY: usize = 32;
const BBTENTRY: usize = 24;

/// A page or block reference: id and offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bref {
    bid: u64,
    ib: u64,
}

fn bref_at(b: &[u8], at: usize) -> Bref {
    Bref { bid: u64_at(b, at), ib: u64_at(b, at + 8) }
}

/// What a B-tree walk finds: the leaf entries, in order, as stored, and the page ids met.
#[derive(Default)]
struct Walk {
    leaves: Vec<Vec<u8>>,
    page_bids: Vec<u64>,
    pages: usize,
}

/// Walks the B-tree of type `ptype` whose root page is `root`, checking every page's trailer
/// (type, signature, CRC, back pointer), counts, levels and branch keys.
fn walk_tree(file: &[u8], format: &PageFormat, ptype: u8, root: Bref) -> Walk {
    let mut walk = Walk::default();
    walk_page(file, format, ptype, root, None, &mut walk);
    walk
}

fn walk_page(file: &[u8], format: &PageFormat, ptype: u8, at: Bref, level: Option<u8>, walk: &mut Walk) {
    let ib = offset(at.ib);
    let page = file
        .get(ib..ib + format.size)
        .unwrap_or_else(|| panic!("page {at:x?} past the end of the file ({:#x})", file.len()));
    let t = format.trailer;
    assert_eq!((page[t], page[t + 1]), (ptype, ptype), "page type of {at:x?}");
    assert_eq!(u16_at(page, t + 2), sig(at.ib, at.bid), "signature of page {at:x?}");
    assert_eq!(u32_at(page, t + 4), crc(&page[..t]), "CRC of page {at:x?}");
    assert_eq!(u64_at(page, t + 8), at.bid, "back pointer of page {at:x?}");
    let c = format.counts;
    let (count, max, size, page_level) = if format.wide_counts {
        (usize::from(u16_at(page, c)), usize::from(u16_at(page, c + 2)), page[c + 4], page[c + 5])
    } else {
        (usize::from(page[c]), usize::from(page[c + 1]), page[c + 2], page[c + 3])
    };
    let size = usize::from(size);
    if let Some(level) = level {
        assert_eq!(page_level, level, "level of page {at:x?}");
    }
    let leaf_size = if ptype == PTYPE_NBT { NBTENTRY } else { BBTENTRY };
    assert_eq!(size, if page_level == 0 { leaf_size } else { BTENTRY }, "entry size of page {at:x?}");
    assert_eq!(max, format.counts / size, "most entries of page {at:x?}");
    assert!(0 < count && count <= max, "{count} entries in page {at:x?}");
    walk.pages += 1;
    walk.page_bids.push(at.bid);
    for e in page[..count * size].chunks_exact(size) {
        if page_level == 0 {
            walk.leaves.push(e.to_vec());
            continue;
        }
        let first = walk.leaves.len();
        walk_page(file, format, ptype, bref_at(e, 8), Some(page_level - 1), walk);
        let key = walk.leaves.get(first).map(|l| u64_at(l, 0));
        assert_eq!(key, Some(u64_at(e, 0)), "key of the entry of page {at:x?} for {:x?}", bref_at(e, 8));
    }
}

/// An NBT leaf entry: `(nid, bidData, bidSub, nidParent)`.
fn node(e: &[u8]) -> (u64, u64, u64, u32) {
    (u64_at(e, 0), u64_at(e, 8), u64_at(e, 16), u32_at(e, 24))
}

/// A BBT leaf entry: the block's reference, stored size and reference count.
fn block_entry(e: &[u8]) -> (Bref, u16, u16) {
    (bref_at(e, 0), u16_at(e, 16), u16_at(e, 18))
}

// ---------------------------------------------------------------------------------------------
// The Unicode PST (wVer 23) read.

/// The `cb` stored bytes of the block `at`, after checking what both formats' trailers begin
/// with (size, signature, CRC of the stored bytes, back pointer); and where the trailer, of
/// `trailer` bytes at the end of the block rounded up to `unit`, starts.
fn checked_block(file: &[u8], at: Bref, cb: u16, unit: usize, trailer: usize) -> (&[u8], usize) {
    let ib = offset(at.ib);
    let n = usize::from(cb);
    let t = ib + align(n + trailer, unit) - trailer;
    let data = file.get(ib..ib + n).unwrap_or_else(|| panic!("block {at:x?} past the end"));
    assert_eq!(u16_at(file, t), cb, "size of block {at:x?}");
    assert_eq!(u16_at(file, t + 2), sig(at.ib, at.bid), "signature of block {at:x?}");
    assert_eq!(u32_at(file, t + 4), crc(data), "CRC of block {at:x?}");
    assert_eq!(u64_at(file, t + 8), at.bid, "back pointer of block {at:x?}");
    (data, t)
}

/// The stored bytes of the block `at` of a Unicode PST, `cb` of them, after checking its
/// trailer ([MS-PST] 2.2.2.8.1: size, signature, CRC, back pointer).
fn unicode_block(file: &[u8], at: Bref, cb: u16) -> &[u8] {
    checked_block(file, at, cb, 64, 16).0
}

/// A Unicode PST's header fields and trees.
struct Unicode<'a> {
    file: &'a [u8],
    nodes: Walk,
    blocks: Walk,
}

impl<'a> Unicode<'a> {
    fn read(file: &'a [u8]) -> Self {
        assert_eq!(file.get(..4), Some(&b"!BDN"[..]), "an Outlook data file");
        assert_eq!(u16_at(file, 10), WVER_UNICODE, "a Unicode PST");
        assert_eq!(u32_at(file, 4), crc(&file[8..8 + 471]), "dwCRCPartial");
        assert_eq!(u32_at(file, 524), crc(&file[8..8 + 516]), "dwCRCFull");
        let nodes = walk_tree(file, &PAGE_512, PTYPE_NBT, bref_at(file, AT_NBT_ROOT));
        let blocks = walk_tree(file, &PAGE_512, PTYPE_BBT, bref_at(file, AT_BBT_ROOT));
        Unicode { file, nodes, blocks }
    }

    /// Every block: its id, reference count and stored bytes.
    fn blocks(&self) -> impl Iterator<Item = (u64, u16, &'a [u8])> + '_ {
        self.blocks.leaves.iter().map(|e| {
            let (at, cb, refs) = block_entry(e);
            (at.bid, refs, unicode_block(self.file, at, cb))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The converter.

/// How a conversion went.
#[derive(Debug, Default, PartialEq, Eq)]
struct Converted {
    blocks: usize,
    compressed: usize,
    node_pages: usize,
    block_pages: usize,
}

/// The Unicode PST `pst` (`wVer` 23) as a store of 64-bit Unicode with 4 KiB pages (`wVer` 36).
fn to_ost4k(pst: &[u8]) -> Vec<u8> {
    convert(pst, usize::MAX).0
}

/// `to_ost4k` with at most `per_page` entries a B-tree page (fewer than fit: deeper trees).
fn convert(pst: &[u8], per_page: usize) -> (Vec<u8>, Converted) {
    let source = Unicode::read(pst);
    let mut out = vec![0u8; FIRST_BLOCK];
    let mut done = Converted::default();

    // The blocks, 512-aligned, each with its 24-byte footer.
    let mut block_leaves = Vec::with_capacity(source.blocks.leaves.len());
    for (bid, refs, data) in source.blocks() {
        let stored = match bid & BID_INTERNAL {
            0 => Some(zlib(data)).filter(|z| z.len() < data.len()),
            _ => None,
        };
        done.blocks += 1;
        done.compressed += usize::from(stored.is_some());
        let stored = stored.as_deref().unwrap_or(data);
        let ib = out.len();
        let cb = u16::try_from(stored.len()).expect("a block of at most 64 KiB");
        let inflated = u16::try_from(data.len()).expect("a block of at most 64 KiB");
        out.resize(ib + align(stored.len() + 24, 512), 0);
        put(&mut out, ib, stored);
        let footer = out.len() - 24;
        put(&mut out, footer, &cb.to_le_bytes());
        put(&mut out, footer + 2, &sig(ib as u64, bid).to_le_bytes());
        put(&mut out, footer + 4, &crc(stored).to_le_bytes());
        put(&mut out, footer + 8, &bid.to_le_bytes());
        put(&mut out, footer + 16, &2u16.to_le_bytes());
        put(&mut out, footer + 18, &inflated.to_le_bytes());
        let mut entry = vec![0u8; BBTENTRY];
        put(&mut entry, 0, &bid.to_le_bytes());
        put(&mut entry, 8, &(ib as u64).to_le_bytes());
        put(&mut entry, 16, &cb.to_le_bytes());
        put(&mut entry, 18, &refs.to_le_bytes());
        block_leaves.push(entry);
    }

    // The two B-trees, on 4 KiB pages whose ids follow the source's next page id.
    out.resize(align(out.len(), 4096), 0);
    let mut next_page = u64_at(pst, AT_BID_NEXT_P);
    let nbt = write_tree(&mut out, PTYPE_NBT, &source.nodes.leaves, NBTENTRY, per_page, &mut next_page);
    let bbt = write_tree(&mut out, PTYPE_BBT, &block_leaves, BBTENTRY, per_page, &mut next_page);
    done.node_pages = nbt.1;
    done.block_pages = bbt.1;

    let mut header = pst[..HEADER_LEN].to_vec();
    put(&mut header, 8, b"SO");
    put(&mut header, 10, &WVER_4K.to_le_bytes());
    put(&mut header, AT_BID_NEXT_P, &next_page.to_le_bytes());
    put(&mut header, AT_FILE_EOF, &(out.len() as u64).to_le_bytes());
    for (at, root) in [(AT_NBT_ROOT, nbt.0), (AT_BBT_ROOT, bbt.0)] {
        put(&mut header, at, &root.bid.to_le_bytes());
        put(&mut header, at + 8, &root.ib.to_le_bytes());
    }
    let partial = crc(&header[8..8 + 471]);
    put(&mut header, 4, &partial.to_le_bytes());
    let full = crc(&header[8..8 + 516]);
    put(&mut header, 524, &full.to_le_bytes());
    put(&mut out, 0, &header);
    (out, done)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(data).expect("compressing in memory");
    z.finish().expect("compressing in memory")
}

/// The id of a new page, from the header's `bidNextP`, and the next one after it. Outlook counts
/// page ids up by 1 (the fixtures' pages: ids below `bidNextP` with any low bits), unlike block
/// ids, which go up by 4.
fn next_page_bid(bid: &mut u64) -> u64 {
    let this = *bid;
    *bid += 1;
    this
}

/// Writes the B-tree of type `ptype` over `leaves` (entries of `size` bytes, sorted by key) at
/// the end of `out`, 4 KiB pages from the leaves up: its root and how many pages it took.
fn write_tree(
    out: &mut Vec<u8>,
    ptype: u8,
    leaves: &[Vec<u8>],
    size: usize,
    per_page: usize,
    next_bid: &mut u64,
) -> (Bref, usize) {
    assert!(!leaves.is_empty(), "a B-tree with entries");
    let mut pages = 0;
    let mut level = 0u8;
    let mut entries = leaves.to_vec();
    let mut size = size;
    loop {
        let fit = (PAGE_4K.counts / size).min(per_page);
        let mut up = Vec::new();
        for chunk in entries.chunks(fit) {
            let at = write_page(out, ptype, level, size, chunk, next_page_bid(next_bid));
            pages += 1;
            let mut branch = vec![0u8; BTENTRY];
            put(&mut branch, 0, &chunk[0][..8]);
            put(&mut branch, 8, &at.bid.to_le_bytes());
            put(&mut branch, 16, &at.ib.to_le_bytes());
            up.push((at, branch));
        }
        if up.len() == 1 {
            return (up[0].0, pages);
        }
        entries = up.into_iter().map(|(_, e)| e).collect();
        size = BTENTRY;
        level += 1;
    }
}

/// Writes one 4 KiB B-tree page at the end of `out` (4 KiB-aligned): where it is.
fn write_page(out: &mut Vec<u8>, ptype: u8, level: u8, size: usize, entries: &[Vec<u8>], bid: u64) -> Bref {
    let f = &PAGE_4K;
    let mut page = vec![0u8; f.size];
    for (i, e) in entries.iter().enumerate() {
        put(&mut page, i * size, e);
    }
    let count = u16::try_from(entries.len()).expect("entries of a page");
    let max = u16::try_from(f.counts / size).expect("entries of a page");
    put(&mut page, f.counts, &count.to_le_bytes());
    put(&mut page, f.counts + 2, &max.to_le_bytes());
    page[f.counts + 4] = u8::try_from(size).expect("an entry size");
    page[f.counts + 5] = level;
    let ib = out.len() as u64;
    assert_eq!(ib % 4096, 0, "pages are 4 KiB-aligned");
    let t = f.trailer;
    page[t] = ptype;
    page[t + 1] = ptype;
    put(&mut page, t + 2, &sig(ib, bid).to_le_bytes());
    let check = crc(&page[..t]);
    put(&mut page, t + 4, &check.to_le_bytes());
    put(&mut page, t + 8, &bid.to_le_bytes());
    out.extend_from_slice(&page);
    Bref { bid, ib }
}

// ---------------------------------------------------------------------------------------------
// The 4 KiB-page store read back, independently of the writer above.

/// The data of the block `at` of a 4 KiB-page store, `cb` bytes stored, after checking its
/// footer (libpff, "The 64-bit 4k page block"), inflated when compressed; and whether it was.
fn block_4k(file: &[u8], at: Bref, cb: u16) -> (Vec<u8>, bool) {
    let (ib, n) = (offset(at.ib), usize::from(cb));
    assert_eq!(ib % 512, 0, "block {at:x?} 512-aligned");
    let (stored, footer) = checked_block(file, at, cb, 512, 24);
    assert_eq!(u16_at(file, footer + 16), 2, "footer of block {at:x?}");
    assert_eq!(u32_at(file, footer + 20), 0, "footer of block {at:x?}");
    assert!(file[ib + n..footer].iter().all(|&b| b == 0), "padding of block {at:x?}");
    let inflated = usize::from(u16_at(file, footer + 18));
    if inflated == n {
        return (stored.to_vec(), false);
    }
    assert_eq!(at.bid & BID_INTERNAL, 0, "internal block {at:x?} compressed");
    let mut data = Vec::with_capacity(inflated);
    ZlibDecoder::new(stored).read_to_end(&mut data).expect("a zlib stream");
    assert_eq!(data.len(), inflated, "inflated size of block {at:x?}");
    (data, true)
}

/// The nodes and blocks of a 4 KiB-page store.
struct Store4k {
    nodes: Walk,
    /// Each block by id: its reference count and data (inflated).
    blocks: BTreeMap<u64, (u16, Vec<u8>)>,
    compressed: usize,
    block_pages: usize,
    /// The ids of the pages of both trees.
    page_bids: Vec<u64>,
}

fn read_4k(file: &[u8]) -> Store4k {
    assert_eq!(file.get(..4), Some(&b"!BDN"[..]), "an Outlook data file");
    assert_eq!(file.get(8..10), Some(&b"SO"[..]), "an offline store");
    assert_eq!(u16_at(file, 10), WVER_4K, "64-bit Unicode with 4 KiB pages");
    assert_eq!(u32_at(file, 4), crc(&file[8..8 + 471]), "dwCRCPartial");
    assert_eq!(u32_at(file, 524), crc(&file[8..8 + 516]), "dwCRCFull");
    assert_eq!(u64_at(file, AT_FILE_EOF), file.len() as u64, "ibFileEof");
    assert_eq!(u8_at(file, 512), 0x80, "bSentinel");
    let nodes = walk_tree(file, &PAGE_4K, PTYPE_NBT, bref_at(file, AT_NBT_ROOT));
    let block_tree = walk_tree(file, &PAGE_4K, PTYPE_BBT, bref_at(file, AT_BBT_ROOT));
    let next_page = u64_at(file, AT_BID_NEXT_P);
    for bid in nodes.page_bids.iter().chain(&block_tree.page_bids) {
        assert!(*bid < next_page, "page id {bid:#x} below bidNextP {next_page:#x}");
    }
    let mut blocks = BTreeMap::new();
    let mut compressed = 0;
    for e in &block_tree.leaves {
        let (at, cb, refs) = block_entry(e);
        assert_eq!(u32_at(e, 20), 0, "padding of the entry of {at:x?}");
        let (data, was) = block_4k(file, at, cb);
        compressed += usize::from(was);
        assert!(blocks.insert(at.bid, (refs, data)).is_none(), "block {at:x?} twice");
    }
    let page_bids: Vec<u64> = nodes.page_bids.iter().chain(&block_tree.page_bids).copied().collect();
    let mut unique = page_bids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), page_bids.len(), "page ids are unique");
    Store4k { nodes, blocks, compressed, block_pages: block_tree.pages, page_bids }
}

// ---------------------------------------------------------------------------------------------
// The tests.

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pst")
}

/// The Unicode PST files of `tests/pst` (the ANSI one left out), by name.
fn unicode_stores() -> Vec<(String, Vec<u8>)> {
    let mut stores = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("tests/pst") {
        let path = entry.expect("an entry of tests/pst").path();
        if path.extension().and_then(|e| e.to_str()) != Some("pst") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("a fixture");
        match u16_at(&bytes, 10) {
            WVER_UNICODE => {}
            14 | 15 => continue,
            v => panic!("{} of version {v}", path.display()),
        }
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a file name").to_string();
        stores.push((name, bytes));
    }
    stores.sort();
    assert_eq!(stores.len(), 6, "the Unicode PST files of tests/pst");
    stores
}

/// The items of a file as the library hands them out: `(source after the path, message)`, or
/// `(source, error)`.
fn items(path: &Path) -> Vec<(String, Result<Vec<u8>, String>)> {
    let prefix = path.display().to_string();
    Messages::new(&[path.to_path_buf()])
        .map(|item| match item {
            Item::Message { source, bytes, .. } => (source.replacen(&prefix, "", 1), Ok(bytes)),
            Item::Error { source, error } => (source.replacen(&prefix, "", 1), Err(error)),
        })
        .collect()
}

/// The converted store holds the nodes and blocks of its PST, every page and block checked.
fn check_conversion(name: &str, pst: &[u8], per_page: usize) -> Converted {
    let (ost, done) = convert(pst, per_page);
    assert_eq!(u16_at(&ost, 10), WVER_4K);
    let source = Unicode::read(pst);
    let back = read_4k(&ost);

    let want: Vec<_> = source.nodes.leaves.iter().map(|e| node(e)).collect();
    let got: Vec<_> = back.nodes.leaves.iter().map(|e| node(e)).collect();
    assert_eq!(got, want, "{name}: the nodes");
    assert_eq!(back.nodes.pages, done.node_pages, "{name}");

    let want: BTreeMap<u64, (u16, Vec<u8>)> =
        source.blocks().map(|(bid, refs, data)| (bid, (refs, data.to_vec()))).collect();
    assert_eq!(want.len(), source.blocks.leaves.len(), "{name}: block ids are unique");
    assert_eq!(back.blocks.len(), want.len(), "{name}: the blocks");
    for (bid, block) in &want {
        assert!(back.blocks.get(bid) == Some(block), "{name}: block {bid:#x}");
    }
    assert_eq!(back.compressed, done.compressed, "{name}");
    assert_eq!(back.block_pages, done.block_pages, "{name}");
    assert_eq!(done.blocks, want.len(), "{name}");

    // The rest of the header is the PST's; page ids are new ones, above the PST's.
    let same = |r: std::ops::Range<usize>| assert_eq!(ost[r.clone()], pst[r.clone()], "{name}: header {r:?}");
    same(0..4);
    same(12..AT_BID_NEXT_P);
    same(40..AT_FILE_EOF);
    same(192..AT_NBT_ROOT);
    same(248..524);
    same(528..HEADER_LEN);
    assert_eq!(ost[AT_CRYPT], pst[AT_CRYPT]);
    assert!(ost[HEADER_LEN..FIRST_BLOCK].iter().all(|&b| b == 0), "{name}: zeros after the header");
    let first_new = u64_at(pst, AT_BID_NEXT_P);
    let pages = done.node_pages + done.block_pages;
    assert_eq!(u64_at(&ost, AT_BID_NEXT_P), first_new + pages as u64, "{name}: bidNextP");
    for bid in &back.page_bids {
        assert!(*bid >= first_new, "{name}: page id {bid:#x}");
    }
    done
}

#[test]
fn weak_crc_and_signature_of_a_page_made_by_outlook() {
    // The root page of the node B-tree of testPST.pst, as Outlook wrote it.
    let pst = std::fs::read(fixtures().join("testPST.pst")).expect("a fixture");
    let root = bref_at(&pst, AT_NBT_ROOT);
    let page = &pst[offset(root.ib)..offset(root.ib) + 512];
    assert_eq!(u32_at(page, 500), crc(&page[..496]));
    assert_eq!(u16_at(page, 498), sig(root.ib, root.bid));
    assert_eq!(crc(b""), 0);
    assert_eq!(crc(b"123456789"), 0x2DFD_2D88);
}

#[test]
fn converted_stores_read_back_as_written() {
    // Blocks of each store, and pages of its node B-tree (dist-list's 128 nodes take two leaves
    // of 126 entries at most, under a root).
    let want = [
        ("200-recipients", 70, 1),
        ("dist-list", 155, 3),
        ("msgInMsgInMsg", 67, 1),
        ("testPST", 118, 1),
        ("testPST_variousBodyTypes", 71, 1),
        ("unicodeAttachmentFilename", 49, 1),
    ];
    let stores = unicode_stores();
    assert_eq!(stores.len(), want.len());
    let mut compressed = 0;
    for ((name, pst), (want_name, blocks, node_pages)) in stores.into_iter().zip(want) {
        assert_eq!(name, want_name);
        let done = check_conversion(&name, &pst, usize::MAX);
        assert_eq!((done.blocks, done.node_pages, done.block_pages), (blocks, node_pages, 1), "{name}");
        // Most data blocks compress (tables, property contexts, text); internal ones are left.
        assert!(done.compressed > done.blocks / 2 && done.compressed < done.blocks, "{name}: {done:?}");
        eprintln!("{name}: {done:?}");
        compressed += done.compressed;
        // Deep trees: three entries a page.
        let deep = check_conversion(&name, &pst, 3);
        assert_eq!((deep.blocks, deep.compressed), (done.blocks, done.compressed));
        assert!(deep.block_pages >= done.blocks / 3, "{name}: {deep:?}");
    }
    assert!(compressed > 0);
}

#[test]
fn offline_stores_give_the_messages_of_their_pst() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, pst) in unicode_stores() {
        let original = fixtures().join(format!("{name}.pst"));
        let want = items(&original);
        assert!(!want.is_empty() && want.iter().all(|(_, m)| m.is_ok()), "{name}: {want:?}");
        for (suffix, ost) in [("", to_ost4k(&pst)), ("-deep", convert(&pst, 3).0)] {
            assert_eq!(u16_at(&ost, 10), WVER_4K);
            let compressed = read_4k(&ost).compressed;
            assert!(compressed > 0, "{name}{suffix}: {compressed} blocks compressed");
            let path = dir.path().join(format!("{name}{suffix}.ost"));
            std::fs::write(&path, &ost).expect("the converted store written");
            let got = items(&path);
            assert!(
                got == want,
                "{name}{suffix}.ost: {:?}",
                got.iter().map(|(at, m)| (at, m.as_ref().map(Vec::len))).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn the_reader_of_the_test_finds_a_changed_byte() {
    // Whatever byte of the header, a page or a block (data or footer) changes, the check of
    // `read_4k` that covers it fails: the test above would not pass a wrong conversion. (The
    // messages of the panics caught go to this test's captured output.)
    let pst = std::fs::read(fixtures().join("testPST.pst")).expect("a fixture");
    let ost = to_ost4k(&pst);
    let nbt = offset(u64_at(&ost, AT_NBT_ROOT + 8));
    let bbt = offset(u64_at(&ost, AT_BBT_ROOT + 8));
    let first = offset(u64_at(&ost, bbt + 8));
    let cb = usize::from(u16_at(&ost, bbt + 16));
    let footer = first + align(cb + 24, 512) - 24;
    let at = [
        ("wVer", 10),
        ("the header", 200),
        ("the node B-tree root", nbt + 40),
        ("the node B-tree root's trailer", nbt + 4080),
        ("the block B-tree root", bbt + 17),
        ("the first block", first + 1),
        ("the first block's padding", first + cb),
        ("the first block's footer", footer + 4),
        ("the first block's inflated size", footer + 19),
        ("the first block's footer", footer + 16),
    ];
    let caught: Vec<(&str, bool)> = at
        .iter()
        .map(|&(what, i)| {
            let mut changed = ost.clone();
            changed[i] ^= 0x10;
            (what, std::panic::catch_unwind(|| read_4k(&changed)).is_err())
        })
        .collect();
    assert!(caught.iter().all(|(_, c)| *c), "{caught:?}");
    assert!(std::panic::catch_unwind(|| read_4k(&ost)).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Pieces of a store Outlook 2013 wrote (libpff's test data, tests/pst/SOURCES.md), read by the
// reader maildlp uses.

use outlook_pst::ndb::{
    block::{Block, DataTree},
    block_id::{BlockId, UnicodeBlockId, UnicodePageId},
    block_ref::{BlockRef, UnicodePageRef},
    byte_index::{ByteIndex, UnicodeByteIndex},
    header::NdbCryptMethod,
    page::{BTreeEntry, BTreePage, BTreePageEntry, RootBTreePage, UnicodeBlockBTree, UnicodeNodeBTree},
};

fn outlook_2013(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("ost2013").join(name)).expect("a fixture of tests/pst/ost2013")
}

/// A branch page of a node B-tree as Outlook 2013 writes it (4 KiB, 16-bit counts, the CRC of
/// the 4,072 bytes before the trailer) is read as one.
#[test]
fn a_4k_page_outlook_wrote_is_read() {
    let page = outlook_2013("index_node.3");
    let bid = u64_at(&page, 4080);
    let at = UnicodePageRef::new(UnicodePageId::from(bid), UnicodeByteIndex::new(0));
    let tree = UnicodeNodeBTree::read(&mut std::io::Cursor::new(page), at).expect("a 4 KiB page");
    let RootBTreePage::Intermediate(branch, _) = tree else { panic!("a branch page") };
    assert_eq!(branch.level(), 1);
    let entries: Vec<(u64, u64, u64)> = branch
        .entries()
        .iter()
        .map(|e| (e.key(), e.block().block().into_u64(), e.block().index().index()))
        .collect();
    assert_eq!(entries, [(0x21, 0xf35, 0x52000), (0x21cd, 0xef0, 0x69000), (0x80027, 0xec2, 0x6b000)]);
}

/// A block Outlook 2013 stored compressed (7,992 bytes of zlib, 24-byte footer) is read, through
/// a block B-tree page of the format that names it, as its 11,866 bytes: a heap (`bSig` 0xEC)
/// holding a property context (0xBC).
#[test]
fn a_compressed_block_outlook_wrote_is_read() {
    let block = outlook_2013("data_block.3");
    assert_eq!(block.len(), 8192);
    let bid = u64_at(&block, 8192 - 24 + 8);
    let stored = u16_at(&block, 8192 - 24);
    let mut entry = vec![0u8; BBTENTRY];
    put(&mut entry, 0, &bid.to_le_bytes());
    put(&mut entry, 8, &0u64.to_le_bytes());
    put(&mut entry, 16, &stored.to_le_bytes());
    put(&mut entry, 18, &1u16.to_le_bytes());
    let mut file = block;
    let page = write_page(&mut file, PTYPE_BBT, 0, BBTENTRY, &[entry], 0x459);
    let mut f = std::io::Cursor::new(file);
    let at = UnicodePageRef::new(UnicodePageId::from(page.bid), UnicodeByteIndex::new(page.ib));
    let tree = UnicodeBlockBTree::read(&mut f, at).expect("a 4 KiB block B-tree page");
    let key = UnicodeBlockId::from(bid).search_key();
    let entry = tree.find_entry(&mut f, key, &mut Default::default()).expect("the block's entry");
    let data = DataTree::<outlook_pst::UnicodePstFile>::read(&mut f, NdbCryptMethod::None, &entry)
        .expect("the block");
    let DataTree::Leaf(data) = data else { panic!("a data block") };
    assert_eq!(data.data().len(), 11_866);
    assert_eq!(data.data()[2..4], [0xEC, 0xBC]);
}

/// An offline store of the format of a PST (`wVer` 23, Exchange's cached mode before Outlook
/// 2013) differs from a PST by its client magic, `SO`: each fixture with that magic gives the
/// messages of the PST.
#[test]
fn offline_stores_of_the_pst_format_give_the_messages_of_their_pst() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, pst) in unicode_stores() {
        let want = items(&fixtures().join(format!("{name}.pst")));
        let mut ost = pst.clone();
        put(&mut ost, 8, b"SO");
        let partial = crc(&ost[8..8 + 471]);
        put(&mut ost, 4, &partial.to_le_bytes());
        let full = crc(&ost[8..8 + 516]);
        put(&mut ost, 524, &full.to_le_bytes());
        let path = dir.path().join(format!("{name}.ost"));
        std::fs::write(&path, &ost).expect("the store written");
        let got = items(&path);
        assert!(!got.is_empty() && got == want, "{name}.ost: {} items, {} in the PST", got.len(), want.len());
    }
}
