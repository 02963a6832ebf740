//! Replays every committed fuzz input through the target bodies on stable Rust, like
//! x509-parser's `tests/run_all_fuzz_files.rs`: the seed corpora in `fuzz/corpus/<target>/`
//! and the minimised crashes in `fuzz/regressions/<target>/` (each a named regression test).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir/<target>/` for every target folder, checking each folder names a target.
fn inputs(dir: &str) -> Vec<(String, PathBuf)> {
    let root = fuzz_dir().join(dir);
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(&root) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            fuzz_entry::target(&name).is_some(),
            "{} names no target",
            path.display()
        );
        let mut files: Vec<PathBuf> = fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (name.clone(), f)));
    }
    out.sort();
    out
}

/// Inputs of `fuzz/regressions/` whose bug is not fixed yet, from `KNOWN_FAILURES` (one
/// `<target>/<file>` per line, `#` comments): they must still fail, so the list stays true.
fn known_failures() -> BTreeSet<String> {
    let text =
        fs::read_to_string(fuzz_dir().join("regressions/KNOWN_FAILURES")).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Runs every input of `dir`, then fails naming every input that panicked (or, for a known
/// failure, that no longer panics).
fn replay(dir: &str) -> usize {
    let inputs = inputs(dir);
    let known = if dir == "regressions" {
        known_failures()
    } else {
        BTreeSet::new()
    };
    let mut failed = Vec::new();
    let mut still_known = 0;
    for (target, file) in &inputs {
        let data = fs::read(file).unwrap();
        let run = fuzz_entry::target(target).unwrap().run;
        let key = format!("{target}/{}", file.file_name().unwrap().to_string_lossy());
        let panicked = std::panic::catch_unwind(|| run(&data)).is_err();
        match (panicked, known.contains(&key)) {
            (true, false) => failed.push(format!("{key}: panics")),
            (false, true) => failed.push(format!(
                "{key}: passes now; remove it from fuzz/regressions/KNOWN_FAILURES"
            )),
            (true, true) => still_known += 1,
            (false, false) => {}
        }
    }
    for key in &known {
        if !inputs
            .iter()
            .any(|(t, f)| format!("{t}/{}", f.file_name().unwrap().to_string_lossy()) == *key)
        {
            failed.push(format!("{key}: listed in KNOWN_FAILURES but missing"));
        }
    }
    if still_known > 0 {
        println!("{still_known} known failures still fail (see fuzz/regressions/KNOWN_FAILURES)");
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
    inputs.len()
}

#[test]
fn every_corpus_file_replays() {
    let inputs = inputs("corpus");
    let n = replay("corpus");
    let covered: BTreeSet<&str> = inputs.iter().map(|(t, _)| t.as_str()).collect();
    for target in fuzz_entry::TARGETS {
        assert!(
            covered.contains(target.name),
            "no seed corpus for {}",
            target.name
        );
    }
    println!("replayed {n} corpus files");
}

#[test]
fn every_regression_replays() {
    let n = replay("regressions");
    println!("replayed {n} regression inputs");
}

#[test]
fn every_target_has_a_fuzz_target_file_and_back() {
    let dir = fuzz_dir().join("fuzz_targets");
    let files: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let names: BTreeSet<String> = fuzz_entry::TARGETS
        .iter()
        .map(|t| t.name.to_owned())
        .collect();
    assert_eq!(files, names);
    // Each target file calls the body of the same name, and Cargo.toml declares it.
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for name in &names {
        let body = fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        assert!(body.contains(&format!("fuzz_entry::{name}(")), "{name}.rs");
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} in Cargo.toml"
        );
    }
}
