//! Word 97-2003 documents (`.doc`, [MS-DOC]): the text as Word shows it, read through the
//! piece table, region by region.
//!
//! The `WordDocument` stream starts with the File Information Block (FIB), which names the
//! table stream (`0Table` or `1Table`), where the text's pieces are listed (the CLX), and counts
//! the characters of each region: the main document, then footnotes, headers and footers,
//! comments (annotations), endnotes and text boxes, one after the other in character positions
//! (CP). Each piece maps a run of CPs to bytes of `WordDocument`: 8-bit (windows-1252) or
//! UTF-16. Paragraphs end with a paragraph mark (13) and table cells with a cell mark (7); a
//! row ends with a mark whose paragraph properties say "table row end". Field codes (between
//! marks 19 and 20) are left out, their results kept, as Word shows them. Character
//! properties mark hidden text (`sprmCFVanish`) and tracked deletions (`sprmCFRMarkDel`);
//! text is hidden too when its character style or its paragraph's style hides it (the style
//! sheet, `STSH`, each style's character properties over those of the style it is based on).
//!
//! Everything is read from bytes the file declares with lengths: offsets past a stream's end
//! are dropped, and no more characters are decoded than the `WordDocument` stream has bytes,
//! however many pieces point at the same bytes.

use crate::model::Mark;

use super::cfb::{Compound, Outcome};
use super::extractor::Extractor;
use super::le::{cp1252, slice_at, u16_at, u32_at};

/// `wIdent` of a Word document.
const WORD_IDENT: u16 = 0xa5ec;
/// The first `nFib` read here: Word 97. Older files (Word 6, Word 95) have another layout.
const MIN_NFIB: u16 = 0x00c1;
/// `FibBase` flags: encrypted (or XOR-obfuscated) and which table stream.
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TABLE: u16 = 0x0200;
/// Indexes of (fc, lcb) pairs in `FibRgFcLcb97`.
const FC_STSHF: usize = 1;
const FC_PLCF_HDD: usize = 11;
const FC_PLCF_BTE_CHPX: usize = 12;
const FC_PLCF_BTE_PAPX: usize = 13;
const FC_CLX: usize = 33;
/// Bit of a piece's `fc` that says its text is 8-bit.
const FC_COMPRESSED: u32 = 0x4000_0000;

/// Paragraph and character property flags kept from the formatted disk pages. `HIDDEN` on a
/// character is a tracked deletion (hidden whatever styles say), and what a character's
/// `sprmCFVanish` and character style do to the vanish of its paragraph's style is
/// `VANISH_*` (none: it keeps it). `STYLE_HIDDEN` on a paragraph: its style hides its text.
const HIDDEN: u8 = 1;
const IN_TABLE: u8 = 2;
const ROW_END: u8 = 4;
const STYLE_HIDDEN: u8 = 8;
const VANISH_ON: u8 = 16;
const VANISH_OFF: u8 = 32;
const VANISH_FLIP: u8 = 64;

/// `sprmCFVanish`, `sprmCFRMarkDel`, `sprmCIstd` (a run's character style).
const SPRM_VANISH: u16 = 0x083c;
const SPRM_DELETED: u16 = 0x0800;
const SPRM_ISTD: u16 = 0x4a30;
/// The most styles followed from one to the one it is based on, and so on.
const MAX_BASES: usize = 16;

/// What a list of character properties does to the vanish it is applied over: a toggle
/// property is set on (1), off (0), to the opposite of what it is applied over (0x81), or
/// left as it is (0x80, or not set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toggle {
    Keep,
    On,
    Off,
    Flip,
}

impl Toggle {
    /// The toggle set by the operand `value`.
    fn of(value: u8) -> Toggle {
        match value {
            0 => Toggle::Off,
            1 => Toggle::On,
            0x81 => Toggle::Flip,
            _ => Toggle::Keep,
        }
    }

    /// `self`, then `then` over it.
    fn then(self, then: Toggle) -> Toggle {
        match (self, then) {
            (_, Toggle::On | Toggle::Off) | (Toggle::Keep, Toggle::Flip) => then,
            (a, Toggle::Keep) => a,
            (Toggle::On, Toggle::Flip) => Toggle::Off,
            (Toggle::Off, Toggle::Flip) => Toggle::On,
            (Toggle::Flip, Toggle::Flip) => Toggle::Keep,
        }
    }

