//! The SCOMO Server toolkit: SyncML commands for every operation, OperationComplete alerts
//! read back and matched by Correlator, inventory Results read into the typed view, and a
//! campaign view of what is pending, done or failed on which device.
//!
//! Commands are built with CmdID `""`: [`syncml_codec::MessageBuilder`] numbers them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use syncml_codec::{Command, Data, Format, Item, ItemCommand, Message, Meta};

use crate::alert::{AlertError, OperationComplete};
use crate::inventory::{self, FlatInventory};
use crate::state::Operation;
use crate::types::extended;

/// A package to fetch by alternate download.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageSpec {
    /// `PkgID`.
    pub pkg_id: String,
    /// `Name`.
    pub name: String,
    /// `PkgURL`.
    pub url: String,
    /// `Description`.
    pub description: Option<String>,
    /// `InstallParams`.
    pub install_params: Option<String>,
    /// `EnvType`.
    pub env_type: Option<String>,
    /// `PkgType`.
    pub pkg_type: Option<String>,
    /// Expected SHA-256 (hex), sent in `Ext/Digest`.
    pub digest: Option<String>,
    /// ed25519 signature (hex), sent in `Ext/Signature`.
    pub signature: Option<String>,
}

/// The commands of one operation request and the Correlator its result will carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The commands, in order.
    pub commands: Vec<Command<'static>>,
    /// The Exec's correlator (`None` for requests without an Exec).
    pub correlator: Option<String>,
    /// The operation executed.
    pub operation: Option<Operation>,
    /// The `<X>` item.
    pub item: String,
}

/// Builds SCOMO requests for a device whose SCOMO root is known (found by MOID).
#[derive(Clone, Debug)]
pub struct ScomoServer {
    root: String,
    prefix: String,
    next: u64,
}

fn chr(uri: String, value: &str) -> Command<'static> {
    Command::Add(ItemCommand::new(
        "",
        Item::target(uri)
            .with_meta(Meta {
                format: Some(Format::Chr),
                ..Meta::default()
            })
            .with_data(Data::text(value.to_owned())),
    ))
}

fn node(uri: String) -> Command<'static> {
    Command::Add(ItemCommand::new(
        "",
        Item::target(uri).with_meta(Meta {
            format: Some(Format::Node),
            ..Meta::default()
        }),
    ))
}

impl ScomoServer {
    /// A toolkit for the SCOMO object at `root` (e.g. `./SCOMO`); correlators are
    /// `<prefix>-<n>`.
    pub fn new(root: &str, correlator_prefix: &str) -> Self {
        Self {
            root: root.trim_end_matches('/').to_owned(),
            prefix: correlator_prefix.to_owned(),
            next: 1,
        }
    }

