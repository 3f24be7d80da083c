//! The C ABI (cargo feature `ffi`): maildlp inside mail plugins.
//!
//! Built the way rustls-ffi and hyper's C API are: opaque handles backed by `Box`, every
//! exported body inside one panic boundary that turns a panic into `MAILDLP_PANIC`, every
//! pointer checked before use, a `#[repr(C)]` status enum with fixed numbers and a static
//! description. The header `include/maildlp.h` is generated from this file by cbindgen.
//!
//! Ownership: a scanner from `maildlp_scanner_open` (or `maildlp_scanner_new`,
//! `maildlp_scanner_new_sealed`) is freed with `maildlp_scanner_free`; a report from
//! `maildlp_scan` with `maildlp_report_free`; the JSON text belongs to its report; status and
//! version strings are static. A scanner is immutable and may serve `maildlp_scan` from many
//! threads at once.
//!
//! Every error of the library reaches C as its own status (`status_of`).

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::list::SealedList;
use crate::{Error, Policy, ProtectedList, Report, Scanner, Verdict};

/// The result of a call. The numbers are fixed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum maildlp_status {
    /// Success.
    MAILDLP_OK = 0,
    /// A required pointer was NULL (or an array was NULL with a non-zero count).
    MAILDLP_NULL_ARGUMENT = 1,
    /// A text argument was not valid UTF-8.
    MAILDLP_INVALID_UTF8 = 2,
    /// The protected list was refused (the message says which line and why).
    MAILDLP_INVALID_LIST = 3,
    /// The policy was refused (the message names the key).
    MAILDLP_INVALID_POLICY = 4,
    /// An envelope recipient is not an email address.
    MAILDLP_INVALID_ADDRESS = 5,
    /// A sealed list's key is missing, malformed, or not the key the list was sealed with.
    MAILDLP_INVALID_KEY = 6,
    /// maildlp panicked; nothing was returned. A bug: please report it.
    MAILDLP_PANIC = 100,
}

use maildlp_status::*;

/// The status of each error of the library: the one place errors become statuses.
fn status_of(e: &Error) -> maildlp_status {
    match e {
        Error::List { .. } => MAILDLP_INVALID_LIST,
        // A sealed list that cannot be read is a list that was refused.
        Error::Sealed(_) => MAILDLP_INVALID_LIST,
        Error::Policy(_) => MAILDLP_INVALID_POLICY,
        Error::InvalidAddress(_) => MAILDLP_INVALID_ADDRESS,
        Error::Key(_) => MAILDLP_INVALID_KEY,
    }
}

/// A compiled protected list and policy. Opaque; thread-safe; shared by reference.
pub struct maildlp_scanner {
    scanner: Scanner,
}

/// The report of one scan. Opaque; owned by the caller until `maildlp_report_free`.
pub struct maildlp_report {
    report: Report,
    json: CString,
    /// The distinct rules that fired, comma-separated, in report order.
    rules: CString,
    /// The distinct record ids named, comma-separated, in report order.
    records: CString,
}

/// `a,b,c` of the distinct values, in order.
fn distinct_list<'a>(items: impl Iterator<Item = &'a str>) -> CString {
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    CString::new(seen.join(",")).unwrap_or_default()
}

/// Runs `f`, turning a panic into `on_panic`. A panic must never unwind into C.
fn boundary<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(on_panic)
}

