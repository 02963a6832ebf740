//! `dmtool demo`: a DM server, an alternate download server and a device in one process on
//! 127.0.0.1, running the whole SCOMO scenario over HTTP.

use std::collections::HashMap;
use std::sync::Arc;

use clap::Parser;
use dm_session::WireEncoding;
use scomo_tree::integrity::sha256_hex;
use scomo_tree::server::PackageSpec;
use scomo_tree::Operation;

use crate::dm::device::{Account, Device};
use crate::dm::http::{serve_dm, serve_files};
use crate::dm::package::{build, Manifest};
use crate::dm::server::{DmServer, Expect, ServerSettings, Step, StepKind};
use crate::dm::Log;
use crate::CliError;

/// Arguments of `dmtool demo`.
#[derive(Parser, Debug)]
pub(crate) struct Args {
    /// Use WBXML on the wire (XML otherwise).
    #[arg(long)]
    wbxml: bool,
    /// Also print every message as XML.
    #[arg(long)]
    verbose: bool,
}

const DEVICE_ID: &str = "IMEI:004999010640000";
const SERVER_A: &str = "scomo-server";
const SERVER_B: &str = "other-authority";

fn package(id: &str, version: &str, payload: &[u8]) -> Vec<u8> {
    let manifest = Manifest {
        id: id.to_owned(),
        name: format!("{id} demo component"),
        version: version.to_owned(),
        description: Some("built into dmtool demo".to_owned()),
    };
    build(
        &manifest,
        &[
            ("bin/run.sh", b"#!/bin/sh\necho hello from the demo\n"),
            ("data/payload", payload),
        ],
    )
}

fn step(kind: StepKind, expect: Expect) -> Step {
    Step { kind, expect }
}

