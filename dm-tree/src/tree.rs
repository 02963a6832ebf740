//! The in-memory management tree and its command semantics (TND §4.2–§4.4).

use std::borrow::Cow;

use ddf::spec::{AccessType, CaseSense, Format, NodeSpec, Scope};

use crate::acl::{Acl, AclCommand};
use crate::handler::{AlertQueue, Change, ExecRequest, GenericAlert, MoHandler};
use crate::op::{Command, Op, OpData, Outcome, ResultItem, ResultRef, TNDS_WBXML, TNDS_XML};
use crate::status::Status;
use crate::uri::{check_segment, ListKind, ListQuery, Property, Query, Target, Uri, UriLimits};
use crate::value::Value;

pub(crate) const NO_PARENT: u32 = u32::MAX;
const FLAG_PERMANENT: u8 = 1;
const FLAG_CIS: u8 = 2;
/// Largest `Title` accepted (TND §4.3).
const MAX_TITLE: usize = 255;

/// A handle to a node; valid until that node is deleted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NodeId(pub(crate) u32);

/// A parent with at least this many children keeps a name index ([`Extra::index`]); one
/// left with fewer than half as many drops it. Below it a scan of the contiguous hashes is
/// as fast and kinder to the cache (the bench tree, 100 children a parent, stays unindexed).
const INDEX_MIN: usize = 128;

/// The rarely present part of a node, boxed so that the common node stays small.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extra {
    pub(crate) title: Option<Box<str>>,
    pub(crate) mime: Option<Box<str>>,
    pub(crate) tstamp: Option<Box<str>>,
    /// For a parent with many children: a hash table of their ids (see [`NameIndex`]),
    /// held here rather than boxed again, so that a lookup reaches its slots from the node
    /// in two steps, and a node without one pays nothing for it. Not part of any saved
    /// format.
    pub(crate) index: Option<NameIndex>,
}

/// An open-addressing table from a child's name hash to its id, so a lookup among thousands
/// of siblings probes one or two slots. A slot holds the hash in its high half and `id + 1`
/// in its low half (0 is empty): a probe reads the table and then only the node whose hash
/// matches, not the parent's child list (on a tree out of cache, each is a miss). At most
/// half of the slots are full, so that a probe always ends at an empty slot; siblings with
/// equal hashes are inserted in creation order and so met in creation order along their
/// probe sequence. Removing or rehashing a child rebuilds the table (both are rare).
#[derive(Clone, Debug)]
pub(crate) struct NameIndex {
    slots: Box<[u64]>,
    len: usize,
}

impl NameIndex {
    /// A table of every child in `children`, in creation order.
    fn build(children: &[Child]) -> Self {
        let size = (children.len() * 2).next_power_of_two().max(INDEX_MIN * 2);
        let mut index = Self {
            slots: vec![0; size].into_boxed_slice(),
            len: 0,
        };
        for c in children {
            index.insert(*c);
        }
        index
    }

    /// The first slot of `hash`'s probe sequence: the hash is mixed (FNV's low bits are
    /// weak) and scaled to the table by its high bits.
    fn start(&self, hash: u32) -> usize {
        let mixed = u64::from(hash.wrapping_mul(0x9E37_79B9));
        ((mixed * self.slots.len() as u64) >> 32) as usize
    }

    /// Records `child`; the table grows (rebuilt by the caller) when half full.
    fn insert(&mut self, child: Child) {
        let mask = self.slots.len() - 1;
        let mut at = self.start(child.hash);
        while let Some(slot) = self.slots.get_mut(at) {
            if *slot == 0 {
                // Ids stop below `NO_PARENT` (u32::MAX): `id + 1` fits the low half.
                *slot = u64::from(child.hash) << 32 | (u64::from(child.id) + 1);
                self.len += 1;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    fn is_full(&self) -> bool {
        self.len * 2 >= self.slots.len()
    }
}

/// A child link: the child's id and a hash of its ASCII-lowercased name, so a lookup scans
/// one contiguous vector and dereferences only the children whose hash matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Child {
    pub(crate) id: u32,
    pub(crate) hash: u32,
}

/// FNV-1a over the ASCII-lowercased name: equal for names that match case-insensitively.
pub(crate) fn name_hash(name: &str) -> u32 {
    name.bytes().fold(NAME_HASH_START, name_hash_step)
}

/// [`name_hash`] of the empty name.
const NAME_HASH_START: u32 = 0x811c_9dc5;

/// [`name_hash`] of a name one byte longer, from that of the name.
#[inline(always)]
fn name_hash_step(h: u32, b: u8) -> u32 {
    (h ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193)
}

/// Byte equality, inline: node names are a few bytes, where a call to `memcmp` costs more
/// than the comparison.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) name: Box<str>,
    pub(crate) parent: u32,
    pub(crate) children: Vec<Child>,
    pub(crate) format: Format,
    pub(crate) flags: u8,
    pub(crate) verno: u16,
    pub(crate) acl: Acl,
    pub(crate) value: Value,
    pub(crate) extra: Option<Box<Extra>>,
}

/// Keeps the child list's spare capacity, so that a tree restored from a snapshot adds
/// children without first regrowing every list it touches.
impl Clone for Node {
    fn clone(&self) -> Self {
        let mut children = Vec::with_capacity(self.children.capacity());
        children.extend_from_slice(&self.children);
        Self {
            name: self.name.clone(),
            parent: self.parent,
            children,
            format: self.format,
            flags: self.flags,
            verno: self.verno,
            acl: self.acl.clone(),
            value: self.value.clone(),
            extra: self.extra.clone(),
        }
    }
}

impl Node {
    pub(crate) fn new(name: &str, parent: u32, format: Format) -> Self {
        Self {
            name: name.into(),
            parent,
            children: Vec::new(),
            format,
            flags: 0,
            verno: 0,
            acl: Acl::empty(),
            value: Value::Empty,
            extra: None,
        }
    }

    pub(crate) fn is_interior(&self) -> bool {
        self.format == Format::Node
    }

    fn matches_name(&self, name: &str) -> bool {
        same_bytes(self.name.as_bytes(), name.as_bytes())
            || (self.flags & FLAG_CIS != 0 && self.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    pub(crate) fn mime(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.mime.as_deref())
    }

    pub(crate) fn title(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.title.as_deref())
    }

    pub(crate) fn tstamp(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.tstamp.as_deref())
    }

    fn index(&self) -> Option<&NameIndex> {
        self.extra.as_ref().and_then(|e| e.index.as_ref())
    }

    /// Builds the index if the node has grown to [`INDEX_MIN`] children.
    fn build_index(&mut self) {
        if self.children.len() < INDEX_MIN || self.index().is_some() {
            return;
        }
        self.rebuild_index();
    }

    /// Builds the index afresh from `children`.
    fn rebuild_index(&mut self) {
        self.extra_mut().index = Some(NameIndex::build(&self.children));
    }

    /// Appends a child without indexing it; [`Store::build_indexes`] must follow.
    pub(crate) fn push_child_unindexed(&mut self, child: Child) {
        self.children.push(child);
    }

    /// Appends a child (creation order) and indexes it.
    pub(crate) fn push_child(&mut self, child: Child) {
        self.children.push(child);
        match self.extra.as_mut().and_then(|e| e.index.as_mut()) {
            Some(index) if !index.is_full() => index.insert(child),
            Some(_) => self.rebuild_index(),
            None => self.build_index(),
        }
    }

    /// Removes the link to child `id`, keeping the others' order.
    fn unlink_child(&mut self, id: u32) {
        let Some(pos) = self.children.iter().position(|c| c.id == id) else {
            return;
        };
        self.children.remove(pos);
        if self.index().is_some() {
            // The table is rebuilt (a removed id leaves no hole in a probe sequence), or
            // dropped when small.
            if self.children.len() < INDEX_MIN / 2 {
                self.extra_mut().index = None;
            } else {
                self.rebuild_index();
            }
        }
    }

