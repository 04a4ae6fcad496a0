//! `W*(N \ {i}, K \ {e})` from one optimal assignment, by one early-stopping Dijkstra.

use super::light_graph::{LightGraph, Weights};
use super::walrasian::best_outside;
use super::Assignment;
use crate::ValueMatrix;

/// Answers "what is the optimal welfare once agent `i` and item `e` both leave the market",
/// `W*(N \ {i}, K \ {e})`, for many pairs from one optimal assignment, without re-solving.
///
/// The core of the assignment game is the set of optimal duals `(U, P)`, and the welfare lost
/// when an agent and an item leave together is the most that the pair can get in the core:
///
/// $$W^*(N, K) - W^*(N \setminus \{i\}, K \setminus \{e\}) = \max_{(U, P) \in \text{core}} U_i + P_e.$$
///
/// (With `e` unsold-or-not and `i` on its own item this is the familiar `v_{ie}`; with `i`
/// unassigned it is the maximum Walrasian price of `e`.) Writing `U_i = v_{i x_i} - P_{x_i}`
/// for an assigned agent, the maximum is `v_{i x_i} + max (P_e - P_{x_i})` over Walrasian
/// prices, a longest difference between two prices of a system of difference constraints: the
/// shortest path from `x_i` to `e` in the constraint graph. Reweighted by the assignment's own
/// prices its edges are the non-negative reduced costs `U_a + P_k - v_ak`, so a Dijkstra from
/// `x_i` (or from the outside root for an unassigned agent) that stops when it reaches `e` gives
/// it. Cost: `O(m (n + m))` in the worst case, usually far less; the naive alternative is a whole
/// `O(n m min(n, m))` re-solve per pair. Cross-checked against re-solves in the property tests.
///
/// # Example
/// ```
/// use evmech_mechanisms::{assignment, ValueMatrix};
/// let v = ValueMatrix::from_rows(&[[6.0, 3.0], [4.0, 1.0], [2.0, 2.0]])?;
/// let a = assignment::solve(&v);
/// let pairs = assignment::PairRemoval::new(&v, &a);
/// // Without agent 0 and item 1, agent 1 takes item 0: welfare 4.
/// assert_eq!(pairs.welfare_without(0, 1), 4.0);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PairRemoval<'a> {
    assignment: &'a Assignment,
    /// For each item, the best value an unassigned agent has for it (0 if none).
    outside: Vec<f64>,
    /// The number of assigned agents (holders). The search numbers its nodes `0..holders` for
    /// the holders' items (in holder order), then the unsold items, then the root.
    holders: usize,
    /// Each holder's utility `U_a`, in holder order.
    holder_utility: Vec<f64>,
    /// `by_item[k * holders + h]`: the value of holder `h` for item `k` (the matrix transposed
    /// to the holders, so the edges out of an item are one contiguous slice, in node order).
    by_item: Vec<f64>,
    /// The search's node of each item, and the item of each node below `m`.
    node_of_item: Vec<usize>,
    item_of_node: Vec<usize>,
    /// Each agent's value for its own item (0 if unassigned).
    own_value: Vec<f64>,
    /// The graph's light edges in two tiers, tried first, narrowest first (none when the
    /// complete search is as fast).
    light: Vec<LightGraph>,
}

/// The light edges kept per item by [`PairRemoval::new`] in the first tier, on average.
const LIGHT_EDGES_PER_NODE: usize = 12;

/// How many times wider the second tier is than the first.
const SECOND_TIER: usize = 8;

impl<'a> PairRemoval<'a> {
    /// Prepares the queries; `assignment` must be an optimal assignment of `values` from
    /// [`solve`](super::solve).
    pub fn new(values: &ValueMatrix, assignment: &'a Assignment) -> Self {
        Self::with_light_edges(values, assignment, LIGHT_EDGES_PER_NODE)
    }

