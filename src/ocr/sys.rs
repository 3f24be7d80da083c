//! The second boundary with foreign code (the first is `src/ffi.rs`): Tesseract's C API,
//! loaded at run time from the system's `libtesseract` with `libloading` (nothing of Tesseract
//! is needed to build maildlp). Every `unsafe` block of the crate outside `src/ffi.rs` is in
//! this file, and says why it is sound.
//!
//! What the rest of the crate sees is safe: [`Tesseract::load`] finds the library and every
//! function used (or says why not), [`Api`] is one engine instance (`TessBaseAPI`) that owns
//! its handle and frees it when dropped, and [`Api::recognise`] takes 8-bit grey pixels and
//! returns the text read.

use std::ffi::{c_char, c_int, c_void, CStr, CString};

use libloading::Library;

/// An opaque `TessBaseAPI *`.
type Handle = *mut c_void;

/// The functions of Tesseract's C API (`tesseract/capi.h`) maildlp calls, resolved once.
struct Functions {
    create: unsafe extern "C" fn() -> Handle,
    delete: unsafe extern "C" fn(Handle),
    end: unsafe extern "C" fn(Handle),
    init3: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> c_int,
    set_variable: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> c_int,
    set_page_seg_mode: unsafe extern "C" fn(Handle, c_int),
    set_image: unsafe extern "C" fn(Handle, *const u8, c_int, c_int, c_int, c_int),
    set_source_resolution: unsafe extern "C" fn(Handle, c_int),
    get_utf8_text: unsafe extern "C" fn(Handle) -> *mut c_char,
    delete_text: unsafe extern "C" fn(*const c_char),
    loaded_languages: unsafe extern "C" fn(Handle) -> *mut *mut c_char,
    delete_text_array: unsafe extern "C" fn(*mut *mut c_char),
    clear: unsafe extern "C" fn(Handle),
    version: unsafe extern "C" fn() -> *const c_char,
}

/// The Tesseract library, loaded, with the functions maildlp calls.
pub(crate) struct Tesseract {
    f: Functions,
    /// Kept loaded for as long as the functions are used (the process, in practice).
    _library: Library,
}

impl std::fmt::Debug for Tesseract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tesseract").field("version", &self.version()).finish()
    }
}

/// The names the library is looked for under, in order: Tesseract 5 and 4 (the C API maildlp
/// uses is the same in both) on Linux and the BSDs, then macOS.
const NAMES: &[&str] = &[
    "libtesseract.so.5",
    "libtesseract.so.4",
    "libtesseract.so",
    "libtesseract.5.dylib",
    "libtesseract.dylib",
];

impl Tesseract {
    /// Loads the library from `path`, or (`None`) from the first of the usual names the system's
    /// loader finds, and resolves every function used. Returns why not when it cannot.
    pub(crate) fn load(path: Option<&str>) -> Result<Tesseract, String> {
        let library = match path {
            Some(p) => open(p).map_err(|e| format!("{p}: {e}"))?,
            None => NAMES.iter().find_map(|n| open(n).ok()).ok_or_else(|| {
                "libtesseract is not installed (Debian: apt-get install libtesseract5 tesseract-ocr-eng)"
                    .to_string()
            })?,
        };
        macro_rules! get {
            ($name:literal) => {{
                // SAFETY: the symbol is a function of Tesseract's C API, and the type it is read
                // as is its prototype in `tesseract/capi.h` (identical in Tesseract 4 and 5). The
                // pointer is copied out of the `Symbol` but used only while `_library`, stored
                // beside it in the same `Tesseract`, keeps the library loaded.
                let symbol = unsafe { library.get($name) };
                *symbol.map_err(|e| format!("libtesseract has no {}: {e}", String::from_utf8_lossy($name)))?
            }};
        }
        let f = Functions {
            create: get!(b"TessBaseAPICreate\0"),
            delete: get!(b"TessBaseAPIDelete\0"),
            end: get!(b"TessBaseAPIEnd\0"),
            init3: get!(b"TessBaseAPIInit3\0"),
            set_variable: get!(b"TessBaseAPISetVariable\0"),
            set_page_seg_mode: get!(b"TessBaseAPISetPageSegMode\0"),
            set_image: get!(b"TessBaseAPISetImage\0"),
            set_source_resolution: get!(b"TessBaseAPISetSourceResolution\0"),
            get_utf8_text: get!(b"TessBaseAPIGetUTF8Text\0"),
            delete_text: get!(b"TessDeleteText\0"),
            loaded_languages: get!(b"TessBaseAPIGetLoadedLanguagesAsVector\0"),
            delete_text_array: get!(b"TessDeleteTextArray\0"),
            clear: get!(b"TessBaseAPIClear\0"),
            version: get!(b"TessVersion\0"),
        };
        Ok(Tesseract { f, _library: library })
    }

