//! # callstate
//!
//! Validates Webex Contact Center outbound call flows (Preview, Progressive and
//! Predictive dialing). Each agent is a state machine driven by one declarative
//! transition table ([`table::TABLE`]); every valid event is a [`Transition`], every
//! invalid one a typed [`Rejection`] that says what was wrong and what would have
//! been allowed.
//!
//! ```
//! use callstate::{Engine, Event, Phase, Record};
//!
//! let mut engine = Engine::new();
//! for (event, t) in [(Event::OfferContact, 1), (Event::CustAnswered, 2), (Event::ContactEnded, 3)] {
//!     engine.apply(&Record::new("agent-1", event).interaction("call-9").at(t)).unwrap();
//! }
//! assert_eq!(engine.phase_of("agent-1"), Phase::Ended);
//! ```
//!
//! ## Semantics
//!
//! - One [`Machine`] per agent; its state is a [`Phase`], a [`Recording`] and an
//!   [`Availability`], plus the interaction id of the call it holds and the time of
//!   its last accepted event. A never-seen agent starts `ready` (or `idle`, see
//!   [`Engine::starting`]).
//! - A record is checked in SPEC §4's order: `malformed`, `unknown_event`,
//!   `out_of_order`, `agent_busy`, `interaction_mismatch`, `agent_not_ready`,
//!   `no_active_call`, `illegal_transition`. The first that applies is reported.
//! - An accepted record fires exactly one row of the table; self-transitions
//!   (availability and recording changes) are transitions too.
//! - A rejected record changes nothing: not the phase, recording, availability,
//!   interaction, nor the last accepted time.
//! - A record with no interaction id means the agent's current call. A terminating
//!   row returns the agent to its availability, recording `off`, no interaction.
//!
//! ## Public API
//!
//! The engine's types are re-exported here at the crate root: [`Engine`],
//! [`Record`], [`Machine`], [`Transition`], [`Rejection`], the vocabulary
//! ([`Phase`], [`Event`], …) and the table ([`TABLE`], [`Rule`]). A few public
//! modules keep a namespace where one helps:
//!
//! | module | one idea |
//! |---|---|
//! | [`vocabulary`] | phases, role, recording, availability, the 34 events, the notices and every name's placement |
//! | [`table`] | the transition table, as data, and the queries derived from it |
//! | [`wire`] | the three input shapes of a log line ([`wire::input`]: files, stdin and gzip; [`wire::outbound`]: the `OutboundCallStateChange` event) |
//! | [`replay`] | a log through the engine, the conformance report, and [`replay::parallel`] |
//! | [`graph`] | the machine drawn from the table (Mermaid, Graphviz, Markdown) |
//! | [`paths`] | shortest test paths to every legal (state, event) pair, as event logs |
//! | [`simulate`] | realistic interleaved logs for load tests and benchmarks |
//! | `strategies` | proptest strategies for users' property tests (feature `proptest`) |
//! | `html` | the replay report as one self-contained HTML page (feature `html`) |
//!
//! Everything else is private; the source is grouped by layer (`model`, `wire`,
//! `engine`, `replay`, `derived`, `testing`), and `docs/architecture.md`
//! describes it. The `callstate` command line is its own package,
//! `callstate-cli` (the repository's `cli/`), built on this public API alone.
//!
//! ## Features
//!
//! - `gzip` (default): gzip input is detected and decompressed (pure-Rust
//!   flate2); without it a gzip input is an [`wire::input::InputError::NoGzip`].
//! - `proptest`: the `strategies` module.
//! - `html`: the `html` module, the replay report as one self-contained HTML page.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
// Two exceptions: in wire::scan a call to an SSE2 function on x86-64, in
// agents a prefetch instruction.
#![deny(unsafe_code)]
// `Rejection` is the error callers inspect field by field; boxing it would cost an
// allocation per rejection and buy nothing on the accepting path, where a `Result`
// is written through an out-pointer whatever the error's size.
#![allow(clippy::result_large_err)]

mod derived;
mod engine;
mod model;
pub mod replay;
mod testing;
pub mod wire;

#[cfg(feature = "html")]
#[cfg_attr(docsrs, doc(cfg(feature = "html")))]
pub use derived::html;
pub use derived::{call_tables, graph, paths};
pub use model::{call, table, vocabulary};
pub use testing::simulate;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use testing::strategies;

pub use engine::{Engine, Snapshot, SnapshotError, StaySnapshot, TimeSnapshot};
pub use model::deadline::{DeadlineRule, DeadlineSource, FieldPath, Timers, Unit, DEADLINES};
pub use model::finding::{Finding, FindingKind, OpenStay};
pub use model::machine::{
    Accepted, CallUpdate, Machine, MachineState, StateError, Status, Transition, Unchange,
    Unchanged,
};
pub use model::record::{resolve as resolve_name, Deciders, EventName, Record, SnapshotView};
pub use model::rejection::{Malformed, Reason, Rejection, RejectionKind};
pub use model::resync::{Inferred, Mode, Repair, RepairRule, MAX_INFERRED};
pub use model::table::{Rule, TABLE};
pub use model::time_rules::{parse_duration, TimeRuleError, TimeRules, DEFAULT_GRACE_MS};
pub use model::unknown_name::UnknownName;
pub use model::vocabulary::{
    AgentNotice, Availability, ByField, CallNotice, Event, EventSet, Phase, Placement, Recording,
    Role, StateMessage,
};

/// The README's examples, compiled and run as doctests (the strategies example
/// needs the `proptest` feature).
#[cfg(all(doctest, feature = "proptest"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
