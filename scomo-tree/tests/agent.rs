#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The SCOMO Client: every operation's success and failure paths with their Status/State
//! sequences, alerts, consent, integrity, ownership and restart.

use dm_tree::{Format, GenericAlert, Op, Status, Tree, Value};
use scomo_tree::agent::{AgentConfig, AgentState, JobKind, JobOutcome, ScomoAgent};
use scomo_tree::consent::{ConsentPolicy, Decision};
use scomo_tree::installer::{run_job, Installer, MemoryFetcher, MemoryInstaller};
use scomo_tree::integrity::{sha256_hex, to_hex, AcceptAll, Sha256Ed25519};
use scomo_tree::{OperationComplete, ResultCode, ALERT_TYPE};

const SRV: &str = "srvA";
const PKG: &[u8] = b"App1 1.0 First App\n";
const URL: &str = "http://dl.example/p1";

struct Rig {
    tree: Tree,
    agent: ScomoAgent,
    installer: MemoryInstaller,
    fetcher: MemoryFetcher,
}

fn rig_with(agent: ScomoAgent) -> Rig {
    let mut tree = Tree::new();
    agent.attach(&mut tree).unwrap();
    Rig {
        tree,
        agent,
        installer: MemoryInstaller::new(),
        fetcher: MemoryFetcher::new().with(URL, PKG),
    }
}

fn rig() -> Rig {
    rig_with(ScomoAgent::new(AgentConfig::default()))
}

impl Rig {
    // No explicit sync: the agent hears of every Add through dm-tree's change hook.
    fn srv(&mut self, server: &str, op: Op<'_>) -> Status {
        self.tree.execute(server, &op).status
    }

    fn add_download(&mut self, x: &str, url: &str) {
        let base = format!("./SCOMO/Download/{x}");
        assert_eq!(
            self.srv(SRV, Op::add(&base).with_format(Format::Node)),
            Status::OK
        );
        for (leaf, v) in [("PkgID", "pkg-1"), ("Name", "Package One"), ("PkgURL", url)] {
            let uri = format!("{base}/{leaf}");
            assert_eq!(
                self.srv(SRV, Op::add(&uri).with_text(v)),
                Status::OK,
                "{uri}"
            );
        }
    }

    fn exec(&mut self, server: &str, uri: &str, correlator: Option<&str>) -> Status {
        let mut op = Op::exec(uri);
        if let Some(c) = correlator {
            op = op.with_correlator(c);
        }
        self.srv(server, op)
    }

