//! Resync (SPEC §8), checked against a reading of the text written here, apart
//! from the library's: the rules R1–R10 as the SPEC's table states them, and the
//! inference as a brute-force enumeration of every run of events up to length 4,
//! in event order.

// Results of Engine::apply are kept whole, to compare.
#![allow(clippy::result_large_err)]

use callstate::MachineState;
use callstate::{
    Accepted, Availability, Engine, Event, Machine, Mode, Phase, Record, Recording, RejectionKind,
    Repair, Role, Snapshot,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

const HELD: &str = "c-held";
const FINISHED: &str = "c-finished";
const OTHER: &str = "c-other";
const AGENT: &str = "agent";
/// Every state an agent can be in (see `reachable_machines`).
const REACHABLE_STATES: usize = 94;

/// How the record names an interaction, relative to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    Nothing,
    Held,
    Finished,
    Other,
}

impl Names {
    const ALL: [Names; 4] = [Names::Nothing, Names::Held, Names::Finished, Names::Other];

    fn id(self) -> Option<&'static str> {
        match self {
            Names::Nothing => None,
            Names::Held => Some(HELD),
            Names::Finished => Some(FINISHED),
            Names::Other => Some(OTHER),
        }
    }
}

/// A saved machine in every state an agent can be in, holding `HELD` where the
/// phase has a call.
fn reachable_machines() -> Vec<MachineState> {
    let mut all = Vec::new();
    for phase in Phase::iter() {
        for role in Role::iter() {
            for recording in Recording::iter() {
                for availability in Availability::iter() {
                    let saved = MachineState {
                        role,
                        phase,
                        recording,
                        availability,
                        interaction: phase.has_call().then(|| HELD.to_owned()),
                        last_time: None,
                        last_event: None,
                        finished: None,
                    };
                    if Machine::try_from(saved.clone()).is_ok() {
                        all.push(saved);
                    }
                }
            }
        }
    }
    // v2's 48, plus (SPEC v3 §3.2) wrapUp with recording on or paused (E19/E25 from
    // a live phase keep the recording): 52 as owner; and 42 as consulted: offered,
    // connected, hold, consult, conference, ended and wrapUp, each with any
    // recording and availability (the snapshot sets any of its phases in either
    // role with any recording, §3.5; E18 leads on to ended).
    assert_eq!(all.len(), REACHABLE_STATES, "reachable states");
    let consulted = all.iter().filter(|s| s.role == Role::Consulted).count();
    assert_eq!(consulted, 42, "states in role consulted");
    all
}

/// An engine with one agent in `saved`; it remembers `finished` as its last
/// finished call, and in resync mode `last` as its last event.
fn engine_in(
    saved: &MachineState,
    mode: Mode,
    last: Option<Event>,
    finished: Option<&str>,
) -> Engine {
    let mut saved = saved.clone();
    // SPEC v3 §1: `finished` is kept in both modes; `last` only in resync.
    saved.finished = finished.map(str::to_owned);
    if mode == Mode::Resync {
        saved.last_event = last;
    }
    Engine::restore(Snapshot {
        version: Snapshot::VERSION,
        initial: Availability::Ready,
        mode,
        agents: BTreeMap::from([(AGENT.to_owned(), saved)]),
    })
    .expect("a reachable state restores")
}

/// The interaction an inferred event names, as SPEC §8 says: an offer (E4, E22)
/// names the record's interaction, else the held call; E3 and E34 are never
/// inferred; every other event names the held call.
fn naming(e: Event, named: Option<&str>, held: Option<&str>) -> Option<Option<String>> {
    match e {
        Event::OfferCampaignReserved | Event::ContactSnapshot => None,
        Event::OfferContact | Event::OfferConsult => named.or(held).map(|i| Some(i.to_owned())),
        _ => Some(None),
    }
}

/// Steps `m` by `e` naming `named`, ignoring time; only a transition counts
/// (SPEC §8: inferred events and the record must pass as transitions).
fn transition(m: &mut Machine, e: Event, named: Option<&str>) -> bool {
    matches!(m.step(e, named, None), Ok(Accepted::Transition(_)))
}

/// Applies `run` then the record to a copy of `machine`, ignoring time; the
/// machine after, or `None` if any of them does not pass as a transition.
fn apply_run(
    machine: &Machine,
    run: &[Event],
    event: Event,
    named: Option<&str>,
) -> Option<Machine> {
    let mut m = machine.clone();
    for &e in run {
        let n = naming(e, named, m.interaction())?;
        if !transition(&mut m, e, n.as_deref()) {
            return None;
        }
    }
    transition(&mut m, event, named).then_some(m)
}

