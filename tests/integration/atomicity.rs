//! SPEC §4: "A rejected event changes nothing: phase, recording, availability,
//! interaction and last event time are exactly as before."
//!
//! For every possible agent state, every event (and unknown names), every shape of
//! interaction and time: when `apply` fails, the agent's whole state, the engine's
//! open calls and its snapshot JSON are byte-identical before and after; and the
//! engine then behaves exactly like one that never saw the record.

use callstate::{
    Availability, Engine, Event, EventName, Machine, MachineState, Phase, Record, Recording,
    Snapshot,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

const AGENT: &str = "target";
const LAST: i64 = 1_000;

fn is_live(p: Phase) -> bool {
    matches!(
        p,
        Phase::Connected | Phase::Hold | Phase::Consulting | Phase::Consult | Phase::Conference
    )
}

fn holds_call(p: Phase) -> bool {
    !matches!(p, Phase::Idle | Phase::Ready)
}

fn availability_phase(a: Availability) -> Phase {
    match a {
        Availability::Ready => Phase::Ready,
        Availability::Idle => Phase::Idle,
    }
}

/// Every state SPEC §1 allows, with and without a last time.
fn possible_states() -> Vec<MachineState> {
    let mut states = Vec::new();
    for phase in Phase::iter() {
        for recording in Recording::iter() {
            if recording != Recording::Off
                && !(is_live(phase) || matches!(phase, Phase::Ended | Phase::WrapUp))
            {
                continue;
            }
            for availability in Availability::iter() {
                // With no call, the phase is the availability's.
                if !holds_call(phase) && phase != availability_phase(availability) {
                    continue;
                }
                for last_time in [None, Some(LAST)] {
                    states.push(MachineState {
                        role: callstate::Role::Owner,
                        phase,
                        recording,
                        availability,
                        interaction: holds_call(phase).then(|| "call-1".to_owned()),
                        last_time,
                        last_event: None,
                        finished: None,
                    });
                }
            }
        }
    }
    states
}

/// An engine with the target agent in `state` and two bystanders.
fn engine_with(state: &MachineState) -> Engine {
    let bystander_call = MachineState {
        role: callstate::Role::Owner,
        phase: Phase::Hold,
        recording: Recording::Paused,
        availability: Availability::Idle,
        interaction: Some("call-b".to_owned()),
        last_time: Some(5),
        last_event: None,
        finished: None,
    };
    let bystander_idle = MachineState {
        role: callstate::Role::Owner,
        phase: Phase::Idle,
        recording: Recording::Off,
        availability: Availability::Idle,
        interaction: None,
        last_time: None,
        last_event: None,
        finished: None,
    };
    Engine::restore(Snapshot {
        version: Snapshot::VERSION,
        initial: Availability::Ready,
        mode: callstate::Mode::Strict,
        agents: BTreeMap::from([
            (AGENT.to_owned(), state.clone()),
            ("b".to_owned(), bystander_call),
            ("c".to_owned(), bystander_idle),
        ]),
    })
    .expect("possible states restore")
}

fn agent_state(engine: &Engine, agent: &str) -> Option<MachineState> {
    engine.agent(agent).cloned().map(MachineState::from)
}

/// Everything observable about an engine.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    target: Option<MachineState>,
    open_calls: usize,
    len: usize,
    snapshot: Snapshot,
}

fn observe(engine: &Engine) -> Observed {
    Observed {
        target: agent_state(engine, AGENT),
        open_calls: engine.open_calls(),
        len: engine.len(),
        snapshot: engine.snapshot(),
    }
}

/// The names tried: every event by its canonical name, one alias per event in odd
/// case, and unknown names.
fn names() -> Vec<String> {
    let mut names: Vec<String> = Event::iter().map(|e| e.name().to_owned()).collect();
    for e in Event::iter() {
        if let Some(alias) = e.aliases().next() {
            names.push(alias.to_ascii_uppercase());
        }
    }
    names.extend(["Swapped", "AgentStateChange", ""].map(str::to_owned));
    names
}

