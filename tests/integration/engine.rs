//! `Engine`'s own accessors: equality (where new agents start, the mode and every
//! agent's state, each on its own) and emptiness.

use callstate::{Availability, Engine, Event, Mode, Record};

fn with_agent(engine: Engine) -> Engine {
    let mut engine = engine;
    engine
        .apply(&Record::new("a", Event::OfferContact).interaction("c1"))
        .unwrap();
    engine
}

#[test]
fn engines_are_equal_when_initial_mode_and_agents_all_are() {
    assert_eq!(Engine::new(), Engine::new());
    assert_eq!(with_agent(Engine::new()), with_agent(Engine::new()));
    // Each part alone makes two engines differ.
    assert_ne!(Engine::new(), with_agent(Engine::new()), "agents");
    assert_ne!(
        Engine::new(),
        Engine::starting(Availability::Idle),
        "where new agents start"
    );
    assert_ne!(Engine::new(), Engine::new().with_mode(Mode::Resync), "mode");
}

#[test]
fn an_engine_is_empty_until_it_knows_an_agent() {
    let engine = Engine::new();
    assert!(engine.is_empty());
    assert_eq!(engine.len(), 0);
    let engine = with_agent(engine);
    assert!(!engine.is_empty());
    assert_eq!(engine.len(), 1);
}

/// SPEC §3.3: an agent notice with no agent id is accepted and concerns no agent;
/// an agent notice's interaction id counts nowhere (`interactions`, resync's
/// touched calls), whether or not its agent holds a call.
#[test]
fn agent_notices_name_no_agent_and_no_call() {
    use callstate::replay::{Replay, Verdict};
    use callstate::wire::input::Line;

    for mode in [Mode::Strict, Mode::Resync] {
        let mut replay = Replay::default().with_mode(mode);
        for line in [
            r#"{"event":"Welcome"}"#,
            r#"{"type":"Welcome","data":{}}"#,
            r#"{"data":{"type":"AgentStationLoginSuccess"}}"#,
            r#"{"agent":"a","event":"Welcome","interaction":"x"}"#,
        ] {
            let verdict = replay.feed(Line::Text(line.as_bytes()));
            assert!(
                matches!(verdict, Verdict::Accepted(_)),
                "{line}: {verdict:?}"
            );
        }
        // Rejected as out of order: its id is not touched either.
        let late = r#"{"agent":"a","event":"Welcome","time":127}"#;
        assert!(matches!(
            replay.feed(Line::Text(late.as_bytes())),
            Verdict::Accepted(_)
        ));
        let earlier = r#"{"agent":"a","event":"Welcome","interaction":"c1","time":100}"#;
        assert!(matches!(
            replay.feed(Line::Text(earlier.as_bytes())),
            Verdict::NotAccepted(_)
        ));
        let offer = r#"{"agent":"a","event":"eAgentOfferContact","interaction":"c1","time":128}"#;
        assert!(matches!(
            replay.feed(Line::Text(offer.as_bytes())),
            Verdict::Accepted(_)
        ));
        let summary = replay.summary();
        assert_eq!((summary.records, summary.accepted), (7, 6), "{mode:?}");
        assert_eq!(
            summary.agents, 1,
            "{mode:?}: the notices with no agent concern none"
        );
        assert_eq!(summary.interactions, 1, "{mode:?}: only the offer's c1");
        if mode == Mode::Resync {
            assert_eq!(summary.clean_interactions, Some(1), "c1 was not touched");
        }
    }
}
