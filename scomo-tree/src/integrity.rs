//! Package integrity (SCOMO-SEC-03): SHA-256 digest and ed25519 signature over the package
//! bytes, checked against the device's trust anchors. A failure is reported as 1407.
//!
//! The expected values reach the device in this crate's extension leaves
//! `Download/<X>/Ext/Digest` and `…/Ext/Signature` (and the same under
//! `Inventory/Delivered/<X>/Ext` for direct delivery), both as hex text.

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// What the server says the package must match (hex text as found in the tree).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Expected SHA-256, 64 hex digits.
    pub digest: Option<String>,
    /// ed25519 signature of the package bytes, 128 hex digits.
    pub signature: Option<String>,
}

/// Why a package was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// The digest differs.
    #[error("SHA-256 mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The expected digest.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// A value is not hex of the right length.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// No trust anchor verifies the signature.
    #[error("signature not verified by any trust anchor")]
    BadSignature,
    /// The policy requires a value the server did not give.
    #[error("{0} required but not given")]
    Missing(&'static str),
}

/// Checks package bytes before install (pluggable; see [`Sha256Ed25519`]).
pub trait Integrity: Send {
    /// `Ok` when the package may be installed.
    fn verify(&self, package: &[u8], expected: &Expectation) -> Result<(), IntegrityError>;
}

/// Accepts every package (no integrity policy).
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptAll;

impl Integrity for AcceptAll {
    fn verify(&self, _: &[u8], _: &Expectation) -> Result<(), IntegrityError> {
        Ok(())
    }
}

/// The ready policy: a given digest must match, a given signature must verify with one
/// of the trust anchors, and either may be made mandatory.
#[derive(Clone, Debug, Default)]
pub struct Sha256Ed25519 {
    anchors: Vec<VerifyingKey>,
    require_digest: bool,
    require_signature: bool,
}

/// Lower-case hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(
            HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

/// Decodes hex text (either case) into exactly `N` bytes.
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        *o = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// SHA-256 of the bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

impl Sha256Ed25519 {
    /// A policy with no trust anchor and nothing mandatory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trust anchor (an ed25519 public key); `Err` if the bytes are not a valid key.
    pub fn with_anchor(mut self, public_key: &[u8; 32]) -> Result<Self, IntegrityError> {
        let key = VerifyingKey::from_bytes(public_key)
            .map_err(|_| IntegrityError::Malformed("trust anchor"))?;
        self.anchors.push(key);
        Ok(self)
    }

    /// Makes the digest mandatory.
    #[must_use]
    pub fn require_digest(mut self, yes: bool) -> Self {
        self.require_digest = yes;
        self
    }

    /// Makes the signature mandatory.
    #[must_use]
    pub fn require_signature(mut self, yes: bool) -> Self {
        self.require_signature = yes;
        self
    }
}

impl Integrity for Sha256Ed25519 {
    fn verify(&self, package: &[u8], expected: &Expectation) -> Result<(), IntegrityError> {
        match expected
            .digest
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => {
                let want = from_hex::<32>(d).ok_or(IntegrityError::Malformed("digest"))?;
                let got = Sha256::digest(package);
                if got.as_slice() != want.as_slice() {
                    return Err(IntegrityError::DigestMismatch {
                        expected: to_hex(&want),
                        actual: to_hex(&got),
                    });
                }
            }
            None if self.require_digest => return Err(IntegrityError::Missing("digest")),
            None => {}
        }
        match expected
            .signature
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => {
                let bytes = from_hex::<64>(s).ok_or(IntegrityError::Malformed("signature"))?;
                let sig = Signature::from_bytes(&bytes);
                if !self
                    .anchors
                    .iter()
                    .any(|k| k.verify_strict(package, &sig).is_ok())
                {
                    return Err(IntegrityError::BadSignature);
                }
            }
            None if self.require_signature => return Err(IntegrityError::Missing("signature")),
            None => {}
        }
        Ok(())
    }
}
