//! Status and State values of the SCOMO nodes (scomo.md §2) and their state machines.

use serde::{Deserialize, Serialize};

use crate::codes::ResultCode;

macro_rules! int_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $n:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// Every value, ascending.
            pub const ALL: &'static [Self] = &[$(Self::$v),+];
            /// The integer stored in the tree.
            pub const fn value(self) -> i32 { match self { $(Self::$v => $n),+ } }
            /// The value for a stored integer, if it is one of the spec's.
            pub const fn from_value(v: i32) -> Option<Self> {
                match v { $($n => Some(Self::$v),)+ _ => None }
            }
        }
    };
}

int_enum!(
    /// `Download/<X>/Status` (scomo.md §2.1). There is no "Install Complete" value.
    DownloadStatus {
        /// 10: no data yet, download about to start.
        Idle = 10,
        /// 20: Download Failed (no data received).
        DownloadFailed = 20,
        /// 30: Download Progressing.
        DownloadProgressing = 30,
        /// 40: Download Complete (data held).
        DownloadComplete = 40,
        /// 50: Install Progressing.
        InstallProgressing = 50,
        /// 60: Install Failed with Data (package still on the device).
        InstallFailedWithData = 60,
        /// 70: Install Failed without Data (package deleted).
        InstallFailedWithoutData = 70,
    }
);

int_enum!(
    /// `Inventory/Delivered/<X>/Status` (scomo.md §2.2; 60 = failed without data).
    DeliveredStatus {
        /// 10: no install or remove started.
        Idle = 10,
        /// 20: Remove Failed (package still on the device).
        RemoveFailed = 20,
        /// 30: Remove Progressing.
        RemoveProgressing = 30,
        /// 40: Install Progressing.
        InstallProgressing = 40,
        /// 50: Install Failed with Data.
        InstallFailedWithData = 50,
        /// 60: Install Failed without Data.
        InstallFailedWithoutData = 60,
    }
);

int_enum!(
    /// `Inventory/Delivered/<X>/State` (scomo.md §2.3).
    DeliveredState {
        /// 10: delivered, not installed.
        Delivered = 10,
        /// 20: installed.
        Installed = 20,
    }
);

int_enum!(
    /// `Inventory/Deployed/<X>/Status` (scomo.md §2.4).
    DeployedStatus {
        /// 10: Idle.
        Idle = 10,
        /// 20: Remove Failed (component still present).
        RemoveFailed = 20,
        /// 30: Remove Progressing.
        RemoveProgressing = 30,
        /// 40: Activate Failed (still Inactive).
        ActivateFailed = 40,
        /// 50: Activate Progressing.
        ActivateProgressing = 50,
        /// 60: Deactivate Failed (still Active).
        DeactivateFailed = 60,
        /// 70: Deactivate Progressing.
        DeactivateProgressing = 70,
    }
);

int_enum!(
    /// `Inventory/Deployed/<X>/State` (scomo.md §2.5).
    DeployedState {
        /// 10: Inactive.
        Inactive = 10,
        /// 20: Active.
        Active = 20,
    }
);

/// What happens to a `Download/<X>` package, driving [`DownloadStatus::next`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DownloadEvent {
    /// A Download* operation starts the download.
    Start,
    /// All bytes arrived (and passed the integrity check).
    Downloaded,
    /// The download (or its integrity check) failed; no data is kept.
    DownloadFailed,
    /// DownloadInstall*: the install starts.
    InstallStart,
    /// The install succeeded.
    Installed,
    /// The install failed; `data_kept` says whether the package is still on the device.
    InstallFailed {
        /// Whether the package is still on the device.
        data_kept: bool,
    },
}

/// What happens to a delivered package, driving [`DeliveredStatus::next`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeliveredEvent {
    /// Install or InstallInactive starts.
    InstallStart,
    /// The install succeeded (State becomes Installed).
    Installed,
    /// The install failed.
    InstallFailed {
        /// Whether the package is still on the device.
        data_kept: bool,
    },
    /// Remove starts.
    RemoveStart,
    /// Remove succeeded (the node is then deleted).
    Removed,
    /// Remove failed.
    RemoveFailed,
}

/// What happens to a deployed component, driving [`DeployedStatus::next`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeployedEvent {
    /// Activate starts.
    ActivateStart,
    /// Activate succeeded.
    Activated,
    /// Activate failed.
    ActivateFailed,
    /// Deactivate starts.
    DeactivateStart,
    /// Deactivate succeeded.
    Deactivated,
    /// Deactivate failed.
    DeactivateFailed,
    /// Remove starts.
    RemoveStart,
    /// Remove succeeded (the node is then deleted).
    Removed,
    /// Remove failed.
    RemoveFailed,
}

