//! The wrappers an embedded object comes in (MS-OLEDS): the OLE 1.0 object of RTF `\objdata`
//! (a header naming the object's class, then its native data), and the Packager's native data
//! (an "OLE package": a file with its name) found in an OLE 1.0 object of class `Package` and
//! in the `\x01Ole10Native` stream of a compound file.
//!
//! Parsing only, over slices: every length a header declares is checked against the bytes at
//! hand and only ever narrows a slice, so a size field of `0xFFFFFFFF` allocates nothing and
//! a truncated object yields what it holds.

/// An OLE 1.0 embedded object (MS-OLEDS 2.2.4 `EmbeddedObject`).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Object<'a> {
    /// Its class (`Package`, `Excel.Sheet.12`, `Word.Document.8`...).
    pub(super) class: String,
    /// Its native data: for a class of OLE 2 applications a compound file, for `Package` the
    /// Packager's data (see [`package`]). Cut where the bytes end when they end early.
    pub(super) native: &'a [u8],
}

/// A file found inside an object: its name when the wrapper gives one, and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Payload<'a> {
    /// The file's name (the label the document shows, else the last step of its path).
    pub(super) name: Option<String>,
    /// Its bytes.
    pub(super) data: &'a [u8],
}

/// The longest name kept for a packaged file, in characters.
const MAX_NAME: usize = 255;

/// Reads bytes from a slice, each read checked.
struct Bytes<'a> {
    rest: &'a [u8],
}

impl<'a> Bytes<'a> {
    fn u16(&mut self) -> Option<u16> {
        let (v, rest) = self.rest.split_first_chunk::<2>()?;
        self.rest = rest;
        Some(u16::from_le_bytes(*v))
    }

    fn u32(&mut self) -> Option<u32> {
        let (v, rest) = self.rest.split_first_chunk::<4>()?;
        self.rest = rest;
        Some(u32::from_le_bytes(*v))
    }

    /// The next `n` bytes, or as many as there are.
    fn up_to(&mut self, n: u32) -> &'a [u8] {
        let n = (n as usize).min(self.rest.len());
        let (v, rest) = self.rest.split_at(n);
        self.rest = rest;
        v
    }

    /// The next `n` bytes, if there are as many.
    fn exactly(&mut self, n: u32) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let v = self.rest.get(..n)?;
        self.rest = &self.rest[n..];
        Some(v)
    }

    /// A string ending at a NUL (the NUL is passed over), if one ends before the bytes do.
    fn zero_terminated(&mut self) -> Option<&'a [u8]> {
        let end = memchr::memchr(0, self.rest)?;
        let v = &self.rest[..end];
        self.rest = &self.rest[end + 1..];
        Some(v)
    }

    /// A `LengthPrefixedAnsiString`: a length counting the NUL, then the string.
    fn ansi(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()?;
        let s = self.exactly(n)?;
        Some(s.strip_suffix(&[0]).unwrap_or(s))
    }
}

/// Text of the ANSI code page (Windows-1252 when nothing says otherwise).
fn ansi_text(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
}

/// The OLE 1.0 object in `bytes` (RTF `\objdata` decoded): `None` when it is not one, or is
/// a link (whose data lives elsewhere).
pub(super) fn ole1(bytes: &[u8]) -> Option<Object<'_>> {
    let mut r = Bytes { rest: bytes };
    let _version = r.u32()?;
    // 1: linked, 2: embedded; 0 is a presentation object alone.
    if r.u32()? != 2 {
        return None;
    }
    let class = ansi_text(r.ansi()?);
    let _topic = r.ansi()?;
    let _item = r.ansi()?;
    let size = r.u32()?;
    Some(Object { class, native: r.up_to(size) })
}

/// The file the Packager's native data `native` holds (MS-OLEDS 2.3.6, the data after its
/// size): a signature, the label, the original path, a kind, the temporary path, then the
/// file's size and bytes. `None` when `native` is not a package of an embedded file.
pub(super) fn package(native: &[u8]) -> Option<Payload<'_>> {
    let mut r = Bytes { rest: native };
    if r.u16()? != 2 {
        return None;
    }
    let label = r.zero_terminated()?;
    let path = r.zero_terminated()?;
    // 0x00030000: an embedded file (0x00010000 would be a link to one).
    if r.u32()? != 0x0003_0000 {
        return None;
    }
    let _temp_len = r.u32()?;
    let temp = r.zero_terminated()?;
    let size = r.u32()?;
    let data = r.up_to(size);
    let name = [label, path, temp].into_iter().map(ansi_text).map(|n| file_name(&n)).find(|n| !n.is_empty());
    Some(Payload { name, data })
}

