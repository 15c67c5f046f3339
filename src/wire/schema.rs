//! The record schema: which JSON key feeds which field of a [`WireRecord`], for
//! all three shapes (SPEC §5). This file is the one place that says so.
//!
//! A line is read level by level: each object level the schema cares about is a
//! [`Level`], whose `field` says, per key, what its value is read as (a field, a
//! time, an object read into the next level) and where it goes in [`Flat`], the
//! one struct every shape's fields are written into in place. Every other key is
//! skipped. [`Flat::take_wire`] then tells the shape and picks that shape's fields.
//!
//! Two readers drive the levels, through [`Values`]: the fast
//! [`scan`](super::scan)ner and, for every line it gives up on, serde
//! ([`serde_reader`](super::serde_reader)). Neither names a key.
//!
//! Emit also needs what a record carries into its outbound event
//! ([`CarriedText`]): it reads the same levels, each wrapped in a
//! [`CarryLevel`] that keeps the carried keys' raw text beside them in the same
//! pass. Replay's levels are not touched.

use super::{Scalar, Shape};
use crate::model::record::FieldNames;
use crate::model::rejection::{Malformed, Rejection};

/// What a line said, before any check. Fields are `None` when absent or `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRecord<'a> {
    /// The shape the line was read as.
    pub shape: Shape,
    /// The event name field.
    pub event: Option<Scalar<'a>>,
    /// `data.subStatus` of a websocket notification.
    pub sub_status: Option<Scalar<'a>>,
    /// The agent id field.
    pub agent: Option<Scalar<'a>>,
    /// The interaction id field.
    pub interaction: Option<Scalar<'a>>,
    /// The time field.
    pub time: Option<Scalar<'a>>,
    /// The reservation id (SPEC §5.4).
    pub reservation: Option<Scalar<'a>>,
    /// The participant who left (SPEC §5.4).
    pub participant: Option<Scalar<'a>>,
    /// `data.interaction`'s raw JSON, read for a snapshot only (SPEC §3.5).
    pub snapshot: Option<&'a str>,
    /// The agents pending wrap-up, raw JSON (SPEC §5.4).
    pub pending_wrap_up: Option<&'a str>,
    /// The ring timer, raw JSON (SPEC §11.4): the first present of
    /// `data.interaction.callProcessingDetails.ronaTimeout` and `data.ronaTimeout`
    /// (native: `ronaTimeout`). Read by [`parse_str_untimed`](super::parse_str_untimed),
    /// only the second.
    pub rona_timeout: Option<&'a str>,
    /// A preview offer's expiry, raw JSON (SPEC §11.4):
    /// `data.interaction.callProcessingDetails.campaignPreviewOfferTimeout`
    /// (native: `campaignPreviewOfferTimeout`). Read by
    /// [`parse_str_untimed`](super::parse_str_untimed), only the native one.
    pub preview_timeout: Option<&'a str>,
    /// An envelope's `message.call.CallVariables`, raw JSON (SPEC §11.4).
    pub call_variables: Option<&'a str>,
    /// An envelope's interaction came from `message.call.id` (its `interactionId`
    /// was absent): what a message about it must name.
    interaction_from_call_id: bool,
    /// A websocket time read from `data.lastStateChangeTimestamp` (SPEC §5).
    time_from_state_change: bool,
    /// A keep-alive line (SPEC §5): not a record.
    keep_alive: bool,
}

