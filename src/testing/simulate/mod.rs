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

mod call_truth;
mod config;
mod faults;
mod flow;
mod lines;
mod render;
mod rng;
mod time_faults;
pub mod webex;

pub use config::{Config, ConfigError, Format};
pub use faults::{FaultCounts, FaultKind, InjectedFault};
pub use time_faults::FindingTruth;

use crate::model::machine::Machine;
use crate::model::vocabulary::{Availability, Event, Phase};
use crate::replay::calls::CallRecord;
use flow::Call;
use render::{AgentIds, Names, Shape, Uuid, View};
use rng::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use time_faults::TimeFault;

/// When the simulated day starts (ms since the epoch): 2024-06-21T10:28:20Z,
/// shortly before the seed's sample event. Agents start within two minutes of it.
pub const START_TIME: i64 = 1_718_965_700_000;

/// Mixed into the seed of the style generator.
const STYLE_SALT: u64 = 0x5717_1E00_C0FF_EE00;

/// Bytes [`write()`] generates before handing them to the writer.
const CHUNK: usize = 64 * 1024;

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
    lines::pump(&mut sim, CHUNK, out, None)
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
    lines::pump(&mut sim, CHUNK, out, Some(truth))
}

/// Writes the log of `sim` (a [`Simulator`] set up as wanted, say
/// [`Simulator::realistic`]) to `out`; the truth of every injected fault to
/// `truth`, and of every call to `calls` (in the form of `replay --calls`:
/// each call as it finishes, then those under way), when given.
pub fn write_simulator(
    sim: Simulator,
    out: &mut impl Write,
    truth: Option<&mut dyn Write>,
    calls: Option<&mut dyn Write>,
) -> io::Result<LogSummary> {
    let mut sim = sim.keeping_what(truth.is_some(), calls.is_some());
    lines::pump_with_calls(&mut sim, CHUNK, out, truth, calls)
}

