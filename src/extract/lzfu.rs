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
//! `RAWSIZE` cannot reserve more than the input allows) and the budget.
//!
//! [MS-OXRTFCP]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxrtfcp/

use crate::model::Budget;

/// The dictionary every `LZFu` stream starts from ([MS-OXRTFCP] 2.1.2.1).
const PRELOAD: &[u8; 207] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// `COMPTYPE` of compressed data.
const LZFU: &[u8; 4] = b"LZFu";
/// `COMPTYPE` of data stored as it is.
const MELA: &[u8; 4] = b"MELA";

/// The RTF held in the compressed RTF stream `bytes`, charged to `budget` (and cut where it
/// ends); `None` when `bytes` is not compressed RTF.
pub(super) fn decompress(bytes: &[u8], budget: &Budget) -> Option<Vec<u8>> {
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
        return Some(data[..granted].to_vec());
    }
    if kind != LZFU {
        return None;
    }
    // Each two input bytes give at most 17 output bytes.
    let most = raw_size.min(data.len().saturating_mul(9));
    let cap = most.min(usize::try_from(budget.left()).unwrap_or(usize::MAX));
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
    if out.len() >= cap && cap < most {
        // Cut by the budget, not by the data: the budget says so.
        budget.run_out();
    }
    Some(out)
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
        let rtf = decompress(SPEC, &budget).unwrap();
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
        assert_eq!(decompress(&mela, &Budget::new(100)).unwrap(), body);
        assert_eq!(decompress(b"not compressed rtf", &Budget::new(100)), None);
        assert_eq!(decompress(b"short", &Budget::new(100)), None);
    }

    #[test]
    fn lying_sizes_and_the_budget() {
        // RAWSIZE of 4 GiB and COMPSIZE past the end: the output is what the data makes.
        let mut lying = SPEC.to_vec();
        lying[..8].copy_from_slice(&[0xff; 8]);
        let budget = Budget::new(1 << 20);
        assert_eq!(
            decompress(&lying, &budget).unwrap(),
            b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
        assert!(!budget.exhausted());
        // A budget of 10 bytes gives 10 bytes and says it ran out.
        let budget = Budget::new(10);
        assert_eq!(decompress(SPEC, &budget).unwrap(), b"{\\rtf1\\ans");
        assert!(budget.exhausted());
        // Data cut short ends where it ends.
        let cut = &SPEC[..30];
        assert!(decompress(cut, &Budget::new(1 << 20)).unwrap().starts_with(b"{\\rtf1\\ansi\\ansicpg125"));
    }
}
