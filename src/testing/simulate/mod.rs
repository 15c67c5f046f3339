//! Realistic, deterministic event logs for load tests and benchmarks: the library
//! behind `callstate simulate`.
//!
//! A [`Simulator`] runs [`Config::agents`] agents through outbound calls and writes
//! their events, interleaved in time order, one record per line in the shapes of
//! SPEC §5 ([`Format`]). Each agent's next event is drawn from the events the
//! transition table allows in its state ([`crate::model::table::allowed`]), with weights
//! that make the flows realistic: preview reservations (accepted, skipped, not
//! answered or dropped), progressive and predictive offers, RONA, answered calls
//! with hold, consults, conferences and recording, contact ended → `acw` → wrapped
//! up, `DROPPED` from any call phase, and availability changes between and during
//! calls. Names are mostly canonical, sometimes aliases, now and then in odd case.
//!
//! Each agent's true state is a [`Machine`] the generator applies its own events
//! to, so with [`Config::faults`] at `0.0` the log replays through an
//! [`Engine`](crate::Engine) started like the agents ([`Config::initial`]) with no
//! rejection at all. With a fault rate, about that share of the generator's steps
//! injects one [`FaultKind`] instead; faults never desynchronize the generator's
//! own model, so a faulty log stays realistic around its faults.
//!
//! Output is a pure function of the [`Config`]: the same bytes on every run. The
//! generator holds O(agents) state and a buffer of one chunk, whatever the number
//! of records.
//!
//! ```
//! use callstate::simulate::{self, Config, Format};
//!
//! let config = Config { agents: 5, records: 100, seed: 42, format: Format::Mixed, ..Config::default() };
//! let mut log = Vec::new();
//! let summary = simulate::write(&config, &mut log)?;
//! assert_eq!(summary.records, 100);
//! assert_eq!(log.iter().filter(|b| **b == b'\n').count(), 100);
//! # Ok::<(), std::io::Error>(())
//! ```

mod flow;
mod render;
mod rng;

use crate::model::machine::Machine;
use crate::model::vocabulary::{Availability, Event, Phase};
use flow::Call;
use render::{AgentIds, Case, Name, Names, Shape, Uuid, View};
use rng::Rng;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use strum::{AsRefStr, Display, EnumCount, EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

/// When the simulated day starts (ms since the epoch): 2024-06-21T10:28:20Z,
/// shortly before the seed's sample event. Agents start within two minutes of it.
pub const START_TIME: i64 = 1_718_965_700_000;

/// Mixed into the seed of the style generator.
const STYLE_SALT: u64 = 0x5717_1E00_C0FF_EE00;

/// Bytes [`write()`] generates before handing them to the writer.
const CHUNK: usize = 64 * 1024;

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
    /// [`FaultKind::Missing`] fault, whether a validator can recover is not
    /// considered — as when a real stream drops events.
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

/// The faults a simulated log can carry, with what replay reports for them.
///
/// Faults that *replace* an event (the agent went through it, but the log does
/// not show it usably) leave the validator one step behind the agent, so the
/// agent's next records may be rejected too, as in a real broken log.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    serde::Serialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// An event left out of the log (no line).
    Missing,
    /// An event written twice, the same line again.
    Duplicated,
    /// Two consecutive events of one agent written in the wrong order, each with
    /// its true time (so the second one goes back in time).
    Swapped,
    /// An event written with a time before the agent's previous event.
    TimeBackwards,
    /// An event naming another interaction than the agent's call.
    ForeignInteraction,
    /// An extra line with an event name in no row of SPEC §2 (or an
    /// `AgentStateChange` with another `subStatus`).
    UnknownEvent,
    /// An extra line that is not JSON at all.
    NotJson,
    /// An event's line cut short.
    Truncated,
    /// An event's record inside a JSON array.
    JsonArray,
    /// An event's record without its agent id.
    MissingAgent,
    /// An extra blank line (empty or whitespace).
    BlankLine,
    /// An event lost on the way ([`Config::loss`]): no line, recoverable or not.
    Lost,
}

