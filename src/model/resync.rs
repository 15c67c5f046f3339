//! Resynchronization (SPEC §8): what a rejected record's repair is, and the
//! shortest run of lost events that explains it, searched over the table.
//!
//! Two questions, answered in two places:
//!
//! - *Which evidence allows which repair* — rules R1 to R10: [`RepairRule`] and
//!   [`rule_for`], the only place they are written.
//! - *What was lost* — [`missing_events`]: the shortest sequence of events after
//!   which the record applies, first in event order among the shortest. It is
//!   found by a breadth-first search that steps real [`Machine`]s, so an inferred
//!   event passes exactly the checks a recorded one would. The search depends
//!   only on the agent's state, the event and how the record's interaction
//!   relates to the held call, so every answer is computed once, on first use,
//!   for all 48 reachable states.

use crate::model::machine::{Machine, Transition};
use crate::model::rejection::RejectionKind;
use crate::model::unknown_name::{self, UnknownName};
use crate::model::vocabulary::Event;
use std::collections::HashSet;
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

impl Mode {
    /// `"strict"` or `"resync"`, as options and snapshots spell it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Strict => "strict",
            Mode::Resync => "resync",
        }
    }
}

/// `"resync"` or `"strict"`.
impl std::str::FromStr for Mode {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, UnknownName> {
        // Resync first: the command line's and the packages' default.
        unknown_name::parse("mode", name, [Mode::Resync, Mode::Strict], Mode::name)
    }
}

/// What resync did about a rejected record (SPEC §8); see
/// [`Rejection::repair`](crate::Rejection::repair).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repair {
    /// Nothing changed, as in strict mode.
    Skip {
        /// The rule of SPEC §8 that decided.
        rule: RepairRule,
    },
    /// Lost events were inferred and applied, then the record itself.
    Infer {
        /// The rule of SPEC §8 that decided (one that infers).
        rule: RepairRule,
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

    /// The rule of SPEC §8 that decided.
    pub fn rule(&self) -> RepairRule {
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

/// The rules of SPEC §8, R1 to R10, in their order: which evidence allows which
/// repair. The engine picks the first that applies; the rule says how many lost
/// events it lets resync infer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
#[non_exhaustive]
pub enum RepairRule {
    /// R1: the record is earlier than the agent's last accepted time.
    OutOfOrder,
    /// R2: it names the agent's finished call, which the agent does not hold.
    LateEventOfFinishedCall,
    /// R3: its event is the agent's last, naming no call or the held one.
    Repeat,
    /// R4: `interaction_mismatch`.
    OtherCallsEvent,
    /// R5: `agent_busy`, naming the held call.
    RepeatedOffer,
    /// R6: `agent_busy`: an offer of a new call.
    HeldCallEndLost,
    /// R7: `agent_not_ready`.
    AvailabilityChangeLost,
    /// R8: `no_active_call`, naming an interaction.
    CallStartLost,
    /// R9: `no_active_call`, naming none.
    NoCallToAttachTo,
    /// R10: `illegal_transition`, on the same call.
    OneEventLost,
}

impl RepairRule {
    /// The rule's number in SPEC §8 (1 to 10).
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// What the evidence says happened, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            RepairRule::OutOfOrder => "out of order",
            RepairRule::LateEventOfFinishedCall => "a late event of a finished call",
            RepairRule::Repeat => "a repeat",
            RepairRule::OtherCallsEvent => "another call's event",
            RepairRule::RepeatedOffer => "a repeated offer",
            RepairRule::HeldCallEndLost => "the held call's end was lost",
            RepairRule::AvailabilityChangeLost => "the availability change was lost",
            RepairRule::CallStartLost => "the call's start was lost",
            RepairRule::NoCallToAttachTo => "no call to apply it to",
            RepairRule::OneEventLost => "one event was lost",
        }
    }

    /// How many lost events the rule lets resync infer; 0 for a rule that skips.
    pub fn infers_up_to(self) -> usize {
        match self {
            RepairRule::HeldCallEndLost
            | RepairRule::AvailabilityChangeLost
            | RepairRule::CallStartLost => MAX_INFERRED,
            RepairRule::OneEventLost => 1,
            _ => 0,
        }
    }
}

