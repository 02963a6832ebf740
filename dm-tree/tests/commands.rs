//! Every status code the tree answers with (omadm.md §4.1–§4.4).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dm_tree::{Format, Op, Outcome, Status, Tree, UriLimits, Value};

fn local(tree: &mut Tree, op: Op<'_>) -> Outcome {
    tree.execute_local(&op)
}

fn code(tree: &mut Tree, op: Op<'_>) -> u16 {
    tree.execute_local(&op).status.0
}

fn data(out: &Outcome) -> String {
    String::from_utf8(out.results[0].data.clone().unwrap()).unwrap()
}

fn sample() -> Tree {
    let mut t = Tree::new();
    assert_eq!(code(&mut t, Op::add("./A").with_format(Format::Node)), 200);
    assert_eq!(code(&mut t, Op::add("./A/Leaf").with_text("hello")), 200);
    assert_eq!(
        code(
            &mut t,
            Op::add("./A/Num").with_format(Format::Int).with_text("7")
        ),
        200
    );
    assert_eq!(
        code(&mut t, Op::add("./A/Sub").with_format(Format::Node)),
        200
    );
    t
}

#[test]
fn add_418_405_404_and_get_values() {
    let mut t = sample();
    assert_eq!(code(&mut t, Op::add("./A/Leaf").with_text("x")), 418);
    assert_eq!(code(&mut t, Op::add(".").with_format(Format::Node)), 418);
    // child under a leaf
    assert_eq!(code(&mut t, Op::add("./A/Leaf/X").with_text("x")), 405);
    assert_eq!(code(&mut t, Op::add("./A/Leaf/X/Y").with_text("x")), 405);
    // Add on a property
    assert_eq!(
        code(&mut t, Op::add("./A/New?prop=Title").with_text("x")),
        405
    );
    let out = local(&mut t, Op::get("./A/Num"));
    assert_eq!(out.results[0].format, Format::Int);
    assert_eq!(data(&out), "7");
    assert_eq!(code(&mut t, Op::get("./A/Nope")), 404);
    // a value that does not fit its format
    assert_eq!(
        code(
            &mut t,
            Op::add("./A/Bad").with_format(Format::Int).with_text("x")
        ),
        400
    );
    assert_eq!(
        code(
            &mut t,
            Op::add("./A/Bad")
                .with_format(Format::Bool)
                .with_text("maybe")
        ),
        400
    );
}

#[test]
fn get_interior_lists_children() {
    let mut t = sample();
    let out = local(&mut t, Op::get("./A"));
    assert_eq!(out.status, Status::OK);
    assert_eq!(out.results[0].format, Format::Node);
    let mut names: Vec<String> = data(&out).split('/').map(str::to_owned).collect();
    names.sort();
    assert_eq!(names, ["Leaf", "Num", "Sub"]);
    let out = local(&mut t, Op::get("./A/Sub"));
    assert_eq!(out.status, Status::OK);
    assert_eq!(data(&out), "");
}

#[test]
fn uri_errors_400_414_406() {
    let mut t = sample();
    t.set_limits(UriLimits {
        max_depth: 3,
        max_tot_len: 19,
        max_seg_len: 6,
    });
    assert_eq!(code(&mut t, Op::get("./A/")), 400);
    assert_eq!(code(&mut t, Op::get("./A/../A")), 400);
    assert_eq!(code(&mut t, Op::get("./A/Sub/X/Y")), 414);
    assert_eq!(code(&mut t, Op::get("./A/Sub/LongName")), 414);
    // the property suffix counts towards MaxTotLen
    assert_eq!(code(&mut t, Op::get("./A/Leaf?prop=Name")), 200);
    assert_eq!(code(&mut t, Op::get("./A/Leaf?prop=Format")), 414);
    assert_eq!(code(&mut t, Op::get("./A?prop=Colour")), 406);
    assert_eq!(code(&mut t, Op::get("./A?list=Everything")), 406);
}

