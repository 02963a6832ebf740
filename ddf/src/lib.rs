#![doc = include_str!("../README.md")]

pub mod builtin;
pub mod codegen;
pub mod error;
pub mod model;
mod parse;
pub mod spec;
pub mod synth;
mod tag;
mod validate;
mod wbxml_io;
pub mod write;
mod xml;

pub use codegen::{generate, CodegenOptions};
pub use error::{Error, ErrorKind, Warning};
pub use model::{
    Children, Descendants, DfProperties, DocKind, MgmtTree, MimeList, NodeData, NodeId, NodeMut,
    NodeRef, RtProperties, TypeInfo, MAX_NODES,
};
pub use parse::{parse, parse_nested_xml, parse_xml, parse_xml_at, Parsed, MAX_NODE_DEPTH};
pub use wbxml_io::{parse_wbxml, to_wbxml, to_wbxml_anonymous, DDF_FPI};
pub use write::{to_xml, ListFilter, Prop};
pub use xml::find_mgmt_tree;
