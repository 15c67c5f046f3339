//! One agent's call state, stepped by the table.
//!
//! A [`Machine`] applies one event at a time. The table ([`crate::model::table`]) decides
//! which transitions exist; the machine adds what the table cannot see — the
//! interaction the agent holds and the time of its last accepted event — and checks
//! the rejection kinds of SPEC §4 in their order of precedence.

use crate::model::id::Id;
use crate::model::record::{self, Field, FieldNames};
use crate::model::rejection::{Reason, Rejection};
use crate::model::table::{self, CallChange, Effect, Rule, StateCode, Step};
use crate::model::vocabulary::{Availability, Event, EventSet, Phase, Recording};
use serde::{Deserialize, Serialize};

pub use crate::model::table::Status;

/// An accepted event: what it changed. Self-transitions are transitions too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The canonical event.
    pub event: Event,
    /// The state before.
    pub from: Status,
    /// The state after.
    pub to: Status,
    /// The table row that fired.
    pub rule: &'static Rule,
}

impl Transition {
    /// Did the call terminate (the agent is back in `idle` or `ready`)?
    pub fn terminated(&self) -> bool {
        self.rule.terminates()
    }

    /// Did this transition bind a new interaction to the agent?
    pub fn bound_call(&self) -> bool {
        self.rule.effect == Effect::Bind
    }

    /// Could the accepted record have named only the call the agent already
    /// held (or none)? True for every event of an agent holding a call, except
    /// availability changes, which may name any call, and a bind. It follows from
    /// [`Machine::step`]'s `interaction_mismatch` and `agent_busy` checks; a test
    /// holds it to them in every reachable state. Replay uses it only to skip
    /// counting an id again, so `false` is always safe, only slower. Equivalent
    /// mutants: `false`, and `!self.bound_call()` without its `!` (no bind
    /// starts from a phase with a call, so the whole is then always `false`).
    pub(crate) fn names_only_held_call(&self) -> bool {
        self.from.phase.has_call() && !self.event.is_availability() && !self.bound_call()
    }
}

/// One agent's call-state machine.
///
/// ```
/// use callstate::{Event, Machine, Phase, RejectionKind};
///
/// let mut agent = Machine::new();
/// agent.step(Event::OfferContact, Some("call-1"), Some(1_000)).unwrap();
/// agent.step(Event::CustAnswered, None, Some(1_200)).unwrap();
/// assert_eq!(agent.phase(), Phase::Connected);
/// assert_eq!(agent.interaction(), Some("call-1"));
///
/// // Wrap-up before the contact ended is not in the table; nothing changes.
/// let err = agent.step(Event::Acw, None, Some(1_300)).unwrap_err();
/// assert_eq!(err.kind(), RejectionKind::IllegalTransition);
/// assert_eq!(agent.phase(), Phase::Connected);
/// assert!(err.to_string().starts_with("acw is not allowed in connected"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MachineState", into = "MachineState")]
pub struct Machine {
    // Inline (a UUID fits), so that binding a call allocates nothing and
    // comparing ids reads no other memory.
    interaction: Option<Id>,
    // The last accepted time, valid when `has_time`: an `i64` and a flag pack
    // into the padding after the id, where an `Option<i64>` (16 bytes) would
    // make the machine 64 bytes instead of 56.
    time: i64,
    has_time: bool,
    state: StateCode,
    // Resync's `last` (SPEC §8), kept by an engine in resync mode; in the padding
    // after the state, so it costs no space.
    pub(crate) last_event: Option<Event>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine::new()
    }
}

impl Machine {
    /// A never-seen agent: `ready`, available, not recording, no call, no time.
    pub const fn new() -> Machine {
        Machine::starting(Availability::Ready)
    }

