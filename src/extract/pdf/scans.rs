//! Scanned pages: a page with no text whose largest image (an image XObject of its resources)
//! is read by OCR (policy `ocr = true`, path `page 3 image`). A JPEG (`DCTDecode`) goes to the
//! image decoders as it is; raw pixels (no filter or `FlateDecode`, grey, RGB or CMYK, 1 or 8
//! bits a component) are inflated to just their size and turned grey here, and CCITT fax
//! (Group 4 and one-dimensional Group 3) is decoded to 1-bit rows by `ocr::ccitt`, JBIG2 (with
//! its `/JBIG2Globals`) by `ocr::jbig2`. Two-dimensional Group 3 and JPEG 2000 images are said
//! unreadable.

use pdf_extract::{Document, Object, ObjectId};

use crate::ocr::{ccitt, jbig2, Gray, Ocr, Outcome};

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
    let encoding = match filters.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["DCTDecode"] => return Some(ocr.read_file(image.content, page_dpi(doc, page, width))),
        [] => Encoding::Raw,
        ["FlateDecode"] => Encoding::Flate,
        ["CCITTFaxDecode"] => Encoding::Fax(fax_params(doc, dict)),
        ["JBIG2Decode"] => match jbig2_globals(doc, dict) {
            Ok(globals) => Encoding::Jbig2(globals),
            Err(why) => return Some(Outcome::Unreadable(why)),
        },
        _ => {
            let named = match filters.last().map(String::as_str) {
                Some("JPXDecode") => "JPEG 2000",
                _ => "an encoding",
            };
            return Some(Outcome::Unreadable(format!(
                "its scanned image is {named}, which OCR does not read"
            )));
        }
    };
    if !ocr.charge(width, height) {
        return Some(Outcome::OverBudget);
    }
    Some(match raw_gray(doc, dict, image.content, &encoding, width, height) {
        Ok(gray) => ocr.read(&Gray { dpi: page_dpi(doc, page, width).unwrap_or(gray.dpi), ..gray }),
        Err(why) => Outcome::Unreadable(why),
    })
}

/// The resolution of a scan `width` pixels wide that covers page `page` (the page's width in
/// points, its own `MediaBox` or one it inherits, over 72 points an inch).
fn page_dpi(doc: &Document, page: ObjectId, width: u32) -> Option<u32> {
    let mut node = doc.get_dictionary(page).ok()?;
    // A page's box may stand on its page tree nodes; a few steps up is as far as any goes.
    for _ in 0..8 {
        if let Ok(Object::Array(b)) = node.get(b"MediaBox").and_then(|o| doc.dereference(o).map(|(_, o)| o)) {
            let x = |i: usize| b.get(i).and_then(|o| o.as_float().ok()).map(f64::from);
            let points = (x(2)? - x(0)?).abs();
            return crate::ocr::resolution(f64::from(width), points / 72.0);
        }
        node = doc.get_dictionary(node.get(b"Parent").and_then(Object::as_reference).ok()?).ok()?;
    }
    None
}

/// How an image XObject's samples are stored.
enum Encoding {
    /// As they are.
    Raw,
    /// Deflated (`FlateDecode`), with a predictor or not.
    Flate,
    /// CCITT fax (`CCITTFaxDecode`), with these parameters: 1 bit a pixel.
    Fax(ccitt::Params),
    /// JBIG2 (`JBIG2Decode`), with the content of its `/JBIG2Globals` stream: 1 bit a pixel.
    Jbig2(Option<Vec<u8>>),
}

/// The content of a `JBIG2Decode` image's `/JBIG2Globals` stream (in its `/DecodeParms`, a
/// dictionary or an array with one for the filter), inflated when it is; `None` without one.
fn jbig2_globals(doc: &Document, dict: &pdf_extract::Dictionary) -> Result<Option<Vec<u8>>, String> {
    let resolve = |o: &Object| doc.dereference(o).ok().map(|(_, o)| o.clone());
    let parms = match dict.get(b"DecodeParms").ok().and_then(resolve) {
        Some(Object::Array(a)) => a.first().and_then(resolve),
        other => other,
    };
    let Some(Object::Dictionary(parms)) = parms else {
        return Ok(None);
    };
    match parms.get(b"JBIG2Globals").ok().and_then(resolve) {
        None => Ok(None),
        Some(Object::Stream(s)) => match s.dict.get(b"Filter") {
            Err(_) => Ok(Some(s.content)),
            Ok(_) => {
                s.decompressed_content().map(Some).map_err(|_| "its JBIG2 globals are damaged".to_string())
            }
        },
        Some(_) => Err("its JBIG2 globals are not a stream".to_string()),
    }
}