impl WireRecord<'_> {
    /// The path of each field in this record's shape, as a malformed record's
    /// message names it.
    pub(super) fn field_names(&self) -> FieldNames {
        let mut names = match self.shape {
            Shape::Native => FieldNames {
                event: "event",
                agent: "agent",
                interaction: "interaction",
                time: "time",
            },
            Shape::Envelope => FieldNames {
                event: "message.call.event",
                agent: "message.call.ResponseActual.data.agentId",
                interaction: "message.call.ResponseActual.data.interactionId",
                time: "message.call.ResponseActual.data.eventTime",
            },
            Shape::Websocket => FieldNames {
                event: "data.type",
                agent: "data.agentId",
                interaction: "data.interactionId",
                time: "data.eventTime",
            },
        };
        if self.interaction_from_call_id {
            names.interaction = "message.call.id";
        }
        if self.time_from_state_change {
            names.time = "data.lastStateChangeTimestamp";
        }
        names
    }

    /// Is the line a keep-alive (SPEC §5: an object with a key `keepalive` and none
    /// of `data`, `message`, `event`)? Not a record: skipped like a blank line.
    pub fn is_keep_alive(&self) -> bool {
        self.keep_alive
    }
}

/// Every field any shape reads, filled while the line is parsed.
#[derive(Default)]
pub(super) struct Flat<'a> {
    agent: Option<Scalar<'a>>,
    event: Option<Scalar<'a>>,
    interaction: Option<Scalar<'a>>,
    time: Option<Scalar<'a>>,
    /// `message.call` was present and not `null`: the line is an envelope.
    envelope: bool,
    /// ... and it was an object (else the envelope is malformed).
    call_object: bool,
    call_event: Option<Scalar<'a>>,
    call_id: Option<Scalar<'a>>,
    /// `message.call.ResponseActual.data`.
    actual: Data<'a>,
    /// Top-level `data` (a websocket notification when it has a `type`).
    data: Data<'a>,
    /// Top-level `data` is an object.
    data_object: bool,
    /// Top-level `type` (the envelope type of a websocket notification).
    top_type: Option<Scalar<'a>>,
    /// Native `reservationInteraction` and `participant`.
    reservation: Option<Scalar<'a>>,
    participant: Option<Scalar<'a>>,
    pending: Option<&'a str>,
    /// Native `ronaTimeout` and `campaignPreviewOfferTimeout`.
    rona: Option<&'a str>,
    preview: Option<&'a str>,
    /// `message.call.CallVariables`.
    call_variables: Option<&'a str>,
    /// The top-level keys a keep-alive line has, or must not have.
    keepalive_key: bool,
    record_key: bool,
    /// `data.interaction.callProcessingDetails` of `data` and of `actual`
    /// (beside them, not in them: a `Data` is reset by copying it whole).
    data_processing: Processing<'a>,
    actual_processing: Processing<'a>,
    /// Leave them unread: `data.interaction` is skipped whole.
    skip_processing: bool,
}

/// The fields of a `data` object.
#[derive(Default)]
struct Data<'a> {
    /// A key of this object was read: there is something to [`clear`](Data::clear).
    filled: bool,
    kind: Option<Scalar<'a>>,
    sub_status: Option<Scalar<'a>>,
    agent: Option<Scalar<'a>>,
    interaction: Option<Scalar<'a>>,
    time: Option<Scalar<'a>>,
    state_time: Option<Scalar<'a>>,
    reservation: Option<Scalar<'a>>,
    participant: Option<Scalar<'a>>,
    interaction_raw: Option<&'a str>,
    pending: Option<&'a str>,
    rona: Option<&'a str>,
}

impl Data<'_> {
    /// Forgets what was read (a repeated key counts with its last value).
    // Most objects are cleared before anything was read into them: the flag
    // is one test where dropping the fields is eight.
    fn clear(&mut self) {
        if self.filled {
            *self = Data::default();
        }
    }
}

/// The deadline fields of `data.interaction.callProcessingDetails` (SPEC §11.4),
/// raw JSON; `None` when absent or `null`, and both `None` when a key of
/// `data.interaction` or of `callProcessingDetails` fails to decode (as reading
/// them out of `data.interaction`'s raw text would find none).
#[derive(Clone, Copy, Default)]
struct Processing<'a> {
    rona: Option<&'a str>,
    preview: Option<&'a str>,
}

/// Reads the fields of one object level into its part of [`Flat`].
pub(super) trait Level<'de> {
    /// Reads the value of `key` (or skips it).
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error>;

    /// A key of the object failed to decode, in an object read by
    /// [`Values::object_raw`]: forget what was read.
    fn unreadable(&mut self) {}
}

