//! `dmtool bench`: times the library conversion of `convert --compact` on a file, without
//! the file I/O and output allocation a program converting many messages would not repeat.

use super::io::{read_input, write_output};
use crate::CliError;
use clap::ValueEnum;
use std::hint::black_box;
use std::time::{Duration, Instant};
use wbxml::transcode::{self, ToWbxmlOptions, ToXmlOptions};

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
    /// How many conversions to time in one round (default: enough for about 20 MB of
    /// input).
    #[arg(long)]
    iterations: Option<u64>,
    /// Repeat rounds until at least this many seconds are timed (0: one round only).
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    min_time: f64,
    /// The input file.
    #[arg(value_name = "FILE")]
    input: String,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let input = read_input(&args.input)?;
    let to_xml = ToXmlOptions {
        indent: None,
        ..ToXmlOptions::default()
    };
    let to_wbxml = ToWbxmlOptions::default();
    let len = input.len().max(1) as u64;
    let iterations = args
        .iterations
        .unwrap_or((20_000_000 / len).clamp(10, 1_000_000))
        .max(1);
    let failed = |e: wbxml::Error| CliError::Input(e.to_string());
    let min_time = Duration::try_from_secs_f64(args.min_time)
        .map_err(|e| CliError::Usage(format!("--min-time: {e}")))?;
    // Each conversion writes into an output buffer that is cleared first (or handed back)
    // and keeps its capacity, as a program converting message after message would.
    let mut out = Vec::new();
    let (rounds, seconds) = match args.mode {
        // As `convert` does: the XML as bytes, never needed as a `String`.
        Mode::Wbxml2xml => time_conversions(iterations, min_time, || {
            out.clear();
            transcode::wbxml_to_xml_bytes_into(black_box(&input), &to_xml, &mut out)
                .map_err(failed)?;
            black_box(&out);
            Ok(())
        })?,
        Mode::Xml2wbxml => time_conversions(iterations, min_time, || {
            let taken = std::mem::take(&mut out);
            out = transcode::xml_to_wbxml_into(black_box(&input), &to_wbxml, taken)
                .map_err(failed)?;
            black_box(&out);
            Ok(())
        })?,
    };
    let seconds = seconds.as_secs_f64().max(1e-9);
    let conversions = iterations.saturating_mul(rounds);
    let bytes = input.len() as f64 * conversions as f64;
    let report = format!(
        "{:?} {} bytes x {conversions} ({rounds} x {iterations}) in {seconds:.6} s\n{:.3} MB/s\n",
        args.mode,
        input.len(),
        bytes / seconds / 1e6
    );
    write_output(None, report.as_bytes())
}

/// How long [`time_conversions`] converts untimed before it starts the clock.
const WARM_UP: Duration = Duration::from_millis(50);

/// Times rounds of `iterations` calls of `convert` until `min_time` has passed: how many
/// rounds ran, and the time they took. One untimed call first checks the input, and untimed
/// calls for [`WARM_UP`] warm the caches and the CPU clock: 20 MB of a small message take a
/// millisecond or two here, and the first milliseconds of a process run at half speed in
/// about one process of four (a warm-up capped at the timed count, as it once was, was too
/// short to cover them). Timing rounds for `min_time` measures us over as long a stretch of
/// this machine's ups and downs as a peer that takes a second over the same count, not over
/// a millisecond that may fall in a slow one.
fn time_conversions(
    iterations: u64,
    min_time: Duration,
    mut convert: impl FnMut() -> Result<(), CliError>,
) -> Result<(u64, Duration), CliError> {
    convert()?;
    repeat_for(WARM_UP, &mut convert)?;
    repeat_for(min_time, || (0..iterations).try_for_each(|_| convert()))
}

/// Calls `round` once, then again until `time` has passed in all: how many times, and how
/// long they took.
fn repeat_for(
    time: Duration,
    mut round: impl FnMut() -> Result<(), CliError>,
) -> Result<(u64, Duration), CliError> {
    let start = Instant::now();
    let mut rounds = 0u64;
    loop {
        round()?;
        rounds += 1;
        let elapsed = start.elapsed();
        if elapsed >= time {
            return Ok((rounds, elapsed));
        }
    }
}
