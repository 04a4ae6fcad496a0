//! The light edges of [`PairRemoval`](super::PairRemoval)'s search graph: a sparse first try
//! that answers most queries exactly without scanning the complete graph.
//!
//! Why it is exact: every edge weight is non-negative, so a path through an edge heavier than
//! `threshold` is longer than `threshold` (a floating-point sum `d + w` with `d >= 0` is never
//! below `w`). A shortest path of length at most `threshold` therefore uses light edges only,
//! and a search of the light edges that finds a path of length at most `threshold` has found a
//! shortest path of the complete graph. A query whose target lies beyond `threshold` is
//! answered by the search on the complete graph instead. The search adds the path's weights
//! from both ends, so its sum can differ from a one-sided search's in the last bits when the
//! values are not exactly representable (never when they are integers or other exact binary
//! fractions); it is the same for the same inputs on any machine and thread count.
//!
//! Why it is fast: in a market of `n` agents the shortest reduced-cost paths are short (on random
//! values, about `ln n / n` of the value range), far below the weight of a typical edge, so a
//! few dozen light edges per item carry every query and a search settles a small ball instead of
//! scanning `n` edges out of each of its nodes.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// How many sampled edge weights choose the threshold (a stride over all edges, no randomness).
const SAMPLES: usize = 1 << 16;

/// The edges of weight at most `threshold`, out of each node, in compressed-row form.
#[derive(Debug, Clone)]
pub(super) struct LightGraph {
    threshold: f64,
    /// Node `u`'s edges are `to[start[u]..start[u + 1]]` and `weight[...]` alike.
    start: Vec<usize>,
    to: Vec<usize>,
    weight: Vec<f64>,
    /// The same edges reversed: the edges into node `u` come from `back_to[back_start[u]..]`.
    back_start: Vec<usize>,
    back_to: Vec<usize>,
    back_weight: Vec<f64>,
}

/// The search graph's edge weights, as [`PairRemoval`](super::PairRemoval) defines them: `nodes`
/// nodes, of which the first `holders` are the holders' items (the only targets of edges out of
/// an item) and the last is the root.
pub(super) trait Weights {
    /// The number of nodes, the root included.
    fn nodes(&self) -> usize;
    /// The number of holders (nodes `0..holders` are their items).
    fn holders(&self) -> usize;
    /// The weight of the edge from item node `from` to holder node `to`.
    fn item_to_holder(&self, from: usize, to: usize) -> f64;
    /// Every edge out of `from` (item or root) with its weight, in node order.
    fn edges_out(&self, from: usize, push: &mut dyn FnMut(usize, f64));
}

impl LightGraph {
    /// Light graphs keeping about `per_node[t]` edges out of each item on average, narrowest
    /// first; a tier is left out when it would keep a quarter of the edges or more (the
    /// complete search is then as fast). `per_node` must be increasing.
    pub(super) fn tiers(graph: &impl Weights, per_node: &[usize]) -> Vec<LightGraph> {
        let thresholds = thresholds(graph, per_node);
        let limit = graph.nodes() * graph.holders() / 4;
        let mut tiers: Vec<LightGraph> = Vec::new();
        for &threshold in thresholds.iter().rev() {
            let tier = match tiers.last() {
                Some(wider) => {
                    LightGraph::collect(wider.nodes(), threshold, usize::MAX, |from, push| {
                        let edges = wider.start[from]..wider.start[from + 1];
                        edges.for_each(|e| push(wider.to[e], wider.weight[e]));
                    })
                }
                None => LightGraph::collect(graph.nodes(), threshold, limit, |from, push| {
                    graph.edges_out(from, push)
                }),
            };
            tiers.extend(tier);
        }
        tiers.reverse();
        tiers
    }

    /// The number of nodes.
    fn nodes(&self) -> usize {
        self.start.len() - 1
    }

    /// The edges that `edges_out` gives out of each of `nodes` nodes with weight at most
    /// `threshold`, or `None` once more than `limit` are kept.
    fn collect(
        nodes: usize,
        threshold: f64,
        limit: usize,
        edges_out: impl Fn(usize, &mut dyn FnMut(usize, f64)),
    ) -> Option<LightGraph> {
        let mut light = LightGraph {
            threshold,
            start: Vec::with_capacity(nodes + 1),
            to: Vec::new(),
            weight: Vec::new(),
            back_start: Vec::new(),
            back_to: Vec::new(),
            back_weight: Vec::new(),
        };
        for from in 0..nodes {
            light.start.push(light.to.len());
            edges_out(from, &mut |to, w| {
                if w <= threshold {
                    light.to.push(to);
                    light.weight.push(w);
                }
            });
            if light.to.len() > limit {
                return None;
            }
        }
        light.start.push(light.to.len());
        light.reverse();
        Some(light)
    }

