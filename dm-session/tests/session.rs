#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! In-memory client ↔ server sessions.

mod common;

use common::*;
use dm_session::{
    Cmd, DefaultUi, Handle, ItemKind, MetaInfo, NoUi, OutItem, Payload, ServerEvent, WireEncoding,
};
use syncml_codec::AlertCode;

#[test]
fn all_commands_both_encodings() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut s) = engines(enc);
        let mut tree = device_tree();
        c.start(&mut tree, "1A2B");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut DefaultUi,
            scripted(vec![
                vec![
                    Cmd::get("./App/Name"),
                    Cmd::get("./App"),
                    Cmd::replace("./App/Name", "atlas & co"),
                    Cmd::add("./App/New", "chr", Some("n".into())),
                    Cmd::add("./App/Name", "chr", Some("dup".into())),
                    Cmd::copy("./App/Name", "./App/Blob"),
                    Cmd::delete("./App/Missing"),
                    Cmd::exec("./App/Name", Some("corr-1".into())),
                ],
                vec![Cmd::sequence(vec![
                    Cmd::replace("./App/Level", "4"),
                    Cmd::get("./App/Level"),
                ])],
            ]),
        );
        assert!(c.poll_event().is_some());
        let st = statuses(&run.events);
        assert_eq!(
            st,
            vec![
                ("Get".to_string(), 200),
                ("Get".into(), 200),
                ("Replace".into(), 200),
                ("Add".into(), 200),
                ("Add".into(), 418),
                ("Copy".into(), 200),
                ("Delete".into(), 404),
                ("Exec".into(), 405),
                ("Sequence".into(), 200),
                ("Replace".into(), 200),
                ("Get".into(), 200),
            ],
            "{enc:?}"
        );
        let results: Vec<(Option<Handle>, String)> = run
            .events
            .iter()
            .filter_map(|e| match e {
                ServerEvent::Results { handle, items, .. } => Some((
                    *handle,
                    String::from_utf8(items[0].data.as_ref().unwrap().as_bytes().to_vec()).unwrap(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            results,
            vec![
                (Some(Handle(1)), "maps".to_string()),
                (Some(Handle(2)), "Name/Level/Blob".into()),
                (Some(Handle(11)), "4".into()),
            ]
        );
        assert!(run
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::DevInfo(v) if v.iter().any(|(u, d)| u == "./DevInfo/DevId" && d == DEVICE))));
        assert!(matches!(run.events.last(), Some(ServerEvent::Finished)));
        assert_eq!(
            value(&mut tree, "./App/Blob").as_deref(),
            Some("atlas & co")
        );
        assert_eq!(value(&mut tree, "./App/New").as_deref(), Some("n"));
        assert_eq!(value(&mut tree, "./App/Level").as_deref(), Some("4"));
        assert!(!c.is_active());
        assert!(s.is_finished());
    }
}

#[test]
fn atomic_rolls_back() {
    let (mut c, mut s) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::atomic(vec![
            Cmd::replace("./App/Name", "changed"),
            Cmd::add("./App/Tmp", "chr", Some("x".into())),
            Cmd::delete("./App/Missing"),
            Cmd::replace("./App/Level", "9"),
        ])]]),
    );
    assert_eq!(
        statuses(&run.events),
        vec![
            ("Atomic".to_string(), 507),
            ("Replace".into(), 216),
            ("Add".into(), 216),
            ("Delete".into(), 404),
            ("Replace".into(), 215),
        ]
    );
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("maps"));
    assert_eq!(value(&mut tree, "./App/Tmp"), None);
    assert_eq!(value(&mut tree, "./App/Level").as_deref(), Some("3"));
}

#[test]
fn atomic_commits_when_all_succeed() {
    let (mut c, mut s) = engines(WireEncoding::Wbxml);
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::atomic(vec![
            Cmd::replace("./App/Name", "changed"),
            Cmd::add("./App/Tmp", "chr", Some("x".into())),
        ])]]),
    );
    assert_eq!(
        statuses(&run.events),
        vec![
            ("Atomic".to_string(), 200),
            ("Replace".into(), 200),
            ("Add".into(), 200)
        ]
    );
    assert_eq!(value(&mut tree, "./App/Tmp").as_deref(), Some("x"));
}

