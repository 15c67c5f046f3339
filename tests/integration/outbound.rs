//! The seed sample through the library: parsed as shipped (pretty-printed), applied
//! after an offer, and rendered as the outbound event it causes.

use callstate::wire::outbound::{Carried, OutboundCallStateChange};
use callstate::wire::{self, Shape};
use callstate::{Engine, Event, Phase, Record};
use serde_json::Value;

const SEED: &str = include_str!("../fixtures/seed-sample-outbound-call.json");
const AGENT: &str = "97f9e4c2-1b32-42a6-b6aa-13ba08fe4ae0";
const INTERACTION: &str = "1191fe75-f6ab-413a-8275-2be7e7669a97";

/// What the record `line` carries into its outbound event.
fn carried(line: &str) -> Carried {
    let (_, text) = wire::parse_str_carried(line).unwrap();
    Carried::from_text(&text)
}

#[test]
fn seed_sample_parses_verbatim_as_an_envelope() {
    let wire = wire::parse(SEED.as_bytes()).unwrap();
    assert_eq!(wire.shape, Shape::Envelope);
    let record = wire.record().unwrap();
    assert_eq!(record.agent, AGENT);
    assert_eq!(record.event.as_str(), "CustAnswered");
    // data.interactionId wins over message.call.id.
    assert_eq!(record.interaction, Some(INTERACTION));
    assert_eq!(record.time, Some(1_718_965_753_439));
}

#[test]
fn seed_sample_reads_as_an_outbound_event_and_writes_back_the_same() {
    let event: OutboundCallStateChange = serde_json::from_str(SEED).unwrap();
    assert_eq!(
        event.message.call.response_fields.call_state,
        Phase::Connected
    );
    assert_eq!(event.message.call.event, "CustAnswered");
    let again: Value = serde_json::from_str(&event.to_json()).unwrap();
    let mut seed: Value = serde_json::from_str(SEED).unwrap();
    // SPEC v3 §6: every outbound event carries `Role`; the seed (v2) has none and
    // reads as the owner's.
    assert!(seed["message"]["call"]["ResponseFields"]
        .get("Role")
        .is_none());
    seed["message"]["call"]["ResponseFields"]["Role"] = "owner".into();
    assert_eq!(again, seed, "no field of the seed is lost or changed");
}

#[test]
fn seed_sample_after_an_offer_renders_its_transition() {
    let mut engine = Engine::new();
    engine
        .apply(
            &Record::new(AGENT, Event::OfferContact)
                .interaction(INTERACTION)
                .at(1_718_965_753_000),
        )
        .unwrap();
    let wire = wire::parse(SEED.as_bytes()).unwrap();
    let accepted = engine.apply(&wire.record().unwrap()).unwrap();
    let t = *accepted.transition().unwrap();
    assert_eq!(
        (t.from.phase, t.to.phase),
        (Phase::Offered, Phase::Connected)
    );

    let held = engine.agent(AGENT).and_then(|m| m.interaction());
    let event = OutboundCallStateChange::new(&t, held, carried(SEED));
    let got: Value = serde_json::from_str(&event.to_json()).unwrap();
    let seed: Value = serde_json::from_str(SEED).unwrap();
    assert_eq!(got["channel"], "Webexcc");
    assert_eq!(got["topic"], "outbound");
    assert_eq!(got["subtopic"], "OutBoundCallStateChange");
    let call = &got["message"]["call"];
    assert_eq!(call["id"], INTERACTION);
    assert_eq!(call["event"], "CustAnswered");
    assert_eq!(call["CallType"], "Regular-Call");
    assert_eq!(call["ResponseFields"]["CallState"], "connected");
    assert_eq!(call["ResponseFields"]["Type"], "OUTBOUND");
    for carried in ["fromAddress", "toAddress", "Campaign", "OutBoundType"] {
        assert_eq!(
            call["ResponseFields"][carried], seed["message"]["call"]["ResponseFields"][carried],
            "{carried}"
        );
    }
    assert_eq!(
        call["CallVariables"],
        seed["message"]["call"]["CallVariables"]
    );
    assert_eq!(
        call["ResponseActual"],
        seed["message"]["call"]["ResponseActual"]
    );
}

