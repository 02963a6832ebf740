//! Differential tests against libwbxml on the shared corpus (`../shared/corpus`): its goldens,
//! and, when libwbxml2-utils is installed, its tools run live on our output.
//! Skipped with a message when the corpus or the tools are absent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{files, have_libwbxml, libwbxml_decode, libwbxml_encode, shared_dir, tree};
use wbxml::transcode::{wbxml_to_xml, xml_to_wbxml, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Event, Language, Reader, ReaderOptions};

fn to_xml(wbxml: &[u8]) -> String {
    wbxml_to_xml(wbxml, &ToXmlOptions::default()).unwrap_or_else(|e| panic!("decode failed: {e}"))
}

/// The source XML of every libwbxml golden: `(golden stem, source path)`.
fn libwbxml_sources(shared: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let corpus = shared.join("corpus/libwbxml");
    let mut out = Vec::new();
    for p in files(&corpus.join("syncml"), ".xml")
        .into_iter()
        .chain(files(&corpus.join("ddf"), ""))
    {
        let stem = p.file_stem().unwrap().to_str().unwrap().to_owned();
        out.push((stem, p));
    }
    out
}

#[test]
fn our_decoding_of_every_libwbxml_golden_equals_the_source_tree() {
    let Some(shared) = shared_dir() else { return };
    let golden = shared.join("corpus/libwbxml/golden-libwbxml-0.11.8");
    let mut checked = 0;
    for (stem, source) in libwbxml_sources(&shared) {
        let expected = tree(&std::fs::read_to_string(&source).unwrap());
        for kind in ["nostrtbl", "strtbl", "anonymous"] {
            let path = golden.join(format!("{stem}.{kind}.wbxml"));
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let ours = to_xml(&bytes);
            assert_eq!(tree(&ours), expected, "{}", path.display());
            // libwbxml's own decoding of the golden agrees with ours too.
            if kind == "nostrtbl" {
                let theirs =
                    std::fs::read_to_string(golden.join(format!("{stem}.roundtrip.xml"))).unwrap();
                assert_eq!(tree(&theirs), tree(&ours), "{stem}: libwbxml round trip");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16 * 2 + 1, "every golden WBXML was read");
}

#[test]
fn our_decoding_of_every_dm12_wbxml_equals_the_source_tree() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("corpus/dm12");
    let sources: Vec<_> = files(&dir, ".xml")
        .into_iter()
        .filter(|p| !p.to_str().unwrap().ends_with("roundtrip.xml"))
        .collect();
    assert_eq!(sources.len(), 16);
    for source in sources {
        let expected = tree(&std::fs::read_to_string(&source).unwrap());
        let wbxml = std::fs::read(source.with_extension("wbxml")).unwrap();
        assert_eq!(tree(&to_xml(&wbxml)), expected, "{}", source.display());
    }
}

/// Our encoding of the corpus equals libwbxml's byte for byte, except where the project's
/// decisions differ from libwbxml (spec/README.md): libwbxml forces `<Data>` under
/// Add/Replace into OPAQUE, trims text, and writes a string table in nested DDFs.
#[test]
fn our_encoding_matches_libwbxml_bytes_where_no_documented_difference_applies() {
    let Some(shared) = shared_dir() else { return };
    let corpus = shared.join("corpus");
    let golden = corpus.join("libwbxml/golden-libwbxml-0.11.8");
    let mut identical = Vec::new();
    let mut cases: Vec<(String, std::path::PathBuf, std::path::PathBuf)> =
        libwbxml_sources(&shared)
            .into_iter()
            .map(|(stem, src)| {
                (
                    stem.clone(),
                    src,
                    golden.join(format!("{stem}.nostrtbl.wbxml")),
                )
            })
            .collect();
    for src in files(&corpus.join("dm12"), ".xml")
        .into_iter()
        .filter(|p| !p.to_str().unwrap().ends_with("roundtrip.xml"))
    {
        let stem = src.file_stem().unwrap().to_str().unwrap().to_owned();
        let wbxml = src.with_extension("wbxml");
        cases.push((stem, src, wbxml));
    }
    for (stem, src, theirs) in cases {
        let ours = xml_to_wbxml(&std::fs::read(&src).unwrap(), &ToWbxmlOptions::default()).unwrap();
        if ours == std::fs::read(&theirs).unwrap() {
            identical.push(stem);
        }
    }
    let expected_identical = [
        "syncml-001",
        "syncml-002",
        "syncml-006",
        "syncml-009",
        "syncml-011",
        "ddf-001",
        "02-pkg2-server-auth-challenge",
        "04-pkg3-client-status-results",
        "05-server-next-message-1222",
        "06-pkg3-client-results-interior-tnds",
        "07-pkg4-server-ui-alerts",
        "08-pkg3-client-ui-responses",
        "10-pkg3-client-lo-chunk-ack-213",
        "13-pkg4-server-exec-scomo-install",
        "16-pkg3-client-session-abort-1223",
    ];
    assert_eq!(identical, expected_identical);
}

#[test]
fn every_corpus_xml_round_trips_through_our_wbxml() {
    let Some(shared) = shared_dir() else { return };
    let mut sources: Vec<_> = libwbxml_sources(&shared)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    sources.extend(
        files(&shared.join("corpus/dm12"), ".xml")
            .into_iter()
            .filter(|p| !p.to_str().unwrap().ends_with("roundtrip.xml")),
    );
    for source in sources {
        let xml = std::fs::read(&source).unwrap();
        for string_table in [false, true] {
            let opts = ToWbxmlOptions {
                string_table,
                ..Default::default()
            };
            let wbxml = xml_to_wbxml(&xml, &opts).unwrap();
            let back = to_xml(&wbxml);
            assert_eq!(
                tree(&back),
                tree(std::str::from_utf8(&xml).unwrap()),
                "{}",
                source.display()
            );
            // WBXML -> XML -> WBXML is byte-identical.
            assert_eq!(
                xml_to_wbxml(back.as_bytes(), &opts).unwrap(),
                wbxml,
                "{} (string table {string_table})",
                source.display()
            );
        }
    }
}

/// libwbxml reads what we write, and we read what libwbxml writes, to the same trees.
#[test]
fn libwbxml_live_cross_check() {
    let Some(shared) = shared_dir() else { return };
    if !have_libwbxml() {
        return;
    }
    let mut sources: Vec<_> = libwbxml_sources(&shared)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    sources.extend(
        files(&shared.join("corpus/dm12"), ".xml")
            .into_iter()
            .filter(|p| !p.to_str().unwrap().ends_with("roundtrip.xml")),
    );
    for source in sources {
        let xml = std::fs::read(&source).unwrap();
        let expected = tree(std::str::from_utf8(&xml).unwrap());
        let ours = xml_to_wbxml(&xml, &ToWbxmlOptions::default()).unwrap();
        let lang = source
            .extension()
            .is_some_and(|e| e == "ddf")
            .then_some("DMDDF12");
        let theirs_decoding = libwbxml_decode(&ours, lang)
            .unwrap_or_else(|e| panic!("libwbxml rejects our {}: {e}", source.display()));
        assert_eq!(
            tree(&theirs_decoding),
            expected,
            "libwbxml decoding our {}",
            source.display()
        );
        let theirs = libwbxml_encode(&xml).unwrap();
        assert_eq!(
            tree(&to_xml(&theirs)),
            expected,
            "our decoding of libwbxml's {}",
            source.display()
        );
    }
}

/// libwbxml's fuzz crashers, and truncations and bit flips of every vector: a typed error or
/// a document, never a panic; anything that decodes converts to XML that parses.
#[test]
fn hostile_inputs_give_errors_not_panics() {
    let Some(shared) = shared_dir() else { return };
    let corpus = shared.join("corpus");
    let mut inputs: Vec<Vec<u8>> = files(&corpus.join("libwbxml/fuzz"), ".fuzz")
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(inputs.len(), 3);
    for (i, crasher) in inputs.iter().enumerate() {
        assert!(
            wbxml_to_xml(crasher, &ToXmlOptions::default()).is_err(),
            "fuzz input {i} decodes"
        );
    }
    inputs.extend(
        files(&corpus.join("libwbxml/golden-libwbxml-0.11.8"), ".wbxml")
            .iter()
            .map(|p| std::fs::read(p).unwrap()),
    );
    inputs.extend(
        files(&corpus.join("dm12"), ".wbxml")
            .iter()
            .map(|p| std::fs::read(p).unwrap()),
    );
    let mut errors = 0usize;
    for input in &inputs {
        let step = (input.len() / 200).max(1);
        for len in (0..input.len()).step_by(step) {
            errors += usize::from(exercise(&input[..len]));
        }
        for i in (0..input.len()).step_by(step) {
            for bit in [0x01u8, 0x40, 0x80] {
                let mut flipped = input.clone();
                flipped[i] ^= bit;
                errors += usize::from(exercise(&flipped));
            }
        }
    }
    assert!(errors > 1000, "mutations are mostly rejected ({errors})");
}

/// Reads every event and converts; returns whether an error was reported.
fn exercise(bytes: &[u8]) -> bool {
    let mut failed = false;
    for language in [None, Some(Language::SyncMl12)] {
        match Reader::with_options(
            bytes,
            ReaderOptions {
                language,
                ..Default::default()
            },
        ) {
            Ok(mut reader) => loop {
                match reader.next_event() {
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => {
                        assert!(e.offset() <= bytes.len(), "{e} past the input");
                        failed = true;
                        break;
                    }
                }
            },
            Err(_) => failed = true,
        }
    }
    match wbxml_to_xml(bytes, &ToXmlOptions::default()) {
        Ok(xml) => {
            // What we print is XML that converts back.
            xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default())
                .unwrap_or_else(|e| panic!("{e}: our output does not convert back:\n{xml}"));
        }
        Err(e) => {
            assert!(e.offset() <= bytes.len() + 1, "{e} past the input");
            failed = true;
        }
    }
    failed
}
