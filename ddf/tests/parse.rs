//! XML parsing, validation, the TNDS writer and filters, malformed inputs, and the libwbxml corpus.

use ddf::spec::{AccessType, CaseSense, Format, Occurrence};
use ddf::{parse_nested_xml, parse_xml, to_xml, DocKind, ErrorKind, ListFilter, Prop, TypeInfo};
use std::borrow::Cow;
use std::path::PathBuf;

const TNDS: &str = include_str!("data/tnds_full.xml");
const VENDOR: &str = include_str!("data/vendor_ddf.xml");

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

#[test]
fn tnds_is_detected_and_values_borrow_from_input() {
    let parsed = parse_xml(TNDS).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let tree = &parsed.tree;
    assert_eq!(tree.kind, DocKind::Tnds);
    assert_eq!(tree.man.as_deref(), Some("ACME & Sons"));
    let acct = tree.roots().next().unwrap();
    assert_eq!(acct.path(), Some("./DMAcc"));
    let rt = acct.rt().unwrap();
    assert_eq!(rt.acl.as_deref(), Some("Get=*&Replace=srv1+srv2"));
    assert_eq!(rt.ver_no.as_deref(), Some("7"));
    assert_eq!(
        rt.rt_type,
        Some(TypeInfo::DdfName("urn:oma:mo:oma-dm-dmacc:1.0".into()))
    );
    let server = acct.child("ServerID").unwrap();
    let data = server.to_data();
    assert!(
        matches!(data.value, Some(Cow::Borrowed("srv1"))),
        "plain text is borrowed"
    );
    assert!(matches!(data.name, Cow::Borrowed(_)));
    assert_eq!(server.rt().unwrap().size.as_deref(), Some("4"));
    let note = acct.child("Note").unwrap();
    assert_eq!(note.value(), Some("<a>b&c</a> <tail> A"));
    assert_eq!(acct.child("Empty").unwrap().format(), Some(Format::Null));
    assert_eq!(tree.node_count(), 5);
}

#[test]
fn vendor_ddf_with_repeated_paths_parses_with_a_warning() {
    let parsed = parse_xml(VENDOR).unwrap();
    assert_eq!(parsed.tree.kind, DocKind::Ddf);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].message.contains("MSFT:Applicability"));
    let x = parsed.tree.roots().next().unwrap().first_child().unwrap();
    assert!(x.is_placeholder());
    let df = x.df().unwrap();
    assert_eq!(df.occurrence(), Occurrence::ZeroOrN(16));
    assert_eq!(
        df.access,
        AccessType::ADD | AccessType::DELETE | AccessType::GET
    );
    let label = x.child("Label").unwrap().df().unwrap();
    assert_eq!(label.case_sense(), CaseSense::Cis);
    assert_eq!(label.df_type.values(), ["text/plain", "text/x-label"]);
    assert_eq!(label.default_value.as_deref(), Some("none"));
}

#[test]
fn xml_round_trip_is_stable_for_tnds_and_ddfs() {
    let mut inputs = vec![TNDS, VENDOR];
    inputs.extend(ddf::builtin::ALL.iter().map(|(_, text)| *text));
    for input in inputs {
        let first = parse_xml(input).unwrap().tree;
        let written = to_xml(&first, ListFilter::ALL);
        let second = parse_xml(&written).unwrap().tree;
        assert_eq!(first, second);
        assert_eq!(to_xml(&second, ListFilter::ALL), written);
        let owned = first.clone().into_owned();
        assert_eq!(owned, first);
    }
}

#[test]
fn list_filters_parse_and_apply() {
    assert_eq!(ListFilter::parse("TNDS").unwrap(), ListFilter::ALL);
    let only = ListFilter::parse("?list=TNDS+Value+ACL").unwrap();
    assert!(only.includes(Prop::Value) && only.includes(Prop::Acl));
    assert!(!only.includes(Prop::Format) && !only.includes(Prop::Type));
    let without = ListFilter::parse("list=TNDS-Format-Value").unwrap();
    assert!(!without.includes(Prop::Format) && !without.includes(Prop::Value));
    assert!(without.includes(Prop::Acl) && without.includes(Prop::TStamp));
    for bad in [
        "TNDS+Value-ACL",
        "TNDS+Bogus",
        "TNDS+",
        "Struct",
        "TNDSx",
        "TNDS-acl",
    ] {
        let err = ListFilter::parse(bad).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::BadFilter(_)), "{bad}");
    }

    let tree = parse_xml(TNDS).unwrap().tree;
    let text = to_xml(&tree, only);
    assert!(text.contains("<ACL>Get=*</ACL>") && text.contains("<Value>srv1</Value>"));
    assert!(!text.contains("<Format>") && !text.contains("<Type>") && !text.contains("<TStamp>"));
    let reparsed = parse_xml(&text).unwrap().tree;
    assert_eq!(reparsed, tree.filtered(only));
    // The Empty node keeps no property under this filter, so its RTProperties disappears.
    assert!(reparsed.find("acct1/Empty").unwrap().rt().is_none());

    let text = to_xml(&tree, without);
    assert!(
        !text.contains("<Value>")
            && !text.contains("<Format>")
            && text.contains("<VerNo>7</VerNo>")
    );
    assert_eq!(parse_xml(&text).unwrap().tree, tree.filtered(without));
}

