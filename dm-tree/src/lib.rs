#![doc = include_str!("../README.md")]

pub mod acl;
pub mod handler;
pub mod op;
pub mod persist;
mod serde_impl;
pub mod status;
pub mod tnds;
pub mod tree;
pub mod uri;
pub mod value;

pub use acl::{Acl, AclCommand, AclError};
pub use handler::{AlertQueue, AlertSink, Change, ExecRequest, GenericAlert, MoHandler};
pub use op::{Command, Op, OpData, Outcome, ResultItem, ResultRef, TNDS_WBXML, TNDS_XML};
pub use status::Status;
pub use tnds::ImportError;
pub use tree::{NodeId, NodeRef, Snapshot, Tree};
pub use uri::{ListKind, ListQuery, PropFilter, Property, Query, Target, Uri, UriError, UriLimits};
pub use value::{Text, Value, ValueError};

pub use ddf::spec::{AccessType, CaseSense, Format, NodeSpec, Occurrence, Scope};
