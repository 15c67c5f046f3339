//! The drawing model: the table as nodes (phases, the named phase sets, the
//! availability choice), internal transitions and labelled edges, which both
//! renderers walk. The XState config and the Markdown tables use its words for a
//! rule (`rule_label`, `effects`), its named sets and where a rule ends.

use crate::model::table::{Effect, PhaseSet, Rule, TABLE};
use crate::model::vocabulary::{Availability, Phase};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// The id of the choice a terminating rule goes through when its end depends on
/// the agent's availability.
pub(super) const CHOICE: &str = "availability";

/// A set of phases the table is written in, drawn as a composite state.
pub(in crate::derived) struct Group {
    /// The state's id in the drawings.
    pub(in crate::derived) id: &'static str,
    /// How SPEC §3 names the set in its `from` column.
    pub(in crate::derived) words: &'static str,
    pub(in crate::derived) phases: PhaseSet,
}

/// The composite states, outer before inner. Two groups nest or are disjoint.
pub(in crate::derived) const GROUPS: &[Group] = &[
    Group {
        id: "call",
        words: "any call phase",
        phases: PhaseSet::CALL,
    },
    Group {
        id: "live",
        words: "live",
        phases: PhaseSet::LIVE,
    },
];

fn is_subset(inner: PhaseSet, outer: PhaseSet) -> bool {
    inner.minus(outer) == PhaseSet::EMPTY
}

/// The innermost group that holds all of `group`'s phases, besides `group` itself.
pub(super) fn parent(group: usize) -> Option<usize> {
    let phases = GROUPS[group].phases;
    (0..GROUPS.len())
        .filter(|&g| g != group && is_subset(phases, GROUPS[g].phases))
        .min_by_key(|&g| GROUPS[g].phases.iter().count())
}

/// A node of the drawing: a phase, a group of phases, or the availability choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::derived) enum Node {
    Phase(Phase),
    Group(usize),
    Availability,
}

impl Node {
    pub(super) fn phases(self) -> PhaseSet {
        match self {
            Node::Phase(p) => PhaseSet::of(&[p]),
            Node::Group(g) => GROUPS[g].phases,
            Node::Availability => PhaseSet::EMPTY,
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Phase(p) => p.fmt(f),
            Node::Group(g) => f.write_str(GROUPS[*g].id),
            Node::Availability => f.write_str(CHOICE),
        }
    }
}

/// Where a rule takes the phases of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Each phase stays what it was: an internal transition.
    Stays,
    /// All go to this node.
    Goes(Node),
}

/// Where `rule` takes an agent in `phase`: a phase when the table fixes it,
/// else the availability choice.
pub(in crate::derived) fn end_of(rule: &Rule, phase: Phase) -> Node {
    let mut ends = Availability::iter().map(|a| rule.destination(phase, a));
    let first = ends.next().unwrap_or(phase);
    if ends.all(|p| p == first) {
        Node::Phase(first)
    } else {
        Node::Availability
    }
}

fn end(rule: &Rule, phase: Phase) -> End {
    match end_of(rule, phase) {
        Node::Phase(p) if p == phase => End::Stays,
        node => End::Goes(node),
    }
}

/// Where `rule` takes every phase of `phases`, if it takes them all alike (all
/// stay, or all go to one node outside the set).
fn common_end(rule: &Rule, phases: PhaseSet) -> Option<End> {
    let mut ends = phases.iter().map(|p| end(rule, p));
    let first = ends.next()?;
    let inward = matches!(first, End::Goes(node) if is_subset(node.phases(), phases) && node.phases() != PhaseSet::EMPTY);
    (!inward && ends.all(|e| e == first)).then_some(first)
}

/// Splits `set` into the groups it covers (outer first, each accepted by `fits`)
/// and the phases left over.
pub(in crate::derived) fn split<T>(
    set: PhaseSet,
    fits: impl Fn(PhaseSet) -> Option<T>,
) -> (PhaseSet, Vec<(usize, T)>) {
    let mut rest = set;
    let mut groups = Vec::new();
    for (g, group) in GROUPS.iter().enumerate() {
        if !is_subset(group.phases, rest) {
            continue;
        }
        if let Some(found) = fits(group.phases) {
            groups.push((g, found));
            rest = rest.minus(group.phases);
        }
    }
    (rest, groups)
}

