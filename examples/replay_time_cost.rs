//! The work of `replay/single_thread` and `replay/single_thread_time_rules`
//! (benches/replay.rs) once, for an instruction count under cachegrind or
//! `perf stat`:
//!
//! ```sh
//! cargo run --release --example replay_time_cost -- write /tmp/mixed.jsonl
//! valgrind --tool=cachegrind target/release/examples/replay_time_cost /tmp/mixed.jsonl
//! valgrind --tool=cachegrind target/release/examples/replay_time_cost /tmp/mixed.jsonl time
//! ```

#[path = "../benches/support/mixed_log.rs"]
mod support;
use callstate::replay::Replay;
use callstate::wire::input::{LineReader, Source, DEFAULT_MAX_LINE};
use callstate::{Phase, TimeRules};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", path] => {
            if let Err(e) = std::fs::write(path, support::mixed_log()) {
                fail(&format!("cannot write {path}: {e}"));
            }
        }
        [path] => replay(read(path), false),
        [path, "time"] => replay(read(path), true),
        _ => fail("bad arguments"),
    }
}

fn fail(why: &str) -> ! {
    eprintln!("{why}\nusage: replay_time_cost write FILE | replay_time_cost FILE [time]");
    std::process::exit(2);
}

/// The log, leaked so that a `Source` can read it ('static), as the bench does.
fn read(path: &str) -> &'static [u8] {
    let log = std::fs::read(path).unwrap_or_else(|e| fail(&format!("cannot read {path}: {e}")));
    Box::leak(log.into_boxed_slice())
}

/// The bench's loop: the same rules, every finding taken as the CLI takes them.
fn replay(log: &'static [u8], time: bool) {
    let mut replay = Replay::default();
    if time {
        let rules = TimeRules::default().with_limit(Phase::WrapUp, 60_000);
        replay = replay.with_time(rules.unwrap_or_default());
    }
    let Ok(source) = Source::from_reader("log", log) else {
        return;
    };
    let mut lines = LineReader::new(source.into_reader(), DEFAULT_MAX_LINE);
    while let Ok(Some(line)) = lines.next_line() {
        black_box(replay.feed(line));
        if time {
            black_box(replay.take_findings());
        }
    }
    let summary = replay.summary();
    println!("{}", summary.records);
}
