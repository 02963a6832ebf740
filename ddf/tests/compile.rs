//! The golden generated files compile (as modules of this test crate) and describe the DDFs
//! they came from. The modules are `pub`, so the workspace lints (missing_docs, dead_code,
//! unreachable_pub, ...) judge the generated code as they would in a library.

/// Generated from the `big` input of `tests/codegen.rs`.
#[path = "golden/big.rs"]
pub mod big;
/// Generated from the `devdetail` input of `tests/codegen.rs`.
#[path = "golden/devdetail.rs"]
pub mod devdetail;
/// Generated from the `devinfo` input of `tests/codegen.rs`.
#[path = "golden/devinfo.rs"]
pub mod devinfo;
/// Generated from the `dmacc` input of `tests/codegen.rs`.
#[path = "golden/dmacc.rs"]
pub mod dmacc;
/// Generated from the `scomo` input of `tests/codegen.rs`.
#[path = "golden/scomo.rs"]
pub mod scomo;
/// Generated from the `tnds` input of `tests/codegen.rs`.
#[path = "golden/tnds.rs"]
pub mod tnds;
/// Generated from the `vendor` input of `tests/codegen.rs`.
#[path = "golden/vendor.rs"]
pub mod vendor;

use ddf::spec::{AccessType, Format, NodeSpec, Occurrence, Scope};
use ddf::{builtin, parse_xml, MgmtTree};
use std::collections::BTreeMap;

/// Every node of the tree has a spec with the same path, format and access, in order.
#[allow(clippy::unwrap_used, clippy::indexing_slicing)] // test helper
fn check_specs(tree: &MgmtTree<'_>, specs: &[NodeSpec]) {
    fn walk(node: ddf::NodeRef<'_, '_>, path: String, out: &mut Vec<(String, Format)>) {
        out.push((path.clone(), node.format().unwrap()));
        for child in node.children() {
            let seg = if child.is_placeholder() {
                "*"
            } else {
                child.name()
            };
            let p = if path.is_empty() {
                seg.to_owned()
            } else {
                format!("{path}/{seg}")
            };
            walk(child, p, out);
        }
    }
    let mut expected = Vec::new();
    walk(tree.roots().next().unwrap(), String::new(), &mut expected);
    assert_eq!(expected.len(), specs.len());
    for ((path, format), spec) in expected.iter().zip(specs) {
        assert_eq!(&spec.path, path);
        assert_eq!(spec.format, *format, "{path}");
    }
}

#[test]
fn scomo_types_and_specs() {
    let tree = parse_xml(builtin::SCOMO).unwrap().tree;
    check_specs(&tree, scomo::NODE_SPECS);
    assert_eq!(scomo::MO_ID, "urn:oma:mo:oma-scomo:1.0");
    assert_eq!(scomo::paths::DOWNLOAD_X_PKG_URL, "Download/*/PkgURL");
    let install = scomo::spec(scomo::paths::INVENTORY_DELIVERED_X_OPERATIONS_INSTALL).unwrap();
    assert_eq!(install.format, Format::Null);
    assert_eq!(install.access, AccessType::EXEC);
    assert!(scomo::spec("Download/*").unwrap().is_placeholder());
    assert_eq!(
        scomo::spec("Download/*").unwrap().occurrence,
        Occurrence::ZeroOrMore
    );
    assert!(scomo::spec("Download/*/URL").is_none());

    let mut mo = scomo::Scomo::default();
    let package = scomo::DownloadItem {
        pkg_id: "pkg-1".to_owned(),
        name: "App".to_owned(),
        pkg_url: "http://example.com/app.dd".to_owned(),
        status: 10,
        operations: scomo::DownloadItemOperations {
            download_install: Some(()),
            ..Default::default()
        },
        ..Default::default()
    };
    mo.download.items.insert("p1".to_owned(), package);
    let delivered = scomo::DeliveredItem {
        data: Some(vec![1, 2, 3]),
        state: 10,
        ..Default::default()
    };
    mo.inventory
        .delivered
        .items
        .insert("d1".to_owned(), delivered);
    let deployed = scomo::DeployedItem {
        id: "com.example.app".to_owned(),
        pkg_id_ref: Some("pkg-1".to_owned()),
        version: "1.0".to_owned(),
        state: 20,
        ..Default::default()
    };
    mo.inventory
        .deployed
        .items
        .insert("c1".to_owned(), deployed);
    mo.ext = Some(scomo::ScomoExt {});
    assert_eq!(
        mo.download.items["p1"].operations.download_install,
        Some(())
    );
    assert_eq!(mo.inventory.deployed.items["c1"].state, 20);
    assert_eq!(mo.clone(), mo);
}

