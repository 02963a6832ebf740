//! The node arena: building trees, sibling order, deep trees, owned copies, and equality.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ddf::spec::{AccessType, Format, Scope};
use ddf::{
    parse_xml, to_wbxml, to_xml, DfProperties, DocKind, ListFilter, MgmtTree, MimeList, NodeData,
    NodeId, RtProperties, TypeInfo,
};
use std::borrow::Cow;

fn leaf_rt(value: &str) -> NodeData<'_> {
    NodeData {
        rt: Some(RtProperties {
            format: Some(Format::Chr),
            rt_type: Some(TypeInfo::Mime(MimeList::new("text/plain"))),
            ..RtProperties::default()
        }),
        value: Some(Cow::Borrowed(value)),
        ..NodeData::default()
    }
}

fn interior_rt(name: &str) -> NodeData<'_> {
    NodeData {
        rt: Some(RtProperties {
            format: Some(Format::Node),
            rt_type: Some(TypeInfo::DdfName(Cow::Borrowed(""))),
            ..RtProperties::default()
        }),
        ..NodeData::new(name)
    }
}

fn named<'a>(name: &'a str, mut data: NodeData<'a>) -> NodeData<'a> {
    data.name = Cow::Borrowed(name);
    data
}

const TNDS: &str = r#"<MgmtTree><VerDTD>1.2</VerDTD>
  <Node><NodeName>A</NodeName><Path>./Vendor</Path>
    <RTProperties><Format><node/></Format><Type><DDFName/></Type></RTProperties>
    <Node><NodeName>A1</NodeName>
      <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
      <Value>one</Value></Node>
    <Node><NodeName>A2</NodeName>
      <RTProperties><Format><node/></Format><Type><DDFName/></Type></RTProperties>
      <Node><NodeName>A21</NodeName>
        <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
        <Value>deep</Value></Node>
    </Node>
    <Node><NodeName>A3</NodeName>
      <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
      <Value>three</Value></Node>
  </Node>
  <Node><NodeName>B</NodeName><Path>./Vendor</Path>
    <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
    <Value>b</Value></Node>
</MgmtTree>"#;

/// The same tree as [`TNDS`], built with its nodes added in another order than the
/// document's: children of `A` before the grandchild, `B` before `A`'s last child.
fn built_out_of_order() -> MgmtTree<'static> {
    let mut tree = MgmtTree::new(DocKind::Tnds);
    let mut a = interior_rt("A");
    a.path = Some("./Vendor".into());
    let a = tree.push_root(a).unwrap();
    tree.push_child(a, named("A1", leaf_rt("one"))).unwrap();
    let a2 = tree.push_child(a, interior_rt("A2")).unwrap();
    let mut b = named("B", leaf_rt("b"));
    b.path = Some("./Vendor".into());
    tree.push_root(b).unwrap();
    tree.push_child(a, named("A3", leaf_rt("three"))).unwrap();
    tree.push_child(a2, named("A21", leaf_rt("deep"))).unwrap();
    tree
}

#[test]
fn parsed_nodes_are_in_document_order_and_children_in_sibling_order() {
    let tree = parse_xml(TNDS).unwrap().tree;
    let order: Vec<&str> = tree.iter().map(|n| n.name()).collect();
    assert_eq!(order, ["A", "A1", "A2", "A21", "A3", "B"]);
    let roots: Vec<&str> = tree.roots().map(|n| n.name()).collect();
    assert_eq!(roots, ["A", "B"]);
    let a = tree.find("A").unwrap();
    let children: Vec<&str> = a.children().map(|n| n.name()).collect();
    assert_eq!(children, ["A1", "A2", "A3"]);
    let descendants: Vec<&str> = a.descendants().map(|n| n.name()).collect();
    assert_eq!(descendants, ["A", "A1", "A2", "A21", "A3"]);
    assert_eq!(a.count(), 5);
    assert_eq!(tree.find("A/A2").unwrap().count(), 2);
    assert_eq!(tree.find("B").unwrap().count(), 1);
    assert_eq!(tree.node_count(), 6);
    let deep = tree.find("A/A2/A21").unwrap();
    assert_eq!(deep.value(), Some("deep"));
    assert_eq!(deep.parent().unwrap().name(), "A2");
    assert_eq!(deep.parent().unwrap().parent().unwrap().id(), a.id());
    assert!(a.parent().is_none());
    assert_eq!(tree.get(deep.id()).unwrap().name(), "A21");
    assert!(tree.find("A/A2/A21/X").is_none() && tree.find("C").is_none());
    assert_eq!(
        tree.find("A/A3").unwrap().next_sibling().map(|n| n.name()),
        None
    );
    assert_eq!(a.next_sibling().unwrap().name(), "B");
}

