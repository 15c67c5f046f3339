//! One record for the engine: who, what, which call, when — read from any of the
//! wire's shapes, or built by hand.

use crate::model::deadline::Timers;
use crate::model::rejection::Malformed;
use crate::model::vocabulary::{AgentNotice, ByField, CallNotice, Event, Placement, StateMessage};

/// An event name as read from a record, placed (SPEC §2): a transition event, a
/// call notice, an agent notice, or a name that is in no placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventName<'a> {
    /// A transition event (E1 … E34).
    Known(Event),
    /// A call notice (N1 … N28).
    CallNotice(CallNotice),
    /// An agent notice: one of A1 … A13, or an agent-state message its
    /// `subStatus` did not make E1 or E2 (SPEC §5.3); its canonical name.
    AgentNotice(&'static str),
    /// An unknown name, as given.
    Unknown(&'a str),
}

impl<'a> EventName<'a> {
    /// Resolves `name` (canonical or alias, any case) as a record with none of
    /// the fields of SPEC §5.4 and not in the websocket shape: see [`resolve`]
    /// for the whole rule.
    pub fn resolve(name: &'a str) -> EventName<'a> {
        resolve(name, &Deciders::NONE).unwrap_or(EventName::Unknown(name))
    }

    /// The name to report: canonical when placed, else as given.
    pub fn as_str(&self) -> &'a str {
        match self {
            EventName::Known(e) => e.name(),
            EventName::CallNotice(n) => n.name(),
            EventName::AgentNotice(name) => name,
            EventName::Unknown(name) => name,
        }
    }

    /// The transition event, if the name is one.
    pub fn event(&self) -> Option<Event> {
        match self {
            EventName::Known(e) => Some(*e),
            _ => None,
        }
    }
}

impl From<Event> for EventName<'_> {
    fn from(e: Event) -> Self {
        EventName::Known(e)
    }
}

impl From<CallNotice> for EventName<'_> {
    fn from(n: CallNotice) -> Self {
        EventName::CallNotice(n)
    }
}

impl From<AgentNotice> for EventName<'_> {
    fn from(n: AgentNotice) -> Self {
        EventName::AgentNotice(n.name())
    }
}

/// The fields of a record that decide the event of a name SPEC §2.4 lists, as the
/// reader found them (SPEC §5.3, §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deciders<'a> {
    /// The record is a websocket notification (only there is a name an agent-state
    /// message).
    pub websocket: bool,
    /// `data.subStatus`, when a string.
    pub sub_status: Option<&'a str>,
    /// The participant who left, compared with the record's agent id: `Given(true)`
    /// when it is the agent.
    pub participant_is_agent: Field<bool>,
    /// The agents pending wrap-up: `Given(true)` when the list holds the record's
    /// agent id.
    pub pending_has_agent: Field<bool>,
}

impl Deciders<'_> {
    /// A record with none of the deciding fields, not a websocket notification.
    pub const NONE: Deciders<'static> = Deciders {
        websocket: false,
        sub_status: None,
        participant_is_agent: Field::Absent,
        pending_has_agent: Field::Absent,
    };
}

/// SPEC §2.4, §5.3 and §5.4 in one place: the event a wire name stands for, given
/// the fields that decide it. `Err` when a deciding field the name uses is present
/// and not of its type (`malformed`); `Ok(EventName::Unknown)` when the name is in
/// no placement (an agent-state message outside the websocket shape included).
pub fn resolve<'a>(name: &'a str, fields: &Deciders<'_>) -> Result<EventName<'a>, Malformed> {
    let Some(placement) = Placement::of(name) else {
        return Ok(EventName::Unknown(name));
    };
    Ok(match placement {
        Placement::Event(e) => EventName::Known(e),
        Placement::CallNotice(n) => EventName::CallNotice(n),
        Placement::AgentNotice(n) => EventName::AgentNotice(n.name()),
        Placement::ByField(ByField::Participant) => match fields.participant_is_agent {
            Field::Wrong => return Err(Malformed::BadField(PARTICIPANT)),
            Field::Given(true) => EventName::Known(Event::LeftConference),
            _ => EventName::Known(Event::ParticipantLeftConference),
        },
        Placement::ByField(ByField::PendingWrapUp) => match fields.pending_has_agent {
            Field::Wrong => return Err(Malformed::BadField(PENDING_WRAP_UP)),
            Field::Absent => EventName::Known(Event::ContactEnded),
            Field::Given(true) => EventName::Known(Event::ContactEndedWrapUp),
            Field::Given(false) => EventName::Known(Event::ContactEndedNoWrapUp),
        },
        Placement::ByField(ByField::AgentState(message)) => {
            let by_sub_status = fields.sub_status.and_then(Event::from_state_change);
            match (fields.websocket, by_sub_status, message) {
                (false, _, _) => EventName::Unknown(name),
                (true, Some(e), _) => EventName::Known(e),
                (true, None, StateMessage::AgentStateChange) => EventName::Unknown(name),
                (true, None, other) => EventName::AgentNotice(other.into()),
            }
        }
    })
}