    /// As [`new`](Self::new), keeping about `per_node` of the lightest edges out of each item
    /// for the first, sparse search of every query, and eight times as many for the second
    /// (the default is 12).
    ///
    /// The answers do not depend on `per_node`: a query whose shortest path is longer than
    /// every kept edge's weight bound is answered by the search on the complete graph. They are
    /// the same to the bit when the values are exact binary fractions (integers, eighths); with
    /// other values the sparse search, which adds a path's weights from both ends, can differ in
    /// the last bits (see `light_graph`'s documentation). Only the speed depends on it;
    /// `per_node` at least the number of assigned agents keeps no sparse graph at all.
    pub fn with_light_edges(
        values: &ValueMatrix,
        assignment: &'a Assignment,
        per_node: usize,
    ) -> Self {
        let holders: Vec<(usize, usize)> = assignment
            .item_of
            .iter()
            .enumerate()
            .filter_map(|(agent, item)| item.map(|k| (agent, k)))
            .collect();
        let m = values.n_items();
        let mut by_item = vec![0.0; m * holders.len()];
        for (h, &(agent, _)) in holders.iter().enumerate() {
            for (k, &v) in values.row(agent).iter().enumerate() {
                by_item[k * holders.len() + h] = v;
            }
        }
        let unsold = (0..m).filter(|&k| assignment.agent_of[k].is_none());
        let item_of_node: Vec<usize> = holders.iter().map(|&(_, k)| k).chain(unsold).collect();
        let mut node_of_item = vec![0; m];
        for (node, &k) in item_of_node.iter().enumerate() {
            node_of_item[k] = node;
        }
        let own_value = (0..values.n_agents())
            .map(|agent| values.value_of(agent, assignment.item_of[agent]))
            .collect();
        let mut pairs = PairRemoval {
            assignment,
            own_value,
            outside: best_outside(values, assignment),
            holder_utility: holders
                .iter()
                .map(|&(a, _)| assignment.utilities[a])
                .collect(),
            holders: holders.len(),
            by_item,
            node_of_item,
            item_of_node,
            light: Vec::new(),
        };
        let tiers = [per_node, per_node.saturating_mul(SECOND_TIER)];
        pairs.light = LightGraph::tiers(&pairs, &tiers);
        pairs
    }

    /// `W*(N \ {agent}, K \ {item})`; `agent` and `item` must be in range.
    pub fn welfare_without(&self, agent: usize, item: usize) -> f64 {
        let a = self.assignment;
        let w = a.welfare;
        let gain = match a.item_of[agent] {
            // On its own item: U_i + P_e = v_ie for every core point.
            Some(own) if own == item => self.own_value[agent],
            // max (U_i + P_e) = U_i + P_e + dist(x_i -> e), U and P the assignment's own dual.
            Some(own) => a.utilities[agent] + a.prices[item] + self.distance(Node::Item(own), item),
            // U_i = 0 in the core: the maximum Walrasian price of e.
            None => a.prices[item] + self.distance(Node::Root, item),
        };
        w - gain
    }
}

/// A node of the price-difference graph: an item, or the root standing for "outside" (price 0).
#[derive(Clone, Copy)]
enum Node {
    Root,
    Item(usize),
}

