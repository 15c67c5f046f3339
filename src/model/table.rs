//! The transition table of SPEC §3, as data: the only place the machine's rules live.
//!
//! Each [`Rule`] reads like a Boost.SML row, `from + event [guard] / effect = to`:
//!
//! ```text
//! connected, hold + eAgentConsultCreated              = consulting
//! live            + ePauseRecording [recording on] / recording := paused
//! wrapUp          + eAgentContactWrappedUp            = → availability
//! ```
//!
//! Everything else is derived from [`TABLE`]: stepping ([`rule_for`]), `can()`, the
//! allowed events of a state ([`allowed`]), the diagrams, the docs and the test paths.
//! The dense lookup behind [`rule_for`] is built at compile time, and building it
//! fails the compilation if two rules claim the same (phase, recording, event) cell.

use crate::model::vocabulary::{Availability, CallNotice, Event, EventSet, Phase, Recording, Role};
use crate::model::walk;
use strum::{EnumCount, IntoEnumIterator};

/// A set of phases, as a bit set over [`Phase`]'s discriminants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhaseSet(u16);

impl PhaseSet {
    /// The empty set.
    pub const EMPTY: PhaseSet = PhaseSet(0);
    /// `idle`, `ready`: the agent holds no call ([`Phase::has_call`]).
    pub const NO_CALL: PhaseSet = PhaseSet::where_call(false);
    /// `connected`, `hold`, `consulting`, `consult`, `conference`: the customer is on
    /// the line ([`Phase::is_live`]).
    pub const LIVE: PhaseSet = {
        let mut set = PhaseSet::EMPTY;
        let mut i = 0;
        while i < Phase::COUNT {
            if PHASES[i].is_live() {
                set = set.union(PhaseSet::of(&[PHASES[i]]));
            }
            i += 1;
        }
        set
    };
    /// Every phase in which the agent holds a call.
    pub const CALL: PhaseSet = PhaseSet::where_call(true);
    /// Every phase.
    pub const ALL: PhaseSet = PhaseSet((1 << Phase::COUNT) - 1);

    /// The set of the given phases.
    pub const fn of(phases: &[Phase]) -> PhaseSet {
        let mut bits = 0;
        let mut i = 0;
        while i < phases.len() {
            bits |= 1 << phases[i] as u16;
            i += 1;
        }
        PhaseSet(bits)
    }

    /// The phases whose [`Phase::has_call`] is `call`.
    const fn where_call(call: bool) -> PhaseSet {
        let mut set = PhaseSet::EMPTY;
        let mut i = 0;
        while i < Phase::COUNT {
            if PHASES[i].has_call() == call {
                set = set.union(PhaseSet::of(&[PHASES[i]]));
            }
            i += 1;
        }
        set
    }

    /// Both sets' phases.
    pub const fn union(self, other: PhaseSet) -> PhaseSet {
        PhaseSet(self.0 | other.0)
    }

    /// This set's phases that are not in `other`.
    pub const fn minus(self, other: PhaseSet) -> PhaseSet {
        PhaseSet(self.0 & !other.0)
    }

    /// Does the set hold `phase`?
    pub const fn contains(self, phase: Phase) -> bool {
        self.0 & (1 << phase as u16) != 0
    }

    /// The phases of the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::iter().filter(move |p| self.contains(*p))
    }
}

/// A set of recording states, as a bit set over [`Recording`]'s discriminants: a
/// rule's recording guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordingSet(u8);

impl RecordingSet {
    /// The set of the given recording states.
    pub const fn of(recordings: &[Recording]) -> RecordingSet {
        let mut bits = 0;
        let mut i = 0;
        while i < recordings.len() {
            bits |= 1 << recordings[i] as u8;
            i += 1;
        }
        RecordingSet(bits)
    }

    /// Does the set hold `recording`?
    pub const fn contains(self, recording: Recording) -> bool {
        self.0 & (1 << recording as u8) != 0
    }

    /// The recording states of the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Recording> {
        Recording::iter().filter(move |r| self.contains(*r))
    }
}

impl std::fmt::Display for RecordingSet {
    /// `on`, or `on or off`: the states in declaration order, joined by "or".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// Where a rule takes the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// To this phase.
    Phase(Phase),
    /// The phase does not change (availability and recording changes).
    Stay,
    /// The call terminates: the phase becomes the agent's availability (after this
    /// rule's effect), role `owner`, recording `off` and the interaction is cleared.
    Terminate,
    /// Accepted without change (SPEC §3.3): not a transition.
    Notice,
    /// The desktop's snapshot (SPEC §3.5): the record's fields decide the state.
    Snapshot,
}

/// What a rule does besides changing the phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Nothing else.
    None,
    /// availability := this.
    Availability(Availability),
    /// recording := this.
    Recording(Recording),
    /// The record's interaction becomes the agent's call.
    Bind,
}

/// One row of the table: `from + event [when recording, role] / effect = to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The phases the rule applies in.
    pub from: PhaseSet,
    /// The event that fires it.
    pub event: Event,
    /// The rule applies only while recording is in this set (`None`: any).
    pub guard: Option<RecordingSet>,
    /// The rule applies only in this role (`None`: either).
    pub role: Option<Role>,
    /// Where the agent goes.
    pub to: Target,
    /// What else changes.
    pub effect: Effect,
    /// role := this (`None`: unchanged, or `owner` when the call terminates).
    pub role_to: Option<Role>,
    /// Why the rule exists, in the words of SPEC §3.
    pub note: &'static str,
}

