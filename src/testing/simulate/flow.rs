//! What a simulated agent does next: an event chosen by walking the table
//! ([`crate::model::table::allowed`]) with realistic weights, and how long it takes.
//!
//! Only events the table allows in the agent's state are ever candidates, so the
//! simulator cannot disagree with the table; the weights below only shape how
//! often each allowed event is taken. Every allowed event keeps a weight of at
//! least 1, so every row of the table fires in a long enough log.

use super::rng::Rng;
use crate::model::table::{self, Status};
#[cfg(test)]
use crate::model::vocabulary::{Availability, Recording, Role};
use crate::model::vocabulary::{Event, Phase};
use strum::EnumCount;

/// How a call was dialed (SPEC §5's optional `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The agent previews the contact first (E3, then E4).
    Preview,
    /// The dialer calls when an agent is free (E4).
    Progressive,
    /// The dialer calls ahead of free agents (E4).
    Predictive,
}

impl Mode {
    /// The wire name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Mode::Preview => "preview",
            Mode::Progressive => "progressive",
            Mode::Predictive => "predictive",
        }
    }
}

/// One call an agent holds: what stays the same from its offer to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Call {
    /// The interaction id, as 128 random bits (rendered as a UUID).
    pub(crate) id: u128,
    /// When the call was offered or reserved (ms since the epoch).
    pub(crate) created: i64,
    /// The customer's number, without the `+`.
    pub(crate) customer: u64,
    /// How it was dialed.
    pub(crate) mode: Mode,
}

impl Call {
    /// A new call bound by `event` (E3 is preview dialing, E4 progressive or
    /// predictive) at `time`.
    pub(crate) fn new(rng: &mut Rng, event: Event, time: i64) -> Call {
        let mode = match event {
            Event::OfferCampaignReserved => Mode::Preview,
            _ if rng.chance(0.5) => Mode::Progressive,
            _ => Mode::Predictive,
        };
        // Either a North American or an Indian number, like the seed's sample.
        let customer = if rng.chance(0.6) {
            10_000_000_000 + rng.range(2_000_000_000, 9_999_999_999)
        } else {
            910_000_000_000 + rng.range(6_000_000_000, 9_999_999_999)
        };
        Call {
            id: rng.next_u128(),
            created: time,
            customer,
            mode,
        }
    }
}

/// The next event of an agent in `status`: one the table allows (a snapshot
/// aside: the simulator writes none), drawn by [`weight`].
pub(crate) fn choose(rng: &mut Rng, status: Status) -> Event {
    let phase = status.phase;
    let mut events = [Event::AgentAvailable; Event::COUNT];
    let mut weights = [0u32; Event::COUNT];
    let mut n = 0;
    let allowed = table::allowed(phase, status.recording, status.role);
    for event in allowed.iter().filter(|e| !e.is_snapshot()) {
        events[n] = event;
        weights[n] = weight(phase, event);
        n += 1;
    }
    events[rng.weighted(&weights[..n])]
}

