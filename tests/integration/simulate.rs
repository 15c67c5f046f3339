//! The simulator's contract: deterministic, exactly `records` lines, clean logs
//! replay without a rejection and cover every row of the table, faulty logs are
//! rejected in several ways.

use callstate::simulate::{self, Config, ConfigError, FaultKind, Format, LogSummary, Simulator};
use callstate::table::rule_index;
use callstate::{
    Accepted, Availability, Engine, Event, EventName, Record, RejectionKind, Unchange, Unchanged,
    TABLE,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use strum::IntoEnumIterator;

const FORMATS: [Format; 4] = [
    Format::Native,
    Format::Envelope,
    Format::Websocket,
    Format::Mixed,
];

fn config(agents: usize, records: u64, seed: u64, faults: f64, format: Format) -> Config {
    Config {
        agents,
        records,
        seed,
        faults,
        format,
        ..Config::default()
    }
}

fn generate(config: &Config) -> (Vec<u8>, LogSummary) {
    let mut out = Vec::new();
    let summary = simulate::write(config, &mut out).expect("writing to a Vec cannot fail");
    (out, summary)
}

/// One record read from a line, per SPEC §5.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Read {
    agent: String,
    event: String,
    interaction: Option<String>,
    time: Option<i64>,
}

/// What a line holds: nothing (blank), a record, or something malformed.
#[derive(Debug)]
enum Line {
    Blank,
    Record(Read),
    Malformed,
}

/// `v` at `path`, a `null` counting as absent.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

fn text(v: Option<&Value>) -> Result<Option<String>, ()> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

fn parse(line: &[u8]) -> Line {
    let Ok(line) = std::str::from_utf8(line) else {
        return Line::Malformed;
    };
    if line.trim().is_empty() {
        return Line::Blank;
    }
    match serde_json::from_str::<Value>(line) {
        Ok(v) if v.is_object() => read(&v).map_or(Line::Malformed, Line::Record),
        _ => Line::Malformed,
    }
}

/// The fields of SPEC §5: envelope, else websocket notification, else native.
fn read(v: &Value) -> Option<Read> {
    let (event, agent, interaction, time) = if let Some(call) = at(v, &["message", "call"]) {
        let data = at(call, &["ResponseActual", "data"]);
        let interaction = data
            .and_then(|d| at(d, &["interactionId"]))
            .or_else(|| at(call, &["id"]));
        (
            text(at(call, &["event"])).ok()??,
            data.and_then(|d| at(d, &["agentId"])),
            interaction,
            data.and_then(|d| at(d, &["eventTime"])),
        )
    } else if let Some(kind) = at(v, &["data", "type"]) {
        let kind = text(Some(kind)).ok()??;
        let event = if kind == "AgentStateChange" {
            let sub = text(at(v, &["data", "subStatus"]))
                .ok()?
                .unwrap_or_default();
            Event::from_state_change(&sub).map_or(kind, |e| e.name().to_owned())
        } else {
            kind
        };
        (
            event,
            at(v, &["data", "agentId"]),
            at(v, &["data", "interactionId"]),
            at(v, &["data", "eventTime"]),
        )
    } else {
        (
            text(at(v, &["event"])).ok()??,
            at(v, &["agent"]),
            at(v, &["interaction"]),
            at(v, &["time"]),
        )
    };
    let time = match time {
        None => None,
        Some(t) => Some(t.as_i64()?),
    };
    Some(Read {
        agent: text(agent).ok()??,
        event,
        interaction: text(interaction).ok()?,
        time,
    })
}

/// What replaying a log through a fresh engine gave.
#[derive(Debug, Default)]
struct Replay {
    records: u64,
    blank: u64,
    accepted: u64,
    bound: u64,
    rejected: BTreeMap<RejectionKind, u64>,
    rules: BTreeSet<usize>,
    first_rejection: Option<String>,
}

impl Replay {
    fn rejections(&self) -> u64 {
        self.rejected.values().sum()
    }
}