impl Rule {
    const fn new(from: PhaseSet, event: Event, to: Target) -> Rule {
        Rule {
            from,
            event,
            guard: None,
            role: None,
            to,
            effect: Effect::None,
            role_to: None,
            note: "",
        }
    }

    const fn when(mut self, recordings: &[Recording]) -> Rule {
        self.guard = Some(RecordingSet::of(recordings));
        self
    }

    const fn by(mut self, role: Role) -> Rule {
        self.role = Some(role);
        self
    }

    const fn then(mut self, effect: Effect) -> Rule {
        self.effect = effect;
        self
    }

    const fn makes(mut self, role: Role) -> Rule {
        self.role_to = Some(role);
        self
    }

    const fn note(mut self, note: &'static str) -> Rule {
        self.note = note;
        self
    }

    /// Does the rule apply in `phase` with recording in `recording`, in `role`?
    pub const fn matches(&self, phase: Phase, recording: Recording, role: Role) -> bool {
        self.from.contains(phase)
            && match self.guard {
                None => true,
                Some(g) => g.contains(recording),
            }
            && match self.role {
                None => true,
                Some(r) => r as u8 == role as u8,
            }
    }

    /// Does firing this rule terminate the call?
    pub const fn terminates(&self) -> bool {
        matches!(self.to, Target::Terminate)
    }

    /// Is this rule's event accepted without change (SPEC §3.3)?
    pub const fn is_notice(&self) -> bool {
        matches!(self.to, Target::Notice)
    }

    /// The phase the rule leads to from `phase`, given the availability the agent
    /// has *before* the rule's effect (a notice and a snapshot: `phase`).
    pub const fn destination(&self, phase: Phase, availability: Availability) -> Phase {
        match self.to {
            Target::Phase(p) => p,
            Target::Stay | Target::Notice | Target::Snapshot => phase,
            Target::Terminate => self.availability_after(availability).phase(),
        }
    }

    /// The availability after the rule fires, from `availability` before it.
    pub const fn availability_after(&self, availability: Availability) -> Availability {
        match self.effect {
            Effect::Availability(a) => a,
            _ => availability,
        }
    }

    /// The role after the rule fires, from `role` before it.
    pub const fn role_after(&self, role: Role) -> Role {
        match (self.to, self.role_to) {
            (Target::Terminate, _) => Role::Owner,
            (_, Some(r)) => r,
            _ => role,
        }
    }
}

use Event as E;
use Phase as P;
use Recording as Rec;
use Role::{Consulted, Owner};

const fn set(phases: &[Phase]) -> PhaseSet {
    PhaseSet::of(phases)
}
const fn on(from: PhaseSet, event: Event, to: Phase) -> Rule {
    Rule::new(from, event, Target::Phase(to))
}
const fn stay(from: PhaseSet, event: Event) -> Rule {
    Rule::new(from, event, Target::Stay)
}
const fn end(from: PhaseSet, event: Event) -> Rule {
    Rule::new(from, event, Target::Terminate)
}
const fn notice(from: PhaseSet, event: Event) -> Rule {
    Rule::new(from, event, Target::Notice)
}

const LIVE: PhaseSet = PhaseSet::LIVE;
const CALL: PhaseSet = PhaseSet::CALL;
const NO_CALL: PhaseSet = PhaseSet::NO_CALL;
const AVAIL_READY: Effect = Effect::Availability(Availability::Ready);
const AVAIL_IDLE: Effect = Effect::Availability(Availability::Idle);
const CONNECTED_HOLD: PhaseSet = set(&[P::Connected, P::Hold]);
const CONSULTS: PhaseSet = set(&[P::Consulting, P::Consult, P::Conference]);
const CONTACT_ENDS: PhaseSet = set(&[P::Offered, P::Ended]).union(LIVE);

