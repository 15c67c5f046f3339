//! The engine's table of agents: agent id → [`Machine`].
//!
//! An open-addressing hash table with linear probing, written for one access
//! pattern: records of many agents, in no order, each looked up once, agents
//! added and never removed. It is ours rather than `hashbrown`'s for one reason:
//! [`Engine::apply_all`](crate::Engine::apply_all) fetches the memory of records
//! it will apply soon, and that needs the *address* an agent's slot is probed
//! from, computed from the hash alone. hashbrown finds a slot only by reading its
//! control bytes, which with 100k agents is itself a wait on memory.
//!
//! Layout: one tag byte per slot ([`EMPTY`], or 7 bits of the hash) in `tags`, the
//! entries in `slots` at the same index. A lookup starts at the slot the hash's
//! low bits name and walks right (wrapping) past tags that differ, until the
//! agent or an empty slot. The load factor stays at most 7/8, so there is always
//! an empty slot to stop at. At the fullest, finding a known agent walks about 4.5
//! tags on average (within one 64-tag line), a new agent's about 33; only a slot
//! whose tag matches (1 in 128 of the others) has its entry read.

use crate::engine::clock::Stay;
use crate::model::id::Id;
use crate::model::machine::Machine;
use std::hash::BuildHasher;

/// The tag of a slot no agent is in. Tags of agents have the high bit clear.
const EMPTY: u8 = 0x80;

/// One agent: its id (inline, so comparing keys reads no other memory) and its
/// machine.
#[derive(Debug, Clone)]
struct Entry {
    agent: Id,
    machine: Machine,
    /// Its current stay, kept under time rules only.
    stay: Stay,
}

/// Agent ids to machines, hashed with a fast, DoS-resistant hasher.
#[derive(Debug, Clone, Default)]
pub(crate) struct Agents {
    /// `EMPTY`, or the tag of the agent in the slot; a power of two long, or 0.
    tags: Box<[u8]>,
    /// `Some` exactly where `tags` is not `EMPTY`.
    slots: Box<[Option<Entry>]>,
    len: usize,
    hasher: foldhash::fast::RandomState,
}

impl Agents {
    pub(crate) fn hash(&self, agent: &str) -> u64 {
        self.hasher.hash_one(agent.as_bytes())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, agent: &str) -> Option<&Machine> {
        let found = self.find(agent, self.hash(agent)).ok()?;
        self.slots[found].as_ref().map(|e| &e.machine)
    }

    /// Drops every agent's `last_event` (strict mode keeps none).
    pub(crate) fn forget_resync_memory(&mut self) {
        for entry in self.slots.iter_mut().flatten() {
            entry.machine.last_event = None;
        }
    }

    /// Drops every agent's stay (an engine without time rules keeps none).
    pub(crate) fn forget_stays(&mut self) {
        for entry in self.slots.iter_mut().flatten() {
            entry.stay = Stay::default();
        }
    }

    /// The machine of `agent` (whose hash is `hash`), added with `new` if the
    /// table does not hold it yet.
    #[cfg(test)]
    pub(crate) fn get_or_insert(
        &mut self,
        agent: &str,
        hash: u64,
        new: impl FnOnce() -> Machine,
    ) -> &mut Machine {
        self.get_or_insert_with_stay(agent, hash, new).0
    }

    /// The machine and stay of `agent` (whose hash is `hash`), the machine
    /// added with `new` if the table does not hold it yet.
    pub(crate) fn get_or_insert_with_stay(
        &mut self,
        agent: &str,
        hash: u64,
        new: impl FnOnce() -> Machine,
    ) -> (&mut Machine, &mut Stay) {
        let at = match self.find(agent, hash) {
            Ok(found) => found,
            Err(empty) if !self.is_full() => self.put(empty, hash, agent, new()),
            Err(_) => {
                self.grow();
                let empty = self.empty_slot(hash);
                self.put(empty, hash, agent, new())
            }
        };
        match &mut self.slots[at] {
            Some(entry) => (&mut entry.machine, &mut entry.stay),
            // `find` and `put` return only slots holding an entry.
            None => unreachable!(),
        }
    }

    /// The machine and stay of `agent`, if the table holds it.
    pub(crate) fn get_with_stay(&mut self, agent: &str) -> Option<(&Machine, &mut Stay)> {
        let found = self.find(agent, self.hash(agent)).ok()?;
        self.slots[found]
            .as_mut()
            .map(|e| (&e.machine, &mut e.stay))
    }

    /// Every agent with its machine and stay.
    pub(crate) fn iter_with_stays(&self) -> impl Iterator<Item = (&str, &Machine, &Stay)> {
        self.slots
            .iter()
            .flatten()
            .map(|e| (e.agent.as_str(), &e.machine, &e.stay))
    }

    /// Adds an agent the table does not hold yet.
    pub(crate) fn insert_new(&mut self, agent: &str, machine: Machine) {
        if self.is_full() {
            self.grow();
        }
        let hash = self.hash(agent);
        let empty = self.empty_slot(hash);
        self.put(empty, hash, agent, machine);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Machine)> {
        self.slots
            .iter()
            .flatten()
            .map(|e| (e.agent.as_str(), &e.machine))
    }

