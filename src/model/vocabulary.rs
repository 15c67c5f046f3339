//! The words of the machine: phases, recording, availability and events (SPEC §1–§2).
//!
//! Every enum here carries its wire name through [`strum`]: `Display`, `AsRef<str>`,
//! `IntoStaticStr` and `EnumIter` all agree with the spelling the engine reports.
//! Event names coming *in* are resolved with [`Event::resolve`], which is
//! case-insensitive and knows every alias of SPEC §2.

use crate::model::unknown_name::{self, UnknownName};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumCount, EnumIter, IntoStaticStr};

/// Where one agent's call stands (SPEC §1), spelled as on the wire.
///
/// `Idle` and `Ready` are the *no-call* phases; every other phase means the agent
/// holds exactly one call (one interaction id).
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
    Deserialize,
)]
#[repr(u8)]
pub enum Phase {
    /// No call; the agent is not taking offers.
    #[strum(serialize = "idle")]
    #[serde(rename = "idle")]
    Idle,
    /// No call; the agent may be offered one.
    #[strum(serialize = "ready")]
    #[serde(rename = "ready")]
    Ready,
    /// A preview contact is reserved for the agent.
    #[strum(serialize = "reserved")]
    #[serde(rename = "reserved")]
    Reserved,
    /// The contact is being offered (input alias: `new`).
    #[strum(serialize = "offered")]
    #[serde(rename = "offered", alias = "new")]
    Offered,
    /// Agent and customer are talking.
    #[strum(serialize = "connected")]
    #[serde(rename = "connected")]
    Connected,
    /// The customer is on hold.
    #[strum(serialize = "hold")]
    #[serde(rename = "hold")]
    Hold,
    /// A consult has been requested; the consulted party has not answered yet.
    #[strum(serialize = "consulting")]
    #[serde(rename = "consulting")]
    Consulting,
    /// The agent is talking to the consulted party; the customer is on hold.
    #[strum(serialize = "consult")]
    #[serde(rename = "consult")]
    Consult,
    /// Agent, customer and consulted party are all on the call.
    #[strum(serialize = "conference")]
    #[serde(rename = "conference")]
    Conference,
    /// The contact ended; after-call work has not started yet.
    #[strum(serialize = "ended")]
    #[serde(rename = "ended")]
    Ended,
    /// After-call work (wrap-up).
    #[strum(serialize = "wrapUp")]
    #[serde(rename = "wrapUp")]
    WrapUp,
}

impl Phase {
    /// Is the agent holding a call in this phase?
    pub const fn has_call(self) -> bool {
        !matches!(self, Phase::Idle | Phase::Ready)
    }

    /// Is this one of the *live* phases where the customer is on the line
    /// (`connected`, `hold`, `consulting`, `consult`, `conference`)?
    pub const fn is_live(self) -> bool {
        matches!(
            self,
            Phase::Connected | Phase::Hold | Phase::Consulting | Phase::Consult | Phase::Conference
        )
    }

    /// The phase named `name` on the wire, case-insensitively; `new` means `offered`.
    pub fn from_wire(name: &str) -> Option<Phase> {
        use strum::IntoEnumIterator;
        if name.eq_ignore_ascii_case("new") {
            return Some(Phase::Offered);
        }
        Phase::iter().find(|p| p.as_ref().eq_ignore_ascii_case(name))
    }
}

/// Whether the current call is being recorded (SPEC §1).
///
/// Only meaningful while a call is live; it is reset to `Off` when a call terminates.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Recording {
    /// Not recording.
    #[default]
    Off,
    /// Recording.
    On,
    /// Recording paused.
    Paused,
}

/// Where the agent goes when a call terminates (SPEC §1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Availability {
    /// Back to `ready`: the agent takes the next offer.
    #[default]
    Ready,
    /// Back to `idle`: the agent takes no offers.
    Idle,
}

/// `"ready"` or `"idle"`, as [`Display`](std::fmt::Display) writes them.
impl std::str::FromStr for Availability {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, UnknownName> {
        let values = <Availability as strum::IntoEnumIterator>::iter();
        unknown_name::parse("availability", name, values, <&str>::from)
    }
}

impl Availability {
    /// The no-call phase this availability returns the agent to.
    pub const fn phase(self) -> Phase {
        match self {
            Availability::Ready => Phase::Ready,
            Availability::Idle => Phase::Idle,
        }
    }
}

