//! The typed codec paths of `benches/syncml.rs` and the DDF/TNDS parse of `benches/ddf.rs`
//! in a plain loop, for profilers (callgrind counts instructions, which stay put on a noisy
//! machine):
//! `codec_loop <raw|xml|wbxml|xml-encode|wbxml-encode|ddf> [plain|dense|ddf|tnds] [iterations]`
//! (`ddf` mode parses the `ddf` (10,000 nodes) or `tnds` (100,000 nodes) input).
//!
//! `raw` is quick-xml's raw borrowed event loop over the same XML: compare the inclusive cost
//! of `run` between modes, e.g.
//! `valgrind --tool=callgrind --toggle-collect='codec_loop::run' target/release/examples/codec_loop xml`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use benches::{quick_xml_raw_loop, syncml_dense, syncml_plain};
use syncml_codec::{wbxml, xml, Message};

#[inline(never)]
fn run(mode: &str, iterations: usize, text: &str, wb: &[u8], msg: &Message<'_>) -> usize {
    let mut out = Vec::with_capacity(text.len());
    let mut total = 0;
    for _ in 0..iterations {
        total += match mode {
            "raw" => quick_xml_raw_loop(black_box(text)),
            "xml" => xml::decode(black_box(text.as_bytes())).map_or(0, |m| m.body.commands.len()),
            "wbxml" => wbxml::decode(black_box(wb)).map_or(0, |m| m.body.commands.len()),
            "xml-encode" => xml::encode(black_box(msg), &mut out).map_or(0, |()| out.len()),
            "wbxml-encode" => wbxml::encode(black_box(msg), &mut out).map_or(0, |()| out.len()),
            "ddf" => ddf::parse_xml(black_box(text)).map_or(0, |p| p.tree.roots().count()),
            other => panic!("unknown mode {other}"),
        };
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("xml", String::as_str);
    let input = args.get(2).map_or("plain", String::as_str);
    let text = match input {
        "dense" => syncml_dense(150),
        "ddf" => ddf::synth::ddf(10_000),
        "tnds" => ddf::synth::tnds(100_000),
        _ => syncml_plain(300),
    };
    let iterations = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(5);
    let sample = syncml_plain(1);
    let syncml = if matches!(input, "ddf" | "tnds") {
        &sample
    } else {
        &text
    };
    let msg = xml::decode(syncml.as_bytes()).expect("the generated message decodes");
    let wb = wbxml::to_vec(&msg).expect("and encodes as WBXML");
    let started = std::time::Instant::now();
    let total = run(mode, iterations, &text, &wb, &msg);
    eprintln!(
        "{mode}: {:?} per iteration ({total}; XML {} bytes, WBXML {} bytes)",
        started.elapsed() / u32::try_from(iterations).unwrap_or(1),
        text.len(),
        wb.len()
    );
}
