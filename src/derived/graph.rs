//! The machine drawn from [`TABLE`]: a Mermaid `stateDiagram-v2` ([`mermaid`]), a
//! Graphviz digraph ([`dot`]), an XState v5 machine config ([`xstate`]), and in
//! Markdown the table ([`table_markdown`]) and the events ([`events_markdown`]) in
//! words, which `docs/` embeds. Nothing here knows a rule of its own; every drawing
//! is read off the table, so the pictures cannot drift from the engine.
//!
//! How the table becomes a picture:
//!
//! - every phase is a state; a fresh agent starts in `ready`;
//! - the phase sets the table is written in, *call* ([`PhaseSet::CALL`]) and *live*
//!   ([`PhaseSet::LIVE`]), are composite states; a rule whose phases cover such a
//!   set, and that takes all of them to the same place, is drawn once, on the set;
//! - a rule that leaves the phase is an edge, labelled
//!   `event [recording guard] / effect`; rules sharing a source and a target are
//!   one edge with one line per rule, in table order;
//! - a rule that keeps the phase (availability and recording changes) is an
//!   *internal transition*, written inside its state (or in a note on its set), as
//!   in UML, so the phases are not ringed with self-loops;
//! - a terminating rule goes to the phase it always ends in (`eAgentOfferContactRona`
//!   always ends `idle`), or else to the `availability` choice, which leads on to
//!   `ready` or `idle`.
//!
//! ```
//! use callstate::graph::{self, GraphFormat};
//! let diagram = graph::render(GraphFormat::Mermaid);
//! assert!(diagram.starts_with("stateDiagram-v2\n"));
//! assert!(diagram.contains("offered --> connected : CustAnswered"));
//! assert!(diagram.contains("call --> availability : DROPPED / end call"));
//! ```

use crate::model::table::{self, Effect, PhaseSet, Rule, Status, Target, TABLE};
use crate::model::vocabulary::{Availability, Event, Phase, Recording, Role, AGENT_STATE_CHANGE};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use strum::IntoEnumIterator;

/// The drawing formats [`render`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display)]
#[strum(serialize_all = "lowercase")]
#[non_exhaustive]
pub enum GraphFormat {
    /// A Mermaid `stateDiagram-v2` (renders on GitHub inside a ```` ```mermaid ```` block).
    Mermaid,
    /// A Graphviz digraph, for `dot -Tsvg`.
    Dot,
    /// An XState v5 machine config, as JSON ([`xstate`]).
    Xstate,
}

/// The machine in `format`.
pub fn render(format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => mermaid(),
        GraphFormat::Dot => dot(),
        GraphFormat::Xstate => xstate(),
    }
}

/// The machine as a Mermaid `stateDiagram-v2`, ending in a newline.
pub fn mermaid() -> String {
    let drawing = Drawing::from_table();
    let mut out = String::from("stateDiagram-v2\n");
    line(&mut out, 1, format_args!("%% {GENERATED}"));
    line(&mut out, 1, format_args!("state {CHOICE} <<choice>>"));
    line(&mut out, 1, format_args!("[*] --> {}", Phase::Ready));
    walk(None, 1, &mut |item, depth| match item {
        Item::Phase(p) => mermaid_state(&mut out, depth, p, drawing.internal(Node::Phase(p))),
        Item::Open(g) => line(&mut out, depth, format_args!("state {} {{", GROUPS[g].id)),
        Item::Close => line(&mut out, depth, format_args!("}}")),
    });
    for (group, labels) in drawing.group_internals() {
        // Notes on nested sets go right, on outer ones left, so the two do not stack.
        let side = if parent(group).is_some() {
            "right"
        } else {
            "left"
        };
        line(
            &mut out,
            1,
            format_args!("note {side} of {}", GROUPS[group].id),
        );
        for label in labels {
            line(&mut out, 2, format_args!("{label}"));
        }
        line(&mut out, 1, format_args!("end note"));
    }
    for ((from, to), labels) in &drawing.edges {
        let label = labels.join("<br/>");
        line(&mut out, 1, format_args!("{from} --> {to} : {label}"));
    }
    out
}