fn replay(log: &[u8], initial: Availability) -> Replay {
    let mut engine = Engine::starting(initial);
    let mut r = Replay::default();
    let mut lines = log.split(|b| *b == b'\n');
    // Every line ends in '\n', so the last piece is empty.
    assert_eq!(
        lines.next_back(),
        Some(&b""[..]),
        "the log ends in a newline"
    );
    for (n, line) in lines.enumerate() {
        let read = match parse(line) {
            Line::Blank => {
                r.blank += 1;
                continue;
            }
            Line::Malformed => {
                r.records += 1;
                *r.rejected.entry(RejectionKind::Malformed).or_default() += 1;
                continue;
            }
            Line::Record(read) => read,
        };
        r.records += 1;
        let mut record = Record::new(&read.agent, EventName::resolve(&read.event));
        record.interaction = read.interaction.as_deref();
        record.time = read.time;
        match engine.apply(&record) {
            Ok(accepted) => {
                r.accepted += 1;
                match accepted {
                    Accepted::Transition(t) => {
                        r.bound += u64::from(t.bound_call());
                        let from = t.from;
                        r.rules
                            .extend(rule_index(from.phase, from.recording, from.role, t.event));
                    }
                    // A row marked "notice" fires too (SPEC v3 §3.2).
                    Accepted::Unchanged(Unchanged {
                        name,
                        status,
                        why: Unchange::NoticeRow(_),
                    }) => {
                        let event = Event::resolve(name).expect("a notice row's event");
                        r.rules.extend(rule_index(
                            status.phase,
                            status.recording,
                            status.role,
                            event,
                        ));
                    }
                    Accepted::Unchanged(_) => {}
                }
            }
            Err(e) => {
                *r.rejected.entry(e.kind()).or_default() += 1;
                r.first_rejection
                    .get_or_insert_with(|| format!("line {}: {e}", n + 1));
            }
        }
    }
    r
}

fn line_count(log: &[u8]) -> u64 {
    log.iter().filter(|b| **b == b'\n').count() as u64
}

#[test]
fn the_same_config_gives_the_same_bytes() {
    for format in FORMATS {
        let c = config(8, 600, 42, 0.05, format);
        let (a, sa) = generate(&c);
        let (b, sb) = generate(&c);
        assert!(a == b, "{format}: two runs differ");
        assert_eq!(sa, sb);
        let (other, _) = generate(&Config { seed: 43, ..c });
        assert!(a != other, "{format}: another seed gives the same log");
    }
}

#[test]
fn exactly_records_lines() {
    for (records, faults) in [
        (0, 0.0),
        (1, 0.0),
        (2, 1.0),
        (3, 1.0),
        (777, 0.3),
        (1_000, 1.0),
    ] {
        for format in FORMATS {
            let c = config(3, records, records, faults, format);
            let (log, summary) = generate(&c);
            assert_eq!(line_count(&log), records, "{c:?}");
            assert_eq!(summary.records, records, "{c:?}");
            assert_eq!(summary.agents, 3);
        }
    }
}

#[test]
fn clean_logs_replay_without_rejection_in_every_format() {
    for format in FORMATS {
        let records = if format == Format::Native {
            5_000
        } else {
            1_500
        };
        let c = config(20, records, 7, 0.0, format);
        let (log, summary) = generate(&c);
        let r = replay(&log, Availability::Ready);
        assert_eq!(r.rejections(), 0, "{format}: {:?}", r.first_rejection);
        assert_eq!((r.records, r.blank), (records, 0), "{format}");
        assert_eq!(summary.faults.total(), 0);
        assert_eq!(summary.events, records, "{format}: one event per line");
        assert_eq!(summary.calls, r.bound, "{format}: calls started");
    }
}

#[test]
fn a_clean_log_fires_every_rule_of_the_table() {
    let c = config(50, 20_000, 2024, 0.0, Format::Native);
    let (log, _) = generate(&c);
    let r = replay(&log, Availability::Ready);
    assert_eq!(r.rejections(), 0, "{:?}", r.first_rejection);
    // The simulator writes no snapshot (E34): its rows are the only ones left out.
    let missing: Vec<_> = (0..TABLE.len())
        .filter(|i| !r.rules.contains(i) && !TABLE[*i].event.is_snapshot())
        .map(|i| (TABLE[i].event, TABLE[i].note))
        .collect();
    assert!(missing.is_empty(), "rules that never fired: {missing:?}");
}

#[test]
fn clean_logs_with_agents_starting_idle_replay_without_rejection() {
    let c = Config {
        initial: Availability::Idle,
        ..config(10, 2_000, 5, 0.0, Format::Mixed)
    };
    let (log, _) = generate(&c);
    let r = replay(&log, Availability::Idle);
    assert_eq!(r.rejections(), 0, "{:?}", r.first_rejection);
}

