//! The table as an XState v5 machine config: one state per reachable
//! (phase, role, recording, availability), each with the events the table accepts there.

use super::graph::drawing::rule_label;
use super::graph::GENERATED;
use crate::model::table::{self, Status};
use crate::model::vocabulary::{Availability, Event, Phase, Recording, Role};
use serde::Serialize;
use strum::IntoEnumIterator;

/// The machine as an XState v5 machine config: JSON for `createMachine`, pure data
/// (no guards, actions or other functions), ending in a newline.
///
/// XState's states are flat and its guards would be functions, so the config
/// spells the table out over the whole state the table speaks of: one atomic state
/// per reachable (phase, role, recording, availability) ([`table::is_reachable`]),
/// named `phase/role/recording/availability` (`connected/owner/on/ready`), with
/// `meta` holding the four parts. A state's `on` has one transition per event the table accepts there,
/// keyed by the canonical name, and no other: its `target` is the state the table's
/// cell leads to (itself for a rule that changes nothing the state names), its
/// `description` the rule as the drawings label it and `meta.rule` its index in
/// [`TABLE`](crate::TABLE). The machine starts in
/// `ready/owner/off/ready`; an agent that starts idle starts in `idle/owner/off/idle`.
///
/// What the config cannot say: the interaction (a call's id, checked on every
/// record by the engine) and the times. An XState actor also ignores an event its
/// state does not accept, where the engine rejects it.
///
/// ```
/// let config: serde_json::Value = serde_json::from_str(&callstate::graph::xstate()).unwrap();
/// assert_eq!(config["initial"], "ready/owner/off/ready");
/// let offered = &config["states"]["offered/owner/off/ready"]["on"];
/// assert_eq!(offered["CustAnswered"]["target"], "connected/owner/off/ready");
/// assert!(offered.get("eAgentContactHeld").is_none());
/// ```
pub fn xstate() -> String {
    let states = reachable_statuses()
        .map(|status| {
            let on = Event::iter()
                .filter_map(|event| {
                    let step = table::step_at(table::StateCode::of(status), event)?;
                    let next = step.next.status();
                    let transition = XstateTransition {
                        target: xstate_id(next),
                        description: rule_label(step.rule()),
                        meta: XstateRule {
                            rule: table::rule_index(
                                status.phase,
                                status.recording,
                                status.role,
                                event,
                            )?,
                        },
                    };
                    Some((event.name().to_owned(), transition))
                })
                .collect();
            let state = XstateState {
                meta: status,
                on: Ordered(on),
            };
            (xstate_id(status), state)
        })
        .collect();
    let initial = Status {
        phase: Phase::Ready,
        role: Role::Owner,
        recording: Recording::Off,
        availability: Availability::Ready,
    };
    let config = XstateConfig {
        id: "callstate",
        description: GENERATED,
        initial: xstate_id(initial),
        states: Ordered(states),
    };
    let mut out = serde_json::to_string_pretty(&config).unwrap_or_default();
    out.push('\n');
    out
}

/// Every reachable (phase, role, recording, availability), in phase, role,
/// recording, availability order.
fn reachable_statuses() -> impl Iterator<Item = Status> {
    every_status().filter(|&s| table::is_reachable(s))
}

/// Every (phase, role, recording, availability), in that order.
fn every_status() -> impl Iterator<Item = Status> {
    Phase::iter().flat_map(|phase| {
        Role::iter().flat_map(move |role| {
            Recording::iter().flat_map(move |recording| {
                Availability::iter().map(move |availability| Status {
                    phase,
                    role,
                    recording,
                    availability,
                })
            })
        })
    })
}

/// The XState state id of `status`: `phase/role/recording/availability` (no
/// `.`, XState's path separator, and no `#`, its id marker).
fn xstate_id(status: Status) -> String {
    format!(
        "{}/{}/{}/{}",
        status.phase, status.role, status.recording, status.availability
    )
}

/// A JSON object whose keys keep the order they are given in.
struct Ordered<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
struct XstateConfig {
    id: &'static str,
    description: &'static str,
    initial: String,
    states: Ordered<XstateState>,
}

#[derive(Serialize)]
struct XstateState {
    meta: Status,
    on: Ordered<XstateTransition>,
}

#[derive(Serialize)]
struct XstateTransition {
    target: String,
    description: String,
    meta: XstateRule,
}

#[derive(Serialize)]
struct XstateRule {
    rule: usize,
}
#[cfg(test)]
mod tests {
    use super::*;

    /// The `on` of every state of the XState config, by state id.
    fn xstate_states() -> (
        serde_json::Value,
        serde_json::Map<String, serde_json::Value>,
    ) {
        let config: serde_json::Value = serde_json::from_str(&xstate()).unwrap();
        let states = config["states"].as_object().unwrap().clone();
        (config, states)
    }

    #[test]
    fn the_xstate_config_accepts_exactly_what_the_table_accepts() {
        let (_, states) = xstate_states();
        let mut transitions = 0;
        for status in every_status() {
            let Status {
                phase,
                role,
                recording,
                ..
            } = status;
            let id = xstate_id(status);
            let Some(state) = states.get(&id) else {
                assert!(
                    !table::is_reachable(status),
                    "{id} is reachable but has no state"
                );
                continue;
            };
            assert!(table::is_reachable(status), "{id}");
            assert_eq!(state["meta"], serde_json::to_value(status).unwrap());
            let on = state["on"].as_object().unwrap();
            for event in Event::iter() {
                let rule = table::rule_for(phase, recording, role, event);
                let transition = on.get(event.name());
                assert_eq!(
                    transition.is_some(),
                    rule.is_some(),
                    "{id} + {event}: config {transition:?}, table {rule:?}"
                );
                let (Some(transition), Some(rule)) = (transition, rule) else {
                    continue;
                };
                transitions += 1;
                let step = table::step_at(table::StateCode::of(status), event).unwrap();
                assert_eq!(transition["target"], xstate_id(step.next.status()));
                assert_eq!(transition["description"], rule_label(rule));
                assert_eq!(
                    transition["meta"]["rule"],
                    table::rule_index(phase, recording, role, event).unwrap()
                );
            }
            let canonical = |name: &String| Event::iter().any(|e| e.name() == name);
            assert!(on.keys().all(canonical), "{id}: {:?}", on.keys());
        }
        assert_eq!(states.len(), 94, "the reachable states");
        assert_eq!(
            transitions, 1255,
            "the legal cells, the snapshot's included"
        );
    }

    #[test]
    fn the_xstate_config_is_closed_and_pure_data() {
        let (config, states) = xstate_states();
        assert!(states.contains_key(config["initial"].as_str().unwrap()));
        assert_eq!(config["initial"], "ready/owner/off/ready");
        assert!(states.contains_key("idle/owner/off/idle"));
        for (id, state) in &states {
            assert!(!id.contains(['.', '#']), "{id}");
            for transition in state["on"].as_object().unwrap().values() {
                let target = transition["target"].as_str().unwrap();
                assert!(states.contains_key(target), "{id} -> {target}");
                // Only data XState reads as data: no guard, action or invoke names.
                let mut keys: Vec<&String> = transition.as_object().unwrap().keys().collect();
                keys.sort();
                assert_eq!(keys, ["description", "meta", "target"]);
            }
        }
        let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
    }
}
