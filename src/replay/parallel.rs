//! Parallel replay: parse on many threads, apply in input order on one.
//!
//! Almost all of a replay's time goes into reading JSON; applying a parsed record
//! to the engine is a hash lookup and a table lookup. So the work is split where
//! the cost is, and the order-sensitive part stays sequential:
//!
//! ```text
//! reader ──batches──▶ N parsers ──parsed batches──▶ applier (input order) ──▶ report
//!    ▲                                                   │
//!    └──────────────── empty batches (a fixed pool) ─────┘
//! ```
//!
//! - The **reader** reads raw chunks of whole lines straight into batches taken from
//!   a fixed pool (a partial last line moves on to the next batch), so at most
//!   `pool` batches exist at once: memory is bounded whatever the log's length.
//! - **Parsers** split their batch into lines and turn each into a compact owned
//!   record (ids copied into the batch's arena, no allocation per record) or a
//!   `malformed` rejection.
//! - The **applier** takes batches back in sequence and feeds them to one
//!   [`Replay`] exactly as the single-threaded path would, so every agent's records
//!   are applied in input order and the report is byte-identical to a
//!   single-threaded run's. With more agents than fit in the CPU's caches it
//!   fetches the memory of the agents of the records ahead while applying
//!   (`engine::Lookahead`, as `Engine::apply_all` does).
//!
//! Sharding the engine by agent id would parallelize only the cheap part and would
//! need a merge to restore the report's line order; keeping one applier gives the
//! same per-agent ordering with none of that.

use crate::engine::Lookahead;
use crate::model::deadline::{may_begin_timed_stay, Timers};
use crate::model::record::{EventName, Record, SnapshotView};
use crate::model::rejection::Rejection;
use crate::replay::{parse_wire, Parsed, Replay, ReplayOptions, Verdict};
use crate::wire::input::{self, InputError, Line, Source, NEWLINE};
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;

/// Bytes per batch with `jobs` parsers: big enough to amortize channel traffic
/// (every batch wakes threads up; on 2 cores that showed as ~10% of the time in
/// the kernel at 256 KiB, against 1 MiB), small enough to keep every thread busy
/// near the end of the input. The pool holds 3 × jobs + 1 batches, so batches
/// shrink as jobs grow: with few cores, where wake-ups cost most, 1 MiB; from 8
/// jobs on, 256 KiB, and the pool's memory grows by under 1 MiB per job.
fn batch_bytes(jobs: usize) -> usize {
    ((2 << 20) / jobs.max(1)).clamp(256 << 10, 1 << 20)
}

/// A batch buffer that grew past this for one huge line is shrunk back.
const KEEP_BYTES: usize = 4 << 20;

/// Lines read, then parsed, then applied; recycled through the pool.
#[derive(Debug, Default)]
struct Batch {
    seq: u64,
    /// Whole lines, each ending in `\n`.
    text: Filled,
    /// Instead of text: one line longer than the limit, of this many bytes.
    too_long: Option<u64>,
    parsed: Vec<Item>,
    arena: String,
    /// The inputs that begin in this batch, with where: the byte offset in `text`
    /// of their first line until parsed, then the index of that line in `parsed`
    /// (the number of lines before it).
    inputs: Vec<(usize, Box<str>)>,
    /// Keep the records' deadline fields (the replay has time rules, SPEC §11):
    /// without them they are not copied.
    keep_timers: bool,
}

/// A byte buffer whose memory stays initialized between uses, so input can be read
/// straight into it (no intermediate buffer, no zeroing on every read).
#[derive(Debug, Default)]
struct Filled {
    buf: Vec<u8>,
    len: usize,
}

impl Filled {
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.len = 0;
        // A buffer that grew for one huge line goes back to the usual size.
        if self.buf.len() > KEEP_BYTES {
            self.buf.truncate(KEEP_BYTES);
            self.buf.shrink_to_fit();
        }
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    fn reserve(&mut self, more: usize) {
        if self.buf.len() < self.len + more {
            self.buf.resize(self.len + more, 0);
        }
    }