/// Whose call the agent holds (SPEC §1): its own customer's, or one it was
/// consulted on. `owner` whenever the agent holds no call.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Role {
    /// The agent owns the customer's call.
    #[default]
    Owner,
    /// The agent was offered the call as a consult (`AgentOfferConsult`).
    Consulted,
}

/// The 34 canonical transition events of SPEC §2.1, in the spec's order (E1 … E34).
///
/// `Display`/`AsRef<str>` give the canonical name, the one the engine reports.
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
    Deserialize,
)]
#[repr(u8)]
pub enum Event {
    /// E1: the agent becomes available.
    AgentAvailable,
    /// E2: the agent becomes idle (not ready).
    AgentIdle,
    /// E3: a preview campaign contact is reserved for the agent.
    #[strum(serialize = "eAgentOfferCampaignReserved")]
    #[serde(rename = "eAgentOfferCampaignReserved")]
    OfferCampaignReserved,
    /// E4: a contact is offered to the agent.
    #[strum(serialize = "eAgentOfferContact")]
    #[serde(rename = "eAgentOfferContact")]
    OfferContact,
    /// E5: the offer was not answered (redirection on no answer).
    #[strum(serialize = "eAgentOfferContactRona")]
    #[serde(rename = "eAgentOfferContactRona")]
    OfferContactRona,
    /// E6: the customer answered.
    CustAnswered,
    /// E7: call recording started.
    #[strum(serialize = "eCallRecordingStarted")]
    #[serde(rename = "eCallRecordingStarted")]
    RecordingStarted,
    /// E8: call recording paused.
    #[strum(serialize = "ePauseRecording")]
    #[serde(rename = "ePauseRecording")]
    PauseRecording,
    /// E9: call recording resumed.
    #[strum(serialize = "eResumeRecording")]
    #[serde(rename = "eResumeRecording")]
    ResumeRecording,
    /// E10: the customer was put on hold.
    #[strum(serialize = "eAgentContactHeld")]
    #[serde(rename = "eAgentContactHeld")]
    ContactHeld,
    /// E11: the customer was taken off hold.
    #[strum(serialize = "eAgentContactUnHeld")]
    #[serde(rename = "eAgentContactUnHeld")]
    ContactUnHeld,
    /// E12: a consult was requested.
    #[strum(serialize = "eAgentConsultCreated")]
    #[serde(rename = "eAgentConsultCreated")]
    ConsultCreated,
    /// E13: the consulted party answered.
    #[strum(serialize = "eAgentConsulting")]
    #[serde(rename = "eAgentConsulting")]
    Consulting,
    /// E14: the consult failed or was cancelled.
    #[strum(serialize = "eAgentConsultFailed")]
    #[serde(rename = "eAgentConsultFailed")]
    ConsultFailed,
    /// E15: the consult (or the consulted party's leg of a conference) ended.
    #[strum(serialize = "eAgentConsultEnded")]
    #[serde(rename = "eAgentConsultEnded")]
    ConsultEnded,
    /// E16: the consult became a conference.
    #[strum(serialize = "eAgentConsultConferenced")]
    #[serde(rename = "eAgentConsultConferenced")]
    ConsultConferenced,
    /// E17: the conference ended (the consulted party left).
    #[strum(serialize = "eAgentConsultConferenceEnded")]
    #[serde(rename = "eAgentConsultConferenceEnded")]
    ConsultConferenceEnded,
    /// E18: the contact ended.
    #[strum(serialize = "eAgentContactEnded")]
    #[serde(rename = "eAgentContactEnded")]
    ContactEnded,
    /// E19: after-call work started.
    #[strum(serialize = "acw")]
    #[serde(rename = "acw")]
    Acw,
    /// E20: after-call work finished.
    #[strum(serialize = "eAgentContactWrappedUp")]
    #[serde(rename = "eAgentContactWrappedUp")]
    ContactWrappedUp,
    /// E21: the call leg is gone (skipped, not answered, hung up, failed outdial, cleared).
    #[strum(serialize = "DROPPED")]
    #[serde(rename = "DROPPED")]
    Dropped,
    /// E22: a consult leg is offered to this agent (it becomes `consulted`).
    #[strum(serialize = "AgentOfferConsult")]
    #[serde(rename = "AgentOfferConsult")]
    OfferConsult,
    /// E23: the offer was declined or could not be assigned.
    #[strum(serialize = "AgentContactAssignFailed")]
    #[serde(rename = "AgentContactAssignFailed")]
    ContactAssignFailed,
    /// E24: the agent's device could not be invited.
    #[strum(serialize = "AgentInviteFailed")]
    #[serde(rename = "AgentInviteFailed")]
    InviteFailed,
    /// E25: the contact was taken from the agent; wrap-up follows.
    #[strum(serialize = "AgentContactUnassigned")]
    #[serde(rename = "AgentContactUnassigned")]
    ContactUnassigned,
    /// E26: another participant left the conference.
    ParticipantLeftConference,
    /// E27: this agent left the conference.
    #[strum(serialize = "AgentLeftConference")]
    #[serde(rename = "AgentLeftConference")]
    LeftConference,
    /// E28: the call went to another agent (blind transfer).
    #[strum(serialize = "AgentBlindTransferred")]
    #[serde(rename = "AgentBlindTransferred")]
    BlindTransferred,
    /// E29: the call went to a queue.
    #[strum(serialize = "AgentVteamTransferred")]
    #[serde(rename = "AgentVteamTransferred")]
    VteamTransferred,
    /// E30: the call went to the consulted party.
    #[strum(serialize = "AgentConsultTransferred")]
    #[serde(rename = "AgentConsultTransferred")]
    ConsultTransferred,
    /// E31: the conference went to another agent.
    #[strum(serialize = "AgentConferenceTransferred")]
    #[serde(rename = "AgentConferenceTransferred")]
    ConferenceTransferred,
    /// E32: the contact ended and this agent must wrap up.
    ContactEndedWrapUp,
    /// E33: the contact ended and this agent has no wrap-up.
    ContactEndedNoWrapUp,
    /// E34: the platform's state of the call (the desktop's snapshot, SPEC §3.5).
    #[strum(serialize = "AgentContact")]
    #[serde(rename = "AgentContact")]
    ContactSnapshot,
}

