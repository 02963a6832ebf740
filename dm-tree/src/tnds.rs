//! TNDS import and export (omadm.md §5): between the tree and `ddf`'s borrowed model, and a
//! byte writer for `?list=TNDS`.

use std::borrow::Cow;

use ddf::spec::Format;
use ddf::{
    DocKind, MgmtTree, MimeList, NodeData, NodeId as DdfId, NodeRef, RtProperties, TypeInfo,
};

use crate::acl::{Acl, AclCommand};
use crate::op::Op;
use crate::status::Status;
use crate::tree::{NodeId, SpecLookup, Tree, NO_PARENT};
use crate::uri::{check_segment, PropFilter, Property, Uri, UriLimits};
use crate::value::Value;
use ddf::spec::AccessType;

/// A failed TNDS import: the status to answer and, when known, the node that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("TNDS import failed with status {status} at {}", uri.as_deref().unwrap_or("?"))]
pub struct ImportError {
    /// The status code.
    pub status: Status,
    /// The URI of the node that failed, if known.
    pub uri: Option<String>,
}

impl ImportError {
    fn at(status: Status, uri: &str) -> Self {
        Self {
            status,
            uri: Some(uri.to_owned()),
        }
    }
}

impl From<Status> for ImportError {
    fn from(status: Status) -> Self {
        Self { status, uri: None }
    }
}

// ------------------------------------------------------------------ export: XML writer

fn escape(out: &mut Vec<u8>, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            _ => continue,
        };
        out.extend_from_slice(text.as_bytes().get(last..i).unwrap_or_default());
        out.extend_from_slice(rep);
        last = i + 1;
    }
    out.extend_from_slice(text.as_bytes().get(last..).unwrap_or_default());
}

fn element(out: &mut Vec<u8>, name: &str, text: &str) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
    escape(out, text);
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(data: &[u8], out: &mut Vec<u8>) {
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                let idx = ((n >> (18 - 6 * k)) & 63) as usize;
                out.push(B64.get(idx).copied().unwrap_or(b'A'));
            } else {
                out.push(b'=');
            }
        }
    }
}

fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Writes the subtree at `id` as a TNDS document, leaving out nodes `server` may not Get.
pub(crate) fn write_subtree(
    tree: &mut Tree,
    server: Option<&str>,
    id: NodeId,
    filter: PropFilter,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(b"<MgmtTree xmlns=\"syncml:dmddf1.2\"><VerDTD>1.2</VerDTD>");
    let tops: Vec<u32> = if id.0 == 0 {
        tree.store
            .get(0)
            .map(|n| n.children.iter().map(|c| c.id).collect())
            .unwrap_or_default()
    } else {
        vec![id.0]
    };
    for top in tops {
        let Some(uri) = tree.uri_of(NodeId(top)) else {
            continue;
        };
        let parent = Uri::from_valid_path(uri.strip_prefix("./").unwrap_or(""))
            .parent()
            .map(|p| p.to_string())
            .unwrap_or_else(|| ".".to_owned());
        let visible = tree.visible_subtree(server, top);
        if visible.first() != Some(&top) || (top != id.0 && !allows_get(tree, server, top)) {
            continue;
        }
        write_node(tree, &visible, &uri, Some(&parent), filter, out);
    }
    out.extend_from_slice(b"</MgmtTree>");
}

fn allows_get(tree: &Tree, server: Option<&str>, id: u32) -> bool {
    server.is_none_or(|s| tree.allows(s, AclCommand::Get, NodeId(id)))
}

fn number(out: &mut Vec<u8>, n: impl std::fmt::Display) {
    use std::io::Write as _;
    // writing into a Vec cannot fail
    let _ = write!(out, "{n}");
}

fn element_number(out: &mut Vec<u8>, name: &str, n: impl std::fmt::Display) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
    number(out, n);
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Empty => {}
        Value::Text(t) => escape(out, t),
        Value::Int(i) => number(out, i),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Bytes(b) => b64_encode(b, out),
    }
}

