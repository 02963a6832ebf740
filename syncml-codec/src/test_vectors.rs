//! The message files the unit tests read: the crate's own vectors and, when `../shared` is
//! there, the DM 1.2 corpus.

use std::path::PathBuf;

/// Every file of the crate's `tests/data` and of `../shared/corpus/dm12`, sorted by name
/// within each folder. Says so on stderr when the corpus is absent: the tests then cover
/// the crate's own vectors only.
pub(crate) fn files() -> Vec<PathBuf> {
    let dirs = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/dm12"),
    ];
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("skipping the vectors of {dir}: not found");
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        out.extend(paths);
    }
    out
}
