//! Every cell of (phase × recording × availability × event) — 11 × 3 × 2 × 21 — checked
//! against an independent statement of SPEC §3 and §4 written here, by hand, from the
//! spec's text. Nothing in this file asks the library's table what is allowed: the
//! point is a second, separate reading of the spec.

use callstate::{
    Availability, Engine, Event, EventName, Machine, MachineState, Phase, Record, Recording,
    RejectionKind, Snapshot,
};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------
// The vocabulary of SPEC §1–§2, restated.
// ---------------------------------------------------------------------------------

const PHASES: [Phase; 11] = [
    Phase::Idle,
    Phase::Ready,
    Phase::Reserved,
    Phase::Offered,
    Phase::Connected,
    Phase::Hold,
    Phase::Consulting,
    Phase::Consult,
    Phase::Conference,
    Phase::Ended,
    Phase::WrapUp,
];

const RECORDINGS: [Recording; 3] = [Recording::Off, Recording::On, Recording::Paused];

const AVAILABILITIES: [Availability; 2] = [Availability::Ready, Availability::Idle];

/// E1 … E21 in SPEC §2 order, with the canonical name and the aliases of §2.
const EVENTS: [(Event, &str, &[&str]); 21] = [
    (
        Event::AgentAvailable,
        "AgentAvailable",
        &["Available", "Ready"],
    ),
    (Event::AgentIdle, "AgentIdle", &["Idle", "NotReady"]),
    (
        Event::OfferCampaignReserved,
        "eAgentOfferCampaignReserved",
        &[
            "AgentOfferCampaignReservation",
            "eAgentAddCampaignReserved",
            "eAgentContactReserved",
            "AgentContactReserved",
        ],
    ),
    (
        Event::OfferContact,
        "eAgentOfferContact",
        &["AgentOfferContact"],
    ),
    (
        Event::OfferContactRona,
        "eAgentOfferContactRona",
        &["AgentOfferContactRona"],
    ),
    (
        Event::CustAnswered,
        "CustAnswered",
        &["eAgentContactAssigned", "AgentContactAssigned"],
    ),
    (
        Event::RecordingStarted,
        "eCallRecordingStarted",
        &["ContactRecordingStarted"],
    ),
    (
        Event::PauseRecording,
        "ePauseRecording",
        &["ContactRecordingPaused"],
    ),
    (
        Event::ResumeRecording,
        "eResumeRecording",
        &["ContactRecordingResumed"],
    ),
    (
        Event::ContactHeld,
        "eAgentContactHeld",
        &["AgentContactHeld"],
    ),
    (
        Event::ContactUnHeld,
        "eAgentContactUnHeld",
        &["AgentContactUnheld"],
    ),
    (
        Event::ConsultCreated,
        "eAgentConsultCreated",
        &["AgentConsultCreated"],
    ),
    (Event::Consulting, "eAgentConsulting", &["AgentConsulting"]),
    (
        Event::ConsultFailed,
        "eAgentConsultFailed",
        &[
            "AgentConsultFailed",
            "eAgentCtqFailed",
            "AgentCtqFailed",
            "eAgentCtqCancelled",
            "AgentCtqCancelled",
        ],
    ),
    (
        Event::ConsultEnded,
        "eAgentConsultEnded",
        &["AgentConsultEnded"],
    ),
    (
        Event::ConsultConferenced,
        "eAgentConsultConferenced",
        &["AgentConsultConferenced"],
    ),
    (
        Event::ConsultConferenceEnded,
        "eAgentConsultConferenceEnded",
        &["AgentConsultConferenceEnded"],
    ),
    (
        Event::ContactEnded,
        "eAgentContactEnded",
        &["ContactEnded", "AgentContactEnded"],
    ),
    (Event::Acw, "acw", &["eAgentWrapup", "AgentWrapup"]),
    (
        Event::ContactWrappedUp,
        "eAgentContactWrappedUp",
        &["AgentWrappedUp"],
    ),
    (Event::Dropped, "DROPPED", &["AgentOutboundFailed"]),
];

fn is_no_call(p: Phase) -> bool {
    matches!(p, Phase::Idle | Phase::Ready)
}

fn is_live(p: Phase) -> bool {
    matches!(
        p,
        Phase::Connected | Phase::Hold | Phase::Consulting | Phase::Consult | Phase::Conference
    )
}