/// SPEC §3, row by row (§3.1, then §3.2). Anything not listed is illegal.
pub const TABLE: &[Rule] = &[
    // §3.1: v2's rows.
    on(NO_CALL, E::AgentAvailable, P::Ready)
        .then(AVAIL_READY)
        .note("the agent becomes available"),
    on(NO_CALL, E::AgentIdle, P::Idle)
        .then(AVAIL_IDLE)
        .note("the agent becomes idle"),
    stay(CALL, E::AgentAvailable)
        .then(AVAIL_READY)
        .note("takes effect when the call terminates"),
    stay(CALL, E::AgentIdle)
        .then(AVAIL_IDLE)
        .note("takes effect when the call terminates"),
    on(set(&[P::Ready]), E::OfferCampaignReserved, P::Reserved)
        .then(Effect::Bind)
        .note("binds the interaction id (preview dialing)"),
    on(set(&[P::Ready]), E::OfferContact, P::Offered)
        .then(Effect::Bind)
        .note("binds the interaction id (progressive / predictive)"),
    on(set(&[P::Reserved]), E::OfferContact, P::Offered)
        .by(Owner)
        .note("reservation offered"),
    end(set(&[P::Reserved, P::Offered]), E::OfferContactRona)
        .then(AVAIL_IDLE)
        .note("redirection on no answer: terminates, the agent goes idle"),
    end(set(&[P::Reserved]), E::ContactEnded)
        .note("reservation ended: terminal cleanup, no wrap-up"),
    on(set(&[P::Offered]), E::CustAnswered, P::Connected)
        .by(Owner)
        .note("the customer answered"),
    stay(LIVE, E::RecordingStarted)
        .when(&[Rec::Off])
        .then(Effect::Recording(Rec::On))
        .note("recording starts"),
    stay(LIVE, E::PauseRecording)
        .when(&[Rec::Off, Rec::On])
        .then(Effect::Recording(Rec::Paused))
        .note("recording pauses (the server may have started it unannounced)"),
    stay(LIVE, E::ResumeRecording)
        .when(&[Rec::Paused])
        .then(Effect::Recording(Rec::On))
        .note("recording resumes"),
    on(set(&[P::Connected]), E::ContactHeld, P::Hold).note("the customer is put on hold"),
    on(set(&[P::Hold]), E::ContactUnHeld, P::Connected).note("the customer is back"),
    on(CONNECTED_HOLD, E::ConsultCreated, P::Consulting)
        .by(Owner)
        .note("the customer is held during the consult"),
    on(set(&[P::Consulting]), E::Consulting, P::Consult)
        .by(Owner)
        .note("consulted party answered"),
    on(set(&[P::Consulting]), E::ConsultFailed, P::Hold)
        .by(Owner)
        .note("customer stays on hold"),
    on(set(&[P::Consulting, P::Consult]), E::ConsultEnded, P::Hold)
        .by(Owner)
        .note("customer stays on hold"),
    on(set(&[P::Consult]), E::ConsultConferenced, P::Conference)
        .by(Owner)
        .note("the consult becomes a conference"),
    on(set(&[P::Conference]), E::ConsultEnded, P::Connected)
        .by(Owner)
        .note("consulted party left"),
    on(
        set(&[P::Conference]),
        E::ConsultConferenceEnded,
        P::Connected,
    )
    .by(Owner)
    .note("consulted party left"),
    on(set(&[P::Offered]).union(LIVE), E::ContactEnded, P::Ended).note("the contact ended"),
    on(set(&[P::Ended]), E::Acw, P::WrapUp).note("after-call work starts"),
    end(set(&[P::WrapUp]), E::ContactWrappedUp).note("after-call work is done"),
    end(CALL, E::Dropped).note(
        "the call leg is gone (skip/remove, no answer, hang-up, failed outdial, cleared after acw)",
    ),
    // §3.2: v3's rows.
    on(set(&[P::Reserved]), E::CustAnswered, P::Connected)
        .by(Owner)
        .note("a preview (or reservation) accepted; re-keys the call when the record says so"),
    on(set(&[P::Ready]), E::OfferConsult, P::Offered)
        .then(Effect::Bind)
        .makes(Consulted)
        .note("a consult leg is offered: binds the interaction id"),
    on(set(&[P::Reserved]), E::OfferConsult, P::Offered)
        .makes(Consulted)
        .note("the reservation is a consult leg"),
    on(set(&[P::Offered]), E::Consulting, P::Consult)
        .by(Consulted)
        .note("the consulted agent answered"),
    end(
        set(&[P::Offered, P::Consult, P::Conference]),
        E::ConsultEnded,
    )
    .by(Consulted)
    .note("the consult ended: the consulted agent is done, no wrap-up"),
    on(set(&[P::Consult]), E::ConsultConferenced, P::Conference)
        .by(Consulted)
        .note("the consult becomes a conference"),
    end(set(&[P::Conference]), E::ConsultConferenceEnded)
        .by(Consulted)
        .note("the conference ended: the consulted agent is done, no wrap-up"),
    end(set(&[P::Reserved, P::Offered]), E::ContactAssignFailed)
        .note("the offer was declined or could not be assigned"),
    end(set(&[P::Reserved, P::Offered]), E::InviteFailed)
        .note("the agent's device could not be invited"),
    on(LIVE, E::ContactUnassigned, P::WrapUp)
        .note("the contact was taken from the agent; wrap-up follows"),
    on(
        set(&[P::Conference]),
        E::ParticipantLeftConference,
        P::Connected,
    )
    .makes(Owner)
    .note("another participant left; the agent stays with the customer"),
    notice(CONNECTED_HOLD, E::ParticipantLeftConference)
        .note("a participant's leave reported after the conference already ended"),
    on(set(&[P::Conference]), E::LeftConference, P::WrapUp)
        .note("this agent left the conference; wrap-up follows"),
    on(CONNECTED_HOLD, E::BlindTransferred, P::WrapUp)
        .by(Owner)
        .note("the call went to another agent; wrap-up follows"),
    on(CONNECTED_HOLD, E::VteamTransferred, P::WrapUp)
        .by(Owner)
        .note("the call went to a queue; wrap-up follows"),
    on(
        set(&[P::Consulting, P::Consult]),
        E::ConsultTransferred,
        P::WrapUp,
    )
    .by(Owner)
    .note("the call went to the consulted party; wrap-up follows"),
    on(set(&[P::Consult]), E::ConsultTransferred, P::Connected)
        .by(Consulted)
        .makes(Owner)
        .note("the consulted agent received the call"),
    on(set(&[P::Conference]), E::ConferenceTransferred, P::WrapUp)
        .by(Owner)
        .note("the conference went to another agent; wrap-up follows"),
    on(
        set(&[P::Conference]),
        E::ConferenceTransferred,
        P::Connected,
    )
    .by(Consulted)
    .makes(Owner)
    .note("this agent received the conference"),
    notice(CONNECTED_HOLD, E::ConferenceTransferred)
        .by(Owner)
        .note("the transfer reported after the conference already dropped to two parties"),
    notice(set(&[P::WrapUp]), E::ConferenceTransferred)
        .note("the transfer reported after this agent left"),
    notice(set(&[P::WrapUp]), E::LeftConference)
        .note("this agent's leave reported after the transfer or an unassign"),
    on(set(&[P::Consult]), E::CustAnswered, P::Connected)
        .by(Consulted)
        .makes(Owner)
        .note("the consult leg was assigned to this agent (a consult transfer)"),
    notice(CONNECTED_HOLD, E::CustAnswered)
        .note("a re-assignment of the call the agent already has"),
    notice(set(&[P::Reserved]), E::OfferCampaignReserved)
        .by(Owner)
        .note("a repeated reservation of the same interaction"),
    on(LIVE, E::Acw, P::WrapUp).note("the agent ended the call (the answer to its end request)"),
    notice(set(&[P::WrapUp]), E::Acw).note("a second wrap-up notification"),
    notice(set(&[P::WrapUp]), E::ContactEnded)
        .note("the customer's hang-up reported after the agent's wrap-up began"),
    on(CONTACT_ENDS, E::ContactEndedWrapUp, P::WrapUp)
        .note("the contact ended and this agent must wrap up"),
    notice(set(&[P::WrapUp]), E::ContactEndedWrapUp).note("as the contact's end in wrap-up"),
    end(CONTACT_ENDS, E::ContactEndedNoWrapUp)
        .note("the contact ended and this agent has no wrap-up"),
    notice(set(&[P::WrapUp]), E::ContactEndedNoWrapUp).note("as the contact's end in wrap-up"),
    end(set(&[P::Reserved]), E::ContactEndedWrapUp).note("as the contact's end in reserved"),
    end(set(&[P::Reserved]), E::ContactEndedNoWrapUp).note("as the contact's end in reserved"),
    notice(CONSULTS, E::ContactHeld).note("a hold of one leg during a consult or conference"),
    notice(CONSULTS, E::ContactUnHeld).note("a resume of one leg during a consult or conference"),
    Rule::new(PhaseSet::ALL, E::ContactSnapshot, Target::Snapshot)
        .note("the platform's state of the call: authoritative (SPEC §3.5)"),
];

