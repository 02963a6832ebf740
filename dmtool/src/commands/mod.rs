//! One module per subcommand; each has an `Args` (clap) and a `run`.

pub(crate) mod acl;
pub(crate) mod bench;
pub(crate) mod convert;
pub(crate) mod ddf;
pub(crate) mod decode;
pub(crate) mod demo;
pub(crate) mod device;
pub(crate) mod io;
pub(crate) mod serve;