    fn uri(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root)
    }

    fn correlator(&mut self) -> String {
        let c = format!("{}-{}", self.prefix, self.next);
        self.next = self.next.wrapping_add(1);
        c
    }

    /// `Exec` of `operation` on item `x` with a fresh correlator.
    pub fn exec(&mut self, operation: Operation, x: &str) -> Request {
        let correlator = self.correlator();
        Request {
            commands: vec![Command::exec(
                "",
                self.uri(&operation.path(x)),
                Some(Cow::Owned(correlator.clone())),
            )],
            correlator: Some(correlator),
            operation: Some(operation),
            item: x.to_owned(),
        }
    }

    /// The combined download request: `Add Download/<X>` with its leaves (PkgURL, and the
    /// integrity extension leaves when given), then `Exec` of `operation` (Download,
    /// DownloadInstall or DownloadInstallInactive) with a correlator.
    pub fn download(&mut self, x: &str, package: &PackageSpec, operation: Operation) -> Request {
        let base = format!("Download/{x}");
        let mut commands = vec![node(self.uri(&base))];
        let mut leaf = |name: &str, v: Option<&str>| {
            if let Some(v) = v {
                commands.push(chr(self.uri(&format!("{base}/{name}")), v));
            }
        };
        leaf("PkgID", Some(&package.pkg_id));
        leaf("Name", Some(&package.name));
        leaf("PkgURL", Some(&package.url));
        leaf("Description", package.description.as_deref());
        leaf("InstallParams", package.install_params.as_deref());
        leaf("EnvType", package.env_type.as_deref());
        leaf("PkgType", package.pkg_type.as_deref());
        leaf("Ext/Digest", package.digest.as_deref());
        leaf("Ext/Signature", package.signature.as_deref());
        let op = if operation.downloads() {
            operation
        } else {
            Operation::DownloadInstall
        };
        let mut req = self.exec(op, x);
        commands.append(&mut req.commands);
        req.commands = commands;
        req
    }

    /// Direct delivery through DM: `Add Inventory/Delivered/<X>` with PkgID and Name, then
    /// the package bytes in `Replace …/Data`, split into large-object chunks of at most
    /// `max_chunk` bytes (`Meta/Size` on the first, `MoreData` on all but the last).
    pub fn deliver(
        &mut self,
        x: &str,
        pkg_id: &str,
        name: &str,
        data: &[u8],
        max_chunk: usize,
    ) -> Request {
        let base = format!("Inventory/Delivered/{x}");
        let mut commands = vec![
            node(self.uri(&base)),
            chr(self.uri(&format!("{base}/PkgID")), pkg_id),
            chr(self.uri(&format!("{base}/Name")), name),
        ];
        let chunks: Vec<&[u8]> = if data.is_empty() {
            vec![data]
        } else {
            data.chunks(max_chunk.max(1)).collect()
        };
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.into_iter().enumerate() {
            let mut item = Item::target(self.uri(&format!("{base}/Data")))
                .with_data(Data::Opaque(Cow::Owned(chunk.to_vec())));
            let mut meta = Meta {
                format: Some(Format::Bin),
                ..Meta::default()
            };
            if i == 0 && last > 0 {
                meta.size = u64::try_from(data.len()).ok();
            }
            item = item.with_meta(meta);
            item.more_data = i < last;
            commands.push(Command::Replace(ItemCommand::new("", item)));
        }
        Request {
            commands,
            correlator: None,
            operation: None,
            item: x.to_owned(),
        }
    }

    /// Install (or InstallInactive) of a delivered package.
    pub fn install(&mut self, x: &str, inactive: bool) -> Request {
        let op = if inactive {
            Operation::InstallInactive
        } else {
            Operation::Install
        };
        self.exec(op, x)
    }

    /// Activate a deployed component.
    pub fn activate(&mut self, x: &str) -> Request {
        self.exec(Operation::Activate, x)
    }

    /// Deactivate a deployed component.
    pub fn deactivate(&mut self, x: &str) -> Request {
        self.exec(Operation::Deactivate, x)
    }

    /// Remove a deployed component.
    pub fn remove_component(&mut self, x: &str) -> Request {
        self.exec(Operation::RemoveDeployed, x)
    }

    /// Remove a delivered package.
    pub fn remove_package(&mut self, x: &str) -> Request {
        self.exec(Operation::RemoveDelivered, x)
    }

    /// Relayed start (this crate's extension).
    pub fn start(&mut self, x: &str) -> Request {
        self.exec(Operation::Start, x)
    }

    /// Relayed stop (this crate's extension).
    pub fn stop(&mut self, x: &str) -> Request {
        self.exec(Operation::Stop, x)
    }

    /// `Get …/Inventory?list=TNDS+Value`: the whole inventory in one TNDS document.
    pub fn get_inventory(&self) -> Command<'static> {
        Command::get("", self.uri("Inventory?list=TNDS+Value"))
    }
}

/// Every SCOMO OperationComplete report in a message (other alerts are skipped; a
/// malformed SCOMO item gives an error in its place).
pub fn operation_results(message: &Message<'_>) -> Vec<Result<OperationComplete, AlertError>> {
    let mut out = Vec::new();
    for cmd in message.all_commands() {
        let Command::Alert(alert) = cmd else { continue };
        let Some(items) = alert.generic_alerts() else {
            continue;
        };
        for g in items {
            let scomo = g.alert_type.is_some_and(|t| {
                t == crate::alert::ALERT_TYPE || t == crate::alert::LEGACY_ALERT_TYPE
            });
            if !scomo {
                continue;
            }
            let data = g.data.and_then(Data::as_text).unwrap_or_default();
            out.push(OperationComplete::from_parts(
                g.alert_type,
                g.format,
                g.source,
                g.target,
                data,
                g.correlator,
            ));
        }
    }
    out
}