impl<'de, L: Level<'de>> Level<'de> for &mut L {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        (**self).field(key, values)
    }
    fn unreadable(&mut self) {
        (**self).unreadable();
    }
}

/// The value after a key, read the ways a [`Level`] asks for: what a reader
/// provides.
pub(super) trait Values<'de> {
    type Error;
    /// A field value (`None` for `null`).
    fn slot(&mut self) -> Result<Option<Scalar<'de>>, Self::Error>;
    /// A time field: its raw token decides (see [`integer_token`]).
    fn time(&mut self) -> Result<Option<Scalar<'de>>, Self::Error>;
    /// An object read into `level`; any other value is skipped.
    fn object<L: Level<'de>>(&mut self, level: L) -> Result<Kind, Self::Error>;
    /// Any value, skipped.
    fn skip(&mut self) -> Result<(), Self::Error>;
    /// Any value's raw JSON text (`None` for `null`).
    fn raw(&mut self) -> Result<Option<&'de str>, Self::Error>;
    /// [`Values::raw`], an object also read into `level`: a key in it that fails
    /// to decode is no error of the line, it makes `level` [`unreadable`](Level::unreadable).
    fn object_raw<L: Level<'de>>(&mut self, level: L) -> Result<Option<&'de str>, Self::Error>;
    /// [`Values::object`], also giving the value's raw JSON text (`None` for
    /// `null`).
    fn object_text<L: Level<'de>>(&mut self, level: L) -> Result<Option<&'de str>, Self::Error>;
}

/// What a value turned out to be, for the levels that care.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null,
    Object,
    Other,
}

/// A time field's value, judged by its raw JSON token (SPEC §9): an integer
/// literal in the signed 64-bit range is an integer (`-0` included, which a
/// number parser would hand over as a float); anything else (`5.0`, `1e3`, an
/// integer beyond 64 bits, a string) is not; `null` is absent.
pub(super) fn integer_token(token: &str) -> Option<Scalar<'_>> {
    let bytes = token.as_bytes();
    match bytes.first() {
        Some(b'n') => return None,
        Some(b'-' | b'0'..=b'9') => {}
        _ => return Some(Scalar::Other),
    }
    let negative = bytes[0] == b'-';
    let digits = &bytes[usize::from(negative)..];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Some(Scalar::Other);
    }
    // Integer syntax was checked above (serde_json or the scanner checked the rest
    // of JSON's, no leading zeros): what fails to parse is out of range.
    Some(token.parse().map_or(Scalar::Other, Scalar::Int))
}

/// The top level: the native fields plus the roots of the other two shapes.
pub(super) struct Top<'f, 'a>(pub(super) &'f mut Flat<'a>);

impl<'de> Level<'de> for Top<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        let flat = &mut *self.0;
        match key {
            "agent" => flat.agent = values.slot()?,
            "event" => {
                flat.record_key = true;
                flat.event = values.slot()?;
            }
            "interaction" => flat.interaction = values.slot()?,
            "time" => flat.time = values.time()?,
            "type" => flat.top_type = values.slot()?,
            "reservationInteraction" => flat.reservation = values.slot()?,
            "participant" => flat.participant = values.slot()?,
            "pendingWrapUp" => flat.pending = values.raw()?,
            "ronaTimeout" => flat.rona = values.raw()?,
            "campaignPreviewOfferTimeout" => flat.preview = values.raw()?,
            "keepalive" => {
                flat.keepalive_key = true;
                values.skip()?;
            }
            "message" => {
                flat.record_key = true;
                // A repeated key counts with its last value: forget the first.
                flat.envelope = false;
                flat.call_object = false;
                flat.forget_call();
                values.object(Message(flat))?;
            }
            "data" => {
                flat.record_key = true;
                flat.data.clear();
                flat.data_processing = Processing::default();
                let processing = (!flat.skip_processing).then_some(&mut flat.data_processing);
                let level = DataLevel(&mut flat.data, processing);
                flat.data_object = values.object(level)? == Kind::Object;
            }
            _ => values.skip()?,
        }
        Ok(())
    }
}

