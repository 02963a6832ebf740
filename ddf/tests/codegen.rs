//! Golden snapshots of the generated code (UPDATE_GOLDEN=1 rewrites them) and rustfmt checks.

use ddf::{builtin, generate, parse_xml, CodegenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (golden name, DDF or TNDS text); the big one is written by the synthetic generator.
fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("scomo", builtin::SCOMO.to_owned()),
        ("devinfo", builtin::DEV_INFO.to_owned()),
        ("devdetail", builtin::DEV_DETAIL.to_owned()),
        ("dmacc", builtin::DM_ACC.to_owned()),
        ("vendor", include_str!("data/vendor_ddf.xml").to_owned()),
        ("tnds", include_str!("data/tnds_full.xml").to_owned()),
        ("big", ddf::synth::ddf(400)),
    ]
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn generated_code_matches_the_goldens() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, text) in inputs() {
        let tree = parse_xml(&text).unwrap().tree;
        let code = generate(&tree, &CodegenOptions::default()).unwrap();
        let path = golden_dir().join(format!("{name}.rs"));
        if update {
            std::fs::write(&path, &code).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != code {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "goldens differ (run with UPDATE_GOLDEN=1 and review): {stale:?}"
    );
}

#[test]
fn generated_code_is_rustfmt_clean() {
    let available = Command::new("rustfmt")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        println!("skipped: rustfmt not available");
        return;
    }
    let dir = std::env::temp_dir().join(format!("ddf-codegen-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in inputs() {
        let tree = parse_xml(&text).unwrap().tree;
        let code = generate(&tree, &CodegenOptions::default()).unwrap();
        let file = dir.join(format!("{name}.rs"));
        std::fs::write(&file, &code).unwrap();
        let out = Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: rustfmt --check failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn several_top_level_nodes_give_one_module_each() {
    let two = builtin::DEV_INFO.replace("</MgmtTree>", "")
        + &builtin::DEV_DETAIL[builtin::DEV_DETAIL.find("<Node>").unwrap()..];
    let tree = parse_xml(&two).unwrap().tree;
    assert_eq!(tree.roots().count(), 2);
    let code = generate(&tree, &CodegenOptions::default()).unwrap();
    assert!(code.contains("pub mod dev_info {") && code.contains("pub mod dev_detail {"));
    assert!(code.contains("    pub struct DevDetail {"));
}
