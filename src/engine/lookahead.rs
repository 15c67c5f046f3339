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
    // Any ring longer than AHEAD works: cargo-mutants' `+` for `*` is equivalent.
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
        // cargo-mutants' `<=` here is equivalent: the item past the last names no
        // agent, and its slot is never read.
        if i + Lookahead::RING < len {
            self.ring[slot] = agent(i + Lookahead::RING).map(|a| engine.agents.hash(a));
            if let Some(far) = self.ring[slot] {
                engine.agents.prefetch_tags(far);
            }
        }
        // cargo-mutants' `==`, `>` or `<=` for `<` and `*` for either `+` below
        // are equivalent: they change only which entries are fetched.
        if i + Lookahead::AHEAD < len {
            if let Some(near) = self.ring[(i + Lookahead::AHEAD) % Lookahead::RING] {
                engine.agents.prefetch_entry(near);
            }
        }
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_gives_each_items_agent_hash_in_turn() {
        let engine = Engine::new();
        // Every seventh item names no agent (a blank line, say).
        let items: Vec<Option<String>> = (0..100)
            .map(|i| (i % 7 != 3).then(|| format!("agent-{}", i % 40)))
            .collect();
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 100] {
            let agent = |i: usize| items[..len].get(i).and_then(|a| a.as_deref());
            let mut ahead = Lookahead::start(&engine, len, agent);
            for i in 0..len {
                let expected = agent(i).map(|a| engine.hash(a));
                assert_eq!(ahead.next(&engine, i, agent), expected, "item {i} of {len}");
            }
        }
    }
}
