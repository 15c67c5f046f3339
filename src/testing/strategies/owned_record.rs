//! [`OwnedRecord`]: one native-format record, owned, as the strategies yield it.

use crate::model::record::{EventName, Record};
use crate::model::vocabulary::Event;
use serde::Serialize;

/// One native-format record (SPEC §5), owned: what a line of a log says.
///
/// The event is kept as the name written on the wire, so it may be an alias, in
/// any case, or a name that is no event at all; [`OwnedRecord::event`] resolves it
/// and [`OwnedRecord::record`] borrows it as the engine's [`Record`].
///
/// ```rust
/// use callstate::strategies::OwnedRecord;
/// use callstate::{Engine, Event};
///
/// let r = OwnedRecord::new("agent-0001", "agentoffercontact")
///     .interaction("3f2c1a9e-7d41-4b2a-9c3e-000100000001")
///     .at(1_718_965_753_439);
/// assert_eq!(r.event(), Some(Event::OfferContact));
/// assert_eq!(
///     r.to_json_line(),
///     r#"{"agent":"agent-0001","interaction":"3f2c1a9e-7d41-4b2a-9c3e-000100000001","event":"agentoffercontact","time":1718965753439}"#
/// );
/// assert!(Engine::new().apply(&r.record()).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OwnedRecord {
    /// The agent id (may be empty in records meant to be `malformed`).
    pub agent: String,
    /// The interaction id; `None` means the agent's current call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// The event name as written on the wire.
    pub event: String,
    /// Milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
}

impl OwnedRecord {
    /// A record of the event named `event` for `agent`, with no interaction and no time.
    pub fn new(agent: impl Into<String>, event: impl Into<String>) -> OwnedRecord {
        OwnedRecord {
            agent: agent.into(),
            interaction: None,
            event: event.into(),
            time: None,
        }
    }

    /// The same record naming `interaction`.
    pub fn interaction(mut self, interaction: impl Into<String>) -> OwnedRecord {
        self.interaction = Some(interaction.into());
        self
    }

    /// The same record at `time` (ms since the epoch).
    pub fn at(mut self, time: i64) -> OwnedRecord {
        self.time = Some(time);
        self
    }

    /// The event the name stands for (canonical or alias, any case), if any.
    pub fn event(&self) -> Option<Event> {
        Event::resolve(&self.event)
    }

    /// The record in the engine's terms, borrowing from `self`.
    pub fn record(&self) -> Record<'_> {
        Record {
            interaction: self.interaction.as_deref(),
            time: self.time,
            ..Record::new(&self.agent, EventName::resolve(&self.event))
        }
    }

    /// The record as one line of a native-format log (no line ending): `agent`,
    /// `interaction` (when present), `event`, `time` (when present).
    pub fn to_json_line(&self) -> String {
        // Strings and integers only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("{e}"))
    }
}