/// Borrows `len` bytes at `ptr`; `None` when `ptr` is NULL and `len` is not 0.
///
/// # Safety
/// When `len > 0`, `ptr` must be valid for reads of `len` bytes for `'a`.
unsafe fn bytes<'a>(ptr: *const c_char, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is not NULL and the caller promises it is valid for `len` bytes.
    Some(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// Writes `msg` into the caller's buffer, truncated to `len - 1` bytes (on a character
/// boundary) and NUL-terminated. Nothing is written when `buf` is NULL or `len` is 0.
///
/// # Safety
/// When `buf` is not NULL, it must be valid for writes of `len` bytes.
unsafe fn write_message(buf: *mut c_char, len: usize, msg: &str) {
    if buf.is_null() || len == 0 {
        return;
    }
    let mut n = msg.len().min(len - 1);
    while !msg.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: `buf` is valid for `len` bytes and `n + 1 <= len`; the source is a live `&str`
    // that cannot overlap a buffer the caller owns.
    unsafe {
        std::ptr::copy_nonoverlapping(msg.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
}

/// The line of the first invalid UTF-8 sequence in `bytes`, counted from 1.
fn utf8_error_line(bytes: &[u8], e: &std::str::Utf8Error) -> usize {
    bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Opens a protected list from the bytes of its file, plain (CSV) or sealed (`maildlp seal`) as
/// the bytes say, and compiles it with a policy (TOML text; NULL for the defaults) into a
/// scanner stored in `*out`.
///
/// `key` is the key file's bytes (64 hexadecimal digits, or the 32 bytes), or NULL with
/// `key_len` 0 for no key (a `key_len` of 0 is no key whatever `key` is). A sealed list needs
/// its key: without one, or with another, it is `MAILDLP_INVALID_KEY`. A plain list needs
/// none: a key given with one must still be a well-formed key (else `MAILDLP_INVALID_KEY`) and
/// is otherwise not used, so that one configuration serves whichever list file is deployed.
/// A refused CSV list or a damaged sealed one is `MAILDLP_INVALID_LIST`, a refused policy
/// `MAILDLP_INVALID_POLICY`, a policy that is not UTF-8 `MAILDLP_INVALID_UTF8`.
///
/// On failure `*out` is NULL and, when `err_buf` is not NULL, a NUL-terminated message
/// (truncated to `err_len` bytes) says what is wrong, with the list's line number.
///
/// # Safety
/// `list` must be valid for `list_len` bytes; `key`, when not NULL, for `key_len` bytes;
/// `policy_toml`, when not NULL, for `policy_len` bytes; `out` must be NULL or valid for a
/// write; `err_buf`, when not NULL, for `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scanner_open(
    list: *const u8,
    list_len: usize,
    key: *const u8,
    key_len: usize,
    policy_toml: *const c_char,
    policy_len: usize,
    out: *mut *mut maildlp_scanner,
    err_buf: *mut c_char,
    err_len: usize,
) -> maildlp_status {
    boundary(MAILDLP_PANIC, || {
        let make = || {
            // SAFETY: the caller promises `list` is valid for `list_len` bytes.
            let list = unsafe { required(list, list_len, "list") }?;
            // SAFETY: the caller promises `key` is NULL or valid for `key_len` bytes;
            // `bytes` refuses NULL with a length.
            let key = unsafe { bytes(key.cast(), key_len) }
                .ok_or_else(|| (MAILDLP_NULL_ARGUMENT, "key is NULL but key_len is not 0".to_string()))?;
            // SAFETY: the caller promises `policy_toml` is NULL or valid for `policy_len`.
            let policy = unsafe { policy_from(policy_toml, policy_len) }?;
            Scanner::open(list, (!key.is_empty()).then_some(key), policy).map_err(refused)
        };
        // SAFETY: the caller promises `out` is NULL or valid for a write and `err_buf` NULL or
        // valid for `err_len` bytes.
        unsafe { construct(out, err_buf, err_len, make) }
    })
}

/// Compiles a protected list (CSV text, `list_len` bytes, not necessarily NUL-terminated) and
/// a policy (TOML text; NULL for the defaults) into a scanner stored in `*out`.
///
/// On failure `*out` is NULL and, when `err_buf` is not NULL, a NUL-terminated message
/// (truncated to `err_len` bytes) says what is wrong, with the list's line number.
///
/// # Safety
/// `list_csv` must be valid for `list_len` bytes; `policy_toml`, when not NULL, for
/// `policy_len` bytes; `out` must be valid for a write; `err_buf`, when not NULL, for
/// `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scanner_new(
    list_csv: *const c_char,
    list_len: usize,
    policy_toml: *const c_char,
    policy_len: usize,
    out: *mut *mut maildlp_scanner,
    err_buf: *mut c_char,
    err_len: usize,
) -> maildlp_status {
    boundary(MAILDLP_PANIC, || {
        let make = || {
            // SAFETY: the caller promises `list_csv` is valid for `list_len` bytes.
            let list = unsafe { required(list_csv.cast(), list_len, "list_csv") }?;
            if let Err(e) = std::str::from_utf8(list) {
                let line = utf8_error_line(list, &e);
                return Err((MAILDLP_INVALID_UTF8, format!("protected list, line {line}: not valid UTF-8")));
            }
            // SAFETY: the caller promises `policy_toml` is NULL or valid for `policy_len`.
            let policy = unsafe { policy_from(policy_toml, policy_len) }?;
            let list =
                ProtectedList::from_csv_bytes_limited(list, policy.max_list_records()).map_err(refused)?;
            Ok(Scanner::new(list, policy))
        };
        // SAFETY: the caller promises `out` is NULL or valid for a write and `err_buf` NULL or
        // valid for `err_len` bytes.
        unsafe { construct(out, err_buf, err_len, make) }
    })
}

/// Writes `msg` for the caller and returns `status`.
///
/// # Safety
/// `err_buf` must be NULL or valid for writes of `err_len` bytes.
unsafe fn fail_with(
    err_buf: *mut c_char,
    err_len: usize,
    status: maildlp_status,
    msg: &str,
) -> maildlp_status {
    // SAFETY: passed on from the caller.
    unsafe { write_message(err_buf, err_len, msg) };
    status
}

/// The start of every constructor: `*out` is set to NULL, or `out` itself is NULL (an error
/// the caller is told of).
///
/// # Safety
/// `out` must be NULL or valid for a write; `err_buf` NULL or valid for `err_len` bytes.
unsafe fn clear_out(
    out: *mut *mut maildlp_scanner,
    err_buf: *mut c_char,
    err_len: usize,
) -> Result<(), maildlp_status> {
    if out.is_null() {
        // SAFETY: passed on from the caller.
        return Err(unsafe { fail_with(err_buf, err_len, MAILDLP_NULL_ARGUMENT, "out is NULL") });
    }
    // SAFETY: `out` is not NULL and the caller promises it is valid for a write.
    unsafe { *out = std::ptr::null_mut() };
    Ok(())
}

/// What a constructor that failed says: its status and a message for `err_buf`.
type Refusal = (maildlp_status, String);

/// The body every scanner constructor shares: `*out` is cleared, `make` builds the scanner,
/// and it is stored in `*out`, or its refusal is written to `err_buf` and returned.
///
/// # Safety
/// `out` must be NULL or valid for a write; `err_buf` NULL or valid for writes of `err_len`
/// bytes.
unsafe fn construct(
    out: *mut *mut maildlp_scanner,
    err_buf: *mut c_char,
    err_len: usize,
    make: impl FnOnce() -> Result<Scanner, Refusal>,
) -> maildlp_status {
    // SAFETY: passed on from the caller.
    if let Err(status) = unsafe { clear_out(out, err_buf, err_len) } {
        return status;
    }
    match make() {
        Ok(scanner) => {
            // SAFETY: `out` is not NULL (checked by `clear_out`) and valid for a write.
            unsafe { *out = Box::into_raw(Box::new(maildlp_scanner { scanner })) };
            MAILDLP_OK
        }
        // SAFETY: passed on from the caller.
        Err((status, msg)) => unsafe { fail_with(err_buf, err_len, status, &msg) },
    }
}

/// The bytes at `ptr`, refused as `what` is NULL when `ptr` is NULL (whatever `len` is).
///
/// # Safety
/// `ptr` must be NULL or valid for reads of `len` bytes, for `'a`.
unsafe fn required<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Refusal> {
    let refusal = || (MAILDLP_NULL_ARGUMENT, format!("{what} is NULL"));
    if ptr.is_null() {
        return Err(refusal());
    }
    // SAFETY: not NULL; passed on from the caller.
    unsafe { bytes(ptr.cast(), len) }.ok_or_else(refusal)
}

/// An error of the library as a refusal.
fn refused(e: crate::Error) -> Refusal {
    (status_of(&e), e.to_string())
}

/// The policy from its TOML text (NULL for the defaults), or the status and message of its
/// refusal.
///
/// # Safety
/// `policy_toml` must be NULL or valid for reads of `policy_len` bytes.
unsafe fn policy_from(
    policy_toml: *const c_char,
    policy_len: usize,
) -> Result<Policy, (maildlp_status, String)> {
    if policy_toml.is_null() {
        return Ok(Policy::default());
    }
    // SAFETY: not NULL; the caller promises it is valid for `policy_len` bytes.
    let raw = unsafe { bytes(policy_toml, policy_len) }.unwrap_or_default();
    let Ok(text) = std::str::from_utf8(raw) else {
        return Err((MAILDLP_INVALID_UTF8, "policy: not valid UTF-8".to_string()));
    };
    Policy::from_toml(text).map_err(|e| (status_of(&e), e.to_string()))
}

/// Builds a scanner from a sealed list (`maildlp seal`) and its key (the key file's bytes: 64
/// hexadecimal digits, or 32 raw bytes). `policy_toml` may be NULL for the defaults. A wrong or
/// malformed key is `MAILDLP_INVALID_KEY`, a damaged sealed list `MAILDLP_INVALID_LIST`; on
/// failure `*out` stays NULL and `err_buf` (if not NULL) says why.
///
/// # Safety
/// `sealed` must be valid for `sealed_len` bytes, `key` for `key_len` bytes, `policy_toml` NULL
/// or valid for `policy_len` bytes, `out` NULL or valid for a write, `err_buf` NULL or valid for
/// `err_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scanner_new_sealed(
    sealed: *const u8,
    sealed_len: usize,
    key: *const u8,
    key_len: usize,
    policy_toml: *const c_char,
    policy_len: usize,
    out: *mut *mut maildlp_scanner,
    err_buf: *mut c_char,
    err_len: usize,
) -> maildlp_status {
    boundary(MAILDLP_PANIC, || {
        let make = || {
            // SAFETY: the caller promises each is valid for its length.
            let sealed = unsafe { required(sealed, sealed_len, "sealed") }?;
            // SAFETY: as above.
            let key = unsafe { required(key, key_len, "key") }?;
            // SAFETY: the caller promises `policy_toml` is NULL or valid for `policy_len`.
            let policy = unsafe { policy_from(policy_toml, policy_len) }?;
            let list = crate::list::Key::from_bytes(key)
                .and_then(|k| SealedList::open_owned(sealed.to_vec(), &k, policy.max_list_records()))
                .map_err(refused)?;
            Ok(Scanner::new(list, policy))
        };
        // SAFETY: the caller promises `out` is NULL or valid for a write and `err_buf` NULL or
        // valid for `err_len` bytes.
        unsafe { construct(out, err_buf, err_len, make) }
    })
}

/// Frees a scanner. NULL is a no-op. No scan may be running on it.
///
/// # Safety
/// `scanner` must be NULL or a pointer from `maildlp_scanner_open`, `maildlp_scanner_new` or
/// `maildlp_scanner_new_sealed`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scanner_free(scanner: *mut maildlp_scanner) {
    boundary((), || {
        if !scanner.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in a `maildlp_scanner_*`
            // constructor and the caller gives up its ownership here.
            drop(unsafe { Box::from_raw(scanner) });
        }
    })
}

