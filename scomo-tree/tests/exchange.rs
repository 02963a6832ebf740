#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The server toolkit and the agent talking in memory through encoded SyncML messages.

use std::borrow::Cow;

use dm_tree::{Op, Tree};
use scomo_tree::installer::{run_job, MemoryFetcher, MemoryInstaller};
use scomo_tree::server::{
    inventory_from_results, operation_results, Campaign, Outcome, PackageSpec, ScomoServer,
};
use scomo_tree::{AgentConfig, Operation, ScomoAgent};
use syncml_codec::{
    Alert, Command, Data, Encoding, Format, GenericAlertItem, Item, Message, Results,
};

const DEV: &str = "IMEI:1";
const SRV: &str = "srvA";

/// A tiny stand-in for dm-session: applies a server message to the tree.
fn apply(tree: &mut Tree, agent: &ScomoAgent, msg: &Message<'_>) -> Vec<Command<'static>> {
    let mut results = Vec::new();
    let mut pending_lo: Vec<u8> = Vec::new();
    for cmd in msg.all_commands() {
        let (kind, item) = match cmd {
            Command::Add(c) => ("add", &c.items[0]),
            Command::Replace(c) => ("replace", &c.items[0]),
            Command::Get(c) => ("get", &c.items[0]),
            Command::Exec(c) => ("exec", &c.items[0]),
            _ => continue,
        };
        let target = item.target.as_ref().unwrap().loc_uri.to_string();
        let bytes: Vec<u8> = match &item.data {
            Some(Data::Text(t)) => t.as_bytes().to_vec(),
            Some(Data::Opaque(b)) => b.to_vec(),
            _ => Vec::new(),
        };
        if item.more_data {
            pending_lo.extend_from_slice(&bytes);
            continue;
        }
        let data = if pending_lo.is_empty() {
            bytes
        } else {
            pending_lo.drain(..).chain(bytes).collect()
        };
        let format = item
            .meta
            .as_ref()
            .and_then(|m| m.format.as_ref())
            .and_then(|f| dm_tree::Format::from_name(f.as_str()));
        let mut op = match kind {
            "add" => Op::add(&target),
            "replace" => Op::replace(&target),
            "get" => Op::get(&target),
            _ => Op::exec(&target),
        };
        if let Some(f) = format {
            op = op.with_format(f);
        }
        if !data.is_empty() {
            op = op.with_data(&data);
        }
        if let Command::Exec(e) = cmd {
            if let Some(c) = &e.correlator {
                op = op.with_correlator(c);
            }
        }
        let out = tree.execute(SRV, &op);
        assert!(out.status.is_success(), "{kind} {target}: {}", out.status);
        agent.sync(tree).unwrap();
        for r in out.results {
            results.push(Command::Results(Results {
                cmd_ref: cmd.cmd_id().to_owned().into(),
                items: vec![Item::source(r.source).with_data(Data::text(
                    String::from_utf8(r.data.unwrap_or_default()).unwrap(),
                ))],
                ..Results::default()
            }));
        }
    }
    results
}

fn roundtrip(msg: Message<'_>) -> Vec<u8> {
    msg.to_bytes(Encoding::Xml).unwrap()
}

fn client_message(tree: &mut Tree, extra: Vec<Command<'static>>) -> Vec<u8> {
    let mut b = Message::client("1", "2", DEV, "https://dm.example");
    for a in tree.alerts_mut().drain() {
        let item = GenericAlertItem {
            source: a.source.map(Cow::Owned),
            target: a.target.map(Cow::Owned),
            alert_type: Cow::Owned(a.alert_type),
            format: Format::parse(Cow::Owned(a.format)),
            mark: a.mark.map(Cow::Owned),
            data: Data::text(a.data),
        };
        b = b.command(Command::Alert(Alert::generic(
            "",
            a.correlator.map(Cow::Owned),
            vec![item],
        )));
    }
    for c in extra {
        b = b.command(c);
    }
    roundtrip(b.final_flag(true).build())
}

#[test]
fn server_toolkit_and_agent_full_exchange() {
    let mut tree = Tree::new();
    let agent = ScomoAgent::new(AgentConfig::default());
    agent.attach(&mut tree).unwrap();
    let mut installer = MemoryInstaller::new();
    let mut fetcher = MemoryFetcher::new().with("http://dl/app1", b"App1 1.0 App One\nLib1 0.3\n");

    let mut server = ScomoServer::new("./SCOMO", "c");
    let mut campaign = Campaign::new();
    let pkg = PackageSpec {
        pkg_id: "pkg-1".into(),
        name: "App One".into(),
        url: "http://dl/app1".into(),
        digest: Some(scomo_tree::integrity::sha256_hex(
            b"App1 1.0 App One\nLib1 0.3\n",
        )),
        ..PackageSpec::default()
    };
    let dl = server.download("P1", &pkg, Operation::DownloadInstall);
    let direct = server.deliver("D1", "pkg-2", "Two", b"App2 2.0\n", 4);
    assert!(direct.commands.len() > 4, "large object split in chunks");
    let inst = server.install("D1", true);
    campaign.track(DEV, &dl);
    campaign.track(DEV, &inst);
    assert_eq!(campaign.summary().pending, 2);

    let mut b = Message::server("1", "1", "https://dm.example", DEV);
    for c in dl
        .commands
        .iter()
        .chain(&direct.commands)
        .chain(&inst.commands)
    {
        b = b.command(c.clone());
    }
    let wire = roundtrip(b.final_flag(true).build());
    let msg = syncml_codec::decode(&wire).unwrap();
    apply(&mut tree, &agent, &msg);

    // the host runs the jobs
    while let Some(job) = agent.poll_job() {
        let out = run_job(&job.kind, &mut installer, &mut fetcher).unwrap();
        agent.complete(&mut tree, job.id, out).unwrap();
    }
    let wire = client_message(&mut tree, Vec::new());
    let msg = syncml_codec::decode(&wire).unwrap();
    let results: Vec<_> = operation_results(&msg)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(results.len(), 3, "two components from P1, one from D1");
    for r in results {
        assert!(campaign.record(DEV, r));
    }
    let t = campaign
        .get(DEV, dl.correlator.as_deref().unwrap())
        .unwrap();
    match &t.outcome {
        Outcome::Done(items) => {
            let ids: Vec<_> = items.iter().map(|i| i.identifier.as_str()).collect();
            assert_eq!(ids, ["App1", "Lib1"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(campaign.summary().done, 2);

    // a failing activate (App1 is already active → 405 at Exec) and a deactivate
    let deact = server.deactivate("App1");
    campaign.track(DEV, &deact);
    installer.fail("deactivate", scomo_tree::ResultCode::DEACTIVATE_FAILED);
    let mut b = Message::server("1", "2", "https://dm.example", DEV);
    for c in &deact.commands {
        b = b.command(c.clone());
    }
    b = b.command(server.get_inventory());
    let msg_bytes = roundtrip(b.final_flag(true).build());
    let msg = syncml_codec::decode(&msg_bytes).unwrap();
    let inv_results = apply(&mut tree, &agent, &msg);
    while let Some(job) = agent.poll_job() {
        let out = run_job(&job.kind, &mut installer, &mut fetcher).unwrap();
        agent.complete(&mut tree, job.id, out).unwrap();
    }
    let wire = client_message(&mut tree, inv_results);
    let msg = syncml_codec::decode(&wire).unwrap();
    for r in operation_results(&msg) {
        assert!(campaign.record(DEV, r.unwrap()));
    }
    assert!(matches!(
        campaign
            .get(DEV, deact.correlator.as_deref().unwrap())
            .unwrap()
            .outcome,
        Outcome::Failed(_)
    ));
    assert_eq!(campaign.summary().failed, 1);

    let inv = inventory_from_results(&msg);
    let app1 = &inv.deployed.items["App1"];
    // the Get ran while the deactivate was in progress (Status 70)
    assert_eq!(
        (app1.version.as_str(), app1.state, app1.status),
        ("1.0", 20, 70)
    );
    assert_eq!(
        app1.ext.as_ref().and_then(|e| e.owner.as_deref()),
        Some(SRV)
    );
    assert_eq!(
        inv.deployed.items["App2"].pkg_id_ref.as_deref(),
        Some("pkg-2")
    );
    assert_eq!(inv.delivered.items["P1"].state, 20);
    // the device's own view agrees with what the server read, except the finished deactivate
    let mut now = scomo_tree::inventory::read_tree(&tree, "./SCOMO");
    assert_eq!(now.deployed.items["App1"].status, 60);
    now.deployed.items.get_mut("App1").unwrap().status = 70;
    assert_eq!(now, inv);
}