    /// Records a renamed child's new hash.
    fn rehash_child(&mut self, id: u32, hash: u32) {
        let Some(c) = self.children.iter_mut().find(|c| c.id == id) else {
            return;
        };
        c.hash = hash;
        if self.index().is_some() {
            self.rebuild_index();
        }
    }
}

/// The node arena: everything a snapshot has to copy.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) slots: Vec<Option<Node>>,
    pub(crate) free: Vec<u32>,
}

/// Keeps the arena's spare capacity (see `Clone for Node`): a restored tree's first Add
/// does not move every node.
impl Clone for Store {
    fn clone(&self) -> Self {
        let mut slots = Vec::with_capacity(self.slots.capacity());
        slots.extend(self.slots.iter().cloned());
        Self {
            slots,
            free: self.free.clone(),
        }
    }
}

impl Store {
    pub(crate) fn get(&self, id: u32) -> Option<&Node> {
        self.slots.get(id as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut Node> {
        self.slots.get_mut(id as usize).and_then(Option::as_mut)
    }

    /// Inserts a node under `parent` (which must exist), returning its id.
    pub(crate) fn insert(&mut self, node: Node) -> Result<u32, Status> {
        let parent = node.parent;
        let hash = name_hash(&node.name);
        let id = match self.free.pop() {
            Some(id) => {
                if let Some(slot) = self.slots.get_mut(id as usize) {
                    *slot = Some(node);
                }
                id
            }
            None => {
                let id = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&id| id != NO_PARENT)
                    .ok_or(Status::DEVICE_FULL)?;
                self.slots.push(Some(node));
                id
            }
        };
        if let Some(p) = self.get_mut(parent) {
            p.push_child(Child { id, hash });
        }
        Ok(id)
    }

    fn remove_subtree(&mut self, id: u32) {
        let parent = self.get(id).map_or(NO_PARENT, |n| n.parent);
        if let Some(p) = self.get_mut(parent) {
            p.unlink_child(id);
        }
        let mut stack = vec![id];
        while let Some(cur) = stack.pop() {
            if let Some(node) = self.slots.get_mut(cur as usize).and_then(Option::take) {
                stack.extend(node.children.iter().map(|c| c.id));
                self.free.push(cur);
            }
        }
    }

    /// Indexes every parent with many children (after [`Node::push_child_unindexed`]).
    pub(crate) fn build_indexes(&mut self) {
        for node in self.slots.iter_mut().flatten() {
            node.build_index();
        }
    }

    pub(crate) fn find_child(&self, parent: u32, name: &str) -> Option<u32> {
        self.find_hashed_child(parent, name, name_hash(name))
    }

    /// [`find_child`](Self::find_child) with the name's [`name_hash`] already computed.
    fn find_hashed_child(&self, parent: u32, name: &str, hash: u32) -> Option<u32> {
        let p = self.get(parent)?;
        let matches =
            |c: &Child| c.hash == hash && self.get(c.id).is_some_and(|n| n.matches_name(name));
        let Some(index) = p.index() else {
            return p.children.iter().find(|c| matches(c)).map(|c| c.id);
        };
        // Plain loops: this runs for every segment of every command's target.
        let mask = index.slots.len() - 1;
        let mut at = index.start(hash);
        loop {
            // The table is never more than half full: the probe meets an empty slot.
            let slot = *index.slots.get(at)?;
            if slot == 0 {
                return None;
            }
            if (slot >> 32) as u32 == hash {
                let id = (slot as u32).wrapping_sub(1);
                if self.get(id).is_some_and(|n| n.matches_name(name)) {
                    return Some(id);
                }
            }
            at = (at + 1) & mask;
        }
    }
}

/// A node spec looked up for a path.
#[derive(Clone, Copy)]
pub(crate) enum SpecLookup {
    /// The path is in no bound management object.
    Free,
    /// The path is described by this spec.
    Spec(&'static NodeSpec),
    /// The path is inside a bound management object but no spec describes it.
    Unknown,
}

impl SpecLookup {
    /// Whether the DDF lets `access` through: AccessType binds servers; the device itself
    /// (`server` `None`) may do anything on nodes its DDF describes.
    pub(crate) fn allows(self, server: Option<&str>, access: AccessType) -> bool {
        match self {
            Self::Free => true,
            Self::Spec(spec) => server.is_none() || spec.access.contains(access),
            Self::Unknown => false,
        }
    }

    fn spec(self) -> Option<&'static NodeSpec> {
        match self {
            Self::Spec(s) => Some(s),
            _ => None,
        }
    }
}

struct Binding {
    root: String,
    specs: &'static [NodeSpec],
}

struct Mount {
    root: String,
    handler: Option<Box<dyn MoHandler>>,
}

/// A saved copy of the tree's nodes, restored with [`Tree::restore`] (Atomic roll back).
#[derive(Clone, Debug)]
pub struct Snapshot(Store);

/// A read-only view of one node.
#[derive(Clone, Copy, Debug)]
pub struct NodeRef<'t> {
    node: &'t Node,
    id: u32,
}

impl<'t> NodeRef<'t> {
    /// The node's handle.
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    /// The node's name (`.` for the root).
    pub fn name(&self) -> &'t str {
        &self.node.name
    }

    /// The node's `Format`.
    pub fn format(&self) -> Format {
        self.node.format
    }

    /// Whether the node is interior.
    pub fn is_interior(&self) -> bool {
        self.node.is_interior()
    }

    /// The stored value (handlers may serve another one to a Get).
    pub fn value(&self) -> &'t Value {
        &self.node.value
    }

    /// The node's own ACL (empty when it inherits).
    pub fn acl(&self) -> &'t Acl {
        &self.node.acl
    }

    /// The `Type` property (MIME type of a leaf, MO identifier of an interior node).
    pub fn mime(&self) -> Option<&'t str> {
        self.node.mime()
    }

    /// The `Title` property.
    pub fn title(&self) -> Option<&'t str> {
        self.node.title()
    }

    /// The `TStamp` property.
    pub fn tstamp(&self) -> Option<&'t str> {
        self.node.tstamp()
    }

    /// The `VerNo` property.
    pub fn verno(&self) -> u16 {
        self.node.verno
    }

    /// Permanent or dynamic.
    pub fn scope(&self) -> Scope {
        if self.node.flags & FLAG_PERMANENT != 0 {
            Scope::Permanent
        } else {
            Scope::Dynamic
        }
    }

    /// Whether the node's name matches case-insensitively.
    pub fn case_sense(&self) -> CaseSense {
        if self.node.flags & FLAG_CIS != 0 {
            CaseSense::Cis
        } else {
            CaseSense::Cs
        }
    }

    /// The number of children.
    pub fn child_count(&self) -> usize {
        self.node.children.len()
    }
}

