//! Exhaustive tests' inputs: every string of up to a few letters over a small alphabet, on
//! which a fast path is compared with the code it stands in for.

/// Calls `f` with every sequence of `0..=max_len` letters of `alphabet` (the shortest first),
/// in one buffer it reuses.
pub(crate) fn each_string<T: Copy>(alphabet: &[T], max_len: u32, mut f: impl FnMut(&[T])) {
    let mut s = Vec::with_capacity(max_len as usize);
    for n in 0..=max_len {
        for i in 0..alphabet.len().pow(n) {
            s.clear();
            let mut k = i;
            for _ in 0..n {
                s.push(alphabet[k % alphabet.len()]);
                k /= alphabet.len();
            }
            f(&s);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_string_once() {
        let mut seen = Vec::new();
        super::each_string(&['a', 'b'], 2, |s| seen.push(s.iter().collect::<String>()));
        assert_eq!(seen, ["", "a", "b", "aa", "ba", "ab", "bb"]);
    }
}