    /// Is fetching ahead worth it: can this build prefetch at all, and is the
    /// table larger than a core's caches commonly are (2 MiB), so that looking
    /// agents up means waiting on memory unless it is fetched early?
    // Only speed depends on the answer (both paths of `Engine::apply_all` give the
    // same verdicts), so cargo-mutants' `true`, `>>` for `<<` and `||` for `&&` here
    // are equivalent mutants; so is `>=` for `>`, as 160 bytes times a power of two
    // is never exactly 2 MiB.
    pub(crate) fn prefetches(&self) -> bool {
        const CACHES: usize = 2 << 20;
        self.can_prefetch() && self.slots.len() * std::mem::size_of::<Option<Entry>>() > CACHES
    }

    /// Does this build have a prefetch instruction ([`prefetch_lines`])?
    // Only speed depends on it too: cargo-mutants' `true` and `false` here are
    // equivalent.
    pub(crate) fn can_prefetch(&self) -> bool {
        cfg!(all(target_arch = "x86_64", target_feature = "sse"))
    }

    /// Asks the CPU to fetch the tags a lookup of `hash` starts with. Reads
    /// nothing, so nothing waits; the first of two prefetch stages.
    // A prefetch is only a hint: cargo-mutants' deleting the body of this,
    // `prefetch_entry` or `prefetch_lines` is equivalent.
    #[inline]
    pub(crate) fn prefetch_tags(&self, hash: u64) {
        if let Some(tag) = self.tags.get(self.home(hash)) {
            prefetch_lines(tag);
        }
    }