#[test]
fn implicit_interior_ancestors() {
    let mut t = Tree::new();
    // root: Add=*&Get=* — ServerA may add; it lacks Replace on the root, so each implicitly
    // created interior node gets an ACL granting it Add, Delete and Replace
    let out = t.execute("ServerA", &Op::add("./X/Y/Z").with_text("deep"));
    assert_eq!(out.status, Status::OK);
    let x = t.node("./X").unwrap();
    assert!(x.is_interior());
    assert_eq!(
        x.acl().as_str(),
        "Add=ServerA&Delete=ServerA&Replace=ServerA"
    );
    // below it ServerA holds Replace on the parent, so the rest inherit
    assert!(t.node("./X/Y").unwrap().is_interior());
    assert!(t.node("./X/Y").unwrap().acl().is_empty());
    assert!(t.node("./X/Y/Z").unwrap().acl().is_empty());
    assert_eq!(t.execute("ServerA", &Op::delete("./X")).status, Status::OK);

    // a server with Replace on the parent gets plain inheriting nodes
    let mut t = Tree::new();
    let root_acl = "Add=*&Get=*&Replace=ServerA";
    assert_eq!(
        code(&mut t, Op::replace(".?prop=ACL").with_text(root_acl)),
        200
    );
    let out = t.execute("ServerA", &Op::add("./P/Q").with_format(Format::Node));
    assert_eq!(out.status, Status::OK);
    assert!(t.node("./P").unwrap().acl().is_empty());
    assert!(t.node("./P/Q").unwrap().acl().is_empty());

    // failure names the ancestor that failed and creates nothing
    let mut t = Tree::new();
    assert_eq!(code(&mut t, Op::add("./L").with_text("leaf")), 200);
    let out = t.execute_local(&Op::add("./L/M/N").with_text("x"));
    assert_eq!(out.status, Status::COMMAND_NOT_ALLOWED);
    assert_eq!(out.failed_uri.as_deref(), Some("./L/M"));
    assert_eq!(
        code(&mut t, Op::replace(".?prop=ACL").with_text("Add=*&Get=*")),
        200
    );
    assert_eq!(code(&mut t, Op::add("./G").with_format(Format::Node)), 200);
    assert_eq!(
        code(&mut t, Op::replace("./G?prop=ACL").with_text("Get=*")),
        200
    );
    let out = t.execute("ServerA", &Op::add("./G/H/I").with_text("x"));
    assert_eq!(out.status, Status::PERMISSION_DENIED);
    assert_eq!(out.failed_uri.as_deref(), Some("./G/H"));
    assert!(t.node("./G/H").is_none());
}

#[test]
fn replace_404_and_values() {
    let mut t = sample();
    assert_eq!(code(&mut t, Op::replace("./A/Missing").with_text("x")), 404);
    assert_eq!(code(&mut t, Op::replace("./A/Leaf").with_text("bye")), 200);
    assert_eq!(data(&local(&mut t, Op::get("./A/Leaf"))), "bye");
    assert_eq!(t.node("./A/Leaf").unwrap().verno(), 1);
    // the format stays when the Replace gives none, and is checked
    assert_eq!(code(&mut t, Op::replace("./A/Num").with_text("x")), 400);
    assert_eq!(t.node("./A/Num").unwrap().value(), &Value::Int(7));
    assert_eq!(code(&mut t, Op::replace("./A/Num").with_text("-3")), 200);
    assert_eq!(t.node("./A/Num").unwrap().value(), &Value::Int(-3));
    // A text written over a text where the node keeps it: short, long, short again, a
    // refused one (the value stays), and a text turned into another format.
    let long = "l".repeat(40);
    for (op, status, after) in [
        (Op::replace("./A/Leaf").with_text("short"), 200, "short"),
        (Op::replace("./A/Leaf").with_text("sh"), 200, "sh"),
        (Op::replace("./A/Leaf").with_text(&long), 200, long.as_str()),
        (Op::replace("./A/Leaf").with_text("s"), 200, "s"),
        (
            Op::replace("./A/Leaf")
                .with_format(Format::Date)
                .with_text("no date"),
            400,
            "s",
        ),
        (Op::replace("./A/Leaf").with_text(""), 200, ""),
        (Op::replace("./A/Leaf").with_text("again"), 200, "again"),
    ] {
        assert_eq!(local(&mut t, op).status.0, status, "{after}");
        assert_eq!(data(&local(&mut t, Op::get("./A/Leaf"))), after);
    }
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Leaf")
                .with_format(Format::Int)
                .with_text("12")
        ),
        200
    );
    assert_eq!(t.node("./A/Leaf").unwrap().value(), &Value::Int(12));
    assert_eq!(t.node("./A/Leaf").unwrap().format(), Format::Int);
    // interior nodes have no value to replace
    assert_eq!(code(&mut t, Op::replace("./A").with_text("x")), 405);
    // properties that are Get-only
    assert_eq!(
        code(&mut t, Op::replace("./A/Leaf?prop=Format").with_text("int")),
        405
    );
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Leaf?prop=Title").with_text("A title")
        ),
        200
    );
    assert_eq!(
        data(&local(&mut t, Op::get("./A/Leaf?prop=Title"))),
        "A title"
    );
    let long = "t".repeat(256);
    assert_eq!(
        code(&mut t, Op::replace("./A/Leaf?prop=Title").with_text(&long)),
        400
    );
}

