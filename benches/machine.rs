//! Machine step and engine apply, each against a baseline measured in the same run.
//!
//! - `step/table` is `Machine::step` over a realistic call (offer, answer, record,
//!   hold, consult, conference, end, wrap-up, availability changes, DROPPED);
//!   `step/match` is the same machine with the table written by hand as a `match`,
//!   doing the same checks and interaction bookkeeping (the id held inline and
//!   compared the same way) and reporting the same change (the state before and
//!   after). `step/match_accept_only` looks only at whether
//!   the hand-written machine accepted, which lets the optimizer drop the change.
//! - `engine/{1k,10k,30k,100k}_agents` applies records one `Engine::apply` at a
//!   time to that many agents with UUID ids, each pass visiting them in one fixed
//!   shuffled order; `…_apply_all` gives the same records to `Engine::apply_all`
//!   in batches of 1,024, which fetches agents' memory ahead once the table
//!   outgrows the caches.
//! - `engine/100k_memory_only_{104,64}B` is the baseline for the 100k figure: the
//!   table's memory traffic and little else, on a table laid out like the
//!   engine's (one tag byte per slot, then entries of 104 bytes, the engine's size,
//!   or of one 64-byte cache line), looked up with the same two-stage look-ahead,
//!   with `u64` keys where the engine hashes and compares 36-byte ids; each lookup
//!   reads every word of its entry and writes the last. It tells what 100k agents'
//!   table costs on this machine before the engine's work, and what a smaller entry
//!   would save. (It does not stream ids and records as `apply_all` does.)

use callstate::{Availability, Event, Machine, Phase, Recording, Role, Status};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

#[path = "support/ids.rs"]
mod ids;
use ids::{mix, shuffle, uuid_like};

#[path = "support/workload.rs"]
mod workload;
use workload::{engine_past_one_call, record, CALL};

const INTERACTION: &str = "1191fe75-f6ab-413a-8275-2be7e7669a97";

/// An interaction id as the baseline holds it: inline, as `Machine` does (a UUID
/// fits), so that neither side pays an allocation per call the other does not.
#[derive(Clone, Copy)]
struct Held {
    len: usize,
    bytes: [u8; 38],
}

impl Held {
    /// `None` for ids too long to hold inline: the benchmark has none.
    fn new(id: &str) -> Option<Held> {
        let mut bytes = [0; 38];
        bytes.get_mut(..id.len())?.copy_from_slice(id.as_bytes());
        Some(Held {
            len: id.len(),
            bytes,
        })
    }

    /// Compared as `Machine` compares ids: two overlapping 32-byte compares for
    /// ids of 33 to 38 bytes, a slice compare otherwise.
    fn is(&self, id: &str) -> bool {
        let (a, b) = (&self.bytes[..self.len.min(38)], id.as_bytes());
        match a.len() {
            len if len != b.len() => false,
            33..=38 => {
                a.first_chunk::<32>() == b.first_chunk::<32>()
                    && a.last_chunk::<32>() == b.last_chunk::<32>()
            }
            _ => a == b,
        }
    }
}

/// The baseline: the same machine, its table hand-written as a `match`.
struct HandMachine {
    interaction: Option<Held>,
    last_time: Option<i64>,
    phase: Phase,
    recording: Recording,
    availability: Availability,
}

impl HandMachine {
    fn new() -> Self {
        HandMachine {
            interaction: None,
            last_time: None,
            phase: Phase::Ready,
            recording: Recording::Off,
            availability: Availability::Ready,
        }
    }

    fn status(&self) -> Status {
        Status {
            phase: self.phase,
            // The owner's rows alone: the hand-written baseline has no consulted agent.
            role: Role::Owner,
            recording: self.recording,
            availability: self.availability,
        }
    }