#[test]
fn a_tree_built_in_any_order_equals_the_parsed_one() {
    let parsed = parse_xml(TNDS).unwrap().tree;
    let built = built_out_of_order();
    // Storage order differs, structure does not.
    let order: Vec<&str> = built.iter().map(|n| n.name()).collect();
    assert_eq!(order, ["A", "A1", "A2", "B", "A3", "A21"]);
    assert_eq!(built, parsed);
    assert_eq!(built.find("A").unwrap(), parsed.find("A").unwrap());
    // Offsets differ (0 for built nodes) and do not count.
    assert_ne!(parsed.find("A/A2").unwrap().offset(), 0);
    assert_eq!(built.find("A/A2").unwrap().offset(), 0);
    // Its output reads back as the same tree, in document order.
    let xml = to_xml(&built, ListFilter::ALL);
    assert_eq!(xml, to_xml(&parsed, ListFilter::ALL));
    let back = parse_xml(&xml).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.tree, built);
    let filter = ListFilter::parse("?list=TNDS+Value").unwrap();
    assert_eq!(built.filtered(filter), parsed.filtered(filter));
    assert_eq!(
        to_wbxml(&built, ListFilter::ALL).unwrap(),
        to_wbxml(&parsed, ListFilter::ALL).unwrap()
    );
}

