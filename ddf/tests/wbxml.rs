//! WBXML: XML ↔ model ↔ WBXML round trips, the libwbxml corpus, nesting in SyncML, truncations.

use ddf::{
    parse, parse_wbxml, parse_xml, to_wbxml, to_wbxml_anonymous, to_xml, DocKind, ErrorKind,
    ListFilter,
};
use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("DM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared not found");
        None
    }
}

fn inputs() -> Vec<String> {
    let mut v = vec![
        include_str!("data/tnds_full.xml").to_owned(),
        include_str!("data/vendor_ddf.xml").to_owned(),
        ddf::synth::ddf(120),
        ddf::synth::tnds(120),
    ];
    v.extend(ddf::builtin::ALL.iter().map(|(_, t)| (*t).to_owned()));
    v
}

#[test]
fn xml_model_wbxml_round_trip() {
    for xml in inputs() {
        let parsed = parse_xml(&xml).unwrap();
        let bytes = to_wbxml(&parsed.tree, ListFilter::ALL).unwrap();
        assert_eq!(
            &bytes[..2],
            &[0x03, 0x00],
            "WBXML 1.3, FPI in the string table"
        );
        let back = parse_wbxml(&bytes).unwrap();
        assert_eq!(back.tree, parsed.tree);
        // Skipped vendor elements are not written, so their warnings do not come back.
        assert!(back.warnings.len() <= parsed.warnings.len());
        // And back to XML: the same text as writing the original model.
        assert_eq!(
            to_xml(&back.tree, ListFilter::ALL),
            to_xml(&parsed.tree, ListFilter::ALL)
        );
        let anonymous = to_wbxml_anonymous(&parsed.tree, ListFilter::ALL).unwrap();
        assert_eq!(&anonymous[..2], &[0x03, 0x01]);
        assert_eq!(parse(&anonymous).unwrap().tree, parsed.tree);
        assert_eq!(parse(xml.as_bytes()).unwrap().tree, parsed.tree);
    }
}

#[test]
fn filters_apply_to_wbxml_output() {
    let tree = parse_xml(include_str!("data/tnds_full.xml")).unwrap().tree;
    let filter = ListFilter::parse("TNDS+Format+Type").unwrap();
    let bytes = to_wbxml(&tree, filter).unwrap();
    let back = parse_wbxml(&bytes).unwrap().tree;
    assert_eq!(back, tree.filtered(filter));
    assert!(back.find("acct1/ServerID").unwrap().value().is_none());
    assert!(back.find("acct1").unwrap().rt().unwrap().acl.is_none());
}

#[test]
fn interior_nul_cannot_be_written() {
    let mut tree = parse_xml(include_str!("data/tnds_full.xml")).unwrap().tree;
    let first = tree.roots().next().unwrap().first_child().unwrap().id();
    tree.get_mut(first).unwrap().set_value(Some("a\0b".into()));
    let err = to_wbxml(&tree, ListFilter::ALL).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Encode(_)));
}

/// A SyncML 1.2 message whose Item/Data holds the TNDS tags inline on code page 2.
#[allow(clippy::unwrap_used, clippy::indexing_slicing)] // test helper
fn syncml_with_inline_ddf(tree: &ddf::MgmtTree<'_>) -> Vec<u8> {
    use wbxml::tokens::syncml as s;
    let standalone = to_wbxml(tree, ListFilter::ALL).unwrap();
    // Reuse the body of the standalone document: skip its header (version, 00 idx, charset,
    // string table length + table) and splice it into the message.
    let reader = wbxml::Reader::new(&standalone).unwrap();
    let body = &standalone[reader.header().body_offset..];
    let mut w = wbxml::Writer::new(wbxml::Version::V1_3, wbxml::PublicId::Known(0x1201));
    w.start(s::PAGE, s::SYNC_ML);
    w.start(s::PAGE, s::SYNC_BODY);
    w.start(s::PAGE, s::ADD);
    w.start(s::PAGE, s::ITEM);
    w.start(s::PAGE, s::DATA);
    let mut bytes = w.finish();
    // The standalone body starts with SWITCH_PAGE 2, so the page state stays consistent;
    // switch back to page 0 before the END tokens of the SyncML elements.
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&[0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01]);
    bytes
}

