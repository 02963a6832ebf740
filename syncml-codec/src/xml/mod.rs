//! The XML encoding: decode on quick-xml's borrowed reader, encode with a byte writer.

pub(crate) mod encode;
mod source;

pub(crate) use source::is_xml_char;

use crate::decode::Decoder;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::{Limits, Message};

/// Decodes an XML message with the default [`Limits`].
pub fn decode(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    decode_with(input, &Limits::default())
}

/// Decodes an XML message with explicit limits.
pub fn decode_with<'a>(input: &'a [u8], limits: &Limits) -> Result<Message<'a>, DecodeError> {
    if input.len() > limits.max_message_size {
        return Err(DecodeError {
            kind: DecodeErrorKind::Limit("message size"),
            offset: 0,
            path: "/".into(),
        });
    }
    let (body, base) = match input.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (input, 0),
    };
    let text = std::str::from_utf8(body).map_err(|e| DecodeError {
        kind: DecodeErrorKind::InvalidUtf8,
        offset: base + e.valid_up_to(),
        path: "/".into(),
    })?;
    Decoder::new(source::XmlSource::new(text, base), *limits)
        .message()
        .map_err(|e| *e)
}

/// Encodes a message as compact XML into `out` (cleared first, its capacity reused).
pub fn encode(message: &Message<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    out.clear();
    encode::Enc::new(out).message(message)
}

/// Encodes a message as XML into a new buffer.
pub fn to_vec(message: &Message<'_>) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(1024);
    encode(message, &mut out)?;
    Ok(out)
}

/// The exact length [`encode`] would produce, computed without encoding.
pub fn encoded_len(message: &Message<'_>) -> Result<usize, EncodeError> {
    let mut counter = encode::Counter(0);
    encode::Enc::new(&mut counter).message(message)?;
    Ok(counter.0)
}
