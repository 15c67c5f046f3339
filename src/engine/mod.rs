//! Many agents, keyed by agent id: the engine that records are applied to.
//!
//! The engine owns one [`Machine`] per agent id it has seen. It adds to the machine
//! the checks that need the whole record (an agent id, an event name that may be
//! unknown) and keeps the count of open calls. Its state can be saved with serde
//! and restored, so a long replay or a live validator can stop and go on.

pub(crate) mod agents;
mod clock;
mod lookahead;
mod time_snapshot;

pub(crate) use lookahead::Lookahead;
pub use time_snapshot::{StaySnapshot, TimeSnapshot};

use crate::engine::agents::Agents;
use crate::engine::clock::{Before, Clock, Moved, Stay};
use crate::engine::time_snapshot::SnapshotJson;
use crate::model::finding::{Finding, OpenStay};
use crate::model::machine::{Accepted, Machine, MachineState, StateError, Transition};
use crate::model::record::Record;
use crate::model::rejection::Rejection;
use crate::model::resync::{self, Evidence, Inferred, Mode, Repair};
use crate::model::time_rules::TimeRules;
use crate::model::vocabulary::{Availability, Event, Phase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The call-state engine for any number of agents.
///
/// ```
/// use callstate::{Engine, Event, EventName, Phase, Record, RejectionKind};
///
/// let mut engine = Engine::new();
/// engine.apply(&Record::new("a1", Event::OfferContact).interaction("c1").at(10)).unwrap();
/// engine.apply(&Record::new("a2", Event::AgentIdle).at(11)).unwrap();
///
/// // a2 is idle: it cannot be offered a call.
/// let err = engine
///     .apply(&Record::new("a2", Event::OfferContact).interaction("c2").at(12))
///     .unwrap_err();
/// assert_eq!(err.kind(), RejectionKind::AgentNotReady);
/// assert_eq!(err.agent(), Some("a2"));
///
/// // Unknown names are reported, never applied.
/// let err = engine.apply(&Record::new("a1", EventName::resolve("Swapped"))).unwrap_err();
/// assert_eq!(err.kind(), RejectionKind::UnknownEvent);
///
/// assert_eq!(engine.agent("a1").unwrap().phase(), Phase::Offered);
/// assert_eq!(engine.open_calls(), 1);
///
/// // Save and go on elsewhere.
/// let saved = engine.to_snapshot_json();
/// let restored = callstate::Engine::from_snapshot_json(&saved).unwrap();
/// assert_eq!(restored, engine);
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    agents: Agents,
    initial: Availability,
    mode: Mode,
    open_calls: usize,
    /// Time rules (SPEC §11), when given: boxed, so an engine without them
    /// carries one pointer.
    clock: Option<Box<Clock>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        self.initial == other.initial && self.mode == other.mode && self.agents == other.agents
    }
}

impl Eq for Engine {}

impl Engine {
    /// An engine whose new agents start `ready`.
    pub fn new() -> Engine {
        Engine::starting(Availability::Ready)
    }

    /// An engine whose new agents start in the no-call phase of `initial`.
    pub fn starting(initial: Availability) -> Engine {
        Engine {
            agents: Agents::default(),
            initial,
            mode: Mode::Strict,
            open_calls: 0,
            clock: None,
        }
    }

    /// The same engine with time rules (SPEC §11): it reports findings —
    /// `late` and `early` records ([`Engine::take_findings`]), `overdue` stays
    /// (found as the clock moves: by records, or by [`Engine::advance`]). On a
    /// new engine, stays begin with the records applied from here on. On an
    /// engine that has time rules already (one restored from a snapshot with
    /// [`TimeSnapshot`]), the clock and the stays are kept, with their
    /// deadlines, and `rules` apply from here on; an engine restored from a
    /// snapshot without them times the stays its records begin from then.
    ///
    /// ```
    /// use callstate::{Engine, Event, FindingKind, Phase, Record, TimeRules, Timers};
    ///
    /// let rules = TimeRules::default().with_limit(Phase::WrapUp, 60_000).unwrap();
    /// let mut engine = Engine::new().with_time(rules);
    /// let ring = Timers { rona: Some("18"), ..Timers::NONE };
    /// engine.apply(&Record::new("a1", Event::OfferContact).interaction("c1").at(0).timers(ring)).unwrap();
    /// // Answered 25 s into an 18 s ring: late (the grace is 5 s).
    /// engine.apply(&Record::new("a1", Event::CustAnswered).at(25_000)).unwrap();
    /// let late = engine.take_findings();
    /// assert_eq!(late[0].kind, FindingKind::Late);
    /// engine.apply(&Record::new("a1", Event::ContactEndedWrapUp).at(30_000)).unwrap();
    /// // Nothing more comes: a minute of wrap-up and the grace later, a1 is overdue.
    /// assert!(engine.advance(95_000).is_empty());
    /// let stuck = engine.advance(95_001);
    /// assert_eq!((stuck[0].kind, stuck[0].phase), (FindingKind::Overdue, Phase::WrapUp));
    /// assert!(engine.advance(200_000).is_empty(), "once per stay");
    /// ```
    pub fn with_time(mut self, rules: TimeRules) -> Engine {
        match self.clock.as_deref_mut() {
            Some(clock) => {
                clock.rules = rules;
                clock.rewatch(&self.agents);
            }
            None => self.clock = Some(Box::new(Clock::new(rules))),
        }
        self
    }