#[test]
fn mgmt_tree_nested_in_syncml_wbxml() {
    let tree = parse_xml(include_str!("data/tnds_full.xml")).unwrap().tree;
    let message = syncml_with_inline_ddf(&tree);
    assert_eq!(parse_wbxml(&message).unwrap().tree, tree);

    // Nested as a WBXML document inside OPAQUE.
    use wbxml::tokens::syncml as s;
    let inner = to_wbxml(&tree, ListFilter::ALL).unwrap();
    let mut w = wbxml::Writer::new(wbxml::Version::V1_3, wbxml::PublicId::Known(0x1201));
    w.start(s::PAGE, s::SYNC_ML);
    w.start(s::PAGE, s::DATA);
    w.opaque(&inner);
    w.end();
    w.end();
    let message = w.finish();
    let parsed = parse(&message).unwrap();
    assert_eq!(parsed.tree, tree);
    let start = message
        .windows(inner.len())
        .position(|win| win == inner.as_slice())
        .unwrap();
    // Offsets point into the outer message.
    assert!(parsed.tree.roots().next().unwrap().offset() > start);
}

#[test]
fn every_wbxml_truncation_is_an_error_not_a_panic() {
    for xml in inputs()
        .iter()
        .take(2)
        .chain(std::iter::once(&ddf::builtin::SCOMO.to_owned()))
    {
        let tree = parse_xml(xml).unwrap().tree;
        let bytes = to_wbxml(&tree, ListFilter::ALL).unwrap();
        for cut in 0..bytes.len() {
            assert!(parse_wbxml(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // Corrupted bytes give errors or other trees, never panics.
        for i in 0..bytes.len() {
            let mut broken = bytes.clone();
            broken[i] ^= 0x41;
            let _ = parse_wbxml(&broken);
        }
    }
}

#[test]
fn corpus_wbxml_forms_of_ddf_001_parse() {
    let Some(shared) = shared() else { return };
    let ddf_dir = shared.join("corpus/libwbxml/ddf");
    let golden = shared.join("corpus/libwbxml/golden-libwbxml-0.11.8");
    let xml = std::fs::read_to_string(ddf_dir.join("ddf-001.ddf")).unwrap();
    let expected = parse_xml(&xml).unwrap().tree;
    for form in ["nostrtbl", "strtbl", "anonymous"] {
        let bytes = std::fs::read(golden.join(format!("ddf-001.{form}.wbxml"))).unwrap();
        let parsed = parse_wbxml(&bytes).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(parsed.tree, expected, "{form}");
        assert_eq!(parsed.tree.kind, DocKind::Tnds);
        assert_eq!(parse(&bytes).unwrap().tree, expected);
        for cut in 0..bytes.len() {
            assert!(parse_wbxml(&bytes[..cut]).is_err(), "{form} cut at {cut}");
        }
    }
    for form in ["nostrtbl", "strtbl"] {
        let bytes =
            std::fs::read(golden.join(format!("syncml_with_ddf-001.{form}.wbxml"))).unwrap();
        let parsed = parse_wbxml(&bytes).unwrap_or_else(|e| panic!("syncml {form}: {e}"));
        assert_eq!(parsed.tree, expected, "syncml {form}");
        for cut in 0..bytes.len() {
            let _ = parse_wbxml(&bytes[..cut]);
        }
    }
    // Our own writer's output for the same tree reads back identically.
    let ours = to_wbxml(&expected, ListFilter::ALL).unwrap();
    assert_eq!(parse_wbxml(&ours).unwrap().tree, expected);
}
