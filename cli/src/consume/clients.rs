//! The Kafka clients of a member and their configuration, in three layers:
//! callstate's defaults, then the `-X` properties, then what the
//! checkpoint-then-commit protocol needs (which `-X` cannot change). Also the
//! producer's delivery counts, the error log every client shares, and the
//! creation of the state and output topics.

use super::backoff::Backoff;
use super::error::ConsumeError;
use super::settings::Settings;
use super::{lock, log};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::{ClientConfig, FromClientConfigAndContext};
use rdkafka::consumer::{BaseConsumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, DeliveryResult, ProducerContext};
use rdkafka::{ClientContext, Message};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The member's consumer: callstate's defaults, which `-X` may change.
const CONSUMER_DEFAULTS: &[(&str, &str)] = &[("session.timeout.ms", "10000")];

/// The member's consumer: offsets are committed by hand, after the checkpoint.
const CONSUMER_REQUIRED: &[(&str, &str)] = &[
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
    ("auto.offset.reset", "earliest"),
    ("enable.partition.eof", "false"),
];

const PRODUCER_REQUIRED: &[(&str, &str)] = &[
    ("linger.ms", "5"),
    // Per-agent order survives retries.
    ("max.in.flight.requests.per.connection", "1"),
    // A broker outage is waited out, never a lost output.
    ("message.timeout.ms", "0"),
];

/// The reader of the state topic on restore: it never joins the group (no
/// subscribe) nor commits; librdkafka needs a group id to assign partitions.
const RESTORE_REQUIRED: &[(&str, &str)] = &[
    ("enable.auto.commit", "false"),
    ("enable.partition.eof", "false"),
];

/// The configuration of one client: `defaults`, the `-X` properties, then
/// `required`.
fn config(
    settings: &Settings,
    defaults: &[(&str, &str)],
    required: &[(&str, &str)],
) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &settings.brokers);
    for (key, value) in defaults {
        config.set(*key, *value);
    }
    for (key, value) in &settings.properties {
        config.set(key, value);
    }
    for (key, value) in required {
        config.set(*key, *value);
    }
    config
}

fn create<C, T>(client: &'static str, config: &ClientConfig, context: C) -> Result<T, ConsumeError>
where
    C: ClientContext,
    T: FromClientConfigAndContext<C>,
{
    config
        .create_with_context(context)
        .map_err(|source| ConsumeError::Client { client, source })
}

/// The configuration of the member's consumer, in group `settings.group`.
pub(super) fn consumer_config(settings: &Settings) -> ClientConfig {
    let mut config = config(settings, CONSUMER_DEFAULTS, CONSUMER_REQUIRED);
    config.set("group.id", &settings.group);
    config
}

/// The member's consumer, with `context`.
pub(super) fn consumer<C: ConsumerContext>(
    config: &ClientConfig,
    context: C,
) -> Result<BaseConsumer<C>, ConsumeError> {
    create("consumer", config, context)
}

/// The producer of outputs and checkpoints.
pub(super) fn producer(settings: &Settings) -> Result<BaseProducer<Delivery>, ConsumeError> {
    let config = config(settings, &[], PRODUCER_REQUIRED);
    create("producer", &config, Delivery::default())
}

/// A reader of the state topic, outside the group.
pub(super) fn restore_reader(settings: &Settings) -> Result<BaseConsumer, KafkaError> {
    config(settings, &[], RESTORE_REQUIRED)
        .set("group.id", format!("{}.callstate-restore", settings.group))
        .create()
}

/// Logs librdkafka's errors, the same one at most every 10 s.
#[derive(Default)]
pub(super) struct ErrorLog {
    last: Mutex<Option<(String, Instant)>>,
}

impl ErrorLog {
    pub fn note(&self, error: &KafkaError, reason: &str) {
        let text = format!("{error}: {reason}");
        let mut last = lock(&self.last);
        let repeat =
            matches!(&*last, Some((t, at)) if *t == text && at.elapsed() < Duration::from_secs(10));
        if !repeat {
            let down = matches!(
                error.rdkafka_error_code(),
                Some(RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure)
            );
            if down {
                log!("broker unavailable, retrying with backoff: {reason}");
            } else {
                log!("kafka: {text}");
            }
            *last = Some((text, Instant::now()));
        }
    }
}

/// The producer's context: counts failed deliveries.
#[derive(Default)]
pub(super) struct Delivery {
    errors: ErrorLog,
    /// Messages not delivered since the start.
    pub failed: AtomicU64,
    /// Where the last of them went, and why it failed.
    pub last_failure: Mutex<Option<String>>,
}

impl ClientContext for Delivery {
    fn error(&self, error: KafkaError, reason: &str) {
        self.errors.note(&error, reason);
    }
}

impl ProducerContext for Delivery {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, m)) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            *lock(&self.last_failure) = Some(format!("to {}: {e}", m.topic()));
        }
    }
}

