//! Input records (SPEC §5): one JSON object per line, in one of three shapes.
//!
//! | shape | told by | event | agent | interaction | time |
//! |---|---|---|---|---|---|
//! | outbound envelope | `message.call` present, not `null` | `message.call.event` | `….ResponseActual.data.agentId` | `….data.interactionId`, else `message.call.id` | `….data.eventTime` |
//! | websocket notification | `data.type` present, not `null` | `data.type` (+ `subStatus`) | `data.agentId` | `data.interactionId` | `data.eventTime` |
//! | native | otherwise | `event` | `agent` | `interaction` | `time` |
//!
//! The shape is decided per line, in that order (SPEC v2 §5): a non-`null`
//! `message.call` makes an envelope, malformed when it is not an object; else a
//! non-`null` `data.type` makes a websocket notification. `null` counts as
//! absent; unknown fields are ignored. Parsing borrows from the line and touches only the fields
//! above: ignored values are skipped by the JSON parser without being built. A key
//! given twice counts once, with its last value (as in most JSON readers).
//!
//! [`parse`] gives a [`WireRecord`] (what the line said, typed loosely) and
//! [`WireRecord::record`] checks it into an engine [`Record`] or a `malformed`
//! [`Rejection`] that still names whatever could be read.

use crate::model::deadline::Timers;
use crate::model::record::{self, Deciders, EventName, Field, Record, SnapshotView};
use crate::model::rejection::{Malformed, Rejection};
use crate::model::vocabulary::Event;

/// The reservation id, as a malformed record's message names it.
const RESERVATION: &str = "the reservation id (reservationInteractionId)";
use std::borrow::Cow;

mod depth;
pub mod input;
pub mod outbound;
mod scan;
mod schema;
mod serde_reader;
mod snapshot;

pub use depth::MAX_DEPTH;
pub use schema::{CarriedText, WireRecord};

/// Which of the three record shapes a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::AsRefStr)]
#[strum(serialize_all = "lowercase")]
#[non_exhaustive]
pub enum Shape {
    /// `{"agent": …, "interaction": …, "event": …, "time": …}`.
    Native,
    /// The seed's `OutboundCallStateChange` message (`message.call`).
    Envelope,
    /// A Webex CC websocket notification (`data.type`).
    Websocket,
}

/// A JSON value as far as record checking cares: a string, an integer, or
/// something else. `null` never appears: it is read as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar<'a> {
    /// A string (borrowed from the line unless it had escapes).
    Str(Cow<'a, str>),
    /// A JSON integer literal (no fraction, no exponent) in the signed 64-bit
    /// range (SPEC §9).
    Int(i64),
    /// Anything else: a number with a fraction or an exponent, an integer
    /// beyond 64 bits, a boolean, an array or an object.
    Other,
}

impl Scalar<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'a> WireRecord<'a> {
    /// The event name the record gives, resolved by SPEC §2.4's one rule
    /// ([`record::resolve`]) with the record's deciding fields: `None` when there
    /// is no string event name. `Err` inside: a deciding field of the wrong type;
    /// the name then resolves as if the field were absent, for the checks before.
    fn resolved(&self) -> Option<(EventName<'_>, Option<Malformed>)> {
        let name = self.event.as_ref()?.as_str()?;
        let agent = self.agent.as_ref().and_then(Scalar::as_str);
        let participant_is_agent = match &self.participant {
            None => Field::Absent,
            Some(Scalar::Str(p)) if !p.is_empty() => Field::Given(Some(p.as_ref()) == agent),
            Some(_) => Field::Wrong,
        };
        let pending_has_agent = match self.pending_wrap_up.map(serde_json::from_str) {
            None => Field::Absent,
            Some(Ok(serde_json::Value::Array(agents))) if agents.iter().all(|a| a.is_string()) => {
                Field::Given(agents.iter().any(|a| a.as_str() == agent))
            }
            Some(_) => Field::Wrong,
        };
        let fields = Deciders {
            websocket: self.shape == Shape::Websocket,
            sub_status: self.sub_status.as_ref().and_then(Scalar::as_str),
            participant_is_agent,
            pending_has_agent,
        };
        Some(match record::resolve(name, &fields) {
            Ok(event) => (event, None),
            Err(bad) => {
                let plain = Deciders {
                    participant_is_agent: Field::Absent,
                    pending_has_agent: Field::Absent,
                    ..fields
                };
                let event = record::resolve(name, &plain).unwrap_or(EventName::Unknown(name));
                (event, Some(bad))
            }
        })
    }

