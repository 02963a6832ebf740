//! The tree's own operation types: what a session engine translates each SyncML command into,
//! and what the tree answers.

use std::borrow::Cow;

use ddf::spec::Format;

use crate::status::Status;

/// MIME type of a TNDS document in XML.
pub const TNDS_XML: &str = "application/vnd.syncml.dmtnds+xml";
/// MIME type of a TNDS document in WBXML.
pub const TNDS_WBXML: &str = "application/vnd.syncml.dmtnds+wbxml";

/// The DM commands that act on the tree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Command {
    /// Create a node.
    Add,
    /// Change a node's value or a property.
    Replace,
    /// Remove a node and its subtree.
    Delete,
    /// Read a node, a property or a structure.
    Get,
    /// Copy a leaf's value to another leaf.
    Copy,
    /// Run an executable node.
    Exec,
}

/// The `Data` of an operation: bytes, or text the caller already knows is UTF-8 (a decoded
/// `Data` string), which text formats then keep without checking it again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OpData<'a> {
    /// Bytes, checked as the node's format requires.
    Bytes(&'a [u8]),
    /// Text.
    Text(&'a str),
}

impl<'a> OpData<'a> {
    /// The bytes carried.
    pub const fn as_bytes(self) -> &'a [u8] {
        match self {
            Self::Bytes(b) => b,
            Self::Text(t) => t.as_bytes(),
        }
    }

    /// The text, when it was given as text.
    pub const fn as_text(self) -> Option<&'a str> {
        match self {
            Self::Bytes(_) => None,
            Self::Text(t) => Some(t),
        }
    }
}

/// One operation on the tree. Everything borrows from the decoded message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Op<'a> {
    /// The command.
    pub command: Command,
    /// The target URI, possibly with `?prop=` or `?list=`.
    pub target: &'a str,
    /// The source URI (Copy only).
    pub source: Option<&'a str>,
    /// `Meta/Format`, if given.
    pub format: Option<Format>,
    /// `Meta/Type`, if given.
    pub mime: Option<&'a str>,
    /// `Data`, if given.
    pub data: Option<OpData<'a>>,
    /// The Exec correlator, echoed in the Generic Alert of a long-running Exec.
    pub correlator: Option<&'a str>,
}

impl<'a> Op<'a> {
    /// An operation with no meta and no data.
    pub const fn new(command: Command, target: &'a str) -> Self {
        Self {
            command,
            target,
            source: None,
            format: None,
            mime: None,
            data: None,
            correlator: None,
        }
    }

    /// `Add` of `target`.
    pub const fn add(target: &'a str) -> Self {
        Self::new(Command::Add, target)
    }

    /// `Replace` of `target`.
    pub const fn replace(target: &'a str) -> Self {
        Self::new(Command::Replace, target)
    }

    /// `Delete` of `target`.
    pub const fn delete(target: &'a str) -> Self {
        Self::new(Command::Delete, target)
    }

    /// `Get` of `target`.
    pub const fn get(target: &'a str) -> Self {
        Self::new(Command::Get, target)
    }

    /// `Exec` of `target`.
    pub const fn exec(target: &'a str) -> Self {
        Self::new(Command::Exec, target)
    }

    /// `Copy` of `source` to `target`.
    pub const fn copy(source: &'a str, target: &'a str) -> Self {
        let mut op = Self::new(Command::Copy, target);
        op.source = Some(source);
        op
    }

    /// With `Meta/Format`.
    #[must_use]
    pub const fn with_format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// With `Meta/Type`.
    #[must_use]
    pub const fn with_mime(mut self, mime: &'a str) -> Self {
        self.mime = Some(mime);
        self
    }

    /// With `Data` bytes.
    #[must_use]
    pub const fn with_data(mut self, data: &'a [u8]) -> Self {
        self.data = Some(OpData::Bytes(data));
        self
    }

    /// With `Data` text.
    #[must_use]
    pub const fn with_text(mut self, text: &'a str) -> Self {
        self.data = Some(OpData::Text(text));
        self
    }

    /// The `Data` bytes (empty when there is none).
    pub const fn data_bytes(&self) -> &'a [u8] {
        match self.data {
            Some(d) => d.as_bytes(),
            None => &[],
        }
    }

    /// With an Exec correlator.
    #[must_use]
    pub const fn with_correlator(mut self, correlator: &'a str) -> Self {
        self.correlator = Some(correlator);
        self
    }
}

/// One item of a Get's `Results`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResultItem {
    /// `Source/LocURI`.
    pub source: String,
    /// `Meta/Format`.
    pub format: Format,
    /// `Meta/Type`, if known.
    pub mime: Option<String>,
    /// `Data` (`None` for the items of `?list=Struct`).
    pub data: Option<Vec<u8>>,
}

/// One result of a Get as [`Tree::get_each`](crate::Tree::get_each) hands it over:
/// borrowed from the tree and the request where it can be, owned where the tree made it (the
/// URIs of a `?list=`), so that taking it owned never copies twice.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResultRef<'t> {
    /// `Source/LocURI`: for a Get of a node (or of its property) the target as given.
    pub source: Cow<'t, str>,
    /// `Meta/Format`.
    pub format: Format,
    /// `Meta/Type`, if known.
    pub mime: Option<Cow<'t, str>>,
    /// `Data` (`None` for the items of `?list=Struct`).
    pub data: Option<Vec<u8>>,
}

impl ResultRef<'_> {
    /// The result owning its texts (copied only where they were borrowed).
    pub fn into_owned(self) -> ResultItem {
        ResultItem {
            source: self.source.into_owned(),
            format: self.format,
            mime: self.mime.map(Cow::into_owned),
            data: self.data,
        }
    }
}

/// What the tree answers to one operation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The status code for the command's `Status`.
    pub status: Status,
    /// The `Results` items (Get only).
    pub results: Vec<ResultItem>,
    /// For a failed Add, the implicitly created ancestor that failed (`Item/Target/LocURI`
    /// of the Status).
    pub failed_uri: Option<String>,
}

impl Outcome {
    /// An outcome with only a status.
    pub const fn status(status: Status) -> Self {
        Self {
            status,
            results: Vec::new(),
            failed_uri: None,
        }
    }

    /// 200 with results.
    pub fn ok_with(results: Vec<ResultItem>) -> Self {
        Self {
            status: Status::OK,
            results,
            failed_uri: None,
        }
    }
}

impl From<Status> for Outcome {
    fn from(status: Status) -> Self {
        Self::status(status)
    }
}