    fn int(&self, uri: &str) -> Option<i32> {
        match self.tree.node(uri)?.value() {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn text(&self, uri: &str) -> Option<String> {
        self.tree.node(uri)?.value().as_text().map(str::to_owned)
    }

    /// Runs one job with the in-memory installer and fetcher.
    fn step(&mut self) -> JobKind {
        let job = self.agent.poll_job().expect("a job");
        let outcome =
            run_job(&job.kind, &mut self.installer, &mut self.fetcher).expect("not consent");
        self.agent
            .complete(&mut self.tree, job.id, outcome)
            .unwrap();
        job.kind
    }

    fn alerts(&mut self) -> Vec<GenericAlert> {
        self.tree.alerts_mut().drain().collect()
    }

    /// Installs PKG through DownloadInstall and returns the component's Deployed URI.
    fn deploy(&mut self) -> String {
        self.add_download("P1", URL);
        assert_eq!(
            self.exec(SRV, "./SCOMO/Download/P1/Operations/DownloadInstall", None),
            Status::ACCEPTED
        );
        self.step();
        self.step();
        self.alerts();
        "./SCOMO/Inventory/Deployed/App1".to_owned()
    }
}

#[test]
fn download_install_success_sequence_and_alert_shape() {
    let mut r = rig();
    r.add_download("P1", URL);
    let st = "./SCOMO/Download/P1/Status";
    assert_eq!(r.int(st), Some(10));
    let src = "./SCOMO/Download/P1/Operations/DownloadInstall";
    assert_eq!(r.exec(SRV, src, Some("corr-1")), Status::ACCEPTED);
    assert_eq!(r.int(st), Some(30));
    assert!(matches!(r.step(), JobKind::Download { ref url, .. } if url == URL));
    // downloaded: 40 then straight to 50 while the install job runs
    assert_eq!(r.int(st), Some(50));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/State"), Some(10));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/Status"), Some(40));
    assert!(r.alerts().is_empty(), "no alert before the end");
    assert!(matches!(r.step(), JobKind::Install { active: true, .. }));
    assert_eq!(r.int(st), Some(10));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/State"), Some(20));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/Status"), Some(10));
    let dep = "./SCOMO/Inventory/Deployed/App1";
    assert_eq!(r.text(&format!("{dep}/ID")).as_deref(), Some("App1"));
    assert_eq!(r.text(&format!("{dep}/Version")).as_deref(), Some("1.0"));
    assert_eq!(r.text(&format!("{dep}/Name")).as_deref(), Some("First App"));
    assert_eq!(r.text(&format!("{dep}/PkgIDRef")).as_deref(), Some("pkg-1"));
    assert_eq!(r.int(&format!("{dep}/State")), Some(20));
    assert_eq!(r.int(&format!("{dep}/Status")), Some(10));
    assert_eq!(r.text(&format!("{dep}/Ext/Owner")).as_deref(), Some(SRV));
    // scomo.md §4: 1226 item fields
    let alerts = r.alerts();
    assert_eq!(
        alerts,
        vec![GenericAlert {
            source: Some(src.to_owned()),
            target: Some(dep.to_owned()),
            alert_type: "urn:oma:at:scomo:1.0:OperationComplete".to_owned(),
            format: "xml".to_owned(),
            mark: Some("informational".to_owned()),
            data: "<ResultCode>1200</ResultCode><Identifier>App1</Identifier>".to_owned(),
            correlator: Some("corr-1".to_owned()),
        }]
    );
    assert_eq!(alerts[0].alert_type, ALERT_TYPE);
    assert!(r.agent.poll_event().is_some(), "the user is informed");
}

