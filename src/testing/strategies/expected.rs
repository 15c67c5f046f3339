//! The oracle: the rejection kind SPEC §4 gives a record, restated from the
//! spec's order of precedence and table lookups alone, never by asking the
//! engine. The faulty strategies pair each fault with its answer, so this file is
//! reviewed against SPEC §4, not against `Machine`.

use super::OwnedRecord;
use crate::model::rejection::RejectionKind;
use crate::model::table;
use crate::model::vocabulary::{Event, Phase, Recording, Role};

/// What SPEC §4's checks read of one agent before a record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Agent<'a> {
    pub(super) phase: Phase,
    pub(super) role: Role,
    pub(super) recording: Recording,
    /// The interaction of the call the agent holds, if any.
    pub(super) held: Option<&'a str>,
    /// The last accepted time.
    pub(super) last_time: Option<i64>,
}

/// The kind SPEC §4 gives `record` from an agent in `agent`'s state, checked in the
/// spec's order; `None` when the record would be accepted.
pub(super) fn expected(agent: Agent<'_>, record: &OwnedRecord) -> Option<RejectionKind> {
    use RejectionKind as K;
    let interaction = record.interaction.as_deref();
    let event = record.event();
    // malformed: an id that is not a non-empty string, an offer with no interaction.
    if record.agent.is_empty() || interaction == Some("") {
        return Some(K::Malformed);
    }
    let offer = matches!(
        event,
        Some(Event::OfferCampaignReserved | Event::OfferContact)
    );
    if offer && interaction.is_none() {
        return Some(K::Malformed);
    }
    // unknown_event: in no row of §2.
    let Some(event) = event else {
        return Some(K::UnknownEvent);
    };
    // out_of_order: earlier than the last accepted time.
    if let (Some(t), Some(last)) = (record.time, agent.last_time) {
        if t < last {
            return Some(K::OutOfOrder);
        }
    }
    let held = agent.held;
    let has_call = agent.phase.has_call();
    // agent_busy: E3/E4 while holding a call, except E4 in reserved for that call.
    let preview_accepted =
        event == Event::OfferContact && agent.phase == Phase::Reserved && interaction == held;
    if offer && has_call && !preview_accepted {
        return Some(K::AgentBusy);
    }
    // interaction_mismatch: another interaction than the call's, E1/E2 excepted.
    let availability = matches!(event, Event::AgentAvailable | Event::AgentIdle);
    if has_call && interaction.is_some() && interaction != held && !availability {
        return Some(K::InteractionMismatch);
    }
    // agent_not_ready: E3/E4 while idle.
    if offer && agent.phase == Phase::Idle {
        return Some(K::AgentNotReady);
    }
    // no_active_call: E5–E21 with no call.
    if !offer && !availability && !has_call {
        return Some(K::NoActiveCall);
    }
    // illegal_transition: anything else the table does not allow.
    if table::rule_for(agent.phase, agent.recording, agent.role, event).is_none() {
        return Some(K::IllegalTransition);
    }
    None
}
