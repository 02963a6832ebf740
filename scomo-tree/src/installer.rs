//! The host's side of the jobs: the [`Installer`] (execution environment) and [`Fetcher`]
//! (alternate download) traits, in-memory implementations, and [`run_job`], which runs a
//! job against them.
//!
//! The library itself does no I/O: a real installer (for example one that installs into a
//! directory with a manifest, as `dmtool` does) and a real HTTP fetcher live in the host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agent::{JobKind, JobOutcome};
use crate::codes::ResultCode;

/// A Deployment Component as the installer reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentInfo {
    /// Component identifier (`Deployed/<X>/ID`); an ID already installed means an update.
    pub id: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Description.
    pub description: Option<String>,
}

/// An install request.
#[derive(Clone, Copy, Debug)]
pub struct InstallRequest<'a> {
    /// `PkgID` of the package.
    pub pkg_id: &'a str,
    /// The package bytes.
    pub data: &'a [u8],
    /// Whether the components end up Active (`false`: Inactive).
    pub active: bool,
    /// `InstallParams`, if set.
    pub install_params: Option<&'a str>,
    /// `EnvType`, if set.
    pub env_type: Option<&'a str>,
    /// Installed components that belong to another Management Authority: the package must
    /// not replace them (SCOMO-ADC-3).
    pub foreign: &'a [String],
}

/// An execution environment. Install must be atomic: when it fails, every component that
/// was installed before (an older version of one being updated included) is left as it was.
pub trait Installer {
    /// Installs (or updates) the package's components.
    fn install(&mut self, request: &InstallRequest<'_>) -> Result<Vec<ComponentInfo>, ResultCode>;
    /// Removes a component.
    fn remove(&mut self, id: &str) -> Result<(), ResultCode>;
    /// Activates a component.
    fn activate(&mut self, id: &str) -> Result<(), ResultCode>;
    /// Deactivates a component.
    fn deactivate(&mut self, id: &str) -> Result<(), ResultCode>;
    /// Relayed start command.
    fn start(&mut self, id: &str) -> Result<(), ResultCode> {
        let _ = id;
        Err(ResultCode::NOT_IMPLEMENTED)
    }
    /// Relayed stop command.
    fn stop(&mut self, id: &str) -> Result<(), ResultCode> {
        let _ = id;
        Err(ResultCode::NOT_IMPLEMENTED)
    }
    /// Forgets a stored Delivery Package.
    fn remove_package(&mut self, pkg_id: &str) -> Result<(), ResultCode> {
        let _ = pkg_id;
        Ok(())
    }
}

/// Fetches a package from its `PkgURL` (alternate download).
pub trait Fetcher {
    /// The package bytes, or a result code (1402–1404, 15xx).
    fn fetch(&mut self, url: &str) -> Result<Vec<u8>, ResultCode>;
}

/// Runs a job against an installer and a fetcher; `None` for a consent job, which only the
/// user can answer.
pub fn run_job(
    kind: &JobKind,
    installer: &mut dyn Installer,
    fetcher: &mut dyn Fetcher,
) -> Option<JobOutcome> {
    let done = |r: Result<(), ResultCode>| match r {
        Ok(()) => JobOutcome::Done,
        Err(code) => JobOutcome::Failed(code),
    };
    Some(match kind {
        JobKind::AskConsent { .. } => return None,
        JobKind::Download { url, .. } => match fetcher.fetch(url) {
            Ok(bytes) => JobOutcome::Downloaded(bytes),
            Err(code) => JobOutcome::Failed(code),
        },
        JobKind::Install {
            pkg_id,
            data,
            active,
            install_params,
            env_type,
            foreign,
        } => {
            let request = InstallRequest {
                pkg_id,
                data,
                active: *active,
                install_params: install_params.as_deref(),
                env_type: env_type.as_deref(),
                foreign,
            };
            match installer.install(&request) {
                Ok(components) => JobOutcome::Installed(components),
                Err(code) => JobOutcome::Failed(code),
            }
        }
        JobKind::RemovePackage { pkg_id } => done(installer.remove_package(pkg_id)),
        JobKind::Remove { component } => done(installer.remove(component)),
        JobKind::Activate { component } => done(installer.activate(component)),
        JobKind::Deactivate { component } => done(installer.deactivate(component)),
        JobKind::Start { component } => done(installer.start(component)),
        JobKind::Stop { component } => done(installer.stop(component)),
    })
}

/// One component held by [`MemoryInstaller`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryComponent {
    /// Version.
    pub version: String,
    /// Name.
    pub name: String,
    /// Active or not.
    pub active: bool,
    /// Started by a relayed Start (and not stopped since).
    pub running: bool,
    /// The package it came from.
    pub pkg_id: String,
}

/// An installer that keeps components in memory (tests, demos, simulators).
///
/// Package format: UTF-8 text, one component per line, `ID VERSION [NAME…]`; empty lines
/// and lines starting with `#` are skipped. A package with no component, or not UTF-8, gives
/// 1405. Failures can be injected per operation with [`MemoryInstaller::fail`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MemoryInstaller {
    /// Installed components by ID.
    pub components: BTreeMap<String, MemoryComponent>,
    /// Environment types accepted (`None`: any); another gives 1413.
    pub env_types: Option<Vec<String>>,
    failures: BTreeMap<String, ResultCode>,
}

