//! The device: a `dm-tree` tree with the SCOMO agent mounted, one `dm-session` client
//! engine per server account, the directory installer and the HTTP fetcher, all persisted
//! in a state directory.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use dm_session::{
    AuthType, ClientConfig, ClientEngine, ClientEvent, Credentials, NoUi, WireEncoding,
};
use dm_tree::{Format, GenericAlert, Op, Tree};
use scomo_tree::consent::ConsentPolicy;
use scomo_tree::installer::run_job;
use scomo_tree::integrity::Sha256Ed25519;
use scomo_tree::{AgentConfig, AgentState, Event, JobKind, JobOutcome, ScomoAgent};
use serde::{Deserialize, Serialize};

use super::http::{post, HttpFetcher};
use super::package::DirInstaller;
use super::Log;

/// One server account (the DMAcc values the device is bootstrapped with).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Account {
    /// `ServerID`.
    pub(crate) server_id: String,
    /// `AppAddr` (the server's URL).
    pub(crate) url: String,
    /// Client credentials name (`AAuthName` of CLCRED).
    pub(crate) client_name: String,
    /// Client secret.
    pub(crate) client_secret: String,
    /// Server secret (SRVCRED).
    pub(crate) server_secret: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    device_id: String,
    agent_config: AgentConfig,
    agent_state: AgentState,
    engines: BTreeMap<String, ClientEngine>,
    sessions: u32,
}

/// A running device.
#[derive(Debug)]
pub(crate) struct Device {
    device_id: String,
    tree: Tree,
    agent: ScomoAgent,
    installer: DirInstaller,
    fetcher: HttpFetcher,
    engines: BTreeMap<String, ClientEngine>,
    sessions: u32,
    dir: PathBuf,
    log: Log,
    defer_jobs: bool,
}

fn agent(config: AgentConfig, state: AgentState) -> ScomoAgent {
    ScomoAgent::restore(
        config,
        state,
        Box::new(ConsentPolicy::default()),
        Box::new(Sha256Ed25519::new()),
    )
}

fn belongs_to(alert: &GenericAlert, server_id: &str) -> bool {
    // Correlators are `<server id>-<n>` (the server toolkit's prefix): an alert goes back
    // to the server that asked for the operation.
    alert.correlator.as_deref().is_none_or(|c| {
        c.strip_prefix(server_id)
            .is_some_and(|rest| rest.starts_with('-'))
    })
}

fn io_err(what: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", what.display())
}

impl Device {
    /// Opens the device kept in `dir`, or creates it there.
    pub(crate) fn open(dir: &Path, device_id: &str, log: Log) -> Result<Self, String> {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let installer = DirInstaller::new(&dir.join("components")).map_err(|e| io_err(dir, e))?;
        let fetcher = HttpFetcher {
            max_size: 64 * 1024 * 1024,
            progress_from: 256 * 1024,
        };
        let saved_path = dir.join("device.json");
        let tree_path = dir.join("tree.json");
        if saved_path.exists() {
            let text = fs::read(&saved_path).map_err(|e| io_err(&saved_path, e))?;
            let saved: Saved = serde_json::from_slice(&text).map_err(|e| io_err(&saved_path, e))?;
            let mut tree = dm_tree::persist::load(&tree_path).map_err(|e| io_err(&tree_path, e))?;
            let agent = agent(saved.agent_config, saved.agent_state);
            agent
                .attach(&mut tree)
                .map_err(|e| format!("SCOMO agent: {e}"))?;
            log.line(&format!(
                "[device] {} restored from {} ({} components, {} alerts pending)",
                saved.device_id,
                dir.display(),
                installer.list().len(),
                agent.pending_alerts().len()
            ));
            return Ok(Self {
                device_id: saved.device_id,
                tree,
                agent,
                installer,
                fetcher,
                engines: saved.engines,
                sessions: saved.sessions,
                dir: dir.to_owned(),
                log,
                defer_jobs: false,
            });
        }
        let mut tree = Tree::new();
        for (uri, value) in [
            ("./DevInfo/DevId", device_id),
            ("./DevInfo/Man", "dmtool"),
            ("./DevInfo/Mod", "dmtool device"),
            ("./DevInfo/DmV", "1.2"),
            ("./DevInfo/Lang", "en-US"),
        ] {
            let out = tree.execute_local(&Op::add(uri).with_format(Format::Chr).with_text(value));
            if !out.status.is_success() {
                return Err(format!("cannot create {uri}: {}", out.status.0));
            }
        }
        let config = AgentConfig {
            build: Some(concat!("dmtool-", env!("CARGO_PKG_VERSION")).to_owned()),
            ..AgentConfig::default()
        };
        let agent = agent(config, AgentState::default());
        agent
            .attach(&mut tree)
            .map_err(|e| format!("SCOMO agent: {e}"))?;
        let device = Self {
            device_id: device_id.to_owned(),
            tree,
            agent,
            installer,
            fetcher,
            engines: BTreeMap::new(),
            sessions: 0,
            dir: dir.to_owned(),
            log,
            defer_jobs: false,
        };
        device.save()?;
        Ok(device)
    }

