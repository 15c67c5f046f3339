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
