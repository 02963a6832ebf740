//! XML → WBXML conversion beside quick-xml's raw borrowed event loop on the same text, for
//! profilers (callgrind counts instructions, which stay put on a noisy machine):
//! `xml2wbxml_loop <raw|xml2wbxml> <status|server|inventory|FILE> [iterations]`.
//!
//! `xml2wbxml_loop compare <input> [iterations]` times both in one process instead, in 21
//! alternating rounds, and prints the fastest and the median time of each and their ratios
//! (the raw loop's time over ours: the speed of XML → WBXML as a fraction of the raw loop's),
//! for a file of your own or the corpus (`scripts/xml2wbxml-vs-raw`).
//!
//! Compare the inclusive cost of `run` between the two modes, e.g.
//! `valgrind --tool=callgrind --toggle-collect='xml2wbxml_loop::run' target/release/examples/xml2wbxml_loop xml2wbxml status 1000`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use benches::{inventory_results, quick_xml_raw_loop, server_package, status_reply};
use wbxml::transcode::{xml_to_wbxml_into, ToWbxmlOptions};

#[inline(never)]
fn run(mode: &str, iterations: usize, text: &str) -> usize {
    let options = ToWbxmlOptions::default();
    let mut buf = Vec::new();
    let mut total = 0;
    for _ in 0..iterations {
        total += match mode {
            "raw" => quick_xml_raw_loop(black_box(text)),
            "xml2wbxml" => {
                buf = xml_to_wbxml_into(
                    black_box(text.as_bytes()),
                    &options,
                    std::mem::take(&mut buf),
                )
                .expect("the input converts");
                buf.len()
            }
            other => panic!("unknown mode {other}"),
        };
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("xml2wbxml", String::as_str);
    let input = args.get(2).map_or("status", String::as_str);
    let text = match input {
        "status" => status_reply(),
        "server" => server_package(),
        "inventory" => inventory_results(2000),
        path => std::fs::read_to_string(path).expect("a readable UTF-8 file"),
    };
    let iterations = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1000);
    if mode == "compare" {
        compare(input, &text, iterations);
        return;
    }
    let started = std::time::Instant::now();
    let total = run(mode, iterations, &text);
    eprintln!(
        "{mode}: {:?} per iteration ({total}; XML {} bytes)",
        started.elapsed() / u32::try_from(iterations).unwrap_or(1),
        text.len(),
    );
}

/// Alternating rounds of the raw loop and of XML → WBXML over `text`, after one of each to
/// warm up; prints the fastest and the median per-conversion time of each, and the raw
/// loop's over ours for both (the fastest round is the one least disturbed by the machine).
fn compare(input: &str, text: &str, iterations: usize) {
    const ROUNDS: usize = 21;
    let round = |mode: &str| {
        let started = std::time::Instant::now();
        black_box(run(mode, iterations, text));
        started.elapsed().as_secs_f64() / iterations as f64
    };
    round("raw");
    round("xml2wbxml");
    let (mut raw, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        raw.push(round("raw"));
        ours.push(round("xml2wbxml"));
    }
    raw.sort_by(f64::total_cmp);
    ours.sort_by(f64::total_cmp);
    let (raw_min, ours_min) = (raw[0], ours[0]);
    let (raw_med, ours_med) = (raw[ROUNDS / 2], ours[ROUNDS / 2]);
    println!(
        "{input}: fastest raw loop {:.2} µs, XML -> WBXML {:.2} µs, raw / ours {:.2}x; \
         median {:.2} µs, {:.2} µs, {:.2}x",
        raw_min * 1e6,
        ours_min * 1e6,
        raw_min / ours_min,
        raw_med * 1e6,
        ours_med * 1e6,
        raw_med / ours_med
    );
}
