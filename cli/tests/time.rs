//! `callstate replay`'s time options (docs/spec.md §11): findings and open lines,
//! their order, the summary's counts, the exit code with --fail-on, and usage
//! errors.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn replay(args: &[&str], log: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callstate"))
        .arg("replay")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error ends the program before it reads: the pipe may be closed.
    let _ = child.stdin.take().unwrap().write_all(log.as_bytes());
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const LOG: &str = r#"{"agent":"a1","interaction":"c1","event":"eAgentOfferContact","time":0,"ronaTimeout":"18"}
{"agent":"a1","event":"CustAnswered","time":25000}
{"agent":"a9","event":"CustAnswered","time":26000}
{"agent":"a2","interaction":"c2","event":"eAgentOfferContact","time":30000,"ronaTimeout":"18"}
{"agent":"a3","event":"AgentIdle","time":60000}
"#;

#[test]
fn findings_follow_their_record_then_open_lines_then_the_summary() {
    let out = replay(&["--json", "--strict", "--time", "-"], LOG);
    assert_eq!(out.status.code(), Some(1), "a9's answer is rejected");
    let report = lines(&out);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let at = |key: &str| first.find(&format!("\"{key}\":")).unwrap();
    let order = [
        "line",
        "finding",
        "agent",
        "interaction",
        "state",
        "since",
        "deadline",
        "source",
        "at",
        "event",
        "message",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{first}");
    assert_eq!(report[0]["finding"], "late");
    assert_eq!(report[0]["line"], 2);
    assert_eq!(report[1]["kind"], "no_active_call");
    assert_eq!(report[2]["finding"], "overdue");
    assert_eq!(
        (report[2]["line"].as_u64(), report[2]["agent"].as_str()),
        (Some(5), Some("a2"))
    );
    assert_eq!(report[3]["open"], "a1");
    assert_eq!(report[3]["age"], 35000);
    assert_eq!(report[4]["open"], "a2");
    assert_eq!(report[4]["source"], "ronaTimeout");
    let findings = &report[5]["summary"]["findings"];
    assert_eq!(
        findings,
        &serde_json::json!({"late": 1, "early": 0, "overdue": 1})
    );
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_owned();
    assert!(
        last.ends_with(r#""findings":{"late":1,"early":0,"overdue":1}}}"#),
        "{last}"
    );
}

#[test]
fn findings_fail_only_the_kinds_asked_for() {
    let clean = LOG.replace(
        "{\"agent\":\"a9\",\"event\":\"CustAnswered\",\"time\":26000}\n",
        "",
    );
    let code = |args: &[&str]| replay(args, &clean).status.code();
    assert_eq!(code(&["--time", "-"]), Some(0));
    assert_eq!(code(&["--fail-on", "early", "-"]), Some(0));
    assert_eq!(code(&["--fail-on", "early,late", "-"]), Some(1));
    assert_eq!(code(&["--fail-on", "overdue", "-"]), Some(1));
    assert_eq!(code(&["--fail-on", "all", "-"]), Some(1));
    // A limit wins over the ring timer; a large grace hides both findings.
    assert_eq!(
        code(&["--limit", "offered=1m", "--fail-on", "all", "-"]),
        Some(0)
    );
    assert_eq!(code(&["--grace", "1h", "--fail-on", "all", "-"]), Some(0));
}

#[test]
fn without_time_options_the_report_is_unchanged() {
    let out = replay(&["--json", "-"], LOG);
    let report = lines(&out);
    assert!(report
        .iter()
        .all(|v| v.get("finding").is_none() && v.get("open").is_none()));
    assert!(report.last().unwrap()["summary"].get("findings").is_none());
}

#[test]
fn bad_time_options_are_usage_errors() {
    for args in [
        ["--limit", "ready=1s"],
        ["--limit", "wrapUp"],
        ["--grace", "5"],
        ["--fail-on", "sometimes"],
    ] {
        let out = replay(&[args[0], args[1], "-"], LOG);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn the_report_for_a_person_lists_findings_and_open_calls() {
    let out = replay(&["--time", "-"], LOG);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("findings (time rules)"), "{text}");
    assert!(text.contains("still offered 30s after it began"), "{text}");
    assert!(text.contains("open at the end (2)"), "{text}");
}
