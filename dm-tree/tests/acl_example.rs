//! The worked ACL example of the TND (omadm.md §4.4, S1 image 8.3.7.1.6), node by node,
//! through real commands.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dm_tree::{AclCommand, Format, Op, Status, Target, Tree, UriLimits};

fn ok(tree: &mut Tree, op: Op<'_>) {
    let out = tree.execute_local(&op);
    assert_eq!(out.status, Status::OK, "{op:?}");
}

fn set_acl(tree: &mut Tree, uri: &str, acl: &str) {
    let target = format!("{uri}?prop=ACL");
    ok(tree, Op::replace(&target).with_text(acl));
}

/// root `Add=*&Get=*`; NodeA, NodeA/Node1, NodeB, NodeB/Node3, Node3/Node4, Node3/Node5.
fn example() -> Tree {
    let mut t = Tree::new();
    ok(&mut t, Op::add("./NodeA").with_format(Format::Node));
    set_acl(&mut t, "./NodeA", "Get=ServerC&Replace=ServerC");
    ok(&mut t, Op::add("./NodeA/Node1").with_text("v1"));
    set_acl(&mut t, "./NodeA/Node1", "Get=*");
    ok(&mut t, Op::add("./NodeB").with_format(Format::Node));
    set_acl(&mut t, "./NodeB", "Get=ServerA&Replace=ServerA");
    ok(&mut t, Op::add("./NodeB/Node3").with_format(Format::Node));
    set_acl(
        &mut t,
        "./NodeB/Node3",
        "Get=ServerB&Replace=ServerB&Delete=ServerB",
    );
    ok(&mut t, Op::add("./NodeB/Node3/Node4").with_text("v4"));
    ok(&mut t, Op::add("./NodeB/Node3/Node5").with_text("v5"));
    // the example repeats Get: parsed as a union
    set_acl(
        &mut t,
        "./NodeB/Node3/Node5",
        "Get=ServerA&Replace=ServerA&Get=ServerB",
    );
    t
}

fn status(tree: &mut Tree, server: &str, op: Op<'_>) -> u16 {
    tree.execute(server, &op).status.0
}

#[test]
fn root_default_acl() {
    let mut t = example();
    let acl = t.execute("Anyone", &Op::get(".?prop=ACL"));
    assert_eq!(acl.results[0].data.as_deref(), Some(&b"Add=*&Get=*"[..]));
    assert_eq!(status(&mut t, "Anyone", Op::get(".")), 200);
    // root allows Add to anyone, but not Replace/Delete/Exec
    assert_eq!(
        status(&mut t, "Anyone", Op::add("./New").with_text("x")),
        200
    );
    assert_eq!(status(&mut t, "Anyone", Op::delete("./NodeA")), 425);
}

#[test]
fn node_a() {
    let mut t = example();
    assert_eq!(status(&mut t, "ServerC", Op::get("./NodeA")), 200);
    assert_eq!(status(&mut t, "ServerA", Op::get("./NodeA")), 425);
    // interior node: its own Replace right (ServerC) lets it change its ACL
    assert_eq!(
        status(
            &mut t,
            "ServerA",
            Op::replace("./NodeA?prop=ACL").with_text("Get=*")
        ),
        425
    );
    assert_eq!(
        status(
            &mut t,
            "ServerC",
            Op::replace("./NodeA?prop=ACL").with_text("Get=ServerC+ServerD&Replace=ServerC")
        ),
        200
    );
    assert_eq!(status(&mut t, "ServerD", Op::get("./NodeA")), 200);
}

#[test]
fn node_1_anyone_gets_nobody_replaces_only_server_c_changes_acl() {
    let mut t = example();
    for server in ["ServerA", "ServerB", "ServerC", "Other"] {
        assert_eq!(
            status(&mut t, server, Op::get("./NodeA/Node1")),
            200,
            "{server}"
        );
        assert_eq!(
            status(&mut t, server, Op::replace("./NodeA/Node1").with_text("x")),
            425,
            "{server}"
        );
        assert_eq!(status(&mut t, server, Op::delete("./NodeA/Node1")), 425);
    }
    for server in ["ServerA", "ServerB", "Other"] {
        let op = Op::replace("./NodeA/Node1?prop=ACL").with_text("Get=*&Replace=ServerC");
        assert_eq!(status(&mut t, server, op), 425, "{server}");
    }
    let op = Op::replace("./NodeA/Node1?prop=ACL").with_text("Get=*&Replace=ServerC");
    assert_eq!(status(&mut t, "ServerC", op), 200);
    // the take-over's second step: now ServerC may replace the value
    assert_eq!(
        status(
            &mut t,
            "ServerC",
            Op::replace("./NodeA/Node1").with_text("x")
        ),
        200
    );
}

