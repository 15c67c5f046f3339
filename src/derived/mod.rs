//! What is derived from the transition table for people and test suites: the
//! diagrams and Markdown tables, and the shortest test paths.

pub mod graph;
pub mod paths;
