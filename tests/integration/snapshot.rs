//! Snapshots: an engine saved in the middle of a multi-agent flow and restored goes on
//! exactly as the original would; corrupt snapshots are errors, never panics.

use callstate::{
    Accepted, Availability, Engine, Event, EventName, MachineState, Phase, Record, Recording,
    Rejection, RejectionKind, Snapshot,
};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// (agent, event name, interaction, time)
type Line = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
);

/// Four agents interleaved: a preview call with consult and conference, recording
/// and wrap-up; a progressive call that is not answered; an idle agent; an agent
/// whose call is dropped — with rejected, unknown and malformed records among them.
const FLOW: &[Line] = &[
    ("ann", "eAgentOfferCampaignReserved", Some("p-1"), Some(100)),
    ("bob", "AgentOfferContact", Some("q-1"), Some(101)),
    ("cid", "NotReady", None, Some(102)),
    ("ann", "eAgentOfferContact", Some("p-1"), Some(103)),
    ("cid", "eAgentOfferContact", Some("r-1"), Some(104)), // agent_not_ready
    ("ann", "CustAnswered", Some("p-1"), Some(105)),
    ("bob", "eAgentOfferContactRona", None, Some(106)),
    ("ann", "eCallRecordingstarted", None, Some(107)),
    ("dee", "AgentOfferContact", Some("d-1"), Some(108)),
    ("ann", "eAgentConsultCreated", None, Some(109)),
    ("dee", "CustAnswered", None, Some(110)),
    ("ann", "Swapped", None, Some(111)), // unknown_event
    ("ann", "eAgentConsulting", Some("p-1"), Some(112)),
    ("dee", "eResumeRecording", None, Some(113)), // illegal (recording off; v3 allows a pause, §3.1)
    ("ann", "eAgentConsultConferenced", None, Some(114)),
    ("bob", "Available", None, Some(115)),
    ("ann", "ContactRecordingPaused", None, Some(116)),
    ("dee", "eAgentContactHeld", Some("x-9"), Some(117)), // interaction_mismatch
    ("ann", "eAgentConsultConferenceEnded", None, Some(118)),
    ("dee", "eAgentContactHeld", None, Some(90)), // out_of_order
    ("ann", "AgentIdle", Some("other"), Some(119)),
    ("", "AgentIdle", None, Some(120)), // malformed
    ("ann", "eAgentContactEnded", None, Some(121)),
    ("bob", "AgentOfferContact", Some("q-2"), None),
    ("dee", "DROPPED", None, Some(122)),
    ("ann", "acw", None, Some(123)),
    ("bob", "eAgentOfferCampaignReserved", Some("q-3"), Some(124)), // agent_busy
    ("ann", "eAgentContactWrappedUp", None, Some(125)),
    ("cid", "Available", None, Some(126)),
    ("bob", "CustAnswered", None, Some(127)),
    ("cid", "eAgentOfferContact", Some("r-2"), Some(128)),
    ("ann", "eAgentOfferContact", Some("p-2"), Some(129)), // agent_not_ready (idle)
    ("bob", "DROPPED", Some("q-2"), Some(130)),
    ("cid", "eAgentOfferContact", None, Some(131)), // malformed (offer without id)
    ("ann", "acw", None, Some(132)),                // illegal
    ("cid", "DROPPED", None, Some(133)),
    ("ann", "Ready", None, Some(134)),
    ("ann", "eAgentOfferContact", Some("p-2"), Some(135)),
];

fn record(line: &Line) -> Record<'static> {
    let (agent, name, interaction, time) = *line;
    Record {
        interaction,
        time,
        ..Record::new(agent, EventName::resolve(name))
    }
}

fn run(engine: &mut Engine, lines: &[Line]) -> Vec<Result<Accepted, Rejection>> {
    #[allow(clippy::result_large_err)] // the library's own error type, kept whole
    lines.iter().map(|l| engine.apply(&record(l))).collect()
}

