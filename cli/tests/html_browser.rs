//! `callstate replay --html`: the page's promises checked as a person would see
//! them, in a real browser (headless Chromium): no console message, nothing
//! fetched, the summary's numbers in the DOM equal to the `--json` summary, every
//! phase of the table drawn, and a screenshot that is a drawing, not a blank.
//!
//! Without a `chromium` on PATH (or at `$CALLSTATE_CHROMIUM`) the browser tests
//! say so and pass, unless `CALLSTATE_REQUIRE_BROWSER=1` (as `.ci/run` sets it),
//! when they fail. The checks that need no browser always run.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callstate-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn callstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callstate"))
        .args(args)
        .output()
        .unwrap()
}

/// Replays `inputs` with `--html` and `--json`: the page, and the summary object.
fn page_and_summary(name: &str, inputs: &[&Path]) -> (PathBuf, serde_json::Map<String, Value>) {
    let page = scratch(&format!("{name}.html"));
    let mut args = vec!["replay", "--json", "--html", page.to_str().unwrap()];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    let out = callstate(&args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    let summary: Value = serde_json::from_str(last).unwrap();
    (page, summary["summary"].as_object().unwrap().clone())
}

/// The browser, if there is one; `None` (said on stderr) when it may be missing.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("CALLSTATE_CHROMIUM").map(PathBuf::from);
    let found = named.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|b| dir.join(b)))
            .find(|p| p.is_file())
    });
    let required = std::env::var("CALLSTATE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    match found {
        Some(found) => Some(found),
        None if required => panic!("CALLSTATE_REQUIRE_BROWSER=1 but no chromium on PATH"),
        None => {
            eprintln!(
                "SKIPPED: no chromium on PATH (apt-get install chromium to run the browser tests)"
            );
            None
        }
    }
}

/// Runs headless Chromium on `page` with `extra` flags; its stdout and stderr.
fn browse(chromium: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let profile = scratch(&format!(
        "profile-{}",
        page.file_stem().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(extra)
        .arg(&url)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every `data-key="…" data-count="…"` pair in `html`.
fn counts(html: &str) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for part in html.split("data-key=\"").skip(1) {
        let Some((key, rest)) = part.split_once('"') else {
            continue;
        };
        let Some(count) = rest.trim_start().strip_prefix("data-count=\"") else {
            continue;
        };
        let count = count.split('"').next().unwrap().parse().unwrap();
        found.push((key.to_owned(), count));
    }
    found
}

/// The part of `html` from `start` to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The DOM's numbers are the `--json` summary's, and every phase is drawn.
fn check_dom(dom: &str, summary: &serde_json::Map<String, Value>) {
    let table = between(dom, "<table class=\"summary\">", "</table>");
    let flow = &summary["flow"];
    let by_kind: Vec<(String, u64)> = flow["rejected_by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_owned(),
                k["records"].as_u64().unwrap(),
            )
        })
        .collect();
    let rows = counts(table);
    assert!(rows.len() >= 8, "{rows:?}");
    for (key, count) in rows {
        let expected = summary
            .get(&key)
            .and_then(Value::as_u64)
            .or_else(|| by_kind.iter().find(|(k, _)| *k == key).map(|k| k.1));
        assert_eq!(Some(count), expected, "{key}");
    }
    for state in flow["states"].as_array().unwrap() {
        let name = state["state"].as_str().unwrap();
        let rejected = state["rejected"].as_u64().unwrap();
        let drawn =
            format!("id=\"state-{name}\" data-state=\"{name}\" data-rejected=\"{rejected}\"");
        assert!(dom.contains(&drawn), "{drawn}");
    }
    let interactions = summary["interactions"].as_u64().unwrap();
    if let Some(clean) = summary
        .get("clean_interactions")
        .filter(|_| interactions > 0)
    {
        let shown = format!(
            "data-clean=\"{clean}\" data-interactions=\"{}\"",
            summary["interactions"]
        );
        assert!(dom.contains(&shown), "{shown}");
    }
}

