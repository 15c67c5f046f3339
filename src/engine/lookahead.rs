//! Prefetching the agents of the records ahead of the one being applied.

use super::Engine;

/// Fetches the memory of the agents of items a little ahead of the one being
/// applied, in two stages so that nothing waits on memory: the tags a lookup
/// starts with are fetched [`Lookahead::RING`] items ahead; [`Lookahead::AHEAD`]
/// items ahead, when those tags have arrived, they are read to find and fetch the
/// entry. Items are taken in order from 0; `agent(i)` is the agent item `i`
/// names (`None` for an item that is no record, such as a blank line).
pub(crate) struct Lookahead {
    /// The hashes of the agents of the items from the one applied to the last
    /// prefetched, by index modulo `RING`.
    ring: [Option<u64>; Lookahead::RING],
    /// How many items there are.
    len: usize,
}

impl Lookahead {
    /// 8 to 32 measure alike, 16 best (benches/machine.rs, 100k agents).
    const AHEAD: usize = 16;
    const RING: usize = 2 * Lookahead::AHEAD;

    /// Starts on `len` items: hashes the first `RING` and fetches their tags, then
    /// the entries of the first `AHEAD` (`next` fetches the others').
    pub(crate) fn start<'a>(
        engine: &Engine,
        len: usize,
        agent: impl Fn(usize) -> Option<&'a str>,
    ) -> Lookahead {
        let mut ring = [None; Lookahead::RING];
        for (i, slot) in ring.iter_mut().enumerate().take(len) {
            *slot = agent(i).map(|a| engine.agents.hash(a));
            if let Some(hash) = *slot {
                engine.agents.prefetch_tags(hash);
            }
        }
        for hash in ring.iter().take(len.min(Lookahead::AHEAD)).flatten() {
            engine.agents.prefetch_entry(*hash);
        }
        Lookahead { ring, len }
    }

    /// The hash of item `i`'s agent, once the tags of item `i + RING` and the
    /// entry of item `i + AHEAD` are on their way.
    pub(crate) fn next<'a>(
        &mut self,
        engine: &Engine,
        i: usize,
        agent: impl Fn(usize) -> Option<&'a str>,
    ) -> Option<u64> {
        let (slot, len) = (i % Lookahead::RING, self.len);
        let hash = self.ring[slot];
        if i + Lookahead::RING < len {
            self.ring[slot] = agent(i + Lookahead::RING).map(|a| engine.agents.hash(a));
            if let Some(far) = self.ring[slot] {
                engine.agents.prefetch_tags(far);
            }
        }
        if i + Lookahead::AHEAD < len {
            if let Some(near) = self.ring[(i + Lookahead::AHEAD) % Lookahead::RING] {
                engine.agents.prefetch_entry(near);
            }
        }
        hash
    }
}