    /// The library's version (`5.3.0`).
    pub(crate) fn version(&self) -> String {
        // SAFETY: `TessVersion` takes nothing and returns a pointer to a static NUL-terminated
        // string (or, defensively, null), which is only read here.
        let v = unsafe { (self.f.version)() };
        if v.is_null() {
            return String::new();
        }
        // SAFETY: `v` is non-null and points to Tesseract's static version string, NUL-terminated.
        unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
    }

    /// A new engine for `languages` (`eng`, `eng+ara`), its language data looked for where
    /// Tesseract looks (`TESSDATA_PREFIX`, else where the library was built to). Returns why
    /// not when the data cannot be loaded.
    pub(crate) fn api(&self, languages: &str) -> Result<Api<'_>, String> {
        let lang = CString::new(languages).map_err(|_| "a language name holds a NUL".to_string())?;
        // SAFETY: `TessBaseAPICreate` takes nothing and returns a new handle (or null).
        let handle = unsafe { (self.f.create)() };
        if handle.is_null() {
            return Err("Tesseract could not create an engine".to_string());
        }
        // From here the handle is owned by `api`, whose `Drop` ends and deletes it.
        let api = Api { lib: self, handle };
        // SAFETY: `handle` is a live handle from `TessBaseAPICreate`; the data path is null (the
        // default) and `lang` is a NUL-terminated string that outlives the call.
        let status = unsafe { (self.f.init3)(api.handle, std::ptr::null(), lang.as_ptr()) };
        if status != 0 {
            return Err(format!("Tesseract has no language data for {languages:?} (tesseract-ocr-LANG)"));
        }
        // Tesseract starts with the languages whose data it found and passes over the others
        // (`eng+zzz` reads English only): a language named without its data is refused too.
        let loaded = api.loaded_languages();
        let missing: Vec<&str> = languages.split('+').filter(|l| !loaded.iter().any(|m| m == l)).collect();
        if !missing.is_empty() {
            return Err(format!(
                "Tesseract has no language data for {:?} (tesseract-ocr-LANG)",
                missing.join("+")
            ));
        }
        // Automatic page segmentation without orientation detection (Tesseract's default for
        // the command line), and no debugging output on standard error.
        // SAFETY: `handle` is live and initialised; 3 is `PSM_AUTO`.
        unsafe { (self.f.set_page_seg_mode)(api.handle, 3) };
        // SAFETY: `handle` is live; both strings are static and NUL-terminated. A variable
        // Tesseract does not know is refused (returns false), which is harmless.
        unsafe { (self.f.set_variable)(api.handle, c"debug_file".as_ptr(), c"/dev/null".as_ptr()) };
        Ok(api)
    }
}

impl Api<'_> {
    /// The languages whose data the engine loaded (`["eng", "deu"]`).
    fn loaded_languages(&self) -> Vec<String> {
        // SAFETY: `handle` is live and initialised; the result is a new null-terminated array of
        // NUL-terminated strings (or null), owned by the caller and freed below.
        let array = unsafe { (self.lib.f.loaded_languages)(self.handle) };
        if array.is_null() {
            return Vec::new();
        }
        let mut names = Vec::new();
        for i in 0.. {
            // SAFETY: `array` is non-null and null-terminated, and `i` has not passed its end
            // (the loop stops at the first null).
            let name = unsafe { *array.add(i) };
            if name.is_null() {
                break;
            }
            // SAFETY: `name` is a non-null NUL-terminated string of the array, read before it is freed.
            names.push(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned());
        }
        // SAFETY: `array` came from `TessBaseAPIGetLoadedLanguagesAsVector` and is freed once.
        unsafe { (self.lib.f.delete_text_array)(array) };
        names
    }
}

