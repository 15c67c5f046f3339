//! The docs say what the code does.
//!
//! - The generated blocks of `docs/` (the diagram and the table in words in
//!   `state-machine.md`; the events, the notices and the catalogue of the Webex CC
//!   SDK's names in `events.md`; the events, the table and the notices of the
//!   contract, `spec.md`, and its calls' durations and outcomes) must be exactly
//!   what `callstate::graph` and `callstate::call_tables` generate from the
//!   library's data today. To regenerate them:
//!   `CALLSTATE_BLESS=1 cargo test --test integration docs_sync::`, then commit the result.
//! - The worked example of `conformance.md` must be what replay reports.
//! - From v3 the contract lives here: `docs/spec.md` is normative, and no longer
//!   compared with `../shared/SPEC.md` (the v2 text it grew from).

use callstate::replay::{Replay, Verdict};
use callstate::wire::input::Line;
use callstate::{call_tables, graph, Event, Mode};
use serde_json::Value;
use std::path::PathBuf;
use strum::IntoEnumIterator;

/// A block of a doc, between `<!-- BEGIN GENERATED {name} -->` and
/// `<!-- END GENERATED {name} -->`, that is generated from the code.
struct Block {
    file: &'static str,
    name: &'static str,
    content: fn() -> String,
}

/// The Webex CC SDK's notification names, as the catalogue lists them.
const SDK_NAMES: &str = include_str!("../fixtures/webex-sdk-events.txt");

const BLOCKS: &[Block] = &[
    Block {
        file: "docs/state-machine.md",
        name: "DIAGRAM",
        content: || format!("```mermaid\n{}```\n", graph::mermaid()),
    },
    Block {
        file: "docs/state-machine.md",
        name: "TABLE",
        content: graph::table_markdown,
    },
    Block {
        file: "docs/events.md",
        name: "EVENTS",
        content: graph::events_markdown,
    },
    Block {
        file: "docs/events.md",
        name: "CALL NOTICES",
        content: graph::notices_markdown,
    },
    Block {
        file: "docs/events.md",
        name: "AGENT NOTICES",
        content: graph::agent_notices_markdown,
    },
    Block {
        file: "docs/events.md",
        name: "SDK NAMES",
        content: || {
            graph::placements_markdown(SDK_NAMES.lines().map(str::trim).filter(|l| !l.is_empty()))
        },
    },
    Block {
        file: "docs/spec.md",
        name: "EVENTS",
        content: graph::events_markdown,
    },
    Block {
        file: "docs/spec.md",
        name: "CALL NOTICES",
        content: graph::notices_markdown,
    },
    Block {
        file: "docs/spec.md",
        name: "AGENT NOTICES",
        content: graph::agent_notices_markdown,
    },
    Block {
        file: "docs/spec.md",
        name: "TABLE",
        content: graph::table_markdown,
    },
    Block {
        file: "docs/spec.md",
        name: "CALL_BUCKETS",
        content: call_tables::buckets_markdown,
    },
    Block {
        file: "docs/spec.md",
        name: "CALL_OUTCOMES",
        content: call_tables::outcomes_markdown,
    },
];

const BLESS: &str = "CALLSTATE_BLESS";

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file)
}

fn read(file: &str) -> String {
    std::fs::read_to_string(path(file)).unwrap_or_else(|e| panic!("reading {file}: {e}"))
}

/// `text` with the block's content replaced by `content`.
fn splice(text: &str, file: &str, name: &str, content: &str) -> String {
    let begin = format!("<!-- BEGIN GENERATED {name} -->\n");
    let end = format!("<!-- END GENERATED {name} -->");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{file} has no line `{}`", begin.trim_end()))
        + begin.len();
    let stop = text[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("{file} has no line `{end}` after its BEGIN"))
        + start;
    format!("{}{content}{}", &text[..start], &text[stop..])
}

fn first_difference(committed: &str, generated: &str) -> String {
    let mut committed_lines = committed.lines();
    let mut generated_lines = generated.lines();
    for number in 1.. {
        match (committed_lines.next(), generated_lines.next()) {
            (None, None) => break,
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "first difference at line {number}:\n  committed: {}\n  generated: {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                )
            }
        }
    }
    "the files differ in line endings".to_owned()
}

