#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Authentication (basic, MD5, HMAC), challenges, nonce rotation and resync, package 0, DMAcc.

mod common;

use common::*;
use dm_session::{
    dmacc, AuthType, ClientConfig, ClientEngine, ClientEvent, Cmd, Credentials, NoUi, ServerConfig,
    ServerEngine, ServerEvent, SessionError, WireEncoding,
};
use dm_tree::{Format, Op, Tree};
use syncml_codec::auth::{b64_decode, md5_credential};
use syncml_codec::package0::UiMode;

const USER: &str = "xp200-0042";
const USER_PW: &str = "Pa55-c1ient-0042";
const SRV_PW: &str = "Pa55-s3rver-0042";

fn secured(t: AuthType, encoding: WireEncoding) -> (ClientEngine, ServerEngine) {
    let mut cc = ClientConfig::new(DEVICE, SERVER, SERVER_URI);
    cc.encoding = encoding;
    cc.client_credentials = Some(Credentials::new(t, USER, USER_PW));
    cc.server_credentials = Some(Credentials::new(t, SERVER, SRV_PW));
    let mut sc = ServerConfig::new(SERVER, SERVER_URI);
    sc.encoding = encoding;
    sc.client_credentials = Some(Credentials::new(t, USER, USER_PW));
    sc.server_credentials = Some(Credentials::new(t, SERVER, SRV_PW));
    let mut c = ClientEngine::new(cc, b"client-seed");
    let mut s = ServerEngine::new(sc, b"server-seed");
    // Nonces from an earlier session (dm12 corpus N0 and M0).
    let n0 = b64_decode("W2zDgw2mHPfrMHJLA50O8Q==").unwrap();
    let m0 = b64_decode("5wPBJA1t7V2Xdzc99EwJrg==").unwrap();
    c.set_client_nonce(&n0);
    s.set_client_nonce(&n0);
    c.set_server_nonce(&m0);
    s.set_server_nonce(&m0);
    (c, s)
}

fn client_events(c: &mut ClientEngine) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

#[test]
fn md5_both_ways_matches_the_corpus_digest_and_rotates_nonces() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut s) = secured(AuthType::Md5, enc);
        let mut tree = device_tree();
        c.start(&mut tree, "1A2B");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![vec![Cmd::get("./App/Name")]]),
        );
        // Package 1 carries the digest of dm12/01 (same user, password and nonce).
        let first = syncml_codec::decode(&run.client_msgs[0].body).unwrap();
        let cred = first.header.cred.as_ref().unwrap();
        assert_eq!(cred.data, "zT1/wxy48pnMjhQYsNMqgg==");
        assert_eq!(first.header.source.loc_name.as_deref(), Some(USER));
        // The server's Cred is over the nonce the client issued (dm12/03).
        let pkg2 = syncml_codec::decode(&run.server_msgs[0].body).unwrap();
        assert_eq!(
            pkg2.header.cred.as_ref().unwrap().data,
            "f4PS/+U2Hocz0MBW4Ojldg=="
        );
        assert!(run.events.contains(&ServerEvent::Authenticated));
        assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
        let ev = client_events(&mut c);
        assert!(ev.contains(&ClientEvent::Authenticated));
        assert!(ev.contains(&ClientEvent::ServerAuthenticated));
        // The server's Statuses for package 1 reach the host, the Alert's among them.
        assert!(
            ev.iter().any(
                |e| matches!(e, ClientEvent::Status { cmd, cmd_ref, code: 200 }
                if cmd == "Alert" && cmd_ref == "1")
            ),
            "{ev:?}"
        );
        // 212 came with fresh nonces for the next session, the same on both sides.
        assert_eq!(c.client_nonce(), s.client_nonce());
        assert_eq!(c.server_nonce(), s.server_nonce());
        assert_ne!(
            c.client_nonce(),
            b64_decode("W2zDgw2mHPfrMHJLA50O8Q==").unwrap()
        );
        // Only the first message carries credentials: 212 authenticates the session.
        assert!(run.client_msgs[1..]
            .iter()
            .all(|m| syncml_codec::decode(&m.body).unwrap().header.cred.is_none()));
    }
}

