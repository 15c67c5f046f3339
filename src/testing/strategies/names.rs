//! The names records carry: agent ids, UUID-like interaction ids, and event
//! names in any spelling (canonical or alias, in random ASCII case), known or not.

use super::any_event;
use crate::model::vocabulary::{Event, AGENT_STATE_CHANGE};
use proptest::prelude::*;
use proptest::sample::select;

pub(super) fn agent_id(tag: u16) -> String {
    format!("agent-{tag:04x}")
}

/// A UUID-like id (version 4 layout). Distinct `(tag, n)` give distinct ids.
pub(super) fn uuid(seed: u64, tag: u16, n: u32) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:04x}{:08x}",
        (seed >> 32) as u32,
        (seed >> 16) as u16,
        seed & 0xfff,
        0x8000 | ((seed >> 48) & 0x3fff),
        tag,
        n,
    )
}

/// The canonical name and the aliases of `event`.
fn spellings(event: Event) -> Vec<&'static str> {
    std::iter::once(event.name())
        .chain(event.aliases())
        .collect()
}

/// Flips the ASCII case of the characters of `name` selected by the bits of `bits`.
pub(super) fn random_case(name: &str, bits: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// One spelling of `event` chosen by `bits`: 0 is the canonical name as is.
pub(super) fn spell(event: Event, bits: u64) -> String {
    let names = spellings(event);
    let name = names[(bits & 0xff) as usize % names.len()];
    random_case(name, bits >> 8)
}

pub(super) fn known_name() -> impl Strategy<Value = String> {
    (any_event(), any::<u64>()).prop_map(|(e, bits)| spell(e, bits))
}

/// A known name with one character that no name has inserted: never an event.
pub(super) fn near_miss() -> impl Strategy<Value = String> {
    (
        known_name(),
        any::<prop::sample::Index>(),
        select(vec![' ', '_', '-', '.', '0', '7', '\t', 'é']),
    )
        .prop_map(|(mut name, at, c)| {
            let at = at.index(name.len() + 1);
            name.insert(at, c);
            name
        })
}

/// A name that is certainly no event (and not empty, which would be a debatable case).
pub(super) fn unknown_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => near_miss(),
        1 => any::<u64>().prop_map(|bits| random_case(AGENT_STATE_CHANGE, bits)),
        1 => Just("Swapped".to_owned()),
        1 => "[A-Za-z]{1,24}".prop_filter("a known name", |n| Event::resolve(n).is_none()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn uuids_are_uuid_like_and_distinct_per_tag_and_call() {
        let a = uuid(0x0123_4567_89ab_cdef, 0x00ff, 1);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, uuid(0x0123_4567_89ab_cdef, 0x00ff, 2));
        assert_ne!(a, uuid(0x0123_4567_89ab_cdef, 0x0100, 1));
    }

    #[test]
    fn spelling_zero_is_canonical() {
        for e in Event::iter() {
            assert_eq!(spell(e, 0), e.name());
            assert_eq!(Event::resolve(&spell(e, u64::MAX)), Some(e));
        }
    }
}