#[allow(clippy::unwrap_used)] // a test helper: the document must fail
fn err(xml: &str) -> ddf::Error {
    parse_xml(xml).unwrap_err()
}

const HEAD: &str = "<MgmtTree><VerDTD>1.2</VerDTD>";

fn ddf_node(name: &str, format: &str, extra: &str, children: &str) -> String {
    format!(
        "<Node><NodeName>{name}</NodeName><DFProperties><AccessType><Get/></AccessType>\
         <DFFormat><{format}/></DFFormat>{extra}<DFType><MIME>text/plain</MIME></DFType>\
         </DFProperties>{children}</Node>"
    )
}

#[test]
fn malformed_documents_give_typed_errors() {
    // Wrong nesting: a Node inside DFProperties is a syntax error with a byte offset.
    let xml = format!(
        "{HEAD}<Node><NodeName>A</NodeName><DFProperties><Node/></DFProperties></Node></MgmtTree>"
    );
    let e = err(&xml);
    assert!(
        matches!(&e.kind, ErrorKind::UnexpectedElement { found, parent: "DFProperties" } if found == "Node")
    );
    assert_eq!(e.offset, xml.find("<Node/>").unwrap());
    assert_eq!(
        e.to_string(),
        format!("unexpected <Node> in <DFProperties> at byte {}", e.offset)
    );

    // Mismatched end tag.
    let e = err("<MgmtTree><VerDTD>1.2</Mod></MgmtTree>");
    assert!(matches!(e.kind, ErrorKind::Xml(_)) && e.path.is_none());

    // Bad Occurrence N: a model error naming the node path.
    for n in ["1", "65537", "x", ""] {
        let occ = format!("<Occurrence><ZeroOrN>{n}</ZeroOrN></Occurrence>");
        let xml = format!(
            "{HEAD}{}</MgmtTree>",
            ddf_node("Root", "node", "", &ddf_node("Leaf", "chr", &occ, ""))
        );
        let e = err(&xml);
        assert_eq!(e.kind, ErrorKind::BadOccurrence(n.to_owned()));
        assert_eq!(e.path.as_deref(), Some("Root/Leaf"));
        assert_eq!(
            e.to_string(),
            format!("bad Occurrence N {n:?} (expected 2..=65536) at Root/Leaf")
        );
    }
    let ok = "<Occurrence><OneOrN>65536</OneOrN></Occurrence>";
    parse_xml(&format!(
        "{HEAD}{}</MgmtTree>",
        ddf_node("R", "chr", ok, "")
    ))
    .unwrap();

    // Children under a leaf, duplicate siblings, two placeholders, missing DFFormat.
    let e = err(&format!(
        "{HEAD}{}</MgmtTree>",
        ddf_node("R", "chr", "", &ddf_node("C", "chr", "", ""))
    ));
    assert_eq!(e.kind, ErrorKind::ChildrenUnderLeaf(Format::Chr));
    assert_eq!(e.path.as_deref(), Some("R"));
    let kids = ddf_node("C", "chr", "", "") + &ddf_node("C", "int", "", "");
    let e = err(&format!(
        "{HEAD}{}</MgmtTree>",
        ddf_node("R", "node", "", &kids)
    ));
    assert_eq!(e.kind, ErrorKind::DuplicateName("C".into()));
    assert_eq!(e.path.as_deref(), Some("R/C"));
    let kids = ddf_node("", "chr", "", "") + &ddf_node("*", "int", "", "");
    let e = err(&format!(
        "{HEAD}{}</MgmtTree>",
        ddf_node("R", "node", "", &kids)
    ));
    assert_eq!(e.kind, ErrorKind::SeveralPlaceholders);
    let xml = format!("{HEAD}<Node><NodeName>R</NodeName><DFProperties><AccessType/><DFType><DDFName/></DFType></DFProperties></Node></MgmtTree>");
    assert_eq!(
        err(&xml).kind,
        ErrorKind::MissingElement {
            element: "DFFormat",
            parent: "DFProperties"
        }
    );

    // A DDF node without DFProperties, a Value on an interior TNDS node.
    let xml = format!(
        "{HEAD}{}</MgmtTree>",
        ddf_node("R", "node", "", "<Node><NodeName>X</NodeName></Node>")
    );
    let e = err(&xml);
    assert_eq!(
        e.kind,
        ErrorKind::MissingElement {
            element: "DFProperties",
            parent: "Node"
        }
    );
    assert_eq!(e.path.as_deref(), Some("R/X"));
    let xml = format!("{HEAD}<Node><NodeName>R</NodeName><RTProperties><Format><node/></Format><Type><DDFName/></Type></RTProperties><Value>v</Value></Node></MgmtTree>");
    assert_eq!(err(&xml).kind, ErrorKind::ValueOnInterior);
    let xml = format!("{HEAD}<Node><NodeName>R</NodeName><RTProperties><Format><chr/><int/></Format></RTProperties></Node></MgmtTree>");
    assert_eq!(err(&xml).kind, ErrorKind::BadMarker("Format"));

    // Not a MgmtTree, text where elements belong, content after the end.
    assert_eq!(err("<SyncML/>").kind, ErrorKind::NoMgmtTree);
    assert_eq!(
        err(&format!("{HEAD}oops</MgmtTree>")).kind,
        ErrorKind::UnexpectedText("MgmtTree")
    );
    assert_eq!(
        err(&format!("{HEAD}</MgmtTree><x/>")).kind,
        ErrorKind::TrailingContent
    );
    assert!(matches!(
        err("<MgmtTree>&bogus;</MgmtTree>").kind,
        ErrorKind::Xml(_)
    ));
}