/// Writes the nodes of `visible` (a pre-order list of one subtree, `path` given to its
/// first node), closing elements as the walk climbs back up.
fn write_node(
    tree: &mut Tree,
    visible: &[u32],
    root_uri: &str,
    path: Option<&str>,
    filter: PropFilter,
    out: &mut Vec<u8>,
) {
    let live = tree.has_mounts();
    let mut open: Vec<u32> = Vec::new();
    // the current node's URI, kept only when handlers may serve live values
    let mut uri_buf = String::from(root_uri);
    let mut uri_lens: Vec<usize> = Vec::new();
    for (k, &cur) in visible.iter().enumerate() {
        let Some(parent) = tree.store.get(cur).map(|n| n.parent) else {
            continue;
        };
        while let Some(&top) = open.last() {
            if top == parent {
                break;
            }
            open.pop();
            if let Some(len) = uri_lens.pop() {
                uri_buf.truncate(len);
            }
            out.extend_from_slice(b"</Node>");
        }
        uri_lens.push(uri_buf.len());
        let mut live_value = None;
        if live {
            if k > 0 {
                if let Some(node) = tree.store.get(cur) {
                    uri_buf.push('/');
                    uri_buf.push_str(&node.name);
                }
            }
            let leaf = tree.store.get(cur).is_some_and(|n| !n.is_interior());
            if leaf {
                let uri = Uri::from_valid_path(uri_buf.strip_prefix("./").unwrap_or(""));
                live_value = tree.live_value(uri);
            }
        }
        let Some(node) = tree.store.get(cur) else {
            continue;
        };
        let interior = node.is_interior();
        let value = if interior {
            None
        } else {
            Some(live_value.as_ref().unwrap_or(&node.value))
        };
        out.extend_from_slice(b"<Node>");
        element(out, "NodeName", &node.name);
        if k == 0 {
            if let Some(p) = path {
                element(out, "Path", p);
            }
        }
        out.extend_from_slice(b"<RTProperties>");
        if filter.has(Property::Acl) && !node.acl.is_empty() {
            element(out, "ACL", node.acl.as_str());
        }
        if filter.has(Property::Format) {
            out.extend_from_slice(b"<Format><");
            out.extend_from_slice(node.format.name().as_bytes());
            out.extend_from_slice(b"/></Format>");
        }
        if filter.has(Property::Name) {
            element(out, "Name", &node.name);
        }
        if filter.has(Property::Size) {
            if let Some(v) = value {
                element_number(out, "Size", v.size(node.format));
            }
        }
        if filter.has(Property::Title) {
            if let Some(t) = node.title() {
                element(out, "Title", t);
            }
        }
        if filter.has(Property::TStamp) {
            if let Some(t) = node.tstamp() {
                element(out, "TStamp", t);
            }
        }
        if filter.has(Property::Type) {
            out.extend_from_slice(b"<Type>");
            match (interior, node.mime()) {
                (true, t) => element(out, "DDFName", t.unwrap_or("")),
                (false, t) => element(out, "MIME", t.unwrap_or("text/plain")),
            }
            out.extend_from_slice(b"</Type>");
        }
        if filter.has(Property::VerNo) {
            element_number(out, "VerNo", node.verno);
        }
        out.extend_from_slice(b"</RTProperties>");
        if filter.has_value() {
            if let Some(v) = value.filter(|v| **v != Value::Empty) {
                out.extend_from_slice(b"<Value>");
                write_value(out, v);
                out.extend_from_slice(b"</Value>");
            }
        }
        open.push(cur);
    }
    for _ in open {
        out.extend_from_slice(b"</Node>");
    }
}

// ------------------------------------------------------------------ export: ddf model

