//! Every call's times, durations and outcome (SPEC §12), built from the
//! transitions a replay applies: [`CallTracker`] follows each agent's open call
//! and gives a [`CallRecord`] when it terminates.

use crate::model::call::{bucket_of, is_open_phase, outcome_of, Bucket, Outcome, HANDLE};
use crate::model::machine::{CallUpdate, Transition};
use crate::model::vocabulary::{Event, Phase, Role};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::HashMap;
use strum::{EnumCount, IntoEnumIterator};

/// One call (an agent holding one interaction), finished or still open at the
/// end of the input: the object `replay --calls` writes (SPEC §12.6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallRecord {
    /// The agent.
    pub agent: String,
    /// The interaction id the call had last (after any re-keying).
    pub interaction: String,
    /// The id the call was bound with, when it was re-keyed since.
    pub rekeyed_from: Option<String>,
    /// The agent's role when the call was bound.
    pub role: Role,
    /// How it ended.
    pub outcome: Outcome,
    /// The event of the transition that closed it (left its open phases).
    pub closed_by: Option<Event>,
    /// No record about it was rejected, nothing was inferred in it and no
    /// snapshot set its state.
    pub clean: bool,
    /// Every transition that changed its phase carried a time.
    pub timed: bool,
    /// When it was bound (ms since the epoch).
    pub started: Option<i64>,
    /// When it first entered `offered`.
    pub offered: Option<i64>,
    /// When it first entered a live phase.
    pub answered: Option<i64>,
    /// When it was closed.
    pub ended: Option<i64>,
    /// When it terminated, if it was closed before.
    pub wrapped_up: Option<i64>,
    /// Milliseconds spent per [`Bucket`], indexed by `Bucket as usize`.
    pub spent: [u64; Bucket::COUNT],
}

impl CallRecord {
    /// The time spent in `bucket`, when the call is [`timed`](CallRecord::timed).
    pub fn duration(&self, bucket: Bucket) -> Option<u64> {
        self.timed.then_some(self.spent[bucket as usize])
    }

    /// Talk + hold + wrap-up, when timed.
    pub fn handle(&self) -> Option<u64> {
        self.timed
            .then(|| HANDLE.iter().map(|b| self.spent[*b as usize]).sum())
    }

    /// The record as one line of JSON, without the newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for CallRecord {
    /// The keys of SPEC §12.6, in its order; a duration per bucket as
    /// `<bucket>_ms`, then `handle_ms`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("agent", &self.agent)?;
        map.serialize_entry("interaction", &self.interaction)?;
        map.serialize_entry("rekeyed_from", &self.rekeyed_from)?;
        map.serialize_entry("role", &self.role)?;
        map.serialize_entry("outcome", &self.outcome)?;
        map.serialize_entry("closed_by", &self.closed_by)?;
        map.serialize_entry("clean", &self.clean)?;
        map.serialize_entry("timed", &self.timed)?;
        map.serialize_entry("started", &self.started)?;
        map.serialize_entry("offered", &self.offered)?;
        map.serialize_entry("answered", &self.answered)?;
        map.serialize_entry("ended", &self.ended)?;
        map.serialize_entry("wrapped_up", &self.wrapped_up)?;
        for bucket in Bucket::iter() {
            map.serialize_entry(&format!("{bucket}_ms"), &self.duration(bucket))?;
        }
        map.serialize_entry("handle_ms", &self.handle())?;
        map.end()
    }
}

/// An agent's call while it is held: what the record will say, so far. Kept
/// after the call finishes, its buffers reused by the agent's next call.
#[derive(Debug, Clone)]
struct OpenCall {
    open: bool,
    interaction: String,
    rekeyed_from: Option<String>,
    role: Role,
    phase: Phase,
    /// When `phase` was entered.
    since: Option<i64>,
    started: Option<i64>,
    offered: Option<i64>,
    answered: Option<i64>,
    ended: Option<i64>,
    answered_seen: bool,
    closed: Option<(Event, Outcome)>,
    timed: bool,
    clean: bool,
    spent: [u64; Bucket::COUNT],
}

impl OpenCall {
    fn new(interaction: &str, t: &Transition, time: Option<i64>, clean: bool) -> OpenCall {
        OpenCall::fresh(interaction.to_owned(), t, time, clean)
    }

    /// Starts the agent's next call in this one's place, reusing its buffer.
    fn start(&mut self, interaction: &str, t: &Transition, time: Option<i64>, clean: bool) {
        let mut buffer = std::mem::take(&mut self.interaction);
        buffer.clear();
        buffer.push_str(interaction);
        *self = OpenCall::fresh(buffer, t, time, clean);
    }

