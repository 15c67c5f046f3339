//! The transition table of SPEC §3, as data: the only place the machine's rules live.
//!
//! Each [`Rule`] reads like a Boost.SML row, `from + event [guard] / effect = to`:
//!
//! ```text
//! connected, hold + eAgentConsultCreated              = consulting
//! live            + ePauseRecording [recording on] / recording := paused
//! wrapUp          + eAgentContactWrappedUp            = → availability
//! ```
//!
//! Everything else is derived from [`TABLE`]: stepping ([`rule_for`]), `can()`, the
//! allowed events of a state ([`allowed`]), the diagrams, the docs and the test paths.
//! The dense lookup behind [`rule_for`] is built at compile time, and building it
//! fails the compilation if two rules claim the same (phase, recording, event) cell.

use crate::model::vocabulary::{Availability, Event, EventSet, Phase, Recording};
use crate::model::walk;
use strum::{EnumCount, IntoEnumIterator};

/// A set of phases, as a bit set over [`Phase`]'s discriminants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhaseSet(u16);

impl PhaseSet {
    /// The empty set.
    pub const EMPTY: PhaseSet = PhaseSet(0);
    /// `idle`, `ready`: the agent holds no call ([`Phase::has_call`]).
    pub const NO_CALL: PhaseSet = PhaseSet::where_call(false);
    /// `connected`, `hold`, `consulting`, `consult`, `conference`: the customer is on
    /// the line ([`Phase::is_live`]).
    pub const LIVE: PhaseSet = {
        let mut set = PhaseSet::EMPTY;
        let mut i = 0;
        while i < Phase::COUNT {
            if PHASES[i].is_live() {
                set = set.union(PhaseSet::of(&[PHASES[i]]));
            }
            i += 1;
        }
        set
    };
    /// Every phase in which the agent holds a call.
    pub const CALL: PhaseSet = PhaseSet::where_call(true);
    /// Every phase.
    pub const ALL: PhaseSet = PhaseSet((1 << Phase::COUNT) - 1);

    /// The set of the given phases.
    pub const fn of(phases: &[Phase]) -> PhaseSet {
        let mut bits = 0;
        let mut i = 0;
        while i < phases.len() {
            bits |= 1 << phases[i] as u16;
            i += 1;
        }
        PhaseSet(bits)
    }

    /// The phases whose [`Phase::has_call`] is `call`.
    const fn where_call(call: bool) -> PhaseSet {
        let mut set = PhaseSet::EMPTY;
        let mut i = 0;
        while i < Phase::COUNT {
            if PHASES[i].has_call() == call {
                set = set.union(PhaseSet::of(&[PHASES[i]]));
            }
            i += 1;
        }
        set
    }

    /// Both sets' phases.
    pub const fn union(self, other: PhaseSet) -> PhaseSet {
        PhaseSet(self.0 | other.0)
    }

    /// This set's phases that are not in `other`.
    pub const fn minus(self, other: PhaseSet) -> PhaseSet {
        PhaseSet(self.0 & !other.0)
    }

    /// Does the set hold `phase`?
    pub const fn contains(self, phase: Phase) -> bool {
        self.0 & (1 << phase as u16) != 0
    }

    /// The phases of the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::iter().filter(move |p| self.contains(*p))
    }
}

/// Where a rule takes the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// To this phase.
    Phase(Phase),
    /// The phase does not change (availability and recording changes).
    Stay,
    /// The call terminates: the phase becomes the agent's availability (after this
    /// rule's effect), recording goes `off` and the interaction is cleared.
    Terminate,
}

/// What a rule does besides changing the phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Nothing else.
    None,
    /// availability := this.
    Availability(Availability),
    /// recording := this.
    Recording(Recording),
    /// The record's interaction becomes the agent's call.
    Bind,
}

/// One row of the table: `from + event [when recording is guard] / effect = to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The phases the rule applies in.
    pub from: PhaseSet,
    /// The event that fires it.
    pub event: Event,
    /// The rule applies only while recording is in this state (`None`: any).
    pub guard: Option<Recording>,
    /// Where the agent goes.
    pub to: Target,
    /// What else changes.
    pub effect: Effect,
    /// Why the rule exists, in the words of SPEC §3.
    pub note: &'static str,
}