/// Adds the model of a subtree to `doc`, under `parent` (at the top level for `None`);
/// `None` past `depth` levels (`ddf` reads no deeper than [`ddf::MAX_NODE_DEPTH`] anyway).
fn model_node<'t>(
    tree: &'t Tree,
    id: u32,
    filter: PropFilter,
    depth: usize,
    doc: &mut MgmtTree<'t>,
    parent: Option<DdfId>,
    path: Option<Cow<'t, str>>,
) -> Option<()> {
    let depth = depth.checked_sub(1)?;
    let node = tree.store.get(id)?;
    let mut out = NodeData::new(&*node.name);
    out.path = path;
    let interior = node.is_interior();
    let mut rt = RtProperties::default();
    if filter.has(Property::Acl) && !node.acl.is_empty() {
        rt.acl = Some(Cow::Borrowed(node.acl.as_str()));
    }
    if filter.has(Property::Format) {
        rt.format = Some(node.format);
    }
    if filter.has(Property::Name) {
        rt.name = Some(Cow::Borrowed(&node.name));
    }
    if filter.has(Property::Size) && !interior {
        rt.size = Some(Cow::Owned(node.value.size(node.format).to_string()));
    }
    if filter.has(Property::Title) {
        rt.title = node.title().map(Cow::Borrowed);
    }
    if filter.has(Property::TStamp) {
        rt.tstamp = node.tstamp().map(Cow::Borrowed);
    }
    if filter.has(Property::Type) {
        rt.rt_type = Some(if interior {
            TypeInfo::DdfName(Cow::Borrowed(node.mime().unwrap_or("")))
        } else {
            TypeInfo::Mime(MimeList::new(node.mime().unwrap_or("text/plain")))
        });
    }
    if filter.has(Property::VerNo) {
        rt.ver_no = Some(Cow::Owned(node.verno.to_string()));
    }
    out.rt = Some(rt);
    if filter.has_value() && !interior {
        out.value = match &node.value {
            Value::Empty => None,
            Value::Text(t) => Some(Cow::Borrowed(&**t)),
            Value::Bytes(b) => {
                let mut enc = Vec::new();
                b64_encode(b, &mut enc);
                Some(Cow::Owned(String::from_utf8_lossy(&enc).into_owned()))
            }
            other => Some(Cow::Owned(
                String::from_utf8_lossy(&other.to_data()).into_owned(),
            )),
        };
    }
    let me = match parent {
        Some(parent) => doc.push_child(parent, out)?,
        None => doc.push_root(out)?,
    };
    for c in node.children.iter().map(|c| c.id) {
        model_node(tree, c, filter, depth, doc, Some(me), None)?;
    }
    Some(())
}

impl Tree {
    /// The subtree at `uri` as a borrowed TNDS model (stored values; handlers are not asked).
    /// For the root, its children become the top-level nodes with `Path` `.`. A subtree deeper
    /// than [`ddf::MAX_NODE_DEPTH`] gives 413.
    pub fn export_tnds_model(&self, uri: &str, filter: PropFilter) -> Result<MgmtTree<'_>, Status> {
        let uri = Uri::parse(uri, &UriLimits::UNLIMITED).map_err(|e| e.status())?;
        let id = self.resolve(uri).ok_or(Status::NOT_FOUND)?;
        let mut doc = MgmtTree::new(DocKind::Tnds);
        let (tops, path) = if id == 0 {
            let tops = self
                .store
                .get(0)
                .map(|n| n.children.iter().map(|c| c.id).collect())
                .unwrap_or_default();
            (tops, ".".to_owned())
        } else {
            let parent = uri
                .parent()
                .map_or_else(|| ".".to_owned(), |p| p.to_string());
            (vec![id], parent)
        };
        for top in tops {
            let path = Some(Cow::Owned(path.clone()));
            model_node(self, top, filter, ddf::MAX_NODE_DEPTH, &mut doc, None, path)
                .ok_or(Status::ENTITY_TOO_LARGE)?;
        }
        Ok(doc)
    }

    /// The subtree at `uri` as TNDS XML, with the device's view (no ACL filtering; handlers
    /// serve live values).
    pub fn export_tnds(&mut self, uri: &str, filter: PropFilter) -> Result<Vec<u8>, Status> {
        let uri = Uri::parse(uri, &UriLimits::UNLIMITED).map_err(|e| e.status())?;
        let id = self.resolve(uri).ok_or(Status::NOT_FOUND)?;
        let mut out = Vec::new();
        write_subtree(self, None, NodeId(id), filter, &mut out);
        Ok(out)
    }

    /// Imports TNDS nodes below `base` as the device: top-level `Path`s are relative to
    /// `base` (`.` or none = `base` itself), missing ancestors are created as interior nodes
    /// with an empty ACL, and existing nodes are updated. All or nothing.
    pub fn import_tnds(&mut self, base: &str, doc: &MgmtTree<'_>) -> Result<(), ImportError> {
        let base = Uri::parse(base, &self.limits).map_err(|e| ImportError::from(e.status()))?;
        let snapshot = self.snapshot();
        let result = import_top(self, None, base, doc.roots(), Mode::Merge);
        if result.is_err() {
            self.restore(snapshot);
        }
        result
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Add: every node must be new.
    Add,
    /// Replace: the TNDS is the new content; nodes it does not list are deleted.
    Replace,
    /// Device import: create or update, delete nothing.
    Merge,
}

