//! `callstate consume` (feature `kafka`): validates a Kafka topic as a member
//! of a consumer group. docs/streaming.md describes the model and the guarantees.
//!
//! One engine per input partition ([`partition`]); each message is judged as
//! `callstate emit` judges a line, its outbound events go to the out topic and
//! its report line to the report topic, with headers naming the input message.
//! Each partition's engine is checkpointed to the state topic ([`checkpoint`])
//! with the offset it corresponds to, and only then is that offset committed;
//! on assignment a partition is restored from its latest checkpoint and read
//! from that offset on.
//!
//! One thread: the poll loop. librdkafka serves the rebalance callback inside
//! `poll`, on this thread, so the callback and the loop share the [`Worker`]
//! through an uncontended mutex.

mod checkpoint;
mod partition;

use self::partition::{KeyCheck, Kind, Out, Partition, What};
use super::{Initial, EXIT_ERROR, EXIT_OK};
use callstate::Availability;
use callstate::Engine;
use callstate::Mode;
use clap::Args;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Header of every output message: the input topic.
pub const HEADER_TOPIC: &str = "callstate-source-topic";
/// Header of every output message: the input partition.
pub const HEADER_PARTITION: &str = "callstate-source-partition";
/// Header of every output message: the input offset.
pub const HEADER_OFFSET: &str = "callstate-source-offset";
/// Header of an outbound event: its index among its input message's events
/// (inferred events first).
pub const HEADER_INDEX: &str = "callstate-index";
/// Header of an outbound event: `event` or `inferred` (its `message.source`).
pub const HEADER_SOURCE: &str = "callstate-source";

#[derive(Args, Debug)]
pub(super) struct ConsumeArgs {
    /// Bootstrap brokers, HOST:PORT[,HOST:PORT…].
    #[arg(long, value_name = "HOSTS")]
    brokers: String,
    /// The consumer group: members of one group share the input's partitions.
    #[arg(long, value_name = "G")]
    group: String,
    /// The input topic: one record per message (any shape of SPEC §5), keyed by
    /// agent id.
    #[arg(long, value_name = "IN")]
    topic: String,
    /// Where each applied transition goes, as the OutboundCallStateChange event
    /// callstate emit writes, keyed by agent (none: not written).
    #[arg(long, value_name = "OUT")]
    out_topic: Option<String>,
    /// Where each record not accepted goes, as its replay --json line (line
    /// is the input offset), keyed by agent (none: not written).
    #[arg(long, value_name = "REPORT")]
    report_topic: Option<String>,
    /// The compacted topic of the checkpoints [default: GROUP.callstate-state].
    #[arg(long, value_name = "STATE")]
    state_topic: Option<String>,
    /// Strict mode, as in replay; without it, resync (the default) repairs
    /// after lost events and writes the inferred events. A group must not
    /// change its mode.
    #[arg(long)]
    strict: bool,
    /// Where never-seen agents start.
    #[arg(long, value_enum, default_value_t = Initial::Ready)]
    initial: Initial,
    /// Messages longer than this are reported malformed without being read.
    #[arg(long, value_name = "BYTES", default_value_t = 512 << 10)]
    max_record_bytes: usize,
    /// Checkpoint a partition after this many messages…
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    checkpoint_records: u64,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    checkpoint_interval: f64,
    /// Checkpoints are cut into messages of at most this many bytes (keep it
    /// under the broker's message.max.bytes).
    #[arg(long, value_name = "BYTES", default_value_t = 900_000)]
    checkpoint_part_bytes: usize,
    /// Seconds between stats lines on stderr (0: none).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    stats_interval: f64,
    /// A librdkafka property for every client, e.g. -X security.protocol=ssl
    /// or -X session.timeout.ms=30000 (repeatable).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    config: Vec<String>,
}

/// Writes a line to stderr; a failed write has nowhere else to go.
fn log(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "callstate consume: {args}");
}

