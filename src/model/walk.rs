//! The one walk over the table: breadth-first over its cells, from a set of
//! starting states, firing every event the table accepts in E1 … E21 order.
//!
//! A *state* here is a whole [`Status`] — phase, recording and availability —
//! packed as a [`StateCode`], and an edge is one cell of the table ([`table::step_at`]).
//! The walk yields a shortest-path [`Tree`]: the states it reached in the order it
//! reached them, and for each its depth and the (predecessor, event) it was first
//! reached by. Everything that asks "can an agent get there, and how" reads a tree:
//!
//! - [`table::is_reachable`] and [`table::recordings_possible`]: is the state in the
//!   tree from a fresh agent ([`from_start`]);
//! - `paths::all`: the tree from a fresh agent, its states in the walk's order, each
//!   with its shortest event path ([`Tree::path_to`]);
//! - the proptest strategies: which events start a shortest path from the state a
//!   random walk is in to the state it heads for (`toward`, built for tests and
//!   the `proptest` feature only, over the trees from every state).
//!
//! Trees are computed once ([`OnceLock`]); this file holds the only breadth-first
//! search over the table's cells (the table's tests keep an independent one, by
//! rules rather than cells, as a check). Resync's search (`resync.rs`) is a
//! different one: it runs whole [`Machine`](crate::model::machine::Machine)s over
//! runs of events and orders its answers shortest-then-lexicographic, with
//! interactions and SPEC §8's memory in play; see `docs/architecture.md`.

use crate::model::table::{self, StateCode, Status, STATES};
use crate::model::vocabulary::{Availability, Event, Recording, Role};
use std::sync::OnceLock;
use strum::IntoEnumIterator;

/// How the walk first reached a state: by `event` from `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The predecessor: a state one event nearer the start.
    pub(crate) from: StateCode,
    /// The event fired in `from`.
    pub(crate) event: Event,
}

/// Where a state sits in a [`Tree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    /// Events from the nearest start.
    depth: u8,
    /// How it was first reached; `None` for a start.
    edge: Option<Edge>,
}

/// A shortest-path tree over the table's states, from a set of starting states.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// The states reached, in the order the walk reached them (starts first).
    order: Vec<StateCode>,
    /// Per state code: its place in the tree, if reached.
    nodes: [Option<Node>; STATES],
}

impl Tree {
    /// The walk: breadth-first from `starts`, events in E1 … E21 order, each state
    /// reached once, by the first edge that reaches it.
    fn walk(starts: &[StateCode]) -> Tree {
        let mut tree = Tree {
            order: Vec::with_capacity(STATES),
            nodes: [None; STATES],
        };
        for &start in starts {
            tree.reach(start, 0, None);
        }
        // `order` is the queue: states are appended as reached and visited in turn.
        let mut next = 0;
        while let Some(&from) = tree.order.get(next) {
            next += 1;
            let depth = tree.nodes[from.code()].map_or(0, |n| n.depth) + 1;
            for event in Event::iter() {
                if let Some(step) = table::step_at(from, event) {
                    tree.reach(step.next, depth, Some(Edge { from, event }));
                }
            }
        }
        tree
    }

    /// Records `state` as reached, unless it already was.
    fn reach(&mut self, state: StateCode, depth: u8, edge: Option<Edge>) {
        let node = &mut self.nodes[state.code()];
        if node.is_none() {
            *node = Some(Node { depth, edge });
            self.order.push(state);
        }
    }

    /// The states reached, in the walk's order: by depth, then as first reached.
    pub(crate) fn reached(&self) -> &[StateCode] {
        &self.order
    }

    /// Is `state` in the tree?
    pub(crate) fn reaches(&self, state: StateCode) -> bool {
        self.nodes[state.code()].is_some()
    }

    /// The number of events on a shortest path to `state`, if it is reached.
    pub(crate) fn depth(&self, state: StateCode) -> Option<usize> {
        self.nodes[state.code()].map(|n| usize::from(n.depth))
    }

    /// The edge by which the walk first reached `state` (its predecessor and the
    /// event); `None` for a start or a state not reached.
    pub(crate) fn edge(&self, state: StateCode) -> Option<Edge> {
        self.nodes[state.code()].and_then(|n| n.edge)
    }

    /// The events of the tree's path from a start to `state`, if it is reached: a
    /// shortest one, and of the shortest the first the walk found.
    pub(crate) fn path_to(&self, state: StateCode) -> Option<Vec<Event>> {
        let mut path = Vec::with_capacity(self.depth(state)?);
        let mut at = state;
        while let Some(edge) = self.edge(at) {
            path.push(edge.event);
            at = edge.from;
        }
        path.reverse();
        Some(path)
    }

    /// The depth of the nearest reached state whose status satisfies `goal`.
    #[cfg(any(test, feature = "proptest"))]
    fn nearest(&self, goal: impl Fn(Status) -> bool) -> Option<usize> {
        // `order` is by depth, so the first match is a nearest one.
        let found = self.order.iter().find(|s| goal(s.status()))?;
        self.depth(*found)
    }
}

/// The state of a fresh agent ([`Machine::new`](crate::model::machine::Machine::new)):
/// `ready`, recording `off`, available.
pub(crate) const START: StateCode = StateCode::of(Status {
    phase: Availability::Ready.phase(),
    role: Role::Owner,
    recording: Recording::Off,
    availability: Availability::Ready,
});

