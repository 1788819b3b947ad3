//! Progress of a long run on stderr (stdout carries only the table or report):
//! an animated spinner with the current step and its elapsed time when stderr
//! is a terminal, plain timestamped lines otherwise (CI logs, pipes), nothing
//! at all with `--quiet`.
use crate::pipeline::Observer;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Where progress goes; the pipeline sees only [`Progress::step`].
pub struct Progress {
    mode: Mode,
    start: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The step in flight, and when it began.
    current: Option<(String, Instant)>,
    /// Tenths of the current step's units already reported (plain lines).
    tenths: usize,
    /// The spinner is showing a bar (the step has a known number of units).
    bar: bool,
}

enum Mode {
    Silent,
    Lines,
    Spinner(ProgressBar),
}

impl Progress {
    /// Silent when `silent`, a spinner on a terminal, timestamped lines otherwise.
    pub fn new(silent: bool) -> Progress {
        let mode = if silent {
            Mode::Silent
        } else if std::io::stderr().is_terminal() {
            Mode::Spinner(spinner())
        } else {
            Mode::Lines
        };
        Progress {
            mode,
            start: Instant::now(),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Progress is cosmetic: a panic elsewhere must not silence it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stamp(&self) -> String {
        format!("[{:>7.3}s]", self.start.elapsed().as_secs_f64())
    }

    /// A new step begins; on the spinner the previous one is printed as done.
    pub fn step(&self, msg: &str) {
        let mut st = self.state();
        let previous = st.current.replace((msg.to_string(), Instant::now()));
        st.tenths = 0;
        match &self.mode {
            Mode::Silent => {}
            Mode::Lines => diag!("{} {msg}", self.stamp()),
            Mode::Spinner(bar) => {
                if let Some((done, began)) = previous {
                    bar.println(done_line(&done, began));
                }
                if std::mem::take(&mut st.bar) {
                    bar.set_style(spinner_style());
                }
                bar.set_message(msg.to_string());
                bar.reset_elapsed();
            }
        }
    }

    /// `done` of `total` units of the current step are finished (`total == 0`:
    /// unknown, `done` counts iterations). A bar on the terminal, a line per
    /// tenth otherwise.
    pub fn advance(&self, done: usize, total: usize) {
        let mut st = self.state();
        let msg = st.current.as_ref().map_or("", |c| c.0.as_str()).to_string();
        match &self.mode {
            Mode::Silent => {}
            Mode::Lines => {
                if next_tenth(&mut st.tenths, done, total) {
                    diag!("{} {msg}: {done}/{total}", self.stamp());
                }
            }
            Mode::Spinner(bar) if total == 0 => {
                bar.set_message(format!("{msg} (iteration {done})"))
            }
            Mode::Spinner(bar) => {
                if !std::mem::replace(&mut st.bar, true) {
                    bar.set_style(bar_style());
                    bar.set_length(total as u64);
                }
                bar.set_position(done as u64);
            }
        }
    }

    /// Ends the display: the last step is printed as done, the spinner erased.
    pub fn finish(&self) {
        let current = self.state().current.take();
        if let Mode::Spinner(bar) = &self.mode {
            if let Some((done, began)) = current {
                bar.println(done_line(&done, began));
            }
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // An error mid-run must not leave a spinner ticking over the message.
        if let Mode::Spinner(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

fn done_line(step: &str, began: Instant) -> String {
    format!("  ✓ {step} ({:.1}s)", began.elapsed().as_secs_f64())
}

impl Observer for Progress {
    fn step(&self, msg: &str) {
        Progress::step(self, msg);
    }
    fn advance(&self, done: usize, total: usize) {
        Progress::advance(self, done, total);
    }
}

/// Whether `done` of `total` reaches a tenth not yet reported (the last unit
/// always does); unknown totals are not reported as lines.
fn next_tenth(reported: &mut usize, done: usize, total: usize) -> bool {
    if total == 0 {
        return false;
    }
    let tenth = done.min(total) * 10 / total;
    let due = tenth > *reported;
    *reported = (*reported).max(tenth);
    due
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(spinner_style());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner:.cyan} {msg} [{bar:30.cyan/blue}] {pos}/{len} [{elapsed}, eta {eta}]",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_line_names_the_step_and_duration() {
        let line = done_line("training", Instant::now());
        assert!(line.starts_with("  ✓ training (0.0s)"), "{line}");
    }

    #[test]
    fn silent_progress_keeps_no_state() {
        let p = Progress::new(true);
        p.step("loading");
        p.advance(3, 10);
        assert_eq!(p.state().tenths, 0, "silent mode counts no lines");
        p.finish();
        assert!(p.state().current.is_none());
    }

    #[test]
    fn lines_report_each_tenth_once_and_the_end() {
        let mut r = 0;
        let due: Vec<usize> = (1..=25).filter(|&d| next_tenth(&mut r, d, 25)).collect();
        assert_eq!(due, vec![3, 5, 8, 10, 13, 15, 18, 20, 23, 25]);
        let mut r = 0;
        assert!(next_tenth(&mut r, 1, 1));
        assert!(!next_tenth(&mut r, 1, 1), "reported twice");
        let mut r = 0;
        assert!(!next_tenth(&mut r, 7, 0), "unknown totals print no lines");
    }
}
