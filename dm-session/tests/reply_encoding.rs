#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The client's reply is encoded while the server's message is handled: what happens to
//! it when a second server message, a new client nonce or a save comes before it is sent.

mod common;

use common::*;
use dm_session::{
    AuthType, ClientConfig, ClientEngine, Cmd, Credentials, NoUi, ServerEngine, Transmit,
    WireEncoding,
};
use dm_tree::Tree;
use syncml_codec::{Command, Message};

/// A client that sent package 1 and the server's package 2 carrying `cmds`.
fn at_package_2(
    mut c: ClientEngine,
    mut s: ServerEngine,
    cmds: Vec<Cmd>,
) -> (ClientEngine, Tree, Transmit) {
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    for cmd in cmds {
        s.queue(cmd);
    }
    let r = s.poll_transmit().unwrap().unwrap();
    (c, tree, r)
}

/// `(Cmd, MsgRef, CmdRef, code)` of a Status.
type StatusKey = (String, String, String, u16);

/// The key of each Status, and the CmdIDs of every command.
fn statuses_of(msg: &Message<'_>) -> (Vec<StatusKey>, Vec<String>) {
    let st = msg
        .body
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Status(s) => Some((
                s.cmd.to_string(),
                s.msg_ref.to_string(),
                s.cmd_ref.to_string(),
                s.code.code(),
            )),
            _ => None,
        })
        .collect();
    let ids = msg
        .body
        .commands
        .iter()
        .map(|c| c.cmd_id().to_string())
        .collect();
    (st, ids)
}

#[test]
fn a_second_server_message_before_the_reply_keeps_the_first_replies() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c, s) = engines(enc);
        let (mut c, mut tree, r) = at_package_2(
            c,
            s,
            vec![Cmd::get("./App/Name"), Cmd::replace("./App/Level", "7")],
        );
        c.handle_incoming(&mut tree, &mut NoUi, &r.body, None)
            .unwrap();
        // The same package again as message 3 (another MsgID), before the reply went.
        let mut second = syncml_codec::decode(&r.body).unwrap();
        let first_id = second.header.msg_id.to_string();
        let ids: Vec<String> = second
            .body
            .commands
            .iter()
            .filter(|c| matches!(c, Command::Get(_) | Command::Replace(_)))
            .map(|c| c.cmd_id().to_string())
            .collect();
        assert_eq!(ids.len(), 2);
        second.header.msg_id = "9".into();
        let body2 = second.to_bytes(enc.encoding()).unwrap();
        c.handle_incoming(&mut tree, &mut NoUi, &body2, None)
            .unwrap();
        let out = c.poll_transmit().unwrap().unwrap();
        let msg = syncml_codec::decode(&out.body).unwrap();
        let (st, out_ids) = statuses_of(&msg);
        let p2 = |cmd: &str, msg_ref: &str, cmd_ref: &str, code: u16| {
            (
                cmd.to_string(),
                msg_ref.to_string(),
                cmd_ref.to_string(),
                code,
            )
        };
        assert_eq!(
            st,
            vec![
                p2("SyncHdr", "9", "0", 200),
                p2("Get", &first_id, &ids[0], 200),
                p2("Replace", &first_id, &ids[1], 200),
                p2("Get", "9", &ids[0], 200),
                p2("Replace", "9", &ids[1], 200),
            ],
            "{enc:?}"
        );
        let expected: Vec<String> = (1..=out_ids.len()).map(|i| i.to_string()).collect();
        assert_eq!(out_ids, expected, "{enc:?}");
        // Two Results, one a message.
        let results = msg
            .body
            .commands
            .iter()
            .filter(|c| matches!(c, Command::Results(_)))
            .count();
        assert_eq!(results, 2, "{enc:?}");
        assert!(out.final_flag);
    }
}

#[test]
fn a_saved_engine_sends_the_same_reply() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (c, s) = engines(enc);
        let (mut c, mut tree, r) = at_package_2(
            c,
            s,
            vec![
                Cmd::get("./App/Name"),
                Cmd::get("./App"),
                Cmd::delete("./App/Missing"),
            ],
        );
        c.handle_incoming(&mut tree, &mut NoUi, &r.body, None)
            .unwrap();
        let saved = serde_json::to_string(&c).unwrap();
        let mut restored: ClientEngine = serde_json::from_str(&saved).unwrap();
        let a = c.poll_transmit().unwrap().unwrap();
        let b = restored.poll_transmit().unwrap().unwrap();
        assert_eq!(a, b, "{enc:?}");
    }
}