/// The tree from a fresh agent ([`START`]), walked once.
///
/// An agent may also start `idle`
/// ([`Machine::starting`](crate::model::machine::Machine::starting)); `idle` is
/// one event from `ready` and `ready` one from `idle`, so both starts reach the
/// same states (a test holds this).
pub(crate) fn from_start() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| Tree::walk(&[START]))
}

/// The tree from a fresh agent and from every state a snapshot (SPEC §3.5) can
/// set — any of its phases, in either role, with any recording and availability:
/// every state an agent can be in.
pub(crate) fn with_snapshots() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        // cargo-mutants' `&&` for `||` below is equivalent: it drops only the
        // `connected` starts, which the `hold` starts reach by resuming, and only
        // `reaches` is asked of this tree.
        let set_by_snapshots = (0..STATES).filter_map(StateCode::from_code).filter(|c| {
            let phase = c.status().phase;
            table::SNAPSHOT_ROWS
                .iter()
                .any(|row| row.phase == phase || row.held == phase)
        });
        let starts: Vec<StateCode> = std::iter::once(START).chain(set_by_snapshots).collect();
        Tree::walk(&starts)
    })
}

/// The tree from each state code (reachable or not), walked once: the distance
/// from any state to any other.
#[cfg(any(test, feature = "proptest"))]
fn from_each() -> &'static [Tree] {
    static TREES: OnceLock<Vec<Tree>> = OnceLock::new();
    TREES.get_or_init(|| {
        (0..STATES)
            .filter_map(StateCode::from_code)
            .map(|code| Tree::walk(&[code]))
            .collect()
    })
}

/// The events that start a shortest path from `from` to a state whose status
/// satisfies `goal`: every event whose next state is one event nearer such a
/// state. Empty when `from` satisfies `goal` or no such state can be reached.
#[cfg(any(test, feature = "proptest"))]
pub(crate) fn toward(
    from: StateCode,
    goal: impl Fn(Status) -> bool + Copy,
) -> crate::model::vocabulary::EventSet {
    let trees = from_each();
    let distance = |s: StateCode| trees[s.code()].nearest(goal);
    match distance(from) {
        None | Some(0) => crate::model::vocabulary::EventSet::EMPTY,
        Some(d) => Event::iter()
            .filter(|&e| {
                table::step_at(from, e).is_some_and(|step| distance(step.next) == Some(d - 1))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::machine::Machine;
    use crate::model::vocabulary::{EventSet, Phase};

    fn code(phase: Phase, recording: Recording, availability: Availability) -> StateCode {
        StateCode::of(Status {
            phase,
            role: Role::Owner,
            recording,
            availability,
        })
    }

    #[test]
    fn the_start_is_a_fresh_agent() {
        assert_eq!(START.status(), Machine::new().status());
        assert_eq!(from_start().reached()[0], START);
        assert_eq!(from_start().path_to(START), Some(vec![]));
    }

    #[test]
    fn both_starts_reach_the_same_states() {
        let idle = StateCode::of(Machine::starting(Availability::Idle).status());
        let from_idle = Tree::walk(&[idle]);
        for c in (0..STATES).filter_map(StateCode::from_code) {
            assert_eq!(from_idle.reaches(c), from_start().reaches(c), "{c:?}");
        }
        assert_eq!(from_start().reached().len(), 74);
        assert_eq!(with_snapshots().reached().len(), 94);
    }

    #[test]
    fn paths_are_shortest_and_replay_on_the_table() {
        let tree = from_start();
        let mut last_depth = 0;
        for &state in tree.reached() {
            let path = tree.path_to(state).unwrap();
            assert_eq!(Some(path.len()), tree.depth(state));
            assert!(path.len() >= last_depth, "the walk's order is by depth");
            last_depth = path.len();
            let end = path
                .iter()
                .try_fold(START, |at, &e| table::step_at(at, e).map(|s| s.next));
            assert_eq!(end, Some(state));
            if let Some(edge) = tree.edge(state) {
                assert_eq!(tree.depth(edge.from), Some(path.len() - 1));
            }
            // No cell leads from a state to one more than one event deeper.
            for e in Event::iter() {
                if let Some(step) = table::step_at(state, e) {
                    assert!(tree.depth(step.next).unwrap() <= path.len() + 1);
                }
            }
        }
    }

    #[test]
    fn toward_names_the_first_events_of_every_shortest_path() {
        use Phase as P;
        let ready = START;
        let connected = |s: Status| s.phase == P::Connected;
        // ready → offered (E4) → connected, or reserved (E3) → connected (E6).
        assert_eq!(
            toward(ready, connected),
            EventSet::EMPTY
                .with(Event::OfferCampaignReserved)
                .with(Event::OfferContact)
        );
        assert_eq!(toward(ready, |s| s.phase == P::Ready), EventSet::EMPTY);
        // From a live call, hanging up is no nearer `offered` than staying: any
        // terminating event leads back, to `ready` or to `idle` then `ready`.
        let live = code(P::Connected, Recording::Off, Availability::Ready);
        let offered = toward(live, |s| s.phase == P::Offered);
        assert!(offered.contains(Event::Dropped), "{offered}");
        assert!(!offered.contains(Event::ContactHeld), "{offered}");
        // A state no walk reaches is reached from nowhere.
        let unreachable = |s: Status| s.phase == P::Offered && s.recording == Recording::On;
        assert_eq!(toward(ready, unreachable), EventSet::EMPTY);
    }
}