impl PairRemoval<'_> {
    /// Shortest reduced-cost distance from `from` to item `target`.
    ///
    /// Edges (reduced by the assignment's prices `P`, all non-negative): item `k` to the item
    /// `x_a` of each assigned agent `a`, `U_a + P_k - v_ak`; item `k` to the root, `P_k - b_k`
    /// with `b_k` the best value of an unassigned agent for `k` (or 0); the root to `x_a`, `U_a`;
    /// the root to an unsold item, 0.
    ///
    /// First a search of the light edges only (exact whenever the distance is at most their
    /// weight bound: see `light_graph`), then of a wider tier of them, else the search of the
    /// complete graph.
    fn distance(&self, from: Node, target: usize) -> f64 {
        let m = self.item_of_node.len();
        let start = match from {
            Node::Root => m,
            Node::Item(k) => self.node_of_item[k],
        };
        let goal = self.node_of_item[target];
        self.light
            .iter()
            .find_map(|light| light.distance(start, goal))
            .unwrap_or_else(|| self.complete_distance(start, goal))
    }

    /// [`distance`](Self::distance) on the complete graph, from node `start` to node `goal`.
    ///
    /// A dense Dijkstra (the graph is complete between items), laid out for speed: the holders'
    /// items come first and in holder order, so relaxing the edges out of a node is one pass over
    /// contiguous slices without branches (a settled node carries an infinite penalty instead of
    /// a test), and the same pass finds the next node to settle. Same sums in the same order as a
    /// textbook Dijkstra, so the same distances to the bit.
    fn complete_distance(&self, start: usize, goal: usize) -> f64 {
        let a = self.assignment;
        let m = self.item_of_node.len();
        let n_h = self.holders;
        let root = m;
        // `open[node]`: its tentative distance while unsettled, infinity once settled;
        // `settled[node]`: 0 while unsettled, infinity once settled (added to every candidate).
        let mut open = vec![f64::INFINITY; m + 1];
        let mut settled = vec![0.0; m + 1];
        let mut node = start;
        let mut best = 0.0;
        loop {
            if node == goal || best == f64::INFINITY {
                return best;
            }
            open[node] = f64::INFINITY;
            settled[node] = f64::INFINITY;
            let (holders, rest) = open.split_at_mut(n_h);
            let (settled_holders, settled_rest) = settled.split_at(n_h);
            let near = if node == root {
                let to_holders = self.holder_utility.iter().map(|u| best + u.max(0.0));
                let near = relax(holders, settled_holders, to_holders);
                let unsold = rest.len() - 1;
                relax(
                    &mut rest[..unsold],
                    &settled_rest[..unsold],
                    std::iter::repeat(best),
                );
                near
            } else {
                let k = self.item_of_node[node];
                let pk = a.prices[k];
                let column = &self.by_item[k * n_h..(k + 1) * n_h];
                let to_holders = self
                    .holder_utility
                    .iter()
                    .zip(column)
                    .map(|(u, v)| best + (u + pk - v).max(0.0));
                let near = relax(holders, settled_holders, to_holders);
                let to_root = best + (pk - self.outside[k]).max(0.0) + settled_rest[m - n_h];
                rest[m - n_h] = rest[m - n_h].min(to_root);
                near
            };
            // The next node: the nearest holder's item, or an unsold item or the root if nearer
            // (the first one on a tie, as a scan of the whole array would pick).
            (node, best) = near;
            for (i, &d) in rest.iter().enumerate() {
                if d < best {
                    (node, best) = (n_h + i, d);
                }
            }
        }
    }
}

/// The search graph's weights, computed as the complete search computes them (the same floats).
impl Weights for PairRemoval<'_> {
    fn nodes(&self) -> usize {
        self.item_of_node.len() + 1
    }

    fn holders(&self) -> usize {
        self.holders
    }

    fn item_to_holder(&self, from: usize, to: usize) -> f64 {
        let k = self.item_of_node[from];
        let v = self.by_item[k * self.holders + to];
        (self.holder_utility[to] + self.assignment.prices[k] - v).max(0.0)
    }

    fn edges_out(&self, from: usize, push: &mut dyn FnMut(usize, f64)) {
        let m = self.item_of_node.len();
        if from == m {
            for (h, u) in self.holder_utility.iter().enumerate() {
                push(h, u.max(0.0));
            }
            (self.holders..m).for_each(|unsold| push(unsold, 0.0));
        } else {
            (0..self.holders).for_each(|h| push(h, self.item_to_holder(from, h)));
            let k = self.item_of_node[from];
            push(m, (self.assignment.prices[k] - self.outside[k]).max(0.0));
        }
    }
}

/// `open[i] = min(open[i], candidate_i + settled[i])` for every node `i` of the slice (a settled
/// node's infinite penalty keeps it out); returns the first node with the smallest result and
/// that result (infinity if none is reachable).
fn relax(open: &mut [f64], settled: &[f64], candidates: impl Iterator<Item = f64>) -> (usize, f64) {
    let mut near = (0, f64::INFINITY);
    for (i, ((d, &penalty), candidate)) in open.iter_mut().zip(settled).zip(candidates).enumerate()
    {
        *d = d.min(candidate + penalty);
        if *d < near.1 {
            near = (i, *d);
        }
    }
    near
}
