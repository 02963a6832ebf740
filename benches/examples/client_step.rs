//! The client step of `benches/session.rs` in a plain loop, for profilers (callgrind):
//! `client_step <1-get|20-mixed|500-replace> <xml|wbxml> [iterations]`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use dm_session::{ClientConfig, ClientEngine, Cmd, NoUi, ServerConfig, ServerEngine, WireEncoding};
use dm_tree::{Format, Op, Tree};

const DEVICE: &str = "IMEI:353918050231873";
const SERVER: &str = "ExampleDM";
const URI: &str = "https://dm.example.com/oma-dm";

fn device_tree() -> Tree {
    let mut t = Tree::new();
    let mut add = |uri: &str, f: Format, v: Option<&str>| {
        let mut op = Op::add(uri).with_format(f);
        if let Some(v) = v {
            op = op.with_text(v);
        }
        assert!(t.execute_local(&op).status.is_success(), "{uri}");
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

fn cmds(pkg: &str) -> Vec<Cmd> {
    match pkg {
        "1-get" => vec![Cmd::get("./App/N1")],
        "20-mixed" => {
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
        "500-replace" => (0..500)
            .map(|i| Cmd::replace(format!("./App/N{i}"), format!("replaced value {i}")))
            .collect(),
        other => panic!("unknown package {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pkg = args.get(1).map_or("1-get", String::as_str);
    let enc = match args.get(2).map_or("xml", String::as_str) {
        "wbxml" => WireEncoding::Wbxml,
        _ => WireEncoding::Xml,
    };
    let n: usize = args.get(3).map_or(1000, |s| s.parse().unwrap());
    let mut cc = ClientConfig::new(DEVICE, SERVER, URI);
    cc.encoding = enc;
    cc.max_msg_size = 1024 * 1024;
    let mut sc = ServerConfig::new(SERVER, URI);
    sc.encoding = enc;
    sc.max_msg_size = 1024 * 1024;
    let mut client = ClientEngine::new(cc, b"c");
    let mut server = ServerEngine::new(sc, b"s");
    let mut tree = device_tree();
    client.start(&mut tree, "1A2B");
    let t = client.poll_transmit().unwrap().unwrap();
    server.handle_incoming(&t.body, None).unwrap();
    for c in cmds(pkg) {
        server.queue(c);
    }
    let body = server.poll_transmit().unwrap().unwrap().body;
    let snap = tree.snapshot();
    // Untimed copies made up front so that the profile shows the step alone.
    let mut work: Vec<(ClientEngine, Tree)> = (0..n)
        .map(|_| {
            let mut t = Tree::new();
            t.restore(snap.clone());
            (client.clone(), t)
        })
        .collect();
    let mut total = 0usize;
    for (cl, tr) in &mut work {
        step(cl, tr, &body, &mut total);
    }
    println!("{pkg} {enc:?} x{n}: {total} bytes out");
}

#[inline(never)]
fn step(cl: &mut ClientEngine, tree: &mut Tree, body: &[u8], total: &mut usize) {
    cl.handle_incoming(tree, &mut NoUi, black_box(body), None)
        .unwrap();
    let out = cl.poll_transmit().unwrap().unwrap();
    *total += out.body.len();
}
