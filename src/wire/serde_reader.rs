//! The reader of record: serde_json, for every line the fast scanner gives up on.
//! Seeds that drive the schema's [`Level`]s write the fields into one flat struct
//! in place (no nested struct is built or moved), skipping every other value.

use super::depth::{nesting_exceeds, MAX_DEPTH};
use super::schema::{integer_token, CarryLevel, Carrying, Flat, Kind, Level, Top, Values};
use super::{Scalar, WireRecord};
use crate::model::rejection::{Malformed, Rejection};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads `text` with serde: checks its depth, then reads it the parsed way, and
/// the raw way if that fails.
pub(super) fn parse_with_serde(text: &str) -> Result<WireRecord<'_>, Rejection> {
    parse_with_serde_as(text, false)
}

/// [`parse_with_serde`], or as [`parse_str_untimed`](super::parse_str_untimed)
/// reads if `skip_processing`.
pub(super) fn parse_with_serde_as(
    text: &str,
    skip_processing: bool,
) -> Result<WireRecord<'_>, Rejection> {
    parse_both_ways(text, |numbers| {
        read_with_serde_as(text, numbers, skip_processing)
    })
}

/// [`parse_with_serde_as`], also keeping what the record carries into its
/// outbound event.
pub(super) fn parse_with_serde_carrying(
    text: &str,
    skip_processing: bool,
) -> Result<(WireRecord<'_>, Carrying<'_>), Rejection> {
    parse_both_ways(text, |numbers| {
        let mut flat = Flat::new(skip_processing);
        let mut carrying = Carrying::default();
        let top = CarryLevel::top(&mut flat, &mut carrying);
        let wire = read_top(top, text, numbers).and_then(|()| flat.take_wire());
        wire.map(|wire| (wire, carrying))
    })
}

/// Checks the depth of `text`, then reads it the parsed way, and the raw way if
/// that fails.
fn parse_both_ways<T>(
    text: &str,
    read: impl Fn(Numbers) -> Result<T, Rejection>,
) -> Result<T, Rejection> {
    if nesting_exceeds(text.as_bytes(), MAX_DEPTH) {
        return Err(Rejection::malformed(Malformed::TooDeep(MAX_DEPTH)));
    }
    // The raw reader judges every number it reads by its token, so it reads any
    // JSON (`1e400` included); the parsed reader is quicker but refuses numbers
    // beyond `f64` in the values it reads. The raw reader is the reader of record:
    // it reads every line the parsed one reads the same way (a test holds them to
    // it), so whatever the parsed reader fails on, for any reason, goes to it.
    read(Numbers::Parsed).or_else(|_| read(Numbers::Raw))
}

/// [`read_with_serde_as`] reading every field (for the tests).
#[cfg(test)]
pub(super) fn read_with_serde(text: &str, numbers: Numbers) -> Result<WireRecord<'_>, Rejection> {
    read_with_serde_as(text, numbers, false)
}

/// One serde reading of `text`, taking numbers as `numbers` says; as
/// [`parse_str_untimed`](super::parse_str_untimed) reads if `skip_processing`.
fn read_with_serde_as(
    text: &str,
    numbers: Numbers,
    skip_processing: bool,
) -> Result<WireRecord<'_>, Rejection> {
    let mut flat = Flat::new(skip_processing);
    read_top(Top(&mut flat), text, numbers)?;
    flat.take_wire()
}

/// One serde reading of `text` into `top`, its top level, taking numbers as
/// `numbers` says.
fn read_top<'a, L: Level<'a>>(top: L, text: &'a str, numbers: Numbers) -> Result<(), Rejection> {
    match read_into(top, text, numbers) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Rejection::malformed(Malformed::NotObject)),
        Err(e) => Err(Rejection::malformed(Malformed::NotJson(json_error(&e)))),
    }
}

/// Reads `text` (one JSON value) into `top`; `Ok(false)` when it is not an object.
fn read_into<'a, L: Level<'a>>(
    top: L,
    text: &'a str,
    numbers: Numbers,
) -> serde_json::Result<bool> {
    let mut de = serde_json::Deserializer::from_str(text);
    let kind = Object(top, numbers).deserialize(&mut de)?;
    de.end()?;
    Ok(kind == Kind::Object)
}

/// serde_json's message with the position as a column of the line: its "line 1"
/// would read like a line of the log.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => format!("{} at column {}", &text[..at], e.column()),
        None => text,
    }
}

/// [`Values`] from a serde map, with the object's way of taking numbers.
struct FromSerde<'m, A> {
    map: &'m mut A,
    numbers: Numbers,
}

impl<'de, A: MapAccess<'de>> Values<'de> for FromSerde<'_, A> {
    type Error = A::Error;

