//! The SCOMO Client: a sans-IO agent mounted in a `dm-tree` [`Tree`].
//!
//! An Exec on an operation node answers 202 and queues [`Job`]s for the host
//! ([`ScomoAgent::poll_job`]); the host runs them (see [`crate::installer::run_job`]) and
//! reports with [`ScomoAgent::complete`]. The agent then moves Status and State through the
//! spec's values and pushes an OperationComplete Generic Alert into the tree's alert queue.
//! Alerts stay pending (and are part of [`AgentState`]) until [`ScomoAgent::acknowledge`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use dm_tree::{
    AclCommand, Change, Command, ExecRequest, Format, GenericAlert, MoHandler, Op, Status, Tree,
    Uri, Value,
};
use serde::{Deserialize, Serialize};

use crate::alert::OperationComplete;
use crate::codes::ResultCode;
use crate::consent::{Consent, ConsentPolicy, Decision};
use crate::installer::ComponentInfo;
use crate::integrity::{AcceptAll, Expectation, Integrity};
use crate::state::{
    DeliveredEvent, DeliveredState, DeliveredStatus, DeployedEvent, DeployedState, DeployedStatus,
    DownloadEvent, DownloadStatus, Operation, Subtree,
};
use crate::types::extended;

/// Where the agent is mounted and how it presents itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentConfig {
    /// The SCOMO root URI (default `./SCOMO`).
    pub root: String,
    /// The device's baseline software build, shown in `<root>/Ext/Build` and
    /// `./DevDetail/SwV` (SCOMO-HLFR-9).
    pub build: Option<String>,
    /// ACL of the SCOMO root (default: every server may Add, Delete, Exec, Get, Replace;
    /// each component is then restricted to its owner).
    pub root_acl: String,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            root: "./SCOMO".to_owned(),
            build: None,
            root_acl: "Add=*&Delete=*&Exec=*&Get=*&Replace=*".to_owned(),
        }
    }
}

/// Identifies a job handed to the host.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(pub u64);

/// Work the host must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum JobKind {
    /// Ask the user whether `authority` may run `operation` on item `item`; answer with
    /// [`JobOutcome::Consent`].
    AskConsent {
        /// The requesting server (`None`: the device).
        authority: Option<String>,
        /// The operation.
        operation: Operation,
        /// The `<X>` name.
        item: String,
    },
    /// Download `url`; answer with [`JobOutcome::Downloaded`].
    Download {
        /// `PkgURL`.
        url: String,
        /// `PkgID`.
        pkg_id: String,
    },
    /// Install a package; answer with [`JobOutcome::Installed`].
    Install {
        /// `PkgID`.
        pkg_id: String,
        /// The package bytes.
        data: Vec<u8>,
        /// Active (`true`) or Inactive.
        active: bool,
        /// `InstallParams`.
        install_params: Option<String>,
        /// `EnvType`.
        env_type: Option<String>,
        /// Components owned by other authorities, which the package must not replace.
        foreign: Vec<String>,
    },
    /// Forget a Delivery Package.
    RemovePackage {
        /// `PkgID`.
        pkg_id: String,
    },
    /// Uninstall a component.
    Remove {
        /// Component `ID`.
        component: String,
    },
    /// Activate a component.
    Activate {
        /// Component `ID`.
        component: String,
    },
    /// Deactivate a component.
    Deactivate {
        /// Component `ID`.
        component: String,
    },
    /// Relayed start command.
    Start {
        /// Component `ID`.
        component: String,
    },
    /// Relayed stop command.
    Stop {
        /// Component `ID`.
        component: String,
    },
}

/// A job for the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Pass it back to [`ScomoAgent::complete`].
    pub id: JobId,
    /// What to do.
    pub kind: JobKind,
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum JobOutcome {
    /// The user's answer to [`JobKind::AskConsent`].
    Consent(bool),
    /// The downloaded package.
    Downloaded(Vec<u8>),
    /// The installed (or updated) components.
    Installed(Vec<ComponentInfo>),
    /// A remove, activate, deactivate, start or stop succeeded.
    Done,
    /// The job failed with this SCOMO result code.
    Failed(ResultCode),
}

/// Something the user may be told (SCOMO-USA-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// An operation finished (one per component or package reported).
    Completed(OperationComplete),
}

/// Errors of the agent's API (the tree's Exec answers carry their own status codes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// No job with this id is in flight.
    #[error("unknown job {0:?}")]
    UnknownJob(JobId),
    /// The outcome does not answer this kind of job.
    #[error("outcome does not fit job {0:?}")]
    OutcomeMismatch(JobId),
    /// A tree operation failed.
    #[error("tree refused {path}: {status}")]
    Tree {
        /// The node.
        path: String,
        /// The tree's status.
        status: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Stage {
    Consent,
    Download,
    Install { from_download: bool },
    Simple,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Context {
    op: Operation,
    item: String,
    authority: Option<String>,
    correlator: Option<String>,
    stage: Stage,
    /// For DownloadInstall: the Delivered/<X> item holding the downloaded package.
    delivered: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct InFlight {
    job: Job,
    ctx: Context,
}

/// Everything the agent must keep across a restart: jobs in flight and unacknowledged
/// alerts (the tree itself is persisted by `dm-tree`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentState {
    next_job: u64,
    in_flight: Vec<InFlight>,
    to_hand: VecDeque<JobId>,
    pending_alerts: Vec<GenericAlert>,
    events: VecDeque<Event>,
}

struct Core {
    config: AgentConfig,
    state: AgentState,
    consent: Box<dyn Consent>,
    integrity: Box<dyn Integrity>,
}

/// The SCOMO Client. Cheap to clone: clones share one agent (one of them is mounted in
/// the tree).
#[derive(Clone)]
pub struct ScomoAgent {
    core: Arc<Mutex<Core>>,
}

impl core::fmt::Debug for ScomoAgent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let core = self.lock();
        f.debug_struct("ScomoAgent")
            .field("config", &core.config)
            .field("state", &core.state)
            .finish_non_exhaustive()
    }
}

