//! [`proptest`](mod@proptest) strategies for property tests of code that produces or consumes
//! call-state events (feature `proptest`, off by default).
//!
//! | strategy | yields |
//! |---|---|
//! | [`any_event()`] | one of the 21 canonical [`Event`]s |
//! | [`any_event_name()`] | an event name as it may appear on the wire: canonical or alias in random ASCII case, or an unknown name |
//! | [`any_record()`] | any native-format record ([`OwnedRecord`]), legal or not |
//! | [`legal_trace()`] | one agent's records, every one of them accepted |
//! | [`interleaved_log()`] | several agents' legal traces, interleaved |
//! | [`faulty_trace()`] | a legal trace with injected faults, each with the rejection kind it must cause |
//! | [`interleaved_faulty_log()`] | several agents' faulty traces, interleaved |
//!
//! Legal traces are random walks over [`table::TABLE`]: each step
//! picks one of the events [`table::allowed`] lists for the agent's current phase
//! and recording, and follows the rule [`table::rule_for`] returns. The rules are
//! never restated here, so the strategies follow the table wherever it goes.
//!
//! Add `proptest` to your `[dev-dependencies]` and enable the feature:
//!
//! ```toml
//! [dev-dependencies]
//! callstate = { version = "0.1", features = ["proptest"] }
//! proptest = "1"
//! ```
//!
//! Then, in one of your tests:
//!
//! ```rust
//! use callstate::strategies::*;
//! use callstate::Engine;
//! use proptest::prelude::*;
//!
//! proptest! {
//!     // In your own test file, put `#[test]` on this function.
//!     fn my_validator_accepts_legal_logs(log in interleaved_log(1..4, 0..30)) {
//!         let mut engine = Engine::new();
//!         for record in &log {
//!             prop_assert!(engine.apply(&record.record()).is_ok(), "{record:?}");
//!         }
//!     }
//! }
//! # my_validator_accepts_legal_logs();
//! ```

use crate::model::record::{EventName, Record};
use crate::model::rejection::RejectionKind;
use crate::model::table::{self, Effect, StateCode, Status};
use crate::model::vocabulary::{Availability, Event, EventSet, Phase, Recording, Role};
use crate::model::walk;
use proptest::collection::{vec, SizeRange};
use proptest::prelude::*;
use proptest::sample::select;
use serde::Serialize;
use strum::IntoEnumIterator;

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

/// Records, each paired with the rejection kind it must cause (`None`: it must be
/// accepted). See [`faulty_trace()`].
pub type FaultyTrace = Vec<(OwnedRecord, Option<RejectionKind>)>;

/// One entry of a [`FaultyTrace`].
type Checked = (OwnedRecord, Option<RejectionKind>);

/// Any of the 21 canonical events, uniformly; shrinks towards `AgentAvailable` (E1).
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::Event;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn canonical_names_resolve(event in any_event()) {
///         prop_assert_eq!(Event::resolve(event.name()), Some(event));
///     }
/// }
/// # canonical_names_resolve();
/// ```
pub fn any_event() -> impl Strategy<Value = Event> {
    select(Event::iter().collect::<Vec<_>>())
}

/// An event name as it may appear in a log: mostly a canonical name or an alias of
/// SPEC §2 in random ASCII case, sometimes an unknown name — a near miss (a known
/// name with a space, digit or punctuation mark inserted), `AgentStateChange`
/// (which names no event on its own), random letters, or any string at all
/// (the empty one included).
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::{Engine, EventName, Record, RejectionKind};
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn unknown_names_are_reported_never_applied(name in any_event_name()) {
///         let mut engine = Engine::new();
///         let result = engine.apply(&Record::new("agent-0001", EventName::resolve(&name)));
///         if EventName::resolve(&name) == EventName::Unknown(&name) {
///             prop_assert_eq!(result.unwrap_err().kind(), RejectionKind::UnknownEvent);
///         }
///     }
/// }
/// # unknown_names_are_reported_never_applied();
/// ```
pub fn any_event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => known_name(),
        1 => near_miss(),
        1 => any::<u64>().prop_map(|bits| random_case(crate::model::vocabulary::AGENT_STATE_CHANGE, bits)),
        1 => "[A-Za-z]{1,24}",
        1 => "\\PC{0,12}",
    ]
}

