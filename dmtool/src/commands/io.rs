//! Reading inputs (`-` is stdin) and writing outputs (stdout unless `-o`).

use crate::CliError;
use std::io::{Read, Write};

/// Reads the whole input named on the command line; `-` reads standard input.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, CliError> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::file("<stdin>", e))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| CliError::file(path, e))
    }
}

/// Writes `bytes` to the file named by `-o`, or to standard output.
pub(crate) fn write_output(path: Option<&str>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) if p != "-" => std::fs::write(p, bytes).map_err(|e| CliError::file(p, e)),
        _ => {
            let mut out = std::io::stdout().lock();
            match out.write_all(bytes).and_then(|()| out.flush()) {
                // A reader that stopped early (`| head`) wanted no more: not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                result => result.map_err(|e| CliError::file("<stdout>", e)),
            }
        }
    }
}