    /// Reads up to `chunk` bytes from `input` after the filled part, without
    /// counting them as filled yet; returns the fresh bytes' range.
    fn read_from(&mut self, input: &mut dyn Read, chunk: usize) -> io::Result<Range<usize>> {
        self.reserve(chunk);
        let start = self.len;
        let n = input.read(&mut self.buf[start..start + chunk])?;
        Ok(start..start + n)
    }

    /// Bytes [`Filled::read_from`] read and not yet counted as filled.
    fn unfilled(&self, fresh: Range<usize>) -> &[u8] {
        &self.buf[fresh.start.max(self.len)..fresh.end]
    }

    /// Counts `fresh`, some of the bytes [`Filled::read_from`] read (a head of
    /// them may be left out), as filled: they follow the filled part.
    fn fill(&mut self, fresh: Range<usize>) {
        let start = fresh.start.max(self.len);
        if start != self.len {
            self.buf.copy_within(start..fresh.end, self.len);
        }
        self.len += fresh.end - start;
    }
}

/// A parsed line, with ids as ranges of the batch's arena.
#[derive(Debug)]
enum Item {
    Blank,
    Record {
        agent: Range<usize>,
        event: ItemEvent,
        interaction: Option<Range<usize>>,
        time: Option<i64>,
        reservation: Option<Range<usize>>,
        // The snapshot's view, its state as a range (the rest is `Copy`).
        snapshot: SnapshotView<'static>,
        snapshot_state: Option<Range<usize>>,
        // The deadline fields' raw JSON (SPEC §11.4): interaction, rona,
        // preview, call variables; kept only under time rules.
        timers: [Span; 4],
    },
    Invalid(Box<Rejection>),
}

/// A non-empty range of the arena in 8 bytes (a batch's arena is far below
/// 4 GiB), or none.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    const NONE: Span = Span { start: 0, len: 0 };

    fn of_range(range: Range<usize>) -> Span {
        match (u32::try_from(range.start), u32::try_from(range.len())) {
            (Ok(start), Ok(len)) => Span { start, len },
            _ => Span::NONE,
        }
    }

    fn of(self, arena: &str) -> Option<&str> {
        let start = self.start as usize;
        (self.len > 0).then(|| arena.get(start..start + self.len as usize))?
    }
}

#[derive(Debug)]
enum ItemEvent {
    Placed(EventName<'static>),
    Unknown(Range<usize>),
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.too_long = None;
        self.parsed.clear();
        self.arena.clear();
        self.inputs.clear();
    }

    /// Parses every line; a line over `max_line` bytes is reported as too long, as
    /// the single-threaded reader would.
    fn parse(&mut self, max_line: usize) {
        let Batch {
            text,
            too_long,
            parsed,
            arena,
            inputs,
            keep_timers,
            ..
        } = self;
        let keep = *keep_timers;
        for (at, _) in inputs.iter_mut() {
            let before = &text.bytes()[..(*at).min(text.len())];
            *at = memchr::memchr_iter(b'\n', before).count();
        }
        if let Some(len) = *too_long {
            parsed.push(parse_wire(Line::TooLong(len), !keep, |p, _| {
                Item::store(p, arena, keep)
            }));
            return;
        }
        let text = text.bytes();
        let mut start = 0;
        // Every line of a batch ends in `\n` (see `Batch::text`).
        debug_assert!(text.is_empty() || text.ends_with(b"\n"));
        for end in memchr::memchr_iter(NEWLINE, text) {
            let line = input::line_of(&text[start..end], max_line);
            start = end + 1;
            parsed.push(parse_wire(line, !keep, |p, _| Item::store(p, arena, keep)));
        }
    }

