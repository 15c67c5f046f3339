//! End-to-end tests of the `callstate` binary: the conformance fixtures, bad input,
//! exit codes, and the accounting rule (every record is counted exactly once).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callstate"))
}

/// A conformance fixture: they are the library's, in the repository's tests/fixtures/.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
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

/// The copies of the conformance fixtures beside the repository
/// (`../shared/fixtures/conformance`), when that file is there.
fn shared_fixture(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/conformance");
    let path = dir.join(name);
    path.is_file().then_some(path)
}

/// One line of `tests/fixtures/v3-changes.jsonl`: a report line of a v2 fixture
/// that SPEC v3 changes (`line` is null for the summary), and why.
struct Change {
    fixture: String,
    mode: String,
    line: Option<u64>,
    reason: String,
    v2: Value,
    v3: Value,
}

fn changes() -> Vec<Change> {
    let text = std::fs::read(fixture("v3-changes.jsonl")).unwrap();
    json_lines(&text)
        .into_iter()
        .map(|c| {
            let text = |k: &str| {
                c[k].as_str()
                    .unwrap_or_else(|| panic!("{k}: {c}"))
                    .to_owned()
            };
            Change {
                fixture: text("fixture"),
                mode: text("mode"),
                line: c["line"].as_u64(),
                reason: text("reason"),
                v2: c["v2"].clone(),
                v3: c["v3"].clone(),
            }
        })
        .collect()
}

/// The ids of the rows of docs/spec.md's "Changes from v2" (the first column of its
/// table).
fn changes_from_v2_ids() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let heading = "## 10. Changes from v2";
    let spec = std::fs::read_to_string(root.join("docs/spec.md")).unwrap();
    assert!(
        spec.contains(heading),
        "docs/spec.md has \"Changes from v2\""
    );
    let section = spec.split(heading).nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// A report line keyed by its `line` (`None` for the summary).
fn by_line(report: Vec<Value>) -> std::collections::BTreeMap<Option<u64>, Value> {
    report
        .into_iter()
        .map(|v| (v.get("line").and_then(Value::as_u64), v))
        .collect()
}

/// Replays fixture `name` (the repository's copy and the shared one) in both modes:
/// `--strict` against `NAME.expected.jsonl`, the default (resync) against
/// `NAME.resync.expected.jsonl`. Those are v2's reports: every line where v3's differs
/// must be in `v3-changes.jsonl` with both versions and its reason (SPEC v3 §10), and
/// every line listed there must still differ.
fn check_fixture(name: &str, expected_exit: i32) {
    let changes = changes();
    let ids = changes_from_v2_ids();
    assert!(ids.len() >= 10, "the rows of Changes from v2: {ids:?}");
    for log in [
        Some(fixture(&format!("{name}.jsonl"))),
        shared_fixture(&format!("{name}.jsonl")),
    ]
    .into_iter()
    .flatten()
    {
        let dir = log.parent().unwrap();
        for (mode, flag, expected) in [
            ("strict", "--strict", "expected"),
            ("resync", "", "resync.expected"),
        ] {
            let listed: Vec<&Change> = changes
                .iter()
                .filter(|c| c.fixture == name && c.mode == mode)
                .collect();
            let at = |line: Option<u64>| listed.iter().find(|c| c.line == line);
            let path = dir.join(format!("{name}.jsonl"));
            let out = run(&["replay", "--json", flag, path.to_str().unwrap()], None);
            assert_eq!(out.status.code(), Some(expected_exit), "{name} {mode}");
            let got = json_lines(&out.stdout);
            summary(&got);
            for g in &got {
                if let Some(m) = g.get("message") {
                    assert!(m.as_str().is_some_and(|m| !m.is_empty()), "{g}");
                }
            }
            let numbers: Vec<_> = got
                .iter()
                .map(|g| g.get("line").and_then(Value::as_u64))
                .collect();
            assert!(
                numbers.last() == Some(&None)
                    && numbers[..numbers.len() - 1].windows(2).all(|w| w[0] < w[1]),
                "{name} {mode}: one line per record, in order, then the summary"
            );
            let got = by_line(got.into_iter().map(without_message).collect());
            let v2 = by_line(json_lines(
                &std::fs::read(dir.join(format!("{name}.{expected}.jsonl"))).unwrap(),
            ));
            let unwrap_summary = |v: &Value| v.get("summary").cloned().unwrap_or(v.clone());
            let mut lines: Vec<_> = got.keys().chain(v2.keys()).copied().collect();
            lines.sort();
            lines.dedup();
            for line in lines {
                let (g, e) = (
                    got.get(&line).map_or(Value::Null, unwrap_summary),
                    v2.get(&line).map_or(Value::Null, unwrap_summary),
                );
                let where_ = format!("{} {mode} line {line:?}", path.display());
                match at(line) {
                    None => assert_eq!(g, e, "{where_}: a change from v2 not in v3-changes.jsonl"),
                    Some(c) => {
                        assert_ne!(
                            g, e,
                            "{where_}: listed in v3-changes.jsonl, but v3 gives v2's line"
                        );
                        assert_eq!((&c.v2, &c.v3), (&e, &g), "{where_}: v3-changes.jsonl");
                    }
                }
            }
            for c in &listed {
                check_reason(c, &listed, &ids);
                assert!(
                    got.contains_key(&c.line) || v2.contains_key(&c.line),
                    "{name} {mode} line {:?}: stale in v3-changes.jsonl",
                    c.line
                );
            }
        }
    }
}