/// A call notice of SPEC §2.2 (N1 … N28): accepted without change in the phases
/// where it can occur (`table::CallNotice::accepted_in`), naming the held call.
/// Its name is its canonical name, matched in any ASCII case.
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
    Deserialize,
)]
#[repr(u8)]
#[allow(missing_docs)] // each variant is its wire name; SPEC §2.2 says what it is
pub enum CallNotice {
    AgentContactHoldFailed,
    AgentContactUnHoldFailed,
    ContactRecordingPauseFailed,
    ContactRecordingResumeFailed,
    AgentCtqCancelFailed,
    AgentConsultEndFailed,
    AgentConsultConferencing,
    AgentConsultConferenceFailed,
    AgentConsultConferenceEndFailed,
    ParticipantJoinedConference,
    ParticipantLeftConferenceFailed,
    ParticipantDropConferenceFailed,
    AgentConferenceTransferFailed,
    AgentBlindTransferFailed,
    AgentVteamTransferFailed,
    AgentConsultTransferring,
    AgentConsultTransferFailed,
    ConsultedParticipantMoving,
    AgentContactEndFailed,
    AgentWrapupFailed,
    CampaignContactUpdated,
    CampaignPreviewAcceptFailed,
    CampaignPreviewSkipFailed,
    CampaignPreviewRemoveFailed,
    ContactMerged,
    ContactOwnerChanged,
    ContactUpdated,
    ParticipantPostCallActivity,
}

impl CallNotice {
    /// The canonical name (as SPEC §2.2 writes it).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The position in SPEC §2.2, 1-based (N1 … N28).
    pub const fn number(self) -> u8 {
        self as u8 + 1
    }

