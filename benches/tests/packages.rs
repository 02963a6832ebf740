//! The canned packages of the client-step benchmark are what BENCHMARKS.md says they are, in
//! both encodings, and the client answers every command of them with success: a benchmark
//! that timed an error path (a 404, a 405) would flatter the step.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use benches::session::{Canned, PACKAGES};
use dm_session::WireEncoding;
use syncml_codec::{Command, Message};

/// How many commands of each kind `m`'s body holds.
fn kinds(m: &Message<'_>) -> BTreeMap<&'static str, usize> {
    let mut n = BTreeMap::new();
    for c in &m.body.commands {
        *n.entry(c.name()).or_default() += 1;
    }
    n
}

#[test]
fn each_package_holds_the_commands_it_is_named_for() {
    let expected: [&[(&str, usize)]; 3] = [
        &[("Get", 1), ("Status", 3)],
        &[
            ("Add", 4),
            ("Exec", 4),
            ("Get", 8),
            ("Replace", 4),
            ("Status", 3),
        ],
        &[("Replace", 500), ("Status", 3)],
    ];
    for ((name, cmds), want) in PACKAGES.into_iter().zip(expected) {
        let xml = Canned::new(WireEncoding::Xml, cmds());
        let wbxml = Canned::new(WireEncoding::Wbxml, cmds());
        let from_xml = syncml_codec::decode(&xml.package2).unwrap();
        let from_wbxml = syncml_codec::decode(&wbxml.package2).unwrap();
        // The three Statuses answer the client's package 1 (its SyncHdr, Alert 1201 and
        // DevInfo Replace); the two encodings carry one message.
        let want: BTreeMap<&str, usize> = want.iter().copied().collect();
        assert_eq!(kinds(&from_xml), want, "{name}");
        assert_eq!(from_xml, from_wbxml, "{name}: XML and WBXML differ");
        assert!(from_xml.body.final_flag, "{name}");
    }
}

#[test]
fn the_client_answers_every_command_with_success() {
    for (name, cmds) in PACKAGES {
        for enc in [WireEncoding::Xml, WireEncoding::Wbxml] {
            let canned = Canned::new(enc, cmds());
            let sent = syncml_codec::decode(&canned.package2).unwrap();
            let reply_bytes = canned.reply().unwrap();
            let reply = syncml_codec::decode(&reply_bytes).unwrap();
            let answered: Vec<&Command<'_>> = sent
                .body
                .commands
                .iter()
                .filter(|c| !matches!(c, Command::Status(_)))
                .collect();
            let mut statuses = Vec::new();
            let mut results = Vec::new();
            for c in &reply.body.commands {
                match c {
                    Command::Status(s) => statuses.push(s),
                    Command::Results(r) => results.push(r),
                    other => panic!("{name} {enc:?}: unexpected {}", other.name()),
                }
            }
            // One Status for the server's SyncHdr, then one per command, in order.
            assert_eq!(statuses.len(), answered.len() + 1, "{name} {enc:?}");
            assert_eq!(statuses[0].cmd, "SyncHdr");
            for (s, c) in statuses[1..].iter().zip(&answered) {
                assert_eq!(s.cmd, c.name(), "{name} {enc:?}");
                assert_eq!(s.cmd_ref, c.cmd_id(), "{name} {enc:?}");
            }
            for s in &statuses {
                assert_eq!(
                    s.code.code(),
                    200,
                    "{name} {enc:?}: {} {}",
                    s.cmd,
                    s.cmd_ref
                );
            }
            // Every Get has its Results: a leaf's stored text, or an interior node's children.
            let gets = answered
                .iter()
                .filter(|c| matches!(c, Command::Get(_)))
                .count();
            assert_eq!(results.len(), gets, "{name} {enc:?}");
            for r in results {
                let item = &r.items[0];
                let source = &item.source.as_ref().unwrap().loc_uri;
                let data = item.data.as_ref().and_then(|d| d.as_text()).unwrap();
                let want = if source == "./App/Sub" {
                    "L0/L1/L2/L3/L4/L5/L6/L7/L8/L9"
                } else {
                    "initial value"
                };
                assert_eq!(data, want, "{name} {enc:?}: {source}");
            }
        }
    }
}
