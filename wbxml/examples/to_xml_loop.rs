//! WBXML → XML through the bytes API (or the `String` one) in a plain loop, for profilers
//! (callgrind counts instructions, which stay put on a noisy machine):
//! `to_xml_loop FILE [iterations] [compact|indent] [bytes|string]`, e.g.
//! `valgrind --tool=callgrind --toggle-collect='to_xml_loop::run' target/release/examples/to_xml_loop FILE 1000`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use wbxml::transcode::{wbxml_to_xml_bytes_into, wbxml_to_xml_into, ToXmlOptions};

#[inline(never)]
fn run(
    input: &[u8],
    options: &ToXmlOptions,
    iterations: usize,
    string: bool,
    out: &mut Vec<u8>,
    text: &mut String,
) -> usize {
    let mut total = 0;
    for _ in 0..iterations {
        if string {
            text.clear();
            wbxml_to_xml_into(black_box(input), options, text).unwrap();
            total += black_box(&*text).len();
        } else {
            out.clear();
            wbxml_to_xml_bytes_into(black_box(input), options, out).unwrap();
            total += black_box(&*out).len();
        }
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: to_xml_loop FILE [iterations] [compact]");
    let input = std::fs::read(path).unwrap();
    let iterations = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let options = ToXmlOptions {
        indent: if args.get(3).is_some_and(|a| a == "compact") {
            None
        } else {
            Some(2)
        },
        ..Default::default()
    };
    let string = args.get(4).is_some_and(|a| a == "string");
    let (mut out, mut text) = (Vec::new(), String::new());
    run(&input, &options, 1, string, &mut out, &mut text);
    let started = std::time::Instant::now();
    let total = run(&input, &options, iterations, string, &mut out, &mut text);
    let per = started.elapsed().as_secs_f64() / iterations as f64;
    eprintln!(
        "{:.0} ns per conversion, {:.1} MB/s ({} bytes in, {} out)",
        per * 1e9,
        input.len() as f64 / per / 1e6,
        input.len(),
        total / iterations
    );
}
