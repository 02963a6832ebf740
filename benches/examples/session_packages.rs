//! Writes the messages of the benchmarked client step to a directory, so that another DM
//! client (libdmclient, driven in memory) can be timed on the very same bytes:
//! `session_packages <dir>`.
//!
//! For each encoding (`xml`, `wbxml`): the client's package 1 (`package1.<enc>`), and for each
//! canned package (`1-get`, `20-mixed`, `500-replace`) the server's package 2
//! (`<package>.<enc>`) and our client's reply to it (`<package>.reply.<enc>`). The device tree
//! the step runs on goes to `device-tree.xml` (TNDS, every property).

#![allow(clippy::expect_used)]

use std::path::PathBuf;

use benches::session::{device_tree, Canned, PACKAGES};
use dm_session::WireEncoding;
use dm_tree::PropFilter;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: session_packages <dir>"),
    );
    std::fs::create_dir_all(&dir).expect("the output directory");
    let write = |name: String, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("writable output directory");
        println!("{:>8} B  {}", bytes.len(), path.display());
    };
    let tree = device_tree()
        .export_tnds(".", PropFilter::ALL)
        .expect("the root exports");
    write("device-tree.xml".into(), &tree);
    for (ext, enc) in [("xml", WireEncoding::Xml), ("wbxml", WireEncoding::Wbxml)] {
        for (i, (pkg, cmds)) in PACKAGES.into_iter().enumerate() {
            let canned = Canned::new(enc, cmds());
            if i == 0 {
                write(format!("package1.{ext}"), &canned.package1);
            }
            write(format!("{pkg}.{ext}"), &canned.package2);
            let reply = canned.reply().expect("the client takes its canned package");
            write(format!("{pkg}.reply.{ext}"), &reply);
        }
    }
}
