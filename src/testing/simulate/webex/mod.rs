//! Agent-days in the layout Webex Contact Center really sends: the `webex`
//! format of `callstate simulate`.
//!
//! Each line is one websocket frame as the Webex CC JavaScript SDK receives it:
//! call notifications as `{"type":"RoutingMessage","orgId":…,"trackingId":…,
//! "data":{"type":…,"eventType":"RoutingMessage","eventTime":…,"agentId":…,
//! "interactionId":…,"interaction":{…}}}` with the whole interaction object
//! (about 3 kB) in every one, agent-state changes as `{"type":"AgentStateChange",
//! "data":{"type":"AgentStateChangeSuccess","subStatus":…,
//! "lastStateChangeTimestamp":…}}` (no `eventTime`), and the desktop's `Welcome`,
//! station login and relogin frames.
//!
//! The agents log in, take inbound, outdial, preview, progressive and predictive
//! calls with hold, recording pauses, consults (both sides), conferences, the
//! four transfers, failed requests, data-only updates and relogin snapshots,
//! and go through RONA, abandoned and failed calls and breaks, interleaved in
//! event time. Every record is one SPEC v3 accepts for the agent who receives
//! it. Each call's ground truth (offered, answered, ended and wrapped-up times
//! for each agent on it) is kept on request ([`Simulator::keeping_calls`]).
//!
//! With a loss rate ([`Config::loss`]) records are left out, as a real stream
//! loses them; the same seed gives the same day, minus exactly the records the
//! truth lists ([`InjectedFault`] of kind [`FaultKind::Lost`]).
//!
//! ```
//! use callstate::simulate::webex::{self, Config};
//!
//! let config = Config { agents: 5, records: 200, seed: 1, loss: 0.0 };
//! let mut log = Vec::new();
//! let summary = webex::write(&config, &mut log)?;
//! assert_eq!(summary.records, 200);
//! assert!(log.starts_with(b"{\"type\":\""));
//! # Ok::<(), std::io::Error>(())
//! ```

mod note;
mod payload;
mod script;

use super::lines::{self, Lines};
use super::render::{uuid, uuid_str};
use super::rng::{splitmix64, Rng};
use super::{ConfigError, FaultKind, InjectedFault, LogSummary, START_TIME};
use note::{Note, Origin};
use payload::Names;
use script::{Desk, Script};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

/// Mixed into the seed of the loss draws, so that a day with loss is the day
/// without it, minus the lost records.
const LOSS_SALT: u64 = 0x0010_550F_DA7A;

/// Bytes generated before they are handed to the writer.
const CHUNK: usize = 64 * 1024;

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// How many agents work at the same time (at least 1, at most
    /// [`super::Config::MAX_AGENTS`]).
    pub agents: usize,
    /// How many lines to write.
    pub records: u64,
    /// The seed: same seed, same day.
    pub seed: u64,
    /// The share of records lost on the way, in `0.0..=1.0`.
    pub loss: f64,
}

impl Config {
    /// A day of 40 agents and `records` lines.
    pub fn day(records: u64, seed: u64) -> Config {
        Config {
            agents: 40,
            records,
            seed,
            loss: 0.0,
        }
    }

    /// Checks the numbers, as [`super::Config::validate`] does.
    pub fn validate(&self) -> Result<(), ConfigError> {
        super::Config {
            agents: self.agents,
            loss: self.loss,
            ..super::Config::default()
        }
        .validate()
    }
}

impl Default for Config {
    /// [`Config::day`] of 20,000 records, seed 0.
    fn default() -> Self {
        Config::day(20_000, 0)
    }
}

/// One agent's part in one call: the ground truth of its timing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CallLeg {
    /// The agent.
    pub agent: String,
    /// The interaction id (for an accepted preview, the id it was accepted
    /// under).
    pub interaction: String,
    /// An accepted preview's reservation id.
    pub reservation: Option<String>,
    /// `inbound`, `outdial`, `preview`, `progressive` or `predictive`.
    pub origin: &'static str,
    /// Was the agent offered the call as a consult?
    pub consulted: bool,
    /// When it was reserved or offered to the agent (ms since the epoch).
    pub offered: i64,
    /// When the agent answered (`AgentContactAssigned`, or `AgentConsulting`
    /// for a consult), if it did.
    pub answered: Option<i64>,
    /// When the call ended for the agent: its end, transfer or leave, or the
    /// end of an offer not answered.
    pub ended: Option<i64>,
    /// When the agent's wrap-up ended, if it had one.
    pub wrapped_up: Option<i64>,
}