/// Any native-format record, legal or not: agent ids mostly from a pool of four
/// (`agent-0001` … `agent-0004`, so records meet agents in many states), sometimes
/// empty or any string; interaction ids absent, from a small pool, empty, or any
/// string; any event name ([`any_event_name()`]); time absent, small (so records
/// collide and go backwards), realistic, or any `i64`.
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::replay::{Replay, Verdict};
/// use callstate::wire::input::Line;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn every_record_is_counted(records in prop::collection::vec(any_record(), 0..20)) {
///         let mut replay = Replay::default();
///         for r in &records {
///             let verdict = replay.feed(Line::Text(r.to_json_line().as_bytes()));
///             prop_assert!(!matches!(verdict, Verdict::Blank));
///         }
///         prop_assert_eq!(replay.summary().records, records.len() as u64);
///     }
/// }
/// # every_record_is_counted();
/// ```
pub fn any_record() -> impl Strategy<Value = OwnedRecord> {
    let agent = prop_oneof![
        8 => (1u16..=4).prop_map(agent_id),
        1 => Just(String::new()),
        1 => "\\PC{0,10}",
    ];
    let interaction = prop_oneof![
        4 => Just(None),
        4 => (0u64..4, 1u16..=4, 0u32..2).prop_map(|(seed, tag, n)| Some(uuid(seed, tag, n))),
        1 => Just(Some(String::new())),
        1 => "\\PC{0,10}".prop_map(Some),
    ];
    let time = prop_oneof![
        2 => Just(None),
        4 => (0i64..50).prop_map(Some),
        2 => (EPOCH..EPOCH + 1_000_000).prop_map(Some),
        1 => any::<i64>().prop_map(Some),
    ];
    (agent, interaction, any_event_name(), time).prop_map(|(agent, interaction, event, time)| {
        OwnedRecord {
            agent,
            interaction,
            event,
            time,
        }
    })
}