/// What the agent remembers for resync besides its state (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Evidence<'a> {
    /// The canonical event of the last record applied to the agent.
    pub(crate) last: Option<Event>,
    /// The interaction of the agent's most recently terminated call.
    pub(crate) finished: Option<&'a str>,
}

/// Rules R1–R10 of SPEC §8: the rule that decides the repair of a record of
/// `event` (`None`: a call notice), naming `named`, rejected with `kind` while
/// the agent holds `held`; the first that applies. `None` for the kinds that are never repaired
/// (`malformed`, `unknown_event`).
pub(crate) fn rule_for(
    kind: RejectionKind,
    event: Option<Event>,
    named: Option<&str>,
    held: Option<&str>,
    evidence: Evidence<'_>,
) -> Option<RepairRule> {
    use RejectionKind as K;
    use RepairRule as R;
    let names_held = named.is_some() && named == held;
    let rule = match kind {
        K::Malformed | K::UnknownEvent => return None,
        K::OutOfOrder => R::OutOfOrder,
        _ if named.is_some() && named == evidence.finished && !names_held => {
            R::LateEventOfFinishedCall
        }
        _ if event.is_some() && evidence.last == event && (named.is_none() || names_held) => {
            R::Repeat
        }
        K::InteractionMismatch => R::OtherCallsEvent,
        K::AgentBusy if names_held => R::RepeatedOffer,
        K::AgentBusy => R::HeldCallEndLost,
        K::AgentNotReady => R::AvailabilityChangeLost,
        K::NoActiveCall if named.is_some() => R::CallStartLost,
        K::NoActiveCall => R::NoCallToAttachTo,
        K::IllegalTransition => R::OneEventLost,
    };
    Some(rule)
}

/// A run of lost events, in the order they are to be applied.
#[derive(Debug, Clone, Copy)]
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

/// The interaction an inferred `event` names (SPEC §8): an offer (E4, E22) names the
/// record's interaction, or the held call when the record names none; every
/// other event names the held call (`None` stands for it). The outer `None`:
/// the event cannot be inferred here.
pub(crate) fn inferred_naming<'a>(
    event: Event,
    named: Option<&'a str>,
    held: Option<&'a str>,
) -> Option<Option<&'a str>> {
    match event {
        // Every call is offered by E4: E3 is never inferred. (Without this arm
        // E3 would name nothing, which `check_call` rejects as malformed, so
        // cargo-mutants' deletion of it is equivalent.)
        Event::OfferCampaignReserved => None,
        Event::OfferContact | Event::OfferConsult => named.or(held).map(Some),
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

// cargo-mutants' `-` for either `+` is equivalent: state code 0 (phase `idle`
// while `ready`) is unreachable, and above it the index stays injective and in range.
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
                    // Only skips work: a phase without a call never looks up
                    // `Held` (`Naming::of`), so cargo-mutants' `true` here is equivalent.
                    Naming::Held if machine.has_call() => Some("held"),
                    Naming::Held => continue,
                    Naming::Other => Some("other"),
                };
                let found = search(&machine, named);
                for event in Event::iter() {
                    let at = answer_index(machine.state_code(), naming, event);
                    all[at] = found[event as usize];
                }
            }
        }
        all.into_boxed_slice()
    })
}

