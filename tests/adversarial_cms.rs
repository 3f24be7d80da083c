//! Hostile S/MIME, built here: CMS signed data nested 1,000 deep (DER and streamed BER),
//! lengths that lie, truncated structures and OCTET STRING pieces nested too deep. Each scans
//! to a report without a crash or a stack overflow, the depth limit is reported, and the heap
//! a scan uses at its peak stays within four times the message.

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner};

#[path = "common/mail.rs"]
mod mail;

const H: &str = "From: a@police.example\r\nTo: x@y.example\r\nSubject: adversarial\r\nMIME-Version: 1.0\r\n";
const WRAPPER: &str = "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n";
const TEXT: &[u8] = b"Content-Type: text/plain\r\n\r\nThe statement of Jane Doe.\r\n";

/// `id-signedData` and `id-data`, as OBJECT IDENTIFIER values.
const SIGNED: [u8; 11] = [6, 9, 42, 134, 72, 134, 247, 13, 1, 7, 2];
const DATA: [u8; 11] = [6, 9, 42, 134, 72, 134, 247, 13, 1, 7, 1];

/// A DER value: `tag`, the definite length of `content`, `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        v.push(0x80 | (bytes.len() - skip) as u8);
        v.extend_from_slice(&bytes[skip..]);
    }
    v.extend_from_slice(content);
    v
}

/// A BER value of indefinite length: `tag`, `0x80`, the values, the end-of-contents marker.
fn indefinite(tag: u8, values: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![tag, 0x80];
    values.iter().for_each(|x| v.extend_from_slice(x));
    v.extend_from_slice(&[0, 0]);
    v
}

/// SignedData over `content` in DER, with no certificates and no signers.
fn signed_der(content: &[u8]) -> Vec<u8> {
    let encap = tlv(0x30, &[&DATA[..], &tlv(0xa0, &tlv(0x04, content))].concat());
    let sd = tlv(0x30, &[&[2, 1, 1][..], &[0x31, 0], &encap, &[0x31, 0]].concat());
    tlv(0x30, &[&SIGNED[..], &tlv(0xa0, &sd)].concat())
}

/// SignedData over `content` as `openssl cms -sign -stream` writes it: indefinite lengths and
/// the content in a constructed OCTET STRING of 1,000-byte pieces.
fn signed_ber(content: &[u8]) -> Vec<u8> {
    let pieces: Vec<Vec<u8>> = content.chunks(1000).map(|c| tlv(0x04, c)).collect();
    let refs: Vec<&[u8]> = pieces.iter().map(|p| p.as_slice()).collect();
    let octets = indefinite(0x24, &refs);
    let econtent = indefinite(0xa0, &[&octets]);
    let encap = indefinite(0x30, &[&DATA, &econtent]);
    let sd = indefinite(0x30, &[&[2, 1, 1], &[0x31, 0], &encap, &[0x31, 0]]);
    let explicit = indefinite(0xa0, &[&sd]);
    indefinite(0x30, &[&SIGNED, &explicit])
}

/// A message whose body is `levels` S/MIME wrappers (binary, no transfer encoding) around
/// `TEXT`, each level's CMS made by `sign`.
fn nested(levels: usize, sign: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut entity = TEXT.to_vec();
    for _ in 0..levels {
        entity = [WRAPPER.as_bytes(), &sign(&entity)].concat();
    }
    [H.as_bytes(), &entity].concat()
}

struct Outcome {
    limits: Vec<String>,
    found: Vec<String>,
    peak: u64,
}

fn scan_with(policy: Policy, message: &[u8]) -> Outcome {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\n").unwrap();
    let s = Scanner::new(list, policy);
    // Warm the per-thread buffers so the measure sees this message's cost.
    let (report, peak) = mail::measured(&s, message);
    let mut limits = Vec::new();
    let mut found = Vec::new();
    for f in report.findings() {
        match &f.detail {
            Detail::Incomplete { limit, .. } => limits.push(limit.as_str().to_string()),
            Detail::Identifier { location, .. } if f.rule == Rule::ProtectedIdentifier => {
                found.push(location.to_string())
            }
            _ => {}
        }
    }
    Outcome { limits, found, peak }
}

fn scan(message: &[u8]) -> Outcome {
    scan_with(Policy::default(), message)
}

fn assert_bounded(name: &str, message: &[u8], o: &Outcome) {
    println!(
        "{name}: {} bytes, peak heap {} bytes ({:.2}x)",
        message.len(),
        o.peak,
        o.peak as f64 / message.len() as f64
    );
    assert!(o.peak <= 4 * message.len() as u64, "{name}: peak heap {} > 4 x {}", o.peak, message.len());
}

