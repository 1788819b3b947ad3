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
    /// `gates.toml` could not be parsed or resolved; the message carries file:line:col.
    #[error("{0}")]
    Config(String),
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
