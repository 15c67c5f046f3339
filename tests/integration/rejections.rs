//! SPEC §4: each rejection kind on its own, then their precedence when several
//! apply to one record, and what a rejection reports (agent, interaction, event,
//! state, message).

use callstate::{
    Availability, Engine, Event, EventName, Phase, Reason, Record, Recording, Rejection,
    RejectionKind,
};

const AGENT: &str = "agent-7";

/// Applies `steps` (all must be accepted) to `AGENT`, at times 100, 200, …
fn engine_after(steps: &[(Event, Option<&str>)]) -> Engine {
    let mut engine = Engine::new();
    for (i, (event, interaction)) in steps.iter().enumerate() {
        let mut record = Record::new(AGENT, *event).at(100 * (i as i64 + 1));
        if let Some(x) = interaction {
            record = record.interaction(x);
        }
        engine
            .apply(&record)
            .unwrap_or_else(|r| panic!("setup step {event} rejected: {r}"));
    }
    engine
}

fn idle() -> Engine {
    engine_after(&[(Event::AgentIdle, None)])
}
fn ready() -> Engine {
    engine_after(&[(Event::AgentAvailable, None)])
}
fn reserved() -> Engine {
    engine_after(&[(Event::OfferCampaignReserved, Some("call-1"))])
}
fn offered() -> Engine {
    engine_after(&[(Event::OfferContact, Some("call-1"))])
}
fn connected() -> Engine {
    engine_after(&[
        (Event::OfferContact, Some("call-1")),
        (Event::CustAnswered, None),
    ])
}
fn connected_recording(recording: Recording) -> Engine {
    let mut steps = vec![
        (Event::OfferContact, Some("call-1")),
        (Event::CustAnswered, None),
    ];
    if recording != Recording::Off {
        steps.push((Event::RecordingStarted, None));
    }
    if recording == Recording::Paused {
        steps.push((Event::PauseRecording, None));
    }
    engine_after(&steps)
}
fn ended_recording_on() -> Engine {
    engine_after(&[
        (Event::OfferContact, Some("call-1")),
        (Event::CustAnswered, None),
        (Event::RecordingStarted, None),
        (Event::ContactEnded, None),
    ])
}

/// The time after every setup step.
const LATER: i64 = 10_000;
/// The time before the last setup step of every flow with at least one step.
const EARLIER: i64 = 50;

fn reject(engine: &mut Engine, record: Record<'_>) -> Rejection {
    let before = engine.to_snapshot_json();
    let r = match engine.apply(&record) {
        Ok(t) => panic!("{record:?} was accepted: {t:?}"),
        Err(r) => r,
    };
    assert_eq!(
        engine.to_snapshot_json(),
        before,
        "{record:?} changed the engine"
    );
    r
}

fn accept(engine: &mut Engine, record: Record<'_>) {
    if let Err(r) = engine.apply(&record) {
        panic!("{record:?} was rejected: {r}");
    }
}

fn names(r: &Rejection) -> Vec<&'static str> {
    r.allowed().iter().map(Event::name).collect()
}

