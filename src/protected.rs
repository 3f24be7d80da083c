//! The protected list: who must not be exposed, and by what they can be recognised.
//!
//! Loaded from CSV (`id,kind,value`, header row required, extra columns ignored, `#` comments
//! and blank lines skipped). Any bad row refuses the whole list, naming the line.

use std::collections::HashMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::{address, matcher::phone, text};

/// What an identifier is, which decides how it is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Kind {
    /// A person's name: matched as words, in either order (`Jane Doe`, `Doe, Jane`).
    Name,
    /// An email address: matched as a whole address, case-insensitively. Also the record's
    /// own address for the recipient rules.
    Email,
    /// A phone number: matched by its digits, national and international forms alike.
    Phone,
    /// A case term (an operation name, a case number): matched as words.
    Term,
}

impl Kind {
    /// The name used in the CSV and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Term => "term",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "name" => Kind::Name,
            "email" => Kind::Email,
            "phone" => Kind::Phone,
            "term" => Kind::Term,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One identifier of a protected record, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    kind: Kind,
    value: String,
    line: u64,
}

impl Identifier {
    /// How this identifier is matched.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The value as listed (trimmed). Never printed in reports.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The line of the list it came from (0 when added from code).
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// A protected person or case: every listed row with the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    id: String,
    identifiers: Vec<Identifier>,
}

impl Record {
    /// The record's id, as listed. Reports name records by this id only.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The record's identifiers in list order.
    pub fn identifiers(&self) -> &[Identifier] {
        &self.identifiers
    }

    /// The record's own addresses (its `email` identifiers), canonical (lower-case).
    pub fn own_addresses(&self) -> impl Iterator<Item = String> + '_ {
        self.identifiers.iter().filter(|i| i.kind == Kind::Email).map(|i| address::canonical(&i.value))
    }
}

/// A validated protected list.
///
/// ```
/// let list = maildlp::ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n")?;
/// assert_eq!(list.records()[0].id(), "V01");
/// let err = maildlp::ProtectedList::from_csv("id,kind,value\nV01,colour,blue\n").unwrap_err();
/// assert_eq!(err.line(), Some(2));
/// # Ok::<(), maildlp::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtectedList {
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
}

impl ProtectedList {
    /// An empty list, to fill with [`ProtectedList::push`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the CSV text of a protected list.
    pub fn from_csv(text: &str) -> Result<Self> {
        Self::from_csv_bytes(text.as_bytes())
    }

    /// Parses a protected list from raw bytes. Invalid UTF-8 is an error naming its line; a
    /// leading UTF-8 byte-order mark and CRLF line ends are accepted.
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(bytes);
        let mut list = ProtectedList::new();
        let mut columns: Option<[usize; 3]> = None;
        let mut row = csv::ByteRecord::new();
        // csv counts only the lines it returns; comments and blank lines count for people.
        let (mut counted_to, mut line_no) = (0usize, 1u64);
        let mut line_at = |byte: usize| {
            let byte = byte.min(bytes.len());
            if byte > counted_to {
                line_no += memchr::memchr_iter(b'\n', &bytes[counted_to..byte]).count() as u64;
                counted_to = byte;
            }
            line_no
        };
        loop {
            match reader.read_byte_record(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| line_at(p.byte() as usize));
                    return Err(Error::list(line, format!("unreadable CSV: {e}")));
                }
            }
            let line = row.position().map_or(0, |p| line_at(row_start(bytes, p.byte() as usize)));
            if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let field = |i: usize| -> Result<&str> {
                let raw = row.get(i).unwrap_or(b"");
                std::str::from_utf8(raw).map(str::trim).map_err(|_| Error::list(line, "not valid UTF-8"))
            };
            let Some([id_col, kind_col, value_col]) = columns else {
                let mut found = [None; 3];
                for i in 0..row.len() {
                    let name = field(i)?.to_ascii_lowercase();
                    let slot = match name.as_str() {
                        "id" => 0,
                        "kind" => 1,
                        "value" => 2,
                        _ => continue,
                    };
                    found[slot].get_or_insert(i);
                }
                match found {
                    [Some(a), Some(b), Some(c)] => columns = Some([a, b, c]),
                    _ => {
                        return Err(Error::list(
                            line,
                            "the header row must name the columns id, kind and value",
                        ))
                    }
                }
                continue;
            };
            let (id, kind, value) = (field(id_col)?, field(kind_col)?, field(value_col)?);
            list.push_at(id, kind, value, line)?;
        }
        if columns.is_none() {
            return Err(Error::list(0, "empty list: the header row id,kind,value is missing"));
        }
        Ok(list)
    }

    /// Adds one identifier to the record `id` (created if new), validated as a CSV row would be.
    pub fn push(&mut self, id: &str, kind: Kind, value: &str) -> Result<()> {
        self.push_at(id, kind.as_str(), value, 0)
    }

    fn push_at(&mut self, id: &str, kind: &str, value: &str, line: u64) -> Result<()> {
        let (id, value) = (id.trim(), value.trim());
        if id.is_empty() {
            return Err(Error::list(line, "empty id"));
        }
        let Some(kind) = Kind::parse(kind) else {
            return Err(Error::list(
                line,
                format!("unknown kind {kind:?} (expected name, email, phone or term)"),
            ));
        };
        if value.is_empty() {
            return Err(Error::list(line, format!("empty {kind} value")));
        }
        validate(kind, value).map_err(|reason| Error::list(line, reason))?;
        let idx = *self.by_id.entry(id.to_string()).or_insert_with(|| {
            self.records.push(Record { id: id.to_string(), identifiers: Vec::new() });
            self.records.len() - 1
        });
        self.records[idx].identifiers.push(Identifier { kind, value: value.to_string(), line });
        Ok(())
    }

    /// The records, in order of first appearance.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the list has no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// csv reports a record as starting where the previous one ended, before any blank or comment
