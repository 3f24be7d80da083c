//! PDF: the text of every page and the document information (title, author, subject,
//! keywords).
//!
//! The document is loaded by lopdf; before any text is drawn, maildlp inflates its streams
//! itself under the message's budget (so a compressed bomb stops at the limit), and breaks the
//! structures a reader would follow without end: a page tree whose `Parent` links form a cycle
//! or a very long chain, and drawings (form XObjects) that draw themselves or each other
//! exponentially often. Each page is then read by maildlp's own reader ([`text`]), or, in
//! fonts that reader leaves to it, by pdf-extract; a page pdf-extract cannot read costs only
//! that page.

use std::collections::{HashMap, HashSet};

use pdf_extract::{Dictionary, Document, Object, ObjectId};

use super::extractor::Extractor;
pub(super) use inside::Embedded;

mod inside;
#[cfg(feature = "ocr")]
mod scans;
mod text;

/// Longest `Parent` chain and deepest nesting of drawings followed.
const MAX_CHAIN: usize = 32;

/// Reads the PDF document in `bytes`: the text of every page, its annotations and form
/// fields, and the document information. Returns the files embedded in it, for the caller to
/// read as attachments.
pub(super) fn read(x: &mut Extractor<'_>, bytes: &[u8]) -> Vec<Embedded> {
    let objects = object_count(bytes);
    let most = most_objects(bytes.len());
    if objects > most {
        // lopdf's object model costs about a kilobyte an object, whatever maildlp reads of it.
        x.unreadable(&format!(
            "a PDF of {objects} objects, more than the {most} its size allows, was read for runs of text only"
        ));
        x.binary(bytes);
        return Vec::new();
    }
    let defused = defuse_streams(bytes, x.budget.left());
    let over_budget = defused.is_some();
    let bytes = defused.as_deref().unwrap_or(bytes);
    let mut embedded = Vec::new();
    let left_out = read_loaded(x, bytes, &mut embedded);
    if over_budget || left_out {
        // Streams past the budget were left out: the limit was met.
        x.budget.run_out();
    }
    embedded
}

/// How many pages a report names at most, of those a reader gave up on.
const PAGES_NAMED: usize = 5;

/// The reader that gave up on `pages` (numbers, with where a reader panicked on each, if one
/// did): `pdf: text of page 3 at pdf-extract-0.12.1/src/lib.rs:286`, `pdf: text of pages 2, 5`;
/// the first few pages, and the first place.
fn pages_reader(pages: &[(u32, Option<String>)]) -> String {
    let mut out = String::from(if pages.len() == 1 { "pdf: text of page " } else { "pdf: text of pages " });
    let named: Vec<String> = pages.iter().take(PAGES_NAMED).map(|(n, _)| n.to_string()).collect();
    out.push_str(&named.join(", "));
    if pages.len() > PAGES_NAMED {
        out.push_str(&format!(" and {} more", pages.len() - PAGES_NAMED));
    }
    if let Some(place) = pages.iter().find_map(|(_, p)| p.as_deref().filter(|p| !p.is_empty())) {
        out.push_str(" at ");
        out.push_str(place);
    }
    out
}

/// Reads the document, keeping its embedded files in `embedded`; `true` when a stream past
/// the budget was left out of it.
fn read_loaded(x: &mut Extractor<'_>, bytes: &[u8], embedded: &mut Vec<Embedded>) -> bool {
    // lopdf decrypts an encrypted file while it loads it, and then unpacks the object streams
    // its cross-reference points into with no limit (their encrypted bytes could not be counted
    // before). The file is loaded with the trailer's `/Encrypt` renamed instead (lopdf reads it
    // as it is, and the encrypted object streams do not inflate), then decrypted here, and its
    // object streams inflated under the budget like every other stream before they are unpacked.
    let hidden = hide_encryption(bytes);
    let loaded = match &hidden {
        Some(copy) => Document::load_mem_with_options(
            copy,
            pdf_extract::LoadOptions { filter: Some(keep_packed), ..Default::default() },
        ),
        None => Document::load_mem(bytes),
    };
    let mut doc = match loaded {
        Ok(d) => d,
        Err(pdf_extract::Error::Decryption(_)) => {
            x.encrypted("the PDF");
            return false;
        }
        Err(e) => {
            x.unreadable(&format!("not a readable PDF ({e})"));
            return false;
        }
    };
    let hidden_key = doc.trailer.iter().map(|(k, _)| k).find(|k| is_hidden_encrypt(k)).cloned();
    let encrypted = match hidden_key.and_then(|k| doc.trailer.remove(&k)) {
        Some(dict) => {
            doc.trailer.set("Encrypt", dict);
            true
        }
        None => doc.is_encrypted(),
    };
    // A document anyone may open (empty user password) is read; any other needs a password.
    if encrypted && !decrypt(&mut doc) {
        x.encrypted("the PDF");
        return false;
    }
    drop_font_programs(&mut doc);
    let left_out = inflate_streams(x, &mut doc);
    // Whenever the file was loaded with its object streams kept packed (an `/Encrypt` name
    // anywhere but the trailer is renamed too).
    if hidden.is_some() {
        unpack_object_streams(&mut doc);
    }
    info(x, &doc);
    if defuse_character_maps(&mut doc) {
        x.as_reader("pdf: character map", |x| {
            x.unreadable("a character map covering more than a million codes was left out")
        });
    }
    cut_parent_chains(&mut doc);
    if !untangle_drawings(&mut doc, x.budget.left()) {
        x.as_reader("pdf: drawings", |x| {
            x.unreadable(
                "drawings that draw themselves, nest too deep or are drawn too often were read one level deep",
            )
        });
    }
    // Each page by maildlp's own reader; a page it does not cover, by pdf-extract (a panic
    // inside it costs that page only).
    let mut dev = PageText::within(usize::try_from(x.budget.left()).unwrap_or(usize::MAX));
    let mut fonts = text::Fonts::default();
    // Pages neither reader read whole, with where a reader panicked on each (if one did).
    let (mut failed, mut in_part) = (Vec::new(), Vec::new());
    for (n, id) in doc.get_pages() {
        if dev.full {
            break;
        }
        dev.start(n);
        let ours =
            crate::panics::guarded(|| text::draw_page(&doc, id, &mut fonts, &mut dev, text::Coverage::Whole));
        if matches!(ours, Ok(Ok(()))) {
            dev.finish();
            continue;
        }
        dev.page = None;
        let theirs = crate::panics::guarded(|| pdf_extract::output_doc_page(&doc, &mut dev, n).is_ok());
        if dev.full {
            // Stopped at the end of the budget, not by the page: what was drawn stays.
            dev.finish();
        } else if !matches!(theirs, Ok(true)) {
            // Neither reader read the whole page: what maildlp's covers of it is still read.
            let panicked = [ours.err(), theirs.err()].into_iter().flatten().map(|c| c.place).next();
            dev.start(n);
            let some = crate::panics::guarded(|| {
                text::draw_page(&doc, id, &mut fonts, &mut dev, text::Coverage::InPart)
            });
            if matches!(some, Ok(Ok(()))) {
                dev.finish();
                in_part.push((n, panicked));
            } else {
                dev.page = None;
                failed.push((n, panicked.or(some.err().map(|c| c.place))));
            }
        }
    }
    for (n, text) in &dev.done {
        if x.budget.exhausted() {
            return left_out;
        }
        x.emit(Some(&format!("page {n}")), false, text, &[]);
    }
    // Pages with no text, when OCR is on: their largest image (a scan).
    #[cfg(feature = "ocr")]
    if let Some(ocr) = x.ocr {
        let texted: HashSet<u32> =
            dev.done.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(n, _)| *n).collect();
        for (n, id) in doc.get_pages() {
            if x.budget.exhausted() {
                return left_out;
            }
            if texted.contains(&n) {
                continue;
            }
            let scanned =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scans::page_image(&doc, id, ocr)));
            match scanned {
                Ok(Some(outcome)) => x.ocr_outcome(&format!("page {n} image"), outcome),
                Ok(None) => {}
                Err(_) => x.unreadable(&format!("the image of page {n} could not be read")),
            }
        }
    }
    for (n, text) in inside::annotations(&doc) {
        x.emit(Some(&format!("page {n} annotation")), false, &text, &[]);
    }
    for (name, value) in inside::form_fields(&doc) {
        x.emit(Some(&format!("form field {name}")), false, &value, &[]);
    }
    *embedded = inside::embedded_files(&doc);
    if !failed.is_empty() {
        x.as_reader(pages_reader(&failed), |x| {
            x.unreadable(&format!("{} page(s) of the PDF could not be read", failed.len()))
        });
    }
    if !in_part.is_empty() {
        x.as_reader(pages_reader(&in_part), |x| {
            x.unreadable(&format!(
                "{} page(s) of the PDF were read in part: text in fonts neither PDF reader covers was passed over",
                in_part.len()
            ))
        });
    }
    if dev.full {
        x.budget.run_out();
    }
    left_out
}

