//! Generates the SCOMO types from the SCOMO 1.0 DDF shipped by `ddf` (thin front end of
//! `ddf::codegen`): `scomo10.rs` from the standard DDF, and `scomo_ext.rs` plus
//! `scomo_ext.xml` from the same DDF with this crate's documented extension nodes grafted
//! under the `Ext` nodes.

use std::borrow::Cow;
use std::error::Error;
use std::path::PathBuf;

use ddf::spec::{AccessType, Format, Occurrence, Scope};
use ddf::{DfProperties, MgmtTree, MimeList, NodeData, NodeId, TypeInfo};

fn props(
    access: AccessType,
    format: Format,
    occ: Occurrence,
    desc: &'static str,
) -> DfProperties<'static> {
    DfProperties {
        access,
        default_value: None,
        description: Some(Cow::Borrowed(desc)),
        format,
        occurrence: Some(occ),
        scope: Some(Scope::Dynamic),
        title: None,
        df_type: if format == Format::Node {
            TypeInfo::DdfName(Cow::Borrowed(""))
        } else {
            TypeInfo::Mime(MimeList::new("text/plain"))
        },
        case_sense: None,
    }
}

/// An extension node: its content and its children, grafted into the SCOMO tree by [`merge`].
struct Node {
    data: NodeData<'static>,
    children: Vec<Self>,
}

impl Node {
    fn new(name: &'static str) -> Self {
        Self {
            data: NodeData::new(name),
            children: Vec::new(),
        }
    }

    fn is_placeholder(&self) -> bool {
        self.data.name.is_empty() || self.data.name == "*"
    }
}

fn leaf(name: &'static str, access: AccessType, format: Format, desc: &'static str) -> Node {
    let mut n = Node::new(name);
    n.data.df = Some(props(access, format, Occurrence::ZeroOrOne, desc));
    n
}

fn interior(
    name: &'static str,
    access: AccessType,
    desc: &'static str,
    children: Vec<Node>,
) -> Node {
    let mut n = Node::new(name);
    n.data.df = Some(props(access, Format::Node, Occurrence::ZeroOrOne, desc));
    n.children = children;
    n
}

/// The integrity leaves a server may set on a package (`Download/<X>/Ext`, `Delivered/<X>/Ext`).
fn integrity_leaves() -> Vec<Node> {
    let rw = AccessType::ADD | AccessType::GET | AccessType::REPLACE;
    vec![
        leaf("Digest", rw, Format::Chr, "omadm-rs extension: expected SHA-256 of the package bytes, 64 hex digits."),
        leaf("Signature", rw, Format::Chr, "omadm-rs extension: ed25519 signature of the package bytes, 128 hex digits, checked against the device's trust anchors."),
        leaf("Owner", AccessType::GET, Format::Chr, "omadm-rs extension: server id of the Management Authority that owns the package."),
    ]
}

/// Grafts `ext` below `base`: nodes with the same name (placeholders match placeholders)
/// get the union of both access types and the extension's description; others are added.
fn merge(tree: &mut MgmtTree<'static>, base: NodeId, ext: Node) -> Result<(), Box<dyn Error>> {
    let mut node = tree.get_mut(base).ok_or("no such node")?;
    let is_ext = node.as_node().is_some_and(|n| n.name() == "Ext");
    if let (Some(b), Some(e)) = (node.df_mut(), ext.data.df.as_ref()) {
        b.access = b.access | e.access;
        if is_ext {
            b.description.clone_from(&e.description);
        }
    }
    for child in ext.children {
        let found = tree.get(base).and_then(|b| {
            b.children()
                .find(|c| {
                    c.name() == child.data.name || (c.is_placeholder() && child.is_placeholder())
                })
                .map(|c| c.id())
        });
        match found {
            Some(b) => merge(tree, b, child)?,
            None => add(tree, base, child)?,
        }
    }
    Ok(())
}

/// Adds an extension node and its subtree under `parent`.
fn add(tree: &mut MgmtTree<'static>, parent: NodeId, node: Node) -> Result<(), Box<dyn Error>> {
    let id = tree
        .push_child(parent, node.data)
        .ok_or("cannot add a node")?;
    for child in node.children {
        add(tree, id, child)?;
    }
    Ok(())
}