/// [`CallLeg`] as the scripts fill it in (ids as bits).
#[derive(Debug, Clone, Copy)]
struct LegTruth {
    agent: u32,
    call: u128,
    reservation: Option<u128>,
    origin: Origin,
    consulted: bool,
    offered: i64,
    answered: Option<i64>,
    ended: Option<i64>,
    wrapped_up: Option<i64>,
}

/// Writes the day `config` describes to `out`, exactly [`Config::records`]
/// lines, and flushes it.
///
/// An invalid config is an [`io::ErrorKind::InvalidInput`] error carrying a
/// [`ConfigError`].
pub fn write(config: &Config, out: &mut impl Write) -> io::Result<LogSummary> {
    let mut sim =
        Simulator::new(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    lines::pump(&mut sim, CHUNK, out, None)
}

/// [`write()`], and every lost record's ground truth to `truth` as JSON lines
/// (as [`super::write_with_truth`] writes them).
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

/// A day of 40 agents and 20,000 records (seed `seed`) as bytes: the input of
/// the `webex` replay benchmark.
pub fn day(seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 << 20);
    // Writing to a Vec cannot fail, and the config is valid.
    let _ = write(&Config::day(20_000, seed), &mut out);
    out
}

/// A planned line in the day's order: by time, then by when it was planned.
type Queued = Reverse<(i64, u64, usize)>;

/// A stream of simulated lines (see the [module](self) docs).
#[derive(Debug, Clone)]
pub struct Simulator {
    config: Config,
    /// Draws what happens.
    rng: Rng,
    /// Draws which records are lost.
    loss: Rng,
    names: Names,
    desks: Vec<Desk>,
    /// Agents by when they are free (entries made stale by a claim are
    /// refreshed when they come up).
    free: BinaryHeap<Reverse<(i64, u32)>>,
    /// Planned notes, and the order they go out in.
    notes: Vec<Option<Note>>,
    queue: BinaryHeap<Queued>,
    /// Free slots of `notes`.
    holes: Vec<usize>,
    /// The notes of the episode being planned.
    episode: Vec<Note>,
    legs: Vec<LegTruth>,
    seq: u64,
    /// Notes taken off the queue so far, written or lost.
    written: u64,
    /// Whole lines, each ending in `\n`; those before `pos` are handed out.
    buf: Vec<u8>,
    pos: usize,
    buffered: u64,
    summary: LogSummary,
    truth: Option<Vec<InjectedFault>>,
    calls: Option<Vec<CallLeg>>,
}

impl Simulator {
    /// A simulator for `config`, its agents logged out.
    pub fn new(config: &Config) -> Result<Simulator, ConfigError> {
        config.validate()?;
        let mut rng = Rng::new(config.seed);
        let org = uuid(rng.next_u128());
        let mut agents = Vec::with_capacity(config.agents);
        let mut desks = Vec::with_capacity(config.agents);
        let mut free = BinaryHeap::with_capacity(config.agents);
        for n in 0..config.agents {
            let bits = rng.next_u128();
            agents.push((bits, uuid(bits)));
            let start = START_TIME + rng.below(600_000) as i64;
            desks.push(Desk {
                free_at: start,
                clock: start,
                logged_in: false,
                available: false,
            });
            free.push(Reverse((start, n as u32)));
        }
        Ok(Simulator {
            config: *config,
            loss: Rng::new(splitmix64(config.seed ^ LOSS_SALT)),
            names: Names {
                org,
                agents,
                salt: rng.next_u64(),
            },
            rng,
            desks,
            free,
            notes: Vec::new(),
            queue: BinaryHeap::new(),
            holes: Vec::new(),
            episode: Vec::new(),
            legs: Vec::new(),
            seq: 0,
            written: 0,
            buf: Vec::with_capacity(CHUNK + 64 * 1024),
            pos: 0,
            buffered: 0,
            summary: LogSummary {
                agents: config.agents,
                ..LogSummary::default()
            },
            truth: None,
            calls: None,
        })
    }

    /// The same simulator, keeping the ground truth of every lost record for
    /// [`Simulator::take_truth`].
    pub fn keeping_truth(mut self) -> Simulator {
        self.truth = Some(Vec::new());
        self
    }

