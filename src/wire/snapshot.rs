//! The desktop's snapshot (SPEC §3.5): the fields of `data.interaction` an
//! `AgentContact` record is judged by, read only for that event, and resolved
//! against the record's own agent and interaction ids. A value of another type
//! counts as absent; a snapshot is never malformed for these fields.

use crate::model::record::SnapshotView;
use crate::model::table::SNAPSHOT_ROWS;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `data.interaction`, as far as the snapshot reads it.
#[derive(Deserialize, Default)]
struct Interaction<'a> {
    #[serde(borrow)]
    state: Option<&'a RawValue>,
    #[serde(borrow)]
    owner: Option<&'a RawValue>,
    #[serde(rename = "isTerminated", borrow)]
    is_terminated: Option<&'a RawValue>,
    #[serde(borrow)]
    media: Option<&'a RawValue>,
    #[serde(borrow)]
    participants: Option<&'a RawValue>,
    #[serde(rename = "callProcessingDetails", borrow)]
    call_processing: Option<&'a RawValue>,
}

/// A JSON string, its escapes decoded (borrowed when it has none); anything else
/// is `None`.
fn text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let json = raw?.get();
    let inner = json.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(json).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// The *state* as SPEC §3.5 reads it: a string, escapes decoded. A known state
/// written with escapes is given in the table's spelling (the match is
/// case-insensitive, so the spelling does not matter); an unknown one states no phase
/// either way.
fn state(raw: Option<&RawValue>) -> Option<&str> {
    match text(raw)? {
        Cow::Borrowed(s) => Some(s),
        Cow::Owned(s) => SNAPSHOT_ROWS
            .iter()
            .flat_map(|row| row.states.iter().copied())
            .find(|known| known.eq_ignore_ascii_case(&s)),
    }
}

/// SPEC §3.5's "true": JSON `true`, or the string `"true"` in any ASCII case.
fn is_true(raw: Option<&RawValue>) -> bool {
    match raw.map(RawValue::get) {
        Some("true") => true,
        Some(_) => text(raw).is_some_and(|s| s.eq_ignore_ascii_case("true")),
        None => false,
    }
}

/// The field `field` of the object `key` of the object `raw` (keys compared byte
/// for byte).
fn nested<'a>(raw: Option<&'a RawValue>, key: &str, field: &str) -> Option<&'a RawValue> {
    let map: BTreeMap<Cow<'a, str>, &'a RawValue> = serde_json::from_str(raw?.get()).ok()?;
    let inner: BTreeMap<Cow<'a, str>, &'a RawValue> =
        serde_json::from_str(map.get(key)?.get()).ok()?;
    inner.get(field).copied()
}

/// The snapshot's view of `interaction` (the raw `data.interaction`), for the
/// record of `agent` naming `call`.
pub(super) fn view<'a>(
    interaction: Option<&'a str>,
    agent: Option<&str>,
    call: Option<&str>,
) -> SnapshotView<'a> {
    let Some(fields) =
        interaction.and_then(|raw| serde_json::from_str::<Interaction<'a>>(raw).ok())
    else {
        return SnapshotView::default();
    };
    let processing = |field: &str| -> bool {
        let Some(raw) = fields.call_processing else {
            return false;
        };
        let map: Option<BTreeMap<Cow<'_, str>, &RawValue>> = serde_json::from_str(raw.get()).ok();
        map.is_some_and(|m| is_true(m.get(field).copied()))
    };
    let owner = text(fields.owner);
    SnapshotView {
        state: state(fields.state),
        held: call.is_some_and(|i| is_true(nested(fields.media, i, "isHold"))),
        wrap_up: agent.is_some_and(|a| is_true(nested(fields.participants, a, "isWrapUp")))
            || is_true(fields.is_terminated),
        owned_by_another: owner.is_some_and(|o| !o.is_empty() && Some(&*o) != agent),
        paused: processing("isPaused"),
        recording: processing("recordInProgress"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_are_read_against_the_records_ids() {
        let raw = r#"{"state":"connected","owner":"a2","isTerminated":false,
            "media":{"c1":{"isHold":"TRUE"},"c2":{"isHold":false}},
            "participants":{"a1":{"isWrapUp":false}},
            "callProcessingDetails":{"isPaused":"false","recordInProgress":true}}"#;
        let v = view(Some(raw), Some("a1"), Some("c1"));
        assert_eq!(v.state, Some("connected"));
        assert!(v.held && !v.wrap_up && v.owned_by_another && !v.paused && v.recording);
        let v = view(Some(raw), Some("a2"), Some("c2"));
        assert!(!v.held && !v.owned_by_another);
        // Another type counts as absent.
        let odd = r#"{"state":5,"owner":"","isTerminated":"yes"}"#;
        assert_eq!(
            view(Some(odd), Some("a"), Some("c")),
            SnapshotView::default()
        );
        assert_eq!(view(Some("[1]"), None, None), SnapshotView::default());
        // Escapes are decoded (SPEC §3.5).
        let escaped = r#"{"state":"C\u006fNNECTED","owner":"a\u0031","isTerminated":"tru\u0065"}"#;
        let v = view(Some(escaped), Some("a1"), Some("c"));
        assert_eq!(v.state, Some("connected"));
        assert!(v.wrap_up && !v.owned_by_another);
    }
}
