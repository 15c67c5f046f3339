//! The walk: the random choices of each step (legal, or one of seven faults),
//! and the [`Walker`] that turns them into one agent's records by following the
//! table, pairing each fault with the kind [`expected()`] gives it.

use super::expected::{self, expected};
use super::names::{agent_id, spell, unknown_name, uuid};
use super::{Checked, FaultyTrace, OwnedRecord, EPOCH};
use crate::model::rejection::RejectionKind;
use crate::model::table::{self, Effect, StateCode, Status};
use crate::model::vocabulary::{Availability, Event, EventSet, Phase, Recording, Role};
use crate::model::walk;
use proptest::collection::{vec, SizeRange};
use proptest::prelude::*;
use strum::IntoEnumIterator;

/// The random choices of one legal step.
#[derive(Debug, Clone)]
pub(super) struct LegalDice {
    /// Which allowed event.
    pick: u32,
    /// Whether and which interaction the record names.
    id: u8,
    /// How far the clock moves (ms, from 1).
    dt: u32,
    /// The event's spelling ([`spell`]).
    spelling: u64,
    /// Where the record goes when traces are interleaved.
    gap: u16,
}

/// The ways a record is made to fail.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// An event the table does not allow in the current state.
    Illegal,
    /// A time earlier than the last accepted one.
    Backwards,
    /// A call event naming an interaction other than the agent's call.
    Foreign,
    /// An unknown event name.
    Unknown,
    /// An empty agent id.
    EmptyAgent,
    /// An empty interaction id.
    EmptyInteraction,
    /// E3/E4/E22/E34 without an interaction id.
    OfferWithoutInteraction,
    /// With no call, a call event that is no late notification (SPEC §3.4) naming
    /// the agent's finished call.
    StaleCall,
}

#[derive(Debug, Clone)]
pub(super) struct FaultDice {
    fault: Fault,
    dice: LegalDice,
    /// A time offset (backwards, or ahead of the clock).
    offset: u32,
    /// An unknown event name, for [`Fault::Unknown`].
    unknown: String,
    /// Whether a record gets a time at all, and which sort.
    time_mode: u8,
}

#[derive(Debug, Clone)]
pub(super) enum Step {
    Legal(LegalDice),
    Fault(Box<FaultDice>),
}

impl Step {
    fn gap(&self) -> u16 {
        match self {
            Step::Legal(d) => d.gap,
            Step::Fault(f) => f.dice.gap,
        }
    }
}

fn legal_dice() -> impl Strategy<Value = LegalDice> {
    (
        any::<u32>(),
        any::<u8>(),
        any::<u32>(),
        any::<u64>(),
        any::<u16>(),
    )
        .prop_map(|(pick, id, dt, spelling, gap)| LegalDice {
            pick,
            id,
            dt,
            spelling,
            gap,
        })
}

pub(super) fn legal_step() -> impl Strategy<Value = Step> {
    legal_dice().prop_map(Step::Legal)
}

fn fault_step() -> impl Strategy<Value = Step> {
    let fault = prop_oneof![
        3 => Just(Fault::Illegal),
        2 => Just(Fault::Backwards),
        2 => Just(Fault::Foreign),
        2 => Just(Fault::Unknown),
        1 => Just(Fault::EmptyAgent),
        1 => Just(Fault::EmptyInteraction),
        1 => Just(Fault::OfferWithoutInteraction),
        1 => Just(Fault::StaleCall),
    ];
    (
        fault,
        legal_dice(),
        any::<u32>(),
        unknown_name(),
        any::<u8>(),
    )
        .prop_map(|(fault, dice, offset, unknown, time_mode)| {
            Step::Fault(Box::new(FaultDice {
                fault,
                dice,
                offset,
                unknown,
                time_mode,
            }))
        })
}

/// `len` steps, about one in five a fault, and at least one fault.
pub(super) fn faulty_steps(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![4 => legal_step(), 1 => fault_step()];
    (vec(step, len), any::<prop::sample::Index>(), fault_step()).prop_map(
        |(mut steps, at, fault)| {
            if !steps.iter().any(|s| matches!(s, Step::Fault(_))) {
                if steps.is_empty() {
                    steps.push(fault);
                } else {
                    let at = at.index(steps.len());
                    steps[at] = fault;
                }
            }
            steps
        },
    )
}

/// The random choices of one agent's walk.
#[derive(Debug, Clone)]
pub(super) struct Walk {
    /// The seed of its interaction ids.
    seed: u64,
    /// The clock's start.
    start: i64,
    steps: Vec<Step>,
}

