//! The flow of a replay: how often each transition of the table fired, where
//! rejected records arrived, what resync inferred and by which rule, and which
//! agents and calls had the most records rejected. [`Flow`] collects it from the
//! verdicts, in input order, as cheaply as a few array increments per record;
//! [`Flow::report`] turns it into [`FlowReport`], the aggregates the `--json`
//! summary's `flow` object and the HTML report show.
//!
//! Every count is keyed by the table's own identities (a [`Phase`], an
//! [`Event`], a [`RepairRule`]) in arrays sized by their counts, so a bigger
//! table needs no change here. The parallel replay applies every record on one
//! thread, in input order, so one `Flow` fed from the verdicts sees them all:
//! there is nothing to merge.
//!
//! ```
//! use callstate::replay::{Flow, Replay};
//! use callstate::wire::input::Line;
//!
//! let mut replay = Replay::default();
//! let mut flow = Flow::default();
//! for line in [
//!     r#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact"}"#,
//!     r#"{"agent":"a1","event":"acw"}"#,
//! ] {
//!     let verdict = replay.feed(Line::Text(line.as_bytes()));
//!     flow.note(replay.line(), &verdict);
//! }
//! let report = flow.report(&replay, 5);
//! assert_eq!(report.transitions[0].event, "eAgentOfferContact");
//! assert_eq!(report.states.iter().map(|s| s.rejected).sum::<u64>(), 1);
//! assert_eq!(report.worst_agents[0].id, "a1");
//! ```

use crate::model::rejection::{Rejection, RejectionKind};
use crate::model::resync::{Repair, RepairRule};
use crate::model::vocabulary::{Event, Phase};
use crate::replay::report::kind_words;
use crate::replay::{Replay, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use strum::{EnumCount, IntoEnumIterator};

/// How many report lines are kept for each agent and call.
pub const FIRST_LINES: usize = 3;

/// Distinct agents (and, apart, calls) whose rejections are counted; records of
/// others beyond this are left out of the worst lists (and the report says so),
/// so that a log where every call is broken cannot exhaust memory here.
pub const MAX_TRACKED: usize = 1 << 20;

/// Index of a (from, event, to) cell in the dense transition arrays.
fn cell(from: Phase, event: Event, to: Phase) -> usize {
    (from as usize * Event::COUNT + event as usize) * Phase::COUNT + to as usize
}

const CELLS: usize = Phase::COUNT * Event::COUNT * Phase::COUNT;

/// The counts of one transition cell: records accepted, records applied after
/// an inference, and inferred events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Fired {
    accepted: u64,
    repaired: u64,
    inferred: u64,
}

/// One report line of an agent or a call, as kept: where, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kept {
    line: u64,
    kind: RejectionKind,
    event: Option<Event>,
    state: Option<Phase>,
}

/// An agent's or a call's rejections: how many, and the first few.
#[derive(Debug, Clone, Default)]
struct Tally {
    rejected: u64,
    first: Vec<Kept>,
}

/// Counts per agent or call id, up to `limit` ids ([`MAX_TRACKED`]).
#[derive(Debug)]
struct Tallies {
    by_id: HashMap<Box<str>, Tally, foldhash::fast::RandomState>,
    limit: usize,
    /// Records of ids left out once the map was full.
    left_out: u64,
}

impl Default for Tallies {
    fn default() -> Self {
        Tallies {
            by_id: HashMap::default(),
            limit: MAX_TRACKED,
            left_out: 0,
        }
    }
}

impl Tallies {
    fn note(&mut self, id: &str, kept: Kept) {
        let full = self.by_id.len() >= self.limit;
        let tally = match self.by_id.get_mut(id) {
            Some(tally) => tally,
            None if full => {
                self.left_out += 1;
                return;
            }
            None => self.by_id.entry(id.into()).or_default(),
        };
        tally.rejected += 1;
        if tally.first.len() < FIRST_LINES {
            tally.first.push(kept);
        }
    }

    /// The `top` ids with the most rejections (ties by id), located in `replay`'s inputs.
    fn worst(&self, top: usize, replay: &Replay) -> Vec<Culprit> {
        let mut all: Vec<(&str, &Tally)> = self.by_id.iter().map(|(k, v)| (&**k, v)).collect();
        all.sort_unstable_by(|a, b| b.1.rejected.cmp(&a.1.rejected).then(a.0.cmp(b.0)));
        all.into_iter()
            .take(top)
            .map(|(id, tally)| Culprit {
                id: id.to_owned(),
                rejected: tally.rejected,
                first: tally.first.iter().map(|k| k.located(replay)).collect(),
            })
            .collect()
    }
}

