#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Hostile and broken input, and what libdmclient gets wrong: mutated and truncated packages
//! apply nothing, an Item without Target is refused, MaxMsgSize is respected both ways.
//! Also sessions serialised and resumed mid-package, and interrupted large objects.

mod common;

use std::path::PathBuf;

use common::*;
use dm_session::{
    ClientEngine, ClientEvent, Cmd, ItemKind, MetaInfo, NoUi, OutItem, Payload, ServerEngine,
    ServerEvent, SessionError, WireEncoding,
};
use dm_tree::Tree;
use syncml_codec::{Command, Data, Encoding, Item, Message, Meta};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn tree_json(t: &Tree) -> String {
    serde_json::to_string(t).unwrap()
}

/// A client in session `session` that has sent package 1, and a server package for it with
/// commands that would change the tree.
fn client_and_package(enc: WireEncoding) -> (ClientEngine, Tree, Vec<u8>) {
    let (mut c, mut s) = engines(enc);
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    s.queue(Cmd::replace("./App/Name", "changed"));
    s.queue(Cmd::add("./App/New", "chr", Some("v".into())));
    s.queue(Cmd::atomic(vec![
        Cmd::replace("./App/Level", "8"),
        Cmd::add("./App/A2", "chr", Some("w".into())),
    ]));
    s.queue(Cmd::sequence(vec![
        Cmd::delete("./App/Blob"),
        Cmd::get("./App"),
    ]));
    s.queue(Cmd::exec("./App/Name", None));
    let r = s.poll_transmit().unwrap().unwrap();
    (c, tree, r.body)
}

/// Feeds `bytes` to a copy of the client; on error, neither the tree nor the engine changed.
fn feed_checked(c: &ClientEngine, tree: &Tree, bytes: &[u8]) -> Result<(), SessionError> {
    let before_tree = tree_json(tree);
    let before_engine = serde_json::to_string(c).unwrap();
    let mut c2 = c.clone();
    let mut t2: Tree = serde_json::from_str(&before_tree).unwrap();
    let r = c2.handle_incoming(&mut t2, &mut NoUi, bytes, None);
    if r.is_err() {
        assert_eq!(tree_json(&t2), before_tree, "tree changed on error");
        assert_eq!(
            serde_json::to_string(&c2).unwrap(),
            before_engine,
            "state changed on error"
        );
    }
    r
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut m = input.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
        }
        1 => m.truncate(rng.below(m.len())),
        2 => {
            let i = rng.below(m.len());
            m.insert(i, b"<>&/\x00\x01\x03\xC3"[rng.below(8)]);
        }
        _ => {
            let a = rng.below(m.len());
            let b = (a + rng.below(64)).min(m.len());
            m.drain(a..b);
        }
    }
    m
}

#[test]
fn mutated_packages_never_panic_and_apply_nothing_on_error() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c, tree, pkg) = client_and_package(enc);
        assert!(feed_checked(&c, &tree, &pkg).is_ok());
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut errors = 0;
        for _ in 0..1500 {
            let m = mutate(&mut rng, &pkg);
            if feed_checked(&c, &tree, &m).is_err() {
                errors += 1;
            }
        }
        assert!(errors > 500, "{enc:?}: only {errors} mutations refused");
    }
}

#[test]
fn every_truncation_applies_nothing() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c, tree, pkg) = client_and_package(enc);
        for n in 0..pkg.len() {
            assert!(
                feed_checked(&c, &tree, &pkg[..n]).is_err(),
                "{enc:?} prefix {n}"
            );
        }
    }
}

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    dir.join("corpus/dm12").is_dir().then_some(dir)
}

#[test]
fn corpus_server_packages_mutated() {
    let Some(dir) = shared_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let mut rng = Rng(42);
    for name in [
        "03-pkg2-server-mgmt-commands",
        "07-pkg4-server-ui-alerts",
        "09-pkg4-server-lo-chunk1-first",
        "13-pkg4-server-exec-scomo-install",
    ] {
        for ext in ["xml", "wbxml"] {
            let bytes = std::fs::read(dir.join(format!("corpus/dm12/{name}.{ext}"))).unwrap();
            let (mut c, _) = engines(WireEncoding::Xml);
            let mut tree = device_tree();
            c.start(&mut tree, "1A2B");
            c.poll_transmit().unwrap();
            // The real package is accepted as a whole.
            feed_checked(&c, &tree, &bytes).unwrap();
            for _ in 0..300 {
                let m = mutate(&mut rng, &bytes);
                let _ = feed_checked(&c, &tree, &m);
            }
            for n in (0..bytes.len()).step_by(7) {
                assert!(
                    feed_checked(&c, &tree, &bytes[..n]).is_err(),
                    "{name}.{ext} prefix {n}"
                );
            }
        }
    }
}