pub(super) fn any_walk<S: Strategy<Value = Vec<Step>>>(steps: S) -> impl Strategy<Value = Walk> {
    (any::<u64>(), EPOCH..EPOCH + 86_400_000, steps).prop_map(|(seed, start, steps)| Walk {
        seed,
        start,
        steps,
    })
}

/// Several agents' walks, with distinct tags, merged by each step's gap.
pub(super) fn interleaved<S>(
    agents: impl Into<SizeRange>,
    steps: S,
) -> impl Strategy<Value = FaultyTrace>
where
    S: Strategy<Value = Vec<Step>>,
{
    (any::<u16>(), vec(any_walk(steps), agents)).prop_map(|(base, walks)| {
        // Each record gets a key: the running sum of its agent's gaps. Merging by
        // (key, agent) keeps each agent's order and interleaves agents at random.
        let mut keyed: Vec<(u64, usize, usize, Checked)> =
            walks
                .iter()
                .enumerate()
                .flat_map(|(a, w)| {
                    let tag = base.wrapping_add(a as u16);
                    let mut key = 0u64;
                    walk(tag, w).into_iter().zip(&w.steps).enumerate().map(
                        move |(i, (rec, step))| {
                            key += u64::from(step.gap());
                            (key, a, i, rec)
                        },
                    )
                })
                .collect();
        keyed.sort_by_key(|(key, a, i, _)| (*key, *a, *i));
        keyed.into_iter().map(|(.., rec)| rec).collect()
    })
}

pub(super) fn strip(trace: FaultyTrace) -> Vec<OwnedRecord> {
    trace.into_iter().map(|(r, _)| r).collect()
}

/// Runs `steps` for the agent `tag` and gives the records.
pub(super) fn walk(tag: u16, w: &Walk) -> FaultyTrace {
    let mut walker = Walker::new(tag, w.seed, w.start);
    w.steps
        .iter()
        .map(|step| match step {
            Step::Legal(d) => (walker.legal(d), None),
            Step::Fault(f) => walker.fault(f),
        })
        .collect()
}

/// One agent's state as the table has it, plus what the records need.
#[derive(Debug, Clone)]
struct Walker {
    agent: String,
    tag: u16,
    seed: u64,
    phase: Phase,
    role: Role,
    recording: Recording,
    availability: Availability,
    interaction: Option<String>,
    /// The interaction of the most recently terminated call (SPEC §1).
    finished: Option<String>,
    /// The last accepted time (every legal record has one).
    last_time: Option<i64>,
    /// The clock: the next legal record is later than this.
    now: i64,
    calls: u32,
    foreign: u32,
    /// Where the walk is heading: a phase, role and recording state.
    target: Target,
}

/// A state a walk heads for: phase, role and recording.
type Target = (Phase, Role, Recording);

/// Every (phase, role, recording) an agent can reach by transitions: the targets
/// of a walk.
fn all_targets() -> Vec<Target> {
    let mut targets: Vec<Target> = walk::from_start()
        .reached()
        .iter()
        .map(|c| (c.status().phase, c.status().role, c.status().recording))
        .collect();
    targets.sort();
    targets.dedup();
    targets
}

/// The events that start a shortest path over the table from `from` to a state
/// with `target`'s phase, role and recording (empty when there is none or `from`
/// is one): read off the table's walk.
fn first_steps(from: StateCode, target: Target) -> EventSet {
    walk::toward(from, |s: Status| (s.phase, s.role, s.recording) == target)
}

impl Walker {
    fn new(tag: u16, seed: u64, start: i64) -> Walker {
        Walker {
            target: (Phase::Ready, Role::Owner, Recording::Off),
            agent: agent_id(tag),
            tag,
            seed,
            phase: Phase::Ready,
            role: Role::Owner,
            recording: Recording::Off,
            availability: Availability::Ready,
            interaction: None,
            finished: None,
            last_time: None,
            now: start,
            calls: 0,
            foreign: 0,
        }
    }

    /// A fresh interaction id for a new call.
    fn fresh_call(&mut self) -> String {
        self.calls += 1;
        uuid(self.seed, self.tag, self.calls)
    }

    /// An interaction id that is none of this agent's calls (nor any other
    /// agent's: the tag is in the id).
    fn foreign_id(&mut self) -> String {
        self.foreign += 1;
        uuid(!self.seed, self.tag, self.foreign)
    }

