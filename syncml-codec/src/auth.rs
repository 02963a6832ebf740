//! DM credentials (omadm.md §3.1): basic and MD5 digest, and the base64 they use.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional, whitespace ignored); `None` when invalid.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// `syncml:auth-basic` Cred/Data: `B64(user:password)`.
pub fn basic_credential(user: &str, password: &str) -> String {
    b64(format!("{user}:{password}").as_bytes())
}

/// `syncml:auth-md5` Cred/Data: `B64(MD5(B64(MD5(user:password)) ":" nonce))`, with the
/// nonce as raw (base64-decoded) bytes.
pub fn md5_credential(user: &str, password: &str, nonce: &[u8]) -> String {
    use md5::{Digest, Md5};
    let inner: [u8; 16] = Md5::digest(format!("{user}:{password}").as_bytes()).into();
    let mut input = b64(&inner).into_bytes();
    input.push(b':');
    input.extend_from_slice(nonce);
    let outer: [u8; 16] = Md5::digest(&input).into();
    b64(&outer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(
            basic_credential("Bruce2", "OhBehave"),
            "QnJ1Y2UyOk9oQmVoYXZl"
        );
        assert_eq!(
            md5_credential("Bruce2", "OhBehave", b"Nonce"),
            "Zz6EivR3yeaaENcRN6lpAQ=="
        );
    }

    #[test]
    fn corpus_credential_01() {
        // dm12/01: user xp200-0042 over nonce N0.
        let nonce = b64_decode("W2zDgw2mHPfrMHJLA50O8Q==").unwrap();
        assert_eq!(nonce.len(), 16);
        assert_eq!(
            md5_credential("xp200-0042", "Pa55-c1ient-0042", &nonce),
            "zT1/wxy48pnMjhQYsNMqgg=="
        );
    }

    #[test]
    fn b64_round_trip() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(b64_decode(&b64(&data)).unwrap(), data);
        }
        assert_eq!(b64_decode("AAAAAA==").unwrap(), [0, 0, 0, 0]);
        assert!(b64_decode("a*b").is_none());
    }
}