/// The common facts of a rejection of a well-formed record, and a message that
/// mentions the event, the phase met (when `phase_in_message`) and every allowed
/// event.
fn check_report(
    r: &Rejection,
    kind: RejectionKind,
    event: &str,
    interaction: Option<&str>,
    phase: Phase,
    phase_in_message: bool,
) {
    let msg = r.to_string();
    assert_eq!(r.kind(), kind, "{msg}");
    assert_eq!(r.agent(), Some(AGENT), "{msg}");
    assert_eq!(r.interaction(), interaction, "{msg}");
    assert_eq!(r.event(), Some(event), "{msg}");
    assert_eq!(r.state(), Some(phase), "{msg}");
    assert!(msg.contains(event), "{msg:?} does not name {event}");
    if phase_in_message {
        assert!(
            msg.contains(phase.as_ref()),
            "{msg:?} does not name {phase}"
        );
    }
    if kind != RejectionKind::UnknownEvent {
        assert!(!r.allowed().is_empty(), "{msg}");
        assert!(
            msg.contains("allowed"),
            "{msg:?} does not list allowed events"
        );
        for e in r.allowed().iter() {
            assert!(msg.contains(e.name()), "{msg:?} does not list {e}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Each kind on its own.
// ---------------------------------------------------------------------------------

#[test]
fn malformed_empty_agent_id() {
    let mut engine = Engine::new();
    let r = reject(
        &mut engine,
        Record::new("", Event::AgentAvailable).interaction("call-1"),
    );
    assert_eq!(r.kind(), RejectionKind::Malformed);
    assert_eq!(r.agent(), None);
    assert_eq!(r.interaction(), Some("call-1"));
    assert_eq!(r.event(), Some("AgentAvailable"));
    assert_eq!(r.state(), None);
    assert!(r.to_string().contains("malformed"), "{r}");
    assert!(r.to_string().contains("agent"), "{r}");
    // A malformed record makes no agent known.
    assert!(engine.is_empty());
}

#[test]
fn malformed_empty_interaction_id() {
    for mut engine in [ready(), connected()] {
        let phase = engine.phase_of(AGENT);
        for event in [Event::CustAnswered, Event::AgentIdle, Event::OfferContact] {
            let r = reject(
                &mut engine,
                Record::new(AGENT, event).interaction("").at(LATER),
            );
            assert_eq!(r.kind(), RejectionKind::Malformed, "{event} in {phase}");
            assert_eq!(r.agent(), Some(AGENT));
            assert_eq!(r.interaction(), None, "an empty id is not reported");
            assert_eq!(r.event(), Some(event.name()));
            assert_eq!(r.state(), None);
            assert!(r.to_string().contains("interaction"), "{r}");
        }
    }
}

#[test]
fn malformed_offer_without_interaction() {
    for mut engine in [ready(), idle(), reserved(), connected()] {
        let phase = engine.phase_of(AGENT);
        for name in [
            "eAgentOfferCampaignReserved",
            "eAgentOfferContact",
            "AgentOfferContact",
            "eagentcontactreserved",
        ] {
            let r = reject(
                &mut engine,
                Record::new(AGENT, EventName::resolve(name)).at(LATER),
            );
            assert_eq!(r.kind(), RejectionKind::Malformed, "{name} in {phase}");
            assert_eq!(r.state(), None);
            assert_eq!(r.interaction(), None);
            let canonical = Event::resolve(name).unwrap().name();
            assert_eq!(r.event(), Some(canonical));
            assert!(r.to_string().starts_with("malformed"), "{r}");
        }
    }
}

#[test]
fn unknown_event() {
    for mut engine in [ready(), connected()] {
        let phase = engine.phase_of(AGENT);
        for name in ["Swapped", "AgentStateChange", "CustAnswered2", "SwApPed"] {
            let r = reject(
                &mut engine,
                Record::new(AGENT, EventName::resolve(name))
                    .interaction("call-1")
                    .at(LATER),
            );
            check_report(
                &r,
                RejectionKind::UnknownEvent,
                name,
                Some("call-1"),
                phase,
                false,
            );
            assert_eq!(*r.reason(), Reason::UnknownEvent);
        }
    }
}

#[test]
fn out_of_order() {
    let mut engine = connected();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactHeld).at(EARLIER),
    );
    check_report(
        &r,
        RejectionKind::OutOfOrder,
        "eAgentContactHeld",
        None,
        Phase::Connected,
        false,
    );
    assert_eq!(
        *r.reason(),
        Reason::OutOfOrder {
            time: EARLIER,
            last: 200
        }
    );
    let msg = r.to_string();
    assert!(msg.contains("50") && msg.contains("200"), "{msg}");
    // Even an availability change, legal everywhere, must be in order.
    let r = reject(&mut engine, Record::new(AGENT, Event::AgentIdle).at(199));
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
}

#[test]
fn agent_busy() {
    let mut engine = connected();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("call-2")
            .at(LATER),
    );
    check_report(
        &r,
        RejectionKind::AgentBusy,
        "eAgentOfferContact",
        Some("call-2"),
        Phase::Connected,
        true,
    );
    assert_eq!(
        *r.reason(),
        Reason::AgentBusy {
            held: "call-1".into()
        }
    );
    assert!(r.to_string().contains("call-1"), "{r}");
    // Busy in every call phase, for each offer, even naming the held call — except
    // where the table has a row for it (SPEC v3 §4): E4/E22 in reserved (the
    // reservation offered) and E3 in reserved (a repeated reservation, a notice, §3.2).
    for mut engine in [reserved(), offered(), connected(), ended_recording_on()] {
        let phase = engine.phase_of(AGENT);
        for event in [
            Event::OfferCampaignReserved,
            Event::OfferContact,
            Event::OfferConsult,
        ] {
            if phase == Phase::Reserved {
                continue; // a row of the table, see offer_on_a_reserved_preview
            }
            let r = reject(
                &mut engine,
                Record::new(AGENT, event).interaction("call-1").at(LATER),
            );
            assert_eq!(r.kind(), RejectionKind::AgentBusy, "{event} in {phase}");
        }
    }
}

#[test]
fn interaction_mismatch() {
    let mut engine = offered();
    let r = reject(
        &mut engine,
        Record::new(AGENT, EventName::resolve("agentcontactassigned"))
            .interaction("call-2")
            .at(LATER),
    );
    check_report(
        &r,
        RejectionKind::InteractionMismatch,
        "CustAnswered",
        Some("call-2"),
        Phase::Offered,
        true,
    );
    assert_eq!(
        *r.reason(),
        Reason::InteractionMismatch {
            held: "call-1".into()
        }
    );
    let msg = r.to_string();
    assert!(msg.contains("call-1") && msg.contains("call-2"), "{msg}");
    // The same event for the held call is fine.
    accept(
        &mut engine,
        Record::new(AGENT, Event::CustAnswered)
            .interaction("call-1")
            .at(LATER),
    );
}

#[test]
fn agent_not_ready() {
    for event in [
        Event::OfferCampaignReserved,
        Event::OfferContact,
        Event::OfferConsult,
    ] {
        let mut engine = idle();
        let r = reject(
            &mut engine,
            Record::new(AGENT, event).interaction("call-1").at(LATER),
        );
        check_report(
            &r,
            RejectionKind::AgentNotReady,
            event.name(),
            Some("call-1"),
            Phase::Idle,
            true,
        );
        assert_eq!(*r.reason(), Reason::AgentNotReady);
        // SPEC v3 §3.2: the snapshot (E34) is allowed in every phase.
        assert_eq!(names(&r), ["AgentAvailable", "AgentIdle", "AgentContact"]);
    }
    // A never-seen agent of an engine that starts agents idle.
    let mut engine = Engine::starting(Availability::Idle);
    let r = engine
        .apply(&Record::new("new", Event::OfferContact).interaction("c"))
        .unwrap_err();
    assert_eq!(r.kind(), RejectionKind::AgentNotReady);
    assert_eq!(r.state(), Some(Phase::Idle));
}

#[test]
fn no_active_call() {
    for mut engine in [ready(), idle()] {
        let phase = engine.phase_of(AGENT);
        for event in [
            Event::OfferContactRona,
            Event::CustAnswered,
            Event::RecordingStarted,
            Event::ContactEnded,
            Event::Acw,
            Event::ContactWrappedUp,
            Event::Dropped,
            Event::ContactUnassigned,
            Event::BlindTransferred,
            Event::ContactEndedNoWrapUp,
        ] {
            let r = reject(&mut engine, Record::new(AGENT, event).at(LATER));
            check_report(
                &r,
                RejectionKind::NoActiveCall,
                event.name(),
                None,
                phase,
                true,
            );
            assert_eq!(*r.reason(), Reason::NoActiveCall);
        }
    }
    let mut engine = ready();
    let r = reject(&mut engine, Record::new(AGENT, Event::Dropped));
    assert_eq!(
        names(&r),
        [
            "AgentAvailable",
            "AgentIdle",
            "eAgentOfferCampaignReserved",
            "eAgentOfferContact",
            // SPEC v3 §3.2: E22 from ready, E34 in every phase.
            "AgentOfferConsult",
            "AgentContact"
        ]
    );
}

#[test]
fn illegal_transition() {
    let mut engine = connected();
    let r = reject(
        &mut engine,
        // SPEC v3 §3.2 made E19 legal from a live phase; E20 (here by an alias in
        // another case) is still illegal in connected.
        Record::new(AGENT, EventName::resolve("AGENTWRAPPEDUP")).at(LATER),
    );
    check_report(
        &r,
        RejectionKind::IllegalTransition,
        "eAgentContactWrappedUp",
        None,
        Phase::Connected,
        true,
    );
    assert_eq!(*r.reason(), Reason::IllegalTransition);
    // Every event of a row for connected as owner with recording off, notices
    // included (SPEC v3 §3.1, §3.2).
    assert_eq!(
        names(&r),
        [
            "AgentAvailable",
            "AgentIdle",
            "CustAnswered",
            "eCallRecordingStarted",
            "ePauseRecording",
            "eAgentContactHeld",
            "eAgentConsultCreated",
            "eAgentContactEnded",
            "acw",
            "DROPPED",
            "AgentContactUnassigned",
            "ParticipantLeftConference",
            "AgentBlindTransferred",
            "AgentVteamTransferred",
            "AgentConferenceTransferred",
            "ContactEndedWrapUp",
            "ContactEndedNoWrapUp",
            "AgentContact"
        ]
    );
    assert!(
        r.to_string()
            .starts_with("eAgentContactWrappedUp is not allowed in connected"),
        "{r}"
    );
}

#[test]
fn illegal_transition_recording_guards() {
    // (recording the call is in, event) pairs the guards forbid.
    // (SPEC v3 §3.1: E8 with recording off is now allowed, the server starting
    // recording unannounced; checked at the end.)
    let cases = [
        (Recording::Off, Event::ResumeRecording),
        (Recording::On, Event::RecordingStarted),
        (Recording::On, Event::ResumeRecording),
        (Recording::Paused, Event::RecordingStarted),
        (Recording::Paused, Event::PauseRecording),
    ];
    for (recording, event) in cases {
        let mut engine = connected_recording(recording);
        assert_eq!(engine.agent(AGENT).unwrap().recording(), recording);
        let r = reject(&mut engine, Record::new(AGENT, event).at(LATER));
        check_report(
            &r,
            RejectionKind::IllegalTransition,
            event.name(),
            None,
            Phase::Connected,
            true,
        );
        assert_eq!(r.recording(), recording);
        assert!(
            r.to_string().contains(&format!("recording {recording}")),
            "{r}"
        );
        assert!(!r.allowed().contains(event));
    }
    // Recording events are for live calls only: not in ended, even with recording on.
    let mut engine = ended_recording_on();
    for event in [
        Event::RecordingStarted,
        Event::PauseRecording,
        Event::ResumeRecording,
    ] {
        let r = reject(&mut engine, Record::new(AGENT, event).at(LATER));
        assert_eq!(r.kind(), RejectionKind::IllegalTransition, "{event}");
        assert_eq!(r.state(), Some(Phase::Ended));
    }
    // And not before the customer answered.
    let mut engine = offered();
    let r = reject(&mut engine, Record::new(AGENT, Event::RecordingStarted));
    assert_eq!(r.kind(), RejectionKind::IllegalTransition);
    // SPEC v3 §3.1, §10: E8 with recording off pauses it (v2: illegal_transition).
    let mut engine = connected_recording(Recording::Off);
    accept(
        &mut engine,
        Record::new(AGENT, Event::PauseRecording).at(LATER),
    );
    assert_eq!(engine.agent(AGENT).unwrap().recording(), Recording::Paused);
}

// ---------------------------------------------------------------------------------
// Precedence.
// ---------------------------------------------------------------------------------

#[test]
fn malformed_comes_first() {
    // Empty agent id with an unknown name.
    let mut engine = connected();
    let r = reject(&mut engine, Record::new("", EventName::resolve("Swapped")));
    assert_eq!(r.kind(), RejectionKind::Malformed);
    assert_eq!(r.event(), Some("Swapped"));
    // Empty interaction with an unknown name, an earlier time, another call's event.
    let r = reject(
        &mut engine,
        Record::new(AGENT, EventName::resolve("Swapped"))
            .interaction("")
            .at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::Malformed);
    // An offer without interaction, earlier, while busy.
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::OfferContact).at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::Malformed);
}