/// `message`: only `call` matters. `call` present and not `null` makes an envelope,
/// even when it is not an object (then the envelope is malformed, SPEC §5).
struct Message<'f, 'a>(&'f mut Flat<'a>);

impl<'de> Level<'de> for Message<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        if key != "call" {
            return values.skip();
        }
        let flat = &mut *self.0;
        flat.forget_call();
        let kind = values.object(Call(flat))?;
        flat.envelope = kind != Kind::Null;
        flat.call_object = kind == Kind::Object;
        Ok(())
    }
}

/// `message.call`.
struct Call<'f, 'a>(&'f mut Flat<'a>);

impl<'de> Level<'de> for Call<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        let flat = &mut *self.0;
        match key {
            "event" => flat.call_event = values.slot()?,
            "id" => flat.call_id = values.slot()?,
            "CallVariables" => flat.call_variables = values.raw()?,
            "ResponseActual" => {
                flat.actual.clear();
                flat.actual_processing = Processing::default();
                let processing = (!flat.skip_processing).then_some(&mut flat.actual_processing);
                values.object(ResponseActual(&mut flat.actual, processing))?;
            }
            _ => values.skip()?,
        }
        Ok(())
    }
}

/// `message.call.ResponseActual`: only `data` matters.
struct ResponseActual<'f, 'a>(&'f mut Data<'a>, Option<&'f mut Processing<'a>>);

impl<'de> Level<'de> for ResponseActual<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        if key != "data" {
            return values.skip();
        }
        self.0.clear();
        if let Some(processing) = self.1.as_deref_mut() {
            *processing = Processing::default();
        }
        values.object(DataLevel(self.0, self.1.as_deref_mut()))?;
        Ok(())
    }
}

/// A `data` object: a websocket notification's payload (also what an envelope's
/// `ResponseActual` carries), and where its `interaction.callProcessingDetails`
/// goes, unless skipped.
struct DataLevel<'f, 'a>(&'f mut Data<'a>, Option<&'f mut Processing<'a>>);

impl<'de> Level<'de> for DataLevel<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        let data = &mut *self.0;
        data.filled = true;
        match key {
            "type" => data.kind = values.slot()?,
            "subStatus" => data.sub_status = values.slot()?,
            "agentId" => data.agent = values.slot()?,
            "interactionId" => data.interaction = values.slot()?,
            "eventTime" => data.time = values.time()?,
            "lastStateChangeTimestamp" => data.state_time = values.time()?,
            "reservationInteractionId" => data.reservation = values.slot()?,
            "participantId" => data.participant = values.slot()?,
            "interaction" => match self.1.as_deref_mut() {
                None => data.interaction_raw = values.raw()?,
                Some(processing) => {
                    *processing = Processing::default();
                    data.interaction_raw = values.object_raw(InteractionLevel(processing))?;
                }
            },
            "agentsPendingWrapUp" => data.pending = values.raw()?,
            "ronaTimeout" => data.rona = values.raw()?,
            _ => values.skip()?,
        }
        Ok(())
    }
}

/// `data.interaction`: only `callProcessingDetails` matters (the snapshot of
/// SPEC §3.5 is read from the raw text, for the records that are one).
struct InteractionLevel<'f, 'a>(&'f mut Processing<'a>);

impl<'de> Level<'de> for InteractionLevel<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        if key != "callProcessingDetails" {
            return values.skip();
        }
        *self.0 = Processing::default();
        values.object_raw(ProcessingLevel(self.0)).map(drop)
    }
    fn unreadable(&mut self) {
        *self.0 = Processing::default();
    }
}

/// `data.interaction.callProcessingDetails`.
struct ProcessingLevel<'f, 'a>(&'f mut Processing<'a>);

