//! The outbound event (SPEC §6): one `OutboundCallStateChange` message per accepted
//! transition, shaped like the seed's sample.
//!
//! ```json
//! {"channel":"Webexcc","topic":"outbound","subtopic":"OutBoundCallStateChange",
//!  "message":{"source":"event","call":{"id":"…","ResponseActual":{…},
//!   "ResponseFields":{"fromAddress":"…","toAddress":"…","CallState":"connected",
//!                     "Type":"OUTBOUND","Campaign":"…","OutBoundType":"…"},
//!   "CallType":"Regular-Call","event":"CustAnswered","CallVariables":{…}}}}
//! ```
//!
//! The types read as well as write, so the seed's own sample parses into
//! [`OutboundCallStateChange`]. Input fields are carried through verbatim
//! ([`Carried`]): `ResponseActual` (the websocket notification, or the envelope's own
//! `ResponseActual`), `CallVariables`, and the addresses and campaign of
//! `ResponseFields`, as the line's one pass read them
//! ([`CarriedText`]).

use crate::model::machine::{Accepted, CallUpdate, Transition};
use crate::model::rejection::Rejection;
use crate::model::vocabulary::{Phase, Role};
use crate::wire::{parse_str_carried, CarriedText};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// `channel` of every outbound event.
pub const CHANNEL: &str = "Webexcc";
/// `topic` of every outbound event.
pub const TOPIC: &str = "outbound";
/// `subtopic` of every outbound event.
pub const SUBTOPIC: &str = "OutBoundCallStateChange";
/// `message.source` of an outbound event for a record's own transition.
pub const SOURCE: &str = "event";
/// `message.source` of an outbound event for a transition resync inferred (SPEC §8).
pub const SOURCE_INFERRED: &str = "inferred";
/// `call.CallType` of every outbound event.
pub const CALL_TYPE: &str = "Regular-Call";
/// `ResponseFields.Type` of every outbound event.
pub const TYPE: &str = "OUTBOUND";

/// The `OutboundCallStateChange` message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundCallStateChange {
    /// `Webexcc` (the seed page writes `Webex cc`; either is read).
    pub channel: String,
    /// `outbound`.
    pub topic: String,
    /// `OutBoundCallStateChange`.
    pub subtopic: String,
    /// The payload.
    pub message: OutboundMessage,
}

/// `message`: where the event came from and the call it is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// `event`.
    pub source: String,
    /// The call.
    pub call: OutboundCall,
}

/// `message.call`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundCall {
    /// The interaction id; absent for transitions of an agent with no call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The reserved id a re-keying `CustAnswered` moved the call from (SPEC §3.6).
    #[serde(
        rename = "reservationInteractionId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reservation_interaction_id: Option<String>,
    /// The input notification, carried through verbatim.
    #[serde(
        rename = "ResponseActual",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_actual: Option<Box<RawValue>>,
    /// The call's state and addresses.
    #[serde(rename = "ResponseFields")]
    pub response_fields: ResponseFields,
    /// `Regular-Call`.
    #[serde(rename = "CallType")]
    pub call_type: String,
    /// The canonical event name.
    pub event: String,
    /// Customer details, carried through verbatim.
    #[serde(
        rename = "CallVariables",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub call_variables: Option<Box<RawValue>>,
}

/// `message.call.ResponseFields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseFields {
    /// The agent's number, when the input carried it.
    #[serde(
        rename = "fromAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub from_address: Option<String>,
    /// The customer's number, when the input carried it.
    #[serde(rename = "toAddress", default, skip_serializing_if = "Option::is_none")]
    pub to_address: Option<String>,
    /// The phase after the transition (for a terminating one, the phase the agent
    /// returned to).
    #[serde(rename = "CallState")]
    pub call_state: Phase,
    /// The agent's role after the transition (SPEC §6; absent from v2's events,
    /// read as `owner`).
    #[serde(rename = "Role", default)]
    pub role: Role,
    /// `OUTBOUND`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The campaign, when the input carried it.
    #[serde(rename = "Campaign", default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The outbound type, when the input carried it.
    #[serde(
        rename = "OutBoundType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub outbound_type: Option<String>,
}

/// What an input record carries into its outbound event.
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// `ResponseActual`.
    pub response_actual: Option<Box<RawValue>>,
    /// `CallVariables`.
    pub call_variables: Option<Box<RawValue>>,
    /// `ResponseFields.fromAddress`.
    pub from_address: Option<String>,
    /// `ResponseFields.toAddress`.
    pub to_address: Option<String>,
    /// `ResponseFields.Campaign`.
    pub campaign: Option<String>,
    /// `ResponseFields.OutBoundType`.
    pub outbound_type: Option<String>,
    /// The record's reservation id (SPEC §5.4): written as
    /// `call.reservationInteractionId` when the transition re-keyed the call.
    pub reservation: Option<String>,
}

