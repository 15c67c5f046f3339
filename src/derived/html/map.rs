//! The process map: the table's phases and transitions (as the drawing model
//! sees them, groups expanded to their phases), laid out in layers and drawn as
//! SVG, with the replay's counts on it — edge width and colour by the records
//! that took the transition, inferred events dashed, rejected records as heat on
//! the phase they met.

use super::layout::{layered, Layout, Spacing};
use super::{escape, thousands};
use crate::derived::graph::drawing::{end_of, Node};
use crate::model::table::TABLE;
use crate::model::vocabulary::{Availability, Event, Phase};
use crate::replay::FlowReport;
use std::fmt::Write as _;
use strum::{EnumCount, IntoEnumIterator};

const NODE_HEIGHT: f64 = 50.0;
const SPACING: Spacing = Spacing {
    between_ranks: 112.0,
    gap: 90.0,
    dummy: 30.0,
    margin_x: 40.0,
    margin_y: 50.0,
};

/// An edge of the map: the table's events on it, and what fired.
#[derive(Debug, Default)]
struct Edge {
    from: usize,
    to: usize,
    /// The table's events on this edge, in table order.
    events: Vec<&'static str>,
    /// Per event that fired here: records, and events inferred.
    fired: Vec<(&'static str, u64, u64)>,
}

impl Edge {
    fn records(&self) -> u64 {
        self.fired.iter().map(|f| f.1).sum()
    }
    fn inferred(&self) -> u64 {
        self.fired.iter().map(|f| f.2).sum()
    }
}

/// The map's nodes (every phase, then the availability choice when a rule ends
/// there) and its edges.
struct Map {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// Per phase: transitions that kept it (event, records, inferred).
    stays: Vec<Vec<(&'static str, u64, u64)>>,
}

impl Map {
    fn from_table() -> Map {
        let mut nodes: Vec<Node> = Phase::iter().map(Node::Phase).collect();
        let mut edges: Vec<Edge> = Vec::new();
        let index = |nodes: &mut Vec<Node>, node: Node| match nodes.iter().position(|&n| n == node)
        {
            Some(i) => i,
            None => {
                nodes.push(node);
                nodes.len() - 1
            }
        };
        let add = |edges: &mut Vec<Edge>, from: usize, to: usize, event: &'static str| {
            let edge = match edges.iter().position(|e| (e.from, e.to) == (from, to)) {
                Some(i) => &mut edges[i],
                None => {
                    edges.push(Edge {
                        from,
                        to,
                        ..Edge::default()
                    });
                    let last = edges.len() - 1;
                    &mut edges[last]
                }
            };
            if !edge.events.contains(&event) {
                edge.events.push(event);
            }
        };
        for rule in TABLE {
            for phase in rule.from.iter() {
                let end = end_of(rule, phase);
                if end != Node::Phase(phase) {
                    let (from, to) = (
                        index(&mut nodes, Node::Phase(phase)),
                        index(&mut nodes, end),
                    );
                    add(&mut edges, from, to, rule.event.name());
                }
            }
        }
        if let Some(choice) = nodes.iter().position(|&n| n == Node::Availability) {
            for a in Availability::iter() {
                let to = index(&mut nodes, Node::Phase(a.phase()));
                add(&mut edges, choice, to, "");
            }
        }
        Map {
            stays: vec![Vec::new(); Phase::COUNT],
            nodes,
            edges,
        }
    }

    fn node(&self, node: Node) -> Option<usize> {
        self.nodes.iter().position(|&n| n == node)
    }

