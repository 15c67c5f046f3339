//! One agent's call state, stepped by the table.
//!
//! A [`Machine`] applies one record at a time. The table ([`crate::model::table`])
//! decides which transitions exist; the machine adds what the table cannot see —
//! the interaction the agent holds, its finished call, the time of its last
//! accepted event — and checks the rejection kinds of SPEC §4 in their order of
//! precedence. An accepted record is [`Accepted`]: a [`Transition`], or accepted
//! without change (SPEC §3.3, §3.4).

use crate::model::id::Id;
use crate::model::record::{self, EventName, Field, FieldNames, Record, SnapshotView};
use crate::model::rejection::{Reason, Rejection};
use crate::model::table::{self, CallChange, Effect, Rule, SnapshotRow, StateCode, Step, StepKind};
use crate::model::vocabulary::{Availability, CallNotice, Event, EventSet, Phase, Recording, Role};
use serde::{Deserialize, Serialize};

pub use crate::model::table::Status;

/// An accepted event that moved the agent (or a snapshot, kept or not).
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
    /// How the call changed beyond the row: a re-keying (SPEC §3.6) or a snapshot
    /// (SPEC §3.5).
    pub change: CallUpdate,
}

/// What a transition did to the call beyond its table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallUpdate {
    /// The row's effect alone.
    Row,
    /// An `AgentContactAssigned` moved the held call to the record's new id
    /// (SPEC §3.6).
    Rekeyed,
    /// A snapshot that matched what the agent held: nothing changed.
    SnapshotKept,
    /// A snapshot that set the agent's state: it differed from the platform's.
    SnapshotSet {
        /// The agent held another interaction, which is now its `finished`.
        replaced: bool,
    },
}

impl Transition {
    /// Did the call terminate (the agent is back in `idle` or `ready`)?
    pub fn terminated(&self) -> bool {
        self.rule.terminates()
    }

    /// Did this transition bind a new interaction to the agent (an offer, or a
    /// snapshot of another call)?
    pub fn bound_call(&self) -> bool {
        self.rule.effect == Effect::Bind || self.snapshot_differed()
    }

    /// Was this a snapshot that set the agent's state (SPEC §3.5: the replay
    /// report gets a snapshot line)?
    pub fn snapshot_differed(&self) -> bool {
        matches!(self.change, CallUpdate::SnapshotSet { .. })
    }

    /// Could the accepted record have named only the call the agent already
    /// held (or none)? True for every event of an agent holding a call, except
    /// availability changes, which may name any call, a bind, a snapshot and a
    /// re-keying. It follows from [`Machine::step`]'s `interaction_mismatch` and
    /// `agent_busy` checks; a test holds it to them in every reachable state.
    pub(crate) fn names_only_held_call(&self) -> bool {
        self.from.phase.has_call()
            && !self.event.is_availability()
            && !self.event.is_snapshot()
            && !self.bound_call()
            && self.change != CallUpdate::Rekeyed
    }
}

/// A record accepted without change (SPEC §3.3): not a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unchanged {
    /// The canonical name of what was accepted.
    pub name: &'static str,
    /// The agent's state, before and after.
    pub status: Status,
    /// Why it changed nothing.
    pub why: Unchange,
}

/// Why a record was accepted without change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchange {
    /// A transition event in a row marked "notice" (SPEC §3.2).
    NoticeRow(&'static Rule),
    /// A call notice (SPEC §2.2).
    CallNotice(CallNotice),
    /// An agent notice (SPEC §2.3).
    AgentNotice,
    /// A late notification of the agent's finished call (SPEC §3.4).
    Late,
}

/// What an accepted record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The agent moved (an outbound event, SPEC §6).
    Transition(Transition),
    /// Accepted without change (no outbound event).
    Unchanged(Unchanged),
}