/// The participant who left, as a malformed record's message names it.
const PARTICIPANT: &str = "the participant id (participantId)";
/// The agents pending wrap-up, as a malformed record's message names it.
const PENDING_WRAP_UP: &str = "the agents pending wrap-up (agentsPendingWrapUp)";

/// The desktop's snapshot (SPEC §3.5) as the wire resolved it against the record's
/// own agent and interaction ids: every value of another type already counted as
/// absent, and "true" already read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotView<'a> {
    /// `interaction.state`, when a string.
    pub state: Option<&'a str>,
    /// The record's interaction is held (`interaction.media.<I>.isHold`).
    pub held: bool,
    /// The record's agent is wrapping up, or the interaction is terminated.
    pub wrap_up: bool,
    /// `interaction.owner` is a non-empty string other than the record's agent id.
    pub owned_by_another: bool,
    /// `interaction.callProcessingDetails.isPaused`.
    pub paused: bool,
    /// `interaction.callProcessingDetails.recordInProgress`.
    pub recording: bool,
}

/// One record for the engine: who, what, which call, when.
///
/// ```
/// use callstate::{Event, Record};
/// let r = Record::new("agent-7", Event::OfferContact)
///     .interaction("call-1")
///     .at(1_718_965_753_439);
/// assert_eq!(r.interaction, Some("call-1"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The agent id; must be non-empty.
    pub agent: &'a str,
    /// The event.
    pub event: EventName<'a>,
    /// The interaction id; `None` means the agent's current call.
    pub interaction: Option<&'a str>,
    /// Milliseconds since the epoch: any signed 64-bit integer (SPEC §4, §9).
    pub time: Option<i64>,
    /// The reservation id (SPEC §5.4): the id an `AgentContactAssigned` re-keys
    /// from (SPEC §3.6).
    pub reservation: Option<&'a str>,
    /// The snapshot's fields (SPEC §3.5), read for `AgentContact` only.
    pub snapshot: SnapshotView<'a>,
    /// The raw fields a deadline may come from (SPEC §11.4), read only under
    /// time rules.
    pub timers: Timers<'a>,
}