    /// The event name the record gives, resolved (SPEC §2.4, §5.3, §5.4): `None`
    /// when there is no string event name.
    pub fn event_name(&self) -> Option<EventName<'_>> {
        self.resolved().map(|(event, _)| event)
    }

    /// Checks the record (SPEC §4, `malformed`, with the checks and their order
    /// that `model::record::check` states) and gives it to the engine's terms.
    pub fn record(&self) -> Result<Record<'_>, Rejection> {
        let names = self.field_names();
        let resolved = self.resolved();
        let event = resolved.as_ref().map(|(event, _)| *event);
        fn id<'r>(s: &'r Option<Scalar<'_>>) -> Field<&'r str> {
            match s {
                None => Field::Absent,
                Some(Scalar::Str(s)) => Field::Given(s),
                Some(_) => Field::Wrong,
            }
        }
        let time = match self.time {
            None => Field::Absent,
            Some(Scalar::Int(t)) => Field::Given(t),
            Some(_) => Field::Wrong,
        };
        let checked = record::check(
            Field::from(event),
            id(&self.agent),
            id(&self.interaction),
            time,
            &names,
        )
        .map_err(|what| self.malformed(what, event))?;
        // Last of the malformed checks: a field of SPEC §5.4 the name uses.
        if let Some((_, Some(bad))) = &resolved {
            return Err(self.malformed(bad.clone(), event));
        }
        let reservation = match (checked.event, id(&self.reservation)) {
            (EventName::Known(Event::CustAnswered), Field::Given(r)) if !r.is_empty() => Some(r),
            (EventName::Known(Event::CustAnswered), Field::Given(_) | Field::Wrong) => {
                return Err(self.malformed(Malformed::BadField(RESERVATION), event))
            }
            _ => None,
        };
        let snapshot = if checked.event == EventName::Known(Event::ContactSnapshot) {
            snapshot::view(self.snapshot, Some(checked.agent), checked.interaction)
        } else {
            SnapshotView::default()
        };
        // Built in the one expression that returns it: the record (176 bytes) is
        // not copied once more.
        Ok(Record {
            reservation,
            snapshot,
            // `callProcessingDetails`' fields were read in the line's one pass, ahead
            // of the others in their paths (SPEC §11.4): `data.interaction` is never
            // read again for them (see `Timers::interaction`).
            timers: Timers {
                interaction: None,
                rona: self.rona_timeout,
                preview: self.preview_timeout,
                call_variables: self.call_variables,
            },
            ..checked
        })
    }

    fn malformed(&self, what: Malformed, event: Option<EventName<'_>>) -> Rejection {
        Rejection::malformed(what).naming(
            self.agent.as_ref().and_then(Scalar::as_str),
            self.interaction.as_ref().and_then(Scalar::as_str),
            event.map(|e| e.as_str()),
        )
    }
}

/// Reads one line (without its line ending) as a record of one of the three shapes.
///
/// ```
/// use callstate::wire::{parse, Shape};
/// let line = br#"{"agent":"a1","event":"custanswered","time":5,"extra":[1,{"x":null}]}"#;
/// let wire = parse(line).unwrap();
/// assert_eq!(wire.shape, Shape::Native);
/// let record = wire.record().unwrap();
/// assert_eq!(record.agent, "a1");
/// assert_eq!(record.event.as_str(), "CustAnswered");
/// ```
pub fn parse(line: &[u8]) -> Result<WireRecord<'_>, Rejection> {
    let text = std::str::from_utf8(line)
        .map_err(|e| Rejection::malformed(Malformed::NotUtf8(e.valid_up_to())))?;
    parse_str(text)
}

/// [`parse`] for a line already known to be UTF-8.
pub fn parse_str(text: &str) -> Result<WireRecord<'_>, Rejection> {
    parse_str_as(text, false)
}

/// [`parse_str`], leaving `data.interaction.callProcessingDetails` unread (see
/// [`WireRecord::rona_timeout`]): for a reader without time rules, which never reads a deadline field (SPEC §11.1).
/// `data.interaction`, a line's largest object, is then skipped whole.
pub fn parse_str_untimed(text: &str) -> Result<WireRecord<'_>, Rejection> {
    parse_str_as(text, true)
}