#[test]
fn repeated_paths_must_name_the_parent() {
    let leaf = |path: &str| {
        format!(
            "{HEAD}<Node><NodeName>A</NodeName><Path>./X</Path><RTProperties><Format><node/></Format><Type><DDFName/></Type></RTProperties>\
             <Node><NodeName>B</NodeName><Path>{path}</Path><RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties></Node></Node></MgmtTree>"
        )
    };
    parse_xml(&leaf("./X/A")).unwrap();
    parse_xml(&leaf("X/A/")).unwrap();
    parse_xml(&leaf("./X/*")).unwrap();
    let e = err(&leaf("./X/A/B"));
    assert_eq!(e.kind, ErrorKind::PathCycle("./X/A/B".into()));
    assert_eq!(e.path.as_deref(), Some("./X/A/B"));
    let e = err(&leaf("./X/A/B/C"));
    assert!(matches!(e.kind, ErrorKind::PathCycle(_)));
    let e = err(&leaf("./Y/A"));
    assert!(matches!(e.kind, ErrorKind::PathMismatch { .. }), "{e}");
    assert!(matches!(err(&leaf("./X/../A")).kind, ErrorKind::BadPath(_)));
    assert!(matches!(err(&leaf("./X//A")).kind, ErrorKind::BadPath(_)));
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let mut inputs = vec![TNDS, VENDOR];
    inputs.extend(ddf::builtin::ALL.iter().map(|(_, text)| *text));
    for input in inputs {
        let end = input.rfind("</MgmtTree>").unwrap();
        // Every cut of the small vectors; the big ones (quadratic in a debug build) get every
        // cut near both ends and a stride in the middle.
        let dense = |i: usize| input.len() < 8192 || i < 1024 || i + 1024 > end || i % 31 == 0;
        for cut in (0..end).filter(|i| input.is_char_boundary(*i) && dense(*i)) {
            let result = parse_xml(&input[..cut]);
            assert!(result.is_err(), "truncated at {cut} parsed");
        }
    }
    let e = err("<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>A</NodeName>");
    assert_eq!(e.kind, ErrorKind::Truncated("Node"));
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = ddf::MAX_NODE_DEPTH + 1;
    let xml = format!(
        "{HEAD}{}{}</MgmtTree>",
        "<Node><NodeName>n</NodeName>".repeat(depth),
        "</Node>".repeat(depth)
    );
    assert_eq!(err(&xml).kind, ErrorKind::TooDeep(ddf::MAX_NODE_DEPTH));
}