#[test]
fn md5_stale_nonce_is_challenged_then_accepted() {
    let (mut c, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    c.set_client_nonce(b"stale nonce");
    let mut tree = device_tree();
    c.start(&mut tree, "1A2B");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::replace("./App/Name", "x")]]),
    );
    assert_eq!(
        run.events
            .iter()
            .filter(|e| matches!(e, ServerEvent::AuthenticationFailed { code: 401 }))
            .count(),
        1
    );
    assert!(run.events.contains(&ServerEvent::Authenticated));
    // The challenge answer is package 1 again, with the same SessionID.
    let second = syncml_codec::decode(&run.client_msgs[1].body).unwrap();
    assert_eq!(second.header.session_id, "1A2B");
    assert!(second.header.cred.is_some());
    assert_eq!(statuses(&run.events), vec![("Replace".to_string(), 200)]);
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("x"));
}

#[test]
fn md5_wrong_password_fails_and_applies_nothing() {
    let (mut c, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    let mut cc = c.config().clone();
    cc.client_credentials = Some(Credentials::new(AuthType::Md5, USER, "wrong"));
    c = ClientEngine::new(cc, b"x");
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    s.queue(Cmd::replace("./App/Name", "hacked"));
    let mut result = Ok(());
    for _ in 0..10 {
        let Some(t) = c.poll_transmit().unwrap() else {
            break;
        };
        s.handle_incoming(&t.body, None).unwrap();
        let Some(r) = s.poll_transmit().unwrap() else {
            break;
        };
        // Every answer to a failed authentication is Statuses only (215 for the rest).
        let m = syncml_codec::decode(&r.body).unwrap();
        assert!(m
            .body
            .commands
            .iter()
            .all(|c| matches!(c, syncml_codec::Command::Status(_))));
        result = c.handle_incoming(&mut tree, &mut NoUi, &r.body, None);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(SessionError::AuthenticationFailed));
    assert!(!c.is_active());
    assert!(client_events(&mut c).contains(&ClientEvent::AuthenticationFailed));
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("maps"));
}

#[test]
fn missing_client_credentials_get_407() {
    let (_, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    let mut c = ClientEngine::new(ClientConfig::new(DEVICE, SERVER, SERVER_URI), b"x");
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, None).unwrap();
    let r = s.poll_transmit().unwrap().unwrap();
    let m = syncml_codec::decode(&r.body).unwrap();
    let syncml_codec::Command::Status(st) = &m.body.commands[0] else {
        panic!()
    };
    assert_eq!(st.code.code(), 407);
    let chal = st.chal.as_ref().unwrap();
    assert_eq!(chal.meta.mime_type.as_deref(), Some("syncml:auth-md5"));
    assert!(chal.meta.next_nonce.is_some());
    assert_eq!(
        c.handle_incoming(&mut tree, &mut NoUi, &r.body, None),
        Err(SessionError::AuthenticationFailed)
    );
}

#[test]
fn basic_auth_session() {
    let (mut c, mut s) = secured(AuthType::Basic, WireEncoding::Wbxml);
    let mut tree = device_tree();
    c.start(&mut tree, "B");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::get("./App/Level")]]),
    );
    let first = syncml_codec::decode(&run.client_msgs[0].body).unwrap();
    assert_eq!(
        first.header.cred.as_ref().unwrap().data,
        syncml_codec::auth::basic_credential(USER, USER_PW)
    );
    assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
}

#[test]
fn client_challenges_a_server_with_a_stale_nonce() {
    let (mut c, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    s.set_server_nonce(b"old");
    let mut tree = device_tree();
    c.start(&mut tree, "1");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::replace("./App/Name", "new")]]),
    );
    assert!(run
        .events
        .contains(&ServerEvent::ServerRejected { code: 401 }));
    let ev = client_events(&mut c);
    assert!(ev.contains(&ClientEvent::ServerAuthenticationFailed { code: 401 }));
    assert!(ev.contains(&ClientEvent::ServerAuthenticated));
    // The Replace was not run while the server was unauthenticated, then run once resent.
    assert_eq!(statuses(&run.events), vec![("Replace".to_string(), 200)]);
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("new"));
}