impl Kept {
    fn located(&self, replay: &Replay) -> FirstLine {
        let (input, line) = match replay.locate(self.line) {
            Some((input, line)) => (Some(input.to_owned()), line),
            None => (None, self.line),
        };
        FirstLine {
            input,
            line,
            kind: self.kind.name(),
            event: self.event.map(Event::name),
            state: self.state,
        }
    }
}

/// The flow of a replay, collected from its verdicts (see the module's docs).
#[derive(Debug)]
pub struct Flow {
    fired: Vec<Fired>,
    /// Per (phase, event): records rejected (kinds counted as `rejected`).
    rejected_at: Vec<u64>,
    /// Per phase: records with an unknown event that met it.
    unknown_at: [u64; Phase::COUNT],
    /// Per phase: records accepted there without change (SPEC §3.3, §3.4).
    unchanged_at: [u64; Phase::COUNT],
    /// Per rule, per repair (skip, infer).
    repairs: Vec<[u64; 2]>,
    by_kind: [u64; RejectionKind::COUNT],
    agents: Tallies,
    calls: Tallies,
}

impl Default for Flow {
    fn default() -> Self {
        Flow {
            fired: vec![Fired::default(); CELLS],
            rejected_at: vec![0; Phase::COUNT * Event::COUNT],
            unknown_at: [0; Phase::COUNT],
            unchanged_at: [0; Phase::COUNT],
            repairs: vec![[0; 2]; RepairRule::iter().count()],
            by_kind: [0; RejectionKind::COUNT],
            agents: Tallies::default(),
            calls: Tallies::default(),
        }
    }
}

impl Flow {
    /// Notes the verdict on line `line` (as [`Replay::line`] numbers it).
    #[inline]
    pub fn note(&mut self, line: u64, verdict: &Verdict) {
        match verdict {
            Verdict::Accepted(accepted) => {
                // A record accepted without change draws no edge (SPEC §3.3): it is
                // counted on the phase it met.
                match accepted.transition() {
                    Some(t) => self.fired[cell(t.from.phase, t.event, t.to.phase)].accepted += 1,
                    None => self.unchanged_at[accepted.from().phase as usize] += 1,
                }
            }
            Verdict::NotAccepted(r) => self.note_rejection(line, r),
            Verdict::Blank => {}
        }
    }

    #[cold]
    fn note_rejection(&mut self, line: u64, r: &Rejection) {
        let kind = r.kind();
        self.by_kind[kind as usize] += 1;
        let event = r.event().and_then(Event::resolve);
        // A record that met a phase is malformed in no way: it carried a known
        // event (a kind counted as `rejected`) or an unknown one.
        match (r.state(), event) {
            (Some(state), Some(event)) => {
                self.rejected_at[state as usize * Event::COUNT + event as usize] += 1;
            }
            (Some(state), None) => self.unknown_at[state as usize] += 1,
            (None, _) => {}
        }
        if let Some(repair) = r.repair() {
            let infers = matches!(repair, Repair::Infer { .. });
            self.repairs[repair.rule() as usize][usize::from(infers)] += 1;
            for lost in repair.inferred() {
                let t = &lost.transition;
                self.fired[cell(t.from.phase, t.event, t.to.phase)].inferred += 1;
            }
            if let Some(t) = repair.transition() {
                self.fired[cell(t.from.phase, t.event, t.to.phase)].repaired += 1;
            }
        }
        let kept = Kept {
            line,
            kind,
            event,
            state: r.state(),
        };
        if let Some(agent) = r.agent() {
            self.agents.note(agent, kept);
        }
        if let Some(call) = r.interaction().or(r.held()) {
            self.calls.note(call, kept);
        }
    }

