//! The lean WBXML decoder against the full one: where the lean one gives a message, the full
//! one gives the same (so where the full one fails, the lean one gives up), under the
//! default limits and tight ones.
#![no_main]

use syncml_codec::{wbxml, Limits};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let tight = Limits {
        max_depth: 1,
        max_commands: 3,
        max_items: 4,
        max_string_len: 12,
        ..Limits::default()
    };
    for limits in [Limits::default(), tight] {
        if let Some(m) = wbxml::decode_fast_for_fuzzing(data, &limits) {
            match wbxml::decode_full_for_fuzzing(data, &limits) {
                Ok(full) => assert_eq!(m, full, "{limits:?}"),
                Err(e) => panic!("the full decoder fails ({e}) where the lean one gives {m:?}"),
            }
        }
    }
});