impl Carried {
    /// The same, with the record's reservation id.
    pub fn with_reservation(mut self, reservation: Option<&str>) -> Carried {
        self.reservation = reservation.map(str::to_owned);
        self
    }

    /// The event's fields of what a record carries, read in its line's one
    /// pass ([`parse_str_carried`]): raw JSON
    /// verbatim, the addresses and campaign when they are strings.
    pub fn from_text(text: &CarriedText<'_>) -> Carried {
        Carried {
            response_actual: text.response_actual.map(raw_json),
            call_variables: text.call_variables.map(raw_json),
            from_address: text.from_address.and_then(string),
            to_address: text.to_address.and_then(string),
            campaign: text.campaign.and_then(string),
            outbound_type: text.outbound_type.and_then(string),
            reservation: None,
        }
    }
}

/// A value's raw JSON text, owned, as the line's pass read it: not read again.
fn raw_json(text: &str) -> Box<RawValue> {
    // SAFETY: a `CarriedText` is made by the wire's pass alone, of texts it read
    // as one JSON value without whitespace around it: the scanner answers only
    // well-formed lines (else serde reads them), serde's texts are `RawValue`s.
    // Debug builds check it (serde_json parses the text again).
    #[allow(unsafe_code)]
    unsafe {
        RawValue::from_string_unchecked(text.to_owned())
    }
}

/// A JSON string's value; `None` for any other value.
fn string(text: &str) -> Option<String> {
    serde_json::from_str(text).ok()
}

impl OutboundCallStateChange {
    /// The event for transition `t` of the call `interaction` (the call the agent
    /// held or now holds; `None` when it holds none), with `carried` input fields.
    pub fn new(t: &Transition, interaction: Option<&str>, carried: Carried) -> Self {
        OutboundCallStateChange {
            channel: CHANNEL.to_owned(),
            topic: TOPIC.to_owned(),
            subtopic: SUBTOPIC.to_owned(),
            message: OutboundMessage {
                source: SOURCE.to_owned(),
                call: OutboundCall {
                    id: interaction.map(str::to_owned),
                    reservation_interaction_id: carried
                        .reservation
                        .filter(|_| t.change == CallUpdate::Rekeyed),
                    response_actual: carried.response_actual,
                    response_fields: ResponseFields {
                        from_address: carried.from_address,
                        to_address: carried.to_address,
                        call_state: t.to.phase,
                        role: t.to.role,
                        kind: TYPE.to_owned(),
                        campaign: carried.campaign,
                        outbound_type: carried.outbound_type,
                    },
                    call_type: CALL_TYPE.to_owned(),
                    event: t.event.name().to_owned(),
                    call_variables: carried.call_variables,
                },
            },
        }
    }

    /// The outbound event of a transition that resync inferred (SPEC §8):
    /// `message.source` is `"inferred"`, and nothing is carried from an input.
    pub fn inferred(inferred: &crate::model::resync::Inferred) -> Self {
        let mut event = OutboundCallStateChange::new(
            &inferred.transition,
            inferred.call.as_deref(),
            Carried::default(),
        );
        SOURCE_INFERRED.clone_into(&mut event.message.source);
        event
    }

    /// The event as one line of JSON.
    pub fn to_json(&self) -> String {
        // Strings, an enum and already-valid raw JSON: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("{e}"))
    }
}

/// The outbound events of one record given to the engine, in order: for an
/// accepted record its transition's event; for a record resync repaired by
/// inference, an event per inferred transition (`source` `inferred`), then the
/// record's own (SPEC §6, §8); none for a record not applied. `line` is the
/// record's text, whose `ResponseActual`, addresses and `CallVariables` the
/// record's own event carries; `result` is what
/// [`Engine::apply_with_call`](crate::Engine::apply_with_call) returned for it.
pub fn events_of(
    line: &str,
    result: &Result<(Accepted, Option<String>), Rejection>,
) -> Vec<OutboundCallStateChange> {
    let read = parse_str_carried(line).ok();
    let reservation = read
        .as_ref()
        .and_then(|(wire, _)| wire.record().ok()?.reservation);
    let read = read.as_ref().map(|(_, carried)| (carried, reservation));
    events_of_read(read, result)
}