    /// The same engine without time rules: no clock, no stays, no findings (an
    /// engine restored from a snapshot with time state, for a caller that no
    /// longer wants them).
    pub fn without_time(mut self) -> Engine {
        if self.clock.take().is_some() {
            self.agents.forget_stays();
        }
        self
    }

    /// The time rules, if the engine has them.
    pub fn time_rules(&self) -> Option<&TimeRules> {
        self.clock.as_deref().map(|c| &c.rules)
    }

    /// The clock (SPEC §11.2): the largest record time seen, or given to
    /// [`Engine::advance`]; `None` without time rules or before any time.
    pub fn clock(&self) -> Option<i64> {
        self.clock.as_deref().and_then(Clock::now)
    }

    /// The findings of the records applied since the last call (their `late`
    /// or `early`, then the `overdue` their times revealed), in SPEC §11.7's
    /// order. Always empty without time rules.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.clock
            .as_deref_mut()
            .map(|c| std::mem::take(&mut c.found))
            .unwrap_or_default()
    }

    /// Are findings waiting for [`Engine::take_findings`]?
    pub fn has_findings(&self) -> bool {
        self.clock.as_deref().is_some_and(|c| !c.found.is_empty())
    }

    /// Moves the clock to `now` (milliseconds since the epoch) if that is later,
    /// and returns the `overdue` findings that became due (SPEC §11.8), in order.
    /// Empty without time rules. Findings of records not yet taken stay for
    /// [`Engine::take_findings`].
    pub fn advance(&mut self, now: i64) -> Vec<Finding> {
        let Some(clock) = self.clock.as_deref_mut() else {
            return Vec::new();
        };
        clock.see(Some(now));
        let before = clock.found.len();
        clock.overdue(&mut self.agents);
        clock.found.split_off(before)
    }

    /// Every agent holding a call, by agent id, with its stay's start, age (the
    /// clock minus the start) and deadline (SPEC §11.7). Without time rules only
    /// the agents, calls and phases are known.
    pub fn open_stays(&self) -> Vec<OpenStay> {
        let now = self.clock();
        let mut open: Vec<OpenStay> = self
            .agents
            .iter_with_stays()
            .filter(|(_, machine, _)| machine.has_call())
            .map(|(agent, machine, stay)| {
                let (since, deadline) = clock::open_parts(stay);
                OpenStay {
                    agent: agent.to_owned(),
                    interaction: machine.interaction().map(str::to_owned),
                    phase: machine.phase(),
                    since,
                    age: since.zip(now).map(|(since, now)| now.saturating_sub(since)),
                    deadline,
                }
            })
            .collect();
        open.sort_unstable_by(|a, b| a.agent.cmp(&b.agent));
        open
    }

    /// The same engine, treating the records it rejects as `mode` says: strict
    /// (SPEC §4, the default: a rejected record changes nothing) or resync
    /// (SPEC §8: a rejected record keeps its verdict and gets a
    /// [`Repair`]). Meant for a new engine: agents it already
    /// knows start resync with no memory of their last event.
    ///
    /// ```
    /// use callstate::{Engine, Event, Mode, Phase, Record, RejectionKind, Repair};
    ///
    /// let mut engine = Engine::new().with_mode(Mode::Resync);
    /// engine.apply(&Record::new("a1", Event::OfferContact).interaction("c1")).unwrap();
    /// engine.apply(&Record::new("a1", Event::CustAnswered)).unwrap();
    /// // acw was lost: the wrapped-up notification is still rejected, then repaired.
    /// let err = engine.apply(&Record::new("a1", Event::ContactWrappedUp)).unwrap_err();
    /// assert_eq!(err.kind(), RejectionKind::IllegalTransition);
    /// let repair = err.repair().unwrap();
    /// assert_eq!(repair.name(), "infer");
    /// assert_eq!(repair.inferred()[0].transition.event, Event::Acw);
    /// assert_eq!(engine.phase_of("a1"), Phase::Ready);
    /// ```
    pub fn with_mode(mut self, mode: Mode) -> Engine {
        self.mode = mode;
        if mode != Mode::Resync {
            // Strict keeps no `last`, so its snapshots carry none.
            self.agents.forget_resync_memory();
        }
        self
    }

    /// Where new agents start.
    pub fn initial(&self) -> Availability {
        self.initial
    }

    /// Strict or resync.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Applies one record. On `Ok` the agent moved. On `Err` the record was not
    /// accepted: in strict mode nothing changed, except that a well-formed
    /// record's agent is from now on known to the engine; in resync mode the
    /// rejection also carries its [`repair`](Rejection::repair), and the agent
    /// moved only if that repair is an inference.
    ///
    /// Checks, in SPEC §4's order: `malformed` ([`Record::check`]: an empty agent
    /// or interaction id, or an offer without an interaction); an unknown event
    /// name (`unknown_event`); then the machine's checks (see [`Machine::step`]).
    pub fn apply(&mut self, record: &Record<'_>) -> Result<Accepted, Rejection> {
        let hash = self.agents.hash(record.agent);
        self.apply_hashed(record, hash)
    }

    /// [`Engine::apply`], also giving the call an accepted record's transition is
    /// about (the `id` of its outbound event, SPEC §6): the agent's call after it,
    /// or the call it terminated; `None` when the agent had none. (A rejected
    /// record's repair carries its own: [`Repair::call`].)
    ///
    /// ```
    /// use callstate::{Engine, Event, Record};
    ///
    /// let mut engine = Engine::new();
    /// engine.apply(&Record::new("a1", Event::OfferCampaignReserved).interaction("c1")).unwrap();
    /// let (accepted, call) = engine.apply_with_call(&Record::new("a1", Event::ContactEnded)).unwrap();
    /// assert!(accepted.terminated());
    /// assert_eq!(call.as_deref(), Some("c1"));
    /// ```
    pub fn apply_with_call(
        &mut self,
        record: &Record<'_>,
    ) -> Result<(Accepted, Option<String>), Rejection> {
        let hash = self.agents.hash(record.agent);
        self.apply_hashed_as::<true>(record, hash)
            .map_err(|rejection| *rejection)
    }

    /// Applies `records` in order, exactly as [`Engine::apply`] on each one would,
    /// handing each result to `each`.
    ///
    /// Faster than one `apply` at a time when the engine tracks more agents than
    /// fit in the CPU's caches (its table past 2 MiB, from some 15,000 agents
    /// on): the memory of the next records' agents is fetched ahead of applying
    /// them, so the loads overlap instead of waiting one after another. With
    /// fewer agents it is the same loop as calling `apply`.
    ///
    /// ```
    /// use callstate::{Engine, Event, Record};
    ///
    /// let mut engine = Engine::new();
    /// let records = [
    ///     Record::new("a1", Event::OfferContact).interaction("c1"),
    ///     Record::new("a2", Event::CustAnswered),
    /// ];
    /// let mut accepted = Vec::new();
    /// engine.apply_all(&records, |record, result| accepted.push((record.agent, result.is_ok())));
    /// assert_eq!(accepted, [("a1", true), ("a2", false)]);
    /// ```
    pub fn apply_all<'r>(
        &mut self,
        records: &[Record<'r>],
        mut each: impl FnMut(&Record<'r>, Result<Accepted, Rejection>),
    ) {
        // The path is chosen per chunk, so a long call that starts on a small
        // engine switches to prefetching once the table outgrows the caches.
        for chunk in records.chunks(1024) {
            if self.agents.prefetches() {
                self.apply_prefetching(chunk, &mut each);
            } else {
                // Everything is a cache hit away: prefetching would only add work.
                for record in chunk {
                    each(record, self.apply(record));
                }
            }
        }
    }

    /// [`Engine::apply_all`] with the memory of the records ahead fetched early.
    fn apply_prefetching<'r>(
        &mut self,
        records: &[Record<'r>],
        each: &mut impl FnMut(&Record<'r>, Result<Accepted, Rejection>),
    ) {
        let agent = |i: usize| records.get(i).map(|r| r.agent);
        let mut ahead = Lookahead::start(self, records.len(), agent);
        for (i, record) in records.iter().enumerate() {
            // Every record names an agent, so the look-ahead hashed every one.
            let hash = ahead.next(self, i, agent);
            let hash = hash.unwrap_or_else(|| self.agents.hash(record.agent));
            each(record, self.apply_hashed(record, hash));
        }
    }

    /// The hash of `agent`'s id, as [`Engine::apply_hashed`] takes it.
    #[inline]
    pub(crate) fn hash(&self, agent: &str) -> u64 {
        self.agents.hash(agent)
    }

    /// Is fetching agents' memory ahead worth it now? (See [`Lookahead`].)
    // Only speed depends on the answer (both paths give the same verdicts), so
    // cargo-mutants' `true` here survives as an equivalent mutant.
    pub(crate) fn prefetches(&self) -> bool {
        self.agents.prefetches()
    }

    /// Does this build have a prefetch instruction? (For parallel's tests.)
    #[cfg(test)]
    pub(crate) fn can_prefetch(&self) -> bool {
        self.agents.can_prefetch()
    }

    /// [`Engine::apply`] with the hash of the record's agent already computed
    /// (by a [`Lookahead`]).
    pub(crate) fn apply_hashed(
        &mut self,
        record: &Record<'_>,
        hash: u64,
    ) -> Result<Accepted, Rejection> {
        self.apply_hashed_as::<false>(record, hash)
            .map(|(accepted, _)| accepted)
            .map_err(|rejection| *rejection)
    }

    /// [`Engine::apply_hashed`], with `WITH_CALL` also giving the call an accepted
    /// record's transition is about (as [`Engine::apply_with_call`] does).
    #[inline]
    pub(crate) fn apply_hashed_as<const WITH_CALL: bool>(
        &mut self,
        record: &Record<'_>,
        hash: u64,
    ) -> Result<(Accepted, Option<String>), Box<Rejection>> {
        // SPEC §4's malformed checks, stated once (see `model::record::check`).
        if let Err(what) = record.check() {
            return Err(with_record(Box::new(Rejection::malformed(what)), record));
        }
        if record.agent.is_empty() {
            if let Some(clock) = self.clock.as_deref_mut() {
                clock.see(record.time);
                clock.overdue(&mut self.agents);
            }
            return apply_for_no_agent::<WITH_CALL>(self.initial, record);
        }
        let (initial, mode) = (self.initial, self.mode);
        let (machine, stay) = self
            .agents
            .get_or_insert_with_stay(record.agent, hash, || Machine::starting(initial));
        let had_call = machine.has_call();
        let before = self.clock.as_ref().map(|_| Before::of(machine));
        // One call of the machine for both modes, so that it is inlined here once.
        let applied = machine.apply_as::<WITH_CALL>(record);
        let result = match (mode, applied) {
            (Mode::Strict, applied) => applied,
            (Mode::Resync, Ok(applied)) => {
                if let Some(event) = applied.0.sets_last() {
                    machine.last_event = Some(event);
                }
                Ok(applied)
            }
            (Mode::Resync, Err(rejection)) => Err(repair(machine, rejection, record)),
        };
        match (had_call, machine.has_call()) {
            (false, true) => self.open_calls += 1,
            (true, false) => self.open_calls -= 1,
            _ => {}
        }
        if let (Some(clock), Some(before)) = (self.clock.as_deref_mut(), before) {
            let how = match &result {
                Ok((accepted, _)) => accepted.transition().map(|_| Moved::Itself),
                Err(r) => {
                    matches!(r.repair(), Some(Repair::Infer { .. })).then_some(Moved::Repaired)
                }
            };
            if let Some(how) = how {
                clock.moved(record, &before, how, machine, stay);
            }
            clock.see(record.time);
            clock.overdue(&mut self.agents);
        }
        result.map_err(|rejection| with_record(rejection, record))
    }

    /// The machine of `agent`, if the engine has seen it.
    pub fn agent(&self, agent: &str) -> Option<&Machine> {
        self.agents.get(agent)
    }

    /// The phase `agent` is in: its machine's, or the initial phase if never seen.
    pub fn phase_of(&self, agent: &str) -> Phase {
        self.agent(agent)
            .map_or(self.initial.phase(), Machine::phase)
    }

    /// Every agent the engine knows, in no particular order.
    pub fn agents(&self) -> impl Iterator<Item = (&str, &Machine)> {
        self.agents.iter()
    }

    /// How many agents the engine knows.
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    /// Does the engine know no agent?
    pub fn is_empty(&self) -> bool {
        self.agents.len() == 0
    }

    /// How many agents hold a call right now.
    pub fn open_calls(&self) -> usize {
        self.open_calls
    }

    /// The engine's whole state, as a serializable snapshot (agents sorted by id).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: Snapshot::VERSION,
            initial: self.initial,
            mode: self.mode,
            agents: self
                .agents
                .iter()
                .map(|(id, machine)| (id.to_owned(), MachineState::from(machine.clone())))
                .collect(),
        }
    }

    /// The time state (SPEC §11) the snapshot JSON carries beside the
    /// [`Snapshot`]: the rules, the clock and the agents' stays; `None` without
    /// time rules.
    pub fn time_snapshot(&self) -> Option<TimeSnapshot> {
        let clock = self.clock.as_deref()?;
        let rules = &clock.rules;
        Some(TimeSnapshot {
            grace: rules.grace(),
            limits: <Phase as strum::IntoEnumIterator>::iter()
                .filter_map(|phase| Some((phase, rules.limit(phase)?)))
                .collect(),
            clock: clock.now(),
            stays: self
                .agents
                .iter_with_stays()
                .filter_map(|(agent, _, stay)| Some((agent.to_owned(), stay.saved()?)))
                .collect(),
        })
    }

    /// An engine that goes on exactly where the snapshot's engine stopped.
    /// (Without time rules: [`Engine::restore_with_time`] restores them too.)
    pub fn restore(snapshot: Snapshot) -> Result<Engine, SnapshotError> {
        Engine::restore_with_time(snapshot, None)
    }

    /// [`Engine::restore`], then the time state of [`Engine::time_snapshot`],
    /// if given: the engine has its time rules, clock and stays back, so an
    /// `overdue` reported before is not reported again and a deadline being
    /// watched is still watched.
    ///
    /// ```
    /// use callstate::{Engine, Event, Record, TimeRules, Timers};
    ///
    /// let mut engine = Engine::new().with_time(TimeRules::default());
    /// let ring = Timers { rona: Some("18"), ..Timers::NONE };
    /// engine.apply(&Record::new("a1", Event::OfferContact).interaction("c1").at(0).timers(ring)).unwrap();
    /// engine.apply(&Record::new("a2", Event::OfferContact).interaction("c2").at(20_000).timers(ring)).unwrap();
    /// assert_eq!(engine.advance(24_000).len(), 1, "a1 is overdue");
    /// let mut restored = Engine::from_snapshot_json(&engine.to_snapshot_json()).unwrap();
    /// assert!(restored.advance(30_000).is_empty(), "a1 is not reported twice");
    /// assert_eq!(restored.advance(43_001)[0].agent, "a2", "a2's deadline is still watched");
    /// ```
    pub fn restore_with_time(
        snapshot: Snapshot,
        time: Option<TimeSnapshot>,
    ) -> Result<Engine, SnapshotError> {
        if !(1..=Snapshot::VERSION).contains(&snapshot.version) {
            return Err(SnapshotError::Version(snapshot.version));
        }
        let mut engine = Engine::starting(snapshot.initial).with_mode(snapshot.mode);
        for (id, saved) in snapshot.agents {
            if id.is_empty() {
                return Err(SnapshotError::EmptyAgent);
            }
            // Before version 3 only resync kept `finished`.
            let finished_is_resync = snapshot.version < 3 && saved.finished.is_some();
            let memory = saved.last_event.is_some() || finished_is_resync;
            if memory && snapshot.mode == Mode::Strict {
                return Err(SnapshotError::StrictWithResyncMemory { agent: id });
            }
            let machine = Machine::try_from(saved).map_err(|source| SnapshotError::Agent {
                agent: id.clone(),
                source,
            })?;
            engine.open_calls += usize::from(machine.has_call());
            // The snapshot's map has each id once.
            engine.agents.insert_new(&id, machine);
        }
        if let Some(time) = time {
            engine.restore_time(time)?;
        }
        Ok(engine)
    }

    /// Gives a restored engine the time state of its snapshot.
    fn restore_time(&mut self, time: TimeSnapshot) -> Result<(), SnapshotError> {
        let mut rules = TimeRules::default().with_grace(time.grace);
        for (phase, ms) in time.limits {
            rules = rules
                .with_limit(phase, ms)
                .map_err(|_| SnapshotError::LimitWithoutCall(phase))?;
        }
        let mut clock = Clock::new(rules);
        clock.see(time.clock);
        for (agent, saved) in time.stays {
            let stay = self.agents.get_with_stay(&agent);
            let (Some((machine, stay)), Some(restored)) = (stay, Stay::restored(&saved)) else {
                return Err(SnapshotError::Stay { agent });
            };
            if !machine.has_call() {
                return Err(SnapshotError::Stay { agent });
            }
            *stay = restored;
        }
        clock.rewatch(&self.agents);
        self.clock = Some(Box::new(clock));
        Ok(())
    }

    /// The snapshot as JSON: [`Engine::snapshot`]'s, with the time state of
    /// [`Engine::time_snapshot`] as its last key `time` when the engine has
    /// time rules.
    pub fn to_snapshot_json(&self) -> String {
        let json = SnapshotJson::new(self.snapshot(), self.time_snapshot());
        // A snapshot holds only strings, enums and integers: serializing cannot fail.
        serde_json::to_string(&json).unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// An engine restored from [`Engine::to_snapshot_json`]'s output, time
    /// state included (a snapshot without one restores without time rules).
    pub fn from_snapshot_json(json: &str) -> Result<Engine, SnapshotError> {
        let json: SnapshotJson = serde_json::from_str(json).map_err(SnapshotError::Json)?;
        let (snapshot, time) = json.split();
        Engine::restore_with_time(snapshot, time)
    }
}

