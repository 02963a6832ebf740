//! Helpers shared by the integration tests: the external corpus, libwbxml's tools, and a
//! normalised XML tree to compare documents the way libwbxml's own test suite does
//! (namespaces dropped, text trimmed, CR LF folded).
#![allow(dead_code, unreachable_pub)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::use_self
)]

use quick_xml::events::Event;
use std::path::PathBuf;
use std::process::Command;

/// `../shared` beside the repository (or `$DM_SHARED_DIR`), when present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.join("corpus").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared not found (set DM_SHARED_DIR to run the corpus tests)");
        None
    }
}

/// Files of `dir` whose names end with `suffix`, sorted.
pub fn files(dir: &std::path::Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().ends_with(suffix))
        .collect();
    out.sort();
    out
}

/// Whether libwbxml's command-line tools are installed.
pub fn have_libwbxml() -> bool {
    let ok = Command::new("wbxml2xml").arg("-h").output().is_ok()
        && Command::new("xml2wbxml").arg("-h").output().is_ok();
    if !ok {
        eprintln!("skipped: libwbxml2-utils (xml2wbxml, wbxml2xml) not installed");
    }
    ok
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("wbxml-test-{}-{name}", std::process::id()))
}

/// libwbxml's decoding of `wbxml` (compact XML), or its error text.
pub fn libwbxml_decode(wbxml: &[u8], lang: Option<&str>) -> Result<String, String> {
    let input = temp_path("in.wbxml");
    let output = temp_path("out.xml");
    std::fs::write(&input, wbxml).unwrap();
    let mut cmd = Command::new("wbxml2xml");
    cmd.args(["-m", "0", "-o"]).arg(&output);
    if let Some(lang) = lang {
        cmd.args(["-l", lang]);
    }
    let result = cmd.arg(&input).output().unwrap();
    let xml = std::fs::read_to_string(&output)
        .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&result.stdout)));
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    if !result.status.success() {
        return Err(String::from_utf8_lossy(&result.stdout).into_owned());
    }
    xml
}

/// libwbxml's encoding of `xml` without a string table.
pub fn libwbxml_encode(xml: &[u8]) -> Result<Vec<u8>, String> {
    let input = temp_path("in.xml");
    let output = temp_path("out.wbxml");
    std::fs::write(&input, xml).unwrap();
    let result = Command::new("xml2wbxml")
        .arg("-n")
        .arg("-o")
        .arg(&output)
        .arg(&input)
        .output()
        .unwrap();
    let wbxml = std::fs::read(&output).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    if !result.status.success() {
        return Err(String::from_utf8_lossy(&result.stdout).into_owned());
    }
    wbxml
}

/// An element of a normalised tree.
#[derive(Debug, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

/// Parses XML into a normalised tree: local names only, attributes dropped, text and CDATA
/// of an element joined, CR LF folded to LF, and trimmed.
pub fn tree(xml: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node {
        name: String::new(),
        text: String::new(),
        children: vec![],
    }];
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"))
        {
            Event::Start(e) => stack.push(Node {
                name: e.local_name().into_inner().to_owned(),
                text: String::new(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: e.local_name().into_inner().to_owned(),
                    text: String::new(),
                    children: vec![],
                };
                stack.last_mut().unwrap().children.push(node);
            }
            Event::End(_) => {
                let mut node = stack.pop().unwrap();
                node.text = node.text.replace("\r\n", "\n").trim().to_owned();
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t),
            Event::CData(c) => stack.last_mut().unwrap().text.push_str(&c),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let c = match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    n if n.starts_with("#x") => {
                        char::from_u32(u32::from_str_radix(&n[2..], 16).unwrap()).unwrap()
                    }
                    n => char::from_u32(n[1..].parse().unwrap()).unwrap(),
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}