#[test]
fn unknown_event_beats_out_of_order_and_mismatch() {
    let mut engine = connected();
    let r = reject(
        &mut engine,
        Record::new(AGENT, EventName::resolve("Swapped"))
            .interaction("call-2")
            .at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::UnknownEvent);
    assert_eq!(r.state(), Some(Phase::Connected));
    assert_eq!(r.event(), Some("Swapped"));
}

#[test]
fn out_of_order_beats_the_machine_checks() {
    // busy
    let mut engine = connected();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("call-2")
            .at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
    // mismatch
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactHeld)
            .interaction("call-2")
            .at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
    // illegal (E20 in connected; SPEC v3 made E19 legal there)
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactWrappedUp).at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
    // not ready
    let mut engine = idle();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("c")
            .at(EARLIER),
    );
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
    // no active call
    let r = reject(&mut engine, Record::new(AGENT, Event::Dropped).at(EARLIER));
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
}

#[test]
fn busy_beats_mismatch() {
    let mut engine = connected();
    for event in [
        Event::OfferCampaignReserved,
        Event::OfferContact,
        Event::OfferConsult,
    ] {
        let r = reject(
            &mut engine,
            Record::new(AGENT, event).interaction("call-2").at(LATER),
        );
        assert_eq!(r.kind(), RejectionKind::AgentBusy, "{event}");
    }
}

