//! Images decoded for OCR: by the `image` crate (PNG, JPEG, GIF, TIFF, BMP, WebP) under limits
//! set from the header before a pixel is decoded, turned into 8-bit grey; and the cheap test that
//! tells an image that may hold text from one that cannot (an icon, a photo) before Tesseract
//! spends time on it.

use std::io::{BufRead, Cursor, Read, Seek, SeekFrom};

use image::codecs::gif::GifDecoder;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

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
    /// Its resolution in dots an inch: a scan's, when its file says (a TIFF's tags, a PNG's
    /// `pHYs`, a JPEG's JFIF header, a BMP's header, a PDF page's size), else a screen's
    /// ([`SCREEN_DPI`]).
    pub(crate) dpi: u32,
}

/// The resolution of an image whose file does not say: a screen's.
pub(crate) const SCREEN_DPI: u32 = 96;

/// A resolution of `dots` over `inches` when it is one a scan or a screen has (50 to 1200 dots
/// an inch), else `None`.
pub(crate) fn resolution(dots: f64, inches: f64) -> Option<u32> {
    let dpi = (dots / inches).round();
    (50.0..=1200.0).contains(&dpi).then_some(dpi as u32)
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

/// Decodes the image file `bytes` into grey (its first page or frame), charging its pixels to
/// `ocr`'s allowance; an image that cannot have text, does not fit the allowance or does not
/// decode is the outcome to report instead.
pub(crate) fn open(bytes: &[u8], ocr: &Ocr<'_>) -> Result<Gray, Outcome> {
    let image = open_from(|| Cursor::new(bytes), ocr)?;
    Ok(Gray { dpi: file_resolution(bytes).unwrap_or(image.dpi), ..image })
}

/// The resolution a PNG, JPEG or BMP file gives for its pixels, as the `tesseract` command
/// (Leptonica) reads it: a PNG's `pHYs` chunk in pixels a metre, a JPEG's JFIF header in dots an
/// inch or a centimetre, a BMP's pixels a metre; `None` when the file gives none or one no scan
/// or screen has (a TIFF's is read page by page, by `tiff_dpi`).
pub(crate) fn file_resolution(bytes: &[u8]) -> Option<u32> {
    let at = |at: usize, n: usize| bytes.get(at..at.checked_add(n)?);
    let be16 = |i: usize| at(i, 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let be32 = |i: usize| at(i, 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let le32 = |i: usize| at(i, 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let per_metre = |dots: u32| resolution(f64::from(dots) * 0.0254, 1.0);
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // The chunks before the image data: length, type, data, CRC. `pHYs` holds pixels a
        // unit across, down, and the unit (1: the metre; 0: none, an aspect ratio only).
        let mut i = 8usize;
        loop {
            let len = usize::try_from(be32(i)?).ok()?;
            match at(i + 4, 4)? {
                b"pHYs" if len == 9 && at(i + 16, 1)? == [1] => return per_metre(be32(i + 8)?),
                b"IDAT" | b"IEND" => return None,
                _ => i = i.checked_add(12)?.checked_add(len)?,
            }
        }
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff, 0xe0]) && at(6, 5)? == b"JFIF\0" {
        // The JFIF segment, first after the start of image: units (1: inch, 2: centimetre;
        // 0: none, an aspect ratio only), then dots a unit across.
        let dots = f64::from(be16(14)?);
        match at(13, 1)? {
            [1] => resolution(dots, 1.0),
            [2] => resolution(dots * 2.54, 1.0),
            _ => None,
        }
    } else if bytes.starts_with(b"BM") && le32(14)? >= 40 {
        // A BITMAPINFOHEADER (or a later one): pixels a metre across at 38.
        per_metre(le32(38)?)
    } else {
        None
    }
}

/// [`open`] for an image read from the readers `source` makes (one to guess the format, one for
/// the size, one to decode).
fn open_from<R: BufRead + Seek>(source: impl Fn() -> R, ocr: &Ocr<'_>) -> Result<Gray, Outcome> {
    let reader = || ImageReader::new(source()).with_guessed_format().ok();
    let Some(format) = reader().and_then(|r| r.format()).filter(|f| FORMATS.contains(f)) else {
        return Err(Outcome::Unreadable("not an image format OCR reads".to_string()));
    };
    let (width, height) = match reader().map(|r| r.into_dimensions()) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(Outcome::Unreadable(format!("damaged {format:?} image: {e}"))),
        None => return Err(Outcome::Unreadable("not an image".to_string())),
    };
    let limits = fit(width, height, ocr)?;
    let Some(mut r) = reader() else { return Err(Outcome::Unreadable("not an image".to_string())) };
    r.limits(limits);
    // A decoder that panics on a malformed image costs that image, never the scan.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.decode()));
    match decoded {
        Ok(Ok(image)) => Ok(grey(image)),
        Ok(Err(e)) => Err(Outcome::Unreadable(format!("damaged {format:?} image: {e}"))),
        Err(_) => Err(Outcome::Unreadable(format!("its {format:?} decoder failed"))),
    }
}

/// Charges a `width` x `height` image (or page, or frame) to the allowance and gives the
/// decoder's limits for it: exactly that size, and at most 8 bytes a pixel (RGBA, 16 bits a
/// channel) and room for the decoder's own buffers. An image under 32 pixels a side is
/// `NoText` and costs nothing.
fn fit(width: u32, height: u32, ocr: &Ocr<'_>) -> Result<Limits, Outcome> {
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
    limits.max_alloc = Some((pixels * 8 + (16 << 20)).min(MAX_ALLOC));
    Ok(limits)
}

/// A decoded image in 8-bit grey.
fn grey(image: DynamicImage) -> Gray {
    let grey = image.into_luma8();
    let (width, height) = grey.dimensions();
    Gray { pixels: grey.into_raw(), width, height, dpi: SCREEN_DPI }
}

/// What is handed each page or frame decoded: its label (`page 2`; `None` for an image of one
/// page) and its pixels, or the outcome to report instead.
pub(crate) type Each<'e> = dyn FnMut(Option<&str>, Result<Gray, Outcome>) + 'e;

/// Decodes every page of a multi-page TIFF and every frame of an animated GIF in `bytes`, in
/// order, handing each to `each` with its label (`page 2`, `frame 3`); any other image, and a
/// TIFF or GIF of one image, is handed once with no label. Each page or frame is charged to
/// the allowance as it is decoded, and nothing more is decoded once one does not fit. A GIF
/// frame the same as the frame read before it (an animation that holds still) is not handed
/// again.
pub(crate) fn each_image(bytes: &[u8], ocr: &Ocr<'_>, each: &mut Each<'_>) {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Tiff) => tiff_pages(bytes, ocr, each),
        Ok(ImageFormat::Gif) => gif_frames(bytes, ocr, each),
        _ => each(None, open(bytes, ocr)),
    }
}