#[test]
fn websocket_input_is_carried_whole_and_native_carries_its_extras() {
    let ws = r#"{"data":{"agentId":"a","type":"AgentOfferContact","interactionId":"c"},"orgId":"o","type":"RoutingMessage"}"#;
    let mut engine = Engine::new();
    let wire = wire::parse(ws.as_bytes()).unwrap();
    let accepted = engine.apply(&wire.record().unwrap()).unwrap();
    let t = accepted.transition().unwrap();
    let event = OutboundCallStateChange::new(t, Some("c"), carried(ws));
    let got: Value = serde_json::from_str(&event.to_json()).unwrap();
    let call = &got["message"]["call"];
    assert_eq!(
        call["ResponseActual"],
        serde_json::from_str::<Value>(ws).unwrap()
    );
    assert_eq!(call["ResponseFields"]["CallState"], "offered");
    assert!(call.get("CallVariables").is_none());

    let native = r#"{"agent":"b","event":"Ready","fromAddress":"100","CallVariables":{"k":"v"}}"#;
    let wire = wire::parse(native.as_bytes()).unwrap();
    let accepted = engine.apply(&wire.record().unwrap()).unwrap();
    let t = accepted.transition().unwrap();
    let event = OutboundCallStateChange::new(t, None, carried(native));
    let got: Value = serde_json::from_str(&event.to_json()).unwrap();
    let call = &got["message"]["call"];
    assert!(call.get("id").is_none(), "no call, no id");
    assert!(call.get("ResponseActual").is_none());
    assert_eq!(call["ResponseFields"]["fromAddress"], "100");
    assert_eq!(call["CallVariables"]["k"], "v");
    assert_eq!(call["event"], "AgentAvailable");
}

/// A record resync repairs by inference gives its inferred events first
/// (`source` `inferred`, nothing carried), then its own, carrying its input.
#[test]
fn events_of_a_repaired_record_put_the_inferred_ones_first() {
    use callstate::wire::outbound::events_of;
    use callstate::{Engine, Mode};
    let mut engine = Engine::new().with_mode(Mode::Resync);
    let apply = |engine: &mut Engine, line: &str| {
        let wire = callstate::wire::parse_str(line).unwrap();
        let record = wire.record().unwrap();
        let result = engine.apply_with_call(&record);
        events_of(line, &result)
    };
    let offer = r#"{"agent":"a","interaction":"c1","event":"eAgentOfferContact"}"#;
    assert_eq!(apply(&mut engine, offer).len(), 1);
    let acw = r#"{"data":{"type":"AgentWrapup","agentId":"a","interactionId":"c1"}}"#;
    let events: Vec<serde_json::Value> = apply(&mut engine, acw)
        .iter()
        .map(|e| serde_json::from_str(&e.to_json()).unwrap())
        .collect();
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["message"]["source"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["message"]["call"]["event"].as_str().unwrap())
        .collect();
    // acw while offered: R10 infers the one lost event (SPEC v3 §10: CustAnswered,
    // acw being legal from a live phase; v2 inferred eAgentContactEnded).
    assert_eq!(sources, ["inferred", "event"]);
    assert_eq!(names, ["CustAnswered", "acw"]);
    assert!(events[0]["message"]["call"].get("ResponseActual").is_none());
    assert!(events[1]["message"]["call"].get("ResponseActual").is_some());
    // A skipped record (another call's event: R4) emits nothing.
    let other = r#"{"data":{"type":"AgentContactHeld","agentId":"a","interactionId":"c9"}}"#;
    assert!(apply(&mut engine, other).is_empty());
    // Nor does a notice (the same acw again, in wrapUp: SPEC v3 §3.2, §6).
    assert!(apply(&mut engine, acw).is_empty());
}
