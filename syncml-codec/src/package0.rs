//! Package 0: the General Notification Initiated Session Alert (omadm.md §3.4), a big-endian
//! binary message a server pushes to make a device open a DM session.
//!
//! ```
//! use syncml_codec::package0::{Initiator, Notification, UiMode};
//! let n = Notification::new(UiMode::Background, Initiator::Server, 0x1A2B, "ExampleDM");
//! let bytes = n.encode(b"secret", b"nonce");
//! let back = Notification::decode(&bytes)?;
//! assert_eq!(back.session_id_hex(), "1A2B");
//! assert!(back.verify(&bytes, b"secret", b"nonce"));
//! # Ok::<(), syncml_codec::package0::Package0Error>(())
//! ```

use std::borrow::Cow;

use md5::{Digest, Md5};

/// The version sent (`11` = "1.1", as DM 1.2.1 requires).
pub const VERSION_SENT: u16 = 11;

/// The nonces to try when the stored one fails (nonce resync): 4 zero bytes (AOSP) and the
/// literal string `0x00000000` (libdmclient).
pub const RESYNC_NONCES: [&[u8]; 2] = [&[0, 0, 0, 0], b"0x00000000"];

/// The 2-bit ui-mode field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiMode {
    /// 0: not specified.
    NotSpecified,
    /// 1: background.
    Background,
    /// 2: informative.
    Informative,
    /// 3: user interaction.
    UserInteraction,
}

impl UiMode {
    fn from_bits(bits: u64) -> Self {
        match bits & 3 {
            0 => Self::NotSpecified,
            1 => Self::Background,
            2 => Self::Informative,
            _ => Self::UserInteraction,
        }
    }

    fn bits(self) -> u64 {
        match self {
            Self::NotSpecified => 0,
            Self::Background => 1,
            Self::Informative => 2,
            Self::UserInteraction => 3,
        }
    }
}

/// The 1-bit initiator field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// 0: the client or its user.
    Client,
    /// 1: the server.
    Server,
}

/// Why a package 0 could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Package0Error {
    /// Fewer bytes than the fixed header plus the server id need.
    #[error("package 0 truncated: {len} bytes, at least {needed} needed")]
    Truncated {
        /// Input length.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// A version outside 10–12 (at byte 16).
    #[error("unsupported package 0 version {0} at byte 16")]
    Version(u16),
    /// The server id is not UTF-8 (at byte 24).
    #[error("server identifier is not UTF-8 at byte 24")]
    ServerId,
}

/// A decoded (or to-be-sent) package 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification<'a> {
    /// The digest as received (zero before encoding).
    pub digest: [u8; 16],
    /// The version field (10–12 accepted; [`VERSION_SENT`] is written).
    pub version: u16,
    /// The ui-mode field.
    pub ui_mode: UiMode,
    /// The initiator field.
    pub initiator: Initiator,
    /// The 27 future-use bits (zero when sent).
    pub future_use: u32,
    /// The session id (SessionID of package 1 in uppercase hex, see [`Self::session_id_hex`]).
    pub session_id: u16,
    /// The server identifier (must match DMAcc ServerID).
    pub server_id: Cow<'a, str>,
    /// The vendor-specific bytes after the server id.
    pub vendor: Cow<'a, [u8]>,
}

