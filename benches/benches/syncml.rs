//! syncml-codec: typed XML decode beside quick-xml's raw borrowed event loop over the same
//! XML (bytes per second), on a message without references and on one dense with them (like
//! dm12/03 and 04); XML encode; WBXML typed decode and encode of the same message beside the
//! raw XML loop (messages per second).

use benches::{syncml_dense, syncml_plain};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quick_xml::events::Event;
use std::hint::black_box;
use syncml_codec::{wbxml, xml, Message};

/// quick-xml's raw borrowed event loop: the practical floor of any quick-xml decoder.
fn raw_loop(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut n = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => {
                black_box(&e);
                n += 1;
            }
        }
    }
    n
}

fn decode_count(m: &Message<'_>) -> usize {
    m.body.commands.len()
}

fn bench(c: &mut Criterion) {
    for (name, text) in [("plain", syncml_plain(300)), ("dense", syncml_dense(150))] {
        let mut g = c.benchmark_group(format!("syncml/xml-decode/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("quick-xml raw loop", |b| {
            b.iter(|| raw_loop(black_box(&text)))
        });
        g.bench_function("typed decode", |b| {
            b.iter(|| xml::decode(black_box(text.as_bytes())).map_or(0, |m| decode_count(&m)))
        });
        g.finish();
    }

    let text = syncml_plain(300);
    let Ok(msg) = xml::decode(text.as_bytes()) else {
        return;
    };
    let mut out = Vec::with_capacity(text.len());
    if xml::encode(&msg, &mut out).is_err() {
        return;
    }
    let mut g = c.benchmark_group("syncml/xml-encode/plain");
    g.throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function("byte writer", |b| {
        b.iter(|| xml::encode(black_box(&msg), &mut out).map_or(0, |()| out.len()))
    });
    g.bench_function("encoded_len", |b| {
        b.iter(|| xml::encoded_len(black_box(&msg)).unwrap_or_default())
    });
    g.finish();

    let wb = wbxml::to_vec(&msg).unwrap_or_default();
    let mut wout = Vec::with_capacity(wb.len());
    let mut g = c.benchmark_group("syncml/messages-per-second/plain");
    g.throughput(Throughput::Elements(1));
    g.bench_function("quick-xml raw loop (XML)", |b| {
        b.iter(|| raw_loop(black_box(&text)))
    });
    g.bench_function("typed XML decode", |b| {
        b.iter(|| xml::decode(black_box(text.as_bytes())).map_or(0, |m| decode_count(&m)))
    });
    g.bench_function("typed WBXML decode", |b| {
        b.iter(|| wbxml::decode(black_box(&wb)).map_or(0, |m| decode_count(&m)))
    });
    g.bench_function("WBXML encode", |b| {
        b.iter(|| wbxml::encode(black_box(&msg), &mut wout).map_or(0, |()| wout.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