/// The page asks for nothing outside itself.
fn check_self_contained(html: &str) {
    assert!(html.contains("Content-Security-Policy"));
    for scheme in [
        "http://", "https://", "<script", "<link", "@import", "url(http", "url(//",
    ] {
        assert!(!html.contains(scheme), "the page has {scheme}");
    }
    assert!(html.len() < 3 << 20, "{} bytes", html.len());
}

/// No console message at all: a CSP violation, a failed load and a script
/// error would all be one.
fn check_console(stderr: &str) {
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "{console:#?}");
}

#[test]
fn pages_of_the_fixtures_in_a_browser() {
    let Some(chromium) = chromium() else {
        return;
    };
    let bad = scratch("bad.jsonl");
    std::fs::write(
        &bad,
        "not json\n{\"agent\":\"a\",\"event\":\"Swapped\"}\n\u{1}\n",
    )
    .unwrap();
    let cases: [(&str, Vec<PathBuf>); 4] = [
        ("mixed", vec![fixture("mixed.jsonl")]),
        ("lossy", vec![fixture("lossy.jsonl")]),
        ("parts", vec![fixture("clean.jsonl"), fixture("edge.jsonl")]),
        ("bad", vec![bad]),
    ];
    for (name, inputs) in cases {
        let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
        let (page, summary) = page_and_summary(name, &inputs);
        let html = std::fs::read_to_string(&page).unwrap();
        check_self_contained(&html);
        let (dom, stderr) = browse(&chromium, &page, &["--dump-dom"]);
        assert!(dom.contains("id=\"map\""), "{name}: {stderr}");
        check_console(&stderr);
        check_dom(&dom, &summary);
        if name == "bad" {
            assert!(dom.contains("data-key=\"malformed\" data-count=\"2\""));
            assert!(dom.contains("the line is not valid JSON"));
        }
        let shot = scratch(&format!("{name}.png"));
        let (_, stderr) = browse(
            &chromium,
            &page,
            &[
                "--window-size=1280,1800",
                "--hide-scrollbars",
                &format!("--screenshot={}", shot.display()),
            ],
        );
        check_console(&stderr);
        check_drawing(&shot);
    }
}

/// The screenshot is a picture: many colours, and most of it not background.
fn check_drawing(png: &Path) {
    let (width, height, pixels) = decode_png(&std::fs::read(png).unwrap());
    assert!(width >= 1000 && height >= 1000, "{width}×{height}");
    let mut colours = std::collections::HashMap::new();
    for p in &pixels {
        *colours.entry(*p).or_insert(0usize) += 1;
    }
    let background = colours.values().max().copied().unwrap_or(0);
    assert!(colours.len() > 200, "{} colours", colours.len());
    assert!(background < pixels.len() * 9 / 10, "mostly one colour");
}

/// A PNG's width, height and RGB pixels: 8-bit RGB or RGBA, not interlaced
/// (what Chromium writes). The zlib stream is inflated with flate2, so that the
/// check needs no image crate.
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (mut at, mut idat) = (8, Vec::new());
    let (mut width, mut height, mut channels) = (0, 0, 0);
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!((data[8], data[12]), (8, 0), "8-bit, not interlaced");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("colour type {other}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    let mut previous = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for row in raw.chunks(stride + 1).take(height) {
        let (filter, line) = (row[0], &row[1..]);
        let mut current = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= channels {
                current[i - channels]
            } else {
                0
            };
            let b = previous[i];
            let c = if i >= channels {
                previous[i - channels]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                other => panic!("filter {other}"),
            };
            current[i] = line[i].wrapping_add(predicted);
        }
        pixels.extend(current.chunks(channels).map(|p| [p[0], p[1], p[2]]));
        previous = current;
    }
    (width, height, pixels)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[test]