#[test]
fn rename_with_prop_name() {
    let mut t = sample();
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Leaf?prop=Name").with_text("Renamed")
        ),
        200
    );
    assert!(t.node("./A/Leaf").is_none());
    assert_eq!(data(&local(&mut t, Op::get("./A/Renamed"))), "hello");
    assert_eq!(
        data(&local(&mut t, Op::get("./A/Renamed?prop=Name"))),
        "Renamed"
    );
    // sibling clash
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Renamed?prop=Name").with_text("Num")
        ),
        418
    );
    // invalid name, root, permanent
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Renamed?prop=Name").with_text("a/b")
        ),
        400
    );
    assert_eq!(code(&mut t, Op::replace(".?prop=Name").with_text("x")), 405);
    let id = t.node("./A/Num").unwrap().id();
    t.set_scope(id, dm_tree::Scope::Permanent);
    assert_eq!(
        code(&mut t, Op::replace("./A/Num?prop=Name").with_text("N2")),
        405
    );
    // MaxSegLen bounds new names
    t.set_limits(UriLimits {
        max_seg_len: 8,
        ..UriLimits::UNLIMITED
    });
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Renamed?prop=Name").with_text("VeryLongName")
        ),
        414
    );
}

#[test]
fn acl_replace_rules() {
    let mut t = sample();
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A?prop=ACL").with_text("Get=*&Bogus=x")
        ),
        400
    );
    // the root keeps Add=*
    assert_eq!(
        code(&mut t, Op::replace(".?prop=ACL").with_text("Get=*")),
        405
    );
    assert_eq!(code(&mut t, Op::replace(".?prop=ACL").with_text("")), 405);
    assert_eq!(
        code(&mut t, Op::replace(".?prop=ACL").with_text("Add=*&Get=S1")),
        200
    );
    assert_eq!(
        t.execute("S2", &Op::get("./A")).status,
        Status::PERMISSION_DENIED
    );
}

#[test]
fn delete_rules() {
    let mut t = sample();
    assert_eq!(code(&mut t, Op::delete(".")), 405);
    assert_eq!(code(&mut t, Op::delete("./Nope")), 404);
    assert_eq!(code(&mut t, Op::add("./A/Sub/Deep").with_text("d")), 200);
    let id = t.node("./A/Leaf").unwrap().id();
    t.set_scope(id, dm_tree::Scope::Permanent);
    assert_eq!(code(&mut t, Op::delete("./A/Leaf")), 405);
    let before = t.len();
    // the whole subtree goes, permanent descendant included (only direct deletes are refused)
    assert_eq!(code(&mut t, Op::delete("./A")), 200);
    assert_eq!(t.len(), before - 5);
    assert!(t.node("./A/Sub/Deep").is_none());
    assert_eq!(data(&local(&mut t, Op::get("."))), "");
    // freed slots are reused
    assert_eq!(code(&mut t, Op::add("./B").with_text("b")), 200);
    assert_eq!(t.len(), 2);
}

#[test]
fn copy_leaves_only() {
    let mut t = sample();
    assert_eq!(code(&mut t, Op::copy("./A/Num", "./A/NumCopy")), 200);
    let node = t.node("./A/NumCopy").unwrap();
    assert_eq!((node.format(), node.value()), (Format::Int, &Value::Int(7)));
    assert_eq!(code(&mut t, Op::copy("./A/Leaf", "./A/NumCopy")), 200);
    assert_eq!(data(&local(&mut t, Op::get("./A/NumCopy"))), "hello");
    assert_eq!(code(&mut t, Op::copy("./A/Missing", "./A/X")), 404);
    assert_eq!(code(&mut t, Op::copy("./A/Sub", "./A/X")), 403);
    assert_eq!(code(&mut t, Op::copy("./A/Leaf", "./A/Sub")), 403);
    assert_eq!(code(&mut t, Op::copy("./A/Leaf", "./A/Leaf2/X")), 404);
    // rights: Get on the source, Add on the target's parent
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A?prop=ACL").with_text("Get=S1&Add=S2")
        ),
        200
    );
    assert_eq!(
        t.execute("S1", &Op::copy("./A/Leaf", "./A/C1")).status,
        Status::PERMISSION_DENIED
    );
    assert_eq!(
        t.execute("S2", &Op::copy("./A/Leaf", "./A/C1")).status,
        Status::PERMISSION_DENIED
    );
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A?prop=ACL").with_text("Get=S1&Add=S1")
        ),
        200
    );
    assert_eq!(
        t.execute("S1", &Op::copy("./A/Leaf", "./A/C1")).status,
        Status::OK
    );
}

