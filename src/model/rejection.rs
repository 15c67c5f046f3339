//! Why a record was not accepted (SPEC §4): the eight kinds, and the typed error
//! that carries the kind with everything needed to act on it.

use crate::model::resync::Repair;
use crate::model::table::{self, Status};
use crate::model::vocabulary::{EventSet, Phase, Recording};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumCount, EnumIter, IntoStaticStr};

/// The kinds of SPEC §4, in their order of precedence: when several apply, the
/// first one in this order is reported.
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
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectionKind {
    /// Not a usable record: bad UTF-8 or JSON, missing or mistyped fields,
    /// or an offer (E3/E4) with no interaction id.
    Malformed,
    /// The event name is in no row of SPEC §2.
    UnknownEvent,
    /// The record's time is earlier than the agent's last accepted time.
    OutOfOrder,
    /// An offer (E3/E4) while the agent already holds a call.
    AgentBusy,
    /// The record names an interaction other than the agent's call.
    InteractionMismatch,
    /// An offer (E3/E4) while the agent is idle.
    AgentNotReady,
    /// An event that needs a call while the agent has none.
    NoActiveCall,
    /// Anything else the table does not allow.
    IllegalTransition,
}

impl RejectionKind {
    /// The wire name (`out_of_order`, …).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Does this kind count as `rejected` in the replay summary (SPEC §7)?
    /// `malformed` and `unknown_event` have counters of their own.
    pub const fn counts_as_rejected(self) -> bool {
        !matches!(self, RejectionKind::Malformed | RejectionKind::UnknownEvent)
    }
}