impl Rule {
    const fn new(from: PhaseSet, event: Event, to: Target) -> Rule {
        Rule {
            from,
            event,
            guard: None,
            to,
            effect: Effect::None,
            note: "",
        }
    }

    const fn when(mut self, recording: Recording) -> Rule {
        self.guard = Some(recording);
        self
    }

    const fn then(mut self, effect: Effect) -> Rule {
        self.effect = effect;
        self
    }

    const fn note(mut self, note: &'static str) -> Rule {
        self.note = note;
        self
    }

    /// Does the rule apply in `phase` with recording in `recording`?
    pub const fn matches(&self, phase: Phase, recording: Recording) -> bool {
        self.from.contains(phase)
            && match self.guard {
                None => true,
                Some(g) => g as u8 == recording as u8,
            }
    }

    /// Does firing this rule terminate the call?
    pub const fn terminates(&self) -> bool {
        matches!(self.to, Target::Terminate)
    }

    /// The phase the rule leads to from `phase`, given the availability the agent
    /// has *before* the rule's effect.
    pub const fn destination(&self, phase: Phase, availability: Availability) -> Phase {
        match self.to {
            Target::Phase(p) => p,
            Target::Stay => phase,
            Target::Terminate => self.availability_after(availability).phase(),
        }
    }

    /// The availability after the rule fires, from `availability` before it.
    pub const fn availability_after(&self, availability: Availability) -> Availability {
        match self.effect {
            Effect::Availability(a) => a,
            _ => availability,
        }
    }
}

use Event as E;
use Phase as P;

const fn set(phases: &[Phase]) -> PhaseSet {
    PhaseSet::of(phases)
}
const fn on(from: PhaseSet, event: Event, to: Phase) -> Rule {
    Rule::new(from, event, Target::Phase(to))
}
const fn stay(from: PhaseSet, event: Event) -> Rule {
    Rule::new(from, event, Target::Stay)
}
const fn end(from: PhaseSet, event: Event) -> Rule {
    Rule::new(from, event, Target::Terminate)
}

const LIVE: PhaseSet = PhaseSet::LIVE;
const CALL: PhaseSet = PhaseSet::CALL;
const NO_CALL: PhaseSet = PhaseSet::NO_CALL;
const AVAIL_READY: Effect = Effect::Availability(Availability::Ready);
const AVAIL_IDLE: Effect = Effect::Availability(Availability::Idle);