    /// The vanish this gives over `under`.
    fn over(self, under: bool) -> bool {
        match self {
            Toggle::Keep => under,
            Toggle::On => true,
            Toggle::Off => false,
            Toggle::Flip => !under,
        }
    }

    /// As `VANISH_*` flags.
    fn flags(self) -> u8 {
        match self {
            Toggle::Keep => 0,
            Toggle::On => VANISH_ON,
            Toggle::Off => VANISH_OFF,
            Toggle::Flip => VANISH_FLIP,
        }
    }

    /// From `VANISH_*` flags.
    fn from_flags(flags: u8) -> Toggle {
        if flags & VANISH_ON != 0 {
            Toggle::On
        } else if flags & VANISH_OFF != 0 {
            Toggle::Off
        } else if flags & VANISH_FLIP != 0 {
            Toggle::Flip
        } else {
            Toggle::Keep
        }
    }
}

/// Whether a character whose flags are `chars`, in a paragraph whose flags are `para`, is
/// hidden.
fn hidden(chars: u8, para: u8) -> bool {
    chars & HIDDEN != 0 || Toggle::from_flags(chars).over(para & STYLE_HIDDEN != 0)
}

/// What each style of the style sheet does to the vanish of text, by style index, its own
/// character properties over those of the styles it is based on. Styles the sheet does not
/// describe leave it as it is.
#[derive(Default)]
struct Styles {
    vanish: Vec<Toggle>,
}

impl Styles {
    /// The style sheet (`STSH`, [MS-DOC] 2.9.271) `stsh`: a header (`Stshi`: the number of
    /// styles, the size of each style's fixed part), then each style (`LPStd`): its size, its
    /// fixed part (`Stdf`: kind, the style it is based on, how many property lists), its name,
    /// then its property lists (`UPX`s, each with its size, padded to an even length).
    fn read(stsh: &[u8]) -> Styles {
        let Some(header) = u16_at(stsh, 0).map(usize::from) else {
            return Styles::default();
        };
        let (Some(count), Some(base_len)) = (u16_at(stsh, 2), u16_at(stsh, 4)) else {
            return Styles::default();
        };
        let mut own = Vec::new();
        let mut at = 2 + header;
        for _ in 0..count {
            let Some(len) = u16_at(stsh, at).map(usize::from) else {
                break;
            };
            let std = slice_at(stsh, at + 2, len).unwrap_or_default();
            at += 2 + len;
            own.push(style(std, usize::from(base_len)).unwrap_or((Toggle::Keep, None)));
        }
        // Each style's own toggle over those of its bases, followed at most MAX_BASES deep.
        let vanish = (0..own.len())
            .map(|i| {
                let mut chain = vec![own[i].0];
                let mut base = own[i].1;
                while let Some(b) = base.filter(|_| chain.len() < MAX_BASES) {
                    let Some(&(t, next)) = own.get(b) else {
                        break;
                    };
                    chain.push(t);
                    base = next;
                }
                chain.iter().rev().fold(Toggle::Keep, |under, &t| under.then(t))
            })
            .collect();
        Styles { vanish }
    }

    /// What style `istd` does to the vanish of text.
    fn vanish(&self, istd: u16) -> Toggle {
        self.vanish.get(usize::from(istd)).copied().unwrap_or(Toggle::Keep)
    }
}

/// One style (`STD`, whose fixed part is `base_len` bytes): what its own character properties
/// do to the vanish of text, and the style it is based on. Paragraph styles (kind 1) keep
/// their character properties in their second property list, character styles (kind 2) in
/// their first; other kinds are read as leaving it.
fn style(std: &[u8], base_len: usize) -> Option<(Toggle, Option<usize>)> {
    let kind_base = u16_at(std, 2)?;
    let (kind, base) = (kind_base & 0xf, usize::from(kind_base >> 4));
    let upxs = usize::from(u16_at(std, 4)? & 0xf);
    let base = (base != 0x0fff).then_some(base);
    let chpx = match kind {
        1 => 1,
        2 => 0,
        _ => return Some((Toggle::Keep, base)),
    };
    // The name: a count of UTF-16 units, the units, and a terminating zero.
    let name_len = usize::from(u16_at(std, base_len)?);
    let mut at = base_len + 2 + 2 * (name_len + 1);
    for i in 0..upxs {
        let len = usize::from(u16_at(std, at)?);
        if i == chpx {
            let grpprl = slice_at(std, at + 2, len)?;
            return Some((vanish(grpprl), base));
        }
        at += 2 + len + (len & 1);
    }
    Some((Toggle::Keep, base))
}