    /// A never-seen agent that starts in the no-call phase of `availability`.
    pub const fn starting(availability: Availability) -> Machine {
        Machine {
            interaction: None,
            time: 0,
            has_time: false,
            state: StateCode::of(Status {
                phase: availability.phase(),
                recording: Recording::Off,
                availability,
            }),
            last_event: None,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.status().phase
    }

    /// The current recording state.
    pub fn recording(&self) -> Recording {
        self.status().recording
    }

    /// Where the agent returns when its call terminates.
    pub fn availability(&self) -> Availability {
        self.status().availability
    }

    /// Phase, recording and availability together.
    pub fn status(&self) -> Status {
        self.state.status()
    }

    /// The interaction id of the call the agent holds.
    pub fn interaction(&self) -> Option<&str> {
        self.interaction.as_ref().map(Id::as_str)
    }

    /// The time of the last accepted event that carried one.
    pub fn last_time(&self) -> Option<i64> {
        self.has_time.then_some(self.time)
    }

    fn set_time(&mut self, time: i64) {
        self.time = time;
        self.has_time = true;
    }

    /// Does the agent hold a call?
    pub fn has_call(&self) -> bool {
        self.state.has_call()
    }

    /// Does the table allow `event` in the current state? (Interaction and time
    /// are not considered: see [`Machine::step`] for the full check.)
    pub fn can(&self, event: Event) -> bool {
        table::step_at(self.state, event).is_some()
    }

    /// The events the table allows in the current state.
    pub fn allowed(&self) -> EventSet {
        let s = self.status();
        table::allowed(s.phase, s.recording)
    }

    /// How many values [`Machine::state_code`] takes.
    pub(crate) const STATE_CODES: usize = table::STATES;

    /// The packed (phase, recording, availability), below [`Machine::STATE_CODES`].
    pub(crate) fn state_code(&self) -> usize {
        self.state.code()
    }

    /// Would `event`, naming `interaction`, pass every check of SPEC §4 but the
    /// time check?
    pub(crate) fn admits(&self, event: Event, interaction: Option<&str>) -> bool {
        self.check(event, interaction, None).is_ok()
    }

    /// A machine in every reachable state, holding `held` where the phase has a call.
    pub(crate) fn every_reachable(held: &str) -> impl Iterator<Item = Machine> + '_ {
        (0..table::STATES).filter_map(move |code| {
            let status = StateCode::from_code(code)?.status();
            Machine::try_from(MachineState {
                phase: status.phase,
                recording: status.recording,
                availability: status.availability,
                interaction: status.phase.has_call().then(|| held.to_owned()),
                last_time: None,
                last_event: None,
                finished: None,
            })
            .ok()
        })
    }

