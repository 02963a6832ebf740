//! The device tree, engines and canned server packages of the session benchmark, shared by
//! `benches/session.rs` and the `client_step` example (which profiles the same step).

use dm_session::{ClientConfig, ClientEngine, Cmd, ServerConfig, ServerEngine, WireEncoding};
use dm_tree::{Format, Op, Snapshot, Tree};

/// The device's id.
pub const DEVICE: &str = "IMEI:353918050231873";
/// The server's id.
pub const SERVER: &str = "ExampleDM";
/// The server's URL.
pub const URI: &str = "https://dm.example.com/oma-dm";

/// DevInfo, 500 leaves under `./App`, an interior `./App/Sub` of 10, and an ACL open to all.
///
/// # Panics
/// If the tree refuses one of its own additions (a bug in dm-tree).
pub fn device_tree() -> Tree {
    let mut t = Tree::new();
    let mut add = |uri: &str, f: Format, v: Option<&str>| {
        let mut op = Op::add(uri).with_format(f);
        if let Some(v) = v {
            op = op.with_text(v);
        }
        let done = t.execute_local(&op).status.is_success();
        assert!(done, "{uri}");
    };
    add("./DevInfo", Format::Node, None);
    for (leaf, v) in [
        ("DevId", DEVICE),
        ("Man", "Example"),
        ("Mod", "X1"),
        ("DmV", "1.2"),
        ("Lang", "en"),
    ] {
        add(&format!("./DevInfo/{leaf}"), Format::Chr, Some(v));
    }
    add("./App", Format::Node, None);
    for i in 0..500 {
        add(&format!("./App/N{i}"), Format::Chr, Some("initial value"));
    }
    add("./App/Sub", Format::Node, None);
    for i in 0..10 {
        add(&format!("./App/Sub/L{i}"), Format::Int, Some("1"));
    }
    let acl = Op::replace("./App?prop=ACL").with_text("Add=*&Delete=*&Exec=*&Get=*&Replace=*");
    assert!(t.execute_local(&acl).status.is_success());
    t
}

/// A client and a server speaking `enc`, with room for the 500-command package in one message.
pub fn engines(enc: WireEncoding) -> (ClientEngine, ServerEngine) {
    let mut cc = ClientConfig::new(DEVICE, SERVER, URI);
    cc.encoding = enc;
    cc.max_msg_size = 1024 * 1024;
    let mut sc = ServerConfig::new(SERVER, URI);
    sc.encoding = enc;
    sc.max_msg_size = 1024 * 1024;
    (ClientEngine::new(cc, b"c"), ServerEngine::new(sc, b"s"))
}

/// Package "1 Get".
pub fn one_get() -> Vec<Cmd> {
    vec![Cmd::get("./App/N1")]
}

/// Package "20 mixed": Get, Replace, Add, Exec and Get on an interior node, four times.
pub fn mixed_20() -> Vec<Cmd> {
    let mut v = Vec::new();
    for i in 0..4 {
        v.push(Cmd::get(format!("./App/N{i}")));
        v.push(Cmd::replace(format!("./App/N{}", 10 + i), "new value"));
        v.push(Cmd::add(
            format!("./App/New{i}"),
            "chr",
            Some("added".into()),
        ));
        v.push(Cmd::exec(format!("./App/N{}", 20 + i), None));
        v.push(Cmd::get("./App/Sub"));
    }
    v
}

/// Package "500 Replace".
pub fn replace_500() -> Vec<Cmd> {
    (0..500)
        .map(|i| Cmd::replace(format!("./App/N{i}"), format!("replaced value {i}")))
        .collect()
}

/// A client that has sent package 1, and the server's package 2 carrying `cmds`.
///
/// # Panics
/// If the engines fail on their own messages (a bug in dm-session).
#[allow(clippy::unwrap_used)]
pub fn canned(enc: WireEncoding, cmds: Vec<Cmd>) -> (ClientEngine, Snapshot, Vec<u8>) {
    let (mut c, mut s) = engines(enc);
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    // As a host does after each step: the client's events are taken, not left queued.
    while c.poll_event().is_some() {}
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    for cmd in cmds {
        s.queue(cmd);
    }
    let r = s.poll_transmit().unwrap().unwrap();
    assert!(r.final_flag);
    (c, tree.snapshot(), r.body)
}
