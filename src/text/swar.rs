//! Eight bytes at a time: tests on the bytes of a `u64` (a little-endian load of text), each
//! answering with the high bit of every byte that passes.

/// 0x01 in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte: the bit the tests answer with.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is in `lo..=hi`, and no other bit. `lo` and `hi` are
/// printable ASCII (`!` to `~`) or a space; a byte of 0x80 or more never passes.
///
/// "hasbetween" from Bit Twiddling Hacks, exact for every byte: each byte's low seven bits are
/// at most 0x7f, so no subtraction borrows from and no addition carries into its neighbour.
#[inline]
pub(crate) fn between(x: u64, lo: u8, hi: u8) -> u64 {
    let (below, above) = (lo as u64 - 1, hi as u64 + 1);
    let low7 = x & (ONES * 127);
    (ONES * (127 + above)).wrapping_sub(low7) & !x & (low7 + ONES * (127 - below)) & HIGH
}

/// [`between`] for an `x` whose bytes are all below 0x80 (ASCII), in fewer steps: a byte's high
/// bit is set in `x + (0x80 - lo)` when it is `lo` or more, and clear in `x + (0x7f - hi)` when
/// it is `hi` or less; no sum carries into the next byte.
#[inline]
pub(crate) fn between_ascii(x: u64, lo: u8, hi: u8) -> u64 {
    debug_assert_eq!(x & HIGH, 0);
    (x + (0x80 - lo as u64) * ONES) & !(x + (0x7f - hi as u64) * ONES) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_answered_alone() {
        for (lo, hi) in [(b' ', b' '), (b'0', b'9'), (b'A', b'Z'), (b'a', b'z'), (b'!', b'~')] {
            for b in 0..=255u8 {
                // The byte among neighbours that pass, fail, sit just outside the range or
                // have their high bit set.
                for other in [lo, hi, lo - 1, hi + 1, 0, 0x80, 0xff, b' '] {
                    let mut bytes = [other; 8];
                    bytes[3] = b;
                    let got = between(u64::from_le_bytes(bytes), lo, hi);
                    for (k, &c) in bytes.iter().enumerate() {
                        let want = (lo..=hi).contains(&c);
                        assert_eq!(got >> (8 * k + 7) & 1 == 1, want, "{c:#x} in {lo:#x}..={hi:#x}");
                    }
                    assert_eq!(got & !HIGH, 0);
                    let x = u64::from_le_bytes(bytes);
                    if x & HIGH == 0 {
                        assert_eq!(between_ascii(x, lo, hi), got, "{bytes:?}");
                    }
                }
            }
        }
    }
}
