//! `dm-session`: a client engine with a SCOMO tree fed arbitrary server messages, and a server
//! engine fed an honest client's messages, damaged, forged or replaced.

use arbitrary::{Arbitrary, Unstructured};
use dm_session::{
    ClientConfig, ClientEngine, Cmd, NoUi, ServerConfig, ServerEngine, SessionError, Transmit,
    WireEncoding,
};
use dm_tree::{Format, Op, PropFilter, Tree};
use scomo_tree::{AgentConfig, ScomoAgent};
use syncml_codec::{Encoding, Message};

const DEVICE: &str = "IMEI:1";
const SERVER: &str = "srv";
const SESSION: &str = "1A2B";

/// A device's tree with DevInfo and the SCOMO object open to the server.
fn device_tree(agent: &ScomoAgent) -> Tree {
    let mut tree = Tree::new();
    for (uri, value) in [
        ("./DevInfo/DevId", DEVICE),
        ("./DevInfo/Man", "Acme"),
        ("./DevInfo/Mod", "M1"),
        ("./DevInfo/DmV", "1.2"),
        ("./DevInfo/Lang", "en"),
    ] {
        tree.execute_local(&Op::add(uri).with_format(Format::Chr).with_text(value));
    }
    agent
        .attach(&mut tree)
        .expect("SCOMO attaches to a fresh tree");
    tree.execute_local(
        &Op::replace("./SCOMO?prop=ACL").with_text("Add=*&Delete=*&Exec=*&Get=*&Replace=*"),
    );
    tree
}

/// The tree as the device would export it, to tell whether a message changed it.
fn export(tree: &mut Tree) -> Vec<u8> {
    tree.export_tnds(".", PropFilter::ALL)
        .expect("the root always exports")
}

/// One server message: usually an `arbitrary` message addressed to this session (so it gets
/// past the header checks into command processing), sometimes raw bytes.
fn server_message(u: &mut Unstructured<'_>, msg_id: usize) -> arbitrary::Result<Vec<u8>> {
    if u.ratio(1, 5)? {
        let len = u.int_in_range(0..=2048)?;
        return Ok(u.bytes(len.min(u.len()))?.to_vec());
    }
    addressed_message(u, msg_id, SERVER, DEVICE)
}

/// An `arbitrary` message of this session from `from` to `to`, in either encoding.
fn addressed_message(
    u: &mut Unstructured<'_>,
    msg_id: usize,
    from: &'static str,
    to: &'static str,
) -> arbitrary::Result<Vec<u8>> {
    let mut m = Message::arbitrary(u)?;
    let h = &mut m.header;
    h.ver_dtd = "1.2".into();
    h.ver_proto = "DM/1.2".into();
    h.session_id = SESSION.into();
    h.msg_id = msg_id.to_string().into();
    h.target.loc_uri = to.into();
    h.source.loc_uri = from.into();
    let encoding = if u.arbitrary()? {
        Encoding::Wbxml
    } else {
        Encoding::Xml
    };
    Ok(m.to_bytes(encoding).unwrap_or_default())
}

/// A client session against arbitrary server messages. The client either answers or fails
/// cleanly; a message it refuses leaves the tree as it was; everything it sends decodes; the
/// tree stays valid (it exports TNDS that `ddf` parses) and the SCOMO agent keeps in sync.
pub fn session_client(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let agent = ScomoAgent::new(AgentConfig::default());
    let mut tree = device_tree(&agent);
    let mut config = ClientConfig::new(DEVICE, SERVER, "https://dm.example.com");
    if u.arbitrary().unwrap_or(false) {
        config.encoding = WireEncoding::Wbxml;
    }
    if u.arbitrary().unwrap_or(false) {
        config.max_msg_size = 1024;
    }
    let mut client = ClientEngine::new(config, b"seed");
    client.start(&mut tree, SESSION);
    drain("client", || client.poll_transmit());
    for msg_id in 1..=4 {
        let Ok(body) = server_message(&mut u, msg_id) else {
            break;
        };
        let before = export(&mut tree);
        if client
            .handle_incoming(&mut tree, &mut NoUi, &body, None)
            .is_err()
        {
            assert_eq!(
                export(&mut tree),
                before,
                "a refused message changed the tree"
            );
        }
        while client.poll_event().is_some() {}
        drain("client", || client.poll_transmit());
        let _ = agent.sync(&mut tree);
        let tnds = String::from_utf8(export(&mut tree)).expect("TNDS is UTF-8");
        if let Err(e) = ddf::parse_xml(&tnds) {
            panic!("the tree exports TNDS that does not parse: {e}\n{tnds}");
        }
        if !client.is_active() {
            break;
        }
    }
}

