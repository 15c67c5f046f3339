//! `callstate simulate --time-faults` against `replay --time`: the findings
//! replay reports are exactly those `--findings-truth` wrote (precision and
//! recall 1.0), in strict and resync mode.

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

type Key = (String, String, String, String);

fn key(v: &Value) -> Key {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    (s("finding"), s("agent"), s("interaction"), s("state"))
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn day_with_time_faults(dir: &std::path::Path, extra: &[&str]) -> (std::path::PathBuf, Vec<Value>) {
    let log = dir.join("log.jsonl");
    let truth = dir.join("findings.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_callstate"))
        .args([
            "simulate",
            "--agents",
            "25",
            "--records",
            "20000",
            "--seed",
            "21",
        ])
        .args(["--time-faults", "0.2", "--findings-truth"])
        .arg(&truth)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&log, &out.stdout).unwrap();
    (log, json_lines(&std::fs::read(&truth).unwrap()))
}

fn check(extra: &[&str], name: &str) {
    let dir = std::env::temp_dir().join(format!("callstate-simtime-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (log, truth) = day_with_time_faults(&dir, extra);
    let expected: BTreeSet<Key> = truth.iter().map(key).collect();
    assert_eq!(expected.len(), truth.len(), "one finding per stay");
    for kind in ["late", "early", "overdue"] {
        assert!(
            truth.iter().filter(|f| f["finding"] == kind).count() >= 5,
            "too few {kind} findings to mean anything"
        );
    }
    for mode in [&["--strict"][..], &[]] {
        let out = Command::new(env!("CARGO_BIN_EXE_callstate"))
            .args(["replay", "--time", "--json"])
            .args(mode)
            .arg(&log)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "no rejection, no --fail-on");
        let lines = json_lines(&out.stdout);
        assert!(
            lines.iter().all(|l| l.get("kind").is_none()),
            "no rejection"
        );
        let found: Vec<Key> = lines
            .iter()
            .filter(|l| l.get("finding").is_some())
            .map(key)
            .collect();
        assert_eq!(found.len(), truth.len(), "{mode:?}");
        assert_eq!(
            found.into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{mode:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_finds_exactly_the_injected_time_faults() {
    check(&[], "uniform");
}

#[test]
fn replay_finds_exactly_the_injected_time_faults_in_realistic_days() {
    check(&["--realistic"], "realistic");
}
