//! The log the replay benchmarks read: 200,000 records of 1,000 agents in the
//! three shapes mixed (simulated, seed 1, 1% faults). Shared by `#[path]`.

use callstate::simulate;

/// The log, the same every run.
pub fn mixed_log() -> Vec<u8> {
    let config = simulate::Config {
        agents: 1000,
        records: 200_000,
        seed: 1,
        faults: 0.01,
        format: simulate::Format::Mixed,
        ..simulate::Config::default()
    };
    let mut log = Vec::new();
    simulate::write(&config, &mut log).unwrap();
    log
}