/// What `sprmCFVanish` in the character properties `grpprl` does, the last one winning.
fn vanish(grpprl: &[u8]) -> Toggle {
    let mut t = Toggle::Keep;
    sprms(grpprl, |sprm, operand| {
        if sprm == SPRM_VANISH {
            t = Toggle::of(operand.first().copied().unwrap_or(0x80));
        }
    });
    t
}

/// Reads the Word document in `file`.
pub(super) fn read(x: &mut Extractor<'_>, file: &mut Compound<'_>) -> Outcome {
    let Some(word) = file.stream_at("/WordDocument") else {
        return Outcome::Unread;
    };
    let Some(flags) = fib_flags(&word) else {
        return Outcome::Unread;
    };
    if flags & F_ENCRYPTED != 0 {
        x.encrypted("the document");
        return Outcome::Encrypted;
    }
    let table_name = if flags & F_WHICH_TABLE != 0 { "/1Table" } else { "/0Table" };
    let Some(table) = file.stream_at(table_name) else {
        return Outcome::Unread;
    };
    match Document::new(&word, &table) {
        Some(doc) => {
            doc.read(x);
            Outcome::Read
        }
        None => Outcome::Unread,
    }
}

/// The `FibBase` flags of a Word 97 or later document, else `None`.
fn fib_flags(word: &[u8]) -> Option<u16> {
    (u16_at(word, 0)? == WORD_IDENT && u16_at(word, 2)? >= MIN_NFIB).then_some(())?;
    u16_at(word, 0x0a)
}

/// The counts and table locations of the FIB.
struct Fib {
    /// `ccpText`, `ccpFtn`, `ccpHdd`, `ccpMcr`, `ccpAtn`, `ccpEdn`, `ccpTxbx`, `ccpHdrTxbx`.
    ccp: [u32; 8],
    /// Where `FibRgFcLcb` starts, and how many pairs it has.
    fc_lcb: usize,
    pairs: usize,
}

impl Fib {
    fn parse(word: &[u8]) -> Option<Fib> {
        // FibBase (32 bytes), csw and FibRgW, cslw and FibRgLw, cbRgFcLcb and FibRgFcLcb.
        let csw = usize::from(u16_at(word, 32)?);
        let at = 34 + 2 * csw;
        let cslw = usize::from(u16_at(word, at)?);
        let lw = at + 2;
        let mut ccp = [0u32; 8];
        for (i, c) in ccp.iter_mut().enumerate() {
            // ccpText is the fourth of the longs.
            *c = if 3 + i < cslw { u32_at(word, lw + 4 * (3 + i))? } else { 0 };
        }
        let at = lw + 4 * cslw;
        let pairs = usize::from(u16_at(word, at)?);
        Some(Fib { ccp, fc_lcb: at + 2, pairs })
    }

    /// The (offset, length) in the table stream of structure `i` of `FibRgFcLcb`.
    fn pair(&self, word: &[u8], i: usize) -> Option<(usize, usize)> {
        if i >= self.pairs {
            return None;
        }
        let at = self.fc_lcb + 8 * i;
        Some((u32_at(word, at)? as usize, u32_at(word, at + 4)? as usize))
    }
}

/// A run of characters: CPs `cp..cp_end` stored from byte `fc` on, 8-bit or UTF-16.
struct Piece {
    cp: u32,
    cp_end: u32,
    fc: usize,
    compressed: bool,
}

/// Runs of the `WordDocument` stream (byte ranges) with property flags.
#[derive(Default)]
struct Props {
    spans: Vec<(u32, u32, u8)>,
}

