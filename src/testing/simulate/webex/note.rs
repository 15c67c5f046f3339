//! One notification as the simulator plans it: who gets it, when, which
//! `data.type`, and what the interaction looked like to that agent at that
//! moment. [`super::payload`] writes it out.

use strum::IntoStaticStr;

/// The `data.type` of a notification (its name on the wire, as Webex CC spells
/// it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
pub(super) enum Kind {
    // Offers and their outcomes.
    AgentContactReserved,
    AgentOfferCampaignReservation,
    AgentOfferContact,
    AgentOfferConsult,
    AgentContactAssigned,
    AgentOfferContactRona,
    AgentContactAssignFailed,
    AgentOutboundFailed,
    CampaignContactUpdated,
    CampaignPreviewSkipFailed,
    // The live call.
    AgentContactHeld,
    AgentContactUnheld,
    AgentContactHoldFailed,
    AgentContactUnHoldFailed,
    ContactRecordingPaused,
    ContactRecordingResumed,
    ContactRecordingPauseFailed,
    ContactRecordingResumeFailed,
    AgentContactEndFailed,
    ContactUpdated,
    ContactOwnerChanged,
    ParticipantPostCallActivity,
    // Consult and conference.
    AgentConsultCreated,
    AgentConsulting,
    AgentConsultFailed,
    AgentConsultEnded,
    AgentConsultEndFailed,
    AgentConsultConferencing,
    AgentConsultConferenced,
    AgentConsultConferenceEnded,
    AgentConsultConferenceEndFailed,
    ParticipantJoinedConference,
    ParticipantLeftConference,
    ParticipantLeftConferenceFailed,
    // Transfers.
    AgentBlindTransferred,
    AgentBlindTransferFailed,
    AgentVteamTransferred,
    AgentVteamTransferFailed,
    AgentConsultTransferring,
    AgentConsultTransferred,
    AgentConsultTransferFailed,
    AgentConferenceTransferred,
    AgentConferenceTransferFailed,
    // The end.
    ContactEnded,
    AgentWrapup,
    AgentWrapupFailed,
    AgentWrappedUp,
    // The desktop's snapshot of the call after a relogin.
    AgentContact,
    // The agent's desktop, not its call (`AgentDesktopMessage`).
    /// Envelope `AgentStateChange`, `data.type` `AgentStateChangeSuccess`.
    AgentStateChangeSuccess,
    /// Envelope `StationLogin`.
    AgentStationLoginSuccess,
    /// Envelope and `data.type` the same.
    AgentReloginSuccess,
    /// The socket's first frame: `{"type":"Welcome","data":{"agentId":…}}`.
    Welcome,
}

impl Kind {
    /// The `data.type` (for [`Kind::Welcome`], the envelope's `type`).
    pub(super) fn name(self) -> &'static str {
        self.into()
    }

    /// A notification about the agent's desktop rather than a call.
    pub(super) fn is_desktop(self) -> bool {
        matches!(
            self,
            Kind::AgentStateChangeSuccess
                | Kind::AgentStationLoginSuccess
                | Kind::AgentReloginSuccess
                | Kind::Welcome
        )
    }
}

/// Where a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub(super) enum Origin {
    /// A customer called an entry point and was queued.
    Inbound,
    /// The agent dialed the customer.
    Outdial,
    /// A campaign contact the agent previews first.
    Preview,
    /// The dialer called when the agent was free.
    Progressive,
    /// The dialer called ahead of free agents.
    Predictive,
}

/// What stays the same about a call from its reservation to its end (the
/// interaction id changes once, when a preview is accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Call {
    /// The interaction id's bits.
    pub(super) id: u128,
    /// A preview's reservation id, once it was accepted under [`Call::id`].
    pub(super) reservation: Option<u128>,
    /// The customer's number, without the `+`.
    pub(super) customer: u64,
    pub(super) origin: Origin,
    /// When the platform created the interaction (ms since the epoch).
    pub(super) created: i64,
    /// Which of the queues it went through.
    pub(super) queue: u8,
}

/// The phase of the interaction as `interaction.state` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    New,
    Connected,
    Hold,
    Consulting,
    Consult,
    Conference,
    WrapUp,
}

impl State {
    pub(super) fn wire(self) -> &'static str {
        match self {
            State::New => "new",
            State::Connected => "connected",
            State::Hold => "hold",
            State::Consulting => "consulting",
            State::Consult => "consult",
            State::Conference => "conference",
            State::WrapUp => "wrapUp",
        }
    }
}

/// The interaction object as one notification shows it to its agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    pub(super) state: State,
    /// Since when the customer's leg is on hold.
    pub(super) held_since: Option<i64>,
    pub(super) paused: bool,
    /// The agent who owns the call (an index into the agents).
    pub(super) owner: u32,
    /// The second agent on the interaction (consulted, or the one who left).
    pub(super) other: Option<u32>,
    pub(super) other_joined: bool,
    pub(super) other_left: bool,
    /// A consult leg exists (media keyed by its own id).
    pub(super) consult_leg: bool,
    /// The addressee is in wrap-up (`participants[agent].isWrapUp`).
    pub(super) wrap_up: bool,
    /// The contact has ended (`isTerminated`).
    pub(super) terminated: bool,
}

/// Who must wrap up, as a `ContactEnded` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pending {
    /// `agentsPendingWrapUp: []`.
    Nobody,
    /// `agentsPendingWrapUp: [<agent>]`.
    Agent(u32),
}

/// One planned notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Note {
    /// `data.eventTime` (for state changes `lastStateChangeTimestamp`; for
    /// frames without a time, where it falls in the agent's stream).
    pub(super) time: i64,
    /// The addressee (an index into the agents).
    pub(super) agent: u32,
    pub(super) kind: Kind,
    /// The call it is about, with the interaction as the agent sees it.
    pub(super) call: Option<(Call, Seen)>,
    /// `data.participantId` (conference joins and leaves).
    pub(super) participant: Option<u32>,
    /// `data.agentsPendingWrapUp` (`ContactEnded`).
    pub(super) pending: Option<Pending>,
    /// `subStatus` of a desktop message: `Available` when true, else `Idle`.
    pub(super) available: bool,
    /// The agent who started a consult (`consultingAgentId`), on consult offers.
    pub(super) consulting: Option<u32>,
    /// `reason` / `reasonCode` of a failure.
    pub(super) reason: Option<(&'static str, u32)>,
}

impl Note {
    /// A note of `kind` for `agent` at `time`, with nothing else said.
    pub(super) fn new(time: i64, agent: u32, kind: Kind) -> Note {
        Note {
            time,
            agent,
            kind,
            call: None,
            participant: None,
            pending: None,
            available: false,
            consulting: None,
            reason: None,
        }
    }
}
