//! Simulated time faults against the library: `Replay::with_time` and an
//! `Engine` fed the same records then advanced to the last time report exactly
//! the findings [`Simulator::take_findings_truth`] gives.

use callstate::replay::{Replay, Verdict};
use callstate::simulate::{Config, FindingTruth, Simulator};
use callstate::wire::input::Line;
use callstate::{Availability, Engine, Finding, FindingKind, TimeRules};
use std::collections::BTreeSet;

type Key = (String, String, String, String);

fn day() -> (Vec<Vec<u8>>, Vec<FindingTruth>) {
    let config = Config {
        agents: 20,
        records: 10_000,
        seed: 77,
        ..Config::default()
    };
    let mut sim = Simulator::new(&config)
        .unwrap()
        .realistic()
        .with_time_faults(0.2);
    let mut lines = Vec::new();
    while let Some(line) = sim.next_line() {
        lines.push(line.to_vec());
    }
    (lines, sim.take_findings_truth())
}

fn truth_keys(truth: &[FindingTruth], only: Option<&str>) -> BTreeSet<Key> {
    truth
        .iter()
        .filter(|f| only.is_none_or(|k| f.finding == k))
        .map(|f| {
            let s = |x: &str| x.to_owned();
            (s(f.finding), s(&f.agent), s(&f.interaction), s(f.state))
        })
        .collect()
}

fn key(f: &Finding) -> Key {
    (
        f.kind.name().to_owned(),
        f.agent.clone(),
        f.interaction.clone().unwrap_or_default(),
        f.phase.to_string(),
    )
}

#[test]
fn replay_with_time_finds_exactly_the_simulated_findings() {
    let (lines, truth) = day();
    for kind in ["late", "early", "overdue"] {
        assert!(truth.iter().any(|f| f.finding == kind), "no {kind}");
    }
    let mut replay = Replay::new(Availability::Ready).with_time(TimeRules::default());
    let mut found = Vec::new();
    for line in &lines {
        let verdict = replay.feed(Line::Text(line));
        assert!(!matches!(verdict, Verdict::NotAccepted(_)));
        found.extend(replay.take_findings().iter().map(key));
    }
    assert_eq!(found.len(), truth.len());
    assert_eq!(
        found.into_iter().collect::<BTreeSet<_>>(),
        truth_keys(&truth, None)
    );
}

#[test]
fn engine_advance_gives_the_same_overdue_findings() {
    let (lines, truth) = day();
    let mut engine = Engine::new().with_time(TimeRules::default());
    let mut overdue = Vec::new();
    for line in &lines {
        assert!(callstate::replay::apply_line(&mut engine, line).is_ok());
        overdue.extend(
            engine
                .take_findings()
                .iter()
                .filter(|f| f.kind == FindingKind::Overdue)
                .map(key),
        );
    }
    let last = engine.clock().unwrap();
    overdue.extend(engine.advance(last).iter().map(key));
    assert_eq!(overdue.len(), truth_keys(&truth, Some("overdue")).len());
    assert_eq!(
        overdue.into_iter().collect::<BTreeSet<_>>(),
        truth_keys(&truth, Some("overdue"))
    );
}
