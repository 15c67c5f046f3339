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
//! Legal traces are random walks over [`table::TABLE`](crate::model::table::TABLE):
//! each step picks one of the events [`table::allowed`](crate::model::table::allowed)
//! lists for the agent's current phase and recording, and follows the rule
//! [`table::rule_for`](crate::model::table::rule_for) returns. The rules are
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

mod expected;
mod names;
mod owned_record;
mod walker;

pub use owned_record::OwnedRecord;

use crate::model::rejection::RejectionKind;
use crate::model::vocabulary::{Event, AGENT_STATE_CHANGE};
use names::{agent_id, known_name, near_miss, random_case, uuid};
use proptest::collection::{vec, SizeRange};
use proptest::prelude::*;
use proptest::sample::select;
use strum::IntoEnumIterator;
use walker::{any_walk, faulty_steps, interleaved, legal_step, strip, walk};

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
        1 => any::<u64>().prop_map(|bits| random_case(AGENT_STATE_CHANGE, bits)),
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
/// | an empty agent id, an empty interaction id, or an offer or snapshot (E3/E4/E22/E34) without one | `malformed` |
/// | with no call, a call event other than a late notification (SPEC §3.4) naming the finished call | `no_active_call` |
///
/// The legal records include, with no call held, late notifications of the
/// finished call (SPEC §3.4), accepted without change.
/// The expected kind is worked out from SPEC §4's order of precedence and table
/// lookups ([`table::rule_for`](crate::model::table::rule_for)), never by asking
/// the engine. Faults that do not fit the state (a time going backwards before any
/// time was accepted, a foreign interaction while the agent holds no call, a stale
/// call while the agent holds one or has finished none) become
/// an event the table does not allow instead. A fault's time, when it is not meant to go backwards, may lie
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
/// The realistic start of times: 2024-06-21, the seed sample's day.
const EPOCH: i64 = 1_718_965_753_439;
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn faulty_traces_have_a_fault() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..50 {
            let trace = faulty_trace(0..5).new_tree(&mut runner).unwrap().current();
            assert!(trace.iter().any(|(_, k)| k.is_some()));
        }
    }
}