impl Props {
    /// The flags of the byte at `fc`.
    fn at(&self, fc: usize) -> u8 {
        let Ok(fc) = u32::try_from(fc) else {
            return 0;
        };
        let i = self.spans.partition_point(|s| s.0 <= fc);
        match i.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(&(_, end, flags)) if fc < end => flags,
            _ => 0,
        }
    }

    /// Reads the formatted disk pages listed by the bin table (`PlcBteChpx` or `PlcBtePapx`)
    /// at `plc` of the table stream; `papx` for paragraph pages; the styles they name are
    /// those of `styles`. Only runs with flags are kept, and each page is read once, however
    /// often the table lists it.
    fn read(word: &[u8], table: &[u8], plc: Option<(usize, usize)>, papx: bool, styles: &Styles) -> Props {
        let mut props = Props::default();
        let Some(plc) = plc.and_then(|(fc, lcb)| slice_at(table, fc, lcb)) else {
            return props;
        };
        let n = plc.len().saturating_sub(4) / 8;
        let mut pages: Vec<usize> = (0..n)
            .filter_map(|i| u32_at(plc, 4 * (n + 1) + 4 * i))
            .map(|pn| (pn & 0x3f_ffff) as usize)
            .collect();
        pages.sort_unstable();
        pages.dedup();
        for pn in pages {
            let Some(page) = pn.checked_mul(512).and_then(|at| slice_at(word, at, 512)) else {
                continue;
            };
            // At most 101 runs a character page, 29 a paragraph page ([MS-DOC] 2.9.62, 2.9.176).
            let crun = usize::from(page[511]).min(if papx { 29 } else { 101 });
            for i in 0..crun {
                let (Some(start), Some(end)) = (u32_at(page, 4 * i), u32_at(page, 4 * (i + 1))) else {
                    break;
                };
                let flags = if papx {
                    papx_sprms(page, crun, i).map_or(0, |(istd, g)| para_flags(g, istd, styles))
                } else {
                    chpx_sprms(page, crun, i).map_or(0, |g| char_flags(g, styles))
                };
                if flags != 0 && start < end {
                    props.spans.push((start, end, flags));
                }
            }
        }
        props.spans.sort_unstable();
        props
    }
}

/// The character properties of run `i` of a character page.
fn chpx_sprms(page: &[u8], crun: usize, i: usize) -> Option<&[u8]> {
    let off = 2 * usize::from(*page.get(4 * (crun + 1) + i)?);
    if off == 0 {
        return None;
    }
    let cb = usize::from(*page.get(off)?);
    slice_at(page, off + 1, cb)
}

/// The paragraph properties of run `i` of a paragraph page: its style index, and the rest.
fn papx_sprms(page: &[u8], crun: usize, i: usize) -> Option<(u16, &[u8])> {
    let off = 2 * usize::from(*page.get(4 * (crun + 1) + 13 * i)?);
    if off == 0 {
        return None;
    }
    let cb = usize::from(*page.get(off)?);
    let data = if cb != 0 {
        slice_at(page, off + 1, 2 * cb - 1)?
    } else {
        let cb = usize::from(*page.get(off + 1)?);
        slice_at(page, off + 2, 2 * cb)?
    };
    Some((u16_at(data, 0)?, data.get(2..)?))
}

/// Calls `f` with each property modifier of the list `grpprl` and its operand (cut where the
/// list ends).
fn sprms(grpprl: &[u8], mut f: impl FnMut(u16, &[u8])) {
    let mut at = 0;
    while let Some(sprm) = u16_at(grpprl, at) {
        let operand = at + 2;
        let len = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            // sprmTDefTable and sprmTDefTable10 carry a 16-bit length, one more than they hold.
            _ if sprm == 0xd608 || sprm == 0xd606 => {
                1 + usize::from(u16_at(grpprl, operand).unwrap_or(0)).max(1)
            }
            _ => 1 + usize::from(grpprl.get(operand).copied().unwrap_or(0)),
        };
        let end = (operand + len).min(grpprl.len());
        f(sprm, grpprl.get(operand..end).unwrap_or_default());
        at = operand + len;
    }
}

/// The flags the character properties `grpprl` set: a tracked deletion, and what the run's
/// character style (`sprmCIstd`, one of `styles`) and its own `sprmCFVanish` over it do to
/// the vanish of its paragraph.
fn char_flags(grpprl: &[u8], styles: &Styles) -> u8 {
    let (mut flags, mut style, mut direct) = (0, Toggle::Keep, Toggle::Keep);
    sprms(grpprl, |sprm, operand| {
        let value = operand.first().copied().unwrap_or(0);
        match sprm {
            SPRM_VANISH => direct = Toggle::of(value),
            // A deletion is hidden whatever the style (0x81, the opposite of the style's,
            // taken as on).
            SPRM_DELETED if matches!(value, 1 | 0x81) => flags |= HIDDEN,
            SPRM_ISTD => style = u16_at(operand, 0).map_or(Toggle::Keep, |istd| styles.vanish(istd)),
            _ => {}
        }
    });
    flags | style.then(direct).flags()
}

