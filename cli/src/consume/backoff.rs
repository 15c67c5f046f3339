//! Waiting out a broker that does not answer.

use std::time::Duration;

/// Exponential backoff from 0.5 s to 30 s.
pub(super) struct Backoff {
    /// Waits so far.
    pub tries: u32,
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff { tries: 0 }
    }

    pub fn wait(&mut self) {
        let ms = 500u64.saturating_mul(1 << self.tries.min(6)).min(30_000);
        self.tries += 1;
        std::thread::sleep(Duration::from_millis(ms));
    }
}
