//! Bytes per tracked agent: builds an engine of N agents with UUID ids, most of them
//! holding a call with a UUID interaction id, and reports the process's resident
//! memory growth per agent (Linux, from /proc/self/statm). With `time`, the engine
//! has time rules (SPEC §11) and every offer carries an 18 s `ronaTimeout`, so each
//! offered agent's stay has a deadline being watched.
//!
//! ```sh
//! cargo run --release --example memory -- 1000000
//! cargo run --release --example memory -- 1000000 time
//! ```

use callstate::{Engine, Event, Record, TimeRules, Timers};

#[path = "../benches/support/ids.rs"]
#[allow(dead_code)] // the example needs only the ids, not the shuffle or the hash
mod ids;
use ids::uuid_like;

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    let agents: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: memory [AGENTS [time]]   (a positive number; default 1000000)");
            std::process::exit(2);
        }
    };
    let before = resident_bytes().unwrap_or(0);
    let time = std::env::args().nth(2).as_deref() == Some("time");
    let mut engine = Engine::new();
    if time {
        engine = engine.with_time(TimeRules::default());
    }
    let ring = Timers {
        rona: Some("18"),
        ..Timers::NONE
    };
    let mut id = String::new();
    let mut call = String::new();
    for n in 0..agents {
        id.clear();
        id.push_str(&uuid_like(n as usize));
        call.clear();
        call.push_str(&uuid_like((n + agents) as usize));
        // Three agents in four hold a call, as in a busy campaign.
        let event = if n % 4 == 0 {
            Event::AgentIdle
        } else {
            Event::OfferContact
        };
        let record = Record::new(&id, event)
            .interaction(&call)
            .at(1_718_965_700_000)
            .timers(ring);
        if let Err(e) = engine.apply(&record) {
            eprintln!("unexpected rejection: {e}");
            std::process::exit(1);
        }
    }
    let after = resident_bytes().unwrap_or(0);
    let per_agent = after.saturating_sub(before) as f64 / agents as f64;
    println!(
        "{agents} agents ({} holding a call): {:.1} MiB resident, {per_agent:.0} bytes per agent",
        engine.open_calls(),
        after.saturating_sub(before) as f64 / (1 << 20) as f64
    );
    println!(
        "machine: {} bytes inline",
        std::mem::size_of::<callstate::Machine>()
    );
}
