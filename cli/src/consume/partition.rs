//! One input partition: its replay, the offset it has reached, and what one
//! Kafka message (or, with time rules, the clock of a silent partition) turns
//! into. No Kafka here (the messages come in as bytes), so this is what the
//! unit tests pin down.

use super::idle::Idle;
use callstate::replay::time_report::FindingLine;
use callstate::replay::{Applied, Replay, ReportLine, Verdict};
use callstate::wire::input::Line;
use callstate::wire::outbound::{Carried, OutboundCallStateChange};
use callstate::Engine;
use callstate::RejectionKind;
use callstate::Repair;
use callstate::{Finding, FindingKind};
use serde::Serialize;
use std::time::Instant;

/// The state of one input partition this member holds.
#[derive(Debug)]
pub(super) struct Partition {
    /// The partition's replay (one engine per partition).
    pub replay: Replay,
    /// The offset of the next message to judge: every message before it is in
    /// the engine's state, and its outputs were produced.
    pub next: i64,
    /// Messages judged (and idle findings) since the last checkpoint; at least
    /// 1 when only an idle clock moved.
    pub dirty: u64,
    /// The checkpoint slot (0 or 1) the next checkpoint goes to: checkpoints
    /// alternate, so a crash while one is written leaves the other whole.
    pub slot: u8,
    /// Its silence since the last message (for `--idle-after`).
    pub idle: Idle,
}

/// What a message's verdict was, for the counts of the stats line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MessageVerdict {
    /// An empty message: skipped, not a record (SPEC §7's blank line).
    Blank,
    /// Accepted.
    Accepted,
    /// Rejected (`out_of_order` … `illegal_transition`); resync may have repaired it.
    Rejected {
        /// Applied after inferring this many lost events (resync).
        inferred: Option<usize>,
    },
    /// An unknown event.
    Unknown,
    /// Malformed: not JSON, too long, not UTF-8, or a key that is not UTF-8.
    Malformed,
}

/// How a message's key compares with its record's agent id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyCheck {
    /// The key is the agent id (or the record has none to compare with).
    Matches,
    /// The key is another string, or the message has no key: the record is
    /// judged all the same, but its agent's events may be spread over partitions.
    Differs,
    /// The key is not UTF-8: the message is reported malformed, not judged.
    NotUtf8,
}

/// One output message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Output {
    /// The agent id (or, for a report line without one, the input key).
    pub key: Vec<u8>,
    /// The outbound event or the report line (JSON, no newline).
    pub payload: Vec<u8>,
    /// An event (its index among the message's events, and whether inferred),
    /// or a report line.
    pub kind: OutputKind,
}

/// What an output message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OutputKind {
    /// An outbound event, the `index`-th of its input message (inferred ones first).
    Event { index: u32, inferred: bool },
    /// The report line of a record not accepted.
    Report,
    /// A finding's line (SPEC §11.7).
    Finding(FindingKind),
}

/// A message judged.
#[derive(Debug)]
pub(super) struct Judged {
    pub verdict: MessageVerdict,
    pub key_check: KeyCheck,
    /// The events (inferred ones first), then the report line if not
    /// accepted, then the findings' lines.
    pub outputs: Vec<Output>,
}

/// The report line of a message whose key is not UTF-8: the keys of
/// `replay --json`'s lines, in its order.
#[derive(Serialize)]
struct KeyNotUtf8 {
    line: i64,
    kind: &'static str,
    agent: Option<()>,
    interaction: Option<()>,
    event: Option<()>,
    state: Option<()>,
    message: String,
}

impl Partition {
    /// A partition that starts (or goes on, from a checkpoint) at offset `next`.
    pub fn new(engine: Engine, next: i64, slot: u8) -> Partition {
        Partition {
            idle: Idle::new(engine.clock(), Instant::now()),
            replay: Replay::resume(engine),
            next,
            dirty: 0,
            slot,
        }
    }