    /// Applies `event`, naming `interaction` (or, with `None`, the agent's current
    /// call) at `time` (ms since the epoch, optional).
    ///
    /// On `Ok` the state has moved; on `Err` nothing changed at all. The checks,
    /// in SPEC §4's order: an empty interaction id or an offer with none
    /// (`malformed`, as [`Record::check`](crate::Record::check) states it), a time earlier than the last accepted one (`out_of_order`),
    /// then `agent_busy`, `interaction_mismatch`, `agent_not_ready`,
    /// `no_active_call`, and finally the table (`illegal_transition`).
    #[inline]
    pub fn step(
        &mut self,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Result<Transition, Rejection> {
        self.step_as::<false>(event, interaction, time, None)
            .map(|(transition, _)| transition)
    }

    /// [`Machine::step`], handing the id of a call that terminates to `retired`
    /// (resync's `finished`, SPEC §8) when given, and, with `WITH_CALL`, giving the call the transition is about
    /// (see [`Machine::fire`]; always `None` without it).
    ///
    /// Inlined always, with `check` and `fire`: the engine's `apply` is the hot
    /// path, and the compiler, left to choose, called them out of line from it,
    /// passing the step and the transition through memory (docs/performance.md,
    /// "The step inlined into the engine").
    #[inline(always)]
    pub(crate) fn step_as<const WITH_CALL: bool>(
        &mut self,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
        retired: Option<&mut Option<Id>>,
    ) -> Result<(Transition, Option<String>), Rejection> {
        match self.check(event, interaction, time) {
            Ok(step) => Ok(self.fire::<WITH_CALL>(step, event, interaction, time, retired)),
            Err(reason) => Err(self.reject(reason, event, interaction)),
        }
    }

    /// Which rule `event` would fire, or why it would be rejected.
    #[inline(always)]
    fn check(
        &self,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Result<Step, Reason> {
        // The malformed checks a machine can see, as the record's checks state them.
        record::check_call(
            Some(event),
            Field::from(interaction),
            FieldNames::RECORD.interaction,
        )
        .map_err(Reason::Malformed)?;
        if let (Some(time), Some(last)) = (time, self.last_time()) {
            if time < last {
                return Err(Reason::OutOfOrder { time, last });
            }
        }
        let rule = table::step_at(self.state, event);
        let held = self.interaction.as_ref();
        let names_other_call =
            matches!((interaction, held), (Some(x), Some(h)) if !h.is(x.as_bytes()));
        if event.offers_call() && self.has_call() {
            // An offer on a held call is only legal where the table has a row for
            // it (a reserved preview being offered), and only for that same call.
            if rule.is_none() || names_other_call {
                return Err(Reason::AgentBusy {
                    held: held.map(Id::as_str).unwrap_or_default().to_owned(),
                });
            }
        }
        if names_other_call && !event.is_availability() {
            return Err(Reason::InteractionMismatch {
                held: held.map(Id::as_str).unwrap_or_default().to_owned(),
            });
        }
        match rule {
            Some(rule) => Ok(rule),
            None if event.offers_call() && !self.has_call() => Err(Reason::AgentNotReady),
            None if event.needs_call() && !self.has_call() => Err(Reason::NoActiveCall),
            None => Err(Reason::IllegalTransition),
        }
    }

    /// Fires `step`: its transition and, with `WITH_CALL`, the call the
    /// transition is about (the `id` of its outbound event, SPEC §6): the agent's
    /// call after it, or the call it terminated; `None` when the agent had none.
    /// Worked out here, where both calls are known, and nowhere else.
    #[inline(always)]
    fn fire<const WITH_CALL: bool>(
        &mut self,
        step: Step,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
        retired: Option<&mut Option<Id>>,
    ) -> (Transition, Option<String>) {
        let before = if WITH_CALL {
            self.interaction().map(str::to_owned)
        } else {
            None
        };
        let from = self.status();
        self.state = step.next;
        match step.call {
            CallChange::Keep => {}
            CallChange::Bind => self.interaction = interaction.map(Id::new),
            CallChange::Clear => {
                let ended = self.interaction.take();
                if let Some(retired) = retired {
                    *retired = ended;
                }
            }
        }
        if let Some(t) = time {
            self.set_time(t);
        }
        let transition = Transition {
            event,
            from,
            to: Status {
                phase: step.phase,
                recording: step.recording,
                availability: step.availability,
            },
            rule: step.rule(),
        };
        let call = if WITH_CALL {
            self.interaction().map(str::to_owned).or(before)
        } else {
            None
        };
        (transition, call)
    }

    #[cold]
    #[inline(never)]
    fn reject(&self, reason: Reason, event: Event, interaction: Option<&str>) -> Rejection {
        Rejection::met(reason, self.status(), self.interaction()).naming(
            None,
            interaction,
            Some(event.name()),
        )
    }
}

/// The serialized form of a [`Machine`], checked for consistency on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineState {
    /// The phase.
    pub phase: Phase,
    /// The recording state.
    pub recording: Recording,
    /// The availability.
    pub availability: Availability,
    /// The interaction of the held call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// The last accepted time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_time: Option<i64>,
    /// Resync's `last` (SPEC §8): the canonical event of the last record applied.
    /// Kept by an [`Engine`](crate::Engine) in resync mode; a lone [`Machine`]
    /// carries it but never sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<Event>,
    /// Resync's `finished` (SPEC §8): the interaction of the most recently
    /// terminated call. Kept by an engine in resync mode, beside the machine; a
    /// lone [`Machine`] ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
}

/// Why an [`MachineState`] cannot be a [`Machine`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// A call phase with no interaction, or a no-call phase with one.
    #[error("phase {phase} {}", if *has_interaction { "cannot hold an interaction" } else { "needs an interaction" })]
    Interaction {
        /// The phase.
        phase: Phase,
        /// Whether an interaction was given.
        has_interaction: bool,
    },
    /// An empty interaction id.
    #[error("the interaction id is empty")]
    EmptyInteraction,
    /// A state no sequence of events leads to (recording on before the customer
    /// answered, a no-call phase other than the availability, …).
    #[error("no sequence of events leads to phase {phase} with recording {recording} and availability {availability}")]
    Unreachable {
        /// The phase.
        phase: Phase,
        /// The recording state.
        recording: Recording,
        /// The availability.
        availability: Availability,
    },
}