macro_rules! log {
    ($($t:tt)*) => { log(format_args!($($t)*)) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Logs librdkafka's errors, the same one at most every 10 s.
#[derive(Default)]
struct ErrorLog {
    last: Mutex<Option<(String, Instant)>>,
}

impl ErrorLog {
    fn note(&self, error: &KafkaError, reason: &str) {
        let text = format!("{error}: {reason}");
        let mut last = lock(&self.last);
        let repeat =
            matches!(&*last, Some((t, at)) if *t == text && at.elapsed() < Duration::from_secs(10));
        if !repeat {
            let down = matches!(
                error.rdkafka_error_code(),
                Some(RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure)
            );
            if down {
                log!("broker unavailable, retrying with backoff: {reason}");
            } else {
                log!("kafka: {text}");
            }
            *last = Some((text, Instant::now()));
        }
    }
}

/// The producer's context: counts failed deliveries.
#[derive(Default)]
struct Delivery {
    errors: ErrorLog,
    failed: AtomicU64,
    last_failure: Mutex<Option<String>>,
}

impl ClientContext for Delivery {
    fn error(&self, error: KafkaError, reason: &str) {
        self.errors.note(&error, reason);
    }
}

impl ProducerContext for Delivery {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, m)) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            *lock(&self.last_failure) = Some(format!("to {}: {e}", m.topic()));
        }
    }
}

/// The consumer's context: the worker, which the rebalance callback uses.
struct Ctx {
    worker: Mutex<Worker>,
    errors: ErrorLog,
}

impl ClientContext for Ctx {
    fn error(&self, error: KafkaError, reason: &str) {
        self.errors.note(&error, reason);
    }
}

impl ConsumerContext for Ctx {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let mut worker = lock(&self.worker);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                worker.restore(tpl);
                let got: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
                log!("assigned partitions {got:?}");
                if let Err(e) = consumer.assign(tpl) {
                    worker.fatal = Some(format!("could not take the assignment: {e}"));
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let gone: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
                // A lost assignment (the session expired) may already be someone
                // else's: its checkpoint would be stale but still correct
                // (replay is deterministic), so it is written all the same.
                worker.checkpoint(consumer, |p| gone.contains(&p));
                for p in &gone {
                    worker.parts.remove(p);
                }
                log!("revoked partitions {gone:?}");
                if let Err(e) = consumer.unassign() {
                    log!("could not give up the assignment: {e}");
                }
            }
            other => {
                log!("rebalance error: {other:?}");
                worker.checkpoint(consumer, |_| true);
                worker.parts.clear();
                let _ = consumer.unassign();
            }
        }
    }
}

/// Counts for the stats line.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    records: u64,
    blank: u64,
    accepted: u64,
    rejected: u64,
    repaired: u64,
    inferred: u64,
    unknown: u64,
    malformed: u64,
    key_mismatch: u64,
    skipped: u64,
    checkpoints: u64,
    /// Time spent checkpointing (flushes and commits included).
    checkpoint_time: Duration,
}

struct Settings {
    base: ClientConfig,
    group: String,
    topic: String,
    out_topic: Option<String>,
    report_topic: Option<String>,
    state_topic: String,
    mode: Mode,
    initial: Availability,
    max_bytes: usize,
    part_bytes: usize,
}

struct Worker {
    s: Settings,
    producer: BaseProducer<Delivery>,
    parts: BTreeMap<i32, Partition>,
    stats: Stats,
    /// When set, the loop stops with this error (nothing more is committed).
    fatal: Option<String>,
    stop: Arc<AtomicBool>,
    last_mismatch_warning: Option<Instant>,
    last_checkpoint: Instant,
}

impl Worker {
    /// Judges one message and produces its outputs.
    fn handle(&mut self, m: &BorrowedMessage<'_>) {
        let (p, offset) = (m.partition(), m.offset());
        let Some(part) = self.parts.get_mut(&p) else {
            log!("a message of partition {p}, which this member does not hold: ignored");
            return;
        };
        if part.next >= 0 && offset < part.next {
            // Already in the restored state (the committed offset lagged the checkpoint).
            self.stats.skipped += 1;
            return;
        }
        if part.next >= 0 && offset > part.next {
            log!(
                "partition {p}: offsets {}..{offset} are gone (retention or compaction); going on",
                part.next
            );
        }
        let judged = part.judge(m.key(), m.payload(), offset, self.s.max_bytes);
        let st = &mut self.stats;
        match judged.kind {
            Kind::Blank => st.blank += 1,
            Kind::Accepted => st.accepted += 1,
            Kind::Rejected { inferred } => {
                st.rejected += 1;
                if let Some(n) = inferred {
                    st.repaired += 1;
                    st.inferred += n as u64;
                }
            }
            Kind::Unknown => st.unknown += 1,
            Kind::Malformed => st.malformed += 1,
        }
        if judged.kind != Kind::Blank {
            st.records += 1;
        }
        if judged.key != KeyCheck::Matches {
            st.key_mismatch += 1;
            let due = self
                .last_mismatch_warning
                .is_none_or(|at| at.elapsed() >= Duration::from_secs(10));
            if due {
                log!(
                    "partition {p} offset {offset}: the message key is not the record's agent id \
                     (judged all the same; {} such messages so far)",
                    st.key_mismatch
                );
                self.last_mismatch_warning = Some(Instant::now());
            }
        }
        for out in &judged.outs {
            if let Err(e) = self.produce(out, p, offset) {
                self.fatal = Some(format!("could not produce an output: {e}"));
                return;
            }
        }
    }

