//! Serde for the whole tree: a flat pre-order list of nodes, each naming its parent by
//! index, so reading needs no recursion and cannot build a cycle; then the Generic Alerts
//! still waiting to be sent.

use ddf::spec::Format;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::acl::Acl;
use crate::handler::AlertQueue;
use crate::tree::{name_hash, Child, Extra, Node, Store, Tree, NO_PARENT};
use crate::uri::{check_segment, UriLimits};
use crate::value::Value;

const FLAG_PERMANENT: u8 = 1;
const FLAG_CIS: u8 = 2;
const VERSION: u32 = 1;

#[derive(Serialize)]
struct FileTreeRef<'t> {
    version: u32,
    limits: UriLimits,
    nodes: Vec<FileNodeRef<'t>>,
    #[serde(skip_serializing_if = "AlertQueue::is_empty")]
    alerts: &'t AlertQueue,
}

#[derive(Serialize)]
struct FileNodeRef<'t> {
    parent: Option<u32>,
    name: &'t str,
    format: Format,
    #[serde(skip_serializing_if = "is_false")]
    permanent: bool,
    #[serde(skip_serializing_if = "is_false")]
    case_insensitive: bool,
    #[serde(skip_serializing_if = "is_zero")]
    verno: u16,
    #[serde(skip_serializing_if = "Acl::is_empty")]
    acl: &'t Acl,
    #[serde(skip_serializing_if = "is_empty_value")]
    value: &'t Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'t str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime: Option<&'t str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tstamp: Option<&'t str>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(v: &u16) -> bool {
    *v == 0
}
fn is_empty_value(v: &&Value) -> bool {
    matches!(v, Value::Empty)
}

#[derive(Deserialize)]
struct FileTree {
    version: u32,
    #[serde(default)]
    limits: UriLimits,
    nodes: Vec<FileNode>,
    /// Absent in files written before alerts were saved.
    #[serde(default)]
    alerts: AlertQueue,
}

#[derive(Deserialize)]
struct FileNode {
    parent: Option<u32>,
    name: String,
    format: Format,
    #[serde(default)]
    permanent: bool,
    #[serde(default)]
    case_insensitive: bool,
    #[serde(default)]
    verno: u16,
    #[serde(default)]
    acl: Acl,
    #[serde(default)]
    value: Value,
    title: Option<String>,
    mime: Option<String>,
    tstamp: Option<String>,
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut nodes = Vec::with_capacity(self.len());
        // pre-order, so a parent is always listed before its children
        let mut index_of = vec![NO_PARENT; self.store.slots.len()];
        let mut stack = vec![0u32];
        while let Some(id) = stack.pop() {
            let Some(node) = self.store.get(id) else {
                continue;
            };
            let parent = index_of.get(node.parent as usize).copied();
            if let Some(slot) = index_of.get_mut(id as usize) {
                *slot = u32::try_from(nodes.len()).map_err(serde::ser::Error::custom)?;
            }
            nodes.push(FileNodeRef {
                parent,
                name: &node.name,
                format: node.format,
                permanent: node.flags & FLAG_PERMANENT != 0,
                case_insensitive: node.flags & FLAG_CIS != 0,
                verno: node.verno,
                acl: &node.acl,
                value: &node.value,
                title: node.title(),
                mime: node.mime(),
                tstamp: node.tstamp(),
            });
            stack.extend(node.children.iter().rev().map(|c| c.id));
        }
        FileTreeRef {
            version: VERSION,
            limits: self.limits,
            nodes,
            alerts: self.alerts(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let file = FileTree::deserialize(d)?;
        if file.version != VERSION {
            return Err(D::Error::custom(format!(
                "unsupported tree file version {}",
                file.version
            )));
        }
        let mut slots: Vec<Option<Node>> = Vec::with_capacity(file.nodes.len());
        for (i, n) in file.nodes.into_iter().enumerate() {
            let bad = |what: &str| D::Error::custom(format!("node {i} ({}): {what}", n.name));
            let parent = match (i, n.parent) {
                (0, None) if n.name == "." && n.format == Format::Node && !n.acl.is_empty() => {
                    NO_PARENT
                }
                (0, _) => return Err(bad("the first node must be the root")),
                (_, Some(p)) if (p as usize) < i => p,
                _ => return Err(bad("parent must be listed before the node")),
            };
            if parent != NO_PARENT {
                check_segment(&n.name, 0, &UriLimits::UNLIMITED)
                    .map_err(|e| bad(&e.to_string()))?;
                let p = slots
                    .get(parent as usize)
                    .and_then(Option::as_ref)
                    .ok_or_else(|| bad("missing parent"))?;
                if !p.is_interior() {
                    return Err(bad("parent is a leaf"));
                }
                let hash = name_hash(&n.name);
                let clash = p.children.iter().any(|c| {
                    c.hash == hash
                        && slots
                            .get(c.id as usize)
                            .and_then(Option::as_ref)
                            .is_some_and(|s| *s.name == *n.name)
                });
                if clash {
                    return Err(bad("duplicate name"));
                }
            }
            if n.format == Format::Node && n.value != Value::Empty {
                return Err(bad("interior node with a value"));
            }
            let mut node = Node::new(&n.name, parent, n.format);
            node.flags = (u8::from(n.permanent) * FLAG_PERMANENT)
                | (u8::from(n.case_insensitive) * FLAG_CIS);
            node.verno = n.verno;
            node.acl = n.acl;
            node.value = n.value;
            if n.title.is_some() || n.mime.is_some() || n.tstamp.is_some() {
                node.extra = Some(Box::new(Extra {
                    title: n.title.map(Into::into),
                    mime: n.mime.map(Into::into),
                    tstamp: n.tstamp.map(Into::into),
                    index: None,
                }));
            }
            let id = u32::try_from(i).map_err(|_| bad("too many nodes"))?;
            if let Some(p) = slots.get_mut(parent as usize).and_then(Option::as_mut) {
                p.push_child_unindexed(Child {
                    id,
                    hash: name_hash(&n.name),
                });
            }
            slots.push(Some(node));
        }
        if slots.is_empty() {
            return Err(D::Error::custom("no root node"));
        }
        let mut store = Store {
            slots,
            free: Vec::new(),
        };
        store.build_indexes();
        let mut tree = Self::from_store(store);
        tree.limits = file.limits;
        *tree.alerts_mut() = file.alerts;
        Ok(tree)
    }
}
