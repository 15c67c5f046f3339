//! The engine's time rules (SPEC §11): each agent's current stay, the stream's
//! clock, and the deadlines being watched for `overdue`.
//!
//! An agent's [`Stay`] sits beside its machine in the engine's table (24 bytes), so
//! judging a record reads no other memory. Deadlines wait in a min-heap keyed by
//! deadline plus grace; an entry whose stay has ended is dropped when it comes up
//! (checked against the agent's current stay), so ending a stay costs nothing.

use crate::engine::agents::Agents;
use crate::engine::time_snapshot::StaySnapshot;
use crate::model::deadline::{self, DeadlineSource};
use crate::model::finding::{Finding, FindingKind};
use crate::model::id::Id;
use crate::model::machine::Machine;
use crate::model::record::Record;
use crate::model::time_rules::TimeRules;
use crate::model::vocabulary::Phase;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// No known start: a stay begun by a record without a time, or no stay.
const UNKNOWN: i64 = i64::MIN;

/// One agent's current stay in a call phase (SPEC §11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stay {
    /// When it began, or [`UNKNOWN`].
    since: i64,
    /// Its deadline; meaningless without `source`.
    deadline: i64,
    source: Option<DeadlineSource>,
    /// `overdue` was reported for it.
    reported: bool,
}

impl Default for Stay {
    fn default() -> Self {
        Stay::NONE
    }
}

impl Stay {
    const NONE: Stay = Stay {
        since: UNKNOWN,
        deadline: 0,
        source: None,
        reported: false,
    };

    fn since(&self) -> Option<i64> {
        (self.since != UNKNOWN).then_some(self.since)
    }

    fn deadline(&self) -> Option<(i64, DeadlineSource)> {
        self.source.map(|s| (self.deadline, s))
    }

    /// The stay as a snapshot keeps it; `None` without a start (nothing to keep).
    pub(crate) fn saved(&self) -> Option<StaySnapshot> {
        Some(StaySnapshot {
            since: self.since()?,
            deadline: self.source.map(|_| self.deadline),
            source: self.source,
            reported: self.reported,
        })
    }

    /// The stay a snapshot kept; `None` when its deadline and source are not
    /// both given or both absent.
    pub(crate) fn restored(saved: &StaySnapshot) -> Option<Stay> {
        let deadline = match (saved.deadline, saved.source) {
            (Some(deadline), Some(_)) => deadline,
            (None, None) => 0,
            _ => return None,
        };
        Some(Stay {
            since: saved.since,
            deadline,
            source: saved.source,
            reported: saved.reported,
        })
    }
}

/// A deadline being watched: due when the clock passes `due` (deadline + grace).
#[derive(Debug, Clone)]
struct Watch {
    due: i64,
    agent: Id,
    since: i64,
}

// The heap orders watches by `Ord` alone and nothing else compares them, so
// cargo-mutants' `true`, `false` or `!=` in `eq` is equivalent.
impl PartialEq for Watch {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Watch {}

impl PartialOrd for Watch {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Watch {
    /// By due time, then agent id (byte order): SPEC §11.7's order of `overdue`.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.agent.as_bytes(), self.since).cmp(&(
            other.due,
            other.agent.as_bytes(),
            other.since,
        ))
    }
}

/// The time state of an engine with time rules.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    pub(crate) rules: TimeRules,
    /// The largest record time seen, or given to `advance`.
    now: Option<i64>,
    watch: BinaryHeap<Reverse<Watch>>,
    /// Findings of records applied, not yet taken.
    pub(crate) found: Vec<Finding>,
}

/// What an agent was before a record: its phase and call.
pub(crate) struct Before {
    phase: Phase,
    call: Option<Id>,
}

impl Before {
    pub(crate) fn of(machine: &Machine) -> Before {
        Before {
            phase: machine.phase(),
            call: machine.interaction_id().cloned(),
        }
    }

    fn same(&self, machine: &Machine) -> bool {
        self.phase == machine.phase() && self.call.as_ref() == machine.interaction_id()
    }
}

