//! `dmtool device`: a device (DM Client + SCOMO Client) whose tree and installed components
//! persist in a state directory; each run opens client-initiated sessions with its server.

use std::path::PathBuf;

use clap::Parser;
use dm_session::WireEncoding;

use crate::dm::device::{Account, Device};
use crate::dm::Log;
use crate::CliError;

/// Arguments of `dmtool device`.
#[derive(Parser, Debug)]
pub(crate) struct Args {
    /// The DM server's URL (DMAcc AppAddr).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Directory holding the device's tree, state and installed components.
    #[arg(long, value_name = "DIR")]
    state: PathBuf,
    /// The server id (DMAcc ServerID).
    #[arg(long, default_value = "dmtool-server")]
    server_id: String,
    /// The device id (./DevInfo/DevId), used when the state directory is new.
    #[arg(long, default_value = "IMEI:000000000000001")]
    device_id: String,
    /// The device's MD5 credentials, `NAME:SECRET`.
    #[arg(
        long,
        value_name = "NAME:SECRET",
        default_value = "device:device-secret"
    )]
    client_cred: String,
    /// The server's MD5 secret.
    #[arg(long, default_value = "server-secret")]
    server_secret: String,
    /// Send WBXML (XML otherwise).
    #[arg(long)]
    wbxml: bool,
    /// How many sessions to run.
    #[arg(long, default_value_t = 1)]
    sessions: u32,
    /// Run downloads and installs only after each session (their results are reported in
    /// the next one).
    #[arg(long)]
    defer_jobs: bool,
    /// Also print every message as XML.
    #[arg(long)]
    verbose: bool,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let log = Log {
        verbose: args.verbose,
    };
    let Some((name, secret)) = args.client_cred.split_once(':') else {
        return Err(CliError::Usage(
            "--client-cred must be NAME:SECRET".to_owned(),
        ));
    };
    let mut device =
        Device::open(&args.state, &args.device_id, log.clone()).map_err(CliError::Input)?;
    let encoding = if args.wbxml {
        WireEncoding::Wbxml
    } else {
        WireEncoding::Xml
    };
    device.bootstrap(
        &Account {
            server_id: args.server_id.clone(),
            url: args.server.clone(),
            client_name: name.to_owned(),
            client_secret: secret.to_owned(),
            server_secret: args.server_secret.clone(),
        },
        encoding,
    );
    device.set_defer_jobs(args.defer_jobs);
    for _ in 0..args.sessions {
        device.session(&args.server_id).map_err(CliError::Input)?;
    }
    for (id, version, active) in device.components() {
        log.line(&format!(
            "component {id} {version} ({})",
            if active { "active" } else { "inactive" }
        ));
    }
    log.line(&format!(
        "{} alerts unacknowledged",
        device.pending_alerts()
    ));
    Ok(())
}
