//! A typed inventory view (the generated [`extended::Inventory`]), read from a device's tree
//! or from what a server received: a TNDS document or a list of `Results` items.

use std::collections::BTreeMap;

use dm_tree::{Tree, Value};

use crate::types::extended;

/// Node values keyed by their path from `Inventory` on (`Inventory/Deployed/App1/Version`).
pub type FlatInventory = BTreeMap<String, String>;

/// The part of `path` from its `Inventory` segment on, if it has one.
fn from_inventory(path: &str) -> Option<&str> {
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with("Inventory") {
        return Some(path);
    }
    path.find("/Inventory").and_then(|i| path.get(i + 1..))
}

/// Adds one node (`uri` anywhere at or below some `…/Inventory`) and its value.
pub fn insert(flat: &mut FlatInventory, uri: &str, value: &str) {
    if let Some(rel) = from_inventory(uri) {
        flat.insert(rel.to_owned(), value.to_owned());
    }
}

/// Builds the typed view from flat node values; items are found from their leaves.
pub fn from_flat(flat: &FlatInventory) -> extended::Inventory {
    let mut inv = extended::Inventory::default();
    let get = |base: &str, leaf: &str| flat.get(&format!("{base}/{leaf}")).cloned();
    let int = |base: &str, leaf: &str| {
        flat.get(&format!("{base}/{leaf}"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_default()
    };
    let items = |sub: &str| -> Vec<String> {
        let prefix = format!("Inventory/{sub}/");
        let mut names: Vec<String> = flat
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter_map(|rest| rest.split('/').next())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        names.dedup();
        names
    };
    for x in items("Delivered") {
        let b = format!("Inventory/Delivered/{x}");
        let ext = extended::DeliveredItemExt {
            digest: get(&b, "Ext/Digest"),
            signature: get(&b, "Ext/Signature"),
            owner: get(&b, "Ext/Owner"),
        };
        let has_ext = ext != extended::DeliveredItemExt::default();
        inv.delivered.items.insert(
            x.clone(),
            extended::DeliveredItem {
                pkg_id: get(&b, "PkgID").unwrap_or_default(),
                name: get(&b, "Name").unwrap_or_default(),
                install_params: get(&b, "InstallParams"),
                description: get(&b, "Description"),
                status: int(&b, "Status"),
                state: int(&b, "State"),
                env_type: get(&b, "EnvType"),
                pkg_type: get(&b, "PkgType"),
                ext: has_ext.then_some(ext),
                ..Default::default()
            },
        );
    }
    for x in items("Deployed") {
        let b = format!("Inventory/Deployed/{x}");
        let ext = extended::DeployedItemExt {
            owner: get(&b, "Ext/Owner"),
            run_state: get(&b, "Ext/RunState"),
            operations: None,
        };
        let has_ext = ext != extended::DeployedItemExt::default();
        inv.deployed.items.insert(
            x.clone(),
            extended::DeployedItem {
                id: get(&b, "ID").unwrap_or_default(),
                pkg_id_ref: get(&b, "PkgIDRef"),
                name: get(&b, "Name").unwrap_or_default(),
                description: get(&b, "Description"),
                version: get(&b, "Version").unwrap_or_default(),
                status: int(&b, "Status"),
                state: int(&b, "State"),
                env_type: get(&b, "EnvType"),
                ext: has_ext.then_some(ext),
                ..Default::default()
            },
        );
    }
    inv
}

/// The inventory of the SCOMO object at `root` in a device's tree.
pub fn read_tree(tree: &Tree, root: &str) -> extended::Inventory {
    let mut flat = FlatInventory::new();
    let inv_uri = format!("{}/Inventory", root.trim_end_matches('/'));
    let mut stack = vec![inv_uri];
    while let Some(uri) = stack.pop() {
        let Some(node) = tree.node(&uri) else {
            continue;
        };
        if node.is_interior() {
            stack.extend(tree.children(node.id()).map(|c| format!("{uri}/{c}")));
        } else {
            let text = match node.value() {
                Value::Text(t) => t.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Bool(b) => b.to_string(),
                // package bytes are not part of the inventory view
                Value::Bytes(_) | Value::Empty => continue,
            };
            insert(&mut flat, &uri, &text);
        }
    }
    from_flat(&flat)
}

/// The inventory in a TNDS document (the answer to `Get …/Inventory?list=TNDS+Value`).
pub fn from_tnds(doc: &ddf::MgmtTree<'_>) -> extended::Inventory {
    fn walk(node: ddf::NodeRef<'_, '_>, parent: &str, flat: &mut FlatInventory) {
        let base = node.path().unwrap_or(parent);
        let path = if base.is_empty() {
            node.name().to_owned()
        } else {
            format!("{}/{}", base.trim_end_matches('/'), node.name())
        };
        if let Some(v) = node.value() {
            insert(flat, &path, v);
        }
        for c in node.children() {
            walk(c, &path, flat);
        }
    }
    let mut flat = FlatInventory::new();
    for n in doc.roots() {
        walk(n, "", &mut flat);
    }
    from_flat(&flat)
}
