//! The counts of what a member judged, and the stats line it logs.

use super::log;
use super::partition::MessageVerdict;
use super::rebalance::MemberContext;
use super::worker::Worker;
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::time::{Duration, Instant};

/// Counts for the stats line.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stats {
    pub records: u64,
    pub blank: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub repaired: u64,
    pub inferred: u64,
    pub unknown: u64,
    pub malformed: u64,
    pub key_mismatch: u64,
    /// Findings (with time rules).
    pub findings: u64,
    /// Messages already in a restored state (the committed offset lagged the checkpoint).
    pub skipped: u64,
    pub checkpoints: u64,
    /// Time spent checkpointing (flushes and commits included).
    pub checkpoint_time: Duration,
}

impl Stats {
    /// Counts one judged message.
    pub fn count(&mut self, verdict: MessageVerdict) {
        match verdict {
            MessageVerdict::Blank => self.blank += 1,
            MessageVerdict::Accepted => self.accepted += 1,
            MessageVerdict::Rejected { inferred } => {
                self.rejected += 1;
                if let Some(n) = inferred {
                    self.repaired += 1;
                    self.inferred += n as u64;
                }
            }
            MessageVerdict::Unknown => self.unknown += 1,
            MessageVerdict::Malformed => self.malformed += 1,
        }
        if verdict != MessageVerdict::Blank {
            self.records += 1;
        }
    }
}

/// Where the last stats line was: when, and the records counted then.
#[derive(Debug, Clone, Copy)]
pub(super) struct LastLine {
    at: Instant,
    records: u64,
}

impl LastLine {
    pub fn now() -> LastLine {
        LastLine {
            at: Instant::now(),
            records: 0,
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.at.elapsed()
    }
}

/// Logs the stats line: the counts, the rate since `last`, the lag.
pub(super) fn log_line(
    consumer: &BaseConsumer<MemberContext>,
    worker: &Worker,
    last: LastLine,
) -> LastLine {
    let stats = &worker.stats;
    let secs = last.at.elapsed().as_secs_f64().max(1e-3);
    let rate = (stats.records - last.records) as f64 / secs;
    let lag: i64 = worker
        .partitions
        .iter()
        .filter_map(|(p, partition)| {
            let (low, high) = consumer
                .fetch_watermarks(&worker.settings.topic, *p, Duration::from_secs(1))
                .ok()?;
            let next = if partition.next >= 0 {
                partition.next
            } else {
                low
            };
            Some((high - next).max(0))
        })
        .sum();
    let agents: usize = worker
        .partitions
        .values()
        .map(|p| p.replay.engine().len())
        .sum();
    log!(
        "{} records ({rate:.0}/s), lag {lag}, {} partitions, {agents} agents; accepted {}, \
         rejected {} (repaired {}, {} inferred events), unknown {}, malformed {}; \
         key mismatches {}, checkpoints {} ({:.1} ms each){}",
        stats.records,
        worker.partitions.len(),
        stats.accepted,
        stats.rejected,
        stats.repaired,
        stats.inferred,
        stats.unknown,
        stats.malformed,
        stats.key_mismatch,
        stats.checkpoints,
        stats.checkpoint_time.as_secs_f64() * 1e3 / stats.checkpoints.max(1) as f64,
        match worker.settings.time {
            Some(_) => format!("; findings {}", stats.findings),
            None => String::new(),
        }
    );
    LastLine {
        at: Instant::now(),
        records: stats.records,
    }
}