#[test]
fn hmac_every_message_with_rotating_nonces() {
    for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
        let (mut c, mut s) = secured(AuthType::Hmac, enc);
        let mut tree = device_tree();
        c.start(&mut tree, "H");
        let run = drive(
            &mut c,
            &mut s,
            &mut tree,
            &mut NoUi,
            scripted(vec![
                vec![Cmd::get("./App/Name")],
                vec![Cmd::replace("./App/Level", "7")],
            ]),
        );
        assert_eq!(
            statuses(&run.events),
            vec![("Get".to_string(), 200), ("Replace".into(), 200)]
        );
        for m in run.client_msgs.iter().chain(&run.server_msgs) {
            let h = m.hmac.as_deref().unwrap();
            assert!(h.starts_with("algorithm=MD5, username=\""), "{h}");
            assert!(syncml_codec::decode(&m.body).unwrap().header.cred.is_none());
        }
        // Each server SyncHdr Status is 200 with a new nonce (omadm.md §3.2).
        let mut nonces = Vec::new();
        for m in &run.server_msgs {
            let m = syncml_codec::decode(&m.body).unwrap();
            let syncml_codec::Command::Status(st) = &m.body.commands[0] else {
                panic!()
            };
            assert_eq!(st.code.code(), 200);
            nonces.push(
                st.chal
                    .as_ref()
                    .unwrap()
                    .meta
                    .next_nonce
                    .as_ref()
                    .unwrap()
                    .to_string(),
            );
        }
        nonces.dedup();
        assert_eq!(nonces.len(), run.server_msgs.len());
        assert_eq!(value(&mut tree, "./App/Level").as_deref(), Some("7"));
    }
}

#[test]
fn hmac_tampered_or_missing_header_is_refused_and_applies_nothing() {
    let (mut c, mut s) = secured(AuthType::Hmac, WireEncoding::Xml);
    let mut tree = device_tree();
    c.start(&mut tree, "H");
    let t = c.poll_transmit().unwrap().unwrap();
    s.handle_incoming(&t.body, t.hmac.as_deref()).unwrap();
    s.queue(Cmd::replace("./App/Name", "evil"));
    let r = s.poll_transmit().unwrap().unwrap();
    let before = serde_json::to_string(&c).unwrap();
    let tampered = String::from_utf8(r.body.clone())
        .unwrap()
        .replace("evil", "EVIL");
    assert_eq!(
        c.handle_incoming(&mut tree, &mut NoUi, tampered.as_bytes(), r.hmac.as_deref()),
        Err(SessionError::Hmac)
    );
    assert_eq!(
        c.handle_incoming(&mut tree, &mut NoUi, &r.body, None),
        Err(SessionError::Hmac)
    );
    assert_eq!(serde_json::to_string(&c).unwrap(), before);
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("maps"));
    // The genuine message still works afterwards.
    c.handle_incoming(&mut tree, &mut NoUi, &r.body, r.hmac.as_deref())
        .unwrap();
    assert_eq!(value(&mut tree, "./App/Name").as_deref(), Some("evil"));
    // A tampered client message is refused by the authenticated server.
    let t = c.poll_transmit().unwrap().unwrap();
    let mut bad = t.body.clone();
    let last = bad.len() - 20;
    bad[last] ^= 0x01;
    assert_eq!(
        s.handle_incoming(&bad, t.hmac.as_deref()),
        Err(SessionError::Hmac)
    );
    s.handle_incoming(&t.body, t.hmac.as_deref()).unwrap();
}

#[test]
fn hmac_with_a_stale_nonce_is_challenged() {
    let (mut c, mut s) = secured(AuthType::Hmac, WireEncoding::Wbxml);
    c.set_client_nonce(b"stale");
    let mut tree = device_tree();
    c.start(&mut tree, "H");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::get("./App/Name")]]),
    );
    assert!(run
        .events
        .contains(&ServerEvent::AuthenticationFailed { code: 401 }));
    assert!(run.events.contains(&ServerEvent::Authenticated));
    assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
}

