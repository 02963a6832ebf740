//! `dmtool bench`: times exactly the in-memory work of `convert --compact` on a file.

use super::convert::{Conversion, Target};
use super::io::read_input;
use crate::CliError;
use clap::ValueEnum;
use std::hint::black_box;
use std::time::Instant;
use wbxml::transcode::{ToWbxmlOptions, ToXmlOptions};

/// Which conversion to time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Mode {
    /// WBXML → XML.
    Wbxml2xml,
    /// XML → WBXML.
    Xml2wbxml,
}

/// Arguments of `dmtool bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The conversion to time.
    #[arg(long, value_enum)]
    mode: Mode,
    /// How many conversions to time (default: enough for about 20 MB of input).
    #[arg(long)]
    iterations: Option<u64>,
    /// The input file.
    #[arg(value_name = "FILE")]
    input: String,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let input = read_input(&args.input)?;
    let conversion = Conversion {
        to_xml: ToXmlOptions {
            indent: None,
            ..ToXmlOptions::default()
        },
        to_wbxml: ToWbxmlOptions::default(),
    };
    let target = match args.mode {
        Mode::Wbxml2xml => Target::Xml,
        Mode::Xml2wbxml => Target::Wbxml,
    };
    // One untimed run checks the input and warms the caches.
    conversion
        .run(&input, target)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let len = input.len().max(1) as u64;
    let iterations = args
        .iterations
        .unwrap_or((20_000_000 / len).clamp(10, 1_000_000))
        .max(1);
    let start = Instant::now();
    for _ in 0..iterations {
        let out = conversion
            .run(black_box(&input), target)
            .map_err(|e| CliError::Input(e.to_string()))?;
        black_box(out);
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let bytes = input.len() as f64 * iterations as f64;
    println!(
        "{:?} {} bytes x {iterations} in {seconds:.6} s",
        args.mode,
        input.len()
    );
    println!("{:.3} MB/s", bytes / seconds / 1e6);
    Ok(())
}