    /// Same checks as `Machine::step`, reporting the same change (the state before
    /// and after); rejections are reduced to `None`. Inlined, as `Machine::step` is.
    #[inline(always)]
    fn step(
        &mut self,
        event: Event,
        interaction: Option<&str>,
        time: Option<i64>,
    ) -> Option<(Status, Status)> {
        let from = self.status();
        use Event as E;
        use Phase as P;
        if interaction == Some("") || (event.offers_call() && interaction.is_none()) {
            return None;
        }
        if let (Some(t), Some(last)) = (time, self.last_time) {
            if t < last {
                return None;
            }
        }
        let has_call = self.phase.has_call();
        if let (Some(x), Some(h)) = (interaction, &self.interaction) {
            if !h.is(x) && !event.is_availability() {
                return None;
            }
        }
        let live = self.phase.is_live();
        let rec = self.recording;
        let terminate = |m: &mut Self, a: Availability| {
            m.availability = a;
            m.phase = a.phase();
            m.recording = Recording::Off;
            m.interaction = None;
        };
        match (self.phase, event) {
            (P::Idle | P::Ready, E::AgentAvailable) => {
                self.phase = P::Ready;
                self.availability = Availability::Ready;
            }
            (P::Idle | P::Ready, E::AgentIdle) => {
                self.phase = P::Idle;
                self.availability = Availability::Idle;
            }
            (_, E::AgentAvailable) if has_call => self.availability = Availability::Ready,
            (_, E::AgentIdle) if has_call => self.availability = Availability::Idle,
            (P::Ready, E::OfferCampaignReserved) => {
                self.phase = P::Reserved;
                self.interaction = interaction.and_then(Held::new);
            }
            (P::Ready, E::OfferContact) => {
                self.phase = P::Offered;
                self.interaction = interaction.and_then(Held::new);
            }
            (P::Reserved, E::OfferContact) => self.phase = P::Offered,
            (P::Reserved | P::Offered, E::OfferContactRona) => terminate(self, Availability::Idle),
            (P::Reserved, E::ContactEnded) => terminate(self, self.availability),
            (P::Offered, E::CustAnswered) => self.phase = P::Connected,
            (_, E::RecordingStarted) if live && rec == Recording::Off => {
                self.recording = Recording::On
            }
            (_, E::PauseRecording) if live && rec == Recording::On => {
                self.recording = Recording::Paused
            }
            (_, E::ResumeRecording) if live && rec == Recording::Paused => {
                self.recording = Recording::On
            }
            (P::Connected, E::ContactHeld) => self.phase = P::Hold,
            (P::Hold, E::ContactUnHeld) => self.phase = P::Connected,
            (P::Connected | P::Hold, E::ConsultCreated) => self.phase = P::Consulting,
            (P::Consulting, E::Consulting) => self.phase = P::Consult,
            (P::Consulting, E::ConsultFailed) => self.phase = P::Hold,
            (P::Consulting | P::Consult, E::ConsultEnded) => self.phase = P::Hold,
            (P::Consult, E::ConsultConferenced) => self.phase = P::Conference,
            (P::Conference, E::ConsultEnded | E::ConsultConferenceEnded) => {
                self.phase = P::Connected
            }
            (P::Offered, E::ContactEnded) => self.phase = P::Ended,
            (_, E::ContactEnded) if live => self.phase = P::Ended,
            (P::Ended, E::Acw) => self.phase = P::WrapUp,
            (P::WrapUp, E::ContactWrappedUp) => terminate(self, self.availability),
            (_, E::Dropped) if has_call => terminate(self, self.availability),
            _ => return None,
        }
        if time.is_some() {
            self.last_time = time;
        }
        Some((from, self.status()))
    }
}

