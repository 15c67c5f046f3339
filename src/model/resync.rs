//! Resynchronization (SPEC §8): what a rejected record's repair is, and the
//! shortest run of lost events that explains it, searched over the table.
//!
//! Two questions, answered in two places:
//!
//! - *Which evidence allows which repair* — rules R1 to R10, in [`plan`], the only
//!   place they are written.
//! - *What was lost* — [`missing_events`]: the shortest sequence of events after
//!   which the record applies, first in event order among the shortest. It is
//!   found by a breadth-first search that steps real [`Machine`]s, so an inferred
//!   event passes exactly the checks a recorded one would. The search depends
//!   only on the agent's state, the event and how the record's interaction
//!   relates to the held call, so every answer is computed once, on first use,
//!   for all 48 reachable states.

use crate::model::machine::{Machine, Transition};
use crate::model::rejection::RejectionKind;
use crate::model::vocabulary::Event;
use std::sync::OnceLock;
use strum::{EnumCount, IntoEnumIterator};

/// The longest run of lost events resync ever infers (SPEC §8: "up to 4").
pub const MAX_INFERRED: usize = 4;

/// How the engine treats a record it rejects.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mode {
    /// SPEC §4 alone: a rejected record changes nothing.
    #[default]
    Strict,
    /// SPEC §8: a rejected record keeps its verdict, then gets a [`Repair`].
    Resync,
}

/// What resync did about a rejected record (SPEC §8); see
/// [`Rejection::repair`](crate::Rejection::repair).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repair {
    /// Nothing changed, as in strict mode.
    Skip {
        /// The rule of SPEC §8 that decided (1 to 10).
        rule: u8,
    },
    /// Lost events were inferred and applied, then the record itself.
    Infer {
        /// The rule of SPEC §8 that decided (6, 7, 8 or 10).
        rule: u8,
        /// The inferred transitions, in the order they were applied.
        inferred: Vec<Inferred>,
        /// The record's own transition, applied after them.
        transition: Transition,
        /// The call the record's transition is about: the one the agent held
        /// after it, or the one it terminated.
        call: Option<String>,
    },
}

impl Repair {
    /// `"skip"` or `"infer"`, as the `--json` report writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Repair::Skip { .. } => "skip",
            Repair::Infer { .. } => "infer",
        }
    }

    /// The rule of SPEC §8 that decided (1 to 10).
    pub fn rule(&self) -> u8 {
        match self {
            Repair::Skip { rule } | Repair::Infer { rule, .. } => *rule,
        }
    }

    /// The inferred transitions (none for a skip).
    pub fn inferred(&self) -> &[Inferred] {
        match self {
            Repair::Skip { .. } => &[],
            Repair::Infer { inferred, .. } => inferred,
        }
    }

    /// The record's own transition, when it was applied after an inference.
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            Repair::Skip { .. } => None,
            Repair::Infer { transition, .. } => Some(transition),
        }
    }

    /// The call the record's own transition is about, when it was applied.
    pub fn call(&self) -> Option<&str> {
        match self {
            Repair::Skip { .. } => None,
            Repair::Infer { call, .. } => call.as_deref(),
        }
    }
}

/// One inferred event, applied as an accepted transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    /// What it changed.
    pub transition: Transition,
    /// The call it is about: the one the agent held after it, or the one it
    /// terminated; `None` when the agent had none.
    pub call: Option<String>,
}

/// How many lost events a rule allows to be inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing changes, as in strict mode.
    Skip,
    /// Infer at most this many lost events, then apply the record.
    Infer(usize),
}

/// What the agent remembers for resync besides its state (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Evidence<'a> {
    /// The canonical event of the last record applied to the agent.
    pub(crate) last: Option<Event>,
    /// The interaction of the agent's most recently terminated call.
    pub(crate) finished: Option<&'a str>,
}

/// Rules R1–R10 of SPEC §8: the repair of a record of `event`, naming `named`,
/// rejected with `kind` while the agent holds `held`. `None` for the kinds that
/// are never repaired (`malformed`, `unknown_event`). The first rule that applies
/// decides; the returned number is the rule's.
pub(crate) fn plan(
    kind: RejectionKind,
    event: Event,
    named: Option<&str>,
    held: Option<&str>,
    evidence: Evidence<'_>,
) -> Option<(u8, Plan)> {
    use RejectionKind as K;
    let names_held = named.is_some() && named == held;
    let rule = match kind {
        K::Malformed | K::UnknownEvent => return None,
        K::OutOfOrder => (1, Plan::Skip),
        // A late event of a call that has ended.
        _ if named.is_some() && named == evidence.finished && !names_held => (2, Plan::Skip),
        // A repeat.
        _ if evidence.last == Some(event) && (named.is_none() || names_held) => (3, Plan::Skip),
        // An event of another call while the agent holds one.
        K::InteractionMismatch => (4, Plan::Skip),
        // A repeated offer.
        K::AgentBusy if names_held => (5, Plan::Skip),
        // An offer of a new call: the held call's end was lost.
        K::AgentBusy => (6, Plan::Infer(MAX_INFERRED)),
        // Webex offers only to ready agents: the availability change was lost.
        K::AgentNotReady => (7, Plan::Infer(MAX_INFERRED)),
        // The call's start was lost.
        K::NoActiveCall if named.is_some() => (8, Plan::Infer(MAX_INFERRED)),
        K::NoActiveCall => (9, Plan::Skip),
        // Same call: one event was lost.
        K::IllegalTransition => (10, Plan::Infer(1)),
    };
    Some(rule)
}