    /// Moves the clock to `now` (an idle partition's, `--idle-after`) and
    /// returns the lines of the `overdue` findings that became due (their
    /// `line` is null: no record revealed them).
    pub fn advance(&mut self, now: i64) -> Vec<Output> {
        let before = self.replay.engine().clock();
        let found = self.replay.advance(now);
        // A moved clock is new state at the same offset: checkpointed, so that a
        // new owner neither reports the findings again nor goes back to the
        // last record's time (which would delay every pending deadline).
        // A finding counts as a message; a clock that moved only marks the
        // partition changed (checkpointed by time, not by count).
        if !found.is_empty() {
            self.dirty += 1;
        } else if self.replay.engine().clock() != before {
            self.dirty = self.dirty.max(1);
        }
        found.iter().map(|f| finding_output(None, f)).collect()
    }

    /// Judges the message at `offset`, which must be `self.next` or later.
    /// A payload over `max_bytes` is malformed (too long) without being read.
    /// The report line's `line` is the message's offset, and so is the `line`
    /// of the findings the record revealed, which come last.
    pub fn judge(
        &mut self,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        offset: i64,
        max_bytes: usize,
    ) -> Judged {
        self.next = offset.saturating_add(1);
        self.dirty += 1;
        let key_text = match key.map(std::str::from_utf8) {
            Some(Err(e)) => return key_not_utf8(key.unwrap_or_default(), offset, e.valid_up_to()),
            Some(Ok(text)) => Some(text),
            None => None,
        };
        let payload = payload.unwrap_or_default();
        let line = if payload.len() > max_bytes {
            Line::TooLong(payload.len() as u64)
        } else {
            Line::Text(payload)
        };
        let mut outputs = Vec::new();
        let mut agent: Option<String> = None;
        let verdict = self.replay.feed_with(line, |applied| {
            let index = outputs.len() as u32;
            let (event, inferred) = match applied {
                Applied::Inferred(lost) => (OutboundCallStateChange::inferred(lost), true),
                Applied::Record(a) => {
                    agent = Some(a.record.agent.to_owned());
                    let carried = Carried::from_text(a.carried);
                    (
                        OutboundCallStateChange::new(
                            a.transition,
                            a.call,
                            carried.with_reservation(a.record.reservation),
                        ),
                        false,
                    )
                }
            };
            // An event holds strings, enums and raw JSON already checked:
            // serializing cannot fail.
            let payload = serde_json::to_vec(&event).unwrap_or_default();
            outputs.push(Output {
                key: Vec::new(),
                payload,
                kind: OutputKind::Event { index, inferred },
            });
        });
        // Inferred events come before the record's own, which names the agent.
        let agent_key = agent.clone().map(String::into_bytes).unwrap_or_default();
        for output in &mut outputs {
            output.key.clone_from(&agent_key);
        }
        let (message_verdict, agent) = match verdict {
            Verdict::Blank => (MessageVerdict::Blank, None),
            Verdict::Accepted(_) => (MessageVerdict::Accepted, agent),
            Verdict::NotAccepted(r) => {
                // One report line per message, without a newline.
                let line = ReportLine::new(offset.max(0) as u64, &r)
                    .to_json()
                    .into_bytes();
                let message_verdict = match r.kind() {
                    RejectionKind::Malformed => MessageVerdict::Malformed,
                    RejectionKind::UnknownEvent => MessageVerdict::Unknown,
                    _ => MessageVerdict::Rejected {
                        inferred: match r.repair() {
                            Some(Repair::Infer { inferred, .. }) => Some(inferred.len()),
                            _ => None,
                        },
                    },
                };
                let report_key = match (r.agent(), key) {
                    (Some(a), _) => a.as_bytes().to_vec(),
                    (None, Some(k)) => k.to_vec(),
                    (None, None) => Vec::new(),
                };
                outputs.push(Output {
                    key: report_key,
                    payload: line,
                    kind: OutputKind::Report,
                });
                (message_verdict, r.agent().map(str::to_owned))
            }
        };
        let key_check = match (agent.as_deref(), key_text) {
            (None, _) => KeyCheck::Matches,
            (Some(a), Some(k)) if a == k => KeyCheck::Matches,
            (Some(_), _) => KeyCheck::Differs,
        };
        let line = Some(offset.max(0) as u64);
        outputs.extend(
            (self.replay.take_findings().iter()).map(|finding| finding_output(line, finding)),
        );
        Judged {
            verdict: message_verdict,
            key_check,
            outputs,
        }
    }

