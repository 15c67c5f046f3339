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
//! - The **reader** packs whole lines into batches taken from a fixed pool, so at
//!   most `pool` batches exist at once: memory is bounded whatever the log's length.
//! - **Parsers** turn each line into a compact owned record (ids copied into the
//!   batch's arena, no allocation per record) or a `malformed` rejection.
//! - The **applier** takes batches back in sequence and feeds them to one
//!   [`Replay`] exactly as the single-threaded path would, so every agent's records
//!   are applied in input order and the report is byte-identical to a
//!   single-threaded run's.
//!
//! Sharding the engine by agent id would parallelize only the cheap part and would
//! need a merge to restore the report's line order; keeping one applier gives the
//! same per-agent ordering with none of that.

use crate::engine::{EventName, Record};
use crate::input::{InputError, Line, LineReader, Source};
use crate::rejection::Rejection;
use crate::replay::{parse_line, Parsed, Replay, Verdict};
use crate::vocabulary::Event;
use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;

/// Lines per batch: big enough to amortize channel traffic, small enough to keep
/// every thread busy near the end of the input.
const BATCH_LINES: usize = 2048;
/// Bytes per batch, whichever limit comes first.
const BATCH_BYTES: usize = 256 << 10;

/// How a line of a batch is stored.
#[derive(Debug, Clone)]
enum Slot {
    Text(Range<usize>),
    TooLong(u64),
}

/// Lines read, then parsed, then applied; recycled through the pool.
#[derive(Debug, Default)]
struct Batch {
    seq: u64,
    text: Vec<u8>,
    lines: Vec<Slot>,
    parsed: Vec<Item>,
    arena: String,
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
    },
    Invalid(Box<Rejection>),
}

#[derive(Debug)]
enum ItemEvent {
    Known(Event),
    Unknown(Range<usize>),
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
        self.parsed.clear();
        self.arena.clear();
    }

    fn is_full(&self) -> bool {
        self.lines.len() >= BATCH_LINES || self.text.len() >= BATCH_BYTES
    }

    fn push(&mut self, line: Line<'_>) {
        match line {
            Line::Text(bytes) => {
                let start = self.text.len();
                self.text.extend_from_slice(bytes);
                self.lines.push(Slot::Text(start..self.text.len()));
            }
            Line::TooLong(len) => self.lines.push(Slot::TooLong(len)),
        }
    }

    fn parse(&mut self) {
        let Batch {
            text,
            lines,
            parsed,
            arena,
            ..
        } = self;
        for slot in lines.iter() {
            let line = match slot {
                Slot::Text(r) => Line::Text(&text[r.clone()]),
                Slot::TooLong(len) => Line::TooLong(*len),
            };
            parsed.push(parse_line(line, |p| Item::store(p, arena)));
        }
    }

    fn apply(&mut self, replay: &mut Replay, mut each: impl FnMut(&mut Replay, Verdict)) {
        let Batch { parsed, arena, .. } = self;
        for item in parsed.drain(..) {
            let parsed = match item {
                Item::Blank => Parsed::Blank,
                Item::Invalid(r) => Parsed::Invalid(*r),
                Item::Record {
                    agent,
                    event,
                    interaction,
                    time,
                } => Parsed::Record(Record {
                    agent: &arena[agent],
                    event: match event {
                        ItemEvent::Known(e) => EventName::Known(e),
                        ItemEvent::Unknown(r) => EventName::Unknown(&arena[r]),
                    },
                    interaction: interaction.map(|r| &arena[r]),
                    time,
                }),
            };
            let verdict = replay.feed_parsed(parsed);
            each(replay, verdict);
        }
    }
}

impl Item {
    fn store(parsed: Parsed<'_>, arena: &mut String) -> Item {
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
                    EventName::Known(e) => ItemEvent::Known(e),
                    EventName::Unknown(name) => ItemEvent::Unknown(keep(name)),
                },
                interaction: r.interaction.map(keep),
                time: r.time,
            },
        }
    }
}

/// What the reader thread sends: a batch, or the read error that ended the input.
enum Read {
    Batch(Batch),
    Failed(InputError),
}

/// Replays `sources` with `jobs` parser threads, calling `each` with every verdict
/// in input order. Returns the read error that cut the input short, if any.
///
/// `jobs` of 0 or 1 still runs the pipeline with one parser thread; callers that
/// want no threads at all use [`Replay::feed`] directly.
pub fn replay(
    sources: Vec<Source>,
    max_line: usize,
    jobs: usize,
    replay: &mut Replay,
    mut each: impl FnMut(&mut Replay, Verdict) -> io::Result<()>,
) -> io::Result<Option<InputError>> {
    let jobs = jobs.max(1);
    let pool_size = 3 * jobs + 1;
    let (pool_tx, pool_rx) = sync_channel::<Batch>(pool_size);
    for _ in 0..pool_size {
        // The channel holds exactly the pool: this cannot block or fail.
        let _ = pool_tx.send(Batch::default());
    }
    let (work_tx, work_rx) = sync_channel::<Read>(pool_size);
    let (done_tx, done_rx) = sync_channel::<Read>(pool_size);
    let work_rx = Arc::new(Mutex::new(work_rx));

    thread::scope(|scope| {
        scope.spawn(move || read_batches(sources, max_line, pool_rx, work_tx));
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || parse_batches(&work_rx, &done_tx));
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
    pool: Receiver<Batch>,
    work: SyncSender<Read>,
) {
    let mut seq = 0;
    let mut lines_read = 0u64;
    let Ok(mut batch) = pool.recv() else { return };
    for source in sources {
        let name = source.name().to_owned();
        let mut reader = LineReader::new(source.into_reader(), max_line);
        loop {
            match reader.next_line() {
                Ok(Some(line)) => {
                    batch.push(line);
                    lines_read += 1;
                }
                Ok(None) => break,
                Err(source) => {
                    let error = InputError::Read {
                        name,
                        line: lines_read,
                        source,
                    };
                    batch.seq = seq;
                    let _ = work.send(Read::Batch(batch));
                    let _ = work.send(Read::Failed(error));
                    return;
                }
            }
            if batch.is_full() {
                batch.seq = seq;
                seq += 1;
                if work.send(Read::Batch(batch)).is_err() {
                    return;
                }
                batch = match pool.recv() {
                    Ok(b) => b,
                    Err(_) => return,
                };
            }
        }
    }
    batch.seq = seq;
    let _ = work.send(Read::Batch(batch));
}

fn parse_batches(work: &Mutex<Receiver<Read>>, done: &SyncSender<Read>) {
    loop {
        // Hold the lock only to take one message.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let msg = match next {
            Ok(Read::Batch(mut batch)) => {
                batch.parse();
                Read::Batch(batch)
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
    done: Receiver<Read>,
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
            Read::Failed(e) => failure = Some(e),
            Read::Batch(batch) => {
                waiting.insert(batch.seq, batch);
            }
        }
        while let Some(mut batch) = waiting.remove(&next) {
            if result.is_ok() {
                batch.apply(replay, |r, v| {
                    if result.is_ok() {
                        result = each(r, v);
                    }
                });
            }
            next += 1;
            batch.clear();
            // The pool has room for every batch; a closed pool means the reader ended.
            let _ = pool.try_send(batch);
        }
        if result.is_err() {
            // Stop reading: dropping the receiver lets the other threads end.
            break;
        }
    }
    result.map(|()| failure)
}