/// [`parse_str`], or [`parse_str_untimed`] if `untimed`.
pub(crate) fn parse_str_as(text: &str, untimed: bool) -> Result<WireRecord<'_>, Rejection> {
    if let Some(wire) = scan::read_as(text, untimed) {
        return wire;
    }
    serde_reader::parse_with_serde_as(text, untimed)
}

/// [`parse_str`], also giving what the record carries into its outbound event
/// (SPEC §6), read in the same pass: what emit reads a line for.
pub fn parse_str_carried(text: &str) -> Result<(WireRecord<'_>, CarriedText<'_>), Rejection> {
    parse_str_carried_as(text, false)
}

/// [`parse_str_carried`], or as [`parse_str_untimed`] reads if `untimed`.
pub(crate) fn parse_str_carried_as(
    text: &str,
    untimed: bool,
) -> Result<(WireRecord<'_>, CarriedText<'_>), Rejection> {
    let read = match scan::read_carrying(text, untimed) {
        Some(read) => read,
        None => serde_reader::parse_with_serde_carrying(text, untimed),
    };
    carried(text, read)
}

/// What a record `read` from `text` carries.
fn carried<'a>(
    text: &'a str,
    read: Result<(WireRecord<'a>, schema::Carrying<'a>), Rejection>,
) -> Result<(WireRecord<'a>, CarriedText<'a>), Rejection> {
    let (wire, carrying) = read?;
    let carried = carrying.take(&wire, text);
    Ok((wire, carried))
}

/// Not API (exempt from semver; for `fuzz/fuzz_targets/scan.rs`): does the fast
/// scanner either give up on `line` or read exactly what serde_json reads, as
/// replay reads and as emit does (what the record carries included)?
/// Lines that are not UTF-8 never reach either reader, so they agree.
#[doc(hidden)]
pub fn __fuzz_scan_agrees(line: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(line) else {
        return true;
    };
    scan::read(text).is_none_or(|fast| serde_reader::parse_with_serde(text) == fast)
        && scan::read_carrying(text, false).is_none_or(|fast| {
            let slow = serde_reader::parse_with_serde_carrying(text, false);
            carried(text, slow) == carried(text, fast)
        })
}

#[cfg(test)]
mod tests {
    use super::depth::nesting_exceeds;
    use super::*;
    use crate::model::rejection::{Reason, RejectionKind};

    type Fields = (Shape, String, String, Option<String>, Option<i64>);

    fn rec(line: &str) -> Result<Fields, Rejection> {
        let wire = parse(line.as_bytes())?;
        let r = wire.record()?;
        Ok((
            wire.shape,
            r.agent.to_owned(),
            r.event.as_str().to_owned(),
            r.interaction.map(str::to_owned),
            r.time,
        ))
    }

    #[test]
    fn native() {
        let (shape, agent, event, interaction, time) =
            rec(r#"{"agent":"a","interaction":"i","event":"eagentoffercontact","time":7}"#)
                .unwrap();
        assert_eq!(shape, Shape::Native);
        assert_eq!(
            (agent.as_str(), event.as_str()),
            ("a", "eAgentOfferContact")
        );
        assert_eq!(interaction.as_deref(), Some("i"));
        assert_eq!(time, Some(7));
    }

    #[test]
    fn a_bad_fallback_id_names_message_call_id() {
        let line = r#"{"message":{"call":{"event":"AgentIdle","id":5,"ResponseActual":{"data":{"agentId":"a"}}}}}"#;
        let r = parse_str(line).unwrap().record().unwrap_err();
        assert_eq!(r.kind(), crate::model::rejection::RejectionKind::Malformed);
        assert_eq!(
            r.to_string(),
            "malformed record: message.call.id is not a non-empty string"
        );
    }

    #[test]
    fn envelope_falls_back_to_call_id() {
        let line = r#"{"message":{"call":{"id":"c1","event":"acw","ResponseActual":{"data":{"agentId":"a","interactionId":null,"eventTime":3}}}}}"#;
        let (shape, _, event, interaction, time) = rec(line).unwrap();
        assert_eq!(shape, Shape::Envelope);
        assert_eq!(event, "acw");
        assert_eq!(interaction.as_deref(), Some("c1"));
        assert_eq!(time, Some(3));
    }

    #[test]
    fn websocket_state_change() {
        let line = r#"{"data":{"type":"agentstatechange","subStatus":"IDLE","agentId":"a"}}"#;
        assert_eq!(rec(line).unwrap().2, "AgentIdle");
        let line = r#"{"data":{"type":"AgentStateChange","subStatus":"Busy","agentId":"a"}}"#;
        let wire = parse(line.as_bytes()).unwrap();
        assert_eq!(
            wire.record().unwrap().event,
            EventName::Unknown("AgentStateChange")
        );
    }

    #[test]
    fn shape_order_and_null_as_absent() {
        // message.call null: not an envelope; data.type present: websocket.
        let line = r#"{"message":{"call":null},"data":{"type":"CustAnswered","agentId":"w"},"agent":"n","event":"acw"}"#;
        let (shape, agent, ..) = rec(line).unwrap();
        assert_eq!((shape, agent.as_str()), (Shape::Websocket, "w"));
        // message a string, data without type: native.
        let line = r#"{"message":"hi","data":{"agentId":"w"},"agent":"n","event":"acw"}"#;
        let (shape, agent, ..) = rec(line).unwrap();
        assert_eq!((shape, agent.as_str()), (Shape::Native, "n"));
        // message.call not an object: an envelope with no fields.
        let line = r#"{"message":{"call":5},"agent":"n","event":"acw"}"#;
        let err = rec(line).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::Malformed);
    }

