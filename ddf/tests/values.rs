//! Node values: borrowed from the input when they are one piece of it, unescaped into the
//! tree's text buffer when not; either way they read, compare, copy and round-trip alike.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ddf::spec::Format;
use ddf::{
    parse, parse_xml, to_wbxml, to_xml, DocKind, ListFilter, MgmtTree, MimeList, NodeData,
    RtProperties, TypeInfo,
};
use std::borrow::Cow;

/// (as written in XML, as read)
const VALUES: [(&str, &str); 12] = [
    ("plain", "plain"),
    ("a &amp; b", "a & b"),
    ("&lt;x&gt;", "<x>"),
    ("&quot;q&apos;", "\"q'"),
    ("caf&#233;", "café"),
    ("&#x20AC;&#X1F600;!", "€😀!"),
    ("<![CDATA[<raw> & ]]>", "<raw> & "),
    ("one<!-- c -->two", "onetwo"),
    ("  spaced &amp;  ", "  spaced &  "),
    ("", ""),
    ("&amp;", "&"),
    ("é<![CDATA[ü]]>&#10;end", "éü\nend"),
];

fn leaf(name: &str, value: Option<Cow<'static, str>>) -> NodeData<'static> {
    NodeData {
        rt: Some(RtProperties {
            format: Some(Format::Chr),
            rt_type: Some(TypeInfo::Mime(MimeList::new("text/plain"))),
            ..RtProperties::default()
        }),
        value,
        ..NodeData::new(name.to_owned())
    }
}

/// A TNDS of `n` leaves under one root, the values taken from [`VALUES`] in turn.
fn document(n: usize) -> String {
    let mut doc = String::from(
        "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>R</NodeName><Path>./Vendor</Path>\
         <RTProperties><Format><node/></Format><Type><DDFName/></Type></RTProperties>",
    );
    for i in 0..n {
        let (written, _) = VALUES[i % VALUES.len()];
        doc.push_str(&format!(
            "<Node><NodeName>L{i}</NodeName><RTProperties><Format><chr/></Format>\
             <Type><MIME>text/plain</MIME></Type></RTProperties><Value>{written}</Value></Node>"
        ));
    }
    doc.push_str("</Node></MgmtTree>");
    doc
}

/// The tree [`document`] describes, built node by node, with owned and borrowed values mixed.
fn built(n: usize) -> MgmtTree<'static> {
    let mut tree = MgmtTree::new(DocKind::Tnds);
    let mut root = NodeData::new("R");
    root.path = Some(Cow::Borrowed("./Vendor"));
    root.rt = Some(RtProperties {
        format: Some(Format::Node),
        rt_type: Some(TypeInfo::DdfName(Cow::Borrowed(""))),
        ..RtProperties::default()
    });
    let root = tree.push_root(root).unwrap();
    for i in 0..n {
        let (_, read) = VALUES[i % VALUES.len()];
        let value = if i % 2 == 0 {
            Cow::Owned(read.to_owned())
        } else {
            Cow::Borrowed(read)
        };
        tree.push_child(root, leaf(&format!("L{i}"), Some(value)))
            .unwrap();
    }
    tree
}

#[test]
fn values_with_references_in_many_nodes_read_and_round_trip() {
    let n = 1_000;
    let doc = document(n);
    let tree = parse_xml(&doc).unwrap().tree;
    for (i, node) in tree.find("R").unwrap().children().enumerate() {
        assert_eq!(node.value(), Some(VALUES[i % VALUES.len()].1), "L{i}");
    }
    // Parsed, built, written and read back, as XML and as WBXML: all the same tree.
    assert_eq!(tree, built(n));
    let xml = to_xml(&tree, ListFilter::ALL);
    assert_eq!(parse_xml(&xml).unwrap().tree, tree);
    let wbxml = to_wbxml(&tree, ListFilter::ALL).unwrap();
    assert_eq!(parse(&wbxml).unwrap().tree, tree);
    let owned = tree.clone().into_owned();
    drop(doc);
    assert_eq!(owned, built(n));
    // A different value anywhere makes the trees differ.
    let mut other = built(n);
    let id = other.find("R/L25").unwrap().id();
    other
        .get_mut(id)
        .unwrap()
        .set_value(Some(Cow::Borrowed("a & c")));
    assert_ne!(owned, other);
}

