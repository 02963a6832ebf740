//! Errors and warnings of the parser, validator, writers and code generator.

use std::fmt;

/// What went wrong; [`Error`] adds where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The XML is not well-formed (quick-xml's message).
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The WBXML is malformed (the wbxml crate's message).
    #[error("malformed WBXML: {0}")]
    Wbxml(String),
    /// The input ends inside an element.
    #[error("truncated document inside <{0}>")]
    Truncated(&'static str),
    /// No `MgmtTree` element where one was expected.
    #[error("no <MgmtTree> element")]
    NoMgmtTree,
    /// A known element in a place the DTD does not allow it.
    #[error("unexpected <{found}> in <{parent}>")]
    UnexpectedElement {
        /// The element found.
        found: String,
        /// The element it was found in.
        parent: &'static str,
    },
    /// Text where only elements may appear.
    #[error("unexpected text in <{0}>")]
    UnexpectedText(&'static str),
    /// Something after the end of the `MgmtTree`.
    #[error("content after </MgmtTree>")]
    TrailingContent,
    /// Elements nested deeper than the parser allows.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// More `Node` elements than a tree holds ([`crate::MAX_NODES`]).
    #[error("more than {0} nodes")]
    TooManyNodes(usize),
    /// An element that may appear once appears twice.
    #[error("duplicate <{element}> in <{parent}>")]
    DuplicateElement {
        /// The repeated element.
        element: &'static str,
        /// Its parent.
        parent: &'static str,
    },
    /// A required element is missing.
    #[error("missing <{element}> in <{parent}>")]
    MissingElement {
        /// The missing element.
        element: &'static str,
        /// The element that should contain it.
        parent: &'static str,
    },
    /// `Occurrence` `ZeroOrN`/`OneOrN` with an N outside 2..=65536 or not a number.
    #[error("bad Occurrence N {0:?} (expected 2..=65536)")]
    BadOccurrence(String),
    /// A `Format`/`DFFormat`, `Occurrence`, `Scope` or `CaseSense` with no or several markers.
    #[error("<{0}> must contain exactly one value element")]
    BadMarker(&'static str),
    /// Two siblings with the same name.
    #[error("duplicate sibling name {0:?}")]
    DuplicateName(String),
    /// More than one placeholder node under one parent.
    #[error("more than one placeholder node under one parent")]
    SeveralPlaceholders,
    /// Children under a node whose format is not `node`.
    #[error("children under a leaf of format {0}")]
    ChildrenUnderLeaf(crate::spec::Format),
    /// A `Value` on an interior node.
    #[error("a Value on an interior node")]
    ValueOnInterior,
    /// A node with both children and a `Value`.
    #[error("a node with both children and a Value")]
    ChildrenAndValue,
    /// A `Path` that is not a valid URI prefix (`..`, empty segment, trailing `/`).
    #[error("bad Path {0:?}")]
    BadPath(String),
    /// A repeated `Path` on a nested node that names another parent than the real one.
    #[error("Path {found:?} does not match the parent {expected:?}")]
    PathMismatch {
        /// The parent URI given by the nesting.
        expected: String,
        /// The Path the node carries.
        found: String,
    },
    /// A `Path` that puts a node below itself.
    #[error("Path {0:?} puts the node below itself")]
    PathCycle(String),
    /// A `?list=` filter that cannot be parsed.
    #[error("bad list filter {0:?}")]
    BadFilter(String),
    /// Text that cannot be written (an interior NUL in WBXML).
    #[error("cannot encode: {0}")]
    Encode(String),
}

/// A parse, validation or generation error: what, and where (a byte offset for syntax
/// errors, a node path for model errors).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Byte offset in the input of the element or token concerned.
    pub offset: usize,
    /// The node path for model errors (`./SCOMO/Download/*/PkgURL`), `None` for syntax errors.
    pub path: Option<String>,
}

impl Error {
    /// A syntax error at a byte offset.
    pub(crate) fn syntax(kind: ErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            path: None,
        }
    }

    /// A model error; its path is filled in while the parser unwinds out of the nodes.
    pub(crate) fn model(kind: ErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            path: Some(String::new()),
        }
    }

    /// A model error at a known path.
    pub(crate) fn at_path(kind: ErrorKind, offset: usize, path: &str) -> Self {
        Self {
            kind,
            offset,
            path: Some(path.to_owned()),
        }
    }

    /// Prepends a path segment while unwinding out of a node.
    pub(crate) fn in_segment(mut self, segment: &str) -> Self {
        if let Some(path) = &mut self.path {
            if path.is_empty() {
                *path = segment.to_owned();
            } else {
                *path = format!("{segment}/{path}");
            }
        }
        self
    }

    /// Whether this is a model error (reported with a node path).
    pub fn is_model_error(&self) -> bool {
        self.path.is_some()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) if !path.is_empty() => write!(f, "{} at {path}", self.kind),
            Some(_) => write!(f, "{} at the document root", self.kind),
            None => write!(f, "{} at byte {}", self.kind, self.offset),
        }
    }
}

impl std::error::Error for Error {}

/// Something the spec requires that the document leaves out, or a vendor element that was
/// skipped: reported, not fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// What was noticed.
    pub message: String,
    /// Byte offset of the element concerned.
    pub offset: usize,
    /// The node path, when the warning is about a node.
    pub path: Option<String>,
}

impl Warning {
    pub(crate) fn new(message: String, offset: usize, path: Option<String>) -> Self {
        Self {
            message,
            offset,
            path,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{} at {path}", self.message),
            None => write!(f, "{} at byte {}", self.message, self.offset),
        }
    }
}