/// The client keeps its reply header encoded from the start of the session (package 1 is
/// written without it, from a fresh header), and a saved engine does not keep it: restored
/// before the server's package, it encodes the header afresh for its reply. Both replies
/// are the same, with package 1's header but for the MsgID.
#[test]
fn a_reply_from_the_kept_header_is_the_reply_from_a_fresh_one() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut s) = engines(enc);
        let mut tree = device_tree();
        c.start(&mut tree, "1A2B");
        let p1 = c.poll_transmit().unwrap().unwrap();
        s.handle_incoming(&p1.body, None).unwrap();
        s.queue(Cmd::get("./App/Name"));
        let p2 = s.poll_transmit().unwrap().unwrap();
        let mut restored: ClientEngine =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        let mut restored_tree = Tree::new();
        restored_tree.restore(tree.snapshot());
        c.handle_incoming(&mut tree, &mut NoUi, &p2.body, None)
            .unwrap();
        restored
            .handle_incoming(&mut restored_tree, &mut NoUi, &p2.body, None)
            .unwrap();
        let kept = c.poll_transmit().unwrap().unwrap();
        let fresh = restored.poll_transmit().unwrap().unwrap();
        assert_eq!(kept, fresh, "{enc:?}");
        let mut header = syncml_codec::decode(&kept.body).unwrap().header;
        assert_eq!(header.msg_id, "2", "{enc:?}");
        header.msg_id = "1".into();
        assert_eq!(
            header,
            syncml_codec::decode(&p1.body).unwrap().header,
            "{enc:?}"
        );
    }
}

/// The server keeps its session's header encoded too: one engine serving two sessions in
/// turn, from two devices, heads every message with the session and the device it belongs
/// to, and each message's header with the session's first but for the MsgID.
#[test]
fn the_server_heads_each_session_with_its_own_header() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut first, mut server) = engines(enc);
        let mut other = ClientConfig::new("IMEI:000000000000042", SERVER, SERVER_URI);
        other.encoding = enc;
        let mut second = ClientEngine::new(other, b"second");
        for (client, session, device) in [
            (&mut first, "1A2B", DEVICE),
            (&mut second, "77", "IMEI:000000000000042"),
        ] {
            let mut tree = device_tree();
            client.start(&mut tree, session);
            let run = drive(
                client,
                &mut server,
                &mut tree,
                &mut NoUi,
                scripted(vec![vec![Cmd::get("./App/Name")], vec![Cmd::get("./App")]]),
            );
            assert!(run.server_msgs.len() >= 3, "{enc:?} {session}");
            let headers: Vec<_> = run
                .server_msgs
                .iter()
                .map(|t| syncml_codec::decode(&t.body).unwrap().header.into_owned())
                .collect();
            for (i, h) in headers.iter().enumerate() {
                assert_eq!(h.session_id, session, "{enc:?}");
                assert_eq!(h.target.loc_uri, device, "{enc:?}");
                assert_eq!(h.msg_id, (i + 1).to_string(), "{enc:?}");
                let mut same = h.clone();
                same.msg_id = "1".into();
                assert_eq!(same, headers[0], "{enc:?} {session} message {i}");
            }
        }
    }
}

#[test]
fn a_new_client_nonce_before_the_reply_goes_into_its_cred() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        // Only the client has credentials: the server never accepts them with 212, so
        // every client message carries Cred.
        let mut cc = ClientConfig::new(DEVICE, SERVER, SERVER_URI);
        cc.encoding = enc;
        let creds = Credentials::new(AuthType::Md5, "user", "secret");
        cc.client_credentials = Some(creds.clone());
        let (_, s) = engines(enc);
        let c = ClientEngine::new(cc, b"client-seed");
        let (mut c, mut tree, r) = at_package_2(c, s, vec![Cmd::get("./App/Name")]);
        c.handle_incoming(&mut tree, &mut NoUi, &r.body, None)
            .unwrap();
        let mut reference = c.clone();
        c.set_client_nonce(b"fresh nonce");
        let out = c.poll_transmit().unwrap().unwrap();
        let msg = syncml_codec::decode(&out.body).unwrap();
        let cred = msg.header.cred.as_ref().expect("Cred");
        assert_eq!(
            Some(cred.data.to_string()),
            creds.cred_data(b"fresh nonce"),
            "{enc:?}"
        );
        // Everything else is the reply as it was encoded.
        let before = reference.poll_transmit().unwrap().unwrap();
        let mut was = syncml_codec::decode(&before.body).unwrap();
        assert_ne!(was.header.cred, msg.header.cred);
        was.header.cred.clone_from(&msg.header.cred);
        assert_eq!(was, msg, "{enc:?}");
    }
}

