//! The simulator's memory is O(agents): independent of the number of records.
//!
//! A test binary of its own, so that its counting allocator sees only this test.

use callstate::simulate::{self, Config, Format};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of live heap bytes while simulating `config` into a sink.
fn peak_while_simulating(config: &Config) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    simulate::write(config, &mut std::io::sink()).expect("a sink never fails");
    PEAK.load(Ordering::Relaxed) - base
}

#[test]
fn memory_depends_on_agents_not_on_records() {
    let config = |agents, records| Config {
        agents,
        records,
        seed: 1,
        faults: 0.05,
        format: Format::Mixed,
        ..Config::default()
    };
    let short = peak_while_simulating(&config(100, 2_000));
    let long = peak_while_simulating(&config(100, 40_000));
    // The same agents, 20 times the records: the same peak, give or take the
    // few calls open at any moment.
    assert!(
        long < short + 16 * 1024,
        "2k records: {short} B, 40k: {long} B"
    );

    let many = peak_while_simulating(&config(10_000, 2_000));
    let per_agent = (many - short) / (10_000 - 100);
    assert!(per_agent < 512, "{per_agent} B per agent");
}