    /// What the notification says, in the words of SPEC §2.2.
    pub const fn what(self) -> &'static str {
        use CallNotice as N;
        match self {
            N::AgentContactHoldFailed => "a hold request failed",
            N::AgentContactUnHoldFailed => "an unhold request failed",
            N::ContactRecordingPauseFailed => "a pause request failed",
            N::ContactRecordingResumeFailed => "a resume request failed",
            N::AgentCtqCancelFailed => "cancelling a consult to a queue failed",
            N::AgentConsultEndFailed => "ending a consult failed",
            N::AgentConsultConferencing => "the conference is being set up",
            N::AgentConsultConferenceFailed => "a conference request failed",
            N::AgentConsultConferenceEndFailed => "ending a conference failed",
            N::ParticipantJoinedConference => "a participant joined the conference",
            N::ParticipantLeftConferenceFailed => "leaving the conference failed",
            N::ParticipantDropConferenceFailed => "dropping a participant failed",
            N::AgentConferenceTransferFailed => "a conference transfer failed",
            N::AgentBlindTransferFailed => "a blind transfer failed",
            N::AgentVteamTransferFailed => "a transfer to a queue failed",
            N::AgentConsultTransferring => "a consult transfer is under way",
            N::AgentConsultTransferFailed => "a consult transfer failed",
            N::ConsultedParticipantMoving => "the consulted participant is being moved",
            N::AgentContactEndFailed => "an end request failed",
            N::AgentWrapupFailed => "a wrap-up request failed",
            N::CampaignContactUpdated => {
                "the preview contact was updated (skip or remove in progress)"
            }
            N::CampaignPreviewAcceptFailed => "accepting the preview contact failed",
            N::CampaignPreviewSkipFailed => "skipping the preview contact failed",
            N::CampaignPreviewRemoveFailed => "removing the preview contact failed",
            N::ContactMerged => "the call was merged with another leg",
            N::ContactOwnerChanged => "the call's owner changed",
            N::ContactUpdated => "the call's data changed",
            N::ParticipantPostCallActivity => "a participant entered post-call activity",
        }
    }
}

/// An agent notice of SPEC §2.3 (A1 … A13): about the agent's desktop, not its
/// call; accepted without change in every phase.
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
    Deserialize,
)]
#[repr(u8)]
#[allow(missing_docs)] // each variant is its wire name; SPEC §2.3 says what it is
pub enum AgentNotice {
    Welcome,
    StationLogin,
    Logout,
    #[strum(serialize = "AGENT_MULTI_LOGIN")]
    #[serde(rename = "AGENT_MULTI_LOGIN")]
    AgentMultiLogin,
    AgentStateChangeFailed,
    AgentStationLoginFailed,
    AgentReloginFailed,
    AgentLogoutFailed,
    #[strum(serialize = "AgentDNRegistered")]
    #[serde(rename = "AgentDNRegistered")]
    AgentDnRegistered,
    BuddyAgents,
    BuddyAgentsRetrieveFailed,
    WellnessBreak,
    #[strum(serialize = "REAL_TIME_TRANSCRIPTION")]
    #[serde(rename = "REAL_TIME_TRANSCRIPTION")]
    RealTimeTranscription,
}

impl AgentNotice {
    /// The canonical name (as SPEC §2.3 writes it).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The position in SPEC §2.3, 1-based (A1 … A13).
    pub const fn number(self) -> u8 {
        self as u8 + 1
    }

    /// What the notification says, in the words of SPEC §2.3: why it is not an
    /// event of the agent's call.
    pub const fn what(self) -> &'static str {
        use AgentNotice as A;
        match self {
            A::Welcome => "the notification socket was registered",
            A::StationLogin => "the envelope type of a station login's answer",
            A::Logout => "the envelope type of a logout's answer",
            A::AgentMultiLogin => "the agent logged in elsewhere",
            A::AgentStateChangeFailed => "a state change request was refused (state unchanged)",
            A::AgentStationLoginFailed => "a station login failed",
            A::AgentReloginFailed => "a relogin failed",
            A::AgentLogoutFailed => "a logout failed",
            A::AgentDnRegistered => "the agent's dial number was registered",
            A::BuddyAgents => "the list of other agents",
            A::BuddyAgentsRetrieveFailed => "that list could not be read",
            A::WellnessBreak => "a wellness-break notification",
            A::RealTimeTranscription => {
                "a transcript chunk (its call is named in `data.data.conversationId`, not read)"
            }
        }
    }
}

/// The agent-state messages of SPEC §5.3: websocket records that are E1 or E2 by
/// their `subStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, AsRefStr, IntoStaticStr, EnumIter)]
#[repr(u8)]
pub enum StateMessage {
    /// The envelope type of a state change; with another `subStatus`, the
    /// unknown event `AgentStateChange` (v2's rule).
    AgentStateChange,
    /// A state change's answer; with another `subStatus`, an agent notice.
    AgentStateChangeSuccess,
    /// A station login's answer; with another `subStatus`, an agent notice.
    AgentStationLoginSuccess,
    /// A relogin's answer; with another `subStatus`, an agent notice.
    AgentReloginSuccess,
}

/// A name whose event a field of the record decides (SPEC §2.4, §5.3, §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByField {
    /// `participantId`: E27 when it is the record's agent, else E26.
    Participant,
    /// `agentsPendingWrapUp`: absent E18; holding the agent E32; else E33.
    PendingWrapUp,
    /// `subStatus` of a websocket record (SPEC §5.3).
    AgentState(StateMessage),
}