    /// Applies every parsed line in order, handing each verdict to `each`; stops
    /// at the first error `each` returns, so nothing after it is applied.
    fn apply(
        &mut self,
        replay: &mut Replay,
        mut each: impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
    ) -> io::Result<()> {
        let Batch {
            parsed,
            arena,
            inputs,
            ..
        } = self;
        let (len, arena) = (parsed.len(), arena.as_str());
        let mut inputs = inputs.iter().peekable();
        // With more agents than fit in the caches, the memory of the agents of
        // the records ahead is fetched while earlier ones are applied.
        let mut ahead = replay
            .engine()
            .prefetches()
            .then(|| Lookahead::start(replay.engine(), len, |j| agent_of(parsed, arena, j)));
        for i in 0..len {
            let hash = ahead
                .as_mut()
                .and_then(|ahead| ahead.next(replay.engine(), i, |j| agent_of(parsed, arena, j)));
            while let Some((_, name)) = inputs.next_if(|&&(at, _)| at == i) {
                replay.begin_input(name);
            }
            let item = std::mem::replace(&mut parsed[i], Item::Blank);
            let parsed = match item {
                Item::Blank => Parsed::Blank,
                Item::Invalid(r) => Parsed::Invalid(*r),
                Item::Record {
                    agent,
                    event,
                    interaction,
                    time,
                    reservation,
                    snapshot,
                    snapshot_state,
                    timers,
                } => Parsed::Record(Record {
                    agent: &arena[agent],
                    event: match event {
                        ItemEvent::Placed(e) => e,
                        ItemEvent::Unknown(r) => EventName::Unknown(&arena[r]),
                    },
                    interaction: interaction.map(|r| &arena[r]),
                    time,
                    reservation: reservation.map(|r| &arena[r]),
                    snapshot: SnapshotView {
                        state: snapshot_state.map(|r| &arena[r]),
                        ..snapshot
                    },
                    timers: {
                        let [interaction, rona, preview, call_variables] =
                            timers.map(|span| span.of(arena));
                        Timers {
                            interaction,
                            rona,
                            preview,
                            call_variables,
                        }
                    },
                }),
            };
            let verdict = replay.feed_parsed_hashed(parsed, hash);
            each(replay, verdict)?;
        }
        // Inputs that begin after this batch's last line (its first line is in
        // the next batch, or it has none).
        for (_, name) in inputs {
            replay.begin_input(name);
        }
        parsed.clear();
        Ok(())
    }
}

/// The agent item `i` names, if it is a record.
fn agent_of<'a>(items: &[Item], arena: &'a str, i: usize) -> Option<&'a str> {
    match items.get(i) {
        Some(Item::Record { agent, .. }) => arena.get(agent.clone()),
        _ => None,
    }
}

impl Item {
    fn store(parsed: Parsed<'_>, arena: &mut String, keep_timers: bool) -> Item {
        let mut keep = |s: &str| {
            let start = arena.len();
            arena.push_str(s);
            start..arena.len()
        };
        match parsed {
            Parsed::Blank => Item::Blank,
            Parsed::Invalid(r) => Item::Invalid(Box::new(r)),
            Parsed::Record(r) => Item::Record {
                agent: keep(r.agent),
                event: match r.event {
                    EventName::Known(e) => ItemEvent::Placed(EventName::Known(e)),
                    EventName::CallNotice(n) => ItemEvent::Placed(EventName::CallNotice(n)),
                    EventName::AgentNotice(n) => ItemEvent::Placed(EventName::AgentNotice(n)),
                    EventName::Unknown(name) => ItemEvent::Unknown(keep(name)),
                },
                interaction: r.interaction.map(&mut keep),
                time: r.time,
                reservation: r.reservation.map(&mut keep),
                snapshot: SnapshotView {
                    state: None,
                    ..r.snapshot
                },
                snapshot_state: r.snapshot.state.map(&mut keep),
                timers: match keep_timers && r.event.event().is_some_and(may_begin_timed_stay) {
                    true => [
                        r.timers.interaction,
                        r.timers.rona,
                        r.timers.preview,
                        r.timers.call_variables,
                    ]
                    .map(|raw| raw.map_or(Span::NONE, |raw| Span::of_range(keep(raw)))),
                    false => [Span::NONE; 4],
                },
            },
        }
    }
}

/// What the reader thread sends: a batch, or the read error that ended the input.
enum FromReader {
    Batch(Batch),
    /// The input's name and the error; the line is known only once applied.
    Failed(String, io::Error),
}

