//! Images decoded for OCR: by the `image` crate (PNG, JPEG, GIF, TIFF, BMP, WebP) under limits
//! set from the header before a pixel is decoded, turned into 8-bit grey; and the cheap test that
//! tells an image that may hold text from one that cannot (an icon, a photo) before Tesseract
//! spends time on it.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use super::Ocr;

/// What reading an image gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The text Tesseract read.
    Text(String),
    /// No text: passed over by the cheap test (an icon under 32 pixels, a photo), or Tesseract
    /// read nothing.
    NoText,
    /// The image would take the message past `max_ocr_pixels`: not read.
    OverBudget,
    /// The image could not be decoded, and why.
    Unreadable(String),
    /// OCR cannot run (no library, no language data), and why.
    Unavailable(String),
}

/// An image in 8-bit grey, one byte a pixel, row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    /// `width * height` bytes.
    pub(crate) pixels: Vec<u8>,
    /// Width in pixels.
    pub(crate) width: u32,
    /// Height in pixels.
    pub(crate) height: u32,
}

/// Images narrower or lower than this hold no text worth reading (icons, spacers, bullets).
pub(crate) const MIN_SIDE: u32 = 32;

/// The largest side an image may declare (the decoders refuse larger before allocating).
const MAX_SIDE: u32 = 65_535;

/// The most a decoder may allocate for one image, whatever the pixel allowance.
const MAX_ALLOC: u64 = 1 << 30;

/// The image formats read.
const FORMATS: [ImageFormat; 6] = [
    ImageFormat::Png,
    ImageFormat::Jpeg,
    ImageFormat::Gif,
    ImageFormat::Tiff,
    ImageFormat::Bmp,
    ImageFormat::WebP,
];

/// Whether `head` (the first bytes of a file) starts an image format OCR reads.
pub(crate) fn is_image(head: &[u8]) -> bool {
    image::guess_format(head).is_ok_and(|f| FORMATS.contains(&f))
}

/// Decodes the image file `bytes` into grey, charging its pixels to `ocr`'s allowance; an image
/// that cannot have text, does not fit the allowance or does not decode is the outcome to
/// report instead.
pub(crate) fn open(bytes: &[u8], ocr: &Ocr<'_>) -> Result<Gray, Outcome> {
    let reader = || ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok();
    let Some(format) = reader().and_then(|r| r.format()).filter(|f| FORMATS.contains(f)) else {
        return Err(Outcome::Unreadable("not an image format OCR reads".to_string()));
    };
    let (width, height) = match reader().map(|r| r.into_dimensions()) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(Outcome::Unreadable(format!("damaged {format:?} image: {e}"))),
        None => return Err(Outcome::Unreadable("not an image".to_string())),
    };
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(Outcome::NoText);
    }
    if width > MAX_SIDE || height > MAX_SIDE || !ocr.charge(width, height) {
        return Err(Outcome::OverBudget);
    }
    let pixels = u64::from(width) * u64::from(height);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // The decoded image in its widest colour type (RGBA, 16 bits a channel), and room for the
    // decoder's own buffers.
    limits.max_alloc = Some((pixels * 8 + (16 << 20)).min(MAX_ALLOC));
    let Some(mut r) = reader() else { return Err(Outcome::Unreadable("not an image".to_string())) };
    r.limits(limits);
    // A decoder that panics on a malformed image costs that image, never the scan.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.decode()));
    match decoded {
        Ok(Ok(image)) => {
            let grey = image.into_luma8();
            let (width, height) = grey.dimensions();
            Ok(Gray { pixels: grey.into_raw(), width, height })
        }
        Ok(Err(e)) => Err(Outcome::Unreadable(format!("damaged {format:?} image: {e}"))),
        Err(_) => Err(Outcome::Unreadable(format!("its {format:?} decoder failed"))),
    }
}

/// The number of points the cheap test samples on each axis (at most).
const SAMPLES: u32 = 128;

/// Whether `image` may hold text, judged from at most 128 x 128 sampled pixels: text on a
/// screen or a page stands on a background of one shade (the most common of 16 bands of grey
/// covers at least 40 % of the samples) and some samples stand far from it (ink). A photo
/// spreads over many shades; a blank or flat image has no ink. Images under 32 pixels a side
/// hold no text worth reading.
pub(crate) fn may_hold_text(image: &Gray) -> bool {
    if image.width < MIN_SIDE || image.height < MIN_SIDE {
        return false;
    }
    let (sx, sy) = (image.width.min(SAMPLES), image.height.min(SAMPLES));
    let mut bands = [0u32; 16];
    let at = |x: u32, y: u32| {
        let (px, py) = (x * image.width / sx, y * image.height / sy);
        image.pixels.get(py as usize * image.width as usize + px as usize).copied().unwrap_or(0)
    };
    for y in 0..sy {
        for x in 0..sx {
            bands[usize::from(at(x, y) >> 4)] += 1;
        }
    }
    let total = sx * sy;
    let (band, &count) = bands.iter().enumerate().max_by_key(|(_, c)| **c).unwrap_or((0, &0));
    if count * 100 < total * 40 {
        return false;
    }
    let background = band as i32 * 16 + 8;
    let ink: u32 = bands
        .iter()
        .enumerate()
        .filter(|(b, _)| (*b as i32 * 16 + 8 - background).abs() >= 80)
        .map(|(_, c)| *c)
        .sum();
    // At least one sample in 500 is ink.
    ink * 500 >= total
}

/// The pixels handed to Tesseract, their size and resolution: as they are, said to be at 96 dpi
/// (a screen's; without a resolution Tesseract guesses one and says so on standard error).
/// Screen text at 10-14 pt is read as it is (recall 454/455 on the screenshot fixtures), so
/// nothing is enlarged.
pub(crate) fn for_tesseract(image: &Gray) -> (std::borrow::Cow<'_, [u8]>, u32, u32, u32) {
    (std::borrow::Cow::Borrowed(&image.pixels), image.width, image.height, 96)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray(width: u32, height: u32, f: impl Fn(u32, u32) -> u8) -> Gray {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                pixels.push(f(x, y));
            }
        }
        Gray { pixels, width, height }
    }

    #[test]
    fn text_on_a_background_may_hold_text() {
        // White with black strokes: text-like.
        let page = gray(400, 100, |x, y| if y % 20 < 3 && x % 7 < 3 { 0 } else { 255 });
        assert!(may_hold_text(&page));
    }

    #[test]
    fn photos_flat_images_and_icons_do_not() {
        // Smoothly varying shades everywhere: a photo's spread.
        let photo = gray(300, 200, |x, y| ((x * 7 + y * 13) % 256) as u8);
        assert!(!may_hold_text(&photo));
        let flat = gray(300, 200, |_, _| 200);
        assert!(!may_hold_text(&flat));
        let icon = gray(16, 16, |x, _| if x % 2 == 0 { 0 } else { 255 });
        assert!(!may_hold_text(&icon));
    }

    #[test]
    fn image_formats_by_content() {
        assert!(is_image(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(is_image(&[0xff, 0xd8, 0xff, 0xe0]));
        assert!(is_image(b"GIF89a"));
        assert!(!is_image(b"ID3\x04"));
        assert!(!is_image(b"%PDF-1.7"));
    }
}