    /// Fills the reversed edges (a counting sort of the edges by head, tails in order).
    fn reverse(&mut self) {
        let nodes = self.nodes();
        let mut count = vec![0usize; nodes + 1];
        self.to.iter().for_each(|&head| count[head + 1] += 1);
        for u in 0..nodes {
            count[u + 1] += count[u];
        }
        self.back_start = count.clone();
        self.back_to = vec![0; self.to.len()];
        self.back_weight = vec![0.0; self.to.len()];
        for tail in 0..nodes {
            for e in self.start[tail]..self.start[tail + 1] {
                let slot = &mut count[self.to[e]];
                self.back_to[*slot] = tail;
                self.back_weight[*slot] = self.weight[e];
                *slot += 1;
            }
        }
    }

    /// The distance from `from` to `goal` if it is at most the threshold, else `None`.
    ///
    /// A bidirectional Dijkstra: a forward search from `from` on the light edges and a backward
    /// one from `goal` on the reversed light edges, each step on the side with fewer open
    /// nodes, until the two frontiers' distances add up to the best path found through an
    /// edge between the two searches (no other path can then be shorter). On these near-random
    /// graphs the two balls meet after about a hundred nodes each (2,000 x 2,000 random values) where a
    /// one-sided search settles a large share of the graph.
    pub(super) fn distance(&self, from: usize, goal: usize) -> Option<f64> {
        if from == goal {
            return Some(0.0);
        }
        let nodes = self.nodes();
        let mut sides = [Side::new(nodes, from), Side::new(nodes, goal)];
        // Each step grows the side with the smaller frontier (the balls stay balanced).
        let mut best = f64::INFINITY;
        loop {
            let fronts = [sides[0].front(), sides[1].front()];
            let reach = fronts[0] + fronts[1];
            if reach >= best {
                return (best <= self.threshold).then_some(best);
            }
            if reach > self.threshold {
                return None;
            }
            let [forward, backward] = &mut sides;
            let found = if forward.heap.len() <= backward.heap.len() {
                forward.step(self.side_graph(0), backward)
            } else {
                backward.step(self.side_graph(1), forward)
            };
            best = best.min(found);
        }
    }

    /// The forward (`0`) or reversed (`1`) light edges.
    fn side_graph(&self, side: usize) -> Csr<'_> {
        if side == 0 {
            Csr(&self.start, &self.to, &self.weight)
        } else {
            Csr(&self.back_start, &self.back_to, &self.back_weight)
        }
    }
}

/// A compressed-row edge list: row starts, heads, weights.
#[derive(Clone, Copy)]
struct Csr<'g>(&'g [usize], &'g [usize], &'g [f64]);

/// One direction of the bidirectional search.
struct Side {
    dist: Vec<f64>,
    settled: Vec<bool>,
    heap: BinaryHeap<Near>,
}

impl Side {
    fn new(nodes: usize, source: usize) -> Side {
        let mut dist = vec![f64::INFINITY; nodes];
        dist[source] = 0.0;
        Side {
            dist,
            settled: vec![false; nodes],
            heap: BinaryHeap::from([Near(0.0, source)]),
        }
    }

    /// The distance of the nearest unsettled node (infinity when none is left).
    fn front(&mut self) -> f64 {
        while let Some(&Near(d, node)) = self.heap.peek() {
            if !self.settled[node] {
                return d;
            }
            self.heap.pop();
        }
        f64::INFINITY
    }

    /// Settles the nearest node, relaxes its edges and returns the shortest complete path seen
    /// through one of them (a node the other side has reached), or infinity.
    fn step(&mut self, Csr(start, to, weight): Csr<'_>, other: &Side) -> f64 {
        let Some(Near(d, node)) = self.heap.pop() else {
            return f64::INFINITY;
        };
        self.settled[node] = true;
        let mut best = d + other.dist[node];
        for e in start[node]..start[node + 1] {
            let (next, candidate) = (to[e], d + weight[e]);
            if candidate < self.dist[next] {
                self.dist[next] = candidate;
                self.heap.push(Near(candidate, next));
            }
            best = best.min(candidate + other.dist[next]);
        }
        best
    }
}

/// For each `per_node`, the weight below which about that many of each item's `holders` edges
/// fall, from one strided sample of the item-to-holder weights; tiers that would keep every
/// edge are left out.
fn thresholds(graph: &impl Weights, per_node: &[usize]) -> Vec<f64> {
    let holders = graph.holders();
    let items = graph.nodes() - 1;
    let total = items * holders;
    if total == 0 {
        return Vec::new();
    }
    let stride = total.div_ceil(SAMPLES).max(1);
    let mut sample: Vec<f64> = (0..total)
        .step_by(stride)
        .map(|e| graph.item_to_holder(e / holders, e % holders))
        .collect();
    sample.sort_unstable_by(f64::total_cmp);
    per_node
        .iter()
        .filter(|&&p| p < holders)
        .map(|&p| sample[(sample.len() * p / holders).min(sample.len() - 1)])
        .collect()
}

/// A tentative distance and its node, ordered so that `BinaryHeap` pops the nearest first (and
/// the lowest node among equals).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Near(f64, usize);

impl Eq for Near {}

impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
