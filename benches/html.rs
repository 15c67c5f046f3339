//! What `replay --html` costs over a plain replay of the same log: a
//! 200,000-record mixed log (simulated, seed 1, 1% faults) held in memory,
//! replayed as the command line does (2 parser threads, the report for a
//! person keeping its examples), plain, and with a `Flow` fed every verdict,
//! its report and the page rendered. The two run in alternating rounds, so
//! that a machine shared with other work slows both alike; the medians and
//! their ratio are printed (the target is at most 1.10).

#[path = "support/mixed_log.rs"]
mod support;
use callstate::html::HtmlReport;
use callstate::replay::{self, Flow, HumanReport, Replay, ReplayOptions, Verdict};
use support::mixed_log;

use callstate::wire::input::Source;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One replay of `log`; with `page`, the flow and the page too. Returns its time.
fn round(log: &'static [u8], page: bool) -> Duration {
    let started = Instant::now();
    let options = ReplayOptions::default().with_jobs(2);
    let mut replay = options.start();
    let mut human = HumanReport::new(5);
    let mut flow = page.then(Flow::default);
    let source = Source::from_reader("bench", log).unwrap();
    replay::replay_sources(
        vec![source],
        &options,
        &mut replay,
        |replay: &mut Replay, v| {
            if let Some(flow) = flow.as_mut() {
                flow.note(replay.line(), &v);
            }
            if let Verdict::NotAccepted(r) = v {
                human.note(replay.line(), &r);
            }
            Ok(())
        },
    )
    .unwrap();
    black_box(replay.summary());
    if let Some(flow) = flow {
        let report = flow.report(&replay, 10);
        black_box(HtmlReport::new(&replay, &human, &report).render());
    }
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo bench -- --test` (as CI runs every benchmark): one round of each.
    let test = std::env::args().any(|a| a == "--test");
    let rounds = if test { 1 } else { 15 };
    let log: &'static [u8] = Box::leak(mixed_log().into_boxed_slice());
    // Warm up both.
    round(log, false);
    round(log, true);
    let (mut plain, mut page) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        plain.push(round(log, false));
        page.push(round(log, true));
    }
    let (plain, page) = (median(plain), median(page));
    println!(
        "html/plain_replay   median {plain:?}\nhtml/replay_and_page median {page:?}\nratio {:.3} over {rounds} alternating rounds",
        page.as_secs_f64() / plain.as_secs_f64()
    );
}
