//! The borrowed DDF / TNDS model: one tree for both, values borrowed from the input.
//!
//! Every node of a document lives in one arena (a `Vec` in the order the nodes were added,
//! document order for a parsed tree), linked by indices; `DFProperties` and `RTProperties`
//! live in arenas of their own. A parse thus makes a handful of allocations, not several
//! per node, and dropping a tree frees a handful of blocks.

use crate::spec::{AccessType, CaseSense, Format, Occurrence, Scope};
use std::borrow::Cow;
use std::fmt;

/// Whether a document describes a management object (DDF) or carries a subtree (TNDS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// Some node has `DFProperties`.
    Ddf,
    /// No node has `DFProperties` (TNDS carries `RTProperties` and `Value`).
    Tnds,
}

/// `DFType` or TNDS `Type`: MIME types for a leaf, a DDF name (MO identifier) for an interior node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeInfo<'a> {
    /// One or more `MIME` elements (TNDS `Type` holds one).
    Mime(MimeList<'a>),
    /// A `DDFName` (may be empty).
    DdfName(Cow<'a, str>),
}

impl TypeInfo<'_> {
    /// The MIME types or the DDF name, as a list of strings (an empty DDF name gives none).
    pub fn values(&self) -> Vec<&str> {
        match self {
            Self::Mime(list) => list.iter().map(|m| m.as_ref()).collect(),
            Self::DdfName(name) if name.is_empty() => Vec::new(),
            Self::DdfName(name) => vec![name.as_ref()],
        }
    }

    /// A copy that owns its strings.
    pub fn into_owned(self) -> TypeInfo<'static> {
        match self {
            Self::Mime(list) => TypeInfo::Mime(list.into_owned()),
            Self::DdfName(name) => TypeInfo::DdfName(owned(name)),
        }
    }
}

/// The `MIME` elements of a type: never empty. The first is held inline, so the usual
/// single MIME type costs no allocation of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MimeList<'a> {
    first: Cow<'a, str>,
    more: Vec<Cow<'a, str>>,
}

impl<'a> MimeList<'a> {
    /// A list of one MIME type.
    pub fn new(first: impl Into<Cow<'a, str>>) -> Self {
        Self {
            first: first.into(),
            more: Vec::new(),
        }
    }

    /// Appends a MIME type.
    pub fn push(&mut self, mime: impl Into<Cow<'a, str>>) {
        self.more.push(mime.into());
    }

    /// The first MIME type.
    pub fn first(&self) -> &Cow<'a, str> {
        &self.first
    }

    /// The number of MIME types (at least one).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        1 + self.more.len()
    }

    /// The MIME types in document order.
    pub fn iter(&self) -> impl Iterator<Item = &Cow<'a, str>> + '_ {
        std::iter::once(&self.first).chain(&self.more)
    }

    /// A copy that owns its strings.
    pub fn into_owned(self) -> MimeList<'static> {
        MimeList {
            first: owned(self.first),
            more: self.more.into_iter().map(owned).collect(),
        }
    }
}

impl<'l, 'a> IntoIterator for &'l MimeList<'a> {
    type Item = &'l Cow<'a, str>;
    type IntoIter =
        std::iter::Chain<std::iter::Once<&'l Cow<'a, str>>, std::slice::Iter<'l, Cow<'a, str>>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(&self.first).chain(self.more.iter())
    }
}

/// `DFProperties`: the description of a node in a DDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfProperties<'a> {
    /// `AccessType`.
    pub access: AccessType,
    /// `DefaultValue`.
    pub default_value: Option<Cow<'a, str>>,
    /// `Description`.
    pub description: Option<Cow<'a, str>>,
    /// `DFFormat`.
    pub format: Format,
    /// `Occurrence`, if written (absent means [`Occurrence::One`]).
    pub occurrence: Option<Occurrence>,
    /// `Scope`, if written (absent means [`Scope::Dynamic`]).
    pub scope: Option<Scope>,
    /// `DFTitle`.
    pub title: Option<Cow<'a, str>>,
    /// `DFType`.
    pub df_type: TypeInfo<'a>,
    /// `CaseSense`, if written (absent means [`CaseSense::Cs`]).
    pub case_sense: Option<CaseSense>,
}

