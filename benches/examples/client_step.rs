//! The client step of `benches/session.rs` in a plain loop, for profilers (callgrind):
//! `client_step <1-get|20-mixed|500-replace> <xml|wbxml> [iterations]` (toggle
//! `client_step::step`); `client_step full-session <xml|wbxml> [iterations]` runs the whole
//! session of the benchmark instead (toggle `client_step::whole`).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use benches::session::{canned, device_tree, full_session, restore_tree, PACKAGES};
use dm_session::{ClientEngine, NoUi, WireEncoding};
use dm_tree::Tree;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pkg = args.get(1).map_or("1-get", String::as_str);
    let enc = match args.get(2).map_or("xml", String::as_str) {
        "wbxml" => WireEncoding::Wbxml,
        _ => WireEncoding::Xml,
    };
    let n: usize = args.get(3).map_or(1000, |s| s.parse().unwrap());
    if pkg == "full-session" {
        let mut tree = device_tree();
        let messages: usize = (0..n).map(|_| whole(enc, &mut tree)).sum();
        println!("{pkg} {enc:?} x{n}: {messages} messages");
        return;
    }
    let Some((_, cmds)) = PACKAGES.iter().find(|(name, _)| *name == pkg) else {
        panic!("unknown package {pkg}");
    };
    let (client, snap, body) = canned(enc, cmds());
    // Untimed copies made up front so that the profile shows the step alone.
    let mut work: Vec<(ClientEngine, Tree)> = (0..n)
        .map(|_| (client.clone(), restore_tree(&snap)))
        .collect();
    let mut total = 0usize;
    for (cl, tr) in &mut work {
        step(cl, tr, &body, &mut total);
    }
    println!("{pkg} {enc:?} x{n}: {total} bytes out");
}

#[inline(never)]
fn step(cl: &mut ClientEngine, tree: &mut Tree, body: &[u8], total: &mut usize) {
    cl.handle_incoming(tree, &mut NoUi, black_box(body), None)
        .unwrap();
    let out = cl.poll_transmit().unwrap().unwrap();
    *total += out.body.len();
}

#[inline(never)]
fn whole(enc: WireEncoding, tree: &mut Tree) -> usize {
    full_session(enc, black_box(tree))
}
