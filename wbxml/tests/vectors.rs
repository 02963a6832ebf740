//! DM 1.2 vectors written for this repository (`tests/data/`): each converts to WBXML and
//! back to the same tree, and, when libwbxml2-utils is installed, libwbxml agrees.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{have_libwbxml, libwbxml_decode, libwbxml_encode, tree};
use wbxml::transcode::{wbxml_to_xml, xml_to_wbxml, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Event, Reader};

fn vectors() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 6);
    v
}

#[test]
fn every_vector_round_trips() {
    for (name, xml) in vectors() {
        let wbxml = xml_to_wbxml(&xml, &ToWbxmlOptions::default()).unwrap();
        let back = wbxml_to_xml(&wbxml, &ToXmlOptions::default()).unwrap();
        assert_eq!(
            tree(&back),
            tree(std::str::from_utf8(&xml).unwrap()),
            "{name}"
        );
        assert_eq!(
            xml_to_wbxml(back.as_bytes(), &ToWbxmlOptions::default()).unwrap(),
            wbxml,
            "{name}"
        );
    }
}

#[test]
fn nested_tnds_travels_as_its_own_wbxml_document() {
    let xml = vectors()
        .into_iter()
        .find(|(n, _)| n == "results-tnds.xml")
        .unwrap()
        .1;
    let wbxml = xml_to_wbxml(&xml, &ToWbxmlOptions::default()).unwrap();
    let mut reader = Reader::new(&wbxml).unwrap();
    let mut nested = None;
    let mut types = Vec::new();
    let mut in_type = false;
    loop {
        match reader.next_event().unwrap() {
            Event::Start(t) => in_type = t.name == "Type",
            Event::Str(s) if in_type => types.push(s),
            Event::Opaque(bytes) => nested = Some(bytes),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        types,
        ["application/vnd.syncml.dmtnds+wbxml"],
        "Meta/Type rewritten to +wbxml"
    );
    let nested = nested.expect("the MgmtTree became OPAQUE");
    let mut inner = Reader::new(nested).unwrap();
    assert_eq!(inner.language(), Some(wbxml::Language::DmDdf12));
    assert!(
        matches!(inner.next_event().unwrap(), Event::Start(t) if t.name == "MgmtTree" && t.page == 2)
    );
    let back = wbxml_to_xml(&wbxml, &ToXmlOptions::default()).unwrap();
    assert!(back.contains("<Type xmlns=\"syncml:metinf\">application/vnd.syncml.dmtnds+xml</Type>"));
    assert!(back.contains("<MgmtTree xmlns=\"syncml:dmddf1.2\">"));
}

#[test]
fn libwbxml_agrees_on_every_vector() {
    if !have_libwbxml() {
        return;
    }
    for (name, xml) in vectors() {
        let expected = tree(std::str::from_utf8(&xml).unwrap());
        let ours = xml_to_wbxml(&xml, &ToWbxmlOptions::default()).unwrap();
        let theirs_reading = libwbxml_decode(&ours, None).unwrap();
        assert_eq!(
            tree(&theirs_reading),
            expected,
            "libwbxml reading our {name}"
        );
        let theirs = libwbxml_encode(&xml).unwrap();
        let ours_reading = wbxml_to_xml(&theirs, &ToXmlOptions::default()).unwrap();
        assert_eq!(
            tree(&ours_reading),
            expected,
            "our reading of libwbxml's {name}"
        );
    }
}

/// The text of every `Type` element of a WBXML document, one entry per piece.
fn type_pieces(wbxml: &[u8]) -> Vec<String> {
    let mut reader = Reader::new(wbxml).unwrap();
    let (mut pieces, mut in_type) = (Vec::new(), false);
    loop {
        match reader.next_event().unwrap() {
            Event::Start(t) => in_type = t.name == "Type",
            Event::End(_) => in_type = false,
            Event::Str(s) if in_type => pieces.push(s.to_owned()),
            Event::Entity(c) if in_type => pieces.push(format!("&#{c};")),
            Event::Eof => return pieces,
            _ => {}
        }
    }
}

/// A SyncML Results whose `Meta/Type` is `type_xml` (written as XML text, references and all).
fn results_with_type(type_xml: &str) -> String {
    format!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>\
         <SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>s</LocURI></Target>\
         <Source><LocURI>c</LocURI></Source></SyncHdr><SyncBody><Results><CmdID>3</CmdID>\
         <MsgRef>1</MsgRef><CmdRef>4</CmdRef><Meta><Type xmlns=\"syncml:metinf\">{type_xml}</Type>\
         </Meta><Item><Source><LocURI>./A</LocURI></Source><Data>x</Data></Item></Results>\
         <Final/></SyncBody></SyncML>"
    )
}