/// Replays `sources` with the options' parser threads and longest line (its
/// mode and initial availability are `replay`'s own), calling `each` with every
/// verdict in input order. Returns the read error that cut the input short, if
/// any. An error from `each` ends the replay: nothing after that verdict is
/// applied, and the error is returned once the reader's current read of the
/// input returns.
///
/// `jobs` of 0 or 1 still runs the pipeline with one parser thread; callers that
/// want no threads at all use [`replay_sources`](crate::replay::replay_sources).
pub fn replay(
    sources: Vec<Source>,
    options: &ReplayOptions,
    replay: &mut Replay,
    each: impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
) -> io::Result<Option<InputError>> {
    let (max_line, jobs) = (options.max_line_bytes(), options.jobs());
    replay_in_batches(sources, max_line, jobs, batch_bytes(jobs), replay, each)
}

/// [`replay`] with batches of `batch_bytes` (tests make them tiny, so that lines
/// and long lines cross batch boundaries in every way).
fn replay_in_batches(
    sources: Vec<Source>,
    max_line: usize,
    jobs: usize,
    batch_bytes: usize,
    replay: &mut Replay,
    mut each: impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
) -> io::Result<Option<InputError>> {
    let jobs = jobs.max(1);
    let keep_timers = replay.engine().time_rules().is_some();
    // A read of 0 bytes would look like the end of the input.
    let batch_bytes = batch_bytes.max(1);
    let pool_size = 3 * jobs + 1;
    let (pool_tx, pool_rx) = sync_channel::<Batch>(pool_size);
    for _ in 0..pool_size {
        // The channel holds exactly the pool: this cannot block or fail.
        let _ = pool_tx.send(Batch {
            keep_timers,
            ..Batch::default()
        });
    }
    let (work_tx, work_rx) = sync_channel::<FromReader>(pool_size);
    let (done_tx, done_rx) = sync_channel::<FromReader>(pool_size);
    let work_rx = Arc::new(Mutex::new(work_rx));

    thread::scope(|scope| {
        scope.spawn(move || read_batches(sources, max_line, batch_bytes, pool_rx, work_tx));
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || parse_batches(&work_rx, &done_tx, max_line));
        }
        // Only the threads hold these now, so each stage sees its inputs close.
        drop(done_tx);
        drop(work_rx);
        apply_in_order(done_rx, pool_tx, replay, &mut each)
    })
}

fn read_batches(
    sources: Vec<Source>,
    max_line: usize,
    batch_bytes: usize,
    pool: Receiver<Batch>,
    work: SyncSender<FromReader>,
) {
    let mut reader = ChunkReader {
        pool,
        work,
        seq: 0,
        max_line,
        batch_bytes,
        stopped: false,
    };
    let Some(mut batch) = reader.fresh() else {
        return;
    };
    for source in sources {
        let name = source.name().to_owned();
        // Where the input begins: every batch holds whole lines between reads.
        batch.inputs.push((batch.text.len(), name.as_str().into()));
        match reader.read_source(source.into_reader(), batch) {
            // The batch may end inside a line: it goes nowhere (`send` would refuse
            // it anyway; this also saves reading the other inputs).
            Ok(_) if reader.stopped => return,
            Ok(next) => batch = next,
            Err(failed) => {
                let (last, error) = *failed;
                // Lines read whole before the error are replayed; the error after.
                if reader.send(last) {
                    let _ = reader.work.send(FromReader::Failed(name, error));
                }
                return;
            }
        }
    }
    reader.send(batch);
}

/// The reader thread's state: where batches come from and go to.
struct ChunkReader {
    pool: Receiver<Batch>,
    work: SyncSender<FromReader>,
    seq: u64,
    max_line: usize,
    batch_bytes: usize,
    /// The reader has seen the applier stop (the pool closed, or a send failed):
    /// nothing more is sent.
    stopped: bool,
}

impl ChunkReader {
    /// An empty batch from the pool; `None` once the applier has stopped and the
    /// batches it returned are used up.
    fn fresh(&mut self) -> Option<Batch> {
        let batch = self.pool.recv().ok();
        self.stopped |= batch.is_none();
        batch
    }

    /// Sends `batch` on with the next sequence number; `false` once nobody listens
    /// or the applier has stopped.
    fn send(&mut self, mut batch: Batch) -> bool {
        if self.stopped {
            return false;
        }
        batch.seq = self.seq;
        self.seq += 1;
        let sent = self.work.send(FromReader::Batch(batch)).is_ok();
        self.stopped |= !sent;
        sent
    }