    /// A message came now: the partition's silence starts again, from its
    /// clock after the message.
    pub fn heard(&mut self) {
        self.idle = Idle::new(self.replay.engine().clock(), Instant::now());
    }

    /// The engine's state as snapshot JSON (v2: with the resync memory).
    pub fn snapshot_json(&self) -> String {
        self.replay.engine().to_snapshot_json()
    }

    /// Drops the replay's counts, which grow with the distinct interactions
    /// seen, keeping the engine: called at each checkpoint, so memory follows
    /// the number of agents, not the length of the stream.
    pub fn trim(&mut self) {
        let replay = std::mem::take(&mut self.replay);
        self.replay = Replay::resume(replay.into_engine());
    }
}

/// A finding's line, revealed by the record on `line` (none: by the clock
/// alone), keyed by its agent.
fn finding_output(line: Option<u64>, finding: &Finding) -> Output {
    Output {
        key: finding.agent.as_bytes().to_vec(),
        payload: FindingLine::new(line, finding).to_json().into_bytes(),
        kind: OutputKind::Finding(finding.kind),
    }
}

fn key_not_utf8(key: &[u8], offset: i64, valid_up_to: usize) -> Judged {
    let line = KeyNotUtf8 {
        line: offset,
        kind: RejectionKind::Malformed.name(),
        agent: None,
        interaction: None,
        event: None,
        state: None,
        message: format!(
            "the message key is not valid UTF-8 (at byte {valid_up_to}), so it cannot be \
             an agent id; the record was not judged"
        ),
    };
    Judged {
        verdict: MessageVerdict::Malformed,
        key_check: KeyCheck::NotUtf8,
        outputs: vec![Output {
            key: key.to_vec(),
            payload: serde_json::to_vec(&line).unwrap_or_default(),
            kind: OutputKind::Report,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callstate::Mode;

    fn partition(mode: Mode) -> Partition {
        Partition::new(Engine::new().with_mode(mode), 0, 0)
    }

    fn text(output: &Output) -> &str {
        std::str::from_utf8(&output.payload).unwrap_or("")
    }

    #[test]
    fn an_accepted_record_is_one_event_keyed_by_its_agent() {
        let mut p = partition(Mode::Resync);
        let msg = br#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact","time":1}"#;
        let j = p.judge(Some(b"a1"), Some(msg), 7, 1 << 20);
        assert_eq!(
            (j.verdict, j.key_check),
            (MessageVerdict::Accepted, KeyCheck::Matches)
        );
        assert_eq!(j.outputs.len(), 1);
        assert_eq!(j.outputs[0].key, b"a1");
        assert_eq!(
            j.outputs[0].kind,
            OutputKind::Event {
                index: 0,
                inferred: false
            }
        );
        assert!(
            text(&j.outputs[0]).contains("OfferContact"),
            "{}",
            text(&j.outputs[0])
        );
        assert_eq!((p.next, p.dirty), (8, 1));
    }

    #[test]
    fn a_repair_writes_inferred_events_first_then_the_report_line() {
        let mut p = partition(Mode::Resync);
        let offer = br#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact","time":1}"#;
        p.judge(Some(b"a1"), Some(offer), 0, 1 << 20);
        // Another offer: the first call's end was lost (R6).
        let offer2 = br#"{"agent":"a1","interaction":"c2","event":"AgentOfferContact","time":2}"#;
        let j = p.judge(Some(b"other"), Some(offer2), 1, 1 << 20);
        assert_eq!(j.verdict, MessageVerdict::Rejected { inferred: Some(1) });
        assert_eq!(j.key_check, KeyCheck::Differs);
        let kinds: Vec<OutputKind> = j.outputs.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            [
                OutputKind::Event {
                    index: 0,
                    inferred: true
                },
                OutputKind::Event {
                    index: 1,
                    inferred: false
                },
                OutputKind::Report
            ]
        );
        assert!(j.outputs.iter().all(|o| o.key == b"a1"));
        assert!(text(&j.outputs[2]).starts_with(r#"{"line":1,"kind":"agent_busy""#));
    }

    #[test]
    fn bad_messages_are_malformed_report_lines() {
        let mut p = partition(Mode::Resync);
        let j = p.judge(Some(b"k"), Some(b"not json"), 3, 1 << 20);
        assert_eq!(j.verdict, MessageVerdict::Malformed);
        assert!(text(&j.outputs[0]).starts_with(r#"{"line":3,"kind":"malformed""#));
        assert_eq!(j.outputs[0].key, b"k");
        let big = vec![b'x'; 2 << 20];
        let j = p.judge(None, Some(&big), 4, 1 << 20);
        assert_eq!(j.verdict, MessageVerdict::Malformed);
        assert!(text(&j.outputs[0]).contains("over the line length limit"));
        let j = p.judge(Some(&[0xff, 0xfe]), Some(b"{}"), 5, 1 << 20);
        assert_eq!(
            (j.verdict, j.key_check),
            (MessageVerdict::Malformed, KeyCheck::NotUtf8)
        );
        assert!(text(&j.outputs[0]).contains("key is not valid UTF-8"));
        let j = p.judge(None, None, 6, 1 << 20);
        assert_eq!((j.verdict, j.outputs.len()), (MessageVerdict::Blank, 0));
        assert_eq!(p.next, 7);
    }

    #[test]
    fn findings_follow_the_record_and_come_from_the_idle_clock() {
        let engine = Engine::new().with_mode(Mode::Resync);
        let mut p = Partition::new(engine.with_time(callstate::TimeRules::default()), 0, 0);
        let offer = |agent: &str, t: i64| {
            format!(
                r#"{{"agent":"{agent}","interaction":"c-{agent}","event":"AgentOfferContact","time":{t},"ronaTimeout":18}}"#
            )
        };
        p.judge(Some(b"a1"), Some(offer("a1", 0).as_bytes()), 0, 1 << 20);
        let answer = br#"{"agent":"a1","event":"CustAnswered","time":24000}"#;
        let j = p.judge(Some(b"a1"), Some(answer), 1, 1 << 20);
        assert_eq!(j.outputs.len(), 2);
        assert_eq!(j.outputs[1].kind, OutputKind::Finding(FindingKind::Late));
        assert!(text(&j.outputs[1]).starts_with(r#"{"line":1,"finding":"late","agent":"a1""#));
        p.judge(
            Some(b"a2"),
            Some(offer("a2", 30_000).as_bytes()),
            2,
            1 << 20,
        );
        p.dirty = 0;
        assert!(p.advance(53_000).is_empty());
        assert_eq!(p.dirty, 1, "a moved clock alone is checkpointed");
        assert!(p.advance(53_000).is_empty());
        assert_eq!(p.dirty, 1, "an advance that moves nothing is not");
        let due = p.advance(53_001);
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].key.as_slice(), due[0].kind),
            (&b"a2"[..], OutputKind::Finding(FindingKind::Overdue))
        );
        assert!(text(&due[0]).starts_with(r#"{"line":null,"finding":"overdue","agent":"a2""#));
        assert_eq!(
            p.dirty, 2,
            "checkpointed, so that a restart does not repeat it"
        );
        assert!(p.advance(99_000).is_empty());
    }

    #[test]
    fn trimming_keeps_the_engine() {
        let mut p = partition(Mode::Strict);
        let offer = br#"{"agent":"a1","interaction":"c1","event":"AgentOfferContact"}"#;
        p.judge(Some(b"a1"), Some(offer), 0, 1 << 20);
        let before = p.snapshot_json();
        p.trim();
        assert_eq!(p.snapshot_json(), before);
        assert_eq!(p.replay.mode(), Mode::Strict);
    }
}