#[test]
fn package0_starts_a_session_and_a_forged_one_starts_nothing() {
    let (mut c, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    let mut tree = device_tree();
    let pkg0 = s.build_package0(UiMode::Background, 0x1A2B, false).unwrap();
    // Forgeries: a flipped bit anywhere, another session id, another server's password.
    for i in 0..pkg0.len() {
        let mut forged = pkg0.clone();
        forged[i] ^= 0x10;
        let r = c.handle_notification(&mut tree, &forged);
        assert!(r.is_err(), "byte {i}");
        assert!(!c.is_active());
        assert_eq!(c.poll_transmit().unwrap(), None);
    }
    let mut other = ServerEngine::new(
        {
            let mut sc = s.config().clone();
            sc.server_credentials = Some(Credentials::new(AuthType::Md5, SERVER, "guess"));
            sc
        },
        b"z",
    );
    other.set_server_nonce(s.server_nonce());
    let forged = other.build_package0(UiMode::Background, 1, false).unwrap();
    assert_eq!(
        c.handle_notification(&mut tree, &forged),
        Err(SessionError::BadDigest)
    );
    assert!(c.handle_notification(&mut tree, &pkg0[..20]).is_err());

    assert_eq!(
        c.handle_notification(&mut tree, &pkg0),
        Ok(UiMode::Background)
    );
    assert_eq!(c.session_id(), "1A2B");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::get("./App/Name")]]),
    );
    let first = syncml_codec::decode(&run.client_msgs[0].body).unwrap();
    assert_eq!(first.header.session_id, "1A2B");
    assert!(run
        .events
        .iter()
        .any(|e| matches!(e, ServerEvent::SessionStarted { alert: 1200, .. })));
    assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
}

#[test]
fn package0_nonce_resync_both_forms() {
    // AOSP form: 4 zero bytes, built by our server.
    let (mut c, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    c.set_server_nonce(b"lost");
    let mut tree = device_tree();
    let pkg0 = s.build_package0(UiMode::Informative, 7, true).unwrap();
    assert_eq!(
        c.handle_notification(&mut tree, &pkg0),
        Ok(UiMode::Informative)
    );
    assert_eq!(c.session_id(), "7");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::get("./App/Name")]]),
    );
    assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
    // Both sides now hold fresh nonces again.
    assert_eq!(c.server_nonce(), s.server_nonce());
    assert_ne!(c.server_nonce(), &[0, 0, 0, 0]);

    // libdmclient form: the ASCII string "0x00000000".
    let note = syncml_codec::package0::Notification::new(
        UiMode::Background,
        syncml_codec::package0::Initiator::Server,
        0xBEEF,
        SERVER,
    );
    let pkg0 = note.encode(SRV_PW.as_bytes(), b"0x00000000");
    let (mut c, _) = secured(AuthType::Md5, WireEncoding::Xml);
    c.set_server_nonce(b"lost");
    assert!(c.handle_notification(&mut tree, &pkg0).is_ok());
    assert_eq!(c.session_id(), "BEEF");
}

#[test]
fn package0_from_an_unknown_server() {
    let (mut c, _) = secured(AuthType::Md5, WireEncoding::Xml);
    let mut sc = ServerConfig::new("Other", SERVER_URI);
    sc.server_credentials = Some(Credentials::new(AuthType::Md5, "Other", SRV_PW));
    let mut other = ServerEngine::new(sc, b"o");
    let pkg0 = other.build_package0(UiMode::Background, 3, false).unwrap();
    let mut tree = device_tree();
    assert_eq!(
        c.handle_notification(&mut tree, &pkg0),
        Err(SessionError::UnknownServer("Other".into()))
    );
}