/// The pages of a TIFF: its directories are walked by the `tiff` crate, and each page is
/// decoded by the image crate from the file with its header pointed at that page's directory.
fn tiff_pages(bytes: &[u8], ocr: &Ocr<'_>, each: &mut Each<'_>) {
    let walk = std::panic::catch_unwind(|| tiff::decoder::Decoder::new(Cursor::new(bytes)));
    let Ok(Ok(mut walk)) = walk else {
        // A damaged header: the image decoder says how.
        return each(None, open(bytes, ocr));
    };
    if !walk.more_images() {
        return each(None, open(bytes, ocr));
    }
    for page in 1.. {
        let label = format!("page {page}");
        let image = match walk.ifd_pointer() {
            Some(_) if page == 1 => open(bytes, ocr),
            Some(ifd) => match Repointed::new(bytes, ifd.0) {
                Some(file) => open_from(|| file.clone(), ocr),
                None => Err(Outcome::Unreadable("its pages are not where its header says".to_string())),
            },
            None => Err(Outcome::Unreadable("its pages are not where its header says".to_string())),
        };
        let dpi = tiff_dpi(&mut walk);
        let image = image.map(|image| Gray { dpi: dpi.unwrap_or(image.dpi), ..image });
        let spent = matches!(image, Err(Outcome::OverBudget));
        each(Some(&label), image);
        if spent || !walk.more_images() {
            return;
        }
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| walk.next_image()));
        if !matches!(next, Ok(Ok(()))) {
            let why = "its page directory is damaged (the pages after it are not read)".to_string();
            return each(Some(&format!("page {}", page + 1)), Err(Outcome::Unreadable(why)));
        }
    }
}

/// The horizontal resolution of the TIFF page `walk` stands on (`XResolution` in
/// `ResolutionUnit`s: inches unless 3, centimetres), when it has one a scan has.
fn tiff_dpi<R: Read + Seek>(walk: &mut tiff::decoder::Decoder<R>) -> Option<u32> {
    use tiff::decoder::ifd::Value;
    let (n, d) = match walk.find_tag(tiff::tags::Tag::XResolution).ok()?? {
        Value::Rational(n, d) => (f64::from(n), f64::from(d)),
        _ => return None,
    };
    let inches = match walk.find_tag_unsigned::<u16>(tiff::tags::Tag::ResolutionUnit).ok()? {
        Some(3) => d / 2.54,
        _ => d,
    };
    resolution(n, inches)
}

