//! TNDS: `?list=TNDS` export with filters, import through the `ddf` model, and TNDS Add and
//! Replace of whole subtrees.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dm_tree::{Format, Op, PropFilter, Status, Tree, Value, TNDS_XML};

fn sample() -> Tree {
    let mut t = Tree::new();
    for op in [
        Op::add("./Dev").with_format(Format::Node),
        Op::add("./Dev/Name").with_text("a<b&c"),
        Op::add("./Dev/Count")
            .with_format(Format::Int)
            .with_text("42"),
        Op::add("./Dev/Blob")
            .with_format(Format::Bin)
            .with_data(&[0, 1, 2, 255]),
        Op::add("./Dev/Sub").with_format(Format::Node),
        Op::add("./Dev/Sub/Flag")
            .with_format(Format::Bool)
            .with_text("true"),
    ] {
        assert_eq!(t.execute_local(&op).status, Status::OK, "{op:?}");
    }
    let acl = Op::replace("./Dev/Sub?prop=ACL").with_text("Get=S1&Replace=S1");
    assert_eq!(t.execute_local(&acl).status, Status::OK);
    t
}

fn list(t: &mut Tree, server: &str, uri: &str) -> String {
    let out = t.execute(server, &Op::get(uri));
    assert_eq!(out.status, Status::OK, "{uri}");
    assert_eq!(out.results[0].mime.as_deref(), Some(TNDS_XML));
    assert_eq!(out.results[0].format, Format::Xml);
    String::from_utf8(out.results[0].data.clone().unwrap()).unwrap()
}

#[test]
fn list_tnds_round_trips_through_ddf() {
    let mut t = sample();
    let xml = list(&mut t, "S1", "./Dev?list=TNDS");
    assert!(
        xml.contains("<NodeName>Dev</NodeName><Path>.</Path>"),
        "{xml}"
    );
    assert!(xml.contains("<Value>a&lt;b&amp;c</Value>"), "{xml}");
    assert!(xml.contains("<Value>AAEC/w==</Value>"), "{xml}");
    let parsed = ddf::parse_xml(&xml).unwrap();
    assert_eq!(parsed.tree.node_count(), 6);

    let mut copy = Tree::new();
    copy.import_tnds(".", &parsed.tree).unwrap();
    assert_eq!(copy.len(), t.len());
    let n = copy.node("./Dev/Count").unwrap();
    assert_eq!((n.format(), n.value()), (Format::Int, &Value::Int(42)));
    assert_eq!(
        copy.node("./Dev/Blob").unwrap().value(),
        &Value::Bytes(vec![0, 1, 2, 255].into())
    );
    assert_eq!(
        copy.node("./Dev/Name").unwrap().value().as_text(),
        Some("a<b&c")
    );
    assert_eq!(
        copy.node("./Dev/Sub").unwrap().acl().as_str(),
        "Get=S1&Replace=S1"
    );
    assert_eq!(
        copy.node("./Dev/Sub/Flag").unwrap().value(),
        &Value::Bool(true)
    );
}

#[test]
fn list_tnds_filters_and_rights() {
    let mut t = sample();
    let xml = list(&mut t, "S1", "./Dev?list=TNDS+Value");
    assert!(xml.contains("<Value>42</Value>"));
    assert!(!xml.contains("<Format>") && !xml.contains("<ACL>") && !xml.contains("<Type>"));
    let xml = list(&mut t, "S1", "./Dev?list=TNDS-Value-VerNo");
    assert!(!xml.contains("<Value>") && !xml.contains("<VerNo>"));
    assert!(
        xml.contains("<Format><int/></Format>") && xml.contains("<ACL>Get=S1&amp;Replace=S1</ACL>")
    );
    // S2 may not Get ./Dev/Sub: its subtree is left out
    let xml = list(&mut t, "S2", "./Dev?list=TNDS");
    assert!(!xml.contains("Sub") && xml.contains("<NodeName>Count</NodeName>"));
    // the root: top-level nodes with Path "."
    let xml = list(&mut t, "S1", ".?list=TNDS+ACL");
    assert!(xml.starts_with("<MgmtTree"), "{xml}");
    assert!(xml.contains("<Node><NodeName>Dev</NodeName><Path>.</Path>"));
    // the ddf model export agrees with the XML
    let model = t.export_tnds_model("./Dev", PropFilter::ALL).unwrap();
    assert_eq!(model.node_count(), 6);
    assert_eq!(model.roots().next().unwrap().path(), Some("."));
}

const NEW_ITEM: &str = r#"<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD>
  <Node><NodeName>Item</NodeName><Path>./Dev</Path>
    <RTProperties><Format><node/></Format><Type><DDFName>urn:x</DDFName></Type></RTProperties>
    <Node><NodeName>A</NodeName><RTProperties><Format><int/></Format><Type><MIME>text/plain</MIME></Type></RTProperties><Value>1</Value></Node>
    <Node><NodeName>B</NodeName><RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties><Value>two</Value></Node>
  </Node>