/// Collects the text of each page: characters in drawing order, a line break where the
/// baseline moves, a space where the gap to the previous glyph is wider than a fifth of the
/// text size.
struct PageText {
    /// The page being drawn and its text.
    page: Option<(u32, String)>,
    done: Vec<(u32, String)>,
    last_x_end: f64,
    last_y: f64,
    /// Bytes of text the pages may hold together (what the budget has left), the bytes the
    /// finished pages hold, and whether the text has met that end (nothing more is drawn).
    room: usize,
    used: usize,
    full: bool,
}

impl PageText {
    fn within(room: usize) -> PageText {
        PageText {
            page: None,
            done: Vec::new(),
            last_x_end: f64::NEG_INFINITY,
            last_y: 0.0,
            room,
            used: 0,
            full: false,
        }
    }

    fn start(&mut self, page_num: u32) {
        self.page = Some((page_num, String::new()));
        self.last_x_end = f64::NEG_INFINITY;
    }

    fn finish(&mut self) {
        if let Some(page) = self.page.take() {
            self.used += page.1.len();
            self.done.push(page);
        }
    }

    /// A glyph drawn at the text rendering matrix `trm` (`[a b c d e f]`), `width` in text
    /// space units.
    fn glyph(&mut self, trm: &[f64; 6], width: f64, font_size: f64, ch: &str) {
        let Some((_, text)) = self.page.as_mut() else {
            return;
        };
        // A page that draws the same text over and over (a form drawn thousands of times)
        // stops where the budget would.
        if self.used + text.len() + ch.len() + 1 > self.room {
            self.full = true;
            return;
        }
        // The glyph's size on the page: the font size, scaled by the text matrix (the square
        // root of its determinant is its scale).
        let scale = (trm[0] * trm[3] - trm[1] * trm[2]).abs().sqrt();
        let size = font_size.abs() * if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        let size = if size > 0.0 { size } else { 1.0 };
        let (x, y) = (trm[4], trm[5]);
        if !text.is_empty() {
            if (y - self.last_y).abs() > size * 0.5 {
                text.push('\n');
            } else if x > self.last_x_end + size * 0.2 || x + size < self.last_x_end {
                text.push(' ');
            }
        }
        text.push_str(ch);
        self.last_y = y;
        self.last_x_end = x + width * size;
    }
}

impl pdf_extract::OutputDev for PageText {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.start(page_num);
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.finish();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyph(&[trm.m11, trm.m12, trm.m21, trm.m22, trm.m31, trm.m32], width, font_size, ch);
        if self.full {
            // Stops pdf-extract drawing the page.
            return Err(pdf_extract::OutputError::FormatError(std::fmt::Error));
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// Before lopdf sees the file: the zlib data of every stream (what FlateDecode holds) is
/// inflated into nothing and counted, with lopdf's own fallback to raw deflate after the
/// first two bytes; a stream whose dictionary names LZW or ASCII85 (found as text before the
/// keyword: the dictionaries are not parsed here) is also counted through those filters in
/// order, and the larger count stands. lopdf unpacks object streams and cross-reference
/// streams while it loads, and inflates streams with predictors when they
/// are drawn, with no limit of its own. A stream that would take the total past what the
/// budget has left is blanked in a copy of the file (same length: every offset still holds),
/// and the rest of the document is still read; so is every stream once this pass has
/// inflated twice the budget (a file of a thousand bombs costs no more than two). Every
/// `stream` keyword is looked at, even inside another stream's data. `None` when nothing
/// was blanked.
fn defuse_streams(bytes: &[u8], left: u64) -> Option<Vec<u8>> {
    // What the streams left in place inflate to, and what this pass inflated in all.
    let (mut kept, mut work) = (0u64, 0u64);
    let work_cap = left.saturating_mul(2).saturating_add(1 << 20);
    let mut copy: Option<Vec<u8>> = None;
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], b"stream").map(|p| from + p) {
        from = at + 6;
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        let start = match bytes.get(at + 6..at + 8) {
            Some([b'\r', b'\n']) => at + 8,
            Some([b'\n' | b'\r', _]) => at + 7,
            _ => continue,
        };
        // The inflater is given the rest of the file: compressed data can hold the word
        // `endstream` (lopdf goes by `/Length`), so what it reads belongs to the stream.
        let data = &bytes[start..];
        let mut end = memchr::memmem::find(data, b"endstream").map_or(bytes.len(), |p| start + p);
        let filters = named_filters(&bytes[at.saturating_sub(DICT_WINDOW)..at]);
        let blank = work > work_cap || {
            let cap = left - kept;
            let (_, mut size, mut used) = flate(data, limit_of(cap), false);
            if filters.iter().any(|&f| f != Filter::Flate) {
                // The names may be another object's (a dictionary longer than the window):
                // whichever reading is larger counts.
                let (chain, chain_used) = chain_size(data, &filters, cap);
                if chain > size {
                    (size, used) = (chain, chain_used);
                }
            }
            work = work.saturating_add(size);
            if size <= cap {
                kept += size;
            }
            end = end.max(start + used);
            size > cap
        };
        if blank {
            copy.get_or_insert_with(|| bytes.to_vec())[start..end].fill(b' ');
        }
        // The search goes on from this keyword, not from the end of what was read: data that
        // inflates across the objects after it must not hide their streams from this pass.
    }
    copy
}

