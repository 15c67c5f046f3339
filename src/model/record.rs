//! One record for the engine: who, what, which call, when — read from any of the
//! wire's shapes, or built by hand.

use crate::model::rejection::Malformed;
use crate::model::vocabulary::Event;

/// An event name as read from a record: one of the 21 canonical events, or a name
/// that is in no row of SPEC §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventName<'a> {
    /// A known event.
    Known(Event),
    /// An unknown name, as given.
    Unknown(&'a str),
}

impl<'a> EventName<'a> {
    /// Resolves `name` (canonical or alias, any case).
    pub fn resolve(name: &'a str) -> EventName<'a> {
        Event::resolve(name).map_or(EventName::Unknown(name), EventName::Known)
    }

    /// The name to report: canonical when known, else as given.
    pub fn as_str(&self) -> &'a str {
        match self {
            EventName::Known(e) => e.name(),
            EventName::Unknown(name) => name,
        }
    }
}

impl From<Event> for EventName<'_> {
    fn from(e: Event) -> Self {
        EventName::Known(e)
    }
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
}

impl<'a> Record<'a> {
    /// A record of `event` for `agent`, with no interaction and no time.
    pub fn new(agent: &'a str, event: impl Into<EventName<'a>>) -> Record<'a> {
        Record {
            agent,
            event: event.into(),
            interaction: None,
            time: None,
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
}

impl<'a> Record<'a> {
    /// SPEC §4's `malformed` checks for a record built in code: an empty agent
    /// or interaction id, or an offer (E3/E4) without an interaction. The same
    /// checks, in the same order, that decide for records read from a line; the
    /// engine runs them before anything else.
    #[inline]
    pub fn check(&self) -> Result<(), Malformed> {
        check(
            Field::Given(self.event),
            Field::Given(self.agent),
            Field::from(self.interaction),
            Field::from(self.time),
            &FieldNames::RECORD,
        )
        .map(drop)
    }
}

/// A field of a record as the reader found it, for [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field<T> {
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
/// | 6 | the event is E3/E4 and names no interaction | `OfferWithoutInteraction` |
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
        Field::Absent => return Err(Malformed::NoAgent(names.agent)),
        Field::Wrong | Field::Given("") => return Err(Malformed::BadId(names.agent)),
        Field::Given(agent) => agent,
    };
    let time = match time {
        Field::Absent => None,
        Field::Wrong => return Err(Malformed::BadTime(names.time)),
        Field::Given(time) => Some(time),
    };
    let known = match event {
        EventName::Known(e) => Some(e),
        EventName::Unknown(_) => None,
    };
    let interaction = check_call(known, interaction, names.interaction)?;
    Ok(Record {
        agent,
        event,
        interaction,
        time,
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
    if event.is_some_and(Event::offers_call) && interaction.is_none() {
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
