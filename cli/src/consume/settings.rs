//! The command line's arguments, and the settings read from them once: the
//! topics, the judging, the checkpoint cadence and the librdkafka properties.

use super::error::ConsumeError;
use crate::{Initial, TimeRuleArgs};
use callstate::{Availability, Mode, TimeRules};
use clap::Args;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct ConsumeArgs {
    /// Bootstrap brokers, HOST:PORT[,HOST:PORT…].
    #[arg(long, value_name = "HOSTS")]
    brokers: String,
    /// The consumer group: members of one group share the input's partitions.
    #[arg(long, value_name = "G")]
    group: String,
    /// The input topic: one record per message (any shape of SPEC §5), keyed by
    /// agent id.
    #[arg(long, value_name = "IN")]
    topic: String,
    /// Where each applied transition goes, as the OutboundCallStateChange event
    /// callstate emit writes, keyed by agent (none: not written).
    #[arg(long, value_name = "OUT")]
    out_topic: Option<String>,
    /// Where each record not accepted goes, as its replay --json line (line
    /// is the input offset), keyed by agent (none: not written); with time
    /// rules, each finding too, as its replay --json finding line with a
    /// callstate-finding header.
    #[arg(long, value_name = "REPORT")]
    report_topic: Option<String>,
    /// The compacted topic of the checkpoints [default: GROUP.callstate-state].
    #[arg(long, value_name = "STATE")]
    state_topic: Option<String>,
    /// Strict mode, as in replay; without it, resync (the default) repairs
    /// after lost events and writes the inferred events. A group must not
    /// change its mode.
    #[arg(long)]
    strict: bool,
    /// Where never-seen agents start.
    #[arg(long, value_enum, default_value_t = Initial::Ready)]
    initial: Initial,
    /// Messages longer than this are reported malformed without being read.
    #[arg(long, value_name = "BYTES", default_value_t = 512 << 10)]
    max_record_bytes: usize,
    /// Checkpoint a partition after this many messages…
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    checkpoint_records: u64,
    /// …or after this many seconds, whichever comes first.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    checkpoint_interval: f64,
    /// Checkpoints are cut into messages of at most this many bytes (keep it
    /// under the broker's message.max.bytes).
    #[arg(long, value_name = "BYTES", default_value_t = 900_000)]
    checkpoint_part_bytes: usize,
    /// Seconds between stats lines on stderr (0: none).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    stats_interval: f64,
    #[command(flatten)]
    time: TimeRuleArgs,
    /// A partition idle for DUR (nothing fetched from it for DUR, and caught
    /// up to its high watermark) has its clock run on wall-clock time: the
    /// time of its last record plus the wall time since that record was
    /// judged. So a stuck agent is reported overdue about DUR plus one poll
    /// interval (0.1 s) after its deadline and grace, while the partition is
    /// silent (longer after a rebalance or when the broker does not answer:
    /// docs/streaming.md). Not for transactional input (a commit marker keeps
    /// a partition from ever looking caught up). A lagging partition (records waiting) is never idle: its clock
    /// moves only with its records. Records that come later with times before
    /// the advanced clock are judged as usual (the clock does not go back; an
    /// overdue already reported is not reported again, nor its stay's end as
    /// late). Turns --time on. Without it, a partition's clock moves only with
    /// its records.
    #[arg(long, value_name = "DUR", value_parser = parse_idle_after)]
    idle_after: Option<String>,
    /// A librdkafka property for every client, e.g. -X security.protocol=ssl
    /// or -X session.timeout.ms=30000 (repeatable).
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    config: Vec<String>,
}

/// What a member runs with.
#[derive(Debug)]
pub(super) struct Settings {
    pub brokers: String,
    pub group: String,
    /// The input topic.
    pub topic: String,
    pub out_topic: Option<String>,
    pub report_topic: Option<String>,
    pub state_topic: String,
    pub mode: Mode,
    pub initial: Availability,
    /// Messages longer than this are malformed without being read.
    pub max_record_bytes: usize,
    /// The largest checkpoint part.
    pub part_bytes: usize,
    /// A partition is checkpointed after this many messages…
    pub checkpoint_records: u64,
    /// …or when it changed and this long has passed since the last checkpoint.
    pub checkpoint_interval: Duration,
    /// Between stats lines (none: no stats lines).
    pub stats_interval: Option<Duration>,
    /// The `-X` properties, by name (a repeated name: the last one).
    pub properties: BTreeMap<String, String>,
    /// The time rules (none: no findings).
    pub time: Option<TimeRules>,
    /// A partition silent this long, and caught up, is idle (none: never).
    pub idle_after: Option<Duration>,
}

