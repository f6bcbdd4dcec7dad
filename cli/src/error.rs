//! The error type of the `murr` command: a message for the user, nothing more.

use std::fmt;

/// A failed command. Its `Display` is the whole message `main` prints before exiting with a
/// non-zero status.
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    /// A failure with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }

    /// An I/O failure on `path` while doing `what` ("create directory", ...).
    pub fn io(what: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        Failure(format!("cannot {what} {}: {err}", path.display()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

impl From<murr_core::Error> for Failure {
    fn from(err: murr_core::Error) -> Self {
        Failure(err.to_string())
    }
}

impl From<arrow_schema::ArrowError> for Failure {
    fn from(err: arrow_schema::ArrowError) -> Self {
        Failure(err.to_string())
    }
}

/// The result of a command.
pub type Result<T = ()> = std::result::Result<T, Failure>;
