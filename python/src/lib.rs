//! The `maildlp._native` extension module: maildlp's scanner for Python.
//!
//! A shell, as the C ABI is: no rule and no parsing here, only calls into the library and the
//! conversion of its reports (the JSON object the command line prints, without `source`) to
//! Python objects. A scan releases the GIL, so threads scan at once.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use maildlp::sources::{Item, Messages};
use maildlp::{Error, MessageDetails, Policy, Recipients, Report};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyOSError, PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use serde_json::Value;

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
fn split_messages<'py>(
    py: Python<'py>,
    source: &str,
    content: Vec<u8>,
) -> Vec<(String, Bound<'py, PyBytes>)> {
    let mut out = Vec::new();
    maildlp::sources::messages_of_file(source, content, &mut |item| {
        if let Item::Message { source, bytes, .. } = item {
            out.push((source, PyBytes::new(py, &bytes)));
        }
    });
    out
}

/// One column of strings in Apache Arrow's layout (`utf8`): a validity bitmap, 32-bit offsets
/// and the UTF-8 bytes, ready for `pyarrow.Array.from_buffers`.
struct StringColumn {
    valid: Vec<u8>,
    offsets: Vec<u8>,
    data: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl StringColumn {
    fn new() -> StringColumn {
        StringColumn {
            valid: Vec::new(),
            offsets: 0i32.to_ne_bytes().to_vec(),
            data: Vec::new(),
            len: 0,
            nulls: 0,
        }
    }

    fn push(&mut self, value: Option<&str>) -> PyResult<()> {
        if self.len.is_multiple_of(8) {
            self.valid.push(0);
        }
        match value {
            Some(s) => {
                self.data.extend_from_slice(s.as_bytes());
                if let Some(byte) = self.valid.last_mut() {
                    *byte |= 1 << (self.len % 8);
                }
            }
            None => self.nulls += 1,
        }
        let end = i32::try_from(self.data.len())
            .map_err(|_| PyOverflowError::new_err("a batch of audit rows holds over 2 GiB of text"))?;
        self.offsets.extend_from_slice(&end.to_ne_bytes());
        self.len += 1;
        Ok(())
    }

    /// `(length, validity or None when no value is null, offsets, data)`.
    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let valid = (self.nulls > 0).then(|| PyBytes::new(py, &self.valid));
        (self.len, valid, PyBytes::new(py, &self.offsets), PyBytes::new(py, &self.data)).into_pyobject(py)
    }
}

/// The rows of `maildlp.spark.SCHEMA` being gathered, column by column: the seven columns of a
/// finding and the message's date, sender and subject as strings, its domains as a list.
struct AuditColumns {
    strings: [StringColumn; 10],
    domain_offsets: Vec<u8>,
    domains: StringColumn,
    rows: usize,
}

impl AuditColumns {
    fn new() -> AuditColumns {
        AuditColumns {
            strings: std::array::from_fn(|_| StringColumn::new()),
            domain_offsets: 0i32.to_ne_bytes().to_vec(),
            domains: StringColumn::new(),
            rows: 0,
        }
    }

