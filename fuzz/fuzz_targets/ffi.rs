//! The C ABI entry points with arbitrary list, key, policy, message and envelope bytes, called
//! as C would call them. Every status must be one of the contract's; nothing may crash or leak.
#![no_main]

use std::ffi::{c_char, CString};
use std::ptr::{null, null_mut};

use libfuzzer_sys::fuzz_target;
use maildlp::ffi::*;

#[derive(arbitrary::Arbitrary, Debug)]
struct Input<'a> {
    list: &'a [u8],
    key: Option<&'a [u8]>,
    policy: Option<&'a [u8]>,
    message: &'a [u8],
    rcpts: Vec<&'a [u8]>,
    err_len: u8,
}

const KNOWN: [maildlp_status; 8] = [
    maildlp_status::MAILDLP_OK,
    maildlp_status::MAILDLP_NULL_ARGUMENT,
    maildlp_status::MAILDLP_INVALID_UTF8,
    maildlp_status::MAILDLP_INVALID_LIST,
    maildlp_status::MAILDLP_INVALID_POLICY,
    maildlp_status::MAILDLP_INVALID_ADDRESS,
    maildlp_status::MAILDLP_INVALID_KEY,
    maildlp_status::MAILDLP_PANIC,
];

fuzz_target!(|input: Input<'_>| {
    // The raw bytes as a list file, plain or sealed as they say, with or without a key.
    let mut opened = null_mut();
    let mut err = vec![0 as c_char; input.err_len as usize];
    let (kp, kl) = input.key.map_or((null(), 0), |k| (k.as_ptr(), k.len()));
    let (pp, pl) = input.policy.map_or((null(), 0), |p| (p.as_ptr().cast(), p.len()));
    // SAFETY: every pointer is valid for the length passed with it.
    let status = unsafe {
        maildlp_scanner_open(
            input.list.as_ptr(),
            input.list.len(),
            kp,
            kl,
            pp,
            pl,
            &mut opened,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    assert!(KNOWN.contains(&status));
    assert_ne!(status, maildlp_status::MAILDLP_PANIC);
    assert_eq!(status == maildlp_status::MAILDLP_OK, !opened.is_null());
    // SAFETY: NULL or a live scanner, freed once.
    unsafe { maildlp_scanner_free(opened) };

    let mut list = b"id,kind,value\n".to_vec();
    list.extend_from_slice(input.list);
    let mut scanner = null_mut();
    let mut err = vec![0 as c_char; input.err_len as usize];
    let (pp, pl) = input.policy.map_or((null(), 0), |p| (p.as_ptr().cast(), p.len()));
    // SAFETY: every pointer is valid for the length passed with it.
    let status = unsafe {
        maildlp_scanner_new(
            list.as_ptr().cast(),
            list.len(),
            pp,
            pl,
            &mut scanner,
            err.as_mut_ptr(),
            err.len(),
        )
    };
    assert!(KNOWN.contains(&status));
    assert_ne!(status, maildlp_status::MAILDLP_PANIC);
    if status != maildlp_status::MAILDLP_OK {
        assert!(scanner.is_null());
        assert!(err.is_empty() || err.contains(&0), "message not NUL-terminated");
        return;
    }
    // Envelope strings as C has them: NUL-terminated (interior NULs end them early).
    let owned: Vec<CString> = input
        .rcpts
        .iter()
        .map(|r| {
            CString::new(r.iter().copied().take_while(|&b| b != 0).collect::<Vec<u8>>()).unwrap_or_default()
        })
        .collect();
    let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
    let mut report = null_mut();
    // SAFETY: `scanner` is live, the message and the recipient array are valid for their lengths.
    let status = unsafe {
        maildlp_scan(
            scanner,
            input.message.as_ptr(),
            input.message.len(),
            ptrs.as_ptr(),
            ptrs.len(),
            &mut report,
        )
    };
    assert!(KNOWN.contains(&status));
    assert_ne!(status, maildlp_status::MAILDLP_PANIC);
    // SAFETY: `report` is NULL or a live report; both are freed exactly once.
    unsafe {
        if status == maildlp_status::MAILDLP_OK {
            let v = maildlp_report_verdict(report);
            assert!((0..=2).contains(&v));
            let mut len = 0;
            let json = maildlp_report_json(report, &mut len);
            assert!(!json.is_null());
        } else {
            assert!(report.is_null());
        }
        maildlp_report_free(report);
        maildlp_scanner_free(scanner);
    }
});