</MgmtTree>"#;

#[test]
fn add_with_tnds_creates_the_subtree() {
    let mut t = sample();
    let op = Op::add("./Dev/Item")
        .with_format(Format::Xml)
        .with_mime(TNDS_XML)
        .with_text(NEW_ITEM);
    assert_eq!(t.execute_local(&op).status, Status::OK);
    assert_eq!(t.node("./Dev/Item").unwrap().mime(), Some("urn:x"));
    assert_eq!(t.node("./Dev/Item/A").unwrap().value(), &Value::Int(1));
    // again: the node exists
    assert_eq!(t.execute_local(&op).status, Status::ALREADY_EXISTS);
    // malformed TNDS
    let bad = Op::add("./Dev/Other")
        .with_mime(TNDS_XML)
        .with_text("<MgmtTree>");
    assert_eq!(t.execute_local(&bad).status, Status::BAD_REQUEST);
    assert!(t.node("./Dev/Other").is_none());
}

#[test]
fn replace_with_tnds_swaps_the_subtree_all_or_nothing() {
    let mut t = sample();
    let add = Op::add("./Dev/Item")
        .with_mime(TNDS_XML)
        .with_text(NEW_ITEM);
    assert_eq!(t.execute_local(&add).status, Status::OK);
    let replacement = r#"<MgmtTree><VerDTD>1.2</VerDTD>
      <Node><NodeName>B</NodeName><RTProperties><Format><chr/></Format></RTProperties><Value>new</Value></Node>
      <Node><NodeName>C</NodeName><RTProperties><Format><int/></Format></RTProperties><Value>3</Value></Node>
    </MgmtTree>"#;
    let op = Op::replace("./Dev/Item")
        .with_mime(TNDS_XML)
        .with_text(replacement);
    assert_eq!(t.execute_local(&op).status, Status::OK);
    assert!(
        t.node("./Dev/Item/A").is_none(),
        "missing old nodes are deleted"
    );
    assert_eq!(
        t.node("./Dev/Item/B").unwrap().value().as_text(),
        Some("new")
    );
    assert_eq!(t.node("./Dev/Item/C").unwrap().value(), &Value::Int(3));

    // a bad value in the last node: nothing changes
    let broken = r#"<MgmtTree><VerDTD>1.2</VerDTD>
      <Node><NodeName>D</NodeName><RTProperties><Format><chr/></Format></RTProperties><Value>d</Value></Node>
      <Node><NodeName>C</NodeName><RTProperties><Format><int/></Format></RTProperties><Value>three</Value></Node>
    </MgmtTree>"#;
    let before = t.len();
    let op = Op::replace("./Dev/Item")
        .with_mime(TNDS_XML)
        .with_text(broken);
    assert_eq!(t.execute_local(&op).status, Status::BAD_REQUEST);
    assert_eq!(t.len(), before);
    assert!(t.node("./Dev/Item/D").is_none());
    assert!(t.node("./Dev/Item/B").is_some());

    // rights: S1 may replace values below ./Dev/Sub but not delete Flag
    let sub = r#"<MgmtTree><VerDTD>1.2</VerDTD>
      <Node><NodeName>Other</NodeName><RTProperties><Format><chr/></Format></RTProperties><Value>o</Value></Node>
    </MgmtTree>"#;
    let op = Op::replace("./Dev/Sub").with_mime(TNDS_XML).with_text(sub);
    assert_eq!(t.execute("S1", &op).status, Status::PERMISSION_DENIED);
    assert!(t.node("./Dev/Sub/Flag").is_some());
    assert!(t.node("./Dev/Sub/Other").is_none());
    // Replace still never creates the target
    let op = Op::replace("./Dev/Nope").with_mime(TNDS_XML).with_text(sub);
    assert_eq!(t.execute_local(&op).status, Status::NOT_FOUND);
}