    /// Reads one input to its end into batches, sending each full one on. Returns the
    /// batch being filled (whole lines only, unless the applier has stopped), or, on
    /// a read error, the whole lines read so far and the error.
    fn read_source(
        &mut self,
        mut input: Box<dyn BufRead + Send>,
        mut batch: Batch,
    ) -> Result<Batch, Box<(Batch, io::Error)>> {
        // Where the line being read starts in the batch.
        let mut line_start = batch.text.len();
        // Inside a line over the limit: its length so far.
        let mut skipped: Option<u64> = None;
        loop {
            // A read of a whole chunk goes past the BufReader's own buffer, so the
            // bytes are copied once, from the source into the batch.
            let fresh = match batch.text.read_from(&mut input, self.batch_bytes) {
                Ok(fresh) if fresh.is_empty() => break,
                Ok(fresh) => fresh,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    batch.text.truncate(line_start);
                    return Err(Box::new((batch, e)));
                }
            };
            if let Some(len) = skipped.as_mut() {
                // Drop bytes up to the long line's end; keep what follows it.
                let Some(i) = input::line_end(batch.text.unfilled(fresh.clone())) else {
                    *len += fresh.len() as u64;
                    continue;
                };
                let total = *len + i as u64;
                skipped = None;
                batch.text.fill(fresh.start + i + 1..fresh.end);
                let Some(empty) = self.fresh() else {
                    return Ok(batch);
                };
                let marker = Batch {
                    too_long: Some(total),
                    ..empty
                };
                if !self.send(marker) {
                    return Ok(batch);
                }
            } else {
                batch.text.fill(fresh.clone());
            }
            let scanned_from = line_start.max(fresh.start.min(batch.text.len()));
            if let Some(i) = memchr::memrchr(NEWLINE, &batch.text.bytes()[scanned_from..]) {
                line_start = scanned_from + i + 1;
            }
            if input::over_limit(batch.text.len() - line_start, self.max_line) {
                // The line in progress is over the limit and has no newline yet:
                // send what precedes it, then skip it to its end.
                skipped = Some((batch.text.len() - line_start) as u64);
                batch.text.truncate(line_start);
                let Some(next) = self.fresh() else {
                    return Ok(batch);
                };
                if !self.send(std::mem::replace(&mut batch, next)) {
                    return Ok(batch);
                }
                line_start = 0;
                continue;
            }
            if batch.text.len() >= self.batch_bytes && line_start > 0 {
                let Some(mut next) = self.fresh() else {
                    return Ok(batch);
                };
                next.text
                    .extend_from_slice(&batch.text.bytes()[line_start..]);
                batch.text.truncate(line_start);
                if !self.send(std::mem::replace(&mut batch, next)) {
                    return Ok(batch);
                }
                line_start = 0;
            }
        }
        if let Some(len) = skipped {
            // The input ended inside an over-long line.
            if let Some(empty) = self.fresh() {
                self.send(Batch {
                    too_long: Some(len),
                    ..empty
                });
            }
        } else if batch.text.len() > line_start {
            // A last line without a final newline is a line (see `wire::input`).
            batch.text.push(NEWLINE);
        }
        Ok(batch)
    }
}

fn parse_batches(
    work: &Mutex<Receiver<FromReader>>,
    done: &SyncSender<FromReader>,
    max_line: usize,
) {
    loop {
        // Hold the lock only to take one message.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let msg = match next {
            Ok(FromReader::Batch(mut batch)) => {
                batch.parse(max_line);
                FromReader::Batch(batch)
            }
            Ok(failed) => failed,
            Err(_) => return,
        };
        if done.send(msg).is_err() {
            return;
        }
    }
}

