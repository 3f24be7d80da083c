//! The `maildlp._native` extension module: maildlp's scanner for Python.
//!
//! A shell, as the C ABI is: no rule and no parsing here, only calls into the library and the
//! conversion of its reports (the JSON object the command line prints, without `source`) to
//! Python objects. A scan releases the GIL, so threads scan at once.

use std::path::PathBuf;
use std::sync::Mutex;

use maildlp::sources::{Item, Messages};
use maildlp::{Error, Policy, Recipients};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

create_exception!(_native, MaildlpError, PyException, "Something maildlp was given was refused.");
create_exception!(
    _native,
    ListError,
    MaildlpError,
    "The protected list was refused (nothing of it was loaded); `line` is the 1-based line of the \
     offending row, 0 when the problem is not tied to a line."
);
create_exception!(_native, PolicyError, MaildlpError, "The policy was refused.");
create_exception!(
    _native,
    InvalidKeyError,
    MaildlpError,
    "A sealed list's key is malformed, or not the list's key."
);
create_exception!(_native, AddressError, MaildlpError, "An envelope recipient is not an email address.");

/// The Python exception for a refusal of the library.
fn refused(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::List { line, .. } => {
            let err = ListError::new_err(message);
            // An exception instance takes attributes; `line` is documented in the stubs.
            let _ = err.value(py).setattr("line", line);
            err
        }
        Error::Sealed(_) => {
            let err = ListError::new_err(message);
            let _ = err.value(py).setattr("line", 0u64);
            err
        }
        Error::Policy(_) => PolicyError::new_err(message),
        Error::Key(_) => InvalidKeyError::new_err(message),
        Error::InvalidAddress(_) => AddressError::new_err(message),
        _ => MaildlpError::new_err(message),
    }
}

/// Text or bytes given for a list, a policy or a key, as bytes.
fn text_or_bytes(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyValueError::new_err(format!("{what} must be str or bytes")))
}

/// A protected list compiled with a policy, ready to scan any number of messages from any
/// number of threads.
///
/// `protected`: the list file's content (CSV text, or a sealed list's bytes from `maildlp
/// seal`); `policy`: TOML text (None for the defaults); `key`: a sealed list's key (the key
/// file's content: 64 hexadecimal digits, or the 32 bytes). Raises `ListError` (with `line`),
/// `PolicyError` or `InvalidKeyError`.
#[pyclass(frozen, module = "maildlp")]
struct Scanner {
    inner: maildlp::Scanner,
}

#[pymethods]
impl Scanner {
    #[new]
    #[pyo3(signature = (protected, policy=None, key=None))]
    fn new(
        py: Python<'_>,
        protected: &Bound<'_, PyAny>,
        policy: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Scanner> {
        let list = text_or_bytes(protected, "protected")?;
        let policy = match policy {
            None => Policy::default(),
            Some(p) => {
                let raw = text_or_bytes(p, "policy")?;
                let text =
                    std::str::from_utf8(&raw).map_err(|_| PolicyError::new_err("policy: not valid UTF-8"))?;
                Policy::from_toml(text).map_err(|e| refused(py, e))?
            }
        };
        let key = key.map(|k| text_or_bytes(k, "key")).transpose()?;
        let inner = py
            .detach(|| maildlp::Scanner::open_owned(list, key.as_deref(), policy))
            .map_err(|e| refused(py, e))?;
        Ok(Scanner { inner })
    }

    /// Scans one message (bytes, as sent) delivered to the envelope recipients `rcpts` as well
    /// as to what its headers name. Returns the report: the object `maildlp scan --format json`
    /// prints for a message, without `source` (`verdict`, `findings`). Releases the GIL.
    #[pyo3(signature = (message, rcpts=Vec::new()))]
    fn scan<'py>(&self, py: Python<'py>, message: &[u8], rcpts: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
        let recipients = Recipients::new(&rcpts).map_err(|e| refused(py, e))?;
        let json = py.detach(|| self.inner.scan_to(message, &recipients).to_json());
        py.import("json")?.call_method1("loads", (json,))
    }