#[test]
fn equality_sees_every_difference_but_offsets() {
    let parsed = parse_xml(TNDS).unwrap().tree;
    // Other white space between the elements: other offsets, the same tree.
    let spaced = TNDS.replace("<Node>", "\n      <Node>");
    let reparsed = parse_xml(&spaced).unwrap().tree;
    assert_ne!(
        reparsed.find("B").unwrap().offset(),
        parsed.find("B").unwrap().offset()
    );
    assert_eq!(reparsed, parsed);

    let changes: [fn(&mut MgmtTree<'static>); 7] = [
        |t| {
            let id = t.find("A/A2/A21").unwrap().id();
            t.get_mut(id).unwrap().set_value(Some("other".into()));
        },
        |t| {
            let id = t.find("A/A1").unwrap().id();
            t.get_mut(id).unwrap().set_name("A0");
        },
        |t| {
            let id = t.find("B").unwrap().id();
            t.get_mut(id).unwrap().set_path(None);
        },
        |t| {
            let id = t.find("A/A3").unwrap().id();
            t.get_mut(id).unwrap().rt_mut().unwrap().acl = Some("Get=*".into());
        },
        |t| {
            let id = t.find("A/A2/A21").unwrap().id();
            t.push_child(id, named("X", leaf_rt("x"))).unwrap();
        },
        |t| {
            t.push_root(named("C", leaf_rt("c"))).unwrap();
        },
        |t| t.man = Some("ACME".into()),
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut changed = built_out_of_order();
        change(&mut changed);
        assert_ne!(changed, parsed, "change {i}");
        assert_ne!(parsed, changed, "change {i}");
    }
    // The same children in another order make another tree.
    let mut swapped = MgmtTree::new(DocKind::Tnds);
    let mut b = named("B", leaf_rt("b"));
    b.path = Some("./Vendor".into());
    swapped.push_root(b).unwrap();
    for root in parsed.roots().take(1) {
        swapped.push_copy(None, root).unwrap();
    }
    assert_ne!(swapped, parsed);
}

#[test]
fn builder_api_adds_changes_and_copies_nodes() {
    let mut tree = MgmtTree::new(DocKind::Ddf);
    assert_eq!(tree.node_count(), 0);
    assert!(tree.roots().next().is_none());
    let df = |format, access| DfProperties {
        access,
        default_value: None,
        description: Some("built".into()),
        format,
        occurrence: None,
        scope: Some(Scope::Permanent),
        title: None,
        df_type: TypeInfo::DdfName("".into()),
        case_sense: None,
    };
    let root = tree
        .push_root(NodeData {
            df: Some(df(Format::Node, AccessType::GET)),
            ..NodeData::new("Root")
        })
        .unwrap();
    let leaf = tree
        .push_child(
            root,
            NodeData {
                df: Some(df(Format::Int, AccessType::GET | AccessType::REPLACE)),
                value: Some("7".into()),
                ..NodeData::new("Leaf")
            },
        )
        .unwrap();
    let item = tree.push_child(root, NodeData::new("")).unwrap();
    assert_eq!(tree.node_count(), 3);
    assert_eq!(leaf.index(), 1);
    let r = tree.get(root).unwrap();
    assert!(r.is_interior() && !r.is_placeholder());
    assert_eq!(r.placeholder_child().unwrap().id(), item);
    assert_eq!(r.child("Leaf").unwrap().format(), Some(Format::Int));
    // A node without properties but with children is interior.
    assert_eq!(tree.get(item).unwrap().format(), None);
    tree.push_child(item, NodeData::new("Sub")).unwrap();
    assert_eq!(tree.get(item).unwrap().format(), Some(Format::Node));

    let mut node = tree.get_mut(leaf).unwrap();
    assert_eq!(node.id(), leaf);
    node.df_mut().unwrap().access = AccessType::GET;
    assert!(node.rt_mut().is_none());
    node.set_rt(Some(RtProperties {
        title: Some("t".into()),
        ..RtProperties::default()
    }));
    node.set_df(None);
    let leaf_ref = tree.get(leaf).unwrap();
    assert!(leaf_ref.df().is_none());
    assert_eq!(leaf_ref.rt().unwrap().title.as_deref(), Some("t"));
    assert_eq!(leaf_ref.format(), None);
    let mut node = tree.get_mut(leaf).unwrap();
    node.set_df(Some(df(Format::Bool, AccessType::GET)));
    node.set_rt(None);
    assert_eq!(node.as_node().unwrap().format(), Some(Format::Bool));
    assert!(tree.get(leaf).unwrap().rt().is_none());

    // Ids of another tree's nodes are refused, not trusted.
    let mut small = MgmtTree::new(DocKind::Tnds);
    assert!(small.get(leaf).is_none());
    assert!(small.get_mut(leaf).is_none());
    assert!(small.push_child(leaf, NodeData::new("x")).is_none());
    assert_eq!(small.node_count(), 0);

    // A copy of a subtree, into another tree and into the same one.
    let copy = small.push_copy(None, tree.get(root).unwrap()).unwrap();
    assert_eq!(small.get(copy).unwrap(), tree.get(root).unwrap());
    assert_eq!(small.node_count(), 4);
    let again = tree.push_copy(Some(item), tree.clone().get(leaf).unwrap());
    assert_eq!(
        tree.get(again.unwrap()).unwrap().parent().unwrap().id(),
        item
    );
    let names: Vec<&str> = tree
        .get(item)
        .unwrap()
        .children()
        .map(|c| c.name())
        .collect();
    assert_eq!(names, ["Sub", "Leaf"]);
    let data = tree.get(leaf).unwrap().to_data();
    assert_eq!(data.name, "Leaf");
    assert_eq!(data.value.as_deref(), Some("7"));
}

#[test]
fn deep_built_trees_are_walked_without_recursion() {
    // Far deeper than a parse allows (`MAX_NODE_DEPTH`): the walks that may meet a built
    // tree (equality, writing, counting, owned copies, subtree copies) use no call stack
    // per level.
    const DEPTH: usize = 100_000;
    let build = || {
        let mut tree = MgmtTree::new(DocKind::Tnds);
        let mut at = tree.push_root(interior_rt("N")).unwrap();
        for _ in 1..DEPTH {
            at = tree.push_child(at, interior_rt("N")).unwrap();
        }
        (tree, at)
    };
    let (tree, last) = build();
    let (other, _) = build();
    assert!(tree == other);
    let root = tree.roots().next().unwrap();
    assert_eq!(root.count(), DEPTH);
    assert_eq!(root.descendants().last().unwrap().id(), last);
    // WBXML, not the indented XML, whose size grows with the square of the depth.
    let wbxml = to_wbxml(&tree, ListFilter::ALL).unwrap();
    assert!(wbxml.len() > 5 * DEPTH);
    let owned = tree.clone().into_owned();
    assert!(owned == tree);
    let mut copied = MgmtTree::new(DocKind::Tnds);
    copied.push_copy(None, root).unwrap();
    assert!(copied == tree);
    let (mut changed, deepest) = build();
    changed.get_mut(deepest).unwrap().set_name("M");
    assert!(changed != tree);
    // Reading it back stops at a nesting limit (the WBXML reader's own), with an error.
    let err = ddf::parse_wbxml(&wbxml).unwrap_err();
    assert!(err.to_string().contains("deeper than 128"), "{err}");
    // The XML writer walks without recursion too; a tree of a depth a parse accepts reads
    // back as itself.
    let mut tree = MgmtTree::new(DocKind::Tnds);
    let mut at = tree.push_root(interior_rt("N0")).unwrap();
    for depth in 1..ddf::MAX_NODE_DEPTH {
        let name = format!("N{depth}");
        at = tree
            .push_child(at, interior_rt(&name).into_owned_name())
            .unwrap();
    }
    let xml = to_xml(&tree, ListFilter::ALL);
    assert_eq!(xml.matches("<Node>").count(), ddf::MAX_NODE_DEPTH);
    assert_eq!(parse_xml(&xml).unwrap().tree, tree);
}

trait IntoOwnedName {
    fn into_owned_name(self) -> NodeData<'static>;
}

impl IntoOwnedName for NodeData<'_> {
    fn into_owned_name(self) -> NodeData<'static> {
        NodeData {
            name: Cow::Owned(self.name.into_owned()),
            path: None,
            rt: self.rt.map(RtProperties::into_owned),
            df: None,
            value: None,
            offset: 0,
        }
    }
}