    /// One of the events the table allows here. The walk heads for a target state
    /// (a phase and recording): five steps in eight go along a shortest path to it,
    /// the others anywhere; on arrival, it picks the next target. So walks reach
    /// every state, deep ones too, and wander on the way. A `pick` of 0 is the
    /// first allowed event, `AgentAvailable`.
    fn pick_allowed(&mut self, pick: u32) -> Event {
        if (self.phase, self.role, self.recording) == self.target {
            let targets = all_targets();
            self.target = targets[(pick >> 8) as usize % targets.len()];
        }
        let allowed: Vec<Event> = table::allowed(self.phase, self.recording, self.role)
            .iter()
            .filter(|e| !e.is_snapshot())
            .collect();
        if pick & 7 >= 3 {
            let toward: Vec<Event> = first_steps(self.code(), self.target).iter().collect();
            if !toward.is_empty() {
                return toward[(pick >> 3) as usize % toward.len()];
            }
        }
        allowed[(pick >> 3) as usize % allowed.len()]
    }

    /// One of the events the table does not allow here.
    fn pick_disallowed(&self, pick: u32) -> Event {
        let allowed = table::allowed(self.phase, self.recording, self.role);
        let others: Vec<Event> = Event::iter().filter(|e| !allowed.contains(*e)).collect();
        others[pick as usize % others.len()]
    }

    /// A legal record, and the state moves.
    fn legal(&mut self, d: &LegalDice) -> OwnedRecord {
        if let Some(record) = self.late_notification(d) {
            return record;
        }
        let event = self.pick_allowed(d.pick);
        let rule = table::rule_for(self.phase, self.recording, self.role, event)
            .unwrap_or_else(|| unreachable!("{event} is allowed"));
        let interaction = if rule.effect == Effect::Bind {
            Some(self.fresh_call())
        } else if event.offers_call() {
            // E4 on a reserved preview: the same call, which an offer must name.
            self.interaction.clone()
        } else if event.is_availability() {
            match d.id % 8 {
                0..=3 => None,
                4..=6 => self.interaction.clone(),
                _ => Some(self.foreign_id()),
            }
        } else if d.id.is_multiple_of(2) {
            None
        } else {
            self.interaction.clone()
        };
        self.now += 1 + i64::from(d.dt % 120_000);
        let record = self.record(interaction, spell(event, d.spelling), Some(self.now));
        self.fire(event, record.interaction.as_deref(), record.time);
        record
    }

    /// With no call, now and then a late notification of the finished call (SPEC
    /// §3.4): accepted without change.
    fn late_notification(&mut self, d: &LegalDice) -> Option<OwnedRecord> {
        let finished = self.finished.clone()?;
        if self.phase.has_call() || !(d.dt >> 20).is_multiple_of(5) {
            return None;
        }
        let late: Vec<Event> = Event::iter().filter(|e| expected::is_late(*e)).collect();
        let event = late[(d.pick >> 3) as usize % late.len()];
        self.now += 1 + i64::from(d.dt % 120_000);
        let record = self.record(Some(finished), spell(event, d.spelling), Some(self.now));
        self.last_time = record.time;
        Some(record)
    }

    /// A record of this agent's.
    fn record(&self, interaction: Option<String>, event: String, time: Option<i64>) -> OwnedRecord {
        OwnedRecord {
            agent: self.agent.clone(),
            interaction,
            event,
            time,
        }
    }

    /// Where the walker is in the table, packed.
    fn code(&self) -> StateCode {
        StateCode::of(Status {
            phase: self.phase,
            role: self.role,
            recording: self.recording,
            availability: self.availability,
        })
    }

    /// Follows the table's cell for `event`, binding or clearing the interaction.
    fn fire(&mut self, event: Event, interaction: Option<&str>, time: Option<i64>) {
        let step = table::step_at(self.code(), event)
            .unwrap_or_else(|| unreachable!("{event} is allowed"));
        let rule = step.rule();
        let next = step.next.status();
        (self.phase, self.role, self.recording, self.availability) =
            (next.phase, next.role, next.recording, next.availability);
        if rule.effect == Effect::Bind {
            self.interaction = interaction.map(str::to_owned);
        }
        if rule.terminates() {
            self.finished = self.interaction.take();
        }
        if time.is_some() {
            self.last_time = time;
        }
    }

    /// A time for a fault that is not about time: none, on the clock, or ahead of it.
    fn fault_time(&self, f: &FaultDice) -> Option<i64> {
        match f.time_mode % 4 {
            0 => None,
            1 => Some(self.now),
            _ => Some(self.now + i64::from(f.offset % 10_000_000)),
        }
    }

    /// An interaction for a record of `event` that is meant to fail for another
    /// reason than its interaction: the agent's call, or none when allowed.
    fn own_interaction(&mut self, event: Event, d: &LegalDice) -> Option<String> {
        if event.offers_call() {
            // Offers must name one: the held call, or a new one.
            match (&self.interaction, d.id % 2) {
                (Some(held), 0) => Some(held.clone()),
                _ => Some(self.foreign_id()),
            }
        } else if d.id.is_multiple_of(2) {
            None
        } else {
            self.interaction.clone()
        }
    }

