//! Properties of resync (SPEC §8) over generated logs: strict mode is v1, resync
//! agrees with strict until the first rejection, a lost event costs a bounded
//! number of report lines, every agent can always take a new call, and a snapshot
//! taken mid-log changes nothing.

#![allow(clippy::result_large_err)]

use crate::proptest_config;
use callstate::replay::{Replay, Verdict};
use callstate::simulate::{Config, Format, Simulator};
use callstate::strategies::*;
use callstate::wire::input::Line;
use callstate::{
    Accepted, Availability, Engine, Event, Mode, Record, Rejection, RejectionKind, Repair,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn config(cases: u32) -> ProptestConfig {
    proptest_config::config(cases, "proptest-regressions/resync.txt")
}

/// Several agents' faulty traces, and random records mixed in.
fn any_log() -> impl Strategy<Value = Vec<OwnedRecord>> {
    prop_oneof![
        3 => interleaved_faulty_log(1..4, 0..40)
            .prop_map(|log| log.into_iter().map(|(r, _)| r).collect()),
        1 => prop::collection::vec(any_record(), 0..60),
    ]
}

fn verdict(v: &Verdict) -> Option<Result<Accepted, RejectionKind>> {
    match v {
        Verdict::Blank => None,
        Verdict::Accepted(t) => Some(Ok(*t)),
        Verdict::NotAccepted(r) => Some(Err(r.kind())),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn resync_agrees_with_strict_until_the_first_rejection(log in any_log()) {
        let mut strict = Replay::new(Availability::Ready);
        let mut resync = Replay::new(Availability::Ready).with_mode(Mode::Resync);
        for r in &log {
            let line = r.to_json_line();
            let s = strict.feed(Line::Text(line.as_bytes()));
            let y = resync.feed(Line::Text(line.as_bytes()));
            prop_assert_eq!(verdict(&s), verdict(&y), "{}", line);
            if let Verdict::NotAccepted(r) = &s {
                if r.kind().counts_as_rejected() {
                    let Verdict::NotAccepted(y) = &y else { unreachable!() };
                    prop_assert!(y.repair().is_some());
                    break;
                }
                prop_assert!(r.repair().is_none());
            }
        }
    }

    #[test]
    fn after_resync_every_agent_can_take_a_new_call(log in any_log()) {
        let mut engine = Engine::new().with_mode(Mode::Resync);
        for r in &log {
            let _ = engine.apply(&r.record());
        }
        let agents: Vec<String> = engine.agents().map(|(a, _)| a.to_owned()).collect();
        for agent in agents {
            let mut e = engine.clone();
            let offer = Record::new(&agent, Event::OfferContact).interaction("a-new-call");
            match e.apply(&offer) {
                Ok(_) => {}
                Err(r) => prop_assert!(
                    matches!(r.repair(), Some(Repair::Infer { .. })),
                    "{agent}: {r} ({:?})", r.repair()
                ),
            }
            prop_assert_eq!(e.agent(&agent).and_then(|m| m.interaction()), Some("a-new-call"));
        }
    }

    #[test]
    fn a_resync_snapshot_mid_log_changes_nothing(log in any_log(), cut in any::<prop::sample::Index>()) {
        let cut = cut.index(log.len() + 1);
        let mut whole = Engine::new().with_mode(Mode::Resync);
        for r in &log[..cut] {
            let _ = whole.apply(&r.record());
        }
        let mut restored = Engine::from_snapshot_json(&whole.to_snapshot_json()).unwrap();
        prop_assert_eq!(&restored, &whole);
        for r in &log[cut..] {
            let a: Result<Accepted, Rejection> = whole.apply(&r.record());
            let b = restored.apply(&r.record());
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(restored.to_snapshot_json(), whole.to_snapshot_json());
    }
}

/// Each agent's records of a clean simulated log of agent-days, as native lines.
fn agent_days(agents: usize, records: u64, seed: u64) -> BTreeMap<String, Vec<String>> {
    let config = Config {
        agents,
        records,
        seed,
        faults: 0.0,
        loss: 0.0,
        format: Format::Native,
        initial: Availability::Ready,
    };
    let mut simulator = Simulator::new(&config).unwrap();
    let mut by_agent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(line) = simulator.next_line() {
        let line = String::from_utf8(line.to_vec()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        let agent = value["agent"].as_str().unwrap().to_owned();
        by_agent.entry(agent).or_default().push(line);
    }
    by_agent
}

/// How many report lines an agent's day costs with record `deleted` lost.
fn lines_with_one_lost(day: &[Record<'_>], deleted: usize) -> usize {
    let mut engine = Engine::new().with_mode(Mode::Resync);
    day.iter()
        .enumerate()
        .filter(|(i, r)| *i != deleted && engine.apply(r).is_err())
        .count()
}

/// SPEC §8's promise, measured: a legal day with one record deleted costs that
/// agent at most 5 report lines, and at most 2 in more than 99% of deletions.
///
/// Beyond 2 (3 of these 6,000: 1,604 cost 0 lines, 4,326 one, 67 two): a lost
/// offer followed by records that name no interaction (a native record may
/// leave it out, meaning "the current call"). With no call held, R9 skips each
/// of them — there is no call to attach them to — until one names the call;
/// R8 then infers the lost start. The bound holds because the simulator
/// leaves the interaction out of at most a few records in a row.
///
/// v3 (SPEC §3.2, §8) adds one line in rare cases (1 of these 6,000): a lost
/// offer whose first record naming the call is a consult end (E15). The
/// shortest run after which E15 passes is `AgentAvailable`, `AgentOfferConsult`
/// — as a consulted agent E15 ends the leg — so the call is finished, and its
/// later records are R2 skips (or late notifications, §3.4) instead of
/// applying to the call.
// A line per record that names no call is the price of R9: inferring a call for
// a record that names none would invent an interaction id.
#[test]
fn one_lost_event_costs_an_agent_at_most_five_report_lines() {
    let lines = agent_days(50, 50_000, 11);
    // Parsed once; each deletion then replays an agent's records.
    let wires: Vec<Vec<_>> = lines
        .values()
        .map(|day| {
            day.iter()
                .map(|l| callstate::wire::parse_str(l).unwrap())
                .collect()
        })
        .collect();
    let days: Vec<Vec<Record<'_>>> = wires
        .iter()
        .map(|day| day.iter().map(|w| w.record().unwrap()).collect())
        .collect();
    let mut histogram = [0usize; 64];
    let mut state = 0x1234_5678_u64;
    for day in &days {
        assert_eq!(
            lines_with_one_lost(day, usize::MAX),
            0,
            "a clean day is clean"
        );
    }
    for _ in 0..6_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let day = &days[(state >> 33) as usize % days.len()];
        let deleted = (state >> 11) as usize % day.len();
        let cost = lines_with_one_lost(day, deleted);
        histogram[cost.min(63)] += 1;
    }
    let beyond_two: usize = histogram[3..].iter().sum();
    eprintln!("report lines per deletion: {:?}", &histogram[..8]);
    assert_eq!(histogram[6..].iter().sum::<usize>(), 0, "{histogram:?}");
    assert!(beyond_two * 100 < 6_000, "{histogram:?}");
    assert!(
        histogram[1] > histogram[2] * 10,
        "most losses cost one line: {histogram:?}"
    );
}