#[test]
fn generated_blocks_match_the_table() {
    let mut files: Vec<&str> = BLOCKS.iter().map(|b| b.file).collect();
    files.dedup();
    let mut stale = Vec::new();
    for file in files {
        let committed = read(file);
        let generated = BLOCKS
            .iter()
            .filter(|b| b.file == file)
            .fold(committed.clone(), |text, b| {
                splice(&text, file, b.name, &(b.content)())
            });
        if committed == generated {
            continue;
        }
        if std::env::var(BLESS).as_deref() == Ok("1") {
            std::fs::write(path(file), &generated)
                .unwrap_or_else(|e| panic!("writing {file}: {e}"));
            continue;
        }
        stale.push(format!(
            "{file}: {}",
            first_difference(&committed, &generated)
        ));
    }
    assert!(
        stale.is_empty(),
        "the docs are out of date with the transition table (src/model/table.rs):\n{}\n\n\
         Regenerate them with\n    {BLESS}=1 cargo test --test integration docs_sync::\n\
         and commit the result.",
        stale.join("\n")
    );
}

#[test]
fn every_event_is_explained_in_events_md() {
    let doc = read("docs/events.md");
    for event in Event::iter() {
        let row = format!("| E{} | `{}` |", event.number(), event.name());
        // Once in the generated table, once in the hand-written meanings.
        assert_eq!(doc.matches(&row).count(), 2, "docs/events.md: {row}");
    }
}

#[test]
fn splice_replaces_only_the_block() {
    let text = "a\n<!-- BEGIN GENERATED X -->\nold\n<!-- END GENERATED X -->\nb\n";
    assert_eq!(
        splice(text, "f", "X", "new\n"),
        "a\n<!-- BEGIN GENERATED X -->\nnew\n<!-- END GENERATED X -->\nb\n"
    );
}

/// The fenced block between `<!-- BEGIN EXAMPLE {name} -->` and its END.
fn example(text: &str, name: &str) -> Vec<String> {
    let begin = format!("<!-- BEGIN EXAMPLE {name} -->");
    let end = format!("<!-- END EXAMPLE {name} -->");
    let start = text.find(&begin).expect("the BEGIN marker") + begin.len();
    let stop = text[start..].find(&end).expect("the END marker") + start;
    let block = &text[start..stop];
    let body: Vec<&str> = block.trim().lines().collect();
    assert!(body.first().is_some_and(|l| l.starts_with("```")) && body.last() == Some(&"```"));
    body[1..body.len() - 1]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// The `--json` report of `lines` as replay writes it in `mode`, `message` left out.
fn replay(lines: &[String], mode: Mode) -> Vec<Value> {
    let mut replay = Replay::default().with_mode(mode);
    let mut out = Vec::new();
    for line in lines {
        if let Verdict::NotAccepted(r) = replay.feed(Line::Text(line.as_bytes())) {
            callstate::replay::write_json_violation(&mut out, replay.line(), &r).unwrap();
        }
    }
    callstate::replay::write_json_summary(&mut out, &replay.summary()).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("message");
            }
            v
        })
        .collect()
}

#[test]
fn the_worked_example_is_what_the_engine_reports() {
    let doc = read("docs/conformance.md");
    let input = example(&doc, "INPUT");
    for (block, mode) in [("REPORT", Mode::Strict), ("RESYNC REPORT", Mode::Resync)] {
        let expected: Vec<Value> = example(&doc, block)
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect();
        let actual = replay(&input, mode);
        let shown: Vec<String> = actual.iter().map(Value::to_string).collect();
        assert_eq!(
            actual,
            expected,
            "docs/conformance.md's example {block} should read:\n{}",
            shown.join("\n")
        );
    }
}

#[test]
fn docs_spec_md_is_v3_and_no_longer_the_shared_v2_text() {
    let doc = read("docs/spec.md");
    assert!(
        doc.starts_with("# callstate — behaviour specification (v3)\n"),
        "docs/spec.md should open with its v3 title"
    );
    assert!(doc.contains("## 10. Changes from v2"));
}