impl FaultKind {
    /// The wire name (`time_backwards`, …).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// One injected fault, as [`Simulator::take_truth`] gives it: the ground truth to
/// score a validator against.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct InjectedFault {
    /// The line the fault is on (from 1); for an event left out of the log
    /// ([`FaultKind::Missing`], [`FaultKind::Lost`]), the line the next record
    /// is written on.
    pub line: u64,
    /// What kind of fault.
    pub kind: FaultKind,
    /// The agent whose event the fault is about (`None` for extra lines:
    /// unknown events, lines that are not JSON, blank lines).
    pub agent: Option<String>,
    /// The call that event was about, if any.
    pub interaction: Option<String>,
    /// That event, by its canonical name.
    pub event: Option<&'static str>,
}

/// How many faults of each kind a log carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultCounts([u64; FaultKind::COUNT]);

impl FaultCounts {
    /// The faults of `kind`.
    pub fn get(&self, kind: FaultKind) -> u64 {
        self.0[kind as usize]
    }

    /// All faults.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Every kind with its count, in [`FaultKind`] order.
    pub fn iter(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        FaultKind::iter().map(|k| (k, self.get(k)))
    }

    fn add(&mut self, kind: FaultKind) {
        self.0[kind as usize] += 1;
    }
}

impl Serialize for FaultCounts {
    /// A map of fault names to counts.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(FaultKind::COUNT))?;
        for (kind, n) in self.iter() {
            map.serialize_entry(kind.name(), &n)?;
        }
        map.end()
    }
}

/// What a simulation wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct LogSummary {
    /// Lines handed out so far (faulty and blank lines included).
    pub records: u64,
    /// Events the agents went through, written or not (a missing or damaged
    /// event counts; duplicates, unknown and extra lines do not).
    pub events: u64,
    /// Calls started: preview reservations and offers that bound an interaction.
    pub calls: u64,
    /// Agents simulated.
    pub agents: usize,
    /// Faults injected, by kind.
    pub faults: FaultCounts,
}

impl std::fmt::Display for LogSummary {
    /// `1000 records, 980 events, 57 calls, 10 agents, 12 faults (missing 1, …)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} records, {} events, {} calls, {} agents, {} faults",
            self.records,
            self.events,
            self.calls,
            self.agents,
            self.faults.total()
        )?;
        let mut kinds = self.faults.iter().filter(|(_, n)| *n > 0).peekable();
        if kinds.peek().is_some() {
            let list: Vec<String> = kinds.map(|(k, n)| format!("{k} {n}")).collect();
            write!(f, " ({})", list.join(", "))?;
        }
        Ok(())
    }
}

