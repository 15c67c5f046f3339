//! The time state a snapshot carries (SPEC §11): the rules, the clock and each
//! agent's current stay, so that an engine restored from it neither reports an
//! `overdue` twice nor forgets a deadline it was watching. Also the snapshot's
//! JSON form, which is [`Snapshot`]'s keys and then, when the engine has time
//! rules, `time` (a snapshot without it restores as before).

use crate::engine::Snapshot;
use crate::model::deadline::DeadlineSource;
use crate::model::machine::MachineState;
use crate::model::resync::Mode;
use crate::model::vocabulary::{Availability, Phase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The time state of an engine with time rules, as its snapshot carries it
/// ([`Engine::time_snapshot`](crate::Engine::time_snapshot)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSnapshot {
    /// The grace, in milliseconds.
    pub grace: i64,
    /// The user's limits, in milliseconds, by call phase.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<Phase, i64>,
    /// The clock (SPEC §11.2), once a time was seen.
    pub clock: Option<i64>,
    /// The current stay of every agent whose stay has a start, by agent id.
    #[serde(default)]
    pub stays: BTreeMap<String, StaySnapshot>,
}

/// One agent's current stay (SPEC §11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaySnapshot {
    /// When it began.
    pub since: i64,
    /// Its deadline, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<i64>,
    /// Where the deadline came from (with `deadline`, and only with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DeadlineSource>,
    /// `overdue` was reported for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reported: bool,
}

/// A snapshot's JSON: [`Snapshot`]'s keys, then `time`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SnapshotJson {
    version: u32,
    initial: Availability,
    #[serde(default)]
    mode: Mode,
    agents: BTreeMap<String, MachineState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time: Option<TimeSnapshot>,
}

impl SnapshotJson {
    pub(super) fn new(snapshot: Snapshot, time: Option<TimeSnapshot>) -> SnapshotJson {
        let Snapshot {
            version,
            initial,
            mode,
            agents,
        } = snapshot;
        SnapshotJson {
            version,
            initial,
            mode,
            agents,
            time,
        }
    }

    pub(super) fn split(self) -> (Snapshot, Option<TimeSnapshot>) {
        let SnapshotJson {
            version,
            initial,
            mode,
            agents,
            time,
        } = self;
        let snapshot = Snapshot {
            version,
            initial,
            mode,
            agents,
        };
        (snapshot, time)
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, SnapshotError};
    use crate::model::deadline::{DeadlineSource, Timers};
    use crate::model::finding::FindingKind;
    use crate::model::record::Record;
    use crate::model::time_rules::TimeRules;
    use crate::model::vocabulary::{Event, Phase};

