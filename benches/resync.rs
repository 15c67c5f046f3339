//! Resync (SPEC §8): what a lost event costs, and what resync costs.
//!
//! The log is agent-days: 50 agents, 50,000 records, clean, native (simulated,
//! seed 7), from which a fixed random share of records is deleted (0.1%, 1%,
//! 3%), as a stream that loses events would.
//!
//! - First, printed once on stderr (not timed), the *cascade*: report lines per
//!   deleted record in strict and in resync mode, and the share of deletions
//!   whose agent's next report line is an inference; then the same for a
//!   `webex` day (40 agents, 20,000 records, seed 0, #20), with the lines
//!   deleted here and with the simulator's own `--loss 0.01`.
//! - `resync/<log>/<mode>`: replay of the clean log and of the 1%-loss log in
//!   memory, strict against resync, in the same run (throughput in bytes).

#[path = "support/ids.rs"]
#[allow(dead_code)]
mod ids;

use callstate::replay::{Replay, Verdict};
use callstate::simulate::{self, webex, Config, Format};
use callstate::wire::input::Line;
use callstate::{Availability, Mode, Repair};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

/// The clean agent-days, one line per record.
fn agent_days() -> Vec<String> {
    let config = Config {
        agents: 50,
        records: 50_000,
        seed: 7,
        format: Format::Native,
        ..Config::default()
    };
    let mut log = Vec::new();
    simulate::write(&config, &mut log).expect("a valid config");
    String::from_utf8(log)
        .expect("simulated logs are UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `log` without a `share` of its lines, chosen with a fixed stream: the lines
/// kept, and for each deletion where it was (an index in the kept log) and
/// whose record it was.
fn delete(log: &[String], share: f64, salt: u64) -> (Vec<&str>, Vec<(usize, String)>) {
    let (mut kept, mut gaps) = (Vec::with_capacity(log.len()), Vec::new());
    for (i, line) in log.iter().enumerate() {
        let draw = ids::mix(salt ^ i as u64) as f64 / u64::MAX as f64;
        if draw < share {
            gaps.push((kept.len(), agent_of(line)));
        } else {
            kept.push(line.as_str());
        }
    }
    (kept, gaps)
}

/// The agent of a native record, or of a webex notification (`data.agentId`).
fn agent_of(line: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line).expect("simulated lines are JSON");
    let agent = value["agent"]
        .as_str()
        .or(value["data"]["agentId"].as_str());
    agent.unwrap_or_default().to_owned()
}

/// A simulated `webex` day, one line per record.
fn webex_day(loss: f64) -> (Vec<String>, usize) {
    let config = webex::Config {
        loss,
        ..webex::Config::default()
    };
    let (mut log, mut truth) = (Vec::new(), Vec::new());
    webex::write_with_truth(&config, &mut log, &mut truth).expect("a valid config");
    let lines = |bytes: Vec<u8>| -> Vec<String> {
        String::from_utf8(bytes)
            .expect("simulated logs are UTF-8")
            .lines()
            .map(str::to_owned)
            .collect()
    };
    (lines(log), lines(truth).len())
}

/// For each line, `None` when accepted, else whether its repair was an inference.
fn report(lines: &[&str], mode: Mode) -> Vec<Option<bool>> {
    let mut replay = Replay::new(Availability::Ready).with_mode(mode);
    lines
        .iter()
        .map(|l| match replay.feed(Line::Text(l.as_bytes())) {
            Verdict::NotAccepted(r) => Some(matches!(r.repair(), Some(Repair::Infer { .. }))),
            _ => None,
        })
        .collect()
}

fn cascade(log: &[String], what: &str) {
    eprintln!("cascade: {what}");
    for (share, salt) in [(0.001, 1), (0.01, 2), (0.03, 3)] {
        let (kept, gaps) = delete(log, share, salt);
        let agents: Vec<String> = kept.iter().map(|l| agent_of(l)).collect();
        let strict = report(&kept, Mode::Strict);
        let resync = report(&kept, Mode::Resync);
        let lines = |r: &[Option<bool>]| r.iter().filter(|v| v.is_some()).count();
        let (mut next_is_inference, mut followed) = (0, 0);
        for (gap, agent) in &gaps {
            let next = (*gap..kept.len()).find(|&i| resync[i].is_some() && &agents[i] == agent);
            if let Some(i) = next {
                followed += 1;
                next_is_inference += usize::from(resync[i] == Some(true));
            }
        }
        let n = gaps.len() as f64;
        eprintln!(
            "  {:>4.1}% deleted ({} records): report lines per deletion: strict {:.2}, resync {:.2}; \
             next line of the agent an inference: {:.1}% of {} deletions followed by one",
            share * 100.0,
            gaps.len(),
            lines(&strict) as f64 / n,
            lines(&resync) as f64 / n,
            100.0 * next_is_inference as f64 / followed.max(1) as f64,
            followed,
        );
    }
}

/// The webex day with the simulator's own loss: the agent went through the
/// event, no line shows it.
fn simulated_loss() {
    let (lossy, lost) = webex_day(0.01);
    let kept: Vec<&str> = lossy.iter().map(String::as_str).collect();
    let lines = |mode| report(&kept, mode).iter().filter(|v| v.is_some()).count();
    eprintln!(
        "  --loss 0.01 ({lost} records lost): report lines per lost record: strict {:.2}, resync {:.2}",
        lines(Mode::Strict) as f64 / lost as f64,
        lines(Mode::Resync) as f64 / lost as f64,
    );
}

fn speed(c: &mut Criterion) {
    let log = agent_days();
    cascade(&log, "50 agents × 50,000 records, native, seed 7");
    cascade(
        &webex_day(0.0).0,
        "40 agents × 20,000 records, webex, seed 0",
    );
    simulated_loss();
    let clean: Vec<&str> = log.iter().map(String::as_str).collect();
    let (lossy, _) = delete(&log, 0.01, 2);
    let mut group = c.benchmark_group("resync");
    group.sample_size(20);
    for (name, lines) in [("clean", &clean), ("loss_1pct", &lossy)] {
        let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        for (mode_name, mode) in [("strict", Mode::Strict), ("resync", Mode::Resync)] {
            group.bench_function(format!("{name}/{mode_name}"), |b| {
                b.iter(|| {
                    let mut replay = Replay::new(Availability::Ready).with_mode(mode);
                    for line in lines.iter() {
                        black_box(replay.feed(Line::Text(line.as_bytes())));
                    }
                    black_box(replay.summary())
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, speed);
criterion_main!(benches);
