//! S/MIME containers opened: the content of CMS signed data (RFC 5652) and compressed data
//! (RFC 3274), as the bytes of the MIME entity (or file) they carry; enveloped and
//! encrypted data are told apart from them, since nothing in them can be read.
//!
//! Real producers write BER: `openssl cms -sign -stream`, `openssl smime -sign` and Outlook
//! write indefinite lengths and cut the content into a constructed OCTET STRING. The structure
//! is read with `bcder` (NLnet Labs' BER decoder) in BER mode, which also reads DER; maildlp
//! describes only the few fields it needs (the content type, the encapsulated content) and
//! skips the rest (digest algorithms, certificates, signer infos) with `bcder`'s skipping,
//! which keeps an explicit stack rather than recursing.
//!
//! A signature is never verified: maildlp reads what a recipient reads, it does not judge
//! whom to trust. Content in one primitive OCTET STRING is borrowed from the input; the
//! pieces of a constructed one are counted, then copied once into a buffer of their exact
//! size, when the caller allows that many bytes. A constructed OCTET STRING nested in another
//! more than [`MAX_STRING_NESTING`] deep is not read; values skipped may nest
//! [`MAX_SKIP_NESTING`] deep.

use std::borrow::Cow;

use bcder::decode::{Constructed, Content, DecodeError, Source};
use bcder::{Mode, Oid, Tag};

/// `id-signedData`.
const SIGNED_DATA: [u8; 9] = [42, 134, 72, 134, 247, 13, 1, 7, 2];
/// `id-envelopedData`.
const ENVELOPED_DATA: [u8; 9] = [42, 134, 72, 134, 247, 13, 1, 7, 3];
/// `id-encryptedData`.
const ENCRYPTED_DATA: [u8; 9] = [42, 134, 72, 134, 247, 13, 1, 7, 6];
/// `id-ct-authEnvelopedData` (RFC 5083).
const AUTH_ENVELOPED_DATA: [u8; 11] = [42, 134, 72, 134, 247, 13, 1, 9, 16, 1, 23];
/// `id-ct-compressedData` (RFC 3274).
const COMPRESSED_DATA: [u8; 11] = [42, 134, 72, 134, 247, 13, 1, 9, 16, 1, 9];
/// `id-alg-zlibCompress` (RFC 3274), the one compression algorithm CMS defines.
const ZLIB: [u8; 11] = [42, 134, 72, 134, 247, 13, 1, 9, 16, 3, 8];

/// How deep a constructed OCTET STRING may nest inside another (producers write one level).
pub(crate) const MAX_STRING_NESTING: usize = 4;

/// How deep the values skipped may nest (certificates nest about ten deep).
pub(crate) const MAX_SKIP_NESTING: usize = 64;

/// What a CMS structure holds, as far as a recipient can read it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Opened<'a> {
    /// The encapsulated content of signed data: bytes of a MIME entity in S/MIME, or of any
    /// file that was signed.
    Signed(Cow<'a, [u8]>),
    /// The zlib stream of compressed data, still compressed (see [`inflate`]).
    Compressed(Cow<'a, [u8]>),
    /// Signed data that carries no content: a detached signature, or certificates only.
    Nothing,
    /// Enveloped, authenticated-enveloped or encrypted data: nothing can be read.
    Encrypted,
    /// Content in pieces that joined would take more bytes (the number) than allowed.
    TooLarge(usize),
    /// Not CMS a reader can open, and why.
    Unreadable(&'static str),
}

/// Whether `head` (the first bytes of a decoded body) starts as a CMS `ContentInfo` of signed,
/// enveloped, encrypted or compressed data: a SEQUENCE whose first field is one of their
/// object identifiers. Recognises a `.p7m` file whatever its part is called.
pub(crate) fn is_cms(head: &[u8]) -> bool {
    // SEQUENCE, its length (indefinite, short or long form), then the OBJECT IDENTIFIER.
    let Some((&0x30, rest)) = head.split_first() else { return false };
    let rest = match rest.split_first() {
        Some((&0x80, r)) => r,
        Some((&n, r)) if n < 0x80 => r,
        Some((&n, r)) if (0x81..=0x84).contains(&n) => r.get(usize::from(n - 0x80)..).unwrap_or(&[]),
        _ => return false,
    };
    let Some((&0x06, rest)) = rest.split_first() else { return false };
    let Some((&len, oid)) = rest.split_first() else { return false };
    let Some(oid) = oid.get(..usize::from(len)) else { return false };
    [&SIGNED_DATA[..], &ENVELOPED_DATA, &ENCRYPTED_DATA, &AUTH_ENVELOPED_DATA, &COMPRESSED_DATA]
        .contains(&oid)
}

/// Opens the CMS `ContentInfo` in `data` (BER or DER): what it holds. Content in pieces is
/// joined only when it is at most `allowance` bytes (else [`Opened::TooLarge`]): the pieces
/// are counted first, then copied into a buffer of exactly their size. Fields after the
/// content (certificates, signer infos) are skipped and need not be whole: a message cut
/// after its content still reads.
pub(crate) fn open(data: &[u8], allowance: usize) -> Opened<'_> {
    match read(data, None) {
        Some(Found::Signed(Octets::Pieces(n)) | Found::Compressed(Octets::Pieces(n))) if n > allowance => {
            Opened::TooLarge(n)
        }
        Some(Found::Signed(Octets::Pieces(n)) | Found::Compressed(Octets::Pieces(n))) => {
            let mut joined = Vec::with_capacity(n);
            match read(data, Some(&mut joined)) {
                Some(Found::Signed(_)) => Opened::Signed(Cow::Owned(joined)),
                Some(Found::Compressed(_)) => Opened::Compressed(Cow::Owned(joined)),
                _ => Opened::Unreadable("its CMS structure is damaged"),
            }
        }
        Some(Found::Signed(Octets::At(start, len))) => Opened::Signed(slice(data, start, len)),
        Some(Found::Compressed(Octets::At(start, len))) => Opened::Compressed(slice(data, start, len)),
        Some(Found::Encrypted) => Opened::Encrypted,
        Some(Found::Nothing) => Opened::Nothing,
        None => Opened::Unreadable("its CMS structure is damaged or holds no content"),
    }
}

/// `len` bytes of `data` at `start` (none when that is outside it, which `read` rules out).
fn slice(data: &[u8], start: usize, len: usize) -> Cow<'_, [u8]> {
    Cow::Borrowed(start.checked_add(len).and_then(|end| data.get(start..end)).unwrap_or(&[]))
}