#[test]
fn exec_without_handler_and_inbox() {
    let mut t = sample();
    assert_eq!(code(&mut t, Op::exec("./A/Nope")), 404);
    assert_eq!(code(&mut t, Op::exec("./A/Leaf")), 405);
    assert_eq!(
        code(&mut t, Op::add("./Inbox").with_format(Format::Node)),
        200
    );
    assert_eq!(code(&mut t, Op::get("./Inbox")), 405);
    assert_eq!(code(&mut t, Op::add("./Inbox/X").with_text("x")), 200);
    assert_eq!(code(&mut t, Op::get("./Inbox/X")), 405);
    // Only the segment `Inbox` is the inbox, not a name that begins with it.
    assert_eq!(code(&mut t, Op::add("./Inboxes").with_text("y")), 200);
    assert_eq!(code(&mut t, Op::get("./Inboxes")), 200);
}

#[test]
fn properties() {
    let mut t = sample();
    t.set_now(Some("20010711T163817Z"));
    assert_eq!(code(&mut t, Op::replace("./A/Leaf").with_text("four")), 200);
    let prop = |t: &mut Tree, p: &str| {
        let uri = format!("./A/Leaf?prop={p}");
        data(&t.execute_local(&Op::get(&uri)))
    };
    assert_eq!(prop(&mut t, "Format"), "chr");
    assert_eq!(prop(&mut t, "Name"), "Leaf");
    assert_eq!(prop(&mut t, "Size"), "4");
    assert_eq!(prop(&mut t, "TStamp"), "20010711T163817Z");
    assert_eq!(prop(&mut t, "VerNo"), "1");
    assert_eq!(prop(&mut t, "Type"), "");
    assert_eq!(code(&mut t, Op::get("./A?prop=Size")), 405);
    assert_eq!(
        code(
            &mut t,
            Op::add("./A/T").with_text("t").with_mime("text/x-custom")
        ),
        200
    );
    assert_eq!(
        data(&local(&mut t, Op::get("./A/T?prop=Type"))),
        "text/x-custom"
    );
    // VerNo wraps
    let id = t.node("./A/T").unwrap().id();
    for _ in 0..=u16::MAX {
        assert_eq!(code(&mut t, Op::replace("./A/T").with_text("u")), 200);
    }
    assert_eq!(t.node_by_id(id).unwrap().verno(), 0);
}

#[test]
fn list_struct_and_struct_data() {
    let mut t = sample();
    let out = local(&mut t, Op::get("./A?list=Struct"));
    assert_eq!(out.status, Status::OK);
    let uris: Vec<&str> = out.results.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(uris, ["./A", "./A/Leaf", "./A/Num", "./A/Sub"]);
    assert!(out.results.iter().all(|r| r.data.is_none()));
    let out = local(&mut t, Op::get("./A?list=StructData"));
    assert_eq!(out.results[1].data.as_deref(), Some(&b"hello"[..]));
    assert_eq!(out.results[2].data.as_deref(), Some(&b"7"[..]));
    assert_eq!(out.results[0].data, None);
    // nodes the server may not Get are left out
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Leaf?prop=ACL").with_text("Get=Other")
        ),
        200
    );
    let out = t.execute("S", &Op::get("./A?list=Struct"));
    let uris: Vec<&str> = out.results.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(uris, ["./A", "./A/Num", "./A/Sub"]);
}

#[test]
fn case_insensitive_names() {
    let mut t = sample();
    let id = t.node("./A/Leaf").unwrap().id();
    assert_eq!(code(&mut t, Op::get("./A/LEAF")), 404);
    t.set_case_sense(id, dm_tree::CaseSense::Cis);
    assert_eq!(data(&local(&mut t, Op::get("./A/LEAF"))), "hello");
    assert_eq!(code(&mut t, Op::add("./A/leaf").with_text("x")), 418);
    // the created case is preserved
    assert_eq!(t.node("./A/lEaF").unwrap().name(), "Leaf");
}