/// One agent's legal trace of `len` records: a random walk over the transition
/// table from a never-seen agent (`ready`, as [`Engine::new`](crate::Engine::new)
/// starts it). Every record is accepted by [`Machine::step`](crate::Machine::step)
/// and [`Engine::apply`](crate::Engine::apply).
///
/// - The agent id is `agent-XXXX` (four hex digits).
/// - Each call gets a fresh UUID-like interaction id when it is offered or
///   reserved; later records of the call name it or leave it out (matching the
///   current call), and availability events (E1/E2) sometimes name an unrelated
///   interaction, which SPEC §4 allows.
/// - Times strictly increase (1 ms to 2 minutes apart).
/// - Event names are canonical or aliases, in random ASCII case; shrinking leads to
///   canonical spelling and to `AgentAvailable`, the first allowed event.
/// - The walk heads for one randomly chosen state (phase and recording) after
///   another, most steps along a shortest path over the table, the others at
///   random, so that deep states (a paused recording in a conference) are reached
///   as often as shallow ones.
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::Machine;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn one_agent_walks_the_table(trace in legal_trace(0..40)) {
///         let mut agent = Machine::new();
///         for r in &trace {
///             let event = r.event().expect("legal traces use known names");
///             prop_assert!(agent.step(event, r.interaction.as_deref(), r.time).is_ok());
///         }
///     }
/// }
/// # one_agent_walks_the_table();
/// ```
pub fn legal_trace(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<OwnedRecord>> {
    (any::<u16>(), any_walk(vec(legal_step(), len))).prop_map(|(tag, w)| strip(walk(tag, &w)))
}

/// Several agents' [`legal_trace()`]s interleaved at random, each agent's records in
/// their order: `agents` agents (distinct `agent-XXXX` ids), each with a trace of
/// `len` records. Every record is accepted by an [`Engine`](crate::Engine) whose
/// new agents start `ready`.
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::Engine;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn open_calls_never_exceed_agents(log in interleaved_log(1..5, 0..20)) {
///         let mut engine = Engine::new();
///         for r in &log {
///             engine.apply(&r.record()).unwrap();
///             prop_assert!(engine.open_calls() <= engine.len());
///         }
///     }
/// }
/// # open_calls_never_exceed_agents();
/// ```
pub fn interleaved_log(
    agents: impl Into<SizeRange>,
    len: impl Into<SizeRange>,
) -> impl Strategy<Value = Vec<OwnedRecord>> {
    interleaved(agents, vec(legal_step(), len)).prop_map(strip)
}

/// One agent's legal trace with faults injected: `len` records in all (at least
/// one, a fault), each paired with the rejection kind it must cause, `None` for the
/// legal records.
///
/// A fault is rejected and changes nothing, so the walk goes on from the unchanged
/// state. The faults:
///
/// | fault | expected kind |
/// |---|---|
/// | an event the table does not allow in the current state | `agent_busy`, `agent_not_ready`, `no_active_call` or `illegal_transition` |
/// | a time earlier than the last accepted one | `out_of_order` |
/// | a call event naming an interaction other than the agent's call | `interaction_mismatch` |
/// | an unknown event name (with any time) | `unknown_event` |
/// | an empty agent id, an empty interaction id, or an offer (E3/E4) without one | `malformed` |
///
/// The expected kind is worked out from SPEC §4's order of precedence and table
/// lookups ([`table::rule_for`]), never by asking the engine. Faults that do not
/// fit the state (a time going backwards before any time was accepted, a foreign
/// interaction while the agent holds no call) become an event the table does not
/// allow instead. A fault's time, when it is not meant to go backwards, may lie
/// after later legal records' times: rejected records do not move the clock.
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::Engine;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn faults_get_their_kind(trace in faulty_trace(1..30)) {
///         let mut engine = Engine::new();
///         for (r, expected) in &trace {
///             let got = engine.apply(&r.record()).err().map(|e| e.kind());
///             prop_assert_eq!(got, *expected, "{:?}", r);
///         }
///     }
/// }
/// # faults_get_their_kind();
/// ```
pub fn faulty_trace(len: impl Into<SizeRange>) -> impl Strategy<Value = FaultyTrace> {
    (any::<u16>(), any_walk(faulty_steps(len))).prop_map(|(tag, w)| walk(tag, &w))
}

/// Several agents' [`faulty_trace()`]s interleaved at random, each agent's records
/// in their order: `agents` agents (distinct `agent-XXXX` ids), each with `len`
/// records (at least one). Agents do not affect each other, so every expected kind
/// still holds.
///
/// ```rust
/// use callstate::strategies::*;
/// use callstate::replay::{Replay, Verdict};
/// use callstate::wire::input::Line;
/// use proptest::prelude::*;
///
/// proptest! {
///     #![proptest_config(ProptestConfig::with_cases(32))]
///     // In your own test file, put `#[test]` on this function.
///     fn replay_reports_each_fault(log in interleaved_faulty_log(1..4, 1..20)) {
///         let mut replay = Replay::default();
///         for (r, expected) in &log {
///             let got = match replay.feed(Line::Text(r.to_json_line().as_bytes())) {
///                 Verdict::NotAccepted(e) => Some(e.kind()),
///                 _ => None,
///             };
///             prop_assert_eq!(got, *expected);
///         }
///     }
/// }
/// # replay_reports_each_fault();
/// ```
pub fn interleaved_faulty_log(
    agents: impl Into<SizeRange>,
    len: impl Into<SizeRange>,
) -> impl Strategy<Value = FaultyTrace> {
    interleaved(agents, faulty_steps(len))
}

// ---------------------------------------------------------------------------------
// Names.

/// The realistic start of times: 2024-06-21, the seed sample's day.
const EPOCH: i64 = 1_718_965_753_439;

fn agent_id(tag: u16) -> String {
    format!("agent-{tag:04x}")
}

/// A UUID-like id (version 4 layout). Distinct `(tag, n)` give distinct ids.
fn uuid(seed: u64, tag: u16, n: u32) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:04x}{:08x}",
        (seed >> 32) as u32,
        (seed >> 16) as u16,
        seed & 0xfff,
        0x8000 | ((seed >> 48) & 0x3fff),
        tag,
        n,
    )
}

/// The canonical name and the aliases of `event`.
fn spellings(event: Event) -> Vec<&'static str> {
    std::iter::once(event.name())
        .chain(event.aliases())
        .collect()
}