fn import_top(
    tree: &mut Tree,
    server: Option<&str>,
    base: Uri<'_>,
    nodes: ddf::Children<'_, '_>,
    mode: Mode,
) -> Result<(), ImportError> {
    for node in nodes {
        let rel = node.path().map(str::trim).unwrap_or(".");
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        let mut parent_path = base.path().to_owned();
        if !rel.is_empty() && rel != "." {
            if !parent_path.is_empty() {
                parent_path.push('/');
            }
            parent_path.push_str(rel.trim_end_matches('/'));
        }
        let parent_uri = Uri::parse(
            if parent_path.is_empty() {
                "."
            } else {
                &parent_path
            },
            &tree.limits,
        )
        .map_err(|e| ImportError::at(e.status(), &parent_path))?;
        let parent = ensure_interior(tree, server, parent_uri)?;
        import_node(tree, server, parent, &parent_path, node, mode)?;
    }
    Ok(())
}

/// Resolves `uri`, creating missing interior ancestors as an Add would.
fn ensure_interior(
    tree: &mut Tree,
    server: Option<&str>,
    uri: Uri<'_>,
) -> Result<u32, ImportError> {
    let mut id = 0u32;
    let mut path = String::new();
    for seg in uri.segments() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(seg);
        id = match tree.store.find_child(id, seg) {
            Some(c) => c,
            None => {
                let at = format!("./{path}");
                if tree.store.get(id).is_none_or(|n| !n.is_interior()) {
                    return Err(ImportError::at(Status::COMMAND_NOT_ALLOWED, &at));
                }
                if !server.is_none_or(|s| tree.allows(s, AclCommand::Add, NodeId(id))) {
                    return Err(ImportError::at(Status::PERMISSION_DENIED, &at));
                }
                let lookup = tree.spec_lookup(&path);
                if !lookup_allows(server, lookup, AccessType::ADD) {
                    return Err(ImportError::at(Status::COMMAND_NOT_ALLOWED, &at));
                }
                tree.create(server, id, seg, Format::Node, lookup)
                    .map_err(|s| ImportError::at(s, &at))?
            }
        };
    }
    if tree.store.get(id).is_none_or(|n| !n.is_interior()) {
        return Err(ImportError::at(
            Status::COMMAND_NOT_ALLOWED,
            &uri.to_string(),
        ));
    }
    Ok(id)
}

fn lookup_allows(server: Option<&str>, lookup: SpecLookup, access: AccessType) -> bool {
    lookup.allows(server, access)
}

fn parse_value(format: Format, text: &str) -> Result<Value, Status> {
    if format == Format::Bin {
        let bytes = b64_decode(text.trim()).ok_or(Status::BAD_REQUEST)?;
        return Ok(if bytes.is_empty() {
            Value::Empty
        } else {
            Value::Bytes(bytes.into())
        });
    }
    Value::parse(format, text.as_bytes()).map_err(|_| Status::BAD_REQUEST)
}

