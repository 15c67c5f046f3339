//! What to simulate: the [`Config`], its record [`Format`], and why a config
//! cannot be simulated ([`ConfigError`]).

use crate::model::vocabulary::Availability;
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

/// The record shape of the lines (SPEC §5). Parses from and displays as the CLI
/// words `native`, `envelope`, `websocket`, `mixed` (any case).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Display,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
)]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
#[non_exhaustive]
pub enum Format {
    /// `{"agent":…,"interaction":…,"event":…,"time":…}`, the compact shape.
    #[default]
    Native,
    /// The outbound envelope of the seed's sample (a few KB per line).
    Envelope,
    /// Webex CC websocket notifications (`data.type`); availability changes as
    /// `AgentStateChange` with a `subStatus`.
    Websocket,
    /// A random one of the three shapes on each line.
    Mixed,
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// How many agents work at the same time (at least 1, at most
    /// [`Config::MAX_AGENTS`]).
    pub agents: usize,
    /// How many lines to write, faulty and blank lines included.
    pub records: u64,
    /// The seed of the generator: same seed, same log.
    pub seed: u64,
    /// The share of steps that inject a fault, in `0.0..=1.0`; `0.0` gives a
    /// clean log.
    pub faults: f64,
    /// The share of events lost on the way, in `0.0..=1.0`: such an event
    /// happens to the agent but no line shows it, and, unlike a
    /// [`FaultKind::Missing`](super::FaultKind::Missing) fault, whether a
    /// validator can recover is not considered — as when a real stream drops
    /// events.
    pub loss: f64,
    /// The shape of the lines.
    pub format: Format,
    /// Where agents start: `ready` (the engine's default) or `idle` (replay it
    /// with [`Engine::starting`](crate::Engine::starting) and `Idle`).
    pub initial: Availability,
}

impl Config {
    /// The most agents one simulation may run (their state is ~200 bytes each).
    pub const MAX_AGENTS: usize = 10_000_000;

    /// Checks the numbers: at least one agent, not too many, a fault rate
    /// between 0 and 1.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.agents == 0 {
            return Err(ConfigError::NoAgents);
        }
        if self.agents > Config::MAX_AGENTS {
            return Err(ConfigError::TooManyAgents(self.agents));
        }
        if !(0.0..=1.0).contains(&self.faults) {
            return Err(ConfigError::FaultRate(self.faults));
        }
        if !(0.0..=1.0).contains(&self.loss) {
            return Err(ConfigError::LossRate(self.loss));
        }
        Ok(())
    }
}

impl Default for Config {
    /// 10 agents, 1000 clean native records, seed 0, agents starting `ready`.
    fn default() -> Self {
        Config {
            agents: 10,
            records: 1_000,
            seed: 0,
            faults: 0.0,
            loss: 0.0,
            format: Format::Native,
            initial: Availability::Ready,
        }
    }
}

/// Why a [`Config`] cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Zero agents.
    #[error("the number of agents must be at least 1")]
    NoAgents,
    /// More than [`Config::MAX_AGENTS`].
    #[error("{0} agents is more than the {max} a simulation may run", max = Config::MAX_AGENTS)]
    TooManyAgents(usize),
    /// A fault rate outside `0.0..=1.0` (or not a number).
    #[error("the fault rate must be between 0 and 1, not {0}")]
    FaultRate(f64),
    /// A loss rate outside `0.0..=1.0` (or not a number).
    #[error("the loss rate must be between 0 and 1, not {0}")]
    LossRate(f64),
}