    /// Asks the CPU to fetch the entry `hash` most likely belongs to: the first
    /// slot from its home whose tag matches, found without comparing keys, so
    /// only the tags are read (the first stage fetched them). A wrong guess costs
    /// one useless prefetch.
    #[inline]
    pub(crate) fn prefetch_entry(&self, hash: u64) {
        if self.tags.is_empty() {
            return;
        }
        let (mask, tag) = (self.tags.len() - 1, tag(hash));
        let mut at = self.home(hash);
        loop {
            match self.tags[at] {
                EMPTY => return,
                // cargo-mutants' `true` or `false` for this guard, or `!=` for `==`,
                // is equivalent: it changes only which slot is fetched.
                t if t == tag => return prefetch_lines(&self.slots[at]),
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// The slot holding `agent`, or the empty slot where the walk stopped.
    #[inline]
    fn find(&self, agent: &str, hash: u64) -> Result<usize, usize> {
        if self.tags.is_empty() {
            return Err(0);
        }
        let (mask, tag) = (self.tags.len() - 1, tag(hash));
        let agent = agent.as_bytes();
        let mut at = self.home(hash);
        loop {
            match self.tags[at] {
                EMPTY => return Err(at),
                t if t == tag && self.slots[at].as_ref().is_some_and(|e| e.agent.is(agent)) => {
                    return Ok(at)
                }
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// The first empty slot from `hash`'s home.
    fn empty_slot(&self, hash: u64) -> usize {
        let mask = self.tags.len() - 1;
        let mut at = self.home(hash);
        while self.tags[at] != EMPTY {
            at = (at + 1) & mask;
        }
        at
    }

    fn put(&mut self, at: usize, hash: u64, agent: &str, machine: Machine) -> usize {
        self.tags[at] = tag(hash);
        self.slots[at] = Some(Entry {
            agent: Id::new(agent),
            machine,
            stay: Stay::default(),
        });
        self.len += 1;
        at
    }

    /// Would one more agent take the load factor past 7/8?
    fn is_full(&self) -> bool {
        (self.len + 1) * 8 > self.tags.len() * 7
    }

    /// Doubles the table (16 slots at first) and moves every entry over.
    fn grow(&mut self) {
        let capacity = (self.tags.len() * 2).max(16);
        let old = std::mem::replace(
            &mut self.slots,
            std::iter::repeat_with(|| None).take(capacity).collect(),
        );
        self.tags = vec![EMPTY; capacity].into_boxed_slice();
        for entry in old.into_vec() {
            let Some(entry) = entry else { continue };
            let hash = self.hash(entry.agent.as_str());
            let at = self.empty_slot(hash);
            self.tags[at] = tag(hash);
            self.slots[at] = Some(entry);
        }
    }

    /// Where a lookup of `hash` starts. Only called with a non-empty table.
    #[inline]
    fn home(&self, hash: u64) -> usize {
        hash as usize & self.tags.len().wrapping_sub(1)
    }
}

/// The 7 high bits of `hash` (the home slot comes from the low bits).
// cargo-mutants' `0`, `1` or `<<` for `>>` here (one tag for every agent) is
// equivalent: only speed depends on it, as every slot's key is then compared.
#[inline]
fn tag(hash: u64) -> u8 {
    (hash >> 57) as u8
}

impl PartialEq for Agents {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, m)| other.get(k) == Some(m))
    }
}

/// Asks the CPU to bring every cache line of `value` into cache. Only a hint: it
/// reads nothing, so nothing waits for it.
#[inline(always)]
fn prefetch_lines<T>(value: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        const LINE: usize = 64;
        let start = std::ptr::from_ref(value).cast::<i8>();
        // cargo-mutants' `/` or `+` for the first `%`, and `*` for the `+` of
        // `span`, are equivalent: they only fetch other lines, or more of them.
        let first = start.wrapping_sub(start as usize % LINE);
        let span = start as usize % LINE + std::mem::size_of::<T>();
        for offset in (0..span).step_by(LINE) {
            // SAFETY: a prefetch never faults, whatever the address, and has no
            // effect but on timing; `sse` is enabled by the cfg above.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(first.wrapping_add(offset));
            }
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::Availability;
    use std::collections::HashMap;

    fn machine(n: usize) -> Machine {
        let mut m = Machine::new();
        m.step(
            crate::model::vocabulary::Event::AgentIdle,
            None,
            Some(n as i64),
        )
        .unwrap();
        m
    }

    #[test]
    fn an_agent_costs_160_bytes_of_which_24_are_its_stay() {
        // The id (40), the machine (96) and the stay of the time rules (24):
        // SPEC §11 adds 24 bytes per agent, with or without time rules.
        assert_eq!(std::mem::size_of::<Stay>(), 24);
        assert_eq!(std::mem::size_of::<Option<Entry>>(), 160);
        assert_eq!(
            std::mem::size_of::<Option<(Id, Machine)>>(),
            136,
            "without the stay"
        );
    }

    #[test]
    fn holds_what_a_std_map_holds_through_growth() {
        let mut table = Agents::default();
        let mut model: HashMap<String, Machine> = HashMap::new();
        assert_eq!(table.get("a"), None);
        for n in 0..5_000 {
            // Every third id is seen again; some ids are long (boxed) or empty.
            let id = match n % 7 {
                0 => "x".repeat(n % 90),
                _ => format!("agent-{}", n % 3_000),
            };
            let hash = table.hash(&id);
            let m = table.get_or_insert(&id, hash, || Machine::starting(Availability::Idle));
            let expected = model
                .entry(id.clone())
                .or_insert_with(|| Machine::starting(Availability::Idle));
            assert_eq!(m, expected);
            *m = machine(n);
            *expected = machine(n);
            assert_eq!(table.len(), model.len());
        }
        for (id, m) in &model {
            assert_eq!(table.get(id), Some(m), "{id}");
        }
        assert_eq!(table.iter().count(), model.len());
        assert!(table.iter().all(|(id, m)| model.get(id) == Some(m)));
        assert_eq!(table.get("never-seen"), None);
        let load = table.len() * 8;
        assert!(load <= table.tags.len() * 7 && load > table.tags.len() * 7 / 2);
    }

    #[test]
    fn insert_new_and_equality_ignore_order() {
        let ids: Vec<String> = (0..100).map(|n| format!("a{n}")).collect();
        let (mut forward, mut backward) = (Agents::default(), Agents::default());
        for (n, id) in ids.iter().enumerate() {
            forward.insert_new(id, machine(n));
        }
        for (n, id) in ids.iter().enumerate().rev() {
            backward.insert_new(id, machine(n));
        }
        assert_eq!(forward, backward);
        backward.insert_new("one-more", Machine::new());
        assert_ne!(forward, backward);
    }

    #[test]
    fn prefetching_changes_nothing_on_any_table() {
        let mut table = Agents::default();
        for hash in [0, 1, u64::MAX] {
            table.prefetch_tags(hash);
            table.prefetch_entry(hash);
        }
        assert_eq!((table.len(), table.tags.len()), (0, 0));
        for n in 0..200u64 {
            table.insert_new(&n.to_string(), machine(n as usize));
            let before = table.clone();
            table.prefetch_tags(n);
            table.prefetch_entry(u64::MAX - n);
            table.prefetch_entry(table.hash(&n.to_string()));
            assert_eq!(table, before);
            assert_eq!(table.tags, before.tags);
        }
    }

    #[test]
    fn the_table_fills_to_seven_eighths_before_it_doubles() {
        // 16 slots at first, doubled whenever one more agent would take the load
        // past 7/8: 14 agents fit in 16 slots, 28 in 32, 56 in 64.
        let expected_slots = |agents: usize| match agents {
            1..=14 => 16,
            15..=28 => 32,
            29..=56 => 64,
            _ => 128,
        };
        let (mut inserted, mut looked_up) = (Agents::default(), Agents::default());
        for n in 1..=57 {
            let id = format!("agent-{n}");
            inserted.insert_new(&id, Machine::new());
            let hash = looked_up.hash(&id);
            looked_up.get_or_insert(&id, hash, Machine::new);
            for table in [&inserted, &looked_up] {
                assert_eq!(table.len(), n);
                assert_eq!(table.tags.len(), expected_slots(n), "{n} agents");
            }
        }
    }
}