#[test]
fn download_only_then_install_inactive_then_activate_deactivate_remove() {
    let mut r = rig();
    r.add_download("P1", URL);
    assert_eq!(
        r.exec(SRV, "./SCOMO/Download/P1/Operations/Download", None),
        Status::ACCEPTED
    );
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(30));
    r.step();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(40));
    let a = r.alerts();
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].target.as_deref(),
        Some("./SCOMO/Inventory/Delivered/P1")
    );
    assert_eq!(
        a[0].data,
        "<ResultCode>1200</ResultCode><Identifier>pkg-1</Identifier>"
    );
    assert_eq!(a[0].correlator, None, "no correlator sent, none echoed");
    let del = "./SCOMO/Inventory/Delivered/P1";
    assert_eq!(r.int(&format!("{del}/State")), Some(10));

    assert_eq!(
        r.exec(
            SRV,
            &format!("{del}/Operations/InstallInactive"),
            Some("c2")
        ),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{del}/Status")), Some(40));
    assert!(matches!(r.step(), JobKind::Install { active: false, .. }));
    assert_eq!(r.int(&format!("{del}/Status")), Some(10));
    assert_eq!(r.int(&format!("{del}/State")), Some(20));
    let dep = "./SCOMO/Inventory/Deployed/App1";
    assert_eq!(r.int(&format!("{dep}/State")), Some(10));
    assert_eq!(
        r.alerts()[0].source.as_deref(),
        Some("./SCOMO/Inventory/Delivered/P1/Operations/InstallInactive")
    );
    // Install again on an Installed package: wrong state
    assert_eq!(
        r.exec(SRV, &format!("{del}/Operations/Install"), None),
        Status::COMMAND_NOT_ALLOWED
    );
    // Deactivate an Inactive component: wrong state
    assert_eq!(
        r.exec(SRV, &format!("{dep}/Operations/Deactivate"), None),
        Status::COMMAND_NOT_ALLOWED
    );

    assert_eq!(
        r.exec(SRV, &format!("{dep}/Operations/Activate"), None),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{dep}/Status")), Some(50));
    r.step();
    assert_eq!(
        (
            r.int(&format!("{dep}/Status")),
            r.int(&format!("{dep}/State"))
        ),
        (Some(10), Some(20))
    );
    assert!(r.installer.components["App1"].active);

    assert_eq!(
        r.exec(SRV, &format!("{dep}/Operations/Deactivate"), None),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{dep}/Status")), Some(70));
    r.step();
    assert_eq!(
        (
            r.int(&format!("{dep}/Status")),
            r.int(&format!("{dep}/State"))
        ),
        (Some(10), Some(10))
    );

    assert_eq!(
        r.exec(SRV, &format!("{dep}/Operations/Remove"), None),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{dep}/Status")), Some(30));
    r.step();
    assert!(r.tree.node(dep).is_none());
    assert!(r.installer.components.is_empty());

    assert_eq!(
        r.exec(SRV, &format!("{del}/Operations/Remove"), None),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{del}/Status")), Some(30));
    r.step();
    assert!(r.tree.node(del).is_none());
    let a = r.alerts();
    assert_eq!(a.len(), 4);
    assert!(a.iter().all(|x| x.mark.as_deref() == Some("informational")));
    assert_eq!(
        a[2].data,
        "<ResultCode>1200</ResultCode><Identifier>App1</Identifier>"
    );
    assert_eq!(
        a[3].data,
        "<ResultCode>1200</ResultCode><Identifier>pkg-1</Identifier>"
    );
}

#[test]
fn download_failure_gives_20_and_server_error_class() {
    let mut r = rig();
    r.fetcher = MemoryFetcher::new().failing(URL, ResultCode::DOWNLOAD_SERVER_UNAVAILABLE);
    r.add_download("P1", URL);
    assert_eq!(
        r.exec(
            SRV,
            "./SCOMO/Download/P1/Operations/DownloadInstallInactive",
            Some("k")
        ),
        Status::ACCEPTED
    );
    r.step();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(20));
    assert!(r.tree.node("./SCOMO/Inventory/Delivered/P1").is_none());
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1501</ResultCode><Identifier>pkg-1</Identifier>"
    );
    assert_eq!(a[0].mark.as_deref(), Some("critical"));
    assert_eq!(a[0].target, None);
    assert_eq!(a[0].correlator.as_deref(), Some("k"));
    assert!(r.agent.poll_job().is_none());
    // a failed download may be retried
    r.fetcher = MemoryFetcher::new().with(URL, PKG);
    assert_eq!(
        r.exec(
            SRV,
            "./SCOMO/Download/P1/Operations/DownloadInstallInactive",
            None
        ),
        Status::ACCEPTED
    );
    r.step();
    r.step();
    assert_eq!(r.int("./SCOMO/Inventory/Deployed/App1/State"), Some(10));
}

#[test]
fn install_failure_keeps_data_60_and_delivered_50() {
    let mut r = rig();
    r.installer
        .fail("install", ResultCode::INSTALL_OUT_OF_MEMORY);
    r.add_download("P1", URL);
    r.exec(SRV, "./SCOMO/Download/P1/Operations/DownloadInstall", None);
    r.step();
    r.step();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(60));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/Status"), Some(50));
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/State"), Some(10));
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1406</ResultCode><Identifier>pkg-1</Identifier>"
    );
    assert_eq!(a[0].mark.as_deref(), Some("warning"));
    assert_eq!(
        a[0].target.as_deref(),
        Some("./SCOMO/Inventory/Delivered/P1")
    );
    // the package is still there: Install retries from Delivered
    assert_eq!(
        r.exec(
            SRV,
            "./SCOMO/Inventory/Delivered/P1/Operations/Install",
            None
        ),
        Status::ACCEPTED
    );
    r.step();
    assert_eq!(r.int("./SCOMO/Inventory/Delivered/P1/State"), Some(20));
}

