//! Compressed streams that hold one file (gzip, bzip2, xz): the file inside as it inflates, and
//! the name it had.
//!
//! Decoders get no more memory than the message's budget has left, and at most
//! [`MAX_DECODER_MEMORY`]: an xz stream that asks for a 1.5 GiB dictionary is refused, not
//! allocated. What comes out is charged to the budget by the caller.

use std::io::Read;

use bzip2::read::MultiBzDecoder;
use flate2::read::MultiGzDecoder;
use lzma_rust2::XzReader;

/// The most memory a decoder may ask for (its dictionary): what `xz -9` and `7z -mx9` use.
pub(super) const MAX_DECODER_MEMORY: u64 = 64 << 20;

/// A compression format for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// gzip (RFC 1952), members one after another.
    Gzip,
    /// bzip2, streams one after another.
    Bzip2,
    /// xz, streams one after another.
    Xz,
}

impl Codec {
    /// The suffixes a file compressed this way is named with, and what each stands for once
    /// the file is inflated (`.tgz` is a `.tar`).
    fn suffixes(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Codec::Gzip => &[(".gz", ""), (".tgz", ".tar"), (".z", "")],
            Codec::Bzip2 => &[(".bz2", ""), (".tbz2", ".tar"), (".tbz", ".tar"), (".bz", "")],
            Codec::Xz => &[(".xz", ""), (".txz", ".tar")],
        }
    }

    /// The name of the format, for a file inside that has no name.
    fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
        }
    }
}

/// The bytes of the zlib stream (RFC 1950) `bytes`, as they inflate (uncharged: the caller
/// meters them). PowerPoint compresses the OLE objects it embeds this way.
pub(super) fn zlib(bytes: &[u8]) -> impl Read + '_ {
    flate2::read::ZlibDecoder::new(bytes)
}

/// The file inside the stream `bytes` compressed with `codec`, as it inflates (uncharged: the
/// caller meters it), and its name: the one a gzip header records, else `outer` (the name the
/// stream was found under) without its suffix, else the format's name. `memory` is what the
/// decoder may allocate (for xz; gzip and bzip2 use a few hundred KiB at most).
pub(super) fn open<'d>(
    codec: Codec,
    bytes: &'d [u8],
    outer: Option<&str>,
    memory: u64,
) -> (String, Box<dyn Read + 'd>) {
    let recorded;
    let reader: Box<dyn Read + 'd> = match codec {
        Codec::Gzip => {
            let decoder = MultiGzDecoder::new(bytes);
            recorded =
                decoder.header().and_then(|h| h.filename()).map(|n| String::from_utf8_lossy(n).into_owned());
            Box::new(decoder)
        }
        Codec::Bzip2 => {
            recorded = None;
            Box::new(MultiBzDecoder::new(bytes))
        }
        Codec::Xz => {
            recorded = None;
            let limit_kb = u32::try_from(memory.min(MAX_DECODER_MEMORY) / 1024).unwrap_or(u32::MAX - 1);
            Box::new(XzReader::new_mem_limit(bytes, true, limit_kb))
        }
    };
    let name = recorded
        .or_else(|| outer.and_then(|n| stripped(codec, n)))
        .unwrap_or_else(|| codec.name().to_string());
    (name, reader)
}

/// `name` without the suffix `codec` gives it (`export.tgz` is `export.tar`), if it has one.
fn stripped(codec: Codec, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    codec.suffixes().iter().find_map(|(suffix, becomes)| {
        let stem = name.get(..name.len().checked_sub(suffix.len())?)?;
        (lower.ends_with(suffix) && !stem.is_empty()).then(|| format!("{stem}{becomes}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_suffix() {
        assert_eq!(stripped(Codec::Gzip, "victims.csv.gz").as_deref(), Some("victims.csv"));
        assert_eq!(stripped(Codec::Gzip, "export.TGZ").as_deref(), Some("export.tar"));
        assert_eq!(stripped(Codec::Bzip2, "export.tar.bz2").as_deref(), Some("export.tar"));
        assert_eq!(stripped(Codec::Xz, "export.txz").as_deref(), Some("export.tar"));
        assert_eq!(stripped(Codec::Xz, "notes.txt"), None);
        assert_eq!(stripped(Codec::Gzip, ".gz"), None);
    }

    #[test]
    fn a_stream_without_a_name_is_named_for_its_format() {
        let (name, _) = open(Codec::Bzip2, b"BZh9", None, 1 << 20);
        assert_eq!(name, "bzip2");
        let (name, _) = open(Codec::Xz, b"", Some("notes.xz"), 1 << 20);
        assert_eq!(name, "notes");
    }
}