impl DownloadStatus {
    /// The status after `event`, or `None` when the event is not allowed in this status
    /// (scomo.md §2.6: 10 → 30 → 40 [→ 50 → 10 | 60 | 70], or 30 → 20).
    pub const fn next(self, event: DownloadEvent) -> Option<Self> {
        use DownloadEvent as E;
        Some(match (self, event) {
            (Self::DownloadProgressing | Self::InstallProgressing, E::Start) => return None,
            (_, E::Start) => Self::DownloadProgressing,
            (Self::DownloadProgressing, E::Downloaded) => Self::DownloadComplete,
            (Self::DownloadProgressing, E::DownloadFailed) => Self::DownloadFailed,
            (Self::DownloadComplete, E::InstallStart) => Self::InstallProgressing,
            (Self::InstallProgressing, E::Installed) => Self::Idle,
            (Self::InstallProgressing, E::InstallFailed { data_kept: true }) => {
                Self::InstallFailedWithData
            }
            (Self::InstallProgressing, E::InstallFailed { data_kept: false }) => {
                Self::InstallFailedWithoutData
            }
            _ => return None,
        })
    }

    /// Whether an operation is running.
    pub const fn is_progressing(self) -> bool {
        matches!(self, Self::DownloadProgressing | Self::InstallProgressing)
    }
}

impl DeliveredStatus {
    /// The status after `event`, or `None` when not allowed (scomo.md §2.6: Install
    /// 10 → 40 → 10 | 50 | 60; Remove 10 → 30 → deleted | 20).
    pub const fn next(self, event: DeliveredEvent) -> Option<Self> {
        use DeliveredEvent as E;
        Some(match (self, event) {
            (
                Self::InstallProgressing | Self::RemoveProgressing,
                E::InstallStart | E::RemoveStart,
            ) => return None,
            (_, E::InstallStart) => Self::InstallProgressing,
            (_, E::RemoveStart) => Self::RemoveProgressing,
            (Self::InstallProgressing, E::Installed) => Self::Idle,
            (Self::InstallProgressing, E::InstallFailed { data_kept: true }) => {
                Self::InstallFailedWithData
            }
            (Self::InstallProgressing, E::InstallFailed { data_kept: false }) => {
                Self::InstallFailedWithoutData
            }
            (Self::RemoveProgressing, E::Removed) => Self::Idle,
            (Self::RemoveProgressing, E::RemoveFailed) => Self::RemoveFailed,
            _ => return None,
        })
    }

    /// Whether an operation is running.
    pub const fn is_progressing(self) -> bool {
        matches!(self, Self::InstallProgressing | Self::RemoveProgressing)
    }
}

impl DeployedStatus {
    /// The status after `event`, or `None` when not allowed (scomo.md §2.6: Activate
    /// 10 → 50 → 10 | 40; Deactivate 10 → 70 → 10 | 60; Remove 10 → 30 → deleted | 20).
    pub const fn next(self, event: DeployedEvent) -> Option<Self> {
        use DeployedEvent as E;
        if self.is_progressing()
            && matches!(
                event,
                E::ActivateStart | E::DeactivateStart | E::RemoveStart
            )
        {
            return None;
        }
        Some(match (self, event) {
            (_, E::ActivateStart) => Self::ActivateProgressing,
            (_, E::DeactivateStart) => Self::DeactivateProgressing,
            (_, E::RemoveStart) => Self::RemoveProgressing,
            (Self::ActivateProgressing, E::Activated) => Self::Idle,
            (Self::ActivateProgressing, E::ActivateFailed) => Self::ActivateFailed,
            (Self::DeactivateProgressing, E::Deactivated) => Self::Idle,
            (Self::DeactivateProgressing, E::DeactivateFailed) => Self::DeactivateFailed,
            (Self::RemoveProgressing, E::Removed) => Self::Idle,
            (Self::RemoveProgressing, E::RemoveFailed) => Self::RemoveFailed,
            _ => return None,
        })
    }

    /// Whether an operation is running.
    pub const fn is_progressing(self) -> bool {
        matches!(
            self,
            Self::RemoveProgressing | Self::ActivateProgressing | Self::DeactivateProgressing
        )
    }
}

/// Which subtree an operation node lives in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Subtree {
    /// `Download/<X>`.
    Download,
    /// `Inventory/Delivered/<X>`.
    Delivered,
    /// `Inventory/Deployed/<X>`.
    Deployed,
}

impl Subtree {
    /// The subtree's path below the SCOMO root (`Download`, `Inventory/Delivered`, ...).
    pub const fn path(self) -> &'static str {
        match self {
            Self::Download => "Download",
            Self::Delivered => "Inventory/Delivered",
            Self::Deployed => "Inventory/Deployed",
        }
    }
}