/// SPEC §3, row by row. Anything not listed is illegal.
pub const TABLE: &[Rule] = &[
    on(NO_CALL, E::AgentAvailable, P::Ready)
        .then(AVAIL_READY)
        .note("the agent becomes available"),
    on(NO_CALL, E::AgentIdle, P::Idle)
        .then(AVAIL_IDLE)
        .note("the agent becomes idle"),
    stay(CALL, E::AgentAvailable)
        .then(AVAIL_READY)
        .note("takes effect when the call terminates"),
    stay(CALL, E::AgentIdle)
        .then(AVAIL_IDLE)
        .note("takes effect when the call terminates"),
    on(set(&[P::Ready]), E::OfferCampaignReserved, P::Reserved)
        .then(Effect::Bind)
        .note("binds the interaction id (preview dialing)"),
    on(set(&[P::Ready]), E::OfferContact, P::Offered)
        .then(Effect::Bind)
        .note("binds the interaction id (progressive / predictive)"),
    on(set(&[P::Reserved]), E::OfferContact, P::Offered).note("preview accepted"),
    end(set(&[P::Reserved, P::Offered]), E::OfferContactRona)
        .then(AVAIL_IDLE)
        .note("redirection on no answer: terminates, the agent goes idle"),
    end(set(&[P::Reserved]), E::ContactEnded)
        .note("preview contact ended: terminal cleanup, no wrap-up"),
    on(set(&[P::Offered]), E::CustAnswered, P::Connected).note("the customer answered"),
    stay(LIVE, E::RecordingStarted)
        .when(Recording::Off)
        .then(Effect::Recording(Recording::On))
        .note("recording starts"),
    stay(LIVE, E::PauseRecording)
        .when(Recording::On)
        .then(Effect::Recording(Recording::Paused))
        .note("recording pauses"),
    stay(LIVE, E::ResumeRecording)
        .when(Recording::Paused)
        .then(Effect::Recording(Recording::On))
        .note("recording resumes"),
    on(set(&[P::Connected]), E::ContactHeld, P::Hold).note("the customer is put on hold"),
    on(set(&[P::Hold]), E::ContactUnHeld, P::Connected).note("the customer is back"),
    on(
        set(&[P::Connected, P::Hold]),
        E::ConsultCreated,
        P::Consulting,
    )
    .note("the customer is held during the consult"),
    on(set(&[P::Consulting]), E::Consulting, P::Consult).note("consulted party answered"),
    on(set(&[P::Consulting]), E::ConsultFailed, P::Hold).note("customer stays on hold"),
    on(set(&[P::Consulting, P::Consult]), E::ConsultEnded, P::Hold).note("customer stays on hold"),
    on(set(&[P::Consult]), E::ConsultConferenced, P::Conference)
        .note("the consult becomes a conference"),
    on(set(&[P::Conference]), E::ConsultEnded, P::Connected).note("consulted party left"),
    on(
        set(&[P::Conference]),
        E::ConsultConferenceEnded,
        P::Connected,
    )
    .note("consulted party left"),
    on(set(&[P::Offered]).union(LIVE), E::ContactEnded, P::Ended).note("the contact ended"),
    on(set(&[P::Ended]), E::Acw, P::WrapUp).note("after-call work starts"),
    end(set(&[P::WrapUp]), E::ContactWrappedUp).note("after-call work is done"),
    end(CALL, E::Dropped).note(
        "the call leg is gone (skip/remove, no answer, hang-up, failed outdial, cleared after acw)",
    ),
];

/// No rule: the marker in the dense lookup.
const NONE: u8 = u8::MAX;

type Lookup = [[[u8; Event::COUNT]; Recording::COUNT]; Phase::COUNT];

/// `LOOKUP[phase][recording][event]` is the index in [`TABLE`] of the one rule that
/// applies, or [`NONE`]. Built at compile time; two rules on one cell fail the build.
const LOOKUP: Lookup = {
    assert!(TABLE.len() < NONE as usize);
    let mut lookup = [[[NONE; Event::COUNT]; Recording::COUNT]; Phase::COUNT];
    let mut r = 0;
    while r < TABLE.len() {
        let rule = &TABLE[r];
        let mut p = 0;
        // `<=` here is an equivalent mutant: bit Phase::COUNT of a set is never set.
        while p < Phase::COUNT {
            if rule.from.0 & (1 << p) != 0 {
                let mut rec = 0;
                while rec < Recording::COUNT {
                    let guarded_out = match rule.guard {
                        Some(g) => g as usize != rec,
                        None => false,
                    };
                    if !guarded_out {
                        let cell = &mut lookup[p][rec][rule.event as usize];
                        assert!(
                            *cell == NONE,
                            "two rules claim one (phase, recording, event)"
                        );
                        *cell = r as u8;
                    }
                    rec += 1;
                }
            }
            p += 1;
        }
        r += 1;
    }
    lookup
};

/// The three parts of an agent's state that the table speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// Where the call stands.
    pub phase: Phase,
    /// Whether the call is being recorded.
    pub recording: Recording,
    /// Where the agent returns when the call terminates.
    pub availability: Availability,
}

/// A [`Status`] packed into one byte, `(phase × 3 + recording) × 2 + availability`:
/// what a machine stores, so that a step is one table load away from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StateCode(u8);

pub(crate) const STATES: usize = Phase::COUNT * Recording::COUNT * Availability::COUNT;

impl StateCode {
    /// The index of `status`.
    pub(crate) const fn of(status: Status) -> StateCode {
        let r = status.phase as usize * Recording::COUNT + status.recording as usize;
        StateCode((r * Availability::COUNT + status.availability as usize) as u8)
    }

    /// The index as a number below [`STATES`].
    pub(crate) const fn code(self) -> usize {
        self.0 as usize
    }