#[test]
fn node_b_and_node_3() {
    let mut t = example();
    assert_eq!(status(&mut t, "ServerA", Op::get("./NodeB")), 200);
    assert_eq!(status(&mut t, "ServerB", Op::get("./NodeB")), 425);
    assert_eq!(status(&mut t, "ServerB", Op::get("./NodeB/Node3")), 200);
    assert_eq!(status(&mut t, "ServerA", Op::get("./NodeB/Node3")), 425);
    // Node3 is interior: Replace on itself (ServerB) or on its parent (ServerA) suffices
    let tree = &t;
    let target = Target::parse("./NodeB/Node3?prop=ACL", &UriLimits::UNLIMITED).unwrap();
    for (server, may) in [("ServerA", true), ("ServerB", true), ("ServerC", false)] {
        assert_eq!(
            tree.acl_permits(server, AclCommand::Replace, &target),
            Ok(may),
            "{server}"
        );
    }
}

#[test]
fn node_4_inherits_node_3_whole_acl() {
    let mut t = example();
    // Get of its ACL returns the empty own ACL, not the inherited one
    let out = t.execute("ServerB", &Op::get("./NodeB/Node3/Node4?prop=ACL"));
    assert_eq!(out.status, Status::OK);
    assert_eq!(out.results[0].data.as_deref(), Some(&b""[..]));
    assert_eq!(
        status(&mut t, "ServerB", Op::get("./NodeB/Node3/Node4")),
        200
    );
    assert_eq!(
        status(
            &mut t,
            "ServerB",
            Op::replace("./NodeB/Node3/Node4").with_text("y")
        ),
        200
    );
    assert_eq!(
        status(&mut t, "ServerA", Op::get("./NodeB/Node3/Node4")),
        425
    );
    assert_eq!(
        status(&mut t, "ServerC", Op::get("./NodeB/Node3/Node4")),
        425
    );
    assert_eq!(
        status(&mut t, "ServerA", Op::delete("./NodeB/Node3/Node4")),
        425
    );
    assert_eq!(
        status(&mut t, "ServerB", Op::delete("./NodeB/Node3/Node4")),
        200
    );
}

#[test]
fn node_5_replace_by_server_a_and_leaf_acl_rule() {
    let mut t = example();
    assert_eq!(
        status(
            &mut t,
            "ServerA",
            Op::replace("./NodeB/Node3/Node5").with_text("z")
        ),
        200
    );
    assert_eq!(
        status(&mut t, "ServerA", Op::get("./NodeB/Node3/Node5")),
        200
    );
    assert_eq!(
        status(&mut t, "ServerB", Op::get("./NodeB/Node3/Node5")),
        200
    );
    // whole-ACL inheritance: Node5's own ACL has no Delete, so Node3's Delete=ServerB does
    // not apply
    assert_eq!(
        status(&mut t, "ServerB", Op::delete("./NodeB/Node3/Node5")),
        425
    );
    assert_eq!(
        status(
            &mut t,
            "ServerB",
            Op::replace("./NodeB/Node3/Node5").with_text("z")
        ),
        425
    );
    // leaf: its own Replace right (ServerA) does not cover its ACL; the parent's does
    let acl = "Get=*&Replace=ServerA";
    let op = Op::replace("./NodeB/Node3/Node5?prop=ACL").with_text(acl);
    assert_eq!(status(&mut t, "ServerA", op), 425);
    assert_eq!(status(&mut t, "ServerB", op), 200);
    let out = t.execute("ServerC", &Op::get("./NodeB/Node3/Node5?prop=ACL"));
    assert_eq!(out.results[0].data.as_deref(), Some(acl.as_bytes()));
}

#[test]
fn acl_permits_matches_execute_for_every_node_and_command() {
    let mut t = example();
    let nodes = [
        "./NodeA",
        "./NodeA/Node1",
        "./NodeB",
        "./NodeB/Node3",
        "./NodeB/Node3/Node4",
        "./NodeB/Node3/Node5",
    ];
    for server in ["ServerA", "ServerB", "ServerC"] {
        for uri in nodes {
            let target = Target::parse(uri, &UriLimits::UNLIMITED).unwrap();
            let may_get = t.acl_permits(server, AclCommand::Get, &target).unwrap();
            let got = t.execute(server, &Op::get(uri)).status;
            assert_eq!(may_get, got == Status::OK, "{server} Get {uri}");
        }
    }
}

#[test]
fn removing_a_server_scrubs_every_acl() {
    let mut t = example();
    t.remove_server("ServerB");
    let get_acl = |t: &mut Tree, uri: &str| {
        let target = format!("{uri}?prop=ACL");
        let out = t.execute_local(&Op::get(&target));
        String::from_utf8(out.results[0].data.clone().unwrap()).unwrap()
    };
    assert_eq!(get_acl(&mut t, "./NodeB/Node3"), "");
    assert_eq!(
        get_acl(&mut t, "./NodeB/Node3/Node5"),
        "Get=ServerA&Replace=ServerA"
    );
    assert_eq!(get_acl(&mut t, "./NodeB"), "Get=ServerA&Replace=ServerA");
    // Node3 now inherits NodeB's ACL
    assert_eq!(
        status(&mut t, "ServerA", Op::get("./NodeB/Node3/Node4")),
        200
    );
    assert_eq!(
        status(&mut t, "ServerB", Op::get("./NodeB/Node3/Node4")),
        425
    );
}