/// The management tree: nodes, properties, ACLs, bound node specs and mounted handlers.
///
/// See the crate documentation for an example.
pub struct Tree {
    pub(crate) store: Store,
    pub(crate) limits: UriLimits,
    now: Option<Box<str>>,
    bindings: Vec<Binding>,
    mounts: Vec<Mount>,
    /// The first bytes of the mount roots, a bit per byte value (every bit once the root
    /// itself is mounted): most commands' targets lie below no mount, which this tells
    /// without reading the mounts (their roots are behind two pointers).
    mount_initials: [u64; 4],
    alerts: AlertQueue,
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Tree {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tree")
            .field("nodes", &self.len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn segment_matches(spec_seg: &str, seg: &str, case: CaseSense) -> bool {
    spec_seg == "*"
        || spec_seg == seg
        || (case == CaseSense::Cis && spec_seg.eq_ignore_ascii_case(seg))
}

/// Whether `path` lies at or below `root` (both without `./`), segment-wise.
fn under(path: &str, root: &str) -> Option<usize> {
    if root.is_empty() {
        return Some(0);
    }
    // Every command asks this of every mount and binding, and most roots differ from the
    // path in their first byte: that answer comes without the call that compares prefixes.
    if path.as_bytes().first() != root.as_bytes().first() {
        return None;
    }
    let rest = path.strip_prefix(root)?;
    if rest.is_empty() || rest.starts_with('/') {
        Some(root.len())
    } else {
        None
    }
}

/// The part of `uri` below a mount root `len` bytes long (what [`under`] gives), as the
/// handler mounted there sees it: without the separating `/`, empty for the root itself.
fn below_mount(uri: Uri<'_>, len: usize) -> Uri<'_> {
    let rel = uri.path().get(len..).unwrap_or("");
    Uri::from_valid_path(rel.strip_prefix('/').unwrap_or(rel))
}

impl Tree {
    /// A tree holding only the root `.`, with ACL `Add=*&Get=*` and no URI limits.
    pub fn new() -> Self {
        let mut root = Node::new(".", NO_PARENT, Format::Node);
        root.acl = Acl::root_default();
        root.flags = FLAG_PERMANENT;
        Self::from_store(Store {
            slots: vec![Some(root)],
            free: Vec::new(),
        })
    }

    pub(crate) fn from_store(store: Store) -> Self {
        Self {
            store,
            limits: UriLimits::UNLIMITED,
            now: None,
            bindings: Vec::new(),
            mounts: Vec::new(),
            mount_initials: [0; 4],
            alerts: AlertQueue::new(),
        }
    }

    /// The URI limits in force.
    pub fn limits(&self) -> UriLimits {
        self.limits
    }

    /// Sets the URI limits (as advertised in `./DevDetail/URI`).
    pub fn set_limits(&mut self, limits: UriLimits) {
        self.limits = limits;
    }

    /// Sets the time stamp written to `TStamp` of nodes changed from now on (ISO 8601 basic
    /// UTC, e.g. `20010711T163817Z`); `None` stops stamping. The tree reads no clock itself.
    pub fn set_now(&mut self, tstamp: Option<&str>) {
        self.now = tstamp.map(Into::into);
    }

    /// The number of nodes, root included.
    pub fn len(&self) -> usize {
        self.store.slots.len() - self.store.free.len()
    }

    /// Whether the tree holds only its root (it is never truly empty).
    pub fn is_empty(&self) -> bool {
        self.len() <= 1
    }

    /// The Generic Alerts queued by MOs and not yet drained.
    pub fn alerts(&self) -> &AlertQueue {
        &self.alerts
    }

    /// The Generic Alerts queued by MOs, for the session engine to drain.
    pub fn alerts_mut(&mut self) -> &mut AlertQueue {
        &mut self.alerts
    }

    /// Queues a Generic Alert.
    pub fn push_alert(&mut self, alert: GenericAlert) {
        crate::handler::AlertSink::push_alert(&mut self.alerts, alert);
    }

    /// Binds a management object's node specs (generated from its DDF) to the object's root
    /// URI: from now on AccessType, Format, Occurrence and Scope of nodes there are enforced.
    pub fn bind_specs(&mut self, root: &str, specs: &'static [NodeSpec]) -> Result<(), Status> {
        let uri = Uri::parse(root, &UriLimits::UNLIMITED).map_err(|e| e.status())?;
        self.bindings.push(Binding {
            root: uri.path().to_owned(),
            specs,
        });
        Ok(())
    }

    /// Mounts a handler serving the values and Exec of the subtree at `root`.
    pub fn mount(&mut self, root: &str, handler: Box<dyn MoHandler>) -> Result<(), Status> {
        let uri = Uri::parse(root, &UriLimits::UNLIMITED).map_err(|e| e.status())?;
        match uri.path().as_bytes().first() {
            Some(&b) => {
                if let Some(word) = self.mount_initials.get_mut(usize::from(b >> 6)) {
                    *word |= 1 << (b & 63);
                }
            }
            None => self.mount_initials = [u64::MAX; 4],
        }
        self.mounts.push(Mount {
            root: uri.path().to_owned(),
            handler: Some(handler),
        });
        Ok(())
    }

    /// Binds a management object's specs at `root` (as [`bind_specs`](Self::bind_specs))
    /// and creates its fixed skeleton: the object root, missing ancestors, and every node
    /// without a placeholder segment whose Occurrence requires at least one instance, with
    /// its DDF default value. Existing nodes are kept.
    pub fn install_mo(&mut self, root: &str, specs: &'static [NodeSpec]) -> Result<(), Status> {
        self.bind_specs(root, specs)?;
        let root_uri = Uri::parse(root, &UriLimits::UNLIMITED).map_err(|e| e.status())?;
        let mut fixed: Vec<&'static NodeSpec> = specs
            .iter()
            .filter(|s| {
                s.path.is_empty()
                    || (s.occurrence.min() >= 1 && !s.path.split('/').any(|seg| seg == "*"))
            })
            .collect();
        fixed.sort_by_key(|s| s.path.split('/').filter(|x| !x.is_empty()).count());
        for spec in fixed {
            let mut full = root_uri.path().to_owned();
            if !spec.path.is_empty() {
                if !full.is_empty() {
                    full.push('/');
                }
                full.push_str(spec.path);
            }
            let uri = Uri::parse(
                if full.is_empty() { "." } else { &full },
                &UriLimits::UNLIMITED,
            )
            .map_err(|e| e.status())?;
            if self.resolve(uri).is_some() {
                continue;
            }
            // create missing ancestors (interior, as an implicit Add would)
            let mut parent = 0u32;
            for seg in uri.parent().into_iter().flat_map(|p| p.segments()) {
                parent = match self.store.find_child(parent, seg) {
                    Some(c) => c,
                    None => {
                        let lookup = SpecLookup::Free;
                        self.create(None, parent, seg, Format::Node, lookup)?
                    }
                };
            }
            if self.store.get(parent).is_none_or(|n| !n.is_interior()) {
                return Err(Status::COMMAND_NOT_ALLOWED);
            }
            let id = self.create(
                None,
                parent,
                uri.name(),
                spec.format,
                SpecLookup::Spec(spec),
            )?;
            if let (Some(default), false) = (spec.default_value, spec.is_interior()) {
                let value = Value::parse(spec.format, default.as_bytes())
                    .map_err(|_| Status::BAD_REQUEST)?;
                if let Some(node) = self.store.get_mut(id) {
                    node.value = value;
                }
            }
        }
        Ok(())
    }

    /// Copies the nodes for a later [`restore`](Self::restore) (handlers and bindings are
    /// not part of it; work a handler did in between is not undone).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.store.clone())
    }

    /// Puts the nodes back as they were at `snapshot`.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.store = snapshot.0;
    }

    // ---------------------------------------------------------------- lookup

    /// The node at `uri` (a URI text without query), if it exists and the URI is valid.
    pub fn node(&self, uri: &str) -> Option<NodeRef<'_>> {
        let uri = Uri::parse(uri, &UriLimits::UNLIMITED).ok()?;
        let id = self.resolve(uri)?;
        self.node_by_id(NodeId(id))
    }

    /// The node behind a handle.
    pub fn node_by_id(&self, id: NodeId) -> Option<NodeRef<'_>> {
        self.store.get(id.0).map(|node| NodeRef { node, id: id.0 })
    }

    /// The names of a node's children, in creation order.
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = &str> {
        self.store
            .get(id.0)
            .into_iter()
            .flat_map(|n| n.children.iter())
            .filter_map(|c| self.store.get(c.id).map(|n| &*n.name))
    }

    /// Resolves a URI to a node without allocating.
    pub fn resolve(&self, uri: Uri<'_>) -> Option<u32> {
        let mut id = 0u32;
        if uri.is_root() {
            return Some(id);
        }
        // One pass over the bytes finds each segment's end and hashes it on the way (the
        // segments are short: a searcher would cost more than it saves).
        let path = uri.path();
        let (mut start, mut hash) = (0, NAME_HASH_START);
        for (i, b) in path.bytes().enumerate() {
            if b == b'/' {
                id = self
                    .store
                    .find_hashed_child(id, path.get(start..i)?, hash)?;
                (start, hash) = (i + 1, NAME_HASH_START);
            } else {
                hash = name_hash_step(hash, b);
            }
        }
        self.store.find_hashed_child(id, path.get(start..)?, hash)
    }