/// What lopdf's object model takes for one object, about (a dictionary of a few entries).
const OBJECT_COST: usize = 1 << 10;

/// The most objects a PDF of `len` bytes is loaded with: as many as twice its size pays for
/// at [`OBJECT_COST`] each, and at least 8 MiB's worth. Past it the document is read for runs
/// of text, as a file of no known format is, so that a scan holds to a few times the message.
fn most_objects(len: usize) -> usize {
    len.saturating_mul(2).max(8 << 20) / OBJECT_COST
}

/// The objects of a PDF, counted without loading it: `N G obj` headers, and the `/N` objects
/// each object stream (`/Type /ObjStm`) says it packs.
fn object_count(bytes: &[u8]) -> usize {
    let headers = memchr::memmem::find_iter(bytes, b" obj")
        .filter(|&at| !bytes.get(at + 4).is_some_and(u8::is_ascii_alphanumeric))
        .count();
    let packed: usize = memchr::memmem::find_iter(bytes, b"/ObjStm")
        .map(|at| {
            // The dictionary around the type: from the object's header to its stream keyword.
            let lo = memchr::memmem::rfind(&bytes[at.saturating_sub(DICT_WINDOW)..at], b"obj")
                .map_or(at.saturating_sub(DICT_WINDOW), |p| at.saturating_sub(DICT_WINDOW) + p);
            let hi = (at + DICT_WINDOW).min(bytes.len());
            let hi = memchr::memmem::find(&bytes[at..hi], b"stream").map_or(hi, |p| at + p);
            let dict = &bytes[lo..hi];
            memchr::memmem::find_iter(dict, b"/N")
                .filter_map(|p| {
                    let rest = &dict[p + 2..];
                    let rest = &rest[rest.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
                    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                    std::str::from_utf8(&rest[..digits.min(9)]).ok()?.parse::<usize>().ok()
                })
                .next()
                .unwrap_or(0)
        })
        .sum();
    headers.saturating_add(packed)
}

/// How far before a `stream` keyword its dictionary's filter names are looked for.
const DICT_WINDOW: usize = 1024;

/// A filter lopdf undoes when it reads a stream (it refuses every other).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Filter {
    Flate,
    Lzw,
    Ascii85,
}

impl Filter {
    fn from_name(name: &[u8]) -> Option<Filter> {
        match name {
            b"FlateDecode" => Some(Filter::Flate),
            b"LZWDecode" => Some(Filter::Lzw),
            b"ASCII85Decode" => Some(Filter::Ascii85),
            _ => None,
        }
    }
}

/// The filters named in the dictionary text before a `stream` keyword (from the last `obj`
/// keyword in `window`), in the order they are named: the order lopdf applies them.
fn named_filters(window: &[u8]) -> Vec<Filter> {
    let dict = memchr::memmem::rfind(window, b"obj").map_or(window, |p| &window[p..]);
    // `#` escapes in names (`/LZW#44ecode`) are undone, as lopdf undoes them.
    let unescaped;
    let dict = if dict.contains(&b'#') {
        unescaped = unescape_names(dict);
        &unescaped[..]
    } else {
        dict
    };
    let mut found: Vec<(usize, Filter)> = Vec::new();
    for (name, filter) in [
        (&b"/FlateDecode"[..], Filter::Flate),
        (b"/LZWDecode", Filter::Lzw),
        (b"/ASCII85Decode", Filter::Ascii85),
    ] {
        found.extend(memchr::memmem::find_iter(dict, name).map(|p| (p, filter)));
    }
    found.sort_unstable_by_key(|&(p, _)| p);
    found.into_iter().map(|(_, f)| f).collect()
}

