//! Compressed RTF (`PR_RTF_COMPRESSED`), as Outlook stores message bodies: the LZFu format of
//! [MS-OXRTFCP] ("Rich Text Format (RTF) Compression Algorithm"), and its uncompressed form
//! `MELA`.
//!
//! The stream is a 16-byte header (`COMPSIZE`, `RAWSIZE`, `COMPTYPE`, `CRC`, little-endian)
//! and then, for `LZFu`, runs of one control byte and eight tokens: a literal byte (bit 0) or a
//! two-byte big-endian reference (bit 1) to 2..17 bytes of a 4,096-byte circular dictionary
//! that starts with a fixed 207-byte RTF preamble. A reference to the dictionary's own write
//! position ends the data.
//!
//! The sizes are not trusted: a `COMPSIZE` past the stream is cut to what is there, the CRC is
//! not checked (a bad one costs nothing but the check), and the output stops at the smallest
//! of `RAWSIZE`, what the input can make (at most 17 bytes for every two, so a lying
//! `RAWSIZE` cannot reserve more than the input allows), half the budget left (the other half
//! is for the text read from it), and [`MAX_RATIO`] times
//! the input (at least [`FLOOR`]): RTF is read whole, so its size is what a scan holds, and
//! that keeps it within a few times the message. Real bodies compress four or five times
//! (`strangeDate.msg` of `tests/outlook/`: 10,675 bytes to 47,515), so the last bound cuts only
//! bodies of more than a megabyte.
//!
//! [MS-OXRTFCP]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxrtfcp/

use crate::model::Budget;

/// The dictionary every `LZFu` stream starts from ([MS-OXRTFCP] 2.1.2.1).
const PRELOAD: &[u8; 207] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// `COMPTYPE` of compressed data.
const LZFU: &[u8; 4] = b"LZFu";
/// `COMPTYPE` of data stored as it is.
const MELA: &[u8; 4] = b"MELA";

/// How many times its compressed size an RTF body may grow to, past [`FLOOR`].
const MAX_RATIO: usize = 2;

/// What an RTF body may grow to whatever its compressed size.
const FLOOR: usize = 1 << 20;

/// What a compressed RTF stream holds.
#[derive(Debug)]
pub(super) struct Rtf {
    /// The RTF, as far as it was decompressed.
    pub(super) bytes: Vec<u8>,
    /// Whether it was cut at [`MAX_RATIO`] times its compressed size.
    pub(super) cut: bool,
    /// Whether it was cut for want of budget: the caller says the budget ran out
    /// ([`Budget::run_out`]) once it has read what there is.
    pub(super) out_of_budget: bool,
}

