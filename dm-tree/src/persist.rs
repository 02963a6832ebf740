//! Saving and loading the tree on disk — the only module of the crate that does I/O.
//!
//! [`save`] writes a temporary file beside the target, syncs it, then renames it over the
//! target and syncs the directory, so at every instant the target holds either the old or
//! the new tree, never a torn one. [`stage`] and [`Staged::commit`] expose the two halves.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::tree::Tree;

/// A failed save or load.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistError {
    /// Reading, writing, syncing or renaming failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a serialised tree.
    #[error("{path}: {source}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// The decoding error.
        source: serde_json::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The temporary file [`stage`] writes for `path` (`<name>.tmp` in the same directory, so
/// the rename stays on one file system).
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// A tree written and synced to its temporary file, not yet in place.
#[derive(Debug)]
#[must_use = "the tree is not saved until commit() renames it into place"]
pub struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Renames the temporary file over the target and syncs the directory.
    pub fn commit(self) -> Result<(), PersistError> {
        fs::rename(&self.temp, &self.target).map_err(io(&self.target))?;
        sync_dir(&self.target)
    }
}

#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<(), PersistError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<(), PersistError> {
    Ok(())
}

/// Writes the tree to the temporary file for `path` and syncs it; [`Staged::commit`] puts it
/// in place.
pub fn stage(tree: &Tree, path: &Path) -> Result<Staged, PersistError> {
    let temp = temp_path(path);
    let bytes = serde_json::to_vec(tree).map_err(|source| PersistError::Format {
        path: path.to_owned(),
        source,
    })?;
    let mut file = File::create(&temp).map_err(io(&temp))?;
    file.write_all(&bytes).map_err(io(&temp))?;
    file.sync_all().map_err(io(&temp))?;
    Ok(Staged {
        temp,
        target: path.to_owned(),
    })
}

/// Saves the tree atomically to `path`.
pub fn save(tree: &Tree, path: &Path) -> Result<(), PersistError> {
    stage(tree, path)?.commit()
}

/// Loads a tree saved with [`save`]. A leftover temporary file from an interrupted save is
/// ignored.
pub fn load(path: &Path) -> Result<Tree, PersistError> {
    let bytes = fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|source| PersistError::Format {
        path: path.to_owned(),
        source,
    })
}
