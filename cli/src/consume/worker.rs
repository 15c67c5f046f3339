//! The worker: the partitions this member holds, the producer of their
//! outputs, and the two things done to them: judging a message into its
//! outputs, and checkpointing (outputs delivered, checkpoints written and
//! delivered, then offsets committed).

use super::backoff::Backoff;
use super::checkpoint;
use super::clients::Delivery;
use super::error::ConsumeError;
use super::headers::{
    headers, HEADER_FINDING, HEADER_INDEX, HEADER_OFFSET, HEADER_PARTITION, HEADER_SOURCE,
    HEADER_TOPIC,
};
use super::log;
use super::partition::{KeyCheck, Output, OutputKind, Partition};
use super::rebalance::MemberContext;
use super::settings::Settings;
use super::stats::Stats;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message, ToBytes};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) struct Worker {
    pub settings: Settings,
    pub producer: BaseProducer<Delivery>,
    /// The input partitions this member holds, by number.
    pub partitions: BTreeMap<i32, Partition>,
    pub stats: Stats,
    /// When set, the loop stops with this error (nothing more is committed).
    pub fatal: Option<ConsumeError>,
    /// Set by SIGTERM or SIGINT.
    pub stop: Arc<AtomicBool>,
    pub last_mismatch_warning: Option<Instant>,
    pub last_checkpoint: Instant,
}

impl Worker {
    pub fn new(
        settings: Settings,
        producer: BaseProducer<Delivery>,
        stop: Arc<AtomicBool>,
    ) -> Worker {
        Worker {
            settings,
            producer,
            partitions: BTreeMap::new(),
            stats: Stats::default(),
            fatal: None,
            stop,
            last_mismatch_warning: None,
            last_checkpoint: Instant::now(),
        }
    }

    /// Judges one message and produces its outputs.
    pub fn handle(&mut self, message: &BorrowedMessage<'_>) {
        let (p, offset) = (message.partition(), message.offset());
        let Some(partition) = self.partitions.get_mut(&p) else {
            log!("a message of partition {p}, which this member does not hold: ignored");
            return;
        };
        if partition.next >= 0 && offset < partition.next {
            // Already in the restored state (the committed offset lagged the checkpoint).
            self.stats.skipped += 1;
            return;
        }
        if partition.next >= 0 && offset > partition.next {
            log!(
                "partition {p}: offsets {}..{offset} are gone (retention or compaction); going on",
                partition.next
            );
        }
        let judged = partition.judge(
            message.key(),
            message.payload(),
            offset,
            self.settings.max_record_bytes,
        );
        partition.heard();
        self.stats.count(judged.verdict);
        self.stats.findings += judged
            .outputs
            .iter()
            .filter(|o| matches!(o.kind, OutputKind::Finding(_)))
            .count() as u64;
        if judged.key_check != KeyCheck::Matches {
            self.stats.key_mismatch += 1;
            let due = self
                .last_mismatch_warning
                .is_none_or(|at| at.elapsed() >= Duration::from_secs(10));
            if due {
                log!(
                    "partition {p} offset {offset}: the message key is not the record's agent id \
                     (judged all the same; {} such messages so far)",
                    self.stats.key_mismatch
                );
                self.last_mismatch_warning = Some(Instant::now());
            }
        }
        for output in &judged.outputs {
            if let Err(e) = self.produce(output, p, offset) {
                self.fatal = Some(ConsumeError::Produce(e));
                return;
            }
        }
    }