/// Creates the state topic (compacted) and the output topics if they are
/// missing; the outputs get as many partitions as the input.
pub(super) fn create_topics(settings: &Settings, stop: &AtomicBool) -> Result<(), ConsumeError> {
    let admin: AdminClient<DefaultClientContext> =
        create("admin", &config(settings, &[], &[]), DefaultClientContext)?;
    let mut backoff = Backoff::new();
    let partitions = loop {
        match admin
            .inner()
            .fetch_metadata(Some(&settings.topic), Duration::from_secs(10))
        {
            Ok(m) => {
                let n = m
                    .topics()
                    .iter()
                    .find(|t| t.name() == settings.topic)
                    .map_or(0, |t| t.partitions().len());
                break i32::try_from(n).unwrap_or(1).max(1);
            }
            Err(e) if stop.load(Ordering::Relaxed) => {
                return Err(ConsumeError::StoppedWaitingForBroker(e))
            }
            Err(e) => {
                log!("broker unavailable, retrying with backoff: {e}");
                backoff.wait();
            }
        }
    };
    let mut topics = vec![
        NewTopic::new(&settings.state_topic, 1, TopicReplication::Fixed(1))
            .set("cleanup.policy", "compact"),
    ];
    for t in [&settings.out_topic, &settings.report_topic]
        .into_iter()
        .flatten()
    {
        topics.push(NewTopic::new(t, partitions, TopicReplication::Fixed(1)));
    }
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = futures_executor::block_on(admin.create_topics(&topics, &options))
        .map_err(ConsumeError::CreateTopics)?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, e)) => log!("could not create topic {t}: {e} (going on)"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(properties: &[(&str, &str)]) -> Settings {
        Settings {
            brokers: "b:9092".into(),
            group: "g".into(),
            topic: "in".into(),
            out_topic: None,
            report_topic: None,
            state_topic: "g.callstate-state".into(),
            mode: callstate::Mode::Resync,
            initial: callstate::Availability::Ready,
            max_record_bytes: 1,
            part_bytes: 1,
            checkpoint_records: 1,
            checkpoint_interval: Duration::ZERO,
            stats_interval: None,
            properties: properties
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            time: None,
            idle_after: None,
        }
    }

    #[test]
    fn properties_change_defaults_but_not_what_the_protocol_needs() {
        let plain = config(&settings(&[]), CONSUMER_DEFAULTS, CONSUMER_REQUIRED);
        assert_eq!(plain.get("session.timeout.ms"), Some("10000"));
        let given = settings(&[
            ("session.timeout.ms", "30000"),
            ("enable.auto.commit", "true"),
            ("bootstrap.servers", "other:9092"),
        ]);
        let c = config(&given, CONSUMER_DEFAULTS, CONSUMER_REQUIRED);
        assert_eq!(c.get("session.timeout.ms"), Some("30000"));
        assert_eq!(c.get("enable.auto.commit"), Some("false"));
        assert_eq!(c.get("bootstrap.servers"), Some("other:9092"));
    }
}