/// How likely `event` is in `phase`, relative to the phase's other allowed
/// events. At least 1 for every event, so no allowed event is starved.
pub(crate) fn weight(phase: Phase, event: Event) -> u32 {
    use Event as E;
    use Phase as P;
    match (phase, event) {
        // No call: mostly waiting for the dialer, sometimes a break.
        (P::Ready, E::OfferContact) => 60,
        (P::Ready, E::OfferCampaignReserved) => 30,
        (P::Ready, E::AgentIdle) => 6,
        // Consulted by a colleague (role consulted from here on).
        (P::Ready, E::OfferConsult) => 8,
        (P::Idle, E::AgentAvailable) => 30,
        // Preview: mostly accepted, else skipped, not answered or dropped.
        (P::Reserved, E::OfferContact) => 70,
        (P::Reserved, E::ContactEnded) => 10,
        (P::Reserved | P::Offered, E::OfferContactRona) => 7,
        (P::Reserved | P::Offered, E::ContactAssignFailed | E::InviteFailed) => 3,
        (P::Reserved, E::Dropped) => 8,
        // Offered: the customer usually answers.
        (P::Offered, E::CustAnswered) => 80,
        (P::Offered, E::Dropped) => 8,
        (P::Offered, E::ContactEnded) => 4,
        // A consulted agent answers (E13 from offered is the consulted role's row).
        (P::Offered, E::Consulting) => 80,
        // Talking.
        (P::Connected, E::ContactEnded) => 25,
        (P::Connected, E::RecordingStarted) => 18,
        (P::Connected, E::ContactHeld) => 12,
        (P::Connected, E::ConsultCreated) => 6,
        (P::Hold, E::ContactUnHeld) => 50,
        (P::Hold, E::ConsultCreated) => 12,
        (P::Consulting, E::Consulting) => 60,
        (P::Consulting, E::ConsultFailed) => 15,
        (P::Consulting, E::ConsultEnded) => 8,
        (P::Consult, E::ConsultConferenced | E::ConsultEnded) => 40,
        (P::Consult, E::ConsultTransferred) => 15,
        (P::Conference, E::ConsultConferenceEnded) => 40,
        (P::Conference, E::ConsultEnded) => 25,
        (P::Conference, E::ContactEnded) => 10,
        (P::Conference, E::ConferenceTransferred) => 8,
        (_, E::ResumeRecording) => 20,
        (_, E::PauseRecording) => 4,
        // After the call.
        (P::Ended, E::Acw) => 90,
        (P::WrapUp, E::ContactWrappedUp) => 90,
        // Availability changes while on a call; calls that end abruptly.
        (_, E::AgentAvailable | E::AgentIdle) if phase.has_call() => 2,
        (_, E::Dropped | E::ContactEnded | E::RecordingStarted) => 3,
        _ => 1,
    }
}

/// How long (ms, inclusive bounds) it realistically takes before `event`
/// happens to an agent in `phase`.
pub(crate) fn delay(phase: Phase, event: Event) -> (u64, u64) {
    use Event as E;
    use Phase as P;
    const S: u64 = 1_000;
    match (phase, event) {
        (P::Idle, E::AgentAvailable) => (30 * S, 600 * S),
        (P::Ready, E::OfferContact | E::OfferCampaignReserved) => (2 * S, 45 * S),
        (P::Ready | P::Idle, _) => (5 * S, 300 * S),
        (P::Reserved, E::OfferContact) => (3 * S, 40 * S),
        // ronaTimeout is 18 s in the seed.
        (_, E::OfferContactRona) => (18 * S, 19 * S),
        (P::Offered, E::CustAnswered) => (2 * S, 25 * S),
        (P::Reserved | P::Offered, _) => (S, 30 * S),
        (_, E::RecordingStarted) => (300, 5 * S),
        (_, E::PauseRecording | E::ResumeRecording) => (5 * S, 90 * S),
        (P::Connected, E::ContactEnded) => (20 * S, 420 * S),
        (P::Connected, E::ContactHeld) => (10 * S, 180 * S),
        (P::Hold, E::ContactUnHeld) => (5 * S, 90 * S),
        (_, E::ConsultCreated) => (5 * S, 120 * S),
        (P::Consulting, _) => (3 * S, 25 * S),
        (P::Consult, _) => (10 * S, 180 * S),
        (P::Conference, _) => (20 * S, 300 * S),
        (P::Ended, E::Acw) => (200, 2 * S),
        (P::WrapUp, E::ContactWrappedUp) => (5 * S, 120 * S),
        _ => (S, 60 * S),
    }
}