#[test]
fn signed_data_nested_within_the_depth_limit_is_read() {
    let o = scan(&nested(20, signed_der));
    assert_eq!((o.found, o.limits), (vec!["body 1".to_string()], vec![]));
    // Streamed BER at every level, each level in base64 as real producers write it.
    let mut entity = [TEXT, &b"The interview is on Monday. ".repeat(4000)].concat();
    for _ in 0..3 {
        let b64 = base64(&signed_ber(&entity));
        entity = format!("Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}").into_bytes();
    }
    let m = [H.as_bytes(), &entity].concat();
    let o = scan(&m);
    assert_eq!((o.found.clone(), o.limits.clone()), (vec!["body 1".to_string()], vec![]));
    assert_bounded("CMS (BER, base64) nested 3 deep", &m, &o);
}

#[test]
fn signed_data_nested_1000_deep_in_der_stops_at_the_depth_limit() {
    let m = nested(1000, signed_der);
    let o = scan(&m);
    assert_eq!((o.found.clone(), o.limits.clone()), (vec![], vec!["max_depth".to_string()]));
    assert_bounded("CMS (DER) nested 1000 deep", &m, &o);
}

/// Pieces are joined into a copy at every level, and the copies held at once are bounded
/// (twice the message): in binary, each level nearly the size of the message, that bound stops
/// the unwrapping before the depth limit does.
#[test]
fn signed_data_nested_1000_deep_in_ber_stops_at_the_bound_on_copies() {
    let m = nested(1000, signed_ber);
    let o = scan(&m);
    assert_eq!((o.found.clone(), o.limits.clone()), (vec![], vec!["max_extracted_bytes".to_string()]));
    assert_bounded("CMS (BER) nested 1000 deep", &m, &o);
}

/// The deepest nesting a policy allows (256) does not overflow the stack of a test thread.
#[test]
fn signed_data_nested_1000_deep_under_the_highest_depth_limit() {
    let policy = Policy::from_toml("max_depth = 256\n").unwrap();
    let m = nested(1000, signed_der);
    let o = scan_with(policy.clone(), &m);
    assert_eq!((o.found.clone(), o.limits.clone()), (vec![], vec!["max_depth".to_string()]));
    assert_bounded("CMS (DER) nested 1000 deep, max_depth 256", &m, &o);
    let o = scan_with(policy, &nested(1000, signed_ber));
    assert_eq!((o.found, o.limits), (vec![], vec!["max_extracted_bytes".to_string()]));
}

fn base64(data: &[u8]) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(data);
    b.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n")
}

/// Every length in the head of a signed structure made to lie (each byte before the content
/// set to `0x84`, a four-byte length, to `0xff`, `0x80` and `0x00`), and the structure cut at
/// 60 places: never a panic, never more than four times the message.
#[test]
fn lengths_that_lie_and_truncated_structures() {
    let text = [TEXT, &b"The interview is on Monday. ".repeat(4000)].concat();
    for cms in [signed_der(&text), signed_ber(&text)] {
        let mut worst: f64 = 0.0;
        let mut check = |name: &str, cms: &[u8]| {
            let m = [H.as_bytes(), WRAPPER.as_bytes(), cms].concat();
            let o = scan(&m);
            worst = worst.max(o.peak as f64 / m.len() as f64);
            assert!(o.peak <= 4 * m.len() as u64, "{name}: peak {} for {} bytes", o.peak, m.len());
        };
        let head = cms.windows(TEXT.len()).position(|w| w == TEXT).unwrap();
        for i in 0..head {
            for b in [0x84, 0xff, 0x80, 0x00] {
                let mut lie = cms.clone();
                lie[i] = b;
                check(&format!("byte {i} = {b:#x}"), &lie);
            }
        }
        for i in (cms.len() / 60..cms.len()).step_by(cms.len() / 60) {
            check(&format!("cut at {i}"), &cms[..i]);
        }
        println!("lying and truncated CMS of {} bytes: worst peak heap {worst:.2}x the message", cms.len());
    }
}

/// A truncated BER structure whose content arrived whole still reads: the fields after the
/// content (certificates, signer infos) need not be there.
#[test]
fn a_structure_cut_after_its_content_still_reads() {
    let cms = signed_ber(TEXT);
    // The signer infos' SET and the last three end-of-contents markers are cut off.
    let cut = &cms[..cms.len() - 8];
    let m = [H.as_bytes(), WRAPPER.as_bytes(), cut].concat();
    let o = scan(&m);
    assert_eq!((o.found, o.limits), (vec!["body 1".to_string()], vec![]));
}

