//! Every cell of (phase × role × recording × availability × event) — 11 × 2 × 3 × 2 ×
//! 33 (the snapshot, E34, has tests of its own) — checked against an independent
//! statement of SPEC §3 and §4 written here, by hand, from the spec's text. Nothing
//! in this file asks the library's table what is allowed: the point is a second,
//! separate reading of the spec.

use callstate::{
    Availability, CallNotice, Engine, Event, EventName, Machine, MachineState, Phase, Record,
    Recording, RejectionKind, Role, Snapshot,
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

const ROLES: [Role; 2] = [Role::Owner, Role::Consulted];

const RECORDINGS: [Recording; 3] = [Recording::Off, Recording::On, Recording::Paused];

const AVAILABILITIES: [Availability; 2] = [Availability::Ready, Availability::Idle];

/// E1 … E34 in SPEC §2.1 order, with the canonical name and the aliases that name
/// the event by themselves (the names a field decides, §2.4, are tested apart).
const EVENTS: [(Event, &str, &[&str]); 34] = [
    (
        Event::AgentAvailable,
        "AgentAvailable",
        &["Available", "Ready"],
    ),
    (
        Event::AgentIdle,
        "AgentIdle",
        &["Idle", "NotReady", "AgentLogoutSuccess"],
    ),
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
    (Event::ContactEnded, "eAgentContactEnded", &[]),
    (Event::Acw, "acw", &["eAgentWrapup", "AgentWrapup"]),
    (
        Event::ContactWrappedUp,
        "eAgentContactWrappedUp",
        &["AgentWrappedUp"],
    ),
    (Event::Dropped, "DROPPED", &["AgentOutboundFailed"]),
    (
        Event::OfferConsult,
        "AgentOfferConsult",
        &["eAgentOfferConsult"],
    ),
    (
        Event::ContactAssignFailed,
        "AgentContactAssignFailed",
        &["eAgentContactAssignFailed"],
    ),
    (
        Event::InviteFailed,
        "AgentInviteFailed",
        &["eAgentInviteFailed"],
    ),
    (
        Event::ContactUnassigned,
        "AgentContactUnassigned",
        &["eAgentContactUnassigned"],
    ),
    (
        Event::ParticipantLeftConference,
        "ParticipantLeftConference",
        &[],
    ),
    (Event::LeftConference, "AgentLeftConference", &[]),
    (
        Event::BlindTransferred,
        "AgentBlindTransferred",
        &["eAgentBlindTransferred"],
    ),
    (
        Event::VteamTransferred,
        "AgentVteamTransferred",
        &["eAgentVteamTransferred"],
    ),
    (
        Event::ConsultTransferred,
        "AgentConsultTransferred",
        &["eAgentConsultTransferred"],
    ),
    (
        Event::ConferenceTransferred,
        "AgentConferenceTransferred",
        &["eAgentConferenceTransferred"],
    ),
    (Event::ContactEndedWrapUp, "ContactEndedWrapUp", &[]),
    (Event::ContactEndedNoWrapUp, "ContactEndedNoWrapUp", &[]),
    (Event::ContactSnapshot, "AgentContact", &["eAgentContact"]),
];

/// The events the sweeps step: all but the snapshot.
fn swept() -> impl Iterator<Item = (usize, Event)> {
    EVENTS
        .iter()
        .enumerate()
        .map(|(i, (e, _, _))| (i, *e))
        .filter(|(_, e)| *e != Event::ContactSnapshot)
}

/// Is (phase, role, recording, availability) a state an agent can be in? With no
/// call: owner, recording off, the availability's phase. A snapshot (SPEC §3.5) can
/// set `offered`, `connected`, `hold`, `consult`, `conference` or `wrapUp` in either
/// role with any recording; `ended` follows from `offered` and the live phases,
/// keeping both. Only E3 leads to `reserved` (owner, recording off) and only an
/// owner's E12 to `consulting`.
fn possible(p: Phase, role: Role, r: Recording, a: Availability) -> bool {
    match p {
        Phase::Idle | Phase::Ready => role == Role::Owner && r == Recording::Off && home(a) == p,
        Phase::Reserved => role == Role::Owner && r == Recording::Off,
        Phase::Consulting => role == Role::Owner,
        _ => true,
    }
}

use crate::spec_table::{
    home, is_availability_event, is_late, is_no_call, is_offer, row, Call, Row,
};

// ---------------------------------------------------------------------------------
// SPEC §4: the rejections, in their order.
// ---------------------------------------------------------------------------------

/// The outcome SPEC §3/§4 prescribe for `e` naming `interaction` at `time` in `s`:
/// the state after, and whether it was a transition (not accepted without change).
fn expected(
    s: &MachineState,
    e: Event,
    interaction: Option<&str>,
    time: Option<i64>,
) -> Result<(MachineState, bool), RejectionKind> {
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
    let found = row(s.phase, s.role, s.recording, s.availability, e);
    if is_offer(e) && holds_call && (found.is_none() || names_other) {
        return Err(RejectionKind::AgentBusy);
    }
    if names_other && !is_availability_event(e) {
        return Err(RejectionKind::InteractionMismatch);
    }
    if is_offer(e) && s.phase == Phase::Idle {
        return Err(RejectionKind::AgentNotReady);
    }
    let unchanged = MachineState {
        last_time: time.or(s.last_time),
        ..s.clone()
    };
    if !is_offer(e) && !is_availability_event(e) && !holds_call {
        let late = interaction.is_some() && interaction == s.finished.as_deref() && is_late(e);
        return if late {
            Ok((unchanged, false))
        } else {
            Err(RejectionKind::NoActiveCall)
        };
    }
    match found {
        None => Err(RejectionKind::IllegalTransition),
        Some(Row::Notice) => Ok((unchanged, false)),
        Some(Row::To(phase, role, recording, availability, call)) => Ok((
            MachineState {
                phase,
                role,
                recording,
                availability,
                interaction: match call {
                    Call::Keep => s.interaction.clone(),
                    Call::Bind => interaction.map(str::to_owned),
                    Call::Clear => None,
                },
                last_time: time.or(s.last_time),
                last_event: None,
                finished: match call {
                    Call::Clear => s.interaction.clone(),
                    _ => s.finished.clone(),
                },
            },
            true,
        )),
    }
}

/// The events the spec allows in a status regardless of interaction and time (the
/// snapshot everywhere).
fn allowed_names(s: &MachineState) -> Vec<&'static str> {
    EVENTS
        .iter()
        .filter(|(e, _, _)| {
            *e == Event::ContactSnapshot
                || row(s.phase, s.role, s.recording, s.availability, *e).is_some()
        })
        .map(|(_, name, _)| *name)
        .collect()
}