/// A SCOMO operation: an executable node, plus this crate's relayed Start/Stop extension.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Operation {
    /// `Download/<X>/Operations/Download`.
    Download,
    /// `Download/<X>/Operations/DownloadInstall`.
    DownloadInstall,
    /// `Download/<X>/Operations/DownloadInstallInactive`.
    DownloadInstallInactive,
    /// `Inventory/Delivered/<X>/Operations/Install`.
    Install,
    /// `Inventory/Delivered/<X>/Operations/InstallInactive`.
    InstallInactive,
    /// `Inventory/Delivered/<X>/Operations/Remove`.
    RemoveDelivered,
    /// `Inventory/Deployed/<X>/Operations/Activate`.
    Activate,
    /// `Inventory/Deployed/<X>/Operations/Deactivate`.
    Deactivate,
    /// `Inventory/Deployed/<X>/Operations/Remove`.
    RemoveDeployed,
    /// Extension: `Inventory/Deployed/<X>/Ext/Operations/Start`.
    Start,
    /// Extension: `Inventory/Deployed/<X>/Ext/Operations/Stop`.
    Stop,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Self; 11] = [
        Self::Download,
        Self::DownloadInstall,
        Self::DownloadInstallInactive,
        Self::Install,
        Self::InstallInactive,
        Self::RemoveDelivered,
        Self::Activate,
        Self::Deactivate,
        Self::RemoveDeployed,
        Self::Start,
        Self::Stop,
    ];

    /// The subtree the operation node is in.
    pub const fn subtree(self) -> Subtree {
        match self {
            Self::Download | Self::DownloadInstall | Self::DownloadInstallInactive => {
                Subtree::Download
            }
            Self::Install | Self::InstallInactive | Self::RemoveDelivered => Subtree::Delivered,
            _ => Subtree::Deployed,
        }
    }

    /// The operation node's name (exact spelling).
    pub const fn node_name(self) -> &'static str {
        match self {
            Self::Download => "Download",
            Self::DownloadInstall => "DownloadInstall",
            Self::DownloadInstallInactive => "DownloadInstallInactive",
            Self::Install => "Install",
            Self::InstallInactive => "InstallInactive",
            Self::RemoveDelivered | Self::RemoveDeployed => "Remove",
            Self::Activate => "Activate",
            Self::Deactivate => "Deactivate",
            Self::Start => "Start",
            Self::Stop => "Stop",
        }
    }

    /// Whether the node is this crate's extension (below `Ext/Operations`).
    pub const fn is_extension(self) -> bool {
        matches!(self, Self::Start | Self::Stop)
    }

    /// The node's path relative to its `<X>` node (`Operations/Install`, `Ext/Operations/Start`).
    pub fn relative_path(self) -> String {
        if self.is_extension() {
            format!("Ext/Operations/{}", self.node_name())
        } else {
            format!("Operations/{}", self.node_name())
        }
    }

    /// The node's path below the SCOMO root for item `x`.
    pub fn path(self, x: &str) -> String {
        format!("{}/{x}/{}", self.subtree().path(), self.relative_path())
    }

    /// The operations of a subtree, in DDF order.
    pub fn of(subtree: Subtree) -> &'static [Self] {
        match subtree {
            Subtree::Download => &[
                Self::Download,
                Self::DownloadInstall,
                Self::DownloadInstallInactive,
            ],
            Subtree::Delivered => &[Self::Install, Self::InstallInactive, Self::RemoveDelivered],
            Subtree::Deployed => &[
                Self::Activate,
                Self::Deactivate,
                Self::RemoveDeployed,
                Self::Start,
                Self::Stop,
            ],
        }
    }

    /// Parses a path relative to the SCOMO root into the operation and its `<X>` name.
    /// Only the exact spellings are accepted (`DownlaodInstallInactive`, `Deactive`,
    /// lowercase `download` and the like are not operations).
    pub fn parse(path: &str) -> Option<(Self, &str)> {
        let mut segs = path.split('/');
        let subtree = match (segs.next()?, segs.clone().next()) {
            ("Download", _) => Subtree::Download,
            ("Inventory", Some("Delivered")) => {
                segs.next();
                Subtree::Delivered
            }
            ("Inventory", Some("Deployed")) => {
                segs.next();
                Subtree::Deployed
            }
            _ => return None,
        };
        let x = segs.next()?;
        let rest: Vec<&str> = segs.collect();
        let op = Self::of(subtree).iter().copied().find(|op| {
            let rel = op.relative_path();
            rel.split('/').eq(rest.iter().copied())
        })?;
        (!x.is_empty()).then_some((op, x))
    }

    /// Whether the components end up (or stay) Inactive.
    pub const fn installs_inactive(self) -> bool {
        matches!(self, Self::DownloadInstallInactive | Self::InstallInactive)
    }

    /// Whether the operation downloads from `PkgURL`.
    pub const fn downloads(self) -> bool {
        matches!(self.subtree(), Subtree::Download)
    }

    /// Whether the operation installs a package.
    pub const fn installs(self) -> bool {
        matches!(
            self,
            Self::DownloadInstall
                | Self::DownloadInstallInactive
                | Self::Install
                | Self::InstallInactive
        )
    }

    /// The result code reported when the host gives no more precise one.
    pub const fn failure_code(self) -> ResultCode {
        match self {
            Self::Download | Self::DownloadInstall | Self::DownloadInstallInactive => {
                ResultCode::DOWNLOAD_FAILED
            }
            Self::Install | Self::InstallInactive => ResultCode::INSTALL_FAILED,
            Self::RemoveDelivered | Self::RemoveDeployed => ResultCode::REMOVE_FAILED,
            Self::Activate => ResultCode::ACTIVATE_FAILED,
            Self::Deactivate => ResultCode::DEACTIVATE_FAILED,
            Self::Start | Self::Stop => ResultCode::UNDEFINED_ERROR,
        }
    }
}
