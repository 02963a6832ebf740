#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Sequence, Atomic (517) and large objects inside multi-item commands, on real messages
//! between the in-memory client and server.

mod common;

use common::*;
use dm_session::{
    ClientEngine, Cmd, ItemKind, NoUi, OutItem, Payload, ServerEngine, ServerEvent, Transmit,
    WireEncoding,
};
use dm_tree::Op;
use syncml_codec::{Command, Message};

const BOTH: [WireEncoding; 2] = [WireEncoding::Xml, WireEncoding::Wbxml];

/// Engines whose configured MaxMsgSize are `client_max` / `server_max`.
fn sized(enc: WireEncoding, client_max: u64, server_max: u64) -> (ClientEngine, ServerEngine) {
    let (c, s) = engines(enc);
    let mut cc = c.config().clone();
    cc.max_msg_size = client_max;
    let mut sc = s.config().clone();
    sc.max_msg_size = server_max;
    (ClientEngine::new(cc, b"c"), ServerEngine::new(sc, b"s"))
}

/// One session on a fresh device tree between engines with these MaxMsgSize values, the
/// server sending `packages`; the run and the tree as the session left it.
fn session(
    enc: WireEncoding,
    client_max: u64,
    server_max: u64,
    id: &str,
    packages: Vec<Vec<Cmd>>,
) -> (Run, dm_tree::Tree) {
    let (mut c, mut s) = sized(enc, client_max, server_max);
    let mut tree = device_tree();
    c.start(&mut tree, id);
    let run = drive(&mut c, &mut s, &mut tree, &mut NoUi, scripted(packages));
    (run, tree)
}

fn decoded(t: &Transmit) -> Message<'_> {
    syncml_codec::decode(&t.body).unwrap()
}

fn big_text(n: usize) -> String {
    (0..n)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]))
        .collect()
}

#[test]
fn a_failed_member_aborts_the_rest_of_a_sequence() {
    for enc in BOTH {
        let (mut c, mut s) = engines(enc);
        let mut tree = device_tree();
        c.start(&mut tree, "SEQ");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![vec![
                Cmd::sequence(vec![
                    Cmd::replace("./App/Name", "first"),
                    Cmd::delete("./App/Missing"),
                    Cmd::replace("./App/Level", "9"),
                    Cmd::get("./App/Name"),
                ]),
                Cmd::replace("./App/Blob", "after"),
            ]]),
        );
        assert_eq!(
            statuses(&run.events),
            vec![
                ("Sequence".to_string(), 200),
                ("Replace".into(), 200),
                ("Delete".into(), 404),
                ("Replace".into(), 215),
                ("Get".into(), 215),
                ("Replace".into(), 200),
            ],
            "{enc:?}"
        );
        // The member before the failure stays done; the bypassed ones never ran.
        assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("first"));
        assert_eq!(value(&mut tree, "./App/Level").as_deref(), Some("3"));
        assert_eq!(value(&mut tree, "./App/Blob").as_deref(), Some("after"));
        assert!(!run
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Results { .. })));
    }
}

fn adds(n: usize) -> Vec<Cmd> {
    (0..n)
        .map(|i| Cmd::add(format!("./App/A{i}"), "chr", Some(format!("v{i}"))))
        .collect()
}

#[test]
fn atomic_whose_responses_cannot_fit_one_message_gets_517_and_rolls_back() {
    for (enc, server_max, n) in [
        (WireEncoding::Xml, 2000, 30),
        (WireEncoding::Wbxml, 700, 40),
    ] {
        let (run, mut tree) = session(
            enc,
            64 * 1024,
            server_max,
            "517",
            vec![
                vec![Cmd::atomic(adds(n))],
                vec![Cmd::replace("./App/Name", "still running")],
            ],
        );
        assert_eq!(
            statuses(&run.events),
            vec![("Atomic".to_string(), 517), ("Replace".into(), 200)],
            "{enc:?}"
        );
        assert_eq!(value(&mut tree, "./App/A0"), None);
        assert_eq!(
            value(&mut tree, "./App/Name").as_deref(),
            Some("still running")
        );
        for m in &run.client_msgs {
            assert!(m.body.len() <= server_max as usize);
        }
        // The same Atomic under a MaxMsgSize its responses fit in commits.
        let (run, mut tree) = session(
            enc,
            64 * 1024,
            64 * 1024,
            "517b",
            vec![vec![Cmd::atomic(adds(n))]],
        );
        let st = statuses(&run.events);
        assert_eq!(st.len(), n + 1);
        assert!(st.iter().all(|(_, code)| *code == 200), "{st:?}");
        assert_eq!(value(&mut tree, "./App/A0").as_deref(), Some("v0"));
    }
}