impl<'a> Notification<'a> {
    /// A notification to send.
    pub fn new(
        ui_mode: UiMode,
        initiator: Initiator,
        session_id: u16,
        server_id: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            digest: [0; 16],
            version: VERSION_SENT,
            ui_mode,
            initiator,
            future_use: 0,
            session_id,
            server_id: server_id.into(),
            vendor: Cow::Borrowed(&[]),
        }
    }

    /// Decodes every field; the digest is kept, check it with [`Self::verify`].
    pub fn decode(input: &'a [u8]) -> Result<Self, Package0Error> {
        let truncated = |needed| Package0Error::Truncated {
            len: input.len(),
            needed,
        };
        let digest: [u8; 16] = input
            .get(..16)
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| truncated(24))?;
        let word: [u8; 8] = input
            .get(16..24)
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| truncated(24))?;
        let word = u64::from_be_bytes(word);
        let version = ((word >> 54) & 0x3FF) as u16;
        if !(10..=12).contains(&version) {
            return Err(Package0Error::Version(version));
        }
        let id_len = (word & 0xFF) as usize;
        let id = input
            .get(24..24 + id_len)
            .ok_or_else(|| truncated(24 + id_len))?;
        let server_id = std::str::from_utf8(id).map_err(|_| Package0Error::ServerId)?;
        Ok(Self {
            digest,
            version,
            ui_mode: UiMode::from_bits(word >> 52),
            initiator: if (word >> 51) & 1 == 1 {
                Initiator::Server
            } else {
                Initiator::Client
            },
            future_use: ((word >> 24) & 0x07FF_FFFF) as u32,
            session_id: ((word >> 8) & 0xFFFF) as u16,
            server_id: Cow::Borrowed(server_id),
            vendor: Cow::Borrowed(input.get(24 + id_len..).unwrap_or_default()),
        })
    }

    /// The trigger: every byte after the digest, as [`Self::encode`] writes it.
    pub fn trigger(&self) -> Vec<u8> {
        let id = self.server_id.as_bytes();
        // A server id longer than 255 bytes cannot be announced: it is cut to fit the field.
        let id = id.get(..id.len().min(255)).unwrap_or_default();
        let word = (u64::from(VERSION_SENT) << 54)
            | (self.ui_mode.bits() << 52)
            | (u64::from(self.initiator == Initiator::Server) << 51)
            | (u64::from(self.future_use & 0x07FF_FFFF) << 24)
            | (u64::from(self.session_id) << 8)
            | id.len() as u64;
        let mut out = Vec::with_capacity(8 + id.len() + self.vendor.len());
        out.extend_from_slice(&word.to_be_bytes());
        out.extend_from_slice(id);
        out.extend_from_slice(&self.vendor);
        out
    }

    /// The whole message with its digest over `server_password` and `nonce` (the raw nonce
    /// bytes, i.e. base64-decoded).
    pub fn encode(&self, server_password: &[u8], nonce: &[u8]) -> Vec<u8> {
        let trigger = self.trigger();
        let d = digest(self.server_id.as_bytes(), server_password, nonce, &trigger);
        let mut out = Vec::with_capacity(16 + trigger.len());
        out.extend_from_slice(&d);
        out.extend_from_slice(&trigger);
        out
    }

    /// Whether the digest of `input` (this message's bytes) matches `server_password` and
    /// `nonce`. Try [`RESYNC_NONCES`] when the stored nonce fails.
    pub fn verify(&self, input: &[u8], server_password: &[u8], nonce: &[u8]) -> bool {
        let trigger = input.get(16..).unwrap_or_default();
        digest(self.server_id.as_bytes(), server_password, nonce, trigger) == self.digest
    }

    /// The SessionID for package 1: uppercase hex without leading zeros.
    pub fn session_id_hex(&self) -> String {
        format!("{:X}", self.session_id)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Notification<'static> {
        Notification {
            server_id: Cow::Owned(self.server_id.into_owned()),
            vendor: Cow::Owned(self.vendor.into_owned()),
            ..Notification::new(self.ui_mode, self.initiator, self.session_id, String::new())
        }
        .with_fields(self.digest, self.version, self.future_use)
    }

    fn with_fields(mut self, digest: [u8; 16], version: u16, future_use: u32) -> Self {
        self.digest = digest;
        self.version = version;
        self.future_use = future_use;
        self
    }
}

fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// `MD5( B64(MD5(server_id:password)) ":" nonce ":" B64(MD5(trigger)) )`, raw 16 bytes.
pub fn digest(server_id: &[u8], password: &[u8], nonce: &[u8], trigger: &[u8]) -> [u8; 16] {
    let mut cred = Vec::with_capacity(server_id.len() + password.len() + 1);
    cred.extend_from_slice(server_id);
    cred.push(b':');
    cred.extend_from_slice(password);
    let mut input = crate::auth::b64(&md5(&cred)).into_bytes();
    input.push(b':');
    input.extend_from_slice(nonce);
    input.push(b':');
    input.extend_from_slice(crate::auth::b64(&md5(trigger)).as_bytes());
    md5(&input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_layout_is_exact() {
        let mut n = Notification::new(UiMode::UserInteraction, Initiator::Server, 0xBEEF, "srv");
        n.vendor = Cow::Borrowed(b"\x01\x02");
        let bytes = n.encode(b"pw", b"nonce");
        // version 11 in the top 10 bits, ui 3, initiator 1, session BEEF, length 3.
        let word = u64::from_be_bytes(bytes[16..24].try_into().unwrap());
        assert_eq!(word >> 54, 11);
        assert_eq!((word >> 52) & 3, 3);
        assert_eq!((word >> 51) & 1, 1);
        assert_eq!((word >> 24) & 0x07FF_FFFF, 0);
        assert_eq!((word >> 8) & 0xFFFF, 0xBEEF);
        assert_eq!(word & 0xFF, 3);
        assert_eq!(&bytes[24..27], b"srv");
        assert_eq!(&bytes[27..], b"\x01\x02");
        assert_eq!(bytes[16], 0x02); // 11 << 54 puts 0b0000_0010 in the first byte
        assert_eq!(bytes[17] >> 4, 0b1111); // version low bits 11, then ui 3
        let back = Notification::decode(&bytes).unwrap();
        assert_eq!(back.session_id_hex(), "BEEF");
        assert_eq!(back.vendor.as_ref(), b"\x01\x02");
        assert!(back.verify(&bytes, b"pw", b"nonce"));
        assert!(!back.verify(&bytes, b"pw", b"other"));
        assert_eq!(back.into_owned().digest, bytes[..16]);
    }

    #[test]
    fn versions_10_to_12_accepted_others_refused() {
        let n = Notification::new(UiMode::NotSpecified, Initiator::Client, 1, "s");
        let mut bytes = n.encode(b"", b"");
        for v in 0u16..1024 {
            let word = u64::from_be_bytes(bytes[16..24].try_into().unwrap());
            let word = (word & !(0x3FF << 54)) | (u64::from(v) << 54);
            bytes[16..24].copy_from_slice(&word.to_be_bytes());
            let r = Notification::decode(&bytes);
            if (10..=12).contains(&v) {
                assert_eq!(r.unwrap().version, v);
            } else {
                assert_eq!(r, Err(Package0Error::Version(v)));
            }
        }
    }

    #[test]
    fn session_id_hex_has_no_leading_zeros() {
        let n = Notification::new(UiMode::NotSpecified, Initiator::Server, 0x00A, "s");
        assert_eq!(n.session_id_hex(), "A");
    }

    #[test]
    fn truncations_are_errors() {
        let bytes = Notification::new(UiMode::Informative, Initiator::Server, 7, "ExampleDM")
            .encode(b"p", b"n");
        for len in 0..24 + 9 {
            assert!(matches!(
                Notification::decode(&bytes[..len]),
                Err(Package0Error::Truncated { .. })
            ));
        }
        assert!(Notification::decode(&bytes).is_ok());
    }

    #[test]
    fn digest_matches_an_independent_computation() {
        // The formula spelled out step by step with the auth helpers.
        let trigger = b"\x02\xC8\x00\x00\x00\x01\x2A\x01s";
        let inner = crate::auth::b64(&md5(b"s:pw"));
        let tb = crate::auth::b64(&md5(trigger));
        let expect = md5(format!("{inner}:\0\0\0\0:{tb}").as_bytes());
        assert_eq!(digest(b"s", b"pw", &[0, 0, 0, 0], trigger), expect);
    }
}