impl TryFrom<MachineState> for Machine {
    type Error = StateError;

    fn try_from(s: MachineState) -> Result<Self, Self::Error> {
        if s.phase.has_call() != s.interaction.is_some() {
            return Err(StateError::Interaction {
                phase: s.phase,
                has_interaction: s.interaction.is_some(),
            });
        }
        if s.interaction.as_deref() == Some("") {
            return Err(StateError::EmptyInteraction);
        }
        if !table::is_reachable(s.phase, s.recording, s.availability) {
            return Err(StateError::Unreachable {
                phase: s.phase,
                recording: s.recording,
                availability: s.availability,
            });
        }
        let mut machine = Machine {
            interaction: s.interaction.as_deref().map(Id::new),
            time: 0,
            has_time: false,
            state: StateCode::of(Status {
                phase: s.phase,
                recording: s.recording,
                availability: s.availability,
            }),
            last_event: s.last_event,
        };
        if let Some(t) = s.last_time {
            machine.set_time(t);
        }
        Ok(machine)
    }
}

impl From<Machine> for MachineState {
    fn from(m: Machine) -> Self {
        let status = m.status();
        MachineState {
            phase: status.phase,
            recording: status.recording,
            availability: status.availability,
            last_time: m.last_time(),
            interaction: m.interaction.as_ref().map(|i| i.as_str().to_owned()),
            last_event: m.last_event,
            finished: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rejection::RejectionKind;

    #[test]
    fn machine_is_56_bytes() {
        // The inline id (40), the time (8), its flag and the state code.
        assert_eq!(std::mem::size_of::<Machine>(), 56);
    }

    #[test]
    fn an_accepted_record_names_only_the_held_call_where_the_transition_says_so() {
        use strum::IntoEnumIterator;
        let mut checked = 0;
        for phase in Phase::iter().filter(|p| p.has_call()) {
            for recording in Recording::iter() {
                for availability in Availability::iter() {
                    if !table::is_reachable(phase, recording, availability) {
                        continue;
                    }
                    let saved = MachineState {
                        phase,
                        recording,
                        availability,
                        interaction: Some("held".into()),
                        last_time: None,
                        last_event: None,
                        finished: None,
                    };
                    let machine = Machine::try_from(saved).unwrap();
                    for event in Event::iter() {
                        for named in [None, Some("held"), Some("other")] {
                            let Ok(t) = machine.clone().step(event, named, None) else {
                                continue;
                            };
                            checked += 1;
                            if t.names_only_held_call() {
                                assert!(
                                    matches!(named, None | Some("held")),
                                    "{phase} {recording} {availability} {event} named {named:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }

    #[test]
    fn times_at_the_ends_of_64_bits_are_ordered_exactly() {
        let mut m = Machine::new();
        m.step(Event::AgentIdle, None, Some(i64::MAX - 1)).unwrap();
        assert_eq!(m.last_time(), Some(i64::MAX - 1));
        m.step(Event::AgentIdle, None, Some(i64::MAX)).unwrap();
        let e = m
            .step(Event::AgentIdle, None, Some(i64::MAX - 1))
            .unwrap_err();
        assert_eq!(e.kind(), RejectionKind::OutOfOrder);
        assert_eq!(m.last_time(), Some(i64::MAX));
        m.step(Event::AgentIdle, None, Some(i64::MIN)).unwrap_err();
        let mut n = Machine::new();
        n.step(Event::AgentIdle, None, Some(i64::MIN)).unwrap();
        assert_eq!(n.last_time(), Some(i64::MIN));
        n.step(Event::AgentIdle, None, Some(i64::MIN)).unwrap();
    }

    #[test]
    fn snapshots_with_a_time_beyond_64_bits_are_refused() {
        let saved = |t: &str| {
            format!(
                r#"{{"phase":"ready","recording":"off","availability":"ready","last_time":{t}}}"#
            )
        };
        let max = serde_json::from_str::<Machine>(&saved("9223372036854775807")).unwrap();
        assert_eq!(max.last_time(), Some(i64::MAX));
        let min = serde_json::from_str::<Machine>(&saved("-9223372036854775808")).unwrap();
        assert_eq!(min.last_time(), Some(i64::MIN));
        for beyond in ["9223372036854775808", "-9223372036854775809", "1e3", "5.0"] {
            assert!(
                serde_json::from_str::<Machine>(&saved(beyond)).is_err(),
                "{beyond}"
            );
        }
    }

    #[test]
    fn terminating_returns_to_availability_and_clears_the_call() {
        let mut m = Machine::new();
        m.step(Event::OfferContact, Some("i"), None).unwrap();
        m.step(Event::CustAnswered, None, None).unwrap();
        m.step(Event::RecordingStarted, None, None).unwrap();
        m.step(Event::AgentIdle, Some("other"), None).unwrap();
        let t = m.step(Event::Dropped, None, None).unwrap();
        assert!(t.terminated());
        assert_eq!(m.phase(), Phase::Idle);
        assert_eq!(m.recording(), Recording::Off);
        assert_eq!(m.interaction(), None);
    }

    #[test]
    fn can_and_allowed_follow_the_table() {
        let mut m = Machine::new();
        assert!(m.can(Event::OfferContact) && !m.can(Event::Acw));
        m.step(Event::OfferContact, Some("i"), None).unwrap();
        m.step(Event::CustAnswered, None, None).unwrap();
        for e in <Event as strum::IntoEnumIterator>::iter() {
            assert_eq!(m.can(e), m.allowed().contains(e), "{e}");
            assert_eq!(
                m.can(e),
                table::rule_for(Phase::Connected, Recording::Off, e).is_some()
            );
        }
        assert!(m.can(Event::RecordingStarted) && !m.can(Event::ResumeRecording));
    }

    #[test]
    fn rona_makes_the_agent_idle() {
        let mut m = Machine::new();
        m.step(Event::OfferCampaignReserved, Some("i"), None)
            .unwrap();
        let t = m.step(Event::OfferContactRona, Some("i"), None).unwrap();
        assert_eq!(t.to.phase, Phase::Idle);
        assert_eq!(t.to.availability, Availability::Idle);
    }

    #[test]
    fn equal_times_are_in_order() {
        let mut m = Machine::new();
        m.step(Event::AgentIdle, None, Some(5)).unwrap();
        m.step(Event::AgentAvailable, None, Some(5)).unwrap();
        let e = m.step(Event::AgentIdle, None, Some(4)).unwrap_err();
        assert_eq!(e.kind(), RejectionKind::OutOfOrder);
        // An accepted record without time keeps the last time.
        m.step(Event::AgentIdle, None, None).unwrap();
        assert_eq!(m.last_time(), Some(5));
    }

    #[test]
    fn corrupt_states_are_refused() {
        let bad = [
            r#"{"phase":"idle","recording":"off","availability":"ready","interaction":"x"}"#,
            r#"{"phase":"connected","recording":"off","availability":"ready"}"#,
            r#"{"phase":"connected","recording":"off","availability":"ready","interaction":""}"#,
            r#"{"phase":"offered","recording":"on","availability":"ready","interaction":"x"}"#,
            r#"{"phase":"flying","recording":"off","availability":"ready"}"#,
            r#"{"phase":"idle","recording":"off","availability":"ready"}"#,
            r#"{"phase":"idle","recording":"off","availability":"idle","extra":1}"#,
        ];
        for json in bad {
            assert!(serde_json::from_str::<Machine>(json).is_err(), "{json}");
        }
    }
}
