//! maildlp's own reader of page text: an interpreter of content streams (text state, text
//! showing and positioning, graphics state, form XObjects) over fonts built once per document.
//!
//! pdf-extract builds every font again on every page, and its set-up (its ToUnicode parser,
//! its glyph-name and standard-font metric loops) is most of what reading a PDF costs. Here:
//! - ToUnicode maps are read by lopdf's parser (ranges kept as ranges);
//! - widths come from the font's `/Widths` (simple fonts) or `/W` and `/DW` (CID fonts);
//! - a simple font with no ToUnicode map, or no widths (the standard fonts), is asked of
//!   pdf-extract itself, once per process: a one-page document that draws the 256 codes of a
//!   font like it (same type, name, encoding) tells the text and width of every code, and the
//!   answer is remembered (see [`calibrated`]);
//! - a page this reader does not cover is read by pdf-extract, as before: Type 3 fonts, an
//!   embedded Type 1 program whose built-in encoding is the font's only one, a Type 1C program
//!   with no ToUnicode map, CID fonts with an encoding other than `Identity`, a code a ToUnicode
//!   map does not name.
//!
//! Positions follow pdf-extract's (the text rendering matrix of each glyph, the advance by its
//! width, character and word spacing, horizontal scaling), so the same glyphs give the same
//! text. Where pdf-extract stops a page (no `MediaBox`, text before any font, an operand of the
//! wrong type, a font encoding it cannot read when the ToUnicode map says everything) this
//! reader goes on; it also reads text shown with `'` and `"`, which pdf-extract skips, and
//! draws a form where its `/Matrix` puts it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use std::rc::Rc;

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Dictionary, Document, Encoding, Object, ObjectId, Stream};
use rangemap::RangeInclusiveMap;

use super::{PageText, MAX_CHAIN};

/// Something on the page this reader does not cover: pdf-extract reads the page instead.
#[derive(Debug)]
pub(super) struct NotCovered;