/// The phases where a call notice of SPEC §2.2 is accepted without change.
pub const fn notice_phases(notice: CallNotice) -> PhaseSet {
    use CallNotice as N;
    const CONSULTING: PhaseSet = set(&[P::Consulting, P::Consult]);
    const CONSULT_CONF: PhaseSet = set(&[P::Consult, P::Conference]);
    const CONFERENCE: PhaseSet = set(&[P::Conference]);
    const RESERVED: PhaseSet = set(&[P::Reserved]);
    match notice {
        N::AgentContactHoldFailed
        | N::AgentContactUnHoldFailed
        | N::ContactRecordingPauseFailed
        | N::ContactRecordingResumeFailed
        | N::AgentBlindTransferFailed
        | N::AgentVteamTransferFailed => LIVE,
        N::AgentCtqCancelFailed | N::AgentConsultTransferring | N::AgentConsultTransferFailed => {
            CONSULTING
        }
        N::AgentConsultEndFailed | N::ConsultedParticipantMoving => CONSULTS,
        N::AgentConsultConferencing | N::ParticipantJoinedConference => CONSULT_CONF,
        N::AgentConsultConferenceFailed => set(&[P::Consult]),
        N::AgentConsultConferenceEndFailed
        | N::ParticipantLeftConferenceFailed
        | N::ParticipantDropConferenceFailed
        | N::AgentConferenceTransferFailed => CONFERENCE,
        N::AgentContactEndFailed => set(&[P::Offered]).union(LIVE),
        N::AgentWrapupFailed => set(&[P::WrapUp]),
        N::CampaignContactUpdated
        | N::CampaignPreviewAcceptFailed
        | N::CampaignPreviewSkipFailed
        | N::CampaignPreviewRemoveFailed => RESERVED,
        N::ContactMerged | N::ContactOwnerChanged | N::ContactUpdated => CALL,
        N::ParticipantPostCallActivity => LIVE.union(set(&[P::Ended, P::WrapUp])),
    }
}