    fn produce(&self, output: &Output, partition: i32, offset: i64) -> Result<(), KafkaError> {
        let destination = match output.kind {
            OutputKind::Event { .. } => self.settings.out_topic.as_deref(),
            OutputKind::Report | OutputKind::Finding(_) => self.settings.report_topic.as_deref(),
        };
        let Some(destination) = destination else {
            return Ok(());
        };
        let (partition, offset) = (partition.to_string(), offset.to_string());
        let source = [
            (HEADER_TOPIC, self.settings.topic.as_str()),
            (HEADER_PARTITION, partition.as_str()),
            (HEADER_OFFSET, offset.as_str()),
        ];
        let headers = match output.kind {
            OutputKind::Event { index, inferred } => {
                let index = index.to_string();
                let origin = if inferred { "inferred" } else { "event" };
                headers(
                    &[
                        &source[..],
                        &[(HEADER_INDEX, &index), (HEADER_SOURCE, origin)],
                    ]
                    .concat(),
                )
            }
            OutputKind::Report => headers(&source),
            OutputKind::Finding(kind) => {
                headers(&[&source[..], &[(HEADER_FINDING, kind.name())]].concat())
            }
        };
        let record = BaseRecord::to(destination)
            .key(&output.key[..])
            .payload(&output.payload[..])
            .headers(headers);
        send(&self.producer, record, &self.stop)
    }

    /// With `--idle-after`: runs the clock of every idle partition on wall-clock
    /// time and produces the `overdue` findings that came due, with the headers
    /// of the partition's last message judged. A partition silent long enough
    /// is asked of the broker whether it is caught up (its next offset at the
    /// high watermark); one that lags, or cannot be asked, is not idle.
    pub fn advance_idle(&mut self, consumer: &BaseConsumer<MemberContext>) {
        let Some(after) = self.settings.idle_after else {
            return;
        };
        let now = Instant::now();
        let mut due = Vec::new();
        for (p, partition) in &mut self.partitions {
            if partition.idle.should_ask(after, now) {
                let watermarks =
                    consumer.fetch_watermarks(&self.settings.topic, *p, Duration::from_secs(1));
                let caught_up = watermarks.is_ok_and(|(_, high)| partition.next >= high);
                partition.idle.answer(caught_up, now);
            }
            if let Some(clock) = partition.idle.clock(now) {
                let last = partition.next.saturating_sub(1);
                due.extend(partition.advance(clock).into_iter().map(|o| (*p, last, o)));
            }
        }
        self.stats.findings += due.len() as u64;
        for (p, last, output) in &due {
            if let Err(e) = self.produce(output, *p, *last) {
                self.fatal = Some(ConsumeError::Produce(e));
                return;
            }
        }
    }

    /// Checkpoints the partitions `which` selects that changed: waits for every
    /// output, writes the checkpoints, waits for them, then commits their
    /// offsets. Returns whether everything was committed.
    pub fn checkpoint(
        &mut self,
        consumer: &BaseConsumer<MemberContext>,
        which: impl Fn(i32) -> bool,
    ) -> bool {
        let started = Instant::now();
        self.last_checkpoint = started;
        let chosen: Vec<i32> = self
            .partitions
            .iter()
            .filter(|(p, partition)| which(**p) && partition.dirty > 0 && partition.next >= 0)
            .map(|(p, _)| *p)
            .collect();
        if chosen.is_empty() {
            return true;
        }
        if !self.flush("outputs") {
            return false;
        }
        for p in &chosen {
            if let Err(e) = self.write_checkpoint(*p) {
                self.fatal = Some(ConsumeError::WriteCheckpoint(e));
                return false;
            }
        }
        if !self.flush("checkpoints") {
            return false;
        }
        // Any output or checkpoint part not delivered, since the start: the
        // messages after the last checkpoint must then be judged again.
        if self.producer.context().failed.load(Ordering::Relaxed) > 0 {
            let why = super::lock(&self.producer.context().last_failure).clone();
            self.fatal = Some(ConsumeError::NotDelivered(why.unwrap_or_default()));
            return false;
        }
        let mut offsets = TopicPartitionList::new();
        for p in &chosen {
            if let Some(partition) = self.partitions.get(p) {
                let next = Offset::Offset(partition.next);
                let _ = offsets.add_partition_offset(&self.settings.topic, *p, next);
            }
        }
        let mut backoff = Backoff::new();
        loop {
            // Committing while the caller holds the worker's mutex is safe: a
            // synchronous commit waits on a queue of its own and serves no
            // callback (librdkafka queues the commit callback for the next
            // poll), so the rebalance callback, the only other taker of the
            // mutex, cannot run inside it.
            match consumer.commit(&offsets, CommitMode::Sync) {
                Ok(()) => break,
                Err(e) if self.stop.load(Ordering::Relaxed) && backoff.tries > 3 => {
                    log!("could not commit ({e}); the checkpoints are written, so a restart resumes from them");
                    return false;
                }
                Err(e) => {
                    log!("could not commit ({e}), retrying");
                    backoff.wait();
                }
            }
        }
        for p in &chosen {
            if let Some(partition) = self.partitions.get_mut(p) {
                partition.dirty = 0;
                partition.slot = 1 - partition.slot;
                partition.trim();
            }
        }
        self.stats.checkpoints += chosen.len() as u64;
        self.stats.checkpoint_time += started.elapsed();
        true
    }