#[test]
fn values_in_one_piece_borrow_the_input() {
    let doc = document(VALUES.len());
    let tree = parse_xml(&doc).unwrap().tree;
    let input = doc.as_bytes().as_ptr_range();
    for node in tree.find("R").unwrap().children() {
        let value = node.value().unwrap();
        let borrowed = input.contains(&value.as_ptr());
        match node.name() {
            // Text, or CDATA, alone.
            "L0" | "L6" => assert!(borrowed, "{} {value:?}", node.name()),
            // Empty, or a lone entity: a static string, no copy either.
            "L9" | "L10" => assert!(!borrowed && value.len() <= 1),
            // Pieces joined.
            _ => assert!(!borrowed, "{} {value:?} was joined", node.name()),
        }
        // A copy of the node's content carries the value, borrowed where it was.
        let data = node.to_data();
        assert_eq!(data.value.as_deref(), Some(value));
        assert_eq!(
            matches!(data.value, Some(Cow::Borrowed(_))),
            matches!(node.name(), "L0" | "L6" | "L9" | "L10")
        );
    }
}

#[test]
fn changed_and_copied_values_keep_the_others_intact() {
    let doc = document(24);
    let mut tree = parse_xml(&doc).unwrap().tree;
    let ids: Vec<_> = tree.find("R").unwrap().children().map(|c| c.id()).collect();
    let expect = |i: usize| VALUES[i % VALUES.len()].1.to_owned();
    let mut values: Vec<Option<String>> = (0..ids.len()).map(|i| Some(expect(i))).collect();
    // Replace values at the end of the text buffer and before it, owned and borrowed,
    // several times over, and remove some.
    for (round, &i) in [23, 23, 1, 13, 23, 5, 5, 0, 22].iter().enumerate() {
        let new = match round % 3 {
            0 => Some(Cow::Owned(format!("new {round} & more"))),
            1 => Some(Cow::Borrowed("static")),
            _ => None,
        };
        values[i] = new.as_ref().map(|v| v.to_string());
        tree.get_mut(ids[i]).unwrap().set_value(new);
        for (j, &id) in ids.iter().enumerate() {
            assert_eq!(
                tree.get(id).unwrap().value(),
                values[j].as_deref(),
                "round {round}, L{j}"
            );
        }
    }
    // Copies into another tree, and owned copies, hold the same values.
    let mut copy = MgmtTree::new(DocKind::Tnds);
    let top = copy.push_copy(None, tree.find("R").unwrap()).unwrap();
    assert_eq!(copy.get(top).unwrap(), tree.find("R").unwrap());
    let owned = tree.clone().into_owned();
    drop(tree);
    for (j, &id) in ids.iter().enumerate() {
        assert_eq!(owned.get(id).unwrap().value(), values[j].as_deref());
        assert_eq!(
            copy.find(&format!("R/L{j}")).unwrap().value(),
            values[j].as_deref()
        );
    }
    // Filtering out values drops them all, whatever kind they were.
    let filtered = owned.filtered(ListFilter::parse("?list=TNDS+Format").unwrap());
    assert!(filtered.iter().all(|n| n.value().is_none()));
}

#[test]
fn bad_references_in_values_are_errors_with_offsets() {
    for bad in ["&bogus;", "&#0;", "&#xD800;", "&#99999999;"] {
        let doc = document(3).replace(
            "<Value>a &amp; b</Value>",
            &format!("<Value>x{bad}</Value>"),
        );
        let err = parse_xml(&doc).unwrap_err();
        let at = doc.find(bad).unwrap();
        assert_eq!(err.offset, at, "{bad}: {err}");
    }
}

/// Text elements are mostly read straight from the input, past the XML reader: node offsets
/// and error offsets further on must still point at their markup.
#[test]
fn offsets_stay_exact_after_text_read_from_the_input() {
    let doc = ddf::synth::tnds(300);
    let tree = parse_xml(&doc).unwrap().tree;
    for node in tree.iter() {
        assert!(
            doc[node.offset()..].starts_with("<Node>"),
            "{}: {:?}",
            node.name(),
            &doc[node.offset()..node.offset() + 12]
        );
    }
    // An error after many text elements (a mismatched end tag, an unknown entity, an
    // element in a text element) is reported where the text element's content starts,
    // text cut off by the end of the input at the end, as before text was read this way.
    let last = doc.rfind("<TStamp>").unwrap();
    let element = "<TStamp>20260101T000000Z</TStamp>";
    for bad in [
        "<TStamp>x</TStampX>",
        "<TStamp>x&nope;</TStamp>",
        "<TStamp>x<Size/></TStamp>",
    ] {
        let doc = format!("{}{bad}{}", &doc[..last], &doc[last + element.len()..]);
        let err = parse_xml(&doc).unwrap_err();
        assert_eq!(err.offset, last + "<TStamp>x".len(), "{bad}: {err}");
    }
    let cut = &doc[..last + "<TStamp>2026".len()];
    assert_eq!(parse_xml(cut).unwrap_err().offset, cut.len());
}