impl MemoryInstaller {
    /// An empty installer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next call of `operation` (`install`, `remove`, `activate`, `deactivate`,
    /// `start`, `stop`, `remove_package`) fail with `code`.
    pub fn fail(&mut self, operation: &str, code: ResultCode) {
        self.failures.insert(operation.to_owned(), code);
    }

    fn injected(&mut self, operation: &str) -> Result<(), ResultCode> {
        self.failures.remove(operation).map_or(Ok(()), Err)
    }

    /// Parses a package in this installer's format.
    pub fn parse_package(data: &[u8]) -> Result<Vec<ComponentInfo>, ResultCode> {
        let text = core::str::from_utf8(data).map_err(|_| ResultCode::INSTALL_FAILED)?;
        let mut out: Vec<ComponentInfo> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(id), Some(version)) = (words.next(), words.next()) else {
                return Err(ResultCode::INSTALL_FAILED);
            };
            let name = words.collect::<Vec<_>>().join(" ");
            out.push(ComponentInfo {
                id: id.to_owned(),
                name: if name.is_empty() { id.to_owned() } else { name },
                version: version.to_owned(),
                description: None,
            });
        }
        if out.is_empty() {
            return Err(ResultCode::INSTALL_FAILED);
        }
        Ok(out)
    }

    fn with<F: FnOnce(&mut MemoryComponent)>(&mut self, id: &str, f: F) -> Result<(), ()> {
        self.components.get_mut(id).map(f).ok_or(())
    }
}

impl Installer for MemoryInstaller {
    fn install(&mut self, request: &InstallRequest<'_>) -> Result<Vec<ComponentInfo>, ResultCode> {
        if let (Some(allowed), Some(env)) = (&self.env_types, request.env_type) {
            if !allowed.iter().any(|a| a == env) {
                return Err(ResultCode::UNSUPPORTED_ENV_TYPE);
            }
        }
        let components = Self::parse_package(request.data)?;
        if components.iter().any(|c| request.foreign.contains(&c.id)) {
            return Err(ResultCode::INSTALL_FAILED);
        }
        // Everything is checked before anything changes, so a failure leaves the old
        // versions of updated components in place.
        self.injected("install")?;
        for c in &components {
            let active = match self.components.get(&c.id) {
                // an update keeps the component's state unless asked to install inactive
                Some(old) if request.active => old.active,
                _ => request.active,
            };
            self.components.insert(
                c.id.clone(),
                MemoryComponent {
                    version: c.version.clone(),
                    name: c.name.clone(),
                    active,
                    running: false,
                    pkg_id: request.pkg_id.to_owned(),
                },
            );
        }
        Ok(components)
    }

    fn remove(&mut self, id: &str) -> Result<(), ResultCode> {
        self.injected("remove")?;
        self.components
            .remove(id)
            .map(|_| ())
            .ok_or(ResultCode::REMOVE_FAILED)
    }

    fn activate(&mut self, id: &str) -> Result<(), ResultCode> {
        self.injected("activate")?;
        self.with(id, |c| c.active = true)
            .map_err(|()| ResultCode::ACTIVATE_FAILED)
    }

    fn deactivate(&mut self, id: &str) -> Result<(), ResultCode> {
        self.injected("deactivate")?;
        self.with(id, |c| {
            c.active = false;
            c.running = false;
        })
        .map_err(|()| ResultCode::DEACTIVATE_FAILED)
    }

    fn start(&mut self, id: &str) -> Result<(), ResultCode> {
        self.injected("start")?;
        match self.components.get_mut(id) {
            Some(c) if c.active => {
                c.running = true;
                Ok(())
            }
            _ => Err(ResultCode::UNDEFINED_ERROR),
        }
    }

    fn stop(&mut self, id: &str) -> Result<(), ResultCode> {
        self.injected("stop")?;
        self.with(id, |c| c.running = false)
            .map_err(|()| ResultCode::UNDEFINED_ERROR)
    }

    fn remove_package(&mut self, _: &str) -> Result<(), ResultCode> {
        self.injected("remove_package")
    }
}

/// A fetcher serving packages from memory, keyed by URL; an unknown URL gives 1500.
#[derive(Clone, Debug, Default)]
pub struct MemoryFetcher {
    /// What each URL returns.
    pub packages: BTreeMap<String, Result<Vec<u8>, ResultCode>>,
}

impl MemoryFetcher {
    /// An empty fetcher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `bytes` at `url`.
    #[must_use]
    pub fn with(mut self, url: &str, bytes: &[u8]) -> Self {
        self.packages.insert(url.to_owned(), Ok(bytes.to_vec()));
        self
    }

    /// Makes `url` fail with `code`.
    #[must_use]
    pub fn failing(mut self, url: &str, code: ResultCode) -> Self {
        self.packages.insert(url.to_owned(), Err(code));
        self
    }
}

impl Fetcher for MemoryFetcher {
    fn fetch(&mut self, url: &str) -> Result<Vec<u8>, ResultCode> {
        self.packages
            .get(url)
            .cloned()
            .unwrap_or(Err(ResultCode::DOWNLOAD_SERVER_ERROR))
    }
}