#[test]
fn activate_deactivate_remove_failures() {
    let mut r = rig();
    let dep = r.deploy();
    r.installer
        .fail("deactivate", ResultCode::DEACTIVATE_FAILED);
    r.exec(SRV, &format!("{dep}/Operations/Deactivate"), None);
    r.step();
    assert_eq!(
        (
            r.int(&format!("{dep}/Status")),
            r.int(&format!("{dep}/State"))
        ),
        (Some(60), Some(20))
    );
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1410<"));
    r.exec(SRV, &format!("{dep}/Operations/Deactivate"), None);
    r.step();
    r.alerts();
    r.installer.fail("activate", ResultCode::ACTIVATE_FAILED);
    r.exec(SRV, &format!("{dep}/Operations/Activate"), None);
    r.step();
    assert_eq!(
        (
            r.int(&format!("{dep}/Status")),
            r.int(&format!("{dep}/State"))
        ),
        (Some(40), Some(10))
    );
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1409<"));
    r.installer.fail("remove", ResultCode::REMOVE_FAILED);
    r.exec(SRV, &format!("{dep}/Operations/Remove"), None);
    r.step();
    assert_eq!(r.int(&format!("{dep}/Status")), Some(20));
    assert!(r.tree.node(&dep).is_some());
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1408<"));
    let del = "./SCOMO/Inventory/Delivered/P1";
    r.installer
        .fail("remove_package", ResultCode::REMOVE_FAILED);
    r.exec(SRV, &format!("{del}/Operations/Remove"), None);
    r.step();
    assert_eq!(r.int(&format!("{del}/Status")), Some(20));
}

#[test]
fn update_replaces_in_place_and_failed_update_rolls_back() {
    let mut r = rig();
    let dep = r.deploy();
    // version 2 of App1, delivered directly through DM (Replace on Data)
    let del = "./SCOMO/Inventory/Delivered/P2";
    assert_eq!(
        r.srv(SRV, Op::add(del).with_format(Format::Node)),
        Status::OK
    );
    r.srv(SRV, Op::add(&format!("{del}/PkgID")).with_text("pkg-2"));
    r.srv(
        SRV,
        Op::add(&format!("{del}/Name")).with_text("Package Two"),
    );
    assert_eq!(
        r.srv(
            SRV,
            Op::replace(&format!("{del}/Data")).with_data(b"App1 2.0 First App\n")
        ),
        Status::OK
    );
    assert_eq!(r.int(&format!("{del}/State")), Some(10));

    // failed update: the old version stays and keeps working
    r.installer.fail("install", ResultCode(1472));
    assert_eq!(
        r.exec(SRV, &format!("{del}/Operations/Install"), None),
        Status::ACCEPTED
    );
    r.step();
    assert_eq!(r.text(&format!("{dep}/Version")).as_deref(), Some("1.0"));
    assert_eq!(r.installer.components["App1"].version, "1.0");
    assert_eq!(r.int(&format!("{del}/Status")), Some(50));
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1472</ResultCode><Identifier>pkg-2</Identifier>"
    );

    // successful update: same Deployed node, new version, State kept (Active)
    r.exec(SRV, &format!("{del}/Operations/Install"), Some("upd"));
    r.step();
    assert_eq!(r.text(&format!("{dep}/Version")).as_deref(), Some("2.0"));
    assert_eq!(r.text(&format!("{dep}/PkgIDRef")).as_deref(), Some("pkg-2"));
    assert_eq!(r.int(&format!("{dep}/State")), Some(20));
    let deployed = r.tree.node("./SCOMO/Inventory/Deployed").unwrap().id();
    assert_eq!(r.tree.children(deployed).count(), 1);
    let a = r.alerts();
    assert_eq!(a[0].target.as_deref(), Some(dep.as_str()));
    assert_eq!(a[0].correlator.as_deref(), Some("upd"));
}

#[test]
fn one_alert_item_per_component() {
    let mut r = rig();
    r.fetcher = MemoryFetcher::new().with(URL, b"A 1\nB 1\nC 3 Third\n");
    r.add_download("P1", URL);
    r.exec(
        SRV,
        "./SCOMO/Download/P1/Operations/DownloadInstall",
        Some("multi"),
    );
    r.step();
    r.step();
    let a = r.alerts();
    let targets: Vec<_> = a.iter().map(|x| x.target.clone().unwrap()).collect();
    assert_eq!(
        targets,
        [
            "./SCOMO/Inventory/Deployed/A",
            "./SCOMO/Inventory/Deployed/B",
            "./SCOMO/Inventory/Deployed/C"
        ]
    );
    assert!(a.iter().all(|x| x.source.as_deref()
        == Some("./SCOMO/Download/P1/Operations/DownloadInstall")
        && x.correlator.as_deref() == Some("multi")));
}