fn an_unwritable_page_is_exit_2_before_reading() {
    let out = callstate(&[
        "replay",
        "--html",
        "/nonexistent-dir/report.html",
        fixture("mixed.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write /nonexistent-dir/report.html"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn flow_adds_an_object_to_the_summary_and_nothing_else() {
    let path = fixture("lossy.jsonl");
    let plain = callstate(&["replay", "--json", path.to_str().unwrap()]);
    let with = callstate(&["replay", "--json", "--flow", path.to_str().unwrap()]);
    let (plain, with) = (
        String::from_utf8(plain.stdout).unwrap(),
        String::from_utf8(with.stdout).unwrap(),
    );
    let (plain_lines, with_lines): (Vec<&str>, Vec<&str>) =
        (plain.lines().collect(), with.lines().collect());
    assert_eq!(
        plain_lines[..plain_lines.len() - 1],
        with_lines[..with_lines.len() - 1]
    );
    let mut summary: Value = serde_json::from_str(with_lines.last().unwrap()).unwrap();
    let flow = summary["summary"]
        .as_object_mut()
        .unwrap()
        .remove("flow")
        .unwrap();
    let plain: Value = serde_json::from_str(plain_lines.last().unwrap()).unwrap();
    assert_eq!(summary, plain);
    // The flow accounts for every record: rejected ones by phase, accepted ones
    // and repaired ones by transition.
    let sum = |list: &str, key: &str| -> u64 {
        flow[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[key].as_u64().unwrap())
            .sum()
    };
    let s = &plain["summary"];
    assert_eq!(sum("states", "rejected"), s["rejected"].as_u64().unwrap());
    assert_eq!(
        sum("transitions", "accepted") + sum("states", "unchanged"),
        s["accepted"].as_u64().unwrap()
    );
    assert_eq!(
        sum("transitions", "repaired"),
        s["repaired"].as_u64().unwrap()
    );
    assert_eq!(
        sum("transitions", "inferred"),
        s["inferred"].as_u64().unwrap()
    );
    let repairs: u64 = sum("repairs", "records");
    assert_eq!(repairs, s["rejected"].as_u64().unwrap());
}

/// With time rules and durations the page shows the summary's `findings` and
/// each phase's p50 from its `calls`, as `--json` has them; `--html` alone
/// turns neither on.
#[test]
fn time_findings_and_durations_on_the_page() {
    let lossy = fixture("lossy.jsonl");
    let plain = scratch("plain.html");
    let out = callstate(&[
        "replay",
        "--html",
        plain.to_str().unwrap(),
        lossy.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    let html = std::fs::read_to_string(&plain).unwrap();
    assert!(!html.contains("id=\"findings\"") && !html.contains("id=\"durations\""));

    let page = scratch("timed.html");
    let out = callstate(&[
        "replay",
        "--json",
        "--time",
        "--durations",
        "--html",
        page.to_str().unwrap(),
        lossy.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let (findings, calls) = (&last["summary"]["findings"], &last["calls"]);
    assert!(findings.is_object() && calls.is_object(), "{last}");
    let html = std::fs::read_to_string(&page).unwrap();
    check_self_contained(&html);
    let Some(chromium) = chromium() else {
        return;
    };
    let (dom, stderr) = browse(&chromium, &page, &["--dump-dom"]);
    check_console(&stderr);
    for (kind, n) in findings.as_object().unwrap() {
        let shown = format!("data-finding=\"{kind}\" data-count=\"{n}\"");
        assert!(dom.contains(&shown), "{shown}");
    }
    assert!(dom.contains(&format!(
        "data-calls=\"finished\" data-count=\"{}\"",
        calls["finished"]
    )));
    let mut drawn = 0;
    for (phase, d) in calls["durations"].as_object().unwrap() {
        if d["calls"].as_u64() == Some(0) {
            assert!(!dom.contains(&format!("data-phase=\"{phase}\"")), "{phase}");
            continue;
        }
        let shown = format!(
            "data-phase=\"{phase}\" data-calls=\"{}\" data-mean=\"{}\" data-p50=\"{}\"",
            d["calls"], d["mean"], d["p50"]
        );
        assert!(dom.contains(&shown), "{shown}");
        drawn += 1;
    }
    assert!(drawn >= 3, "{drawn} phases drawn");
}
