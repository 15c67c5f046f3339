//! Per-record cost of `Engine::apply` in Rust, for the bindings' comparison
//! (bindings/bench/run): `cargo run --release --example apply_cost -- LOG`.
//! Prints ns/record for (a) parse + apply of each line as text — the work a
//! binding's `apply(text)` does — and (b) `Engine::apply` alone on records
//! parsed beforehand.
// As in the library: `Rejection` is the error callers read field by field.
#![allow(clippy::result_large_err)]

use callstate::{wire as records, Engine, Mode};
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: apply_cost LOG");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut engine = Engine::new().with_mode(Mode::Resync);
    let start = Instant::now();
    let mut accepted = 0usize;
    for line in &lines {
        let ok = records::parse_str(line)
            .and_then(|w| w.record().and_then(|r| engine.apply_with_call(&r)))
            .is_ok();
        accepted += usize::from(ok);
    }
    let text_ns = start.elapsed().as_nanos() as f64 / lines.len() as f64;
    let wires: Vec<_> = lines
        .iter()
        .filter_map(|l| records::parse_str(l).ok())
        .collect();
    let parsed: Vec<_> = wires.iter().filter_map(|w| w.record().ok()).collect();
    let mut engine = Engine::new().with_mode(Mode::Resync);
    let start = Instant::now();
    for r in &parsed {
        let _ = std::hint::black_box(engine.apply(r));
    }
    let apply_ns = start.elapsed().as_nanos() as f64 / parsed.len() as f64;
    println!(
        "rust: {} records ({accepted} accepted): parse+apply {text_ns:.0} ns/record, Engine::apply alone {apply_ns:.0} ns/record",
        lines.len()
    );
}