    /// The aggregates, with the `top` worst agents and calls, their report lines
    /// located in `replay`'s inputs.
    pub fn report(&self, replay: &Replay, top: usize) -> FlowReport {
        let mut transitions = Vec::new();
        let mut endings: BTreeMap<(Event, Phase), u64> = BTreeMap::new();
        for from in Phase::iter() {
            for event in Event::iter() {
                for to in Phase::iter() {
                    let f = self.fired[cell(from, event, to)];
                    if f == Fired::default() {
                        continue;
                    }
                    transitions.push(TransitionCount {
                        from,
                        event: event.name(),
                        to,
                        records: f.accepted + f.repaired,
                        accepted: f.accepted,
                        repaired: f.repaired,
                        inferred: f.inferred,
                    });
                    if from.has_call() && !to.has_call() {
                        let ends = f.accepted + f.repaired + f.inferred;
                        *endings.entry((event, to)).or_insert(0) += ends;
                    }
                }
            }
        }
        let call_endings = endings
            .into_iter()
            .map(|((event, to), calls)| Ending {
                event: event.name(),
                to,
                calls,
            })
            .collect();
        let states = Phase::iter()
            .map(|state| {
                let at =
                    |event: Event| self.rejected_at[state as usize * Event::COUNT + event as usize];
                let by_event: Vec<EventCount> = Event::iter()
                    .filter(|&e| at(e) > 0)
                    .map(|e| EventCount {
                        event: e.name(),
                        count: at(e),
                    })
                    .collect();
                StateCount {
                    state,
                    rejected: by_event.iter().map(|e| e.count).sum(),
                    rejected_by_event: by_event,
                    unknown: self.unknown_at[state as usize],
                    unchanged: self.unchanged_at[state as usize],
                }
            })
            .collect();
        let repairs = RepairRule::iter()
            .flat_map(|rule| {
                let [skip, infer] = self.repairs[rule as usize];
                [("skip", skip), ("infer", infer)]
                    .into_iter()
                    .filter(|&(_, n)| n > 0)
                    .map(move |(repair, records)| RepairCount {
                        rule: rule.number(),
                        reason: rule.reason(),
                        repair,
                        records,
                    })
            })
            .collect();
        let mut inferred_events: Vec<EventCount> = Event::iter()
            .map(|event| EventCount {
                event: event.name(),
                count: transitions
                    .iter()
                    .filter(|t| t.event == event.name())
                    .map(|t| t.inferred)
                    .sum(),
            })
            .filter(|e| e.count > 0)
            .collect();
        inferred_events.sort_by_key(|e| std::cmp::Reverse(e.count));
        let rejected_by_kind = RejectionKind::iter()
            .filter(|&k| self.by_kind[k as usize] > 0)
            .map(|kind| KindCount {
                kind: kind.name(),
                words: kind_words(kind),
                records: self.by_kind[kind as usize],
            })
            .collect();
        FlowReport {
            transitions,
            states,
            call_endings,
            rejected_by_kind,
            repairs,
            inferred_events,
            worst_agents: self.agents.worst(top, replay),
            worst_calls: self.calls.worst(top, replay),
            left_out: (self.agents.left_out + self.calls.left_out > 0).then_some(LeftOut {
                agent_records: self.agents.left_out,
                call_records: self.calls.left_out,
            }),
        }
    }
}

/// The aggregates of a replay's flow: the `--json` summary's `flow` object, and
/// every number the HTML report shows besides the summary's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FlowReport {
    /// Every (from, event, to) that fired, in table identity order.
    pub transitions: Vec<TransitionCount>,
    /// Every phase, with the records rejected there.
    pub states: Vec<StateCount>,
    /// How calls ended: transitions from a phase with a call to one without, by
    /// event and the phase they went to.
    pub call_endings: Vec<Ending>,
    /// Records not accepted, by kind (kinds with none left out).
    pub rejected_by_kind: Vec<KindCount>,
    /// Resync: what each rule of SPEC §8 decided, and how often.
    pub repairs: Vec<RepairCount>,
    /// Resync: the events inferred, most often first.
    pub inferred_events: Vec<EventCount>,
    /// The agents with the most records rejected, most first.
    pub worst_agents: Vec<Culprit>,
    /// The calls with the most records rejected (the call named, or held), most first.
    pub worst_calls: Vec<Culprit>,
    /// Records of agents and calls left out of the worst lists (see [`MAX_TRACKED`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<LeftOut>,
}

/// How often one (from, event, to) fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TransitionCount {
    /// The phase before.
    pub from: Phase,
    /// The event's canonical name.
    pub event: &'static str,
    /// The phase after.
    pub to: Phase,
    /// Records whose own transition it was: `accepted` + `repaired`.
    pub records: u64,
    /// Records accepted.
    pub accepted: u64,
    /// Rejected records applied after resync inferred what was lost.
    pub repaired: u64,
    /// Events resync inferred.
    pub inferred: u64,
}

/// Records rejected in one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StateCount {
    /// The phase.
    pub state: Phase,
    /// Records rejected (kinds counted as `rejected`) that met it.
    pub rejected: u64,
    /// The same, by the event they carried.
    pub rejected_by_event: Vec<EventCount>,
    /// Records with an unknown event that met it.
    pub unknown: u64,
    /// Records accepted there without change (a notice, a late notification, a
    /// kept snapshot: SPEC §3.3–§3.5).
    pub unchanged: u64,
}