#[test]
fn consent_refusal_is_1401_and_asking_waits_for_the_user() {
    let policy = ConsentPolicy::new(Decision::Allow)
        .with("srvDeny", Decision::Deny)
        .with(SRV, Decision::AskUser);
    let agent = ScomoAgent::with_parts(
        AgentConfig::default(),
        Box::new(policy),
        Box::new(AcceptAll),
    );
    let mut r = rig_with(agent);
    r.add_download("P1", URL);
    // the user says no
    assert_eq!(
        r.exec(SRV, "./SCOMO/Download/P1/Operations/Download", Some("c")),
        Status::ACCEPTED
    );
    assert_eq!(
        r.int("./SCOMO/Download/P1/Status"),
        Some(10),
        "nothing started before consent"
    );
    let job = r.agent.poll_job().unwrap();
    assert!(matches!(&job.kind, JobKind::AskConsent { authority: Some(a), .. } if a == SRV));
    assert!(run_job(&job.kind, &mut r.installer, &mut r.fetcher).is_none());
    r.agent
        .complete(&mut r.tree, job.id, JobOutcome::Consent(false))
        .unwrap();
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1401</ResultCode><Identifier>pkg-1</Identifier>"
    );
    assert_eq!(a[0].mark.as_deref(), Some("warning"));
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(10));
    // the user says yes
    r.exec(SRV, "./SCOMO/Download/P1/Operations/Download", None);
    let job = r.agent.poll_job().unwrap();
    r.agent
        .complete(&mut r.tree, job.id, JobOutcome::Consent(true))
        .unwrap();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(30));
    r.step();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(40));
    // a denied authority gets 1401 at once (on its own item)
    r.add_download_as("srvDeny", "P9");
    assert_eq!(
        r.exec("srvDeny", "./SCOMO/Download/P9/Operations/Download", None),
        Status::ACCEPTED
    );
    assert!(r
        .alerts()
        .last()
        .unwrap()
        .data
        .starts_with("<ResultCode>1401<"));
    assert!(r.agent.poll_job().is_none());
}

impl Rig {
    fn add_download_as(&mut self, server: &str, x: &str) {
        let base = format!("./SCOMO/Download/{x}");
        assert_eq!(
            self.srv(server, Op::add(&base).with_format(Format::Node)),
            Status::OK
        );
        self.srv(server, Op::add(&format!("{base}/PkgID")).with_text("pkg-9"));
        self.srv(server, Op::add(&format!("{base}/PkgURL")).with_text(URL));
    }
}

fn signing_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}

fn verifying_agent() -> ScomoAgent {
    let key = signing_key().verifying_key().to_bytes();
    let integrity = Sha256Ed25519::new().with_anchor(&key).unwrap();
    ScomoAgent::with_parts(
        AgentConfig::default(),
        Box::new(ConsentPolicy::default()),
        Box::new(integrity),
    )
}

#[test]
fn integrity_digest_mismatch_is_1407() {
    let mut r = rig_with(verifying_agent());
    r.add_download("P1", URL);
    let digest = sha256_hex(b"something else");
    assert_eq!(
        r.srv(
            SRV,
            Op::add("./SCOMO/Download/P1/Ext/Digest").with_text(&digest)
        ),
        Status::OK
    );
    r.exec(SRV, "./SCOMO/Download/P1/Operations/DownloadInstall", None);
    r.step();
    assert_eq!(r.int("./SCOMO/Download/P1/Status"), Some(20));
    assert!(r.agent.poll_job().is_none(), "nothing installed");
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1407</ResultCode><Identifier>pkg-1</Identifier>"
    );
}