    fn produce(&self, out: &Out, partition: i32, offset: i64) -> Result<(), KafkaError> {
        let dest = match out.what {
            What::Event { .. } => self.s.out_topic.as_deref(),
            What::Report => self.s.report_topic.as_deref(),
        };
        let Some(dest) = dest else {
            return Ok(());
        };
        let (partition, offset) = (partition.to_string(), offset.to_string());
        let mut headers = OwnedHeaders::new()
            .insert(Header {
                key: HEADER_TOPIC,
                value: Some(self.s.topic.as_str()),
            })
            .insert(Header {
                key: HEADER_PARTITION,
                value: Some(partition.as_str()),
            })
            .insert(Header {
                key: HEADER_OFFSET,
                value: Some(offset.as_str()),
            });
        if let What::Event { index, inferred } = out.what {
            headers = headers
                .insert(Header {
                    key: HEADER_INDEX,
                    value: Some(index.to_string().as_str()),
                })
                .insert(Header {
                    key: HEADER_SOURCE,
                    value: Some(if inferred { "inferred" } else { "event" }),
                });
        }
        let record = BaseRecord::to(dest)
            .key(&out.key[..])
            .payload(&out.payload[..])
            .headers(headers);
        send(&self.producer, record, &self.stop)
    }

    /// Restores the partitions of `tpl` from their checkpoints, and sets the
    /// offset each is read from.
    fn restore(&mut self, tpl: &mut TopicPartitionList) {
        let wanted: Vec<i32> = tpl
            .elements_for_topic(&self.s.topic)
            .iter()
            .map(|e| e.partition())
            .collect();
        let mut backoff = Backoff::new();
        let mut assembler = loop {
            match read_state(&self.s) {
                Ok(a) => break a,
                Err(e) => {
                    if self.stop.load(Ordering::Relaxed) {
                        self.fatal = Some(format!("stopped while restoring: {e}"));
                        return;
                    }
                    log!("could not read the state topic {}: {e}", self.s.state_topic);
                    backoff.wait();
                }
            }
        };
        for p in wanted {
            let part = match assembler.take(&self.s.topic, p) {
                None => Partition::new(
                    Engine::starting(self.s.initial).with_mode(self.s.mode),
                    -1,
                    0,
                ),
                Some(c) => match Engine::from_snapshot_json(&c.json) {
                    Err(e) => {
                        self.fatal = Some(format!("partition {p}: a bad checkpoint: {e}"));
                        return;
                    }
                    Ok(engine) if engine.mode() != self.s.mode => {
                        self.fatal = Some(format!(
                            "partition {p}: the checkpoint was judged in {:?} mode; a group \
                             cannot change its mode (use a new group and state topic)",
                            engine.mode()
                        ));
                        return;
                    }
                    Ok(engine) => {
                        let _ =
                            tpl.set_partition_offset(&self.s.topic, p, Offset::Offset(c.offset));
                        log!(
                            "partition {p}: restored {} agents from the checkpoint at offset {}",
                            engine.len(),
                            c.offset
                        );
                        Partition::new(engine, c.offset, 1 - c.slot)
                    }
                },
            };
            self.parts.insert(p, part);
        }
    }