#[test]
fn corpus_package_2_runs_against_the_client() {
    let Some(dir) = shared_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let bytes = std::fs::read(dir.join("corpus/dm12/03-pkg2-server-mgmt-commands.xml")).unwrap();
    let (mut c, _) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    c.poll_transmit().unwrap();
    c.handle_incoming(&mut tree, &mut NoUi, &bytes, None)
        .unwrap();
    let reply = c.poll_transmit().unwrap().unwrap();
    let m = syncml_codec::decode(&reply.body).unwrap();
    let orig = syncml_codec::decode(&bytes).unwrap();
    // One Status per command of 03 (nested ones included) plus the SyncHdr's, each matched
    // by MsgRef/CmdRef.
    let answered: Vec<(String, String)> = m
        .all_commands()
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) => Some((s.msg_ref.to_string(), s.cmd_ref.to_string())),
            _ => None,
        })
        .collect();
    let mut expected = vec![("1".to_string(), "0".to_string())];
    for c in orig.all_commands() {
        if !matches!(c, Command::Status(_)) {
            expected.push(("1".into(), c.cmd_id().to_owned()));
        }
    }
    assert_eq!(answered, expected);
}

#[test]
fn item_without_target_is_refused_whole() {
    for body in [
        // A good Add before a Replace whose Item has no Target: neither runs.
        r#"<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>1</MsgID><Target><LocURI>IMEI:353918050231873</LocURI></Target><Source><LocURI>https://dm.example.com/oma-dm</LocURI></Source></SyncHdr><SyncBody><Add><CmdID>1</CmdID><Item><Target><LocURI>./App/X</LocURI></Target><Data>1</Data></Item></Add><Replace><CmdID>2</CmdID><Item><Data>boom</Data></Item></Replace><Final/></SyncBody></SyncML>"#,
        r#"<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>1</MsgID><Target><LocURI>IMEI:353918050231873</LocURI></Target><Source><LocURI>https://dm.example.com/oma-dm</LocURI></Source></SyncHdr><SyncBody><Add><CmdID>1</CmdID><Item><Target><LocURI>./App/X</LocURI></Target><Data>1</Data></Item></Add><Atomic><CmdID>2</CmdID><Delete><CmdID>3</CmdID><Item><Target><LocURI></LocURI></Target></Item></Delete></Atomic><Final/></SyncBody></SyncML>"#,
        r#"<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>1</MsgID><Target><LocURI>IMEI:353918050231873</LocURI></Target><Source><LocURI>https://dm.example.com/oma-dm</LocURI></Source></SyncHdr><SyncBody><Add><CmdID>1</CmdID><Item><Target><LocURI>./App/X</LocURI></Target><Data>1</Data></Item></Add><Exec><CmdID>2</CmdID><Item><Source><LocURI>./App</LocURI></Source></Item></Exec><Final/></SyncBody></SyncML>"#,
    ] {
        let (mut c, _) = engines(WireEncoding::Xml);
        let mut tree = device_tree();
        c.start(&mut tree, "1A2B");
        c.poll_transmit().unwrap();
        let r = feed_checked(&c, &tree, body.as_bytes());
        assert!(
            matches!(r, Err(SessionError::Invalid { ref cmd_id, .. }) if cmd_id != "1"),
            "{r:?}"
        );
        assert_eq!(value(&mut tree, "./App/X"), None);
    }
}