#[test]
fn an_owned_copy_outlives_its_input() {
    let text = TNDS.replace("<Value>one</Value>", "<Value>one &amp; more</Value>");
    let parsed = parse_xml(&text).unwrap().tree;
    let owned: MgmtTree<'static> = parsed.clone().into_owned();
    let offset = parsed.find("A/A1").unwrap().offset();
    drop(parsed);
    drop(text);
    let a1 = owned.find("A/A1").unwrap();
    assert_eq!(a1.value(), Some("one & more"));
    assert_eq!(a1.offset(), offset, "offsets are kept");
    assert_eq!(owned.find("A/A2/A21").unwrap().value(), Some("deep"));
    let written = to_xml(&owned, ListFilter::ALL);
    let again = parse_xml(&written).unwrap().tree;
    assert_eq!(again, owned);
    assert!(matches!(
        owned.find("B").unwrap().to_data().name,
        Cow::Owned(_)
    ));
}

#[test]
fn ids_are_stable_across_clones_and_filters() {
    let tree = parse_xml(TNDS).unwrap().tree;
    let id: NodeId = tree.find("A/A2/A21").unwrap().id();
    let filtered = tree.filtered(ListFilter::parse("?list=TNDS+Format").unwrap());
    let node = filtered.get(id).unwrap();
    assert_eq!(node.name(), "A21");
    assert_eq!(node.value(), None);
    assert_eq!(node.rt().unwrap().format, Some(Format::Chr));
    assert!(node.rt().unwrap().rt_type.is_none());
    assert_eq!(tree.clone().into_owned().get(id).unwrap().name(), "A21");
}
