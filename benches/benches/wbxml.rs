//! WBXML read, WBXML→XML and XML→WBXML beside quick-xml's raw event loop and memcpy, on a
//! 200-byte reply, a 4 KB server package and a 500 KB SCOMO inventory; with the `libwbxml`
//! feature (Debian's libwbxml2-dev), beside libwbxml's own conversion functions too:
//! `cargo bench -p benches --bench wbxml --features libwbxml`.

#[cfg(feature = "libwbxml")]
use benches::libwbxml;
use benches::{inventory_results, quick_xml_raw_loop, server_package, status_reply, to_wbxml};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wbxml::transcode::{wbxml_to_xml_into, xml_to_wbxml_into, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Event, Reader};

fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("status-reply", status_reply()),
        ("server-package", server_package()),
        ("inventory-2000", inventory_results(2000)),
    ]
}

fn read_all(wbxml: &[u8]) -> usize {
    let Ok(mut reader) = Reader::new(wbxml) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(e) = reader.next_event() {
        if e == Event::Eof {
            break;
        }
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let to_xml = ToXmlOptions {
        indent: None,
        ..ToXmlOptions::default()
    };
    let to_wbxml_opts = ToWbxmlOptions::default();
    for (name, xml) in inputs() {
        let wbxml = to_wbxml(&xml);
        let mut group = c.benchmark_group(format!("wbxml/{name}"));
        group.throughput(Throughput::Bytes(wbxml.len() as u64));
        group.bench_function("wbxml-read", |b| b.iter(|| read_all(black_box(&wbxml))));
        let mut out = String::new();
        group.bench_function("wbxml-to-xml", |b| {
            b.iter(|| {
                out.clear();
                wbxml_to_xml_into(black_box(&wbxml), &to_xml, &mut out).is_ok()
            })
        });
        group.bench_function("memcpy-wbxml", |b| b.iter(|| black_box(&wbxml).to_vec()));
        // libwbxml reads its inputs from files; one that cannot be written skips the peer.
        #[cfg(feature = "libwbxml")]
        let peer = libwbxml::Libwbxml::new(&format!("{name}.wbxml"), &wbxml).and_then(|w| {
            Ok((
                w,
                libwbxml::Libwbxml::new(&format!("{name}.xml"), xml.as_bytes())?,
            ))
        });
        #[cfg(feature = "libwbxml")]
        match &peer {
            Ok((wbxml_file, _)) => {
                group.bench_function("libwbxml-wbxml-to-xml", |b| {
                    b.iter_custom(|n| wbxml_file.time(libwbxml::Mode::WbxmlToXml, n))
                });
            }
            Err(e) => eprintln!("libwbxml skipped: cannot write its input: {e}"),
        }
        group.throughput(Throughput::Bytes(xml.len() as u64));
        let mut buf = Vec::new();
        group.bench_function("xml-to-wbxml", |b| {
            b.iter(|| {
                buf = xml_to_wbxml_into(
                    black_box(xml.as_bytes()),
                    &to_wbxml_opts,
                    std::mem::take(&mut buf),
                )
                .unwrap_or_default();
            })
        });
        group.bench_function("quick-xml-raw-loop", |b| {
            b.iter(|| quick_xml_raw_loop(black_box(&xml)))
        });
        group.bench_function("memcpy-xml", |b| {
            b.iter(|| black_box(xml.as_bytes()).to_vec())
        });
        #[cfg(feature = "libwbxml")]
        if let Ok((_, xml_file)) = &peer {
            group.bench_function("libwbxml-xml-to-wbxml", |b| {
                b.iter_custom(|n| xml_file.time(libwbxml::Mode::XmlToWbxml, n))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