/// A run of lost events, in the order they are to be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    events: [Event; MAX_INFERRED],
    len: u8,
}

impl Run {
    const EMPTY: Run = Run {
        events: [Event::AgentAvailable; MAX_INFERRED],
        len: 0,
    };

    pub(crate) fn events(&self) -> &[Event] {
        &self.events[..usize::from(self.len)]
    }

    fn then(mut self, event: Event) -> Run {
        self.events[usize::from(self.len)] = event;
        self.len += 1;
        self
    }
}

/// How the record's interaction relates to the agent's call: all the search
/// needs to know of ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// The record names no interaction (it means the held call, if any).
    Nothing,
    /// The record names the call the agent holds.
    Held,
    /// The record names an interaction the agent does not hold.
    Other,
}

impl Naming {
    const ALL: [Naming; 3] = [Naming::Nothing, Naming::Held, Naming::Other];

    fn of(named: Option<&str>, held: Option<&str>) -> Naming {
        match named {
            None => Naming::Nothing,
            Some(_) if named == held => Naming::Held,
            Some(_) => Naming::Other,
        }
    }
}

/// The interaction an inferred `event` names (SPEC §8): an offer names the
/// record's interaction, or the held call when the record names none; every
/// other event names the held call (`None` stands for it). The outer `None`:
/// the event cannot be inferred here.
pub(crate) fn inferred_naming<'a>(
    event: Event,
    named: Option<&'a str>,
    held: Option<&'a str>,
) -> Option<Option<&'a str>> {
    match event {
        // Every call is offered by E4: E3 is never inferred.
        Event::OfferCampaignReserved => None,
        Event::OfferContact => named.or(held).map(Some),
        _ => Some(None),
    }
}

/// The shortest run of at most `up_to` lost events after which `event`, naming
/// `named`, passes every check of SPEC §4 but the time check on `machine`; the
/// first in event order among the shortest. `None` if there is none.
pub(crate) fn missing_events(
    machine: &Machine,
    event: Event,
    named: Option<&str>,
    up_to: usize,
) -> Option<Run> {
    let naming = Naming::of(named, machine.interaction());
    let run = answers()[answer_index(machine.state_code(), naming, event)]?;
    (usize::from(run.len) <= up_to).then_some(run)
}

fn answer_index(state: usize, naming: Naming, event: Event) -> usize {
    (state * Naming::ALL.len() + naming as usize) * Event::COUNT + event as usize
}

/// The search's answer for every (state code, naming, event), computed on first use.
fn answers() -> &'static [Option<Run>] {
    static ANSWERS: OnceLock<Box<[Option<Run>]>> = OnceLock::new();
    ANSWERS.get_or_init(|| {
        let mut all = vec![None; Machine::STATE_CODES * Naming::ALL.len() * Event::COUNT];
        for machine in Machine::every_reachable("held") {
            for naming in Naming::ALL {
                let named = match naming {
                    Naming::Nothing => None,
                    Naming::Held if machine.has_call() => Some("held"),
                    Naming::Held => continue,
                    Naming::Other => Some("other"),
                };
                for event in Event::iter() {
                    let at = answer_index(machine.state_code(), naming, event);
                    all[at] = search(&machine, event, named);
                }
            }
        }
        all.into_boxed_slice()
    })
}

/// Breadth-first over runs in event order, level by level: the first run found
/// is the shortest and, among the shortest, the first in event order. A machine
/// already reached by an earlier run is not expanded again, since whatever
/// follows it would follow the earlier, smaller run too.
fn search(start: &Machine, event: Event, named: Option<&str>) -> Option<Run> {
    let mut seen = vec![start.clone()];
    let mut level = vec![(start.clone(), Run::EMPTY)];
    for _ in 0..MAX_INFERRED {
        let mut next = Vec::new();
        for (machine, run) in &level {
            for lost in Event::iter() {
                let Some(naming) = inferred_naming(lost, named, machine.interaction()) else {
                    continue;
                };
                let mut after = machine.clone();
                if after.step(lost, naming, None).is_err() {
                    continue;
                }
                let run = run.then(lost);
                if after.admits(event, named) {
                    return Some(run);
                }
                if !seen.contains(&after) {
                    seen.push(after.clone());
                    next.push((after, run));
                }
            }
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::machine::MachineState;
    use crate::model::vocabulary::{Availability, Phase, Recording};

    fn connected() -> Machine {
        Machine::try_from(MachineState {
            phase: Phase::Connected,
            recording: Recording::Off,
            availability: Availability::Ready,
            interaction: Some("c1".into()),
            last_time: None,
            last_event: None,
            finished: None,
        })
        .unwrap()
    }

    fn names(run: Option<Run>) -> Option<Vec<&'static str>> {
        run.map(|r| r.events().iter().map(|e| e.name()).collect())
    }

    #[test]
    fn the_spec_examples_search_as_stated() {
        let m = connected();
        assert_eq!(
            names(missing_events(&m, Event::Acw, Some("c1"), 1)),
            Some(vec!["eAgentContactEnded"])
        );
        assert_eq!(
            names(missing_events(&m, Event::OfferContact, Some("c2"), 4)),
            Some(vec!["DROPPED"])
        );
        assert_eq!(
            missing_events(&m, Event::ContactWrappedUp, Some("c1"), 1),
            None
        );
        assert_eq!(
            names(missing_events(&m, Event::ContactWrappedUp, Some("c1"), 4)),
            Some(vec!["eAgentContactEnded", "acw"])
        );
    }
}