/// Resync (SPEC §8): decides the repair of a record the agent rejected, applies
/// it, and returns the rejection carrying it. Inferred events and the record are
/// applied to a copy of the agent, kept only if all of them apply, so a repair
/// changes the agent wholly or not at all.
#[cold]
#[inline(never)]
fn repair(machine: &mut Machine, rejection: Box<Rejection>, record: &Record<'_>) -> Box<Rejection> {
    let named = record.interaction;
    let event = record.event.event();
    let evidence = Evidence {
        last: machine.last_event,
        finished: machine.finished(),
    };
    let Some(rule) = resync::rule_for(
        rejection.kind(),
        event,
        named,
        machine.interaction(),
        evidence,
    ) else {
        return rejection;
    };
    // Only a transition event can pass as a transition (SPEC §8).
    let inference = match (rule.infers_up_to(), event) {
        (0, _) | (_, None) => None,
        (up_to, Some(event)) => resync::missing_events(machine, event, named, up_to),
    };
    // The search stepped the same table, so a run it found applies; were it ever
    // not to, the record is skipped rather than half applied.
    let applied = inference.and_then(|run| {
        let mut trial = machine.clone();
        infer(&mut trial, run.events(), record).map(|applied| (applied, trial))
    });
    debug_assert!(
        inference.is_none() || applied.is_some(),
        "an inferred run did not apply"
    );
    let repair = match applied {
        None => Repair::Skip { rule },
        Some(((inferred, transition, call), mut trial)) => {
            trial.last_event = Some(transition.event);
            *machine = trial;
            Repair::Infer {
                rule,
                inferred,
                transition,
                call,
            }
        }
    };
    rejection.repaired(repair)
}