/// What a follow-up probe gives: for every event, the target's state after it was
/// accepted, or the rejection kind.
fn probe(engine: &Engine) -> Vec<Result<Option<MachineState>, callstate::RejectionKind>> {
    Event::iter()
        .map(|e| {
            let mut e2 = engine.clone();
            e2.apply(&Record::new(AGENT, e).interaction("call-1").at(LAST))
                .map(|_| agent_state(&e2, AGENT))
                .map_err(|r| r.kind())
        })
        .collect()
}

#[test]
fn a_rejected_record_changes_nothing_in_any_state() {
    let names = names();
    let mut rejected = 0;
    let mut accepted = 0;
    for state in possible_states() {
        let pristine = engine_with(&state);
        let pristine_probe = probe(&pristine);
        let before = observe(&pristine);
        let before_json = pristine.to_snapshot_json();
        assert_eq!(before.target.as_ref(), Some(&state));
        // Reused while records are rejected (they change nothing, as checked), and
        // replaced by a fresh copy after an accepted one.
        let mut engine = pristine.clone();
        for name in &names {
            for interaction in [None, Some("call-1"), Some("call-2"), Some("")] {
                for time in [None, Some(LAST - 1), Some(LAST + 1)] {
                    let mut record = Record::new(AGENT, EventName::resolve(name));
                    record.interaction = interaction;
                    record.time = time;
                    match engine.apply(&record) {
                        Ok(_) => {
                            accepted += 1;
                            engine = pristine.clone();
                        }
                        Err(r) => {
                            rejected += 1;
                            assert_eq!(
                                observe(&engine),
                                before,
                                "{record:?} in {state:?} rejected ({r}) but changed the engine"
                            );
                            // The JSON too, byte for byte (sampled: serializing is the
                            // slow part of this test in a debug build).
                            if rejected % 3 == 0 {
                                assert_eq!(engine.to_snapshot_json(), before_json, "{record:?}");
                            }
                            // Rejected records leave no trace in later behaviour.
                            if rejected % 17 == 0 {
                                assert_eq!(probe(&engine), pristine_probe, "{record:?}");
                            }
                        }
                    }
                }
            }
        }
    }
    // States × names × 4 interactions × 3 times.
    assert_eq!(
        accepted + rejected,
        possible_states().len() * names.len() * 12
    );
    assert!(
        accepted > 1_000 && rejected > 10_000,
        "{accepted} / {rejected}"
    );
}

#[test]
fn a_rejected_step_leaves_the_machine_equal() {
    let mut rejected = 0;
    for state in possible_states() {
        let pristine = Machine::try_from(state.clone()).unwrap();
        for e in Event::iter() {
            for interaction in [None, Some("call-1"), Some("call-2"), Some("")] {
                for time in [None, Some(LAST - 1), Some(LAST), Some(LAST + 1)] {
                    let mut m = pristine.clone();
                    if m.step(e, interaction, time).is_err() {
                        rejected += 1;
                        assert_eq!(m, pristine, "{e} {interaction:?} {time:?} in {state:?}");
                        assert_eq!(MachineState::from(m), state);
                    }
                }
            }
        }
    }
    assert!(rejected > 5_000, "{rejected}");
}

#[test]
fn malformed_records_change_nothing_and_make_no_agent_known() {
    let state = MachineState {
        role: callstate::Role::Owner,
        phase: Phase::Connected,
        recording: Recording::On,
        availability: Availability::Ready,
        interaction: Some("call-1".into()),
        last_time: Some(LAST),
        last_event: None,
        finished: None,
    };
    let mut engine = engine_with(&state);
    let before = observe(&engine);
    for record in [
        Record::new("", Event::Dropped),
        Record::new("", EventName::resolve("Swapped")),
        Record::new("new-agent", Event::CustAnswered).interaction(""),
        Record::new("new-agent", Event::OfferContact),
        Record::new(AGENT, Event::OfferCampaignReserved).at(LAST + 1),
        Record::new(AGENT, Event::Dropped).interaction(""),
    ] {
        assert!(engine.apply(&record).is_err(), "{record:?}");
        assert_eq!(observe(&engine), before, "{record:?}");
    }
    assert!(engine.agent("new-agent").is_none());
}

