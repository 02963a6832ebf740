//! `dmtool demo`: the whole SCOMO scenario over HTTP on loopback, in XML and in WBXML.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

fn demo(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .arg("demo")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        eprintln!("{text}\n{}", String::from_utf8_lossy(&out.stderr));
    }
    (out.status.success(), text)
}

fn check_scenario(text: &str, encoding: &str) {
    // Every message on the wire is in the chosen encoding.
    let exchanged: Vec<&str> = text.lines().filter(|l| l.contains(" B ")).collect();
    assert!(exchanged.len() > 20, "{text}");
    assert!(
        exchanged
            .iter()
            .all(|l| l.contains(&format!(" B {encoding}:"))),
        "{text}"
    );
    for expected in [
        "authenticated (syncml:auth-md5)",
        "step 1: inventory query => deployed [] -- as expected",
        "DownloadInstall App1 from http://127.0.0.1:",
        "accepted (202), waiting for its alert",
        "alert 1226 from IMEI:004999010640000: App1 DownloadInstall = 1200",
        "Deactivate App1 => result 1200 (Successful) -- as expected",
        "Activate App1 => result 1200 (Successful) -- as expected",
        "Replace (large object chunk)",
        "+ Install => result 1200 (Successful) -- as expected",
        "[other-authority] step 1: Deactivate App1 => status 425 -- as expected",
        "=> result 1407 (Failed Package Validation) -- as expected",
        "RemoveDeployed App1 => result 1200 (Successful) -- as expected",
        "inventory query => deployed [App2] -- as expected",
        "[demo] device components: App2 2.1 (active) (0 alerts unacknowledged)",
        "[demo] 9/9 steps as expected, 0 not run, authentication ok",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("UNEXPECTED"), "{text}");
    assert!(text.trim_end().ends_with("[demo] OK"), "{text}");
}

#[test]
fn demo_runs_the_scenario_in_xml() {
    let (ok, text) = demo(&[]);
    assert!(ok);
    check_scenario(&text, "XML");
    // Without --verbose no message is printed.
    assert!(!text.contains("<SyncML"));
}

#[test]
fn demo_runs_the_scenario_in_wbxml_and_prints_messages_when_verbose() {
    let (ok, text) = demo(&["--wbxml", "--verbose"]);
    assert!(ok);
    check_scenario(&text, "WBXML");
    // Each WBXML message the server receives or sends is shown decoded as XML.
    let shown = text.lines().filter(|l| l.contains("<SyncML")).count();
    let exchanged = text
        .lines()
        .filter(|l| l.contains(" B WBXML:") && !l.starts_with("[device]"))
        .count();
    assert_eq!(shown, exchanged, "{text}");
}

#[test]
fn demo_rejects_unknown_flags_as_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .args(["demo", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