/// Where a wire name is placed (SPEC §2): each name has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// A transition event (E1 … E34), by its canonical name or an alias.
    Event(Event),
    /// A call notice (N1 … N28).
    CallNotice(CallNotice),
    /// An agent notice (A1 … A13).
    AgentNotice(AgentNotice),
    /// An event a field of the record decides (SPEC §2.4).
    ByField(ByField),
}

/// Every name of SPEC §2 that is not the canonical name of its own placement,
/// with its placement: the aliases of §2.1, the names a field decides (§2.4, two of
/// them canonical names of E18 and E26, which they override) and the agent-state
/// messages (§5.3). Every other canonical name — of an [`Event`], a [`CallNotice`]
/// or an [`AgentNotice`] — places itself. Matching is ASCII case-insensitive.
pub const NAMES: &[(&str, Placement)] = {
    use ByField as F;
    use Event as E;
    use Placement::{ByField as By, Event as Ev};
    &[
        ("Available", Ev(E::AgentAvailable)),
        ("Ready", Ev(E::AgentAvailable)),
        ("Idle", Ev(E::AgentIdle)),
        ("NotReady", Ev(E::AgentIdle)),
        ("AgentLogoutSuccess", Ev(E::AgentIdle)),
        (
            "AgentOfferCampaignReservation",
            Ev(E::OfferCampaignReserved),
        ),
        ("eAgentAddCampaignReserved", Ev(E::OfferCampaignReserved)),
        ("eAgentContactReserved", Ev(E::OfferCampaignReserved)),
        ("AgentContactReserved", Ev(E::OfferCampaignReserved)),
        ("AgentOfferContact", Ev(E::OfferContact)),
        ("AgentOfferContactRona", Ev(E::OfferContactRona)),
        ("eAgentContactAssigned", Ev(E::CustAnswered)),
        ("AgentContactAssigned", Ev(E::CustAnswered)),
        ("ContactRecordingStarted", Ev(E::RecordingStarted)),
        ("ContactRecordingPaused", Ev(E::PauseRecording)),
        ("ContactRecordingResumed", Ev(E::ResumeRecording)),
        ("AgentContactHeld", Ev(E::ContactHeld)),
        ("AgentContactUnheld", Ev(E::ContactUnHeld)),
        ("AgentConsultCreated", Ev(E::ConsultCreated)),
        ("AgentConsulting", Ev(E::Consulting)),
        ("AgentConsultFailed", Ev(E::ConsultFailed)),
        ("eAgentCtqFailed", Ev(E::ConsultFailed)),
        ("AgentCtqFailed", Ev(E::ConsultFailed)),
        ("eAgentCtqCancelled", Ev(E::ConsultFailed)),
        ("AgentCtqCancelled", Ev(E::ConsultFailed)),
        ("AgentConsultEnded", Ev(E::ConsultEnded)),
        ("AgentConsultConferenced", Ev(E::ConsultConferenced)),
        ("AgentConsultConferenceEnded", Ev(E::ConsultConferenceEnded)),
        ("eAgentContactEnded", By(F::PendingWrapUp)),
        ("ContactEnded", By(F::PendingWrapUp)),
        ("AgentContactEnded", By(F::PendingWrapUp)),
        ("eAgentWrapup", Ev(E::Acw)),
        ("AgentWrapup", Ev(E::Acw)),
        ("AgentWrappedUp", Ev(E::ContactWrappedUp)),
        ("AgentOutboundFailed", Ev(E::Dropped)),
        ("eAgentOfferConsult", Ev(E::OfferConsult)),
        ("eAgentContactAssignFailed", Ev(E::ContactAssignFailed)),
        ("eAgentInviteFailed", Ev(E::InviteFailed)),
        ("eAgentContactUnassigned", Ev(E::ContactUnassigned)),
        ("ParticipantLeftConference", By(F::Participant)),
        ("eParticipantLeftConference", By(F::Participant)),
        ("eAgentBlindTransferred", Ev(E::BlindTransferred)),
        ("eAgentVteamTransferred", Ev(E::VteamTransferred)),
        ("eAgentConsultTransferred", Ev(E::ConsultTransferred)),
        ("eAgentConferenceTransferred", Ev(E::ConferenceTransferred)),
        ("eAgentContact", Ev(E::ContactSnapshot)),
        (
            "AgentStateChange",
            By(F::AgentState(StateMessage::AgentStateChange)),
        ),
        (
            "AgentStateChangeSuccess",
            By(F::AgentState(StateMessage::AgentStateChangeSuccess)),
        ),
        (
            "AgentStationLoginSuccess",
            By(F::AgentState(StateMessage::AgentStationLoginSuccess)),
        ),
        (
            "AgentReloginSuccess",
            By(F::AgentState(StateMessage::AgentReloginSuccess)),
        ),
    ]
};

