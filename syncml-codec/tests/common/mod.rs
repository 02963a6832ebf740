//! Shared helpers: finding the corpus and the crate's own vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared corpus directory, or `None` (with a visible message) when absent.
pub(crate) fn dm12_dir() -> Option<PathBuf> {
    let base = std::env::var_os("DM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    let dir = base.join("corpus/dm12");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared not found ({})", dir.display());
        None
    }
}

/// `(name, xml bytes, wbxml bytes if any)` for every corpus message.
pub(crate) fn corpus() -> Vec<(String, Vec<u8>, Option<Vec<u8>>)> {
    let Some(dir) = dm12_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml") && !n.contains("libwbxml"))
        .collect();
    names.sort();
    for name in names {
        let xml = std::fs::read(dir.join(&name)).unwrap();
        let wbxml = std::fs::read(dir.join(name.replace(".xml", ".wbxml"))).ok();
        out.push((name, xml, wbxml));
    }
    out
}

/// The crate's own vectors in tests/data.
pub(crate) fn own_vectors() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}