/// E3 / E4.
fn is_offer(e: Event) -> bool {
    matches!(e, Event::OfferCampaignReserved | Event::OfferContact)
}

/// E1 / E2.
fn is_availability_event(e: Event) -> bool {
    matches!(e, Event::AgentAvailable | Event::AgentIdle)
}

/// Is (phase, recording, availability) a state an agent can be in? Recording is `off`
/// in the no-call phases and before the customer answers (`reserved`, `offered`); a
/// call keeps its recording state from the live phases through `ended` and `wrapUp`
/// until it terminates. With no call, the phase is the availability's: every way into
/// a no-call phase (E1, E2, termination, the initial state) sets both together.
fn possible(p: Phase, r: Recording, a: Availability) -> bool {
    let recording_ok =
        r == Recording::Off || is_live(p) || matches!(p, Phase::Ended | Phase::WrapUp);
    recording_ok && (!is_no_call(p) || home(a) == p)
}

fn home(a: Availability) -> Phase {
    match a {
        Availability::Ready => Phase::Ready,
        Availability::Idle => Phase::Idle,
    }
}

// ---------------------------------------------------------------------------------
// SPEC §3: the transition table, as a plain match.
// ---------------------------------------------------------------------------------

/// What happens to the interaction the agent holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Unchanged.
    Keep,
    /// The record's interaction becomes the agent's call.
    Bind,
    /// The call terminates: interaction cleared (and recording off, phase := availability).
    Clear,
}

