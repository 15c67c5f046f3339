//! Property tests of the engine, the machine and replay, driven by the strategies of
//! `callstate::strategies` (feature `proptest`).
//!
//! Failing cases are persisted in `proptest-regressions/properties.txt` (relative to
//! the package root, where `cargo test` runs integration tests) and replayed first
//! on every later run. `PROPTEST_CASES=n` overrides every property's case count.

// Results of Engine::apply are kept whole, to compare.
#![allow(clippy::result_large_err)]

use crate::proptest_config;
use crate::spec_table;
use callstate::replay::{Replay, Verdict};
use callstate::strategies::*;
use callstate::wire::input::Line;
use callstate::MachineState;
use callstate::{Accepted, Availability, Engine, Machine, Phase, Rejection, RejectionKind};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

fn config(cases: u32) -> ProptestConfig {
    proptest_config::config(cases, "proptest-regressions/properties.txt")
}

/// The kind of a result, `None` when accepted.
fn kind(result: &Result<Accepted, Rejection>) -> Option<RejectionKind> {
    result.as_ref().err().map(Rejection::kind)
}

/// The kind of a replay verdict: `None` accepted, `Some(None)` blank.
fn verdict_kind(v: &Verdict) -> Option<Option<RejectionKind>> {
    match v {
        Verdict::Blank => None,
        Verdict::Accepted(_) => Some(None),
        Verdict::NotAccepted(r) => Some(Some(r.kind())),
    }
}

fn strip(log: FaultyTrace) -> Vec<OwnedRecord> {
    log.into_iter().map(|(r, _)| r).collect()
}

/// Logs of every sort for the properties that hold for any input: several agents'
/// faulty traces (deep into calls, faults rejected), random records, and faulty
/// traces with random records of the same agents mixed in (which may derail them).
fn mixed_log() -> impl Strategy<Value = Vec<OwnedRecord>> {
    let derailed = (
        interleaved_faulty_log(1..4, 0..30),
        prop::collection::vec((any::<Index>(), any::<Index>(), any_record()), 0..10),
    )
        .prop_map(|(log, junk)| {
            let mut log = strip(log);
            let agents: Vec<String> = log
                .iter()
                .map(|r| r.agent.clone())
                .filter(|a| !a.is_empty())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            for (at, who, mut r) in junk {
                if !agents.is_empty() && !r.agent.is_empty() {
                    r.agent = who.get(&agents).clone();
                }
                log.insert(at.index(log.len() + 1), r);
            }
            log
        });
    prop_oneof![
        2 => interleaved_faulty_log(1..4, 0..40).prop_map(strip),
        1 => prop::collection::vec(any_record(), 0..60),
        2 => derailed,
    ]
}

// ---------------------------------------------------------------------------------
// The strategies themselves.

#[test]
fn strategies_reach_every_phase_and_every_rejection_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use strum::IntoEnumIterator;

    let mut runner = TestRunner::deterministic();
    let mut phases = BTreeSet::new();
    let mut roles = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let mut late = 0;
    for _ in 0..200 {
        let log = interleaved_faulty_log(1..3, 1..40)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut engine = Engine::new();
        for (r, expected) in &log {
            kinds.extend(*expected);
            match engine.apply(&r.record()) {
                Ok(Accepted::Unchanged(u)) if u.why == callstate::Unchange::Late => late += 1,
                Ok(_) => {
                    phases.insert(engine.phase_of(&r.agent));
                    roles.extend(engine.agent(&r.agent).map(|a| a.role()));
                }
                Err(_) => {}
            }
        }
    }
    assert_eq!(phases, Phase::iter().collect(), "phases reached");
    // SPEC v3: both roles (§1), and late notifications of a finished call (§3.4).
    assert_eq!(roles, callstate::Role::iter().collect(), "roles reached");
    assert!(late > 0, "late notifications");
    assert_eq!(kinds, RejectionKind::iter().collect(), "kinds injected");
}

