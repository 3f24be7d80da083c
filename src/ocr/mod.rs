//! The text of images, read by Tesseract (policy `ocr = true`): screenshots attached or
//! pasted inline, images inside documents and archives, scanned PDF pages.
//!
//! - `sys`: Tesseract's C API, loaded at run time (the crate's second boundary with foreign
//!   code; see `docs/design.md`). Nothing of Tesseract is needed to build.
//! - `decode`: images decoded by the `image` crate under limits, turned grey, and the cheap
//!   test that passes over images with no text (icons, photos) before Tesseract sees them.
//! - `ccitt`: CCITT fax (Group 3 and 4) images of scanned PDF pages, decoded by the `fax` crate.
//! - `vocabulary`: listed name words, so that OCR text with a one-letter mistake in a word of
//!   six letters or more still matches (only text read by OCR).
//! - this file: one scan's `Ocr` session (settings and the pixels read so far against
//!   `max_ocr_pixels`), and the engines, kept between images and threads.

pub(crate) mod ccitt;
mod decode;
pub(crate) mod jbig2;
#[allow(unsafe_code)]
mod sys;
mod vocabulary;

use std::cell::Cell;
use std::sync::{Mutex, OnceLock, PoisonError};

pub(crate) use decode::{is_image, resolution, Gray, Outcome, MIN_SIDE, SCREEN_DPI};
pub(crate) use vocabulary::Vocabulary;

/// The environment variable that names the Tesseract library to load (a path or a file name),
/// instead of the usual names.
pub const LIBRARY_VARIABLE: &str = "MAILDLP_TESSERACT";

/// The library, loaded once per process (or why it could not be).
fn library() -> Result<&'static sys::Tesseract, &'static str> {
    static LIBRARY: OnceLock<Result<sys::Tesseract, String>> = OnceLock::new();
    let loaded = LIBRARY.get_or_init(|| {
        let path = std::env::var(LIBRARY_VARIABLE).ok().filter(|p| !p.is_empty());
        sys::Tesseract::load(path.as_deref())
    });
    match loaded {
        Ok(t) => Ok(t),
        Err(why) => Err(why.as_str()),
    }
}

/// Engines not reading now, each with its language set (`eng`, `eng+ara`): taken by a thread
/// for one image and given back, so that an engine (whose language data takes Tesseract about
/// as long to load as a page takes to read) outlives the thread that made it. The milter's
/// threads come and go with its SMTP sessions (libmilter's pool of workers); without this, a
/// session's first image would pay for loading the data again.
static IDLE: Pool<sys::Api<'static>> = Pool::new();

/// The most idle engines kept for one language set: as many as the machine has cores (more
/// read no faster at once); an engine given back past that is freed.
fn max_idle() -> usize {
    static MAX: OnceLock<usize> = OnceLock::new();
    *MAX.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()).max(2))
}

/// Idle values (engines) shared by every thread, each under a key (its language set).
struct Pool<T> {
    idle: Mutex<Vec<(String, T)>>,
}