impl DfProperties<'_> {
    /// The occurrence, with the DTD default.
    pub fn occurrence(&self) -> Occurrence {
        self.occurrence.unwrap_or_default()
    }

    /// The scope, with the DTD default.
    pub fn scope(&self) -> Scope {
        self.scope.unwrap_or_default()
    }

    /// The case sensitivity, with the default.
    pub fn case_sense(&self) -> CaseSense {
        self.case_sense.unwrap_or_default()
    }
}

/// `RTProperties`: the run-time properties of a node in TNDS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtProperties<'a> {
    /// `ACL`.
    pub acl: Option<Cow<'a, str>>,
    /// `Format`.
    pub format: Option<Format>,
    /// `Name`.
    pub name: Option<Cow<'a, str>>,
    /// `Size`.
    pub size: Option<Cow<'a, str>>,
    /// `Title`.
    pub title: Option<Cow<'a, str>>,
    /// `TStamp`.
    pub tstamp: Option<Cow<'a, str>>,
    /// `Type` (mandatory in the DTD; real files omit it).
    pub rt_type: Option<TypeInfo<'a>>,
    /// `VerNo`.
    pub ver_no: Option<Cow<'a, str>>,
}

impl RtProperties<'_> {
    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.acl.is_none()
            && self.format.is_none()
            && self.name.is_none()
            && self.size.is_none()
            && self.title.is_none()
            && self.tstamp.is_none()
            && self.rt_type.is_none()
            && self.ver_no.is_none()
    }
}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn owned_opt(s: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    s.map(owned)
}

impl RtProperties<'_> {
    /// A copy that owns its strings.
    pub fn into_owned(self) -> RtProperties<'static> {
        RtProperties {
            acl: owned_opt(self.acl),
            format: self.format,
            name: owned_opt(self.name),
            size: owned_opt(self.size),
            title: owned_opt(self.title),
            tstamp: owned_opt(self.tstamp),
            rt_type: self.rt_type.map(TypeInfo::into_owned),
            ver_no: owned_opt(self.ver_no),
        }
    }
}

impl DfProperties<'_> {
    /// A copy that owns its strings.
    pub fn into_owned(self) -> DfProperties<'static> {
        DfProperties {
            access: self.access,
            default_value: owned_opt(self.default_value),
            description: owned_opt(self.description),
            format: self.format,
            occurrence: self.occurrence,
            scope: self.scope,
            title: owned_opt(self.title),
            df_type: self.df_type.into_owned(),
            case_sense: self.case_sense,
        }
    }
}

/// The end of a link: no parent, child or sibling.
pub(crate) const NONE: u32 = u32::MAX;

/// The most nodes a [`MgmtTree`] holds (the arena links nodes by 32-bit indices).
pub const MAX_NODES: usize = (u32::MAX - 1) as usize;

/// A node of a [`MgmtTree`]: an index into the tree's arena, valid for the tree that gave
/// it out (and for its clones, [`MgmtTree::into_owned`] and [`MgmtTree::filtered`] copies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The position of the node in the arena: the order nodes were added in (document
    /// order for a parsed tree).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node holds apart from its place in the tree: the content of one `Node` element
/// without its child `Node`s, for building trees ([`MgmtTree::push_root`],
/// [`MgmtTree::push_child`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeData<'a> {
    /// `NodeName`; empty or `*` for a dynamic placeholder.
    pub name: Cow<'a, str>,
    /// `Path`: the URI of the parent.
    pub path: Option<Cow<'a, str>>,
    /// `RTProperties` (TNDS).
    pub rt: Option<RtProperties<'a>>,
    /// `DFProperties` (DDF).
    pub df: Option<DfProperties<'a>>,
    /// `Value`: the default value (DDF) or the node's value (TNDS), kept verbatim.
    pub value: Option<Cow<'a, str>>,
    /// Byte offset of the `Node` start tag in the input (0 for built trees).
    pub offset: usize,
}