impl<'a> Record<'a> {
    /// A record of `event` for `agent`, with no interaction and no time.
    pub fn new(agent: &'a str, event: impl Into<EventName<'a>>) -> Record<'a> {
        Record {
            agent,
            event: event.into(),
            interaction: None,
            time: None,
            reservation: None,
            snapshot: SnapshotView {
                state: None,
                held: false,
                wrap_up: false,
                owned_by_another: false,
                paused: false,
                recording: false,
            },
            timers: Timers::NONE,
        }
    }

    /// The same record naming `interaction`.
    pub fn interaction(mut self, interaction: &'a str) -> Record<'a> {
        self.interaction = Some(interaction);
        self
    }

    /// The same record at `time` (ms since the epoch).
    pub fn at(mut self, time: i64) -> Record<'a> {
        self.time = Some(time);
        self
    }

    /// The same record with reservation id `reservation` (SPEC §3.6).
    pub fn reservation(mut self, reservation: &'a str) -> Record<'a> {
        self.reservation = Some(reservation);
        self
    }

    /// The same record carrying the raw deadline fields `timers` (SPEC §11.4).
    pub fn timers(mut self, timers: Timers<'a>) -> Record<'a> {
        self.timers = timers;
        self
    }

    /// The same record with the snapshot's fields `snapshot` (SPEC §3.5).
    pub fn snapshot(mut self, snapshot: SnapshotView<'a>) -> Record<'a> {
        self.snapshot = snapshot;
        self
    }
}

impl<'a> Record<'a> {
    /// SPEC §4's `malformed` checks for a record built in code: an empty agent
    /// or interaction id, or an offer (E3/E4) without an interaction. The same
    /// checks, in the same order, that decide for records read from a line; the
    /// engine runs them before anything else.
    #[inline]
    pub fn check(&self) -> Result<(), Malformed> {
        // An agent notice that names no agent holds "" (SPEC §3.3): absent, not empty.
        let agent = match (self.event, self.agent) {
            (EventName::AgentNotice(_), "") => Field::Absent,
            (_, agent) => Field::Given(agent),
        };
        check(
            Field::Given(self.event),
            agent,
            Field::from(self.interaction),
            Field::from(self.time),
            &FieldNames::RECORD,
        )
        .map(drop)
    }
}

/// A field of a record as the reader found it, for [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<T> {
    /// Absent, or `null` (SPEC §5: a `null` field counts as absent).
    Absent,
    /// Present with a value of the wrong JSON type (an id that is not a string, a
    /// time that is not an integer literal in the signed 64-bit range).
    Wrong,
    /// Present, with this value (an id may still be empty: [`check`] decides).
    Given(T),
}

impl<T> From<Option<T>> for Field<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Absent, Field::Given)
    }
}

/// Where a record's fields were read from, for the messages of [`Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldNames {
    /// The event name's field.
    pub(crate) event: &'static str,
    /// The agent id's field.
    pub(crate) agent: &'static str,
    /// The interaction id's field.
    pub(crate) interaction: &'static str,
    /// The time's field.
    pub(crate) time: &'static str,
}

impl FieldNames {
    /// The names for a [`Record`] built in code rather than read from a line.
    pub(crate) const RECORD: FieldNames = FieldNames {
        event: "the event name",
        agent: "the agent id",
        interaction: "the interaction id",
        time: "the time",
    };
}

/// SPEC §4's `malformed` for a record's fields: the one statement of these checks
/// and of their order. The wire (`WireRecord::record`), the engine
/// ([`Record::check`]) and the machine (its `step`, through the same
/// [`check_call`]) all decide with it. The first check that fails is reported:
///
/// | # | the record is malformed when | [`Malformed`] |
/// |---|---|---|
/// | 1 | the event name is absent, `null` or not a string (`""` is a name) | `NoEvent` |
/// | 2 | the agent id is absent or `null` | `NoAgent` |
/// | 3 | the agent id is not a non-empty string | `BadId` |
/// | 4 | the time is present and not an integer literal in the signed 64-bit range | `BadTime` |
/// | 5 | the interaction id is present and not a non-empty string | `BadId` |
/// | 6 | the event is E3/E4/E22/E34 and names no interaction | `OfferWithoutInteraction` |
///
/// Before these, the reader decides whether the line has fields at all
/// (`wire::parse`, in this order): a line over the length limit, not UTF-8,
/// nested deeper than 128 levels, not JSON, not a JSON object, or an envelope
/// whose `message.call` is not an object. After them come `unknown_event` and the
/// machine's kinds (SPEC §4's table).
#[inline]
pub(crate) fn check<'a>(
    event: Field<EventName<'a>>,
    agent: Field<&'a str>,
    interaction: Field<&'a str>,
    time: Field<i64>,
    names: &FieldNames,
) -> Result<Record<'a>, Malformed> {
    let Field::Given(event) = event else {
        return Err(Malformed::NoEvent(names.event));
    };
    let agent = match agent {
        // An agent notice concerns no agent when it names none (SPEC §3.3).
        Field::Absent if matches!(event, EventName::AgentNotice(_)) => "",
        Field::Absent => return Err(Malformed::NoAgent(names.agent)),
        Field::Wrong | Field::Given("") => return Err(Malformed::BadId(names.agent)),
        Field::Given(agent) => agent,
    };
    let time = match time {
        Field::Absent => None,
        Field::Wrong => return Err(Malformed::BadTime(names.time)),
        Field::Given(time) => Some(time),
    };
    let interaction = check_call(event.event(), interaction, names.interaction)?;
    Ok(Record {
        agent,
        event,
        interaction,
        time,
        reservation: None,
        snapshot: SnapshotView::default(),
        timers: Timers::NONE,
    })
}

