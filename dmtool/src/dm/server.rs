//! The DM server (SCOMO Server): one `dm-session` engine per running session, a plan of
//! SCOMO operations per device, and the device's results and inventory in the log.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use dm_session::{
    AuthType, Cmd, Credentials, Handle, ItemKind, MetaInfo, OutItem, ServerConfig, ServerEngine,
    ServerEvent, WireEncoding,
};
use scomo_tree::server::{inventory_from_results, operation_results, PackageSpec, ScomoServer};
use scomo_tree::types::extended::Inventory;
use scomo_tree::{Operation, ResultCode};
use syncml_codec::{Command, Encoding, Limits};

use super::Log;

/// What one step of a plan does.
#[derive(Clone, Debug)]
pub(crate) enum StepKind {
    /// `Get ./SCOMO/Inventory?list=TNDS+Value`.
    Inventory,
    /// Alternate download: `Add Download/<X>` and `Exec` of the operation.
    Download {
        /// `<X>`.
        x: String,
        /// The package.
        spec: PackageSpec,
        /// Download, DownloadInstall or DownloadInstallInactive.
        op: Operation,
    },
    /// Direct delivery: `Add Delivered/<X>`, `Replace …/Data` (a large object when it does
    /// not fit one message), then `Exec Install`.
    Deliver {
        /// `<X>`.
        x: String,
        /// `PkgID`.
        pkg_id: String,
        /// `Name`.
        name: String,
        /// The package bytes.
        data: Vec<u8>,
    },
    /// `Exec` of an operation on an existing item.
    Exec {
        /// The operation.
        op: Operation,
        /// `<X>`.
        x: String,
    },
    /// Ends the session here; the next session goes on with the next step.
    EndSession,
}

/// What a step is expected to end with (the demo checks it; `serve` only logs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Anything.
    Any,
    /// An OperationComplete alert with this result code.
    Result(u16),
    /// A synchronous refusal: this Status code on the Exec.
    Status(u16),
    /// An inventory with these component IDs deployed and no others.
    Deployed(Vec<String>),
}

/// One step of a plan.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// What to do.
    pub(crate) kind: StepKind,
    /// What should come of it.
    pub(crate) expect: Expect,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The Exec was refused with this Status.
    Status(u16),
    /// The OperationComplete result code.
    Result(u16),
    /// The deployed components' IDs.
    Deployed(Vec<String>),
}

/// A finished step, for the caller.
#[derive(Clone, Debug)]
pub(crate) struct StepResult {
    /// The step's description.
    pub(crate) label: String,
    /// How it ended.
    pub(crate) outcome: Outcome,
    /// Whether that is what was expected.
    pub(crate) ok: bool,
}

/// Settings of one DM server.
#[derive(Clone, Debug)]
pub(crate) struct ServerSettings {
    /// Server id.
    pub(crate) server_id: String,
    /// The server's own URI (SyncHdr Source).
    pub(crate) server_uri: String,
    /// Credentials devices must send (MD5).
    pub(crate) client_credentials: Option<Credentials>,
    /// Credentials the server sends (MD5).
    pub(crate) server_credentials: Option<Credentials>,
    /// Encoding of replies (`None`: as the device's package 1).
    pub(crate) encoding: Option<WireEncoding>,
    /// The plan every new device gets.
    pub(crate) plan: Vec<Step>,
    /// Largest request body accepted over HTTP.
    pub(crate) max_body: usize,
}

impl ServerSettings {
    /// MD5 credentials both ways, from a device name/secret and a server secret.
    pub(crate) fn md5(
        server_id: &str,
        server_uri: &str,
        client: (&str, &str),
        server_secret: &str,
    ) -> Self {
        Self {
            server_id: server_id.to_owned(),
            server_uri: server_uri.to_owned(),
            client_credentials: Some(Credentials::new(AuthType::Md5, client.0, client.1)),
            server_credentials: Some(Credentials::new(AuthType::Md5, server_id, server_secret)),
            encoding: None,
            plan: Vec::new(),
            max_body: 1024 * 1024,
        }
    }
}

