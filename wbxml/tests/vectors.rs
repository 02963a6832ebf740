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