    fn slot(&mut self) -> Result<Option<Scalar<'de>>, A::Error> {
        self.numbers.slot(self.map)
    }
    fn time(&mut self) -> Result<Option<Scalar<'de>>, A::Error> {
        time_slot(self.map)
    }
    fn object<L: Level<'de>>(&mut self, level: L) -> Result<Kind, A::Error> {
        self.numbers.object(self.map, level)
    }
    fn skip(&mut self) -> Result<(), A::Error> {
        skip(self.map)
    }
    fn raw(&mut self) -> Result<Option<&'de str>, A::Error> {
        let raw: Option<&'de serde_json::value::RawValue> = self.map.next_value()?;
        Ok(raw.map(serde_json::value::RawValue::get))
    }
    fn object_raw<L: Level<'de>>(&mut self, mut level: L) -> Result<Option<&'de str>, A::Error> {
        let text = self.raw()?;
        if let Some(object) = text.filter(|t| t.starts_with('{')) {
            // The raw text is JSON already: only a key that fails to decode
            // (a lone surrogate) can fail here, and it is no error of the line.
            let mut de = serde_json::Deserializer::from_str(object);
            if Object(&mut level, Numbers::Raw)
                .deserialize(&mut de)
                .is_err()
            {
                level.unreadable();
            }
        }
        Ok(text)
    }
    fn object_text<L: Level<'de>>(&mut self, level: L) -> Result<Option<&'de str>, A::Error> {
        let raw: &'de serde_json::value::RawValue = self.map.next_value()?;
        let text = raw.get();
        let kind = object_of_text(text, level, self.numbers)?;
        Ok((kind != Kind::Null).then_some(text))
    }
}

/// A seed that reads an object into `L` and skips any other value.
struct Object<L>(L, Numbers);

impl<'de, L: Level<'de>> DeserializeSeed<'de> for Object<L> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, L: Level<'de>> Visitor<'de> for Object<L> {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Kind, A::Error> {
        let numbers = self.1;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let mut values = FromSerde {
                map: &mut map,
                numbers,
            };
            self.0.field(&key.0, &mut values)?;
        }
        Ok(Kind::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Kind::Other)
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Kind, E> {
        Ok(Kind::Other)
    }
}

/// An object key, borrowed unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A field value: `None` for `null`.
struct Slot<'a>(Option<Scalar<'a>>);

impl<'de> de::Deserialize<'de> for Slot<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SlotVisitor)
    }
}

struct SlotVisitor;

impl<'de> Visitor<'de> for SlotVisitor {
    type Value = Slot<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Str(Cow::Borrowed(v)))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Str(Cow::Owned(v.to_owned())))))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Str(Cow::Owned(v)))))
    }
    // A number where an id or a name is read is no string: `Other`, whatever its
    // size (only time fields make integers, from their token: `time_slot`).
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Other)))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Other)))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Other)))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Slot(Some(Scalar::Other)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Slot(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Slot(Some(Scalar::Other)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Slot(Some(Scalar::Other)))
    }
}

fn slot<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Scalar<'de>>, A::Error> {
    Ok(map.next_value::<Slot<'de>>()?.0)
}

/// A time field: read as its raw JSON token, so that the token's form decides
/// ([`integer_token`]).
fn time_slot<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Scalar<'de>>, A::Error> {
    let raw: &'de serde_json::value::RawValue = map.next_value()?;
    Ok(integer_token(raw.get()))
}

fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// How the values a level reads are taken in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Numbers {
    /// Straight from the parser (the fast way).
    Parsed,
    /// First as raw tokens, then read: the reader of record, which also reads
    /// lines with a number beyond `f64` (such as `1e400`) in a value the fast way
    /// would parse, which serde_json refuses.
    Raw,
}

impl Numbers {
    #[inline]
    fn slot<'de, A: MapAccess<'de>>(self, map: &mut A) -> Result<Option<Scalar<'de>>, A::Error> {
        match self {
            Numbers::Parsed => slot(map),
            Numbers::Raw => raw_slot(map),
        }
    }

    #[inline]
    fn object<'de, A: MapAccess<'de>, L: Level<'de>>(
        self,
        map: &mut A,
        level: L,
    ) -> Result<Kind, A::Error> {
        match self {
            Numbers::Parsed => map.next_value_seed(Object(level, Numbers::Parsed)),
            Numbers::Raw => raw_object(map, level),
        }
    }
}

/// A number's token, judged by its form: where a field or an object is read, a
/// number is `Other`, however large (the parsed reader would refuse `1e400`).
fn is_number(raw: &str) -> bool {
    raw.starts_with(|c: char| c == '-' || c.is_ascii_digit())
}

#[cold]
fn raw_slot<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Scalar<'de>>, A::Error> {
    let raw: &'de serde_json::value::RawValue = map.next_value()?;
    let text = raw.get();
    if is_number(text) {
        return Ok(Some(Scalar::Other));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de::Deserializer::deserialize_any(&mut de, SlotVisitor)
        .map(|s| s.0)
        .map_err(inner_error)
}

#[cold]
fn raw_object<'de, A: MapAccess<'de>, L: Level<'de>>(
    map: &mut A,
    level: L,
) -> Result<Kind, A::Error> {
    let raw: &'de serde_json::value::RawValue = map.next_value()?;
    object_of_text(raw.get(), level, Numbers::Raw)
}

/// The raw JSON `text` of a value read into `level` as an object is.
fn object_of_text<'de, L: Level<'de>, E: de::Error>(
    text: &'de str,
    level: L,
    numbers: Numbers,
) -> Result<Kind, E> {
    if is_number(text) {
        return Ok(Kind::Other);
    }
    // Objects are read; strings decoded (a lone surrogate fails, as it does for
    // the parsed reader); the rest is classified.
    let mut de = serde_json::Deserializer::from_str(text);
    Object(level, numbers)
        .deserialize(&mut de)
        .map_err(inner_error)
}

/// An error inside a raw value, without its position there (serde_json gives the
/// error the position in the line as it passes it on).
fn inner_error<E: de::Error>(e: serde_json::Error) -> E {
    let text = e.to_string();
    E::custom(text.rfind(" at line ").map_or(&*text, |at| &text[..at]))
}