/// [`events_of`] for a line already read: what it carries and its reservation
/// id (`None`: not a record).
pub(crate) fn events_of_read(
    read: Option<(&CarriedText<'_>, Option<&str>)>,
    result: &Result<(Accepted, Option<String>), Rejection>,
) -> Vec<OutboundCallStateChange> {
    let carried = || {
        read.map(|(text, reservation)| Carried::from_text(text).with_reservation(reservation))
            .unwrap_or_default()
    };
    match result {
        // Accepted without change: no outbound event (SPEC §3.3).
        Ok((Accepted::Unchanged(_), _)) => Vec::new(),
        Ok((Accepted::Transition(t), call)) => {
            vec![OutboundCallStateChange::new(t, call.as_deref(), carried())]
        }
        Err(r) => {
            let Some(repair) = r.repair() else {
                return Vec::new();
            };
            let mut events: Vec<_> = repair
                .inferred()
                .iter()
                .map(OutboundCallStateChange::inferred)
                .collect();
            if let Some(t) = repair.transition() {
                events.push(OutboundCallStateChange::new(t, repair.call(), carried()));
            }
            events
        }
    }
}

/// What emit read before the wire's pass kept the carried fields: serde reading
/// borrowed views of the line. The oracle [`Carried::from_text`] is held to.
#[cfg(test)]
pub(crate) mod oracle {
    use super::Carried;
    use crate::wire::Shape;
    use serde::Deserialize;
    use serde_json::value::RawValue;

    /// The carried fields of `line`, a record of shape `shape`, as serde reads
    /// them into structs.
    pub(crate) fn carried(line: &str, shape: Shape) -> Carried {
        match shape {
            Shape::Websocket => Carried {
                response_actual: RawValue::from_string(line.trim().to_owned()).ok(),
                ..Carried::default()
            },
            Shape::Envelope => serde_json::from_str::<Envelope<'_>>(line)
                .ok()
                .and_then(|e| e.message?.call)
                .map(|call| {
                    let fields = call.response_fields.unwrap_or_default();
                    Carried {
                        response_actual: call.response_actual.map(RawValue::to_owned),
                        call_variables: call.call_variables.map(RawValue::to_owned),
                        ..fields.carried()
                    }
                })
                .unwrap_or_default(),
            Shape::Native => serde_json::from_str::<Fields<'_>>(line)
                .map(|fields| fields.carried())
                .unwrap_or_default(),
        }
    }

    /// The fields of `carried`, as text, to compare.
    pub(crate) fn texts(carried: &Carried) -> [Option<String>; 6] {
        let raw = |r: &Option<Box<RawValue>>| r.as_ref().map(|r| r.get().to_owned());
        [
            raw(&carried.response_actual),
            raw(&carried.call_variables),
            carried.from_address.clone(),
            carried.to_address.clone(),
            carried.campaign.clone(),
            carried.outbound_type.clone(),
        ]
    }

    #[derive(Deserialize)]
    pub struct Envelope<'a> {
        #[serde(borrow)]
        pub message: Option<Message<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Message<'a> {
        #[serde(borrow)]
        pub call: Option<Call<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Call<'a> {
        #[serde(rename = "ResponseActual", borrow)]
        pub response_actual: Option<&'a RawValue>,
        #[serde(rename = "CallVariables", borrow)]
        pub call_variables: Option<&'a RawValue>,
        #[serde(rename = "ResponseFields", borrow)]
        pub response_fields: Option<Fields<'a>>,
    }

    /// `ResponseFields` of an envelope, or the top level of a native record.
    #[derive(Deserialize, Default)]
    pub struct Fields<'a> {
        #[serde(rename = "CallVariables", borrow)]
        call_variables: Option<&'a RawValue>,
        #[serde(rename = "fromAddress", borrow)]
        from_address: Option<&'a RawValue>,
        #[serde(rename = "toAddress", borrow)]
        to_address: Option<&'a RawValue>,
        #[serde(rename = "Campaign", borrow)]
        campaign: Option<&'a RawValue>,
        #[serde(rename = "OutBoundType", borrow)]
        outbound_type: Option<&'a RawValue>,
    }

    fn string(raw: Option<&RawValue>) -> Option<String> {
        serde_json::from_str(raw?.get()).ok()
    }

    impl Fields<'_> {
        pub fn carried(&self) -> Carried {
            Carried {
                from_address: string(self.from_address),
                to_address: string(self.to_address),
                campaign: string(self.campaign),
                outbound_type: string(self.outbound_type),
                call_variables: self.call_variables.map(RawValue::to_owned),
                response_actual: None,
                reservation: None,
            }
        }
    }
}