/// Reads the `ContentInfo` in `data` as far as its content: what it holds, the pieces of a
/// constructed content appended to `join` when there is one (else only counted).
fn read(data: &[u8], join: Option<&mut Vec<u8>>) -> Option<Found> {
    let mut found = None;
    // What comes after the content does not matter: an error there leaves `found` as it is.
    let _ = Mode::Ber.decode(data, |cons| {
        cons.take_sequence(|cons| {
            let kind = Oid::take_from(cons)?;
            let kind = kind.0.as_ref();
            if kind == ENVELOPED_DATA || kind == AUTH_ENVELOPED_DATA || kind == ENCRYPTED_DATA {
                found = Some(Found::Encrypted);
                return skip_rest(cons);
            }
            let compressed = kind == COMPRESSED_DATA;
            if kind != SIGNED_DATA && !compressed {
                return Err(cons.content_err("neither signed, compressed nor encrypted data"));
            }
            cons.take_constructed_if(Tag::CTX_0, |cons| {
                cons.take_sequence(|cons| {
                    // version
                    cons.take_primitive_if(Tag::INTEGER, |p| p.skip_all())?;
                    if compressed {
                        let algorithm = cons.take_sequence(|cons| {
                            let oid = Oid::take_from(cons)?;
                            skip_rest(cons)?;
                            Ok(oid)
                        })?;
                        if algorithm.0.as_ref() != ZLIB {
                            return Err(cons.content_err("a compression other than zlib"));
                        }
                    } else {
                        // digestAlgorithms
                        cons.take_set(skip_rest)?;
                    }
                    let content = encapsulated(cons, data, join)?;
                    found = Some(match (content, compressed) {
                        (Some(c), false) => Found::Signed(c),
                        (Some(c), true) => Found::Compressed(c),
                        (None, _) => Found::Nothing,
                    });
                    skip_rest(cons)
                })?;
                skip_rest(cons)
            })?;
            skip_rest(cons)
        })
    });
    found
}

/// What `read` found, before the rest of the structure was skipped.
enum Found {
    Signed(Octets),
    Compressed(Octets),
    Nothing,
    Encrypted,
}

/// The bytes of an OCTET STRING: where it stands in the input when it is one primitive
/// value, else the length of its pieces together.
enum Octets {
    At(usize, usize),
    Pieces(usize),
}

/// The `EncapsulatedContentInfo` next in `cons`: its content, `None` when it has none.
/// Any content type is read as bytes (`id-data` in S/MIME).
fn encapsulated<S: Source>(
    cons: &mut Constructed<S>,
    data: &[u8],
    join: Option<&mut Vec<u8>>,
) -> Result<Option<Octets>, DecodeError<S::Error>> {
    cons.take_sequence(|cons| {
        // The content type: `id-data` in S/MIME; any other is read as bytes too.
        Oid::take_from(cons)?;
        let content = cons.take_opt_constructed_if(Tag::CTX_0, |cons| {
            cons.take_value_if(Tag::OCTET_STRING, |content| octets(content, data, join))
        })?;
        skip_rest(cons)?;
        Ok(content)
    })
}

