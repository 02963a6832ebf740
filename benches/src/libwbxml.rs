//! libwbxml's own conversion functions as a criterion peer (feature `libwbxml`): the C
//! harness `peer/libwbxml-bench.c`, built by `build.rs`, converts a file as many times as
//! criterion asks and reports the time it took, for `Bencher::iter_custom`. The Rust side
//! stays free of `unsafe`: no FFI, a child process per sample, timed inside the child.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Which way libwbxml converts.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// `wbxml_conv_wbxml2xml_withlen`, compact XML.
    WbxmlToXml,
    /// `wbxml_conv_xml2wbxml_withlen`, WBXML 1.3 without a string table.
    XmlToWbxml,
}

/// One input, written to a temporary file for the harness (removed on drop).
#[derive(Debug)]
pub struct Libwbxml {
    file: PathBuf,
}

impl Libwbxml {
    /// Writes `bytes` where the harness can read them; `name` tells inputs apart.
    ///
    /// # Errors
    /// When the temporary file cannot be written.
    pub fn new(name: &str, bytes: &[u8]) -> std::io::Result<Self> {
        let file = std::env::temp_dir().join(format!("omadm-bench-{}-{name}", std::process::id()));
        std::fs::write(&file, bytes)?;
        Ok(Self { file })
    }

    /// How long libwbxml took for `iterations` conversions of the input.
    ///
    /// # Panics
    /// When the harness cannot run or libwbxml rejects the input: a peer figure that is not
    /// a measurement must not reach a report.
    #[allow(
        clippy::panic,
        reason = "a benchmark that cannot measure its peer must stop"
    )]
    pub fn time(&self, mode: Mode, iterations: u64) -> Duration {
        let mode = match mode {
            Mode::WbxmlToXml => "wbxml2xml",
            Mode::XmlToWbxml => "xml2wbxml",
        };
        let out = Command::new(env!("LIBWBXML_BENCH"))
            .arg(mode)
            .arg(&self.file)
            .arg(iterations.to_string())
            .output()
            .unwrap_or_else(|e| panic!("cannot run the libwbxml harness: {e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        match text.trim().parse::<u64>() {
            Ok(ns) if out.status.success() => Duration::from_nanos(ns),
            _ => panic!(
                "libwbxml {mode} failed on {}: {}",
                self.file.display(),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

impl Drop for Libwbxml {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}