/// Writes the log `config` describes to `out`, exactly [`Config::records`] lines,
/// and flushes it. Generates in chunks of 64 KiB, so `out` needs no buffering.
///
/// An invalid config is an [`io::ErrorKind::InvalidInput`] error carrying a
/// [`ConfigError`]; check [`Config::validate`] first to tell it from I/O errors.
pub fn write(config: &Config, out: &mut impl Write) -> io::Result<LogSummary> {
    let mut sim =
        Simulator::new(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    while let Some(chunk) = sim.next_chunk() {
        out.write_all(chunk)?;
    }
    out.flush()?;
    Ok(*sim.summary())
}

/// [`write()`], and the ground truth of every injected fault
/// ([`InjectedFault`]) to `truth` as JSON lines, in the order of their lines.
pub fn write_with_truth(
    config: &Config,
    out: &mut impl Write,
    truth: &mut impl Write,
) -> io::Result<LogSummary> {
    let mut sim = Simulator::new(config)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?
        .keeping_truth();
    while let Some(chunk) = sim.next_chunk() {
        out.write_all(chunk)?;
        for fault in sim.take_truth() {
            serde_json::to_writer(&mut *truth, &fault)?;
            truth.write_all(b"\n")?;
        }
    }
    out.flush()?;
    truth.flush()?;
    Ok(*sim.summary())
}

/// A stream of simulated lines, one at a time (see the [module](self) docs).
///
/// ```
/// use callstate::simulate::{Config, Simulator};
///
/// let mut sim = Simulator::new(&Config { records: 3, ..Config::default() }).unwrap();
/// while let Some(line) = sim.next_line() {
///     assert!(line.starts_with(b"{\"agent\":"));
/// }
/// assert_eq!(sim.summary().records, 3);
/// ```
#[derive(Debug, Clone)]
pub struct Simulator {
    config: Config,
    /// Draws what happens: events, times, ids, faults.
    rng: Rng,
    /// Draws how it is written: shapes, spellings, tracking ids. Kept apart so
    /// that one seed gives the same day in every format.
    style: Rng,
    org: Uuid,
    names: Names,
    agents: Vec<Agent>,
    /// Agents by the time of their next event (earliest first), ties by index.
    queue: BinaryHeap<Reverse<(i64, u32)>>,
    /// Whole lines, each ending in `\n`; those before `pos` are handed out.
    buf: Vec<u8>,
    pos: usize,
    /// Lines in `buf` not handed out yet.
    buffered: u64,
    summary: LogSummary,
    /// The faults injected and not yet taken, when the truth is kept.
    truth: Option<Vec<InjectedFault>>,
}

/// One simulated agent: who it is, its true state, and its planned next event.
#[derive(Debug, Clone)]
struct Agent {
    ids: AgentIds,
    machine: Machine,
    call: Option<Call>,
    /// The call its last event was about (kept after the call ended).
    last_call: Option<Call>,
    /// The time of its last event (or of its start).
    clock: i64,
    /// Has it been through any event yet?
    started: bool,
    next: Event,
    next_time: i64,
}

impl Agent {
    /// Draws the next event and its time from the agent's state.
    fn plan(&mut self, rng: &mut Rng) {
        let phase = self.machine.phase();
        self.next = flow::choose(rng, self.machine.status());
        let (lo, hi) = flow::delay(phase, self.next);
        self.next_time = self.clock + rng.range(lo, hi) as i64;
    }
}

/// An event an agent went through, as the line about it needs it.
#[derive(Debug, Clone, Copy)]
struct Fired {
    agent: usize,
    event: Event,
    time: i64,
    /// The phase after the event.
    phase: Phase,
    /// The call the event was about (kept after a terminating event).
    call: Option<Call>,
}

/// How a line departs from the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tweak {
    None,
    Foreign(u128),
    Time(i64),
    OmitAgent,
}

/// Event names in no row of SPEC §2 (checked by a test).
const UNKNOWN_EVENTS: &[&str] = &[
    "eAgentSupervisorJoined",
    "eAgentContactSwapped",
    "eAgentBargedIn",
    "AgentMonitoringFailed",
    "ContactSplit",
    "eAgentMonitoringStarted",
    "AgentLogout",
    "Swapped",
];

/// `subStatus` values that make `AgentStateChange` an unknown event.
const UNKNOWN_SUB_STATUS: &[&str] = &["Meeting", "Training", "Lunch"];

/// Lines that are not JSON.
const GARBAGE: &[&str] = &[
    "not json",
    "2024-06-21T10:29:13.439Z WARN websocket closed (1006), reconnecting in 5s",
    "<html><head><title>502 Bad Gateway</title></head></html>",
    "{agent: agent-1, event: CustAnswered}",
    "undefined",
    "--- log rotated ---",
];

/// Blank lines.
const BLANKS: &[&str] = &["", "  ", "\t", " \t "];

