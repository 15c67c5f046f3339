//! Record parsing and end-to-end replay, each against a baseline in the same run.
//!
//! - `parse/<shape>`: `wire::parse` + `record()` on one line of each shape, against
//!   `serde_json::from_slice::<Value>` of the same line.
//! - `replay/*`: a 200,000-record mixed log (simulated, seed 1, 1% faults) held in
//!   memory and read as the CLI reads any input, through a `Source` (a buffered
//!   reader, which copies the bytes once, as reading a file does): single-threaded
//!   `LineReader` + `Replay::feed` (the CLI's `--jobs 1`), the parallel pipeline
//!   with 2 parser threads, and the baseline, a bare pass that parses every line
//!   into a `serde_json::Value`. Throughput is reported in bytes; records/s is
//!   200,000 / time. `*_time_rules`: the same two replays with time rules on
//!   (SPEC §11), to compare with the ones without.
//! - `replay/webex_single_thread`: the same single-threaded replay of a `webex`
//!   day (40 agents, 20,000 records, seed 0, 68 MB: each line repeats the ~3 kB
//!   `interaction` object), in resync mode and all accepted; #20 asks it to reach
//!   the bytes per second of `replay/single_thread`.

#[path = "support/mixed_log.rs"]
mod support;
use callstate::replay::parallel;
use callstate::replay::{Replay, ReplayOptions};
use callstate::wire::input::{Line, LineReader, Source, DEFAULT_MAX_LINE};
use callstate::{simulate, wire, Phase, TimeRules};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::io::BufRead;
use support::mixed_log;

const SEED: &str = include_str!("../tests/fixtures/seed-sample-outbound-call.json");
const NATIVE: &str = r#"{"agent":"agent-0026-c","interaction":"int-000001","event":"CustAnswered","time":1718965777098}"#;
const WEBSOCKET: &str = r#"{"data":{"agentId":"agent-0026-c","eventType":"RoutingMessage","type":"AgentContactAssigned","interactionId":"int-000001","eventTime":1718965776875},"orgId":"org-1","trackingId":"t-277022927","type":"RoutingMessage"}"#;

fn parse(c: &mut Criterion) {
    let envelope =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(SEED).unwrap()).unwrap();
    let mut group = c.benchmark_group("parse");
    for (shape, line) in [
        ("native", NATIVE),
        ("websocket", WEBSOCKET),
        ("envelope", envelope.as_str()),
    ] {
        group.throughput(Throughput::Bytes(line.len() as u64));
        group.bench_function(format!("{shape}/callstate"), |b| {
            b.iter(|| {
                let wire = wire::parse(black_box(line.as_bytes())).unwrap();
                black_box(wire.record().is_ok());
            })
        });
        group.bench_function(format!("{shape}/serde_json_value"), |b| {
            b.iter(|| {
                black_box(serde_json::from_slice::<serde_json::Value>(line.as_bytes()).is_ok())
            })
        });
    }
    group.finish();
}

/// The lines of `log`, read as the CLI reads an input without `--jobs`.
fn lines(log: &'static [u8]) -> LineReader<Box<dyn BufRead + Send>> {
    let source = Source::from_reader("bench", log).unwrap();
    LineReader::new(source.into_reader(), DEFAULT_MAX_LINE)
}

/// `log` replayed as the CLI does with `--jobs 1`.
fn single_thread(log: &'static [u8]) -> callstate::replay::Summary {
    let mut replay = Replay::default();
    let mut lines = lines(log);
    while let Some(line) = lines.next_line().unwrap() {
        black_box(replay.feed(line));
    }
    replay.summary()
}

fn replay(c: &mut Criterion) {
    // Leaked once, so that every run can read it through a `Source` ('static).
    let log: &'static [u8] = Box::leak(mixed_log().into_boxed_slice());
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("single_thread", |b| {
        b.iter(|| black_box(single_thread(log)))
    });
    // The same with time rules on (SPEC §11): the records' ring timers, a
    // wrap-up limit, every finding taken as the CLI takes them.
    let rules = TimeRules::default()
        .with_limit(Phase::WrapUp, 60_000)
        .unwrap();
    group.bench_function("single_thread_time_rules", |b| {
        b.iter(|| {
            let mut replay = Replay::default().with_time(rules);
            let mut lines = lines(log);
            while let Some(line) = lines.next_line().unwrap() {
                black_box(replay.feed(line));
                black_box(replay.take_findings());
            }
            black_box(replay.summary())
        })
    });
    let options = ReplayOptions::default()
        .with_jobs(2)
        .with_max_line_bytes(usize::MAX);
    group.bench_function("jobs_2_time_rules", |b| {
        b.iter(|| {
            let mut replay = Replay::default().with_time(rules);
            let source = Source::from_reader("bench", log).unwrap();
            parallel::replay(vec![source], &options, &mut replay, |replay, v| {
                black_box(v);
                black_box(replay.take_findings());
                Ok(())
            })
            .unwrap();
            black_box(replay.summary())
        })
    });
    group.bench_function("jobs_2", |b| {
        b.iter(|| {
            let mut replay = Replay::default();
            let source = Source::from_reader("bench", log).unwrap();
            parallel::replay(vec![source], &options, &mut replay, |_, v| {
                black_box(v);
                Ok(())
            })
            .unwrap();
            black_box(replay.summary())
        })
    });
    let webex: &'static [u8] = Box::leak(simulate::webex::day(0).into_boxed_slice());
    group.throughput(Throughput::Bytes(webex.len() as u64));
    group.bench_function("webex_single_thread", |b| {
        b.iter(|| black_box(single_thread(webex)))
    });
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            let mut lines = lines(log);
            while let Some(line) = lines.next_line().unwrap() {
                if let Line::Text(line) = line {
                    ok += usize::from(serde_json::from_slice::<serde_json::Value>(line).is_ok());
                }
            }
            black_box(ok)
        })
    });
    group.finish();
}

criterion_group!(benches, parse, replay);
criterion_main!(benches);