/// The events that, naming the agent's `finished` call in `idle` or `ready`, are
/// accepted without change (SPEC §3.4): E15, E17, E18, E19, E20, E25 … E33.
pub const fn is_late_notification(event: Event) -> bool {
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

/// No rule: the marker in the dense lookup.
const NONE: u8 = u8::MAX;

type Lookup = [[[[u8; Event::COUNT]; Role::COUNT]; Recording::COUNT]; Phase::COUNT];

/// `LOOKUP[phase][recording][role][event]` is the index in [`TABLE`] of the one
/// rule that applies, or [`NONE`]. Built at compile time; two rules on one cell
/// fail the build.
const LOOKUP: Lookup = {
    assert!(TABLE.len() < NONE as usize);
    let mut lookup = [[[[NONE; Event::COUNT]; Role::COUNT]; Recording::COUNT]; Phase::COUNT];
    let mut r = 0;
    while r < TABLE.len() {
        let rule = &TABLE[r];
        let mut p = 0;
        // `<=` here is an equivalent mutant: bit Phase::COUNT of a set is never set.
        while p < Phase::COUNT {
            let mut rec = 0;
            while rec < Recording::COUNT {
                let mut role = 0;
                while role < Role::COUNT {
                    if rule.matches(PHASES[p], RECORDINGS[rec], ROLES[role]) {
                        let cell = &mut lookup[p][rec][role][rule.event as usize];
                        assert!(
                            *cell == NONE,
                            "two rules claim one (phase, recording, role, event)"
                        );
                        *cell = r as u8;
                    }
                    role += 1;
                }
                rec += 1;
            }
            p += 1;
        }
        r += 1;
    }
    lookup
};

/// The parts of an agent's state that the table speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// Where the call stands.
    pub phase: Phase,
    /// Whose call it is (SPEC §1); `owner` with no call.
    #[serde(default)]
    pub role: Role,
    /// Whether the call is being recorded.
    pub recording: Recording,
    /// Where the agent returns when the call terminates.
    pub availability: Availability,
}

/// A [`Status`] packed into one byte,
/// `((phase × 3 + recording) × 2 + availability) × 2 + role`: what a machine
/// stores, so that a step is one table load away from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StateCode(u8);

pub(crate) const STATES: usize =
    Phase::COUNT * Recording::COUNT * Availability::COUNT * Role::COUNT;
const _: () = assert!(STATES <= u8::MAX as usize);

impl StateCode {
    /// The index of `status`.
    pub(crate) const fn of(status: Status) -> StateCode {
        let r = status.phase as usize * Recording::COUNT + status.recording as usize;
        let a = r * Availability::COUNT + status.availability as usize;
        StateCode((a * Role::COUNT + status.role as usize) as u8)
    }

    /// The index as a number below [`STATES`].
    pub(crate) const fn code(self) -> usize {
        self.0 as usize
    }

    /// The index numbered `code`, if it is below [`STATES`].
    // Its only caller passes codes below STATES, so `<=` survives as an equivalent mutant.
    pub(crate) const fn from_code(code: usize) -> Option<StateCode> {
        if code < STATES {
            Some(StateCode(code as u8))
        } else {
            None
        }
    }

    /// Does the agent hold a call in this state? (`idle` and `ready` come first in
    /// [`Phase`]'s order, so this is one comparison, no lookup.)
    #[inline]
    pub(crate) const fn has_call(self) -> bool {
        self.0 as usize >= 2 * Recording::COUNT * Availability::COUNT * Role::COUNT
    }

    /// The status this index stands for.
    #[inline]
    pub(crate) fn status(self) -> Status {
        STATUS[self.0 as usize]
    }
}

/// `STATUS[i]` is the status of `StateCode(i)`.
const STATUS: [Status; STATES] = {
    let mut all = [Status {
        phase: Phase::Idle,
        role: Role::Owner,
        recording: Recording::Off,
        availability: Availability::Ready,
    }; STATES];
    let per_phase = Recording::COUNT * Availability::COUNT * Role::COUNT;
    // `+` for `*` here is an equivalent mutant while both counts are 2.
    let per_recording = Availability::COUNT * Role::COUNT;
    let mut i = 0;
    while i < STATES {
        all[i] = Status {
            phase: PHASES[i / per_phase],
            recording: RECORDINGS[i / per_recording % Recording::COUNT],
            availability: AVAILABILITIES[i / Role::COUNT % Availability::COUNT],
            role: ROLES[i % Role::COUNT],
        };
        i += 1;
    }
    all
};

/// What happens to the agent's call when a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CallChange {
    /// The call (or the absence of one) stays.
    Keep,
    /// The record's interaction becomes the agent's call.
    Bind,
    /// The call terminates: no interaction any more.
    Clear,
}

/// What kind of acceptance a cell of the table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StepKind {
    /// A transition: the state moves to [`Step::next`].
    Transition,
    /// Accepted without change (SPEC §3.3).
    Notice,
    /// The snapshot (SPEC §3.5): the record decides.
    Snapshot,
}

/// The whole effect of one cell of the table — (phase, recording, availability,
/// role, event) — precomputed from [`TABLE`] at compile time, so that stepping is
/// a lookup and a few stores instead of a walk over the rule's target and effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Step {
    rule: u8,
    /// The state after, packed (a notice's and a snapshot's: the state before).
    pub(crate) next: StateCode,
    /// What happens to the call.
    pub(crate) call: CallChange,
    /// A transition, a notice or a snapshot.
    pub(crate) kind: StepKind,
}