#[test]
fn our_max_msg_size_is_enforced_on_input() {
    let (c0, s0) = engines(WireEncoding::Xml);
    let mut cc = c0.config().clone();
    cc.max_msg_size = 1500;
    let mut c = ClientEngine::new(cc, b"c");
    let mut s = s0;
    let mut tree = device_tree();
    c.start(&mut tree, "M");
    let t = c.poll_transmit().unwrap().unwrap();
    // The client announced its MaxMsgSize in package 1.
    let m = syncml_codec::decode(&t.body).unwrap();
    assert_eq!(m.header.meta.unwrap().max_msg_size, Some(1500));
    s.handle_incoming(&t.body, None).unwrap();
    // A peer that ignores it (here: a message built by hand) is refused as a whole.
    let mut b = Message::server("M", "1", SERVER_URI, DEVICE);
    for i in 0..30 {
        b = b.command(Command::replace(
            "",
            Item::target(format!("./App/N{i}")).with_data(Data::text("x")),
        ));
    }
    let big = b.final_flag(true).build().to_bytes(Encoding::Xml).unwrap();
    assert!(big.len() > 1500);
    let r = feed_checked(&c, &tree, &big);
    assert!(matches!(r, Err(SessionError::Decode(_))), "{r:?}");
    // Our server engine respects it: every message fits.
    s.queue(Cmd::Item {
        kind: ItemKind::Replace,
        meta: None,
        correlator: None,
        items: (0..30)
            .map(|i| OutItem::target("./App/Name").with_text(format!("{i}")))
            .collect(),
    });
    let r = s.poll_transmit().unwrap().unwrap();
    assert!(r.body.len() <= 1500);
}

#[test]
fn limits_on_command_count_and_nesting() {
    let (c0, _) = engines(WireEncoding::Xml);
    let mut cc = c0.config().clone();
    cc.limits.max_commands = 5;
    let mut c = ClientEngine::new(cc, b"c");
    let mut tree = device_tree();
    c.start(&mut tree, "L");
    c.poll_transmit().unwrap();
    let mut b = Message::server("L", "1", SERVER_URI, DEVICE);
    for i in 0..6 {
        b = b.command(Command::replace(
            "",
            Item::target(format!("./App/N{i}")).with_data(Data::text("x")),
        ));
    }
    let msg = b
        .final_flag(true)
        .build()
        .to_bytes(Encoding::Wbxml)
        .unwrap();
    assert!(matches!(
        feed_checked(&c, &tree, &msg),
        Err(SessionError::Decode(_))
    ));
}

/// Replies not yet sent (Statuses, Results of a Get on an interior node, an Atomic's glued
/// responses) survive serialisation: the resumed client sends the very same message.
#[test]
fn pending_replies_serialise_to_the_same_message() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut tree, body) = client_and_package(enc);
        c.handle_incoming(&mut tree, &mut NoUi, &body, None)
            .unwrap();
        let mut resumed: ClientEngine =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        let sent = c.poll_transmit().unwrap().unwrap();
        assert_eq!(resumed.poll_transmit().unwrap().unwrap(), sent, "{enc:?}");
        let m = syncml_codec::decode(&sent.body).unwrap();
        let cmds = &m.body.commands;
        assert!(cmds.iter().any(|c| matches!(c, Command::Results(_))));
        assert_eq!(
            cmds.iter()
                .filter(|c| matches!(c, Command::Status(_)))
                .count(),
            10,
            "{enc:?}"
        );
    }
}

