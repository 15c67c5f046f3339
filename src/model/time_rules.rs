//! The user's side of the time rules (SPEC §11.4, §11.5): a limit per call phase
//! and the grace, and the duration syntax they are written in.

use crate::model::vocabulary::Phase;
use std::fmt;
use strum::EnumCount;

/// The grace when none is given (SPEC §11.5): 5 seconds.
pub const DEFAULT_GRACE_MS: i64 = 5_000;

/// Time rules: the user's limits per call phase and the grace. An engine or a
/// replay given them reports findings (SPEC §11); the record sources of deadlines
/// ([`DEADLINES`](crate::DEADLINES)) apply where no limit is set.
///
/// ```
/// use callstate::{Phase, TimeRules};
/// let rules: TimeRules = TimeRules::default()
///     .with_limit_text("wrapUp=10m").unwrap()
///     .with_grace_text("2s").unwrap();
/// assert_eq!(rules.limit(Phase::WrapUp), Some(600_000));
/// assert_eq!(rules.grace(), 2_000);
/// assert!(TimeRules::default().with_limit_text("ready=1s").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRules {
    /// Milliseconds, by phase.
    limits: [Option<i64>; Phase::COUNT],
    grace: i64,
}

impl Default for TimeRules {
    fn default() -> Self {
        TimeRules {
            limits: [None; Phase::COUNT],
            grace: DEFAULT_GRACE_MS,
        }
    }
}

/// Why a limit or a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeRuleError {
    /// Not digits followed by `ms`, `s`, `m` or `h`.
    #[error("{0:?} is not a duration: digits then ms, s, m or h (500ms, 18s, 10m, 4h)")]
    Duration(String),
    /// Not `PHASE=DUR`.
    #[error("{0:?} is not PHASE=DURATION (wrapUp=10m)")]
    Limit(String),
    /// No such phase, or one without a call.
    #[error("{0:?} is not a call phase: reserved, offered, connected, hold, consulting, consult, conference, ended or wrapUp")]
    Phase(String),
}

impl TimeRules {
    /// The same rules with `phase`'s stays limited to `ms` milliseconds; `Err`
    /// when the phase has no call (`idle`, `ready`).
    pub fn with_limit(mut self, phase: Phase, ms: i64) -> Result<TimeRules, TimeRuleError> {
        if !phase.has_call() {
            return Err(TimeRuleError::Phase(phase.to_string()));
        }
        self.limits[phase as usize] = Some(ms.max(0));
        Ok(self)
    }

    /// [`TimeRules::with_limit`] from `PHASE=DUR` text (`wrapUp=10m`).
    pub fn with_limit_text(self, text: &str) -> Result<TimeRules, TimeRuleError> {
        let (phase, duration) = text
            .split_once('=')
            .ok_or_else(|| TimeRuleError::Limit(text.to_owned()))?;
        let phase = Phase::from_wire(phase.trim())
            .filter(|p| p.has_call())
            .ok_or_else(|| TimeRuleError::Phase(phase.to_owned()))?;
        self.with_limit(phase, parse_duration(duration.trim())?)
    }

    /// The same rules with a grace of `ms` milliseconds (negative counts as 0).
    #[must_use]
    pub fn with_grace(mut self, ms: i64) -> TimeRules {
        self.grace = ms.max(0);
        self
    }

    /// [`TimeRules::with_grace`] from duration text (`2s`).
    pub fn with_grace_text(self, text: &str) -> Result<TimeRules, TimeRuleError> {
        Ok(self.with_grace(parse_duration(text)?))
    }

    /// Rules from text, as the command line and the Node and Python packages
    /// take them: limits as `PHASE=DUR`, the grace as a duration (default 5 s).
    pub fn from_texts(
        limits: &[impl AsRef<str>],
        grace: Option<&str>,
    ) -> Result<TimeRules, TimeRuleError> {
        let mut rules = TimeRules::default();
        for limit in limits {
            rules = rules.with_limit_text(limit.as_ref())?;
        }
        match grace {
            Some(grace) => rules.with_grace_text(grace),
            None => Ok(rules),
        }
    }