impl Step {
    /// The rule that fires.
    pub(crate) fn rule(&self) -> &'static Rule {
        &TABLE[self.rule as usize]
    }

    /// The index in [`TABLE`] of the rule that fires.
    pub(crate) fn rule_index(&self) -> usize {
        self.rule as usize
    }
}

// Discriminant order, for const code (strum's iterators are not const); a test
// checks these against `Phase::iter()` and friends.
const PHASES: [Phase; Phase::COUNT] = [
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
const RECORDINGS: [Recording; Recording::COUNT] =
    [Recording::Off, Recording::On, Recording::Paused];
const AVAILABILITIES: [Availability; Availability::COUNT] =
    [Availability::Ready, Availability::Idle];
const ROLES: [Role; Role::COUNT] = [Role::Owner, Role::Consulted];

/// Events per row of [`STEPS`]: a power of two, so a cell is `code << 6 | event`.
const ROW: usize = 64;
const _: () = assert!(Event::COUNT <= ROW);

/// `STEPS[code << 6 | event]`: the cell's [`Step`], if a rule applies. Derived from
/// [`LOOKUP`], that is from [`TABLE`].
static STEPS: [Option<Step>; STATES * ROW] = {
    let mut steps = [None; STATES * ROW];
    let mut code = 0;
    while code < STATES {
        let status = STATUS[code];
        let mut e = 0;
        while e < Event::COUNT {
            let index =
                LOOKUP[status.phase as usize][status.recording as usize][status.role as usize][e];
            if index != NONE {
                steps[code * ROW + e] = Some(fire(index, status));
            }
            e += 1;
        }
        code += 1;
    }
    steps
};

/// What rule `index` does in state `status`.
const fn fire(index: u8, status: Status) -> Step {
    let rule = &TABLE[index as usize];
    let kind = match rule.to {
        Target::Notice => StepKind::Notice,
        Target::Snapshot => StepKind::Snapshot,
        _ => StepKind::Transition,
    };
    if !matches!(kind, StepKind::Transition) {
        return Step {
            rule: index,
            next: StateCode::of(status),
            call: CallChange::Keep,
            kind,
        };
    }
    let phase = rule.destination(status.phase, status.availability);
    let availability = rule.availability_after(status.availability);
    let role = rule.role_after(status.role);
    let (recording, call) = match (rule.to, rule.effect) {
        (Target::Terminate, _) => (Recording::Off, CallChange::Clear),
        (_, Effect::Recording(r)) => (r, CallChange::Keep),
        (_, Effect::Bind) => (status.recording, CallChange::Bind),
        _ => (status.recording, CallChange::Keep),
    };
    Step {
        rule: index,
        next: StateCode::of(Status {
            phase,
            role,
            recording,
            availability,
        }),
        call,
        kind,
    }
}

/// The cell of the table for `event` in the state packed as `code`.
#[inline]
pub(crate) fn step_at(code: StateCode, event: Event) -> Option<Step> {
    // `^` for `|` is an equivalent mutant: an event's number fits the low 6 bits.
    STEPS[(code.0 as usize) << 6 | event as usize]
}

/// The rule that applies to `event` in `phase` with recording in `recording`, in
/// `role`, if any.
#[inline]
pub fn rule_for(
    phase: Phase,
    recording: Recording,
    role: Role,
    event: Event,
) -> Option<&'static Rule> {
    rule_index(phase, recording, role, event).map(|i| &TABLE[i])
}

/// The index in [`TABLE`] of the rule [`rule_for`] returns.
#[inline]
pub fn rule_index(phase: Phase, recording: Recording, role: Role, event: Event) -> Option<usize> {
    match LOOKUP[phase as usize][recording as usize][role as usize][event as usize] {
        NONE => None,
        i => Some(i as usize),
    }
}

/// The events some rule accepts in `phase` with recording in `recording`, in `role`
/// (notice rows and the snapshot included).
pub fn allowed(phase: Phase, recording: Recording, role: Role) -> EventSet {
    Event::iter()
        .filter(|e| rule_for(phase, recording, role, *e).is_some())
        .collect()
}

/// One row of SPEC §3.5's table: the snapshot *state* values it reads, the phase
/// they give (`held`: the phase when the snapshot says the call is held) and the
/// phases compatible with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRow {
    /// The *state* values, matched ASCII-case-insensitively.
    pub states: &'static [&'static str],
    /// The snapshot's phase.
    pub phase: Phase,
    /// The snapshot's phase when *held* is true.
    pub held: Phase,
    /// The phases callstate keeps when it holds this interaction in one of them.
    pub compatible: PhaseSet,
}

const fn snapshot_row(
    states: &'static [&'static str],
    phase: Phase,
    held: Phase,
    compatible: PhaseSet,
) -> SnapshotRow {
    SnapshotRow {
        states,
        phase,
        held,
        compatible,
    }
}