/// The machine as a Graphviz digraph, ending in a newline.
pub fn dot() -> String {
    let drawing = Drawing::from_table();
    let mut out = String::from("digraph callstate {\n");
    for setting in [
        format!("// {GENERATED}"),
        "compound=true;".to_owned(),
        "fontname=\"Helvetica\";".to_owned(),
        "rankdir=TB;".to_owned(),
        "node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];".to_owned(),
        "edge [fontname=\"Helvetica\", fontsize=9];".to_owned(),
        "start [shape=point, label=\"\"];".to_owned(),
        format!("\"{CHOICE}\" [shape=diamond, label=\"{CHOICE}\"];"),
    ] {
        line(&mut out, 1, format_args!("{setting}"));
    }
    walk(None, 1, &mut |item, depth| match item {
        Item::Phase(p) => {
            let label = dot_label(p.as_ref(), drawing.internal(Node::Phase(p)));
            line(
                &mut out,
                depth,
                format_args!("\"{p}\" [label=\"{label}\"];"),
            );
        }
        Item::Open(g) => {
            let id = GROUPS[g].id;
            let label = dot_label(id, drawing.internal(Node::Group(g)));
            line(
                &mut out,
                depth,
                format_args!("subgraph \"cluster_{id}\" {{"),
            );
            line(&mut out, depth + 1, format_args!("label=\"{label}\";"));
            line(&mut out, depth + 1, format_args!("labeljust=l;"));
            line(&mut out, depth + 1, format_args!("style=rounded;"));
        }
        Item::Close => line(&mut out, depth, format_args!("}}")),
    });
    line(&mut out, 1, format_args!("start -> \"{}\";", Phase::Ready));
    for ((from, to), labels) in &drawing.edges {
        let label = dot_lines(labels, "\\n");
        let attributes = match from {
            Node::Group(g) => format!("ltail=\"cluster_{}\", label=\"{label}\"", GROUPS[*g].id),
            _ => format!("label=\"{label}\""),
        };
        let tail = from.dot_id();
        line(
            &mut out,
            1,
            format_args!("\"{tail}\" -> \"{to}\" [{attributes}];"),
        );
    }
    out.push_str("}\n");
    out
}

/// The machine as an XState v5 machine config: JSON for `createMachine`, pure data
/// (no guards, actions or other functions), ending in a newline.
///
/// XState's states are flat and its guards would be functions, so the config
/// spells the table out over the whole state the table speaks of: one atomic state
/// per reachable (phase, role, recording, availability) ([`table::is_reachable`]),
/// named `phase/role/recording/availability` (`connected/owner/on/ready`), with
/// `meta` holding the four parts. A state's `on` has one transition per event the table accepts there,
/// keyed by the canonical name, and no other: its `target` is the state the table's
/// cell leads to (itself for a rule that changes nothing the state names), its
/// `description` the rule as the drawings label it and `meta.rule` its index in
/// [`TABLE`]. The machine starts in `ready/owner/off/ready`; an agent that starts
/// idle starts in `idle/owner/off/idle`.
///
/// What the config cannot say: the interaction (a call's id, checked on every
/// record by the engine) and the times. An XState actor also ignores an event its
/// state does not accept, where the engine rejects it.
///
/// ```
/// let config: serde_json::Value = serde_json::from_str(&callstate::graph::xstate()).unwrap();
/// assert_eq!(config["initial"], "ready/owner/off/ready");
/// let offered = &config["states"]["offered/owner/off/ready"]["on"];
/// assert_eq!(offered["CustAnswered"]["target"], "connected/owner/off/ready");
/// assert!(offered.get("eAgentContactHeld").is_none());
/// ```
pub fn xstate() -> String {
    let states = reachable_statuses()
        .map(|status| {
            let on = Event::iter()
                .filter_map(|event| {
                    let step = table::step_at(table::StateCode::of(status), event)?;
                    let next = step.next.status();
                    let transition = XstateTransition {
                        target: xstate_id(next),
                        description: rule_label(step.rule()),
                        meta: XstateRule {
                            rule: table::rule_index(
                                status.phase,
                                status.recording,
                                status.role,
                                event,
                            )?,
                        },
                    };
                    Some((event.name().to_owned(), transition))
                })
                .collect();
            let state = XstateState {
                meta: status,
                on: Ordered(on),
            };
            (xstate_id(status), state)
        })
        .collect();
    let initial = Status {
        phase: Phase::Ready,
        role: Role::Owner,
        recording: Recording::Off,
        availability: Availability::Ready,
    };
    let config = XstateConfig {
        id: "callstate",
        description: GENERATED,
        initial: xstate_id(initial),
        states: Ordered(states),
    };
    let mut out = serde_json::to_string_pretty(&config).unwrap_or_default();
    out.push('\n');
    out
}