/// Scans one message (`message_len` bytes; NULL only when the length is 0) delivered to the
/// envelope recipients `rcpts` (`n_rcpts` NUL-terminated strings; NULL when 0) as well as to
/// what its headers name. On success `*out` holds a report to free with `maildlp_report_free`.
///
/// # Safety
/// `scanner` must come from `maildlp_scanner_new`; `message` must be valid for `message_len`
/// bytes; `rcpts` for `n_rcpts` pointers, each to a NUL-terminated string; `out` for a write.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scan(
    scanner: *const maildlp_scanner,
    message: *const u8,
    message_len: usize,
    rcpts: *const *const c_char,
    n_rcpts: usize,
    out: *mut *mut maildlp_report,
) -> maildlp_status {
    boundary(MAILDLP_PANIC, || {
        if out.is_null() {
            return MAILDLP_NULL_ARGUMENT;
        }
        // SAFETY: `out` is not NULL and the caller promises it is valid for a write.
        unsafe { *out = std::ptr::null_mut() };
        // SAFETY: the caller promises `scanner` is NULL or a live scanner.
        let Some(scanner) = (unsafe { scanner.as_ref() }) else {
            return MAILDLP_NULL_ARGUMENT;
        };
        // SAFETY: the caller promises `message` is valid for `message_len` bytes.
        let Some(message) = (unsafe { bytes(message.cast::<c_char>(), message_len) }) else {
            return MAILDLP_NULL_ARGUMENT;
        };
        let mut envelope: Vec<&str> = Vec::with_capacity(n_rcpts);
        if n_rcpts > 0 {
            if rcpts.is_null() {
                return MAILDLP_NULL_ARGUMENT;
            }
            // SAFETY: not NULL; the caller promises `n_rcpts` readable pointers.
            let ptrs = unsafe { std::slice::from_raw_parts(rcpts, n_rcpts) };
            for &p in ptrs {
                if p.is_null() {
                    return MAILDLP_NULL_ARGUMENT;
                }
                // SAFETY: not NULL; the caller promises a NUL-terminated string.
                let Ok(s) = unsafe { CStr::from_ptr(p) }.to_str() else {
                    return MAILDLP_INVALID_UTF8;
                };
                envelope.push(s);
            }
        }
        let report = match scanner.scanner.scan_with_envelope(message, &envelope) {
            Ok(r) => r,
            Err(e) => return status_of(&e),
        };
        let json = CString::new(report.to_json()).unwrap_or_default();
        let rules = distinct_list(report.findings().iter().map(|f| f.rule.as_str()));
        let records = distinct_list(report.findings().iter().filter_map(|f| match &f.detail {
            crate::Detail::Recipient { record, .. } | crate::Detail::Identifier { record, .. } => {
                Some(record.as_str())
            }
            _ => None,
        }));
        // SAFETY: `out` was checked above.
        unsafe { *out = Box::into_raw(Box::new(maildlp_report { report, json, rules, records })) };
        MAILDLP_OK
    })
}

/// The verdict of a report: 0 allow, 1 warn, 2 block; -1 when `report` is NULL.
///
/// # Safety
/// `report` must be NULL or a live report from `maildlp_scan`.
#[no_mangle]
pub unsafe extern "C" fn maildlp_report_verdict(report: *const maildlp_report) -> c_int {
    boundary(-1, || {
        // SAFETY: the caller promises `report` is NULL or a live report.
        match unsafe { report.as_ref() } {
            None => -1,
            Some(r) => match r.report.verdict() {
                Verdict::Allow => 0,
                Verdict::Warn => 1,
                Verdict::Block => 2,
            },
        }
    })
}

/// The report as the CLI's JSON object (without `source`), NUL-terminated, valid until the
/// report is freed. Its length (without the NUL) is stored in `*len` when `len` is not NULL.
/// NULL when `report` is NULL.
///
/// # Safety
/// `report` must be NULL or a live report; `len` NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn maildlp_report_json(
    report: *const maildlp_report,
    len: *mut usize,
) -> *const c_char {
    boundary(std::ptr::null(), || {
        // SAFETY: the caller promises `report` is NULL or a live report.
        let r = unsafe { report.as_ref() };
        let (ptr, n) = r.map_or((std::ptr::null(), 0), |r| (r.json.as_ptr(), r.json.as_bytes().len()));
        if !len.is_null() {
            // SAFETY: not NULL; the caller promises it is valid for a write.
            unsafe { *len = n };
        }
        ptr
    })
}