/// How a record moved its agent, for the stays.
pub(crate) enum Moved {
    /// By its own transition alone.
    Itself,
    /// After inferred events (SPEC §8): the stay ends unjudged.
    Repaired,
}

impl Clock {
    pub(crate) fn new(rules: TimeRules) -> Clock {
        Clock {
            rules,
            now: None,
            watch: BinaryHeap::new(),
            found: Vec::new(),
        }
    }

    /// The clock: the largest time seen.
    pub(crate) fn now(&self) -> Option<i64> {
        self.now
    }

    /// Moves the clock to `time` if it is later.
    #[inline]
    pub(crate) fn see(&mut self, time: Option<i64>) {
        if let Some(t) = time {
            self.now = Some(self.now.map_or(t, |now| now.max(t)));
        }
    }

    /// Watches again every stay of `agents` with a deadline not yet reported,
    /// with the current grace (after a restore, or new rules).
    pub(crate) fn rewatch(&mut self, agents: &Agents) {
        let grace = self.rules.grace();
        self.watch = agents
            .iter_with_stays()
            .filter(|(_, _, stay)| !stay.reported)
            .filter_map(|(agent, _, stay)| {
                let (deadline, _) = stay.deadline()?;
                Some(Reverse(Watch {
                    due: deadline.saturating_add(grace),
                    agent: Id::new(agent),
                    since: stay.since,
                }))
            })
            .collect();
    }

    /// Ends and begins stays after `record` moved its agent (`machine`, `stay`)
    /// from `before`, noting a `late` or `early` finding.
    pub(crate) fn moved(
        &mut self,
        record: &Record<'_>,
        before: &Before,
        how: Moved,
        machine: &Machine,
        stay: &mut Stay,
    ) {
        if matches!(how, Moved::Itself) && before.same(machine) {
            return;
        }
        if matches!(how, Moved::Itself) && before.phase.has_call() {
            if let Some(finding) = self.judge_end(record, before, stay) {
                self.found.push(finding);
            }
        }
        *stay = Stay::NONE;
        if machine.has_call() {
            *stay = self.begin(record, machine.phase());
            if let Some((deadline, _)) = stay.deadline() {
                self.watch.push(Reverse(Watch {
                    due: deadline.saturating_add(self.rules.grace()),
                    agent: Id::new(record.agent),
                    since: stay.since,
                }));
            }
        }
    }

    /// The stay `record` begins in `phase` (SPEC §11.3, §11.4).
    fn begin(&self, record: &Record<'_>, phase: Phase) -> Stay {
        let Some(since) = record.time else {
            return Stay::NONE;
        };
        let limit = self
            .rules
            .limit(phase)
            .map(|ms| (since.saturating_add(ms), DeadlineSource::Limit));
        // Only the events that may begin such a stay have their fields read
        // (the parallel replay keeps no others).
        let may_read = record
            .event
            .event()
            .is_some_and(deadline::may_begin_timed_stay);
        let field = || {
            let rule = deadline::rule_of(phase).filter(|_| may_read)?;
            Some((rule.deadline(&record.timers, since)?, rule.source))
        };
        let (deadline, source) = limit
            .or_else(field)
            .map_or((0, None), |(d, s)| (d, Some(s)));
        Stay {
            since,
            deadline,
            source,
            reported: false,
        }
    }

    /// `late` or `early` for the stay `record` ended (SPEC §11.6).
    fn judge_end(&self, record: &Record<'_>, before: &Before, stay: &Stay) -> Option<Finding> {
        let (t, event) = (record.time?, record.event.event()?);
        let since = stay.since()?;
        let (deadline, source) = stay.deadline()?;
        let grace = self.rules.grace();
        let fired_by = deadline::rule_of(before.phase)
            .filter(|rule| rule.source == source)
            .and_then(|rule| rule.fired_by);
        let kind = if t > deadline.saturating_add(grace) && !stay.reported {
            FindingKind::Late
        } else if fired_by == Some(event) && t < deadline.saturating_sub(grace) {
            FindingKind::Early
        } else {
            return None;
        };
        Some(Finding {
            kind,
            agent: record.agent.to_owned(),
            interaction: before.call.as_ref().map(|c| c.as_str().to_owned()),
            phase: before.phase,
            since,
            deadline,
            source,
            at: t,
            event: Some(event),
        })
    }