impl<'de> Level<'de> for ProcessingLevel<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        match key {
            "ronaTimeout" => self.0.rona = values.raw()?,
            "campaignPreviewOfferTimeout" => self.0.preview = values.raw()?,
            _ => values.skip()?,
        }
        Ok(())
    }
    fn unreadable(&mut self) {
        *self.0 = Processing::default();
    }
}

impl<'a> Flat<'a> {
    /// What a line's fields are read into: all of them, or all but those of
    /// `data.interaction.callProcessingDetails` when `skip_processing`.
    pub(super) fn new(skip_processing: bool) -> Flat<'a> {
        Flat {
            skip_processing,
            ..Flat::default()
        }
    }

    /// Forgets what an earlier `message.call` said.
    fn forget_call(&mut self) {
        self.call_event = None;
        self.call_id = None;
        self.call_variables = None;
        self.actual.clear();
        self.actual_processing = Processing::default();
    }

    /// The record the fields make, in the shape SPEC §5 tells; an envelope whose
    /// `message.call` is not an object is malformed.
    // By reference, the fields taken: moving the whole of it (768 bytes) into
    // the call cost two copies per line.
    pub(super) fn take_wire(&mut self) -> Result<WireRecord<'a>, Rejection> {
        let none = WireRecord {
            shape: Shape::Native,
            event: None,
            sub_status: None,
            agent: None,
            interaction: None,
            time: None,
            reservation: None,
            participant: None,
            snapshot: None,
            pending_wrap_up: None,
            rona_timeout: None,
            preview_timeout: None,
            call_variables: None,
            interaction_from_call_id: false,
            time_from_state_change: false,
            keep_alive: false,
        };
        if self.keepalive_key && !self.record_key {
            return Ok(WireRecord {
                keep_alive: true,
                ..none
            });
        }
        if self.envelope && !self.call_object {
            return Err(Rejection::malformed(Malformed::CallNotObject));
        }
        Ok(if self.envelope {
            WireRecord {
                shape: Shape::Envelope,
                event: self.call_event.take(),
                agent: self.actual.agent.take(),
                interaction_from_call_id: self.actual.interaction.is_none()
                    && self.call_id.is_some(),
                interaction: self.actual.interaction.take().or(self.call_id.take()),
                time: self.actual.time.take(),
                reservation: self.actual.reservation.take(),
                participant: self.actual.participant.take(),
                snapshot: self.actual.interaction_raw,
                pending_wrap_up: self.actual.pending,
                rona_timeout: self.actual_processing.rona.or(self.actual.rona),
                preview_timeout: self.actual_processing.preview,
                call_variables: self.call_variables,
                ..none
            }
        } else if self.data.kind.is_some() || (self.top_type.is_some() && self.data_object) {
            let event = self.data.kind.take().or(self.top_type.take());
            // SPEC §5: a state change's own time when it has no eventTime.
            let state_change = matches!(&event, Some(Scalar::Str(name))
                if name.eq_ignore_ascii_case("AgentStateChange")
                    || name.eq_ignore_ascii_case("AgentStateChangeSuccess"));
            let from_state = self.data.time.is_none() && state_change;
            let time_from_state_change = from_state && self.data.state_time.is_some();
            WireRecord {
                shape: Shape::Websocket,
                event,
                sub_status: self.data.sub_status.take(),
                agent: self.data.agent.take(),
                interaction: self.data.interaction.take(),
                time: if from_state {
                    self.data.state_time.take()
                } else {
                    self.data.time.take()
                },
                reservation: self.data.reservation.take(),
                participant: self.data.participant.take(),
                snapshot: self.data.interaction_raw,
                pending_wrap_up: self.data.pending,
                rona_timeout: self.data_processing.rona.or(self.data.rona),
                preview_timeout: self.data_processing.preview,
                time_from_state_change,
                ..none
            }
        } else {
            WireRecord {
                shape: Shape::Native,
                event: self.event.take(),
                agent: self.agent.take(),
                interaction: self.interaction.take(),
                time: self.time.take(),
                reservation: self.reservation.take(),
                participant: self.participant.take(),
                pending_wrap_up: self.pending,
                rona_timeout: self.rona,
                preview_timeout: self.preview,
                ..none
            }
        })
    }
}