/// The table as nodes and edges, ordered by source then target, labels in table order.
#[derive(Debug, Default)]
pub(super) struct Drawing {
    /// Per phase or group, the labels of the rules that keep the phase.
    pub(super) internals: BTreeMap<Node, Vec<String>>,
    /// Per (source, target), the labels of the rules that go there.
    pub(super) edges: BTreeMap<(Node, Node), Vec<String>>,
}

impl Drawing {
    pub(super) fn from_table() -> Drawing {
        let mut drawing = Drawing::default();
        for rule in TABLE {
            let label = rule_label(rule);
            let (rest, groups) = split(rule.from, |phases| common_end(rule, phases));
            let phases = rest.iter().map(|p| (Node::Phase(p), end(rule, p)));
            let groups = groups.into_iter().map(|(g, end)| (Node::Group(g), end));
            for (source, end) in phases.chain(groups) {
                let labels = match end {
                    End::Stays => drawing.internals.entry(source).or_default(),
                    End::Goes(to) => drawing.edges.entry((source, to)).or_default(),
                };
                labels.push(label.clone());
            }
        }
        if drawing
            .edges
            .keys()
            .any(|(_, to)| *to == Node::Availability)
        {
            for a in Availability::iter() {
                let edge = (Node::Availability, Node::Phase(a.phase()));
                drawing
                    .edges
                    .insert(edge, vec![format!("[availability {a}]")]);
            }
        }
        drawing
    }

    pub(super) fn internal(&self, node: Node) -> &[String] {
        self.internals.get(&node).map_or(&[], Vec::as_slice)
    }

    pub(super) fn group_internals(&self) -> impl Iterator<Item = (usize, &[String])> {
        (0..GROUPS.len())
            .map(|g| (g, self.internal(Node::Group(g))))
            .filter(|(_, labels)| !labels.is_empty())
    }
}

/// A step of the walk over the nesting of phases and groups.
#[derive(Debug, Clone, Copy)]
pub(super) enum Item {
    Phase(Phase),
    Open(usize),
    Close,
}

/// Visits the phases inside `container` (every phase for `None`) in phase order,
/// opening each directly nested group at its first phase.
pub(super) fn walk(container: Option<usize>, depth: usize, visit: &mut impl FnMut(Item, usize)) {
    let phases = container.map_or(PhaseSet::ALL, |g| GROUPS[g].phases);
    for phase in phases.iter() {
        let child =
            (0..GROUPS.len()).find(|&g| parent(g) == container && GROUPS[g].phases.contains(phase));
        match child {
            None => visit(Item::Phase(phase), depth),
            Some(g) if GROUPS[g].phases.iter().next() == Some(phase) => {
                visit(Item::Open(g), depth);
                walk(Some(g), depth + 1, visit);
                visit(Item::Close, depth);
            }
            Some(_) => {}
        }
    }
}

/// `event [recording guard] / effects`, as on every edge and in every state.
pub(in crate::derived) fn rule_label(rule: &Rule) -> String {
    let mut label = rule.event.name().to_owned();
    if let Some(guard) = rule.guard {
        let _ = write!(label, " [recording {guard}]");
    }
    if let Some(role) = rule.role {
        let _ = write!(label, " [{role}]");
    }
    if let Some(effects) = effects(rule) {
        let _ = write!(label, " / {effects}");
    }
    label
}

