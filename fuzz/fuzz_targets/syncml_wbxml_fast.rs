#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_entry::syncml_wbxml_fast(data));
