//! One record given as a line of JSON, applied to an engine: its verdict, and the
//! outbound events of what it applied — what the Node and Python packages'
//! `Engine.apply` and `Engine.emit` do.

use crate::engine::Engine;
use crate::model::machine::Accepted;
use crate::model::rejection::Rejection;
use crate::wire::outbound::{self, OutboundCallStateChange};
use crate::wire::{self, WireRecord};

/// What [`Engine::apply_with_call`] returns: what was accepted and the call it
/// is about, or the rejection.
type Verdict = Result<(Accepted, Option<String>), Rejection>;

/// Applies `line`, one record in any shape of SPEC §5. A line that is not UTF-8,
/// not JSON, not an object or lacks a field is a `malformed` rejection, as in a
/// replay (but a blank line is one too: here a record is expected).
pub fn apply_line(engine: &mut Engine, line: &[u8]) -> Verdict {
    apply_read(engine, wire::parse(line))
}

/// [`apply_line`], also giving the outbound events of every transition applied
/// (SPEC §6; inferred ones first, SPEC §8), as [`outbound::events_of`] orders
/// them. The line is read once.
pub fn emit_line(engine: &mut Engine, line: &[u8]) -> (Verdict, Vec<OutboundCallStateChange>) {
    let Ok(text) = std::str::from_utf8(line) else {
        return (apply_line(engine, line), Vec::new());
    };
    let (wire, carried) = match wire::parse_str_carried(text) {
        Ok(read) => read,
        Err(rejection) => return (Err(rejection), Vec::new()),
    };
    let record = match wire.record() {
        Ok(record) => record,
        Err(rejection) => return (Err(rejection), Vec::new()),
    };
    let result = engine.apply_with_call(&record);
    let read = Some((&carried, record.reservation));
    let events = outbound::events_of_read(read, &result);
    (result, events)
}

fn apply_read(engine: &mut Engine, read: Result<WireRecord<'_>, Rejection>) -> Verdict {
    let wire = read?;
    let record = wire.record()?;
    engine.apply_with_call(&record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resync::Mode;
    use crate::wire::outbound::{events_of, SOURCE, SOURCE_INFERRED};

    #[test]
    fn emit_line_gives_what_apply_line_and_events_of_give() {
        let log: [&[u8]; 5] = [
            br#"{"agent":"a","event":"AgentOfferContact","interaction":"c1","CallVariables":{"x":1}}"#,
            // Resync infers CustAnswered, then applies the hold.
            br#"{"agent":"a","event":"AgentContactHeld"}"#,
            b"",
            b"{\"agent\":\"a\",\"event\":\"\xff\"}",
            br#"{"agent":"a","event":"Lunch"}"#,
        ];
        let mut by_emit = Engine::new().with_mode(Mode::Resync);
        let mut by_apply = by_emit.clone();
        let mut sources = Vec::new();
        for line in log {
            let (result, events) = emit_line(&mut by_emit, line);
            assert_eq!(result, apply_line(&mut by_apply, line));
            let text = String::from_utf8_lossy(line);
            let json = |events: &[OutboundCallStateChange]| -> Vec<String> {
                events
                    .iter()
                    .map(OutboundCallStateChange::to_json)
                    .collect()
            };
            assert_eq!(json(&events), json(&events_of(&text, &result)));
            sources.push(
                events
                    .iter()
                    .map(|e| e.message.source.clone())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(sources[0], [SOURCE]);
        assert_eq!(sources[1], [SOURCE_INFERRED, SOURCE]);
        assert!(sources[2..].iter().all(Vec::is_empty));
        assert_eq!(by_emit, by_apply);
    }
}