    /// `phase`'s limit in milliseconds, if set.
    pub fn limit(&self, phase: Phase) -> Option<i64> {
        self.limits[phase as usize]
    }

    /// The grace in milliseconds.
    pub fn grace(&self) -> i64 {
        self.grace
    }
}

/// Milliseconds from `500ms`, `18s`, `10m`, `4h` (SPEC §11.4).
pub fn parse_duration(text: &str) -> Result<i64, TimeRuleError> {
    let bad = || TimeRuleError::Duration(text.to_owned());
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (digits, unit) = text.split_at(split);
    let scale = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(scale).ok_or_else(bad)
}

/// Milliseconds for a person: the largest exact unit [`parse_duration`] reads,
/// else seconds with three decimals.
pub(crate) struct Millis(pub(crate) i64);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        match ms {
            _ if ms != 0 && ms % 3_600_000 == 0 => write!(f, "{}h", ms / 3_600_000),
            _ if ms != 0 && ms % 60_000 == 0 => write!(f, "{}m", ms / 60_000),
            _ if ms % 1_000 == 0 => write!(f, "{}s", ms / 1_000),
            _ if ms.abs() >= 1_000 => write!(f, "{:.3}s", ms as f64 / 1_000.0),
            _ => write!(f, "{ms}ms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("18s"), Ok(18_000));
        assert_eq!(parse_duration("10m"), Ok(600_000));
        assert_eq!(parse_duration("4h"), Ok(14_400_000));
        assert_eq!(parse_duration("0s"), Ok(0));
        for bad in [
            "",
            "18",
            "s",
            "1.5s",
            "-1s",
            "10 m",
            "3d",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for ms in [0, 1, 999, 1_000, 90_000, 600_000, 7_200_000] {
            assert_eq!(parse_duration(&Millis(ms).to_string()), Ok(ms));
        }
        assert_eq!(Millis(29_307).to_string(), "29.307s");
    }

    #[test]
    fn rules_from_texts() {
        let rules = TimeRules::from_texts(&["wrapUp=10m", "offered=30s"], Some("2s")).unwrap();
        assert_eq!(
            (
                rules.limit(Phase::WrapUp),
                rules.limit(Phase::Offered),
                rules.grace()
            ),
            (Some(600_000), Some(30_000), 2_000)
        );
        let none: [&str; 0] = [];
        assert_eq!(TimeRules::from_texts(&none, None), Ok(TimeRules::default()));
        assert!(TimeRules::from_texts(&["idle=1s"], None).is_err());
        assert!(TimeRules::from_texts(&none, Some("2")).is_err());
    }

    #[test]
    fn millis_take_the_largest_exact_unit() {
        for (ms, text) in [
            (0, "0s"),
            (999, "999ms"),
            (-999, "-999ms"),
            (1_000, "1s"),
            (90_000, "90s"),
            (600_000, "10m"),
            (7_200_000, "2h"),
            (-7_200_000, "-2h"),
            (-1_500, "-1.500s"),
        ] {
            assert_eq!(Millis(ms).to_string(), text);
        }
    }

    #[test]
    fn limits_only_on_call_phases() {
        let rules = TimeRules::default()
            .with_limit_text("connected=4h")
            .unwrap()
            .with_limit_text("new=30s")
            .unwrap();
        assert_eq!(rules.limit(Phase::Connected), Some(14_400_000));
        assert_eq!(rules.limit(Phase::Offered), Some(30_000));
        assert_eq!(rules.limit(Phase::WrapUp), None);
        assert_eq!(rules.grace(), DEFAULT_GRACE_MS);
        for bad in ["idle=1s", "ready=1s", "nowhere=1s", "wrapUp", "wrapUp=1"] {
            assert!(TimeRules::default().with_limit_text(bad).is_err(), "{bad}");
        }
    }
}