#[test]
fn md5_formula_test_vector() {
    let c = Credentials::new(AuthType::Md5, "Bruce2", "OhBehave");
    assert_eq!(
        c.cred_data(b"Nonce").as_deref(),
        Some("Zz6EivR3yeaaENcRN6lpAQ==")
    );
    assert_eq!(
        md5_credential("Bruce2", "OhBehave", b"Nonce"),
        "Zz6EivR3yeaaENcRN6lpAQ=="
    );
    let n2 = b64_decode("CiQYH99ANC1WQlzrBZ2h2A==").unwrap();
    let c = Credentials::new(AuthType::Md5, USER, USER_PW);
    assert_eq!(
        c.cred_data(&n2).as_deref(),
        Some("hbkOkRPrr+Sy+v7/Lc3Hcw==")
    );
}

fn dmacc_tree() -> Tree {
    let mut t = device_tree();
    let leaves = [
        ("./DMAcc", None),
        ("./DMAcc/xyz", None),
        ("./DMAcc/xyz/ServerID", Some(SERVER)),
        ("./DMAcc/xyz/AppAddr", None),
        ("./DMAcc/xyz/AppAddr/1", None),
        ("./DMAcc/xyz/AppAddr/1/Addr", Some(SERVER_URI)),
        ("./DMAcc/xyz/AppAuth", None),
        ("./DMAcc/xyz/AppAuth/c", None),
        ("./DMAcc/xyz/AppAuth/c/AAuthLevel", Some("CLCRED")),
        ("./DMAcc/xyz/AppAuth/c/AAuthType", Some("DIGEST")),
        ("./DMAcc/xyz/AppAuth/c/AAuthName", Some(USER)),
        ("./DMAcc/xyz/AppAuth/c/AAuthSecret", Some(USER_PW)),
        (
            "./DMAcc/xyz/AppAuth/c/AAuthData",
            Some("W2zDgw2mHPfrMHJLA50O8Q=="),
        ),
        ("./DMAcc/xyz/AppAuth/s", None),
        ("./DMAcc/xyz/AppAuth/s/AAuthLevel", Some("SRVCRED")),
        ("./DMAcc/xyz/AppAuth/s/AAuthType", Some("DIGEST")),
        ("./DMAcc/xyz/AppAuth/s/AAuthName", Some(SERVER)),
        ("./DMAcc/xyz/AppAuth/s/AAuthSecret", Some(SRV_PW)),
        (
            "./DMAcc/xyz/AppAuth/s/AAuthData",
            Some("5wPBJA1t7V2Xdzc99EwJrg=="),
        ),
    ];
    for (uri, v) in leaves {
        let op = match v {
            None => Op::add(uri).with_format(Format::Node),
            Some(v) => Op::add(uri).with_format(Format::Chr).with_text(v),
        };
        assert!(t.execute_local(&op).status.is_success(), "{uri}");
    }
    t
}

#[test]
fn credentials_per_server_from_dmacc() {
    let mut tree = dmacc_tree();
    assert!(dmacc::account(&mut tree, "Nobody").is_none());
    let acc = dmacc::account(&mut tree, SERVER).unwrap();
    assert_eq!(acc.path, "./DMAcc/xyz");
    assert_eq!(acc.config.server_uri, SERVER_URI);
    assert_eq!(acc.config.device_id, DEVICE);
    assert_eq!(
        acc.config.client_credentials,
        Some(Credentials::new(AuthType::Md5, USER, USER_PW))
    );
    assert_eq!(
        acc.server_nonce,
        b64_decode("5wPBJA1t7V2Xdzc99EwJrg==").unwrap()
    );
    let mut c = ClientEngine::new(acc.config, b"seed");
    c.set_client_nonce(&acc.client_nonce);
    c.set_server_nonce(&acc.server_nonce);
    let (_, mut s) = secured(AuthType::Md5, WireEncoding::Xml);
    c.start(&mut tree, "D");
    let run = drive(
        &mut c,
        &mut s,
        &mut tree,
        &mut NoUi,
        scripted(vec![vec![Cmd::get("./App/Name")]]),
    );
    assert_eq!(
        syncml_codec::decode(&run.client_msgs[0].body)
            .unwrap()
            .header
            .cred
            .unwrap()
            .data,
        "zT1/wxy48pnMjhQYsNMqgg=="
    );
    assert_eq!(statuses(&run.events), vec![("Get".to_string(), 200)]);
}
