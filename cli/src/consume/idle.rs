//! When a partition is idle (`--idle-after`), and the clock it then runs on.
//!
//! A partition is idle once nothing was fetched from it for `--idle-after` and
//! it is caught up: its next offset is at its high watermark (asked of the
//! broker once the silence is that long, then again every `--idle-after` while
//! it is not, or while the broker does not answer). Its clock is then the
//! event time of its last record plus the wall time since that record came. A
//! message ends the idleness.

use std::time::{Duration, Instant};

/// A partition's silence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Idle {
    /// When the last message was judged, or the partition taken.
    heard: Instant,
    /// The partition's clock then.
    clock: Option<i64>,
    /// Found caught up since `heard`.
    caught_up: bool,
    /// When the high watermark was last asked, since `heard`.
    asked: Option<Instant>,
}

impl Idle {
    /// Silence from `now` on, with the clock at `clock`.
    pub fn new(clock: Option<i64>, now: Instant) -> Idle {
        Idle {
            heard: now,
            clock,
            caught_up: false,
            asked: None,
        }
    }

    /// Is it time to ask whether the partition is caught up: silent for
    /// `after`, not known to be caught up, and not asked within `after`?
    pub fn should_ask(&self, after: Duration, now: Instant) -> bool {
        !self.caught_up
            && now.saturating_duration_since(self.heard) >= after
            && self
                .asked
                .is_none_or(|at| now.saturating_duration_since(at) >= after)
    }

    /// The broker's answer: caught up or not (or no answer: not).
    pub fn answer(&mut self, caught_up: bool, now: Instant) {
        self.caught_up = caught_up;
        self.asked = Some(now);
    }

    /// The clock an idle partition runs on at `now`: its clock when it was
    /// last heard plus the wall time since; `None` while not idle, or before
    /// any time was seen.
    pub fn clock(&self, now: Instant) -> Option<i64> {
        if !self.caught_up {
            return None;
        }
        let silent = now.saturating_duration_since(self.heard).as_millis();
        self.clock?.checked_add(i64::try_from(silent).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn idle_only_when_silent_long_enough_and_caught_up() {
        let start = Instant::now();
        let mut idle = Idle::new(Some(10_000), start);
        assert!(!idle.should_ask(SECOND, start + SECOND / 2));
        assert!(idle.should_ask(SECOND, start + SECOND));
        // Lagging: not idle, asked again only after another second.
        idle.answer(false, start + SECOND);
        assert_eq!(idle.clock(start + 2 * SECOND), None);
        assert!(!idle.should_ask(SECOND, start + SECOND * 3 / 2));
        assert!(idle.should_ask(SECOND, start + 2 * SECOND));
        idle.answer(true, start + 2 * SECOND);
        assert!(!idle.should_ask(SECOND, start + 5 * SECOND));
        // The wall time since the last record counts, from the record on.
        assert_eq!(idle.clock(start + 2 * SECOND), Some(12_000));
        assert_eq!(idle.clock(start + 7 * SECOND), Some(17_000));
        let never_timed = Idle {
            caught_up: true,
            ..Idle::new(None, start)
        };
        assert_eq!(never_timed.clock(start + SECOND), None);
    }
}