#[test]
fn corpus_tnds_and_nested_mgmt_tree_parse() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/libwbxml/ddf");
    let standalone = std::fs::read_to_string(dir.join("ddf-001.ddf")).unwrap();
    let parsed = parse_xml(&standalone).unwrap();
    assert_eq!(parsed.tree.kind, DocKind::Tnds);
    assert_eq!(parsed.tree.node_count(), 5);
    // POP3 has no RTProperties: a warning, not an error.
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert_eq!(parsed.warnings[0].path.as_deref(), Some("E-Mail/POP3"));
    let pwd = parsed.tree.find("E-Mail/POP3/PWD").unwrap();
    assert_eq!(pwd.value(), Some("4571F7C34A9876B3"));
    assert_eq!(pwd.format(), Some(Format::Chr));
    assert!(parsed.tree.find("E-Mail/POP3").unwrap().is_interior());

    let syncml = std::fs::read_to_string(dir.join("syncml_with_ddf-001.xml")).unwrap();
    let nested = parse_nested_xml(&syncml).unwrap();
    assert_eq!(nested.tree, parsed.tree);
    let offset = ddf::find_mgmt_tree(&syncml).unwrap().unwrap();
    assert!(syncml[offset..].starts_with("<MgmtTree"));
    assert_eq!(
        nested.tree.roots().next().unwrap().offset(),
        syncml.find("<Node>").unwrap()
    );

    let roundtrip = std::fs::read_to_string(
        shared.join("corpus/libwbxml/golden-libwbxml-0.11.8/ddf-001.roundtrip.xml"),
    )
    .unwrap();
    assert_eq!(parse_xml(&roundtrip).unwrap().tree, parsed.tree);
}

/// The reader skips the indentation between elements; text inside a text element must still
/// be read as written, whatever splits it, and stray text must be reported where it starts.
#[test]
fn white_space_inside_text_elements_is_read_as_written() {
    let leaf = |name: &str, value: &str| {
        format!(
            "<Node><NodeName>{name}</NodeName><RTProperties><Format><chr/></Format>\
             <Type><MIME>text/plain</MIME></Type></RTProperties><Value>{value}</Value></Node>"
        )
    };
    let cases = [
        ("A", "  a <!-- c -->  b  ", "  a   b  "),
        ("B", "<!-- c -->  b", "  b"),
        ("C", "  <![CDATA[  x ]]>  y", "    x   y"),
        ("D", "&amp;  z", "&  z"),
        ("E", "  &lt;  ", "  <  "),
        ("F", "\n  <?pi?>\n  ", "\n  \n  "),
    ];
    let body: String = cases.iter().map(|(n, v, _)| leaf(n, v)).collect();
    let xml = format!("<MgmtTree>\n  <VerDTD>1.2</VerDTD>\n  {body}\n</MgmtTree>\n");
    let tree = parse_xml(&xml).unwrap().tree;
    for (name, _, expected) in cases {
        assert_eq!(tree.find(name).unwrap().value(), Some(expected), "{name}");
    }
    // Inner white space of a trimmed element is kept as well.
    let xml = "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName> a <!-- c -->  b </NodeName>\
               <RTProperties><Type><DDFName/></Type></RTProperties></Node></MgmtTree>";
    assert!(parse_xml(xml).unwrap().tree.find("a   b").is_some());
    // Stray text after indentation is reported at the start of the indentation.
    let xml = "<MgmtTree><VerDTD>1.2</VerDTD>\n   oops<Node/></MgmtTree>";
    let e = parse_xml(xml).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnexpectedText("MgmtTree"));
    assert_eq!(e.offset, xml.find('\n').unwrap());
}

#[test]
fn value_whitespace_is_kept_and_other_text_trimmed() {
    let xml = "<MgmtTree><VerDTD> 1.2 </VerDTD><Node><NodeName>\n  A \n</NodeName>\
               <RTProperties><Format><chr/></Format><Type><MIME> text/plain </MIME></Type></RTProperties>\
               <Value>  </Value></Node><Node><NodeName>B</NodeName><RTProperties><Format><chr/></Format>\
               <Type><MIME>text/plain</MIME></Type></RTProperties><Value> x &amp; y </Value></Node></MgmtTree>";
    let tree = parse_xml(xml).unwrap().tree;
    assert_eq!(tree.ver_dtd, "1.2");
    let a = tree.find("A").unwrap();
    assert_eq!(a.value(), Some("  "));
    assert_eq!(
        a.rt().unwrap().rt_type,
        Some(TypeInfo::Mime(ddf::MimeList::new("text/plain")))
    );
    assert_eq!(tree.find("B").unwrap().value(), Some(" x & y "));
    let written = to_xml(&tree, ListFilter::ALL);
    assert_eq!(parse_xml(&written).unwrap().tree, tree);
}
