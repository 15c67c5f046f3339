//! The consumer's context: the worker, and the rebalance callback that
//! restores the partitions a member is given and checkpoints the ones it
//! gives up.

use super::clients::ErrorLog;
use super::error::ConsumeError;
use super::worker::Worker;
use super::{lock, log};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, TopicPartitionList};
use std::sync::Mutex;

/// The consumer's context. librdkafka serves the rebalance callback inside
/// `poll`, on the loop's thread, so the callback and the loop share the worker
/// through an uncontended mutex.
pub(super) struct MemberContext {
    pub worker: Mutex<Worker>,
    pub errors: ErrorLog,
}

impl ClientContext for MemberContext {
    fn error(&self, error: KafkaError, reason: &str) {
        self.errors.note(&error, reason);
    }
}

impl ConsumerContext for MemberContext {
    /// Under the eager protocol (librdkafka's default), `partitions` is the
    /// member's whole new assignment, or all it held on a revoke; under the
    /// cooperative one (`partition.assignment.strategy=cooperative-sticky`),
    /// only the partitions added or taken away, while the others are read on.
    /// Either way the worker restores exactly the partitions given and
    /// checkpoints exactly the ones taken away; only the call that hands the
    /// change to librdkafka differs, as in rust-rdkafka's default callback.
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        partitions: &mut TopicPartitionList,
    ) {
        let mut worker = lock(&self.worker);
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        let numbers: Vec<i32> = partitions
            .elements()
            .iter()
            .map(|e| e.partition())
            .collect();
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                worker.restore(partitions);
                let taken = if cooperative {
                    // A cooperative rebalance often adds nothing here.
                    if !numbers.is_empty() {
                        log!("assigned partitions {numbers:?} (incremental)");
                    }
                    consumer.incremental_assign(partitions)
                } else {
                    log!("assigned partitions {numbers:?}");
                    consumer.assign(partitions)
                };
                if let Err(e) = taken {
                    worker.fatal = Some(ConsumeError::Assign(e));
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                // A lost assignment (the session expired) may already be someone
                // else's. Without --idle-after its checkpoint would be stale but
                // still correct (replay is deterministic: same offset, same
                // state), so it is written all the same. With it, an idle clock
                // moves at the same offset, and this member's older clock could
                // win over the new owner's checkpoint: it is not written.
                if consumer.assignment_lost() && worker.settings.idle_after.is_some() {
                    log!("assignment lost: partitions {numbers:?} not checkpointed");
                } else {
                    worker.checkpoint(consumer, |p| numbers.contains(&p));
                }
                for p in &numbers {
                    worker.partitions.remove(p);
                }
                let given_up = if cooperative {
                    log!("revoked partitions {numbers:?} (incremental)");
                    consumer.incremental_unassign(partitions)
                } else {
                    log!("revoked partitions {numbers:?}");
                    consumer.unassign()
                };
                if let Err(e) = given_up {
                    log!("could not give up the assignment: {e}");
                }
            }
            other => {
                log!("rebalance error: {other:?}");
                worker.checkpoint(consumer, |_| true);
                worker.partitions.clear();
                let _ = if cooperative {
                    consumer
                        .assignment()
                        .and_then(|held| consumer.incremental_unassign(&held))
                } else {
                    consumer.unassign()
                };
            }
        }
    }
}