/// What an input record carries into its outbound event (SPEC §6), as the raw
/// JSON text of its line, read in the line's one pass when asked
/// ([`parse_str_carried`](super::parse_str_carried)); `None` when absent or
/// `null`. [`Carried::from_text`](super::outbound::Carried::from_text) makes
/// the event's fields of it.
///
/// - A websocket notification carries itself as `ResponseActual`.
/// - An envelope carries `message.call`'s `ResponseActual` and `CallVariables`,
///   and `fromAddress`, `toAddress`, `Campaign` and `OutBoundType` of
///   `message.call.ResponseFields`.
/// - A native record carries its top-level `fromAddress`, `toAddress`,
///   `Campaign`, `OutBoundType` and `CallVariables`.
///
/// Where serde_json would refuse to read those keys into a struct (one of them
/// given twice, or on the envelope's path, or a key of `ResponseFields` that
/// fails to decode, or `ResponseFields` neither an object nor `null`), the
/// record carries nothing.
///
/// Only the pass makes one: each text it holds is one JSON value, which an
/// event carries without reading it again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CarriedText<'a> {
    /// `ResponseActual`.
    pub(super) response_actual: Option<&'a str>,
    /// `CallVariables`.
    pub(super) call_variables: Option<&'a str>,
    /// `fromAddress` (carried if a string).
    pub(super) from_address: Option<&'a str>,
    /// `toAddress` (carried if a string).
    pub(super) to_address: Option<&'a str>,
    /// `Campaign` (carried if a string).
    pub(super) campaign: Option<&'a str>,
    /// `OutBoundType` (carried if a string).
    pub(super) outbound_type: Option<&'a str>,
}

/// The carried keys of one object, raw JSON: a native record's top level, or
/// an envelope's `ResponseFields` (`keys.response_actual` is never set).
#[derive(Default, Clone, Copy)]
struct CarriedKeys<'a> {
    keys: CarriedText<'a>,
    /// The keys read, a bit each.
    read: u8,
    /// A key repeated, or one failed to decode: nothing is carried.
    refused: bool,
}

impl<'a> CarriedKeys<'a> {
    /// Reads `key` if it is a carried one: `false` if not (the value is then
    /// still to read).
    fn read<V: Values<'a>>(&mut self, key: &str, values: &mut V) -> Result<bool, V::Error> {
        let keys = &mut self.keys;
        let (bit, slot) = match key {
            "CallVariables" => (1, &mut keys.call_variables),
            "fromAddress" => (2, &mut keys.from_address),
            "toAddress" => (4, &mut keys.to_address),
            "Campaign" => (8, &mut keys.campaign),
            "OutBoundType" => (16, &mut keys.outbound_type),
            _ => return Ok(false),
        };
        self.refused |= self.read & bit != 0;
        self.read |= bit;
        *slot = values.raw()?;
        Ok(true)
    }

    /// The keys of a `ResponseFields` that is no object, as serde_json reads an
    /// array into a struct (its five fields in order: `CallVariables`,
    /// `fromAddress`, `toAddress`, `Campaign`, `OutBoundType`); `None` for
    /// anything else, which it refuses.
    #[cold]
    fn of_array(text: &'a str) -> Option<CarriedKeys<'a>> {
        use serde_json::value::RawValue;
        type Raw<'r> = Option<&'r RawValue>;
        let (call_variables, from, to, campaign, outbound): (Raw, Raw, Raw, Raw, Raw) =
            serde_json::from_str(text).ok()?;
        let keys = CarriedText {
            response_actual: None,
            call_variables: call_variables.map(RawValue::get),
            from_address: from.map(RawValue::get),
            to_address: to.map(RawValue::get),
            campaign: campaign.map(RawValue::get),
            outbound_type: outbound.map(RawValue::get),
        };
        Some(CarriedKeys {
            keys,
            ..CarriedKeys::default()
        })
    }
}

