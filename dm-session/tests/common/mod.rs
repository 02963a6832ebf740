//! Shared helpers: a device tree, matching engines and an in-memory transport loop.
#![allow(dead_code, unreachable_pub)]

use dm_session::{
    ClientConfig, ClientEngine, Cmd, ServerConfig, ServerEngine, ServerEvent, Transmit,
    UserInteraction, WireEncoding,
};
use dm_tree::{Format, Op, Tree};

pub const DEVICE: &str = "IMEI:353918050231873";
pub const SERVER: &str = "ExampleDM";
pub const SERVER_URI: &str = "https://dm.example.com/oma-dm";

/// A device tree: DevInfo, and `./App` open to every server.
pub fn device_tree() -> Tree {
    let mut t = Tree::new();
    for (uri, fmt, val) in [
        ("./DevInfo", Format::Node, None),
        ("./DevInfo/DevId", Format::Chr, Some(DEVICE)),
        ("./DevInfo/Man", Format::Chr, Some("Example")),
        ("./DevInfo/Mod", Format::Chr, Some("X1")),
        ("./DevInfo/DmV", Format::Chr, Some("1.2")),
        ("./DevInfo/Lang", Format::Chr, Some("en-US")),
        ("./App", Format::Node, None),
        ("./App/Name", Format::Chr, Some("maps")),
        ("./App/Level", Format::Int, Some("3")),
        ("./App/Blob", Format::Chr, Some("")),
    ] {
        let mut op = Op::add(uri).with_format(fmt);
        if let Some(v) = val {
            op = op.with_text(v);
        }
        let out = t.execute_local(&op);
        assert!(out.status.is_success(), "{uri}: {:?}", out.status);
    }
    let acl = Op::replace("./App?prop=ACL").with_text("Add=*&Delete=*&Exec=*&Get=*&Replace=*");
    assert!(t.execute_local(&acl).status.is_success());
    let acl = Op::replace("./DevInfo?prop=ACL").with_text("Get=*");
    assert!(t.execute_local(&acl).status.is_success());
    t
}

pub fn engines(encoding: WireEncoding) -> (ClientEngine, ServerEngine) {
    let mut cc = ClientConfig::new(DEVICE, SERVER, SERVER_URI);
    cc.encoding = encoding;
    let mut sc = ServerConfig::new(SERVER, SERVER_URI);
    sc.encoding = encoding;
    (
        ClientEngine::new(cc, b"client-seed"),
        ServerEngine::new(sc, b"server-seed"),
    )
}

/// What one run saw.
#[derive(Default, Debug)]
pub struct Run {
    pub events: Vec<ServerEvent>,
    pub client_msgs: Vec<Transmit>,
    pub server_msgs: Vec<Transmit>,
}

/// Drives a session to its end: after each client message the server's host gets the
/// events so far and may queue commands.
pub fn drive(
    client: &mut ClientEngine,
    server: &mut ServerEngine,
    tree: &mut Tree,
    ui: &mut dyn UserInteraction,
    mut host: impl FnMut(&mut ServerEngine, &[ServerEvent]),
) -> Run {
    let mut run = Run::default();
    let mut t = client.poll_transmit().unwrap().expect("package 1");
    for _ in 0..10_000 {
        server.handle_incoming(&t.body, t.hmac.as_deref()).unwrap();
        let start = run.events.len();
        while let Some(e) = server.poll_event() {
            run.events.push(e);
        }
        host(server, &run.events[start..]);
        run.client_msgs.push(t);
        let Some(reply) = server.poll_transmit().unwrap() else {
            break;
        };
        client
            .handle_incoming(tree, ui, &reply.body, reply.hmac.as_deref())
            .unwrap();
        run.server_msgs.push(reply);
        match client.poll_transmit().unwrap() {
            Some(next) => t = next,
            None => break,
        }
    }
    while let Some(e) = server.poll_event() {
        run.events.push(e);
    }
    run
}

/// A host that queues `packages` one after the other, each once the previous one is
/// answered (the server has sent all of it and the device's package is complete).
pub fn scripted(mut packages: Vec<Vec<Cmd>>) -> impl FnMut(&mut ServerEngine, &[ServerEvent]) {
    packages.reverse();
    move |server: &mut ServerEngine, _events: &[ServerEvent]| {
        if !server.has_queued() {
            if let Some(p) = packages.pop() {
                for c in p {
                    server.queue(c);
                }
            }
        }
    }
}

pub fn statuses(events: &[ServerEvent]) -> Vec<(String, u16)> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Status { cmd, code, .. } => Some((cmd.clone(), *code)),
            _ => None,
        })
        .collect()
}

pub fn value(tree: &mut Tree, uri: &str) -> Option<String> {
    let out = tree.execute_local(&Op::get(uri));
    let d = out.results.into_iter().next()?.data?;
    Some(String::from_utf8(d).unwrap())
}