/// Checks 5 and 6 of [`check`], the part a lone machine can see: the interaction
/// id and an offer's need of one. `event` is `None` for an unknown name.
#[inline]
pub(crate) fn check_call<'a>(
    event: Option<Event>,
    interaction: Field<&'a str>,
    name: &'static str,
) -> Result<Option<&'a str>, Malformed> {
    let interaction = match interaction {
        Field::Absent => None,
        Field::Wrong | Field::Given("") => return Err(Malformed::BadId(name)),
        Field::Given(interaction) => Some(interaction),
    };
    if event.is_some_and(Event::needs_interaction) && interaction.is_none() {
        return Err(Malformed::OfferWithoutInteraction);
    }
    Ok(interaction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::machine::Machine;
    use crate::model::rejection::{Reason, RejectionKind};

    const N: FieldNames = FieldNames::RECORD;

    fn checked(
        event: Field<EventName<'static>>,
        agent: Field<&'static str>,
        interaction: Field<&'static str>,
        time: Field<i64>,
    ) -> Result<Record<'static>, Malformed> {
        check(event, agent, interaction, time, &N)
    }

    /// The table of [`check`], row by row, each row beating every row below it.
    #[test]
    fn the_malformed_checks_come_in_the_order_written_down() {
        use Field::{Absent, Given, Wrong};
        let offer = Given(EventName::Known(Event::OfferContact));
        // Every check fails at once: the first row wins, then the next, ….
        assert_eq!(
            checked(Absent, Absent, Wrong, Wrong),
            Err(Malformed::NoEvent(N.event))
        );
        assert_eq!(
            checked(offer, Absent, Wrong, Wrong),
            Err(Malformed::NoAgent(N.agent))
        );
        for agent in [Wrong, Given("")] {
            assert_eq!(
                checked(offer, agent, Wrong, Wrong),
                Err(Malformed::BadId(N.agent))
            );
        }
        assert_eq!(
            checked(offer, Given("a"), Wrong, Wrong),
            Err(Malformed::BadTime(N.time))
        );
        for interaction in [Wrong, Given("")] {
            assert_eq!(
                checked(offer, Given("a"), interaction, Given(1)),
                Err(Malformed::BadId(N.interaction))
            );
        }
        assert_eq!(
            checked(offer, Given("a"), Absent, Given(1)),
            Err(Malformed::OfferWithoutInteraction)
        );
        // `""` is a name; an unknown name needs no interaction.
        let empty = Given(EventName::Unknown(""));
        assert!(checked(empty, Given("a"), Absent, Absent).is_ok());
        assert_eq!(
            checked(offer, Given("a"), Given("c"), Given(i64::MIN)),
            Ok(Record::new("a", Event::OfferContact)
                .interaction("c")
                .at(i64::MIN))
        );
    }

    /// The engine's and the machine's malformed verdicts are [`check`]'s.
    #[test]
    fn records_built_in_code_and_lone_machines_use_the_same_checks() {
        let cases = [
            (Record::new("", Event::Acw), Some(Malformed::BadId(N.agent))),
            (
                Record::new("a", Event::Acw).interaction(""),
                Some(Malformed::BadId(N.interaction)),
            ),
            (
                Record::new("a", Event::OfferCampaignReserved),
                Some(Malformed::OfferWithoutInteraction),
            ),
            (Record::new("a", EventName::Unknown("OfferContact")), None),
            (Record::new("a", Event::OfferContact).interaction("c"), None),
        ];
        for (record, want) in cases {
            assert_eq!(record.check().err(), want, "{record:?}");
            let EventName::Known(event) = record.event else {
                continue;
            };
            if record.agent.is_empty() {
                continue;
            }
            let stepped = Machine::new().step(event, record.interaction, record.time);
            match want {
                Some(what) => {
                    let err = stepped.unwrap_err();
                    assert_eq!(err.kind(), RejectionKind::Malformed);
                    assert_eq!(err.reason, Reason::Malformed(what));
                }
                None => assert!(stepped.is_ok(), "{record:?}"),
            }
        }
    }
}
