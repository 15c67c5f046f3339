//! What a call's time is spent on and how it ended (SPEC §12), as data: which
//! phase's time goes to which duration ([`bucket_of`]), and which outcome the
//! transition that closed the call gives ([`outcome_of`]). The per-call records,
//! the summary and the simulator's ground truth are all derived from these two.

use crate::model::vocabulary::{Event, Phase};
use serde::Serialize;
use strum::{AsRefStr, Display, EnumCount, EnumIter, IntoStaticStr};

/// Where a call's time goes: each phase with a call adds its time to one bucket.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    Serialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// A preview reservation waiting for the agent (`reserved`).
    Preview,
    /// The offer ringing (`offered`).
    Ring,
    /// Agent and customer talking (`connected`).
    Talk,
    /// The customer on hold (`hold`).
    Hold,
    /// A consult requested or going on (`consulting`, `consult`).
    Consult,
    /// Three parties on the call (`conference`).
    Conference,
    /// After the contact ended (`ended`, `wrapUp`).
    WrapUp,
}

/// The bucket `phase`'s time goes to; `None` for the phases without a call.
pub const fn bucket_of(phase: Phase) -> Option<Bucket> {
    match phase {
        Phase::Idle | Phase::Ready => None,
        Phase::Reserved => Some(Bucket::Preview),
        Phase::Offered => Some(Bucket::Ring),
        Phase::Connected => Some(Bucket::Talk),
        Phase::Hold => Some(Bucket::Hold),
        Phase::Consulting | Phase::Consult => Some(Bucket::Consult),
        Phase::Conference => Some(Bucket::Conference),
        Phase::Ended | Phase::WrapUp => Some(Bucket::WrapUp),
    }
}

/// The buckets whose sum is a call's handle time (talk + hold + wrap-up).
pub const HANDLE: [Bucket; 3] = [Bucket::Talk, Bucket::Hold, Bucket::WrapUp];

/// Is `phase` one of the call's *open* phases — ringing or live — that its
/// closing transition leaves (`reserved`, `offered` and the live phases)?
pub const fn is_open_phase(phase: Phase) -> bool {
    matches!(phase, Phase::Reserved | Phase::Offered) || phase.is_live()
}

/// How a call ended: decided by its closing transition (SPEC §12.4).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    Serialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answered, then ended by a hang-up or the agent's end.
    Answered,
    /// Answered, then transferred by this agent (blind, queue, consult, conference).
    Transferred,
    /// Answered; this agent left a conference that went on.
    Left,
    /// Answered; the contact was taken from the agent.
    Unassigned,
    /// Not answered: redirection on no answer.
    Rona,
    /// Offered, not answered: the contact ended first (the customer hung up).
    Abandoned,
    /// A preview reservation that ended without being offered or answered.
    Skipped,
    /// The offer could not be assigned or the device not invited.
    Failed,
    /// The call leg was dropped (`eAgentContactDropped`) in an open phase.
    Dropped,
    /// A snapshot of the platform moved the call out of its open phases: what
    /// ended it was not seen.
    Snapshot,
    /// Not finished when the input ended.
    Open,
}

/// The outcome of a call closed by `event`, leaving `from` (an open phase, see
/// [`is_open_phase`]), `answered` or not before it.
pub const fn outcome_of(answered: bool, from: Phase, event: Event) -> Outcome {
    use Event as E;
    use Outcome as O;
    match event {
        E::ContactSnapshot => O::Snapshot,
        E::OfferContactRona => O::Rona,
        E::ContactAssignFailed | E::InviteFailed => O::Failed,
        E::Dropped if matches!(from, Phase::Reserved) => O::Skipped,
        E::Dropped => O::Dropped,
        E::BlindTransferred
        | E::VteamTransferred
        | E::ConsultTransferred
        | E::ConferenceTransferred => O::Transferred,
        E::LeftConference => O::Left,
        E::ContactUnassigned => O::Unassigned,
        _ if answered => O::Answered,
        _ if matches!(from, Phase::Reserved) => O::Skipped,
        _ => O::Abandoned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::TABLE;
    use strum::IntoEnumIterator;

    #[test]
    fn every_phase_with_a_call_has_a_bucket() {
        for phase in Phase::iter() {
            assert_eq!(bucket_of(phase).is_some(), phase.has_call(), "{phase}");
        }
    }

    #[test]
    fn buckets_and_open_phases_as_spec_12_lists_them() {
        use Phase as P;
        let buckets: Vec<_> = Phase::iter().map(|p| (p, bucket_of(p))).collect();
        assert_eq!(
            buckets,
            [
                (P::Idle, None),
                (P::Ready, None),
                (P::Reserved, Some(Bucket::Preview)),
                (P::Offered, Some(Bucket::Ring)),
                (P::Connected, Some(Bucket::Talk)),
                (P::Hold, Some(Bucket::Hold)),
                (P::Consulting, Some(Bucket::Consult)),
                (P::Consult, Some(Bucket::Consult)),
                (P::Conference, Some(Bucket::Conference)),
                (P::Ended, Some(Bucket::WrapUp)),
                (P::WrapUp, Some(Bucket::WrapUp)),
            ]
        );
        let open: Vec<_> = Phase::iter().filter(|p| is_open_phase(*p)).collect();
        assert_eq!(
            open,
            [
                P::Reserved,
                P::Offered,
                P::Connected,
                P::Hold,
                P::Consulting,
                P::Consult,
                P::Conference
            ]
        );
    }

    #[test]
    fn each_closing_event_gives_its_outcome() {
        use Event as E;
        use Outcome as O;
        use Phase::{Connected, Offered, Reserved};
        for (answered, from, event, outcome) in [
            (true, Connected, E::ContactSnapshot, O::Snapshot),
            (false, Offered, E::OfferContactRona, O::Rona),
            (false, Offered, E::ContactAssignFailed, O::Failed),
            (false, Offered, E::InviteFailed, O::Failed),
            (false, Reserved, E::Dropped, O::Skipped),
            (false, Offered, E::Dropped, O::Dropped),
            (true, Connected, E::Dropped, O::Dropped),
            (true, Connected, E::BlindTransferred, O::Transferred),
            (true, Connected, E::VteamTransferred, O::Transferred),
            (true, Connected, E::ConsultTransferred, O::Transferred),
            (true, Connected, E::ConferenceTransferred, O::Transferred),
            (true, Connected, E::LeftConference, O::Left),
            (true, Connected, E::ContactUnassigned, O::Unassigned),
            (true, Connected, E::ContactEnded, O::Answered),
            (false, Reserved, E::ContactEnded, O::Skipped),
            (false, Offered, E::ContactEnded, O::Abandoned),
        ] {
            assert_eq!(
                outcome_of(answered, from, event),
                outcome,
                "{answered} {from} {event}"
            );
        }
    }

    #[test]
    fn every_rule_closing_a_call_has_an_outcome_other_than_open() {
        for rule in TABLE {
            for from in rule.from.iter().filter(|p| is_open_phase(*p)) {
                for answered in [false, true] {
                    assert_ne!(outcome_of(answered, from, rule.event), Outcome::Open);
                }
            }
        }
    }
}
