//! Hostile messages, generated here (nothing large is committed): each is scanned to a report
//! without a crash, and the heap a scan uses at its peak stays within four times the message
//! size plus the compiled list.

use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner, Verdict};

#[path = "common/mail.rs"]
mod mail;

const H: &str = "From: a@b.example\r\nTo: x@y.example\r\nSubject: adversarial\r\n";

fn scanner() -> Scanner {
    let list = ProtectedList::from_csv("id,kind,value\nV01,name,Jane Doe\nV01,email,jane.doe@example.org\n")
        .unwrap();
    Scanner::new(list, Policy::default())
}

struct Outcome {
    verdict: Verdict,
    limits: Vec<String>,
    found: bool,
    peak: u64,
}

fn scan(message: &[u8]) -> Outcome {
    let s = scanner();
    // Warm the per-thread buffers so the measure sees this message's cost.
    let (report, peak) = mail::measured(&s, message);
    let limits = report
        .findings()
        .iter()
        .filter_map(|f| match &f.detail {
            Detail::Incomplete { limit, .. } => Some(limit.as_str().to_string()),
            _ => None,
        })
        .collect();
    let found = report.findings().iter().any(|f| f.rule == Rule::ProtectedIdentifier);
    Outcome { verdict: report.verdict(), limits, found, peak }
}

fn assert_bounded(name: &str, message: &[u8], o: &Outcome) {
    let budget = 4 * message.len() as u64;
    println!(
        "{name}: {} bytes, peak heap {} bytes ({:.2}x)",
        message.len(),
        o.peak,
        o.peak as f64 / message.len() as f64
    );
    assert!(o.peak <= budget, "{name}: peak heap {} > 4 x {}", o.peak, message.len());
}

#[test]
fn nested_attached_messages_200000() {
    let m = format!(
        "{H}{}Subject: end\r\n\r\nJane Doe\r\n",
        "Content-Type: message/rfc822\r\n\r\n".repeat(200_000)
    );
    let o = scan(m.as_bytes());
    assert_eq!(o.limits, ["max_depth"]);
    assert_bounded("nested message/rfc822 x 200,000", m.as_bytes(), &o);
}

/// 200,000 directly nested message/rfc822 parts, wrapped `levels` times in an attached
/// message with transfer encoding `cte`.
fn deep_chain_wrapped(levels: usize, cte: &str) -> String {
    let mut inner =
        format!("{}Subject: end\r\n\r\nJane Doe\r\n", "Content-Type: message/rfc822\r\n\r\n".repeat(200_000));
    for i in 0..levels {
        let body = if cte.starts_with("base64") { base64(inner.as_bytes()) } else { inner.clone() };
        inner = format!("From: l{i}@x.example\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{body}");
    }
    format!("To: x@y.example\r\n{inner}")
}

#[test]
fn nested_attached_messages_200000_inside_encoded_ones() {
    // mail-parser decodes an encoded attached message and parses what is inside as deep as it
    // goes: without the pre-parse pass going inside too, this aborted the process.
    for (levels, cte) in [(1, "base64"), (1, "base64 (forwarded)"), (1, "quoted-printable"), (5, "base64")] {
        let m = deep_chain_wrapped(levels, cte);
        let o = scan(m.as_bytes());
        assert_eq!(o.limits, ["max_depth"], "{levels} x {cte}");
        assert_bounded(&format!("nested message/rfc822 x 200,000 in {levels} x {cte}"), m.as_bytes(), &o);
    }
}

