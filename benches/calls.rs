//! What following every call (SPEC §12) costs a replay: a 200,000-record
//! realistic native log (1,000 agents, seed 1, no faults) held in memory, fed
//! line by line on one thread, without calls, with the summary alone
//! (`--durations`), and with every record taken after each line (`--calls`).

use callstate::replay::Replay;
use callstate::simulate::{self, Simulator};
use callstate::wire::input::Line;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn realistic_log() -> Vec<u8> {
    let config = simulate::Config {
        agents: 1000,
        records: 200_000,
        seed: 1,
        ..simulate::Config::default()
    };
    let mut log = Vec::new();
    let sim = Simulator::new(&config).unwrap().realistic();
    simulate::write_simulator(sim, &mut log, None, None).unwrap();
    log
}

fn calls(c: &mut Criterion) {
    let log = realistic_log();
    let lines: Vec<&[u8]> = log.split(|b| *b == b'\n').collect();
    let mut group = c.benchmark_group("calls");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(log.len() as u64));
    let run = |replay: &mut Replay, take: bool| {
        let mut taken = 0usize;
        for line in &lines {
            black_box(replay.feed(Line::Text(line)));
            if take {
                taken += replay
                    .take_calls()
                    .map(|c| c.spent[0] as usize)
                    .sum::<usize>();
            }
        }
        black_box(taken);
    };
    group.bench_function("off", |b| b.iter(|| run(&mut Replay::default(), false)));
    group.bench_function("durations", |b| {
        b.iter(|| run(&mut Replay::default().with_calls(false), false))
    });
    group.bench_function("records", |b| {
        b.iter(|| run(&mut Replay::default().with_calls(true), true))
    });
    group.finish();
}

criterion_group!(benches, calls);
criterion_main!(benches);
