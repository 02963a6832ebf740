//! With the `libwbxml` feature, builds `peer/libwbxml-bench.c` (the harness that times
//! libwbxml's own conversion functions) and hands its path to the benches as `LIBWBXML_BENCH`.
//! Needs a C compiler and Debian's libwbxml2-dev; without the feature it does nothing.

#![allow(clippy::panic, reason = "a build script reports failure by panicking")]

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=peer/libwbxml-bench.c");
    println!("cargo:rerun-if-env-changed=CC");
    if env::var_os("CARGO_FEATURE_LIBWBXML").is_none() {
        return;
    }
    let Some(out_dir) = env::var_os("OUT_DIR") else {
        panic!("cargo did not set OUT_DIR");
    };
    let harness = PathBuf::from(out_dir).join("libwbxml-bench");
    // pkg-config knows where Debian puts the headers; its usual answer stands in without it.
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "libwbxml2"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|| "-I/usr/include/libwbxml-1.0 -lwbxml2".to_owned());
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let built = Command::new(&cc)
        .args(["-O2", "-Wno-deprecated-declarations", "-o"])
        .arg(&harness)
        .arg("peer/libwbxml-bench.c")
        .args(flags.split_whitespace())
        .status();
    if !built.is_ok_and(|s| s.success()) {
        panic!(
            "the libwbxml feature needs a C compiler ({cc}) and libwbxml's headers and library \
             (Debian: apt-get install libwbxml2-dev)"
        );
    }
    println!("cargo:rustc-env=LIBWBXML_BENCH={}", harness.display());
}