/// `text` with every `#` followed by two hex digits replaced by the byte they spell.
fn unescape_names(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], text.get(i + 1).and_then(|&b| hex(b)), text.get(i + 2).and_then(|&b| hex(b))) {
            (b'#', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// What `data` through `filters` in turn costs: the sizes of all stages added up, as
/// [`inflate_streams`] charges them to the budget, counting no further than just past `cap`;
/// and how many bytes of `data` the first stage read. Stages before the last are decoded to
/// at most `cap + 1` bytes (more is over the budget anyway); the last is only counted. LZW
/// is read with and without early change (the stream's parameters are not read here), and
/// the larger counts.
fn chain_size(data: &[u8], filters: &[Filter], cap: u64) -> (u64, usize) {
    let mut total = 0u64;
    let mut stage = std::borrow::Cow::Borrowed(data);
    let mut first_used = data.len();
    for (n, &filter) in filters.iter().enumerate() {
        let limit = limit_of(cap - total);
        let keep = n + 1 < filters.len();
        let (out, size, used) = match filter {
            Filter::Flate => flate(&stage, limit, keep),
            Filter::Lzw => {
                let a = lzw_to(&stage, true, limit, keep);
                let b = lzw_to(&stage, false, limit, keep);
                if a.1 >= b.1 {
                    a
                } else {
                    b
                }
            }
            Filter::Ascii85 => {
                let end = memchr::memmem::find(&stage, b"~>").map_or(stage.len(), |p| p + 2);
                let mut out = ascii85(&stage[..end]);
                out.truncate(limit);
                let size = out.len() as u64;
                (out, size, end)
            }
        };
        if n == 0 {
            first_used = used;
        }
        total += size;
        if total > cap || !keep {
            return (total, first_used);
        }
        stage = std::borrow::Cow::Owned(out);
    }
    (total, first_used)
}

/// The most bytes a stage decodes to when `cap` are left: one more, enough to know it is over.
fn limit_of(cap: u64) -> usize {
    usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX)
}

/// `data` through FlateDecode as lopdf reads it: zlib, or when that gives nothing, raw deflate
/// after the first two bytes. See [`inflate_to`].
fn flate(data: &[u8], limit: usize, keep: bool) -> (Vec<u8>, u64, usize) {
    let zlib = inflate_to(data, true, limit, keep);
    if zlib.1 == 0 && data.len() > 2 {
        let (raw, size, used) = inflate_to(&data[2..], false, limit, keep);
        (raw, size, used + 2)
    } else {
        zlib
    }
}

/// `data` inflated (zlib or raw deflate) when `keep` (at most `limit` bytes of it), its size
/// (counted to just past `limit`), and how many bytes of `data` that read. A damaged stream
/// keeps what inflated before the damage.
fn inflate_to(data: &[u8], zlib: bool, limit: usize, keep: bool) -> (Vec<u8>, u64, usize) {
    let mut inflater = flate2::Decompress::new(zlib);
    let mut out = Vec::new();
    let mut chunk = [0u8; 32 << 10];
    while (inflater.total_out() as usize) < limit {
        let before = (inflater.total_in(), inflater.total_out());
        let input = &data[(before.0 as usize).min(data.len())..];
        let status = inflater.decompress(input, &mut chunk, flate2::FlushDecompress::None);
        if keep {
            push_within(&mut out, &chunk[..(inflater.total_out() - before.1) as usize], limit);
        }
        match status {
            Ok(flate2::Status::StreamEnd) | Err(_) => break,
            Ok(_) if (inflater.total_in(), inflater.total_out()) == before => break,
            Ok(_) => {}
        }
    }
    (out, inflater.total_out(), (inflater.total_in() as usize).min(data.len()))
}

/// `data` through LZW as lopdf reads it (most significant bit first, 8-bit symbols) when
/// `keep` (at most `limit` bytes of it), its size (counted to just past `limit`), and how
/// many bytes of `data` that read.
fn lzw_to(data: &[u8], early_change: bool, limit: usize, keep: bool) -> (Vec<u8>, u64, usize) {
    use weezl::{decode::Decoder, BitOrder, LzwStatus};
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let (mut out, mut size, mut read) = (Vec::new(), 0u64, 0);
    let mut chunk = [0u8; 32 << 10];
    while (size as usize) < limit {
        let r = decoder.decode_bytes(&data[read..], &mut chunk);
        read += r.consumed_in;
        size += r.consumed_out as u64;
        if keep {
            push_within(&mut out, &chunk[..r.consumed_out], limit);
        }
        match r.status {
            Ok(LzwStatus::Ok) => {}
            Ok(LzwStatus::Done | LzwStatus::NoProgress) | Err(_) => break,
        }
    }
    (out, size, read)
}

/// Appends as much of `bytes` as fits under `limit`, growing `out` no further than that.
fn push_within(out: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let take = bytes.len().min(limit.saturating_sub(out.len()));
    if out.capacity() - out.len() < take {
        out.reserve_exact(take.max(out.len()).min(limit - out.len()));
    }
    out.extend_from_slice(&bytes[..take]);
}

/// `data` through ASCII85 as lopdf reads it (at most four bytes for each byte read, so no
/// bomb); nothing when lopdf would refuse it.
fn ascii85(data: &[u8]) -> Vec<u8> {
    let dict = Dictionary::from_iter([("Filter", Object::Name(b"ASCII85Decode".to_vec()))]);
    pdf_extract::Stream::new(dict, data.to_vec()).decompressed_content().unwrap_or_default()
}

/// Replaces every compressed stream but images with its inflated bytes, charged to the
/// budget, PNG predictors undone (so that nothing is inflated again, unmetered, when it is
/// drawn). A stream that would take the budget past its end is left out (emptied, nothing
/// charged) and the others are still inflated, as [`defuse_streams`] leaves out what it can
/// count before loading (it cannot count an encrypted file's streams). Returns whether one was
/// left out.
fn inflate_streams(x: &mut Extractor<'_>, doc: &mut Document) -> bool {
    let mut left_out = false;
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        let is_image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image");
        // Filters lopdf would undo when the stream is read; any other makes it refuse the
        // stream, and a stream with none is read as it is.
        let filters: Option<Vec<Filter>> = match stream.filters() {
            Ok(f) => f.into_iter().map(Filter::from_name).collect(),
            Err(_) => None,
        };
        let Some(filters) = filters.filter(|f| !f.is_empty() && !is_image) else {
            continue;
        };
        let params = stream.dict.get(b"DecodeParms").and_then(Object::as_dict).ok();
        // Every stage is charged, as the pass before loading counts it. A stage decodes to one
        // byte past what the budget has left: enough to know it ran out, and no buffer grows
        // past it.
        let left = x.budget.left();
        let mut spent = 0u64;
        let mut out = std::mem::take(&mut stream.content);
        for filter in filters {
            let limit = limit_of(left - spent);
            let (decoded, size) = match filter {
                Filter::Flate => {
                    // A damaged stream keeps what inflated before the damage.
                    let (inflated, _, _) = flate(&out, limit, true);
                    let size = inflated.len() as u64;
                    // A predictor that does not fit the data leaves nothing to draw, as in
                    // lopdf (which undoes it after each Flate or LZW stage).
                    (undo_predictor(inflated, params).unwrap_or_default(), size)
                }
                Filter::Lzw => {
                    let early = params.and_then(|p| p.get(b"EarlyChange").ok()).and_then(|v| v.as_i64().ok())
                        != Some(0);
                    let (decoded, _, _) = lzw_to(&out, early, limit, true);
                    let size = decoded.len() as u64;
                    (undo_predictor(decoded, params).unwrap_or_default(), size)
                }
                Filter::Ascii85 => {
                    let decoded = ascii85(&out);
                    let size = decoded.len() as u64;
                    (decoded, size)
                }
            };
            out = decoded;
            spent = spent.saturating_add(size);
            if spent > left {
                break;
            }
        }
        if spent > left {
            out = Vec::new();
            left_out = true;
        } else {
            x.budget.take(spent);
        }
        stream.dict.remove(b"Filter");
        stream.dict.remove(b"DecodeParms");
        stream.set_plain_content(out);
    }
    left_out
}

/// What lopdf is shown in place of the name `Encrypt`: `Encrypx`, then as many `x` as keep the
/// name as long as it was written (`/Encr#79pt` is `Encrypt` too), so every offset holds.
const HIDDEN_ENCRYPT: &[u8] = b"Encrypx";

/// Whether `key` is a name [`hide_encryption`] wrote.
fn is_hidden_encrypt(key: &[u8]) -> bool {
    key.strip_prefix(HIDDEN_ENCRYPT).is_some_and(|rest| rest.iter().all(|&b| b == b'x'))
}

