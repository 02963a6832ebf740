//! Decoding allocates per command, item and Meta (the vectors holding them, the boxed Meta),
//! never per string: strings borrow from the input unless they contain references.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

use syncml_codec::{decode_wbxml, decode_xml, wbxml};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A message with `commands` Replace commands of 2 items with a Meta each; `rich` adds 9 more
/// strings per item.
fn message(commands: usize, rich: bool) -> String {
    let mut body = String::new();
    for i in 0..commands {
        body.push_str(&format!("<Replace><CmdID>{i}</CmdID>"));
        for j in 0..2 {
            if rich {
                body.push_str(&format!(
                    "<Item><Target><LocURI>./A/{i}/{j}</LocURI><LocName>n{j}</LocName></Target>\
                     <Source><LocURI>./S/{i}</LocURI><LocName>s</LocName></Source>\
                     <Meta><Format xmlns=\"syncml:metinf\">chr</Format><Type xmlns=\"syncml:metinf\">text/plain</Type>\
                     <Mark xmlns=\"syncml:metinf\">warning</Mark><Version xmlns=\"syncml:metinf\">1</Version>\
                     <NextNonce xmlns=\"syncml:metinf\">bm9uY2U=</NextNonce><Size xmlns=\"syncml:metinf\">5</Size></Meta>\
                     <Data>value {i} {j}</Data></Item>"
                ));
            } else {
                body.push_str(&format!(
                    "<Item><Target><LocURI>./A/{i}/{j}</LocURI></Target>\
                     <Meta><Format xmlns=\"syncml:metinf\">chr</Format></Meta></Item>"
                ));
            }
        }
        body.push_str("</Replace>");
    }
    format!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>\
         <SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>t</LocURI></Target>\
         <Source><LocURI>s</LocURI></Source></SyncHdr><SyncBody>{body}<Final/></SyncBody></SyncML>"
    )
}

/// The allocator counts every thread: tests in this file take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The fewest allocations over three runs: the test harness's own threads may allocate
/// while a region is open.
fn count<T>(f: impl Fn() -> T) -> (usize, T) {
    let mut best = usize::MAX;
    for _ in 0..2 {
        let region = Region::new(GLOBAL);
        let out = f();
        let stats = region.change();
        drop(out);
        best = best.min(stats.allocations + stats.reallocations);
    }
    let region = Region::new(GLOBAL);
    let out = f();
    let stats = region.change();
    (best.min(stats.allocations + stats.reallocations), out)
}

#[test]
fn allocations_do_not_grow_with_strings() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for commands in [1, 10, 100] {
        let plain = message(commands, false);
        let rich = message(commands, true);
        let (a_plain, m1) = count(|| decode_xml(plain.as_bytes()).unwrap());
        let (a_rich, m2) = count(|| decode_xml(rich.as_bytes()).unwrap());
        assert_eq!(m1.all_commands().len(), commands);
        assert_eq!(m2.all_commands().len(), commands);
        // 11 strings per item more in `rich`, the same number of allocations.
        assert_eq!(a_plain, a_rich, "XML, {commands} commands");
        // One Vec per command for its items, one box per Meta, plus the growth of the
        // command list.
        assert!(
            a_rich <= 3 * commands + 16,
            "{a_rich} allocations for {commands} commands"
        );

        let w_plain = wbxml::to_vec(&m1).unwrap();
        let w_rich = wbxml::to_vec(&m2).unwrap();
        let (b_plain, _) = count(|| decode_wbxml(&w_plain).unwrap());
        let (b_rich, _) = count(|| decode_wbxml(&w_rich).unwrap());
        assert_eq!(b_plain, b_rich, "WBXML, {commands} commands");
        assert!(
            b_rich <= 3 * commands + 16,
            "{b_rich} WBXML allocations for {commands} commands"
        );
    }
}

#[test]
fn references_cost_one_string_each() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let plain = message(5, true);
    let with_refs = plain.replace("value", "v&amp;lue");
    let (a, _) = count(|| decode_xml(plain.as_bytes()).unwrap());
    let (b, _) = count(|| decode_xml(with_refs.as_bytes()).unwrap());
    // Ten Data values with a reference: each joins its pieces into one owned string.
    assert!(b > a && b - a <= 10 * 3, "{a} vs {b}");
}