/// Flips the ASCII case of the characters of `name` selected by the bits of `bits`.
fn random_case(name: &str, bits: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// One spelling of `event` chosen by `bits`: 0 is the canonical name as is.
fn spell(event: Event, bits: u64) -> String {
    let names = spellings(event);
    let name = names[(bits & 0xff) as usize % names.len()];
    random_case(name, bits >> 8)
}

fn known_name() -> impl Strategy<Value = String> {
    (any_event(), any::<u64>()).prop_map(|(e, bits)| spell(e, bits))
}

/// A known name with one character that no name has inserted: never an event.
fn near_miss() -> impl Strategy<Value = String> {
    (
        known_name(),
        any::<prop::sample::Index>(),
        select(vec![' ', '_', '-', '.', '0', '7', '\t', 'é']),
    )
        .prop_map(|(mut name, at, c)| {
            let at = at.index(name.len() + 1);
            name.insert(at, c);
            name
        })
}

/// A name that is certainly no event (and not empty, which would be a debatable case).
fn unknown_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => near_miss(),
        1 => any::<u64>().prop_map(|bits| random_case(crate::model::vocabulary::AGENT_STATE_CHANGE, bits)),
        1 => Just("Swapped".to_owned()),
        1 => "[A-Za-z]{1,24}".prop_filter("a known name", |n| Event::resolve(n).is_none()),
    ]
}

// ---------------------------------------------------------------------------------
// The walk.

/// The random choices of one legal step.
#[derive(Debug, Clone)]
struct LegalDice {
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
    /// E3/E4 without an interaction id.
    OfferWithoutInteraction,
}