/// The flags the paragraph properties `grpprl` of a paragraph of style `istd` (one of
/// `styles`) set.
fn para_flags(grpprl: &[u8], istd: u16, styles: &Styles) -> u8 {
    let mut flags = if styles.vanish(istd).over(false) { STYLE_HIDDEN } else { 0 };
    sprms(grpprl, |sprm, operand| {
        let value = operand.first().copied().unwrap_or(0);
        match sprm {
            // sprmPFInTable; sprmPItap (a table depth).
            0x2416 | 0x6649 if value != 0 => flags |= IN_TABLE,
            // sprmPFTtp, sprmPFInnerTtp.
            0x2417 | 0x244c if value != 0 => flags |= ROW_END | IN_TABLE,
            _ => {}
        }
    });
    flags
}

/// A Word 97 document's streams, pieces and properties.
struct Document<'d> {
    word: &'d [u8],
    table: &'d [u8],
    fib: Fib,
    pieces: Vec<Piece>,
    chars: Props,
    paras: Props,
}

impl<'d> Document<'d> {
    fn new(word: &'d [u8], table: &'d [u8]) -> Option<Document<'d>> {
        let fib = Fib::parse(word)?;
        let clx = fib.pair(word, FC_CLX).and_then(|(fc, lcb)| slice_at(table, fc, lcb))?;
        let pieces = pieces(clx)?;
        let stsh = fib.pair(word, FC_STSHF).and_then(|(fc, lcb)| slice_at(table, fc, lcb));
        let styles = stsh.map(Styles::read).unwrap_or_default();
        let chars = Props::read(word, table, fib.pair(word, FC_PLCF_BTE_CHPX), false, &styles);
        let paras = Props::read(word, table, fib.pair(word, FC_PLCF_BTE_PAPX), true, &styles);
        Some(Document { word, table, fib, pieces, chars, paras })
    }

    /// Emits the text of every region, each under its own path.
    fn read(&self, x: &mut Extractor<'_>) {
        let names: [Option<&str>; 8] = [
            None,
            Some("footnote"),
            Some("header"),
            Some("macro"),
            Some("comment"),
            Some("endnote"),
            Some("text box"),
            Some("header text box"),
        ];
        // Decoding stops after as many characters as the stream has bytes.
        let mut left = self.word.len();
        let mut cp = 0u32;
        for (i, (&ccp, name)) in self.fib.ccp.iter().zip(names).enumerate() {
            let end = cp.saturating_add(ccp);
            if i == 2 {
                self.headers(x, cp, end, &mut left);
            } else {
                self.story(x, name, cp, end, &mut left);
            }
            cp = end;
        }
    }

    /// The header region `start..end`, story by story: the table of header stories
    /// (`PlcfHdd`) starts with six note separators, then six stories a section (even and odd
    /// headers, even and odd footers, first-page header and footer).
    fn headers(&self, x: &mut Extractor<'_>, start: u32, end: u32, left: &mut usize) {
        let plc = self.fib.pair(self.word, FC_PLCF_HDD).and_then(|(fc, lcb)| slice_at(self.table, fc, lcb));
        let cps: Vec<u32> =
            plc.map(|p| p.chunks_exact(4).filter_map(|c| u32_at(c, 0)).collect()).unwrap_or_default();
        if cps.len() < 2 {
            return self.story(x, Some("header"), start, end, left);
        }
        for (i, w) in cps.windows(2).enumerate() {
            let kind = match i {
                0..=5 => "note separator",
                _ if matches!((i - 6) % 6, 2 | 3 | 5) => "footer",
                _ => "header",
            };
            let a = start.saturating_add(w[0]).min(end);
            let b = start.saturating_add(w[1]).min(end);
            if a < b {
                self.story(x, Some(kind), a, b, left);
            }
        }
    }

    /// Emits the paragraphs of CPs `start..end` under `sub`.
    fn story(&self, x: &mut Extractor<'_>, sub: Option<&str>, start: u32, end: u32, left: &mut usize) {
        if start >= end || x.budget.exhausted() {
            return;
        }
        let mut story = Story::new(sub, self.paras.spans.is_empty());
        let first = self.pieces.partition_point(|p| p.cp_end <= start);
        for piece in &self.pieces[first..] {
            if piece.cp >= end {
                break;
            }
            let a = piece.cp.max(start);
            let b = piece.cp_end.min(end);
            let width = if piece.compressed { 1 } else { 2 };
            for k in (a - piece.cp) as usize..(b - piece.cp) as usize {
                if *left == 0 || x.budget.exhausted() {
                    return story.finish(x);
                }
                *left -= 1;
                let fc = piece.fc + k * width;
                let unit = if piece.compressed {
                    match self.word.get(fc) {
                        Some(&b) => cp1252(b) as u16,
                        None => break,
                    }
                } else {
                    match u16_at(self.word, fc) {
                        Some(u) => u,
                        None => break,
                    }
                };
                story.unit(x, unit, self.chars.at(fc), self.paras.at(fc));
            }
        }
        story.finish(x);
    }
}

