//! The shipped DDFs parse, validate without warnings and carry the exact spec names.

use ddf::spec::{AccessType, Format, Occurrence, Scope};
use ddf::{builtin, parse_xml, DocKind, TypeInfo};

#[test]
fn scomo_ddf_is_valid_and_uses_exact_names() {
    let parsed = parse_xml(builtin::SCOMO).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let tree = &parsed.tree;
    assert_eq!(tree.kind, DocKind::Ddf);
    let root = tree.find("SCOMO").unwrap();
    let df = root.df().unwrap();
    assert_eq!(
        df.df_type,
        TypeInfo::DdfName("urn:oma:mo:oma-scomo:1.0".into())
    );
    assert_eq!(df.scope(), Scope::Permanent);
    let x = tree
        .find("SCOMO/Download")
        .unwrap()
        .placeholder_child()
        .unwrap();
    assert_eq!(x.df().unwrap().occurrence(), Occurrence::ZeroOrMore);
    let names: Vec<&str> = x.children().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "PkgID",
            "Name",
            "PkgURL",
            "InstallParams",
            "Description",
            "Status",
            "EnvType",
            "PkgType",
            "Operations",
            "Ext"
        ]
    );
    let ops: Vec<&str> = x
        .child("Operations")
        .unwrap()
        .children()
        .map(|c| c.name())
        .collect();
    assert_eq!(
        ops,
        [
            "Download",
            "DownloadInstall",
            "DownloadInstallInactive",
            "Ext"
        ]
    );
    for op in x.child("Operations").unwrap().children().take(3) {
        let df = op.df().unwrap();
        assert_eq!(df.format, Format::Null);
        assert_eq!(df.access, AccessType::EXEC);
    }
    let delivered = tree
        .find("SCOMO/Inventory/Delivered")
        .unwrap()
        .placeholder_child()
        .unwrap();
    let data = delivered.child("Data").unwrap().df().unwrap();
    assert_eq!(data.format, Format::Bin);
    assert!(!data.access.contains(AccessType::GET));
    let deployed = tree
        .find("SCOMO/Inventory/Deployed")
        .unwrap()
        .placeholder_child()
        .unwrap();
    assert!(deployed.child("ID").is_some() && deployed.child("PkgIDRef").is_some());
    assert!(deployed.child("DeployedID").is_none());
    for bad in [
        "URL",
        "PkgName",
        "DownlaodInstallInactive",
        "Deactive",
        "DownloadInstallInactivate",
        "download",
        "inventory",
    ] {
        assert!(
            !builtin::SCOMO.contains(&format!("<NodeName>{bad}</NodeName>")),
            "{bad}"
        );
    }
    assert_eq!(tree.node_count(), builtin::SCOMO.matches("<Node>").count());
}

#[test]
fn standard_mo_ddfs_are_valid() {
    let expect = [
        ("devinfo", "DevInfo", "urn:oma:mo:oma-dm-devinfo:1.0", 8),
        (
            "devdetail",
            "DevDetail",
            "urn:oma:mo:oma-dm-devdetail:1.0",
            13,
        ),
        ("dmacc", "", "urn:oma:mo:oma-dm-dmacc:1.0", 24),
    ];
    for (name, root, moid, count) in expect {
        let text = builtin::ALL.iter().find(|(n, _)| *n == name).unwrap().1;
        let parsed = parse_xml(text).unwrap();
        assert!(parsed.warnings.is_empty(), "{name}: {:?}", parsed.warnings);
        let top = parsed.tree.roots().next().unwrap();
        assert_eq!(top.name(), root);
        let df = top.df().unwrap();
        assert_eq!(df.df_type.values(), [moid], "{name}");
        assert_eq!(parsed.tree.node_count(), count, "{name}");
    }
    let dmacc = parse_xml(builtin::DM_ACC).unwrap().tree;
    let account = dmacc.roots().next().unwrap();
    assert_eq!(account.path(), Some("./DMAcc"));
    assert_eq!(account.df().unwrap().occurrence(), Occurrence::OneOrMore);
    let secret = account
        .child("AppAuth")
        .unwrap()
        .placeholder_child()
        .unwrap()
        .child("AAuthSecret")
        .unwrap();
    assert!(!secret.df().unwrap().access.contains(AccessType::GET));
    let devdetail = parse_xml(builtin::DEV_DETAIL).unwrap().tree;
    assert_eq!(
        devdetail.find("DevDetail/LrgObj").unwrap().format(),
        Some(Format::Bool)
    );
    assert_eq!(
        devdetail.find("DevDetail/URI/MaxSegLen").unwrap().format(),
        Some(Format::Chr)
    );
}