#[test]
fn responses_of_an_atomic_are_never_split_across_messages() {
    for (enc, server_max) in [(WireEncoding::Xml, 2500), (WireEncoding::Wbxml, 900)] {
        let (mut c, mut s) = sized(enc, 64 * 1024, server_max);
        let mut tree = device_tree();
        let mut pkg: Vec<Cmd> = (0..7)
            .map(|i| Cmd::replace("./App/Name", format!("n{i}")))
            .collect();
        pkg.push(Cmd::atomic(adds(8)));
        pkg.extend((0..20).map(|i| Cmd::replace("./App/Level", i.to_string())));
        c.start(&mut tree, "GLUE");
        let run = drive(&mut c, &mut s, &mut tree, &mut NoUi, scripted(vec![pkg]));
        let st = statuses(&run.events);
        assert_eq!(st.len(), 7 + 9 + 20);
        assert!(st.iter().all(|(_, code)| *code == 200), "{st:?}");
        // The CmdIDs of the Atomic and its members, from the server's package.
        let mut atomic_ids = Vec::new();
        for m in &run.server_msgs {
            for cmd in &decoded(m).body.commands {
                if let Command::Atomic(a) = cmd {
                    atomic_ids.push(a.cmd_id.to_string());
                    atomic_ids.extend(a.commands.iter().map(|x| x.cmd_id().to_string()));
                }
            }
        }
        assert_eq!(atomic_ids.len(), 9);
        let mut per_msg = Vec::new();
        for m in &run.client_msgs {
            assert!(m.body.len() <= server_max as usize);
            let n = decoded(m)
                .body
                .commands
                .iter()
                .filter(|cmd| {
                    matches!(cmd, Command::Status(s) if atomic_ids.contains(&s.cmd_ref.to_string()))
                })
                .count();
            if n > 0 {
                per_msg.push(n);
            }
        }
        assert_eq!(per_msg, vec![9], "{enc:?}");
        assert!(run.client_msgs.len() >= 3, "{enc:?}: the package was split");
    }
}

/// The Replace/Add pieces the server sent: `(targets, last item has MoreData, its Size)`.
fn pieces(run: &Run, name: &str) -> Vec<(Vec<String>, bool, Option<u64>)> {
    let mut out = Vec::new();
    for m in &run.server_msgs {
        for cmd in &decoded(m).body.commands {
            if cmd.name() != name {
                continue;
            }
            let items = cmd.items();
            let last = items.last().unwrap();
            out.push((
                items
                    .iter()
                    .map(|i| i.target.as_ref().unwrap().loc_uri.to_string())
                    .collect(),
                last.more_data,
                last.meta.as_ref().and_then(|m| m.size),
            ));
        }
    }
    out
}

fn multi_replace(items: &[(&str, &str)]) -> Cmd {
    Cmd::Item {
        kind: ItemKind::Replace,
        meta: None,
        correlator: None,
        items: items
            .iter()
            .map(|(u, v)| OutItem::target(*u).with_data(Payload::Text((*v).to_owned())))
            .collect(),
    }
}

#[test]
fn server_replace_with_several_items_and_one_large_object() {
    let big = big_text(20_000);
    for (enc, max) in [(WireEncoding::Xml, 4096u64), (WireEncoding::Wbxml, 2048)] {
        let cmd = multi_replace(&[
            ("./App/Name", "alpha"),
            ("./App/Blob", &big),
            ("./App/Level", "7"),
        ]);
        let (run, mut tree) = session(enc, max, 16 * 1024, "MI", vec![vec![cmd]]);
        for m in &run.server_msgs {
            assert!(m.body.len() <= max as usize);
        }
        // One command for the device, one Status for the host.
        assert_eq!(statuses(&run.events), vec![("Replace".to_string(), 200)]);
        assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("alpha"));
        assert_eq!(value(&mut tree, "./App/Level").as_deref(), Some("7"));
        assert!(value(&mut tree, "./App/Blob").as_deref() == Some(big.as_str()));
        let p = pieces(&run, "Replace");
        assert!(p.len() >= 5, "{enc:?}: {} pieces", p.len());
        // First piece: the whole first item, then the first chunk with Size and MoreData.
        let first = &p[0];
        assert_eq!(first.0, vec!["./App/Name", "./App/Blob"]);
        assert!(first.1);
        assert_eq!(first.2, Some(20_000));
        // Middle pieces: one chunk each, MoreData, no Size.
        for mid in &p[1..p.len() - 1] {
            assert_eq!(mid.0, vec!["./App/Blob"]);
            assert!(mid.1);
            assert_eq!(mid.2, None);
        }
        // Last piece: the last chunk, then the item after it.
        let last = p.last().unwrap();
        assert_eq!(last.0, vec!["./App/Blob", "./App/Level"]);
        assert!(!last.1);
        // The device answered 213 to every piece but the last (Statuses are kept from
        // the host, so count them on the wire).
        let c213 = run
            .client_msgs
            .iter()
            .map(|m| {
                decoded(m)
                    .body
                    .commands
                    .iter()
                    .filter(|c| matches!(c, Command::Status(s) if s.code.code() == 213))
                    .count()
            })
            .sum::<usize>();
        assert_eq!(c213, p.len() - 1);
    }
}