/// A `CCITTFaxDecode` image's `/DecodeParms` (a dictionary, or an array with one for the
/// filter), the PDF's defaults for what is missing.
fn fax_params(doc: &Document, dict: &pdf_extract::Dictionary) -> ccitt::Params {
    let resolve = |o: &Object| doc.dereference(o).ok().map(|(_, o)| o.clone());
    let parms = match dict.get(b"DecodeParms").ok().and_then(resolve) {
        Some(Object::Array(a)) => a.first().and_then(resolve),
        other => other,
    };
    let parms = match parms {
        Some(Object::Dictionary(d)) => d,
        _ => pdf_extract::Dictionary::new(),
    };
    let int = |key: &[u8]| parms.get(key).and_then(Object::as_i64).ok();
    let flag = |key: &[u8]| parms.get(key).and_then(Object::as_bool).ok();
    let default = ccitt::Params::default();
    ccitt::Params {
        k: int(b"K").unwrap_or(default.k),
        columns: int(b"Columns").and_then(|n| u32::try_from(n).ok()).unwrap_or(default.columns),
        rows: int(b"Rows").and_then(|n| u32::try_from(n).ok()).unwrap_or(default.rows),
        black_is_1: flag(b"BlackIs1").unwrap_or(default.black_is_1),
        byte_align: flag(b"EncodedByteAlign").unwrap_or(default.byte_align),
        end_of_line: flag(b"EndOfLine").unwrap_or(default.end_of_line),
    }
}

/// The raw pixels of an image XObject (inflated when `compressed`), in grey.
fn raw_gray(
    doc: &Document,
    dict: &pdf_extract::Dictionary,
    content: &[u8],
    encoding: &Encoding,
    width: u32,
    height: u32,
) -> Result<Gray, String> {
    let mask = dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
    let bits = match encoding {
        Encoding::Fax(_) | Encoding::Jbig2(_) => 1,
        _ if mask => 1,
        _ => dict.get(b"BitsPerComponent").and_then(Object::as_i64).unwrap_or(8),
    };
    // `/Decode [1 0]`: a 1-bit image's 0 and 1 swapped.
    let swapped = match dict.get(b"Decode").ok().and_then(|o| doc.dereference(o).ok()) {
        Some((_, Object::Array(a))) => a.first().and_then(|o| o.as_float().ok()).is_some_and(|v| v >= 0.5),
        _ => false,
    };
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
    let data = match encoding {
        Encoding::Raw => std::borrow::Cow::Borrowed(content),
        Encoding::Flate => {
            let params = dict.get(b"DecodeParms").and_then(Object::as_dict).ok();
            let (inflated, _, _) = super::flate(content, size + 1, true);
            std::borrow::Cow::Owned(super::undo_predictor(inflated, params).unwrap_or_default())
        }
        Encoding::Fax(params) if params.columns != width => {
            return Err(format!("its fax rows are {} pixels wide, its image {width}", params.columns))
        }
        Encoding::Fax(params) => std::borrow::Cow::Owned(ccitt::decode(content, params, height)?),
        Encoding::Jbig2(globals) => {
            std::borrow::Cow::Owned(jbig2::decode(content, globals.as_deref(), width, height)?)
        }
    };
    if data.len() < size {
        return Err("its image holds fewer pixels than it says".to_string());
    }
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for line in data[..size].chunks_exact(row) {
        for x in 0..width as usize {
            let grey = match (bits, components) {
                // A 1-bit grey image is white where its bit is 1; an image mask paints (in the
                // fill colour, taken as black) where its bit is 0 and leaves the page white
                // where 1: the same.
                (1, _) => {
                    if (line[x / 8] >> (7 - x % 8) & 1 == 1) != swapped {
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
    Ok(Gray { pixels, width, height, dpi: crate::ocr::SCREEN_DPI })
}