impl Simulator {
    /// A simulator for `config`, its agents at their starting points.
    pub fn new(config: &Config) -> Result<Simulator, ConfigError> {
        config.validate()?;
        let mut rng = Rng::new(config.seed);
        let org = render::uuid(rng.next_u128());
        let mut agents = Vec::with_capacity(config.agents);
        let mut queue = BinaryHeap::with_capacity(config.agents);
        for n in 0..config.agents {
            let agent = Simulator::new_agent(&mut rng, n, config.initial);
            queue.push(Reverse((agent.next_time, n as u32)));
            agents.push(agent);
        }
        Ok(Simulator {
            config: *config,
            rng,
            style: Rng::new(rng::splitmix64(config.seed ^ STYLE_SALT)),
            org,
            names: Names::new(),
            agents,
            queue,
            buf: Vec::with_capacity(CHUNK + 16 * 1024),
            pos: 0,
            buffered: 0,
            summary: LogSummary {
                agents: config.agents,
                ..LogSummary::default()
            },
            truth: None,
        })
    }

    /// The same simulator, keeping the ground truth of every fault it injects
    /// for [`Simulator::take_truth`].
    pub fn keeping_truth(mut self) -> Simulator {
        self.truth = Some(Vec::new());
        self
    }

    /// The faults injected since the last call, in the order of their lines
    /// (empty unless [`Simulator::keeping_truth`]). Faults are injected a
    /// chunk ahead of the lines handed out: after [`Simulator::next_line`]
    /// returns `None` every fault has been taken or is here.
    pub fn take_truth(&mut self) -> Vec<InjectedFault> {
        self.truth.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn new_agent(rng: &mut Rng, n: usize, initial: Availability) -> Agent {
        let bits = rng.next_u128();
        let clock = START_TIME + rng.below(120_000) as i64;
        let mut agent = Agent {
            ids: AgentIds {
                bits,
                id: render::uuid(bits),
                number: n as u32 + 1,
            },
            machine: Machine::starting(initial),
            call: None,
            last_call: None,
            clock,
            started: false,
            next: Event::AgentAvailable,
            next_time: clock,
        };
        agent.plan(rng);
        agent
    }

    /// What was handed out so far.
    pub fn summary(&self) -> &LogSummary {
        &self.summary
    }

    /// The next line, without its `\n`; `None` after [`Config::records`] lines.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            self.fill(1);
        }
        let rest = self.buf.get(self.pos..).filter(|r| !r.is_empty())?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let start = self.pos;
        self.pos += len + 1;
        self.buffered -= 1;
        self.summary.records += 1;
        Some(&self.buf[start..start + len])
    }

    /// The next lines, each with its `\n`, about [`CHUNK`] bytes of them.
    fn next_chunk(&mut self) -> Option<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            self.fill(CHUNK);
        }
        let start = self.pos;
        if start >= self.buf.len() {
            return None;
        }
        self.pos = self.buf.len();
        self.summary.records += self.buffered;
        self.buffered = 0;
        Some(&self.buf[start..])
    }

    /// Generates until `buf` holds `min_bytes` or every record is generated.
    fn fill(&mut self, min_bytes: usize) {
        while self.buf.len() < min_bytes && self.budget() > 0 {
            self.step();
        }
    }

    /// Lines still to generate.
    fn budget(&self) -> u64 {
        self.config.records - self.summary.records - self.buffered
    }

    /// One step: the next agent's event, or a fault.
    fn step(&mut self) {
        // No draw at a zero rate, so that logs without loss stay byte for byte
        // what they were before loss existed.
        if self.config.loss > 0.0 && self.rng.chance(self.config.loss) {
            let truth = self.truth_of_next(FaultKind::Lost);
            self.fire();
            self.note(truth);
            self.reschedule();
        } else if self.config.faults > 0.0 && self.rng.chance(self.config.faults) {
            let kind = self.pick_fault();
            let truth = self.truth_of_next(kind);
            if self.inject(kind) {
                self.note(truth);
            }
            self.reschedule();
        } else {
            let f = self.fire();
            self.render(&f, Tweak::None);
            self.reschedule();
        }
    }

    /// The ground truth of a fault of `kind` about to be injected on the next
    /// agent's next event.
    fn truth_of_next(&self, kind: FaultKind) -> (InjectedFault, usize) {
        let extra_line = matches!(
            kind,
            FaultKind::UnknownEvent | FaultKind::NotJson | FaultKind::BlankLine
        );
        let idx = self.next_agent();
        let agent = &self.agents[idx];
        let truth = InjectedFault {
            line: self.summary.records + self.buffered + 1,
            kind,
            agent: (!extra_line).then(|| render::uuid_str(&agent.ids.id).to_owned()),
            interaction: None,
            event: (!extra_line).then(|| agent.next.name()),
        };
        (truth, idx)
    }

    /// Counts an injected fault and keeps its truth, with the call its event
    /// was about (which an offer only creates when it fires).
    fn note(&mut self, (mut truth, agent): (InjectedFault, usize)) {
        self.summary.faults.add(truth.kind);
        if let Some(faults) = self.truth.as_mut() {
            if truth.agent.is_some() {
                let call = self.agents[agent].last_call;
                truth.interaction = call.map(|c| render::uuid_str(&render::uuid(c.id)).to_owned());
            }
            faults.push(truth);
        }
    }

    /// The agent whose event comes next.
    fn next_agent(&self) -> usize {
        self.queue.peek().map_or(0, |Reverse((_, i))| *i as usize)
    }

    /// Puts the next agent back in line at the time of its new next event.
    fn reschedule(&mut self) {
        let idx = self.next_agent();
        let time = self.agents[idx].next_time;
        if let Some(mut top) = self.queue.peek_mut() {
            *top = Reverse((time, idx as u32));
        }
    }

    /// The next agent goes through its planned event, in the generator's model;
    /// it plans the one after. Nothing is written.
    fn fire(&mut self) -> Fired {
        let idx = self.next_agent();
        let agent = &mut self.agents[idx];
        let (event, time) = (agent.next, agent.next_time);
        if event.offers_call() && agent.call.is_none() {
            agent.call = Some(Call::new(&mut self.rng, event, time));
            self.summary.calls += 1;
        }
        let call = agent.call;
        let iid = call.map(|c| render::uuid(c.id));
        let transition = agent
            .machine
            .step(event, iid.as_ref().map(render::uuid_str), Some(time))
            .unwrap_or_else(|r| unreachable!("the table allowed {event}, yet: {r}"));
        agent.last_call = call;
        if transition.terminated() {
            agent.call = None;
        }
        agent.clock = time;
        agent.started = true;
        agent.plan(&mut self.rng);
        self.summary.events += 1;
        Fired {
            agent: idx,
            event,
            time,
            phase: transition.to().phase,
            call,
        }
    }

    /// The shape of the next line.
    fn shape(&mut self) -> Shape {
        match self.config.format {
            Format::Native => Shape::Native,
            Format::Envelope => Shape::Envelope,
            Format::Websocket => Shape::Websocket,
            Format::Mixed => {
                [Shape::Native, Shape::Envelope, Shape::Websocket][self.style.below(3) as usize]
            }
        }
    }

    /// Writes the line about `f`, departing from the truth as `tweak` says.
    fn render(&mut self, f: &Fired, tweak: Tweak) {
        let shape = self.shape();
        let name = self.names.spell(f.event, shape, &mut self.style);
        let interaction = match tweak {
            Tweak::Foreign(bits) => Some(bits),
            // A native record may leave the interaction out: "the current call".
            _ if shape == Shape::Native && f.event.needs_call() && self.style.chance(0.05) => None,
            _ => f.call.map(|c| c.id),
        };
        let view = View {
            agent: &self.agents[f.agent].ids,
            omit_agent: tweak == Tweak::OmitAgent,
            name,
            routing_type: self.names.socket_type(f.event),
            sub_status: match f.event {
                Event::AgentAvailable => Some("Available"),
                Event::AgentIdle => Some("Idle"),
                _ => None,
            },
            interaction: interaction.map(render::uuid),
            call: f.call,
            time: match tweak {
                Tweak::Time(t) => t,
                _ => f.time,
            },
            phase: f.phase,
            mode: f.call.filter(|_| f.event.offers_call()).map(|c| c.mode),
        };
        render::line(&mut self.buf, shape, &view, &self.org, &mut self.style);
        self.buffered += 1;
    }

    /// Could a validator miss the next agent's next event and recover?
    fn next_is_recoverable(&self) -> bool {
        let agent = &self.agents[self.next_agent()];
        flow::recoverable(agent.machine.status(), agent.next)
    }

    /// A fault that can happen now. Faults that lose the next event (the
    /// validator does not see it, or rejects it) only happen when the validator
    /// can recover from it ([`flow::recoverable`]); as that is about half the
    /// time, they weigh double, which keeps the kinds roughly even.
    fn pick_fault(&mut self) -> FaultKind {
        let agent = &self.agents[self.next_agent()];
        let two_lines = self.budget() >= 2;
        let recoverable = self.next_is_recoverable();
        let possible = |kind: &FaultKind| match kind {
            FaultKind::Duplicated => two_lines,
            FaultKind::Swapped => two_lines && recoverable,
            FaultKind::TimeBackwards => recoverable && agent.started,
            FaultKind::ForeignInteraction => {
                recoverable && agent.call.is_some() && agent.next.needs_call()
            }
            FaultKind::Missing
            | FaultKind::Truncated
            | FaultKind::JsonArray
            | FaultKind::MissingAgent => recoverable,
            FaultKind::UnknownEvent | FaultKind::NotJson | FaultKind::BlankLine => true,
            // Drawn apart, at the loss rate.
            FaultKind::Lost => false,
        };
        let loses_an_event = |kind: &FaultKind| {
            !matches!(
                kind,
                FaultKind::Duplicated
                    | FaultKind::UnknownEvent
                    | FaultKind::NotJson
                    | FaultKind::BlankLine
            )
        };
        let mut weights = [0u32; FaultKind::COUNT];
        for (weight, kind) in weights.iter_mut().zip(FaultKind::iter()) {
            *weight = match (possible(&kind), loses_an_event(&kind)) {
                (false, _) => 0,
                (true, true) => 2,
                (true, false) => 1,
            };
        }
        FaultKind::iter()
            .nth(self.rng.weighted(&weights))
            .unwrap_or(FaultKind::BlankLine)
    }

    /// Injects a fault of `kind`; `false` if it turned out not to fit (the step
    /// then wrote its event cleanly).
    fn inject(&mut self, kind: FaultKind) -> bool {
        match kind {
            FaultKind::Missing | FaultKind::Lost => {
                self.fire();
            }
            FaultKind::Duplicated => self.duplicated(),
            FaultKind::Swapped => return self.swapped(),
            FaultKind::TimeBackwards => self.time_backwards(),
            FaultKind::ForeignInteraction => self.foreign_interaction(),
            FaultKind::UnknownEvent => self.unknown_event(),
            FaultKind::NotJson => {
                let line = self.style.pick(GARBAGE);
                self.extra_line(line);
            }
            FaultKind::Truncated => self.truncated(),
            FaultKind::JsonArray => self.json_array(),
            FaultKind::MissingAgent => {
                let f = self.fire();
                self.render(&f, Tweak::OmitAgent);
            }
            FaultKind::BlankLine => {
                let line = self.style.pick(BLANKS);
                self.extra_line(line);
            }
        }
        true
    }

    fn extra_line(&mut self, line: &str) {
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
        self.buffered += 1;
    }

    fn duplicated(&mut self) {
        let f = self.fire();
        let start = self.buf.len();
        self.render(&f, Tweak::None);
        self.buf.extend_from_within(start..);
        self.buffered += 1;
    }

    /// Swaps the next two events of an agent, if losing either one is
    /// recoverable (the validator rejects one of them).
    fn swapped(&mut self) -> bool {
        let first = self.fire();
        if !self.next_is_recoverable() {
            self.render(&first, Tweak::None);
            return false;
        }
        let second = self.fire();
        self.render(&second, Tweak::None);
        self.render(&first, Tweak::None);
        true
    }

    fn time_backwards(&mut self) {
        let before = self.agents[self.next_agent()].clock;
        let back = self.rng.range(1_000, 120_000) as i64;
        let f = self.fire();
        self.render(&f, Tweak::Time(before - back));
    }

    fn foreign_interaction(&mut self) {
        let own = self.next_agent();
        let foreign = self.foreign_call(own);
        let f = self.fire();
        self.render(&f, Tweak::Foreign(foreign));
    }

    /// Another agent's call, or (if none is found quickly) a made-up one.
    fn foreign_call(&mut self, own: usize) -> u128 {
        for _ in 0..4 {
            let other = self.rng.below(self.agents.len() as u64) as usize;
            match self.agents[other].call {
                Some(call) if other != own => return call.id,
                _ => {}
            }
        }
        self.rng.next_u128()
    }

    /// An extra line with an unknown event, about a random agent's current call.
    fn unknown_event(&mut self) {
        let idx = self.rng.below(self.agents.len() as u64) as usize;
        let shape = self.shape();
        let word = self.style.pick(UNKNOWN_EVENTS);
        let name = if shape == Shape::Websocket && self.style.chance(0.3) {
            Name::StateChange(self.style.pick(UNKNOWN_SUB_STATUS), Case::AsIs)
        } else {
            Name::Event(word, Case::odd(&mut self.style, 0.1))
        };
        let agent = &self.agents[idx];
        let view = View {
            agent: &agent.ids,
            omit_agent: false,
            name,
            routing_type: word,
            sub_status: None,
            interaction: agent.call.map(|c| render::uuid(c.id)),
            call: agent.call,
            time: agent.clock,
            phase: agent.machine.phase(),
            mode: None,
        };
        render::line(&mut self.buf, shape, &view, &self.org, &mut self.style);
        self.buffered += 1;
    }

    fn truncated(&mut self) {
        let f = self.fire();
        let start = self.buf.len();
        self.render(&f, Tweak::None);
        let len = self.buf.len() - 1 - start;
        let keep = self.style.range(1, len.saturating_sub(1) as u64) as usize;
        self.buf.truncate(start + keep);
        self.buf.push(b'\n');
    }

    fn json_array(&mut self) {
        let f = self.fire();
        self.buf.push(b'[');
        self.render(&f, Tweak::None);
        self.buf.pop();
        self.buf.extend_from_slice(b"]\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_unknown() {
        for name in UNKNOWN_EVENTS {
            assert_eq!(Event::resolve(name), None, "{name}");
        }
        for sub in UNKNOWN_SUB_STATUS {
            assert_eq!(Event::from_state_change(sub), None, "{sub}");
        }
    }

    #[test]
    fn garbage_is_not_json_and_blanks_are_blank() {
        for line in GARBAGE {
            assert!(
                serde_json::from_str::<serde_json::Value>(line).is_err(),
                "{line}"
            );
        }
        for line in BLANKS {
            assert!(line.trim().is_empty());
        }
    }

    #[test]
    fn agents_are_scheduled_in_time_order() {
        let config = Config {
            agents: 7,
            records: 500,
            ..Config::default()
        };
        let mut sim = Simulator::new(&config).unwrap();
        let mut last = i64::MIN;
        for _ in 0..500 {
            let next = sim.agents[sim.next_agent()].next_time;
            assert!(next >= last);
            last = next;
            sim.step();
        }
    }

    #[test]
    fn every_fault_kind_is_injected_at_full_rate() {
        let config = Config {
            agents: 5,
            records: 2_000,
            faults: 1.0,
            loss: 0.2,
            format: Format::Mixed,
            ..Config::default()
        };
        let summary = write(&config, &mut io::sink()).unwrap();
        for (kind, n) in summary.faults.iter() {
            assert!(n > 0, "{kind}");
        }
    }
}