impl Settings {
    pub fn from_args(args: &ConsumeArgs) -> Result<Settings, ConsumeError> {
        let properties = args
            .config
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
                None => Err(ConsumeError::PropertyWithoutValue(kv.clone())),
            })
            .collect::<Result<_, _>>()?;
        // Checked when the arguments were read.
        let idle_after = (args.idle_after.as_deref())
            .and_then(|text| callstate::parse_duration(text).ok())
            .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
        let time = match (args.time.rules(), idle_after) {
            (None, Some(_)) => Some(TimeRules::default()),
            (rules, _) => rules,
        };
        Ok(Settings {
            brokers: args.brokers.clone(),
            group: args.group.clone(),
            topic: args.topic.clone(),
            out_topic: args.out_topic.clone(),
            report_topic: args.report_topic.clone(),
            state_topic: args
                .state_topic
                .clone()
                .unwrap_or_else(|| format!("{}.callstate-state", args.group)),
            mode: if args.strict {
                Mode::Strict
            } else {
                Mode::Resync
            },
            initial: args.initial.into(),
            max_record_bytes: args.max_record_bytes,
            part_bytes: args.checkpoint_part_bytes,
            checkpoint_records: args.checkpoint_records,
            checkpoint_interval: seconds(args.checkpoint_interval.max(0.0)),
            stats_interval: (args.stats_interval > 0.0).then(|| seconds(args.stats_interval)),
            properties,
            time,
            idle_after,
        })
    }
}

/// `secs` (not negative) as a duration; one too long for a `Duration` (`inf`)
/// is forever.
/// `--idle-after`: a duration above zero (with zero, every loop turn would ask
/// the broker for every partition's watermark).
fn parse_idle_after(text: &str) -> Result<String, String> {
    match callstate::parse_duration(text) {
        Ok(0) => Err("must be more than 0".to_owned()),
        Ok(_) => Ok(text.to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        consume: ConsumeArgs,
    }

    fn settings(extra: &[&str]) -> Result<Settings, ConsumeError> {
        let base = [
            "consume",
            "--brokers",
            "b:9092",
            "--group",
            "g",
            "--topic",
            "in",
        ];
        let args = Command::parse_from(base.iter().chain(extra)).consume;
        Settings::from_args(&args)
    }

    #[test]
    fn properties_are_read_once_by_name() {
        let s = settings(&["-X", "session.timeout.ms=30000", "-X", "a=1", "-X", "a=b=2"]).unwrap();
        let property = |name: &str| s.properties.get(name).map(String::as_str);
        assert_eq!(property("session.timeout.ms"), Some("30000"));
        assert_eq!(property("a"), Some("b=2"));
        assert_eq!(property("session.timeout"), None);
        assert_eq!(s.state_topic, "g.callstate-state");
        assert_eq!((s.mode, s.stats_interval.is_some()), (Mode::Resync, true));
        assert_eq!((s.time, s.idle_after), (None, None));
    }

    #[test]
    fn idle_after_turns_the_time_rules_on() {
        let s = settings(&["--idle-after", "1500ms"]).unwrap();
        assert_eq!(s.idle_after, Some(Duration::from_millis(1500)));
        assert_eq!(s.time, Some(TimeRules::default()));
        let s = settings(&["--limit", "wrapUp=10m", "--grace", "0s"]).unwrap();
        let rules = s.time.unwrap();
        assert_eq!(
            (rules.limit(callstate::Phase::WrapUp), rules.grace()),
            (Some(600_000), 0)
        );
        assert_eq!(s.idle_after, None);
    }

    #[test]
    fn idle_after_zero_is_refused() {
        let base = ["consume", "--brokers", "b", "--group", "g", "--topic", "in"];
        let zero = Command::try_parse_from(base.iter().chain(&["--idle-after", "0s"]));
        let message = zero.map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("must be more than 0"), "{message}");
    }

    #[test]
    fn a_property_without_a_value_is_refused() {
        let err = settings(&["-X", "security.protocol"]).unwrap_err();
        assert!(
            matches!(&err, ConsumeError::PropertyWithoutValue(kv) if kv == "security.protocol"),
            "{err}"
        );
    }
}
