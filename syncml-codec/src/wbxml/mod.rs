//! The WBXML encoding, directly on `wbxml::Reader` and `wbxml::Writer` (MetInf on page 1,
//! nested documents as OPAQUE holding a WBXML document).

pub(crate) mod encode;
mod source;

use crate::decode::Decoder;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::{Limits, Message};

/// Decodes a WBXML message with the default [`Limits`].
pub fn decode(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    decode_with(input, &Limits::default())
}

/// Decodes a WBXML message with explicit limits.
pub fn decode_with<'a>(input: &'a [u8], limits: &Limits) -> Result<Message<'a>, DecodeError> {
    if input.len() > limits.max_message_size {
        return Err(DecodeError {
            kind: DecodeErrorKind::Limit("message size"),
            offset: 0,
            path: "/".into(),
        });
    }
    // Element depth: the fixed levels of a message plus two per Sequence/Atomic level.
    let depth = limits.max_depth.saturating_mul(2).saturating_add(12);
    let src = source::WbxmlSource::new(input, depth).map_err(|e| *e)?;
    Decoder::new(src, *limits).message().map_err(|e| *e)
}

/// Encodes a message as WBXML 1.3 (public id 0x1201, UTF-8) into `out` (cleared first, its
/// capacity reused).
pub fn encode(message: &Message<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    encode_with(message, &[], out)
}

/// [`encode`] with `tail` after the commands of the message's body.
pub(crate) fn encode_with(
    message: &Message<'_>,
    tail: &[crate::Command<'_>],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let mut w = ::wbxml::Writer::from_vec(
        std::mem::take(out),
        ::wbxml::Version::V1_3,
        ::wbxml::PublicId::Known(0x1201),
        None,
    );
    let result = encode::Enc::new(&mut w).message_with(message, tail);
    *out = w.finish();
    if result.is_err() {
        out.clear();
    }
    result
}

/// Encodes a message as WBXML into a new buffer.
pub fn to_vec(message: &Message<'_>) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(512);
    encode(message, &mut out)?;
    Ok(out)
}

/// The exact length [`encode`] would produce, computed without encoding (nested XML
/// documents are converted to learn their WBXML size).
pub fn encoded_len(message: &Message<'_>) -> Result<usize, EncodeError> {
    let mut counter = encode::WCounter::new();
    encode::Enc::new(&mut counter).message(message)?;
    Ok(counter.len)
}
