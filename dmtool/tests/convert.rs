//! `dmtool convert` and `dmtool bench` as a user runs them: files, stdin, exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

/// `dmtool args` with all three standard streams piped.
fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn dmtool(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = spawn(args);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or_default())
        .unwrap();
    child.wait_with_output().unwrap()
}

const SAMPLE_XML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/server-package.xml");
const SAMPLE_WBXML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/server-package.wbxml");

#[test]
fn the_sample_converts_both_ways_and_the_committed_wbxml_is_current() {
    let out = dmtool(&["convert", SAMPLE_XML], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        std::fs::read(SAMPLE_WBXML).unwrap(),
        "regenerate samples/server-package.wbxml"
    );
    let back = dmtool(&["convert", SAMPLE_WBXML], None);
    assert!(back.status.success());
    let xml = String::from_utf8(back.stdout).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE SyncML PUBLIC"));
    assert!(xml
        .contains("\n<SyncML xmlns=\"SYNCML:SYNCML1.2\">\n  <SyncHdr>\n    <VerDTD>1.2</VerDTD>"));
    assert!(xml.contains("<MaxMsgSize xmlns=\"syncml:metinf\">16384</MaxMsgSize>"));
    let compact = dmtool(&["convert", "--compact", SAMPLE_WBXML], None);
    assert_eq!(
        String::from_utf8(compact.stdout).unwrap().lines().count(),
        1
    );
}

#[test]
fn stdin_output_file_versions_and_string_table() {
    let xml = std::fs::read(SAMPLE_XML).unwrap();
    let out = dmtool(&["convert", "--wbxml-version", "1.0", "-"], Some(&xml));
    assert!(out.status.success());
    assert_eq!(
        &out.stdout[..4],
        [0x00, 0xA4, 0x01, 0x00],
        "1.0: no charset byte"
    );
    let path = std::env::temp_dir().join(format!("dmtool-convert-{}.wbxml", std::process::id()));
    let out = dmtool(
        &[
            "convert",
            "--string-table",
            "-o",
            path.to_str().unwrap(),
            SAMPLE_XML,
        ],
        None,
    );
    assert!(out.status.success() && out.stdout.is_empty());
    let with_table = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(with_table[4] > 0, "a string table was written");
    let back = dmtool(&["convert", "--to", "xml", "-"], Some(&with_table));
    assert!(String::from_utf8(back.stdout)
        .unwrap()
        .contains("./SCOMO/Download/Maps/PkgID"));
}

#[test]
fn invalid_input_exits_1_with_the_offset() {
    let out = dmtool(
        &["convert", "-"],
        Some(&[0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x30]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: unknown tag 0x30 on code page 0 at byte 6\n"
    );
    let out = dmtool(&["convert", "-"], Some(b"<SyncML><Nope/></SyncML>"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: unknown element <Nope> at byte 8\n"
    );
    let out = dmtool(&["convert", "/nonexistent/file.xml"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("error: /nonexistent/file.xml: "));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(dmtool(&["convert"], None).status.code(), Some(2));
    assert_eq!(
        dmtool(&["convert", "--wbxml-version", "2.0", SAMPLE_XML], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        dmtool(
            &["convert", "--to", "xml", "--string-table", SAMPLE_WBXML],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(dmtool(&["frobnicate"], None).status.code(), Some(2));
    let help = dmtool(&["convert", "--help"], None);
    assert!(
        help.status.success()
            && String::from_utf8(help.stdout)
                .unwrap()
                .contains("--string-table")
    );
}

#[test]
fn bench_prints_a_rate_last() {
    for (mode, file) in [("wbxml2xml", SAMPLE_WBXML), ("xml2wbxml", SAMPLE_XML)] {
        // One round of exactly the count asked, and (the default) rounds for a second.
        for (min_time, least_seconds) in [("0", 0.0), ("1", 1.0)] {
            let args = ["bench", "--mode", mode, "--iterations", "50"];
            let out = dmtool(&[&args[..], &["--min-time", min_time, file]].concat(), None);
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.lines();
            let (summary, last) = (lines.next().unwrap(), lines.next().unwrap());
            let rate: f64 = last.strip_suffix(" MB/s").unwrap().parse().unwrap();
            assert!(rate > 0.0, "{last}");
            // `Wbxml2xml <len> bytes x <conversions> (<rounds> x 50) in <seconds> s`
            let words: Vec<&str> = summary.split(' ').collect();
            let conversions: u64 = words[4].parse().unwrap();
            let rounds: u64 = words[5].trim_start_matches('(').parse().unwrap();
            let seconds: f64 = words[9].parse().unwrap();
            assert_eq!(conversions, rounds * 50, "{summary}");
            assert!(seconds >= least_seconds, "{summary}");
            if min_time == "0" {
                assert_eq!(rounds, 1, "{summary}");
            }
        }
    }
    let bad = dmtool(
        &[
            "bench",
            "--mode",
            "xml2wbxml",
            "--min-time",
            "-1",
            SAMPLE_XML,
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // The output pipe is closed before the input is written, so the conversion (which reads
    // all of stdin first) always writes into a pipe nobody reads, as under `| head`.
    let xml = std::fs::read(SAMPLE_XML).unwrap();
    for args in [
        &["convert", "-"][..],
        &[
            "bench",
            "--mode",
            "xml2wbxml",
            "--iterations",
            "1",
            "--min-time",
            "0",
            "-",
        ][..],
    ] {
        let mut child = spawn(args);
        drop(child.stdout.take());
        child.stdin.take().unwrap().write_all(&xml).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{args:?}");
    }
}
