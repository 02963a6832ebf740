//! `syncml-codec`: both decoders, both encoders and package 0.

use arbitrary::{Arbitrary, Unstructured};
use syncml_codec::package0::{Notification, VERSION_SENT};
use syncml_codec::{wbxml, xml, EncodeError, Encoding, Limits, Message};

/// Encodes `m` in both encodings; each encoding has the size `encoded_len` predicts and
/// decodes back to `m`, so the two decodings agree. A message decoded from WBXML may carry
/// binary OPAQUE data, which XML cannot: only then may the XML encoder refuse, with
/// [`EncodeError::OpaqueNotText`].
fn check_both_encodings(m: &Message<'_>, origin: &str) {
    let from_xml = match xml::to_vec(m) {
        Ok(bytes) => {
            assert_eq!(
                xml::encoded_len(m).ok(),
                Some(bytes.len()),
                "{origin}: XML length"
            );
            let text = String::from_utf8_lossy(&bytes).into_owned();
            crate::assert_well_formed(&text);
            let back = xml::decode(&bytes)
                .unwrap_or_else(|e| panic!("{origin}: own XML does not decode: {e}\n{text}"));
            assert_eq!(&back, m, "{origin}: XML round trip\n{text}");
            Some(back.into_owned())
        }
        Err(EncodeError::OpaqueNotText) if origin == "WBXML" => None,
        Err(e) => panic!("{origin}: XML encode: {e}"),
    };
    let bytes = wbxml::to_vec(m).unwrap_or_else(|e| panic!("{origin}: WBXML encode: {e}"));
    assert_eq!(
        wbxml::encoded_len(m).ok(),
        Some(bytes.len()),
        "{origin}: WBXML length"
    );
    let back = wbxml::decode(&bytes)
        .unwrap_or_else(|e| panic!("{origin}: own WBXML does not decode: {e}"));
    assert_eq!(&back, m, "{origin}: WBXML round trip");
    if let Some(from_xml) = from_xml {
        assert_eq!(
            back.into_owned(),
            from_xml,
            "{origin}: the decodings disagree"
        );
        // The generic transcoder reads what the codec writes.
        let as_xml = ::wbxml::transcode::wbxml_to_xml(&bytes, &Default::default())
            .unwrap_or_else(|e| panic!("{origin}: wbxml cannot transcode codec output: {e}"));
        crate::assert_well_formed(&as_xml);
    }
}

/// Decodes arbitrary bytes as an XML SyncML message. Whatever decodes re-encodes in both
/// encodings and decodes to the same message; errors point inside the input.
pub fn syncml_xml_decode(data: &[u8]) {
    decode_any(data, Encoding::Xml);
}

/// Decodes arbitrary bytes as a WBXML SyncML message, with the same checks as
/// [`syncml_xml_decode`].
pub fn syncml_wbxml_decode(data: &[u8]) {
    decode_any(data, Encoding::Wbxml);
}

/// The lean WBXML decoder against the full one: where the lean one gives a message, the
/// full one gives the same (so where the full one fails, the lean one gives up), under the
/// default limits and tight ones.
pub fn syncml_wbxml_fast(data: &[u8]) {
    let tight = Limits {
        max_depth: 1,
        max_commands: 3,
        max_items: 4,
        max_string_len: 12,
        ..Limits::default()
    };
    for limits in [Limits::default(), tight] {
        if let Some(m) = wbxml::decode_fast_for_fuzzing(data, &limits) {
            match wbxml::decode_full_for_fuzzing(data, &limits) {
                Ok(full) => assert_eq!(m, full, "{limits:?}"),
                Err(e) => panic!("the full decoder fails ({e}) where the lean one gives {m:?}"),
            }
        }
    }
}

fn decode_any(data: &[u8], encoding: Encoding) {
    let decoded = match encoding {
        Encoding::Xml => xml::decode(data),
        _ => wbxml::decode(data),
    };
    let m = match decoded {
        Ok(m) => m,
        Err(e) => {
            assert!(e.offset <= data.len(), "{e:?} past {}", data.len());
            return;
        }
    };
    let origin = match encoding {
        Encoding::Xml => "XML",
        _ => "WBXML",
    };
    check_both_encodings(&m, origin);
    let owned = m.clone().into_owned();
    assert_eq!(owned, m);
    // Tighter limits refuse or give the same message; they never give another one.
    let tight = Limits {
        max_depth: 4,
        max_commands: 4,
        ..Limits::default()
    };
    if let Ok(again) = syncml_codec::decode_as(data, encoding, &tight) {
        assert_eq!(again, m, "limits changed the decoded message");
    }
}

/// Structured: an `arbitrary` message encodes to XML and WBXML and both decode back to it.
pub fn syncml_roundtrip(data: &[u8]) {
    let Ok(m) = Message::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    check_both_encodings(&m, "arbitrary");
}

/// Decodes arbitrary bytes as a package 0 notification. A decoded notification re-encodes to
/// the same trigger bytes (when it carries the version we send), its digest verifies against
/// the bytes it came from exactly when it was made with that password and nonce, and
/// re-encoding gives a notification that decodes to the same fields.
pub fn notification_decode(data: &[u8]) {
    let Ok(n) = Notification::decode(data) else {
        return;
    };
    assert!(n.server_id.len() <= 255);
    if n.version == VERSION_SENT && data.get(16..).is_some_and(|t| t.len() >= 24 - 16) {
        assert_eq!(
            n.trigger(),
            data.get(16..).unwrap_or_default(),
            "trigger does not reproduce the input"
        );
    }
    let _ = n.verify(data, b"secret", b"nonce");
    let _ = n.session_id_hex();
    let encoded = n.encode(b"secret", b"nonce");
    let back = Notification::decode(&encoded)
        .unwrap_or_else(|e| panic!("own notification does not decode: {e}"));
    assert!(back.verify(&encoded, b"secret", b"nonce"));
    assert!(!back.verify(&encoded, b"secret", b"other nonce"));
    assert_eq!(back.version, VERSION_SENT);
    assert_eq!(back.server_id, n.server_id);
    assert_eq!(back.vendor, n.vendor);
    assert_eq!(
        (
            back.ui_mode,
            back.initiator,
            back.session_id,
            back.future_use
        ),
        (n.ui_mode, n.initiator, n.session_id, n.future_use)
    );
    assert_eq!(n.clone().into_owned(), n);
}
