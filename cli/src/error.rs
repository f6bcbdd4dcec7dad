//! The error type of the `murr` command: a message for the user, nothing more.

use std::fmt;

/// A failed command. Its `Display` is the whole message `main` prints (after `murr: `)
/// before exiting with a non-zero status.
#[derive(Debug)]
pub struct Failure {
    message: String,
    /// The reader of stdout went away (`murr scan ... | head`): not worth a message.
    broken_pipe: bool,
}

impl Failure {
    /// A failure with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            broken_pipe: false,
        }
    }

    /// An I/O failure on `path` while doing `what` ("create directory", ...).
    pub fn io(what: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        Failure::new(format!("cannot {what} {}: {err}", path.display()))
    }

    /// A failure to write the output to stdout.
    pub fn output(err: std::io::Error) -> Self {
        Failure {
            broken_pipe: err.kind() == std::io::ErrorKind::BrokenPipe,
            message: format!("cannot write to stdout: {err}"),
        }
    }

    /// Stdout's reader went away.
    pub fn broken_pipe() -> Self {
        Failure {
            message: "cannot write to stdout: broken pipe".to_owned(),
            broken_pipe: true,
        }
    }

    /// A failure of an Arrow writer to stdout (an I/O error or a type it cannot write).
    pub fn output_arrow(err: arrow_schema::ArrowError) -> Self {
        match err {
            arrow_schema::ArrowError::IoError(_, e) => Failure::output(e),
            other => Failure::new(format!("cannot write the output: {other}")),
        }
    }

    /// Whether stdout's reader went away: the command stops quietly.
    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl From<murr_core::Error> for Failure {
    fn from(err: murr_core::Error) -> Self {
        Failure::new(err.to_string())
    }
}

impl From<arrow_schema::ArrowError> for Failure {
    fn from(err: arrow_schema::ArrowError) -> Self {
        Failure::new(err.to_string())
    }
}

/// The result of a command.
pub type Result<T = ()> = std::result::Result<T, Failure>;