#[test]
fn standard_mo_types_and_specs() {
    check_specs(
        &parse_xml(builtin::DEV_INFO).unwrap().tree,
        devinfo::NODE_SPECS,
    );
    check_specs(
        &parse_xml(builtin::DEV_DETAIL).unwrap().tree,
        devdetail::NODE_SPECS,
    );
    check_specs(&parse_xml(builtin::DM_ACC).unwrap().tree, dmacc::NODE_SPECS);

    let info = devinfo::DevInfo {
        dev_id: "IMEI:493005100592800".to_owned(),
        lang: "en".to_owned(),
        ..Default::default()
    };
    assert!(info.bearer.is_none());
    assert_eq!(devinfo::MO_ID, "urn:oma:mo:oma-dm-devinfo:1.0");

    let detail = devdetail::DevDetail {
        uri: devdetail::Uri {
            max_depth: "0".to_owned(),
            ..Default::default()
        },
        lrg_obj: true,
        ..Default::default()
    };
    assert!(detail.lrg_obj);
    assert_eq!(
        devdetail::spec(devdetail::paths::LRG_OBJ).unwrap().format,
        Format::Bool
    );

    let mut addr = BTreeMap::new();
    addr.insert(
        "1".to_owned(),
        dmacc::AppAddrItem {
            addr: "https://dm.example.com".to_owned(),
            addr_type: "URI".to_owned(),
            port: None,
        },
    );
    let account = dmacc::DmAcc {
        app_id: "w7".to_owned(),
        server_id: "srv".to_owned(),
        app_addr: dmacc::AppAddr { items: addr },
        ..Default::default()
    };
    assert_eq!(account.app_addr.items.len(), 1);
    assert_eq!(dmacc::NODE_SPECS[0].scope, Scope::Dynamic);
    let secret = dmacc::spec("AppAuth/*/AAuthSecret").unwrap();
    assert!(!secret.access.contains(AccessType::GET));
}

#[test]
fn vendor_tnds_and_big_types_and_specs() {
    check_specs(
        &parse_xml(include_str!("data/vendor_ddf.xml")).unwrap().tree,
        vendor::NODE_SPECS,
    );
    let label = vendor::spec("*/Label").unwrap();
    assert_eq!(label.mime, ["text/plain", "text/x-label"]);
    assert_eq!(label.default_value, Some("none"));
    assert_eq!(
        vendor::spec("*").unwrap().occurrence,
        Occurrence::ZeroOrN(16)
    );
    let mut v = vendor::Vendor::default();
    v.items.insert(
        "a".to_owned(),
        vendor::VendorItem {
            label: Some("x".to_owned()),
        },
    );
    assert_eq!(v.items.len(), 1);

    check_specs(
        &parse_xml(include_str!("data/tnds_full.xml")).unwrap().tree,
        tnds::NODE_SPECS,
    );
    let account = tnds::Acct1 {
        server_id: "srv1".to_owned(),
        note: "<a/>".to_owned(),
        a_auth_data: vec![0; 4],
        empty: (),
    };
    assert_eq!(account.a_auth_data.len(), 4);
    assert_eq!(tnds::spec("AAuthData").unwrap().format, Format::B64);

    let big_ddf = ddf::synth::ddf(400);
    let big_tree = parse_xml(&big_ddf).unwrap().tree;
    check_specs(&big_tree, big::NODE_SPECS);
    assert_eq!(big::NODE_SPECS.len(), 400);
    let group = big::Group0 {
        leaf0: "x".to_owned(),
        leaf1: Some(1),
        leaf2: Some(true),
        ..Default::default()
    };
    assert_eq!(group.leaf1, Some(1));
}