#[test]
fn offer_on_a_reserved_preview() {
    // E4 in reserved for another interaction: busy (not a mismatch).
    let mut engine = reserved();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("call-2")
            .at(LATER),
    );
    assert_eq!(r.kind(), RejectionKind::AgentBusy);
    assert_eq!(
        *r.reason(),
        Reason::AgentBusy {
            held: "call-1".into()
        }
    );
    // E3 or E22 in reserved for another interaction: busy too.
    for event in [Event::OfferCampaignReserved, Event::OfferConsult] {
        let r = reject(
            &mut engine,
            Record::new(AGENT, event).interaction("call-2").at(LATER),
        );
        assert_eq!(r.kind(), RejectionKind::AgentBusy, "{event}");
    }
    // E3 again for the same interaction: a repeated reservation, accepted without
    // change (SPEC v3 §3.2, §10; it was agent_busy in v2).
    accept(
        &mut engine,
        Record::new(AGENT, Event::OfferCampaignReserved)
            .interaction("call-1")
            .at(LATER),
    );
    assert_eq!(engine.agent(AGENT).unwrap().phase(), Phase::Reserved);
    // E4 for the same interaction: the preview is accepted.
    accept(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("call-1")
            .at(LATER),
    );
    let m = engine.agent(AGENT).unwrap();
    assert_eq!(m.phase(), Phase::Offered);
    assert_eq!(m.interaction(), Some("call-1"));
}