struct Mounted(Arc<Mutex<Core>>);

impl MoHandler for Mounted {
    // Inventory queries (a Get in `Inventory`, or a `?list=` over the whole object) need the
    // user's consent where the policy says so (SCOMO-ADC-1).
    fn on_read(&mut self, server: Option<&str>, path: Uri<'_>) -> Result<(), Status> {
        let reads_inventory = path.path().is_empty() || path.path().starts_with("Inventory");
        if !reads_inventory {
            return Ok(());
        }
        let core = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if core.consent.inventory_query(server) {
            Ok(())
        } else {
            Err(Status::FORBIDDEN)
        }
    }

    // A server-created `Download/<X>` or `Delivered/<X>` gets its Status, State and
    // Operations nodes at once, so the Exec that follows in the same package finds them.
    fn after_change(&mut self, tree: &mut Tree, change: &Change<'_>) {
        if change.command != Command::Add {
            return;
        }
        // When the lock is taken, the agent itself is changing the tree (completing a job)
        // and keeps its own nodes in step; waiting would deadlock.
        let mut core = match self.0.try_lock() {
            Ok(core) => core,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        // A failure leaves the item without derived nodes; its operations answer 404.
        let _ = core.sync(tree);
    }

    fn exec(&mut self, tree: &mut Tree, request: &ExecRequest<'_>) -> Status {
        let mut core = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        core.exec(tree, request)
    }
}

fn int_of(tree: &Tree, uri: &str) -> Option<i32> {
    match tree.node(uri)?.value() {
        Value::Int(i) => Some(*i),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn text_of(tree: &Tree, uri: &str) -> Option<String> {
    match tree.node(uri)?.value() {
        Value::Text(t) => Some(t.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Bytes(b) => String::from_utf8(b.to_vec()).ok(),
        Value::Empty => None,
    }
    .filter(|s| !s.is_empty())
}

fn tree_err(path: &str, status: Status) -> AgentError {
    AgentError::Tree {
        path: path.to_owned(),
        status: status.0,
    }
}

/// Device-side writes, with no ACL check.
fn ensure_node(tree: &mut Tree, uri: &str) -> Result<(), AgentError> {
    if tree.node(uri).is_some() {
        return Ok(());
    }
    let out = tree.execute_local(&Op::add(uri).with_format(Format::Node));
    if out.status.is_success() {
        Ok(())
    } else {
        Err(tree_err(uri, out.status))
    }
}

fn set_leaf(tree: &mut Tree, uri: &str, data: &[u8]) -> Result<(), AgentError> {
    let op = if tree.node(uri).is_some() {
        Op::replace(uri)
    } else {
        Op::add(uri)
    };
    let out = tree.execute_local(&op.with_data(data));
    if out.status.is_success() {
        Ok(())
    } else {
        Err(tree_err(uri, out.status))
    }
}

fn ensure_null(tree: &mut Tree, uri: &str) -> Result<(), AgentError> {
    if tree.node(uri).is_some() {
        return Ok(());
    }
    let out = tree.execute_local(&Op::add(uri).with_format(Format::Null));
    if out.status.is_success() {
        Ok(())
    } else {
        Err(tree_err(uri, out.status))
    }
}

fn delete(tree: &mut Tree, uri: &str) -> Result<(), AgentError> {
    let out = tree.execute_local(&Op::delete(uri));
    if out.status.is_success() || out.status == Status::NOT_FOUND {
        Ok(())
    } else {
        Err(tree_err(uri, out.status))
    }
}

fn set_acl(tree: &mut Tree, uri: &str, acl: &str) -> Result<(), AgentError> {
    let target = format!("{uri}?prop=ACL");
    let out = tree.execute_local(&Op::replace(&target).with_text(acl));
    if out.status.is_success() {
        Ok(())
    } else {
        Err(tree_err(uri, out.status))
    }
}

fn owner_acl(owner: &str) -> String {
    format!("Delete={owner}&Exec={owner}&Get=*&Replace={owner}")
}

/// A client-chosen node name for a component ID.
fn node_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name == "." || name == ".." {
        "c".to_owned()
    } else {
        name
    }
}

impl Core {
    fn uri(&self, rel: &str) -> String {
        format!("{}/{rel}", self.config.root.trim_end_matches('/'))
    }

    fn item_uri(&self, subtree: Subtree, item: &str) -> String {
        self.uri(&format!("{}/{item}", subtree.path()))
    }

    fn children(&self, tree: &Tree, subtree: Subtree) -> Vec<String> {
        let uri = self.uri(subtree.path());
        tree.node(&uri)
            .map(|n| tree.children(n.id()).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn set_int(&self, tree: &mut Tree, uri: &str, v: i32) -> Result<(), AgentError> {
        set_leaf(tree, uri, v.to_string().as_bytes())
    }

    // ------------------------------------------------------------ structure

    /// Creates the device-managed nodes of server-created items (Status, State,
    /// Operations) so their operations can be executed.
    fn sync(&mut self, tree: &mut Tree) -> Result<(), AgentError> {
        for item in self.children(tree, Subtree::Download) {
            let base = self.item_uri(Subtree::Download, &item);
            if tree.node(&format!("{base}/Status")).is_none() {
                self.set_int(
                    tree,
                    &format!("{base}/Status"),
                    DownloadStatus::Idle.value(),
                )?;
            }
            self.ensure_operations(tree, &base, Subtree::Download)?;
        }
        for item in self.children(tree, Subtree::Delivered) {
            let base = self.item_uri(Subtree::Delivered, &item);
            if tree.node(&format!("{base}/Status")).is_none() {
                self.set_int(
                    tree,
                    &format!("{base}/Status"),
                    DeliveredStatus::Idle.value(),
                )?;
            }
            if tree.node(&format!("{base}/State")).is_none() {
                self.set_int(
                    tree,
                    &format!("{base}/State"),
                    DeliveredState::Delivered.value(),
                )?;
            }
            // an empty Data leaf lets a server deliver with Replace (scomo seed 004 §8.2.1)
            if tree.node(&format!("{base}/Data")).is_none() {
                set_leaf(tree, &format!("{base}/Data"), b"")?;
            }
            self.ensure_operations(tree, &base, Subtree::Delivered)?;
        }
        Ok(())
    }

    fn ensure_operations(
        &self,
        tree: &mut Tree,
        base: &str,
        subtree: Subtree,
    ) -> Result<(), AgentError> {
        ensure_node(tree, &format!("{base}/Operations"))?;
        for op in Operation::of(subtree) {
            if op.is_extension() {
                ensure_node(tree, &format!("{base}/Ext"))?;
                ensure_node(tree, &format!("{base}/Ext/Operations"))?;
            }
            ensure_null(tree, &format!("{base}/{}", op.relative_path()))?;
        }
        Ok(())
    }

    fn owner(&self, tree: &Tree, subtree: Subtree, item: &str) -> Option<String> {
        text_of(tree, &format!("{}/Ext/Owner", self.item_uri(subtree, item)))
    }

    fn claim(
        &self,
        tree: &mut Tree,
        subtree: Subtree,
        item: &str,
        owner: &str,
    ) -> Result<(), AgentError> {
        let base = self.item_uri(subtree, item);
        ensure_node(tree, &format!("{base}/Ext"))?;
        set_leaf(tree, &format!("{base}/Ext/Owner"), owner.as_bytes())?;
        set_acl(tree, &base, &owner_acl(owner))
    }

    // ------------------------------------------------------------ exec

    fn exec(&mut self, tree: &mut Tree, request: &ExecRequest<'_>) -> Status {
        let Some((op, item)) = Operation::parse(request.path.path()) else {
            return Status::COMMAND_NOT_ALLOWED;
        };
        let server = request.server;
        let subtree = op.subtree();
        // Ownership (SCOMO-ADC-3): the ACLs already refuse other servers; this also covers
        // a tree whose ACLs were edited by the device.
        if let (Some(owner), Some(s)) = (self.owner(tree, subtree, item), server) {
            if owner != s {
                return Status::PERMISSION_DENIED;
            }
        }
        if let Err(status) = self.precondition(tree, op, item) {
            return status;
        }
        let ctx = Context {
            op,
            item: item.to_owned(),
            authority: server.map(str::to_owned),
            correlator: request.correlator.map(str::to_owned),
            stage: Stage::Consent,
            delivered: None,
        };
        match self.consent.decide(server, op) {
            Decision::Allow => match self.begin(tree, ctx) {
                Ok(()) => Status::ACCEPTED,
                Err(_) => Status::COMMAND_FAILED,
            },
            Decision::Deny => match self.report(tree, &ctx, ResultCode::USER_CANCELLED, None) {
                Ok(()) => Status::ACCEPTED,
                Err(_) => Status::COMMAND_FAILED,
            },
            Decision::AskUser => {
                let kind = JobKind::AskConsent {
                    authority: ctx.authority.clone(),
                    operation: op,
                    item: ctx.item.clone(),
                };
                self.hand(kind, ctx);
                Status::ACCEPTED
            }
        }
    }

    /// Synchronous refusals: 404 for a missing item, 403 for a Download without PkgURL,
    /// 405 when the item is busy or in the wrong state.
    fn precondition(&self, tree: &Tree, op: Operation, item: &str) -> Result<(), Status> {
        let base = self.item_uri(op.subtree(), item);
        if tree.node(&base).is_none() {
            return Err(Status::NOT_FOUND);
        }
        let busy = self
            .state
            .in_flight
            .iter()
            .any(|f| f.ctx.item == item && f.ctx.op.subtree() == op.subtree());
        if busy {
            return Err(Status::COMMAND_NOT_ALLOWED);
        }
        let status = int_of(tree, &format!("{base}/Status"));
        let state = int_of(tree, &format!("{base}/State"));
        match op.subtree() {
            Subtree::Download => {
                if text_of(tree, &format!("{base}/PkgURL")).is_none() {
                    return Err(Status::FORBIDDEN);
                }
                if status
                    .and_then(DownloadStatus::from_value)
                    .is_some_and(DownloadStatus::is_progressing)
                {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
            }
            Subtree::Delivered => {
                if status
                    .and_then(DeliveredStatus::from_value)
                    .is_some_and(DeliveredStatus::is_progressing)
                {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
                if op.installs() && state != Some(DeliveredState::Delivered.value()) {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
            }
            Subtree::Deployed => {
                if status
                    .and_then(DeployedStatus::from_value)
                    .is_some_and(DeployedStatus::is_progressing)
                {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
                let state = state.and_then(DeployedState::from_value);
                let ok = match op {
                    Operation::Activate => state == Some(DeployedState::Inactive),
                    Operation::Deactivate | Operation::Start | Operation::Stop => {
                        state == Some(DeployedState::Active)
                    }
                    _ => true,
                };
                if !ok {
                    return Err(Status::COMMAND_NOT_ALLOWED);
                }
            }
        }
        Ok(())
    }

    fn hand(&mut self, kind: JobKind, ctx: Context) -> JobId {
        let id = JobId(self.state.next_job);
        self.state.next_job = self.state.next_job.wrapping_add(1);
        self.state.in_flight.push(InFlight {
            job: Job { id, kind },
            ctx,
        });
        self.state.to_hand.push_back(id);
        id
    }

    fn status_uri(&self, ctx: &Context) -> String {
        format!("{}/Status", self.item_uri(ctx.op.subtree(), &ctx.item))
    }

    fn component_id(&self, tree: &Tree, item: &str) -> String {
        text_of(
            tree,
            &format!("{}/ID", self.item_uri(Subtree::Deployed, item)),
        )
        .unwrap_or_else(|| item.to_owned())
    }

    fn pkg_id(&self, tree: &Tree, subtree: Subtree, item: &str) -> String {
        text_of(tree, &format!("{}/PkgID", self.item_uri(subtree, item)))
            .unwrap_or_else(|| item.to_owned())
    }

    /// Starts the operation proper (after consent).
    fn begin(&mut self, tree: &mut Tree, mut ctx: Context) -> Result<(), AgentError> {
        let base = self.item_uri(ctx.op.subtree(), &ctx.item);
        let status_uri = self.status_uri(&ctx);
        let status = int_of(tree, &status_uri);
        if let Some(owner) = ctx.authority.clone() {
            if ctx.op.subtree() != Subtree::Deployed
                && self.owner(tree, ctx.op.subtree(), &ctx.item).is_none()
            {
                self.claim(tree, ctx.op.subtree(), &ctx.item, &owner)?;
            }
        }
        match ctx.op.subtree() {
            Subtree::Download => {
                let s = status
                    .and_then(DownloadStatus::from_value)
                    .unwrap_or(DownloadStatus::Idle);
                let next = s
                    .next(DownloadEvent::Start)
                    .unwrap_or(DownloadStatus::DownloadProgressing);
                self.set_int(tree, &status_uri, next.value())?;
                let url = text_of(tree, &format!("{base}/PkgURL")).unwrap_or_default();
                let pkg_id = self.pkg_id(tree, Subtree::Download, &ctx.item);
                ctx.stage = Stage::Download;
                self.hand(JobKind::Download { url, pkg_id }, ctx);
            }
            Subtree::Delivered if ctx.op.installs() => {
                self.start_install(tree, ctx, false)?;
            }
            Subtree::Delivered => {
                let s = status
                    .and_then(DeliveredStatus::from_value)
                    .unwrap_or(DeliveredStatus::Idle);
                let next = s
                    .next(DeliveredEvent::RemoveStart)
                    .unwrap_or(DeliveredStatus::RemoveProgressing);
                self.set_int(tree, &status_uri, next.value())?;
                let pkg_id = self.pkg_id(tree, Subtree::Delivered, &ctx.item);
                ctx.stage = Stage::Simple;
                self.hand(JobKind::RemovePackage { pkg_id }, ctx);
            }
            Subtree::Deployed => {
                let component = self.component_id(tree, &ctx.item);
                let s = status
                    .and_then(DeployedStatus::from_value)
                    .unwrap_or(DeployedStatus::Idle);
                let (event, kind) = match ctx.op {
                    Operation::Activate => (
                        Some(DeployedEvent::ActivateStart),
                        JobKind::Activate { component },
                    ),
                    Operation::Deactivate => (
                        Some(DeployedEvent::DeactivateStart),
                        JobKind::Deactivate { component },
                    ),
                    Operation::Start => (None, JobKind::Start { component }),
                    Operation::Stop => (None, JobKind::Stop { component }),
                    _ => (
                        Some(DeployedEvent::RemoveStart),
                        JobKind::Remove { component },
                    ),
                };
                // relayed Start/Stop have no Status values of their own
                if let Some(next) = event.and_then(|e| s.next(e)) {
                    self.set_int(tree, &status_uri, next.value())?;
                }
                ctx.stage = Stage::Simple;
                self.hand(kind, ctx);
            }
        }
        Ok(())
    }

    /// Hands an install job for the package in `Delivered/<ctx.delivered or ctx.item>`.
    fn start_install(
        &mut self,
        tree: &mut Tree,
        mut ctx: Context,
        from_download: bool,
    ) -> Result<(), AgentError> {
        let delivered = ctx.delivered.clone().unwrap_or_else(|| ctx.item.clone());
        let base = self.item_uri(Subtree::Delivered, &delivered);
        let status_uri = format!("{base}/Status");
        let s = int_of(tree, &status_uri)
            .and_then(DeliveredStatus::from_value)
            .unwrap_or(DeliveredStatus::Idle);
        let next = s
            .next(DeliveredEvent::InstallStart)
            .unwrap_or(DeliveredStatus::InstallProgressing);
        self.set_int(tree, &status_uri, next.value())?;
        let data = tree
            .node(&format!("{base}/Data"))
            .map(|n| n.value().to_data())
            .unwrap_or_default();
        if data.is_empty() {
            return self.install_failed(tree, &ctx, ResultCode::INSTALL_FAILED, false);
        }
        let expected = Expectation {
            digest: text_of(tree, &format!("{base}/Ext/Digest")),
            signature: text_of(tree, &format!("{base}/Ext/Signature")),
        };
        if self.integrity.verify(&data, &expected).is_err() {
            return self.install_failed(tree, &ctx, ResultCode::PACKAGE_VALIDATION_FAILED, true);
        }
        let foreign = self.foreign_components(tree, ctx.authority.as_deref());
        let pkg_id = self.pkg_id(tree, Subtree::Delivered, &delivered);
        let install_params = text_of(tree, &format!("{base}/InstallParams"));
        let env_type = text_of(tree, &format!("{base}/EnvType"));
        ctx.stage = Stage::Install { from_download };
        self.hand(
            JobKind::Install {
                pkg_id,
                data,
                active: !ctx.op.installs_inactive(),
                install_params,
                env_type,
                foreign,
            },
            ctx,
        );
        Ok(())
    }

    fn foreign_components(&self, tree: &Tree, authority: Option<&str>) -> Vec<String> {
        let Some(me) = authority else {
            return Vec::new();
        };
        self.children(tree, Subtree::Deployed)
            .into_iter()
            .filter(|item| {
                self.owner(tree, Subtree::Deployed, item)
                    .is_some_and(|o| o != me)
            })
            .map(|item| self.component_id(tree, &item))
            .collect()
    }

    // ------------------------------------------------------------ completion

    fn complete(
        &mut self,
        tree: &mut Tree,
        id: JobId,
        outcome: JobOutcome,
    ) -> Result<(), AgentError> {
        let pos = self
            .state
            .in_flight
            .iter()
            .position(|f| f.job.id == id)
            .ok_or(AgentError::UnknownJob(id))?;
        let fits = matches!(
            (
                &self.state.in_flight.get(pos).map(|f| f.ctx.stage),
                &outcome
            ),
            (_, JobOutcome::Failed(_))
                | (Some(Stage::Consent), JobOutcome::Consent(_))
                | (Some(Stage::Download), JobOutcome::Downloaded(_))
                | (Some(Stage::Install { .. }), JobOutcome::Installed(_))
                | (Some(Stage::Simple), JobOutcome::Done)
        );
        if !fits {
            return Err(AgentError::OutcomeMismatch(id));
        }
        let flight = self.state.in_flight.remove(pos);
        self.state.to_hand.retain(|j| *j != id);
        let ctx = flight.ctx;
        match (ctx.stage, outcome) {
            (Stage::Consent, JobOutcome::Consent(true)) => self.begin(tree, ctx),
            (Stage::Consent, JobOutcome::Consent(false)) => {
                self.report(tree, &ctx, ResultCode::USER_CANCELLED, None)
            }
            (Stage::Consent, JobOutcome::Failed(code)) => self.report(tree, &ctx, code, None),
            (Stage::Download, JobOutcome::Downloaded(bytes)) => self.downloaded(tree, ctx, bytes),
            (Stage::Download, JobOutcome::Failed(code)) => {
                self.download_status(tree, &ctx, DownloadEvent::DownloadFailed)?;
                self.report(tree, &ctx, code, None)
            }
            (Stage::Install { .. }, JobOutcome::Installed(components)) => {
                self.installed(tree, &ctx, &components)
            }
            (Stage::Install { .. }, JobOutcome::Failed(code)) => {
                self.install_failed(tree, &ctx, code, true)
            }
            (Stage::Simple, JobOutcome::Done) => self.simple_done(tree, &ctx),
            (Stage::Simple, JobOutcome::Failed(code)) => self.simple_failed(tree, &ctx, code),
            _ => Err(AgentError::OutcomeMismatch(id)),
        }
    }

    fn download_status(
        &self,
        tree: &mut Tree,
        ctx: &Context,
        event: DownloadEvent,
    ) -> Result<(), AgentError> {
        let uri = format!("{}/Status", self.item_uri(Subtree::Download, &ctx.item));
        let s = int_of(tree, &uri)
            .and_then(DownloadStatus::from_value)
            .unwrap_or(DownloadStatus::Idle);
        if let Some(next) = s.next(event) {
            self.set_int(tree, &uri, next.value())?;
        }
        Ok(())
    }

    fn downloaded(
        &mut self,
        tree: &mut Tree,
        mut ctx: Context,
        bytes: Vec<u8>,
    ) -> Result<(), AgentError> {
        let dl = self.item_uri(Subtree::Download, &ctx.item);
        let expected = Expectation {
            digest: text_of(tree, &format!("{dl}/Ext/Digest")),
            signature: text_of(tree, &format!("{dl}/Ext/Signature")),
        };
        if self.integrity.verify(&bytes, &expected).is_err() {
            self.download_status(tree, &ctx, DownloadEvent::DownloadFailed)?;
            return self.report(tree, &ctx, ResultCode::PACKAGE_VALIDATION_FAILED, None);
        }
        self.download_status(tree, &ctx, DownloadEvent::Downloaded)?;
        // the package becomes Delivered/<X>, with the server's name when it is free
        let existing = self.children(tree, Subtree::Delivered);
        let mut name = ctx.item.clone();
        let mut n = 2u32;
        while existing.contains(&name) {
            name = format!("{}_{n}", ctx.item);
            n = n.saturating_add(1);
        }
        let base = self.item_uri(Subtree::Delivered, &name);
        ensure_node(tree, &base)?;
        for leaf in [
            "PkgID",
            "Name",
            "Description",
            "InstallParams",
            "EnvType",
            "PkgType",
        ] {
            let v = text_of(tree, &format!("{dl}/{leaf}"));
            match (leaf, v) {
                (_, Some(v)) => set_leaf(tree, &format!("{base}/{leaf}"), v.as_bytes())?,
                ("PkgID" | "Name", None) => {
                    set_leaf(tree, &format!("{base}/{leaf}"), ctx.item.as_bytes())?
                }
                _ => {}
            }
        }
        set_leaf(tree, &format!("{base}/Data"), &bytes)?;
        self.set_int(
            tree,
            &format!("{base}/Status"),
            DeliveredStatus::Idle.value(),
        )?;
        self.set_int(
            tree,
            &format!("{base}/State"),
            DeliveredState::Delivered.value(),
        )?;
        self.ensure_operations(tree, &base, Subtree::Delivered)?;
        if let Some(owner) = ctx.authority.clone() {
            self.claim(tree, Subtree::Delivered, &name, &owner)?;
        }
        ctx.delivered = Some(name.clone());
        if ctx.op == Operation::Download {
            let target = Some(base);
            return self.report(tree, &ctx, ResultCode::SUCCESSFUL, target);
        }
        self.download_status(tree, &ctx, DownloadEvent::InstallStart)?;
        // Downloaded bytes were just checked; the install re-checks against the same values.
        self.start_install(tree, ctx, true)
    }

    fn delivered_of(&self, ctx: &Context) -> String {
        ctx.delivered.clone().unwrap_or_else(|| ctx.item.clone())
    }

    fn install_failed(
        &mut self,
        tree: &mut Tree,
        ctx: &Context,
        code: ResultCode,
        data_kept: bool,
    ) -> Result<(), AgentError> {
        let delivered = self.delivered_of(ctx);
        let base = self.item_uri(Subtree::Delivered, &delivered);
        let status_uri = format!("{base}/Status");
        let s = int_of(tree, &status_uri)
            .and_then(DeliveredStatus::from_value)
            .unwrap_or(DeliveredStatus::InstallProgressing);
        if let Some(next) = s.next(DeliveredEvent::InstallFailed { data_kept }) {
            self.set_int(tree, &status_uri, next.value())?;
        }
        if ctx.op.downloads() {
            self.download_status(tree, ctx, DownloadEvent::InstallFailed { data_kept })?;
        }
        self.report(tree, ctx, code, Some(base))
    }

    fn installed(
        &mut self,
        tree: &mut Tree,
        ctx: &Context,
        components: &[ComponentInfo],
    ) -> Result<(), AgentError> {
        let delivered = self.delivered_of(ctx);
        let dbase = self.item_uri(Subtree::Delivered, &delivered);
        let pkg_id = self.pkg_id(tree, Subtree::Delivered, &delivered);
        let env_type = text_of(tree, &format!("{dbase}/EnvType"));
        let mut targets = Vec::new();
        for c in components {
            let existing = self
                .children(tree, Subtree::Deployed)
                .into_iter()
                .find(|item| self.component_id(tree, item) == c.id);
            let (item, is_update) = match existing {
                Some(item) => (item, true),
                None => {
                    let taken = self.children(tree, Subtree::Deployed);
                    let stem = node_name(&c.id);
                    let mut name = stem.clone();
                    let mut n = 2u32;
                    while taken.contains(&name) {
                        name = format!("{stem}_{n}");
                        n = n.saturating_add(1);
                    }
                    (name, false)
                }
            };
            let base = self.item_uri(Subtree::Deployed, &item);
            ensure_node(tree, &base)?;
            set_leaf(tree, &format!("{base}/ID"), c.id.as_bytes())?;
            set_leaf(tree, &format!("{base}/PkgIDRef"), pkg_id.as_bytes())?;
            set_leaf(tree, &format!("{base}/Name"), c.name.as_bytes())?;
            if let Some(d) = &c.description {
                set_leaf(tree, &format!("{base}/Description"), d.as_bytes())?;
            }
            set_leaf(tree, &format!("{base}/Version"), c.version.as_bytes())?;
            self.set_int(
                tree,
                &format!("{base}/Status"),
                DeployedStatus::Idle.value(),
            )?;
            // an update keeps the component's State unless the operation says Inactive
            let state_uri = format!("{base}/State");
            let state = if ctx.op.installs_inactive() {
                DeployedState::Inactive
            } else if is_update {
                int_of(tree, &state_uri)
                    .and_then(DeployedState::from_value)
                    .unwrap_or(DeployedState::Active)
            } else {
                DeployedState::Active
            };
            self.set_int(tree, &state_uri, state.value())?;
            if let Some(e) = &env_type {
                set_leaf(tree, &format!("{base}/EnvType"), e.as_bytes())?;
            }
            self.ensure_operations(tree, &base, Subtree::Deployed)?;
            if let (Some(owner), None) =
                (&ctx.authority, self.owner(tree, Subtree::Deployed, &item))
            {
                self.claim(tree, Subtree::Deployed, &item, owner)?;
            }
            targets.push((base, c.id.clone()));
        }
        let status_uri = format!("{dbase}/Status");
        let s = int_of(tree, &status_uri)
            .and_then(DeliveredStatus::from_value)
            .unwrap_or(DeliveredStatus::InstallProgressing);
        self.set_int(
            tree,
            &status_uri,
            s.next(DeliveredEvent::Installed)
                .unwrap_or(DeliveredStatus::Idle)
                .value(),
        )?;
        self.set_int(
            tree,
            &format!("{dbase}/State"),
            DeliveredState::Installed.value(),
        )?;
        if ctx.op.downloads() {
            self.download_status(tree, ctx, DownloadEvent::Installed)?;
        }
        for (target, id) in targets {
            self.push(tree, ctx, ResultCode::SUCCESSFUL, Some(target), id);
        }
        Ok(())
    }

    fn simple_done(&mut self, tree: &mut Tree, ctx: &Context) -> Result<(), AgentError> {
        let base = self.item_uri(ctx.op.subtree(), &ctx.item);
        let status_uri = format!("{base}/Status");
        match ctx.op {
            Operation::RemoveDelivered => {
                let id = self.pkg_id(tree, Subtree::Delivered, &ctx.item);
                delete(tree, &base)?;
                self.push(tree, ctx, ResultCode::SUCCESSFUL, Some(base), id);
                return Ok(());
            }
            Operation::RemoveDeployed => {
                let id = self.component_id(tree, &ctx.item);
                delete(tree, &base)?;
                self.push(tree, ctx, ResultCode::SUCCESSFUL, Some(base), id);
                return Ok(());
            }
            Operation::Activate | Operation::Deactivate => {
                let (event, state) = if ctx.op == Operation::Activate {
                    (DeployedEvent::Activated, DeployedState::Active)
                } else {
                    (DeployedEvent::Deactivated, DeployedState::Inactive)
                };
                let s = int_of(tree, &status_uri)
                    .and_then(DeployedStatus::from_value)
                    .unwrap_or(DeployedStatus::Idle);
                self.set_int(
                    tree,
                    &status_uri,
                    s.next(event).unwrap_or(DeployedStatus::Idle).value(),
                )?;
                self.set_int(tree, &format!("{base}/State"), state.value())?;
                if state == DeployedState::Inactive
                    && tree.node(&format!("{base}/Ext/RunState")).is_some()
                {
                    set_leaf(tree, &format!("{base}/Ext/RunState"), b"Stopped")?;
                }
            }
            Operation::Start | Operation::Stop => {
                let run = if ctx.op == Operation::Start {
                    "Running"
                } else {
                    "Stopped"
                };
                ensure_node(tree, &format!("{base}/Ext"))?;
                set_leaf(tree, &format!("{base}/Ext/RunState"), run.as_bytes())?;
            }
            _ => {}
        }
        let id = self.component_id(tree, &ctx.item);
        self.push(tree, ctx, ResultCode::SUCCESSFUL, Some(base), id);
        Ok(())
    }

    fn simple_failed(
        &mut self,
        tree: &mut Tree,
        ctx: &Context,
        code: ResultCode,
    ) -> Result<(), AgentError> {
        let base = self.item_uri(ctx.op.subtree(), &ctx.item);
        let status_uri = format!("{base}/Status");
        match ctx.op.subtree() {
            Subtree::Delivered => {
                let s = int_of(tree, &status_uri)
                    .and_then(DeliveredStatus::from_value)
                    .unwrap_or(DeliveredStatus::RemoveProgressing);
                if let Some(next) = s.next(DeliveredEvent::RemoveFailed) {
                    self.set_int(tree, &status_uri, next.value())?;
                }
            }
            _ => {
                let event = match ctx.op {
                    Operation::Activate => Some(DeployedEvent::ActivateFailed),
                    Operation::Deactivate => Some(DeployedEvent::DeactivateFailed),
                    Operation::RemoveDeployed => Some(DeployedEvent::RemoveFailed),
                    _ => None,
                };
                let s = int_of(tree, &status_uri)
                    .and_then(DeployedStatus::from_value)
                    .unwrap_or(DeployedStatus::Idle);
                if let Some(next) = event.and_then(|e| s.next(e)) {
                    self.set_int(tree, &status_uri, next.value())?;
                }
            }
        }
        self.report(tree, ctx, code, Some(base))
    }

    /// Reports one result for the operation's own item (package or component).
    fn report(
        &mut self,
        tree: &mut Tree,
        ctx: &Context,
        code: ResultCode,
        target: Option<String>,
    ) -> Result<(), AgentError> {
        let (id, target) = match ctx.op.subtree() {
            Subtree::Deployed => (
                self.component_id(tree, &ctx.item),
                target.or_else(|| Some(self.item_uri(Subtree::Deployed, &ctx.item))),
            ),
            Subtree::Delivered => (
                self.pkg_id(tree, Subtree::Delivered, &ctx.item),
                target.or_else(|| Some(self.item_uri(Subtree::Delivered, &ctx.item))),
            ),
            Subtree::Download => (self.pkg_id(tree, Subtree::Download, &ctx.item), target),
        };
        self.push(tree, ctx, code, target, id);
        Ok(())
    }

    fn push(
        &mut self,
        tree: &mut Tree,
        ctx: &Context,
        code: ResultCode,
        target: Option<String>,
        identifier: String,
    ) {
        let report = OperationComplete {
            source: self.uri(&ctx.op.path(&ctx.item)),
            target,
            result: code,
            identifier,
            correlator: ctx.correlator.clone(),
        };
        let alert = report.to_generic_alert();
        self.state.pending_alerts.push(alert.clone());
        tree.push_alert(alert);
        self.state.events.push_back(Event::Completed(report));
    }
}

impl ScomoAgent {
    /// An agent with no consent prompts and no integrity policy.
    pub fn new(config: AgentConfig) -> Self {
        Self::with_parts(
            config,
            Box::new(ConsentPolicy::default()),
            Box::new(AcceptAll),
        )
    }

    /// An agent with the given consent and integrity policies.
    pub fn with_parts(
        config: AgentConfig,
        consent: Box<dyn Consent>,
        integrity: Box<dyn Integrity>,
    ) -> Self {
        Self::restore(config, AgentState::default(), consent, integrity)
    }

    /// An agent resuming from saved state: jobs that were in flight are handed out again
    /// (the host re-runs them), pending alerts wait for [`requeue_pending`](Self::requeue_pending).
    pub fn restore(
        config: AgentConfig,
        mut state: AgentState,
        consent: Box<dyn Consent>,
        integrity: Box<dyn Integrity>,
    ) -> Self {
        state.to_hand = state.in_flight.iter().map(|f| f.job.id).collect();
        Self {
            core: Arc::new(Mutex::new(Core {
                config,
                state,
                consent,
                integrity,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Installs the SCOMO object at the configured root (its specs: SCOMO 1.0 plus this
    /// crate's extension nodes), sets the root ACL and `Ext/Build`, and mounts the agent.
    /// Existing nodes (a restored tree) are kept.
    pub fn attach(&self, tree: &mut Tree) -> Result<(), AgentError> {
        let core = self.lock();
        let root = core.config.root.clone();
        tree.install_mo(&root, extended::NODE_SPECS)
            .map_err(|s| tree_err(&root, s))?;
        set_acl(tree, &root, &core.config.root_acl)?;
        if let Some(build) = &core.config.build {
            ensure_node(tree, &core.uri("Ext"))?;
            set_leaf(tree, &core.uri("Ext/Build"), build.as_bytes())?;
            // The same baseline build where DM servers look for it first (SCOMO-HLFR-9).
            ensure_node(tree, "./DevDetail")?;
            set_leaf(tree, "./DevDetail/SwV", build.as_bytes())?;
        }
        drop(core);
        tree.mount(&root, Box::new(Mounted(Arc::clone(&self.core))))
            .map_err(|s| tree_err(&root, s))
    }

    /// Creates the device-managed nodes (Status, State, Operations) of items a server
    /// created, so their operations can be executed. The mounted agent does this itself on
    /// every Add (through dm-tree's `after_change` hook); call it after changing the tree
    /// while holding the agent, or after restoring a tree saved by an older version.
    pub fn sync(&self, tree: &mut Tree) -> Result<(), AgentError> {
        self.lock().sync(tree)
    }

    /// The next job for the host, if any.
    pub fn poll_job(&self) -> Option<Job> {
        let mut core = self.lock();
        let id = core.state.to_hand.pop_front()?;
        core.state
            .in_flight
            .iter()
            .find(|f| f.job.id == id)
            .map(|f| f.job.clone())
    }

    /// Reports how a job ended: Status/State move on, further jobs may follow, and the
    /// final result is pushed to the tree's alert queue.
    pub fn complete(
        &self,
        tree: &mut Tree,
        job: JobId,
        outcome: JobOutcome,
    ) -> Result<(), AgentError> {
        self.lock().complete(tree, job, outcome)
    }

    /// The next user notification (SCOMO-USA-2).
    pub fn poll_event(&self) -> Option<Event> {
        self.lock().state.events.pop_front()
    }

    /// The alerts sent (or to be sent) and not yet acknowledged.
    pub fn pending_alerts(&self) -> Vec<GenericAlert> {
        self.lock().state.pending_alerts.clone()
    }

    /// Marks an alert as delivered (the server answered its Alert with a 2xx Status).
    /// Returns whether it was pending.
    pub fn acknowledge(&self, alert: &GenericAlert) -> bool {
        let mut core = self.lock();
        let pos = core.state.pending_alerts.iter().position(|a| a == alert);
        pos.map(|p| core.state.pending_alerts.remove(p)).is_some()
    }

    /// Pushes every unacknowledged alert into the tree's queue again (at the start of a new
    /// session, or after a restart). Returns how many.
    pub fn requeue_pending(&self, tree: &mut Tree) -> usize {
        let core = self.lock();
        for a in &core.state.pending_alerts {
            tree.push_alert(a.clone());
        }
        core.state.pending_alerts.len()
    }

    /// A copy of the state to persist (serde).
    pub fn state(&self) -> AgentState {
        self.lock().state.clone()
    }

    /// The configuration.
    pub fn config(&self) -> AgentConfig {
        self.lock().config.clone()
    }
}

/// The ACL command an owner is granted on its items, for checks by hosts.
pub const OWNER_COMMANDS: [AclCommand; 3] =
    [AclCommand::Delete, AclCommand::Exec, AclCommand::Replace];
