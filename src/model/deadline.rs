//! Where a stay's deadline comes from (SPEC §11.4): the table of record fields,
//! as data, and the reading of those fields from the raw JSON a record carries.
//!
//! A record keeps its deadline fields as raw JSON text ([`Timers`]); they are read
//! only when time rules are on and a stay of a phase this table names begins, so a
//! replay without time rules never parses them.

use crate::model::table::{Target, TABLE};
use crate::model::vocabulary::EventSet;
use crate::model::vocabulary::{Event, Phase};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Where a deadline came from: the `source` of a finding (SPEC §11.7).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::Display,
    serde::Serialize,
    serde::Deserialize,
)]
#[non_exhaustive]
pub enum DeadlineSource {
    /// The user's `--limit PHASE=DUR`.
    #[strum(serialize = "limit")]
    #[serde(rename = "limit")]
    Limit,
    /// The call's ring timer, in seconds.
    #[strum(serialize = "ronaTimeout")]
    #[serde(rename = "ronaTimeout")]
    RonaTimeout,
    /// A preview offer's expiry, in milliseconds since the epoch.
    #[strum(serialize = "campaignPreviewOfferTimeout")]
    #[serde(rename = "campaignPreviewOfferTimeout")]
    CampaignPreviewOfferTimeout,
}

impl DeadlineSource {
    /// The name reports give it.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The raw JSON of the fields a record's deadline may come from (SPEC §11.4),
/// as the wire found them; `None` when absent or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timers<'a> {
    /// `data.interaction` (an envelope's under `message.call.ResponseActual`),
    /// whose `callProcessingDetails` is read. A record read from a line leaves it
    /// `None`: the wire reads those fields in its one pass over the line and
    /// gives them in `rona` and `preview`, ahead of what those hold otherwise,
    /// which is the same order.
    pub interaction: Option<&'a str>,
    /// `data.ronaTimeout`, or a native record's `ronaTimeout` (from a line:
    /// `data.interaction.callProcessingDetails.ronaTimeout` when present).
    pub rona: Option<&'a str>,
    /// A native record's `campaignPreviewOfferTimeout` (from a line:
    /// `data.interaction.callProcessingDetails.campaignPreviewOfferTimeout` when
    /// present).
    pub preview: Option<&'a str>,
    /// An envelope's `message.call.CallVariables`.
    pub call_variables: Option<&'a str>,
}

impl Timers<'_> {
    /// No field at all.
    pub const NONE: Timers<'static> = Timers {
        interaction: None,
        rona: None,
        preview: None,
        call_variables: None,
    };
}

/// One place a deadline field is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPath {
    /// `data.interaction.callProcessingDetails.<key>`.
    Processing(&'static str),
    /// [`Timers::rona`].
    Rona,
    /// [`Timers::preview`].
    Preview,
    /// `message.call.CallVariables.<key>`.
    CallVariables(&'static str),
}

/// What a field's number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A duration in seconds from the stay's start.
    Seconds,
    /// An instant, in milliseconds since the epoch.
    EpochMillis,
}

/// One row of SPEC §11.4's table of record sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRule {
    /// The phase whose stays it gives a deadline.
    pub phase: Phase,
    /// The name reports give the source.
    pub source: DeadlineSource,
    /// Where the field is read, first present first.
    pub paths: &'static [FieldPath],
    /// What its number means.
    pub unit: Unit,
    /// The event the platform's timer fires when the deadline passes: ending a
    /// stay with it long before the deadline is `early`.
    pub fired_by: Option<Event>,
}