/// The brute-force inference: the first run, shortest first and in event order
/// (E1 < … < E33), after which the record applies. Runs are enumerated in that
/// order, depth first; a prefix that does not apply is not extended (no run
/// starting with it applies), nothing else is pruned.
fn brute_force(
    machine: &Machine,
    event: Event,
    named: Option<&str>,
    up_to: usize,
) -> Option<Vec<Event>> {
    fn extend(
        m: &Machine,
        run: &mut Vec<Event>,
        len: usize,
        event: Event,
        named: Option<&str>,
    ) -> bool {
        if run.len() == len {
            return apply_run(m, &[], event, named).is_some();
        }
        for e in Event::iter() {
            let Some(n) = naming(e, named, m.interaction()) else {
                continue;
            };
            let mut after = m.clone();
            if !transition(&mut after, e, n.as_deref()) {
                continue;
            }
            run.push(e);
            if extend(&after, run, len, event, named) {
                return true;
            }
            run.pop();
        }
        false
    }
    (1..=up_to).find_map(|len| {
        let mut run = Vec::new();
        extend(machine, &mut run, len, event, named).then_some(run)
    })
}

/// SPEC §8's table of rules, read independently: the number of the rule that
/// decides, with `Some(n)` to infer up to n, `None` to skip.
fn rule(
    kind: RejectionKind,
    event: Event,
    named: Option<&str>,
    held: Option<&str>,
    last: Option<Event>,
    finished: Option<&str>,
) -> (u8, Option<usize>) {
    use RejectionKind::*;
    if kind == OutOfOrder {
        return (1, None);
    }
    if named.is_some() && named == finished && named != held {
        return (2, None);
    }
    if last == Some(event) && (named.is_none() || named == held) {
        return (3, None);
    }
    match kind {
        InteractionMismatch => (4, None),
        AgentBusy if named == held => (5, None),
        AgentBusy => (6, Some(4)),
        AgentNotReady => (7, Some(4)),
        NoActiveCall if named.is_some() => (8, Some(4)),
        NoActiveCall => (9, None),
        IllegalTransition => (10, Some(1)),
        Malformed | UnknownEvent => unreachable!(),
        _ => unreachable!("a kind SPEC §4 does not list"),
    }
}

/// With no call finished yet, a record naming nothing must not pass for a late
/// event of a finished call (R2 compares the two).
#[test]
fn every_state_event_naming_last_and_finished_call_gets_the_specs_repair() {
    let mut lasts: Vec<Option<Event>> = vec![None];
    lasts.extend(Event::iter().map(Some));
    let mut brute: BTreeMap<(usize, usize, usize, usize), Option<Vec<Event>>> = BTreeMap::new();
    let (mut inferred, mut skipped, mut accepted) = (0, 0, 0);
    for (s, saved) in reachable_machines().iter().enumerate() {
        let machine = Machine::try_from(saved.clone()).unwrap();
        for (e, event) in Event::iter().enumerate() {
            for (n, names) in Names::ALL.into_iter().enumerate() {
                let named = names.id();
                if (event.offers_call() || event == Event::ContactSnapshot) && named.is_none() {
                    continue; // malformed: never repaired
                }
                for (&last, finished) in lasts
                    .iter()
                    .flat_map(|last| [(last, Some(FINISHED)), (last, None)])
                {
                    let mut strict = engine_in(saved, Mode::Strict, last, finished);
                    let verdict = strict.apply(&Record {
                        interaction: named,
                        ..Record::new(AGENT, event)
                    });
                    let mut resync = engine_in(saved, Mode::Resync, last, finished);
                    let before = resync.snapshot();
                    let got = resync.apply(&Record {
                        interaction: named,
                        ..Record::new(AGENT, event)
                    });
                    let case = format!(
                        "{saved:?} + {event} naming {names:?}, last {last:?}, finished {finished:?}"
                    );
                    let kind = match verdict {
                        Ok(t) => {
                            assert_eq!(got.as_ref().ok(), Some(&t), "{case}");
                            accepted += 1;
                            continue;
                        }
                        Err(r) => r.kind(),
                    };
                    let Err(rejection) = got else {
                        panic!("{case}: accepted in resync, rejected in strict");
                    };
                    assert_eq!(rejection.kind(), kind, "{case}: the §4 verdict is kept");
                    let (number, up_to) = rule(
                        kind,
                        event,
                        named,
                        saved.interaction.as_deref(),
                        last,
                        finished,
                    );
                    let expected = up_to.and_then(|up_to| {
                        brute
                            .entry((s, e, n, up_to))
                            .or_insert_with(|| brute_force(&machine, event, named, up_to))
                            .clone()
                    });
                    let repair = rejection
                        .repair()
                        .expect("resync repairs every rejected record");
                    assert_eq!(repair.rule().number(), number, "{case}: the rule");
                    match expected {
                        None => {
                            assert!(matches!(repair, Repair::Skip { .. }), "{case}: {repair:?}");
                            assert_eq!(resync.snapshot(), before, "{case}: a skip changes nothing");
                            skipped += 1;
                        }
                        Some(run) => {
                            let got: Vec<Event> = repair
                                .inferred()
                                .iter()
                                .map(|i| i.transition.event)
                                .collect();
                            assert_eq!(got, run, "{case}");
                            let after = apply_run(&machine, &run, event, named).unwrap();
                            let mut got = resync.snapshot().agents[AGENT].clone();
                            assert_eq!(got.last_event, Some(event), "{case}: last");
                            got.last_event = None;
                            got.finished = None;
                            let mut after = MachineState::from(after);
                            after.finished = None;
                            assert_eq!(got, after, "{case}");
                            inferred += 1;
                        }
                    }
                }
            }
        }
    }
    // Every branch was exercised many times.
    assert!(
        inferred > 5_000 && skipped > 5_000 && accepted > 5_000,
        "{inferred} {skipped} {accepted}"
    );
}