/// What exactly was wrong with a malformed record.
#[derive(Debug, Clone, PartialEq, Eq, Display)]
#[non_exhaustive]
pub enum Malformed {
    /// The line is not valid UTF-8.
    #[strum(to_string = "the line is not valid UTF-8 (at byte {0})")]
    NotUtf8(usize),
    /// The line is not JSON; carries the parser's words.
    #[strum(to_string = "the line is not valid JSON: {0}")]
    NotJson(String),
    /// The line is JSON but not an object.
    #[strum(to_string = "the record is not a JSON object")]
    NotObject,
    /// The line is longer than the reader's limit; carries its length.
    #[strum(to_string = "the line is {0} bytes long, over the line length limit")]
    TooLong(u64),
    /// Arrays and objects nested deeper than the limit.
    #[strum(to_string = "the record is nested deeper than {0} levels")]
    TooDeep(usize),
    /// No event name, or one that is not a string.
    #[strum(to_string = "the record has no event name (field {0})")]
    NoEvent(&'static str),
    /// No agent id.
    #[strum(to_string = "the record has no agent id (field {0})")]
    NoAgent(&'static str),
    /// An id that is not a non-empty string.
    #[strum(to_string = "{0} is not a non-empty string")]
    BadId(&'static str),
    /// A time that is not an integer literal in the signed 64-bit range.
    #[strum(to_string = "{0} is not an integer in the signed 64-bit range")]
    BadTime(&'static str),
    /// E3/E4/E22/E34 with no interaction id.
    #[strum(to_string = "an offer or a snapshot needs an interaction id")]
    OfferWithoutInteraction,
    /// A field of SPEC §5.4 the event name uses, present and not of its type.
    #[strum(to_string = "{0} is not of its type")]
    BadField(&'static str),
    /// An envelope (a non-null `message.call`) whose `message.call` is not an
    /// object (SPEC §5).
    #[strum(to_string = "message.call is not an object")]
    CallNotObject,
}

/// Kind-specific facts about a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// See [`Malformed`].
    Malformed(Malformed),
    /// The event name is in no row of SPEC §2 (the name is in [`Rejection::event`]).
    UnknownEvent,
    /// The record's time and the agent's last accepted time.
    OutOfOrder {
        /// The record's time (ms since the epoch).
        time: i64,
        /// The agent's last accepted time.
        last: i64,
    },
    /// The interaction the agent holds.
    AgentBusy {
        /// The interaction the agent holds.
        held: String,
    },
    /// The interaction the agent holds.
    InteractionMismatch {
        /// The interaction the agent holds.
        held: String,
    },
    /// The agent is idle.
    AgentNotReady,
    /// The agent holds no call.
    NoActiveCall,
    /// No rule of the table matches.
    IllegalTransition,
    /// A snapshot (E34) whose state is no phase callstate models (SPEC §3.5).
    NoSnapshotPhase,
}

impl Reason {
    /// The kind this reason is an instance of.
    pub fn kind(&self) -> RejectionKind {
        match self {
            Reason::Malformed(_) => RejectionKind::Malformed,
            Reason::UnknownEvent => RejectionKind::UnknownEvent,
            Reason::OutOfOrder { .. } => RejectionKind::OutOfOrder,
            Reason::AgentBusy { .. } => RejectionKind::AgentBusy,
            Reason::InteractionMismatch { .. } => RejectionKind::InteractionMismatch,
            Reason::AgentNotReady => RejectionKind::AgentNotReady,
            Reason::NoActiveCall => RejectionKind::NoActiveCall,
            Reason::IllegalTransition | Reason::NoSnapshotPhase => RejectionKind::IllegalTransition,
        }
    }
}

/// A record the engine did not accept. Nothing changed because of it.
///
/// Its `Display` says what was wrong in one line, for example
/// `eAgentConsultConferenced is not allowed in consulting (allowed: AgentAvailable, …)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Rejection {
    /// Why, with the kind-specific facts; [`Rejection::kind`] names the kind.
    pub(crate) reason: Reason,
    /// The agent id, when the record had a non-empty one.
    pub(crate) agent: Option<String>,
    /// The record's interaction id, when it had a non-empty one.
    pub(crate) interaction: Option<String>,
    /// The event: its canonical name when known, else the name as given.
    pub(crate) event: Option<String>,
    /// The phase the record met (`None` for malformed records).
    pub(crate) state: Option<Phase>,
    /// The recording state the record met.
    pub(crate) recording: Recording,
    /// The events the met state would have accepted.
    pub(crate) allowed: EventSet,
    /// The interaction the agent held when the record arrived.
    pub(crate) held: Option<String>,
    /// In resync mode, what was done about it (SPEC §8).
    pub(crate) repair: Option<Box<Repair>>,
}

impl Rejection {
    /// The kind of SPEC §4.
    pub fn kind(&self) -> RejectionKind {
        self.reason.kind()
    }

    /// Why, with the kind-specific facts.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The agent id, when the record had a non-empty one.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// The interaction id the record itself named, when non-empty (not the call
    /// it was matched to: see [`Rejection::held`]).
    pub fn interaction(&self) -> Option<&str> {
        self.interaction.as_deref()
    }

    /// The event: its canonical name when known, else the name as given; `None`
    /// when the record had no event name that is a string.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The phase the record met (`None` for malformed records).
    pub fn state(&self) -> Option<Phase> {
        self.state
    }

    /// The recording state the record met.
    pub fn recording(&self) -> Recording {
        self.recording
    }

    /// The events the met state would have accepted (empty for malformed records).
    pub fn allowed(&self) -> EventSet {
        self.allowed
    }

    /// The interaction the agent held when the record arrived (`None` when it held
    /// none, or the record never reached an agent).
    pub fn held(&self) -> Option<&str> {
        self.held.as_deref()
    }

    /// What resync did about the record (SPEC §8): `None` in strict mode and for
    /// `malformed` and `unknown_event` records, which are never repaired.
    pub fn repair(&self) -> Option<&Repair> {
        self.repair.as_deref()
    }

    /// A malformed-record rejection, naming nothing of the record (the wire and
    /// the engine add whatever could still be read of it).
    pub fn malformed(what: Malformed) -> Rejection {
        Rejection {
            reason: Reason::Malformed(what),
            agent: None,
            interaction: None,
            event: None,
            state: None,
            recording: Recording::Off,
            allowed: EventSet::EMPTY,
            held: None,
            repair: None,
        }
    }

    /// The rejection of a record that met an agent in `status` holding `held`.
    /// A malformed record met no phase; only the kinds from `out_of_order` on
    /// say what the agent would have allowed.
    pub(crate) fn met(reason: Reason, status: Status, held: Option<&str>) -> Rejection {
        let (state, allowed) = match reason.kind() {
            RejectionKind::Malformed => (None, EventSet::EMPTY),
            RejectionKind::UnknownEvent => (Some(status.phase), EventSet::EMPTY),
            _ => (
                Some(status.phase),
                table::allowed(status.phase, status.recording, status.role),
            ),
        };
        Rejection {
            reason,
            agent: None,
            interaction: None,
            event: None,
            state,
            recording: status.recording,
            allowed,
            held: held.map(str::to_owned),
            repair: None,
        }
    }

    /// The same rejection, naming what its record said: the agent and the
    /// interaction when non-empty, and the event (its canonical name when known).
    pub(crate) fn naming(
        mut self,
        agent: Option<&str>,
        interaction: Option<&str>,
        event: Option<&str>,
    ) -> Rejection {
        self.name(agent, interaction, event);
        self
    }

    /// [`Rejection::naming`] in place.
    pub(crate) fn name(
        &mut self,
        agent: Option<&str>,
        interaction: Option<&str>,
        event: Option<&str>,
    ) {
        let non_empty = |id: Option<&str>| id.filter(|id| !id.is_empty()).map(str::to_owned);
        self.agent = non_empty(agent);
        self.interaction = non_empty(interaction);
        self.event = event.map(str::to_owned);
    }

    /// The same rejection, carrying what resync did about it.
    pub(crate) fn repaired(mut self: Box<Self>, repair: Repair) -> Box<Rejection> {
        self.repair = Some(Box::new(repair));
        self
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let event = self.event.as_deref().unwrap_or("the record");
        let agent = self.agent.as_deref().unwrap_or("the agent");
        let phase = self.state.map_or("?", |p| p.into());
        let interaction = self.interaction.as_deref().unwrap_or("?");
        match &self.reason {
            Reason::Malformed(what) => return write!(f, "malformed record: {what}"),
            Reason::UnknownEvent => write!(f, "unknown event {event:?}")?,
            Reason::OutOfOrder { time, last } => write!(
                f,
                "{event} at {time} is earlier than {agent}'s last accepted event at {last}"
            )?,
            Reason::AgentBusy { held } => write!(
                f,
                "{event} for {interaction} while {agent} holds {held} in {phase}"
            )?,
            Reason::InteractionMismatch { held } => write!(
                f,
                "{event} names interaction {interaction} but {agent} holds {held} in {phase}"
            )?,
            Reason::AgentNotReady => write!(f, "{event} while {agent} is idle")?,
            Reason::NoActiveCall => {
                write!(f, "{event} needs a call but {agent} is {phase} with none")?
            }
            Reason::NoSnapshotPhase => {
                write!(f, "{event}: the snapshot states no phase callstate models")?
            }
            Reason::IllegalTransition => {
                write!(f, "{event} is not allowed in {phase}")?;
                if self.state.is_some_and(Phase::is_live) {
                    write!(f, " with recording {}", self.recording)?;
                }
            }
        }
        if self.state.is_some() && !matches!(self.reason, Reason::UnknownEvent) {
            write!(f, " (allowed: {})", self.allowed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::Event;
    use strum::IntoEnumIterator;

    #[test]
    fn kinds_have_the_specs_names_in_precedence_order() {
        let names: Vec<&str> = RejectionKind::iter().map(RejectionKind::name).collect();
        assert_eq!(
            names,
            [
                "malformed",
                "unknown_event",
                "out_of_order",
                "agent_busy",
                "interaction_mismatch",
                "agent_not_ready",
                "no_active_call",
                "illegal_transition"
            ]
        );
        let rejected = RejectionKind::iter()
            .filter(|k| k.counts_as_rejected())
            .count();
        assert_eq!(rejected, 6);
    }

    #[test]
    fn illegal_transition_message_lists_what_is_allowed() {
        let r = Rejection {
            reason: Reason::IllegalTransition,
            agent: Some("a1".into()),
            interaction: Some("i1".into()),
            event: Some("eAgentConsultConferenced".into()),
            state: Some(Phase::Consulting),
            recording: Recording::Off,
            allowed: [Event::Consulting, Event::Dropped].into_iter().collect(),
            held: Some("i1".into()),
            repair: None,
        };
        assert_eq!(
            r.to_string(),
            "eAgentConsultConferenced is not allowed in consulting with recording off \
             (allowed: eAgentConsulting, DROPPED)"
        );
    }

    #[test]
    fn an_unknown_event_meets_a_phase_but_says_nothing_of_what_it_allows() {
        // Only the kinds from out_of_order on say what the agent would have allowed.
        let ready = crate::model::machine::Machine::new().status();
        assert_ne!(
            table::allowed(ready.phase, ready.recording, ready.role),
            EventSet::EMPTY
        );
        let r = Rejection::met(Reason::UnknownEvent, ready, None).naming(
            Some("a1"),
            None,
            Some("Swapped"),
        );
        assert_eq!(
            (r.state(), r.allowed()),
            (Some(Phase::Ready), EventSet::EMPTY)
        );
        assert_eq!(r.to_string(), r#"unknown event "Swapped""#);
    }
}