#[test]
fn ui_alerts_and_sequence_bypass() {
    let (mut c, mut s) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut DefaultUi,
        scripted(vec![vec![
            Cmd::ui_alert(AlertCode::Display, "MINDT=10", "Hello", &[]),
            Cmd::ui_alert(AlertCode::TextInput, "MAXLEN=3&DR=abcdef", "Code?", &[]),
            Cmd::ui_alert(AlertCode::SingleChoice, "DR=2", "Pick", &["a", "b", "c"]),
            Cmd::ui_alert(
                AlertCode::MultipleChoice,
                "DR=1-3",
                "Pick",
                &["a", "b", "c"],
            ),
            Cmd::sequence(vec![
                Cmd::ui_alert(AlertCode::ConfirmOrReject, "DR=0", "Sure?", &[]),
                Cmd::replace("./App/Name", "never"),
            ]),
        ]]),
    );
    let answers: Vec<(u16, Vec<String>)> = run
        .events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Status {
                code, items, cmd, ..
            } if cmd != "Sequence" => Some((
                *code,
                items
                    .iter()
                    .map(|i| {
                        String::from_utf8(i.data.as_ref().unwrap().as_bytes().to_vec()).unwrap()
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        answers,
        vec![
            (200, vec![]),
            (200, vec!["abc".to_string()]),
            (200, vec!["2".to_string()]),
            (200, vec!["1".to_string(), "3".to_string()]),
            (304, vec![]),
            (215, vec![]),
        ]
    );
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("maps"));
}

#[test]
fn no_ui_answers_406() {
    let (mut c, mut s) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::ui_alert(AlertCode::Display, "", "Hi", &[])]]),
    );
    assert_eq!(statuses(&run.events), vec![("Alert".to_string(), 406)]);
}

#[test]
fn generic_alert_in_next_package_and_new_session() {
    let (mut c, mut s) = engines(WireEncoding::Xml);
    let mut tree = device_tree();
    tree.push_alert(dm_tree::GenericAlert {
        source: Some("./App/Op".into()),
        target: None,
        alert_type: "urn:oma:at:scomo:1.0:OperationComplete".into(),
        format: "xml".into(),
        mark: Some("informational".into()),
        data: "<ResultCode>1200</ResultCode>".into(),
        correlator: Some("c-1".into()),
    });
    c.start(&mut tree, "2");
    let run = drive(&mut c, &mut s, &mut tree, &mut NoUi, scripted(vec![]));
    let ga: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::GenericAlert { correlator, item } => {
                Some((correlator.clone(), item.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(ga.len(), 1);
    assert_eq!(ga[0].0.as_deref(), Some("c-1"));
    assert_eq!(
        ga[0].1.meta.as_ref().unwrap().mime.as_deref(),
        Some("urn:oma:at:scomo:1.0:OperationComplete")
    );
    assert_eq!(
        ga[0].1.data.as_ref().unwrap().as_bytes(),
        b"<ResultCode>1200</ResultCode>"
    );

    // An MO that completes an Exec later queues its alert; it goes in the next package.
    struct Installer;
    impl dm_tree::MoHandler for Installer {
        fn exec(
            &mut self,
            tree: &mut dm_tree::Tree,
            req: &dm_tree::ExecRequest<'_>,
        ) -> dm_tree::Status {
            tree.push_alert(dm_tree::GenericAlert {
                source: Some(req.uri.to_string()),
                target: None,
                alert_type: "urn:oma:at:scomo:1.0:OperationComplete".into(),
                format: "chr".into(),
                mark: None,
                data: "done".into(),
                correlator: req.correlator.map(str::to_owned),
            });
            dm_tree::Status::ACCEPTED
        }
    }
    let mut tree = device_tree();
    tree.execute_local(&dm_tree::Op::add("./App/Op").with_format(dm_tree::Format::Node));
    tree.execute_local(&dm_tree::Op::add("./App/Op/Install").with_format(dm_tree::Format::Null));
    tree.mount("./App/Op", Box::new(Installer)).unwrap();
    let (mut c, mut s) = engines(WireEncoding::Wbxml);
    c.start(&mut tree, "3");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::exec(
            "./App/Op/Install",
            Some("job-7".into()),
        )]]),
    );
    assert_eq!(statuses(&run.events), vec![("Exec".to_string(), 202)]);
    let pos_status = run
        .events
        .iter()
        .position(|e| matches!(e, ServerEvent::Status { .. }));
    let pos_alert = run.events.iter().position(
        |e| matches!(e, ServerEvent::GenericAlert { correlator: Some(c), .. } if c == "job-7"),
    );
    assert!(pos_status.is_some() && pos_alert.is_some());
    // Same client message as the Exec's 202: package 3.
    assert_eq!(run.client_msgs.len(), 2);
    assert!(tree.alerts_mut().is_empty());
}