#[test]
fn one_seed_is_the_same_day_in_every_format() {
    let read_all = |format| {
        let (log, summary) = generate(&config(6, 400, 99, 0.0, format));
        let reads: Vec<Read> = log
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| match parse(l) {
                Line::Record(mut r) => {
                    r.event = Event::resolve(&r.event).map_or(r.event, |e| e.name().into());
                    r.interaction = None; // native lines may leave it out
                    r
                }
                other => panic!("{format}: {other:?}"),
            })
            .collect();
        (reads, summary)
    };
    let (native, summary) = read_all(Format::Native);
    for format in [Format::Envelope, Format::Websocket, Format::Mixed] {
        let (other, other_summary) = read_all(format);
        assert_eq!(native, other, "{format}");
        assert_eq!(summary, other_summary, "{format}");
    }
}

#[test]
fn clean_logs_look_realistic() {
    let (log, _) = generate(&config(10, 3_000, 11, 0.0, Format::Mixed));
    let text = String::from_utf8(log).expect("the log is ASCII");
    let mut names = BTreeSet::new();
    let mut times = Vec::new();
    let mut envelope_sizes = Vec::new();
    for line in text.lines() {
        if let Line::Record(r) = parse(line.as_bytes()) {
            names.insert(r.event);
            times.extend(r.time);
        }
        if line.starts_with(r#"{"channel""#) {
            envelope_sizes.push(line.len());
        }
    }
    let canonical: BTreeSet<&str> = Event::iter().map(Event::name).collect();
    // Every canonical name is written but the snapshot's (the simulator writes none).
    let written: BTreeSet<&str> = Event::iter()
        .filter(|e| !e.is_snapshot())
        .map(Event::name)
        .collect();
    let aliases = names.iter().filter(|n| !canonical.contains(n.as_str()));
    let odd_case = names.iter().filter(|n| {
        Event::resolve(n).is_some_and(|e| !e.name().eq(*n) && !e.aliases().any(|a| a == *n))
    });
    assert!(aliases.count() > 10, "aliases are used: {names:?}");
    assert!(odd_case.count() > 0, "odd case is used: {names:?}");
    let unwritten: Vec<_> = written.iter().filter(|c| !names.contains(**c)).collect();
    assert!(unwritten.is_empty(), "{unwritten:?}");
    assert!(times
        .iter()
        .all(|t| (simulate::START_TIME..simulate::START_TIME + 86_400_000).contains(t)));
    assert!(
        envelope_sizes.iter().any(|s| *s > 3_000),
        "envelopes are a few KB"
    );
}

#[test]
fn faulty_logs_are_rejected_in_several_ways() {
    let c = config(30, 6_000, 3, 0.05, Format::Mixed);
    let (log, summary) = generate(&c);
    let r = replay(&log, Availability::Ready);
    // Lost events come from the loss rate, not the fault rate.
    assert_eq!(summary.faults.get(FaultKind::Lost), 0);
    for kind in FaultKind::iter().filter(|k| *k != FaultKind::Lost) {
        assert!(summary.faults.get(kind) > 0, "no {kind} fault injected");
    }
    let total = summary.faults.total() as f64;
    assert!(
        (150.0..450.0).contains(&total),
        "about 5% of the steps: {total}"
    );
    assert_eq!(r.blank, summary.faults.get(FaultKind::BlankLine));
    for kind in [
        RejectionKind::Malformed,
        RejectionKind::UnknownEvent,
        RejectionKind::OutOfOrder,
        RejectionKind::InteractionMismatch,
        RejectionKind::NoActiveCall,
        RejectionKind::IllegalTransition,
    ] {
        assert!(
            r.rejected.get(&kind).is_some_and(|n| *n > 0),
            "no {kind}: {:?}",
            r.rejected
        );
    }
    let malformed = [
        FaultKind::NotJson,
        FaultKind::Truncated,
        FaultKind::JsonArray,
        FaultKind::MissingAgent,
    ]
    .map(|k| summary.faults.get(k))
    .iter()
    .sum::<u64>();
    assert_eq!(r.rejected[&RejectionKind::Malformed], malformed);
    assert_eq!(
        r.rejected[&RejectionKind::UnknownEvent],
        summary.faults.get(FaultKind::UnknownEvent)
    );
    assert!(
        r.accepted > r.records * 8 / 10,
        "a faulty log stays mostly valid: {r:?}"
    );
}

#[test]
fn next_line_gives_the_lines_write_writes() {
    let c = config(4, 300, 8, 0.2, Format::Mixed);
    let (log, summary) = generate(&c);
    let mut sim = Simulator::new(&c).unwrap();
    let mut lines = Vec::new();
    while let Some(line) = sim.next_line() {
        lines.extend_from_slice(line);
        lines.push(b'\n');
    }
    assert!(lines == log);
    assert_eq!(*sim.summary(), summary);
    assert_eq!(sim.next_line(), None);
}

