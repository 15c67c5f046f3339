//! SPEC §12: every call's record from a replay equals the simulator's ground
//! truth to the millisecond, and so does their summary.

use callstate::replay::calls::CallRecord;
use callstate::replay::durations::CallSummary;
use callstate::replay::{self, Replay, ReplayOptions};
use callstate::simulate::{self, Config, Format, Simulator};
use callstate::wire::input::{Line, Source};

/// A clean, realistic day's log and its calls' truth.
fn day(format: Format, seed: u64) -> (Vec<u8>, Vec<CallRecord>, Vec<CallRecord>) {
    let config = Config {
        agents: 40,
        records: 30_000,
        seed,
        format,
        ..Config::default()
    };
    let mut sim = Simulator::new(&config).unwrap().realistic().keeping_calls();
    let mut log = Vec::new();
    let mut finished = Vec::new();
    while let Some(line) = sim.next_line() {
        log.extend_from_slice(line);
        log.push(b'\n');
        finished.extend(sim.take_calls());
    }
    finished.extend(sim.take_calls());
    (log, finished, sim.open_calls())
}

#[test]
fn every_call_equals_the_simulators_truth_to_the_millisecond() {
    for (format, seed) in [
        (Format::Native, 1),
        (Format::Mixed, 2),
        (Format::Websocket, 3),
    ] {
        let (log, truth, open_truth) = day(format, seed);
        assert!(truth.len() > 1_000, "{}", truth.len());
        let mut replay = Replay::default().with_calls(true);
        let mut calls = Vec::new();
        for line in log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            replay.feed(Line::Text(line));
            calls.extend(replay.take_calls());
        }
        assert_eq!(replay.summary().rejected, 0);
        assert_eq!(calls.len(), truth.len(), "{format}");
        for (got, want) in calls.iter().zip(&truth) {
            assert_eq!(got, want, "{format}");
        }
        assert_eq!(replay.open_calls(), open_truth, "{format}");
        let mut summary = CallSummary::default();
        truth.iter().for_each(|c| summary.add(c));
        summary.open = open_truth.len() as u64;
        assert_eq!(replay.call_summary(), Some(summary), "{format}");
    }
}

#[test]
fn parser_threads_give_the_same_calls() {
    let (log, truth, _) = day(Format::Mixed, 4);
    let path = std::env::temp_dir().join(format!("callstate-calls-{}.jsonl", std::process::id()));
    std::fs::write(&path, &log).unwrap();
    let options = ReplayOptions::default().with_jobs(2);
    let mut replay = options.start().with_calls(true);
    let mut calls = Vec::new();
    let sources = vec![Source::open(&path).unwrap()];
    replay::replay_sources(sources, &options, &mut replay, |replay, _| {
        calls.extend(replay.take_calls());
        Ok(())
    })
    .unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(calls, truth);
}

#[test]
fn calls_are_written_as_the_simulator_writes_its_truth() {
    let config = Config {
        agents: 5,
        records: 2_000,
        seed: 9,
        ..Config::default()
    };
    let mut log = Vec::new();
    let mut truth = Vec::new();
    let sim = Simulator::new(&config).unwrap().realistic();
    simulate::write_simulator(sim, &mut log, None, Some(&mut truth)).unwrap();
    let mut replay = Replay::default().with_calls(true);
    let mut written = Vec::new();
    for line in log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        replay.feed(Line::Text(line));
        for call in replay.take_calls() {
            written.extend_from_slice(call.to_json().as_bytes());
            written.push(b'\n');
        }
    }
    for call in replay.open_calls() {
        written.extend_from_slice(call.to_json().as_bytes());
        written.push(b'\n');
    }
    assert_eq!(
        String::from_utf8(written).unwrap(),
        String::from_utf8(truth).unwrap()
    );
}

#[test]
fn report_with_calls_hands_out_every_call_finished_or_open() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lossy.jsonl");
    let mut calls = Vec::new();
    let mut rejections = 0;
    let (summary, call_summary) = ReplayOptions::default()
        .open(&[fixture])
        .unwrap()
        .report_with_calls(
            |_, _| {
                rejections += 1;
                Ok(())
            },
            |call| {
                calls.push(call);
                Ok(())
            },
        )
        .unwrap();
    assert!(rejections > 0);
    assert_eq!(summary.open_calls, call_summary.open);
    assert_eq!(
        calls.len() as u64,
        call_summary.finished + call_summary.open
    );
    assert!(call_summary.repaired > 0, "{call_summary:?}");
    assert_eq!(
        call_summary.clean + call_summary.repaired,
        call_summary.finished
    );
}

#[test]
fn the_bindings_fixture_is_what_the_library_writes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let mut written = String::new();
    ReplayOptions::default()
        .open(&[format!("{dir}clean.jsonl")])
        .unwrap()
        .report_with_calls(
            |_, _| Ok(()),
            |call| {
                written.push_str(&call.to_json());
                written.push('\n');
                Ok(())
            },
        )
        .unwrap();
    let fixture = std::fs::read_to_string(format!("{dir}clean.calls.expected.jsonl")).unwrap();
    assert_eq!(written, fixture);
}

#[test]
fn the_specs_example_is_what_replay_gives() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/spec.md");
    let text = std::fs::read_to_string(path).unwrap();
    let example = &text[text.find("Example: this log").unwrap()..];
    let blocks: Vec<&str> = example
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| b.split_once('\n').unwrap().1)
        .take(3)
        .collect();
    let (log, calls, human) = (blocks[0], blocks[1], blocks[2]);
    let mut replay = Replay::default()
        .with_mode(callstate::Mode::Resync)
        .with_calls(true);
    let mut written = String::new();
    for line in log.lines() {
        replay.feed(Line::Text(line.as_bytes()));
        for call in replay.take_calls() {
            written.push_str(&call.to_json());
            written.push('\n');
        }
    }
    assert_eq!(written, calls);
    let mut out = Vec::new();
    replay
        .call_summary()
        .unwrap()
        .write_human(&mut out)
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), human);
}