/// A change's reason names a row of "Changes from v2"; or, for a consequence of an
/// earlier change (`cascade-of:L`), line L is an earlier change of the same agent with
/// a row of its own; the summary's is `summary`.
fn check_reason(c: &Change, listed: &[&Change], ids: &[String]) {
    let agent = |c: &Change| {
        [&c.v2, &c.v3]
            .iter()
            .find_map(|v| v.get("agent").cloned())
            .unwrap_or(Value::Null)
    };
    let at = format!("{} {} line {:?}: {}", c.fixture, c.mode, c.line, c.reason);
    match (c.line, c.reason.strip_prefix("cascade-of:")) {
        (None, _) => assert_eq!(c.reason, "summary", "{at}"),
        (Some(line), Some(cause)) => {
            let cause: u64 = cause.parse().unwrap_or_else(|e| panic!("{at}: {e}"));
            assert!(cause < line, "{at}: a cause comes first");
            let root = listed
                .iter()
                .find(|e| e.line == Some(cause))
                .unwrap_or_else(|| panic!("{at}: line {cause} is no change"));
            assert!(
                ids.contains(&root.reason),
                "{at}: the cause has no row of its own"
            );
            assert_eq!(agent(root), agent(c), "{at}: the same agent");
            assert!(!agent(c).is_null(), "{at}: a cascade needs an agent");
        }
        (Some(_), None) => assert!(
            ids.contains(&c.reason),
            "{at}: no such row in Changes from v2"
        ),
    }
}