#[test]
fn a_multi_item_command_with_a_large_object_is_all_or_nothing() {
    let big = big_text(9_000);
    for enc in BOTH {
        let cmd = multi_replace(&[
            ("./App/Name", "alpha"),
            ("./App/Blob", &big),
            ("./App/Missing", "x"),
        ]);
        let (run, mut tree) = session(enc, 3000, 16 * 1024, "MI2", vec![vec![cmd]]);
        assert_eq!(statuses(&run.events), vec![("Replace".to_string(), 404)]);
        assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("maps"));
        assert_eq!(value(&mut tree, "./App/Blob").as_deref(), Some(""));
    }
}

#[test]
fn server_add_with_several_items_and_one_large_object() {
    let big = big_text(12_000);
    for enc in BOTH {
        let add = |uri: &str, v: &str| {
            OutItem::target(uri)
                .with_meta(dm_session::MetaInfo::format_type("chr", None))
                .with_data(Payload::Text(v.to_owned()))
        };
        let cmd = Cmd::Item {
            kind: ItemKind::Add,
            meta: None,
            correlator: None,
            items: vec![
                add("./App/X1", "one"),
                add("./App/Big", &big),
                add("./App/X2", "two"),
            ],
        };
        let (run, mut tree) = session(enc, 3000, 16 * 1024, "ADD", vec![vec![cmd]]);
        assert_eq!(statuses(&run.events), vec![("Add".to_string(), 200)]);
        assert_eq!(value(&mut tree, "./App/X1").as_deref(), Some("one"));
        assert_eq!(value(&mut tree, "./App/X2").as_deref(), Some("two"));
        assert!(value(&mut tree, "./App/Big").as_deref() == Some(big.as_str()));
        assert!(pieces(&run, "Add").len() >= 4);
    }
}

#[test]
fn client_results_with_several_items_and_one_large_object() {
    let big = big_text(20_000);
    for (enc, max) in [(WireEncoding::Xml, 4096u64), (WireEncoding::Wbxml, 2048)] {
        let (mut c, mut s) = sized(enc, 16 * 1024, max);
        let mut tree = device_tree();
        assert!(tree
            .execute_local(&Op::replace("./App/Blob").with_text(&big))
            .status
            .is_success());
        c.start(&mut tree, "RES");
        let get = Cmd::Item {
            kind: ItemKind::Get,
            meta: None,
            correlator: None,
            items: vec![
                OutItem::target("./App/Name"),
                OutItem::target("./App/Blob"),
                OutItem::target("./App/Level"),
            ],
        };
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![vec![get]]),
        );
        for m in &run.client_msgs {
            assert!(m.body.len() <= max as usize, "{enc:?}");
        }
        assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
        let results: Vec<&Vec<OutItem>> = run
            .events
            .iter()
            .filter_map(|e| match e {
                ServerEvent::Results { items, .. } => Some(items),
                _ => None,
            })
            .collect();
        assert_eq!(results.len(), 1, "{enc:?}: one Results for the Get");
        let items = results[0];
        let got: Vec<(String, Vec<u8>)> = items
            .iter()
            .map(|i| {
                (
                    i.source.clone().unwrap(),
                    i.data.as_ref().unwrap().as_bytes().to_vec(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("./App/Name".to_string(), b"maps".to_vec()),
                ("./App/Blob".into(), big.clone().into_bytes()),
                ("./App/Level".into(), b"3".to_vec()),
            ]
        );
        assert!(items.iter().all(|i| !i.more_data));
        // The Results went in several pieces of one command.
        let pieces = run
            .client_msgs
            .iter()
            .map(|m| {
                decoded(m)
                    .body
                    .commands
                    .iter()
                    .filter(|c| matches!(c, Command::Results(_)))
                    .count()
            })
            .sum::<usize>();
        assert!(pieces >= 5, "{enc:?}: {pieces}");
    }
}
