//! Test paths generated from the table, in the manner of XState's path generation:
//! for every state an agent can reach from a fresh start, and every event the table
//! accepts in it, the shortest sequence of events that gets there and fires that
//! event.
//!
//! A *state* is the whole [`Status`] — phase, recording and availability — so
//! `connected` while recording is paused and the agent has asked to go idle is a
//! state of its own, with its own paths. The states and their paths are the
//! table's one breadth-first walk from a fresh agent (`ready`, recording `off`,
//! available; `model/walk.rs`), events in E1 … E21 order, so the paths are the
//! shortest there are and always the same.
//!
//! [`write_jsonl`] turns the paths into an event log that replays with no
//! rejection at all (its records are made by stepping a real [`Machine`], and the
//! tests replay the whole log through the engine); [`write_json`] lists them with
//! the transition each one is for.
//!
//! ```
//! let paths = callstate::paths::all();
//! let first = &paths[0];
//! assert_eq!(first.steps, [callstate::Event::AgentAvailable]);
//! assert!(paths.iter().all(|p| p.steps.last() == Some(&p.target.event)));
//! ```

use crate::model::machine::{Machine, Status};
use crate::model::record::Record;
use crate::model::table;
use crate::model::vocabulary::Event;
#[cfg(test)]
use crate::model::vocabulary::Role;
use crate::model::walk;
use serde::Serialize;
use std::io::{self, Write};
use strum::IntoEnumIterator;

/// A legal (state, event) pair: the transition a [`TestPath`] exists to cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Pair {
    /// The state the event is fired in.
    pub state: Status,
    /// The event.
    pub event: Event,
    /// The index in [`table::TABLE`] of the rule that fires.
    pub rule: usize,
    /// The state after the event.
    pub to: Status,
}

/// The shortest sequence of events from a fresh agent that ends by firing
/// `target`'s event in `target`'s state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestPath {
    /// The transition the last step covers.
    pub target: Pair,
    /// The events, in order; the last one is `target.event`.
    pub steps: Vec<Event>,
}

/// One record of the log [`write_jsonl`] writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathRecord {
    /// The agent id: one per path (`path-0001`, …).
    pub agent: String,
    /// The interaction id: one per call (`path-0001-call-1`, …); `None` while the
    /// agent holds no call and the event does not offer one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// The event, written by its canonical name.
    pub event: Event,
    /// Milliseconds since the epoch, strictly increasing over the whole log.
    pub time: i64,
}

impl PathRecord {
    /// The record as the engine takes it.
    pub fn as_record(&self) -> Record<'_> {
        let record = Record::new(&self.agent, self.event).at(self.time);
        match &self.interaction {
            Some(interaction) => record.interaction(interaction),
            None => record,
        }
    }
}

/// Every legal (state, event) pair reachable from a fresh `ready` agent, each with
/// its shortest path: states in breadth-first order, events in E1 … E34 order. The
/// snapshot (E34) is left out: what it does depends on fields a path does not carry.
pub fn all() -> Vec<TestPath> {
    let tree = walk::from_start();
    let mut paths = Vec::new();
    for &state in tree.reached() {
        let to_here = tree
            .path_to(state)
            .unwrap_or_else(|| unreachable!("the walk reached {state:?}"));
        for event in Event::iter().filter(|e| !e.is_snapshot()) {
            if let Some(step) = table::step_at(state, event) {
                let mut steps = to_here.clone();
                steps.push(event);
                paths.push(TestPath {
                    target: Pair {
                        state: state.status(),
                        event,
                        rule: step.rule_index(),
                        to: step.next.status(),
                    },
                    steps,
                });
            }
        }
    }
    paths
}

