//! What stops a member: at start (bad settings, a client that cannot be
//! created, topics that cannot be created) or while it runs (an output or a
//! checkpoint not delivered, a checkpoint it cannot use). Each is logged and
//! the process exits 2; after one, nothing more is committed.

use callstate::{Mode, SnapshotError};
use rdkafka::error::KafkaError;

/// Why `callstate consume` stops with exit code 2.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConsumeError {
    /// A `-X` argument without `=`.
    #[error("-X {0}: expected KEY=VALUE")]
    PropertyWithoutValue(String),
    /// librdkafka refused the configuration of a client.
    #[error("{client} client: {source}")]
    Client {
        client: &'static str,
        source: KafkaError,
    },
    /// The metadata of the input topic could not be read before a stop request.
    #[error("stopped while waiting for the broker ({0})")]
    StoppedWaitingForBroker(KafkaError),
    /// The request to create the state and output topics failed as a whole.
    #[error("could not create the topics: {0}")]
    CreateTopics(KafkaError),
    /// Subscribing to the input topic failed.
    #[error("could not subscribe to {topic}: {source}")]
    Subscribe { topic: String, source: KafkaError },
    /// The rebalance callback could not take the partitions it was given.
    #[error("could not take the assignment: {0}")]
    Assign(KafkaError),
    /// An output message could not be queued.
    #[error("could not produce an output: {0}")]
    Produce(KafkaError),
    /// A checkpoint part could not be queued.
    #[error("could not write a checkpoint: {0}")]
    WriteCheckpoint(KafkaError),
    /// An output or checkpoint part was not delivered since the start.
    #[error("a message was not delivered ({0}); nothing after the last checkpoint is committed")]
    NotDelivered(String),
    /// The state topic could not be read before a stop request.
    #[error("stopped while restoring: {0}")]
    StoppedWhileRestoring(KafkaError),
    /// A whole checkpoint that is not an engine snapshot.
    #[error("partition {partition}: a bad checkpoint: {source}")]
    BadCheckpoint {
        partition: i32,
        source: SnapshotError,
    },
    /// A checkpoint judged in the other mode.
    #[error(
        "partition {partition}: the checkpoint was judged in {mode:?} mode; a group \
         cannot change its mode (use a new group and state topic)"
    )]
    ModeChanged { partition: i32, mode: Mode },
}
