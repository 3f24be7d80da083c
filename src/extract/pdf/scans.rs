//! Scanned pages: a page with no text whose largest image (an image XObject of its resources)
//! is read by OCR (policy `ocr = true`, path `page 3 image`). A JPEG (`DCTDecode`) goes to the
//! image decoders as it is; raw pixels (no filter or `FlateDecode`, grey, RGB or CMYK, 1 or 8
//! bits a component) are inflated to just their size and turned grey here. CCITT fax, JBIG2 and
//! JPEG 2000 images are said unreadable.

use pdf_extract::{Document, Object, ObjectId};

use crate::ocr::{Gray, Ocr, Outcome};

/// What OCR made of the largest image of page `page`, or `None` when the page has no image.
pub(super) fn page_image(doc: &Document, page: ObjectId, ocr: &Ocr<'_>) -> Option<Outcome> {
    let images = doc.get_page_images(page).ok()?;
    let image = images.into_iter().max_by_key(|i| i.width.max(0).saturating_mul(i.height.max(0)))?;
    let (Ok(width), Ok(height)) = (u32::try_from(image.width), u32::try_from(image.height)) else {
        return Some(Outcome::Unreadable("its image has no size".to_string()));
    };
    if width < crate::ocr::MIN_SIDE || height < crate::ocr::MIN_SIDE {
        return Some(Outcome::NoText);
    }
    let filters = image.filters.unwrap_or_default();
    let dict = image.origin_dict;
    match filters.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["DCTDecode"] => Some(ocr.read_file(image.content)),
        [] | ["FlateDecode"] => {
            if !ocr.charge(width, height) {
                return Some(Outcome::OverBudget);
            }
            let compressed = !filters.is_empty();
            Some(match raw_gray(doc, dict, image.content, compressed, width, height) {
                Ok(gray) => ocr.read(&gray),
                Err(why) => Outcome::Unreadable(why),
            })
        }
        _ => {
            let named = match filters.last().map(String::as_str) {
                Some("CCITTFaxDecode") => "CCITT fax",
                Some("JBIG2Decode") => "JBIG2",
                Some("JPXDecode") => "JPEG 2000",
                _ => "an encoding",
            };
            Some(Outcome::Unreadable(format!("its scanned image is {named}, which OCR does not read")))
        }
    }
}

/// The raw pixels of an image XObject (inflated when `compressed`), in grey.
fn raw_gray(
    doc: &Document,
    dict: &pdf_extract::Dictionary,
    content: &[u8],
    compressed: bool,
    width: u32,
    height: u32,
) -> Result<Gray, String> {
    let bits = dict.get(b"BitsPerComponent").and_then(Object::as_i64).unwrap_or(8);
    let mask = dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
    let space = dict.get(b"ColorSpace").ok().map(|o| doc.dereference(o).map(|(_, o)| o));
    let components = match space {
        _ if mask => 1,
        Some(Ok(Object::Name(n))) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" => 1,
            b"DeviceRGB" | b"CalRGB" => 3,
            b"DeviceCMYK" => 4,
            _ => return Err("its image's colour space is not read".to_string()),
        },
        None => 1,
        _ => return Err("its image's colour space is not read".to_string()),
    };
    if !(bits == 8 || (bits == 1 && components == 1)) {
        return Err(format!("its image has {bits} bits a component, which OCR does not read"));
    }
    let row = (width as usize * components * bits as usize).div_ceil(8);
    let size = row * height as usize;
    let data = if compressed {
        let params = dict.get(b"DecodeParms").and_then(Object::as_dict).ok();
        let (inflated, _, _) = super::flate(content, size + 1, true);
        super::undo_predictor(inflated, params).unwrap_or_default()
    } else {
        content.to_vec()
    };
    if data.len() < size {
        return Err("its image holds fewer pixels than it says".to_string());
    }
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for line in data[..size].chunks_exact(row) {
        for x in 0..width as usize {
            let grey = match (bits, components) {
                // An image mask paints where its bit is 0; a 1-bit grey image is white where 1.
                (1, _) => {
                    let on = line[x / 8] >> (7 - x % 8) & 1 == 1;
                    if on != mask {
                        255
                    } else {
                        0
                    }
                }
                (_, 1) => line[x],
                (_, 3) => {
                    let p = &line[x * 3..x * 3 + 3];
                    ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
                }
                _ => {
                    let p = &line[x * 4..x * 4 + 4];
                    let ink = (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3 + u32::from(p[3]);
                    255 - ink.min(255) as u8
                }
            };
            pixels.push(grey);
        }
    }
    Ok(Gray { pixels, width, height })
}
