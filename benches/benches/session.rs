//! `dm-session`: a whole 5-package session in memory (sessions per second, XML and WBXML),
//! and the client step alone (decode one server package, run it on the tree, encode the
//! reply) for three canned server packages: 1 Get; 20 mixed commands (Get, Replace, Add,
//! Exec, Get on an interior node); 500 Replace. Beside each step, its floor: the server's
//! package decoded alone (`decode-only`) and the client's reply encoded alone
//! (`reply-encode-only`).
//!
//! Reference (libdmclient driven in memory on a 2-core machine): 1 Get 18 µs XML / 7 µs
//! WBXML; 20 commands 99 / 51 µs; 500 Replace 2.1 / 0.9 ms.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use benches::session::{canned, device_tree, full_session, restore_tree, PACKAGES};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use dm_session::{NoUi, WireEncoding};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("session/full-5-packages");
    g.throughput(Throughput::Elements(1));
    for (name, enc) in [("XML", WireEncoding::Xml), ("WBXML", WireEncoding::Wbxml)] {
        let mut tree = device_tree();
        assert_eq!(full_session(enc, &mut tree), 6);
        g.bench_function(name, |b| b.iter(|| full_session(enc, black_box(&mut tree))));
    }
    g.finish();

    for (pkg, cmds) in PACKAGES {
        let mut g = c.benchmark_group(format!("session/client-step/{pkg}"));
        for (name, enc) in [("XML", WireEncoding::Xml), ("WBXML", WireEncoding::Wbxml)] {
            let (client, snap, body) = canned(enc, cmds());
            eprintln!(
                "session/client-step/{pkg}/{name}: server package {} bytes",
                body.len()
            );
            // Two ways of preparing the tree each step changes. In batches (criterion's
            // SmallInput), a tenth of a sample's trees are cloned before any is stepped, so
            // a step meets a tree long out of cache (as a device's is when a session
            // starts). One at a time (`warm-tree`), each is cloned just before its step, as
            // within a session, where the previous package has just touched the tree; each
            // call is then timed on its own, which adds a few tens of nanoseconds.
            for (label, batch) in [
                (name.to_owned(), BatchSize::SmallInput),
                (format!("{name}/warm-tree"), BatchSize::PerIteration),
            ] {
                g.bench_function(label, |b| {
                    b.iter_batched(
                        || (client.clone(), restore_tree(&snap)),
                        |(mut cl, mut tree)| {
                            cl.handle_incoming(&mut tree, &mut NoUi, black_box(&body), None)
                                .unwrap();
                            let out = cl.poll_transmit().unwrap().unwrap();
                            (out.body.len(), cl, tree)
                        },
                        batch,
                    )
                });
            }
            // The two parts of the step no engine can skip, timed alone on the same bytes:
            // decoding the server's package whole (the issue forbids running a command of a
            // message not yet validated), and encoding the client's reply (decoded from the
            // bytes the step produced, so it is the very message the step writes).
            let limits = syncml_codec::Limits::default();
            let codec = enc.encoding();
            g.bench_function(format!("{name}/decode-only"), |b| {
                b.iter(|| {
                    syncml_codec::decode_as(black_box(&body), codec, &limits)
                        .unwrap()
                        .body
                        .commands
                        .len()
                })
            });
            let (mut cl, mut tree) = (client.clone(), restore_tree(&snap));
            cl.handle_incoming(&mut tree, &mut NoUi, &body, None)
                .unwrap();
            let reply_bytes = cl.poll_transmit().unwrap().unwrap().body;
            let reply = syncml_codec::decode_as(&reply_bytes, codec, &limits).unwrap();
            let mut out = Vec::new();
            syncml_codec::encode(&reply, codec, &mut out).unwrap();
            assert_eq!(
                out, reply_bytes,
                "the reply re-encodes as the step wrote it"
            );
            g.bench_function(format!("{name}/reply-encode-only"), |b| {
                b.iter(|| {
                    syncml_codec::encode(black_box(&reply), codec, &mut out).unwrap();
                    out.len()
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