/// An event and a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EventCount {
    /// The event's canonical name.
    pub event: &'static str,
    /// How many.
    pub count: u64,
}

/// Calls ended by one event into one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Ending {
    /// The event's canonical name.
    pub event: &'static str,
    /// The phase the agent went to.
    pub to: Phase,
    /// Calls that ended so (accepted, repaired or inferred).
    pub calls: u64,
}

/// Records not accepted of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KindCount {
    /// The kind's `--json` name.
    pub kind: &'static str,
    /// The kind as the report for a person names it.
    pub words: &'static str,
    /// How many.
    pub records: u64,
}

/// How often a rule of SPEC §8 decided a repair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RepairCount {
    /// The rule's number (1 to 10).
    pub rule: u8,
    /// What the evidence says happened.
    pub reason: &'static str,
    /// `skip` or `infer`.
    pub repair: &'static str,
    /// Records so repaired.
    pub records: u64,
}

/// An agent or a call with records rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Culprit {
    /// The agent or interaction id.
    pub id: String,
    /// Records rejected (of any kind but `malformed`).
    pub rejected: u64,
    /// The first few, in input order.
    pub first: Vec<FirstLine>,
}

/// Where a report line is, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FirstLine {
    /// The input (`None` when the replay was fed without naming inputs).
    pub input: Option<String>,
    /// The line, within the input when there is one.
    pub line: u64,
    /// The rejection kind's name.
    pub kind: &'static str,
    /// The event, when known.
    pub event: Option<&'static str>,
    /// The phase the record met.
    pub state: Option<Phase>,
}