/// The distinct rules of a report's findings, comma-separated in report order
/// (`protected-recipient-exposed,visible-recipients`; empty for `allow`): what a mail server's
/// reply or log line names. Valid until the report is freed; NULL for a NULL report.
///
/// # Safety
/// `report` must be NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn maildlp_report_rules(report: *const maildlp_report) -> *const c_char {
    // SAFETY: the caller promises `report` is NULL or a live report.
    boundary(std::ptr::null(), || unsafe { report.as_ref() }.map_or(std::ptr::null(), |r| r.rules.as_ptr()))
}

/// The distinct ids of the protected records a report names, comma-separated in report order
/// (never an identifier). Valid until the report is freed; NULL for a NULL report.
///
/// # Safety
/// `report` must be NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn maildlp_report_records(report: *const maildlp_report) -> *const c_char {
    // SAFETY: the caller promises `report` is NULL or a live report.
    boundary(std::ptr::null(), || unsafe { report.as_ref() }.map_or(std::ptr::null(), |r| r.records.as_ptr()))
}

/// The most bytes of a message the scanner reads (the policy's `max_message_bytes`): what a
/// mail plugin needs to buffer. 0 for a NULL scanner.
///
/// # Safety
/// `scanner` must be NULL or a live scanner.
#[no_mangle]
pub unsafe extern "C" fn maildlp_scanner_max_message_bytes(scanner: *const maildlp_scanner) -> usize {
    // SAFETY: the caller promises `scanner` is NULL or a live scanner.
    boundary(0, || unsafe { scanner.as_ref() }.map_or(0, |s| s.scanner.policy().limits().max_message_bytes))
}

/// Frees a report and its JSON text. NULL is a no-op.
///
/// # Safety
/// `report` must be NULL or a pointer from `maildlp_scan` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn maildlp_report_free(report: *mut maildlp_report) {
    boundary((), || {
        if !report.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in `maildlp_scan` and the caller
            // gives up its ownership here.
            drop(unsafe { Box::from_raw(report) });
        }
    })
}

/// The message with its recipient exposure fixed, as `maildlp fix --bcc` writes it: every
/// external visible recipient moved to Bcc, protected addresses out of Reply-To and
/// Mail-Followup-To, every other byte kept. A message that needs no fix (or whose header
/// cannot be rewritten) comes back as it was. On success `*out` holds `*out_len` bytes that
/// the caller frees with `maildlp_bytes_free(*out, *out_len)`; on failure `*out` is NULL and
/// `*out_len` is 0.
///
/// # Safety
/// `scanner` must be NULL or a live scanner; `message` must be valid for `message_len` bytes;
/// `out` and `out_len` must be NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn maildlp_fix_bcc(
    scanner: *const maildlp_scanner,
    message: *const u8,
    message_len: usize,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> maildlp_status {
    boundary(MAILDLP_PANIC, || {
        if out.is_null() || out_len.is_null() {
            return MAILDLP_NULL_ARGUMENT;
        }
        // SAFETY: both checked not NULL; the caller promises they are valid for a write.
        unsafe {
            *out = std::ptr::null_mut();
            *out_len = 0;
        }
        // SAFETY: the caller promises `scanner` is NULL or a live scanner.
        let Some(scanner) = (unsafe { scanner.as_ref() }) else {
            return MAILDLP_NULL_ARGUMENT;
        };
        // SAFETY: the caller promises `message` is valid for `message_len` bytes.
        let Some(message) = (unsafe { bytes(message.cast::<c_char>(), message_len) }) else {
            return MAILDLP_NULL_ARGUMENT;
        };
        let fixed = scanner.scanner.fix_bcc(message).message.into_boxed_slice();
        let len = fixed.len();
        let ptr = Box::into_raw(fixed).cast::<u8>();
        // SAFETY: both checked above.
        unsafe {
            *out = ptr;
            *out_len = len;
        }
        MAILDLP_OK
    })
}

/// Frees bytes returned by maildlp (`maildlp_fix_bcc`), given with the length returned beside
/// them. NULL is a no-op.
///
/// # Safety
/// `bytes` must be NULL or a pointer maildlp returned with exactly `len`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn maildlp_bytes_free(bytes: *mut u8, len: usize) {
    boundary((), || {
        if !bytes.is_null() {
            // SAFETY: the pointer and length came from `Box::<[u8]>::into_raw` in
            // `maildlp_fix_bcc`, and the caller gives up its ownership here.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
        }
    })
}

/// A `maildlp_status` as C passes it: the integer a C enum is. Taking the integer rather than
/// the Rust enum keeps any number a caller passes from being undefined behaviour.
pub type maildlp_status_code = c_int;

/// A static description of a status; "unknown status" for a number that is not one.
#[no_mangle]
pub extern "C" fn maildlp_status_str(status: maildlp_status_code) -> *const c_char {
    let s: &'static CStr = match status {
        0 => c"ok",
        1 => c"a required pointer argument was NULL",
        2 => c"a text argument was not valid UTF-8",
        3 => c"the protected list was refused",
        4 => c"the policy was refused",
        5 => c"an envelope recipient is not an email address",
        6 => c"the key is missing, malformed or not the one the list was sealed with",
        100 => c"maildlp panicked (a bug)",
        _ => c"unknown status",
    };
    s.as_ptr()
}