/// Feeds one call's events to `step`, with increasing times from `clock`
/// (continuing across calls, so no time is out of order). As in Webex logs, every
/// event of the call names its interaction; the availability changes before the
/// offer name none.
#[inline(always)]
fn call<R>(clock: &mut i64, mut step: impl FnMut(Event, Option<&str>, Option<i64>) -> R) {
    for &e in CALL {
        *clock += 1;
        let interaction = (!e.is_availability()).then_some(INTERACTION);
        step(black_box(e), interaction, Some(*clock));
    }
}

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(CALL.len() as u64));
    group.bench_function("table", |b| {
        let (mut m, mut clock) = (Machine::new(), 0);
        b.iter(|| {
            call(&mut clock, |e, interaction, t| {
                let change = m.step(e, interaction, t).map(|t| (t.from(), t.to()));
                black_box(change.is_ok());
            })
        })
    });
    group.bench_function("match", |b| {
        let (mut m, mut clock) = (HandMachine::new(), 0);
        b.iter(|| call(&mut clock, |e, i, t| black_box(m.step(e, i, t)).is_some()))
    });
    // The same hand-written machine when only accept/reject is looked at: the
    // optimizer may then skip building the change.
    group.bench_function("match_accept_only", |b| {
        let (mut m, mut clock) = (HandMachine::new(), 0);
        b.iter(|| call(&mut clock, |e, i, t| black_box(m.step(e, i, t).is_some())))
    });
    group.finish();
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    // 1,000 and 10,000 agents fit in cache: the engine's own cost. From 30,000 on
    // they do not: what a large contact center costs, bound by memory latency.
    for agents in [1_000, 10_000, 30_000, 100_000] {
        // Webex agent ids are UUIDs, and a log interleaves agents in no particular
        // order: each pass visits them in one fixed shuffled order. The inputs are
        // laid out in visiting order, as a log's lines are.
        let mut order: Vec<usize> = (0..agents).collect();
        shuffle(&mut order);
        let ids: Vec<String> = order.iter().map(|&i| uuid_like(i)).collect();
        let calls: Vec<String> = order.iter().map(|&i| uuid_like(i + agents)).collect();
        group.throughput(Throughput::Elements(agents as u64));
        let (mut engine, mut step) = engine_past_one_call(&ids, &calls);
        let mut rejected = 0usize;
        group.bench_function(format!("{}k_agents", agents / 1000), |b| {
            b.iter(|| {
                // Every agent takes the next step of the call.
                let event = CALL[step % CALL.len()];
                step += 1;
                for (agent, call) in ids.iter().zip(&calls) {
                    let accepted = engine.apply(&record(agent, call, event, step)).is_ok();
                    rejected += usize::from(!black_box(accepted));
                }
            })
        });
        assert_eq!(rejected, 0, "every timed step is an accepted one");
        drop(engine);
        let (mut engine, mut step) = engine_past_one_call(&ids, &calls);
        let mut records = Vec::with_capacity(BATCH);
        group.bench_function(format!("{}k_agents_apply_all", agents / 1000), |b| {
            b.iter(|| {
                let event = CALL[step % CALL.len()];
                step += 1;
                // In batches, as a caller that receives events in batches would.
                for (ids, calls) in ids.chunks(BATCH).zip(calls.chunks(BATCH)) {
                    records.clear();
                    records.extend(
                        ids.iter()
                            .zip(calls)
                            .map(|(agent, call)| record(agent, call, event, step)),
                    );
                    engine.apply_all(&records, |_, result| {
                        rejected += usize::from(!black_box(result.is_ok()));
                    });
                }
            })
        });
        assert_eq!(rejected, 0, "every timed step is an accepted one");
    }
    memory_only::<Entry104>(&mut group, "100k_memory_only_104B");
    memory_only::<Entry64>(&mut group, "100k_memory_only_64B");
    group.finish();
}

/// The memory-only baseline: 100k keys in a table shaped like `src/agents.rs`
/// (tags 32 records ahead, entries 16 ahead, as `engine::Lookahead` does), each
/// lookup comparing the key, reading every word of its entry and writing the last.
fn memory_only<E: Entry>(group: &mut criterion::BenchmarkGroup<'_, WallTime>, name: &str) {
    const AGENTS: usize = 100_000;
    let mut table = Table::<E>::new(AGENTS);
    let mut keys: Vec<u64> = (0..AGENTS as u64).map(|k| mix(k + 1)).collect();
    for &key in &keys {
        table.insert(key);
    }
    shuffle(&mut keys);
    group.throughput(Throughput::Elements(AGENTS as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            for batch in keys.chunks(BATCH) {
                black_box(table.visit_all(batch));
            }
        })
    });
}

/// A 104-byte entry, the size of the engine's (agent id and machine, inline).
#[derive(Clone, Default)]
struct Entry104([u64; 13]);

/// A 64-byte entry, one cache line.
#[derive(Clone, Default)]
#[repr(align(64))]
struct Entry64([u64; 8]);

const _: () = assert!(std::mem::size_of::<Entry104>() == 104);
const _: () = assert!(std::mem::size_of::<Entry64>() == 64);

trait Entry: Clone + Default {
    fn words(&self) -> &[u64];
    fn words_mut(&mut self) -> &mut [u64];
}

impl Entry for Entry104 {
    fn words(&self) -> &[u64] {
        &self.0
    }
    fn words_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }
}

