//! The consumer's context: the worker, and the rebalance callback that
//! restores the partitions a member is given and checkpoints the ones it
//! gives up.

use super::clients::ErrorLog;
use super::error::ConsumeError;
use super::worker::Worker;
use super::{lock, log};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
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
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        partitions: &mut TopicPartitionList,
    ) {
        let mut worker = lock(&self.worker);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                worker.restore(partitions);
                let got: Vec<i32> = partitions
                    .elements()
                    .iter()
                    .map(|e| e.partition())
                    .collect();
                log!("assigned partitions {got:?}");
                if let Err(e) = consumer.assign(partitions) {
                    worker.fatal = Some(ConsumeError::Assign(e));
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let gone: Vec<i32> = partitions
                    .elements()
                    .iter()
                    .map(|e| e.partition())
                    .collect();
                // A lost assignment (the session expired) may already be someone
                // else's: its checkpoint would be stale but still correct
                // (replay is deterministic), so it is written all the same.
                worker.checkpoint(consumer, |p| gone.contains(&p));
                for p in &gone {
                    worker.partitions.remove(p);
                }
                log!("revoked partitions {gone:?}");
                if let Err(e) = consumer.unassign() {
                    log!("could not give up the assignment: {e}");
                }
            }
            other => {
                log!("rebalance error: {other:?}");
                worker.checkpoint(consumer, |_| true);
                worker.partitions.clear();
                let _ = consumer.unassign();
            }
        }
    }
}