/// The examples of SPEC §8 (v3): an agent in `connected` as owner holding c1,
/// recording off, available, `last` = CustAnswered.
#[test]
fn the_specs_examples() {
    let saved = MachineState {
        role: Role::Owner,
        phase: Phase::Connected,
        recording: Recording::Off,
        availability: Availability::Ready,
        interaction: Some("c1".into()),
        last_time: None,
        last_event: Some(Event::CustAnswered),
        finished: None,
    };
    let engine = || {
        Engine::restore(Snapshot {
            version: Snapshot::VERSION,
            initial: Availability::Ready,
            mode: Mode::Resync,
            agents: BTreeMap::from([("a".to_owned(), saved.clone())]),
        })
        .unwrap()
    };
    // Accepted in v3: acw from a live phase (§3.2), CustAnswered as a notice.
    let accepted = engine()
        .apply(&Record::new("a", Event::Acw).interaction("c1"))
        .unwrap();
    assert_eq!(
        accepted.transition().map(|t| t.to.phase),
        Some(Phase::WrapUp)
    );
    let accepted = engine()
        .apply(&Record::new("a", Event::CustAnswered).interaction("c1"))
        .unwrap();
    assert!(accepted.transition().is_none(), "a notice: {accepted:?}");
    type Example = (
        Event,
        &'static str,
        RejectionKind,
        u8,
        Option<&'static [&'static str]>,
    );
    let examples: [Example; 4] = [
        (
            Event::OfferContact,
            "c2",
            RejectionKind::AgentBusy,
            6,
            Some(&["DROPPED"]),
        ),
        (
            Event::ContactHeld,
            "c9",
            RejectionKind::InteractionMismatch,
            4,
            None,
        ),
        (
            Event::ContactWrappedUp,
            "c1",
            RejectionKind::IllegalTransition,
            10,
            Some(&["acw"]),
        ),
        (
            Event::Consulting,
            "c1",
            RejectionKind::IllegalTransition,
            10,
            Some(&["eAgentConsultCreated"]),
        ),
    ];
    for (event, interaction, kind, rule, inferred) in examples {
        let r = engine()
            .apply(&Record::new("a", event).interaction(interaction))
            .unwrap_err();
        assert_eq!(r.kind(), kind, "{event}");
        let repair = r.repair().unwrap();
        assert_eq!(repair.rule().number(), rule, "{event}");
        let names: Vec<&str> = repair
            .inferred()
            .iter()
            .map(|i| i.transition.event.name())
            .collect();
        match inferred {
            Some(expected) => {
                assert_eq!(repair.name(), "infer", "{event}");
                assert_eq!(names, expected, "{event}");
            }
            None => assert_eq!(repair.name(), "skip", "{event}"),
        }
    }
}

#[test]
fn out_of_order_is_skipped_and_inferred_events_keep_the_last_time() {
    let mut engine = Engine::new().with_mode(Mode::Resync);
    let mut apply = |event: Event, interaction: Option<&str>, time: i64| {
        let mut record = Record::new("a", event).at(time);
        record.interaction = interaction;
        engine.apply(&record)
    };
    apply(Event::OfferContact, Some("c1"), 10).unwrap();
    apply(Event::CustAnswered, None, 20).unwrap();
    // R1: earlier than the last accepted time.
    let r = apply(Event::ContactEnded, None, 5).unwrap_err();
    assert_eq!(
        (r.kind(), r.repair().map(|r| r.rule().number())),
        (RejectionKind::OutOfOrder, Some(1))
    );
    // R10: acw was lost; eAgentContactWrappedUp applies at its own time.
    let r = apply(Event::ContactWrappedUp, None, 30).unwrap_err();
    assert_eq!(r.repair().map(Repair::name), Some("infer"));
    let r = apply(Event::AgentIdle, None, 29).unwrap_err();
    assert_eq!(
        r.kind(),
        RejectionKind::OutOfOrder,
        "eAgentContactWrappedUp set the last time to 30"
    );
}

