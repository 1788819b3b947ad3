//! Progress of a long run on stderr (stdout carries only the table or report):
//! an animated spinner with the current step and its elapsed time when stderr
//! is a terminal, plain timestamped lines otherwise (CI logs, pipes), nothing
//! at all with `--quiet`.
use indicatif::{ProgressBar, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Where progress goes; the pipeline sees only [`Progress::step`].
pub struct Progress {
    mode: Mode,
    start: Instant,
    /// The step in flight on the spinner, and when it began.
    current: RefCell<Option<(String, Instant)>>,
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
            current: RefCell::new(None),
        }
    }

    /// A new step begins; on the spinner the previous one is printed as done.
    pub fn step(&self, msg: &str) {
        match &self.mode {
            Mode::Silent => {}
            Mode::Lines => eprintln!("[{:>7.3}s] {msg}", self.start.elapsed().as_secs_f64()),
            Mode::Spinner(bar) => {
                let previous = self
                    .current
                    .replace(Some((msg.to_string(), Instant::now())));
                if let Some((done, began)) = previous {
                    bar.println(done_line(&done, began));
                }
                bar.set_message(msg.to_string());
                bar.reset_elapsed();
            }
        }
    }

    /// Ends the display: the last step is printed as done, the spinner erased.
    pub fn finish(&self) {
        if let Mode::Spinner(bar) = &self.mode {
            if let Some((done, began)) = self.current.take() {
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

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
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
        p.finish();
        assert!(p.current.borrow().is_none());
    }
}