impl<'a> NodeData<'a> {
    /// A node with this name and nothing else.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// Where a node's `Value` is: most values are a slice of the input; one that is not
/// (unescaped, joined from several pieces, or given as an owned string) is a range of the
/// tree's text buffer, so that it costs no allocation of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Val<'a> {
    /// No `Value`.
    #[default]
    None,
    /// Borrowed from the input (or any string living as long).
    Input(&'a str),
    /// `MgmtTree::text[start..end]`.
    Buf {
        /// First byte.
        start: usize,
        /// Past the last byte.
        end: usize,
    },
}

impl<'a> Val<'a> {
    /// Whether the node has a `Value`.
    pub(crate) fn is_some(self) -> bool {
        !matches!(self, Self::None)
    }

    /// `text` appended to `buf`, as a value.
    pub(crate) fn stash(buf: &mut String, text: &str) -> Self {
        let start = buf.len();
        buf.push_str(text);
        Self::Buf {
            start,
            end: buf.len(),
        }
    }
}

/// One node in the arena: its text, indices of its properties, and its links.
#[derive(Debug, Clone)]
pub(crate) struct Rec<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) path: Option<Cow<'a, str>>,
    pub(crate) value: Val<'a>,
    pub(crate) offset: usize,
    /// Index into `MgmtTree::dfs`, or `NONE`.
    pub(crate) df: u32,
    /// Index into `MgmtTree::rts`, or `NONE`.
    pub(crate) rt: u32,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// A `MgmtTree` document: its header and its nodes, all held in one arena. Nodes are read
/// through [`NodeRef`] handles ([`MgmtTree::roots`], [`MgmtTree::find`],
/// [`MgmtTree::get`]) and added with [`MgmtTree::push_root`] and [`MgmtTree::push_child`].
///
/// Equality is structural: the header, then every node's content and children in order,
/// ignoring offsets and the order nodes were added in, so a tree read back from its own
/// output compares equal to the original.
#[derive(Clone)]
pub struct MgmtTree<'a> {
    /// `VerDTD` (`1.2`).
    pub ver_dtd: Cow<'a, str>,
    /// `Man`.
    pub man: Option<Cow<'a, str>>,
    /// `Mod`.
    pub model: Option<Cow<'a, str>>,
    /// DDF or TNDS, detected from the content.
    pub kind: DocKind,
    pub(crate) nodes: Vec<Rec<'a>>,
    pub(crate) dfs: Vec<DfProperties<'a>>,
    pub(crate) rts: Vec<RtProperties<'a>>,
    /// The values that are not slices of the input, one after the other ([`Val::Buf`]).
    pub(crate) text: String,
    first_root: u32,
    last_root: u32,
}

/// A node of a [`MgmtTree`]: a cheap copyable handle for reading it and its subtree.
///
/// Equality compares the subtrees structurally, ignoring offsets (as [`MgmtTree`] does).
#[derive(Clone, Copy)]
pub struct NodeRef<'t, 'a> {
    tree: &'t MgmtTree<'a>,
    id: u32,
    rec: &'t Rec<'a>,
}

/// The children of a node, or the top-level nodes of a tree, in order.
#[derive(Clone)]
pub struct Children<'t, 'a> {
    tree: &'t MgmtTree<'a>,
    next: u32,
}

impl<'t, 'a> Iterator for Children<'t, 'a> {
    type Item = NodeRef<'t, 'a>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let node = self.tree.node(self.next)?;
        self.next = node.rec.next_sibling;
        Some(node)
    }
}

impl std::iter::FusedIterator for Children<'_, '_> {}

