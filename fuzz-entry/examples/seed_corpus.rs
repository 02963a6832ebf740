//! Regenerates the seed corpora `fuzz/corpus/<target>/` and the dictionaries `fuzz/dict/` from
//! the project's own vectors (`wbxml/tests/data`, `syncml-codec/tests/data`, `ddf/ddfs`,
//! `ddf/tests/data`, `dm-tree/tests/data`, `dmtool/samples`) and code tables.
//!
//! `cargo run -p fuzz-entry --example seed_corpus`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use syncml_codec::package0::{Initiator, Notification, UiMode};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &str, ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

struct Corpus {
    root: PathBuf,
}

impl Corpus {
    fn put(&self, target: &str, name: &str, data: &[u8]) {
        assert!(fuzz_entry::target(target).is_some(), "{target}");
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), data).unwrap();
    }
}

/// Deterministic bytes for the structured targets.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Every text between `<tag>` and `</tag>` in `doc`.
fn elements<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].trim());
        rest = &after[j..];
    }
    out
}

fn main() {
    let corpus = Corpus {
        root: repo().join("fuzz/corpus"),
    };
    let _ = fs::remove_dir_all(&corpus.root);

    // SyncML messages in XML and WBXML, for the transcoders and the codec.
    let mut messages = files("wbxml/tests/data", "xml");
    messages.extend(files("syncml-codec/tests/data", "xml"));
    messages.extend(files("dmtool/samples", "xml"));
    for (name, xml) in &messages {
        corpus.put("xml_to_wbxml", &format!("{name}.xml"), xml);
        let Ok(wbxml) = wbxml::transcode::xml_to_wbxml(xml, &Default::default()) else {
            continue;
        };
        corpus.put("wbxml_read", &format!("{name}.wbxml"), &wbxml);
        corpus.put("wbxml_to_xml", &format!("{name}.wbxml"), &wbxml);
        let table = wbxml::transcode::ToWbxmlOptions {
            string_table: true,
            version: wbxml::Version::V1_2,
            ..Default::default()
        };
        if let Ok(with_table) = wbxml::transcode::xml_to_wbxml(xml, &table) {
            corpus.put("wbxml_read", &format!("{name}.strtbl.wbxml"), &with_table);
        }
        if let Ok(m) = syncml_codec::decode_xml(xml) {
            corpus.put("syncml_xml_decode", &format!("{name}.xml"), xml);
            let w = syncml_codec::wbxml::to_vec(&m).unwrap();
            corpus.put("syncml_wbxml_decode", &format!("{name}.wbxml"), &w);
            corpus.put("syncml_wbxml_fast", &format!("{name}.wbxml"), &w);
        }
    }
    for (name, wbxml) in files("dmtool/samples", "wbxml") {
        corpus.put("wbxml_read", &format!("{name}.wbxml"), &wbxml);
        corpus.put("wbxml_to_xml", &format!("{name}.wbxml"), &wbxml);
        corpus.put("syncml_wbxml_decode", &format!("{name}.wbxml"), &wbxml);
        corpus.put("syncml_wbxml_fast", &format!("{name}.wbxml"), &wbxml);
    }

    // DDF and TNDS documents.
    let mut trees = files("ddf/ddfs", "xml");
    trees.extend(files("ddf/tests/data", "xml"));
    trees.extend(files("dm-tree/tests/data", "xml"));
    let mut acls = BTreeSet::new();
    let mut uris = BTreeSet::new();
    for (name, xml) in &trees {
        let text = std::str::from_utf8(xml).unwrap();
        corpus.put("ddf_parse", &format!("{name}.xml"), xml);
        acls.extend(elements(text, "ACL").into_iter().map(str::to_owned));
        for path in elements(text, "Path") {
            uris.insert(path.to_owned());
        }
        let Ok(parsed) = ddf::parse_xml(text) else {
            continue;
        };
        if parsed.tree.kind == ddf::DocKind::Tnds {
            corpus.put("tnds_parse", &format!("{name}.xml"), xml);
            let w = ddf::to_wbxml(&parsed.tree, ddf::ListFilter::ALL).unwrap();
            corpus.put("tnds_parse", &format!("{name}.wbxml"), &w);
            let a = ddf::to_wbxml_anonymous(&parsed.tree, ddf::ListFilter::ALL).unwrap();
            corpus.put("tnds_parse", &format!("{name}.anon.wbxml"), &a);
            corpus.put("wbxml_to_xml", &format!("{name}.tnds.wbxml"), &w);
        }
    }
    // A TNDS nested in a SyncML message, as a server sends it.
    for (name, xml) in &messages {
        if xml.windows(8).any(|w| w == b"MgmtTree") {
            corpus.put("tnds_parse", &format!("{name}.xml"), xml);
        }
    }

    // ACLs: those of the vectors, plus the grammar's corner cases.
    acls.extend(
        [
            "",
            "Get=*",
            "Add=*&Get=*",
            "Get=srv1+srv2&Replace=srv1&Get=srv3",
            "Add=a&Delete=b&Exec=c&Get=*&Replace=d+e",
            "Get=a+*",
            "Get=",
            "Get=a++b",
            "&Get=*",
            "Copy=*",
            "Get=é+\u{1F600}",
        ]
        .map(str::to_owned),
    );
    for (i, acl) in acls.iter().enumerate() {
        corpus.put("acl_parse", &format!("acl-{i:02}"), acl.as_bytes());
    }

    // URIs: the vectors' paths plus queries and corner cases.
    uris.extend(
        [
            ".",
            "./",
            "./A/B/C",
            "A/B",
            "./A?prop=ACL",
            "./A?list=Struct",
            "./A?list=TNDS+ACL+Value",
            "./A?list=TNDS-Format",
            "./SCOMO/Download/*/PkgURL",
            "./a%20b/c",
            "./A/../B",
            "./A//B",
        ]
        .map(str::to_owned),
    );
    for (i, uri) in uris.iter().enumerate() {
        corpus.put("uri_parse", &format!("uri-{i:02}"), uri.as_bytes());
    }

    // Structured targets read their input through `arbitrary`: varied noise.
    for (i, len) in [16usize, 64, 256, 1024, 2048].into_iter().enumerate() {
        corpus.put("acl_eval", &format!("noise-{i}"), &noise(i as u64 + 1, len));
        corpus.put(
            "session_client",
            &format!("noise-{i}"),
            &noise(i as u64 + 200, len),
        );
        corpus.put(
            "session_server",
            &format!("noise-{i}"),
            &noise(i as u64 + 300, len),
        );
        corpus.put(
            "syncml_roundtrip",
            &format!("noise-{i}"),
            &noise(i as u64 + 100, len),
        );
    }

    // The server target with an honest client all the way: XML, then WBXML with MaxMsgSize
    // 1024 (zero bytes choose the first variant of every turn: the honest answer).
    corpus.put("session_server", "honest-xml", &[0; 64]);
    let mut small = vec![0u8; 64];
    small[..2].copy_from_slice(&[1, 1]);
    corpus.put("session_server", "honest-wbxml-1024", &small);

    // Package 0: every ui-mode and initiator, a long server id, vendor bytes, version 1.2.
    let modes = [
        UiMode::NotSpecified,
        UiMode::Background,
        UiMode::Informative,
        UiMode::UserInteraction,
    ];
    for (i, mode) in modes.into_iter().enumerate() {
        let initiator = if i % 2 == 0 {
            Initiator::Server
        } else {
            Initiator::Client
        };
        let n = Notification::new(mode, initiator, 0x1A2B + i as u16, "ExampleDM");
        corpus.put(
            "notification_decode",
            &format!("pkg0-{i}"),
            &n.encode(b"pw", b"nonce"),
        );
    }
    let mut n = Notification::new(UiMode::Background, Initiator::Server, 7, "x".repeat(40));
    n.vendor = std::borrow::Cow::Borrowed(b"vendor-specific");
    corpus.put("notification_decode", "pkg0-vendor", &n.encode(b"", b""));
    let mut v12 = n.encode(b"pw", &[0, 0, 0, 0]);
    v12[16] = (12 << 6) as u8 | (v12[16] & 0x3F);
    corpus.put("notification_decode", "pkg0-version12", &v12);

    write_dicts(&repo().join("fuzz/dict"));
    let mut total = 0u64;
    for target in fuzz_entry::TARGETS {
        let dir = corpus.root.join(target.name);
        let (n, size) = fs::read_dir(&dir).map_or((0, 0), |d| {
            d.fold((0, 0), |(n, s), e| {
                (n + 1, s + e.unwrap().metadata().unwrap().len())
            })
        });
        total += size;
        println!("{:<20} {n:>3} files {size:>7} bytes", target.name);
    }
    println!("total {total} bytes");
}

fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        if b.is_ascii_graphic() && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out.push('"');
    out
}

fn write_dict(path: &Path, entries: impl IntoIterator<Item = Vec<u8>>, header: &str) {
    let mut seen = BTreeSet::new();
    let mut text =
        format!("# {header}\n# Generated by `cargo run -p fuzz-entry --example seed_corpus`.\n");
    for entry in entries {
        if !entry.is_empty() && seen.insert(entry.clone()) {
            text.push_str(&quoted(&entry));
            text.push('\n');
        }
    }
    fs::write(path, text).unwrap();
}

fn write_dicts(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let languages = wbxml::Language::ALL;
    let mut names = BTreeSet::new();
    let mut tokens = Vec::new();
    for lang in languages {
        for page in lang.pages() {
            for token in 5u8..64 {
                if let Some(name) = lang.tag_name(page.page, token) {
                    names.insert(name);
                    // Content and no-content forms, with the page switch before them.
                    tokens.push(vec![0x00, page.page, token | 0x40]);
                    tokens.push(vec![token, token | 0x40]);
                }
            }
        }
    }
    // Global tokens, headers and common mb_u_int32 lengths.
    let mut wbxml_entries: Vec<Vec<u8>> = vec![
        vec![0x03, 0xA4, 0x01, 0x6A, 0x00],
        vec![0x02, 0xA4, 0x01, 0x6A, 0x00],
        vec![0x03, 0x01, 0x6A],
        vec![0x03, 0x00, 0x00, 0x6A],
        vec![0x00],
        vec![0x01],
        vec![0x02],
        vec![0x03],
        vec![0x04],
        vec![0x43],
        vec![0x44],
        vec![0x83],
        vec![0x84],
        vec![0xC3],
        vec![0xC4],
        vec![0x40],
        vec![0x80],
        vec![0xC0],
        vec![0x81, 0x00],
        vec![0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
    ];
    wbxml_entries.extend(tokens);
    write_dict(
        &dir.join("wbxml.dict"),
        wbxml_entries,
        "WBXML global tokens, headers and SyncML/MetInf/DevInf/DDF tag tokens",
    );

    let mut xml_entries: Vec<Vec<u8>> = names
        .iter()
        .flat_map(|n| [format!("<{n}>"), format!("</{n}>"), format!("<{n}/>")])
        .map(String::into_bytes)
        .collect();
    for lang in languages {
        xml_entries.push(format!("xmlns=\"{}\"", lang.namespace()).into_bytes());
        for page in lang.pages() {
            xml_entries.push(format!("xmlns=\"{}\"", page.namespace).into_bytes());
        }
    }
    xml_entries.extend(
        [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<!DOCTYPE SyncML PUBLIC \"-//SYNCML//DTD SyncML 1.2//EN\" \"http://www.openmobilealliance.org/tech/DTD/OMA-TS-DM_DTD-V1_2.dtd\">",
            "<!DOCTYPE MgmtTree PUBLIC \"-//OMA//DTD-DM-DDF 1.2//EN\" \"http://www.openmobilealliance.org/tech/DTD/DM_DDF-V1_2.dtd\">",
            "<![CDATA[",
            "]]>",
            "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#13;", "&#x1F600;",
            "application/vnd.syncml.dmtnds+xml",
            "application/vnd.syncml.dmtnds+wbxml",
            "application/vnd.syncml.dm+xml",
            "syncml:auth-md5", "syncml:auth-basic", "b64", "chr", "int", "node",
            "./SCOMO/Inventory/Deployed",
        ]
        .map(|s| s.as_bytes().to_vec()),
    );
    write_dict(
        &dir.join("xml.dict"),
        xml_entries,
        "XML tag names (SyncML, MetInf, DevInf, DDF/TNDS), namespaces, prologs, entities",
    );

    let acl_entries = [
        "Add=",
        "Delete=",
        "Exec=",
        "Get=",
        "Replace=",
        "Copy=",
        "&",
        "+",
        "*",
        "=",
        "srv1",
        "srv2",
        "?prop=ACL",
        "?prop=Format",
        "?prop=Type",
        "?prop=Name",
        "?prop=Title",
        "?prop=TStamp",
        "?prop=VerNo",
        "?prop=Size",
        "?list=Struct",
        "?list=StructData",
        "?list=TNDS",
        "+ACL",
        "-Value",
        "./",
        "/",
        ".",
        "%20",
        "%2F",
    ]
    .map(|s| s.as_bytes().to_vec());
    write_dict(
        &dir.join("acl.dict"),
        acl_entries,
        "ACL grammar, server ids, URI queries and separators",
    );
}