    /// Adds (or replaces) a server account.
    pub(crate) fn bootstrap(&mut self, account: &Account, encoding: WireEncoding) {
        if let Some(engine) = self.engines.get(&account.server_id) {
            let c = engine.config();
            if c.server_uri == account.url && c.encoding == encoding {
                return;
            }
        }
        let mut config = ClientConfig::new(&self.device_id, &account.server_id, &account.url);
        config.client_credentials = Some(Credentials::new(
            AuthType::Md5,
            &account.client_name,
            &account.client_secret,
        ));
        config.server_credentials = Some(Credentials::new(
            AuthType::Md5,
            &account.server_id,
            &account.server_secret,
        ));
        config.encoding = encoding;
        self.engines.insert(
            account.server_id.clone(),
            ClientEngine::new(config, &super::seed()),
        );
    }

    /// Runs SCOMO jobs (downloads, installs) only once a session is over, as a device that
    /// works in the background does; their alerts then go out in the next session.
    pub(crate) fn set_defer_jobs(&mut self, defer: bool) {
        self.defer_jobs = defer;
    }

    /// Installed components: `(id, version, active)`.
    pub(crate) fn components(&self) -> Vec<(String, String, bool)> {
        self.installer
            .list()
            .into_iter()
            .map(|c| (c.manifest.id, c.manifest.version, c.active))
            .collect()
    }

    /// Alerts not yet acknowledged by their server.
    pub(crate) fn pending_alerts(&self) -> usize {
        self.agent.pending_alerts().len()
    }

    /// Writes the tree and the device state (each atomically).
    pub(crate) fn save(&self) -> Result<(), String> {
        let tree_path = self.dir.join("tree.json");
        dm_tree::persist::save(&self.tree, &tree_path).map_err(|e| io_err(&tree_path, e))?;
        let saved = Saved {
            device_id: self.device_id.clone(),
            agent_config: self.agent.config(),
            agent_state: self.agent.state(),
            engines: self.engines.clone(),
            sessions: self.sessions,
        };
        let path = self.dir.join("device.json");
        let tmp = self.dir.join("device.json.tmp");
        let json = serde_json::to_vec(&saved).map_err(|e| io_err(&path, e))?;
        fs::write(&tmp, json).map_err(|e| io_err(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))
    }