    /// Puts the replay's counts on the map.
    fn count(&mut self, flow: &FlowReport) {
        for t in &flow.transitions {
            let Some(event) = Event::resolve(t.event) else {
                continue;
            };
            let Some(rule) = TABLE
                .iter()
                .find(|r| r.event == event && r.from.contains(t.from))
            else {
                continue;
            };
            let end = end_of(rule, t.from);
            if end == Node::Phase(t.from) {
                self.stays[t.from as usize].push((t.event, t.records, t.inferred));
                continue;
            }
            let (Some(from), Some(to)) = (self.node(Node::Phase(t.from)), self.node(end)) else {
                continue;
            };
            if let Some(edge) = self.edges.iter_mut().find(|e| (e.from, e.to) == (from, to)) {
                edge.fired.push((t.event, t.records, t.inferred));
            }
        }
        let Some(choice) = self.node(Node::Availability) else {
            return;
        };
        for ending in &flow.call_endings {
            let Some(to) = self.node(Node::Phase(ending.to)) else {
                continue;
            };
            if let Some(edge) = self
                .edges
                .iter_mut()
                .find(|e| (e.from, e.to) == (choice, to))
            {
                edge.fired.push((ending.event, ending.calls, 0));
            }
        }
    }
}

fn node_width(label: &str) -> f64 {
    (label.chars().count() as f64 * 8.6 + 34.0).max(118.0)
}

/// `a` to `b` by `t` in 0..=1, as `#rrggbb`.
fn mix(a: (u8, u8, u8), b: (u8, u8, u8), t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let c = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
}

/// The heat scale of rejected records, from none to the most.
pub(super) fn heat(t: f64) -> String {
    const STOPS: [(u8, u8, u8); 4] = [
        (255, 255, 255),
        (253, 219, 163),
        (244, 134, 84),
        (196, 36, 36),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    mix(STOPS[i], STOPS[i + 1], t - i as f64)
}

/// The flow scale: how much of the largest flow an edge carries.
pub(super) fn flow_colour(t: f64) -> String {
    mix((150, 176, 214), (22, 58, 128), t)
}

/// A logarithmic share of `n` in `max` (0 for none, 1 for the most).
fn share(n: u64, max: u64) -> f64 {
    if n == 0 || max == 0 {
        return 0.0;
    }
    ((n as f64).ln_1p() / (max as f64).ln_1p()).clamp(0.0, 1.0)
}

/// A cubic Bézier: start, two controls, end.
type Curve = [(f64, f64); 4];

fn midpoint(c: &Curve) -> (f64, f64) {
    let at = |i: usize| match i {
        0 => c[0].0 + 3.0 * c[1].0 + 3.0 * c[2].0 + c[3].0,
        _ => c[0].1 + 3.0 * c[1].1 + 3.0 * c[2].1 + c[3].1,
    };
    (at(0) / 8.0, at(1) / 8.0)
}

/// Writes the map as an SVG element.
pub(super) fn write_map(out: &mut String, flow: &FlowReport) {
    let mut map = Map::from_table();
    map.count(flow);
    let labels: Vec<String> = map.nodes.iter().map(ToString::to_string).collect();
    let widths: Vec<f64> = labels.iter().map(|l| node_width(l)).collect();
    let links: Vec<(usize, usize)> = map.edges.iter().map(|e| (e.from, e.to)).collect();
    let root = map
        .node(Node::Phase(Availability::Ready.phase()))
        .unwrap_or(0);
    let layout = layered(&widths, &links, root, map.node(Node::Availability), SPACING);
    let max_flow = map.edges.iter().map(Edge::records).max().unwrap_or(0);
    let max_inferred = map.edges.iter().map(Edge::inferred).max().unwrap_or(0);
    let rejected = |node: Node| match node {
        Node::Phase(p) => flow.states.iter().find(|s| s.state == p),
        _ => None,
    };
    let max_rejected = flow.states.iter().map(|s| s.rejected).max().unwrap_or(0);
    let (w, h) = (layout.width + 120.0, layout.height + 30.0);
    let _ = write!(
        out,
        r##"<svg id="map" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="map-title"><title id="map-title">The process map: the transition table's phases, with the replay's flow drawn on it</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="#4a5568"/></marker><marker id="arrow-inferred" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="#d9822b"/></marker></defs><g class="edges">"##
    );
    for (i, edge) in map.edges.iter().enumerate() {
        let route = &layout.routes[i];
        write_edge(
            out,
            edge,
            route,
            &map,
            &layout,
            &widths,
            (max_flow, max_inferred),
        );
    }
    out.push_str(r#"</g><g class="nodes">"#);
    for (i, node) in map.nodes.iter().enumerate() {
        let (x, y, width) = (layout.x[i], layout.y[i], widths[i]);
        let label = escape(&labels[i]);
        let mut tip = label.clone();
        let state = rejected(*node);
        let count = state.map_or(0, |s| s.rejected);
        if let Some(state) = state {
            let _ = write!(tip, "\nrejected here: {}", thousands(state.rejected));
            for e in &state.rejected_by_event {
                let _ = write!(tip, "\n  {} {}", e.event, thousands(e.count));
            }
            if state.unknown > 0 {
                let _ = write!(tip, "\nunknown events here: {}", thousands(state.unknown));
            }
            if state.unchanged > 0 {
                let _ = write!(
                    tip,
                    "\naccepted without change here: {}",
                    thousands(state.unchanged)
                );
            }
        }
        if let Node::Phase(p) = node {
            for (event, records, inferred) in &map.stays[*p as usize] {
                let _ = write!(tip, "\nstays on {event}: {}", thousands(*records));
                if *inferred > 0 {
                    let _ = write!(tip, " (+{} inferred)", thousands(*inferred));
                }
            }
        }
        let (class, id) = match node {
            Node::Phase(_) => ("state", format!("state-{label}")),
            _ => ("choice", format!("node-{label}")),
        };
        let t = if max_rejected == 0 {
            0.0
        } else {
            count as f64 / max_rejected as f64
        };
        let fill = if class == "choice" {
            "#f4f6fa".to_owned()
        } else {
            heat(t)
        };
        let ink = if t > 0.62 { "#ffffff" } else { "#1a202c" };
        let (left, top) = (x - width / 2.0, y - NODE_HEIGHT / 2.0);
        let radius = if class == "choice" {
            NODE_HEIGHT / 2.0
        } else {
            10.0
        };
        let _ = write!(
            out,
            r#"<g class="{class}" id="{id}" data-state="{label}" data-rejected="{count}"><title>{tip}</title><rect x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{NODE_HEIGHT}" rx="{radius}" fill="{fill}"/>"#
        );
        if count > 0 {
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{:.1}" class="label" fill="{ink}">{label}</text><text x="{x:.1}" y="{:.1}" class="sub" fill="{ink}">{} rejected</text></g>"#,
                y - 3.0,
                y + 14.0,
                thousands(count)
            );
        } else {
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{:.1}" class="label" fill="{ink}">{label}</text></g>"#,
                y + 5.0
            );
        }
    }
    out.push_str("</g></svg>");
}

fn write_edge(
    out: &mut String,
    edge: &Edge,
    route: &[usize],
    map: &Map,
    layout: &Layout,
    widths: &[f64],
    (max_flow, max_inferred): (u64, u64),
) {
    let (s, t) = (edge.from, edge.to);
    let (sx, sy, tx, ty) = (layout.x[s], layout.y[s], layout.x[t], layout.y[t]);
    let half = NODE_HEIGHT / 2.0;
    let (rs, rt) = (layout.rank[s], layout.rank[t]);
    let curves: Vec<Curve> = if rt > rs {
        // Down, through the dummies of the ranks between, leaving and arriving upright.
        let mut points: Vec<(f64, f64)> =
            route.iter().map(|&n| (layout.x[n], layout.y[n])).collect();
        let last = points.len() - 1;
        points[0].1 += half;
        points[last].1 -= half;
        points
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                let dy = (b.1 - a.1) * 0.5;
                [a, (a.0, a.1 + dy), (b.0, b.1 - dy), b]
            })
            .collect()
    } else if rt < rs {
        // Back up: out to the right of every node of the ranks it climbs past,
        // further the more ranks it climbs.
        let (a, b) = ((sx + widths[s] / 2.0, sy), (tx + widths[t] / 2.0, ty));
        let passed = (0..widths.len()).filter(|&n| (rt..=rs).contains(&layout.rank[n]));
        let right = passed
            .map(|n| layout.x[n] + widths[n] / 2.0)
            .fold(a.0.max(b.0), f64::max);
        let side = right + 24.0 + 16.0 * (rs - rt) as f64;
        vec![[a, (side, a.1), (side, b.1), b]]
    } else {
        let (a, b) = ((sx, sy + half), (tx, ty + half));
        let bottom = a.1 + 46.0;
        vec![[a, (a.0, bottom), (b.0, bottom), b]]
    };
    let mut d = String::new();
    for (i, c) in curves.iter().enumerate() {
        if i == 0 {
            let _ = write!(d, "M{:.1},{:.1}", c[0].0, c[0].1);
        }
        let _ = write!(
            d,
            " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
        );
    }
    let curve = curves[0];
    let (records, inferred) = (edge.records(), edge.inferred());
    let name = |i: usize| escape(&map.nodes[i].to_string());
    let mut tip = format!("{} → {}", name(s), name(t));
    for (event, n, lost) in &edge.fired {
        let event = if event.is_empty() { "—" } else { event };
        let _ = write!(tip, "\n{event}: {}", thousands(*n));
        if *lost > 0 {
            let _ = write!(tip, " (+{} inferred)", thousands(*lost));
        }
    }
    let unseen: Vec<&str> = edge
        .events
        .iter()
        .filter(|e| !e.is_empty() && !edge.fired.iter().any(|f| f.0 == **e))
        .copied()
        .collect();
    if !unseen.is_empty() {
        let _ = write!(tip, "\nallowed, not seen: {}", unseen.join(", "));
    }
    let _ = write!(
        out,
        r#"<g class="edge" data-from="{}" data-to="{}"><title>{tip}</title>"#,
        name(s),
        name(t)
    );
    if records > 0 {
        let t = share(records, max_flow);
        let _ = write!(
            out,
            r#"<path class="flow" d="{d}" stroke="{}" stroke-width="{:.1}" marker-end="url(#arrow)"/>"#,
            flow_colour(t),
            1.5 + 8.5 * t
        );
    } else if inferred == 0 {
        let _ = write!(
            out,
            r#"<path class="unseen" d="{d}" marker-end="url(#arrow)"/>"#
        );
    }
    if inferred > 0 {
        let t = share(inferred, max_inferred);
        let _ = write!(
            out,
            r#"<path class="inferred" d="{d}" stroke-width="{:.1}" marker-end="url(#arrow-inferred)"/>"#,
            1.5 + 3.5 * t
        );
    }
    // Numbers only: the events are in the tooltip, and the ends of calls (from
    // the availability choice) in the calls section.
    let from_choice = map.nodes[s] == Node::Availability;
    let counts: Vec<String> = edge
        .fired
        .iter()
        .filter(|f| f.1 > 0)
        .map(|f| thousands(f.1))
        .collect();
    let lost: Vec<String> = edge
        .fired
        .iter()
        .filter(|f| f.2 > 0)
        .map(|f| format!("+{}", thousands(f.2)))
        .collect();
    let mut lines: Vec<(String, &str)> = Vec::new();
    if !from_choice && !counts.is_empty() {
        lines.push((counts.join(" · "), "count"));
    }
    if !from_choice && !lost.is_empty() {
        lines.push((lost.join(" · "), "count inferred-count"));
    }
    let (mx, my) = midpoint(&curve);
    let first = my - (lines.len() as f64 - 1.0) * 7.0 + 4.0;
    for (i, (line, class)) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{mx:.1}" y="{:.1}" class="{class}">{}</text>"#,
            first + i as f64 * 14.0,
            escape(line)
        );
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_and_every_rule_that_moves_is_on_the_map() {
        let map = Map::from_table();
        for phase in Phase::iter() {
            assert!(map.node(Node::Phase(phase)).is_some(), "{phase}");
        }
        for rule in TABLE {
            for phase in rule.from.iter() {
                let end = end_of(rule, phase);
                if end == Node::Phase(phase) {
                    continue;
                }
                let (from, to) = (
                    map.node(Node::Phase(phase)).unwrap(),
                    map.node(end).unwrap(),
                );
                let edge = map
                    .edges
                    .iter()
                    .find(|e| (e.from, e.to) == (from, to))
                    .unwrap();
                assert!(edge.events.contains(&rule.event.name()));
            }
        }
    }

    #[test]
    fn scales_run_from_light_to_dark() {
        assert_eq!(heat(0.0), "#ffffff");
        assert_eq!(heat(1.0), "#c42424");
        assert_eq!(flow_colour(0.0), "#96b0d6");
        assert_eq!(share(0, 10), 0.0);
        assert_eq!(share(10, 10), 1.0);
        assert!(share(1, 1_000) < share(10, 1_000));
    }
}