/// Applies the `lost` events (each named as SPEC §8 says), then the record, to
/// `machine`: the inferred transitions, the record's own and the call it is about.
/// `None` if one of them does not apply as a transition.
fn infer(
    machine: &mut Machine,
    lost: &[Event],
    record: &Record<'_>,
) -> Option<(Vec<Inferred>, Transition, Option<String>)> {
    let named = record.interaction;
    let mut inferred = Vec::with_capacity(lost.len());
    for &e in lost {
        let naming = resync::inferred_naming(e, named, machine.interaction())?.map(str::to_owned);
        let lost_record = Record {
            interaction: naming.as_deref(),
            ..Record::new("", e)
        };
        let (accepted, call) = machine.apply_as::<true>(&lost_record).ok()?;
        let transition = *accepted.transition()?;
        inferred.push(Inferred { transition, call });
    }
    let (accepted, call) = machine.apply_as::<true>(record).ok()?;
    accepted
        .transition()
        .map(|transition| (inferred, *transition, call))
}

/// A record that names no agent: an agent notice, which concerns none (SPEC
/// §3.3). Out of line, so that the machine's step is inlined into
/// [`Engine::apply_hashed_as`] once.
#[inline(never)]
fn apply_for_no_agent<const WITH_CALL: bool>(
    initial: Availability,
    record: &Record<'_>,
) -> Result<(Accepted, Option<String>), Box<Rejection>> {
    Machine::starting(initial)
        .apply_as::<WITH_CALL>(record)
        .map_err(|rejection| with_record(rejection, record))
}