#[test]
fn mismatch_beats_illegal_and_no_call_checks() {
    let mut engine = connected();
    // E20 is illegal in connected, and names another call: mismatch.
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactWrappedUp)
            .interaction("call-2")
            .at(LATER),
    );
    assert_eq!(r.kind(), RejectionKind::InteractionMismatch);
    // A legal event for another call: mismatch too.
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactHeld)
            .interaction("call-2")
            .at(LATER),
    );
    assert_eq!(r.kind(), RejectionKind::InteractionMismatch);
    // Without a call there is nothing to mismatch: no_active_call.
    let mut engine = ready();
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::CustAnswered)
            .interaction("call-9")
            .at(LATER),
    );
    assert_eq!(r.kind(), RejectionKind::NoActiveCall);
}

#[test]
fn idle_offer_is_not_ready_not_illegal() {
    let mut engine = idle();
    for event in [Event::OfferCampaignReserved, Event::OfferContact] {
        let r = reject(
            &mut engine,
            Record::new(AGENT, event).interaction("call-1").at(LATER),
        );
        assert_eq!(r.kind(), RejectionKind::AgentNotReady, "{event}");
    }
}

#[test]
fn availability_events_for_another_interaction_are_accepted() {
    for mut engine in [reserved(), offered(), connected(), ended_recording_on()] {
        let phase = engine.phase_of(AGENT);
        accept(
            &mut engine,
            Record::new(AGENT, Event::AgentIdle)
                .interaction("call-2")
                .at(LATER),
        );
        let m = engine.agent(AGENT).unwrap();
        assert_eq!(m.phase(), phase);
        assert_eq!(m.availability(), Availability::Idle);
        assert_eq!(m.interaction(), Some("call-1"), "the call is unchanged");
        accept(
            &mut engine,
            Record::new(AGENT, EventName::resolve("READY"))
                .interaction("call-3")
                .at(LATER),
        );
        let m = engine.agent(AGENT).unwrap();
        assert_eq!(m.availability(), Availability::Ready);
        assert_eq!(m.interaction(), Some("call-1"));
    }
    // Without a call, an interaction named by E1/E2 binds nothing.
    let mut engine = ready();
    accept(
        &mut engine,
        Record::new(AGENT, Event::AgentIdle).interaction("call-5"),
    );
    assert_eq!(engine.agent(AGENT).unwrap().interaction(), None);
    assert_eq!(engine.open_calls(), 0);
}

