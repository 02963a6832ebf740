//! SCOMO result codes (the `ResultCode` of the OperationComplete alert, scomo.md §3) and
//! their classes.

use serde::{Deserialize, Serialize};

/// A SCOMO result code as carried in `<ResultCode>` (1200, 1400–1413, 1500, 1501 and the
/// vendor ranges 1250–1299, 1450–1499, 1550–1599).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResultCode(pub u16);

/// The class of a result code, by range.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ResultClass {
    /// 1200, 1250–1299.
    Success,
    /// 1400–1413, 1450–1499: caused by the user or the device.
    ClientError,
    /// 1500, 1501, 1550–1599: the alternate download server failed.
    DownloadServerError,
    /// Anything else (not a SCOMO code).
    Unknown,
}

impl ResultCode {
    /// 1200 Successful.
    pub const SUCCESSFUL: Self = Self(1200);
    /// 1400 Client Error.
    pub const CLIENT_ERROR: Self = Self(1400);
    /// 1401 User Cancelled.
    pub const USER_CANCELLED: Self = Self(1401);
    /// 1402 Download Failed.
    pub const DOWNLOAD_FAILED: Self = Self(1402);
    /// 1403 Alternate Download Authentication Failure.
    pub const DOWNLOAD_AUTH_FAILURE: Self = Self(1403);
    /// 1404 Download failed: out of memory.
    pub const DOWNLOAD_OUT_OF_MEMORY: Self = Self(1404);
    /// 1405 Install Failed.
    pub const INSTALL_FAILED: Self = Self(1405);
    /// 1406 Install failed: out of memory.
    pub const INSTALL_OUT_OF_MEMORY: Self = Self(1406);
    /// 1407 Failed Package Validation.
    pub const PACKAGE_VALIDATION_FAILED: Self = Self(1407);
    /// 1408 Remove Failed.
    pub const REMOVE_FAILED: Self = Self(1408);
    /// 1409 Activate Failed.
    pub const ACTIVATE_FAILED: Self = Self(1409);
    /// 1410 Deactivate Failed.
    pub const DEACTIVATE_FAILED: Self = Self(1410);
    /// 1411 Not Implemented.
    pub const NOT_IMPLEMENTED: Self = Self(1411);
    /// 1412 Undefined Error.
    pub const UNDEFINED_ERROR: Self = Self(1412);
    /// 1413 Operation Rejected: unsupported environment type.
    pub const UNSUPPORTED_ENV_TYPE: Self = Self(1413);
    /// 1500 Alternate Download Server Error.
    pub const DOWNLOAD_SERVER_ERROR: Self = Self(1500);
    /// 1501 Alternate Download Server Unavailable.
    pub const DOWNLOAD_SERVER_UNAVAILABLE: Self = Self(1501);

    /// The class of the code, by range.
    pub const fn class(self) -> ResultClass {
        match self.0 {
            1200 | 1250..=1299 => ResultClass::Success,
            1400..=1413 | 1450..=1499 => ResultClass::ClientError,
            1500 | 1501 | 1550..=1599 => ResultClass::DownloadServerError,
            _ => ResultClass::Unknown,
        }
    }

    /// Whether the code reports success.
    pub const fn is_success(self) -> bool {
        matches!(self.class(), ResultClass::Success)
    }

    /// Whether the code lies in a vendor-specified sub-range (x250–x299, x450–x499, x550–x599).
    pub const fn is_vendor(self) -> bool {
        matches!(self.0, 1250..=1299 | 1450..=1499 | 1550..=1599)
    }

    /// The meaning of the code (scomo.md §3); `None` outside the SCOMO ranges.
    pub const fn meaning(self) -> Option<&'static str> {
        Some(match self.0 {
            1200 => "Successful",
            1250..=1299 => "Successful, vendor-specified",
            1400 => "Client Error",
            1401 => "User Cancelled",
            1402 => "Download Failed",
            1403 => "Alternate Download Authentication Failure",
            1404 => "Download Failed: out of memory",
            1405 => "Install Failed",
            1406 => "Install Failed: out of memory",
            1407 => "Failed Package Validation",
            1408 => "Remove Failed",
            1409 => "Activate Failed",
            1410 => "Deactivate Failed",
            1411 => "Not Implemented",
            1412 => "Undefined Error",
            1413 => "Operation Rejected: unsupported environment type",
            1450..=1499 => "Client Error, vendor-specified",
            1500 => "Alternate Download Server Error",
            1501 => "Alternate Download Server Unavailable",
            1550..=1599 => "Alternate Download Server Error, vendor-specified",
            _ => return None,
        })
    }

    /// The alert `Meta/Mark` this crate sends for the code: `informational` for success,
    /// `warning` for client errors, `critical` for download server errors and unknown codes.
    pub const fn mark(self) -> &'static str {
        match self.class() {
            ResultClass::Success => "informational",
            ResultClass::ClientError => "warning",
            _ => "critical",
        }
    }
}

impl core::fmt::Display for ResultCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}