/// The row of SPEC §3 that `e` fires in (p, r, a): the resulting phase, recording,
/// availability and what happens to the interaction. `None`: no row (illegal).
fn row(
    p: Phase,
    r: Recording,
    a: Availability,
    e: Event,
) -> Option<(Phase, Recording, Availability, Call)> {
    use Event as E;
    use Phase as P;
    let live = is_live(p);
    let call = !is_no_call(p);
    // "→ avail": phase := availability, recording off, interaction cleared.
    let terminate = |a: Availability| Some((home(a), Recording::Off, a, Call::Clear));
    match e {
        E::AgentAvailable if !call => Some((P::Ready, r, Availability::Ready, Call::Keep)),
        E::AgentAvailable => Some((p, r, Availability::Ready, Call::Keep)),
        E::AgentIdle if !call => Some((P::Idle, r, Availability::Idle, Call::Keep)),
        E::AgentIdle => Some((p, r, Availability::Idle, Call::Keep)),
        E::OfferCampaignReserved if p == P::Ready => Some((P::Reserved, r, a, Call::Bind)),
        E::OfferContact if p == P::Ready => Some((P::Offered, r, a, Call::Bind)),
        E::OfferContact if p == P::Reserved => Some((P::Offered, r, a, Call::Keep)),
        E::OfferContactRona if matches!(p, P::Reserved | P::Offered) => {
            terminate(Availability::Idle)
        }
        E::ContactEnded if p == P::Reserved => terminate(a),
        E::CustAnswered if p == P::Offered => Some((P::Connected, r, a, Call::Keep)),
        E::RecordingStarted if live && r == Recording::Off => {
            Some((p, Recording::On, a, Call::Keep))
        }
        E::PauseRecording if live && r == Recording::On => {
            Some((p, Recording::Paused, a, Call::Keep))
        }
        E::ResumeRecording if live && r == Recording::Paused => {
            Some((p, Recording::On, a, Call::Keep))
        }
        E::ContactHeld if p == P::Connected => Some((P::Hold, r, a, Call::Keep)),
        E::ContactUnHeld if p == P::Hold => Some((P::Connected, r, a, Call::Keep)),
        E::ConsultCreated if matches!(p, P::Connected | P::Hold) => {
            Some((P::Consulting, r, a, Call::Keep))
        }
        E::Consulting if p == P::Consulting => Some((P::Consult, r, a, Call::Keep)),
        E::ConsultFailed if p == P::Consulting => Some((P::Hold, r, a, Call::Keep)),
        E::ConsultEnded if matches!(p, P::Consulting | P::Consult) => {
            Some((P::Hold, r, a, Call::Keep))
        }
        E::ConsultConferenced if p == P::Consult => Some((P::Conference, r, a, Call::Keep)),
        E::ConsultEnded | E::ConsultConferenceEnded if p == P::Conference => {
            Some((P::Connected, r, a, Call::Keep))
        }
        E::ContactEnded if p == P::Offered || live => Some((P::Ended, r, a, Call::Keep)),
        E::Acw if p == P::Ended => Some((P::WrapUp, r, a, Call::Keep)),
        E::ContactWrappedUp if p == P::WrapUp => terminate(a),
        E::Dropped if call => terminate(a),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------
// SPEC §4: the rejections, in their order.
// ---------------------------------------------------------------------------------

/// The outcome SPEC §3/§4 prescribe for `e` naming `interaction` at `time` in `s`.
fn expected(
    s: &MachineState,
    e: Event,
    interaction: Option<&str>,
    time: Option<i64>,
) -> Result<MachineState, RejectionKind> {
    if interaction == Some("") || (is_offer(e) && interaction.is_none()) {
        return Err(RejectionKind::Malformed);
    }
    if let (Some(t), Some(last)) = (time, s.last_time) {
        if t < last {
            return Err(RejectionKind::OutOfOrder);
        }
    }
    let holds_call = !is_no_call(s.phase);
    let names_other =
        holds_call && interaction.is_some() && interaction != s.interaction.as_deref();
    if is_offer(e) && holds_call {
        let preview_accepted =
            e == Event::OfferContact && s.phase == Phase::Reserved && !names_other;
        if !preview_accepted {
            return Err(RejectionKind::AgentBusy);
        }
    }
    if names_other && !is_availability_event(e) {
        return Err(RejectionKind::InteractionMismatch);
    }
    if is_offer(e) && s.phase == Phase::Idle {
        return Err(RejectionKind::AgentNotReady);
    }
    if !is_offer(e) && !is_availability_event(e) && !holds_call {
        return Err(RejectionKind::NoActiveCall);
    }
    let Some((phase, recording, availability, call)) = row(s.phase, s.recording, s.availability, e)
    else {
        return Err(RejectionKind::IllegalTransition);
    };
    Ok(MachineState {
        phase,
        recording,
        availability,
        interaction: match call {
            Call::Keep => s.interaction.clone(),
            Call::Bind => interaction.map(str::to_owned),
            Call::Clear => None,
        },
        last_time: time.or(s.last_time),
        last_event: None,
        finished: None,
    })
}

/// The events the spec allows in (p, r) regardless of interaction and time.
fn allowed_names(p: Phase, r: Recording, a: Availability) -> Vec<&'static str> {
    EVENTS
        .iter()
        .filter(|(e, _, _)| row(p, r, a, *e).is_some())
        .map(|(_, name, _)| *name)
        .collect()
}

// ---------------------------------------------------------------------------------
// Driving the library.
// ---------------------------------------------------------------------------------

const LAST: i64 = 1_000;

fn state(
    phase: Phase,
    recording: Recording,
    availability: Availability,
    last_time: Option<i64>,
) -> MachineState {
    MachineState {
        phase,
        recording,
        availability,
        interaction: (!is_no_call(phase)).then(|| "call-1".to_owned()),
        last_time,
        last_event: None,
        finished: None,
    }
}

fn machine(s: &MachineState) -> Machine {
    Machine::try_from(s.clone()).unwrap_or_else(|e| panic!("{s:?} refused: {e}"))
}

fn observed(m: &Machine) -> MachineState {
    MachineState::from(m.clone())
}

/// Steps a machine in `s` and checks the outcome (and that a rejection changed nothing).
fn check_machine(s: &MachineState, e: Event, interaction: Option<&str>, time: Option<i64>) {
    let want = expected(s, e, interaction, time);
    let mut m = machine(s);
    let ctx = format!("{s:?} + {e} interaction={interaction:?} time={time:?}");
    match (m.step(e, interaction, time), want) {
        (Ok(t), Ok(after)) => {
            assert_eq!(observed(&m), after, "{ctx}");
            assert_eq!(t.event, e, "{ctx}");
            assert_eq!(
                (t.from.phase, t.from.recording, t.from.availability),
                (s.phase, s.recording, s.availability),
                "{ctx}"
            );
            assert_eq!(
                (t.to.phase, t.to.recording, t.to.availability),
                (after.phase, after.recording, after.availability),
                "{ctx}"
            );
            assert_eq!(
                t.terminated(),
                !is_no_call(s.phase) && is_no_call(after.phase),
                "{ctx}"
            );
        }
        (Err(r), Err(kind)) => {
            assert_eq!(r.kind(), kind, "{ctx}: {r}");
            assert_eq!(observed(&m), *s, "{ctx}: a rejection changed the state");
            assert_eq!(r.event(), Some(e.name()), "{ctx}");
            // Reported when a non-empty string (SPEC §7), else absent.
            assert_eq!(
                r.interaction(),
                interaction.filter(|i| !i.is_empty()),
                "{ctx}"
            );
            if kind == RejectionKind::Malformed {
                assert_eq!(r.state(), None, "{ctx}");
            } else {
                assert_eq!(r.state(), Some(s.phase), "{ctx}");
                assert_eq!(r.recording(), s.recording, "{ctx}");
                let allowed: Vec<&str> = r.allowed().iter().map(Event::name).collect();
                assert_eq!(
                    allowed,
                    allowed_names(s.phase, s.recording, s.availability),
                    "{ctx}: allowed events"
                );
            }
        }
        (got, want) => panic!(
            "{ctx}: library says {:?}, SPEC says {:?}",
            got.map(|_| observed(&m)).map_err(|r| r.to_string()),
            want
        ),
    }
}

/// The same cell through an `Engine` restored from a one-agent snapshot, with the
/// event given by one of its aliases in an odd case.
fn check_engine(s: &MachineState, e: Event, alias: &str, interaction: &str, time: i64) {
    let want = expected(s, e, Some(interaction), Some(time));
    let snapshot = Snapshot {
        version: Snapshot::VERSION,
        initial: Availability::Ready,
        mode: callstate::Mode::Strict,
        agents: BTreeMap::from([("agent".to_owned(), s.clone())]),
    };
    let mut engine = Engine::restore(snapshot).expect("a possible state restores");
    assert_eq!(engine.open_calls(), usize::from(!is_no_call(s.phase)));
    let before = engine.to_snapshot_json();
    let record = Record::new("agent", EventName::resolve(alias))
        .interaction(interaction)
        .at(time);
    let ctx = format!("{s:?} + {alias:?} ({e}) interaction={interaction} time={time}");
    match (engine.apply(&record), want) {
        (Ok(_), Ok(after)) => {
            assert_eq!(observed(engine.agent("agent").unwrap()), after, "{ctx}");
            assert_eq!(
                engine.open_calls(),
                usize::from(!is_no_call(after.phase)),
                "{ctx}"
            );
        }
        (Err(r), Err(kind)) => {
            assert_eq!(r.kind(), kind, "{ctx}: {r}");
            assert_eq!(r.agent(), Some("agent"), "{ctx}");
            assert_eq!(r.event(), Some(e.name()), "{ctx}: canonical name");
            assert_eq!(engine.to_snapshot_json(), before, "{ctx}");
        }
        (got, want) => panic!(
            "{ctx}: library says {:?}, SPEC says {want:?}",
            got.map_err(|r| r.to_string())
        ),
    }
}

/// An alias of `e` (or its canonical name), with its case scrambled.
fn odd_case_alias(i: usize) -> String {
    let (_, canonical, aliases) = EVENTS[i];
    let name = if aliases.is_empty() {
        canonical
    } else {
        aliases[i % aliases.len()]
    };
    name.chars()
        .enumerate()
        .map(|(k, c)| {
            if k % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------

#[test]
fn the_vocabulary_is_the_specs() {
    use strum::IntoEnumIterator;
    let library: Vec<Event> = Event::iter().collect();
    let spec: Vec<Event> = EVENTS.iter().map(|(e, _, _)| *e).collect();
    assert_eq!(library, spec);
    for (e, canonical, aliases) in EVENTS {
        assert_eq!(e.name(), canonical);
        assert_eq!(e.to_string(), canonical);
        for name in std::iter::once(canonical).chain(aliases.iter().copied()) {
            for spelled in [
                name.to_owned(),
                name.to_ascii_uppercase(),
                name.to_ascii_lowercase(),
            ] {
                assert_eq!(
                    EventName::resolve(&spelled),
                    EventName::Known(e),
                    "{spelled}"
                );
            }
        }
    }
    assert_eq!(Phase::iter().collect::<Vec<_>>(), PHASES);
    let wire: Vec<String> = PHASES.iter().map(Phase::to_string).collect();
    assert_eq!(
        wire,
        [
            "idle",
            "ready",
            "reserved",
            "offered",
            "connected",
            "hold",
            "consulting",
            "consult",
            "conference",
            "ended",
            "wrapUp"
        ]
    );
    // `AgentStateChange` alone names no event (SPEC §2).
    for unknown in ["AgentStateChange", "Swapped", "", "acw "] {
        assert_eq!(
            EventName::resolve(unknown),
            EventName::Unknown(unknown),
            "{unknown:?}"
        );
    }
}

#[test]
fn impossible_states_are_refused_and_possible_ones_accepted() {
    let mut possible_count = 0;
    let mut impossible_count = 0;
    for p in PHASES {
        for r in RECORDINGS {
            for a in AVAILABILITIES {
                let s = state(p, r, a, Some(LAST));
                let got = Machine::try_from(s.clone());
                if possible(p, r, a) {
                    possible_count += 1;
                    let m = got.unwrap_or_else(|e| panic!("{s:?} refused: {e}"));
                    assert_eq!(observed(&m), s);
                    // serde agrees with try_from.
                    let json = serde_json::to_string(&s).unwrap();
                    let back: Machine = serde_json::from_str(&json).unwrap();
                    assert_eq!(back, m);
                } else {
                    impossible_count += 1;
                    assert!(got.is_err(), "{s:?} accepted");
                    let json = serde_json::to_string(&s).unwrap();
                    assert!(serde_json::from_str::<Machine>(&json).is_err(), "{json}");
                }
                // The interaction must go with the phase: a call phase needs one, a
                // no-call phase cannot have one.
                let mut flipped = s.clone();
                flipped.interaction = match flipped.interaction {
                    Some(_) => None,
                    None => Some("call-1".to_owned()),
                };
                assert!(Machine::try_from(flipped.clone()).is_err(), "{flipped:?}");
                if !is_no_call(p) {
                    let mut empty = s.clone();
                    empty.interaction = Some(String::new());
                    assert!(Machine::try_from(empty.clone()).is_err(), "{empty:?}");
                }
            }
        }
    }
    assert_eq!(possible_count, 48);
    assert_eq!(impossible_count, 18);
}

/// The main sweep: 11 × 3 × 2 × 21 cells; each possible one stepped with the event
/// naming the agent's own interaction `call-1` at a later time.
#[test]
fn every_cell_against_the_spec() {
    let mut checked = 0;
    let mut skipped = 0;
    let mut accepted = 0;
    let mut extra = 0;
    for p in PHASES {
        for r in RECORDINGS {
            for a in AVAILABILITIES {
                if !possible(p, r, a) {
                    skipped += EVENTS.len();
                    continue;
                }
                for (i, (e, _, _)) in EVENTS.iter().copied().enumerate() {
                    let s = state(p, r, a, Some(LAST));
                    check_machine(&s, e, Some("call-1"), Some(LAST + 100));
                    checked += 1;
                    if expected(&s, e, Some("call-1"), Some(LAST + 100)).is_ok() {
                        accepted += 1;
                    }
                    // An offer for another interaction (SPEC §4: agent_busy unless
                    // the agent has no call).
                    if is_offer(e) {
                        check_machine(&s, e, Some("call-2"), Some(LAST + 100));
                        extra += 1;
                    }
                    // Through the engine, by an alias in an odd case.
                    check_engine(&s, e, &odd_case_alias(i), "call-1", LAST + 100);
                    if is_offer(e) {
                        check_engine(&s, e, &odd_case_alias(i), "call-2", LAST + 100);
                    }
                }
            }
        }
    }
    assert_eq!(checked + skipped, 11 * 3 * 2 * 21);
    assert_eq!(checked, 1008);
    assert_eq!(skipped, 378);
    assert_eq!(extra, 96);
    // Accepted cells, counted by hand from the spec's table (states × availability):
    // E1/E2 everywhere (96), E3/E4 in ready (2), E4 in reserved (2), E5 (4), E18 in
    // reserved (2), E6 (2), E7–E9 (3 × 10: each guard holds in one recording of the
    // five live phases), E10 + E11 (12), E12 (12), E13 + E14 (12), E15 (18), E16 (6),
    // E17 (6), E18 in offered + live (2 + 30), E19 (6), E20 (6), E21 in reserved,
    // offered, live, ended, wrapUp (2 + 2 + 30 + 12).
    assert_eq!(
        accepted,
        96 + 2 + 2 + 4 + 2 + 2 + 30 + 12 + 12 + 12 + 18 + 6 + 6 + 32 + 6 + 6 + 46
    );
}

/// The same cells with the other shapes a record can have: no interaction (the
/// agent's current call), another interaction, an empty one; no time, an equal time,
/// an earlier time; and agents that never saw a time.
#[test]
fn every_cell_with_every_interaction_and_time() {
    let mut checked = 0;
    for p in PHASES {
        for r in RECORDINGS {
            for a in AVAILABILITIES {
                if !possible(p, r, a) {
                    continue;
                }
                for (e, _, _) in EVENTS {
                    for last in [None, Some(LAST)] {
                        let s = state(p, r, a, last);
                        for interaction in [None, Some("call-1"), Some("call-2"), Some("")] {
                            for time in [None, Some(LAST - 1), Some(LAST), Some(LAST + 1)] {
                                check_machine(&s, e, interaction, time);
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 1008 * 2 * 4 * 4);
}

/// Spot checks of the independent statement itself, so that a slip in it cannot
/// silently agree with a slip in the library.
#[test]
fn the_independent_statement_says_what_the_spec_says() {
    let s = |p, r, a| state(p, r, a, Some(LAST));
    let t = Some(LAST + 1);
    let call1 = Some("call-1");
    use Availability::{Idle as AI, Ready as AR};
    use Phase as P;
    use Recording::{Off, On, Paused};
    // Recording carries from a live phase into ended and wrapUp, then resets.
    let ended = expected(&s(P::Conference, Paused, AI), Event::ContactEnded, None, t).unwrap();
    assert_eq!((ended.phase, ended.recording), (P::Ended, Paused));
    let back = expected(&s(P::WrapUp, On, AI), Event::ContactWrappedUp, None, t).unwrap();
    assert_eq!(
        back,
        MachineState {
            phase: P::Idle,
            recording: Off,
            availability: AI,
            interaction: None,
            last_time: t,
            last_event: None,
            finished: None,
        }
    );
    // RONA makes the agent idle whatever its availability.
    let rona = expected(&s(P::Offered, Off, AR), Event::OfferContactRona, call1, t).unwrap();
    assert_eq!((rona.phase, rona.availability), (P::Idle, AI));
    // E1/E2 in a call only change where the agent goes afterwards.
    let avail = expected(&s(P::Hold, On, AI), Event::AgentAvailable, Some("x"), t).unwrap();
    assert_eq!(
        (
            avail.phase,
            avail.availability,
            avail.interaction.as_deref()
        ),
        (P::Hold, AR, Some("call-1"))
    );
    // Recording guards.
    assert_eq!(
        expected(&s(P::Connected, On, AR), Event::RecordingStarted, None, t),
        Err(RejectionKind::IllegalTransition)
    );
    assert_eq!(
        expected(&s(P::Ended, Off, AR), Event::RecordingStarted, None, t),
        Err(RejectionKind::IllegalTransition)
    );
    // E4 on a reserved preview for the same call is accepted, for another is busy.
    assert!(expected(&s(P::Reserved, Off, AR), Event::OfferContact, call1, t).is_ok());
    assert_eq!(
        expected(
            &s(P::Reserved, Off, AR),
            Event::OfferContact,
            Some("call-2"),
            t
        ),
        Err(RejectionKind::AgentBusy)
    );
    assert_eq!(
        expected(
            &s(P::Reserved, Off, AR),
            Event::OfferCampaignReserved,
            call1,
            t
        ),
        Err(RejectionKind::AgentBusy)
    );
    assert_eq!(
        expected(&s(P::Idle, Off, AI), Event::OfferContact, call1, t),
        Err(RejectionKind::AgentNotReady)
    );
    assert_eq!(
        expected(&s(P::Ready, Off, AR), Event::Dropped, call1, t),
        Err(RejectionKind::NoActiveCall)
    );
}