/// What the rule does besides choosing the phase, in words; `None` for nothing.
pub(in crate::derived) fn effects(rule: &Rule) -> Option<String> {
    let effect = match rule.effect {
        Effect::None => None,
        Effect::Availability(a) => Some(format!("set availability {a}")),
        Effect::Recording(r) => Some(format!("set recording {r}")),
        Effect::Bind => Some("bind interaction".to_owned()),
    };
    let role = rule.role_to.map(|r| format!("set role {r}"));
    let ends = rule.terminates().then(|| "end call".to_owned());
    let all: Vec<String> = effect.into_iter().chain(role).chain(ends).collect();
    (!all.is_empty()).then(|| all.join(", "))
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Every (phase, rule label, end) the drawing says, with groups expanded to
    /// their phases.
    fn drawn() -> Vec<(Phase, String, Node)> {
        let drawing = Drawing::from_table();
        let mut triples = Vec::new();
        for (node, labels) in &drawing.internals {
            for phase in node.phases().iter() {
                for label in labels {
                    triples.push((phase, label.clone(), Node::Phase(phase)));
                }
            }
        }
        for ((from, to), labels) in &drawing.edges {
            for phase in from.phases().iter() {
                for label in labels {
                    triples.push((phase, label.clone(), *to));
                }
            }
        }
        triples.sort();
        triples
    }

    #[test]
    fn the_drawing_says_exactly_what_the_table_says() {
        let mut table: Vec<(Phase, String, Node)> = TABLE
            .iter()
            .flat_map(|rule| {
                let label = rule_label(rule);
                rule.from
                    .iter()
                    .map(move |p| (p, label.clone(), end_of(rule, p)))
            })
            .collect();
        table.sort();
        assert_eq!(drawn(), table);
    }

    #[test]
    fn rules_on_a_whole_set_are_drawn_once_on_it() {
        let drawing = Drawing::from_table();
        let call = Node::Group(0);
        assert_eq!(
            drawing.edges[&(call, Node::Availability)],
            ["DROPPED / end call"]
        );
        assert_eq!(
            drawing.internal(call),
            [
                "AgentAvailable / set availability ready",
                "AgentIdle / set availability idle",
                "AgentContact"
            ]
        );
        let live = Node::Group(1);
        assert_eq!(
            drawing.edges[&(live, Node::Phase(Phase::Ended))],
            ["eAgentContactEnded"]
        );
        assert_eq!(drawing.internal(live).len(), 3, "the recording rules");
    }

    #[test]
    fn parallel_edges_are_grouped() {
        let drawing = Drawing::from_table();
        let conference = (
            Node::Phase(Phase::Conference),
            Node::Phase(Phase::Connected),
        );
        assert_eq!(
            drawing.edges[&conference],
            [
                "eAgentConsultEnded [owner]",
                "eAgentConsultConferenceEnded [owner]",
                "ParticipantLeftConference / set role owner",
                "AgentConferenceTransferred [consulted] / set role owner"
            ]
        );
        let consulting = (Node::Phase(Phase::Consulting), Node::Phase(Phase::Hold));
        assert_eq!(
            drawing.edges[&consulting],
            ["eAgentConsultFailed [owner]", "eAgentConsultEnded [owner]"]
        );
    }

    #[test]
    fn terminations_go_where_the_table_says() {
        let drawing = Drawing::from_table();
        let rona = (Node::Phase(Phase::Offered), Node::Phase(Phase::Idle));
        assert_eq!(
            drawing.edges[&rona],
            ["eAgentOfferContactRona / set availability idle, end call"]
        );
        let wrapped_up = (Node::Phase(Phase::WrapUp), Node::Availability);
        assert_eq!(
            drawing.edges[&wrapped_up],
            ["eAgentContactWrappedUp / end call"]
        );
        for a in Availability::iter() {
            let choice = (Node::Availability, Node::Phase(a.phase()));
            assert!(drawing.edges.contains_key(&choice));
        }
    }

    #[test]
    fn groups_nest_or_are_disjoint_and_have_their_own_names() {
        for (i, a) in GROUPS.iter().enumerate() {
            assert!(Phase::from_wire(a.id).is_none() && a.id != CHOICE);
            for b in &GROUPS[i + 1..] {
                let disjoint = a.phases.minus(b.phases) == a.phases;
                let nested = is_subset(a.phases, b.phases) || is_subset(b.phases, a.phases);
                assert!(disjoint || nested, "{} and {}", a.id, b.id);
                assert_ne!(a.id, b.id);
            }
        }
        assert_eq!(parent(1), Some(0));
        assert_eq!(parent(0), None);
    }

    #[test]
    fn every_phase_is_declared_once() {
        let mut seen = Vec::new();
        walk(None, 0, &mut |item, _| {
            if let Item::Phase(p) = item {
                seen.push(p);
            }
        });
        assert_eq!(seen, Phase::iter().collect::<Vec<_>>());
    }
}
