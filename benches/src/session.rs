//! The device tree, engines and canned server packages of the session benchmark, shared by
//! `benches/session.rs` and the `client_step` example (which profiles the same step).

use dm_session::{ClientConfig, ClientEngine, Cmd, NoUi, ServerConfig, ServerEngine, WireEncoding};
use dm_tree::{ExecRequest, Format, MoHandler, Op, Snapshot, Status, Tree};

/// The device's id.
pub const DEVICE: &str = "IMEI:353918050231873";
/// The server's id.
pub const SERVER: &str = "ExampleDM";
/// The server's URL.
pub const URI: &str = "https://dm.example.com/oma-dm";

/// DevInfo, 500 leaves under `./App`, an interior `./App/Sub` of 10, and an ACL open to all;
/// four operations under `./Ops` that a handler executes (see [`mount_handlers`]).
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
    add("./Ops", Format::Node, None);
    for i in 0..4 {
        add(&format!("./Ops/Op{i}"), Format::Null, None);
    }
    for (node, acl) in [
        ("./App", "Add=*&Delete=*&Exec=*&Get=*&Replace=*"),
        ("./Ops", "Exec=*&Get=*"),
    ] {
        let uri = format!("{node}?prop=ACL");
        let op = Op::replace(&uri).with_text(acl);
        assert!(t.execute_local(&op).status.is_success(), "{node}");
    }
    mount_handlers(&mut t);
    t
}

/// Runs every Exec of `./Ops` at once (200), as an MO's handler does for a quick operation.
struct Operations;

impl MoHandler for Operations {
    fn exec(&mut self, _tree: &mut Tree, _request: &ExecRequest<'_>) -> Status {
        Status::OK
    }
}

/// Mounts the device's handlers, which a [`Snapshot`] does not carry: over `./Ops`, one that
/// executes its operations.
///
/// # Panics
/// If the tree refuses the mount (a bug in dm-tree).
pub fn mount_handlers(tree: &mut Tree) {
    assert!(tree.mount("./Ops", Box::new(Operations)).is_ok());
}

/// The device tree as `snapshot` keeps it, with its handlers.
pub fn restore_tree(snapshot: &Snapshot) -> Tree {
    let mut tree = Tree::new();
    tree.restore(snapshot.clone());
    mount_handlers(&mut tree);
    tree
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

/// A canned server package: the name the benchmark gives it and the commands it carries.
pub type Package = (&'static str, fn() -> Vec<Cmd>);

/// The three canned packages of the client step.
pub const PACKAGES: [Package; 3] = [
    ("1-get", one_get),
    ("20-mixed", mixed_20),
    ("500-replace", replace_500),
];

/// Package "1 Get".
pub fn one_get() -> Vec<Cmd> {
    vec![Cmd::get("./App/N1")]
}

/// Package "20 mixed": Get, Replace, Add, Exec (of an operation a handler runs) and Get on an
/// interior node, four times.
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
        v.push(Cmd::exec(format!("./Ops/Op{i}"), None));
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
pub fn canned(enc: WireEncoding, cmds: Vec<Cmd>) -> (ClientEngine, Snapshot, Vec<u8>) {
    let c = Canned::new(enc, cmds);
    (c.client, c.tree, c.package2)
}

/// The state and messages of a canned client step: what [`canned`] gives, with the client's
/// package 1 that package 2 answers, so that another DM client can be fed the same bytes.
pub struct Canned {
    /// The client after sending package 1, about to take package 2.
    pub client: ClientEngine,
    /// The device tree at that point.
    pub tree: Snapshot,
    /// The client's package 1 (Alert 1201 and DevInfo).
    pub package1: Vec<u8>,
    /// The server's package 2: the Statuses of package 1, then the canned commands.
    pub package2: Vec<u8>,
}

impl Canned {
    /// Plays package 1 and builds package 2 carrying `cmds`, in `enc`.
    ///
    /// # Panics
    /// If the engines fail on their own messages (a bug in dm-session).
    #[allow(clippy::unwrap_used)]
    pub fn new(enc: WireEncoding, cmds: Vec<Cmd>) -> Self {
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
        Self {
            client: c,
            tree: tree.snapshot(),
            package1: t.body,
            package2: r.body,
        }
    }

    /// Runs the step once on copies of the client and the tree: the client's reply to
    /// package 2.
    ///
    /// # Errors
    /// What the client's `handle_incoming` or `poll_transmit` reports.
    pub fn reply(&self) -> Result<Vec<u8>, dm_session::SessionError> {
        let mut client = self.client.clone();
        let mut tree = restore_tree(&self.tree);
        client.handle_incoming(&mut tree, &mut NoUi, &self.package2, None)?;
        Ok(client.poll_transmit()?.map(|t| t.body).unwrap_or_default())
    }
}

/// One whole session on `tree`: pkg 1, pkg 2 (4 commands), pkg 3, pkg 4 (4 commands), pkg 5,
/// and the server's closing message. Returns the number of messages (6).
///
/// # Panics
/// If the engines fail on their own messages (a bug in dm-session).
#[allow(clippy::unwrap_used)]
pub fn full_session(enc: WireEncoding, tree: &mut Tree) -> usize {
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
        while c.poll_event().is_some() {}
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