    /// SPEC v2 §5: a non-null `message.call` makes an envelope, malformed when it
    /// is not an object — whatever else the line holds.
    #[test]
    fn a_message_call_that_is_not_an_object_is_malformed() {
        for call in [
            "5",
            "\"eAgentContactEnded\"",
            "[]",
            "[{}]",
            "true",
            "false",
            "1e400",
            "-0",
        ] {
            let line = format!(
                r#"{{"message":{{"call":{call}}},"data":{{"type":"Ready","agentId":"w"}},"agent":"n","event":"acw"}}"#
            );
            let err = parse(line.as_bytes()).unwrap_err();
            assert_eq!(
                err.reason,
                Reason::Malformed(Malformed::CallNotObject),
                "{line}"
            );
            assert_eq!((err.agent, err.interaction, err.event), (None, None, None));
        }
        // An object, even an empty one, is an envelope with its fields (here none).
        let err = rec(r#"{"message":{"call":{}},"agent":"n","event":"acw"}"#).unwrap_err();
        assert_eq!(
            err.reason,
            Reason::Malformed(Malformed::NoEvent("message.call.event"))
        );
        // The last message.call counts.
        let line = r#"{"message":{"call":5},"message":{"call":null},"agent":"n","event":"acw"}"#;
        assert_eq!(rec(line).unwrap().0, Shape::Native);
        let line = r#"{"message":{"call":{"event":"acw"},"call":"x"}}"#;
        assert_eq!(
            parse(line.as_bytes()).unwrap_err().reason,
            Reason::Malformed(Malformed::CallNotObject)
        );
    }

    /// SPEC v2 §5: a null `data.type` counts as absent, so the line is native.
    #[test]
    fn a_null_data_type_falls_back_to_native() {
        let line = r#"{"data":{"type":null,"agentId":"w","eventTime":"x"},"agent":"n","event":"Ready","time":3}"#;
        let (shape, agent, event, _, time) = rec(line).unwrap();
        assert_eq!(
            (shape, agent.as_str(), event.as_str(), time),
            (Shape::Native, "n", "AgentAvailable", Some(3))
        );
        // Any other data.type, even one that is no string, makes a websocket record.
        let line = r#"{"data":{"type":false,"agentId":"w"},"agent":"n","event":"Ready"}"#;
        let wire = parse(line.as_bytes()).unwrap();
        assert_eq!(wire.shape, Shape::Websocket);
        let err = wire.record().unwrap_err();
        assert_eq!(
            (err.reason, err.agent.as_deref(), err.event),
            (
                Reason::Malformed(Malformed::NoEvent("data.type")),
                Some("w"),
                None
            )
        );
    }

    /// SPEC v2 §4: `""` is an event name, an unknown one.
    #[test]
    fn the_empty_event_name_is_an_unknown_name() {
        for line in [
            r#"{"agent":"a","event":""}"#,
            r#"{"data":{"type":"","agentId":"a"}}"#,
            r#"{"message":{"call":{"event":"","ResponseActual":{"data":{"agentId":"a"}}}}}"#,
        ] {
            let wire = parse(line.as_bytes()).unwrap();
            assert_eq!(
                wire.record().unwrap().event,
                EventName::Unknown(""),
                "{line}"
            );
        }
        // An unknown name still needs the record's other fields.
        let err = rec(r#"{"agent":"a","event":"","time":1.5}"#).unwrap_err();
        assert_eq!(err.event.as_deref(), Some(""));
    }

    /// SPEC v2 §9: names match after mapping ASCII A–Z to a–z only.
    #[test]
    fn names_fold_ascii_case_only() {
        assert_eq!(
            rec(r#"{"agent":"a","event":"cUsTaNsWeReD"}"#).unwrap().2,
            "CustAnswered"
        );
        for unicode in [
            "CUſTANSWERED",
            r"CU\u017fTANSWERED",
            "AgentConſulting",
            "İdle",
            "ıdle",
        ] {
            let line = format!(r#"{{"agent":"a","event":"{unicode}"}}"#);
            let wire = parse(line.as_bytes()).unwrap();
            assert!(
                matches!(wire.record().unwrap().event, EventName::Unknown(_)),
                "{unicode}"
            );
        }
        // Escapes are decoded before matching.
        assert_eq!(rec(r#"{"agent":"a","event":"\u0041cw"}"#).unwrap().2, "acw");
        // subStatus folds ASCII case only too.
        let line = r#"{"data":{"type":"AgentStateChange","subStatus":"\u0130dle","agentId":"a"}}"#;
        assert_eq!(
            parse(line.as_bytes()).unwrap().event_name(),
            Some(EventName::Unknown("AgentStateChange"))
        );
    }

    /// SPEC v2 §9: `subStatus` is read only from `data.subStatus` of a websocket
    /// record; `AgentStateChange` in the other shapes is unknown.
    #[test]
    fn sub_status_belongs_to_websocket_records_only() {
        let native = r#"{"agent":"a","event":"AgentStateChange","subStatus":"Idle","data":{"subStatus":"Idle"}}"#;
        let envelope = r#"{"message":{"call":{"event":"AgentStateChange","subStatus":"Idle","ResponseActual":{"data":{"agentId":"a","subStatus":"Idle"}}}}}"#;
        for line in [native, envelope] {
            let wire = parse(line.as_bytes()).unwrap();
            assert_eq!(
                wire.record().unwrap().event,
                EventName::Unknown("AgentStateChange"),
                "{line}"
            );
        }
        // A websocket record's subStatus elsewhere than in data does not count.
        let ws = r#"{"subStatus":"Idle","data":{"type":"AgentStateChange","agentId":"a"}}"#;
        assert_eq!(
            parse(ws.as_bytes()).unwrap().event_name(),
            Some(EventName::Unknown("AgentStateChange"))
        );
        let ws = r#"{"data":{"type":"AgentStateChange","agentId":"a","subStatus":"available"}}"#;
        assert_eq!(rec(ws).unwrap().2, "AgentAvailable");
    }

    /// SPEC v2 §9: an envelope's `interactionId` present, non-null and not a
    /// non-empty string is malformed; `message.call.id` is not used instead.
    #[test]
    fn a_bad_envelope_interaction_id_has_no_fallback() {
        let line = |id: &str| {
            format!(
                r#"{{"message":{{"call":{{"id":"c1","event":"CustAnswered","ResponseActual":{{"data":{{"agentId":"a","interactionId":{id}}}}}}}}}}}"#
            )
        };
        for bad in ["\"\"", "7", "true", "[]", "{}", "[\"c1\"]"] {
            let err = rec(&line(bad)).unwrap_err();
            assert_eq!(
                err.reason,
                Reason::Malformed(Malformed::BadId(
                    "message.call.ResponseActual.data.interactionId"
                )),
                "{bad}"
            );
            assert_eq!(err.interaction, None, "{bad}");
        }
        assert_eq!(rec(&line("null")).unwrap().3.as_deref(), Some("c1"));
        assert_eq!(rec(&line("\"c2\"")).unwrap().3.as_deref(), Some("c2"));
    }

    /// SPEC v2 §9: a UTF-8 byte-order mark is part of the line; `NaN` and
    /// `Infinity` are not JSON.
    #[test]
    fn a_byte_order_mark_and_non_json_numbers_are_malformed() {
        let err = parse(b"\xef\xbb\xbf{\"agent\":\"a\",\"event\":\"Ready\"}").unwrap_err();
        assert!(
            matches!(err.reason, Reason::Malformed(Malformed::NotJson(_))),
            "{err}"
        );
        for number in ["NaN", "Infinity", "-Infinity", "+1", ".5", "0x10", "nan"] {
            for field in ["time", "x"] {
                let line = format!(r#"{{"agent":"a","event":"Ready","{field}":{number}}}"#);
                let err = rec(&line).unwrap_err();
                assert!(
                    matches!(err.reason, Reason::Malformed(Malformed::NotJson(_))),
                    "{line}: {err}"
                );
            }
        }
    }

    #[test]
    fn malformed_records_keep_what_could_be_read() {
        let err = rec(r#"{"agent": 7, "event":"agentwrapup"}"#).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::Malformed);
        assert_eq!(err.event.as_deref(), Some("acw"));
        assert_eq!(err.agent, None);
        let err = rec(r#"{"agent":"a9","event":"CustAnswered","time":"yesterday"}"#).unwrap_err();
        assert_eq!(err.agent.as_deref(), Some("a9"));
        for bad in [
            r#"{"agent":"a","event":"acw","time":1.0}"#,
            r#"{"agent":"a","event":"acw","time":true}"#,
            r#"{"agent":"a","event":"acw","interaction":""}"#,
            r#"{"agent":"","event":"acw"}"#,
            r#"{"agent":"a","event":5}"#,
            r#"{"agent":"a","event":"AgentOfferContact"}"#,
            r#"[1,2,3]"#,
            r#"not json"#,
            r#"{"agent": "a1", "event": "#,
            r#"{"agent":"a","event":"acw"} trailing"#,
        ] {
            assert_eq!(
                rec(bad).unwrap_err().kind(),
                RejectionKind::Malformed,
                "{bad}"
            );
        }
        assert_eq!(
            parse(b"{\"agent\":\"\xff\"}").unwrap_err().kind(),
            RejectionKind::Malformed
        );
    }

    #[test]
    fn a_time_is_an_integer_literal_in_the_64_bit_range() {
        let time = |t: &str| rec(&format!(r#"{{"agent":"a","event":"acw","time":{t}}}"#));
        assert_eq!(time("-0").unwrap().4, Some(0));
        assert_eq!(time("-12").unwrap().4, Some(-12));
        assert_eq!(time("9223372036854775807").unwrap().4, Some(i64::MAX));
        assert_eq!(time("-9223372036854775808").unwrap().4, Some(i64::MIN));
        assert_eq!(time("null").unwrap().4, None);
        for bad in [
            "9223372036854775808",
            "-9223372036854775809",
            "10000000000000000000000000",
            &"9".repeat(60),
            "5.0",
            "1.0",
            "1e3",
            "1E3",
            "-1.5",
            "1e400",
            "true",
            "\"5\"",
            "\"12\"",
            "[1]",
            "{}",
        ] {
            let err = time(bad).unwrap_err();
            assert_eq!(err.kind(), RejectionKind::Malformed, "{bad}");
            assert_eq!(err.agent.as_deref(), Some("a"), "{bad}");
        }
        let ws = r#"{"data":{"type":"Ready","agentId":"a","eventTime": 7 }}"#;
        assert_eq!(rec(ws).unwrap().4, Some(7));
        let ws = r#"{"data":{"type":"Ready","agentId":"a","eventTime":9223372036854775808}}"#;
        assert_eq!(rec(ws).unwrap_err().kind(), RejectionKind::Malformed);
    }

    #[test]
    fn escapes_and_duplicate_keys() {
        let (_, agent, event, ..) =
            rec(r#"{"ag\u0065nt":"a\"b","event":"x","event":"Ready"}"#).unwrap();
        assert_eq!(agent, "a\"b");
        assert_eq!(event, "AgentAvailable");
    }

    #[test]
    fn nesting_depth_counts_brackets_outside_strings() {
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!nesting_exceeds(nest(128).as_bytes(), 128));
        assert!(nesting_exceeds(nest(129).as_bytes(), 128));
        let quoted = format!(
            r#"{{"a":"{}\\","b":"\"{}"}}"#,
            "[".repeat(300),
            "{".repeat(300)
        );
        assert!(!nesting_exceeds(quoted.as_bytes(), 128));
        let line = format!(r#"{{"agent":"a","event":"acw","x":{}}}"#, nest(127));
        assert!(rec(&line).is_ok(), "128 levels in all are allowed");
        let line = format!(r#"{{"agent":"a","event":"acw","x":{}}}"#, nest(128));
        assert_eq!(rec(&line).unwrap_err().kind(), RejectionKind::Malformed);
    }

    #[test]
    fn a_repeated_subtree_counts_with_its_last_value() {
        let envelope =
            r#"{"message":{"call":{"event":"acw","ResponseActual":{"data":{"agentId":"e"}}}}"#;
        let line = format!(r#"{envelope},"message":5,"agent":"n","event":"acw"}}"#);
        assert_eq!(rec(&line).unwrap().0, Shape::Native);
        let line = r#"{"data":{"type":"acw","agentId":"w"},"data":{"agentId":"v"},"agent":"n","event":"acw"}"#;
        assert_eq!(rec(line).unwrap().0, Shape::Native);
        let line = r#"{"message":{"call":{"id":"c","event":"acw","ResponseActual":{"data":{"agentId":"a","interactionId":"i"},"data":{"agentId":"b"}}}}}"#;
        let (shape, agent, _, interaction, _) = rec(line).unwrap();
        assert_eq!(
            (shape, agent.as_str(), interaction.as_deref()),
            (Shape::Envelope, "b", Some("c"))
        );
    }

    #[test]
    fn many_brackets_then_a_trailing_backslash_is_malformed_not_a_crash() {
        let line = format!("\"{}\\", "[".repeat(200));
        assert!(!nesting_exceeds(line.as_bytes(), MAX_DEPTH));
        assert_eq!(rec(&line).unwrap_err().kind(), RejectionKind::Malformed);
        let line = format!("{}\"\\", "[".repeat(200));
        assert!(nesting_exceeds(line.as_bytes(), MAX_DEPTH));
        assert_eq!(rec(&line).unwrap_err().kind(), RejectionKind::Malformed);
    }

    /// Lines over the alphabet the depth scan cares about, long enough to pass its
    /// quick bracket count: nothing may panic, and depth is never misjudged for a
    /// line that parses.
    #[test]
    fn depth_scan_never_panics() {
        let alphabet = [b'[', b'{', b'"', b'\\', b']', b'}', b'a', b','];
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..4000 {
            let len = 130 + (rng % 300) as usize;
            let line: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    alphabet[(rng % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = nesting_exceeds(&line, MAX_DEPTH);
            let _ = parse(&line);
        }
    }

    #[test]
    fn numbers_beyond_f64_in_read_values_are_still_json() {
        let envelope = r#"{"message":{"call":{"id":1e400,"event":"Ready","ResponseActual":{"data":{"agentId":"a","interactionId":"c"}}}}}"#;
        assert_eq!(rec(envelope).unwrap().0, Shape::Envelope);
        let ws = r#"{"data":{"type":"AgentStateChange","agentId":"b","subStatus":1e400}}"#;
        assert_eq!(
            parse(ws.as_bytes()).unwrap().event_name(),
            Some(EventName::Unknown("AgentStateChange"))
        );
        for native in [
            r#"{"agent":"c","event":"Ready","message":1e400}"#,
            r#"{"agent":"c","event":"Ready","data":-1e400}"#,
            r#"{"agent":"c","event":"Ready","message":{"call":null,"x":1e400}}"#,
        ] {
            assert_eq!(rec(native).unwrap().0, Shape::Native, "{native}");
        }
        let err = rec(r#"{"agent":1e400,"event":"Ready"}"#).unwrap_err();
        assert_eq!(
            (err.kind(), err.event.as_deref()),
            (RejectionKind::Malformed, Some("AgentAvailable"))
        );
        assert_eq!(rec("1e400").unwrap_err().kind(), RejectionKind::Malformed);
    }

    #[test]
    fn deep_nesting_is_malformed_not_a_crash() {
        let deep = format!(
            r#"{{"agent":"a","event":"acw","x":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert_eq!(rec(&deep).unwrap_err().kind(), RejectionKind::Malformed);
    }

    #[test]
    fn v3_shapes_keep_alives_and_state_messages() {
        // A keep-alive is not a record.
        assert!(parse_str(r#"{"keepalive":"true"}"#)
            .unwrap()
            .is_keep_alive());
        assert!(!parse_str(r#"{"keepalive":1,"event":null}"#)
            .unwrap()
            .is_keep_alive());
        // A top-level type with an object data is a websocket notification.
        let welcome = parse_str(r#"{"type":"Welcome","data":{"agentId":"a"}}"#).unwrap();
        assert_eq!(welcome.shape, Shape::Websocket);
        assert_eq!(welcome.record().unwrap().event.as_str(), "Welcome");
        // The state change as Webex CC sends it: envelope type, data.type, no eventTime.
        let line = r#"{"type":"AgentStateChange","data":{"type":"AgentStateChangeSuccess","agentId":"a","subStatus":"Idle","lastStateChangeTimestamp":17}}"#;
        let (shape, _, event, _, time) = rec(line).unwrap();
        assert_eq!(
            (shape, event.as_str(), time),
            (Shape::Websocket, "AgentIdle", Some(17))
        );
        // A login answer with another subStatus is an agent notice, with no time.
        let line = r#"{"data":{"type":"AgentStationLoginSuccess","agentId":"a","subStatus":"RONA","lastStateChangeTimestamp":17}}"#;
        let (_, _, event, _, time) = rec(line).unwrap();
        assert_eq!((event.as_str(), time), ("AgentStationLoginSuccess", None));
        // Natively these names are unknown.
        let (_, _, event, _, _) =
            rec(r#"{"agent":"a","event":"AgentStateChangeSuccess"}"#).unwrap();
        let wire = parse_str(r#"{"agent":"a","event":"AgentStateChangeSuccess"}"#).unwrap();
        assert!(
            matches!(wire.record().unwrap().event, EventName::Unknown(_)),
            "{event}"
        );
    }

    #[test]
    fn fields_that_decide_the_event() {
        let left = |who: &str| {
            format!(
                r#"{{"data":{{"type":"ParticipantLeftConference","agentId":"a","interactionId":"c","participantId":{who}}}}}"#
            )
        };
        let event = |line: &str| rec(line).map(|r| r.2);
        assert_eq!(event(&left(r#""a""#)).unwrap(), "AgentLeftConference");
        assert_eq!(event(&left(r#""b""#)).unwrap(), "ParticipantLeftConference");
        assert_eq!(event(&left("null")).unwrap(), "ParticipantLeftConference");
        assert_eq!(
            event(&left("5")).unwrap_err().kind(),
            RejectionKind::Malformed
        );
        let ended = |list: &str| {
            format!(
                r#"{{"agent":"a","event":"ContactEnded","interaction":"c","pendingWrapUp":{list}}}"#
            )
        };
        assert_eq!(event(&ended(r#"["a","b"]"#)).unwrap(), "ContactEndedWrapUp");
        assert_eq!(event(&ended("[]")).unwrap(), "ContactEndedNoWrapUp");
        assert_eq!(event(&ended("null")).unwrap(), "eAgentContactEnded");
        assert_eq!(
            event(&ended("[1]")).unwrap_err().kind(),
            RejectionKind::Malformed
        );
        // Another name ignores the field, whatever it holds.
        let held = r#"{"agent":"a","event":"AgentContactHeld","pendingWrapUp":5,"participant":7}"#;
        assert_eq!(event(held).unwrap(), "eAgentContactHeld");
        // The reservation id of an assignment.
        let assigned = r#"{"data":{"type":"AgentContactAssigned","agentId":"a","interactionId":"n","reservationInteractionId":"r"}}"#;
        let wire = parse_str(assigned).unwrap();
        assert_eq!(wire.record().unwrap().reservation, Some("r"));
    }

    #[test]
    fn a_snapshot_reads_its_interaction() {
        let line = r#"{"data":{"type":"AgentContact","agentId":"a","interactionId":"c","interaction":{"state":"connected","media":{"c":{"isHold":true}}}}}"#;
        let wire = parse_str(line).unwrap();
        let record = wire.record().unwrap();
        assert_eq!(record.event.as_str(), "AgentContact");
        assert_eq!(record.snapshot.state, Some("connected"));
        assert!(record.snapshot.held);
        // Both readers agree, the scanner included.
        assert_eq!(serde_reader::parse_with_serde(line).unwrap(), wire);
    }
}