    /// A record that must be rejected, with the kind; the state does not move.
    fn fault(&mut self, f: &FaultDice) -> Checked {
        let d = &f.dice;
        let mut fault = f.fault;
        if matches!(fault, Fault::Backwards) && matches!(self.last_time, None | Some(i64::MIN)) {
            fault = Fault::Illegal;
        }
        if matches!(fault, Fault::Foreign) && !self.phase.has_call() {
            fault = Fault::Illegal;
        }
        if matches!(fault, Fault::StaleCall) && (self.phase.has_call() || self.finished.is_none()) {
            fault = Fault::Illegal;
        }
        let record = match fault {
            Fault::Illegal => {
                let event = self.pick_disallowed(d.pick);
                let interaction = self.own_interaction(event, d);
                self.record(interaction, spell(event, d.spelling), self.fault_time(f))
            }
            Fault::Backwards => {
                let event = any_event_at(d.pick);
                let interaction = self.own_interaction(event, d);
                let last = self.last_time.unwrap_or_default();
                let back = 1 + i64::from(f.offset % 100_000);
                let time = Some(last.saturating_sub(back));
                self.record(interaction, spell(event, d.spelling), time)
            }
            Fault::Foreign => {
                // A call event (E5–E21, E23–E33): offers would be agent_busy first.
                let calls: Vec<Event> = Event::iter().filter(|e| e.needs_call()).collect();
                let event = calls[d.pick as usize % calls.len()];
                let interaction = Some(self.foreign_id());
                self.record(interaction, spell(event, d.spelling), self.fault_time(f))
            }
            Fault::Unknown => {
                let interaction = match d.id % 3 {
                    0 => None,
                    1 => self.interaction.clone(),
                    _ => Some(self.foreign_id()),
                };
                // Unknown names come before times: any time will do, even one
                // going backwards.
                let time = match f.time_mode % 3 {
                    0 => None,
                    1 => Some(self.now - i64::from(f.offset % 1_000_000)),
                    _ => self.fault_time(f),
                };
                self.record(interaction, f.unknown.clone(), time)
            }
            Fault::EmptyAgent => {
                let interaction = Some(self.foreign_id());
                OwnedRecord {
                    agent: String::new(),
                    ..self.record(interaction, any_name(f), self.fault_time(f))
                }
            }
            Fault::EmptyInteraction => {
                self.record(Some(String::new()), any_name(f), self.fault_time(f))
            }
            Fault::OfferWithoutInteraction => {
                let events = [
                    Event::OfferContact,
                    Event::OfferCampaignReserved,
                    Event::OfferConsult,
                    Event::ContactSnapshot,
                ];
                let event = events[d.pick as usize % events.len()];
                self.record(None, spell(event, d.spelling), self.fault_time(f))
            }
            Fault::StaleCall => {
                let events: Vec<Event> = Event::iter()
                    .filter(|e| e.needs_call() && !expected::is_late(*e))
                    .collect();
                let event = events[d.pick as usize % events.len()];
                let interaction = self.finished.clone();
                self.record(interaction, spell(event, d.spelling), self.fault_time(f))
            }
        };
        let expected = self.expected(&record);
        assert!(
            expected.is_some(),
            "strategies: the {fault:?} fault {record:?} would be accepted in {self:?}"
        );
        (record, expected)
    }

    /// The kind SPEC §4 gives `record` in this state ([`expected()`]); `None` when
    /// the record would be accepted.
    fn expected(&self, record: &OwnedRecord) -> Option<RejectionKind> {
        let agent = expected::Agent {
            phase: self.phase,
            role: self.role,
            recording: self.recording,
            held: self.interaction.as_deref(),
            finished: self.finished.as_deref(),
            last_time: self.last_time,
        };
        expected(agent, record)
    }
}

/// For faults that are malformed before any name is looked at: a known event's
/// name or an unknown one.
fn any_name(f: &FaultDice) -> String {
    let d = &f.dice;
    if d.id.is_multiple_of(2) {
        spell(any_event_at(d.pick), d.spelling)
    } else {
        f.unknown.clone()
    }
}

/// One of the events (E1–E34), by `pick`.
fn any_event_at(pick: u32) -> Event {
    let all: Vec<Event> = Event::iter().collect();
    all[pick as usize % all.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_kind_treats_a_bad_event_name_as_unknown() {
        let w = Walker::new(1, 2, EPOCH);
        let r = OwnedRecord::new(agent_id(1), "Swapped").at(0);
        assert_eq!(w.expected(&r), Some(RejectionKind::UnknownEvent));
    }
}
