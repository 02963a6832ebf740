//! Property tests: random messages (from the `arbitrary` impl) survive encode→decode in XML
//! and WBXML, the two decodes agree, and `encoded_len` is exact.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns

use arbitrary::{Arbitrary, Unstructured};
use syncml_codec::{decode_wbxml, decode_xml, wbxml, xml, Message};

/// A small deterministic generator, so failures reproduce.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn random_messages_round_trip_in_both_encodings() {
    let mut commands = 0;
    let mut xml_buf = Vec::new();
    let mut wbxml_buf = Vec::new();
    for seed in 0..1500u64 {
        let raw = bytes(seed, 64 + (seed as usize % 2048));
        let Ok(m) = Message::arbitrary(&mut Unstructured::new(&raw)) else {
            continue;
        };
        commands += m.all_commands().len();
        xml::encode(&m, &mut xml_buf).unwrap();
        assert_eq!(xml_buf.len(), xml::encoded_len(&m).unwrap(), "seed {seed}");
        let from_xml = decode_xml(&xml_buf)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", String::from_utf8_lossy(&xml_buf)));
        assert_eq!(from_xml, m, "seed {seed}: XML");
        wbxml::encode(&m, &mut wbxml_buf).unwrap();
        assert_eq!(
            wbxml_buf.len(),
            wbxml::encoded_len(&m).unwrap(),
            "seed {seed}"
        );
        let from_wbxml = decode_wbxml(&wbxml_buf).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(from_wbxml, m, "seed {seed}: WBXML");
        assert_eq!(from_wbxml.into_owned(), from_xml);
    }
    assert!(
        commands > 3000,
        "the generator made too few commands: {commands}"
    );
}

/// A nested document's type, in either form, with whitespace around it or not: both
/// decoders hold it bare and in its XML form (XML allows the padding, libwbxml recognises
/// only the bare type), each encoder writes it bare in the form of its encoding, and the
/// message survives conversion between the encodings.
#[test]
fn nested_types_are_held_bare_in_their_xml_form() {
    for (x, w) in ::wbxml::transcode::NESTED_TYPES {
        for form in [x, w] {
            for (lead, tail) in [("", ""), ("\n  ", ""), ("", " "), ("\t", "\r\n ")] {
                let written = format!("{lead}{form}{tail}");
                let doc = format!(
                    "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>\
                     <VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>\
                     <Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source>\
                     </SyncHdr><SyncBody><Replace><CmdID>1</CmdID><Meta>\
                     <Type xmlns=\"syncml:metinf\">{written}</Type></Meta><Item><Target>\
                     <LocURI>./A</LocURI></Target><Data>plain</Data></Item></Replace>\
                     <Final/></SyncBody></SyncML>"
                );
                let m = decode_xml(doc.as_bytes()).unwrap();
                let syncml_codec::Command::Replace(c) = &m.body.commands[0] else {
                    panic!("not the Replace: {m:?}");
                };
                let mime = c.meta.as_ref().and_then(|m| m.mime_type.as_deref());
                assert_eq!(mime, Some(x), "{written:?}");
                let bytes = wbxml::to_vec(&m).unwrap();
                assert!(
                    bytes.windows(w.len() + 2).any(|win| win[0] == 0x03
                        && &win[1..=w.len()] == w.as_bytes()
                        && win[w.len() + 1] == 0),
                    "{written:?}: the WBXML form, bare"
                );
                assert_eq!(decode_wbxml(&bytes).unwrap(), m, "{written:?}");
                let text = xml::to_vec(&m).unwrap();
                assert_eq!(decode_xml(&text).unwrap(), m, "{written:?}");
            }
        }
    }
}
