//! gzip streams: the one file inside, and the name it had.

use flate2::read::GzDecoder;

/// The file inside the gzip stream `bytes` as it inflates (uncharged: the caller meters it),
/// and its name: the one the gzip header records, else the attachment's name without `.gz`,
/// else `gzip`.
pub(super) fn open<'d>(bytes: &'d [u8], attachment: Option<&str>) -> (String, GzDecoder<&'d [u8]>) {
    let decoder = GzDecoder::new(bytes);
    let name = decoder
        .header()
        .and_then(|h| h.filename())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .or_else(|| attachment.and_then(|n| n.strip_suffix(".gz")).map(str::to_string))
        .unwrap_or_else(|| "gzip".to_string());
    (name, decoder)
}