    /// The rows of one message, as `maildlp.spark.rows_of` makes them from its report and
    /// details: one a finding, or one with no rule when there is none.
    fn push_message(&mut self, source: &str, report: &Report, details: &MessageDetails) -> PyResult<()> {
        let verdict = report.verdict().as_str();
        let findings = report.findings();
        let mut rows: Vec<[Option<String>; 5]> = Vec::with_capacity(findings.len().max(1));
        for finding in findings {
            let value = serde_json::to_value(finding).map_err(|e| MaildlpError::new_err(e.to_string()))?;
            let text = |key: &str| match value.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(python_json(other)),
            };
            rows.push([
                text("rule"),
                text("severity"),
                text("record"),
                text("field"),
                value.get("location").map(python_json),
            ]);
        }
        if rows.is_empty() {
            rows.push(Default::default());
        }
        for row in &rows {
            let [rule, severity, record, field, location] = row;
            let cells = [
                Some(source),
                Some(verdict),
                rule.as_deref(),
                severity.as_deref(),
                record.as_deref(),
                field.as_deref(),
                location.as_deref(),
                details.date.as_deref(),
                details.from.as_deref(),
                details.subject.as_deref(),
            ];
            for (column, cell) in self.strings.iter_mut().zip(cells) {
                column.push(cell)?;
            }
            for domain in &details.domains {
                self.domains.push(Some(domain))?;
            }
            let end = i32::try_from(self.domains.len)
                .map_err(|_| PyOverflowError::new_err("a batch of audit rows holds over 2^31 domains"))?;
            self.domain_offsets.extend_from_slice(&end.to_ne_bytes());
            self.rows += 1;
        }
        Ok(())
    }

    /// `(rows, [ten string columns], (domain list offsets, domain strings))`, each string
    /// column as [`StringColumn::into_py`] gives it.
    fn into_py<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let strings = self.strings.into_iter().map(|c| c.into_py(py)).collect::<PyResult<Vec<_>>>()?;
        let domains = (PyBytes::new(py, &self.domain_offsets), self.domains.into_py(py)?);
        (self.rows, strings, domains).into_pyobject(py)
    }
}

/// A JSON value written as Python's `json.dumps(value, sort_keys=True)` writes it: keys
/// sorted, `", "` and `": "` between items, every character outside printable ASCII escaped.
fn python_json(value: &Value) -> String {
    fn write(out: &mut String, value: &Value) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => write_str(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(out, item);
                }
                out.push(']');
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(out, key);
                    out.push_str(": ");
                    write(out, item);
                }
                out.push('}');
            }
        }
    }
    fn write_str(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                ' '..='~' => out.push(c),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out.push('"');
    }
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// Where the messages of an audit come from.
enum AuditInput {
    /// Local regular files (as `plan_files` lists them), each opened here without another
    /// look at what it is, and the messages of the file opened last.
    Files { files: VecDeque<PathBuf>, messages: VecDeque<Item>, stream: Option<maildlp::sources::Stream> },
    /// Files' contents with the names their messages are reported under, split here.
    Contents { files: VecDeque<(String, Vec<u8>)>, messages: VecDeque<Item> },
}

impl AuditInput {
    fn next(&mut self) -> Option<Item> {
        match self {
            AuditInput::Files { files, messages, stream } => loop {
                if let Some(item) = messages.pop_front() {
                    return Some(item);
                }
                if let Some(item) = stream.as_mut().and_then(Iterator::next) {
                    return Some(item);
                }
                *stream = None;
                let path = files.pop_front()?;
                match maildlp::sources::open(path.display().to_string(), &path) {
                    maildlp::sources::Opened::Items(items) => messages.extend(items),
                    maildlp::sources::Opened::Stream(opened) => *stream = Some(opened),
                }
            },
            AuditInput::Contents { files, messages } => loop {
                if let Some(item) = messages.pop_front() {
                    return Some(item);
                }
                let (source, content) = files.pop_front()?;
                maildlp::sources::messages_of_file(&source, content, &mut |item| messages.push_back(item));
            },
        }
    }
}

/// The rows of `maildlp.spark.SCHEMA` for every message of some files, in batches of Arrow
/// buffers (what `maildlp.spark` builds record batches of): each batch scanned with the GIL
/// released, about as many rows at a time as asked for.
#[pyclass(module = "maildlp")]
struct AuditBatches {
    scanner: Py<Scanner>,
    input: Mutex<AuditInput>,
    rows: usize,
}

#[pymethods]
impl AuditBatches {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let scanner = &self.scanner.get().inner;
        let batch = py.detach(|| -> Result<AuditColumns, PyErr> {
            let mut input = self.input.lock().map_err(|_| MaildlpError::new_err("audit input poisoned"))?;
            let mut columns = AuditColumns::new();
            let recipients = Recipients::default();
            while columns.rows < self.rows {
                match input.next() {
                    None => break,
                    Some(Item::Message { source, bytes, .. }) => {
                        let (report, details) = scanner.scan_with_details(&bytes, &recipients);
                        columns.push_message(&source, &report, &details)?;
                    }
                    Some(Item::Error { source, error }) => {
                        return Err(PyOSError::new_err((format!("{source}: {error}"),)));
                    }
                }
            }
            Ok(columns)
        })?;
        if batch.rows == 0 {
            return Ok(None);
        }
        batch.into_py(py).map(Some)
    }
}

