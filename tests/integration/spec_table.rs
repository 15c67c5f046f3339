//! SPEC v3 §3 (and §3.4's late notifications), stated by hand from the spec's text
//! as a plain match: the independent reading the exhaustive and property tests hold
//! the library's table to. Nothing here asks the library what is allowed.

#![allow(dead_code)]

use callstate::{Availability, Event, Phase, Recording, Role};

pub fn is_no_call(p: Phase) -> bool {
    matches!(p, Phase::Idle | Phase::Ready)
}

pub fn is_live(p: Phase) -> bool {
    matches!(
        p,
        Phase::Connected | Phase::Hold | Phase::Consulting | Phase::Consult | Phase::Conference
    )
}

/// E3 / E4 / E22.
pub fn is_offer(e: Event) -> bool {
    matches!(
        e,
        Event::OfferCampaignReserved | Event::OfferContact | Event::OfferConsult
    )
}

/// E1 / E2.
pub fn is_availability_event(e: Event) -> bool {
    matches!(e, Event::AgentAvailable | Event::AgentIdle)
}

pub fn home(a: Availability) -> Phase {
    match a {
        Availability::Ready => Phase::Ready,
        Availability::Idle => Phase::Idle,
    }
}

/// What happens to the interaction the agent holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Unchanged.
    Keep,
    /// The record's interaction becomes the agent's call.
    Bind,
    /// The call terminates: interaction cleared, `finished` set (and recording
    /// off, role owner, phase := availability).
    Clear,
}

/// What a row of SPEC §3 does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A transition to (phase, role, recording, availability, call).
    To(Phase, Role, Recording, Availability, Call),
    /// Accepted without change (a "notice" row).
    Notice,
}