/// The reply encoded while the server's message is at hand (its Statuses written from the
/// commands they answer) holds the bytes the codec writes for the message it decodes to:
/// every kind of answer, the SyncHdr Status with and without a Chal, in both encodings.
#[test]
fn the_sealed_reply_is_what_the_codec_writes_for_it() {
    use dm_session::{ServerConfig, ServerEngine};
    use syncml_codec::AlertCode;
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        for with_creds in [false, true] {
            let (mut c, mut s) = engines(enc);
            if with_creds {
                let mut cc = ClientConfig::new(DEVICE, SERVER, SERVER_URI);
                let mut sc = ServerConfig::new(SERVER, SERVER_URI);
                cc.encoding = enc;
                sc.encoding = enc;
                let user = Credentials::new(AuthType::Md5, "user", "secret");
                let server = Credentials::new(AuthType::Md5, SERVER, "server-secret");
                cc.client_credentials = Some(user.clone());
                cc.server_credentials = Some(server.clone());
                sc.client_credentials = Some(user);
                sc.server_credentials = Some(server);
                c = ClientEngine::new(cc, b"client-seed");
                s = ServerEngine::new(sc, b"server-seed");
            }
            let cmds = vec![
                Cmd::get("./App/Name"),
                Cmd::get("./App"),
                Cmd::get("./App/Missing"),
                // One Get, several Results items.
                Cmd::Item {
                    kind: dm_session::ItemKind::Get,
                    meta: None,
                    correlator: None,
                    items: vec![
                        dm_session::OutItem::target("./App/Name"),
                        dm_session::OutItem::target("./App/Level"),
                        dm_session::OutItem::target("./App/Blob"),
                    ],
                },
                Cmd::replace("./App/Level", "7"),
                Cmd::add("./App/New", "chr", Some("new".into())),
                Cmd::delete("./App/Missing"),
                Cmd::copy("./App/Name", "./App/Copy"),
                Cmd::exec("./App/Name", Some("corr".into())),
                Cmd::alert(AlertCode::NextMessage, Vec::new()),
                Cmd::ui_alert(AlertCode::Display, "MINDT=1", "hello", &[]),
                Cmd::atomic(vec![
                    Cmd::replace("./App/Name", "x"),
                    Cmd::add("./App/Other", "chr", Some("y".into())),
                ]),
                Cmd::atomic(vec![
                    Cmd::replace("./App/Name", "z"),
                    Cmd::delete("./App/Missing"),
                ]),
                Cmd::sequence(vec![Cmd::get("./App/Level"), Cmd::delete("./App/Missing")]),
            ];
            let (mut c, mut tree, r) = at_package_2(c, s, cmds);
            c.handle_incoming(&mut tree, &mut NoUi, &r.body, None)
                .unwrap();
            let out = c.poll_transmit().unwrap().unwrap();
            let msg = syncml_codec::decode(&out.body).unwrap();
            assert_eq!(
                msg.to_bytes(enc.encoding()).unwrap(),
                out.body,
                "{enc:?} creds {with_creds}"
            );
            let statuses = msg
                .body
                .commands
                .iter()
                .filter(|c| matches!(c, Command::Status(_)))
                .count();
            assert!(statuses >= 17, "{enc:?} creds {with_creds}: {statuses}");
            let most_items = msg
                .body
                .commands
                .iter()
                .filter(|c| matches!(c, Command::Results(_)))
                .map(|c| c.items().len())
                .max();
            assert_eq!(most_items, Some(3), "{enc:?} creds {with_creds}");
            if let Some(Command::Status(hdr)) = msg.body.commands.first() {
                assert_eq!(hdr.cmd, "SyncHdr");
                assert_eq!(hdr.target_refs.len(), 1);
                assert_eq!(hdr.source_refs.len(), 1);
                assert_eq!(hdr.chal.is_some(), with_creds, "{enc:?}");
            } else {
                panic!("{enc:?}: no SyncHdr Status first");
            }
        }
    }
}