#[test]
fn bad_configs_are_refused() {
    let bad = [
        (config(0, 10, 0, 0.0, Format::Native), ConfigError::NoAgents),
        (
            config(1, 10, 0, 1.5, Format::Native),
            ConfigError::FaultRate(1.5),
        ),
        (
            config(1, 10, 0, -0.1, Format::Native),
            ConfigError::FaultRate(-0.1),
        ),
    ];
    for (c, error) in bad {
        assert_eq!(c.validate(), Err(error));
        let e = simulate::write(&c, &mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }
    let nan = config(1, 10, 0, f64::NAN, Format::Native);
    assert!(matches!(nan.validate(), Err(ConfigError::FaultRate(_))));
    assert!(Config::default().validate().is_ok());
}

#[test]
fn formats_parse_and_display_as_cli_words() {
    for (format, word) in FORMATS
        .iter()
        .zip(["native", "envelope", "websocket", "mixed"])
    {
        assert_eq!(format.to_string(), word);
        assert_eq!(word.parse::<Format>().ok(), Some(*format));
        assert_eq!(word.to_uppercase().parse::<Format>().ok(), Some(*format));
    }
    assert!("xml".parse::<Format>().is_err());
    // Every format, in order (the CLI's `--format` takes the same words:
    // cli/tests/cli.rs).
    use strum::IntoEnumIterator;
    let words: Vec<String> = Format::iter().map(|f| f.to_string()).collect();
    assert_eq!(words, ["native", "envelope", "websocket", "mixed"]);
}

#[test]
fn the_summary_displays_its_counts() {
    let (_, summary) = generate(&config(2, 50, 1, 0.5, Format::Native));
    let text = summary.to_string();
    assert!(text.starts_with("50 records, "), "{text}");
    assert!(text.contains(" faults ("), "{text}");
    let json = serde_json::to_value(summary).unwrap();
    assert_eq!(json["records"], 50);
    assert_eq!(json["faults"].as_object().map(|m| m.len()), Some(12));
}

/// A lost event leaves no line and is not chosen to be recoverable; the ground
/// truth names every one, at the line the next record is written on, and a
/// resync replay of the log costs less than one report line per loss.
#[test]
fn lost_events_are_written_down_in_the_ground_truth() {
    let config = Config {
        loss: 0.01,
        ..config(50, 20_000, 9, 0.0, Format::Native)
    };
    let (mut log, mut truth) = (Vec::new(), Vec::new());
    let summary = simulate::write_with_truth(&config, &mut log, &mut truth).unwrap();
    assert_eq!(line_count(&log), 20_000);
    let faults: Vec<Value> = truth
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let lost = summary.faults.get(FaultKind::Lost);
    assert!(lost > 100, "{summary}");
    assert_eq!(faults.len() as u64, lost);
    let lines: Vec<&[u8]> = log.split(|b| *b == b'\n').collect();
    let mut previous = 0;
    for fault in &faults {
        assert_eq!(fault["kind"], "lost");
        let line = fault["line"].as_u64().unwrap();
        assert!(line >= previous && line <= 20_001, "{fault}");
        previous = line;
        let event = fault["event"].as_str().unwrap();
        assert!(Event::resolve(event).is_some(), "{fault}");
        let agent = fault["agent"].as_str().unwrap();
        assert!(lines
            .iter()
            .any(|l| l.windows(agent.len()).any(|w| w == agent.as_bytes())));
    }
    // The same config without the truth writes the same log.
    assert_eq!(generate(&config).0, log);
    // What `callstate replay --json` reports: one line per record not accepted
    // by a resync replay (the binary's own test is in cli/tests/cli.rs).
    let mut resync =
        callstate::replay::Replay::new(Availability::Ready).with_mode(callstate::Mode::Resync);
    let lines = log
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let verdict = resync.feed(callstate::wire::input::Line::Text(l));
            matches!(verdict, callstate::replay::Verdict::NotAccepted(_))
        })
        .count() as u64;
    assert!(lines < lost, "{lines} report lines for {lost} losses");
}

#[test]
fn a_loss_rate_outside_zero_to_one_is_refused() {
    for loss in [-0.1, 1.5, f64::NAN] {
        let c = Config {
            loss,
            ..Config::default()
        };
        assert!(
            matches!(c.validate(), Err(ConfigError::LossRate(_))),
            "{loss}"
        );
    }
}