    /// The records lost since the last call, in the order of their lines
    /// (empty unless [`Simulator::keeping_truth`]).
    pub fn take_truth(&mut self) -> Vec<InjectedFault> {
        self.truth.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The same simulator, keeping each call's ground truth for
    /// [`Simulator::take_calls`].
    pub fn keeping_calls(mut self) -> Simulator {
        self.calls = Some(Vec::new());
        self
    }

    /// The agents' calls finished since the last call, in the order they were
    /// planned (empty unless [`Simulator::keeping_calls`]). Calls are planned
    /// ahead of the lines, so some may end after the last line written.
    pub fn take_calls(&mut self) -> Vec<CallLeg> {
        self.calls.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// What was handed out so far.
    pub fn summary(&self) -> &LogSummary {
        &self.summary
    }

    /// The next line, without its `\n`; `None` after [`Config::records`] lines.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        lines::Lines::line(self)
    }

    /// Generates until `buf` holds `min_bytes` or every line is generated.
    fn fill(&mut self, min_bytes: usize) {
        while self.buf.len() < min_bytes && self.budget() > 0 {
            match self.ready_note() {
                Some(note) => self.write_note(note),
                None => self.plan(),
            }
        }
    }

    /// Lines still to generate.
    fn budget(&self) -> u64 {
        self.config.records - self.summary.records - self.buffered
    }

    /// The earliest planned note, if no episode still to plan can come before
    /// it: every episode starts when its agent is free, so notes before the
    /// earliest free agent are final.
    fn ready_note(&mut self) -> Option<Note> {
        let Reverse((time, _, slot)) = *self.queue.peek()?;
        let bound = self.free.peek().map_or(i64::MAX, |Reverse((t, _))| *t);
        if time >= bound {
            return None;
        }
        self.queue.pop();
        self.holes.push(slot);
        self.notes[slot].take()
    }

    /// Plans the episode of the agent free first.
    fn plan(&mut self) {
        let Some(Reverse((time, agent))) = self.free.pop() else {
            return;
        };
        let free_at = self.desks[agent as usize].free_at;
        if free_at != time {
            // Claimed by another agent's episode since: in line again.
            self.free.push(Reverse((free_at, agent)));
            return;
        }
        let mut script = Script {
            rng: &mut self.rng,
            desks: &mut self.desks,
            out: &mut self.episode,
            legs: &mut self.legs,
            busy: Vec::new(),
        };
        script.episode(agent);
        let busy = std::mem::take(&mut script.busy);
        for a in busy {
            self.free.push(Reverse((self.desks[a as usize].free_at, a)));
        }
        for note in self.episode.drain(..) {
            let slot = match self.holes.pop() {
                Some(slot) => {
                    self.notes[slot] = Some(note);
                    slot
                }
                None => {
                    self.notes.push(Some(note));
                    self.notes.len() - 1
                }
            };
            self.queue.push(Reverse((note.time, self.seq, slot)));
            self.seq += 1;
        }
        for leg in self.legs.drain(..) {
            self.summary.calls += 1;
            if let Some(calls) = self.calls.as_mut() {
                calls.push(CallLeg {
                    agent: uuid_str(&self.names.agents[leg.agent as usize].1).to_owned(),
                    interaction: uuid_str(&uuid(leg.call)).to_owned(),
                    reservation: leg.reservation.map(|r| uuid_str(&uuid(r)).to_owned()),
                    origin: leg.origin.into(),
                    consulted: leg.consulted,
                    offered: leg.offered,
                    answered: leg.answered,
                    ended: leg.ended,
                    wrapped_up: leg.wrapped_up,
                });
            }
        }
    }

    /// Writes `note`, or loses it.
    fn write_note(&mut self, note: Note) {
        let line = self.summary.records + self.buffered + 1;
        // Tracking ids count lost records too: a day with loss is the day
        // without it, minus the lost lines.
        let nth = self.written;
        self.written += 1;
        self.summary.events += 1;
        if self.config.loss > 0.0 && self.loss.chance(self.config.loss) {
            self.summary.faults.add(FaultKind::Lost);
            if let Some(truth) = self.truth.as_mut() {
                truth.push(InjectedFault {
                    line,
                    kind: FaultKind::Lost,
                    agent: Some(uuid_str(&self.names.agents[note.agent as usize].1).to_owned()),
                    interaction: note.call.map(|(c, _)| uuid_str(&uuid(c.id)).to_owned()),
                    event: Some(note.kind.name()),
                });
            }
            return;
        }
        payload::line(&mut self.buf, &note, &self.names, nth);
        self.buffered += 1;
    }
}

impl Lines for Simulator {
    fn parts(&mut self) -> (&mut Vec<u8>, &mut usize, &mut u64, &mut LogSummary) {
        (
            &mut self.buf,
            &mut self.pos,
            &mut self.buffered,
            &mut self.summary,
        )
    }

    fn fill(&mut self, min_bytes: usize) {
        Simulator::fill(self, min_bytes);
    }

    fn take_truth(&mut self) -> Vec<InjectedFault> {
        Simulator::take_truth(self)
    }
}