/// Every reachable (phase, role, recording, availability), in phase, role,
/// recording, availability order.
fn reachable_statuses() -> impl Iterator<Item = Status> {
    every_status().filter(|&s| table::is_reachable(s))
}

/// Every (phase, role, recording, availability), in that order.
fn every_status() -> impl Iterator<Item = Status> {
    Phase::iter().flat_map(|phase| {
        Role::iter().flat_map(move |role| {
            Recording::iter().flat_map(move |recording| {
                Availability::iter().map(move |availability| Status {
                    phase,
                    role,
                    recording,
                    availability,
                })
            })
        })
    })
}

/// The XState state id of `status`: `phase/role/recording/availability` (no
/// `.`, XState's path separator, and no `#`, its id marker).
fn xstate_id(status: Status) -> String {
    format!(
        "{}/{}/{}/{}",
        status.phase, status.role, status.recording, status.availability
    )
}

/// A JSON object whose keys keep the order they are given in.
struct Ordered<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
struct XstateConfig {
    id: &'static str,
    description: &'static str,
    initial: String,
    states: Ordered<XstateState>,
}

#[derive(Serialize)]
struct XstateState {
    meta: Status,
    on: Ordered<XstateTransition>,
}

#[derive(Serialize)]
struct XstateTransition {
    target: String,
    description: String,
    meta: XstateRule,
}

#[derive(Serialize)]
struct XstateRule {
    rule: usize,
}

/// The table in words: a legend, then one Markdown table row per rule of
/// [`TABLE`], in table order. The `rule` column is the rule's index in `TABLE`
/// (as in [`crate::derived::paths`]' output).
pub fn table_markdown() -> String {
    let live: Vec<String> = PhaseSet::LIVE.iter().map(code).collect();
    let mut out = format!(
        "*live* = {}. *end call*: the phase becomes the agent's availability \
         (`ready` or `idle`), recording `off`, no interaction.\n\n",
        live.join(", ")
    );
    out.push_str("| rule | from | event | guard | to | effect | why |\n");
    out.push_str("|---:|---|---|---|---|---|---|\n");
    for (index, rule) in TABLE.iter().enumerate() {
        let recording = rule.guard.map(|g| format!("recording {}", code(g)));
        let role = rule.role.map(code);
        let guard: Vec<String> = recording.into_iter().chain(role).collect();
        let guard = guard.join(", ");
        let _ = writeln!(
            out,
            "| {index} | {} | E{} {} | {guard} | {} | {} | {} |",
            phases_in_words(rule.from),
            rule.event.number(),
            code(rule.event),
            target_in_words(rule),
            effects(rule).unwrap_or_default(),
            rule.note,
        );
    }
    out
}

/// The events in words: one Markdown table row per event, E1 … E21, with its
/// names sorted by where they come from, the phases the table accepts it in, and
/// what it needs to be applied.
///
/// Names are sorted by their shape: `e` and a capital letter is a Webex CC Desktop
/// SDK name; an alias starting `Agent` or `Contact` is a websocket `data.type`;
/// anything else is another alias. A `subStatus` that makes a websocket
/// `AgentStateChange` this event is listed with the websocket names.
pub fn events_markdown() -> String {
    let mut out = String::from(
        "| # | canonical | Desktop SDK | websocket `data.type` | other aliases | accepted in | needs |\n\
         |---:|---|---|---|---|---|---|\n",
    );
    for event in Event::iter() {
        let names: Vec<&str> = std::iter::once(event.name())
            .chain(event.aliases())
            .collect();
        let aliases = &names[1..];
        let sdk = names.iter().filter(|n| is_sdk_name(n));
        let websocket = aliases
            .iter()
            .filter(|n| !is_sdk_name(n) && is_websocket_name(n))
            .map(code);
        let state_change = names
            .iter()
            .filter(|n| Event::from_state_change(n) == Some(event))
            .map(|n| format!("{} + `subStatus` {}", code(AGENT_STATE_CHANGE), code(n)));
        let other = aliases
            .iter()
            .filter(|n| !is_sdk_name(n) && !is_websocket_name(n));
        let _ = writeln!(
            out,
            "| E{} | {} | {} | {} | {} | {} | {} |",
            event.number(),
            code(event),
            listed(sdk.map(code)),
            listed(websocket.chain(state_change)),
            listed(other.map(code)),
            phases_in_words(accepted_in(event)),
            needs(event),
        );
    }
    out
}

