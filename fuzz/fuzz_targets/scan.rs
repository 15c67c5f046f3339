//! Any bytes as one log line through the wire parser. For UTF-8 input the fast
//! scanner (`src/wire/scan.rs`) must either give up or read exactly the record
//! serde_json reads (as replay reads a line, and as emit does, with what the
//! record carries), as the unit tests of `wire::scan` check on chosen lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    // The public path, as a replay takes it: parse, then check into a record.
    if let Ok(wire) = callstate::wire::parse(line) {
        let _ = wire.event_name();
        let _ = wire.record();
    }
    assert!(
        callstate::wire::__fuzz_scan_agrees(line),
        "the fast scanner and serde_json read {:?} differently",
        String::from_utf8_lossy(line)
    );
});
