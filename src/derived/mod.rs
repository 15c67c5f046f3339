//! What is derived from the transition table for people and test suites: the
//! diagrams and the XState config, the Markdown tables, and the shortest test paths.

pub mod call_tables;
pub mod graph;
#[cfg(feature = "html")]
pub mod html;
mod markdown;
pub mod paths;
mod xstate;