impl Accepted {
    /// The transition, when the record made one.
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            Accepted::Transition(t) => Some(t),
            Accepted::Unchanged(_) => None,
        }
    }

    /// The state after the record.
    pub fn to(&self) -> Status {
        match self {
            Accepted::Transition(t) => t.to,
            Accepted::Unchanged(u) => u.status,
        }
    }

    /// The state before the record.
    pub fn from(&self) -> Status {
        match self {
            Accepted::Transition(t) => t.from,
            Accepted::Unchanged(u) => u.status,
        }
    }

    /// The canonical name of what was accepted.
    pub fn name(&self) -> &'static str {
        match self {
            Accepted::Transition(t) => t.event.name(),
            Accepted::Unchanged(u) => u.name,
        }
    }

    /// Did the call terminate?
    pub fn terminated(&self) -> bool {
        self.transition().is_some_and(Transition::terminated)
    }

    /// Does the record set resync's `last` (SPEC §8): a transition of the table,
    /// not a snapshot?
    pub(crate) fn sets_last(&self) -> Option<Event> {
        self.transition()
            .filter(|t| !t.event.is_snapshot())
            .map(|t| t.event)
    }

    /// See [`Transition::names_only_held_call`]; an accepted-without-change record
    /// names the held call or none, except an agent notice, which names no call.
    pub(crate) fn names_only_held_call(&self) -> bool {
        match self {
            Accepted::Transition(t) => t.names_only_held_call(),
            Accepted::Unchanged(u) => u.why == Unchange::AgentNotice || u.status.phase.has_call(),
        }
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
/// // Wrap-up after the call was put on hold and back is fine (v3), but the
/// // wrapped-up notification before it is not in the table; nothing changes.
/// let err = agent.step(Event::ContactWrappedUp, None, Some(1_300)).unwrap_err();
/// assert_eq!(err.kind(), RejectionKind::IllegalTransition);
/// assert_eq!(agent.phase(), Phase::Connected);
/// assert!(err.to_string().starts_with("eAgentContactWrappedUp is not allowed in connected"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MachineState", into = "MachineState")]
pub struct Machine {
    // Inline (a UUID fits), so that binding a call allocates nothing and
    // comparing ids reads no other memory.
    interaction: Option<Id>,
    // The interaction of the most recently terminated call (SPEC §1, §3.4): kept
    // in both modes, 40 bytes more per agent.
    finished: Option<Id>,
    // The last accepted time, valid when `has_time`: an `i64` and a flag pack
    // into the padding after the ids.
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
    /// A never-seen agent: `ready`, owner, available, not recording, no call, no time.
    pub const fn new() -> Machine {
        Machine::starting(Availability::Ready)
    }

    /// A never-seen agent that starts in the no-call phase of `availability`.
    pub const fn starting(availability: Availability) -> Machine {
        Machine {
            interaction: None,
            finished: None,
            time: 0,
            has_time: false,
            state: StateCode::of(Status {
                phase: availability.phase(),
                role: Role::Owner,
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

    /// The current role.
    pub fn role(&self) -> Role {
        self.status().role
    }

    /// The current recording state.
    pub fn recording(&self) -> Recording {
        self.status().recording
    }

    /// Where the agent returns when its call terminates.
    pub fn availability(&self) -> Availability {
        self.status().availability
    }

    /// Phase, role, recording and availability together.
    pub fn status(&self) -> Status {
        self.state.status()
    }

    /// The interaction id of the call the agent holds.
    pub fn interaction(&self) -> Option<&str> {
        self.interaction.as_ref().map(Id::as_str)
    }

    /// [`Machine::interaction`] as the machine keeps it: copied or compared
    /// without reading it as text.
    pub(crate) fn interaction_id(&self) -> Option<&Id> {
        self.interaction.as_ref()
    }

    /// The interaction id of the agent's most recently terminated call.
    pub fn finished(&self) -> Option<&str> {
        self.finished.as_ref().map(Id::as_str)
    }

    /// The time of the last accepted event that carried one.
    pub fn last_time(&self) -> Option<i64> {
        self.has_time.then_some(self.time)
    }

    fn set_time(&mut self, time: Option<i64>) {
        if let Some(time) = time {
            self.time = time;
            self.has_time = true;
        }
    }

    /// Does the agent hold a call?
    pub fn has_call(&self) -> bool {
        self.state.has_call()
    }

    /// Does the table allow `event` in the current state (notice rows included)?
    /// (Interaction and time are not considered: see [`Machine::step`] for the
    /// full check.)
    pub fn can(&self, event: Event) -> bool {
        table::step_at(self.state, event).is_some()
    }

    /// The events the table allows in the current state.
    pub fn allowed(&self) -> EventSet {
        let s = self.status();
        table::allowed(s.phase, s.recording, s.role)
    }

    /// How many values [`Machine::state_code`] takes.
    pub(crate) const STATE_CODES: usize = table::STATES;

    /// The packed status, below [`Machine::STATE_CODES`].
    pub(crate) fn state_code(&self) -> usize {
        self.state.code()
    }

    /// Would `event`, naming `interaction`, pass every check of SPEC §4 but the
    /// time check *as a transition* (SPEC §8: not accepted without change)?
    pub(crate) fn admits(&self, event: Event, interaction: Option<&str>) -> bool {
        let record = Record {
            interaction,
            ..Record::new("", event)
        };
        matches!(
            self.check(&record, event, false, self.rekeys(&record, event)),
            Ok(Checked::Step(step)) if step.kind == StepKind::Transition
        )
    }

    /// A machine in every reachable state, holding `held` where the phase has a call.
    pub(crate) fn every_reachable(held: &str) -> impl Iterator<Item = Machine> + '_ {
        (0..table::STATES).filter_map(move |code| {
            let status = StateCode::from_code(code)?.status();
            Machine::try_from(MachineState {
                phase: status.phase,
                role: status.role,
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
    /// call) at `time` (ms since the epoch, optional). A snapshot (E34) given this
    /// way has none of its fields, so it states no phase: see [`Machine::apply`].
    ///
    /// On `Ok` the record was accepted: a transition, or accepted without change;
    /// on `Err` nothing changed at all. The checks, in SPEC §4's order: an empty
    /// interaction id or an offer with none (`malformed`, as
    /// [`Record::check`](crate::Record::check) states it), a time earlier than the
    /// last accepted one (`out_of_order`), then `agent_busy`,
    /// `interaction_mismatch`, `agent_not_ready`, `no_active_call` (a late
    /// notification of the finished call excepted, SPEC §3.4), and finally the
    /// table (`illegal_transition`).
    #[inline]
    pub fn step(
        &mut self,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Result<Accepted, Rejection> {
        let record = Record {
            interaction,
            time,
            ..Record::new("", event)
        };
        self.apply(&record)
    }

    /// Applies a whole record (its agent id aside): a transition event with its
    /// reservation id (SPEC §3.6) and snapshot fields (SPEC §3.5), a call notice or
    /// an agent notice. An unknown name is rejected (`unknown_event`).
    #[inline]
    pub fn apply(&mut self, record: &Record<'_>) -> Result<Accepted, Rejection> {
        self.apply_as::<false>(record)
            .map(|(accepted, _)| accepted)
            .map_err(|rejection| *rejection)
    }

    /// [`Machine::apply`], with `WITH_CALL` also giving the call a transition is
    /// about (see [`Machine::fire`]; always `None` without it).
    ///
    /// Inlined always, with `check` and `fire`: the engine's `apply` is the hot
    /// path, and the compiler, left to choose, called them out of line from it,
    /// passing the step and the transition through memory (docs/performance.md,
    /// "The step inlined into the engine").
    #[inline(always)]
    pub(crate) fn apply_as<const WITH_CALL: bool>(
        &mut self,
        record: &Record<'_>,
    ) -> Result<(Accepted, Option<String>), Box<Rejection>> {
        let (interaction, time) = (record.interaction, record.time);
        let (event, notice) = match record.event {
            EventName::Known(e) => (Some(e), None),
            EventName::CallNotice(n) => (None, Some(n)),
            EventName::AgentNotice(name) => return self.agent_notice(name, interaction, time),
            EventName::Unknown(_) => {
                let rejection =
                    Rejection::met(Reason::UnknownEvent, self.status(), self.interaction());
                return Err(Box::new(rejection.naming(
                    None,
                    interaction,
                    Some(record.event.as_str()),
                )));
            }
        };
        // Worked out once: `check` judges the call the record names by it, and
        // `fire` moves the held call to the new id.
        let rekey = event.is_some_and(|e| self.rekeys(record, e));
        let checked = match (event, notice) {
            (Some(e), _) => self.check(record, e, true, rekey),
            (None, Some(n)) => self.check_notice(n, interaction, time),
            (None, None) => unreachable!("a record is an event or a notice"),
        };
        let status = self.status();
        match checked {
            Ok(Checked::Step(step)) => match step.kind {
                StepKind::Transition => {
                    let event = step.rule().event;
                    Ok(self.fire::<WITH_CALL>(step, event, interaction, rekey, time))
                }
                StepKind::Notice => {
                    self.set_time(time);
                    let rule = step.rule();
                    Ok((
                        Accepted::Unchanged(Unchanged {
                            name: rule.event.name(),
                            status,
                            why: Unchange::NoticeRow(rule),
                        }),
                        None,
                    ))
                }
                StepKind::Snapshot => Ok(self.snapshot::<WITH_CALL>(step, record)),
            },
            Ok(Checked::Unchanged(why)) => {
                self.set_time(time);
                let name = match (event, notice) {
                    (Some(e), _) => e.name(),
                    (None, Some(n)) => n.name(),
                    (None, None) => "",
                };
                let accepted = Accepted::Unchanged(Unchanged { name, status, why });
                Ok((accepted, None))
            }
            Err(reason) => Err(self.reject(reason, record)),
        }
    }

    /// An agent notice (SPEC §3.3): checked for `out_of_order` only.
    fn agent_notice(
        &mut self,
        name: &'static str,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Result<(Accepted, Option<String>), Box<Rejection>> {
        if let Err(reason) = self.check_time(time) {
            let rejection = Rejection::met(reason, self.status(), self.interaction());
            return Err(Box::new(rejection.naming(None, interaction, Some(name))));
        }
        self.set_time(time);
        let accepted = Accepted::Unchanged(Unchanged {
            name,
            status: self.status(),
            why: Unchange::AgentNotice,
        });
        Ok((accepted, None))
    }

    #[inline(always)]
    fn check_time(&self, time: Option<i64>) -> Result<(), Reason> {
        match (time, self.last_time()) {
            (Some(time), Some(last)) if time < last => Err(Reason::OutOfOrder { time, last }),
            _ => Ok(()),
        }
    }

    /// Does `interaction` name a call other than the held one?
    #[inline(always)]
    fn names_other_call(&self, interaction: Option<&str>) -> bool {
        matches!((interaction, &self.interaction), (Some(x), Some(h)) if !h.is(x.as_bytes()))
    }

    /// Does `interaction` name the agent's finished call while it holds none
    /// (SPEC §3.4)?
    fn names_finished(&self, interaction: Option<&str>) -> bool {
        !self.has_call()
            && matches!((interaction, &self.finished), (Some(x), Some(f)) if f.is(x.as_bytes()))
    }

    /// The interaction an E6 record is checked as naming: its reservation id *R*
    /// when that is the held call and the record names another *N* (SPEC §3.6).
    #[inline(always)]
    fn rekeys(&self, record: &Record<'_>, event: Event) -> bool {
        event == Event::CustAnswered
            && matches!(
                (record.interaction, record.reservation, &self.interaction),
                (Some(n), Some(r), Some(h)) if n != r && h.is(r.as_bytes())
            )
    }

    /// Which rule `event` would fire, or why it would be rejected (SPEC §4);
    /// `rekey`: [`Machine::rekeys`] of the record.
    #[inline(always)]
    fn check(
        &self,
        record: &Record<'_>,
        event: Event,
        timed: bool,
        rekey: bool,
    ) -> Result<Checked, Reason> {
        // The malformed checks a machine can see, as the record's checks state them.
        record::check_call(
            Some(event),
            Field::from(record.interaction),
            FieldNames::RECORD.interaction,
        )
        .map_err(Reason::Malformed)?;
        let rule = table::step_at(self.state, event);
        if event.is_snapshot() {
            // Never out of order, busy or mismatched (SPEC §3.5).
            let stated = SnapshotRow::of(record.snapshot.state, record.snapshot.wrap_up);
            return match (rule, stated) {
                (Some(step), Some(_)) => Ok(Checked::Step(step)),
                _ => Err(Reason::NoSnapshotPhase),
            };
        }
        if timed {
            self.check_time(record.time)?;
        }
        let named = if rekey {
            record.reservation
        } else {
            record.interaction
        };
        let names_other_call = self.names_other_call(named);
        let held = || self.interaction().unwrap_or_default().to_owned();
        if event.offers_call() && self.has_call() {
            // An offer on a held call is only legal where the table has a row for
            // it, and only for that same call.
            if rule.is_none() || names_other_call {
                return Err(Reason::AgentBusy { held: held() });
            }
        }
        if names_other_call && !event.is_availability() {
            return Err(Reason::InteractionMismatch { held: held() });
        }
        match rule {
            Some(step) => Ok(Checked::Step(step)),
            None if event.offers_call() && !self.has_call() => Err(Reason::AgentNotReady),
            None if event.needs_call() && !self.has_call() => {
                if table::is_late_notification(event) && self.names_finished(named) {
                    Ok(Checked::Unchanged(Unchange::Late))
                } else {
                    Err(Reason::NoActiveCall)
                }
            }
            None => Err(Reason::IllegalTransition),
        }
    }

    /// SPEC §4 for a call notice: accepted without change where it can occur.
    fn check_notice(
        &self,
        notice: CallNotice,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Result<Checked, Reason> {
        record::check_call(
            None,
            Field::from(interaction),
            FieldNames::RECORD.interaction,
        )
        .map_err(Reason::Malformed)?;
        self.check_time(time)?;
        if self.names_other_call(interaction) {
            let held = self.interaction().unwrap_or_default().to_owned();
            return Err(Reason::InteractionMismatch { held });
        }
        if !self.has_call() {
            return if self.names_finished(interaction) {
                Ok(Checked::Unchanged(Unchange::Late))
            } else {
                Err(Reason::NoActiveCall)
            };
        }
        if table::notice_phases(notice).contains(self.phase()) {
            Ok(Checked::Unchanged(Unchange::CallNotice(notice)))
        } else {
            Err(Reason::IllegalTransition)
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
        rekey: bool,
        time: Option<i64>,
    ) -> (Accepted, Option<String>) {
        let before = if WITH_CALL {
            self.interaction().map(str::to_owned)
        } else {
            None
        };
        let from = self.status();
        self.state = step.next;
        match step.call {
            CallChange::Keep if rekey => self.interaction = interaction.map(Id::new),
            CallChange::Keep => {}
            CallChange::Bind => self.interaction = interaction.map(Id::new),
            CallChange::Clear => self.finished = self.interaction.take(),
        }
        self.set_time(time);
        let transition = Transition {
            event,
            from,
            to: step.next.status(),
            rule: step.rule(),
            change: if rekey {
                CallUpdate::Rekeyed
            } else {
                CallUpdate::Row
            },
        };
        let call = if WITH_CALL {
            self.interaction().map(str::to_owned).or(before)
        } else {
            None
        };
        (Accepted::Transition(transition), call)
    }

    /// Applies a snapshot the checks passed (SPEC §3.5). It does not set the
    /// agent's last time.
    fn snapshot<const WITH_CALL: bool>(
        &mut self,
        step: Step,
        record: &Record<'_>,
    ) -> (Accepted, Option<String>) {
        let view: &SnapshotView<'_> = &record.snapshot;
        let from = self.status();
        let named = record.interaction.unwrap_or_default();
        // The checks found a phase.
        let row = SnapshotRow::of(view.state, view.wrap_up).unwrap_or(&table::WRAP_UP_SNAPSHOT);
        let role = if view.owned_by_another {
            Role::Consulted
        } else {
            Role::Owner
        };
        let holds_it = self
            .interaction
            .as_ref()
            .is_some_and(|h| h.is(named.as_bytes()));
        // An agent who handed the call over wraps up while another agent owns it:
        // a wrap-up snapshot keeps its role.
        let stated = row.phase(view.held);
        let kept = holds_it
            && row.compatible.contains(from.phase)
            && (from.role == role || stated == Phase::WrapUp);
        let change = if kept {
            CallUpdate::SnapshotKept
        } else {
            let recording = if view.paused {
                Recording::Paused
            } else if view.recording {
                Recording::On
            } else if holds_it {
                from.recording
            } else {
                Recording::Off
            };
            self.state = StateCode::of(Status {
                phase: stated,
                role,
                recording,
                availability: from.availability,
            });
            let mut replaced = false;
            if !holds_it {
                if let Some(other) = self.interaction.take() {
                    self.finished = Some(other);
                    replaced = true;
                }
                self.interaction = Some(Id::new(named));
            }
            CallUpdate::SnapshotSet { replaced }
        };
        let transition = Transition {
            event: Event::ContactSnapshot,
            from,
            to: self.status(),
            rule: step.rule(),
            change,
        };
        let call = WITH_CALL.then(|| named.to_owned());
        (Accepted::Transition(transition), call)
    }

    #[cold]
    #[inline(never)]
    fn reject(&self, reason: Reason, record: &Record<'_>) -> Box<Rejection> {
        Box::new(
            Rejection::met(reason, self.status(), self.interaction()).naming(
                None,
                record.interaction,
                Some(record.event.as_str()),
            ),
        )
    }
}

/// What [`Machine::check`] found: a cell of the table, or a record accepted
/// without change that is not one (a call notice, a late notification).
enum Checked {
    Step(Step),
    Unchanged(Unchange),
}

/// The serialized form of a [`Machine`], checked for consistency on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineState {
    /// The phase.
    pub phase: Phase,
    /// The role (absent before snapshot version 3: `owner`).
    #[serde(default)]
    pub role: Role,
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
    /// The interaction of the most recently terminated call (SPEC §1, §3.4),
    /// kept in both modes.
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
    /// A state no sequence of records leads to (a no-call phase other than the
    /// availability, a consulted agent with no call, …).
    #[error("no sequence of records leads to phase {phase} as {role} with recording {recording} and availability {availability}")]
    Unreachable {
        /// The phase.
        phase: Phase,
        /// The role.
        role: Role,
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
        if s.interaction.as_deref() == Some("") || s.finished.as_deref() == Some("") {
            return Err(StateError::EmptyInteraction);
        }
        let status = Status {
            phase: s.phase,
            role: s.role,
            recording: s.recording,
            availability: s.availability,
        };
        if !table::is_reachable(status) {
            return Err(StateError::Unreachable {
                phase: s.phase,
                role: s.role,
                recording: s.recording,
                availability: s.availability,
            });
        }
        let mut machine = Machine {
            interaction: s.interaction.as_deref().map(Id::new),
            finished: s.finished.as_deref().map(Id::new),
            time: 0,
            has_time: false,
            state: StateCode::of(status),
            last_event: s.last_event,
        };
        machine.set_time(s.last_time);
        Ok(machine)
    }
}

impl From<Machine> for MachineState {
    fn from(m: Machine) -> Self {
        let status = m.status();
        MachineState {
            phase: status.phase,
            role: status.role,
            recording: status.recording,
            availability: status.availability,
            last_time: m.last_time(),
            interaction: m.interaction().map(str::to_owned),
            last_event: m.last_event,
            finished: m.finished().map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rejection::RejectionKind;

    #[test]
    fn machine_is_96_bytes() {
        // Two inline ids (40 each: the held call and the finished one), the time
        // (8), its flag, the state code and `last`.
        assert_eq!(std::mem::size_of::<Machine>(), 96);
    }

    #[test]
    fn an_accepted_record_names_only_the_held_call_where_the_transition_says_so() {
        use strum::IntoEnumIterator;
        let mut checked = 0;
        for phase in Phase::iter().filter(|p| p.has_call()) {
            for recording in Recording::iter() {
                for availability in Availability::iter() {
                    for role in Role::iter() {
                        let status = Status {
                            phase,
                            role,
                            recording,
                            availability,
                        };
                        if !table::is_reachable(status) {
                            continue;
                        }
                        let saved = MachineState {
                            phase,
                            role,
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
                table::rule_for(Phase::Connected, Recording::Off, Role::Owner, e).is_some()
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
        assert_eq!(t.to().phase, Phase::Idle);
        assert_eq!(t.to().availability, Availability::Idle);
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
            r#"{"phase":"ready","recording":"on","availability":"ready"}"#,
            r#"{"phase":"ready","role":"consulted","recording":"off","availability":"ready"}"#,
            r#"{"phase":"flying","recording":"off","availability":"ready"}"#,
            r#"{"phase":"idle","recording":"off","availability":"ready"}"#,
            r#"{"phase":"idle","recording":"off","availability":"idle","extra":1}"#,
        ];
        for json in bad {
            assert!(serde_json::from_str::<Machine>(json).is_err(), "{json}");
        }
    }

    fn held(phase: Phase, role: Role, recording: Recording) -> Machine {
        Machine::try_from(MachineState {
            phase,
            role,
            recording,
            availability: Availability::Ready,
            interaction: Some("c1".into()),
            last_time: Some(10),
            last_event: None,
            finished: None,
        })
        .unwrap()
    }

    #[test]
    fn notices_change_nothing_but_the_time_and_are_no_transition() {
        let mut m = held(Phase::Consult, Role::Owner, Recording::On);
        let before = m.clone();
        let a = m.step(Event::ContactHeld, Some("c1"), Some(20)).unwrap();
        assert!(a.transition().is_none());
        assert!(matches!(
            a,
            Accepted::Unchanged(Unchanged {
                why: Unchange::NoticeRow(_),
                ..
            })
        ));
        assert_eq!(m.status(), before.status());
        assert_eq!(m.last_time(), Some(20));
        let notice = Record::new("a", CallNotice::AgentConsultConferencing).interaction("c1");
        assert!(m.apply(&notice).unwrap().transition().is_none());
        // Elsewhere a call notice is rejected like any event.
        let mut wrap = held(Phase::WrapUp, Role::Owner, Recording::Off);
        let err = wrap.apply(&notice).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IllegalTransition);
        let other = Record::new("a", CallNotice::ContactUpdated).interaction("c2");
        assert_eq!(
            wrap.apply(&other).unwrap_err().kind(),
            RejectionKind::InteractionMismatch
        );
        let none = Record::new("a", CallNotice::ContactUpdated);
        assert_eq!(
            Machine::new().apply(&none).unwrap_err().kind(),
            RejectionKind::NoActiveCall
        );
    }

    #[test]
    fn agent_notices_are_checked_for_time_only() {
        let mut m = held(Phase::Connected, Role::Owner, Recording::Off);
        let welcome = Record::new("a", crate::model::vocabulary::AgentNotice::Welcome)
            .interaction("elsewhere")
            .at(11);
        assert!(m.apply(&welcome).unwrap().transition().is_none());
        assert_eq!(m.last_time(), Some(11));
        let late = Record::new("a", crate::model::vocabulary::AgentNotice::Welcome).at(5);
        assert_eq!(
            m.apply(&late).unwrap_err().kind(),
            RejectionKind::OutOfOrder
        );
    }

    #[test]
    fn late_notifications_of_the_finished_call_are_accepted_without_change() {
        let mut m = held(Phase::Connected, Role::Owner, Recording::Off);
        m.step(Event::Dropped, None, None).unwrap();
        assert_eq!((m.phase(), m.finished()), (Phase::Ready, Some("c1")));
        let late = m.step(Event::Acw, Some("c1"), None).unwrap();
        assert!(matches!(
            late,
            Accepted::Unchanged(Unchanged {
                why: Unchange::Late,
                ..
            })
        ));
        let n = Record::new("a", CallNotice::AgentWrapupFailed).interaction("c1");
        assert!(m.apply(&n).is_ok());
        // Other events, other calls and no call are judged as usual.
        let err = m.step(Event::ContactHeld, Some("c1"), None).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::NoActiveCall);
        let err = m.step(Event::Acw, Some("c2"), None).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::NoActiveCall);
        let err = m.step(Event::Acw, None, None).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::NoActiveCall);
    }

    #[test]
    fn the_consulted_agent_has_its_own_rows() {
        let mut m = Machine::new();
        m.step(Event::OfferConsult, Some("c1"), None).unwrap();
        assert_eq!((m.phase(), m.role()), (Phase::Offered, Role::Consulted));
        assert!(m.step(Event::CustAnswered, None, None).is_err());
        m.step(Event::Consulting, None, None).unwrap();
        m.step(Event::ConsultConferenced, None, None).unwrap();
        let t = m.step(Event::ConferenceTransferred, None, None).unwrap();
        assert_eq!(t.to().phase, Phase::Connected);
        assert_eq!(m.role(), Role::Owner);
        let t = m.step(Event::Acw, None, None).unwrap();
        assert_eq!(t.to().phase, Phase::WrapUp);
    }

    #[test]
    fn an_assignment_with_the_reservation_id_rekeys_the_call() {
        let mut m = Machine::new();
        m.step(Event::OfferCampaignReserved, Some("r"), None)
            .unwrap();
        let assigned = Record::new("a", Event::CustAnswered)
            .interaction("n")
            .reservation("r");
        let t = *m.apply(&assigned).unwrap().transition().unwrap();
        assert_eq!(t.change, CallUpdate::Rekeyed);
        assert_eq!((m.phase(), m.interaction()), (Phase::Connected, Some("n")));
        // Not the held reservation: a mismatch, as always.
        let mut other = Machine::new();
        other
            .step(Event::OfferCampaignReserved, Some("x"), None)
            .unwrap();
        let err = other.apply(&assigned).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::InteractionMismatch);
    }

    #[test]
    fn a_snapshot_sets_or_keeps_the_state() {
        let view = |state| SnapshotView {
            state: Some(state),
            ..SnapshotView::default()
        };
        let snap = |state| {
            Record::new("a", Event::ContactSnapshot)
                .interaction("c1")
                .snapshot(view(state))
        };
        // Compatible: kept.
        let mut m = held(Phase::Consult, Role::Owner, Recording::On);
        let t = *m.apply(&snap("hold")).unwrap().transition().unwrap();
        assert_eq!(t.change, CallUpdate::SnapshotKept);
        assert_eq!(m.phase(), Phase::Consult);
        // Another call: set, the old one finished; no time set.
        let mut m = held(Phase::Connected, Role::Owner, Recording::On);
        let other = Record::new("a", Event::ContactSnapshot)
            .interaction("c2")
            .at(1)
            .snapshot(view("CONFERENCE"));
        let t = *m.apply(&other).unwrap().transition().unwrap();
        assert_eq!(t.change, CallUpdate::SnapshotSet { replaced: true });
        assert_eq!(
            (m.phase(), m.recording()),
            (Phase::Conference, Recording::Off)
        );
        assert_eq!((m.interaction(), m.finished()), (Some("c2"), Some("c1")));
        assert_eq!(m.last_time(), Some(10));
        // A wrap-up snapshot of a call another agent owns keeps an owner's wrap-up.
        let mut m = held(Phase::WrapUp, Role::Owner, Recording::Off);
        let handed_over = Record::new("a", Event::ContactSnapshot)
            .interaction("c1")
            .snapshot(SnapshotView {
                owned_by_another: true,
                ..view("wrapup")
            });
        let t = *m.apply(&handed_over).unwrap().transition().unwrap();
        assert_eq!(t.change, CallUpdate::SnapshotKept);
        assert_eq!(m.role(), Role::Owner);
        // No phase: illegal; no interaction: malformed.
        let err = m.apply(&snap("parked")).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IllegalTransition);
        let bare = Record::new("a", Event::ContactSnapshot);
        assert_eq!(m.apply(&bare).unwrap_err().kind(), RejectionKind::Malformed);
    }
}