/// The websocket notification type whose `subStatus` decides between E1 and E2.
pub const AGENT_STATE_CHANGE: &str = "AgentStateChange";

/// A set of events, as a bit set over [`Event`]'s discriminants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventSet(u64);

impl EventSet {
    /// The empty set.
    pub const EMPTY: EventSet = EventSet(0);

    /// This set with `event` added.
    pub const fn with(self, event: Event) -> EventSet {
        EventSet(self.0 | 1 << event as u64)
    }

    /// Does the set hold `event`?
    pub const fn contains(self, event: Event) -> bool {
        self.0 & (1 << event as u64) != 0
    }

    /// Both sets' events.
    pub const fn union(self, other: EventSet) -> EventSet {
        EventSet(self.0 | other.0)
    }

    /// Is the set empty?
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many events the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The events of the set, in canonical (E1 … E34) order.
    pub fn iter(self) -> impl Iterator<Item = Event> {
        use strum::IntoEnumIterator;
        Event::iter().filter(move |e| self.contains(*e))
    }
}

impl FromIterator<Event> for EventSet {
    fn from_iter<I: IntoIterator<Item = Event>>(iter: I) -> Self {
        iter.into_iter().fold(EventSet::EMPTY, EventSet::with)
    }
}

impl std::fmt::Display for EventSet {
    /// Comma-separated canonical names, in E1 … E34 order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(e.name())?;
        }
        Ok(())
    }
}

impl Event {
    /// The canonical name, as the engine reports it.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The position in SPEC §2.1, 1-based (`AgentAvailable` is 1, `AgentContact` is 34).
    pub const fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The aliases of this event (canonical name excluded), in SPEC §2 order.
    pub fn aliases(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(move |(_, p)| *p == Placement::Event(self))
            .map(|(name, _)| *name)
    }

    /// Resolves a wire name — canonical or alias, in any ASCII case — to its event
    /// when the name alone decides it. A name a field decides (SPEC §2.4) resolves
    /// to its event for a record that carries none of the deciding fields (E18,
    /// E26); the agent-state messages, notices and unknown names to `None`.
    ///
    /// ```
    /// use callstate::Event;
    /// assert_eq!(Event::resolve("eCallRecordingstarted"), Some(Event::RecordingStarted));
    /// assert_eq!(Event::resolve("agentwrapup"), Some(Event::Acw));
    /// assert_eq!(Event::resolve("ContactEnded"), Some(Event::ContactEnded));
    /// assert_eq!(Event::resolve("Swapped"), None);
    /// ```
    #[inline]
    pub fn resolve(name: &str) -> Option<Event> {
        match Placement::of(name)? {
            Placement::Event(e) => Some(e),
            Placement::ByField(ByField::Participant) => Some(Event::ParticipantLeftConference),
            Placement::ByField(ByField::PendingWrapUp) => Some(Event::ContactEnded),
            _ => None,
        }
    }

    /// The event an agent-state message with this `subStatus` stands for:
    /// `Available` is E1, `Idle` is E2 (any case); anything else is no event.
    pub fn from_state_change(sub_status: &str) -> Option<Event> {
        if sub_status.eq_ignore_ascii_case("Available") {
            Some(Event::AgentAvailable)
        } else if sub_status.eq_ignore_ascii_case("Idle") {
            Some(Event::AgentIdle)
        } else {
            None
        }
    }

    /// Does this event bind an interaction to an agent (E3, E4, E22)?
    pub const fn offers_call(self) -> bool {
        matches!(
            self,
            Event::OfferCampaignReserved | Event::OfferContact | Event::OfferConsult
        )
    }

    /// Does this event only change availability (E1, E2), so that it is legal in
    /// every phase and never checked against the held interaction?
    pub const fn is_availability(self) -> bool {
        matches!(self, Event::AgentAvailable | Event::AgentIdle)
    }

    /// Is this the desktop's snapshot (E34, SPEC §3.5)?
    pub const fn is_snapshot(self) -> bool {
        matches!(self, Event::ContactSnapshot)
    }