#[derive(Debug)]
struct Active {
    index: usize,
    label: String,
    handles: Vec<Handle>,
    exec: Option<Handle>,
    inventory: Option<Handle>,
    correlator: Option<String>,
    awaiting_alert: bool,
    polls: u8,
}

#[derive(Debug)]
struct DeviceState {
    plan: VecDeque<Step>,
    next_index: usize,
    active: Option<(Active, Step)>,
    scomo: ScomoServer,
    client_nonce: Vec<u8>,
    server_nonce: Vec<u8>,
    results: Vec<StepResult>,
    authenticated: bool,
}

#[derive(Debug)]
struct State {
    sessions: HashMap<String, ServerEngine>,
    devices: HashMap<String, DeviceState>,
}

/// A DM server: call [`DmServer::handle`] with each POSTed body.
#[derive(Debug)]
pub(crate) struct DmServer {
    settings: ServerSettings,
    log: Log,
    state: Mutex<State>,
}

/// Why a request was refused (the HTTP layer answers 400).
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) String);

/// A reply to POST back.
#[derive(Debug)]
pub(crate) struct Reply {
    /// Body.
    pub(crate) body: Vec<u8>,
    /// Content-Type.
    pub(crate) content_type: &'static str,
    /// `x-syncml-hmac`.
    pub(crate) hmac: Option<String>,
}

fn to_cmd(cmd: &Command<'_>) -> Option<Cmd> {
    let (kind, ic) = match cmd {
        Command::Add(i) => (ItemKind::Add, i),
        Command::Replace(i) => (ItemKind::Replace, i),
        Command::Get(i) => (ItemKind::Get, i),
        Command::Delete(i) => (ItemKind::Delete, i),
        Command::Copy(i) => (ItemKind::Copy, i),
        Command::Exec(e) => {
            return Some(Cmd::Item {
                kind: ItemKind::Exec,
                meta: e.meta.as_deref().map(MetaInfo::from_meta),
                correlator: e.correlator.as_ref().map(|c| c.to_string()),
                items: e.items.iter().map(OutItem::from_item).collect(),
            })
        }
        _ => return None,
    };
    Some(Cmd::Item {
        kind,
        meta: ic.meta.as_deref().map(MetaInfo::from_meta),
        correlator: None,
        items: ic.items.iter().map(OutItem::from_item).collect(),
    })
}

fn label(step: &Step) -> String {
    match &step.kind {
        StepKind::Inventory => "inventory query".to_owned(),
        StepKind::Download { x, spec, op } => format!("{op:?} {x} from {}", spec.url),
        StepKind::Deliver { x, data, .. } => {
            format!("direct delivery of {x} ({} bytes) + Install", data.len())
        }
        StepKind::Exec { op, x } => format!("{op:?} {x}"),
        StepKind::EndSession => "end of session".to_owned(),
    }
}

fn inventory_from_items(items: &[OutItem]) -> Option<Inventory> {
    let mut found: Option<Inventory> = None;
    for item in items {
        let Some(data) = &item.data else { continue };
        let text = String::from_utf8_lossy(data.as_bytes());
        if !text.contains("MgmtTree") {
            continue;
        }
        let Ok(parsed) = ddf::parse_xml(&text) else {
            continue;
        };
        let inv = scomo_tree::inventory::from_tnds(&parsed.tree);
        let merged = found.get_or_insert_with(Inventory::default);
        merged.delivered.items.extend(inv.delivered.items);
        merged.deployed.items.extend(inv.deployed.items);
    }
    found
}

fn deployed_ids(inv: &Inventory) -> Vec<String> {
    inv.deployed.items.values().map(|d| d.id.clone()).collect()
}

fn describe_inventory(inv: &Inventory) -> String {
    let mut parts: Vec<String> = inv
        .deployed
        .items
        .values()
        .map(|d| {
            let state = if d.state == 20 { "active" } else { "inactive" };
            format!("{} {} ({state})", d.id, d.version)
        })
        .collect();
    parts.extend(
        inv.delivered
            .items
            .iter()
            .map(|(x, d)| format!("package {x} [{}]", d.pkg_id)),
    );
    if parts.is_empty() {
        "empty".to_owned()
    } else {
        parts.join(", ")
    }
}

