//! The ground truth of every call a simulator's agents went through, as
//! [`CallRecord`]s: what `replay --calls` must find in the log (SPEC §12).
//! Kept from the generator's own events and times, not from its lines.

use crate::model::call::{bucket_of, is_open_phase, outcome_of, Outcome};
use crate::model::machine::Status;
use crate::model::vocabulary::Event;
use crate::replay::calls::CallRecord;
use strum::EnumCount;

/// A call under way: its record so far, and since when it is in its phase.
#[derive(Debug, Clone)]
struct Ongoing {
    record: CallRecord,
    entered: i64,
}

/// Each agent's call under way, and the calls finished and not taken yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallTruth {
    ongoing: Vec<Option<Ongoing>>,
    finished: Vec<CallRecord>,
}

impl CallTruth {
    /// Agent `agent` (`agent_id` on the wire) went from `from` to `to` by
    /// `event` at `time`, about the call `call_id`.
    pub(crate) fn step(
        &mut self,
        agent: usize,
        (agent_id, call_id): (&str, &str),
        (from, to): (Status, Status),
        event: Event,
        time: i64,
    ) {
        if self.ongoing.len() <= agent {
            self.ongoing.resize(agent + 1, None);
        }
        let slot = &mut self.ongoing[agent];
        if !from.phase.has_call() {
            if to.phase.has_call() {
                *slot = Some(Ongoing {
                    record: CallRecord {
                        agent: agent_id.to_owned(),
                        interaction: call_id.to_owned(),
                        rekeyed_from: None,
                        role: to.role,
                        outcome: Outcome::Open,
                        closed_by: None,
                        clean: true,
                        timed: true,
                        started: Some(time),
                        offered: None,
                        answered: None,
                        ended: None,
                        wrapped_up: None,
                        spent: [0; crate::model::call::Bucket::COUNT],
                    },
                    entered: time,
                });
                if let Some(call) = slot {
                    call.arrive(to, time);
                }
            }
            return;
        }
        let Some(call) = slot else { return };
        if from.phase == to.phase {
            return;
        }
        if let Some(bucket) = bucket_of(from.phase) {
            call.record.spent[bucket as usize] += (time - call.entered) as u64;
        }
        call.entered = time;
        let was_closed = call.record.closed_by.is_some();
        if !was_closed && is_open_phase(from.phase) && !is_open_phase(to.phase) {
            let answered = call.record.answered.is_some();
            call.record.closed_by = Some(event);
            call.record.outcome = outcome_of(answered, from.phase, event);
            call.record.ended = Some(time);
        }
        call.arrive(to, time);
        if !to.phase.has_call() {
            if was_closed {
                call.record.wrapped_up = Some(time);
            }
            if let Some(done) = slot.take() {
                self.finished.push(done.record);
            }
        }
    }

    /// The calls finished since the last take, in the order they finished.
    pub(crate) fn take_finished(&mut self) -> Vec<CallRecord> {
        std::mem::take(&mut self.finished)
    }

    /// The calls under way, by agent id, with outcome `open`.
    pub(crate) fn ongoing(&self) -> Vec<CallRecord> {
        let mut open: Vec<CallRecord> = self
            .ongoing
            .iter()
            .flatten()
            .map(|c| CallRecord {
                outcome: Outcome::Open,
                ..c.record.clone()
            })
            .collect();
        open.sort_by(|a, b| a.agent.cmp(&b.agent));
        open
    }
}

impl Ongoing {
    /// First arrivals in `offered` and in a live phase.
    fn arrive(&mut self, to: Status, time: i64) {
        let r = &mut self.record;
        if to.phase == crate::model::vocabulary::Phase::Offered && r.offered.is_none() {
            r.offered = Some(time);
        }
        if to.phase.is_live() && r.answered.is_none() {
            r.answered = Some(time);
        }
    }
}
