//! DM authentication (omadm.md §3): credentials, the `x-syncml-hmac` header and nonces.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use syncml_codec::auth::{b64, b64_decode, basic_credential, md5_credential};

/// `Meta/Type` of basic credentials.
pub const AUTH_BASIC: &str = "syncml:auth-basic";
/// `Meta/Type` of MD5 digest credentials.
pub const AUTH_MD5: &str = "syncml:auth-md5";
/// `Meta/Type` of HMAC integrity (a challenge type; the MAC travels in a transport header).
pub const AUTH_MAC: &str = "syncml:auth-MAC";

/// How a peer authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthType {
    /// No DM-level authentication (transport only).
    None,
    /// `syncml:auth-basic`.
    Basic,
    /// `syncml:auth-md5`.
    Md5,
    /// `syncml:auth-MAC`: HMAC-MD5 over every message in `x-syncml-hmac`.
    Hmac,
}

impl AuthType {
    /// The `Meta/Type` of a Cred or Chal of this type.
    pub fn meta_type(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Basic => Some(AUTH_BASIC),
            Self::Md5 => Some(AUTH_MD5),
            Self::Hmac => Some(AUTH_MAC),
        }
    }

    /// The type a `Meta/Type` names.
    pub fn from_meta_type(text: &str) -> Option<Self> {
        match text {
            AUTH_BASIC => Some(Self::Basic),
            AUTH_MD5 => Some(Self::Md5),
            t if t.eq_ignore_ascii_case(AUTH_MAC) => Some(Self::Hmac),
            _ => None,
        }
    }

    /// The type a DMAcc `AAuthType` value names.
    pub fn from_dmacc(text: &str) -> Option<Self> {
        match text {
            "BASIC" => Some(Self::Basic),
            "DIGEST" => Some(Self::Md5),
            "HMAC" => Some(Self::Hmac),
            _ => None,
        }
    }
}

/// A user name and password with the auth type they are used with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The auth type.
    pub auth_type: AuthType,
    /// User name (client) or server id (server); SyncHdr `Source/LocName`.
    pub name: String,
    /// The password.
    pub password: String,
}

impl Credentials {
    /// Credentials of a type.
    pub fn new(auth_type: AuthType, name: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            auth_type,
            name: name.into(),
            password: password.into(),
        }
    }

    /// The `Cred/Data` for this type over `nonce` (raw bytes); `None` for HMAC and none.
    pub fn cred_data(&self, nonce: &[u8]) -> Option<String> {
        match self.auth_type {
            AuthType::Basic => Some(basic_credential(&self.name, &self.password)),
            AuthType::Md5 => Some(md5_credential(&self.name, &self.password, nonce)),
            AuthType::None | AuthType::Hmac => None,
        }
    }

    /// Whether a received `Cred/Data` of `auth_type` is valid for these credentials over
    /// `nonce`; MD5 also accepts a digest over the undecoded nonce text (omadm.md §3.1).
    pub fn verify_cred(&self, auth_type: AuthType, data: &str, nonce: &[u8]) -> bool {
        if auth_type != self.auth_type {
            return false;
        }
        match auth_type {
            AuthType::Basic => ct_eq(data, &basic_credential(&self.name, &self.password)),
            AuthType::Md5 => {
                ct_eq(data, &md5_credential(&self.name, &self.password, nonce))
                    || ct_eq(
                        data,
                        &md5_credential(&self.name, &self.password, b64(nonce).as_bytes()),
                    )
            }
            AuthType::None | AuthType::Hmac => false,
        }
    }

    /// The `x-syncml-hmac` header value for `body` sent with these credentials over `nonce`.
    pub fn hmac_header(&self, nonce: &[u8], body: &[u8]) -> String {
        let mac = hmac_md5(&self.name, &self.password, nonce, body);
        format!("algorithm=MD5, username=\"{}\", mac={}", self.name, mac)
    }

    /// Whether an `x-syncml-hmac` header value is valid for `body`, these credentials and
    /// `nonce` (the undecoded nonce text is accepted too).
    pub fn verify_hmac(&self, header: &str, nonce: &[u8], body: &[u8]) -> bool {
        let Some(h) = HmacHeader::parse(header) else {
            return false;
        };
        if !h.algorithm.eq_ignore_ascii_case("MD5") || h.username != self.name {
            return false;
        }
        ct_eq(h.mac, &hmac_md5(&self.name, &self.password, nonce, body))
            || ct_eq(
                h.mac,
                &hmac_md5(&self.name, &self.password, b64(nonce).as_bytes(), body),
            )
    }
}