type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b` (row vectors, as PDF writes them): `a × b`.
fn then(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn translation(tx: f64, ty: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

/// The object `o` points to (references followed by lopdf, which bounds the chain).
fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().and_then(|o| resolve(doc, o))
}

fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    get(doc, dict, key).and_then(|o| o.as_dict().ok())
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// Operands `n` numbers long, or `None`.
fn numbers<const N: usize>(operands: &[Object]) -> Option<[f64; N]> {
    if operands.len() != N {
        return None;
    }
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(operands) {
        *o = number(v)?;
    }
    Some(out)
}

/// The text and width (in thousandths of the text size) of a glyph.
type Glyph = (Arc<str>, f64);

/// A font as this reader draws with it.
enum Font {
    /// One byte a code: the text (when known) and width of each of the 256 codes.
    Simple { glyphs: Vec<Option<Glyph>> },
    /// Two bytes a code (`Identity-H`/`-V`): the code is the CID.
    Cid {
        map: Box<ToUnicode>,
        widths: RangeInclusiveMap<u32, u64>,
        default_width: f64,
        seen: HashMap<u32, Arc<str>>,
    },
}

/// What a ToUnicode map says of codes, read by lopdf's parser.
struct ToUnicode(Option<Encoding<'static>>);

impl ToUnicode {
    /// Reads the ToUnicode stream `stream` points to; `Err` when lopdf cannot parse it.
    fn read(doc: &Document, stream: &Object) -> Result<Self, NotCovered> {
        let mut probe = Dictionary::new();
        probe.set("Type", Object::Name(b"Font".to_vec()));
        probe.set("ToUnicode", stream.clone());
        match probe.get_font_encoding(doc) {
            // The map owns its data; only the type carries the borrow.
            Ok(Encoding::UnicodeMapEncoding(map)) => Ok(Self(Some(Encoding::UnicodeMapEncoding(map)))),
            _ => Err(NotCovered),
        }
    }

    /// The text of `code`, `len` bytes long, as pdf-extract reads the same map: a code is
    /// looked up at its own length first, then at the others (pdf-extract keys codes by value
    /// alone); a lone surrogate is no text.
    fn text(&self, code: u32, len: u8) -> Option<String> {
        let Some(Encoding::UnicodeMapEncoding(map)) = &self.0 else {
            return None;
        };
        let units = [len, 1, 2, 3, 4].into_iter().find_map(|l| map.get(code, l))?;
        if let [u] = units[..] {
            if (0xd800..=0xdfff).contains(&u) {
                return None;
            }
        }
        Some(String::from_utf16_lossy(&units))
    }
}

impl Font {
    fn build(doc: &Document, font: &Dictionary) -> Result<Font, NotCovered> {
        let name = |key: &[u8]| get(doc, font, key).and_then(|o| o.as_name().ok());
        match name(b"Subtype") {
            Some(b"Type0") => Self::cid(doc, font),
            Some(b"Type3") => Err(NotCovered),
            _ => Self::simple(doc, font),
        }
    }

    fn simple(doc: &Document, font: &Dictionary) -> Result<Font, NotCovered> {
        let subtype = get(doc, font, b"Subtype").and_then(|o| o.as_name().ok());
        let to_unicode = match get(doc, font, b"ToUnicode") {
            None => None,
            Some(Object::Stream(_)) => {
                Some(ToUnicode::read(doc, font.get(b"ToUnicode").map_err(|_| NotCovered)?)?)
            }
            Some(Object::Name(n)) if n == b"Identity-H" => None,
            Some(_) => return Err(NotCovered),
        };
        if let Some(descriptor) = get_dict(doc, font, b"FontDescriptor") {
            // pdf-extract takes the encoding of an embedded Type 1 program when the font names
            // none, and the glyph names of a Type 1C program before any ToUnicode map: this
            // reader has neither. (A code the ToUnicode map leaves out is not covered either.)
            let program = |key: &[u8]| get(doc, descriptor, key).and_then(|o| o.as_stream().ok());
            let type1 = subtype == Some(b"Type1") && program(b"FontFile").is_some();
            if type1 && to_unicode.is_none() && get(doc, font, b"Encoding").is_none() {
                return Err(NotCovered);
            }
            let type1c = program(b"FontFile3").is_some_and(|s| {
                get(doc, &s.dict, b"Subtype").and_then(|o| o.as_name().ok()) == Some(b"Type1C")
            });
            if type1c && to_unicode.is_none() {
                return Err(NotCovered);
            }
        }
        let widths = own_widths(doc, font);
        let missing_width = get(doc, font, b"MissingWidth").and_then(number).unwrap_or(0.0);
        // What pdf-extract says of a font like this one, when the font itself does not say it.
        let asked = if to_unicode.is_none() || widths.is_none() {
            Some(calibrated(doc, font, widths.is_some(), missing_width).ok_or(NotCovered)?)
        } else {
            None
        };
        let glyphs = (0..=255u32)
            .map(|code| {
                let width = match &widths {
                    Some((first, w)) => code
                        .checked_sub(*first)
                        .and_then(|i| w.get(i as usize))
                        .copied()
                        .unwrap_or(missing_width),
                    None => asked.as_ref().map_or(missing_width, |a| a.widths[code as usize]),
                };
                let text: Option<Arc<str>> = match &to_unicode {
                    Some(map) => map.text(code, 1).map(Arc::from),
                    None => asked.as_ref().map(|a| a.text[code as usize].clone()),
                };
                text.map(|t| (t, width))
            })
            .collect();
        Ok(Font::Simple { glyphs })
    }

    fn cid(doc: &Document, font: &Dictionary) -> Result<Font, NotCovered> {
        match get(doc, font, b"Encoding") {
            Some(Object::Name(n)) if n == b"Identity-H" || n == b"Identity-V" => {}
            _ => return Err(NotCovered),
        }
        let descendant = get(doc, font, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok())
            .ok_or(NotCovered)?;
        let map = match get(doc, font, b"ToUnicode") {
            None => ToUnicode(None),
            Some(Object::Stream(_)) => ToUnicode::read(doc, font.get(b"ToUnicode").map_err(|_| NotCovered)?)?,
            Some(Object::Name(n)) if n == b"Identity-H" => ToUnicode(None),
            Some(_) => return Err(NotCovered),
        };
        let default_width = get(doc, descendant, b"DW").and_then(number).unwrap_or(1000.0);
        // Widths by ranges of codes, kept as ranges (`0 65535 500` is one entry, not 65,536),
        // a later entry overriding an earlier one where they overlap; the width's bits, so
        // that equal neighbours merge.
        let mut widths = RangeInclusiveMap::new();
        if let Some(w) = get(doc, descendant, b"W").and_then(|o| o.as_array().ok()) {
            let item = |i: usize| w.get(i).and_then(|o| resolve(doc, o));
            let code = |v: f64| (v >= 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32);
            let mut i = 0;
            while let Some(first) = item(i).and_then(number) {
                match item(i + 1) {
                    // c [w1 w2 ...]
                    Some(Object::Array(list)) => {
                        for (j, o) in list.iter().enumerate() {
                            let (Some(c), Some(v)) =
                                (code(first + j as f64), resolve(doc, o).and_then(number))
                            else {
                                continue;
                            };
                            widths.insert(c..=c, v.to_bits());
                        }
                        i += 2;
                    }
                    // c_first c_last w
                    Some(last) => {
                        let (Some(last), Some(v)) = (number(last), item(i + 2).and_then(number)) else {
                            break;
                        };
                        if let (Some(a), Some(b)) = (code(first), code(last)) {
                            if a <= b {
                                widths.insert(a..=b, v.to_bits());
                            }
                        }
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        Ok(Font::Cid { map: Box::new(map), widths, default_width, seen: HashMap::new() })
    }

    /// The codes of `s` with their length in bytes (borrowing only `s`, so that glyphs can be
    /// looked up while they are read).
    fn codes<'s>(&self, s: &'s [u8]) -> impl Iterator<Item = (u32, u8)> + 's {
        let two = matches!(self, Font::Cid { .. });
        let step = if two { 2 } else { 1 };
        s.chunks_exact(step).map(move |c| {
            if two {
                (u32::from(c[0]) << 8 | u32::from(c[1]), 2)
            } else {
                (u32::from(c[0]), 1)
            }
        })
    }

    fn glyph(&mut self, code: u32) -> Result<Glyph, NotCovered> {
        match self {
            Font::Simple { glyphs } => glyphs.get(code as usize).cloned().flatten().ok_or(NotCovered),
            Font::Cid { map, widths, default_width, seen } => {
                let text = seen
                    .entry(code)
                    .or_insert_with(|| Arc::from(map.text(code, 2).unwrap_or_default()))
                    .clone();
                Ok((text, widths.get(&code).map_or(*default_width, |bits| f64::from_bits(*bits))))
            }
        }
    }
}

/// `/FirstChar` and `/Widths` of a simple font, when it has them (and `/LastChar`, which
/// pdf-extract also asks for).
fn own_widths(doc: &Document, font: &Dictionary) -> Option<(u32, Vec<f64>)> {
    let int = |key: &[u8]| match get(doc, font, key) {
        Some(Object::Integer(i)) => Some(*i),
        _ => None,
    };
    let first = u32::try_from(int(b"FirstChar")?).ok()?;
    int(b"LastChar")?;
    let list = get(doc, font, b"Widths")?.as_array().ok()?;
    let widths: Option<Vec<f64>> = list.iter().take(256).map(|o| resolve(doc, o).and_then(number)).collect();
    Some((first, widths?))
}

/// The text and width of each of the 256 codes of a simple font, as pdf-extract reads them.
struct Calibrated {
    text: Vec<Arc<str>>,
    widths: Vec<f64>,
}

/// Fonts asked of pdf-extract so far, by what makes them differ: at most [`CALIBRATED_MAX`]
/// of them, each described in at most [`CALIBRATED_KEY_MAX`] bytes (about 4 MB in all).
static CALIBRATED: OnceLock<Mutex<HashMap<String, Option<Arc<Calibrated>>>>> = OnceLock::new();
const CALIBRATED_MAX: usize = 256;
/// Longest description of a font that is remembered (256 differences of long glyph names fit).
const CALIBRATED_KEY_MAX: usize = 8 << 10;

/// What pdf-extract reads from a simple font with no ToUnicode map or no widths: the
/// standard-font metrics and glyph-name tables it holds. Only what it reads those from makes
/// two fonts differ here (type, base font name, encoding with its differences, whether the
/// font has widths, its missing width), so the answer for one serves every font like it; it
/// is found by drawing the 256 codes of such a font on a page of its own, once per process.
/// `None` when pdf-extract cannot read such a font.
fn calibrated(
    doc: &Document,
    font: &Dictionary,
    has_widths: bool,
    missing_width: f64,
) -> Option<Arc<Calibrated>> {
    let mut probe = Dictionary::new();
    probe.set("Type", Object::Name(b"Font".to_vec()));
    for key in [&b"Subtype"[..], b"BaseFont"] {
        if let Some(o) = get(doc, font, key) {
            probe.set(key, o.clone());
        }
    }
    if let Some(encoding) = get(doc, font, b"Encoding") {
        probe.set("Encoding", resolved_deep(doc, encoding, 3));
    }
    if has_widths {
        // Its own widths are used; pdf-extract's reading of the encoding depends on there
        // being some.
        probe.set("FirstChar", 0);
        probe.set("LastChar", 0);
        probe.set("Widths", vec![Object::Integer(0)]);
    }
    probe.set("MissingWidth", Object::Real(missing_width as f32));
    let key = format!("{probe:?}");
    // A long key (an encoding of thousands of differences) is asked but not remembered: the
    // cache lives as long as the process, and its size must not be the documents' to choose.
    if key.len() > CALIBRATED_KEY_MAX {
        return draw_every_code(probe).map(Arc::new);
    }
    let cache = CALIBRATED.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let answer = draw_every_code(probe).map(Arc::new);
    if let Ok(mut c) = cache.lock() {
        if c.len() < CALIBRATED_MAX {
            c.insert(key, answer.clone());
        }
    }
    answer
}

/// `o` with references inside it replaced by what they point to, `depth` levels down.
fn resolved_deep(doc: &Document, o: &Object, depth: usize) -> Object {
    let o = resolve(doc, o).unwrap_or(&Object::Null);
    if depth == 0 {
        return o.clone();
    }
    match o {
        Object::Array(a) => Object::Array(a.iter().map(|v| resolved_deep(doc, v, depth - 1)).collect()),
        Object::Dictionary(d) => {
            let mut out = Dictionary::new();
            for (k, v) in d.iter() {
                out.set(k.clone(), resolved_deep(doc, v, depth - 1));
            }
            Object::Dictionary(out)
        }
        other => other.clone(),
    }
}

/// Draws codes 0 to 255 in `font` through pdf-extract and records what it outputs.
fn draw_every_code(font: Dictionary) -> Option<Calibrated> {
    use pdf_extract::dictionary;
    let mut doc = Document::with_version("1.5");
    let font_id = doc.add_object(font);
    let mut content = b"BT /F1 1 Tf <".to_vec();
    for code in 0..=255u8 {
        content.extend_from_slice(format!("{code:02x}").as_bytes());
    }
    content.extend_from_slice(b"> Tj ET");
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut record = Recorder::default();
    let drawn = crate::panics::guarded(|| pdf_extract::output_doc(&doc, &mut record));
    if !matches!(drawn, Ok(Ok(()))) || record.text.len() != 256 {
        return None;
    }
    Some(Calibrated { text: record.text, widths: record.widths })
}

#[derive(Default)]
struct Recorder {
    text: Vec<Arc<str>>,
    widths: Vec<f64>,
}

impl pdf_extract::OutputDev for Recorder {
    fn begin_page(
        &mut self,
        _: u32,
        _: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        _: &pdf_extract::Transform,
        width: f64,
        _: f64,
        _: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.text.push(Arc::from(ch));
        // pdf-extract hands the width over in text space units.
        self.widths.push(width * 1000.0);
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

/// The fonts of one document, each built once.
#[derive(Default)]
pub(super) struct Fonts {
    list: Vec<Result<Font, ()>>,
    /// By the address of the font dictionary (the document is not changed while it is read).
    at: HashMap<usize, usize>,
}

impl Fonts {
    fn index(&mut self, doc: &Document, font: &Dictionary) -> Result<usize, NotCovered> {
        let key = font as *const Dictionary as usize;
        let i = match self.at.get(&key) {
            Some(&i) => i,
            None => {
                self.list.push(Font::build(doc, font).map_err(|_| ()));
                self.at.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        match self.list.get(i) {
            Some(Ok(_)) => Ok(i),
            _ => Err(NotCovered),
        }
    }
}

/// The graphics state this reader keeps: what places and measures text.
#[derive(Clone)]
struct State {
    ctm: Matrix,
    tm: Matrix,
    font: Option<usize>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
    rise: f64,
}

impl Default for State {
    fn default() -> Self {
        State {
            ctm: IDENTITY,
            tm: IDENTITY,
            font: None,
            size: f64::NAN,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Draws the text of page `page` into `out` (between its `begin_page` and `end_page`).
///
/// [`Coverage::InPart`] draws what this reader covers and passes over the rest (text in a font
/// it does not cover, a form it cannot read): for a page pdf-extract could not read either.
pub(super) fn draw_page(
    doc: &Document,
    page: ObjectId,
    fonts: &mut Fonts,
    out: &mut PageText,
    coverage: Coverage,
) -> Result<(), NotCovered> {
    let content = doc.get_page_content(page).map_err(|_| NotCovered)?;
    let content = Content::decode(&content).map_err(|_| NotCovered)?;
    let resources = inherited_resources(doc, page);
    let mut reader = Reader { doc, fonts, out, forms: Vec::new(), decoded: HashMap::new(), coverage };
    reader.run(&content.operations, resources, State::default())
}

/// Whether a page is drawn only when this reader covers all of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Coverage {
    /// Every font and form on the page, or nothing.
    Whole,
    /// What it covers; the rest passed over.
    InPart,
}

impl Reader<'_, '_, '_> {
    /// `Ok` for what the reader does not cover, when drawing in part.
    fn pass_over(&self, uncovered: NotCovered) -> Result<(), NotCovered> {
        match self.coverage {
            Coverage::Whole => Err(uncovered),
            Coverage::InPart => Ok(()),
        }
    }

    /// The font `Tf` or a graphics state names (`None`: no such font), built once; no font
    /// when this reader does not cover it and draws the page in part.
    fn choose_font(&mut self, font: Option<&Dictionary>) -> Result<Option<usize>, NotCovered> {
        match font.ok_or(NotCovered).and_then(|font| self.fonts.index(self.doc, font)) {
            Ok(i) => Ok(Some(i)),
            Err(e) => self.pass_over(e).map(|()| None),
        }
    }
}

/// The page's resources, or the nearest ancestor's.
fn inherited_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..=MAX_CHAIN {
        if let Some(r) = get_dict(doc, node, b"Resources") {
            return Some(r);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

struct Reader<'d, 'f, 'o> {
    doc: &'d Document,
    fonts: &'f mut Fonts,
    out: &'o mut PageText,
    /// The forms being drawn, outermost first (by address).
    forms: Vec<usize>,
    /// The operators of each form drawn on the page, read once however often it is drawn.
    decoded: HashMap<usize, Rc<[Operation]>>,
    coverage: Coverage,
}

impl<'d> Reader<'d, '_, '_> {
    fn run(
        &mut self,
        ops: &[Operation],
        resources: Option<&'d Dictionary>,
        mut gs: State,
    ) -> Result<(), NotCovered> {
        let doc = self.doc;
        let mut saved: Vec<State> = Vec::new();
        let mut tlm = IDENTITY;
        for op in ops {
            if self.out.full {
                return Ok(());
            }
            let args = &op.operands[..];
            match op.operator.as_str() {
                "BT" | "ET" => {
                    tlm = IDENTITY;
                    gs.tm = tlm;
                }
                "q" => saved.push(gs.clone()),
                "Q" => {
                    if let Some(s) = saved.pop() {
                        gs = s;
                    }
                }
                "cm" => {
                    if let Some(m) = numbers::<6>(args) {
                        gs.ctm = then(&m, &gs.ctm);
                    }
                }
                "Tc" => gs.char_spacing = numbers::<1>(args).map_or(gs.char_spacing, |[v]| v),
                "Tw" => gs.word_spacing = numbers::<1>(args).map_or(gs.word_spacing, |[v]| v),
                "Tz" => gs.scaling = numbers::<1>(args).map_or(gs.scaling, |[v]| v / 100.0),
                "TL" => gs.leading = numbers::<1>(args).map_or(gs.leading, |[v]| v),
                "Ts" => gs.rise = numbers::<1>(args).map_or(gs.rise, |[v]| v),
                "Tf" => {
                    let (Some(Object::Name(name)), Some(size)) = (args.first(), args.get(1).and_then(number))
                    else {
                        continue;
                    };
                    let font = resources
                        .and_then(|r| get_dict(doc, r, b"Font"))
                        .and_then(|f| get_dict(doc, f, name));
                    gs.font = self.choose_font(font)?;
                    gs.size = size;
                }
                "gs" => {
                    // A graphics state parameter dictionary may set the font.
                    let Some(Object::Name(name)) = args.first() else {
                        continue;
                    };
                    let set = resources
                        .and_then(|r| get_dict(doc, r, b"ExtGState"))
                        .and_then(|g| get_dict(doc, g, name))
                        .and_then(|s| get(doc, s, b"Font"))
                        .and_then(|f| f.as_array().ok());
                    if let Some([font, size]) = set.map(|a| &a[..]) {
                        gs.font = self.choose_font(resolve(doc, font).and_then(|f| f.as_dict().ok()))?;
                        gs.size = number(size).unwrap_or(gs.size);
                    }
                }
                "Tm" => {
                    if let Some(m) = numbers::<6>(args) {
                        tlm = m;
                        gs.tm = tlm;
                    }
                }
                "Td" | "TD" => {
                    if let Some([tx, ty]) = numbers::<2>(args) {
                        if op.operator == "TD" {
                            gs.leading = -ty;
                        }
                        tlm = then(&translation(tx, ty), &tlm);
                        gs.tm = tlm;
                    }
                }
                "T*" => {
                    tlm = then(&translation(0.0, -gs.leading), &tlm);
                    gs.tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = args.first() {
                        self.show(&mut gs, s)?;
                    }
                }
                "'" | "\"" => {
                    let s = if op.operator == "'" {
                        args.first()
                    } else {
                        if let (Some(aw), Some(ac)) =
                            (args.first().and_then(number), args.get(1).and_then(number))
                        {
                            gs.word_spacing = aw;
                            gs.char_spacing = ac;
                        }
                        args.get(2)
                    };
                    tlm = then(&translation(0.0, -gs.leading), &tlm);
                    gs.tm = tlm;
                    if let Some(Object::String(s, _)) = s {
                        self.show(&mut gs, s)?;
                    }
                }
                "TJ" => {
                    let Some(Object::Array(items)) = args.first() else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(s, _) => self.show(&mut gs, s)?,
                            other => {
                                if let Some(adjust) = number(other) {
                                    let tx = gs.scaling * (-adjust / 1000.0 * gs.size);
                                    gs.tm = then(&translation(tx, 0.0), &gs.tm);
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    let Some(Object::Name(name)) = args.first() else {
                        continue;
                    };
                    let Some(reference) =
                        resources.and_then(|r| get_dict(doc, r, b"XObject")).and_then(|x| x.get(name).ok())
                    else {
                        continue;
                    };
                    self.draw_form(reference, resources, &gs)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Draws a form XObject (an image or anything else draws no text); a form already being
    /// drawn, or nested deeper than [`MAX_CHAIN`], is not drawn again.
    fn draw_form(
        &mut self,
        reference: &'d Object,
        resources: Option<&'d Dictionary>,
        gs: &State,
    ) -> Result<(), NotCovered> {
        let doc = self.doc;
        let Ok((_, object)) = doc.dereference(reference) else {
            return Ok(());
        };
        let Ok(form) = object.as_stream() else {
            return Ok(());
        };
        if get(doc, &form.dict, b"Subtype").and_then(|o| o.as_name().ok()) != Some(b"Form") {
            return Ok(());
        }
        // By the stream's address (a form may be a direct object; the document does not change
        // while it is read).
        let id = form as *const Stream as usize;
        if self.forms.len() >= MAX_CHAIN || self.forms.contains(&id) {
            return Ok(());
        }
        let ops = match self.decoded.get(&id) {
            Some(ops) => ops.clone(),
            None => {
                let content = if form.filters().is_ok() {
                    form.decompressed_content().unwrap_or_else(|_| form.content.clone())
                } else {
                    form.content.clone()
                };
                let ops: Rc<[Operation]> = match Content::decode(&content) {
                    Ok(c) => c.operations.into(),
                    Err(_) => return self.pass_over(NotCovered),
                };
                self.decoded.insert(id, ops.clone());
                ops
            }
        };
        let own = get_dict(doc, &form.dict, b"Resources").or(resources);
        let mut inner = gs.clone();
        if let Some(m) =
            get(doc, &form.dict, b"Matrix").and_then(|o| o.as_array().ok()).and_then(|a| numbers::<6>(a))
        {
            inner.ctm = then(&m, &inner.ctm);
        }
        self.forms.push(id);
        let drawn = self.run(&ops, own, inner);
        self.forms.pop();
        drawn
    }

    /// Shows the string `s`: each glyph placed by the text rendering matrix, then the text
    /// matrix advanced by its width and the spacing.
    fn show(&mut self, gs: &mut State, s: &[u8]) -> Result<(), NotCovered> {
        // Text shown before any font is chosen draws nothing (pdf-extract stops the page there,
        // and what the rest of the page says would be lost with it).
        let Some(font) = gs.font.and_then(|i| self.fonts.list.get_mut(i)).and_then(|f| f.as_mut().ok())
        else {
            return Ok(());
        };
        for (code, len) in font.codes(s) {
            let (text, width) = match font.glyph(code) {
                Ok(g) => g,
                // A code this reader cannot read is passed over, drawing in part.
                Err(e) if self.coverage == Coverage::Whole => return Err(e),
                Err(_) => continue,
            };
            let tsm = [gs.scaling, 0.0, 0.0, 1.0, 0.0, gs.rise];
            let trm = then(&tsm, &then(&gs.tm, &gs.ctm));
            let w0 = width / 1000.0;
            let mut spacing = gs.char_spacing;
            if code == 32 && len == 1 {
                spacing += gs.word_spacing;
            }
            self.out.glyph(&trm, w0, gs.size, &text);
            let tx = gs.scaling * (w0 * gs.size + spacing);
            gs.tm = then(&translation(tx, 0.0), &gs.tm);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{both_readings, own_readings, PageText};
    use super::*;
    use pdf_extract::dictionary;

    /// A document of one page per content stream, all drawing with `fonts` and `xobjects`
    /// (resource names and objects; streams may sit in dictionaries directly).
    fn document(pages: &[&[u8]], fonts: Vec<(&str, Dictionary)>, xobjects: Vec<(&str, Stream)>) -> Document {
        let mut doc = Document::with_version("1.5");
        let mut font_names = Dictionary::new();
        for (name, f) in fonts {
            font_names.set(name, doc.add_object(f));
        }
        let mut xobject_names = Dictionary::new();
        for (name, s) in xobjects {
            xobject_names.set(name, doc.add_object(s));
        }
        let resources = doc.add_object(dictionary! { "Font" => font_names, "XObject" => xobject_names });
        let pages_id = doc.new_object_id();
        let mut kids: Vec<Object> = Vec::new();
        for content in pages {
            let contents = doc.add_object(Stream::new(Dictionary::new(), content.to_vec()));
            let page = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
                "Contents" => contents,
                "Resources" => resources,
            });
            kids.push(page.into());
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn standard(base: &str, encoding: Object) -> Dictionary {
        let mut d = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => base };
        if encoding != Object::Null {
            d.set("Encoding", encoding);
        }
        d
    }

    fn helvetica() -> Dictionary {
        standard("Helvetica", "WinAnsiEncoding".into())
    }

    /// A one-page document drawing `content` with Helvetica as `/F1`, and `xobjects`.
    fn helvetica_page(content: &[u8], xobjects: Vec<(&str, Stream)>) -> Document {
        document(&[content], vec![("F1", helvetica())], xobjects)
    }

    fn cmap(body: &str) -> Stream {
        let text = format!(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def\n{body}\nendcmap CMapName currentdict /CMap defineresource pop end end"
        );
        Stream::new(Dictionary::new(), text.into_bytes())
    }

    fn ours(doc: &Document) -> Vec<Option<String>> {
        own_readings(doc)
    }

    #[test]
    fn standard_fonts_and_encodings_read_as_pdf_extract_reads_them() {
        let differences = dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "MacRomanEncoding",
            "Differences" => vec![65.into(), "Lslash".into(), "eacute".into()],
        };
        let fonts = vec![
            ("F1", helvetica()),
            ("F2", standard("Times-Roman", Object::Null)),
            ("F3", standard("Courier-Bold", Object::Dictionary(differences))),
            ("F4", standard("Symbol", Object::Null)),
            ("F5", standard("ZapfDingbats", Object::Null)),
            ("F6", standard("NotAStandardFont", "WinAnsiEncoding".into())),
        ];
        let pages: Vec<Vec<u8>> = (1..=6)
            .map(|f| {
                format!("BT /F{f} 11 Tf 72 700 Td (Jane Doe, Zo\\353 AB \\341) Tj 0 -14 Td (12 Acacia) Tj ET")
                    .into_bytes()
            })
            .collect();
        let doc = document(&pages.iter().map(Vec::as_slice).collect::<Vec<_>>(), fonts, Vec::new());
        for (i, (a, b)) in both_readings(&doc).into_iter().enumerate() {
            assert!(a.is_some(), "font F{} covered", i + 1);
            assert_eq!(a, b, "font F{}", i + 1);
        }
        assert_eq!(ours(&doc)[0].as_deref(), Some("Jane Doe, Zoë AB á\n12 Acacia"));
    }

    #[test]
    fn a_font_like_one_asked_before_comes_from_memory() {
        let doc = Document::with_version("1.5");
        let font = standard("Times-Italic", "WinAnsiEncoding".into());
        let first = calibrated(&doc, &font, false, 0.0).expect("pdf-extract reads Times-Italic");
        let again = calibrated(&doc, &font, false, 0.0).expect("and again");
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(&*first.text[b'J' as usize], "J");
        assert_eq!(first.widths[b'J' as usize], 444.0, "Times-Italic's J");
        // Its own widths change what makes it differ.
        let own = calibrated(&doc, &font, true, 0.0).expect("with widths");
        assert!(!Arc::ptr_eq(&first, &own));
        // An encoding too long to describe briefly is asked every time, never remembered.
        let mut differences: Vec<Object> = vec![0.into()];
        differences.extend((0..3000).map(|i| Object::Name(format!("g{i}").into_bytes())));
        let long = standard(
            "Times-Italic",
            Object::Dictionary(dictionary! { "Type" => "Encoding", "Differences" => differences }),
        );
        let once = calibrated(&doc, &long, false, 0.0);
        let twice = calibrated(&doc, &long, false, 0.0);
        assert!(matches!((&once, &twice), (Some(a), Some(b)) if !Arc::ptr_eq(a, b)), "read, not remembered");
    }

    #[test]
    fn to_unicode_maps_and_widths_read_as_pdf_extract_reads_them() {
        let map = cmap(
            "1 begincodespacerange <00> <FF> endcodespacerange\n\
             2 beginbfchar <01> <004A> <02> <00660069> endbfchar\n\
             2 beginbfrange <03> <05> <0061> <06> <07> [<0044> <006F>] endbfrange",
        );
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "ABCDEF+Serif",
            "FirstChar" => 0, "LastChar" => 7,
            "Widths" => vec![0.into(), 700.into(), 560.into(), 500.into(), 520.into(), 480.into(), 750.into(), 600.into()],
            "ToUnicode" => map,
        };
        let doc = document(
            &[b"BT /F1 12 Tf 72 700 Td [<010305> -600 <0607> 20 <02>] TJ ET"],
            vec![("F1", font)],
            Vec::new(),
        );
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0.as_deref(), Some("Jac Dofi"));
        assert_eq!(readings[0].0, readings[0].1);
    }

    #[test]
    fn a_code_the_map_leaves_out_is_left_to_pdf_extract() {
        let map = cmap("1 beginbfchar <01> <004A> endbfchar");
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "Serif", "Encoding" => "WinAnsiEncoding",
            "FirstChar" => 0, "LastChar" => 2, "Widths" => vec![0.into(), 700.into(), 500.into()], "ToUnicode" => map,
        };
        let doc = document(&[b"BT /F1 12 Tf 72 700 Td <0102> Tj ET"], vec![("F1", font)], Vec::new());
        assert_eq!(ours(&doc), [None]);
    }

    /// A Type 0 font over `Identity-H`, its widths given in both forms of `/W`.
    fn cid_font() -> Dictionary {
        let map = cmap(
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
             1 beginbfrange <0001> <0004> <0041> endbfrange\n\
             1 beginbfchar <0005> <0416> endbfchar",
        );
        let descendant = dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Sans", "DW" => 900,
            "FontDescriptor" => dictionary! { "Type" => "FontDescriptor", "FontName" => "Sans" },
            "W" => vec![1.into(), vec![600.into(), 500.into()].into(), 3.into(), 4.into(), 700.into()],
        };
        dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Sans", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![descendant.into()], "ToUnicode" => map,
        }
    }

    #[test]
    fn two_byte_codes_through_identity() {
        let doc =
            document(&[b"BT /F1 12 Tf 72 700 Td <000100020005> Tj ET"], vec![("F1", cid_font())], Vec::new());
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0.as_deref(), Some("ABЖ"));
        assert_eq!(readings[0].0, readings[0].1);
    }

    #[test]
    fn widths_of_two_byte_codes_in_both_forms() {
        let doc = Document::with_version("1.5");
        let mut font = Font::cid(&doc, &cid_font()).expect("covered");
        let widths: Vec<f64> = (1..=6).map(|c| font.glyph(c).map(|g| g.1).unwrap_or(-1.0)).collect();
        // pdf-extract reads `c_first c_last w` as no widths at all; this reader as the range.
        assert_eq!(widths, [600.0, 500.0, 700.0, 700.0, 900.0, 900.0]);
        assert_eq!(&*font.glyph(2).map(|g| g.0).unwrap_or_default(), "B");
        assert_eq!(
            &*font.glyph(9).map(|g| g.0).unwrap_or_default(),
            "",
            "a code the map leaves out is no text"
        );
    }

    #[test]
    fn widths_over_every_code_are_one_range() {
        // Ten thousand ranges over every CID cost ten thousand entries, not 43 trillion.
        let mut w: Vec<Object> = Vec::new();
        for _ in 0..10_000 {
            w.extend([0.into(), Object::Integer(i64::from(u32::MAX)), 500.into()]);
        }
        w.extend([10.into(), vec![700.into()].into()]);
        let mut font = cid_font();
        let descendant = dictionary! { "Subtype" => "CIDFontType2", "W" => w };
        font.set("DescendantFonts", vec![descendant.into()]);
        let doc = Document::with_version("1.5");
        let mut font = Font::cid(&doc, &font).expect("covered");
        let widths: Vec<f64> =
            [0, 9, 10, 11, 65535].iter().map(|&c| font.glyph(c).map(|g| g.1).unwrap_or(-1.0)).collect();
        assert_eq!(widths, [500.0, 500.0, 700.0, 500.0, 500.0]);
    }

    #[test]
    fn text_shown_with_quote_operators_is_read() {
        let doc = helvetica_page(
            b"BT /F1 12 Tf 14 TL 72 700 Td (Jane) Tj (Doe) ' 1 0.5 (Anna Kowalczyk) \" ET",
            Vec::new(),
        );
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0.as_deref(), Some("Jane\nDoe\nAnna Kowalczyk"));
        // pdf-extract skips both operators.
        assert_eq!(readings[0].1.as_deref(), Some("Jane"));
    }

    #[test]
    fn text_before_any_font_does_not_stop_the_page() {
        let doc =
            helvetica_page(b"BT 72 720 Td (nothing) Tj /F1 12 Tf 0 -20 Td (Jane Doe) Tj ET", Vec::new());
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0.as_deref(), Some("Jane Doe"));
        assert_eq!(readings[0].1, None, "pdf-extract stops at the first string");
    }

    #[test]
    fn an_image_on_the_page_does_not_stop_it() {
        let image = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16, "BitsPerComponent" => 8, "ColorSpace" => "DeviceGray" },
            (0..=255u8).rev().collect(),
        );
        let doc = helvetica_page(
            b"q 10 0 0 10 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET",
            vec![("Im1", image)],
        );
        assert_eq!(ours(&doc), [Some("Jane Doe".to_string())]);
    }

    #[test]
    fn a_page_without_a_media_box_is_read() {
        let mut doc = helvetica_page(b"BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET", Vec::new());
        let page = doc.get_pages()[&1];
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(page) {
            d.remove(b"MediaBox");
        }
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0.as_deref(), Some("Jane Doe"));
        assert_eq!(readings[0].1, None, "pdf-extract stops at the missing MediaBox");
    }

    fn form(matrix: Option<[i64; 6]>, content: &[u8], draws_itself: bool) -> Stream {
        let mut dict = dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()] };
        if let Some(m) = matrix {
            dict.set("Matrix", m.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>());
        }
        if draws_itself {
            dict.set("Resources", dictionary! { "Font" => dictionary! { "F1" => helvetica() } });
        }
        Stream::new(dict, content.to_vec())
    }

    #[test]
    fn forms_are_drawn_where_their_matrix_puts_them() {
        let doc = helvetica_page(
            b"BT /F1 12 Tf 72 700 Td (Jane Doe) Tj ET /Fm1 Do",
            vec![("Fm1", form(Some([1, 0, 0, 1, 0, -100]), b"BT /F1 12 Tf 72 700 Td (Anna) Tj ET", false))],
        );
        assert_eq!(ours(&doc), [Some("Jane Doe\nAnna".to_string())]);
    }

    #[test]
    fn a_form_that_draws_itself_is_drawn_once() {
        let mut doc = helvetica_page(
            b"/Fm1 Do",
            vec![("Fm1", form(None, b"BT /F1 12 Tf 72 700 Td (Anna) Tj ET /Fm1 Do", true))],
        );
        // The form's resources name the form itself.
        let form_id = doc
            .objects
            .iter()
            .find(|(_, o)| o.as_stream().is_ok_and(|s| s.dict.has(b"BBox")))
            .map(|(id, _)| *id)
            .expect("the form");
        if let Ok(Object::Stream(s)) = doc.get_object_mut(form_id) {
            if let Ok(Object::Dictionary(r)) = s.dict.get_mut(b"Resources") {
                r.set("XObject", dictionary! { "Fm1" => form_id });
            }
        }
        assert_eq!(ours(&doc), [Some("Anna".to_string())]);
    }

    #[test]
    fn a_page_read_in_part_passes_over_what_it_does_not_cover() {
        let type3 = dictionary! { "Type" => "Font", "Subtype" => "Type3", "CharProcs" => dictionary! {} };
        let doc = document(
            &[b"BT /T3 12 Tf 72 720 Td (AB) Tj /F1 12 Tf 0 -20 Td (Jane Doe) Tj ET"],
            vec![("T3", type3), ("F1", helvetica())],
            Vec::new(),
        );
        let page = doc.get_pages()[&1];
        let read = |coverage| {
            let mut out = PageText::within(usize::MAX);
            out.start(1);
            let drawn = draw_page(&doc, page, &mut Fonts::default(), &mut out, coverage);
            drawn.map(|()| out.page.take().map(|p| p.1).unwrap_or_default()).ok()
        };
        assert_eq!(read(Coverage::Whole), None);
        assert_eq!(read(Coverage::InPart).as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn embedded_programs_matter_only_where_pdf_extract_reads_an_encoding_from_them() {
        let program = |subtype: Option<&str>| {
            let mut d = Dictionary::new();
            if let Some(s) = subtype {
                d.set("Subtype", Object::Name(s.as_bytes().to_vec()));
            }
            Stream::new(d, b"not a font program".to_vec())
        };
        let font = |key: &str, file: Stream, encoding: bool, map: bool| {
            let mut f = standard("CMR10", Object::Null);
            f.set("FontDescriptor", dictionary! { "Type" => "FontDescriptor", key => file });
            f.set("FirstChar", 0);
            f.set("LastChar", 255);
            f.set("Widths", (0..256).map(|_| Object::Integer(500)).collect::<Vec<_>>());
            if encoding {
                f.set("Encoding", "WinAnsiEncoding");
            }
            if map {
                f.set("ToUnicode", cmap("1 beginbfrange <00> <FF> <0000> endbfrange"));
            }
            f
        };
        let covered = |f: Dictionary| Font::build(&Document::with_version("1.5"), &f).is_ok();
        // A Type 1 program's own encoding is read only when the font names none and has no map.
        assert!(!covered(font("FontFile", program(None), false, false)));
        assert!(covered(font("FontFile", program(None), true, false)));
        assert!(covered(font("FontFile", program(None), false, true)));
        // A Type 1C program's glyph names come before any encoding: only a map says more.
        assert!(!covered(font("FontFile3", program(Some("Type1C")), true, false)));
        assert!(covered(font("FontFile3", program(Some("Type1C")), true, true)));
        // Other programs say nothing pdf-extract reads.
        assert!(covered(font("FontFile3", program(Some("OpenType")), true, false)));
    }

    #[test]
    fn type3_fonts_are_left_to_pdf_extract() {
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type3", "FontMatrix" => vec![0.001.into(), 0.into(), 0.into(), 0.001.into(), 0.into(), 0.into()],
            "FirstChar" => 65, "LastChar" => 66, "Widths" => vec![500.into(), 500.into()],
            "Encoding" => dictionary! { "Type" => "Encoding", "Differences" => vec![65.into(), "A".into(), "B".into()] },
            "CharProcs" => dictionary! {},
        };
        let doc = document(&[b"BT /F1 12 Tf 72 700 Td (AB) Tj ET"], vec![("F1", font)], Vec::new());
        let readings = both_readings(&doc);
        assert_eq!(readings[0].0, None);
        assert_eq!(readings[0].1.as_deref(), Some("AB"));
    }
}