/// A node of a [`MgmtTree`] opened for changes ([`MgmtTree::get_mut`]); its place in the
/// tree does not change.
pub struct NodeMut<'t, 'a> {
    tree: &'t mut MgmtTree<'a>,
    id: u32,
}

impl<'t, 'a> NodeRef<'t, 'a> {
    /// The node's id in its tree.
    pub fn id(self) -> NodeId {
        NodeId(self.id)
    }

    /// The tree the node belongs to.
    pub fn tree(self) -> &'t MgmtTree<'a> {
        self.tree
    }

    /// `NodeName`; empty or `*` for a dynamic placeholder.
    pub fn name(self) -> &'t str {
        &self.rec.name
    }

    /// `Path`: the URI of the parent, as written.
    pub fn path(self) -> Option<&'t str> {
        self.rec.path.as_deref()
    }

    /// `Value`: the default value (DDF) or the node's value (TNDS), verbatim.
    pub fn value(self) -> Option<&'t str> {
        self.tree.value_of(self.rec.value)
    }

    /// Whether the node has a `Value` (without looking at it).
    #[inline]
    pub(crate) fn has_value(self) -> bool {
        self.rec.value.is_some()
    }

    /// `DFProperties` (DDF).
    pub fn df(self) -> Option<&'t DfProperties<'a>> {
        self.tree.dfs.get(self.rec.df as usize)
    }

    /// `RTProperties` (TNDS).
    pub fn rt(self) -> Option<&'t RtProperties<'a>> {
        self.tree.rts.get(self.rec.rt as usize)
    }

    /// Byte offset of the `Node` start tag in the input (0 for built nodes).
    pub fn offset(self) -> usize {
        self.rec.offset
    }

    /// The parent node; `None` for a top-level node.
    pub fn parent(self) -> Option<Self> {
        self.tree.node(self.rec.parent)
    }

    /// The child nodes, in order.
    pub fn children(self) -> Children<'t, 'a> {
        Children {
            tree: self.tree,
            next: self.rec.first_child,
        }
    }

    /// Whether the node has child nodes.
    pub fn has_children(self) -> bool {
        self.rec.first_child != NONE
    }

    /// The first child node.
    pub fn first_child(self) -> Option<Self> {
        self.tree.node(self.rec.first_child)
    }

    /// The next node with the same parent (or the next top-level node).
    pub fn next_sibling(self) -> Option<Self> {
        self.tree.node(self.rec.next_sibling)
    }

    /// Whether the name marks a dynamic placeholder (empty or `*`).
    pub fn is_placeholder(self) -> bool {
        self.rec.name.is_empty() || self.rec.name == "*"
    }

    /// The node's format: `DFFormat`, else `RTProperties/Format`, else `node` when it has
    /// children, else `None`.
    pub fn format(self) -> Option<Format> {
        if let Some(df) = self.df() {
            return Some(df.format);
        }
        if let Some(format) = self.rt().and_then(|rt| rt.format) {
            return Some(format);
        }
        self.has_children().then_some(Format::Node)
    }

    /// Whether the node is interior (format `node`, or children without a format).
    pub fn is_interior(self) -> bool {
        self.format() == Some(Format::Node)
    }

    /// The number of `Node` elements in this subtree, this one included.
    pub fn count(self) -> usize {
        self.descendants().count()
    }

    /// This node and every node below it, in document order (depth first).
    pub fn descendants(self) -> Descendants<'t, 'a> {
        Descendants {
            tree: self.tree,
            root: self.id,
            next: self.id,
        }
    }

    /// The child with this exact name.
    pub fn child(self, name: &str) -> Option<Self> {
        self.children().find(|c| c.name() == name)
    }

    /// The placeholder child, if any.
    pub fn placeholder_child(self) -> Option<Self> {
        self.children().find(|c| c.is_placeholder())
    }

    /// A copy of the node's content (not its children), for building another tree.
    pub fn to_data(self) -> NodeData<'a> {
        NodeData {
            name: self.rec.name.clone(),
            path: self.rec.path.clone(),
            rt: self.rt().cloned(),
            df: self.df().cloned(),
            value: match self.rec.value {
                Val::Input(text) => Some(Cow::Borrowed(text)),
                other => self.tree.value_of(other).map(|v| Cow::Owned(v.to_owned())),
            },
            offset: self.rec.offset,
        }
    }

    /// Whether the two nodes hold the same content, offsets aside (children not compared).
    fn same_content(self, other: NodeRef<'_, '_>) -> bool {
        self.rec.name == other.rec.name
            && self.rec.path == other.rec.path
            && self.value() == other.value()
            && self.rt() == other.rt()
            && self.df() == other.df()
    }
}

