//! DDF / TNDS parsing against quick-xml's raw borrowed event loop over the same bytes.
//!
//! Each group holds `ddf::parse_xml` (events, model, validation) and the bare
//! `Reader::from_str` + `read_event()` loop, with `Throughput::Bytes`, so the ratio of the
//! two throughputs is the cost of building and checking the model (target: ≥ 0.8×).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::hint::black_box;

/// The raw loop: every event read and dropped, nothing built.
fn raw_events(xml: &str) -> usize {
    let mut reader = Reader::from_str(xml);
    let mut events = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
        }
    }
    events
}

fn group(c: &mut Criterion, name: &str, xml: &str, nodes: usize) {
    // The inputs are generated, so a failure here is a bug in the generator.
    let parsed = ddf::parse_xml(xml).map(|p| p.tree.node_count());
    assert_eq!(
        parsed.ok(),
        Some(nodes),
        "{name}: the synthetic input must parse"
    );
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.bench_function("ddf_parse_xml", |b| {
        // The parsed document is returned, so it is dropped inside the timed loop (a user
        // pays for that), but not walked again: the raw loop does nothing after its events.
        b.iter(|| ddf::parse_xml(black_box(xml)))
    });
    g.bench_function("quick_xml_raw_loop", |b| {
        b.iter(|| raw_events(black_box(xml)))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let ddf_xml = ddf::synth::ddf(10_000);
    group(c, "ddf_10k_nodes", &ddf_xml, 10_000);
    let tnds_xml = ddf::synth::tnds(100_000);
    group(c, "tnds_100k_nodes", &tnds_xml, 100_000);
}

criterion_group!(ddf_benches, benches);
criterion_main!(ddf_benches);
