//! One record for the engine: who, what, which call, when — read from any of the
//! wire's shapes, or built by hand.

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