/// The pieces of the piece table in a CLX: property lists (`Prc`) first, then the `Pcdt`.
fn pieces(clx: &[u8]) -> Option<Vec<Piece>> {
    let mut at = 0;
    while *clx.get(at)? == 1 {
        let cb = u16_at(clx, at + 1)? as i16;
        at += 3 + usize::try_from(cb).ok()?;
    }
    if *clx.get(at)? != 2 {
        return None;
    }
    let lcb = u32_at(clx, at + 1)? as usize;
    let plc = slice_at(clx, at + 5, lcb)?;
    let n = plc.len().checked_sub(4)? / 12;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (cp, cp_end) = (u32_at(plc, 4 * i)?, u32_at(plc, 4 * (i + 1))?);
        let fc = u32_at(plc, 4 * (n + 1) + 8 * i + 2)?;
        let compressed = fc & FC_COMPRESSED != 0;
        let fc = if compressed { ((fc & !FC_COMPRESSED) / 2) as usize } else { fc as usize };
        if cp < cp_end {
            out.push(Piece { cp, cp_end, fc, compressed });
        }
    }
    // In order, none over another: a CP is read once, and each region finds its first piece
    // by a binary search, however many pieces and regions a file lists.
    out.sort_unstable_by_key(|p| p.cp);
    let mut end = 0;
    out.retain_mut(|p| {
        if p.cp < end {
            let skip = (end - p.cp) as usize;
            p.fc += if p.compressed { skip } else { 2 * skip };
            p.cp = end;
        }
        end = end.max(p.cp_end);
        p.cp < p.cp_end
    });
    (!out.is_empty()).then_some(out)
}

/// The paragraph being read in one story, with the state of fields and table cells.
struct Story<'s> {
    sub: Option<&'s str>,
    text: String,
    marks: Vec<Mark>,
    /// Open fields, innermost last: `true` while in its code (before its separator).
    fields: Vec<bool>,
    /// Fields opened beyond those followed (nesting deeper than any document has).
    too_deep: usize,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
    /// No paragraph properties were found: a row ends at a cell mark right after another.
    guess_rows: bool,
    last_was_cell: bool,
}

/// The deepest nesting of fields followed.
const MAX_FIELDS: usize = 64;