#[test]
fn snapshot_and_restore() {
    let mut t = sample();
    let snap = t.snapshot();
    assert_eq!(code(&mut t, Op::delete("./A/Leaf")), 200);
    assert_eq!(code(&mut t, Op::add("./Z").with_text("z")), 200);
    t.restore(snap);
    assert!(t.node("./Z").is_none());
    assert_eq!(data(&local(&mut t, Op::get("./A/Leaf"))), "hello");
}

#[test]
fn get_each_hands_over_what_execute_collects() {
    let mut t = sample();
    assert_eq!(
        code(
            &mut t,
            Op::replace("./A/Leaf")
                .with_mime("text/x")
                .with_text("hello")
        ),
        200
    );
    assert_eq!(
        code(&mut t, Op::replace(".?prop=ACL").with_text("Add=*&Get=S1")),
        200
    );
    let targets = [
        "./A/Leaf",
        "./A/Num",
        "./A",
        "./A/Sub",
        ".",
        "./A/Leaf?prop=Format",
        "./A/Leaf?prop=Type",
        "./A?prop=Size",
        "./A?list=Struct",
        "./A?list=StructData",
        "./A?list=TNDS+Format+Value",
        "./A/Missing",
        "./Inbox",
        "./A/../B",
        "",
        "./A?prop=Bogus",
    ];
    for server in [None, Some("S1"), Some("S2")] {
        for target in targets {
            let expected = match server {
                Some(s) => t.execute(s, &Op::get(target)),
                None => t.execute_local(&Op::get(target)),
            };
            let mut got = Vec::new();
            let mut take = |r: dm_tree::ResultRef<'_>| got.push(r.into_owned());
            let status = match server {
                Some(s) => t.get_each(s, target, &mut take),
                None => t.get_each_local(target, &mut take),
            };
            assert_eq!(status, expected.status, "{server:?} {target}");
            assert_eq!(got, expected.results, "{server:?} {target}");
        }
    }
    // The results are really there: a leaf's value, an interior node's children, a list.
    let mut seen = Vec::new();
    t.get_each_local("./A?list=Struct", |r| seen.push(r.source.into_owned()));
    assert_eq!(seen, ["./A", "./A/Leaf", "./A/Num", "./A/Sub"]);
    let mut value = None;
    t.get_each("S1", "./A/Leaf", |r| {
        assert_eq!(r.source, "./A/Leaf");
        assert_eq!(r.mime.as_deref(), Some("text/x"));
        value = r.data;
    });
    assert_eq!(value.as_deref(), Some(&b"hello"[..]));
}

#[test]
fn execute_status_gives_what_execute_gives() {
    let mut by_outcome = sample();
    assert_eq!(
        code(
            &mut by_outcome,
            Op::replace(".?prop=ACL").with_text("Add=*&Get=*&Replace=S1&Delete=S1&Exec=S1")
        ),
        200
    );
    let mut by_status = Tree::new();
    by_status.restore(by_outcome.snapshot());
    let ops = [
        Op::replace("./A/Leaf").with_text("new"),
        Op::replace("./A/Missing").with_text("x"),
        Op::replace("./A/Num").with_text("not a number"),
        Op::replace("./A").with_text("x"),
        Op::replace("./A/Leaf?prop=Name").with_text("Renamed"),
        Op::replace("./A/../B").with_text("x"),
        Op::copy("./A/Copied", "./A/Num"),
        Op::copy("./A/Copied2", "./A/Gone"),
        Op::delete("./A/Sub"),
        Op::delete("./A/Sub"),
        Op::delete("."),
        Op::add("./A/Added").with_text("a"),
        Op::add("./A/Added").with_text("a"),
        Op::add("./X/Y/Z").with_text("deep"),
        Op::exec("./A/Num"),
        Op::get("./A/Renamed"),
        Op::get("./A?list=Struct"),
    ];
    for server in ["S1", "S2"] {
        for op in &ops {
            let expected = by_outcome.execute(server, op);
            let status = by_status.execute_status(server, op);
            assert_eq!(status, expected.status, "{server} {op:?}");
        }
    }
    // Both trees took the same changes.
    let export = |t: &mut Tree| data(&local(t, Op::get(".?list=TNDS+Format+Value")));
    assert_eq!(export(&mut by_status), export(&mut by_outcome));
    assert!(export(&mut by_status).contains("<NodeName>Renamed</NodeName>"));
}