/// How long before `event` happens to an agent in `phase`, drawn as a contact
/// center sees it ([`super::Simulator::realistic`]): log-normal talk, hold,
/// consult and wrap-up times with long tails, rings of a few seconds (an answer
/// always before the 18 s RONA), RONA at its timeout. Other events keep
/// [`delay`]'s uniform draw.
pub(crate) fn realistic_delay(rng: &mut Rng, phase: Phase, event: Event) -> u64 {
    use Event as E;
    use Phase as P;
    const S: f64 = 1_000.0;
    const MIN: u64 = 1_000;
    const HOURS: u64 = 3 * 3_600_000;
    // (median, sigma, lo, hi): medians in ms.
    let (median, sigma, lo, hi) = match (phase, event) {
        (_, E::OfferContactRona) => return rng.range(18_000, 18_600),
        (P::Offered, E::CustAnswered | E::Consulting) => (6.0 * S, 0.5, 800, 17_500),
        (P::Reserved, E::OfferContact | E::CustAnswered) => (12.0 * S, 0.6, MIN, 120_000),
        (P::Connected, E::ContactEnded | E::Acw | E::ContactEndedWrapUp) => {
            (240.0 * S, 0.8, 5_000, HOURS)
        }
        (P::Connected, _) => (90.0 * S, 0.9, 2_000, HOURS),
        (P::Hold, _) => (40.0 * S, 0.9, 2_000, 1_800_000),
        (P::Consulting, _) => (8.0 * S, 0.5, MIN, 60_000),
        (P::Consult, _) => (60.0 * S, 0.8, 3_000, 1_800_000),
        (P::Conference, _) => (150.0 * S, 0.8, 5_000, HOURS),
        (P::WrapUp, _) => (30.0 * S, 0.7, 2_000, 900_000),
        _ => {
            let (lo, hi) = delay(phase, event);
            return rng.range(lo, hi);
        }
    };
    rng.log_normal(median, sigma, lo, hi)
}

/// Would a validator that misses `event` (in `phase` with `recording`) be back in
/// step with the agent by the end of the call?
///
/// Not if the event ends the call, leads to its end (`eAgentContactEnded`,
/// `acw`), or makes the agent available: a validator that misses those holds a
/// stale call (or an idle agent) and rejects everything the agent does after.
/// Faults that lose an event only pick recoverable ones, so a faulty log has
/// local damage, not a ruined tail.
pub(crate) fn recoverable(status: Status, event: Event) -> bool {
    match table::rule_for(status.phase, status.recording, status.role, event) {
        Some(rule) => {
            !rule.terminates()
                && !matches!(
                    event,
                    Event::AgentAvailable | Event::ContactEnded | Event::Acw
                )
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_allowed_event_has_a_weight_and_a_delay() {
        for phase in Phase::iter() {
            for recording in table::recordings_possible(phase) {
                let allowed = table::allowed(phase, recording, Role::Owner).union(table::allowed(
                    phase,
                    recording,
                    Role::Consulted,
                ));
                for event in allowed.iter().filter(|e| !e.is_snapshot()) {
                    assert!(weight(phase, event) >= 1, "{phase} {event}");
                    let (lo, hi) = delay(phase, event);
                    assert!(0 < lo && lo <= hi, "{phase} {event}");
                }
            }
        }
    }

    #[test]
    fn losing_a_terminating_event_is_not_recoverable() {
        let st = |phase| Status {
            phase,
            role: Role::Owner,
            recording: Recording::Off,
            availability: Availability::Ready,
        };
        use Phase as P;
        assert!(!recoverable(st(P::WrapUp), Event::ContactWrappedUp));
        assert!(!recoverable(st(P::Connected), Event::Dropped));
        assert!(!recoverable(st(P::Connected), Event::ContactEnded));
        assert!(!recoverable(st(P::Idle), Event::AgentAvailable));
        assert!(
            !recoverable(st(P::Connected), Event::Acw),
            "not allowed at all"
        );
        assert!(recoverable(st(P::Connected), Event::ContactHeld));
        assert!(recoverable(st(P::Ready), Event::OfferContact));
        assert!(recoverable(st(P::Connected), Event::AgentIdle));
    }

    #[test]
    fn choose_only_picks_allowed_events() {
        let mut rng = Rng::new(5);
        for phase in Phase::iter() {
            for recording in table::recordings_possible(phase) {
                for role in Role::iter() {
                    let status = Status {
                        phase,
                        role,
                        recording,
                        availability: Availability::Ready,
                    };
                    let allowed = table::allowed(phase, recording, role);
                    for _ in 0..200 {
                        assert!(allowed.contains(choose(&mut rng, status)));
                    }
                }
            }
        }
    }
}