#[test]
fn a_nested_type_in_pieces_is_rewritten_whole_in_both_directions() {
    let xml_form = "application/vnd.syncml.dmtnds+xml";
    let wbxml_form = "application/vnd.syncml.dmtnds+wbxml";
    // Spelt in pieces (a character reference splits it), padded, or in the other form: the
    // way to WBXML writes the bare +wbxml type in one string...
    for spelling in [
        "application/vnd.syncml.dmtnds&#43;xml",
        "application/vnd.syncml.dmtnds+xml&#32;",
        "&#32;application/vnd.syncml.dmtnds+wbxml",
        " application/vnd.syncml.dmtnds+xml ",
    ] {
        let wbxml = xml_to_wbxml(
            results_with_type(spelling).as_bytes(),
            &ToWbxmlOptions::default(),
        )
        .unwrap();
        assert_eq!(type_pieces(&wbxml), [wbxml_form], "{spelling}");
        // ...and the way back the bare +xml one, after which nothing changes.
        let back = wbxml_to_xml(&wbxml, &ToXmlOptions::default()).unwrap();
        assert!(back.contains(&format!(">{xml_form}</Type>")), "{back}");
        let again = xml_to_wbxml(back.as_bytes(), &ToWbxmlOptions::default()).unwrap();
        assert_eq!(again, wbxml, "{spelling}");
    }
    // A WBXML type in two strings and a space entity reads as one type too.
    let mut doc = xml_to_wbxml(
        results_with_type(wbxml_form).as_bytes(),
        &ToWbxmlOptions::default(),
    )
    .unwrap();
    let one = {
        let mut s = vec![0x03];
        s.extend_from_slice(wbxml_form.as_bytes());
        s.push(0);
        s
    };
    let at = doc
        .windows(one.len())
        .position(|w| w == one.as_slice())
        .unwrap();
    let mut split = vec![0x03];
    split.extend_from_slice(b"application/vnd.syncml.");
    split.extend_from_slice(&[0, 0x03]);
    split.extend_from_slice(b"dmtnds+wbxml");
    split.extend_from_slice(&[0, 0x02, 0x20]);
    doc.splice(at..at + one.len(), split);
    assert_eq!(type_pieces(&doc).len(), 3);
    let xml = wbxml_to_xml(&doc, &ToXmlOptions::default()).unwrap();
    assert!(xml.contains(&format!(">{xml_form}</Type>")), "{xml}");
}

#[test]
fn other_types_in_pieces_keep_every_piece() {
    // Not a nested-document type: written as it would be without the rewrite.
    let wbxml = xml_to_wbxml(
        results_with_type("text/plain&#32;").as_bytes(),
        &ToWbxmlOptions::default(),
    )
    .unwrap();
    assert_eq!(type_pieces(&wbxml), ["text/plain "]);
    let back = wbxml_to_xml(&wbxml, &ToXmlOptions::default()).unwrap();
    assert!(back.contains(">text/plain </Type>"), "{back}");
    // Blank pieces alone stay dropped as indentation.
    let wbxml = xml_to_wbxml(
        results_with_type("  <!-- c -->  ").as_bytes(),
        &ToWbxmlOptions::default(),
    )
    .unwrap();
    assert!(type_pieces(&wbxml).is_empty());
}