/// SPEC §11.4's record sources. (The user's `--limit`, which wins over them, is
/// in [`TimeRules`](crate::TimeRules).)
pub const DEADLINES: &[DeadlineRule] = &[
    DeadlineRule {
        phase: Phase::Offered,
        source: DeadlineSource::RonaTimeout,
        paths: &[
            FieldPath::Processing("ronaTimeout"),
            FieldPath::Rona,
            FieldPath::CallVariables("ronaTimeout"),
        ],
        unit: Unit::Seconds,
        fired_by: Some(Event::OfferContactRona),
    },
    DeadlineRule {
        phase: Phase::Reserved,
        source: DeadlineSource::CampaignPreviewOfferTimeout,
        paths: &[
            FieldPath::Processing("campaignPreviewOfferTimeout"),
            FieldPath::Preview,
        ],
        unit: Unit::EpochMillis,
        fired_by: None,
    },
];

/// The rule of `phase`, if the table has one.
pub fn rule_of(phase: Phase) -> Option<&'static DeadlineRule> {
    DEADLINES.iter().find(|r| r.phase == phase)
}

impl DeadlineRule {
    /// The deadline this rule gives a stay that began at `since` with a record
    /// carrying `timers`: the first path present decides; an unusable value there
    /// gives none.
    pub fn deadline(&self, timers: &Timers<'_>, since: i64) -> Option<i64> {
        let raw = self.paths.iter().find_map(|path| path.read(timers))?;
        let value = positive_integer(raw.get())?;
        match self.unit {
            Unit::Seconds => since.checked_add(value.checked_mul(1000)?),
            Unit::EpochMillis => Some(value),
        }
    }
}

impl FieldPath {
    /// The raw value at this path, if present and not `null`.
    fn read<'a>(&self, timers: &Timers<'a>) -> Option<&'a RawValue> {
        let raw = match *self {
            FieldPath::Processing(key) => {
                let processing = field(timers.interaction?, "callProcessingDetails")?;
                field(processing.get(), key)?
            }
            FieldPath::Rona => from_text(timers.rona?)?,
            FieldPath::Preview => from_text(timers.preview?)?,
            FieldPath::CallVariables(key) => field(timers.call_variables?, key)?,
        };
        (raw.get() != "null").then_some(raw)
    }
}

fn from_text(text: &str) -> Option<&RawValue> {
    serde_json::from_str(text).ok()
}

/// The member `key` of the JSON object `object` (the last, if repeated). The
/// other members are skipped, not built: nothing is allocated but an escaped key.
fn field<'a>(object: &'a str, key: &str) -> Option<&'a RawValue> {
    let mut json = serde_json::Deserializer::from_str(object);
    serde::Deserializer::deserialize_map(&mut json, Member(key)).ok()?
}

/// Finds one member of an object, skipping the others.
struct Member<'k>(&'k str);