    /// The index numbered `code`, if it is below [`STATES`].
    // Its only caller passes codes below STATES, so `<=` survives as an equivalent mutant.
    pub(crate) const fn from_code(code: usize) -> Option<StateCode> {
        if code < STATES {
            Some(StateCode(code as u8))
        } else {
            None
        }
    }

    /// Does the agent hold a call in this state? (`idle` and `ready` come first in
    /// [`Phase`]'s order, so this is one comparison, no lookup.)
    #[inline]
    pub(crate) const fn has_call(self) -> bool {
        // cargo-mutants' `+` for either `*` (threshold 8) is equivalent: codes 8 to 11
        // are `ready` while recording, unreachable.
        self.0 as usize >= 2 * Recording::COUNT * Availability::COUNT
    }

    /// The status this index stands for.
    #[inline]
    pub(crate) fn status(self) -> Status {
        STATUS[self.0 as usize]
    }
}

/// `STATUS[i]` is the status of `StateCode(i)`.
const STATUS: [Status; STATES] = {
    let mut all = [Status {
        phase: Phase::Idle,
        recording: Recording::Off,
        availability: Availability::Ready,
    }; STATES];
    let mut i = 0;
    while i < STATES {
        all[i] = Status {
            phase: PHASES[i / (Recording::COUNT * Availability::COUNT)],
            recording: RECORDINGS[i / Availability::COUNT % Recording::COUNT],
            availability: AVAILABILITIES[i % Availability::COUNT],
        };
        i += 1;
    }
    all
};

/// What happens to the agent's call when a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CallChange {
    /// The call (or the absence of one) stays.
    Keep,
    /// The record's interaction becomes the agent's call.
    Bind,
    /// The call terminates: no interaction any more.
    Clear,
}

/// The whole effect of one cell of the table — (phase, recording, availability,
/// event) — precomputed from [`TABLE`] at compile time, so that stepping is a
/// lookup and a few stores instead of a walk over the rule's target and effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Step {
    rule: u8,
    /// The state after, packed.
    pub(crate) next: StateCode,
    /// The phase after.
    pub(crate) phase: Phase,
    /// The recording after.
    pub(crate) recording: Recording,
    /// The availability after.
    pub(crate) availability: Availability,
    /// What happens to the call.
    pub(crate) call: CallChange,
}

impl Step {
    /// The rule that fires.
    pub(crate) fn rule(&self) -> &'static Rule {
        &TABLE[self.rule as usize]
    }

    /// The index in [`TABLE`] of the rule that fires.
    pub(crate) fn rule_index(&self) -> usize {
        self.rule as usize
    }
}

// Discriminant order, for const code (strum's iterators are not const); a test
// checks these against `Phase::iter()` and friends.
const PHASES: [Phase; Phase::COUNT] = [
    Phase::Idle,
    Phase::Ready,
    Phase::Reserved,
    Phase::Offered,
    Phase::Connected,
    Phase::Hold,
    Phase::Consulting,
    Phase::Consult,
    Phase::Conference,
    Phase::Ended,
    Phase::WrapUp,
];
const RECORDINGS: [Recording; Recording::COUNT] =
    [Recording::Off, Recording::On, Recording::Paused];
const AVAILABILITIES: [Availability; Availability::COUNT] =
    [Availability::Ready, Availability::Idle];

/// Events per row of [`STEPS`]: a power of two, so a cell is `code << 5 | event`.
const ROW: usize = 32;
const _: () = assert!(Event::COUNT <= ROW);

/// `STEPS[code << 5 | event]`: the cell's [`Step`], if a rule applies. Derived from
/// [`LOOKUP`], that is from [`TABLE`].
const STEPS: [Option<Step>; STATES * ROW] = {
    let mut steps = [None; STATES * ROW];
    let mut code = 0;
    while code < STATES {
        let status = STATUS[code];
        let mut e = 0;
        while e < Event::COUNT {
            let index = LOOKUP[status.phase as usize][status.recording as usize][e];
            if index != NONE {
                steps[code * ROW + e] = Some(fire(index, status));
            }
            e += 1;
        }
        code += 1;
    }
    steps
};