/// The records of `paths`: agent `path-NNNN` walks path NNNN (counting from 1), a
/// new interaction id for each call it is offered, times one second apart from
/// [`START_TIME`]. Paths from [`all`] replay without a rejection; a path made by
/// hand is written as it is, legal or not.
pub fn records(paths: &[TestPath]) -> Vec<PathRecord> {
    let mut records = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let agent = agent_id(index);
        let mut machine = Machine::new();
        let mut calls = 0;
        for &event in &path.steps {
            let interaction = match machine.interaction() {
                Some(held) => Some(held.to_owned()),
                None if event.offers_call() => {
                    calls += 1;
                    Some(format!("{agent}-call-{calls}"))
                }
                None => None,
            };
            // A step the machine rejects (only in a path made by hand) is written
            // all the same; replay will report it.
            let _ = machine.step(event, interaction.as_deref(), None);
            let time = START_TIME + TIME_STEP * records.len() as i64;
            records.push(PathRecord {
                agent: agent.clone(),
                interaction,
                event,
                time,
            });
        }
    }
    records
}

/// Writes `paths` as native records (SPEC §5), one JSON object per line:
/// `{"agent": "path-0001", "interaction": "path-0001-call-1", "event": "…", "time": …}`.
/// The whole log replays with no rejection.
pub fn write_jsonl(paths: &[TestPath], out: &mut impl Write) -> io::Result<()> {
    for record in records(paths) {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `paths` as one JSON document: the start state, the number of paths, and
/// each path with its agent id (as in [`write_jsonl`]), the transition it targets
/// and its steps.
pub fn write_json(paths: &[TestPath], out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        start: Status,
        count: usize,
        paths: Vec<Entry<'a>>,
    }
    #[derive(Serialize)]
    struct Entry<'a> {
        agent: String,
        #[serde(flatten)]
        path: &'a TestPath,
    }
    let document = Document {
        start: Machine::new().status(),
        count: paths.len(),
        paths: paths
            .iter()
            .enumerate()
            .map(|(index, path)| Entry {
                agent: agent_id(index),
                path,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

/// The time of the first record [`records`] makes: the `eventTime` of the seed's
/// sample message.
pub const START_TIME: i64 = 1_718_965_753_439;

/// The time between two records [`records`] makes, in milliseconds.
pub const TIME_STEP: i64 = 1_000;

fn agent_id(index: usize) -> String {
    format!("path-{:04}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::model::vocabulary::{Availability, Phase, Recording};

    #[test]
    fn paths_are_deterministic_and_start_simple() {
        let paths = all();
        assert_eq!(paths, all());
        let start = Machine::new().status();
        let first: Vec<Event> = paths
            .iter()
            .take_while(|p| p.target.state == start)
            .map(|p| p.target.event)
            .collect();
        assert_eq!(
            first,
            table::allowed(Phase::Ready, Recording::Off, Role::Owner)
                .iter()
                .filter(|e| !e.is_snapshot())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_state_with_every_part_set_is_reached_the_short_way() {
        let paused_idle = Status {
            phase: Phase::Conference,
            role: Role::Owner,
            recording: Recording::Paused,
            availability: Availability::Idle,
        };
        let path = all()
            .into_iter()
            .find(|p| p.target.state == paused_idle && p.target.event == Event::Dropped)
            .map(|p| p.steps);
        // offer, idle, answer, pause, consult, consulting, conference, drop.
        assert_eq!(path.map(|s| s.len()), Some(8));
    }

    #[test]
    fn a_path_with_two_calls_names_each_its_own() {
        let any = all().remove(0);
        let two_calls = TestPath {
            steps: vec![
                Event::OfferContact,
                Event::Dropped,
                Event::OfferContact,
                Event::CustAnswered,
            ],
            ..any
        };
        let ids: Vec<Option<String>> = records(&[two_calls])
            .into_iter()
            .map(|r| r.interaction)
            .collect();
        let call = |n: u8| Some(format!("path-0001-call-{n}"));
        assert_eq!(ids, [call(1), call(1), call(2), call(2)]);
    }

    #[test]
    fn records_name_one_call_per_offer_and_keep_time_increasing() {
        let paths = all();
        let records = records(&paths);
        assert!(records.windows(2).all(|w| w[0].time < w[1].time));
        for r in &records {
            if r.event.offers_call() {
                assert!(r.interaction.is_some(), "{r:?}");
            }
        }
        let mut engine = Engine::new();
        for r in &records {
            engine
                .apply(&r.as_record())
                .unwrap_or_else(|e| panic!("{r:?}: {e}"));
        }
    }
}
