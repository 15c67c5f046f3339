//! The generated test paths cover the table exactly, shortest first, and replay
//! cleanly through the engine.

use callstate::paths::{self, TestPath};
use callstate::table::{self, TABLE};
use callstate::{Accepted, Unchange, Unchanged};
use callstate::{
    Availability, Engine, Event, EventName, Machine, Phase, Record, Recording, Role, Status,
};
use std::collections::{HashMap, HashSet};
use strum::IntoEnumIterator;

/// The events a path can fire in `state`: all the table allows but the snapshot.
fn legal_events(state: Status) -> impl Iterator<Item = Event> {
    Event::iter().filter(move |e| {
        !e.is_snapshot() && table::rule_for(state.phase, state.recording, state.role, *e).is_some()
    })
}

#[test]
fn every_reachable_legal_pair_is_the_target_of_exactly_one_path() {
    let paths = paths::all();
    let mut covered = HashSet::new();
    for p in &paths {
        let pair = (p.target.state, p.target.event);
        assert!(covered.insert(pair), "{pair:?} is covered twice");
    }
    // The covered pairs are closed under the table: the start state and every state
    // a covered transition leads to have all their legal events covered. So every
    // reachable state is in, and nothing unreachable is (each pair has a path).
    let start = Machine::new().status();
    let reached: HashSet<Status> = std::iter::once(start)
        .chain(paths.iter().map(|p| p.target.to))
        .collect();
    for &state in &reached {
        for event in legal_events(state) {
            assert!(
                covered.contains(&(state, event)),
                "{state:?} + {event} has no path"
            );
        }
    }
    for (state, event) in &covered {
        assert!(reached.contains(state));
        assert!(table::rule_for(state.phase, state.recording, state.role, *event).is_some());
    }
    // And the count agrees with the table's own reachable states.
    let mut legal_pairs = 0;
    for phase in Phase::iter() {
        for role in Role::iter() {
            for recording in Recording::iter() {
                for availability in Availability::iter() {
                    let status = Status {
                        phase,
                        role,
                        recording,
                        availability,
                    };
                    if reached.contains(&status) {
                        legal_pairs += legal_events(status).count();
                    }
                }
            }
        }
    }
    assert_eq!(covered.len(), legal_pairs);
    assert_eq!(reached.len(), 74, "the states reachable by transitions");
}

#[test]
fn paths_are_shortest() {
    let paths = paths::all();
    let start = Machine::new().status();
    let mut distance: HashMap<Status, usize> = HashMap::from([(start, 0)]);
    for p in &paths {
        let d = p.steps.len() - 1;
        assert_eq!(*distance.entry(p.target.state).or_insert(d), d, "{p:?}");
    }
    for p in &paths {
        // No transition may shorten the way to its target state (BFS optimality).
        let via = distance[&p.target.state] + 1;
        assert!(distance[&p.target.to] <= via, "{p:?} is a shorter way");
        // The way to a state is the full path of a transition into it.
        let prefix = &p.steps[..p.steps.len() - 1];
        if !prefix.is_empty() {
            let into = paths
                .iter()
                .any(|q| q.steps == prefix && q.target.to == p.target.state);
            assert!(into, "{p:?}: its prefix is no path");
        }
    }
}

#[test]
fn each_path_replays_on_a_fresh_engine_and_its_last_step_fires_its_rule() {
    let paths = paths::all();
    let records = paths::records(&paths);
    for (index, path) in paths.iter().enumerate() {
        let agent = format!("path-{:04}", index + 1);
        let mut engine = Engine::new();
        let mut last = None;
        for r in records.iter().filter(|r| r.agent == agent) {
            last = Some(
                engine
                    .apply(&r.as_record())
                    .unwrap_or_else(|e| panic!("{agent}: {e}")),
            );
        }
        let last = last.unwrap_or_else(|| panic!("{agent} has no records"));
        assert_last_step(path, &last);
    }
}

fn assert_last_step(path: &TestPath, last: &Accepted) {
    let target = &path.target;
    let rule = match last {
        Accepted::Transition(t) => t.rule,
        Accepted::Unchanged(Unchanged {
            why: Unchange::NoticeRow(rule),
            ..
        }) => rule,
        Accepted::Unchanged(u) => panic!("{path:?} ends in {u:?}"),
    };
    // `TABLE` is a const, so compare rules by value, not by address.
    assert_eq!(*rule, TABLE[target.rule], "{path:?}");
    let from = last.from();
    let fired = table::rule_index(from.phase, from.recording, from.role, target.event);
    assert_eq!(fired, Some(target.rule));
    assert_eq!(last.name(), target.event.name());
    assert_eq!(from, target.state);
    assert_eq!(last.to(), target.to);
}

#[test]
fn the_jsonl_log_replays_with_zero_rejections() {
    let paths = paths::all();
    let mut log = Vec::new();
    paths::write_jsonl(&paths, &mut log).expect("writing to a Vec");
    let log = String::from_utf8(log).expect("UTF-8");
    let mut engine = Engine::new();
    let mut last_time = i64::MIN;
    let mut lines = 0;
    for line in log.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect(line);
        let object = value.as_object().expect("an object");
        assert!(object
            .keys()
            .all(|k| ["agent", "interaction", "event", "time"].contains(&k.as_str())));
        let agent = object["agent"].as_str().expect("agent");
        let event = object["event"].as_str().expect("event");
        let time = object["time"].as_i64().expect("time");
        assert!(time > last_time, "times increase strictly: {line}");
        last_time = time;
        assert_eq!(
            Event::resolve(event).map(Event::name),
            Some(event),
            "canonical"
        );
        let mut record = Record::new(agent, EventName::resolve(event)).at(time);
        if let Some(interaction) = object.get("interaction") {
            record = record.interaction(interaction.as_str().expect("interaction"));
        }
        engine
            .apply(&record)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        lines += 1;
    }
    assert_eq!(lines, paths.iter().map(|p| p.steps.len()).sum::<usize>());
    assert_eq!(engine.len(), paths.len(), "one agent per path");
}

#[test]
fn interactions_are_distinct_per_call() {
    let records = paths::records(&paths::all());
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for r in &records {
        if let Some(i) = r.interaction.as_deref() {
            assert_eq!(*owner.entry(i).or_insert(&r.agent), r.agent, "{i}");
        }
    }
    assert!(!owner.is_empty());
}

#[test]
fn the_json_document_lists_every_path_with_its_target() {
    let paths = paths::all();
    let mut out = Vec::new();
    paths::write_json(&paths, &mut out).expect("writing to a Vec");
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("one JSON document");
    assert_eq!(doc["count"], paths.len());
    assert_eq!(doc["start"]["phase"], "ready");
    let listed = doc["paths"].as_array().expect("paths");
    assert_eq!(listed.len(), paths.len());
    let first = &listed[0];
    assert_eq!(first["agent"], "path-0001");
    assert_eq!(first["target"]["state"]["recording"], "off");
    assert_eq!(first["target"]["event"], "AgentAvailable");
    assert_eq!(first["target"]["rule"], 0);
    assert_eq!(first["target"]["to"]["availability"], "ready");
    assert_eq!(first["steps"], serde_json::json!(["AgentAvailable"]));
}