/// A TIFF file read as if its header named another directory as the first: the image crate
/// decodes the first page a header names, so each page is read as the first of its file.
#[derive(Clone)]
struct Repointed<'a> {
    /// The file.
    bytes: &'a [u8],
    /// Its header, with the first directory's offset replaced.
    head: [u8; 8],
    /// Where reading stands.
    at: usize,
}

impl<'a> Repointed<'a> {
    /// `bytes` with its header pointing at the directory at `offset`; `None` when the header
    /// is not a classic TIFF's (the image crate does not read BigTIFF) or the offset does not
    /// fit it.
    fn new(bytes: &'a [u8], offset: u64) -> Option<Repointed<'a>> {
        let offset = u32::try_from(offset).ok()?;
        let mut head = [0u8; 8];
        head.copy_from_slice(bytes.get(..8)?);
        let pointer = match &head[..4] {
            b"II*\0" => offset.to_le_bytes(),
            b"MM\0*" => offset.to_be_bytes(),
            _ => return None,
        };
        head[4..8].copy_from_slice(&pointer);
        Some(Repointed { bytes, head, at: 0 })
    }
}

impl BufRead for Repointed<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        Ok(match self.head.get(self.at..) {
            Some(head) if !head.is_empty() => head,
            _ => self.bytes.get(self.at..).unwrap_or_default(),
        })
    }

    fn consume(&mut self, n: usize) {
        self.at = self.at.saturating_add(n);
    }
}

impl Read for Repointed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Seek for Repointed<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let (base, by) = match to {
            SeekFrom::Start(at) => (0, i128::from(at)),
            SeekFrom::End(by) => (self.bytes.len() as i128, i128::from(by)),
            SeekFrom::Current(by) => (self.at as i128, i128::from(by)),
        };
        let Ok(at) = usize::try_from(base + by) else {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"));
        };
        self.at = at;
        Ok(at as u64)
    }
}

