//! The bodies of the fuzz targets in `fuzz/`, in a stable workspace crate.
//!
//! Every target in `fuzz/fuzz_targets/` is one line calling a function here, and
//! `tests/replay.rs` feeds every committed file under `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` through the same function on stable Rust. So a crash found by
//! libFuzzer, once its input is committed, stays a regression test of the ordinary test run.
//!
//! Each function takes the raw fuzzer input, must never panic on it unless an invariant of the
//! crate under test is broken, and checks that invariant with `assert!`:
//!
//! ```
//! // A valid SyncML message in XML: it decodes, re-encodes in both encodings and decodes
//! // back to the same message.
//! let xml = br#"<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>
//!   <VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>
//!   <Target><LocURI>IMEI:1</LocURI></Target><Source><LocURI>srv</LocURI></Source>
//!   </SyncHdr><SyncBody><Final/></SyncBody></SyncML>"#;
//! fuzz_entry::syncml_xml_decode(xml);
//! // Garbage is rejected cleanly.
//! for target in fuzz_entry::TARGETS {
//!     (target.run)(b"\x03\x01\x6a\x00garbage");
//! }
//! ```
// Panicking is how an oracle reports a broken invariant to libFuzzer.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]
#![forbid(unsafe_code)]

mod codec;
mod ddf_targets;
mod session;
mod tree;
mod wbxml_targets;

pub use codec::{
    notification_decode, syncml_roundtrip, syncml_wbxml_decode, syncml_wbxml_fast,
    syncml_xml_decode,
};
pub use ddf_targets::{ddf_parse, tnds_parse};
pub use session::{session_client, session_server};
pub use tree::{acl_eval, acl_parse, uri_parse};
pub use wbxml_targets::{wbxml_read, wbxml_to_xml, xml_to_wbxml};

/// One fuzz target: its name (the file `fuzz/fuzz_targets/<name>.rs` and the folders
/// `fuzz/corpus/<name>/`, `fuzz/regressions/<name>/`) and its body.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// The body, run on one input.
    pub run: fn(&[u8]),
}

/// Every target, in the order the smoke script runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "wbxml_read",
        run: wbxml_read,
    },
    Target {
        name: "wbxml_to_xml",
        run: wbxml_to_xml,
    },
    Target {
        name: "xml_to_wbxml",
        run: xml_to_wbxml,
    },
    Target {
        name: "ddf_parse",
        run: ddf_parse,
    },
    Target {
        name: "tnds_parse",
        run: tnds_parse,
    },
    Target {
        name: "acl_parse",
        run: acl_parse,
    },
    Target {
        name: "acl_eval",
        run: acl_eval,
    },
    Target {
        name: "uri_parse",
        run: uri_parse,
    },
    Target {
        name: "syncml_xml_decode",
        run: syncml_xml_decode,
    },
    Target {
        name: "syncml_wbxml_decode",
        run: syncml_wbxml_decode,
    },
    Target {
        name: "syncml_wbxml_fast",
        run: syncml_wbxml_fast,
    },
    Target {
        name: "syncml_roundtrip",
        run: syncml_roundtrip,
    },
    Target {
        name: "notification_decode",
        run: notification_decode,
    },
    Target {
        name: "session_client",
        run: session_client,
    },
    Target {
        name: "session_server",
        run: session_server,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|t| t.name == name)
}

/// The events of a well-formed document with namespaces resolved, `xmlns` attributes
/// dropped and `<A/>` expanded to `<A></A>`: two documents with the same list say the same
/// thing, however they spell empty elements, (redundant) namespace declarations and
/// character data (references resolved, CDATA and adjacent runs joined).
pub fn xml_events(xml: &str) -> Vec<String> {
    events(xml, true)
}

/// [`xml_events`] without character data that is only whitespace: the events of a document
/// whatever its indentation.
pub fn xml_events_ignoring_layout(xml: &str) -> Vec<String> {
    events(xml, false)
}

fn events(xml: &str, keep_blank_text: bool) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::NsReader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut out = Vec::new();
    // Character data is compared by content: `&#32;` and a space, or two adjacent runs and
    // one, are the same document.
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<String>| {
        let blank = text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        if !text.is_empty() && (keep_blank_text || !blank) {
            out.push(format!("text {text:?}"));
        }
        text.clear();
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((_, Event::Eof)) => break,
            Ok(pair) => pair,
            Err(e) => panic!("not well-formed XML ({e}): {xml:?}"),
        };
        match &event {
            Event::Text(t) => {
                text.push_str(t.as_ref());
                continue;
            }
            Event::CData(t) => {
                text.push_str(t.as_ref());
                continue;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => {
                        quick_xml::escape::resolve_predefined_entity(r.as_ref()).map(str::to_owned)
                    }
                };
                match resolved {
                    Some(piece) => {
                        text.push_str(&piece);
                        continue;
                    }
                    None => flush(&mut text, &mut out),
                }
            }
            _ => flush(&mut text, &mut out),
        }
        let ns = format!("{ns:?}");
        out.push(match event {
            Event::Start(e) => {
                let attrs: Vec<String> = e
                    .attributes()
                    .flatten()
                    .filter(|a| !a.key.as_ref().starts_with("xmlns"))
                    .map(|a| format!("{:?}={:?}", a.key.as_ref(), a.value.as_ref()))
                    .collect();
                format!("start {ns} {:?} {attrs:?}", e.local_name().as_ref())
            }
            Event::End(e) => format!("end {ns} {:?}", e.local_name().as_ref()),
            other => format!("{other:?}").replace("Owned(", "Borrowed("),
        });
    }
    flush(&mut text, &mut out);
    out
}

/// Asserts that `xml` is one well-formed XML document: balanced, matching end tags, one root,
/// nothing but whitespace, comments and processing instructions outside it.
pub fn assert_well_formed(xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) if depth == 0 => assert!(
                t.into_inner().bytes().all(|b| b.is_ascii_whitespace()),
                "text outside the root in {xml:?}"
            ),
            Ok(Event::CData(_) | Event::GeneralRef(_)) if depth == 0 => {
                panic!("content outside the root in {xml:?}")
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML ({e}): {xml:?}"),
        }
    }
    assert_eq!(depth, 0, "unclosed element in {xml:?}");
    assert_eq!(roots, 1, "{roots} root elements in {xml:?}");
}