/// A well-formed but rejected record for a never-seen agent: the agent's state is
/// still the initial one (the library documents that the agent becomes known).
#[test]
fn a_rejected_record_for_a_new_agent_leaves_it_in_its_initial_state() {
    for initial in [Availability::Ready, Availability::Idle] {
        for record in [
            Record::new("new", Event::CustAnswered).at(7),
            Record::new("new", EventName::resolve("Swapped")).at(7),
            Record::new("new", Event::Dropped).interaction("x"),
        ] {
            let mut engine = Engine::starting(initial);
            assert!(engine.apply(&record).is_err(), "{record:?}");
            assert_eq!(engine.phase_of("new"), initial.phase());
            assert_eq!(engine.open_calls(), 0);
            if let Some(m) = engine.agent("new") {
                assert_eq!(*m, Machine::starting(initial), "{record:?}");
                assert_eq!(m.last_time(), None, "the rejected time was not kept");
            }
        }
    }
}

/// A long pseudo-random multi-agent run: before every rejected record and after it,
/// the engine is byte-identical; accepted ones keep `open_calls` equal to the number
/// of agents holding a call.
#[test]
fn random_flows_reject_atomically() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let agents = ["a1", "a2", "a3", "a4"];
    let calls = ["c1", "c2", "c3", "c4", "c5"];
    let events: Vec<Event> = Event::iter().collect();
    let mut engine = Engine::new();
    let mut now = 0i64;
    let (mut accepted, mut rejected) = (0, 0);
    let mut visited = std::collections::BTreeSet::new();
    for _ in 0..6_000 {
        let agent = agents[next(4) as usize];
        let unknown = next(40) == 0;
        // Half the time an event the agent's state allows, to get deep into calls.
        let allowed: Vec<Event> = engine
            .agent(agent)
            .map_or(Machine::new().allowed(), Machine::allowed)
            .iter()
            .collect();
        let event = if next(2) == 0 && !allowed.is_empty() {
            allowed[next(allowed.len() as u64) as usize]
        } else {
            events[next(21) as usize]
        };
        let name = if unknown {
            EventName::resolve("Swapped")
        } else {
            EventName::Known(event)
        };
        let held: Option<String> = engine
            .agent(agent)
            .and_then(Machine::interaction)
            .map(str::to_owned);
        let mut record = Record::new(agent, name);
        record.interaction = match next(6) {
            0 => None,
            1 => Some(calls[next(5) as usize]),
            2 if next(10) == 0 => Some(""),
            _ => held.as_deref().or(Some(calls[next(5) as usize])),
        };
        now += next(3) as i64;
        record.time = match next(10) {
            0 => None,
            1 => Some(now - 5),
            _ => Some(now),
        };
        let known_before = engine.agent(agent).is_some();
        let before = engine.to_snapshot_json();
        let state_before = agent_state(&engine, agent);
        let open_before = engine.open_calls();
        match engine.apply(&record) {
            Ok(_) => accepted += 1,
            Err(r) => {
                rejected += 1;
                assert_eq!(engine.open_calls(), open_before, "{record:?}: {r}");
                if known_before {
                    assert_eq!(engine.to_snapshot_json(), before, "{record:?}: {r}");
                    assert_eq!(agent_state(&engine, agent), state_before, "{record:?}");
                }
            }
        }
        let holding = engine.agents().filter(|(_, m)| m.has_call()).count();
        assert_eq!(engine.open_calls(), holding, "after {record:?}");
        // Invariants of every reachable state: without a call the phase is the
        // availability's, recording is off and there is no interaction; with one
        // there is an interaction.
        for (id, m) in engine.agents() {
            visited.insert((m.phase(), m.recording()));
            if m.has_call() {
                assert!(m.interaction().is_some_and(|i| !i.is_empty()), "{id}");
            } else {
                assert_eq!(m.phase(), m.availability().phase(), "{id}: {m:?}");
                assert_eq!(m.recording(), Recording::Off, "{id}");
                assert_eq!(m.interaction(), None, "{id}");
            }
        }
    }
    assert!(accepted > 500 && rejected > 500, "{accepted} / {rejected}");
    let phases: std::collections::BTreeSet<Phase> = visited.iter().map(|(p, _)| *p).collect();
    assert_eq!(phases.len(), 11, "the run reached {phases:?}");
    assert!(visited.len() >= 20, "the run reached only {visited:?}");
}
