//! A layered (Sugiyama-style) layout of the drawing's nodes: ranks by
//! breadth-first search from the phase a fresh agent starts in; an edge that
//! skips ranks goes through a narrow dummy node in each rank between, so that it
//! bends around the nodes instead of crossing them; the order within each rank
//! by barycentre sweeps; then coordinates, top to bottom by rank.

use std::collections::VecDeque;

/// Sweeps of the barycentre heuristic (down and up count as one each).
const SWEEPS: usize = 8;

/// Where each node is drawn: its rank (row) and its centre; dummy nodes follow
/// the real ones.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub(super) rank: Vec<usize>,
    pub(super) x: Vec<f64>,
    pub(super) y: Vec<f64>,
    /// Per edge, in the order given: the nodes it passes, from its source to
    /// its target (dummies between, for an edge down more than one rank).
    pub(super) routes: Vec<Vec<usize>>,
    pub(super) width: f64,
    pub(super) height: f64,
}

/// Sizes of the drawing, in SVG units.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spacing {
    /// From one rank to the next, downwards.
    pub(super) between_ranks: f64,
    /// Room kept beside a node within its rank (added to its width).
    pub(super) gap: f64,
    /// Room a dummy node takes within its rank.
    pub(super) dummy: f64,
    pub(super) margin_x: f64,
    pub(super) margin_y: f64,
}

/// Lays out nodes of `widths` joined by `edges` (directed, by index), starting
/// from `root`. A node the search does not reach goes in the first rank;
/// `sink`, if any, in a rank of its own after all others (where every call ends).
pub(super) fn layered(
    widths: &[f64],
    edges: &[(usize, usize)],
    root: usize,
    sink: Option<usize>,
    spacing: Spacing,
) -> Layout {
    let n = widths.len();
    let mut rank = ranks(n, edges, root, sink);
    let mut slot: Vec<f64> = widths.iter().map(|w| w + spacing.gap).collect();
    // Long edges downwards get a dummy per rank they skip.
    let mut links: Vec<(usize, usize)> = Vec::new();
    let mut routes = Vec::with_capacity(edges.len());
    for &(from, to) in edges {
        let mut route = vec![from];
        if rank[to] > rank[from] + 1 {
            for r in rank[from] + 1..rank[to] {
                rank.push(r);
                slot.push(spacing.dummy);
                route.push(rank.len() - 1);
            }
        }
        route.push(to);
        links.extend(route.windows(2).map(|w| (w[0], w[1])));
        routes.push(route);
    }
    let order = ordered(&rank, &links);
    let row_width = |row: &Vec<usize>| row.iter().map(|&node| slot[node]).sum::<f64>();
    let widest = order.iter().map(row_width).fold(0.0, f64::max);
    let (mut x, mut y) = (vec![0.0; rank.len()], vec![0.0; rank.len()]);
    for (r, row) in order.iter().enumerate() {
        let mut at = spacing.margin_x + (widest - row_width(row)) / 2.0;
        for &node in row {
            x[node] = at + slot[node] / 2.0;
            y[node] = spacing.margin_y + r as f64 * spacing.between_ranks;
            at += slot[node];
        }
    }
    straighten(&order, &routes, n, &slot, &mut x);
    let right = (0..x.len())
        .map(|i| x[i] + slot[i] / 2.0)
        .fold(0.0, f64::max);
    let left = (0..x.len())
        .map(|i| x[i] - slot[i] / 2.0)
        .fold(f64::MAX, f64::min);
    for at in &mut x {
        *at += spacing.margin_x - left;
    }
    Layout {
        rank,
        x,
        y,
        routes,
        width: 2.0 * spacing.margin_x + (right - left).max(0.0),
        height: 2.0 * spacing.margin_y
            + order.len().saturating_sub(1) as f64 * spacing.between_ranks,
    }
}

/// Pulls each dummy node towards the straight line between its neighbours on
/// its edge's route, keeping every row's order and room: long edges run
/// straighter instead of bulging out to the sides.
fn straighten(
    order: &[Vec<usize>],
    routes: &[Vec<usize>],
    real: usize,
    slot: &[f64],
    x: &mut [f64],
) {
    for _ in 0..PULLS {
        let mut wanted = x.to_vec();
        for route in routes {
            for w in route.windows(3) {
                if w[1] >= real {
                    wanted[w[1]] = (x[w[0]] + x[w[2]]) / 2.0;
                }
            }
        }
        for row in order {
            // Left to right, each node as near its wish as the one before allows.
            let mut min = f64::MIN;
            for (i, &node) in row.iter().enumerate() {
                let at = wanted[node].max(min);
                x[node] = at;
                if let Some(&next) = row.get(i + 1) {
                    min = at + (slot[node] + slot[next]) / 2.0;
                }
            }
        }
    }
}