/// The inventory in a message's `Results`: TNDS documents (nested or as text) and
/// node lists (one item per leaf, `Source/LocURI` + `Data`).
pub fn inventory_from_results(message: &Message<'_>) -> extended::Inventory {
    let mut flat = FlatInventory::new();
    let mut merged = extended::Inventory::default();
    for cmd in message.all_commands() {
        let Command::Results(results) = cmd else {
            continue;
        };
        for item in &results.items {
            let tnds = match &item.data {
                Some(Data::Nested(n)) => n.to_xml().ok().map(Cow::into_owned),
                Some(d) => d
                    .as_text()
                    .filter(|t| t.trim_start().starts_with('<') && t.contains("MgmtTree"))
                    .map(str::to_owned),
                None => None,
            };
            if let Some(xml) = tnds {
                if let Ok(parsed) = ddf::parse_xml(&xml) {
                    let inv = inventory::from_tnds(&parsed.tree);
                    merged.delivered.items.extend(inv.delivered.items);
                    merged.deployed.items.extend(inv.deployed.items);
                }
                continue;
            }
            if let (Some(src), Some(text)) =
                (&item.source, item.data.as_ref().and_then(Data::as_text))
            {
                inventory::insert(&mut flat, &src.loc_uri, text);
            }
        }
    }
    let listed = inventory::from_flat(&flat);
    merged.delivered.items.extend(listed.delivered.items);
    merged.deployed.items.extend(listed.deployed.items);
    merged
}

/// Where one request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No result yet.
    Pending,
    /// Every reported item succeeded.
    Done(Vec<OperationComplete>),
    /// At least one reported item failed.
    Failed(Vec<OperationComplete>),
}

/// One tracked request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked {
    /// The operation.
    pub operation: Operation,
    /// The `<X>` item.
    pub item: String,
    /// Where it stands.
    pub outcome: Outcome,
}

/// Counts of a campaign.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests without a result.
    pub pending: usize,
    /// Requests that succeeded.
    pub done: usize,
    /// Requests that failed.
    pub failed: usize,
}

/// Which operation is pending, done or failed on which device, matched by Correlator.
#[derive(Clone, Debug, Default)]
pub struct Campaign {
    requests: BTreeMap<(String, String), Tracked>,
}

impl Campaign {
    /// An empty campaign.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tracks a request sent to `device` (requests without a correlator are not tracked).
    pub fn track(&mut self, device: &str, request: &Request) {
        if let (Some(c), Some(op)) = (&request.correlator, request.operation) {
            self.requests.insert(
                (device.to_owned(), c.clone()),
                Tracked {
                    operation: op,
                    item: request.item.clone(),
                    outcome: Outcome::Pending,
                },
            );
        }
    }

    /// Records a result from `device`; `false` when it matches no tracked request.
    pub fn record(&mut self, device: &str, result: OperationComplete) -> bool {
        let Some(c) = result.correlator.clone() else {
            return false;
        };
        let Some(t) = self.requests.get_mut(&(device.to_owned(), c)) else {
            return false;
        };
        let ok = result.result.is_success();
        t.outcome = match std::mem::replace(&mut t.outcome, Outcome::Pending) {
            Outcome::Pending if ok => Outcome::Done(vec![result]),
            Outcome::Pending => Outcome::Failed(vec![result]),
            Outcome::Done(mut v) => {
                v.push(result);
                if ok {
                    Outcome::Done(v)
                } else {
                    Outcome::Failed(v)
                }
            }
            Outcome::Failed(mut v) => {
                v.push(result);
                Outcome::Failed(v)
            }
        };
        true
    }

    /// Where the request with `correlator` on `device` stands.
    pub fn get(&self, device: &str, correlator: &str) -> Option<&Tracked> {
        self.requests
            .get(&(device.to_owned(), correlator.to_owned()))
    }

    /// Every tracked request, by device and correlator.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Tracked)> {
        self.requests
            .iter()
            .map(|((d, c), t)| (d.as_str(), c.as_str(), t))
    }

    /// Counts over all devices.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for t in self.requests.values() {
            match t.outcome {
                Outcome::Pending => s.pending += 1,
                Outcome::Done(_) => s.done += 1,
                Outcome::Failed(_) => s.failed += 1,
            }
        }
        s
    }
}