/// Records left out of the worst lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LeftOut {
    /// Records of agents not tracked.
    pub agent_records: u64,
    /// Records of calls not tracked.
    pub call_records: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resync::Mode;
    use crate::wire::input::Line;

    fn replayed(mode: Mode, log: &[&str], limit: usize) -> (Replay, Flow) {
        let mut replay = Replay::default().with_mode(mode);
        let mut flow = Flow::default();
        flow.agents.limit = limit;
        flow.calls.limit = limit;
        replay.begin_input("log");
        for line in log {
            let verdict = replay.feed(Line::Text(line.as_bytes()));
            flow.note(replay.line(), &verdict);
        }
        (replay, flow)
    }

    const LOG: &[&str] = &[
        r#"{"agent":"a","interaction":"c1","event":"AgentOfferContact"}"#,
        r#"{"agent":"a","event":"CustAnswered"}"#,
        // Lost: acw; resync infers it (SPEC §8: E19 from a live phase).
        r#"{"agent":"a","event":"eAgentContactWrappedUp"}"#,
        r#"{"agent":"a","event":"eAgentContactWrappedUp"}"#,
        "",
        r#"{"agent":"b","interaction":"c2","event":"CustAnswered"}"#,
        r#"{"agent":"b","interaction":"c2","event":"Swapped"}"#,
        "not json",
        r#"{"agent":"b","event":"AgentIdle"}"#,
        r#"{"agent":"b","event":"AgentIdle"}"#,
    ];

    fn transition(report: &FlowReport, from: Phase, event: Event) -> &TransitionCount {
        let found = report
            .transitions
            .iter()
            .find(|t| t.from == from && t.event == event.name());
        found.unwrap_or_else(|| panic!("{from} {event}"))
    }

    #[test]
    fn resync_counts_every_record_where_it_went() {
        let (replay, flow) = replayed(Mode::Resync, LOG, MAX_TRACKED);
        let report = flow.report(&replay, 10);
        let summary = replay.summary();
        let sum = |f: fn(&TransitionCount) -> u64| report.transitions.iter().map(f).sum::<u64>();
        assert_eq!(sum(|t| t.accepted), summary.accepted);
        assert_eq!(Some(sum(|t| t.repaired)), summary.repaired);
        assert_eq!(Some(sum(|t| t.inferred)), summary.inferred);
        assert_eq!(
            sum(|t| t.records),
            summary.accepted + summary.repaired.unwrap()
        );
        let acw = transition(&report, Phase::Connected, Event::Acw);
        assert_eq!((acw.to, acw.accepted, acw.inferred), (Phase::WrapUp, 0, 1));
        let done = transition(&report, Phase::WrapUp, Event::ContactWrappedUp);
        assert_eq!((done.to, done.records, done.repaired), (Phase::Ready, 1, 1));
        let rejected: u64 = report.states.iter().map(|s| s.rejected).sum();
        assert_eq!(rejected, summary.rejected);
        let connected = &report.states[Phase::Connected as usize];
        assert_eq!(
            connected.rejected_by_event[0].event,
            "eAgentContactWrappedUp"
        );
        // b's call was repaired into `connected` before its unknown event came; a's
        // second wrap-up, naming no call, met `ready` and was skipped.
        let ready = &report.states[Phase::Ready as usize];
        assert_eq!(
            (ready.rejected, ready.unknown, connected.unknown),
            (2, 0, 1)
        );
        assert_eq!(report.states.len(), Phase::iter().count());
        let inferred: Vec<(&str, u64)> = report
            .inferred_events
            .iter()
            .map(|e| (e.event, e.count))
            .collect();
        assert_eq!(inferred, [("eAgentOfferContact", 1), ("acw", 1)]);
        let repaired: u64 = report.repairs.iter().map(|r| r.records).sum();
        assert_eq!(repaired, summary.rejected);
        assert!(report
            .repairs
            .iter()
            .any(|r| r.rule == 10 && r.repair == "infer"));
        let endings: Vec<(&str, Phase, u64)> = report
            .call_endings
            .iter()
            .map(|e| (e.event, e.to, e.calls))
            .collect();
        assert_eq!(endings, [("eAgentContactWrappedUp", Phase::Ready, 1)]);
        let kinds: Vec<(&str, u64)> = report
            .rejected_by_kind
            .iter()
            .map(|k| (k.kind, k.records))
            .collect();
        let by_kind = replay.counts_by_kind();
        let expected: Vec<(&str, u64)> = RejectionKind::iter()
            .filter(|&k| by_kind[k as usize] > 0)
            .map(|k| (k.name(), by_kind[k as usize]))
            .collect();
        assert_eq!(kinds, expected);
        assert_eq!(kinds.len(), 4);
        assert_eq!(report.left_out, None);
    }

    #[test]
    fn the_worst_come_first_with_their_first_lines_located() {
        let (replay, flow) = replayed(Mode::Strict, LOG, MAX_TRACKED);
        let report = flow.report(&replay, 2);
        // In strict mode a's day goes wrong after the lost event; b's two: a tie, by id.
        let worst: Vec<(&str, u64)> = report
            .worst_agents
            .iter()
            .map(|c| (c.id.as_str(), c.rejected))
            .collect();
        assert_eq!(worst, [("a", 2), ("b", 2)]);
        assert_eq!(flow.report(&replay, 1).worst_agents.len(), 1);
        let b = &report.worst_agents[1];
        let lines: Vec<(Option<&str>, u64, &str)> = b
            .first
            .iter()
            .map(|f| (f.input.as_deref(), f.line, f.kind))
            .collect();
        assert_eq!(
            lines,
            [
                (Some("log"), 6, "no_active_call"),
                (Some("log"), 7, "unknown_event")
            ]
        );
        assert_eq!(b.first[0].event, Some("CustAnswered"));
        assert_eq!(b.first[0].state, Some(Phase::Ready));
        // a's records name no call but hold c1; b's name c2.
        let calls = &flow.report(&replay, 10).worst_calls;
        let calls: Vec<(&str, u64)> = calls.iter().map(|c| (c.id.as_str(), c.rejected)).collect();
        assert_eq!(calls, [("c1", 2), ("c2", 2)]);
        // Strict: nothing repaired or inferred.
        assert!(report.repairs.is_empty() && report.inferred_events.is_empty());
    }

    #[test]
    fn only_the_first_lines_are_kept() {
        let wrong = r#"{"agent":"z","event":"CustAnswered"}"#;
        let (replay, flow) = replayed(Mode::Strict, &[wrong; FIRST_LINES + 2], MAX_TRACKED);
        let report = flow.report(&replay, 10);
        let z = &report.worst_agents[0];
        assert_eq!(z.rejected, FIRST_LINES as u64 + 2);
        let lines: Vec<u64> = z.first.iter().map(|f| f.line).collect();
        assert_eq!(lines, (1..=FIRST_LINES as u64).collect::<Vec<_>>());
    }

    #[test]
    fn ids_past_the_limit_are_counted_as_left_out() {
        let (replay, flow) = replayed(Mode::Strict, LOG, 1);
        let report = flow.report(&replay, 10);
        assert_eq!(report.worst_agents.len(), 1);
        let left = report.left_out.unwrap();
        assert!(left.agent_records > 0 || left.call_records > 0);
        let kept: u64 = report.worst_agents.iter().map(|c| c.rejected).sum();
        let not_accepted = replay.summary().records - replay.summary().accepted;
        let with_agent = not_accepted - 1; // the line that is not JSON names none
        assert_eq!(kept + left.agent_records, with_agent);
    }
}