fn listed(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn is_sdk_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next() == Some('e') && chars.next().is_some_and(|c| c.is_ascii_uppercase())
}

fn is_websocket_name(name: &str) -> bool {
    name.starts_with("Agent") || name.starts_with("Contact")
}

/// The phases some rule of the table accepts `event` in.
fn accepted_in(event: Event) -> PhaseSet {
    TABLE
        .iter()
        .filter(|r| r.event == event)
        .fold(PhaseSet::EMPTY, |set, r| set.union(r.from))
}

fn needs(event: Event) -> &'static str {
    if event.offers_call() {
        "an interaction id"
    } else if event.needs_call() {
        "a call"
    } else {
        "nothing"
    }
}

/// The comment every generated drawing carries.
const GENERATED: &str =
    "Generated from callstate's transition table (src/model/table.rs) by callstate::graph. Do not edit.";

/// The id of the choice a terminating rule goes through when its end depends on
/// the agent's availability.
const CHOICE: &str = "availability";

/// A set of phases the table is written in, drawn as a composite state.
struct Group {
    /// The state's id in the drawings.
    id: &'static str,
    /// How SPEC §3 names the set in its `from` column.
    words: &'static str,
    phases: PhaseSet,
}

/// The composite states, outer before inner. Two groups nest or are disjoint.
const GROUPS: &[Group] = &[
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
fn parent(group: usize) -> Option<usize> {
    let phases = GROUPS[group].phases;
    (0..GROUPS.len())
        .filter(|&g| g != group && is_subset(phases, GROUPS[g].phases))
        .min_by_key(|&g| GROUPS[g].phases.iter().count())
}

/// A node of the drawing: a phase, a group of phases, or the availability choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Phase(Phase),
    Group(usize),
    Availability,
}

impl Node {
    fn phases(self) -> PhaseSet {
        match self {
            Node::Phase(p) => PhaseSet::of(&[p]),
            Node::Group(g) => GROUPS[g].phases,
            Node::Availability => PhaseSet::EMPTY,
        }
    }