/// What rule `index` does in state `status`.
const fn fire(index: u8, status: Status) -> Step {
    let Status {
        phase,
        recording,
        availability,
    } = status;
    let rule = &TABLE[index as usize];
    let to = rule.destination(phase, availability);
    let availability = rule.availability_after(availability);
    let (phase, recording, call) = match rule.to {
        Target::Terminate => (to, Recording::Off, CallChange::Clear),
        _ => (to, recording, CallChange::Keep),
    };
    let (recording, call) = match rule.effect {
        Effect::Recording(r) => (r, call),
        Effect::Bind => (recording, CallChange::Bind),
        _ => (recording, call),
    };
    Step {
        rule: index,
        next: StateCode::of(Status {
            phase,
            recording,
            availability,
        }),
        phase,
        recording,
        availability,
        call,
    }
}

/// The cell of the table for `event` in the state packed as `code`.
#[inline]
pub(crate) fn step_at(code: StateCode, event: Event) -> Option<Step> {
    STEPS[(code.0 as usize) << 5 | event as usize]
}

/// The rule that applies to `event` in `phase` with recording in `recording`, if any.
#[inline]
pub fn rule_for(phase: Phase, recording: Recording, event: Event) -> Option<&'static Rule> {
    rule_index(phase, recording, event).map(|i| &TABLE[i])
}

/// The index in [`TABLE`] of the rule [`rule_for`] returns.
#[inline]
pub fn rule_index(phase: Phase, recording: Recording, event: Event) -> Option<usize> {
    match LOOKUP[phase as usize][recording as usize][event as usize] {
        NONE => None,
        i => Some(i as usize),
    }
}

/// The events some rule accepts in `phase` with recording in `recording`.
pub fn allowed(phase: Phase, recording: Recording) -> EventSet {
    Event::iter()
        .filter(|e| rule_for(phase, recording, *e).is_some())
        .collect()
}

/// Can an agent be in this state? Does some sequence of accepted events lead a
/// new agent there (starting `ready` or `idle`)? The answer is the table's one
/// breadth-first walk (`model/walk.rs`), done once. (With no call the phase is the
/// availability's; recording is only ever `on` or `paused` from the live phases
/// to wrap-up.)
pub fn is_reachable(phase: Phase, recording: Recording, availability: Availability) -> bool {
    let status = Status {
        phase,
        recording,
        availability,
    };
    walk::from_start().reaches(StateCode::of(status))
}