fn apply_in_order(
    done: Receiver<FromReader>,
    pool: SyncSender<Batch>,
    replay: &mut Replay,
    each: &mut impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
) -> io::Result<Option<InputError>> {
    let mut next = 0u64;
    let mut waiting: BTreeMap<u64, Batch> = BTreeMap::new();
    let mut failure = None;
    let mut result = Ok(());
    for msg in done {
        match msg {
            FromReader::Failed(name, error) => failure = Some((name, error)),
            FromReader::Batch(batch) => {
                waiting.insert(batch.seq, batch);
            }
        }
        while let Some(mut batch) = waiting.remove(&next) {
            if result.is_ok() {
                result = batch.apply(replay, &mut *each);
            }
            next += 1;
            batch.clear();
            // The pool has room for every batch; a closed pool means the reader
            // ended. After an error, batches are not recycled, so the reader soon
            // finds the pool empty and closed, and stops.
            if result.is_ok() {
                let _ = pool.try_send(batch);
            }
        }
        if result.is_err() {
            // Stop reading: dropping the receiver lets the other threads end.
            break;
        }
    }
    // Every batch before the error has been applied: the line count is exact.
    result.map(|()| {
        failure.map(|(name, source)| InputError::Read {
            name,
            line: replay.line(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::{Availability, Event};

    /// More agents than fit in the caches, so the applier fetches ahead: every
    /// verdict, the summary and the engine must be the single thread's.
    #[test]
    fn many_agents_replay_as_on_one_thread() {
        let log = mixed_log(Config {
            agents: 20_000,
            records: 60_000,
            seed: 9,
            faults: 0.1,
        });

        let mut single = Replay::default();
        let expected = report_on_one_thread(
            sources(std::slice::from_ref(&log)),
            usize::MAX,
            None,
            &mut single,
        );
        // Where the build has no prefetch instruction, the plain path is tested.
        assert!(single.engine().len() > 15_000);
        assert_eq!(single.engine().prefetches(), single.engine().can_prefetch());

        let mut parallel = Replay::default();
        let got = report_of_pipeline(
            sources(&[log]),
            usize::MAX,
            (2, batch_bytes(2)),
            None,
            &mut parallel,
        );
        assert_eq!(got.len(), expected.len());
        for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(got, expected, "line {}", i + 1);
        }
        assert_eq!(parallel.summary(), single.summary());
        assert_eq!(parallel.engine(), single.engine());
    }

    /// What [`mixed_log`] writes.
    #[derive(Debug, Clone, Copy)]
    struct Config {
        agents: u64,
        records: u64,
        seed: u64,
        /// The share of lines damaged: an unknown name, not JSON, or blank.
        faults: f64,
    }

    /// A log in the three shapes mixed per line, the same for a seed: events drawn
    /// at random (so records are accepted and rejected alike), times increasing.
    /// Made from the vocabulary alone: these tests may not call the simulator, a
    /// layer above (`tests/` replays simulated logs in parallel).
    fn mixed_log(config: Config) -> Vec<u8> {
        use std::io::Write;
        use strum::IntoEnumIterator;
        let events: Vec<Event> = Event::iter().collect();
        let mut seed = config.seed;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        let mut log = Vec::new();
        for i in 0..config.records {
            let agent = format!("agent-{:04}", next() % config.agents);
            let call = format!("call-{}", next() % 8);
            let time = 1_718_965_753_439 + i;
            let fault = ((next() % 1_000) as f64) < config.faults * 1_000.0;
            let name = match (fault, next() % 3) {
                (true, 0) => "Swapped",
                (true, 1) => {
                    log.extend_from_slice(b"{\"agent\": \"not json\n");
                    continue;
                }
                (true, _) => {
                    log.push(b'\n');
                    continue;
                }
                (false, _) => events[next() as usize % events.len()].name(),
            };
            let written = match next() % 3 {
                0 => writeln!(
                    log,
                    r#"{{"agent": "{agent}", "interaction": "{call}", "event": "{name}", "time": {time}}}"#
                ),
                1 => writeln!(
                    log,
                    r#"{{"channel": "Webexcc", "message": {{"call": {{"event": "{name}", "id": "{call}", "ResponseActual": {{"data": {{"agentId": "{agent}", "eventTime": {time}}}}}}}}}}}"#
                ),
                _ => writeln!(
                    log,
                    r#"{{"data": {{"type": "{name}", "agentId": "{agent}", "interactionId": "{call}", "eventTime": {time}}}}}"#
                ),
            };
            written.unwrap();
        }
        log
    }

    /// `input` cut at `cuts` (thousandths of its length), as the CLI takes several
    /// files.
    fn split(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut at: Vec<usize> = cuts.iter().map(|c| input.len() * c / 1_000).collect();
        at.sort_unstable();
        at.push(input.len());
        let mut start = 0;
        at.iter()
            .map(|&end| {
                let part = input[start..end].to_vec();
                start = end;
                part
            })
            .collect()
    }

    /// The inputs as sources named `log1`, `log2`, ….
    fn sources(inputs: &[Vec<u8>]) -> Vec<Source> {
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                let name = format!("log{}", i + 1);
                Source::from_reader(&name, std::io::Cursor::new(input.clone())).unwrap()
            })
            .collect()
    }

    /// Notes a verdict with the line count the callback sees, and the input and
    /// line there it maps to, as the CLI reports them; fails on the verdict
    /// numbered `fail_at`, as a write error would.
    fn note(
        out: &mut Vec<String>,
        replay: &Replay,
        v: Verdict,
        fail_at: Option<usize>,
    ) -> io::Result<()> {
        // The input and its own line too: where each input begins must agree.
        let at = replay.locate(replay.line());
        out.push(format!("{} {at:?}: {v:?}", replay.line()));
        match fail_at {
            Some(n) if out.len() == n => Err(io::Error::other("the output failed")),
            _ => Ok(()),
        }
    }

    /// The whole report: the verdicts, then how the replay ended.
    fn ending(mut out: Vec<String>, ended: io::Result<Option<InputError>>) -> Vec<String> {
        out.push(match ended {
            Ok(None) => "end".to_owned(),
            Ok(Some(e)) => e.to_string(),
            Err(e) => format!("each failed: {e}"),
        });
        out
    }

    /// What the CLI's single-threaded path reports.
    fn report_on_one_thread(
        sources: Vec<Source>,
        max_line: usize,
        fail_at: Option<usize>,
        replay: &mut Replay,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let ended = crate::replay::for_each_line(sources, max_line, replay, |r, line| {
            let verdict = r.feed(line);
            note(&mut out, r, verdict, fail_at)
        });
        ending(out, ended)
    }

    /// What the pipeline reports, in [`report_on_one_thread`]'s form.
    fn report_of_pipeline(
        sources: Vec<Source>,
        max_line: usize,
        (jobs, batch_bytes): (usize, usize),
        fail_at: Option<usize>,
        replay: &mut Replay,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let ended = replay_in_batches(sources, max_line, jobs, batch_bytes, replay, |r, v| {
            note(&mut out, r, v, fail_at)
        });
        ending(out, ended)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Any simulated log, damaged anyhow (bytes replaced, lines cut, long
        /// lines, an end without a newline, a gzip stream whole or cut short),
        /// split into one to three inputs and cut into batches of any size, with
        /// or without the output failing part-way: the pipeline reports exactly
        /// what one thread does, with the same line numbers, and ends in the same
        /// state.
        #[test]
        fn any_log_in_any_batches_replays_as_on_one_thread(
            seed in 0u64..1_000,
            edits in proptest::collection::vec((0usize..=1_000, proptest::sample::select(vec![
                &b"\n"[..], b"\r\n", b"\n\n", b"", b"\"", b"{", b"}", b"\\", b"\xff", b" ",
                b"x", b"\"time\":1e3", b"\"agent\":\"a\"",
            ])), 0..6),
            max_line in proptest::sample::select(vec![8usize, 60, 300, usize::MAX]),
            jobs in 1usize..4,
            batch_bytes in 1usize..200,
            cut in proptest::option::of((0usize..=1_000, 0usize..80)),
            gzip_cut in proptest::option::of(proptest::option::of(0usize..1_000)),
            splits in proptest::collection::vec(0usize..=1_000, 0..3),
            fail_at in proptest::option::of(1usize..40),
            idle in proptest::bool::ANY,
        ) {
            let initial = if idle { Availability::Idle } else { Availability::Ready };
            let mut log = mixed_log(Config {
                agents: 4,
                records: 30,
                seed,
                faults: 0.3,
            });
            // Positions in thousandths of the log's length.
            for (at, with) in edits {
                let at = log.len() * at / 1_000;
                let end = (at + 1).min(log.len());
                log.splice(at..end, with.iter().copied());
            }
            // Cut a few bytes past a line's end: a last line of any short length.
            if let Some((at, past)) = cut {
                let at = log.len() * at / 1_000;
                let end = memchr::memchr(b'\n', &log[at..]).map_or(at, |i| at + i + 1 + past);
                log.truncate(end);
            }
            let mut inputs = split(&log, &splits);
            // The last input compressed, whole or cut short (in thousandths of its
            // length), as `replay a.jsonl b.jsonl.gz` would read it.
            if let (Some(gzip_cut), Some(last)) = (gzip_cut, inputs.last_mut()) {
                use std::io::Write;
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(last).unwrap();
                *last = gz.finish().unwrap();
                if let Some(cut) = gzip_cut {
                    last.truncate((last.len() * cut / 1_000).max(10));
                }
            }
            let (mut single, mut parallel) = (Replay::new(initial), Replay::new(initial));
            let expected = report_on_one_thread(sources(&inputs), max_line, fail_at, &mut single);
            let got = report_of_pipeline(
                sources(&inputs),
                max_line,
                (jobs, batch_bytes),
                fail_at,
                &mut parallel,
            );
            proptest::prop_assert_eq!(got, expected);
            proptest::prop_assert_eq!(parallel.summary(), single.summary());
            proptest::prop_assert_eq!(parallel.engine(), single.engine());
        }
    }

    /// The output failing early in a log much longer than the batches: the reader
    /// is still reading when the applier stops, and must send nothing more.
    #[test]
    fn output_failing_early_stops_the_pipeline_where_one_thread_stops() {
        let log = mixed_log(Config {
            agents: 50,
            records: 5_000,
            seed: 3,
            faults: 0.1,
        });
        let inputs = split(&log, &[500]);
        for jobs in 1..=3 {
            for batch_bytes in [1, 7, 61, 200, 4096] {
                for fail_at in [1, 2, 5, 50] {
                    let (mut single, mut parallel) = (Replay::default(), Replay::default());
                    let expected =
                        report_on_one_thread(sources(&inputs), 300, Some(fail_at), &mut single);
                    let got = report_of_pipeline(
                        sources(&inputs),
                        300,
                        (jobs, batch_bytes),
                        Some(fail_at),
                        &mut parallel,
                    );
                    let case = format!("jobs {jobs}, batches of {batch_bytes}, fail at {fail_at}");
                    assert_eq!(got, expected, "{case}");
                    assert_eq!(parallel.summary(), single.summary(), "{case}");
                    assert_eq!(parallel.engine(), single.engine(), "{case}");
                }
            }
        }
    }

    /// An endless input: the output failing ends the replay.
    #[test]
    fn output_failing_ends_an_endless_replay() {
        for jobs in 1..=3 {
            for batch_bytes in [1, 64, 1 << 16] {
                let endless = Source::from_reader("endless", std::io::repeat(b'\n')).unwrap();
                let mut seen = 0;
                let ended = replay_in_batches(
                    vec![endless],
                    100,
                    jobs,
                    batch_bytes,
                    &mut Replay::default(),
                    |_, _| {
                        seen += 1;
                        match seen {
                            1_000 => Err(io::Error::other("the output failed")),
                            _ => Ok(()),
                        }
                    },
                );
                assert!(ended.is_err());
                assert_eq!(seen, 1_000);
            }
        }
    }

    #[test]
    fn batches_shrink_as_jobs_grow_within_bounds() {
        let sizes: Vec<usize> = [0, 1, 2, 3, 4, 8, 64, 10_000]
            .into_iter()
            .map(batch_bytes)
            .collect();
        let (kib, mib) = (1 << 10, 1 << 20);
        assert_eq!(sizes[..3], [mib, mib, mib]);
        assert_eq!(sizes[3], 2 * mib / 3);
        assert_eq!(sizes[4], 512 * kib);
        assert_eq!(sizes[5..], [256 * kib, 256 * kib, 256 * kib]);
    }
}