impl Entry for Entry64 {
    fn words(&self) -> &[u64] {
        &self.0
    }
    fn words_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }
}

const EMPTY: u8 = 0x80;

/// Linear probing over one tag byte per slot, a key in each entry's first word.
struct Table<E> {
    tags: Vec<u8>,
    entries: Vec<E>,
}

impl<E: Entry> Table<E> {
    /// Sized as the engine's table is for `n` agents: the smallest power of two
    /// (at least 16) that holds them at most 7/8 full.
    fn new(n: usize) -> Self {
        let slots = (n * 8).div_ceil(7).next_power_of_two().max(16);
        Table {
            tags: vec![EMPTY; slots],
            entries: vec![E::default(); slots],
        }
    }

    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.tags.len() - 1)
    }

    fn insert(&mut self, key: u64) {
        let hash = mix(key);
        let mut at = self.home(hash);
        while self.tags[at] != EMPTY {
            at = (at + 1) & (self.tags.len() - 1);
        }
        self.tags[at] = (hash >> 57) as u8;
        self.entries[at].words_mut()[0] = key;
    }

    /// The first slot from `hash`'s home whose tag matches, keys not compared.
    fn guess(&self, hash: u64) -> Option<usize> {
        let mut at = self.home(hash);
        loop {
            match self.tags[at] {
                EMPTY => return None,
                t if t == (hash >> 57) as u8 => return Some(at),
                _ => at = (at + 1) & (self.tags.len() - 1),
            }
        }
    }

    /// The slot holding `key`, which was inserted.
    fn find(&self, key: u64, hash: u64) -> usize {
        let mut at = self.home(hash);
        loop {
            match self.tags[at] {
                EMPTY => panic!("key {key:#x} was never inserted"),
                t if t == (hash >> 57) as u8 && self.entries[at].words()[0] == key => return at,
                _ => at = (at + 1) & (self.tags.len() - 1),
            }
        }
    }

    fn prefetch_tags(&self, hash: u64) {
        prefetch_lines(&self.tags[self.home(hash)]);
    }

    fn prefetch_entry(&self, hash: u64) {
        if let Some(at) = self.guess(hash) {
            prefetch_lines(&self.entries[at]);
        }
    }

    /// Looks every key up in order, fetching ahead as `engine::Lookahead` does
    /// (each key hashed once, the hash kept in a ring); reads every word of each
    /// entry and writes its last.
    fn visit_all(&mut self, keys: &[u64]) -> u64 {
        const AHEAD: usize = 16;
        const RING: usize = 2 * AHEAD;
        let mut ring = [0u64; RING];
        for (slot, &key) in ring.iter_mut().zip(keys) {
            *slot = mix(key);
            self.prefetch_tags(*slot);
        }
        for &hash in ring.iter().take(keys.len().min(AHEAD)) {
            self.prefetch_entry(hash);
        }
        let mut sum = 0u64;
        for (i, &key) in keys.iter().enumerate() {
            let hash = ring[i % RING];
            if let Some(&far) = keys.get(i + RING) {
                ring[i % RING] = mix(far);
                self.prefetch_tags(ring[i % RING]);
            }
            if i + AHEAD < keys.len() {
                self.prefetch_entry(ring[(i + AHEAD) % RING]);
            }
            let at = self.find(key, hash);
            let entry = self.entries[at].words_mut();
            sum = entry.iter().fold(sum, |a, w| a.wrapping_add(*w));
            if let Some(last) = entry.last_mut() {
                *last = last.wrapping_add(1);
            }
        }
        sum
    }
}

/// Asks the CPU to bring every cache line of `value` into cache, as the engine's
/// table does (`src/agents.rs`).
#[inline(always)]
fn prefetch_lines<T>(value: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = std::ptr::from_ref(value).cast::<i8>();
        let first = start.wrapping_sub(start as usize % 64);
        for offset in (0..start as usize % 64 + std::mem::size_of::<T>()).step_by(64) {
            // SAFETY: a prefetch never faults, whatever the address, and has no
            // effect but on timing; `sse` is enabled by the cfg above.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first.wrapping_add(offset)) }
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = value;
}

/// Records per `apply_all` call in the batched benchmark.
const BATCH: usize = 1024;

criterion_group!(benches, step, engine);
criterion_main!(benches);