    /// Checkpoints the partitions `which` selects that changed: waits for every
    /// output, writes the checkpoints, waits for them, then commits their
    /// offsets. Returns whether everything was committed.
    fn checkpoint(&mut self, consumer: &BaseConsumer<Ctx>, which: impl Fn(i32) -> bool) -> bool {
        let started = Instant::now();
        self.last_checkpoint = started;
        let chosen: Vec<i32> = self
            .parts
            .iter()
            .filter(|(p, part)| which(**p) && part.dirty > 0 && part.next >= 0)
            .map(|(p, _)| *p)
            .collect();
        if chosen.is_empty() {
            return true;
        }
        if !self.flush("outputs") {
            return false;
        }
        for p in &chosen {
            let Some(part) = self.parts.get(p) else {
                continue;
            };
            let json = part.snapshot_json();
            let parts = checkpoint::parts(
                &self.s.topic,
                *p,
                part.slot,
                part.next,
                &json,
                self.s.part_bytes,
            );
            for piece in parts {
                let (offset, i, n) = (
                    piece.offset.to_string(),
                    piece.part.to_string(),
                    piece.parts.to_string(),
                );
                let headers = OwnedHeaders::new()
                    .insert(Header {
                        key: checkpoint::OFFSET,
                        value: Some(offset.as_str()),
                    })
                    .insert(Header {
                        key: checkpoint::PART,
                        value: Some(i.as_str()),
                    })
                    .insert(Header {
                        key: checkpoint::PARTS,
                        value: Some(n.as_str()),
                    });
                let record = BaseRecord::to(&self.s.state_topic)
                    .key(piece.key.as_str())
                    .payload(piece.payload)
                    .headers(headers);
                if let Err(e) = send(&self.producer, record, &self.stop) {
                    self.fatal = Some(format!("could not write a checkpoint: {e}"));
                    return false;
                }
            }
        }
        if !self.flush("checkpoints") {
            return false;
        }
        // Any output or checkpoint part not delivered, since the start: the
        // messages after the last checkpoint must then be judged again.
        if self.producer.context().failed.load(Ordering::Relaxed) > 0 {
            let why = lock(&self.producer.context().last_failure).clone();
            self.fatal = Some(format!(
                "a message was not delivered ({}); nothing after the last checkpoint is committed",
                why.unwrap_or_default()
            ));
            return false;
        }
        let mut offsets = TopicPartitionList::new();
        for p in &chosen {
            if let Some(part) = self.parts.get(p) {
                let _ = offsets.add_partition_offset(&self.s.topic, *p, Offset::Offset(part.next));
            }
        }
        let mut backoff = Backoff::new();
        loop {
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
            if let Some(part) = self.parts.get_mut(p) {
                part.dirty = 0;
                part.slot = 1 - part.slot;
                part.trim();
            }
        }
        self.stats.checkpoints += chosen.len() as u64;
        self.stats.checkpoint_time += started.elapsed();
        true
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

    fn due(&self, records: u64, interval: Duration) -> bool {
        self.parts.values().any(|p| p.dirty >= records)
            || (self.last_checkpoint.elapsed() >= interval
                && self.parts.values().any(|p| p.dirty > 0))
    }
}

/// Sends a message, waiting while the producer's queue is full.
fn send(
    producer: &BaseProducer<Delivery>,
    mut record: BaseRecord<'_, impl rdkafka::message::ToBytes + ?Sized, [u8]>,
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

/// Exponential backoff from 0.5 s to 30 s.
struct Backoff {
    tries: u32,
}

impl Backoff {
    fn new() -> Backoff {
        Backoff { tries: 0 }
    }
    fn wait(&mut self) {
        let ms = 500u64.saturating_mul(1 << self.tries.min(6)).min(30_000);
        self.tries += 1;
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Reads the whole state topic and reassembles its checkpoints.
fn read_state(s: &Settings) -> Result<checkpoint::Assembler, KafkaError> {
    let reader: BaseConsumer = s
        .base
        .clone()
        // librdkafka needs a group id to assign partitions; this reader never
        // joins the group (no subscribe) nor commits.
        .set("group.id", format!("{}.callstate-restore", s.group))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .create()?;
    let timeout = Duration::from_secs(10);
    let metadata = reader.fetch_metadata(Some(&s.state_topic), timeout)?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == s.state_topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    let mut tpl = TopicPartitionList::new();
    let mut ends = HashMap::new();
    for p in partitions {
        let (low, high) = reader.fetch_watermarks(&s.state_topic, p, timeout)?;
        if high > low {
            tpl.add_partition_offset(&s.state_topic, p, Offset::Beginning)?;
            ends.insert(p, high);
        }
    }
    let mut assembler = checkpoint::Assembler::default();
    if ends.is_empty() {
        return Ok(assembler);
    }
    reader.assign(&tpl)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    // To the high watermark, then on until nothing comes for a second: tansu
    // 0.6 reports as high watermark the last batch's first offset + 1, short of
    // the batch's other messages (docs/streaming.md).
    let mut idle_since = Instant::now();
    while !ends.is_empty() || idle_since.elapsed() < Duration::from_secs(1) {
        if Instant::now() > deadline {
            return Err(KafkaError::MessageConsumption(
                RDKafkaErrorCode::OperationTimedOut,
            ));
        }
        match reader.poll(Duration::from_millis(200)) {
            None => {}
            Some(Err(e)) => return Err(e),
            Some(Ok(m)) => {
                let headers = m.headers();
                let header = |name: &str| {
                    headers?
                        .iter()
                        .find(|h| h.key == name)
                        .and_then(|h| h.value)
                };
                assembler.push(m.key(), header, m.payload().unwrap_or_default());
                idle_since = Instant::now();
                if ends
                    .get(&m.partition())
                    .is_some_and(|end| m.offset() + 1 >= *end)
                {
                    ends.remove(&m.partition());
                }
            }
        }
    }
    if assembler.ignored > 0 {
        log!(
            "the state topic has {} messages that are not checkpoint parts (ignored)",
            assembler.ignored
        );
    }
    Ok(assembler)
}

/// Creates the state topic (compacted) and the output topics if they are
/// missing; the outputs get as many partitions as the input.
fn create_topics(s: &Settings, stop: &AtomicBool) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> =
        s.base.create().map_err(|e| format!("admin client: {e}"))?;
    let mut backoff = Backoff::new();
    let partitions = loop {
        match admin
            .inner()
            .fetch_metadata(Some(&s.topic), Duration::from_secs(10))
        {
            Ok(m) => {
                let n = m
                    .topics()
                    .iter()
                    .find(|t| t.name() == s.topic)
                    .map_or(0, |t| t.partitions().len());
                break i32::try_from(n).unwrap_or(1).max(1);
            }
            Err(e) if stop.load(Ordering::Relaxed) => {
                return Err(format!("stopped while waiting for the broker ({e})"))
            }
            Err(e) => {
                log!("broker unavailable, retrying with backoff: {e}");
                backoff.wait();
            }
        }
    };
    let mut topics = vec![NewTopic::new(&s.state_topic, 1, TopicReplication::Fixed(1))
        .set("cleanup.policy", "compact")];
    for t in [&s.out_topic, &s.report_topic].into_iter().flatten() {
        topics.push(NewTopic::new(t, partitions, TopicReplication::Fixed(1)));
    }
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = futures_executor::block_on(admin.create_topics(&topics, &options))
        .map_err(|e| format!("could not create the topics: {e}"))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, e)) => log!("could not create topic {t}: {e} (going on)"),
        }
    }
    Ok(())
}

