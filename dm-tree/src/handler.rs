//! Plug-in points for device code: MO handlers mounted in the tree, and the Generic Alert
//! queue through which MOs report to the session engine.

use std::collections::VecDeque;

use ddf::spec::Format;

use crate::op::Command;
use crate::status::Status;
use crate::tree::Tree;
use crate::uri::Uri;
use crate::value::Value;

/// An Exec as handed to a handler.
#[derive(Clone, Copy, Debug)]
pub struct ExecRequest<'a> {
    /// The server that sent it (`None` for device-local calls).
    pub server: Option<&'a str>,
    /// The executed node.
    pub uri: Uri<'a>,
    /// The executed node relative to the handler's mount point.
    pub path: Uri<'a>,
    /// `Data` of the Exec.
    pub data: Option<&'a [u8]>,
    /// `Meta/Format` of the Exec.
    pub format: Option<Format>,
    /// The correlator to echo in a later Generic Alert.
    pub correlator: Option<&'a str>,
}

/// A change to a node of a handler's subtree, as handed to [`MoHandler::after_change`].
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    /// The server that sent the command (`None` for device-local calls).
    pub server: Option<&'a str>,
    /// The command: Add, Replace, Delete or Copy.
    pub command: Command,
    /// The changed node.
    pub uri: Uri<'a>,
    /// The changed node relative to the handler's mount point.
    pub path: Uri<'a>,
}

/// Device code serving a subtree: live values, write hooks and Exec (DevInfo computed on
/// demand, a SCOMO agent, ...). Mounted with [`Tree::mount`].
///
/// Nodes themselves (structure, ACLs, properties) stay in the tree; the handler only serves
/// values and actions. Paths are relative to the mount point.
pub trait MoHandler: Send {
    /// The live value of a leaf, or `None` to use the stored one.
    fn value(&mut self, path: Uri<'_>) -> Option<Value> {
        let _ = path;
        None
    }

    /// Called before a new value is stored in a leaf (Add, Replace, Copy); an error status
    /// refuses the write and becomes the command's status.
    fn on_write(&mut self, path: Uri<'_>, value: &Value) -> Result<(), Status> {
        let _ = (path, value);
        Ok(())
    }

    /// Called before a Get that reads the handler's subtree (a node in it, or an ancestor
    /// listed with `?list=`): an error status refuses the Get, so an MO can ask the user
    /// before an inventory query (SCOMO-ADC-1). `path` is relative to the mount point, empty
    /// when the Get names an ancestor.
    fn on_read(&mut self, server: Option<&str>, path: Uri<'_>) -> Result<(), Status> {
        let _ = (server, path);
        Ok(())
    }

    /// Called after a server or the device changed a node of the handler's subtree (a
    /// successful Add, Replace, Delete or Copy into it), with the tree, so that the MO can
    /// keep the nodes it derives in step: SCOMO gives a new `Download/<X>` its `Status` and
    /// `Operations`. While it runs, its own subtree is served from stored values.
    fn after_change(&mut self, tree: &mut Tree, change: &Change<'_>) {
        let _ = (tree, change);
    }

    /// Runs an Exec: 200 when done, 202 when the work completes later (report it with a
    /// [`GenericAlert`] echoing the correlator), or an error status. The handler may read
    /// and change the tree; while it runs, its own subtree is served from stored values.
    fn exec(&mut self, tree: &mut Tree, request: &ExecRequest<'_>) -> Status;
}

/// A Generic Alert (1226) an MO wants sent to the server.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct GenericAlert {
    /// `Item/Source/LocURI`: the node the alert is about.
    pub source: Option<String>,
    /// `Item/Target/LocURI`.
    pub target: Option<String>,
    /// `Item/Meta/Type`, e.g. `urn:oma:at:scomo:1.0:OperationComplete`.
    pub alert_type: String,
    /// `Item/Meta/Format`, e.g. `xml` or `chr`.
    pub format: String,
    /// `Item/Meta/Mark`, e.g. `informational`, `warning`, `critical`.
    pub mark: Option<String>,
    /// `Item/Data`.
    pub data: String,
    /// The correlator of the Exec this alert completes.
    pub correlator: Option<String>,
}

/// Something that accepts Generic Alerts (the session engine's outgoing queue).
pub trait AlertSink {
    /// Queues an alert for the next package.
    fn push_alert(&mut self, alert: GenericAlert);
}

/// A FIFO of Generic Alerts; the tree owns one, MOs push into it and the session engine
/// drains it. It is saved with the tree, so an alert reporting work done (a 1226 for an
/// asynchronous Exec) survives a restart before the next session.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AlertQueue(VecDeque<GenericAlert>);

impl AlertQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The oldest alert, removed.
    pub fn pop(&mut self) -> Option<GenericAlert> {
        self.0.pop_front()
    }

    /// Removes and returns every queued alert, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = GenericAlert> + '_ {
        self.0.drain(..)
    }

    /// Number of queued alerts.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no alert is queued.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AlertSink for AlertQueue {
    fn push_alert(&mut self, alert: GenericAlert) {
        self.0.push_back(alert);
    }
}
