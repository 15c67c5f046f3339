//! Every notification name the Webex CC JavaScript SDK handles
//! (`tests/fixtures/webex-sdk-events.txt`, one name per line, from
//! `@webex/contact-center` 3.12.0 and its upstream line) is placed by SPEC v3 §2:
//! a transition event, a call notice, an agent notice, or a name a field decides.

use callstate::{ByField, Deciders, EventName, Placement, StateMessage};

const SDK_NAMES: &str = include_str!("../fixtures/webex-sdk-events.txt");

fn names() -> impl Iterator<Item = &'static str> {
    SDK_NAMES.lines().map(str::trim).filter(|l| !l.is_empty())
}

#[test]
fn every_sdk_name_is_placed() {
    let unplaced: Vec<&str> = names().filter(|n| Placement::of(n).is_none()).collect();
    assert!(unplaced.is_empty(), "unplaced: {unplaced:?}");
    assert_eq!(names().count(), 78);
}

/// A websocket record with a `subStatus` the agent-state messages know: then no
/// SDK name resolves to an unknown event.
#[test]
fn no_sdk_name_resolves_to_unknown_on_the_websocket() {
    let fields = Deciders {
        websocket: true,
        sub_status: Some("Available"),
        ..Deciders::NONE
    };
    for name in names() {
        let resolved = callstate::resolve_name(name, &fields).unwrap();
        assert!(
            !matches!(resolved, EventName::Unknown(_)),
            "{name} resolves to an unknown event"
        );
    }
    // Another subStatus: AgentStateChange alone stays unknown (v2's rule).
    let other = Deciders {
        sub_status: Some("RONA"),
        ..fields
    };
    for name in names() {
        let resolved = callstate::resolve_name(name, &other).unwrap();
        let is_state_change = Placement::of(name)
            == Some(Placement::ByField(ByField::AgentState(
                StateMessage::AgentStateChange,
            )));
        assert_eq!(
            matches!(resolved, EventName::Unknown(_)),
            is_state_change,
            "{name}"
        );
    }
}