#[test]
fn integrity_good_digest_and_signature_install() {
    use ed25519_dalek::Signer;
    let mut r = rig_with(verifying_agent());
    r.add_download("P1", URL);
    let sig = to_hex(&signing_key().sign(PKG).to_bytes());
    r.srv(
        SRV,
        Op::add("./SCOMO/Download/P1/Ext/Digest").with_text(&sha256_hex(PKG)),
    );
    r.srv(
        SRV,
        Op::add("./SCOMO/Download/P1/Ext/Signature").with_text(&sig),
    );
    r.exec(SRV, "./SCOMO/Download/P1/Operations/DownloadInstall", None);
    r.step();
    r.step();
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1200<"));
}

#[test]
fn integrity_bad_signature_on_direct_delivery_is_1407() {
    use ed25519_dalek::Signer;
    let mut r = rig_with(verifying_agent());
    let del = "./SCOMO/Inventory/Delivered/D1";
    r.srv(SRV, Op::add(&format!("{del}/Data")).with_data(PKG));
    r.srv(SRV, Op::add(&format!("{del}/PkgID")).with_text("pkg-d"));
    // signed by a key that is not a trust anchor
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let sig = to_hex(&other.sign(PKG).to_bytes());
    assert_eq!(
        r.srv(
            SRV,
            Op::add(&format!("{del}/Ext/Signature")).with_text(&sig)
        ),
        Status::OK
    );
    r.exec(SRV, &format!("{del}/Operations/Install"), None);
    assert_eq!(r.int(&format!("{del}/Status")), Some(50));
    let a = r.alerts();
    assert_eq!(
        a[0].data,
        "<ResultCode>1407</ResultCode><Identifier>pkg-d</Identifier>"
    );
    assert!(r.installer.components.is_empty());
}

#[test]
fn install_without_data_is_60() {
    let mut r = rig();
    let del = "./SCOMO/Inventory/Delivered/D1";
    r.srv(SRV, Op::add(&format!("{del}/PkgID")).with_text("pkg-d"));
    assert_eq!(
        r.exec(SRV, &format!("{del}/Operations/Install"), None),
        Status::ACCEPTED
    );
    assert_eq!(r.int(&format!("{del}/Status")), Some(60));
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1405<"));
}

#[test]
fn ownership_other_authority_gets_425() {
    let mut r = rig();
    let dep = r.deploy();
    for op in ["Activate", "Deactivate", "Remove"] {
        assert_eq!(
            r.exec("srvB", &format!("{dep}/Operations/{op}"), None),
            Status::PERMISSION_DENIED
        );
    }
    assert_eq!(
        r.exec("srvB", &format!("{dep}/Ext/Operations/Stop"), None),
        Status::PERMISSION_DENIED
    );
    assert_eq!(
        r.exec(
            "srvB",
            "./SCOMO/Inventory/Delivered/P1/Operations/Remove",
            None
        ),
        Status::PERMISSION_DENIED
    );
    // inventory stays readable by all
    assert_eq!(
        r.tree
            .execute("srvB", &Op::get(&format!("{dep}/Version")))
            .status,
        Status::OK
    );
    // the owner still can
    assert_eq!(
        r.exec(SRV, &format!("{dep}/Operations/Deactivate"), None),
        Status::ACCEPTED
    );
    // a package of srvB cannot replace srvA's component
    r.fetcher = MemoryFetcher::new().with("http://b/p", b"App1 9.9\n");
    r.add_download_as("srvB", "PB");
    r.srv(
        "srvB",
        Op::replace("./SCOMO/Download/PB/PkgURL").with_text("http://b/p"),
    );
    r.step();
    r.alerts();
    assert_eq!(
        r.exec(
            "srvB",
            "./SCOMO/Download/PB/Operations/DownloadInstall",
            None
        ),
        Status::ACCEPTED
    );
    r.step();
    r.step();
    assert!(r.alerts()[0].data.starts_with("<ResultCode>1405<"));
    assert_eq!(r.text(&format!("{dep}/Version")).as_deref(), Some("1.0"));
}

