//! The oracle: the rejection kind SPEC §4 gives a record, restated from the
//! spec's order of precedence and table lookups alone, never by asking the
//! engine. The faulty strategies pair each fault with its answer, so this file is
//! reviewed against SPEC §4 (v3, with §3.4's late notifications and §3.5's
//! snapshot), not against `Machine`.

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
    /// The interaction of the agent's most recently terminated call (SPEC §1).
    pub(super) finished: Option<&'a str>,
    /// The last accepted time.
    pub(super) last_time: Option<i64>,
}

/// SPEC §3.4: the events accepted without change in `idle` or `ready` when they
/// name the finished call: E15, E17, E18, E19, E20, E25–E33.
pub(super) fn is_late(event: Event) -> bool {
    use Event as E;
    matches!(
        event,
        E::ConsultEnded
            | E::ConsultConferenceEnded
            | E::ContactEnded
            | E::Acw
            | E::ContactWrappedUp
            | E::ContactUnassigned
            | E::ParticipantLeftConference
            | E::LeftConference
            | E::BlindTransferred
            | E::VteamTransferred
            | E::ConsultTransferred
            | E::ConferenceTransferred
            | E::ContactEndedWrapUp
            | E::ContactEndedNoWrapUp
    )
}

/// The kind SPEC §4 gives `record` from an agent in `agent`'s state, checked in the
/// spec's order; `None` when the record would be accepted (as a transition, a
/// notice or a late notification). The strategies write native records of
/// transition events only: no notice names, no snapshot fields, no reservation id.
pub(super) fn expected(agent: Agent<'_>, record: &OwnedRecord) -> Option<RejectionKind> {
    use RejectionKind as K;
    let interaction = record.interaction.as_deref();
    let event = record.event();
    // malformed: an id that is not a non-empty string; E3, E4, E22 or E34 with
    // no interaction id.
    if record.agent.is_empty() || interaction == Some("") {
        return Some(K::Malformed);
    }
    let offer = matches!(
        event,
        Some(Event::OfferCampaignReserved | Event::OfferContact | Event::OfferConsult)
    );
    let snapshot = event == Some(Event::ContactSnapshot);
    if (offer || snapshot) && interaction.is_none() {
        return Some(K::Malformed);
    }
    // unknown_event: in no placement of §2.
    let Some(event) = event else {
        return Some(K::UnknownEvent);
    };
    // A snapshot is only ever malformed or, stating no phase (a native record
    // carries none of §3.5's fields), illegal_transition.
    if snapshot {
        return Some(K::IllegalTransition);
    }
    // out_of_order: earlier than the last accepted time.
    if let (Some(t), Some(last)) = (record.time, agent.last_time) {
        if t < last {
            return Some(K::OutOfOrder);
        }
    }
    let held = agent.held;
    let has_call = agent.phase.has_call();
    let row = table::rule_for(agent.phase, agent.recording, agent.role, event);
    // agent_busy: E3/E4/E22 while holding a call, except where the table has a row
    // for the event in this state and the record names the held call.
    if offer && has_call && !(row.is_some() && interaction == held) {
        return Some(K::AgentBusy);
    }
    // interaction_mismatch: another interaction than the call's, E1/E2 excepted.
    let availability = matches!(event, Event::AgentAvailable | Event::AgentIdle);
    if has_call && interaction.is_some() && interaction != held && !availability {
        return Some(K::InteractionMismatch);
    }
    // agent_not_ready: E3/E4/E22 while idle.
    if offer && agent.phase == Phase::Idle {
        return Some(K::AgentNotReady);
    }
    // no_active_call: an event that needs a call with none held — except a late
    // notification of the finished call (§3.4), accepted without change.
    if !offer && !availability && !has_call {
        let late = interaction.is_some() && interaction == agent.finished && is_late(event);
        return (!late).then_some(K::NoActiveCall);
    }
    // illegal_transition: anything else the table does not allow.
    if row.is_none() {
        return Some(K::IllegalTransition);
    }
    None
}