// ---------------------------------------------------------------------------------
// Driving the library.
// ---------------------------------------------------------------------------------

const LAST: i64 = 1_000;

fn state(
    phase: Phase,
    role: Role,
    recording: Recording,
    availability: Availability,
    last_time: Option<i64>,
) -> MachineState {
    MachineState {
        phase,
        role,
        recording,
        availability,
        interaction: (!is_no_call(phase)).then(|| "call-1".to_owned()),
        last_time,
        last_event: None,
        finished: None,
    }
}

/// Every possible state, with the last time `last`.
fn every_possible(last: Option<i64>) -> impl Iterator<Item = MachineState> {
    PHASES.into_iter().flat_map(move |p| {
        ROLES.into_iter().flat_map(move |role| {
            RECORDINGS.into_iter().flat_map(move |r| {
                AVAILABILITIES
                    .into_iter()
                    .filter(move |&a| possible(p, role, r, a))
                    .map(move |a| state(p, role, r, a, last))
            })
        })
    })
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
        (Ok(accepted), Ok((after, transition))) => {
            assert_eq!(observed(&m), after, "{ctx}");
            assert_eq!(accepted.transition().is_some(), transition, "{ctx}");
            assert_eq!(accepted.name(), e.name(), "{ctx}");
            let from = accepted.from();
            assert_eq!(
                (from.phase, from.role, from.recording, from.availability),
                (s.phase, s.role, s.recording, s.availability),
                "{ctx}"
            );
            let to = accepted.to();
            assert_eq!(
                (to.phase, to.role, to.recording, to.availability),
                (after.phase, after.role, after.recording, after.availability),
                "{ctx}"
            );
            assert_eq!(
                accepted.terminated(),
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
                assert_eq!(allowed, allowed_names(s), "{ctx}: allowed events");
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
        (Ok(_), Ok((after, _))) => {
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
    // SPEC §2.4: with none of the deciding fields, these names are E18 and E26.
    for (name, e) in [
        ("ContactEnded", Event::ContactEnded),
        ("AgentContactEnded", Event::ContactEnded),
        (
            "eParticipantLeftConference",
            Event::ParticipantLeftConference,
        ),
    ] {
        assert_eq!(EventName::resolve(name), EventName::Known(e), "{name}");
    }
    assert_eq!(
        EventName::resolve("contactupdated"),
        EventName::CallNotice(CallNotice::ContactUpdated)
    );
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
    // The agent-state messages name no event outside a websocket record (SPEC §5.3).
    for unknown in [
        "AgentStateChange",
        "AgentStateChangeSuccess",
        "Swapped",
        "",
        "acw ",
    ] {
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
        for role in ROLES {
            for r in RECORDINGS {
                for a in AVAILABILITIES {
                    let s = state(p, role, r, a, Some(LAST));
                    let got = Machine::try_from(s.clone());
                    if possible(p, role, r, a) {
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
                    // The interaction must go with the phase.
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
    }
    assert_eq!(possible_count, 94);
    assert_eq!(impossible_count, 132 - 94);
}

/// The main sweep: every possible state × E1 … E33, each stepped with the event
/// naming the agent's own interaction `call-1` at a later time.
#[test]
fn every_cell_against_the_spec() {
    let mut checked = 0;
    let mut accepted = 0;
    let mut extra = 0;
    for s in every_possible(Some(LAST)) {
        for (i, e) in swept() {
            check_machine(&s, e, Some("call-1"), Some(LAST + 100));
            checked += 1;
            if expected(&s, e, Some("call-1"), Some(LAST + 100)).is_ok() {
                accepted += 1;
            }
            // An offer for another interaction (SPEC §4: agent_busy unless the
            // agent has no call).
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
    assert_eq!(checked, 94 * 33);
    assert_eq!(extra, 94 * 3);
    assert!(accepted > 1000, "{accepted}");
}

/// The same cells with the other shapes a record can have: no interaction (the
/// agent's current call), another interaction, an empty one; no time, an equal time,
/// an earlier time; agents that never saw a time; and, with no call, agents whose
/// finished call is `call-1` (SPEC §3.4).
#[test]
fn every_cell_with_every_interaction_and_time() {
    let mut checked = 0;
    for last in [None, Some(LAST)] {
        for mut s in every_possible(last) {
            for finished in [None, Some("call-1")] {
                s.finished = finished.map(str::to_owned);
                for (_, e) in swept() {
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
    assert_eq!(checked, 94 * 2 * 2 * 33 * 4 * 4);
}

/// Every call notice in every possible state (SPEC §2.2, §3.3, §3.4).
#[test]
fn every_call_notice_in_every_state() {
    use strum::IntoEnumIterator;
    use Phase as P;
    let live = [
        P::Connected,
        P::Hold,
        P::Consulting,
        P::Consult,
        P::Conference,
    ];
    let accepted_in = |n: CallNotice| -> Vec<Phase> {
        use CallNotice as N;
        let mut phases: Vec<Phase> = match n {
            N::AgentContactHoldFailed
            | N::AgentContactUnHoldFailed
            | N::ContactRecordingPauseFailed
            | N::ContactRecordingResumeFailed
            | N::AgentBlindTransferFailed
            | N::AgentVteamTransferFailed => live.to_vec(),
            N::AgentCtqCancelFailed
            | N::AgentConsultTransferring
            | N::AgentConsultTransferFailed => {
                vec![P::Consulting, P::Consult]
            }
            N::AgentConsultEndFailed | N::ConsultedParticipantMoving => {
                vec![P::Consulting, P::Consult, P::Conference]
            }
            N::AgentConsultConferencing | N::ParticipantJoinedConference => {
                vec![P::Consult, P::Conference]
            }
            N::AgentConsultConferenceFailed => vec![P::Consult],
            N::AgentConsultConferenceEndFailed
            | N::ParticipantLeftConferenceFailed
            | N::ParticipantDropConferenceFailed
            | N::AgentConferenceTransferFailed => vec![P::Conference],
            N::AgentContactEndFailed => [&[P::Offered][..], &live].concat(),
            N::AgentWrapupFailed => vec![P::WrapUp],
            N::CampaignContactUpdated
            | N::CampaignPreviewAcceptFailed
            | N::CampaignPreviewSkipFailed
            | N::CampaignPreviewRemoveFailed => vec![P::Reserved],
            N::ContactMerged | N::ContactOwnerChanged | N::ContactUpdated => {
                PHASES.into_iter().filter(|p| !is_no_call(*p)).collect()
            }
            N::ParticipantPostCallActivity => [&live[..], &[P::Ended, P::WrapUp]].concat(),
        };
        phases.sort();
        phases
    };
    for n in CallNotice::iter() {
        for mut s in every_possible(Some(LAST)) {
            for finished in [None, Some("call-1")] {
                s.finished = finished.map(str::to_owned);
                for interaction in [None, Some("call-1"), Some("call-2")] {
                    let want = if !is_no_call(s.phase) && interaction == Some("call-2") {
                        Err(RejectionKind::InteractionMismatch)
                    } else if is_no_call(s.phase) {
                        if interaction.is_some() && interaction == finished {
                            Ok(())
                        } else {
                            Err(RejectionKind::NoActiveCall)
                        }
                    } else if accepted_in(n).contains(&s.phase) {
                        Ok(())
                    } else {
                        Err(RejectionKind::IllegalTransition)
                    };
                    let mut m = machine(&s);
                    let mut record = Record::new("agent", n).at(LAST + 1);
                    record.interaction = interaction;
                    let got = m.apply(&record);
                    let ctx = format!("{s:?} + {n} naming {interaction:?}");
                    match (got, want) {
                        (Ok(a), Ok(())) => {
                            assert!(a.transition().is_none(), "{ctx}");
                            let after = MachineState {
                                last_time: Some(LAST + 1),
                                ..s.clone()
                            };
                            assert_eq!(observed(&m), after, "{ctx}");
                        }
                        (Err(r), Err(kind)) => {
                            assert_eq!(r.kind(), kind, "{ctx}");
                            assert_eq!(observed(&m), s, "{ctx}");
                        }
                        (got, want) => panic!("{ctx}: {got:?}, SPEC says {want:?}"),
                    }
                }
            }
        }
    }
}

/// Spot checks of the independent statement itself, so that a slip in it cannot
/// silently agree with a slip in the library.
#[test]
fn the_independent_statement_says_what_the_spec_says() {
    use Availability::{Idle as AI, Ready as AR};
    use Phase as P;
    use Recording::{Off, On, Paused};
    use Role::{Consulted, Owner};
    let s = |p, r, a| state(p, Owner, r, a, Some(LAST));
    let t = Some(LAST + 1);
    let call1 = Some("call-1");
    // Recording carries from a live phase into ended and wrapUp, then resets.
    let (ended, _) = expected(&s(P::Conference, Paused, AI), Event::ContactEnded, None, t).unwrap();
    assert_eq!((ended.phase, ended.recording), (P::Ended, Paused));
    let (back, _) = expected(&s(P::WrapUp, On, AI), Event::ContactWrappedUp, None, t).unwrap();
    assert_eq!(
        back,
        MachineState {
            phase: P::Idle,
            role: Owner,
            recording: Off,
            availability: AI,
            interaction: None,
            last_time: t,
            last_event: None,
            finished: Some("call-1".to_owned()),
        }
    );
    // RONA makes the agent idle whatever its availability.
    let (rona, _) = expected(&s(P::Offered, Off, AR), Event::OfferContactRona, call1, t).unwrap();
    assert_eq!((rona.phase, rona.availability), (P::Idle, AI));
    // Recording guards: pause from off is v3's.
    assert_eq!(
        expected(&s(P::Connected, On, AR), Event::RecordingStarted, None, t),
        Err(RejectionKind::IllegalTransition)
    );
    assert!(expected(&s(P::Connected, Off, AR), Event::PauseRecording, None, t).is_ok());
    // E3 in reserved for the same call is a notice, for another busy.
    assert_eq!(
        expected(
            &s(P::Reserved, Off, AR),
            Event::OfferCampaignReserved,
            call1,
            t
        ),
        Ok((
            MachineState {
                last_time: t,
                ..s(P::Reserved, Off, AR)
            },
            false
        ))
    );
    assert_eq!(
        expected(
            &s(P::Reserved, Off, AR),
            Event::OfferContact,
            Some("call-2"),
            t
        ),
        Err(RejectionKind::AgentBusy)
    );
    // The consulted agent: its consult ending ends its call.
    let consulted = state(P::Consult, Consulted, On, AR, Some(LAST));
    let (done, transition) = expected(&consulted, Event::ConsultEnded, None, t).unwrap();
    assert!(transition);
    assert_eq!(
        (done.phase, done.role, done.recording),
        (P::Ready, Owner, Off)
    );
    assert_eq!(
        expected(&consulted, Event::ConsultCreated, None, t),
        Err(RejectionKind::IllegalTransition)
    );
    assert_eq!(
        expected(&s(P::Idle, Off, AI), Event::OfferConsult, call1, t),
        Err(RejectionKind::AgentNotReady)
    );
    assert_eq!(
        expected(&s(P::Ready, Off, AR), Event::Dropped, call1, t),
        Err(RejectionKind::NoActiveCall)
    );
}
