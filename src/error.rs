//! Exit codes and the expected errors that map onto them.
//!
//! A failed gate is not an error: it is data in the report, decided at the end.
//! Errors mean "could not decide" and exit with [`EXIT_ERROR`].

/// Every blocking gate passed.
pub const EXIT_GO: u8 = 0;
/// A blocking gate failed or was inconclusive, or the data contract was violated.
pub const EXIT_NO_GO: u8 = 1;
/// The tool could not decide: bad flags, bad config, unreadable data, internal error.
pub const EXIT_ERROR: u8 = 2;

/// Expected errors with a user-facing message.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// `gates.toml` (or a flag) could not be used; no position in a file.
    #[error("{0}")]
    Config(String),
    /// A `gates.toml` mistake at a known spot: `message` reads
    /// `path:line:col: ...` with the source line, and `location` says the
    /// same for callers (CI annotations) without parsing the text.
    #[error("{message}")]
    ConfigAt { location: Location, message: String },
    /// The data could not be read or used (missing file, missing column, bad types).
    #[error("{0}")]
    Data(String),
    /// A run directory or registry is missing or malformed.
    #[error("{0}")]
    Run(String),
    /// A data file without a data row (empty, or a header only): an error
    /// for `[data] path`, an empty partition in a directory of part files.
    #[error("{0}")]
    NoRows(String),
}

/// Where in a config file an error is (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: std::path::PathBuf,
    pub line: usize,
    pub col: usize,
}

impl GateError {
    /// The spot in a config file the error is about, when known.
    pub fn location(&self) -> Option<&Location> {
        match self {
            GateError::ConfigAt { location, .. } => Some(location),
            _ => None,
        }
    }
}
