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

/// The 21 canonical events of SPEC §2, in the spec's order (E1 … E21).
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
}

/// Every alias of SPEC §2, with the event it names. Canonical names are matched too,
/// through [`Event::name`]. Matching is ASCII case-insensitive.
pub const ALIASES: &[(&str, Event)] = &[
    ("Available", Event::AgentAvailable),
    ("Ready", Event::AgentAvailable),
    ("Idle", Event::AgentIdle),
    ("NotReady", Event::AgentIdle),
    (
        "AgentOfferCampaignReservation",
        Event::OfferCampaignReserved,
    ),
    ("eAgentAddCampaignReserved", Event::OfferCampaignReserved),
    ("eAgentContactReserved", Event::OfferCampaignReserved),
    ("AgentContactReserved", Event::OfferCampaignReserved),
    ("AgentOfferContact", Event::OfferContact),
    ("AgentOfferContactRona", Event::OfferContactRona),
    ("eAgentContactAssigned", Event::CustAnswered),
    ("AgentContactAssigned", Event::CustAnswered),
    ("ContactRecordingStarted", Event::RecordingStarted),
    ("ContactRecordingPaused", Event::PauseRecording),
    ("ContactRecordingResumed", Event::ResumeRecording),
    ("AgentContactHeld", Event::ContactHeld),
    ("AgentContactUnheld", Event::ContactUnHeld),
    ("AgentConsultCreated", Event::ConsultCreated),
    ("AgentConsulting", Event::Consulting),
    ("AgentConsultFailed", Event::ConsultFailed),
    ("eAgentCtqFailed", Event::ConsultFailed),
    ("AgentCtqFailed", Event::ConsultFailed),
    ("eAgentCtqCancelled", Event::ConsultFailed),
    ("AgentCtqCancelled", Event::ConsultFailed),
    ("AgentConsultEnded", Event::ConsultEnded),
    ("AgentConsultConferenced", Event::ConsultConferenced),
    ("AgentConsultConferenceEnded", Event::ConsultConferenceEnded),
    ("ContactEnded", Event::ContactEnded),
    ("AgentContactEnded", Event::ContactEnded),
    ("eAgentWrapup", Event::Acw),
    ("AgentWrapup", Event::Acw),
    ("AgentWrappedUp", Event::ContactWrappedUp),
    ("AgentOutboundFailed", Event::Dropped),
];

/// The websocket notification type whose `subStatus` decides between E1 and E2.
pub const AGENT_STATE_CHANGE: &str = "AgentStateChange";

/// A set of events, as a bit set over [`Event`]'s discriminants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventSet(u32);

impl EventSet {
    /// The empty set.
    pub const EMPTY: EventSet = EventSet(0);

    /// This set with `event` added.
    pub const fn with(self, event: Event) -> EventSet {
        EventSet(self.0 | 1 << event as u32)
    }

    /// Does the set hold `event`?
    pub const fn contains(self, event: Event) -> bool {
        self.0 & (1 << event as u32) != 0
    }

    /// Is the set empty?
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many events the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The events of the set, in canonical (E1 … E21) order.
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
    /// Comma-separated canonical names, in E1 … E21 order.
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

    /// The position in SPEC §2, 1-based (`AgentAvailable` is 1, `DROPPED` is 21).
    pub const fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The aliases of this event (canonical name excluded), in SPEC §2 order.
    pub fn aliases(self) -> impl Iterator<Item = &'static str> {
        ALIASES
            .iter()
            .filter(move |(_, e)| *e == self)
            .map(|(name, _)| *name)
    }

    /// Resolves a wire name — canonical or alias, in any ASCII case — to its event.
    ///
    /// `AgentStateChange` resolves to `None` here: it only names an event together
    /// with a `subStatus` (see [`Event::from_state_change`]).
    ///
    /// ```
    /// use callstate::Event;
    /// assert_eq!(Event::resolve("eCallRecordingstarted"), Some(Event::RecordingStarted));
    /// assert_eq!(Event::resolve("agentwrapup"), Some(Event::Acw));
    /// assert_eq!(Event::resolve("Swapped"), None);
    /// ```
    pub fn resolve(name: &str) -> Option<Event> {
        lookup::resolve(name)
    }

    /// The event a websocket `AgentStateChange` with this `subStatus` stands for:
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

    /// Does this event bind an interaction to an agent (E3, E4)?
    pub const fn offers_call(self) -> bool {
        matches!(self, Event::OfferCampaignReserved | Event::OfferContact)
    }

    /// Does this event only change availability (E1, E2), so that it is legal in
    /// every phase and never checked against the held interaction?
    pub const fn is_availability(self) -> bool {
        matches!(self, Event::AgentAvailable | Event::AgentIdle)
    }

    /// Does this event need a call to act on (E5 … E21)?
    pub const fn needs_call(self) -> bool {
        !self.offers_call() && !self.is_availability()
    }
}

/// Name resolution: every name (canonical and alias) lowercased once, grouped by
/// length so a lookup compares against only a handful of candidates.
mod lookup {
    use super::{Event, ALIASES};
    use std::sync::OnceLock;
    use strum::IntoEnumIterator;

    const MAX_LEN: usize = 32;

    type ByLength = Vec<Vec<(Box<[u8]>, Event)>>;

    fn table() -> &'static ByLength {
        static TABLE: OnceLock<ByLength> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut by_len: ByLength = vec![Vec::new(); MAX_LEN + 1];
            let names = Event::iter()
                .map(|e| (e.name(), e))
                .chain(ALIASES.iter().copied());
            for (name, event) in names {
                let lower: Box<[u8]> = name.to_ascii_lowercase().into_bytes().into();
                by_len[lower.len()].push((lower, event));
            }
            by_len
        })
    }

    pub(super) fn resolve(name: &str) -> Option<Event> {
        let bytes = name.as_bytes();
        let candidates = table().get(bytes.len())?;
        candidates
            .iter()
            .find(|(lower, _)| lower.eq_ignore_ascii_case(bytes))
            .map(|(_, event)| *event)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_name_fits_the_length_index() {
            for (name, _) in ALIASES {
                assert!(name.len() <= MAX_LEN, "{name}");
            }
            for e in Event::iter() {
                assert!(e.name().len() <= MAX_LEN, "{e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn there_are_21_events_and_11_phases() {
        assert_eq!(Event::COUNT, 21);
        assert_eq!(Phase::COUNT, 11);
        assert_eq!(Event::Dropped.number(), 21);
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
            "Swapped",
            "CustAnswered ",
            "acw\0",
            "é",
        ] {
            assert_eq!(Event::resolve(name), None, "{name:?}");
        }
    }

    #[test]
    fn no_alias_names_two_events() {
        let mut seen = std::collections::HashMap::new();
        for e in Event::iter() {
            for name in std::iter::once(e.name()).chain(e.aliases()) {
                if let Some(other) = seen.insert(name.to_ascii_lowercase(), e) {
                    panic!("{name} names both {other} and {e}");
                }
            }
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
        assert!(EventSet::EMPTY.is_empty());
    }
}
