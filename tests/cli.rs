#![cfg(feature = "cli")]
//! End-to-end tests of the `callstate` binary: the conformance fixtures, bad input,
//! exit codes, and the accounting rule (every record is counted exactly once).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callstate"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callstate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs the binary; an empty argument (a test's "no flag" choice) is left out.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = bin()
        .args(args.iter().filter(|a| !a.is_empty()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The summary of a `--json` report, after checking the accounting rule.
fn summary(report: &[Value]) -> &serde_json::Map<String, Value> {
    let s = report.last().unwrap()["summary"].as_object().unwrap();
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(
        n("records"),
        n("accepted") + n("rejected") + n("unknown") + n("malformed"),
        "records are lost or counted twice: {s:?}"
    );
    assert_eq!(
        report.len() as u64 - 1,
        n("rejected") + n("unknown") + n("malformed"),
        "one line per record not accepted"
    );
    s
}

fn replay_json(input: &[u8]) -> (Vec<Value>, i32) {
    let out = run(&["replay", "--json", "-"], Some(input));
    (json_lines(&out.stdout), out.status.code().unwrap())
}

fn without_message(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("message");
    }
    v
}

/// Replays fixture `name` in both modes: `--strict` against `NAME.expected.jsonl`,
/// the default (resync) against `NAME.resync.expected.jsonl`.
fn check_fixture(name: &str, expected_exit: i32) {
    check_fixture_in(name, "--strict", "expected", expected_exit);
    check_fixture_in(name, "", "resync.expected", expected_exit);
}

fn check_fixture_in(name: &str, mode: &str, expected: &str, expected_exit: i32) {
    let path = fixture(&format!("{name}.jsonl"));
    let out = run(&["replay", "--json", mode, path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(expected_exit), "{name} {mode}");
    let got = json_lines(&out.stdout);
    let expected =
        json_lines(&std::fs::read(fixture(&format!("{name}.{expected}.jsonl"))).unwrap());
    assert_eq!(got.len(), expected.len(), "{name}: number of report lines");
    for (g, e) in got.iter().zip(&expected) {
        if let Some(m) = g.get("message") {
            assert!(m.as_str().is_some_and(|m| !m.is_empty()), "{g}");
        }
        assert_eq!(without_message(g.clone()), *e, "{name}");
    }
    summary(&got);
}

#[test]
fn mixed_fixture_reproduces_its_report() {
    check_fixture("mixed", 1);
}

/// An adversarial log (every alias in odd case, null and mistyped fields, CRLF,
/// bad UTF-8, BOM, deep nesting, duplicate keys, Unicode blank lines, …) whose
/// expected report comes from an independent implementation of SPEC.md.
#[test]
fn edge_case_fixture_matches_the_independent_implementation() {
    check_fixture("edge", 1);
}

#[test]
fn clean_fixture_reproduces_its_report() {
    check_fixture("clean", 0);
}

/// Clean agent-days with 2% of the records deleted: the case resync is for.
#[test]
fn lossy_fixture_reproduces_its_report() {
    check_fixture("lossy", 1);
}

#[test]
fn a_file_and_stdin_give_the_same_report() {
    let path = fixture("mixed.jsonl");
    let one = run(&["replay", "--json", path.to_str().unwrap()], None);
    let stdin = std::fs::read(&path).unwrap();
    let piped = run(&["replay", "--json"], Some(&stdin));
    assert_eq!(
        one.stdout, piped.stdout,
        "a file and stdin give the same report"
    );
}

#[test]
fn jobs_give_byte_identical_reports() {
    for (name, mode) in [
        ("mixed", ""),
        ("clean", ""),
        ("edge", ""),
        ("lossy", ""),
        ("mixed", "--strict"),
        ("lossy", "--strict"),
    ] {
        let path = fixture(&format!("{name}.jsonl"));
        let path = path.to_str().unwrap();
        let one = run(&["replay", "--json", mode, "--jobs", "1", path], None);
        for jobs in ["2", "3", "8"] {
            let many = run(&["replay", "--json", mode, "--jobs", jobs, path], None);
            assert_eq!(many.status.code(), one.status.code(), "{name} -j {jobs}");
            assert!(
                many.stdout == one.stdout,
                "{name}: -j {jobs} differs from -j 1"
            );
        }
        let human_one = run(&["replay", "-j", "1", path], None);
        let human_many = run(&["replay", "-j", "4", path], None);
        assert_eq!(human_one.stdout, human_many.stdout, "{name}: human report");
    }
}

#[test]
fn jobs_agree_on_line_limits_long_lines_and_unterminated_ends() {
    let mixed = std::fs::read(fixture("mixed.jsonl")).unwrap();
    let big = format!(
        "{{\"agent\":\"z\",\"event\":\"Ready\",\"pad\":\"{}\"}}\r\n",
        "p".repeat(3 << 20)
    );
    let a = scratch("limits-a.jsonl");
    let b = scratch("limits-b.jsonl");
    let mut first = mixed.clone();
    first.extend_from_slice(big.as_bytes());
    first.extend_from_slice(b"{\"agent\":\"z\",\"event\":\"Idle\"}"); // no final newline
    std::fs::write(&a, &first).unwrap();
    std::fs::write(&b, &mixed).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for limit in ["200", "1000", "2000000", "67108864"] {
        let one = run(
            &[
                "replay",
                "--json",
                "-j",
                "1",
                "--max-line-bytes",
                limit,
                a,
                b,
            ],
            None,
        );
        let two = run(
            &[
                "replay",
                "--json",
                "-j",
                "2",
                "--max-line-bytes",
                limit,
                a,
                b,
            ],
            None,
        );
        assert!(
            one.stdout == two.stdout,
            "--max-line-bytes {limit}: -j 2 differs"
        );
        let report = json_lines(&one.stdout);
        let s = summary(&report);
        assert_eq!(s["records"], 1499 * 2 + 2, "--max-line-bytes {limit}");
    }
}

#[test]
fn human_report_shows_counts_and_violations() {
    let path = fixture("mixed.jsonl");
    let out = run(&["replay", path.to_str().unwrap(), "--show", "1"], None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("FAIL"), "{text}");
    for needle in [
        "records                        1499",
        "interaction_mismatch",
        "open calls",
        "line 28: agent - event acw state -",
        "line 69: agent agent-0017-a event eAgentOfferContactRona state offered",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let out = run(&["replay", fixture("clean.jsonl").to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("PASS"));
}

#[test]
fn files_continue_line_numbers_and_allow_unknown_keeps_the_report() {
    let a = scratch("a.jsonl");
    let b = scratch("b.jsonl");
    std::fs::write(&a, "{\"agent\":\"x\",\"event\":\"Ready\"}\n\n").unwrap();
    std::fs::write(&b, "{\"agent\":\"x\",\"event\":\"Swapped\"}").unwrap();
    let args = ["replay", "--json", a.to_str().unwrap(), b.to_str().unwrap()];
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(1));
    let report = json_lines(&out.stdout);
    assert_eq!(report[0]["line"], 3);
    assert_eq!(report[0]["kind"], "unknown_event");
    assert_eq!(report[0]["state"], "ready");
    assert_eq!(summary(&report)["records"], 2);

    let mut allow = args.to_vec();
    allow.push("--allow-unknown");
    let out = run(&allow, None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_lines(&out.stdout), report, "the report is unchanged");
}

#[test]
fn allow_unknown_report_for_a_person_passes_too() {
    let line = b"{\"agent\":\"a\",\"event\":\"Bogus\"}\n";
    let out = run(&["replay", "--allow-unknown"], Some(line));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("PASS"), "{text}");
    assert!(
        text.contains("unknown_event (1):"),
        "still reported: {text}"
    );
}

#[test]
fn a_text_file_starting_like_gzip_is_read_as_text() {
    let path = scratch("not-gzip.jsonl");
    std::fs::write(
        &path,
        b"\x1f\x8b\x00junk\n{\"agent\":\"a\",\"event\":\"Ready\"}\n",
    )
    .unwrap();
    let out = run(&["replay", "--json", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let report = json_lines(&out.stdout);
    assert_eq!(report[0]["kind"], "malformed");
    assert_eq!(summary(&report)["accepted"], 1);
}

#[test]
fn jobs_and_show_are_bounded() {
    for bad in ["0", "1025", "18446744073709551615", "-1"] {
        let out = run(&["replay", "--jobs", bad, "-"], Some(b""));
        assert_eq!(out.status.code(), Some(2), "--jobs {bad}");
    }
    let out = run(&["replay", "--show", "99999999999", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn initial_idle_starts_agents_idle() {
    let line = b"{\"agent\":\"x\",\"interaction\":\"c\",\"event\":\"eAgentOfferContact\"}\n";
    let out = run(&["replay", "--json", "--initial", "idle"], Some(line));
    let report = json_lines(&out.stdout);
    assert_eq!(report[0]["kind"], "agent_not_ready");
    assert_eq!(report[0]["state"], "idle");
    let (report, code) = replay_json(line);
    assert_eq!((report.len(), code), (1, 0));
}

#[test]
fn not_json_and_invalid_utf8_are_malformed() {
    let input = b"not json\n{\"agent\":\"\xff\xfe\",\"event\":\"Ready\"}\n[1]\n\"s\"\n";
    let (report, code) = replay_json(input);
    assert_eq!(code, 1);
    let s = summary(&report);
    assert_eq!(
        (s["records"].as_u64(), s["malformed"].as_u64()),
        (Some(4), Some(4))
    );
    for v in &report[..4] {
        assert_eq!(v["kind"], "malformed");
        assert_eq!(v["state"], Value::Null);
    }
    assert_eq!(s["agents"], 0, "malformed records name no agent");
}

#[test]
fn truncated_last_line_is_one_malformed_record() {
    let input = b"{\"agent\":\"a\",\"event\":\"Ready\"}\n{\"agent\":\"a\",\"ev";
    let (report, code) = replay_json(input);
    assert_eq!(code, 1);
    assert_eq!(report[0]["line"], 2);
    assert_eq!(report[0]["kind"], "malformed");
    // Not JSON: nothing is read from it (as line 1477 of the mixed fixture pins).
    assert_eq!(report[0]["agent"], Value::Null);
    assert_eq!(summary(&report)["accepted"], 1);
}

#[test]
fn a_two_megabyte_line_is_read_whole() {
    let big = "x".repeat(2 << 20);
    let line = format!(
        "{{\"agent\":\"a\",\"interaction\":\"c\",\"event\":\"AgentOfferContact\",\"note\":\"{big}\"}}\n"
    );
    let (report, code) = replay_json(line.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(summary(&report)["accepted"], 1);
    // Over the configured limit, the same line is malformed, not stored.
    let out = run(
        &["replay", "--json", "--max-line-bytes", "1000000", "-"],
        Some(line.as_bytes()),
    );
    let report = json_lines(&out.stdout);
    assert_eq!(report[0]["kind"], "malformed");
    assert_eq!(summary(&report)["malformed"], 1);
}

#[test]
fn nesting_5000_deep_is_malformed_without_a_crash() {
    let deep = format!(
        "{{\"agent\":\"a\",\"event\":\"Ready\",\"x\":{}{}}}\n{{\"agent\":\"a\",\"event\":\"Ready\"}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (report, code) = replay_json(deep.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(report[0]["kind"], "malformed");
    assert_eq!(summary(&report)["accepted"], 1);
}

#[test]
fn empty_input_is_a_clean_empty_report() {
    let empty = scratch("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let out = run(&["replay", "--json", empty.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let report = json_lines(&out.stdout);
    assert_eq!(report.len(), 1);
    assert_eq!(summary(&report)["records"], 0);
    // Blank lines only: no records, still line-counted.
    let (report, code) = replay_json(b"\n  \n\t\r\n");
    assert_eq!((summary(&report)["records"].as_u64(), code), (Some(0), 0));
}

#[test]
fn missing_file_and_directory_exit_2_with_a_clear_message() {
    let out = run(&["replay", "/no/such/file.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open /no/such/file.jsonl"), "{err}");
    assert!(out.stdout.is_empty(), "no report before the inputs open");

    let out = run(&["replay", env!("CARGO_MANIFEST_DIR")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(run(&["replay", "--bogus"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(
        run(&["replay", "--initial", "busy"], None).status.code(),
        Some(2)
    );
    for args in [&["--help"][..], &["replay", "--help"], &["emit", "--help"]] {
        let out = run(args, None);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Example"),
            "{args:?} shows an example:\n{help}"
        );
    }
    let out = run(&["--version"], None);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("callstate "));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn gzip_input_is_read_and_a_cut_gzip_exits_2_after_reporting() {
    let log = std::fs::read(fixture("mixed.jsonl")).unwrap();
    let (plain, _) = replay_json(&log);
    let mut two_members = gzip(&log[..log.len() / 2]);
    two_members.extend(gzip(&log[log.len() / 2..]));
    let path = scratch("mixed.jsonl.gz");
    std::fs::write(&path, &two_members).unwrap();
    let out = run(&["replay", "--json", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_lines(&out.stdout),
        plain,
        "multi-member gzip = plain text"
    );

    let whole = gzip(&log);
    let cut = scratch("cut.jsonl.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let out = run(&["replay", "--json", cut.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error reading"), "{err}");
    let report = json_lines(&out.stdout);
    let records = summary(&report)["records"].as_u64().unwrap();
    assert!(
        records > 0 && records < 1499,
        "the lines before the cut are reported"
    );
}

#[test]
fn emit_gives_one_event_per_accepted_record() {
    for (name, mode) in [
        ("clean", "--strict"),
        ("mixed", "--strict"),
        ("clean", ""),
        ("mixed", ""),
        ("lossy", ""),
    ] {
        let path = fixture(&format!("{name}.jsonl"));
        let out = run(&["emit", mode, path.to_str().unwrap()], None);
        let events = json_lines(&out.stdout);
        let report =
            json_lines(&run(&["replay", "--json", mode, path.to_str().unwrap()], None).stdout);
        let s = summary(&report);
        let n = |k: &str| s.get(k).and_then(Value::as_u64).unwrap_or(0);
        // In resync mode a repaired record emits its inferred events, then its own.
        assert_eq!(
            events.len() as u64,
            n("accepted") + n("repaired") + n("inferred"),
            "{name} {mode}"
        );
        let inferred = events
            .iter()
            .filter(|e| e["message"]["source"] == "inferred")
            .count() as u64;
        assert_eq!(inferred, n("inferred"), "{name} {mode}");
        if name == "lossy" {
            assert!(inferred > 0);
        }
        let not_accepted = json_lines(&out.stderr);
        assert_eq!(
            not_accepted,
            report[..report.len() - 1],
            "{name}: stderr lists the rest"
        );
        assert_eq!(out.status.code(), Some(if name == "clean" { 0 } else { 1 }));
        for e in &events {
            assert_eq!(e["channel"], "Webexcc");
            assert_eq!(e["topic"], "outbound");
            assert_eq!(e["subtopic"], "OutBoundCallStateChange");
            let source = &e["message"]["source"];
            assert!(source == "event" || source == "inferred", "{source}");
            if source == "inferred" {
                assert!(e["message"]["call"].get("ResponseActual").is_none());
            }
            let call = &e["message"]["call"];
            assert_eq!(call["CallType"], "Regular-Call");
            assert_eq!(call["ResponseFields"]["Type"], "OUTBOUND");
            assert!(call["ResponseFields"]["CallState"].is_string());
            assert!(callstate::Event::resolve(call["event"].as_str().unwrap()).is_some());
        }
    }
}

#[test]
fn seed_sample_compacted_replays_after_an_offer() {
    let seed: Value =
        serde_json::from_slice(&std::fs::read(fixture("seed-sample-outbound-call.json")).unwrap())
            .unwrap();
    let offer = r#"{"agent":"97f9e4c2-1b32-42a6-b6aa-13ba08fe4ae0","interaction":"1191fe75-f6ab-413a-8275-2be7e7669a97","event":"eAgentOfferContact","time":1718965753000}"#;
    let log = format!("{offer}\n{}\n", serde_json::to_string(&seed).unwrap());
    let (report, code) = replay_json(log.as_bytes());
    assert_eq!(code, 0, "{report:?}");
    let s = summary(&report);
    assert_eq!(
        (s["accepted"].as_u64(), s["open_calls"].as_u64()),
        (Some(2), Some(1))
    );
    let out = run(&["emit", "-"], Some(log.as_bytes()));
    let events = json_lines(&out.stdout);
    let call = &events[1]["message"]["call"];
    assert_eq!(call["event"], "CustAnswered");
    assert_eq!(call["id"], "1191fe75-f6ab-413a-8275-2be7e7669a97");
    assert_eq!(call["ResponseFields"]["CallState"], "connected");
    assert_eq!(
        call["CallVariables"],
        seed["message"]["call"]["CallVariables"]
    );
    assert_eq!(
        call["ResponseActual"],
        seed["message"]["call"]["ResponseActual"]
    );
}

#[test]
fn paths_replay_clean_and_cover_the_table() {
    let out = run(&["paths"], None);
    assert_eq!(out.status.code(), Some(0));
    let (report, code) = replay_json(&out.stdout);
    assert_eq!(code, 0, "{:?}", &report[..report.len().min(3)]);
    let s = summary(&report);
    assert_eq!(
        s["agents"],
        callstate::paths::all().len() as u64,
        "one agent per path"
    );
    let json = run(&["paths", "--format", "json"], None);
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        doc["paths"].as_array().unwrap().len(),
        callstate::paths::all().len()
    );
}

#[test]
fn graph_prints_the_diagram_the_docs_embed() {
    let out = run(&["graph", "--format", "mermaid"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        callstate::graph::mermaid()
    );
    let out = run(&["graph", "--format", "dot"], None);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("digraph"));
    assert_eq!(
        run(&["graph", "--format", "svg"], None).status.code(),
        Some(2)
    );
}

#[test]
fn simulate_is_deterministic_and_jobs_agree_on_faulty_logs() {
    for format in ["native", "envelope", "websocket", "mixed"] {
        let args = [
            "simulate",
            "--agents",
            "40",
            "--records",
            "6000",
            "--seed",
            "11",
            "--faults",
            "0.05",
            "--format",
            format,
        ];
        let log = run(&args, None);
        assert_eq!(log.status.code(), Some(0));
        assert_eq!(
            log.stdout,
            run(&args, None).stdout,
            "{format}: same seed, same bytes"
        );
        let one = run(&["replay", "--json", "-j", "1"], Some(&log.stdout));
        let two = run(&["replay", "--json", "-j", "2"], Some(&log.stdout));
        let five = run(&["replay", "--json", "-j", "5"], Some(&log.stdout));
        assert_eq!(one.status.code(), Some(1), "{format}: faults are found");
        assert!(
            one.stdout == two.stdout && one.stdout == five.stdout,
            "{format}: -j differs"
        );
        summary(&json_lines(&one.stdout));
    }
    let clean = run(
        &[
            "simulate",
            "--agents",
            "30",
            "--records",
            "5000",
            "--format",
            "mixed",
        ],
        None,
    );
    let (report, code) = replay_json(&clean.stdout);
    assert_eq!(
        code,
        0,
        "a log without faults replays clean: {:?}",
        report.first()
    );
    assert_eq!(
        run(&["simulate", "--agents", "0"], None).status.code(),
        Some(2)
    );
}

/// The CLI maps its own `--format` words onto every library format (the
/// library's enums carry no clap derives).
#[test]
fn simulate_takes_every_library_format() {
    use strum::IntoEnumIterator;
    for format in callstate::simulate::Format::iter() {
        let word = format.to_string();
        let args = [
            "simulate",
            "--agents",
            "1",
            "--records",
            "3",
            "--format",
            &word,
        ];
        assert_eq!(run(&args, None).status.code(), Some(0), "{word}");
    }
    for format in ["mermaid", "dot"] {
        assert_eq!(
            run(&["graph", "--format", format], None).status.code(),
            Some(0)
        );
    }
}