#[test]
fn the_flow_does_what_it_says() {
    let mut engine = Engine::new();
    let results = run(&mut engine, FLOW);
    let kinds: Vec<Option<RejectionKind>> = results
        .iter()
        .map(|r| r.as_ref().err().map(Rejection::kind))
        .collect();
    use RejectionKind as K;
    let expected_rejections: BTreeMap<usize, RejectionKind> = BTreeMap::from([
        (4, K::AgentNotReady),
        (11, K::UnknownEvent),
        (13, K::IllegalTransition),
        (17, K::InteractionMismatch),
        (19, K::OutOfOrder),
        (21, K::Malformed),
        (26, K::AgentBusy),
        (31, K::AgentNotReady),
        (33, K::Malformed),
        (34, K::NoActiveCall),
    ]);
    for (i, kind) in kinds.iter().enumerate() {
        assert_eq!(
            *kind,
            expected_rejections.get(&i).copied(),
            "line {i}: {:?}",
            FLOW[i]
        );
    }
    assert_eq!(engine.phase_of("ann"), Phase::Offered);
    assert_eq!(engine.agent("ann").unwrap().interaction(), Some("p-2"));
    assert_eq!(
        engine.agent("ann").unwrap().availability(),
        Availability::Ready
    );
    assert_eq!(engine.phase_of("bob"), Phase::Ready);
    assert_eq!(engine.phase_of("cid"), Phase::Ready);
    assert_eq!(engine.phase_of("dee"), Phase::Ready);
    assert_eq!(engine.open_calls(), 1);
    assert_eq!(engine.len(), 4);
}

/// At every point of the flow: save, restore (from JSON and from the struct), go on.
#[test]
fn restored_engines_go_on_exactly_like_the_original() {
    for initial in [Availability::Ready, Availability::Idle] {
        for split in 0..=FLOW.len() {
            let mut original = Engine::starting(initial);
            run(&mut original, &FLOW[..split]);
            let json = original.to_snapshot_json();

            let mut from_json = Engine::from_snapshot_json(&json).expect("own snapshot");
            let mut from_struct = Engine::restore(original.snapshot()).expect("own snapshot");
            for restored in [&from_json, &from_struct] {
                assert_eq!(*restored, original, "split {split}");
                assert_eq!(
                    restored.open_calls(),
                    original.open_calls(),
                    "split {split}"
                );
                assert_eq!(restored.len(), original.len());
                assert_eq!(restored.initial(), initial);
                assert_eq!(restored.to_snapshot_json(), json, "split {split}");
                for (id, m) in original.agents() {
                    assert_eq!(restored.agent(id), Some(m), "split {split}, agent {id}");
                }
            }

            let rest = &FLOW[split..];
            let want = run(&mut original, rest);
            assert_eq!(run(&mut from_json, rest), want, "split {split}");
            assert_eq!(run(&mut from_struct, rest), want, "split {split}");
            let final_json = original.to_snapshot_json();
            assert_eq!(from_json.to_snapshot_json(), final_json, "split {split}");
            assert_eq!(from_struct.to_snapshot_json(), final_json, "split {split}");
            assert_eq!(from_json.open_calls(), original.open_calls());
            assert_eq!(from_struct.open_calls(), original.open_calls());
            assert_eq!(from_json, original);
        }
    }
}

#[test]
fn the_snapshot_keeps_times_and_where_new_agents_start() {
    let mut engine = Engine::starting(Availability::Idle);
    engine
        .apply(&Record::new("a", Event::AgentAvailable).at(1_000))
        .unwrap();
    let mut restored = Engine::from_snapshot_json(&engine.to_snapshot_json()).unwrap();
    assert_eq!(restored.agent("a").unwrap().last_time(), Some(1_000));
    let r = restored
        .apply(&Record::new("a", Event::AgentIdle).at(999))
        .unwrap_err();
    assert_eq!(r.kind(), RejectionKind::OutOfOrder);
    // A never-seen agent of the restored engine starts idle, as in the original.
    let r = restored
        .apply(&Record::new("z", Event::OfferContact).interaction("c"))
        .unwrap_err();
    assert_eq!(r.kind(), RejectionKind::AgentNotReady);
}

