//! `dm-tree`: ACL checks on a 1,000,000-node tree and `?list=TNDS` export of 100,000 nodes.
//!
//! Memory per node is measured as the growth of the resident set while the big tree is
//! built (Linux `/proc/self/statm`; the workspace forbids the unsafe code a counting
//! allocator would need), printed before the timings.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dm_tree::{AclCommand, Format, NodeId, Op, Status, Tree, Uri, UriLimits};

/// Resident set size in bytes, if the platform tells.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn add(tree: &mut Tree, op: Op<'_>) {
    assert_eq!(tree.execute_local(&op).status, Status::OK, "{op:?}");
}

/// A tree of `top` interior nodes, each with `mid` interior children, each with `leaves`
/// leaves. Every top node and every tenth mid node carry an ACL; leaves inherit.
fn build(top: usize, mid: usize, leaves: usize) -> (Tree, Vec<String>) {
    let mut tree = Tree::new();
    let mut leaf_uris = Vec::new();
    for a in 0..top {
        let ua = format!("./Mo{a}");
        add(&mut tree, Op::add(&ua).with_format(Format::Node));
        let acl = format!(
            "Get=Server{}+Server{}&Replace=Server{}",
            a % 7,
            (a + 1) % 7,
            a % 7
        );
        add(
            &mut tree,
            Op::replace(&format!("{ua}?prop=ACL")).with_text(&acl),
        );
        for b in 0..mid {
            let ub = format!("{ua}/Node{b}");
            add(&mut tree, Op::add(&ub).with_format(Format::Node));
            if b % 10 == 0 {
                let acl = format!("Get=Server{}&Exec=*", b % 5);
                add(
                    &mut tree,
                    Op::replace(&format!("{ub}?prop=ACL")).with_text(&acl),
                );
            }
            for c in 0..leaves {
                let uc = format!("{ub}/Leaf{c}");
                let value = format!("value {a}.{b}.{c}");
                add(&mut tree, Op::add(&uc).with_text(&value));
                if c % 97 == 0 {
                    leaf_uris.push(uc);
                }
            }
        }
    }
    (tree, leaf_uris)
}

fn acl_checks(c: &mut Criterion) {
    let before = rss_bytes();
    let (tree, uris) = build(100, 100, 99);
    let after = rss_bytes();
    let nodes = tree.len();
    eprintln!("dm_tree: ACL tree of {nodes} nodes");
    if let (Some(b), Some(a)) = (before, after) {
        let per_node = a.saturating_sub(b) as f64 / nodes as f64;
        eprintln!(
            "dm_tree: memory {:.1} MiB resident growth, {per_node:.1} bytes per node",
            a.saturating_sub(b) as f64 / (1024.0 * 1024.0)
        );
    }
    let servers = ["Server0", "Server1", "Server3", "Server6", "Other"];
    let ids: Vec<NodeId> = uris
        .iter()
        .map(|u| {
            tree.lookup(Uri::parse(u, &UriLimits::UNLIMITED).unwrap())
                .unwrap()
        })
        .collect();
    let allowed = uris
        .iter()
        .zip(&ids)
        .filter(|(_, id)| tree.allows("Server1", AclCommand::Get, **id))
        .count();
    eprintln!(
        "dm_tree: {allowed} of {} sampled leaves allow Server1 Get",
        ids.len()
    );

    let mut group = c.benchmark_group("dm_tree_acl_1M");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("check_by_uri", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            let uri = &uris[i % uris.len()];
            let server = servers[i % servers.len()];
            let uri = Uri::parse(black_box(uri), &UriLimits::UNLIMITED).unwrap();
            let id = tree.lookup(uri).unwrap();
            black_box(tree.allows(server, AclCommand::Get, id))
        });
    });
    let mut i = 0usize;
    group.bench_function("check_by_id", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            let id = ids[i % ids.len()];
            let server = servers[i % servers.len()];
            black_box(tree.allows(server, black_box(AclCommand::Replace), id))
        });
    });
    group.finish();
}

fn tnds_export(c: &mut Criterion) {
    let (mut tree, _) = build(10, 100, 99);
    let nodes = tree.len() - 1;
    let out = tree.execute("Server1", &Op::get(".?list=TNDS"));
    assert_eq!(out.status, Status::OK);
    let size = out.results[0].data.as_ref().map_or(0, Vec::len);
    eprintln!("dm_tree: ?list=TNDS of {nodes} nodes as the device: {size} bytes");
    let mut group = c.benchmark_group("dm_tree_tnds_100k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(nodes as u64));
    group.bench_function("list_tnds_device", |b| {
        b.iter(|| {
            let out = tree.execute_local(&Op::get(black_box(".?list=TNDS")));
            black_box(out.results.len())
        });
    });
    group.bench_function("list_tnds_server_acl_filtered", |b| {
        b.iter(|| {
            let out = tree.execute("Server1", &Op::get(black_box(".?list=TNDS")));
            black_box(out.results.len())
        });
    });
    group.finish();
}

criterion_group!(benches, acl_checks, tnds_export);
criterion_main!(benches);