/// Every change listed is for a fixture that is replayed (the rest is checked by
/// `check_fixture`).
#[test]
fn v3_changes_are_for_the_fixtures() {
    for c in changes() {
        assert!(
            ["clean", "edge", "mixed", "lossy"].contains(&c.fixture.as_str())
                && ["strict", "resync"].contains(&c.mode.as_str()),
            "{} {}: not a fixture and mode that is replayed",
            c.fixture,
            c.mode
        );
    }
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
    // v3's counts: the summary of mixed in resync mode in v3-changes.jsonl (SPEC v3 §10).
    assert!(
        text.starts_with("FAIL: 140 of 1,499 records were not accepted\n"),
        "{text}"
    );
    for needle in [
        "interaction mismatch",
        "open calls",
        "calls with a clean event flow: 174 of 244 (71.3%)",
        "\n  line 28: acw: agent is not a non-empty string\n",
        "\n  line 69: eAgentOfferContactRona for int-x95143 from agent agent-0017-a in\n",
        "skipped (another call's event)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .map(|l| l.split_whitespace().last().unwrap().to_owned())
    };
    assert_eq!(row("records").as_deref(), Some("1,499"));
    for (name, n) in [
        ("repaired", "24"),
        ("skipped", "96"),
        ("inferred events", "36"),
    ] {
        assert_eq!(row(name).as_deref(), Some(n), "{name}");
    }
    fits_80_columns_in_one_vocabulary(&text);
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
    assert!(
        text.starts_with("PASS (1 unknown event allowed)"),
        "the headline says what was let through: {text}"
    );
    assert!(
        text.contains("\nunknown event (1):"),
        "still reported: {text}"
    );
    let out = run(&["replay"], Some(line));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("FAIL: 1 of 1 record was not accepted"),
        "{text}"
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

/// How many records of `path` the library accepts without change (a notice, a late
/// notification, a kept snapshot) when replayed in `mode` (`--strict` or resync).
fn accepted_unchanged(path: &Path, mode: &str) -> u64 {
    let mode = if mode == "--strict" {
        callstate::Mode::Strict
    } else {
        callstate::Mode::Resync
    };
    let mut engine = callstate::Engine::new().with_mode(mode);
    std::fs::read(path)
        .unwrap()
        .split(|&b| b == b'\n')
        .filter(|line| {
            matches!(
                callstate::replay::apply_line(&mut engine, line),
                Ok((callstate::Accepted::Unchanged(_), _))
            )
        })
        .count() as u64
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
        // In resync mode a repaired record emits its inferred events, then its own;
        // a record accepted without change emits none (SPEC §3.3, §6).
        assert_eq!(
            events.len() as u64,
            n("accepted") - accepted_unchanged(&path, mode) + n("repaired") + n("inferred"),
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
    let out = run(&["graph", "--format", "xstate"], None);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        callstate::graph::xstate()
    );
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

/// `--format webex`: the library's webex simulator, with `--loss` and
/// `--truth`; `--faults` is refused.
#[test]
fn simulate_writes_webex_days() {
    let args = [
        "simulate",
        "--format",
        "webex",
        "--agents",
        "4",
        "--records",
        "300",
    ];
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(0));
    let mut library = Vec::new();
    let config = callstate::simulate::webex::Config {
        agents: 4,
        records: 300,
        seed: 0,
        loss: 0.0,
    };
    callstate::simulate::webex::write(&config, &mut library).unwrap();
    assert_eq!(out.stdout, library);
    let truth = scratch("webex-truth.jsonl");
    let lossy = [
        &args[..],
        &["--loss", "0.1", "--truth", truth.to_str().unwrap()],
    ]
    .concat();
    let out = run(&lossy, None);
    assert_eq!(out.status.code(), Some(0));
    let lost = std::fs::read_to_string(&truth).unwrap();
    assert!(lost.lines().count() > 10, "{lost}");
    assert!(lost.lines().all(|l| l.contains(r#""kind":"lost""#)));
    let out = run(&[&args[..], &["--faults", "0.1"]].concat(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--faults"));
}

/// #20: a simulated webex day (40 agents, 20,000 records) is accepted record
/// for record by `callstate replay --json`, in resync and in strict mode.
#[test]
fn replay_accepts_a_webex_day_in_both_modes() {
    let day = callstate::simulate::webex::day(1);
    for strict in ["", "--strict"] {
        let out = run(&["replay", "--json", strict], Some(&day));
        assert_eq!(out.status.code(), Some(0), "{strict}");
        let report = json_lines(&out.stdout);
        assert_eq!(report.len(), 1, "{strict}: lines not accepted: {report:?}");
        let s = summary(&report);
        assert_eq!(s["records"], 20_000, "{strict}");
        assert_eq!(s["accepted"], 20_000, "{strict}");
        assert_eq!(s["agents"], 40, "{strict}");
    }
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
    for format in ["mermaid", "dot", "xstate"] {
        assert_eq!(
            run(&["graph", "--format", format], None).status.code(),
            Some(0)
        );
    }
}

/// The report for a person: every line within 80 columns, no `-` placeholders,
/// and the kinds in one set of words (never the `--json` names).
fn fits_80_columns_in_one_vocabulary(text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line:?}");
        assert!(!line.contains(" - "), "a placeholder: {line:?}");
    }
    use strum::IntoEnumIterator;
    let snake_case = callstate::RejectionKind::iter().map(|k| k.name());
    for kind in snake_case.filter(|k| k.contains('_')) {
        assert!(!text.contains(kind), "{kind} is a --json word:\n{text}");
    }
}

/// `/dev/full` opened for writing: every write fails with "no space left".
fn dev_full() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
}

/// Runs the binary with stdin from `stdin` (a file, or nothing) and stderr or
/// stdout going to `/dev/full`.
fn run_into_full(args: &[&str], stdin: Option<&Path>, full_stdout: bool) -> Option<Output> {
    let full = dev_full()?;
    let mut cmd = bin();
    cmd.args(args).stdin(match stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).unwrap()),
        None => Stdio::null(),
    });
    if full_stdout {
        cmd.stdout(full).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::piped()).stderr(full);
    }
    Some(cmd.output().unwrap())
}