impl<T> Pool<T> {
    const fn new() -> Pool<T> {
        Pool { idle: Mutex::new(Vec::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, T)>> {
        // A panic elsewhere while the lock was held leaves the list whole (it is only pushed
        // to and removed from).
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle value kept under `key`, now the caller's, or `None`.
    fn take(&self, key: &str) -> Option<T> {
        let mut idle = self.lock();
        let at = idle.iter().position(|(k, _)| k == key)?;
        Some(idle.swap_remove(at).1)
    }

    /// Keeps `value` under `key` for the next [`Pool::take`], unless `max` are idle under that
    /// key already: then it is handed back (to be dropped outside the lock).
    fn give(&self, key: &str, value: T, max: usize) -> Option<T> {
        let mut idle = self.lock();
        if idle.iter().filter(|(k, _)| k == key).count() < max {
            idle.push((key.to_string(), value));
            None
        } else {
            Some(value)
        }
    }
}

/// Whether OCR can run for `languages` (`["eng", "ara"]`): `Ok` with Tesseract's version, or
/// why not (no library, no language data). Loads the library and the language data once.
pub fn status(languages: &[String]) -> Result<String, String> {
    let lib = library().map_err(str::to_string)?;
    with_engine(&languages.join("+"), |_| ())?;
    Ok(lib.version())
}

/// Runs `f` with an idle engine for `languages`, or a new one when none is idle, and keeps it
/// for the next image.
fn with_engine<T>(languages: &str, f: impl FnOnce(&mut sys::Api<'static>) -> T) -> Result<T, String> {
    let lib = library().map_err(str::to_string)?;
    let mut api = match IDLE.take(languages) {
        Some(api) => api,
        None => lib.api(languages)?,
    };
    let out = f(&mut api);
    // An engine past the bound is freed here, outside the lock.
    drop(IDLE.give(languages, api, max_idle()));
    Ok(out)
}

/// Whether the image file `bytes` is passed over by the cheap test before Tesseract (too small
/// or no text: a photo, a flat drawing), or does not decode; `false` when Tesseract would read
/// it. Decodes it under the default allowance; reads nothing. For measuring the test.
pub fn passes_over(bytes: &[u8]) -> bool {
    let settings = Settings { languages: String::new(), max_pixels: crate::Limits::default().max_ocr_pixels };
    match decode::open(bytes, &Ocr::new(&settings)) {
        Ok(image) => !decode::may_hold_text(&image),
        Err(_) => true,
    }
}

/// What a policy says about OCR, compiled once per scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Tesseract's language argument (`eng+ara`).
    pub(crate) languages: String,
    /// Pixels read per message (`max_ocr_pixels`).
    pub(crate) max_pixels: u64,
}

/// One message's OCR: the settings and the pixels read so far.
#[derive(Debug)]
pub(crate) struct Ocr<'s> {
    settings: &'s Settings,
    used: Cell<u64>,
}

impl<'s> Ocr<'s> {
    /// A session for one message.
    pub(crate) fn new(settings: &'s Settings) -> Ocr<'s> {
        Ocr { settings, used: Cell::new(0) }
    }

    /// The most pixels one message may have read.
    pub(crate) fn max_pixels(&self) -> u64 {
        self.settings.max_pixels
    }

    /// Takes `n` pixels from the message's allowance, or none and `false` when fewer are left.
    fn take(&self, n: u64) -> bool {
        let left = self.settings.max_pixels.saturating_sub(self.used.get());
        if n > left {
            // Nothing more is read in this message once one image did not fit.
            self.used.set(self.settings.max_pixels);
            return false;
        }
        self.used.set(self.used.get() + n);
        true
    }

    /// Reads the text of the image file `bytes` (PNG, JPEG, GIF, TIFF, BMP, WebP): its first
    /// page or frame, at `dpi` dots an inch when the caller knows (a scanned PDF page).
    pub(crate) fn read_file(&self, bytes: &[u8], dpi: Option<u32>) -> Outcome {
        let image = match decode::open(bytes, self) {
            Ok(image) => image,
            Err(outcome) => return outcome,
        };
        self.read(&Gray { dpi: dpi.unwrap_or(image.dpi), ..image })
    }

    /// Reads the text of every page and frame of the image file `bytes` (a multi-page TIFF's
    /// pages, an animated GIF's frames), handing each outcome to `each` with its label (`page
    /// 2`, `frame 3`); an image of one page is handed once with no label.
    pub(crate) fn read_each(&self, bytes: &[u8], mut each: impl FnMut(Option<&str>, Outcome)) {
        decode::each_image(bytes, self, &mut |label, image| match image {
            Ok(image) => each(label, self.read(&image)),
            Err(outcome) => each(label, outcome),
        });
    }

    /// Reads the text of decoded grey pixels (charged to the allowance already).
    pub(crate) fn read(&self, image: &Gray) -> Outcome {
        if !decode::may_hold_text(image) {
            return Outcome::NoText;
        }
        let (pixels, width, height, dpi) = decode::for_tesseract(image);
        match with_engine(&self.settings.languages, |api| api.recognise(&pixels, width, height, dpi)) {
            Ok(Some(text)) => Outcome::Text(text),
            Ok(None) => Outcome::NoText,
            Err(why) => Outcome::Unavailable(why),
        }
    }

    /// Charges a `width` x `height` image to the allowance: `false` when it does not fit.
    pub(crate) fn charge(&self, width: u32, height: u32) -> bool {
        self.take(u64::from(width) * u64::from(height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_stops_the_message_once_spent() {
        let s = Settings { languages: "eng".into(), max_pixels: 1000 };
        let ocr = Ocr::new(&s);
        assert!(ocr.charge(20, 20));
        assert!(ocr.charge(20, 20));
        assert!(!ocr.charge(20, 20), "1200 pixels > 1000");
        assert!(!ocr.charge(1, 1), "nothing more once an image did not fit");
    }

    #[test]
    fn a_value_given_back_on_one_thread_is_taken_on_another() {
        let pool: Pool<u32> = Pool::new();
        assert_eq!(pool.take("eng"), None);
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(pool.give("eng", 1, 2), None));
        });
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(pool.take("eng+ara"), None, "kept under its own key only");
                assert_eq!(pool.take("eng"), Some(1));
                assert_eq!(pool.take("eng"), None, "taken once");
            });
        });
    }

    #[test]
    fn the_pool_keeps_at_most_max_a_key() {
        let pool: Pool<u32> = Pool::new();
        assert_eq!(pool.give("eng", 1, 2), None);
        assert_eq!(pool.give("eng", 2, 2), None);
        assert_eq!(pool.give("eng", 3, 2), Some(3), "a third is handed back to be freed");
        assert_eq!(pool.give("ara", 4, 2), None, "another key has its own bound");
        let mut taken = [pool.take("eng"), pool.take("eng"), pool.take("eng")];
        taken.sort();
        assert_eq!(taken, [None, Some(1), Some(2)]);
        assert_eq!(pool.take("ara"), Some(4));
    }

    #[test]
    fn engines_are_kept_for_as_many_threads_as_cores() {
        assert!(max_idle() >= 2);
    }
}