/// The row of SPEC §3 that `e` fires in (p, role, r, a). `None`: no row (illegal).
pub fn row(p: Phase, role: Role, r: Recording, a: Availability, e: Event) -> Option<Row> {
    use Event as E;
    use Phase as P;
    use Role::{Consulted as C, Owner as O};
    let live = is_live(p);
    let call = !is_no_call(p);
    let to = |phase| Some(Row::To(phase, role, r, a, Call::Keep));
    // "→ avail": phase := availability, role owner, recording off, interaction cleared.
    let terminate = |a: Availability| Some(Row::To(home(a), O, Recording::Off, a, Call::Clear));
    let notice = Some(Row::Notice);
    match e {
        E::AgentAvailable if !call => {
            Some(Row::To(P::Ready, role, r, Availability::Ready, Call::Keep))
        }
        E::AgentAvailable => Some(Row::To(p, role, r, Availability::Ready, Call::Keep)),
        E::AgentIdle if !call => Some(Row::To(P::Idle, role, r, Availability::Idle, Call::Keep)),
        E::AgentIdle => Some(Row::To(p, role, r, Availability::Idle, Call::Keep)),
        E::OfferCampaignReserved if p == P::Ready => {
            Some(Row::To(P::Reserved, role, r, a, Call::Bind))
        }
        E::OfferCampaignReserved if p == P::Reserved && role == O => notice,
        E::OfferContact if p == P::Ready => Some(Row::To(P::Offered, role, r, a, Call::Bind)),
        E::OfferContact if p == P::Reserved && role == O => to(P::Offered),
        E::OfferConsult if p == P::Ready => Some(Row::To(P::Offered, C, r, a, Call::Bind)),
        E::OfferConsult if p == P::Reserved => Some(Row::To(P::Offered, C, r, a, Call::Keep)),
        E::OfferContactRona if matches!(p, P::Reserved | P::Offered) => {
            terminate(Availability::Idle)
        }
        E::ContactEnded | E::ContactEndedWrapUp | E::ContactEndedNoWrapUp if p == P::Reserved => {
            terminate(a)
        }
        E::CustAnswered if matches!(p, P::Offered | P::Reserved) && role == O => to(P::Connected),
        E::CustAnswered if p == P::Consult && role == C => {
            Some(Row::To(P::Connected, O, r, a, Call::Keep))
        }
        E::CustAnswered if matches!(p, P::Connected | P::Hold) => notice,
        E::RecordingStarted if live && r == Recording::Off => {
            Some(Row::To(p, role, Recording::On, a, Call::Keep))
        }
        E::PauseRecording if live && r != Recording::Paused => {
            Some(Row::To(p, role, Recording::Paused, a, Call::Keep))
        }
        E::ResumeRecording if live && r == Recording::Paused => {
            Some(Row::To(p, role, Recording::On, a, Call::Keep))
        }
        E::ContactHeld if p == P::Connected => to(P::Hold),
        E::ContactUnHeld if p == P::Hold => to(P::Connected),
        E::ContactHeld | E::ContactUnHeld
            if matches!(p, P::Consulting | P::Consult | P::Conference) =>
        {
            notice
        }
        E::ConsultCreated if matches!(p, P::Connected | P::Hold) && role == O => to(P::Consulting),
        E::Consulting if p == P::Consulting && role == O => to(P::Consult),
        E::Consulting if p == P::Offered && role == C => to(P::Consult),
        E::ConsultFailed if p == P::Consulting && role == O => to(P::Hold),
        E::ConsultEnded if matches!(p, P::Consulting | P::Consult) && role == O => to(P::Hold),
        E::ConsultEnded if matches!(p, P::Offered | P::Consult | P::Conference) && role == C => {
            terminate(a)
        }
        E::ConsultConferenced if p == P::Consult => to(P::Conference),
        E::ConsultEnded | E::ConsultConferenceEnded if p == P::Conference && role == O => {
            to(P::Connected)
        }
        E::ConsultConferenceEnded if p == P::Conference && role == C => terminate(a),
        E::ContactEnded if p == P::Offered || live => to(P::Ended),
        E::ContactEnded if p == P::WrapUp => notice,
        E::Acw if p == P::Ended || live => to(P::WrapUp),
        E::Acw if p == P::WrapUp => notice,
        E::ContactWrappedUp if p == P::WrapUp => terminate(a),
        E::Dropped if call => terminate(a),
        E::ContactAssignFailed | E::InviteFailed if matches!(p, P::Reserved | P::Offered) => {
            terminate(a)
        }
        E::ContactUnassigned if live => to(P::WrapUp),
        E::ParticipantLeftConference if p == P::Conference => {
            Some(Row::To(P::Connected, O, r, a, Call::Keep))
        }
        E::ParticipantLeftConference if matches!(p, P::Connected | P::Hold) => notice,
        E::LeftConference if p == P::Conference => to(P::WrapUp),
        E::LeftConference if p == P::WrapUp => notice,
        E::BlindTransferred | E::VteamTransferred
            if matches!(p, P::Connected | P::Hold) && role == O =>
        {
            to(P::WrapUp)
        }
        E::ConsultTransferred if matches!(p, P::Consulting | P::Consult) && role == O => {
            to(P::WrapUp)
        }
        E::ConsultTransferred if p == P::Consult && role == C => {
            Some(Row::To(P::Connected, O, r, a, Call::Keep))
        }
        E::ConferenceTransferred if p == P::Conference && role == O => to(P::WrapUp),
        E::ConferenceTransferred if p == P::Conference && role == C => {
            Some(Row::To(P::Connected, O, r, a, Call::Keep))
        }
        E::ConferenceTransferred if matches!(p, P::Connected | P::Hold) && role == O => notice,
        E::ConferenceTransferred if p == P::WrapUp => notice,
        E::ContactEndedWrapUp if p == P::Offered || live || p == P::Ended => to(P::WrapUp),
        E::ContactEndedNoWrapUp if p == P::Offered || live || p == P::Ended => terminate(a),
        E::ContactEndedWrapUp | E::ContactEndedNoWrapUp if p == P::WrapUp => notice,
        _ => None,
    }
}

/// SPEC §3.4: the events accepted without change when they name `finished`.
pub fn is_late(e: Event) -> bool {
    use Event as E;
    matches!(
        e,
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
