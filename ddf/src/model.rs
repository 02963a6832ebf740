//! The borrowed DDF / TNDS model: one tree for both, values borrowed from the input.

use crate::spec::{AccessType, CaseSense, Format, Occurrence, Scope};
use std::borrow::Cow;

/// Whether a document describes a management object (DDF) or carries a subtree (TNDS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// Some node has `DFProperties`.
    Ddf,
    /// No node has `DFProperties` (TNDS carries `RTProperties` and `Value`).
    Tnds,
}

/// A `MgmtTree` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgmtTree<'a> {
    /// `VerDTD` (`1.2`).
    pub ver_dtd: Cow<'a, str>,
    /// `Man`.
    pub man: Option<Cow<'a, str>>,
    /// `Mod`.
    pub model: Option<Cow<'a, str>>,
    /// The top-level nodes.
    pub nodes: Vec<Node<'a>>,
    /// DDF or TNDS, detected from the content.
    pub kind: DocKind,
}

/// One `Node` element. Equality ignores [`Node::offset`], so a tree read back from its own
/// output compares equal to the original.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// `NodeName`; empty or `*` for a dynamic placeholder.
    pub name: Cow<'a, str>,
    /// `Path`: the URI of the parent.
    pub path: Option<Cow<'a, str>>,
    /// `RTProperties` (TNDS). Boxed, like [`Node::df`]: a node carries one of the two, and
    /// keeping both inline would make every `Node` (and every move of one while the tree is
    /// built) about three times larger.
    pub rt: Option<Box<RtProperties<'a>>>,
    /// `DFProperties` (DDF), boxed (see [`Node::rt`]).
    pub df: Option<Box<DfProperties<'a>>>,
    /// Child nodes.
    pub children: Vec<Self>,
    /// `Value`: the default value (DDF) or the node's value (TNDS), kept verbatim.
    pub value: Option<Cow<'a, str>>,
    /// Byte offset of the `Node` start tag in the input (0 for built trees).
    pub offset: usize,
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

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.path == other.path
            && self.rt == other.rt
            && self.df == other.df
            && self.children == other.children
            && self.value == other.value
    }
}

impl Eq for Node<'_> {}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn owned_opt(s: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    s.map(owned)
}

impl<'a> Node<'a> {
    /// A node with this name and nothing else.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        Self {
            name: name.into(),
            path: None,
            rt: None,
            df: None,
            children: Vec::new(),
            value: None,
            offset: 0,
        }
    }

    /// Whether the name marks a dynamic placeholder (empty or `*`).
    pub fn is_placeholder(&self) -> bool {
        self.name.is_empty() || self.name == "*"
    }

    /// The node's format: `DFFormat`, else `RTProperties/Format`, else `node` when it has
    /// children, else `None`.
    pub fn format(&self) -> Option<Format> {
        if let Some(df) = &self.df {
            return Some(df.format);
        }
        if let Some(format) = self.rt.as_ref().and_then(|rt| rt.format) {
            return Some(format);
        }
        (!self.children.is_empty()).then_some(Format::Node)
    }

    /// Whether the node is interior (format `node`, or children without a format).
    pub fn is_interior(&self) -> bool {
        self.format() == Some(Format::Node)
    }

    /// The number of `Node` elements in this subtree, this one included.
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Node::count).sum::<usize>()
    }

    /// The child with this exact name.
    pub fn child(&self, name: &str) -> Option<&Self> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The placeholder child, if any.
    pub fn placeholder_child(&self) -> Option<&Self> {
        self.children.iter().find(|c| c.is_placeholder())
    }

    /// A copy that owns its strings.
    pub fn into_owned(self) -> Node<'static> {
        Node {
            name: owned(self.name),
            path: owned_opt(self.path),
            rt: self.rt.map(|rt| {
                Box::new(RtProperties {
                    acl: owned_opt(rt.acl),
                    format: rt.format,
                    name: owned_opt(rt.name),
                    size: owned_opt(rt.size),
                    title: owned_opt(rt.title),
                    tstamp: owned_opt(rt.tstamp),
                    rt_type: rt.rt_type.map(TypeInfo::into_owned),
                    ver_no: owned_opt(rt.ver_no),
                })
            }),
            df: self.df.map(|df| {
                Box::new(DfProperties {
                    access: df.access,
                    default_value: owned_opt(df.default_value),
                    description: owned_opt(df.description),
                    format: df.format,
                    occurrence: df.occurrence,
                    scope: df.scope,
                    title: owned_opt(df.title),
                    df_type: df.df_type.into_owned(),
                    case_sense: df.case_sense,
                })
            }),
            children: self.children.into_iter().map(Node::into_owned).collect(),
            value: owned_opt(self.value),
            offset: self.offset,
        }
    }
}

impl<'a> MgmtTree<'a> {
    /// An empty tree of the given kind with `VerDTD` 1.2.
    pub fn new(kind: DocKind) -> Self {
        Self {
            ver_dtd: Cow::Borrowed("1.2"),
            man: None,
            model: None,
            nodes: Vec::new(),
            kind,
        }
    }

    /// The number of `Node` elements in the document.
    pub fn node_count(&self) -> usize {
        self.nodes.iter().map(Node::count).sum()
    }

    /// The node at a `/`-separated path of names from the top level (`SCOMO/Download`);
    /// a top-level node's `Path` is not part of the lookup.
    pub fn find(&self, path: &str) -> Option<&Node<'a>> {
        let mut segments = path.split('/');
        let first = segments.next()?;
        let mut node = self.nodes.iter().find(|n| n.name == first)?;
        for segment in segments {
            node = node.child(segment)?;
        }
        Some(node)
    }

    /// A copy that owns its strings, for keeping the model after the input is gone.
    pub fn into_owned(self) -> MgmtTree<'static> {
        MgmtTree {
            ver_dtd: owned(self.ver_dtd),
            man: owned_opt(self.man),
            model: owned_opt(self.model),
            nodes: self.nodes.into_iter().map(Node::into_owned).collect(),
            kind: self.kind,
        }
    }
}
