//! `ddf`: DDF and TNDS documents from XML and WBXML, the writers and the code generator.

use ddf::{codegen, DocKind, ListFilter, MgmtTree};

/// A DDF or TNDS document in XML. Whatever parses is written back as XML and as WBXML, and
/// both parse to the same model; a DDF that parses gives Rust code that `syn` accepts.
pub fn ddf_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = ddf::parse_xml(text) {
        check_tree(&parsed.tree);
        if parsed.tree.kind == DocKind::Ddf {
            check_codegen(&parsed.tree);
        }
    }
    // The same text searched for inside a SyncML `<Data>`, as dm-tree receives it.
    if let Ok(parsed) = ddf::parse_nested_xml(text) {
        check_tree(&parsed.tree);
    }
}

/// A TNDS (or DDF) document in either encoding, detected from its first bytes, as a DM server
/// sends it in an Add or Replace. Whatever parses is written back both ways and parses to the
/// same model, and filtered writing never fails where unfiltered writing succeeds.
pub fn tnds_parse(data: &[u8]) {
    let Ok(parsed) = ddf::parse(data) else {
        return;
    };
    check_tree(&parsed.tree);
    for query in [
        "?list=TNDS+Value",
        "?list=TNDS-ACL-Format",
        "?list=TNDS+ACL+Type",
    ] {
        let filter = ListFilter::parse(query).expect("known filter");
        let filtered = parsed.tree.filtered(filter);
        let xml = ddf::to_xml(&parsed.tree, filter);
        crate::assert_well_formed(&xml);
        // A filtered TNDS may lack what a strict parse requires; when it parses, it is the
        // filtered model.
        if let Ok(back) = ddf::parse_xml(&xml) {
            assert_eq!(back.tree, filtered, "filtered XML differs\n{xml}");
        }
    }
}

fn check_tree(tree: &MgmtTree<'_>) {
    let xml = ddf::to_xml(tree, ListFilter::ALL);
    crate::assert_well_formed(&xml);
    let back =
        ddf::parse_xml(&xml).unwrap_or_else(|e| panic!("written XML does not parse: {e}\n{xml}"));
    assert_eq!(&back.tree, tree, "XML round trip changed the tree\n{xml}");
    let owned = tree.clone().into_owned();
    assert_eq!(&owned, tree);
    match ddf::to_wbxml(tree, ListFilter::ALL) {
        Ok(wbxml) => {
            let back = ddf::parse_wbxml(&wbxml)
                .unwrap_or_else(|e| panic!("written WBXML does not parse: {e}\n{xml}"));
            assert_eq!(&back.tree, tree, "WBXML round trip changed the tree\n{xml}");
            let anonymous = ddf::to_wbxml_anonymous(tree, ListFilter::ALL)
                .unwrap_or_else(|e| panic!("to_wbxml succeeds, anonymous fails: {e}"));
            let back = ddf::parse_wbxml(&anonymous)
                .unwrap_or_else(|e| panic!("anonymous WBXML does not parse: {e}\n{xml}"));
            assert_eq!(&back.tree, tree, "anonymous WBXML changed the tree\n{xml}");
        }
        Err(_) => {
            // Only values that WBXML cannot carry (checked by the writer) refuse; the
            // anonymous writer must agree.
            assert!(ddf::to_wbxml_anonymous(tree, ListFilter::ALL).is_err());
        }
    }
}

fn check_codegen(tree: &MgmtTree<'_>) {
    if let Ok(code) = codegen::generate(tree, &codegen::CodegenOptions::default()) {
        if let Err(e) = syn::parse_file(&code) {
            panic!("generated code does not parse: {e}\n{code}");
        }
    }
}
