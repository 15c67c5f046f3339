//! The workload of the `engine/100k_agents_apply_all` benchmark (benches/machine.rs)
//! and nothing else, for counting instructions, cache misses and branch
//! mispredictions under valgrind, where the benchmark's harness would be counted
//! too. Builds an engine of 100,000 agents past one call, then runs PASSES passes
//! (default 16, one call's worth), each giving every agent its next event through
//! `Engine::apply_all` in batches of 1,024. Run with 0 passes too and subtract:
//! the difference is the passes alone (docs/performance.md, "Counting
//! instructions").
//!
//! ```sh
//! cargo build --release --example apply_all_100k
//! valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
//!     target/release/examples/apply_all_100k 16
//! ```

use callstate::Engine;
use std::hint::black_box;

#[path = "../benches/support/ids.rs"]
#[allow(dead_code)] // the example needs the ids and the shuffle, not the hash
mod ids;
use ids::{shuffle, uuid_like};

#[path = "../benches/support/workload.rs"]
mod workload;
use workload::{engine_past_one_call, record, CALL};

const AGENTS: usize = 100_000;
const BATCH: usize = 1024;

fn main() {
    let passes: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => CALL.len(),
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: apply_all_100k [PASSES]   (default 16)");
            std::process::exit(2);
        }
    };
    let mut order: Vec<usize> = (0..AGENTS).collect();
    shuffle(&mut order);
    let ids: Vec<String> = order.iter().map(|&i| uuid_like(i)).collect();
    let calls: Vec<String> = order.iter().map(|&i| uuid_like(i + AGENTS)).collect();
    let (mut engine, step) = engine_past_one_call(&ids, &calls);
    let rejected = run(&mut engine, &ids, &calls, step, passes);
    println!("{passes} passes over {AGENTS} agents, {rejected} rejected");
}

/// The timed loop of the benchmark, `passes` times from step `first`; how many
/// records were rejected (none).
#[inline(never)]
fn run(
    engine: &mut Engine,
    ids: &[String],
    calls: &[String],
    first: usize,
    passes: usize,
) -> usize {
    let mut records = Vec::with_capacity(BATCH);
    let mut rejected = 0usize;
    for step in first..first + passes {
        let event = CALL[step % CALL.len()];
        for (ids, calls) in ids.chunks(BATCH).zip(calls.chunks(BATCH)) {
            records.clear();
            records.extend(
                ids.iter()
                    .zip(calls)
                    .map(|(agent, call)| record(agent, call, event, step + 1)),
            );
            engine.apply_all(&records, |_, result| {
                rejected += usize::from(!black_box(result.is_ok()));
            });
        }
    }
    rejected
}
