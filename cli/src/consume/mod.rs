//! `callstate consume` (feature `kafka`): validates a Kafka topic as a member
//! of a consumer group. docs/streaming.md describes the model and the guarantees.
//!
//! One engine per input partition ([`partition`]); each message is judged as
//! `callstate emit` judges a line, its outbound events go to the out topic and
//! its report line and findings to the report topic, with [`headers`] naming
//! the input message. With `--idle-after`, a silent partition's clock runs on
//! wall-clock time ([`idle`]), and the findings that come due go to the report
//! topic too. Each partition's engine is checkpointed to the state topic
//! ([`checkpoint`]) with the offset it corresponds to, and only then is that
//! offset committed ([`worker`]); on assignment a partition is restored from its
//! latest checkpoint and read from that offset on ([`restore`], called by the
//! rebalance callback of [`rebalance`]).
//!
//! One thread: the poll loop ([`poll_loop`]), over clients configured in
//! [`clients`] from the [`settings`]; what stops it is a [`error::ConsumeError`].

mod backoff;
mod checkpoint;
mod clients;
mod error;
mod headers;
mod idle;
mod partition;
mod poll_loop;
mod rebalance;
mod restore;
mod settings;
mod stats;
mod worker;

pub(crate) use poll_loop::run;
pub(crate) use settings::ConsumeArgs;

use std::io::{self, Write};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Writes a line to stderr; a failed write has nowhere else to go.
fn write_log(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "callstate consume: {args}");
}

/// `log!("…", …)`: a line to stderr, after `callstate consume: `.
macro_rules! log {
    ($($t:tt)*) => { $crate::consume::write_log(format_args!($($t)*)) };
}
use log;

/// Locks `mutex`; a panic while it was held (there is none: bad input never
/// panics) would leave data still worth checkpointing.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