/// The file in an `\x01Ole10Native` stream: the Packager's data when the stream holds a
/// package, else the native data of whatever application wrote it, without a name.
pub(super) fn native_stream(stream: &[u8]) -> Payload<'_> {
    let mut r = Bytes { rest: stream };
    let size = r.u32().unwrap_or(0);
    let native = r.up_to(size);
    package(native).unwrap_or(Payload { name: None, data: native })
}

/// The last step of a path (`C:\Users\me\victims.csv` -> `victims.csv`), without control
/// characters, at most [`MAX_NAME`] characters.
fn file_name(path: &str) -> String {
    let last = path.rsplit(['\\', '/']).next().unwrap_or(path);
    last.chars().filter(|c| !c.is_control()).take(MAX_NAME).collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Packager's data for `data` called `name`.
    fn packaged(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = 2u16.to_le_bytes().to_vec();
        out.extend_from_slice(format!("{name}\0C:\\Users\\me\\{name}\0").as_bytes());
        out.extend_from_slice(&0x0003_0000u32.to_le_bytes());
        let temp = format!("C:\\Temp\\{name}\0");
        out.extend_from_slice(&(temp.len() as u32).to_le_bytes());
        out.extend_from_slice(temp.as_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn ansi_string(s: &str) -> Vec<u8> {
        let mut out = ((s.len() + 1) as u32).to_le_bytes().to_vec();
        out.extend_from_slice(s.as_bytes());
        out.push(0);
        out
    }

    #[test]
    fn packages_in_streams_and_objects() {
        let native = packaged("victims.csv", b"Jane Doe\n");
        let mut stream = (native.len() as u32).to_le_bytes().to_vec();
        stream.extend_from_slice(&native);
        let p = native_stream(&stream);
        assert_eq!(p, Payload { name: Some("victims.csv".into()), data: b"Jane Doe\n" });

        let mut object = [0x0501u32.to_le_bytes(), 2u32.to_le_bytes()].concat();
        object.extend(ansi_string("Package"));
        object.extend(ansi_string(""));
        object.extend(ansi_string(""));
        object.extend_from_slice(&(native.len() as u32).to_le_bytes());
        object.extend_from_slice(&native);
        let o = ole1(&object).unwrap();
        assert_eq!(o.class, "Package");
        assert_eq!(package(o.native).unwrap().data, b"Jane Doe\n");
        // Cut short anywhere: what is there, never a panic.
        for end in 0..object.len() {
            if let Some(o) = ole1(&object[..end]) {
                let _ = package(o.native);
            }
        }
        // A link is not read.
        object[4] = 1;
        assert_eq!(ole1(&object), None);
    }

    #[test]
    fn declared_sizes_only_narrow() {
        let mut native = packaged("a.txt", b"Jane Doe");
        let at = native.len() - 8 - 4;
        native[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(package(&native).unwrap().data, b"Jane Doe");
        let mut stream = u32::MAX.to_le_bytes().to_vec();
        stream.extend_from_slice(&native);
        assert_eq!(native_stream(&stream).data, b"Jane Doe");
        // Native data of another application: kept whole, without a name.
        let raw = [3u32.to_le_bytes().as_slice(), b"abcdef"].concat();
        assert_eq!(native_stream(&raw), Payload { name: None, data: b"abc" });
        assert_eq!(native_stream(b""), Payload { name: None, data: b"" });
    }

    #[test]
    fn names_are_file_names() {
        assert_eq!(file_name("C:\\Users\\me\\victims.csv"), "victims.csv");
        assert_eq!(file_name("notes/a\u{7}b.txt"), "ab.txt");
        assert_eq!(file_name(&"x".repeat(1000)).len(), MAX_NAME);
        // An empty label gives way to the path.
        let mut native = 2u16.to_le_bytes().to_vec();
        native.extend_from_slice(b"\0D:\\out\\list.csv\0");
        native.extend_from_slice(&0x0003_0000u32.to_le_bytes());
        native.extend_from_slice(&[1, 0, 0, 0, 0, 2, 0, 0, 0, b'x', b'y']);
        assert_eq!(package(&native).unwrap().name.as_deref(), Some("list.csv"));
    }
}