/// The bytes of the OCTET STRING whose content is `content`.
fn octets<S: Source>(
    content: &mut Content<S>,
    data: &[u8],
    join: Option<&mut Vec<u8>>,
) -> Result<Octets, DecodeError<S::Error>> {
    match content {
        Content::Primitive(p) => {
            let len = p.remaining();
            let start = offset_in(data, p.slice_all()?);
            p.skip_all()?;
            match start {
                Some(start) => Ok(Octets::At(start, len)),
                None => Err(p.content_err("content outside the input")),
            }
        }
        Content::Constructed(c) => {
            let mut total = 0;
            pieces(c, &mut total, join, 1)?;
            Ok(Octets::Pieces(total))
        }
    }
}

/// Counts the bytes of the pieces of a constructed OCTET STRING, `nesting` levels deep, into
/// `total`, and appends them to `join` when there is one.
fn pieces<S: Source>(
    cons: &mut Constructed<S>,
    total: &mut usize,
    mut join: Option<&mut Vec<u8>>,
    nesting: usize,
) -> Result<(), DecodeError<S::Error>> {
    loop {
        // Any tag is taken (an end-of-contents marker only this way), then checked.
        let more = cons.take_opt_value(|tag, content| match content {
            _ if tag != Tag::OCTET_STRING => Err(content.content_err("a piece that is not an OCTET STRING")),
            Content::Primitive(p) => {
                let piece = p.slice_all()?;
                *total = total.saturating_add(piece.len());
                if let Some(out) = join.as_deref_mut() {
                    out.extend_from_slice(piece);
                }
                p.skip_all()
            }
            Content::Constructed(inner) => {
                if nesting >= MAX_STRING_NESTING {
                    return Err(inner.content_err("OCTET STRING pieces nested too deep"));
                }
                pieces(inner, total, join.as_deref_mut(), nesting + 1)
            }
        })?;
        if more.is_none() {
            return Ok(());
        }
    }
}

/// Skips what is left of `cons`, its end-of-contents marker included. (`bcder`'s
/// `skip_all` asks for one more value at the end of an indefinite-length value.)
/// Values nested deeper than [`MAX_SKIP_NESTING`] are refused, which bounds the stack `bcder`
/// keeps while skipping.
fn skip_rest<S: Source>(cons: &mut Constructed<S>) -> Result<(), DecodeError<S::Error>> {
    let bounded = |_, _, nesting: usize| {
        if nesting > MAX_SKIP_NESTING {
            Err("values nested too deep".into())
        } else {
            Ok(())
        }
    };
    while cons.skip_opt(bounded)?.is_some() {}
    Ok(())
}

/// Where `inner`, a slice of `outer`, starts in it.
fn offset_in(outer: &[u8], inner: &[u8]) -> Option<usize> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (start.checked_add(inner.len())? <= outer.len()).then_some(start)
}

/// Inflates the zlib stream of compressed data, taking what comes out from `budget`; the
/// bytes, and whether the budget ran out before the end. `None` when the stream is damaged
/// before anything came out.
#[cfg(feature = "documents")]
pub(crate) fn inflate(zlib: &[u8], budget: &crate::model::Budget) -> Option<(Vec<u8>, bool)> {
    use std::io::Read;
    let mut decoder = flate2::read::ZlibDecoder::new(zlib);
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) => return Some((out, false)),
            Ok(n) => {
                let granted = usize::try_from(budget.take(n as u64)).unwrap_or(0);
                out.extend_from_slice(chunk.get(..granted).unwrap_or(&[]));
                if granted < n {
                    return Some((out, true));
                }
            }
            Err(_) if out.is_empty() => return None,
            Err(_) => return Some((out, false)),
        }
    }
}

/// The promises of [`open`] on `cms`, for the fuzz target (`maildlp::fuzzing::cms_open`).
#[cfg(fuzzing)]
pub(crate) fn check(cms: &[u8]) -> Result<(), String> {
    let within = |c: &[u8]| {
        if c.len() > cms.len() {
            Err(format!("content of {} bytes out of {} bytes of CMS", c.len(), cms.len()))
        } else {
            Ok(())
        }
    };
    let allowance = cms.len() / 2;
    match open(cms, allowance) {
        Opened::Signed(c) | Opened::Compressed(c) => {
            within(&c)?;
            if let Cow::Borrowed(b) = c {
                offset_in(cms, b).ok_or("borrowed content outside the input")?;
            } else if c.len() > allowance {
                return Err(format!("a copy of {} bytes past the allowance of {allowance}", c.len()));
            }
            Ok(())
        }
        Opened::TooLarge(n) if n <= allowance => {
            Err(format!("{n} bytes refused under an allowance of {allowance}"))
        }
        Opened::TooLarge(_) | Opened::Nothing | Opened::Encrypted | Opened::Unreadable(_) => Ok(()),
    }
}
