//! `wbxml`: the pull reader and both transcoders.

use wbxml::transcode::{self, OpaquePolicy, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Event, Reader};

/// Reads every event of arbitrary bytes, with every attribute and attribute value. Checks that
/// the reader ends (each event consumes input), that offsets and depth stay in bounds, and
/// that errors point inside the input.
pub fn wbxml_read(data: &[u8]) {
    let mut reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => {
            assert!(e.offset() <= data.len(), "{e:?} past {}", data.len());
            return;
        }
    };
    let mut events = 0usize;
    loop {
        let before = reader.offset();
        match reader.next_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(tag) | Event::Empty(tag)) => {
                for attr in reader.attributes(&tag) {
                    assert!(attr.value().count() <= data.len());
                }
            }
            Ok(Event::Pi(attr)) => assert!(attr.value().count() <= data.len()),
            Ok(_) => {}
            Err(e) => {
                assert!(e.offset() <= data.len(), "{e:?} past {}", data.len());
                break;
            }
        }
        assert!(reader.offset() <= data.len(), "offset past the input");
        assert!(reader.offset() >= before, "the reader went backwards");
        assert!(reader.depth() <= wbxml::DEFAULT_MAX_DEPTH);
        events += 1;
        // Every event but an END synthesised for an Empty tag consumes a byte.
        assert!(
            events <= 2 * data.len() + 2,
            "{events} events from {} bytes",
            data.len()
        );
    }
}

fn compact() -> ToXmlOptions {
    ToXmlOptions {
        indent: None,
        ..ToXmlOptions::default()
    }
}

/// WBXML → XML. The String and bytes APIs give the same answer. Whatever converts is one
/// well-formed XML document; it converts back to WBXML,
/// and that WBXML converts to the same XML again (the transcoders reach a fixed point after
/// one round). With base64 for opaque bytes, the output is well-formed too.
pub fn wbxml_to_xml(data: &[u8]) {
    for policy in [OpaquePolicy::Error, OpaquePolicy::Base64] {
        let options = ToXmlOptions {
            opaque: policy,
            ..compact()
        };
        let result = transcode::wbxml_to_xml(data, &options);
        // The bytes API answers exactly as the String API, and its bytes are UTF-8 without a
        // final check; on error it leaves what the buffer held.
        let mut bytes = b"kept".to_vec();
        let bytes_result = transcode::wbxml_to_xml_bytes_into(data, &options, &mut bytes);
        match (&result, &bytes_result) {
            (Ok(xml), Ok(())) => assert_eq!(
                std::str::from_utf8(&bytes[4..]),
                Ok(xml.as_str()),
                "the bytes API wrote other XML"
            ),
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "the two APIs fail differently");
                assert_eq!(bytes, b"kept", "a failed conversion changed the buffer");
            }
            _ => panic!("the two APIs disagree: {result:?} / {bytes_result:?}"),
        }
        let xml = match result {
            Ok(xml) => xml,
            Err(e) => {
                assert!(e.offset() <= data.len(), "{e:?} past {}", data.len());
                continue;
            }
        };
        crate::assert_well_formed(&xml);
        let back = transcode::xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default())
            .unwrap_or_else(|e| panic!("output does not convert back: {e}\n{xml}"));
        let again = transcode::wbxml_to_xml(&back, &options)
            .unwrap_or_else(|e| panic!("re-encoded WBXML does not convert: {e}\n{xml}"));
        // WBXML tells `<A></A>` (content flag, then END) from `<A/>`; XML → WBXML writes
        // both as `<A/>`, so the first round may only change that spelling...
        assert_eq!(
            crate::xml_events(&again),
            crate::xml_events(&xml),
            "WBXML → XML → WBXML → XML changed the document\n{xml}\n{again}"
        );
        // ...and the second round changes nothing.
        let back2 = transcode::xml_to_wbxml(again.as_bytes(), &ToWbxmlOptions::default())
            .unwrap_or_else(|e| panic!("second round does not convert back: {e}\n{again}"));
        let again2 = transcode::wbxml_to_xml(&back2, &options)
            .unwrap_or_else(|e| panic!("second round does not convert: {e}\n{again}"));
        assert_eq!(
            again2, again,
            "WBXML → XML is not a fixed point after two rounds"
        );
        // Indented output is the same document with whitespace between elements.
        let indented = ToXmlOptions {
            indent: Some(2),
            ..options
        };
        let pretty = transcode::wbxml_to_xml(data, &indented)
            .unwrap_or_else(|e| panic!("converts compact but not indented: {e}"));
        crate::assert_well_formed(&pretty);
        // Compact output takes the fast loop's run of root-page tags, indented output the
        // loop's general arms: the two must say the same.
        assert_eq!(
            crate::xml_events_ignoring_layout(&pretty),
            crate::xml_events_ignoring_layout(&xml),
            "indentation changed more than whitespace\n{xml}\n{pretty}"
        );
    }
}

/// XML → WBXML. Whatever converts gives WBXML that reads to the end and converts back to XML,
/// and that XML converts to the same WBXML (a fixed point after one round).
pub fn xml_to_wbxml(data: &[u8]) {
    for string_table in [false, true] {
        let options = ToWbxmlOptions {
            string_table,
            ..ToWbxmlOptions::default()
        };
        let wbxml = match transcode::xml_to_wbxml(data, &options) {
            Ok(w) => w,
            Err(e) => {
                assert!(e.offset() <= data.len(), "{e:?} past {}", data.len());
                return;
            }
        };
        let mut reader = Reader::new(&wbxml).expect("own WBXML header");
        while reader.next_event().expect("own WBXML body") != Event::Eof {}
        let xml = transcode::wbxml_to_xml(&wbxml, &compact())
            .unwrap_or_else(|e| panic!("own WBXML does not convert to XML: {e}"));
        crate::assert_well_formed(&xml);
        let again = transcode::xml_to_wbxml(xml.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("XML → WBXML → XML does not convert back: {e}\n{xml}"));
        if string_table {
            // Which strings go to the table depends on how the text was split (at entity
            // references, say), so only the document must stay the same.
            let xml2 = transcode::wbxml_to_xml(&again, &compact())
                .unwrap_or_else(|e| panic!("second round does not convert: {e}\n{xml}"));
            assert_eq!(xml2, xml, "XML → WBXML → XML → WBXML changed the document");
        } else {
            assert_eq!(
                again, wbxml,
                "XML → WBXML → XML → WBXML changed the WBXML\n{xml}"
            );
        }
    }
}
