//! The call the machine and engine benchmarks step agents through, and the
//! records and engine made from it, shared by `#[path]` with
//! examples/apply_all_100k.rs (no crate code depends on it).

use callstate::{Engine, Event, Record};

/// One call, every kind of step: 16 events, one offer (which binds an interaction).
pub const CALL: &[Event] = &[
    Event::AgentIdle,
    Event::AgentAvailable,
    Event::OfferContact,
    Event::CustAnswered,
    Event::RecordingStarted,
    Event::PauseRecording,
    Event::ResumeRecording,
    Event::ContactHeld,
    Event::ContactUnHeld,
    Event::ConsultCreated,
    Event::Consulting,
    Event::ConsultConferenced,
    Event::ConsultConferenceEnded,
    Event::ContactEnded,
    Event::Acw,
    Event::ContactWrappedUp,
];

/// The record of `agent`'s next step: as in Webex logs, every event of the call
/// names it (the availability changes before the offer do not).
pub fn record<'a>(agent: &'a str, call: &'a str, event: Event, step: usize) -> Record<'a> {
    let r = Record::new(agent, event).at(step as i64);
    if !event.is_availability() {
        r.interaction(call)
    } else {
        r
    }
}

/// An engine to which every agent is known, each having gone through one whole
/// call, and the number of steps taken. It is built outside the closure given to
/// criterion, which calls that closure once per sample: an engine made inside it
/// would be filled anew in each sample's first iteration, and the figure would
/// include growing the table (at 100k agents, about half of `apply_all`'s).
pub fn engine_past_one_call(ids: &[String], calls: &[String]) -> (Engine, usize) {
    let mut engine = Engine::new();
    for (step, &event) in CALL.iter().enumerate() {
        for (agent, call) in ids.iter().zip(calls) {
            let result = engine.apply(&record(agent, call, event, step + 1));
            assert!(result.is_ok(), "{event:?}: {result:?}");
        }
    }
    (engine, CALL.len())
}