/// The carried fields of every shape, kept while the line is read: emit's pass
/// reads the record's levels through [`CarryLevel`], which fills this beside
/// them. A replay's pass never touches it.
#[derive(Default)]
pub(super) struct Carrying<'a> {
    /// The top level's (a native record's).
    native: CarriedKeys<'a>,
    /// `message.call.ResponseFields`' keys, and its raw text.
    fields: CarriedKeys<'a>,
    fields_text: Option<&'a str>,
    /// `message.call.ResponseActual`.
    response_actual: Option<&'a str>,
    /// The keys on the envelope's path read (`message`, `call`, and
    /// `ResponseActual`, `ResponseFields`, `CallVariables` in it), a bit each;
    /// one repeated refuses the envelope.
    path: u8,
    path_repeated: bool,
}

impl Carrying<'_> {
    /// Notes a key on the envelope's path, `bit` its bit.
    fn path_key(&mut self, bit: u8) {
        self.path_repeated |= self.path & bit != 0;
        self.path |= bit;
    }
}

/// Where a level sits: one that holds a carried key, or leads to one, or below.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Top,
    Message,
    Call,
    Below,
}

/// A level as emit reads it: `level` reads the record's fields as it does for
/// replay, through values that also keep what the record carries at `at`
/// ([`CarryValues`]). Every level of emit's pass is one, down to the deepest:
/// the scanner's code for replay's levels is then replay's alone, and compiled
/// for it as before.
pub(super) struct CarryLevel<'c, 'a, L> {
    level: L,
    carry: &'c mut Carrying<'a>,
    at: At,
}

impl<'c, 'f, 'a> CarryLevel<'c, 'a, Top<'f, 'a>> {
    /// The top level of `flat`, keeping what is carried in `carry`.
    pub(super) fn top(flat: &'f mut Flat<'a>, carry: &'c mut Carrying<'a>) -> Self {
        CarryLevel {
            level: Top(flat),
            carry,
            at: At::Top,
        }
    }
}

impl<'c, 'a, L> CarryLevel<'c, 'a, L> {
    /// `level`, below every carried key.
    fn below(level: L, carry: &'c mut Carrying<'a>) -> Self {
        CarryLevel {
            level,
            carry,
            at: At::Below,
        }
    }
}

impl<'de, L: Level<'de>> Level<'de> for CarryLevel<'_, 'de, L> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        let mut values = CarryValues {
            values,
            carry: self.carry,
            key,
            at: self.at,
        };
        self.level.field(key, &mut values)
    }
    fn unreadable(&mut self) {
        self.level.unreadable();
    }
}

/// The value of `key` at `at`, read as a level asks, and kept if carried: the
/// carried keys are those the record's levels skip, or read as an object or
/// raw.
struct CarryValues<'v, 'c, 'k, 'a, V> {
    values: &'v mut V,
    carry: &'c mut Carrying<'a>,
    key: &'k str,
    at: At,
}

