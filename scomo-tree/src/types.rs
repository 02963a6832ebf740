//! Types generated at build time from the SCOMO 1.0 DDF.

/// The SCOMO 1.0 management object exactly as its DDF (`ddf::builtin::SCOMO`) describes it.
#[allow(missing_docs, clippy::all)]
pub mod scomo10 {
    include!(concat!(env!("OUT_DIR"), "/scomo10.rs"));
}

/// SCOMO 1.0 plus this crate's extension nodes under the `Ext` nodes; the agent binds
/// these specs.
#[allow(missing_docs, clippy::all)]
pub mod extended {
    include!(concat!(env!("OUT_DIR"), "/scomo_ext.rs"));
}

/// The DDF of [`extended`]: SCOMO 1.0 with this crate's extension nodes.
pub const EXTENDED_DDF: &str = include_str!(concat!(env!("OUT_DIR"), "/scomo_ext.xml"));