/// A copy of `bytes` in which every name lopdf would read as `Encrypt` (escapes undone, as
/// its parser undoes them; `/EncryptMetadata` is another name) is renamed as
/// [`HIDDEN_ENCRYPT`] says; `None` when there is none.
fn hide_encryption(bytes: &[u8]) -> Option<Vec<u8>> {
    // lopdf's name syntax: after `/`, `#` and two hex digits, or a byte that is neither white
    // space nor a delimiter nor `#`.
    let regular = |b: u8| !b" \t\n\r\0\x0C()<>[]{}/%#".contains(&b);
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut copy: Option<Vec<u8>> = None;
    for at in memchr::memchr_iter(b'/', bytes) {
        let (mut i, mut name) = (at + 1, Vec::new());
        while i < bytes.len() && name.len() <= 7 {
            match (bytes[i], bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b))) {
                (b'#', Some(hi), Some(lo)) => {
                    name.push((hi * 16 + lo) as u8);
                    i += 3;
                }
                (b, _, _) if regular(b) => {
                    name.push(b);
                    i += 1;
                }
                _ => break,
            }
        }
        // Seven bytes read and no eighth: the name ends here.
        if name == b"Encrypt" {
            let copy = copy.get_or_insert_with(|| bytes.to_vec());
            copy[at + 1..at + 8].copy_from_slice(HIDDEN_ENCRYPT);
            copy[at + 8..i].fill(b'x');
        }
    }
    copy
}

/// Decrypts a document loaded as it is (see [`hide_encryption`]) with the empty user
/// password, as lopdf would while loading it, but leaves its object streams packed. `false`
/// when it needs another password or its encryption cannot be read.
fn decrypt(doc: &mut Document) -> bool {
    use pdf_extract::encryption::decrypt_object;
    if doc.authenticate_password("").is_err() {
        return false;
    }
    let Ok(state) = pdf_extract::EncryptionState::decode(&*doc, "") else {
        return false;
    };
    // The encryption dictionary itself is not encrypted.
    let dictionary = doc.trailer.get(b"Encrypt").and_then(Object::as_reference).ok();
    for (&id, obj) in doc.objects.iter_mut() {
        if Some(id) != dictionary {
            // An object that does not decrypt is left as it is, as lopdf leaves it.
            let _ = decrypt_object(&state, id, obj);
        }
    }
    if let Some(id) = dictionary {
        doc.objects.remove(&id);
    }
    doc.trailer.remove(b"Encrypt");
    true
}

/// The type object streams of an encrypted file are loaded under, so that lopdf leaves them
/// packed (it would try to unpack their encrypted bytes, and drop them when that fails).
const PACKED: &[u8] = b"maildlp-ObjStm";

/// Renames the type of an object stream to [`PACKED`] as lopdf loads it (a load filter: what
/// it returns only says the object is kept).
fn keep_packed(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = obj {
        if stream.dict.has_type(b"ObjStm") {
            stream.dict.set("Type", Object::Name(PACKED.to_vec()));
        }
    }
    Some((id, Object::Null))
}

/// Adds the objects of the document's object streams (inflated by now, or emptied when past
/// the budget; one still compressed is behind a filter lopdf refuses, and is left packed)
/// where no object of the same number is loaded, as lopdf does.
fn unpack_object_streams(doc: &mut Document) {
    let mut unpacked = Vec::new();
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else { continue };
        if !stream.dict.has_type(PACKED) {
            continue;
        }
        stream.dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        if !stream.dict.has(b"Filter") {
            if let Ok(objects) = pdf_extract::ObjectStream::new(stream) {
                unpacked.extend(objects.objects);
            }
        }
    }
    for (id, obj) in unpacked {
        doc.objects.entry(id).or_insert(obj);
    }
}

