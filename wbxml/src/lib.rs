#![doc = include_str!("../README.md")]

mod error;
mod header;
mod language;
pub mod mb;
mod reader;
pub mod tokens;
pub mod transcode;
mod writer;

pub use error::Error;
pub use header::{
    write_header, Header, PublicId, Version, CHARSET_UNKNOWN, CHARSET_US_ASCII, CHARSET_UTF8,
    UNKNOWN_PUBLIC_ID,
};
pub use language::Language;
pub use reader::{
    Attribute, Attributes, Content, Event, Ext, Plain, Reader, ReaderOptions, Tag, ValuePart,
    ValueParts, DEFAULT_MAX_DEPTH,
};
pub use writer::Writer;
