//! The faults a simulated log can carry: their kinds and counts, the ground truth
//! of each one injected, the lines they are made of, and how the [`Simulator`]
//! picks one that fits and injects it.

use super::render::{self, Case, Name, Shape, View};
use super::{flow, Simulator, Tweak};
use serde::ser::{Serialize, SerializeMap, Serializer};
use strum::{AsRefStr, Display, EnumCount, EnumIter, IntoEnumIterator, IntoStaticStr};

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
    /// An event lost on the way ([`Config::loss`](super::Config::loss)): no line,
    /// recoverable or not.
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

    pub(super) fn add(&mut self, kind: FaultKind) {
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
/// Choosing a fault that fits, injecting it, and keeping its ground truth.
impl Simulator {
    /// The ground truth of a fault of `kind` about to be injected on the next
    /// agent's next event.
    pub(super) fn truth_of_next(&self, kind: FaultKind) -> (InjectedFault, usize) {
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
    pub(super) fn note(&mut self, (mut truth, agent): (InjectedFault, usize)) {
        self.summary.faults.add(truth.kind);
        if let Some(faults) = self.truth.as_mut() {
            if truth.agent.is_some() {
                let call = self.agents[agent].last_call;
                truth.interaction = call.map(|c| render::uuid_str(&render::uuid(c.id)).to_owned());
            }
            faults.push(truth);
        }
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
    pub(super) fn pick_fault(&mut self) -> FaultKind {
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
    pub(super) fn inject(&mut self, kind: FaultKind) -> bool {
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
            rona_timeout: false,
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
    use crate::model::vocabulary::Event;
    use crate::testing::simulate::{write, Config, Format};
    use std::io;

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
