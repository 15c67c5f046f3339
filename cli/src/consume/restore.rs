//! Restoring partitions when they are assigned: the state topic read whole and
//! reassembled into checkpoints, each partition's engine taken from its latest
//! checkpoint (or a fresh one), and the offset it is read from.

use super::backoff::Backoff;
use super::checkpoint::{self, Checkpoint};
use super::clients;
use super::error::ConsumeError;
use super::log;
use super::partition::Partition;
use super::settings::Settings;
use super::worker::Worker;
use callstate::{Engine, Mode};
use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

impl Worker {
    /// Restores the partitions of `assigned` from their checkpoints, and sets
    /// the offset each is read from. On an error, sets `fatal`.
    pub fn restore(&mut self, assigned: &mut TopicPartitionList) {
        let settings = &self.settings;
        let wanted: Vec<i32> = assigned
            .elements_for_topic(&settings.topic)
            .iter()
            .map(|e| e.partition())
            .collect();
        if wanted.is_empty() {
            // An incremental assignment that adds nothing.
            return;
        }
        let mut backoff = Backoff::new();
        let mut assembler = loop {
            match read_state(settings) {
                Ok(assembler) => break assembler,
                Err(e) if self.stop.load(Ordering::Relaxed) => {
                    self.fatal = Some(ConsumeError::StoppedWhileRestoring(e));
                    return;
                }
                Err(e) => {
                    log!(
                        "could not read the state topic {}: {e}",
                        settings.state_topic
                    );
                    backoff.wait();
                }
            }
        };
        for p in wanted {
            let partition = match assembler.take(&settings.topic, p) {
                None => Partition::new(
                    timed(
                        Engine::starting(settings.initial).with_mode(settings.mode),
                        settings,
                    ),
                    -1,
                    0,
                ),
                Some(checkpoint) => match engine_of(&checkpoint, p, settings.mode) {
                    Err(e) => {
                        self.fatal = Some(e);
                        return;
                    }
                    Ok(engine) => {
                        let from = Offset::Offset(checkpoint.offset);
                        let _ = assigned.set_partition_offset(&settings.topic, p, from);
                        log!(
                            "partition {p}: restored {} agents from the checkpoint at offset {}",
                            engine.len(),
                            checkpoint.offset
                        );
                        let engine = timed(engine, settings);
                        Partition::new(engine, checkpoint.offset, 1 - checkpoint.slot)
                    }
                },
            };
            self.partitions.insert(p, partition);
        }
    }
}

/// `engine` with the time rules of the settings, or none: a checkpoint's
/// clock and stays are kept, its rules give way to the settings'.
fn timed(engine: Engine, settings: &Settings) -> Engine {
    match settings.time {
        Some(rules) => engine.with_time(rules),
        None => engine.without_time(),
    }
}

/// The engine of partition `p`'s `checkpoint`, which must have been judged
/// in `mode`.
fn engine_of(checkpoint: &Checkpoint, p: i32, mode: Mode) -> Result<Engine, ConsumeError> {
    let engine = Engine::from_snapshot_json(&checkpoint.json).map_err(|source| {
        ConsumeError::BadCheckpoint {
            partition: p,
            source,
        }
    })?;
    if engine.mode() != mode {
        return Err(ConsumeError::ModeChanged {
            partition: p,
            mode: engine.mode(),
        });
    }
    Ok(engine)
}

/// Reads the whole state topic and reassembles its checkpoints.
fn read_state(settings: &Settings) -> Result<checkpoint::Assembler, KafkaError> {
    let reader = clients::restore_reader(settings)?;
    let state_topic = settings.state_topic.as_str();
    let timeout = Duration::from_secs(10);
    let metadata = reader.fetch_metadata(Some(state_topic), timeout)?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == state_topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    let mut tpl = TopicPartitionList::new();
    let mut ends = HashMap::new();
    for p in partitions {
        let (low, high) = reader.fetch_watermarks(state_topic, p, timeout)?;
        if high > low {
            tpl.add_partition_offset(state_topic, p, Offset::Beginning)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(json: String) -> Checkpoint {
        Checkpoint {
            offset: 5,
            slot: 0,
            json,
        }
    }

    #[test]
    fn a_checkpoint_is_refused_in_the_other_mode_or_unreadable() {
        let strict = Engine::new().with_mode(Mode::Strict).to_snapshot_json();
        let restored = engine_of(&checkpoint(strict.clone()), 3, Mode::Strict);
        assert!(restored.is_ok_and(|e| e.mode() == Mode::Strict));
        let err = engine_of(&checkpoint(strict), 3, Mode::Resync).unwrap_err();
        assert!(
            matches!(
                err,
                ConsumeError::ModeChanged {
                    partition: 3,
                    mode: Mode::Strict
                }
            ),
            "{err}"
        );
        let err = engine_of(&checkpoint("{".into()), 4, Mode::Resync).unwrap_err();
        assert!(
            matches!(err, ConsumeError::BadCheckpoint { partition: 4, .. }),
            "{err}"
        );
    }
}