fn cut_gzip() -> PathBuf {
    let whole = gzip(&std::fs::read(fixture("mixed.jsonl")).unwrap());
    let cut = scratch("cut-in-half.jsonl.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    cut
}

/// `eprintln!` panics when stderr cannot be written (exit 101); no output
/// failure may panic: exit 2, with nothing said (there is nowhere to say it).
#[test]
fn an_unwritable_stderr_exits_2_without_a_panic() {
    if dev_full().is_none() {
        eprintln!("no /dev/full here: skipped");
        return;
    }
    let mixed = fixture("mixed.jsonl");
    let mixed = mixed.to_str().unwrap();
    let cut = cut_gzip();
    let five = scratch("five-bytes.gz");
    std::fs::write(&five, b"\x1f\x8b\x08\x00\x00").unwrap();
    let cases: [&[&str]; 7] = [
        &["replay", "--json", "/no/such/missing.jsonl"],
        &["replay", "/no/such/missing.jsonl"],
        &["replay", cut.to_str().unwrap()],
        &["replay", "--json", five.to_str().unwrap()],
        &["emit", mixed],
        &["emit", "/no/such/missing.jsonl"],
        &["simulate", "--agents", "0"],
    ];
    for args in cases {
        let out = run_into_full(args, None, false).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// A full disk on stdout: said on stderr, exit 2, for every command.
#[test]
fn an_unwritable_stdout_says_so_and_exits_2() {
    if dev_full().is_none() {
        eprintln!("no /dev/full here: skipped");
        return;
    }
    let mixed = fixture("mixed.jsonl");
    let mixed = mixed.to_str().unwrap();
    let cases: [&[&str]; 6] = [
        &["replay", "--json", mixed],
        &["replay", mixed],
        &["emit", mixed],
        &["paths"],
        &["graph"],
        &["simulate", "--records", "100"],
    ];
    for args in cases {
        let out = run_into_full(args, None, true).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("callstate: cannot write the output: "),
            "{args:?}: {err}"
        );
    }
}

/// Reads the first line of the output and closes the pipe, as `| head -1`
/// does; the output is far larger than any pipe buffer, so the write after the
/// close always fails. Returns the exit code and stderr.
fn first_line_then_close(args: &[&str], stdin: Option<&Path>) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = bin()
        .args(args)
        .stdin(match stdin {
            Some(path) => Stdio::from(std::fs::File::open(path).unwrap()),
            None => Stdio::null(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty(), "{args:?}: no output");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

/// `| head -1`: the run ends quietly. The exit code follows a rule, not the
/// pipe's buffer: 2 when records were left unjudged (replay --json, emit), the
/// verdict when every record was judged before the output (the report for a
/// person), 0 for commands that judge nothing.
#[test]
fn a_closed_stdout_ends_quietly_with_a_documented_exit_code() {
    let bad = scratch("many-malformed.jsonl");
    std::fs::write(&bad, "not json\n".repeat(200_000)).unwrap();
    let log = scratch("many-records.jsonl");
    let sim = run(&["simulate", "--agents", "50", "--records", "200000"], None);
    std::fs::write(&log, &sim.stdout).unwrap();
    let (bad, log) = (bad.to_str().unwrap(), log.to_str().unwrap());
    let cases: [(&[&str], i32); 7] = [
        (&["replay", "--json", bad], 2),
        (&["replay", "--json", "-j", "1", bad], 2),
        (&["replay", "--json", "-"], 2),
        (&["replay", "--show", "60000", bad], 1),
        (&["emit", log], 2),
        (&["simulate", "--records", "200000"], 0),
        (&["paths"], 0),
    ];
    for (args, code) in cases {
        let stdin = args.contains(&"-").then(|| Path::new(bad));
        let (got, err) = first_line_then_close(args, stdin);
        assert_eq!(got, Some(code), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}: a closed pipe is not worth a message");
    }
}

#[test]
fn empty_input_says_no_records() {
    for input in [&b""[..], b"\n \n"] {
        let out = run(&["replay"], Some(input));
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("NO RECORDS"), "{text}");
    }
}

#[test]
fn a_read_error_says_incomplete_and_exits_2() {
    let cut = cut_gzip();
    let cut = cut.to_str().unwrap();
    let five = scratch("five.gz");
    std::fs::write(&five, b"\x1f\x8b\x08\x00\x00").unwrap();
    let five = five.to_str().unwrap();
    for jobs in ["1", "3"] {
        let out = run(&["replay", "-j", jobs, cut], None);
        assert_eq!(out.status.code(), Some(2));
        let text = String::from_utf8(out.stdout).unwrap();
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.starts_with(&format!("INCOMPLETE: reading {cut} failed after its line ")),
            "{text}"
        );
        fits_80_columns_in_one_vocabulary(text.split_once('\n').unwrap().1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("error reading {cut} after its line ")),
            "{err}"
        );

        let out = run(&["replay", "-j", jobs, five], None);
        assert_eq!(out.status.code(), Some(2));
        let text = String::from_utf8(out.stdout).unwrap();
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let headline = format!("INCOMPLETE: reading {five} failed before its first line");
        assert!(words.starts_with(&headline), "{text}");
    }
}

/// Several inputs are one log: agent state carries over and `--json` lines keep
/// counting, while the report for a person names each file and its own line.
/// The same for any number of parser threads.
#[test]
fn several_inputs_name_the_file_and_its_line() {
    let log = std::fs::read(fixture("mixed.jsonl")).unwrap();
    let text = String::from_utf8(log.clone()).unwrap();
    // Cut after lines 100 and 1000; the third part gzipped.
    let mut at = text.match_indices('\n').map(|(i, _)| i + 1);
    let (cut1, cut2) = (at.nth(99).unwrap(), at.nth(899).unwrap());
    let parts = [
        (scratch("part1.jsonl"), log[..cut1].to_vec()),
        (scratch("part2.jsonl"), log[cut1..cut2].to_vec()),
        (scratch("part3.jsonl.gz"), gzip(&log[cut2..])),
    ];
    let mut args = vec!["replay", "--show", "1000"];
    for (path, bytes) in &parts {
        std::fs::write(path, bytes).unwrap();
        args.push(path.to_str().unwrap());
    }
    let whole = run(
        &["replay", "--json", fixture("mixed.jsonl").to_str().unwrap()],
        None,
    );
    let mut json = args.clone();
    json.insert(1, "--json");
    let mut human = None;
    for jobs in ["1", "4"] {
        let mut with_jobs = json.clone();
        with_jobs.extend(["-j", jobs]);
        let out = run(&with_jobs, None);
        assert_eq!(out.stdout, whole.stdout, "-j {jobs}: one log in parts");
        let mut with_jobs = args.clone();
        with_jobs.extend(["-j", jobs]);
        let out = run(&with_jobs, None);
        assert_eq!(out.status.code(), Some(1));
        match &human {
            None => human = Some(out.stdout),
            Some(one) => assert_eq!(&out.stdout, one, "-j {jobs}: the report for a person"),
        }
    }
    let human = String::from_utf8(human.unwrap()).unwrap();
    fits_80_columns_in_one_vocabulary(&human);
    let report = json_lines(&whole.stdout);
    for v in &report[..report.len() - 1] {
        let line = v["line"].as_u64().unwrap() as usize;
        let (path, local) = match line {
            ..=100 => (&parts[0].0, line),
            101..=1000 => (&parts[1].0, line - 100),
            _ => (&parts[2].0, line - 1000),
        };
        let at = format!("\n  {}:{local}: ", path.display());
        assert!(human.contains(&at), "no {at:?} in\n{human}");
    }
}

#[test]
fn a_pretty_printed_document_gets_a_hint() {
    let sample = fixture("seed-sample-outbound-call.json");
    let out = run(&["replay", sample.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("looks like a pretty-printed JSON document")
            && err.contains(&format!("jq -c . {} | callstate replay", sample.display())),
        "{err}"
    );
    let out = run(
        &["replay", "--json"],
        Some(&std::fs::read(&sample).unwrap()),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin> looks like a pretty-printed"), "{err}");
    // Malformed lines, one object per line: no hint.
    let out = run(&["replay"], Some(b"{\"agent\":1}\nnot json\n"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// `--help` of every command: within 80 columns, no Markdown, examples that work
/// outside the repository, and both modes explained.
#[test]
fn help_fits_80_columns_and_works_anywhere() {
    let kafka = cfg!(feature = "kafka").then_some("consume");
    let commands = ["", "replay", "emit", "paths", "graph", "simulate"];
    for command in commands.into_iter().chain(kafka) {
        let out = bin()
            .args([command, "--help"].iter().filter(|a| !a.is_empty()))
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8(out.stdout).unwrap();
        for line in help.lines() {
            assert!(line.chars().count() <= 80, "{command}: {line:?}");
            assert!(!line.contains('`'), "{command}: Markdown in {line:?}");
            if line.contains("tests/fixtures") {
                assert!(line.contains("In the repository"), "{command}: {line:?}");
            }
        }
        if command == "replay" || command == "emit" || command == "consume" {
            assert!(help.contains("--strict"), "{command}");
            assert!(help.contains("resync"), "{command}: {help}");
        }
    }
}

/// Drives the binary from a pseudo-terminal (with Python's `pty` module): types
/// `typed`, then Ctrl-D once. Returns whether the binary ended, and its exit code
/// — `None` when it still waited for input after 10 seconds.
fn at_a_terminal(args: &[&str], typed: &str) -> Option<Option<i32>> {
    const DRIVER: &str = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
def drain(seconds):
    end = time.time() + seconds
    while True:
        ready, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not ready:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return
os.write(fd, os.environ["TYPED"].encode())
drain(0.3)
os.write(fd, b"\x04")
deadline = time.time() + 10
while time.time() < deadline:
    drain(0.05)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exit", os.waitstatus_to_exitcode(status))
        sys.exit(0)
os.kill(pid, 9)
os.waitpid(pid, 0)
print("waiting")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(DRIVER)
        .arg(env!("CARGO_BIN_EXE_callstate"))
        .args(args)
        .env("TYPED", typed)
        .output()
        .ok()?;
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || !(said.starts_with("exit ") || said == "waiting") {
        return None; // no python3 or no pty module
    }
    Some(said.strip_prefix("exit ").map(|c| c.parse().unwrap()))
}

/// At a terminal, one Ctrl-D ends the input (it used to take two or three).
#[test]
fn one_ctrl_d_ends_input_at_a_terminal() {
    let record = "{\"agent\":\"a\",\"event\":\"Ready\"}\n";
    let cases: [(&[&str], &str, i32); 5] = [
        (&["replay", "-j", "1"], record, 0),
        (&["replay", "-j", "2"], record, 0),
        (&["replay", "-j", "1"], "", 0),
        (&["replay", "-j", "2"], "", 0),
        (&["emit"], "not json\n", 1),
    ];
    for (args, typed, code) in cases {
        let Some(ended) = at_a_terminal(args, typed) else {
            eprintln!("no python3 with a pty module here: skipped");
            return;
        };
        assert_eq!(ended, Some(code), "{args:?} after {typed:?} and one Ctrl-D");
    }
}

/// A resync replay of a log with lost events costs less than one report line
/// per loss (the simulator's ground truth counts them; tests/simulate.rs checks
/// the truth itself).
#[test]
fn a_lossy_log_costs_fewer_report_lines_than_losses() {
    let truth = scratch("lossy.truth.jsonl");
    let truth_arg = truth.to_str().unwrap();
    let simulate = [
        "simulate",
        "--agents",
        "50",
        "--records",
        "20000",
        "--seed",
        "9",
        "--loss",
        "0.01",
        "--truth",
        truth_arg,
    ];
    let log = run(&simulate, None);
    assert_eq!(log.status.code(), Some(0));
    let lost = std::fs::read(&truth)
        .unwrap()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    assert!(lost > 100, "{lost} losses");
    let report = run(&["replay", "--json", "-"], Some(&log.stdout));
    let lines = report
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    assert!(lines - 1 < lost, "{lines} report lines for {lost} losses");
}