    /// The Graphviz node an edge leaving this node starts from: a group's edges
    /// start at its first phase and are clipped to the cluster (`ltail`).
    fn dot_id(self) -> String {
        match self {
            Node::Group(_) => self
                .phases()
                .iter()
                .next()
                .map_or(CHOICE.into(), |p| p.to_string()),
            _ => self.to_string(),
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
fn end_of(rule: &Rule, phase: Phase) -> Node {
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
fn split<T>(set: PhaseSet, fits: impl Fn(PhaseSet) -> Option<T>) -> (PhaseSet, Vec<(usize, T)>) {
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
struct Drawing {
    /// Per phase or group, the labels of the rules that keep the phase.
    internals: BTreeMap<Node, Vec<String>>,
    /// Per (source, target), the labels of the rules that go there.
    edges: BTreeMap<(Node, Node), Vec<String>>,
}

impl Drawing {
    fn from_table() -> Drawing {
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

    fn internal(&self, node: Node) -> &[String] {
        self.internals.get(&node).map_or(&[], Vec::as_slice)
    }

    fn group_internals(&self) -> impl Iterator<Item = (usize, &[String])> {
        (0..GROUPS.len())
            .map(|g| (g, self.internal(Node::Group(g))))
            .filter(|(_, labels)| !labels.is_empty())
    }
}

/// A step of the walk over the nesting of phases and groups.
#[derive(Debug, Clone, Copy)]
enum Item {
    Phase(Phase),
    Open(usize),
    Close,
}

/// Visits the phases inside `container` (every phase for `None`) in phase order,
/// opening each directly nested group at its first phase.
fn walk(container: Option<usize>, depth: usize, visit: &mut impl FnMut(Item, usize)) {
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

/// A Mermaid state with its internal transitions. Mermaid titles a state with its
/// first description line, so a state with descriptions repeats its own name first.
fn mermaid_state(out: &mut String, depth: usize, phase: Phase, internal: &[String]) {
    if internal.is_empty() {
        return line(out, depth, format_args!("{phase}"));
    }
    line(out, depth, format_args!("{phase} : {phase}"));
    for label in internal {
        line(out, depth, format_args!("{phase} : {label}"));
    }
}

/// `event [recording guard] / effects`, as on every edge and in every state.
fn rule_label(rule: &Rule) -> String {
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
fn effects(rule: &Rule) -> Option<String> {
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

/// A set of phases as SPEC §3 words it: its phases, with the groups it covers
/// named as groups ("any call phase", "live").
fn phases_in_words(set: PhaseSet) -> String {
    if set == PhaseSet::ALL {
        return "every phase".to_owned();
    }
    let (rest, groups) = split(set, |_| Some(()));
    let phases = rest.iter().map(code);
    let groups = groups.into_iter().map(|(g, ())| GROUPS[g].words.to_owned());
    phases.chain(groups).collect::<Vec<_>>().join(", ")
}

fn target_in_words(rule: &Rule) -> String {
    match rule.to {
        Target::Phase(p) => code(p),
        Target::Stay => "(unchanged)".to_owned(),
        Target::Notice => "notice (accepted without change)".to_owned(),
        Target::Snapshot => "(the snapshot's state)".to_owned(),
        Target::Terminate => {
            let phase = rule.from.iter().next().unwrap_or(Phase::Ready);
            match end_of(rule, phase) {
                Node::Phase(p) => format!("→ {}", code(p)),
                _ => "→ availability".to_owned(),
            }
        }
    }
}

fn code(name: impl std::fmt::Display) -> String {
    format!("`{name}`")
}

/// A dot label: a title, then the internal transitions left-aligned.
fn dot_label(title: &str, internal: &[String]) -> String {
    if internal.is_empty() {
        return dot_escape(title);
    }
    format!(
        "{}\\n\\n{}\\l",
        dot_escape(title),
        dot_lines(internal, "\\l")
    )
}

fn dot_lines(lines: &[String], separator: &str) -> String {
    let escaped: Vec<String> = lines.iter().map(|l| dot_escape(l)).collect();
    escaped.join(separator)
}

fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn line(out: &mut String, depth: usize, text: std::fmt::Arguments<'_>) {
    let _ = writeln!(out, "{:width$}{text}", "", width = 4 * depth);
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
    fn every_rule_appears_in_both_formats() {
        let (mermaid, dot) = (mermaid(), dot());
        let drawing = Drawing::from_table();
        for (node, labels) in &drawing.internals {
            for label in labels {
                let in_mermaid = match node {
                    Node::Phase(p) => format!("    {p} : {label}\n"),
                    _ => format!("        {label}\n"),
                };
                assert!(mermaid.contains(&in_mermaid), "{label}");
                assert!(dot.contains(&dot_escape(label)), "{label}");
            }
        }
        for ((from, to), labels) in &drawing.edges {
            let label = labels.join("<br/>");
            assert!(mermaid.contains(&format!("    {from} --> {to} : {label}\n")));
            let label = dot_lines(labels, "\\n");
            assert!(dot.contains(&format!("\"{}\" -> \"{to}\" [", from.dot_id())));
            assert!(dot.contains(&format!("label=\"{label}\"];")), "{label}");
        }
        for rule in TABLE {
            assert!(mermaid.contains(&rule_label(rule)), "{rule:?}");
            assert!(dot.contains(&rule_label(rule)), "{rule:?}");
        }
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

    /// The `on` of every state of the XState config, by state id.
    fn xstate_states() -> (
        serde_json::Value,
        serde_json::Map<String, serde_json::Value>,
    ) {
        let config: serde_json::Value = serde_json::from_str(&xstate()).unwrap();
        let states = config["states"].as_object().unwrap().clone();
        (config, states)
    }

    #[test]
    fn the_xstate_config_accepts_exactly_what_the_table_accepts() {
        let (_, states) = xstate_states();
        let mut transitions = 0;
        for status in every_status() {
            let Status {
                phase,
                role,
                recording,
                ..
            } = status;
            let id = xstate_id(status);
            let Some(state) = states.get(&id) else {
                assert!(
                    !table::is_reachable(status),
                    "{id} is reachable but has no state"
                );
                continue;
            };
            assert!(table::is_reachable(status), "{id}");
            assert_eq!(state["meta"], serde_json::to_value(status).unwrap());
            let on = state["on"].as_object().unwrap();
            for event in Event::iter() {
                let rule = table::rule_for(phase, recording, role, event);
                let transition = on.get(event.name());
                assert_eq!(
                    transition.is_some(),
                    rule.is_some(),
                    "{id} + {event}: config {transition:?}, table {rule:?}"
                );
                let (Some(transition), Some(rule)) = (transition, rule) else {
                    continue;
                };
                transitions += 1;
                let step = table::step_at(table::StateCode::of(status), event).unwrap();
                assert_eq!(transition["target"], xstate_id(step.next.status()));
                assert_eq!(transition["description"], rule_label(rule));
                assert_eq!(
                    transition["meta"]["rule"],
                    table::rule_index(phase, recording, role, event).unwrap()
                );
            }
            let canonical = |name: &String| Event::iter().any(|e| e.name() == name);
            assert!(on.keys().all(canonical), "{id}: {:?}", on.keys());
        }
        assert_eq!(states.len(), 94, "the reachable states");
        assert_eq!(
            transitions, 1255,
            "the legal cells, the snapshot's included"
        );
    }

    #[test]
    fn the_xstate_config_is_closed_and_pure_data() {
        let (config, states) = xstate_states();
        assert!(states.contains_key(config["initial"].as_str().unwrap()));
        assert_eq!(config["initial"], "ready/owner/off/ready");
        assert!(states.contains_key("idle/owner/off/idle"));
        for (id, state) in &states {
            assert!(!id.contains(['.', '#']), "{id}");
            for transition in state["on"].as_object().unwrap().values() {
                let target = transition["target"].as_str().unwrap();
                assert!(states.contains_key(target), "{id} -> {target}");
                // Only data XState reads as data: no guard, action or invoke names.
                let mut keys: Vec<&String> = transition.as_object().unwrap().keys().collect();
                keys.sort();
                assert_eq!(keys, ["description", "meta", "target"]);
            }
        }
        let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(mermaid(), mermaid());
        assert_eq!(dot(), dot());
        assert_eq!(xstate(), xstate());
        assert_eq!(table_markdown(), table_markdown());
    }

    #[test]
    fn mermaid_labels_avoid_its_delimiters() {
        // A Mermaid description runs from `:` to the end of the line and stops at
        // `;`, `#` or another `:`.
        for line in mermaid().lines().skip(2) {
            let text = line.split_once(" : ").map_or("", |(_, text)| text);
            assert!(!text.contains([':', ';', '#']), "{line}");
        }
    }

    #[test]
    fn dot_is_balanced() {
        let dot = dot();
        let mut open: Vec<char> = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        for c in dot.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '{' | '[' => open.push(c),
                '}' => assert_eq!(open.pop(), Some('{')),
                ']' => assert_eq!(open.pop(), Some('[')),
                _ => {}
            }
        }
        assert!(!in_string && open.is_empty());
        assert!(dot.starts_with("digraph callstate {\n") && dot.ends_with("}\n"));
    }

    #[test]
    fn the_events_in_words_have_a_row_per_event_with_every_name() {
        let md = events_markdown();
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| E")).collect();
        assert_eq!(rows.len(), <Event as strum::EnumCount>::COUNT);
        for (event, row) in Event::iter().zip(&rows) {
            for name in std::iter::once(event.name()).chain(event.aliases()) {
                assert!(row.contains(&code(name)), "{row} lacks {name}");
            }
        }
        assert!(rows[0].contains("`AgentStateChange` + `subStatus` `Available` | `Available`, `Ready` | every phase | nothing |"));
        assert!(rows[20].ends_with("| `AgentOutboundFailed` |  | any call phase | a call |"));
        assert!(rows[3].contains("| `ready`, `reserved` | an interaction id |"));
    }

    #[test]
    fn the_table_in_words_has_a_row_per_rule() {
        let md = table_markdown();
        let rows = md.lines().filter(|l| l.starts_with("| ")).count();
        assert_eq!(rows, TABLE.len() + 1, "a header and one row per rule");
        assert!(md.contains(
            "| `offered`, live | E18 `eAgentContactEnded` |  | `ended` |  | the contact ended |"
        ));
        assert!(md.contains("| any call phase | E21 `DROPPED` |  | → availability | end call |"));
        assert!(
            md.contains("| `reserved`, `offered` | E5 `eAgentOfferContactRona` |  | → `idle` |")
        );
    }
}