/// lines it skipped; this finds where the row itself starts.
fn row_start(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\r' | b'\n' => at += 1,
            b'#' => at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p + 1),
            _ => break,
        }
    }
    at
}

fn validate(kind: Kind, value: &str) -> std::result::Result<(), String> {
    match kind {
        Kind::Email => {
            if !address::is_valid(&address::canonical(value)) {
                return Err("the email is not an address".into());
            }
        }
        Kind::Phone => {
            if let Some(c) = value.chars().find(|c| !phone::is_phone_char(*c)) {
                return Err(format!("the phone contains {c:?}"));
            }
            let digits = value.chars().filter(char::is_ascii_digit).count();
            if digits < phone::MIN_DIGITS {
                return Err(format!("the phone has {digits} digits (at least {} needed)", phone::MIN_DIGITS));
            }
            if digits > phone::MAX_DIGITS {
                return Err(format!("the phone has {digits} digits (at most {})", phone::MAX_DIGITS));
            }
        }
        Kind::Name | Kind::Term => {
            if text::normalize(value).is_empty() {
                return Err(format!("the {kind} has no letter or digit"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\nV01,phone,+44 20 7946 0018\nV02,name,Ravi Patel\nV02,email,ravi@example.net\nOP7,term,Operation Nightingale\n";

    #[test]
    fn loads_the_contract_example() {
        let list = ProtectedList::from_csv(GOOD).unwrap();
        let ids: Vec<_> = list.records().iter().map(|r| r.id()).collect();
        assert_eq!(ids, ["V01", "V02", "OP7"]);
        assert_eq!(list.records()[0].identifiers().len(), 3);
        assert_eq!(list.records()[0].identifiers()[2].line(), 4);
        assert_eq!(list.records()[0].own_addresses().collect::<Vec<_>>(), ["jane.doe@example.org"]);
    }

    #[test]
    fn bad_rows_name_their_line() {
        struct T {
            name: &'static str,
            input: &'static str,
            line: u64,
        }
        let tests = [
            T { name: "unknown kind", input: "id,kind,value\nV01,colour,blue\n", line: 2 },
            T { name: "empty id", input: "id,kind,value\n,name,Jane\n", line: 2 },
            T { name: "empty value", input: "id,kind,value\nV01,name,\n", line: 2 },
            T { name: "missing value column", input: "id,kind,value\nV01,name\n", line: 2 },
            T {
                name: "bad email",
                input: "id,kind,value\nV01,name,Jane\nV01,email,jane.example.org\n",
                line: 3,
            },
            T { name: "short phone", input: "id,kind,value\n\n# comment\nV01,phone,12345\n", line: 4 },
            T { name: "phone with letters", input: "id,kind,value\nV01,phone,call 0207946001\n", line: 2 },
            T { name: "name without letters", input: "id,kind,value\nV01,name,--\n", line: 2 },
            T { name: "no header", input: "V01,name,Jane Doe\n", line: 1 },
            T { name: "empty file", input: "", line: 0 },
        ];
        for t in tests {
            let err = ProtectedList::from_csv(t.input).unwrap_err();
            assert_eq!(err.line(), Some(t.line), "{}: {err}", t.name);
        }
    }

    #[test]
    fn comments_blank_lines_extra_columns_bom_crlf_quotes() {
        let text = "\u{feff}# victims of case 7\r\nid,kind,value,notes\r\n\r\nV01,name,\"Doe, Jane\",first\r\n#V09,name,ignored\r\nV01,email,Jane.Doe@Example.org,x\r\n";
        let list = ProtectedList::from_csv(text).unwrap();
        assert_eq!(list.len(), 1);
        let ids = list.records()[0].identifiers();
        assert_eq!(ids[0].value(), "Doe, Jane");
        assert_eq!(ids[0].line(), 4);
        assert_eq!(ids[1].line(), 6);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err =
            ProtectedList::from_csv_bytes(b"id,kind,value\nV01,name,Jane\nV02,name,J\xffn\n").unwrap_err();
        assert_eq!(err.line(), Some(3));
    }

    #[test]
    fn nothing_is_half_loaded() {
        let mut list = ProtectedList::new();
        list.push("A", Kind::Name, "Ann Lee").unwrap();
        assert!(list.push("A", Kind::Phone, "12").is_err());
        assert_eq!(list.records()[0].identifiers().len(), 1);
    }
}