/// Serialises both engines and the tree after every step and resumes from the copies.
#[test]
fn session_serialised_and_resumed_mid_package() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c0, s0) = engines(enc);
        let mut cc = c0.config().clone();
        cc.max_msg_size = 1200;
        let mut sc = s0.config().clone();
        sc.max_msg_size = 1200;
        let mut c = ClientEngine::new(cc, b"c");
        let mut s = ServerEngine::new(sc, b"s");
        let mut tree = device_tree();
        let big: String = "0123456789".repeat(500);
        let mut packages = vec![
            (0..20)
                .map(|i| Cmd::add(format!("./App/K{i}"), "chr", Some(format!("v{i}"))))
                .collect::<Vec<_>>(),
            vec![
                Cmd::replace("./App/Blob", big.clone()),
                Cmd::get("./App/Blob"),
            ],
        ];
        packages.reverse();
        c.start(&mut tree, "S");
        let mut events = Vec::new();
        let mut t = c.poll_transmit().unwrap().unwrap();
        let mut mid_package_resumes = 0;
        for _ in 0..1000 {
            s = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            s.handle_incoming(&t.body, None).unwrap();
            events.extend(std::iter::from_fn(|| s.poll_event()));
            if !s.has_queued() {
                if let Some(p) = packages.pop() {
                    for cmd in p {
                        s.queue(cmd);
                    }
                }
            }
            let state = serde_json::to_string(&s).unwrap();
            s = serde_json::from_str(&state).unwrap();
            let Some(r) = s.poll_transmit().unwrap() else {
                break;
            };
            if !r.final_flag {
                mid_package_resumes += 1;
            }
            c = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            tree = serde_json::from_str(&tree_json(&tree)).unwrap();
            c.handle_incoming(&mut tree, &mut NoUi, &r.body, None)
                .unwrap();
            c = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            match c.poll_transmit().unwrap() {
                Some(x) => t = x,
                None => break,
            }
        }
        events.extend(std::iter::from_fn(|| s.poll_event()));
        assert!(mid_package_resumes > 3);
        let st = statuses(&events);
        assert_eq!(st.len(), 22, "{enc:?}");
        assert!(st.iter().all(|(_, c)| *c == 200));
        assert!(s.is_finished());
        assert!(value(&mut tree, "./App/Blob").as_deref() == Some(big.as_str()));
        let got = events.iter().find_map(|e| match e {
            ServerEvent::Results { items, .. } => items[0].data.clone(),
            _ => None,
        });
        assert!(got == Some(Payload::Text(big.clone())));
    }
}

fn chunk_msg(msg_id: &str, data: &str, size: Option<u64>, more: bool, final_flag: bool) -> Vec<u8> {
    let mut item = Item::target("./App/Blob").with_data(Data::text(data.to_owned()));
    item.meta = size.map(|s| {
        Box::new(Meta {
            size: Some(s),
            ..Meta::default()
        })
    });
    item.more_data = more;
    Message::server("LO", msg_id.to_owned(), SERVER_URI, DEVICE)
        .command(Command::Replace(syncml_codec::ItemCommand::new("", item)))
        .final_flag(final_flag)
        .build()
        .to_bytes(Encoding::Xml)
        .unwrap()
}

fn started_client() -> (ClientEngine, Tree) {
    let (mut c, _) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "LO");
    c.poll_transmit().unwrap();
    (c, tree)
}

fn status_codes(t: &dm_session::Transmit) -> Vec<(String, u16)> {
    syncml_codec::decode(&t.body)
        .unwrap()
        .body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) if s.cmd_ref != "0" => Some((s.cmd.to_string(), s.code.code())),
            _ => None,
        })
        .collect()
}

#[test]
fn interrupted_large_object_gets_1225_and_is_not_committed() {
    let (mut c, mut tree) = started_client();
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("1", "AAAA", Some(12), true, false),
        None,
    )
    .unwrap();
    let t = c.poll_transmit().unwrap().unwrap();
    assert_eq!(status_codes(&t), vec![("Replace".to_string(), 213)]);
    // A new command instead of the next chunk.
    let get = Message::server("LO", "2", SERVER_URI, DEVICE)
        .command(Command::get("", "./App/Name"))
        .final_flag(true)
        .build()
        .to_bytes(Encoding::Xml)
        .unwrap();
    c.handle_incoming(&mut tree, &mut NoUi, &get, None).unwrap();
    let t = c.poll_transmit().unwrap().unwrap();
    let m = syncml_codec::decode(&t.body).unwrap();
    let alert = m
        .body
        .commands
        .iter()
        .find_map(|c| match c {
            Command::Alert(a) if a.code.code() == 1225 => Some(a.clone()),
            _ => None,
        })
        .expect("1225");
    assert_eq!(
        alert.items[0].target.as_ref().unwrap().loc_uri,
        "./App/Blob"
    );
    assert_eq!(value(&mut tree, "./App/Blob").as_deref(), Some(""));
    assert!(std::iter::from_fn(|| c.poll_event()).any(|e| e
        == ClientEvent::LargeObjectInterrupted {
            uri: "./App/Blob".into()
        }));
}