fn path_node(name: &'static str, children: Vec<Node>) -> Node {
    let mut n = Node::new(name);
    n.children = children;
    n
}

/// Leaves a server must be able to create when it creates `Download/<X>` or (direct
/// delivery) `Inventory/Delivered/<X>`: the shipped DDF grants only Get/Replace on them,
/// which would leave a new item without its PkgURL or Name; this crate adds `Add`.
fn server_set(names: &[&'static str]) -> Vec<Node> {
    names
        .iter()
        .map(|n| leaf(n, AccessType::ADD, Format::Chr, ""))
        .collect()
}

fn extension() -> Node {
    let ext_rw = AccessType::ADD | AccessType::DELETE | AccessType::GET | AccessType::REPLACE;
    let mut dl_leaves = server_set(&[
        "PkgID",
        "Name",
        "PkgURL",
        "InstallParams",
        "Description",
        "EnvType",
        "PkgType",
    ]);
    let mut del_leaves = server_set(&[
        "PkgID",
        "Name",
        "InstallParams",
        "Description",
        "EnvType",
        "PkgType",
    ]);
    let mut download = path_node(
        "Download",
        vec![path_node(
            "*",
            vec![interior(
        "Ext",
        ext_rw,
        "Vendor extension. omadm-rs: Digest, Signature (expected package integrity), Owner.",
        integrity_leaves(),
    )],
        )],
    );
    let mut delivered = path_node(
        "Delivered",
        vec![path_node(
            "*",
            vec![interior(
        "Ext",
        ext_rw,
        "Vendor extension. omadm-rs: Digest, Signature (expected package integrity), Owner.",
        integrity_leaves(),
    )],
        )],
    );
    if let Some(x) = download.children.first_mut() {
        x.children.append(&mut dl_leaves);
    }
    if let Some(x) = delivered.children.first_mut() {
        x.children.append(&mut del_leaves);
    }
    let deployed = path_node("Deployed", vec![path_node("*", vec![interior(
        "Ext",
        AccessType::GET,
        "Vendor extension. omadm-rs: Owner, RunState and the relayed Start/Stop operations.",
        vec![
            leaf("Owner", AccessType::GET, Format::Chr, "omadm-rs extension: server id of the Management Authority that installed the component."),
            leaf("RunState", AccessType::GET, Format::Chr, "omadm-rs extension: Running or Stopped, after relayed Start/Stop commands."),
            interior("Operations", AccessType::GET, "omadm-rs extension: relayed software management commands.", vec![
                leaf("Start", AccessType::EXEC, Format::Null, "omadm-rs extension: relay a start command to the component (reported by the OperationComplete alert)."),
                leaf("Stop", AccessType::EXEC, Format::Null, "omadm-rs extension: relay a stop command to the component (reported by the OperationComplete alert)."),
            ]),
        ],
    )])]);
    let root_ext = interior(
        "Ext",
        AccessType::GET,
        "Vendor extensions. omadm-rs: Build (software build identity of the device).",
        vec![leaf(
            "Build",
            AccessType::GET,
            Format::Chr,
            "omadm-rs extension: the device's baseline software build (as in ./DevDetail/SwV).",
        )],
    );
    path_node(
        "SCOMO",
        vec![
            download,
            path_node("Inventory", vec![delivered, deployed]),
            root_ext,
        ],
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let parsed = ddf::parse_xml(ddf::builtin::SCOMO)?;
    let opts = ddf::CodegenOptions::default();
    std::fs::write(out.join("scomo10.rs"), ddf::generate(&parsed.tree, &opts)?)?;

    let mut tree = parsed.tree.into_owned();
    let root = tree
        .roots()
        .next()
        .ok_or("SCOMO DDF without a root node")?
        .id();
    merge(&mut tree, root, extension())?;
    let xml = ddf::to_xml(&tree, ddf::ListFilter::ALL);
    // The merged document must read back as a valid DDF before code is generated from it.
    let reparsed = ddf::parse_xml(&xml)?;
    std::fs::write(out.join("scomo_ext.xml"), &xml)?;
    std::fs::write(
        out.join("scomo_ext.rs"),
        ddf::generate(&reparsed.tree, &opts)?,
    )?;
    Ok(())
}