/// Removes the embedded font programs pdf-extract reads nothing from (TrueType `FontFile2`,
/// and `FontFile3` of any kind but Type1C, whose encoding it reads), so that they are not
/// inflated: in a document made by an office suite they are most of the compressed bytes. A
/// program is removed only when nothing but font descriptors refers to it (a stream that is
/// also drawn, or that anything else names, stays).
fn drop_font_programs(doc: &mut Document) {
    // (descriptor, key, program) for each program pdf-extract would inflate and ignore.
    let mut programs: Vec<(ObjectId, &'static [u8], ObjectId)> = Vec::new();
    for (&id, obj) in &doc.objects {
        let Object::Dictionary(d) = obj else { continue };
        for key in [&b"FontFile2"[..], b"FontFile3"] {
            let Ok(program) = d.get(key).and_then(Object::as_reference) else { continue };
            let Ok(Object::Stream(stream)) = doc.get_object(program) else { continue };
            let type1c = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Type1C");
            if key == b"FontFile2" || !type1c {
                programs.push((id, key, program));
            }
        }
    }
    if programs.is_empty() {
        return;
    }
    // Every reference in the document, counted; a program whose count is more than the
    // descriptors' stays. Walked with a stack: nesting depth is the file's to choose.
    let mut refs: HashMap<ObjectId, usize> = programs.iter().map(|p| (p.2, 0)).collect();
    let mut stack: Vec<&Object> = doc.objects.values().collect();
    stack.extend(doc.trailer.iter().map(|(_, v)| v));
    while let Some(obj) = stack.pop() {
        match obj {
            Object::Reference(r) => {
                if let Some(n) = refs.get_mut(r) {
                    *n += 1;
                }
            }
            Object::Array(items) => stack.extend(items),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    let mut from_descriptors: HashMap<ObjectId, usize> = HashMap::new();
    for p in &programs {
        *from_descriptors.entry(p.2).or_default() += 1;
    }
    for (descriptor, key, program) in programs {
        if refs.get(&program) != from_descriptors.get(&program) {
            continue;
        }
        if let Some(Object::Dictionary(d)) = doc.objects.get_mut(&descriptor) {
            d.remove(key);
        }
        doc.objects.remove(&program);
    }
}

/// `data` with the PNG predictor of `params` undone, as lopdf undoes it (predictors 10 to
/// 15; any other leaves the data as it is). `None` when the rows the parameters describe
/// are longer than the data (lopdf would allocate them, however long, before failing) or
/// do not divide it.
fn undo_predictor(data: Vec<u8>, params: Option<&Dictionary>) -> Option<Vec<u8>> {
    let Some(params) = params else { return Some(data) };
    let number = |key: &[u8], default: i64| params.get(key).and_then(Object::as_i64).unwrap_or(default);
    if !(10..=15).contains(&number(b"Predictor", 1)) {
        return Some(data);
    }
    let columns = number(b"Columns", 1).max(1) as u64;
    let colors = number(b"Colors", 1).max(1) as u64;
    let bits = number(b"BitsPerComponent", 8).max(8) as u64;
    let pixel = colors.checked_mul(bits)? / 8;
    let row = pixel.checked_mul(columns)?;
    if row > data.len() as u64 {
        return None;
    }
    pdf_extract::filters::png::decode_frame(&data, pixel as usize, columns as usize).ok()
}

/// Title, author, subject, keywords, creator of the document information dictionary.
fn info(x: &mut Extractor<'_>, doc: &Document) {
    let Ok(info) = doc.trailer.get(b"Info").and_then(|o| doc.dereference(o)).and_then(|(_, o)| o.as_dict())
    else {
        return;
    };
    let mut lines = Vec::new();
    for key in [&b"Title"[..], b"Author", b"Subject", b"Keywords", b"Creator"] {
        if let Ok(Object::String(bytes, _)) = info.get(key).and_then(|o| doc.dereference(o)).map(|(_, o)| o) {
            lines.push(text_string(bytes));
        }
    }
    x.emit(Some("properties"), false, &lines.join("\n\n"), &[]);
}

/// A PDF text string: UTF-16BE with a byte-order mark, UTF-8 with one, or PDFDocEncoding
/// (read as Latin-1, which it equals for letters).
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// Cuts `Parent` links that close a cycle or make a chain longer than [`MAX_CHAIN`]: page
/// attributes are inherited by recursion up the chain.
fn cut_parent_chains(doc: &mut Document) {
    let mut cuts = Vec::new();
    for (_, page) in doc.get_pages() {
        let mut seen = HashSet::new();
        let mut at = page;
        loop {
            if !seen.insert(at) {
                break;
            }
            let Some(parent) =
                doc.get_object(at).and_then(Object::as_dict).ok().and_then(|d| d.get(b"Parent").ok())
            else {
                break;
            };
            let Ok(next) = parent.as_reference() else {
                break;
            };
            if seen.contains(&next) || seen.len() >= MAX_CHAIN {
                cuts.push(at);
                break;
            }
            at = next;
        }
    }
    for id in cuts {
        if let Some(Object::Dictionary(d)) = doc.objects.get_mut(&id) {
            d.remove(b"Parent");
        }
    }
}

/// The names a content stream draws with `/Name Do`, with their byte spans.
fn drawn_names(content: &[u8]) -> Vec<(Vec<u8>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&content[i..], b"Do") {
        let at = i + p;
        i = at + 2;
        let after_ok = content.get(at + 2).is_none_or(|b| b.is_ascii_whitespace() || b"/[<(".contains(b));
        let before = &content[..at];
        let name_end = before.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |e| e + 1);
        if !after_ok || name_end == at {
            continue;
        }
        let Some(slash) = before[..name_end].iter().rposition(|&b| b == b'/') else {
            continue;
        };
        let name = &before[slash + 1..name_end];
        if name.iter().all(|b| !b.is_ascii_whitespace() && !b"/[]<>()".contains(b)) {
            out.push((name.to_vec(), slash..at + 2));
        }
    }
    out
}

/// Most codes the ranges of one character map may cover.
const MAX_CMAP_CODES: u64 = 1 << 20;

/// Drops every character map (a stream with `beginbfrange`) whose ranges cover more than
/// [`MAX_CMAP_CODES`] codes: lopdf's ToUnicode reader and pdf-extract's both visit every code
/// of a range (lopdf for its reverse map, pdf-extract for its table), so
/// `<00000000> <FFFFFFFF> <0041>`, one line of a 300-byte stream, asked for four billion
/// entries and took the process down. The fonts that name one as their ToUnicode map lose it
/// (their text is read through their encoding), and the stream is emptied. `true` when one
/// was dropped.
fn defuse_character_maps(doc: &mut Document) -> bool {
    let mut dropped = HashSet::new();
    for (id, obj) in doc.objects.iter_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if memchr::memmem::find(&stream.content, b"beginbfrange").is_some()
            && codes_in_ranges(&stream.content) > MAX_CMAP_CODES
        {
            stream.set_plain_content(Vec::new());
            dropped.insert(*id);
        }
    }
    if dropped.is_empty() {
        return false;
    }
    for obj in doc.objects.values_mut() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        if dict.get(b"ToUnicode").and_then(Object::as_reference).is_ok_and(|r| dropped.contains(&r)) {
            dict.remove(b"ToUnicode");
        }
    }
    true
}

/// The codes the `bfrange` entries of a character map cover in all (each `<lo> <hi>` pair,
/// read as its last four bytes, as pdf-extract's parser reads codes), counted just past
/// [`MAX_CMAP_CODES`].
fn codes_in_ranges(cmap: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&cmap[at..], b"beginbfrange") {
        let start = at + p + b"beginbfrange".len();
        let end = memchr::memmem::find(&cmap[start..], b"endbfrange").map_or(cmap.len(), |e| start + e);
        let section = &cmap[start..end];
        // Each entry: two hex strings, then a destination (a hex string, an array or anything).
        let mut codes: Vec<u32> = Vec::with_capacity(2);
        let mut i = 0;
        while i < section.len() {
            let b = section[i];
            if b.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let token_end = match b {
                b'<' => section[i..].iter().position(|&c| c == b'>').map_or(section.len(), |e| i + e + 1),
                b'[' => section[i..].iter().position(|&c| c == b']').map_or(section.len(), |e| i + e + 1),
                b'%' => section[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(section.len(), |e| i + e),
                _ => section[i..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || b"<[%".contains(c))
                    .map_or(section.len(), |e| i + e.max(1)),
            };
            let token = &section[i..token_end];
            i = token_end;
            if token.first() == Some(&b'%') {
                continue;
            }
            if codes.len() < 2 && token.first() == Some(&b'<') {
                codes.push(hex_code(token));
                continue;
            }
            if let [lo, hi] = codes[..] {
                if hi >= lo {
                    total = total.saturating_add(u64::from(hi - lo) + 1);
                }
            }
            codes.clear();
            if total > MAX_CMAP_CODES {
                return total;
            }
        }
        at = end;
    }
    total
}

/// A hex string `<...>` read as a code: its last four bytes, big-endian (an odd last digit
/// is followed by 0).
fn hex_code(token: &[u8]) -> u32 {
    let digits: Vec<u8> = token.iter().filter_map(|&c| (c as char).to_digit(16)).map(|d| d as u8).collect();
    let mut code: u32 = 0;
    for pair in digits.chunks(2) {
        let byte = pair[0] << 4 | pair.get(1).copied().unwrap_or(0);
        code = code << 8 | u32::from(byte);
    }
    code
}

/// How many forms one page may draw, nested drawings counted each time they are drawn.
const MAX_DRAWS: u64 = 1 << 14;