/// The frames of a GIF, composed on its canvas as a viewer shows them. Each frame decoded is
/// charged the canvas's pixels (composing it costs that much, whether it is read or not).
fn gif_frames(bytes: &[u8], ocr: &Ocr<'_>, each: &mut Each<'_>) {
    let Ok(decoder) = GifDecoder::new(Cursor::new(bytes)) else {
        return each(None, open(bytes, ocr));
    };
    let (width, height) = decoder.dimensions();
    let mut decoder = decoder;
    match fit(width, height, ocr).map(|limits| decoder.set_limits(limits)) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return each(None, Err(Outcome::Unreadable(format!("damaged Gif image: {e}")))),
        Err(outcome) => return each(None, Err(outcome)),
    }
    let mut frames = decoder.into_frames();
    let mut next = || match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| frames.next())) {
        Ok(Some(Ok(frame))) => Some(Ok(grey(DynamicImage::ImageRgba8(frame.into_buffer())))),
        Ok(Some(Err(e))) => Some(Err(Outcome::Unreadable(format!("damaged Gif image: {e}")))),
        Ok(None) => None,
        Err(_) => Some(Err(Outcome::Unreadable("its Gif decoder failed".to_string()))),
    };
    let Some(first) = next() else {
        return each(None, Err(Outcome::Unreadable("damaged Gif image: it has no frame".to_string())));
    };
    let Some(mut second) = next() else {
        // One frame: the image itself.
        return each(None, first);
    };
    let mut last = first.as_ref().ok().cloned();
    each(Some("frame 1"), first);
    for n in 2.. {
        let label = format!("frame {n}");
        if !ocr.charge(width, height) {
            return each(Some(&label), Err(Outcome::OverBudget));
        }
        match second {
            Ok(frame) if last.as_ref() == Some(&frame) => {}
            Ok(frame) => {
                each(Some(&label), Ok(frame.clone()));
                last = Some(frame);
            }
            Err(outcome) => return each(Some(&label), Err(outcome)),
        }
        match next() {
            Some(frame) => second = frame,
            None => return,
        }
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

/// The pixels handed to Tesseract, their size and resolution: as they are, at the image's
/// resolution (96 dpi, a screen's, unless its file says; without a resolution Tesseract guesses
/// one and says so on standard error, and a scan's matters: a 192-dpi dithered scan said to be
/// 96 dpi loses a line). Screen text at 10-14 pt is read as it is (recall 454/455 on the
/// screenshot fixtures), so nothing is enlarged.
pub(crate) fn for_tesseract(image: &Gray) -> (std::borrow::Cow<'_, [u8]>, u32, u32, u32) {
    (std::borrow::Cow::Borrowed(&image.pixels), image.width, image.height, image.dpi)
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
        Gray { pixels, width, height, dpi: SCREEN_DPI }
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

    /// What `each_image` hands on: each label with the size and first pixel of a decoded image,
    /// or the outcome instead.
    type Handed = Vec<(Option<String>, Result<(u32, u32, u8), Outcome>)>;

    fn each(bytes: &[u8], max_pixels: u64) -> Handed {
        let settings = super::super::Settings { languages: "eng".into(), max_pixels };
        let ocr = Ocr::new(&settings);
        let mut out = Vec::new();
        each_image(bytes, &ocr, &mut |label, image| {
            out.push((label.map(str::to_string), image.map(|i| (i.width, i.height, i.pixels[0]))));
        });
        out
    }

    /// A TIFF of grey pages, each `(width, height, shade)`.
    fn tiff_of(pages: &[(u32, u32, u8)]) -> Vec<u8> {
        use tiff::encoder::{colortype::Gray8, TiffEncoder};
        let mut out = std::io::Cursor::new(Vec::new());
        let mut e = TiffEncoder::new(&mut out).unwrap();
        for &(w, h, shade) in pages {
            e.write_image::<Gray8>(w, h, &vec![shade; (w * h) as usize]).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn every_tiff_page_is_decoded_under_the_allowance() {
        let pages = [(40, 40, 10), (50, 60, 20), (64, 33, 30)];
        let label = |n: usize| Some(format!("page {n}"));
        let tiff = tiff_of(&pages);
        let want: Vec<_> =
            pages.iter().enumerate().map(|(i, &(w, h, s))| (label(i + 1), Ok((w, h, s)))).collect();
        assert_eq!(each(&tiff, 1_000_000), want);
        // 1600 + 3000 pixels fit 5000; the third page (2112) does not, and ends it.
        let spent = each(&tiff, 5000);
        assert_eq!(spent[..2], want[..2]);
        assert_eq!(spent[2], (label(3), Err(Outcome::OverBudget)));
        // One page: no label. A page under 32 pixels a side: no text, and the pages go on.
        assert_eq!(each(&tiff_of(&[(40, 40, 7)]), 10_000), [(None, Ok((40, 40, 7)))]);
        let small = each(&tiff_of(&[(40, 40, 1), (8, 8, 2), (40, 40, 3)]), 10_000);
        assert_eq!(small[1], (label(2), Err(Outcome::NoText)));
        assert_eq!(small[2], (label(3), Ok((40, 40, 3))));
        // A second directory pointing back at the first (a loop): the walk ends there, said.
        let mut looped = tiff_of(&pages[..2]);
        let first = u32::from_le_bytes(looped[4..8].try_into().unwrap()) as usize;
        let entries = usize::from(u16::from_le_bytes(looped[first..first + 2].try_into().unwrap()));
        let next_at = first + 2 + entries * 12;
        let second = u32::from_le_bytes(looped[next_at..next_at + 4].try_into().unwrap()) as usize;
        let entries2 = usize::from(u16::from_le_bytes(looped[second..second + 2].try_into().unwrap()));
        let back = second + 2 + entries2 * 12;
        looped[back..back + 4].copy_from_slice(&(first as u32).to_le_bytes());
        let got = each(&looped, 1_000_000);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], want[0]);
        assert!(matches!(&got[1], (Some(l), Err(Outcome::Unreadable(_))) if l == "page 2"), "{got:?}");
    }

    /// A GIF of `frames`, each a 40 x 40 canvas in one shade.
    fn gif_of(frames: &[u8]) -> Vec<u8> {
        use image::codecs::gif::GifEncoder;
        let mut out = Vec::new();
        {
            let mut e = GifEncoder::new(&mut out);
            for &shade in frames {
                let buffer = image::RgbaImage::from_pixel(40, 40, image::Rgba([shade, shade, shade, 255]));
                e.encode_frame(image::Frame::new(buffer)).unwrap();
            }
        }
        out
    }

    #[test]
    fn every_distinct_gif_frame_is_decoded_under_the_allowance() {
        let frame = |n: u32| Some(format!("frame {n}"));
        // The second frame is the first again: not handed on, but charged (composed).
        let gif = gif_of(&[0, 0, 255, 0]);
        let want =
            vec![(frame(1), Ok((40, 40, 0))), (frame(3), Ok((40, 40, 255))), (frame(4), Ok((40, 40, 0)))];
        assert_eq!(each(&gif, 1_000_000), want);
        // 1600 pixels a frame: three fit 5000, the fourth does not.
        let spent = each(&gif, 5000);
        assert_eq!(spent[..2], want[..2]);
        assert_eq!(spent[2], (frame(4), Err(Outcome::OverBudget)));
        // One frame: the image itself.
        assert_eq!(each(&gif_of(&[128]), 10_000), [(None, Ok((40, 40, 128)))]);
    }

    #[test]
    fn the_resolution_a_file_gives() {
        // A PNG: signature, IHDR, then pHYs (300 dpi is 11811 pixels a metre) before IDAT.
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let phys = |ppm: u32, unit: u8| {
            let mut d = ppm.to_be_bytes().to_vec();
            d.extend_from_slice(&ppm.to_be_bytes());
            d.push(unit);
            d
        };
        let png = |chunks: &[Vec<u8>]| {
            let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
            p.extend(chunk(b"IHDR", &[0; 13]));
            chunks.iter().for_each(|c| p.extend_from_slice(c));
            p
        };
        assert_eq!(
            file_resolution(&png(&[chunk(b"pHYs", &phys(11811, 1)), chunk(b"IDAT", &[0])])),
            Some(300)
        );
        assert_eq!(
            file_resolution(&png(&[chunk(b"tEXt", b"a\0b"), chunk(b"pHYs", &phys(3780, 1))])),
            Some(96)
        );
        // No unit (an aspect ratio), after the image data, none at all, a size past the end.
        assert_eq!(file_resolution(&png(&[chunk(b"pHYs", &phys(11811, 0))])), None);
        assert_eq!(file_resolution(&png(&[chunk(b"IDAT", &[0]), chunk(b"pHYs", &phys(11811, 1))])), None);
        assert_eq!(file_resolution(&png(&[])), None);
        let mut long = png(&[]);
        long.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(file_resolution(&long), None);
        // A JPEG's JFIF header: dots an inch, a centimetre, or no unit.
        let jfif = |unit: u8, dots: u16| {
            let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
            j.extend_from_slice(b"JFIF\0\x01\x01");
            j.push(unit);
            j.extend_from_slice(&dots.to_be_bytes());
            j.extend_from_slice(&dots.to_be_bytes());
            j
        };
        assert_eq!(file_resolution(&jfif(1, 200)), Some(200));
        assert_eq!(file_resolution(&jfif(2, 118)), Some(300));
        assert_eq!(file_resolution(&jfif(0, 1)), None);
        assert_eq!(file_resolution(&jfif(1, 10)), None, "no scan has 10 dpi");
        assert_eq!(file_resolution(&jfif(1, 300)[..14]), None);
        // A BMP's info header: pixels a metre.
        let mut bmp = b"BM".to_vec();
        bmp.resize(14, 0);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.resize(38, 0);
        bmp.extend_from_slice(&3780u32.to_le_bytes());
        assert_eq!(file_resolution(&bmp), Some(96));
        assert_eq!(file_resolution(&bmp[..40]), None);
        let mut core = bmp.clone();
        core[14..18].copy_from_slice(&12u32.to_le_bytes());
        assert_eq!(file_resolution(&core), None, "an OS/2 core header gives no resolution");
        bmp[38..42].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(file_resolution(&bmp), None, "zero: none given");
        // A pHYs of the wrong length is passed over like any other chunk.
        assert_eq!(file_resolution(&png(&[chunk(b"pHYs", &[0; 8]), chunk(b"IDAT", &[0])])), None);
        // And what an image decoded from such a file is handed to Tesseract at.
        let mut encoded = Vec::new();
        image::GrayImage::from_pixel(40, 40, image::Luma([200]))
            .write_to(&mut Cursor::new(&mut encoded), ImageFormat::Png)
            .unwrap();
        let settings = super::super::Settings { languages: "eng".into(), max_pixels: 10_000 };
        assert_eq!(open(&encoded, &Ocr::new(&settings)).unwrap().dpi, SCREEN_DPI);
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut jpeg);
        encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(300));
        encoder.encode(&[200; 1600], 40, 40, image::ExtendedColorType::L8).unwrap();
        assert_eq!(open(&jpeg, &Ocr::new(&settings)).unwrap().dpi, 300);
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