#[test]
fn split_every_package_small_max_msg_size() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut s) = engines(enc);
        let mut tree = device_tree();
        let mut cmds = Vec::new();
        for i in 0..40 {
            cmds.push(Cmd::add(
                format!("./App/N{i}"),
                "chr",
                Some(format!("value number {i}")),
            ));
        }
        let gets: Vec<Cmd> = (0..40).map(|i| Cmd::get(format!("./App/N{i}"))).collect();
        // Small enough that package 1 and every later package need several messages.
        let max = match enc {
            WireEncoding::Xml => 1000,
            WireEncoding::Wbxml => 400,
        };
        let mut cc = c.config().clone();
        cc.max_msg_size = max;
        c = dm_session::ClientEngine::new(cc, b"x");
        let mut sc = s.config().clone();
        sc.max_msg_size = max;
        s = dm_session::ServerEngine::new(sc, b"y");
        c.start(&mut tree, "9");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![cmds, gets]),
        );
        for m in run.client_msgs.iter().chain(&run.server_msgs) {
            assert!(m.body.len() <= max as usize, "{} > {max}", m.body.len());
        }
        let st = statuses(&run.events);
        assert_eq!(st.len(), 80, "{enc:?}");
        assert!(st.iter().all(|(_, c)| *c == 200));
        let results = run
            .events
            .iter()
            .filter(|e| matches!(e, ServerEvent::Results { .. }))
            .count();
        assert_eq!(results, 40);
        assert!(run.client_msgs.iter().filter(|m| !m.final_flag).count() >= 3);
        assert!(run.server_msgs.iter().filter(|m| !m.final_flag).count() >= 3);
        assert_eq!(
            value(&mut tree, "./App/N39").as_deref(),
            Some("value number 39")
        );
    }
}

fn big_text(n: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..n)
        .map(|i| alphabet[(i * 7 + i / 64) % 64] as char)
        .collect()
}

#[test]
fn one_mib_object_both_ways_through_8k_messages() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c0, s0) = engines(enc);
        let mut cc = c0.config().clone();
        cc.max_msg_size = 8 * 1024;
        cc.max_obj_size = 2 * 1024 * 1024;
        let mut sc = s0.config().clone();
        sc.max_msg_size = 8 * 1024;
        let mut c = dm_session::ClientEngine::new(cc, b"c");
        let mut s = dm_session::ServerEngine::new(sc, b"s");
        let mut tree = device_tree();
        let data = big_text(std::env::var("LO_SIZE").map_or(1024 * 1024, |v| v.parse().unwrap()));
        let replace = Cmd::Item {
            kind: ItemKind::Replace,
            meta: Some(MetaInfo::format_type("b64", Some("application/zip".into()))),
            correlator: None,
            items: vec![OutItem::target("./App/Blob").with_data(Payload::Text(data.clone()))],
        };
        c.start(&mut tree, "LO");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![vec![replace], vec![Cmd::get("./App/Blob")]]),
        );
        for m in run.client_msgs.iter().chain(&run.server_msgs) {
            assert!(m.body.len() <= 8 * 1024);
        }
        assert!(run.server_msgs.len() > 128, "{}", run.server_msgs.len());
        assert_eq!(
            statuses(&run.events),
            vec![("Replace".to_string(), 200), ("Get".into(), 200)]
        );
        assert!(value(&mut tree, "./App/Blob").as_deref() == Some(data.as_str()));
        assert_eq!(
            statuses(&run.events),
            vec![("Replace".to_string(), 200), ("Get".into(), 200)]
        );
        let got = run
            .events
            .iter()
            .find_map(|e| match e {
                ServerEvent::Results { items, .. } => Some(items[0].data.clone().unwrap()),
                _ => None,
            })
            .unwrap();
        assert!(got.as_bytes() == data.as_bytes(), "{enc:?}");
    }
}
