//! A progress bar on standard error, only when it is a terminal and the batch is large.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use maildlp::sources;

use crate::Tally;

/// Inputs below this count finish too fast for a bar to help.
const LARGE_BATCH: usize = 200;

/// The progress of a scan, drawn as a bar over input files.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar over the files under `paths`, or nothing when standard error is not a terminal
    /// or there are few files.
    pub fn new(paths: &[PathBuf]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let files = sources::count_files(paths, usize::MAX);
        if files < LARGE_BATCH {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{bar:40} {pos}/{len} files {msg} [{elapsed}, ETA {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar: Some(bar) }
    }

    /// One message is done; `last_of_file` advances the bar.
    pub fn message_done(&self, last_of_file: bool, tally: &Tally) {
        if let Some(bar) = &self.bar {
            if last_of_file {
                bar.inc(1);
            }
            if tally.messages.is_multiple_of(64) {
                bar.set_message(format!("({} blocked, {} warned)", tally.blocked, tally.warned));
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