    /// Notes the `overdue` findings the clock has revealed, in SPEC §11.7's
    /// order, among `agents`.
    pub(crate) fn overdue(&mut self, agents: &mut Agents) {
        let Some(now) = self.now else { return };
        let grace = self.rules.grace();
        while self.watch.peek().is_some_and(|Reverse(w)| w.due < now) {
            let Some(Reverse(w)) = self.watch.pop() else {
                break;
            };
            let Some((machine, stay)) = agents.get_with_stay(w.agent.as_str()) else {
                continue;
            };
            let Some((deadline, source)) = stay.deadline() else {
                continue;
            };
            let current = stay.since == w.since && deadline.saturating_add(grace) == w.due;
            if !current || stay.reported || !machine.has_call() {
                continue;
            }
            stay.reported = true;
            self.found.push(Finding {
                kind: FindingKind::Overdue,
                agent: w.agent.as_str().to_owned(),
                interaction: machine.interaction().map(str::to_owned),
                phase: machine.phase(),
                since: stay.since,
                deadline,
                source,
                at: now,
                event: None,
            });
        }
    }
}

/// An agent's stay as the end-of-replay list shows it: since, deadline.
pub(crate) fn open_parts(stay: &Stay) -> (Option<i64>, Option<(i64, DeadlineSource)>) {
    (stay.since(), stay.deadline())
}

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use crate::model::deadline::{DeadlineSource, Timers};
    use crate::model::finding::FindingKind;
    use crate::model::record::Record;
    use crate::model::time_rules::TimeRules;
    use crate::model::vocabulary::{Event, Phase};

    const RING: Timers<'static> = Timers {
        interaction: None,
        rona: Some("18"),
        preview: None,
        call_variables: None,
    };

    /// The findings of an 18 s ring (grace 5 s) ended by `event` at `t`.
    fn ring_ended(event: Event, t: i64) -> Vec<FindingKind> {
        let mut engine = Engine::new().with_time(TimeRules::default());
        let offer = Record::new("a", Event::OfferContact)
            .interaction("c")
            .at(0)
            .timers(RING);
        engine.apply(&offer).unwrap();
        engine.apply(&Record::new("a", event).at(t)).unwrap();
        engine.take_findings().into_iter().map(|f| f.kind).collect()
    }

    /// What time rules keep per agent beyond its stay (in the agents' table,
    /// 24 bytes): one entry per stay whose deadline is watched, until it is due.
    #[test]
    fn a_watched_deadline_is_56_bytes() {
        use std::cmp::Reverse;
        assert_eq!(std::mem::size_of::<Reverse<super::Watch>>(), 56);
    }

    #[test]
    fn late_is_strictly_past_deadline_and_grace() {
        assert!(ring_ended(Event::CustAnswered, 23_000).is_empty());
        assert_eq!(ring_ended(Event::CustAnswered, 23_001), [FindingKind::Late]);
        assert_eq!(
            ring_ended(Event::OfferContactRona, 30_000),
            [FindingKind::Late]
        );
    }

    #[test]
    fn findings_wait_until_taken() {
        let mut engine = Engine::new().with_time(TimeRules::default());
        assert!(!engine.has_findings());
        let offer = Record::new("a", Event::OfferContact)
            .interaction("c")
            .at(0)
            .timers(RING);
        engine.apply(&offer).unwrap();
        assert!(!engine.has_findings());
        engine
            .apply(&Record::new("a", Event::CustAnswered).at(23_001))
            .unwrap();
        assert!(engine.has_findings());
        assert_eq!(engine.take_findings().len(), 1);
        assert!(!engine.has_findings());
    }

    #[test]
    fn early_is_only_the_timers_own_event_strictly_before_deadline_less_grace() {
        assert!(ring_ended(Event::OfferContactRona, 13_000).is_empty());
        assert_eq!(
            ring_ended(Event::OfferContactRona, 12_999),
            [FindingKind::Early]
        );
        // An answer is the agent's: never early.
        assert!(ring_ended(Event::CustAnswered, 1).is_empty());
    }

    #[test]
    fn overdue_is_strictly_past_and_once() {
        let mut engine = Engine::new().with_time(TimeRules::default().with_grace(0));
        let offer = Record::new("a", Event::OfferContact)
            .interaction("c")
            .at(0)
            .timers(RING);
        engine.apply(&offer).unwrap();
        assert!(engine.advance(18_000).is_empty());
        let found = engine.advance(18_001);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].source, found[0].deadline),
            (DeadlineSource::RonaTimeout, 18_000)
        );
        assert!(engine.advance(99_000).is_empty());
        // The answer that ends the overdue stay is not late as well.
        engine
            .apply(&Record::new("a", Event::CustAnswered).at(99_000))
            .unwrap();
        assert!(engine.take_findings().is_empty());
    }

    /// An engine with `limits` (grace 0) and agent `a` answering call `c` at 0,
    /// its offer ringing for 10 s.
    fn answered_at_0(limits: &[&str]) -> Engine {
        let rules = TimeRules::from_texts(limits, Some("0ms")).unwrap();
        let mut engine = Engine::new().with_time(rules);
        let ring = Timers {
            rona: Some("10"),
            ..RING
        };
        let offer = Record::new("a", Event::OfferContact)
            .interaction("c")
            .at(0)
            .timers(ring);
        engine.apply(&offer).unwrap();
        engine
            .apply(&Record::new("a", Event::CustAnswered).at(0))
            .unwrap();
        engine
    }

    #[test]
    fn a_record_that_leaves_the_phase_and_call_alone_keeps_the_stay() {
        let mut engine = answered_at_0(&["connected=10s"]);
        engine
            .apply(&Record::new("a", Event::RecordingStarted).at(5_000))
            .unwrap();
        let found = engine.advance(10_001);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].phase, found[0].since), (Phase::Connected, 0));
    }

    #[test]
    fn an_ended_stays_deadline_is_not_the_next_stays_even_from_the_same_start() {
        // The ring (due at 10 s) ended at 0; the talk that began at 0 is due at 60 s.
        let mut engine = answered_at_0(&["connected=60s"]);
        assert!(engine.advance(10_001).is_empty());
        assert_eq!(engine.advance(60_001).len(), 1);
    }

    #[test]
    fn two_stays_with_the_same_start_and_deadline_are_overdue_once() {
        let mut engine = answered_at_0(&["connected=10s", "hold=10s"]);
        engine
            .apply(&Record::new("a", Event::ContactHeld).at(0))
            .unwrap();
        let found = engine.advance(10_001);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].phase, Phase::Hold);
    }

    #[test]
    fn a_limit_wins_and_untimed_stays_have_none() {
        let rules = TimeRules::default()
            .with_limit(Phase::Offered, 1_000)
            .unwrap();
        let mut engine = Engine::new().with_time(rules.with_grace(0));
        let offer = Record::new("a", Event::OfferContact)
            .interaction("c")
            .at(0)
            .timers(RING);
        engine.apply(&offer).unwrap();
        let untimed = Record::new("b", Event::OfferContact)
            .interaction("d")
            .timers(RING);
        engine.apply(&untimed).unwrap();
        let found = engine.advance(1_001);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].agent.as_str(), found[0].source),
            ("a", DeadlineSource::Limit)
        );
        let open = engine.open_stays();
        assert_eq!(open.len(), 2);
        assert_eq!(
            (open[1].agent.as_str(), open[1].since, open[1].deadline),
            ("b", None, None)
        );
    }
}