/// The drawings made by drawing form `id`, counted up to just past [`MAX_DRAWS`]; the forms
/// under it must hold no cycle.
fn drawings_under(
    id: ObjectId,
    edges: &dyn Fn(&ObjectId) -> Vec<ObjectId>,
    size: &dyn Fn(&ObjectId) -> u64,
    memo: &mut HashMap<ObjectId, Drawn>,
) -> Drawn {
    if let Some(&d) = memo.get(&id) {
        return d;
    }
    let mut d = Drawn::default();
    for t in edges(&id) {
        d = d.and(Drawn::one(size(&t)).and(drawings_under(t, edges, size, memo)));
    }
    memo.insert(id, d);
    d
}

/// Drawings of forms, and the bytes of content they read (a form's content is read each time
/// it is drawn), counted up to just past [`MAX_DRAWS`] and without overflow.
#[derive(Clone, Copy, Default)]
struct Drawn {
    count: u64,
    bytes: u64,
}

impl Drawn {
    fn one(bytes: u64) -> Drawn {
        Drawn { count: 1, bytes }
    }

    fn and(self, other: Drawn) -> Drawn {
        Drawn {
            count: self.count.saturating_add(other.count).min(MAX_DRAWS + 1),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

/// Finds form XObjects that draw themselves (directly or through others), nest deeper than
/// [`MAX_CHAIN`], or make a page draw more than [`MAX_DRAWS`] forms or read more than
/// `max_bytes` of their content (what the budget has left), and blanks their `Do` operators
/// so that they are drawn one level deep.
/// Returns `false` when it had to.
fn untangle_drawings(doc: &mut Document, max_bytes: u64) -> bool {
    // Every XObject name any resource dictionary defines, to where it points: a form without
    // resources of its own draws with its caller's, so names are resolved conservatively.
    let mut names: HashMap<Vec<u8>, HashSet<ObjectId>> = HashMap::new();
    let mut forms: HashMap<ObjectId, Vec<Vec<u8>>> = HashMap::new();
    let collect = |d: &Dictionary, names: &mut HashMap<Vec<u8>, HashSet<ObjectId>>| {
        let xobjects = d.get(b"Resources").and_then(|r| doc.dereference(r)).and_then(|(_, r)| r.as_dict());
        if let Ok(xo) = xobjects
            .and_then(|r| r.get(b"XObject"))
            .and_then(|x| doc.dereference(x))
            .and_then(|(_, x)| x.as_dict())
        {
            for (k, v) in xo.iter() {
                if let Ok(id) = v.as_reference() {
                    names.entry(k.clone()).or_default().insert(id);
                }
            }
        }
    };
    for (id, obj) in &doc.objects {
        match obj {
            Object::Dictionary(d) => collect(d, &mut names),
            Object::Stream(s) => {
                collect(&s.dict, &mut names);
                if s.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Form") {
                    forms.insert(*id, drawn_names(&s.content).into_iter().map(|(n, _)| n).collect());
                }
            }
            _ => {}
        }
    }
    let edges = |id: &ObjectId| -> Vec<ObjectId> {
        forms.get(id).map_or_else(Vec::new, |ns| {
            ns.iter()
                .flat_map(|n| names.get(n).into_iter().flatten())
                .filter(|t| forms.contains_key(t))
                .copied()
                .collect()
        })
    };
    // Iterative depth-first search for a cycle or a chain deeper than MAX_CHAIN.
    let mut tangled = false;
    let mut done: HashSet<ObjectId> = HashSet::new();
    'outer: for start in forms.keys() {
        if done.contains(start) {
            continue;
        }
        let mut on_path: HashSet<ObjectId> = HashSet::new();
        let mut stack: Vec<(ObjectId, Vec<ObjectId>)> = vec![(*start, edges(start))];
        on_path.insert(*start);
        while let Some((node, next)) = stack.last_mut() {
            match next.pop() {
                Some(t) if on_path.contains(&t) => {
                    tangled = true;
                    break 'outer;
                }
                Some(t) if !done.contains(&t) => {
                    if stack.len() >= MAX_CHAIN {
                        tangled = true;
                        break 'outer;
                    }
                    on_path.insert(t);
                    let e = edges(&t);
                    stack.push((t, e));
                }
                Some(_) => {}
                None => {
                    let node = *node;
                    on_path.remove(&node);
                    done.insert(node);
                    stack.pop();
                }
            }
        }
    }
    // Without cycles or deep chains, a form can still be drawn an exponential number of times:
    // thirty forms each drawing the next twice make a billion drawings of a few bytes. The
    // drawings under each form are counted (depth is bounded now, so the recursion is too), and
    // a page that would make more than MAX_DRAWS of them, or read more content through them
    // than the budget has left, is untangled like a cycle.
    if !tangled {
        let size = |id: &ObjectId| {
            doc.get_object(*id).and_then(Object::as_stream).map_or(0, |s| s.content.len() as u64)
        };
        let mut under: HashMap<ObjectId, Drawn> = HashMap::new();
        tangled = doc.get_pages().into_values().any(|page| {
            let drawn = doc
                .get_page_contents(page)
                .into_iter()
                .filter_map(|id| doc.get_object(id).and_then(Object::as_stream).ok())
                .flat_map(|s| drawn_names(&s.content))
                .flat_map(|(n, _)| names.get(&n).into_iter().flatten())
                .filter(|t| forms.contains_key(t))
                .map(|t| Drawn::one(size(t)).and(drawings_under(*t, &edges, &size, &mut under)))
                .fold(Drawn::default(), Drawn::and);
            drawn.count > MAX_DRAWS || drawn.bytes > max_bytes
        });
    }
    if !tangled {
        return true;
    }
    let ids: Vec<ObjectId> = forms.keys().copied().collect();
    for id in ids {
        if let Some(Object::Stream(s)) = doc.objects.get_mut(&id) {
            let spans: Vec<_> = drawn_names(&s.content).into_iter().map(|(_, r)| r).collect();
            if spans.is_empty() {
                continue;
            }
            let mut content = s.content.clone();
            for r in spans {
                content[r].fill(b' ');
            }
            s.set_plain_content(content);
        }
    }
    false
}

/// This reader's text of each page, for tests; `None` where it does not cover the page.
#[cfg(test)]
pub(super) fn own_readings(doc: &Document) -> Vec<Option<String>> {
    let mut fonts = text::Fonts::default();
    let mut out = Vec::new();
    for (n, id) in doc.get_pages() {
        let mut dev = PageText::within(usize::MAX);
        dev.start(n);
        let read = text::draw_page(doc, id, &mut fonts, &mut dev, text::Coverage::Whole);
        out.push(read.ok().map(|()| dev.page.take().map(|p| p.1).unwrap_or_default()));
    }
    out
}

/// Both readers, page by page, for tests: (ours, pdf-extract's), `None` where a reader did not
/// read the page (ours: not covered).
#[cfg(test)]
pub(super) fn both_readings(doc: &Document) -> Vec<(Option<String>, Option<String>)> {
    let theirs = doc.get_pages().into_keys().map(|n| {
        let mut dev = PageText::within(usize::MAX);
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(doc, &mut dev, n).is_ok()
        }));
        matches!(read, Ok(true)).then(|| dev.done.pop().map(|p| p.1).unwrap_or_default())
    });
    own_readings(doc).into_iter().zip(theirs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_drawn() {
        let got: Vec<Vec<u8>> =
            drawn_names(b"q /X1 Do Q /Fm0 Do\n(Done) Tj /Do").into_iter().map(|(n, _)| n).collect();
        assert_eq!(got, [b"X1".to_vec(), b"Fm0".to_vec()]);
    }

    #[test]
    fn objects_are_counted_with_those_packed_in_object_streams() {
        let pdf = b"%PDF-1.5\n1 0 obj << /Type /Catalog >> endobj\n2 0 obj << /Type /ObjStm /N 5 /First 20 /Length 3 >>\nstream\nabc\nendstream endobj\n3 0 obj << /Names [] /N 7 >> endobj";
        assert_eq!(object_count(pdf), 3 + 5);
        assert_eq!(object_count(b"no objects at all"), 0);
        assert_eq!(most_objects(0), 8 << 10);
        assert_eq!(most_objects(100 << 20), 200 << 10);
    }

    #[test]
    fn a_chain_costs_every_stage() {
        use std::io::Write;
        let zlib = |data: &[u8]| {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let text = b"BT (Jane Doe) Tj ET ".repeat(100);
        let inner = zlib(&text);
        let outer = zlib(&inner);
        let both = (inner.len() + text.len()) as u64;
        assert_eq!(chain_size(&outer, &[Filter::Flate, Filter::Flate], 1 << 20), (both, outer.len()));
        // Counting stops just past the cap.
        let (cost, _) = chain_size(&outer, &[Filter::Flate, Filter::Flate], both - 1);
        assert!(cost > both - 1 && cost <= both, "{cost}");
    }

    #[test]
    fn filters_named_before_a_stream() {
        let window = b"4 0 obj << /Filter /FlateDecode >> endobj 5 0 obj << /Length 9 /Filter [/ASCII85Decode /LZW#44ecode /FlateDecode] >>\n";
        assert_eq!(named_filters(window), [Filter::Ascii85, Filter::Lzw, Filter::Flate]);
        assert_eq!(named_filters(b"5 0 obj << /Length 9 >>\n"), []);
    }

    #[test]
    fn font_programs_nothing_reads_are_dropped() {
        use pdf_extract::{dictionary, Stream};
        let mut doc = Document::with_version("1.5");
        let program = |doc: &mut Document, subtype: Option<&str>| {
            let mut dict = dictionary! { "Length1" => 4 };
            if let Some(s) = subtype {
                dict.set("Subtype", Object::Name(s.as_bytes().to_vec()));
            }
            doc.add_object(Stream::new(dict, b"font".to_vec()))
        };
        let truetype = program(&mut doc, None);
        let opentype = program(&mut doc, Some("OpenType"));
        let type1c = program(&mut doc, Some("Type1C"));
        // A program that is also a page's contents is drawn: it stays.
        let drawn = program(&mut doc, None);
        doc.add_object(dictionary! { "Type" => "Page", "Contents" => drawn });
        let descriptors =
            [("FontFile2", truetype), ("FontFile3", opentype), ("FontFile3", type1c), ("FontFile2", drawn)]
                .map(|(key, id)| {
                    (key, doc.add_object(dictionary! { "Type" => "FontDescriptor", key => id }))
                });
        drop_font_programs(&mut doc);
        let kept = |id| doc.objects.contains_key(&id);
        assert!(!kept(truetype) && !kept(opentype));
        assert!(kept(type1c) && kept(drawn));
        let has_key = |(key, id): (&str, ObjectId)| doc.get_dictionary(id).unwrap().has(key.as_bytes());
        assert_eq!(descriptors.map(has_key), [false, false, true, true]);
    }

    #[test]
    fn encrypt_names_hidden_however_spelled() {
        let hidden = |s: &[u8]| hide_encryption(s).map(|c| String::from_utf8(c).unwrap());
        assert_eq!(hidden(b"<</Encrypt 5 0 R>>").as_deref(), Some("<</Encrypx 5 0 R>>"));
        assert_eq!(hidden(b"<</Encr#79pt%c\n5 0 R>>").as_deref(), Some("<</Encrypxxx%c\n5 0 R>>"));
        assert_eq!(hidden(b"/Encrypt/Encrypt").as_deref(), Some("/Encrypx/Encrypx"));
        assert_eq!(hidden(b"<</EncryptMetadata false /Encrypt#20 /Encrypted>>"), None);
        assert!(is_hidden_encrypt(b"Encrypxxxx") && !is_hidden_encrypt(b"Encrypxy"));
    }

    #[test]
    fn fixtures_read_by_this_reader_as_pdf_extract_reads_them() {
        for name in ["document-lo.pdf", "report.pdf"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/documents").join(name);
            let mut doc = Document::load_mem(&std::fs::read(path).unwrap()).unwrap();
            doc.decompress();
            let readings = both_readings(&doc);
            assert!(!readings.is_empty());
            for (i, (ours, theirs)) in readings.into_iter().enumerate() {
                assert!(ours.is_some(), "{name} page {} covered", i + 1);
                assert_eq!(ours, theirs, "{name} page {}", i + 1);
            }
        }
    }

    #[test]
    fn codes_of_character_map_ranges() {
        let cmap =
            b"2 beginbfrange <0000> <00FF> <0041>\n<01 00> <01ff> [<0042> <0043>] % <00> <FF>\nendbfrange\n\
                     1 beginbfchar <FFFF> <0044> endbfchar 1 beginbfrange <10> <0F> <0041> endbfrange";
        assert_eq!(codes_in_ranges(cmap), 512);
        assert_eq!(codes_in_ranges(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange"), 1 << 32);
        // Five bytes are read as their last four.
        assert_eq!(hex_code(b"<01 0000 0002>"), 2);
        assert_eq!(hex_code(b"<4>"), 0x40);
    }

    #[test]
    fn text_strings() {
        assert_eq!(text_string(b"\xfe\xff\0J\0a\0n\0e"), "Jane");
        assert_eq!(text_string(b"Zo\xeb"), "Zoë");
    }
}