    /// The node id behind a handle for a URI.
    pub fn lookup(&self, uri: Uri<'_>) -> Option<NodeId> {
        self.resolve(uri).map(NodeId)
    }

    /// The full URI of a node (`./A/B`, `.` for the root).
    pub fn uri_of(&self, id: NodeId) -> Option<String> {
        let mut names = Vec::new();
        let mut cur = id.0;
        while cur != 0 {
            let node = self.store.get(cur)?;
            names.push(&*node.name);
            cur = node.parent;
        }
        if names.is_empty() {
            return Some(".".to_owned());
        }
        let mut out = String::from(".");
        for name in names.iter().rev() {
            out.push('/');
            out.push_str(name);
        }
        Some(out)
    }

    // ---------------------------------------------------------------- ACL

    /// The ACL in force at a node: its own if non-empty, else the nearest non-empty
    /// ancestor's (whole-ACL inheritance). Walks at most the node's depth; allocates nothing.
    pub fn effective_acl(&self, id: NodeId) -> Option<&Acl> {
        let mut cur = id.0;
        loop {
            let node = self.store.get(cur)?;
            if !node.acl.is_empty() {
                return Some(&node.acl);
            }
            cur = node.parent;
        }
    }

    /// Whether `server` may perform `cmd` on the node. Allocates nothing.
    pub fn allows(&self, server: &str, cmd: AclCommand, id: NodeId) -> bool {
        self.effective_acl(id)
            .is_some_and(|acl| acl.allows(cmd, server))
    }

    /// Whether `server` may replace the node's ACL: for an interior node Replace on the node
    /// or its parent, for a leaf Replace on the parent only (TND §4.4 rule 4).
    pub fn may_change_acl(&self, server: &str, id: NodeId) -> bool {
        let Some(node) = self.store.get(id.0) else {
            return false;
        };
        let on_parent = node.parent != NO_PARENT
            && self.allows(server, AclCommand::Replace, NodeId(node.parent));
        if node.is_interior() {
            on_parent || self.allows(server, AclCommand::Replace, id)
        } else {
            on_parent
        }
    }

    /// Decides by the ACL alone whether `server` may send `cmd` to `target`: a plain URI
    /// checks the node's effective ACL; `Add` checks the new node's parent (which must
    /// exist); `?prop=ACL` with `Replace` applies the ACL-change rule; other `?prop=` and
    /// `?list=` targets need the right on the node. `Err` carries the status for a target
    /// that names no node (404) or a command the suffix does not allow (405).
    pub fn acl_permits(
        &self,
        server: &str,
        cmd: AclCommand,
        target: &Target<'_>,
    ) -> Result<bool, Status> {
        use AclCommand::{Add, Get, Replace};
        let node = |uri: Uri<'_>| self.lookup(uri).ok_or(Status::NOT_FOUND);
        match (cmd, target.query) {
            (Add, None) => {
                let parent = target.uri.parent().ok_or(Status::ALREADY_EXISTS)?;
                Ok(self.allows(server, Add, node(parent)?))
            }
            (Replace, Some(Query::Prop(Property::Acl))) => {
                Ok(self.may_change_acl(server, node(target.uri)?))
            }
            (Get | Replace, Some(Query::Prop(_))) | (Get, Some(Query::List(_))) | (_, None) => {
                Ok(self.allows(server, cmd, node(target.uri)?))
            }
            (_, Some(_)) => Err(Status::COMMAND_NOT_ALLOWED),
        }
    }

    fn permits(&self, server: Option<&str>, cmd: AclCommand, id: u32) -> bool {
        server.is_none_or(|s| self.allows(s, cmd, NodeId(id)))
    }

    /// Removes a server identifier from every ACL (TND §4.4 rule 6).
    pub fn remove_server(&mut self, server: &str) {
        for (i, slot) in self.store.slots.iter_mut().enumerate() {
            if let Some(node) = slot {
                if !node.acl.is_empty() {
                    node.acl = node.acl.without_server(server, i == 0);
                }
            }
        }
    }

    // ---------------------------------------------------------------- specs

    /// The spec describing `path`, from the management objects bound to the tree. Inline up
    /// to the common answer of a tree without bindings.
    #[inline]
    fn spec_for(&self, path: &str) -> SpecLookup {
        if self.bindings.is_empty() {
            return SpecLookup::Free;
        }
        self.spec_among_bindings(path)
    }

    #[inline(never)]
    fn spec_among_bindings(&self, path: &str) -> SpecLookup {
        let mut best: Option<(usize, &Binding)> = None;
        for b in &self.bindings {
            if let Some(len) = under(path, &b.root) {
                if best.is_none_or(|(l, _)| len >= l) {
                    best = Some((len, b));
                }
            }
        }
        let Some((len, binding)) = best else {
            return SpecLookup::Free;
        };
        let rel = path.get(len..).unwrap_or("");
        let rel = rel.strip_prefix('/').unwrap_or(rel);
        let mut found: Option<(usize, &'static NodeSpec)> = None;
        for spec in binding.specs {
            let mut spec_segs = spec.path.split('/').filter(|s| !s.is_empty());
            let mut segs = rel.split('/').filter(|s| !s.is_empty());
            let mut exact = 0usize;
            let ok = loop {
                match (spec_segs.next(), segs.next()) {
                    (None, None) => break true,
                    (Some(a), Some(b)) if segment_matches(a, b, spec.case_sense) => {
                        exact += usize::from(a != "*");
                    }
                    _ => break false,
                }
            };
            if ok && found.is_none_or(|(e, _)| exact > e) {
                found = Some((exact, spec));
            }
        }
        found.map_or(SpecLookup::Unknown, |(_, s)| SpecLookup::Spec(s))
    }

    fn spec_of_node(&self, id: u32) -> SpecLookup {
        if self.bindings.is_empty() {
            return SpecLookup::Free;
        }
        match self.uri_of(NodeId(id)) {
            Some(uri) => self.spec_for(uri.strip_prefix("./").unwrap_or("")),
            None => SpecLookup::Free,
        }
    }

    /// Whether `path` may lie at or below a mount root; `false` is exact.
    #[inline]
    fn may_be_mounted(&self, path: &str) -> bool {
        match path.as_bytes().first() {
            Some(&b) => self
                .mount_initials
                .get(usize::from(b >> 6))
                .is_some_and(|word| (word >> (b & 63)) & 1 != 0),
            None => !self.mounts.is_empty(),
        }
    }

    /// The mount whose root is the longest prefix of `path`: its index and root length.
    /// Inline, so that a path no mount can hold (most of them) costs no call.
    #[inline(always)]
    fn mount_for(&self, path: &str) -> Option<(usize, usize)> {
        if !self.may_be_mounted(path) {
            return None;
        }
        self.mount_among(path)
    }

    /// [`mount_for`](Self::mount_for) past its first-byte filter.
    #[inline(never)]
    fn mount_among(&self, path: &str) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (i, m) in self.mounts.iter().enumerate() {
            if let Some(len) = under(path, &m.root) {
                if best.is_none_or(|(_, l)| len >= l) {
                    best = Some((i, len));
                }
            }
        }
        best
    }

    #[inline]
    fn touch(&mut self, id: u32) {
        let now = self.now.clone();
        if let Some(node) = self.store.get_mut(id) {
            node.verno = node.verno.wrapping_add(1);
            if let Some(now) = now {
                node.extra_mut().tstamp = Some(now);
            }
        }
    }

    /// Marks a node permanent or dynamic (device-side configuration).
    pub fn set_scope(&mut self, id: NodeId, scope: Scope) {
        if let Some(node) = self.store.get_mut(id.0) {
            match scope {
                Scope::Permanent => node.flags |= FLAG_PERMANENT,
                Scope::Dynamic => node.flags &= !FLAG_PERMANENT,
            }
        }
    }

    /// Sets whether a node's name matches case-insensitively (device-side configuration).
    pub fn set_case_sense(&mut self, id: NodeId, case: CaseSense) {
        if let Some(node) = self.store.get_mut(id.0) {
            match case {
                CaseSense::Cis => node.flags |= FLAG_CIS,
                CaseSense::Cs => node.flags &= !FLAG_CIS,
            }
        }
    }

