//! The `dmpkg` package format and the directory installer.
//!
//! A package is a text manifest followed by files, each prefixed by its length:
//!
//! ```text
//! DMPKG 1
//! ID: App1
//! Name: Demo application
//! Version: 1.0
//! Description: optional, one line
//!
//! F 12 bin/app1
//! <12 bytes>
//! F 5 README
//! <5 bytes>
//! ```
//!
//! The manifest ends at the first empty line; `ID`, `Name` and `Version` are mandatory.
//! Each file entry is a line `F <length> <relative path>`, then exactly `<length>` bytes,
//! then a newline. Paths use `/`, and may not be absolute or contain `..`, `.` or empty
//! segments. Anything else is malformed (install result 1405).
//!
//! The [`DirInstaller`] keeps each component in `<dir>/<ID>/` (its files under `files/`,
//! its manifest and state in `component.json`) and replaces a directory only once the new
//! one is complete, so a failed install leaves the old version in place.

use std::fs;
use std::path::{Path, PathBuf};

use scomo_tree::installer::{ComponentInfo, InstallRequest, Installer};
use scomo_tree::ResultCode;
use serde::{Deserialize, Serialize};

/// The first line of every package.
const MAGIC: &str = "DMPKG 1";

/// A package's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// Component ID.
    pub(crate) id: String,
    /// Component name.
    pub(crate) name: String,
    /// Component version.
    pub(crate) version: String,
    /// Optional description.
    pub(crate) description: Option<String>,
}

/// A parsed package: the manifest and its files (borrowed from the input).
#[derive(Debug)]
pub(crate) struct Package<'a> {
    /// The manifest.
    pub(crate) manifest: Manifest,
    /// `(path, bytes)` in archive order.
    pub(crate) files: Vec<(&'a str, &'a [u8])>,
}

/// Builds a package.
pub(crate) fn build(manifest: &Manifest, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = format!(
        "{MAGIC}\nID: {}\nName: {}\nVersion: {}\n",
        manifest.id, manifest.name, manifest.version
    )
    .into_bytes();
    if let Some(d) = &manifest.description {
        out.extend_from_slice(format!("Description: {d}\n").as_bytes());
    }
    out.push(b'\n');
    for (path, bytes) in files {
        out.extend_from_slice(format!("F {} {path}\n", bytes.len()).as_bytes());
        out.extend_from_slice(bytes);
        out.push(b'\n');
    }
    out
}

fn line(input: &[u8]) -> Option<(&str, &[u8])> {
    let end = input.iter().position(|&b| b == b'\n')?;
    let (head, rest) = input.split_at(end);
    let text = std::str::from_utf8(head).ok()?;
    Some((text, rest.get(1..)?))
}

fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\0'))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && id != "."
        && id != ".."
}

/// Parses a package; `None` when it is malformed.
pub(crate) fn parse(input: &[u8]) -> Option<Package<'_>> {
    let (magic, mut rest) = line(input)?;
    if magic != MAGIC {
        return None;
    }
    let (mut id, mut name, mut version, mut description) = (None, None, None, None);
    loop {
        let (l, r) = line(rest)?;
        rest = r;
        if l.is_empty() {
            break;
        }
        let (key, value) = l.split_once(": ")?;
        let slot = match key {
            "ID" => &mut id,
            "Name" => &mut name,
            "Version" => &mut version,
            "Description" => &mut description,
            _ => continue,
        };
        *slot = Some(value.to_owned());
    }
    let manifest = Manifest {
        id: id.filter(|i| valid_id(i))?,
        name: name?,
        version: version?,
        description,
    };
    let mut files = Vec::new();
    while !rest.is_empty() {
        let (l, r) = line(rest)?;
        let mut words = l.splitn(3, ' ');
        if words.next()? != "F" {
            return None;
        }
        let len: usize = words.next()?.parse().ok()?;
        let path = words.next().filter(|p| valid_path(p))?;
        let bytes = r.get(..len)?;
        if r.get(len) != Some(&b'\n') {
            return None;
        }
        files.push((path, bytes));
        rest = r.get(len.checked_add(1)?..)?;
    }
    Some(Package { manifest, files })
}