/// The library's version, a static string such as "0.1.0".
#[no_mangle]
pub extern "C" fn maildlp_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    //! The ABI called as C calls it. These also run under miri (see `.ci/run`).

    use super::*;
    use std::ptr::{null, null_mut};

    const LIST: &str =
        "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV02,email,ravi@example.net\n";
    /// The addresses of [`LIST`], for the sealed lists of these tests: sealing a name folds in
    /// its variants, whose table takes minutes to build under miri.
    const ADDRESSES: &str = "id,kind,value\nV01,email,jane.doe@example.org\nV02,email,ravi@example.net\n";
    const CC: &[u8] = b"From: a@police.example\r\nCc: jane.doe@example.org, ravi@example.net\r\nSubject: x\r\n\r\nhello\r\n";
    const BCC: &[u8] = b"From: a@police.example\r\nBcc: jane.doe@example.org, ravi@example.net\r\nSubject: x\r\n\r\nhello\r\n";

    fn new(list: &[u8], policy: Option<&[u8]>) -> (maildlp_status, *mut maildlp_scanner, String) {
        let mut out = null_mut();
        let mut err = [0x55 as c_char; 256];
        let (pp, pl) = policy.map_or((null(), 0), |p| (p.as_ptr().cast(), p.len()));
        // SAFETY: every pointer is valid for the length given with it.
        let status = unsafe {
            maildlp_scanner_new(
                list.as_ptr().cast(),
                list.len(),
                pp,
                pl,
                &mut out,
                err.as_mut_ptr(),
                err.len(),
            )
        };
        // SAFETY: on failure the message is NUL-terminated inside `err`; on success it was not
        // written, so look no further than the buffer.
        let msg = if status == MAILDLP_OK {
            String::new()
        } else {
            unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned()
        };
        (status, out, msg)
    }

    fn scan(s: *const maildlp_scanner, msg: &[u8], rcpts: &[&CStr]) -> (maildlp_status, *mut maildlp_report) {
        let ptrs: Vec<*const c_char> = rcpts.iter().map(|r| r.as_ptr()).collect();
        let mut out = null_mut();
        let rp = if ptrs.is_empty() { null() } else { ptrs.as_ptr() };
        // SAFETY: `s` is a live scanner, `msg` and `ptrs` are valid for their lengths.
        let status = unsafe { maildlp_scan(s, msg.as_ptr(), msg.len(), rp, ptrs.len(), &mut out) };
        (status, out)
    }

    #[test]
    fn lifecycle_verdicts_and_json() {
        let (status, s, _) = new(LIST.as_bytes(), Some(b"internal_domains = [\"police.example\"]"));
        assert_eq!(status, MAILDLP_OK);
        let (status, r) = scan(s, CC, &[]);
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: `r` is a live report until freed below.
        unsafe {
            assert_eq!(maildlp_report_verdict(r), 2);
            let mut len = 0;
            let json = maildlp_report_json(r, &mut len);
            let text = CStr::from_ptr(json).to_str().unwrap();
            assert_eq!(text.len(), len);
            assert!(text.starts_with("{\"verdict\":\"block\""), "{text}");
            assert!(!text.contains("\"source\""));
            maildlp_report_free(r);
        }
        let (status, r) = scan(s, BCC, &[]);
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: `r` and `s` are live until freed here.
        unsafe {
            assert_eq!(maildlp_report_verdict(r), 0);
            maildlp_report_free(r);
            maildlp_scanner_free(s);
        }
    }

    /// A detected value's confidence reaches C in the report's JSON; the policy's
    /// `detector_confidence` decides which values are findings.
    #[test]
    fn detector_confidence_in_json() {
        let msg =
            b"Subject: x\r\nTo: a@x.example\r\n\r\nNHS number 943 476 5919; order 4111 1111 1111 1111\r\n";
        for (policy, want) in [
            (
                &b"detectors = [\"nhs-number\", \"payment-card\"]"[..],
                &["\"detector\":\"nhs-number\",\"confidence\":\"high\""][..],
            ),
            (
                b"detectors = [\"nhs-number\", \"payment-card\"]\ndetector_confidence = \"low\"",
                &[
                    "\"detector\":\"nhs-number\",\"confidence\":\"high\"",
                    "\"detector\":\"payment-card\",\"confidence\":\"low\"",
                ],
            ),
        ] {
            let (status, s, _) = new(LIST.as_bytes(), Some(policy));
            assert_eq!(status, MAILDLP_OK);
            let (_, r) = scan(s, msg, &[]);
            // SAFETY: `r` and `s` are live until freed here.
            unsafe {
                let mut len = 0;
                let text = CStr::from_ptr(maildlp_report_json(r, &mut len)).to_str().unwrap().to_string();
                assert_eq!(text.matches("\"rule\":\"sensitive-data\"").count(), want.len(), "{text}");
                for w in want {
                    assert!(text.contains(w), "{w}: {text}");
                }
                maildlp_report_free(r);
                maildlp_scanner_free(s);
            }
        }
    }

    #[test]
    fn envelope_recipients() {
        let (_, s, _) = new(LIST.as_bytes(), None);
        let own = b"Subject: x\r\nTo: jane.doe@example.org\r\n\r\nDear Jane Doe\r\n";
        let (status, r) = scan(s, own, &[c"jane.doe@example.org"]);
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: live report, freed once.
        unsafe {
            assert_eq!(maildlp_report_verdict(r), 0);
            maildlp_report_free(r);
        }
        let (status, r) = scan(s, own, &[c"<press@paper.example>"]);
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: live report and scanner, each freed once.
        unsafe {
            assert_eq!(maildlp_report_verdict(r), 2);
            maildlp_report_free(r);
        }
        assert_eq!(scan(s, own, &[c"not an address"]), (MAILDLP_INVALID_ADDRESS, null_mut()));
        assert_eq!(scan(s, own, &[c"\xff@x.example"]), (MAILDLP_INVALID_UTF8, null_mut()));
        // SAFETY: freed once.
        unsafe { maildlp_scanner_free(s) };
    }

    #[test]
    fn scanner_errors() {
        let (status, s, msg) = new(b"id,kind,value\nV01,name,Jane\nV01,phone,12\n", None);
        assert_eq!((status, s), (MAILDLP_INVALID_LIST, null_mut()));
        assert!(msg.contains("line 3"), "{msg}");
        let (status, _, msg) = new(b"id,kind,value\nV01,name,J\xffne\n", None);
        assert_eq!(status, MAILDLP_INVALID_UTF8);
        assert!(msg.contains("line 2"), "{msg}");
        let (status, _, msg) = new(LIST.as_bytes(), Some(b"max_visible = 3"));
        assert_eq!(status, MAILDLP_INVALID_POLICY);
        assert!(msg.contains("max_visible"), "{msg}");
        let (status, _, _) = new(LIST.as_bytes(), Some(b"\xff"));
        assert_eq!(status, MAILDLP_INVALID_UTF8);

        let mut out = null_mut();
        let mut small = [0x55 as c_char; 8];
        // SAFETY: NULL list with a valid out pointer and an 8-byte buffer.
        let status =
            unsafe { maildlp_scanner_new(null(), 5, null(), 0, &mut out, small.as_mut_ptr(), small.len()) };
        assert_eq!(status, MAILDLP_NULL_ARGUMENT);
        // SAFETY: the message is NUL-terminated within the buffer.
        assert_eq!(unsafe { CStr::from_ptr(small.as_ptr()) }.to_bytes().len(), 7);
        // SAFETY: NULL out; the other pointers are valid.
        let status = unsafe {
            maildlp_scanner_new(LIST.as_ptr().cast(), LIST.len(), null(), 0, null_mut(), null_mut(), 0)
        };
        assert_eq!(status, MAILDLP_NULL_ARGUMENT);
        let mut untouched = [0x55 as c_char; 4];
        // SAFETY: err_len 0: the buffer must not be written.
        let status =
            unsafe { maildlp_scanner_new(null(), 1, null(), 0, &mut out, untouched.as_mut_ptr(), 0) };
        assert_eq!(status, MAILDLP_NULL_ARGUMENT);
        assert_eq!(untouched, [0x55; 4]);
    }

    #[test]
    fn sealed_scanner_and_key_errors() {
        let list = ProtectedList::from_csv(ADDRESSES).unwrap();
        let key = crate::list::Key::from_bytes(&[7u8; 32]).unwrap();
        let sealed = crate::list::seal(&list, &key);
        let text = key.to_text();
        let (mut out, mut err) = (null_mut(), [0 as c_char; 128]);
        // SAFETY: every pointer is valid for the length given with it.
        unsafe {
            let new = |k: &[u8], s: &[u8], out: &mut *mut maildlp_scanner, err: &mut [c_char; 128]| {
                maildlp_scanner_new_sealed(
                    s.as_ptr(),
                    s.len(),
                    k.as_ptr(),
                    k.len(),
                    null(),
                    0,
                    out,
                    err.as_mut_ptr(),
                    err.len(),
                )
            };
            assert_eq!(new(text.as_bytes(), &sealed, &mut out, &mut err), MAILDLP_OK);
            let (status, r) = scan(out, CC, &[]);
            assert_eq!(status, MAILDLP_OK);
            assert_eq!(maildlp_report_verdict(r), 2);
            maildlp_report_free(r);
            maildlp_scanner_free(out);
            assert_eq!(new(&[8u8; 32], &sealed, &mut out, &mut err), MAILDLP_INVALID_KEY);
            assert!(out.is_null());
            assert!(CStr::from_ptr(err.as_ptr()).to_str().unwrap().contains("not the one"));
            assert_eq!(new(b"short", &sealed, &mut out, &mut err), MAILDLP_INVALID_KEY);
            assert_eq!(new(text.as_bytes(), &sealed[..20], &mut out, &mut err), MAILDLP_INVALID_LIST);
            assert_eq!(
                maildlp_scanner_new_sealed(
                    null(),
                    4,
                    text.as_ptr(),
                    text.len(),
                    null(),
                    0,
                    &mut out,
                    null_mut(),
                    0
                ),
                MAILDLP_NULL_ARGUMENT
            );
        }
    }

    /// Each constructor refuses a list of more records than the policy's `max_list_records`
    /// (`MAILDLP_INVALID_LIST`, the message naming the key) and takes one of that many.
    #[test]
    fn max_list_records_refuses_a_bigger_list() {
        let csv = "id,kind,value\nA,email,a@x.example\nB,email,b@x.example\n";
        let key = crate::list::Key::from_bytes(&[7u8; 32]).unwrap();
        let sealed = crate::list::seal(&ProtectedList::from_csv(csv).unwrap(), &key);
        let text = key.to_text();
        for (max, ok) in [(1, false), (2, true)] {
            let policy = format!("max_list_records = {max}");
            // Calls one constructor with an out pointer and an error buffer; frees what it made.
            let made = |new: &dyn Fn(*mut *mut maildlp_scanner, *mut c_char, usize) -> maildlp_status| {
                let (mut out, mut err) = (null_mut(), [0 as c_char; 256]);
                let status = new(&mut out, err.as_mut_ptr(), err.len());
                // SAFETY: `out` is NULL or the scanner just made.
                unsafe { maildlp_scanner_free(out) };
                // SAFETY: `err` is NUL-terminated: zeroed, and written NUL-terminated on failure.
                (status, unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned())
            };
            let statuses = [
                // SAFETY: every pointer is valid for the length given with it.
                made(&|out, err, len| unsafe {
                    maildlp_scanner_new(
                        csv.as_ptr().cast(),
                        csv.len(),
                        policy.as_ptr().cast(),
                        policy.len(),
                        out,
                        err,
                        len,
                    )
                }),
                // SAFETY: every pointer is valid for the length given with it.
                made(&|out, err, len| unsafe {
                    maildlp_scanner_new_sealed(
                        sealed.as_ptr(),
                        sealed.len(),
                        text.as_ptr(),
                        text.len(),
                        policy.as_ptr().cast(),
                        policy.len(),
                        out,
                        err,
                        len,
                    )
                }),
            ];
            for (status, message) in statuses {
                if ok {
                    assert_eq!(status, MAILDLP_OK, "{message}");
                } else {
                    assert_eq!(status, MAILDLP_INVALID_LIST, "{message}");
                    assert!(message.contains("max_list_records"), "{message}");
                }
            }
            let (status, scanner, message) = open(&sealed, Some(text.as_bytes()), Some(policy.as_bytes()));
            // SAFETY: the scanner is NULL or the one just made.
            unsafe { maildlp_scanner_free(scanner) };
            assert_eq!(status == MAILDLP_OK, ok, "{message}");
        }
    }

    /// `maildlp_scanner_open` with `list`, `key` (NULL when `None`) and `policy`: the status,
    /// the scanner (NULL on failure) and the error message.
    fn open(
        list: &[u8],
        key: Option<&[u8]>,
        policy: Option<&[u8]>,
    ) -> (maildlp_status, *mut maildlp_scanner, String) {
        let mut out = null_mut();
        let mut err = [0x55 as c_char; 256];
        let (kp, kl) = key.map_or((null(), 0), |k| (k.as_ptr(), k.len()));
        let (pp, pl) = policy.map_or((null(), 0), |p| (p.as_ptr().cast(), p.len()));
        // SAFETY: every pointer is valid for the length given with it.
        let status = unsafe {
            maildlp_scanner_open(
                list.as_ptr(),
                list.len(),
                kp,
                kl,
                pp,
                pl,
                &mut out,
                err.as_mut_ptr(),
                err.len(),
            )
        };
        let msg = if status == MAILDLP_OK {
            String::new()
        } else {
            // SAFETY: on failure the message is NUL-terminated inside `err`.
            unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned()
        };
        (status, out, msg)
    }

    /// The verdict `s` gives `msg`; frees nothing.
    fn verdict(s: *const maildlp_scanner, msg: &[u8]) -> c_int {
        let (status, r) = scan(s, msg, &[]);
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: `r` is a live report, freed here once.
        unsafe {
            let v = maildlp_report_verdict(r);
            maildlp_report_free(r);
            v
        }
    }

    #[test]
    fn open_decides_plain_or_sealed() {
        let key = crate::list::Key::from_bytes(&[7u8; 32]).unwrap();
        let text = key.to_text();
        let sealed = crate::list::seal(&ProtectedList::from_csv(ADDRESSES).unwrap(), &key);
        let policy: &[u8] = b"internal_domains = [\"police.example\"]";

        for (list, key) in [
            (LIST.as_bytes(), None),
            (LIST.as_bytes(), Some(text.as_bytes())),
            (&sealed[..], Some(text.as_bytes())),
            (&sealed[..], Some(&[7u8; 32][..])),
        ] {
            let (status, s, msg) = open(list, key, Some(policy));
            assert_eq!(status, MAILDLP_OK, "{msg}");
            assert_eq!((verdict(s, CC), verdict(s, BCC)), (2, 0));
            // SAFETY: freed once.
            unsafe { maildlp_scanner_free(s) };
        }
        // A key of length 0 is no key, whatever the pointer.
        let mut out = null_mut();
        // SAFETY: every pointer is valid for the length given with it.
        let status = unsafe {
            maildlp_scanner_open(
                LIST.as_ptr(),
                LIST.len(),
                text.as_ptr(),
                0,
                null(),
                0,
                &mut out,
                null_mut(),
                0,
            )
        };
        assert_eq!(status, MAILDLP_OK);
        // SAFETY: freed once.
        unsafe { maildlp_scanner_free(out) };

        let (status, s, msg) = open(&sealed, None, None);
        assert_eq!((status, s), (MAILDLP_INVALID_KEY, null_mut()));
        assert!(msg.contains("the list is sealed"), "{msg}");
        let (status, _, msg) = open(&sealed, Some(&[8u8; 32]), None);
        assert_eq!(status, MAILDLP_INVALID_KEY);
        assert!(msg.contains("not the one"), "{msg}");
        let (status, _, _) = open(LIST.as_bytes(), Some(b"short"), None);
        assert_eq!(status, MAILDLP_INVALID_KEY);
        let (status, _, _) = open(&sealed[..20], Some(text.as_bytes()), None);
        assert_eq!(status, MAILDLP_INVALID_LIST);
        let (status, _, msg) = open(b"id,kind,value\nV01,name,Jane\nV01,phone,12\n", None, None);
        assert_eq!(status, MAILDLP_INVALID_LIST);
        assert!(msg.contains("line 3"), "{msg}");
        let (status, _, msg) = open(b"id,kind,value\nV01,name,J\xffne\n", None, None);
        assert_eq!(status, MAILDLP_INVALID_LIST);
        assert!(msg.contains("line 2"), "{msg}");
        let (status, _, msg) = open(LIST.as_bytes(), None, Some(b"max_visible = 3"));
        assert_eq!(status, MAILDLP_INVALID_POLICY);
        assert!(msg.contains("max_visible"), "{msg}");
        let (status, _, _) = open(LIST.as_bytes(), None, Some(b"\xff"));
        assert_eq!(status, MAILDLP_INVALID_UTF8);

        // SAFETY: each call passes one bad pointer and otherwise valid ones.
        unsafe {
            let mut err = [0x55 as c_char; 64];
            let (e, el) = (err.as_mut_ptr(), err.len());
            assert_eq!(
                maildlp_scanner_open(null(), 4, null(), 0, null(), 0, &mut out, e, el),
                MAILDLP_NULL_ARGUMENT
            );
            assert!(out.is_null());
            assert_eq!(CStr::from_ptr(err.as_ptr()).to_str().unwrap(), "list is NULL");
            assert_eq!(
                maildlp_scanner_open(sealed.as_ptr(), sealed.len(), null(), 32, null(), 0, &mut out, e, el),
                MAILDLP_NULL_ARGUMENT
            );
            assert_eq!(
                maildlp_scanner_open(LIST.as_ptr(), LIST.len(), null(), 0, null(), 0, null_mut(), e, el),
                MAILDLP_NULL_ARGUMENT
            );
        }
    }

    /// Each error of the library has its own status, from one function; through the calls
    /// that meet it, each reaches C as that status.
    #[test]
    fn each_error_has_its_status() {
        for (e, want) in [
            (Error::list(3, "bad row"), MAILDLP_INVALID_LIST),
            (Error::Sealed("cut short".into()), MAILDLP_INVALID_LIST),
            (Error::Policy("max_visible".into()), MAILDLP_INVALID_POLICY),
            (Error::InvalidAddress("x".into()), MAILDLP_INVALID_ADDRESS),
            (Error::Key("not the one".into()), MAILDLP_INVALID_KEY),
        ] {
            assert_eq!(status_of(&e), want, "{e:?}");
        }
        // List, damaged sealed list, policy and key through the constructors (above and in
        // `open_decides_plain_or_sealed`); an envelope recipient through `maildlp_scan`.
        let (_, s, _) = new(LIST.as_bytes(), None);
        assert_eq!(scan(s, CC, &[c"not an address"]), (MAILDLP_INVALID_ADDRESS, null_mut()));
        // SAFETY: freed once.
        unsafe { maildlp_scanner_free(s) };
        let key = crate::list::Key::from_bytes(&[7u8; 32]).unwrap();
        let sealed = crate::list::seal(&ProtectedList::from_csv(ADDRESSES).unwrap(), &key);
        assert_eq!(open(&sealed[..sealed.len() - 1], Some(&[7u8; 32]), None).0, MAILDLP_INVALID_LIST);
        assert_eq!(open(&sealed, None, None).0, MAILDLP_INVALID_KEY);
        assert_eq!(open(b"id,kind,value\nV01,colour,blue\n", None, None).0, MAILDLP_INVALID_LIST);
        assert_eq!(open(LIST.as_bytes(), None, Some(b"max_depth = 0")).0, MAILDLP_INVALID_POLICY);
    }

    #[test]
    fn rules_records_and_limits_for_plugins() {
        let (_, s, _) = new(LIST.as_bytes(), Some(b"max_message_bytes = 1234"));
        let (_, r) = scan(s, CC, &[]);
        // SAFETY: `r` and `s` are live; the strings are NUL-terminated and live with `r`.
        unsafe {
            assert_eq!(
                CStr::from_ptr(maildlp_report_rules(r)).to_str().unwrap(),
                "protected-recipient-exposed"
            );
            assert_eq!(CStr::from_ptr(maildlp_report_records(r)).to_str().unwrap(), "V01,V02");
            assert!(maildlp_report_rules(null()).is_null() && maildlp_report_records(null()).is_null());
            assert_eq!(maildlp_scanner_max_message_bytes(s), 1234);
            assert_eq!(maildlp_scanner_max_message_bytes(null()), 0);
            maildlp_report_free(r);
            let (_, r) = scan(s, BCC, &[]);
            assert_eq!(CStr::from_ptr(maildlp_report_rules(r)).to_str().unwrap(), "");
            maildlp_report_free(r);
            maildlp_scanner_free(s);
        }
    }

    #[test]
    fn fix_bcc_rewrites_and_frees() {
        let (_, s, _) = new(LIST.as_bytes(), Some(b"internal_domains = [\"police.example\"]"));
        let (mut out, mut len) = (null_mut(), 0usize);
        // SAFETY: every pointer is valid; the bytes returned are freed with their length.
        unsafe {
            assert_eq!(maildlp_fix_bcc(s, CC.as_ptr(), CC.len(), &mut out, &mut len), MAILDLP_OK);
            let fixed = std::slice::from_raw_parts(out, len);
            assert_eq!(
                fixed,
                b"From: a@police.example\r\nBcc: jane.doe@example.org, ravi@example.net\r\nSubject: x\r\n\r\nhello\r\n"
            );
            let (status, r) = scan(s, fixed, &[]);
            assert_eq!(status, MAILDLP_OK);
            assert_eq!(maildlp_report_verdict(r), 0);
            maildlp_report_free(r);
            maildlp_bytes_free(out, len);
            // Nothing to fix: the same bytes back.
            assert_eq!(maildlp_fix_bcc(s, BCC.as_ptr(), BCC.len(), &mut out, &mut len), MAILDLP_OK);
            assert_eq!(std::slice::from_raw_parts(out, len), BCC);
            maildlp_bytes_free(out, len);
            // An empty message may be NULL; it comes back empty.
            assert_eq!(maildlp_fix_bcc(s, null(), 0, &mut out, &mut len), MAILDLP_OK);
            assert_eq!(len, 0);
            maildlp_bytes_free(out, len);
            // Bad arguments.
            assert_eq!(
                maildlp_fix_bcc(null(), CC.as_ptr(), CC.len(), &mut out, &mut len),
                MAILDLP_NULL_ARGUMENT
            );
            assert!(out.is_null() && len == 0);
            assert_eq!(maildlp_fix_bcc(s, null(), 5, &mut out, &mut len), MAILDLP_NULL_ARGUMENT);
            assert_eq!(
                maildlp_fix_bcc(s, CC.as_ptr(), CC.len(), null_mut(), &mut len),
                MAILDLP_NULL_ARGUMENT
            );
            assert_eq!(
                maildlp_fix_bcc(s, CC.as_ptr(), CC.len(), &mut out, null_mut()),
                MAILDLP_NULL_ARGUMENT
            );
            maildlp_bytes_free(null_mut(), 0);
            maildlp_scanner_free(s);
        }
    }

    #[test]
    fn scan_argument_errors_and_null_handles() {
        let (_, s, _) = new(LIST.as_bytes(), None);
        let mut out = null_mut();
        // SAFETY: each call passes one bad argument and otherwise valid pointers.
        unsafe {
            assert_eq!(
                maildlp_scan(null(), CC.as_ptr(), CC.len(), null(), 0, &mut out),
                MAILDLP_NULL_ARGUMENT
            );
            assert_eq!(maildlp_scan(s, CC.as_ptr(), CC.len(), null(), 0, null_mut()), MAILDLP_NULL_ARGUMENT);
            assert_eq!(maildlp_scan(s, null(), 10, null(), 0, &mut out), MAILDLP_NULL_ARGUMENT);
            assert_eq!(maildlp_scan(s, CC.as_ptr(), CC.len(), null(), 2, &mut out), MAILDLP_NULL_ARGUMENT);
            let with_null = [c"a@b.example".as_ptr(), null()];
            assert_eq!(
                maildlp_scan(s, CC.as_ptr(), CC.len(), with_null.as_ptr(), 2, &mut out),
                MAILDLP_NULL_ARGUMENT
            );
            assert!(out.is_null());
            // An empty message may be NULL.
            assert_eq!(maildlp_scan(s, null(), 0, null(), 0, &mut out), MAILDLP_OK);
            assert_eq!(maildlp_report_verdict(out), 0);
            maildlp_report_free(out);
            assert_eq!(maildlp_report_verdict(null()), -1);
            let mut len = 99;
            assert!(maildlp_report_json(null(), &mut len).is_null());
            assert_eq!(len, 0);
            maildlp_report_free(null_mut());
            maildlp_scanner_free(null_mut());
            maildlp_scanner_free(s);
        }
    }

    #[test]
    fn static_strings() {
        for (code, want) in [
            (0, "ok"),
            (3, "the protected list was refused"),
            (6, "the key is missing, malformed or not the one the list was sealed with"),
            (100, "maildlp panicked (a bug)"),
            (42, "unknown status"),
            (-1, "unknown status"),
        ] {
            // SAFETY: status strings are static and NUL-terminated.
            assert_eq!(unsafe { CStr::from_ptr(maildlp_status_str(code)) }.to_str().unwrap(), want);
        }
        // SAFETY: static and NUL-terminated.
        assert_eq!(unsafe { CStr::from_ptr(maildlp_version()) }.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn a_panic_becomes_a_status() {
        let status: maildlp_status = boundary(MAILDLP_PANIC, || panic!("boom"));
        assert_eq!(status, MAILDLP_PANIC);
        assert_eq!(boundary(MAILDLP_PANIC, || MAILDLP_OK), MAILDLP_OK);
    }

    #[test]
    fn one_scanner_many_threads() {
        let (_, s, _) = new(LIST.as_bytes(), None);
        let shared = s as usize;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..3 {
                        let (status, r) = scan(shared as *const maildlp_scanner, CC, &[]);
                        assert_eq!(status, MAILDLP_OK);
                        // SAFETY: each thread owns and frees its own report.
                        unsafe {
                            assert_eq!(maildlp_report_verdict(r), 2);
                            maildlp_report_free(r);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // SAFETY: every thread has finished with the scanner.
        unsafe { maildlp_scanner_free(s) };
    }
}