    /// Sets a node's `Type` property (device-side; servers set it with Add/Replace meta).
    pub fn set_type(&mut self, id: NodeId, mime: Option<&str>) {
        if let Some(node) = self.store.get_mut(id.0) {
            node.extra_mut().mime = mime.map(Into::into);
        }
    }

    // ---------------------------------------------------------------- execute

    /// Runs one operation on behalf of `server`, enforcing its ACL rights.
    pub fn execute(&mut self, server: &str, op: &Op<'_>) -> Outcome {
        self.run(Some(server), op)
    }

    /// [`execute`](Self::execute) for a caller that keeps only the status (a DM client
    /// answering a Replace, Delete, Copy or Exec with a bare Status). A Replace, Delete or
    /// Copy then hands its status back as it is, not inside an [`Outcome`] the caller reads
    /// back from memory right after it was written.
    pub fn execute_status(&mut self, server: &str, op: &Op<'_>) -> Status {
        self.run_status(Some(server), op)
    }

    /// Runs one operation on behalf of the device itself: no ACL check, every other rule
    /// (structure, node specs, formats) still applies.
    pub fn execute_local(&mut self, op: &Op<'_>) -> Outcome {
        self.run(None, op)
    }

    fn run(&mut self, server: Option<&str>, op: &Op<'_>) -> Outcome {
        let target = match Target::parse(op.target, &self.limits) {
            Ok(t) => t,
            Err(e) => return e.status().into(),
        };
        match op.command {
            Command::Get => self.get(server, op, target),
            Command::Exec => self.exec(server, op, target),
            Command::Add => {
                let outcome = self.add(server, op, target);
                if outcome.status.is_success() {
                    self.notify_change(server, op.command, target.uri);
                }
                outcome
            }
            Command::Replace | Command::Delete | Command::Copy => {
                Outcome::status(self.change(server, op, target))
            }
        }
    }

    fn run_status(&mut self, server: Option<&str>, op: &Op<'_>) -> Status {
        match op.command {
            Command::Replace | Command::Delete | Command::Copy => {
                match Target::parse(op.target, &self.limits) {
                    Ok(target) => self.change(server, op, target),
                    Err(e) => e.status(),
                }
            }
            Command::Get | Command::Add | Command::Exec => self.run(server, op).status,
        }
    }