#[test]
fn the_snapshot_format() {
    let mut engine = Engine::new();
    engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c").at(5))
        .unwrap();
    engine.apply(&Record::new("b", Event::AgentIdle)).unwrap();
    assert_eq!(
        engine.to_snapshot_json(),
        r#"{"version":3,"initial":"ready","mode":"strict","agents":{"a":{"phase":"offered","role":"owner","recording":"off","availability":"ready","interaction":"c","last_time":5},"b":{"phase":"idle","role":"owner","recording":"off","availability":"idle"}}}"#
    );
}

#[test]
fn version_2_snapshots_restore_as_owners_with_no_finished_call() {
    let v2 = r#"{"version":2,"initial":"ready","mode":"strict","agents":{"a":{"phase":"offered","recording":"off","availability":"ready","interaction":"c","last_time":5}}}"#;
    let engine = Engine::from_snapshot_json(v2).unwrap();
    let a = engine.agent("a").unwrap();
    assert_eq!((a.role(), a.finished()), (callstate::Role::Owner, None));
    // Before version 3 a strict snapshot with `finished` is resync memory.
    let strict_finished = r#"{"version":2,"initial":"ready","mode":"strict","agents":{"a":{"phase":"ready","recording":"off","availability":"ready","finished":"c"}}}"#;
    assert!(Engine::from_snapshot_json(strict_finished).is_err());
    let v3 = strict_finished.replace(r#""version":2"#, r#""version":3"#);
    assert!(Engine::from_snapshot_json(&v3).is_ok());
}

// ---------------------------------------------------------------------------------
// Corrupt snapshots.
// ---------------------------------------------------------------------------------

/// A valid snapshot to corrupt: one agent per interesting shape.
fn valid_json() -> String {
    let mut engine = Engine::new();
    let mut r = |a: &'static str, e: Event, i: Option<&'static str>, t: i64| {
        let mut rec = Record::new(a, e).at(t);
        rec.interaction = i;
        engine.apply(&rec).unwrap();
    };
    r("a", Event::OfferContact, Some("call-1"), 1);
    r("a", Event::CustAnswered, None, 2);
    r("a", Event::RecordingStarted, None, 3);
    r("b", Event::AgentIdle, None, 4);
    r("c", Event::OfferCampaignReserved, Some("call-2"), 5);
    engine.to_snapshot_json()
}

fn must_fail(json: &str) {
    let got = catch_unwind(AssertUnwindSafe(|| Engine::from_snapshot_json(json)));
    match got {
        Err(_) => panic!("restoring {json:?} panicked"),
        Ok(Ok(engine)) => panic!("{json:?} was restored: {engine:?}"),
        Ok(Err(e)) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn the_valid_snapshot_is_valid() {
    let json = valid_json();
    let engine = Engine::from_snapshot_json(&json).unwrap();
    assert_eq!(engine.open_calls(), 2);
    assert_eq!(engine.to_snapshot_json(), json);
}

#[test]
fn truncated_snapshots_are_errors() {
    let json = valid_json();
    for end in 0..json.len() {
        must_fail(&json[..end]);
    }
}

#[test]
fn corrupt_snapshots_are_errors() {
    let json = valid_json();
    let a = r#""a":{"phase":"connected","role":"owner","recording":"on","availability":"ready","interaction":"call-1","last_time":3}"#;
    let b = r#""b":{"phase":"idle","role":"owner","recording":"off","availability":"idle","last_time":4}"#;
    assert!(json.contains(a) && json.contains(b), "{json}");
    let with_a = |new_a: &str| json.replace(a, new_a);
    let cases: Vec<(&str, String)> = vec![
        ("version 4", json.replace(r#""version":3"#, r#""version":4"#)),
        ("version 0", json.replace(r#""version":3"#, r#""version":0"#)),
        ("version -1", json.replace(r#""version":3"#, r#""version":-1"#)),
        ("version huge", json.replace(r#""version":3"#, r#""version":4294967297"#)),
        ("version string", json.replace(r#""version":3"#, r#""version":"3""#)),
        ("version float", json.replace(r#""version":3"#, r#""version":1.5"#)),
        ("version null", json.replace(r#""version":3"#, r#""version":null"#)),
        ("no version", json.replace(r#""version":3,"#, "")),
        ("no initial", json.replace(r#""initial":"ready","#, "")),
        ("bad mode", json.replace(r#""mode":"strict""#, r#""mode":"lenient""#)),
        ("resync memory with an unknown event", with_a(&a.replace(r#""last_time":3"#, r#""last_time":3,"last_event":"Swapped""#))),
        ("resync memory with an empty finished call", with_a(&a.replace(r#""last_time":3"#, r#""last_time":3,"finished":"""#))),
        ("bad initial", json.replace(r#""initial":"ready""#, r#""initial":"busy""#)),
        ("initial is a phase", json.replace(r#""initial":"ready""#, r#""initial":"connected""#)),
        ("no agents", json[..json.find(r#","agents""#).unwrap()].to_owned() + "}"),
        ("agents is a list", r#"{"version":1,"initial":"ready","agents":[]}"#.to_owned()),
        ("agents is null", r#"{"version":1,"initial":"ready","agents":null}"#.to_owned()),
        ("unknown phase", with_a(&a.replace("connected", "flying"))),
        ("phase in the wrong case", with_a(&a.replace("connected", "Connected"))),
        ("phase is a number", with_a(&a.replace(r#""connected""#, "4"))),
        ("call phase without interaction", with_a(&a.replace(r#","interaction":"call-1""#, ""))),
        ("call phase with null interaction", with_a(&a.replace(r#""call-1""#, "null"))),
        ("empty interaction", with_a(&a.replace("call-1", ""))),
        ("interaction is a number", with_a(&a.replace(r#""call-1""#, "7"))),
        ("idle agent holding an interaction", json.replace(b, r#""b":{"phase":"idle","role":"owner","recording":"off","availability":"idle","interaction":"x"}"#)),
        ("ready agent holding an interaction", json.replace(b, r#""b":{"phase":"ready","role":"owner","recording":"off","availability":"ready","interaction":"x"}"#)),
        // (v3: a snapshot can set offered with recording on, §3.5; reserved it never sets.)
        ("recording on in reserved", with_a(&a.replace("connected", "reserved"))),
        ("consulted in reserved", with_a(&a.replace("connected", "reserved").replace(r#""on""#, r#""off""#).replace("owner", "consulted"))),
        ("consulted in ready", json.replace(b, &b.replace("idle\",\"role\":\"owner", "idle\",\"role\":\"consulted"))),
        ("consulted in consulting", with_a(&a.replace("connected", "consulting").replace("owner", "consulted"))),
        ("unknown role", with_a(&a.replace("owner", "boss"))),
        ("role in the wrong case", with_a(&a.replace("owner", "Owner"))),
        ("recording paused in reserved", with_a(&a.replace("connected", "reserved").replace(r#""on""#, r#""paused""#))),
        ("recording on in idle", json.replace(b, &b.replace(r#""off""#, r#""on""#))),
        ("unknown recording", with_a(&a.replace(r#""on""#, r#""loud""#))),
        ("unknown availability", with_a(&a.replace(r#""availability":"ready""#, r#""availability":"away""#))),
        ("availability is a phase", with_a(&a.replace(r#""availability":"ready""#, r#""availability":"connected""#))),
        ("missing recording", with_a(&a.replace(r#""recording":"on","#, ""))),
        ("missing phase", with_a(&a.replace(r#""phase":"connected","#, ""))),
        ("empty agent id", json.replace(r#""b":{"#, r#""":{"#)),
        ("extra top-level field", json.replace(r#""version":3"#, r#""version":3,"open_calls":2"#)),
        ("extra agent field", with_a(&a.replace(r#""last_time":3"#, r#""last_time":3,"mode":"preview""#))),
        ("last_time is a string", with_a(&a.replace(r#""last_time":3"#, r#""last_time":"3""#))),
        ("last_time is a float", with_a(&a.replace(r#""last_time":3"#, r#""last_time":3.5"#))),
        ("last_time overflows i128", with_a(&a.replace(r#""last_time":3"#, r#""last_time":170141183460469231731687303715884105728"#))),
        ("last_time overflows i64", with_a(&a.replace(r#""last_time":3"#, r#""last_time":9223372036854775808"#))),
        ("last_time below i64", with_a(&a.replace(r#""last_time":3"#, r#""last_time":-9223372036854775809"#))),
        ("agent is a string", json.replace(b, r#""b":"idle""#)),
        ("agent is null", json.replace(b, r#""b":null"#)),
        ("trailing garbage", json.clone() + "x"),
        ("two snapshots", json.clone() + &json),
        ("not JSON", "this is not json".to_owned()),
        ("empty", String::new()),
        ("whitespace", " \n\t".to_owned()),
        ("null", "null".to_owned()),
        ("a number", "1".to_owned()),
        ("a string", r#""snapshot""#.to_owned()),
        ("a list", "[]".to_owned()),
        ("an empty object", "{}".to_owned()),
        ("NUL", "\0".to_owned()),
        ("deeply nested lists", "[".repeat(100_000)),
        ("deeply nested objects", r#"{"a":"#.repeat(100_000)),
    ];
    for (what, corrupt) in &cases {
        let got = catch_unwind(AssertUnwindSafe(|| Engine::from_snapshot_json(corrupt)));
        match got {
            Err(_) => panic!("{what}: restoring panicked"),
            Ok(Ok(_)) => panic!("{what}: {corrupt:?} was restored"),
            Ok(Err(_)) => {}
        }
    }
}

#[test]
fn corrupt_snapshot_structs_are_errors() {
    let good = MachineState {
        role: callstate::Role::Owner,
        phase: Phase::Hold,
        recording: Recording::Paused,
        availability: Availability::Ready,
        interaction: Some("i".into()),
        last_time: Some(9),
        last_event: None,
        finished: None,
    };
    let snapshot = |version: u32, agents: Vec<(&str, MachineState)>| Snapshot {
        version,
        initial: Availability::Ready,
        mode: callstate::Mode::Strict,
        agents: agents.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    };
    assert!(Engine::restore(snapshot(1, vec![("a", good.clone())])).is_ok());
    let bad = [
        ("version 0", snapshot(0, vec![("a", good.clone())])),
        ("version 4", snapshot(4, vec![])),
        ("empty agent id", snapshot(1, vec![("", good.clone())])),
        (
            "no interaction",
            snapshot(
                1,
                vec![(
                    "a",
                    MachineState {
                        interaction: None,
                        ..good.clone()
                    },
                )],
            ),
        ),
        (
            "idle with an interaction",
            snapshot(
                1,
                vec![(
                    "a",
                    MachineState {
                        phase: Phase::Idle,
                        recording: Recording::Off,
                        ..good.clone()
                    },
                )],
            ),
        ),
        (
            // (v3: a snapshot can set offered with recording, §3.5; reserved it never sets.)
            "recording in reserved",
            snapshot(
                1,
                vec![(
                    "a",
                    MachineState {
                        phase: Phase::Reserved,
                        ..good.clone()
                    },
                )],
            ),
        ),
        (
            "consulted in reserved",
            snapshot(
                3,
                vec![(
                    "a",
                    MachineState {
                        phase: Phase::Reserved,
                        recording: Recording::Off,
                        role: callstate::Role::Consulted,
                        ..good.clone()
                    },
                )],
            ),
        ),
        (
            "empty interaction",
            snapshot(
                1,
                vec![(
                    "a",
                    MachineState {
                        interaction: Some(String::new()),
                        ..good.clone()
                    },
                )],
            ),
        ),
        (
            "one bad agent among good ones",
            snapshot(
                1,
                vec![
                    ("a", good.clone()),
                    (
                        "b",
                        MachineState {
                            phase: Phase::Ready,
                            ..good.clone()
                        },
                    ),
                ],
            ),
        ),
    ];
    for (what, s) in bad {
        let got = catch_unwind(AssertUnwindSafe(|| Engine::restore(s)));
        assert!(matches!(got, Ok(Err(_))), "{what}");
    }
}
