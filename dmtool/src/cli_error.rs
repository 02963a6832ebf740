//! The one error type every command returns, mapped to the exit codes of the CLI contract.

use std::fmt;

/// A failed command: invalid or unreadable input (exit 1) or a usage error (exit 2).
#[derive(Debug)]
pub(crate) enum CliError {
    /// Invalid or unreadable input; the text is what follows `error: `.
    Input(String),
    /// The arguments were wrong in a way clap could not see.
    Usage(String),
}

impl CliError {
    /// An error about a file that could not be read or written.
    pub(crate) fn file(path: &str, err: impl fmt::Display) -> Self {
        Self::Input(format!("{path}: {err}"))
    }

    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 1,
            Self::Usage(_) => 2,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(msg) | Self::Usage(msg) => f.write_str(msg),
        }
    }
}
