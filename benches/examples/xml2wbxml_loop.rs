//! XML → WBXML conversion beside quick-xml's raw borrowed event loop on the same text, for
//! profilers (callgrind counts instructions, which stay put on a noisy machine):
//! `xml2wbxml_loop <raw|xml2wbxml> <status|server|inventory|FILE> [iterations]`.
//!
//! Compare the inclusive cost of `run` between the two modes, e.g.
//! `valgrind --tool=callgrind --toggle-collect='xml2wbxml_loop::run' target/release/examples/xml2wbxml_loop xml2wbxml status 1000`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    let started = std::time::Instant::now();
    let total = run(mode, iterations, &text);
    eprintln!(
        "{mode}: {:?} per iteration ({total}; XML {} bytes)",
        started.elapsed() / u32::try_from(iterations).unwrap_or(1),
        text.len(),
    );
}