    fn run_jobs(&mut self) -> Result<(), String> {
        while let Some(job) = self.agent.poll_job() {
            let what = match &job.kind {
                JobKind::Download { url, .. } => format!("download {url}"),
                JobKind::Install { pkg_id, data, .. } => {
                    format!("install {pkg_id} ({} bytes)", data.len())
                }
                other => format!("{other:?}"),
            };
            // The device has no user to ask: consent jobs are granted.
            let outcome = run_job(&job.kind, &mut self.installer, &mut self.fetcher)
                .unwrap_or(JobOutcome::Consent(true));
            let shown = match &outcome {
                JobOutcome::Downloaded(b) => format!("{} bytes", b.len()),
                JobOutcome::Installed(c) => c
                    .iter()
                    .map(|c| format!("{} {}", c.id, c.version))
                    .collect::<Vec<_>>()
                    .join(", "),
                JobOutcome::Failed(code) => format!("failed {}", code.0),
                other => format!("{other:?}").to_lowercase(),
            };
            self.log.line(&format!("[device] job: {what} -> {shown}"));
            self.agent
                .complete(&mut self.tree, job.id, outcome)
                .map_err(|e| format!("SCOMO agent: {e}"))?;
        }
        while let Some(Event::Completed(r)) = self.agent.poll_event() {
            self.log.line(&format!(
                "[device] {} {}: result {}",
                r.identifier,
                r.source.rsplit('/').next().unwrap_or_default(),
                r.result.0
            ));
        }
        Ok(())
    }

    /// Runs one client-initiated session with `server_id`'s account.
    pub(crate) fn session(&mut self, server_id: &str) -> Result<(), String> {
        let Some(mut engine) = self.engines.remove(server_id) else {
            return Err(format!("no account for server {server_id}"));
        };
        let result = self.run_session(&mut engine, server_id);
        self.engines.insert(server_id.to_owned(), engine);
        let saved = self.save();
        result.and(saved)
    }

    fn run_session(&mut self, engine: &mut ClientEngine, server_id: &str) -> Result<(), String> {
        // Unacknowledged alerts of this server go out again; others wait for theirs.
        let _ = self.tree.alerts_mut().drain().count();
        for a in self.agent.pending_alerts() {
            if belongs_to(&a, server_id) {
                self.tree.push_alert(a);
            }
        }
        self.sessions = self.sessions.saturating_add(1);
        let session_id = format!("{:X}", self.sessions);
        self.log.line(&format!(
            "[device] session {session_id} with {server_id} at {}",
            engine.config().server_uri
        ));
        engine.start(&mut self.tree, &session_id);
        let max_reply = engine.config().max_msg_size.saturating_mul(2);
        let mut finished = false;
        while let Some(tx) = engine.poll_transmit().map_err(|e| e.to_string())? {
            self.log.line(&format!(
                "[device] -> {server_id}: {}",
                super::summary(&tx.body)
            ));
            let (body, hmac) = post(
                &tx.uri,
                &tx.body,
                tx.content_type,
                tx.hmac.as_deref(),
                max_reply,
            )?;
            engine
                .handle_incoming(&mut self.tree, &mut NoUi, &body, hmac.as_deref())
                .map_err(|e| format!("server message refused: {e}"))?;
            while let Some(event) = engine.poll_event() {
                match event {
                    ClientEvent::Finished => finished = true,
                    ClientEvent::AuthenticationFailed => {
                        return Err(format!("{server_id} rejected our credentials"))
                    }
                    ClientEvent::ServerAuthenticationFailed { code } => self.log.line(&format!(
                        "[device] {server_id} credentials refused ({code})"
                    )),
                    ClientEvent::Aborted => return Err(format!("{server_id} aborted")),
                    _ => {}
                }
            }
            if !self.defer_jobs {
                self.run_jobs()?;
            }
            self.save()?;
        }
        if finished {
            // Every alert sent in this session got its Status (the server ends a session
            // only once it has answered everything); those still queued were not sent.
            let queued: Vec<GenericAlert> = self.tree.alerts_mut().drain().collect();
            for a in self.agent.pending_alerts() {
                if belongs_to(&a, server_id) && !queued.contains(&a) {
                    self.agent.acknowledge(&a);
                }
            }
            for a in queued {
                self.tree.push_alert(a);
            }
        }
        self.log.line(&format!(
            "[device] session {session_id} with {server_id} {}",
            if finished { "finished" } else { "ended" }
        ));
        self.run_jobs()
    }
}