/// The nodes of a subtree in document order ([`NodeRef::descendants`]).
#[derive(Clone)]
pub struct Descendants<'t, 'a> {
    tree: &'t MgmtTree<'a>,
    root: u32,
    next: u32,
}

impl<'t, 'a> Iterator for Descendants<'t, 'a> {
    type Item = NodeRef<'t, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let node = self.tree.node(self.next)?;
        // The next node in document order: the first child, else the next sibling of the
        // nearest node (this one or an ancestor below the root) that has one.
        self.next = NONE;
        if node.rec.first_child != NONE {
            self.next = node.rec.first_child;
        } else {
            let mut at = node;
            while at.id != self.root {
                if at.rec.next_sibling != NONE {
                    self.next = at.rec.next_sibling;
                    break;
                }
                match at.parent() {
                    Some(parent) => at = parent,
                    None => break,
                }
            }
        }
        Some(node)
    }
}

impl std::iter::FusedIterator for Descendants<'_, '_> {}

/// Whether two sibling chains hold equal subtrees, offsets aside; walked with an explicit
/// stack, so a deep built tree cannot overflow the call stack.
fn chains_eq(a: Option<NodeRef<'_, '_>>, b: Option<NodeRef<'_, '_>>) -> bool {
    let mut stack = vec![(a, b)];
    while let Some(pair) = stack.pop() {
        match pair {
            (None, None) => {}
            (Some(x), Some(y)) => {
                if !x.same_content(y) {
                    return false;
                }
                stack.push((x.next_sibling(), y.next_sibling()));
                stack.push((x.first_child(), y.first_child()));
            }
            _ => return false,
        }
    }
    true
}

impl PartialEq for NodeRef<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.same_content(*other) && chains_eq(self.first_child(), other.first_child())
    }
}

impl Eq for NodeRef<'_, '_> {}

impl fmt::Debug for NodeRef<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Node");
        s.field("name", &self.rec.name);
        if let Some(path) = &self.rec.path {
            s.field("path", path);
        }
        if let Some(rt) = self.rt() {
            s.field("rt", rt);
        }
        if let Some(df) = self.df() {
            s.field("df", df);
        }
        if let Some(value) = self.value() {
            s.field("value", &value);
        }
        s.field("offset", &self.rec.offset);
        if self.has_children() {
            s.field("children", &DebugList(self.children()));
        }
        s.finish()
    }
}

/// Debug output of a sibling chain as a list.
struct DebugList<'t, 'a>(Children<'t, 'a>);

impl fmt::Debug for DebugList<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

impl fmt::Debug for MgmtTree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MgmtTree")
            .field("ver_dtd", &self.ver_dtd)
            .field("man", &self.man)
            .field("model", &self.model)
            .field("kind", &self.kind)
            .field("nodes", &DebugList(self.roots()))
            .finish()
    }
}

impl PartialEq for MgmtTree<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ver_dtd == other.ver_dtd
            && self.man == other.man
            && self.model == other.model
            && self.kind == other.kind
            && chains_eq(self.roots().next(), other.roots().next())
    }
}

impl Eq for MgmtTree<'_> {}