impl<'de, V: Values<'de>> Values<'de> for CarryValues<'_, '_, '_, 'de, V> {
    type Error = V::Error;

    fn slot(&mut self) -> Result<Option<Scalar<'de>>, V::Error> {
        self.values.slot()
    }
    fn time(&mut self) -> Result<Option<Scalar<'de>>, V::Error> {
        self.values.time()
    }
    fn object<L: Level<'de>>(&mut self, level: L) -> Result<Kind, V::Error> {
        let at = match (self.at, self.key) {
            (At::Top, "message") => At::Message,
            (At::Message, "call") => At::Call,
            (At::Call, "ResponseActual") => {
                let text = self.object_text(level)?;
                self.carry.path_key(4);
                self.carry.response_actual = text;
                return Ok(match text {
                    None => Kind::Null,
                    Some(object) if object.starts_with('{') => Kind::Object,
                    Some(_) => Kind::Other,
                });
            }
            _ => At::Below,
        };
        match at {
            At::Message => self.carry.path_key(1),
            At::Call => self.carry.path_key(2),
            _ => {}
        }
        let carry = &mut *self.carry;
        self.values.object(CarryLevel { level, carry, at })
    }
    fn skip(&mut self) -> Result<(), V::Error> {
        match (self.at, self.key) {
            (At::Top, key) => {
                if !self.carry.native.read(key, self.values)? {
                    self.values.skip()?;
                }
            }
            (At::Call, "ResponseFields") => {
                self.carry.path_key(8);
                let level = FieldsLevel(&mut self.carry.fields);
                self.carry.fields_text = self.values.object_raw(level)?;
            }
            _ => self.values.skip()?,
        }
        Ok(())
    }
    fn raw(&mut self) -> Result<Option<&'de str>, V::Error> {
        if (self.at, self.key) == (At::Call, "CallVariables") {
            self.carry.path_key(16);
        }
        self.values.raw()
    }
    fn object_raw<L: Level<'de>>(&mut self, level: L) -> Result<Option<&'de str>, V::Error> {
        let carry = &mut *self.carry;
        self.values.object_raw(CarryLevel::below(level, carry))
    }
    fn object_text<L: Level<'de>>(&mut self, level: L) -> Result<Option<&'de str>, V::Error> {
        let carry = &mut *self.carry;
        self.values.object_text(CarryLevel::below(level, carry))
    }
}

impl<'a> Carrying<'a> {
    /// What the record `wire`, read from `text`, carries.
    pub(super) fn take(&self, wire: &WireRecord<'a>, text: &'a str) -> CarriedText<'a> {
        match wire.shape {
            Shape::Websocket => CarriedText {
                // The line is one JSON value: without the whitespace around it.
                response_actual: Some(text.trim_matches([' ', '\t', '\n', '\r'])),
                ..CarriedText::default()
            },
            Shape::Native if !self.native.refused => self.native.keys,
            Shape::Envelope if !self.path_repeated => {
                let fields = match self.fields_text {
                    Some(object) if object.starts_with('{') => Some(self.fields),
                    Some(other) => CarriedKeys::of_array(other),
                    None => Some(CarriedKeys::default()),
                };
                match fields.filter(|f| !f.refused) {
                    Some(fields) => CarriedText {
                        response_actual: self.response_actual,
                        call_variables: wire.call_variables,
                        ..fields.keys
                    },
                    None => CarriedText::default(),
                }
            }
            _ => CarriedText::default(),
        }
    }
}

/// `message.call.ResponseFields`, read for what an envelope carries.
struct FieldsLevel<'f, 'a>(&'f mut CarriedKeys<'a>);

impl<'de> Level<'de> for FieldsLevel<'_, 'de> {
    fn field<V: Values<'de>>(&mut self, key: &str, values: &mut V) -> Result<(), V::Error> {
        if !self.0.read(key, values)? {
            values.skip()?;
        }
        Ok(())
    }
    fn unreadable(&mut self) {
        self.0.refused = true;
    }
}

/// Every key a level above reads, for the readers' differential tests, which
/// generate lines over them.
#[cfg(test)]
pub(super) const KEYS: &[&str] = &[
    "agent",
    "event",
    "interaction",
    "time",
    "message",
    "call",
    "id",
    "ResponseActual",
    "data",
    "type",
    "subStatus",
    "agentId",
    "interactionId",
    "eventTime",
    "lastStateChangeTimestamp",
    "reservationInteractionId",
    "participantId",
    "reservationInteraction",
    "participant",
    "pendingWrapUp",
    "agentsPendingWrapUp",
    "keepalive",
    "ronaTimeout",
    "campaignPreviewOfferTimeout",
    "CallVariables",
    "callProcessingDetails",
    "ResponseFields",
    "fromAddress",
    "toAddress",
    "Campaign",
    "OutBoundType",
];