impl<'de> serde::de::Visitor<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    // Only an error's message reads this, and `field` drops the error (`.ok()`),
    // so cargo-mutants' `Ok(())` here is equivalent.
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.0 {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// The events whose transition may begin a stay of a phase [`DEADLINES`] names
/// (its rows' targets, and the desktop's snapshot, which may land anywhere):
/// only their records' deadline fields are ever read.
pub(crate) fn may_begin_timed_stay(event: Event) -> bool {
    static EVENTS: OnceLock<EventSet> = OnceLock::new();
    EVENTS
        .get_or_init(|| {
            let timed = |to: &Target| matches!(to, Target::Phase(p) if rule_of(*p).is_some());
            TABLE
                .iter()
                .filter(|rule| timed(&rule.to) || matches!(rule.to, Target::Snapshot))
                .fold(EventSet::EMPTY, |set, rule| set.with(rule.event))
        })
        .contains(event)
}

/// A JSON integer, or a string of ASCII digits, greater than 0 and in the signed
/// 64-bit range.
fn positive_integer(raw: &str) -> Option<i64> {
    let digits = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(timers: Timers<'_>) -> Option<i64> {
        rule_of(Phase::Offered)?.deadline(&timers, 1_000)
    }

    #[test]
    fn sources_have_the_names_reports_give_them() {
        let names = [
            DeadlineSource::Limit,
            DeadlineSource::RonaTimeout,
            DeadlineSource::CampaignPreviewOfferTimeout,
        ]
        .map(DeadlineSource::name);
        assert_eq!(
            names,
            ["limit", "ronaTimeout", "campaignPreviewOfferTimeout"]
        );
    }

    #[test]
    fn ring_timer_paths_in_order_and_forms() {
        let interaction = r#"{"callProcessingDetails":{"ronaTimeout":"18"}}"#;
        let timers = Timers {
            interaction: Some(interaction),
            rona: Some("30"),
            ..Timers::NONE
        };
        assert_eq!(offered(timers), Some(19_000));
        let timers = Timers {
            rona: Some("30"),
            call_variables: Some(r#"{"ronaTimeout":"40"}"#),
            ..Timers::NONE
        };
        assert_eq!(offered(timers), Some(31_000));
        let timers = Timers {
            interaction: Some(r#"{"callProcessingDetails":{}}"#),
            call_variables: Some(r#"{"ronaTimeout":40}"#),
            ..Timers::NONE
        };
        assert_eq!(offered(timers), Some(41_000));
        assert_eq!(offered(Timers::NONE), None);
    }

    #[test]
    fn unusable_values_give_no_deadline_and_do_not_fall_through() {
        for bad in [
            r#""""#,
            r#""1.5""#,
            "1.5",
            "0",
            "-3",
            r#""-3""#,
            // Rust's integer parsing takes a sign; SPEC §11.4 takes digits only.
            r#""+18""#,
            "true",
            "[18]",
            r#""18s""#,
            "99999999999999999999",
        ] {
            let timers = Timers {
                rona: Some(bad),
                call_variables: Some(r#"{"ronaTimeout":"40"}"#),
                ..Timers::NONE
            };
            assert_eq!(offered(timers), None, "{bad}");
        }
        // null is absent: the next path decides.
        let timers = Timers {
            rona: Some("null"),
            call_variables: Some(r#"{"ronaTimeout":"40"}"#),
            ..Timers::NONE
        };
        assert_eq!(offered(timers), Some(41_000));
        // Seconds that overflow in milliseconds give none.
        let huge = Timers {
            rona: Some("9223372036854775807"),
            ..Timers::NONE
        };
        assert_eq!(offered(huge), None);
    }

    #[test]
    fn preview_expiry_is_an_instant() {
        let rule = rule_of(Phase::Reserved).unwrap();
        let interaction =
            r#"{"callProcessingDetails":{"campaignPreviewOfferTimeout":"1718965810000"}}"#;
        let timers = Timers {
            interaction: Some(interaction),
            ..Timers::NONE
        };
        assert_eq!(rule.deadline(&timers, 5), Some(1_718_965_810_000));
        let native = Timers {
            preview: Some("7000"),
            ..Timers::NONE
        };
        assert_eq!(rule.deadline(&native, 5), Some(7_000));
        assert!(rule_of(Phase::WrapUp).is_none());
    }

    #[test]
    fn only_offers_and_snapshots_may_begin_a_timed_stay() {
        for event in [
            Event::OfferContact,
            Event::OfferConsult,
            Event::OfferCampaignReserved,
        ] {
            assert!(may_begin_timed_stay(event), "{event}");
        }
        assert!(may_begin_timed_stay(Event::ContactSnapshot));
        for event in [Event::CustAnswered, Event::Acw, Event::ContactWrappedUp] {
            assert!(!may_begin_timed_stay(event), "{event}");
        }
    }

    #[test]
    fn a_member_is_found_among_others_last_one_wins() {
        let object =
            r#"{"a":[1,{"ronaTimeout":"9"}],"ronaTimeout":"1","b":"x\"y","ronaTimeout":"2"}"#;
        assert_eq!(
            field(object, "ronaTimeout").map(RawValue::get),
            Some(r#""2""#)
        );
        assert!(field(object, "c").is_none());
        assert!(field("[1]", "a").is_none());
        assert!(field("{", "a").is_none());
    }
}