/// What `component.json` holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Installed {
    /// The manifest.
    pub(crate) manifest: Manifest,
    /// The package it came from.
    pub(crate) pkg_id: String,
    /// Active or Inactive.
    pub(crate) active: bool,
}

/// Installs packages into a directory, one sub-directory per component.
#[derive(Debug)]
pub(crate) struct DirInstaller {
    dir: PathBuf,
}

impl DirInstaller {
    /// An installer keeping components in `dir` (created when missing).
    pub(crate) fn new(dir: &Path) -> std::io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    fn meta_path(&self, id: &str) -> Option<PathBuf> {
        valid_id(id).then(|| self.dir.join(id).join("component.json"))
    }

    /// The installed component `id`, if any.
    pub(crate) fn get(&self, id: &str) -> Option<Installed> {
        let text = fs::read(self.meta_path(id)?).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Every installed component, by ID.
    pub(crate) fn list(&self) -> Vec<Installed> {
        let mut out: Vec<Installed> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| self.get(e.file_name().to_str()?))
            .collect();
        out.sort_by(|a, b| a.manifest.id.cmp(&b.manifest.id));
        out
    }

    fn write_meta(&self, dir: &Path, meta: &Installed) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
        fs::write(dir.join("component.json"), json)
    }

    fn set_active(&mut self, id: &str, active: bool, fail: ResultCode) -> Result<(), ResultCode> {
        let mut meta = self.get(id).ok_or(fail)?;
        meta.active = active;
        self.write_meta(&self.dir.join(id), &meta).map_err(|_| fail)
    }

    fn install_files(&self, package: &Package<'_>, meta: &Installed) -> std::io::Result<()> {
        let id = &package.manifest.id;
        let staging = self.dir.join(format!(".new-{id}"));
        let old = self.dir.join(format!(".old-{id}"));
        let _ = fs::remove_dir_all(&staging);
        let _ = fs::remove_dir_all(&old);
        fs::create_dir_all(staging.join("files"))?;
        for (path, bytes) in &package.files {
            let target = staging.join("files").join(path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(target, bytes)?;
        }
        self.write_meta(&staging, meta)?;
        let live = self.dir.join(id);
        if live.exists() {
            fs::rename(&live, &old)?;
        }
        if let Err(e) = fs::rename(&staging, &live) {
            let _ = fs::rename(&old, &live);
            return Err(e);
        }
        let _ = fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Installer for DirInstaller {
    fn install(&mut self, request: &InstallRequest<'_>) -> Result<Vec<ComponentInfo>, ResultCode> {
        let package = parse(request.data).ok_or(ResultCode::INSTALL_FAILED)?;
        let m = &package.manifest;
        if request.foreign.contains(&m.id) {
            return Err(ResultCode::INSTALL_FAILED);
        }
        // An update keeps the component's state unless asked to install inactive.
        let active = match self.get(&m.id) {
            Some(old) if request.active => old.active,
            _ => request.active,
        };
        let meta = Installed {
            manifest: m.clone(),
            pkg_id: request.pkg_id.to_owned(),
            active,
        };
        self.install_files(&package, &meta)
            .map_err(|_| ResultCode::INSTALL_OUT_OF_MEMORY)?;
        Ok(vec![ComponentInfo {
            id: m.id.clone(),
            name: m.name.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
        }])
    }

    fn remove(&mut self, id: &str) -> Result<(), ResultCode> {
        self.get(id).ok_or(ResultCode::REMOVE_FAILED)?;
        fs::remove_dir_all(self.dir.join(id)).map_err(|_| ResultCode::REMOVE_FAILED)
    }

    fn activate(&mut self, id: &str) -> Result<(), ResultCode> {
        self.set_active(id, true, ResultCode::ACTIVATE_FAILED)
    }

    fn deactivate(&mut self, id: &str) -> Result<(), ResultCode> {
        self.set_active(id, false, ResultCode::DEACTIVATE_FAILED)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn manifest(id: &str, version: &str) -> Manifest {
        Manifest {
            id: id.to_owned(),
            name: format!("{id} app"),
            version: version.to_owned(),
            description: None,
        }
    }

    #[test]
    fn round_trip_and_malformed_packages() {
        let bytes = build(
            &manifest("App1", "1.0"),
            &[("bin/a", b"x\ny"), ("empty", b"")],
        );
        let p = parse(&bytes).unwrap();
        assert_eq!(p.manifest, manifest("App1", "1.0"));
        assert_eq!(p.files, vec![("bin/a", &b"x\ny"[..]), ("empty", &b""[..])]);
        // A truncation never panics; what parses holds only whole file entries.
        let mut parsed = 0;
        for n in 0..bytes.len() {
            if let Some(q) = parse(&bytes[..n]) {
                assert!(p.files.starts_with(&q.files), "prefix {n}");
                assert!(q.files.len() < p.files.len());
                parsed += 1;
            }
        }
        // After the manifest and after the first file.
        assert_eq!(parsed, 2);
        for bad in [
            &b"DMPKG 2\nID: a\nName: a\nVersion: 1\n\n"[..],
            b"DMPKG 1\nName: a\nVersion: 1\n\n",
            b"DMPKG 1\nID: ../x\nName: a\nVersion: 1\n\n",
            b"DMPKG 1\nID: a\nName: a\nVersion: 1\n\nF 1 ../etc\nx\n",
            b"DMPKG 1\nID: a\nName: a\nVersion: 1\n\nF 1 /etc\nx\n",
            b"DMPKG 1\nID: a\nName: a\nVersion: 1\n\nF 99 big\nx\n",
            b"DMPKG 1\nID: a\nName: a\nVersion: 1\n\nF 1 a\nxy",
        ] {
            assert!(parse(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn directory_installer_installs_updates_and_removes() {
        let dir = std::env::temp_dir().join(format!("dmtool-installer-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut inst = DirInstaller::new(&dir).unwrap();
        let request = |data: &'static [u8], active: bool| InstallRequest {
            pkg_id: "p1",
            data,
            active,
            install_params: None,
            env_type: None,
            foreign: &[],
        };
        let v1 = build(&manifest("App1", "1.0"), &[("f", b"one")]).leak();
        let v2 = build(&manifest("App1", "2.0"), &[("f", b"two")]).leak();
        let got = inst.install(&request(v1, false)).unwrap();
        assert_eq!(got[0].version, "1.0");
        assert!(!inst.get("App1").unwrap().active);
        inst.activate("App1").unwrap();
        // An update keeps the state and replaces the files.
        inst.install(&request(v2, true)).unwrap();
        let now = inst.get("App1").unwrap();
        assert_eq!((now.manifest.version.as_str(), now.active), ("2.0", true));
        assert_eq!(fs::read(dir.join("App1/files/f")).unwrap(), b"two");
        // A malformed package fails and leaves version 2 in place.
        assert_eq!(
            inst.install(&request(b"nonsense", true)),
            Err(ResultCode::INSTALL_FAILED)
        );
        assert_eq!(inst.list().len(), 1);
        // Another authority's component may not be replaced.
        let foreign = ["App1".to_owned()];
        let req = InstallRequest {
            foreign: &foreign,
            ..request(v1, true)
        };
        assert_eq!(inst.install(&req), Err(ResultCode::INSTALL_FAILED));
        inst.remove("App1").unwrap();
        assert_eq!(inst.remove("App1"), Err(ResultCode::REMOVE_FAILED));
        assert!(inst.list().is_empty());
        let _ = fs::remove_dir_all(&dir);
    }
}