/// The rows of the audit of local regular files (as `plan_files` lists them: each is opened
/// and read as it is, an mbox's messages as `PATH#N`, an Outlook data file's as
/// `PATH#FOLDER/N`), in batches of about `rows` rows: see `maildlp.spark`. A file that cannot
/// be read raises `OSError`, naming it.
#[pyfunction]
#[pyo3(signature = (scanner, files, rows=4096))]
fn audit_files(scanner: Py<Scanner>, files: Vec<PathBuf>, rows: usize) -> AuditBatches {
    let input = AuditInput::Files { files: files.into(), messages: VecDeque::new(), stream: None };
    AuditBatches { scanner, input: Mutex::new(input), rows: rows.max(1) }
}

/// The rows of the audit of files given as `(source, content)`, each split as
/// `split_messages` splits it, in batches of about `rows` rows: see `maildlp.spark`. A file
/// that cannot be read (a damaged Outlook data file) raises `OSError`, naming it.
#[pyfunction]
#[pyo3(signature = (scanner, files, rows=4096))]
fn audit_contents(scanner: Py<Scanner>, files: Vec<(String, Vec<u8>)>, rows: usize) -> AuditBatches {
    let input = AuditInput::Contents { files: files.into(), messages: VecDeque::new() };
    AuditBatches { scanner, input: Mutex::new(input), rows: rows.max(1) }
}

/// The regular files under local `paths` in the order `read_messages` reads them (directories
/// walked in name order, hidden entries left out, links to directories not followed), dealt
/// into at most `parts` lists of about equal size in bytes, each in that order (file names as
/// bytes). A path that does not exist raises `FileNotFoundError`.
#[pyfunction]
fn plan_files(py: Python<'_>, paths: Vec<PathBuf>, parts: usize) -> PyResult<Vec<Vec<Bound<'_, PyBytes>>>> {
    for path in &paths {
        if std::fs::metadata(path).is_err() {
            return Err(PyFileNotFoundError::new_err((format!(
                "{}: no such file or directory",
                path.display()
            ),)));
        }
    }
    let files = py.detach(|| {
        let mut files: Vec<(PathBuf, u64)> = Vec::new();
        // Links to directories and dangling links are not read; a link to a file is.
        maildlp::sources::walk_files_sized(&paths, &mut |path, size| files.push((path.to_path_buf(), size)));
        files
    });
    // Largest first, each to the lightest list: lists within one file's size of each other.
    let parts = parts.clamp(1, files.len().max(1));
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].1));
    let mut loads = vec![0u64; parts];
    let mut dealt: Vec<Vec<usize>> = vec![Vec::new(); parts];
    for i in order {
        let lightest = (0..parts).min_by_key(|&p| loads[p]).unwrap_or(0);
        // An empty file still costs a message.
        loads[lightest] += files[i].1.max(1);
        dealt[lightest].push(i);
    }
    Ok(dealt
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(|mut part| {
            part.sort_unstable();
            part.into_iter().map(|i| PyBytes::new(py, files[i].0.as_os_str().as_encoded_bytes())).collect()
        })
        .collect())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Scanner>()?;
    m.add_class::<MessageReader>()?;
    m.add_function(wrap_pyfunction!(read_messages, m)?)?;
    m.add_function(wrap_pyfunction!(split_messages, m)?)?;
    m.add_class::<AuditBatches>()?;
    m.add_function(wrap_pyfunction!(audit_files, m)?)?;
    m.add_function(wrap_pyfunction!(audit_contents, m)?)?;
    m.add_function(wrap_pyfunction!(plan_files, m)?)?;
    m.add("MaildlpError", py.get_type::<MaildlpError>())?;
    m.add("ListError", py.get_type::<ListError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("InvalidKeyError", py.get_type::<InvalidKeyError>())?;
    m.add("AddressError", py.get_type::<AddressError>())?;
    Ok(())
}