    /// A call started by `t` at `time`, its id in `interaction`.
    fn fresh(interaction: String, t: &Transition, time: Option<i64>, clean: bool) -> OpenCall {
        let mut call = OpenCall {
            open: true,
            interaction,
            rekeyed_from: None,
            role: t.to.role,
            phase: t.to.phase,
            since: time,
            started: time,
            offered: None,
            answered: None,
            ended: None,
            answered_seen: false,
            closed: None,
            timed: time.is_some(),
            clean,
            spent: [0; Bucket::COUNT],
        };
        call.note_entry(t.to.phase, time);
        call
    }

    /// First entries into `offered` and into a live phase.
    fn note_entry(&mut self, phase: Phase, time: Option<i64>) {
        if phase == Phase::Offered && self.offered.is_none() {
            self.offered = time;
        }
        if phase.is_live() && !self.answered_seen {
            self.answered_seen = true;
            self.answered = time;
        }
    }

    /// The call moves to `to` (a phase without a call when it terminates) by
    /// `event` at `time`: the time since the last change goes to the bucket of
    /// the phase left; leaving the open phases closes the call.
    fn enter(&mut self, to: Phase, event: Event, time: Option<i64>) {
        match (self.since, time) {
            (Some(since), Some(now)) if self.timed => {
                // Accepted times never go back for an agent (SPEC §4's
                // out_of_order), so the difference is exact in an i128 and
                // fits a u64; a call's segments never sum past its span.
                let spent = (i128::from(now) - i128::from(since)).max(0) as u64;
                if let Some(bucket) = bucket_of(self.phase) {
                    self.spent[bucket as usize] += spent;
                }
            }
            _ => self.timed = false,
        }
        if self.closed.is_none() && is_open_phase(self.phase) && !is_open_phase(to) {
            self.closed = Some((event, outcome_of(self.answered_seen, self.phase, event)));
            self.ended = time;
        }
        self.note_entry(to, time);
        self.since = time;
        self.phase = to;
    }

    /// What the summary needs of it.
    fn facts(&self) -> CallFacts {
        CallFacts {
            outcome: self.closed.map_or(Outcome::Open, |(_, o)| o),
            clean: self.clean,
            timed: self.timed,
            answered: self.answered_seen,
            spent: self.spent,
        }
    }

    /// The record of the call: finished (`wrapped_up` is the time it
    /// terminated, if it was closed before), or still open (`None`).
    fn record(&self, agent: &str, finished: Option<Option<i64>>) -> CallRecord {
        CallRecord {
            agent: agent.to_owned(),
            interaction: self.interaction.clone(),
            rekeyed_from: self.rekeyed_from.clone(),
            role: self.role,
            outcome: match (finished, self.closed) {
                (Some(_), Some((_, outcome))) => outcome,
                _ => Outcome::Open,
            },
            closed_by: self.closed.map(|(e, _)| e),
            clean: self.clean,
            timed: self.timed,
            started: self.started,
            offered: self.offered,
            answered: self.answered,
            ended: self.ended,
            wrapped_up: finished.flatten(),
            spent: self.spent,
        }
    }
}

/// What the summary of the calls (SPEC §12.7) needs of a finished call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallFacts {
    /// How it ended.
    pub outcome: Outcome,
    /// Was it clean?
    pub clean: bool,
    /// Was it timed?
    pub timed: bool,
    /// Was it answered?
    pub answered: bool,
    /// Milliseconds per bucket.
    pub spent: [u64; Bucket::COUNT],
}

impl CallRecord {
    /// What the summary needs of it (a timed call was answered when it has an
    /// `answered` time).
    pub fn facts(&self) -> CallFacts {
        CallFacts {
            outcome: self.outcome,
            clean: self.clean,
            timed: self.timed,
            answered: self.answered.is_some(),
            spent: self.spent,
        }
    }
}

/// A call that has just finished, as [`CallTracker::observe`] shows it.
#[derive(Debug, Clone, Copy)]
pub struct FinishedCall<'a> {
    agent: &'a str,
    call: &'a OpenCall,
    wrapped_up: Option<i64>,
}

impl FinishedCall<'_> {
    /// Its record (allocates its ids).
    pub fn record(&self) -> CallRecord {
        self.call.record(self.agent, Some(self.wrapped_up))
    }

    /// What the summary needs of it (allocates nothing).
    pub fn facts(&self) -> CallFacts {
        self.call.facts()
    }
}

/// Each agent's call: open, or the last one, kept for its buffers. Memory
/// grows with the agents that ever held a call.
#[derive(Debug, Clone, Default)]
pub struct CallTracker {
    calls: HashMap<Box<str>, OpenCall, foldhash::fast::RandomState>,
    open: usize,
}

impl CallTracker {
    /// No call open yet.
    pub fn new() -> CallTracker {
        CallTracker::default()
    }