/// Opens a shared library by name or path.
fn open(name: &str) -> Result<Library, libloading::Error> {
    // SAFETY: loading runs the library's initialisers. The libraries opened here are the
    // system's Tesseract (a name from `NAMES`) or the one the operator named
    // (`MAILDLP_TESSERACT`); their initialisers set up C++ statics and have no requirement on
    // the caller. The library is never unloaded while its functions are in use (it is kept in
    // the `Tesseract` that holds them).
    unsafe { Library::new(name) }
}

/// One Tesseract engine (`TessBaseAPI`), initialised for its languages. Used by one thread at
/// a time (Tesseract's engine is not thread-safe), which may hand it to another between images.
pub(crate) struct Api<'l> {
    lib: &'l Tesseract,
    handle: Handle,
}

// SAFETY: an engine may be handed from one thread to another between images: `TessBaseAPI`
// keeps no per-thread state (the library has no thread-local storage) and is used by one
// thread at a time (an `Api` is used through `&mut`, and held by one thread or, idle, behind
// a mutex). The `Tesseract` it borrows is immutable and its library handle is `Sync`.
unsafe impl Send for Api<'_> {}

impl Api<'_> {
    /// The text Tesseract reads in a `width` x `height` image of 8-bit grey `pixels` (row after
    /// row, no padding) scanned at `dpi`. Returns `None` when the pixels do not make that image
    /// or Tesseract reads nothing.
    pub(crate) fn recognise(&mut self, pixels: &[u8], width: u32, height: u32, dpi: u32) -> Option<String> {
        let (w, h) = (c_int::try_from(width).ok()?, c_int::try_from(height).ok()?);
        if w == 0 || h == 0 || pixels.len() != (width as usize).checked_mul(height as usize)? {
            return None;
        }
        let dpi = c_int::try_from(dpi.clamp(70, 1200)).ok()?;
        // SAFETY: `handle` is live and initialised. `pixels` holds exactly `w * h` bytes (checked
        // above): one byte a pixel, `w` bytes a line, which is what the arguments say. Tesseract
        // copies the pixels into its own image before returning, so the borrow may end after
        // the call.
        unsafe {
            (self.lib.f.set_image)(self.handle, pixels.as_ptr(), w, h, 1, w);
            (self.lib.f.set_source_resolution)(self.handle, dpi);
        }
        // SAFETY: `handle` is live and has an image; the result is a new NUL-terminated string
        // (or null) that Tesseract allocated, freed below with `TessDeleteText`.
        let text = unsafe { (self.lib.f.get_utf8_text)(self.handle) };
        let out = (!text.is_null()).then(|| {
            // SAFETY: `text` is non-null and NUL-terminated (Tesseract's UTF-8 result).
            let s = unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned();
            // SAFETY: `text` came from `TessBaseAPIGetUTF8Text` and is freed once, here.
            unsafe { (self.lib.f.delete_text)(text) };
            s
        });
        // SAFETY: `handle` is live; clearing frees the image and results, keeping the
        // languages loaded for the next image.
        unsafe { (self.lib.f.clear)(self.handle) };
        out
    }
}

impl Drop for Api<'_> {
    fn drop(&mut self) {
        // SAFETY: `handle` came from `TessBaseAPICreate`, is owned by this value alone, and is
        // ended and deleted exactly once, here.
        unsafe {
            (self.lib.f.end)(self.handle);
            (self.lib.f.delete)(self.handle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_says_so() {
        let err = Tesseract::load(Some("/nonexistent/libtesseract.so.5")).unwrap_err();
        assert!(err.starts_with("/nonexistent/libtesseract.so.5: "), "{err}");
    }
}