#[test]
fn times() {
    let mut engine = Engine::new();
    accept(
        &mut engine,
        Record::new(AGENT, Event::OfferContact)
            .interaction("c")
            .at(1_000),
    );
    // Equal times are in order.
    accept(
        &mut engine,
        Record::new(AGENT, Event::CustAnswered).at(1_000),
    );
    // A record with no time is never out of order, and keeps the last time.
    accept(&mut engine, Record::new(AGENT, Event::ContactHeld));
    assert_eq!(engine.agent(AGENT).unwrap().last_time(), Some(1_000));
    // A rejected record does not move the last time.
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactWrappedUp).at(5_000),
    );
    assert_eq!(r.kind(), RejectionKind::IllegalTransition);
    assert_eq!(engine.agent(AGENT).unwrap().last_time(), Some(1_000));
    accept(
        &mut engine,
        Record::new(AGENT, Event::ContactUnHeld).at(2_000),
    );
    let r = reject(
        &mut engine,
        Record::new(AGENT, Event::ContactHeld).at(1_999),
    );
    assert_eq!(
        *r.reason(),
        Reason::OutOfOrder {
            time: 1_999,
            last: 2_000
        }
    );
    // Times are per agent.
    accept(&mut engine, Record::new("other", Event::AgentIdle).at(1));
    // Negative times are times too.
    accept(&mut engine, Record::new("early", Event::AgentIdle).at(-5));
    let r = reject(&mut engine, Record::new("early", Event::AgentIdle).at(-6));
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
}