#[test]
fn server_stops_sending_chunks_on_1225() {
    let (c0, s0) = engines(WireEncoding::Xml);
    let mut sc = s0.config().clone();
    sc.max_msg_size = 100_000;
    let mut cc = c0.config().clone();
    cc.max_msg_size = 1000;
    let mut c = ClientEngine::new(cc, b"c");
    let mut s = ServerEngine::new(sc, b"s");
    let mut tree = device_tree();
    c.start(&mut tree, "LO");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    s.queue(Cmd::replace("./App/Blob", "z".repeat(5000)));
    let r = s.poll_transmit().unwrap().unwrap();
    assert!(!r.final_flag);
    // The device answers with 1225 (as if it had seen another command).
    let reply = Message::client("LO", "2", DEVICE, SERVER_URI)
        .command(Command::alert(
            "",
            syncml_codec::AlertCode::NoEndOfData,
            vec![Item::target("./App/Blob")],
        ))
        .final_flag(true)
        .build()
        .to_bytes(Encoding::Xml)
        .unwrap();
    s.handle_incoming(&reply, None).unwrap();
    assert!(std::iter::from_fn(|| s.poll_event()).any(|e| e == ServerEvent::LargeObjectInterrupted));
    assert!(!s.has_queued());
    let r = s.poll_transmit().unwrap().unwrap();
    assert!(r.final_flag);
    assert!(!String::from_utf8(r.body).unwrap().contains("zzzz"));
}

#[test]
fn size_mismatch_gets_424_and_too_large_gets_413() {
    let (mut c, mut tree) = started_client();
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("1", "AAAA", Some(12), true, false),
        None,
    )
    .unwrap();
    c.poll_transmit().unwrap();
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("2", "BB", None, false, true),
        None,
    )
    .unwrap();
    let t = c.poll_transmit().unwrap().unwrap();
    assert_eq!(status_codes(&t), vec![("Replace".to_string(), 424)]);
    assert_eq!(value(&mut tree, "./App/Blob").as_deref(), Some(""));

    let (mut c, mut tree) = started_client();
    let size = c.config().max_obj_size + 1;
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("1", "AAAA", Some(size), true, false),
        None,
    )
    .unwrap();
    let t = c.poll_transmit().unwrap().unwrap();
    assert_eq!(status_codes(&t), vec![("Replace".to_string(), 413)]);

    // Chunks that add up commit the whole object.
    let (mut c, mut tree) = started_client();
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("1", "AAAA", Some(6), true, false),
        None,
    )
    .unwrap();
    c.poll_transmit().unwrap();
    c.handle_incoming(
        &mut tree,
        &mut NoUi,
        &chunk_msg("2", "BB", None, false, true),
        None,
    )
    .unwrap();
    let t = c.poll_transmit().unwrap().unwrap();
    assert_eq!(status_codes(&t), vec![("Replace".to_string(), 200)]);
    assert_eq!(value(&mut tree, "./App/Blob").as_deref(), Some("AAAABB"));
}

#[test]
fn server_abort_ends_the_session_without_reply() {
    let (mut c, mut tree) = started_client();
    let abort = Message::server("LO", "1", SERVER_URI, DEVICE)
        .command(Command::alert(
            "",
            syncml_codec::AlertCode::SessionAbort,
            Vec::new(),
        ))
        .final_flag(true)
        .build()
        .to_bytes(Encoding::Wbxml)
        .unwrap();
    c.handle_incoming(&mut tree, &mut NoUi, &abort, None)
        .unwrap();
    assert_eq!(c.poll_transmit().unwrap(), None);
    assert!(!c.is_active());
    assert!(std::iter::from_fn(|| c.poll_event()).any(|e| e == ClientEvent::Aborted));
}

#[test]
fn wrong_session_and_not_running_are_refused() {
    let (mut c, mut tree) = started_client();
    let other = Message::server("OTHER", "1", SERVER_URI, DEVICE)
        .command(Command::get("", "./App/Name"))
        .final_flag(true)
        .build()
        .to_bytes(Encoding::Xml)
        .unwrap();
    assert!(matches!(
        c.handle_incoming(&mut tree, &mut NoUi, &other, None),
        Err(SessionError::WrongSession { .. })
    ));
    let (mut idle, _) = engines(WireEncoding::Xml);
    assert_eq!(
        idle.handle_incoming(&mut tree, &mut NoUi, &other, None),
        Err(SessionError::NotRunning)
    );
    let _ = MetaInfo::default();
}