#[test]
fn relayed_start_stop() {
    let mut r = rig();
    let dep = r.deploy();
    assert_eq!(
        r.exec(SRV, &format!("{dep}/Ext/Operations/Start"), Some("s1")),
        Status::ACCEPTED
    );
    assert!(matches!(r.step(), JobKind::Start { ref component } if component == "App1"));
    assert_eq!(
        r.text(&format!("{dep}/Ext/RunState")).as_deref(),
        Some("Running")
    );
    assert!(r.installer.components["App1"].running);
    let a = r.alerts();
    assert_eq!(
        a[0].source.as_deref(),
        Some(format!("{dep}/Ext/Operations/Start").as_str())
    );
    assert_eq!(a[0].correlator.as_deref(), Some("s1"));
    r.exec(SRV, &format!("{dep}/Ext/Operations/Stop"), None);
    r.step();
    assert_eq!(
        r.text(&format!("{dep}/Ext/RunState")).as_deref(),
        Some("Stopped")
    );
    r.installer.fail("start", ResultCode(1460));
    r.exec(SRV, &format!("{dep}/Ext/Operations/Start"), None);
    r.step();
    assert!(r
        .alerts()
        .last()
        .unwrap()
        .data
        .starts_with("<ResultCode>1460<"));
}

#[test]
fn misspelt_and_missing_nodes_are_refused() {
    let mut r = rig();
    r.add_download("P1", URL);
    assert_eq!(
        r.exec(
            SRV,
            "./SCOMO/Download/P1/Operations/DownlaodInstallInactive",
            None
        ),
        Status::NOT_FOUND
    );
    // the server cannot create a misspelt operation node either (not in the DDF)
    assert_ne!(
        r.srv(
            SRV,
            Op::add("./SCOMO/Download/P1/Operations/DownlaodInstallInactive")
        ),
        Status::OK
    );
    assert_ne!(
        r.srv(SRV, Op::add("./SCOMO/download").with_format(Format::Node)),
        Status::OK
    );
    // Download without PkgURL is refused synchronously
    r.srv(
        SRV,
        Op::add("./SCOMO/Download/P2").with_format(Format::Node),
    );
    assert_eq!(
        r.exec(SRV, "./SCOMO/Download/P2/Operations/Download", None),
        Status::FORBIDDEN
    );
    // busy: a second Exec while the first runs
    assert_eq!(
        r.exec(SRV, "./SCOMO/Download/P1/Operations/Download", None),
        Status::ACCEPTED
    );
    assert_eq!(
        r.exec(SRV, "./SCOMO/Download/P1/Operations/DownloadInstall", None),
        Status::COMMAND_NOT_ALLOWED
    );
}

#[test]
fn restart_with_pending_alert_and_job() {
    let mut r = rig();
    r.add_download("P1", URL);
    r.exec(
        SRV,
        "./SCOMO/Download/P1/Operations/Download",
        Some("before-restart"),
    );
    r.step();
    let sent = r.alerts();
    assert_eq!(sent.len(), 1);
    // a second operation is in flight when the device goes down
    r.exec(
        SRV,
        "./SCOMO/Inventory/Delivered/P1/Operations/Install",
        Some("in-flight"),
    );
    let state_json = serde_json::to_string(&r.agent.state()).unwrap();
    let tree_json = serde_json::to_string(&r.tree).unwrap();
    drop(r);

    let mut tree: Tree = serde_json::from_str(&tree_json).unwrap();
    let state: AgentState = serde_json::from_str(&state_json).unwrap();
    let agent = ScomoAgent::restore(
        AgentConfig::default(),
        state,
        Box::new(ConsentPolicy::default()),
        Box::new(AcceptAll),
    );
    agent.attach(&mut tree).unwrap();
    assert_eq!(agent.requeue_pending(&mut tree), 1);
    let again: Vec<_> = tree.alerts_mut().drain().collect();
    assert_eq!(again, sent, "unacknowledged alert re-sent as is");
    // the in-flight install is handed out again
    let job = agent.poll_job().unwrap();
    assert!(matches!(job.kind, JobKind::Install { .. }));
    let mut inst = MemoryInstaller::new();
    let out = run_job(&job.kind, &mut inst, &mut MemoryFetcher::new()).unwrap();
    agent.complete(&mut tree, job.id, out).unwrap();
    let done: Vec<_> = tree.alerts_mut().drain().collect();
    assert_eq!(done[0].correlator.as_deref(), Some("in-flight"));
    assert_eq!(agent.pending_alerts().len(), 2);
    assert!(agent.acknowledge(&sent[0]));
    assert!(!agent.acknowledge(&sent[0]));
    assert_eq!(agent.requeue_pending(&mut tree), 1);
    assert!(agent.acknowledge(&done[0]));
    assert_eq!(agent.requeue_pending(&mut tree), 0);
}