/// SPEC §3.5's phases of a snapshot, by its *state*.
pub const SNAPSHOT_ROWS: &[SnapshotRow] = &[
    snapshot_row(
        &["new"],
        P::Offered,
        P::Offered,
        set(&[P::Reserved, P::Offered]),
    ),
    snapshot_row(
        &["connected", "active"],
        P::Connected,
        P::Hold,
        set(&[P::Connected, P::Hold, P::Conference]),
    ),
    snapshot_row(
        &["hold", "held"],
        P::Hold,
        P::Hold,
        set(&[P::Hold, P::Consulting, P::Consult]),
    ),
    snapshot_row(
        &["consulting", "consult"],
        P::Consult,
        P::Consult,
        set(&[P::Consulting, P::Consult]),
    ),
    snapshot_row(
        &["conference"],
        P::Conference,
        P::Conference,
        set(&[P::Conference]),
    ),
    snapshot_row(
        &["wrapup"],
        P::WrapUp,
        P::WrapUp,
        WRAP_UP_SNAPSHOT.compatible,
    ),
];

/// The row a snapshot whose *wrap-up* is true reads, whatever its *state*.
pub const WRAP_UP_SNAPSHOT: SnapshotRow =
    snapshot_row(&[], P::WrapUp, P::WrapUp, set(&[P::Ended, P::WrapUp]));

impl SnapshotRow {
    /// The row of a snapshot: [`WRAP_UP_SNAPSHOT`] when `wrap_up`, else the row of
    /// its *state*; `None`: the snapshot states no phase callstate models.
    pub fn of(state: Option<&str>, wrap_up: bool) -> Option<&'static SnapshotRow> {
        if wrap_up {
            return Some(&WRAP_UP_SNAPSHOT);
        }
        let state = state?;
        SNAPSHOT_ROWS
            .iter()
            .find(|row| row.states.iter().any(|s| s.eq_ignore_ascii_case(state)))
    }

    /// The phase the snapshot sets, given its *held*.
    pub const fn phase(&self, held: bool) -> Phase {
        if held {
            self.held
        } else {
            self.phase
        }
    }
}

/// Can an agent be in this state? Does some sequence of accepted records lead a
/// new agent there (starting `ready` or `idle`)? Snapshots included: they can set
/// any of their phases in either role with any recording. The answer is the
/// table's one breadth-first walk (`model/walk.rs`), done once.
pub fn is_reachable(status: Status) -> bool {
    walk::with_snapshots().reaches(StateCode::of(status))
}