proptest! {
    #![proptest_config(config(128))]

    /// Legal traces look like the strategies say: one `agent-XXXX`, strictly
    /// increasing times, a fresh UUID-like interaction for every call.
    #[test]
    fn legal_traces_are_well_formed(trace in legal_trace(0..80)) {
        let mut engine = Engine::new();
        let mut calls = BTreeSet::new();
        let mut last = None;
        for r in &trace {
            prop_assert_eq!(&r.agent, &trace[0].agent);
            prop_assert!(r.agent.len() == 10 && r.agent.starts_with("agent-"));
            prop_assert!(r.agent[6..].chars().all(|c| c.is_ascii_hexdigit()));
            let t = r.time.expect("every legal record has a time");
            prop_assert!(last < Some(t), "times strictly increase");
            last = Some(t);
            let transition = engine.apply(&r.record()).unwrap();
            if transition.transition().is_some_and(|t| t.bound_call()) {
                let id = r.interaction.clone().unwrap();
                prop_assert_eq!(id.len(), 36);
                prop_assert_eq!(id.matches('-').count(), 4);
                prop_assert!(calls.insert(id), "a fresh interaction per call");
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// 1. A legal trace is accepted in full, by the Machine and by the Engine.

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn legal_trace_is_accepted_by_machine_and_engine(trace in legal_trace(0..80)) {
        let mut machine = Machine::new();
        let mut engine = Engine::new();
        for r in &trace {
            let event = r.event().expect("known event");
            let by_machine = machine.step(event, r.interaction.as_deref(), r.time);
            prop_assert!(by_machine.is_ok(), "machine rejected {:?}: {:?}", r, by_machine);
            let by_engine = engine.apply(&r.record());
            prop_assert!(by_engine.is_ok(), "engine rejected {:?}: {:?}", r, by_engine);
            prop_assert_eq!(by_machine.unwrap(), by_engine.unwrap());
        }
        if let Some(first) = trace.first() {
            prop_assert_eq!(engine.agent(&first.agent), Some(&machine));
            prop_assert_eq!(engine.open_calls(), usize::from(machine.has_call()));
        }
    }

    #[test]
    fn interleaved_log_is_accepted_by_machines_and_engine(log in interleaved_log(1..5, 0..40)) {
        let mut machines: HashMap<&str, Machine> = HashMap::new();
        let mut engine = Engine::new();
        for r in &log {
            let event = r.event().expect("known event");
            let machine = machines.entry(&r.agent).or_default();
            let by_machine = machine.step(event, r.interaction.as_deref(), r.time);
            prop_assert!(by_machine.is_ok(), "machine rejected {:?}: {:?}", r, by_machine);
            let by_engine = engine.apply(&r.record());
            prop_assert!(by_engine.is_ok(), "engine rejected {:?}: {:?}", r, by_engine);
        }
        for (agent, machine) in &machines {
            prop_assert_eq!(engine.agent(agent), Some(machine));
        }
        prop_assert_eq!(engine.open_calls(), machines.values().filter(|m| m.has_call()).count());
    }
}

// ---------------------------------------------------------------------------------
// 2. A rejection never changes state.

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_rejection_changes_nothing(log in mixed_log()) {
        let mut engine = Engine::new();
        for r in &log {
            let before = engine.clone();
            let before_json = engine.to_snapshot_json();
            let open_before = engine.open_calls();
            let known = engine.agent(&r.agent).is_some();

            // The machine alone: a rejected step leaves it exactly as it was.
            if let (Some(event), false) = (r.event(), r.agent.is_empty()) {
                let machine = engine.agent(&r.agent).cloned().unwrap_or_default();
                let mut stepped = machine.clone();
                if stepped.step(event, r.interaction.as_deref(), r.time).is_err() {
                    prop_assert_eq!(&stepped, &machine);
                }
            }

            let Err(rejection) = engine.apply(&r.record()) else { continue };
            prop_assert_eq!(engine.open_calls(), open_before);
            let mut after = engine.snapshot();
            if !known && rejection.kind() != RejectionKind::Malformed {
                // The engine now knows the agent (SPEC §7 counts the agents of every
                // record that is not malformed), still in its initial state.
                prop_assert_eq!(
                    after.agents.remove(&r.agent),
                    Some(MachineState::from(Machine::new())),
                    "a new agent is registered in its initial state"
                );
            } else {
                prop_assert_eq!(&engine, &before);
            }
            prop_assert_eq!(serde_json::to_string(&after).unwrap(), before_json);
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// `apply_all` is `apply` on each record in turn: same results, same engine.
    /// (With these few agents it takes its plain path; the prefetching path, used
    /// past 2 MiB of agent table, is checked by `engine`'s unit tests.)
    #[test]
    fn apply_all_equals_apply_one_by_one(log in mixed_log()) {
        let records: Vec<_> = log.iter().map(OwnedRecord::record).collect();
        let mut one_by_one = Engine::new();
        let expected: Vec<_> = records.iter().map(|r| one_by_one.apply(r)).collect();
        let mut all = Engine::new();
        let mut got = Vec::new();
        all.apply_all(&records, |r, result| got.push((r.agent.to_owned(), result)));
        prop_assert_eq!(got.len(), expected.len());
        for ((agent, got), (record, expected)) in got.iter().zip(records.iter().zip(&expected)) {
            prop_assert_eq!(agent.as_str(), record.agent);
            prop_assert_eq!(got, expected);
        }
        prop_assert_eq!(all.open_calls(), one_by_one.open_calls());
        prop_assert_eq!(all, one_by_one);
    }
}

// ---------------------------------------------------------------------------------
// 3. Snapshot and restore mid-trace changes nothing.

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn snapshot_and_restore_mid_trace_changes_nothing(
        log in mixed_log(),
        cuts in prop::collection::vec(any::<Index>(), 1..4),
        idle in any::<bool>(),
    ) {
        let initial = if idle { Availability::Idle } else { Availability::Ready };
        let cuts: BTreeSet<usize> = cuts.iter().map(|c| c.index(log.len() + 1)).collect();
        let run = |cuts: &BTreeSet<usize>| {
            let mut engine = Engine::starting(initial);
            let mut results = Vec::new();
            for i in 0..=log.len() {
                if cuts.contains(&i) {
                    let json = engine.to_snapshot_json();
                    engine = Engine::from_snapshot_json(&json).expect("own snapshot restores");
                }
                if let Some(r) = log.get(i) {
                    results.push(engine.apply(&r.record()));
                }
            }
            (results, engine)
        };
        let (straight, at_end) = run(&BTreeSet::new());
        let (restored, at_end_restored) = run(&cuts);
        prop_assert_eq!(straight, restored);
        prop_assert_eq!(&at_end, &at_end_restored);
        prop_assert_eq!(at_end.open_calls(), at_end_restored.open_calls());
        prop_assert_eq!(at_end.to_snapshot_json(), at_end_restored.to_snapshot_json());
    }
}

// ---------------------------------------------------------------------------------
// 4. Replaying a log's lines equals applying its records one by one.

/// The record as a line in one of several forms that SPEC §5 says mean the same.
fn render(r: &OwnedRecord, style: u8) -> String {
    let interaction = r.interaction.as_deref();
    match style % 6 {
        0 => r.to_json_line(),
        // Native with null for absent fields, unknown fields, a `data` without
        // `type` and a `message.call` that is null (neither makes another shape).
        1 => json!({
            "time": r.time,
            "interaction": interaction,
            "event": r.event,
            "agent": r.agent,
            "mode": "preview",
            "CallVariables": [{"event": "acw", "agent": "not-this-one"}],
            "data": {"agentId": "not-this-one"},
            "message": {"call": null},
        })
        .to_string(),
        // A line ending in \r\n, the \n taken off by the reader.
        2 => format!("{}\r", r.to_json_line()),
        3 => json!({
            "data": {
                "type": r.event,
                "agentId": r.agent,
                "interactionId": interaction,
                "eventTime": r.time,
            },
        })
        .to_string(),
        4 => json!({
            "channel": "Webexcc",
            "message": {"source": "event", "call": {
                "event": r.event,
                "ResponseActual": {"data": {
                    "agentId": r.agent,
                    "interactionId": interaction,
                    "eventTime": r.time,
                }},
            }},
        })
        .to_string(),
        // Envelope whose interaction comes from message.call.id.
        _ => json!({
            "message": {"call": {
                "id": interaction,
                "event": r.event,
                "ResponseActual": {"data": {
                    "agentId": r.agent,
                    "interactionId": null,
                    "eventTime": r.time,
                }},
            }},
        })
        .to_string(),
    }
}

const REJECTED: [RejectionKind; 6] = [
    RejectionKind::OutOfOrder,
    RejectionKind::AgentBusy,
    RejectionKind::InteractionMismatch,
    RejectionKind::AgentNotReady,
    RejectionKind::NoActiveCall,
    RejectionKind::IllegalTransition,
];

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn replay_equals_applying_records_one_by_one(
        log in mixed_log(),
        styles in prop::collection::vec(any::<u8>(), 1..8),
        blanks in prop::collection::vec(
            (any::<Index>(), prop::sample::select(vec!["", " ", "\t", "\r", "  \t "])),
            0..4,
        ),
    ) {
        // Lines: each record in some style, blank lines here and there.
        let mut lines: Vec<(Option<usize>, String)> = log
            .iter()
            .enumerate()
            .map(|(i, r)| (Some(i), render(r, styles[i % styles.len()])))
            .collect();
        for (at, blank) in &blanks {
            lines.insert(at.index(lines.len() + 1), (None, blank.to_string()));
        }

        let mut replay = Replay::default();
        let mut engine = Engine::new();
        let mut expected = Vec::new();
        for r in &log {
            expected.push(engine.apply(&r.record()));
        }
        for (which, line) in &lines {
            let verdict = replay.feed(Line::Text(line.as_bytes()));
            let Some(i) = *which else {
                prop_assert!(matches!(verdict, Verdict::Blank), "{:?} is blank", line);
                continue;
            };
            match (&verdict, &expected[i]) {
                (Verdict::Accepted(got), Ok(want)) => prop_assert_eq!(got, want, "{}", line),
                (Verdict::NotAccepted(got), Err(want)) if want.kind() == RejectionKind::Malformed => {
                    // Malformed records say which field was wrong in the wire's terms.
                    prop_assert_eq!(got.kind(), RejectionKind::Malformed, "{}", line);
                }
                (Verdict::NotAccepted(got), Err(want)) => prop_assert_eq!(got, want, "{}", line),
                (got, want) => prop_assert!(false, "{}: replay {:?}, engine {:?}", line, got, want),
            }
        }

        // The summary, counted here from SPEC §7's definitions.
        let count = |k: RejectionKind| expected.iter().filter(|e| kind(e) == Some(k)).count() as u64;
        let summary = replay.summary();
        prop_assert_eq!(summary.records, log.len() as u64);
        prop_assert_eq!(summary.accepted, expected.iter().filter(|e| e.is_ok()).count() as u64);
        prop_assert_eq!(summary.rejected, REJECTED.iter().map(|k| count(*k)).sum::<u64>());
        prop_assert_eq!(summary.unknown, count(RejectionKind::UnknownEvent));
        prop_assert_eq!(summary.malformed, count(RejectionKind::Malformed));
        let agents: BTreeSet<&str> = log
            .iter()
            .zip(&expected)
            .filter(|(_, e)| kind(e) != Some(RejectionKind::Malformed))
            .map(|(r, _)| r.agent.as_str())
            .collect();
        prop_assert_eq!(summary.agents, agents.len() as u64);
        let interactions: BTreeSet<&str> = log
            .iter()
            .zip(&expected)
            .filter(|(_, e)| e.is_ok())
            .filter_map(|(r, _)| r.interaction.as_deref())
            .collect();
        prop_assert_eq!(summary.interactions, interactions.len() as u64);
        let open = engine.agents().filter(|(_, m)| m.has_call()).count();
        prop_assert_eq!(summary.open_calls, open as u64);
        prop_assert_eq!(replay.engine(), &engine);
        prop_assert_eq!(replay.line(), lines.len() as u64);
    }
}

// ---------------------------------------------------------------------------------
// 5. The engine agrees with a reference model written from SPEC's text.

/// SPEC §1–§4 written out plainly, sharing nothing with the crate but strings:
/// its own names, its own table (a `match`), its own order of checks.
/// The reference model: SPEC §4's checks, in order, over the hand-written statement
/// of SPEC §3 that the exhaustive test also holds the table to.
mod model {
    use super::spec_table::{home, is_availability_event, is_late, is_offer, row, Call, Row};
    use callstate::{Availability, Event, EventName, Phase, Recording, Role};
    use std::collections::HashMap;

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Agent {
        pub phase: Phase,
        pub role: Role,
        pub recording: Recording,
        pub availability: Availability,
        pub interaction: Option<String>,
        pub finished: Option<String>,
        pub last_time: Option<i64>,
    }

    impl Agent {
        fn new() -> Agent {
            Agent {
                phase: Phase::Ready,
                role: Role::Owner,
                recording: Recording::Off,
                availability: Availability::Ready,
                interaction: None,
                finished: None,
                last_time: None,
            }
        }
    }

    #[derive(Debug, Default)]
    pub struct Model {
        pub agents: HashMap<String, Agent>,
    }

    impl Model {
        /// Applies a native record of a transition event (the strategies write no
        /// notices or snapshots); the kind's wire name when it is not accepted.
        pub fn apply(
            &mut self,
            agent: &str,
            name: &str,
            interaction: Option<&str>,
            time: Option<i64>,
        ) -> Result<(), &'static str> {
            let event = EventName::resolve(name).event();
            let offer = event.is_some_and(is_offer);
            // SPEC v3 §3.5: a snapshot (E34) needs an interaction id, like an offer.
            let snapshot = event == Some(Event::ContactSnapshot);
            if agent.is_empty()
                || interaction == Some("")
                || ((offer || snapshot) && interaction.is_none())
            {
                return Err("malformed");
            }
            let a = self
                .agents
                .entry(agent.to_owned())
                .or_insert_with(Agent::new);
            let Some(e) = event else {
                return Err("unknown_event");
            };
            if snapshot {
                // No other check applies; a native record carries no snapshot
                // fields, so the snapshot states no phase (SPEC v3 §3.5).
                return Err("illegal_transition");
            }
            if let (Some(t), Some(last)) = (time, a.last_time) {
                if t < last {
                    return Err("out_of_order");
                }
            }
            let holds = a.interaction.is_some();
            let names_other =
                holds && interaction.is_some() && interaction != a.interaction.as_deref();
            let found = row(a.phase, a.role, a.recording, a.availability, e);
            if offer && holds && (found.is_none() || names_other) {
                return Err("agent_busy");
            }
            if names_other && !is_availability_event(e) {
                return Err("interaction_mismatch");
            }
            if offer && a.phase == Phase::Idle {
                return Err("agent_not_ready");
            }
            if !offer && !is_availability_event(e) && !holds {
                let late =
                    interaction.is_some() && interaction == a.finished.as_deref() && is_late(e);
                if !late {
                    return Err("no_active_call");
                }
                a.last_time = time.or(a.last_time);
                return Ok(());
            }
            match found {
                None => return Err("illegal_transition"),
                Some(Row::Notice) => {}
                Some(Row::To(phase, role, recording, availability, call)) => {
                    (a.phase, a.role, a.recording, a.availability) =
                        (phase, role, recording, availability);
                    match call {
                        Call::Keep => {}
                        Call::Bind => a.interaction = interaction.map(str::to_owned),
                        Call::Clear => a.finished = a.interaction.take(),
                    }
                    debug_assert!(a.interaction.is_some() || a.phase == home(a.availability));
                }
            }
            a.last_time = time.or(a.last_time);
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn engine_agrees_with_the_reference_model(log in mixed_log()) {
        let mut engine = Engine::new();
        let mut model = model::Model::default();
        for r in &log {
            let got = engine.apply(&r.record());
            let want = model.apply(&r.agent, &r.event, r.interaction.as_deref(), r.time);
            prop_assert_eq!(
                kind(&got).map(RejectionKind::name),
                want.err(),
                "{:?} in {:?}",
                r,
                model.agents.get(&r.agent)
            );
            if let Ok(a) = &got {
                let canonical = callstate::EventName::resolve(&r.event).as_str();
                prop_assert_eq!(a.name(), canonical);
            }
            // The agent's whole state, after every record.
            let Some(m) = model.agents.get(&r.agent) else { continue };
            let e = engine.agent(&r.agent).expect("the engine knows the agent too");
            prop_assert_eq!(e.phase(), m.phase, "{:?}", r);
            prop_assert_eq!(e.role(), m.role, "{:?}", r);
            prop_assert_eq!(e.recording(), m.recording, "{:?}", r);
            prop_assert_eq!(e.availability(), m.availability, "{:?}", r);
            prop_assert_eq!(e.interaction(), m.interaction.as_deref(), "{:?}", r);
            prop_assert_eq!(e.finished(), m.finished.as_deref(), "{:?}", r);
            prop_assert_eq!(e.last_time(), m.last_time, "{:?}", r);
        }
        prop_assert_eq!(engine.len(), model.agents.len());
        let open = model.agents.values().filter(|a| a.interaction.is_some()).count();
        prop_assert_eq!(engine.open_calls(), open);
    }
}

// ---------------------------------------------------------------------------------
// 6. Arbitrary bytes never panic, and every record is accounted for.

#[derive(Debug, Clone)]
enum Input {
    Text(Vec<u8>),
    TooLong(u64),
}

/// A byte edit: insert, delete or replace at a position.
fn mutate(mut bytes: Vec<u8>, edits: &[(Index, u8, u8)]) -> Vec<u8> {
    for (at, op, byte) in edits {
        let i = at.index(bytes.len() + 1);
        match op % 3 {
            0 => bytes.insert(i, *byte),
            1 if i < bytes.len() => {
                bytes.remove(i);
            }
            _ if i < bytes.len() => bytes[i] = *byte,
            _ => bytes.push(*byte),
        }
    }
    bytes
}

fn any_input() -> impl Strategy<Value = Input> {
    let edited = (
        any_record(),
        any::<u8>(),
        prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 1..4),
    )
        .prop_map(|(r, style, edits)| Input::Text(mutate(render(&r, style).into_bytes(), &edits)));
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..80).prop_map(Input::Text),
        3 => edited,
        2 => (any_record(), any::<u8>()).prop_map(|(r, s)| Input::Text(render(&r, s).into_bytes())),
        1 => prop::collection::vec(prop::sample::select(b" \t\r\n\x0b\x0c".to_vec()), 0..5)
            .prop_map(Input::Text),
        1 => "\\PC{0,20}".prop_map(|s| Input::Text(s.into_bytes())),
        1 => (0usize..300, any::<bool>()).prop_map(|(n, arr)| {
            let (open, close) = if arr { ("[", "]") } else { ("{\"a\":", "}") };
            Input::Text(format!("{}1{}", open.repeat(n), close.repeat(n)).into_bytes())
        }),
        1 => any::<u64>().prop_map(Input::TooLong),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_lines_never_panic_and_every_record_is_counted(
        inputs in prop::collection::vec(any_input(), 0..40),
    ) {
        let mut replay = Replay::default();
        let mut by_kind: HashMap<Option<RejectionKind>, u64> = HashMap::new();
        for input in &inputs {
            let verdict = match input {
                Input::Text(bytes) => replay.feed(Line::Text(bytes)),
                Input::TooLong(n) => replay.feed(Line::TooLong(*n)),
            };
            // Blank is exactly (SPEC v2 §7): empty, or only spaces, tabs and
            // carriage returns. Any other line is a record.
            if let Input::Text(bytes) = input {
                let blank = bytes.iter().all(|b| b" \t\r".contains(b));
                prop_assert_eq!(matches!(verdict, Verdict::Blank), blank, "{:?}", bytes);
            } else {
                prop_assert_eq!(verdict_kind(&verdict), Some(Some(RejectionKind::Malformed)));
            }
            if let Verdict::NotAccepted(r) = &verdict {
                // SPEC §7: `state` is null exactly for malformed records.
                prop_assert_eq!(r.state().is_none(), r.kind() == RejectionKind::Malformed, "{:?}", r);
            }
            if let Some(k) = verdict_kind(&verdict) {
                *by_kind.entry(k).or_default() += 1;
            }
        }
        let s = replay.summary();
        let n = |k: Option<RejectionKind>| by_kind.get(&k).copied().unwrap_or(0);
        prop_assert_eq!(s.records, by_kind.values().sum::<u64>());
        prop_assert_eq!(s.records, s.accepted + s.rejected + s.unknown + s.malformed);
        prop_assert_eq!(s.accepted, n(None));
        prop_assert_eq!(s.unknown, n(Some(RejectionKind::UnknownEvent)));
        prop_assert_eq!(s.malformed, n(Some(RejectionKind::Malformed)));
        prop_assert_eq!(s.rejected, REJECTED.iter().map(|k| n(Some(*k))).sum::<u64>());
        prop_assert_eq!(replay.line(), inputs.len() as u64);
    }
}

// ---------------------------------------------------------------------------------
// 7. Faulty traces: each fault gets exactly its kind, everything else is accepted.

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn each_fault_gets_its_kind_from_the_engine_and_replay(log in interleaved_faulty_log(1..4, 1..40)) {
        let mut engine = Engine::new();
        let mut replay = Replay::default();
        for (r, expected) in &log {
            let got = engine.apply(&r.record());
            prop_assert_eq!(kind(&got), *expected, "engine, {:?}: {:?}", r, got);
            let line = r.to_json_line();
            let verdict = replay.feed(Line::Text(line.as_bytes()));
            prop_assert_eq!(verdict_kind(&verdict), Some(*expected), "replay, {}", line);
        }
    }

    #[test]
    fn each_fault_gets_its_kind_from_the_machine(trace in faulty_trace(1..60)) {
        let mut machine = Machine::new();
        for (r, expected) in &trace {
            // The machine sees one agent's known events; the rest is the engine's.
            let Some(event) = r.event() else { continue };
            if r.agent.is_empty() {
                continue;
            }
            let got = machine.step(event, r.interaction.as_deref(), r.time);
            prop_assert_eq!(kind(&got), *expected, "{:?}: {:?}", r, got);
        }
    }
}
