//! SPEC §11: time rules over hand-written logs — `late`, `early`, `overdue` once,
//! the end-of-replay open stays, and the same findings on any number of threads.

use callstate::replay::{self, Replay, ReplayOptions, Verdict};
use callstate::wire::input::{Line, Source};
use callstate::{DeadlineSource, Engine, Finding, FindingKind, Mode, Phase, TimeRules};

fn rules() -> TimeRules {
    TimeRules::default().with_limit_text("wrapUp=10s").unwrap()
}

/// Every finding of `log`, with the line that revealed it.
fn findings(replay: &mut Replay, log: &[&str]) -> Vec<(u64, Finding)> {
    let mut found = Vec::new();
    for line in log {
        let verdict = replay.feed(Line::Text(line.as_bytes()));
        assert!(!matches!(verdict, Verdict::NotAccepted(_)), "{line}");
        found.extend(
            replay
                .take_findings()
                .into_iter()
                .map(|f| (replay.line(), f)),
        );
    }
    found
}

const LOG: &[&str] = &[
    r#"{"agent":"a1","interaction":"c1","event":"eAgentOfferContact","time":0,"ronaTimeout":"18"}"#,
    // 25 s into an 18 s ring, past the 5 s grace: late.
    r#"{"agent":"a1","event":"CustAnswered","time":25000}"#,
    r#"{"agent":"a2","interaction":"c2","event":"eAgentOfferContact","time":30000,"ronaTimeout":18}"#,
    // RONA 2 s into an 18 s ring: early.
    r#"{"agent":"a2","event":"eAgentOfferContactRona","time":32000}"#,
    r#"{"agent":"a3","interaction":"c3","event":"eAgentOfferContact","time":40000,"ronaTimeout":"18"}"#,
    r#"{"agent":"a3","event":"CustAnswered","time":41000}"#,
    r#"{"agent":"a3","event":"eAgentContactEnded","time":42000}"#,
    // a3 wraps up from 43 s: due by 53 s, overdue once the clock passes 58 s.
    r#"{"agent":"a3","event":"acw","time":43000}"#,
    r#"{"agent":"a1","event":"eAgentContactEnded","time":50000}"#,
    r#"{"agent":"a1","event":"acw","time":58000}"#,
    r#"{"agent":"a4","event":"AgentIdle","time":58001}"#,
    r#"{"agent":"a1","event":"eAgentContactWrappedUp","time":70000}"#,
    r#"{"agent":"a4","event":"AgentAvailable","time":75000}"#,
    // The stay that was overdue ends: not late as well.
    r#"{"agent":"a3","event":"eAgentContactWrappedUp","time":80000}"#,
    r#"{"agent":"a5","interaction":"c5","event":"eAgentOfferContact","time":81000}"#,
];

#[test]
fn late_early_and_overdue_once() {
    let mut replay = Replay::default().with_time(rules());
    let found = findings(&mut replay, LOG);
    let brief: Vec<_> = found
        .iter()
        .map(|(line, f)| {
            (
                *line,
                f.kind,
                f.agent.as_str(),
                f.phase,
                f.since,
                f.deadline,
                f.at,
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            (
                2,
                FindingKind::Late,
                "a1",
                Phase::Offered,
                0,
                18_000,
                25_000
            ),
            (
                4,
                FindingKind::Early,
                "a2",
                Phase::Offered,
                30_000,
                48_000,
                32_000
            ),
            (
                11,
                FindingKind::Overdue,
                "a3",
                Phase::WrapUp,
                43_000,
                53_000,
                58_001
            ),
        ]
    );
    assert_eq!(found[0].1.source, DeadlineSource::RonaTimeout);
    assert_eq!(found[0].1.interaction.as_deref(), Some("c1"));
    assert_eq!(found[2].1.source, DeadlineSource::Limit);
    assert_eq!(found[2].1.event, None);
    let counts = replay.summary().findings.unwrap();
    assert_eq!((counts.late, counts.early, counts.overdue), (1, 1, 1));
    // a5 still rings, with no ring timer given: open, no deadline.
    let open = replay.engine().open_stays();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].agent.as_str(), open[0].phase),
        ("a5", Phase::Offered)
    );
    assert_eq!(
        (open[0].since, open[0].age, open[0].deadline),
        (Some(81_000), Some(0), None)
    );
}

#[test]
fn without_time_rules_nothing_changes() {
    let mut plain = Replay::default();
    let mut timed = Replay::default().with_time(rules());
    findings(&mut timed, LOG);
    assert!(findings(&mut plain, LOG).is_empty());
    assert_eq!(plain.summary().findings, None);
    let (mut a, mut b) = (plain.summary(), timed.summary());
    b.findings = None;
    a.findings = None;
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&plain.summary()).unwrap(),
        serde_json::to_string(&a).unwrap()
    );
}

#[test]
fn a_limit_wins_over_the_ring_timer_and_no_early_against_a_limit() {
    let rules = TimeRules::default().with_limit_text("offered=60s").unwrap();
    let mut replay = Replay::default().with_time(rules);
    assert!(findings(&mut replay, &LOG[..4]).is_empty());
}