    /// Queues the checkpoint parts of partition `p`.
    fn write_checkpoint(&self, p: i32) -> Result<(), KafkaError> {
        let Some(partition) = self.partitions.get(&p) else {
            return Ok(());
        };
        let json = partition.snapshot_json();
        let settings = &self.settings;
        let parts = checkpoint::parts(
            &settings.topic,
            p,
            partition.slot,
            partition.next,
            &json,
            settings.part_bytes,
        );
        for piece in parts {
            let (offset, part, parts) = (
                piece.offset.to_string(),
                piece.part.to_string(),
                piece.parts.to_string(),
            );
            let headers = headers(&[
                (checkpoint::OFFSET, &offset),
                (checkpoint::PART, &part),
                (checkpoint::PARTS, &parts),
            ]);
            let record = BaseRecord::to(&settings.state_topic)
                .key(piece.key.as_str())
                .payload(piece.payload)
                .headers(headers);
            send(&self.producer, record, &self.stop)?;
        }
        Ok(())
    }

    /// Waits until the producer has delivered everything (a broker outage is
    /// waited out; on a stop request, for at most 30 s).
    fn flush(&mut self, what: &str) -> bool {
        let start = Instant::now();
        loop {
            match self.producer.flush(Duration::from_secs(5)) {
                Ok(()) => return true,
                Err(e) => {
                    let waited = start.elapsed().as_secs();
                    if self.stop.load(Ordering::Relaxed) && waited >= 30 {
                        log!("gave up waiting for the broker to take the {what} ({e}); nothing more committed");
                        return false;
                    }
                    log!(
                        "waiting for the broker to take the {what} ({} in flight, {waited} s): {e}",
                        self.producer.in_flight_count()
                    );
                }
            }
        }
    }

    /// Whether a checkpoint is due: a partition judged `checkpoint_records`
    /// messages, or one changed and `checkpoint_interval` has passed.
    pub fn checkpoint_due(&self) -> bool {
        let settings = &self.settings;
        self.partitions
            .values()
            .any(|p| p.dirty >= settings.checkpoint_records)
            || (self.last_checkpoint.elapsed() >= settings.checkpoint_interval
                && self.partitions.values().any(|p| p.dirty > 0))
    }
}

/// Sends a message, waiting while the producer's queue is full.
fn send(
    producer: &BaseProducer<Delivery>,
    mut record: BaseRecord<'_, impl ToBytes + ?Sized, [u8]>,
    stop: &AtomicBool,
) -> Result<(), KafkaError> {
    let mut waited = 0u32;
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                record = r;
                producer.poll(Duration::from_millis(100));
                waited += 1;
                if waited.is_multiple_of(100) {
                    log!("the producer's queue is full: waiting for the broker");
                }
                if stop.load(Ordering::Relaxed) && waited > 300 {
                    return Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull));
                }
            }
            Err((e, _)) => return Err(e),
        }
    }
}