#[derive(Debug, Clone)]
struct FaultDice {
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
enum Step {
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

fn legal_step() -> impl Strategy<Value = Step> {
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
fn faulty_steps(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<Step>> {
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
struct Walk {
    /// The seed of its interaction ids.
    seed: u64,
    /// The clock's start.
    start: i64,
    steps: Vec<Step>,
}

fn any_walk<S: Strategy<Value = Vec<Step>>>(steps: S) -> impl Strategy<Value = Walk> {
    (any::<u64>(), EPOCH..EPOCH + 86_400_000, steps).prop_map(|(seed, start, steps)| Walk {
        seed,
        start,
        steps,
    })
}

/// Several agents' walks, with distinct tags, merged by each step's gap.
fn interleaved<S>(agents: impl Into<SizeRange>, steps: S) -> impl Strategy<Value = FaultyTrace>
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

fn strip(trace: FaultyTrace) -> Vec<OwnedRecord> {
    trace.into_iter().map(|(r, _)| r).collect()
}

/// Runs `steps` for the agent `tag` and gives the records.
fn walk(tag: u16, w: &Walk) -> FaultyTrace {
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
    /// The last accepted time (every legal record has one).
    last_time: Option<i64>,
    /// The clock: the next legal record is later than this.
    now: i64,
    calls: u32,
    foreign: u32,
    /// Where the walk is heading: a phase and recording state.
    target: (Phase, Recording),
}

/// Every (phase, recording) pair an agent can reach by transitions: the targets
/// of a walk.
fn all_targets() -> Vec<(Phase, Recording)> {
    let mut targets: Vec<(Phase, Recording)> = walk::from_start()
        .reached()
        .iter()
        .map(|c| (c.status().phase, c.status().recording))
        .collect();
    targets.sort();
    targets.dedup();
    targets
}

/// The events that start a shortest path over the table from `from` to a state
/// with `target`'s phase and recording (empty when there is none or `from` is one):
/// read off the table's walk.
fn first_steps(from: StateCode, target: (Phase, Recording)) -> EventSet {
    walk::toward(from, |s: Status| (s.phase, s.recording) == target)
}

impl Walker {
    fn new(tag: u16, seed: u64, start: i64) -> Walker {
        Walker {
            target: (Phase::Ready, Recording::Off),
            agent: agent_id(tag),
            tag,
            seed,
            phase: Phase::Ready,
            role: Role::Owner,
            recording: Recording::Off,
            availability: Availability::Ready,
            interaction: None,
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
        if (self.phase, self.recording) == self.target {
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
        let record = OwnedRecord {
            agent: self.agent.clone(),
            interaction,
            event: spell(event, d.spelling),
            time: Some(self.now),
        };
        self.fire(event, record.interaction.as_deref(), record.time);
        record
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
            self.interaction = None;
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
        let record = match fault {
            Fault::Illegal => {
                let event = self.pick_disallowed(d.pick);
                OwnedRecord {
                    agent: self.agent.clone(),
                    interaction: self.own_interaction(event, d),
                    event: spell(event, d.spelling),
                    time: self.fault_time(f),
                }
            }
            Fault::Backwards => {
                let event = any_event_at(d.pick);
                let last = self.last_time.unwrap_or_default();
                let back = 1 + i64::from(f.offset % 100_000);
                OwnedRecord {
                    agent: self.agent.clone(),
                    interaction: self.own_interaction(event, d),
                    event: spell(event, d.spelling),
                    time: Some(last.saturating_sub(back)),
                }
            }
            Fault::Foreign => {
                // A call event (E5–E21): offers would be agent_busy first.
                let calls: Vec<Event> = Event::iter().filter(|e| e.needs_call()).collect();
                let event = calls[d.pick as usize % calls.len()];
                OwnedRecord {
                    agent: self.agent.clone(),
                    interaction: Some(self.foreign_id()),
                    event: spell(event, d.spelling),
                    time: self.fault_time(f),
                }
            }
            Fault::Unknown => OwnedRecord {
                agent: self.agent.clone(),
                interaction: match d.id % 3 {
                    0 => None,
                    1 => self.interaction.clone(),
                    _ => Some(self.foreign_id()),
                },
                event: f.unknown.clone(),
                // Unknown names come before times: any time will do, even one
                // going backwards.
                time: match f.time_mode % 3 {
                    0 => None,
                    1 => Some(self.now - i64::from(f.offset % 1_000_000)),
                    _ => self.fault_time(f),
                },
            },
            Fault::EmptyAgent => OwnedRecord {
                agent: String::new(),
                interaction: Some(self.foreign_id()),
                event: if d.id.is_multiple_of(2) {
                    spell(any_event_at(d.pick), d.spelling)
                } else {
                    f.unknown.clone()
                },
                time: self.fault_time(f),
            },
            Fault::EmptyInteraction => OwnedRecord {
                agent: self.agent.clone(),
                interaction: Some(String::new()),
                event: if d.id.is_multiple_of(2) {
                    spell(any_event_at(d.pick), d.spelling)
                } else {
                    f.unknown.clone()
                },
                time: self.fault_time(f),
            },
            Fault::OfferWithoutInteraction => {
                let event = if d.pick.is_multiple_of(2) {
                    Event::OfferContact
                } else {
                    Event::OfferCampaignReserved
                };
                OwnedRecord {
                    agent: self.agent.clone(),
                    interaction: None,
                    event: spell(event, d.spelling),
                    time: self.fault_time(f),
                }
            }
        };
        let expected = self.expected(&record);
        assert!(
            expected.is_some(),
            "strategies: the {fault:?} fault {record:?} would be accepted in {self:?}"
        );
        (record, expected)
    }

    /// The kind SPEC §4 gives `record` in this state, checked in the spec's order;
    /// `None` when the record would be accepted.
    fn expected(&self, record: &OwnedRecord) -> Option<RejectionKind> {
        use RejectionKind as K;
        let interaction = record.interaction.as_deref();
        let event = record.event();
        // malformed: an id that is not a non-empty string, an offer with no interaction.
        if record.agent.is_empty() || interaction == Some("") {
            return Some(K::Malformed);
        }
        let offer = matches!(
            event,
            Some(Event::OfferCampaignReserved | Event::OfferContact)
        );
        if offer && interaction.is_none() {
            return Some(K::Malformed);
        }
        // unknown_event: in no row of §2.
        let Some(event) = event else {
            return Some(K::UnknownEvent);
        };
        // out_of_order: earlier than the last accepted time.
        if let (Some(t), Some(last)) = (record.time, self.last_time) {
            if t < last {
                return Some(K::OutOfOrder);
            }
        }
        let held = self.interaction.as_deref();
        let has_call = self.phase.has_call();
        // agent_busy: E3/E4 while holding a call, except E4 in reserved for that call.
        let preview_accepted =
            event == Event::OfferContact && self.phase == Phase::Reserved && interaction == held;
        if offer && has_call && !preview_accepted {
            return Some(K::AgentBusy);
        }
        // interaction_mismatch: another interaction than the call's, E1/E2 excepted.
        let availability = matches!(event, Event::AgentAvailable | Event::AgentIdle);
        if has_call && interaction.is_some() && interaction != held && !availability {
            return Some(K::InteractionMismatch);
        }
        // agent_not_ready: E3/E4 while idle.
        if offer && self.phase == Phase::Idle {
            return Some(K::AgentNotReady);
        }
        // no_active_call: E5–E21 with no call.
        if !offer && !availability && !has_call {
            return Some(K::NoActiveCall);
        }
        // illegal_transition: anything else the table does not allow.
        if table::rule_for(self.phase, self.recording, self.role, event).is_none() {
            return Some(K::IllegalTransition);
        }
        None
    }
}

/// One of the 21 events, by `pick`.
fn any_event_at(pick: u32) -> Event {
    let all: Vec<Event> = Event::iter().collect();
    all[pick as usize % all.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn uuids_are_uuid_like_and_distinct_per_tag_and_call() {
        let a = uuid(0x0123_4567_89ab_cdef, 0x00ff, 1);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, uuid(0x0123_4567_89ab_cdef, 0x00ff, 2));
        assert_ne!(a, uuid(0x0123_4567_89ab_cdef, 0x0100, 1));
    }

    #[test]
    fn spelling_zero_is_canonical() {
        for e in Event::iter() {
            assert_eq!(spell(e, 0), e.name());
            assert_eq!(Event::resolve(&spell(e, u64::MAX)), Some(e));
        }
    }

    #[test]
    fn the_expected_kind_treats_a_bad_event_name_as_unknown() {
        let w = Walker::new(1, 2, EPOCH);
        let r = OwnedRecord::new(agent_id(1), "Swapped").at(0);
        assert_eq!(w.expected(&r), Some(RejectionKind::UnknownEvent));
    }

    #[test]
    fn faulty_traces_have_a_fault() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..50 {
            let trace = faulty_trace(0..5).new_tree(&mut runner).unwrap().current();
            assert!(trace.iter().any(|(_, k)| k.is_some()));
        }
    }
}