    const RING: Timers<'static> = Timers {
        rona: Some("18"),
        ..Timers::NONE
    };

    /// a1 rings from 0 (deadline 18 s), a2 from 20 s, a3 is connected since
    /// 1 s (limit 60 s), a4 rings with no time; the clock then passes a1's
    /// deadline and grace.
    fn timed_engine() -> Engine {
        let rules = TimeRules::default()
            .with_limit(Phase::Connected, 60_000)
            .unwrap();
        let mut e = Engine::new().with_time(rules);
        let offer = |agent, call, t: Option<i64>| {
            let r = Record::new(agent, Event::OfferContact)
                .interaction(call)
                .timers(RING);
            match t {
                Some(t) => r.at(t),
                None => r,
            }
        };
        e.apply(&offer("a1", "c1", Some(0))).unwrap();
        e.apply(&offer("a3", "c3", Some(500))).unwrap();
        e.apply(&Record::new("a3", Event::CustAnswered).at(1_000))
            .unwrap();
        e.apply(&offer("a2", "c2", Some(20_000))).unwrap();
        e.apply(&offer("a4", "c4", None)).unwrap();
        let overdue = e.advance(23_001);
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].agent, "a1");
        e
    }

    #[test]
    fn a_snapshot_carries_the_rules_the_clock_and_the_stays() {
        let e = timed_engine();
        let time = e.time_snapshot().unwrap();
        assert_eq!(time.clock, Some(23_001));
        assert_eq!(time.limits.get(&Phase::Connected), Some(&60_000));
        assert_eq!(time.stays.len(), 3, "a4's stay has no start: nothing kept");
        let a1 = time.stays["a1"];
        assert_eq!(
            (a1.since, a1.deadline, a1.source, a1.reported),
            (0, Some(18_000), Some(DeadlineSource::RonaTimeout), true)
        );
        assert_eq!(time.stays["a3"].source, Some(DeadlineSource::Limit));
        let json = e.to_snapshot_json();
        assert!(json.contains(r#","time":{"grace":5000,"limits":{"connected":60000},"clock":23001,"stays":{"a1":{"since":0,"deadline":18000,"source":"ronaTimeout","reported":true}"#), "{json}");
        let restored = Engine::from_snapshot_json(&json).unwrap();
        assert_eq!(restored, e);
        assert_eq!(restored.time_snapshot(), Some(time));
        assert_eq!(restored.time_rules(), e.time_rules());
        assert_eq!(restored.open_stays(), e.open_stays());
        assert_eq!(restored.to_snapshot_json(), json);
    }

    #[test]
    fn a_restored_engine_neither_repeats_nor_loses_a_finding() {
        let mut e = timed_engine();
        let mut restored = Engine::from_snapshot_json(&e.to_snapshot_json()).unwrap();
        for engine in [&mut e, &mut restored] {
            assert!(engine.advance(43_000).is_empty(), "a1 once; a2 not yet");
            let found = engine.advance(66_001);
            let who: Vec<(&str, FindingKind)> =
                found.iter().map(|f| (f.agent.as_str(), f.kind)).collect();
            assert_eq!(
                who,
                [("a2", FindingKind::Overdue), ("a3", FindingKind::Overdue)]
            );
            // a1's answer ends a stay already reported overdue: not late.
            engine
                .apply(&Record::new("a1", Event::CustAnswered).at(70_000))
                .unwrap();
            assert!(engine.take_findings().is_empty());
        }
    }

    #[test]
    fn new_rules_keep_the_clock_and_the_stays() {
        let restored = Engine::from_snapshot_json(&timed_engine().to_snapshot_json()).unwrap();
        let mut e = restored.with_time(TimeRules::default().with_grace(0));
        assert_eq!(e.clock(), Some(23_001));
        // a2's deadline (38 s) as it was, with the new grace.
        let found = e.advance(38_001);
        assert_eq!((found.len(), found[0].agent.as_str()), (1, "a2"));
    }

    #[test]
    fn a_snapshot_without_time_state_restores_as_before() {
        let mut plain = Engine::new();
        plain
            .apply(
                &Record::new("a1", Event::OfferContact)
                    .interaction("c1")
                    .at(0),
            )
            .unwrap();
        let json = plain.to_snapshot_json();
        assert!(!json.contains(r#""time""#), "{json}");
        let mut e = Engine::from_snapshot_json(&json)
            .unwrap()
            .with_time(TimeRules::default());
        assert_eq!(e.open_stays()[0].since, None, "the stay's start is unknown");
        assert!(e.advance(i64::MAX).is_empty());
        // From a snapshot with time state, time rules come back without asking;
        // without_time drops them, stays and all.
        let timed = timed_engine().to_snapshot_json();
        let restored = Engine::from_snapshot_json(&timed).unwrap();
        assert!(restored.time_rules().is_some());
        let untimed = restored.without_time();
        assert_eq!(untimed.time_snapshot(), None);
        let retimed = untimed.with_time(TimeRules::default());
        assert!(retimed.open_stays().iter().all(|o| o.since.is_none()));
    }

    #[test]
    fn without_time_keeps_the_agents_and_drops_only_the_time_state() {
        let timed = timed_engine();
        let mut untimed = timed.clone().without_time();
        // The same agents, phases, initial phase and mode; no rules, clock or findings.
        assert_eq!(untimed, timed);
        assert_eq!((untimed.len(), untimed.open_calls()), (4, 4));
        assert_eq!((untimed.time_rules(), untimed.clock()), (None, None));
        assert!(untimed.advance(i64::MAX).is_empty());
        // Every call is still held, none of them timed.
        let held: Vec<(String, Option<String>, bool)> = untimed
            .open_stays()
            .into_iter()
            .map(|o| {
                (
                    o.agent,
                    o.interaction,
                    o.since.is_none() && o.deadline.is_none(),
                )
            })
            .collect();
        let expected = [("a1", "c1"), ("a2", "c2"), ("a3", "c3"), ("a4", "c4")]
            .map(|(agent, call)| (agent.to_owned(), Some(call.to_owned()), true));
        assert_eq!(held, expected);
    }

    #[test]
    fn a_time_state_that_does_not_fit_is_refused() {
        let json = timed_engine().to_snapshot_json();
        let stay = r#""a2":{"since":20000,"deadline":38000,"source":"ronaTimeout"}"#;
        assert!(json.contains(stay), "{json}");
        let cases = [
            json.replace(stay, &stay.replace("a2", "nobody")),
            json.replace(stay, &stay.replace(r#","source":"ronaTimeout""#, "")),
            json.replace(stay, &stay.replace(r#""deadline":38000,"#, "")),
            json.replace(r#""connected":60000"#, r#""ready":60000"#),
            json.replace(r#""clock":23001"#, r#""clock":"soon""#),
            json.replace(r#""grace":5000"#, r#""grace":5000,"jitter":1"#),
        ];
        for case in &cases {
            assert!(Engine::from_snapshot_json(case).is_err(), "{case}");
        }
        let mut idle = Engine::new().with_time(TimeRules::default());
        idle.apply(&Record::new("a2", Event::AgentIdle).at(1))
            .unwrap();
        let not_in_call = idle
            .to_snapshot_json()
            .replace(r#""stays":{}"#, r#""stays":{"a2":{"since":1}}"#);
        let err = Engine::from_snapshot_json(&not_in_call).unwrap_err();
        assert!(
            matches!(err, SnapshotError::Stay { ref agent } if agent == "a2"),
            "{err}"
        );
    }
}
