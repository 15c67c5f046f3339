//! Findings (SPEC §11.6): a time rule broken, by a record that was accepted or by
//! no record at all. Distinct from a [`Rejection`](crate::Rejection): a finding
//! changes nothing.

use crate::model::deadline::DeadlineSource;
use crate::model::time_rules::Millis;
use crate::model::unknown_name::{self, UnknownName};
use crate::model::vocabulary::{Event, Phase};
use std::fmt;

/// The kinds of finding.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumCount,
    serde::Serialize,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FindingKind {
    /// The event that ended a stay came after its deadline and the grace.
    Late,
    /// The platform's timer event came more than the grace before its deadline.
    Early,
    /// The clock passed a stay's deadline and the grace, and nothing ended it.
    Overdue,
}

impl FindingKind {
    /// Every kind, in report order.
    pub fn all() -> impl Iterator<Item = FindingKind> {
        <FindingKind as strum::IntoEnumIterator>::iter()
    }

    /// The name reports give it (`late`, `early`, `overdue`).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl std::str::FromStr for FindingKind {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        use strum::IntoEnumIterator;
        unknown_name::parse("finding", name, FindingKind::iter(), FindingKind::name)
    }
}

/// One finding (SPEC §11.6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// What was broken.
    pub kind: FindingKind,
    /// The agent.
    pub agent: String,
    /// The call of the stay.
    pub interaction: Option<String>,
    /// The phase of the stay.
    pub phase: Phase,
    /// When the stay began.
    pub since: i64,
    /// Its deadline.
    pub deadline: i64,
    /// Where the deadline came from.
    pub source: DeadlineSource,
    /// The ending record's time (`late`, `early`), or the clock (`overdue`).
    pub at: i64,
    /// The ending record's event (`late`, `early`); `None` for `overdue`.
    pub event: Option<Event>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let after = Millis(self.at - self.since);
        let limit = Millis(self.deadline - self.since);
        let (phase, source) = (self.phase, self.source.name());
        match (self.kind, self.event) {
            (FindingKind::Overdue, _) | (_, None) => write!(
                f,
                "still {phase} {after} after it began, past its deadline of {limit} ({source})"
            ),
            (FindingKind::Late, Some(e)) => write!(
                f,
                "{e} ended {phase} {after} after it began, past its deadline of {limit} ({source})"
            ),
            (FindingKind::Early, Some(e)) => write!(
                f,
                "{e} ended {phase} {after} after it began, long before its deadline of {limit} ({source})"
            ),
        }
    }
}

/// An agent still inside a call at the end of a replay (SPEC §11.7).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenStay {
    /// The agent.
    pub agent: String,
    /// Its call.
    pub interaction: Option<String>,
    /// Its phase.
    pub phase: Phase,
    /// When the stay began, if known.
    pub since: Option<i64>,
    /// The clock minus `since`.
    pub age: Option<i64>,
    /// Its deadline and where it came from, if it has one.
    pub deadline: Option<(i64, DeadlineSource)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name_in_report_order() {
        let names: Vec<_> = FindingKind::all().map(FindingKind::name).collect();
        assert_eq!(names, ["late", "early", "overdue"]);
        for kind in FindingKind::all() {
            assert_eq!(kind.name().parse(), Ok(kind));
        }
        assert!("Late".parse::<FindingKind>().is_err());
    }

    #[test]
    fn a_finding_says_how_long_after_the_start_and_its_deadline() {
        let late = Finding {
            kind: FindingKind::Late,
            agent: "a".into(),
            interaction: Some("c".into()),
            phase: Phase::Offered,
            since: 10_000,
            deadline: 28_000,
            source: DeadlineSource::RonaTimeout,
            at: 35_000,
            event: Some(Event::CustAnswered),
        };
        let early = Finding {
            kind: FindingKind::Early,
            at: 12_000,
            event: Some(Event::OfferContactRona),
            ..late.clone()
        };
        let overdue = Finding {
            kind: FindingKind::Overdue,
            source: DeadlineSource::Limit,
            event: None,
            ..late.clone()
        };
        assert_eq!(
            late.to_string(),
            "CustAnswered ended offered 25s after it began, past its deadline of 18s (ronaTimeout)"
        );
        assert_eq!(
            early.to_string(),
            "eAgentOfferContactRona ended offered 2s after it began, long before its deadline of 18s (ronaTimeout)"
        );
        assert_eq!(
            overdue.to_string(),
            "still offered 25s after it began, past its deadline of 18s (limit)"
        );
    }
}