/// The rules `dmtool acl check` applies, on the worked example as a TNDS file.
#[test]
fn acl_example_tnds_file() {
    use dm_tree::{AclCommand::*, Target, UriLimits};
    let xml = include_str!("data/acl-example.tnds.xml");
    let parsed = ddf::parse_xml(xml).unwrap();
    let mut t = Tree::new();
    t.import_tnds(".", &parsed.tree).unwrap();
    assert_eq!(t.node(".").unwrap().acl().as_str(), "Add=*&Get=*");
    // NodeB is implied by a Path, then listed without Format: still interior, with its ACL
    let b = t.node("./NodeB").unwrap();
    assert!(b.is_interior());
    assert_eq!(b.acl().as_str(), "Get=ServerA&Replace=ServerA");
    // Node9 is implied only: empty ACL, inherits the root's
    assert!(t.node("./Node9").unwrap().acl().is_empty());
    assert!(t.node("./Node9").unwrap().is_interior());
    // no Format: interior with children, leaf without
    assert!(t.node("./NodeB/Node3").unwrap().is_interior());
    assert!(!t.node("./NodeB/Node3/Node5").unwrap().is_interior());
    let cases = [
        ("ServerC", Get, "./NodeA", Ok(true)),
        ("ServerA", Get, "./NodeA", Ok(false)),
        ("Anyone", Get, "./NodeA/Node1", Ok(true)),
        ("ServerC", Replace, "./NodeA/Node1", Ok(false)),
        ("ServerC", Delete, "./NodeA/Node1", Ok(false)),
        ("ServerC", Replace, "./NodeA/Node1?prop=ACL", Ok(true)),
        ("ServerA", Replace, "./NodeA/Node1?prop=ACL", Ok(false)),
        ("ServerA", Get, "./NodeB", Ok(true)),
        ("ServerX", Get, "./NodeB", Ok(false)),
        ("ServerX", Add, "./NodeB/New", Ok(false)),
        ("ServerX", Get, "./Node9", Ok(true)),
        ("ServerX", Get, "./Node9/Leaf", Ok(true)),
        ("ServerX", Replace, "./Node9/Leaf", Ok(false)),
        ("ServerX", Add, "./Node9/New", Ok(true)),
        ("ServerX", Add, "./Node9/Leaf/New", Ok(true)),
        ("ServerX", Add, "./NodeB/Node3/New", Ok(false)),
        ("ServerB", Get, "./NodeB/Node3/Node4", Ok(true)),
        ("ServerB", Get, "./NodeB/Node3/Node4?prop=ACL", Ok(true)),
        ("ServerA", Get, "./NodeB/Node3/Node4", Ok(false)),
        ("ServerA", Replace, "./NodeB/Node3/Node5", Ok(true)),
        ("ServerB", Replace, "./NodeB/Node3/Node5", Ok(false)),
        ("ServerB", Delete, "./NodeB/Node3/Node5", Ok(false)),
        ("ServerB", Replace, "./NodeB/Node3/Node5?prop=ACL", Ok(true)),
        (
            "ServerA",
            Replace,
            "./NodeB/Node3/Node5?prop=ACL",
            Ok(false),
        ),
        // Node3 is interior: its own Replace right suffices (ServerB), or the parent's (ServerA)
        ("ServerB", Replace, "./NodeB/Node3?prop=ACL", Ok(true)),
        ("ServerA", Replace, "./NodeB/Node3?prop=ACL", Ok(true)),
        ("ServerC", Replace, "./NodeB/Node3?prop=ACL", Ok(false)),
        ("ServerX", Get, "./Missing", Err(Status::NOT_FOUND)),
        ("ServerX", Add, "./Missing/New", Err(Status::NOT_FOUND)),
        (
            "ServerX",
            Exec,
            "./NodeA?prop=ACL",
            Err(Status::COMMAND_NOT_ALLOWED),
        ),
    ];
    for (server, cmd, uri, expected) in cases {
        let target = Target::parse(uri, &UriLimits::UNLIMITED).unwrap();
        assert_eq!(
            t.acl_permits(server, cmd, &target),
            expected,
            "{server} {cmd} {uri}"
        );
    }
}

#[test]
fn model_export_writes_with_ddf_and_reads_back() {
    let t = sample();
    let model = t.export_tnds_model(".", PropFilter::ALL).unwrap();
    let xml = ddf::to_xml(&model, ddf::ListFilter::ALL);
    let parsed = ddf::parse_xml(&xml).unwrap();
    let mut copy = Tree::new();
    copy.import_tnds(".", &parsed.tree).unwrap();
    assert_eq!(copy.len(), t.len());
    assert_eq!(
        copy.node("./Dev/Sub/Flag").unwrap().value(),
        &Value::Bool(true)
    );
    assert_eq!(
        copy.node("./Dev/Blob").unwrap().value(),
        &Value::Bytes(vec![0, 1, 2, 255].into())
    );
}

#[test]
fn deep_trees_export_as_xml_but_not_as_a_model() {
    let mut t = Tree::new();
    let deep = (0..200)
        .map(|i| format!("n{i}"))
        .collect::<Vec<_>>()
        .join("/");
    let uri = format!("./{deep}");
    assert_eq!(
        t.execute_local(&Op::add(&uri).with_text("x")).status,
        Status::OK
    );
    assert_eq!(t.len(), 201);
    assert_eq!(
        t.export_tnds_model(".", PropFilter::ALL).unwrap_err(),
        Status::ENTITY_TOO_LARGE
    );
    let xml = t.export_tnds(".", PropFilter::ALL).unwrap();
    assert_eq!(xml.windows(7).filter(|w| w == b"</Node>").count(), 200);
}