pub(super) fn run(args: &ConsumeArgs) -> io::Result<i32> {
    let mut base = ClientConfig::new();
    base.set("bootstrap.servers", &args.brokers);
    for kv in &args.config {
        let Some((k, v)) = kv.split_once('=') else {
            log!("-X {kv}: expected KEY=VALUE");
            return Ok(EXIT_ERROR);
        };
        base.set(k, v);
    }
    let settings = Settings {
        base: base.clone(),
        group: args.group.clone(),
        topic: args.topic.clone(),
        out_topic: args.out_topic.clone(),
        report_topic: args.report_topic.clone(),
        state_topic: args
            .state_topic
            .clone()
            .unwrap_or_else(|| format!("{}.callstate-state", args.group)),
        mode: if args.strict {
            Mode::Strict
        } else {
            Mode::Resync
        },
        initial: args.initial.into(),
        max_bytes: args.max_record_bytes,
        part_bytes: args.checkpoint_part_bytes,
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        // A second signal ends the process at once.
        signal_hook::flag::register_conditional_shutdown(signal, 2, Arc::clone(&stop))?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    if let Err(e) = create_topics(&settings, &stop) {
        log!("{e}");
        return Ok(EXIT_ERROR);
    }
    let producer: BaseProducer<Delivery> = {
        let mut c = base.clone();
        c.set("linger.ms", "5")
            // Per-agent order survives retries.
            .set("max.in.flight.requests.per.connection", "1")
            // A broker outage is waited out, never a lost output.
            .set("message.timeout.ms", "0");
        c.create_with_context(Delivery::default())
            .map_err(io::Error::other)?
    };
    let consumer: BaseConsumer<Ctx> = {
        let mut c = base.clone();
        c.set("group.id", &settings.group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false");
        if !args
            .config
            .iter()
            .any(|kv| kv.starts_with("session.timeout.ms="))
        {
            c.set("session.timeout.ms", "10000");
        }
        let ctx = Ctx {
            worker: Mutex::new(Worker {
                s: settings,
                producer,
                parts: BTreeMap::new(),
                stats: Stats::default(),
                fatal: None,
                stop: Arc::clone(&stop),
                last_mismatch_warning: None,
                last_checkpoint: Instant::now(),
            }),
            errors: ErrorLog::default(),
        };
        c.create_with_context(ctx).map_err(io::Error::other)?
    };
    consumer
        .subscribe(&[args.topic.as_str()])
        .map_err(io::Error::other)?;
    log!(
        "joined group {} on {} (topic {}, {} mode)",
        args.group,
        args.brokers,
        args.topic,
        if args.strict { "strict" } else { "resync" }
    );
    let every = Duration::from_secs_f64(args.checkpoint_interval.max(0.0));
    let stats_every =
        (args.stats_interval > 0.0).then(|| Duration::from_secs_f64(args.stats_interval));
    let mut last_stats = (Instant::now(), 0u64);
    let mut code = EXIT_OK;
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let polled = consumer.poll(Duration::from_millis(100));
        let mut worker = lock(&consumer.context().worker);
        match polled {
            None => {}
            Some(Ok(m)) => worker.handle(&m),
            Some(Err(e)) => consumer.context().errors.note(&e, "consuming"),
        }
        worker.producer.poll(Duration::ZERO);
        if worker.due(args.checkpoint_records, every) {
            worker.checkpoint(&consumer, |_| true);
        }
        if let Some(e) = worker.fatal.take() {
            log!("stopping: {e}");
            code = EXIT_ERROR;
            break;
        }
        if let Some(interval) = stats_every {
            if last_stats.0.elapsed() >= interval {
                last_stats = print_stats(&consumer, &worker, last_stats);
            }
        }
    }
    let mut worker = lock(&consumer.context().worker);
    if code == EXIT_OK {
        log!("stopping: checkpointing and leaving the group");
        if !worker.checkpoint(&consumer, |_| true) {
            code = EXIT_ERROR;
        }
        worker.parts.clear();
    }
    print_stats(&consumer, &worker, last_stats);
    drop(worker);
    consumer.unsubscribe();
    drop(consumer); // closes: leaves the group
    log!("left the group");
    Ok(code)
}

fn print_stats(
    consumer: &BaseConsumer<Ctx>,
    w: &Worker,
    (since, before): (Instant, u64),
) -> (Instant, u64) {
    let st = &w.stats;
    let secs = since.elapsed().as_secs_f64().max(1e-3);
    let rate = (st.records - before) as f64 / secs;
    let lag: i64 = w
        .parts
        .iter()
        .filter_map(|(p, part)| {
            let (low, high) = consumer
                .fetch_watermarks(&w.s.topic, *p, Duration::from_secs(1))
                .ok()?;
            Some((high - if part.next >= 0 { part.next } else { low }).max(0))
        })
        .sum();
    let agents: usize = w.parts.values().map(|p| p.replay.engine().len()).sum();
    log!(
        "{} records ({rate:.0}/s), lag {lag}, {} partitions, {agents} agents; accepted {}, \
         rejected {} (repaired {}, {} inferred events), unknown {}, malformed {}; \
         key mismatches {}, checkpoints {} ({:.1} ms each)",
        st.records,
        w.parts.len(),
        st.accepted,
        st.rejected,
        st.repaired,
        st.inferred,
        st.unknown,
        st.malformed,
        st.key_mismatch,
        st.checkpoints,
        st.checkpoint_time.as_secs_f64() * 1e3 / st.checkpoints.max(1) as f64
    );
    (Instant::now(), st.records)
}
