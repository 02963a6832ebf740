//! `dmtool`: the command-line front end of the OMA DM 1.2 / SCOMO crates.

mod cli_error;
mod commands;
mod dm;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub(crate) use cli_error::CliError;

/// OMA DM 1.2 and SCOMO tool: convert, decode, check and benchmark DM messages and DDFs.
#[derive(Parser)]
#[command(name = "dmtool", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a message between XML and WBXML (the input kind is detected).
    Convert(commands::convert::Args),
    /// Decode a DM message and print its structure.
    Decode(commands::decode::Args),
    /// Time XML<->WBXML conversion of a file in memory; the last line is `<float> MB/s`.
    Bench(commands::bench::Args),
    /// Check what a server may do on a management tree.
    Acl(commands::acl::Args),
    /// Check a DDF or TNDS file, or generate Rust code from it.
    Ddf(commands::ddf::Args),
    /// Run a DM server, an alternate download server and a device in one process and play
    /// the whole SCOMO scenario over HTTP on 127.0.0.1.
    Demo(commands::demo::Args),
    /// Run a DM server (SCOMO Server) over HTTP with a plan of operations per device.
    Serve(commands::serve::Args),
    /// Run a device (DM + SCOMO client) whose state persists in a directory.
    Device(commands::device::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert(args) => commands::convert::run(args),
        Command::Decode(args) => commands::decode::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Acl(args) => commands::acl::run(args),
        Command::Ddf(args) => commands::ddf::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Device(args) => commands::device::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
