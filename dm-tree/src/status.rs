//! DM status codes (omadm.md §1.4) as returned by [`crate::Tree::execute`].

use core::fmt;

/// A DM status code, as carried in a SyncML `Status`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Status(pub u16);

impl Status {
    /// 200 OK.
    pub const OK: Self = Self(200);
    /// 202 Accepted for processing (an Exec that completes later).
    pub const ACCEPTED: Self = Self(202);
    /// 400 Bad request (malformed URI, value or ACL).
    pub const BAD_REQUEST: Self = Self(400);
    /// 403 Forbidden (a Copy that fails for a reason other than the ACL).
    pub const FORBIDDEN: Self = Self(403);
    /// 404 Not found.
    pub const NOT_FOUND: Self = Self(404);
    /// 405 Command not allowed.
    pub const COMMAND_NOT_ALLOWED: Self = Self(405);
    /// 406 Optional feature not supported.
    pub const OPTIONAL_FEATURE_NOT_SUPPORTED: Self = Self(406);
    /// 413 Request entity too large.
    pub const ENTITY_TOO_LARGE: Self = Self(413);
    /// 414 URI too long.
    pub const URI_TOO_LONG: Self = Self(414);
    /// 415 Unsupported media type or format.
    pub const UNSUPPORTED_MEDIA_TYPE: Self = Self(415);
    /// 418 Already exists.
    pub const ALREADY_EXISTS: Self = Self(418);
    /// 420 Device full.
    pub const DEVICE_FULL: Self = Self(420);
    /// 425 Permission denied (the ACL refuses).
    pub const PERMISSION_DENIED: Self = Self(425);
    /// 500 Command failed.
    pub const COMMAND_FAILED: Self = Self(500);
    /// 510 Data store failure.
    pub const DATA_STORE_FAILURE: Self = Self(510);

    /// Whether the code reports success (2xx).
    pub const fn is_success(self) -> bool {
        self.0 >= 200 && self.0 < 300
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