#[test]
fn octet_string_pieces_nested_too_deep_are_unreadable() {
    // Pieces nested five deep (producers write one level).
    let mut octets = tlv(0x04, TEXT);
    for _ in 0..5 {
        octets = indefinite(0x24, &[&octets]);
    }
    let encap = indefinite(0x30, &[&DATA, &indefinite(0xa0, &[&octets])]);
    let sd = indefinite(0x30, &[&[2, 1, 1], &[0x31, 0], &encap, &[0x31, 0]]);
    let cms = indefinite(0x30, &[&SIGNED, &indefinite(0xa0, &[&sd])]);
    let m = [H.as_bytes(), WRAPPER.as_bytes(), &cms].concat();
    let o = scan(&m);
    assert_eq!((o.found, o.limits), (vec![], vec!["unreadable".to_string()]));
    // Four deep is read.
    let mut octets = tlv(0x04, TEXT);
    for _ in 0..4 {
        octets = indefinite(0x24, &[&octets]);
    }
    let encap = indefinite(0x30, &[&DATA, &indefinite(0xa0, &[&octets])]);
    let sd = indefinite(0x30, &[&[2, 1, 1], &[0x31, 0], &encap, &[0x31, 0]]);
    let cms = indefinite(0x30, &[&SIGNED, &indefinite(0xa0, &[&sd])]);
    let m = [H.as_bytes(), WRAPPER.as_bytes(), &cms].concat();
    assert_eq!(scan(&m).found, ["body 1"]);
}

/// A million nested indefinite-length SEQUENCEs where the content should be: no recursion in
/// skipping them.
#[test]
fn a_million_nested_sequences_do_not_overflow_the_stack() {
    let mut cms = SIGNED.to_vec();
    cms.extend_from_slice(&[0xa0, 0x80]);
    cms.extend(std::iter::repeat_n([0x30u8, 0x80], 1_000_000).flatten());
    let cms = [&[0x30, 0x80][..], &cms].concat();
    let m = [H.as_bytes(), WRAPPER.as_bytes(), &cms].concat();
    let o = scan(&m);
    assert_eq!((o.found.clone(), o.limits.clone()), (vec![], vec!["unreadable".to_string()]));
    assert_bounded("a million nested SEQUENCEs", &m, &o);
}

/// CompressedData (RFC 3274) around `content`, deflated with zlib.
#[cfg(feature = "documents")]
fn compressed(content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    const COMPRESSED: [u8; 13] = [6, 11, 42, 134, 72, 134, 247, 13, 1, 9, 16, 1, 9];
    const ZLIB: [u8; 13] = [6, 11, 42, 134, 72, 134, 247, 13, 1, 9, 16, 3, 8];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(content).unwrap();
    let zlib = z.finish().unwrap();
    let encap = tlv(0x30, &[&DATA[..], &tlv(0xa0, &tlv(0x04, &zlib))].concat());
    let cd = tlv(0x30, &[&[2, 1, 0][..], &tlv(0x30, &ZLIB), &encap].concat());
    tlv(0x30, &[&COMPRESSED[..], &tlv(0xa0, &cd)].concat())
}

#[cfg(feature = "documents")]
#[test]
fn compressed_data_is_inflated_and_read() {
    let wrapper = "Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\n\r\n";
    let m = [H.as_bytes(), wrapper.as_bytes(), &compressed(TEXT)].concat();
    let o = scan(&m);
    assert_eq!((o.found, o.limits), (vec!["body 1".to_string()], vec![]));
    // Signed data inside compressed data inside signed data.
    let inner = [wrapper.as_bytes(), &compressed(&[WRAPPER.as_bytes(), &signed_der(TEXT)].concat())].concat();
    let m = [H.as_bytes(), WRAPPER.as_bytes(), &signed_ber(&inner)].concat();
    let o = scan(&m);
    assert_eq!((o.found, o.limits), (vec!["body 1".to_string()], vec![]));
}

/// Compressed data that inflates past `max_extracted_bytes` is read as far as the budget goes.
#[cfg(feature = "documents")]
#[test]
fn a_compressed_data_bomb_meets_the_budget() {
    let text = [TEXT, &vec![b' '; 50 << 20]].concat();
    let wrapper = "Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\n\r\n";
    let m = [H.as_bytes(), wrapper.as_bytes(), &compressed(&text)].concat();
    let policy = Policy::from_toml("max_extracted_bytes = 1000000\n").unwrap();
    let o = scan_with(policy, &m);
    assert_eq!((o.found, o.limits), (vec!["body 1".to_string()], vec!["max_extracted_bytes".to_string()]));
    println!("compressed-data bomb: {} bytes inflating to 50 MB, peak heap {} bytes", m.len(), o.peak);
    assert!(o.peak < 4 << 20, "peak heap {}", o.peak);
}