    /// Does this event need a call to act on (E5 … E21, E23 … E33)?
    pub const fn needs_call(self) -> bool {
        !self.offers_call() && !self.is_availability() && !self.is_snapshot()
    }

    /// Does a record of this event need an interaction id (E3, E4, E22, E34)?
    pub const fn needs_interaction(self) -> bool {
        self.offers_call() || self.is_snapshot()
    }
}

impl Placement {
    /// The placement of a wire name, in any ASCII case; `None`: an unknown event.
    ///
    /// ```
    /// use callstate::{CallNotice, Placement};
    /// assert_eq!(Placement::of("contactupdated"), Some(Placement::CallNotice(CallNotice::ContactUpdated)));
    /// assert_eq!(Placement::of("Swapped"), None);
    /// ```
    #[inline]
    pub fn of(name: &str) -> Option<Placement> {
        lookup::resolve(name)
    }

    /// Every placed name with its placement: canonical names first (events,
    /// call notices, agent notices, in their order), then [`NAMES`]. A canonical
    /// name that [`NAMES`] places otherwise (E18's, E26's) is listed there only.
    pub fn every_name() -> impl Iterator<Item = (&'static str, Placement)> {
        use strum::IntoEnumIterator;
        let overridden = |name: &str| NAMES.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        Event::iter()
            .map(|e| (e.name(), Placement::Event(e)))
            .chain(CallNotice::iter().map(|n| (n.name(), Placement::CallNotice(n))))
            .chain(AgentNotice::iter().map(|n| (n.name(), Placement::AgentNotice(n))))
            .filter(move |(name, _)| !overridden(name))
            .chain(NAMES.iter().copied())
    }
}

/// Name resolution: every placed name lowercased once, grouped by length and last
/// letter so a lookup compares against only one or two candidates.
mod lookup {
    use super::Placement;
    use std::sync::OnceLock;

    const MAX_LEN: usize = 32;

    type Buckets = Vec<Vec<(Box<[u8]>, Placement)>>;

    // cargo-mutants' `0`, `1`, `/` or `+` for `*` and `-` for `+` here are
    // equivalent: a bucket's names are compared in full, so only how many changes.
    fn bucket(len: usize, last: u8) -> usize {
        len * 32 + usize::from(last.to_ascii_lowercase() & 31)
    }