/// [`write_simulator`], then the findings replay `--time` gives for the log
/// ([`Simulator::take_findings_truth`]) to `findings` as JSON lines.
pub fn write_simulator_with_findings(
    sim: Simulator,
    out: &mut impl Write,
    truth: Option<&mut dyn Write>,
    calls: Option<&mut dyn Write>,
    findings: &mut dyn Write,
) -> io::Result<LogSummary> {
    let mut sim = sim.keeping_what(truth.is_some(), calls.is_some());
    let summary = lines::pump_with_calls(&mut sim, CHUNK, out, truth, calls)?;
    for finding in sim.take_findings_truth() {
        serde_json::to_writer(&mut *findings, &finding)?;
        findings.write_all(b"\n")?;
    }
    findings.flush()?;
    Ok(summary)
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
    /// Phase durations drawn as a contact center sees them.
    realistic: bool,
    /// Every call's ground truth, when it is kept.
    calls: Option<call_truth::CallTruth>,
    /// Time faults and the findings they give, when injected.
    time: Option<Box<time_faults::TimeTruth>>,
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
    /// Draws the next event and its time from the agent's state (uniform
    /// delays, or `realistic` ones).
    fn plan(&mut self, rng: &mut Rng, realistic: bool) {
        let phase = self.machine.phase();
        self.next = flow::choose(rng, self.machine.status());
        let delay = if realistic {
            flow::realistic_delay(rng, phase, self.next)
        } else {
            let (lo, hi) = flow::delay(phase, self.next);
            rng.range(lo, hi)
        };
        self.next_time = self.clock + delay as i64;
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
            realistic: false,
            calls: None,
            time: None,
        })
    }

    /// The same simulator, its phases lasting as long as in a contact center
    /// (log-normal talk, hold, consult and wrap-up times; rings of a few
    /// seconds; RONA at 18 s) instead of uniform draws. Meant for a simulator
    /// that has not been stepped yet.
    pub fn realistic(mut self) -> Simulator {
        self.realistic = true;
        self
    }

    /// The same simulator, keeping every call's ground truth for
    /// [`Simulator::take_calls`] and [`Simulator::open_calls`]: the records
    /// `replay --calls` gives for its log when it has no faults.
    pub fn keeping_calls(mut self) -> Simulator {
        self.calls = Some(call_truth::CallTruth::default());
        self
    }

    /// The calls finished since the last take, in the order they finished (a
    /// chunk ahead of the lines handed out, as [`Simulator::take_truth`]).
    pub fn take_calls(&mut self) -> Vec<CallRecord> {
        self.calls
            .as_mut()
            .map(call_truth::CallTruth::take_finished)
            .unwrap_or_default()
    }

    /// The calls under way, by agent id, with outcome `open`.
    pub fn open_calls(&self) -> Vec<CallRecord> {
        self.calls
            .as_ref()
            .map(call_truth::CallTruth::ongoing)
            .unwrap_or_default()
    }

    /// The same simulator, injecting time faults (SPEC §11) into about `rate`
    /// of the offers: answered just after the `ronaTimeout` deadline plus the
    /// grace, a RONA long before it, or the agent stuck ringing for good (at
    /// least one agent always goes on). Every line then carries `ronaTimeout`
    /// (18 s). The findings replay `--time` must give are kept for
    /// [`Simulator::take_findings_truth`]; they hold for the default grace, no
    /// `--limit`, and a log with no other fault or loss. Meant for a simulator
    /// that has not been stepped yet.
    pub fn with_time_faults(mut self, rate: f64) -> Simulator {
        self.time = Some(Box::new(time_faults::TimeTruth::new(rate)));
        self
    }

    /// The findings replay `--time` gives for the lines generated so far (a
    /// chunk ahead of those handed out), in the order it reports them; empty
    /// without [`Simulator::with_time_faults`]. Stays still open when the log
    /// ends give none.
    pub fn take_findings_truth(&mut self) -> Vec<FindingTruth> {
        self.time.as_mut().map(|t| t.take()).unwrap_or_default()
    }

    /// The same simulator, keeping the faults' truth and the calls' as asked.
    fn keeping_what(self, truth: bool, calls: bool) -> Simulator {
        let sim = if truth { self.keeping_truth() } else { self };
        if calls {
            sim.keeping_calls()
        } else {
            sim
        }
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
        agent.plan(rng, false);
        agent
    }

    /// What was handed out so far.
    pub fn summary(&self) -> &LogSummary {
        &self.summary
    }

    /// The next line, without its `\n`; `None` after [`Config::records`] lines.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        lines::Lines::line(self)
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
        if let (Some(truth), Some(c)) = (self.calls.as_mut(), call) {
            let call_id = render::uuid(c.id);
            let ids = (render::uuid_str(&agent.ids.id), render::uuid_str(&call_id));
            let phases = (transition.from(), transition.to());
            truth.step(idx, ids, phases, event, time);
        }
        agent.last_call = call;
        if transition.terminated() {
            agent.call = None;
        }
        agent.clock = time;
        agent.started = true;
        agent.plan(&mut self.rng, self.realistic);
        self.summary.events += 1;
        if self.time.is_some() {
            self.follow_time(idx, event, time, transition.to().phase, call);
        }
        Fired {
            agent: idx,
            event,
            time,
            phase: transition.to().phase,
            call,
        }
    }

    /// Follows the agent's event for the findings' truth, and may make the
    /// `offered` stay it began late, early or stuck.
    #[cold]
    fn follow_time(
        &mut self,
        idx: usize,
        event: Event,
        time: i64,
        phase: Phase,
        call: Option<Call>,
    ) {
        let Some(truth) = self.time.as_deref_mut() else {
            return;
        };
        let agents = &self.agents;
        let others = agents.len() - 1;
        let began = truth.step(
            (idx, &agents[idx].ids.id),
            event,
            time,
            phase,
            call.map(|c| c.id),
        );
        truth.tick(time, |i| &agents[i].ids.id);
        if !began || !self.rng.chance(truth.rate) {
            return;
        }
        let deadline = time + 1000 * time_faults::RONA_TIMEOUT_S;
        let fault =
            [TimeFault::Late, TimeFault::Early, TimeFault::Stuck][self.rng.below(3) as usize];
        let agent = &mut self.agents[idx];
        match fault {
            TimeFault::Late => {
                let (lo, hi) = time_faults::LATE_BY_MS;
                agent.next_time = deadline + time_faults::GRACE + self.rng.range(lo, hi) as i64;
            }
            TimeFault::Early => {
                let status = agent.machine.status();
                let allowed =
                    crate::model::table::allowed(status.phase, status.recording, status.role);
                if allowed.contains(Event::OfferContactRona) {
                    let (lo, hi) = time_faults::EARLY_AT_MS;
                    agent.next = Event::OfferContactRona;
                    agent.next_time = time + self.rng.range(lo, hi) as i64;
                }
            }
            TimeFault::Stuck if truth.stuck < others => {
                truth.stuck += 1;
                agent.next_time = i64::MAX;
            }
            TimeFault::Stuck => {}
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
            rona_timeout: self.time.is_some(),
        };
        render::line(&mut self.buf, shape, &view, &self.org, &mut self.style);
        self.buffered += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