/// The recording states an agent can be in while in `phase`, derived from the
/// table: `off` only before the customer answers and with no call, any after.
pub fn recordings_possible(phase: Phase) -> impl Iterator<Item = Recording> {
    Recording::iter().filter(move |&r| Availability::iter().any(|a| is_reachable(phase, r, a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, VecDeque};

    /// The cell of the table for `event` in (`phase`, `recording`, `availability`).
    fn step(
        phase: Phase,
        recording: Recording,
        availability: Availability,
        event: Event,
    ) -> Option<Step> {
        let status = Status {
            phase,
            recording,
            availability,
        };
        step_at(StateCode::of(status), event)
    }

    #[test]
    fn no_two_rules_claim_one_cell() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                if a.event != b.event {
                    continue;
                }
                for p in Phase::iter() {
                    for r in Recording::iter() {
                        assert!(
                            !(a.matches(p, r) && b.matches(p, r)),
                            "{a:?} and {b:?} both claim ({p}, {r}, {})",
                            a.event
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn phase_sets_are_the_vocabularys() {
        assert_eq!(
            PhaseSet::NO_CALL,
            PhaseSet::of(&[Phase::Idle, Phase::Ready])
        );
        assert_eq!(PhaseSet::CALL, PhaseSet::ALL.minus(PhaseSet::NO_CALL));
        // The table only unites disjoint sets; a union of overlapping ones keeps both.
        assert_eq!(PhaseSet::LIVE.union(PhaseSet::CALL), PhaseSet::CALL);
        for p in Phase::iter() {
            assert_eq!(PhaseSet::LIVE.contains(p), p.is_live());
        }
    }

    #[test]
    fn const_enum_lists_follow_discriminant_order() {
        assert!(Phase::iter().eq(PHASES));
        assert!(Recording::iter().eq(RECORDINGS));
        assert!(Availability::iter().eq(AVAILABILITIES));
    }

    #[test]
    fn state_indexes_round_trip() {
        for i in 0..STATES {
            assert_eq!(
                StateCode::of(StateCode(i as u8).status()),
                StateCode(i as u8)
            );
        }
    }

    #[test]
    fn steps_agree_with_the_rules() {
        for p in Phase::iter() {
            for r in Recording::iter() {
                for a in Availability::iter() {
                    for e in Event::iter() {
                        let rule = rule_for(p, r, e);
                        let s = step(p, r, a, e);
                        assert_eq!(rule.is_some(), s.is_some());
                        let (Some(rule), Some(s)) = (rule, s) else {
                            continue;
                        };
                        assert_eq!(rule, s.rule());
                        assert_eq!(s.phase, rule.destination(p, a));
                        let after = Status {
                            phase: s.phase,
                            recording: s.recording,
                            availability: s.availability,
                        };
                        assert_eq!(s.next.status(), after);
                        assert_eq!(s.call == CallChange::Clear, rule.terminates());
                        assert_eq!(s.call == CallChange::Bind, rule.effect == Effect::Bind);
                    }
                }
            }
        }
    }

    #[test]
    fn lookup_agrees_with_a_scan_of_the_table() {
        for p in Phase::iter() {
            for r in Recording::iter() {
                for e in Event::iter() {
                    let scanned = TABLE.iter().position(|x| x.event == e && x.matches(p, r));
                    assert_eq!(rule_index(p, r, e), scanned, "({p}, {r}, {e})");
                }
            }
        }
    }

    #[test]
    fn every_event_is_used() {
        let used: BTreeSet<Event> = TABLE.iter().map(|r| r.event).collect();
        assert_eq!(used.len(), Event::COUNT);
    }

    #[test]
    fn every_phase_is_reachable_from_ready() {
        // Breadth-first over (phase, recording, availability), firing every rule.
        let start = (Phase::Ready, Recording::Off, Availability::Ready);
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some((p, r, a)) = queue.pop_front() {
            for rule in TABLE.iter().filter(|x| x.matches(p, r)) {
                let to = rule.destination(p, a);
                let avail = match rule.effect {
                    Effect::Availability(x) => x,
                    _ => a,
                };
                let rec = match (rule.effect, rule.terminates()) {
                    (_, true) => Recording::Off,
                    (Effect::Recording(x), _) => x,
                    _ => r,
                };
                if seen.insert((to, rec, avail)) {
                    queue.push_back((to, rec, avail));
                }
            }
        }
        let phases: BTreeSet<Phase> = seen.iter().map(|s| s.0).collect();
        assert_eq!(phases.len(), Phase::COUNT, "reached only {phases:?}");
        for p in Phase::iter() {
            for r in Recording::iter() {
                for a in Availability::iter() {
                    assert_eq!(
                        seen.contains(&(p, r, a)),
                        is_reachable(p, r, a),
                        "({p}, {r}, {a})"
                    );
                }
            }
        }
        assert_eq!(seen.len(), 48);
    }

    #[test]
    fn every_rule_has_a_note_and_a_nonempty_source() {
        for rule in TABLE {
            assert!(!rule.note.is_empty(), "{rule:?}");
            assert_ne!(rule.from, PhaseSet::EMPTY, "{rule:?}");
        }
    }

    #[test]
    fn guards_only_on_live_recording_rules() {
        for rule in TABLE.iter().filter(|r| r.guard.is_some()) {
            assert_eq!(rule.from, PhaseSet::LIVE);
            assert!(matches!(rule.effect, Effect::Recording(_)));
        }
    }

    #[test]
    fn allowed_events_in_consulting() {
        let allowed = allowed(Phase::Consulting, Recording::Off);
        assert_eq!(
            allowed.to_string(),
            "AgentAvailable, AgentIdle, eCallRecordingStarted, eAgentConsulting, \
             eAgentConsultFailed, eAgentConsultEnded, eAgentContactEnded, DROPPED"
        );
    }
}
