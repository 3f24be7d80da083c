//! Readers charged to the message's budget of inflated and extracted bytes.

use std::io::Read;

use crate::model::Budget;

/// A reader whose bytes are charged to the budget as they are produced; it ends early (as if
/// the data ended) when the budget runs out.
pub(super) struct Metered<'b, R> {
    /// The reader whose bytes are counted.
    pub(super) inner: R,
    /// The budget they are charged to.
    pub(super) budget: &'b Budget,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.exhausted() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        Ok(self.budget.take(n as u64) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_cuts_readers() {
        let budget = Budget::new(10);
        let mut r = Metered { inner: &b"0123456789abcdef"[..], budget: &budget };
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"0123456789");
        assert!(budget.exhausted());
    }
}
