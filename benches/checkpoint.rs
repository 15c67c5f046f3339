//! The cost of a `callstate consume` checkpoint, without the broker: the
//! engine's snapshot JSON (written at each checkpoint of a partition) and its
//! restore (at each assignment), for partitions of 1 000, 10 000 and 100 000
//! agents holding the state a simulated log left them in (resync mode, so the
//! snapshot carries the resync memory). The snapshot's size is printed once on
//! stderr: it decides how many parts a checkpoint has (docs/streaming.md).
//! Writing it to the broker is measured in `cli/tests/kafka.rs`'s ignored
//! `throughput` test.

use callstate::replay::Replay;
use callstate::simulate::{self, Config, Format};
use callstate::wire::input::Line;
use callstate::{Availability, Engine, Mode};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

/// An engine after a simulated log of about 5 records per agent, with faults.
fn engine(agents: usize) -> Engine {
    let config = Config {
        agents,
        records: agents as u64 * 5,
        seed: 11,
        faults: 0.02,
        format: Format::Native,
        ..Config::default()
    };
    let mut log = Vec::new();
    simulate::write(&config, &mut log).expect("a valid config");
    let mut replay = Replay::new(Availability::Ready).with_mode(Mode::Resync);
    for line in log.split(|b| *b == b'\n') {
        replay.feed(Line::Text(line));
    }
    replay.into_engine()
}

fn checkpoint(c: &mut Criterion) {
    let mut group = c.benchmark_group("checkpoint");
    group.sample_size(10);
    for agents in [1_000, 10_000, 100_000] {
        let engine = engine(agents);
        let json = engine.to_snapshot_json();
        eprintln!(
            "checkpoint: {agents} agents ({} seen), snapshot {} bytes ({} bytes/agent)",
            engine.len(),
            json.len(),
            json.len() / engine.len().max(1)
        );
        group.throughput(Throughput::Elements(engine.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("snapshot_json", agents),
            &engine,
            |b, e| b.iter(|| black_box(e.to_snapshot_json())),
        );
        group.bench_with_input(BenchmarkId::new("restore", agents), &json, |b, j| {
            b.iter(|| black_box(Engine::from_snapshot_json(j).expect("its own snapshot")))
        });
    }
    group.finish();
}

criterion_group!(benches, checkpoint);
criterion_main!(benches);