impl DmServer {
    /// A server with these settings.
    pub(crate) fn new(settings: ServerSettings, log: Log) -> Self {
        Self {
            settings,
            log,
            state: Mutex::new(State {
                sessions: HashMap::new(),
                devices: HashMap::new(),
            }),
        }
    }

    /// The server id.
    pub(crate) fn server_id(&self) -> &str {
        &self.settings.server_id
    }

    /// Largest body the HTTP layer should accept.
    pub(crate) fn max_body(&self) -> usize {
        self.settings.max_body
    }

    /// Every finished step of every device so far.
    pub(crate) fn results(&self) -> Vec<StepResult> {
        let state = self.lock();
        let mut out = Vec::new();
        for d in state.devices.values() {
            out.extend(d.results.iter().cloned());
        }
        out
    }

    /// Steps not yet finished (pending in a plan or running).
    pub(crate) fn remaining(&self) -> usize {
        let state = self.lock();
        state
            .devices
            .values()
            .map(|d| d.plan.len().saturating_add(usize::from(d.active.is_some())))
            .sum()
    }

    /// Whether some device authenticated with its credentials.
    pub(crate) fn authenticated(&self) -> bool {
        self.lock().devices.values().any(|d| d.authenticated)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn id(&self) -> &str {
        &self.settings.server_id
    }

    /// Handles one POSTed DM message.
    pub(crate) fn handle(&self, body: &[u8], hmac: Option<&str>) -> Result<Reply, Refused> {
        let encoding = syncml_codec::detect(body);
        let limits = Limits {
            max_message_size: self.settings.max_body,
            ..Limits::default()
        };
        let msg = syncml_codec::decode_as(body, encoding, &limits)
            .map_err(|e| Refused(format!("not a DM message: {e}")))?;
        let session = msg.header.session_id.to_string();
        let device = msg.header.source.loc_uri.to_string();
        let key = format!("{device}\u{0}{session}");
        self.log.line(&format!(
            "[{}] <- {device}: {}",
            self.id(),
            super::summary(body)
        ));
        self.log.message(body);

        let mut guard = self.lock();
        let state = &mut *guard;
        let dev = state
            .devices
            .entry(device.clone())
            .or_insert_with(|| DeviceState {
                plan: self.settings.plan.iter().cloned().collect(),
                next_index: 0,
                active: None,
                scomo: ScomoServer::new("./SCOMO", &self.settings.server_id),
                client_nonce: Vec::new(),
                server_nonce: Vec::new(),
                results: Vec::new(),
                authenticated: false,
            });
        let mut engine = match state.sessions.remove(&key) {
            Some(e) => e,
            None => {
                let mut config =
                    ServerConfig::new(&self.settings.server_id, &self.settings.server_uri);
                config.client_credentials = self.settings.client_credentials.clone();
                config.server_credentials = self.settings.server_credentials.clone();
                config.encoding = self.settings.encoding.unwrap_or(match encoding {
                    Encoding::Xml => WireEncoding::Xml,
                    Encoding::Wbxml => WireEncoding::Wbxml,
                });
                let mut e = ServerEngine::new(config, &super::seed());
                e.set_client_nonce(&dev.client_nonce);
                e.set_server_nonce(&dev.server_nonce);
                e
            }
        };
        engine
            .handle_incoming(body, hmac)
            .map_err(|e| Refused(format!("session refused the message: {e}")))?;

        // Results of asynchronous operations and inventories come from the message itself.
        let reports: Vec<_> = operation_results(&msg).into_iter().flatten().collect();
        let inventory = msg
            .body
            .commands
            .iter()
            .any(|c| matches!(c, Command::Results(_)))
            .then(|| inventory_from_results(&msg));

        let mut started = false;
        while let Some(event) = engine.poll_event() {
            match event {
                ServerEvent::SessionStarted { alert, .. } => {
                    self.log.line(&format!(
                        "[{}] session {session} opened by {device} (alert {alert})",
                        self.id()
                    ));
                    started = true;
                }
                ServerEvent::Authenticated => {
                    let how = self
                        .settings
                        .client_credentials
                        .as_ref()
                        .and_then(|c| c.auth_type.meta_type())
                        .unwrap_or("none");
                    self.log
                        .line(&format!("[{}] {device} authenticated ({how})", self.id()));
                    dev.authenticated = true;
                }
                ServerEvent::AuthenticationFailed { code } => self.log.line(&format!(
                    "[{}] {device} challenged ({code}), new nonce sent",
                    self.id()
                )),
                ServerEvent::Status { handle, code, .. } => {
                    self.on_status(dev, handle, code);
                }
                ServerEvent::Results { handle, items, .. } => {
                    // Large results come reassembled in the event, not in one message.
                    let inv = inventory_from_items(&items).or_else(|| inventory.clone());
                    if let Some(inv) = &inv {
                        self.on_inventory(dev, handle, inv);
                    }
                }
                _ => {}
            }
        }
        for r in reports {
            self.log.line(&format!(
                "[{}] alert 1226 from {device}: {} {} = {} ({})",
                self.id(),
                r.identifier,
                r.source.rsplit('/').next().unwrap_or_default(),
                r.result.0,
                r.result.meaning().unwrap_or("vendor code"),
            ));
            let matches = dev.active.as_ref().is_some_and(|(a, _)| {
                a.correlator.is_some() && a.correlator == r.correlator && a.awaiting_alert
            });
            if matches {
                self.finish(dev, Outcome::Result(r.result.0));
            }
        }
        if started || !engine.has_queued() {
            self.advance(dev, &mut engine);
        }
        let reply = engine
            .poll_transmit()
            .map_err(|e| Refused(format!("cannot answer: {e}")))?;
        dev.client_nonce = engine.client_nonce().to_vec();
        dev.server_nonce = engine.server_nonce().to_vec();
        if engine.is_finished() {
            match dev.active.take() {
                // An accepted operation reports in a later session (its alert is matched
                // by correlator, whatever the session).
                Some((mut a, step)) if a.awaiting_alert => {
                    self.log.line(&format!(
                        "[{}] {}: result not yet reported, waiting for a later session",
                        self.id(),
                        a.label
                    ));
                    a.polls = 0;
                    a.handles.clear();
                    a.exec = None;
                    a.inventory = None;
                    dev.active = Some((a, step));
                }
                // A step cut short before its answer runs again.
                Some((a, step)) => {
                    dev.plan.push_front(step);
                    dev.next_index = a.index.saturating_sub(1);
                }
                None => {}
            }
            self.log
                .line(&format!("[{}] session {session} finished", self.id()));
        } else {
            state.sessions.insert(key, engine);
        }
        let Some(tx) = reply else {
            return Err(Refused("no reply due".to_owned()));
        };
        self.log.line(&format!(
            "[{}] -> {device}: {}",
            self.id(),
            super::summary(&tx.body)
        ));
        self.log.message(&tx.body);
        Ok(Reply {
            body: tx.body,
            content_type: tx.content_type,
            hmac: tx.hmac,
        })
    }

    fn on_status(&self, dev: &mut DeviceState, handle: Option<Handle>, code: u16) {
        let Some((a, _)) = dev.active.as_mut() else {
            return;
        };
        if handle.is_none() || !a.handles.contains(&handle.unwrap_or(Handle(0))) {
            return;
        }
        if handle == a.exec {
            if code == 202 {
                self.log.line(&format!(
                    "[{}] {}: accepted (202), waiting for its alert",
                    self.id(),
                    a.label
                ));
                a.awaiting_alert = true;
            } else {
                self.log.line(&format!(
                    "[{}] {}: refused with status {code}",
                    self.id(),
                    a.label
                ));
                self.finish(dev, Outcome::Status(code));
            }
        } else if handle == a.inventory && code != 200 {
            self.finish(dev, Outcome::Status(code));
        }
    }

    fn on_inventory(&self, dev: &mut DeviceState, handle: Option<Handle>, inv: &Inventory) {
        let Some((a, _)) = dev.active.as_ref() else {
            return;
        };
        if a.inventory.is_none() || handle != a.inventory {
            return;
        }
        self.log.line(&format!(
            "[{}] inventory: {}",
            self.id(),
            describe_inventory(inv)
        ));
        self.finish(dev, Outcome::Deployed(deployed_ids(inv)));
    }

    fn finish(&self, dev: &mut DeviceState, outcome: Outcome) {
        let Some((a, step)) = dev.active.take() else {
            return;
        };
        let ok = match (&step.expect, &outcome) {
            (Expect::Any, _) => true,
            (Expect::Result(want), Outcome::Result(got))
            | (Expect::Status(want), Outcome::Status(got)) => want == got,
            (Expect::Deployed(want), Outcome::Deployed(got)) => {
                let mut w = want.clone();
                w.sort();
                let mut g = got.clone();
                g.sort();
                w == g
            }
            _ => false,
        };
        let shown = match &outcome {
            Outcome::Status(c) => format!("status {c}"),
            Outcome::Result(c) => format!(
                "result {c} ({})",
                ResultCode(*c).meaning().unwrap_or("vendor code")
            ),
            Outcome::Deployed(ids) => format!("deployed [{}]", ids.join(", ")),
        };
        let verdict = match (&step.expect, ok) {
            (Expect::Any, _) => String::new(),
            (_, true) => " -- as expected".to_owned(),
            (e, false) => format!(" -- UNEXPECTED (wanted {e:?})"),
        };
        self.log.line(&format!(
            "[{}] step {}: {} => {shown}{verdict}",
            self.id(),
            a.index,
            a.label
        ));
        dev.results.push(StepResult {
            label: a.label,
            outcome,
            ok,
        });
    }

    /// Queues the next step when none is running; polls a device whose operation was
    /// accepted but not yet reported (a final package without commands would end the
    /// session before the device's alert could come back).
    fn advance(&self, dev: &mut DeviceState, engine: &mut ServerEngine) {
        if let Some((a, _)) = dev.active.as_mut() {
            if a.awaiting_alert && !engine.has_queued() {
                if a.polls < 3 {
                    a.polls = a.polls.saturating_add(1);
                    engine.queue(Cmd::get("./DevInfo/DevId"));
                } else {
                    // Give up for this session; the step is retried in the next one.
                }
            }
            return;
        }
        let Some(step) = dev.plan.pop_front() else {
            return;
        };
        dev.next_index = dev.next_index.saturating_add(1);
        let index = dev.next_index;
        let mut active = Active {
            index,
            label: label(&step),
            handles: Vec::new(),
            exec: None,
            inventory: None,
            correlator: None,
            awaiting_alert: false,
            polls: 0,
        };
        let request = match &step.kind {
            StepKind::EndSession => {
                // Nothing queued: this package is the session's last.
                return;
            }
            StepKind::Inventory => {
                let get = dev.scomo.get_inventory();
                if let Some(cmd) = to_cmd(&get) {
                    let h = engine.queue(cmd);
                    active.handles.push(h);
                    active.inventory = Some(h);
                }
                None
            }
            StepKind::Download { x, spec, op } => Some(dev.scomo.download(x, spec, *op)),
            StepKind::Deliver {
                x,
                pkg_id,
                name,
                data,
            } => {
                // One Replace with the whole package: the engine splits it into large-object
                // chunks to fit the device's MaxMsgSize.
                let mut req = dev.scomo.deliver(x, pkg_id, name, data, usize::MAX);
                let mut install = dev.scomo.install(x, false);
                req.commands.append(&mut install.commands);
                req.correlator = install.correlator;
                req.operation = install.operation;
                Some(req)
            }
            StepKind::Exec { op, x } => Some(dev.scomo.exec(*op, x)),
        };
        if let Some(req) = request {
            for c in &req.commands {
                if let Some(cmd) = to_cmd(c) {
                    let h = engine.queue(cmd);
                    active.handles.push(h);
                    if matches!(c, Command::Exec(_)) {
                        active.exec = Some(h);
                    }
                }
            }
            active.correlator = req.correlator;
        }
        self.log
            .line(&format!("[{}] step {index}: {}", self.id(), active.label));
        dev.active = Some((active, step));
    }
}