#[test]
fn nested_multiparts_100000() {
    let mut m = String::from(H);
    for i in 0..100_000 {
        m.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nJane Doe\r\n");
    let o = scan(m.as_bytes());
    assert_eq!(o.limits, ["max_depth"]);
    assert_bounded("nested multipart x 100,000", m.as_bytes(), &o);
}

#[test]
fn tiny_parts_1000000() {
    let m = format!(
        "{H}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\r\nJane Doe\r\n{}--b--\r\n",
        "--b\r\n\r\nx\r\n".repeat(1_000_000)
    );
    let o = scan(m.as_bytes());
    assert_eq!(o.limits, ["max_parts"]);
    assert!(o.found, "the name in the first part is still found");
    assert_bounded("tiny parts x 1,000,000", m.as_bytes(), &o);
}

#[test]
fn text_body_50mb_with_a_name_at_the_end() {
    let mut m = String::with_capacity(51 << 20);
    m.push_str(H);
    m.push_str("\r\n");
    let line = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\r\n";
    while m.len() < 50 << 20 {
        m.push_str(line);
    }
    m.push_str("Jane Doe\r\n");
    let o = scan(m.as_bytes());
    assert!(o.limits.is_empty());
    assert!(o.found);
    assert_bounded("50 MB text body", m.as_bytes(), &o);
}

#[test]
fn single_line_20mb() {
    let m = format!("{H}\r\n{} Jane Doe", "x".repeat(20_000_000));
    let o = scan(m.as_bytes());
    assert!(o.found);
    assert_bounded("20 MB single line", m.as_bytes(), &o);
}

#[test]
fn header_lines_100000() {
    let mut m: String = (0..100_000).map(|i| format!("X-H{i}: value {i}\r\n")).collect();
    m.push_str(H);
    m.push_str("\r\nJane Doe\r\n");
    let o = scan(m.as_bytes());
    assert!(o.found);
    assert_bounded("100,000 header lines", m.as_bytes(), &o);
}

#[test]
fn cc_addresses_100000() {
    let cc: Vec<String> = (0..100_000).map(|i| format!("p{i}@example.net")).collect();
    let m = format!("From: a@b.example\r\nCc: {}\r\nSubject: x\r\n\r\nhello\r\n", cc.join(",\r\n "));
    let o = scan(m.as_bytes());
    assert_eq!(o.verdict, Verdict::Warn);
    assert_bounded("100,000 Cc addresses", m.as_bytes(), &o);
}

#[test]
fn random_bytes_2mb() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let m: Vec<u8> = (0..2_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let o = scan(&m);
    assert_bounded("2 MB random bytes", &m, &o);
}

#[test]
fn base64_wrapped_messages_8_deep() {
    let mut inner = String::from("From: j@x.example\r\nSubject: deep\r\n\r\nJane Doe\r\n");
    for i in 0..8 {
        let b64 = base64(inner.as_bytes());
        inner = format!("From: l{i}@x.example\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}");
    }
    let m = format!("To: x@y.example\r\n{inner}");
    let o = scan(m.as_bytes());
    assert!(o.found, "the name eight encodings down is found");
    assert!(o.limits.is_empty());
}

#[test]
fn base64_latin1_text_20mb_with_a_name_at_the_end() {
    // Decoded as it is read: the raw text, mail-parser's reading of it as Latin-1 (it sees no
    // encoding), the decoded bytes and the text all live at once for a moment.
    let mut text: Vec<u8> = Vec::with_capacity(15 << 20);
    while text.len() < 15 << 20 {
        text.extend_from_slice(b"caf\xe9 lorem ipsum dolor sit amet consectetur adipiscing elit\r\n");
    }
    text.extend_from_slice(b"Jane Doe\r\n");
    let m = format!(
        "{H}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        base64(&text)
    );
    let o = scan(m.as_bytes());
    assert!(o.found);
    assert_bounded("20 MB base64 Latin-1 text", m.as_bytes(), &o);
}

#[test]
fn base64_image_20mb_costs_little() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..15_000_000).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    let m = format!(
        "{H}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nJane Doe\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--b--\r\n",
        base64(&png)
    );
    let o = scan(m.as_bytes());
    assert!(o.found);
    // Only its first kilobyte is decoded: the scan holds next to nothing beyond the message.
    println!("20 MB base64 image: {} bytes, peak heap {} bytes", m.len(), o.peak);
    assert!(o.peak < 1 << 20, "peak heap {}", o.peak);
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in data.chunks(3).enumerate() {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            out.push(if k <= c.len() { T[(n >> (18 - 6 * k) & 63) as usize] as char } else { '=' });
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out + "\r\n"
}
