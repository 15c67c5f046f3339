//! Any bytes as a snapshot (`Engine::from_snapshot_json`): whatever restores must
//! save to JSON that restores to an equal engine, and saves to the same JSON again.
#![no_main]

use callstate::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(engine) = Engine::from_snapshot_json(json) else {
        return;
    };
    let saved = engine.to_snapshot_json();
    let again = match Engine::from_snapshot_json(&saved) {
        Ok(again) => again,
        Err(e) => panic!("a saved snapshot does not restore: {e}\n{saved}"),
    };
    assert_eq!(again, engine, "restored from its own snapshot\n{saved}");
    assert_eq!(again.to_snapshot_json(), saved, "a second save differs");
});