/// Breadth-first over runs in event order, level by level, for every event at
/// once: an event's answer is the first run after which it applies, so the
/// shortest and, among the shortest, the first in event order. A machine
/// already reached by an earlier run is not expanded again, since whatever
/// follows it would follow the earlier, smaller run too. (The runs tried do not
/// depend on the event sought, so one search answers all of them.)
fn search(start: &Machine, named: Option<&str>) -> [Option<Run>; Event::COUNT] {
    let mut found = [None; Event::COUNT];
    let mut unanswered = Event::COUNT;
    let mut seen: HashSet<Machine, foldhash::fast::RandomState> = HashSet::default();
    seen.insert(start.clone());
    let mut level = vec![(start.clone(), Run::EMPTY)];
    for _ in 0..MAX_INFERRED {
        let mut next = Vec::new();
        for (machine, run) in &level {
            let held = machine.interaction();
            for lost in Event::iter() {
                let Some(naming) = inferred_naming(lost, named, held) else {
                    continue;
                };
                // `admits` first: most runs are rejected, and a rejection is built
                // with its strings; a record accepted without change (a notice, a
                // late notification) leaves a machine already seen, so skipping
                // it finds the same runs.
                if !machine.admits(lost, naming) {
                    continue;
                }
                let mut after = machine.clone();
                if after.step(lost, naming, None).is_err() {
                    continue;
                }
                let run = run.then(lost);
                for (event, answer) in Event::iter().zip(&mut found) {
                    if answer.is_none() && after.admits(event, named) {
                        *answer = Some(run);
                        unanswered -= 1;
                    }
                }
                if unanswered == 0 {
                    return found;
                }
                if seen.insert(after.clone()) {
                    next.push((after, run));
                }
            }
        }
        level = next;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::machine::MachineState;
    use crate::model::vocabulary::{Availability, Phase, Recording};

    fn connected() -> Machine {
        Machine::try_from(MachineState {
            phase: Phase::Connected,
            role: crate::model::vocabulary::Role::Owner,
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
    fn rules_are_numbered_in_order_and_say_why_in_their_own_words() {
        use strum::IntoEnumIterator;
        let rules: Vec<RepairRule> = RepairRule::iter().collect();
        let numbers: Vec<u8> = rules.iter().map(|r| r.number()).collect();
        assert_eq!(numbers, (1..=10).collect::<Vec<u8>>());
        let reasons: std::collections::BTreeSet<&str> = rules.iter().map(|r| r.reason()).collect();
        assert_eq!(reasons.len(), 10);
        // SPEC §8's table: R6, R7, R8 infer up to 4; R10 up to 1; the rest skip.
        let infers: Vec<(u8, usize)> = rules
            .iter()
            .filter(|r| r.infers_up_to() > 0)
            .map(|r| (r.number(), r.infers_up_to()))
            .collect();
        assert_eq!(infers, [(6, 4), (7, 4), (8, 4), (10, 1)]);
    }

    #[test]
    fn the_spec_examples_search_as_stated() {
        let m = connected();
        assert_eq!(
            names(missing_events(&m, Event::OfferContact, Some("c2"), 4)),
            Some(vec!["DROPPED"])
        );
        assert_eq!(
            names(missing_events(&m, Event::ContactWrappedUp, Some("c1"), 1)),
            Some(vec!["acw"])
        );
        assert_eq!(
            names(missing_events(&m, Event::Consulting, Some("c1"), 1)),
            Some(vec!["eAgentConsultCreated"])
        );
        // SPEC §10's examples.
        let ready = Machine::new();
        assert_eq!(
            names(missing_events(&ready, Event::Consulting, Some("c1"), 4)),
            Some(vec!["AgentOfferConsult"])
        );
        let mut offered = Machine::new();
        offered.step(Event::OfferContact, Some("c1"), None).unwrap();
        assert_eq!(
            names(missing_events(&offered, Event::Acw, Some("c1"), 1)),
            Some(vec!["CustAnswered"])
        );
    }

    #[test]
    fn the_record_must_pass_as_a_transition() {
        // In wrap-up, E18 is a notice: it never counts as passing.
        let mut m = connected();
        m.step(Event::Acw, None, None).unwrap();
        assert!(!m.admits(Event::ContactEnded, Some("c1")));
        assert!(m.admits(Event::ContactWrappedUp, Some("c1")));
    }
}
