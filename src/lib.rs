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
//! ## Modules
//!
//! | module | one idea |
//! |---|---|
//! | [`vocabulary`] | phases, recording, availability, the 21 events and their aliases |
//! | [`table`] | the transition table, as data, and what is derived from it |
//! | [`machine`] | one agent stepped by the table |
//! | [`rejection`] | the eight rejection kinds and the typed error |
//! | [`engine`] | many agents keyed by id, open calls, snapshots |
//! | [`graph`] | the machine drawn from the table (Mermaid, Graphviz, Markdown) |
//! | [`paths`] | shortest test paths to every legal (state, event) pair, as event logs |
//! | [`records`] | the three input shapes of a log line, read with borrowing parsers |
//! | [`input`] | files, stdin and gzip, line by line in bounded memory |
//! | [`replay`] | a log through the engine, and the conformance report |
//! | [`parallel`] | replay with parsing spread over threads, applied in order |
//! | [`outbound`] | the `OutboundCallStateChange` event of an accepted transition |
//! | [`simulate`] | realistic interleaved logs for load tests and benchmarks |
//! | `strategies` | proptest strategies for users' property tests (feature `proptest`) |
//! | `cli` | the `callstate` command line (feature `cli`, on by default) |

#![warn(missing_docs)]
// Two exceptions: in records::scan a call to an SSE2 function on x86-64, in
// agents a prefetch instruction.
#![deny(unsafe_code)]
// `Rejection` is the error callers inspect field by field; boxing it would cost an
// allocation per rejection and buy nothing on the accepting path, where a `Result`
// is written through an out-pointer whatever the error's size.
#![allow(clippy::result_large_err)]

mod agents;
#[cfg(feature = "cli")]
pub mod cli;
pub mod engine;
pub mod graph;
mod id;
pub mod input;
pub mod machine;
pub mod outbound;
pub mod parallel;
pub mod paths;
pub mod records;
pub mod rejection;
pub mod replay;
mod resync;
pub mod simulate;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod table;
pub mod vocabulary;

pub use engine::{Engine, EventName, Record, Snapshot, SnapshotError};
pub use machine::{AgentState, Machine, StateError, Status, Transition};
pub use rejection::{Malformed, Reason, Rejection, RejectionKind};
pub use resync::{Inferred, Mode, Repair, MAX_INFERRED};
pub use table::{Rule, TABLE};
pub use vocabulary::{Availability, Event, EventSet, Phase, Recording};