fn temp_dir() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!("dmtool-demo-{}-{nanos}", std::process::id()))
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let dir = temp_dir();
    let result = scenario(&args, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn scenario(args: &Args, dir: &std::path::Path) -> Result<(), CliError> {
    let log = Log {
        verbose: args.verbose,
    };
    let fail = |e: String| CliError::Input(e);
    let encoding = if args.wbxml {
        WireEncoding::Wbxml
    } else {
        WireEncoding::Xml
    };

    // The packages: App1 by alternate download, App2 (larger than one message) by direct
    // delivery, App3 corrupted on the download server.
    let app1 = package("App1", "1.0", b"app1");
    let app2 = package("App2", "2.1", &vec![b'x'; 40 * 1024]);
    let app3 = package("App3", "0.9", b"app3");
    let mut corrupted = app3.clone();
    if let Some(b) = corrupted.last_mut() {
        *b ^= 0x20;
    }
    let mut files = HashMap::new();
    files.insert("/pkg/app1.dmpkg".to_owned(), app1.clone());
    files.insert("/pkg/app3.dmpkg".to_owned(), corrupted);
    let downloads = serve_files("127.0.0.1:0", files, log.clone()).map_err(fail)?;
    log.line(&format!(
        "[demo] download server at {} (app1.dmpkg sha256 {})",
        downloads.url("/"),
        sha256_hex(&app1)
    ));

    let spec = |id: &str, file: &str, bytes: &[u8]| PackageSpec {
        pkg_id: format!("{id}-pkg"),
        name: id.to_owned(),
        url: downloads.url(file),
        digest: Some(sha256_hex(bytes)),
        ..PackageSpec::default()
    };
    let mut a = ServerSettings::md5(
        SERVER_A,
        "http://127.0.0.1/dm",
        (DEVICE_ID, "device-secret"),
        "server-a-secret",
    );
    a.encoding = Some(encoding);
    a.plan = vec![
        step(StepKind::Inventory, Expect::Deployed(Vec::new())),
        step(
            StepKind::Download {
                x: "App1".to_owned(),
                spec: spec("App1", "/pkg/app1.dmpkg", &app1),
                op: Operation::DownloadInstall,
            },
            Expect::Result(1200),
        ),
        step(
            StepKind::Exec {
                op: Operation::Deactivate,
                x: "App1".to_owned(),
            },
            Expect::Result(1200),
        ),
        step(
            StepKind::Exec {
                op: Operation::Activate,
                x: "App1".to_owned(),
            },
            Expect::Result(1200),
        ),
        step(
            StepKind::Deliver {
                x: "App2".to_owned(),
                pkg_id: "App2-pkg".to_owned(),
                name: "App2".to_owned(),
                data: app2,
            },
            Expect::Result(1200),
        ),
        step(StepKind::EndSession, Expect::Any),
        step(
            StepKind::Download {
                x: "App3".to_owned(),
                spec: spec("App3", "/pkg/app3.dmpkg", &app3),
                op: Operation::DownloadInstall,
            },
            Expect::Result(1407),
        ),
        step(
            StepKind::Exec {
                op: Operation::RemoveDeployed,
                x: "App1".to_owned(),
            },
            Expect::Result(1200),
        ),
        step(
            StepKind::Inventory,
            Expect::Deployed(vec!["App2".to_owned()]),
        ),
    ];
    let mut b = ServerSettings::md5(
        SERVER_B,
        "http://127.0.0.1/other",
        (DEVICE_ID, "device-secret-b"),
        "server-b-secret",
    );
    b.encoding = Some(encoding);
    b.plan = vec![step(
        StepKind::Exec {
            op: Operation::Deactivate,
            x: "App1".to_owned(),
        },
        Expect::Status(425),
    )];
    let server_a = Arc::new(DmServer::new(a, log.clone()));
    let server_b = Arc::new(DmServer::new(b, log.clone()));
    let http_a = serve_dm("127.0.0.1:0", Arc::clone(&server_a), log.clone(), None).map_err(fail)?;
    let http_b = serve_dm("127.0.0.1:0", Arc::clone(&server_b), log.clone(), None).map_err(fail)?;
    log.line(&format!(
        "[demo] DM server {SERVER_A} at {}, second authority {SERVER_B} at {}",
        http_a.url("/dm"),
        http_b.url("/dm")
    ));

    let mut device = Device::open(dir, DEVICE_ID, log.clone()).map_err(fail)?;
    for (id, url, secret, server_secret) in [
        (
            SERVER_A,
            http_a.url("/dm"),
            "device-secret",
            "server-a-secret",
        ),
        (
            SERVER_B,
            http_b.url("/dm"),
            "device-secret-b",
            "server-b-secret",
        ),
    ] {
        device.bootstrap(
            &Account {
                server_id: id.to_owned(),
                url,
                client_name: DEVICE_ID.to_owned(),
                client_secret: secret.to_owned(),
                server_secret: server_secret.to_owned(),
            },
            encoding,
        );
    }
    let mut errors = Vec::new();
    for server in [SERVER_A, SERVER_B, SERVER_A] {
        if let Err(e) = device.session(server) {
            log.line(&format!("[demo] session with {server} failed: {e}"));
            errors.push(e);
        }
    }
    http_a.stop();
    http_b.stop();
    downloads.stop();

    let mut results = server_a.results();
    results.extend(server_b.results());
    let passed = results.iter().filter(|r| r.ok).count();
    for r in results.iter().filter(|r| !r.ok) {
        log.line(&format!(
            "[demo] FAILED: {} ended with {:?}",
            r.label, r.outcome
        ));
    }
    let remaining = server_a.remaining().saturating_add(server_b.remaining());
    let authenticated = server_a.authenticated() && server_b.authenticated();
    let pending = device.pending_alerts();
    log.line(&format!(
        "[demo] device components: {} ({pending} alerts unacknowledged)",
        device
            .components()
            .iter()
            .map(|(id, v, active)| format!(
                "{id} {v} ({})",
                if *active { "active" } else { "inactive" }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    log.line(&format!(
        "[demo] {passed}/{} steps as expected, {remaining} not run, authentication {}",
        results.len(),
        if authenticated { "ok" } else { "FAILED" }
    ));
    if passed == results.len()
        && remaining == 0
        && authenticated
        && pending == 0
        && errors.is_empty()
    {
        log.line("[demo] OK");
        Ok(())
    } else {
        Err(CliError::Input(format!(
            "demo failed: {} unexpected step(s), {remaining} not run{}",
            results.len().saturating_sub(passed),
            if errors.is_empty() {
                String::new()
            } else {
                format!(", errors: {}", errors.join("; "))
            }
        )))
    }
}
