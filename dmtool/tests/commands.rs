//! `dmtool decode`, `ddf` and `acl` as a user runs them, on the repository's own files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Output};

fn dmtool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn decode_prints_structure_and_json() {
    let out = dmtool(&["decode", "dmtool/samples/server-package.wbxml"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("Status 212 (Authentication accepted)"),
        "{text}"
    );
    assert!(text.contains("Exec Correlator op-1"), "{text}");
    let json = dmtool(&["decode", "--json", "dmtool/samples/server-package.xml"]);
    assert!(json.status.success());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(value.to_string().contains("./SCOMO/Download/Maps/PkgURL"));
}

#[test]
fn decode_rejects_bad_input_with_exit_1() {
    let path = std::env::temp_dir().join(format!("dmtool-decode-{}.xml", std::process::id()));
    std::fs::write(&path, "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>").unwrap();
    let out = dmtool(&["decode", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: ") && err.contains("at byte"),
        "{err}"
    );
}

#[test]
fn ddf_check_counts_nodes_of_every_shipped_ddf() {
    for file in ["scomo", "devinfo", "devdetail", "dmacc"] {
        let out = dmtool(&["ddf", "check", &format!("ddf/ddfs/{file}.xml")]);
        assert!(out.status.success(), "{file}");
        let last = stdout(&out).lines().last().unwrap().to_owned();
        let n: usize = last.strip_suffix(" nodes").unwrap().parse().unwrap();
        assert!(n > 5, "{file}: {last}");
    }
    let gen = dmtool(&["ddf", "codegen", "ddf/ddfs/devinfo.xml"]);
    assert!(gen.status.success());
    assert!(stdout(&gen).contains("pub static NODE_SPECS"));
}

#[test]
fn acl_check_answers_allow_or_deny_for_the_spec_example() {
    let tree = "dm-tree/tests/data/acl-example.tnds.xml";
    let ask = |server: &str, cmd: &str, uri: &str| {
        let out = dmtool(&[
            "acl",
            "check",
            "--tree",
            tree,
            "--server",
            server,
            "--command",
            cmd,
            uri,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).lines().last().unwrap().to_owned()
    };
    assert_eq!(ask("ServerC", "Get", "./NodeA"), "allow");
    assert_eq!(ask("ServerA", "Get", "./NodeA"), "deny");
    assert_eq!(ask("ServerB", "Get", "./NodeB/Node3/Node5"), "allow");
    assert_eq!(ask("ServerA", "Delete", "./NodeB/Node3"), "deny");
    let bad = dmtool(&[
        "acl",
        "check",
        "--tree",
        tree,
        "--server",
        "S",
        "--command",
        "Get",
        "./Nope/Nothing",
    ]);
    assert_eq!(bad.status.code(), Some(1));
}
