//! Time faults (SPEC §11) and their ground truth: offers answered after the
//! `ronaTimeout` deadline plus the grace (`late`), RONAs long before it
//! (`early`), and agents stuck ringing whose records stop while the others'
//! move the clock past it (`overdue`).
//!
//! The truth is the findings replay gives with `--time` and no other time
//! option (default grace, no `--limit`) for a log with no other fault or loss.
//! It is worked out from the generator's own events by the rules of §11, so
//! findings that happen without an injection are in it too.

use super::render;
use crate::model::vocabulary::{Event, Phase};
use std::collections::{BTreeSet, HashMap};

/// The `ronaTimeout` every offer carries, in seconds (the seed's).
pub(crate) const RONA_TIMEOUT_S: i64 = 18;
/// SPEC §11.5's default grace, which the truth assumes.
const GRACE_MS: i64 = 5_000;

/// One finding replay must report, as `--findings-truth` writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct FindingTruth {
    /// `late`, `early` or `overdue`.
    pub finding: &'static str,
    /// The agent.
    pub agent: String,
    /// The call.
    pub interaction: String,
    /// The phase of the stay (`offered`).
    pub state: &'static str,
    /// When the stay began (ms since the epoch).
    pub since: i64,
    /// Its deadline: `since` + `ronaTimeout`.
    pub deadline: i64,
    /// The ending record's time (`late`, `early`) or the clock (`overdue`).
    pub at: i64,
}

/// An agent's open `offered` stay.
#[derive(Debug, Clone, Copy)]
struct Stay {
    since: i64,
    call: u128,
    overdue: bool,
}

impl Stay {
    fn deadline(&self) -> i64 {
        self.since + 1000 * RONA_TIMEOUT_S
    }
}

/// Which time fault to inject into a stay that just began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeFault {
    Late,
    Early,
    Stuck,
}

/// The time faults' rate, the open stays and the findings they gave.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimeTruth {
    pub(crate) rate: f64,
    /// Agents stuck so far (at least one agent is always left to move the clock).
    pub(crate) stuck: usize,
    clock: i64,
    open: HashMap<usize, Stay>,
    /// Open stays by deadline + grace, then agent.
    due: BTreeSet<(i64, usize)>,
    found: Vec<FindingTruth>,
}

impl TimeTruth {
    pub(crate) fn new(rate: f64) -> TimeTruth {
        TimeTruth {
            rate,
            clock: i64::MIN,
            ..TimeTruth::default()
        }
    }

    /// Follows one event of `agent` at `time` that left it in `phase` about
    /// `call`; true when it began an `offered` stay.
    pub(crate) fn step(
        &mut self,
        agent: (usize, &render::Uuid),
        event: Event,
        time: i64,
        phase: Phase,
        call: Option<u128>,
    ) -> bool {
        let (idx, id) = agent;
        let stays = phase == Phase::Offered && call.is_some();
        let same = self
            .open
            .get(&idx)
            .is_some_and(|s| stays && Some(s.call) == call);
        let mut began = false;
        if !same {
            if let Some(stay) = self.open.remove(&idx) {
                self.due.remove(&(stay.deadline() + GRACE_MS, idx));
                let kind = if time > stay.deadline() + GRACE_MS && !stay.overdue {
                    Some("late")
                } else if event == Event::OfferContactRona && time < stay.deadline() - GRACE_MS {
                    Some("early")
                } else {
                    None
                };
                if let Some(kind) = kind {
                    self.found.push(finding(kind, id, &stay, time));
                }
            }
            if let (true, Some(call)) = (stays, call) {
                let stay = Stay {
                    since: time,
                    call,
                    overdue: false,
                };
                self.due.insert((stay.deadline() + GRACE_MS, idx));
                self.open.insert(idx, stay);
                began = true;
            }
        }
        began
    }

    /// Moves the clock to `time`; stays it takes past deadline + grace are
    /// `overdue` (`ids` gives an agent's id).
    pub(crate) fn tick<'a>(&mut self, time: i64, ids: impl Fn(usize) -> &'a render::Uuid) {
        self.clock = self.clock.max(time);
        while let Some(&(due, idx)) = self.due.first() {
            if due >= self.clock {
                break;
            }
            self.due.pop_first();
            if let Some(stay) = self.open.get_mut(&idx) {
                stay.overdue = true;
                let stay = *stay;
                self.found
                    .push(finding("overdue", ids(idx), &stay, self.clock));
            }
        }
    }

    pub(crate) fn take(&mut self) -> Vec<FindingTruth> {
        std::mem::take(&mut self.found)
    }
}

fn finding(kind: &'static str, agent: &render::Uuid, stay: &Stay, at: i64) -> FindingTruth {
    FindingTruth {
        finding: kind,
        agent: render::uuid_str(agent).to_owned(),
        interaction: render::uuid_str(&render::uuid(stay.call)).to_owned(),
        state: "offered",
        since: stay.since,
        deadline: stay.deadline(),
        at,
    }
}

/// How long after the deadline + grace a late answer comes: short, so that
/// often no other record moves the clock past the deadline first.
pub(crate) const LATE_BY_MS: (u64, u64) = (1, 1_500);
/// When into the ring an early RONA comes: well before deadline − grace.
pub(crate) const EARLY_AT_MS: (u64, u64) = (1_000, 12_000);
pub(crate) const GRACE: i64 = GRACE_MS;