#[test]
fn a_record_naming_no_call_before_any_call_finished_is_repaired_not_skipped() {
    let mut engine = Engine::new().with_mode(Mode::Resync);
    engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c1"))
        .unwrap();
    engine
        .apply(&Record::new("a", Event::CustAnswered).interaction("c1"))
        .unwrap();
    // No call has finished and eAgentContactWrappedUp names none: not R2 (a late
    // event of the finished call) but R10, acw was lost.
    let r = engine
        .apply(&Record::new("a", Event::ContactWrappedUp))
        .unwrap_err();
    assert_eq!(r.kind(), RejectionKind::IllegalTransition);
    let repair = r.repair().unwrap();
    assert_eq!(repair.rule().number(), 10);
    let inferred: Vec<&str> = repair
        .inferred()
        .iter()
        .map(|i| i.transition.event.name())
        .collect();
    assert_eq!(inferred, ["acw"]);
    assert_eq!(engine.phase_of("a"), Phase::Ready);
}

#[test]
fn a_late_event_of_a_finished_call_is_skipped_even_while_another_call_is_held() {
    let mut engine = Engine::new().with_mode(Mode::Resync);
    for (event, call) in [
        (Event::OfferContact, "c1"),
        (Event::CustAnswered, "c1"),
        (Event::Dropped, "c1"),
        (Event::OfferContact, "c2"),
    ] {
        engine
            .apply(&Record::new("a", event).interaction(call))
            .unwrap();
    }
    // Without R2 this offer would be R6 (infer DROPPED of c2, then offer c1).
    let r = engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c1"))
        .unwrap_err();
    assert_eq!(r.kind(), RejectionKind::AgentBusy);
    assert_eq!(r.repair().map(|r| r.rule().number()), Some(2));
    assert_eq!(engine.agent("a").unwrap().interaction(), Some("c2"));
    // An inferred termination finishes a call too.
    let r = engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c3"))
        .unwrap_err();
    assert_eq!(r.repair().map(|r| r.rule().number()), Some(6));
    let r = engine
        .apply(&Record::new("a", Event::ContactHeld).interaction("c2"))
        .unwrap_err();
    assert_eq!(
        r.repair().map(|r| r.rule().number()),
        Some(2),
        "c2 ended by an inferred DROPPED"
    );
}

#[test]
fn strict_mode_keeps_no_resync_memory() {
    let mut engine = Engine::new();
    engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c1"))
        .unwrap();
    engine.apply(&Record::new("a", Event::Dropped)).unwrap();
    let r = engine.apply(&Record::new("a", Event::Acw)).unwrap_err();
    assert!(r.repair().is_none());
    let snapshot = engine.snapshot();
    assert_eq!(snapshot.mode, Mode::Strict);
    assert_eq!(snapshot.agents["a"].last_event, None);
    // SPEC v3 §1: `finished` is kept in both modes (late notifications, §3.4).
    assert_eq!(snapshot.agents["a"].finished.as_deref(), Some("c1"));
}

#[test]
fn a_version_1_snapshot_restores_as_strict() {
    let v1 = r#"{"version":1,"initial":"ready","agents":{"a":{"phase":"offered","recording":"off","availability":"ready","interaction":"c","last_time":5}}}"#;
    let engine = Engine::from_snapshot_json(v1).unwrap();
    assert_eq!(engine.mode(), Mode::Strict);
    assert_eq!(engine.phase_of("a"), Phase::Offered);
}

#[test]
fn a_strict_snapshot_carries_no_resync_memory() {
    let with_last = r#"{"version":3,"initial":"ready","mode":"strict","agents":{"a":{"phase":"ready","role":"owner","recording":"off","availability":"ready","last_event":"DROPPED"}}}"#;
    let err = Engine::from_snapshot_json(with_last).unwrap_err();
    assert!(err.to_string().contains("resync memory"), "{err}");
    let resync = with_last.replace(r#""mode":"strict""#, r#""mode":"resync""#);
    let engine = Engine::from_snapshot_json(&resync).unwrap();
    assert_eq!(
        engine.to_snapshot_json(),
        resync,
        "a resync snapshot round-trips"
    );
    // Switching to strict forgets it, so the strict snapshot restores.
    let strict = engine.with_mode(Mode::Strict).to_snapshot_json();
    assert!(!strict.contains("last_event"), "{strict}");
    Engine::from_snapshot_json(&strict).unwrap();
    // SPEC v3 §1: `finished` is not resync memory; a strict snapshot keeps it.
    let with_finished = with_last.replace(r#""last_event":"DROPPED""#, r#""finished":"c1""#);
    let engine = Engine::from_snapshot_json(&with_finished).unwrap();
    assert_eq!(engine.to_snapshot_json(), with_finished);
}