/// Compares two strings without an early exit on the first difference.
fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// `B64(MD5(B64(MD5(user:password)) ":" nonce ":" B64(MD5(body))))` (omadm.md §3.2).
pub fn hmac_md5(user: &str, password: &str, nonce: &[u8], body: &[u8]) -> String {
    let inner = md5(format!("{user}:{password}").as_bytes());
    let mut input = b64(&inner).into_bytes();
    input.push(b':');
    input.extend_from_slice(nonce);
    input.push(b':');
    input.extend_from_slice(b64(&md5(body)).as_bytes());
    b64(&md5(&input))
}

/// The parameters of an `x-syncml-hmac` header value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HmacHeader<'a> {
    /// `algorithm` (MD5 when absent).
    pub algorithm: &'a str,
    /// `username`.
    pub username: &'a str,
    /// `mac` (base64).
    pub mac: &'a str,
}

impl<'a> HmacHeader<'a> {
    /// Parses `algorithm=MD5, username="name", mac=...`; parameters are found by name (case
    /// insensitive), `username` and `mac` are required.
    pub fn parse(value: &'a str) -> Option<Self> {
        let (mut algorithm, mut username, mut mac) = ("MD5", None, None);
        for part in split_params(value) {
            let (k, v) = part.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v);
            match k.trim().to_ascii_lowercase().as_str() {
                "algorithm" => algorithm = v,
                "username" => username = Some(v),
                "mac" => mac = Some(v),
                _ => {}
            }
        }
        Some(Self {
            algorithm,
            username: username?,
            mac: mac?,
        })
    }
}

/// Splits on commas outside quoted strings.
fn split_params(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value.get(start..).unwrap_or_default());
    parts.into_iter().filter(|p| !p.trim().is_empty())
}

/// Decodes a NextNonce: base64 when it is valid base64, else its text bytes.
pub fn decode_nonce(text: &str) -> Vec<u8> {
    b64_decode(text).unwrap_or_else(|| text.as_bytes().to_vec())
}

/// Fresh nonces without a clock or an OS RNG: MD5 over host-supplied entropy and a counter,
/// so the state stays serialisable and tests stay deterministic. The host seeds it with
/// random bytes when it creates an engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceSource {
    seed: Vec<u8>,
    counter: u64,
}

impl NonceSource {
    /// A source over `seed` (give it at least 16 random bytes).
    pub fn new(seed: &[u8]) -> Self {
        Self {
            seed: seed.to_vec(),
            counter: 0,
        }
    }

    /// The next 16-byte nonce.
    pub fn next_nonce(&mut self) -> [u8; 16] {
        self.counter = self.counter.wrapping_add(1);
        let mut input = self.seed.clone();
        input.extend_from_slice(&self.counter.to_be_bytes());
        md5(&input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vector_md5_and_basic() {
        let c = Credentials::new(AuthType::Md5, "Bruce2", "OhBehave");
        assert_eq!(
            c.cred_data(b"Nonce").as_deref(),
            Some("Zz6EivR3yeaaENcRN6lpAQ==")
        );
        assert!(c.verify_cred(AuthType::Md5, "Zz6EivR3yeaaENcRN6lpAQ==", b"Nonce"));
        assert!(!c.verify_cred(AuthType::Md5, "Zz6EivR3yeaaENcRN6lpAQ==", b"nonce"));
        let b = Credentials::new(AuthType::Basic, "Bruce2", "OhBehave");
        assert_eq!(b.cred_data(b"").as_deref(), Some("QnJ1Y2UyOk9oQmVoYXZl"));
    }

    #[test]
    fn hmac_header_round_trip() {
        let c = Credentials::new(AuthType::Hmac, "Robert Jordan", "secret");
        let h = c.hmac_header(b"n1", b"<SyncML/>");
        assert!(h.starts_with("algorithm=MD5, username=\"Robert Jordan\", mac="));
        assert!(c.verify_hmac(&h, b"n1", b"<SyncML/>"));
        assert!(!c.verify_hmac(&h, b"n2", b"<SyncML/>"));
        assert!(!c.verify_hmac(&h, b"n1", b"<SyncML />"));
        let parsed = HmacHeader::parse("mac=abc, USERNAME=\"a, b\"").unwrap();
        assert_eq!(
            (parsed.algorithm, parsed.username, parsed.mac),
            ("MD5", "a, b", "abc")
        );
        assert!(HmacHeader::parse("algorithm=MD5, mac=abc").is_none());
    }

    #[test]
    fn nonces_differ() {
        let mut s = NonceSource::new(b"seed");
        assert_ne!(s.next_nonce(), s.next_nonce());
    }
}