    /// The status of a Replace, Delete or Copy of `target`, handlers told of the change.
    fn change(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Status {
        let status = match op.command {
            Command::Replace => self.replace(server, op, target),
            Command::Delete => self.delete(server, target),
            Command::Copy => self.copy(server, op, target),
            // Not sent here by `run` or `run_status`; answered as `run` answers them.
            Command::Get | Command::Add | Command::Exec => return self.run(server, op).status,
        };
        if status.is_success() {
            self.notify_change(server, op.command, target.uri);
        }
        status
    }

    /// Lets every handler whose subtree a Get reads refuse it: the one mounted over `uri`,
    /// and with a query (`?list=`, which walks the subtree) those mounted below it.
    fn ask_readers(
        &mut self,
        server: Option<&str>,
        uri: Uri<'_>,
        query: bool,
    ) -> Result<(), Status> {
        let path = uri.path();
        // A query reads the mounts below the target too, which no initial tells.
        if !query && !self.may_be_mounted(path) {
            return Ok(());
        }
        for m in &mut self.mounts {
            let rel = match under(path, &m.root) {
                Some(len) => path.get(len..).unwrap_or(""),
                None if query && under(&m.root, path).is_some() => "",
                None => continue,
            };
            if let Some(handler) = m.handler.as_mut() {
                handler.on_read(
                    server,
                    Uri::from_valid_path(rel.strip_prefix('/').unwrap_or(rel)),
                )?;
            }
        }
        Ok(())
    }

    /// Tells the handler mounted over `uri`, if any, that a command changed it. Inline up to
    /// the first-byte filter: most changes are under no mount.
    #[inline]
    fn notify_change(&mut self, server: Option<&str>, command: Command, uri: Uri<'_>) {
        if self.may_be_mounted(uri.path()) {
            self.notify_mounted_change(server, command, uri);
        }
    }

    #[inline(never)]
    fn notify_mounted_change(&mut self, server: Option<&str>, command: Command, uri: Uri<'_>) {
        let Some((i, len)) = self.mount_among(uri.path()) else {
            return;
        };
        // A handler that is running (changing its own subtree) is not called again.
        let Some(mut handler) = self.mounts.get_mut(i).and_then(|m| m.handler.take()) else {
            return;
        };
        let change = Change {
            server,
            command,
            uri,
            path: below_mount(uri, len),
        };
        handler.after_change(self, &change);
        if let Some(m) = self.mounts.get_mut(i) {
            m.handler = Some(handler);
        }
    }

    /// Common checks for commands on an existing node: 404, then 425, then 405.
    fn existing(
        &self,
        server: Option<&str>,
        uri: Uri<'_>,
        cmd: AclCommand,
        access: AccessType,
    ) -> Result<u32, Status> {
        let id = self.resolve(uri).ok_or(Status::NOT_FOUND)?;
        self.existing_id(server, id, uri, cmd, access)
    }

    /// [`existing`](Self::existing) for a node already resolved from `uri`.
    fn existing_id(
        &self,
        server: Option<&str>,
        id: u32,
        uri: Uri<'_>,
        cmd: AclCommand,
        access: AccessType,
    ) -> Result<u32, Status> {
        if !self.permits(server, cmd, id) {
            return Err(Status::PERMISSION_DENIED);
        }
        if !self.spec_for(uri.path()).allows(server, access) {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        Ok(id)
    }

    /// The value a handler mounted over `uri` serves, if any.
    pub(crate) fn live_value(&mut self, uri: Uri<'_>) -> Option<Value> {
        let (i, len) = self.mount_for(uri.path())?;
        self.mounts
            .get_mut(i)
            .and_then(|m| m.handler.as_mut())
            .and_then(|h| h.value(below_mount(uri, len)))
    }

    /// Whether any handler is mounted.
    pub(crate) fn has_mounts(&self) -> bool {
        !self.mounts.is_empty()
    }

    pub(crate) fn leaf_value(&mut self, id: u32, uri: Uri<'_>) -> Value {
        if let Some(v) = self.live_value(uri) {
            return v;
        }
        self.store
            .get(id)
            .map(|n| n.value.clone())
            .unwrap_or_default()
    }

    fn get(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Outcome {
        let mut results = Vec::new();
        let status = self.get_target(server, op.target, target, &mut |r| {
            results.push(r.into_owned());
        });
        Outcome {
            status,
            results,
            failed_uri: None,
        }
    }

    /// Runs a Get of `target` on behalf of `server` (as [`Tree::execute`] of [`Op::get`]
    /// does) and hands each result to `each` as it is read, instead of collecting them: no
    /// list, and no copy of the source URI or the media type. A Get of a node gives one
    /// result whose `source` is `target` itself.
    ///
    /// ```
    /// use dm_tree::{Format, Op, Tree};
    ///
    /// let mut tree = Tree::new();
    /// tree.execute_local(&Op::add("./Dev").with_format(Format::Node));
    /// tree.execute_local(&Op::add("./Dev/Mod").with_text("X1"));
    /// let mut values = Vec::new();
    /// let status = tree.get_each_local("./Dev/Mod", |r| {
    ///     values.push((r.source.into_owned(), r.data));
    /// });
    /// assert!(status.is_success());
    /// assert_eq!(values, [("./Dev/Mod".to_owned(), Some(b"X1".to_vec()))]);
    /// ```
    pub fn get_each(
        &mut self,
        server: &str,
        target: &str,
        mut each: impl FnMut(ResultRef<'_>),
    ) -> Status {
        self.get_parsed(Some(server), target, &mut each)
    }

    /// [`Tree::get_each`] on behalf of the device itself: no ACL check.
    pub fn get_each_local(&mut self, target: &str, mut each: impl FnMut(ResultRef<'_>)) -> Status {
        self.get_parsed(None, target, &mut each)
    }

    fn get_parsed(
        &mut self,
        server: Option<&str>,
        text: &str,
        each: &mut dyn FnMut(ResultRef<'_>),
    ) -> Status {
        match Target::parse(text, &self.limits) {
            Ok(target) => self.get_target(server, text, target, each),
            Err(e) => e.status(),
        }
    }

    fn get_target(
        &mut self,
        server: Option<&str>,
        text: &str,
        target: Target<'_>,
        each: &mut dyn FnMut(ResultRef<'_>),
    ) -> Status {
        let uri = target.uri;
        // The first segment is `Inbox` (tested on the bytes: a split iterator costs more).
        let path = uri.path();
        if path
            .strip_prefix("Inbox")
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        {
            return Status::COMMAND_NOT_ALLOWED;
        }
        let id = match self.existing(server, uri, AclCommand::Get, AccessType::GET) {
            Ok(id) => id,
            Err(s) => return s,
        };
        if let Err(status) = self.ask_readers(server, uri, target.query.is_some()) {
            return status;
        }
        match target.query {
            None => {
                let interior = match self.store.get(id) {
                    Some(node) => node.is_interior(),
                    None => return Status::NOT_FOUND,
                };
                let data = if interior {
                    // Sized first: one allocation instead of regrowing through the names.
                    let len = self
                        .children(NodeId(id))
                        .map(|name| name.len() + 1)
                        .sum::<usize>();
                    let mut out = Vec::with_capacity(len);
                    for (i, name) in self.children(NodeId(id)).enumerate() {
                        if i > 0 {
                            out.push(b'/');
                        }
                        out.extend_from_slice(name.as_bytes());
                    }
                    out
                } else if let Some(v) = self.live_value(uri) {
                    v.to_data()
                } else {
                    // Written straight from the stored value: no copy of it first.
                    self.store
                        .get(id)
                        .map(|n| n.value.to_data())
                        .unwrap_or_default()
                };
                let Some(node) = self.store.get(id) else {
                    return Status::NOT_FOUND;
                };
                each(ResultRef {
                    source: Cow::Borrowed(text),
                    format: node.format,
                    mime: node.mime().map(Cow::Borrowed),
                    data: Some(data),
                });
                Status::OK
            }
            Some(Query::Prop(prop)) => match self.prop_value(id, uri, prop) {
                Ok(data) => {
                    each(ResultRef {
                        source: Cow::Borrowed(text),
                        format: Format::Chr,
                        mime: Some(Cow::Borrowed("text/plain")),
                        data: Some(data.into_bytes()),
                    });
                    Status::OK
                }
                Err(s) => s,
            },
            Some(Query::List(list)) => {
                let out = self.list(server, id, text, list);
                for r in out.results {
                    each(ResultRef {
                        source: Cow::Owned(r.source),
                        format: r.format,
                        mime: r.mime.map(Cow::Owned),
                        data: r.data,
                    });
                }
                out.status
            }
        }
    }

    fn prop_value(&mut self, id: u32, uri: Uri<'_>, prop: Property) -> Result<String, Status> {
        let node = self.store.get(id).ok_or(Status::NOT_FOUND)?;
        Ok(match prop {
            // the node's own ACL: an empty one is returned empty, not the inherited value
            Property::Acl => node.acl.to_string(),
            Property::Format => node.format.name().to_owned(),
            Property::Name => node.name.to_string(),
            Property::Size => {
                if node.is_interior() {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
                let format = node.format;
                self.leaf_value(id, uri).size(format).to_string()
            }
            Property::Title => node.title().unwrap_or("").to_owned(),
            Property::TStamp => node.tstamp().unwrap_or("").to_owned(),
            Property::Type => node.mime().unwrap_or("").to_owned(),
            Property::VerNo => node.verno.to_string(),
        })
    }

    /// The nodes of a subtree in pre-order that `server` may Get.
    pub(crate) fn visible_subtree(&self, server: Option<&str>, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(cur) = stack.pop() {
            let Some(node) = self.store.get(cur) else {
                continue;
            };
            if cur != id && !self.permits(server, AclCommand::Get, cur) {
                continue;
            }
            out.push(cur);
            stack.extend(node.children.iter().rev().map(|c| c.id));
        }
        out
    }

    fn list(&mut self, server: Option<&str>, id: u32, source: &str, list: ListQuery) -> Outcome {
        if list.kind == ListKind::Tnds {
            let mut out = Vec::new();
            crate::tnds::write_subtree(self, server, NodeId(id), list.filter, &mut out);
            return Outcome::ok_with(vec![ResultItem {
                source: source.to_owned(),
                format: Format::Xml,
                mime: Some(TNDS_XML.to_owned()),
                data: Some(out),
            }]);
        }
        let mut items = Vec::new();
        for cur in self.visible_subtree(server, id) {
            let Some(uri_text) = self.uri_of(NodeId(cur)) else {
                continue;
            };
            let Some(node) = self.store.get(cur) else {
                continue;
            };
            let format = node.format;
            let mime = node.mime().map(str::to_owned);
            let data = if list.kind == ListKind::StructData && !node.is_interior() {
                let uri = Uri::from_valid_path(uri_text.strip_prefix("./").unwrap_or(""));
                Some(self.leaf_value(cur, uri).to_data())
            } else {
                None
            };
            items.push(ResultItem {
                source: uri_text,
                format,
                mime,
                data,
            });
        }
        Outcome::ok_with(items)
    }

    fn add(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Outcome {
        if target.query.is_some() {
            // no property can be created at run time
            return Status::COMMAND_NOT_ALLOWED.into();
        }
        let uri = target.uri;
        if self.resolve(uri).is_some() {
            return Status::ALREADY_EXISTS.into();
        }
        // the deepest existing ancestor, and the URIs of the missing ones below it
        let mut missing: Vec<Uri<'_>> = Vec::new();
        let mut cur = uri.parent();
        let anchor = loop {
            let Some(p) = cur else {
                return Status::NOT_FOUND.into();
            };
            if let Some(id) = self.resolve(p) {
                break id;
            }
            missing.push(p);
            cur = p.parent();
        };
        missing.reverse();
        let fail = |status: Status, at: Option<&Uri<'_>>| Outcome {
            status,
            results: Vec::new(),
            failed_uri: at.map(ToString::to_string),
        };
        let first_missing = missing.first();
        if self.store.get(anchor).is_none_or(|n| !n.is_interior()) {
            return fail(Status::COMMAND_NOT_ALLOWED, first_missing);
        }
        if !self.permits(server, AclCommand::Add, anchor) {
            return fail(Status::PERMISSION_DENIED, first_missing);
        }
        // node specs: every node to create must be addable and within its Occurrence
        let mut parent_path_id = Some(anchor);
        for (i, m) in missing.iter().chain(core::iter::once(&uri)).enumerate() {
            let lookup = self.spec_for(m.path());
            if !lookup.allows(server, AccessType::ADD) {
                return fail(
                    Status::COMMAND_NOT_ALLOWED,
                    (i < missing.len()).then_some(m),
                );
            }
            if let Some(spec) = lookup.spec() {
                if i < missing.len() && !spec.is_interior() {
                    return fail(Status::COMMAND_NOT_ALLOWED, Some(m));
                }
            }
            if let (Some(spec), Some(pid)) = (lookup.spec(), parent_path_id) {
                let count = self.count_siblings_with_spec(pid, spec);
                if !spec.occurrence.allows(count.saturating_add(1)) {
                    return fail(
                        Status::COMMAND_NOT_ALLOWED,
                        (i < missing.len()).then_some(m),
                    );
                }
            }
            // below the first created node every sibling set is new
            parent_path_id = None;
        }
        let lookup = self.spec_for(uri.path());
        let spec = lookup.spec();
        let format = match (op.format, spec) {
            (Some(f), Some(s)) if !format_fits(s.format, f, op.data_bytes()) => {
                return Status::UNSUPPORTED_MEDIA_TYPE.into()
            }
            (Some(f), _) => f,
            (None, Some(s)) => s.format,
            (None, None) => Format::Chr,
        };
        if let (Some(s), Some(m)) = (spec, op.mime) {
            if !s.is_interior() && !s.mime.is_empty() && !s.mime.contains(&m) && !is_tnds(m) {
                return Status::UNSUPPORTED_MEDIA_TYPE.into();
            }
        }
        if op.mime.is_some_and(is_tnds) {
            return crate::tnds::add_from_op(self, server, op, uri);
        }
        let value = if format == Format::Node {
            Value::Empty
        } else {
            match Value::parse_data(format, op.data) {
                Ok(v) => v,
                Err(_) => return Status::BAD_REQUEST.into(),
            }
        };
        if format != Format::Node {
            if let Err(s) = self.notify_write(uri, &value) {
                return s.into();
            }
        }
        // create: implicit interior ancestors first, then the node
        let mut parent = anchor;
        for m in &missing {
            match self.create(
                server,
                parent,
                m.name(),
                Format::Node,
                self.spec_for(m.path()),
            ) {
                Ok(id) => parent = id,
                Err(s) => return fail(s, Some(m)),
            }
        }
        match self.create(server, parent, uri.name(), format, lookup) {
            Ok(id) => {
                if let Some(node) = self.store.get_mut(id) {
                    node.value = value;
                    if let Some(m) = op.mime {
                        node.extra_mut().mime = Some(m.into());
                    }
                }
                Status::OK.into()
            }
            Err(s) => s.into(),
        }
    }

    fn count_siblings_with_spec(&self, parent: u32, spec: &'static NodeSpec) -> u32 {
        let Some(p) = self.store.get(parent) else {
            return 0;
        };
        let mut n = 0u32;
        for c in p.children.iter().map(|c| c.id) {
            if let SpecLookup::Spec(s) = self.spec_of_node(c) {
                if core::ptr::eq(s, spec) {
                    n = n.saturating_add(1);
                }
            }
        }
        n
    }

    /// Creates one node under `parent`, applying its spec's defaults and the ACL exception
    /// for interior nodes added without Replace on the parent (TND §4.4 rule 5).
    pub(crate) fn create(
        &mut self,
        server: Option<&str>,
        parent: u32,
        name: &str,
        format: Format,
        lookup: SpecLookup,
    ) -> Result<u32, Status> {
        let mut node = Node::new(name, parent, format);
        if let Some(spec) = lookup.spec() {
            if spec.scope == Scope::Permanent {
                node.flags |= FLAG_PERMANENT;
            }
            if spec.case_sense == CaseSense::Cis {
                node.flags |= FLAG_CIS;
            }
            if let Some(first) = spec.mime.first() {
                node.extra_mut().mime = Some((*first).into());
            }
            if let Some(title) = spec.title {
                node.extra_mut().title = Some(title.into());
            }
        }
        if let Some(s) = server {
            if format == Format::Node && !self.allows(s, AclCommand::Replace, NodeId(parent)) {
                node.acl = Acl::empty()
                    .with_grant(AclCommand::Add, s)
                    .with_grant(AclCommand::Delete, s)
                    .with_grant(AclCommand::Replace, s);
            }
        }
        if let Some(now) = &self.now {
            node.extra_mut().tstamp = Some(now.clone());
        }
        self.store.insert(node)
    }

    fn notify_write(&mut self, uri: Uri<'_>, value: &Value) -> Result<(), Status> {
        match self.mount_for(uri.path()) {
            Some(mount) => self.notify_write_at(mount, uri, value),
            None => Ok(()),
        }
    }

    /// [`notify_write`](Self::notify_write) to the handler of `mount` (index and root length,
    /// as [`mount_for`](Self::mount_for) gives them), which the caller has already looked up.
    fn notify_write_at(
        &mut self,
        (i, len): (usize, usize),
        uri: Uri<'_>,
        value: &Value,
    ) -> Result<(), Status> {
        if let Some(handler) = self.mounts.get_mut(i).and_then(|m| m.handler.as_mut()) {
            handler.on_write(below_mount(uri, len), value)?;
        }
        Ok(())
    }

    fn replace(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Status {
        let uri = target.uri;
        let Some(id) = self.resolve(uri) else {
            return Status::NOT_FOUND;
        };
        let data = op.data_bytes();
        let result = match target.query {
            Some(Query::Prop(Property::Acl)) => self.replace_acl(server, id, data),
            Some(Query::Prop(Property::Name)) => self.rename(server, id, uri, data),
            Some(Query::Prop(Property::Title)) => self.retitle(server, id, uri, data),
            Some(Query::Prop(_)) | Some(Query::List(_)) => Err(Status::COMMAND_NOT_ALLOWED),
            None => self.replace_value(server, op, uri, id),
        };
        result.err().unwrap_or(Status::OK)
    }

    fn replace_acl(&mut self, server: Option<&str>, id: u32, data: &[u8]) -> Result<(), Status> {
        if let Some(s) = server {
            if !self.may_change_acl(s, NodeId(id)) {
                return Err(Status::PERMISSION_DENIED);
            }
        }
        let text = core::str::from_utf8(data).map_err(|_| Status::BAD_REQUEST)?;
        let acl = Acl::parse(text).map_err(|_| Status::BAD_REQUEST)?;
        // the root keeps a non-empty ACL whose Add stays `*` (TND §4.4 rule 1)
        if id == 0 && !acl.allows_everyone(AclCommand::Add) {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        if let Some(node) = self.store.get_mut(id) {
            node.acl = acl;
        }
        self.touch(id);
        Ok(())
    }

    fn rename(
        &mut self,
        server: Option<&str>,
        id: u32,
        uri: Uri<'_>,
        data: &[u8],
    ) -> Result<(), Status> {
        if !self.permits(server, AclCommand::Replace, id) {
            return Err(Status::PERMISSION_DENIED);
        }
        let node = self.store.get(id).ok_or(Status::NOT_FOUND)?;
        if id == 0 || node.flags & FLAG_PERMANENT != 0 {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        match self.spec_for(uri.path()) {
            SpecLookup::Free => {}
            SpecLookup::Spec(s) if s.is_placeholder() && s.access.contains(AccessType::REPLACE) => {
            }
            _ => return Err(Status::COMMAND_NOT_ALLOWED),
        }
        let name = core::str::from_utf8(data).map_err(|_| Status::BAD_REQUEST)?;
        check_segment(name, 0, &self.limits).map_err(|e| e.status())?;
        let parent = node.parent;
        if self
            .store
            .find_child(parent, name)
            .is_some_and(|other| other != id)
        {
            return Err(Status::ALREADY_EXISTS);
        }
        if let Some(node) = self.store.get_mut(id) {
            node.name = name.into();
        }
        if let Some(p) = self.store.get_mut(parent) {
            p.rehash_child(id, name_hash(name));
        }
        self.touch(id);
        Ok(())
    }

    fn retitle(
        &mut self,
        server: Option<&str>,
        id: u32,
        uri: Uri<'_>,
        data: &[u8],
    ) -> Result<(), Status> {
        if !self.permits(server, AclCommand::Replace, id) {
            return Err(Status::PERMISSION_DENIED);
        }
        if !self
            .spec_for(uri.path())
            .allows(server, AccessType::REPLACE)
        {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        let title = core::str::from_utf8(data).map_err(|_| Status::BAD_REQUEST)?;
        if title.len() > MAX_TITLE {
            return Err(Status::BAD_REQUEST);
        }
        if let Some(node) = self.store.get_mut(id) {
            node.extra_mut().title = (!title.is_empty()).then(|| title.into());
        }
        self.touch(id);
        Ok(())
    }

    fn replace_value(
        &mut self,
        server: Option<&str>,
        op: &Op<'_>,
        uri: Uri<'_>,
        id: u32,
    ) -> Result<(), Status> {
        // The checks of `existing_id`, keeping the spec looked up for them.
        if !self.permits(server, AclCommand::Replace, id) {
            return Err(Status::PERMISSION_DENIED);
        }
        let lookup = self.spec_for(uri.path());
        if !lookup.allows(server, AccessType::REPLACE) {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        if op.mime.is_some_and(is_tnds) {
            return crate::tnds::replace_from_op(self, server, op, uri, id);
        }
        let node = self.store.get(id).ok_or(Status::NOT_FOUND)?;
        if node.is_interior() {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        let spec = lookup.spec();
        let format = op.format.unwrap_or(node.format);
        if format == Format::Node {
            return Err(Status::UNSUPPORTED_MEDIA_TYPE);
        }
        if let Some(s) = spec {
            if !format_fits(s.format, format, op.data_bytes()) {
                return Err(Status::UNSUPPORTED_MEDIA_TYPE);
            }
            if let Some(m) = op.mime {
                if !s.mime.is_empty() && !s.mime.contains(&m) {
                    return Err(Status::UNSUPPORTED_MEDIA_TYPE);
                }
            }
        }
        if let Some(mount) = self.mount_for(uri.path()) {
            let value = Value::parse_data(format, op.data).map_err(|_| Status::BAD_REQUEST)?;
            self.notify_write_at(mount, uri, &value)?;
            if let Some(node) = self.store.get_mut(id) {
                node.value = value;
            }
        } else if let Some(node) = self.store.get_mut(id) {
            // No handler to ask first: the value is written where the node keeps it.
            node.value
                .set_data(format, op.data)
                .map_err(|_| Status::BAD_REQUEST)?;
        }
        if let Some(node) = self.store.get_mut(id) {
            node.format = format;
            if let Some(m) = op.mime {
                node.extra_mut().mime = Some(m.into());
            }
        }
        self.touch(id);
        Ok(())
    }

    fn delete(&mut self, server: Option<&str>, target: Target<'_>) -> Status {
        if target.query.is_some() {
            return Status::COMMAND_NOT_ALLOWED;
        }
        let uri = target.uri;
        if uri.is_root() {
            return Status::COMMAND_NOT_ALLOWED;
        }
        let id = match self.existing(server, uri, AclCommand::Delete, AccessType::DELETE) {
            Ok(id) => id,
            Err(s) => return s,
        };
        let Some(node) = self.store.get(id) else {
            return Status::NOT_FOUND;
        };
        if node.flags & FLAG_PERMANENT != 0 {
            return Status::COMMAND_NOT_ALLOWED;
        }
        if let Some(spec) = self.spec_for(uri.path()).spec() {
            if spec.scope == Scope::Permanent {
                return Status::COMMAND_NOT_ALLOWED;
            }
            let count = self.count_siblings_with_spec(node.parent, spec);
            if !spec.occurrence.allows(count.saturating_sub(1)) {
                return Status::COMMAND_NOT_ALLOWED;
            }
        }
        self.store.remove_subtree(id);
        Status::OK
    }

    fn copy(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Status {
        let Some(source) = op.source else {
            return Status::BAD_REQUEST;
        };
        let source = match Uri::parse(source, &self.limits) {
            Ok(s) => s,
            Err(e) => return e.status(),
        };
        if target.query.is_some() {
            return Status::COMMAND_NOT_ALLOWED;
        }
        self.copy_inner(server, source, target.uri)
            .err()
            .unwrap_or(Status::OK)
    }

    fn copy_inner(
        &mut self,
        server: Option<&str>,
        source: Uri<'_>,
        target: Uri<'_>,
    ) -> Result<(), Status> {
        let src = self.resolve(source).ok_or(Status::NOT_FOUND)?;
        if !self.permits(server, AclCommand::Get, src) {
            return Err(Status::PERMISSION_DENIED);
        }
        let src_node = self.store.get(src).ok_or(Status::NOT_FOUND)?;
        if src_node.is_interior() || !self.spec_for(source.path()).allows(server, AccessType::GET) {
            return Err(Status::FORBIDDEN);
        }
        let format = src_node.format;
        let mime = src_node.mime().map(Box::<str>::from);
        let value = self.leaf_value(src, source);
        let lookup = self.spec_for(target.path());
        if let Some(s) = lookup.spec() {
            if !format_fits(s.format, format, &[]) {
                return Err(Status::FORBIDDEN);
            }
        }
        let dst = match self.resolve(target) {
            Some(dst) => {
                if !self.permits(server, AclCommand::Replace, dst) {
                    return Err(Status::PERMISSION_DENIED);
                }
                let interior = self.store.get(dst).is_none_or(Node::is_interior);
                if interior || !lookup.allows(server, AccessType::REPLACE) {
                    return Err(Status::FORBIDDEN);
                }
                self.notify_write(target, &value)?;
                dst
            }
            None => {
                let parent_uri = target.parent().ok_or(Status::FORBIDDEN)?;
                let parent = self.resolve(parent_uri).ok_or(Status::NOT_FOUND)?;
                if !self.permits(server, AclCommand::Add, parent) {
                    return Err(Status::PERMISSION_DENIED);
                }
                let interior = self.store.get(parent).is_some_and(Node::is_interior);
                if !interior || !lookup.allows(server, AccessType::ADD) {
                    return Err(Status::FORBIDDEN);
                }
                if let Some(spec) = lookup.spec() {
                    let count = self.count_siblings_with_spec(parent, spec);
                    if !spec.occurrence.allows(count.saturating_add(1)) {
                        return Err(Status::FORBIDDEN);
                    }
                }
                self.notify_write(target, &value)?;
                self.create(server, parent, target.name(), format, lookup)?
            }
        };
        if let Some(node) = self.store.get_mut(dst) {
            node.value = value;
            node.format = format;
            node.extra_mut().mime = mime;
        }
        self.touch(dst);
        Ok(())
    }

    fn exec(&mut self, server: Option<&str>, op: &Op<'_>, target: Target<'_>) -> Outcome {
        if target.query.is_some() {
            return Status::COMMAND_NOT_ALLOWED.into();
        }
        let uri = target.uri;
        if let Err(s) = self.existing(server, uri, AclCommand::Exec, AccessType::EXEC) {
            return s.into();
        }
        let Some((i, len)) = self.mount_for(uri.path()) else {
            return Status::COMMAND_NOT_ALLOWED.into();
        };
        let Some(mut handler) = self.mounts.get_mut(i).and_then(|m| m.handler.take()) else {
            // the handler is running (it executed its own subtree): refuse re-entry
            return Status::COMMAND_FAILED.into();
        };
        let request = ExecRequest {
            server,
            uri,
            path: below_mount(uri, len),
            data: op.data.map(OpData::as_bytes),
            format: op.format,
            correlator: op.correlator,
        };
        let status = handler.exec(self, &request);
        if let Some(m) = self.mounts.get_mut(i) {
            m.handler = Some(handler);
        }
        status.into()
    }
}

impl Tree {
    pub(crate) fn spec_lookup(&self, path: &str) -> SpecLookup {
        self.spec_for(path)
    }

    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub(crate) fn remove_subtree(&mut self, id: u32) {
        self.store.remove_subtree(id);
    }

    pub(crate) fn now(&self) -> Option<&str> {
        self.now.as_deref()
    }
}

/// Whether an operation's format is acceptable for a spec's format. Operation nodes may be
/// described as `node` or `null` (scomo.md §1.2), and a `null` leaf accepts empty data of
/// any leaf format.
fn format_fits(spec: Format, given: Format, data: &[u8]) -> bool {
    spec == given || (spec == Format::Null && given != Format::Node && data.is_empty())
}

fn is_tnds(mime: &str) -> bool {
    mime == TNDS_XML || mime == TNDS_WBXML
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_is_send_and_small() {
        fn assert_send<T: Send>() {}
        assert_send::<Tree>();
        // the arena slot is what a million-node tree pays per node before heap strings
        assert!(size_of::<Option<Node>>() <= 96);
        assert_eq!(size_of::<Child>(), 8);
    }

    #[test]
    fn name_hash_ignores_ascii_case_only() {
        assert_eq!(name_hash("DevInfo"), name_hash("devinfo"));
        assert_ne!(name_hash("DevInfo"), name_hash("DevInf0"));
    }
}
