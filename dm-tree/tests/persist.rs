//! Persistence: serde round trip of the whole tree and its queued alerts, atomic save, and a
//! crash between the write of the temporary file and the rename.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

use dm_tree::persist::{self, temp_path};
use dm_tree::{Format, GenericAlert, Op, Status, Tree, UriLimits, Value};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dm-tree-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("tree.json")
}

fn sample() -> Tree {
    let mut t = Tree::new();
    t.set_now(Some("20240101T000000Z"));
    t.set_limits(UriLimits {
        max_depth: 10,
        max_tot_len: 200,
        max_seg_len: 30,
    });
    for op in [
        Op::add("./A").with_format(Format::Node),
        Op::add("./A/B").with_text("v").with_mime("text/plain"),
        Op::add("./A/N").with_format(Format::Int).with_text("-5"),
        Op::add("./A/Bin")
            .with_format(Format::Bin)
            .with_data(&[9, 8]),
        Op::replace("./A?prop=ACL").with_text("Get=S&Replace=S"),
        Op::replace("./A/B?prop=Title").with_text("Bee"),
    ] {
        assert_eq!(t.execute_local(&op).status, Status::OK, "{op:?}");
    }
    t
}

#[test]
fn serde_round_trip_keeps_everything() {
    let t = sample();
    let json = serde_json::to_string(&t).unwrap();
    let back: Tree = serde_json::from_str(&json).unwrap();
    assert_eq!(back.len(), t.len());
    assert_eq!(back.limits(), t.limits());
    let b = back.node("./A/B").unwrap();
    assert_eq!(b.value(), &Value::Text("v".into()));
    assert_eq!((b.title(), b.mime()), (Some("Bee"), Some("text/plain")));
    assert_eq!(b.tstamp(), Some("20240101T000000Z"));
    assert_eq!(back.node("./A/N").unwrap().value(), &Value::Int(-5));
    assert_eq!(back.node("./A").unwrap().acl().as_str(), "Get=S&Replace=S");
    assert_eq!(back.node(".").unwrap().acl().as_str(), "Add=*&Get=*");
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn queued_alerts_survive_a_save_and_load() {
    let path = scratch("alerts");
    let mut t = sample();
    let alert = GenericAlert {
        source: Some("./SCOMO/Download/Pkg1/Operations/Download".into()),
        target: None,
        alert_type: "urn:oma:at:scomo:1.0:OperationComplete".into(),
        format: "xml".into(),
        mark: Some("warning".into()),
        data: "<ResultCode>1200</ResultCode>".into(),
        correlator: Some("abc".into()),
    };
    t.push_alert(alert.clone());
    t.push_alert(GenericAlert {
        correlator: None,
        ..alert.clone()
    });
    persist::save(&t, &path).unwrap();
    let mut back = persist::load(&path).unwrap();
    assert_eq!(back.alerts(), t.alerts());
    let drained: Vec<GenericAlert> = back.alerts_mut().drain().collect();
    assert_eq!(drained.len(), 2);
    assert_eq!(drained[0], alert);
    assert_eq!(drained[1].correlator, None);
    // Once drained, the file is written as before alerts were saved.
    assert!(!serde_json::to_string(&back).unwrap().contains("alerts"));
}

#[test]
fn corrupt_files_are_refused() {
    let cases = [
        r#"{"version":1,"nodes":[]}"#,
        r#"{"version":2,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"}]}"#,
        // child listed before its parent
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"},{"parent":2,"name":"x","format":"Chr"}]}"#,
        // parent is a leaf
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"},{"parent":0,"name":"x","format":"Chr"},{"parent":1,"name":"y","format":"Chr"}]}"#,
        // duplicate names, bad name, bad ACL
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"},{"parent":0,"name":"x","format":"Chr"},{"parent":0,"name":"x","format":"Chr"}]}"#,
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"},{"parent":0,"name":"a/b","format":"Chr"}]}"#,
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*&Foo=x"}]}"#,
        // an alert without its required fields
        r#"{"version":1,"nodes":[{"parent":null,"name":".","format":"Node","acl":"Add=*"}],"alerts":[{"data":"x"}]}"#,
    ];
    for json in cases {
        assert!(serde_json::from_str::<Tree>(json).is_err(), "{json}");
    }
}

#[test]
fn save_and_load() {
    let path = scratch("save");
    let t = sample();
    persist::save(&t, &path).unwrap();
    assert!(!temp_path(&path).exists());
    let back = persist::load(&path).unwrap();
    assert_eq!(back.len(), t.len());
}

#[test]
fn crash_between_write_and_rename_keeps_the_old_tree() {
    let path = scratch("crash");
    let old = sample();
    persist::save(&old, &path).unwrap();

    let mut new = sample();
    assert_eq!(new.execute_local(&Op::delete("./A")).status, Status::OK);
    // the device stops after the temporary file is written and synced, before the rename
    let staged = persist::stage(&new, &path).unwrap();
    std::mem::forget(staged);
    assert!(temp_path(&path).exists());

    let loaded = persist::load(&path).unwrap();
    assert_eq!(loaded.len(), old.len());
    assert!(loaded.node("./A/B").is_some());

    // a torn temporary file (crash mid-write) does not matter either
    std::fs::write(temp_path(&path), b"{\"version\":1,\"nod").unwrap();
    assert!(persist::load(&path).unwrap().node("./A/B").is_some());

    // the next save replaces the leftover and lands
    persist::save(&new, &path).unwrap();
    let loaded = persist::load(&path).unwrap();
    assert!(loaded.node("./A").is_none());
    assert!(!temp_path(&path).exists());
}

/// A snapshot written by the code that kept ACLs as bare text (before the pre-parsed
/// form): it still loads, its ACLs read back and check the same, and it saves unchanged.
#[test]
fn snapshot_from_text_acl_era_loads() {
    use dm_tree::AclCommand::{Add, Delete, Exec, Get, Replace};
    let json = include_str!("data/snapshot-acl-v1.json");
    let t: Tree = serde_json::from_str(json).unwrap();
    let acl = |uri: &str| t.node(uri).unwrap().acl().as_str().to_owned();
    assert_eq!(acl("."), "Add=*&Get=*&Replace=S");
    assert_eq!(acl("./A"), "Exec=*&Get=S+S2&Replace=S2");
    assert_eq!(acl("./A/B"), "Add=S+T&Delete=*");
    assert_eq!(acl("./C"), "");
    assert_eq!(acl("./C/D"), "Get=Srv2+xSrv&Replace=Srv");
    let id = |uri: &str| {
        t.lookup(dm_tree::Uri::parse(uri, &UriLimits::UNLIMITED).unwrap())
            .unwrap()
    };
    assert!(t.allows("S", Replace, id("./C")));
    assert!(!t.allows("S2", Replace, id("./C")));
    assert!(t.allows("anyone", Exec, id("./A")));
    assert!(t.allows("S2", Get, id("./A")));
    assert!(!t.allows("S", Replace, id("./A")));
    assert!(t.allows("T", Add, id("./A/B")));
    assert!(t.allows("x", Delete, id("./A/B")));
    assert!(!t.allows("S", Get, id("./A/B")));
    assert!(!t.allows("Srv", Get, id("./C/D")));
    assert!(t.allows("xSrv", Get, id("./C/D")));
    assert_eq!(serde_json::to_string_pretty(&t).unwrap(), json.trim_end());
}
