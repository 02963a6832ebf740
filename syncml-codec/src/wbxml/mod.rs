//! The WBXML encoding, directly on `wbxml::Reader` and `wbxml::Writer` (MetInf on page 1,
//! nested documents as OPAQUE holding a WBXML document).

pub(crate) mod encode;
mod fast;
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
    // Most messages are read by the lean decoder; the full one decodes what it leaves (rare
    // constructs) and reports every error with its offset and path.
    if let Some(m) = fast::decode(input, limits) {
        return Ok(m);
    }
    full(input, limits)
}

/// The full decoder, on the shared event decoder.
fn full<'a>(input: &'a [u8], limits: &Limits) -> Result<Message<'a>, DecodeError> {
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

/// The lean decoder alone (`None` where it leaves the input to the full one), for the fuzz
/// target that checks it against [`decode_full_for_fuzzing`]; not a stable API.
#[doc(hidden)]
pub fn decode_fast_for_fuzzing<'a>(input: &'a [u8], limits: &Limits) -> Option<Message<'a>> {
    fast::decode(input, limits)
}

/// The full decoder alone, without the lean one in front (see
/// [`decode_fast_for_fuzzing`]); not a stable API.
#[doc(hidden)]
pub fn decode_full_for_fuzzing<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Message<'a>, DecodeError> {
    full(input, limits)
}

/// Encodes a message as WBXML 1.3 (public id 0x1201, UTF-8) into `out` (cleared first, its
/// capacity reused).
pub fn encode(message: &Message<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut w = writer(std::mem::take(out));
    let result = encode::Enc::new(&mut w).message(message);
    *out = w.finish();
    if result.is_err() {
        out.clear();
    }
    result
}

/// The writer every encoder here starts from: WBXML 1.3, SyncML 1.2's public id, UTF-8,
/// in `buf` (cleared, its capacity reused).
pub(crate) fn writer(buf: Vec<u8>) -> ::wbxml::Writer {
    ::wbxml::Writer::from_vec(
        buf,
        ::wbxml::Version::V1_3,
        ::wbxml::PublicId::Known(0x1201),
        None,
    )
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// The decode of `input` with and without the reader's shortcuts (text elements read
    /// whole, start tags and ends read directly).
    fn both(input: &[u8]) -> [Result<Message<'_>, DecodeError>; 2] {
        [true, false].map(|shortcuts| {
            let src = source::WbxmlSource::new(input, 40).map_err(|e| *e)?;
            let src = if shortcuts {
                src
            } else {
                src.without_shortcuts()
            };
            Decoder::new(src, Limits::default())
                .message()
                .map_err(|e| *e)
        })
    }

    /// WBXML messages: every XML vector converted, and odd cases written out.
    fn inputs() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for path in crate::test_vectors::files() {
            let bytes = std::fs::read(&path).unwrap();
            match path.extension().and_then(|e| e.to_str()) {
                Some("wbxml") => out.push(bytes),
                Some("xml") => {
                    if let Ok(w) = ::wbxml::transcode::xml_to_wbxml(&bytes, &Default::default()) {
                        out.push(w);
                    }
                }
                _ => {}
            }
        }
        // Text where containers and flags expect none, duplicates, a non-ASCII string, an
        // empty one, and the string table.
        for xml in [
            concat!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                "<VerProto>DM/1.2</VerProto><SessionID></SessionID><MsgID>1</MsgID>",
                "<Target><LocURI>t\u{e9}</LocURI></Target><Source><LocURI>s</LocURI>",
                "</Source></SyncHdr><SyncBody><Get><CmdID>1</CmdID><Item><Target>",
                "<LocURI>./a</LocURI></Target></Item></Get><Final> </Final></SyncBody>",
                "</SyncML>"
            ),
            concat!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>",
                "<Target>x</Target></SyncHdr></SyncML>"
            ),
            concat!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                "<VerDTD>1.2</VerDTD></SyncHdr></SyncML>"
            ),
            concat!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>",
                "<Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI>",
                "</Source></SyncHdr><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef>",
                "<CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>2x0</Data></Status>",
                "<Final>x</Final></SyncBody></SyncML>"
            ),
        ] {
            out.push(
                ::wbxml::transcode::xml_to_wbxml(xml.as_bytes(), &Default::default()).unwrap(),
            );
        }
        out
    }

    /// The shortcuts give the same message, or the same error at the same offset with the
    /// same path, as the reader's events: on every vector, on truncations and on copies
    /// with one byte replaced, at many places.
    #[test]
    fn shortcuts_match_the_event_path() {
        for input in inputs() {
            let [a, b] = both(&input);
            assert_eq!(a, b, "{input:02X?}");
            let step = (input.len() / 250).max(1);
            for at in (0..input.len()).step_by(step) {
                for byte in [0x00, 0x01, 0x03, 0x45, 0x80, 0xC3] {
                    let mut m = input.clone();
                    m[at] = byte;
                    let [a, b] = both(&m);
                    assert_eq!(a, b, "byte {at} -> {byte:02X}");
                }
                let [a, b] = both(&input[..at]);
                assert_eq!(a, b, "cut at {at}");
            }
        }
    }
}