    fn table() -> &'static Buckets {
        static TABLE: OnceLock<Buckets> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut buckets: Buckets = vec![Vec::new(); (MAX_LEN + 1) * 32];
            for (name, placement) in Placement::every_name() {
                let lower: Box<[u8]> = name.to_ascii_lowercase().into_bytes().into();
                let at = bucket(lower.len(), lower[lower.len() - 1]);
                buckets[at].push((lower, placement));
            }
            buckets
        })
    }

    #[inline]
    pub(super) fn resolve(name: &str) -> Option<Placement> {
        let bytes = name.as_bytes();
        let (&last, _) = bytes.split_last()?;
        // cargo-mutants' `>=` here is equivalent while no placed name is MAX_LEN
        // bytes long (the longest is 31).
        if bytes.len() > MAX_LEN {
            return None;
        }
        table()[bucket(bytes.len(), last)]
            .iter()
            .find(|(lower, _)| lower.eq_ignore_ascii_case(bytes))
            .map(|(_, placement)| *placement)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_name_fits_the_length_index() {
            for (name, _) in Placement::every_name() {
                assert!(!name.is_empty() && name.len() <= MAX_LEN, "{name}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn there_are_34_events_28_call_notices_13_agent_notices_and_11_phases() {
        assert_eq!(Event::COUNT, 34);
        assert_eq!(CallNotice::COUNT, 28);
        assert_eq!(AgentNotice::COUNT, 13);
        assert_eq!(Phase::COUNT, 11);
        assert_eq!(Event::Dropped.number(), 21);
        assert_eq!(Event::ContactSnapshot.number(), 34);
    }

    #[test]
    fn canonical_names_are_the_specs() {
        let names: Vec<&str> = Event::iter().map(Event::name).collect();
        assert_eq!(
            names,
            [
                "AgentAvailable",
                "AgentIdle",
                "eAgentOfferCampaignReserved",
                "eAgentOfferContact",
                "eAgentOfferContactRona",
                "CustAnswered",
                "eCallRecordingStarted",
                "ePauseRecording",
                "eResumeRecording",
                "eAgentContactHeld",
                "eAgentContactUnHeld",
                "eAgentConsultCreated",
                "eAgentConsulting",
                "eAgentConsultFailed",
                "eAgentConsultEnded",
                "eAgentConsultConferenced",
                "eAgentConsultConferenceEnded",
                "eAgentContactEnded",
                "acw",
                "eAgentContactWrappedUp",
                "DROPPED",
                "AgentOfferConsult",
                "AgentContactAssignFailed",
                "AgentInviteFailed",
                "AgentContactUnassigned",
                "ParticipantLeftConference",
                "AgentLeftConference",
                "AgentBlindTransferred",
                "AgentVteamTransferred",
                "AgentConsultTransferred",
                "AgentConferenceTransferred",
                "ContactEndedWrapUp",
                "ContactEndedNoWrapUp",
                "AgentContact",
            ]
        );
    }

    #[test]
    fn every_name_resolves_in_any_case() {
        for e in Event::iter() {
            for name in std::iter::once(e.name()).chain(e.aliases()) {
                assert_eq!(Event::resolve(name), Some(e), "{name}");
                assert_eq!(Event::resolve(&name.to_uppercase()), Some(e), "{name}");
                assert_eq!(Event::resolve(&name.to_lowercase()), Some(e), "{name}");
            }
        }
    }

    #[test]
    fn unknown_names_resolve_to_none() {
        for name in [
            "",
            "AgentStateChange",
            "AgentStateChangeSuccess",
            "ContactUpdated",
            "Welcome",
            "Swapped",
            "CustAnswered ",
            "acw\0",
            "é",
        ] {
            assert_eq!(Event::resolve(name), None, "{name:?}");
        }
    }

    #[test]
    fn every_name_has_exactly_one_placement() {
        let mut seen = std::collections::HashMap::new();
        for (name, placement) in Placement::every_name() {
            if let Some(other) = seen.insert(name.to_ascii_lowercase(), placement) {
                panic!("{name} is placed both as {other:?} and {placement:?}");
            }
            assert_eq!(Placement::of(name), Some(placement), "{name}");
            assert_eq!(
                Placement::of(&name.to_uppercase()),
                Some(placement),
                "{name}"
            );
        }
        // NAMES overrides a canonical name only with a field decision.
        for (name, placement) in NAMES {
            if Event::iter().any(|e| e.name() == *name) {
                assert!(matches!(placement, Placement::ByField(_)), "{name}");
            }
        }
        // Every event, call notice and agent notice has a name.
        for e in Event::iter() {
            let named = seen.values().any(|p| *p == Placement::Event(e))
                || matches!(e, Event::ContactEnded | Event::ParticipantLeftConference);
            assert!(named, "{e}");
        }
    }

    #[test]
    fn state_change_sub_status() {
        assert_eq!(
            Event::from_state_change("available"),
            Some(Event::AgentAvailable)
        );
        assert_eq!(Event::from_state_change("IDLE"), Some(Event::AgentIdle));
        assert_eq!(Event::from_state_change("RONA"), None);
    }

    #[test]
    fn phases_round_trip_their_wire_names() {
        for p in Phase::iter() {
            assert_eq!(Phase::from_wire(p.as_ref()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{p}\""));
        }
        assert_eq!(Phase::from_wire("new"), Some(Phase::Offered));
        assert_eq!(Phase::from_wire("WRAPUP"), Some(Phase::WrapUp));
    }

    #[test]
    fn event_sets() {
        let s: EventSet = [Event::Acw, Event::AgentIdle].into_iter().collect();
        assert_eq!(s.len(), 2);
        assert_eq!(s.to_string(), "AgentIdle, acw");
        let all: EventSet = Event::iter().collect();
        assert_eq!(all.len(), Event::COUNT);
        assert!(EventSet::EMPTY.is_empty());
    }

    #[test]
    fn a_union_holds_the_events_of_both_sets() {
        let s: EventSet = [Event::Acw, Event::AgentIdle].into_iter().collect();
        let t: EventSet = [Event::AgentIdle, Event::Dropped].into_iter().collect();
        assert_eq!(s.union(t).to_string(), "AgentIdle, acw, DROPPED");
    }

    #[test]
    fn every_placed_name_resolves_and_a_long_one_is_unknown() {
        for (name, placement) in Placement::every_name() {
            assert_eq!(Placement::of(name), Some(placement), "{name}");
        }
        for len in 33..=40 {
            assert_eq!(Placement::of(&"x".repeat(len)), None);
        }
    }
}
