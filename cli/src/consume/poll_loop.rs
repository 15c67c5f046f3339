//! A member's life: settings, signals, topics and clients; then the poll loop,
//! which judges each message and checkpoints when due; then, on a stop
//! request, a last checkpoint before leaving the group.

use super::clients;
use super::error::ConsumeError;
use super::rebalance::MemberContext;
use super::settings::{ConsumeArgs, Settings};
use super::stats::{self, LastLine};
use super::worker::Worker;
use super::{lock, log};
use crate::{EXIT_ERROR, EXIT_OK};
use callstate::Mode;
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs `callstate consume`; returns the exit code.
pub(crate) fn run(args: &ConsumeArgs) -> io::Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        // A second signal ends the process at once.
        signal_hook::flag::register_conditional_shutdown(signal, 2, Arc::clone(&stop))?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let consumer = match join(args, &stop) {
        Ok(consumer) => consumer,
        Err(e) => {
            log!("{e}");
            return Ok(EXIT_ERROR);
        }
    };
    let (code, last_stats) = poll_until_stopped(&consumer, &stop);
    Ok(leave(consumer, code, last_stats))
}

/// Reads the settings, creates the topics and the clients, and subscribes.
fn join(
    args: &ConsumeArgs,
    stop: &Arc<AtomicBool>,
) -> Result<BaseConsumer<MemberContext>, ConsumeError> {
    let settings = Settings::from_args(args)?;
    clients::create_topics(&settings, stop)?;
    let producer = clients::producer(&settings)?;
    let consumer_config = clients::consumer_config(&settings);
    let (group, brokers, topic, mode) = (
        settings.group.clone(),
        settings.brokers.clone(),
        settings.topic.clone(),
        settings.mode,
    );
    let context = MemberContext {
        worker: Mutex::new(Worker::new(settings, producer, Arc::clone(stop))),
        errors: clients::ErrorLog::default(),
    };
    let consumer = clients::consumer(&consumer_config, context)?;
    consumer
        .subscribe(&[topic.as_str()])
        .map_err(|source| ConsumeError::Subscribe {
            topic: topic.clone(),
            source,
        })?;
    let mode = if mode == Mode::Strict {
        "strict"
    } else {
        "resync"
    };
    log!("joined group {group} on {brokers} (topic {topic}, {mode} mode)");
    Ok(consumer)
}

/// Polls, judges and checkpoints until a stop request or a fatal error;
/// returns the exit code so far and when the last stats line was logged.
fn poll_until_stopped(
    consumer: &BaseConsumer<MemberContext>,
    stop: &AtomicBool,
) -> (i32, LastLine) {
    let mut last_stats = LastLine::now();
    while !stop.load(Ordering::Relaxed) {
        // Outside the worker's lock: the rebalance callback runs in here.
        let polled = consumer.poll(Duration::from_millis(100));
        let mut worker = lock(&consumer.context().worker);
        match polled {
            None => {}
            Some(Ok(message)) => worker.handle(&message),
            Some(Err(e)) => consumer.context().errors.note(&e, "consuming"),
        }
        worker.advance_idle(consumer);
        worker.producer.poll(Duration::ZERO);
        if worker.checkpoint_due() {
            worker.checkpoint(consumer, |_| true);
        }
        if let Some(e) = worker.fatal.take() {
            log!("stopping: {e}");
            return (EXIT_ERROR, last_stats);
        }
        if let Some(interval) = worker.settings.stats_interval {
            if last_stats.elapsed() >= interval {
                last_stats = stats::log_line(consumer, &worker, last_stats);
            }
        }
    }
    (EXIT_OK, last_stats)
}

/// Leaves the group: after a stop request (`code` 0), checkpoints and
/// commits first; after a fatal error, commits nothing more. Returns the exit
/// code.
fn leave(consumer: BaseConsumer<MemberContext>, mut code: i32, last_stats: LastLine) -> i32 {
    let mut worker = lock(&consumer.context().worker);
    if code == EXIT_OK {
        log!("stopping: checkpointing and leaving the group");
        if !worker.checkpoint(&consumer, |_| true) {
            code = EXIT_ERROR;
        }
        worker.partitions.clear();
    }
    stats::log_line(&consumer, &worker, last_stats);
    drop(worker);
    consumer.unsubscribe();
    drop(consumer); // closes: leaves the group
    log!("left the group");
    code
}
