//! `dm-session`: a whole 5-package session in memory (sessions per second, XML and WBXML),
//! and the client step alone (decode one server package, run it on the tree, encode the
//! reply) for three canned server packages: 1 Get; 20 mixed commands (Get, Replace, Add,
//! Exec, Get on an interior node); 500 Replace.
//!
//! Reference (libdmclient driven in memory on a 2-core machine): 1 Get 18 µs XML / 7 µs
//! WBXML; 20 commands 99 / 51 µs; 500 Replace 2.1 / 0.9 ms.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use dm_session::{ClientConfig, ClientEngine, Cmd, NoUi, ServerConfig, ServerEngine, WireEncoding};
use dm_tree::{Format, Op, Snapshot, Tree};

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

fn engines(enc: WireEncoding) -> (ClientEngine, ServerEngine) {
    let mut cc = ClientConfig::new(DEVICE, SERVER, URI);
    cc.encoding = enc;
    cc.max_msg_size = 1024 * 1024;
    let mut sc = ServerConfig::new(SERVER, URI);
    sc.encoding = enc;
    sc.max_msg_size = 1024 * 1024;
    (ClientEngine::new(cc, b"c"), ServerEngine::new(sc, b"s"))
}

fn one_get() -> Vec<Cmd> {
    vec![Cmd::get("./App/N1")]
}

fn mixed_20() -> Vec<Cmd> {
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

fn replace_500() -> Vec<Cmd> {
    (0..500)
        .map(|i| Cmd::replace(format!("./App/N{i}"), format!("replaced value {i}")))
        .collect()
}

/// A client that has sent package 1, and the server's package 2 carrying `cmds`.
fn canned(enc: WireEncoding, cmds: Vec<Cmd>) -> (ClientEngine, Snapshot, Vec<u8>) {
    let (mut c, mut s) = engines(enc);
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    for cmd in cmds {
        s.queue(cmd);
    }
    let r = s.poll_transmit().unwrap().unwrap();
    assert!(r.final_flag);
    (c, tree.snapshot(), r.body)
}

fn tree_from(snap: &Snapshot) -> Tree {
    let mut t = Tree::new();
    t.restore(snap.clone());
    t
}

/// One whole session: pkg 1, pkg 2 (4 commands), pkg 3, pkg 4 (4 commands), pkg 5, and the
/// server's closing message.
fn full_session(enc: WireEncoding, tree: &mut Tree) -> usize {
    let (mut c, mut s) = engines(enc);
    let mut packages = vec![
        vec![
            Cmd::replace("./App/N3", "x"),
            Cmd::add("./App/Fresh", "chr", Some("y".into())),
            Cmd::delete("./App/Fresh"),
            Cmd::get("./App/Sub"),
        ],
        vec![
            Cmd::get("./App/N1"),
            Cmd::get("./App/N2"),
            Cmd::replace("./App/N4", "z"),
            Cmd::get("./DevInfo/Mod"),
        ],
    ];
    c.start(tree, "1A2B");
    let mut t = c.poll_transmit().unwrap().unwrap();
    let mut messages = 1;
    loop {
        s.handle_incoming(&t.body, None).unwrap();
        while s.poll_event().is_some() {}
        if let Some(p) = packages.pop() {
            for cmd in p {
                s.queue(cmd);
            }
        }
        let Some(r) = s.poll_transmit().unwrap() else {
            break;
        };
        messages += 1;
        c.handle_incoming(tree, &mut NoUi, &r.body, None).unwrap();
        match c.poll_transmit().unwrap() {
            Some(x) => {
                messages += 1;
                t = x;
            }
            None => break,
        }
    }
    messages
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("session/full-5-packages");
    g.throughput(Throughput::Elements(1));
    for (name, enc) in [("XML", WireEncoding::Xml), ("WBXML", WireEncoding::Wbxml)] {
        let mut tree = device_tree();
        assert_eq!(full_session(enc, &mut tree), 6);
        g.bench_function(name, |b| b.iter(|| full_session(enc, black_box(&mut tree))));
    }
    g.finish();

    for (pkg, cmds) in [
        ("1-get", one_get as fn() -> Vec<Cmd>),
        ("20-mixed", mixed_20),
        ("500-replace", replace_500),
    ] {
        let mut g = c.benchmark_group(format!("session/client-step/{pkg}"));
        for (name, enc) in [("XML", WireEncoding::Xml), ("WBXML", WireEncoding::Wbxml)] {
            let (client, snap, body) = canned(enc, cmds());
            eprintln!(
                "session/client-step/{pkg}/{name}: server package {} bytes",
                body.len()
            );
            g.bench_function(name, |b| {
                b.iter_batched(
                    || (client.clone(), tree_from(&snap)),
                    |(mut cl, mut tree)| {
                        cl.handle_incoming(&mut tree, &mut NoUi, black_box(&body), None)
                            .unwrap();
                        let out = cl.poll_transmit().unwrap().unwrap();
                        (out.body.len(), cl, tree)
                    },
                    BatchSize::SmallInput,
                )
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
