//! The model: the words of SPEC §1–§2, the transition table of §3, one agent's
//! machine stepped by it, and the typed rejection of §4. Everything above builds on
//! this layer; it imports none of them.

pub mod call;
pub(crate) mod deadline;
pub(crate) mod finding;
pub(crate) mod id;
pub(crate) mod machine;
pub(crate) mod record;
pub(crate) mod rejection;
pub(crate) mod resync;
pub mod table;
pub(crate) mod time_rules;
pub(crate) mod unknown_name;
pub mod vocabulary;
pub(crate) mod walk;