#[test]
fn build_identity_root_and_unknown_job() {
    let cfg = AgentConfig {
        root: "./Vendor/SCM".to_owned(),
        build: Some("ACME-OS 4.2.1 (20250101)".to_owned()),
        ..AgentConfig::default()
    };
    let mut r = rig_with(ScomoAgent::new(cfg));
    assert_eq!(
        r.text("./Vendor/SCM/Ext/Build").as_deref(),
        Some("ACME-OS 4.2.1 (20250101)")
    );
    assert_eq!(
        r.text("./DevDetail/SwV").as_deref(),
        Some("ACME-OS 4.2.1 (20250101)")
    );
    let out = r.tree.execute(SRV, &Op::get("./Vendor/SCM?prop=Type"));
    assert_eq!(
        out.results[0].data.as_deref(),
        Some(&b"urn:oma:mo:oma-scomo:1.0"[..])
    );
    let err = r
        .agent
        .complete(&mut r.tree, scomo_tree::JobId(99), JobOutcome::Done);
    assert!(matches!(err, Err(scomo_tree::AgentError::UnknownJob(_))));
    // an installer is still usable directly
    assert!(r.installer.activate("nothing").is_err());
}

#[test]
fn inventory_get_tnds() {
    let mut r = rig();
    r.deploy();
    let out = r
        .tree
        .execute("srvB", &Op::get("./SCOMO/Inventory?list=TNDS+Value"));
    assert_eq!(out.status, Status::OK);
    let xml = String::from_utf8(out.results[0].data.clone().unwrap()).unwrap();
    assert!(xml.contains("<NodeName>App1</NodeName>"), "{xml}");
    assert!(xml.contains("<Value>1.0</Value>"));
    let parsed = OperationComplete::from_parts(
        Some(ALERT_TYPE),
        Some("xml"),
        Some("s"),
        None,
        "<![CDATA[<ResultCode>1200</ResultCode><Identifier>a&amp;b</Identifier>]]>",
        None,
    )
    .unwrap();
    assert_eq!(parsed.identifier, "a&b");
}

#[test]
fn inventory_queries_follow_the_consent_policy() {
    let policy = ConsentPolicy::new(Decision::Allow)
        .with_inventory_default(false)
        .with_inventory(SRV, true);
    let agent = ScomoAgent::with_parts(
        AgentConfig::default(),
        Box::new(policy),
        Box::new(AcceptAll),
    );
    let mut r = rig_with(agent);
    let open = Op::replace("./SCOMO?prop=ACL").with_text("Get=*&Add=*&Replace=*&Exec=*");
    assert_eq!(r.tree.execute_local(&open).status, Status::OK);
    // The allowed authority reads the inventory, directly and through ?list=.
    assert_eq!(
        r.srv(SRV, Op::get("./SCOMO/Inventory/Deployed")),
        Status::OK
    );
    assert_eq!(r.srv(SRV, Op::get("./SCOMO?list=Struct")), Status::OK);
    // Anyone else is refused (403), though its ACL would allow the Get.
    assert_eq!(
        r.srv("srvOther", Op::get("./SCOMO/Inventory/Deployed")),
        Status::FORBIDDEN
    );
    assert_eq!(
        r.srv("srvOther", Op::get("./SCOMO?list=TNDS")),
        Status::FORBIDDEN
    );
    // Reading outside the inventory needs no consent; neither does the device itself.
    assert_eq!(r.srv("srvOther", Op::get("./SCOMO/Download")), Status::OK);
    assert_eq!(
        r.tree.execute_local(&Op::get("./SCOMO/Inventory")).status,
        Status::OK
    );
}