/// The recording states an agent can be in while in `phase`, derived from the
/// table and the snapshot.
pub fn recordings_possible(phase: Phase) -> impl Iterator<Item = Recording> {
    Recording::iter().filter(move |&recording| {
        Availability::iter().any(|availability| {
            Role::iter().any(|role| {
                is_reachable(Status {
                    phase,
                    role,
                    recording,
                    availability,
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, VecDeque};

    fn every_status() -> impl Iterator<Item = Status> {
        (0..STATES).map(|i| StateCode(i as u8).status())
    }

    #[test]
    fn no_two_rules_claim_one_cell() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in TABLE[i + 1..].iter().filter(|b| b.event == a.event) {
                for s in every_status() {
                    assert!(
                        !(a.matches(s.phase, s.recording, s.role)
                            && b.matches(s.phase, s.recording, s.role)),
                        "{a:?} and {b:?} both claim {s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn phase_sets_are_the_vocabularys() {
        assert_eq!(
            PhaseSet::NO_CALL,
            PhaseSet::of(&[Phase::Idle, Phase::Ready])
        );
        assert_eq!(PhaseSet::CALL, PhaseSet::ALL.minus(PhaseSet::NO_CALL));
        // The table only unites disjoint sets; a union of overlapping ones keeps both.
        assert_eq!(PhaseSet::LIVE.union(PhaseSet::CALL), PhaseSet::CALL);
        for p in Phase::iter() {
            assert_eq!(PhaseSet::LIVE.contains(p), p.is_live());
        }
    }

    #[test]
    fn const_enum_lists_follow_discriminant_order() {
        assert!(Phase::iter().eq(PHASES));
        assert!(Recording::iter().eq(RECORDINGS));
        assert!(Availability::iter().eq(AVAILABILITIES));
        assert!(Role::iter().eq(ROLES));
    }

    #[test]
    fn state_indexes_round_trip_in_one_byte() {
        assert_eq!(STATES, 132);
        for i in 0..STATES {
            assert_eq!(
                StateCode::of(StateCode(i as u8).status()),
                StateCode(i as u8)
            );
            assert_eq!(
                StateCode(i as u8).has_call(),
                StateCode(i as u8).status().phase.has_call()
            );
        }
    }

    #[test]
    fn steps_agree_with_the_rules() {
        for s in every_status() {
            for e in Event::iter() {
                let rule = rule_for(s.phase, s.recording, s.role, e);
                let step = step_at(StateCode::of(s), e);
                assert_eq!(rule.is_some(), step.is_some());
                let (Some(rule), Some(step)) = (rule, step) else {
                    continue;
                };
                assert_eq!(rule, step.rule());
                let next = step.next.status();
                match rule.to {
                    Target::Notice | Target::Snapshot => assert_eq!(next, s),
                    _ => {
                        assert_eq!(next.phase, rule.destination(s.phase, s.availability));
                        assert_eq!(next.role, rule.role_after(s.role));
                        assert_eq!(next.availability, rule.availability_after(s.availability));
                    }
                }
                assert_eq!(step.call == CallChange::Clear, rule.terminates());
                assert_eq!(step.call == CallChange::Bind, rule.effect == Effect::Bind);
                assert_eq!(step.kind == StepKind::Notice, rule.is_notice());
            }
        }
    }

    #[test]
    fn lookup_agrees_with_a_scan_of_the_table() {
        for s in every_status() {
            for e in Event::iter() {
                let scanned = TABLE
                    .iter()
                    .position(|x| x.event == e && x.matches(s.phase, s.recording, s.role));
                assert_eq!(
                    rule_index(s.phase, s.recording, s.role, e),
                    scanned,
                    "{s:?} {e}"
                );
            }
        }
    }

    #[test]
    fn every_event_is_used() {
        let used: BTreeSet<Event> = TABLE.iter().map(|r| r.event).collect();
        assert_eq!(used.len(), Event::COUNT);
    }

    #[test]
    fn every_phase_and_role_is_reachable_by_transitions() {
        // Breadth-first over statuses, firing every transition rule.
        let start = walk::START.status();
        let mut seen = std::collections::HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(s) = queue.pop_front() {
            for rule in TABLE
                .iter()
                .filter(|x| x.matches(s.phase, s.recording, s.role))
                .filter(|x| !matches!(x.to, Target::Notice | Target::Snapshot))
            {
                let recording = match (rule.effect, rule.terminates()) {
                    (_, true) => Recording::Off,
                    (Effect::Recording(x), _) => x,
                    _ => s.recording,
                };
                let next = Status {
                    phase: rule.destination(s.phase, s.availability),
                    role: rule.role_after(s.role),
                    recording,
                    availability: rule.availability_after(s.availability),
                };
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        let phases: BTreeSet<Phase> = seen.iter().map(|s| s.phase).collect();
        assert_eq!(phases.len(), Phase::COUNT, "reached only {phases:?}");
        assert!(seen.iter().any(|s| s.role == Role::Consulted));
        for s in every_status() {
            assert_eq!(
                seen.contains(&s),
                walk::from_start().reaches(StateCode::of(s)),
                "{s:?}"
            );
            if seen.contains(&s) {
                assert!(is_reachable(s), "{s:?}");
            }
        }
        // No call: owner, recording off, the availability's phase.
        for s in every_status().filter(|s| is_reachable(*s) && !s.phase.has_call()) {
            assert_eq!(
                (s.role, s.recording),
                (Role::Owner, Recording::Off),
                "{s:?}"
            );
            assert_eq!(s.phase, s.availability.phase(), "{s:?}");
        }
    }

    #[test]
    fn recordings_possible_follow_the_spec() {
        let all: BTreeSet<Recording> = Recording::iter().collect();
        for phase in Phase::iter() {
            let possible: BTreeSet<Recording> = recordings_possible(phase).collect();
            if !phase.has_call() {
                // SPEC §1: recording is off when a call terminates.
                assert_eq!(possible, BTreeSet::from([Recording::Off]), "{phase:?}");
            } else if phase.is_live() {
                // SPEC §2 rows 10–12: a live call's recording starts, pauses and resumes.
                assert_eq!(possible, all, "{phase:?}");
            }
        }
    }

    #[test]
    fn every_rule_has_a_note_and_a_nonempty_source() {
        for rule in TABLE {
            assert!(!rule.note.is_empty(), "{rule:?}");
            assert_ne!(rule.from, PhaseSet::EMPTY, "{rule:?}");
        }
    }

    #[test]
    fn guards_only_on_live_recording_rules() {
        for rule in TABLE.iter().filter(|r| r.guard.is_some()) {
            assert_eq!(rule.from, PhaseSet::LIVE);
            assert!(matches!(rule.effect, Effect::Recording(_)));
        }
    }

    #[test]
    fn every_call_notice_is_accepted_only_in_call_phases() {
        for n in CallNotice::iter() {
            let phases = notice_phases(n);
            assert_ne!(phases, PhaseSet::EMPTY, "{n}");
            assert_eq!(phases.minus(PhaseSet::CALL), PhaseSet::EMPTY, "{n}");
        }
    }

    #[test]
    fn snapshot_rows_name_each_state_once() {
        let mut seen = BTreeSet::new();
        for row in SNAPSHOT_ROWS {
            for state in row.states {
                assert!(seen.insert(state.to_ascii_lowercase()), "{state}");
                assert_eq!(
                    SnapshotRow::of(Some(&state.to_uppercase()), false),
                    Some(row)
                );
            }
            assert!(row.compatible.contains(row.phase));
        }
        assert_eq!(SnapshotRow::of(Some("parked"), false), None);
        assert_eq!(SnapshotRow::of(None, true), Some(&WRAP_UP_SNAPSHOT));
    }

    #[test]
    fn allowed_events_in_consulting() {
        let allowed = allowed(Phase::Consulting, Recording::Off, Role::Owner);
        assert_eq!(
            allowed.to_string(),
            "AgentAvailable, AgentIdle, eCallRecordingStarted, ePauseRecording, \
             eAgentContactHeld, eAgentContactUnHeld, eAgentConsulting, \
             eAgentConsultFailed, eAgentConsultEnded, eAgentContactEnded, acw, DROPPED, \
             AgentContactUnassigned, AgentConsultTransferred, ContactEndedWrapUp, \
             ContactEndedNoWrapUp, AgentContact"
        );
    }
}