impl<'s> Story<'s> {
    fn new(sub: Option<&'s str>, guess_rows: bool) -> Story<'s> {
        Story {
            sub,
            text: String::new(),
            marks: Vec::new(),
            fields: Vec::new(),
            too_deep: 0,
            high: None,
            guess_rows,
            last_was_cell: false,
        }
    }

    /// One UTF-16 unit of the story, with the flags of its character and paragraph.
    fn unit(&mut self, x: &mut Extractor<'_>, u: u16, chars: u8, para: u8) {
        let chars = if hidden(chars, para) { HIDDEN } else { 0 };
        let cell = self.last_was_cell;
        self.last_was_cell = false;
        match u {
            0x13 => {
                if self.fields.len() < MAX_FIELDS {
                    self.fields.push(true);
                } else {
                    self.too_deep += 1;
                }
            }
            0x14 => {
                if self.too_deep == 0 {
                    if let Some(code) = self.fields.last_mut() {
                        *code = false;
                    }
                }
            }
            0x15 => {
                if self.too_deep > 0 {
                    self.too_deep -= 1;
                } else {
                    self.fields.pop();
                }
            }
            _ if self.too_deep > 0 || self.fields.iter().any(|&code| code) => {}
            0x0d if para & IN_TABLE != 0 => self.push(" ", chars),
            0x0d | 0x0c => self.end(x),
            0x07 => {
                let row_end = if self.guess_rows { cell } else { para & ROW_END != 0 };
                if row_end {
                    self.end(x);
                } else {
                    self.push(" | ", chars & !HIDDEN);
                    self.last_was_cell = true;
                }
            }
            0x09 => self.push("\t", chars),
            0x0b | 0x0e | 0xa0 => self.push(" ", chars),
            0x1e => self.push("-", chars),
            0xd800..=0xdbff => self.high = Some(u),
            0xdc00..=0xdfff => {
                if let Some(h) = self.high.take() {
                    let c = 0x10000 + ((u32::from(h) - 0xd800) << 10) + (u32::from(u) - 0xdc00);
                    if let Some(c) = char::from_u32(c) {
                        self.push(c.encode_utf8(&mut [0; 4]), chars);
                    }
                }
            }
            // Other controls: note references, pictures, separators, optional hyphens.
            0..=0x1f => {}
            _ => {
                if let Some(c) = char::from_u32(u32::from(u)) {
                    self.push(c.encode_utf8(&mut [0; 4]), chars);
                }
            }
        }
    }

    fn push(&mut self, s: &str, chars: u8) {
        let hidden = chars & HIDDEN != 0;
        if hidden != self.marks.last().is_some_and(|m| m.hidden) {
            self.marks.push(Mark { start: self.text.len(), cell: None, hidden });
        }
        self.text.push_str(s);
    }

    /// Ends the paragraph (or table row) and emits it.
    fn end(&mut self, x: &mut Extractor<'_>) {
        let trimmed = self.text.trim_end_matches([' ', '|']).len();
        self.text.truncate(trimmed);
        self.marks.retain(|m| m.start < trimmed);
        x.emit_block(self.sub, &self.text, &self.marks);
        self.text.clear();
        self.marks.clear();
    }

    /// Emits what is left of the story.
    fn finish(&mut self, x: &mut Extractor<'_>) {
        self.end(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_modifiers() {
        let none = Styles::default();
        // sprmCFBold (1 byte), sprmCFVanish on.
        assert_eq!(char_flags(&[0x35, 0x08, 1, 0x3c, 0x08, 1], &none), VANISH_ON);
        assert_eq!(char_flags(&[0x35, 0x08, 1], &none), 0);
        assert_eq!(char_flags(&[0x3c, 0x08, 0], &none), VANISH_OFF);
        assert_eq!(char_flags(&[0x3c, 0x08, 0x81], &none), VANISH_FLIP);
        // A tracked deletion is hidden whatever the styles say.
        assert_eq!(char_flags(&[0x00, 0x08, 0x81], &none), HIDDEN);
        assert!(hidden(HIDDEN | VANISH_OFF, 0));
        // sprmPFInTable, then sprmPFTtp after a variable-length modifier.
        assert_eq!(para_flags(&[0x16, 0x24, 1], 0, &none), IN_TABLE);
        assert_eq!(para_flags(&[0x15, 0xc6, 2, 9, 9, 0x17, 0x24, 1], 0, &none), ROW_END | IN_TABLE);
        // A modifier cut short ends the list.
        assert_eq!(para_flags(&[0x17, 0x24], 0, &none), 0);
        assert_eq!(char_flags(&[0x30, 0x4a, 1], &none), 0);
    }

    #[test]
    fn toggles_over_toggles() {
        use Toggle::*;
        for under in [false, true] {
            for (a, b) in
                [(Keep, On), (On, Keep), (On, Flip), (Flip, Flip), (Off, Flip), (Flip, Off), (Keep, Flip)]
            {
                // Applying two at once is applying one after the other.
                assert_eq!(a.then(b).over(under), b.over(a.over(under)), "{a:?} {b:?} {under}");
            }
        }
        for t in [Keep, On, Off, Flip] {
            assert_eq!(Toggle::from_flags(t.flags()), t);
        }
    }

    /// A style sheet of `styles`: (kind, base, character properties), each with a name and
    /// the property lists its kind has, the paragraph styles' first one empty.
    fn stsh(styles: &[(u16, u16, &[u8])]) -> Vec<u8> {
        // Stshi: cstd, cbSTDBaseInFile (10), and the rest of its 18 bytes.
        let mut out = 18u16.to_le_bytes().to_vec();
        let mut stshi = vec![0u8; 18];
        stshi[0..2].copy_from_slice(&(styles.len() as u16).to_le_bytes());
        stshi[2..4].copy_from_slice(&10u16.to_le_bytes());
        out.extend(stshi);
        for &(kind, base, chpx) in styles {
            let upxs: Vec<&[u8]> = if kind == 1 { vec![&[0, 0], chpx] } else { vec![chpx] };
            let mut std = vec![0u8; 10];
            std[2..4].copy_from_slice(&(kind | base << 4).to_le_bytes());
            std[4..6].copy_from_slice(&(upxs.len() as u16).to_le_bytes());
            std.extend([1, 0, b'S', 0, 0, 0]);
            for upx in upxs {
                std.extend((upx.len() as u16).to_le_bytes());
                std.extend(upx);
                if upx.len() % 2 == 1 {
                    std.push(0);
                }
            }
            out.extend((std.len() as u16).to_le_bytes());
            out.extend(std);
        }
        out
    }

    #[test]
    fn styles_hide_over_their_bases() {
        const ON: &[u8] = &[0x3c, 0x08, 1];
        const FLIP: &[u8] = &[0x3c, 0x08, 0x81];
        const BOLD: &[u8] = &[0x35, 0x08, 1];
        let sheet = stsh(&[
            (1, 0x0fff, BOLD), // 0: a paragraph style
            (1, 0, ON),        // 1: a paragraph style that hides
            (2, 0x0fff, ON),   // 2: a character style that hides (an odd-length list)
            (2, 2, BOLD),      // 3: based on it
            (2, 3, FLIP),      // 4: based on that, the opposite
            (2, 5, BOLD),      // 5: based on itself
            (7, 0x0fff, ON),   // 6: a kind not read
        ]);
        let styles = Styles::read(&sheet);
        let got: Vec<Toggle> = (0..8).map(|i| styles.vanish(i)).collect();
        use Toggle::*;
        assert_eq!(got, [Keep, On, On, On, Off, Keep, Keep, Keep]);
        // A run in style 3 is hidden, and shown by its own sprmCFVanish off.
        assert_eq!(char_flags(&[0x30, 0x4a, 3, 0], &styles), VANISH_ON);
        assert_eq!(char_flags(&[0x30, 0x4a, 3, 0, 0x3c, 0x08, 0], &styles), VANISH_OFF);
        // A paragraph in style 1 is hidden; a run in it flipped is not.
        assert_eq!(para_flags(&[], 1, &styles), STYLE_HIDDEN);
        assert!(hidden(0, STYLE_HIDDEN));
        assert!(!hidden(char_flags(&[0x3c, 0x08, 0x81], &styles), STYLE_HIDDEN));
        // Cut anywhere: no panic, and styles not described leave text as it is.
        for end in 0..sheet.len() {
            let _ = Styles::read(&sheet[..end]);
        }
        assert_eq!(Styles::read(&[]).vanish(1), Keep);
    }

    /// A CLX: `prc` (property lists), then a Pcdt of pieces at CPs `cps` stored at `fcs`.
    fn clx(prc: &[u8], cps: &[u32], fcs: &[u32]) -> Vec<u8> {
        let mut plc: Vec<u8> = cps.iter().flat_map(|cp| cp.to_le_bytes()).collect();
        for fc in fcs {
            plc.extend([0, 0]);
            plc.extend(fc.to_le_bytes());
            plc.extend([0, 0]);
        }
        let mut out = prc.to_vec();
        out.push(2);
        out.extend((plc.len() as u32).to_le_bytes());
        out.extend(plc);
        out
    }

    #[test]
    fn piece_table() {
        // One Prc, then a Pcdt of two pieces: 8-bit from byte 0x800, UTF-16 from 0x1000.
        let p = pieces(&clx(&[1, 2, 0, 0xaa, 0xbb], &[0, 5, 9], &[0x1000 | FC_COMPRESSED, 0x1000])).unwrap();
        assert_eq!(p.len(), 2);
        assert!(p[0].compressed && p[0].fc == 0x800 && p[0].cp_end == 5);
        assert!(!p[1].compressed && p[1].fc == 0x1000 && p[1].cp == 5);
        // Pieces out of order and over each other: in order, each CP once.
        let clx = clx(&[], &[10, 20, 0, 15], &[0x100, 0x200, 0x300]);
        let p = pieces(&clx).unwrap();
        let spans: Vec<(u32, u32, usize)> = p.iter().map(|p| (p.cp, p.cp_end, p.fc)).collect();
        assert_eq!(spans, [(0, 15, 0x300), (15, 20, 0x100 + 2 * 5)]);
        // A CLX without a Pcdt, or with a length past its end, is no piece table.
        assert!(pieces(&[1, 0, 0]).is_none());
        let mut cut = clx.clone();
        cut.truncate(clx.len() - 1);
        assert!(pieces(&cut).is_none());
    }
}