/// Takes every message an engine has to send (`who` names it); each must decode. Returns the
/// last one.
fn drain(
    who: &str,
    mut poll: impl FnMut() -> Result<Option<Transmit>, SessionError>,
) -> Option<Vec<u8>> {
    let mut last = None;
    for _ in 0..16 {
        match poll() {
            Ok(Some(t)) => {
                if let Err(e) = syncml_codec::decode(&t.body) {
                    panic!(
                        "the {who} sent a message that does not decode: {e}\n{}",
                        String::from_utf8_lossy(&t.body)
                    );
                }
                last = Some(t.body);
            }
            Ok(None) | Err(_) => break,
        }
    }
    last
}

/// How one round of [`session_server`] makes the client's message.
#[derive(Arbitrary)]
enum ClientTurn {
    /// What an honest client answers to the server's last message.
    Honest,
    /// The honest answer with one byte changed.
    Flipped { at: usize, xor: u8 },
    /// The honest answer cut short.
    Truncated { keep: usize },
    /// An `arbitrary` message addressed to this server and session.
    Forged,
    /// Raw bytes.
    Raw,
}

/// The engine's stored form, to tell whether a call changed it.
fn snapshot(server: &ServerEngine) -> String {
    serde_json::to_string(server).expect("the server engine serialises")
}

/// A server session against an honest client whose messages are sometimes damaged, forged or
/// replaced by raw bytes. The server either accepts a message or refuses it with its state
/// untouched (its serialised form is the same before and after); whatever it sends decodes;
/// it resumes from its serialised form between messages, as a stateless HTTP worker would.
pub fn session_server(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let agent = ScomoAgent::new(AgentConfig::default());
    let mut tree = device_tree(&agent);
    let mut client_config = ClientConfig::new(DEVICE, SERVER, "https://dm.example.com");
    let mut config = ServerConfig::new(SERVER, "https://dm.example.com");
    if u.arbitrary().unwrap_or(false) {
        config.encoding = WireEncoding::Wbxml;
        client_config.encoding = WireEncoding::Wbxml;
    }
    if u.arbitrary().unwrap_or(false) {
        config.max_msg_size = 1024;
        client_config.max_msg_size = 1024;
    }
    let mut server = ServerEngine::new(config, b"seed");
    for cmd in [
        Cmd::get("./DevInfo/Man"),
        Cmd::replace("./DevInfo/Lang", "fr"),
        Cmd::add("./SCOMO/Download/Pkg1", "node", None),
        Cmd::replace("./SCOMO/Download/Pkg1/Name", "Maps"),
        Cmd::atomic(vec![
            Cmd::replace("./DevInfo/Mod", "M2"),
            Cmd::delete("./DevInfo/Missing"),
        ]),
        Cmd::exec("./SCOMO/Download/Pkg1/Operations/Download", None),
        Cmd::get("./SCOMO?list=Struct"),
    ] {
        server.queue(cmd);
    }
    let mut client = ClientEngine::new(client_config, b"seed");
    client.start(&mut tree, SESSION);
    let mut honest = client.poll_transmit().ok().flatten().map(|t| t.body);
    for msg_id in 1..=6 {
        let Ok(turn) = u.arbitrary::<ClientTurn>() else {
            break;
        };
        let body = match (turn, honest.take()) {
            (ClientTurn::Honest, Some(body)) => body,
            (ClientTurn::Flipped { at, xor }, Some(mut body)) => {
                if !body.is_empty() {
                    let at = at % body.len();
                    body[at] ^= xor.max(1);
                }
                body
            }
            (ClientTurn::Truncated { keep }, Some(mut body)) => {
                body.truncate(keep % (body.len() + 1));
                body
            }
            (ClientTurn::Raw, _) => {
                let len = u.int_in_range(0..=2048).unwrap_or(0);
                u.bytes(len.min(u.len())).unwrap_or_default().to_vec()
            }
            _ => match addressed_message(&mut u, msg_id, DEVICE, SERVER) {
                Ok(body) => body,
                Err(_) => break,
            },
        };
        let before = snapshot(&server);
        if server.handle_incoming(&body, None).is_err() {
            assert_eq!(
                snapshot(&server),
                before,
                "a refused message changed the server"
            );
        }
        while server.poll_event().is_some() {}
        let stored = snapshot(&server);
        server = serde_json::from_str(&stored).expect("the stored server deserialises");
        assert_eq!(
            snapshot(&server),
            stored,
            "the server does not resume as it was"
        );
        let Some(reply) = drain("server", || server.poll_transmit()) else {
            break;
        };
        // The honest client answers the server; what it says back is next round's honest body.
        if client
            .handle_incoming(&mut tree, &mut NoUi, &reply, None)
            .is_ok()
        {
            while client.poll_event().is_some() {}
            honest = client.poll_transmit().ok().flatten().map(|t| t.body);
        }
        if server.is_finished() {
            break;
        }
    }
}
