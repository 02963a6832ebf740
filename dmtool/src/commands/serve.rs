//! `dmtool serve`: a DM server (SCOMO Server) over HTTP, with a plan of operations for
//! every device that connects.
//!
//! Operations come from `--op` flags and/or an `--ops` file, one per line (`#` starts a
//! comment; `{base}` in a URL becomes the server's own `http://ADDR`):
//!
//! ```text
//! inventory
//! download <X> <URL> [SHA-256 hex]     # DownloadInstall by alternate download
//! deliver <X> <FILE>                   # direct delivery (large object) + Install
//! install|activate|deactivate|remove <X>
//! end-session                          # the rest goes to the device's next session
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use scomo_tree::server::PackageSpec;
use scomo_tree::Operation;

use crate::dm::http::serve_dm;
use crate::dm::server::{DmServer, Expect, ServerSettings, Step, StepKind};
use crate::dm::Log;
use crate::CliError;

/// Arguments of `dmtool serve`.
#[derive(Parser, Debug)]
pub(crate) struct Args {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0: any free port).
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// The server id (DMAcc ServerID on the device).
    #[arg(long, default_value = "dmtool-server")]
    server_id: String,
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
    /// One operation (repeatable), in the `--ops` file syntax.
    #[arg(long = "op", value_name = "OPERATION")]
    ops: Vec<String>,
    /// A file of operations, one per line.
    #[arg(long = "ops", value_name = "FILE")]
    ops_file: Option<String>,
    /// Serve `GET /files/<name>` from this directory (alternate download).
    #[arg(long, value_name = "DIR")]
    files: Option<PathBuf>,
    /// Largest request body accepted (bytes).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Also print every message as XML.
    #[arg(long)]
    verbose: bool,
}

fn parse_op(line: &str, base: &str) -> Result<Option<Step>, CliError> {
    let line = line.split('#').next().unwrap_or_default().trim();
    if line.is_empty() {
        return Ok(None);
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let bad = || CliError::Input(format!("bad operation '{line}'"));
    let x = |i: usize| words.get(i).map(|s| (*s).to_owned()).ok_or_else(bad);
    let kind = match words.first().copied().unwrap_or_default() {
        "inventory" => StepKind::Inventory,
        "end-session" => StepKind::EndSession,
        "download" => {
            let x = x(1)?;
            StepKind::Download {
                spec: PackageSpec {
                    pkg_id: format!("{x}-pkg"),
                    name: x.clone(),
                    url: words.get(2).ok_or_else(bad)?.replace("{base}", base),
                    digest: words.get(3).map(|s| (*s).to_owned()),
                    ..PackageSpec::default()
                },
                x,
                op: Operation::DownloadInstall,
            }
        }
        "deliver" => {
            let x = x(1)?;
            let file = x_file(&words, line)?;
            let data = std::fs::read(file).map_err(|e| CliError::file(file, e))?;
            StepKind::Deliver {
                pkg_id: format!("{x}-pkg"),
                name: x.clone(),
                x,
                data,
            }
        }
        "install" => StepKind::Exec {
            op: Operation::Install,
            x: x(1)?,
        },
        "activate" => StepKind::Exec {
            op: Operation::Activate,
            x: x(1)?,
        },
        "deactivate" => StepKind::Exec {
            op: Operation::Deactivate,
            x: x(1)?,
        },
        "remove" => StepKind::Exec {
            op: Operation::RemoveDeployed,
            x: x(1)?,
        },
        _ => return Err(bad()),
    };
    Ok(Some(Step {
        kind,
        expect: Expect::Any,
    }))
}

fn x_file<'a>(words: &[&'a str], line: &str) -> Result<&'a str, CliError> {
    words
        .get(2)
        .copied()
        .ok_or_else(|| CliError::Input(format!("bad operation '{line}'")))
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
    // Bind first: the plan may name the server's own address.
    let probe = std::net::TcpListener::bind(&args.listen)
        .map_err(|e| CliError::Input(format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = probe
        .local_addr()
        .map_err(|e| CliError::Input(e.to_string()))?;
    drop(probe);
    let base = format!("http://{addr}");
    let mut lines: Vec<String> = Vec::new();
    if let Some(f) = &args.ops_file {
        let text = std::fs::read_to_string(f).map_err(|e| CliError::file(f, e))?;
        lines.extend(text.lines().map(str::to_owned));
    }
    lines.extend(args.ops.iter().cloned());
    let mut plan = Vec::new();
    for l in &lines {
        if let Some(step) = parse_op(l, &base)? {
            plan.push(step);
        }
    }
    let mut settings = ServerSettings::md5(
        &args.server_id,
        &format!("{base}/dm"),
        (name, secret),
        &args.server_secret,
    );
    settings.plan = plan;
    settings.max_body = args.max_body;
    let steps = settings.plan.len();
    let dm = Arc::new(DmServer::new(settings, log.clone()));
    let running = serve_dm(&addr.to_string(), dm, log.clone(), args.files.clone())
        .map_err(CliError::Input)?;
    log.line(&format!(
        "listening on {} ({steps} operations queued per device)",
        running.url("/dm")
    ));
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