/// The RTF held in the compressed RTF stream `bytes`, charged to `budget` (and cut where it
/// ends); `None` when `bytes` is not compressed RTF.
pub(super) fn decompress(bytes: &[u8], budget: &Budget) -> Option<Rtf> {
    let header = bytes.get(..16)?;
    let word = |at: usize| u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let (comp_size, raw_size) = (word(0) as usize, word(4) as usize);
    // COMPSIZE counts the bytes after its own field: the data is what follows the header, cut
    // to what is there.
    let data = &bytes[16..bytes.len().min(comp_size.saturating_add(4)).max(16)];
    let kind = &header[8..12];
    if kind == MELA {
        let n = data.len().min(raw_size);
        let granted = budget.take(n as u64) as usize;
        return Some(Rtf { bytes: data[..granted].to_vec(), cut: false, out_of_budget: granted < n });
    }
    if kind != LZFU {
        return None;
    }
    // Each two input bytes give at most 17 output bytes.
    let most = raw_size.min(data.len().saturating_mul(9));
    let by_ratio = most.min(data.len().saturating_mul(MAX_RATIO).max(FLOOR));
    let cap = by_ratio.min(usize::try_from(budget.left() / 2).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(cap);
    let mut dict = [0u8; 4096];
    dict[..PRELOAD.len()].copy_from_slice(PRELOAD);
    let mut write = PRELOAD.len();
    let mut i = 0;
    'data: while i < data.len() {
        let control = data[i];
        i += 1;
        for bit in 0..8 {
            if out.len() >= cap {
                break 'data;
            }
            if control & (1 << bit) == 0 {
                let Some(&b) = data.get(i) else { break 'data };
                i += 1;
                out.push(b);
                dict[write] = b;
                write = (write + 1) % dict.len();
            } else {
                let Some(pair) = data.get(i..i + 2) else { break 'data };
                i += 2;
                let token = u16::from_be_bytes([pair[0], pair[1]]) as usize;
                let (offset, len) = (token >> 4, (token & 0xf) + 2);
                if offset == write {
                    break 'data;
                }
                for k in 0..len {
                    if out.len() >= cap {
                        break 'data;
                    }
                    let b = dict[(offset + k) % dict.len()];
                    out.push(b);
                    dict[write] = b;
                    write = (write + 1) % dict.len();
                }
            }
        }
    }
    budget.take(out.len() as u64);
    let full = out.len() >= cap;
    Some(Rtf {
        cut: full && by_ratio < most && cap == by_ratio,
        out_of_budget: full && cap < by_ratio,
        bytes: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of [MS-OXRTFCP] 3.1.1.1 (compressed): `{\rtf1\ansi\ansicpg1252\pard hello world}\r\n`.
    const SPEC: &[u8] = b"\x2d\x00\x00\x00\x2b\x00\x00\x00\x4c\x5a\x46\x75\xf1\xc5\xc7\xa7\x03\x00\x0a\x00\
        \x72\x63\x70\x67\x31\x32\x35\x42\x32\x0a\xf3\x20\x68\x65\x6c\x09\x00\x20\x62\x77\x05\xb0\x6c\x64\
        \x7d\x0a\x80\x0f\xa0";

    #[test]
    fn spec_example() {
        let budget = Budget::new(1 << 20);
        let rtf = decompress(SPEC, &budget).unwrap().bytes;
        assert_eq!(rtf, b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
    }

    #[test]
    fn stored_as_it_is() {
        let mut mela = Vec::new();
        let body = b"{\\rtf1 Jane Doe}";
        mela.extend((body.len() as u32 + 12).to_le_bytes());
        mela.extend((body.len() as u32).to_le_bytes());
        mela.extend(b"MELA\0\0\0\0");
        mela.extend(body);
        assert_eq!(decompress(&mela, &Budget::new(100)).unwrap().bytes, body);
        assert!(decompress(b"not compressed rtf", &Budget::new(100)).is_none());
        assert!(decompress(b"short", &Budget::new(100)).is_none());
    }

    #[test]
    fn lying_sizes_and_the_budget() {
        // RAWSIZE of 4 GiB and COMPSIZE past the end: the output is what the data makes.
        let mut lying = SPEC.to_vec();
        lying[..8].copy_from_slice(&[0xff; 8]);
        let budget = Budget::new(1 << 20);
        assert_eq!(
            decompress(&lying, &budget).unwrap().bytes,
            b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
        assert!(!budget.exhausted());
        // A budget of 20 bytes gives 10 bytes (half) and says it ran out.
        let budget = Budget::new(20);
        let rtf = decompress(SPEC, &budget).unwrap();
        assert_eq!(rtf.bytes, b"{\\rtf1\\ans");
        assert!(rtf.out_of_budget && !rtf.cut);
        // A stream of references only, each two bytes giving 17: cut at twice its size past
        // the floor, and said to be cut.
        let mut bomb = vec![0u8; 16];
        bomb[..8].copy_from_slice(&[0xff; 8]);
        bomb[8..12].copy_from_slice(LZFU);
        let mut write = PRELOAD.len();
        for _ in 0..(1 << 17) {
            bomb.extend_from_slice(&[0xff]); // eight references follow
            for _ in 0..8 {
                // 17 bytes from just past the write position (never at it, which would end).
                let token = (((write + 1) % 4096) << 4 | 15) as u16;
                bomb.extend(token.to_be_bytes());
                write = (write + 17) % 4096;
            }
        }
        let budget = Budget::new(1 << 30);
        let rtf = decompress(&bomb, &budget).unwrap();
        assert_eq!(rtf.bytes.len(), (bomb.len() - 16) * MAX_RATIO);
        assert!(rtf.cut && !rtf.out_of_budget && !budget.exhausted());
        // Data cut short ends where it ends.
        let cut = &SPEC[..30];
        assert!(decompress(cut, &Budget::new(1 << 20))
            .unwrap()
            .bytes
            .starts_with(b"{\\rtf1\\ansi\\ansicpg125"));
    }
}
