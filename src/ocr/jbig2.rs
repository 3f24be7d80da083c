//! JBIG2 scans in PDF (`/JBIG2Decode`, with the `/JBIG2Globals` stream its pages share),
//! decoded by the `hayro-jbig2` crate (pure Rust, no `unsafe`) into the packed rows the PDF
//! filter gives: a white pixel is a 1 bit (JBIG2's 1 is black, the filter turns it over).
//!
//! The page's size is read from its page information segment before anything is decoded, and
//! must be the image's (`/Width` x `/Height`, charged to `max_ocr_pixels` by the caller): a
//! stream that says a bigger page is refused, so decoding never allocates past what was charged.

use hayro_jbig2::{DecodeSettings, Decoder, Globals, Page};

/// Decodes the embedded JBIG2 stream `data` (with `globals`, the `/JBIG2Globals` stream's
/// content) into `height` rows of `width` packed bits, first pixel in the high bit, 1 white.
pub(crate) fn decode(
    data: &[u8],
    globals: Option<&[u8]>,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, String> {
    let settings = DecodeSettings::default();
    let globals = match globals {
        Some(g) => {
            Some(Globals::new(g, &settings).map_err(|e| format!("its JBIG2 globals are damaged: {e}"))?)
        }
        None => None,
    };
    let page = Page::new_embedded(data, globals.as_ref(), &settings)
        .map_err(|e| format!("its JBIG2 image is damaged: {e}"))?;
    if (page.width(), page.height()) != (width, height) {
        return Err(format!(
            "its JBIG2 page is {} x {} pixels, its image {width} x {height}",
            page.width(),
            page.height()
        ));
    }
    let mut rows = Rows::new(width, height);
    page.decode(&mut rows).map_err(|e| format!("its JBIG2 image is damaged: {e}"))?;
    Ok(rows.out)
}

/// The decoder's output: packed rows, white where nothing was said.
struct Rows {
    out: Vec<u8>,
    row_bytes: usize,
    width: usize,
    /// The row and pixel written next.
    y: usize,
    x: usize,
}

impl Rows {
    fn new(width: u32, height: u32) -> Rows {
        let row_bytes = (width as usize).div_ceil(8);
        Rows { out: vec![0xff; row_bytes * height as usize], row_bytes, width: width as usize, y: 0, x: 0 }
    }
}

impl Decoder for Rows {
    fn push_pixel(&mut self, black: bool) {
        if black && self.x < self.width {
            if let Some(byte) = self.out.get_mut(self.y * self.row_bytes + self.x / 8) {
                *byte &= !(0x80 >> (self.x % 8));
            }
        }
        self.x += 1;
    }

    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        for _ in 0..chunk_count as usize * 8 {
            self.push_pixel(black);
        }
    }

    fn next_line(&mut self) {
        self.y += 1;
        self.x = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tests/ocr/letter.jb2`: a 1240 x 640 page, its page information segment's width at 11.
    fn letter() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocr/letter.jb2")).unwrap()
    }

    #[test]
    fn a_page_is_decoded_to_packed_rows_white_as_1() {
        let rows = decode(&letter(), None, 1240, 640).unwrap();
        assert_eq!(rows.len(), 155 * 640);
        let black: u32 = rows.iter().map(|b| b.count_zeros()).sum();
        // Five lines of text: some ink, mostly paper.
        assert!(black > 5_000 && (black as usize) < rows.len() * 8 / 10, "{black}");
        assert!(rows[..155 * 40].iter().all(|&b| b == 0xff), "the top margin is white");
    }

    #[test]
    fn a_page_bigger_than_the_image_is_refused_before_decoding() {
        let why = decode(&letter(), None, 1240, 600).unwrap_err();
        assert_eq!(why, "its JBIG2 page is 1240 x 640 pixels, its image 1240 x 600");
        let mut huge = letter();
        huge[11..19].copy_from_slice(&[0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff]);
        let why = decode(&huge, None, 1240, 640).unwrap_err();
        assert_eq!(why, "its JBIG2 page is 65535 x 65535 pixels, its image 1240 x 640");
    }

    #[test]
    fn damage_is_refused() {
        assert!(decode(b"", None, 8, 8).is_err());
        assert!(decode(&[0xff; 40], None, 8, 8).is_err());
        // Globals holding a symbol dictionary segment (type 0) of 5 zero bytes, too short.
        let globals = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0];
        assert!(decode(&letter(), Some(&globals), 1240, 640).unwrap_err().contains("globals"));
        // A stream cut short is refused or decoded as far as it goes, never past the page.
        let cut = letter();
        if let Ok(rows) = decode(&cut[..cut.len() / 2], None, 1240, 640) {
            assert_eq!(rows.len(), 155 * 640);
        }
    }
}