impl<'t, 'a> NodeMut<'t, 'a> {
    /// The node's id in its tree.
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    fn rec(&mut self) -> Option<&mut Rec<'a>> {
        self.tree.nodes.get_mut(self.id as usize)
    }

    /// The node for reading.
    pub fn as_node(&self) -> Option<NodeRef<'_, 'a>> {
        self.tree.node(self.id)
    }

    /// Sets `NodeName`.
    pub fn set_name(&mut self, name: impl Into<Cow<'a, str>>) {
        if let Some(rec) = self.rec() {
            rec.name = name.into();
        }
    }

    /// Sets `Path`.
    pub fn set_path(&mut self, path: Option<Cow<'a, str>>) {
        if let Some(rec) = self.rec() {
            rec.path = path;
        }
    }

    /// Sets `Value`.
    pub fn set_value(&mut self, value: Option<Cow<'a, str>>) {
        let Some(old) = self.tree.nodes.get(self.id as usize).map(|rec| rec.value) else {
            return;
        };
        // A replaced value at the end of the text buffer gives its room back; one elsewhere
        // stays there, unreferenced, until the tree goes (as replaced properties do).
        if let Val::Buf { start, end } = old {
            if end == self.tree.text.len() {
                self.tree.text.truncate(start);
            }
        }
        let value = self.tree.stash(value);
        if let Some(rec) = self.rec() {
            rec.value = value;
        }
    }

    /// The node's `DFProperties`, for changing them.
    pub fn df_mut(&mut self) -> Option<&mut DfProperties<'a>> {
        let at = self.tree.nodes.get(self.id as usize)?.df;
        self.tree.dfs.get_mut(at as usize)
    }

    /// The node's `RTProperties`, for changing them.
    pub fn rt_mut(&mut self) -> Option<&mut RtProperties<'a>> {
        let at = self.tree.nodes.get(self.id as usize)?.rt;
        self.tree.rts.get_mut(at as usize)
    }

    /// Sets or removes `DFProperties`.
    pub fn set_df(&mut self, df: Option<DfProperties<'a>>) {
        match (df, self.df_mut()) {
            (Some(df), Some(slot)) => *slot = df,
            (Some(df), None) => {
                let at = self.tree.add_df(df);
                if let Some(rec) = self.rec() {
                    rec.df = at;
                }
            }
            // The old properties stay in their arena, unreferenced, until the tree goes.
            (None, _) => {
                if let Some(rec) = self.rec() {
                    rec.df = NONE;
                }
            }
        }
    }

    /// Sets or removes `RTProperties`.
    pub fn set_rt(&mut self, rt: Option<RtProperties<'a>>) {
        match (rt, self.rt_mut()) {
            (Some(rt), Some(slot)) => *slot = rt,
            (Some(rt), None) => {
                let at = self.tree.add_rt(rt);
                if let Some(rec) = self.rec() {
                    rec.rt = at;
                }
            }
            (None, _) => {
                if let Some(rec) = self.rec() {
                    rec.rt = NONE;
                }
            }
        }
    }
}

impl<'a> MgmtTree<'a> {
    /// An empty tree of the given kind with `VerDTD` 1.2.
    pub fn new(kind: DocKind) -> Self {
        Self::with_capacity(kind, 0)
    }

    /// An empty tree with room for `nodes` nodes before its arena grows.
    pub fn with_capacity(kind: DocKind, nodes: usize) -> Self {
        Self {
            ver_dtd: Cow::Borrowed("1.2"),
            man: None,
            model: None,
            kind,
            nodes: Vec::with_capacity(nodes),
            dfs: Vec::new(),
            rts: Vec::new(),
            text: String::new(),
            first_root: NONE,
            last_root: NONE,
        }
    }

    #[inline]
    fn node(&self, id: u32) -> Option<NodeRef<'_, 'a>> {
        let rec = self.nodes.get(id as usize)?;
        Some(NodeRef {
            tree: self,
            id,
            rec,
        })
    }