/// Passes of [`straighten`].
const PULLS: usize = 6;

/// Each node's rank: its distance from `root` (0 when not reached), the sink last.
fn ranks(n: usize, edges: &[(usize, usize)], root: usize, sink: Option<usize>) -> Vec<usize> {
    let mut rank = vec![usize::MAX; n];
    let mut queue = VecDeque::new();
    if root < n {
        rank[root] = 0;
        queue.push_back(root);
    }
    while let Some(node) = queue.pop_front() {
        if Some(node) == sink {
            continue;
        }
        for &(_, to) in edges.iter().filter(|(from, _)| *from == node) {
            if rank[to] == usize::MAX {
                rank[to] = rank[node] + 1;
                queue.push_back(to);
            }
        }
    }
    for (node, r) in rank.iter_mut().enumerate() {
        if *r == usize::MAX || Some(node) == sink {
            *r = 0;
        }
    }
    if let Some(sink) = sink.filter(|&s| s < n) {
        let others = (0..n).filter(|&m| m != sink).map(|m| rank[m]);
        rank[sink] = others.max().map_or(0, |m| m + 1);
    }
    rank
}

/// The nodes of each rank, in an order that crosses few `links`: barycentre
/// sweeps, down then up.
fn ordered(rank: &[usize], links: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let ranks = rank.iter().max().map_or(0, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    for (node, &r) in rank.iter().enumerate() {
        order[r].push(node);
    }
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let rows: Vec<usize> = if down {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in rows {
            let fixed = if down { r - 1 } else { r + 1 };
            let position = |node: usize| order[fixed].iter().position(|&m| m == node);
            let mut keyed: Vec<(f64, usize)> = order[r]
                .iter()
                .enumerate()
                .map(|(i, &node)| {
                    let at: Vec<f64> = links
                        .iter()
                        .filter_map(|&(a, b)| match () {
                            () if a == node => position(b),
                            () if b == node => position(a),
                            () => None,
                        })
                        .map(|p| p as f64)
                        .collect();
                    let key = if at.is_empty() {
                        i as f64
                    } else {
                        at.iter().sum::<f64>() / at.len() as f64
                    };
                    (key, node)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            order[r] = keyed.into_iter().map(|(_, node)| node).collect();
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACING: Spacing = Spacing {
        between_ranks: 100.0,
        gap: 10.0,
        dummy: 4.0,
        margin_x: 10.0,
        margin_y: 10.0,
    };

    #[test]
    fn ranks_follow_the_search_and_crossings_are_undone() {
        // 0 → 1, 0 → 2; 1 → 4, 2 → 3: 3 and 4 start crossed, barycentres uncross them.
        let edges = [(0, 1), (0, 2), (1, 4), (2, 3), (3, 0)];
        let layout = layered(&[40.0; 5], &edges, 0, None, SPACING);
        assert_eq!(layout.rank, [0, 1, 1, 2, 2]);
        assert!((layout.x[1] < layout.x[2]) == (layout.x[4] < layout.x[3]));
        assert_eq!(layout.y[3], 210.0);
        assert_eq!(layout.height, 220.0);
        assert_eq!(layout.width, 120.0);
        assert_eq!(layout.routes[4], [3, 0]);
    }

    #[test]
    fn unreached_nodes_go_first_the_sink_last_and_long_edges_bend() {
        let layout = layered(&[40.0; 3], &[(0, 1)], 0, None, SPACING);
        assert_eq!(layout.rank, [0, 1, 0]);
        assert_ne!(layout.x[0], layout.x[2]);
        let edges = [(0, 3), (3, 0), (0, 1), (1, 2)];
        let layout = layered(&[40.0; 4], &edges, 0, Some(3), SPACING);
        assert_eq!(layout.rank[..4], [0, 1, 2, 3]);
        assert_eq!(layout.routes[0], [0, 4, 5, 3]);
        assert_eq!(layout.rank[4..], [1, 2]);
    }
}
