//! The DDFs this project ships, as XML text (`build.rs` scripts feed them to [`crate::codegen`]).

/// SCOMO 1.0 (`urn:oma:mo:oma-scomo:1.0`), root node `SCOMO`; operation nodes are `null` leaves.
pub const SCOMO: &str = include_str!("../ddfs/scomo.xml");

/// DevInfo (`urn:oma:mo:oma-dm-devinfo:1.0`), root node `DevInfo`.
pub const DEV_INFO: &str = include_str!("../ddfs/devinfo.xml");

/// DevDetail (`urn:oma:mo:oma-dm-devdetail:1.0`), root node `DevDetail`.
pub const DEV_DETAIL: &str = include_str!("../ddfs/devdetail.xml");

/// DMAcc (`urn:oma:mo:oma-dm-dmacc:1.0`): one account, the placeholder node under `./DMAcc`.
pub const DM_ACC: &str = include_str!("../ddfs/dmacc.xml");

/// Every shipped DDF with a short name: `scomo`, `devinfo`, `devdetail`, `dmacc`.
pub const ALL: [(&str, &str); 4] = [
    ("scomo", SCOMO),
    ("devinfo", DEV_INFO),
    ("devdetail", DEV_DETAIL),
    ("dmacc", DM_ACC),
];
