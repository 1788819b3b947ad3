//! Where a `gates.toml` mistake is: `path:line:col` with the source line
//! and a caret.
use crate::error::GateError;
use std::path::Path;

/// Formats `path:line:col: message` plus the offending source line and a caret.
pub fn located(path: &Path, text: &str, offset: usize, message: &str) -> GateError {
    let (line, col) = line_col(text, offset);
    let src = text.lines().nth(line - 1).unwrap_or("");
    let caret = format!("{}^", " ".repeat(col.saturating_sub(1)));
    GateError::ConfigAt {
        location: crate::error::Location {
            path: path.to_path_buf(),
            line,
            col,
        },
        message: format!(
            "{}:{line}:{col}: {message}\n  {line:>4} | {src}\n       | {caret}",
            path.display()
        ),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

pub struct Ctx<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Ctx<'_> {
    /// An error at `key` of the table whose header is `table`.
    pub fn key_err<T>(&self, table: &str, key: &str, message: String) -> Result<T, GateError> {
        let header = self.text.find(table).unwrap_or(0);
        let at = crate::gates::keys::key_offset(self.text, header, key);
        Err(located(self.path, self.text, at, &message))
    }

    pub fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl AsRef<str>,
    ) -> Result<T, GateError> {
        Err(located(self.path, self.text, span.start, message.as_ref()))
    }
}