fn import_node(
    tree: &mut Tree,
    server: Option<&str>,
    parent: u32,
    parent_path: &str,
    node: NodeRef<'_, '_>,
    mode: Mode,
) -> Result<(), ImportError> {
    let name = node.name().trim();
    let path = if parent_path.is_empty() {
        name.to_owned()
    } else {
        format!("{parent_path}/{name}")
    };
    let at = format!("./{path}");
    if node.is_placeholder() {
        return Err(ImportError::at(Status::BAD_REQUEST, &at));
    }
    check_segment(name, 0, &tree.limits).map_err(|e| ImportError::at(e.status(), &at))?;
    let err = |s: Status| ImportError::at(s, &at);
    let existing = tree.store.find_child(parent, name);
    // no Format: interior with children, else a leaf — unless it names an existing interior
    // node (an ancestor implied earlier by a Path), whose properties it then sets
    let format = node.format().unwrap_or_else(|| {
        let interior = existing
            .and_then(|e| tree.store.get(e))
            .is_some_and(|n| n.is_interior());
        if interior && node.value().is_none() {
            Format::Node
        } else {
            Format::Chr
        }
    });
    let rt = node.rt();
    let acl = match rt.and_then(|r| r.acl.as_deref()) {
        Some(text) => Some(Acl::parse(text.trim()).map_err(|_| err(Status::BAD_REQUEST))?),
        None => None,
    };
    let mime = rt.and_then(|r| r.rt_type.as_ref()).map(|t| match t {
        TypeInfo::Mime(list) => list.first().trim().to_owned(),
        TypeInfo::DdfName(n) => n.trim().to_owned(),
    });
    let title = rt.and_then(|r| r.title.as_deref()).map(str::to_owned);
    let value = if format == Format::Node {
        Value::Empty
    } else {
        parse_value(format, node.value().unwrap_or("")).map_err(err)?
    };
    let lookup = tree.spec_lookup(&path);
    let id = match existing {
        Some(existing) => {
            if mode == Mode::Add {
                return Err(err(Status::ALREADY_EXISTS));
            }
            let old = tree.store.get(existing).ok_or(err(Status::NOT_FOUND))?;
            if old.is_interior() != (format == Format::Node) {
                return Err(err(Status::COMMAND_NOT_ALLOWED));
            }
            if let Some(s) = server {
                let changes_value = format != Format::Node;
                if changes_value && !tree.allows(s, AclCommand::Replace, NodeId(existing)) {
                    return Err(err(Status::PERMISSION_DENIED));
                }
                if acl.as_ref().is_some_and(|a| *a != old.acl)
                    && !tree.may_change_acl(s, NodeId(existing))
                {
                    return Err(err(Status::PERMISSION_DENIED));
                }
                if changes_value && !lookup_allows(server, lookup, AccessType::REPLACE) {
                    return Err(err(Status::COMMAND_NOT_ALLOWED));
                }
            }
            existing
        }
        None => {
            if !server.is_none_or(|s| tree.allows(s, AclCommand::Add, NodeId(parent))) {
                return Err(err(Status::PERMISSION_DENIED));
            }
            if !lookup_allows(server, lookup, AccessType::ADD) {
                return Err(err(Status::COMMAND_NOT_ALLOWED));
            }
            if let SpecLookup::Spec(s) = lookup {
                if s.format != format && !(s.format == Format::Null && value == Value::Empty) {
                    return Err(err(Status::UNSUPPORTED_MEDIA_TYPE));
                }
            }
            tree.create(server, parent, name, format, lookup)
                .map_err(err)?
        }
    };
    let now = tree.now().map(Box::<str>::from);
    if let Some(n) = tree
        .store_mut()
        .slots
        .get_mut(id as usize)
        .and_then(Option::as_mut)
    {
        if format != Format::Node {
            n.value = value;
            n.format = format;
        }
        if let Some(acl) = acl {
            n.acl = if id == 0 { n.acl.clone() } else { acl };
        }
        if let Some(m) = mime {
            n.extra_mut().mime = (!m.is_empty()).then(|| m.into());
        }
        if let Some(t) = title {
            n.extra_mut().title = Some(t.into());
        }
        if let Some(now) = now {
            n.extra_mut().tstamp = Some(now);
        }
    }
    if mode == Mode::Replace {
        // children the new content does not list go away
        let old_children: Vec<u32> = tree
            .store
            .get(id)
            .map(|n| n.children.iter().map(|c| c.id).collect())
            .unwrap_or_default();
        for c in old_children {
            let Some(child) = tree.store.get(c) else {
                continue;
            };
            let keep = node.children().any(|n| n.name().trim() == &*child.name);
            if !keep {
                if !server.is_none_or(|s| tree.allows(s, AclCommand::Delete, NodeId(c))) {
                    return Err(err(Status::PERMISSION_DENIED));
                }
                if child.flags & 1 != 0 {
                    return Err(err(Status::COMMAND_NOT_ALLOWED));
                }
                tree.remove_subtree(c);
            }
        }
    }
    for child in node.children() {
        import_node(tree, server, id, &path, child, mode)?;
    }
    Ok(())
}

fn parse_doc(data: &[u8]) -> Result<ddf::Parsed<'_>, Status> {
    let text = core::str::from_utf8(data).map_err(|_| Status::BAD_REQUEST)?;
    ddf::parse_xml(text).map_err(|_| Status::BAD_REQUEST)
}

/// Whether the document is exactly one top-level node that names `uri` itself (rather than
/// the nodes to place below it).
fn names_target<'d, 'a>(doc: &'d MgmtTree<'a>, uri: Uri<'_>) -> Option<NodeRef<'d, 'a>> {
    let mut roots = doc.roots();
    let (Some(only), None) = (roots.next(), roots.next()) else {
        return None;
    };
    if only.name().trim() != uri.name() {
        return None;
    }
    let parent = uri.parent()?;
    match only.path().map(str::trim) {
        None | Some(".") | Some("") => None,
        Some(p) => {
            let p = p.strip_prefix("./").unwrap_or(p);
            (p == parent.path()).then_some(only)
        }
    }
}

