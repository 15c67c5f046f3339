//! The headers callstate writes: on every output message, the input message it
//! comes from; on an outbound event, its place among that message's events.
//! (The checkpoint parts' headers are named in `checkpoint.rs`.)

use rdkafka::message::{Header, OwnedHeaders};

/// Header of every output message: the input topic.
pub const HEADER_TOPIC: &str = "callstate-source-topic";
/// Header of every output message: the input partition.
pub const HEADER_PARTITION: &str = "callstate-source-partition";
/// Header of every output message: the input offset.
pub const HEADER_OFFSET: &str = "callstate-source-offset";
/// Header of an outbound event: its index among its input message's events
/// (inferred events first).
pub const HEADER_INDEX: &str = "callstate-index";
/// Header of an outbound event: `event` or `inferred` (its `message.source`).
pub const HEADER_SOURCE: &str = "callstate-source";
/// Header of a finding's line on the report topic: its kind (`late`, `early`,
/// `overdue`). A rejection's line has none.
pub const HEADER_FINDING: &str = "callstate-finding";

/// The headers `(name, value)`, in order.
pub(super) fn headers(pairs: &[(&str, &str)]) -> OwnedHeaders {
    pairs.iter().fold(
        OwnedHeaders::new_with_capacity(pairs.len()),
        |all, (key, value)| {
            all.insert(Header {
                key,
                value: Some(*value),
            })
        },
    )
}
