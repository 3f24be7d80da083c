//! A progress bar on standard error, only when it is a terminal and the batch is large: the
//! messages done of about how many there are (an Outlook data file's counted by its folders,
//! an mbox's by its separators), messages per second, and the time left at that rate.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use maildlp::sources;

use crate::Tally;

/// Inputs below this many messages finish too fast for a bar to help.
const LARGE_BATCH: usize = 200;

/// The progress of a scan, drawn as a bar over messages.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    /// A bar over the messages under `paths`, or nothing when standard error is not a
    /// terminal or there are few messages.
    pub fn new(paths: &[PathBuf]) -> Progress {
        let started = Instant::now();
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None, started };
        }
        let messages = sources::estimate_messages(paths);
        if messages < LARGE_BATCH {
            return Progress { bar: None, started };
        }
        let bar = ProgressBar::with_draw_target(Some(messages as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar: Some(bar), started: Instant::now() }
    }

    /// One message (or input that could not be read) is done.
    pub fn message_done(&self, _last_of_file: bool, tally: &Tally) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let done = bar.position();
            let total = bar.length().unwrap_or(done).max(done);
            if bar.length() != Some(total) {
                bar.set_length(total);
            }
            if done.is_multiple_of(16) || done == total {
                bar.set_message(status(done, total, self.started.elapsed(), tally));
            }
        }
    }

    /// Runs `f` (which writes to standard error) with the bar hidden.
    pub fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The words beside the bar: `1234 msg/s, 2m 05s left (3 blocked, 1 warned)` after `done` of
/// about `total` messages in `elapsed`.
pub fn status(done: u64, total: u64, elapsed: Duration, tally: &Tally) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let left = if rate > 0.0 {
        let s = (total.saturating_sub(done) as f64 / rate).ceil() as u64;
        match s {
            0..=59 => format!("{s}s left"),
            60..=3599 => format!("{}m {:02}s left", s / 60, s % 60),
            _ => format!("{}h {:02}m left", s / 3600, s % 3600 / 60),
        }
    } else {
        "time left unknown".to_string()
    };
    let rate = if rate >= 10.0 { format!("{rate:.0}") } else { format!("{rate:.1}") };
    format!("{rate} msg/s, {left} ({} blocked, {} warned)", tally.blocked, tally.warned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_time_left() {
        let tally = Tally { messages: 500, blocked: 3, warned: 1, errors: 0 };
        assert_eq!(
            status(500, 2000, Duration::from_secs(2), &tally),
            "250 msg/s, 6s left (3 blocked, 1 warned)"
        );
        assert_eq!(
            status(100, 100_000, Duration::from_secs(10), &tally),
            "10 msg/s, 2h 46m left (3 blocked, 1 warned)"
        );
        assert_eq!(
            status(60, 3660, Duration::from_secs(20), &tally),
            "3.0 msg/s, 20m 00s left (3 blocked, 1 warned)"
        );
        assert_eq!(
            status(0, 10, Duration::ZERO, &tally),
            "0.0 msg/s, time left unknown (3 blocked, 1 warned)"
        );
        // More done than counted: nothing left.
        assert_eq!(status(12, 10, Duration::from_secs(1), &tally), "12 msg/s, 0s left (3 blocked, 1 warned)");
    }
}