    /// The date, sender, subject and external recipient domains of one message (bytes), as
    /// `maildlp scan --format json --details` adds them to a line: a dict with `date` (UTC,
    /// RFC 3339), `from` and `subject` (None when missing) and `domains` (a sorted list). The
    /// subject is masked as excerpts are, a sender the list protects masked. Releases the GIL.
    fn details<'py>(&self, py: Python<'py>, message: &[u8]) -> PyResult<Bound<'py, PyDict>> {
        let d = py.detach(|| self.inner.details(message));
        let dict = PyDict::new(py);
        dict.set_item("date", d.date)?;
        dict.set_item("from", d.from)?;
        dict.set_item("subject", d.subject)?;
        dict.set_item("domains", d.domains)?;
        Ok(dict)
    }

    /// The message with its recipient exposure fixed as `maildlp fix --bcc` fixes it: external
    /// recipients visible in To and Cc moved to Bcc, protected addresses taken out of Reply-To.
    /// The message comes back as it was when there is nothing to fix. Releases the GIL.
    fn fix_bcc<'py>(&self, py: Python<'py>, message: &[u8]) -> Bound<'py, PyBytes> {
        let fixed = py.detach(|| self.inner.fix_bcc(message));
        PyBytes::new(py, &fixed.message)
    }
}

/// The messages under a path, as `maildlp scan` reads them: a file (one message, an mbox's
/// messages as `PATH#N`, or an Outlook data file's as `PATH#FOLDER/N`), or a directory walked
/// in name order (Maildir included).
#[pyclass(module = "maildlp")]
struct MessageReader {
    messages: Mutex<Messages>,
    skip_errors: bool,
}

#[pymethods]
impl MessageReader {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<(String, Bound<'py, PyBytes>)>> {
        loop {
            let next = py.detach(|| self.messages.lock().ok().and_then(|mut m| m.next()));
            match next {
                None => return Ok(None),
                Some(Item::Message { source, bytes, .. }) => {
                    return Ok(Some((source, PyBytes::new(py, &bytes))))
                }
                Some(Item::Error { .. }) if self.skip_errors => continue,
                Some(Item::Error { source, error }) => {
                    return Err(PyOSError::new_err((format!("{source}: {error}"),)));
                }
            }
        }
    }
}

/// Yields `(source, message bytes)` for every message under `path` (a file, a directory, an
/// mbox, a Maildir, or an Outlook data file, PST or OST, read message by message), in the
/// order and under the names `maildlp scan` gives them. An input that cannot be read raises
/// `OSError` (naming it), or is passed over with `errors="skip"`.
#[pyfunction]
#[pyo3(signature = (path, errors="raise"))]
fn read_messages(path: PathBuf, errors: &str) -> PyResult<MessageReader> {
    let skip_errors = match errors {
        "raise" => false,
        "skip" => true,
        other => {
            return Err(PyValueError::new_err(format!("errors must be \"raise\" or \"skip\", not {other:?}")))
        }
    };
    Ok(MessageReader { messages: Mutex::new(Messages::new(&[path])), skip_errors })
}

/// The messages of one file's content, as `read_messages` gives them for a file: the whole
/// content as one message reported as `source`, an mbox's messages as `source#N`, or an
/// Outlook data file's as `source#FOLDER/N`. For
/// files that arrive as bytes (Spark's `binaryFile` source).
#[pyfunction]
fn split_messages<'py>(py: Python<'py>, source: &str, content: Vec<u8>) -> Vec<(String, Bound<'py, PyBytes>)> {
    let mut out = Vec::new();
    maildlp::sources::messages_of_file(source, content, &mut |item| {
        if let Item::Message { source, bytes, .. } = item {
            out.push((source, PyBytes::new(py, &bytes)));
        }
    });
    out
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Scanner>()?;
    m.add_class::<MessageReader>()?;
    m.add_function(wrap_pyfunction!(read_messages, m)?)?;
    m.add_function(wrap_pyfunction!(split_messages, m)?)?;
    m.add("MaildlpError", py.get_type::<MaildlpError>())?;
    m.add("ListError", py.get_type::<ListError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("InvalidKeyError", py.get_type::<InvalidKeyError>())?;
    m.add("AddressError", py.get_type::<AddressError>())?;
    Ok(())
}