    /// The text of a value of this tree's nodes.
    #[inline]
    pub(crate) fn value_of(&self, value: Val<'a>) -> Option<&str> {
        match value {
            Val::None => None,
            Val::Input(text) => Some(text),
            Val::Buf { start, end } => self.text.get(start..end),
        }
    }

    /// A value to keep in a node: a borrowed one as it is, an owned one in the text buffer.
    pub(crate) fn stash(&mut self, value: Option<Cow<'a, str>>) -> Val<'a> {
        match value {
            None => Val::None,
            Some(Cow::Borrowed(text)) => Val::Input(text),
            Some(Cow::Owned(text)) => Val::stash(&mut self.text, &text),
        }
    }

    /// The node with this id, if it is one of this tree's.
    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_, 'a>> {
        self.node(id.0)
    }

    /// The node with this id, for changing its content.
    pub fn get_mut(&mut self, id: NodeId) -> Option<NodeMut<'_, 'a>> {
        if id.index() >= self.nodes.len() {
            return None;
        }
        Some(NodeMut {
            tree: self,
            id: id.0,
        })
    }

    /// The top-level nodes, in order.
    pub fn roots(&self) -> Children<'_, 'a> {
        Children {
            tree: self,
            next: self.first_root,
        }
    }

    /// Every node, in the order they were added (document order for a parsed tree).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = NodeRef<'_, 'a>> + '_ {
        (0..self.nodes.len())
            .zip(&self.nodes)
            .map(move |(id, rec)| NodeRef {
                tree: self,
                // `nodes` never holds more than `MAX_NODES`, so every index fits.
                id: id as u32,
                rec,
            })
    }

    /// The number of `Node` elements in the document.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node at a `/`-separated path of names from the top level (`SCOMO/Download`);
    /// a top-level node's `Path` is not part of the lookup.
    pub fn find(&self, path: &str) -> Option<NodeRef<'_, 'a>> {
        let mut segments = path.split('/');
        let first = segments.next()?;
        let mut node = self.roots().find(|n| n.name() == first)?;
        for segment in segments {
            node = node.child(segment)?;
        }
        Some(node)
    }

    pub(crate) fn add_df(&mut self, df: DfProperties<'a>) -> u32 {
        // The first properties of a parse: most nodes of a DDF have them.
        if self.dfs.capacity() == 0 {
            self.dfs.reserve(self.nodes.capacity());
        }
        // More properties than `u32` indices would take more memory than there is.
        let at = u32::try_from(self.dfs.len()).unwrap_or(NONE);
        self.dfs.push(df);
        at
    }

    #[inline]
    pub(crate) fn add_rt(&mut self, rt: RtProperties<'a>) -> u32 {
        if self.rts.capacity() == 0 {
            self.rts.reserve(self.nodes.capacity());
        }
        let at = u32::try_from(self.rts.len()).unwrap_or(NONE);
        self.rts.push(rt);
        at
    }

    /// Adds an empty node under `parent` (at the top level for `None`), after its last child;
    /// `None` if the parent is not a node of this tree or the tree is full.
    pub(crate) fn open(&mut self, parent: Option<NodeId>, offset: usize) -> Option<NodeId> {
        let id = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&id| id != NONE)?;
        let parent = match parent {
            Some(p) => p.0,
            None => NONE,
        };
        let prev = if parent == NONE {
            let prev = self.last_root;
            self.last_root = id;
            if prev == NONE {
                self.first_root = id;
            }
            prev
        } else {
            let p = self.nodes.get_mut(parent as usize)?;
            let prev = p.last_child;
            p.last_child = id;
            if prev == NONE {
                p.first_child = id;
            }
            prev
        };
        if let Some(prev) = self.nodes.get_mut(prev as usize) {
            prev.next_sibling = id;
        }
        self.nodes.push(Rec {
            name: Cow::Borrowed(""),
            path: None,
            value: Val::None,
            offset,
            df: NONE,
            rt: NONE,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        Some(NodeId(id))
    }

    /// Fills in the content of a node added by [`MgmtTree::open`].
    pub(crate) fn fill(&mut self, id: NodeId, data: NodeData<'a>) {
        let df = data.df.map_or(NONE, |df| self.add_df(df));
        let rt = data.rt.map_or(NONE, |rt| self.add_rt(rt));
        let value = self.stash(data.value);
        if let Some(rec) = self.nodes.get_mut(id.index()) {
            rec.name = data.name;
            rec.path = data.path;
            rec.value = value;
            rec.offset = data.offset;
            rec.df = df;
            rec.rt = rt;
        }
    }

    /// Adds a top-level node after the others; `None` only if the tree already holds
    /// [`MAX_NODES`] nodes.
    pub fn push_root(&mut self, data: NodeData<'a>) -> Option<NodeId> {
        let id = self.open(None, data.offset)?;
        self.fill(id, data);
        Some(id)
    }

    /// Adds a node under `parent`, after its other children; `None` if `parent` is not a
    /// node of this tree or the tree already holds [`MAX_NODES`] nodes.
    pub fn push_child(&mut self, parent: NodeId, data: NodeData<'a>) -> Option<NodeId> {
        let id = self.open(Some(parent), data.offset)?;
        self.fill(id, data);
        Some(id)
    }

    /// Adds a copy of `source` and its subtree (from this or another tree) under `parent`,
    /// or at the top level for `None`; the id of the copy, or `None` as for
    /// [`MgmtTree::push_child`].
    pub fn push_copy(&mut self, parent: Option<NodeId>, source: NodeRef<'_, 'a>) -> Option<NodeId> {
        let top = self.open(parent, source.offset())?;
        self.fill(top, source.to_data());
        // (the next source node to copy, the copy of its parent)
        let mut stack: Vec<(NodeRef<'_, 'a>, NodeId)> = Vec::new();
        stack.extend(source.first_child().map(|c| (c, top)));
        while let Some((node, parent)) = stack.pop() {
            let copy = self.open(Some(parent), node.offset())?;
            self.fill(copy, node.to_data());
            stack.extend(node.next_sibling().map(|s| (s, parent)));
            stack.extend(node.first_child().map(|c| (c, copy)));
        }
        Some(top)
    }

    /// A copy that owns its strings, for keeping the model after the input is gone.
    pub fn into_owned(self) -> MgmtTree<'static> {
        // The values borrowed from the input join the others in the text buffer.
        let mut text = self.text;
        MgmtTree {
            ver_dtd: owned(self.ver_dtd),
            man: owned_opt(self.man),
            model: owned_opt(self.model),
            kind: self.kind,
            nodes: self
                .nodes
                .into_iter()
                .map(|rec| Rec {
                    name: owned(rec.name),
                    path: owned_opt(rec.path),
                    value: match rec.value {
                        Val::None => Val::None,
                        Val::Input(value) => Val::stash(&mut text, value),
                        Val::Buf { start, end } => Val::Buf { start, end },
                    },
                    offset: rec.offset,
                    df: rec.df,
                    rt: rec.rt,
                    parent: rec.parent,
                    first_child: rec.first_child,
                    last_child: rec.last_child,
                    next_sibling: rec.next_sibling,
                })
                .collect(),
            dfs: self.dfs.into_iter().map(DfProperties::into_owned).collect(),
            rts: self.rts.into_iter().map(RtProperties::into_owned).collect(),
            text,
            first_root: self.first_root,
            last_root: self.last_root,
        }
    }
}

impl<'t, 'a> IntoIterator for &'t MgmtTree<'a> {
    type Item = NodeRef<'t, 'a>;
    type IntoIter = Children<'t, 'a>;

    /// The top-level nodes ([`MgmtTree::roots`]).
    fn into_iter(self) -> Self::IntoIter {
        self.roots()
    }
}
