//! The integration suites that need no feature of their own, as modules of one
//! test binary, so that a test run links it once. `cargo test --test integration
//! NAME` runs the tests whose path contains NAME (a suite: `docs_sync::`).
//!
//! Apart, as binaries of their own: `tests/cli.rs` and `tests/kafka.rs` (they
//! need the `cli` and `kafka` features) and `tests/simulate_memory.rs` (its
//! counting allocator must see only its own test).

mod atomicity;
mod calls;
mod docs_sync;
mod engine;
mod exhaustive;
mod layers;
mod outbound;
mod paths;
mod properties;
mod proptest_config;
mod rejections;
mod resync;
mod resync_properties;
mod sdk_names;
mod simulate;
mod simulate_time;
mod simulate_webex;
mod snapshot;
mod snapshot_line;
mod spec_table;
mod time;
mod v3_oracle;
mod wire;