/// `rejection`, naming what `record` said.
fn with_record(mut rejection: Box<Rejection>, record: &Record<'_>) -> Box<Rejection> {
    rejection.name(
        Some(record.agent),
        record.interaction,
        Some(record.event.as_str()),
    );
    rejection
}

/// The serializable state of an [`Engine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The snapshot format's version ([`Snapshot::VERSION`]).
    pub version: u32,
    /// Where new agents start.
    pub initial: Availability,
    /// Strict or resync (absent in version 1, which knew only strict).
    #[serde(default)]
    pub mode: Mode,
    /// Every known agent's state, by agent id.
    pub agents: BTreeMap<String, MachineState>,
}

impl Snapshot {
    /// The format version this crate writes; it reads this one and every earlier
    /// one (version 1 had no `mode` and no resync memory; before version 3 there
    /// was no `role` — every agent was an owner — and only resync kept `finished`).
    pub const VERSION: u32 = 3;
}

/// Why a snapshot could not be restored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not JSON, or not shaped like a snapshot.
    #[error("the snapshot is not valid: {0}")]
    Json(#[source] serde_json::Error),
    /// Written by another version of the format.
    #[error("snapshot version {0} is not supported (this build reads version {v})", v = Snapshot::VERSION)]
    Version(u32),
    /// An empty agent id.
    #[error("the snapshot has an empty agent id")]
    EmptyAgent,
    /// A strict snapshot whose agent has resync's `last_event` (or, before
    /// version 3, `finished`), which strict mode neither keeps nor would write.
    #[error("agent {agent:?} in the strict snapshot has resync memory (last_event, or finished before version 3)")]
    StrictWithResyncMemory {
        /// The agent id.
        agent: String,
    },
    /// A limit of the time state on a phase without a call.
    #[error("the snapshot's time rules limit {0}, which has no call")]
    LimitWithoutCall(Phase),
    /// A stay of the time state whose agent is unknown or holds no call, or
    /// with a deadline and no source (or a source and no deadline).
    #[error("the snapshot's stay of agent {agent:?} does not fit: the agent holds no call, or the stay has a deadline without a source or the other way round")]
    Stay {
        /// The agent id.
        agent: String,
    },
    /// One agent's state is inconsistent.
    #[error("agent {agent:?} in the snapshot: {source}")]
    Agent {
        /// The agent id.
        agent: String,
        /// What is wrong with its state.
        #[source]
        source: StateError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::id::Id;
    use crate::model::record::EventName;
    use crate::model::rejection::RejectionKind;
    use crate::model::vocabulary::Event;

    #[test]
    fn apply_all_past_the_caches_equals_apply_one_by_one() {
        // A deterministic log over 20,000 agents, accepted and rejected records
        // mixed, made from the vocabulary alone (no upper layer in these tests).
        use strum::IntoEnumIterator;
        let agents = agent_ids("agent", 20_000);
        let calls: Vec<String> = (0..64).map(|i| format!("call-{i}")).collect();
        let events: Vec<Event> = Event::iter().collect();
        let mut seed = 5_u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let records: Vec<Record<'_>> = (0..100_000_i64)
            .map(|time| {
                let record = Record::new(
                    &agents[next() % agents.len()],
                    events[next() % events.len()],
                )
                .at(time);
                match next() % 4 {
                    0 => record,
                    _ => record.interaction(&calls[next() % calls.len()]),
                }
            })
            .collect();
        assert!(records.len() > 90_000);

        let mut one_by_one = Engine::new();
        let expected: Vec<_> = records.iter().map(|r| one_by_one.apply(r)).collect();
        let mut all = Engine::new();
        let mut got = Vec::new();
        // In batches, as a caller with batches would: the later ones find the table
        // past the caches and take the prefetching path.
        for batch in records.chunks(1000) {
            all.apply_all(batch, |r, result| got.push((r.agent, result)));
        }
        // Where the build has no prefetch instruction, the plain path is tested.
        assert_eq!(all.agents.prefetches(), all.agents.can_prefetch());
        assert_eq!(got.len(), expected.len());
        for (i, ((agent, got), expected)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(*agent, records[i].agent, "record {i}");
            assert_eq!(got, expected, "record {i}");
        }
        assert!(expected.iter().any(Result::is_err) && expected.iter().any(Result::is_ok));
        assert_eq!(all.open_calls(), one_by_one.open_calls());
        assert_eq!(all, one_by_one);
    }

    /// Applies `batch` to `all` through `apply_all` and to `one` record by record,
    /// and checks that every result, and then the engines, are the same.
    fn same_as_one_by_one(all: &mut Engine, one: &mut Engine, batch: &[Record<'_>]) {
        let mut got = Vec::new();
        all.apply_all(batch, |r, result| got.push((std::ptr::from_ref(r), result)));
        assert_eq!(got.len(), batch.len());
        for (i, ((r, result), record)) in got.into_iter().zip(batch).enumerate() {
            assert!(
                std::ptr::eq(r, record),
                "record {i} of {} out of place",
                batch.len()
            );
            assert_eq!(result, one.apply(record), "record {i} of {}", batch.len());
        }
        assert_eq!(all.open_calls(), one.open_calls());
        assert_eq!(all, one);
    }

    /// `n` agent ids, UUID-long.
    fn agent_ids(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}-{i:030}")).collect()
    }

    #[test]
    fn apply_all_prefetching_equals_apply_at_every_batch_length() {
        if !Engine::new().agents.can_prefetch() {
            return;
        }
        let known = agent_ids("known", 20_000);
        let fresh = agent_ids("fresh", 3_000);
        let long = "L".repeat(60);
        let events: Vec<Event> = <Event as strum::IntoEnumIterator>::iter().collect();
        let mut all = Engine::new();
        for id in &known {
            all.apply(&Record::new(id, Event::AgentAvailable)).unwrap();
        }
        let mut one = all.clone();
        assert!(all.agents.prefetches());
        let (mut rng, mut clock, mut next_fresh) = (0x5EED_u64, 0i64, 0);
        for len in (0..=70).chain([1023, 1024, 1025, 2100]) {
            let batch: Vec<Record<'_>> = (0..len)
                .map(|_| {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = rng >> 16;
                    let agent = match r % 10 {
                        0..=5 => known[(r >> 8) as usize % known.len()].as_str(),
                        6 => known[(r >> 8) as usize % 3].as_str(), // repeats within a batch
                        7 => {
                            next_fresh += 1;
                            fresh[next_fresh % fresh.len()].as_str()
                        }
                        8 => "",
                        _ => long.as_str(),
                    };
                    let event = match r % 13 {
                        0 => EventName::Unknown("Bogus"),
                        _ => EventName::Known(events[(r >> 20) as usize % events.len()]),
                    };
                    let mut record = Record::new(agent, event);
                    if (r >> 30) % 4 != 0 {
                        record =
                            record.interaction(["call-1", "call-2", ""][(r >> 34) as usize % 3]);
                    }
                    clock += 1;
                    record.at(if (r >> 40) % 11 == 0 {
                        clock - 5
                    } else {
                        clock
                    })
                })
                .collect();
            same_as_one_by_one(&mut all, &mut one, &batch);
        }
    }

    #[test]
    fn apply_all_equals_apply_when_the_table_grows_mid_batch() {
        // 28,672 agents fill 7/8 of 32,768 slots: the next new agent grows the
        // table, in the middle of a batch that is prefetching. 14,335 agents stay
        // just under the 2 MiB threshold, which the batch then crosses.
        for (before, len) in [
            (28_660, 33),
            (28_671, 16),
            (28_672, 32),
            (28_650, 70),
            (14_335, 40),
        ] {
            let known = agent_ids("known", before);
            let news = agent_ids("new", len);
            let mut all = Engine::new();
            for id in &known {
                all.apply(&Record::new(id, Event::AgentIdle)).unwrap();
            }
            let mut one = all.clone();
            let batch: Vec<Record<'_>> = news
                .iter()
                .enumerate()
                .map(|(i, new)| match i % 3 {
                    0 => Record::new(&known[i], Event::AgentAvailable),
                    _ => Record::new(new, Event::OfferContact).interaction(new),
                })
                .collect();
            same_as_one_by_one(&mut all, &mut one, &batch);
        }
    }

    #[test]
    fn short_and_long_agent_ids_are_both_keys() {
        let long = "x".repeat(Id::INLINE + 1);
        let exact = "y".repeat(Id::INLINE);
        let mut e = Engine::new();
        for id in [long.as_str(), exact.as_str(), "a", "é"] {
            e.apply(&Record::new(id, Event::AgentIdle)).unwrap();
            assert_eq!(e.phase_of(id), Phase::Idle, "{id}");
        }
        let mut ids: Vec<&str> = e.agents().map(|(id, _)| id).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", long.as_str(), exact.as_str(), "é"]);
        assert_eq!(
            Engine::from_snapshot_json(&e.to_snapshot_json()).unwrap(),
            e
        );
    }

    #[test]
    fn open_calls_follow_transitions() {
        let mut e = Engine::new();
        e.apply(&Record::new("a", Event::OfferContact).interaction("i"))
            .unwrap();
        e.apply(&Record::new("b", Event::OfferCampaignReserved).interaction("j"))
            .unwrap();
        assert_eq!(e.open_calls(), 2);
        e.apply(&Record::new("b", Event::ContactEnded)).unwrap();
        assert_eq!(e.open_calls(), 1);
        assert_eq!(e.phase_of("b"), Phase::Ready);
    }

    /// `Repair::call` is the call the record's own transition is about: the
    /// agent's call after it, or the one it terminated.
    #[test]
    fn a_repair_names_the_call_its_record_is_about() {
        let resync = || Engine::new().with_mode(Mode::Resync);
        let repair_of = |engine: &mut Engine, record: Record<'_>| {
            let rejection = engine.apply(&record).unwrap_err();
            rejection.repair().cloned().unwrap()
        };
        // The offer was lost: inferred, then the record's own DROPPED ends c2.
        let mut e = resync();
        let repair = repair_of(&mut e, Record::new("a", Event::Dropped).interaction("c2"));
        assert_eq!(repair.inferred()[0].transition.event, Event::OfferContact);
        assert!(repair.transition().unwrap().terminated());
        assert_eq!(repair.call(), Some("c2"));
        // The end of c1 was lost: DROPPED inferred for c1, the new offer binds c2.
        let mut e = resync();
        e.apply(&Record::new("a", Event::OfferContact).interaction("c1"))
            .unwrap();
        e.apply(&Record::new("a", Event::CustAnswered)).unwrap();
        let repair = repair_of(
            &mut e,
            Record::new("a", Event::OfferContact).interaction("c2"),
        );
        assert_eq!(repair.inferred()[0].call.as_deref(), Some("c1"));
        assert_eq!(repair.call(), Some("c2"));
        // A skip applies nothing, so it is about no call.
        let repair = repair_of(
            &mut e,
            Record::new("a", Event::OfferContact).interaction("c2"),
        );
        assert_eq!(repair.name(), "skip");
        assert_eq!(repair.call(), None);
    }

    #[test]
    fn unknown_event_reports_the_phase_and_the_name_as_given() {
        let mut e = Engine::starting(Availability::Idle);
        let r = e
            .apply(&Record::new("a", EventName::resolve("SwApped")).interaction("i"))
            .unwrap_err();
        assert_eq!(r.kind(), RejectionKind::UnknownEvent);
        assert_eq!(r.state, Some(Phase::Idle));
        assert_eq!(r.event.as_deref(), Some("SwApped"));
        assert_eq!(e.len(), 1, "a well-formed record's agent is known");
    }
}