/// An Add whose data is a TNDS document: the target and the subtree it describes are
/// created, all or nothing.
pub(crate) fn add_from_op(
    tree: &mut Tree,
    server: Option<&str>,
    op: &Op<'_>,
    uri: Uri<'_>,
) -> crate::op::Outcome {
    if op.mime == Some(crate::op::TNDS_WBXML) {
        return Status::UNSUPPORTED_MEDIA_TYPE.into();
    }
    let parsed = match parse_doc(op.data_bytes()) {
        Ok(p) => p,
        Err(s) => return s.into(),
    };
    let snapshot = tree.snapshot();
    let result = match names_target(&parsed.tree, uri) {
        Some(node) => uri
            .parent()
            .ok_or(ImportError::from(Status::ALREADY_EXISTS))
            .and_then(|p| {
                let parent = ensure_interior(tree, server, p)?;
                import_node(tree, server, parent, p.path(), node, Mode::Add)
            }),
        None => ensure_interior(tree, server, uri)
            .and_then(|_| import_top(tree, server, uri, parsed.tree.roots(), Mode::Add)),
    };
    finish(tree, snapshot, result)
}

/// A Replace whose data is a TNDS document: the subtree at the target is swapped for the
/// one described, all or nothing, with one status.
pub(crate) fn replace_from_op(
    tree: &mut Tree,
    server: Option<&str>,
    op: &Op<'_>,
    uri: Uri<'_>,
    id: u32,
) -> Result<(), Status> {
    if op.mime == Some(crate::op::TNDS_WBXML) {
        return Err(Status::UNSUPPORTED_MEDIA_TYPE);
    }
    let parsed = parse_doc(op.data_bytes())?;
    let snapshot = tree.snapshot();
    let result = match names_target(&parsed.tree, uri) {
        Some(node) => {
            let parent = tree.store.get(id).map_or(NO_PARENT, |n| n.parent);
            let parent_path = uri.parent().map_or("", |p| p.path());
            import_node(tree, server, parent, parent_path, node, Mode::Replace)
        }
        None => {
            let parent = tree.store.get(id).map_or(NO_PARENT, |n| n.parent);
            let parent_path = uri.parent().map_or("", |p| p.path());
            if tree.store.get(id).is_some_and(|n| !n.is_interior()) {
                Err(ImportError::from(Status::COMMAND_NOT_ALLOWED))
            } else if id == 0 {
                import_top(tree, server, uri, parsed.tree.roots(), Mode::Merge)
            } else {
                // the document lists the target's new children
                let mut doc = MgmtTree::new(DocKind::Tnds);
                let mut top = NodeData::new(uri.name());
                top.rt = Some(RtProperties {
                    format: Some(Format::Node),
                    ..RtProperties::default()
                });
                let copied = doc.push_root(top).and_then(|top| {
                    for node in parsed.tree.roots() {
                        doc.push_copy(Some(top), node)?;
                    }
                    Some(top)
                });
                match copied.and_then(|top| doc.get(top)) {
                    Some(top) => import_node(tree, server, parent, parent_path, top, Mode::Replace),
                    None => Err(ImportError::from(Status::COMMAND_FAILED)),
                }
            }
        }
    };
    let outcome = finish(tree, snapshot, result);
    if outcome.status.is_success() {
        Ok(())
    } else {
        Err(outcome.status)
    }
}

fn finish(
    tree: &mut Tree,
    snapshot: crate::tree::Snapshot,
    result: Result<(), ImportError>,
) -> crate::op::Outcome {
    match result {
        Ok(()) => Status::OK.into(),
        Err(e) => {
            tree.restore(snapshot);
            crate::op::Outcome {
                status: e.status,
                results: Vec::new(),
                failed_uri: e.uri,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"\xff\x00\x10"] {
            let mut enc = Vec::new();
            b64_encode(data, &mut enc);
            let text = String::from_utf8(enc).unwrap();
            assert_eq!(b64_decode(&text).unwrap(), data, "{text}");
        }
        let mut enc = Vec::new();
        b64_encode(b"hello", &mut enc);
        assert_eq!(enc, b"aGVsbG8=");
    }
}