#[test]
fn untimed_and_inferred_stays_have_no_deadline() {
    let log = [
        // No time: no deadline, whatever the ring timer says.
        r#"{"agent":"a1","interaction":"c1","event":"eAgentOfferContact","ronaTimeout":"1"}"#,
        r#"{"agent":"a2","event":"AgentIdle","time":100000}"#,
        r#"{"agent":"a1","event":"CustAnswered","time":200000}"#,
    ];
    let mut replay = Replay::default().with_time(rules());
    assert!(findings(&mut replay, &log).is_empty());

    // Resync infers the lost answer, end and acw: the offered stay ends
    // unjudged; the wrap-up the record ends began... at the repaired record.
    let log = [
        r#"{"agent":"a1","interaction":"c1","event":"eAgentOfferContact","time":0,"ronaTimeout":"1"}"#,
        r#"{"agent":"a1","event":"eAgentContactWrappedUp","time":100000}"#,
    ];
    let mut replay = Replay::default().with_mode(Mode::Resync).with_time(rules());
    let mut found = Vec::new();
    for line in log {
        replay.feed(Line::Text(line.as_bytes()));
        found.extend(replay.take_findings());
    }
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(replay.summary().repaired, Some(1));
    // Strict mode rejects it: a1 still rings, long past its deadline.
    let mut strict = Replay::default().with_time(rules());
    for line in log {
        strict.feed(Line::Text(line.as_bytes()));
    }
    let stuck = strict.take_findings();
    assert_eq!(stuck.len(), 1);
    assert_eq!(
        (stuck[0].kind, stuck[0].at),
        (FindingKind::Overdue, 100_000)
    );
}

#[test]
fn advance_finds_the_stuck_agent_without_a_record() {
    let mut engine = Engine::new().with_time(rules());
    let log = &LOG[4..8];
    for line in log {
        assert!(callstate::replay::apply_line(&mut engine, line.as_bytes()).is_ok());
    }
    assert!(engine.take_findings().is_empty());
    assert_eq!(engine.clock(), Some(43_000));
    assert!(engine.advance(58_000).is_empty());
    assert!(engine.advance(10).is_empty(), "the clock never goes back");
    assert_eq!(engine.clock(), Some(58_000));
    let stuck = engine.advance(58_001);
    assert_eq!(stuck.len(), 1);
    assert_eq!(
        (stuck[0].agent.as_str(), stuck[0].phase, stuck[0].at),
        ("a3", Phase::WrapUp, 58_001)
    );
    assert!(engine.advance(1_000_000).is_empty());
    // Without time rules advance finds nothing.
    assert!(Engine::new().advance(i64::MAX).is_empty());
}

#[test]
fn overdue_comes_in_deadline_then_agent_order() {
    let mut log = Vec::new();
    for agent in ["b", "a", "c"] {
        log.push(format!(
            r#"{{"agent":"{agent}","interaction":"c-{agent}","event":"eAgentOfferContact","time":0,"ronaTimeout":"10"}}"#
        ));
    }
    log.push(r#"{"agent":"d","interaction":"c-d","event":"eAgentOfferContact","time":0,"ronaTimeout":"5"}"#.into());
    log.push(r#"{"agent":"z","event":"AgentIdle","time":20000}"#.into());
    let log: Vec<&str> = log.iter().map(String::as_str).collect();
    let mut replay = Replay::default().with_time(TimeRules::default().with_grace(0));
    let found = findings(&mut replay, &log);
    let order: Vec<_> = found.iter().map(|(l, f)| (*l, f.agent.as_str())).collect();
    assert_eq!(order, [(5, "d"), (5, "a"), (5, "b"), (5, "c")]);
}

/// The findings of a replay of `text` on `jobs` threads, as report lines.
fn report(text: &str, jobs: usize) -> Vec<String> {
    let options = ReplayOptions::default().with_jobs(jobs).with_time(rules());
    let mut replay = options.start();
    let mut lines = Vec::new();
    let source =
        Source::from_reader("log", std::io::Cursor::new(text.to_owned().into_bytes())).unwrap();
    replay::replay_sources(vec![source], &options, &mut replay, |replay, verdict| {
        if let Verdict::NotAccepted(r) = &verdict {
            lines.push(replay::ReportLine::new(replay.line(), r).to_json());
        }
        for f in replay.take_findings() {
            let mut out = Vec::new();
            replay::write_json_finding(&mut out, Some(replay.line()), &f)?;
            lines.push(String::from_utf8_lossy(&out).into_owned());
        }
        Ok(())
    })
    .unwrap();
    lines.push(replay.summary().to_json());
    lines
}

#[test]
fn parallel_replay_finds_what_sequential_finds() {
    let mut text = String::new();
    for n in 0..40 {
        for line in LOG {
            // Each copy of the log is its own agents, later in time.
            let line = line
                .replace("\"agent\":\"", &format!("\"agent\":\"x{n}-"))
                .replace("\"interaction\":\"", &format!("\"interaction\":\"x{n}-"));
            text.push_str(&line);
            text.push('\n');
        }
    }
    let one = report(&text, 1);
    assert!(one.iter().filter(|l| l.contains("\"finding\"")).count() >= 40);
    for jobs in [2, 3] {
        assert_eq!(report(&text, jobs), one, "{jobs} jobs");
    }
}
