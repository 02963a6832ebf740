//! Empty marker elements (`<chr/>`, `<Get/>`, `<One/>`) are read from the input directly
//! where the builder expects one; every other way of writing them goes through the XML
//! reader. Both must read the same, and fail the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ddf::spec::{AccessType, Format, Occurrence};
use ddf::{parse_xml, ErrorKind};

fn ddf_leaf(access: &str, format: &str, occurrence: &str) -> String {
    format!(
        "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>N</NodeName><DFProperties>\
         <AccessType>{access}</AccessType><DFFormat>{format}</DFFormat>\
         <Occurrence>{occurrence}</Occurrence><DFType><MIME>text/plain</MIME></DFType>\
         </DFProperties></Node></MgmtTree>"
    )
}

#[test]
fn markers_read_alike_however_written() {
    let variants = [
        ("<Get/><Replace/>", "<chr/>", "<ZeroOrOne/>"),
        (
            "\n  <Get/>\n  <Replace/>\n",
            "\n\t<chr/>\r\n",
            "  <ZeroOrOne/>  ",
        ),
        ("<Get /><Replace\t/>", "<chr />", "<ZeroOrOne\n/>"),
        (
            "<Get></Get><Replace></Replace>",
            "<chr></chr>",
            "<ZeroOrOne></ZeroOrOne>",
        ),
        (
            "<!-- a --><Get/><?pi x?><Replace/>",
            "<!--c--><chr/>",
            "<ZeroOrOne/><!---->",
        ),
        ("<Get x=\"1\"/><Replace/>", "<chr a='b'/>", "<ZeroOrOne/>"),
    ];
    for (access, format, occurrence) in variants {
        let doc = ddf_leaf(access, format, occurrence);
        let tree = parse_xml(&doc)
            .unwrap_or_else(|e| panic!("{doc}: {e}"))
            .tree;
        let df = tree.find("N").unwrap().df().unwrap();
        assert_eq!(df.access, AccessType::GET | AccessType::REPLACE, "{doc}");
        assert_eq!(df.format, Format::Chr, "{doc}");
        assert_eq!(df.occurrence, Some(Occurrence::ZeroOrOne), "{doc}");
    }
}

#[test]
fn bad_markers_fail_at_their_markup() {
    // (access, format, what is wrong, where the error points)
    let cases = [
        ("<Get/>", "<x-chr/>", "<x-chr/>"),
        ("<Get/>", "<Get/>", "<DFFormat>"),
        ("<Get/>", "<chr/><int/>", "<DFFormat>"),
        ("<Get/>", "text<chr/>", "text"),
        ("<Get/>", "<chr/ >", "<chr/ >"),
    ];
    for (access, format, at) in cases {
        let doc = ddf_leaf(access, format, "<One/>");
        let err = parse_xml(&doc).unwrap_err();
        assert_eq!(err.offset, doc.find(at).unwrap(), "{doc}: {err}");
    }
    // An unknown element among the access types is skipped, with a warning where it is.
    let doc = ddf_leaf("<Get/><Bogus/>", "<chr/>", "<One/>");
    let parsed = parse_xml(&doc).unwrap();
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].offset, doc.find("<Bogus/>").unwrap());
    // Cut off inside and after a marker.
    let doc = ddf_leaf("<Get/>", "<chr/>", "<One/>");
    for end in ["<chr", "<chr/", "<chr/>"] {
        let cut = &doc[..doc.find("<chr/>").unwrap() + end.len()];
        let err = parse_xml(cut).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::Truncated(_) | ErrorKind::Xml(_)),
            "{cut}: {err}"
        );
    }
}