    /// Applies one transition of `agent`'s at `time` (an inferred one: at the
    /// time of the record that was repaired, and with `repaired`); `bound` is
    /// the interaction the agent holds after it when the transition binds a
    /// call or re-keys it. A call the transition finished is shown to
    /// `finished`, before any call it starts.
    pub fn observe(
        &mut self,
        agent: &str,
        t: &Transition,
        time: Option<i64>,
        bound: Option<&str>,
        repaired: bool,
        finished: impl FnOnce(FinishedCall<'_>),
    ) {
        let (from, to) = (t.from.phase, t.to.phase);
        let snapshot_set = matches!(t.change, CallUpdate::SnapshotSet { .. });
        let replaced = matches!(t.change, CallUpdate::SnapshotSet { replaced: true });
        let ends = from.has_call() && (!to.has_call() || replaced);
        let starts = to.has_call() && (!from.has_call() || replaced);
        let clean = !repaired && !snapshot_set;
        let call = self.calls.get_mut(agent).filter(|c| c.open);
        if let (true, Some(call)) = (ends, call) {
            // A replaced call ends in no phase: its time stops here.
            let after = if to.has_call() { Phase::Idle } else { to };
            // Closed before (in `ended` or `wrapUp`): this is its wrap-up's end.
            let wrapped_up = call.closed.is_some().then_some(time).flatten();
            call.enter(after, t.event, time);
            call.clean &= clean;
            call.open = false;
            self.open -= 1;
            finished(FinishedCall {
                agent,
                call,
                wrapped_up,
            });
        }
        if starts {
            let Some(id) = bound else { return };
            match self.calls.get_mut(agent) {
                Some(call) => call.start(id, t, time, clean),
                None => {
                    let call = OpenCall::new(id, t, time, clean);
                    self.calls.insert(agent.into(), call);
                }
            }
            self.open += 1;
        } else if from.has_call() && to.has_call() {
            let Some(call) = self.calls.get_mut(agent).filter(|c| c.open) else {
                return;
            };
            call.clean &= clean;
            if t.change == CallUpdate::Rekeyed {
                if let Some(id) = bound {
                    let old = std::mem::replace(&mut call.interaction, id.to_owned());
                    call.rekeyed_from.get_or_insert(old);
                }
            }
            if from != to {
                call.enter(to, t.event, time);
            }
        }
    }

    /// A record of `agent`'s naming `interaction` (or none) was rejected: the
    /// open call it is about is no longer clean.
    pub fn rejected(&mut self, agent: &str, interaction: Option<&str>) {
        if let Some(call) = self.calls.get_mut(agent).filter(|c| c.open) {
            if interaction.is_none_or(|id| *id == *call.interaction) {
                call.clean = false;
            }
        }
    }

    /// Calls open now.
    pub fn open_calls(&self) -> usize {
        self.open
    }

    /// The calls still open, as records with outcome `open`, by agent id.
    pub fn open_records(&self) -> Vec<CallRecord> {
        let mut open: Vec<CallRecord> = self
            .calls
            .iter()
            .filter(|(_, call)| call.open)
            .map(|(agent, call)| call.record(agent, None))
            .collect();
        open.sort_by(|a, b| a.agent.cmp(&b.agent));
        open
    }
}

#[cfg(test)]
mod tests {
    use crate::model::call::{Bucket, Outcome};
    use crate::model::resync::Mode;
    use crate::replay::Replay;
    use crate::wire::input::Line;

    fn calls(log: &[&str]) -> (Vec<super::CallRecord>, Vec<super::CallRecord>) {
        let mut replay = Replay::default().with_mode(Mode::Resync).with_calls(true);
        let mut finished = Vec::new();
        for line in log {
            replay.feed(Line::Text(line.as_bytes()));
            finished.extend(replay.take_calls());
        }
        (finished, replay.open_calls())
    }

    #[test]
    fn an_answered_call_spends_its_time_in_its_phases_buckets() {
        let (done, open) = calls(&[
            r#"{"agent":"a","interaction":"c1","event":"AgentOfferContact","time":1000}"#,
            r#"{"agent":"a","event":"CustAnswered","time":3000}"#,
            r#"{"agent":"a","event":"ContactRecordingStarted","time":3500}"#,
            r#"{"agent":"a","event":"AgentContactHeld","time":5000}"#,
            r#"{"agent":"a","event":"AgentContactUnHeld","time":8000}"#,
            r#"{"agent":"a","event":"ContactEnded","time":20000}"#,
            r#"{"agent":"a","event":"acw","time":20500}"#,
            r#"{"agent":"a","event":"AgentWrappedUp","time":30000}"#,
            r#"{"agent":"b","interaction":"c2","event":"AgentOfferContact","time":1000}"#,
            r#"{"agent":"b","event":"AgentOfferContactRona","time":19000}"#,
            r#"{"agent":"c","interaction":"c3","event":"AgentOfferContact","time":1000}"#,
        ]);
        assert_eq!(done.len(), 2, "{done:?}");
        let a = &done[0];
        assert_eq!(
            (a.outcome, a.clean, a.timed),
            (Outcome::Answered, true, true)
        );
        let d = |b| a.duration(b).unwrap();
        assert_eq!(d(Bucket::Ring), 2000);
        assert_eq!(d(Bucket::Talk), 14000);
        assert_eq!(d(Bucket::Hold), 3000);
        assert_eq!(d(Bucket::WrapUp), 10000);
        assert_eq!(a.handle(), Some(27000));
        assert_eq!(
            (a.started, a.offered, a.answered, a.ended, a.wrapped_up),
            (Some(1000), Some(1000), Some(3000), Some(20000), Some(30000))
        );
        let b = &done[1];
        assert_eq!(
            (b.outcome, b.ended, b.wrapped_up),
            (Outcome::Rona, Some(19000), None)
        );
        assert_eq!(b.duration(Bucket::Ring), Some(18000));
        assert_eq!(open.len(), 1);
        assert_eq!(
            (open[0].agent.as_str(), open[0].outcome),
            ("c", Outcome::Open)
        );
        let json = a.to_json();
        assert!(json.starts_with(r#"{"agent":"a","interaction":"c1","rekeyed_from":null,"role":"owner","outcome":"answered","closed_by":"eAgentContactEnded""#), "{json}");
    }

    #[test]
    fn a_rekeyed_preview_keeps_its_identity_under_the_new_id() {
        let (done, _) = calls(&[
            r#"{"agent":"a","interaction":"r","event":"AgentContactReserved","time":0}"#,
            r#"{"data":{"type":"AgentContactAssigned","agentId":"a","interactionId":"n","reservationInteractionId":"r","eventTime":4000}}"#,
            r#"{"agent":"a","interaction":"n","event":"ContactEndedNoWrapUp","time":9000}"#,
        ]);
        assert_eq!(done.len(), 1, "{done:?}");
        let c = &done[0];
        assert_eq!(
            (c.interaction.as_str(), c.rekeyed_from.as_deref()),
            ("n", Some("r"))
        );
        assert_eq!(
            (c.outcome, c.clean, c.offered),
            (Outcome::Answered, true, None)
        );
        assert_eq!(c.duration(Bucket::Preview), Some(4000));
        assert_eq!(c.duration(Bucket::Talk), Some(5000));
    }

    #[test]
    fn a_repair_or_a_rejection_makes_a_call_not_clean_and_inferred_events_take_the_records_time() {
        let (done, open) = calls(&[
            r#"{"agent":"a","interaction":"c1","event":"AgentOfferContact","time":0}"#,
            // Resync infers the answer, at the hold's time.
            r#"{"agent":"a","event":"AgentContactHeld","time":5000}"#,
            r#"{"agent":"a","event":"AgentContactUnHeld","time":8000}"#,
            r#"{"agent":"a","event":"ContactEndedNoWrapUp","time":9000}"#,
            r#"{"agent":"b","interaction":"c2","event":"AgentOfferContact","time":0}"#,
            // Another agent's repeat: rejected (and skipped), b's call not clean.
            r#"{"agent":"b","interaction":"c2","event":"AgentOfferContact","time":1}"#,
        ]);
        assert_eq!(done.len(), 1, "{done:?}");
        let a = &done[0];
        assert_eq!(
            (a.clean, a.answered, a.outcome),
            (false, Some(5000), Outcome::Answered)
        );
        assert_eq!(a.duration(Bucket::Ring), Some(5000));
        assert_eq!(a.duration(Bucket::Talk), Some(1000));
        assert_eq!(a.duration(Bucket::Hold), Some(3000));
        assert!(!open[0].clean);
    }

    #[test]
    fn a_record_without_time_makes_the_call_untimed() {
        let (done, _) = calls(&[
            r#"{"agent":"a","interaction":"c1","event":"AgentOfferContact","time":0}"#,
            r#"{"agent":"a","event":"CustAnswered"}"#,
            r#"{"agent":"a","event":"ContactEndedNoWrapUp","time":9000}"#,
        ]);
        let c = &done[0];
        assert_eq!((c.timed, c.answered, c.ended), (false, None, Some(9000)));
        assert_eq!((c.duration(Bucket::Talk), c.handle()), (None, None));
        assert!(c.to_json().contains(r#""talk_ms":null"#));
    }

    #[test]
    fn an_open_call_is_small() {
        // Besides the map's entry: the agent id and the call's id on the heap.
        assert_eq!(std::mem::size_of::<super::OpenCall>(), 192);
    }
}
